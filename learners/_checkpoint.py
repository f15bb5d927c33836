"""Checkpoints without pickle: a ``.npz`` of the state's leaves keyed by tree path.

Loading needs a template state of the same structure (``learner.init(...)``);
every leaf must match it in path, shape and dtype, and the values come back
bit for bit. Saving is atomic: a failed or interrupted save leaves the previous
checkpoint as it was. Loading checks every array's declared shape and dtype
against the template before reading any data, so no file, however damaged or
hostile, makes it allocate more than the template implies. A sharded state is
gathered on save and laid out again, like its template, on load.

Example:
    >>> import os, tempfile, jax.numpy as jnp
    >>> from learners import LearnerState
    >>> state = LearnerState({"w": jnp.arange(3.0)}, (), jnp.asarray(7))
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> save(path, state)
    >>> load(path, like=state).params["w"].tolist()
    [0.0, 1.0, 2.0]
    >>> save(path, {"name": "adam"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    categories._errors.BadPoint: save: leaf ['name'] (type str, dtype <U4) is not a numeric or ...
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import zipfile
import zlib
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from categories import BadFile, BadPoint

__all__ = ["save", "load"]

_FORMAT = "paralens-checkpoint-v1"
_DTYPE_NAME_WIDTH = 64  # characters: more than any dtype's name, so a bound on ``__dtypes__``
# What a damaged file raises while it is read: the zip structure, a deflate stream, an
# ``.npy`` header (unsupported compression methods raise NotImplementedError).
_UNREADABLE = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError)
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}

_Header = tuple[tuple[int, ...], bool, np.dtype]  # shape, Fortran order, dtype of an ``.npy``


def _flat(tree: Any) -> dict[str, Any]:
    leaves, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {jax.tree_util.keystr(path): leaf for path, leaf in leaves}


def _stored(dtype: np.dtype) -> np.dtype:
    """How ``dtype`` is written: itself, or raw unsigned integers for ml_dtypes' (``bfloat16``)."""
    return np.dtype(f"u{dtype.itemsize}") if dtype.kind == "V" else dtype


def _numeric(dtype: np.dtype) -> bool:
    # ml_dtypes' numbers (bfloat16, float8_*, int4) are kind "V", but neither records nor raw bytes
    return dtype.kind in "biufc" or (dtype.kind == "V" and dtype.names is None
                                     and dtype.type is not np.void)


def save(path: str | os.PathLike, state: Any) -> None:
    """Write every leaf of ``state`` (any pytree) to ``path`` (exactly that name) as ``.npz``.

    The file is written under a temporary name in the same folder, synced to disk and
    renamed onto ``path``, so a failure (a full disk, an interrupt) leaves the previous
    checkpoint untouched and no temporary file behind. Dtypes numpy cannot store natively
    (``bfloat16``) are stored as raw unsigned integers of the same width and their names
    kept, so they come back bit for bit.

    Raises:
        BadPoint: a leaf is not a numeric or bool array (a string, an object array, any
            other Python object: only pickle could store it), named by its tree path and
            type; nothing is written.

    Example:
        >>> import os, tempfile, jax.numpy as jnp
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = os.path.join(folder.name, "state.npz")
        >>> save(path, {"w": jnp.arange(3.0), "step": jnp.asarray(7)})
        >>> os.listdir(folder.name)  # no temporary file is left behind
        ['state.npz']
        >>> folder.cleanup()
    """
    arrays, dtypes = {}, {}
    for k, leaf in _flat(state).items():
        v = np.asarray(_gathered(leaf))
        if not _numeric(v.dtype):
            raise BadPoint(f"save: leaf {k} (type {type(leaf).__name__}, dtype {v.dtype}) is not a "
                           f"numeric or bool array; nothing was written to {os.fspath(path)}")
        dtypes[k] = v.dtype.name
        arrays[k] = v.view(_stored(v.dtype))
    target = os.path.realpath(path)  # a symlinked checkpoint is replaced where it points
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:
        f = open(temporary, "xb")  # not mkstemp: its mode 0600 would ignore the umask
    except OSError as err:
        raise BadFile(f"save: cannot write a checkpoint into {folder} ({err.strerror or err}); "
                      f"nothing was written to {os.fspath(path)}") from err
    try:
        with f:
            np.savez(f, __format__=np.array(_FORMAT), __keys__=np.array(list(dtypes), dtype=str),
                     __dtypes__=np.array(list(dtypes.values()), dtype=str), **arrays)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the rename makes it the checkpoint
        os.replace(temporary, target)
    except BaseException:  # KeyboardInterrupt too
        with contextlib.suppress(OSError):  # the original error matters more
            os.remove(temporary)
        raise
    if os.name == "posix":  # the rename is durable once the folder is synced (Windows can't)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _gathered(leaf: Any) -> Any:
    """``leaf`` whole on this host. An array sharded over several processes' devices is
    gathered from all of them, a collective: every process calls ``save``, and each writes
    the same bytes, atomically, so one shared file or one per host both come out whole."""
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        from jax.experimental import multihost_utils  # only runs of several processes need it
        return multihost_utils.process_allgather(leaf, tiled=True)
    return leaf  # numpy gathers the shards of an array on this host's devices


def _placed(array: np.ndarray, template: Any) -> Any:
    """``array`` laid out as ``template`` when that is spread over several devices (a
    sharded state loads sharded), else on the default device."""
    sharding = getattr(template, "sharding", None)
    if sharding is not None and len(sharding.device_set) > 1:
        return jax.device_put(array, sharding)
    return jnp.asarray(array)


def _spec(leaf: Any) -> tuple[tuple[int, ...], np.dtype]:
    # only the shape and dtype count: a template's data is never copied off its device
    if not (hasattr(leaf, "shape") and hasattr(leaf, "dtype")):
        leaf = np.asarray(leaf)
    return tuple(leaf.shape), np.dtype(leaf.dtype)


def _header(f: Any, member: str) -> _Header:
    """What the ``.npy`` stream ``f`` declares, read without its data; objects are refused."""
    read = _HEADER_READERS.get(np.lib.format.read_magic(f))
    if read is None:
        raise ValueError(f"{member} is not a version 1 or 2 .npy array")
    shape, fortran, dtype = read(f)
    if dtype.hasobject:
        raise ValueError(f"{member} holds pickled Python objects, which are never loaded")
    return shape, fortran, dtype


def _headers(z: zipfile.ZipFile) -> dict[str, _Header]:
    """Every member's header, keyed by its name without ``.npy``; no data is read."""
    headers = {}
    for info in z.infolist():
        if not info.filename.endswith(".npy") or info.flag_bits & 0x1:  # bit 0: encrypted
            raise ValueError(f"{info.filename} is not a plain .npy member")
        with z.open(info) as f:
            headers[info.filename[:-4]] = _header(f, info.filename)
    return headers


def _data(z: zipfile.ZipFile, key: str, header: _Header) -> np.ndarray:
    """Member ``key``'s array; ``header`` has been checked, so its size is trusted."""
    shape, fortran, dtype = header
    with z.open(f"{key}.npy") as f:
        if _header(f, f"{key}.npy") != header:
            raise ValueError(f"{key}.npy changed while it was read")
        size = math.prod(shape) * dtype.itemsize
        data = f.read(size)
        if len(data) != size or f.read(1):  # reading to the end also checks the zip's CRC
            raise ValueError(f"{key}.npy does not hold exactly the {size} bytes its header "
                             f"declares")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")


def _names(z: zipfile.ZipFile, headers: dict[str, _Header], key: str, n: int,
           width: int) -> list[str]:
    """The 1-D str member ``key``, once its header declares ``n`` names of ≤ ``width`` chars."""
    if key not in headers:
        raise ValueError(f"{key} is missing")
    shape, _, dtype = header = headers.pop(key)
    if shape != (n,) or dtype.kind != "U" or dtype.itemsize > 4 * width:  # UCS-4: 4 bytes a char
        raise ValueError(f"{key} is not {n} names of at most {width} characters")
    return _data(z, key, header).tolist()


def _contents(z: zipfile.ZipFile, where: str) -> tuple[dict[str, _Header], dict[str, str]]:
    """The headers of the stored leaves and their dtypes' names, once the metadata are checked."""
    headers = _headers(z)
    version = headers.pop("__format__", None)
    if (version is None or version[::2] != ((), np.array(_FORMAT).dtype)
            or _data(z, "__format__", version).item() != _FORMAT):
        raise BadPoint(f"load: {where} is not a {_FORMAT} file")
    leaves = [k for k in headers if k not in ("__keys__", "__dtypes__")]
    keys = _names(z, headers, "__keys__", len(leaves), max(map(len, leaves), default=1))
    dtypes = _names(z, headers, "__dtypes__", len(leaves), _DTYPE_NAME_WIDTH)
    if sorted(keys) != sorted(headers):
        raise ValueError("__keys__ does not list the stored arrays")
    return headers, dict(zip(keys, dtypes))


def load(path: str | os.PathLike, *, like: Any) -> Any:
    """Read a checkpoint written by :func:`save` into the structure of ``like``.

    Only the shapes and dtypes of ``like``'s leaves count (``jax.ShapeDtypeStruct`` will
    do), and where a leaf is spread over several devices (a state on a mesh, or a
    ``ShapeDtypeStruct`` with a ``sharding``) its layout: it comes back laid out the same
    way. Every stored array's header is checked against them before any data is read;
    nothing is unpickled.

    Raises:
        BadPoint: the file is missing, damaged or not a paralens checkpoint (naming it), or
            its leaves differ from ``like``'s (missing, extra, other shape or dtype), named
            one by one with what is stored and what is expected.

    Example:
        >>> import os, tempfile, jax.numpy as jnp
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = os.path.join(folder.name, "state.npz")
        >>> state = {"w": jnp.arange(3.0), "step": jnp.asarray(7)}
        >>> save(path, state)
        >>> restored = load(path, like=state)
        >>> restored["w"].tolist(), int(restored["step"])
        ([0.0, 1.0, 2.0], 7)
        >>> load(path, like={"w": jnp.zeros(4), "step": jnp.asarray(0)})
        Traceback (most recent call last):
        ...
        categories._errors.BadPoint: load: ...state.npz does not match the state: ['w']: stored float32[3], expected float32[4]
        >>> folder.cleanup()
    """
    where = os.fspath(path)
    expected = {k: _spec(leaf) for k, leaf in _flat(like).items()}
    try:
        with zipfile.ZipFile(where) as z:
            headers, names = _contents(z, where)
            problems = [f"missing {k}" for k in expected if k not in headers]
            problems += [f"unexpected {k}" for k in headers if k not in expected]
            for k, (shape, dtype) in expected.items():
                if k in headers:
                    got, _, raw = headers[k]
                    if (got, raw, names[k]) != (shape, _stored(dtype), dtype.name):
                        bits = "" if raw.name == names[k] else f" as {raw}"
                        problems.append(f"{k}: stored {names[k]}{list(got)}{bits}, expected "
                                        f"{dtype}{list(shape)}")
            if problems:
                raise BadPoint(f"load: {where} does not match the state: " + "; ".join(problems))
            # one leaf at a time, so at most one extra host copy is alive
            arrays = [_placed(_data(z, k, headers[k]).view(dtype), template)
                      for (k, (_, dtype)), template in zip(expected.items(),
                                                           _flat(like).values())]
    except BadPoint:
        raise
    except _UNREADABLE as err:
        raise BadPoint(f"load: {where} is not a readable checkpoint ({err})") from err
    return jax.tree.unflatten(jax.tree.structure(like), arrays)
