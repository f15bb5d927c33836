"""The benchmarks' quick mode runs, so the benchmark code cannot rot; the figures
themselves live in benchmarks/README.md, never in timed tests."""

import json
import pathlib
import re

import jax
import pytest

from benchmarks.__main__ import main


def test_quick_benchmarks_run_and_agree(tmp_path, capsys):
    out = tmp_path / "bench.jsonl"
    # the optax baseline computes decay ** int32 count, which strict promotion refuses
    with jax.numpy_dtype_promotion("standard"):
        assert main(["--quick", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    names = " | ".join(r["benchmark"] for r in rows)
    for part in ("fit iris hidden, batch 1 (compile included, a new learner)",
                 "fit iris hidden, batch 1 (compile included, first fit in a process)",
                 "fit iris hidden, batch 32",
                 "fit digits MLP, batch 64, adam (second call)", "RDA through fit",
                 "numpy streaming", "Para chain by >>", "circuit chain by >>",
                 "prepared for fit", "trace+lower", "depth 16", "circuits RDA, batch 256"):
        assert part in names, part
    assert all(r.get("same_result", True) is not False for r in rows)
    assert all(r["compilations"] == 0 for r in rows if "second call" in r["benchmark"])
    depth = [r for r in rows if r["benchmark"].startswith("depth")]
    assert depth[1]["paralens_equations"] == depth[1]["handwritten_equations"]
    assert "| benchmark |" in capsys.readouterr().out


def test_results_default_to_a_folder_git_ignores(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    default = re.search(r"default:\s+(\S+?)\)", capsys.readouterr().out).group(1)
    ignored = (pathlib.Path(__file__).resolve().parents[1] / ".gitignore").read_text().split()
    assert "/" in default and default.split("/")[0] + "/" in ignored, default


def test_interleaved_can_pause_the_collector_in_its_timed_regions():
    import gc

    from benchmarks._timing import interleaved
    seen = []

    def side():
        seen.append(gc.isenabled())

    interleaved(side, side, pairs=2, reps=1, warm=False, collect=False)
    assert seen == [False] * 4 and gc.isenabled()
    seen.clear()
    interleaved(side, side, pairs=2, reps=1, warm=False)
    assert seen == [True] * 4
