"""optax interop, both ways (needs the ``optax`` extra).

* ``from_optax(tx)``: an optax ``GradientTransformation`` as an optimiser; its state is
  optax's own, the gradient it sees is ``−p'`` and its updates are the change ``u``.
* ``as_optax(optimiser)``: an optimiser as a ``GradientTransformationExtraArgs`` whose
  updates are the change ``u`` its put makes for ``p' = −grads``. An optimiser with a
  look-ahead get (Nesterov, schedule-free) is converted through its
  :meth:`~learners.Optimiser.seen` form, which holds the parameters ``p̄`` as optax does.

Example:
    >>> import jax.numpy as jnp, optax
    >>> from learners import adam
    >>> tx = as_optax(adam(0.1))
    >>> params = jnp.array([1.0, 2.0])
    >>> updates, state = tx.update(jnp.array([2.0, -2.0]), tx.init(params), params)
    >>> isinstance(tx, optax.GradientTransformationExtraArgs)
    True
    >>> [round(v, 4) for v in updates.tolist()]
    [-0.1, 0.1]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from categories import (SMOOTH, BadObject, BadPoint, MissingDependency, NotComposable, TreeType,
                        join_all, split)

from ._optimiser import Optimiser, rule

__all__ = ["from_optax", "as_optax"]


def from_optax(tx: Any) -> Optimiser:
    """An optax ``GradientTransformation`` as an optimiser: its put feeds optax the
    gradient ``−p'`` and returns optax's updates as the change.

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

    def update(s, p, d):
        updates, s = tx.update(jax.tree.map(jnp.negative, d), s, p)
        return s, updates
    return rule("from_optax", tx.init, update,
                needs="JAX arithmetic (an optax transformation runs on real arrays)", tx=tx)


def as_optax(optimiser: Optimiser) -> Any:
    """An optimiser as an optax ``GradientTransformationExtraArgs``: its updates are the
    change ``u`` of the put for ``p' = −grads`` (extra arguments are accepted and unused).

    Raises:
        BadObject: if ``optimiser`` is not an optimiser.
        NotComposable: if its get looks ahead and it gives no form on the parameters it
            shows (``rule(…, look=…, seen=…)``).

    Example: ``sgd(0.5)`` updates by ``−0.5 · grads``; ``nesterov`` becomes optax's own form.

        >>> import jax.numpy as jnp, optax
        >>> from learners import nesterov, sgd
        >>> tx = as_optax(sgd(0.5))
        >>> params = jnp.array([1.0, 2.0])
        >>> updates, state = tx.update(jnp.array([2.0, -2.0]), tx.init(params), params)
        >>> updates.tolist(), optax.apply_updates(params, updates).tolist()
        ([-1.0, 1.0], [0.0, 3.0])
        >>> tx = as_optax(nesterov(0.5, 0.5))
        >>> updates, _ = tx.update(jnp.ones(2), tx.init(params), params)
        >>> updates.tolist()  # −lr (g + γ (g + γ·0))
        [-0.75, -0.75]
    """
    if not isinstance(optimiser, Optimiser):
        raise BadObject(f"as_optax: expected an Optimiser such as adam(1e-3), got {optimiser!r} "
                        f"({type(optimiser).__name__})")
    form = optimiser.seen()
    if form is None:
        raise NotComposable(f"as_optax: {optimiser!r} has a look-ahead get, which optax's "
                            f"update(grads, state, params) cannot express, and gives no form on "
                            f"the parameters it shows (rule(…, look=…, seen=…))")
    try:
        import optax
    except ImportError as err:
        raise MissingDependency("as_optax needs optax: pip install 'paralens[optax]'") from err

    def update(grads, state, params=None, **extra_args):
        if params is None:
            raise BadPoint("as_optax: update(grads, state, params) needs params (the put "
                           "starts from them), got params=None")
        P = TreeType.like(params)
        S = form.state_object(P)
        d = jax.tree.map(jnp.negative, grads)
        new_state, updates = split(form.change(P, SMOOTH).put(join_all([state, params, d],
                                                                       (S, P, P))), S, P)
        return updates, new_state

    return optax.GradientTransformationExtraArgs(form.init, update)
