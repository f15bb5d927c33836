"""Objects: typed array spaces, named records, and strict finite products.

An object is a static, hashable description of a space. Its *points* are
JAX pytrees:

* ``ArrayType(shape, dtype)``: arrays of that shape and dtype;
* ``Record(weight=A, bias=B)``: dicts ``{"weight": a, "bias": b}``;
* ``Product(A, B, …)``: tuples ``(a, b, …)``; ``Product()`` is the unit ``I``
  and its only point is ``()``.

The product ``@`` is *strict*: products are flattened, so ``(A @ B) @ C``
and ``A @ (B @ C)`` are the same object ``Product(A, B, C)`` and
``I @ A == A``. A record or an array type is a single factor.

Example:
    >>> X = ArrayType((4,))
    >>> str(X @ ArrayType((3, 2), "float64"))
    'f32[4] @ f64[3,2]'
    >>> (X @ I) == X and (X @ X) @ X == X @ (X @ X)
    True
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import BadObject, BadPoint

_SHORT = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
          "int8": "i8", "int32": "i32", "int64": "i64", "uint8": "u8",
          "uint32": "u32", "uint64": "u64", "bool": "bool"}


class Object:
    """Base class of objects; ``@`` is the strict product.

    Strict: ``A @ I = A`` and ``(A @ B) @ C = A @ (B @ C)``, as equal objects.

    Example:
        >>> A, B, C = ArrayType((2,)), ArrayType(()), ArrayType((3,))
        >>> isinstance(A, Object), A @ I == A, (A @ B) @ C == A @ (B @ C)
        (True, True, True)
    """

    def __matmul__(self, other: Object) -> Object:
        if not isinstance(other, Object):
            return NotImplemented
        return tensor_objects(self, other)


@functools.lru_cache(maxsize=64)
def _dtype_name(dtype: Any) -> str:
    """``np.dtype(dtype).name``, one string per dtype (``.name`` makes a new one per call)."""
    return np.dtype(dtype).name


@dataclass(frozen=True)
class ArrayType(Object):
    """The space of arrays of one shape and dtype, e.g. ``f32[20,4]``.

    Example:
        >>> ArrayType((20, 4))
        ArrayType((20, 4), 'float32')
    """

    shape: tuple[int, ...]
    dtype: str = "float32"

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(n) for n in self.shape))
        try:
            name = _dtype_name(self.dtype)
        except TypeError:  # a dtype that cannot be hashed (a structured one's field list)
            name = np.dtype(self.dtype).name
        object.__setattr__(self, "dtype", name)
        if any(n < 0 for n in self.shape):
            raise BadObject(f"ArrayType shape must be non-negative, got {self.shape}")

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=int))

    def __repr__(self) -> str:
        return f"ArrayType({self.shape}, {self.dtype!r})"

    def __str__(self) -> str:
        return f"{_SHORT.get(self.dtype, self.dtype)}[{','.join(map(str, self.shape))}]"


@dataclass(frozen=True, init=False)
class Record(Object):
    """A named product: points are dicts with these keys.

    Example:
        >>> str(Record(weight=ArrayType((3, 4)), bias=ArrayType((3,))))
        '{bias: f32[3], weight: f32[3,4]}'
    """

    fields: tuple[tuple[str, Object], ...]

    def __init__(self, fields: Mapping[str, Object] | None = None, **kwargs: Object):
        items = dict(fields or {}, **kwargs)
        for name, obj in items.items():
            if not isinstance(obj, Object):
                raise BadObject(f"Record field {name!r} must be an Object, got {obj!r}")
        object.__setattr__(self, "fields", tuple(sorted(items.items())))

    def __getitem__(self, name: str) -> Object:
        return dict(self.fields)[name]

    def __repr__(self) -> str:
        return "Record(" + ", ".join(f"{k}={v!r}" for k, v in self.fields) + ")"

    def __str__(self) -> str:
        return "{" + ", ".join(f"{k}: {v}" for k, v in self.fields) + "}"


@dataclass(frozen=True)
class TreeType(Object):
    """A space of JAX pytrees of one structure (NamedTuples, nested dicts, …).

    Used for states whose structure is given by code (optimiser states);
    ``TreeType.like(x)`` reads it off an example (or ``jax.eval_shape``) value.

    Example:
        >>> import jax.numpy as jnp
        >>> T = TreeType.like({"count": jnp.zeros((), "int32"), "mu": jnp.zeros(3)})
        >>> str(T)
        'tree{count: i32[], mu: f32[3]}'
    """

    treedef: Any
    leaves: tuple[ArrayType, ...]

    @staticmethod
    def like(example: Any) -> TreeType:
        leaves, treedef = jax.tree.flatten(example)
        return TreeType(treedef, tuple(ArrayType(np.shape(v), np.dtype(v.dtype).name)
                                       for v in leaves))

    def __str__(self) -> str:
        shown = jax.tree.unflatten(self.treedef, [str(t) for t in self.leaves])
        if isinstance(shown, dict):
            return "tree{" + ", ".join(f"{k}: {v}" for k, v in shown.items()) + "}"
        return f"tree{shown}"


@dataclass(frozen=True, init=False)
class Product(Object):
    """The strict product of the factors; ``Product()`` is the unit ``I``.

    Example:
        >>> Product(ArrayType((2,)), Product()) == ArrayType((2,))
        False
        >>> ArrayType((2,)) @ Product() == ArrayType((2,))
        True
    """

    factors: tuple[Object, ...]

    def __init__(self, *factors: Object):
        flat: list[Object] = []
        for f in factors:
            flat.extend(f.factors if isinstance(f, Product) else (f,))
        object.__setattr__(self, "factors", tuple(flat))

    def __repr__(self) -> str:
        return "Product(" + ", ".join(map(repr, self.factors)) + ")"

    def __str__(self) -> str:
        return " @ ".join(map(str, self.factors)) if self.factors else "I"


I = Product()


def factors(obj: Object) -> tuple[Object, ...]:
    """The factors of ``obj`` under the strict product (``(obj,)`` for a single one).

    Example:
        >>> A, B = ArrayType((2,)), ArrayType(())
        >>> [str(f) for f in factors(A @ B)], [str(f) for f in factors(A)], factors(I)
        (['f32[2]', 'f32[]'], ['f32[2]'], ())
    """
    return obj.factors if isinstance(obj, Product) else (obj,)


def tensor_objects(*objs: Object) -> Object:
    """The strict product: a single factor is returned as itself.

    Example:
        >>> A, B = ArrayType((2,)), ArrayType(())
        >>> tensor_objects(A, I) == A, str(tensor_objects(A, B, A))
        (True, 'f32[2] @ f32[] @ f32[2]')
    """
    fs = tuple(f for o in objs for f in factors(o))
    return fs[0] if len(fs) == 1 else Product(*fs)


def stack(obj: Object, n: int) -> Object:
    """``obj`` with a leading batch axis of length ``n`` on every array: points of
    ``stack(A, n)`` are batches of ``n`` points of ``A`` (``stack`` commutes with ``@``).

    Example:
        >>> str(stack(ArrayType((4,)) @ ArrayType(()), 32))
        'f32[32,4] @ f32[32]'
    """
    if isinstance(obj, ArrayType):
        return ArrayType((n, *obj.shape), obj.dtype)
    if isinstance(obj, Record):
        return Record({k: stack(v, n) for k, v in obj.fields})
    if isinstance(obj, TreeType):
        return TreeType(obj.treedef, tuple(stack(t, n) for t in obj.leaves))
    if isinstance(obj, Product):
        return Product(*(stack(f, n) for f in obj.factors))
    raise BadObject(f"stack: not an object of arrays: {obj!r}")


def _as_tuple(obj: Object, x: Any) -> tuple:
    return tuple(x) if isinstance(obj, Product) else (x,)


def _from_tuple(obj: Object, xs: tuple) -> Any:
    return tuple(xs) if isinstance(obj, Product) else xs[0]


# The product of the objects is a tuple of points unless it has exactly one factor.
# Counting factors (rather than forming ``left @ right``) keeps splitting and joining
# points of long products cheap: a deep model's steps split them once per layer.

def _whole(total: int, xs: tuple) -> Any:
    return xs if total != 1 else xs[0]


def _parts(total: int, x: Any) -> tuple:
    return tuple(x) if total != 1 else (x,)


def split(x: Any, left: Object, right: Object) -> tuple[Any, Any]:
    """Split a point of ``left @ right`` into a point of each.

    A point of a product is the flat tuple of its factors' points (any values show
    the layout here), so ``(a, b, c)`` in ``A @ (B @ C)`` splits as ``(a, (b, c))``.

    Example:
        >>> A, B, C = ArrayType((2,)), ArrayType(()), ArrayType((3,))
        >>> split(("a", "b", "c"), A, B @ C), split(("a", "b"), A, B)
        (('a', ('b', 'c')), ('a', 'b'))
    """
    n = len(factors(left))
    xs = _parts(n + len(factors(right)), x)
    return _from_tuple(left, xs[:n]), _from_tuple(right, xs[n:])


def join(a: Any, b: Any, left: Object, right: Object) -> Any:
    """Pair a point of ``left`` and a point of ``right`` into a point of ``left @ right``.

    Inverse of :func:`split`; the unit's point ``()`` disappears (``A @ I = A``).

    Example:
        >>> A, B, C = ArrayType((2,)), ArrayType(()), ArrayType((3,))
        >>> join("a", ("b", "c"), A, B @ C), join("a", (), A, I)
        (('a', 'b', 'c'), 'a')
    """
    return _whole(len(factors(left)) + len(factors(right)),
                  _as_tuple(left, a) + _as_tuple(right, b))


def split_all(x: Any, objs: tuple[Object, ...]) -> list[Any]:
    """Split a point of ``objs[0] @ … @ objs[-1]`` into one point per object.

    Example:
        >>> A, B, C = ArrayType((2,)), ArrayType(()), ArrayType((3,))
        >>> split_all(("a", "b", "c"), (A @ B, I, C))
        [('a', 'b'), (), 'c']
    """
    counts = [len(factors(o)) for o in objs]
    xs = _parts(sum(counts), x)
    out, i = [], 0
    for o, n in zip(objs, counts):
        out.append(_from_tuple(o, xs[i:i + n]))
        i += n
    return out


def join_all(points: list[Any], objs: tuple[Object, ...]) -> Any:
    """Inverse of :func:`split_all`: one point per object joined into a point of their product.

    Example:
        >>> A, B, C = ArrayType((2,)), ArrayType(()), ArrayType((3,))
        >>> join_all(["a", ("b", "c")], (A, B @ C)), join_all(["a", ()], (A, I))
        (('a', 'b', 'c'), 'a')
    """
    flat = tuple(itertools.chain.from_iterable(_as_tuple(o, p) for p, o in zip(points, objs)))
    return _whole(sum(len(factors(o)) for o in objs), flat)


def zeros(obj: Object) -> Any:
    """The zero point of ``obj``: arrays of zeros, in the structure of its points.

    Example:
        >>> z = zeros(Record(w=ArrayType((2, 2)), b=ArrayType(())) @ ArrayType((3,)))
        >>> z[0]["w"].tolist(), z[0]["b"].tolist(), z[1].tolist()
        ([[0.0, 0.0], [0.0, 0.0]], 0.0, [0.0, 0.0, 0.0])
    """
    if isinstance(obj, ArrayType):
        return jnp.zeros(obj.shape, obj.dtype)
    if isinstance(obj, TreeType):
        return jax.tree.unflatten(obj.treedef, [zeros(t) for t in obj.leaves])
    if isinstance(obj, Record):
        return {k: zeros(v) for k, v in obj.fields}
    if isinstance(obj, Product):
        return tuple(zeros(f) for f in obj.factors)
    if hasattr(obj, "zeros"):  # objects of other categories bring their own
        return obj.zeros()
    raise BadObject(f"zeros: not an object of arrays: {obj!r}")


def check_point(obj: Object, x: Any, where: str = "value", path: str = "") -> None:
    """Raise :class:`BadPoint` unless ``x`` is a point of ``obj``.

    The message names the position in the pytree (``path``), the expected
    object and what was found. Works on tracers: only shapes and dtypes are read.
    """
    here = path or "the value"
    if isinstance(obj, ArrayType):
        if not (hasattr(x, "shape") and hasattr(x, "dtype")):
            raise BadPoint(f"{where}: expected an array {obj} at {here}, got {type(x).__name__} {x!r:.60}")
        if tuple(x.shape) != obj.shape:
            raise BadPoint(f"{where}: shape mismatch at {here}: expected {obj}, got shape "
                           f"{tuple(x.shape)} ({np.dtype(x.dtype).name})")
        if np.dtype(x.dtype).name != obj.dtype:
            raise BadPoint(f"{where}: dtype mismatch at {here}: expected {obj}, got "
                           f"{np.dtype(x.dtype).name}; convert with .astype({obj.dtype!r})")
    elif isinstance(obj, Record):
        if not isinstance(x, Mapping) or set(x) != {k for k, _ in obj.fields}:
            got = sorted(x) if isinstance(x, Mapping) else type(x).__name__
            raise BadPoint(f"{where}: expected a dict with keys {[k for k, _ in obj.fields]} "
                           f"at {here} (object {obj}), got {got}")
        for k, v in obj.fields:
            check_point(v, x[k], where, f"{path}[{k!r}]")
    elif isinstance(obj, TreeType):
        leaves, treedef = jax.tree.flatten(x)
        if treedef != obj.treedef:
            raise BadPoint(f"{where}: expected a pytree of structure {obj.treedef} at {here}, "
                           f"got {treedef}")
        for i, (t, v) in enumerate(zip(obj.leaves, leaves)):
            check_point(t, v, where, f"{path}<leaf {i}>")
    elif isinstance(obj, Product):
        if not isinstance(x, tuple) or len(x) != len(obj.factors):
            got = f"a tuple of length {len(x)}" if isinstance(x, tuple) else type(x).__name__
            raise BadPoint(f"{where}: expected a tuple of {len(obj.factors)} points at {here} "
                           f"(object {obj}), got {got}")
        for i, (f, xi) in enumerate(zip(obj.factors, x)):
            check_point(f, xi, where, f"{path}[{i}]")
    else:
        raise BadObject(f"check_point: not an object of arrays: {obj!r}")
