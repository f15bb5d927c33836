"""What a laid-out drawing is made of: boxes, their ports, the wires joining them, text.

Coordinates are points (1/72 inch), ``x`` to the right and ``y`` down the page, as in
SVG; every backend draws these records and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from categories import Object

Point = tuple[float, float]
Piece = tuple[Point, Point, Point, Point]  # a cubic Bézier: start, two controls, end


@dataclass(frozen=True)
class Port:
    """Where a wire meets a box, or leaves the picture (then ``box`` is ``None``).

    ``side`` is the side of the box (of the picture, for an open end) the port is on;
    ``flow`` is ``"fwd"`` for values and ``"bwd"`` for the changes a lens sends back.

    Example:
        >>> from categories import ArrayType, smooth
        >>> from diagrams import draw
        >>> [(p.side, str(p.obj), p.flow) for p in draw(smooth.sin(ArrayType((2,)))).boxes[0].ports]
        [('left', 'f32[2]', 'fwd'), ('right', 'f32[2]', 'fwd')]
    """

    id: int
    x: float
    y: float
    obj: Object
    flow: str
    side: str
    box: Optional[int] = None


@dataclass(frozen=True)
class Box:
    """A box (or dot, gate, cap, frame) at ``[x0, x1] × [y0, y1]`` with its ports.

    ``path`` locates the part drawn in the structure: ``(i, j)`` is part ``j`` of
    part ``i`` of the thing drawn (so the boxes of ``f`` in ``f >> g`` have paths
    starting with 0). ``kind`` is its shape: ``box``, ``lens``, ``cap``, ``const``,
    ``copy``, ``discard``, ``xor``, ``and``, ``split``, ``join`` or ``frame`` (the
    dashed outline of an expanded box, which holds other boxes).

    Example:
        >>> from categories import layers
        >>> from diagrams import draw
        >>> [(b.label, b.kind, b.path) for b in draw(layers.linear(4, 3) >> layers.bias(3)).boxes]
        [('linear(4→3)', 'box', (0,)), ('bias(3)', 'box', (1,))]
    """

    label: str
    kind: str
    x0: float
    y0: float
    x1: float
    y1: float
    ports: tuple[Port, ...]
    path: tuple


@dataclass(frozen=True)
class Wire:
    """A wire from ``source`` to ``target`` (the direction its values run), drawn as
    cubic Bézier ``pieces``; backward wires carry an ``arrow`` ``(x, y, angle)``.

    Example:
        >>> from categories import ArrayType, smooth
        >>> from diagrams import draw
        >>> X = ArrayType((2,))
        >>> d = draw(smooth.sin(X) >> smooth.exp(X))
        >>> [(w.source.side, w.target.side, w.label) for w in d.wires]
        [('left', 'left', 'f32[2]'), ('right', 'left', 'f32[2]'), ('right', 'right', 'f32[2]')]
    """

    obj: Object
    flow: str
    source: Port
    target: Port
    pieces: tuple[Piece, ...]
    label: str = ""
    arrow: Optional[tuple[float, float, float]] = None


@dataclass(frozen=True)
class Text:
    """A wire label: ``text`` with its baseline starting at ``(x, y)``, turned ``angle``
    degrees counterclockwise (90 along an upright wire).

    Example:
        >>> from categories import ArrayType, smooth
        >>> from diagrams import draw
        >>> [t.text for t in draw(smooth.sin(ArrayType((2,)))).texts]
        ['f32[2]', 'f32[2]']
    """

    x: float
    y: float
    text: str
    size: float
    angle: float = 0.0
