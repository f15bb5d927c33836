"""Training loops: many epochs per compiled call, compiled once per learner and data shape.

``fit`` compiles one function per (learner, data shapes, options) and keeps it on
the learner, so a second ``fit`` compiles nothing. One call of that function runs
up to ``chunk`` epochs (a loop over epochs, each a ``lax.scan`` over its batches);
the host only sees the per-epoch losses, a progress callback per epoch and the
metrics every ``metrics_every`` epochs. A partial last batch is kept: its missing
rows are padding with ``keep = False`` (no change, left out of the mean loss). The
shuffled orders of a chunk come as a table, for jax's default keys computed with
numpy while the chunk before it trains (:mod:`learners._shuffles`), so a learner
compiles only its own training loop.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, layers
    >>> from learners import adam, quadratic, supervised
    >>> x = jax.random.normal(jax.random.key(1), (60, 3))
    >>> y = x @ jnp.array([[1.0], [-2.0], [0.5]])
    >>> model = layers.dense(3, 1)
    >>> learner = supervised(model, quadratic(ArrayType((1,))), adam(0.05), batch_size=16)
    >>> state, history = fit(learner, learner.init(model.init(jax.random.key(0))), x, y,
    ...                      epochs=40, key=jax.random.key(2), progress=False)
    >>> history["loss"][-1] < 0.01 * history["loss"][0], int(state.step)  # 4 batches an epoch
    (True, 160)
    >>> _, again = fit(learner, state, x, y, epochs=5, key=jax.random.key(2), progress=False)
    >>> again["compilations"]  # the same learner and shapes: nothing is compiled again
    [0]
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from categories import AxiomError, BadHyperparameter, BadPoint

from . import _shard, _shuffles
from ._learner import Learner, LearnerState

__all__ = ["fit", "accuracy", "Diverged", "DivergenceWarning"]


class DivergenceWarning(AxiomError, RuntimeWarning):
    """Training went non-finite; ``fit`` stopped and returned the last finite state.

    Example: a step size far past ``2 / x²`` makes ``w ← w − η x² (w − 2)`` blow up.

        >>> import warnings, jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import descent, gradient, quadratic, supervised
        >>> learner = supervised(layers.linear(1, 1), quadratic(ArrayType((1,))), gradient(),
        ...                      descent(1000.0))
        >>> x = jnp.array([[1.0], [2.0], [3.0], [4.0]])
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     state, history = fit(learner, learner.init({"weight": jnp.zeros((1, 1))}), x,
        ...                          2 * x, epochs=20, shuffle=False, progress=False)
        >>> [w.category.__name__ for w in caught], history["diverged"], int(state.step)
        (['DivergenceWarning'], {'epoch': 1, 'step': 6, 'batch': 2}, 6)
    """


class Diverged(AxiomError, ArithmeticError):
    """Training went non-finite (``fit(..., divergence="raise")``).

    ``state`` is the last finite state and ``history`` the history up to it.

    Example: a step size far past ``2 / x²`` makes ``w ← w − η x² (w − 2)`` blow up.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import descent, gradient, quadratic, supervised
        >>> learner = supervised(layers.linear(1, 1), quadratic(ArrayType((1,))), gradient(),
        ...                      descent(1000.0))
        >>> x = jnp.array([[1.0], [2.0], [3.0], [4.0]])
        >>> try:
        ...     fit(learner, learner.init({"weight": jnp.zeros((1, 1))}), x, 2 * x, epochs=20,
        ...         shuffle=False, progress=False, divergence="raise")
        ... except Diverged as e:
        ...     print(e.history["diverged"], bool(jnp.isfinite(e.state.params["weight"]).all()))
        {'epoch': 1, 'step': 6, 'batch': 2} True
    """

    def __init__(self, message: str, state: Any, history: dict):
        super().__init__(message)
        self.state, self.history = state, history


CHUNK = 1024
"""Epochs per compiled call when no metrics are asked for (a host round trip per chunk)."""

TABLE = 2 ** 22
"""At most this many indices in one call's table of example orders (16 MB), or one
epoch's when an epoch has more examples."""


def _check_data(data: tuple, names: tuple[str, ...]) -> int:
    """The number of examples (1 for a learner without data ports: an epoch is a step)."""
    n = {int(np.shape(v)[0]) for v in jax.tree.leaves(data)}
    if len(n) > 1:
        raise BadPoint(f"fit: the data sets {', '.join(names)} must have the same number of "
                       f"examples, got lengths {sorted(n)}")
    for name, v in zip(names, data):
        for leaf in jax.tree.leaves(v):
            floating = jnp.issubdtype(jnp.result_type(leaf), jnp.floating)
            if floating and not np.all(np.isfinite(leaf)):
                raise BadPoint(f"fit: {name} contains NaN or Inf")
    return n.pop() if n else 1


def _orders(order: Any, n: int, epochs: int) -> Callable[[int, int], np.ndarray] | None:
    """``order`` as a function of (the epoch counted from the state's step, the epoch
    counted from 0 in this call), which a table's rows follow; ``None``: orders are
    made on the device."""
    if order is None:
        return None
    if not callable(order):
        table = np.asarray(order)
        if table.ndim == 1:
            table = table[None]
        if table.ndim != 2 or table.shape[0] not in (1, epochs):
            raise BadPoint(f"fit: order must be one permutation of shape ({n},) or one per "
                           f"epoch, ({epochs}, {n}); got shape {np.shape(order)}")

    def checked(e: int, i: int) -> np.ndarray:
        idx = np.asarray(order(e) if callable(order) else table[min(i, len(table) - 1)])
        if idx.shape != (n,) or not np.issubdtype(idx.dtype, np.integer):
            raise BadPoint(f"fit: the order of epoch {e} must be {n} integer indices, shape "
                           f"({n},); got {idx.dtype} of shape {idx.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise BadPoint(f"fit: the order of epoch {e} has an index outside [0, {n}): "
                           f"{int(idx.min() if idx.min() < 0 else idx.max())}")
        return idx.astype(np.int32)
    return checked


def _finite(loss: Any, params: Any) -> Any:
    """Whether the loss and every parameter are finite: ``Σ 0·v`` is NaN exactly when some
    ``v`` is NaN or infinite, and it fuses into one reduction per leaf (a flag per leaf
    stacked and reduced again costs noticeably more to compile)."""
    leaves = [v for v in jax.tree.leaves((loss, params)) if jnp.issubdtype(v.dtype, jnp.inexact)]
    return jnp.isfinite(sum(jnp.sum(jnp.real(v * 0), dtype=jnp.float32) for v in leaves))


def _compiled(learner: Learner, n: int, chunk: int, mode: str, drop_remainder: bool,
              report: bool, placement: _shard.Placement | None = None) -> tuple[Callable, dict]:
    """The cached multi-epoch function for these options (shapes are jit's business)."""
    cache_key = (n, chunk, mode, drop_remainder, report, placement)
    if cache_key in learner.compiled:
        return learner.compiled[cache_key]
    bs = learner.batch_size or 1
    batches = n // bs if drop_remainder else -(-n // bs)
    if batches == 0:
        raise BadPoint(f"fit: {n} examples cannot fill one batch of {bs} (drop_remainder=True)")
    slots = batches * bs
    masked = learner.batch_size is not None and slots > n
    info = {"traces": 0, "listener": None, "batches": batches}

    def take(data, order):
        def leaf(v):
            v = v[order]
            return v if learner.batch_size is None else v.reshape(batches, bs, *v.shape[1:])
        return jax.tree.map(leaf, data)

    def batches_of(data, order):
        # padding rows repeat the first example and are masked out by keep
        order = jnp.concatenate([order, jnp.zeros(max(slots - n, 0), order.dtype)])[:slots]
        data = tuple(take(d, order) for d in data)
        if not data:  # no data ports: each batch is one step on nothing
            data = (jnp.zeros((batches, 0)),)
        return data, ((jnp.arange(slots) < n).reshape(batches, bs) if masked else None)

    def step(state, batch):
        data, keep = batch
        data = data if learner.data_ports else ()
        return learner.step(state, *data) if keep is None else learner.step(state, *data,
                                                                              keep=keep)

    # on a mesh: each device gathers and steps its rows of every batch (XLA adds the changes)
    batches_of = _shard.split_batches(batches_of, placement)
    step = _shard.stepper(step, placement)

    def mean(losses):
        if not masked:
            return jnp.mean(losses)
        real = jnp.minimum(bs, n - bs * jnp.arange(batches)).astype(losses.dtype)
        return jnp.sum(losses * real) / n

    def one_epoch(state, data, order):
        state, losses = jax.lax.scan(step, state, batches_of(data, order))
        return state, mean(losses)

    def order_of(orders, i):
        return orders[i] if mode == "table" else jnp.arange(n)

    def tell(e, loss):
        if info["listener"] is not None:
            info["listener"](int(e), float(loss))

    def epochs(state, data, first, count, orders, guard):
        info["traces"] += 1  # runs once per trace, not per call

        def body(carry):
            i, state, losses, ok = carry
            new, loss = one_epoch(state, data, order_of(orders, i))
            if report:
                jax.debug.callback(tell, first + i, loss)
            if guard:  # an epoch that ends non-finite is undone, and the loop stops
                ok = _finite(loss, new.params)
                new = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new, state)
            return i + 1, new, losses.at[i].set(loss), ok

        start = (jnp.int32(0), state, jnp.zeros(chunk, jnp.float32), jnp.bool_(True))
        if not guard:  # one check for the whole chunk; the guarded loop finds the epoch
            _, state, losses, _ = jax.lax.fori_loop(0, count, lambda i, c: body(c), start)
            return state, losses, count, _finite(losses, state.params)
        i, state, losses, ok = jax.lax.while_loop(lambda c: (c[0] < count) & c[3], body, start)
        return state, losses, i - (~ok).astype(jnp.int32), ok

    # the fast loop checks once per chunk; a chunk that went non-finite is run again
    # from its start by the guarded loop, which checks every epoch and stops there
    run = jax.jit(functools.partial(epochs, guard=False))
    info["guarded"] = jax.jit(functools.partial(epochs, guard=True))

    @jax.jit
    def locate(state, data, orders):
        """Replay the epoch whose order is ``orders[0]`` step by step: the last finite
        state, and the first non-finite step's index in the epoch."""
        def body(carry, b):
            state, bad, i = carry
            new, loss = step(state, b)
            ok = (bad < 0) & _finite(loss, new.params)
            state = jax.tree.map(lambda a, c: jnp.where(ok, a, c), new, state)
            return (state, jnp.where((bad < 0) & ~ok, i, bad), i + 1), None

        (state, bad, _), _ = jax.lax.scan(body, (state, jnp.int32(-1), jnp.int32(0)),
                                          batches_of(data, order_of(orders, 0)))
        return state, bad

    info["locate"] = locate
    learner.compiled[cache_key] = run, info
    return run, info


def _settle(state: Any) -> Any:
    # strong dtypes, so the state a fit returns retraces nothing when passed back in
    return jax.tree.map(lambda v: jnp.asarray(v).astype(jnp.asarray(v).dtype), state)


def fit(learner: Learner, state: LearnerState, *data: Any, epochs: int,
        key: Any = None, shuffle: bool = True, order: Any = None,
        drop_remainder: bool = False, metrics: dict[str, Callable[[Any], float]] | None = None,
        metrics_every: int = 1, progress: bool | None = None, divergence: str = "stop",
        mesh: Any = None) -> tuple[LearnerState, dict[str, list[float]]]:
    """Train for ``epochs`` epochs; return the final state and the history.

    Epoch ``e`` (counted from the state's step, so a run resumed from a checkpoint
    continues exactly as an uninterrupted one) visits the examples in the order
    ``permutation(fold_in(key, e), n)``, or ``0 … n−1`` with ``shuffle=False``, or
    as given by ``order``.

    Args:
        data: a data set (examples along a leading axis) for each of the learner's
            data ports, in ``learner.data_ports`` order: ``x, y`` for supervised
            learning, ``targets`` for deep dreaming. A learner with no data ports
            takes none, and each epoch is one step.
        epochs: how many passes over the data.
        key: the ``jax.random`` key of the shuffles (needed when shuffling): one key,
            ``jax.random.key(seed)`` or a raw ``jax.random.PRNGKey(seed)``.
        shuffle: shuffle every epoch (ignored when ``order`` is given).
        order: an explicit example order, to compare runs step for step with other
            code: ``n`` indices used every epoch, an ``(epochs, n)`` table (a row
            per epoch of this call), or a function ``epoch ↦ n indices`` (epochs
            counted from the state's step, so a resumed run goes on where it stopped).
        drop_remainder: drop a partial last batch instead of masking it (the
            examples left over then change every epoch when shuffling).
        metrics: name ↦ function of the parameters, evaluated every
            ``metrics_every`` epochs and after the last (``history["metric_epochs"]``
            says after which epochs, counted from 1 in this call).
        progress: a tqdm bar updated every epoch; by default shown for runs of
            20 epochs or more.
        divergence: what a NaN or infinite loss or parameter does: ``"stop"``
            (return the last finite state, with a :class:`DivergenceWarning` that
            names the epoch and step, also in ``history["diverged"]``), ``"raise"``
            (raise :class:`Diverged`, carrying that state), or ``"ignore"`` (train
            on, unchecked). Each epoch is checked once; the epoch that went
            non-finite is replayed step by step to find the step.
        mesh: train data-parallel on a ``jax.sharding.Mesh`` (batches split over its
            ``"data"`` axis, large state leaves over its ``"model"`` axis if it has
            one) or as :func:`data_parallel` places; the data set is copied to every
            device. The result is the one-device run's, up to the order of float32
            sums (bit for bit for circuits). See ``docs/guides/distributed.md``.

    Returns:
        ``(state, history)``: ``history["loss"]`` has the mean loss of every epoch,
        ``history[name]`` every metric, ``history["compilations"]`` how many times
        this call compiled (0 when the learner already ran on these shapes; with a
        key of another kind than jax's default Threefry, its orders' compiled
        function counts too).

    Raises:
        BadPoint: mismatched lengths of ``x`` and ``y``, NaN or Inf in the data,
            a malformed ``order``, no key (or not one key) to shuffle with, or (with
            ``drop_remainder``) fewer examples than one batch.
        Diverged: with ``divergence="raise"``, when training goes non-finite.
        BadHyperparameter: a ``mesh`` without a data axis, or a batch size its data
            axis does not divide (naming both).

    Example: ``y = 2x`` by mini-batch descent on ``w``, two batches an epoch.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import descent, gradient, quadratic, supervised
        >>> x = jnp.array([[1.0], [2.0], [3.0], [4.0]])
        >>> learner = supervised(layers.linear(1, 1), quadratic(ArrayType((1,))), gradient(),
        ...                      descent(0.05), batch_size=2)
        >>> state = learner.init({"weight": jnp.zeros((1, 1))})
        >>> state, history = fit(learner, state, x, 2 * x, epochs=30, shuffle=False,
        ...                      progress=False)
        >>> round(float(state.params["weight"][0, 0]), 3), int(state.step), len(history["loss"])
        (2.0, 60, 30)
    """
    if divergence not in ("stop", "raise", "ignore"):
        raise BadPoint(f"fit: divergence must be 'stop', 'raise' or 'ignore', got {divergence!r}")
    for name, value, low in (("epochs", epochs, 0), ("metrics_every", metrics_every, 1)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or value < low:
            raise BadHyperparameter(f"fit: {name} must be a whole number ≥ {low}, got {value!r}")
    learner.check(*data)  # before anything is traced: data sets the model and loss accept
    learner.check_state(state)
    n = _check_data(data, tuple({"inputs": "x", "targets": "y"}.get(p, p)
                                for p in learner.data_ports))
    aligned = [p for p in learner.held_ports if p != "params"]
    if aligned and learner.batch_size is not None and (n != learner.batch_size or order
                                                       is not None or shuffle):
        raise BadPoint(f"fit: this learner holds a batch of {', '.join(aligned)} (one per "
                       f"example), aligned with the data's rows, so fit takes exactly "
                       f"batch_size={learner.batch_size} examples in their order "
                       f"(shuffle=False, no order=); got {n} examples")
    orders = _orders(order, n, epochs)
    # one example has one order: nothing to shuffle, so no key is needed
    mode = "given" if orders else ("shuffle" if shuffle and n > 1 else "ordered")
    if mode == "shuffle" and key is None:
        raise BadPoint("fit: shuffling needs key= (a jax.random key), or pass shuffle=False "
                       "or order=")
    if mode == "shuffle":
        key = _shuffles.one_key(key, "fit")
    chunk = metrics_every if metrics else CHUNK
    if mode != "ordered":  # each call takes a table of its epochs' orders: keep it small
        cap = max(1, TABLE // max(n, 1))
        # metrics are taken after every chunk: with a smaller chunk, one that divides
        # metrics_every, so they still come every metrics_every epochs
        chunk = min(chunk, cap) if not metrics else max(d for d in range(1, min(chunk, cap) + 1)
                                                        if metrics_every % d == 0)
    show = bool(progress or (progress is None and epochs >= 20))
    placement = _shard.plan(mesh, learner.batch_size, "fit")
    run, info = _compiled(learner, n, chunk, "ordered" if mode == "ordered" else "table",
                          drop_remainder, show, placement)
    guard = divergence != "ignore"
    data = _shard.place_data(placement, jax.tree.map(jnp.asarray, data))

    def table_of(first: int, count: int) -> Any:
        """The orders of epochs ``first … first + count − 1`` (counted from the state's
        step), padded to ``chunk`` rows."""
        if mode == "shuffle":
            table = _shuffles.orders(key, first, count, chunk, n)
        else:
            table = np.zeros((chunk, n) if mode == "given" else (0,), np.int32)
            for i in range(count if mode == "given" else 0):
                table[i] = orders(first + i, first + i - start)
        return _shard.place_data(placement, table)

    state = _shard.place_state(placement, _settle(state))
    history: dict[str, list[float]] = {"loss": [], **{k: [] for k in (metrics or {})}}
    if metrics:
        history["metric_epochs"] = []
    start = int(state.step) // info["batches"]
    traces = info["traces"] + _shuffles.TRACES[0]
    bar = None
    if show:
        from tqdm.auto import tqdm
        # XLA compiles before the first epoch reports: the bar says so until then, and its
        # clock restarts there, so the rate and time left are the training's own
        bar = tqdm(total=epochs, desc="compiling", unit="epoch")

        def listener(e, loss):  # by position: a chunk run again reports its epochs again
            if bar.desc == "compiling":
                bar.reset(total=epochs)
                bar.set_description_str("epochs", refresh=False)
            bar.set_postfix(loss=f"{loss:.4g}", refresh=False)  # update redraws, at most 10/s
            bar.update(e + 1 - start - bar.n)
        info["listener"] = listener
    try:
        done = 0
        count, table = int(min(chunk, epochs)), None  # a Python int: np.int64 would retrace
        while done < epochs:
            if table is None:
                table = table_of(start + done, count)
            args = (data, start + done, count, table)
            state_before, (state, losses, completed, ok) = state, run(state, *args)
            # the next chunk's shuffles are drawn while this one runs (dispatch is async);
            # an order= function is called only for epochs about to run
            following = int(min(chunk, epochs - done - count))
            ahead = following and mode == "shuffle"
            table = table_of(start + done + count, following) if ahead else None
            if guard and not bool(ok):
                state, losses, completed, ok = info["guarded"](state_before, *args)
            losses, completed, ok = jax.device_get((losses, completed, ok))  # one round trip
            completed = int(completed)
            history["loss"] += losses[:completed].tolist()
            done += completed
            count = following
            if guard and not bool(ok):
                epoch = start + done
                state = _diverged(info, state, data, epoch, table_of(epoch, 1), history)
                break
            if metrics and (done % metrics_every == 0 or done == epochs):
                history["metric_epochs"].append(done)
                for name, fn in metrics.items():
                    history[name].append(float(fn(state.params)))
    finally:
        info["listener"] = None
        if bar is not None:
            bar.close()
    history["compilations"] = [info["traces"] + _shuffles.TRACES[0] - traces]
    if "diverged" in history:
        d = history["diverged"]
        message = (f"fit: training diverged in epoch {d['epoch']}, step {d['step']} (batch "
                   f"{d['batch']} of that epoch): the loss or the parameters became NaN or "
                   f"infinite. Returning the last finite state (step {int(state.step)}); lower "
                   f"the learning rate or clip the updates, or pass divergence='ignore'.")
        if divergence == "raise":
            raise Diverged(message, state, history)
        warnings.warn(DivergenceWarning(message), stacklevel=2)
    return state, history


def _diverged(info: dict, state: Any, data: tuple, epoch: int, table: Any,
              history: dict) -> Any:
    """Replay ``epoch``, which went non-finite (its order is ``table[0]``), to find the
    step; its last finite state."""
    state, batch = info["locate"](state, data, table)
    history["diverged"] = {"epoch": epoch, "step": int(state.step), "batch": int(batch)}
    return state


def accuracy(predictions: Any, labels: Any) -> float:
    """Fraction of rows whose argmax equals ``labels`` (integers, or one-hot rows).

    Example:
        >>> import jax.numpy as jnp
        >>> scores = jnp.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
        >>> accuracy(scores, jnp.array([0, 1, 1, 1]))  # row 2 predicts class 0
        0.75
        >>> accuracy(scores[:2], jnp.array([[1.0, 0.0], [1.0, 0.0]]))
        0.5
    """
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if labels.ndim == predictions.ndim:
        labels = labels.argmax(axis=-1)
    if predictions.shape[0] != labels.shape[0]:
        raise BadPoint(f"accuracy: {predictions.shape[0]} predictions but {labels.shape[0]} labels")
    return float(np.mean(predictions.argmax(axis=-1) == labels))
