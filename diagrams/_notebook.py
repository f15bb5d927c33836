"""Jupyter shows paralens morphisms and learners as drawings.

IPython picks the richest format each value has; :func:`register_display` adds
an SVG one for every :class:`~categories.Morphism` (smooth maps, circuits, Para
maps, lenses) and every :class:`~learners.Learner`, through IPython's own
formatter registry, so no paralens class is changed and nothing happens outside
IPython. Importing :mod:`diagrams` registers it in a running IPython.
"""

from __future__ import annotations

import sys
from typing import Any

from categories import AxiomError, Morphism
from learners import Learner

from ._draw import draw


def _svg(thing: Any) -> str | None:
    try:
        return draw(thing).svg()
    except AxiomError:  # what draw cannot read shows as text, as before
        return None


def register_display(shell: Any = None) -> bool:
    """Show morphisms, Para maps, lenses, circuits and learners as SVG drawings in
    ``shell`` (default: the running IPython, if any). Returns whether there was one.

    Example: with IPython's formatter (what a notebook's shell holds).

        >>> from types import SimpleNamespace
        >>> from IPython.core.formatters import DisplayFormatter
        >>> from categories import ArrayType, smooth
        >>> shell = SimpleNamespace(display_formatter=DisplayFormatter())
        >>> register_display(shell)
        True
        >>> shown, _ = shell.display_formatter.format(smooth.sin(ArrayType((2,))))
        >>> sorted(shown), shown["text/plain"]
        (['image/svg+xml', 'text/plain'], 'sin')
    """
    if shell is None:
        ipython = sys.modules.get("IPython")  # not imported: not in a notebook
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["image/svg+xml"]
    for kind in (Morphism, Learner):
        formatter.for_type(kind, _svg)
    return True
