"""Tools for implementing a category of your own, as ``lenses`` and ``circuits`` do.

A morphism class of a new category subclasses :class:`categories.Morphism`, is
immutable (its ``__setattr__`` refuses), and sets its fields once with
:func:`set_fields`. A composite keeps its ``parts`` and joins them with
:func:`concat`, so building a chain by repeated ``>>`` costs time linear in its
length (:class:`Parts` flattens once, when first read); :class:`TensorObjects`
gives a lazily made tensor its ``dom`` and ``cod``. Multiple dispatch of ``>>``,
``@`` and the functors lives in the namespace :data:`DISPATCH`, so rules for new
kinds of morphism are registered there (``@dispatch(Mine, Mine, namespace=DISPATCH)``).

Example: parts joined without copying, and fields set on an object that refuses
``setattr``.

    >>> from categories.building import DISPATCH, concat, set_fields
    >>> chain = concat([(1, 2), concat([(3,), (4, 5)])])
    >>> len(chain), chain[-1], tuple(chain)
    (5, 5, (1, 2, 3, 4, 5))
    >>> class Frozen:
    ...     def __setattr__(self, key, value):
    ...         raise AttributeError("immutable")
    >>> f = Frozen()
    >>> set_fields(f, name="f", parts=chain)
    >>> f.name, len(f.parts)
    ('f', 5)
    >>> {"compose", "tensor"} <= set(DISPATCH)  # where ``>>`` and ``@`` dispatch
    True
"""

from ._abc import DISPATCH as DISPATCH
from ._abc import Parts as Parts
from ._abc import TensorObjects as TensorObjects
from ._abc import concat as concat
from ._abc import set_fields as set_fields

__all__ = ["DISPATCH", "Parts", "TensorObjects", "concat", "set_fields"]
