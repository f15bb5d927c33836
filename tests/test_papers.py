"""The main job runs end to end (quick mode), writes what it promises, and loses nothing:
each run gets a folder of its own, results are saved after every experiment, and an
unwritable folder, a failing experiment or Ctrl-C end it cleanly. The Iris runs on the
reference code's random stream draw exactly what that code draws."""

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from learners import data
from papers import registry
from papers.__main__ import main
from papers._runner import Experiment, Figure, Result
from papers.cfgbl import iris
from papers.registry import EXPERIMENTS


def _rows(folder):
    return json.loads((folder / "results.json").read_text())["experiments"]


def test_quick_main_job_writes_table_json_and_figures(tmp_path):
    """``python -m papers --quick`` itself, in a process of its own as a user runs it."""
    done = subprocess.run([sys.executable, "-m", "papers", "--quick", "--no-progress", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    run = tmp_path / "quick-001"
    assert [p.name for p in tmp_path.iterdir()] == ["quick-001"]
    document = json.loads((run / "results.json").read_text())
    assert document["mode"] == "quick"
    rows = document["experiments"]
    assert [r["key"] for r in rows] == [e.key for e in EXPERIMENTS]
    assert {r["status"] for r in rows} == {"done"}
    table = (run / "results.md").read_text()
    assert table.startswith("# paralens papers: quick smoke run")
    assert "| experiment | metric | reference | paralens | wall time |" in table
    lines = [line for line in table.splitlines() if line.startswith("| ") and ": " in line]
    assert len(lines) == len(rows) and all(" (quick" in line for line in lines)
    assert [r["budget"] for r in rows if "400" in r["budget"] or "40 epochs" in r["budget"]] == []
    dream = next(line for line in lines if line.startswith("| cfgbl.deep_dream:"))
    assert re.search(r"\| [01]\.\d{4} \(\d+/10 classified", dream)
    assert (run / "deep_dream.png").stat().st_size > 1000
    # one picture per family, none per member; each row names the picture that shows it
    assert (run / "cfgbl.iris.png").exists() and (run / "optimisers.png").exists()
    assert not {"optimisers.sgd.png", "cfgbl.iris.linear.png"} & {p.name for p in run.iterdir()}
    figures = {r["key"]: r["figure"] for r in rows}
    assert {figures[k] for k in figures if k.startswith("optimisers.")} == {"optimisers.png"}
    assert all((run / f).exists() for f in figures.values() if f)
    exact = {r["key"]: r["value"] for r in rows if r["key"].startswith("rda.table1")}
    assert exact["rda.table1.two-class.binary.uci"] == pytest.approx(0.98)
    assert exact["rda.table1.three-class.one-hot.uci"] == pytest.approx(0.7333, abs=1e-3)
    skipped = {r["key"]: r["note"] for r in rows if r["value"] is None}
    assert set(skipped) == {"cfgbl.mnist_cnn", "rda.mnist01"}
    out = done.stdout
    assert "| rda.table1" in out and f"to {run}/" in out
    pngs, svgs = len(list(run.glob("*.png"))), len(list(run.glob("*.svg")))
    assert f", {pngs} figures and {svgs} diagrams to {run}/" in out


def _reference_draws(name, epochs):
    """What numeric-optics-python draws, written with its own numpy calls: the seed set
    when ``experiments/dataset.py`` is imported, ``ParaInit``'s draws when the model's
    ``param()`` runs (for ``f >> g``: ``g``'s first; weights ``normal(0, 0.01, (out,
    in))``, biases zeros), then ``train_supervised``'s in-place shuffle every epoch."""
    state = np.random.get_state()
    try:
        np.random.seed(2)
        if name == "linear":
            params = {"weight": np.random.normal(0, 0.01, (3, 4))}
        elif name == "dense":
            params = {"weight": np.random.normal(0, 0.01, (3, 4)), "bias": np.zeros(3)}
        else:
            w2 = np.random.normal(0, 0.01, (3, 20))
            w1 = np.random.normal(0, 0.01, (20, 4))
            params = ({"weight": w1, "bias": np.zeros(20)}, {"weight": w2, "bias": np.zeros(3)})
        permutation, orders = np.array(range(0, 150)), []
        for _ in range(epochs):
            np.random.shuffle(permutation)
            orders.append(permutation.copy())
        return params, np.array(orders)
    finally:
        np.random.set_state(state)


@pytest.mark.parametrize("name", ["linear", "dense", "hidden"])
def test_iris_reference_stream_is_the_reference_codes(name):
    params, orders = iris.reference_stream(name, 4)
    expected_params, expected_orders = _reference_draws(name, 4)
    assert jax.tree.structure(params) == jax.tree.structure(expected_params)
    for ours, theirs in zip(jax.tree.leaves(params), jax.tree.leaves(expected_params)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)  # float32 of the same draws
    np.testing.assert_array_equal(orders, expected_orders)
    model_shapes = jax.tree.map(np.shape, iris.model(name).init(jax.random.key(0)))
    assert jax.tree.map(np.shape, params) == model_shapes


def test_iris_reference_run_follows_the_reference_loop():
    """The linear model trained as the reference script does, in float64 numpy
    (``W ← W − 0.01 (W x − y) xᵀ`` per example): the same weights, and the accuracy its
    last line prints (after the first example of the last epoch) and after that epoch."""
    epochs = 3
    x, labels = data.load_iris("uci")
    y = np.eye(3)[labels]
    params, orders = _reference_draws("linear", epochs)
    w, x64 = params["weight"], x.astype(np.float64)
    correct = lambda w: np.mean([np.argmax(w @ a) == c for a, c in zip(x64, labels)])  # noqa: E731
    for e in range(epochs):
        for j, i in enumerate(orders[e]):
            w = w + np.outer(-0.01 * (w @ x64[i] - y[i]), x64[i])
            if j == 0:
                printed = correct(w)  # the script measures at each epoch's first step
    state, ours_printed, curves = iris.run_reference("linear", epochs)
    np.testing.assert_allclose(state.params["weight"], w, rtol=1e-4, atol=1e-6)
    assert ours_printed == printed
    assert curves["training accuracy"][-1] == correct(w)
    assert len(curves["training loss"]) == len(curves["training accuracy"]) == epochs


def test_list_and_selection(tmp_path, capsys):
    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(e.key in listed for e in EXPERIMENTS)
    assert main(["--quick", "--no-progress", "--only", "cfgbl.iris.dense", "--out",
                 str(tmp_path)]) == 0
    assert jax.config.read("jax_disable_most_optimizations") is False  # restored after
    assert [r["key"] for r in _rows(tmp_path / "quick-001")] == ["cfgbl.iris.dense",
                                                                 "cfgbl.iris.dense.reference"]
    with pytest.raises(SystemExit):
        main(["--only", "no-such-experiment"])


def test_each_run_writes_a_folder_of_its_own(tmp_path, monkeypatch):
    """Two quick runs and a full one: three folders, none overwritten, the quick ones
    labelled as smoke runs and kept apart from the full one."""
    monkeypatch.delenv("PARALENS_MNIST", raising=False)
    only = ["--no-progress", "--only", "cfgbl.mnist_cnn", "--out", str(tmp_path)]
    assert main(["--quick", *only]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "quick-001").iterdir()}
    assert main(["--quick", *only]) == 0
    assert main(only) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quick-001", "quick-002", "run-001"]
    assert {p.name: p.read_bytes() for p in (tmp_path / "quick-001").iterdir()} == first
    for name, mode in (("quick-002", "quick"), ("run-001", "full")):
        assert json.loads((tmp_path / name / "results.json").read_text())["mode"] == mode
        assert _rows(tmp_path / name)[0]["status"] == "done"
    assert "smoke run" in (tmp_path / "quick-002" / "results.md").read_text()
    assert "smoke run" not in (tmp_path / "run-001" / "results.md").read_text()


def _experiments(monkeypatch, *runs):
    """Replace the registry by experiments ``e0, e1, …`` running ``runs``; returns the
    keys of those that were called, in order."""
    called = []

    def experiment(i, run):
        def recorded(*, quick, out, options):
            called.append(f"e{i}")
            return run(out)
        return Experiment(f"e{i}", "a paper", f"experiment {i}", "accuracy", recorded)

    monkeypatch.setattr(registry, "EXPERIMENTS", [experiment(i, r) for i, r in enumerate(runs)])
    return called


def _finishes(out):
    return Result(0.75, 0.5, "paper", {"loss": [1.0, 0.5, 0.25]})


@pytest.mark.parametrize("blocker", ["parent", "itself"])
def test_unwritable_out_fails_before_any_experiment(tmp_path, monkeypatch, capsys, blocker):
    called = _experiments(monkeypatch, _finishes)
    (tmp_path / "file").write_text("a regular file, not a folder")
    out = tmp_path / "file" / "results" if blocker == "parent" else tmp_path / "file"
    assert main(["--no-progress", "--out", str(out)]) == 2
    assert called == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"cannot write results to {out}: " in err and "no experiment was run" in err


def test_ctrl_c_keeps_what_finished(tmp_path, monkeypatch, capsys):
    """Results are on disk as soon as the first experiment finishes; Ctrl-C in the
    second exits with 130 and a one-line message, the table saved with the rest pending."""
    seen_by_second = []

    def interrupted(out):
        seen_by_second.append([r["status"] for r in _rows(out)])
        seen_by_second.append((out / "e0.png").exists())
        raise KeyboardInterrupt

    called = _experiments(monkeypatch, _finishes, interrupted, _finishes)
    assert main(["--no-progress", "--out", str(tmp_path)]) == 130
    assert called == ["e0", "e1"]
    assert seen_by_second == [["done", "pending", "pending"], True]
    run = tmp_path / "run-001"
    rows = _rows(run)
    assert [r["status"] for r in rows] == ["done", "interrupted", "pending"]
    assert rows[0]["value"] == 0.75
    table = (run / "results.md").read_text()
    assert "| 0.7500 |" in table and "| interrupted |" in table and "| pending |" in table
    err = capsys.readouterr().err
    assert err == f"python -m papers: interrupted; 1 of 3 experiments finished, saved in {run}/\n"


def test_ctrl_c_that_python_swallows_still_stops_the_run(tmp_path, monkeypatch, capsys):
    """A KeyboardInterrupt raised inside ``__del__`` is dropped by Python (JAX runs many
    such callbacks); the run still stops after the experiment under way."""
    class Finaliser:
        def __del__(self):
            signal.raise_signal(signal.SIGINT)

    def swallowed(out):
        Finaliser()  # collected at once: the Ctrl-C comes, and is lost, inside __del__
        return _finishes(out)

    called = _experiments(monkeypatch, swallowed, _finishes)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        assert main(["--no-progress", "--out", str(tmp_path)]) == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    assert called == ["e0"]
    assert [r["status"] for r in _rows(tmp_path / "run-001")] == ["done", "pending"]
    err = capsys.readouterr().err
    assert err.startswith("python -m papers: interrupted; 1 of 2") and err.count("\n") == 1


def test_a_family_shares_one_picture_drawn_when_its_last_member_has_run(tmp_path, monkeypatch,
                                                                      capsys):
    """Two experiments of one family and one alone: the family's picture appears only
    after its second member, holds both, and no member gets a picture of its own; a full
    run's rows say their budget, a quick run's say they are quick."""
    family = Figure("fam", "a family")
    seen = []

    def member(i, family):
        def run(*, quick, out, options):
            seen.append(sorted(p.name for p in out.glob("*.png")))
            return Result(1.0, None, "", {"training loss": [1.0, 0.5], "test accuracy": [0.5, 1.0]},
                          budget=f"{1 if quick else 2} epochs")
        return Experiment(f"e{i}", "a paper", f"experiment {i}", "accuracy", run, family,
                          f"member {i}")

    monkeypatch.setattr(registry, "EXPERIMENTS",
                        [member(0, family), member(1, None), member(2, family)])
    assert main(["--no-progress", "--out", str(tmp_path)]) == 0
    assert seen == [[], [], ["e1.png"]]
    run = tmp_path / "run-001"
    assert sorted(p.name for p in run.glob("*.png")) == ["e1.png", "fam.png"]
    assert [r["figure"] for r in _rows(run)] == ["fam.png", "e1.png", "fam.png"]
    table = (run / "results.md").read_text()
    assert "| e0: experiment 0, 2 epochs |" in table and "| 1.0000 |" in table
    assert main(["--quick", "--no-progress", "--out", str(tmp_path)]) == 0
    assert "| e0: experiment 0 (quick: 1 epochs) |" in (
        tmp_path / "quick-001" / "results.md").read_text()
    assert "results.json, 2 figures to" in capsys.readouterr().out


def test_failing_experiment_is_reported_and_the_others_saved(tmp_path, monkeypatch, capsys):
    def fails(out):
        raise ValueError("the data went missing")

    called = _experiments(monkeypatch, fails, _finishes)
    assert main(["--no-progress", "--out", str(tmp_path)]) == 1
    assert called == ["e0", "e1"]
    rows = _rows(tmp_path / "run-001")
    assert [r["status"] for r in rows] == ["failed", "done"]
    assert rows[0]["note"] == "ValueError: the data went missing"
    assert "Traceback" in rows[0]["traceback"] and rows[1]["value"] == 0.75
    assert "| failed (ValueError: the data went missing) |" in (
        tmp_path / "run-001" / "results.md").read_text()
    err = capsys.readouterr().err
    assert "experiment e0 failed" in err  # the traceback, as it happens
    assert err.splitlines()[-1].startswith(
        "python -m papers: 1 of 2 experiments failed: e0 (ValueError: the data went missing)")


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
    rows = {r["key"]: r for r in _rows(out / "quick-001")}
    assert 0 <= rows["cfgbl.mnist_cnn"]["value"] <= 1
    assert 0 <= rows["rda.mnist01"]["value"] <= 1
