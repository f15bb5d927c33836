"""Building composites: time against depth, and tracing a deep lens against JAX.

* ``para_chain``: ``acc = acc >> layers.dense(16, 16, smooth.tanh)`` repeated, at
  depths 64, 128, 256 and 512; one row per doubling with the ratio of build
  times, target ≤ 2.2 (linear construction).
* ``circuit_chain``: a circuit grown gate by gate by repeated ``>>`` (steps that
  alternate ``(a, b) ↦ (a, a·b)`` and ``(a, b) ↦ (a + b, b)``, one gate each),
  at 100, 200, 400 and 800 gates; target ≤ 2.2 per doubling.
* ``circuit_prep``: the same circuit at 2,000 gates, built and its reverse
  derivative ``.rd()`` made (netlists included); target < 10 s.
* ``lens_trace``: ``jax.jit(...).lower(...)`` (trace and lower, no compile) of
  ``as_lens(model).inside.run`` for 256 tanh dense layers against a hand-written
  ``jax.vjp`` of the same layers, interleaved (``_timing.interleaved``), each call
  a fresh function so nothing is cached; target ≤ 1.2×.

Build times are CPU seconds of this process (``time.process_time``: a build is
single-threaded Python, so this is its cost without the time slices other jobs on a
shared machine take; the wall-clock figures are in the rows too, ``build_wall_s``
and ``ratio_wall``), the best of 10 regions per depth, each repeating the build
until it lasts at least ``min_region`` seconds. The depths are interleaved region
by region (64, 128, 256, 512, 64, …), so a noisy spell of the shared machine falls
on all of them alike. The ratio per doubling is of the best regions (``timeit``'s
convention); the ratios round by round are in the rows too (``round_ratios``,
min/median/max). The garbage collector is paused in the regions, as ``timeit``
does: a full collection walks the whole process heap (JAX's included), and whether
one falls inside a region depends on that heap, not on the build. The builds make
no reference cycles, so pausing frees nothing later. The figures with the collector
running (a third as many regions) are in the rows too (``build_s_gc``), for
information. Run ``python -m benchmarks.construction`` for JSON lines.
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp

from categories import Para, layers, smooth
from circuits import CIRCUIT, Bits, Circuit, gates
from lenses import as_lens

from ._timing import interleaved

RATIO_TARGET = 2.2
PREP_TARGET_S = 10.0
TRACE_TARGET = 1.2


def _reps(build: Callable[[], Any], min_region: float) -> int:
    """How many builds make a region of at least ``min_region`` seconds (one build warms)."""
    start = time.perf_counter()
    build()
    return max(1, math.ceil(min_region / max(time.perf_counter() - start, 1e-9)))


def region_seconds(build: Callable[[], Any], reps: int, *, collect: bool = False
                   ) -> tuple[float, float]:
    """CPU and wall seconds per ``build()`` over one region of ``reps`` builds, the
    garbage collector paused unless ``collect``."""
    enabled = gc.isenabled()
    gc.collect()
    if not collect:
        gc.disable()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(reps):
            build()
        return (time.process_time() - cpu) / reps, (time.perf_counter() - wall) / reps
    finally:
        if enabled:
            gc.enable()


def _doublings(name: str, build: Callable[[int], Any], depths: tuple[int, ...], *,
               regions: int = 10, min_region: float = 0.5) -> list[dict[str, Any]]:
    def timed(collect: bool, regions: int) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
        reps = {n: _reps(lambda n=n: build(n), min_region) for n in depths}
        cpu: dict[int, list[float]] = {n: [] for n in depths}
        wall: dict[int, list[float]] = {n: [] for n in depths}
        for _ in range(regions):  # depths interleaved: a noisy spell touches every depth alike
            for n in depths:
                c, w = region_seconds(lambda n=n: build(n), reps[n], collect=collect)
                cpu[n].append(c)
                wall[n].append(w)
        return cpu, wall

    # the figures with the collector running are for information: fewer regions
    (runs, wall), (with_gc, _) = timed(False, regions), timed(True, max(1, regions // 3))
    rows = []
    for half, n in zip(depths, depths[1:]):
        ratio = min(runs[n]) / min(runs[half])
        rounds = sorted(a / b for a, b in zip(runs[n], runs[half]))
        rows.append({"benchmark": name, "depth": n, "half_depth": half, "build_s": min(runs[n]),
                     "half_build_s": min(runs[half]), "ratio": ratio,
                     "round_ratios": {"min": rounds[0], "median": statistics.median(rounds),
                                      "max": rounds[-1]},
                     "build_wall_s": min(wall[n]),
                     "ratio_wall": min(wall[n]) / min(wall[half]),
                     "build_s_gc": min(with_gc[n]),
                     "ratio_gc": min(with_gc[n]) / min(with_gc[half]),
                     "target_met": ratio <= RATIO_TARGET})
    return rows


def dense_chain(n: int) -> Para:
    """``n`` dense tanh layers (16 wide) composed by repeated ``>>``."""
    acc = layers.dense(16, 16, smooth.tanh)
    for _ in range(n - 1):
        acc = acc >> layers.dense(16, 16, smooth.tanh)
    return acc


def para_chain(depths: tuple[int, ...] = (64, 128, 256, 512), *, regions: int = 10,
               min_region: float = 0.5) -> list[dict[str, Any]]:
    """Build time of :func:`dense_chain` per doubling of the depth."""
    return _doublings("Para chain by >> (dense 16→16 tanh)", dense_chain, depths,
                      regions=regions, min_region=min_region)


def gate_chain(n: int) -> Circuit:
    """A circuit ``bits[1] @ bits[1] → bits[1] @ bits[1]`` of ``n`` gates, one ``>>`` each."""
    B = Bits(1)
    steps = ((CIRCUIT.copy(B) @ CIRCUIT.id(B)) >> (CIRCUIT.id(B) @ gates.and_()),  # (a, a·b)
             (CIRCUIT.id(B) @ CIRCUIT.copy(B)) >> (gates.xor() @ CIRCUIT.id(B)))   # (a + b, b)
    acc = steps[0]
    for i in range(1, n):
        acc = acc >> steps[i % 2]
    return acc


def circuit_chain(depths: tuple[int, ...] = (100, 200, 400, 800), *, regions: int = 10,
                  min_region: float = 0.5) -> list[dict[str, Any]]:
    """Build time of :func:`gate_chain` per doubling of the number of gates."""
    return _doublings("circuit chain by >> (one gate per step)", gate_chain, depths,
                      regions=regions, min_region=min_region)


def circuit_prep(n: int = 2000) -> dict[str, Any]:
    """Build :func:`gate_chain` of ``n`` gates, its netlist and its reverse derivative's."""
    start = time.perf_counter()
    chain = gate_chain(n)
    reverse = chain.rd()
    seconds = time.perf_counter() - start
    return {"benchmark": f"circuit of {n} gates: build and .rd()", "gates": len(chain.net.gates),
            "rd_gates": len(reverse.net.gates), "seconds": seconds,
            "target_met": seconds < PREP_TARGET_S}


def hand_vjp(p, x, c):
    """The hand-written side: the tanh dense layers of ``p`` and ``jax.vjp`` of them."""
    def f(q, v):
        for layer in q:
            v = jnp.tanh(layer["weight"] @ v + layer["bias"])
        return v
    y, pullback = jax.vjp(f, p, x)
    return y, pullback(c)


def lens_trace(n: int = 256, *, pairs: int = 5, min_region: float = 0.5) -> dict[str, Any]:
    """Trace and lower of the composite lens of ``n`` layers against hand-written JAX."""
    model = dense_chain(n)
    lens = as_lens(model).inside  # built before timing: only tracing and lowering are timed
    params = model.init(jax.random.key(0))
    x, ct = jnp.ones(16), jnp.ones(16)

    def ours(p, a, c):
        return lens.run((*p, a), c)

    def lower(fn):
        # jax caches lowering per function object: a fresh one per call is traced afresh
        return lambda: jax.jit(lambda *args: fn(*args)).lower(params, x, ct)

    counts = {name: len(jax.make_jaxpr(fn)(params, x, ct).jaxpr.eqns)
              for name, fn in (("paralens", ours), ("handwritten", hand_vjp))}
    # the collector paused in the timed regions, as for the builds; with it running
    # (for information) a full collection, ~0.1 s on the benchmark's heap, lands in
    # one side or the other by chance
    timing = interleaved(lower(hand_vjp), lower(ours), pairs=pairs, min_region=min_region,
                         collect=False)
    with_gc = interleaved(lower(hand_vjp), lower(ours), pairs=pairs, min_region=min_region,
                          warm=False)
    return {"benchmark": f"trace+lower of a {n}-layer lens vs hand-written",
            "layers": n, "ratio": timing["ratio"]["median"],
            "ratio_range": (timing["ratio"]["min"], timing["ratio"]["max"]),
            "paralens_seconds": timing["b"], "handwritten_seconds": timing["a"],
            "ratio_gc": with_gc["ratio"]["median"],
            "ratio_gc_range": (with_gc["ratio"]["min"], with_gc["ratio"]["max"]),
            "paralens_equations": counts["paralens"],
            "handwritten_equations": counts["handwritten"],
            "target_met": timing["ratio"]["median"] <= TRACE_TARGET}


if __name__ == "__main__":
    for row in (*para_chain(), *circuit_chain(), circuit_prep(), lens_trace()):
        print(json.dumps(row))
