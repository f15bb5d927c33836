"""Checkpoints: bit-exact, pickle-free round trips, exact resumption, clear mismatch errors."""

import errno
import gc
import io
import os
import re
import stat
import tempfile
import tracemalloc
import zipfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learners
import learners._checkpoint as checkpoint
from categories import ArrayType, BadPoint, layers, smooth
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


def test_files_written_before_atomic_saves_load(tmp_path):
    # save's file format is unchanged: the .npz np.savez wrote in place, bfloat16 as raw bits
    state = {"w": jnp.arange(3.0), "b": jnp.asarray([1.5, -2.0], jnp.bfloat16)}
    with open(tmp_path / "old.npz", "wb") as f:
        np.savez(f, __format__=np.array("paralens-checkpoint-v1"),
                 __keys__=np.array(["['b']", "['w']"]),
                 __dtypes__=np.array(["bfloat16", "float32"]),
                 **{"['b']": np.asarray(state["b"]).view("u2"), "['w']": np.asarray(state["w"])})
    _assert_same(load(tmp_path / "old.npz", like=state), state)


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


# -- saving is atomic --------------------------------------------------------------

class _FailingFile:
    """A file that takes ``room`` more bytes, then raises ``error`` (a full disk, an interrupt)."""

    def __init__(self, f, room, error):
        self.f, self.room, self.error = f, room, error

    def write(self, data):
        if len(data) > self.room:
            self.f.write(bytes(data)[:self.room])  # the disk fills in the middle of a write
            self.room = 0
            raise self.error
        self.room -= len(data)
        return self.f.write(data)

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def _fail_writes_after(monkeypatch, room, error):
    # only the checkpoint module's own files fail: it opens them with the builtin open
    monkeypatch.setattr(checkpoint, "open", lambda file, mode: _FailingFile(open(file, mode), room,
                                                                            error), raising=False)


def _boom(error):
    def fail(*args):
        raise error
    return fail


FULL = OSError(errno.ENOSPC, "No space left on device")
FAULTS = {**{f"disk-full-after-{room}-bytes":
                 (lambda mp, room=room: _fail_writes_after(mp, room, FULL))
             for room in (0, 100, 700, 1500)},
          "disk-full-at-fsync": lambda mp: mp.setattr(os, "fsync", _boom(FULL)),
          "rename-fails": lambda mp: mp.setattr(os, "replace", _boom(FULL)),
          "interrupted-mid-write": lambda mp: _fail_writes_after(mp, 700, KeyboardInterrupt())}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_failed_save_keeps_the_previous_checkpoint(saved, monkeypatch, fault):
    before = saved.read_bytes()
    FAULTS[fault](monkeypatch)
    newer = STATE._replace(step=jnp.int32(6), params=({"w": jnp.ones((2, 3))}, {"b": jnp.ones(3)}))
    with pytest.raises((OSError, KeyboardInterrupt)) as info:
        save(saved, newer)
    monkeypatch.undo()
    assert info.type is KeyboardInterrupt or info.value.errno == errno.ENOSPC
    assert os.listdir(saved.parent) == [saved.name]  # no temporary file left behind
    assert saved.read_bytes() == before
    _assert_same(load(saved, like=STATE), STATE)


@pytest.mark.parametrize("fault", ["disk-full-after-100-bytes", "interrupted-mid-write"])
def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch, fault):
    FAULTS[fault](monkeypatch)
    with pytest.raises((OSError, KeyboardInterrupt)):
        save(tmp_path / "state.npz", STATE)
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="folders are synced and umasks apply on POSIX")
def test_save_syncs_the_file_then_its_folder_and_honours_the_umask(tmp_path, monkeypatch):
    synced, fsync = [], os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.fstat(fd).st_mode), fsync(fd))[1])
    save(tmp_path / "state.npz", STATE)
    assert [stat.S_ISDIR(mode) for mode in synced] == [False, True]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "state.npz").st_mode) == 0o666 & ~umask


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_save_through_a_symlink_replaces_its_target(saved):
    link = saved.parent / "latest.npz"
    link.symlink_to(saved.name)
    newer = STATE._replace(step=jnp.int32(6))
    save(link, newer)
    assert link.is_symlink()
    _assert_same(load(saved, like=STATE), newer)


# -- only numbers are saved -------------------------------------------------------

@pytest.mark.parametrize("leaf, described", [
    (np.array([{"evil": 1}], dtype=object), "type ndarray, dtype object"),
    (object(), "type object, dtype object"),
    ("adam", "type str, dtype <U4"),
    (np.array(["a", "bc"]), "type ndarray, dtype <U2"),
    (np.zeros(2, [("x", "f4")]), "type ndarray, dtype [('x', '<f4')]"),
    (np.zeros(2, "V8"), "type ndarray, dtype |V8"),
    (np.datetime64(1, "s"), "type datetime64, dtype datetime64[s]"),
], ids=["object-array", "object", "str", "str-array", "record", "bytes", "datetime"])
def test_non_numeric_leaves_are_refused_before_writing(saved, monkeypatch, leaf, described):
    before = saved.read_bytes()
    monkeypatch.setattr(checkpoint, "open", _boom(AssertionError("a file was opened")),
                        raising=False)
    bad = STATE._replace(params=({"w": jnp.zeros((2, 3)), "name": leaf}, {"b": jnp.zeros(3)}))
    for path in saved, saved.parent / "new.npz":
        with pytest.raises(BadPoint, match=re.escape(f"leaf .params[0]['name'] ({described}) is "
                                                     f"not a numeric or bool array")) as info:
            save(path, bad)
        assert str(path) in str(info.value)
    assert os.listdir(saved.parent) == [saved.name]
    assert saved.read_bytes() == before


# -- loading checks headers before it reads ------------------------------------------

def _npy(shape, dtype, data=b"", fortran=False):
    """An ``.npy`` whose header declares ``shape`` and ``dtype``, followed by ``data`` only."""
    f = io.BytesIO()
    np.lib.format.write_array_header_2_0(f, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                             "fortran_order": fortran, "shape": shape})
    return f.getvalue() + data


def _checkpoint_zip(path, leaves, compression=zipfile.ZIP_STORED):
    """A checkpoint written by hand: ``leaves`` maps tree paths to ``.npy`` bytes."""
    dtypes = [np.lib.format.read_array_header_2_0(io.BytesIO(blob[8:]))[2].name
              for blob in leaves.values()]
    meta = {"__format__": np.array("paralens-checkpoint-v1"), "__keys__": np.array(list(leaves)),
            "__dtypes__": np.array(dtypes)}
    with zipfile.ZipFile(path, "w", compression) as z:
        for key, array in meta.items():
            with z.open(f"{key}.npy", "w") as f:
                np.save(f, array)
        for key, blob in leaves.items():
            z.writestr(f"{key}.npy", blob)


def _rezip(path, compression=zipfile.ZIP_STORED, **changes):
    """Rewrite the zip ``path`` compressed by ``compression``, members replaced by ``changes``."""
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    members.update({f"{key}.npy": blob for key, blob in changes.items()})
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, blob in members.items():
            z.writestr(name, blob)


def _refused_cheaply(path, like, message):
    """``load`` refuses ``path`` with ``message`` while tracing under 1 MiB of new memory."""
    tracemalloc.start()
    try:
        with pytest.raises(BadPoint, match=message):
            load(path, like=like)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, peak


@pytest.mark.parametrize("shape", [(10**12,), (2**27,)], ids=["8TB", "1GiB"])
def test_huge_declared_shape_is_refused_without_allocating(tmp_path, shape):
    path = tmp_path / "huge.npz"
    _checkpoint_zip(path, {"['w']": _npy(shape, "<f8", bytes(64))})
    _refused_cheaply(path, {"w": np.zeros(3)}, re.escape(
        f"{path} does not match the state: ['w']: stored float64[{shape[0]}], expected float64[3]"))


def test_compressed_bomb_is_refused_without_allocating(tmp_path):
    path = tmp_path / "bomb.npz"  # under 128 KiB on disk, 64 MiB of float64 zeros inflated
    _checkpoint_zip(path, {"['w']": _npy((2**23,), "<f8", bytes(2**26))}, zipfile.ZIP_DEFLATED)
    assert os.path.getsize(path) < 2**17
    _refused_cheaply(path, {"w": np.zeros(3)}, re.escape("stored float64[8388608], expected"))


def test_huge_declared_metadata_is_refused_without_allocating(tmp_path):
    path = tmp_path / "keys.npz"
    save(path, {"w": np.zeros(3)})
    _rezip(path, __keys__=_npy((10**9,), "<U100"))
    _refused_cheaply(path, {"w": np.zeros(3)}, re.escape(
        f"{path} is not a readable checkpoint (__keys__ is not 1 names of at most 5 characters)"))


@pytest.mark.parametrize("stored, expected", [((4,), "<f8"), ((3,), "<i4"), ((3, 1), "<f8")],
                         ids=["shape", "dtype", "rank"])
def test_mismatch_is_refused_before_reading_any_data(tmp_path, stored, expected):
    path = tmp_path / "state.npz"  # headers only: reading any data would fail
    _checkpoint_zip(path, {"['a']": _npy((3,), "<f8"), "['b']": _npy(stored, expected)})
    like = {"a": np.zeros(3), "b": np.zeros(3)}
    got = f"{np.dtype(expected).name}{list(stored)}"
    with pytest.raises(BadPoint, match=re.escape(f"does not match the state: ['b']: stored {got}, "
                                                 f"expected float64[3]")) as info:
        load(path, like=like)
    assert "['a']" not in str(info.value)
    like["b"] = np.zeros(stored, expected)  # now the headers agree, and the missing data shows
    with pytest.raises(BadPoint, match=re.escape(
            f"{path} is not a readable checkpoint (['a'].npy does not hold exactly the 24 bytes")):
        load(path, like=like)


@pytest.mark.parametrize("data", [bytes(23), bytes(25)], ids=["short", "long"])
def test_data_must_fill_exactly_what_the_header_declares(tmp_path, data):
    path = tmp_path / "state.npz"
    _checkpoint_zip(path, {"['a']": _npy((3,), "<f8", data)})
    with pytest.raises(BadPoint, match=re.escape(f"{path} is not a readable checkpoint (['a'].npy "
                                                 f"does not hold exactly the 24 bytes")):
        load(path, like={"a": np.zeros(3)})


def test_header_changed_after_the_check_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "state.npz"
    _checkpoint_zip(path, {"['w']": _npy((2**27,), "<f8")})
    headers = checkpoint._headers  # below: what the check saw before the file was rewritten
    monkeypatch.setattr(checkpoint, "_headers",
                        lambda z: {**headers(z), "['w']": ((3,), False, np.dtype("<f8"))})
    _refused_cheaply(path, {"w": np.zeros(3)}, re.escape(
        f"{path} is not a readable checkpoint (['w'].npy changed while it was read)"))


def test_fortran_order_arrays_load(tmp_path):
    path = tmp_path / "fortran.npz"
    want = np.arange(6.0).reshape(2, 3)
    _checkpoint_zip(path, {"['w']": _npy((2, 3), "<f8", want.T.tobytes(), fortran=True)})
    np.testing.assert_array_equal(load(path, like={"w": np.zeros((2, 3))})["w"], want)


def test_template_of_shapes_only(saved):
    _assert_same(load(saved, like=jax.eval_shape(lambda: STATE)), STATE)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED],
                         ids=["as-saved", "deflated"])
def test_damaged_files_are_refused_or_exact(tmp_path, compression):
    """Cut short at every length or with any one byte flipped: a typed error naming the file,
    or (where the zip's bookkeeping alone changed) the very same values."""
    state = {"w": jnp.arange(3.0), "b": jnp.asarray([1.5, -2.0], jnp.bfloat16)}
    path, damaged = tmp_path / "good.npz", tmp_path / "damaged.npz"
    save(path, state)
    _rezip(path, compression)
    good = path.read_bytes()
    for i in range(len(good)):
        for blob in good[:i], good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1:]:
            damaged.write_bytes(blob)
            try:
                got = load(damaged, like=state)
            except BadPoint as err:
                assert str(damaged) in str(err)
                assert len(blob) == len(good) or "is not a readable checkpoint" in str(err)
            else:
                assert len(blob) == len(good)
                _assert_same(got, state)


def test_pickled_member_is_refused_by_its_header(tmp_path):
    path = tmp_path / "pickled.npz"
    _checkpoint_zip(path, {"['w']": _npy((1,), object, b"a pickle would follow")})
    with pytest.raises(BadPoint, match=re.escape(f"{path} is not a readable checkpoint (['w'].npy "
                                                 f"holds pickled Python objects")):
        load(path, like={"w": np.zeros(1)})


def test_encrypted_member_is_refused(saved):
    blob = bytearray(saved.read_bytes())
    for signature, flags in (b"PK\x03\x04", 6), (b"PK\x01\x02", 8):  # local, central headers
        for at in [m.start() for m in re.finditer(re.escape(signature), bytes(blob))]:
            blob[at + flags] |= 0x1  # "encrypted"
    saved.write_bytes(bytes(blob))
    with pytest.raises(BadPoint, match=r"state\.npz is not a readable checkpoint \(__format__\.npy "
                                       r"is not a plain \.npy member\)"):
        load(saved, like=STATE)
