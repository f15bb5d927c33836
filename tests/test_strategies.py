"""The public strategies produce what they claim."""

import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from categories import SMOOTH, ArrayType, Product, Smooth, factors
from categories.strategies import strategies_for

S = strategies_for(SMOOTH, dtype="float32", max_side=3, max_rank=2)


@given(S.objects())
def test_objects_respect_the_bounds(obj):
    for f in factors(obj):
        for t in ([f] if isinstance(f, ArrayType) else [v for _, v in f.fields]):
            assert len(t.shape) <= 2 and all(1 <= n <= 3 for n in t.shape)
            assert t.dtype == "float32"


@given(st.data())
def test_arrows_have_the_requested_type_and_run(data):
    A, B = data.draw(S.objects()), data.draw(S.objects())
    f = data.draw(S.arrows(A, B))
    assert isinstance(f, Smooth) and (f.dom, f.cod) == (A, B)
    SMOOTH.check_point(B, f(data.draw(S.points(A))))


@given(S.composable(3))
def test_composable_chains_compose(fs):
    f, g, h = fs
    assert (f >> g >> h).cod == h.cod


def test_can_produce_products_records_and_long_composites():
    find(S.objects(), lambda o: isinstance(o, Product) and len(o.factors) == 2)
    find(S.arrows(ArrayType((2,), "float32"), ArrayType((2,), "float32")),
         lambda f: len(repr(f).split(" >> ")) >= 5)
    find(S.arrows(ArrayType((2,), "float32"), ArrayType((2,), "float32")),
         lambda f: " + " in repr(f) and "multiply" in repr(f))


def test_bad_arguments_are_named():
    with pytest.raises(InvalidArgument, match="max_side"):
        strategies_for(SMOOTH, max_side=0)
    with pytest.raises(InvalidArgument, match="no strategies registered"):
        strategies_for(object())
    with pytest.raises(InvalidArgument, match="n ≥ 1"):
        S.composable(0)
    with pytest.raises(InvalidArgument, match="n ≥ 1"):
        S.parallel(0)
