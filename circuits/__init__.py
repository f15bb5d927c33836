"""Boolean (polynomial) circuits over Z2 as a Cartesian reverse derivative category.

Public API: :class:`Bits`, :class:`Circuit`, :class:`CircuitCategory`,
``CIRCUIT``, :func:`bits`, the generators in :mod:`circuits.gates`, the
brute-force oracle and polynomial semantics in :mod:`circuits.oracle`,
bit-packed evaluation in :mod:`circuits.packed`, models in
:mod:`circuits.models`, and exporters in :mod:`circuits.export`.

Example: ``xor(x, y) = x + y`` and ``R[xor](x, y, d) = (d, d)``, exactly.

    >>> from circuits import CIRCUIT, bits, gates
    >>> f = gates.xor()
    >>> f.category is CIRCUIT, f((bits([1]), bits([1]))).tolist()
    (True, [0])
    >>> [v.tolist() for v in f.rd()((bits([1]), bits([0]), bits([1])))]
    [[1], [1]]
"""

from . import gates as gates
from ._boolean import BOOLEAN_DERIVATIVE as BOOLEAN_DERIVATIVE
from ._boolean import BooleanDerivative as BooleanDerivative
from ._circuit import CIRCUIT as CIRCUIT
from ._circuit import Bits as Bits
from ._circuit import Circuit as Circuit
from ._circuit import CircuitCategory as CircuitCategory
from ._circuit import bits as bits
from ._netlist import Netlist as Netlist

__all__ = ["BOOLEAN_DERIVATIVE", "Bits", "BooleanDerivative", "CIRCUIT", "Circuit",
           "CircuitCategory", "Netlist", "bits", "gates"]
