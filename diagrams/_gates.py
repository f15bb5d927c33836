"""Gate-level layout of a netlist: XOR and AND gates, constants, copy and discard dots.

A layered drawing (Sugiyama style): inputs in the first column, each gate one
column right of its latest argument, constants just before their first reader,
outputs in the last column. A wire read further on runs through one point per
column it crosses, so no wire passes through a gate; a wire read more than once
branches at a copy dot, and an input nobody reads ends in a discard dot. Within
a column, nodes are ordered by the mean position of their neighbours (a few
sweeps each way), which untangles most crossings.
"""

from __future__ import annotations

from typing import Any

from circuits import Bits

from . import _terms as t
from ._layout import DOT, GAP, GATE, STUB, _Canvas, _Node, _Placed, _Seg

COLUMN = 3 * GAP
SWEEPS = 4
HEIGHT = {"xor": 1.6 * GAP, "and": 1.6 * GAP, "const": GAP, "parity": GAP, "pass": 0.6 * GAP,
          "in": GAP, "out": GAP}


class _G:
    """A node of the layered graph: an input bit, a gate, a point a wire passes
    through (a copy dot where it branches), or an output bit."""

    def __init__(self, kind: str, level: int, wire: int = -1, slot: int = -1):
        self.kind, self.level, self.wire, self.slot = kind, level, wire, slot
        self.preds: list[_G] = []
        self.succs: list[_G] = []
        self.y = 0.0


def _link(a: _G, b: _G) -> None:
    a.succs.append(b)
    b.preds.append(a)


def place_gates(c: _Canvas, term: t.Gates) -> _Placed:
    net = term.net
    n_in, gates = net.n_inputs, net.gates
    types = [Bits(1, s.obj.batch) for s in term.dom for _ in range(s.obj.n)]
    for op, a, b in gates:
        batched = op in ("xor", "and") and (types[a].batch or types[b].batch)
        types.append(Bits(1, batched or None))
    readers: list[list[tuple[Any, int]]] = [[] for _ in types]
    for j, (op, a, b) in enumerate(gates):
        for port, w in enumerate((a, b) if op in ("xor", "and") else (a,) if op == "parity"
                                 else ()):
            readers[w].append((j, port))
    for k, w in enumerate(net.outputs):
        readers[w].append(("out", k))

    level = [0] * n_in + [0] * len(gates)
    for j, (op, a, b) in enumerate(gates):
        if op in ("xor", "and"):
            level[n_in + j] = 1 + max(level[a], level[b])
        elif op == "parity":
            level[n_in + j] = 1 + level[a]
    last = 1 + max(level, default=0)

    def reader_level(r) -> int:
        return last if r[0] == "out" else level[n_in + r[0]]

    for j, (op, _, _) in enumerate(gates):  # constants just before their first reader
        if op == "const" and readers[n_in + j]:
            level[n_in + j] = min(reader_level(r) for r in readers[n_in + j]) - 1

    sources = [_G("in", 0, w) for w in range(n_in)] + \
              [_G(op, level[n_in + j], n_in + j) for j, (op, _, _) in enumerate(gates)]
    outs = [_G("out", last, slot=k) for k in range(len(net.outputs))]
    columns: list[list[_G]] = [[] for _ in range(last + 1)]
    for g in sources:
        columns[g.level].append(g)
    columns[last] += outs
    reached: dict[tuple[int, int], _G] = {}  # (wire, level) → the node it is read from there
    for w, g in enumerate(sources):
        rs = readers[w]
        far = max((reader_level(r) for r in rs), default=g.level)
        at = g
        reached[(w, g.level)] = g
        for lv in range(g.level + 1, far):
            point = _G("pass", lv, w)
            columns[lv].append(point)
            _link(at, point)
            at = reached[(w, lv)] = point
        for r in rs:
            node = outs[r[1]] if r[0] == "out" else sources[n_in + r[0]]
            _link(reached[(w, reader_level(r) - 1)], node)
    _order(columns)
    return _draw(c, term, columns, sources, outs, types)


def _order(columns: list[list[_G]]) -> None:
    """Barycentre sweeps; the first and last columns (inputs, outputs) keep their order."""
    def sweep(col: list[_G], neighbours) -> None:
        index = {id(g): i for c in columns for i, g in enumerate(c)}
        def key(g: _G) -> float:
            ns = neighbours(g)
            return sum(index[id(n)] for n in ns) / len(ns) if ns else index[id(g)]
        col.sort(key=key)

    inner = range(1, len(columns) - 1)
    for _ in range(SWEEPS):
        for lv in inner:
            sweep(columns[lv], lambda g: g.preds)
        for lv in reversed(inner):
            sweep(columns[lv], lambda g: g.succs)


def _draw(c: _Canvas, term: t.Gates, columns, sources, outs, types) -> _Placed:
    p = _Placed()
    inputs, outputs = [s.obj for s in term.dom], [s.obj for s in term.cod]
    x0 = 2 * STUB + 3.0  # the right side of the input bars
    xs = [x0 + lv * COLUMN for lv in range(len(columns))]
    heights = [sum(HEIGHT[g.kind] for g in col) + _bus_gaps(col, inputs, outputs)
               for col in columns]
    full = max(heights + [GAP])
    for col, h in zip(columns, heights):
        y = (full - h) / 2
        for i, g in enumerate(col):
            y += _bus_gap(col, i, inputs, outputs)
            g.y = y + HEIGHT[g.kind] / 2
            y += HEIGHT[g.kind]
    width = xs[-1] + 2 * STUB
    p.w, p.h = width, full
    path = term.path
    out_port: dict[int, _Node] = {}      # node id → the port its wire leaves from
    in_port: dict[tuple, _Node] = {}     # (node id, pred id, k) → the port reading its k-th input
    fans: dict[int, list[_Node]] = {}    # node id → the ports of the copy dot of a pass point

    # inputs: one bar per factor of several bits, a straight end for one bit
    k = 0
    for s in term.dom:
        bits = sources[k:k + s.obj.n]
        mid = sum(g.y for g in bits) / len(bits) if bits else full / 2
        end = c.node(p, 0.0, mid, s, "left")
        p.left.append(end)
        if s.obj.n == 0:  # a wire of no bits: nothing to read
            b = c.box(p, "", "discard", x0 - 2 * DOT, mid - DOT, x0, mid + DOT, path)
            p.segs.append(_Seg(end, c.node(p, b.x0, mid, s, "left", b), "line"))
        elif s.obj.n == 1:
            out_port[id(bits[0])] = end
        else:
            half = (len(bits) - 0.5) * GAP / 2 + DOT
            bar = c.box(p, "", "split", x0 - 3.0, mid - half, x0, mid + half, path)
            into = c.node(p, x0 - 3.0, mid, s, "left", bar)
            p.segs.append(_Seg(end, into, "line"))
            for g in bits:
                out_port[id(g)] = c.node(p, x0, g.y, t.Spec(types[g.wire]), "right", bar)
        k += s.obj.n

    for col, x in zip(columns, xs):
        for g in col:
            spec = t.Spec(types[g.wire]) if g.wire >= 0 else None
            if g.kind in ("xor", "and"):
                b = c.box(p, "⊕" if g.kind == "xor" else "∧", g.kind, x - GATE, g.y - GATE,
                          x + GATE, g.y + GATE, path)
                for i, pred in enumerate(_inputs(g)):
                    dy = GATE * 0.6 * (2 * i - 1)
                    port = c.node(p, x - (GATE * GATE - dy * dy) ** 0.5, g.y + dy,
                                  t.Spec(types[pred.wire]), "left", b)
                    in_port[(id(g), id(pred), i)] = port
                out_port[id(g)] = c.node(p, x + GATE, g.y, spec, "right", b)
            elif g.kind in ("const", "parity"):
                label = str(term.net.gates[g.wire - term.net.n_inputs][1]) if g.kind == "const" \
                    else "parity"
                half = max(len(label) * 3.5 + 3.0, GAP / 3)
                b = c.box(p, label, "const" if g.kind == "const" else "box", x - half,
                          g.y - GAP * 0.4, x + half, g.y + GAP * 0.4, path)
                for pred in g.preds:
                    in_port[(id(g), id(pred), 0)] = c.node(p, x - half, g.y,
                                                           t.Spec(types[pred.wire]), "left", b)
                out_port[id(g)] = c.node(p, x + half, g.y, spec, "right", b)
            elif g.kind == "pass" and len(g.succs) > 1:  # the wire branches here
                b = c.box(p, "", "copy", x - DOT, g.y - DOT, x + DOT, g.y + DOT, path)
                in_port[(id(g), id(g.preds[0]), 0)] = c.node(p, x - DOT, g.y, spec, "left", b)
                fans[id(g)] = [c.node(p, x + DOT, g.y, spec, "right", b) for _ in g.succs]
                out_port[id(g)] = fans[id(g)][0]
            elif g.kind == "pass":
                point = c.node(p, x, g.y, spec, "right")
                in_port[(id(g), id(g.preds[0]), 0)] = out_port[id(g)] = point

    # outputs: one bar per factor of several bits, a straight end for one bit
    k = 0
    for s in term.cod:
        bits = outs[k:k + s.obj.n]
        mid = sum(g.y for g in bits) / len(bits) if bits else full / 2
        end = c.node(p, width, mid, s, "right")
        p.right.append(end)
        if s.obj.n == 1:
            in_port[(id(bits[0]), id(bits[0].preds[0]), 0)] = end
        else:
            half = max(len(bits) - 0.5, 0.5) * GAP / 2 + DOT
            bar = c.box(p, "", "join", xs[-1], mid - half, xs[-1] + 3.0, mid + half, path)
            p.segs.append(_Seg(c.node(p, xs[-1] + 3.0, mid, s, "right", bar), end, "line"))
            for g in bits:
                in_port[(id(g), id(g.preds[0]), 0)] = c.node(p, xs[-1], g.y,
                                                           t.Spec(types[g.preds[0].wire]),
                                                           "left", bar)
        k += s.obj.n

    # wires: a copy dot where one leaves for several places, a discard dot where none
    for col in columns:
        for g in col:
            if g.kind == "out":
                continue
            start, taken = out_port[id(g)], {}
            targets = []
            for n in g.succs:
                slots = [i for i, q in enumerate(_inputs(n)) if q is g]
                targets.append(in_port[(id(n), id(g), slots[taken.get(id(n), 0)])])
                taken[id(n)] = taken.get(id(n), 0) + 1
            if not targets:
                b = c.box(p, "", "discard", start.x + GAP / 2 - DOT, g.y - DOT,
                          start.x + GAP / 2 + DOT, g.y + DOT, path)
                p.segs.append(_Seg(start, c.node(p, b.x0, g.y, start.spec, "left", b), "line"))
            starts = [start] * len(targets)
            if len(targets) > 1:  # a copy dot, one port for each place the wire goes
                starts = fans[id(g)] if g.kind == "pass" else _fan(c, p, start, len(targets), path)
            p.segs += [_Seg(a, port, "h") for a, port in zip(starts, targets)]
    return p


def _inputs(node: _G) -> list[_G]:
    """``node``'s predecessors in the order of its ports (a gate reads the higher wire on
    its upper port)."""
    return sorted(node.preds, key=lambda n: n.y) if node.kind in ("xor", "and") else node.preds


def _fan(c: _Canvas, p: _Placed, start: _Node, k: int, path: tuple) -> list[_Node]:
    """A copy dot just right of ``start``; returns its ``k`` output ports."""
    x, y = start.x + GAP / 2, start.y
    b = c.box(p, "", "copy", x - DOT, y - DOT, x + DOT, y + DOT, path)
    p.segs.append(_Seg(start, c.node(p, x - DOT, y, start.spec, "left", b), "line"))
    return [c.node(p, x + DOT, y, start.spec, "right", b) for _ in range(k)]


def _bus_gap(col: list[_G], i: int, inputs, outputs) -> float:
    """Extra room above node ``i`` of the input or output column where a new factor starts."""
    g = col[i]
    if g.kind not in ("in", "out") or i == 0:
        return 0.0
    bounds, k = set(), 0
    for f in (inputs if g.kind == "in" else outputs):
        bounds.add(k)
        k += f.n
    index = g.wire if g.kind == "in" else g.slot
    return GAP / 2 if index in bounds else 0.0


def _bus_gaps(col: list[_G], inputs, outputs) -> float:
    return sum(_bus_gap(col, i, inputs, outputs) for i in range(len(col)))
