"""Hypothesis strategies for lenses; importing this module registers them, so
``categories.strategies.strategies_for(LensCategory(C))`` works (and, through
the Para namespace, ``strategies_for(ParaCategory(LensCategory(C)))``).

For ``LensCategory(C)`` the options go to ``C``'s namespace (``base`` in the
returned one):

* ``objects()``: lens objects ``(A, A')``, diagonal ``(A, A)`` or not;
* ``points(obj)``: a point of an object of ``C``; a lens object has two sides,
  so draw ``points(obj.fwd)`` (what ``get`` reads) or ``points(obj.bwd)`` (a
  change, what ``put`` returns);
* ``lenses(dom, cod, max_depth=1)``, also ``arrows``: ``as_lens(f) = (f, R[f])``
  for a drawn ``f`` when both objects are diagonal (half the time), else a free
  lens ``(get, put)`` of two drawn morphisms; objects of ``C`` stand for their
  diagonal;
* ``distinct_points``, ``composable(n)``, ``parallel(n, dom, cod)`` as everywhere.

Example: the lens laws of ``check_lens`` under ``@given``.

    >>> from hypothesis import given, settings
    >>> from categories import SMOOTH, ArrayType
    >>> from categories.strategies import strategies_for
    >>> from lenses import LensCategory
    >>> from lenses.laws import check_lens
    >>> S = strategies_for(LensCategory(SMOOTH), dtype="float32")
    >>> X, Y = ArrayType((2,), "float32"), ArrayType((3,), "float32")
    >>> @settings(max_examples=5, deadline=None)
    ... @given(S.lenses(X, Y), S.points(X), S.points(Y))
    ... def test_lens_runs_as_its_get_and_put(lens, a, b_change):
    ...     check_lens(lens, a, b_change)
    >>> test_lens_runs_as_its_get_and_put()
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from categories import MissingDependency

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as err:
    raise MissingDependency("lenses.strategies needs hypothesis: "
                            "pip install 'paralens[testing]'") from err

from categories import Object, ReverseDerivativeCategory
from categories.strategies import namespace, register, strategies_for

from ._functor import as_lens
from ._lens import Lens, LensCategory, LensType, diagonal

__all__ = ["lens_namespace"]


def lens_namespace(category: LensCategory, **options: Any) -> SimpleNamespace:
    """The strategies namespace for ``category = LensCategory(C)`` (see the module
    docstring); ``options`` configure ``C``'s namespace.

    Example:
        >>> from categories import SMOOTH
        >>> S = lens_namespace(LensCategory(SMOOTH), max_side=2)
        >>> S.base.category, sorted(n for n in vars(S) if not n.startswith("_"))[-3:]
        (Smooth, ['objects', 'parallel', 'points'])
    """
    base = strategies_for(category.base, **options)
    derivable = isinstance(category.base, ReverseDerivativeCategory)

    def objects() -> st.SearchStrategy[LensType]:
        return st.one_of(base.objects().map(diagonal),
                         st.tuples(base.objects(), base.objects()).map(lambda p: LensType(*p)))

    def points(obj: Object, **kwargs: Any) -> st.SearchStrategy:
        if isinstance(obj, LensType):
            raise InvalidArgument(f"points: a lens object {obj} has a forward and a backward "
                                  f"side; draw points({obj.fwd}) or points({obj.bwd})")
        return base.points(obj, **kwargs)

    @st.composite
    def lenses(draw, dom: Object, cod: Object, max_depth: int = 1) -> Lens:
        """A lens ``dom → cod``: ``as_lens`` of a drawn map, or a free ``(get, put)``."""
        dom, cod = diagonal(dom), diagonal(cod)
        get = draw(base.arrows(dom.fwd, cod.fwd, max_depth), "get")
        if derivable and dom.fwd == dom.bwd and cod.fwd == cod.bwd and draw(st.booleans()):
            return as_lens(get)
        return Lens(get, draw(base.arrows(dom.fwd @ cod.bwd, dom.bwd, max_depth), "put"),
                    cod_bwd=cod.bwd)

    return namespace(category, objects, points, lenses, lenses=lenses, base=base)


register(LensCategory, lens_namespace)
