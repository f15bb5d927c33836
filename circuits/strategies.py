"""Hypothesis strategies for circuits; importing this module registers them, so
``categories.strategies.strategies_for(CIRCUIT)`` works and the law suite runs
on circuits unchanged.

* ``objects()``: ``Bits(n)`` and products of them;
* ``points(obj)``: 0/1 arrays;
* ``arrows(dom, cod, max_depth, safe=False)``: random netlists of XOR, AND and
  constants (``safe=True``: AND only of wires with disjoint input supports, so
  the polynomial is multilinear and equals the Boolean function's);
* ``composable(n)``, ``parallel(n, dom, cod)``.

Example:
    >>> from categories.strategies import strategies_for
    >>> from circuits import CIRCUIT
    >>> S = strategies_for(CIRCUIT)
    >>> {"arrows", "composable", "objects", "points", "parallel"} <= set(vars(S))
    True
"""

from __future__ import annotations

import functools
import operator
from types import SimpleNamespace

import numpy as np

from categories import MissingDependency

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.extra import numpy as hnp
except ImportError as err:
    raise MissingDependency("circuits.strategies needs hypothesis: "
                            "pip install 'paralens[testing]'") from err

from categories import Object, factors
from categories.strategies import namespace, register

from ._circuit import CIRCUIT, Bits, Circuit, CircuitCategory, wires_of
from ._netlist import Builder

__all__ = ["circuit_namespace"]


def circuit_namespace(category: CircuitCategory = CIRCUIT, *, max_bits: int = 3,
                      max_factors: int = 2, max_gates: int = 8) -> SimpleNamespace:
    """The strategies namespace for circuits (see the module docstring).

    Example: a property of every small circuit ``bits[2] → bits[1]``.

        >>> from hypothesis import given, settings
        >>> from circuits import Bits
        >>> S = circuit_namespace(max_bits=2, max_gates=4)
        >>> @settings(max_examples=10, deadline=None)
        ... @given(S.arrows(Bits(2), Bits(1)), S.points(Bits(2)))
        ... def test_outputs_are_bits(c, x):
        ...     assert c(x).tolist() in ([0], [1])
        >>> test_outputs_are_bits()
        >>> circuit_namespace(max_bits=0)
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: need max_bits ≥ 1, max_factors ≥ 1, max_gates ≥ 0; ...
    """
    if max_bits < 1 or max_factors < 1 or max_gates < 0:
        raise InvalidArgument(f"need max_bits ≥ 1, max_factors ≥ 1, max_gates ≥ 0; got "
                              f"{max_bits=}, {max_factors=}, {max_gates=}")
    one = st.integers(1, max_bits).map(Bits)

    def objects() -> st.SearchStrategy[Object]:
        many = st.lists(one, min_size=2, max_size=max_factors).map(
            lambda fs: functools.reduce(operator.matmul, fs))
        return st.one_of(one, one, many) if max_factors > 1 else one

    def points(obj: Object) -> st.SearchStrategy:
        parts = [hnp.arrays(np.uint8, f.shape, elements=st.integers(0, 1)) for f in factors(obj)]
        return parts[0] if len(parts) == 1 else st.tuples(*parts)

    @st.composite
    def arrows(draw, dom: Object, cod: Object, max_depth: int = 1, safe: bool = False) -> Circuit:
        del max_depth  # a random netlist is already a random composite of generators
        b = Builder(len(wires_of(dom)), wires_of(dom))
        support = [frozenset({i}) for i in range(b.n_inputs)]
        for _ in range(draw(st.integers(0, max_gates))):
            op = draw(st.sampled_from(["xor", "and", "and", "const"]))
            if op == "const" or not support:
                w = b.const(draw(st.integers(0, 1)))
                supp = frozenset()
            else:
                x, y = draw(st.integers(0, len(support) - 1)), draw(st.integers(0, len(support) - 1))
                if op == "and" and safe and support[x] & support[y]:
                    op = "xor"
                w = b.xor(x, y) if op == "xor" else b.and_(x, y)
                supp = support[x] | support[y]
            while len(support) <= w:
                support.append(frozenset())
            support[w] = support[w] | supp
        width = len(wires_of(cod))
        outs = [draw(st.integers(0, len(support) - 1)) if support else b.const(0)
                for _ in range(width)]
        return Circuit(dom, cod, b.build(outs))

    return namespace(category, objects, points, arrows)


register(CircuitCategory, circuit_namespace)
