"""Checkpoints: bit-exact, pickle-free round trips, exact resumption, clear mismatch errors."""

import gc
import os
import re
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learners
from categories import ArrayType, layers, smooth
from learners import AdamState, LearnerState, load, save
from learners.data import load_iris, one_hot


def _f32(shape):
    return hnp.arrays(np.float32, shape, elements=st.floats(width=32))  # NaN and ±inf too


@st.composite
def states(draw):
    """A LearnerState with tuple-of-dicts parameters, an AdamState and an int32 step."""
    params = ({"weight": draw(_f32((3, 4))), "bias": draw(_f32((3,)))},
              {"scale": draw(_f32(())), "table": draw(hnp.arrays(np.int32, (2, 2)))})
    mu, nu = (jax.tree.map(lambda v: draw(hnp.arrays(v.dtype, v.shape)), params) for _ in "mn")
    count = np.int32(draw(st.integers(0, 2**31 - 1)))
    state = LearnerState(params, AdamState(count, mu, nu), np.int32(draw(st.integers(0, 10**6))))
    return jax.tree.map(jnp.asarray, state)


def _bits_equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _assert_same(got, want):
    assert jax.tree.structure(got) == jax.tree.structure(want)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        assert _bits_equal(a, b), (a, b)


@given(state=states())
def test_round_trip_is_bit_exact(state):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ckpt.npz")
        save(path, state)
        like = jax.tree.map(jnp.zeros_like, state)
        got = load(path, like=like)
        with np.load(path, allow_pickle=False) as data:  # no pickle anywhere in the file
            assert all(data[k].dtype != object for k in data.files)
    assert isinstance(got, LearnerState) and isinstance(got.opt_state, AdamState)
    assert isinstance(got.params, tuple) and isinstance(got.params[0], dict)
    assert got.step.dtype == jnp.int32 and got.params[1]["table"].dtype == jnp.int32
    _assert_same(got, state)
    np.testing.assert_array_equal(got.params[0]["weight"], state.params[0]["weight"])


@pytest.mark.parametrize("dtype", ["float64", "int64", "uint8", "bool", "int8", "float16"])
def test_round_trip_preserves_other_dtypes(tmp_path, dtype):
    with jax.enable_x64(True):
        state = {"a": jnp.asarray(np.arange(6).reshape(2, 3) % 2, dtype)}
        save(tmp_path / "c.npz", state)
        got = load(tmp_path / "c.npz", like=state)
        assert got["a"].dtype == np.dtype(dtype)
        _assert_same(got, state)


def test_round_trip_bfloat16(tmp_path):
    # ArrayType knows bfloat16 (it prints as bf16), so a checkpoint must hold it too
    state = LearnerState({"w": jnp.asarray([1.5, -2.0, 3.0], jnp.bfloat16)}, (), jnp.int32(3))
    save(tmp_path / "c.npz", state)
    _assert_same(load(tmp_path / "c.npz", like=state), state)


def test_save_then_load_with_the_same_path_without_npz_suffix(tmp_path):
    state = LearnerState({"w": jnp.arange(3.0)}, (), jnp.int32(7))
    path = str(tmp_path / "checkpoint")  # np.savez would append ".npz" to this
    save(path, state)
    assert os.listdir(tmp_path) == ["checkpoint"]
    _assert_same(load(path, like=state), state)


# -- resuming --------------------------------------------------------------------------

CONFIGS = {"adam-batch10": (lambda: learners.adam(1e-2), None, 10),
           "gradient-descent-single": (learners.gradient, learners.descent(0.01), None),
           "sgd-batch32-partial-batch-masked": (lambda: learners.sgd(0.1), None, 32)}


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_resume_from_checkpoint_is_exact(tmp_path, config):
    optimiser, rate, batch_size = CONFIGS[config]
    model = layers.dense(4, 3, smooth.sigmoid)
    learner = learners.supervised(model, learners.quadratic(ArrayType((3,))), optimiser(), rate,
                                  batch_size=batch_size)
    x, labels = load_iris()
    y = one_hot(labels, 3)
    key, init = jax.random.key(42), learner.init(model.init(jax.random.key(0)))

    def run(state, epochs):
        return learners.fit(learner, state, x, y, epochs=epochs, key=key, progress=False)

    whole, history = run(init, 6)
    half, first = run(init, 3)
    save(tmp_path / "half.npz", half)
    like = learner.init(model.init(jax.random.key(99)))  # any values: only the structure counts
    resumed, second = run(load(tmp_path / "half.npz", like=like), 3)

    steps = -(-150 // (batch_size or 1))
    assert int(whole.step) == int(resumed.step) == 6 * steps
    _assert_same(resumed, whole)
    for a, b in zip(jax.tree.leaves(resumed.params), jax.tree.leaves(whole.params)):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    assert first["loss"] == history["loss"][:3]
    assert second["loss"] == history["loss"][3:]
    assert history["loss"][-1] < history["loss"][0]  # it did train


# -- mismatches are named ----------------------------------------------------------

STATE = LearnerState(({"w": jnp.zeros((2, 3))}, {"b": jnp.zeros(3)}),
                     AdamState(jnp.int32(0), {"m": jnp.zeros(2)}, {"v": jnp.zeros(2)}),
                     jnp.int32(5))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "state.npz"
    save(path, STATE)
    return path


def _with(**params):
    return STATE._replace(params=({"w": jnp.zeros((2, 3)), **params.pop("first", {})},
                                  params.get("second", {"b": jnp.zeros(3)})))


@pytest.mark.parametrize("like, messages", [
    (_with(first={"extra": jnp.zeros(1)}), [r"missing \.params\[0\]\['extra'\]"]),
    (_with(second={}), [r"unexpected \.params\[1\]\['b'\]"]),
    (_with(second={"c": jnp.zeros(3)}),
     [r"missing \.params\[1\]\['c'\]", r"unexpected \.params\[1\]\['b'\]"]),
    (_with(second={"b": jnp.zeros(4)}),
     [r"\.params\[1\]\['b'\]: stored float32\[3\], expected float32\[4\]"]),
    (_with(second={"b": jnp.zeros((3, 1))}),
     [r"\.params\[1\]\['b'\]: stored float32\[3\], expected float32\[3, 1\]"]),
    (STATE._replace(step=jnp.float32(5)), [r"\.step: stored int32\[\], expected float32\[\]"]),
    (_with(second={"b": jnp.zeros(3, jnp.int32)}),
     [r"\.params\[1\]\['b'\]: stored float32\[3\], expected int32\[3\]"]),
], ids=["missing", "unexpected", "renamed", "shape", "rank", "dtype-step", "dtype-param"])
def test_mismatch_is_named(saved, like, messages):
    with pytest.raises(ValueError, match="does not match the state") as info:
        load(saved, like=like)
    for message in messages:
        assert re.search(message, str(info.value)), str(info.value)
    assert str(saved) in str(info.value)


def test_exact_template_loads(saved):
    _assert_same(load(saved, like=STATE), STATE)


def test_not_a_checkpoint(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, w=np.zeros(3))
    with pytest.raises(ValueError, match=r"other\.npz is not a paralens-checkpoint-v1 file"):
        load(other, like={"w": jnp.zeros(3)})
    versioned = tmp_path / "v0.npz"
    np.savez(versioned, __format__=np.array("paralens-checkpoint-v0"), w=np.zeros(3))
    with pytest.raises(ValueError, match="is not a paralens-checkpoint-v1 file"):
        load(versioned, like={"w": jnp.zeros(3)})


@pytest.mark.parametrize("content", [b"garbage, not a zip", b"", b"PK\x03\x04broken"],
                         ids=["text", "empty", "broken-zip"])
def test_garbage_file(tmp_path, content):
    path = tmp_path / "garbage.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"garbage\.npz is not a readable checkpoint"):
        load(path, like=STATE)
    gc.collect()  # a file handle left open by the failed read would warn (an error) here


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, __format__=np.array("paralens-checkpoint-v1"),
             **{".step": np.array([{"evil": 1}], dtype=object)})
    with pytest.raises(ValueError, match="is not a readable checkpoint"):
        load(path, like={"step": jnp.int32(0)})


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="nowhere.npz is not a readable checkpoint"):
        load(tmp_path / "nowhere.npz", like=STATE)
