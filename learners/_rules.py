"""First-order rules (SGD, momentum, Nesterov, Adagrad, RMSprop) and others (LARS,
Adadelta, Rprop, sign descent, Fromage, noisy and optimistic SGD): each put maps the
change ``p'`` and its state to the step ``u`` as optax's namesake does, ``u = lr · p'`` for SGD.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from . import _hyper as hyper
from ._dtypes import (_at, _count, _decay, _dtype, _debias, _ema, _full, _inc, _like, _map,
                      _rate, _real, _scale, _sq, _start, _sum, _trust, _zeros)
from ._optimiser import Optimiser, rule
from ._states import (AdadeltaState, AdagradState, CountState, MomentumState, NoiseState,
                      OptimisticState, RmspropState, RpropState, SignumState)
from .schedules import Schedule

__all__ = [
    "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "lars", "adadelta", "rprop",
    "sign_sgd", "signum", "fromage", "noisy_sgd", "optimistic_gradient_descent"
]


# -- first-order rules ------------------------------------------------------------------------

def sgd(lr: float | Schedule) -> Optimiser:
    """``u = lr · p'`` (``optax.sgd``); ``lr`` may be a schedule of the step count.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = sgd(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # p + 0.1 p'
        [1.05, 1.95]
    """
    _rate("sgd", lr)

    def update(s, p, d):
        return CountState(_inc(s.count)), _scale(_at(lr, s.count), d)
    return rule("sgd", lambda params: CountState(_start()), update, lr=lr)


def _momentum_state(params, accumulator_dtype):
    return MomentumState(_start(), _zeros(params, accumulator_dtype))


def momentum(lr: float | Schedule, gamma: float = 0.9, *, paper_sign: bool = False,
             accumulator_dtype: Any = None) -> Optimiser:
    """Heavy-ball momentum ``t' = p' + γ t``, ``u = lr · t'`` (``optax.sgd(lr, momentum=γ)``).

    ``paper_sign=True`` is CFGBL Ex. 3.15 literally, ``t' = p' − γ t``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = momentum(0.1, gamma=0.9), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # t' = p' at the first step
        [1.05, 1.95]
    """
    _rate("momentum", lr)
    hyper.decay("momentum", "gamma", gamma)
    acc = _dtype("momentum", "accumulator_dtype", accumulator_dtype)
    sign = -1 if paper_sign else 1

    def update(s, p, d):
        t = _map(lambda g, v: _sum(g, _like(sign * gamma, v) * v), d, s.trace)
        return MomentumState(_inc(s.count), t), _scale(_at(lr, s.count), t)
    return rule("momentum", lambda params: _momentum_state(params, acc), update, lr=lr,
                gamma=gamma, paper_sign=paper_sign, accumulator_dtype=accumulator_dtype)


def nesterov(lr: float | Schedule, gamma: float = 0.9, *, paper_sign: bool = False,
             accumulator_dtype: Any = None) -> Optimiser:
    """Nesterov momentum with the look-ahead in the lens's get: ``p̄ = p + γ lr_t t``.

    The put is ``t' = p' + γ t``, ``u = lr_t t' + γ (lr_t − lr_{t+1}) t'``, which keeps
    ``p̄`` equal to ``optax.sgd(lr, momentum=γ, nesterov=True)``'s parameters under any
    schedule; its :meth:`~Optimiser.seen` form is optax's own, ``u = lr (p' + γ t')``.
    ``paper_sign=True`` is CFGBL Ex. 3.16 literally: ``t' = p' − γ t``, ``u = lr t'``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = nesterov(0.1, gamma=0.9), jnp.array([1.0, 2.0])
        >>> lens = opt.lens(ArrayType((2,)), SMOOTH)
        >>> state, new = lens.put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> seen = lens.get((state, new))
        >>> [round(v, 4) for v in new.tolist()], [round(v, 4) for v in seen.tolist()]  # p + γ lr t
        ([1.05, 1.95], [1.095, 1.905])
    """
    _rate("nesterov", lr)
    hyper.decay("nesterov", "gamma", gamma)
    acc = _dtype("nesterov", "accumulator_dtype", accumulator_dtype)
    sign = -1 if paper_sign else 1

    def init(params):
        return _momentum_state(params, acc)

    def look(s, p):
        step = gamma * _at(lr, s.count)
        return _map(lambda x, v: x + _like(step, x) * v.astype(x.dtype), p, s.trace)

    def trace(s, d):
        return _map(lambda g, v: _sum(g, _like(sign * gamma, v) * v), d, s.trace)

    def update(s, p, d):
        t, now = trace(s, d), _at(lr, s.count)
        u = _scale(now, t)
        if not paper_sign:  # keep p + γ lr t on optax's iterates when lr changes
            u = _map(lambda a, v: a + _like(gamma * (now - _at(lr, _inc(s.count))), v) * v, u, t)
        return MomentumState(_inc(s.count), t), u

    def optax_form(s, p, d):
        t = trace(s, d)
        u = _map(lambda g, v: g + _like(gamma, v) * v, d, t)
        return MomentumState(_inc(s.count), t), _scale(_at(lr, s.count), u)

    hypers = dict(lr=lr, gamma=gamma, paper_sign=paper_sign, accumulator_dtype=accumulator_dtype)
    shown = None if paper_sign else rule("nesterov", init, optax_form, **hypers)
    return rule("nesterov", init, update, look, seen=shown, **hypers)


def adagrad(lr: float | Schedule, initial_accumulator_value: float = 0.1,
            eps: float = 1e-7) -> Optimiser:
    """Adagrad: ``G' = G + |p'|²``, ``u = lr · p'/√(G' + ε)`` (``optax.adagrad``; CFGBL Ex. 3.17).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adagrad(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # p'/√(p'² + 0.1)
        [1.0845, 1.9155]
    """
    _rate("adagrad", lr)
    hyper.nonnegative("adagrad", "initial_accumulator_value", initial_accumulator_value)
    hyper.nonnegative("adagrad", "eps", eps)

    def init(params):
        return AdagradState(_start(), _full(params, initial_accumulator_value))

    def update(s, p, d):
        sos = _map(lambda g, t: (g.conj() * g).real + t, d, s.sum_of_squares)
        u = _map(lambda g, t: jnp.where(t > 0, jax.lax.rsqrt(t + _like(eps, t)), 0.0) * g,
                 d, sos)
        return AdagradState(_inc(s.count), sos), _scale(_at(lr, s.count), u)
    return rule("adagrad", init, update, lr=lr, initial_accumulator_value=initial_accumulator_value,
                eps=eps)


def rmsprop(lr: float | Schedule, decay: float = 0.9, eps: float = 1e-8, initial_scale: float = 0.0,
            eps_in_sqrt: bool = True, centered: bool = False, momentum: float | None = None,
            nesterov: bool = False, bias_correction: bool = False) -> Optimiser:
    """RMSprop (``optax.rmsprop``): ``ν' = (1−ρ)|p'|² + ρν``, ``u = lr · p'/√(ν̂' + ε)``.

    ``centered`` divides by the variance ``ν̂ − |μ̂|²`` instead; ``momentum`` adds
    optax's trace after the step (``nesterov`` its look-ahead form); ``bias_correction``
    divides ``ν`` (and ``μ``) by ``1 − ρ^t``; ``eps_in_sqrt=False`` uses ``√ν̂ + ε``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = rmsprop(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # p'/√(0.1 p'²)
        [1.3162, 1.6838]
    """
    _rate("rmsprop", lr)
    hyper.decay("rmsprop", "decay", decay)
    hyper.nonnegative("rmsprop", "eps", eps)
    hyper.nonnegative("rmsprop", "initial_scale", initial_scale)
    if momentum is not None:
        hyper.decay("rmsprop", "momentum", momentum)

    def init(params):
        return RmspropState(_start(), _full(params, initial_scale),
                            _zeros(params) if centered else None,
                            _zeros(params) if momentum is not None else None)

    def scaling(n, m):
        v = n - _sq(m).astype(n.dtype) if centered else n
        return (jax.lax.rsqrt(v + _like(eps, v)) if eps_in_sqrt
                else 1 / (jnp.sqrt(v) + _like(eps, v)))

    def update(s, p, d):
        count = _inc(s.count)
        nu = _map(lambda g, t: _sum(_like(1 - decay, t) * _sq(g), _like(decay, t) * t), d, s.nu)
        mu = _map(lambda g, t: _ema(g, t, decay), d, s.mu) if centered else None
        nu_hat, mu_hat = nu, mu
        if bias_correction:
            nu_hat = _map(lambda t: _debias(t, decay, count), nu)
            mu_hat = _map(lambda t: _debias(t, decay, count), mu) if centered else None
        if centered:
            u = _map(lambda g, n, m: scaling(n, m) * g, d, nu_hat, mu_hat)
        else:
            u = _map(lambda g, n: scaling(n, None) * g, d, nu_hat)
        u = _scale(_at(lr, s.count), u)
        trace = None
        if momentum is not None:
            trace = _map(lambda g, t: g + _like(momentum, t) * t, u, s.trace)
            u = _map(lambda g, t: g + _like(momentum, t) * t, u, trace) if nesterov else trace
        return RmspropState(count, nu, mu, trace), u
    return rule("rmsprop", init, update, lr=lr, decay=decay, eps=eps, initial_scale=initial_scale,
                eps_in_sqrt=eps_in_sqrt, centered=centered, momentum=momentum, nesterov=nesterov,
                bias_correction=bias_correction)


# -- other rules ------------------------------------------------------------------------------

def lars(lr: float | Schedule, weight_decay: float = 0.0, trust_coefficient: float = 0.001,
         eps: float = 0.0, momentum: float = 0.9, nesterov: bool = False) -> Optimiser:
    """LARS: ``a = c‖p‖/(‖p' − λp‖ + ε) (p' − λp)`` per leaf, then ``lr``, then optax's
    trace (``optax.lars``; mask leaves with :func:`masked`).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = lars(1.0, trust_coefficient=0.1), jnp.array([3.0, 4.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([6.0, 8.0])))
        >>> [round(v, 4) for v in new.tolist()]  # p' scaled to 0.1 ‖p‖
        [3.3, 4.4]
    """
    _rate("lars", lr)
    hyper.nonnegative("lars", "weight_decay", weight_decay)
    hyper.nonnegative("lars", "trust_coefficient", trust_coefficient)
    hyper.nonnegative("lars", "eps", eps)
    hyper.decay("lars", "momentum", momentum)

    def update(s, p, d):
        u = _trust(_decay(d, weight_decay, p), p, 0.0, trust_coefficient, eps)
        u = _scale(_at(lr, s.count), u)
        trace = _map(lambda g, t: g + _like(momentum, t) * t, u, s.trace)
        out = _map(lambda g, t: g + _like(momentum, t) * t, u, trace) if nesterov else trace
        return MomentumState(_inc(s.count), trace), out
    return rule("lars", lambda params: _momentum_state(params, None), update, lr=lr,
                weight_decay=weight_decay, trust_coefficient=trust_coefficient, eps=eps,
                momentum=momentum, nesterov=nesterov)


def adadelta(lr: float | Schedule, rho: float = 0.9, eps: float = 1e-6,
             weight_decay: float = 0.0) -> Optimiser:
    """Adadelta: ``a = √(E[u²] + ε)/√(E[p'²] + ε) · p'`` (``optax.adadelta``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adadelta(1.0, eps=0.01), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.2673, 1.7327]
    """
    _rate("adadelta", lr)
    hyper.decay("adadelta", "rho", rho)
    hyper.nonnegative("adadelta", "eps", eps)
    hyper.nonnegative("adadelta", "weight_decay", weight_decay)

    def update(s, p, d):
        d = _decay(d, weight_decay, p)
        e_g = _map(lambda g, t: _ema(g ** 2, t, rho), d, s.e_g)
        u = _map(lambda g, eg, ex: (jnp.sqrt(ex + _like(eps, ex)) / jnp.sqrt(eg + _like(eps, eg)))
                 * g, d, e_g, s.e_x)
        e_x = _map(lambda g, t: _ema(g ** 2, t, rho), u, s.e_x)
        return AdadeltaState(_inc(s.count), e_g, e_x), _scale(_at(lr, s.count), u)
    return rule("adadelta", lambda params: AdadeltaState(_start(), _zeros(params), _zeros(params)),
                update, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)


def rprop(lr: float, eta_minus: float = 0.5, eta_plus: float = 1.2, min_step_size: float = 1e-6,
          max_step_size: float = 50.0) -> Optimiser:
    """Rprop: per-entry steps ``lr``, grown by ``η+`` while ``sign p'`` holds, shrunk by
    ``η−`` (and skipped once) when it flips; as in ``optax.rprop`` each step applies
    the previous step's ``lr_i sign p'_i``, so the first step makes none.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p, d = rprop(0.1), jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5])
        >>> lens = opt.lens(ArrayType((2,)), SMOOTH)
        >>> s, p1 = lens.put((opt.init(p), p, d))
        >>> s, p2 = lens.put((s, p1, d))
        >>> p1.tolist(), [round(v, 4) for v in p2.tolist()]
        ([1.0, 2.0], [1.1, 1.9])
    """
    hyper.positive("rprop", "lr", lr)
    hyper.decay("rprop", "eta_minus", eta_minus)
    hyper.positive("rprop", "eta_plus", eta_plus)
    hyper.nonnegative("rprop", "min_step_size", min_step_size)
    hyper.positive("rprop", "max_step_size", max_step_size)

    def update(s, p, d):
        sign = _map(jnp.multiply, d, s.prev_updates)
        steps = _map(lambda c, t: jnp.where(
            c == 0, t, jnp.clip(t * jnp.where(c > 0, _like(eta_plus, t), _like(eta_minus, t)),
                                min=_like(min_step_size, t), max=_like(max_step_size, t))),
            sign, s.step_sizes)
        prev = _map(lambda c, g, t: jnp.where(c < 0, jnp.zeros_like(g), t * jnp.sign(g)),
                    sign, d, steps)
        u = _map(lambda c, t: jnp.where(c < 0, jnp.zeros_like(t), t), sign, s.prev_updates)
        return RpropState(steps, prev), u
    def init(params):
        _real("rprop", params)
        return RpropState(_full(params, lr), _zeros(params))
    return rule("rprop", init, update,
                lr=lr, eta_minus=eta_minus, eta_plus=eta_plus, min_step_size=min_step_size,
                max_step_size=max_step_size)


def sign_sgd(lr: float | Schedule) -> Optimiser:
    """Sign descent ``u = lr · sign(p')`` (``optax.sign_sgd``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = sign_sgd(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([3.0, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1, 1.9]
    """
    _rate("sign_sgd", lr)

    def update(s, p, d):
        return CountState(_inc(s.count)), _scale(_at(lr, s.count), _map(jnp.sign, d))
    def init(params):
        _real("sign_sgd", params)
        return CountState(_start())
    return rule("sign_sgd", init, update, lr=lr)


def signum(lr: float | Schedule, beta: float = 0.9, *, accumulator_dtype: Any = None) -> Optimiser:
    """Signum: sign descent on the average ``m' = (1−β) p' + β m`` (``optax.signum``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = signum(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([3.0, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1, 1.9]
    """
    _rate("signum", lr)
    hyper.decay("signum", "beta", beta)
    acc = _dtype("signum", "accumulator_dtype", accumulator_dtype)

    def update(s, p, d):
        ema = _map(lambda g, t: _ema(g, t, beta), d, s.ema)
        return SignumState(_inc(s.count), ema), _scale(_at(lr, s.count), _map(jnp.sign, ema))
    def init(params):
        _real("signum", params)
        return SignumState(_start(), _zeros(params, acc))
    return rule("signum", init, update,
                lr=lr, beta=beta, accumulator_dtype=accumulator_dtype)


def fromage(lr: float | Schedule, min_norm: float = 1e-6) -> Optimiser:
    """Fromage: ``u = lr·μ · ‖p‖/‖p'‖ · p' − (1 − μ) p`` with ``μ = 1/√(1 + lr²)``
    (``optax.fromage``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = fromage(0.1), jnp.array([3.0, 4.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([4.0, -3.0])))
        >>> [round(v, 4) for v in new.tolist()]  # ‖p‖ stays near 5
        [3.3831, 3.6816]
    """
    _rate("fromage", lr)
    hyper.nonnegative("fromage", "min_norm", min_norm)

    def update(s, p, d):
        rate = _at(lr, s.count)
        mult = 1 / (1 + rate ** 2) ** 0.5
        u = _scale(mult * rate, _trust(d, p, min_norm))
        return CountState(_inc(s.count)), _decay(u, 1 - mult, p)
    return rule("fromage", lambda params: CountState(_start()), update, lr=lr, min_norm=min_norm)


def noisy_sgd(lr: float | Schedule, eta: float = 0.01, gamma: float = 0.55, *,
              key: int = 0) -> Optimiser:
    """Noisy SGD: ``u = lr (p' − σ_t ξ)``, ``ξ ~ N(0, 1)``, ``σ_t² = η/t^γ`` (``optax.noisy_sgd``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = noisy_sgd(0.1, eta=0.0), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # no noise when η = 0
        [1.05, 1.95]
    """
    _rate("noisy_sgd", lr)
    hyper.nonnegative("noisy_sgd", "eta", eta)
    hyper.nonnegative("noisy_sgd", "gamma", gamma)

    def update(s, p, d):
        count = _inc(s.count)
        sigma = jnp.sqrt(eta / _count(count, gamma) ** gamma)
        rng, sample = jax.random.split(s.rng_key)
        leaves, treedef = jax.tree.flatten(d)
        keys = jax.random.split(sample, len(leaves))
        noise = [jax.random.normal(k, g.shape, g.dtype) for k, g in zip(keys, leaves)]
        u = _map(lambda g, n: g - _like(sigma, n) * n, d, jax.tree.unflatten(treedef, noise))
        return NoiseState(count, rng), _scale(_at(lr, s.count), u)
    return rule("noisy_sgd", lambda params: NoiseState(_start(), jax.random.PRNGKey(key)), update,
                lr=lr, eta=eta, gamma=gamma, key=key)


def optimistic_gradient_descent(lr: float | Schedule, alpha: float = 1.0,
                                beta: float = 1.0) -> Optimiser:
    """Optimistic descent ``u = lr ((α + β) p'_t − β p'_{t−1})`` (``optax``'s namesake).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = optimistic_gradient_descent(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # p'_{t−1} = p'_t at the first step
        [1.05, 1.95]
    """
    _rate("optimistic_gradient_descent", lr)
    hyper.nonnegative("optimistic_gradient_descent", "alpha", alpha)
    hyper.nonnegative("optimistic_gradient_descent", "beta", beta)

    def update(s, p, d):
        u = _map(lambda g, h: _like(alpha + beta, g) * g
                 - _like(beta, g) * jnp.where(s.count == 0, g, h), d, s.previous)
        return OptimisticState(_inc(s.count), d), _scale(_at(lr, s.count), u)
    return rule("optimistic_gradient_descent",
                lambda params: OptimisticState(_start(), _zeros(params)), update, lr=lr,
                alpha=alpha, beta=beta)
