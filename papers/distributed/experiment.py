"""The digits model trained data-parallel on a mesh and on one device, compared."""

from __future__ import annotations

import time

import jax
import numpy as np

from categories import ArrayType, layers, smooth
from learners import accuracy, adam, data, fit, softmax_cross_entropy, supervised


def run(devices: int | None = None, epochs: int = 20) -> dict:
    """Train on a ``(devices,)`` data mesh and on one device; accuracies and differences.

    The batch is 64 (or the next multiple of ``devices``, so every device gets as many
    rows); the data split, the initial parameters and the example order are the same
    for both runs.
    """
    devices = devices or len(jax.devices())
    x, labels = data.load_digits()
    x_train, y_train, x_test, y_test = data.train_test_split(x, labels, 0.2, seed=0)
    x_train, mean, std = data.standardise(x_train)
    x_test, _, _ = data.standardise(x_test, mean, std)
    model = layers.dense(64, 128, smooth.relu) >> layers.dense(128, 10)
    batch = -(-64 // devices) * devices
    learner = supervised(model, softmax_cross_entropy(ArrayType((10,))), adam(1e-3),
                         batch_size=batch)
    start = learner.init(model.init(jax.random.key(0)))
    mesh = jax.make_mesh((devices,), ("data",), devices=jax.devices()[:devices])
    out = {"devices": devices, "device_kind": jax.devices()[0].device_kind, "batch": batch,
           "epochs": epochs}
    for name, where in (("mesh", mesh), ("one_device", None)):
        began = time.perf_counter()
        state, history = fit(learner, start, x_train, data.one_hot(y_train, 10), epochs=epochs,
                             key=jax.random.key(1), progress=False, mesh=where)
        jax.block_until_ready(state)
        out[f"{name}_seconds"] = time.perf_counter() - began  # compilation included
        out[f"{name}_accuracy"] = accuracy(learner.predict(state.params, x_test), y_test)
        out[f"{name}_loss"] = history["loss"][-1]
        out[f"{name}_params"] = [np.asarray(v) for v in jax.tree.leaves(state.params)]
    out["max_param_diff"] = max(float(np.max(np.abs(a - b))) for a, b in
                                zip(out.pop("mesh_params"), out.pop("one_device_params")))
    return out
