"""matplotlib: the shapes on a figure of the picture's size, for PNG and PDF.

matplotlib is optional (``pip install 'paralens[papers]'``); it is imported when a
figure is first asked for, and its absence is a :class:`~categories.MissingDependency`.
"""

from __future__ import annotations

from typing import Any

from categories import MissingDependency

from ._layout import Layout
from ._scene import Disc, Stroke, scene

FONT_FAMILY = "DejaVu Sans"  # matplotlib's own font: the same glyphs on every machine


def _matplotlib() -> Any:
    try:  # a bare Figure, not pyplot: no GUI backend, nothing left open
        from matplotlib import patches
        from matplotlib.figure import Figure
        from matplotlib.path import Path
    except ImportError as e:
        raise MissingDependency("drawing to PNG or PDF needs matplotlib: pip install "
                                "'paralens[papers]' (SVG and TikZ need nothing)") from e
    return Figure, patches, Path


def to_figure(layout: Layout) -> Any:
    """A ``matplotlib.figure.Figure`` of the picture, one point per unit of the layout."""
    Figure, patches, Path = _matplotlib()
    fig = Figure(figsize=(layout.width / 72, layout.height / 72))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    ax.set_axis_off()
    for group in scene(layout):
        for s in group.shapes:
            if isinstance(s, Stroke):
                vertices = [s.pieces[0][0]]
                codes = [Path.MOVETO]
                for _, c1, c2, end in s.pieces:
                    vertices += [c1, c2, end]
                    codes += [Path.CURVE4] * 3
                if s.closed:
                    vertices.append(s.pieces[0][0])
                    codes.append(Path.CLOSEPOLY)
                ax.add_patch(patches.PathPatch(
                    Path(vertices, codes), facecolor=s.fill or "none", edgecolor=s.color,
                    linewidth=s.width, linestyle=(0, (4, 3)) if s.dashed else "-"))
            elif isinstance(s, Disc):
                ax.add_patch(patches.Circle((s.x, s.y), s.r, facecolor=s.fill, edgecolor=s.color,
                                            linewidth=s.width))
            else:
                ax.text(s.x, s.y, s.text, fontsize=s.size, family=FONT_FAMILY, color=s.color,
                        rotation=s.angle, rotation_mode="anchor", va="baseline",
                        ha="left" if s.anchor == "start" else "center")
    return fig
