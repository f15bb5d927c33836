"""Training loops: epochs compiled as ``lax.scan`` over shuffled batches.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, layers
    >>> from learners import adam, quadratic, supervised
    >>> x = jax.random.normal(jax.random.key(1), (64, 3))
    >>> y = x @ jnp.array([[1.0], [-2.0], [0.5]])
    >>> model = layers.dense(3, 1)
    >>> learner = supervised(model, quadratic(ArrayType((1,))), adam(0.05), batch_size=16)
    >>> state, history = fit(learner, learner.init(model.init(jax.random.key(0))), x, y,
    ...                      epochs=40, key=jax.random.key(2), progress=False)
    >>> history["loss"][-1] < 0.01 * history["loss"][0]
    True
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ._learner import Learner, LearnerState

__all__ = ["fit", "accuracy"]


def _check_data(x: Any, y: Any) -> int:
    n = {int(np.shape(v)[0]) for v in jax.tree.leaves((x, y))}
    if len(n) != 1:
        raise ValueError(f"fit: x and y must have the same number of examples, got lengths "
                         f"{sorted(n)}")
    for name, v in (("x", x), ("y", y)):
        for leaf in jax.tree.leaves(v):
            if jnp.issubdtype(jnp.asarray(leaf).dtype, jnp.floating) and not np.all(np.isfinite(leaf)):
                raise ValueError(f"fit: {name} contains NaN or Inf")
    return n.pop()


def _epoch_fn(learner: Learner, n: int, trace_counter: list) -> tuple[Callable, int]:
    bs = learner.batch_size or 1
    batches = n // bs
    if batches == 0:
        raise ValueError(f"fit: {n} examples cannot fill one batch of {bs}")

    def take(data, order):
        def leaf(v):
            v = v[order]
            return v if learner.batch_size is None else v.reshape(batches, bs, *v.shape[1:])
        return jax.tree.map(leaf, data)

    @jax.jit
    def epoch(state, x, y, key, shuffle):
        trace_counter.append(1)  # runs once per trace, not per call
        order = jnp.where(shuffle, jax.random.permutation(key, n), jnp.arange(n))[: batches * bs]

        def body(s, xy):
            return learner.step(s, *xy)

        state, losses = jax.lax.scan(body, state, (take(x, order), take(y, order)))
        return state, jnp.mean(losses)

    return epoch, batches


def fit(learner: Learner, state: LearnerState, x: Any, y: Any, *, epochs: int, key: Any,
        shuffle: bool = True, metrics: dict[str, Callable[[Any], float]] | None = None,
        progress: bool | None = None) -> tuple[LearnerState, dict[str, list[float]]]:
    """Train for ``epochs`` epochs; return the final state and a history per epoch.

    Each epoch is one compiled call (``lax.scan`` over the batches), traced once
    per data shape. The examples of epoch ``e`` are shuffled with
    ``fold_in(key, e)``, where ``e`` counts from the state's step, so a run resumed
    from a checkpoint continues exactly as an uninterrupted one would.

    Args:
        metrics: name ↦ function of the parameters, evaluated after every epoch
            (for example a test accuracy).
        progress: a tqdm bar over epochs; by default shown for runs of 20 epochs or more.

    Raises:
        ValueError: mismatched lengths of ``x`` and ``y``, NaN or Inf in the data,
            or fewer examples than one batch.
    """
    n = _check_data(x, y)
    traces: list = []
    epoch, batches = _epoch_fn(learner, n, traces)
    x, y = jax.tree.map(jnp.asarray, (x, y))
    history: dict[str, list[float]] = {"loss": [], **{k: [] for k in (metrics or {})}}
    start = int(state.step) // batches
    bar = range(start, start + epochs)
    if progress or (progress is None and epochs >= 20):
        from tqdm.auto import tqdm
        bar = tqdm(bar, desc="epochs", unit="epoch")
    for e in bar:
        state, loss = epoch(state, x, y, jax.random.fold_in(key, e), shuffle)
        history["loss"].append(float(loss))
        for name, fn in (metrics or {}).items():
            history[name].append(float(fn(state.params)))
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{float(loss):.4g}")
    history["compilations"] = [len(traces)]
    return state, history


def accuracy(predictions: Any, labels: Any) -> float:
    """Fraction of rows whose argmax equals ``labels`` (integers, or one-hot rows)."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if labels.ndim == predictions.ndim:
        labels = labels.argmax(axis=-1)
    if predictions.shape[0] != labels.shape[0]:
        raise ValueError(f"accuracy: {predictions.shape[0]} predictions but {labels.shape[0]} labels")
    return float(np.mean(predictions.argmax(axis=-1) == labels))
