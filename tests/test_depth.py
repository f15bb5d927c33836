"""Running a composite lens costs a hand-written forward and backward pass.

Deterministic equation counts of ``jax.make_jaxpr``: doubling the depth of a
chain at most about doubles the count (the naive lens composite is quadratic).
"""

import jax
import jax.numpy as jnp

from categories import ArrayType, layers, smooth
from lenses import as_lens

X = ArrayType((16,))


def _count(fn, *args) -> int:
    return len(jax.make_jaxpr(fn)(*args).jaxpr.eqns)


def _tanh_chain(n):
    lens = as_lens(smooth.tanh(X))
    return lens.then(*[lens] * (n - 1))


def _run_count(n):
    chain = _tanh_chain(n)
    return _count(chain.run, jnp.ones(16), jnp.ones(16))


def _handwritten_count(n):
    def f(x):
        for _ in range(n):
            x = jnp.tanh(x)
        return x

    def run(x, ct):
        y, pullback = jax.vjp(f, x)
        return y, pullback(ct)[0]

    return _count(run, jnp.ones(16), jnp.ones(16))


def test_lens_chain_is_linear_in_depth():
    counts = {n: _run_count(n) for n in (32, 64, 128)}
    assert counts[64] <= 2.1 * counts[32] and counts[128] <= 2.1 * counts[64], counts
    assert counts[64] <= 1.1 * _handwritten_count(64), (counts, _handwritten_count(64))


def test_naive_composite_put_is_what_the_schedule_avoids():
    chain = _tanh_chain(32)
    naive = _count(lambda a, b: (chain.get(a), chain.put((a, b))), jnp.ones(16), jnp.ones(16))
    assert naive > 3 * _run_count(32)


def test_parametric_lens_of_a_deep_model_is_linear_in_depth():
    def count(n):
        model = layers.dense(16, 16, smooth.tanh)
        model = as_lens(model.then(*[layers.dense(16, 16, smooth.tanh)] * (n - 1)))
        params = model.init(jax.random.key(0))

        def run(p, a, ct):
            return model.inside.run((*p, a), ct)

        return _count(run, params, jnp.ones(16), jnp.ones(16))

    c16, c32, c64 = count(16), count(32), count(64)
    assert c32 <= 2.1 * c16 and c64 <= 2.1 * c32, (c16, c32, c64)
