"""Learnable circuits: Para maps whose parameters are bits.

* ``lookup_table(n_in, n_out)``: the RDA Iris model, a truth table
  ``θ : bits[n_out · 2^n_in]`` with output ``j = θ[j, x]``, built as
  ``Σ_k θ_jk · m_k(x)`` from the minterms ``m_k``; ``R`` w.r.t. ``θ`` puts
  ``dy_j`` at row ``x``, so each RDA step writes the current label there;
* ``gate_layer(n_in, n_out)``: each output a learnable polynomial of degree ≤ 2,
  ``c_j + Σ_i w_ji x_i + Σ_{i<k} v_jik x_i x_k`` (its algebraic normal form);
* ``pseudo_linear(n, k)``: the RDA MNIST model
  ``[popcount(p ∧ x) ≤ ⌊popcount(p)/k⌋]``, from adder trees and a comparator.

The first two are multilinear, so their syntactic ``R`` is the Boolean
function's. ``pseudo_linear`` is not (``p`` feeds both sides of the
comparator): its ``R`` is the formal derivative of its polynomial, where the
RDA code differentiated the Boolean function by brute force.

Each builder checks its sizes (ints ``≥ 1``) and counts the wires it would build
before building: past :data:`circuits.gates.MAX_WIRES` (``2^22``) it raises
``BadObject``; the largest ``lookup_table(n_in, 1)`` has ``n_in = 19``.

Example:
    >>> from circuits import bits
    >>> table = lookup_table(2, 1)
    >>> theta = bits([0, 1, 1, 0])            # XOR of the two input bits, row k = x0 + 2 x1
    >>> [int(table(theta, bits(x))[0]) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
    [0, 1, 1, 0]
"""

from __future__ import annotations

import itertools

import numpy as np

from categories import BadObject, Para

from ._circuit import CIRCUIT, Bits
from .gates import _budget, _count

__all__ = ["lookup_table", "gate_layer", "pseudo_linear"]


def _zeros(n: int):
    return lambda key: np.zeros(n, np.uint8)


def lookup_table(n_in: int, n_out: int) -> Para:
    """A learnable truth table ``bits[n_in] → bits[n_out]``; parameters start at 0.

    Raises:
        BadObject: unless ``n_in, n_out ≥ 1`` and the table fits in ``MAX_WIRES``.

    Example: AND as a table, ``θ_k`` the output at row ``k = x0 + 2 x1``.

        >>> from circuits import bits
        >>> t = lookup_table(2, 1)
        >>> str(t.param), t.init(None).tolist()
        ('bits[4]', [0, 0, 0, 0])
        >>> [int(t(bits([0, 0, 0, 1]), bits(x)).item()) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
        [0, 0, 0, 1]
    """
    n_in = _count("lookup_table", "n_in", n_in, 1)
    n_out = _count("lookup_table", "n_out", n_out, 1)
    rows = 2 ** n_in
    # θ and the θ·m ANDs and their XORs (3 · n_out · rows), the minterms' ANDs (2 · rows)
    _budget(f"lookup_table({n_in}, {n_out})", (3 * n_out + 2) * rows + 2 * n_in)
    P, X, Y = Bits(n_out * rows), Bits(n_in), Bits(n_out)

    def build(b):
        x = [P.n + i for i in range(n_in)]
        not_x = [b.xor(w, b.const(1)) for w in x]
        minterms = []
        for k in range(rows):
            m = b.const(1)
            for i in range(n_in):
                m = b.and_(m, x[i] if (k >> i) & 1 else not_x[i])
            minterms.append(m)
        outs = []
        for j in range(n_out):
            acc = b.const(0)
            for k in range(rows):
                acc = b.xor(acc, b.and_(j * rows + k, minterms[k]))
            outs.append(acc)
        return outs

    inside = CIRCUIT._make(P @ X, Y, build, f"lookup_table({n_in}→{n_out})")
    return Para(P, X, inside, _zeros(P.n), name=f"lookup_table({n_in}→{n_out})")


def gate_layer(n_in: int, n_out: int) -> Para:
    """``n_out`` learnable degree-2 polynomials of ``n_in`` bits; parameters start at 0.

    Raises:
        BadObject: unless ``n_in, n_out ≥ 1`` and the layer fits in ``MAX_WIRES``.

    Example: the coefficients ``(c, w0, w1, v01) = (1, 0, 0, 1)`` give NAND, ``1 + x0 x1``.

        >>> from circuits import bits
        >>> g = gate_layer(2, 1)
        >>> str(g.param)
        'bits[4]'
        >>> [int(g(bits([1, 0, 0, 1]), bits(x)).item()) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
        [1, 1, 1, 0]
    """
    n_in = _count("gate_layer", "n_in", n_in, 1)
    n_out = _count("gate_layer", "n_out", n_out, 1)
    n_pairs = n_in * (n_in - 1) // 2
    per = 1 + n_in + n_pairs
    # θ and the θ·term ANDs and their XORs (3 · n_out · per), the pairs' ANDs
    _budget(f"gate_layer({n_in}, {n_out})", 3 * n_out * per + n_pairs + n_in)
    pairs = list(itertools.combinations(range(n_in), 2))
    P, X, Y = Bits(n_out * per), Bits(n_in), Bits(n_out)

    def build(b):
        x = [P.n + i for i in range(n_in)]
        terms = [b.const(1)] + x + [b.and_(x[i], x[k]) for i, k in pairs]
        outs = []
        for j in range(n_out):
            acc = b.const(0)
            for t, term in enumerate(terms):
                acc = b.xor(acc, b.and_(j * per + t, term))
            outs.append(acc)
        return outs

    inside = CIRCUIT._make(P @ X, Y, build, f"gate_layer({n_in}→{n_out})")
    return Para(P, X, inside, _zeros(P.n), name=f"gate_layer({n_in}→{n_out})")


def _full_adder(b, x: int, y: int, c: int) -> tuple[int, int]:
    s = b.xor(x, y)
    # the majority xy + xc + yc, written xy + c(x + y)
    return b.xor(s, c), b.xor(b.and_(x, y), b.and_(c, s))


def _add(b, u: list[int], v: list[int]) -> list[int]:
    """Ripple-carry sum of two little-endian numbers."""
    width = max(len(u), len(v))
    u, v = u + [b.const(0)] * (width - len(u)), v + [b.const(0)] * (width - len(v))
    out, carry = [], b.const(0)
    for x, y in zip(u, v):
        s, carry = _full_adder(b, x, y, carry)
        out.append(s)
    return out + [carry]


def _popcount(b, wires: list[int]) -> list[int]:
    numbers = [[w] for w in wires] or [[b.const(0)]]
    while len(numbers) > 1:
        paired = [_add(b, numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
        numbers = paired + ([numbers[-1]] if len(numbers) % 2 else [])
    return numbers[0]


def _less_or_equal(b, u: list[int], v: list[int]) -> int:
    """``u ≤ v`` for little-endian numbers: not (u > v), scanning from the top bit."""
    width = max(len(u), len(v))
    u, v = u + [b.const(0)] * (width - len(u)), v + [b.const(0)] * (width - len(v))
    greater, equal = b.const(0), b.const(1)
    for x, y in zip(reversed(u), reversed(v)):
        # the first differing bit decides, so the cases are exclusive and XOR is OR
        greater = b.xor(greater, b.and_(equal, b.and_(x, b.xor(y, b.const(1)))))
        equal = b.and_(equal, b.xor(b.xor(x, y), b.const(1)))
    return b.xor(greater, b.const(1))


def pseudo_linear(n: int, k: int = 4) -> Para:
    """``[popcount(p ∧ x) ≤ ⌊popcount(p)/k⌋] : bits[n] → bits[1]`` with ``p : bits[n]``
    (RDA's ``pseudoLinear``; ``k`` a power of two). Parameters start at 0.

    Raises:
        BadObject: unless ``n ≥ 1``, ``k`` is a power of two and the circuit fits in
            ``MAX_WIRES``.

    Example: with ``p = 1111`` and ``k = 4``, the output is ``[popcount(x) ≤ 1]``.

        >>> from circuits import bits
        >>> from circuits.oracle import is_multilinear
        >>> f, p = pseudo_linear(4), bits([1, 1, 1, 1])
        >>> [int(f(p, bits(x)).item()) for x in ([0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0])]
        [1, 1, 0]
        >>> is_multilinear(f.inside)  # p feeds both sides of the comparator
        False
    """
    n, k = _count("pseudo_linear", "n", n, 1), _count("pseudo_linear", "k", k, 1)
    if k & (k - 1):
        raise BadObject(f"pseudo_linear: expected k a power of two, got {k}")
    # p, x, two adder-tree popcounts (≈ 7 gates a bit each), p ∧ x and the comparator
    _budget(f"pseudo_linear({n}, {k})", 17 * n + 8)
    shift = k.bit_length() - 1
    P, X = Bits(n), Bits(n)

    def build(b):
        p, x = list(range(n)), list(range(n, 2 * n))
        hits = _popcount(b, [b.and_(pi, xi) for pi, xi in zip(p, x)])
        budget = _popcount(b, p)[shift:] or [b.const(0)]
        return [_less_or_equal(b, hits, budget)]

    inside = CIRCUIT._make(P @ X, Bits(1), build, f"pseudo_linear({n}, {k})")
    return Para(P, X, inside, _zeros(n), name=f"pseudo_linear({n}, {k})")
