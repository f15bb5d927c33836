"""Lens(C) laws and functoriality of R : C → Lens(C), over generated morphisms."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lenses import Lens, as_lens
from lenses.laws import check_functor, check_lens_category
from tests.laws.instances import INSTANCES

CATS = sorted(INSTANCES)


@st.composite
def lenses_between(draw, S, A, B):
    """Either R(f) for a drawn f, or a free lens (get, put) with an unrelated put."""
    get = draw(S.arrows(A, B, 1), "get")
    if draw(st.booleans()):
        return as_lens(get)
    return Lens(get, draw(S.arrows(A @ B, A, 1), "put"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_lens_category_laws(cat, data):
    S = INSTANCES[cat]
    A, B, C, D = (data.draw(S.objects(), n) for n in "ABCD")
    l1, l2, l3 = (data.draw(lenses_between(S, X, Y)) for X, Y in ((A, B), (B, C), (C, D)))
    check_lens_category(l1, l2, l3, data.draw(S.points(A), "a"), data.draw(S.points(D), "d'"),
                        b_grad=data.draw(S.points(B), "b'"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_reverse_derivative_is_a_functor(cat, data):
    S = INSTANCES[cat]
    f, g = data.draw(S.composable(2, max_depth=2), "f, g")
    check_functor(f, g, data.draw(S.points(f.dom), "a"), data.draw(S.points(g.cod), "c'"))
