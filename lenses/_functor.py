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

from typing import Any

from multipledispatch import dispatch

from categories import Morphism, NotComposable, Para, ReverseDerivativeCategory
from categories.building import DISPATCH

from ._lens import Lens, LensCategory, diagonal


def as_lens(f: Morphism | Para, derivative: Any = None) -> Lens | Para:
    """``f ↦ (f, R[f])``; running it costs one forward and one backward pass.

    On a Para morphism, ``Para(R)``: the parameter and input wires become lens
    objects ``(P, P)``. ``derivative`` replaces ``R`` by another backward pass
    (an object with ``rd(f)`` and ``vjp(f, a)``, such as circuits'
    ``BOOLEAN_DERIVATIVE``); the result is then a lens but not a functor's image.

    Example: ``R(sin) = (sin, (a, d) ↦ cos(a) d)``, and ``R(f ; g) = R(f) ; R(g)``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> l = as_lens(smooth.sin(X))
        >>> l, str(l.dom)
        (R(sin), '(f32[2], f32[2])')
        >>> a, d = jnp.array([0.0, 1.0]), jnp.array([1.0, 2.0])
        >>> bool(jnp.allclose(l.get(a), jnp.sin(a)))
        True
        >>> bool(jnp.allclose(l.put((a, d)), jnp.cos(a) * d))  # R[sin](a, d) = cos(a) d
        True
        >>> f, g = smooth.sin(X), smooth.exp(X)
        >>> bool(jnp.allclose(as_lens(f >> g).put((a, d)), (as_lens(f) >> as_lens(g)).put((a, d))))
        True
    """
    return _as_lens(f, derivative)


@dispatch(Morphism, object, namespace=DISPATCH)
def _as_lens(f, derivative):
    base = f.category
    if not isinstance(base, ReverseDerivativeCategory):
        raise NotComposable(f"as_lens needs a reverse derivative category, got {base!r} for {f}")
    if derivative is None and base.is_id(f):
        return LensCategory(base).id(f.dom)
    d = derivative if derivative is not None else base

    def forward(a):
        return d.vjp(f, a)

    def backward(pullback, ct):
        return pullback(ct)

    label = "R" if derivative is None else repr(derivative)
    return Lens(f, lambda: d.rd(f), dom_bwd=f.dom, cod_bwd=f.cod, forward=forward,
                backward=backward, name=lambda: f"{label}({f!r})")


@dispatch(Para, object, namespace=DISPATCH)
def _as_lens(f, derivative):  # noqa: F811
    return f.map(diagonal, lambda g: _as_lens(g, derivative))
