"""Bit-packed circuit evaluation against numpy's own streaming bitwise throughput.

A gate evaluation reads two rows of words and writes one. The baseline is the
best numpy does with that work when the data do not fit in cache: one
``np.bitwise_xor(a, b, out=c)`` and one ``np.bitwise_and`` call over
preallocated ``(gates × words)`` arrays (as many XOR rows and AND rows as the
circuit has gates of each kind, so each baseline op touches the same bytes as a
gate), i.e. numpy's vectorised loop at memory bandwidth, with no per-gate call
overhead at all. Both sides are timed interleaved (``_timing.interleaved``) in
the same process; throughput is gate evaluations per second, gates × examples
/ seconds (constant gates are free and not counted).

* ``evaluation``: ``evaluate_packed`` on RDA's MNIST model,
  ``models.pseudo_linear(784)`` (adder trees and a comparator: 11,726 XOR and
  AND gates, 1,568 inputs, realistic fan-out), over 60,000 examples; target ≥ 0.5×.
* ``rda_step``: one mini-batch RDA step of a 4→2 lookup table through
  ``run_batched`` (forward, then the reverse derivative with its parity gates),
  packing and unpacking included, against the same gate count; for information
  (only 334 gates: per-call costs dominate, and the baseline's arrays fit in cache).

Run ``python -m benchmarks.packed`` for both rows as JSON lines.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import numpy as np

from categories import I
from circuits import CIRCUIT, models
from circuits.packed import evaluate_packed, run_batched, unpack

from ._timing import interleaved


def _streaming(n_xor: int, n_and: int, words: int) -> Callable[[], None]:
    """One XOR and one AND call over ``(n_xor + n_and) × words`` preallocated words."""
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 2 ** 63, (2, n_xor + n_and, words), dtype=np.uint64)
    c = np.zeros_like(a)  # written once here, so timing sees no page faults

    def stream() -> None:
        np.bitwise_xor(a[:n_xor], b[:n_xor], out=c[:n_xor])
        np.bitwise_and(a[n_xor:], b[n_xor:], out=c[n_xor:])
    return stream


def _row(name: str, gates: int, examples: int, timing: dict[str, Any]) -> dict[str, Any]:
    return {"benchmark": name, "gates": gates, "examples": examples,
            "packed_gate_evals_per_s": gates * examples / timing["a"]["median"],
            "streaming_gate_evals_per_s": gates * examples / timing["b"]["median"],
            "ratio": timing["ratio"]["median"], "ratio_range": (timing["ratio"]["min"],
                                                                timing["ratio"]["max"]),
            "packed_seconds": timing["a"], "streaming_seconds": timing["b"]}


def evaluation(n_bits: int = 784, examples: int = 60_000, *, pairs: int = 5,
               min_region: float = 0.5) -> dict[str, Any]:
    """``evaluate_packed`` on ``pseudo_linear(n_bits)`` against streaming numpy."""
    c = models.pseudo_linear(n_bits).inside
    counts = c.net.counts()
    words = (examples + 63) // 64
    rows = np.random.default_rng(0).integers(0, 2 ** 63, (c.net.n_inputs, words),
                                             dtype=np.uint64)
    out = evaluate_packed(c, rows, examples)
    sample = unpack(rows[:, :1], 64)  # the first 64 examples, checked one gate at a time
    same = bool(np.array_equal(unpack(out[:, :1], 64), CIRCUIT.batch(c, I, 64)(
        (sample[:, :n_bits], sample[:, n_bits:]))))
    timing = interleaved(lambda: evaluate_packed(c, rows, examples),
                         _streaming(counts["xor"], counts["and"], words),
                         pairs=pairs, min_region=min_region)
    row = _row("packed circuit evaluation vs numpy streaming", counts["xor"] + counts["and"],
               examples, timing)
    return {**row, "circuit": f"pseudo_linear({n_bits})", "target_met": row["ratio"] >= 0.5,
            "same_result": same}


def rda_step(batch: int = 60_000, *, pairs: int = 5, min_region: float = 0.5) -> dict[str, Any]:
    """A lookup-table RDA step through ``run_batched`` against streaming numpy."""
    model = models.lookup_table(4, 2)
    forward = CIRCUIT.batch(model.inside, model.param, batch)
    backward = forward.rd()
    rng = np.random.default_rng(0)
    theta = rng.integers(0, 2, model.param.n).astype(np.uint8)
    x, y = (rng.integers(0, 2, (batch, k)).astype(np.uint8) for k in (4, 2))

    def step() -> np.ndarray:
        dy = run_batched(forward, (theta, x)) ^ y
        return theta ^ run_batched(backward, (theta, x, dy))[0]

    # the reference: the same circuits on unpacked 0/1 arrays, one numpy op per gate
    same = bool(np.array_equal(step(), theta ^ backward((theta, x, forward((theta, x)) ^ y))[0]))
    counts = {k: forward.net.counts().get(k, 0) + backward.net.counts().get(k, 0)
              for k in ("xor", "and", "parity")}
    timing = interleaved(step, _streaming(counts["xor"] + counts["parity"], counts["and"],
                                          (batch + 63) // 64),
                         pairs=pairs, min_region=min_region)
    return {**_row(f"packed RDA step (run_batched) vs numpy streaming, batch {batch}",
                   sum(counts.values()), batch, timing), "same_result": same}


if __name__ == "__main__":
    for result in (evaluation(), rda_step(), rda_step(256)):
        print(json.dumps(result))
