"""The optimisers' states: one NamedTuple per rule or family, its fields (the step
``count`` and the rule's accumulators) named after optax's; ``None`` fills a slot that
the options leave unused.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "CountState", "MomentumState", "AdagradState", "RmspropState", "AdamState",
    "AmsgradState", "LionState", "AdemamixState", "AdadeltaState", "AdafactorState",
    "RpropState", "SignumState", "NoiseState", "OptimisticState", "AdanState",
    "ScheduleFreeState", "MultiStepsState"
]


# -- states ----------------------------------------------------------------------------------

class CountState(NamedTuple):
    """State of the stateless-but-scheduled rules (``sgd``, ``sign_sgd``, …): the step count.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import sgd
        >>> s = sgd(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('CountState', ('count',), 0)
    """
    count: Any


class MomentumState(NamedTuple):
    """State of ``momentum``, ``nesterov`` and ``lars``: the count and optax's ``trace``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import momentum
        >>> momentum(0.1).init(jnp.zeros(2))._fields
        ('count', 'trace')
    """
    count: Any
    trace: Any


class AdagradState(NamedTuple):
    """State of ``adagrad``: the running sum of ``|p'|²``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import adagrad
        >>> adagrad(0.1).init(jnp.zeros(2)).sum_of_squares.tolist()
        [0.10000000149011612, 0.10000000149011612]
    """
    count: Any
    sum_of_squares: Any


class RmspropState(NamedTuple):
    """State of ``rmsprop``: ``nu``, and ``mu`` (centred) and ``trace`` (momentum) or ``None``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import rmsprop
        >>> s = rmsprop(0.1).init(jnp.zeros(2))
        >>> s._fields, s.mu, s.trace
        (('count', 'nu', 'mu', 'trace'), None, None)
    """
    count: Any
    nu: Any
    mu: Any = None
    trace: Any = None


class AdamState(NamedTuple):
    """State of the Adam family: step count and *uncorrected* moments ``mu``, ``nu``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import adam
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
        >>> from learners import amsgrad
        >>> amsgrad(0.1).init(jnp.zeros(2))._fields
        ('count', 'mu', 'nu', 'nu_max')
    """
    count: Any
    mu: Any
    nu: Any
    nu_max: Any


class LionState(NamedTuple):
    """State of ``lion``: the momentum ``mu``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import lion
        >>> lion(0.1).init(jnp.zeros(2))._fields
        ('count', 'mu')
    """
    count: Any
    mu: Any


class AdemamixState(NamedTuple):
    """State of ``ademamix``: fast and slow moments ``m1``, ``m2`` and ``nu``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import ademamix
        >>> ademamix(0.1).init(jnp.zeros(2))._fields
        ('count', 'm1', 'm2', 'nu')
    """
    count: Any
    m1: Any
    m2: Any
    nu: Any


class AdadeltaState(NamedTuple):
    """State of ``adadelta``: averages of squared changes ``e_g`` and squared steps ``e_x``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import adadelta
        >>> adadelta(0.1).init(jnp.zeros(2))._fields
        ('count', 'e_g', 'e_x')
    """
    count: Any
    e_g: Any
    e_x: Any


class AdafactorState(NamedTuple):
    """State of ``adafactor``: factored second moments (``None`` where unused), momentum.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import adafactor
        >>> s = adafactor(0.1, min_dim_size_to_factor=2).init(jnp.zeros((2, 3)))
        >>> s.v_row.shape, s.v_col.shape, s.v, s.mu
        ((2,), (3,), None, None)
    """
    count: Any
    v_row: Any
    v_col: Any
    v: Any
    mu: Any = None


class RpropState(NamedTuple):
    """State of ``rprop``: per-entry step sizes and the previous step.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import rprop
        >>> rprop(0.1).init(jnp.zeros(2)).step_sizes.tolist()
        [0.10000000149011612, 0.10000000149011612]
    """
    step_sizes: Any
    prev_updates: Any


class SignumState(NamedTuple):
    """State of ``signum``: the (unbiased-free) moving average of changes.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import signum
        >>> signum(0.1).init(jnp.zeros(2))._fields
        ('count', 'ema')
    """
    count: Any
    ema: Any


class NoiseState(NamedTuple):
    """State of ``noisy_sgd``: the count and the random key (raw ``uint32`` data).

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import noisy_sgd
        >>> noisy_sgd(0.1, key=0).init(jnp.zeros(2)).rng_key.dtype
        dtype('uint32')
    """
    count: Any
    rng_key: Any


class OptimisticState(NamedTuple):
    """State of ``optimistic_gradient_descent``: the previous change.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import optimistic_gradient_descent
        >>> optimistic_gradient_descent(0.1).init(jnp.zeros(2))._fields
        ('count', 'previous')
    """
    count: Any
    previous: Any


class AdanState(NamedTuple):
    """State of ``adan``: moments ``m``, ``v``, ``n`` and the previous change ``g``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import adan
        >>> adan(0.1).init(jnp.zeros(2))._fields
        ('count', 'm', 'v', 'n', 'g')
    """
    count: Any
    m: Any
    v: Any
    n: Any
    g: Any


class ScheduleFreeState(NamedTuple):
    """State of ``schedule_free``: the base optimiser's state and its iterate ``z``.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import schedule_free_sgd
        >>> schedule_free_sgd(0.1).init(jnp.zeros(2))._fields
        ('step_count', 'weight_sum', 'max_lr', 'base_optimizer_state', 'z')
    """
    step_count: Any
    weight_sum: Any
    max_lr: Any
    base_optimizer_state: Any
    z: Any


class MultiStepsState(NamedTuple):
    """State of ``multi_steps``: the accumulated mean change and the inner state.

    Example:
        >>> import jax.numpy as jnp
        >>> from learners import multi_steps, sgd
        >>> multi_steps(sgd(0.1), 4).init(jnp.zeros(2))._fields
        ('mini_step', 'gradient_step', 'inner_opt_state', 'acc_grads')
    """
    mini_step: Any
    gradient_step: Any
    inner_opt_state: Any
    acc_grads: Any
