"""Netlists: polynomial circuits over Z2 as hashable DAGs of XOR and AND gates.

Wires ``0 … n_inputs − 1`` are the inputs; gate ``j`` drives wire ``n_inputs + j``.
A gate is ``("xor", a, b)``, ``("and", a, b)``, ``("const", v, -1)`` or
``("parity", a, -1)``, the XOR of a per-example wire over the batch (it only
appears in reverse derivatives of batched circuits). Copy is fan-out, discard
is a wire nobody reads. The builder folds only *polynomial* identities
(``x + 0 = x``, ``x + x = 0``, ``x · 1 = x``, ``x · 0 = 0``), never ``x · x = x``:
the circuit denotes a polynomial, not just a Boolean function (theory §4.1).

Example:
    >>> b = Builder(2)
    >>> out = b.xor(b.and_(0, 1), 0)
    >>> net = b.build([out])
    >>> net.gates
    (('and', 0, 1), ('xor', 0, 2))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from categories import BadObject

_GATES = ("xor", "and", "const", "parity")


@dataclass(frozen=True)
class Netlist:
    """An immutable, hashable netlist: inputs, gates in topological order, outputs.

    Raises:
        BadObject: unless it is well formed (checked in one pass over the gates): gate
            ``j`` is ``("xor" or "and", a, b)`` or ``("parity", a, -1)`` reading only
            earlier wires ``0 ≤ a, b < n_inputs + j``, or ``("const", 0 or 1, -1)``;
            outputs are wires; wire indices and ``n_inputs ≥ 0`` are ints.

    Example: wire 2 is ``x0 · x1``, wire 3 is ``x0 + x0 x1``.

        >>> net = Netlist(2, (("and", 0, 1), ("xor", 0, 2)), (3,))
        >>> net.n_wires, net.counts()
        (4, {'and': 1, 'xor': 1})
        >>> from circuits import Bits, Circuit, bits
        >>> c = Circuit(Bits(2), Bits(1), net)
        >>> [int(c(bits(x)).item()) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
        [0, 1, 0, 0]
        >>> Netlist(1, (("and", 0, 5),), (1,))
        Traceback (most recent call last):
        ...
        categories._errors.BadObject: netlist: gate 0 (wire 1) is ('and', 0, 5); expected ...
    """

    n_inputs: int
    gates: tuple[tuple[str, int, int], ...]
    outputs: tuple[int, ...]

    def __post_init__(self):
        n = self.n_inputs
        if type(n) is not int or n < 0:
            raise BadObject(f"netlist: expected n_inputs an int ≥ 0, got {n!r}")
        if type(self.gates) is not tuple or type(self.outputs) is not tuple:
            raise BadObject(f"netlist: expected gates and outputs as tuples (netlists are "
                            f"hashable), got {type(self.gates).__name__} and "
                            f"{type(self.outputs).__name__}")
        bad = None
        try:
            # one expression for the common case: this runs on every build (10^5 gates)
            for w, (op, a, b) in enumerate(self.gates, n):
                if not (type(a) is int and type(b) is int and (
                        (op == "xor" or op == "and") and 0 <= a < w and 0 <= b < w
                        or op == "const" and (a == 0 or a == 1) and b == -1
                        or op == "parity" and 0 <= a < w and b == -1)):
                    bad = w
                    break
        except (TypeError, ValueError):  # a gate that is not a triple (`w` is bound first)
            bad = w
        if bad is not None:
            gate = self.gates[bad - n]
            raise BadObject(f"netlist: gate {bad - n} (wire {bad}) is {gate!r}; expected "
                            f"{_expected(gate, bad)}")
        n_wires = self.n_wires
        for k, o in enumerate(self.outputs):
            if type(o) is not int or not 0 <= o < n_wires:
                raise BadObject(f"netlist: output {k} is {o!r}; expected a wire "
                                f"0 ≤ o < {n_wires}")

    @property
    def n_wires(self) -> int:
        return self.n_inputs + len(self.gates)

    def counts(self) -> dict[str, int]:
        """Number of gates of each kind."""
        out: dict[str, int] = {}
        for op, _, _ in self.gates:
            out[op] = out.get(op, 0) + 1
        return out


def _expected(gate, w: int) -> str:
    """What a malformed gate driving wire ``w`` should have been (for the error message)."""
    op = gate[0] if type(gate) is tuple and len(gate) == 3 else None
    if op in ("xor", "and"):
        return (f"({op!r}, a, b) with int wires 0 ≤ a, b < {w}: a gate reads only inputs "
                f"and earlier gates (topological order)")
    if op == "parity":
        return (f"('parity', a, -1) with an int wire 0 ≤ a < {w}: a gate reads only inputs "
                f"and earlier gates (topological order)")
    if op == "const":
        return "('const', v, -1) with v 0 or 1"
    return f"a triple (name, a, b) with name one of {', '.join(_GATES)}"


@dataclass
class Builder:
    """Builds a netlist gate by gate, sharing equal gates and folding constants.

    ``batched[i]`` says whether input ``i`` varies per example; a gate is batched
    when an argument is, and ``parity`` makes a batched wire shared again.
    """

    n_inputs: int
    batched_inputs: Sequence[bool] = ()
    batch: int | None = None
    gates: list = field(default_factory=list)
    batched: list = field(default_factory=list)
    _cache: dict = field(default_factory=dict)
    _consts: dict = field(default_factory=dict)

    def __post_init__(self):
        flags = list(self.batched_inputs) or [False] * self.n_inputs
        if len(flags) != self.n_inputs:
            raise BadObject(f"Builder: expected {self.n_inputs} batch flags (one per input), "
                            f"got {len(flags)}")
        self.batched = flags

    def _gate(self, op: str, a: int, b: int, batched: bool) -> int:
        key = (op, a, b)
        if key not in self._cache:
            self.gates.append(key)
            self.batched.append(batched)
            self._cache[key] = self.n_inputs + len(self.gates) - 1
        return self._cache[key]

    def const(self, v: int) -> int:
        """A constant wire ``0`` or ``1``."""
        if v not in self._consts:
            if v not in (0, 1):
                raise BadObject(f"Builder: expected a constant 0 or 1, got {v!r}")
            self._consts[v] = self._gate("const", int(v), -1, False)
        return self._consts[v]

    def value(self, w: int) -> int | None:
        """The constant a wire carries, if it is a constant gate (BadObject if ``w`` is
        not a wire yet: a negative index would wrap around)."""
        i = w - self.n_inputs
        if not -self.n_inputs <= i < len(self.gates):
            raise BadObject(f"Builder: wire {w!r} does not exist; expected "
                            f"0 ≤ wire < {len(self.batched)}")
        return self.gates[i][1] if i >= 0 and self.gates[i][0] == "const" else None

    def xor(self, a: int, b: int) -> int:
        """``a + b`` (mod 2)."""
        va, vb = self.value(a), self.value(b)
        if va == 0:
            return b
        if vb == 0:
            return a
        if a == b:
            return self.const(0)
        if va is not None and vb is not None:
            return self.const(va ^ vb)
        a, b = min(a, b), max(a, b)
        return self._gate("xor", a, b, self.batched[a] or self.batched[b])

    def and_(self, a: int, b: int) -> int:
        """``a · b``."""
        va, vb = self.value(a), self.value(b)
        if va == 0 or vb == 0:
            return self.const(0)
        if va == 1:
            return b
        if vb == 1:
            return a
        a, b = min(a, b), max(a, b)
        return self._gate("and", a, b, self.batched[a] or self.batched[b])

    def parity(self, a: int) -> int:
        """The XOR over the batch of a per-example wire (a shared wire); a shared wire
        is the same in all ``batch`` examples, so its parity is ``(batch mod 2) · a``."""
        self.value(a)
        if not self.batched[a]:
            return a if (self.batch or 1) % 2 else self.const(0)
        return self._gate("parity", a, -1, False)

    def copy_gates(self, net: Netlist, inputs: Sequence[int]) -> list[int]:
        """Instantiate ``net`` on the given wires; return the wire of every one of its wires."""
        wires = list(inputs)
        for op, a, b in net.gates:
            if op == "xor":
                wires.append(self.xor(wires[a], wires[b]))
            elif op == "and":
                wires.append(self.and_(wires[a], wires[b]))
            elif op == "const":
                wires.append(self.const(a))
            else:
                wires.append(self.parity(wires[a]))
        return wires

    def build(self, outputs: Sequence[int]) -> Netlist:
        """The netlist with these output wires, gates nobody reads removed."""
        live = set(outputs)
        for j in range(len(self.gates) - 1, -1, -1):
            w = self.n_inputs + j
            if w in live:
                op, a, b = self.gates[j]
                if op in ("xor", "and"):
                    live.update((a, b))
                elif op == "parity":
                    live.add(a)
        renumber = {i: i for i in range(self.n_inputs)}
        gates = []
        for j, (op, a, b) in enumerate(self.gates):
            w = self.n_inputs + j
            if w not in live:
                continue
            if op in ("xor", "and"):
                a, b = renumber[a], renumber[b]
            elif op == "parity":
                a = renumber[a]
            gates.append((op, a, b))
            renumber[w] = self.n_inputs + len(gates) - 1
        return Netlist(self.n_inputs, tuple(gates), tuple(renumber[o] for o in outputs))


@dataclass(frozen=True, eq=False)
class Chain:
    """The output ``wires`` that netlists run one after another reach in ``builder``.

    :meth:`feed` appends to the builder in place, so a chain grown part by part
    costs its total size; the builder's other users only ever append, which leaves
    these wires (and :meth:`build`) unchanged. ``size`` is the builder's gate count
    when this state was reached: only the newest state may be fed further.
    """

    builder: Builder
    wires: tuple[int, ...]
    size: int

    @staticmethod
    def start(builder: Builder) -> Chain:
        """The empty chain: the builder's inputs."""
        return Chain(builder, tuple(range(builder.n_inputs)), len(builder.gates))

    @property
    def newest(self) -> bool:
        """Whether nothing was added to the builder since this state."""
        return self.size == len(self.builder.gates)

    def feed(self, nets: Iterable[Netlist]) -> Chain:
        """The chain continued by ``nets`` (each instantiated on the wires so far)."""
        b, wires = self.builder, self.wires
        for net in nets:
            inner = b.copy_gates(net, wires)
            wires = tuple(inner[o] for o in net.outputs)
        return Chain(b, wires, len(b.gates))

    @property
    def passes_through(self) -> bool:
        """Whether the chain so far outputs its inputs unchanged (an identity netlist)."""
        return self.wires == tuple(range(self.builder.n_inputs))

    def build(self) -> Netlist:
        """The netlist of the chain so far."""
        return self.builder.build(self.wires)


def reverse(net: Netlist, batched_inputs: Sequence[bool], batched_outputs: Sequence[bool],
            batch: int | None = None) -> Netlist:
    """The reverse derivative ``R[net] : x @ dy → dx`` by reverse mode over the gates.

    ``R[+](x, d) = (d, d)``; ``R[·]((a, b), d) = (b d, a d)``; fan-out (copy) adds
    adjoints; a shared wire read per example gets the parity of its adjoints
    (copy's reverse derivative, once per example).
    """
    n_in, n_out = net.n_inputs, len(net.outputs)
    b = Builder(n_in + n_out, list(batched_inputs) + list(batched_outputs), batch)
    wires = b.copy_gates(net, range(n_in))
    adjoint: dict[int, int] = {}

    def add(w: int, c: int) -> None:
        if b.batched[c] and not b.batched[wires[w]]:
            c = b.parity(c)
        adjoint[w] = b.xor(adjoint[w], c) if w in adjoint else c

    for k, o in enumerate(net.outputs):
        add(o, n_in + k)
    for j in range(len(net.gates) - 1, -1, -1):
        w = n_in + j
        if w not in adjoint:
            continue
        op, x, y = net.gates[j]
        d = adjoint.pop(w)
        if op == "xor":
            add(x, d)
            add(y, d)
        elif op == "and":
            add(x, b.and_(wires[y], d))
            add(y, b.and_(wires[x], d))
        elif op == "parity":
            add(x, d)
    return b.build([adjoint.get(i, b.const(0)) for i in range(n_in)])
