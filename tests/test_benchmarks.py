"""The benchmarks' quick mode runs, so the benchmark code cannot rot; the figures
themselves live in benchmarks/README.md, never in timed tests."""

import json

import jax

from benchmarks.__main__ import main


def test_quick_benchmarks_run_and_agree(tmp_path, capsys):
    out = tmp_path / "bench.jsonl"
    # the optax baseline computes decay ** int32 count, which strict promotion refuses
    with jax.numpy_dtype_promotion("standard"):
        assert main(["--quick", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    names = [r["benchmark"] for r in rows]
    assert {"iris hidden, batch 1", "iris hidden, batch 32", "digits MLP, batch 64, adam",
            "depth 8", "depth 16", "circuits RDA, batch 256"} <= set(names)
    assert all(r.get("same_final_loss", True) and r.get("same_parameters", True) for r in rows)
    depth = [r for r in rows if "layers" in r]
    assert depth[1]["paralens_equations"] <= 2.1 * depth[0]["paralens_equations"]
    assert "| benchmark |" in capsys.readouterr().out
