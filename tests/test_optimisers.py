"""Optimisers as lenses: the registry at optax parity, the lens under strict promotion,
writing and composing optimisers, paper sign, interop, schedules and rate caps.

Our loop: ``p̄ = get(s, p); g = ∇f(p̄); (s, p) = put(s, p, −g)`` (descent cap α = −1).
optax's: ``g = ∇f(θ); u, st = tx.update(g, st, θ); θ = θ + u``; we compare ``p̄`` with ``θ``.

The parity figure of an optimiser is ``max_t max_leaf ‖p̄_t − θ_t‖₂ / ‖θ_t‖₂`` over
``STEPS`` steps of a random least-squares problem, both runs in one jitted scan, in
float32 and in float64 (``jax.enable_x64``). optax itself does not trace under the
strict dtype promotion of ``conftest.py`` (``decay ** count`` with an int32 count), so
the parity runs are traced under standard promotion; ours is checked under strict
promotion separately.
"""

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import optax.contrib
import pytest
from jax.flatten_util import ravel_pytree

import learners as L
from categories import (SMOOTH, ArrayType, BadHyperparameter, BadObject, BadPoint, MissingStructure,
                        NotComposable, TreeType, join, join_all, split)
from circuits import CIRCUIT, Bits
from learners import schedules as S

STEPS = 100
SHAPES = {"w": (3, 4), "b": (4,)}
TOLERANCE = {"float32": 1e-6, "float64": 1e-12}


class Entry(NamedTuple):
    """An optimiser factory of ours, optax's counterpart, and hyperparameters (our names;
    ``lr`` is optax's ``learning_rate``)."""
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    kwargs: dict


def entry(ours, theirs, **kwargs):
    return Entry(ours, theirs, kwargs)


def make_ours(e: Entry, **kwargs):
    return e.ours(**{**e.kwargs, **kwargs})


def make_theirs(e: Entry):
    return e.theirs(**{("learning_rate" if k == "lr" else k): v for k, v in e.kwargs.items()})


def _sgd_momentum(nesterov):
    return lambda learning_rate, gamma: optax.sgd(learning_rate, momentum=gamma,
                                                  nesterov=nesterov)


# one row per optimiser of the library, with its optax counterpart
REGISTRY = {
    "gradient": entry(L.gradient, lambda: optax.sgd(1.0)),
    "sgd": entry(L.sgd, optax.sgd, lr=0.1),
    "momentum": entry(L.momentum, _sgd_momentum(False), lr=0.1, gamma=0.9),
    "nesterov": entry(L.nesterov, _sgd_momentum(True), lr=0.1, gamma=0.9),
    "adagrad": entry(L.adagrad, optax.adagrad, lr=0.1),
    # lr 1e-3: at 1e-2 RMSprop's normalised steps make this problem chaotic near the optimum
    "rmsprop": entry(L.rmsprop, optax.rmsprop, lr=1e-3),
    "adam": entry(L.adam, optax.adam, lr=1e-2),
    "adamw": entry(L.adamw, optax.adamw, lr=1e-2, weight_decay=0.1),
    "nadam": entry(L.nadam, optax.nadam, lr=1e-2),
    "nadamw": entry(L.nadamw, optax.nadamw, lr=1e-2, weight_decay=0.1),
    "amsgrad": entry(L.amsgrad, optax.amsgrad, lr=1e-2),
    "adamax": entry(L.adamax, optax.adamax, lr=1e-2),
    "adamaxw": entry(L.adamaxw, optax.adamaxw, lr=1e-2, weight_decay=0.1),
    "radam": entry(L.radam, optax.radam, lr=1e-2),
    "adabelief": entry(L.adabelief, optax.adabelief, lr=1e-2),
    "yogi": entry(L.yogi, optax.yogi, lr=1e-2),
    "lamb": entry(L.lamb, optax.lamb, lr=1e-2, weight_decay=1e-2),
    "lars": entry(L.lars, optax.lars, lr=0.1, trust_coefficient=0.01, weight_decay=1e-2),
    "novograd": entry(L.novograd, optax.novograd, lr=1e-2),
    "adafactor": entry(L.adafactor, optax.adafactor, lr=1e-2),
    "adadelta": entry(L.adadelta, optax.adadelta, lr=1.0),
    "rprop": entry(L.rprop, optax.rprop, lr=1e-2),
    "lion": entry(L.lion, optax.lion, lr=1e-3),
    "ademamix": entry(L.ademamix, optax.contrib.ademamix, lr=1e-2),
    "sign_sgd": entry(L.sign_sgd, optax.sign_sgd, lr=1e-2),
    "signum": entry(L.signum, optax.signum, lr=1e-2),
    "fromage": entry(L.fromage, optax.fromage, lr=1e-2),
    "noisy_sgd": entry(L.noisy_sgd, optax.noisy_sgd, lr=1e-2, eta=1e-3, key=0),
    "optimistic_gradient_descent": entry(L.optimistic_gradient_descent,
                                         optax.optimistic_gradient_descent, lr=1e-2, alpha=0.7,
                                         beta=0.1),
    "adan": entry(L.adan, optax.adan, lr=1e-2),
    "schedule_free_sgd": entry(L.schedule_free_sgd, optax.contrib.schedule_free_sgd, lr=0.1),
    # optax holds y and recovers x = (y − (1−β1) z)/β1 each step, whose rounding (~1e-6 at
    # β1 = 0.9 after 100 Adam-sized steps) is the difference to our lens, which holds x
    "schedule_free_adamw": entry(L.schedule_free_adamw, optax.contrib.schedule_free_adamw,
                                 lr=1e-2, b1=0.95),
}

COSINE = optax.cosine_decay_schedule(0.1, 80)
MASK = {"w": True, "b": False}
UNMASK = {"w": False, "b": True}

# options, schedules and combinators, at parity too
VARIANTS = {
    "sgd_schedule": entry(L.sgd, optax.sgd, lr=COSINE),
    "momentum_schedule": entry(L.momentum, _sgd_momentum(False), lr=COSINE, gamma=0.9),
    "nesterov_schedule": entry(L.nesterov, _sgd_momentum(True), lr=COSINE, gamma=0.9),
    "adamw_schedule": entry(L.adamw, optax.adamw, lr=optax.linear_schedule(1e-2, 1e-3, 100)),
    # centred: ν − μ² ≈ 0 at first amplifies XLA's fusion-dependent rounding (op by op,
    # unjitted, the runs agree bit for bit); ρ = 0.99 and ν₀ = 0.1 keep it conditioned
    "rmsprop_centered": entry(L.rmsprop, optax.rmsprop, lr=1e-3, centered=True, decay=0.99,
                              initial_scale=0.1),
    "rmsprop_momentum": entry(L.rmsprop, optax.rmsprop, lr=1e-3, momentum=0.9),
    "rmsprop_options": entry(L.rmsprop, optax.rmsprop, lr=1e-3, momentum=0.9, nesterov=True,
                             bias_correction=True, eps_in_sqrt=False, initial_scale=0.1,
                             centered=True, decay=0.99),
    "adafactor_factored": entry(L.adafactor, optax.adafactor, lr=1e-2, min_dim_size_to_factor=2,
                                momentum=0.9, weight_decay_rate=1e-3),
    "chain_clip_decay_adam_scale": entry(
        lambda: L.chain(L.clip_by_global_norm(1.0), L.weight_decay(1e-2), L.adam(1e-2),
                        L.scale(0.5)),
        lambda: optax.chain(optax.clip_by_global_norm(1.0), optax.add_decayed_weights(1e-2),
                            optax.adam(1e-2), optax.scale(0.5))),
    # two update lenses in a row: optax's sgd(−1) is our momentum(1) (no sign flip)
    "chain_lion_momentum": entry(
        lambda: L.chain(L.lion(1e-3), L.momentum(1.0, 0.5)),
        lambda: optax.chain(optax.lion(1e-3), optax.sgd(-1.0, momentum=0.5))),
    "masked_freeze": entry(
        lambda: L.chain(L.masked(L.adam(1e-2), MASK), L.freeze(UNMASK)),
        lambda: optax.chain(optax.masked(optax.adam(1e-2), MASK), optax.freeze(UNMASK))),
    "multi_steps": entry(
        lambda: L.multi_steps(L.adam(1e-2), 3),
        lambda: optax.MultiSteps(optax.adam(1e-2), 3,
                                 accumulator_dtype=None).gradient_transformation()),
    # the look-ahead of the inner optimiser is the get of the accumulating lens
    "multi_steps_nesterov": entry(
        lambda: L.multi_steps(L.nesterov(0.1, 0.9), 3),
        lambda: optax.MultiSteps(optax.sgd(0.1, 0.9, nesterov=True), 3,
                                 accumulator_dtype=None).gradient_transformation()),
    "from_optax": entry(lambda: L.from_optax(optax.adam(1e-2)), lambda: optax.adam(1e-2)),
}

PARITY = {**REGISTRY, **VARIANTS}


def standard():
    return jax.numpy_dtype_promotion("standard")


def problem(dtype, seed=0):
    """A random quadratic ``½‖A vec(p) − b‖²`` (top curvature ≲ 1): ``(A, b, start)``."""
    k = jax.random.split(jax.random.PRNGKey(seed), 3 + len(SHAPES))
    params = {n: jax.random.normal(kk, s, dtype) for kk, (n, s) in zip(k[3:], SHAPES.items())}
    n = ravel_pytree(params)[0].size
    A = jax.random.normal(k[0], (n + 4, n), dtype) / (2.0 * np.sqrt(n + 4))
    return A, jax.random.normal(k[1], (n + 4,), dtype), params


def quadratic(A, b):
    def f(p):
        r = A @ ravel_pytree(p)[0] - b
        return 0.5 * jnp.sum(r * r)
    return f


def lens_step(opt, params):
    """``(get, step)`` of our loop on points ``(s, p)``, for parameters like ``params``."""
    P = TreeType.like(params)
    lens, Sobj = opt.lens(P, SMOOTH), opt.state_object(P)

    def get(s, p):
        return lens.get(join(s, p, Sobj, P))

    def step(s, p, grad):
        d = jax.tree.map(jnp.negative, grad)
        return split(lens.put(join_all([s, p, d], (Sobj, P, P))), Sobj, P)
    return get, step


def trajectories(e: Entry, dtype: str):
    """``(ours, optax's)``: the parameters each shows after each of STEPS steps (one jit)."""
    opt, tx = make_ours(e), make_theirs(e)

    def go(A, b, params):
        f = quadratic(A, b)
        get, step = lens_step(opt, params)

        def body(carry, _):
            (s, p), (theta, st) = carry
            s, p = step(s, p, jax.grad(f)(get(s, p)))
            u, st = tx.update(jax.grad(f)(theta), st, theta)
            theta = optax.apply_updates(theta, u)
            return ((s, p), (theta, st)), (get(s, p), theta)
        start = ((opt.init(params), params), (params, tx.init(params)))
        return jax.lax.scan(body, start, None, length=STEPS)[1]
    with standard():
        return jax.jit(go)(*problem(dtype))


def parity(e: Entry, dtype: str) -> float:
    """``max_t max_leaf ‖p̄_t − θ_t‖₂ / ‖θ_t‖₂`` (see the module docstring)."""
    with jax.enable_x64(dtype == "float64"):
        ours, theirs = trajectories(e, dtype)
        worst = 0.0
        for name in SHAPES:
            a, b = np.asarray(ours[name]), np.asarray(theirs[name])
            assert a.dtype == b.dtype == np.dtype(dtype), (a.dtype, b.dtype)
            axes = tuple(range(1, a.ndim))
            err = np.sqrt(np.sum((a - b) ** 2, axis=axes)) / np.sqrt(np.sum(b ** 2, axis=axes))
            worst = max(worst, float(np.max(err)))
        return worst


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_optax_parity(name, dtype):
    err = parity(PARITY[name], dtype)
    print(f"parity {name} {dtype}: {err:.3g}")
    assert err <= TOLERANCE[dtype], f"{name} ({dtype}): max relative error {err:.3g}"


def test_parity_can_fail():
    """The measure sees a real difference: Adam's ``b2`` of 0.99 for optax's 0.999."""
    wrong = Entry(lambda: L.adam(1e-2, b2=0.99), lambda: optax.adam(1e-2), {})
    assert parity(wrong, "float32") > 1e3 * TOLERANCE["float32"]


COMPLEX = {**{k: PARITY[k] for k in ("adagrad", "rmsprop_options", "adam", "amsgrad",
                                      "adabelief", "yogi", "lamb", "novograd", "ademamix",
                                      "chain_clip_decay_adam_scale")},
           # optax's Adafactor momentum drops the imaginary part (its state is real)
           "adafactor_factored": entry(L.adafactor, optax.adafactor, lr=1e-2,
                                       min_dim_size_to_factor=2, weight_decay_rate=1e-3)}


@pytest.mark.parametrize("name", sorted(COMPLEX))
def test_complex_parity(name):
    """Complex parameters: ``|p'|² = conj(p')·p'`` where optax uses it, and optax's
    conjugate-gradient convention (through ``as_optax``, 50 steps, one jit)."""
    target = (jnp.arange(6.0, dtype=jnp.complex64).reshape(2, 3) - 2.0) * (1 - 0.5j)

    def f(p):
        return jnp.sum(jnp.real(jnp.conj(p - target) * (p - target)))

    def go(tx, p):
        def body(carry, _):
            p, s = carry
            u, s = tx.update(jnp.conj(jax.grad(f)(p)), s, p)
            p = optax.apply_updates(p, u)
            return (p, s), p
        return jax.lax.scan(body, (p, tx.init(p)), None, length=50)[1]
    start = jnp.ones((2, 3), jnp.complex64)
    with standard():
        ours, theirs = jax.jit(lambda p: (go(L.as_optax(make_ours(COMPLEX[name])), p),
                                          go(make_theirs(COMPLEX[name]), p)))(start)
    err = np.linalg.norm(ours - theirs, axis=(1, 2)) / np.linalg.norm(theirs, axis=(1, 2))
    assert ours.dtype == jnp.complex64 and np.max(err) <= TOLERANCE["float32"]


# -- the lens itself, under strict promotion ---------------------------------------------------

def _sig(tree):
    return jax.tree.structure(tree), [(x.shape, x.dtype) for x in jax.tree.leaves(tree)]


# our code alone (optax's schedules and from_optax do not trace under strict promotion)
STRICT = {**{k: e for k, e in PARITY.items() if k not in (
    "sgd_schedule", "momentum_schedule", "nesterov_schedule", "from_optax")},
    "nesterov_our_schedule": entry(L.nesterov, None, lr=S.warmup_cosine(0.1, 10, 80))}


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("name", sorted(STRICT))
def test_lens_keeps_dtypes_and_state(name, dtype):
    """One put (traced, under strict promotion): parameters keep their dtype and the state
    its structure, shapes and dtypes; hyperparameters do not promote low precision."""
    opt = make_ours(STRICT[name])
    params = {n: jnp.ones(s, dtype) for n, s in SHAPES.items()}
    get, step = lens_step(opt, params)
    s0 = opt.init(params)
    s1, p1 = jax.eval_shape(step, s0, params, params)
    assert _sig(p1) == _sig(params) == _sig(jax.eval_shape(get, s1, p1))
    assert _sig(s1) == _sig(s0)


def test_state_fields_and_hyperparameters():
    params = {"w": jnp.ones((3, 4)), "b": jnp.zeros(4)}
    opt = L.adam(1e-3)
    assert (opt.lr, opt.b1, opt.b2, opt.eps) == (1e-3, 0.9, 0.999, 1e-8)
    st = opt.init(params)
    assert isinstance(st, L.AdamState) and int(st.count) == 0
    assert jax.tree.structure(st.mu) == jax.tree.structure(st.nu) == jax.tree.structure(params)
    f = quadratic(*problem(jnp.float32, 3)[:2])
    _, step = lens_step(opt, params)
    g = jax.grad(f)(params)
    st1, _ = step(st, params, g)
    assert int(st1.count) == 1
    np.testing.assert_allclose(st1.mu["w"], -0.1 * g["w"], rtol=1e-6)  # m = (1−β1)·p'
    np.testing.assert_allclose(st1.nu["w"], 1e-3 * g["w"] ** 2, rtol=1e-5)
    assert L.momentum(0.1).gamma == 0.9 and L.momentum(0.1).lr == 0.1
    assert L.momentum(0.1).init(params).trace["w"].shape == (3, 4)
    assert L.adamw(1e-3).weight_decay == 1e-4 and L.lion(1e-4).weight_decay == 1e-3
    assert L.ademamix(1e-3).alpha == 5.0 and L.ademamix(1e-3).b3 == 0.9999
    np.testing.assert_array_equal(L.adagrad(0.1).init(params).sum_of_squares["b"], np.float32(0.1))
    assert L.amsgrad(0.1).init(params).nu_max["w"].shape == (3, 4)
    assert L.sgd(0.1).init(params).count.dtype == jnp.int32
    with pytest.raises(AttributeError, match="adam has no attribute or hyperparameter 'gamma'"):
        L.adam(0.1).gamma


def test_state_dtype_options():
    params = jnp.zeros(3, jnp.float32)
    assert L.adam(0.1, mu_dtype=jnp.bfloat16).init(params).mu.dtype == jnp.bfloat16
    assert L.adamw(0.1, mu_dtype="float16").init(params).mu.dtype == jnp.float16
    assert L.momentum(0.1, accumulator_dtype=jnp.bfloat16).init(params).trace.dtype == jnp.bfloat16
    assert L.signum(0.1, accumulator_dtype=jnp.bfloat16).init(params).ema.dtype == jnp.bfloat16
    assert L.adam(0.1).init(params).mu.dtype == jnp.float32
    with pytest.raises(BadHyperparameter, match="adam: mu_dtype must be None or a dtype"):
        L.adam(0.1, mu_dtype="not-a-dtype")


# -- writing a new optimiser, and composing them -----------------------------------------------

def heavy_sign(lr, beta=0.9):
    """Signum written with the helper: an EMA of the change, then its sign."""
    def init(params):
        return jax.tree.map(jnp.zeros_like, params)

    def update(m, p, d):
        m = jax.tree.map(lambda g, t: (1 - beta) * g + beta * t, d, m)
        return m, jax.tree.map(lambda t: lr * jnp.sign(t), m)
    return L.rule("heavy_sign", init, update, lr=lr, beta=beta)


def test_rule_writes_an_optimiser():
    opt = heavy_sign(1e-2)
    assert repr(opt) == "heavy_sign(lr=0.01, beta=0.9)" and opt.beta == 0.9
    err = parity(Entry(lambda: opt, lambda: optax.signum(1e-2), {}), "float32")
    assert err <= TOLERANCE["float32"]
    with pytest.raises(MissingStructure, match="heavy_sign cannot be built in Circuit"):
        opt.lens(Bits(2), CIRCUIT)
    chained = L.chain(L.clip_by_global_norm(1.0), opt)  # and it composes like the built-ins
    assert parity(Entry(lambda: chained, lambda: optax.chain(optax.clip_by_global_norm(1.0),
                                                             optax.signum(1e-2)), {}),
                  "float32") <= TOLERANCE["float32"]


def test_chain_is_para_composition():
    """States are a product (stateless parts add nothing); a chain of one part is that part;
    the get composes the parts' gets (the model sees a look-ahead anywhere in the chain)."""
    p = jnp.ones(2)
    assert L.chain(L.adam(0.1)).init(p)._fields == ("count", "mu", "nu")
    s = L.chain(L.weight_decay(0.1), L.sgd(0.1), L.adam(0.1), L.clip(1.0)).init(p)
    assert [type(x).__name__ for x in s] == ["CountState", "AdamState"]
    opt = L.chain(L.nesterov(0.5, 0.5), L.scale(2.0))
    get, step = lens_step(opt, p)
    s, q = step(opt.init(p), p, -jnp.ones(2))  # p' = 1: t = 1, u = 2 · 0.5 · 1
    np.testing.assert_allclose(q, 2.0)
    np.testing.assert_allclose(get(s, q), 2.25)  # 2 + γ lr t
    with pytest.raises(NotComposable, match="needs at least an optimiser"):
        L.chain()
    with pytest.raises(NotComposable, match="wrap an optax one with from_optax"):
        L.chain(optax.adam(0.1), L.sgd(0.1))


def test_masked_and_freeze():
    p = {"w": jnp.ones(2), "b": jnp.ones(1)}
    get, step = lens_step(L.masked(L.sgd(0.5), MASK), p)
    s, q = step(L.masked(L.sgd(0.5), MASK).init(p), p, {"w": -jnp.ones(2), "b": -jnp.ones(1)})
    assert q["w"].tolist() == [1.5, 1.5] and q["b"].tolist() == [2.0]  # b: the change passes
    _, step = lens_step(L.freeze(MASK), p)
    _, q = step((), p, {"w": -jnp.ones(2), "b": -jnp.ones(1)})
    assert q["w"].tolist() == [1.0, 1.0] and q["b"].tolist() == [2.0]
    with pytest.raises(BadObject, match="pytree of Python booleans"):
        L.masked(L.sgd(0.1), {"w": 1, "b": 0})
    with pytest.raises(NotComposable, match="does not have the structure of the parameters"):
        L.freeze({"w": True}).lens(TreeType.like(p), SMOOTH)
    with pytest.raises(MissingStructure, match="freeze cannot be built in Circuit"):
        L.freeze(True).lens(Bits(2), CIRCUIT)
    with pytest.raises(MissingStructure, match="masked cannot be built in Circuit"):
        L.masked(L.gradient(), True).lens(Bits(2), CIRCUIT)


def test_multi_steps_applies_the_mean_every_k():
    p = jnp.zeros(1)
    opt = L.multi_steps(L.sgd(1.0), 3)
    _, step = lens_step(opt, p)
    s, out = opt.init(p), []
    for g in [1.0, 2.0, 6.0, 3.0, 3.0, 3.0]:
        s, p = step(s, p, -jnp.array([g]))
        out.append(float(p[0]))
    assert out == [0.0, 0.0, 3.0, 3.0, 3.0, 6.0]
    assert int(s.gradient_step) == 2 and int(s.inner_opt_state.count) == 2


# -- momentum with the paper's sign (CFGBL Ex. 3.15: s' = −γ s + p') -------------------

def _two_steps(opt, changes, p0=1.0):
    X = ArrayType(())
    lens = opt.lens(X, SMOOTH)
    s, p = opt.init(jnp.float32(p0)), jnp.float32(p0)
    out = []
    for d in changes:
        s, p = lens.put((s, p, jnp.float32(d)))
        out.append((float(p), None if not hasattr(s, "trace") else float(s.trace)))
    return out


def test_momentum_paper_sign_two_steps():
    # lr = 1/4, γ = 1/2, p0 = 1, changes 1 then 2: exact in binary.
    heavy = _two_steps(L.momentum(0.25, 0.5), [1.0, 2.0])
    paper = _two_steps(L.momentum(0.25, 0.5, paper_sign=True), [1.0, 2.0])
    # standard: s1 = 1, p1 = 1.25; s2 = ½·1 + 2 = 2.5, p2 = 1.25 + ¼·2.5 = 1.875
    assert heavy == [(1.25, 1.0), (1.875, 2.5)]
    # paper: s1 = 1, p1 = 1.25; s2 = −½·1 + 2 = 1.5, p2 = 1.25 + ¼·1.5 = 1.625
    assert paper == [(1.25, 1.0), (1.625, 1.5)]
    # Ex. 3.16 literally: the get looks ahead to p + γ lr s
    lens = L.nesterov(0.25, 0.5, paper_sign=True).lens(ArrayType(()), SMOOTH)
    s = L.MomentumState(jnp.int32(1), jnp.float32(2.0))
    assert float(lens.get((s, jnp.float32(1.0)))) == 1.25


def test_momentum_gamma_zero_is_sgd():
    changes = [1.0, -2.0, 0.5, 3.0]
    want = [p for p, _ in _two_steps(L.sgd(0.25), changes)]
    for paper in (False, True):
        assert [p for p, _ in _two_steps(L.momentum(0.25, 0.0, paper_sign=paper), changes)] == want


# -- optax interop ----------------------------------------------------------------------

def run_optax(tx, dtype="float32"):
    """optax's iterates under ``tx`` on the test problem (one jit)."""
    def go(A, b, params):
        f = quadratic(A, b)

        def body(carry, _):
            theta, st = carry
            u, st = tx.update(jax.grad(f)(theta), st, theta)
            theta = optax.apply_updates(theta, u)
            return (theta, st), theta
        return jax.lax.scan(body, (params, tx.init(params)), None, length=STEPS)[1]
    with standard():
        return jax.jit(go)(*problem(dtype))


@pytest.mark.parametrize("name", ["adam", "nesterov", "schedule_free_adamw", "masked_freeze",
                                  "multi_steps_nesterov"])
def test_as_optax_is_optax(name):
    """``as_optax`` of ours runs exactly as optax's own (look-aheads through their seen form)."""
    e = PARITY[name]
    ours, theirs = run_optax(L.as_optax(make_ours(e))), run_optax(make_theirs(e))
    for k in SHAPES:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, atol=1e-7)


def test_as_optax_refuses_what_optax_cannot_express():
    with pytest.raises(NotComposable, match="look-ahead get"):
        L.as_optax(L.nesterov(0.1, paper_sign=True))
    ahead = L.rule("ahead", lambda p: (), lambda s, p, d: (s, d), lambda s, p: p)
    with pytest.raises(NotComposable, match="look-ahead get"):
        L.as_optax(L.chain(L.clip_by_global_norm(1.0), ahead))
    with pytest.raises(NotComposable, match="look-ahead get"):  # a step the look-ahead
        L.as_optax(L.chain(L.nesterov(0.1), L.scale(0.5)))      # does not know of
    with pytest.raises(BadObject, match="as_optax: expected an Optimiser"):
        L.as_optax(optax.adam(0.1))
    tx = L.as_optax(L.adam(0.1))
    with pytest.raises(BadPoint, match="needs params"):
        tx.update(jnp.ones(2), tx.init(jnp.ones(2)))


def test_from_optax_round_trip():
    tx = L.as_optax(L.from_optax(optax.adam(1e-2)))
    ours, theirs = run_optax(tx), run_optax(optax.adam(1e-2))
    for k in SHAPES:
        np.testing.assert_array_equal(ours[k], theirs[k])


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
    from categories import I
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

