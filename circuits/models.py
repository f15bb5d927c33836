"""Learnable circuits: Para maps whose parameters are bits.

* ``lookup_table(n_in, n_out)``: the RDA Iris model, a truth table
  ``θ : bits[n_out · 2^n_in]`` with output ``j = θ[j, x]``, built as
  ``Σ_k θ_jk · m_k(x)`` from the minterms ``m_k``; ``R`` w.r.t. ``θ`` puts
  ``dy_j`` at row ``x``, so each RDA step writes the current label there;
* ``gate_layer(n_in, n_out)``: each output a learnable polynomial of degree ≤ 2,
  ``c_j + Σ_i w_ji x_i + Σ_{i<k} v_jik x_i x_k`` (its algebraic normal form).

Both are multilinear, so their syntactic ``R`` is the Boolean function's.

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

from categories import Para

from ._circuit import CIRCUIT, Bits

__all__ = ["lookup_table", "gate_layer"]


def _zeros(n: int):
    return lambda key: np.zeros(n, np.uint8)


def lookup_table(n_in: int, n_out: int) -> Para:
    """A learnable truth table ``bits[n_in] → bits[n_out]``; parameters start at 0."""
    rows = 2 ** n_in
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
    """``n_out`` learnable degree-2 polynomials of ``n_in`` bits; parameters start at 0."""
    pairs = list(itertools.combinations(range(n_in), 2))
    per = 1 + n_in + len(pairs)
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
