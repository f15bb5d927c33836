"""Lens(C) laws over generated lenses (the public ``lenses`` strategy) and
functoriality of R : C → Lens(C), over generated morphisms."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lenses.laws import check_functor, check_lens_category
from tests.laws.instances import INSTANCES, LENSES

CATS = sorted(INSTANCES)


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_lens_category_laws(cat, data):
    L = LENSES[cat]
    A, B, C, D = (data.draw(L.objects(), n) for n in "ABCD")
    l1, l2, l3 = (data.draw(L.lenses(X, Y), n) for X, Y, n in ((A, B, "l1"), (B, C, "l2"), (C, D, "l3")))
    check_lens_category(l1, l2, l3, data.draw(L.points(A.fwd), "a"), data.draw(L.points(D.bwd), "d'"),
                        b_grad=data.draw(L.points(B.bwd), "b'"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_reverse_derivative_is_a_functor(cat, data):
    S = INSTANCES[cat]
    f, g = data.draw(S.composable(2, max_depth=2), "f, g")
    check_functor(f, g, data.draw(S.points(f.dom), "a"), data.draw(S.points(g.cod), "c'"))
