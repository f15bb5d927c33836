"""``python -m benchmarks.sharding [--simulate N] [--quick] [--out FILE]``: data-parallel
``fit`` throughput per device count, against the same ``fit`` on one device.

For 1, 2, 4, 8, … devices (up to what JAX sees) the digits MLP (64→hidden relu→10,
Adam, softmax cross-entropy) is trained by ``fit(..., mesh=...)`` with each batch split
over a ``(devices,)`` data mesh, interleaved with the same ``fit`` without a mesh
(``benchmarks/_timing.py``: A B A B …, ratio = one-device time / mesh time per pair,
so above 1 means the mesh is faster). Both are compiled before timing; the first
(compiling) call is reported apart. Every row also checks that both runs learn the
same parameters (float32 tolerance).

``--simulate N`` runs on N simulated CPU devices (``XLA_FLAGS=
--xla_force_host_platform_device_count=N``, set before JAX starts). Those devices share
the machine's cores, so their figures measure the cost of splitting and all-reducing,
not a speed-up. Without it the script uses the devices JAX finds: run it as is on a
machine with several GPUs or TPUs for real scaling figures (``--batch`` and
``--hidden`` make the model big enough to be worth splitting).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def rows(counts: list[int], epochs: int, batch: int, hidden: int, **timing) -> list[dict]:
    """One row per device count: examples/s on the mesh and on one device."""
    import jax
    import numpy as np

    from categories import ArrayType, layers, smooth
    from learners import adam, data, fit, softmax_cross_entropy, supervised

    from ._timing import interleaved

    x, labels = data.load_digits()
    x, _, _ = data.standardise(x)
    y = data.one_hot(labels, 10)
    model = layers.dense(64, hidden, smooth.relu) >> layers.dense(hidden, 10)
    start = model.init(jax.random.key(0))
    key, out = jax.random.key(1), []
    for d in counts:
        learner = supervised(model, softmax_cross_entropy(ArrayType((10,))), adam(1e-3),
                             batch_size=batch)
        state = learner.init(start)
        mesh = jax.make_mesh((d,), ("data",), devices=jax.devices()[:d])

        def run(where, learner=learner, state=state):
            return fit(learner, state, x, y, epochs=epochs, key=key, progress=False,
                       mesh=where)[0]

        began = time.perf_counter()
        ours = jax.block_until_ready(run(mesh))  # compiles
        first = time.perf_counter() - began
        theirs = run(None)
        diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
                   for a, b in zip(jax.tree.leaves(ours.params), jax.tree.leaves(theirs.params)))
        t = interleaved(lambda: run(mesh), lambda: run(None), **timing)
        examples = epochs * len(x)
        out.append({"benchmark": f"data-parallel fit, digits MLP 64→{hidden}→10, batch {batch},"
                                 f" {d} device{'s' if d > 1 else ''}",
                    "kind": "sharding", "device_count": d,
                    "device_kind": jax.devices()[0].device_kind,
                    "simulated": "xla_force_host_platform_device_count"
                                 in os.environ.get("XLA_FLAGS", ""),
                    "mesh_examples_per_s": examples / t["a"]["median"],
                    "one_device_examples_per_s": examples / t["b"]["median"],
                    "mesh_seconds": t["a"], "one_device_seconds": t["b"], "ratio": t["ratio"],
                    "reps": t["reps"], "first_call_s": first, "epochs": epochs,
                    "max_param_diff": diff, "same_result": diff <= 1e-4})
    return out


def table(found: list[dict]) -> str:
    """The rows as markdown."""
    lines = ["| devices | mesh | one device | ratio (median, min–max) | first call "
             "| same result |", "| --- | --- | --- | --- | --- | --- |"]
    for r in found:
        ratio = r["ratio"]
        lines.append(f"| {r['device_count']} × {r['device_kind']} | "
                     f"{r['mesh_examples_per_s']:,.0f} ex/s | "
                     f"{r['one_device_examples_per_s']:,.0f} ex/s | {ratio['median']:.2f} "
                     f"({ratio['min']:.2f}–{ratio['max']:.2f}) | {r['first_call_s']:.1f} s | "
                     f"{r['same_result']} (max diff {r['max_param_diff']:.1g}) |")
    return "\n".join(lines)


def in_subprocess(quick: bool) -> list[dict]:
    """The rows from a process of their own (the device count is fixed when JAX starts):
    8 simulated CPU devices unless this process already sees several devices."""
    import jax

    simulate = [] if len(jax.devices()) > 1 else ["--simulate", "8"]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "rows.jsonl")
        env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
        done = subprocess.run([sys.executable, "-m", "benchmarks.sharding", "--out", path,
                               *simulate, *(["--quick"] if quick else [])],
                              env=env, capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if done.returncode:
            raise RuntimeError(f"benchmarks.sharding failed:\n{done.stdout}\n{done.stderr}")
        with open(path) as f:
            return [json.loads(line) for line in f]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sharding", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--simulate", type=int, metavar="N",
                        help="N simulated CPU devices instead of the real ones")
    parser.add_argument("--quick", action="store_true", help="1 and 8 devices, one epoch, "
                        "one timed pair: checks the code runs")
    parser.add_argument("--epochs", type=int, default=10, help="epochs per timed call")
    parser.add_argument("--batch", type=int, default=256, help="global batch size")
    parser.add_argument("--hidden", type=int, default=256, help="hidden layer width")
    parser.add_argument("--out", default=os.path.join("out", "sharding.jsonl"),
                        help="JSON lines output (default: out/sharding.jsonl)")
    args = parser.parse_args(argv)
    if args.simulate is not None:
        if "jax" in sys.modules:
            parser.error("--simulate must be set before JAX is imported; run it as a program")
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   f" --xla_force_host_platform_device_count={args.simulate}")
        os.environ["JAX_PLATFORMS"] = "cpu"
    import jax

    available = len(jax.devices())
    counts = [d for d in (1, 2, 4, 8, 16, 32, 64) if d <= available and args.batch % d == 0]
    if args.quick:
        counts = sorted({1, counts[-1]})
    timing = ({"pairs": 1, "min_region": 0.0, "warm": False, "reps": 1} if args.quick
              else {"pairs": 5, "min_region": 0.5})
    found = rows(counts, 1 if args.quick else args.epochs, args.batch, args.hidden, **timing)
    folder = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        for r in found:
            f.write(json.dumps({**r, "jax": jax.__version__, "quick": args.quick}) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, args.out)
    print(table(found))
    if found[0]["simulated"]:
        print("\nsimulated devices share this machine's cores: the ratios show the cost of "
              "splitting batches and all-reducing, not a speed-up")
    print(f"wrote {args.out}")
    return 0 if all(r["same_result"] for r in found) else 1


if __name__ == "__main__":
    sys.exit(main())
