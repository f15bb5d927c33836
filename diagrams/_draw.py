"""``draw``: a laid-out :class:`Diagram` of any paralens structure, and its outputs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from categories import BadFile

from ._geometry import Box, Port, Text, Wire
from ._layout import Layout, layout
from ._learner import is_learner, read_learner
from ._mpl import to_figure
from ._read import Opening, read
from ._svg import to_svg
from ._tikz import to_tikz

FORMATS = (".svg", ".png", ".pdf", ".tex")


class Diagram:
    """A laid-out string diagram: boxes, wires and wire labels with coordinates in points.

    ``svg()`` and ``tikz()`` write it as text, ``figure()`` as a matplotlib figure,
    ``save(path)`` to a file of the format its suffix names; in Jupyter it shows
    itself (``_repr_svg_``).

    Example:
        >>> from categories import ArrayType, smooth
        >>> d = draw(smooth.sin(ArrayType((2,))) >> smooth.exp(ArrayType((2,))))
        >>> d
        Diagram(2 boxes, 3 wires)
        >>> d.svg().count('class="box"'), d.tikz().startswith("\\\\begin{tikzpicture}")
        (2, True)
    """

    def __init__(self, placed: Layout):
        self._layout = placed

    @property
    def width(self) -> float:
        """Width in points."""
        return self._layout.width

    @property
    def height(self) -> float:
        """Height in points."""
        return self._layout.height

    @property
    def boxes(self) -> tuple[Box, ...]:
        """The boxes, dots, gates, caps and frames."""
        return self._layout.boxes

    @property
    def wires(self) -> tuple[Wire, ...]:
        """The wires, each from the port its values leave to the port they reach."""
        return self._layout.wires

    @property
    def texts(self) -> tuple[Text, ...]:
        """The wire labels."""
        return self._layout.texts

    @property
    def ends(self) -> tuple[Port, ...]:
        """The open ends of the picture (its inputs, outputs and parameter wires)."""
        return self._layout.ends

    def __repr__(self) -> str:
        shown = sum(b.kind != "frame" for b in self.boxes)
        return f"Diagram({shown} boxes, {len(self.wires)} wires)"

    def svg(self) -> str:
        """The diagram as an SVG document."""
        return to_svg(self._layout)

    def _repr_svg_(self) -> str:
        return self.svg()

    def tikz(self, *, standalone: bool = False) -> str:
        """The diagram as a TikZ picture, or a LaTeX document when ``standalone``."""
        return to_tikz(self._layout, standalone=standalone)

    def figure(self) -> Any:
        """The diagram on a ``matplotlib.figure.Figure`` (needs matplotlib)."""
        return to_figure(self._layout)

    def save(self, path: str | os.PathLike, *, dpi: float = 150) -> Path:
        """Write the diagram to ``path``: SVG, PNG, PDF or a standalone LaTeX document
        (``.tex``), by its suffix. The file is written whole or not at all.

        Raises:
            BadFile: for another suffix, or when the file cannot be written.
            MissingDependency: for PNG and PDF without matplotlib.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise BadFile(f"cannot save a diagram as {path}: expected a name ending in "
                          f"{', '.join(FORMATS)}")
        if suffix in (".svg", ".tex"):
            text = self.svg() if suffix == ".svg" else self.tikz(standalone=True)
            write = lambda f: f.write(text.encode())  # noqa: E731
        else:
            fig = self.figure()
            # no creation date in the PDF: the same diagram gives the same file
            meta = {"CreationDate": None} if suffix == ".pdf" else {}
            write = lambda f: fig.savefig(  # noqa: E731
                f, format=suffix[1:], dpi=dpi, metadata=meta)
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            with open(temporary, "wb") as f:
                write(f)
            os.replace(temporary, path)
        except OSError as e:
            raise BadFile(f"cannot save a diagram as {path}: {e}") from e
        finally:
            temporary.unlink(missing_ok=True)
        return path


def draw(thing: Any, *, expand: Any = False, gates: bool = False) -> Diagram:
    """The string diagram of ``thing``, read off the structure it keeps.

    ``f >> g`` is drawn left to right, ``f @ g`` top to bottom, copy and discard as
    dots, swaps as crossings, identities as plain wires, each wire labelled with its
    object. A Para map ``(P, f : P ⊗ A → B)`` takes its parameter wires ``P`` from
    above; a lens ``(A, A') → (B, B')`` runs values left to right and changes (red,
    arrowed) right to left; ``R[f] : A ⊗ B → A`` is a box, or the chain rule when
    opened. A learner (``supervised``, ``dream``, ...) is drawn closed, as in CFGBL
    Figs. 6–7: ``Para(R)(model) ; Para(R)(loss) ; α``, with an optimiser box on each
    learned port and data or fixed ports as open wires whose changes are discarded.

    Args:
        thing: a morphism of any category (smooth map, circuit, ...), a Para map, a
            lens, or a learner.
        expand: which named boxes (layers, losses, lenses, ``R[f]``, circuits) to draw
            open: ``False`` none, ``True`` all, an int how many levels deep, or a
            collection of their names.
        gates: draw every circuit as its netlist of XOR and AND gates and constants.

    Raises:
        BadObject: if ``thing`` is none of these, or ``expand`` is not one of those.
        NotComposable: if the wires of two parts do not match (a structure that
            would not compose).

    Example: the Iris network, then its first layer opened.

        >>> from categories import layers, smooth
        >>> model = layers.dense(4, 20, smooth.sigmoid) >> layers.dense(20, 3, smooth.sigmoid)
        >>> [b.label for b in draw(model).boxes]
        ['dense(4→20, sigmoid)', 'dense(20→3, sigmoid)']
        >>> [b.label for b in draw(model, expand={"dense(4→20, sigmoid)"}).boxes]
        ['dense(4→20, sigmoid)', 'affine', 'sigmoid', 'dense(20→3, sigmoid)']

    References: CFGBL (Cruttwell et al. 2022) §2–4, Figs. 3–7.
    """
    opening = Opening(expand, gates)
    term = read_learner(thing, opening) if is_learner(thing) else read(thing, opening)
    return Diagram(layout(term))
