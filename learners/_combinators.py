"""Transforms of the change (weight decay, clipping, scaling) and combinators of
optimisers: chaining, masking, accumulating over steps, schedule-free averaging.

**Chaining** ``chain(T1, …, Tn)`` is composition in Para(Lens) on ``(P, P')`` with the
states as parameters, in optax's order: the change reaches ``T1`` first, and each
put feeds the next one's change; the state is the product ``S1 @ … @ Sn`` and the
get is ``T1.get(s1, T2.get(s2, … Tn.get(sn, p)))``:

    chain(T1, …, Tn) = (1_{S1…S(n−1)} ⊗ Tn) ; … ; (1_{S1} ⊗ T2) ; T1.

**Masking** is a reparametrisation by the isomorphism ``P ≅ P_in @ P_out`` that a mask
of booleans gives: ``masked(T, m) = (1_S ⊗ Σ) ; (T ⊗ 1_{P_out}) ; Σ⁻¹``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from categories import BadObject, NotComposable, TreeType, join_all, split, tensor_objects, zeros
from lenses import Lens, LensCategory

from . import _build as build
from . import _hyper as hyper
from ._dtypes import (_at, _decay, _dtype, _inc, _like, _map, _promote, _rate, _scale, _start,
                      _zeros)
from ._optimiser import Optimiser, _cast_like, rule
from ._rules import rmsprop, sgd
from ._states import CountState, MultiStepsState, ScheduleFreeState
from .schedules import Schedule

__all__ = [
    "weight_decay", "clip_by_global_norm", "clip", "scale", "chain", "masked", "freeze",
    "multi_steps", "schedule_free", "schedule_free_sgd", "schedule_free_adamw"
]


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
        >>> from learners import sgd
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
        >>> from learners import sgd
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
        >>> from learners import sgd
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
        >>> from learners import sgd
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
