"""Data: Iris and digits from scikit-learn's bundled copies (no download), MNIST
from local IDX files, and the small helpers every experiment needs.

Example:
    >>> x, y = load_iris()
    >>> x.shape, y.shape, one_hot(y, 3).shape
    ((150, 4), (150,), (150, 3))
"""

from __future__ import annotations

import gzip
import math
import os
from typing import Any

import numpy as np

from categories import BadFile, BadHyperparameter, BadObject, BadPoint, MissingDependency

from . import _hyper as hyper

__all__ = ["load_iris", "load_digits", "load_idx", "one_hot", "standardise",
           "train_test_split", "check_dataset"]

# scikit-learn's Iris corrects two rows of the UCI file the RDA paper used
# (its own description says so); restoring them gives the UCI variant.
_UCI_ROWS = {34: [4.9, 3.1, 1.5, 0.1], 37: [4.9, 3.1, 1.5, 0.1]}


def _sklearn():
    try:
        import sklearn.datasets as datasets
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise MissingDependency("the bundled datasets need scikit-learn: "
                                "pip install 'paralens[papers]'") from err
    return datasets


def load_iris(variant: str = "sklearn") -> tuple[np.ndarray, np.ndarray]:
    """The 150 Iris rows (float32 features, int32 labels 0–2), in file order.

    Args:
        variant: ``"sklearn"`` (scikit-learn's corrected copy) or ``"uci"`` (the
            UCI ``iris.data`` the RDA paper used: rows 35 and 38 differ).

    Example:
        >>> x, y = load_iris()
        >>> x.shape, x.dtype.name, y.dtype.name, sorted(set(y.tolist()))
        ((150, 4), 'float32', 'int32', [0, 1, 2])
        >>> (load_iris("uci")[0] != x).any(axis=1).nonzero()[0].tolist()  # 0-based rows
        [34, 37]
    """
    if variant not in ("sklearn", "uci"):
        raise BadObject(f"load_iris: variant must be 'sklearn' or 'uci', got {variant!r}")
    x, y = _sklearn().load_iris(return_X_y=True)
    x = x.copy()
    if variant == "uci":
        for row, values in _UCI_ROWS.items():
            x[row] = values
    return x.astype(np.float32), y.astype(np.int32)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8×8 digits (float32 pixels 0–16, flattened to 64; int32 labels).

    Example:
        >>> x, y = load_digits()
        >>> x.shape, float(x.min()), float(x.max()), y[:5].tolist()
        ((1797, 64), 0.0, 16.0, [0, 1, 2, 3, 4])
    """
    x, y = _sklearn().load_digits(return_X_y=True)
    return x.astype(np.float32), y.astype(np.int32)


_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_at_most(f: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``f``, in chunks: memory follows the data, not ``limit``
    (a buffered ``read(n)`` allocates ``n`` at once, whatever a header claimed)."""
    chunks = []
    while limit > 0:
        chunk = f.read(min(limit, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (MNIST's format; ``.gz`` allowed) into an array.

    Raises:
        BadFile: a missing or unreadable file, a bad magic number, an unknown
            type code, or a size that does not match the header (checked before
            the data is read).

    Example: the header ``00 00 08 01`` (unsigned bytes, one axis), its size, the data.

        >>> import os, tempfile
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = os.path.join(folder.name, "labels.idx")
        >>> with open(path, "wb") as f:
        ...     _ = f.write(bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big") + bytes([7, 2, 1]))
        >>> labels = load_idx(path)
        >>> labels.tolist(), labels.dtype.name
        ([7, 2, 1], 'uint8')
        >>> folder.cleanup()
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0:
                raise BadFile(f"load_idx: {path} is not an IDX file (bad magic number)")
            if head[2] not in _IDX_TYPES:
                raise BadFile(f"load_idx: {path} has unknown type code {head[2]:#x}; expected "
                              f"one of {sorted(hex(t) for t in _IDX_TYPES)}")
            ndim = head[3]
            sizes = f.read(4 * ndim)
            if len(sizes) < 4 * ndim:
                raise BadFile(f"load_idx: {path} is truncated: its header promises {ndim} sizes")
            shape = tuple(int.from_bytes(sizes[4 * i: 4 * i + 4], "big") for i in range(ndim))
            dtype = np.dtype(_IDX_TYPES[head[2]])
            size = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            # checked before the body is read: a header cannot make us allocate
            if opener is open and os.path.getsize(path) != 4 + 4 * ndim + size:
                raise BadFile(f"load_idx: {path} holds {os.path.getsize(path) - 4 - 4 * ndim} "
                              f"bytes of data, header says {shape} of {dtype.itemsize} bytes each")
            body = _read_at_most(f, size + 1)
    except OSError as err:
        if isinstance(err, BadFile):
            raise
        raise BadFile(f"load_idx: cannot read {path}: {err}") from err
    if len(body) != size:
        raise BadFile(f"load_idx: {path} holds {len(body)} bytes of data, header says "
                      f"{shape} of {dtype.itemsize} bytes each")
    return np.frombuffer(body, dtype).reshape(shape).astype(dtype.newbyteorder("="))


def one_hot(labels: Any, classes: int) -> np.ndarray:
    """Float32 one-hot rows; labels must be integers in ``[0, classes)``.

    Example:
        >>> one_hot(np.array([0, 2, 1]), 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    labels = np.asarray(labels)
    hyper.count("one_hot", "classes", classes)
    if not np.issubdtype(labels.dtype, np.integer):
        raise BadPoint(f"one_hot: labels must be integers, got {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise BadPoint(f"one_hot: labels must lie in [0, {classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")
    return np.eye(classes, dtype=np.float32)[labels]


def standardise(x: Any, mean: Any = None, std: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x − mean)/std`` per column (statistics of ``x`` unless given, e.g. the
    training set's for the test set); constant columns are left centred.

    Returns ``(z, mean, std)``.

    Example:
        >>> z, mean, std = standardise(np.array([[1.0, 5.0], [3.0, 5.0]]))
        >>> z.tolist(), mean.tolist(), std.tolist()
        ([[-1.0, 0.0], [1.0, 0.0]], [2.0, 5.0], [1.0, 0.0])
    """
    x = np.asarray(x, np.float32)
    mean = x.mean(axis=0) if mean is None else np.asarray(mean, np.float32)
    std = x.std(axis=0) if std is None else np.asarray(std, np.float32)
    return (x - mean) / np.where(std > 0, std, 1).astype(np.float32), mean, std


def train_test_split(x: Any, y: Any, test_fraction: float, seed: int = 0):
    """Shuffle with ``seed`` and split: ``(x_train, y_train, x_test, y_test)``.

    Example: a fifth of ten examples held out; together the parts are the whole set.

        >>> x, y = np.arange(10.0)[:, None], np.arange(10)
        >>> x_tr, y_tr, x_te, y_te = train_test_split(x, y, 0.2, seed=0)
        >>> x_tr.shape, x_te.shape, sorted(y_tr.tolist() + y_te.tolist()) == list(range(10))
        ((8, 1), (2, 1), True)
    """
    n = check_dataset(x, y)
    if not 0 < test_fraction < 1:
        raise BadHyperparameter(f"train_test_split: test_fraction must be in (0, 1), got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    cut = n - int(round(n * test_fraction))
    train, test = order[:cut], order[cut:]
    return np.asarray(x)[train], np.asarray(y)[train], np.asarray(x)[test], np.asarray(y)[test]


def check_dataset(x: Any, y: Any, classes: int | None = None) -> int:
    """The number of examples, after checking lengths, finiteness and label range.

    Example:
        >>> check_dataset(np.zeros((4, 2)), np.array([0, 1, 2, 1]), classes=3)
        4
        >>> check_dataset(np.zeros((4, 2)), np.array([0, 1, 3, 1]), classes=3)
        Traceback (most recent call last):
        ...
        categories._errors.BadPoint: dataset: labels must lie in [0, 3), got range [0, 3]
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise BadPoint(f"dataset: x has {x.shape[0]} examples but y has {y.shape[0]}")
    for name, v in (("x", x), ("y", y)):
        if np.issubdtype(v.dtype, np.floating) and not np.all(np.isfinite(v)):
            raise BadPoint(f"dataset: {name} contains NaN or Inf")
    if classes is not None and np.issubdtype(y.dtype, np.integer) and y.size and (
            y.min() < 0 or y.max() >= classes):
        raise BadPoint(f"dataset: labels must lie in [0, {classes}), got range "
                         f"[{y.min()}, {y.max()}]")
    return int(x.shape[0])
