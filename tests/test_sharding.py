"""Sharded ``fit`` equals the one-device run: 2, 4 and 8 simulated devices, model axes,
checkpoints that resume exactly, ``shard_step``, and the digits example.

The device count is fixed when JAX starts, so the sharded runs happen in one worker
process (``tests/sharded_worker.py``, 8 simulated CPU devices) that runs every case,
each against the same run on one device, and writes what it measured as JSON; the
tests here assert on it case by case. Smooth learners agree to float32 tolerance
(the devices' partial sums are added in another order), circuits bit for bit (their
changes are XOR-sums). ``shares`` is each device's part of a batch as XLA laid it
out inside the compiled step (recorded once per compilation), so a run that silently
stayed on one device fails.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest

from categories import ArrayType, BadHyperparameter, layers
from learners import data_parallel, fit, quadratic, sgd, shard_step, supervised

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOLERANCE = 1e-5  # absolute, on parameters of order 1: ~100 float32 ulps after 21 Adam steps


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("sharded") / "results.json"
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "sharded_worker.py"), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"the worker failed:\n{done.stdout}\n{done.stderr}"
    results = json.loads(out.read_text())
    assert results["devices"] == 8
    return results


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """Two worker processes as two hosts of 4 devices each, coordinated on a free port."""
    folder = tmp_path_factory.mktemp("hosts")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
    runs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "sharded_worker.py"),
                              str(folder / f"host{i}.json"), str(i), str(port)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for i in range(2)]
    try:
        logs = [run.communicate(timeout=900)[0] for run in runs]
    finally:
        for run in runs:
            run.kill()  # only if a timeout left it running
    for run, log in zip(runs, logs):
        assert run.returncode == 0, f"a host failed:\n{log}"
    return [json.loads((folder / f"host{i}.json").read_text()) for i in range(2)]


def _case(measured, name):
    result = measured[name]
    assert "crashed" not in result, result.get("crashed")
    return result


def _shares(result, key="shares"):
    """The per-device batch shapes the run's compilations chose (one set: all the same)."""
    assert result[key], "the step was never compiled"
    return {tuple(shape) for shape in result[key]}


def _placed_on(result, devices):
    return {leaf["devices"] for leaf in result["layout"].values()} == {devices}


@pytest.mark.parametrize("devices", [2, 4, 8])
def test_a_smooth_learner_on_the_mesh_equals_one_device(measured, devices):
    r = _case(measured, f"smooth_{devices}")
    assert r["max_diff"] <= TOLERANCE and r["loss_diff"] <= TOLERANCE, r
    assert _shares(r) == {(16 // devices, 8)} and _shares(r, "reference_shares") == {(16, 8)}
    assert _placed_on(r, devices) and r["steps"] == 3 * 7  # 100 examples: 7 batches of 16


@pytest.mark.parametrize("devices", [2, 4, 8])
def test_a_circuit_on_the_mesh_equals_one_device_bit_for_bit(measured, devices):
    r = _case(measured, f"circuit_{devices}")
    assert r["identical"], r
    assert _shares(r) == {(32 // devices, 3)} and _shares(r, "reference_shares") == {(32, 3)}
    assert _placed_on(r, devices) and r["steps"] == 3 * 3  # 70 examples: 3 batches of 32


def test_a_masked_partial_batch_splits_over_the_mesh(measured):
    r = _case(measured, "smooth_4_batch_12")  # 100 = 8 × 12 + 4: the last batch is masked
    assert r["max_diff"] <= TOLERANCE and r["loss_diff"] <= TOLERANCE, r
    assert _shares(r) == {(3, 8)} and r["steps"] == 3 * 9


def test_data_placed_by_the_caller_keeps_its_layout(measured):
    r = _case(measured, "smooth_4_data_placed")  # split along the examples, explicit axes
    assert r["max_diff"] <= TOLERANCE and r["loss_diff"] <= TOLERANCE, r
    assert _shares(r) == {(4, 8)}


@pytest.mark.parametrize("case,words", [
    ("smooth_8_batch_12", ["batch_size 12", "8 devices", "'data' axis", "8 or 16"]),
    ("smooth_one_example", ["batch_size=None", "multiple of 2"]),
    ("smooth_no_data_axis", ["('x',)", "no 'data' axis", "data_parallel"]),
])
def test_what_cannot_split_is_refused_naming_both_sides(measured, case, words):
    r = _case(measured, case)
    assert r["error"] == "BadHyperparameter", r
    for word in words:
        assert word in r["message"]


def test_a_model_axis_shards_large_leaves_and_splits_batches_over_the_data_axis(measured):
    r = _case(measured, "smooth_4x2_model")  # min_size 16: the 16-row weight and bias split
    assert r["max_diff"] <= TOLERANCE and r["loss_diff"] <= TOLERANCE, r
    layout = r["layout"]
    assert layout[".params[0]['weight']"]["spec"] == ["model"]
    assert layout[".opt_state.mu[1]['weight']"]["spec"] == ["None", "model"]  # (4, 16): dim 1
    assert layout[".params[1]['bias']"]["spec"] == [] and layout[".step"]["spec"] == []
    assert _shares(r) == {(4, 8)}  # 16 rows over the 4-way data axis
    assert _placed_on(r, 8)


def test_a_bare_mesh_with_a_model_axis_replicates_small_leaves(measured):
    r = _case(measured, "smooth_2x4_mesh")
    assert r["max_diff"] <= TOLERANCE, r
    assert all(leaf["spec"] == [] for leaf in r["layout"].values())
    assert _shares(r) == {(8, 8)}


def test_fully_sharded_data_parallel_splits_state_over_the_data_axis(measured):
    r = _case(measured, "smooth_8_fully_sharded")
    assert r["max_diff"] <= TOLERANCE and r["loss_diff"] <= TOLERANCE, r
    assert r["layout"][".params[0]['weight']"]["spec"] == ["data"]
    assert _shares(r) == {(2, 8)}


def test_a_circuit_with_sharded_parameters_is_bit_for_bit(measured):
    r = _case(measured, "circuit_2x4_model")
    assert r["identical"], r
    assert r["layout"][".params"]["spec"] == ["model"] and _shares(r) == {(16, 3)}


def test_a_sharded_checkpoint_restores_its_layout_and_resumes_exactly(measured):
    r = _case(measured, "resume_4x2")
    assert r["restored_layout_equal"] and r["restored_equal"], r
    assert r["resumed"]["identical"], r["resumed"]  # loaded like the sharded state
    assert r["replaced"]["identical"], r["replaced"]  # loaded plainly, then placed


def test_shard_step_equals_the_step_and_all_reduces_the_changes(measured):
    r = _case(measured, "step_8")
    assert r["max_diff"] <= TOLERANCE and r["loss_diff"] <= TOLERANCE, r
    assert r["all_reduce"] and _placed_on(r, 8)


def test_the_digits_example_trains_data_parallel_as_on_one_device(measured):
    r = _case(measured, "example")
    assert r["devices"] == 8 and r["batch"] == 64
    assert r["max_param_diff"] <= TOLERANCE, r
    assert abs(r["mesh_accuracy"] - r["one_device_accuracy"]) <= 0.01, r
    assert r["mesh_accuracy"] > 0.5  # one epoch of Adam already learns most digits


def test_two_hosts_train_one_mesh_as_one_device_and_resume_exactly(hosts):
    for host in hosts:
        r = _case(host, "hosts")
        assert (r["processes"], r["local_devices"], host["devices"]) == (2, 4, 8)
        assert r["spans_processes"]  # each process holds only its devices' shards
        assert r["reference"]["max_diff"] <= TOLERANCE, r
        assert r["resumed"]["identical"], r  # saved from both, loaded sharded, resumed


# in this process (one device): the checks that need no mesh of several devices

LEARNER = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), sgd(0.1), batch_size=4)
STATE = LEARNER.init({"weight": jnp.zeros((1, 2))})
X = jnp.ones((8, 2))


@pytest.mark.parametrize("call,words", [
    (lambda: data_parallel("cpu"), ["jax.sharding.Mesh", "'cpu'"]),
    (lambda: data_parallel(model_axis="model"), ["'model'", "('data',)"]),
    (lambda: data_parallel(min_size=-1), ["min_size", "-1"]),
    (lambda: fit(LEARNER, STATE, X, X[:, :1], epochs=1, shuffle=False, mesh="gpu"),
     ["fit: mesh must be", "'gpu'"]),
    (lambda: shard_step(supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), sgd(0.1)),
                        data_parallel()), ["shard_step", "batch_size=None"]),
])
def test_misuse_is_refused_before_tracing(call, words):
    with pytest.raises(BadHyperparameter) as caught:
        call()
    for word in words:
        assert word in str(caught.value)


def test_fit_compiles_once_per_placement():
    mesh = data_parallel(jax.make_mesh((1,), ("data",), devices=jax.devices()[:1]))
    options = {"epochs": 1, "shuffle": False, "progress": False}
    first = fit(LEARNER, STATE, X, X[:, :1], mesh=mesh, **options)[1]["compilations"]
    again = fit(LEARNER, STATE, X, X[:, :1], mesh=data_parallel(mesh.mesh), **options)[1]
    plain = fit(LEARNER, STATE, X, X[:, :1], **options)[1]["compilations"]
    assert (first, again["compilations"], plain) == ([1], [0], [1])
