"""``fit``: compiled once per learner and shapes, explicit orders, masked partial batches."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from categories import ArrayType, AxiomError, BadPoint, layers, smooth
from learners import (DivergenceWarning, Diverged, data, descent, fit, gradient, quadratic, sgd,
                      supervised)

Y = ArrayType((3,))
X_IRIS, LABELS = data.load_iris()
T_IRIS = data.one_hot(LABELS, 3)
MODEL = layers.dense(4, 5, smooth.tanh) >> layers.dense(5, 3, smooth.sigmoid)
PARAMS = MODEL.init(jax.random.key(0))


def _learner(batch_size, optimiser=None):
    return supervised(MODEL, quadratic(Y), optimiser or sgd(0.1), batch_size=batch_size)


def _equal(a, b):
    return all(np.array_equal(np.asarray(u), np.asarray(v))
               for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def _close(a, b, tol=1e-6):
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=tol, atol=tol)


def test_a_second_fit_compiles_nothing_whatever_the_epoch_count():
    learner = _learner(10)
    state, first = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=3,
                       key=jax.random.key(1), progress=False)
    state, second = fit(learner, state, X_IRIS, T_IRIS, epochs=70, key=jax.random.key(1),
                        progress=False)
    _, third = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=1,
                   key=jax.random.key(2), progress=False)
    assert (first["compilations"], second["compilations"], third["compilations"]) == ([1], [0], [0])
    assert len(second["loss"]) == 70 and int(state.step) == 73 * 15
    # other data shapes or options compile their own loop
    _, other = fit(learner, state, X_IRIS[:100], T_IRIS[:100], epochs=1, key=jax.random.key(1),
                   progress=False)
    assert other["compilations"] == [1]


def test_chunks_of_epochs_equal_one_call_per_epoch():
    learner = _learner(10)
    whole, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=6,
                         key=jax.random.key(1), progress=False)
    state = learner.init(PARAMS)
    losses = []
    for _ in range(6):
        state, h = fit(learner, state, X_IRIS, T_IRIS, epochs=1, key=jax.random.key(1),
                       progress=False)
        losses += h["loss"]
    assert _equal(state, whole) and losses == history["loss"]


def test_an_explicit_order_is_followed_step_for_step():
    learner = _learner(None)
    rng = np.random.default_rng(0)
    orders = np.stack([rng.permutation(150) for _ in range(2)])
    state, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=2, order=orders,
                         progress=False)
    step = jax.jit(learner.step)
    hand, losses = learner.init(PARAMS), []
    for order in orders:
        epoch = []
        for i in order:
            hand, loss = step(hand, jnp.asarray(X_IRIS[i]), jnp.asarray(T_IRIS[i]))
            epoch.append(float(loss))
        losses.append(np.mean(epoch))
    _close(state.params, hand.params)
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-5)
    # a function of the epoch gives the same run as the table
    again, _ = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=2,
                   order=lambda e: orders[e], progress=False)
    assert _equal(again, state)


def test_shuffling_visits_the_documented_permutations():
    """Epoch ``e`` (counted from the state's step) visits ``permutation(fold_in(key, e), n)``:
    the same run as those orders given explicitly, from the start and resumed."""
    learner, key = _learner(32), jax.random.key(5)
    state, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=3, key=key,
                         progress=False)
    orders = np.stack([np.asarray(jax.random.permutation(jax.random.fold_in(key, e), 150))
                       for e in range(3)])
    given, again = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=3, order=orders,
                       progress=False)
    assert _equal(state, given) and history["loss"] == again["loss"]
    resumed, _ = fit(learner, state, X_IRIS, T_IRIS, epochs=2, key=key, progress=False)
    later = np.stack([np.asarray(jax.random.permutation(jax.random.fold_in(key, e), 150))
                      for e in (3, 4)])
    assert _equal(resumed, fit(learner, state, X_IRIS, T_IRIS, epochs=2, order=later,
                               progress=False)[0])


def test_metrics_come_every_k_epochs_when_a_chunk_of_orders_is_capped(monkeypatch):
    """Orders travel in tables of at most TABLE indices; with 150 examples and a cap of
    4 epochs a table, metrics every 5 epochs still come after epochs 5 and 10."""
    import learners._train as train
    monkeypatch.setattr(train, "TABLE", 4 * 150)
    learner = _learner(None)
    _, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=10,
                     key=jax.random.key(0), metrics={"b": lambda p: float(p[1]["bias"][0])},
                     metrics_every=5, progress=False)
    assert history["metric_epochs"] == [5, 10] and len(history["loss"]) == 10


def test_orders_drawn_ahead_are_the_next_chunks(monkeypatch):
    """Each chunk's orders are drawn while the chunk before it trains: with tables of
    two epochs, five epochs (three chunks, the last short) follow the documented orders."""
    import learners._train as train
    monkeypatch.setattr(train, "TABLE", 2 * 150)
    learner, key = _learner(32), jax.random.key(9)
    state, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=5, key=key,
                         progress=False)
    orders = np.stack([np.asarray(jax.random.permutation(jax.random.fold_in(key, e), 150))
                       for e in range(5)])
    monkeypatch.setattr(train, "TABLE", 2 ** 22)
    given, again = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=5, order=orders,
                       progress=False)
    assert _equal(state, given) and history["loss"] == again["loss"]


def test_an_order_function_is_called_only_for_epochs_about_to_run(monkeypatch):
    """Shuffles are drawn a chunk ahead; a user's order function is not: with chunks of
    two epochs, it sees each chunk's epochs after the metrics of the chunk before."""
    import learners._train as train
    monkeypatch.setattr(train, "TABLE", 2 * 150)
    events = []

    def order(e):
        events.append(e)
        return np.arange(150)

    learner = _learner(50)
    fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=5, order=order, progress=False,
        metrics={"m": lambda p: events.append("metric") or 0.0}, metrics_every=2)
    assert events == [0, 1, "metric", 2, 3, "metric", 4, "metric"]


def test_shuffling_works_with_64_bit_integers_on():
    learner = _learner(32)
    expected, _ = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=2,
                      key=jax.random.key(3), progress=False)
    with jax.enable_x64(True):  # permutation then makes int64 indices
        got, _ = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=2,
                     key=jax.random.key(3), progress=False)
    _close(got.params, expected.params)


def test_a_partial_last_batch_is_kept_and_averaged_over_its_real_rows():
    """150 Iris rows at batch 32: four full batches and one of 22, whose step equals
    that of a batch-22 learner (mean over the 22 real rows, no change from padding)."""
    learner = _learner(32)
    state, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=1,
                         shuffle=False, progress=False)
    assert int(state.step) == 5
    full, last = jax.jit(learner.step), jax.jit(_learner(22).step)
    hand, losses = learner.init(PARAMS), []
    for k in range(5):
        rows = slice(32 * k, min(32 * (k + 1), 150))
        hand, loss = (full if k < 4 else last)(hand, jnp.asarray(X_IRIS[rows]),
                                               jnp.asarray(T_IRIS[rows]))
        losses.append(float(loss) * (rows.stop - rows.start))
    _close(state.params, hand.params)
    np.testing.assert_allclose(history["loss"][0], sum(losses) / 150, rtol=1e-5)


def test_drop_remainder_trains_on_whole_batches_only():
    learner = _learner(32)
    state, _ = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=2, shuffle=False,
                   drop_remainder=True, progress=False)
    step, hand = jax.jit(learner.step), learner.init(PARAMS)
    for _ in range(2):
        for k in range(4):
            hand, _ = step(hand, jnp.asarray(X_IRIS[32 * k:32 * (k + 1)]),
                           jnp.asarray(T_IRIS[32 * k:32 * (k + 1)]))
    assert int(state.step) == 8
    _close(state.params, hand.params)


def test_keep_masks_rows_in_a_step():
    learner = _learner(4, gradient())
    state = learner.init(PARAMS)
    x, t = jnp.asarray(X_IRIS[:4]), jnp.asarray(T_IRIS[:4])
    masked, loss = learner.step(state, x, t, keep=jnp.array([True, True, False, False]))
    half, half_loss = _learner(2, gradient()).step(state, x[:2], t[:2])
    _close(masked.params, half.params)
    np.testing.assert_allclose(loss, half_loss, rtol=1e-6)
    with pytest.raises(BadPoint, match="one example per step"):
        _learner(None).step(state, x[0], t[0], keep=jnp.array([True]))


def test_metrics_every_k_epochs_and_after_the_last():
    learner = supervised(MODEL, quadratic(Y), gradient(), descent(0.01), batch_size=50)
    calls = []
    _, history = fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=7,
                     key=jax.random.key(0), progress=False, metrics_every=3,
                     metrics={"calls": lambda p: calls.append(1) or len(calls)})
    assert history["metric_epochs"] == [3, 6, 7] and history["calls"] == [1, 2, 3]
    assert len(history["loss"]) == 7


def test_the_progress_bar_moves_every_epoch(capsys, monkeypatch):
    """It says "compiling" until the first epoch reports, then counts every epoch."""
    import tqdm.auto

    seen = []

    class Recording(tqdm.auto.tqdm):
        def update(self, n=1):
            out = super().update(n)
            seen.append((self.desc, self.n))
            return out
    monkeypatch.setattr(tqdm.auto, "tqdm", Recording)
    learner = _learner(50)
    fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, epochs=3, key=jax.random.key(1),
        progress=True)
    assert seen == [("epochs", 1), ("epochs", 2), ("epochs", 3)]
    err = capsys.readouterr().err
    assert err.startswith("\rcompiling:") and "3/3" in err


@pytest.mark.parametrize("kwargs,words", [
    ({"order": np.arange(149)}, "shape (150,)"),
    ({"order": np.arange(150.0)}, "integer indices"),
    ({"order": np.full(150, 150)}, "outside [0, 150)"),
    ({"order": np.zeros((3, 150), int)}, "one per epoch"),
    ({"key": None}, "needs key="),
    ({"key": 0}, "key must be one jax.random key, such as jax.random.key(0); got int 0"),
    ({"key": jax.random.split(jax.random.key(0))}, "one jax.random key, such as "
                                                    "jax.random.key(0); got key<fry>[2]"),
    ({"metrics_every": 0}, "metrics_every must be a whole number ≥ 1"),
])
def test_bad_options_are_refused_before_training(kwargs, words):
    learner = _learner(10)
    options = {"epochs": 2, "key": jax.random.key(0), "progress": False, **kwargs}
    with pytest.raises(AxiomError, match=re.escape(words)):
        fit(learner, learner.init(PARAMS), X_IRIS, T_IRIS, **options)


LINEAR = layers.dense(4, 3)
LINEAR_PARAMS = LINEAR.init(jax.random.key(0))


def _diverging():
    """A linear model under SGD at 10: finite for a few steps, then it overflows."""
    return supervised(LINEAR, quadratic(Y), sgd(10.0), batch_size=10)


def _first_bad_step(learner, state, x, t):
    """The reference: step by step, the index of the first non-finite step."""
    step = jax.jit(learner.step)
    for k in range(len(x) // 10):
        new, loss = step(state, jnp.asarray(x[10 * k:10 * k + 10]), jnp.asarray(t[10 * k:10 * k + 10]))
        finite = np.isfinite(float(loss)) and all(np.all(np.isfinite(np.asarray(v)))
                                                  for v in jax.tree.leaves(new.params))
        if not finite:
            return k, state
        state = new
    return None, state


def test_divergence_stops_at_the_first_non_finite_step_with_the_last_finite_state():
    learner = _diverging()
    x, t = X_IRIS * 100.0, T_IRIS
    with pytest.warns(DivergenceWarning, match="diverged in epoch 0, step"):
        state, history = fit(learner, learner.init(LINEAR_PARAMS), x, t, epochs=5, shuffle=False,
                             progress=False)
    bad, expected = _first_bad_step(learner, learner.init(LINEAR_PARAMS), x, t)
    assert bad and history["diverged"] == {"epoch": 0, "step": bad, "batch": bad}
    assert int(state.step) == bad and history["loss"] == []
    _close(state.params, expected.params)
    assert all(np.all(np.isfinite(np.asarray(v))) for v in jax.tree.leaves(state.params))


def test_divergence_can_raise_or_be_ignored():
    learner = _diverging()
    x = X_IRIS * 100.0
    with pytest.raises(Diverged, match="NaN or infinite") as caught:
        fit(learner, learner.init(LINEAR_PARAMS), x, T_IRIS, epochs=3, shuffle=False,
            progress=False, divergence="raise")
    assert np.isfinite(float(jax.tree.leaves(caught.value.state.params)[0].sum()))
    _, history = fit(learner, learner.init(LINEAR_PARAMS), x, T_IRIS, epochs=3, shuffle=False,
                     progress=False, divergence="ignore")
    assert len(history["loss"]) == 3 and not np.isfinite(history["loss"][-1])
    with pytest.raises(BadPoint, match="divergence must be"):
        fit(learner, learner.init(LINEAR_PARAMS), x, T_IRIS, epochs=1, shuffle=False,
            divergence="no")


@pytest.mark.parametrize("call,words", [
    (lambda: supervised(MODEL, quadratic(Y), sgd(0.1), learning_rate=0.1),
     "learning_rate must be a Rate such as descent(0.1)"),
    (lambda: supervised(MODEL, quadratic(Y), 0.1), "the params port takes an optimiser"),
    (lambda: fit(_learner(10), _learner(10).init(PARAMS), X_IRIS, LABELS, epochs=1,
                 key=jax.random.key(0)), "expected f32[150,3]"),
    (lambda: fit(_learner(10), _learner(10).init(PARAMS), X_IRIS.astype(np.int32), T_IRIS,
                 epochs=1, key=jax.random.key(0)), "dtype mismatch"),
    (lambda: _learner(10).predict(PARAMS, jnp.ones(4)), "got one example of f32[4]"),
    (lambda: _learner(None).step(_learner(None).init(PARAMS), jnp.ones(4), jnp.ones(1)),
     "step target y"),
    (lambda: _learner(None).step(_learner(None).init(PARAMS), jnp.ones(4, jnp.int32),
                                 jnp.ones(3)), "step input x"),
    (lambda: _learner(4).step(_learner(4).init(PARAMS), jnp.ones((4, 4)), jnp.ones((3, 3))),
     "expected f32[4,3]"),
])
def test_misuse_is_refused_before_tracing(call, words):
    with pytest.raises(AxiomError, match=re.escape(words)):
        call()
