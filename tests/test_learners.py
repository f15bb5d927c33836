"""Learners assembled from lenses match the paper's closed forms (CFGBL §4) computed
independently with jax.grad, and train the papers' models to their accuracies."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from categories import SMOOTH, ArrayType, Para, factors, layers, smooth, tensor_objects
from learners import (accuracy, adam, ascent, batch, descent, difference, dot, dream, fit,
                      gradient, identity, loss_scaled, nesterov, quadratic, sgd,
                      softmax_cross_entropy, supervised)
from learners import data

X, Y = ArrayType((4,)), ArrayType((3,))
MODEL = layers.dense(4, 5, smooth.tanh) >> layers.dense(5, 3, smooth.sigmoid)
vec4 = hnp.arrays(np.float32, 4, elements=st.floats(-2, 2, width=32))
vec3 = hnp.arrays(np.float32, 3, elements=st.floats(0, 1, width=32))
seeds = st.integers(0, 2**16)


def _close(a, b, tol=1e-5):
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=tol, atol=tol)


def _mse(p, a, b):
    return 0.5 * jnp.sum((MODEL(p, a) - b) ** 2)


@given(a=vec4, b=vec3, seed=seeds)
def test_ex_4_1_gradient_update_is_p_minus_eps_grad(a, b, seed):
    """put(a, p, b_t) = p + α π0 R[f](p, a, f(p, a) − b_t), α = −ε."""
    learner = supervised(MODEL, quadratic(Y), gradient(), descent(0.1))
    p = MODEL.init(jax.random.key(seed))
    state, loss = learner.step(learner.init(p), a, b)
    _close(state.params, jax.tree.map(lambda w, g: w - 0.1 * g, p, jax.grad(_mse)(p, a, b)))
    _close(loss, _mse(p, a, b))


@given(a=vec4, label=st.integers(0, 2), seed=seeds)
def test_ex_4_2_softmax_cross_entropy(a, label, seed):
    b = jax.nn.one_hot(label, 3)
    learner = supervised(MODEL, softmax_cross_entropy(Y), sgd(0.5))
    p = MODEL.init(jax.random.key(seed))
    state, _ = learner.step(learner.init(p), a, b)
    grad = jax.grad(lambda q: -jnp.sum(b * jax.nn.log_softmax(MODEL(q, a))))(p)
    _close(state.params, jax.tree.map(lambda w, g: w - 0.5 * g, p, grad))


@given(a=vec4, b=vec3, seed=seeds)
def test_ex_4_3_nesterov_evaluates_the_gradient_at_the_look_ahead(a, b, seed):
    """p̄ = p + γ s; s' = γ s − ε ∇(p̄); p_new = p + s'."""
    learner = supervised(MODEL, quadratic(Y), nesterov(0.1, 0.9))
    p = MODEL.init(jax.random.key(seed))
    s1, _ = learner.step(learner.init(p), a, b)
    s2, _ = learner.step(s1, a, b)
    v1 = jax.tree.map(lambda g: -0.1 * g, jax.grad(_mse)(p, a, b))
    p1 = jax.tree.map(jnp.add, p, v1)
    look = jax.tree.map(lambda w, v: w + 0.9 * v, p1, v1)
    v2 = jax.tree.map(lambda v, g: 0.9 * v - 0.1 * g, v1, jax.grad(_mse)(look, a, b))
    _close(s2.params, jax.tree.map(jnp.add, p1, v2))


@given(seed=seeds)
@settings(max_examples=10)
def test_a_batch_step_descends_the_mean_loss(seed):
    k1, k2, k3 = jax.random.split(jax.random.key(seed), 3)
    a, b = jax.random.normal(k1, (8, 4)), jax.random.uniform(k2, (8, 3))
    learner = supervised(MODEL, quadratic(Y), gradient(), descent(0.2), batch_size=8)
    p = MODEL.init(k3)
    state, loss = learner.step(learner.init(p), a, b)
    mean = lambda q: jnp.mean(jax.vmap(lambda x, y: _mse(q, x, y))(a, b))  # noqa: E731
    _close(state.params, jax.tree.map(lambda w, g: w - 0.2 * g, p, jax.grad(mean)(p)))
    _close(loss, mean(p))


@given(a=vec4, b=vec3, seed=seeds)
def test_difference_loss_with_loss_scaled_rate_is_quadratic_descent(a, b, seed):
    """The generic difference loss and α(l) = −ε l give the quadratic error's step."""
    p = MODEL.init(jax.random.key(seed))
    generic = supervised(MODEL, difference(Y, SMOOTH), gradient(), loss_scaled(0.1 * 3))
    # the cap of a vector of losses is that of their mean: −ε l / 3 per coordinate
    reference = supervised(MODEL, quadratic(Y), gradient(), descent(0.1))
    _close(generic.step(generic.init(p), a, b)[0].params,
           reference.step(reference.init(p), a, b)[0].params)


@given(a=vec4, b=vec3, seed=seeds)
def test_identity_rate_runs_the_generic_assembly(a, b, seed):
    """α = l with the difference loss: p ← p + J_pᵀ (f(p, a) − b)."""
    p = MODEL.init(jax.random.key(seed))
    learner = supervised(MODEL, difference(Y, SMOOTH), gradient(), identity())
    _, pullback = jax.vjp(lambda q: MODEL(q, a), p)
    expected = jax.tree.map(jnp.add, p, pullback(MODEL(p, a) - b)[0])
    _close(learner.step(learner.init(p), a, b)[0].params, expected)


@given(a=vec4, b=vec3, seed=seeds)
def test_ex_4_5_deep_dreaming_ascends_the_input(a, b, seed):
    """a ← a + ε R[f](p, a, b_t) with the dot loss, and the parameters are untouched."""
    p = MODEL.init(jax.random.key(seed))
    dreamer = dream(MODEL, dot(Y), gradient(), ascent(0.3))
    state, _ = dreamer.step(dreamer.init(params=p, inputs=a), b)
    _close(state.params["inputs"], a + 0.3 * jax.grad(lambda x: jnp.dot(b, MODEL(p, x)))(a))
    assert state.params["params"] is p


def test_freezing_by_reparametrisation_keeps_the_frozen_layer():
    first, second = layers.dense(4, 5, smooth.tanh), layers.dense(5, 3, smooth.sigmoid)
    p1, p2 = first.init(jax.random.key(0)), second.init(jax.random.key(1))
    W = first.param
    frozen = first.reparam(smooth.constant(p1["weight"]) >> smooth.primitive(
        "with_bias", ArrayType((5, 4)), W, lambda w: {"weight": w, "bias": p1["bias"]}))
    model = frozen >> second
    assert model.param == second.param
    learner = supervised(model, quadratic(Y), sgd(0.1))
    a, b = jnp.ones(4), jnp.zeros(3)
    state, _ = learner.step(learner.init(p2), a, b)
    grad = jax.grad(lambda q: 0.5 * jnp.sum((second(q, first(p1, a)) - b) ** 2))(p2)
    _close(state.params, jax.tree.map(lambda w, g: w - 0.1 * g, p2, grad))


def test_weight_tying_by_copy_adds_both_uses():
    """One dense layer used twice: reparametrise along Δ, so its changes add."""
    layer = layers.dense(3, 3, smooth.tanh)
    twice = layer >> layer
    tied = twice.reparam(SMOOTH.copy(layer.param), init=layer.init)
    p = layer.init(jax.random.key(0))
    a, b = jnp.array([0.5, -1.0, 2.0]), jnp.zeros(3)
    learner = supervised(tied, quadratic(ArrayType((3,))), sgd(0.1))
    state, _ = learner.step(learner.init(p), a, b)
    grad = jax.grad(lambda q: 0.5 * jnp.sum(layer(q, layer(q, a)) ** 2))(p)
    _close(state.params, jax.tree.map(lambda w, g: w - 0.1 * g, p, grad))


def _batch_by_copies(cat, f, shared, n):
    """The categorical mini-batch, an independent construction of Smooth's stacked one:
    ``S`` copied ``n`` times (``R[Δ]`` adds the changes), routed beside the ``n`` inputs
    of the tuple ``X^{@n}``, then ``f^{@n}``."""
    x = tensor_objects(*factors(f.dom)[len(factors(shared)):])
    copies = cat.id(shared)
    for k in range(1, n):
        copies = cat.then(copies, cat.tensor(cat.id(tensor_objects(*[shared] * (k - 1))),
                                             cat.copy(shared)))
    order = [j for i in range(n) for j in (i, n + i)]
    route = cat.permute((shared,) * n + (x,) * n, order)
    return cat.then(cat.tensor(copies, cat.id(tensor_objects(*[x] * n))), route,
                    cat.tensor(*[f] * n))


@given(seed=seeds)
@settings(max_examples=10)
def test_generic_batching_agrees_with_vmapped_batching(seed):
    k1, k2 = jax.random.split(jax.random.key(seed))
    f = layers.dense(4, 3, smooth.tanh)
    p, xs = f.init(k1), jax.random.normal(k2, (3, 4))
    generic = _batch_by_copies(SMOOTH, f.inside, f.param, 3)
    stacked = SMOOTH.batch(f.inside, f.param, 3)
    _close(jnp.stack(generic((p, *xs))), stacked((p, xs)))
    cts = jnp.ones((3, 3))
    _close(generic.rd()((p, *xs, *cts))[0], stacked.rd()((p, xs, cts))[0])
    assert batch(f, 3).param == f.param and batch(quadratic(Y), 3, share_params=False).param == \
        ArrayType((3, 3))


def test_fit_compiles_once_and_records_history():
    x, labels = data.load_iris()
    model = layers.dense(4, 3, smooth.sigmoid)
    learner = supervised(model, quadratic(Y), gradient(), descent(0.01), batch_size=10)
    state = learner.init(model.init(jax.random.key(0)))
    state, history = fit(learner, state, x, data.one_hot(labels, 3), epochs=5,
                         key=jax.random.key(1), progress=False,
                         metrics={"acc": lambda p: accuracy(learner.predict(p, x), labels)})
    assert history["compilations"] == [1]
    assert len(history["loss"]) == len(history["acc"]) == 5 and int(state.step) == 5 * 15


def test_fit_shows_progress_when_asked(capsys):
    x, labels = data.load_iris()
    model = layers.dense(4, 3, smooth.sigmoid)
    learner = supervised(model, quadratic(Y), adam(1e-2), batch_size=50)
    fit(learner, learner.init(model.init(jax.random.key(0))), x, data.one_hot(labels, 3),
        epochs=2, key=jax.random.key(1), progress=True)
    assert "epochs" in capsys.readouterr().err


@pytest.mark.parametrize("name,model,target", [
    ("dense", layers.dense(4, 3, smooth.sigmoid), 0.95),
    ("hidden", layers.dense(4, 20, smooth.sigmoid) >> layers.dense(20, 3, smooth.sigmoid), 0.96),
])
def test_cfgbl_iris_protocol(name, model, target):
    """4→(20→)3 sigmoid, quadratic error, gradient update, ε = 0.01, batch 1, shuffled,
    400 epochs, training accuracy (reference code: 0.96 dense, 0.98 hidden)."""
    x, labels = data.load_iris()
    learner = supervised(model, quadratic(Y), gradient(), descent(0.01))
    state = learner.init(model.init(jax.random.key(2)))
    state, _ = fit(learner, state, x, data.one_hot(labels, 3), epochs=400,
                   key=jax.random.key(3), progress=False)
    assert accuracy(learner.predict(state.params, x), labels) >= target


def test_digits_mlp_reaches_95_percent():
    """64→128 relu→10, softmax cross-entropy, Adam 1e-3, batch 64, 20 epochs, 80/20 split."""
    x, labels = data.load_digits()
    x_train, y_train, x_test, y_test = data.train_test_split(x, labels, 0.2, seed=0)
    x_train, mean, std = data.standardise(x_train)
    x_test, _, _ = data.standardise(x_test, mean, std)
    model = layers.dense(64, 128, smooth.relu) >> layers.dense(128, 10)
    learner = supervised(model, softmax_cross_entropy(ArrayType((10,))), adam(1e-3),
                         batch_size=64)
    state = learner.init(model.init(jax.random.key(0)))
    state, _ = fit(learner, state, x_train, data.one_hot(y_train, 10), epochs=20,
                   key=jax.random.key(1), progress=False)
    assert accuracy(learner.predict(state.params, x_test), y_test) >= 0.95


def test_loss_must_accept_the_model_output():
    from categories import NotComposable
    with pytest.raises(NotComposable, match="f32\\[3\\]"):
        supervised(layers.dense(4, 3), quadratic(ArrayType((2,))), sgd(0.1))


def test_para_is_reexported_for_losses():
    assert isinstance(quadratic(Y), Para)
