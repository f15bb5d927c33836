"""The Adam family: Adam and its variants on the moments ``m' = β1 m + (1−β1) p'`` and
``v' = β2 v + (1−β2)|p'|²``, bias-corrected to ``m̂ = m'/(1−β1^t)``, ``v̂ = v'/(1−β2^t)``.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from . import _hyper as hyper
from ._dtypes import (_at, _debias, _decay, _dtype, _ema, _full, _inc, _like, _map, _norm,
                      _power, _rate, _real, _scale, _sq, _start, _sum, _trust, _zeros)
from ._optimiser import Optimiser, rule
from ._states import AdamState, AdanState, AdemamixState, AmsgradState, LionState
from .schedules import Schedule

__all__ = [
    "adam", "adamw", "nadam", "nadamw", "lamb", "amsgrad", "adamax", "adamaxw", "radam",
    "adabelief", "yogi", "novograd", "lion", "ademamix", "adan"
]


# -- the Adam family ----------------------------------------------------------------------------

def _adam_checks(owner, lr, b1, b2, eps, eps_root):
    _rate(owner, lr)
    hyper.decay(owner, "b1", b1)
    hyper.decay(owner, "b2", b2)
    hyper.nonnegative(owner, "eps", eps)
    hyper.nonnegative(owner, "eps_root", eps_root)


def _adam_init(params, mu_dtype):
    return AdamState(_start(), _zeros(params, mu_dtype), _zeros(params))


def _moments(s, d, b1, b2):
    """Adam's new moments and count: ``m' = (1−β1) p' + β1 m``, ``v' = (1−β2)|p'|² + β2 v``."""
    mu = _map(lambda g, t: _ema(g, t, b1), d, s.mu)
    nu = _map(lambda g, t: _sum(_like(1 - b2, t) * _sq(g), _like(b2, t) * t), d, s.nu)
    return mu, nu, _inc(s.count)


def _mu_hat(mu, d, b1, count, nesterov):
    """``m̂``; with ``nesterov`` (NAdam) ``β1 m'/(1−β1^{t+1}) + (1−β1) p'/(1−β1^t)``."""
    if not nesterov:
        return _map(lambda t: _debias(t, b1, count), mu)
    return _map(lambda m, g: _like(b1, m) * _debias(m, b1, _inc(count))
                + _like(1 - b1, g) * _debias(g, b1, count), mu, d)


def _adam_step(m_hat, v_hat, eps, eps_root):
    return _map(lambda m, v: m / (jnp.sqrt(v + _like(eps_root, v)) + _like(eps, v)), m_hat, v_hat)


def _adam(owner, lr, b1, b2, eps, eps_root, mu_dtype, weight_decay, nesterov, trust=False):
    """Adam's update (and init), then ``− λ p`` unless ``weight_decay`` is None, then
    LAMB's trust ratio if ``trust``, then ``lr``."""
    _adam_checks(owner, lr, b1, b2, eps, eps_root)
    if weight_decay is not None:
        hyper.nonnegative(owner, "weight_decay", weight_decay)
    mu_dt = _dtype(owner, "mu_dtype", mu_dtype)

    def update(s, p, d):
        mu, nu, count = _moments(s, d, b1, b2)
        u = _adam_step(_mu_hat(mu, d, b1, count, nesterov),
                       _map(lambda t: _debias(t, b2, count), nu), eps, eps_root)
        if weight_decay is not None:
            u = _decay(u, weight_decay, p)
        if trust:
            u = _trust(u, p)
        return AdamState(count, mu, nu), _scale(_at(lr, s.count), u)
    return update, (lambda params: _adam_init(params, mu_dt))


def adam(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
         eps_root: float = 0.0, *, mu_dtype: Any = None) -> Optimiser:
    """Adam (``optax.adam``; CFGBL Ex. 3.18 in its standard form), state ``(t, m, v)``:

    ``m' = β1 m + (1−β1) p'``, ``v' = β2 v + (1−β2)|p'|²``, ``u = lr · m̂/(√(v̂ + ε_r) + ε)``
    with ``m̂ = m'/(1−β1^t)``, ``v̂ = v'/(1−β2^t)``; ``mu_dtype`` stores ``m`` in that dtype.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adam(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # m̂/√v̂ = sign(p') at the first step
        [1.1, 1.9]
    """
    update, init = _adam("adam", lr, b1, b2, eps, eps_root, mu_dtype, None, False)
    return rule("adam", init, update, lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                mu_dtype=mu_dtype)


def adamw(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
          weight_decay: float = 1e-4, eps_root: float = 0.0, *, mu_dtype: Any = None) -> Optimiser:
    """AdamW: Adam's step with decoupled weight decay, ``u = lr (m̂/(√v̂ + ε) − λ p)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adamw(0.1, weight_decay=0.5), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # sign(p') − 0.5 p
        [1.05, 1.8]
    """
    update, init = _adam("adamw", lr, b1, b2, eps, eps_root, mu_dtype, weight_decay, False)
    return rule("adamw", init, update, lr=lr, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay,
                eps_root=eps_root, mu_dtype=mu_dtype)


def nadam(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
          eps_root: float = 0.0, *, mu_dtype: Any = None) -> Optimiser:
    """NAdam: Adam with Nesterov's first moment ``β1 m̂_{t+1} + (1−β1) p̂'`` (``optax.nadam``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = nadam(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1474, 1.8526]
    """
    update, init = _adam("nadam", lr, b1, b2, eps, eps_root, mu_dtype, None, True)
    return rule("nadam", init, update, lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                mu_dtype=mu_dtype)


def nadamw(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
           weight_decay: float = 1e-4, eps_root: float = 0.0, *,
           mu_dtype: Any = None) -> Optimiser:
    """NAdamW: NAdam with decoupled weight decay (``optax.nadamw``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = nadamw(0.1, weight_decay=0.5), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.0974, 1.7526]
    """
    update, init = _adam("nadamw", lr, b1, b2, eps, eps_root, mu_dtype, weight_decay, True)
    return rule("nadamw", init, update, lr=lr, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay,
                eps_root=eps_root, mu_dtype=mu_dtype)


def lamb(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-6,
         eps_root: float = 0.0, weight_decay: float = 0.0) -> Optimiser:
    """LAMB: AdamW's step ``a``, rescaled per leaf by the trust ratio ``‖p‖/‖a‖`` (``optax.lamb``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = lamb(0.1), jnp.array([3.0, 4.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # a = sign(p'), scaled to ‖p‖ = 5
        [3.3536, 3.6464]
    """
    update, init = _adam("lamb", lr, b1, b2, eps, eps_root, None, weight_decay, False, trust=True)
    return rule("lamb", init, update, lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                weight_decay=weight_decay)


def amsgrad(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
            eps_root: float = 0.0, *, mu_dtype: Any = None) -> Optimiser:
    """AMSGrad: Adam dividing by the running maximum of ``v̂`` (``optax.amsgrad``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = amsgrad(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1, 1.9]
    """
    _adam_checks("amsgrad", lr, b1, b2, eps, eps_root)
    mu_dt = _dtype("amsgrad", "mu_dtype", mu_dtype)

    def init(params):
        return AmsgradState(_start(), _zeros(params, mu_dt), _zeros(params), _zeros(params))

    def update(s, p, d):
        mu, nu, count = _moments(s, d, b1, b2)
        nu_max = _map(lambda a, t: jnp.maximum(a, _debias(t, b2, count)), s.nu_max, nu)
        u = _adam_step(_mu_hat(mu, d, b1, count, False), nu_max, eps, eps_root)
        return AmsgradState(count, mu, nu, nu_max), _scale(_at(lr, s.count), u)
    return rule("amsgrad", init, update, lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                mu_dtype=mu_dtype)


def _adamax(owner, lr, b1, b2, eps, weight_decay):
    _rate(owner, lr)
    hyper.decay(owner, "b1", b1)
    hyper.decay(owner, "b2", b2)
    hyper.nonnegative(owner, "eps", eps)
    hyper.nonnegative(owner, "weight_decay", weight_decay)

    def update(s, p, d):
        count = _inc(s.count)
        mu = _map(lambda g, t: _ema(g, t, b1), d, s.mu)
        nu = _map(lambda g, t: jnp.maximum(jnp.abs(g) + _like(eps, t), _like(b2, t) * t), d, s.nu)
        u = _map(lambda m, v: _debias(m, b1, count) / v, mu, nu)
        return AdamState(count, mu, nu), _scale(_at(lr, s.count), _decay(u, weight_decay, p))
    return update


def adamax(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999,
           eps: float = 1e-8) -> Optimiser:
    """Adamax: Adam with the infinity norm ``ν' = max(|p'| + ε, β2 ν)`` (``optax.adamax``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adamax(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1, 1.9]
    """
    return rule("adamax", lambda params: _adam_init(params, None),
                _adamax("adamax", lr, b1, b2, eps, 0.0), lr=lr, b1=b1, b2=b2, eps=eps)


def adamaxw(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
            weight_decay: float = 1e-4) -> Optimiser:
    """Adamax with decoupled weight decay (``optax.adamaxw``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adamaxw(0.1, weight_decay=0.5), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.05, 1.8]
    """
    return rule("adamaxw", lambda params: _adam_init(params, None),
                _adamax("adamaxw", lr, b1, b2, eps, weight_decay), lr=lr, b1=b1, b2=b2, eps=eps,
                weight_decay=weight_decay)


def radam(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
          eps_root: float = 0.0, threshold: float = 5.0) -> Optimiser:
    """RAdam: Adam's step rectified by ``r_t``, or ``m̂`` alone while ``ρ_t < threshold``
    (``optax.radam``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = radam(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # m̂ = p' at first
        [1.05, 1.95]
    """
    _adam_checks("radam", lr, b1, b2, eps, eps_root)
    hyper.finite("radam", "threshold", threshold)
    ro_inf = 2.0 / (1.0 - b2) - 1.0

    def update(s, p, d):
        mu, nu, count = _moments(s, d, b1, b2)
        b2t = _power(b2, count)
        ro = ro_inf - (2 * count).astype(b2t.dtype) * b2t / (1 - b2t)
        r = jnp.sqrt((ro - 4.0) * (ro - 2.0) * ro_inf / ((ro_inf - 4.0) * (ro_inf - 2.0) * ro))
        m_hat = _mu_hat(mu, d, b1, count, False)
        v_hat = _map(lambda t: _debias(t, b2, count), nu)
        rectified = _map(lambda m, v: r.astype(m.dtype) * m
                         / (jnp.sqrt(v + _like(eps_root, v)) + _like(eps, v)), m_hat, v_hat)
        u = _map(lambda a, m: jnp.where(ro >= threshold, a, m), rectified, m_hat)
        return AdamState(count, mu, nu), _scale(_at(lr, s.count), u)
    return rule("radam", lambda params: _adam_init(params, None), update, lr=lr, b1=b1, b2=b2,
                eps=eps, eps_root=eps_root, threshold=threshold)


def adabelief(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-16,
              eps_root: float = 1e-16) -> Optimiser:
    """AdaBelief: Adam with ``ν`` the average of ``|p' − m'|²`` (``optax.adabelief``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adabelief(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1111, 1.8889]
    """
    _adam_checks("adabelief", lr, b1, b2, eps, eps_root)

    def update(s, p, d):
        mu = _map(lambda g, t: _ema(g, t, b1), d, s.mu)
        nu = _map(lambda g, m, t: _sum(_like(1 - b2, t) * _sq(g - m), _like(b2, t) * t)
                  + _like(eps_root, t), d, mu, s.nu)
        count = _inc(s.count)
        u = _map(lambda m, v: _debias(m, b1, count) / (jnp.sqrt(_debias(v, b2, count))
                                                       + _like(eps, v)), mu, nu)
        return AdamState(count, mu, nu), _scale(_at(lr, s.count), u)
    return rule("adabelief", lambda params: _adam_init(params, None), update, lr=lr, b1=b1, b2=b2,
                eps=eps, eps_root=eps_root)


def yogi(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-3,
         initial_accumulator_value: float = 1e-6) -> Optimiser:
    """Yogi: ``ν' = ν − (1−β2) sign(ν − |p'|²) |p'|²`` (``optax.yogi``).

    The first moment starts at ``−v₀``: our moments are of ``p' = −∇``, optax's of ``∇``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = yogi(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.0996, 1.9004]
    """
    _rate("yogi", lr)
    hyper.decay("yogi", "b1", b1)
    hyper.decay("yogi", "b2", b2)
    hyper.nonnegative("yogi", "eps", eps)
    hyper.nonnegative("yogi", "initial_accumulator_value", initial_accumulator_value)

    def init(params):
        return AdamState(_start(), _full(params, -initial_accumulator_value),
                         _full(params, initial_accumulator_value))

    def update(s, p, d):
        mu = _map(lambda g, t: _ema(g, t, b1), d, s.mu)
        nu = _map(lambda g, v: v - _like(1 - b2, v) * jnp.sign(v - _sq(g)) * _sq(g), d, s.nu)
        count = _inc(s.count)
        u = _adam_step(_map(lambda t: _debias(t, b1, count), mu),
                       _map(lambda t: _debias(t, b2, count), nu), eps, 0.0)
        return AdamState(count, mu, nu), _scale(_at(lr, s.count), u)
    return rule("yogi", init, update, lr=lr, b1=b1, b2=b2, eps=eps,
                initial_accumulator_value=initial_accumulator_value)


def novograd(lr: float | Schedule, b1: float = 0.9, b2: float = 0.25, eps: float = 1e-6,
             eps_root: float = 0.0, weight_decay: float = 0.0) -> Optimiser:
    """NovoGrad: layer-wise ``ν = ‖p'‖²`` averages, ``m' = β1 m + p'/(√ν + ε) − λ p``
    (``optax.novograd``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = novograd(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([3.0, -4.0])))
        >>> [round(v, 4) for v in new.tolist()]  # p'/‖p'‖
        [1.06, 1.92]
    """
    _adam_checks("novograd", lr, b1, b2, eps, eps_root)
    hyper.nonnegative("novograd", "weight_decay", weight_decay)

    def init(params):
        return AdamState(_start(), _zeros(params), _map(lambda x: jnp.zeros([], x.dtype), params))

    def update(s, p, d):
        count = _inc(s.count)
        first = count == 1
        nu = _map(lambda g, n: jnp.where(first, (_norm(g) ** 2).astype(n.dtype),
                                         _ema(_norm(g) ** 2, n, b2)), d, s.nu)
        add = _map(lambda g, w, n: g / (jnp.sqrt(n + _like(eps_root, n)) + _like(eps, n))
                   - _like(weight_decay, w) * w, d, p, nu)
        mu = _map(lambda m, a: jnp.where(first, a, _like(b1, m) * m + a), s.mu, add)
        return AdamState(count, mu, nu), _scale(_at(lr, s.count), mu)
    return rule("novograd", init, update, lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                weight_decay=weight_decay)


def lion(lr: float | Schedule, b1: float = 0.9, b2: float = 0.99, weight_decay: float = 1e-3, *,
         mu_dtype: Any = None) -> Optimiser:
    """Lion: ``u = lr (sign((1−β1) p' + β1 m) − λ p)``, ``m' = (1−β2) p' + β2 m`` (``optax.lion``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = lion(0.1, weight_decay=0.0), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # sign((1−β1) p')
        [1.1, 1.9]
    """
    _rate("lion", lr)
    hyper.decay("lion", "b1", b1)
    hyper.decay("lion", "b2", b2)
    hyper.nonnegative("lion", "weight_decay", weight_decay)
    mu_dt = _dtype("lion", "mu_dtype", mu_dtype)

    def update(s, p, d):
        u = _map(lambda g, m: jnp.sign(_sum(_like(1.0 - b1, g) * g, _like(b1, m) * m)), d, s.mu)
        mu = _map(lambda g, t: _ema(g, t, b2), d, s.mu)
        return LionState(_inc(s.count), mu), _scale(_at(lr, s.count), _decay(u, weight_decay, p))
    def init(params):
        _real("lion", params)
        return LionState(_start(), _zeros(params, mu_dt))
    return rule("lion", init, update, lr=lr,
                b1=b1, b2=b2, weight_decay=weight_decay, mu_dtype=mu_dtype)


def ademamix(lr: float | Schedule, b1: float = 0.9, b2: float = 0.999, b3: float = 0.9999,
             alpha: float = 5.0, eps: float = 1e-8, eps_root: float = 0.0,
             weight_decay: float = 0.0, *, mu_dtype: Any = None) -> Optimiser:
    """AdEMAMix: ``u = lr ((m̂1 + α m2)/(√v̂ + ε) − λ p)`` with a slow moment ``m2`` (β3)
    (``optax.contrib.ademamix``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = ademamix(0.1, alpha=0.0), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # Adam's step when α = 0
        [1.1, 1.9]
    """
    _adam_checks("ademamix", lr, b1, b2, eps, eps_root)
    hyper.decay("ademamix", "b3", b3)
    hyper.nonnegative("ademamix", "alpha", alpha)
    hyper.nonnegative("ademamix", "weight_decay", weight_decay)
    mu_dt = _dtype("ademamix", "mu_dtype", mu_dtype)

    def init(params):
        return AdemamixState(_start(), _zeros(params, mu_dt), _zeros(params, mu_dt),
                             _zeros(params, mu_dt))

    def update(s, p, d):
        m1 = _map(lambda g, t: _ema(g, t, b1), d, s.m1)
        m2 = _map(lambda g, t: _ema(g, t, b3), d, s.m2)
        nu = _map(lambda g, t: _sum(_like(1 - b2, t) * _sq(g), _like(b2, t) * t), d, s.nu)
        count = _inc(s.count)
        u = _map(lambda a, b, v: (_debias(a, b1, count) + _like(alpha, b) * b)
                 / (jnp.sqrt(_debias(v, b2, count) + _like(eps_root, v)) + _like(eps, v)),
                 m1, m2, nu)
        return (AdemamixState(count, m1, m2, nu),
                _scale(_at(lr, s.count), _decay(u, weight_decay, p)))
    return rule("ademamix", init, update, lr=lr, b1=b1, b2=b2, b3=b3, alpha=alpha, eps=eps,
                eps_root=eps_root, weight_decay=weight_decay, mu_dtype=mu_dtype)


def adan(lr: float | Schedule, b1: float = 0.98, b2: float = 0.92, b3: float = 0.99,
         eps: float = 1e-8, eps_root: float = 1e-8, weight_decay: float = 0.0) -> Optimiser:
    """Adan: Nesterov-style moments of ``p'`` and of its difference (``optax.adan``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adan(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]
        [1.1, 1.9]
    """
    _adam_checks("adan", lr, b1, b2, eps, eps_root)
    hyper.decay("adan", "b3", b3)
    hyper.nonnegative("adan", "weight_decay", weight_decay)

    def init(params):
        return AdanState(_start(), _zeros(params), _zeros(params), _zeros(params), _zeros(params))

    def update(s, p, d):
        diff = _map(lambda g, h: jnp.where(s.count == 0, jnp.zeros_like(g), g - h), d, s.g)
        m = _map(lambda g, t: _ema(g, t, b1), d, s.m)
        v = _map(lambda g, t: _ema(g, t, b2), diff, s.v)
        sq = _map(lambda g, h: g + _like(1 - b2, h) * h, d, diff)
        n = _map(lambda g, t: _sum(_like(1 - b3, t) * _sq(g), _like(b3, t) * t), sq, s.n)
        count = _inc(s.count)
        u = _map(lambda a, b, c: (_debias(a, b1, count) + _like(1 - b2, b) * _debias(b, b2, count))
                 / (jnp.sqrt(_debias(c, b3, count) + _like(eps_root, c)) + _like(eps, c)),
                 m, v, n)
        return (AdanState(count, m, v, n, d),
                _scale(_at(lr, s.count), _decay(u, weight_decay, p)))
    return rule("adan", init, update, lr=lr, b1=b1, b2=b2, b3=b3, eps=eps, eps_root=eps_root,
                weight_decay=weight_decay)
