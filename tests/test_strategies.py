"""The public strategies produce what they claim."""

import jax
import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from categories import SMOOTH, ArrayType, Para, ParaCategory, Product, Smooth, factors, join
from categories.strategies import strategies_for
from lenses import Lens, LensCategory, diagonal
from lenses import strategies as _lens_strategies  # noqa: F401  (registers them)

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
    with pytest.raises(InvalidArgument, match="n ≥ 1"):
        S.distinct_points(ArrayType((2,), "float32"), 0)


def test_points_stay_within_the_bound_which_can_be_widened():
    X = ArrayType((2, 3), "float32")
    for strategy, bound in [(S.points(X), 2.0), (strategies_for(SMOOTH, bound=50.0).points(X), 50.0),
                            (S.points(X, bound=0.1), 0.1)]:
        @given(strategy)
        def within(x):
            assert x.dtype == np.float32 and np.all(np.abs(x) <= bound)

        within()
    find(strategies_for(SMOOTH, bound=50.0).points(X), lambda x: np.max(np.abs(x)) > 10)
    with pytest.raises(InvalidArgument, match="bound > 0"):
        strategies_for(SMOOTH, bound=0.0)
    with pytest.raises(InvalidArgument, match="bound > 0"):
        S.points(X, bound=-1.0)


@given(st.data())
def test_distinct_points_are_pairwise_distinct(data):
    A = data.draw(S.objects())
    points = data.draw(S.distinct_points(A, 3))
    keys = {tuple(np.asarray(v, np.float64).tobytes() for v in jax.tree.leaves(p)) for p in points}
    assert len(points) == len(keys) == 3
    for p in points:
        SMOOTH.check_point(A, p)


@given(st.data())
def test_paras_are_para_maps_of_the_requested_type_with_an_init(data):
    P = strategies_for(ParaCategory(SMOOTH), dtype="float32", max_side=2)
    A, B = data.draw(P.objects()), data.draw(P.objects())
    f = data.draw(P.paras(A, B))
    assert isinstance(f, Para) and (f.dom, f.cod) == (A, B) and f.inside.dom == f.param @ A
    p = f.init(jax.random.key(0))
    SMOOTH.check_point(f.param, p)
    SMOOTH.check_point(B, f(p, data.draw(P.points(A))))


@given(st.data())
def test_lenses_are_lenses_of_the_requested_type(data):
    L = strategies_for(LensCategory(SMOOTH), dtype="float32", max_side=2)
    A, B = data.draw(L.objects()), data.draw(L.objects())
    lens = data.draw(L.lenses(A, B))
    assert isinstance(lens, Lens) and (lens.dom, lens.cod) == (A, B)
    a = data.draw(L.points(A.fwd))
    SMOOTH.check_point(B.fwd, lens.get(a))
    SMOOTH.check_point(A.bwd, lens.put(join(a, data.draw(L.points(B.bwd)), A.fwd, B.bwd)))


def test_lens_strategies_draw_functor_images_and_free_lenses():
    L = strategies_for(LensCategory(SMOOTH), dtype="float32")
    X = ArrayType((2,), "float32")
    find(L.lenses(X, X), lambda lens: repr(lens).startswith("R("))
    find(L.lenses(X, X), lambda lens: repr(lens).startswith("Lens("))
    find(L.objects(), lambda obj: obj.fwd != obj.bwd)
    with pytest.raises(InvalidArgument, match="forward and a backward"):
        L.points(diagonal(X))
