"""Optimisers as update lenses: optax parity, the lens contract, paper sign, interop,
schedules and learning-rate caps.

Our loop: ``p̄ = get(s, p); g = ∇f(p̄); (s, p) = put(s, p, −g)`` (descent cap α = −1).
optax's: ``g = ∇f(θ); u, st = tx.update(g, st, θ); θ = θ + u``; we compare ``p̄`` with ``θ``.

optax itself does not trace under the strict dtype promotion of ``conftest.py``
(``decay ** count`` with an int32 count, ``jnp.minimum(count, float)`` in its
schedules), so optax's side, and the parity runs, are traced under standard
promotion; the contract test runs ours under strict promotion.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import optax.contrib
import pytest
from jax.flatten_util import ravel_pytree

import learners as L
from categories import SMOOTH, ArrayType, I, NotComposable, TreeType, join, split
from learners import schedules as S

STEPS = 100
SEEDS = (0, 1)
SHAPES = {"w": (3, 4), "b": (4,)}


def standard():
    return jax.numpy_dtype_promotion("standard")


def problem(seed):
    """A random quadratic ``½‖A vec(p) − b‖²`` (top curvature ≲ 1): ``(A, b, start)``."""
    k = jax.random.split(jax.random.PRNGKey(seed), 3 + len(SHAPES))
    params = {n: jax.random.normal(kk, s, jnp.float32) for kk, (n, s) in zip(k[3:], SHAPES.items())}
    n = ravel_pytree(params)[0].size
    A = jax.random.normal(k[0], (n + 4, n), jnp.float32) / (2.0 * np.sqrt(n + 4))
    return A, jax.random.normal(k[1], (n + 4,), jnp.float32), params


def quadratic(A, b):
    def f(p):
        r = A @ ravel_pytree(p)[0] - b
        return 0.5 * jnp.sum(r * r)
    return f


def lens_of(opt, params):
    P = TreeType.like(params)
    return opt.lens(P, SMOOTH), opt.state_object(P), P


def make_step(opt, f, params):
    """One step of our loop on the flat points of ``S @ P`` and ``S @ P @ P``."""
    lens, Sobj, P = lens_of(opt, params)

    def step(s, p):
        g = jax.grad(f)(lens.get(join(s, p, Sobj, P)))
        d = jax.tree.map(jnp.negative, g)
        return split(lens.put(join(join(s, p, Sobj, P), d, Sobj @ P, P)), Sobj, P)
    return step, (lambda s, p: lens.get(join(s, p, Sobj, P)))


def run_ours(opt):
    """``{seed: the parameters the model sees after each of STEPS steps}`` (one compile)."""
    def go(A, b, params):
        step, get = make_step(opt, quadratic(A, b), params)

        def body(sp, _):
            s, p = step(*sp)
            return (s, p), get(s, p)
        return jax.lax.scan(body, (opt.init(params), params), None, length=STEPS)[1]
    go = jax.jit(go)
    return {seed: go(*problem(seed)) for seed in SEEDS}


def run_optax(tx):
    def go(A, b, params):
        f = quadratic(A, b)

        def body(carry, _):
            theta, st = carry
            u, st = tx.update(jax.grad(f)(theta), st, theta)
            theta = optax.apply_updates(theta, u)
            return (theta, st), theta
        return jax.lax.scan(body, (params, tx.init(params)), None, length=STEPS)[1]
    go = jax.jit(go)
    return {seed: go(*problem(seed)) for seed in SEEDS}


def _normwise_close(x, y):
    return np.linalg.norm(x - y) <= 1e-6 * np.linalg.norm(y) + 1e-7


def assert_trajectories(ours, theirs, normwise=False):
    """Elementwise rtol 1e-6; ``normwise``: ‖ours − optax‖ ≤ 1e-6 ‖optax‖ per step."""
    msgs = []
    for seed in SEEDS:
        for name in SHAPES:
            a, b = np.asarray(ours[seed][name]), np.asarray(theirs[seed][name])
            bad = [t for t in range(STEPS) if not (
                _normwise_close(a[t], b[t]) if normwise
                else np.allclose(a[t], b[t], rtol=1e-6, atol=1e-7))]
            if bad:
                t = bad[0]
                err = np.max(np.abs(a[t] - b[t]) / (np.abs(b[t]) + 1e-30))
                msgs.append(f"seed {seed} leaf {name!r} first differs at step {t + 1} "
                            f"(max rel err {err:.3g}), {len(bad)} bad steps, last step max abs "
                            f"err {np.max(np.abs(a[-1] - b[-1])):.3g}")
    if msgs:
        pytest.fail("; ".join(msgs))


SCHED = S.cosine(0.1, 80)

PARITY = {
    "gradient": (L.gradient(), optax.sgd(1.0)),
    "sgd": (L.sgd(0.1), optax.sgd(0.1)),
    "sgd_schedule": (L.sgd(SCHED), optax.sgd(optax.cosine_decay_schedule(0.1, 80))),
    "momentum": (L.momentum(0.1), optax.sgd(0.1, momentum=0.9)),
    "nesterov": (L.nesterov(0.1), optax.sgd(0.1, momentum=0.9, nesterov=True)),
    "momentum_schedule": (L.momentum(SCHED), optax.sgd(optax.cosine_decay_schedule(0.1, 80),
                                                      momentum=0.9)),
    "nesterov_schedule": (L.nesterov(SCHED), optax.sgd(optax.cosine_decay_schedule(0.1, 80),
                                                       momentum=0.9, nesterov=True)),
    "adagrad": (L.adagrad(0.1), optax.adagrad(0.1)),
    # lr 1e-3: at 1e-2 RMSprop's normalised steps make this problem chaotic near the
    # optimum (optax against itself, jitted vs eager, differs by 1e-5 after 100 steps).
    "rmsprop": (L.rmsprop(1e-3), optax.rmsprop(1e-3)),
    "adam": (L.adam(1e-2), optax.adam(1e-2)),
    "adamw": (L.adamw(1e-2), optax.adamw(1e-2)),
    "adamw_wd": (L.adamw(1e-2, weight_decay=0.1), optax.adamw(1e-2, weight_decay=0.1)),
    "amsgrad": (L.amsgrad(1e-2), optax.amsgrad(1e-2)),
    "lion": (L.lion(1e-3), optax.lion(1e-3)),
    "ademamix": (L.ademamix(1e-2), optax.contrib.ademamix(1e-2)),
    "clip_adam": (L.chain(L.clip_by_global_norm(1.0), L.adam(1e-2)),
                  optax.chain(optax.clip_by_global_norm(1.0), optax.adam(1e-2))),
    "wd_sgd": (L.chain(L.weight_decay(1e-2), L.sgd(0.1)),
               optax.chain(optax.add_decayed_weights(1e-2), optax.sgd(0.1))),
}


@pytest.mark.parametrize("name", sorted(PARITY))
def test_optax_parity(name):
    opt, tx = PARITY[name]
    # Nesterov's look-ahead lives in the lens's get, recomputed as p + γ lr s from the
    # stored p: entries near zero carry rounding at the scale of |p|, so its parity is
    # measured relative to the parameter vector's norm.
    with standard():
        assert_trajectories(run_ours(opt), run_optax(tx), normwise=name.startswith("nesterov"))


# -- the lens contract, over every optimiser -------------------------------------------

REGISTRY = {
    **{k: v[0] for k, v in PARITY.items()},
    "momentum_paper": L.momentum(0.1, 0.5, paper_sign=True),
    "nesterov_paper": L.nesterov(0.1, 0.5, paper_sign=True),
    "from_optax_sgd": L.from_optax(optax.sgd(0.1, momentum=0.9)),
}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_contract(name):
    opt = REGISTRY[name]
    params = {"w": jnp.full((3, 4), 2.0, jnp.float32), "b": jnp.arange(4, dtype=jnp.float32)}
    h = jnp.linspace(0.1, 1.0, 16, dtype=jnp.float32)

    def f(p):
        x = ravel_pytree(p)[0]
        return 0.5 * jnp.sum(h * (x - 0.5) ** 2)

    raw, _ = make_step(opt, f, params)
    traces = []

    def step(s, p):
        traces.append(1)
        return raw(s, p)

    jstep = jax.jit(step)
    s0 = opt.init(params)
    s1, p1 = jstep(s0, params)
    s2, p2 = jstep(s1, p1)
    assert len(traces) == 1, "recompiled on the second step"

    def sig(t):
        return jax.tree.structure(t), [(x.shape, x.dtype) for x in jax.tree.leaves(t)]
    assert sig(p1) == sig(p2) == sig(params)
    assert sig(s1) == sig(s2) == sig(s0)
    s, p = s2, p2
    for _ in range(48):
        s, p = jstep(s, p)
    assert len(traces) == 1
    assert float(f(p)) < float(f(params))


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_keeps_bfloat16(name):
    """Hyperparameters must not promote low-precision parameters (strict promotion)."""
    opt = REGISTRY[name]
    params = {"w": jnp.ones((3, 4), jnp.bfloat16), "b": jnp.zeros(4, jnp.bfloat16)}
    lens, Sobj, P = lens_of(opt, params)
    d = jax.tree.map(lambda x: jnp.full_like(x, -0.5), params)
    s, p = split(lens.put(join(join(opt.init(params), params, Sobj, P), d, Sobj @ P, P)), Sobj, P)
    assert jax.tree.map(lambda x: x.dtype, p) == jax.tree.map(lambda x: x.dtype, params)
    assert jax.tree.structure(s) == jax.tree.structure(opt.init(params))


def test_state_fields_and_hyperparameters():
    params = {"w": jnp.ones((3, 4)), "b": jnp.zeros(4)}
    opt = L.adam(1e-3)
    assert (opt.lr, opt.b1, opt.b2, opt.eps) == (1e-3, 0.9, 0.999, 1e-8)
    st = opt.init(params)
    assert isinstance(st, L.AdamState) and int(st.count) == 0
    assert jax.tree.structure(st.mu) == jax.tree.structure(st.nu) == jax.tree.structure(params)
    f = quadratic(*problem(3)[:2])
    step, _ = make_step(opt, f, params)
    st1, _ = step(st, params)
    g = jax.grad(f)(params)
    assert int(st1.count) == 1
    np.testing.assert_allclose(st1.mu["w"], -0.1 * g["w"], rtol=1e-6)  # m = (1−β1)·p'
    np.testing.assert_allclose(st1.nu["w"], 1e-3 * g["w"] ** 2, rtol=1e-5)
    assert L.momentum(0.1).gamma == 0.9 and L.momentum(0.1).lr == 0.1
    assert L.momentum(0.1).init(params).velocity["w"].shape == (3, 4)
    assert L.adamw(1e-3).weight_decay == 1e-4 and L.lion(1e-4).weight_decay == 1e-3
    assert L.ademamix(1e-3).alpha == 5.0 and L.ademamix(1e-3).b3 == 0.9999
    np.testing.assert_array_equal(L.adagrad(0.1).init(params).sum_of_squares["b"], np.float32(0.1))
    assert L.rmsprop(0.1).init(params).nu["b"].shape == (4,)
    assert L.amsgrad(0.1).init(params).nu_max["w"].shape == (3, 4)
    assert L.lion(0.1).init(params).mu["w"].shape == (3, 4)
    assert L.ademamix(0.1).init(params)._fields == ("count", "m1", "m2", "nu")
    assert L.sgd(0.1).init(params).count.dtype == jnp.int32


# -- momentum with the paper's sign (CFGBL Ex. 3.15: s' = −γ s + p') -------------------

def _two_steps(opt, changes, p0=1.0):
    X = ArrayType(())
    lens = opt.lens(X, SMOOTH)
    s, p = opt.init(jnp.float32(p0)), jnp.float32(p0)
    out = []
    for d in changes:
        s, p = lens.put((s, p, jnp.float32(d)))
        out.append((float(p), None if not hasattr(s, "velocity") else float(s.velocity)))
    return out


def test_momentum_paper_sign_two_steps():
    # lr = 1/4, γ = 1/2, p0 = 1, changes 1 then 2: exact in binary.
    heavy = _two_steps(L.momentum(0.25, 0.5), [1.0, 2.0])
    paper = _two_steps(L.momentum(0.25, 0.5, paper_sign=True), [1.0, 2.0])
    # standard: s1 = 1, p1 = 1.25; s2 = ½·1 + 2 = 2.5, p2 = 1.25 + ¼·2.5 = 1.875
    assert heavy == [(1.25, 1.0), (1.875, 2.5)]
    # paper: s1 = 1, p1 = 1.25; s2 = −½·1 + 2 = 1.5, p2 = 1.25 + ¼·1.5 = 1.625
    assert paper == [(1.25, 1.0), (1.625, 1.5)]
    assert heavy[1] != paper[1]
    # Ex. 3.16 literally: the get looks ahead to p + γ s (s = lr · velocity = ½), the
    # put uses −γ s
    lens = L.nesterov(0.25, 0.5, paper_sign=True).lens(ArrayType(()), SMOOTH)
    s = L.MomentumState(jnp.int32(1), jnp.float32(2.0))
    assert float(lens.get((s, jnp.float32(1.0)))) == 1.25


def test_momentum_gamma_zero_is_sgd():
    changes = [1.0, -2.0, 0.5, 3.0]
    want = [p for p, _ in _two_steps(L.sgd(0.25), changes)]
    for paper in (False, True):
        assert [p for p, _ in _two_steps(L.momentum(0.25, 0.0, paper_sign=paper), changes)] == want


# -- optax interop ----------------------------------------------------------------------

def test_from_optax_matches_adam():
    with standard():
        assert_trajectories(run_ours(L.from_optax(optax.adam(1e-2))), run_ours(L.adam(1e-2)))


def test_as_optax_matches_optax_adam():
    tx = L.as_optax(L.adam(1e-2))
    assert isinstance(tx, optax.GradientTransformation)
    with standard():
        assert_trajectories(run_optax(tx), run_optax(optax.adam(1e-2)))


def test_as_optax_rejects_lookahead():
    with pytest.raises(NotComposable):
        L.as_optax(L.nesterov(0.1))
    with pytest.raises(NotComposable):
        L.as_optax(L.chain(L.clip_by_global_norm(1.0), L.nesterov(0.1)))


# -- schedules ---------------------------------------------------------------------------

SCHEDULES = {
    "constant": (S.constant(0.3), optax.constant_schedule(0.3)),
    "exponential": (S.exponential(0.5, 0.7, 25),
                    optax.exponential_decay(0.5, transition_steps=25, decay_rate=0.7,
                                            staircase=False)),
    "cosine": (S.cosine(0.8, 150), optax.cosine_decay_schedule(0.8, 150)),
    "cosine_alpha": (S.cosine(0.8, 150, alpha=0.1), optax.cosine_decay_schedule(0.8, 150, 0.1)),
    "warmup_cosine": (S.warmup_cosine(1.0, 20, 200),
                      optax.warmup_cosine_decay_schedule(0.0, 1.0, 20, 200)),
    "warmup_cosine_end": (S.warmup_cosine(1.0, 20, 200, end=0.05),
                          optax.warmup_cosine_decay_schedule(0.0, 1.0, 20, 200, end_value=0.05)),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedules_match_optax(name):
    ours, theirs = SCHEDULES[name]
    ts = jnp.arange(0, 301, dtype=jnp.int32)
    a = np.asarray(jax.vmap(ours)(ts))
    with standard():
        b = np.asarray(jax.vmap(theirs)(ts)).astype(np.float32)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    for t in (0, 7, 20, 149, 150, 199, 200, 300):  # and one step at a time, unjitted
        with standard():
            want = float(theirs(t))
        np.testing.assert_allclose(float(ours(jnp.asarray(t, jnp.int32))), want, rtol=1e-6,
                                   atol=1e-7)


# -- learning-rate caps ------------------------------------------------------------------

@pytest.mark.parametrize("n", [None, 1, 8])
def test_rate_caps(n):
    """``α`` on a scalar loss, and on a batch of ``n`` losses as the batch mean's: ``−ε/n``."""
    X = ArrayType(()) if n is None else ArrayType((n,))
    k = 1 if n is None else n
    shape = () if n is None else (n,)
    loss = jnp.linspace(0.5, 2.0, k, dtype=jnp.float32).reshape(shape)

    def put(rate, step=0):
        cap = rate.cap(X, SMOOTH, step=step)
        assert cap.cod.fwd == cap.cod.bwd == I and cap.get(loss) == ()
        out = np.asarray(cap.put(loss))
        assert out.shape == shape and out.dtype == np.float32
        return out

    np.testing.assert_allclose(put(L.descent(0.3)), np.full(shape, -0.3 / k), rtol=1e-6)
    np.testing.assert_allclose(put(L.ascent(0.3)), np.full(shape, 0.3 / k), rtol=1e-6)
    np.testing.assert_allclose(put(L.loss_scaled(0.3)), -0.3 / k * np.asarray(loss), rtol=1e-6)
    np.testing.assert_allclose(put(L.identity()), np.asarray(loss))
    sched = S.exponential(1.0, 0.5, 1)
    np.testing.assert_allclose(put(L.descent(sched), step=jnp.asarray(2)),
                               np.full(shape, -0.25 / k), rtol=1e-6)
