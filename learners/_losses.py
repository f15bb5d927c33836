"""Losses: Para maps ``B → L`` whose parameter is the ground truth (CFGBL Def. 3.3).

``loss.inside : B_t @ B_p → L``; under ``as_lens`` its put returns
``(Δb_t, Δb_p) = R[loss](b_t, b_p, α)``. Each smooth loss is checked against
``jax.grad`` of the same function in the tests.

Example:
    >>> import jax.numpy as jnp
    >>> from categories import ArrayType
    >>> loss = quadratic(ArrayType((3,)))
    >>> float(loss(jnp.zeros(3), jnp.ones(3)))
    1.5
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from categories import SMOOTH, ArrayType, BadObject, LeftAdditiveCategory, Object, Para

from . import _build as build

__all__ = ["quadratic", "softmax_cross_entropy", "binary_cross_entropy", "mean_absolute",
           "dot", "hinge", "difference"]

_SCALAR = ArrayType(())


def _smooth_loss(name: str, b: ArrayType, fn, category: Any) -> Para:
    # built first, so a category without real arithmetic is named before b's shape
    L = ArrayType((), b.dtype) if isinstance(b, ArrayType) else b
    inside = build.function(category, name, "real arithmetic (its error is a real number)",
                            name, b @ b, L, lambda tp: fn(tp[0], tp[1]))
    if not isinstance(b, ArrayType):
        raise BadObject(f"{name}: expected an ArrayType of predictions, got {b!r}")
    if not jnp.issubdtype(b.dtype, jnp.floating):
        raise BadObject(f"{name}: predictions must be floating point, got {b} (dtype {b.dtype}); "
                        f"targets share the predictions' object, so integer labels go through "
                        f"learners.data.one_hot")
    return Para(b, b, inside, name=name)


def quadratic(b: ArrayType, category: Any = SMOOTH) -> Para:
    """Quadratic error ``e(b_t, b_p) = ½ Σ (b_p − b_t)²``; ``R[e](b_t, b_p, α) = α (b_t − b_p, b_p − b_t)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> loss = quadratic(ArrayType((2,)))
        >>> float(loss(jnp.array([0.0, 1.0]), jnp.array([2.0, 1.0])))  # ½ (2² + 0²)
        2.0
    """
    return _smooth_loss("quadratic", b, lambda t, p: 0.5 * jnp.sum((p - t) ** 2), category)


def softmax_cross_entropy(b: ArrayType, category: Any = SMOOTH) -> Para:
    """Standard softmax cross-entropy on logits ``e = −Σ_i (b_t)_i log softmax(b_p)_i``.

    ``Δb_p = α (softmax(b_p) Σ b_t − b_t)``, i.e. ``α (softmax(b_p) − b_t)`` for a
    one-hot ``b_t`` (CFGBL Ex. 4.2; the printed Ex. 3.6 formula has a stray term).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> loss = softmax_cross_entropy(ArrayType((2,)))
        >>> round(float(loss(jnp.array([1.0, 0.0]), jnp.zeros(2))), 4)  # −log ½
        0.6931
    """
    if isinstance(b, ArrayType) and not b.shape:
        raise BadObject(f"softmax_cross_entropy: expected logits with a class axis, got the "
                        f"scalar {b}; for one logit use binary_cross_entropy")
    return _smooth_loss("softmax_cross_entropy", b,
                        lambda t, p: -jnp.sum(t * jax.nn.log_softmax(p, axis=-1)), category)


def binary_cross_entropy(b: ArrayType, category: Any = SMOOTH) -> Para:
    """Binary cross-entropy on logits, ``Σ softplus(z) − t z`` (stable for large ``|z|``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> loss = binary_cross_entropy(ArrayType((1,)))
        >>> round(float(loss(jnp.array([1.0]), jnp.array([0.0]))), 4)  # softplus(0) = log 2
        0.6931
    """
    return _smooth_loss("binary_cross_entropy", b,
                        lambda t, z: jnp.sum(jax.nn.softplus(z) - t * z), category)


def mean_absolute(b: ArrayType, category: Any = SMOOTH) -> Para:
    """Mean absolute error ``(1/n) Σ |b_p − b_t|``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> loss = mean_absolute(ArrayType((2,)))
        >>> float(loss(jnp.array([0.0, 1.0]), jnp.array([2.0, 0.0])))  # (2 + 1)/2
        1.5
    """
    return _smooth_loss("mean_absolute", b, lambda t, p: jnp.mean(jnp.abs(p - t)), category)


def dot(b: ArrayType, category: Any = SMOOTH) -> Para:
    """Dot-product loss ``b_t · b_p`` (deep dreaming, CFGBL Ex. 3.7);
    ``R[e](b_t, b_p, α) = (α b_p, α b_t)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> loss = dot(ArrayType((2,)))
        >>> float(loss(jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0])))
        11.0
    """
    return _smooth_loss("dot", b, lambda t, p: jnp.sum(t * p), category)


def hinge(b: ArrayType, category: Any = SMOOTH) -> Para:
    """Hinge loss ``Σ max(0, 1 − b_t b_p)`` with labels ``b_t ∈ {−1, +1}`` (a linear
    SVM's, CFGBL §6); ``Δb_p = −α b_t [b_t b_p < 1]`` (the subgradient 0 at the kink).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> loss = hinge(ArrayType((2,)))
        >>> float(loss(jnp.array([1.0, -1.0]), jnp.array([0.5, -3.0])))  # ½ + 0
        0.5
    """
    return _smooth_loss("hinge", b, lambda t, p: jnp.sum(jax.nn.relu(1 - t * p)), category)


def difference(b: Object, category: LeftAdditiveCategory) -> Para:
    """The generic loss ``(b_t, b_p) ↦ b_p − b_t``, built from the category's own
    ``+`` and negation: on Boolean circuits it is XOR (CFGBL Ex. 3.5).

    Its reverse derivative passes ``α`` to ``b_p`` unchanged. Its loss is the
    vector ``b_p − b_t``, on which the smooth caps divide by its size ``n``, so
    ``loss_scaled(n ε)`` gives exactly the step of ``quadratic`` with ``descent(ε)``.

    Example:
        >>> import numpy as np
        >>> from circuits import CIRCUIT, Bits
        >>> loss = difference(Bits(2), CIRCUIT)  # b_p − b_t is XOR in Z2
        >>> loss(np.array([1, 0], np.uint8), np.array([1, 1], np.uint8)).tolist()
        [0, 1]
    """
    inside = category.then(category.tensor(category.negate(b), category.id(b)), category.plus(b))
    return Para(b, b, inside, name="difference")
