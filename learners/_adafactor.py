"""Adafactor (``optax.adafactor``): second moments factored into row and column averages
over a leaf's two largest axes, ``v ≈ r cᵀ / mean(r)``, with block-RMS clipping.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _hyper as hyper
from ._dtypes import (_at, _decay, _dtype, _ema, _inc, _like, _map, _promote, _rate, _scale,
                      _sq, _start)
from ._optimiser import Optimiser, rule
from ._states import AdafactorState
from .schedules import Schedule

__all__ = ["adafactor"]


def _factored(shape: tuple[int, ...], factored: bool, min_dim: int) -> tuple[int, int] | None:
    """The two largest axes of a leaf to factor its second moment over, or ``None``."""
    if not factored or len(shape) < 2:
        return None
    order = np.argsort(shape)
    if shape[order[-2]] < min_dim:
        return None
    return int(order[-2]), int(order[-1])


def adafactor(lr: float | Schedule | None = None, min_dim_size_to_factor: int = 128,
              decay_rate: float = 0.8, decay_offset: int = 0,
              multiply_by_parameter_scale: bool = True, clipping_threshold: float | None = 1.0,
              momentum: float | None = None, dtype_momentum: Any = jnp.float32,
              weight_decay_rate: float | None = None, eps: float = 1e-30,
              factored: bool = True) -> Optimiser:
    """Adafactor (``optax.adafactor``): second moments factored into row and column
    averages over the two largest axes, then block-RMS clipping, ``lr``, the
    parameters' RMS scale, optional momentum and weight decay.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = adafactor(0.1), jnp.array([1.0, 2.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in new.tolist()]  # sign(p') · lr · rms(p)
        [1.1581, 1.8419]
    """
    if lr is not None:
        _rate("adafactor", lr)
    hyper.count("adafactor", "min_dim_size_to_factor", min_dim_size_to_factor)
    hyper.positive("adafactor", "decay_rate", decay_rate)
    hyper.finite("adafactor", "decay_offset", decay_offset)
    if clipping_threshold is not None:
        hyper.positive("adafactor", "clipping_threshold", clipping_threshold)
    if momentum is not None:
        hyper.decay("adafactor", "momentum", momentum)
    if weight_decay_rate is not None:
        hyper.nonnegative("adafactor", "weight_decay_rate", weight_decay_rate)
    hyper.nonnegative("adafactor", "eps", eps)
    mom_dt = _dtype("adafactor", "dtype_momentum", dtype_momentum)

    def dims(x):
        return _factored(x.shape, factored, min_dim_size_to_factor)

    def momentum_zeros(x):  # complex parameters keep a complex momentum (optax drops the ℑ)
        return jnp.zeros_like(x, _promote(mom_dt, x.dtype) if jnp.iscomplexobj(x) else mom_dt)

    def init(params):
        def row(x):
            return None if dims(x) is None else jnp.zeros(np.delete(x.shape, dims(x)[1]), x.dtype)

        def col(x):
            return None if dims(x) is None else jnp.zeros(np.delete(x.shape, dims(x)[0]), x.dtype)
        return AdafactorState(_start(), _map(row, params), _map(col, params),
                              _map(lambda x: jnp.zeros_like(x) if dims(x) is None else None,
                                   params),
                              None if momentum is None else _map(momentum_zeros, params))

    def mix(decay_t, old, new):
        """``decay_t·old + (1 − decay_t)·new`` in optax's promoted dtype, stored as ``old``."""
        dt = _promote(decay_t, old, new)
        return (decay_t.astype(dt) * old.astype(dt)
                + (1.0 - decay_t).astype(dt) * new.astype(dt)).astype(old.dtype)

    def leaf(g, rw, cl, v, decay_t):
        sq = _sq(g)
        sq = sq + _like(eps, sq)
        if dims(g) is None:
            v = mix(decay_t, v, sq)
            return g * (v ** -0.5).astype(g.dtype), None, None, v
        d1, d0 = dims(g)
        rw, cl = mix(decay_t, rw, jnp.mean(sq, axis=d0)), mix(decay_t, cl, jnp.mean(sq, axis=d1))
        row_factor = (rw / jnp.mean(rw, axis=d1 - 1 if d1 > d0 else d1, keepdims=True)) ** -0.5
        return (g * jnp.expand_dims(row_factor, axis=d0)
                * jnp.expand_dims(cl ** -0.5, axis=d1)), rw, cl, None

    def update(s, p, d):
        t = jnp.array(s.count - decay_offset + 1, jnp.float32)
        decay_t = 1.0 - t ** (-decay_rate)
        out = [leaf(g, rw, cl, v, decay_t) for g, rw, cl, v in zip(
            jax.tree.leaves(d), *(jax.tree.leaves(x, is_leaf=lambda y: y is None)
                                  for x in (s.v_row, s.v_col, s.v)))]
        treedef = jax.tree.structure(d)
        u, rows, cols, vs = (jax.tree.unflatten(treedef, [o[i] for o in out]) for i in range(4))
        if clipping_threshold is not None:
            u = _map(lambda x: x / jnp.maximum(1.0, jnp.sqrt(jnp.mean(_sq(x)))
                                               / _like(clipping_threshold, x.real)).astype(x.dtype),
                     u)
        if lr is not None:
            u = _scale(_at(lr, s.count), u)
        if multiply_by_parameter_scale:
            u = _map(lambda x, w: x * _safe_rms(w, 1e-3).astype(x.dtype), u, p)
        mu = None
        if momentum is not None:
            mu = _map(lambda g, m: _ema(g, m, momentum), u, s.mu)
            u = mu
        if weight_decay_rate is not None:
            u = _decay(u, weight_decay_rate, p)
        return AdafactorState(_inc(s.count), rows, cols, vs, mu), u
    return rule("adafactor", init, update, lr=lr, min_dim_size_to_factor=min_dim_size_to_factor,
                decay_rate=decay_rate, decay_offset=decay_offset,
                multiply_by_parameter_scale=multiply_by_parameter_scale,
                clipping_threshold=clipping_threshold, momentum=momentum,
                dtype_momentum=dtype_momentum, weight_decay_rate=weight_decay_rate, eps=eps,
                factored=factored)


def _safe_rms(x: Any, min_rms: float) -> Any:
    """``rms(x)``, or ``min_rms`` when that is smaller (optax's ``safe_root_mean_squares``)."""
    rms = jnp.sqrt(jnp.mean(_sq(x)))
    x = jnp.where(rms <= min_rms, jnp.ones_like(x), x)
    return jnp.where(rms <= min_rms, min_rms, jnp.sqrt(jnp.mean(_sq(x))))
