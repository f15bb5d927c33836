"""Bit-parallel evaluation: 64 examples per ``uint64`` word, gate by gate.

A batch of ``B`` examples of ``n`` bits becomes ``n`` rows of ``W = ⌈B/64⌉``
words (example ``b`` is bit ``b mod 64`` of word ``b // 64``); every XOR or AND
gate is then one numpy call on rows of words, serving 64 examples per word.
Shared (unbatched) wires are all-zero or all-one words. ``run`` and
``run_batched`` are the plain 0/1-array interfaces on top.

Evaluation streams: a plan, computed once per netlist (and cached), gives every
gate wire a row (a *slot*) of one preallocated buffer and hands the slot back
after the wire's last read, so the buffer holds only the wires alive at once
(for ``W`` in the thousands it stays in cache); each gate writes its result in
place, ``ufunc(row_a, row_b, out=row_o)``, and input rows are read where they
are. One call per gate is deliberate: gathering a level's rows with fancy
indexing costs more per row than a ufunc call's overhead, and splitting the
words into column blocks multiplies the calls (both measured slower).

Example:
    >>> import numpy as np
    >>> from circuits import gates
    >>> xs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.uint8)
    >>> run(gates.xor(), (xs[:, :1], xs[:, 1:])).ravel().tolist()
    [0, 1, 1, 0]
"""

from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple

import numpy as np

from categories import BadPoint, factors

from ._circuit import Circuit, wires_of
from ._netlist import Netlist

__all__ = ["pack", "unpack", "evaluate_packed", "run", "run_batched"]

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
# Pinned rows of the buffer: the constants, and the mask of the valid examples (the
# last word's padding bits may be set, e.g. by NOT = XOR with one; parity ignores them).
_ZERO, _ONE, _VALID = range(3)
_PINNED = 3


def _words(batch: int) -> int:
    return (batch + 63) // 64


def pack(bits: np.ndarray) -> np.ndarray:
    """``(B, n)`` 0/1 array → ``(n, ⌈B/64⌉)`` uint64 words (padding bits 0).

    Example: wire ``i``'s word has bit ``b`` set when example ``b`` has ``x_bi = 1``.

        >>> words = pack(np.array([[1, 0], [1, 1], [0, 1]], np.uint8))
        >>> words.shape, words.dtype.name, words[:, 0].tolist()  # 0b011, 0b110
        ((2, 1), 'uint64', [3, 6])
    """
    bits = np.asarray(bits, np.uint8)
    out = np.zeros((bits.shape[1], _words(bits.shape[0])), np.uint64)
    # a contiguous transpose first: packbits along a strided axis is several times slower
    packed = np.packbits(np.ascontiguousarray(bits.T), axis=-1, bitorder="little")
    # byte k of a (little-endian) word holds examples 8k … 8k + 7
    out.view(np.uint8)[:, :packed.shape[1]] = packed
    return out


def unpack(words: np.ndarray, batch: int) -> np.ndarray:
    """``(m, W)`` uint64 words → ``(batch, m)`` 0/1 array.

    Example:
        >>> unpack(np.array([[3], [6]], np.uint64), 3).tolist()
        [[1, 0], [1, 1], [0, 1]]
    """
    as_bytes = np.ascontiguousarray(words, np.uint64).view(np.uint8)
    # unpacking down the columns yields the (batch, m) layout without a transpose copy
    return np.unpackbits(as_bytes.T, axis=0, count=batch, bitorder="little")


def _parity(x: np.ndarray, valid: np.ndarray, out: np.ndarray) -> None:
    """``out`` ← all ones if an odd number of valid examples have ``x`` set, else all zeros:
    ``⊕_w (x_w ∧ valid_w)`` keeps each bit position's parity, and one word's popcount
    mod 2 is the total's (pure numpy 1.x, no ``np.bitwise_count``)."""
    np.bitwise_and(x, valid, out=out)
    odd = int(np.bitwise_xor.reduce(out)).bit_count() & 1
    out.fill(_ONES if odd else 0)


_KERNELS: dict[str, Callable[..., Any]] = {
    "xor": np.bitwise_xor, "and": np.bitwise_and, "parity": _parity}


class _Plan(NamedTuple):
    work: int  # rows of the buffer after the pinned ones
    steps: tuple[tuple[Callable[..., Any], int, int, int], ...]  # (kernel, a, b, out) rows
    outputs: tuple[int, ...]  # the row of each output wire


def _reads(op: str, a: int, b: int) -> tuple[int, ...]:
    return (a, b) if op in ("xor", "and") else (a,) if op == "parity" else ()


@functools.lru_cache(maxsize=256)
def _plan(net: Netlist) -> _Plan:
    """Register allocation by liveness over the rows ``pinned | inputs | work``: the
    inputs are the caller's rows, read in place and never written; a work row is free
    again after its wire's last read (most recently freed first, the likeliest to be in
    cache); constant gates read the pinned rows and cost no step; unread gates are skipped."""
    n, outputs_at = net.n_inputs, len(net.gates)
    last: dict[int, int] = {}
    for j, (op, a, b) in enumerate(net.gates):
        for w in _reads(op, a, b):
            last[w] = j
    for o in net.outputs:
        last[o] = outputs_at
    first_work = _PINNED + n
    row = {i: _PINNED + i for i in range(n)}
    free: list[int] = []
    end, steps = first_work, []
    for j, (op, a, b) in enumerate(net.gates):
        for w in set(_reads(op, a, b)):
            if last[w] == j and row[w] >= first_work:
                free.append(row[w])  # before allocating: the output may reuse it in place
        w = n + j
        if op == "const":
            row[w] = _ONE if a else _ZERO
        elif w in last:
            if free:
                row[w] = free.pop()
            else:
                row[w], end = end, end + 1
            steps.append((_KERNELS[op], row[a], _VALID if op == "parity" else row[b], row[w]))
    return _Plan(end - first_work, tuple(steps), tuple(row[o] for o in net.outputs))


def _buffer(plan: _Plan, batch: int) -> np.ndarray:
    """The pinned rows, filled, and ``plan.work`` rows of ``⌈batch/64⌉`` words."""
    buf = np.empty((_PINNED + plan.work, _words(batch)), np.uint64)
    buf[_ZERO] = 0
    buf[_ONE] = buf[_VALID] = _ONES
    if batch % 64:
        buf[_VALID, -1] = (1 << batch % 64) - 1
    return buf


def _evaluate(plan: _Plan, buf: np.ndarray, inputs: list[np.ndarray]) -> np.ndarray:
    """Run the steps on ``buf`` and the input rows; the ``(m, W)`` output words."""
    rows = list(buf[:_PINNED]) + inputs + list(buf[_PINNED:])
    for kernel, a, b, o in plan.steps:
        kernel(rows[a], rows[b], rows[o])
    out = np.empty((len(plan.outputs), buf.shape[1]), np.uint64)
    for i, o in enumerate(plan.outputs):
        out[i] = rows[o]
    return out


def evaluate_packed(c: Circuit, inputs: Any, batch: int) -> np.ndarray:
    """Run the netlist on packed input rows: ``inputs`` holds one row of ``⌈batch/64⌉``
    words per input wire (a list of rows or an ``(n, W)`` array). Returns the ``(m, W)``
    output words; a ``parity`` gate is the XOR of its wire over the ``batch`` valid examples.

    Example:
        >>> from circuits import gates
        >>> rows = pack(np.array([[0, 1], [1, 1], [1, 0]], np.uint8))
        >>> int(evaluate_packed(gates.and_(), rows, 3)[0, 0])  # example 1 only: bit 1
        2
    """
    if len(inputs) != c.net.n_inputs:
        raise BadPoint(f"evaluate_packed: {c!r} has {c.net.n_inputs} input wires, got "
                       f"{len(inputs)} rows")
    rows = [np.asarray(row, np.uint64) for row in inputs]
    for i, row in enumerate(rows):
        if row.shape != (_words(batch),):
            raise BadPoint(f"evaluate_packed: input row {i} must hold {_words(batch)} words for "
                           f"a batch of {batch}, got shape {row.shape}")
    plan = _plan(c.net)
    return _evaluate(plan, _buffer(plan, batch), rows)


def run(c: Circuit, xs: Any) -> np.ndarray:
    """Evaluate ``c`` on a batch: ``xs`` is ``(B, n)`` 0/1 (a tuple of such arrays when
    the domain has several factors); returns ``(B, m)`` 0/1 outputs.

    Example:
        >>> from circuits import gates
        >>> xs = np.array([[1, 0], [1, 1], [0, 1]], np.uint8)
        >>> run(gates.and_(), (xs[:, :1], xs[:, 1:])).tolist()
        [[0], [1], [0]]
    """
    parts = list(xs) if isinstance(xs, tuple) else [xs]
    if len(parts) != len(factors(c.dom)):
        raise BadPoint(f"run: {c!r} takes {len(factors(c.dom))} input arrays, got {len(parts)}")
    if any(wires_of(c.dom)):
        raise BadPoint(f"run: {c!r} is already batched; call it directly")
    batch = int(np.shape(parts[0])[0]) if parts else 0
    rows: list[np.ndarray] = []
    for f, v in zip(factors(c.dom), parts):
        v = np.asarray(v)
        if v.shape != (batch, f.n):
            raise BadPoint(f"run: expected a 0/1 array of shape ({batch}, {f.n}) for {f}, got "
                           f"shape {v.shape}")
        if np.any((v != 0) & (v != 1)):
            raise BadPoint(f"run: non-Boolean value {v[(v != 0) & (v != 1)][0]} for {f}: "
                           f"bits must be 0 or 1")
        rows += list(pack(v))
    plan = _plan(c.net)
    return unpack(_evaluate(plan, _buffer(plan, batch), rows), batch)


def run_batched(c: Circuit, x: Any) -> Any:
    """Evaluate a batched circuit (``CIRCUIT.batch(f, shared, B)`` or its ``R``) bit-parallel
    on a point of its domain: shared factors ``(k,)``, per-example factors ``(B, k)``.
    Returns a point of its codomain (shared outputs ``(m,)``, per-example ``(B, m)``).

    Example: ``w · x`` with ``w`` shared; its ``R`` gives ``w`` the parity of ``Σ_b x_b d_b``.

        >>> from circuits import CIRCUIT, Bits, gates
        >>> f = CIRCUIT.batch(gates.and_(), Bits(1), 3)
        >>> str(f.dom), str(f.cod)
        ('bits[1] @ bits[3×1]', 'bits[3×1]')
        >>> w, xs = np.array([1], np.uint8), np.array([[0], [1], [1]], np.uint8)
        >>> ds = np.ones((3, 1), np.uint8)
        >>> run_batched(f, (w, xs)).tolist()
        [[0], [1], [1]]
        >>> [v.tolist() for v in run_batched(f.rd(), (w, xs, ds))]
        [[0], [[1], [1], [1]]]
    """
    fs = factors(c.dom)
    parts = list(x) if len(fs) != 1 else [x]
    if len(parts) != len(fs):
        raise BadPoint(f"run_batched: {c!r} takes {len(fs)} input arrays, got {len(parts)}")
    batches = {f.batch for f in fs + factors(c.cod) if f.batch is not None}
    if len(batches) != 1:
        raise BadPoint(f"run_batched: {c!r} is not a batched circuit")
    batch = batches.pop()
    plan = _plan(c.net)
    buf = _buffer(plan, batch)
    rows = []
    for f, v in zip(fs, parts):
        v = np.asarray(v, np.uint8)
        if v.shape != f.shape:
            raise BadPoint(f"run_batched: expected shape {f.shape} for {f}, got {v.shape}")
        # a shared bit reads the pinned all-zero or all-one row: nothing to write
        rows += list(pack(v)) if f.batch is not None else \
            [buf[_ONE if bit else _ZERO] for bit in v]
    out = _evaluate(plan, buf, rows)
    points, k = [], 0
    for f in factors(c.cod):
        block = out[k:k + f.n]
        k += f.n
        points.append(unpack(block, batch) if f.batch is not None else
                      (block[:, 0] & np.uint64(1)).astype(np.uint8))
    return points[0] if len(points) == 1 else tuple(points)
