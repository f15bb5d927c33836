"""Category, Cartesian and left-additive laws over generated composites."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from categories import laws
from tests.laws.instances import INSTANCES

CATS = sorted(INSTANCES)


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_category_laws(cat, data):
    S = INSTANCES[cat]
    f, g, h = data.draw(S.composable(3), "f, g, h")
    laws.check_category(f, g, h, data.draw(S.points(f.dom), "x"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_cartesian_laws(cat, data):
    S = INSTANCES[cat]
    A, B, C = (data.draw(S.objects(), n) for n in "ABC")
    f, g = data.draw(S.arrows(A, B, 1), "f"), data.draw(S.arrows(A, C, 1), "g")
    laws.check_cartesian(f, g, data.draw(S.points(A), "x"), data.draw(S.points(B), "y"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_left_additive_laws(cat, data):
    S = INSTANCES[cat]
    A, B, C = (data.draw(S.objects(), n) for n in "ABC")
    f, g = data.draw(S.parallel(2, A, B), "f, g")
    h = data.draw(S.arrows(C, A, 1), "h")
    laws.check_left_additive(f, g, h, data.draw(S.points(C), "x"), data.draw(S.points(A), "y"))
