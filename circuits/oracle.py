"""Independent semantics of circuits, for testing: truth tables, the brute-force
reverse derivative of the Boolean function, and the polynomial a circuit denotes.

* ``brute_force_rd``: ``R[f](x, dy)_i = parity((f(x) ⊕ f(x ⊕ e_i)) ∧ dy)``, the
  derivative of the *multilinear* polynomial of the Boolean function (RDA's ``rdiffB``);
* ``polynomial_rd``: the formal derivative ``Σ_j ∂f_j/∂x_i (x) dy_j`` of the
  polynomial the netlist denotes (exponents kept: ``∂(x²)/∂x = 2x = 0``).

The syntactic ``R`` must equal ``polynomial_rd`` always, and ``brute_force_rd``
when the polynomial is multilinear.

Example:
    >>> from circuits import CIRCUIT, Bits, bits, gates
    >>> square = CIRCUIT.copy(Bits(1)) >> gates.and_()
    >>> polynomial(square), is_multilinear(square)
    ([frozenset({(2,)})], False)
    >>> polynomial_rd(square, bits([1]), bits([1])).tolist(), brute_force_rd(square, bits([1]), bits([1])).tolist()
    ([0], [1])
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from categories import BadObject, factors

from ._circuit import Circuit, evaluate, wires_of

__all__ = ["truth_table", "brute_force_rd", "polynomial", "polynomial_rd", "is_multilinear",
           "flatten", "unflatten"]

Monomial = tuple[int, ...]


def flatten(obj, x: Any) -> np.ndarray:
    """A point of ``obj`` as one 0/1 vector of its wires.

    Example:
        >>> from circuits import Bits, bits
        >>> flatten(Bits(2) @ Bits(1), (bits([1, 0]), bits([1]))).tolist()
        [1, 0, 1]
    """
    parts = (x,) if len(factors(obj)) == 1 else x
    return np.concatenate([np.asarray(v, np.uint8).ravel() for v in parts] or
                          [np.zeros(0, np.uint8)])


def unflatten(obj, v: np.ndarray) -> Any:
    """A 0/1 vector of wires as a point of ``obj``.

    Example:
        >>> from circuits import Bits, bits
        >>> [v.tolist() for v in unflatten(Bits(2) @ Bits(1), bits([1, 0, 1]))]
        [[1, 0], [1]]
    """
    out, k = [], 0
    for f in factors(obj):
        out.append(np.asarray(v[k:k + f.n], np.uint8))
        k += f.n
    return out[0] if len(out) == 1 else tuple(out)


def _run(c: Circuit, v: np.ndarray) -> np.ndarray:
    return flatten(c.cod, evaluate(c, unflatten(c.dom, v)))


def truth_table(c: Circuit) -> np.ndarray:
    """Outputs on every input, inputs in binary order (wire 0 most significant).

    Example: row ``2 x + y`` holds the output on ``(x, y)``.

        >>> from circuits import gates
        >>> truth_table(gates.and_()).tolist()
        [[0], [0], [0], [1]]
    """
    n = len(wires_of(c.dom))
    return np.array([_run(c, np.array(bits, np.uint8))
                     for bits in itertools.product((0, 1), repeat=n)], np.uint8)


def brute_force_rd(c: Circuit, x: Any, dy: Any) -> np.ndarray:
    """``R[f](x, dy)`` of the Boolean function, by ``n + 1`` evaluations (flat wires).

    ``R[f](x, dy)_i = parity((f(x) ⊕ f(x ⊕ e_i)) ∧ dy)``.

    Example: ``x · x`` computes the function ``x``, whose derivative is 1.

        >>> from circuits import CIRCUIT, Bits, bits, gates
        >>> brute_force_rd(gates.and_(), (bits([1]), bits([0])), bits([1])).tolist()
        [0, 1]
        >>> brute_force_rd(CIRCUIT.copy(Bits(1)) >> gates.and_(), bits([1]), bits([1])).tolist()
        [1]
    """
    v, d = flatten(c.dom, x), flatten(c.cod, dy)
    fx = _run(c, v)
    out = []
    for i in range(len(v)):
        flipped = v.copy()
        flipped[i] ^= 1
        out.append(int(np.sum((fx ^ _run(c, flipped)) & d) % 2))
    return np.array(out, np.uint8)


def polynomial(c: Circuit) -> list[frozenset[Monomial]]:
    """Each output as a set of monomials (exponent tuples) with coefficient 1 mod 2.

    Example: ``or(x, y) = y + x + x y``, and the square ``x · x`` keeps its exponent.

        >>> from circuits import CIRCUIT, Bits, gates
        >>> sorted(polynomial(gates.or_())[0])
        [(0, 1), (1, 0), (1, 1)]
        >>> polynomial(CIRCUIT.copy(Bits(1)) >> gates.and_())
        [frozenset({(2,)})]
    """
    n = c.net.n_inputs
    polys: list[frozenset[Monomial]] = [
        frozenset({tuple(int(j == i) for j in range(n))}) for i in range(n)]
    for op, a, b in c.net.gates:
        if op == "xor":
            polys.append(polys[a] ^ polys[b])
        elif op == "and":
            prod: set[Monomial] = set()
            for m1 in polys[a]:
                for m2 in polys[b]:
                    prod ^= {tuple(x + y for x, y in zip(m1, m2))}
            polys.append(frozenset(prod))
        elif op == "const":
            polys.append(frozenset({(0,) * n}) if a else frozenset())
        else:
            raise BadObject(f"polynomial: {c!r} is batched (it has parity gates), so it has no "
                            f"single polynomial; take the polynomial of the unbatched circuit")
    return [polys[o] for o in c.net.outputs]


def _value(m: Monomial, v: np.ndarray) -> int:
    return int(all(v[i] for i, e in enumerate(m) if e))


def polynomial_rd(c: Circuit, x: Any, dy: Any) -> np.ndarray:
    """``Σ_j ∂f_j/∂x_i (x) · dy_j`` with formal partial derivatives over Z2.

    Example: ``∂(x y) = (y, x)``, and ``∂(x²)/∂x = 2x = 0``.

        >>> from circuits import CIRCUIT, Bits, bits, gates
        >>> polynomial_rd(gates.and_(), (bits([1]), bits([0])), bits([1])).tolist()
        [0, 1]
        >>> polynomial_rd(CIRCUIT.copy(Bits(1)) >> gates.and_(), bits([1]), bits([1])).tolist()
        [0]
    """
    v, d = flatten(c.dom, x), flatten(c.cod, dy)
    out = np.zeros(len(v), np.uint8)
    for j, poly in enumerate(polynomial(c)):
        if not d[j]:
            continue
        for m in poly:
            for i, e in enumerate(m):
                if e % 2:
                    out[i] ^= _value(tuple(k - (t == i) for t, k in enumerate(m)), v)
    return out


def is_multilinear(c: Circuit) -> bool:
    """Whether no monomial of any output has an exponent above 1.

    Example:
        >>> from circuits import CIRCUIT, Bits, gates
        >>> is_multilinear(gates.or_()), is_multilinear(CIRCUIT.copy(Bits(1)) >> gates.and_())
        (True, False)
    """
    return all(e <= 1 for poly in polynomial(c) for m in poly for e in m)
