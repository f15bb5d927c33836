"""A learning component's lens is built in the category it is handed.

Additive components (``gradient()``, the ``identity()`` rate, ``difference``) use
only ``+``, copy and zero, which every reverse derivative category has. The
others need arithmetic of real numbers; they ask their category for it through
:meth:`~categories.ReverseDerivativeCategory.function`, and a category without it
makes them fail at build time, under their own name.

Example:
    >>> from circuits import CIRCUIT, Bits
    >>> function(CIRCUIT, "adam", "√ and ÷", "adam.put", Bits(1), Bits(1), abs)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    categories._errors.MissingStructure: adam cannot be built in Circuit: it needs √ and ÷, which Circuit lacks ...
"""

from __future__ import annotations

from typing import Any, Callable

from categories import MissingStructure, Morphism, Object


def function(category: Any, component: str, needs: str, name: str, dom: Object, cod: Object,
             fn: Callable[[Any], Any]) -> Morphism:
    """``category.function(name, dom, cod, fn)``, or :class:`MissingStructure` naming
    ``component``, the category and what it ``needs``."""
    try:
        make = category.function
    except AttributeError:
        make = None
    try:
        if make is None:
            raise MissingStructure(f"{category!r} is not a reverse derivative category")
        return make(name, dom, cod, fn)
    except MissingStructure as err:
        raise MissingStructure(f"{component} cannot be built in {category!r}: it needs {needs}, "
                               f"which {category!r} lacks ({err})") from None
