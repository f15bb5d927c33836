"""The syntax of drawings: terms read off paralens structures, laid out by ``_layout``.

A term says *what* is drawn (boxes, wires, how they compose); the layout says
*where*. Every port of a term carries a :class:`Spec`: the object on its wire and
the direction its values run. ``fwd`` values run left to right (downwards on a
parameter wire); ``bwd`` values, the changes of a lens, run right to left (upwards).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from categories import Object

LABEL_CHARS = 60
"""Longest wire label drawn; longer ones (a big optimiser state) end in ``…``."""


@dataclass(frozen=True)
class Spec:
    """The wire at a port: its object, its direction and an optional role (``inputs``).

    ``quiet`` hides the label: the backward twin of a labelled forward wire."""

    obj: Object
    flow: str = "fwd"
    name: str = ""
    quiet: bool = False

    @property
    def label(self) -> str:
        if self.quiet:
            return ""
        text = f"{self.name}: {self.obj}" if self.name else str(self.obj)
        return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class Prim:
    """A box with ports on its left (inputs), right (outputs) and top (parameters).

    ``kind`` picks the shape: ``box``, ``lens``, ``cap``, ``const``, the dots
    ``copy`` and ``discard``, the gates ``xor`` and ``and``, the bus bars ``split``
    and ``join``."""

    label: str
    left: tuple[Spec, ...] = ()
    right: tuple[Spec, ...] = ()
    top: tuple[Spec, ...] = ()
    kind: str = "box"
    path: tuple = ()


@dataclass(frozen=True)
class Over:
    """A box stacked on parameter wires: its ``bottom`` ports meet the wires below,
    its ``top`` ports are the new parameter wires (a reparametrisation, an optimiser).

    ``kind`` is ``box``, ``lens``, ``copy``, ``discard`` or ``wire`` (no box: the
    wires go straight up, renamed by ``top``)."""

    label: str
    bottom: tuple[Spec, ...] = ()
    top: tuple[Spec, ...] = ()
    kind: str = "box"
    path: tuple = ()


@dataclass(frozen=True)
class Seq:
    """Sequential composition, left to right: ``parts[0] ; parts[1] ; …``."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Par:
    """Parallel composition, top to bottom: ``parts[0] ⊗ parts[1] ⊗ …``."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Wires:
    """Identity wires: a plain wire per spec."""

    specs: tuple[Spec, ...]


@dataclass(frozen=True)
class Perm:
    """Crossing wires: right port ``j`` is left port ``order[j]``."""

    left: tuple[Spec, ...]
    order: tuple[int, ...]


@dataclass(frozen=True)
class Stack:
    """``inner`` with boxes stacked on its top wires: each :class:`Over` takes the next
    wires of each direction that its bottom ports name; the rest go straight up."""

    inner: Any
    over: tuple[Over, ...]


@dataclass(frozen=True)
class Raise:
    """``inner`` with its first ``fwd`` forward and first ``bwd`` backward left ports
    bent up to the top: a Para map drawn from its inside ``P ⊗ A → B``, the parameter
    wires entering from above."""

    inner: Any
    fwd: int
    bwd: int = 0


@dataclass(frozen=True)
class Frame:
    """``inner`` inside a dashed frame named ``label``: an expanded named box."""

    label: str
    inner: Any
    path: tuple = ()


@dataclass(frozen=True)
class LensBody:
    """A lens drawn open (CFGBL §2.2): ``get`` left to right; the input copied down
    to the box ``put`` below it, which takes the change from the right and returns
    one to the left."""

    get: Any
    put: str
    a: tuple[Spec, ...]
    a_change: tuple[Spec, ...]
    b_change: tuple[Spec, ...]
    path: tuple = ()


@dataclass(frozen=True)
class Gates:
    """A netlist of XOR and AND gates and constants (``circuits.Netlist``), its inputs
    the bits of ``dom``'s factors and its outputs those of ``cod``'s."""

    net: Any
    dom: tuple[Spec, ...]
    cod: tuple[Spec, ...]
    path: tuple = ()
