"""Learning rates as cap lenses ``(L, L') → (I, I)`` (CFGBL Def. 3.8).

The get of a cap is forced to be ``!``; the content is its put ``α : L → L'``,
which starts the backward pass:

* ``descent(ε)``: ``α(l) = −ε`` (CFGBL Ex. 3.9; the minus sign is the descent);
* ``ascent(ε)``: ``α(l) = +ε`` (deep dreaming, Ex. 4.5);
* ``loss_scaled(ε)``: ``α(l) = −ε l``;
* ``identity()``: ``α(l) = l`` (Boolean circuits, Ex. 3.10; any category).

``ε`` may be a schedule of the step count. On a vector of ``n`` losses (a batch)
the smooth caps divide by ``n``: ``α_i = ∓ε/n`` is the cap of the mean loss, and
``loss_scaled`` gives ``α_i = −ε l_i / n``, each loss scaling its own step.

Example:
    >>> import jax.numpy as jnp
    >>> from categories import SMOOTH, ArrayType
    >>> cap = descent(0.1).cap(ArrayType(()), SMOOTH, step=0)
    >>> round(float(cap.put(jnp.asarray(3.0))), 6)
    -0.1
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from categories import ArrayType, BadObject, Category, Object
from lenses import Lens

from . import _build as build
from . import _hyper as hyper
from .schedules import Schedule, as_schedule

__all__ = ["Rate", "descent", "ascent", "loss_scaled", "identity"]


@dataclass(frozen=True)
class Rate:
    """A learning rate: ``cap(L, category, step)`` is the cap lens at that step.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> cap = descent(0.5).cap(ArrayType((2,)), SMOOTH, step=0)  # a batch of 2 losses
        >>> cap.put(jnp.array([3.0, 1.0])).tolist()  # −0.5/2 each: the cap of the mean loss
        [-0.25, -0.25]
    """

    kind: str
    schedule: Schedule | None = None

    def cap(self, loss: Object, category: Category, step, share=None) -> Lens:
        """The lens ``(L, L) → (I, I)`` whose put is ``α`` at step ``step``.

        ``share``: the fraction of a batch's examples that are real (the others are
        masked out by the learner); the smooth caps then average over those only.
        """
        if self.kind == "identity":
            return Lens(category.discard(loss), category.id(loss), name="identity_rate")

        def alpha(l):
            size = max(loss.size, 1) if share is None else max(loss.size, 1) * share
            # in the loss's dtype, whatever the schedule's (float64 under x64) and the share's
            eta = jnp.asarray(self.schedule(step), loss.dtype) / jnp.asarray(size, loss.dtype)
            if self.kind == "loss_scaled":
                return (-eta * l).astype(loss.dtype)
            sign = -1.0 if self.kind == "descent" else 1.0
            return jnp.full(loss.shape, sign * eta, loss.dtype)

        put = build.function(category, f"{self.kind} rate", "real scalars (α = ∓η)",
                             f"{self.kind}_rate", loss, loss, alpha)
        if not isinstance(loss, ArrayType):
            raise BadObject(f"{self.kind} rate needs an array of losses, got {loss!r}")
        return Lens(category.discard(loss), put, name=f"{self.kind}({self.schedule})")


def descent(eta: float | Schedule) -> Rate:
    """``α = −η``: gradient descent (CFGBL Ex. 3.9).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> float(descent(0.1).cap(ArrayType(()), SMOOTH, step=0).put(jnp.asarray(7.0)))
        -0.10000000149011612
    """
    hyper.rate("descent", "eta", eta)
    return Rate("descent", as_schedule(eta))


def ascent(eta: float | Schedule) -> Rate:
    """``α = +η``: gradient ascent (deep dreaming).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> float(ascent(0.5).cap(ArrayType(()), SMOOTH, step=0).put(jnp.asarray(7.0)))
        0.5
    """
    hyper.rate("ascent", "eta", eta)
    return Rate("ascent", as_schedule(eta))


def loss_scaled(eta: float | Schedule) -> Rate:
    """``α(l) = −η l``: the step is scaled by the loss itself.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> float(loss_scaled(0.5).cap(ArrayType(()), SMOOTH, step=0).put(jnp.asarray(3.0)))
        -1.5
    """
    hyper.rate("loss_scaled", "eta", eta)
    return Rate("loss_scaled", as_schedule(eta))


def identity() -> Rate:
    """``α(l) = l``, in any category: the Boolean learning rate of RDA.

    Example:
        >>> import numpy as np
        >>> from circuits import CIRCUIT, Bits
        >>> identity().cap(Bits(2), CIRCUIT, step=0).put(np.array([1, 0], np.uint8)).tolist()
        [1, 0]
    """
    return Rate("identity")
