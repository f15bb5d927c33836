"""Traced equations per depth, and bit-packed RDA against example-by-example evaluation.

``depth``: the composite lens of ``n`` dense layers traces exactly the equations
of a hand-written ``jax.vjp`` (compile times from ``jax.jit(...).lower(...).compile()``).
``circuits_rda``: numpy bit-packed RDA steps (``run_batched``) against the same
circuit evaluated one example at a time; both must end with the same table.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from categories import layers, smooth
from circuits import CIRCUIT, models
from circuits.packed import run_batched
from lenses import as_lens

from . import construction


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


def depth(n: int) -> dict:
    """A chain of ``n`` dense tanh layers (16 wide): forward and backward, both sides."""
    model = layers.dense(16, 16, smooth.tanh)
    model = model.then(*[layers.dense(16, 16, smooth.tanh)] * (n - 1))
    lens = as_lens(model).inside
    params = model.init(jax.random.key(0))
    a, ct = jnp.ones(16), jnp.ones(16)

    def ours(p, x, c):
        return lens.run((*p, x), c)

    theirs = construction.hand_vjp

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
