"""``python -m benchmarks [--quick] [--out FILE]``: run the suite, print a markdown
table (a missed target is marked ✗), and write one JSON line per benchmark.

Rows: ``fit`` against a hand-written whole run (compile included, for a new learner
and for the first fit in a process, and a second
call), RDA through ``fit`` against hand-written numpy, packed circuit
evaluation against numpy's streaming XOR/AND, construction time per doubling
of depth, trace+lower of a deep lens, traced equations per depth, bit-packed
RDA against example-by-example evaluation, and data-parallel ``fit`` per device
count against one device (``benchmarks/sharding.py``, in a process of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile

import jax

from benchmarks import construction, packed, sharding, suite, training


def run(quick: bool) -> list[dict]:
    pairs, region = (1, 0.0) if quick else (5, 0.5)
    timing = {"pairs": 1, "min_region": 0.0, "warm": False, "reps": 1} if quick else {}
    rows = [*training.iris(None, 2 if quick else 400, **timing),
            *training.iris(32, 2 if quick else 400, **timing),
            *training.digits(1 if quick else 20, **timing),
            training.rda_lookup_table(640 if quick else 60_000, 64, 1 if quick else 2, **timing),
            packed.evaluation(64 if quick else 784, 640 if quick else 60_000, pairs=pairs,
                              min_region=region),
            packed.rda_step(256 if quick else 60_000, pairs=pairs, min_region=region),
            *construction.para_chain((8, 16) if quick else (64, 128, 256, 512),
                                     min_region=region),
            *construction.circuit_chain((25, 50) if quick else (100, 200, 400, 800),
                                        min_region=region),
            training.deep_circuit(100 if quick else 2000),
            construction.lens_trace(16 if quick else 256, pairs=pairs, min_region=region)]
    rows += [suite.depth(n) for n in ((8, 16) if quick else (8, 16, 32, 64, 128, 256))]
    rows.append(suite.circuits_rda(256, 4 if quick else 40, 2 if quick else 7))
    rows += sharding.in_subprocess(quick)  # its own process: the device count is set at start
    return rows


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def _ratio(r: dict) -> str:
    ratio = r["ratio"]
    if isinstance(ratio, dict):
        return f"{ratio['median']:.2f} ({ratio['min']:.2f}–{ratio['max']:.2f})"
    lo, hi = r.get("ratio_range", (ratio, ratio))
    return f"{ratio:.2f} ({lo:.2f}–{hi:.2f})" if "ratio_range" in r else f"{ratio:.2f}"


def _cells(r: dict) -> tuple[str, str, str, str]:
    """(paralens, baseline, ratio, target) for a row of any kind."""
    if "paralens_examples_per_s" in r:
        target = (f"compiles nothing (compiled {r['compilations']}×)" if "compilations" in r
                  else "≥ 0.9×")
        return (f"{_fmt(r['paralens_examples_per_s'])} ex/s",
                f"{_fmt(r['handwritten_examples_per_s'])} ex/s", _ratio(r), target)
    if "mesh_examples_per_s" in r:
        return (f"{_fmt(r['mesh_examples_per_s'])} ex/s on {r['device_count']} "
                f"{r['device_kind']}{' (simulated)' if r['simulated'] else ''}",
                f"{_fmt(r['one_device_examples_per_s'])} ex/s on one", _ratio(r),
                "for information")
    if "paralens_steps_per_s" in r:
        return (f"{_fmt(r['paralens_steps_per_s'])} steps/s (first call "
                f"{r['first_call_s']:.1f} s)", f"{_fmt(r['handwritten_steps_per_s'])} steps/s",
                _ratio(r), "≥ 0.1× (within 10×)")
    if "packed_gate_evals_per_s" in r:
        return (f"{r['packed_gate_evals_per_s']:.3g} gate evals/s",
                f"{r['streaming_gate_evals_per_s']:.3g} (numpy streaming)", _ratio(r),
                "≥ 0.5×" if "target_met" in r else "for information")
    if "half_depth" in r:
        return (f"{r['build_s'] * 1e3:.3g} ms at {r['depth']}",
                f"{r['half_build_s'] * 1e3:.3g} ms at {r['half_depth']}",
                f"{r['ratio']:.2f} per doubling (rounds {r['round_ratios']['median']:.2f}, "
                f"{r['round_ratios']['min']:.2f}–{r['round_ratios']['max']:.2f})",
                "≤ 2.2 per doubling")
    if "prep_s" in r:
        return (f"{r['prep_s']:.2f} s (build {r['build_s']:.2f}, R {r['rd_s']:.2f}, first fit "
                f"{r['fit_s']:.2f})", f"{r['levels']} levels, {r['gates']} + {r['rd_gates']} gates",
                "", "< 10 s")
    if "paralens_equations" in r and "ratio" in r:
        return (f"{r['paralens_seconds']['median']:.2f} s", f"{r['handwritten_seconds']['median']:.2f} s",
                f"{_ratio(r)}; collector running {r['ratio_gc']:.2f}", "≤ 1.2×")
    if "paralens_equations" in r:
        return (f"{r['paralens_equations']} eqns", f"{r['handwritten_equations']} eqns",
                f"compile {r['paralens_compile_s']:.2f} s / {r['handwritten_compile_s']:.2f} s",
                "equal equations")
    return (f"{_fmt(r['packed_examples_per_s'])} ex/s packed",
            f"{_fmt(r['per_example_examples_per_s'])} ex/s per example", f"{r['speedup']:.0f}×",
            "≥ 50×")


def table(rows: list[dict]) -> str:
    out = ["| benchmark | paralens | baseline | ratio (median, min–max) | target | met | "
           "same result |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ours, theirs, ratio, target = _cells(r)
        met = {True: "✓", False: "✗ missed"}.get(r.get("target_met"), "")
        same = r.get("same_result", r.get("same_parameters", ""))
        out.append(f"| {r['benchmark']} | {ours} | {theirs} | {ratio} | {target} | {met} | {same} |")
    return "\n".join(out)


def _agree(r: dict) -> bool:
    if "paralens_equations" in r and "ratio" not in r:
        return r["paralens_equations"] == r["handwritten_equations"]
    return r.get("same_result", r.get("same_parameters", True)) is not False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the code runs")
    parser.add_argument("--out", default=os.path.join("out", "benchmarks.jsonl"),
                        help="JSON lines output file (default: out/benchmarks.jsonl)")
    args = parser.parse_args(argv)
    folder = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    rows = run(args.quick)
    machine = {"machine": platform.machine(), "processor": platform.processor(),
               "python": platform.python_version(), "jax": jax.__version__,
               "devices": [str(d) for d in jax.devices()], "quick": args.quick}
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        for r in rows:
            f.write(json.dumps({**r, **machine}) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, args.out)
    print(table(rows))
    print(f"\nmachine: {machine}\nwrote {args.out}")
    return 0 if all(_agree(r) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
