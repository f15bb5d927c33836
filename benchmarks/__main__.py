"""``python -m benchmarks [--quick] [--out FILE]``: run the suite, print a markdown
table with the targets, and write one JSON line per benchmark."""

from __future__ import annotations

import argparse
import json
import platform
import sys

import jax

from benchmarks import suite

TARGETS = "throughput ≥ 0.95× and compile ≤ 1.5× hand-written; equations ≤ 2.1× per doubling; " \
          "bit-packed RDA ≥ 50× per-example"


def run(quick: bool) -> list[dict]:
    repeats = 2 if quick else 7
    rows = [suite.iris(None, 1 if quick else 50, repeats),
            suite.iris(32, 4 if quick else 500, repeats),
            suite.digits(2 if quick else 20, repeats)]
    rows += [suite.depth(n) for n in ((8, 16) if quick else (8, 16, 32, 64, 128, 256))]
    rows.append(suite.circuits_rda(256, 4 if quick else 40, repeats))
    return rows


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def _kib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 1024:,.0f} KiB"


def table(rows: list[dict]) -> str:
    out = ["| benchmark | paralens | hand-written | ratio | compile (ours / hand) | "
           "memory (ours / hand) | same result |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    depth_rows = [r for r in rows if "layers" in r]
    for r in rows:
        if "throughput_ratio" in r:
            out.append(f"| {r['benchmark']} | {_fmt(r['paralens_examples_per_s'])} ex/s | "
                       f"{_fmt(r['handwritten_examples_per_s'])} ex/s | "
                       f"{r['throughput_ratio']:.2f} | {r['paralens_compile_s']:.2f} s / "
                       f"{r['handwritten_compile_s']:.2f} s ({r['compile_ratio']:.2f}×) | "
                       f"{_kib(r['paralens_memory_bytes'])} / {_kib(r['handwritten_memory_bytes'])} | "
                       f"{r['same_final_loss']} |")
        elif "layers" in r:
            i = depth_rows.index(r)
            growth = (f"{r['paralens_equations'] / depth_rows[i - 1]['paralens_equations']:.2f}× "
                      f"per doubling" if i else "")
            out.append(f"| {r['benchmark']} | {r['paralens_equations']} eqns | "
                       f"{r['handwritten_equations']} eqns | {growth} | "
                       f"{r['paralens_compile_s']:.2f} s / {r['handwritten_compile_s']:.2f} s | | "
                       f"{r['paralens_equations'] == r['handwritten_equations']} |")
        else:
            out.append(f"| {r['benchmark']} | {_fmt(r['packed_examples_per_s'])} ex/s packed | "
                       f"{_fmt(r['per_example_examples_per_s'])} ex/s per example | "
                       f"{r['speedup']:.0f}× | | | {r['same_parameters']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the code runs")
    parser.add_argument("--out", default="benchmarks.jsonl", help="JSON lines output file")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    machine = {"machine": platform.machine(), "processor": platform.processor(),
               "python": platform.python_version(), "jax": jax.__version__,
               "devices": [str(d) for d in jax.devices()]}
    with open(args.out, "w") as f:
        for r in rows:
            f.write(json.dumps({**r, **machine}) + "\n")
    print(table(rows))
    print(f"\ntargets: {TARGETS}\nmachine: {machine}\nwrote {args.out}")
    return 0 if all(r.get("same_final_loss", r.get("same_parameters", True)) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
