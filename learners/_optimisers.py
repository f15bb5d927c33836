"""Optimisers as update lenses ``(S @ P, S @ P) → (P, P')`` (CFGBL Def. 3.11, 3.14).

An optimiser's lens sits on the parameter wire as a reparametrisation:

* get ``U(s, p) = p̄``, the parameters the model sees (``p`` itself, or
  Nesterov's look-ahead ``p + γ s``);
* put ``U*((s, p), p') = (s', p_new)``, given the requested change ``p'``.

With the descent cap ``α = −1``, ``p' = −∇``. The smooth optimisers follow
optax's arithmetic operation for operation (checked to 1e-6 over 100+ steps),
with the sign flipped into the change ``p'``. ``gradient()`` is the additive
update ``p + p'`` of any left-additive category (XOR on Boolean circuits).

Example:
    >>> import jax.numpy as jnp
    >>> from categories import SMOOTH, ArrayType, join
    >>> P = ArrayType((2,))
    >>> opt = sgd(0.5)
    >>> state = opt.init(jnp.ones(2))
    >>> lens = opt.lens(P, SMOOTH)
    >>> new_state, new_p = lens.put((state, jnp.ones(2), jnp.array([2.0, -2.0])))
    >>> new_p.tolist()
    [2.0, 0.0]
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from categories import (BadObject, I, LeftAdditiveCategory, NotComposable, Object, TreeType,
                        join, smooth, split, split_all, zeros)
from lenses import Lens

from . import _build as build
from . import _hyper as hyper
from .schedules import Schedule, as_schedule

__all__ = [
    "Optimiser", "Transform", "gradient", "sgd", "momentum", "nesterov", "adagrad", "rmsprop",
    "adam", "adamw", "amsgrad", "lion", "ademamix", "weight_decay", "clip_by_global_norm",
    "chain", "CountState", "MomentumState", "AdagradState", "RmspropState", "AdamState",
    "AmsgradState", "LionState", "AdemamixState",
]


def _map(f, *trees):
    return jax.tree.map(f, *trees)


class Optimiser(ABC):
    """An update lens with its initial state; hyperparameters are public fields.

    Example:
        Any record with ``init``, ``lens`` and ``state_object`` serves as one:

        >>> from categories import SMOOTH, ArrayType
        >>> isinstance(adam(1e-3), Optimiser), adam(1e-3).lens(ArrayType((2,)), SMOOTH)
        (True, Adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-08, weight_decay=0.0, amsgrad=False))
    """

    @abstractmethod
    def init(self, params: Any) -> Any:
        """The initial state for ``params`` (a pytree with named fields)."""

    @abstractmethod
    def lens(self, param: Object, category: LeftAdditiveCategory) -> Lens:
        """The update lens ``(S @ P, S @ P) → (P, P')`` for parameters of object ``param``."""

    def state_object(self, param: Object) -> Object:
        """The state object ``S`` for ``param``."""
        return TreeType.like(jax.eval_shape(lambda: self.init(zeros(param))))


@dataclass(frozen=True)
class _Gradient(Optimiser):
    """``U(p) = p``, ``U*(p, p') = p + p'`` with ``S = I`` (CFGBL Ex. 3.12, 3.13)."""

    def init(self, params):
        return ()

    def lens(self, param, category):
        return Lens(category.id(param), category.plus(param), name="gradient")

    def state_object(self, param):
        return I


def gradient() -> Optimiser:
    """The additive update ``p ← p + p'`` in any left-additive category (RDA's XOR).

    Example:
        >>> from categories import SMOOTH, ArrayType
        >>> gradient().lens(ArrayType((2,)), SMOOTH)
        gradient
    """
    return _Gradient()


class _Rule(Optimiser):
    """A smooth optimiser given by ``look(s, p)`` and ``update(s, p, d) → (s', p')``."""

    @property
    def label(self) -> str:
        """The name users call it by (``adamw``, ``nesterov``), in messages."""
        return type(self).__name__.lower().lstrip("_")

    def look(self, state, p):
        return p

    @abstractmethod
    def update(self, state, p, d):
        """The new state and parameters, given the change ``d = p'``."""

    def lens(self, param, category):
        name = self.label
        needs = "the real arithmetic of its update (scaling, and ÷, √ or sign for most)"
        S = self.state_object(param)

        def get(sp):
            s, p = split(sp, S, param)
            return self.look(s, p)

        def put(spd):
            s, p, d = split_all(spd, (S, param, param))
            s, p = self.update(s, p, d)
            return join(s, p, S, param)

        return Lens(build.function(category, name, needs, f"{name}.get", S @ param, param, get),
                    build.function(category, name, needs, f"{name}.put", S @ param @ param,
                                   S @ param, put),
                    name=repr(self))


class CountState(NamedTuple):
    """State of ``sgd``: the number of updates so far.

    Example:
        >>> import jax.numpy as jnp
        >>> s = sgd(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('CountState', ('count',), 0)
    """
    count: Any


class MomentumState(NamedTuple):
    """State of ``momentum`` and ``nesterov``: the velocity ``s``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = momentum(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('MomentumState', ('count', 'velocity'), 0)
    """
    count: Any
    velocity: Any


class AdagradState(NamedTuple):
    """State of ``adagrad``: the running sum of squared changes.

    Example:
        >>> import jax.numpy as jnp
        >>> s = adagrad(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('AdagradState', ('count', 'sum_of_squares'), 0)
    """
    count: Any
    sum_of_squares: Any


class RmspropState(NamedTuple):
    """State of ``rmsprop``: the moving average of squared changes.

    Example:
        >>> import jax.numpy as jnp
        >>> s = rmsprop(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('RmspropState', ('count', 'nu'), 0)
    """
    count: Any
    nu: Any


class AdamState(NamedTuple):
    """State of ``adam``/``adamw``: step count and uncorrected moments ``m``, ``v``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = adam(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('AdamState', ('count', 'mu', 'nu'), 0)
    """
    count: Any
    mu: Any
    nu: Any


class AmsgradState(NamedTuple):
    """State of ``amsgrad``: Adam's, plus the running maximum of ``v̂``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = amsgrad(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('AmsgradState', ('count', 'mu', 'nu', 'nu_max'), 0)
    """
    count: Any
    mu: Any
    nu: Any
    nu_max: Any


class LionState(NamedTuple):
    """State of ``lion``: the momentum ``m``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = lion(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('LionState', ('count', 'mu'), 0)
    """
    count: Any
    mu: Any


class AdemamixState(NamedTuple):
    """State of ``ademamix``: fast and slow moments ``m1``, ``m2`` and ``v``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = ademamix(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('AdemamixState', ('count', 'm1', 'm2', 'nu'), 0)
    """
    count: Any
    m1: Any
    m2: Any
    nu: Any


def _count():
    return jnp.zeros([], jnp.int32)


def _zeros_like(p):
    return _map(jnp.zeros_like, p)


def _step(p, lr, u):
    """``p + lr · u`` (``u`` already carries the sign of the change)."""
    return _map(lambda x, v: x + jnp.asarray(lr, v.dtype) * v, p, u)


def _moment(d, m, decay, order):
    return _map(lambda g, t: (1 - decay) * (g ** order) + decay * t, d, m)


def _debias(m, decay, count):
    correction = 1 - decay ** count.astype(jnp.float32)
    return _map(lambda t: t / correction.astype(t.dtype), m)


@dataclass(frozen=True)
class _SGD(_Rule):
    lr: float | Schedule

    def __post_init__(self):
        hyper.rate("sgd", "lr", self.lr)

    def init(self, params):
        return CountState(_count())

    def update(self, s, p, d):
        return CountState(s.count + 1), _step(p, as_schedule(self.lr)(s.count), d)


def sgd(lr: float | Schedule) -> Optimiser:
    """``p ← p + lr · p'`` (``optax.sgd``); ``lr`` may be a schedule of the step count.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = sgd(0.1)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # p + 0.1 d
        [1.05, 1.95]
    """
    return _SGD(lr)


@dataclass(frozen=True)
class Momentum(_Rule):
    """Heavy-ball momentum ``s' = γ s + p'``, ``p ← p + lr · s'``.

    ``paper_sign=True`` gives CFGBL Ex. 3.15 literally, ``s' = −γ s + p'``.
    ``lookahead=True`` is Nesterov (Ex. 3.16): the get is the look-ahead
    ``p + γ lr_t s``; the put is ``p ← p + lr_t s' + γ (lr_t − lr_{t+1}) s'``, which
    keeps the look-ahead equal to optax's Nesterov parameters under any schedule
    (with ``paper_sign``, literally Ex. 3.16: ``p ← p + lr s'``, ``s' = −γ s + p'``).
    """

    lr: float | Schedule
    gamma: float
    paper_sign: bool = False
    lookahead: bool = False

    @property
    def label(self) -> str:
        return "nesterov" if self.lookahead else "momentum"

    def __post_init__(self):
        hyper.rate(self.label, "lr", self.lr)
        hyper.decay(self.label, "gamma", self.gamma)

    def init(self, params):
        return MomentumState(_count(), _zeros_like(params))

    def _decay(self):
        return -self.gamma if self.paper_sign else self.gamma

    def look(self, s, p):
        if not self.lookahead:
            return p
        # the paper's get is p + γ s in both sign conventions (s = lr · velocity)
        lr = as_schedule(self.lr)(s.count)
        return _map(lambda x, v: x + jnp.asarray(self.gamma * lr, v.dtype) * v, p, s.velocity)

    def update(self, s, p, d):
        lr = as_schedule(self.lr)(s.count)
        v = _map(lambda g, t: g + self._decay() * t, d, s.velocity)
        state = MomentumState(s.count + 1, v)
        if not self.lookahead or self.paper_sign:
            return state, _step(p, lr, v)
        drift = self.gamma * (lr - as_schedule(self.lr)(s.count + 1))
        return state, _step(_step(p, lr, v), drift, v)


def momentum(lr: float | Schedule, gamma: float = 0.9, *, paper_sign: bool = False) -> Optimiser:
    """Momentum as a lens with state ``S = P`` (``optax.sgd(lr, momentum=γ)``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = momentum(0.1, gamma=0.9)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # s' = d at the first step
        [1.05, 1.95]
    """
    return Momentum(lr, gamma, paper_sign)


def nesterov(lr: float | Schedule, gamma: float = 0.9, *, paper_sign: bool = False) -> Optimiser:
    """Nesterov momentum: the look-ahead ``p + γ s`` lives in the lens's forward map.

    Its get matches ``optax.sgd(lr, momentum=γ, nesterov=True)``'s parameters.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = nesterov(0.1, gamma=0.9)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]
        [1.05, 1.95]
    """
    return Momentum(lr, gamma, paper_sign, lookahead=True)


@dataclass(frozen=True)
class Adagrad(_Rule):
    """``g' = g + p'²``, ``p ← p + lr · p' / √(g' + ε)`` (``optax.adagrad``)."""

    lr: float | Schedule
    initial_accumulator_value: float = 0.1
    eps: float = 1e-7

    def __post_init__(self):
        hyper.rate("adagrad", "lr", self.lr)
        hyper.nonnegative("adagrad", "initial_accumulator_value", self.initial_accumulator_value)
        hyper.nonnegative("adagrad", "eps", self.eps)

    def init(self, params):
        return AdagradState(_count(), _map(lambda x: jnp.full_like(x, self.initial_accumulator_value),
                                          params))

    def update(self, s, p, d):
        sos = _map(lambda g, t: g * g + t, d, s.sum_of_squares)
        u = _map(lambda g, t: jnp.where(t > 0, jax.lax.rsqrt(t + self.eps), 0.0) * g, d, sos)
        return AdagradState(s.count + 1, sos), _step(p, as_schedule(self.lr)(s.count), u)


def adagrad(lr: float | Schedule, initial_accumulator_value: float = 0.1,
            eps: float = 1e-7) -> Optimiser:
    """Adagrad (CFGBL Ex. 3.17, with optax's accumulator and ``ε`` placement).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = adagrad(0.1)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # d/√(d² + 0.1)
        [1.0845, 1.9155]
    """
    return Adagrad(lr, initial_accumulator_value, eps)


@dataclass(frozen=True)
class Rmsprop(_Rule):
    """``v' = (1−ρ) p'² + ρ v``, ``p ← p + lr · p' / √(v' + ε)`` (``optax.rmsprop``)."""

    lr: float | Schedule
    decay: float = 0.9
    eps: float = 1e-8

    def __post_init__(self):
        hyper.rate("rmsprop", "lr", self.lr)
        hyper.decay("rmsprop", "decay", self.decay)
        hyper.nonnegative("rmsprop", "eps", self.eps)

    def init(self, params):
        return RmspropState(_count(), _zeros_like(params))

    def update(self, s, p, d):
        nu = _moment(d, s.nu, self.decay, 2)
        u = _map(lambda g, n: jax.lax.rsqrt(n + self.eps) * g, d, nu)
        return RmspropState(s.count + 1, nu), _step(p, as_schedule(self.lr)(s.count), u)


def rmsprop(lr: float | Schedule, decay: float = 0.9, eps: float = 1e-8) -> Optimiser:
    """RMSprop (``optax.rmsprop``): Adagrad with a decaying average of squares.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = rmsprop(0.1)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # d/√(0.1 d²)
        [1.3162, 1.6838]
    """
    return Rmsprop(lr, decay, eps)


@dataclass(frozen=True)
class Adam(_Rule):
    """Adam with the standard state ``(t, m, v)`` of *uncorrected* moments:

    ``m' = β1 m + (1−β1) p'``, ``v' = β2 v + (1−β2) p'²``,
    ``p ← p + lr · m̂/(√v̂ + ε) − lr · λ p`` with ``m̂ = m'/(1−β1^t)``, ``v̂ = v'/(1−β2^t)``.
    ``λ = weight_decay`` is AdamW's decoupled decay (0 for Adam).
    """

    lr: float | Schedule
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False

    @property
    def label(self) -> str:
        return "amsgrad" if self.amsgrad else "adamw" if self.weight_decay else "adam"

    def __post_init__(self):
        owner = self.label
        hyper.rate(owner, "lr", self.lr)
        hyper.decay(owner, "b1", self.b1)
        hyper.decay(owner, "b2", self.b2)
        hyper.nonnegative(owner, "eps", self.eps)
        hyper.nonnegative(owner, "weight_decay", self.weight_decay)

    def init(self, params):
        if self.amsgrad:
            return AmsgradState(_count(), _zeros_like(params), _zeros_like(params),
                                _zeros_like(params))
        return AdamState(_count(), _zeros_like(params), _zeros_like(params))

    def update(self, s, p, d):
        mu, nu = _moment(d, s.mu, self.b1, 1), _moment(d, s.nu, self.b2, 2)
        count = s.count + 1
        mu_hat, nu_hat = _debias(mu, self.b1, count), _debias(nu, self.b2, count)
        if self.amsgrad:
            nu_max = _map(jnp.maximum, s.nu_max, nu_hat)
            state, denom = AmsgradState(count, mu, nu, nu_max), nu_max
        else:
            state, denom = AdamState(count, mu, nu), nu_hat
        u = _map(lambda m, v: m / (jnp.sqrt(v) + self.eps), mu_hat, denom)
        if self.weight_decay:
            u = _map(lambda g, x: g - self.weight_decay * x, u, p)
        return state, _step(p, as_schedule(self.lr)(s.count), u)


def adam(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimiser:
    """Adam (CFGBL Ex. 3.18 in its standard form, matching ``optax.adam``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = adam(0.1)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # m̂/√v̂ = sign(d) at the first step
        [1.1, 1.9]
    """
    return Adam(lr, b1, b2, eps)


def adamw(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
          weight_decay: float = 1e-4) -> Optimiser:
    """AdamW: Adam with decoupled weight decay (``optax.adamw``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = adamw(0.1, weight_decay=0.5)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # sign(d) − 0.5 p
        [1.05, 1.8]
    """
    return Adam(lr, b1, b2, eps, weight_decay)


def amsgrad(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999,
            eps: float = 1e-8) -> Optimiser:
    """AMSGrad: Adam dividing by the running maximum of ``v̂`` (``optax.amsgrad``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = amsgrad(0.1)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]
        [1.1, 1.9]
    """
    return Adam(lr, b1, b2, eps, amsgrad=True)


@dataclass(frozen=True)
class Lion(_Rule):
    """``p ← p + lr · (sign((1−β1) p' + β1 m) − λ p)``, ``m' = (1−β2) p' + β2 m``."""

    lr: float | Schedule
    b1: float = 0.9
    b2: float = 0.99
    weight_decay: float = 1e-3

    def __post_init__(self):
        hyper.rate("lion", "lr", self.lr)
        hyper.decay("lion", "b1", self.b1)
        hyper.decay("lion", "b2", self.b2)
        hyper.nonnegative("lion", "weight_decay", self.weight_decay)

    def init(self, params):
        return LionState(_count(), _zeros_like(params))

    def update(self, s, p, d):
        u = _map(lambda g, m: jnp.sign((1.0 - self.b1) * g + self.b1 * m), d, s.mu)
        mu = _moment(d, s.mu, self.b2, 1)
        u = _map(lambda g, x: g - self.weight_decay * x, u, p)
        return LionState(s.count + 1, mu), _step(p, as_schedule(self.lr)(s.count), u)


def lion(lr: float | Schedule, b1: float = 0.9, b2: float = 0.99,
         weight_decay: float = 1e-3) -> Optimiser:
    """Lion (``optax.lion``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = lion(0.1, weight_decay=0.0)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # sign((1−β1) d)
        [1.1, 1.9]
    """
    return Lion(lr, b1, b2, weight_decay)


@dataclass(frozen=True)
class Ademamix(_Rule):
    """AdEMAMix: ``p ← p + lr · (m̂1 + α m2)/(√v̂ + ε)`` with a slow moment ``m2`` (β3)."""

    lr: float | Schedule
    b1: float = 0.9
    b2: float = 0.999
    b3: float = 0.9999
    alpha: float = 5.0
    eps: float = 1e-8

    def __post_init__(self):
        hyper.rate("ademamix", "lr", self.lr)
        for name in ("b1", "b2", "b3"):
            hyper.decay("ademamix", name, getattr(self, name))
        hyper.nonnegative("ademamix", "alpha", self.alpha)
        hyper.nonnegative("ademamix", "eps", self.eps)

    def init(self, params):
        return AdemamixState(_count(), _zeros_like(params), _zeros_like(params),
                             _zeros_like(params))

    def update(self, s, p, d):
        m1, m2 = _moment(d, s.m1, self.b1, 1), _moment(d, s.m2, self.b3, 1)
        nu = _moment(d, s.nu, self.b2, 2)
        count = s.count + 1
        m1_hat, nu_hat = _debias(m1, self.b1, count), _debias(nu, self.b2, count)
        u = _map(lambda a, b, v: (a + self.alpha * b) / (jnp.sqrt(v) + self.eps),
                 m1_hat, m2, nu_hat)
        return AdemamixState(count, m1, m2, nu), _step(p, as_schedule(self.lr)(s.count), u)


def ademamix(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, b3: float = 0.9999,
             alpha: float = 5.0, eps: float = 1e-8) -> Optimiser:
    """AdEMAMix (``optax.contrib.ademamix``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> P, p, d = ArrayType((2,)), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> opt = ademamix(0.1, alpha=0.0)
        >>> _, new = opt.lens(P, SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # Adam's step when α = 0
        [1.1, 1.9]
    """
    return Ademamix(lr, b1, b2, b3, alpha, eps)


# -- transforms of the change, and chaining ---------------------------------------

@dataclass(frozen=True)
class Transform:
    """A lens ``(P, P') → (P, P')`` with get ``1`` that rewrites the change ``p'``.

    Example:
        >>> weight_decay(1e-4)
        Transform(name='weight_decay', value=0.0001)
    """

    name: str
    value: float

    def __post_init__(self):
        if self.name not in ("weight_decay", "clip_by_global_norm"):
            raise BadObject(f"Transform: unknown transform {self.name!r}; use weight_decay() "
                            f"or clip_by_global_norm()")
        if self.name == "weight_decay":
            hyper.nonnegative("weight_decay", "rate", self.value)
        else:
            hyper.positive("clip_by_global_norm", "max_norm", self.value)

    def lens(self, param: Object, category) -> Lens:
        """The lens for parameters of object ``param``."""
        def put(pd):
            p, d = split(pd, param, param)
            if self.name == "weight_decay":
                return _map(lambda g, x: g - self.value * x, d, p)
            norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree.leaves(d)))
            return _map(lambda g: jax.lax.select(norm < self.value, g,
                                                 (g / norm.astype(g.dtype)) * self.value), d)
        needs = "scaling by λ" if self.name == "weight_decay" else "√ and ÷ (the norm)"
        return Lens(category.id(param),
                    build.function(category, self.name, needs, self.name, param @ param, param,
                                   put),
                    name=f"{self.name}({self.value})")


def weight_decay(rate: float) -> Transform:
    """Coupled (L2) weight decay on the change: ``p' ↦ p' − λ p`` (``optax.add_decayed_weights``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> lens = weight_decay(0.5).lens(ArrayType((2,)), SMOOTH)
        >>> lens.put((jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5]))).tolist()  # d − 0.5 p
        [0.0, -1.5]
    """
    return Transform("weight_decay", rate)


def clip_by_global_norm(max_norm: float) -> Transform:
    """``p' ↦ p' · max_norm/‖p'‖`` when ``‖p'‖ ≥ max_norm`` (``optax.clip_by_global_norm``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> lens = clip_by_global_norm(1.0).lens(ArrayType((2,)), SMOOTH)
        >>> lens.put((jnp.zeros(2), jnp.array([3.0, -4.0]))).tolist()  # ‖d‖ = 5 → d/5
        [0.6000000238418579, -0.800000011920929]
    """
    return Transform("clip_by_global_norm", max_norm)


@dataclass(frozen=True)
class _Chain(Optimiser):
    transforms: tuple[Transform, ...]
    optimiser: Optimiser

    def init(self, params):
        return self.optimiser.init(params)

    def state_object(self, param):
        return self.optimiser.state_object(param)

    def lens(self, param, category):
        # the change reaches the transforms nearest the model first: optax order
        return self.optimiser.lens(param, category).then(
            *(t.lens(param, category) for t in reversed(self.transforms)))


def chain(*parts: Transform | Optimiser) -> Optimiser:
    """Transforms of the change, then one optimiser, in optax's order:
    ``chain(clip_by_global_norm(1.0), adam(1e-3))`` clips the gradient, then Adam.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt = chain(clip_by_global_norm(1.0), sgd(1.0))
        >>> p, d = jnp.zeros(2), jnp.array([3.0, -4.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, d))
        >>> [round(float(v), 4) for v in new]  # clipped to norm 1, then p + d
        [0.6, -0.8]
    """
    if not parts:
        raise NotComposable("chain(*transforms, optimiser) needs at least an optimiser")
    *transforms, last = parts
    if not isinstance(last, Optimiser) or not all(isinstance(t, Transform) for t in transforms):
        raise NotComposable("chain(*transforms, optimiser): only the last part may be an "
                            f"optimiser, got {parts}")
    return _Chain(tuple(transforms), last)
