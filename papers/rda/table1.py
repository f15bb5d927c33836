"""RDA Table 1 on Iris (Wilson & Zanasi, ACT 2020): a lookup-table circuit learned by
Reverse Derivative Ascent through the generic ``supervised`` assembly.

Protocol (theory §4.4): min–max normalise each feature over the rows used and
threshold at 0.5 (4 bits); labels as binary codes or one-hot; sort by the
label's integer value (bit i worth 2^i), first 25 of each class train, the rest
test; one pass in class order from all-zero parameters; XOR difference loss,
identity learning rate, XOR update; exact-match test accuracy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from circuits import CIRCUIT, Bits, models
from circuits.export import freeze
from diagrams import draw
from learners import difference, gradient, identity, supervised
from learners import data

REFERENCE = {("two-class", "binary"): 0.980, ("two-class", "one-hot"): 0.980,
             ("three-class", "binary"): 0.733, ("three-class", "one-hot"): 0.733}


def encode(labels: np.ndarray, classes: int, encoding: str) -> np.ndarray:
    """Labels as bit vectors: the binary code of the class (bit i worth 2^i), or one-hot."""
    if encoding == "one-hot":
        return np.eye(classes, dtype=np.uint8)[labels]
    width = max(1, int(np.ceil(np.log2(classes))))
    return ((labels[:, None] >> np.arange(width)) & 1).astype(np.uint8)


def rda_iris(task: str, encoding: str, variant: str = "uci", *,
             drawings: Path | None = None) -> float:
    """Test accuracy of one cell of RDA Table 1; with ``drawings``, the learner and the
    learned lookup table's gates are saved as ``drawings`` + ``.learner.svg`` and
    ``.circuit.svg``."""
    x, labels = data.load_iris(variant)
    classes = 2 if task == "two-class" else 3
    keep = labels < classes
    x, labels = x[keep], labels[keep]
    lo, hi = x.min(axis=0), x.max(axis=0)
    features = ((x - lo) / (hi - lo) > 0.5).astype(np.uint8)
    y = encode(labels, classes, encoding)
    order = np.argsort(y @ (1 << np.arange(y.shape[1])), kind="stable")
    features, y, labels = features[order], y[order], labels[order]
    train = np.concatenate([np.flatnonzero(labels == c)[:25] for c in range(classes)])
    test = np.setdiff1d(np.arange(len(labels)), train)
    model = models.lookup_table(4, y.shape[1])
    learner = supervised(model, difference(Bits(y.shape[1]), CIRCUIT), gradient(), identity())
    state = learner.init(model.init(None))
    # one pass of 50 or 75 steps, on numpy arrays: circuits then run gate by gate in
    # numpy, which takes a fraction of the time JAX would take to compile the pass
    for example, label in zip(features[train], y[train]):
        state, _ = learner.step(state, example, label)
    predictions = np.asarray(learner.predict(state.params, features[test]))
    if drawings is not None:
        draw(learner).save(drawings.with_name(drawings.name + ".learner.svg"))
        draw(freeze(model, np.asarray(state.params)), gates=True).save(
            drawings.with_name(drawings.name + ".circuit.svg"))
    return float(np.mean(np.all(predictions == y[test], axis=1)))
