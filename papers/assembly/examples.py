"""Two more learners from :func:`learners.supervised`, with nothing but a model and a loss.

**A loss that is itself learned** (CFGBL footnote 7). The Gaussian negative
log-likelihood with a learned noise scale ``s = log σ``,

    ℓ(b_t; b_p, s) = ½ e^{−2s} |b_p − b_t|² + d s          (d = dim B),

has a parameter ``s`` besides the target. It rides on the model's parameter port:
the model becomes ``f ⊗ (Θ, 1_Θ)`` (``s`` passed through as a second output), the
loss takes ``(b_p, s)``, and one optimiser learns the weights and ``s`` together.
Its fixed point is independent of the assembly: ``∂ℓ/∂s = 0`` gives
``σ² = mean |b_p − b_t|² / d``, and the weights are least squares.

**A linear SVM** (CFGBL §6's classical models): ``x ↦ w·x + c`` with the
:func:`~learners.hinge` loss and weight decay ``λ`` on the parameter port,
``w ← w − η (λ w − y x [y (w·x + c) < 1])``: subgradient descent of the soft-margin
objective (Pegasos without the projection).

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import layers
    >>> model, loss = learned_noise(layers.linear(1, 1))
    >>> str(model.param)
    '{weight: f32[1,1]} @ f32[]'
    >>> float(loss(jnp.zeros(1), (jnp.array([2.0]), jnp.array(0.0))))  # ½ · 2²
    2.0
"""

from __future__ import annotations

import jax.numpy as jnp

from categories import SMOOTH, ArrayType, Para, layers, smooth
from learners import chain, hinge, sgd, weight_decay

__all__ = ["learned_noise", "linear_svm"]


def learned_noise(model: Para) -> tuple[Para, Para]:
    """``(f ⊗ s, ℓ)``: the model with a learned log noise scale ``s`` beside its output,
    and the Gaussian negative log-likelihood that reads it (module docstring).

    Example: ``s`` starts at 0 (``σ = 1``).

        >>> import jax
        >>> from categories import layers
        >>> model, _ = learned_noise(layers.dense(2, 1))
        >>> float(model.init(jax.random.key(0))[-1])
        0.0
    """
    B = model.cod
    S = ArrayType(())
    scale = Para(S, SMOOTH.unit, SMOOTH.id(S), lambda key: jnp.zeros(()), name="log σ")
    d = B.size

    def nll(x):
        t, p, s = x
        return 0.5 * jnp.exp(-2 * s) * jnp.sum((p - t) ** 2) + d * s

    loss = Para(B, B @ S, smooth.primitive("gaussian_nll", B @ B @ S, ArrayType(()), nll),
                name="gaussian_nll")
    return model @ scale, loss


def linear_svm(features: int, lr: float, lam: float):
    """``(model, loss, optimiser)`` of a soft-margin linear SVM on ``features`` inputs
    with labels ``±1``: ``dense(features, 1)``, :func:`~learners.hinge`, and
    ``chain(weight_decay(λ), sgd(η))`` (the decay is on the weights and the bias).

    Example:
        >>> model, loss, opt = linear_svm(2, 0.1, 0.01)
        >>> model, loss, opt
        (dense(2→1), hinge, chain(weight_decay(rate=0.01), sgd(lr=0.1)))
    """
    return layers.dense(features, 1), hinge(ArrayType((1,))), chain(weight_decay(lam), sgd(lr))
