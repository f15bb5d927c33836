"""The abstract chain of categories, each layer adding one structure.

``Category`` (``id``, ``then``) → ``MonoidalCategory`` (``tensor``, ``swap``)
→ ``CartesianCategory`` (``copy``, ``discard``; derived ``proj``, ``pair``)
→ ``LeftAdditiveCategory`` (``zero``, ``add``; derived ``plus``, ``inj``)
→ ``ReverseDerivativeCategory`` (``rd``; derived ``fd``, ``dagger``).

A category is an *instance* (``SMOOTH``, ``LensCategory(SMOOTH)``,
``ParaCategory(SMOOTH)``); its morphisms subclass :class:`Morphism`, whose
operators ``>>``, ``<<``, ``@`` and ``+`` are defined here and nowhere else.
Composition order is diagrammatic: ``f >> g`` is "f, then g".

Checks happen here, eagerly and on static objects, before anything is traced.
Subclasses implement the underscored methods on already-checked input.

Axioms (for any category; see :mod:`categories.laws` for checkers):

    >>> from categories import SMOOTH, ArrayType, smooth
    >>> import jax.numpy as jnp
    >>> X = ArrayType((2,))
    >>> f, g = smooth.sin(X), smooth.exp(X)
    >>> x = jnp.array([0.5, -1.0])

Identity:

    >>> bool(jnp.allclose((SMOOTH.id(X) >> f)(x), f(x)))
    True

Associativity and flattening: ``(f >> g) >> f`` and ``f >> (g >> f)`` are one chain.

    >>> repr((f >> g) >> f) == repr(f >> (g >> f))
    True

``>>`` and ``@`` dispatch on both operands' kinds in the namespace ``DISPATCH``
(``Para`` and the functors add their rules there):

    >>> from multipledispatch import Dispatcher
    >>> isinstance(DISPATCH["compose"], Dispatcher)
    True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Callable

import jax
import numpy as np
from multipledispatch import dispatch

from ._errors import (MSG_CATEGORY, MSG_COMPOSE, MSG_PARALLEL, BadObject, MissingStructure,
                      NotComposable)
from ._objects import I, Object, check_point, factors, join, join_all, tensor_objects


class Morphism(ABC):
    """A morphism ``dom → cod`` of ``category``. Subclasses are final and immutable.

    ``f >> g`` is ``f ; g`` ("f, then g"), ``g << f`` the same map; ``@`` is the tensor
    and ``+`` the sum of parallel morphisms, each checked on the objects first.

    Example:
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> f = smooth.sin(X) >> smooth.exp(X)
        >>> isinstance(f, Morphism), f.dom == X == f.cod, f.category
        (True, True, Smooth)
        >>> smooth.exp(X) << smooth.sin(X)
        sin >> exp
    """

    dom: Object
    cod: Object

    @property
    @abstractmethod
    def category(self) -> Category: ...

    def then(self, *others: Morphism) -> Morphism:
        """Diagrammatic composite ``self ; others[0] ; …`` (also ``>>``)."""
        if all(type(g) is type(self) and g.category == self.category for g in others):
            return self.category.then(self, *others)  # one flattening for the whole chain
        out = self
        for g in others:
            out = compose(out, g)
        return out

    def tensor(self, *others: Morphism) -> Morphism:
        """Parallel composite ``self ⊗ others[0] ⊗ …`` (also ``@``)."""
        out = self
        for g in others:
            out = tensor(out, g)
        return out

    def __rshift__(self, other: Morphism) -> Morphism:
        return compose(self, other)

    def __lshift__(self, other: Morphism) -> Morphism:
        return compose(other, self)

    def __matmul__(self, other: Morphism) -> Morphism:
        return tensor(self, other)

    def __add__(self, other: Morphism) -> Morphism:
        return add(self, other)

    def __rrshift__(self, other: Any) -> Morphism:
        return compose(other, self)

    def __rlshift__(self, other: Any) -> Morphism:
        return compose(self, other)

    def __rmatmul__(self, other: Any) -> Morphism:
        return tensor(other, self)

    def __radd__(self, other: Any) -> Morphism:
        return add(other, self)

    def rd(self) -> Morphism:
        """The reverse derivative ``R[f] : dom @ cod → dom``."""
        return self.category.rd(self)

    def fd(self) -> Morphism:
        """The forward derivative ``D[f] : dom @ dom → cod``, derived from ``R``."""
        return self.category.fd(self)

    def dagger(self) -> Morphism:
        """The transpose ``f† = ι1 ; R[f] : cod → dom`` (meaningful for linear ``f``)."""
        return self.category.dagger(self)


class TensorObjects:
    """For morphisms made lazily from ``parts``: a tensor's ``dom`` and ``cod`` are the
    products of its parts', made on first use (a composite sets its own when built).

    Example: circuits are made this way.

        >>> from circuits import Circuit, gates
        >>> issubclass(Circuit, TensorObjects), str((gates.xor() @ gates.and_()).dom)
        (True, 'bits[1] @ bits[1] @ bits[1] @ bits[1]')
    """

    parts: tuple

    @cached_property
    def dom(self) -> Object:
        """The domain (a tensor's is the product of its parts')."""
        return tensor_objects(*(p.dom for p in self.parts))

    @cached_property
    def cod(self) -> Object:
        """The codomain (a tensor's is the product of its parts')."""
        return tensor_objects(*(p.cod for p in self.parts))


DISPATCH: dict = {}
"""Our own multipledispatch namespace, so other libraries' ``add`` never collides."""


def set_fields(obj: Any, **fields: Any) -> None:
    """Set the fields of an immutable morphism (its ``__setattr__`` refuses).

    One ``object.__setattr__`` per field keeps CPython's compact inline attribute
    values (about 150 bytes an object), where updating ``vars(obj)`` makes a full
    dict (about 340): deep composites hold thousands of these.

    Example:
        >>> from categories import ArrayType, SMOOTH
        >>> f = SMOOTH.id(ArrayType((2,)))
        >>> set_fields(f, name="mine")  # where f.name = "mine" raises Immutable
        >>> f.name
        'mine'
    """
    for key, value in fields.items():
        object.__setattr__(obj, key, value)


def _check_same_category(op: str, f: Morphism, g: Morphism) -> None:
    if f.category != g.category:
        raise NotComposable(MSG_CATEGORY.format(op=op, f=f, g=g, fcat=f.category, gcat=g.category))


@dispatch(Morphism, Morphism, namespace=DISPATCH)
def compose(f, g):
    """``f >> g``: dispatches on both kinds, so mixed categories get a clear error."""
    _check_same_category("compose", f, g)
    return f.category.then(f, g)


@dispatch(object, object, namespace=DISPATCH)
def compose(f, g):  # noqa: F811
    raise NotComposable(f"cannot compose {f!r} >> {g!r}: both must be morphisms")


@dispatch(Morphism, Morphism, namespace=DISPATCH)
def tensor(f, g):
    """``f @ g``: the monoidal product of two morphisms of one category."""
    _check_same_category("tensor", f, g)
    return f.category.tensor(f, g)


@dispatch(object, object, namespace=DISPATCH)
def tensor(f, g):  # noqa: F811
    raise NotComposable(f"cannot tensor {f!r} @ {g!r}: both must be morphisms")


@dispatch(Morphism, Morphism, namespace=DISPATCH)
def add(f, g):
    """``f + g``: the left-additive sum of parallel morphisms."""
    _check_same_category("add", f, g)
    if not isinstance(f.category, LeftAdditiveCategory):
        raise NotComposable(f"cannot add {f} + {g}: {f.category!r} has no addition of morphisms "
                            f"(it is not left-additive)")
    return f.category.add(f, g)


@dispatch(object, object, namespace=DISPATCH)
def add(f, g):  # noqa: F811
    raise NotComposable(f"cannot add {f!r} + {g!r}: both must be morphisms")


class Category(ABC):
    """Identity and associative composition (diagrammatic order).

    ``1_A : A → A`` and ``f ; g : A → C`` for ``f : A → B``, ``g : B → C``, with
    ``1 ; f = f = f ; 1`` and ``(f ; g) ; h = f ; (g ; h)``.

    Example: ``SMOOTH`` is one.

        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> SMOOTH.then(smooth.sin(X), smooth.exp(X))
        sin >> exp
        >>> SMOOTH.then(SMOOTH.id(X), smooth.sin(X))  # 1 ; f = f
        sin
    """

    @abstractmethod
    def id(self, obj: Object) -> Morphism:
        """The identity on ``obj``."""

    @abstractmethod
    def _then(self, parts: tuple[Morphism, ...]) -> Morphism:
        """The composite of a checked chain of at least two non-identity morphisms."""

    def is_id(self, f: Morphism) -> bool:
        """Whether ``f`` is syntactically an identity (used to simplify composites)."""
        return False

    def chain(self, f: Morphism) -> tuple[Morphism, ...]:
        """The parts of ``f`` if it is a sequential composite (flat, none of them an
        identity), else ``(f,)``."""
        return (f,)

    def check_point(self, obj: Object, x: Any, where: str = "value") -> None:
        """Raise :class:`BadPoint` unless ``x`` is a point of ``obj``."""
        check_point(obj, x, where)

    def close(self, x: Any, y: Any) -> bool:
        """Equality of points as the laws use it (exact unless a category says otherwise)."""
        xs, ys = jax.tree.leaves(x), jax.tree.leaves(y)
        return (jax.tree.structure(x) == jax.tree.structure(y)
                and all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(xs, ys)))

    def then(self, *fs: Morphism) -> Morphism:
        """Compose ``fs`` in diagrammatic order, checking ``cod == dom`` at each joint."""
        if not fs:
            raise NotComposable("then() needs at least one morphism")
        for f, g in zip(fs, fs[1:]):
            if f.cod != g.dom:
                raise NotComposable(MSG_COMPOSE.format(f=f, g=g, cod=f.cod, dom=g.dom))
        pieces = []
        for f in fs:
            chain = self.chain(f)
            if len(chain) > 1:
                pieces.append(chain)  # a composite's parts are flat and no identities already
            elif not self.is_id(f):
                pieces.append((f,))
        if not pieces:
            return self.id(fs[0].dom)
        parts = concat(pieces)
        return parts[0] if len(parts) == 1 else self._then(parts)


class Parts(Sequence):
    """The parts of a composite: ``pieces`` (tuples, or other ``Parts``) joined in time
    O(number of pieces), flattened into one tuple once, when first read past its ends.

    Repeated ``acc >> g`` thereby builds in linear time, where a tuple would copy
    ``acc``'s parts at every step. The flattening walks the pieces with an explicit
    stack, since a chain built by a loop nests as deep as it is long.

        >>> ps = Parts([Parts([(1, 2), (3,)]), (4,)])
        >>> len(ps), ps[0], ps[-1], tuple(ps)
        (4, 1, 4, (1, 2, 3, 4))
    """

    __slots__ = ("_pieces", "_flat", "_len", "_first", "_last")

    def __init__(self, pieces: Iterable[Sequence]):
        self._pieces = tuple(p for p in pieces if len(p))
        self._len = sum(map(len, self._pieces))
        self._flat = None
        self._first = self._pieces[0][0] if self._pieces else None
        self._last = self._pieces[-1][-1] if self._pieces else None

    def __len__(self) -> int:
        return self._len

    def _tuple(self) -> tuple:
        if self._flat is None:
            out, stack = [], [self]
            while stack:
                node = stack.pop()
                if type(node) is Parts:
                    if node._flat is None:
                        stack.extend(reversed(node._pieces))
                        continue
                    node = node._flat
                out.extend(node)
            self._flat, self._pieces = tuple(out), ()  # the pieces may now be freed
        return self._flat

    def __getitem__(self, i: Any) -> Any:
        if i == 0 and self._len:
            return self._first  # the ends are known without flattening
        if i == -1 and self._len:
            return self._last
        return self._tuple()[i]

    def __iter__(self) -> Iterator:
        return iter(self._tuple())

    def __reversed__(self) -> Iterator:
        return reversed(self._tuple())

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, (Parts, tuple)) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Parts({self._tuple()!r})"


def concat(pieces: list[Sequence]) -> Sequence:
    """The parts ``pieces`` joined without copying any of them (see :class:`Parts`).

    Example:
        >>> concat([(1, 2)]), tuple(concat([(1, 2), (3,)]))
        ((1, 2), (1, 2, 3))
    """
    return pieces[0] if len(pieces) == 1 else Parts(pieces)


class MonoidalCategory(Category):
    """Adds the (strict, symmetric) monoidal product ``@`` and the symmetry ``swap``.

    ``(f @ g)(a, c) = (f(a), g(c))`` and ``swap(a, b) = (b, a)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X, Y = ArrayType((2,)), ArrayType((3,))
        >>> h = SMOOTH.tensor(smooth.sin(X), smooth.exp(Y))
        >>> h, h.dom == X @ Y
        (sin @ exp, True)
        >>> b, a = SMOOTH.swap(X, Y)((jnp.zeros(2), jnp.ones(3)))
        >>> b.tolist(), a.tolist()
        ([1.0, 1.0, 1.0], [0.0, 0.0])
    """

    @abstractmethod
    def _tensor(self, parts: tuple[Morphism, ...]) -> Morphism:
        """The tensor of at least two morphisms, not all identities."""

    @abstractmethod
    def swap(self, a: Object, b: Object) -> Morphism:
        """The symmetry ``a @ b → b @ a``."""

    def tensor_factors(self, f: Morphism) -> tuple[Morphism, ...]:
        """The factors of ``f`` if it is a tensor (merged as
        :meth:`~categories.MonoidalCategory.tensor` leaves them, so not all identities),
        else ``(f,)``."""
        return (f,)

    @property
    def unit(self) -> Object:
        """The unit object ``I`` of ``@``."""
        return I

    def point_object(self, obj: Object) -> Object:
        """The object whose points a morphism on ``obj`` is run on (``obj`` itself here;
        the forward part of a lens object)."""
        return obj

    def product(self, *objs: Object) -> Object:
        """``objs[0] @ objs[1] @ …``, the unit when there are none."""
        if len(objs) > 2:  # halves: a left fold would copy the growing product at each step
            half = len(objs) // 2
            return self.product(*objs[:half]) @ self.product(*objs[half:])
        out = self.unit
        for o in objs:
            out = out @ o
        return out

    def tensor(self, *fs: Morphism) -> Morphism:
        """``fs[0] @ fs[1] @ …``; identities merge, and ``id @ (g >> h)`` is pushed
        inside as ``(id @ g) >> (id @ h)`` so chains stay flat however deep."""
        parts: list[Morphism] = []
        merged = False  # whether a tensor composite is among fs
        for f in fs:
            fac = self.tensor_factors(f)
            if len(fac) > 1:
                # its factors are merged already, and they move something: only the
                # seam with what precedes may merge, and the result is a tensor
                merged = True
                if parts and self.is_id(parts[-1]) and self.is_id(fac[0]):
                    parts[-1] = self.id(parts[-1].dom @ fac[0].dom)
                    fac = fac[1:]
                parts += fac
            elif self.is_id(f) and not factors(f.dom):
                continue  # id_I is the unit of @
            elif parts and self.is_id(f) and self.is_id(parts[-1]):
                parts[-1] = self.id(parts[-1].dom @ f.dom)
            else:
                parts.append(f)
        if not parts:
            return self.id(I)
        if len(parts) == 1:
            return parts[0]
        if merged:
            return self._tensor(tuple(parts))
        movers = [i for i, p in enumerate(parts) if not self.is_id(p)]
        if not movers:
            return self.id(tensor_objects(*(p.dom for p in parts)))
        if len(movers) == 1 and len(self.chain(parts[movers[0]])) > 1:
            i = movers[0]
            left, right = parts[:i], parts[i + 1:]
            return self.then(*(self.tensor(*left, p, *right) for p in self.chain(parts[i])))
        return self._tensor(tuple(parts))


class CartesianCategory(MonoidalCategory):
    """Adds copy ``Δ : A → A @ A`` and discard ``! : A → I``; derives ``proj`` and ``pair``.

    ``Δ(x) = (x, x)``, ``!(x) = ()``, ``π1 = ! @ 1``, ``⟨f, g⟩ = Δ ; (f @ g)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X, x = ArrayType((2,)), jnp.array([1.0, 2.0])
        >>> [v.tolist() for v in SMOOTH.copy(X)(x)], SMOOTH.discard(X)(x)
        ([[1.0, 2.0], [1.0, 2.0]], ())
        >>> SMOOTH.proj(X, X, 1)((x, 2 * x)).tolist()
        [2.0, 4.0]
        >>> SMOOTH.pair(smooth.sin(X), smooth.exp(X))
        copy(f32[2]) >> sin @ exp
    """

    @abstractmethod
    def copy(self, a: Object) -> Morphism:
        """``Δ_A : A → A @ A``."""

    @abstractmethod
    def discard(self, a: Object) -> Morphism:
        """``!_A : A → I``."""

    def proj(self, a: Object, b: Object, i: int) -> Morphism:
        """``π0 : a @ b → a`` (``i = 0``) or ``π1 : a @ b → b`` (``i = 1``)."""
        if i == 0:
            return self.tensor(self.id(a), self.discard(b))
        if i == 1:
            return self.tensor(self.discard(a), self.id(b))
        raise BadObject(f"proj index must be 0 or 1, got {i}")

    def permute(self, objs: tuple[Object, ...], order: list[int]) -> Morphism:
        """``objs[0] @ … @ objs[k] → objs[order[0]] @ objs[order[1]] @ …``, from
        projections and pairing (so it may also copy or drop factors)."""
        def pick(i):
            return self.tensor(*(self.id(o) if k == i else self.discard(o)
                                 for k, o in enumerate(objs)))
        out = pick(order[0])
        for i in order[1:]:
            out = self.pair(out, pick(i))
        return out

    def pair(self, f: Morphism, g: Morphism) -> Morphism:
        """``⟨f, g⟩ = Δ ; (f @ g) : A → B @ C`` for ``f : A → B``, ``g : A → C``."""
        _check_same_category("pair", f, g)
        if f.dom != g.dom:
            raise NotComposable(f"cannot pair {f} and {g}: domains differ, {f.dom} ≠ {g.dom}")
        return self.then(self.copy(f.dom), self.tensor(f, g))


class LeftAdditiveCategory(CartesianCategory):
    """Adds a commutative monoid ``(+, 0)`` on each hom-set, preserved by precomposition.

    ``(f + g)(x) = f(x) + g(x)``, ``0(x) = 0``, and ``h ; (f + g) = h ; f + h ; g``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> X, x = ArrayType((2,)), jnp.array([1.0, 2.0])
        >>> f, g = smooth.sin(X), smooth.exp(X)
        >>> bool(jnp.allclose((f + g)(x), f(x) + g(x)))
        True
        >>> SMOOTH.zero(X, X)(x).tolist()
        [0.0, 0.0]
    """

    @abstractmethod
    def zero(self, a: Object, b: Object) -> Morphism:
        """The zero morphism ``0 : a → b``."""

    @abstractmethod
    def _add(self, f: Morphism, g: Morphism) -> Morphism:
        """The sum of two checked parallel morphisms."""

    def add(self, f: Morphism, g: Morphism) -> Morphism:
        """``f + g`` for parallel ``f, g : A → B``."""
        if (f.dom, f.cod) != (g.dom, g.cod):
            raise NotComposable(MSG_PARALLEL.format(op="add", f=f, g=g, fdom=f.dom, fcod=f.cod,
                                                    gdom=g.dom, gcod=g.cod))
        return self._add(f, g)

    def add_points(self, x: Any, y: Any) -> Any:
        """The sum of two points of one object, as the laws compare them (``+`` on values)."""
        return jax.tree.map(lambda u, v: u + v, x, y)

    def inner(self, x: Any, y: Any) -> Any:
        """``⟨x, y⟩ = Σ x_i y_i`` over all leaves, in the category's ring of scalars (a ring
        of residues overrides it to reduce the sum); the adjoint law compares two of them."""
        return sum(jax.numpy.vdot(p, q) for p, q in zip(jax.tree.leaves(x), jax.tree.leaves(y)))

    def negate(self, a: Object) -> Morphism:
        """The additive inverse ``−1 : a → a``, where hom-sets are groups (else an error)."""
        raise NotComposable(f"{self!r} has no additive inverses: cannot negate on {a}")

    def plus(self, a: Object) -> Morphism:
        """The addition map ``+ = π0 + π1 : a @ a → a``."""
        return self.add(self.proj(a, a, 0), self.proj(a, a, 1))

    def inj(self, a: Object, b: Object, i: int) -> Morphism:
        """``ι0 = ⟨1, 0⟩ : a → a @ b`` (``i = 0``) or ``ι1 = ⟨0, 1⟩ : b → a @ b`` (``i = 1``)."""
        if i == 0:
            return self.pair(self.id(a), self.zero(a, b))
        if i == 1:
            return self.pair(self.zero(b, a), self.id(b))
        raise BadObject(f"inj index must be 0 or 1, got {i}")


class ReverseDerivativeCategory(LeftAdditiveCategory):
    """Adds the reverse derivative ``R[f] : A @ B → A`` of each ``f : A → B``.

    ``R`` must satisfy RD.1–RD.7 (Cockett et al. 2019, Def. 13); derived here:

    * forward derivative ``D[f] = (ι0 @ 1) ; R[R[f]] ; π1 : A @ A → B``;
    * transpose ``f† = ι1 ; R[f] : B → A``, the adjoint of a linear ``f``.

    Example: ``R[sin](x, d) = cos(x) d``, and the transpose of ``x ↦ W x`` is ``Wᵀ``.

        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType, smooth
        >>> f, x, d = smooth.sin(ArrayType((2,))), jnp.array([0.0, 1.0]), jnp.array([1.0, 2.0])
        >>> bool(jnp.allclose(SMOOTH.rd(f)((x, d)), jnp.cos(x) * d))
        True
        >>> W = jnp.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        >>> SMOOTH.dagger(smooth.linear(W))(jnp.array([1.0, 0.0, 1.0])).tolist()
        [6.0, 8.0]
    """

    @abstractmethod
    def _rd(self, f: Morphism) -> Morphism:
        """``R[f]``, with domain ``f.dom @ f.cod`` and codomain ``f.dom``."""

    def rd(self, f: Morphism) -> Morphism:
        """``R[f] : A @ B → A`` for ``f : A → B``, its type checked."""
        r = self._rd(f)
        if (r.dom, r.cod) != (f.dom @ f.cod, f.dom):
            raise NotComposable(f"R[{f}] has type {r.dom} → {r.cod}, expected "
                                f"{f.dom @ f.cod} → {f.dom}")
        return r

    def vjp(self, f: Morphism, a: Any) -> tuple[Any, Callable[[Any], Any]]:
        """``(f(a), b' ↦ R[f](a, b'))``: what a lens built from ``f`` runs.

        Categories whose ``R[f]`` can reuse work from the forward pass (JAX's
        ``vjp``) override this so that each forward map runs once.
        """
        r = self.rd(f)
        return f(a), lambda ct: r(join(a, ct, f.dom, f.cod))

    # Batches are stacked: a point of ``batched(obj, n)`` is a point of ``obj`` with a
    # leading axis of ``n`` on every leaf, which is what ``fit`` slices and masks. A
    # category opts into mini-batching by overriding the three methods below.

    def batched(self, obj: Object, n: int) -> Object:
        """The object of batches of ``n`` points of ``obj``, stacked along a leading axis."""
        raise MissingStructure(f"{self!r} has no batches: mini-batching needs it to override "
                               f"batched, keep_examples and batch (stacked along a leading "
                               f"axis); batch_size=None learns one example per step")

    def keep_examples(self, batched: Object, x: Any, keep: Any) -> Any:
        """The point ``x`` of ``batched`` (a batch of ``len(keep)`` points) with the
        examples where ``keep`` is false replaced by zero (masking padded rows)."""
        raise MissingStructure(f"{self!r} cannot mask examples: it overrides no "
                               f"ReverseDerivativeCategory.keep_examples")

    def batch(self, f: Morphism, shared: Object, n: int) -> Morphism:
        """``f : S @ X → Y`` applied to ``n`` stacked inputs with ``S`` copied, a morphism
        ``S @ batched(X, n) → batched(Y, n)``; since ``R[Δ]`` adds, its reverse
        derivative sums the ``n`` changes to ``S`` (mini-batching)."""
        raise MissingStructure(f"{self!r} cannot batch {f!r}: it overrides no "
                               f"ReverseDerivativeCategory.batch")

    def function(self, name: str, dom: Object, cod: Object, fn: Callable[[Any], Any]) -> Morphism:
        """A primitive ``dom → cod`` computing the JAX function ``fn``, its reverse
        derivative the category's own (Smooth: ``jax.vjp``). This is the structure a
        learning component needs for arithmetic beyond ``+``, copy and zero (Adam's
        ``√`` and ``÷``); a category without it (Boolean circuits) raises
        :class:`MissingStructure`, which the component reports under its own name.
        """
        raise MissingStructure(f"{self!r} has no primitive for an arbitrary JAX function "
                               f"({name}: {dom} → {cod}); it overrides no "
                               f"ReverseDerivativeCategory.function")

    def fd(self, f: Morphism) -> Morphism:
        """``D[f] = (ι0 @ 1) ; R[R[f]] ; π1 : A @ A → B``."""
        a, b = f.dom, f.cod
        return self.then(self.tensor(self.inj(a, b, 0), self.id(a)),
                         self.rd(self.rd(f)), self.proj(a, b, 1))

    def dagger(self, f: Morphism) -> Morphism:
        """``f† = ι1 ; R[f] : B → A``."""
        return self.then(self.inj(f.dom, f.cod, 1), self.rd(f))
