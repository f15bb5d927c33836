"""learners.data: bundled datasets, IDX files, and the small helpers (theory.md §4.4)."""

import gzip
import os
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learners
from categories import ArrayType, BadFile, layers
from learners.data import (check_dataset, load_digits, load_idx, load_iris, one_hot,
                           standardise, train_test_split)

# -- Iris and digits -----------------------------------------------------------------


@pytest.mark.parametrize("variant", ["sklearn", "uci"])
def test_load_iris_shapes_and_types(variant):
    x, y = load_iris(variant)
    assert x.shape == (150, 4) and x.dtype == np.float32
    assert y.shape == (150,) and y.dtype == np.int32
    assert set(np.unique(y).tolist()) == {0, 1, 2}
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_array_equal(y, np.repeat(np.arange(3, dtype=np.int32), 50))  # file order
    np.testing.assert_array_equal(x[0], np.float32([5.1, 3.5, 1.4, 0.2]))


def test_iris_variants_differ_in_exactly_two_rows():
    xs, ys = load_iris("sklearn")
    xu, yu = load_iris("uci")
    np.testing.assert_array_equal(ys, yu)
    assert np.flatnonzero((xs != xu).any(axis=1)).tolist() == [34, 37]
    # theory.md §4.4: rows 35 and 38 (1-based)
    np.testing.assert_array_equal(xs[34], np.float32([4.9, 3.1, 1.5, 0.2]))
    np.testing.assert_array_equal(xu[34], np.float32([4.9, 3.1, 1.5, 0.1]))
    np.testing.assert_array_equal(xs[37], np.float32([4.9, 3.6, 1.4, 0.1]))
    np.testing.assert_array_equal(xu[37], np.float32([4.9, 3.1, 1.5, 0.1]))
    np.testing.assert_array_equal(load_iris()[0], xs)  # default sklearn, untouched by "uci"


def test_load_iris_rejects_unknown_variant():
    with pytest.raises(ValueError, match="variant must be 'sklearn' or 'uci', got 'UCI'"):
        load_iris("UCI")


def test_load_digits():
    x, y = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int32
    assert x.min() == 0 and x.max() == 16 and set(y.tolist()) == set(range(10))


# -- IDX -----------------------------------------------------------------------------

CODES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32,
         0x0D: np.float32, 0x0E: np.float64}


def _idx_bytes(array, code):
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.dtype(CODES[code]).newbyteorder(">")).tobytes()


def _write(directory, name, payload):
    path = os.path.join(directory, name)
    with (gzip.open if name.endswith(".gz") else open)(path, "wb") as f:
        f.write(payload)
    return path


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("code", sorted(CODES), ids=hex)
@given(data=st.data())
def test_load_idx_round_trips_exactly(code, gz, data):
    dtype = np.dtype(CODES[code])
    floats = st.floats(allow_nan=False, width=8 * dtype.itemsize) if dtype.kind == "f" else None
    array = data.draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                                 elements=floats))
    with tempfile.TemporaryDirectory() as d:
        got = load_idx(_write(d, "a.idx" + (".gz" if gz else ""), _idx_bytes(array, code)))
    assert got.dtype == dtype and got.dtype.isnative and got.shape == array.shape
    assert got.tobytes() == array.tobytes()


def test_load_idx_mnist_like_images_and_labels(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([7, 2], np.uint8)
    got_images = load_idx(_write(str(tmp_path), "images-idx3-ubyte.gz", _idx_bytes(images, 8)))
    got_labels = load_idx(_write(str(tmp_path), "labels-idx1-ubyte", _idx_bytes(labels, 8)))
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    assert got_images.dtype == got_labels.dtype == np.uint8
    # hand-written bytes: a float32 (0x0D) vector [1.0, -2.5], big-endian
    raw = bytes([0, 0, 0x0D, 1, 0, 0, 0, 2]) + bytes.fromhex("3f800000c0200000")
    got = load_idx(_write(str(tmp_path), "f.idx", raw))
    assert got.dtype == np.float32 and got.tolist() == [1.0, -2.5]


@pytest.mark.parametrize("payload, message", [
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "not an IDX file \\(bad magic number\\)"),
    (b"\x00\x07\x08\x01\x00\x00\x00\x01\x05", "not an IDX file \\(bad magic number\\)"),
    (b"\x00\x00", "not an IDX file \\(bad magic number\\)"),
    (b"", "not an IDX file \\(bad magic number\\)"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x05", "unknown type code 0xa"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(5),
     "holds 5 bytes of data, header says \\(2, 3\\) of 1 bytes each"),
    (b"\x00\x00\x0c\x01\x00\x00\x00\x02" + bytes(7), "holds 7 bytes .*\\(2,\\) of 4 bytes"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02" + bytes(3), "holds 3 bytes"),  # trailing junk
], ids=["magic0", "magic1", "short", "empty", "type", "truncated", "truncated-i4", "extra"])
def test_load_idx_rejects_malformed_files(tmp_path, payload, message):
    path = _write(str(tmp_path), "bad.idx", payload)
    with pytest.raises(BadFile, match=f"load_idx: .*bad.idx.*{message}"):
        load_idx(path)


@pytest.mark.parametrize("payload", [b"\x00\x00\x08\x03", b"\x00\x00\x08\x02\x00\x00\x00\x02\x00"],
                         ids=["no-dims", "half-dims"])
def test_load_idx_rejects_truncated_header(tmp_path, payload):
    # the header promises more dimension sizes than the file holds
    with pytest.raises(BadFile, match="load_idx.*truncated"):
        load_idx(_write(str(tmp_path), "short.idx", payload))


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_load_idx_refuses_a_huge_header_before_allocating(tmp_path, gz):
    # three sizes of 2³² − 1: 8e28 bytes declared, 5 held; the sizes' product would
    # overflow int64, and reading the declared size would exhaust memory
    payload = b"\x00\x00\x08\x03" + b"\xff" * 12 + bytes(5)
    path = _write(str(tmp_path), "huge.idx" + (".gz" if gz else ""), payload)
    with pytest.raises(BadFile, match=r"holds 5 bytes of data, header says \(4294967295, "):
        load_idx(path)


def test_load_idx_missing_file_is_a_bad_file(tmp_path):
    with pytest.raises(BadFile, match="cannot read .*nope.idx"):
        load_idx(str(tmp_path / "nope.idx"))


# -- one_hot, standardise, split, check ------------------------------------------


@given(labels=hnp.arrays(np.int32, st.integers(0, 20), elements=st.integers(0, 4)))
def test_one_hot_values(labels):
    out = one_hot(labels, 5)
    assert out.shape == (labels.shape[0], 5) and out.dtype == np.float32
    np.testing.assert_array_equal(out.sum(axis=1), np.ones(labels.shape[0], np.float32))
    if labels.size:
        np.testing.assert_array_equal(out.argmax(axis=1), labels)
    np.testing.assert_array_equal(out, (labels[:, None] == np.arange(5)).astype(np.float32))


def test_one_hot_errors():
    with pytest.raises(ValueError, match="labels must be integers, got float64"):
        one_hot(np.array([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\), got range \[0, 3\]"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\), got range \[-1, 2\]"):
        one_hot(np.array([-1, 2]), 3)


@given(x=hnp.arrays(np.float32, st.tuples(st.integers(2, 30), st.integers(1, 5)),
                    elements=st.floats(-100, 100, width=32)))
def test_standardise_train_statistics(x):
    x = x.copy()
    x[:, 0] = 3.5  # a constant column
    z, mean, std = standardise(x)
    assert z.dtype == mean.dtype == std.dtype == np.float32
    np.testing.assert_allclose(mean, x.astype(np.float64).mean(axis=0), rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(z[:, 0], np.zeros(len(x), np.float32))  # left centred
    varied = x.std(axis=0) > 1e-2 * np.maximum(1, np.abs(x).max(axis=0))
    np.testing.assert_allclose(z.mean(axis=0)[varied], 0, atol=1e-4)
    np.testing.assert_allclose(z.std(axis=0)[varied], 1, rtol=1e-3)


def test_standardise_reuses_train_statistics_on_test():
    train = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]], np.float32)
    test = np.array([[2.0, 7.0], [6.0, 5.0]], np.float32)
    _, mean, std = standardise(train)
    z, mean2, std2 = standardise(test, mean, std)
    np.testing.assert_array_equal(mean2, mean)
    np.testing.assert_array_equal(std2, std)
    s = np.float32(np.sqrt(8 / 3))
    np.testing.assert_allclose(z, np.array([[0.0, 2.0], [4 / s, 0.0]], np.float32), rtol=1e-6)


@given(n=st.integers(4, 60), fraction=st.floats(0.1, 0.9), seed=st.integers(0, 2**31 - 1))
def test_train_test_split(n, fraction, seed):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n, dtype=np.int32)
    xtr, ytr, xte, yte = train_test_split(x, y, fraction, seed)
    assert len(yte) == int(round(n * fraction)) and len(ytr) + len(yte) == n
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yte])), y)  # disjoint, covering
    np.testing.assert_array_equal(xtr[:, 0], 2 * ytr)  # rows stay paired
    np.testing.assert_array_equal(xte[:, 1], 2 * yte + 1)
    again = train_test_split(x, y, fraction, seed)
    for a, b in zip((xtr, ytr, xte, yte), again):
        np.testing.assert_array_equal(a, b)


def test_train_test_split_seed_matters_and_fraction_checked():
    x, y = load_iris()
    assert not np.array_equal(train_test_split(x, y, 0.2, 0)[3], train_test_split(x, y, 0.2, 1)[3])
    for bad in (0, 1, -0.5, 1.5):
        with pytest.raises(ValueError, match=f"test_fraction must be in \\(0, 1\\), got {bad}"):
            train_test_split(x, y, bad)
    with pytest.raises(ValueError, match="x has 150 examples but y has 149"):
        train_test_split(x, y[:-1], 0.2)


def test_check_dataset():
    x, y = np.zeros((5, 2), np.float32), np.array([0, 1, 2, 1, 0], np.int32)
    assert check_dataset(x, y) == 5 and check_dataset(x, y, classes=3) == 5
    with pytest.raises(ValueError, match="x has 5 examples but y has 4"):
        check_dataset(x, y[:4])
    for bad in (np.nan, np.inf, -np.inf):
        xb = x.copy()
        xb[2, 1] = bad
        with pytest.raises(ValueError, match="x contains NaN or Inf"):
            check_dataset(xb, y)
    with pytest.raises(ValueError, match="y contains NaN or Inf"):
        check_dataset(x, np.array([0.0, 1.0, np.nan, 0.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\), got range \[0, 2\]"):
        check_dataset(x, y, classes=2)
    with pytest.raises(ValueError, match=r"got range \[-1, 2\]"):
        check_dataset(x, np.array([0, -1, 2, 1, 0]), classes=3)


# -- fit checks its data -------------------------------------------------------------


def _learner():
    model = layers.dense(4, 3)
    learner = learners.supervised(model, learners.quadratic(ArrayType((3,))), learners.gradient(),
                                  learners.descent(0.01), batch_size=5)
    return learner, learner.init(model.init(jax.random.key(0)))


def test_fit_rejects_bad_data():
    learner, state = _learner()
    x, y = load_iris()
    t = one_hot(y, 3)
    with pytest.raises(ValueError, match=r"the data sets must have the same number of examples, "
                                         r"got 149 inputs and 150 targets"):
        learners.fit(learner, state, x[:-1], t, epochs=1, key=jax.random.key(0), progress=False)
    for name, (xb, tb) in {"x": (x.copy(), t), "y": (x, t.copy())}.items():
        (xb if name == "x" else tb)[3, 1] = np.nan
        with pytest.raises(ValueError, match=f"fit: {name} contains NaN or Inf"):
            learners.fit(learner, state, xb, tb, epochs=1, key=jax.random.key(0), progress=False)
    with pytest.raises(ValueError, match="fit: 4 examples cannot fill one batch of 5"):
        learners.fit(learner, state, x[:4], t[:4], epochs=1, key=jax.random.key(0),
                     progress=False, drop_remainder=True)
    _, history = learners.fit(learner, state, jnp.asarray(x), jnp.asarray(t), epochs=1,
                              key=jax.random.key(0), progress=False)  # good data trains
    assert np.isfinite(history["loss"][0])
