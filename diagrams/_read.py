"""Reading paralens structures into terms: what a composite keeps is what is drawn.

Composites (``>>``, ``@``, ``+``, ``R[·]``) are walked through their ``op`` and
``parts``; Para maps draw their parameters as wires from above, lenses their
changes as wires running back; copy, discard and swap (by the names and types
their categories give them) become dots and crossings, identities plain wires.
A named box (a layer, a loss, ``R[f]``, a circuit) stays folded unless
:class:`Opening` opens it: a Para map then shows its inside with the parameter
wires bent up, a lens its ``get`` and ``put``, ``R[f]`` the chain rule, a circuit
its gates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from categories import BadObject, Morphism, Object, Para, factors
from circuits import Bits, Circuit
from lenses import Lens, LensType

from ._terms import Frame, Gates, LensBody, Over, Par, Perm, Prim, Raise, Seq, Spec, Stack, Wires


class Opening:
    """Which named boxes are drawn open: none (``False``), all (``True``), those up to
    a depth (an int), or those whose names are given; ``gates`` draws every circuit
    as its netlist."""

    def __init__(self, expand: Any = False, gates: bool = False, depth: float | None = None):
        self.gates = bool(gates)
        self.names: frozenset[str] | None = None
        if depth is not None:
            self.depth = depth
        elif expand is True or expand is False:
            self.depth = math.inf if expand else 0
        elif isinstance(expand, int) and expand >= 0:
            self.depth = expand
        elif isinstance(expand, str) or not isinstance(expand, Iterable):
            raise BadObject(f"draw: expand must be True, False, a depth ≥ 0 or a collection of "
                            f"box names, got {expand!r}")
        else:
            self.names, self.depth = frozenset(expand), 0
            if not all(isinstance(n, str) for n in self.names):
                raise BadObject(f"draw: expand names must be strings, got "
                                f"{sorted(map(repr, self.names))}")

    def opens(self, label: str) -> bool:
        return label in self.names if self.names is not None else self.depth > 0

    def inner(self) -> Opening:
        inner = Opening(gates=self.gates, depth=max(self.depth - 1, 0))
        inner.names = self.names
        return inner


def specs(obj: Object, name: str = "") -> tuple[Spec, ...]:
    """A spec per factor; a lens object's forward factors, then its backward ones (their
    labels left off where they repeat the forward wire's)."""
    if isinstance(obj, LensType):
        fwd, bwd = factors(obj.fwd), factors(obj.bwd)
        return tuple(Spec(f, "fwd", name) for f in fwd) + tuple(
            Spec(b, "bwd", name, quiet=i < len(fwd) and fwd[i] == b) for i, b in enumerate(bwd))
    return tuple(Spec(f, "fwd", name) for f in factors(obj))


def read(f: Any, opening: Opening, path: tuple = ()) -> Any:
    """The term drawing ``f`` (a Para map, a lens or a morphism of any category)."""
    if isinstance(f, Para):
        return _para(f, opening, path)
    if isinstance(f, Lens):
        return _lens(f, opening, path)
    if isinstance(f, Morphism):
        return _morphism(f, opening, path)
    raise BadObject(f"draw: cannot draw {f!r} ({type(f).__name__}): expected a morphism, a Para "
                    f"map, a lens, a circuit or a learner")


def _composite(f: Any, opening: Opening, path: tuple) -> Any:
    """The term of a ``>>`` or ``@`` composite (of any kind), else None."""
    op = getattr(f, "op", "prim")
    if op in ("then", "tensor"):
        parts = tuple(read(p, opening, path + (i,)) for i, p in enumerate(f.parts))
        return Seq(parts) if op == "then" else Par(parts)
    return None


def _morphism(f: Morphism, opening: Opening, path: tuple) -> Any:
    if isinstance(f, Circuit) and opening.gates:
        return Gates(f.net, specs(f.dom), specs(f.cod), path)
    term = _composite(f, opening, path)
    if term is not None:
        return term
    op = getattr(f, "op", "prim")
    if op == "add":
        return _sum(f, [read(p, opening, path + (i,)) for i, p in enumerate(f.parts)], path)
    if op == "rd":
        label = repr(f)
        if opening.opens(label):
            return Frame(label, _rd(f.parts[0], opening.inner(), path), path)
        return Prim(label, specs(f.dom), specs(f.cod), path=path)
    if f.category.is_id(f):
        return Wires(specs(f.dom))
    term = _structural(f, path)
    if term is not None:
        return term
    if isinstance(f, Circuit):
        return _circuit(f, opening, path)
    return Prim(repr(f), specs(f.dom), specs(f.cod), path=path)


def copy_term(obj: Object, path: tuple = ()) -> Any:
    """``Δ : A → A ⊗ A``: a dot per factor, then the copies sorted into ``A ⊗ A``."""
    fs = factors(obj)
    dots = tuple(Prim("", (Spec(a),), (Spec(a), Spec(a)), kind="copy", path=path) for a in fs)
    if len(fs) < 2:
        return dots[0] if dots else Wires(())
    n = len(fs)
    order = tuple(2 * j for j in range(n)) + tuple(2 * j + 1 for j in range(n))
    return Seq((Par(dots), Perm(tuple(Spec(a) for a in fs for _ in (0, 1)), order)))


def discard_term(specs_: tuple[Spec, ...], path: tuple = ()) -> Any:
    """A discard dot per wire (on the right for changes coming back)."""
    dots = tuple(Prim("", (s,) if s.flow == "fwd" else (), (s,) if s.flow == "bwd" else (),
                      kind="discard", path=path) for s in specs_)
    return dots[0] if len(dots) == 1 else Par(dots)


def _structural(f: Morphism, path: tuple) -> Any:
    """Copy, discard and swap, recognised by the names their categories give them and
    checked by their types; None for anything else."""
    name = repr(f)
    dom, cod = factors(f.dom), factors(f.cod)
    if name.startswith("copy(") and cod == dom + dom:
        return copy_term(f.dom, path)
    if name.startswith("discard(") and not cod:
        return discard_term(specs(f.dom), path) if dom else Wires(())
    if name.startswith("swap("):
        turns = [k for k in range(1, len(dom)) if cod == dom[k:] + dom[:k]]
        if len(turns) == 1:  # otherwise which factors moved is not in the types: a box
            n = len(dom)
            return Perm(specs(f.dom), tuple((j + turns[0]) % n for j in range(n)))
    return None


def _sum(f: Morphism, parts: list, path: tuple) -> Any:
    """``f + g = Δ ; (f ⊗ g) ; +``."""
    return Seq((copy_term(f.dom, path), Par(tuple(parts)),
                Prim("+", specs(f.cod) * 2, specs(f.cod), path=path)))


def _rd_part(f: Morphism, opening: Opening, path: tuple) -> Any:
    label = f"R[{f!r}]"
    if opening.opens(label) and getattr(f, "op", "prim") in ("then", "tensor", "add"):
        return Frame(label, _rd(f, opening.inner(), path), path)
    return Prim(label, specs(f.dom) + specs(f.cod), specs(f.dom), path=path)


def _rd(f: Morphism, opening: Opening, path: tuple) -> Any:
    """``R[f] : A ⊗ B → A`` drawn from the structure of ``f``:

    * ``R[f ; g](a, c) = R[f](a, R[g](f(a), c))``: copy ``a``, run ``f``, then back;
    * ``R[f ⊗ g]((a, a'), (b, b')) = (R[f](a, b), R[g](a', b'))``;
    * ``R[f + g] = R[f] + R[g]`` and ``R[1](a, b) = b``.
    """
    op = getattr(f, "op", "prim")
    parts = tuple(getattr(f, "parts", ()))
    if op == "then":
        return _rd_chain(parts, opening, path, 0)
    if op == "tensor":
        a = [len(factors(p.dom)) for p in parts]
        b = [len(factors(p.cod)) for p in parts]
        n_a = sum(a)
        order: list[int] = []
        for i in range(len(parts)):
            order += range(sum(a[:i]), sum(a[:i + 1]))
            order += range(n_a + sum(b[:i]), n_a + sum(b[:i + 1]))
        rds = tuple(_rd_part(p, opening, path + (i,)) for i, p in enumerate(parts))
        return Seq((Perm(specs(f.dom) + specs(f.cod), tuple(order)), Par(rds)))
    if op == "add":
        both = f.dom @ f.cod
        return Seq((copy_term(both, path),
                    Par(tuple(_rd_part(p, opening, path + (i,)) for i, p in enumerate(parts))),
                    Prim("+", specs(f.dom) * 2, specs(f.dom), path=path)))
    if f.category.is_id(f):
        return Par((discard_term(specs(f.dom), path), Wires(specs(f.cod)))) if factors(f.dom) \
            else Wires(specs(f.cod))
    return _rd_part(f, opening, path)


def _rd_chain(parts: tuple, opening: Opening, path: tuple, start: int) -> Any:
    first, rest = parts[0], parts[1:]
    if not rest:
        return _rd_part(first, opening, path + (start,))
    c = specs(rest[-1].cod)
    a = specs(first.dom)
    return Seq((Par((copy_term(first.dom, path), Wires(c))),
                Par((Wires(a), read(first, opening, path + (start,)), Wires(c))),
                Par((Wires(a), _rd_chain(rest, opening, path, start + 1))),
                _rd_part(first, opening, path + (start,))))


def _circuit(f: Circuit, opening: Opening, path: tuple) -> Any:
    """A generator as its gate symbol, constants as a box of their bits, any other
    named circuit as a box that opens to its netlist."""
    name = repr(f)
    net = f.net
    if name in ("xor", "and") and len(net.gates) == 1 and net.gates[0][0] == name:
        return Prim("⊕" if name == "xor" else "∧", specs(f.dom), specs(f.cod), kind=name,
                    path=path)
    if not factors(f.dom) and net.outputs and all(
            net.gates[o - net.n_inputs][0] == "const" for o in net.outputs):
        bits = "".join(str(net.gates[o - net.n_inputs][1]) for o in net.outputs)
        return Prim(bits, (), specs(f.cod), kind="const", path=path)
    if opening.opens(name) and all(isinstance(x, Bits) for x in factors(f.dom @ f.cod)):
        return Frame(name, Gates(net, specs(f.dom), specs(f.cod), path), path)
    return Prim(name, specs(f.dom), specs(f.cod), path=path)


def _para(f: Para, opening: Opening, path: tuple) -> Any:
    term = _composite(f, opening, path)
    if term is not None:
        return term
    if f.op == "id":
        return Wires(specs(f.dom))
    if f.op == "lift":
        return read(f.parts[0], opening, path)
    if f.op == "reparam":
        inner, r = f.parts
        kind = "copy" if repr(r).startswith("copy(") else "box"
        return Stack(read(inner, opening, path), (Over(repr(r), specs(r.cod), specs(r.dom), kind,
                                                       path),))
    label = f.name or repr(f)
    lens = isinstance(f.param, LensType)
    if lens and repr(f.inside).startswith("R("):  # Para(R)'s image: named as R's images are
        label = f"R({label})"
    if opening.opens(label):
        param = specs(f.param)
        inner = read(f.inside, opening.inner(), path)
        raised = Raise(inner, sum(s.flow == "fwd" for s in param),
                       sum(s.flow == "bwd" for s in param))
        return Frame(label, raised, path)
    return Prim(label, specs(f.dom), specs(f.cod), specs(f.param), "lens" if lens else "box",
                path)


def _lens(f: Lens, opening: Opening, path: tuple) -> Any:
    term = _composite(f, opening, path)
    if term is not None:
        return term
    if f.op == "id":
        return Wires(specs(f.dom))
    label = repr(f)
    if opening.opens(label):
        fwd, bwd = factors(f.dom.fwd), factors(f.dom.bwd)
        out, back = factors(f.cod.fwd), factors(f.cod.bwd)
        body = LensBody(read(f.get, opening.inner(), path), repr(f.put),
                        tuple(Spec(a) for a in fwd),
                        tuple(Spec(a, "bwd", quiet=i < len(fwd) and fwd[i] == a)
                              for i, a in enumerate(bwd)),
                        tuple(Spec(b, "bwd", quiet=i < len(out) and out[i] == b)
                              for i, b in enumerate(back)), path)
        return Frame(label, body, path)
    return Prim(label, specs(f.dom), specs(f.cod), kind="lens", path=path)
