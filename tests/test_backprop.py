"""Backprop as Functor (``learners.backprop``): Learn's laws up to equivalence, the
functor ``L_{ε,e} : Para(Smooth) → Learn`` on generated Para maps, and the comparison
of CFGBL §6 with ``learners.supervised``.

References are independent of the code under test: ``jax.jvp`` of the plain forward
functions for every derivative, and ``supervised`` (parametric lenses) for the steps.
"""

import jax
import jax.numpy as jnp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learners
from categories import (SMOOTH, ArrayType, BadHyperparameter, BadObject, BadPoint,
                        LawViolation, MissingStructure, NotComposable, Para, ParaCategory, join,
                        layers, smooth, split)
from categories.laws import assert_law
from categories.strategies import strategies_for
from circuits import gates, models
from learners import backprop
from learners.backprop import LEARN, BaFLearner, Error, check_equivalent, functor, permutation

EPS = 0.25
ERRORS = {"quadratic": backprop.quadratic(), "logistic": backprop.logistic()}
# the CFGBL loss map whose summed error each BaF error is (for the comparison with supervised)
LOSSES = {"quadratic": learners.quadratic, "logistic": learners.binary_cross_entropy}
# small objects: every new shape costs compilations, and these laws are not about shapes
PARA = strategies_for(ParaCategory(SMOOTH), dtype="float64", max_side=2, max_rank=1)
S = PARA.base
_ERROR_NAMES = st.sampled_from(sorted(ERRORS))  # drawn per example: half the cost of both
# for tests checking several laws per example (each new shape costs compilations, which
# dominate the time); composition and the comparison with supervised keep the profile's count
FEWER = settings(max_examples=15)


@pytest.fixture(autouse=True)
def x64():
    # float64 keeps tolerances tight; op by op, since every example is a new composite
    with jax.enable_x64(True), jax.disable_jit():
        yield


def _objects(data, n):
    return [data.draw(S.objects(), f"X{i}") for i in range(n)]


@st.composite
def arbitrary_learners(draw, dom, cod):
    """An arbitrary learner ``dom → cod``: ``I``, ``U`` and ``r`` independent smooth maps,
    so Learn's laws are checked beyond the images of ``L``."""
    P = draw(S.objects(), "P")
    i = draw(S.arrows(P @ dom, cod, 0), "I")
    u = draw(S.arrows(P @ dom @ cod, P, 0), "U")
    r = draw(S.arrows(P @ dom @ cod, dom, 0), "r")
    return BaFLearner(P, dom, cod, lambda p, a: i(join(p, a, P, dom)),
                      lambda p, a, b: u(join(join(p, a, P, dom), b, P @ dom, cod)),
                      lambda p, a, b: r(join(join(p, a, P, dom), b, P @ dom, cod)),
                      name=f"learner{P}")


def _point(data, learner):
    return tuple(data.draw(S.points(o), n) for o, n in
                 ((learner.param, "p"), (learner.dom, "a"), (learner.cod, "b")))


# -- Learn: a symmetric monoidal category up to equivalence --------------------------

@FEWER
@given(data=st.data())
def test_learn_is_associative_and_unital(data):
    A, B, C, D = _objects(data, 4)
    f, g, h = (data.draw(arbitrary_learners(X, Y), n)
               for X, Y, n in ((A, B, "f"), (B, C, "g"), (C, D, "h")))
    fgh = (f >> g) >> h
    assert fgh.param == f.param @ g.param @ h.param  # strict products: reassociation is 1
    check_equivalent(fgh, f >> (g >> h), [_point(data, fgh)])
    point = _point(data, f)
    check_equivalent(LEARN.id(A) >> f, f, [point])
    check_equivalent(f >> LEARN.id(B), f, [point])


@FEWER
@given(data=st.data())
def test_learn_satisfies_interchange_and_symmetry_along_permutations(data):
    A, B, C, D, E, F = _objects(data, 6)
    f, g = data.draw(arbitrary_learners(A, B), "f"), data.draw(arbitrary_learners(B, C), "g")
    h, k = data.draw(arbitrary_learners(D, E), "h"), data.draw(arbitrary_learners(E, F), "k")
    lhs, rhs = (f >> g) @ (h >> k), (f @ h) >> (g @ k)
    blocks = (f.param, g.param, h.param, k.param)
    check_equivalent(lhs, rhs, [_point(data, lhs)], along=permutation(blocks, (0, 2, 1, 3)))
    natural = (f @ h) >> LEARN.swap(B, E)
    check_equivalent(natural, LEARN.swap(A, D) >> (h @ f), [_point(data, natural)],
                     along=permutation((f.param, h.param), (1, 0)))


# -- the functor L_{ε,e} ----------------------------------------------------------------

def _functorial(L, f, g, p, q, a, c):
    """L(f ; g) ≅ L(f) ; L(g) at one point (parameters in Para's order, P @ Q)."""
    whole, parts = L(f >> g), L(f) >> L(g)
    assert whole.param == parts.param == f.param @ g.param
    check_equivalent(whole, parts, [(join(p, q, f.param, g.param), a, c)])


@given(data=st.data())
def test_functor_preserves_composition(data):
    name = data.draw(_ERROR_NAMES, "error")
    A, B, C = _objects(data, 3)
    f, g = data.draw(PARA.paras(A, B, 0), "f"), data.draw(PARA.paras(B, C, 0), "g")
    p, q = data.draw(S.points(f.param), "p"), data.draw(S.points(g.param), "q")
    _functorial(functor(EPS, ERRORS[name]), f, g, p, q, data.draw(S.points(A), "a"),
                data.draw(S.points(C), "c"))


@FEWER
@given(data=st.data())
def test_functor_preserves_identities_symmetry_and_tensor(data):
    name = data.draw(_ERROR_NAMES, "error")
    L = functor(EPS, ERRORS[name])
    A, B, C, D = _objects(data, 4)
    ida = L(ParaCategory(SMOOTH).id(A))
    check_equivalent(ida, LEARN.id(A), [_point(data, ida)])
    swap = L(smooth.swap(A, B))
    check_equivalent(swap, LEARN.swap(A, B), [_point(data, swap)])
    f, g = data.draw(PARA.paras(A, B, 0), "f"), data.draw(PARA.paras(C, D, 0), "g")
    whole, parts = L(f @ g), L(f) @ L(g)
    assert whole.param == parts.param
    check_equivalent(whole, parts, [_point(data, whole)])


@FEWER
@given(data=st.data())
def test_functor_respects_reparametrisation_and_is_faithful(data):
    """L is defined on Para's classes and faithful (BaF Thm III.2): ``f`` reparametrised
    along a swap of its parameter factors gives a learner equivalent to ``L(f)`` along
    that swap (updates included); a Para map with the same parameters that differs from
    ``f`` at a point gives a learner that is not equivalent to ``L(f)`` there."""
    from hypothesis import assume
    name = data.draw(_ERROR_NAMES, "error")
    L = functor(EPS, ERRORS[name])
    A, B, C = _objects(data, 3)
    f1, f2 = data.draw(PARA.paras(A, B, 0), "f1"), data.draw(PARA.paras(B, C, 0), "f2")
    f, P1, P2 = f1 >> f2, f1.param, f2.param
    swapped = f.reparam(permutation((P2, P1), (1, 0)),
                        init=lambda key: (f2.init(key), f1.init(key)))
    assert (L(f).dom, L(f).cod, L(f).param) == (A, C, f.param)  # objects are kept
    point = _point(data, L(f))
    check_equivalent(L(f), L(swapped), [point], along=permutation((P1, P2), (1, 0)))
    other = Para(f.param, A, data.draw(S.arrows(f.param @ A, C, 0), "other"),
                 init=lambda key: f.init(key))
    p, a, b = point
    assume(not LEARN.close(f(p, a), other(p, a)))
    with pytest.raises(LawViolation, match=r"equivalence \(implement\)"):
        check_equivalent(L(f), L(other), [point])


def _inner(x, y):
    return sum(jnp.vdot(u, v) for u, v in zip(jax.tree.leaves(x), jax.tree.leaves(y)))


@given(data=st.data())
def test_update_and_request_are_the_theorems_gradient_steps(data):
    """⟨p − U, v⟩ = ε ∂_v E_f and ⟨∂e/∂x(a, r), w⟩ = ∂_w E_f: derivatives by ``jax.jvp`` of
    the plain forward functions, not by R."""
    name = data.draw(_ERROR_NAMES, "error")
    error = ERRORS[name]
    A, B = _objects(data, 2)
    f = data.draw(PARA.paras(A, B, 0), "f")
    learner = functor(EPS, error)(f)
    p, a, b = _point(data, learner)
    v, w = data.draw(S.points(f.param), "v"), data.draw(S.points(A), "w")

    def E(p, a):
        return sum(jnp.sum(e) for e in jax.tree.leaves(
            jax.tree.map(error.e, f.inside(join(p, a, f.param, A)), b)))

    dp = jax.jvp(lambda t: E(jax.tree.map(lambda u, d: u + t * d, p, v), a), (0.0,), (1.0,))[1]
    da = jax.jvp(lambda t: E(p, jax.tree.map(lambda u, d: u + t * d, a, w)), (0.0,), (1.0,))[1]
    step = jax.tree.map(jnp.subtract, p, learner.update(p, a, b))
    assert_law("update", name, "⟨p − U, v⟩ = ε ∂_v E", _inner(step, v), EPS * dp, SMOOTH)
    r = learner.request(p, a, b)
    slope = jax.tree.map(  # ∂e/∂x(a, r) entrywise: e acts entrywise
        lambda x, y: jax.jvp(lambda t: error.e(t, y), (x,), (jnp.ones_like(x),))[1], a, r)
    assert_law("request", name, "⟨∂e/∂x(a, r), w⟩ = ∂_w E", _inner(slope, w), da, SMOOTH)


@given(data=st.data())
def test_functor_is_supervised_learning_with_plain_gradient_descent(data):
    """CFGBL §6: ``U_f`` is a step of ``supervised(f, loss, gradient(), descent(ε))``, on
    every example of a data set; ``r_f`` is ``φ_a`` of the input change that the same
    assembly makes when the input is a parameter too (``descent(1)``)."""
    name = data.draw(_ERROR_NAMES, "error")
    error, A = ERRORS[name], data.draw(S.objects(), "A")
    B = data.draw(S.array_types(), "B")
    f = data.draw(PARA.paras(A, B, 0), "f")
    learner = functor(EPS, error)(f)
    sup = learners.supervised(f, LOSSES[name](B), learners.gradient(), learners.descent(EPS))
    examples = data.draw(st.lists(st.tuples(S.points(A), S.points(B)), min_size=1, max_size=2))
    p = data.draw(S.points(f.param), "p")
    state = sup.init(p)
    for a, b in examples:
        state, _ = sup.step(state, a, b)
        p = learner.update(p, a, b)
        assert_law("U_f = supervised step", name, f"at a = {a}, b = {b}", p, state.params, SMOOTH)
    # the input moved onto the parameter wire (the data wire discarded), so the
    # assembly updates it too: ((p, a), x) ↦ f(p, a)
    on_params = Para(f.param @ A, A, SMOOTH.tensor(SMOOTH.id(f.param @ A), SMOOTH.discard(A))
                     >> f.inside)
    sup = learners.supervised(on_params, LOSSES[name](B), learners.gradient(),
                              learners.descent(1.0))
    a, b = examples[0]
    state, _ = sup.step(sup.init(join(p, a, f.param, A)), a, b)
    gradient = jax.tree.map(jnp.subtract, a, split(state.params, f.param, A)[1])
    assert_law("r_f = φ_a(∇_a E)", name, f"at a = {a}, b = {b}", learner.request(p, a, b),
               jax.tree.map(error.inverse, a, gradient), SMOOTH)


@pytest.mark.parametrize("name", sorted(ERRORS))
@given(data=st.data())
def test_errors_invert_their_partial_derivative(name, data):
    X = data.draw(S.array_types(), "X")
    x, y = data.draw(S.distinct_points(X, 2), "x, y")
    backprop.check_error(ERRORS[name], x, y)


# -- mutants: each is caught ----------------------------------------------------------

MUTANTS = {  # requests of the quadratic error that are not φ_a(∇_a E)
    "no inverse": Error("no inverse", backprop.quadratic().e, lambda x, z: z),
    "wrong sign": Error("wrong sign", backprop.quadratic().e, lambda x, z: x + z),
}


def _two_layers():
    f = layers.dense(2, 2, activation=smooth.tanh, dtype="float64")
    g = layers.dense(2, 2, dtype="float64")
    p, q = f.init(jax.random.key(0)), g.init(jax.random.key(1))
    return f, g, p, q, jnp.array([0.5, -1.0]), jnp.array([1.0, -2.0])


def test_the_functoriality_check_passes_the_right_request():
    _functorial(functor(EPS, backprop.quadratic()), *_two_layers())


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_functoriality_check_catches_a_wrong_request(name):
    with pytest.raises(LawViolation, match=r"equivalence \((update|request)\)"):
        _functorial(functor(EPS, MUTANTS[name]), *_two_layers())
    x, y = jnp.array([1.0, -2.0]), jnp.array([0.5, 3.0])
    with pytest.raises(LawViolation, match="inverse"):
        backprop.check_error(MUTANTS[name], x, y)


def test_the_equivalence_check_catches_a_wrong_permutation():
    f = functor(EPS, backprop.quadratic())(layers.bias(2))
    ff, P = f @ f, f.param
    p, q, a, b = (jnp.array(v, jnp.float32)
                  for v in ([1.0, 2.0], [3.0, -1.0], [1.0, 1.0], [0.0, 1.0]))
    point = (({"bias": p}, {"bias": q}), (a, 2 * a), (b, 2 * b))
    check_equivalent(ff, ff, [point], along=permutation((P, P), (0, 1)))
    with pytest.raises(LawViolation, match="equivalence"):
        check_equivalent(ff, ff, [point], along=permutation((P, P), (1, 0)))


# -- where BaF's construction does not apply ---------------------------------------------

def test_softmax_cross_entropy_has_no_request():
    """Its gradient in the logits is linear in the target with softmax(z) in the kernel,
    so no request can be read back from it: the derivation behind the refusal."""
    B = ArrayType((3,), "float64")
    loss = learners.softmax_cross_entropy(B)
    z, t = jnp.array([0.3, -1.0, 2.0]), jnp.array([1.0, 0.0, 0.0])
    grad = loss.inside.rd()

    def dz(target):
        return grad((target, z, jnp.asarray(1.0)))[1]

    assert_law("kernel", "softmax CE", "t ↦ ∇_z E(z, t)", dz(t + jax.nn.softmax(z)), dz(t),
               SMOOTH)
    with pytest.raises(MissingStructure, match="(?s)CFGBL loss map.*supervised"):
        functor(EPS, loss)


def test_refusals_are_typed_and_name_the_way_out():
    log_cosh = Error("log_cosh", lambda x, y: jnp.log(jnp.cosh(x - y)),
                     why="∂e/∂x = tanh(x − y) only takes values in (−1, 1)")
    with pytest.raises(MissingStructure, match=r"(?s)log_cosh.*\(−1, 1\).*supervised"):
        functor(EPS, log_cosh)
    for eps in (0.0, -1.0, float("nan")):
        with pytest.raises(BadHyperparameter, match="eps"):
            functor(eps, backprop.quadratic())
    with pytest.raises(BadObject, match="must be an Error"):
        functor(EPS, "quadratic")
    L = functor(EPS, backprop.quadratic())
    for circuit in (models.lookup_table(2, 1), gates.xor()):
        with pytest.raises(MissingStructure, match=r"(?s)Para\(Smooth\).*Circuit.*difference"):
            L(circuit)


def test_misuse_of_learners_is_typed():
    L = functor(EPS, backprop.quadratic())
    f, g = L(layers.dense(3, 2)), L(layers.dense(3, 1))
    with pytest.raises(NotComposable, match="codomain f32\\[2\\] ≠ domain f32\\[3\\]"):
        f >> g
    with pytest.raises(NotComposable, match="different categories"):
        f >> smooth.sin(ArrayType((2,)))
    with pytest.raises(NotComposable, match="types"):
        check_equivalent(f, g, [])
    with pytest.raises(NotComposable, match="pass along=permutation"):
        check_equivalent(f, L(layers.linear(3, 2)), [])
    with pytest.raises(BadObject, match="once"):
        permutation((f.param, g.param), (0, 0))
    with pytest.raises(BadPoint, match="input"):
        f.implement(layers.dense(3, 2).init(jax.random.key(0)), jnp.zeros(2))
