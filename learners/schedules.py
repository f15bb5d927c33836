"""Step-size schedules: functions ``t ↦ η(t)`` of the step count ``t`` (traceable).

A :data:`Schedule` is any such function; optimisers and rates accept one wherever
they accept a number.

Example:
    >>> import jax.numpy as jnp
    >>> s: Schedule = warmup_cosine(1.0, warmup_steps=10, decay_steps=100)
    >>> float(s(jnp.asarray(5))), float(s(jnp.asarray(10)))
    (0.5, 1.0)
"""

from __future__ import annotations

from typing import Callable

import jax.numpy as jnp

from categories import BadHyperparameter

from . import _hyper as hyper

__all__ = ["Schedule", "constant", "exponential", "cosine", "warmup_cosine", "as_schedule"]

#: The type of a schedule, from the step count ``t`` to the step size ``η(t)``.
Schedule = Callable[[jnp.ndarray], jnp.ndarray]


def _real():
    # JAX's default real dtype when traced: float64 under x64, so float64 parameters
    # are stepped by a float64 η(t), float32 otherwise
    return jnp.result_type(float)


def constant(value: float) -> Schedule:
    """``η(t) = value``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = constant(0.5)
        >>> float(s(jnp.asarray(0))), float(s(jnp.asarray(1000)))
        (0.5, 0.5)
    """
    hyper.finite("constant", "value", value)
    return lambda t: jnp.asarray(value, _real())


def exponential(init: float, decay_rate: float, transition_steps: int) -> Schedule:
    """``η(t) = init · decay_rate^(t / transition_steps)`` (smooth exponential decay).

    Example: halving every 10 steps.

        >>> import jax.numpy as jnp
        >>> s = exponential(1.0, 0.5, 10)
        >>> [round(float(s(jnp.asarray(t))), 4) for t in (0, 5, 10, 20)]
        [1.0, 0.7071, 0.5, 0.25]
    """
    hyper.finite("exponential", "init", init)
    hyper.nonnegative("exponential", "decay_rate", decay_rate)
    hyper.count("exponential", "transition_steps", transition_steps)
    return lambda t: init * decay_rate ** (jnp.asarray(t, _real()) / transition_steps)


def cosine(init: float, decay_steps: int, alpha: float = 0.0) -> Schedule:
    """``η(t) = init · ((1 − α) · ½(1 + cos(π min(t, T)/T)) + α)`` with ``T = decay_steps``.

    Example: from ``init`` down to ``α · init`` at ``T``, then constant.

        >>> import jax.numpy as jnp
        >>> s = cosine(2.0, 100, alpha=0.1)
        >>> [round(float(s(jnp.asarray(t))), 4) for t in (0, 50, 100, 200)]
        [2.0, 1.1, 0.2, 0.2]
    """
    hyper.finite("cosine", "init", init)
    hyper.count("cosine", "decay_steps", decay_steps)
    hyper.finite("cosine", "alpha", alpha)

    def schedule(t):
        frac = jnp.minimum(jnp.asarray(t, _real()), decay_steps) / decay_steps
        return init * ((1 - alpha) * 0.5 * (1 + jnp.cos(jnp.pi * frac)) + alpha)
    return schedule


def warmup_cosine(peak: float, warmup_steps: int, decay_steps: int, end: float = 0.0) -> Schedule:
    """Linear warm-up from 0 to ``peak`` over ``warmup_steps``, then cosine decay to
    ``end`` at ``decay_steps`` (``decay_steps`` counts from the start, as optax does).

    Example:
        >>> import jax.numpy as jnp
        >>> s = warmup_cosine(1.0, warmup_steps=10, decay_steps=110)
        >>> [round(float(s(jnp.asarray(t))), 4) for t in (0, 5, 10, 60, 110, 500)]
        [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """
    hyper.finite("warmup_cosine", "peak", peak)
    hyper.finite("warmup_cosine", "end", end)
    hyper.count("warmup_cosine", "warmup_steps", warmup_steps)
    hyper.count("warmup_cosine", "decay_steps", decay_steps)
    if warmup_steps >= decay_steps:
        raise BadHyperparameter(f"warmup_cosine: warmup_steps must be < decay_steps, got "
                                f"warmup_steps={warmup_steps}, decay_steps={decay_steps}")

    def schedule(t):
        t = jnp.asarray(t, _real())
        warm = peak * t / warmup_steps
        frac = jnp.clip((t - warmup_steps) / (decay_steps - warmup_steps), 0.0, 1.0)
        cool = end + (peak - end) * 0.5 * (1 + jnp.cos(jnp.pi * frac))
        return jnp.where(t < warmup_steps, warm, cool)
    return schedule


def as_schedule(value: float | Schedule) -> Schedule:
    """A number as a constant schedule; a schedule as itself.

    Example:
        >>> import jax.numpy as jnp
        >>> float(as_schedule(0.25)(jnp.asarray(7)))
        0.25
        >>> s = cosine(1.0, 10)
        >>> as_schedule(s) is s
        True
    """
    return value if callable(value) else constant(value)
