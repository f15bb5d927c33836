"""Range checks for hyperparameters, run when an optimiser, rate or schedule is built.

Each check refuses a value outside its range with :class:`~categories.BadHyperparameter`
naming the owner, the hyperparameter, the range expected and the value got, so
``adam(0.1, b1=1.0)`` fails where it is written, not as a NaN a thousand steps later.
A value known only under tracing (``optax.inject_hyperparams``) cannot be checked
and is let through; a schedule is checked by the schedule's own constructor.

Example:
    >>> decay("adam", "b1", 0.9)
    >>> decay("adam", "b1", 1.0)
    Traceback (most recent call last):
    ...
    categories._errors.BadHyperparameter: adam: b1 must be a number in [0, 1), got 1.0
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import jax
import numpy as np

from categories import BadHyperparameter


def _real_dtype(dtype: np.dtype) -> bool:
    return np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.integer)


def _number(owner: str, name: str, value: Any, expected: str) -> float | None:
    """``value`` as a float, ``None`` if it is traced (not checkable), else refused."""
    if isinstance(value, jax.core.Tracer):
        return None
    if isinstance(value, (bool, np.bool_)) or not (
            isinstance(value, Real) or (hasattr(value, "shape") and np.shape(value) == ()
                                        and _real_dtype(np.asarray(value).dtype))):
        raise BadHyperparameter(f"{owner}: {name} must be {expected}, got {value!r} "
                                f"({type(value).__name__})")
    number = float(value)
    if not math.isfinite(number):
        raise BadHyperparameter(f"{owner}: {name} must be {expected}, got {number}")
    return number


def _check(owner: str, name: str, value: Any, expected: str, ok) -> None:
    number = _number(owner, name, value, expected)
    if number is not None and not ok(number):
        raise BadHyperparameter(f"{owner}: {name} must be {expected}, got {value!r}")


def rate(owner: str, name: str, value: Any) -> None:
    """A step size: a finite number ``≥ 0``, or a schedule (a callable)."""
    if not callable(value):
        _check(owner, name, value, "a finite number ≥ 0 or a schedule", lambda v: v >= 0)


def decay(owner: str, name: str, value: Any) -> None:
    """A decay or momentum coefficient in ``[0, 1)`` (1 would never forget, or divide by 0)."""
    _check(owner, name, value, "a number in [0, 1)", lambda v: 0 <= v < 1)


def nonnegative(owner: str, name: str, value: Any) -> None:
    """A finite number ``≥ 0`` (an ``ε``, a weight decay, an accumulator's start)."""
    _check(owner, name, value, "a finite number ≥ 0", lambda v: v >= 0)


def positive(owner: str, name: str, value: Any) -> None:
    """A finite number ``> 0`` (a clipping norm)."""
    _check(owner, name, value, "a finite number > 0", lambda v: v > 0)


def finite(owner: str, name: str, value: Any) -> None:
    """Any finite number."""
    _check(owner, name, value, "a finite number", lambda v: True)


def count(owner: str, name: str, value: Any) -> None:
    """A whole number of steps ``> 0``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value <= 0:
        raise BadHyperparameter(f"{owner}: {name} must be a whole number > 0, got {value!r}")
