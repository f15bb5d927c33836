"""Polynomial maps over Z3: a third, minimal reverse derivative category (tests only).

Objects are ``Trits(n)`` (points: int32 arrays of shape ``(n,)`` with values in
{0, 1, 2}), ``Trits(n, batch=b)`` for batches (shape ``(b, n)``), and products of
them. A morphism :class:`Poly` is a netlist: one wire per factor, and gates
``add`` and ``mul`` (elementwise, mod 3), ``const``, ``linear`` (``W x`` on its
argument wires concatenated) and ``broadcast``/``reduce`` along a batch axis.
Copy, discard, swap and identities are wiring; ``>>`` and ``@`` splice netlists.

``R`` is *structural*: ``R[f]`` is again a netlist of these gates (reverse mode,
gate by gate), so ``R[R[f]]`` exists (RD.6, RD.7). Per gate, with ``g`` the
change arriving at its output:

* ``add(a, b)``: ``(g, g)``; ``mul(a, b)``: ``(g b, g a)``; ``const``: nothing;
* ``linear_W(a_1 … a_m)``: ``Wᵀ g`` cut into the arguments' widths;
* ``broadcast(a)``: the sum of the rows of ``g``; ``reduce(a)``: ``g`` on every row;
* a wire read twice (copy) receives the sum of its changes; an unread one, 0.

``+`` of points is addition mod 3 and ``−x = 2x``; the laws compare exactly.

Example: ``f(x, y) = x·y + x``; ``R[f]((x, y), c) = ((y + 1) c, x c)``.

    >>> X = Trits(2)
    >>> f = Z3.pair(mul(X), Z3.proj(X, X, 0)) >> add(X)
    >>> x, y, c = trits([1, 2]), trits([2, 2]), trits([1, 2])
    >>> f((x, y)).tolist()
    [0, 0]
    >>> [v.tolist() for v in f.rd()((x, y, c))]  # points of products are flat tuples
    [[0, 0], [1, 1]]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from categories import (BadObject, BadPoint, I, Morphism, Object, ReverseDerivativeCategory,
                        factors, join_all, split_all, tensor_objects)
from categories.strategies import namespace, register

__all__ = ["Trits", "Net", "Poly", "Z3Category", "Z3", "trits", "wires_of", "reverse", "add",
           "mul", "const", "linear", "broadcast", "reduce", "lift", "z3_namespace"]


@dataclass(frozen=True)
class Trits(Object):
    """``n`` elements of Z3; points are int32 arrays of shape ``(n,)`` (``(batch, n)``).

    Example:
        >>> str(Trits(3) @ Trits(2, batch=4)), Trits(2).zeros().tolist()
        ('z3[3] @ z3[4×2]', [0, 0])
    """

    n: int
    batch: int | None = None

    def __post_init__(self):
        if self.n < 1 or (self.batch is not None and self.batch < 1):
            raise BadObject(f"Trits needs n ≥ 1 and batch ≥ 1, got n={self.n}, batch={self.batch}")

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.n,) if self.batch is None else (self.batch, self.n)

    def zeros(self) -> np.ndarray:
        """The zero point."""
        return np.zeros(self.shape, np.int32)

    def __str__(self) -> str:
        return f"z3[{self.n}]" if self.batch is None else f"z3[{self.batch}×{self.n}]"


def wires_of(obj: Object) -> tuple[Trits, ...]:
    """The wires of ``obj``: one per factor, each a :class:`Trits` (else BadObject)."""
    fs = factors(obj)
    for f in fs:
        if not isinstance(f, Trits):
            raise BadObject(f"Z3 works on Trits objects, got {f!r} in {obj}")
    return fs


def trits(values: Any) -> np.ndarray:
    """An int32 point from values in {0, 1, 2} (checked).

    Example:
        >>> trits([2, 0, 1]).tolist()
        [2, 0, 1]
    """
    arr = np.asarray(values)
    if arr.size and not np.isin(arr, (0, 1, 2)).all():
        raise BadPoint(f"trits: values must be 0, 1 or 2, got {np.unique(arr).tolist()}")
    return arr.astype(np.int32)


# -- netlists ------------------------------------------------------------------------

class Net(NamedTuple):
    """Wires ``0 … len(inputs)−1`` are the inputs; gate ``j`` = ``(op, args, data, type)``
    makes wire ``len(inputs) + j``; ``outputs`` lists the wires read out."""

    inputs: tuple[Trits, ...]
    gates: tuple[tuple[str, tuple[int, ...], Any, Trits], ...]
    outputs: tuple[int, ...]

    @property
    def types(self) -> tuple[Trits, ...]:
        return self.inputs + tuple(g[3] for g in self.gates)


class _Builder:
    """A netlist under construction; ``build`` drops the gates no output needs."""

    def __init__(self, inputs: tuple[Trits, ...]):
        self.inputs, self.types, self.gates = tuple(inputs), list(inputs), []

    def gate(self, op: str, args: Any, data: Any, typ: Trits) -> int:
        self.gates.append((op, tuple(args), data, typ))
        self.types.append(typ)
        return len(self.types) - 1

    def splice(self, net: Net, wires: Any, retype: Callable[[Trits], Trits] = lambda t: t
               ) -> list[int]:
        """Instantiate ``net`` on ``wires``; its output wires here."""
        m = list(wires)
        for op, args, data, typ in net.gates:
            m.append(self.gate(op, [m[a] for a in args], data, retype(typ)))
        return [m[o] for o in net.outputs]

    def total(self, ws: list[int], typ: Trits) -> int:
        """The sum of the wires ``ws`` (the constant 0 if there are none)."""
        if not ws:
            return self.gate("const", (), 0, typ)
        out = ws[0]
        for w in ws[1:]:
            out = self.gate("add", (out, w), None, typ)
        return out

    def build(self, outputs: Any) -> Net:
        outputs = tuple(outputs)
        k, live = len(self.inputs), set(outputs)
        for j in reversed(range(len(self.gates))):
            if k + j in live:
                live.update(self.gates[j][1])
        new = list(range(k))
        gates = []
        for j, (op, args, data, typ) in enumerate(self.gates):
            new.append(k + len(gates))  # a dead gate's number is never read: no live gate uses it
            if k + j in live:
                gates.append((op, tuple(new[a] for a in args), data, typ))
        return Net(self.inputs, tuple(gates), tuple(new[o] for o in outputs))


def _run(net: Net, xs: list) -> list:
    """The output values of ``net`` on input values ``xs`` (numpy in, numpy out; traceable)."""
    vals = list(xs)
    for op, args, data, typ in net.gates:
        a = [vals[i] for i in args]
        if op == "add":
            vals.append((a[0] + a[1]) % 3)
        elif op == "mul":
            vals.append((a[0] * a[1]) % 3)
        elif op == "const":
            vals.append(np.full(typ.shape, data, np.int32))
        elif op == "linear":
            xp = jnp if any(isinstance(v, jax.Array) for v in a) else np
            vals.append(xp.concatenate(a, axis=-1) @ data.T % 3)
        elif op == "broadcast":
            vals.append((jnp if isinstance(a[0], jax.Array) else np).broadcast_to(a[0], typ.shape))
        elif op == "reduce":
            vals.append(a[0].sum(axis=0, dtype=a[0].dtype) % 3)
        else:
            raise BadObject(f"unknown gate {op!r} in a Z3 netlist")
    return [vals[o] for o in net.outputs]


def _split_linear(args, w, g, b):
    out, k = [], 0
    for i, a in enumerate(args):
        n = b.types[a].n
        out.append((i, b.gate("linear", (g,), np.ascontiguousarray(w[:, k:k + n].T), b.types[a])))
        k += n
    return out


_BACKWARD: dict[str, Callable[..., list[tuple[int, int]]]] = {
    "add": lambda args, data, g, b: [(0, g), (1, g)],
    "mul": lambda args, data, g, b: [(0, b.gate("mul", (g, args[1]), None, b.types[args[0]])),
                                     (1, b.gate("mul", (g, args[0]), None, b.types[args[1]]))],
    "const": lambda args, data, g, b: [],
    "linear": _split_linear,
    "broadcast": lambda args, data, g, b: [(0, b.gate("reduce", (g,), None, b.types[args[0]]))],
    "reduce": lambda args, data, g, b: [(0, b.gate("broadcast", (g,), None, b.types[args[0]]))],
}
"""``op ↦ (args, data, g, builder) ↦ [(argument position, change wire)]``: the change a
gate sends back to each argument, given the change ``g`` at its output (``args`` are
the builder's wires carrying its inputs). The structural content of ``R``."""


def reverse(net: Net) -> Net:
    """``R`` of a netlist, on inputs ``a`` then changes ``c``: recompute the gates, then
    run them backwards, summing the changes each wire receives.

    Example: ``R[·](a, b, c) = (c b, c a)``; the recomputed product is unused and dropped.

        >>> [(op, args) for op, args, _, _ in reverse(mul(Trits(1)).net).gates]
        [('mul', (2, 1)), ('mul', (2, 0))]
    """
    k, types = len(net.inputs), list(net.types)
    b = _Builder(net.inputs + tuple(types[o] for o in net.outputs))
    m = list(range(k))
    for op, args, data, typ in net.gates:
        m.append(b.gate(op, [m[a] for a in args], data, typ))
    changes: dict[int, list[int]] = defaultdict(list)
    for j, o in enumerate(net.outputs):
        changes[o].append(k + j)
    for j in reversed(range(len(net.gates))):
        op, args, data, typ = net.gates[j]
        if changes.get(k + j):
            g = b.total(changes.pop(k + j), typ)
            for i, change in _BACKWARD[op](tuple(m[a] for a in args), data, g, b):
                changes[args[i]].append(change)
    return b.build(b.total(changes.get(i, []), types[i]) for i in range(k))


# -- morphisms ------------------------------------------------------------------------

class Poly(Morphism):
    """A polynomial map ``dom → cod`` over Z3, given by a netlist (see :class:`Net`).
    Immutable; ``R[f]`` is made once, on first use.

    Raises:
        BadObject: if the netlist's wires do not match the objects' factors.

    Example:
        >>> f = add(Trits(2)) >> Z3.copy(Trits(2))
        >>> f, len(f.net.gates), f.net.outputs
        (add(z3[2]) >> copy(z3[2]), 1, (2, 2))
    """

    def __init__(self, dom: Object, cod: Object, net: Net, name: str):
        types = net.types
        if net.inputs != wires_of(dom) or tuple(types[o] for o in net.outputs) != wires_of(cod):
            raise BadObject(f"{name}: netlist {net.inputs} → "
                            f"{tuple(types[o] for o in net.outputs)} does not fit {dom} → {cod}")
        vars(self).update(dom=dom, cod=cod, net=net, name=name)

    def __setattr__(self, key, value):
        raise AttributeError("Poly maps are immutable")

    @property
    def category(self) -> Z3Category:
        return Z3

    @cached_property
    def reverse(self) -> Poly:
        """``R[self] : dom @ cod → dom``."""
        return Poly(self.dom @ self.cod, self.dom, reverse(self.net), f"R[{self.name}]")

    def fn(self, x: Any) -> Any:
        """Evaluate without checking ``x`` (JAX-traceable)."""
        outs = _run(self.net, split_all(x, wires_of(self.dom)))
        return join_all(outs, wires_of(self.cod))

    def __call__(self, x: Any) -> Any:
        Z3.check_point(self.dom, x, f"{self!r}: input")
        return self.fn(x)

    def __repr__(self) -> str:
        return self.name


def _make(dom: Object, cod: Object, name: str, build: Callable[[_Builder, list], Any]) -> Poly:
    b = _Builder(wires_of(dom))
    return Poly(dom, cod, b.build(build(b, list(range(len(b.inputs))))), name)


def _pointwise(op: str, x: Object) -> Poly:
    k = len(wires_of(x))
    return _make(x @ x, x, f"{op}({x})",
                 lambda b, w: [b.gate(op, (w[i], w[k + i]), None, t)
                               for i, t in enumerate(wires_of(x))])


def add(x: Object) -> Poly:
    """``+ : X @ X → X``, elementwise mod 3."""
    return _pointwise("add", x)


def mul(x: Object) -> Poly:
    """``· : X @ X → X``, elementwise mod 3.

    Example:
        >>> mul(Trits(3))((trits([1, 2, 2]), trits([2, 2, 0]))).tolist()
        [2, 1, 0]
    """
    return _pointwise("mul", x)


def const(x: Object, c: int) -> Poly:
    """The constant ``c ∈ {0, 1, 2}`` everywhere: ``I → X``."""
    if c not in (0, 1, 2):
        raise BadPoint(f"const: c must be 0, 1 or 2, got {c!r}")
    return _make(I, x, f"const({x}, {c})",
                 lambda b, w: [b.gate("const", (), int(c), t) for t in wires_of(x)])


def linear(w: Any, dom: Object, cod: Object) -> Poly:
    """``x ↦ W x mod 3`` on the factors of ``dom`` concatenated, cut into ``cod``'s.

    Example: the sum of two trits, and its transpose.

        >>> s = linear([[1, 1]], Trits(2), Trits(1))
        >>> s(trits([2, 2])).tolist(), s.dagger()(trits([2])).tolist()
        ([1], [2, 2])
    """
    w = trits(w)
    ins, outs = wires_of(dom), wires_of(cod)
    n, m = sum(t.n for t in ins), sum(t.n for t in outs)
    if w.shape != (m, n) or not n or len({t.batch for t in ins + outs}) > 1:
        raise BadObject(f"linear {dom} → {cod} needs a {m}×{n} matrix and wires of one batch "
                        f"size, got shape {w.shape}")
    ends = np.cumsum([0] + [t.n for t in outs])
    return _make(dom, cod, f"linear({dom} → {cod}, {w.tolist()})",
                 lambda b, ws: [b.gate("linear", ws, w[e - t.n:e], t)
                                for t, e in zip(outs, ends[1:])])


def broadcast(shared: Object, n: int) -> Poly:
    """``S → S^n`` (batched): each row a copy; ``R`` sums the rows."""
    cod = Z3.batched(shared, n)
    return _make(shared, cod, f"broadcast({shared}, {n})",
                 lambda b, w: [b.gate("broadcast", (i,), None, t)
                               for i, t in zip(w, wires_of(cod))])


def reduce(shared: Object, n: int) -> Poly:
    """``S^n → S``: the sum of the rows mod 3, the transpose of :func:`broadcast`."""
    return _make(Z3.batched(shared, n), shared, f"reduce({shared}, {n})",
                 lambda b, w: [b.gate("reduce", (i,), None, t)
                               for i, t in zip(w, wires_of(shared))])


def lift(f: Poly, n: int) -> Poly:
    """``f`` on batches of ``n``: the same netlist with every wire batched.

    Example:
        >>> g = lift(mul(Trits(1)), 2)
        >>> str(g.dom), g((trits([[1], [2]]), trits([[2], [2]]))).tolist()
        ('z3[2×1] @ z3[2×1]', [[2], [1]])
    """
    return Z3.batch(f, I, n)


class Z3Category(ReverseDerivativeCategory):
    """Polynomial maps over Z3 (one instance: ``Z3``); points compare exactly.

    Example: ``−x = 2x``, and ``x + 2x = 0``.

        >>> X = Trits(2)
        >>> Z3.negate(X)(trits([1, 2])).tolist(), (Z3.id(X) + Z3.negate(X))(trits([1, 2])).tolist()
        ([2, 1], [0, 0])
    """

    def __repr__(self) -> str:
        return "Z3"

    def check_point(self, obj: Object, x: Any, where: str = "value") -> None:
        """Raise :class:`BadPoint` unless ``x`` is a point of ``obj``: an int32 array per
        factor, of its shape, holding only 0, 1 and 2 (values unchecked on tracers)."""
        fs = wires_of(obj)
        xs = (x,) if len(fs) == 1 else x
        if len(fs) != 1 and (not isinstance(x, tuple) or len(x) != len(fs)):
            got = f"a tuple of length {len(x)}" if isinstance(x, tuple) else type(x).__name__
            raise BadPoint(f"{where}: expected a tuple of {len(fs)} trit arrays for {obj}, got {got}")
        for i, (t, v) in enumerate(zip(fs, xs)):
            at = f"factor {i} ({t})"
            if not (hasattr(v, "shape") and hasattr(v, "dtype")):
                raise BadPoint(f"{where}: expected an int32 array of shape {t.shape} at {at}, "
                               f"got {type(v).__name__}")
            if tuple(v.shape) != t.shape:
                raise BadPoint(f"{where}: shape mismatch at {at}: expected {t.shape}, got "
                               f"{tuple(v.shape)}")
            if np.dtype(v.dtype) != np.int32:
                raise BadPoint(f"{where}: dtype mismatch at {at}: expected int32, got {v.dtype}; "
                               f"convert with .astype('int32')")
            if isinstance(v, jax.core.Tracer):
                continue  # values are unknown while tracing
            bad = np.asarray(v)[~np.isin(np.asarray(v), (0, 1, 2))]
            if bad.size:
                raise BadPoint(f"{where}: value {bad.ravel()[0]} at {at} is not in Z3: expected "
                               f"0, 1 or 2")

    def id(self, obj: Object) -> Poly:
        return _make(obj, obj, f"id({obj})", lambda b, w: w)

    def is_id(self, f: Morphism) -> bool:
        return f.dom == f.cod and not f.net.gates and f.net.outputs == tuple(range(len(f.net.inputs)))

    def _then(self, parts: tuple[Poly, ...]) -> Poly:
        def build(b, w):
            for p in parts:
                w = b.splice(p.net, w)
            return w
        return _make(parts[0].dom, parts[-1].cod, " >> ".join(map(repr, parts)), build)

    def _tensor(self, parts: tuple[Poly, ...]) -> Poly:
        def build(b, w):
            outs, k = [], 0
            for p in parts:
                n = len(p.net.inputs)
                outs += b.splice(p.net, w[k:k + n])
                k += n
            return outs
        return _make(tensor_objects(*(p.dom for p in parts)),
                     tensor_objects(*(p.cod for p in parts)),
                     " @ ".join(f"({p!r})" if " >> " in repr(p) else repr(p) for p in parts),
                     build)

    def swap(self, a: Object, c: Object) -> Poly:
        n = len(wires_of(a))
        return _make(a @ c, c @ a, f"swap({a}, {c})", lambda b, w: w[n:] + w[:n])

    def copy(self, a: Object) -> Poly:
        return _make(a, a @ a, f"copy({a})", lambda b, w: w + w)

    def discard(self, a: Object) -> Poly:
        return _make(a, I, f"discard({a})", lambda b, w: [])

    def zero(self, a: Object, c: Object) -> Poly:
        return _make(a, c, f"zero({a}, {c})",
                     lambda b, w: [b.gate("const", (), 0, t) for t in wires_of(c)])

    def _add(self, f: Poly, g: Poly) -> Poly:
        def build(b, w):
            return [b.gate("add", (u, v), None, t)
                    for u, v, t in zip(b.splice(f.net, w), b.splice(g.net, w), wires_of(f.cod))]
        return _make(f.dom, f.cod, f"{f!r} + {g!r}", build)

    def add_points(self, x: Any, y: Any) -> Any:
        """Addition mod 3."""
        return jax.tree.map(lambda u, v: (u + v) % 3, x, y)

    def inner(self, x: Any, y: Any) -> Any:
        """``⟨x, y⟩ = Σ x_i y_i mod 3``."""
        return sum(int(np.vdot(np.asarray(p, np.int64), np.asarray(q, np.int64)))
                   for p, q in zip(jax.tree.leaves(x), jax.tree.leaves(y))) % 3

    def negate(self, a: Object) -> Poly:
        """``−x = x + x`` in characteristic 3."""
        return _make(a, a, f"negate({a})", lambda b, w: [b.gate("add", (i, i), None, t)
                                                        for i, t in zip(w, wires_of(a))])

    def _rd(self, f: Poly) -> Poly:
        return f.reverse

    def batched(self, obj: Object, n: int) -> Object:
        """Stacked: ``Trits(k) ↦ Trits(k, batch=n)``, factor by factor."""
        if any(t.batch is not None for t in wires_of(obj)):
            raise BadObject(f"cannot batch {obj}: it is batched already")
        return tensor_objects(*(Trits(t.n, batch=n) for t in wires_of(obj)))

    def keep_examples(self, batched: Object, x: Any, keep: Any) -> Any:
        return jax.tree.map(lambda v: jnp.where(keep[:, None], v, jnp.zeros_like(v)), x)

    def batch(self, f: Poly, shared: Object, n: int) -> Poly:
        """``f : S @ X → Y`` on ``n`` rows at once: ``S`` is broadcast into every row, so
        ``R`` sums the rows' changes to it; the rest of the netlist runs row by row."""
        if any(g[0] in ("broadcast", "reduce") for g in f.net.gates):
            raise BadObject(f"cannot batch {f!r}: it works on batches already")
        k = len(factors(shared))
        rest = tensor_objects(*factors(f.dom)[k:])

        def build(b, w):
            spread = [b.gate("broadcast", (i,), None, Trits(t.n, batch=n))
                      for i, t in zip(w[:k], b.inputs)]
            return b.splice(f.net, spread + w[k:], lambda t: Trits(t.n, batch=n))
        return _make(shared @ self.batched(rest, n), self.batched(f.cod, n),
                     f"batch({f!r}, {n})", build)


Z3 = Z3Category()
"""The category of polynomial maps over Z3."""


# -- hypothesis strategies -----------------------------------------------------------

def z3_namespace(category: Z3Category = Z3, *, max_n: int = 3, max_factors: int = 2):
    """The strategies namespace for Z3 (registered: ``strategies_for(Z3)``).

    * ``objects()``: ``Trits(n)`` and products of them;
    * ``points(obj)``: int32 arrays of 0, 1, 2;
    * ``arrows(dom, cod, max_depth=1)``: random polynomial composites: a random
      ``linear`` bridge followed by ``x``, ``x²``, ``x + 1`` or ``2x``, and at depth
      > 0 composites, sums, products ``g·h``, pairs and tensors of smaller arrows.

    Example (``tests/test_z3.py`` draws from it):
        >>> S = z3_namespace(max_n=2)
        >>> sorted(k for k in ("arrows", "composable", "objects", "parallel", "points")
        ...        if callable(getattr(S, k)))
        ['arrows', 'composable', 'objects', 'parallel', 'points']
    """
    if max_n < 1 or max_factors < 1:
        raise InvalidArgument(f"need max_n ≥ 1 and max_factors ≥ 1, got {max_n=}, {max_factors=}")
    one = st.integers(1, max_n).map(Trits)
    c = category

    def objects():
        many = st.lists(one, min_size=2, max_size=max_factors).map(lambda fs: tensor_objects(*fs))
        return st.one_of(one, one, many) if max_factors > 1 else one

    def points(obj):
        parts = [hnp.arrays(np.int32, t.shape, elements=st.integers(0, 2)) for t in wires_of(obj)]
        return st.just(()) if not parts else parts[0] if len(parts) == 1 else st.tuples(*parts)

    endos = {"id": c.id, "square": lambda x: c.copy(x) >> mul(x), "negate": c.negate,
             "plus_one": lambda x: c.pair(c.id(x), c.discard(x) >> const(x, 1)) >> add(x)}

    @st.composite
    def arrows(draw, dom, cod, max_depth=1):
        kinds = ["bridge"]
        if max_depth > 0:
            kinds += ["via", "sum", "product"]
            if len(factors(cod)) > 1:
                kinds.append("pair")
            if len(factors(dom)) > 1 and len(factors(cod)) > 1:
                kinds.append("tensor")
        kind, d = draw(st.sampled_from(kinds)), max_depth - 1
        if kind == "bridge":
            n, m = sum(t.n for t in wires_of(dom)), sum(t.n for t in wires_of(cod))
            w = draw(hnp.arrays(np.int32, (m, n), elements=st.integers(0, 2)))
            return linear(w, dom, cod) >> endos[draw(st.sampled_from(sorted(endos)))](cod)
        if kind == "via":
            mid = draw(objects())
            return draw(arrows(dom, mid, d)) >> draw(arrows(mid, cod, d))
        if kind in ("sum", "product"):
            g, h = draw(arrows(dom, cod, d)), draw(arrows(dom, cod, d))
            return g + h if kind == "sum" else c.pair(g, h) >> mul(cod)
        if kind == "pair":
            c0, rest = factors(cod)[0], tensor_objects(*factors(cod)[1:])
            return c.pair(draw(arrows(dom, c0, d)), draw(arrows(dom, rest, d)))
        d0, drest = factors(dom)[0], tensor_objects(*factors(dom)[1:])
        c0, crest = factors(cod)[0], tensor_objects(*factors(cod)[1:])
        return draw(arrows(d0, c0, d)) @ draw(arrows(drest, crest, d))

    return namespace(category, objects, points, arrows)


register(Z3Category, z3_namespace)
