"""Layout: terms to boxes, ports and wires with coordinates, computed recursively.

Each term is placed in its own frame (a bounding box with its open wire ends on
its edges: inputs on the left, outputs on the right, parameters on top), then
shifted into its parent's. Sequential parts go left to right with a gap wide
enough for the labels of the wires crossing it; parallel parts go top to bottom,
and a part with parameter wires is moved right of everything above it, so that
its wires rise to the top without crossing a box. Wires join ends by matching
the objects of each direction in order; a mismatch is a typed error.

Units are points; ``y`` grows down the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from categories import NotComposable

from . import _terms as t
from ._geometry import Box, Port, Text, Wire

GAP = 18.0     # between neighbouring ports
PAD = 6.0      # inside boxes, around labels
STUB = 12.0    # shortest wire end
FONT = 10.0    # box labels
SMALL = 7.0    # wire labels
EM = 0.62      # advance of a character, in font sizes (DejaVu Sans: 0.64 for digits)
DOT = 3.0      # radius of copy and discard dots
GATE = 9.0     # radius of XOR and AND gates
MARGIN = 4.0   # around the picture
BOX_CHARS = 40  # longest box name shown whole; the box keeps the whole name


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width of ``text`` at font ``size`` (backends agree on it)."""
    return EM * size * len(text)


def shown(label: str) -> str:
    """A box's name as drawn: cut to :data:`BOX_CHARS` with ``…``."""
    return label if len(label) <= BOX_CHARS else label[:BOX_CHARS - 1] + "…"


class _Node:
    """A port of a box, a joint between two placed terms, or an open end."""

    __slots__ = ("id", "x", "y", "spec", "side", "box", "outer")

    def __init__(self, id: int, x: float, y: float, spec: t.Spec, side: str,
                 box: _Box | None = None, outer: bool = False):
        self.id, self.x, self.y, self.spec, self.side = id, x, y, spec, side
        self.box, self.outer = box, outer


class _Box:
    __slots__ = ("label", "kind", "x0", "y0", "x1", "y1", "ports", "path")

    def __init__(self, label: str, kind: str, x0: float, y0: float, x1: float, y1: float,
                 path: tuple):
        self.label, self.kind, self.path = label, kind, path
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1
        self.ports: list[_Node] = []


@dataclass
class _Seg:
    """A piece of wire between two nodes; ``shape`` says how it leaves and arrives
    (``h`` horizontally, ``v`` vertically, ``vh`` down then across, ``line`` straight);
    ``room`` is the length free for a label along it (None: no label here)."""

    a: _Node
    b: _Node
    shape: str
    room: float | None = None


class _Placed:
    """A term placed in its own frame ``[0, w] × [0, h]``, open ends on its edges."""

    def __init__(self, w: float = 0.0, h: float = 0.0):
        self.w, self.h = w, h
        self.nodes: list[_Node] = []
        self.boxes: list[_Box] = []
        self.segs: list[_Seg] = []
        self.left: list[_Node] = []
        self.right: list[_Node] = []
        self.top: list[_Node] = []
        self.bottom: list[_Node] = []

    def shift(self, dx: float, dy: float) -> None:
        for n in self.nodes:
            n.x += dx
            n.y += dy
        for b in self.boxes:
            b.x0, b.x1, b.y0, b.y1 = b.x0 + dx, b.x1 + dx, b.y0 + dy, b.y1 + dy

    def take(self, other: _Placed) -> None:
        self.nodes += other.nodes
        self.boxes += other.boxes
        self.segs += other.segs


def _by_flow(specs_or_nodes, flow: str) -> list:
    return [s for s in specs_or_nodes if _spec(s).flow == flow]


def _spec(x: Any) -> t.Spec:
    return x.spec if isinstance(x, _Node) else x


def _describe(term: Any) -> str:
    label = getattr(term, "label", "")
    return repr(label) if label else type(term).__name__.lower()


class _Canvas:
    """Places terms, numbering the nodes it makes."""

    def __init__(self):
        self.count = 0

    def node(self, p: _Placed, x: float, y: float, spec: t.Spec, side: str,
             box: _Box | None = None) -> _Node:
        n = _Node(self.count, x, y, spec, side, box)
        self.count += 1
        p.nodes.append(n)
        if box is not None:
            box.ports.append(n)
        return n

    def box(self, p: _Placed, label: str, kind: str, x0: float, y0: float, x1: float,
            y1: float, path: tuple) -> _Box:
        b = _Box(label, kind, x0, y0, x1, y1, path)
        p.boxes.append(b)
        return b

    def extend(self, p: _Placed, n: _Node, x: float, y: float, side: str) -> _Node:
        """``n`` if it is at ``(x, y)``, else a new end there joined to it by a straight
        wire (a label may sit on it)."""
        if math.isclose(n.x, x) and math.isclose(n.y, y):
            return n
        m = self.node(p, x, y, n.spec, side)
        p.segs.append(_Seg(n, m, "line", max(abs(x - n.x), abs(y - n.y))))
        return m

    def place(self, term: Any) -> _Placed:
        return getattr(self, "_" + type(term).__name__.lower())(term)

    # -- joints ---------------------------------------------------------------

    def match(self, ends: list[_Node], others: list[_Node], what: str, a: Any, b: Any
              ) -> list[tuple[_Node, _Node]]:
        """Pair the ends of each direction in order, checking their objects agree."""
        pairs = []
        for flow in ("fwd", "bwd"):
            xs, ys = _by_flow(ends, flow), _by_flow(others, flow)
            if [n.spec.obj for n in xs] != [n.spec.obj for n in ys]:
                raise NotComposable(
                    f"cannot draw {_describe(a)} {what} {_describe(b)}: the {flow} wires "
                    f"{[str(n.spec.obj) for n in xs]} ≠ {[str(n.spec.obj) for n in ys]}")
            pairs += zip(xs, ys)
        return pairs

    # -- boxes ----------------------------------------------------------------

    def _prim(self, term: t.Prim) -> _Placed:
        lf, lb = _by_flow(term.left, "fwd"), _by_flow(term.left, "bwd")
        rf, rb = _by_flow(term.right, "fwd"), _by_flow(term.right, "bwd")
        nf, nb = max(len(lf), len(rf)), max(len(lb), len(rb))
        top = STUB if term.top else 0.0
        h = max(nf + nb, 1) * GAP

        def rows(specs, band, start):
            return [top + (start + i + 0.5 + (band - len(specs)) / 2) * GAP
                    for i in range(len(specs))]

        ly, ry = rows(lf, nf, 0) + rows(lb, nb, nf), rows(rf, nf, 0) + rows(rb, nb, nf)
        left, right = lf + lb, rf + rb
        kind = term.kind
        if kind in ("copy", "discard", "xor", "and", "split", "join"):
            return self._shape(term, left, ly, right, ry, h, top)
        w = max(text_width(shown(term.label), FONT) + 2 * PAD, len(term.top) * GAP + PAD,
                GAP if kind == "const" else 1.5 * GAP)
        if kind == "cap":  # room for the half circle that closes it
            w += h / 2
        p = _Placed(w, top + h)
        b = self.box(p, term.label, kind, 0.0, top, w, top + h, term.path)
        p.left = [self.node(p, 0.0, y, s, "left", b) for s, y in zip(left, ly)]
        p.right = [self.node(p, w, y, s, "right", b) for s, y in zip(right, ry)]
        k = len(term.top)
        for i, s in enumerate(term.top):
            port = self.node(p, w / 2 + (i - (k - 1) / 2) * GAP, top, s, "top", b)
            p.top.append(self.extend(p, port, port.x, 0.0, "top"))
        return p

    def _shape(self, term: t.Prim, left, ly, right, ry, h: float, top: float) -> _Placed:
        """A dot, gate or bus bar: ports on the shape, wires fanning out to the rows."""
        kind = term.kind
        r = GATE if kind in ("xor", "and") else DOT
        w = 2 * r + 2 * STUB if kind in ("xor", "and") else GAP * 1.5
        p = _Placed(w, top + h)
        cx, cy = w / 2, top + h / 2
        if kind in ("split", "join"):
            b = self.box(p, term.label, kind, cx - 1.5, top + GAP / 4, cx + 1.5,
                         top + h - GAP / 4, term.path)
        else:
            b = self.box(p, term.label, kind, cx - r, cy - r, cx + r, cy + r, term.path)

        def port_at(side: str, y: float, k: int, i: int) -> tuple[float, float]:
            sign = -1 if side == "left" else 1
            if kind in ("split", "join"):
                bar = cx + sign * 1.5
                fans = (kind == "split") == (side == "right")
                return bar, (y if fans else cy)
            if kind in ("xor", "and") and k > 1:
                dy = r * 0.6 * (2 * i / (k - 1) - 1)
                return cx + sign * math.sqrt(r * r - dy * dy), cy + dy
            return cx + sign * r, cy

        for side, specs, ys, ends in (("left", left, ly, p.left), ("right", right, ry, p.right)):
            x_edge = 0.0 if side == "left" else w
            for i, (s, y) in enumerate(zip(specs, ys)):
                px, py = port_at(side, y, len(specs), i)
                port = self.node(p, px, py, s, side, b)
                end = self.node(p, x_edge, y, s, side)
                a, z = (end, port) if side == "left" else (port, end)
                p.segs.append(_Seg(a, z, "h"))
                ends.append(end)
        return p

    def _over(self, term: t.Over, xs: list[float]) -> tuple[_Placed, float, float]:
        """A box stacked on wires: its bottom ports right above the wires it takes (at
        ``xs``), so they rise straight; returns it with its extent ``x0, x1``."""
        kind = term.kind
        mid = (min(xs) + max(xs)) / 2 if xs else 0.0
        if kind == "wire":
            p = _Placed(0.0, GAP)
            for x, s, u in zip(xs, term.bottom, term.top):
                lo, hi = self.node(p, x, GAP, s, "bottom"), self.node(p, x, 0.0, u, "top")
                p.segs.append(_Seg(lo, hi, "line"))
                p.bottom.append(lo)
                p.top.append(hi)
            return p, min(xs) - GAP / 2, max(xs) + GAP / 2
        if kind in ("copy", "discard"):  # as wide as the wires it takes (neighbours may touch)
            p = _Placed(0.0, GAP)
            b = self.box(p, term.label, kind, mid - DOT, GAP / 2 - DOT, mid + DOT, GAP / 2 + DOT,
                         term.path)
            k = len(term.top)
            for side, specs, y, places, ends in (
                    ("bottom", term.bottom, GAP, xs, p.bottom),
                    ("top", term.top, 0.0, [mid + (i - (k - 1) / 2) * GAP for i in range(k)],
                     p.top)):
                for s, x in zip(specs, places):
                    port = self.node(p, mid, GAP / 2 + (DOT if side == "bottom" else -DOT), s,
                                     side, b)
                    ends.append(self.node(p, x, y, s, side))
                    p.segs.append(_Seg(port, ends[-1], "v"))
            return p, min(xs + [mid]) - GAP / 2, max(xs + [mid]) + GAP / 2
        n = max(len(term.bottom), len(term.top), 1)
        w = max(text_width(shown(term.label), FONT) + 2 * PAD, n * GAP,
                (max(xs) - min(xs) + GAP) if xs else 0.0)
        x0, h = mid - w / 2, 1.4 * GAP
        p = _Placed(w, h)
        b = self.box(p, term.label, kind, x0, 0.0, x0 + w, h, term.path)
        p.bottom = [self.node(p, x, h, s, "bottom", b) for x, s in zip(xs, term.bottom)]
        same = [s.obj for s in term.top] == [s.obj for s in term.bottom]
        k = len(term.top)
        tops = xs if same else [mid + (i - (k - 1) / 2) * (w - GAP) / max(k - 1, 1)
                                for i in range(k)]
        p.top = [self.node(p, x, 0.0, s, "top", b) for x, s in zip(tops, term.top)]
        return p, x0 - GAP / 4, x0 + w + GAP / 4  # a margin: boxes side by side stay apart

    # -- wiring ---------------------------------------------------------------

    def _wires(self, term: t.Wires) -> _Placed:
        specs = _by_flow(term.specs, "fwd") + _by_flow(term.specs, "bwd")
        p = _Placed(2 * STUB, len(specs) * GAP)
        for i, s in enumerate(specs):
            y = (i + 0.5) * GAP
            a, b = self.node(p, 0.0, y, s, "left"), self.node(p, p.w, y, s, "right")
            p.segs.append(_Seg(a, b, "line"))
            p.left.append(a)
            p.right.append(b)
        return p

    def _perm(self, term: t.Perm) -> _Placed:
        n = len(term.left)
        p = _Placed(GAP * max(2.0, n / 2 + 1), n * GAP)
        p.left = [self.node(p, 0.0, (i + 0.5) * GAP, s, "left") for i, s in enumerate(term.left)]
        for j, i in enumerate(term.order):
            end = self.node(p, p.w, (j + 0.5) * GAP, term.left[i], "right")
            p.segs.append(_Seg(p.left[i], end, "h"))
            p.right.append(end)
        return p

    # -- composition ----------------------------------------------------------

    def _seq(self, term: t.Seq) -> _Placed:
        if not term.parts:
            return self._wires(t.Wires(()))
        ps = [self.place(x) for x in term.parts]
        joints = [self.match(a.right, b.left, "before", term.parts[i], term.parts[i + 1])
                  for i, (a, b) in enumerate(zip(ps, ps[1:]))]
        # each part rides at the height of the wires it takes from the one before
        ys = [0.0]
        for (a, b), pairs in zip(zip(ps, ps[1:]), joints):
            if pairs:
                d = sum(u.y - v.y for u, v in pairs) / len(pairs)
            else:
                d = (a.h - b.h) / 2
            ys.append(ys[-1] + d)
        top = min(ys)
        gaps = [max(2 * STUB, 2 * PAD + max(
            (text_width(u.spec.label or v.spec.label, SMALL) for u, v in pairs), default=0.0))
            for pairs in joints]
        out, x = _Placed(), 0.0
        for i, p in enumerate(ps):
            p.shift(x, ys[i] - top)
            out.take(p)
            x += p.w + (gaps[i] if i < len(gaps) else 0.0)
        out.w, out.h = x, max(y - top + p.h for y, p in zip(ys, ps))
        for pairs, gap in zip(joints, gaps):
            out.segs += [_Seg(u, v, "h", gap) for u, v in pairs]
        out.top = [self.extend(out, n, n.x, 0.0, "top") for p in ps for n in p.top]
        out.left, out.right = ps[0].left, ps[-1].right
        return out

    def _par(self, term: t.Par) -> _Placed:
        ps = [self.place(x) for x in term.parts]
        out, y, reach = _Placed(), 0.0, 0.0
        for i, p in enumerate(ps):
            dx = max(0.0, reach + GAP - min(n.x for n in p.top)) if i and p.top else 0.0
            p.shift(dx, y)
            out.take(p)
            y += p.h + GAP / 2
            reach = max(reach, dx + p.w)
        out.w, out.h = reach, max(y - GAP / 2, 0.0)
        out.left = [self.extend(out, n, 0.0, n.y, "left") for p in ps for n in p.left]
        out.right = [self.extend(out, n, out.w, n.y, "right") for p in ps for n in p.right]
        out.top = [self.extend(out, n, n.x, 0.0, "top") for p in ps for n in p.top]
        return out

    def _stack(self, term: t.Stack) -> _Placed:
        p = self.place(term.inner)
        queues = {f: _by_flow(p.top, f) for f in ("fwd", "bwd")}
        items = []
        for o in term.over:
            taken = {}
            for f in ("fwd", "bwd"):
                k = len(_by_flow(o.bottom, f))
                if len(queues[f]) < k:
                    raise NotComposable(f"cannot draw {_describe(o)} on {_describe(term.inner)}: "
                                        f"it takes {k} {f} wires, {len(queues[f])} are left")
                taken[f], queues[f] = queues[f][:k], queues[f][k:]
            ends = taken["fwd"] + taken["bwd"]
            # each bottom port goes right above the wire it takes
            seen = {"fwd": 0, "bwd": 0}
            xs = []
            for s in o.bottom:
                xs.append(taken[s.flow][seen[s.flow]].x)
                seen[s.flow] += 1
            q, x0, x1 = self._over(o, xs)
            items.append((x0, x1, q, self.match(ends, q.bottom, "under", term.inner, o)))
        rest = [n for n in p.top if n in queues["fwd"] or n in queues["bwd"]]
        rise = max(2 * GAP, 2 * PAD + max((text_width(u.spec.label or v.spec.label, SMALL)
                                           for *_, pairs in items for u, v in pairs),
                                          default=0.0))
        out, reach = _Placed(), -math.inf
        out.take(p)
        x_lo, x_hi, top = 0.0, p.w, 0.0
        for x0, x1, q, pairs in sorted(items, key=lambda item: item[0]):
            dx = max(0.0, reach - x0)  # boxes that would overlap move right
            q.shift(dx, -rise - q.h)
            out.take(q)
            out.segs += [_Seg(u, v, "v", rise) for u, v in pairs]
            reach = x1 + dx
            x_lo, x_hi, top = min(x_lo, x0 + dx), max(x_hi, reach), min(top, -rise - q.h)
        out.shift(-x_lo, -top)
        out.w, out.h = x_hi - x_lo, p.h - top
        out.top = [self.extend(out, n, n.x, 0.0, "top")
                   for n in [m for *_, q, _ in items for m in q.top] + rest]
        out.left = [self.extend(out, n, 0.0, n.y, "left") for n in p.left]
        out.right = [self.extend(out, n, out.w, n.y, "right") for n in p.right]
        return out

    def _raise(self, term: t.Raise) -> _Placed:
        p = self.place(term.inner)
        lifted = _by_flow(p.left, "fwd")[:term.fwd] + _by_flow(p.left, "bwd")[:term.bwd]
        kept = [n for n in p.left if n not in lifted]
        margin = max(len(lifted) * GAP + PAD, STUB)
        p.shift(margin, GAP)
        out = _Placed(p.w + margin, p.h + GAP)
        out.take(p)
        # the highest port gets the innermost wire, so the bends do not cross
        x_of = {n.id: margin - GAP / 2 - j * GAP
                for j, n in enumerate(sorted(lifted, key=lambda n: n.y))}
        for n in lifted:
            end = self.node(out, x_of[n.id], 0.0, n.spec, "top")
            out.segs.append(_Seg(end, n, "vh", n.y))
            out.top.append(end)
        out.top += [self.extend(out, n, n.x, 0.0, "top") for n in p.top]
        out.left = [self.extend(out, n, 0.0, n.y, "left") for n in kept]
        out.right = p.right
        return out

    def _frame(self, term: t.Frame) -> _Placed:
        p = self.place(term.inner)
        # the name goes in a band at the bottom, where no wire enters
        w = max(p.w + 2 * PAD, text_width(shown(term.label), SMALL + 1) + 2 * PAD)
        out = _Placed(w, p.h + 2 * PAD + SMALL + 1)
        p.shift((w - p.w) / 2, PAD)
        self.box(out, term.label, "frame", 0.0, 0.0, w, out.h, term.path)
        out.take(p)
        out.left = [self.extend(out, n, 0.0, n.y, "left") for n in p.left]
        out.right = [self.extend(out, n, w, n.y, "right") for n in p.right]
        out.top = [self.extend(out, n, n.x, 0.0, "top") for n in p.top]
        return out

    def _lensbody(self, term: t.LensBody) -> _Placed:
        g = self.place(term.get)
        k = len(term.a)
        if [s.obj for s in term.a] != [n.spec.obj for n in g.left]:
            raise NotComposable(f"cannot draw the lens {term.put!r}: its get takes "
                                f"{[str(n.spec.obj) for n in g.left]}, not "
                                f"{[str(s.obj) for s in term.a]}")
        # copy dots stand in a falling staircase, each feeding a put port further right,
        # so the wires down to put nest without crossing
        dot_x = [GAP * (k - j) for j in range(k)]
        put_x = [GAP * (2 * k + 1 - j) for j in range(k)]
        xg = GAP * (2 * k + 2)
        g.shift(xg, 0.0)
        out = _Placed()
        out.take(g)
        rows = max(len(term.a_change), len(term.b_change), 1)
        y0 = g.h + GAP
        x0 = GAP * (k + 0.5)
        x1 = max(x0 + text_width(shown(term.put), FONT) + 2 * PAD,
                 put_x[0] + GAP / 2 if k else 0.0, xg + g.w)
        out.w, out.h = max(xg + g.w, x1) + STUB, y0 + rows * GAP
        put = self.box(out, term.put, "box", x0, y0, x1, y0 + rows * GAP, term.path)
        tops = [self.node(out, x, y0, s, "top", put) for x, s in zip(put_x, term.a)]
        for j, (n, s) in enumerate(zip(g.left, term.a)):
            dot = self.box(out, "", "copy", dot_x[j] - DOT, n.y - DOT, dot_x[j] + DOT,
                           n.y + DOT, term.path)
            into = self.node(out, dot_x[j] - DOT, n.y, s, "left", dot)
            on = self.node(out, dot_x[j] + DOT, n.y, s, "right", dot)
            down = self.node(out, dot_x[j], n.y + DOT, s, "bottom", dot)
            out.left.append(self.node(out, 0.0, n.y, s, "left"))
            out.segs += [_Seg(out.left[-1], into, "line", dot_x[j] - DOT),
                         _Seg(on, n, "line"), _Seg(down, tops[j], "v")]
        for side, specs, x_box, x_end in (("left", term.a_change, x0, 0.0),
                                          ("right", term.b_change, x1, out.w)):
            ends = out.left if side == "left" else out.right
            if side == "right":
                ends += [self.extend(out, n, out.w, n.y, "right") for n in g.right]
            for i, s in enumerate(specs):
                y = y0 + (i + 0.5 + (rows - len(specs)) / 2) * GAP
                port = self.node(out, x_box, y, s, side, put)
                end = self.node(out, x_end, y, s, side)
                out.segs.append(_Seg(end, port, "line", abs(x_box - x_end)))
                ends.append(end)
        out.top = [self.extend(out, n, n.x, 0.0, "top") for n in g.top]
        return out

    def _gates(self, term: t.Gates) -> _Placed:
        from ._gates import place_gates
        return place_gates(self, term)


# -- the whole picture ---------------------------------------------------------------

_SOURCES = {("right", "fwd"), ("left", "bwd"), ("top", "bwd"), ("bottom", "fwd")}


def _is_source(n: _Node) -> bool:
    """Whether values leave ``n`` along its wire (a box's output, or where the picture's
    inputs come in)."""
    out = (n.side, n.spec.flow) in _SOURCES
    return not out if n.outer else out


def _piece(a: _Node, b: _Node, shape: str):
    (ax, ay), (bx, by) = (a.x, a.y), (b.x, b.y)
    dx, dy = bx - ax, by - ay
    if shape == "h":
        c1, c2 = (ax + dx / 2, ay), (bx - dx / 2, by)
    elif shape == "v":
        c1, c2 = (ax, ay + dy / 2), (bx, by - dy / 2)
    elif shape == "vh":
        c1, c2 = (ax, ay + 0.7 * dy), (ax + 0.3 * dx, by)
    else:
        c1, c2 = (ax + dx / 3, ay + dy / 3), (ax + 2 * dx / 3, ay + 2 * dy / 3)
    return ((ax, ay), c1, c2, (bx, by))


def _bezier(piece, s: float) -> tuple[float, float, float]:
    """Point and tangent angle (degrees, counterclockwise on the page) at ``s``."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = piece
    u = 1 - s
    x = u ** 3 * x0 + 3 * u * u * s * x1 + 3 * u * s * s * x2 + s ** 3 * x3
    y = u ** 3 * y0 + 3 * u * u * s * y1 + 3 * u * s * s * y2 + s ** 3 * y3
    tx = 3 * u * u * (x1 - x0) + 6 * u * s * (x2 - x1) + 3 * s * s * (x3 - x2)
    ty = 3 * u * u * (y1 - y0) + 6 * u * s * (y2 - y1) + 3 * s * s * (y3 - y2)
    return x, y, math.degrees(math.atan2(-ty, tx))


@dataclass(frozen=True)
class Layout:
    """A placed picture: size, boxes, wires, wire labels and the open ends."""

    width: float
    height: float
    boxes: tuple[Box, ...]
    wires: tuple[Wire, ...]
    texts: tuple[Text, ...]
    ends: tuple[Port, ...]


def layout(term: Any) -> Layout:
    """Place ``term``, add the open wire ends around it, and join pieces into wires."""
    canvas = _Canvas()
    p = canvas.place(term)
    widths = {side: max([2 * STUB] + [text_width(n.spec.label, SMALL) + 2 * PAD for n in ends])
              for side, ends in (("left", p.left), ("right", p.right), ("top", p.top))}
    outer = []
    for side, ends in (("left", p.left), ("right", p.right), ("top", p.top)):
        for n in ends:
            x = -widths["left"] if side == "left" else p.w + widths["right"] if side == "right" \
                else n.x
            y = -widths["top"] if side == "top" else n.y
            m = canvas.node(p, x, y, n.spec, side)
            m.outer = True
            p.segs.append(_Seg(m, n, "line", widths[side]))
            outer.append(m)
    x_lo = -widths["left"] if p.left else 0.0
    y_lo = -widths["top"] if p.top else 0.0
    p.shift(MARGIN - x_lo, MARGIN - y_lo)
    width = p.w - x_lo + (widths["right"] if p.right else 0.0) + 2 * MARGIN
    height = p.h - y_lo + 2 * MARGIN
    box_index = {id(b): i for i, b in enumerate(p.boxes)}
    ports = {n.id: Port(n.id, n.x, n.y, n.spec.obj, n.spec.flow, n.side,
                        box_index[id(n.box)] if n.box is not None else None) for n in p.nodes}
    boxes = tuple(Box(b.label, b.kind, b.x0, b.y0, b.x1, b.y1,
                      tuple(ports[n.id] for n in b.ports), b.path) for b in p.boxes)
    wires, texts = _join(p, ports)
    return Layout(width, height, boxes, tuple(wires), tuple(texts),
                  tuple(ports[m.id] for m in outer))


def _join(p: _Placed, ports: dict) -> tuple[list[Wire], list[Text]]:
    """Join the pieces through joints (nodes of no box, not open ends) into wires, each
    from its source to its target, and give each one label where it has room."""
    at: dict[int, list[_Seg]] = {}
    for s in p.segs:
        at.setdefault(s.a.id, []).append(s)
        at.setdefault(s.b.id, []).append(s)
    wires, texts, used = [], [], set()
    for start in p.nodes:
        if (start.box is None and not start.outer) or start.id not in at:
            continue
        if id(at[start.id][0]) in used:
            continue
        path, node, seg = [], start, at[start.id][0]
        while True:
            used.add(id(seg))
            other = seg.b if seg.a is node else seg.a
            path.append((seg, node, other))
            if other.box is not None or other.outer:
                break
            seg = next(s for s in at[other.id] if s is not seg)
            node = other
        end = path[-1][2]
        if not _is_source(start) and _is_source(end):
            path = [(s, b, a) for s, a, b in reversed(path)]
            start, end = end, start
        pieces = tuple(_oriented(s, a, b) for s, a, b in path)
        flow = start.spec.flow
        arrow = None
        if flow == "bwd":
            longest = max(pieces, key=lambda q: math.dist(q[0], q[3]))
            arrow = _bezier(longest, 0.5)
        label, text = _label(path)
        if text is not None:
            texts.append(text)
        wires.append(Wire(start.spec.obj, flow, ports[start.id], ports[end.id], pieces, label,
                          arrow))
    return wires, texts


def _oriented(s: _Seg, a: _Node, b: _Node):
    if s.a is a:
        return _piece(a, b, s.shape)
    q = _piece(b, a, s.shape)
    return (q[3], q[2], q[1], q[0])


def _label(path) -> tuple[str, Text | None]:
    """The wire's label (a role, such as ``inputs``, wins over a bare type) and where it
    goes: on the first piece with room for it, else the roomiest."""
    specs = [n.spec for _, a, b in path for n in (a, b)]
    named = [s.label for s in specs if s.name and s.label]
    plain = [s.label for s in specs if s.label]
    label = (named or plain or [""])[0]
    roomy = [(s, a, b) for s, a, b in path if s.room]
    if not label or not roomy:
        return label, None
    width = text_width(label, SMALL)
    s, a, b = next((r for r in roomy if r[0].room >= width), max(roomy, key=lambda r: r[0].room))
    if s.shape == "vh":  # along its upright part, above the bend
        top, low = (a, b) if a.y <= b.y else (b, a)
        return label, Text(top.x + SMALL + 1.5, low.y - GAP / 2, label, SMALL, 90.0)
    if s.shape == "v" or (s.shape == "line" and abs(b.y - a.y) > abs(b.x - a.x)):
        low = a if a.y >= b.y else b
        return label, Text(low.x + SMALL + 1.5, low.y - 3.0, label, SMALL, 90.0)
    first = a if a.x <= b.x else b
    return label, Text(first.x + 3.0, first.y - 3.0, label, SMALL)
