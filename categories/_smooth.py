"""Smooth: the Cartesian reverse derivative category of JAX-traceable maps.

A :class:`Smooth` morphism ``f : A → B`` wraps a pure function from points of
``A`` to points of ``B``. Its reverse derivative is

    R[f](a, b') = J_f(a)ᵀ b'      (``jax.vjp``),

unless the primitive supplies its own rule, which is then attached with
``jax.custom_vjp`` so composites honour it. ``R[f]`` is again a ``Smooth``
morphism, so ``R`` iterates (``R[R[f]]`` is a VJP of a VJP).

Axioms (checked as properties in ``tests/laws``; see :mod:`categories.laws`):

    >>> import jax.numpy as jnp
    >>> from categories import SMOOTH, ArrayType, smooth
    >>> X = ArrayType((2,))
    >>> f, a, b = smooth.sin(X), jnp.array([0.0, 1.0]), jnp.array([1.0, 2.0])

RD.3, the identity: ``R[1](a, b) = b``

    >>> SMOOTH.id(X).rd()((a, b)).tolist()
    [1.0, 2.0]

RD.5, the reverse chain rule: ``R[f;g](a, c) = R[f](a, R[g](f(a), c))``

    >>> g = smooth.exp(X)
    >>> lhs = (f >> g).rd()((a, b))
    >>> rhs = f.rd()((a, g.rd()((f(a), b))))
    >>> bool(jnp.allclose(lhs, rhs))
    True
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ._abc import Morphism, ReverseDerivativeCategory, TensorObjects, set_fields
from ._errors import BadObject, BadPoint, Immutable
from ._objects import (ArrayType, I, Object, Product, Record, TreeType, check_point, factors,
                       join, join_all, split, split_all, stack, tensor_objects, zeros)


def _tree_add(x: Any, y: Any) -> Any:
    return jax.tree.map(jnp.add, x, y)


class Smooth(TensorObjects, Morphism):
    """A smooth map ``dom → cod``, evaluated by JAX.

    ``fn`` computes the map; ``dfn`` is the same function with any supplied
    reverse-derivative rules attached (what ``R`` differentiates). Build
    primitives with :func:`categories.smooth.primitive`, not this constructor.
    ``name`` is how it prints: structural maps give a function making it, as
    their names spell out whole (possibly large) objects and most never print.

    A composite runs its parts' functions (read when it runs), and a tensor's
    objects are made on first use, so each ``>>`` or ``@`` costs O(1).

    Example:
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((3,))
        >>> smooth.tanh(X) >> smooth.scale(X, 2.0)
        tanh >> scale(2.0)
    """

    def __init__(self, dom: Object, cod: Object, fn: Callable[[Any], Any],
                 dfn: Callable[[Any], Any], op: str = "prim", parts: tuple = (),
                 name: str | Callable[[], str] = ""):
        set_fields(self, dom=dom, cod=cod, fn=fn, dfn=dfn, op=op, parts=parts, name=name)

    @classmethod
    def _tensor_of(cls, parts: tuple[Smooth, ...], fn: Callable[[Any], Any],
                   dfn: Callable[[Any], Any]) -> Smooth:
        """The tensor of ``parts``, whose objects are made on first use."""
        f = cls.__new__(cls)
        set_fields(f, fn=fn, dfn=dfn, op="tensor", parts=parts, name="")
        return f

    def __setattr__(self, key, value):
        raise Immutable(f"smooth maps are immutable: cannot set {key} = {value!r:.40} "
                        f"on {self!r:.60}")

    @property
    def category(self) -> SmoothCategory:
        return SMOOTH

    def __call__(self, x: Any) -> Any:
        """Evaluate at a point of ``dom`` (checked: structure, shapes, dtypes)."""
        SMOOTH.check_point(self.dom, x, f"{self}: input")
        return self.fn(x)

    def __repr__(self) -> str:
        if self.op == "then":
            return " >> ".join(map(repr, self.parts))
        if self.op == "tensor":
            return " @ ".join(f"({p!r})" if p.op in ("then", "add") else repr(p) for p in self.parts)
        if self.op == "add":
            return " + ".join(f"({p!r})" if p.op == "then" else repr(p) for p in self.parts)
        if self.op == "rd":
            return f"R[{self.parts[0]!r}]"
        return self.name if isinstance(self.name, str) else self.name()


def primitive(name: str, dom: Object, cod: Object, fn: Callable[[Any], Any],
              rd: Callable[[Any, Any], Any] | None = None) -> Smooth:
    """A named smooth primitive ``dom → cod`` computing ``fn``.

    Args:
        name: how the primitive prints in composites.
        dom, cod: its objects; ``fn`` maps a point of ``dom`` to one of ``cod``.
        fn: a pure, JAX-traceable function of one argument (extra optional
            arguments, as in ``jnp.cumsum``, keep their defaults). Trainable
            values must come in through ``dom`` (use Para), never be closed over.
        rd: optional explicit reverse derivative ``(a, b') ↦ R[f](a, b')``, a
            point of ``dom``. Without it ``R[f]`` is ``jax.vjp`` of ``fn``.

    Raises:
        BadPoint: naming the primitive, the object expected and what came
            instead, when ``fn`` does not map points of ``dom`` to points of
            ``cod`` or ``rd`` does not return points of ``dom``. With ``rd``
            both are checked here, by ``jax.eval_shape`` (static, nothing runs);
            without it ``fn`` is checked the first time it runs on a point of
            ``dom`` (eagerly or while being traced), because models build a
            primitive per layer and tracing each one here would make building
            a deep model several times slower.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> X = ArrayType((2,))
        >>> cube = primitive("cube", X, X, lambda x: x**3, rd=lambda x, dy: 3 * x**2 * dy)
        >>> cube.rd()((jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))).tolist()
        [3.0, 12.0]
        >>> primitive("cube", X, X, lambda x: x**3, rd=lambda x, dy: jnp.sum(3 * x**2 * dy))
        Traceback (most recent call last):
        ...
        categories._errors.BadPoint: primitive 'cube': rd must return a point of f32[2] (R[f](a, b') ∈ dom): shape mismatch at the value: expected f32[2], got shape () (float32)
    """
    if rd is None:
        checked = _CheckedOnce(name, dom, cod, fn)
        return Smooth(dom, cod, checked, checked, name=name)
    _check_statically(name, dom, cod, fn, rd)

    def one_argument(x):
        # custom_vjp reads fn's signature: optional arguments (axis=None, …) would
        # become primal inputs without a cotangent
        return fn(x)

    dfn = jax.custom_vjp(one_argument)
    dfn.defvjp(lambda x: (fn(x), x), lambda x, ct: (rd(x, ct),))
    return Smooth(dom, cod, fn, dfn, name=name)


def _primitive(name: str, dom: Object, cod: Object, fn: Callable[[Any], Any]) -> Smooth:
    """A library primitive whose ``fn`` maps ``dom`` to ``cod`` by construction
    (its ``cod`` computed from ``dom``), so it skips :func:`primitive`'s check;
    the law suite checks every one of them at generated objects."""
    return Smooth(dom, cod, fn, fn, name=name)


def _spec(obj: Object) -> Any:
    """The abstract point (``jax.ShapeDtypeStruct`` leaves) of an object of arrays."""
    if isinstance(obj, ArrayType):
        return jax.ShapeDtypeStruct(obj.shape, obj.dtype)
    if isinstance(obj, Record):
        return {k: _spec(v) for k, v in obj.fields}
    if isinstance(obj, TreeType):
        return jax.tree.unflatten(obj.treedef, [_spec(t) for t in obj.leaves])
    if isinstance(obj, Product):
        return tuple(_spec(f) for f in obj.factors)
    raise BadPoint(f"primitive: not an object of arrays: {obj!r}")


def _wide(*objs: Object) -> bool:
    """Whether an object has 64-bit leaves (abstract evaluation then needs x64 on)."""
    return any(np.dtype(leaf.dtype).itemsize == 8 for o in objs for leaf in jax.tree.leaves(_spec(o)))


def _check_statically(name: str, dom: Object, cod: Object, fn: Callable, rd: Callable) -> None:
    """``fn : dom → cod`` and ``rd : dom @ cod → dom`` by ``jax.eval_shape``; else BadPoint."""
    a, b = _spec(dom), _spec(cod)
    with jax.enable_x64(True) if _wide(dom, cod) else contextlib.nullcontext():
        for what, run, args, out in (("fn", fn, (a,), cod), ("rd", rd, (a, b), dom)):
            where = (f"primitive {name!r}: {what} must return a point of {out}"
                     + (" (R[f](a, b') ∈ dom)" if what == "rd" else ""))
            try:
                got = jax.eval_shape(run, *args)
            except Exception as e:  # noqa: BLE001  (re-raised, typed, with the cause)
                raise BadPoint(f"primitive {name!r}: {what} fails on a point of "
                               f"{dom if what == 'fn' else dom @ cod}: {type(e).__name__}: {e}") from e
            check_point(out, got, where)


class _Run:
    """``x ↦ (… p₂.fn ∘ p₁.fn)(x)``: a chain's function reads its parts when run, so
    building a chain is O(1) per ``>>``."""

    __slots__ = ("parts", "__weakref__")  # jax.jit keeps weak references to functions

    def __init__(self, parts: Any):
        self.parts = parts

    def __call__(self, x: Any) -> Any:
        for p in self.parts:
            x = p.fn(x)
        return x


class _RunD(_Run):
    """The same chain of the parts' ``dfn`` (the functions JAX differentiates)."""

    __slots__ = ()

    def __call__(self, x: Any) -> Any:
        for p in self.parts:
            x = p.dfn(x)
        return x


class _CheckedOnce:
    """``fn``, checking once, the first time it runs on a point of ``dom`` (eagerly
    or traced), that it returns a point of ``cod``. (An object with slots, not a
    closure: a deep model holds one per layer, and this is a third of the size.)"""

    __slots__ = ("name", "dom", "cod", "fn", "checked", "__weakref__")

    def __init__(self, name: str, dom: Object, cod: Object, fn: Callable):
        self.name, self.dom, self.cod, self.fn, self.checked = name, dom, cod, fn, False

    def __call__(self, x: Any) -> Any:
        y = self.fn(x)
        if not self.checked and _is_point(self.dom, x):
            check_point(self.cod, y, f"primitive {self.name!r}: fn must return a point of "
                                     f"{self.cod}")
            self.checked = True
        return y


def _is_point(obj: Object, x: Any) -> bool:
    try:
        check_point(obj, x)
    except (BadPoint, BadObject):  # not a point, or an object check_point cannot read
        return False
    return True


ROUNDING = 2 ** 9
"""How many units of roundoff (``eps`` of the dtype) two computations of one value may
differ by before :meth:`SmoothCategory.close` calls them different (see there)."""

_TOLERANCE: contextvars.ContextVar[tuple[float | None, float | None]] = contextvars.ContextVar(
    "paralens_tolerance", default=(None, None))


class SmoothCategory(ReverseDerivativeCategory):
    """The category of smooth maps between array objects (one instance: ``SMOOTH``).

    Points compare with :meth:`close`, within :meth:`tolerance` of their dtype.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> f = smooth.sin(X) >> smooth.exp(X)
        >>> x = jnp.array([0.0, 1.0])
        >>> SMOOTH.close(f(x), jnp.exp(jnp.sin(x))), SMOOTH.close(f(x), 1.001 * f(x))
        (True, False)
    """

    def __repr__(self) -> str:
        return "Smooth"

    def tolerance(self, dtype: Any) -> tuple[float, float]:
        """``(rtol, atol)`` for values of ``dtype``: ``ROUNDING · eps`` each, unless
        overridden by :func:`categories.laws.tolerance`.

        ``eps`` is the dtype's machine epsilon (2⁻²³ ≈ 1.2e-7 in float32, 2⁻⁵² ≈
        2.2e-16 in float64). Two computations of one value (a composite and its
        parts, ``R`` by two routes) differ by the roundoff of their steps,
        amplified by how the later steps condition it. Over the law suite (every
        primitive, and generated composites of depth 2) the two sides of every
        law differ by at most 2.4 ``eps`` per unit of ``1 + max|value|``;
        ``ROUNDING = 2⁹`` leaves two orders of magnitude for deeper or worse
        conditioned maps of your own, and still keeps ``rtol`` 16 times below an
        error of 0.1%: 6.1e-5 in float32, 1.1e-13 in float64. ``atol = rtol``
        compares values near zero on the unit scale of the drawn points.

        Example:
            >>> from categories import SMOOTH
            >>> [f"{t:.1e}" for t in SMOOTH.tolerance("float32")]
            ['6.1e-05', '6.1e-05']
        """
        eps = float(jnp.finfo(dtype).eps)
        rtol, atol = _TOLERANCE.get()
        return (ROUNDING * eps if rtol is None else rtol, ROUNDING * eps if atol is None else atol)

    def close(self, x: Any, y: Any, *, rtol: float | None = None, atol: float | None = None) -> bool:
        """Whether two points agree: the same structure and shapes, and for each leaf

            max|x − y| ≤ atol + rtol · max(max|x|, max|y|)

        (float leaves; others must be equal). The bound is on the leaf's largest
        entry, as roundoff is: an entry far smaller than the rest of its leaf
        (a near-cancellation) carries the roundoff of the large ones. ``atol``
        keeps values near zero comparable: points and weights the strategies
        draw are of order 1. Defaults: :meth:`tolerance` of the less precise
        dtype of the two.

        Example:
            >>> import jax.numpy as jnp
            >>> from categories import SMOOTH
            >>> x = jnp.array([1.0, 2.0])
            >>> SMOOTH.close(x, x + 1e-6), SMOOTH.close(x, x + 1e-3), SMOOTH.close(x, x + 1e-3, rtol=1e-2)
            (True, False, True)
        """
        if jax.tree.structure(x) != jax.tree.structure(y):
            return False
        for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(y)):
            a, b = np.asarray(a), np.asarray(b)
            if a.shape != b.shape:
                return False
            if not (jnp.issubdtype(a.dtype, jnp.inexact) and jnp.issubdtype(b.dtype, jnp.inexact)):
                if not np.array_equal(a, b):
                    return False
                continue
            coarse = a.dtype if jnp.finfo(a.dtype).eps >= jnp.finfo(b.dtype).eps else b.dtype
            r, t = self.tolerance(coarse)
            r, t = r if rtol is None else rtol, t if atol is None else atol
            a, b = a.astype(np.float64), b.astype(np.float64)
            finite = np.isfinite(a)
            if not (np.array_equal(finite, np.isfinite(b)) and np.array_equal(a[~finite], b[~finite])):
                return False  # NaN never matches; an infinity only the same infinity
            a, b = a[finite], b[finite]
            scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
            if not np.max(np.abs(a - b), initial=0.0) <= t + r * scale:
                return False
        return True

    def function(self, name: str, dom: Object, cod: Object, fn: Callable[[Any], Any]) -> Smooth:
        """Any JAX function is a smooth primitive: :func:`~categories.smooth.primitive`
        without a rule.

        Example:
            >>> import jax.numpy as jnp
            >>> from categories import ArrayType
            >>> X = ArrayType((2,))
            >>> SMOOTH.function("sqrt", X, X, jnp.sqrt)(jnp.array([4.0, 9.0])).tolist()
            [2.0, 3.0]
        """
        return primitive(name, dom, cod, fn)

    # -- Category -----------------------------------------------------------
    def id(self, obj: Object) -> Smooth:
        return Smooth(obj, obj, _identity, _identity, op="id", name=lambda: f"id({obj})")

    def is_id(self, f: Morphism) -> bool:
        return isinstance(f, Smooth) and f.op == "id"

    def chain(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "then" else (f,)

    def _then(self, parts: tuple[Smooth, ...]) -> Smooth:
        return Smooth(parts[0].dom, parts[-1].cod, _Run(parts), _RunD(parts), op="then",
                      parts=parts)

    # -- Monoidal -----------------------------------------------------------
    def tensor_factors(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "tensor" else (f,)

    def _tensor(self, parts: tuple[Smooth, ...]) -> Smooth:
        def lift(run):
            def fn(x):
                xs = split_all(x, tuple(p.dom for p in parts))
                return join_all([run(p)(xi) for p, xi in zip(parts, xs)],
                                tuple(p.cod for p in parts))
            return fn

        return Smooth._tensor_of(parts, lift(lambda p: p.fn), lift(lambda p: p.dfn))

    def swap(self, a: Object, b: Object) -> Smooth:
        def fn(x):
            xa, xb = split(x, a, b)
            return join(xb, xa, b, a)
        return Smooth(a @ b, b @ a, fn, fn, name=lambda: f"swap({a}, {b})")

    # -- Cartesian ----------------------------------------------------------
    def copy(self, a: Object) -> Smooth:
        def fn(x):
            return join(x, x, a, a)
        return Smooth(a, a @ a, fn, fn, name=lambda: f"copy({a})")

    def discard(self, a: Object) -> Smooth:
        def fn(x):
            return ()
        return Smooth(a, I, fn, fn, name=lambda: f"discard({a})")

    # -- Left additive ------------------------------------------------------
    def zero(self, a: Object, b: Object) -> Smooth:
        def fn(x):
            return zeros(b)
        return Smooth(a, b, fn, fn, name=lambda: f"zero({a}, {b})")

    def _add(self, f: Smooth, g: Smooth) -> Smooth:
        return Smooth(f.dom, f.cod, lambda x: _tree_add(f.fn(x), g.fn(x)),
                      lambda x: _tree_add(f.dfn(x), g.dfn(x)), op="add", parts=(f, g))

    # -- Reverse derivative -------------------------------------------------
    def _rd(self, f: Smooth) -> Smooth:
        a_obj, b_obj = f.dom, f.cod

        def fn(x):
            a, b = split(x, a_obj, b_obj)
            _, pullback = jax.vjp(f.dfn, a)
            return pullback(b)[0]

        return Smooth(a_obj @ b_obj, a_obj, fn, fn, op="rd", parts=(f,))

    def negate(self, a: Object) -> Smooth:
        return Smooth(a, a, _negate, _negate, name="negate")

    def batched(self, obj: Object, n: int) -> Object:
        return stack(obj, n)

    def keep_examples(self, batched: Object, x: Any, keep: Any) -> Any:
        """Batches are stacked: zero the rows (leading axis) where ``keep`` is false."""
        return _keep_rows(x, keep)

    def batch(self, f: Smooth, shared: Object, n: int) -> Smooth:
        """``S @ stack(X, n) → stack(Y, n)`` by ``jax.vmap`` over the batch axis, ``S`` shared.

        Batches are stacked arrays (:func:`~categories.stack`), not ``n``-fold
        products; the reverse derivative sums the changes to ``S`` inside one
        XLA contraction rather than materialising ``n`` of them.
        """
        x = tensor_objects(*factors(f.dom)[len(factors(shared)):])

        def lift(h):
            def fn(sx):
                s, xs = split(sx, shared, stack(x, n))
                return jax.vmap(lambda xi: h(join(s, xi, shared, x)))(xs)
            return fn

        return Smooth(shared @ stack(x, n), stack(f.cod, n), lift(f.fn), lift(f.dfn),
                      name=f"batch({f!r}, {n})")

    def vjp(self, f: Smooth, a: Any) -> tuple[Any, Callable[[Any], Any]]:
        """``(f(a), b' ↦ R[f](a, b'))`` with the forward pass run once (``jax.vjp``)."""
        b, pullback = jax.vjp(f.dfn, a)
        return b, lambda ct: pullback(ct)[0]


def _keep_rows(x: Any, keep: Any) -> Any:
    """``x`` with the rows (leading axis) where ``keep`` is false set to zero."""
    def leaf(v):
        return jnp.where(keep.reshape(keep.shape + (1,) * (v.ndim - 1)), v, jnp.zeros_like(v))
    return jax.tree.map(leaf, x)


def _identity(x):
    return x


def _negate(x):
    return jax.tree.map(jnp.negative, x)


SMOOTH = SmoothCategory()
"""The category of smooth maps."""
