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

**Chaining** ``chain(T1, …, Tn)`` is composition in Para(Lens) on ``(P, P')`` with the
states as parameters, in optax's order: the change reaches ``T1`` first, and each
put feeds the next one's change; the state is the product ``S1 @ … @ Sn`` and the
get is ``T1.get(s1, T2.get(s2, … Tn.get(sn, p)))``:

    chain(T1, …, Tn) = (1_{S1…S(n−1)} ⊗ Tn) ; … ; (1_{S1} ⊗ T2) ; T1.

**Masking** is a reparametrisation by the isomorphism ``P ≅ P_in @ P_out`` that a mask
of booleans gives: ``masked(T, m) = (1_S ⊗ Σ) ; (T ⊗ 1_{P_out}) ; Σ⁻¹``.

Every smooth rule follows optax's arithmetic operation for operation (checked to
1e-6 relative in float32 and ~1e-12 in float64 over 100 steps), with hyperparameters
taking the dtype of what they multiply as optax's Python floats do. ``gradient()`` is
the additive update ``p + p'`` of any left-additive category (XOR on Boolean circuits).

Example:
    >>> import jax.numpy as jnp
    >>> from categories import SMOOTH, ArrayType
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
import jax.numpy as jnp
import numpy as np

from categories import (BadHyperparameter, BadObject, BadPoint, I, LeftAdditiveCategory,
                        NotComposable, Object, TreeType, join, join_all, split, split_all,
                        tensor_objects, zeros)
from lenses import Lens, LensCategory

from . import _build as build
from . import _hyper as hyper
from .schedules import Schedule

__all__ = [
    "Optimiser", "Transform", "rule", "gradient", "sgd", "momentum", "nesterov", "adagrad",
    "rmsprop", "adam", "adamw", "nadam", "nadamw", "amsgrad", "adamax", "adamaxw", "radam",
    "adabelief", "yogi", "lamb", "lars", "novograd", "adafactor", "adadelta", "rprop", "lion",
    "ademamix", "sign_sgd", "signum", "fromage", "noisy_sgd", "optimistic_gradient_descent",
    "adan", "schedule_free", "schedule_free_sgd", "schedule_free_adamw", "weight_decay",
    "clip_by_global_norm", "clip", "scale", "chain", "masked", "freeze", "multi_steps",
    "CountState", "MomentumState", "AdagradState", "RmspropState", "AdamState", "AmsgradState",
    "LionState", "AdemamixState", "AdadeltaState", "AdafactorState", "RpropState", "SignumState",
    "NoiseState", "OptimisticState", "AdanState", "ScheduleFreeState", "MultiStepsState",
]

ARITHMETIC = "the real arithmetic of its update (scaling, and ÷, √ or sign for most)"


def _map(f, *trees):
    return jax.tree.map(f, *trees)


class Optimiser(ABC):
    """An optimiser: an initial state and a change lens ``(S @ P, S @ P') → (P, P')``.

    ``Transform`` is the same type: a transform of the change is an optimiser.
    Write a new one with :func:`rule`; combine them with :func:`chain`.

    Example:
        >>> from categories import SMOOTH, ArrayType
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


# -- states ----------------------------------------------------------------------------------

class CountState(NamedTuple):
    """State of the stateless-but-scheduled rules (``sgd``, ``sign_sgd``, …): the step count.

    Example:
        >>> import jax.numpy as jnp
        >>> s = sgd(0.1).init(jnp.zeros(2))
        >>> type(s).__name__, s._fields, int(s.count)
        ('CountState', ('count',), 0)
    """
    count: Any


class MomentumState(NamedTuple):
    """State of ``momentum``, ``nesterov`` and ``lars``: the count and optax's ``trace``.

    Example:
        >>> import jax.numpy as jnp
        >>> momentum(0.1).init(jnp.zeros(2))._fields
        ('count', 'trace')
    """
    count: Any
    trace: Any


class AdagradState(NamedTuple):
    """State of ``adagrad``: the running sum of ``|p'|²``.

    Example:
        >>> import jax.numpy as jnp
        >>> adagrad(0.1).init(jnp.zeros(2)).sum_of_squares.tolist()
        [0.10000000149011612, 0.10000000149011612]
    """
    count: Any
    sum_of_squares: Any


class RmspropState(NamedTuple):
    """State of ``rmsprop``: ``nu``, and ``mu`` (centred) and ``trace`` (momentum) or ``None``.

    Example:
        >>> import jax.numpy as jnp
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
        >>> lion(0.1).init(jnp.zeros(2))._fields
        ('count', 'mu')
    """
    count: Any
    mu: Any


class AdemamixState(NamedTuple):
    """State of ``ademamix``: fast and slow moments ``m1``, ``m2`` and ``nu``.

    Example:
        >>> import jax.numpy as jnp
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
        >>> rprop(0.1).init(jnp.zeros(2)).step_sizes.tolist()
        [0.10000000149011612, 0.10000000149011612]
    """
    step_sizes: Any
    prev_updates: Any


class SignumState(NamedTuple):
    """State of ``signum``: the (unbiased-free) moving average of changes.

    Example:
        >>> import jax.numpy as jnp
        >>> signum(0.1).init(jnp.zeros(2))._fields
        ('count', 'ema')
    """
    count: Any
    ema: Any


class NoiseState(NamedTuple):
    """State of ``noisy_sgd``: the count and the random key (raw ``uint32`` data).

    Example:
        >>> import jax.numpy as jnp
        >>> noisy_sgd(0.1, key=0).init(jnp.zeros(2)).rng_key.dtype
        dtype('uint32')
    """
    count: Any
    rng_key: Any


class OptimisticState(NamedTuple):
    """State of ``optimistic_gradient_descent``: the previous change.

    Example:
        >>> import jax.numpy as jnp
        >>> optimistic_gradient_descent(0.1).init(jnp.zeros(2))._fields
        ('count', 'previous')
    """
    count: Any
    previous: Any


class AdanState(NamedTuple):
    """State of ``adan``: moments ``m``, ``v``, ``n`` and the previous change ``g``.

    Example:
        >>> import jax.numpy as jnp
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
        >>> multi_steps(sgd(0.1), 4).init(jnp.zeros(2))._fields
        ('mini_step', 'gradient_step', 'inner_opt_state', 'acc_grads')
    """
    mini_step: Any
    gradient_step: Any
    inner_opt_state: Any
    acc_grads: Any


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


# -- transforms of the change ----------------------------------------------------------------

def weight_decay(rate: float | Schedule) -> Optimiser:
    """Coupled weight decay on the change, ``p' ↦ p' − λ p`` (``optax.add_decayed_weights``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> lens = weight_decay(0.5).change(ArrayType((2,)), SMOOTH)
        >>> lens.put((jnp.array([1.0, 2.0]), jnp.array([0.5, -0.5]))).tolist()  # p' − 0.5 p
        [0.0, -1.5]
    """
    hyper.rate("weight_decay", "rate", rate)
    if callable(rate):
        return rule("weight_decay", lambda params: CountState(_start()),
                    lambda s, p, d: (CountState(_inc(s.count)), _decay(d, rate(s.count), p)),
                    rate=rate)
    return rule("weight_decay", lambda params: (), lambda s, p, d: (s, _decay(d, rate, p)),
                rate=rate)


_decayed = weight_decay  # for factories whose own argument is named weight_decay


def clip_by_global_norm(max_norm: float) -> Optimiser:
    """``p' ↦ p' · max_norm/‖p'‖`` when ``‖p'‖ ≥ max_norm`` (``optax.clip_by_global_norm``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> lens = clip_by_global_norm(1.0).change(ArrayType((2,)), SMOOTH)
        >>> u = lens.put((jnp.zeros(2), jnp.array([3.0, -4.0])))
        >>> [round(v, 4) for v in u.tolist()]  # ‖p'‖ = 5
        [0.6, -0.8]
    """
    hyper.positive("clip_by_global_norm", "max_norm", max_norm)

    def update(s, p, d):
        total = 0
        for g in jax.tree.leaves(d):
            total = total + jnp.sum(jnp.square(g.real) + jnp.square(g.imag))
        norm = jnp.sqrt(total)
        return s, _map(lambda g: jax.lax.select(
            norm < max_norm, g, (g / norm.astype(g.dtype)) * _like(max_norm, g)), d)
    return rule("clip_by_global_norm", lambda params: (), update, max_norm=max_norm)


def clip(max_delta: float) -> Optimiser:
    """Clip each entry of the change to ``[−max_delta, max_delta]`` (``optax.clip``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> lens = clip(1.0).change(ArrayType((2,)), SMOOTH)
        >>> lens.put((jnp.zeros(2), jnp.array([3.0, -0.5]))).tolist()
        [1.0, -0.5]
    """
    hyper.nonnegative("clip", "max_delta", max_delta)
    return rule("clip", lambda params: (), lambda s, p, d: (s, _map(
        lambda g: jnp.clip(g, _like(-max_delta, g), _like(max_delta, g)), d)),
        max_delta=max_delta)


def scale(step: float | Schedule) -> Optimiser:
    """``p' ↦ step · p'`` (``optax.scale``, or ``scale_by_schedule`` for a schedule).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> lens = scale(0.5).change(ArrayType((2,)), SMOOTH)
        >>> lens.put((jnp.zeros(2), jnp.array([3.0, -0.5]))).tolist()
        [1.5, -0.25]
    """
    if callable(step):
        return rule("scale", lambda params: CountState(_start()),
                    lambda s, p, d: (CountState(_inc(s.count)), _scale(step(s.count), d)),
                    step=step)
    hyper.finite("scale", "step", step)
    return rule("scale", lambda params: (), lambda s, p, d: (s, _scale(step, d)), step=step)


# -- combinators ------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)
class _Chain(Optimiser):
    parts: tuple[Optimiser, ...]

    def __repr__(self) -> str:
        return f"chain({', '.join(map(repr, self.parts))})"

    def init(self, params):
        P = TreeType.like(params)
        return join_all([t.init(params) for t in self.parts],
                        tuple(t.state_object(P) for t in self.parts))

    def state_object(self, param):
        return tensor_objects(*(t.state_object(param) for t in self.parts))

    def change(self, param, category):
        states = [t.state_object(param) for t in self.parts]
        lenses = LensCategory(category)
        out = None
        for i in reversed(range(len(self.parts))):  # Tn (nearest p) first, T1 (nearest p̄) last
            T = self.parts[i].change(param, category)
            layer = lenses.id(tensor_objects(*states[:i])) @ T
            out = layer if out is None else out >> layer
        return out

    def seen(self):
        # a look-ahead assumes its own step; later parts changing that step break p̄ = θ
        *first, last = self.parts
        if any(t.seen() is not t for t in first):
            return None
        shown = last.seen()
        return None if shown is None else self if shown is last else _Chain((*first, shown))


def chain(*parts: Optimiser) -> Optimiser:
    """Compose optimisers and transforms in optax's order: the change ``p'`` flows
    through ``parts[0]`` first, each put feeding the next one's change (Para(Lens)
    composition on ``(P, P')``); the state is the product of theirs.

    Changes carry their sign, so no part flips it: ``chain(adam(a), sgd(b))`` steps
    ``b`` times Adam's step (where optax's two learning rates would flip it back). A
    look-ahead get assumes the step it makes itself: put such a part last.

    Example: clip the change, then Adam; or any order and number of parts.

        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt = chain(clip_by_global_norm(1.0), sgd(1.0))
        >>> p, d = jnp.zeros(2), jnp.array([3.0, -4.0])
        >>> _, new = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, d))
        >>> [round(v, 4) for v in new.tolist()]  # clipped to norm 1, then p + p'
        [0.6, -0.8]
        >>> opt = chain(sgd(0.5), weight_decay(0.1), scale(2.0))
        >>> len(opt.init(p)), opt  # stateless parts add nothing to the state
        (1, chain(sgd(lr=0.5), weight_decay(rate=0.1), scale(step=2.0)))
    """
    if not parts:
        raise NotComposable("chain(*parts) needs at least an optimiser (or a transform of the "
                            "change), e.g. chain(clip_by_global_norm(1.0), adam(1e-3))")
    bad = [p for p in parts if not isinstance(p, Optimiser)]
    if bad:
        raise NotComposable(f"chain(*parts): every part must be an optimiser or a transform "
                            f"such as adam(1e-3) or weight_decay(1e-4), got {bad[0]!r} "
                            f"({type(bad[0]).__name__}); wrap an optax one with from_optax(…)")
    return parts[0] if len(parts) == 1 else _Chain(tuple(parts))


def _check_mask(mask: Any) -> None:
    leaves = jax.tree.leaves(mask)
    if not all(isinstance(m, (bool, np.bool_)) for m in leaves):
        raise BadObject(f"masked: the mask must be a pytree of Python booleans shaped like the "
                        f"parameters (True where the inner optimiser applies), got {mask!r}")


def _pick(mask: Any, tree: Any, keep: bool) -> Any:
    """``tree`` with the leaves where ``mask`` is not ``keep`` replaced by ``None``."""
    return jax.tree.map(lambda m, x: x if m == keep else None, mask, tree)


def _merge(mask: Any, inside: Any, outside: Any) -> Any:
    return jax.tree.map(lambda m, a, b: a if m else b, mask, inside, outside,
                        is_leaf=lambda x: x is None)


@dataclass(frozen=True, eq=False, repr=False)
class _Masked(Optimiser):
    inner: Optimiser
    mask: Any
    name: str

    def __repr__(self) -> str:
        inner = "" if self.name == "freeze" else f"{self.inner!r}, "
        return f"{self.name}({inner}{self.mask!r})"

    def init(self, params):
        return self.inner.init(_pick(self.mask, params, True))

    def _objects(self, param):
        point = jax.eval_shape(lambda: zeros(param))
        if jax.tree.structure(self.mask) != jax.tree.structure(point):
            raise NotComposable(f"masked: the mask {self.mask!r} does not have the structure of "
                                f"the parameters {param} ({jax.tree.structure(point)})")
        return (TreeType.like(_pick(self.mask, point, True)),
                TreeType.like(_pick(self.mask, point, False)))

    def state_object(self, param):
        return self.inner.state_object(self._objects(param)[0])

    def change(self, param, category):
        inside, outside = self._objects(param)
        both, m = inside @ outside, self.mask
        needs = "JAX pytrees (to split the parameters by a mask)"

        def fn(name, dom, cod, f):
            return build.function(category, self.name, needs, name, dom, cod, f)
        sigma = Lens(fn("mask.split", param, both,
                        lambda p: (_pick(m, p, True), _pick(m, p, False))),
                     fn("mask.join", param @ both, param,
                        lambda x: _merge(m, *split(x, param, both)[1])))
        unsigma = Lens(fn("mask.join", both, param, lambda x: _merge(m, *x)),
                       fn("mask.split", both @ param, both,
                          lambda x: (_pick(m, split(x, both, param)[1], True),
                                     _pick(m, split(x, both, param)[1], False))))
        T, S = self.inner.change(inside, category), self.state_object(param)
        lenses = LensCategory(category)
        return (lenses.id(S) @ sigma) >> (T @ lenses.id(outside)) >> unsigma

    def seen(self):
        shown = self.inner.seen()
        if shown is None:
            return None
        return self if shown is self.inner else _Masked(shown, self.mask, self.name)


def masked(optimiser: Optimiser, mask: Any) -> Optimiser:
    """``optimiser`` on the leaves where ``mask`` is True; the others pass their change
    through (``optax.masked``), by the reparametrisation ``P ≅ P_in @ P_out``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, TreeType
        >>> p = {"w": jnp.ones(2), "b": jnp.ones(1)}
        >>> opt = masked(scale(0.5), {"w": True, "b": False})
        >>> lens = opt.change(TreeType.like(p), SMOOTH)
        >>> u = lens.put((p, {"w": jnp.ones(2), "b": jnp.ones(1)}))
        >>> u["w"].tolist(), u["b"].tolist()
        ([0.5, 0.5], [1.0])
    """
    _check_mask(mask)
    return _Masked(optimiser, mask, "masked")


def freeze(mask: Any) -> Optimiser:
    """No change on the leaves where ``mask`` is True (``optax.freeze``); chain it last.

    The leaves stay in the model and in the optimiser's state: use it to freeze for part
    of a run and thaw later. ``categories.freeze_params(model, params, "0.weight")``
    freezes on the model's side instead: the leaves become constants (a
    reparametrisation), so the optimiser never sees them and no change is computed.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, TreeType
        >>> p = {"w": jnp.ones(2), "b": jnp.ones(1)}
        >>> opt = chain(sgd(0.1), freeze({"w": False, "b": True}))
        >>> _, new = opt.lens(TreeType.like(p), SMOOTH).put((opt.init(p), p, p))
        >>> new["w"].tolist(), new["b"].tolist()
        ([1.100000023841858, 1.100000023841858], [1.0])
    """
    _check_mask(mask)
    zero = rule("zero", lambda params: (), lambda s, p, d: (s, _map(jnp.zeros_like, d)))
    return _Masked(zero, mask, "freeze")


def multi_steps(optimiser: Optimiser, every_k: int, *, accumulator_dtype: Any = None) -> Optimiser:
    """Accumulate the mean change over ``every_k`` steps, then apply ``optimiser`` to it
    once; no change in between (``optax.MultiSteps``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = multi_steps(sgd(1.0), 2), jnp.zeros(1)
        >>> lens, s = opt.lens(ArrayType((1,)), SMOOTH), opt.init(p)
        >>> s, p1 = lens.put((s, p, jnp.array([1.0])))
        >>> s, p2 = lens.put((s, p1, jnp.array([3.0])))
        >>> p1.tolist(), p2.tolist()  # nothing, then the mean change 2
        ([0.0], [2.0])
    """
    hyper.count("multi_steps", "every_k", every_k)
    acc = _dtype("multi_steps", "accumulator_dtype", accumulator_dtype)

    def init(params):
        return MultiStepsState(_start(), _start(), optimiser.init(params), _zeros(params, acc))

    def update(s, p, d, inner):
        def mean(g, a):  # a + (g − a)/(n + 1), in optax's promoted dtype
            dt = _promote(g, a)
            a = a.astype(dt)
            return a + (g.astype(dt) - a) / (s.mini_step + 1).astype(dt)
        acc_grads = _map(mean, d, s.acc_grads)
        inner_state, u = inner.put(s.inner_opt_state, p, _cast_like(acc_grads, d))
        emit = s.mini_step == every_k - 1
        state = MultiStepsState(
            _inc(s.mini_step) % every_k, jnp.where(emit, _inc(s.gradient_step), s.gradient_step),
            _map(lambda new, old: jnp.where(emit, new, old), inner_state, s.inner_opt_state),
            _map(lambda a: jnp.where(emit, jnp.zeros_like(a), a), acc_grads))
        return state, _map(lambda x: jnp.where(emit, x, jnp.zeros_like(x)), u)

    shown = optimiser.seen()  # itself when its get is p, and then ours is p too
    look = None if shown is optimiser else (lambda s, p, inner: inner.get(s.inner_opt_state, p))
    seen = None if shown is None or look is None else multi_steps(
        shown, every_k, accumulator_dtype=accumulator_dtype)
    return rule("multi_steps", init, update, look, inner=optimiser, seen=seen,
                needs="real arithmetic (the mean of the changes)", optimiser=optimiser,
                every_k=every_k, accumulator_dtype=accumulator_dtype)


def schedule_free(base: Optimiser, lr: float | Schedule, b1: float = 0.9,
                  weight_lr_power: float = 2.0, *, state_dtype: Any = None) -> Optimiser:
    """Schedule-free averaging of ``base`` (``optax.contrib.schedule_free``).

    The parameters ``p = x`` are the average, and the get is where the change is
    measured, ``y = β1 x + (1−β1) z``; the put steps ``z`` by ``base`` (its change at
    ``y``) and averages ``x ← (1 − c_t) x + c_t z`` with weights ``c_t`` from the
    largest ``lr`` so far. Its :meth:`~Optimiser.seen` form holds ``y`` as optax does.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = schedule_free(sgd(0.1), 0.1), jnp.array([1.0, 2.0])
        >>> lens = opt.lens(ArrayType((2,)), SMOOTH)
        >>> s, x = lens.put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> y = lens.get((s, x))
        >>> [round(v, 4) for v in x.tolist()], [round(v, 4) for v in y.tolist()]  # z = x now
        ([1.05, 1.95], [1.05, 1.95])
    """
    _rate("schedule_free", lr)
    hyper.positive("schedule_free", "b1", b1)
    hyper.finite("schedule_free", "weight_lr_power", weight_lr_power)
    z_dt = _dtype("schedule_free", "state_dtype", state_dtype)

    def init(params):
        low = min((jnp.finfo(x.dtype).dtype for x in jax.tree.leaves(params)
                   if jnp.issubdtype(x.dtype, jnp.inexact)),  # optax's 'lowest', real
                  key=lambda t: t.itemsize, default=jnp.dtype(jnp.result_type(float)))
        return ScheduleFreeState(jnp.ones([], jnp.int32), jnp.zeros([], low), jnp.zeros([], low),
                                 base.init(params), _map(lambda x: x.astype(z_dt or x.dtype),
                                                         params))

    def y_of(x, z):
        return _map(lambda a, b: _like(b1, a) * a + _like(1.0 - b1, a) * b.astype(a.dtype), x, z)

    def step(s, y, d, inner):
        rate = jnp.asarray(_at(lr, s.step_count), s.max_lr.dtype)
        max_lr = jnp.maximum(s.max_lr, rate)
        weight = max_lr ** weight_lr_power
        total = s.weight_sum + weight
        ck = jnp.where(jnp.logical_or(jnp.isnan(weight), jnp.isnan(total)),
                       jnp.full(weight.shape, jnp.nan),
                       jnp.nan_to_num(weight / total, nan=0.0, posinf=jnp.inf))
        base_state, u = inner.put(s.base_optimizer_state, y, d)
        z = _map(lambda a, b: (a + b.astype(a.dtype)), s.z, u)
        return ScheduleFreeState(_inc(s.step_count), total, max_lr, base_state, z), ck

    def average(x, z, ck):
        return _map(lambda a, b: _like(1.0 - ck, a) * a + _like(ck, a) * b.astype(a.dtype), x, z)

    def update(s, x, d, inner):
        state, ck = step(s, y_of(x, s.z), d, inner)
        return state, _map(jnp.subtract, average(x, state.z, ck), x)

    def optax_form(s, y, d, inner):
        state, ck = step(s, y, d, inner)
        x = _map(lambda a, b: (a - _like(1.0 - b1, a) * b.astype(a.dtype)) / _like(b1, a), y, s.z)
        return state, _map(jnp.subtract, y_of(average(x, state.z, ck), state.z), y)

    hypers = dict(base=base, lr=lr, b1=b1, weight_lr_power=weight_lr_power,
                  state_dtype=state_dtype)
    shown = rule("schedule_free", init, optax_form, inner=base, **hypers)
    return rule("schedule_free", init, update, lambda s, x, inner: y_of(x, s.z), inner=base,
                seen=shown, **hypers)


def schedule_free_sgd(lr: float | Schedule = 1.0, b1: float = 0.9,
                      weight_decay: float | None = None, weight_lr_power: float = 2.0, *,
                      state_dtype: Any = None) -> Optimiser:
    """Schedule-free SGD (``optax.contrib.schedule_free_sgd``): the get is ``y``, not ``p``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = schedule_free_sgd(0.1), jnp.array([1.0, 2.0])
        >>> _, x = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in x.tolist()]
        [1.05, 1.95]
    """
    base = sgd(lr) if weight_decay is None else chain(_decayed(weight_decay), sgd(lr))
    return schedule_free(base, lr, b1, weight_lr_power, state_dtype=state_dtype)


def schedule_free_adamw(lr: float | Schedule = 0.0025, b1: float = 0.9, b2: float = 0.999,
                        eps: float = 1e-8, weight_decay: float = 0.0,
                        weight_lr_power: float = 2.0, *, state_dtype: Any = None) -> Optimiser:
    """Schedule-free AdamW (``optax.contrib.schedule_free_adamw``): bias-corrected RMS
    scaling, weight decay and ``lr`` as the base, averaged schedule-free.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt, p = schedule_free_adamw(0.1), jnp.array([1.0, 2.0])
        >>> _, x = opt.lens(ArrayType((2,)), SMOOTH).put((opt.init(p), p, jnp.array([0.5, -0.5])))
        >>> [round(v, 4) for v in x.tolist()]
        [1.1, 1.9]
    """
    base = chain(rmsprop(1.0, b2, eps, eps_in_sqrt=False, bias_correction=True),
                 _decayed(weight_decay), scale(lr))
    return schedule_free(base, lr, b1, weight_lr_power, state_dtype=state_dtype)
