"""The functor ``R : C → Lens(C)``, ``A ↦ (A, A)``, ``f ↦ (f, R[f])`` (CFGBL Prop. 2.7).

Functoriality is the reverse chain rule (RD.5) on composites and RD.3 on
identities. Its action on Para, ``Para(R) : Para(C) → Para(Lens(C))``, sends
``(P, f)`` to ``((P, P), (f, R[f]))``: the model functor of CFGBL eq. (8).

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, layers
    >>> model = as_lens(layers.dense(3, 2))
    >>> model.param
    LensType(fwd=Record(bias=ArrayType((2,), 'float32'), weight=ArrayType((2, 3), 'float32')), bwd=Record(bias=ArrayType((2,), 'float32'), weight=ArrayType((2, 3), 'float32')))
    >>> p = model.init(jax.random.key(0))
    >>> y, res = model.inside.forward((p, jnp.ones(3)))
    >>> grad_p, grad_x = model.inside.backward(res, jnp.ones(2))
    >>> grad_p["bias"].tolist()
    [1.0, 1.0]
"""

from __future__ import annotations

from multipledispatch import dispatch

from categories import Morphism, NotComposable, Para, ReverseDerivativeCategory
from categories._abc import DISPATCH

from ._lens import Lens, LensCategory, diagonal


@dispatch(Morphism, namespace=DISPATCH)
def as_lens(f):
    """``f ↦ (f, R[f])``; running it costs one forward and one backward pass."""
    base = f.category
    if not isinstance(base, ReverseDerivativeCategory):
        raise NotComposable(f"as_lens needs a reverse derivative category, got {base!r} for {f}")
    if base.is_id(f):
        return LensCategory(base).id(f.dom)

    def forward(a):
        return base.vjp(f, a)

    def backward(pullback, ct):
        return pullback(ct)

    return Lens(f, lambda: base.rd(f), dom_bwd=f.dom, cod_bwd=f.cod, forward=forward,
                backward=backward, name=f"R({f!r})")


@dispatch(Para, namespace=DISPATCH)
def as_lens(f):  # noqa: F811
    """``Para(R)``: the parameter and input wires become lens objects ``(P, P)``."""
    return f.map(diagonal, as_lens)
