"""Public law checkers for lenses and the functor ``R : C → Lens(C)``.

Lenses are compared extensionally: ``get`` at a point, ``put`` at a point, and
the executed schedule (``forward`` then ``backward``) against the mathematical
``put``. Each checker raises :class:`~categories.LawViolation` on failure.

Random lenses for these checkers come from ``lenses.strategies``
(``strategies_for(LensCategory(C)).lenses(dom, cod)``).

Example:
    >>> import jax.numpy as jnp
    >>> from categories import ArrayType, smooth
    >>> from lenses import as_lens
    >>> X = ArrayType((2,))
    >>> f, g = smooth.sin(X), smooth.tanh(X)
    >>> check_functor(f, g, jnp.array([0.3, 0.1]), jnp.array([1.0, 2.0]))
"""

from __future__ import annotations

from typing import Any

from categories import Morphism, join
from categories.laws import _show, assert_law

from ._functor import as_lens
from ._lens import Lens, LensCategory

__all__ = ["check_lens", "check_lens_category", "check_functor"]


def check_lens(lens: Lens, a: Any, b_grad: Any) -> None:
    """Running ``lens`` (``forward`` then ``backward``) agrees with ``(get, put)``: the
    output is ``get(a)`` and the change is ``put(a, b')``.

    Example: a lens whose execution forgets the cotangent is caught.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> from lenses import Lens, as_lens
        >>> X = ArrayType((2,))
        >>> a, b = jnp.array([0.3, 0.1]), jnp.array([1.0, 2.0])
        >>> check_lens(as_lens(smooth.sin(X)), a, b)
        >>> lens = as_lens(smooth.sin(X))
        >>> wrong = Lens(lens.get, lens.put, forward=lens.forward,
        ...              backward=lambda res, db: lens.backward(res, jnp.ones_like(db)))
        >>> check_lens(wrong, a, b)
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: lens backward = put fails for lens = Lens(...): ...
    """
    base = lens.get.category
    b, res = lens.forward(a)
    who, at = f"lens = {lens}", f"at a = {_show(a)}, b' = {_show(b_grad)}"
    assert_law("lens forward = get", who, at, b, lens.get(a), base)
    assert_law("lens backward = put", who, at, lens.backward(res, b_grad),
               lens.put(join(a, b_grad, lens.dom.fwd, lens.cod.bwd)), base)


def check_lens_category(l1: Lens, l2: Lens, l3: Lens, a: Any, d_grad: Any, *,
                        b_grad: Any) -> None:
    """Lens(C) is a category, and its composite and tensor run correctly.

    For ``l1 : (A,A') → (B,B')``, ``l2 : (B,B') → (C,C')``, ``l3 : (C,C') → (D,D')``,
    ``a ∈ A``, ``d' ∈ D'`` and ``b' ∈ B'``: identity and associativity on ``get``
    and ``put``; ``put`` of the composite is ``f*(a, g*(f(a), c'))``; every
    composite's schedule agrees with its ``put``; the tensor ``l1 @ l1`` too.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> from lenses import as_lens
        >>> X = ArrayType((2,))
        >>> l1, l2, l3 = (as_lens(m(X)) for m in (smooth.sin, smooth.exp, smooth.tanh))
        >>> check_lens_category(l1, l2, l3, jnp.array([0.3, 0.1]), jnp.array([1.0, 2.0]),
        ...                     b_grad=jnp.array([-1.0, 0.5]))
    """
    cat = LensCategory(l1.get.category)
    base = cat.base
    who, at = f"l1 = {l1}, l2 = {l2}, l3 = {l3}", f"at a = {_show(a)}, d' = {_show(d_grad)}"
    # nested on purpose: `>>` would flatten both bracketings to one chain
    left, right = cat._then((cat._then((l1, l2)), l3)), cat._then((l1, cat._then((l2, l3))))
    put_point = join(a, d_grad, l1.dom.fwd, l3.cod.bwd)
    assert_law("lens associativity (get)", who, at, left.get(a), right.get(a), base)
    assert_law("lens associativity (put)", who, at, left.put(put_point), right.put(put_point), base)
    unit = cat._then((cat.id(l1.dom), l1, cat.id(l1.cod)))
    bp = join(a, b_grad, l1.dom.fwd, l1.cod.bwd)
    assert_law("lens identity (get)", who, at, unit.get(a), l1.get(a), base)
    assert_law("lens identity (put)", who, at, unit.put(bp), l1.put(bp), base)
    b = l1.get(a)
    ident = cat.id(l1.cod)
    assert_law("identity lens (1, π1)", who, at,
               (ident.get(b), ident.put(join(b, b_grad, l1.cod.fwd, l1.cod.bwd))), (b, b_grad), base)
    c_grad = l3.put(join(l2.get(b), d_grad, l3.dom.fwd, l3.cod.bwd))
    assert_law("lens composite put(a, c') = f*(a, g*(f(a), c'))", who, at,
               (l1 >> l2).put(join(a, c_grad, l1.dom.fwd, l2.cod.bwd)),
               l1.put(join(a, l2.put(join(b, c_grad, l2.dom.fwd, l2.cod.bwd)),
                           l1.dom.fwd, l1.cod.bwd)), base)
    for lens, grad in ((left, d_grad), (right, d_grad), (unit, b_grad)):
        check_lens(lens, a, grad)
    check_lens(l1 @ l1, join(a, a, l1.dom.fwd, l1.dom.fwd),
               join(b_grad, b_grad, l1.cod.bwd, l1.cod.bwd))


def check_functor(f: Morphism, g: Morphism, a: Any, c_grad: Any) -> None:
    """``R`` is a functor: ``R(f ; g) = R(f) ; R(g)`` and ``R(1) = 1`` (extensionally),
    and the executed lens agrees with ``(f, R[f])``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_functor(smooth.sin(X), smooth.exp(X), jnp.array([0.3, 0.1]), jnp.array([1.0, 2.0]))
    """
    base = f.category
    who, at = f"f = {f}, g = {g}", f"at a = {_show(a)}, c' = {_show(c_grad)}"
    whole, parts = as_lens(f >> g), as_lens(f) >> as_lens(g)
    point = join(a, c_grad, f.dom, g.cod)
    assert_law("R preserves composition (get)", who, at, whole.get(a), parts.get(a), base)
    assert_law("R preserves composition (put)", who, at, whole.put(point), parts.put(point), base)
    b_grad = as_lens(g).put(join(f(a), c_grad, g.dom, g.cod))
    a_grad = f.rd()(join(a, b_grad, f.dom, f.cod))  # a cotangent at a, other than a
    ident = as_lens(base.id(f.dom))
    assert_law("R preserves identities", who, at,
               ident.put(join(a, a_grad, f.dom, f.dom)), a_grad, base)
    assert_law("R(f) is (f, R[f])", who, at, as_lens(f).put(join(a, b_grad, f.dom, f.cod)),
               f.rd()(join(a, b_grad, f.dom, f.cod)), base)
    check_lens(whole, a, c_grad)
    check_lens(parts, a, c_grad)
