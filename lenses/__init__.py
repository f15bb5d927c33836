"""Lenses and parametric lenses over any Cartesian reverse derivative category.

Public API: :class:`Lens`, :class:`LensType`, :class:`LensCategory`,
:func:`diagonal`, :func:`as_lens` (the functor ``R : C → Lens(C)``), and the
law checkers in :mod:`lenses.laws`.
"""

from ._functor import as_lens as as_lens
from ._lens import Lens as Lens
from ._lens import LensCategory as LensCategory
from ._lens import LensType as LensType
from ._lens import diagonal as diagonal

__all__ = ["Lens", "LensCategory", "LensType", "as_lens", "diagonal"]
