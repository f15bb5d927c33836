"""One assembly for every port: each learner it builds against an independent computation.

The expected updates are written by hand from the model's forward function and
differentiated in forward mode (``jax.jacfwd``), not through paralens' reverse
derivatives; the SVM and the learned loss are also checked against closed forms.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learners as L
from categories import ArrayType, BadObject, BadPoint, NotComposable, layers, smooth
from papers.assembly.examples import learned_noise, linear_svm
from papers.gan import experiments as ring

X4, Y3 = ArrayType((4,)), ArrayType((3,))
MODEL = layers.dense(4, 5, smooth.tanh) >> layers.dense(5, 3)
floats = st.floats(-2, 2, width=32)
vec = lambda n: st.lists(floats, min_size=n, max_size=n).map(lambda v: jnp.asarray(v, jnp.float32))


def _grad(f, x):
    """∇f at x by forward mode, leaf by leaf."""
    return jax.jacfwd(f)(x)


def _close(a, b, tol=1e-5):
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=tol, atol=tol)


def _quadratic(p, x, y):
    return 0.5 * jnp.sum((MODEL(p, x) - y) ** 2)


# built once and compiled once: the examples below then cost their arithmetic only
EVERY_PORT = L.assemble(MODEL, L.quadratic(Y3), params=L.sgd(0.1), inputs=L.sgd(0.2),
                        targets=L.sgd(0.3))
EVERY_PORT_STEP = jax.jit(EVERY_PORT.step)
ATTACK = L.adversarial(MODEL, L.softmax_cross_entropy(Y3), L.sgd(0.5))
TARGETS = L.learn_targets(MODEL, L.quadratic(Y3), L.sgd(0.25))
TARGETS_STEP = jax.jit(TARGETS.step)


@settings(max_examples=10)
@given(x=vec(4), y=vec(3), seed=st.integers(0, 99))
def test_every_port_learned_at_once_moves_each_by_its_own_change(x, y, seed):
    """params, inputs and targets all learned: one pass, three updates of −η∇."""
    p = MODEL.init(jax.random.key(seed))
    learner = EVERY_PORT
    assert learner.data_ports == () and learner.held_ports == ("params", "inputs", "targets")
    state = learner.init(params=p, inputs=x, targets=y)
    state, loss = EVERY_PORT_STEP(state)
    _close(loss, _quadratic(p, x, y))
    _close(state.params["params"], jax.tree.map(lambda w, g: w - 0.1 * g, p,
                                                _grad(lambda q: _quadratic(q, x, y), p)))
    _close(state.params["inputs"], x - 0.2 * _grad(lambda a: _quadratic(p, a, y), x))
    _close(state.params["targets"], y - 0.3 * _grad(lambda t: _quadratic(p, x, t), y))
    assert set(state.opt_state) == {"params", "inputs", "targets"}


@settings(max_examples=10)
@given(x=vec(4), y=vec(3), seed=st.integers(0, 99))
def test_adversarial_examples_ascend_the_loss_in_the_input(x, y, seed):
    p = MODEL.init(jax.random.key(seed))
    attack = ATTACK
    state, _ = attack.step(attack.init(params=p, inputs=x), jax.nn.softmax(y))
    ce = lambda a: -jnp.sum(jax.nn.softmax(y) * jax.nn.log_softmax(MODEL(p, a)))
    _close(state.params["inputs"], x + 0.5 * _grad(ce, x))
    assert state.params["params"] is p  # fixed: never touched


@settings(max_examples=10)
@given(x=vec(4), y=vec(3), seed=st.integers(0, 99))
def test_learning_the_targets_descends_in_the_target(x, y, seed):
    p = MODEL.init(jax.random.key(seed))
    learner = TARGETS
    assert learner.data_ports == ("inputs",)
    state, _ = TARGETS_STEP(learner.init(params=p, targets=y), x)
    _close(state.params["targets"], y - 0.25 * _grad(lambda t: _quadratic(p, x, t), y))


def test_fit_trains_a_dreamer_as_its_steps_do():
    """A learner with one data port: fit over a single target is that many steps."""
    p = MODEL.init(jax.random.key(0))
    dreamer = L.dream(MODEL, L.dot(Y3), L.adam(0.05))
    start = dreamer.init(params=p, inputs=jnp.zeros(4))
    target = jnp.array([[0.0, 1.0, 0.0]])
    fitted, history = L.fit(dreamer, start, target, epochs=7, shuffle=False, progress=False)
    stepped = start
    for _ in range(7):
        stepped, _ = dreamer.step(stepped, target[0])
    _close(fitted.params["inputs"], stepped.params["inputs"])
    assert int(fitted.step) == 7 and len(history["loss"]) == 7
    assert history["loss"][-1] > history["loss"][0]  # dreaming ascends b_t · f(p, a)


def test_fit_a_learner_without_data_ports_takes_a_step_an_epoch():
    """Every port held: each epoch is one step on the held points (no key needed)."""
    learner = L.assemble(layers.linear(2, 1), L.quadratic(ArrayType((1,))), params=L.sgd(0.1),
                         inputs=L.FIXED, targets=L.FIXED)
    x, t = jnp.array([1.0, 2.0]), jnp.array([1.0])
    state = learner.init(params={"weight": jnp.zeros((1, 2))}, inputs=x, targets=t)
    state, history = L.fit(learner, state, epochs=3, progress=False)
    w = np.zeros(2)
    for _ in range(3):  # w ← w − 0.1 (w·x − t) x
        w = w - 0.1 * (w @ np.asarray(x) - 1.0) * np.asarray(x)
    _close(state.params["params"]["weight"][0], w)
    assert int(state.step) == 3 and len(history["loss"]) == 3


def test_a_batch_of_dreams_is_each_dream_at_the_mean_cap():
    """Batch dreaming: the cap of the batch's mean, so ascent(nε) moves each by ε R[f]."""
    p = MODEL.init(jax.random.key(1))
    targets = jnp.eye(3)
    batch = L.dream(MODEL, L.dot(Y3), L.gradient(), L.ascent(0.3), batch_size=3)
    s, _ = batch.step(batch.init(params=p, inputs=jnp.ones((3, 4))), targets)
    for i in range(3):
        one = L.dream(MODEL, L.dot(Y3), L.gradient(), L.ascent(0.1))
        t, _ = one.step(one.init(params=p, inputs=jnp.ones(4)), targets[i])
        _close(s.params["inputs"][i], t.params["inputs"])


def test_ports_refuse_what_is_not_an_optimiser_or_a_marker():
    with pytest.raises(BadObject, match="the targets port takes an optimiser"):
        L.assemble(MODEL, L.quadratic(Y3), targets=0.1)
    with pytest.raises(BadPoint, match=r"state.params must be a dict of the ports"):
        d = L.dream(MODEL, L.dot(Y3), L.sgd(0.1))
        d.step(d.init(params=MODEL.init(jax.random.key(0)), inputs=jnp.zeros(4))._replace(
            params=jnp.zeros(4)), jnp.zeros(3))


# -- GANs ------------------------------------------------------------------------------

G = layers.dense(2, 3, smooth.tanh) >> layers.dense(3, 2)
C = layers.dense(2, 4, smooth.tanh) >> layers.dense(4, 1)


def _value(pg, pc, z, x):
    return jnp.sum(C(pc, x)) - jnp.sum(C(pc, G(pg, z)))


GAN = L.gan(G, C, L.wasserstein(C.cod), L.sgd(0.1), L.sgd(0.2))
GAN_STEP = jax.jit(GAN.step)


@settings(max_examples=10)
@given(z=vec(2), x=vec(2), seed=st.integers(0, 99))
def test_gan_step_descends_the_generator_and_ascends_the_critic(z, x, seed):
    pg, pc = G.init(jax.random.key(seed)), C.init(jax.random.key(seed + 1))
    learner = GAN
    state, v = GAN_STEP(learner.init((*pg, *pc)), (z, x))
    _close(v, _value(pg, pc, z, x))
    want_g = jax.tree.map(lambda w, g: w - 0.1 * g, pg, _grad(lambda q: _value(q, pc, z, x), pg))
    # copy's reverse derivative adds: the critic's change is the sum over its two uses
    real = _grad(lambda q: jnp.sum(C(q, x)), pc)
    fake = _grad(lambda q: -jnp.sum(C(q, G(pg, z))), pc)
    want_c = jax.tree.map(lambda w, a, b: w + 0.2 * (a + b), pc, real, fake)
    _close(state.params[:2], want_g)
    _close(state.params[2:], want_c)


def test_gan_weight_clipping_keeps_the_critic_in_its_box():
    pg, pc = G.init(jax.random.key(0)), C.init(jax.random.key(1))
    learner = L.gan(G, C, L.wasserstein(C.cod), L.sgd(0.1),
                    L.chain(L.sgd(10.0), L.clip_weights(0.05)), batch_size=4)
    z, x = jax.random.normal(jax.random.key(2), (4, 2)), jax.random.normal(jax.random.key(3), (4, 2))
    state, _ = learner.step(learner.init((*pg, *pc)), (z, x))
    # the clip is applied as a change u = clip(p + d) − p, so p + u rounds once more
    assert all(float(jnp.max(jnp.abs(w))) <= 0.05 + 1e-7 for w in jax.tree.leaves(state.params[2:]))
    assert any(float(jnp.max(jnp.abs(w))) > 0.05 for w in jax.tree.leaves(state.params[:2]))


def test_gan_refuses_a_critic_of_other_samples_and_a_value_of_other_scores():
    with pytest.raises(NotComposable, match=r"critic .* takes f32\[3\].*makes f32\[2\]"):
        L.gan(G, layers.dense(3, 1), L.wasserstein(C.cod), L.sgd(0.1), L.sgd(0.1))
    with pytest.raises(NotComposable, match="value must be a Para map on"):
        L.gan(G, C, L.quadratic(ArrayType((1,))), L.sgd(0.1), L.sgd(0.1))


def test_gan_values_against_their_formulas():
    f, r = jnp.array([0.3]), jnp.array([-1.2])
    _close(L.wasserstein(ArrayType((1,)))((), (f, r)), r - f)
    _close(L.minimax(ArrayType((1,)))((), (f, r)),
           jnp.log(jax.nn.sigmoid(r)) + jnp.log(1 - jax.nn.sigmoid(f)))


def test_ring_quality_measures_what_it_says():
    real = ring.ring(2000, 5)
    q = ring.quality(real)
    # a 2-D Gaussian lies within 3σ of its mean with probability 1 − e^{−9/2} ≈ 0.989
    assert q["modes"] == 8 and abs(q["good"] - (1 - np.exp(-4.5))) < 0.01
    assert q["distance"] < 2 * ring.SIGMA
    q = ring.quality(np.zeros((100, 2), np.float32))  # all at the centre: radius 2 from all
    assert q == {"modes": 0, "good": 0.0, "distance": pytest.approx(2.0)}
    one = ring.quality(np.tile(ring.modes()[3], (50, 1)))
    assert one["modes"] == 1 and one["good"] == 1.0


# -- a learned loss and a linear SVM ------------------------------------------------------

def test_learned_noise_scale_converges_to_the_residual_variance():
    """σ² → mean squared residual of least squares (∂ℓ/∂s = 0), weights → least squares."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 * rng.standard_normal((256, 1))).astype(
        np.float32)
    model, loss = learned_noise(layers.linear(3, 1))
    learner = L.supervised(model, loss, L.adam(0.05), batch_size=256)
    state, _ = L.fit(learner, learner.init(model.init(jax.random.key(0))), x, y, epochs=600,
                     shuffle=False, progress=False)
    w, *_ = np.linalg.lstsq(x, y, rcond=None)
    mse = float(np.mean((x @ w - y) ** 2))
    np.testing.assert_allclose(np.asarray(state.params[0]["weight"]), w.T, atol=2e-3)
    np.testing.assert_allclose(float(jnp.exp(2 * state.params[1])), mse, rtol=2e-2)


def test_learned_loss_step_against_forward_mode():
    model, loss = learned_noise(layers.linear(2, 1))
    p = ({"weight": jnp.array([[0.5, -1.0]])}, jnp.array(0.3))
    x, y = jnp.array([1.0, 2.0]), jnp.array([0.7])
    learner = L.supervised(model, loss, L.sgd(0.1))
    state, _ = learner.step(learner.init(p), x, y)

    def nll(q):
        r = q[0]["weight"] @ x - y
        return 0.5 * jnp.exp(-2 * q[1]) * jnp.sum(r ** 2) + q[1]
    _close(state.params, jax.tree.map(lambda w, g: w - 0.1 * g, p, _grad(nll, p)))


def test_linear_svm_is_subgradient_descent_of_the_soft_margin():
    """Every step equals the hand-written Pegasos-style update; a separable set is separated."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 2)).astype(np.float32)
    score = x @ np.array([1.0, -1.0]) + 0.2
    x = x[np.abs(score) > 0.5]  # a margin, so the soft-margin optimum separates them
    y = np.where(score[np.abs(score) > 0.5] > 0, 1.0, -1.0).astype(np.float32)[:, None]
    n = len(x)
    model, loss, opt = linear_svm(2, 0.1, 0.01)
    learner = L.supervised(model, loss, opt, batch_size=n)
    params = model.init(jax.random.key(0))
    w, c = np.asarray(params["weight"], np.float64)[0], float(params["bias"][0])
    state = learner.init(params)
    for _ in range(50):
        state, _ = learner.step(state, x, y)
        active = (y[:, 0] * (x @ w + c) < 1).astype(np.float64)
        gw = 0.01 * w - (active * y[:, 0]) @ x / n
        gc = 0.01 * c - np.sum(active * y[:, 0]) / n
        w, c = w - 0.1 * gw, c - 0.1 * gc
        np.testing.assert_allclose(np.asarray(state.params["weight"])[0], w, atol=1e-4)
        np.testing.assert_allclose(float(state.params["bias"][0]), c, atol=1e-4)
    state, _ = L.fit(learner, state, x, y, epochs=400, shuffle=False, progress=False)
    predictions = np.sign(np.asarray(learner.predict(state.params, x)))
    assert np.mean(predictions == y) == 1.0
