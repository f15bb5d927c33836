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

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ._abc import Morphism, ReverseDerivativeCategory, TensorObjects
from ._objects import (I, Object, factors, join, join_all, split, split_all, stack,
                       tensor_objects, zeros)


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
        vars(self).update(dom=dom, cod=cod, fn=fn, dfn=dfn, op=op, parts=parts, name=name)

    @classmethod
    def _tensor_of(cls, parts: tuple[Smooth, ...], fn: Callable[[Any], Any],
                   dfn: Callable[[Any], Any]) -> Smooth:
        """The tensor of ``parts``, whose objects are made on first use."""
        f = cls.__new__(cls)
        vars(f).update(fn=fn, dfn=dfn, op="tensor", parts=parts, name="")
        return f

    def __setattr__(self, key, value):
        raise AttributeError("smooth maps are immutable")

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
        fn: a pure, JAX-traceable function. Trainable values must come in
            through ``dom`` (use Para), never be closed over.
        rd: optional explicit reverse derivative ``(a, b') ↦ R[f](a, b')``.
            Without it ``R[f]`` is ``jax.vjp`` of ``fn``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> X = ArrayType((2,))
        >>> cube = primitive("cube", X, X, lambda x: x**3, rd=lambda x, dy: 3 * x**2 * dy)
        >>> cube.rd()((jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))).tolist()
        [3.0, 12.0]
    """
    if rd is None:
        return Smooth(dom, cod, fn, fn, name=name)
    dfn = jax.custom_vjp(fn)
    dfn.defvjp(lambda x: (fn(x), x), lambda x, ct: (rd(x, ct),))
    return Smooth(dom, cod, fn, dfn, name=name)


class SmoothCategory(ReverseDerivativeCategory):
    """The category of smooth maps between array objects (one instance: ``SMOOTH``).

    Points compare with :meth:`close`, up to ``rtol``/``atol`` (1e-5 relative
    and absolute in float64, 1e-3 in float32).
    """

    def __repr__(self) -> str:
        return "Smooth"

    def close(self, x: Any, y: Any) -> bool:
        if jax.tree.structure(x) != jax.tree.structure(y):
            return False
        for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(y)):
            a, b = np.asarray(a), np.asarray(b)
            if a.shape != b.shape:
                return False
            tol = 1e-5 if a.dtype == np.float64 and b.dtype == np.float64 else 1e-3
            if not np.allclose(a, b, rtol=tol, atol=tol):
                return False
        return True

    # -- Category -----------------------------------------------------------
    def id(self, obj: Object) -> Smooth:
        return Smooth(obj, obj, _identity, _identity, op="id", name=lambda: f"id({obj})")

    def is_id(self, f: Morphism) -> bool:
        return isinstance(f, Smooth) and f.op == "id"

    def chain(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "then" else (f,)

    def _then(self, parts: tuple[Smooth, ...]) -> Smooth:
        # the closures read the parts when run, so building a chain is O(1) per `>>`
        def fn(x):
            for p in parts:
                x = p.fn(x)
            return x

        def dfn(x):
            for p in parts:
                x = p.dfn(x)
            return x

        return Smooth(parts[0].dom, parts[-1].cod, fn, dfn, op="then", parts=parts)

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
