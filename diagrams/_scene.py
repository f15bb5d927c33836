"""The layout as plain shapes (Bézier strokes, discs, words), grouped per box and wire.

Every backend (SVG, TikZ, matplotlib) renders these and nothing else, so the
three agree on what a box of each kind looks like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union

from ._geometry import Box, Piece, Wire
from ._layout import FONT, PAD, SMALL, Layout, shown

INK, BACK, SOFT = "#000000", "#a8322d", "#555555"   # values, changes (lens backward), labels
FILLS = {"box": "#ffffff", "lens": "#e8eefb", "cap": "#fdf1dc", "const": "#eeeeee",
         "xor": "#ffffff", "and": "#ffffff"}
KAPPA = 0.5523  # Bézier control length of a quarter circle, per radius


@dataclass(frozen=True)
class Stroke:
    """A path of cubic pieces; closed paths may be filled."""

    pieces: tuple[Piece, ...]
    color: str = INK
    fill: str | None = None
    width: float = 1.0
    dashed: bool = False
    closed: bool = False


@dataclass(frozen=True)
class Disc:
    """A circle at ``(x, y)`` of radius ``r``."""

    x: float
    y: float
    r: float
    fill: str
    color: str = INK
    width: float = 1.0


@dataclass(frozen=True)
class Words:
    """Text, its baseline from ``(x, y)`` (``anchor`` ``start``) or centred on ``x``."""

    x: float
    y: float
    text: str
    size: float
    anchor: str = "middle"
    angle: float = 0.0
    color: str = INK


Shape = Union[Stroke, Disc, Words]


@dataclass(frozen=True)
class Group:
    """The shapes of one thing: ``kind`` is ``box``, ``frame``, ``wire`` or ``label``."""

    kind: str
    name: str
    shapes: tuple[Shape, ...]


def _line(a, b) -> Piece:
    return (a, (a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
            (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b)


def _polygon(points) -> tuple[Piece, ...]:
    return tuple(_line(a, b) for a, b in zip(points, points[1:] + points[:1]))


def _rect(x0, y0, x1, y1) -> tuple[Piece, ...]:
    return _polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def _cap(b: Box) -> tuple[Piece, ...]:
    """A box whose right side is a half circle: the cap that ends the loss wire."""
    r = min((b.y1 - b.y0) / 2, b.x1 - b.x0)
    xm, ym, k = b.x1 - r, (b.y0 + b.y1) / 2, KAPPA * r
    return (_line((b.x0, b.y0), (xm, b.y0)),
            ((xm, b.y0), (xm + k, b.y0), (b.x1, ym - k), (b.x1, ym)),
            ((b.x1, ym), (b.x1, ym + k), (xm + k, b.y1), (xm, b.y1)),
            _line((xm, b.y1), (b.x0, b.y1)), _line((b.x0, b.y1), (b.x0, b.y0)))


def _box(b: Box) -> Group:
    cx, cy = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
    r = (b.x1 - b.x0) / 2
    if b.kind == "frame":
        return Group("frame", b.label, (
            Stroke(_rect(b.x0, b.y0, b.x1, b.y1), SOFT, dashed=True, width=0.8, closed=True),
            Words(b.x0 + PAD, b.y1 - PAD, shown(b.label), SMALL + 1, "start", color=SOFT)))
    if b.kind in ("copy", "discard"):
        return Group("box", b.kind, (Disc(cx, cy, r, INK),))
    if b.kind in ("split", "join"):
        return Group("box", b.kind, (Stroke(_rect(b.x0, b.y0, b.x1, b.y1), fill=INK,
                                            closed=True),))
    if b.kind == "xor":
        return Group("box", b.label, (Disc(cx, cy, r, FILLS["xor"]),
                                      Stroke((_line((cx - r, cy), (cx + r, cy)),)),
                                      Stroke((_line((cx, cy - r), (cx, cy + r)),))))
    if b.kind == "and":
        return Group("box", b.label, (Disc(cx, cy, r, FILLS["and"]),
                                      Words(cx, cy + 0.35 * FONT, b.label, FONT)))
    outline = _cap(b) if b.kind == "cap" else _rect(b.x0, b.y0, b.x1, b.y1)
    size = FONT if b.y1 - b.y0 > FONT + 2 else SMALL
    text_x = (b.x0 + b.x1 - ((b.y1 - b.y0) / 2 if b.kind == "cap" else 0)) / 2
    return Group("box", b.label, (Stroke(outline, fill=FILLS.get(b.kind, FILLS["box"]),
                                         closed=True),
                                  Words(text_x, cy + 0.35 * size, shown(b.label), size)))


def _arrow(x: float, y: float, angle: float, color: str) -> Stroke:
    """A small filled triangle at ``(x, y)`` pointing along ``angle`` (degrees, on the page)."""
    dx, dy = math.cos(math.radians(angle)), -math.sin(math.radians(angle))
    tip = (x + 3.5 * dx, y + 3.5 * dy)
    back = (x - 3.5 * dx, y - 3.5 * dy)
    return Stroke(_polygon([tip, (back[0] - 3 * dy, back[1] + 3 * dx),
                            (back[0] + 3 * dy, back[1] - 3 * dx)]), color, fill=color,
                  width=0.5, closed=True)


def _wire(w: Wire) -> Group:
    color = BACK if w.flow == "bwd" else INK
    shapes: list[Shape] = [Stroke(w.pieces, color)]
    if w.arrow is not None:
        shapes.append(_arrow(*w.arrow, color))
    return Group("wire", str(w.obj), tuple(shapes))


def scene(layout: Layout) -> tuple[Group, ...]:
    """Frames at the back, then wires, boxes over their ends, and wire labels on top."""
    frames = [_box(b) for b in layout.boxes if b.kind == "frame"]
    boxes = [_box(b) for b in layout.boxes if b.kind != "frame"]
    wires = [_wire(w) for w in layout.wires]
    labels = [Group("label", t.text, (Words(t.x, t.y, t.text, t.size, "start", t.angle, SOFT),))
              for t in layout.texts]
    return tuple(frames + wires + boxes + labels)
