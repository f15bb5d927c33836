"""Learners: model ; loss ; learning-rate cap, closed, with an optimiser on a port.

``supervised`` assembles CFGBL §4 (Fig. 6) from the abstract interface only:

    closed = (U @ 1_{B_t @ A}) ; Para(R)(model ; loss).inside      on S @ P @ B_t @ A
    step   = run closed forward, cap α at the loss, run it backward: (s', p_new)

    p̄ = U(s, p);  b_p = f(p̄, a);  (b_t', b_p') = R[loss](b_t, b_p, α(loss(b_t, b_p)));
    (p', a') = R[f](p̄, a, b_p');  (s', p_new) = U*((s, p), p')

``dream`` puts the optimiser on the input port instead (deep dreaming, §4.2).
Nothing here knows which category it runs in: with a Boolean model, the
difference loss, the identity rate and ``gradient()``, the same code is RDA.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, layers, smooth
    >>> from learners import descent, gradient, quadratic, supervised
    >>> model = layers.dense(2, 1)
    >>> learner = supervised(model, quadratic(ArrayType((1,))), gradient(), descent(0.1))
    >>> state = learner.init(model.init(jax.random.key(0)))
    >>> x, y = jnp.array([1.0, 2.0]), jnp.array([1.0])
    >>> losses = []
    >>> for _ in range(20):
    ...     state, loss = learner.step(state, x, y)
    ...     losses.append(float(loss))
    >>> losses[-1] < 1e-3 < losses[0]
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from categories import (BadObject, BadPoint, I, Morphism, NotComposable, Object, Para, join_all,
                        split_all)
from lenses import LensCategory, as_lens

from . import _hyper as hyper
from ._optimisers import Optimiser
from ._rates import Rate, ascent, descent

__all__ = ["Learner", "LearnerState", "DreamState", "supervised", "dream", "batch"]


class LearnerState(NamedTuple):
    """What training carries: parameters, optimiser state, number of steps taken.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import gradient, quadratic
        >>> learner = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), gradient())
        >>> state = learner.init({"weight": jnp.zeros((1, 2))})
        >>> isinstance(state, LearnerState), state.opt_state, int(state.step)
        (True, (), 0)
    """
    params: Any
    opt_state: Any
    step: Any


@dataclass(frozen=True)
class Learner:
    """A closed learner: ``init(params)``, a pure ``step(state, x, y, keep=None) →
    (state, loss)``, and ``predict(params, xs)`` on a batch. Jit ``step`` (``fit`` does).

    ``keep`` (batch learners only) is a boolean vector over the batch: rows where it
    is false are padding, contribute no change and are left out of the mean loss.
    ``check(xs, ys)`` raises :class:`~categories.BadPoint` unless ``xs`` and ``ys``
    are data sets (a leading axis of examples) the model and loss accept.
    ``check_state(state)`` raises it unless ``state`` is one this learner steps
    (its parameters and its optimiser's state).
    ``compiled`` is ``fit``'s cache of compiled training loops for this learner.

    Example: ``predict`` runs the model on a batch, ``W x`` per row here.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import gradient, quadratic
        >>> learner = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), gradient())
        >>> isinstance(learner, Learner), learner.model, learner.batch_size
        (True, linear(2→1), None)
        >>> W, xs = jnp.array([[1.0, 2.0]]), jnp.array([[1.0, 1.0], [0.0, 1.0]])
        >>> learner.predict({"weight": W}, xs).tolist()
        [[3.0], [2.0]]
    """

    model: Para
    loss: Para
    optimiser: Optimiser
    learning_rate: Rate
    batch_size: int | None
    init: Callable[[Any], LearnerState]
    step: Callable[[LearnerState, Any, Any], tuple[LearnerState, Any]]
    predict: Callable[[Any, Any], Any]
    check: Callable[[Any, Any], None] = field(default=lambda xs, ys: None, repr=False)
    check_state: Callable[[Any], None] = field(default=lambda state: None, repr=False)
    compiled: dict = field(default_factory=dict, repr=False, compare=False)


def batch(f: Para, n: int, *, share_params: bool = True) -> Para:
    """``f`` on batches of ``n`` inputs, parameters shared (copied, so their changes add)
    or, with ``share_params=False``, one per example (a loss's targets).

    The batched objects are the category's own (stacked arrays for Smooth).

    Example: ``(P, f : P @ A → B) ↦ (P, P @ Aⁿ → Bⁿ)``, row ``i`` of the output ``f(p, xᵢ)``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import quadratic
        >>> f = batch(layers.linear(2, 1), 3)
        >>> f, str(f.dom), str(f.cod), f.param == layers.linear(2, 1).param
        (batch(linear(2→1), 3), 'f32[3,2]', 'f32[3,1]', True)
        >>> xs = jnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> f({"weight": jnp.array([[1.0, 2.0]])}, xs).tolist()
        [[1.0], [2.0], [3.0]]
        >>> str(batch(quadratic(ArrayType((1,))), 3, share_params=False).param)  # a target per row
        'f32[3,1]'
    """
    _check_para("batch", "f", f)
    hyper.count("batch", "n", n)
    cat = f.inside.category
    if share_params:
        return Para(f.param, cat.batched(f.dom, n), cat.batch(f.inside, f.param, n), f.init,
                    name=f"batch({f!r}, {n})")
    # stacked batches: a batch of points of P @ A is a batch of P's beside a batch of A's
    P, A = cat.batched(f.param, n), cat.batched(f.dom, n)
    return Para(P, A, cat.batch(f.inside, I, n), name=f"batch({f!r}, {n})")


def _assemble(model: Para, loss: Para, n: int | None):
    if n is None:
        return model, loss
    return batch(model, n), batch(loss, n, share_params=False)


def _run(closed, objs: tuple[Object, ...], points: list, rate: Rate, step, keep=None
         ) -> tuple[list, Any]:
    """Forward through ``closed``, the cap at the loss, and back: the changes per port.

    With ``keep``, the cap is that of the mean over the kept examples, and the loss
    changes of the other examples are replaced by zero before the backward pass.
    """
    loss, residual = closed.forward(join_all(points, objs))
    L, cat = closed.cod.fwd, closed.get.category
    share = None if keep is None else jnp.mean(keep.astype(jnp.float32))
    cap = rate.cap(L, cat, step, share=share)
    _, cap_residual = cap.forward(loss)
    change = cap.backward(cap_residual, ())
    if keep is not None:
        change = cat.keep_examples(L, change, keep)
    return split_all(closed.backward(residual, change), objs), loss


def _check_para(who: str, role: str, f: Any) -> None:
    if not isinstance(f, Para):
        hint = " (lift a plain morphism with Para.lift)" if isinstance(f, Morphism) else ""
        raise NotComposable(f"{who}: the {role} must be a Para map, got {f!r} "
                            f"({type(f).__name__}){hint}")


def _check_parts(optimiser: Any, rate: Any) -> None:
    # what the assembly calls on them, so any record with these methods will do
    if not all(callable(getattr(optimiser, k, None)) for k in ("init", "lens", "state_object")):
        raise BadObject(f"the optimiser must be an Optimiser such as sgd(0.1) or adam(1e-3), "
                        f"got {optimiser!r}")
    if not callable(getattr(rate, "cap", None)):
        raise BadObject(f"learning_rate must be a Rate such as descent({rate!r}) or identity(), "
                        f"got {rate!r} ({type(rate).__name__})")


def _mean(loss: Any, keep: Any = None) -> Any:
    loss = jnp.asarray(loss, jnp.float32)
    if keep is None:
        return jnp.mean(loss)
    weight = keep.astype(jnp.float32).reshape(keep.shape + (1,) * (loss.ndim - 1))
    return jnp.sum(loss * weight) / (jnp.sum(weight) * (loss.size // max(loss.shape[0], 1)))


def supervised(model: Para, loss: Para, optimiser: Optimiser,
               learning_rate: Rate | None = None, *, batch_size: int | None = None,
               derivative: Any = None) -> Learner:
    """Supervised learning of parameters (CFGBL §4.1, Fig. 6).

    Args:
        model: a Para morphism ``A → B`` (parameters ``P``), in any CRDC.
        loss: a Para morphism ``B → L`` whose parameter is the target ``B``.
        optimiser: the update lens on ``P``.
        learning_rate: the cap at ``L``; default ``descent(1.0)`` (``p' = −∇``).
        batch_size: ``None`` for one example per step (``x : A``), else ``n``
            (``x`` a batch of ``n``; the cap is taken on the mean loss).
        derivative: the model's backward pass: ``None`` for the category's
            reverse derivative ``R`` (the functor of CFGBL), or another one such
            as ``circuits.BOOLEAN_DERIVATIVE`` (CFGBL §6: other backward passes).

    Raises:
        NotComposable: if the loss does not accept the model's output.

    Example: one step of ``W ← W − η (W x − y) xᵀ`` (quadratic loss, ``descent(η)``).

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import descent, gradient, quadratic
        >>> learner = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), gradient(),
        ...                      descent(0.5))
        >>> state = learner.init({"weight": jnp.zeros((1, 2))})
        >>> state, loss = learner.step(state, jnp.array([1.0, 2.0]), jnp.array([1.0]))
        >>> float(loss), state.params["weight"].tolist(), int(state.step)  # ½(0 − 1)², −0.5·(−1)·x
        (0.5, [[0.5, 1.0]], 1)
    """
    rate = learning_rate if learning_rate is not None else descent(1.0)
    _check_para("supervised", "model", model)
    _check_para("supervised", "loss", loss)
    if batch_size is not None:
        hyper.count("supervised", "batch_size", batch_size)
    _check_parts(optimiser, rate)
    m, lo = _assemble(model, loss, batch_size)
    body = (as_lens(m, derivative) >> as_lens(lo)).inside  # a lens on P @ B_t @ A → L
    cat = model.inside.category
    P, Bt, A = m.param, lo.param, m.dom
    U, S = optimiser.lens(P, cat), optimiser.state_object(P)
    closed = LensCategory(cat).tensor(U, LensCategory(cat).id(Bt @ A)) >> body
    rate.cap(closed.cod.fwd, cat, 0)  # built once here, so a rate its category lacks fails now
    objs = (S, P, Bt, A)

    def init(params):
        cat.check_point(P, params, f"{model}: parameters")
        return LearnerState(params, optimiser.init(params), jnp.zeros((), jnp.int32))

    def step(state, x, y, keep=None):
        if keep is not None and batch_size is None:
            raise BadPoint(f"{model}: keep= masks rows of a batch, but this learner takes one "
                           f"example per step (batch_size=None)")
        check_state(state)
        cat.check_point(A, x, f"{model}: step input x")
        cat.check_point(Bt, y, f"{loss}: step target y")
        (s, p, _, _), loss_value = _run(closed, objs, [state.opt_state, state.params, y, x],
                                        rate, state.step, keep)
        return LearnerState(p, s, state.step + 1), _mean(loss_value, keep)

    def examples(xs, obj, what):
        first = jax.tree.leaves(xs)[:1]
        n = int(jnp.shape(first[0])[0]) if first and jnp.ndim(first[0]) else 0
        try:
            cat.check_point(obj, xs, what)
        except BadPoint:
            pass
        else:  # one example, not a data set: its first axis is not a batch axis
            raise BadPoint(f"{what}: got one example of {obj}, but a data set is expected "
                           f"(examples along a leading axis); for one example pass x[None]")
        try:
            cat.check_point(cat.batched(obj, max(n, 1)), xs, what)
        except BadPoint as e:
            raise BadPoint(f"{e}\n  {what} must be examples along a leading axis, each a point "
                           f"of {obj}; for a single example add that axis (x[None])") from None
        return n

    def check(xs, ys):
        n = examples(xs, model.dom, f"{model}: inputs x")
        m = examples(ys, loss.param, f"{loss}: targets y")
        if m != n:
            raise BadPoint(f"{model}: x and y must have the same number of examples, got {n} "
                           f"inputs and {m} targets")

    def check_state(state):
        cat.check_point(P, state.params, f"{model}: state.params")
        cat.check_point(S, state.opt_state, f"{optimiser!r}: state.opt_state")

    def predict(params, xs):
        return batch(model, examples(xs, model.dom, f"{model}: predict inputs"))(params, xs)

    return Learner(model, loss, optimiser, rate, batch_size, init, step, predict, check,
                   check_state)


class DreamState(NamedTuple):
    """Deep dreaming carries the input being learned and its optimiser state.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import dot, gradient
        >>> init, step = dream(layers.linear(2, 1), dot(ArrayType((1,))), gradient())
        >>> s = init(jnp.zeros(2))
        >>> isinstance(s, DreamState), s.inputs.tolist(), s.opt_state, int(s.step)
        (True, [0.0, 0.0], (), 0)
    """
    inputs: Any
    opt_state: Any
    step: Any


def dream(model: Para, loss: Para, optimiser: Optimiser, learning_rate: Rate | None = None
          ) -> tuple[Callable[[Any], DreamState], Callable[..., tuple[DreamState, Any]]]:
    """Learn the *input* instead of the parameters (CFGBL §4.2, Fig. 7).

    Returns ``(init, step)``: ``init(x0)`` and ``step(state, params, target)``; the
    parameter changes are discarded. With the dot loss and ``ascent(ε)`` this is
    CFGBL Ex. 4.5: ``a ← a + ε R[f](p, a, b_t)``.

    Example: for ``f(W, a) = W a`` that is ``a ← a + ε Wᵀ b_t``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import ascent, dot, gradient
        >>> init, step = dream(layers.linear(2, 1), dot(ArrayType((1,))), gradient(), ascent(0.5))
        >>> W, target = {"weight": jnp.array([[1.0, 2.0]])}, jnp.array([1.0])
        >>> s, value = step(init(jnp.zeros(2)), W, target)
        >>> s.inputs.tolist(), float(value)
        ([0.5, 1.0], 0.0)
        >>> s, value = step(s, W, target)
        >>> s.inputs.tolist(), float(value)  # the loss b_t · W a grows
        ([1.0, 2.0], 2.5)
    """
    rate = learning_rate if learning_rate is not None else ascent(1.0)
    _check_para("dream", "model", model)
    _check_para("dream", "loss", loss)
    _check_parts(optimiser, rate)
    body = as_lens(model >> loss).inside
    cat = model.inside.category
    P, Bt, A = model.param, loss.param, model.dom
    U, S = optimiser.lens(A, cat), optimiser.state_object(A)
    closed = LensCategory(cat).tensor(LensCategory(cat).id(P @ Bt), U) >> body
    rate.cap(closed.cod.fwd, cat, 0)  # built once here, so a rate its category lacks fails now
    objs = (P, Bt, S, A)

    def init(inputs):
        cat.check_point(A, inputs, f"{model}: input")
        return DreamState(inputs, optimiser.init(inputs), jnp.zeros((), jnp.int32))

    def step(state, params, target):
        cat.check_point(P, params, f"{model}: parameters")
        cat.check_point(Bt, target, f"{loss}: target")
        (_, _, s, a), loss_value = _run(closed, objs, [params, target, state.opt_state,
                                                       state.inputs], rate, state.step)
        return DreamState(a, s, state.step + 1), _mean(loss_value)

    return init, step
