"""The exception hierarchy of paralens.

Every error subclasses both :class:`AxiomError` and the built-in exception a
Python user would expect (``TypeError`` for ill-typed composites,
``ValueError`` for bad data, ``AssertionError`` for a broken law), so both
``except AxiomError`` and the usual built-in handlers catch it.
"""


class AxiomError(Exception):
    """Base class of every error paralens raises on purpose.

    Example: one handler catches every misuse, whatever its built-in base.

        >>> from categories import ArrayType, smooth
        >>> try:
        ...     smooth.sin(ArrayType((2,))) >> smooth.exp(ArrayType((3,)))
        ... except AxiomError as e:
        ...     print(type(e).__name__, isinstance(e, TypeError))
        NotComposable True
    """


class NotComposable(AxiomError, TypeError):
    """Two morphisms cannot be composed, tensored, added or paired.

    ``f >> g`` needs ``f.cod == g.dom``, checked before anything runs.

    Example:
        >>> from categories import ArrayType, smooth
        >>> smooth.sin(ArrayType((2,))) >> smooth.exp(ArrayType((3,)))
        Traceback (most recent call last):
        ...
        categories._errors.NotComposable: cannot compose sin >> exp: codomain f32[2] ≠ domain f32[3]...
    """


class BadObject(AxiomError, ValueError):
    """An object does not fit where it is used (a shape, a size, a channel count).

    Example:
        >>> from categories import ArrayType
        >>> ArrayType((-1,))
        Traceback (most recent call last):
        ...
        categories._errors.BadObject: ArrayType shape must be non-negative, got (-1,)
    """


class BadPoint(AxiomError, ValueError):
    """A value does not inhabit the object it was given for (shape, dtype, structure).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> smooth.sin(ArrayType((2,)))(jnp.zeros(3))
        Traceback (most recent call last):
        ...
        categories._errors.BadPoint: sin: input: shape mismatch at the value: expected f32[2], got shape (3,) (float32)
    """


class BadHyperparameter(AxiomError, ValueError):
    """A hyperparameter is outside its range (a learning rate that is not finite and
    positive, a decay outside ``[0, 1)``, a negative ``ε`` or norm), refused at construction.

    Example:
        >>> from learners import sgd
        >>> sgd(-1.0)
        Traceback (most recent call last):
        ...
        categories._errors.BadHyperparameter: sgd: lr must be a finite number ≥ 0 or a schedule, got -1.0
    """


class BadFile(AxiomError, OSError):
    """A file cannot be read or written as asked (missing, unwritable, not of the
    expected format, or declaring more data than it holds).

    Example:
        >>> from learners.data import load_idx
        >>> load_idx("no-such-file.idx")
        Traceback (most recent call last):
        ...
        categories._errors.BadFile: load_idx: cannot read no-such-file.idx: ...
    """


class MissingStructure(AxiomError, TypeError):
    """A construction needs structure its category lacks (Adam's ``√`` and ``÷`` among
    Boolean circuits); the message names the construction, the category and what is missing.

    Example:
        >>> from circuits import CIRCUIT, Bits
        >>> from learners import adam
        >>> adam(1e-3).lens(Bits(2), CIRCUIT)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        categories._errors.MissingStructure: adam cannot be built in Circuit: it needs ...
    """


class Immutable(AxiomError, AttributeError):
    """Morphisms, lenses and Para maps are values: their attributes cannot be set.

    Example:
        >>> from categories import ArrayType, smooth
        >>> smooth.sin(ArrayType((2,))).name = "cos"
        Traceback (most recent call last):
        ...
        categories._errors.Immutable: smooth maps are immutable: cannot set name = 'cos' on sin
    """


class MissingDependency(AxiomError, ImportError):
    """An optional extra is not installed; the message names the ``pip install`` that adds it.

    Example:
        >>> raise MissingDependency("load_iris needs scikit-learn: pip install 'paralens[papers]'")
        Traceback (most recent call last):
        ...
        categories._errors.MissingDependency: load_iris needs scikit-learn: pip install 'paralens[papers]'
    """


class LawViolation(AxiomError, AssertionError):
    """A law (category, Cartesian, left-additive, RD.1–RD.7, lens, Para) fails at a point.

    Example: a primitive whose reverse derivative forgets the factor 2 of ``R[x²](x, d) = 2xd``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, laws, smooth
        >>> X = ArrayType((2,))
        >>> square = smooth.primitive("square", X, X, lambda x: x * x, rd=lambda x, d: x * d)
        >>> laws.check_vjp(square, jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: R against jax.vjp fails for f = square: ...
    """


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
