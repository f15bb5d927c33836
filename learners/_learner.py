"""Learners: model ; loss ; learning-rate cap, closed, with an optimiser on each learned port.

One assembly (CFGBL §4, Figs. 6 and 7) builds every learner. The closed lens has
three ports, the model's parameters ``P``, the loss's targets ``B_t`` and the
model's inputs ``A``; each port is *learned* (an optimiser's update lens sits on
it), *data* (a point is given at every step) or *fixed* (a point held in the
state); the changes of data and fixed ports are discarded:

    closed = (U_P ⊗ U_Bt ⊗ U_A) ; Para(R)(model ; loss).inside     (U = 1 off the learned ports)
    step   = run closed forward, cap α at the loss, run it backward

``supervised`` learns ``P`` from data ``(A, B_t)``; ``dream`` learns ``A`` with
``P`` fixed (deep dreaming, §4.2); ``adversarial`` learns ``A`` against data
targets; ``learn_targets`` learns ``B_t``. Nothing here knows which category it
runs in: with a Boolean model, the difference loss, the identity rate and
``gradient()``, ``supervised`` is RDA.

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

The same model with the parameters ``FIXED`` and an optimiser on the inputs
instead: the input moves towards one the model maps to the target.

    >>> from learners import DATA, FIXED, assemble, sgd
    >>> find_x = assemble(model, quadratic(ArrayType((1,))), params=FIXED, inputs=sgd(1.0),
    ...                   targets=DATA)
    >>> find_x.data_ports, find_x.held_ports
    (('targets',), ('params', 'inputs'))
    >>> s = find_x.init(params=state.params, inputs=jnp.zeros(2))
    >>> first = float(find_x.step(s, jnp.array([3.0]))[1])
    >>> for _ in range(50):
    ...     s, loss = find_x.step(s, jnp.array([3.0]))
    >>> float(loss) < 1e-3 < first
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
from ._optimiser import Optimiser
from ._rates import Rate, ascent, descent

__all__ = ["Learner", "LearnerState", "DATA", "FIXED", "assemble", "supervised", "dream",
           "adversarial", "learn_targets", "batch"]

PORTS = ("params", "inputs", "targets")
"""The ports of a closed learner, in the order their data are passed to ``step``."""


class _Marker:
    def __init__(self, name: str, doc: str):
        self.name, self.__doc__ = name, doc

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self):  # a singleton, also when copied
        return self.name


DATA = _Marker("DATA", "A port whose point is given at every step (``step``'s and ``fit``'s data).")
FIXED = _Marker("FIXED", "A port whose point is given to ``init`` and held, unchanged, in the state.")


class LearnerState(NamedTuple):
    """What training carries: the held points, the optimisers' states, the step count.

    ``params`` is the point of the one port the learner holds (for supervised
    learning the model's parameters); with several held ports (deep dreaming holds
    the fixed parameters and the learned input) it is a dict ``{port: point}``, and
    ``opt_state`` likewise with several learned ports.

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
    """A closed learner: ``init``, a pure ``step(state, *data, keep=None) → (state, loss)``
    and ``predict(params, xs)`` on a batch. Jit ``step`` (``fit`` does).

    ``ports`` maps each port (``"params"``, ``"inputs"``, ``"targets"``) to what sits
    on it: an :class:`~learners.Optimiser` (learned), :data:`DATA` or :data:`FIXED`.
    ``data_ports`` are the ports ``step`` takes points of, in that order (``x, y``
    for supervised learning; a data port whose object is the unit, such as the
    targets of a loss without any, takes none). ``held_ports`` are those the state
    holds: ``init(point)`` takes the held port's starting point, or
    ``init(**points)`` by port name when several are held.

    ``keep`` (batch learners only) is a boolean vector over the batch: rows where it
    is false are padding, contribute no change and are left out of the mean loss.
    ``check(*data)`` raises :class:`~categories.BadPoint` unless each is a data set (a
    leading axis of examples) of its port. ``check_state(state)`` raises it unless
    ``state`` is one this learner steps. ``compiled`` is ``fit``'s cache.

    Example: ``predict`` runs the model on a batch, ``W x`` per row here.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import gradient, quadratic
        >>> learner = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), gradient())
        >>> isinstance(learner, Learner), learner.model, learner.batch_size, learner.data_ports
        (True, linear(2→1), None, ('inputs', 'targets'))
        >>> W, xs = jnp.array([[1.0, 2.0]]), jnp.array([[1.0, 1.0], [0.0, 1.0]])
        >>> learner.predict({"weight": W}, xs).tolist()
        [[3.0], [2.0]]
    """

    model: Para
    loss: Para
    ports: dict
    learning_rate: Rate
    batch_size: int | None
    init: Callable[..., LearnerState]
    step: Callable[..., tuple[LearnerState, Any]]
    predict: Callable[[Any, Any], Any]
    data_ports: tuple[str, ...] = ("inputs", "targets")
    held_ports: tuple[str, ...] = ("params",)
    check: Callable[..., None] = field(default=lambda *data: None, repr=False)
    check_state: Callable[[Any], None] = field(default=lambda state: None, repr=False)
    compiled: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def optimiser(self) -> Optimiser | None:
        """The optimiser on the parameter port (``None`` when the parameters aren't learned)."""
        opt = self.ports["params"]
        return None if opt is DATA or opt is FIXED else opt


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


def _check_parts(ports: dict, rate: Any) -> None:
    # what the assembly calls on an optimiser, so any record with these methods will do
    for port, spec in ports.items():
        if spec is DATA or spec is FIXED:
            continue
        if not all(callable(getattr(spec, k, None)) for k in ("init", "lens", "state_object")):
            raise BadObject(f"the {port} port takes an optimiser such as sgd(0.1) or adam(1e-3), "
                            f"DATA or FIXED; got {spec!r} ({type(spec).__name__})")
    if not callable(getattr(rate, "cap", None)):
        raise BadObject(f"learning_rate must be a Rate such as descent({rate!r}) or identity(), "
                        f"got {rate!r} ({type(rate).__name__})")


def _mean(loss: Any, keep: Any = None) -> Any:
    loss = jnp.asarray(loss, jnp.float32)
    if keep is None:
        return jnp.mean(loss)
    weight = keep.astype(jnp.float32).reshape(keep.shape + (1,) * (loss.ndim - 1))
    return jnp.sum(loss * weight) / (jnp.sum(weight) * (loss.size // max(loss.shape[0], 1)))


def assemble(model: Para, loss: Para, *, params: Any = DATA, inputs: Any = DATA,
             targets: Any = DATA, learning_rate: Rate | None = None,
             batch_size: int | None = None, derivative: Any = None) -> Learner:
    """The closed learner with an optimiser, :data:`DATA` or :data:`FIXED` on each port.

    ``closed = (U_P ⊗ U_Bt ⊗ U_A) ; Para(R)(m ; l).inside`` on ``(S_P @ P) @ (S_Bt @ B_t)
    @ (S_A @ A)``, with ``U = 1`` (and no state) on data and fixed ports. A step runs
    it forward, caps the loss with ``α`` and runs it back: each learned port gets
    ``(s', x') = U*((s, x), x_change)``; the changes of the others are discarded.

    Args:
        model: a Para morphism ``A → B`` (parameters ``P``), in any CRDC.
        loss: a Para morphism ``B → L`` whose parameter is the target ``B_t``.
        params, inputs, targets: an optimiser (learned), ``DATA`` (given to every
            step, in the order params, inputs, targets) or ``FIXED`` (given to
            ``init``, held unchanged).
        learning_rate: the cap at ``L``; default ``descent(1.0)``.
        batch_size: ``None`` for one example per step, else ``n``: the parameters are
            shared by the batch (copied, so their changes add), inputs and targets
            are one per example (also when learned or fixed), the cap is the mean's.
        derivative: the model's backward pass, ``None`` for its category's ``R``.

    Example: learn the target ``t`` of ``½(Wa − t)²`` (``t ← t − η (t − Wa)``).

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import FIXED, descent, quadratic, sgd
        >>> learner = assemble(layers.linear(1, 1), quadratic(ArrayType((1,))), params=FIXED,
        ...                    targets=sgd(0.5), learning_rate=descent(1.0))
        >>> learner.data_ports, learner.held_ports
        (('inputs',), ('params', 'targets'))
        >>> state = learner.init(params={"weight": jnp.array([[2.0]])}, targets=jnp.array([0.0]))
        >>> state, loss = learner.step(state, jnp.array([1.0]))
        >>> state.params["targets"].tolist(), float(loss)  # halfway to W a = 2
        ([1.0], 2.0)
    """
    return _assembled("assemble", model, loss, {"params": params, "inputs": inputs,
                                                "targets": targets},
                      learning_rate, batch_size, derivative)


def _assembled(who: str, model: Para, loss: Para, ports: dict, learning_rate: Rate | None,
               batch_size: int | None, derivative: Any = None) -> Learner:
    rate = learning_rate if learning_rate is not None else descent(1.0)
    _check_para(who, "model", model)
    _check_para(who, "loss", loss)
    if batch_size is not None:
        hyper.count(who, "batch_size", batch_size)
    _check_parts(ports, rate)
    m, lo = _assemble(model, loss, batch_size)
    body = (as_lens(m, derivative) >> as_lens(lo)).inside  # a lens on P @ B_t @ A → L
    cat = model.inside.category
    lenses = LensCategory(cat)
    X = {"params": m.param, "targets": lo.param, "inputs": m.dom}
    order = ("params", "targets", "inputs")  # the closed lens's domain
    learned = tuple(p for p in PORTS if ports[p] is not DATA and ports[p] is not FIXED)
    S = {p: ports[p].state_object(X[p]) for p in learned}
    U = {p: ports[p].lens(X[p], cat) if p in learned else lenses.id(X[p]) for p in order}
    closed = U[order[0]].tensor(*(U[p] for p in order[1:])) >> body
    rate.cap(closed.cod.fwd, cat, 0)  # built once here, so a rate its category lacks fails now
    objs = tuple(o for p in order for o in ((S[p], X[p]) if p in learned else (X[p],)))
    held = tuple(p for p in PORTS if ports[p] is not DATA)
    # a data port of the unit carries no information: its point is always ()
    units = {p: () for p in PORTS if ports[p] is DATA and X[p] == cat.unit}
    data = tuple(p for p in PORTS if ports[p] is DATA and p not in units)
    what = {"params": f"{model}: parameters", "inputs": f"{model}: input",
            "targets": f"{loss}: target"}
    given_as = {"params": f"{model}: step parameters", "inputs": f"{model}: step input x",
                "targets": f"{loss}: step target y"}

    def one_or_dict(values: dict, keys: tuple[str, ...]) -> Any:
        return values[keys[0]] if len(keys) == 1 else {k: values[k] for k in keys}

    def as_dict(value: Any, keys: tuple[str, ...]) -> dict:
        return {keys[0]: value} if len(keys) == 1 else dict(value)

    def init(*point, **points):
        if len(point) == 1 and not points and len(held) == 1:
            point, points = (), {held[0]: point[0]}
        if point or set(points) != set(held):
            raise BadPoint(f"{model}: init takes the starting point of each held port "
                           f"{held} (positionally when there is one), got "
                           f"{len(point)} positional and {sorted(points)} by name")
        for p in held:
            cat.check_point(X[p], points[p], what[p])
        values = one_or_dict(points, held)
        opt = one_or_dict({p: ports[p].init(points[p]) for p in learned}, learned) \
            if learned else ()
        return LearnerState(values, opt, jnp.zeros((), jnp.int32))

    def step(state, *given, keep=None):
        if keep is not None and batch_size is None:
            raise BadPoint(f"{model}: keep= masks rows of a batch, but this learner takes one "
                           f"example per step (batch_size=None)")
        if len(given) != len(data):
            raise BadPoint(f"{model}: step takes the state and a point of each data port "
                           f"{data}, got {len(given)} point(s) after the state")
        check_state(state)
        points = {**as_dict(state.params, held), **units, **dict(zip(data, given))}
        for p in data:
            cat.check_point(X[p], points[p], given_as[p])
        opt = as_dict(state.opt_state, learned) if learned else {}
        flat = [v for p in order for v in ((opt[p], points[p]) if p in learned else (points[p],))]
        changes, loss_value = _run(closed, objs, flat, rate, state.step, keep)
        out, i = {}, 0
        for p in order:
            if p in learned:
                opt[p], out[p] = changes[i], changes[i + 1]
            i += 2 if p in learned else 1
        values = one_or_dict({**as_dict(state.params, held), **out}, held)
        new_opt = one_or_dict(opt, learned) if learned else state.opt_state
        return LearnerState(values, new_opt, state.step + 1), _mean(loss_value, keep)

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

    def check(*sets):
        if len(sets) != len(data):
            raise BadPoint(f"{model}: expected a data set for each data port {data}, got "
                           f"{len(sets)}")
        one = {"params": model.param, "inputs": model.dom, "targets": loss.param}
        names = {"params": "parameters", "inputs": "inputs x", "targets": "targets y"}
        counts = [examples(s, one[p], f"{model if p != 'targets' else loss}: {names[p]}")
                  for p, s in zip(data, sets)]
        if len(set(counts)) > 1:
            raise BadPoint(f"{model}: the data sets must have the same number of examples, got "
                           + " and ".join(f"{n} {p}" for p, n in zip(data, counts)))

    def check_ports(field_name, value, keys, objects, where):
        if len(keys) > 1 and not (isinstance(value, dict) and set(value) == set(keys)):
            raise BadPoint(f"{model}: state.{field_name} must be a dict of the ports {keys}, "
                           f"got {type(value).__name__}")
        for p, v in as_dict(value, keys).items():
            cat.check_point(objects[p], v, where(p))

    def check_state(state):
        check_ports("params", state.params, held, X, lambda p: f"{what[p]} (state.params)")
        if learned:
            check_ports("opt_state", state.opt_state, learned, S,
                        lambda p: f"{ports[p]!r}: state.opt_state")

    def predict(params, xs):
        return batch(model, examples(xs, model.dom, f"{model}: predict inputs"))(params, xs)

    return Learner(model, loss, ports, rate, batch_size, init, step, predict, data, held,
                   check, check_state)


def supervised(model: Para, loss: Para, optimiser: Optimiser,
               learning_rate: Rate | None = None, *, batch_size: int | None = None,
               derivative: Any = None) -> Learner:
    """Supervised learning of parameters (CFGBL §4.1, Fig. 6): the optimiser on ``P``,
    inputs and targets data. ``step(state, x, y)``.

    ``p̄ = U(s, p);  b_p = f(p̄, a);  (b_t', b_p') = R[loss](b_t, b_p, α(loss(b_t, b_p)));
    (p', a') = R[f](p̄, a, b_p');  (s', p_new) = U*((s, p), p')``

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
    return _assembled("supervised", model, loss, {"params": optimiser, "inputs": DATA,
                                                  "targets": DATA},
                      learning_rate, batch_size, derivative)


def dream(model: Para, loss: Para, optimiser: Optimiser, learning_rate: Rate | None = None, *,
          batch_size: int | None = None) -> Learner:
    """Learn the *input* with the parameters fixed (deep dreaming, CFGBL §4.2, Fig. 7).

    ``init(params=p, inputs=a0)``, ``step(state, target)``; the state's ``params`` is
    ``{"params": p, "inputs": a}``. With the dot loss and ``ascent(ε)`` (the default
    rate) this is CFGBL Ex. 4.5: ``a ← a + ε R[f](p, a, b_t)``.

    Example: for ``f(W, a) = W a`` that is ``a ← a + ε Wᵀ b_t``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import ascent, dot, gradient
        >>> dreamer = dream(layers.linear(2, 1), dot(ArrayType((1,))), gradient(), ascent(0.5))
        >>> W, target = {"weight": jnp.array([[1.0, 2.0]])}, jnp.array([1.0])
        >>> s, value = dreamer.step(dreamer.init(params=W, inputs=jnp.zeros(2)), target)
        >>> s.params["inputs"].tolist(), float(value)
        ([0.5, 1.0], 0.0)
        >>> s, value = dreamer.step(s, target)
        >>> s.params["inputs"].tolist(), float(value)  # the loss b_t · W a grows
        ([1.0, 2.0], 2.5)
    """
    return _assembled("dream", model, loss, {"params": FIXED, "inputs": optimiser,
                                             "targets": DATA},
                      learning_rate if learning_rate is not None else ascent(1.0), batch_size)


def adversarial(model: Para, loss: Para, optimiser: Optimiser, learning_rate: Rate | None = None,
                *, batch_size: int | None = None) -> Learner:
    """Adversarial examples: the inputs learned by *ascent* of the loss against data
    targets, the parameters fixed. ``init(params=p, inputs=x)``, ``step(state, y)``.

    With ``sign_sgd(ε)`` and one step this is the fast gradient sign method,
    ``x ← x + ε sign(∇_x loss(f(p, x), y))``.

    Example: one signed step against ``½(W x − y)²`` at ``W = [1, −1]``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import quadratic, sign_sgd
        >>> attack = adversarial(layers.linear(2, 1), quadratic(ArrayType((1,))), sign_sgd(0.1))
        >>> s = attack.init(params={"weight": jnp.array([[1.0, -1.0]])}, inputs=jnp.zeros(2))
        >>> s, loss = attack.step(s, jnp.array([1.0]))  # ∇_x = (Wx − y) Wᵀ = [−1, 1]
        >>> s.params["inputs"].tolist()
        [-0.10000000149011612, 0.10000000149011612]
    """
    return _assembled("adversarial", model, loss, {"params": FIXED, "inputs": optimiser,
                                                   "targets": DATA},
                      learning_rate if learning_rate is not None else ascent(1.0), batch_size)


def learn_targets(model: Para, loss: Para, optimiser: Optimiser,
                  learning_rate: Rate | None = None, *, batch_size: int | None = None
                  ) -> Learner:
    """Learn the *targets* with the parameters fixed and the inputs as data: the target
    that the loss finds best for the model's outputs (descent by default).
    ``init(params=p, targets=t0)``, ``step(state, x)``.

    Example: under the quadratic loss the target moves to the prediction ``W x``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import sgd
        >>> from learners import quadratic
        >>> learner = learn_targets(layers.linear(1, 1), quadratic(ArrayType((1,))), sgd(1.0))
        >>> s = learner.init(params={"weight": jnp.array([[3.0]])}, targets=jnp.array([0.0]))
        >>> s, _ = learner.step(s, jnp.array([1.0]))
        >>> s.params["targets"].tolist()
        [3.0]
    """
    return _assembled("learn_targets", model, loss, {"params": FIXED, "inputs": DATA,
                                                     "targets": optimiser},
                      learning_rate, batch_size)
