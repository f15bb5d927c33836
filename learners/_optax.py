"""optax interop, both ways (needs the ``optax`` extra).

* ``from_optax(tx)``: an optax ``GradientTransformation`` as an update lens; its
  state is optax's own, the gradient it sees is ``−p'``.
* ``as_optax(optimiser)``: an update lens as a ``GradientTransformation`` whose
  updates are ``p_new − p``. Only for optimisers whose get is the identity
  (optax has no look-ahead parameters).

Example:
    >>> import jax.numpy as jnp, optax
    >>> from categories import SMOOTH, ArrayType
    >>> opt = from_optax(optax.sgd(0.5))
    >>> lens = opt.lens(ArrayType((2,)), SMOOTH)
    >>> state = opt.init(jnp.ones(2))
    >>> lens.put((state, jnp.ones(2), jnp.array([2.0, -2.0])))[1].tolist()
    [2.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

from categories import (SMOOTH, BadObject, BadPoint, NotComposable, TreeType, join, smooth, split,
                        split_all)
from lenses import Lens

from . import _build as build
from ._optimisers import Momentum, Optimiser, _Chain

__all__ = ["from_optax", "as_optax"]


@dataclass(frozen=True)
class _FromOptax(Optimiser):
    tx: Any

    def init(self, params):
        return self.tx.init(params)

    def lens(self, param, category):
        import optax
        S = self.state_object(param)

        def put(spd):
            s, p, d = split_all(spd, (S, param, param))
            grads = jax.tree.map(jnp.negative, d)
            updates, s = self.tx.update(grads, s, p)
            return join(s, optax.apply_updates(p, updates), S, param)

        needs = "JAX arithmetic (an optax transformation runs on real arrays)"
        return Lens(build.function(category, "from_optax", needs, "optax.get", S @ param, param,
                                   lambda sp: split(sp, S, param)[1]),
                    build.function(category, "from_optax", needs, "optax.put",
                                   S @ param @ param, S @ param, put),
                    name=f"from_optax({self.tx!r:.40})")


def from_optax(tx: Any) -> Optimiser:
    """An optax ``GradientTransformation`` as an update lens.

    Its ``put`` feeds optax the gradient ``−p'`` and applies the updates it returns.

    Example: ``optax.sgd(0.5)`` puts ``p − 0.5 · (−p')``.

        >>> import jax.numpy as jnp, optax
        >>> from categories import SMOOTH, ArrayType
        >>> opt = from_optax(optax.sgd(0.5))
        >>> lens = opt.lens(ArrayType((2,)), SMOOTH)
        >>> state, p = lens.put((opt.init(jnp.ones(2)), jnp.ones(2), jnp.array([2.0, -2.0])))
        >>> p.tolist()
        [2.0, 0.0]
    """
    if not (callable(getattr(tx, "init", None)) and callable(getattr(tx, "update", None))):
        raise BadObject(f"from_optax: expected an optax GradientTransformation (with init and "
                        f"update), got {tx!r} ({type(tx).__name__})")
    return _FromOptax(tx)


def as_optax(optimiser: Optimiser) -> Any:
    """An update lens as an optax ``GradientTransformation``.

    Its updates are ``p_new − p``, where the lens is fed ``p' = −grads``.

    Example: ``sgd(0.5)`` updates by ``−0.5 · grads``.

        >>> import jax.numpy as jnp, optax
        >>> from learners import sgd
        >>> tx = as_optax(sgd(0.5))
        >>> params = jnp.array([1.0, 2.0])
        >>> updates, state = tx.update(jnp.array([2.0, -2.0]), tx.init(params), params)
        >>> updates.tolist(), optax.apply_updates(params, updates).tolist()
        ([-1.0, 1.0], [0.0, 3.0])
    """
    import optax
    if not all(callable(getattr(optimiser, k, None)) for k in ("init", "lens", "state_object")):
        raise BadObject(f"as_optax: expected an Optimiser such as adam(1e-3), got {optimiser!r} "
                        f"({type(optimiser).__name__}); a transform goes into chain(…, optimiser)")
    inner = optimiser.optimiser if isinstance(optimiser, _Chain) else optimiser
    if isinstance(inner, Momentum) and inner.lookahead:
        raise NotComposable(f"as_optax: {optimiser} has a look-ahead get, which optax's "
                            f"update(grads, state, params) cannot express")

    def update(grads, state, params=None):
        if params is None:
            raise BadPoint("as_optax: update(grads, state, params) needs params (the lens's "
                           "put starts from them), got params=None")
        P = TreeType.like(params)
        lens = optimiser.lens(P, SMOOTH)
        S = optimiser.state_object(P)
        d = jax.tree.map(jnp.negative, grads)
        new_state, new_params = split(lens.put(join(join(state, params, S, P), d, S @ P, P)), S, P)
        return jax.tree.map(jnp.subtract, new_params, params), new_state

    return optax.GradientTransformation(optimiser.init, update)
