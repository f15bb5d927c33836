"""The example orders ``fit`` shuffles with: ``permutation(fold_in(key, e), n)`` for a
run of epochs ``e``, as one ``(rows, n)`` int32 table.

``jax.random.permutation`` is the Threefry-2x32 hash ``T`` (Salmon et al., *Parallel
random numbers: as easy as 1, 2, 3*, SC 2011) and stable sorts. For a key ``k``:

.. code-block:: text

    k_e = T_k(0, e)                                      fold_in(k, e)
    order = 0 … n−1
    ⌈3 ln n / ln(2³² − 1)⌉ times:
        k_e, s = T_{k_e}(0, 0), T_{k_e}(0, 1)            split(k_e)
        order ← order sorted stably by a_i ⊕ b_i,  (a_i, b_i) = T_s(0, i),  i < n

Compiled by XLA those few lines cost about 0.3 s, more than a small model's whole
training loop, and a fresh process pays it before its first ``fit``. For keys of
jax's default kind (Threefry with partitionable bits) the table is computed here
with numpy instead, equal to jax's bit for bit (``tests/test_shuffles.py`` compares
them): 5 ms for 400 epochs of 150 examples, and 0.3–0.7 s for 69 epochs of 60,000,
where XLA on the CPU takes 1.9 s after compiling. Other keys use one compiled
function shared by every learner.

Example:
    >>> import jax, numpy as np
    >>> key = jax.random.key(7)
    >>> table = orders(key, first=3, count=2, rows=4, n=5)
    >>> table.shape, bool((table[1] == jax.random.permutation(jax.random.fold_in(key, 4), 5)).all())
    ((4, 5), True)
    >>> table[2:].tolist()  # rows past count are padding
    [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from categories import BadPoint

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)


def threefry2x32(key: tuple[Any, Any], x: tuple[Any, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Threefry-2x32 with 20 rounds: the pairs of uint32 words ``x`` hashed under the
    pairs ``key`` (all four broadcast together), as ``jax.random`` computes it.

    Example (the known-answer vector of Random123 for key and input all ones):
        >>> ones = np.uint32(0xFFFFFFFF)
        >>> [hex(int(w)) for w in threefry2x32((ones, ones), (ones, ones))]
        ['0x1cb996fc', '0xbb002be7']
    """
    k = (np.uint32(key[0]) if np.ndim(key[0]) == 0 else key[0],
         np.uint32(key[1]) if np.ndim(key[1]) == 0 else key[1])
    k = (k[0], k[1], k[0] ^ k[1] ^ _PARITY)
    with np.errstate(over="ignore"):  # the additions are modulo 2³²
        a, b = np.broadcast_arrays(x[0] + k[0], x[1] + k[1])
        a, b = a.copy(), b.copy()  # the rounds update both in place
        for i in range(5):
            for r in _ROTATIONS[i % 2]:
                a += b
                b = (b << np.uint32(r)) | (b >> np.uint32(32 - r))
                b ^= a
            a += k[(i + 1) % 3]
            b += k[(i + 2) % 3] + np.uint32(i + 1)
    return a, b


def _rounds(n: int) -> int:
    """How many sorts ``jax.random.permutation`` uses for ``n`` elements."""
    return int(np.ceil(3 * np.log(max(1, n)) / np.log(np.iinfo(np.uint32).max)))


def one_key(key: Any, where: str) -> Any:
    """``key`` as one typed ``jax.random`` key (raw ``uint32`` key data is read with
    the default implementation); anything else is refused, naming what was given.

    Example:
        >>> one_key(jax.random.PRNGKey(0), "fit").dtype
        key<fry>
        >>> one_key(jax.random.split(jax.random.key(0)), "fit")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        categories._errors.BadPoint: fit: key must be one jax.random key, ...; got key<fry>[2]
    """
    reason = ""
    try:
        typed = jax.dtypes.issubdtype(jnp.result_type(key), jax.dtypes.prng_key)
        key = key if typed else jax.random.wrap_key_data(key)
        if np.shape(key) == ():
            return key
    except (TypeError, ValueError) as error:  # jax says what is wrong with the data
        reason = f" ({str(error).split(' for impl=')[0]})"
    given = getattr(key, "aval", None)
    given = given.str_short() if given is not None else f"{type(key).__name__} {key!r:.40}"
    raise BadPoint(f"{where}: key must be one jax.random key, such as jax.random.key(0); "
                   f"got {given}{reason}")


HOST_TABLE = 2 ** 20
"""On an accelerator, tables of more indices are drawn there by the compiled function
(on the CPU, numpy is the faster at every size)."""


@functools.cache
def _threefry() -> Any:
    """jax's own Threefry key type (traced, not computed: nothing is compiled)."""
    return jax.eval_shape(lambda: jax.random.key(0, impl="threefry2x32")).dtype


def _on_host(key: Any, size: int) -> bool:
    """Whether numpy draws the ``size`` indices for one typed ``key``: jax's own
    Threefry (by its key type, not its name) with partitionable bits, and the CPU or a
    small table."""
    return (key.dtype == _threefry() and bool(jax.config.jax_threefry_partitionable)
            and (size <= HOST_TABLE or jax.default_backend() == "cpu"))


def orders(key: Any, first: int, count: int, rows: int, n: int) -> Any:
    """``rows × n`` int32 orders; row ``i < count`` is ``permutation(fold_in(key,
    first + i), n)`` and the rows after it are zeros. A numpy array for Threefry keys,
    else a device array from a compiled function.

    Raises:
        BadPoint: ``key`` is not one ``jax.random`` key.
    """
    key = one_key(key, "orders")
    if not _on_host(key, rows * n):
        return _compiled(key, first, count, rows, n)
    data = np.asarray(jax.random.key_data(key)).astype(np.uint32)
    epochs = (np.arange(first, first + count, dtype=np.uint64) & 0xFFFFFFFF).astype(np.uint32)
    k = threefry2x32((data[0], data[1]), (np.zeros_like(epochs), epochs))
    k = (k[0][:, None], k[1][:, None])  # one key per row
    index = np.arange(n, dtype=np.uint32)[None]
    order = None
    for _ in range(_rounds(n)):
        k, s = threefry2x32(k, (0, 0)), threefry2x32(k, (0, 1))
        bits = np.bitwise_xor(*threefry2x32(s, (np.zeros_like(index), index)))
        # a stable argsort of the bits: sort bits·2³² + position (all distinct), then
        # keep the positions (numpy's vectorised sort is far faster than a stable one)
        tagged = (bits.astype(np.uint64) << np.uint64(32)) | index.astype(np.uint64)
        tagged.sort(axis=1)
        moved = (tagged & np.uint64(0xFFFFFFFF)).astype(np.int32)
        order = moved if order is None else np.take_along_axis(order, moved, axis=1)
    table = np.zeros((rows, n), np.int32)
    table[:count] = np.arange(n, dtype=np.int32) if order is None else order
    return table


TRACES = [0]
"""How many times the device fallback has been traced (so compiled) in this process."""


@functools.partial(jax.jit, static_argnums=(3, 4))
def _compiled(key: Any, first: Any, count: Any, rows: int, n: int) -> Any:
    """:func:`orders` for any key, on the device: compiled once per ``(rows, n)`` and
    key type, and shared by every learner in the process."""
    TRACES[0] += 1  # runs once per trace, not per call

    def row(i, table):
        # int32 whatever the default integer width (x64 makes permutation's int64)
        order = jax.random.permutation(jax.random.fold_in(key, first + i), n)
        return table.at[i].set(order.astype(jnp.int32))
    return jax.lax.fori_loop(0, count, row, jnp.zeros((rows, n), jnp.int32))


__all__ = ["one_key", "orders", "threefry2x32"]
