"""TikZ for papers: the same shapes as the other backends, in points.

Paste :func:`to_tikz`'s picture into a document that loads ``tikz`` (and
``xcolor``), or compile the ``standalone`` document as it is. Labels are set in
the sans-serif font; the symbols in paralens names (``→``, ``⊕``, ``α``, …) become
their math-mode commands, so pdfLaTeX needs no Unicode font.
"""

from __future__ import annotations

from ._layout import Layout
from ._scene import Disc, Stroke, scene

# LaTeX specials, then the non-ASCII characters paralens names and types use
_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "#": r"\#",
            "%": r"\%", "&": r"\&", "$": r"\$", "^": r"\^{}", "~": r"\~{}"}
_SYMBOLS = {"→": r"\to", "⊕": r"\oplus", "∧": r"\wedge", "·": r"\cdot", "−": "-",
            "α": r"\alpha", "η": r"\eta", "σ": r"\sigma", "Δ": r"\Delta", "×": r"\times",
            "⊗": r"\otimes", "∘": r"\circ", "≤": r"\leq", "′": r"'", "…": r"\dots"}


def tex(text: str) -> str:
    """``text`` as LaTeX: specials escaped, known symbols as math, anything else ``?``."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in _SYMBOLS:
            out.append(f"${_SYMBOLS[ch]}$")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def _pt(p) -> str:
    return f"({p[0]:.2f},{p[1]:.2f})"


def _color(c: str) -> str:
    r, g, b = (int(c[k:k + 2], 16) for k in (1, 3, 5))
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"


def _stroke(s: Stroke) -> str:
    path = _pt(s.pieces[0][0]) + "".join(
        f" .. controls {_pt(c1)} and {_pt(c2)} .. {_pt(end)}" for _, c1, c2, end in s.pieces)
    opts = [f"draw={_color(s.color)}", f"line width={s.width:.2f}pt"]
    if s.fill:
        opts.append(f"fill={_color(s.fill)}")
    if s.dashed:
        opts.append("dashed")
    return f"\\path[{', '.join(opts)}] {path}{' -- cycle' if s.closed else ''};"


def _shape(s) -> str:
    if isinstance(s, Stroke):
        return _stroke(s)
    if isinstance(s, Disc):
        return (f"\\path[draw={_color(s.color)}, fill={_color(s.fill)}, "
                f"line width={s.width:.2f}pt] {_pt((s.x, s.y))} circle[radius={s.r:.2f}pt];")
    anchor = "base west" if s.anchor == "start" else "base"
    return (f"\\node[anchor={anchor}, inner sep=0pt, rotate={s.angle:g}, "
            f"text={_color(s.color)}, font=\\sffamily\\fontsize{{{s.size:g}}}{{{s.size + 1:g}}}"
            f"\\selectfont] at {_pt((s.x, s.y))} {{{tex(s.text)}}};")


def to_tikz(layout: Layout, *, standalone: bool = False) -> str:
    """The picture as a ``tikzpicture`` (``standalone``: a whole LaTeX document)."""
    lines = ["\\begin{tikzpicture}[x=1pt, y=-1pt]"]
    for g in scene(layout):
        lines.append(f"% {g.kind}: {tex(g.name)}")
        lines += [_shape(s) for s in g.shapes]
    lines.append("\\end{tikzpicture}")
    picture = "\n".join(lines) + "\n"
    if not standalone:
        return picture
    return ("\\documentclass[tikz, border=2pt]{standalone}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage{lmodern}\n\\begin{document}\n" + picture + "\\end{document}\n")
