"""The checkers bite: primitives with deliberately wrong reverse derivatives are reported.

Each mutant is paired with the checkers that must catch it. Some need a reference
(a wrong sign is still a lawful R); others are caught by the axioms alone, with no
reference at all (RD.2 for a rule not additive in the cotangent, RD.7 for a missing
term of the product rule). The last group is invisible to every axiom and to JAX
compared with itself: only ``check_derivative``'s finite differences (and, for a
hand rule, ``jax.jvp`` at the dtype's tolerance) see them.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, find, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from categories import SMOOTH, ArrayType, LawViolation, laws, smooth
from categories.strategies import strategies_for

X = ArrayType((3,), "float64")
X2 = ArrayType((2,), "float64")
X32 = ArrayType((3,), "float32")
W = np.array([[1.0, 2.0], [0.0, 1.0]])  # not symmetric, so W and Wᵀ differ

MUTANTS = {
    "wrong sign": smooth.primitive("sin", X, X, jnp.sin, rd=lambda x, b: -jnp.cos(x) * b),
    "wrong transpose": smooth.primitive("linear", X2, X2, lambda x: W @ x, rd=lambda x, b: W @ b),
    "missing term": smooth.primitive(
        "multiply", X @ X, X, lambda xy: xy[0] * xy[1], rd=lambda xy, b: (xy[1] * b, 0 * b)),
    "not additive in b": smooth.primitive("sin", X, X, jnp.sin, rd=lambda x, b: jnp.cos(x) * b**3),
}

# invisible to the axioms: each R below is a lawful reverse derivative, of another map
HIDDEN_TERM = smooth.primitive(  # x·sin x, its sin x hidden from JAX: R = sin(x)·b
    "x·sin x", X, X, lambda x: x * jax.lax.stop_gradient(jnp.sin(x)))
OFF_BY_A_TENTH_PERCENT = smooth.primitive(  # in float32, where tolerances were 1e-3
    "exp", X32, X32, jnp.exp, rd=lambda x, b: 1.001 * jnp.exp(x) * b)
WRONG_FAR_OUT = smooth.primitive(  # right on [-2, 2], the strategies' default range
    "cube", X, X, lambda x: x**3,
    rd=lambda x, b: jnp.where(jnp.abs(x) > 2, 1.5, 1.0) * 3 * x**2 * b)

vectors = hnp.arrays(np.float64, 3, elements=st.floats(0.1, 2.0))
vectors2 = hnp.arrays(np.float64, 2, elements=st.floats(0.1, 2.0))
vectors32 = hnp.arrays(np.float32, 3, elements=st.floats(0.125, 2.0, width=32))


@pytest.fixture(autouse=True)
def x64():
    with jax.enable_x64(True):
        yield


def _point(f, data):
    if f.dom == X2:
        return data.draw(vectors2)
    return data.draw(vectors) if f.dom == X else (data.draw(vectors), data.draw(vectors))


@pytest.mark.parametrize("name", sorted(MUTANTS))
@given(data=st.data())
def test_reference_checks_catch_every_mutant(name, data):
    f = MUTANTS[name]
    a, b = _point(f, data), data.draw(vectors2 if f.cod == X2 else vectors)
    with pytest.raises(LawViolation, match="R against jax.vjp"):
        laws.check_vjp(f, a, b)
    with pytest.raises(LawViolation, match="D against jax.jvp"):
        laws.check_jvp(f, a, _point(f, data))
    with pytest.raises(LawViolation, match="R against (jax.jvp|finite differences)"):
        laws.check_derivative(f, a, b)


@given(a=vectors2, a2=vectors2, b=vectors2)
def test_linear_checks_catch_wrong_transpose(a, a2, b):
    with pytest.raises(LawViolation, match="adjoint|f†† = f"):
        laws.check_linear(MUTANTS["wrong transpose"], a, a2, b)


@given(a=vectors, bs=st.lists(vectors, min_size=2, max_size=2, unique_by=bytes))
def test_rd2_alone_catches_a_rule_not_additive_in_the_cotangent(a, bs):
    with pytest.raises(LawViolation, match="RD.2"):
        laws.check_rd2(MUTANTS["not additive in b"], a, *bs)


@given(a=vectors, b=vectors, c=vectors)
def test_rd6_alone_catches_a_rule_not_linear_in_the_cotangent(a, b, c):
    assume(not np.allclose(b, c, atol=0.1))
    with pytest.raises(LawViolation, match="RD.6"):
        laws.check_rd6(MUTANTS["not additive in b"], a, b, c)


@given(data=st.data())
def test_rd7_alone_catches_a_missing_term_of_the_product_rule(data):
    f = MUTANTS["missing term"]
    a, u, v, w = (_point(f, data) for _ in range(4))
    # D²f((a,u),(v,w)) of the mutant is v_y·u_x + a_y·w_x: asymmetric in u, v
    assume(not np.allclose(v[1] * u[0], u[1] * v[0], atol=1e-2))
    with pytest.raises(LawViolation, match="RD.7"):
        laws.check_rd7(f, a, u, v, w)


def _every_axiom_and_jax_pass(f, a, b, b2, u, v, w, h, c):
    laws.check_vjp(f, a, b)
    laws.check_jvp(f, a, u)
    laws.check_rd2(f, a, b, b2)
    laws.check_rd5(f, h, a, c)
    laws.check_rd6(f, a, b, b2)
    laws.check_rd7(f, a, u, v, w)


@given(points=st.lists(vectors, min_size=7, max_size=7, unique_by=bytes))
def test_only_finite_differences_catch_a_stop_gradient(points):
    """R is jax.vjp of the function and JAX agrees with itself: vjp, jvp and RD.1–RD.7
    pass; the finite differences see the missing x·cos x term."""
    a, b, b2, u, v, w, c = points
    assume(np.max(np.abs(a * np.cos(a) * b)) > 1e-3)  # the hidden term is not negligible
    _every_axiom_and_jax_pass(HIDDEN_TERM, a, b, b2, u, v, w, smooth.tanh(X), c)
    with pytest.raises(LawViolation, match="R against finite differences"):
        laws.check_derivative(HIDDEN_TERM, a, b)


@given(points=st.lists(vectors32, min_size=7, max_size=7, unique_by=bytes))
def test_a_float32_rule_off_by_a_tenth_of_a_percent_is_caught(points):
    """The axioms hold for 1.001·R (it is R of 1.001·exp); the references do not, at the
    float32 tolerance (6.1e-5). The former 1e-3 tolerance let it through."""
    a, b, b2, u, v, w, c = points
    f = OFF_BY_A_TENTH_PERCENT
    for check in (laws.check_rd2, laws.check_rd6):
        check(f, a, b, b2)
    laws.check_rd7(f, a, u, v, w)
    with pytest.raises(LawViolation, match="R against jax.jvp"):
        laws.check_derivative(f, a, b)
    with pytest.raises(LawViolation, match="R against jax.vjp"):
        laws.check_vjp(f, a, b)
    with laws.tolerance(rtol=1e-3, atol=1e-3):  # the tolerance before: nothing caught
        laws.check_vjp(f, a, b)


def test_widening_the_points_finds_a_rule_wrong_only_outside_the_default_range():
    narrow, wide = strategies_for(SMOOTH, dtype="float64"), strategies_for(SMOOTH, bound=10.0)

    def caught(ab):
        try:
            laws.check_derivative(WRONG_FAR_OUT, *ab)
        except LawViolation:
            return True
        return False

    found = find(st.tuples(wide.points(X), wide.points(X)), caught)
    assert np.max(np.abs(found[0])) > 2
    assert caught(find(st.tuples(narrow.points(X, bound=10.0), narrow.points(X)), caught))

    @given(narrow.points(X), narrow.points(X))
    def default_range(a, b):
        laws.check_derivative(WRONG_FAR_OUT, a, b)

    default_range()


def test_the_true_primitives_pass_the_same_checks():
    a, b, b2 = np.array([0.3, 1.0, 2.0]), np.array([1.0, -1.0, 0.5]), np.array([-0.5, 2.0, 1.5])
    laws.check_vjp(smooth.sin(X), a, b)
    laws.check_derivative(smooth.sin(X), a, b)
    laws.check_rd2(smooth.sin(X), a, b, b2)
    laws.check_rd7(smooth.multiply(X), (a, b), (b, a), (a, b2), (b2, b))
    laws.check_linear(smooth.linear(W), a[:2], b[:2], a[1:])
    laws.check_derivative(smooth.primitive("x·sin x", X, X, lambda x: x * jnp.sin(x)), a, b)
    laws.check_derivative(smooth.primitive("exp", X32, X32, jnp.exp,
                                           rd=lambda x, b: jnp.exp(x) * b),
                          a.astype(np.float32), b.astype(np.float32))
