"""Bit-parallel evaluation: 64 examples per ``uint64`` word, gate by gate.

A batch of ``B`` examples of ``n`` bits becomes ``n`` rows of ``⌈B/64⌉`` words
(example ``b`` is bit ``b mod 64`` of word ``b // 64``); every XOR or AND gate
is then one vectorised operation on a row of words, so one gate serves 64
examples at a time. Shared (unbatched) inputs become all-zero or all-one words.
``run`` is the plain 0/1-array interface on top.

Example:
    >>> import numpy as np
    >>> from circuits import gates
    >>> xs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.uint8)
    >>> run(gates.xor(), (xs[:, :1], xs[:, 1:])).ravel().tolist()
    [0, 1, 1, 0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from categories import BadPoint, factors

from ._circuit import Circuit, wires_of

__all__ = ["pack", "unpack", "evaluate_packed", "run", "run_batched"]

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


def pack(bits: np.ndarray) -> np.ndarray:
    """``(B, n)`` 0/1 array → ``(n, ⌈B/64⌉)`` uint64 words."""
    bits = np.asarray(bits, np.uint8)
    b, n = bits.shape
    words = (b + 63) // 64
    padded = np.zeros((words * 64, n), np.uint8)
    padded[:b] = bits
    little = np.packbits(padded.T.reshape(n, words, 64), axis=-1, bitorder="little")
    return np.ascontiguousarray(little).view(np.uint64).reshape(n, words)


def unpack(words: np.ndarray, batch: int) -> np.ndarray:
    """``(m, W)`` uint64 words → ``(batch, m)`` 0/1 array."""
    m = words.shape[0]
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(m, -1)
    return np.unpackbits(as_bytes, axis=-1, bitorder="little")[:, :batch].T.copy()


def evaluate_packed(c: Circuit, inputs: list[np.ndarray], batch: int) -> np.ndarray:
    """Run the netlist on packed input rows (one ``(W,)`` row of words per wire)."""
    w = inputs[0].shape[-1] if inputs else (batch + 63) // 64
    valid = pack(np.ones((batch, 1), np.uint8))[0]
    vals = list(inputs)
    ones = np.full(w, _ONES)
    for op, a, b in c.net.gates:
        if op == "xor":
            vals.append(vals[a] ^ vals[b])
        elif op == "and":
            vals.append(vals[a] & vals[b])
        elif op == "const":
            vals.append(ones if a else np.zeros(w, np.uint64))
        else:
            parity = int(np.bitwise_count(vals[a] & valid).sum()) % 2
            vals.append(ones if parity else np.zeros(w, np.uint64))
    return np.stack([vals[o] for o in c.net.outputs]) if c.net.outputs else np.zeros((0, w), np.uint64)


def run(c: Circuit, xs: Any) -> np.ndarray:
    """Evaluate ``c`` on a batch: ``xs`` is ``(B, n)`` 0/1 (a tuple of such arrays when
    the domain has several factors); returns ``(B, m)`` 0/1 outputs."""
    parts = list(xs) if isinstance(xs, tuple) else [xs]
    if len(parts) != len(factors(c.dom)):
        raise BadPoint(f"run: {c!r} takes {len(factors(c.dom))} input arrays, got {len(parts)}")
    if any(wires_of(c.dom)):
        raise BadPoint(f"run: {c!r} is already batched; call it directly")
    batch = int(np.shape(parts[0])[0]) if parts else 0
    for f, v in zip(factors(c.dom), parts):
        v = np.asarray(v)
        if v.shape != (batch, f.n):
            raise BadPoint(f"run: expected a 0/1 array of shape ({batch}, {f.n}) for {f}, got "
                           f"shape {v.shape}")
        if np.any((v != 0) & (v != 1)):
            raise BadPoint(f"run: non-Boolean value {v[(v != 0) & (v != 1)][0]} for {f}: "
                           f"bits must be 0 or 1")
    rows = np.concatenate([pack(v) for v in parts]) if parts else np.zeros((0, 1), np.uint64)
    return unpack(evaluate_packed(c, list(rows), batch), batch)


def run_batched(c: Circuit, x: Any) -> Any:
    """Evaluate a batched circuit (``CIRCUIT.batch(f, shared, B)`` or its ``R``) bit-parallel
    on a point of its domain: shared factors ``(k,)``, per-example factors ``(B, k)``.
    Returns a point of its codomain (shared outputs ``(m,)``, per-example ``(B, m)``)."""
    fs = factors(c.dom)
    parts = list(x) if len(fs) != 1 else [x]
    batches = {f.batch for f in fs + factors(c.cod) if f.batch is not None}
    if len(batches) != 1:
        raise BadPoint(f"run_batched: {c!r} is not a batched circuit")
    batch = batches.pop()
    w = (batch + 63) // 64
    rows = []
    for f, v in zip(fs, parts):
        v = np.asarray(v, np.uint8)
        if v.shape != f.shape:
            raise BadPoint(f"run_batched: expected shape {f.shape} for {f}, got {v.shape}")
        rows += list(pack(v)) if f.batch is not None else \
            [np.full(w, _ONES if bit else np.uint64(0)) for bit in v]
    out = evaluate_packed(c, rows, batch)
    points, k = [], 0
    for f in factors(c.cod):
        block = out[k:k + f.n]
        k += f.n
        points.append(unpack(block, batch) if f.batch is not None else
                      (block[:, 0] & np.uint64(1)).astype(np.uint8))
    return points[0] if len(points) == 1 else tuple(points)
