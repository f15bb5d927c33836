"""Public law checkers: run them on your own primitives and categories.

Each checker evaluates both sides of a law at the points it is given and
raises :class:`~categories.LawViolation` naming the law, the morphisms and the
counterexample; it returns ``None`` when the law holds. Points compare with the
category's own ``close`` (a tolerance for Smooth, exact for circuits).

The reverse-derivative axioms are the pointwise forms of Cockett et al. 2019,
Def. 13 (``shared/theory.md`` §1.2). Products are strict, so a point of
``A @ B`` is ``join(a, b, A, B)``.

Example: a primitive with a wrong reverse derivative is caught.

    >>> import jax.numpy as jnp
    >>> from categories import ArrayType, smooth
    >>> X = ArrayType((2,))
    >>> bad = smooth.primitive("square", X, X, lambda x: x**2, rd=lambda x, dy: x * dy)
    >>> check_vjp(bad, jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))
    Traceback (most recent call last):
    ...
    categories._errors.LawViolation: R against jax.vjp fails for f = square: ...
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._abc import Morphism
from ._errors import LawViolation
from ._objects import Object, join, split, zeros
from ._para import Para

__all__ = [
    "check_category", "check_cartesian", "check_left_additive", "check_rd1", "check_rd2",
    "check_rd3", "check_rd4", "check_rd5", "check_rd6", "check_rd7", "check_rd_axioms",
    "check_vjp", "check_jvp", "check_linear", "check_para", "check_reparam", "assert_law",
]


def _show(x: Any) -> str:
    leaves = jax.tree.leaves(x)
    if not leaves:
        return repr(x)
    text = repr(jax.tree.map(lambda v: np.asarray(v).round(6).tolist(), x))
    return text if len(text) < 400 else text[:400] + "…"


def assert_law(law: str, who: str, where: str, lhs: Any, rhs: Any, category) -> None:
    """Raise :class:`LawViolation` unless ``lhs`` and ``rhs`` are close in ``category``."""
    if not category.close(lhs, rhs):
        diff = ""
        try:
            gaps = [float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float)), initial=0))
                    for a, b in zip(jax.tree.leaves(lhs), jax.tree.leaves(rhs))]
            diff = f"\n  max |lhs − rhs| = {max(gaps, default=0.0):.3g}"
        except (TypeError, ValueError):
            pass
        raise LawViolation(f"{law} fails for {who}: {where}\n  lhs = {_show(lhs)}\n"
                           f"  rhs = {_show(rhs)}{diff}")


# -- category, Cartesian, left-additive -------------------------------------------

def check_category(f: Morphism, g: Morphism, h: Morphism, x: Any) -> None:
    """Identity ``1 ; f = f = f ; 1`` and associativity ``(f ; g) ; h = f ; (g ; h)`` at ``x``."""
    c = f.category
    who, at = f"f = {f}, g = {g}, h = {h}", f"at x = {_show(x)}"
    fx = f(x)
    assert_law("identity (1(x) = x)", who, at, c.id(f.dom)(x), x, c)
    assert_law("left identity (1 ; f = f)", who, at, c._then((c.id(f.dom), f))(x), fx, c)
    assert_law("right identity (f ; 1 = f)", who, at, c._then((f, c.id(f.cod)))(x), fx, c)
    # the composites are built nested on purpose: `>>` would flatten both to one chain
    assert_law("associativity", who, at, c._then((c._then((f, g)), h))(x),
               c._then((f, c._then((g, h))))(x), c)
    assert_law("composition is application", who, at, (f >> g >> h)(x), h(g(fx)), c)


def check_cartesian(f: Morphism, g: Morphism, x: Any, y: Any) -> None:
    """Copy, discard, projections and pairing, for ``f : A → B``, ``g : A → C``, at
    ``x ∈ A``; ``y`` is a point of ``B`` (for ``π0`` on ``B @ C``).

    ``⟨f,g⟩ ; π0 = f``, ``⟨f,g⟩ ; π1 = g``, ``f ; Δ = Δ ; (f @ f)``, ``f ; ! = !``,
    ``Δ ; π0 = 1``, and the tensor evaluates componentwise.
    """
    c = f.category
    a, b, cc = f.dom, f.cod, g.cod
    who, at = f"f = {f}, g = {g}", f"at x = {_show(x)}"
    fx, gx = f(x), g(x)
    fg = c.pair(f, g)
    assert_law("pairing then π0 (⟨f,g⟩;π0 = f)", who, at, (fg >> c.proj(b, cc, 0))(x), fx, c)
    assert_law("pairing then π1 (⟨f,g⟩;π1 = g)", who, at, (fg >> c.proj(b, cc, 1))(x), gx, c)
    assert_law("copy is natural (f;Δ = Δ;(f@f))", who, at, (f >> c.copy(b))(x),
               (c.copy(a) >> (f @ f))(x), c)
    assert_law("discard is natural (f;! = !)", who, at, (f >> c.discard(b))(x), (), c)
    assert_law("copy then project (Δ;π0 = 1)", who, at, (c.copy(a) >> c.proj(a, a, 0))(x), x, c)
    assert_law("tensor is componentwise", who, f"at (x, y) = {_show((x, y))}",
               (f @ c.id(b))(join(x, y, a, b)), join(fx, y, b, b), c)


def check_left_additive(f: Morphism, g: Morphism, h: Morphism, x: Any, y: Any) -> None:
    """For parallel ``f, g : A → B``, ``h : C → A``, ``x ∈ C`` and ``y ∈ A``:
    ``h;(f+g) = h;f + h;g``, ``h;0 = 0``, ``f+g = g+f``, ``f+0 = f``, and the
    projections are additive: ``(u+v);π_i = u;π_i + v;π_i``.
    """
    c = f.category
    a, b = f.dom, f.cod
    who, at = f"f = {f}, g = {g}, h = {h}", f"at x = {_show(x)}"
    hx = h(x)
    assert_law("precomposition preserves + (h;(f+g) = h;f + h;g)", who, at,
               (h >> (f + g))(x), c.add_points(f(hx), g(hx)), c)
    assert_law("precomposition preserves 0 (h;0 = 0)", who, at, (h >> c.zero(a, b))(x),
               zeros(b), c)
    assert_law("+ is commutative", who, f"at y = {_show(y)}", (f + g)(y), (g + f)(y), c)
    assert_law("0 is the unit of +", who, f"at y = {_show(y)}", (f + c.zero(a, b))(y), f(y), c)
    fy, gy = f(y), g(y)
    s = c.add_points(join(fy, fy, b, b), join(gy, gy, b, b))
    assert_law("projections are additive", who, f"at y = {_show(y)}",
               c.proj(b, b, 0)(s), c.add_points(fy, gy), c)


# -- RD.1–RD.7 ------------------------------------------------------------------

def _R(f: Morphism, a: Any, b: Any) -> Any:
    return f.rd()(join(a, b, f.dom, f.cod))


def check_rd1(f: Morphism, g: Morphism, a: Any, b: Any) -> None:
    """RD.1: ``R[f+g](a,b) = R[f](a,b) + R[g](a,b)`` and ``R[0](a,b) = 0``."""
    c = f.category
    who, at = f"f = {f}, g = {g}", f"at a = {_show(a)}, b = {_show(b)}"
    assert_law("RD.1 (R is additive)", who, at, _R(f + g, a, b), c.add_points(_R(f, a, b), _R(g, a, b)), c)
    assert_law("RD.1 (R[0] = 0)", who, at, _R(c.zero(f.dom, f.cod), a, b), zeros(f.dom), c)


def check_rd2(f: Morphism, a: Any, b: Any, b2: Any) -> None:
    """RD.2: ``R[f](a, b+b2) = R[f](a,b) + R[f](a,b2)`` and ``R[f](a, 0) = 0``."""
    c = f.category
    who, at = f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}, b2 = {_show(b2)}"
    assert_law("RD.2 (additive in the cotangent)", who, at, _R(f, a, c.add_points(b, b2)),
               c.add_points(_R(f, a, b), _R(f, a, b2)), c)
    assert_law("RD.2 (R[f](a, 0) = 0)", who, at, _R(f, a, zeros(f.cod)), zeros(f.dom), c)


def check_rd3(category, a_obj: Object, b_obj: Object, x: Any, y: Any, u: Any, v: Any) -> None:
    """RD.3: ``R[1](x,u) = u``, ``R[π0]((x,y),u) = (u,0)``, ``R[π1]((x,y),v) = (0,v)``,
    for ``x, u ∈ A`` and ``y, v ∈ B``."""
    c = category
    xy = join(x, y, a_obj, b_obj)
    who, at = f"A = {a_obj}, B = {b_obj}", f"at (x, y) = {_show(xy)}"
    assert_law("RD.3 (R[1] = π1)", who, at, _R(c.id(a_obj), x, u), u, c)
    assert_law("RD.3 (R[π0] = π1;ι0)", who, at, _R(c.proj(a_obj, b_obj, 0), xy, u),
               join(u, zeros(b_obj), a_obj, b_obj), c)
    assert_law("RD.3 (R[π1] = π1;ι1)", who, at, _R(c.proj(a_obj, b_obj, 1), xy, v),
               join(zeros(a_obj), v, a_obj, b_obj), c)


def check_rd4(f: Morphism, g: Morphism, a: Any, b: Any, cb: Any) -> None:
    """RD.4: ``R[⟨f,g⟩](a,(b,c)) = R[f](a,b) + R[g](a,c)`` and ``R[!](a,()) = 0``."""
    c = f.category
    who, at = f"f = {f}, g = {g}", f"at a = {_show(a)}, b = {_show(b)}, c = {_show(cb)}"
    assert_law("RD.4 (pairing)", who, at, _R(c.pair(f, g), a, join(b, cb, f.cod, g.cod)),
               c.add_points(_R(f, a, b), _R(g, a, cb)), c)
    assert_law("RD.4 (R[!] = 0)", who, at, _R(c.discard(f.dom), a, ()), zeros(f.dom), c)


def check_rd5(f: Morphism, h: Morphism, a: Any, cz: Any) -> None:
    """RD.5, the reverse chain rule: ``R[f;h](a, c) = R[f](a, R[h](f(a), c))``."""
    who, at = f"f = {f}, h = {h}", f"at a = {_show(a)}, c = {_show(cz)}"
    assert_law("RD.5 (reverse chain rule)", who, at, _R(f >> h, a, cz),
               _R(f, a, _R(h, f(a), cz)), f.category)


def check_rd6(f: Morphism, a: Any, b: Any, cb: Any) -> None:
    """RD.6, ``R[f]`` is linear in its second argument:
    ``π1(R³[f](((a,b),0),(0,c))) = R[f](a,c)`` (independent of ``b``)."""
    c = f.category
    A, B = f.dom, f.cod
    r3 = f.rd().rd().rd()
    point = join(join(join(a, b, A, B), zeros(A), A @ B, A), join(zeros(A), cb, A, B),
                 A @ B @ A, A @ B)
    _, last = split(r3(point), A @ B, A)
    who, at = f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}, c = {_show(cb)}"
    assert_law("RD.6 (R[f] linear in its 2nd argument)", who, at, last, _R(f, a, cb), c)


def check_rd7(f: Morphism, a: Any, u: Any, v: Any, w: Any) -> None:
    """RD.7, mixed partials commute: ``D²f((a,u),(v,w)) = D²f((a,v),(u,w))``
    where ``D[f] = (ι0 @ 1) ; R[R[f]] ; π1``."""
    A = f.dom
    dd = f.fd().fd()
    who, at = f"f = {f}", f"at a = {_show(a)}, u = {_show(u)}, v = {_show(v)}, w = {_show(w)}"
    lhs = dd(join(join(a, u, A, A), join(v, w, A, A), A @ A, A @ A))
    rhs = dd(join(join(a, v, A, A), join(u, w, A, A), A @ A, A @ A))
    assert_law("RD.7 (mixed partials commute)", who, at, lhs, rhs, f.category)


def check_rd_axioms(f: Morphism, g: Morphism, h: Morphism, a: Any, b: Any, b2: Any,
                    cz: Any, u: Any, v: Any) -> None:
    """All of RD.1–RD.7 for parallel ``f, g : A → B`` and ``h : B → C``; points
    ``a, u, v ∈ A``, ``b, b2 ∈ B``, ``cz ∈ C``."""
    check_rd1(f, g, a, b)
    check_rd2(f, a, b, b2)
    check_rd3(f.category, f.dom, f.cod, a, b, u, b2)
    check_rd4(f, g, a, b, b2)
    check_rd5(f, h, a, cz)
    check_rd6(f, a, b, b2)
    check_rd7(f, a, u, v, a)


# -- against JAX, and linear maps -------------------------------------------------

def check_vjp(f: Morphism, a: Any, b: Any) -> None:
    """``R[f](a, b)`` equals ``jax.vjp`` of ``f``'s plain function at ``a``, applied to ``b``."""
    _, pullback = jax.vjp(f.fn, a)
    assert_law("R against jax.vjp", f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}",
               _R(f, a, b), pullback(b)[0], f.category)


def check_jvp(f: Morphism, a: Any, v: Any) -> None:
    """``D[f](a, v)`` (derived from ``R``) equals ``jax.jvp`` of ``f`` at ``a`` along ``v``."""
    _, tangent = jax.jvp(f.fn, (a,), (v,))
    assert_law("D against jax.jvp", f"f = {f}", f"at a = {_show(a)}, v = {_show(v)}",
               f.fd()(join(a, v, f.dom, f.dom)), tangent, f.category)


def _inner(x: Any, y: Any) -> Any:
    return sum(jnp.vdot(p, q) for p, q in zip(jax.tree.leaves(x), jax.tree.leaves(y)))


def check_linear(f: Morphism, a: Any, a2: Any, b: Any) -> None:
    """For a linear ``f : A → B``: ``⟨f(a), b⟩ = ⟨a, f†(b)⟩``, ``R[f](a, b)`` does not
    depend on ``a`` (equals ``R[f](a2, b)``), and ``f†† = f``."""
    c = f.category
    who, at = f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}"
    dag = f.dagger()
    assert_law("adjoint (⟨f a, b⟩ = ⟨a, f† b⟩)", who, at, _inner(f(a), b), _inner(a, dag(b)), c)
    assert_law("R[f] independent of the point", who, f"{at}, a2 = {_show(a2)}",
               _R(f, a, b), _R(f, a2, b), c)
    assert_law("f†† = f", who, at, dag.dagger()(a), f(a), c)


# -- Para ----------------------------------------------------------------------

def check_para(f: Para, g: Para, h: Para, p: Any, q: Any, s: Any, x: Any) -> None:
    """Para laws for a chain ``f : A → B``, ``g : B → C``, ``h : C → D`` with
    parameters ``p, q, s`` and input ``x``:

    * ``(f >> g)(p @ q, x) = g(q, f(p, x))`` (parameters in composition order);
    * associativity ``((f >> g) >> h) = (f >> (g >> h))`` on ``p @ q @ s``;
    * unit ``id >> f = f = f >> id``;
    * tensor ``(f @ g)(p @ q, (x, y)) = (f(p, x), g(q, y))`` with ``y = f(p, x)``;
    * reparametrisation along the identity changes nothing.
    """
    c = f.inside.category
    P, Q, S = f.param, g.param, h.param
    who, at = f"f = {f}, g = {g}, h = {h}", f"at x = {_show(x)}"
    y = f(p, x)
    pq, pqs = join(p, q, P, Q), join(join(p, q, P, Q), s, P @ Q, S)
    assert_law("Para composite (parameters in composition order)", who, at,
               (f >> g)(pq, x), g(q, y), c)
    assert_law("Para associativity", who, at, ((f >> g) >> h)(pqs, x), (f >> (g >> h))(pqs, x), c)
    ident = f.category.id(f.dom)
    assert_law("Para left unit", who, at, (ident >> f)(p, x), y, c)
    assert_law("Para right unit", who, at, (f >> f.category.id(f.cod))(p, x), y, c)
    assert_law("Para tensor is componentwise", who, at,
               (f @ g)(pq, join(x, y, f.dom, g.dom)), join(y, g(q, y), f.cod, g.cod), c)
    assert_law("reparametrisation along 1", who, at,
               f.reparam(c.id(P), init=f.init)(p, x), y, c)


def check_reparam(f: Para, g: Para, r: Morphism, s: Morphism, t: Any, q: Any, x: Any) -> None:
    """Reparametrisation is functorial and commutes with composition, for
    ``r : Q → P`` (``P = f.param``), ``s : R → Q``, ``t ∈ R``, ``q`` a parameter of ``g``:

    * ``f.reparam(r).reparam(s) = f.reparam(s ; r)``;
    * ``f.reparam(r) >> g = (f >> g).reparam(r @ 1)``.
    """
    c = f.inside.category
    who, at = f"f = {f}, g = {g}, r = {r}, s = {s}", f"at t = {_show(t)}, x = {_show(x)}"

    def any_init(key):
        raise AssertionError("init is not used by the laws")

    assert_law("reparametrisation is functorial", who, at,
               f.reparam(r, init=any_init).reparam(s, init=any_init)(t, x),
               f.reparam(s >> r, init=any_init)(t, x), c)
    st = s(t)
    lhs = (f.reparam(r, init=any_init) >> g)(join(st, q, r.dom, g.param), x)
    rhs = (f >> g).reparam(r @ c.id(g.param), init=any_init)(join(st, q, r.dom, g.param), x)
    assert_law("reparametrisation commutes with composition", who, at, lhs, rhs, c)
