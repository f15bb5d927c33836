"""Runs sharded training on simulated CPU devices and writes what it measured as JSON.

Started by ``tests/test_sharding.py`` in processes of their own, because the device
count is fixed when JAX starts: ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
must be set before JAX is imported. Every case compares a run on a mesh with the
same run on one device (the default device, no mesh) and reports the differences;
the parent test asserts on them, one test per case.

    python tests/sharded_worker.py OUT.json              # every case, on 8 devices
    python tests/sharded_worker.py OUT.json HOST PORT    # process HOST of 2, 4 devices each

The second form is two "hosts" on this machine: ``jax.distributed.initialize`` with a
coordinator on ``127.0.0.1:PORT`` and Gloo for the CPU collectives, one mesh over the
8 devices of both, as ``docs/guides/distributed.md`` describes for real hosts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import traceback

if __name__ == "__main__":  # (pytest's doctest collection imports this module: no effect there)
    assert "jax" not in sys.modules, "the device count must be set before JAX is imported"
    LOCAL_DEVICES = 8 if len(sys.argv) == 2 else 4
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + f" --xla_force_host_platform_device_count={LOCAL_DEVICES}").strip()
    os.environ["JAX_PLATFORMS"] = "cpu"
    if len(sys.argv) > 2:  # before anything starts JAX's backend (the data below does)
        import jax
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
        jax.distributed.initialize(f"127.0.0.1:{sys.argv[3]}", num_processes=2,
                                   process_id=int(sys.argv[2]))

import jax  # noqa: E402
import numpy as np  # noqa: E402
from jax.experimental import multihost_utils  # noqa: E402
from jax.sharding import NamedSharding, PartitionSpec  # noqa: E402

from categories import ArrayType, BadHyperparameter, layers, smooth  # noqa: E402
from circuits import CIRCUIT, models  # noqa: E402
from learners import (adam, data_parallel, difference, fit, gradient, identity, load,  # noqa: E402
                      quadratic, save, shard_step, supervised)
from learners import _shard  # noqa: E402

# the test suite's settings (tests/conftest.py), so the worker runs what the tests run
jax.config.update("jax_numpy_dtype_promotion", "strict")
jax.config.update("jax_numpy_rank_promotion", "raise")

N = 100  # examples: not a multiple of the batch sizes, so the last batch is masked
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, 8)).astype(np.float32)
Y = np.tanh(X @ RNG.normal(size=(8, 4))).astype(np.float32)
MODEL = layers.dense(8, 16, smooth.tanh) >> layers.dense(16, 4)
PARAMS = MODEL.init(jax.random.key(0))
CIRCUIT_MODEL = models.lookup_table(3, 2)  # 16 parameter bits
BITS_X = RNG.integers(0, 2, (70, 3)).astype(np.uint8)
BITS_Y = RNG.integers(0, 2, (70, 2)).astype(np.uint8)
BITS_THETA = RNG.integers(0, 2, CIRCUIT_MODEL.param.n).astype(np.uint8)
KEY = jax.random.key(3)


def mesh(*shape: int, names=("data",)):
    return jax.make_mesh(shape, names, devices=jax.devices()[:int(np.prod(shape))])


def placed(data, on):
    """The data split along its examples over ``on``'s data axis, as a user may place it
    (``jax.make_mesh`` makes explicit axes)."""
    return jax.device_put(data, NamedSharding(on, PartitionSpec("data")))


def smooth_learner(batch_size: int):
    return supervised(MODEL, quadratic(ArrayType((4,))), adam(0.01), batch_size=batch_size)


def circuit_learner(batch_size: int):
    return supervised(CIRCUIT_MODEL, difference(CIRCUIT_MODEL.cod, CIRCUIT), gradient(),
                      identity(), batch_size=batch_size)


def leaves(tree) -> list[np.ndarray]:
    return [np.asarray(v) for v in jax.tree.leaves(tree)]


def compare(a, b) -> dict:
    """Largest absolute difference over all leaves, and whether they are bit-identical."""
    pairs = list(zip(leaves(a), leaves(b)))
    diff = max(float(np.max(np.abs(u.astype(np.float64) - v.astype(np.float64)), initial=0.0))
               for u, v in pairs)
    return {"max_diff": diff, "identical": all(u.dtype == v.dtype and np.array_equal(u, v)
                                               for u, v in pairs)}


def layout(state) -> dict:
    """Per state leaf: how many devices hold it and its partition spec."""
    return {jax.tree_util.keystr(path): {"devices": len(v.sharding.device_set),
                                         "spec": [str(s) for s in v.sharding.spec]}
            for path, v in jax.tree_util.tree_flatten_with_path(state)[0]}


def spied(learner, shares: list):
    """``learner`` whose step records, when compiled, each device's share of its input
    batch (the per-device shape XLA chose for it)."""
    def step(state, *data, **options):
        x = data[0]
        jax.debug.inspect_array_sharding(
            x, callback=lambda s: shares.append(list(s.shard_shape(x.shape))))
        return learner.step(state, *data, **options)
    return dataclasses.replace(learner, step=step, compiled={})


REFERENCES: dict = {}


def reference(make, batch_size, data, epochs):
    """The one-device run (no mesh) of this configuration, computed once."""
    key = (make.__name__, batch_size, epochs)
    if key not in REFERENCES:
        shares = []
        learner = spied(make(batch_size), shares)
        init = learner.init(PARAMS if make is smooth_learner else BITS_THETA)
        state, history = fit(learner, init, *data, epochs=epochs, key=KEY, progress=False)
        REFERENCES[key] = state, history, shares
    return REFERENCES[key]


def fit_case(make, batch_size, data, placement, epochs=3):
    shares = []
    learner = spied(make(batch_size), shares)
    init = learner.init(PARAMS if make is smooth_learner else BITS_THETA)
    ours, history = fit(learner, init, *data, epochs=epochs, key=KEY, progress=False,
                        mesh=placement)
    theirs, their_history, their_shares = reference(make, batch_size, jax.device_get(data),
                                                    epochs)
    return {**compare(ours, theirs), "layout": layout(ours), "shares": shares,
            "reference_shares": their_shares,
            "loss_diff": float(np.max(np.abs(np.subtract(history["loss"],
                                                         their_history["loss"])))),
            "steps": int(ours.step)}


def error_case(make, batch_size, placement) -> dict:
    learner = make(batch_size)
    init = learner.init(PARAMS if make is smooth_learner else BITS_THETA)
    try:
        fit(learner, init, X, Y, epochs=1, key=KEY, progress=False, mesh=placement)
    except BadHyperparameter as e:
        return {"error": type(e).__name__, "message": str(e)}
    return {"error": None}


def resume_case(placement) -> dict:
    """Two epochs, a checkpoint, two more, against four uninterrupted: exactly equal."""
    learner = smooth_learner(16)
    init = learner.init(PARAMS)
    options = {"key": KEY, "progress": False, "mesh": placement}
    whole, _ = fit(learner, init, X, Y, epochs=4, **options)
    half, _ = fit(learner, init, X, Y, epochs=2, **options)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "state.npz")
        save(path, half)
        restored = load(path, like=half)  # laid out like the sharded template
        replaced = _shard.plan(placement, 16, "test").place(load(path, like=init))
    out = {"restored_layout_equal": layout(restored) == layout(half),
           "restored_equal": compare(restored, half)["identical"]}
    for name, start in (("resumed", restored), ("replaced", replaced)):
        state, _ = fit(learner, start, X, Y, epochs=2, **options)
        out[name] = compare(state, whole)
    return out


def step_case(devices: int) -> dict:
    """One ``shard_step`` against ``learner.step`` on the same batch; the compiled step
    must hold an all-reduce (the sum of the devices' changes)."""
    learner = smooth_learner(16)
    state = learner.init(PARAMS)
    ours, loss = shard_step(learner, mesh(devices))(state, X[:16], Y[:16])
    reference, ref_loss = jax.jit(learner.step)(state, X[:16], Y[:16])
    placement = _shard.plan(mesh(devices), 16, "test")
    hlo = jax.jit(_shard.stepper(learner.step, placement)).lower(
        placement.place(state), X[:16], Y[:16]).compile().as_text()
    return {**compare(ours, reference), "loss_diff": abs(float(loss) - float(ref_loss)),
            "layout": layout(ours), "all_reduce": "all-reduce" in hlo}


def example_case() -> dict:
    from papers.distributed import experiment
    return experiment.run(devices=8, epochs=1)


def cases() -> dict:
    xy, bits = (X, Y), (BITS_X, BITS_Y)
    table = {}
    for d in (2, 4, 8):
        table[f"smooth_{d}"] = lambda d=d: fit_case(smooth_learner, 16, xy, mesh(d))
        table[f"circuit_{d}"] = lambda d=d: fit_case(circuit_learner, 32, bits, mesh(d))
    table.update({
        "smooth_4_batch_12": lambda: fit_case(smooth_learner, 12, xy, mesh(4)),
        "smooth_4_data_placed": lambda: fit_case(smooth_learner, 16, placed(xy, mesh(4)),
                                                 mesh(4)),
        "smooth_8_batch_12": lambda: error_case(smooth_learner, 12, mesh(8)),
        "smooth_one_example": lambda: error_case(smooth_learner, None, mesh(2)),
        "smooth_no_data_axis": lambda: error_case(smooth_learner, 16, mesh(2, names=("x",))),
        "smooth_4x2_model": lambda: fit_case(smooth_learner, 16, xy, data_parallel(
            mesh(4, 2, names=("data", "model")), model_axis="model", min_size=16)),
        "smooth_2x4_mesh": lambda: fit_case(smooth_learner, 16, xy,
                                            mesh(2, 4, names=("data", "model"))),
        "smooth_8_fully_sharded": lambda: fit_case(smooth_learner, 16, xy, data_parallel(
            mesh(8), model_axis="data", min_size=16)),
        "circuit_2x4_model": lambda: fit_case(circuit_learner, 32, bits, data_parallel(
            mesh(2, 4, names=("data", "model")), model_axis="model", min_size=1)),
        "resume_4x2": lambda: resume_case(data_parallel(
            mesh(4, 2, names=("data", "model")), model_axis="model", min_size=16)),
        "step_8": lambda: step_case(8),
        "example": example_case,
    })
    return table


def hosts_case(folder: str) -> dict:
    """Two processes, one (4, 2) mesh over both: fit equals one device; a checkpoint
    (gathered from both, written by each to the same file) resumes exactly."""
    placement = data_parallel(jax.make_mesh((4, 2), ("data", "model")), model_axis="model",
                              min_size=16)
    learner = smooth_learner(16)
    init = learner.init(PARAMS)
    options = {"key": KEY, "progress": False}
    whole, _ = fit(learner, init, X, Y, epochs=3, mesh=placement, **options)
    reference, _ = fit(learner, init, X, Y, epochs=3, **options)  # on this process's device
    half, _ = fit(learner, init, X, Y, epochs=2, mesh=placement, **options)
    path = os.path.join(folder, "hosts.npz")
    save(path, half)  # a collective: both processes call it
    resumed, _ = fit(learner, load(path, like=half), X, Y, epochs=1, mesh=placement, **options)
    gathered = multihost_utils.process_allgather((whole, resumed), tiled=True)
    return {"processes": jax.process_count(), "local_devices": len(jax.local_devices()),
            "spans_processes": not jax.tree.leaves(whole.params)[0].is_fully_addressable,
            "reference": compare(gathered[0], reference),
            "resumed": compare(gathered[1], gathered[0])}


def main(out: str, hosts: bool) -> None:
    results = {"devices": len(jax.devices())}
    if hosts:
        table = {"hosts": lambda: hosts_case(os.path.dirname(os.path.abspath(out)))}
    else:
        table = cases()
    for name, case in table.items():
        try:
            results[name] = case()
        except Exception:  # reported per case, so one failure does not hide the others
            results[name] = {"crashed": traceback.format_exc()}
    with open(out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], hosts=len(sys.argv) > 2)
