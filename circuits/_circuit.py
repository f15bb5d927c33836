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

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from categories import (BadObject, BadPoint, I, Immutable, Morphism, Object,
                        ReverseDerivativeCategory, factors, join_all, split_all, tensor_objects)
from categories.building import TensorObjects, concat, set_fields

from . import _words
from ._netlist import Builder, Chain, Netlist, reverse


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


class Circuit(TensorObjects, Morphism):
    """A polynomial circuit ``dom → cod``: a netlist (hashable, inspectable data).

    Circuits are equal when their objects, netlists and names are. A composite
    (``>>``, ``@``) keeps its parts and makes its netlist (a tensor's objects too)
    on first use; ``>>`` extends the builder of its first part, so a chain built by
    repeated ``>>`` costs time linear in its length.

    Raises:
        BadObject: if the netlist's inputs and outputs do not match the objects' widths.

    Example:
        >>> from circuits import gates
        >>> c = gates.xor() >> gates.not_()
        >>> c.net.counts(), c((bits([1]), bits([1]))).tolist()
        ({'xor': 2, 'const': 1}, [1])
    """

    def __init__(self, dom: Object, cod: Object, net: Netlist, name: str = ""):
        set_fields(self, dom=dom, cod=cod, net=net, name=name, op="prim", parts=())
        if net.n_inputs != _width(dom) or len(net.outputs) != _width(cod):
            raise BadObject(f"circuit {name or '?'}: netlist has {net.n_inputs} inputs "
                            f"and {len(net.outputs)} outputs, but {dom} → {cod} "
                            f"needs {_width(dom)} and {_width(cod)}")

    @classmethod
    def _composite(cls, op: str, parts: tuple, **made: Any) -> Circuit:
        """A composite (``op`` ``"then"`` or ``"tensor"``) of flat ``parts``; ``made`` holds
        what is known already (``dom``, ``cod``, ``name``, ``_chain``, ...), the rest is
        made on first use."""
        c = cls.__new__(cls)
        set_fields(c, op=op, parts=parts, **made)
        return c

    @cached_property
    def _batch(self) -> int | None:
        """The batch size of its per-example wires (BadObject if they mix sizes)."""
        return _batch_size(self.dom, self.cod)

    @cached_property
    def net(self) -> Netlist:
        """The netlist (a composite's is built on first use)."""
        if self.op == "then":
            return self._chain.build()
        b = Builder(_width(self.dom), wires_of(self.dom), self._batch)
        return b.build(_side_by_side(b, self.parts))

    @cached_property
    def name(self) -> str:
        """How it prints (a chain's name is joined on first use)."""
        return " >> ".join(map(repr, self.parts))

    @cached_property
    def _chain(self) -> Chain:
        """A ``>>`` composite's builder state, replayed from its parts unless it was
        reached by extending its first part's."""
        b = Builder(_width(self.dom), wires_of(self.dom), self._batch)
        return Chain.start(b).feed(p.net for p in self.parts)

    @cached_property
    def _passes_through(self) -> bool:
        """Whether the netlist has no gates and outputs its inputs in order."""
        if self.op == "then":
            return self._chain.passes_through
        return not self.net.gates and self.net.outputs == tuple(range(self.net.n_inputs))

    def __setattr__(self, key, value):
        raise Immutable(f"circuits are immutable: cannot set {key} = {value!r:.40} "
                        f"on {self!r:.60}")

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.dom, self.cod, self.net, self.name) == (other.dom, other.cod, other.net,
                                                             other.name)

    def __hash__(self) -> int:
        return hash((self.dom, self.cod, self.net, self.name))

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
    arrays and tracers bit-packed, 32 examples a word, level by level
    (:mod:`circuits._words`), so a compiled step has O(depth) operations, not O(gates)."""
    parts = split_all(x, factors(c.dom))
    if any(isinstance(v, jax.Array) for v in jax.tree.leaves(parts)):
        batch = _batch_size(c.dom, c.cod) or 1
        rows = _rows(c.dom, parts, batch)
        return _point(c.cod, _words.run(c.net, rows, _words.valid_row(batch)), batch)
    vals = []
    for f, v in zip(factors(c.dom), parts):
        v = np.asarray(v).astype(np.uint8) & 1
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


def _layout(obj: Object) -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
    """The wires of ``obj``'s shared factors and of its per-example ones, in factor
    order, and the two groups' factor widths: points move as two blocks (a handful of
    operations however many factors, which keeps compiled programs small)."""
    shared, per, k = [], [], 0
    for f in factors(obj):
        (shared if f.batch is None else per).append(np.arange(k, k + f.n))
        k += f.n
    def cat(groups):
        return np.concatenate(groups).astype(np.int32) if groups else np.zeros(0, np.int32)
    return cat(shared), cat(per), [len(g) for g in shared], [len(g) for g in per]


def _rows(obj: Object, parts: list, batch: int) -> jax.Array:
    """A point of ``obj`` as packed rows, one per wire: the shared factors as rows of
    all-ones or all-zeros words, the per-example ones packed 32 examples a word."""
    words = _words.words_for(batch)
    fs = factors(obj)
    # bits are read mod 2 (see CircuitCategory.check_point): a 2 must not reach a neighbour
    shared = [jnp.asarray(v, jnp.uint8) & 1 for f, v in zip(fs, parts) if f.batch is None]
    per = [jnp.asarray(v, jnp.uint8) & 1 for f, v in zip(fs, parts) if f.batch is not None]
    blocks = ([_words.broadcast(jnp.concatenate(shared), words)] if shared else []) + \
             ([_words.pack(jnp.concatenate(per, axis=1), words)] if per else [])
    if not blocks:
        return jnp.zeros((0, words), jnp.uint32)
    rows = jnp.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    s_idx, p_idx, _, _ = _layout(obj)
    order = np.argsort(np.concatenate([s_idx, p_idx]), kind="stable")
    return rows if np.array_equal(order, np.arange(len(order))) else rows[order]


def _point(obj: Object, rows: jax.Array, batch: int) -> Any:
    """Inverse of :func:`_rows`: shared factors read off bit 0, per-example ones unpacked."""
    s_idx, p_idx, s_sizes, p_sizes = _layout(obj)
    def pieces(bits, sizes, axis):
        # one static slice per factor (jnp.split into many parts compiles far slower)
        ends = np.cumsum(sizes, dtype=int)
        return iter([jax.lax.slice_in_dim(bits, e - n, e, axis=axis) for n, e in zip(sizes, ends)])

    shared = pieces((rows[s_idx, 0] & np.uint32(1)).astype(jnp.uint8), s_sizes, 0)
    per = pieces(_words.unpack(rows[p_idx], batch), p_sizes, 1) if p_sizes else iter(())
    outs = [next(shared) if f.batch is None else next(per) for f in factors(obj)]
    return join_all(outs, factors(obj)) if outs else ()


class CircuitCategory(ReverseDerivativeCategory):
    """Polynomial circuits over Z2 (one instance: ``CIRCUIT``); points compare exactly.

    Example: ``+`` is XOR of outputs, so ``x y + (x + y)`` is OR; and ``−x = x``.

        >>> from circuits import gates
        >>> isinstance(CIRCUIT, CircuitCategory), CIRCUIT
        (True, Circuit)
        >>> f = gates.and_() + gates.xor()
        >>> f, [int(f((bits([x]), bits([y]))).item()) for x in (0, 1) for y in (0, 1)]
        (and + xor, [0, 1, 1, 1])
        >>> CIRCUIT.negate(Bits(1))
        id(bits[1])
    """

    def __repr__(self) -> str:
        return "Circuit"

    def check_point(self, obj: Object, x: Any, where: str = "value") -> None:
        """Raise :class:`~categories.BadPoint` unless ``x`` is a point of ``obj``: an array
        per factor, of its shape, an integer or bool dtype, holding only 0 and 1.

        Shapes and dtypes are static, so they are checked under ``jax.jit`` too; a
        tracer's values are not, so the 0/1 check cannot run there. The rule for values
        evaluation does not check (a tracer's, or any given to ``Circuit.fn``): they are
        read modulo 2 where they enter evaluation (``v & 1``), so a 2 reads as 0 and a 3
        as 1, and no value spills into another example's bit. Mod 2 is the ring map
        ``Z → Z2``: the circuit computes its polynomial on the residues.
        """
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
            if isinstance(v, jax.core.Tracer):
                continue  # values unknown while tracing: read mod 2 (see above)
            bad = np.asarray(v)[(np.asarray(v) != 0) & (np.asarray(v) != 1)]
            if bad.size:
                raise BadPoint(f"{where}: non-Boolean value {bad.ravel()[0]} at {at}: expected "
                               f"bits 0 or 1")

    def _make(self, dom: Object, cod: Object, build, name: str = "") -> Circuit:
        b = Builder(_width(dom), wires_of(dom), _batch_size(dom, cod))
        return Circuit(dom, cod, b.build(build(b)), name)

    def id(self, obj: Object) -> Circuit:
        return self._make(obj, obj, lambda b: list(range(_width(obj))), f"id({obj})")

    def is_id(self, f: Morphism) -> bool:
        # the cheap test first: a tensor's objects are made on first use, a chain's netlist too
        if f.op == "tensor":
            return f._passes_through and f.dom == f.cod
        return f.dom == f.cod and f._passes_through

    def _then(self, parts: tuple[Circuit, ...]) -> Circuit:
        # not flattened by `then` (a composite that is an identity netlist is dropped
        # whole there), so flatten here; a composite is the chain of its flat parts
        dom, cod = parts[0].dom, parts[-1].cod
        made = {"dom": dom, "cod": cod, "_batch": _batch_size(dom, cod)}
        flat = _flat(parts, "then")
        head = parts[0]
        if head.op == "then" and head._chain.newest \
                and head._chain.builder.batch == made["_batch"]:
            made["_chain"] = head._chain.feed(p.net for p in _flat(parts[1:], "then"))
        return Circuit._composite("then", flat, **made)

    def _tensor(self, parts: tuple[Circuit, ...]) -> Circuit:
        flat = _flat(parts, "tensor")
        sizes = {p._batch for p in parts} - {None}
        if len(sizes) > 1:
            raise BadObject(f"one circuit cannot mix batch sizes {sorted(sizes)}")
        # side by side, the netlist is an identity exactly when each part's is
        return Circuit._composite(
            "tensor", flat, _batch=sizes.pop() if sizes else None,
            name=" @ ".join(f"({p!r})" if " >> " in repr(p) else repr(p) for p in parts),
            _passes_through=all(p._passes_through for p in parts))

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

    def inner(self, x: Any, y: Any) -> Any:
        """``⟨x, y⟩ = Σ x_i y_i mod 2`` (the parity of the common ones)."""
        return sum(int(np.vdot(np.asarray(p, np.int64), np.asarray(q, np.int64)))
                   for p, q in zip(jax.tree.leaves(x), jax.tree.leaves(y))) % 2

    def negate(self, a: Object) -> Circuit:
        """In characteristic 2, ``−x = x``."""
        return self.id(a)

    def _rd(self, f: Circuit) -> Circuit:
        net = reverse(f.net, wires_of(f.dom), wires_of(f.cod), _batch_size(f.dom, f.cod))
        return Circuit(f.dom @ f.cod, f.dom, net, f"R[{f!r}]")

    def vjp(self, f: Circuit, a: Any) -> tuple[Any, Any]:
        """``(f(a), dy ↦ R[f](a, dy))`` bit-packed: ``a`` is packed once, and its rows serve
        both the forward netlist and the reverse one (which recomputes ``f`` inside).
        On numpy input (an eager step) it stays in numpy, gate by gate."""
        if not any(isinstance(v, jax.Array) for v in jax.tree.leaves(a)):
            return super().vjp(f, a)
        batch = _batch_size(f.dom, f.cod) or 1
        valid = _words.valid_row(batch)
        rows = _rows(f.dom, split_all(a, factors(f.dom)), batch)

        def pullback(dy):
            both = jnp.concatenate([rows, _rows(f.cod, split_all(dy, factors(f.cod)), batch)])
            return _point(f.dom, _words.run(self.rd(f).net, both, valid), batch)

        return _point(f.cod, _words.run(f.net, rows, valid), batch), pullback

    def batched(self, obj: Object, n: int) -> Object:
        return tensor_objects(*(Bits(f.n, batch=n) for f in factors(obj)))

    def keep_examples(self, batched: Object, x: Any, keep: Any) -> Any:
        """Batched bits are ``(batch, n)`` arrays: zero the rows where ``keep`` is false."""
        return jax.tree.map(lambda v: jnp.where(keep[:, None], v, jnp.zeros_like(v)), x)

    def batch(self, f: Circuit, shared: Object, n: int) -> Circuit:
        """The same netlist run on ``n`` examples at once, ``shared`` broadcast: its
        reverse derivative takes the parity of the shared wires' per-example changes."""
        rest = tensor_objects(*factors(f.dom)[len(factors(shared)):])
        return Circuit(shared @ self.batched(rest, n), self.batched(f.cod, n), f.net,
                       f"batch({f!r}, {n})")


def _flat(parts: tuple[Circuit, ...], op: str) -> tuple[Circuit, ...]:
    """The parts, with those that are ``op`` composites replaced by their own parts."""
    return concat([p.parts if p.op == op else (p,) for p in parts])


def _side_by_side(b: Builder, parts: tuple[Circuit, ...]) -> list[int]:
    """Instantiate the parts' netlists on consecutive inputs; their outputs, in order."""
    outs, k = [], 0
    for p in parts:
        n = p.net.n_inputs
        wires = b.copy_gates(p.net, range(k, k + n))
        outs += [wires[o] for o in p.net.outputs]
        k += n
    return outs


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

