"""The main job runs end to end (quick mode) and writes what it promises."""

import json

import pytest

from papers.__main__ import main
from papers.registry import EXPERIMENTS


def test_quick_main_job_writes_table_json_and_figures(tmp_path, capsys):
    assert main(["--quick", "--no-progress", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "results.json").read_text())
    assert [r["key"] for r in rows] == [e.key for e in EXPERIMENTS]
    table = (tmp_path / "results.md").read_text()
    assert "| experiment | metric | reference | paralens | wall time |" in table
    assert (tmp_path / "deep_dream.png").stat().st_size > 1000
    assert (tmp_path / "cfgbl.iris.hidden.png").exists()
    exact = {r["key"]: r["value"] for r in rows if r["key"].startswith("rda.table1")}
    assert exact["rda.table1.two-class.binary.uci"] == pytest.approx(0.98)
    assert exact["rda.table1.three-class.one-hot.uci"] == pytest.approx(0.7333, abs=1e-3)
    skipped = {r["key"]: r["note"] for r in rows if r["value"] is None}
    assert set(skipped) == {"cfgbl.mnist_cnn", "rda.mnist01"}
    assert "| rda.table1" in capsys.readouterr().out


def test_list_and_selection(tmp_path, capsys):
    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(e.key in listed for e in EXPERIMENTS)
    assert main(["--quick", "--no-progress", "--only", "cfgbl.iris.dense", "--out",
                 str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "results.json").read_text())
    assert [r["key"] for r in rows] == ["cfgbl.iris.dense"]
    with pytest.raises(SystemExit):
        main(["--only", "no-such-experiment"])
