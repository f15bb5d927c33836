"""SVG, written directly (no dependency): one ``<g>`` per box, wire and label.

Each box is a ``<g class="box">`` (a frame ``<g class="frame">``), each wire a
``<g class="wire">``, so the picture can be read back, styled and tested.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ._layout import Layout
from ._scene import Disc, Stroke, scene

FONTS = "DejaVu Sans, Verdana, sans-serif"


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _path(s: Stroke) -> str:
    d = [f"M{_n(s.pieces[0][0][0])},{_n(s.pieces[0][0][1])}"]
    for _, c1, c2, end in s.pieces:
        d.append(f"C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} {_n(end[0])},{_n(end[1])}")
    if s.closed:
        d.append("Z")
    dash = ' stroke-dasharray="4 3"' if s.dashed else ""
    return (f'<path d="{" ".join(d)}" fill="{s.fill or "none"}" stroke="{s.color}" '
            f'stroke-width="{_n(s.width)}"{dash}/>')


def _shape(s) -> str:
    if isinstance(s, Stroke):
        return _path(s)
    if isinstance(s, Disc):
        return (f'<circle cx="{_n(s.x)}" cy="{_n(s.y)}" r="{_n(s.r)}" fill="{s.fill}" '
                f'stroke="{s.color}" stroke-width="{_n(s.width)}"/>')
    turn = f' transform="rotate({_n(-s.angle)} {_n(s.x)} {_n(s.y)})"' if s.angle else ""
    return (f'<text x="{_n(s.x)}" y="{_n(s.y)}" font-size="{_n(s.size)}" '
            f'text-anchor="{s.anchor}" fill="{s.color}"{turn}>{escape(s.text)}</text>')


def to_svg(layout: Layout) -> str:
    """The picture as a standalone SVG document (sizes in points)."""
    w, h = _n(layout.width), _n(layout.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" '
           f'viewBox="0 0 {w} {h}" font-family="{FONTS}">',
           f'<rect width="{w}" height="{h}" fill="#ffffff"/>']
    for g in scene(layout):
        out.append(f'<g class="{g.kind}" data-name={quoteattr(g.name)}>')
        out += [_shape(s) for s in g.shapes]
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
