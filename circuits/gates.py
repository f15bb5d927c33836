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

Example:
    >>> import numpy as np
    >>> x, y, d = bits([0]), bits([1]), bits([1])
    >>> or_()((x, y)).tolist()
    [1]
    >>> [v.tolist() for v in or_().rd()((x, y, d))]
    [[0], [1]]
"""

from __future__ import annotations

from typing import Sequence

from categories import I

from ._circuit import CIRCUIT, Bits, Circuit, bits

__all__ = ["copy", "discard", "xor", "zero", "and_", "one", "not_", "or_", "nand", "mux",
           "constant", "identity", "bits"]

B1 = Bits(1)
B2, B3 = B1 @ B1, B1 @ B1 @ B1


def copy(n: int = 1) -> Circuit:
    """``Δ : bits[n] → bits[n] @ bits[n]``."""
    return CIRCUIT.copy(Bits(n))


def discard(n: int = 1) -> Circuit:
    """``! : bits[n] → I``."""
    return CIRCUIT.discard(Bits(n))


def identity(n: int = 1) -> Circuit:
    """``1 : bits[n] → bits[n]``."""
    return CIRCUIT.id(Bits(n))


def xor() -> Circuit:
    """``+ : bits[1] @ bits[1] → bits[1]``."""
    return CIRCUIT._make(B2, B1, lambda b: [b.xor(0, 1)], "xor")


def and_() -> Circuit:
    """``· : bits[1] @ bits[1] → bits[1]``."""
    return CIRCUIT._make(B2, B1, lambda b: [b.and_(0, 1)], "and")


def zero() -> Circuit:
    """``0 : I → bits[1]``."""
    return CIRCUIT.zero(I, B1)


def one() -> Circuit:
    """``1 : I → bits[1]``."""
    return CIRCUIT._make(I, B1, lambda b: [b.const(1)], "one")


def not_() -> Circuit:
    """``x ↦ x + 1``; ``R = d``."""
    return CIRCUIT._make(B1, B1, lambda b: [b.xor(0, b.const(1))], "not")


def or_() -> Circuit:
    """``(x, y) ↦ x + y + x y``; ``R = ((1 + y) d, (1 + x) d)``."""
    return CIRCUIT._make(B2, B1, lambda b: [b.xor(b.xor(0, 1), b.and_(0, 1))], "or")


def nand() -> Circuit:
    """``(x, y) ↦ x y + 1``."""
    return CIRCUIT._make(B2, B1, lambda b: [b.xor(b.and_(0, 1), b.const(1))], "nand")


def mux() -> Circuit:
    """``(s, a, b) ↦ a + s (a + b)``: ``a`` when ``s = 0``, ``b`` when ``s = 1``."""
    return CIRCUIT._make(B3, B1, lambda b: [b.xor(1, b.and_(0, b.xor(1, 2)))], "mux")


def constant(values: Sequence[int]) -> Circuit:
    """The constant bits ``() ↦ values``."""
    v = bits(values)
    return CIRCUIT._make(I, Bits(len(v)), lambda b: [b.const(int(x)) for x in v],
                         f"constant({v.tolist()})")
