"""The exception hierarchy of paralens.

Every error subclasses both :class:`AxiomError` and the built-in exception a
Python user would expect (``TypeError`` for ill-typed composites,
``ValueError`` for bad data, ``AssertionError`` for a broken law), so both
``except AxiomError`` and the usual built-in handlers catch it.
"""


class AxiomError(Exception):
    """Base class of every error paralens raises on purpose."""


class NotComposable(AxiomError, TypeError):
    """Two morphisms cannot be composed, tensored, added or paired."""


class BadObject(AxiomError, ValueError):
    """An object does not fit where it is used (a shape, a size, a channel count)."""


class BadPoint(AxiomError, ValueError):
    """A value does not inhabit the object it was given for (shape, dtype, structure)."""


class BadHyperparameter(AxiomError, ValueError):
    """A hyperparameter is outside its range (a learning rate that is not finite and
    positive, a decay outside ``[0, 1)``, a negative ``ε`` or norm), refused at construction."""


class LawViolation(AxiomError, AssertionError):
    """A law (category, Cartesian, left-additive, RD.1–RD.7, lens, Para) fails at a point."""


MSG_COMPOSE = (
    "cannot compose {f} >> {g}: codomain {cod} ≠ domain {dom}.\n"
    "  The output object of the first morphism must equal the input object of "
    "the second; insert a reshape or a projection, or fix the layer sizes."
)
MSG_CATEGORY = (
    "cannot {op} {f} ({fcat}) with {g} ({gcat}): they live in different categories.\n"
    "  Morphisms can only be combined inside one category; lift plain morphisms into "
    "Para with Para.lift, or into lenses with as_lens."
)
MSG_PARALLEL = (
    "cannot {op} {f} and {g}: they must be parallel, but {f} : {fdom} → {fcod} "
    "and {g} : {gdom} → {gcod}."
)
