"""Public law checkers: run them on your own primitives and categories.

Each checker evaluates both sides of a law at the points it is given and
raises :class:`~categories.LawViolation` naming the law, the morphisms and the
counterexample; it returns ``None`` when the law holds. Points compare with the
category's own ``close``: exact for circuits; for Smooth within a tolerance
derived from the dtype's machine epsilon (:meth:`SmoothCategory.tolerance
<categories.SmoothCategory.tolerance>`), which :func:`tolerance` loosens or
tightens for a block of checks.

The reverse-derivative axioms are the pointwise forms of Cockett et al. 2019,
Def. 13 (``shared/theory.md`` §1.2). Products are strict, so a point of
``A @ B`` is ``join(a, b, A, B)``. A law quantified over several points is
checked at the points given: pass *distinct* ones (``b ≠ b2`` for RD.2,
``u ≠ v`` for RD.7, …), as repeated points check only a special case (RD.7
with ``u = v`` compares an expression with itself); the strategies'
``distinct_points(obj, n)`` draws them.

RD.1–RD.7 hold for any lawful ``R``, so they cannot tell ``R[f]`` from the
derivative of some *other* function; :func:`check_derivative` is the
independent reference: finite differences of ``f`` in float64, and ``jax.jvp``.

Example: a primitive with a wrong reverse derivative is caught.

    >>> import jax.numpy as jnp
    >>> from categories import ArrayType, smooth
    >>> X = ArrayType((2,))
    >>> bad = smooth.primitive("square", X, X, lambda x: x**2, rd=lambda x, dy: x * dy)
    >>> check_derivative(bad, jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))
    Traceback (most recent call last):
    ...
    categories._errors.LawViolation: R against jax.jvp fails for f = square: ...
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import jax
import jax.numpy as jnp
import numpy as np

from ._abc import Morphism
from ._errors import BadObject, BadPoint, LawViolation
from ._objects import Object, join, split, zeros
from ._para import Para
from ._smooth import _TOLERANCE, ROUNDING, SMOOTH, Smooth

__all__ = [
    "check_category", "check_cartesian", "check_left_additive", "check_rd1", "check_rd2",
    "check_rd3", "check_rd4", "check_rd5", "check_rd6", "check_rd7", "check_rd_axioms",
    "check_derivative", "check_vjp", "check_jvp", "check_linear", "check_para", "check_reparam",
    "assert_law", "tolerance",
]


def _show(x: Any) -> str:
    leaves = jax.tree.leaves(x)
    if not leaves:
        return repr(x)
    text = repr(jax.tree.map(_six_digits, x))
    return text if len(text) < 400 else text[:400] + "…"


def _six_digits(v: Any) -> Any:
    """A leaf as nested lists, floats to six significant digits (tiny ones stay visible)."""
    v = np.asarray(v)
    if not np.issubdtype(v.dtype, np.floating):
        return v.tolist()
    return np.vectorize(lambda t: float(f"{t:.6g}"), otypes=[float])(v.astype(np.float64)).tolist()


def assert_law(law: str, who: str, where: str, lhs: Any, rhs: Any, category) -> None:
    """Raise :class:`~categories.LawViolation` unless ``lhs`` and ``rhs`` are close in
    ``category``.

    The building block of every checker here, for laws of your own.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH
        >>> x = jnp.array([1.0, 2.0])
        >>> assert_law("doubling", "x", "at x", x + x, 2 * x, SMOOTH)
        >>> assert_law("doubling", "x", "at x", x + x, 3 * x, SMOOTH)
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: doubling fails for x: at x
          lhs = [2.0, 4.0]
          rhs = [3.0, 6.0]
          max |lhs − rhs| = 2
    """
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


@contextlib.contextmanager
def tolerance(rtol: float | None = None, atol: float | None = None) -> Iterator[None]:
    """Compare Smooth points with these ``rtol``/``atol`` inside the block (``None``
    keeps the dtype's default of :meth:`SmoothCategory.tolerance
    <categories.SmoothCategory.tolerance>`): for a map whose rounding is worse than
    the defaults allow (deep, badly conditioned, or reduced precision), or to
    demand more. :func:`check_derivative` uses ``rtol`` too.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH
        >>> x = jnp.array([1.0, 2.0])
        >>> with tolerance(rtol=1e-2):
        ...     SMOOTH.close(x, 1.001 * x)
        True
        >>> SMOOTH.close(x, 1.001 * x)
        False
    """
    token = _TOLERANCE.set((rtol, atol))
    try:
        yield
    finally:
        _TOLERANCE.reset(token)


# -- category, Cartesian, left-additive -------------------------------------------

def check_category(f: Morphism, g: Morphism, h: Morphism, x: Any) -> None:
    """Identity ``1 ; f = f = f ; 1`` and associativity ``(f ; g) ; h = f ; (g ; h)`` at ``x``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_category(smooth.sin(X), smooth.exp(X), smooth.tanh(X), jnp.array([0.5, -1.0]))
    """
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

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_cartesian(smooth.sin(X), smooth.sum(X), jnp.array([0.5, 1.0]), jnp.array([2.0, 3.0]))
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

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_left_additive(smooth.sin(X), smooth.exp(X), smooth.tanh(X),
        ...                     jnp.array([0.5, 1.0]), jnp.array([-1.0, 2.0]))
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
    """RD.1: ``R[f+g](a,b) = R[f](a,b) + R[g](a,b)`` and ``R[0](a,b) = 0``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_rd1(smooth.sin(X), smooth.exp(X), jnp.array([0.5, 1.0]), jnp.array([1.0, -2.0]))
    """
    c = f.category
    who, at = f"f = {f}, g = {g}", f"at a = {_show(a)}, b = {_show(b)}"
    assert_law("RD.1 (R is additive)", who, at, _R(f + g, a, b), c.add_points(_R(f, a, b), _R(g, a, b)), c)
    assert_law("RD.1 (R[0] = 0)", who, at, _R(c.zero(f.dom, f.cod), a, b), zeros(f.dom), c)


def check_rd2(f: Morphism, a: Any, b: Any, b2: Any) -> None:
    """RD.2: ``R[f](a, b+b2) = R[f](a,b) + R[f](a,b2)`` and ``R[f](a, 0) = 0``, for
    distinct cotangents ``b ≠ b2`` (``b2 = b`` checks only ``R[f](a, 2b) = 2 R[f](a, b)``).

    Example: forgetting to multiply by the cotangent breaks additivity.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> a, b, b2 = jnp.array([0.5, 1.0]), jnp.array([1.0, -2.0]), jnp.array([3.0, 0.5])
        >>> check_rd2(smooth.sin(X), a, b, b2)
        >>> forgot = smooth.primitive("sin", X, X, jnp.sin, rd=lambda x, dy: jnp.cos(x))
        >>> check_rd2(forgot, a, b, b2)
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: RD.2 (additive in the cotangent) fails for f = sin: ...
    """
    c = f.category
    who, at = f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}, b2 = {_show(b2)}"
    assert_law("RD.2 (additive in the cotangent)", who, at, _R(f, a, c.add_points(b, b2)),
               c.add_points(_R(f, a, b), _R(f, a, b2)), c)
    assert_law("RD.2 (R[f](a, 0) = 0)", who, at, _R(f, a, zeros(f.cod)), zeros(f.dom), c)


def check_rd3(category, a_obj: Object, b_obj: Object, x: Any, y: Any, u: Any, v: Any) -> None:
    """RD.3: ``R[1](x,u) = u``, ``R[π0]((x,y),u) = (u,0)``, ``R[π1]((x,y),v) = (0,v)``,
    for ``x ≠ u ∈ A`` and ``y ≠ v ∈ B`` (with ``u = x``, ``R[1](x, u) = x`` would pass).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> A, B = ArrayType((2,)), ArrayType(())
        >>> check_rd3(SMOOTH, A, B, jnp.array([1.0, 2.0]), jnp.array(3.0),
        ...           jnp.array([-1.0, 0.5]), jnp.array(4.0))
    """
    c = category
    xy = join(x, y, a_obj, b_obj)
    who, at = f"A = {a_obj}, B = {b_obj}", f"at (x, y) = {_show(xy)}"
    assert_law("RD.3 (R[1] = π1)", who, at, _R(c.id(a_obj), x, u), u, c)
    assert_law("RD.3 (R[π0] = π1;ι0)", who, at, _R(c.proj(a_obj, b_obj, 0), xy, u),
               join(u, zeros(b_obj), a_obj, b_obj), c)
    assert_law("RD.3 (R[π1] = π1;ι1)", who, at, _R(c.proj(a_obj, b_obj, 1), xy, v),
               join(zeros(a_obj), v, a_obj, b_obj), c)


def check_rd4(f: Morphism, g: Morphism, a: Any, b: Any, cb: Any) -> None:
    """RD.4: ``R[⟨f,g⟩](a,(b,c)) = R[f](a,b) + R[g](a,c)`` and ``R[!](a,()) = 0``
    (``b ≠ c`` when ``f`` and ``g`` share a codomain, or swapping them passes).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_rd4(smooth.sin(X), smooth.sum(X), jnp.array([0.5, 1.0]),
        ...           jnp.array([1.0, 2.0]), jnp.array(-3.0))
    """
    c = f.category
    who, at = f"f = {f}, g = {g}", f"at a = {_show(a)}, b = {_show(b)}, c = {_show(cb)}"
    assert_law("RD.4 (pairing)", who, at, _R(c.pair(f, g), a, join(b, cb, f.cod, g.cod)),
               c.add_points(_R(f, a, b), _R(g, a, cb)), c)
    assert_law("RD.4 (R[!] = 0)", who, at, _R(c.discard(f.dom), a, ()), zeros(f.dom), c)


def check_rd5(f: Morphism, h: Morphism, a: Any, cz: Any) -> None:
    """RD.5, the reverse chain rule: ``R[f;h](a, c) = R[f](a, R[h](f(a), c))``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_rd5(smooth.sin(X), smooth.exp(X), jnp.array([0.5, 1.0]), jnp.array([1.0, 2.0]))
    """
    who, at = f"f = {f}, h = {h}", f"at a = {_show(a)}, c = {_show(cz)}"
    assert_law("RD.5 (reverse chain rule)", who, at, _R(f >> h, a, cz),
               _R(f, a, _R(h, f(a), cz)), f.category)


def check_rd6(f: Morphism, a: Any, b: Any, cb: Any) -> None:
    """RD.6, ``R[f]`` is linear in its second argument:
    ``π1(R³[f](((a,b),0),(0,c))) = R[f](a,c)`` (independent of ``b``; pass ``b ≠ c``).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_rd6(smooth.sin(X), jnp.array([0.5, 1.0]), jnp.array([1.0, 2.0]),
        ...           jnp.array([-1.0, 3.0]))
    """
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
    where ``D[f] = (ι0 @ 1) ; R[R[f]] ; π1``. Pass four distinct points of ``A``:
    with ``u = v`` both sides are the same expression.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> a, u, v, w = (jnp.array(p) for p in ([0.5, 1.0], [1.0, 2.0], [-1.0, 0.0], [2.0, -2.0]))
        >>> check_rd7(smooth.multiply(X), (a, u), (v, w), (w, a), (u, v))
    """
    A = f.dom
    dd = f.fd().fd()
    who, at = f"f = {f}", f"at a = {_show(a)}, u = {_show(u)}, v = {_show(v)}, w = {_show(w)}"
    lhs = dd(join(join(a, u, A, A), join(v, w, A, A), A @ A, A @ A))
    rhs = dd(join(join(a, v, A, A), join(u, w, A, A), A @ A, A @ A))
    assert_law("RD.7 (mixed partials commute)", who, at, lhs, rhs, f.category)


def check_rd_axioms(f: Morphism, g: Morphism, h: Morphism, a: Any, b: Any, b2: Any,
                    cz: Any, u: Any, v: Any, w: Any) -> None:
    """All of RD.1–RD.7 for parallel ``f, g : A → B`` and ``h : B → C``, at points
    ``a, u, v, w ∈ A`` (RD.3 uses ``a, u``; RD.7 all four), ``b, b2 ∈ B`` and
    ``cz ∈ C``; points of one object should be distinct (see the module docstring).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> a, u, v, w, b, b2, c = (jnp.array([t, 1.0 - t]) for t in (0.1, 0.3, -0.5, 0.9, 1.5, -2.0, 0.7))
        >>> check_rd_axioms(smooth.sin(X), smooth.tanh(X), smooth.exp(X), a, b, b2, c, u, v, w)
    """
    check_rd1(f, g, a, b)
    check_rd2(f, a, b, b2)
    check_rd3(f.category, f.dom, f.cod, a, b, u, b2)
    check_rd4(f, g, a, b, b2)
    check_rd5(f, h, a, cz)
    check_rd6(f, a, b, b2)
    check_rd7(f, a, u, v, w)


# -- against references: finite differences, jax.jvp; linear maps -----------------

def _flat(x: Any) -> np.ndarray:
    """The leaves of a point, raveled into one float64 vector."""
    leaves = [np.asarray(v, np.float64).ravel() for v in jax.tree.leaves(x)]
    return np.concatenate(leaves) if leaves else np.zeros(0)


def _unflat(vec: np.ndarray, like: Any) -> Any:
    """``vec`` cut into a point shaped like ``like`` (its dtypes kept)."""
    leaves, treedef = jax.tree.flatten(like)
    out, i = [], 0
    for leaf in leaves:
        n = int(np.size(leaf))
        out.append(jnp.asarray(vec[i:i + n].reshape(np.shape(leaf)), jnp.result_type(leaf)))
        i += n
    return jax.tree.unflatten(treedef, out)


def _norm(x: np.ndarray) -> float:
    """The Euclidean norm, scaled first so that tiny entries do not underflow when squared."""
    top = float(np.max(np.abs(x), initial=0.0))
    return top * float(np.sqrt(np.sum((x / top) ** 2))) if top > 0 else 0.0


def _eps(x: Any) -> float:
    """The machine epsilon of the least precise float leaf of ``x`` (float64's if none)."""
    return max((float(jnp.finfo(v.dtype).eps) for v in jax.tree.leaves(x)
                if jnp.issubdtype(v.dtype, jnp.inexact)), default=float(np.finfo(np.float64).eps))


def _directions(r: np.ndarray, count: int, seed: int) -> list[np.ndarray]:
    """``count`` unit directions: ``R[f](a, b)`` itself (normalised) when it is not
    zero, along which ``⟨R[f](a,b), v⟩`` is largest so that an error by a factor
    shows in full, then Gaussian ones (for an error orthogonal to ``R[f](a, b)``)."""
    rng = np.random.default_rng(seed)
    norm = _norm(r)
    vs = [r / norm] if norm > 0 else []
    while len(vs) < count:
        g = rng.standard_normal(r.size)
        vs.append(g / _norm(g))
    return vs[:count]


def check_derivative(f: Morphism, a: Any, b: Any, *, directions: int = 3, seed: int = 0,
                     rtol: float | None = None) -> None:
    """``R[f](a, b)`` against two references that do not use ``R``: for unit directions
    ``v`` (``R[f](a, b)`` itself, then random ones),

    (i)  ``⟨R[f](a,b), v⟩ ≈ ⟨b, (f(a+εv) − f(a−εv)) / 2ε⟩``: central finite differences
         of ``f``'s function, evaluated in float64 (points cast, float32 constants
         promoted) whatever the dtype of ``f``;
    (ii) ``⟨R[f](a,b), v⟩ = ⟨b, J_f(a) v⟩`` with ``J_f(a) v`` from ``jax.jvp`` of ``f``'s
         function, in ``f``'s own dtype.

    Where ``f`` has no hand-written rule, ``R[f]`` *is* ``jax.vjp`` of its function, so
    (ii) checks only that JAX's forward and reverse modes transpose each other, and
    (i) is the truly independent check: it catches a function whose JAX derivative
    is wrong (a ``stop_gradient``, a wrong ``custom_jvp`` inside). Where ``f`` has a
    rule, both compare the rule with the function. Both always run.

    Tolerances. (ii): ``|lhs − rhs| ≤ rtol · (⟨|R|,|v|⟩ + ⟨|b|,|J v|⟩)``, the roundoff
    bound of the two inner products, with ``rtol`` of :meth:`SmoothCategory.tolerance
    <categories.SmoothCategory.tolerance>` for the dtype (6.1e-5 in float32, so a rule
    off by 0.1% fails). (i): the step ``ε = eps^(1/3) · max(1, max|a|)``, with ``eps``
    that of the dtype ``f`` returns in float64 mode, balances the truncation error
    ``ε²|f‴|/6`` against the roundoff ``eps·|f|/ε``; the estimate is the Richardson
    extrapolation of the differences at ``ε`` and ``2ε``, and the bound is
    ``max(rtol, ROUNDING · eps^(2/3))`` (2e-8 in float64) times the same inner-product
    scale, plus ``ROUNDING · eps · ⟨|b|, |f|⟩ / ε`` (roundoff in ``f`` itself), plus
    the gap between the differences at ``ε`` and ``2ε`` (three times the truncation
    error at ``ε``). A rule off by more than about 1e-7 of ``|R|`` fails (i).

    Finite differences need ``f`` differentiable near ``a``: at a kink (``relu`` at 0,
    a tie in ``max_pool2d``) ``R[f]`` is a convention that no difference quotient
    need match. When (i) fails and ``R[f](·, b)`` itself jumps within ``2ε`` of
    ``a`` by enough to explain it, :class:`~categories.BadPoint` is raised instead of
    LawViolation; check at points away from kinks.

    Args:
        f: a Smooth morphism between objects of float arrays.
        a, b: a point of ``f.dom`` and a cotangent, a point of ``f.cod``.
        directions: how many directions ``v`` (each costs a ``jvp`` and four
            evaluations of ``f``).
        seed: of the random directions (the check is deterministic).
        rtol: overrides the dtype's relative tolerance (as :func:`tolerance` does).

    Raises:
        LawViolation: naming the reference, the point, ``v`` and both sides.
        BadPoint: ``a`` or ``b`` not a point of its object, or ``f`` not
            differentiable at ``a`` (see above).
        BadObject: ``f`` not a Smooth map of float arrays.

    Example: ``stop_gradient`` hides a term from JAX, so ``R`` (``jax.vjp``) and
    ``jax.jvp`` agree with each other; the finite differences do not.

        >>> import jax, jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> a, b = jnp.array([0.5, 1.0]), jnp.array([1.0, -2.0])
        >>> check_derivative(smooth.sin(X) >> smooth.exp(X), a, b)
        >>> hidden = smooth.primitive("x·sin x", X, X, lambda x: x * jax.lax.stop_gradient(jnp.sin(x)))
        >>> check_vjp(hidden, a, b)
        >>> check_derivative(hidden, a, b)
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: R against finite differences (float64) fails for f = x·sin x: ...
    """
    if not isinstance(f, Smooth):
        raise BadObject(f"check_derivative compares with finite differences, so it needs a Smooth "
                        f"map between float arrays; got {f} in {f.category!r}")
    for obj, x, name in ((f.dom, a, "a"), (f.cod, b, "b")):
        SMOOTH.check_point(obj, x, f"check_derivative({f}): {name}")
        if not all(jnp.issubdtype(v.dtype, jnp.floating) for v in jax.tree.leaves(x)):
            raise BadObject(f"check_derivative({f}): {obj} is not an object of float arrays")
    r = _R(f, a, b)
    r_flat, b_flat = _flat(r), _flat(b)
    if r_flat.size == 0:
        return  # a map out of the unit: nothing to differentiate
    # the directions are rounded to a's dtypes once, so that both references use the same v
    vs = [_unflat(v, a) for v in _directions(r_flat, directions, seed)]
    v_flat = np.stack([_flat(v) for v in vs])
    dtype = jnp.result_type(*(v.dtype for v in jax.tree.leaves((a, b, r))))
    rt, at = SMOOTH.tolerance(dtype)
    rt = rt if rtol is None else rtol
    lhs = v_flat @ r_flat
    # roundoff of the inner products, and a floor for cancellation inside R or J (whose
    # terms, like the points and weights, are of order 1): atol per unit of |b|·|v|,
    # and at least tiny/eps, as XLA flushes subnormal results to zero
    scale_r = np.abs(v_flat) @ np.abs(r_flat)
    floor = at * _norm(b_flat) + float(jnp.finfo(dtype).tiny / jnp.finfo(dtype).eps)
    who = f"f = {f}"

    # (ii) jax.jvp of f's function, in f's own dtype
    # one evaluation per direction, not a vmap: unbatched, they reuse the operations
    # JAX has already compiled for f at a (eager JAX compiles each new shape once)
    t_flat = np.stack([_flat(jax.jvp(f.fn, (a,), (v,))[1]) for v in vs])
    rhs = t_flat @ b_flat
    bound = rt * (scale_r + np.abs(t_flat) @ np.abs(b_flat)) + floor
    for i in np.flatnonzero(~(np.abs(lhs - rhs) <= bound)):
        _fail("R against jax.jvp", who, a, b, vs[i], lhs[i], rhs[i], bound[i], "⟨b, J_f(a) v⟩ (jax.jvp)")

    # (i) central differences of f's function, in float64
    with contextlib.ExitStack() as scope:
        if not (jax.config.jax_enable_x64 and all(jnp.result_type(v) == np.float64
                                                  for v in jax.tree.leaves(a))):
            # lower-precision points are cast up, and constants inside f must promote
            # with them; entered only then, as changing JAX's configuration misses the
            # cache of operations compiled for f at a
            scope.enter_context(jax.enable_x64(True))
            scope.enter_context(jax.numpy_dtype_promotion("standard"))
        a64 = jax.tree.map(lambda x: jnp.asarray(np.asarray(x, np.float64)), a)
        f0 = f.fn(a64)
        eps = _eps(f0)
        step = eps ** (1 / 3) * max(1.0, float(np.max(np.abs(_flat(a)), initial=0.0)))
        ks = (-2, -1, 1, 2)
        points = [jax.tree.map(lambda x, d, k=k: x + k * step * jnp.asarray(np.asarray(d, np.float64)),
                               a64, v) for v in vs for k in ks]
        values = np.stack([_flat(f.fn(p)) for p in points]).reshape(len(vs), len(ks), -1)
    f0_flat = _flat(f0)
    m2, m1, p1, p2 = (values[:, j] for j in range(len(ks)))
    d1 = (p1 - m1) @ b_flat / (2 * step)
    d2 = (p2 - m2) @ b_flat / (4 * step)
    estimate = (4 * d1 - d2) / 3
    roundoff = ROUNDING * eps * (np.max(np.abs(values), axis=1) @ np.abs(b_flat)) / step
    rt_fd = max(rt, ROUNDING * eps ** (2 / 3))
    bound = rt_fd * (scale_r + np.abs((p1 - m1) / (2 * step)) @ np.abs(b_flat)) + floor \
        + roundoff + np.abs(d1 - d2)
    for i in np.flatnonzero(~(np.abs(lhs - estimate) <= bound)):
        jump = _jump_of_R(f, a, b, r_flat, vs[i], step)
        noise = 8 * (rt * _norm(r_flat) + floor)
        if jump > noise and jump > abs(lhs[i] - estimate[i]) / 4:
            raise BadPoint(
                f"check_derivative: {f} is not differentiable at a = {_show(a)}: R[f](·, b) "
                f"jumps by {jump:.3g} within {step:.3g} of a along v = {_show(vs[i])}, so finite "
                f"differences cannot check R there; check at points away from kinks (relu at 0, "
                f"ties in max_pool2d)")
        _fail("R against finite differences (float64)", who, a, b, vs[i], lhs[i], estimate[i],
              bound[i], f"⟨b, (f(a+εv) − f(a−εv))/2ε⟩ (ε = {step:.3g}, Richardson)")


def _jump_of_R(f: Morphism, a: Any, b: Any, r0: np.ndarray, v: Any, step: float) -> float:
    """How far ``R[f](·, b)`` jumps at ``a`` along ``±v``: ``|n₂ − 2n₁|`` with
    ``n_k = ‖R[f](a ± kεv, b) − R[f](a, b)‖``, which is about 0 where ``R`` is
    differentiable (``n_k`` grows like ``kε``) and the size of the jump where ``a``
    sits on a kink (``n₁ = n₂``). A kink's contributions may cancel in ``f`` (a
    ``relu`` before a linear map), so ``R`` is compared, not ``f``'s differences.
    ``r0`` is ``R[f](a, b)``, raveled."""

    def moved(k):
        return _norm(_flat(_R(f, jax.tree.map(lambda x, d: x + k * step * d, a, v), b)) - r0)

    return max(abs(moved(2 * side) - 2 * moved(side)) for side in (1, -1))


def _fail(law: str, who: str, a: Any, b: Any, v: Any, lhs: float, rhs: float, bound: float,
          reference: str) -> None:
    raise LawViolation(
        f"{law} fails for {who}: at a = {_show(a)}, b = {_show(b)}, along v = {_show(v)}\n"
        f"  ⟨R[f](a, b), v⟩ = {lhs:.10g}\n  {reference} = {rhs:.10g}\n"
        f"  |difference| = {abs(lhs - rhs):.3g} > tolerance {bound:.3g}")


def check_vjp(f: Morphism, a: Any, b: Any) -> None:
    """``R[f](a, b)`` equals ``jax.vjp`` of ``f``'s plain function at ``a``, applied to ``b``.

    This checks hand-written rules (``smooth.primitive(..., rd=...)``), alone or
    inside composites, against JAX's own derivative of the function, and nothing
    else: where ``f`` has no rule, ``R[f]`` *is* that ``jax.vjp``, so the check
    compares JAX with itself, and a function whose JAX derivative is wrong (a
    ``stop_gradient``, a wrong ``custom_jvp``) passes. :func:`check_derivative` is
    the independent oracle (finite differences).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> bad = smooth.primitive("square", X, X, lambda x: x**2, rd=lambda x, dy: x * dy)
        >>> check_vjp(bad, jnp.array([1.0, 2.0]), jnp.array([1.0, 1.0]))
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: R against jax.vjp fails for f = square: ...
    """
    _, pullback = jax.vjp(f.fn, a)
    assert_law("R against jax.vjp", f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}",
               _R(f, a, b), pullback(b)[0], f.category)


def check_jvp(f: Morphism, a: Any, v: Any) -> None:
    """``D[f](a, v)`` (derived from ``R``) equals ``jax.jvp`` of ``f`` at ``a`` along ``v``.

    Like :func:`check_vjp`, JAX is the reference: where ``f`` has no rule this
    checks only that ``D = (ι0 @ 1) ; R[R[f]] ; π1`` agrees with JAX's forward mode.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, smooth
        >>> X = ArrayType((2,))
        >>> check_jvp(smooth.tanh(X), jnp.array([0.5, 1.0]), jnp.array([1.0, -1.0]))
    """
    _, tangent = jax.jvp(f.fn, (a,), (v,))
    assert_law("D against jax.jvp", f"f = {f}", f"at a = {_show(a)}, v = {_show(v)}",
               f.fd()(join(a, v, f.dom, f.dom)), tangent, f.category)


def check_linear(f: Morphism, a: Any, a2: Any, b: Any) -> None:
    """For a linear ``f : A → B``: ``⟨f(a), b⟩ = ⟨a, f†(b)⟩``, ``R[f](a, b)`` does not
    depend on ``a`` (equals ``R[f](a2, b)``, for ``a2 ≠ a``), and ``f†† = f``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import smooth
        >>> f = smooth.linear(jnp.array([[1.0, 2.0], [0.0, 1.0]]))
        >>> check_linear(f, jnp.array([1.0, -1.0]), jnp.array([2.0, 0.5]), jnp.array([3.0, 1.0]))
    """
    c = f.category
    who, at = f"f = {f}", f"at a = {_show(a)}, b = {_show(b)}"
    dag = f.dagger()
    assert_law("adjoint (⟨f a, b⟩ = ⟨a, f† b⟩)", who, at, c.inner(f(a), b),
               c.inner(a, dag(b)), c)
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

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from categories import layers
        >>> f, g, h = layers.dense(2, 3), layers.dense(3, 3), layers.bias(3)
        >>> p, q, s = (m.init(jax.random.key(i)) for i, m in enumerate((f, g, h)))
        >>> check_para(f, g, h, p, q, s, jnp.array([1.0, -1.0]))
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

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType, layers, smooth
        >>> f, g, X = layers.bias(2), layers.bias(2), ArrayType((2,))
        >>> as_bias = smooth.primitive("as_bias", X, f.param, lambda v: {"bias": v})
        >>> check_reparam(f, g, as_bias, smooth.sin(X), jnp.array([0.5, 1.0]),
        ...               {"bias": jnp.array([1.0, 2.0])}, jnp.array([-1.0, 3.0]))
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
