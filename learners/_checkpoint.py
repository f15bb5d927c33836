"""Checkpoints without pickle: a ``.npz`` of the state's leaves keyed by tree path.

Loading needs a template state of the same structure (``learner.init(...)``);
every leaf must match it in path, shape and dtype, and the values come back
bit for bit.

Example:
    >>> import os, tempfile, jax.numpy as jnp
    >>> from learners import LearnerState
    >>> state = LearnerState({"w": jnp.arange(3.0)}, (), jnp.asarray(7))
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> save(path, state)
    >>> load(path, like=state).params["w"].tolist()
    [0.0, 1.0, 2.0]
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["save", "load"]

_FORMAT = "paralens-checkpoint-v1"


def _flat(tree: Any) -> dict[str, Any]:
    leaves, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {jax.tree_util.keystr(path): leaf for path, leaf in leaves}


def save(path: str | os.PathLike, state: Any) -> None:
    """Write every leaf of ``state`` (any pytree) to ``path`` (exactly that name) as ``.npz``.

    Dtypes numpy cannot store natively (``bfloat16``) are stored as raw unsigned
    integers of the same width and their names kept, so they come back bit for bit.
    """
    arrays, dtypes = {}, {}
    for k, v in _flat(state).items():
        v = np.asarray(v)
        dtypes[k] = np.dtype(v.dtype).name
        arrays[k] = v.view(f"u{v.dtype.itemsize}") if v.dtype.kind == "V" else v
    with open(path, "wb") as f:
        np.savez(f, __format__=np.array(_FORMAT), __keys__=np.array(list(dtypes), dtype=str),
                 __dtypes__=np.array(list(dtypes.values()), dtype=str), **arrays)


def load(path: str | os.PathLike, *, like: Any) -> Any:
    """Read a checkpoint written by :func:`save` into the structure of ``like``.

    Raises:
        ValueError: the file is not a paralens checkpoint, or its leaves differ
            from ``like``'s (missing, extra, other shape or dtype), named one by one.
    """
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"load: {path} is not a readable checkpoint ({err})") from err
    if str(stored.pop("__format__", "")) != _FORMAT:
        raise ValueError(f"load: {path} is not a {_FORMAT} file")
    names = dict(zip(stored.pop("__keys__", []).tolist(), stored.pop("__dtypes__", []).tolist()))
    for k, name in names.items():
        if k in stored and stored[k].dtype.name != name:
            stored[k] = stored[k].view(jnp.dtype(name))
    expected = _flat(like)
    problems = [f"missing {k}" for k in expected if k not in stored]
    problems += [f"unexpected {k}" for k in stored if k not in expected]
    for k, want in expected.items():
        if k in stored:
            got, want = stored[k], np.asarray(want)
            if got.shape != want.shape or got.dtype != want.dtype:
                problems.append(f"{k}: stored {got.dtype}{list(got.shape)}, expected "
                                f"{want.dtype}{list(want.shape)}")
    if problems:
        raise ValueError(f"load: {path} does not match the state: " + "; ".join(problems))
    leaves = [jnp.asarray(stored[k]) for k in expected]
    return jax.tree.unflatten(jax.tree.structure(like), leaves)
