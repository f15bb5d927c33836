"""Boolean circuits: the CRDC of polynomial circuits over Z2 (RDC Example 14).

Objects are ``Bits(n)`` (and ``Bits(n, batch=b)`` for batches of ``b``
examples); a morphism is a :class:`Circuit`, a hashable netlist of XOR (``+``)
and AND (``·``) gates and constants; copy is fan-out, discard an unread wire.
``+`` of morphisms is XOR of outputs, ``0`` the constant-zero circuit, and
``R[c]`` is again a circuit, built gate by gate (reverse mode), so ``R`` iterates.

Polynomial, not Boolean, semantics: ``x·x`` and ``x`` compute the same
function of bits, but ``R[Δ ; ·](x, d) = x d + x d = 0`` while ``R[1](x, d) = d``.
``R`` is the formal derivative of the polynomial a circuit denotes; it equals
the brute-force derivative of its Boolean function when the polynomial is
multilinear (no wire multiplied by something sharing its variables).

Axioms (as properties in ``tests/laws``, exact equality):

    >>> from circuits import Bits, CIRCUIT, bits, gates
    >>> B = Bits(1)
    >>> x, d = bits([1]), bits([1])

RD.3: ``R[1](x, d) = d``; and the square is not the identity:

    >>> CIRCUIT.id(B).rd()((x, d)).tolist(), (CIRCUIT.copy(B) >> gates.and_()).rd()((x, d)).tolist()
    ([1], [0])
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from categories import (BadObject, BadPoint, I, Morphism, Object, ReverseDerivativeCategory,
                        factors, join_all, split_all, tensor_objects)

from ._netlist import Builder, Netlist, reverse


@dataclass(frozen=True)
class Bits(Object):
    """``n`` wires; points are uint8 arrays of 0/1, shape ``(n,)`` (``(batch, n)`` when batched).

    Example:
        >>> str(Bits(3) @ Bits(2, batch=8))
        'bits[3] @ bits[8×2]'
    """

    n: int
    batch: int | None = None

    def __post_init__(self):
        if self.n < 0 or (self.batch is not None and self.batch < 1):
            raise BadObject(f"Bits needs n ≥ 0 and batch ≥ 1, got n={self.n}, batch={self.batch}")

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.n,) if self.batch is None else (self.batch, self.n)

    def zeros(self) -> np.ndarray:
        """The zero point: all bits 0."""
        return np.zeros(self.shape, np.uint8)

    def __str__(self) -> str:
        return f"bits[{self.n}]" if self.batch is None else f"bits[{self.batch}×{self.n}]"


def wires_of(obj: Object) -> list[bool]:
    """One flag per wire of ``obj``: whether it varies per example."""
    out: list[bool] = []
    for f in factors(obj):
        if not isinstance(f, Bits):
            raise BadObject(f"circuits work on Bits objects, got {f!r}")
        out += [f.batch is not None] * f.n
    return out


def _width(obj: Object) -> int:
    return len(wires_of(obj))


def _batch_size(*objs: Object) -> int | None:
    sizes = {f.batch for o in objs for f in factors(o) if f.batch is not None}
    if len(sizes) > 1:
        raise BadObject(f"one circuit cannot mix batch sizes {sorted(sizes)}")
    return sizes.pop() if sizes else None


@dataclass(frozen=True, repr=False)
class Circuit(Morphism):
    """A polynomial circuit ``dom → cod``: a netlist (hashable, inspectable data).

    Example:
        >>> from circuits import gates
        >>> c = gates.xor() >> gates.not_()
        >>> c.net.counts(), c((bits([1]), bits([1]))).tolist()
        ({'xor': 2, 'const': 1}, [1])
    """

    dom: Object
    cod: Object
    net: Netlist
    name: str = ""

    def __post_init__(self):
        if self.net.n_inputs != _width(self.dom) or len(self.net.outputs) != _width(self.cod):
            raise BadObject(f"circuit {self.name or '?'}: netlist has {self.net.n_inputs} inputs "
                            f"and {len(self.net.outputs)} outputs, but {self.dom} → {self.cod} "
                            f"needs {_width(self.dom)} and {_width(self.cod)}")

    @property
    def category(self) -> CircuitCategory:
        return CIRCUIT

    def fn(self, x: Any) -> Any:
        """Evaluate on 0/1 arrays (JAX-traceable; per-example wires broadcast over the batch)."""
        return evaluate(self, x)

    def __call__(self, x: Any) -> Any:
        CIRCUIT.check_point(self.dom, x, f"{self!r}: input")
        return evaluate(self, x)

    def __repr__(self) -> str:
        if self.name:
            return self.name
        c = self.net.counts()
        return f"circuit({self.dom} → {self.cod}, {sum(c.values())} gates)"


def evaluate(c: Circuit, x: Any) -> Any:
    """Run the netlist on 0/1 arrays: gate by gate with numpy on numpy input; on JAX
    arrays and tracers, level by level (one gather and one bitwise operation per
    depth level and gate kind), so a compiled step has O(depth) operations, not O(gates)."""
    parts = split_all(x, factors(c.dom))
    if any(isinstance(v, jax.Array) for v in jax.tree.leaves(parts)):
        return _evaluate_levels(c, parts)
    vals = []
    for f, v in zip(factors(c.dom), parts):
        v = np.asarray(v).astype(np.uint8)
        vals += [v[..., i] for i in range(f.n)]
    for op, a, b in c.net.gates:
        if op == "xor":
            vals.append(np.bitwise_xor(vals[a], vals[b]))
        elif op == "and":
            vals.append(np.bitwise_and(vals[a], vals[b]))
        elif op == "const":
            vals.append(np.asarray(a, np.uint8))
        else:
            vals.append((np.sum(vals[a].astype(np.int32), axis=0) % 2).astype(np.uint8))
    outs, k = [], 0
    for f in factors(c.cod):
        cols = [np.broadcast_to(vals[o], () if f.batch is None else (f.batch,))
                for o in c.net.outputs[k:k + f.n]]
        k += f.n
        outs.append(np.stack(cols, axis=-1) if cols else np.zeros(f.shape, np.uint8))
    return join_all(outs, factors(c.cod)) if factors(c.cod) else ()


@functools.lru_cache(maxsize=512)
def _levels(net: Netlist) -> tuple[np.ndarray, list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]]:
    """Constant-one wires, and the gates grouped by (depth, kind) as index arrays."""
    depth = [0] * net.n_inputs
    groups: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
    ones = []
    for j, (op, a, b) in enumerate(net.gates):
        w = net.n_inputs + j
        if op == "const":
            depth.append(0)
            if a:
                ones.append(w)
            continue
        d = 1 + max(depth[a], depth[b] if op in ("xor", "and") else 0)
        depth.append(d)
        groups.setdefault((d, op), []).append((w, a, max(b, 0)))
    levels = [(op, *(np.array(col, np.int32) for col in zip(*rows)))
              for (_, op), rows in sorted(groups.items())]
    return np.array(ones, np.int32), levels


def _evaluate_levels(c: Circuit, parts: list) -> Any:
    sizes = {f.batch for f in factors(c.dom) + factors(c.cod) if f.batch is not None}
    shape = (sizes.pop(),) if sizes else ()
    rows = []
    for f, v in zip(factors(c.dom), parts):
        v = jnp.asarray(v).astype(jnp.uint8)
        rows.append(v.T if f.batch is not None else jnp.broadcast_to(v[:, None] if shape else v,
                                                                   (f.n, *shape)))
    wires = jnp.zeros((c.net.n_wires, *shape), jnp.uint8)
    if rows:
        wires = wires.at[:c.net.n_inputs].set(jnp.concatenate(rows))
    ones, levels = _levels(c.net)
    if ones.size:
        wires = wires.at[ones].set(1)
    for op, out, a, b in levels:
        if op == "xor":
            wires = wires.at[out].set(wires[a] ^ wires[b])
        elif op == "and":
            wires = wires.at[out].set(wires[a] & wires[b])
        else:
            parity = (jnp.sum(wires[a].astype(jnp.int32), axis=-1, keepdims=True) % 2)
            wires = wires.at[out].set(jnp.broadcast_to(parity.astype(jnp.uint8), (len(out), *shape)))
    outs, k = [], 0
    for f in factors(c.cod):
        block = wires[np.array(c.net.outputs[k:k + f.n], np.int32)] if f.n else \
            jnp.zeros((0, *shape), jnp.uint8)
        k += f.n
        outs.append(block.T if f.batch is not None else (block[:, 0] if shape else block))
    return join_all(outs, factors(c.cod)) if factors(c.cod) else ()


class CircuitCategory(ReverseDerivativeCategory):
    """Polynomial circuits over Z2 (one instance: ``CIRCUIT``); points compare exactly."""

    def __repr__(self) -> str:
        return "Circuit"

    def check_point(self, obj: Object, x: Any, where: str = "value") -> None:
        fs = factors(obj)
        xs = (x,) if len(fs) == 1 else x
        if len(fs) != 1 and (not isinstance(x, tuple) or len(x) != len(fs)):
            raise BadPoint(f"{where}: expected a tuple of {len(fs)} bit arrays for {obj}, got "
                           f"{type(x).__name__}")
        for i, (f, v) in enumerate(zip(fs, xs)):
            at = f"factor {i} ({f})"
            if not hasattr(v, "shape") or not hasattr(v, "dtype"):
                raise BadPoint(f"{where}: expected a 0/1 array of shape {f.shape} at {at}, got "
                               f"{type(v).__name__}")
            if tuple(v.shape) != f.shape:
                raise BadPoint(f"{where}: width mismatch at {at}: expected shape {f.shape}, got "
                               f"{tuple(v.shape)}")
            if not (jnp.issubdtype(v.dtype, jnp.integer) or v.dtype == jnp.bool_):
                raise BadPoint(f"{where}: expected bits (uint8 or bool) at {at}, got {v.dtype}")
            if not isinstance(v, jax.core.Tracer) and np.any((np.asarray(v) != 0) & (np.asarray(v) != 1)):
                bad = np.asarray(v)[(np.asarray(v) != 0) & (np.asarray(v) != 1)]
                raise BadPoint(f"{where}: non-Boolean value {bad.ravel()[0]} at {at}: bits must be 0 or 1")

    def _make(self, dom: Object, cod: Object, build, name: str = "") -> Circuit:
        b = Builder(_width(dom), wires_of(dom), _batch_size(dom, cod))
        return Circuit(dom, cod, b.build(build(b)), name)

    def id(self, obj: Object) -> Circuit:
        return self._make(obj, obj, lambda b: list(range(_width(obj))), f"id({obj})")

    def is_id(self, f: Morphism) -> bool:
        return (f.dom == f.cod and not f.net.gates
                and f.net.outputs == tuple(range(f.net.n_inputs)))

    def _then(self, parts: tuple[Circuit, ...]) -> Circuit:
        def build(b):
            wires = list(range(b.n_inputs))
            for p in parts:
                wires = [b.copy_gates(p.net, wires)[o] for o in p.net.outputs]
            return wires
        return self._make(parts[0].dom, parts[-1].cod, build,
                          " >> ".join(map(repr, parts)))

    def _tensor(self, parts: tuple[Circuit, ...]) -> Circuit:
        def build(b):
            outs, k = [], 0
            for p in parts:
                n = p.net.n_inputs
                wires = b.copy_gates(p.net, range(k, k + n))
                outs += [wires[o] for o in p.net.outputs]
                k += n
            return outs
        dom = tensor_objects(*(p.dom for p in parts))
        return self._make(dom, tensor_objects(*(p.cod for p in parts)), build,
                          " @ ".join(f"({p!r})" if " >> " in repr(p) else repr(p) for p in parts))

    def swap(self, a: Object, b_: Object) -> Circuit:
        n, m = _width(a), _width(b_)
        return self._make(a @ b_, b_ @ a, lambda b: list(range(n, n + m)) + list(range(n)),
                          f"swap({a}, {b_})")

    def copy(self, a: Object) -> Circuit:
        n = _width(a)
        return self._make(a, a @ a, lambda b: list(range(n)) * 2, f"copy({a})")

    def discard(self, a: Object) -> Circuit:
        return self._make(a, I, lambda b: [], f"discard({a})")

    def zero(self, a: Object, c: Object) -> Circuit:
        return self._make(a, c, lambda b: [b.const(0)] * _width(c), f"zero({a}, {c})")

    def _add(self, f: Circuit, g: Circuit) -> Circuit:
        def build(b):
            fo = b.copy_gates(f.net, range(b.n_inputs))
            go = b.copy_gates(g.net, range(b.n_inputs))
            return [b.xor(fo[x], go[y]) for x, y in zip(f.net.outputs, g.net.outputs)]
        return self._make(f.dom, f.cod, build, f"{f!r} + {g!r}")

    def add_points(self, x: Any, y: Any) -> Any:
        """Bits add by XOR."""
        return jax.tree.map(np.bitwise_xor, x, y)

    def negate(self, a: Object) -> Circuit:
        """In characteristic 2, ``−x = x``."""
        return self.id(a)

    def _rd(self, f: Circuit) -> Circuit:
        net = reverse(f.net, wires_of(f.dom), wires_of(f.cod), _batch_size(f.dom, f.cod))
        return Circuit(f.dom @ f.cod, f.dom, net, f"R[{f!r}]")

    def batched(self, obj: Object, n: int) -> Object:
        return tensor_objects(*(Bits(f.n, batch=n) for f in factors(obj)))

    def batch(self, f: Circuit, shared: Object, n: int) -> Circuit:
        """The same netlist run on ``n`` examples at once, ``shared`` broadcast: its
        reverse derivative takes the parity of the shared wires' per-example changes."""
        rest = tensor_objects(*factors(f.dom)[len(factors(shared)):])
        return Circuit(shared @ self.batched(rest, n), self.batched(f.cod, n), f.net,
                       f"batch({f!r}, {n})")


CIRCUIT = CircuitCategory()
"""The category of polynomial circuits over Z2."""


def bits(values: Any) -> np.ndarray:
    """A 0/1 uint8 array from a sequence of bits (checked).

    Example:
        >>> bits([1, 0, 1]).tolist()
        [1, 0, 1]
    """
    arr = np.asarray(values)
    if arr.size and not np.all((arr == 0) | (arr == 1)):
        raise BadPoint(f"bits: values must be 0 or 1, got {np.unique(arr).tolist()}")
    return arr.astype(np.uint8)

