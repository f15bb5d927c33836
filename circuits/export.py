"""Export circuits to hardware formats: structural Verilog, BLIF and ASCII AIGER.

A learned circuit is exported after folding its parameters in as constants
(:func:`freeze`); the builder then simplifies them away. Inputs are named
``x0 … x{n-1}`` and outputs ``y0 … y{m-1}``, wires in order of the domain's and
codomain's factors. Batched circuits (with parity gates) have no hardware form.
Module and model names are checked against each format's grammar (``BadObject``
otherwise): a Verilog identifier that is not a Verilog or SystemVerilog keyword,
a BLIF token.

Example:
    >>> from circuits import gates
    >>> print(to_verilog(gates.xor(), "half_sum"))
    module half_sum(input x0, input x1, output y0);
      wire w2;
      xor g2(w2, x0, x1);
      assign y0 = w2;
    endmodule
    <BLANKLINE>
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from categories import BadObject, Para

from ._circuit import CIRCUIT, Circuit, wires_of
from .gates import constant

__all__ = ["freeze", "to_verilog", "to_blif", "to_aiger"]


def freeze(model: Para, params: Any) -> Circuit:
    """The circuit ``dom → cod`` of ``model`` with its parameters as constants.

    ``(P, f : P @ A → B), p ↦ (p @ 1_A) ; f : A → B``.

    Example: the table ``θ = (1, 0)`` is NOT, and its netlist folds to ``x + 1``.

        >>> from circuits import bits
        >>> from circuits.models import lookup_table
        >>> c = freeze(lookup_table(1, 1), bits([1, 0]))
        >>> str(c.dom), str(c.cod), [int(c(bits([x])).item()) for x in (0, 1)]
        ('bits[1]', 'bits[1]', [1, 0])
        >>> c.net.counts()
        {'const': 1, 'xor': 1}
    """
    parts = params if isinstance(params, tuple) else (params,)
    values = np.concatenate([np.asarray(p, np.uint8).ravel() for p in parts] +
                            [np.zeros(0, np.uint8)])
    if model.param == CIRCUIT.unit:
        return model.inside
    return CIRCUIT.then(CIRCUIT.tensor(constant(values.tolist()), CIRCUIT.id(model.dom)),
                        model.inside)


def _check(c: Circuit) -> None:
    if any(wires_of(c.dom)) or any(op == "parity" for op, _, _ in c.net.gates):
        raise BadObject(f"cannot export {c!r}: a batched circuit has no hardware form")


# IEEE 1800-2017 Annex B, a superset of IEEE 1364-2005's: iverilog reserves some
# SystemVerilog words (``logic``) by default, and SystemVerilog tools reserve them all
_VERILOG_KEYWORDS = frozenset("""
    accept_on alias always always_comb always_ff always_latch and assert assign assume
    automatic before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez
    cell chandle checker class clocking cmos config const constraint context continue cover
    covergroup coverpoint cross deassign default defparam design disable dist do edge else end
    endcase endchecker endclass endclocking endconfig endfunction endgenerate endgroup
    endinterface endmodule endpackage endprimitive endprogram endproperty endspecify endsequence
    endtable endtask enum event eventually expect export extends extern final first_match for
    force foreach forever fork forkjoin function generate genvar global highz0 highz1 if iff
    ifnone ignore_bins illegal_bins implements implies import incdir include initial inout input
    inside instance int integer interconnect interface intersect join join_any join_none large
    let liblist library local localparam logic longint macromodule matches medium modport module
    nand negedge nettype new nexttime nmos nor noshowcancelled not notif0 notif1 null or output
    package packed parameter pmos posedge primitive priority program property protected pull0
    pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure rand randc randcase
    randsequence rcmos real realtime ref reg reject_on release repeat restrict return rnmos rpmos
    rtran rtranif0 rtranif1 s_always s_eventually s_nexttime s_until s_until_with scalared
    sequence shortint shortreal showcancelled signed small soft solve specify specparam static
    string strong strong0 strong1 struct super supply0 supply1 sync_accept_on sync_reject_on
    table tagged task this throughout time timeprecision timeunit tran tranif0 tranif1 tri tri0
    tri1 triand trior trireg type typedef union unique unique0 unsigned until until_with untyped
    use uwire var vectored virtual void wait wait_order wand weak weak0 weak1 while wildcard wire
    with within wor xnor xor
""".split())

# format: (the pattern a name must match in full, the rule as errors state it)
_GRAMMAR = {
    "Verilog": (r"[A-Za-z_][A-Za-z0-9_$]*",
                "an identifier [A-Za-z_][A-Za-z0-9_$]* that is not a Verilog or SystemVerilog "
                "keyword"),
    # whitespace separates BLIF tokens, '#' starts a comment, '\' continues a line and
    # '=' binds subcircuit pins
    "BLIF": (r"(?:(?![#=\\])[!-~])+",
             "one or more visible ASCII characters, no whitespace, '#', '=' or '\\'"),
}


def _check_name(name: Any, fmt: str, what: str) -> None:
    """Raise unless ``name`` is a valid ``what`` name in ``fmt`` (see :data:`_GRAMMAR`)."""
    pattern, rule = _GRAMMAR[fmt]
    if not isinstance(name, str):
        problem = f"is a {type(name).__name__}, not a str"
    elif not re.fullmatch(pattern, name):
        problem = f"breaks the {fmt} grammar"
    elif fmt == "Verilog" and name in _VERILOG_KEYWORDS:
        problem = "is a reserved keyword"
    else:
        return
    raise BadObject(f"cannot export to {fmt}: {what} name {name!r} {problem}; expected {rule}")


def _name(c: Circuit, w: int) -> str:
    return f"x{w}" if w < c.net.n_inputs else f"w{w}"


def to_verilog(c: Circuit, module: str = "circuit") -> str:
    """Structural Verilog: one ``xor``/``and`` primitive per gate.

    Raises:
        BadObject: if ``c`` is batched, or ``module`` is not a Verilog identifier (or is
            a keyword).

    Example:
        >>> from circuits import gates
        >>> print(to_verilog(gates.and_(), "conj"))
        module conj(input x0, input x1, output y0);
          wire w2;
          and g2(w2, x0, x1);
          assign y0 = w2;
        endmodule
        <BLANKLINE>
        >>> to_verilog(gates.and_(), "module")
        Traceback (most recent call last):
        ...
        categories._errors.BadObject: cannot export to Verilog: module name 'module' is a reserved ...
    """
    _check(c)
    _check_name(module, "Verilog", "module")
    n, m = c.net.n_inputs, len(c.net.outputs)
    ports = [f"input x{i}" for i in range(n)] + [f"output y{j}" for j in range(m)]
    lines = [f"module {module}({', '.join(ports)});"]
    lines += [f"  wire w{n + j};" for j in range(len(c.net.gates))]
    for j, (op, a, b) in enumerate(c.net.gates):
        w = n + j
        if op == "const":
            lines.append(f"  assign w{w} = 1'b{a};")
        else:
            lines.append(f"  {op} g{w}(w{w}, {_name(c, a)}, {_name(c, b)});")
    lines += [f"  assign y{j} = {_name(c, o)};" for j, o in enumerate(c.net.outputs)]
    return "\n".join(lines + ["endmodule", ""])


def to_blif(c: Circuit, model: str = "circuit") -> str:
    """Berkeley Logic Interchange Format: one ``.names`` table per gate.

    Raises:
        BadObject: if ``c`` is batched, or ``model`` is not a BLIF name.

    Example:
        >>> from circuits import gates
        >>> print(to_blif(gates.and_(), "conj"))
        .model conj
        .inputs x0 x1
        .outputs y0
        .names x0 x1 w2
        11 1
        .names w2 y0
        1 1
        .end
        <BLANKLINE>
    """
    _check(c)
    _check_name(model, "BLIF", "model")
    n = c.net.n_inputs
    lines = [f".model {model}", ".inputs " + " ".join(f"x{i}" for i in range(n)),
             ".outputs " + " ".join(f"y{j}" for j in range(len(c.net.outputs)))]
    tables = {"xor": ["01 1", "10 1"], "and": ["11 1"]}
    for j, (op, a, b) in enumerate(c.net.gates):
        w = f"w{n + j}"
        if op == "const":
            lines += [f".names {w}"] + (["1"] if a else [])
        else:
            lines += [f".names {_name(c, a)} {_name(c, b)} {w}"] + tables[op]
    for j, o in enumerate(c.net.outputs):
        lines += [f".names {_name(c, o)} y{j}", "1 1"]
    return "\n".join(lines + [".end", ""])


def to_aiger(c: Circuit) -> str:
    """ASCII AIGER (``aag``): and-inverter graph; ``a ⊕ b = ¬(a ∧ b) ∧ ¬(¬a ∧ ¬b)``.

    Example: literals are ``2 · variable`` (``+ 1`` negated); XOR takes three ANDs.

        >>> from circuits import gates
        >>> print(to_aiger(gates.xor()))
        aag 5 2 0 1 3
        2
        4
        10
        6 4 2
        8 5 3
        10 9 7
        i0 x0
        i1 x1
        o0 y0
        <BLANKLINE>
    """
    _check(c)
    n = c.net.n_inputs
    literal = {i: 2 * (i + 1) for i in range(n)}
    ands: list[tuple[int, int, int]] = []

    def new_and(x: int, y: int) -> int:
        lhs = 2 * (n + len(ands) + 1)
        ands.append((lhs, max(x, y), min(x, y)))
        return lhs

    for j, (op, a, b) in enumerate(c.net.gates):
        if op == "const":
            literal[n + j] = int(a)
        elif op == "and":
            literal[n + j] = new_and(literal[a], literal[b])
        else:
            both = new_and(literal[a], literal[b])
            neither = new_and(literal[a] ^ 1, literal[b] ^ 1)
            literal[n + j] = new_and(both ^ 1, neither ^ 1)
    outputs = [literal[o] for o in c.net.outputs]
    lines = [f"aag {n + len(ands)} {n} 0 {len(outputs)} {len(ands)}"]
    lines += [str(literal[i]) for i in range(n)] + [str(o) for o in outputs]
    lines += [f"{lhs} {r0} {r1}" for lhs, r0, r1 in ands]
    lines += [f"i{i} x{i}" for i in range(n)] + [f"o{j} y{j}" for j in range(len(outputs))]
    return "\n".join(lines) + "\n"
