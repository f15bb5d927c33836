"""The generators of polynomial circuits and the gates derived from them.

Generators (theory §4.2), with their reverse derivatives:

| gate | forward | ``R[·](x, d)`` |
| --- | --- | --- |
| ``copy`` | ``x ↦ (x, x)`` | ``d1 + d2`` |
| ``discard`` | ``x ↦ ()`` | ``0`` |
| ``xor`` (``+``) | ``(x, y) ↦ x + y`` | ``(d, d)`` |
| ``zero`` | ``() ↦ 0`` | ``()`` |
| ``and_`` (``·``) | ``(x, y) ↦ x y`` | ``(y d, x d)`` |
| ``one`` | ``() ↦ 1`` | ``()`` |

Derived: ``not_ = x + 1``, ``or_ = x + y + x y``, ``nand = x y + 1``,
``mux(s, a, b) = a + s (a + b)`` (``b`` when ``s``), ``constant(bits)``.

Sizes are ints, and no generator here or in :mod:`circuits.models` builds more
than :data:`MAX_WIRES` wires: larger requests raise ``BadObject`` before building.

Example:
    >>> import numpy as np
    >>> x, y, d = bits([0]), bits([1]), bits([1])
    >>> or_()((x, y)).tolist()
    [1]
    >>> [v.tolist() for v in or_().rd()((x, y, d))]
    [[0], [1]]
    >>> identity(MAX_WIRES + 1)
    Traceback (most recent call last):
    ...
    categories._errors.BadObject: identity(4194305) would need 4,194,305 wires (inputs + gates); ...
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

from categories import BadObject, I

from ._circuit import CIRCUIT, Bits, Circuit, bits

__all__ = ["copy", "discard", "xor", "zero", "and_", "one", "not_", "or_", "nand", "mux",
           "constant", "identity", "bits", "MAX_WIRES"]

MAX_WIRES = 2 ** 22
"""The most wires (inputs plus gates) a generator builds; a netlist this size takes
about 2 GB while it is built (~450 bytes a gate in Python)."""

B1 = Bits(1)
B2, B3 = B1 @ B1, B1 @ B1 @ B1


def _count(where: str, name: str, value: Any, least: int = 0) -> int:
    """``value`` as an int ``≥ least`` (numpy ints too), else BadObject."""
    try:
        n = operator.index(value)
    except TypeError:
        n = None
    if n is None or n < least:
        raise BadObject(f"{where}: expected {name} an int ≥ {least}, got {value!r}")
    return n


def _budget(call: str, wires: int) -> None:
    """Refuse, before building it, a circuit of more than :data:`MAX_WIRES` wires."""
    if wires > MAX_WIRES:
        # str() of a huge int is slow (and refused past 4300 digits)
        size = f"{wires:,}" if wires < 10 ** 18 else f"about 2^{wires.bit_length() - 1}"
        raise BadObject(f"{call} would need {size} wires (inputs + gates); expected at most "
                        f"MAX_WIRES = {MAX_WIRES:,}")


def _bits(where: str, n: Any) -> Bits:
    """``Bits(n)``, for an int ``n`` within the budget."""
    n = _count(where, "n", n)
    _budget(f"{where}({n})", n)
    return Bits(n)


def copy(n: int = 1) -> Circuit:
    """``Δ : bits[n] → bits[n] @ bits[n]``; ``R[Δ](x, d1, d2) = d1 + d2``.

    Example:
        >>> [v.tolist() for v in copy(2)(bits([1, 0]))]
        [[1, 0], [1, 0]]
        >>> copy(2).rd()((bits([1, 0]), bits([1, 1]), bits([0, 1]))).tolist()
        [1, 0]
    """
    return CIRCUIT.copy(_bits("copy", n))


def discard(n: int = 1) -> Circuit:
    """``! : bits[n] → I``; ``R[!](x) = 0``.

    Example:
        >>> discard(2)(bits([1, 0])), discard(2).rd()(bits([1, 0])).tolist()
        ((), [0, 0])
    """
    return CIRCUIT.discard(_bits("discard", n))


def identity(n: int = 1) -> Circuit:
    """``1 : bits[n] → bits[n]``; ``R[1](x, d) = d``.

    Example:
        >>> identity(3), identity(3)(bits([1, 0, 1])).tolist()
        (id(bits[3]), [1, 0, 1])
        >>> identity(3).rd()((bits([1, 0, 1]), bits([0, 1, 1]))).tolist()
        [0, 1, 1]
    """
    return CIRCUIT.id(_bits("identity", n))


def xor() -> Circuit:
    """``+ : bits[1] @ bits[1] → bits[1]``; ``R[+](x, y, d) = (d, d)``.

    Example:
        >>> [int(xor()((bits([x]), bits([y]))).item()) for x in (0, 1) for y in (0, 1)]
        [0, 1, 1, 0]
        >>> [v.tolist() for v in xor().rd()((bits([0]), bits([1]), bits([1])))]
        [[1], [1]]
    """
    return CIRCUIT._make(B2, B1, lambda b: [b.xor(0, 1)], "xor")


def and_() -> Circuit:
    """``· : bits[1] @ bits[1] → bits[1]``; ``R[·](x, y, d) = (y d, x d)``.

    Example:
        >>> [int(and_()((bits([x]), bits([y]))).item()) for x in (0, 1) for y in (0, 1)]
        [0, 0, 0, 1]
        >>> [v.tolist() for v in and_().rd()((bits([0]), bits([1]), bits([1])))]
        [[1], [0]]
    """
    return CIRCUIT._make(B2, B1, lambda b: [b.and_(0, 1)], "and")


def zero() -> Circuit:
    """``0 : I → bits[1]``; ``R[0](d) = ()``.

    Example:
        >>> zero(), zero()(()).tolist(), zero().rd()(bits([1]))
        (zero(I, bits[1]), [0], ())
    """
    return CIRCUIT.zero(I, B1)


def one() -> Circuit:
    """``1 : I → bits[1]``; ``R[1](d) = ()``.

    Example:
        >>> one(), one()(()).tolist(), one().rd()(bits([1]))
        (one, [1], ())
    """
    return CIRCUIT._make(I, B1, lambda b: [b.const(1)], "one")


def not_() -> Circuit:
    """``x ↦ x + 1``; ``R = d``.

    Example:
        >>> [int(not_()(bits([x])).item()) for x in (0, 1)]
        [1, 0]
        >>> not_().rd()((bits([1]), bits([1]))).tolist()
        [1]
    """
    return CIRCUIT._make(B1, B1, lambda b: [b.xor(0, b.const(1))], "not")


def or_() -> Circuit:
    """``(x, y) ↦ x + y + x y``; ``R = ((1 + y) d, (1 + x) d)``.

    Example:
        >>> [int(or_()((bits([x]), bits([y]))).item()) for x in (0, 1) for y in (0, 1)]
        [0, 1, 1, 1]
        >>> [v.tolist() for v in or_().rd()((bits([0]), bits([1]), bits([1])))]
        [[0], [1]]
    """
    return CIRCUIT._make(B2, B1, lambda b: [b.xor(b.xor(0, 1), b.and_(0, 1))], "or")


def nand() -> Circuit:
    """``(x, y) ↦ x y + 1``; ``R = (y d, x d)``.

    Example:
        >>> [int(nand()((bits([x]), bits([y]))).item()) for x in (0, 1) for y in (0, 1)]
        [1, 1, 1, 0]
        >>> [v.tolist() for v in nand().rd()((bits([1]), bits([0]), bits([1])))]
        [[0], [1]]
    """
    return CIRCUIT._make(B2, B1, lambda b: [b.xor(b.and_(0, 1), b.const(1))], "nand")


def mux() -> Circuit:
    """``(s, a, b) ↦ a + s (a + b)``: ``a`` when ``s = 0``, ``b`` when ``s = 1``.

    ``R[mux](s, a, b, d) = ((a + b) d, (1 + s) d, s d)``.

    Example:
        >>> a, b = bits([0]), bits([1])
        >>> mux()((bits([0]), a, b)).tolist(), mux()((bits([1]), a, b)).tolist()
        ([0], [1])
        >>> [v.tolist() for v in mux().rd()((bits([1]), a, b, bits([1])))]
        [[1], [0], [1]]
    """
    return CIRCUIT._make(B3, B1, lambda b: [b.xor(1, b.and_(0, b.xor(1, 2)))], "mux")


def constant(values: Sequence[int]) -> Circuit:
    """The constant bits ``() ↦ values``; ``R = ()``.

    Example:
        >>> c = constant([1, 0, 1])
        >>> c, str(c.dom), str(c.cod), c(()).tolist()
        (constant([1, 0, 1]), 'I', 'bits[3]', [1, 0, 1])
    """
    v = bits(values)
    return CIRCUIT._make(I, Bits(len(v)), lambda b: [b.const(int(x)) for x in v],
                         f"constant({v.tolist()})")
