"""Para(C): parametrised morphisms over any symmetric monoidal category C.

A morphism ``A → B`` of Para(C) is a parameter object ``P`` with
``inside : P @ A → B`` in C (CFGBL Def. 2.1). Conventions, stated once:

* **parameters come in composition order**: ``(f >> g).param == f.param @ g.param``,
  and a point of it is the tuple of the layers' parameters in the order the
  layers run;
* ``(f >> g).inside = (swap(P, Q) @ 1_A) ; (1_Q @ f.inside) ; g.inside``;
* ``(f @ g).param == f.param @ g.param``;
* ``f.reparam(r)`` for ``r : Q → P`` is ``(Q, (r @ 1_A) ; f.inside)`` (a 2-cell).

A plain morphism composed with a Para one is lifted (``Para.lift``) with the
unit as parameter object.

Axioms (as properties in ``tests/laws/test_para.py``):

    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, I, layers, smooth
    >>> f, g = layers.linear(3, 2), layers.bias(2)
    >>> (f >> g).param == f.param @ g.param
    True
    >>> x = jnp.ones(3)
    >>> p, q = f.init(jax.random.key(0)), g.init(jax.random.key(1))
    >>> bool(jnp.allclose((f >> g)((p, q), x), g(q, f(p, x))))
    True

Reparametrising along a constant ``r : I → P`` freezes the parameters
(functoriality of reparametrisation is checked by ``laws.check_reparam``;
``categories.freeze_params`` builds such an ``r`` for the parameters you name):

    >>> W = f.param
    >>> frozen = f.reparam(smooth.constant(p["weight"]) >> smooth.primitive(
    ...     "as_record", ArrayType((2, 3)), W, lambda w: {"weight": w}))
    >>> frozen.param == I and bool(jnp.allclose(frozen((), x), f(p, x)))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

import jax

from multipledispatch import dispatch

from ._abc import DISPATCH, Morphism, MonoidalCategory, _check_same_category, set_fields
from ._errors import MSG_CATEGORY, Immutable, NotComposable
from ._objects import Object, join, join_all


def _no_params(key: Any) -> tuple:
    return ()


class Para(Morphism):
    """A parametrised morphism ``(param, inside : param @ dom → cod)``.

    Args:
        param: the parameter object ``P``.
        dom: the input object ``A``.
        inside: a morphism ``P @ A → B`` of the underlying category.
        init: ``key ↦`` a point of ``P`` (explicit ``jax.random`` key).
        name: how it prints.

    A composite (``>>``, ``@``, a functor's image of one) keeps its parts and makes
    its ``param`` and ``inside`` (a tensor's objects too) on first use, so building a
    deep model by repeated ``>>`` costs time linear in its depth.

    Raises:
        NotComposable: if ``inside.dom`` is not ``param @ dom``.

    Example:
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> bias = Para(X, X, smooth.add(X), lambda key: jax.numpy.zeros(2), name="bias")
        >>> bias >> smooth.sigmoid(X)
        bias >> sigmoid
    """

    def __init__(self, param: Object, dom: Object, inside: Morphism,
                 init: Callable[[Any], Any] = _no_params, name: str = "", op: str = "prim",
                 parts: tuple = ()):
        set_fields(self, param=param, dom=dom, cod=inside.cod, inside=inside, init=init,
                   name=name, op=op, parts=parts, _base=inside.category)
        if inside.dom != param @ dom:
            raise NotComposable(
                f"Para {self}: inside must have domain param @ dom = {param @ dom}, "
                f"but {inside} has domain {inside.dom}")

    @classmethod
    def _composite(cls, base: MonoidalCategory, op: str, parts: tuple,
                   init: Callable[[Any], Any], param: Callable[[], Object],
                   inside: Callable[[], Morphism], **objects: Object) -> Para:
        """A composite whose ``param`` and ``inside`` are made on first use, by the given
        functions; ``objects`` are its ``dom`` and ``cod`` where known (its parts joined
        there), else those of a tensor, the products of its parts'."""
        f = cls.__new__(cls)
        set_fields(f, init=init, name="", op=op, parts=parts, _base=base,
                   _make_param=param, _make_inside=inside, **objects)
        return f

    @cached_property
    def dom(self) -> Object:
        """The input object ``A``."""
        return self._base.product(*(p.dom for p in self.parts))

    @cached_property
    def cod(self) -> Object:
        """The output object ``B``."""
        return self._base.product(*(p.cod for p in self.parts))

    @cached_property
    def param(self) -> Object:
        """The parameter object ``P``."""
        return self._make_param()

    @cached_property
    def inside(self) -> Morphism:
        """The morphism ``P @ dom → cod`` of the underlying category."""
        return self._make_inside()

    def __setattr__(self, key, value):
        raise Immutable(f"Para morphisms are immutable: cannot set {key} = {value!r:.40} "
                        f"on {self!r:.60}")

    @property
    def category(self) -> ParaCategory:
        return ParaCategory(self._base)

    @staticmethod
    def lift(f: Morphism) -> Para:
        """``f`` as a Para morphism with no parameters (``param`` the unit)."""
        return Para(f.category.unit, f.dom, f, name=repr(f), op="lift", parts=(f,))

    def __call__(self, params: Any, x: Any) -> Any:
        """Run the model: ``inside(params, x)``, checking both against their objects."""
        if not callable(self.inside):
            raise NotComposable(f"{self} cannot be called: its inside {self.inside!r} is not a "
                            f"function; run a parametric lens with .inside.forward / .backward")
        cat = self.inside.category
        cat.check_point(self.param, params, f"{self}: parameters")
        cat.check_point(self.dom, x, f"{self}: input")
        return self.inside(join(params, x, self.param, self.dom))

    def reparam(self, r: Morphism, init: Callable[[Any], Any] | None = None) -> Para:
        """Reparametrise along ``r : Q → P`` (freezing, weight tying, an optimiser).

        Args:
            r: a morphism of the underlying category into ``self.param``.
            init: initialiser of the new parameter object ``Q``; required unless
                ``Q`` is the unit.
        """
        if r.category != self._base:
            raise NotComposable(MSG_CATEGORY.format(op="reparametrise", f=self, g=r,
                                                    fcat=self._base, gcat=r.category))
        if r.cod != self.param:
            from ._freeze import _reparam_hint  # here: _freeze builds on Para
            raise NotComposable(f"cannot reparametrise {self} along {r}: its codomain {r.cod} "
                                f"≠ the parameter object {self.param}."
                                + _reparam_hint(self.param, r.cod))
        if init is None:
            if r.dom != self._base.unit:
                raise NotComposable(f"cannot reparametrise {self} along {r} without init=: "
                                    f"the new parameters {r.dom} need an initialiser")
            init = _no_params
        base = self._base
        inside = base.then(base.tensor(r, base.id(self.dom)), self.inside)
        return Para(r.dom, self.dom, inside, init, name=f"{self!r}.reparam({r!r})", op="reparam",
                    parts=(self, r))

    def map(self, on_objects: Callable[[Object], Object],
            on_morphisms: Callable[[Morphism], Morphism]) -> Para:
        """Push a strict monoidal functor ``F`` inside: ``(P, f) ↦ (F P, F f)``."""
        parts = tuple(p.map(on_objects, on_morphisms) if isinstance(p, Para) else on_morphisms(p)
                      for p in self.parts)
        if self.op in ("then", "tensor"):
            return Para._composite(parts[0].category.base, self.op, parts, self.init,
                                   param=lambda: on_objects(self.param),
                                   inside=lambda: on_morphisms(self.inside),
                                   dom=on_objects(self.dom), cod=on_objects(self.cod))
        return Para(on_objects(self.param), on_objects(self.dom), on_morphisms(self.inside),
                    self.init, name=self.name, op=self.op, parts=parts)

    def __repr__(self) -> str:
        if self.op == "then":
            return " >> ".join(map(repr, self.parts))
        if self.op == "tensor":
            return " @ ".join(f"({p!r})" if p.op == "then" else repr(p) for p in self.parts)
        return self.name or f"Para({self.param}; {self.inside!r})"


@dataclass(frozen=True)
class ParaCategory(MonoidalCategory):
    """Para(C) for a symmetric monoidal category ``base``.

    Objects are C's; ``(P, f) ; (Q, g) = (P @ Q, (swap @ 1) ; (1 @ f) ; g)``, and the
    identity has no parameters, ``(I, 1_A)``.

    Example:
        >>> from categories import SMOOTH, ArrayType, layers
        >>> C = ParaCategory(SMOOTH)
        >>> f = C.then(layers.linear(3, 2), layers.bias(2))
        >>> C, f, str(f.param)
        (Para(Smooth), linear(3→2) >> bias(2), '{weight: f32[2,3]} @ {bias: f32[2]}')
        >>> C.id(ArrayType((3,))).param
        Product()
    """

    base: MonoidalCategory

    def __repr__(self) -> str:
        return f"Para({self.base!r})"

    def check_point(self, obj, x, where="value"):
        self.base.check_point(obj, x, where)

    def close(self, x, y):
        return self.base.close(x, y)

    def id(self, obj: Object) -> Para:
        return Para(self.base.unit, obj, self.base.id(obj), name=f"id({obj})", op="id")

    def is_id(self, f: Morphism) -> bool:
        return f.param == self.base.unit and self.base.is_id(f.inside)

    def chain(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "then" else (f,)

    def _then(self, parts: tuple[Para, ...]) -> Para:
        b = self.base

        def inside():
            # On P1 @ … @ Pn @ A, step i moves Pi past the later parameters to the data
            # wire and runs inside_i there: a flat chain, linear in the number of parts.
            # Built from the last step back, so each `later` is one product more.
            steps, later = [], b.unit
            for f in reversed(parts):
                steps.append(b.tensor(b.id(later), f.inside))
                if b.unit not in (f.param, later):
                    steps.append(b.tensor(b.swap(f.param, later), b.id(f.dom)))
                later = f.param @ later
            return b.then(*reversed(steps))

        return Para._composite(b, "then", parts, _joint_init(b, parts),
                               param=lambda: _params(b, parts), inside=inside,
                               dom=parts[0].dom, cod=parts[-1].cod)

    def tensor_factors(self, f: Morphism) -> tuple[Morphism, ...]:
        return f.parts if f.op == "tensor" else (f,)

    def _tensor(self, parts: tuple[Para, ...]) -> Para:
        b = self.base

        def inside():
            acc = parts[0]
            inside = acc.inside
            param, dom = acc.param, acc.dom
            for g in parts[1:]:
                # (P @ Q) @ (A @ C) → (P @ A) @ (Q @ C), then the two insides side by side
                route = b.tensor(b.id(param), b.swap(g.param, dom), b.id(g.dom)) \
                    if b.unit not in (g.param, dom) else b.id(param @ g.param @ dom @ g.dom)
                inside = b.then(route, b.tensor(inside, g.inside))
                param, dom = param @ g.param, dom @ g.dom
            return inside

        return Para._composite(b, "tensor", parts, _joint_init(b, parts),
                               param=lambda: _params(b, parts), inside=inside)

    def swap(self, a: Object, b: Object) -> Para:
        return Para.lift(self.base.swap(a, b))


def _params(base: MonoidalCategory, parts: tuple[Para, ...]) -> Object:
    return base.product(*(p.param for p in parts))


def _joint_init(base: MonoidalCategory, parts: tuple[Para, ...]) -> Callable[[Any], Any]:
    def init(key):
        # keys go only to parts with parameters, so inserting an activation into a
        # model does not change how the other layers are initialised
        params = [p.param for p in parts]
        owners = [i for i, p in enumerate(params) if p != base.unit]
        keys = dict(zip(owners, jax.random.split(key, len(owners)))) if owners else {}
        return join_all([p.init(keys[i]) if i in keys else () for i, p in enumerate(parts)],
                        tuple(base.point_object(p) for p in params))
    return init


def _lift_like(f: Para, g: Morphism, op: str) -> Para:
    if g.category != f.inside.category:
        raise NotComposable(MSG_CATEGORY.format(op=op, f=f, g=g, fcat=f.category, gcat=g.category))
    return Para.lift(g)


@dispatch(Para, Para, namespace=DISPATCH)
def compose(f, g):
    _check_same_category("compose", f, g)
    return f.category.then(f, g)


@dispatch(Para, Morphism, namespace=DISPATCH)
def compose(f, g):  # noqa: F811
    return compose(f, _lift_like(f, g, "compose"))


@dispatch(Morphism, Para, namespace=DISPATCH)
def compose(f, g):  # noqa: F811
    return compose(_lift_like(g, f, "compose"), g)


@dispatch(Para, Para, namespace=DISPATCH)
def tensor(f, g):
    _check_same_category("tensor", f, g)
    return f.category.tensor(f, g)


@dispatch(Para, Morphism, namespace=DISPATCH)
def tensor(f, g):  # noqa: F811
    return tensor(f, _lift_like(f, g, "tensor"))


@dispatch(Morphism, Para, namespace=DISPATCH)
def tensor(f, g):  # noqa: F811
    return tensor(_lift_like(g, f, "tensor"), g)
