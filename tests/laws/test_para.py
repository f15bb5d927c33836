"""Para laws over generated parametrised maps (the public ``paras`` strategy), and
Para(R) into parametric lenses."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from categories import join, laws
from lenses import as_lens
from lenses.laws import check_lens
from tests.laws.instances import INSTANCES, PARAS

CATS = sorted(INSTANCES)


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_para_laws(cat, data):
    S, P = INSTANCES[cat], PARAS[cat]
    A, B, C, D = (data.draw(P.objects(), n) for n in "ABCD")
    f, g, h = (data.draw(P.paras(X, Y), n) for X, Y, n in ((A, B, "f"), (B, C, "g"), (C, D, "h")))
    p, q, s = (data.draw(S.points(m.param), n) for m, n in ((f, "p"), (g, "q"), (h, "s")))
    laws.check_para(f, g, h, p, q, s, data.draw(S.points(A), "x"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_reparametrisation_laws(cat, data):
    S, P = INSTANCES[cat], PARAS[cat]
    A, B, C = (data.draw(P.objects(), n) for n in "ABC")
    f, g = data.draw(P.paras(A, B), "f"), data.draw(P.paras(B, C), "g")
    Q, R = data.draw(S.objects(), "Q"), data.draw(S.objects(), "R")
    r, s = data.draw(S.arrows(Q, f.param, 1), "r"), data.draw(S.arrows(R, Q, 1), "s")
    laws.check_reparam(f, g, r, s, data.draw(S.points(R), "t"), data.draw(S.points(g.param), "q"),
                       data.draw(S.points(A), "x"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_paras_initialise_to_points_of_their_parameters(cat, data):
    S, P = INSTANCES[cat], PARAS[cat]
    f = data.draw(P.arrows(data.draw(P.objects(), "A"), data.draw(P.objects(), "B")), "f")
    S.category.check_point(f.param, f.init(None), f"{f}.init")
    S.category.check_point(f.cod, f(f.init(None), data.draw(S.points(f.dom), "x")), f"{f}")


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_para_of_r_is_a_functor_into_parametric_lenses(cat, data):
    """Para(R)(f) is ((P, P), (f, R[f])), and Para(R)(f) >> Para(R)(g), composed in
    Para(Lens), runs exactly like Para(R)(f >> g); every lens runs as its (get, put)."""
    S, P = INSTANCES[cat], PARAS[cat]
    A, B, C = (data.draw(P.objects(), n) for n in "ABC")
    f, g = data.draw(P.paras(A, B), "f"), data.draw(P.paras(B, C), "g")
    whole, parts = as_lens(f >> g), as_lens(f) >> as_lens(g)
    assert whole.param.fwd == whole.param.bwd == f.param @ g.param
    assert whole.dom.fwd == whole.dom.bwd == A
    assert (whole.param, whole.dom, whole.cod) == (parts.param, parts.dom, parts.cod)
    x, c = data.draw(S.points(whole.inside.dom.fwd), "(p, q, x)"), data.draw(S.points(C), "c'")
    for lens in (whole.inside, parts.inside):
        check_lens(lens, x, c)
    point = join(x, c, whole.inside.dom.fwd, C)
    laws.assert_law("Para(R) is (f, R[f])", repr(f >> g), "at the drawn point",
                    whole.inside.put(point), (f >> g).inside.rd()(point), S.category)
    laws.assert_law("Para(R) preserves composition", f"{f} >> {g}", "at the drawn point",
                    whole.inside.run(x, c), parts.inside.run(x, c), S.category)
