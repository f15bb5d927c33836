"""Arithmetic in optax's dtypes, and the checks of hyperparameters the rules share.

Every smooth rule follows optax's arithmetic operation for operation (checked to
1e-6 relative in float32 and ~1e-12 in float64 over 100 steps), with hyperparameters
taking the dtype of what they multiply as optax's Python floats do: ``_like(x, leaf)``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from categories import BadHyperparameter, BadPoint

from . import _hyper as hyper
from ._optimiser import _map


# -- arithmetic in optax's dtypes ----------------------------------------------------------

def _like(x: Any, leaf: Any) -> Any:
    """A hyperparameter (or an expression of them) in ``leaf``'s dtype, as optax's weakly
    typed Python floats are; an array (under ``inject_hyperparams``) is cast."""
    return jnp.asarray(x, leaf.dtype)


def _promote(*xs: Any) -> Any:
    """The common dtype of ``xs`` by JAX's standard promotion (explicit, so that
    mixed-precision states follow optax under strict promotion too)."""
    with jax.numpy_dtype_promotion("standard"):
        return jnp.result_type(*xs)


def _sum(a: Any, b: Any) -> Any:
    dt = a.dtype if a.dtype == b.dtype else _promote(a, b)
    return a.astype(dt) + b.astype(dt)


def _sq(g: Any) -> Any:
    """``|g|²``: ``g²`` for real ``g``, ``conj(g)·g`` for complex (optax's per-element norm)."""
    return (g.conj() * g).real if jnp.iscomplexobj(g) else g ** 2


def _ema(g: Any, t: Any, decay: Any) -> Any:
    """``(1 − decay)·g + decay·t`` (``optax.tree.update_moment``)."""
    return _sum(_like(1 - decay, g) * g, _like(decay, t) * t)


def _count(count: Any, like: Any) -> Any:
    """A step count as a float in the dtype ``like`` would give it in optax's arithmetic."""
    return count.astype(jnp.result_type(like, float))


def _power(decay: Any, count: Any) -> Any:
    """``decay ** count`` as optax computes it (an integer power in ``decay``'s dtype)."""
    return jax.lax.pow(jnp.asarray(decay), count)


def _debias(t: Any, decay: Any, count: Any) -> Any:
    """``t / (1 − decay^count)`` (``optax.tree.bias_correction``)."""
    return t / (1 - _power(decay, count)).astype(t.dtype)


def _inc(count: Any) -> Any:
    """``count + 1``, saturating (optax's ``safe_increment``)."""
    top = jnp.iinfo(count.dtype).max
    return jnp.where(count < top, count + 1, top)


def _at(lr: Any, count: Any) -> Any:
    """A step size at ``count``: a schedule's value, or the number itself."""
    return lr(count) if callable(lr) else lr


def _scale(step: Any, tree: Any) -> Any:
    return _map(lambda x: _like(step, x) * x, tree)


def _decay(u: Any, rate: Any, p: Any) -> Any:
    """``u − rate·p``: decoupled weight decay on the change (optax's ``g + rate·p``)."""
    return _map(lambda x, w: _sum(x, -(_like(rate, w) * w)), u, p)


def _zeros(params: Any, dtype: Any = None) -> Any:
    return _map(lambda x: jnp.zeros_like(x, dtype=dtype), params)


def _full(params: Any, value: Any) -> Any:
    return _map(lambda x: jnp.full_like(x, value), params)


def _start() -> Any:
    return jnp.zeros([], jnp.int32)


def _norm(x: Any) -> Any:
    return jnp.linalg.norm(x)


def _safe_norm(x: Any, min_norm: Any) -> Any:
    """``‖x‖``, or ``min_norm`` when ``‖x‖ ≤ min_norm`` (``optax``'s ``safe_norm``)."""
    norm = jnp.linalg.norm(x, keepdims=True)
    x = jnp.where(norm <= min_norm, jnp.ones_like(x), x)
    return jnp.where(jnp.squeeze(norm) <= min_norm, min_norm, jnp.linalg.norm(x))


def _trust(u: Any, p: Any, min_norm: Any = 0.0, coefficient: Any = 1.0, eps: Any = 0.0) -> Any:
    """``u · c‖p‖/(‖u‖ + ε)`` per leaf, 1 where a norm is 0 (``scale_by_trust_ratio``)."""
    def one(x, w):
        p_norm, u_norm = _safe_norm(w, min_norm), _safe_norm(x, min_norm)
        ratio = coefficient * p_norm / (u_norm + eps)
        zero = jnp.logical_or(p_norm == 0.0, u_norm == 0.0)
        return x * jnp.where(zero, jnp.array(1.0, dtype=w.dtype), ratio)
    return _map(one, u, p)


def _dtype(owner: str, name: str, value: Any) -> Any:
    """A state dtype option: ``None`` (the parameters') or a dtype."""
    if value is None:
        return None
    try:
        return jnp.dtype(value)
    except TypeError:
        raise BadHyperparameter(f"{owner}: {name} must be None or a dtype such as "
                                f"jnp.float32, got {value!r}") from None


def _rate(owner: str, lr: Any) -> None:
    hyper.rate(owner, "lr", lr)


def _real(owner: str, params: Any) -> None:
    """Refuse complex parameters, for rules that take signs or order entries."""
    if any(jnp.iscomplexobj(x) for x in jax.tree.leaves(params)):
        raise BadPoint(f"{owner}: complex parameters are not supported (it takes signs or "
                       f"compares entries); optimise their real and imaginary parts as reals")
