"""optax's contract, over every optimiser of the registry, through ``as_optax``.

Each optimiser of ``tests.test_optimisers.REGISTRY``, as an optax
``GradientTransformationExtraArgs``:

* converges (to 3e-2) on a parabola and on Rosenbrock's function, with real and with
  complex parameters (the conjugate gradient, optax's convention), in one jitted scan
  called twice without retracing, its update given an extra argument it ignores;
* keeps the dtype of bfloat16, float16, float32, float64 and complex64 parameters in its
  updates, and the structure, shapes and dtypes of its state across an update;
* runs under ``optax.inject_hyperparams`` (its hyperparameters traced in a jitted
  update) to the same updates and state as with them fixed.

Rules that take signs or order entries refuse complex parameters with ``BadPoint``; a
few others do not converge on complex problems and are left out of those, as optax
leaves out its own.
"""

import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import learners as L
from categories import BadPoint
from learners import schedules as S
from tests.test_optimisers import REGISTRY, make_ours

STEPS = 10_000
# hyperparameters for convergence where the registry's (chosen for parity) are not
# suitable; weight decay moves the optimum, so it is off here
CONVERGE = {
    "gradient": dict(steps=25_000, scale=1e-3),  # the step size lives in the descent cap
    "sgd": dict(lr=1e-3, steps=25_000),
    "momentum": dict(lr=1e-3), "nesterov": dict(lr=3e-4),
    "adagrad": dict(lr=0.5), "rmsprop": dict(lr=2e-3),
    "adam": dict(lr=0.1), "adamw": dict(lr=0.1, weight_decay=1e-4),
    "nadam": dict(lr=0.02), "nadamw": dict(lr=0.02, weight_decay=1e-4),
    "amsgrad": dict(lr=0.1), "adamax": dict(lr=0.1), "adamaxw": dict(lr=0.1, weight_decay=1e-4),
    "radam": dict(lr=0.05), "adabelief": dict(lr=0.05), "yogi": dict(lr=0.1),
    "lamb": dict(lr=1e-3, weight_decay=0.0),
    "lars": dict(lr=1.0, trust_coefficient=1e-3, weight_decay=0.0),
    "novograd": dict(lr=5e-3), "adafactor": dict(lr=3e-3),
    "adadelta": dict(lr=0.1, rho=0.95), "rprop": dict(lr=1e-2),
    "lion": dict(lr=3e-3, weight_decay=1e-4), "ademamix": dict(lr=0.05),
    "signum": dict(lr=S.exponential(0.1, 0.5, 500)),
    "sign_sgd": dict(lr=S.exponential(0.1, 0.5, 500)),
    "fromage": dict(lr=2e-3), "noisy_sgd": dict(lr=1e-3, eta=1e-4),
    "optimistic_gradient_descent": dict(lr=2e-3),
    "adan": dict(lr=0.05),
    "schedule_free_sgd": dict(lr=2e-3, b1=0.5), "schedule_free_adamw": dict(lr=0.05, b1=0.9),
}
REFUSE_COMPLEX = {"rprop", "lion", "sign_sgd", "signum"}
NOT_ON_COMPLEX = {"fromage", "noisy_sgd", "optimistic_gradient_descent", "adadelta", "adan"}
# a fixed step cannot settle in Rosenbrock's curved valley (optax leaves it out too)
NOT_ON_ROSENBROCK = {"sign_sgd"}
# hyperparameters that fix shapes or dtypes stay static under inject_hyperparams
STATIC = {"adafactor": ("min_dim_size_to_factor", "dtype_momentum")}


def test_the_contract_covers_the_registry():
    assert set(CONVERGE) == set(REGISTRY)
    assert len(REGISTRY) >= 25


def converging(name):
    kwargs = dict(CONVERGE[name])
    steps, scale = kwargs.pop("steps", STEPS), kwargs.pop("scale", 1.0)
    return L.as_optax(make_ours(REGISTRY[name], **kwargs)), steps, scale


def _sq(z):
    return jnp.real(jnp.conj(z) * z)


def parabola(dtype):
    target = jnp.array([1.0, -2.0, 0.5], dtype)
    if jnp.iscomplexobj(target):
        target = target * (1 - 0.5j)
    return jnp.array([-1.0, 3.0, 2.0], dtype), target, lambda p: jnp.sum(_sq(p - target))


def rosenbrock(dtype):
    a = jnp.asarray(1 + 1j if jnp.issubdtype(dtype, jnp.complexfloating) else 1.0, dtype)
    return (jnp.zeros(2, dtype), jnp.stack([a, a * a]),
            lambda p: _sq(a - p[0]) + 100.0 * _sq(p[1] - p[0] ** 2))


def problems(name):
    dtypes = [jnp.float32] + ([] if name in REFUSE_COMPLEX | NOT_ON_COMPLEX else [jnp.complex64])
    setups = [parabola] + ([] if name in NOT_ON_ROSENBROCK else [rosenbrock])
    return [setup(dtype) for setup in setups for dtype in dtypes]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_converges_without_retracing(name):
    tx, steps, scale = converging(name)
    cases = problems(name)
    traces = []

    @jax.jit
    def run(carry):
        traces.append(1)
        out = []
        for (p, s), (_, _, f) in zip(carry, cases):
            def body(c, _):
                p, s = c
                g = jax.tree.map(jnp.conj, jax.grad(lambda q: scale * f(q))(p))
                u, s = tx.update(g, s, p, unused_extra_argument=1)
                return (optax.apply_updates(p, u), s), None
            out.append(jax.lax.scan(body, (p, s), None, length=steps // 2)[0])
        return out

    with jax.numpy_dtype_promotion("standard"):
        carry = run([(start, tx.init(start)) for start, _, _ in cases])
        carry = run(carry)
    assert len(traces) == 1, "the update retraced on its second call"
    for (p, _), (_, target, _) in zip(carry, cases):
        np.testing.assert_allclose(np.asarray(p), np.asarray(target), rtol=3e-2, atol=3e-2)


def _sig(tree):
    return jax.tree.structure(tree), [(x.shape, x.dtype) for x in jax.tree.leaves(tree)]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32", "float64", "complex64"])
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_keeps_dtypes_and_state(name, dtype):
    tx = L.as_optax(make_ours(REGISTRY[name]))
    with jax.enable_x64(dtype == "float64"):
        params = {"w": jnp.full((2, 3), 0.5, dtype), "b": jnp.arange(3, dtype=dtype)}
        grads = jax.tree.map(lambda x: x - 1, params)
        if dtype == "complex64" and name in REFUSE_COMPLEX:
            with pytest.raises(BadPoint, match="complex parameters are not supported"):
                tx.init(params)
            return
        state = tx.init(params)
        with jax.numpy_dtype_promotion("standard"):
            updates, new_state = jax.eval_shape(tx.update, grads, state, params)
    assert _sig(updates) == _sig(params)
    assert _sig(new_state) == _sig(state)


def injectable(factory):
    """Our ``factory`` as an optax factory of the same signature."""
    @functools.wraps(factory)
    def make(*args, **kwargs):
        return L.as_optax(factory(*args, **kwargs))
    make.__signature__ = inspect.signature(factory)
    return make


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_hyperparameters_are_injectable(name):
    e = REGISTRY[name]
    tx = L.as_optax(make_ours(e))
    injected = optax.inject_hyperparams(injectable(e.ours), static_args=STATIC.get(name, ()))(
        **e.kwargs)
    params = {"w": -jnp.ones((2, 3)), "b": jnp.linspace(0.5, 2.0, 4)}
    grads = jax.tree.map(lambda x: 0.5 - x, params)
    with jax.numpy_dtype_promotion("standard"):
        want, want_state = tx.update(grads, tx.init(params), params)
        got, got_state = jax.jit(injected.update)(grads, injected.init(params), params)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-7)
    assert jax.tree.structure(got_state.inner_state) == jax.tree.structure(want_state)
    for a, b in zip(jax.tree.leaves(got_state.inner_state), jax.tree.leaves(want_state)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)
