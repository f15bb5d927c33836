"""Lens(C) over a Cartesian left-additive category C (CFGBL Def. 2.4).

A lens ``(A, A') → (B, B')`` is a pair of morphisms of C:

* ``get : A → B`` (forward);
* ``put : A @ B' → A'`` (backward).

Composite of ``(f, f*)`` then ``(g, g*)``: get ``f ; g``, put
``⟨π0, ⟨π0 ; f, π1⟩ ; g*⟩ ; f*``, i.e. ``put(a, c') = f*(a, g*(f(a), c'))``.
Identity ``(1_A, π1)``; tensor ``(f @ g, ((a, c), (b', d')) ↦ (f*(a, b'), g*(c, d')))``.

``get`` and ``put`` are the mathematics (printed, law-checked). Running a lens
uses its *execution* instead: ``forward(a) ↦ (b, residual)`` and
``backward(residual, b') ↦ a'``. Composites chain these, so every forward map
runs once and the backward pass reuses the residuals, where evaluating the
composite ``put`` as written would run ``f`` again inside it (quadratic work
for a deep chain).

Axioms (as properties in ``tests/laws/test_lens.py``):

    >>> import jax.numpy as jnp
    >>> from categories import ArrayType, smooth
    >>> from lenses import as_lens
    >>> X = ArrayType((2,))
    >>> l, k = as_lens(smooth.sin(X)), as_lens(smooth.exp(X))
    >>> a, c = jnp.array([0.1, 0.2]), jnp.array([1.0, -1.0])
    >>> b, res = (l >> k).forward(a)
    >>> bool(jnp.allclose((l >> k).backward(res, c), (l >> k).put((a, c))))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from categories import (CartesianCategory, Immutable, Morphism, MonoidalCategory, NotComposable,
                        Object)
from categories import factors, join, join_all, split, split_all, tensor_objects
from categories.building import set_fields


@dataclass(frozen=True)
class LensType(Object):
    """The lens object ``(A, A')``: a forward object and a backward object.

    ``@`` is componentwise: ``(A, A') @ (B, B') = (A @ B, A' @ B')``.

    Example:
        >>> from categories import ArrayType
        >>> X = ArrayType((2,))
        >>> str(LensType(X, X) @ LensType(X, X))
        '(f32[2] @ f32[2], f32[2] @ f32[2])'
    """

    fwd: Object
    bwd: Object

    def __matmul__(self, other: Object) -> LensType:
        if not isinstance(other, LensType):
            raise NotComposable(f"cannot form {self} @ {other}: a lens object is a pair (A, A')")
        return LensType(self.fwd @ other.fwd, self.bwd @ other.bwd)

    def __str__(self) -> str:
        return f"({self.fwd}, {self.bwd})"


def diagonal(obj: Object) -> LensType:
    """``A ↦ (A, A)``: the object part of the functor ``R : C → Lens(C)``.

    A lens object is returned as it is.

    Example:
        >>> from categories import ArrayType, I
        >>> X = ArrayType((2,))
        >>> str(diagonal(X)), diagonal(LensType(X, I)) == LensType(X, I)
        ('(f32[2], f32[2])', True)
    """
    return obj if isinstance(obj, LensType) else LensType(obj, obj)


class Lens(Morphism):
    """A lens ``(get, put) : (A, A') → (B, B')`` over a Cartesian category.

    Args:
        get: ``A → B`` in C.
        put: ``A @ B' → A'`` in C; ``B'`` is read off as what follows ``A`` in
            ``put.dom`` unless given as ``cod_bwd``.
        cod_bwd: ``B'``; ``dom_bwd``: ``A'`` (both needed when ``put`` is a
            zero-argument function building it on first use).
        forward, backward: the execution (default: residual ``a``, then ``put``).
        name: how it prints (or a function making that string when printed).

    A composite keeps its parts and makes ``get`` and ``put`` (a tensor's objects
    too) on first use.

    Raises:
        NotComposable: if ``get`` and ``put`` do not fit (different categories,
            or ``put.dom`` does not start with ``get.dom``).

    Example:
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> Lens(SMOOTH.id(X), smooth.proj(X, X, 1)).cod
        LensType(fwd=ArrayType((2,), 'float32'), bwd=ArrayType((2,), 'float32'))
    """

    def __init__(self, get: Morphism, put: Morphism | Callable[[], Morphism], *,
                 dom_bwd: Object | None = None, cod_bwd: Object | None = None,
                 forward: Callable[[Any], tuple[Any, Any]] | None = None,
                 backward: Callable[[Any, Any], Any] | None = None,
                 op: str = "prim", parts: tuple = (), name: str | Callable[[], str] = ""):
        base = get.category
        if not isinstance(base, CartesianCategory):
            raise NotComposable(f"a Lens needs a Cartesian category, but {get} lives in {base!r}")
        a = get.dom
        if isinstance(put, Morphism):
            if put.category != base:
                raise NotComposable(f"lens get {get} ({base!r}) and put {put} "
                                    f"({put.category!r}) live in different categories")
            n = len(factors(a))
            if factors(put.dom)[:n] != factors(a):
                raise NotComposable(f"lens put {put} must have domain {a} @ B', "
                                    f"got {put.dom} (get is {get} : {get.dom} → {get.cod})")
            cod_bwd = cod_bwd if cod_bwd is not None else tensor_objects(*factors(put.dom)[n:])
            dom_bwd = put.cod
        elif dom_bwd is None or cod_bwd is None:
            raise NotComposable("a Lens whose put is built lazily needs dom_bwd and cod_bwd")
        set_fields(self, get=get, _put=put, _base=base, dom=LensType(a, dom_bwd),
                   cod=LensType(get.cod, cod_bwd), op=op, parts=parts, name=name)
        if forward is None:
            forward, backward = self._default_run()
        set_fields(self, forward=forward, backward=backward)

    @classmethod
    def _composite(cls, base: CartesianCategory, get: Callable[[], Morphism],
                   put: Callable[[], Morphism], forward: Callable[[Any], tuple[Any, Any]],
                   backward: Callable[[Any, Any], Any], op: str, parts: tuple,
                   **objects: LensType) -> Lens:
        """A composite whose ``get`` and ``put`` are made on first use, by the given
        functions; ``objects`` are its ``dom`` and ``cod`` where known (its parts joined
        there), else those of a tensor, the products of its parts'."""
        lens = cls.__new__(cls)
        set_fields(lens, _make_get=get, _put=put, _base=base, op=op, parts=parts, name="",
                   forward=forward, backward=backward, **objects)
        return lens

    @cached_property
    def dom(self) -> LensType:
        """``(A, A')``."""
        return LensType(tensor_objects(*(p.dom.fwd for p in self.parts)),
                        tensor_objects(*(p.dom.bwd for p in self.parts)))

    @cached_property
    def cod(self) -> LensType:
        """``(B, B')``."""
        return LensType(tensor_objects(*(p.cod.fwd for p in self.parts)),
                        tensor_objects(*(p.cod.bwd for p in self.parts)))

    def __setattr__(self, key, value):
        raise Immutable(f"lenses are immutable: cannot set {key} = {value!r:.40} "
                        f"on {self!r:.60}")

    def _default_run(self):
        a_obj, b_obj = self.get.dom, self.cod.bwd
        get = self.get

        def forward(a):
            return get(a), a

        def backward(a, b):
            return self.put(join(a, b, a_obj, b_obj))

        return forward, backward

    @cached_property
    def get(self) -> Morphism:
        """The forward morphism ``A → B`` of C (built on first use for composites)."""
        return self._make_get()

    @cached_property
    def put(self) -> Morphism:
        """The backward morphism ``A @ B' → A'`` of C (built on first use for composites)."""
        return self._put if isinstance(self._put, Morphism) else self._put()

    @property
    def category(self) -> LensCategory:
        return LensCategory(self._base)

    def run(self, a: Any, b_grad: Any) -> tuple[Any, Any]:
        """``(get(a), put(a, b'))`` by the linear schedule: forward once, then backward."""
        b, res = self.forward(a)
        return b, self.backward(res, b_grad)

    def __repr__(self) -> str:
        if self.op == "then":
            return " >> ".join(map(repr, self.parts))
        if self.op == "tensor":
            return " @ ".join(f"({p!r})" if p.op == "then" else repr(p) for p in self.parts)
        name = self.name if isinstance(self.name, str) else self.name()
        return name or f"Lens({self.get!r}, {self.put!r})"


@dataclass(frozen=True)
class LensCategory(MonoidalCategory):
    """Lens(C) for a Cartesian (left-additive) category ``base``: symmetric monoidal.

    The identity is ``(1_A, π1)``, so its ``put(a, a') = a'``; composites run every
    forward map once and reuse its residual backward.

    Example: ``put(a, c) = R[sin](a, R[exp](sin a, c)) = cos(a) · exp(sin a) · c``.

        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> from lenses import as_lens
        >>> X, L = ArrayType((2,)), LensCategory(SMOOTH)
        >>> l = L.then(as_lens(smooth.sin(X)), as_lens(smooth.exp(X)))
        >>> L, l, l.category == L
        (Lens(Smooth), R(sin) >> R(exp), True)
        >>> a, c = jnp.array([0.0, 1.0]), jnp.array([1.0, 2.0])
        >>> L.id(X).put((a, c)).tolist()
        [1.0, 2.0]
        >>> b, residual = l.forward(a)
        >>> bool(jnp.allclose(l.backward(residual, c), jnp.cos(a) * jnp.exp(jnp.sin(a)) * c))
        True
    """

    base: CartesianCategory

    def __repr__(self) -> str:
        return f"Lens({self.base!r})"

    @property
    def unit(self) -> LensType:
        return LensType(self.base.unit, self.base.unit)

    def point_object(self, obj: Object) -> Object:
        return diagonal(obj).fwd

    def id(self, obj: Object) -> Lens:
        obj = diagonal(obj)
        b = self.base

        def forward(a):
            return a, ()

        def backward(_, g):
            return g

        return Lens(b.id(obj.fwd), b.proj(obj.fwd, obj.bwd, 1), forward=forward,
                    backward=backward, op="id", name=lambda: f"id{obj}")

    def is_id(self, f: Morphism) -> bool:
        return f.op == "id"

    def chain(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "then" else (f,)

    def _then(self, parts: tuple[Lens, ...]) -> Lens:
        b = self.base

        def put():
            # put(a, c') = f*(a, g*(f(a), c')), folded left to right
            acc = parts[0]
            get, put_ = acc.get, acc.put
            for g in parts[1:]:
                a, c = get.dom, g.cod.bwd
                inner = b.then(b.pair(b.then(b.proj(a, c, 0), get), b.proj(a, c, 1)), g.put)
                put_ = b.then(b.pair(b.proj(a, c, 0), inner), put_)
                get = b.then(get, g.get)
            return put_

        def forward(a):
            residuals = []
            for lens in parts:
                a, r = lens.forward(a)
                residuals.append(r)
            return a, tuple(residuals)

        def backward(residuals, g):
            for lens, r in zip(reversed(parts), reversed(residuals)):
                g = lens.backward(r, g)
            return g

        return Lens._composite(b, lambda: b.then(*(p.get for p in parts)), put, forward,
                               backward, "then", parts, dom=parts[0].dom, cod=parts[-1].cod)

    def tensor_factors(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "tensor" else (f,)

    def _tensor(self, parts: tuple[Lens, ...]) -> Lens:
        # the parts' objects are read when run, so each `@` costs O(1)
        b = self.base

        def put():
            # (A1 @ … @ An) @ (B1' @ … @ Bn') → (A1 @ B1') @ … @ (An @ Bn') → A1' @ … @ An'
            n = len(parts)
            wires = tuple(p.dom.fwd for p in parts) + tuple(p.cod.bwd for p in parts)
            interleave = b.permute(wires, [j for i in range(n) for j in (i, n + i)])
            return b.then(interleave, b.tensor(*(p.put for p in parts)))

        def forward(a):
            xs = split_all(a, tuple(p.dom.fwd for p in parts))
            outs, res = zip(*(p.forward(x) for p, x in zip(parts, xs)))
            return join_all(list(outs), tuple(p.cod.fwd for p in parts)), res

        def backward(res, g):
            gs = split_all(g, tuple(p.cod.bwd for p in parts))
            grads = [p.backward(r, gi) for p, r, gi in zip(parts, res, gs)]
            return join_all(grads, tuple(p.dom.bwd for p in parts))

        return Lens._composite(b, lambda: b.tensor(*(p.get for p in parts)), put, forward,
                               backward, "tensor", parts)

    def swap(self, x: Object, y: Object) -> Lens:
        x, y = diagonal(x), diagonal(y)
        b = self.base
        put = b.then(b.proj(x.fwd @ y.fwd, y.bwd @ x.bwd, 1), b.swap(y.bwd, x.bwd))

        def forward(a):
            a0, a1 = split(a, x.fwd, y.fwd)
            return join(a1, a0, y.fwd, x.fwd), ()

        def backward(_, g):
            g1, g0 = split(g, y.bwd, x.bwd)
            return join(g0, g1, x.bwd, y.bwd)

        return Lens(b.swap(x.fwd, y.fwd), put, forward=forward, backward=backward,
                    name=lambda: f"swap{x}{y}")
