"""The benchmark suite: paralens against hand-written JAX + optax, in one process.

Each comparison uses the same model, data, initial parameters and example
order on both sides and checks they reach the same final loss. Times are
medians (with min and max) over repeats after a warm-up; compile times come
from ``jax.jit(...).lower(...).compile()``; memory from XLA's own buffer
analysis of the compiled step.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from categories import ArrayType, layers, smooth
from circuits import CIRCUIT, models
from circuits.packed import run_batched
from learners import adam, quadratic, sgd, softmax_cross_entropy, supervised
from learners import data
from lenses import as_lens


def _timed(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    jax.block_until_ready(fn())  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return {"min": min(times), "median": statistics.median(times), "max": max(times)}


def _compile(fn, *args) -> tuple[Any, float]:
    start = time.perf_counter()
    compiled = jax.jit(fn).lower(*args).compile()
    return compiled, time.perf_counter() - start


def _memory(compiled) -> int | None:
    stats = compiled.memory_analysis()
    if stats is None:
        return None
    return int(stats.temp_size_in_bytes + stats.argument_size_in_bytes + stats.output_size_in_bytes)


def _epochs(step, n_epochs):
    """``n_epochs`` passes of ``step`` over pre-ordered batches, as one scan each."""
    def run(state, xs, ys):
        def epoch(s, _):
            s, losses = jax.lax.scan(lambda c, xy: step(c, *xy), s, (xs, ys))
            return s, jnp.mean(losses)
        return jax.lax.scan(epoch, state, None, length=n_epochs)
    return run


def _batches(x, y, batch: int | None, seed: int = 0):
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = jnp.asarray(x[order]), jnp.asarray(y[order])
    if batch is None:
        return x, y
    n = len(x) // batch * batch
    return (x[:n].reshape(-1, batch, *x.shape[1:]), y[:n].reshape(-1, batch, *y.shape[1:]))


def _compare(name: str, learner, params, handwritten_step, hand_state, x, y, *, batch, epochs,
             repeats, loss_tol) -> dict:
    xs, ys = _batches(x, y, batch)
    ours = _epochs(learner.step, epochs)
    theirs = _epochs(handwritten_step, epochs)
    state = learner.init(params)
    ours_c, ours_compile = _compile(ours, state, xs, ys)
    theirs_c, theirs_compile = _compile(theirs, hand_state, xs, ys)
    _, ours_losses = ours_c(state, xs, ys)
    _, theirs_losses = theirs_c(hand_state, xs, ys)
    examples = epochs * xs.shape[0] * (batch or 1)
    t_ours = _timed(lambda: ours_c(state, xs, ys), repeats)
    t_theirs = _timed(lambda: theirs_c(hand_state, xs, ys), repeats)
    final = (float(ours_losses[-1]), float(theirs_losses[-1]))
    return {
        "benchmark": name,
        "paralens_examples_per_s": examples / t_ours["median"],
        "handwritten_examples_per_s": examples / t_theirs["median"],
        "throughput_ratio": t_theirs["median"] / t_ours["median"],
        "paralens_seconds": t_ours, "handwritten_seconds": t_theirs,
        "paralens_compile_s": ours_compile, "handwritten_compile_s": theirs_compile,
        "compile_ratio": ours_compile / theirs_compile,
        "paralens_memory_bytes": _memory(ours_c), "handwritten_memory_bytes": _memory(theirs_c),
        "final_loss": final, "same_final_loss": bool(abs(final[0] - final[1]) <= loss_tol
                                                      * max(1.0, abs(final[1]))),
    }


def iris(batch: int | None, epochs: int, repeats: int) -> dict:
    """4→20 sigmoid→3 sigmoid, quadratic error, SGD 0.01 (mean over the batch)."""
    x, labels = data.load_iris()
    y = data.one_hot(labels, 3)
    model = layers.dense(4, 20, smooth.sigmoid) >> layers.dense(20, 3, smooth.sigmoid)
    params = model.init(jax.random.key(0))
    learner = supervised(model, quadratic(ArrayType((3,))), sgd(0.01), batch_size=batch)
    tx = optax.sgd(0.01)

    def loss_fn(p, xb, yb):
        def one(a, t):
            h = jax.nn.sigmoid(p[0]["weight"] @ a + p[0]["bias"])
            out = jax.nn.sigmoid(p[1]["weight"] @ h + p[1]["bias"])
            return 0.5 * jnp.sum((out - t) ** 2)
        return one(xb, yb) if batch is None else jnp.mean(jax.vmap(one)(xb, yb))

    def step(state, xb, yb):
        p, s = state
        loss, g = jax.value_and_grad(loss_fn)(p, xb, yb)
        u, s = tx.update(g, s, p)
        return (optax.apply_updates(p, u), s), loss

    return _compare(f"iris hidden, batch {batch or 1}", learner, params, step,
                    (params, tx.init(params)), x, y, batch=batch, epochs=epochs,
                    repeats=repeats, loss_tol=1e-4)


def digits(epochs: int, repeats: int) -> dict:
    """64→128 relu→10, softmax cross-entropy, Adam 1e-3, batch 64."""
    x, labels = data.load_digits()
    x, _, _ = data.standardise(x)
    y = data.one_hot(labels, 10)
    model = layers.dense(64, 128, smooth.relu) >> layers.dense(128, 10)
    params = model.init(jax.random.key(0))
    learner = supervised(model, softmax_cross_entropy(ArrayType((10,))), adam(1e-3),
                         batch_size=64)
    tx = optax.adam(1e-3)

    def loss_fn(p, xb, yb):
        h = jax.nn.relu(xb @ p[0]["weight"].T + p[0]["bias"][None, :])
        logits = h @ p[1]["weight"].T + p[1]["bias"][None, :]
        return jnp.mean(optax.softmax_cross_entropy(logits, yb))

    def step(state, xb, yb):
        p, s = state
        loss, g = jax.value_and_grad(loss_fn)(p, xb, yb)
        u, s = tx.update(g, s, p)
        return (optax.apply_updates(p, u), s), loss

    return _compare("digits MLP, batch 64, adam", learner, params, step,
                    (params, tx.init(params)), x, y, batch=64, epochs=epochs, repeats=repeats,
                    loss_tol=1e-3)


def depth(n: int) -> dict:
    """A chain of ``n`` dense tanh layers (16 wide): forward and backward, both sides."""
    model = layers.dense(16, 16, smooth.tanh)
    model = model.then(*[layers.dense(16, 16, smooth.tanh)] * (n - 1))
    lens = as_lens(model).inside
    params = model.init(jax.random.key(0))
    a, ct = jnp.ones(16), jnp.ones(16)

    def ours(p, x, c):
        return lens.run((*p, x), c)

    def theirs(p, x, c):
        def f(q, v):
            for layer in q:
                v = jnp.tanh(layer["weight"] @ v + layer["bias"])
            return v
        y, pullback = jax.vjp(f, p, x)
        return y, pullback(c)

    count = {k: len(jax.make_jaxpr(fn)(params, a, ct).jaxpr.eqns)
             for k, fn in (("paralens", ours), ("handwritten", theirs))}
    times = {k: _compile(fn, params, a, ct)[1] for k, fn in (("paralens", ours),
                                                             ("handwritten", theirs))}
    return {"benchmark": f"depth {n}", "layers": n, "paralens_equations": count["paralens"],
            "handwritten_equations": count["handwritten"],
            "paralens_compile_s": times["paralens"], "handwritten_compile_s": times["handwritten"]}


def circuits_rda(batch: int, steps: int, repeats: int) -> dict:
    """Mini-batch RDA on a 4→2 lookup table: bit-packed (64 examples a word) against the
    same circuit evaluated example by example on 0/1 arrays."""
    model = models.lookup_table(4, 2)
    rng = np.random.default_rng(0)
    xs = rng.integers(0, 2, (steps, batch, 4)).astype(np.uint8)
    ys = rng.integers(0, 2, (steps, batch, 2)).astype(np.uint8)
    forward = CIRCUIT.batch(model.inside, model.param, batch)
    backward = forward.rd()
    f, r = model.inside, model.inside.rd()

    def packed():
        theta = np.zeros(model.param.n, np.uint8)
        for x, y in zip(xs, ys):
            dy = run_batched(forward, (theta, x)) ^ y
            theta = theta ^ run_batched(backward, (theta, x, dy))[0]
        return theta

    def per_example():
        theta = np.zeros(model.param.n, np.uint8)
        for x, y in zip(xs, ys):
            change = np.zeros_like(theta)
            for xi, yi in zip(x, y):
                change ^= r((theta, xi, f((theta, xi)) ^ yi))[0]
            theta = theta ^ change
        return theta

    same = bool(np.array_equal(packed(), per_example()))
    t_packed = _timed(packed, repeats)
    t_plain = _timed(per_example, max(1, repeats // 2))
    examples = steps * batch
    return {"benchmark": f"circuits RDA, batch {batch}",
            "packed_examples_per_s": examples / t_packed["median"],
            "per_example_examples_per_s": examples / t_plain["median"],
            "speedup": t_plain["median"] / t_packed["median"],
            "packed_seconds": t_packed, "per_example_seconds": t_plain, "same_parameters": same}
