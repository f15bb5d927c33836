"""Hypothesis strategies for property-testing categories (needs ``hypothesis``).

``strategies_for(category)`` returns a namespace of strategies, drawn *typed
first*: objects, then points of an object, then morphisms between given
objects. For ``SMOOTH``:

* ``objects()``: array types, records and products of them;
* ``points(obj)``: a point of ``obj`` (bounded floats);
* ``arrows(dom, cod)``: random composites ``dom → cod`` built from the
  primitives (elementwise maps, linear bridges, pairing, tensor, sums, products);
* ``composable(n)``: ``n`` morphisms ``X0 → X1 → … → Xn``;
* ``parallel(n, dom, cod)``: ``n`` morphisms ``dom → cod``.

Other categories register their own namespace with :func:`register`.

Example: checking a new primitive takes three lines.

    >>> from hypothesis import given, settings
    >>> from categories import ArrayType, laws, smooth
    >>> S = strategies_for(smooth.SMOOTH, dtype="float32")
    >>> X = ArrayType((3,), "float32")
    >>> cube = smooth.primitive("cube", X, X, lambda x: x**3)
    >>> @settings(max_examples=10, deadline=None)
    ... @given(S.points(X), S.points(X))
    ... def test_cube(a, b):
    ...     laws.check_vjp(cube, a, b)
    >>> test_cube()
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from . import smooth
from ._abc import Category
from ._objects import ArrayType, Object, Product, Record, factors, tensor_objects
from ._smooth import SMOOTH, Smooth

__all__ = ["strategies_for", "register", "namespace"]

_REGISTRY: dict[type, Callable[..., SimpleNamespace]] = {}


def register(category_type: type, factory: Callable[..., SimpleNamespace]) -> None:
    """Make ``strategies_for`` return ``factory(category, **options)`` for this category type."""
    _REGISTRY[category_type] = factory


def strategies_for(category: Category, **options: Any) -> SimpleNamespace:
    """The namespace of strategies for ``category`` (see the module docstring)."""
    for kind, factory in _REGISTRY.items():
        if isinstance(category, kind):
            return factory(category, **options)
    raise InvalidArgument(f"no strategies registered for {category!r}; "
                          f"known: {[k.__name__ for k in _REGISTRY]}")


def namespace(category: Category, objects: Callable[[], st.SearchStrategy],
              points: Callable[[Object], st.SearchStrategy], arrows: Callable[..., st.SearchStrategy],
              **extra: Any) -> SimpleNamespace:
    """A strategies namespace from a category's ``objects``, ``points`` and
    ``arrows(dom, cod, max_depth)``, with ``composable`` and ``parallel`` derived."""

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
                           composable=composable, parallel=parallel, **extra)


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

    return smooth.primitive("concat", obj, out, fn)


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

    return smooth.primitive("unconcat", vec, obj, fn)


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
    elements = st.floats(-bound, bound, width=width, allow_subnormal=False)
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

    def points(obj: Object) -> st.SearchStrategy[Any]:
        if isinstance(obj, ArrayType):
            return hnp.arrays(np.dtype(obj.dtype), obj.shape, elements=elements)
        if isinstance(obj, Record):
            return st.fixed_dictionaries({k: points(v) for k, v in obj.fields})
        if isinstance(obj, Product):
            return st.tuples(*(points(f) for f in obj.factors))
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
