"""Backprop as Functor (Fong, Spivak, Tuyéras, LICS 2019): the category Learn and
the functor ``L_{ε,e} : Para(Smooth) → Learn`` of its Theorem III.2.

**Learners.** A learner ``A → B`` is ``(P, I, U, r)``: a parameter object ``P``,
an implementation ``I : P × A → B``, an update ``U : P × A × B → P`` and a request
``r : P × A × B → A``, all pure JAX functions (:class:`BaFLearner`). Learners
compose (BaF §II), with ``b = I(p, a)``:

    (I ; J)(p, q, a)    = J(q, b)
    (U ; V)(p, q, a, c) = (U(p, a, s(q, b, c)), V(q, b, c))
    (r ; s)(p, q, a, c) = r(p, a, s(q, b, c))

in parallel, ``(I ⊗ J)((p, q), (a, c)) = (I(p, a), J(q, c))`` and likewise ``U ⊗ V``
and ``r ⊗ s``; the identity has no parameters (the unit ``I``), implementation
``a ↦ a`` and request ``(a, b) ↦ b``. BaF's Learn is a
category only up to *equivalence*: ``(P, I, U, r) ≅ (P', I', U', r')`` along a
bijection ``h : P → P'`` with ``I'(h p, a) = I(p, a)``, ``U'(h p, a, b) = h U(p, a, b)``,
``r'(h p, a, b) = r(p, a, b)``. paralens' products are strict (a point of
``(P @ Q) @ R`` and of ``P @ (Q @ R)`` is one flat tuple, and ``P @ I = P``), so
the reassociation and unit bijections are identities and associativity and the
unit laws hold on the nose; the interchange law ``(f ; g) ⊗ (h ; k) ≅ (f ⊗ h) ; (g ⊗ k)``
and the naturality of ``swap`` need a permutation of parameter factors, a finite
datum (:func:`permutation`), and :func:`check_equivalent` checks the three equations
at given points. Composites are kept binary, as the formula is, so ``(f ; g) ; h``
and ``f ; (g ; h)`` are different computations and associativity is a real test.

**The functor** (:func:`functor`). For ``ε > 0`` and an error ``e : ℝ × ℝ → ℝ``,
``L(P, f) = (P, f, U_f, r_f)`` with ``E_f(p, a, b) = Σ_j e(f_j(p, a), b_j)`` and

    U_f(p, a, b) = p − ε ∇_p E_f(p, a, b)
    r_f(p, a, b) = φ_a(∇_a E_f(p, a, b))    (componentwise: φ_{a_i} applied to entry i)

where ``φ_x`` inverts ``y ↦ ∂e/∂x(x, y)``: the *second* argument (the target) is
solved for, the first held at the current input. ``E_f`` is the Para(Smooth) map
``f ; e`` with the target as a second parameter, and both gradients come from one
backward pass of its parametric lens ``Para(R)(f ; e)``, the cotangent ``1`` on each
error term being ``R[Σ](·, 1)``.

**Derivation** (the appendix of ``shared/theory.md`` marks BaF's text UNVERIFIED,
so we derive what we use and test the property, functoriality, not the formula).
Take ``f : A → B``, ``g : B → C``, ``b = f(p, a)``. By the chain rule,
``∇_p E_{f;g}(p, q, a, c) = ∂_p f(p, a)ᵀ ∇_b E_g(q, b, c)``. The composite learner
``L(f) ; L(g)`` updates ``p`` by ``∇_p E_f(p, a, b') = ∂_p f(p, a)ᵀ (∂e/∂x(b_j, b'_j))_j``
at the request ``b' = r_g(q, b, c)``. These agree for every ``f`` exactly when
``∂e/∂x(b_j, b'_j) = (∇_b E_g(q, b, c))_j``, i.e. ``b'_j = φ_{b_j}((∇_b E_g)_j)``: the
request above. The same computation with ``∂_a`` gives the requests, and the
identity needs ``r_id(a, b) = φ_a(∂e/∂x(a, b)) = b``. So ``φ_x`` must be a right
inverse of ``d_x = ∂e/∂x(x, −)`` on all of ℝ (any real gradient may arrive:
``d_x`` onto) and a left inverse (identities: ``d_x`` one-to-one), i.e. ``d_x`` is a
bijection ``ℝ → ℝ`` for every ``x``, BaF's hypothesis. The errors here:

* :func:`quadratic`, ``e = ½(x − y)²``: ``d_x(y) = x − y``, ``φ_x(z) = x − z``, so
  ``r_f = a − ∇_a E_f``, one step of size 1 of gradient descent on the input;
* :func:`logistic`, ``e = softplus(x) − x y`` (binary cross-entropy on a logit ``x``
  with target ``y``): ``d_x(y) = σ(x) − y``, ``φ_x(z) = σ(x) − z``, so
  ``r_f = σ(a) − ∇_a E_f``; the requested targets are real numbers, not
  probabilities, which BaF allows.

Errors that fail, so that :func:`functor` refuses them (:class:`~categories.MissingStructure`):

* log-cosh ``c log cosh((x − y)/c)``: ``d_x(y) = tanh((x − y)/c) ∈ (−1, 1)``, one-to-one
  but not onto; a gradient of size ≥ 1 has no target;
* softmax cross-entropy ``−Σ t_i log softmax(z)_i``: not a sum of componentwise
  terms, and its gradient ``t ↦ softmax(z) Σ t − t`` is linear with ``softmax(z)`` in
  its kernel, never one-to-one; cross-entropy on probabilities is not defined on
  ``ℝ × ℝ``, and at the one-hot boundary ``x ∈ {0, 1}`` it has no derivative at all;
* Boolean circuits: the error ``x + y`` (XOR) has ``∂e/∂x(x, −) = 1`` for every ``y``,
  and Z2 has no step ``ε > 0``: :class:`Functor` accepts Para maps of Smooth only.

CFGBL §6 builds learning from parametric lenses instead, which need ``R[loss]``
only: ``learners.supervised(model, loss, optimiser, rate)`` trains with any of
them (``learners.softmax_cross_entropy``; ``learners.difference`` and
``learners.identity()`` on circuits, RDA). For the quadratic error the two agree:
``U_f`` is one step of ``supervised(f, quadratic(B), gradient(), descent(ε))``, and
``r_f = a − ∇_a E_f`` the input change of one such step with step size 1 when the
input is put on the parameter wire (CFGBL §4.2); ``tests/test_backprop.py`` checks
both on generated maps, and the logistic error against ``binary_cross_entropy``.

Example: the functor preserves composition; ``L(f ; g)`` and ``L(f) ; L(g)`` agree.

    >>> import jax, jax.numpy as jnp
    >>> from categories import layers, smooth
    >>> L = functor(0.1, quadratic())
    >>> f, g = layers.dense(3, 2, activation=smooth.tanh), layers.dense(2, 1)
    >>> p, q = f.init(jax.random.key(0)), g.init(jax.random.key(1))
    >>> a, c = jnp.array([1.0, -1.0, 0.5]), jnp.array([2.0])
    >>> check_equivalent(L(f >> g), L(f) >> L(g), [((p, q), a, c)])  # None: they agree
    >>> L(f) >> L(g), (L(f) >> L(g)).category is LEARN
    (L(dense(3→2, tanh)) >> L(dense(2→1)), True)

References: Fong, Spivak, Tuyéras, *Backprop as Functor*, Thm III.2; CFGBL §6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from categories import (SMOOTH, BadObject, I, Immutable, MissingStructure, Morphism,
                        MonoidalCategory, NotComposable, Object, Para, join, join_all, smooth,
                        split, split_all)
from categories.laws import assert_law
from lenses import as_lens

from . import _hyper as hyper

__all__ = ["BaFLearner", "Learn", "LEARN", "Error", "quadratic", "logistic", "Functor",
           "functor", "permutation", "check_equivalent", "check_error"]

MSG_NOT_INVERTIBLE = (
    "L_{{ε,e}} cannot be built for the error {name}: BaF's Theorem III.2 needs "
    "y ↦ ∂e/∂x(x, y) to be a bijection ℝ → ℝ for every x, so that a learner can request "
    "the target whose error gradient is the one it received; {why}.\n"
    "  Parametric lenses need no inverse (CFGBL §6): train with learners.supervised(model, "
    "loss, learners.gradient(), learners.descent(ε)), or use backprop.quadratic() or "
    "backprop.logistic().")
MSG_NOT_SMOOTH = (
    "L_{{ε,e}} is a functor on Para(Smooth), but {f} lives in Para({cat}): BaF's update "
    "p − ε∇ needs real scalars and a step ε > 0; on Boolean circuits (Z2) the error x + y "
    "has ∂e/∂x(x, −) = 1 for every y, which no request can invert.\n"
    "  Parametric lenses need no inverse (CFGBL §6): learn a circuit with "
    "learners.supervised(model, learners.difference(B, CIRCUIT), learners.gradient(), "
    "learners.identity()) (RDA).")


class BaFLearner(Morphism):
    """A learner ``(P, I, U, r) : A → B`` of BaF, a morphism of :data:`LEARN`.

    Args:
        param, dom, cod: the objects ``P``, ``A``, ``B``.
        implement: ``(p, a) ↦ b``; ``update``: ``(p, a, b) ↦ p``; ``request``:
            ``(p, a, b) ↦ a``. Pure functions of points; parameters come in as ``p``,
            never closed over.
        name: how it prints.

    The methods of the same names check their arguments against the objects
    (:class:`~categories.BadPoint`) and run the functions.

    Example: the learner of ``y = w x`` by hand (BaF §II), request ``x − w(w x − y)``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> R = ArrayType(())
        >>> scale = BaFLearner(R, R, R, lambda w, x: w * x,
        ...                    lambda w, x, y: w - 0.5 * (w * x - y) * x,
        ...                    lambda w, x, y: x - w * (w * x - y), name="scale")
        >>> w, x, y = jnp.asarray(2.0), jnp.asarray(1.0), jnp.asarray(3.0)
        >>> b, w2, x2 = scale.implement(w, x), scale.update(w, x, y), scale.request(w, x, y)
        >>> float(b), float(w2), float(x2)
        (2.0, 2.5, 3.0)
    """

    def __init__(self, param: Object, dom: Object, cod: Object,
                 implement: Callable[[Any, Any], Any], update: Callable[[Any, Any, Any], Any],
                 request: Callable[[Any, Any, Any], Any], name: str = "", op: str = "prim"):
        for role, obj in (("param", param), ("dom", dom), ("cod", cod)):
            if not isinstance(obj, Object):
                raise BadObject(f"BaFLearner {name}: {role} must be an Object, got {obj!r}")
        vars(self).update(param=param, dom=dom, cod=cod, _implement=implement, _update=update,
                          _request=request, name=name, op=op)

    def __setattr__(self, key, value):
        raise Immutable(f"learners are immutable: cannot set {key} = {value!r:.40} on {self!r:.60}")

    @property
    def category(self) -> Learn:
        return LEARN

    def implement(self, p: Any, a: Any) -> Any:
        """``I(p, a)``, a point of ``cod``."""
        self._check(p, a)
        return self._implement(p, a)

    def update(self, p: Any, a: Any, b: Any) -> Any:
        """``U(p, a, b)``, a point of ``param``."""
        self._check(p, a, b)
        return self._update(p, a, b)

    def request(self, p: Any, a: Any, b: Any) -> Any:
        """``r(p, a, b)``, a point of ``dom``."""
        self._check(p, a, b)
        return self._request(p, a, b)

    def _check(self, p: Any, a: Any, *b: Any) -> None:
        LEARN.check_point(self.param, p, f"{self}: parameters")
        LEARN.check_point(self.dom, a, f"{self}: input")
        if b:
            LEARN.check_point(self.cod, b[0], f"{self}: target")

    def __repr__(self) -> str:
        return self.name or f"BaFLearner({self.param}; {self.dom} → {self.cod})"


def _wrap(f: BaFLearner) -> str:
    return f"({f!r})" if f.op in ("then", "tensor") else repr(f)


def _then(f: BaFLearner, g: BaFLearner) -> BaFLearner:
    P, Q = f.param, g.param

    def implement(pq, a):
        p, q = split(pq, P, Q)
        return g._implement(q, f._implement(p, a))

    def update(pq, a, c):
        p, q = split(pq, P, Q)
        b = f._implement(p, a)
        return join(f._update(p, a, g._request(q, b, c)), g._update(q, b, c), P, Q)

    def request(pq, a, c):
        p, q = split(pq, P, Q)
        return f._request(p, a, g._request(q, f._implement(p, a), c))

    return BaFLearner(P @ Q, f.dom, g.cod, implement, update, request,
                      name=f"{_wrap(f)} >> {_wrap(g)}", op="then")


def _tensor(f: BaFLearner, g: BaFLearner) -> BaFLearner:
    P, Q, A, C, B, D = f.param, g.param, f.dom, g.dom, f.cod, g.cod

    def implement(pq, ac):
        (p, q), (a, c) = split(pq, P, Q), split(ac, A, C)
        return join(f._implement(p, a), g._implement(q, c), B, D)

    def update(pq, ac, bd):
        (p, q), (a, c), (b, d) = split(pq, P, Q), split(ac, A, C), split(bd, B, D)
        return join(f._update(p, a, b), g._update(q, c, d), P, Q)

    def request(pq, ac, bd):
        (p, q), (a, c), (b, d) = split(pq, P, Q), split(ac, A, C), split(bd, B, D)
        return join(f._request(p, a, b), g._request(q, c, d), A, C)

    return BaFLearner(P @ Q, A @ C, B @ D, implement, update, request,
                      name=f"{_wrap(f)} @ {_wrap(g)}", op="tensor")


@dataclass(frozen=True)
class Learn(MonoidalCategory):
    """BaF's symmetric monoidal category of learners (one instance: :data:`LEARN`).

    It subclasses :class:`~categories.MonoidalCategory` because Learn is one (up to
    equivalence): ``>>`` and ``@`` are then the library's own, with their checks
    (``cod == dom``, one category). No morphism counts as a syntactic identity, so
    ``f >> id`` is a real composite and the unit laws are properties to test.

    Example: ``id ; f`` requests through the identity, whose request is ``(a, b) ↦ b``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> X = ArrayType((2,))
        >>> f = LEARN.swap(X, X)
        >>> h = LEARN.id(X @ X) >> f
        >>> h, h.param
        (id(f32[2] @ f32[2]) >> swap, Product())
        >>> a, b = (jnp.zeros(2), jnp.ones(2)), (2 * jnp.ones(2), 3 * jnp.ones(2))
        >>> [v.tolist() for v in h.request((), a, b)]  # swap back: (b₂, b₁)
        [[3.0, 3.0], [2.0, 2.0]]
    """

    def __repr__(self) -> str:
        return "Learn"

    def close(self, x: Any, y: Any) -> bool:
        return SMOOTH.close(x, y)  # points are Smooth's, compared within its tolerance

    def id(self, obj: Object) -> BaFLearner:
        return BaFLearner(I, obj, obj, lambda p, a: a, lambda p, a, b: (),
                          lambda p, a, b: b, name=f"id({obj})", op="id")

    def _then(self, parts: Sequence[BaFLearner]) -> BaFLearner:
        out = parts[0]
        for g in tuple(parts)[1:]:
            out = _then(out, g)
        return out

    def _tensor(self, parts: tuple[BaFLearner, ...]) -> BaFLearner:
        out = parts[0]
        for g in parts[1:]:
            out = _tensor(out, g)
        return out

    def swap(self, a: Object, b: Object) -> BaFLearner:
        def implement(p, x):
            u, v = split(x, a, b)
            return join(v, u, b, a)

        def request(p, x, y):
            v, u = split(y, b, a)
            return join(u, v, a, b)

        return BaFLearner(I, a @ b, b @ a, implement, lambda p, x, y: (), request, name="swap",
                          op="swap")


LEARN = Learn()


@dataclass(frozen=True)
class Error:
    """A componentwise error ``e(x, y)`` (prediction ``x``, target ``y``), with
    ``inverse(x, z)`` the ``y`` solving ``∂e/∂x(x, y) = z``, or ``None`` and ``why``.

    ``e`` and ``inverse`` act entrywise on arrays of one shape. :func:`check_error`
    checks an inverse against ``jax.jvp`` of ``e``.

    Example: log-cosh has no inverse on all of ℝ, so the functor refuses it.

        >>> import jax.numpy as jnp
        >>> log_cosh = Error("log_cosh", lambda x, y: jnp.log(jnp.cosh(x - y)),
        ...                  why="∂e/∂x = tanh(x − y) only takes values in (−1, 1)")
        >>> functor(0.1, log_cosh)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        categories._errors.MissingStructure: L_{ε,e} cannot be built for the error log_cosh: ...
    """

    name: str
    e: Callable[[Any, Any], Any]
    inverse: Callable[[Any, Any], Any] | None = None
    why: str = "no inverse was given"

    def __repr__(self) -> str:
        return self.name


def quadratic() -> Error:
    """``e(x, y) = ½ (x − y)²``: ``∂e/∂x(x, y) = x − y``, inverted by ``y = x − z``.

    Its request is ``r_f(p, a, b) = a − ∇_a E_f(p, a, b)``.

    Example:
        >>> import jax.numpy as jnp
        >>> err = quadratic()
        >>> x, y = jnp.asarray(3.0), jnp.asarray(1.0)
        >>> float(err.e(x, y)), float(err.inverse(x, x - y))  # ½ (3 − 1)², and back to y
        (2.0, 1.0)
    """
    return Error("quadratic", lambda x, y: 0.5 * (x - y) ** 2, lambda x, z: x - z)


def logistic() -> Error:
    """Binary cross-entropy on a logit ``x``: ``e(x, y) = softplus(x) − x y``;
    ``∂e/∂x(x, y) = σ(x) − y``, inverted by ``y = σ(x) − z``.

    Its request is ``r_f(p, a, b) = σ(a) − ∇_a E_f(p, a, b)``, and its update is
    that of ``learners.binary_cross_entropy`` with plain gradient descent.

    Example:
        >>> import jax.numpy as jnp
        >>> err = logistic()
        >>> round(float(err.e(jnp.asarray(0.0), jnp.asarray(1.0))), 4)  # log 2
        0.6931
        >>> float(err.inverse(jnp.asarray(0.0), jnp.asarray(0.5)))  # σ(0) − 0.5
        0.0
    """
    return Error("logistic", lambda x, y: jax.nn.softplus(x) - x * y,
                 lambda x, z: jax.nn.sigmoid(x) - z)


def _error_map(error: Error, b: Object) -> Para:
    """``(B, (y, x) ↦ (e(x_j, y_j))_j) : B → B``: the errors of a prediction, the target
    ``y`` its parameter (CFGBL's loss map, Def. 3.3, before the sum)."""
    def fn(yx):
        y, x = split(yx, b, b)
        return jax.tree.map(error.e, x, y)

    return Para(b, b, smooth.primitive(error.name, b @ b, b, fn), name=error.name)


@dataclass(frozen=True, repr=False)
class Functor:
    """``L_{ε,e} : Para(Smooth) → Learn`` (BaF Thm III.2), made by :func:`functor`
    (whose checks it runs when built).

    ``L(f)`` for a Para map ``(P, f) : A → B`` (a plain smooth map is lifted) is the
    learner ``(P, f, U_f, r_f)`` of the module docstring; on objects ``L`` is the
    identity.

    Raises:
        MissingStructure: if ``f`` is not a map of Para(Smooth) (a Boolean circuit).

    Example: for ``f(w, x) = w x`` and the quadratic error, ``U = w − ε (w x − y) x`` and
    ``r = x − w (w x − y)``: with ``w = 2, x = 1, y = 3``, ``U = 2 + ε`` and ``r = 3``.

        >>> import jax.numpy as jnp
        >>> from categories import layers
        >>> learner = functor(0.5, quadratic())(layers.linear(1, 1))
        >>> w, x, y = {"weight": jnp.array([[2.0]])}, jnp.array([1.0]), jnp.array([3.0])
        >>> learner.update(w, x, y)["weight"].tolist(), learner.request(w, x, y).tolist()
        ([[2.5]], [3.0])
    """

    eps: float
    error: Error

    def __post_init__(self):
        hyper.positive("backprop.functor", "eps", self.eps)
        error = self.error
        if isinstance(error, Para):
            raise MissingStructure(MSG_NOT_INVERTIBLE.format(
                name=repr(error), why=f"{error!r} is a CFGBL loss map, not a componentwise "
                f"error e(x, y) with an inverse (softmax cross-entropy is not componentwise, "
                f"and its gradient t ↦ softmax(z) Σt − t has softmax(z) in its kernel)"))
        if not isinstance(error, Error):
            raise BadObject(f"backprop.functor: error must be an Error such as quadratic(), "
                            f"got {error!r} ({type(error).__name__})")
        if error.inverse is None:
            raise MissingStructure(MSG_NOT_INVERTIBLE.format(name=error.name, why=error.why))

    def __repr__(self) -> str:
        return f"L_{{{self.eps}, {self.error!r}}}"

    def __call__(self, f: Para | Morphism) -> BaFLearner:
        if isinstance(f, Morphism) and not isinstance(f, Para):
            f = Para.lift(f)
        if not isinstance(f, Para):
            raise NotComposable(f"L_{{ε,e}} maps Para maps, got {f!r} ({type(f).__name__})")
        if f.inside.category != SMOOTH:
            raise MissingStructure(MSG_NOT_SMOOTH.format(f=f, cat=f.inside.category))
        P, A, B = f.param, f.dom, f.cod
        objs, eps, inverse = (P, B, A), self.eps, self.error.inverse
        # E_f = f ; e with parameters P @ B: one backward pass of Para(R)(E_f) gives
        # ∇_p E_f and ∇_a E_f (the target's gradient is dropped)
        errors = as_lens(f >> _error_map(self.error, B)).inside

        def gradients(p, a, b):
            values, residual = errors.forward(join_all([p, b, a], objs))
            dp, _, da = split_all(errors.backward(residual, jax.tree.map(jnp.ones_like, values)),
                                  objs)
            return dp, da

        def implement(p, a):
            return f.inside(join(p, a, P, A))

        def update(p, a, b):
            return jax.tree.map(lambda v, d: v - eps * d, p, gradients(p, a, b)[0])

        def request(p, a, b):
            return jax.tree.map(inverse, a, gradients(p, a, b)[1])

        return BaFLearner(P, A, B, implement, update, request, name=f"L({f!r})")


def functor(eps: float, error: Error) -> Functor:
    """The functor ``L_{ε,e} : Para(Smooth) → Learn`` for a step ``ε > 0`` and an error
    ``e`` whose ``∂e/∂x(x, −)`` is invertible (BaF Thm III.2).

    Raises:
        BadHyperparameter: unless ``ε`` is a finite number ``> 0``.
        MissingStructure: if ``error`` has no inverse (log-cosh), or is a CFGBL loss map
            (``learners.softmax_cross_entropy(B)``) rather than an :class:`Error`.

    Example: cross-entropy is refused, with the parametric-lens route named.

        >>> from categories import ArrayType
        >>> from learners import softmax_cross_entropy
        >>> functor(0.1, quadratic())
        L_{0.1, quadratic}
        >>> functor(0.1, softmax_cross_entropy(ArrayType((3,))))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        categories._errors.MissingStructure: L_{ε,e} cannot be built for the error softmax_cross_entropy: ...
    """
    return Functor(eps, error)


def permutation(blocks: Sequence[Object], order: Sequence[int]) -> Morphism:
    """The bijection ``blocks[0] @ … @ blocks[n−1] → blocks[order[0]] @ …`` of Smooth:
    how parameters of equivalent learners correspond (BaF's equivalence, decided on
    a finite datum).

    Raises:
        BadObject: unless ``order`` is a permutation of ``range(len(blocks))``.

    Example: ``P @ Q → Q @ P``.

        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> P, Q = ArrayType((1,)), ArrayType((2,))
        >>> [v.tolist() for v in permutation((P, Q), (1, 0))((jnp.zeros(1), jnp.ones(2)))]
        [[1.0, 1.0], [0.0]]
    """
    if sorted(order) != list(range(len(blocks))):
        raise BadObject(f"permutation: order must list each of 0…{len(blocks) - 1} once, "
                        f"got {list(order)}")
    return SMOOTH.permute(tuple(blocks), list(order))


def _shown(x: Any) -> str:
    text = repr(jax.tree.map(lambda v: np.round(np.asarray(v, np.float64), 4).tolist(), x))
    return text if len(text) < 200 else text[:200] + "…"


def check_equivalent(l1: BaFLearner, l2: BaFLearner, points: Iterable[tuple[Any, Any, Any]],
                     along: Morphism | None = None) -> None:
    """``l1 ≅ l2`` along ``h = along : P1 → P2`` at each ``(p, a, b)`` of ``points``:
    ``I2(h p, a) = I1(p, a)``, ``U2(h p, a, b) = h U1(p, a, b)``, ``r2(h p, a, b) = r1(p, a, b)``.

    ``along`` must be a bijection (a :func:`permutation`); ``None`` is the identity.

    Raises:
        NotComposable: if the objects do not match (``dom``, ``cod``, or ``along``'s).
        LawViolation: naming the equation that fails, and where.

    Example: ``f @ g`` and ``swap ; (g @ f) ; swap`` are equivalent along ``P @ Q ≅ Q @ P``.

        >>> import jax, jax.numpy as jnp
        >>> from categories import layers
        >>> L = functor(0.5, quadratic())
        >>> f, g = L(layers.linear(2, 1)), L(layers.bias(2))
        >>> p, q = {"weight": jnp.array([[1.0, 2.0]])}, {"bias": jnp.array([0.5, -1.0])}
        >>> point = ((p, q), (jnp.ones(2), jnp.ones(2)), (jnp.zeros(1), jnp.ones(2)))
        >>> other = LEARN.swap(f.dom, g.dom) >> (g @ f) >> LEARN.swap(g.cod, f.cod)
        >>> check_equivalent(f @ g, other, [point], along=permutation((f.param, g.param), (1, 0)))
        >>> check_equivalent(f @ g, other, [point])
        Traceback (most recent call last):
        ...
        categories._errors.NotComposable: cannot compare L(linear(2→1)) @ L(bias(2)) with ...
    """
    who = f"{l1!r} ≅ {l2!r}"
    if (l1.dom, l1.cod) != (l2.dom, l2.cod):
        raise NotComposable(f"cannot compare {who}: they have types {l1.dom} → {l1.cod} and "
                            f"{l2.dom} → {l2.cod}")
    if along is None and l1.param != l2.param:
        raise NotComposable(f"cannot compare {l1!r} with {l2!r} along the identity: their "
                            f"parameters differ, {l1.param} ≠ {l2.param}; pass "
                            f"along=permutation(...)")
    h = along if along is not None else SMOOTH.id(l1.param)
    if (h.dom, h.cod) != (l1.param, l2.param):
        raise NotComposable(f"cannot compare {who} along {h!r}: it maps {h.dom} → {h.cod}, "
                            f"expected {l1.param} → {l2.param}")
    for p, a, b in points:
        hp, where = h(p), f"at p = {_shown(p)}, a = {_shown(a)}, b = {_shown(b)}"
        assert_law("equivalence (implement)", who, where, l1.implement(p, a),
                   l2.implement(hp, a), LEARN)
        assert_law("equivalence (update)", who, where, h(l1.update(p, a, b)),
                   l2.update(hp, a, b), LEARN)
        assert_law("equivalence (request)", who, where, l1.request(p, a, b),
                   l2.request(hp, a, b), LEARN)


def check_error(error: Error, x: Any, y: Any) -> None:
    """``error.inverse`` inverts ``d_x = ∂e/∂x(x, −)`` at ``x``: ``inverse(x, d_x(y)) = y``
    (one-to-one) and ``d_x(inverse(x, y)) = y`` (onto, reading ``y`` as a gradient).
    ``d_x`` comes from ``jax.jvp`` of ``e``, independently of ``R``.

    Raises:
        MissingStructure: if ``error`` has no inverse.
        LawViolation: naming the direction that fails.

    Example: a sign error in the inverse is caught.

        >>> import jax.numpy as jnp
        >>> x, y = jnp.array([1.0, -2.0]), jnp.array([0.5, 3.0])
        >>> check_error(quadratic(), x, y)
        >>> wrong = Error("wrong", quadratic().e, lambda x, z: x + z)
        >>> check_error(wrong, x, y)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        categories._errors.LawViolation: inverse ∘ ∂e/∂x = 1 fails for wrong: ...
    """
    if error.inverse is None:
        raise MissingStructure(MSG_NOT_INVERTIBLE.format(name=error.name, why=error.why))

    def d(x, y):  # ∂e/∂x(x, y) entrywise: e acts entrywise, so its Jacobian is diagonal
        return jax.jvp(lambda t: error.e(t, y), (x,), (jnp.ones_like(x),))[1]

    where = f"at x = {_shown(x)}, y = {_shown(y)}"
    assert_law("inverse ∘ ∂e/∂x = 1", error.name, where, error.inverse(x, d(x, y)), y, LEARN)
    assert_law("∂e/∂x ∘ inverse = 1", error.name, where, d(x, error.inverse(x, y)), y, LEARN)
