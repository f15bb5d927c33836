"""Data: Iris and digits from scikit-learn's bundled copies (no download), MNIST
from local IDX files, and the small helpers every experiment needs.

Example:
    >>> x, y = load_iris()
    >>> x.shape, y.shape, one_hot(y, 3).shape
    ((150, 4), (150,), (150, 3))
"""

from __future__ import annotations

import gzip
import os
from typing import Any

import numpy as np

__all__ = ["load_iris", "load_digits", "load_idx", "one_hot", "standardise",
           "train_test_split", "check_dataset"]

# scikit-learn's Iris corrects two rows of the UCI file the RDA paper used
# (its own description says so); restoring them gives the UCI variant.
_UCI_ROWS = {34: [4.9, 3.1, 1.5, 0.1], 37: [4.9, 3.1, 1.5, 0.1]}


def _sklearn():
    try:
        import sklearn.datasets as datasets
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("the bundled datasets need scikit-learn: "
                          "pip install 'paralens[papers]'") from err
    return datasets


def load_iris(variant: str = "sklearn") -> tuple[np.ndarray, np.ndarray]:
    """The 150 Iris rows (float32 features, int32 labels 0–2), in file order.

    Args:
        variant: ``"sklearn"`` (scikit-learn's corrected copy) or ``"uci"`` (the
            UCI ``iris.data`` the RDA paper used: rows 35 and 38 differ).
    """
    if variant not in ("sklearn", "uci"):
        raise ValueError(f"load_iris: variant must be 'sklearn' or 'uci', got {variant!r}")
    x, y = _sklearn().load_iris(return_X_y=True)
    x = x.copy()
    if variant == "uci":
        for row, values in _UCI_ROWS.items():
            x[row] = values
    return x.astype(np.float32), y.astype(np.int32)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8×8 digits (float32 pixels 0–16, flattened to 64; int32 labels)."""
    x, y = _sklearn().load_digits(return_X_y=True)
    return x.astype(np.float32), y.astype(np.int32)


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (MNIST's format; ``.gz`` allowed) into an array.

    Raises:
        ValueError: a bad magic number, an unknown type code, or a size that
            does not match the header.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"load_idx: {path} is not an IDX file (bad magic number)")
    types = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if data[2] not in types:
        raise ValueError(f"load_idx: {path} has unknown type code {data[2]:#x}")
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"load_idx: {path} is truncated: its header promises {ndim} sizes")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(types[data[2]])
    body = data[4 + 4 * ndim:]
    if len(body) != int(np.prod(shape)) * dtype.itemsize:
        raise ValueError(f"load_idx: {path} holds {len(body)} bytes of data, header says "
                         f"{shape} of {dtype.itemsize} bytes each")
    return np.frombuffer(body, dtype).reshape(shape).astype(dtype.newbyteorder("="))


def one_hot(labels: Any, classes: int) -> np.ndarray:
    """Float32 one-hot rows; labels must be integers in ``[0, classes)``."""
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"one_hot: labels must be integers, got {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"one_hot: labels must lie in [0, {classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")
    return np.eye(classes, dtype=np.float32)[labels]


def standardise(x: Any, mean: Any = None, std: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x − mean)/std`` per column (statistics of ``x`` unless given, e.g. the
    training set's for the test set); constant columns are left centred."""
    x = np.asarray(x, np.float32)
    mean = x.mean(axis=0) if mean is None else np.asarray(mean, np.float32)
    std = x.std(axis=0) if std is None else np.asarray(std, np.float32)
    return (x - mean) / np.where(std > 0, std, 1).astype(np.float32), mean, std


def train_test_split(x: Any, y: Any, test_fraction: float, seed: int = 0):
    """Shuffle with ``seed`` and split: ``(x_train, y_train, x_test, y_test)``."""
    n = check_dataset(x, y)
    if not 0 < test_fraction < 1:
        raise ValueError(f"train_test_split: test_fraction must be in (0, 1), got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    cut = n - int(round(n * test_fraction))
    train, test = order[:cut], order[cut:]
    return np.asarray(x)[train], np.asarray(y)[train], np.asarray(x)[test], np.asarray(y)[test]


def check_dataset(x: Any, y: Any, classes: int | None = None) -> int:
    """The number of examples, after checking lengths, finiteness and label range."""
    x, y = np.asarray(x), np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"dataset: x has {x.shape[0]} examples but y has {y.shape[0]}")
    for name, v in (("x", x), ("y", y)):
        if np.issubdtype(v.dtype, np.floating) and not np.all(np.isfinite(v)):
            raise ValueError(f"dataset: {name} contains NaN or Inf")
    if classes is not None and np.issubdtype(y.dtype, np.integer) and y.size and (
            y.min() < 0 or y.max() >= classes):
        raise ValueError(f"dataset: labels must lie in [0, {classes}), got range "
                         f"[{y.min()}, {y.max()}]")
    return int(x.shape[0])
