"""The checkers bite: primitives with deliberately wrong reverse derivatives are reported.

Each mutant is paired with the checkers that must catch it. Some need the
JAX reference (a wrong sign is still a lawful R); others are caught by the
axioms alone, with no reference at all (RD.2 for a rule not additive in the
cotangent, RD.7 for a missing term of the product rule).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from categories import ArrayType, LawViolation, laws, smooth

X = ArrayType((3,), "float64")
X2 = ArrayType((2,), "float64")
W = np.array([[1.0, 2.0], [0.0, 1.0]])  # not symmetric, so W and Wᵀ differ

MUTANTS = {
    "wrong sign": smooth.primitive("sin", X, X, jnp.sin, rd=lambda x, b: -jnp.cos(x) * b),
    "wrong transpose": smooth.primitive("linear", X2, X2, lambda x: W @ x, rd=lambda x, b: W @ b),
    "missing term": smooth.primitive(
        "multiply", X @ X, X, lambda xy: xy[0] * xy[1], rd=lambda xy, b: (xy[1] * b, 0 * b)),
    "not additive in b": smooth.primitive("sin", X, X, jnp.sin, rd=lambda x, b: jnp.cos(x) * b**3),
}

vectors = hnp.arrays(np.float64, 3, elements=st.floats(0.1, 2.0))
vectors2 = hnp.arrays(np.float64, 2, elements=st.floats(0.1, 2.0))


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


@given(a=vectors2, a2=vectors2, b=vectors2)
def test_linear_checks_catch_wrong_transpose(a, a2, b):
    with pytest.raises(LawViolation, match="adjoint|f†† = f"):
        laws.check_linear(MUTANTS["wrong transpose"], a, a2, b)


@given(a=vectors, b=vectors, b2=vectors)
def test_rd2_alone_catches_a_rule_not_additive_in_the_cotangent(a, b, b2):
    with pytest.raises(LawViolation, match="RD.2"):
        laws.check_rd2(MUTANTS["not additive in b"], a, b, b2)


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


def test_the_true_primitives_pass_the_same_checks():
    a, b = np.array([0.3, 1.0, 2.0]), np.array([1.0, -1.0, 0.5])
    laws.check_vjp(smooth.sin(X), a, b)
    laws.check_rd2(smooth.sin(X), a, b, b)
    laws.check_rd7(smooth.multiply(X), (a, b), (b, a), (a, a), (b, b))
    laws.check_linear(smooth.linear(W), a[:2], b[:2], a[1:])
