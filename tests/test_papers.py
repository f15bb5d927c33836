"""The main job runs end to end (quick mode) and writes what it promises."""

import json

import numpy as np
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


def _write_idx(path, array):
    codes = {np.dtype(np.uint8): 0x08}
    header = bytes([0, 0, codes[array.dtype], array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(">u1").tobytes())


def test_mnist_experiments_read_local_idx_files(tmp_path):
    """A small fake MNIST in IDX format: the MNIST experiments run on it end to end."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for stem, n in (("train", 300), ("t10k", 100)):
        labels = rng.integers(0, 3, n).astype(np.uint8)
        images = (rng.random((n, 28, 28)) * 255 * (labels[:, None, None] + 1) / 3).astype(np.uint8)
        _write_idx(folder / f"{stem}-images-idx3-ubyte", images)
        _write_idx(folder / f"{stem}-labels-idx1-ubyte", labels)
    out = tmp_path / "out"
    assert main(["--quick", "--no-progress", "--only", "cfgbl.mnist_cnn", "rda.mnist01",
                 "--mnist", str(folder), "--out", str(out)]) == 0
    rows = {r["key"]: r for r in json.loads((out / "results.json").read_text())}
    assert 0 <= rows["cfgbl.mnist_cnn"]["value"] <= 1
    assert 0 <= rows["rda.mnist01"]["value"] <= 1
