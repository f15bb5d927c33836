"""Optimisers as lenses on the change, in optax's manner (CFGBL Def. 3.11, 3.14).

An optimiser is a small record: an initial state and a *change lens*

    T : (S @ P, S @ P') → (P, P')
    get  T(s, p) = p̄                        the parameters the model sees
    put  T*((s, p), p') = (s', u)             the new state and the change to apply

(optax's ``init`` and ``update(updates, state, params) → (updates, state)``, with the
sign flipped: ``p'`` is the requested change, ``−∇`` under the descent cap). Its
*update lens* on the parameter wire is the change lens after the additive update:

    U = (1_S ⊗ +) ; T : (S @ P, S @ P) → (P, P'),   U*((s, p), p') = (s', p + u).

A transform of the change (weight decay, clipping, scaling) is an optimiser of the
same kind, usually stateless (``S = I``) with get ``p``.

This module holds that record, :class:`Optimiser` (``Transform``), and :func:`rule`,
which builds one from its parts. ``gradient()`` is the additive update ``p + p'`` of
any left-additive category (XOR on Boolean circuits).

Example:
    >>> import jax.numpy as jnp
    >>> from categories import SMOOTH, ArrayType
    >>> from learners import chain, clip_by_global_norm, sgd
    >>> P = ArrayType((2,))
    >>> opt = chain(clip_by_global_norm(1.0), sgd(0.5))
    >>> state, new_p = opt.lens(P, SMOOTH).put((opt.init(jnp.ones(2)), jnp.ones(2),
    ...                                         jnp.array([3.0, -4.0])))
    >>> [round(v, 4) for v in new_p.tolist()]  # p + 0.5 · p'/‖p'‖
    [1.3, 0.6]
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import jax

from categories import (I, LeftAdditiveCategory, Object, TreeType, join, join_all, split,
                        split_all, zeros)
from lenses import Lens, LensCategory

from . import _build as build

__all__ = ["Optimiser", "Transform", "rule", "gradient"]

ARITHMETIC = "the real arithmetic of its update (scaling, and ÷, √ or sign for most)"


def _map(f, *trees):
    return jax.tree.map(f, *trees)


class Optimiser(ABC):
    """An optimiser: an initial state and a change lens ``(S @ P, S @ P') → (P, P')``.

    ``Transform`` is the same type: a transform of the change is an optimiser.
    Write a new one with :func:`rule`; combine them with :func:`chain`.

    Example:
        >>> from categories import SMOOTH, ArrayType
        >>> from learners import adam, weight_decay
        >>> opt = adam(1e-3)
        >>> isinstance(opt, Optimiser), isinstance(weight_decay(0.1), Transform)
        (True, True)
        >>> opt.change(ArrayType((2,)), SMOOTH)
        adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-08, eps_root=0.0, mu_dtype=None)
    """

    @abstractmethod
    def init(self, params: Any) -> Any:
        """The initial state for ``params`` (a point of :meth:`state_object`)."""

    @abstractmethod
    def change(self, param: Object, category: LeftAdditiveCategory) -> Lens:
        """The change lens ``T : (S @ P, S @ P') → (P, P')`` for parameters of ``param``."""

    def state_object(self, param: Object) -> Object:
        """The state object ``S`` for ``param`` (the unit ``I`` when the state is ``()``)."""
        shape = jax.eval_shape(lambda: self.init(zeros(param)))
        return I if type(shape) is tuple and not shape else TreeType.like(shape)

    def lens(self, param: Object, category: LeftAdditiveCategory) -> Lens:
        """The update lens ``U = (1_S ⊗ +) ; T : (S @ P, S @ P) → (P, P')``."""
        S = self.state_object(param)
        T = self.change(param, category)  # first: a category it lacks refuses it by name
        plus = Lens(category.id(param), category.plus(param), name="+")
        if S != I:
            plus = LensCategory(category).id(S) @ plus
        return plus >> T

    def seen(self) -> Optimiser | None:
        """This optimiser on the parameters its get shows (optax's form, get ``p``): the
        same iterates ``p̄``; itself when its get is ``p``, ``None`` when not known."""
        return self


Transform = Optimiser


class _Inner(NamedTuple):
    """The change lens of an inner optimiser, as functions of points."""
    get: Callable[[Any, Any], Any]
    put: Callable[[Any, Any, Any], tuple[Any, Any]]


def _inner_maps(T: Lens, S: Object, P: Object) -> _Inner:
    return _Inner(lambda s, p: T.get(join(s, p, S, P)),
                  lambda s, p, d: split(T.put(join_all([s, p, d], (S, P, P))), S, P))


def _cast_like(new, old):
    """``new`` in the dtypes of ``old`` (optax's ``cast_like``), when the structures agree."""
    if jax.tree.structure(new) != jax.tree.structure(old):
        return new  # the morphism's point check names the mismatch
    return _map(lambda a, b: a if a.dtype == b.dtype else a.astype(b.dtype), new, old)


def _short(value: Any) -> str:
    text = value.__name__ if callable(value) and hasattr(value, "__name__") else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True, eq=False, repr=False)
class _Rule(Optimiser):
    name: str
    initial: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]
    look: Callable[..., Any] | None
    inner: Optimiser | None
    shown: Optimiser | None
    needs: str
    hyperparameters: tuple[tuple[str, Any], ...]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__") or key == "hyperparameters":
            raise AttributeError(key)
        for k, v in self.hyperparameters:
            if k == key:
                return v
        raise AttributeError(f"{self.name} has no attribute or hyperparameter {key!r}")

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(f'{k}={_short(v)}' for k, v in self.hyperparameters)})"

    def init(self, params):
        return self.initial(params)

    def seen(self):
        return self if self.look is None else self.shown

    def change(self, param, category):
        extra = ()
        if self.inner is not None:  # built first: a category it lacks refuses it by name
            extra = (_inner_maps(self.inner.change(param, category),
                                 self.inner.state_object(param), param),)
        S = self.state_object(param)

        def put(x):
            s, p, d = split_all(x, (S, param, param))
            s_new, u = self.update(s, p, d, *extra)
            return join(_cast_like(s_new, s), _cast_like(u, p), S, param)

        def get(x):
            return _cast_like(self.look(*split(x, S, param), *extra), split(x, S, param)[1])

        name, needs = self.name, self.needs
        put_m = build.function(category, name, needs, f"{name}.put", S @ param @ param,
                               S @ param, put)
        get_m = (category.proj(S, param, 1) if self.look is None else
                 build.function(category, name, needs, f"{name}.get", S @ param, param, get))
        return Lens(get_m, put_m, name=repr(self))


def rule(name: str, init: Callable[[Any], Any], update: Callable[..., tuple[Any, Any]],
         look: Callable[..., Any] | None = None, *, inner: Optimiser | None = None,
         seen: Optimiser | None = None, needs: str = ARITHMETIC,
         **hyperparameters: Any) -> Optimiser:
    """An optimiser from its parts, as optax builds one from ``init`` and ``update``.

    Args:
        name: how it prints, and names it in errors.
        init: ``params ↦ state`` (a pytree; ``()`` for none).
        update: the put, ``(state, params, change) ↦ (state', change')``: ``change`` is
            ``p'`` (``−∇`` under descent) and ``change'`` the ``u`` added to ``p``.
        look: the get, ``(state, params) ↦ p̄`` (default ``p``): a look-ahead.
        inner: an optimiser this one wraps; then ``update`` and ``look`` take a fourth
            (third) argument with its change lens as functions ``get(s, p)``,
            ``put(s, p, d) ↦ (s', u)``, built in the same category.
        seen: with a ``look``, the same optimiser on the parameters ``p̄`` (get ``p``),
            which :func:`~learners.as_optax` uses.
        needs: what it needs of a category (its error where that is missing).
        **hyperparameters: shown by ``repr`` and read as attributes (``opt.lr``).

    The outputs are cast to the dtypes of the state and parameters (as optax's
    ``apply_updates`` and ``mu_dtype`` do).

    Example: sign descent with a trust scale, written in a few lines.

        >>> import jax, jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> def sign_descent(lr):
        ...     def update(state, params, change):
        ...         step = jax.tree.map(lambda d: lr * jnp.sign(d), change)
        ...         return state + 1, step
        ...     return rule("sign_descent", lambda params: jnp.zeros((), jnp.int32), update,
        ...                 lr=lr)
        >>> opt, p = sign_descent(0.1), jnp.array([1.0, 2.0])
        >>> opt, opt.lr
        (sign_descent(lr=0.1), 0.1)
        >>> state, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p,
        ...                                                     jnp.array([3.0, -0.5])))
        >>> int(state), new.tolist()
        (1, [1.100000023841858, 1.899999976158142])
    """
    return _Rule(name, init, update, look, inner, seen, needs, tuple(hyperparameters.items()))


@dataclass(frozen=True)
class _Gradient(Optimiser):
    """``T = 1`` with ``S = I``: the update lens is ``+`` itself (CFGBL Ex. 3.12, 3.13)."""

    def __repr__(self) -> str:
        return "gradient()"

    def init(self, params):
        return ()

    def change(self, param, category):
        return LensCategory(category).id(param)


def gradient() -> Optimiser:
    """The additive update ``p ← p + p'`` in any left-additive category (RDA's XOR).

    Example:
        >>> from categories import SMOOTH, ArrayType
        >>> gradient().lens(ArrayType((2,)), SMOOTH)
        +
    """
    return _Gradient()
