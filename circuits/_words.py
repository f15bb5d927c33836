"""Bit-packed evaluation of netlists inside JAX: 32 examples per ``uint32`` word.

A batch of ``B`` examples becomes, for each wire, a row of ``W = ⌈B/32⌉``
words (example ``b`` is bit ``b mod 32`` of word ``b // 32``); a shared wire
(a parameter) is a row of all-ones or all-zeros words, so one XOR or AND of
two rows serves 32 examples. JAX without ``x64`` has no ``uint64``, hence 32
rather than 64 examples a word (``circuits.packed`` uses 64 in numpy).

Gates run level by level: all gates of one depth and kind are one gather and
one bitwise operation. A shallow netlist is unrolled into the compiled
program; a deep one (more than :data:`UNROLL` levels) is handed to XLA as
data, padded tables of operands per level, and run by one ``fori_loop``, so
compiling it costs the same at depth 2,000 as at depth 20.

Example:
    >>> import jax.numpy as jnp
    >>> from circuits import gates
    >>> net = gates.xor().net                          # wires 0, 1 → 0 ⊕ 1
    >>> rows = pack(jnp.array([[0, 0], [0, 1], [1, 0], [1, 1]], jnp.uint8), 1)
    >>> unpack(run(net, rows, valid_row(4)), 4).ravel().tolist()
    [0, 1, 1, 0]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ._netlist import Netlist

WORD = 32
"""Examples per word."""

UNROLL = 24
"""Netlists with at most this many levels are unrolled into the compiled program."""

_ALL = np.uint32(0xFFFFFFFF)
_SHIFTS = np.arange(WORD, dtype=np.uint32)[None, None, :]
_XOR, _AND, _PARITY = 0, 1, 2


def words_for(batch: int) -> int:
    """``⌈batch / 32⌉``: words per wire for a batch of ``batch`` examples."""
    return max(1, -(-batch // WORD))


def pack(bits: jax.Array, words: int) -> jax.Array:
    """``(B, n)`` 0/1 bits → ``(n, words)`` uint32 rows (padding bits are 0)."""
    b, n = bits.shape
    padded = jnp.zeros((words * WORD, n), jnp.uint32).at[:b].set(bits.astype(jnp.uint32))
    shifted = padded.T.reshape(n, words, WORD) << _SHIFTS
    return jnp.sum(shifted, axis=-1, dtype=jnp.uint32)  # distinct bits: the sum is an OR


def broadcast(bits: jax.Array, words: int) -> jax.Array:
    """``(n,)`` shared 0/1 bits → ``(n, words)`` rows of all-zeros or all-ones words."""
    return jnp.broadcast_to((-bits.astype(jnp.int32)).astype(jnp.uint32)[:, None],
                            (bits.shape[0], words))


def unpack(rows: jax.Array, batch: int) -> jax.Array:
    """``(m, W)`` uint32 rows → ``(batch, m)`` 0/1 uint8 bits."""
    m, w = rows.shape
    bits = (rows[:, :, None] >> _SHIFTS) & np.uint32(1)
    return bits.reshape(m, w * WORD)[:, :batch].T.astype(jnp.uint8)


def valid_row(batch: int) -> jax.Array:
    """The row whose bits mark the real examples of a batch of ``batch``."""
    return pack(jnp.ones((batch, 1), jnp.uint8), words_for(batch))[0]


@dataclass(frozen=True)
class _Plan:
    ones: np.ndarray                     # wires that are the constant 1
    levels: tuple                        # unrolled: (kind, out, a, b) index arrays
    tables: tuple | None                 # looped: (kind, out, a, b), each (levels, width)
    parity: bool                         # whether any gate is a parity


@functools.lru_cache(maxsize=256)
def plan(net: Netlist) -> _Plan:
    """Levels of ``net``: each gate one more than its deepest argument; constants at 0."""
    n = net.n_inputs
    depth = np.zeros(net.n_wires, np.int64)
    rows: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    ones = []
    kinds = {"xor": _XOR, "and": _AND, "parity": _PARITY}
    for j, (op, a, b) in enumerate(net.gates):
        w = n + j
        if op == "const":
            if a:
                ones.append(w)
            continue
        b = b if op in ("xor", "and") else a
        depth[w] = 1 + max(depth[a], depth[b])
        rows.setdefault((int(depth[w]), kinds[op]), []).append((w, a, b))
    groups = [(kind, *(np.array(col, np.int32) for col in zip(*gates)))
              for (_, kind), gates in sorted(rows.items())]
    n_levels = int(depth.max(initial=0))
    has_parity = any(kind == _PARITY for kind, *_ in groups)
    if n_levels <= max(UNROLL, 0):
        return _Plan(np.array(ones, np.int32), tuple(groups), None, has_parity)
    # one row of each table per level; padding gates write the scratch wire n_wires
    by_level: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n_levels)]
    for kind, out, a, b in groups:
        level = int(depth[out[0]]) - 1
        by_level[level] += [(kind, o, x, y) for o, x, y in zip(out, a, b)]
    width = max(map(len, by_level))
    table = np.zeros((4, n_levels, width), np.int32)
    table[1:] = net.n_wires
    for i, gates in enumerate(by_level):
        if gates:
            table[:, i, :len(gates)] = np.array(gates, np.int32).T
    return _Plan(np.array(ones, np.int32), (), tuple(table), has_parity)


def _parity(rows: jax.Array, valid: jax.Array) -> jax.Array:
    """Rows of all-ones words where the row's valid bits have odd parity, else zeros."""
    odd = jnp.sum(jax.lax.population_count(rows & valid[None, :]), axis=-1, dtype=jnp.uint32) & 1
    return jnp.broadcast_to((-odd.astype(jnp.int32)).astype(jnp.uint32)[:, None], rows.shape)


def run(net: Netlist, inputs: jax.Array, valid: jax.Array) -> jax.Array:
    """The output rows ``(m, W)`` of ``net`` on input rows ``(n_inputs, W)``.

    ``valid`` marks the real examples (bits beyond the batch are padding), which
    only parity gates need: they XOR a wire over the real examples.
    """
    p = plan(net)
    w = inputs.shape[1]
    wires = jnp.zeros((net.n_wires + 1, w), jnp.uint32).at[:net.n_inputs].set(inputs)
    if p.ones.size:
        wires = wires.at[p.ones].set(_ALL)
    for kind, out, a, b in p.levels:
        if kind == _XOR:
            wires = wires.at[out].set(wires[a] ^ wires[b])
        elif kind == _AND:
            wires = wires.at[out].set(wires[a] & wires[b])
        else:
            wires = wires.at[out].set(_parity(wires[a], valid))
    if p.tables is not None:
        kinds, outs, lhs, rhs = (jnp.asarray(t) for t in p.tables)

        def level(i, wires):
            a, b, kind = wires[lhs[i]], wires[rhs[i]], kinds[i][:, None]
            value = jnp.where(kind == _AND, a & b, a ^ b)
            if p.parity:
                value = jnp.where(kind == _PARITY, _parity(a, valid), value)
            return wires.at[outs[i]].set(value)

        wires = jax.lax.fori_loop(0, kinds.shape[0], level, wires)
    return wires[np.array(net.outputs, np.int32)]
