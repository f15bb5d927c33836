"""Hypothesis strategies for property-testing categories (needs ``hypothesis``).

``strategies_for(category, **options)`` returns a namespace of strategies, drawn
*typed first*: objects, then points of an object, then morphisms between given
objects. Every namespace has

* ``objects()``: objects of the category;
* ``points(obj)``: a point of ``obj``; ``distinct_points(obj, n)``: ``n`` pairwise
  distinct ones, for laws quantified over several points (RD.2's ``b ≠ b2``,
  RD.7's ``a, u, v, w``), which repeated points would check only in part;
* ``arrows(dom, cod, max_depth)``: morphisms ``dom → cod``;
* ``composable(n)``: ``n`` morphisms ``X0 → X1 → … → Xn``;
* ``parallel(n, dom, cod)``: ``n`` morphisms ``dom → cod``.

For ``SMOOTH``, ``objects()`` are array types, records and products of them;
``arrows`` are random composites of the primitives (elementwise maps, linear
bridges, pairing, tensor, sums, products); ``array_types()`` and ``endos(obj)``
are there too. Options, all keyword-only:

* ``dtype`` (``"float64"``): of every array;
* ``max_side`` (3), ``max_rank`` (2), ``max_factors`` (2): sizes of the objects;
* ``bound`` (2.0): points are floats in ``[-bound, bound]``. The default keeps
  ``exp`` and products of composites moderate; a primitive whose rule is only
  wrong far from the origin needs a wider range, ``strategies_for(SMOOTH,
  bound=100.0)`` or ``points(obj, bound=100.0)`` for one draw.

For ``ParaCategory(C)`` (``Para(C)``) the objects and points are those of ``C``
(the options go to ``C``'s namespace, also there as ``base``), and
``paras(dom, cod)``, also ``arrows``, draws a Para map: a parameter object
``P``, an ``inside : P @ dom → cod`` of ``C`` and an ``init`` (a point of ``P``
drawn once). Other categories register their own namespace with
:func:`register`: ``circuits.strategies`` for circuits, ``lenses.strategies``
for ``LensCategory(C)``.

Example: checking a new primitive takes a few lines.

    >>> from hypothesis import given, settings
    >>> from categories import ArrayType, laws, smooth
    >>> S = strategies_for(smooth.SMOOTH, dtype="float32")
    >>> X = ArrayType((3,), "float32")
    >>> cube = smooth.primitive("cube", X, X, lambda x: x**3)
    >>> @settings(max_examples=10, deadline=None)
    ... @given(S.points(X), S.distinct_points(X, 2))
    ... def test_cube(a, bs):
    ...     laws.check_derivative(cube, a, bs[0])
    ...     laws.check_rd2(cube, a, *bs)
    >>> test_cube()

Example: the Para laws, over generated parametrised maps.

    >>> from hypothesis import strategies as st
    >>> from categories import ParaCategory
    >>> P = strategies_for(ParaCategory(smooth.SMOOTH), dtype="float32", max_side=2)
    >>> @settings(max_examples=5, deadline=None)
    ... @given(st.data())
    ... def test_para(data):
    ...     A, B, C, D = (data.draw(P.objects()) for _ in range(4))
    ...     f, g, h = (data.draw(P.paras(X, Y)) for X, Y in ((A, B), (B, C), (C, D)))
    ...     p, q, s = (data.draw(P.points(m.param)) for m in (f, g, h))
    ...     laws.check_para(f, g, h, p, q, s, data.draw(P.points(A)))
    >>> test_para()
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from ._errors import MissingDependency

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.extra import numpy as hnp
except ImportError as err:
    raise MissingDependency("categories.strategies needs hypothesis: "
                            "pip install 'paralens[testing]'") from err

from ._abc import Category
from ._objects import ArrayType, Object, Product, Record, factors, tensor_objects
from ._para import Para, ParaCategory
from ._smooth import SMOOTH, Smooth, _primitive
from . import smooth

__all__ = ["strategies_for", "register", "namespace"]

_REGISTRY: dict[type, Callable[..., SimpleNamespace]] = {}


def register(category_type: type, factory: Callable[..., SimpleNamespace]) -> None:
    """Make ``strategies_for`` return ``factory(category, **options)`` for this category type.

    Example: a category class of your own (here a stand-in with one object and no
    morphisms) gets the strategies, and so the law suite, by one call.

        >>> from hypothesis import strategies as st
        >>> from categories import I
        >>> class Tiny:
        ...     pass
        >>> register(Tiny, lambda category: namespace(
        ...     category, lambda: st.just(I), lambda obj: st.just(()),
        ...     lambda dom, cod, max_depth=1: st.nothing()))
        >>> sorted(n for n in vars(strategies_for(Tiny())) if not n.startswith("_"))[:3]
        ['arrows', 'category', 'composable']
    """
    _REGISTRY[category_type] = factory


def strategies_for(category: Category, **options: Any) -> SimpleNamespace:
    """The namespace of strategies for ``category`` (see the module docstring).

    Example:
        >>> from categories import SMOOTH, ArrayType
        >>> S = strategies_for(SMOOTH, dtype="float32", bound=10.0)
        >>> sorted(n for n in vars(S) if not n.startswith("_"))
        ['array_types', 'arrows', 'category', 'composable', 'distinct_points', 'endos', 'objects', 'parallel', 'points']
    """
    for kind, factory in _REGISTRY.items():
        if isinstance(category, kind):
            return factory(category, **options)
    raise InvalidArgument(f"no strategies registered for {category!r}; "
                          f"known: {[k.__name__ for k in _REGISTRY]}")


def _key(point: Any) -> tuple:
    """A hashable fingerprint of a point (``-0.0`` and ``0.0`` agree, as in the laws)."""
    return tuple(np.asarray(v, np.float64).tobytes() for v in
                 (np.asarray(leaf, np.float64) + 0.0 for leaf in jax.tree.leaves(point)))


def namespace(category: Category, objects: Callable[[], st.SearchStrategy],
              points: Callable[..., st.SearchStrategy], arrows: Callable[..., st.SearchStrategy],
              **extra: Any) -> SimpleNamespace:
    """A strategies namespace from a category's ``objects``, ``points`` and
    ``arrows(dom, cod, max_depth)``, with ``distinct_points``, ``composable`` and
    ``parallel`` derived.

    Example: a namespace for the smooth maps on one fixed vector space.

        >>> from hypothesis import strategies as st
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X = ArrayType((2,), "float32")
        >>> S = namespace(SMOOTH, lambda: st.just(X),
        ...               lambda obj: st.just(jnp.zeros(2)),
        ...               lambda dom, cod, max_depth=1: st.sampled_from([smooth.sin(X), smooth.tanh(X)]))
        >>> sorted(n for n in vars(S) if not n.startswith("_"))
        ['arrows', 'category', 'composable', 'distinct_points', 'objects', 'parallel', 'points']
    """

    def distinct_points(obj: Object, n: int) -> st.SearchStrategy[tuple]:
        """``n`` pairwise distinct points of ``obj`` (it must have at least ``n``)."""
        if n < 1:
            raise InvalidArgument(f"distinct_points needs n ≥ 1, got {n}")
        return st.lists(points(obj), min_size=n, max_size=n, unique_by=_key).map(tuple)

    def composable(n: int, max_depth: int = 1) -> st.SearchStrategy[tuple]:
        """``n`` composable morphisms ``X0 → X1 → … → Xn``."""
        if n < 1:
            raise InvalidArgument(f"composable needs n ≥ 1, got {n}")

        @st.composite
        def chain(draw):
            objs = [draw(objects()) for _ in range(n + 1)]
            return tuple(draw(arrows(a, b, max_depth)) for a, b in zip(objs, objs[1:]))

        return chain()

    def parallel(n: int, dom: Object | None = None, cod: Object | None = None,
                 max_depth: int = 1) -> st.SearchStrategy[tuple]:
        """``n`` morphisms ``dom → cod`` (objects drawn when not given)."""
        if n < 1:
            raise InvalidArgument(f"parallel needs n ≥ 1, got {n}")

        @st.composite
        def family(draw):
            a = dom if dom is not None else draw(objects())
            b = cod if cod is not None else draw(objects())
            return tuple(draw(arrows(a, b, max_depth)) for _ in range(n))

        return family()

    return SimpleNamespace(category=category, objects=objects, points=points, arrows=arrows,
                           distinct_points=distinct_points, composable=composable,
                           parallel=parallel, **extra)


# -- Smooth --------------------------------------------------------------------

_ENDOS: dict[str, Callable[[ArrayType], Smooth]] = {
    "id": smooth.id, "sin": smooth.sin, "tanh": smooth.tanh, "sigmoid": smooth.sigmoid,
    "softplus": smooth.softplus, "negate": smooth.negate, "relu": smooth.relu,
    "softmax": smooth.softmax, "tanh_exp": lambda X: smooth.tanh(X) >> smooth.exp(X),
    "square": lambda X: smooth.copy(X) >> smooth.multiply(X),
}


def _concat(obj: Object, dtype: str) -> Smooth:
    """The linear isomorphism flattening every factor of ``obj`` into one vector."""
    if isinstance(obj, ArrayType) and len(obj.shape) == 1:
        return smooth.id(obj)
    out = ArrayType((int(sum(t.size for t in _leaf_types(obj))),), dtype)

    def fn(x):
        return jnp.concatenate([jnp.reshape(v, (-1,)) for v in jax.tree.leaves(x)]
                               or [jnp.zeros((0,), out.dtype)])

    return _primitive("concat", obj, out, fn)


def _unconcat(vec: ArrayType, obj: Object) -> Smooth:
    """The inverse of :func:`_concat`: cut a vector into a point of ``obj``."""
    if isinstance(obj, ArrayType) and len(obj.shape) == 1:
        return smooth.id(obj)

    def fn(v):
        leaves, i = [], 0
        for t in _leaf_types(obj):
            leaves.append(jnp.reshape(v[i:i + t.size], t.shape))
            i += t.size
        return jax.tree.unflatten(jax.tree.structure(_skeleton(obj)), leaves)

    return _primitive("unconcat", vec, obj, fn)


def _skeleton(obj: Object) -> Any:
    if isinstance(obj, ArrayType):
        return 0
    if isinstance(obj, Record):
        return {k: _skeleton(v) for k, v in obj.fields}
    return tuple(_skeleton(f) for f in factors(obj))


def _leaf_types(obj: Object) -> list[ArrayType]:
    if isinstance(obj, ArrayType):
        return [obj]
    if isinstance(obj, Record):
        return [t for _, v in obj.fields for t in _leaf_types(v)]
    return [t for f in factors(obj) for t in _leaf_types(f)]


def _smooth_namespace(category, *, dtype: str = "float64", max_side: int = 3, max_rank: int = 2,
                      max_factors: int = 2, bound: float = 2.0) -> SimpleNamespace:
    if max_side < 1 or max_rank < 0 or max_factors < 1 or not bound > 0:
        raise InvalidArgument(f"need max_side ≥ 1, max_rank ≥ 0, max_factors ≥ 1, bound > 0; got "
                              f"{max_side=}, {max_rank=}, {max_factors=}, {bound=}")
    width = 8 * np.dtype(dtype).itemsize
    weights = st.floats(-1.0, 1.0, width=width, allow_subnormal=False)

    def array_types(min_rank: int = 0) -> st.SearchStrategy[ArrayType]:
        shapes = st.lists(st.integers(1, max_side), min_size=min_rank, max_size=max_rank)
        return shapes.map(lambda s: ArrayType(tuple(s), dtype))

    def objects() -> st.SearchStrategy[Object]:
        one = array_types()
        records = st.dictionaries(st.sampled_from("uvw"), one, min_size=1, max_size=2).map(Record)
        many = st.lists(st.one_of(one, records), min_size=2, max_size=max_factors).map(
            lambda fs: Product(*fs))
        return st.one_of(one, one, records, many) if max_factors > 1 else st.one_of(one, records)

    def points(obj: Object, *, bound: float = bound) -> st.SearchStrategy[Any]:
        """A point of ``obj``: floats in ``[-bound, bound]`` (default: the namespace's)."""
        if not bound > 0:
            raise InvalidArgument(f"points: need bound > 0, got {bound=}")
        if isinstance(obj, ArrayType):
            kind = np.dtype(obj.dtype).type
            # the largest float of the dtype within the bound (0.1 is not a float32)
            limit = float(kind(bound) if kind(bound) <= bound else np.nextafter(kind(bound), kind(0)))
            elements = st.floats(-limit, limit, width=8 * np.dtype(obj.dtype).itemsize,
                                 allow_subnormal=False)
            return hnp.arrays(np.dtype(obj.dtype), obj.shape, elements=elements)
        if isinstance(obj, Record):
            return st.fixed_dictionaries({k: points(v, bound=bound) for k, v in obj.fields})
        if isinstance(obj, Product):
            return st.tuples(*(points(f, bound=bound) for f in obj.factors))
        raise InvalidArgument(f"points: not a smooth object: {obj!r}")

    @st.composite
    def endo(draw, obj: Object) -> Smooth:
        if isinstance(obj, ArrayType):
            names = [n for n in _ENDOS if n != "softmax" or obj.shape]
            name = draw(st.sampled_from(names))
            if name == "id" and draw(st.booleans()):
                return smooth.scale(obj, draw(st.sampled_from([0.5, -1.5, 2.0])))
            return _ENDOS[name](obj)
        flat = _concat(obj, dtype)
        return flat >> draw(endo(flat.cod)) >> _unconcat(flat.cod, obj)

    @st.composite
    def bridge(draw, dom: Object, cod: Object) -> Smooth:
        to_vec = _concat(dom, dtype)
        from_vec = _unconcat(_concat(cod, dtype).cod, cod)
        n, m = to_vec.cod.shape[0], from_vec.dom.shape[0]
        w = draw(hnp.arrays(np.dtype(dtype), (m, n), elements=weights))
        return to_vec >> smooth.linear(w) >> from_vec

    @st.composite
    def arrows(draw, dom: Object, cod: Object, max_depth: int = 2) -> Smooth:
        """A random composite ``dom → cod``."""
        kinds = ["bridge"]
        if max_depth > 0:
            kinds += ["via", "sum"]
            if len(factors(cod)) >= 2:
                kinds.append("pair")
            if len(factors(dom)) >= 2 and len(factors(cod)) >= 2:
                kinds.append("tensor")
            if dom == cod and isinstance(dom, ArrayType):
                kinds.append("product")
        kind = draw(st.sampled_from(kinds))
        d = max_depth - 1
        if kind == "bridge":
            return draw(endo(dom)) >> draw(bridge(dom, cod)) >> draw(endo(cod))
        if kind == "via":
            mid = draw(objects())
            return draw(arrows(dom, mid, d)) >> draw(arrows(mid, cod, d))
        if kind == "sum":
            return draw(arrows(dom, cod, d)) + draw(arrows(dom, cod, d))
        if kind == "pair":
            c0, rest = factors(cod)[0], tensor_objects(*factors(cod)[1:])
            return SMOOTH.pair(draw(arrows(dom, c0, d)), draw(arrows(dom, rest, d)))
        if kind == "tensor":
            d0, drest = factors(dom)[0], tensor_objects(*factors(dom)[1:])
            c0, crest = factors(cod)[0], tensor_objects(*factors(cod)[1:])
            return draw(arrows(d0, c0, d)) @ draw(arrows(drest, crest, d))
        f, g = draw(arrows(dom, dom, d)), draw(arrows(dom, dom, d))
        return SMOOTH.copy(dom) >> (f @ g) >> smooth.multiply(dom)

    return namespace(category, objects, points, arrows, array_types=array_types, endos=endo)


register(type(SMOOTH), _smooth_namespace)


# -- Para(C) ---------------------------------------------------------------------

def _para_namespace(category: ParaCategory, **options: Any) -> SimpleNamespace:
    base = strategies_for(category.base, **options)

    @st.composite
    def paras(draw, dom: Object, cod: Object, max_depth: int = 1) -> Para:
        """A Para map ``dom → cod``: ``P``, ``inside : P @ dom → cod`` and an ``init``."""
        param = draw(base.objects(), "P")
        inside = draw(base.arrows(param @ dom, cod, max_depth), "inside")
        start = draw(base.points(category.base.point_object(param)), "init(key)")
        return Para(param, dom, inside, init=lambda key: start)

    return namespace(category, base.objects, base.points, paras, paras=paras, base=base)


register(ParaCategory, _para_namespace)
