"""Losses as Para maps with the target as parameter (CFGBL §3.2, theory.md §3.2).

Each loss's value is checked against an independent numpy formula, and its
reverse derivative ``R[e](b_t, b_p, α) = (Δb_t, Δb_p)`` (both ``loss.inside.rd()``
and the lens ``as_lens(loss).inside.put``) against ``jax.grad`` of an
independently written jax formula, with respect to target and prediction.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learners
from categories import (SMOOTH, ArrayType, BadObject, LeftAdditiveCategory, NotComposable, Para,
                        SmoothCategory)
from lenses import as_lens


def _lse(xp, p):
    m = xp.max(p, axis=-1, keepdims=True)
    return m + xp.log(xp.sum(xp.exp(p - m), axis=-1, keepdims=True))


# name ↦ (constructor, reference formula written for numpy and jax.numpy alike)
REFERENCE = {
    "quadratic": (learners.quadratic, lambda xp, t, p: 0.5 * xp.sum((p - t) * (p - t))),
    "softmax_cross_entropy": (learners.softmax_cross_entropy,
                              lambda xp, t, p: -xp.sum(t * (p - _lse(xp, p)))),
    "binary_cross_entropy": (learners.binary_cross_entropy,
                             lambda xp, t, z: xp.sum(xp.logaddexp(0.0, z) - t * z)),
    "mean_absolute": (learners.mean_absolute,
                      lambda xp, t, p: xp.sum(xp.abs(p - t)) / p.size),
    "dot": (learners.dot, lambda xp, t, p: xp.sum(t * p)),
}
NAMES = sorted(REFERENCE)
SHAPES = [(4,), (2, 3)]


@pytest.fixture(autouse=True)
def x64():
    with jax.enable_x64(True):
        yield


def _arrays(dtype, shape):
    width = 32 if dtype == np.float32 else 64
    # XLA flushes subnormals to zero, so keep them out of the draws
    elements = st.floats(-3, 3, width=width, allow_subnormal=False)
    return hnp.arrays(dtype, shape, elements=elements)


def _rd_both(loss, t, p, alpha):
    """R[e] computed twice: on the inside morphism and through the lens functor."""
    by_rd = loss.inside.rd()((t, p, alpha))
    by_lens = as_lens(loss).inside.put((t, p, alpha))
    _, residual = as_lens(loss).inside.forward((t, p))
    by_backward = as_lens(loss).inside.backward(residual, alpha)
    for a, b in zip(by_rd, by_lens):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-12)
    for a, b in zip(by_rd, by_backward):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-12)
    return by_rd


def _not_kink(name, t, p):
    """|b_p − b_t| is not differentiable where they agree: keep away from the kink."""
    if name == "mean_absolute":
        assume(np.all(np.abs(np.asarray(p, np.float64) - np.asarray(t, np.float64)) > 1e-3))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_value_and_rd_against_jax_grad_float64(name, shape, data):
    make, ref = REFERENCE[name]
    t, p = data.draw(_arrays(np.float64, shape)), data.draw(_arrays(np.float64, shape))
    alpha = np.float64(data.draw(st.floats(-2, 2, allow_subnormal=False)))
    _not_kink(name, t, p)
    loss = make(ArrayType(shape, "float64"))
    assert isinstance(loss, Para) and loss.param == loss.dom == ArrayType(shape, "float64")
    assert loss.cod == ArrayType((), "float64")
    t, p, a = jnp.asarray(t), jnp.asarray(p), jnp.asarray(alpha)
    value = loss(t, p)
    assert value.shape == () and value.dtype == jnp.float64
    np.testing.assert_allclose(float(value), ref(np, np.asarray(t), np.asarray(p)),
                               rtol=1e-10, atol=1e-10)
    dt, dp = _rd_both(loss, t, p, a)
    gt, gp = jax.grad(lambda t_, p_: ref(jnp, t_, p_), argnums=(0, 1))(t, p)
    for got, want in ((dt, alpha * gt), (dp, alpha * gp)):
        assert got.dtype == jnp.float64 and got.shape == shape
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_value_and_rd_float32(name, data):
    make, ref = REFERENCE[name]
    t, p = data.draw(_arrays(np.float32, (5,))), data.draw(_arrays(np.float32, (5,)))
    alpha = np.float32(data.draw(st.floats(-2, 2, width=32, allow_subnormal=False)))
    _not_kink(name, t, p)
    loss = make(ArrayType((5,)))
    assert loss.cod == ArrayType(())
    t, p, a = jnp.asarray(t), jnp.asarray(p), jnp.asarray(alpha)
    value = loss(t, p)
    assert value.dtype == jnp.float32
    np.testing.assert_allclose(float(value), ref(np, t.astype(np.float64), p.astype(np.float64)),
                               rtol=1e-5, atol=1e-5)
    dt, dp = _rd_both(loss, t, p, a)
    gt, gp = jax.grad(lambda t_, p_: ref(jnp, t_, p_), argnums=(0, 1))(t, p)
    for got, want in ((dt, a * gt), (dp, a * gp)):
        assert got.dtype == jnp.float32
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-5)


# -- the paper's closed forms ------------------------------------------------------

B = ArrayType((4,), "float64")
vec = _arrays(np.float64, (4,))
alphas = st.floats(-2, 2, allow_subnormal=False)


@given(t=vec, p=vec, alpha=alphas)
def test_quadratic_closed_form(t, p, alpha):
    dt, dp = _rd_both(learners.quadratic(B), jnp.asarray(t), jnp.asarray(p), jnp.asarray(alpha))
    np.testing.assert_allclose(dt, alpha * (t - p), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dp, alpha * (p - t), rtol=1e-12, atol=1e-12)


@given(label=st.integers(0, 3), p=vec, alpha=alphas)
def test_softmax_cross_entropy_closed_form_for_one_hot(label, p, alpha):
    t = np.eye(4)[label]
    dt, dp = _rd_both(learners.softmax_cross_entropy(B), jnp.asarray(t), jnp.asarray(p),
                      jnp.asarray(alpha))
    softmax = np.exp(p - p.max()) / np.sum(np.exp(p - p.max()))
    np.testing.assert_allclose(dp, alpha * (softmax - t), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dt, -alpha * np.log(softmax), rtol=1e-10, atol=1e-12)


@given(t=vec, p=vec, alpha=alphas)
def test_softmax_cross_entropy_general_target(t, p, alpha):
    # Δb_p = α (softmax(b_p) Σ b_t − b_t) for any b_t (theory.md §3.2)
    _, dp = _rd_both(learners.softmax_cross_entropy(B), jnp.asarray(t), jnp.asarray(p),
                     jnp.asarray(alpha))
    softmax = np.exp(p - p.max()) / np.sum(np.exp(p - p.max()))
    np.testing.assert_allclose(dp, alpha * (softmax * t.sum() - t), rtol=1e-10, atol=1e-10)


@given(t=vec, z=vec, alpha=alphas)
def test_binary_cross_entropy_closed_form(t, z, alpha):
    dt, dz = _rd_both(learners.binary_cross_entropy(B), jnp.asarray(t), jnp.asarray(z),
                      jnp.asarray(alpha))
    np.testing.assert_allclose(dz, alpha * (1 / (1 + np.exp(-z)) - t), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dt, -alpha * z, rtol=1e-12, atol=1e-12)


def test_binary_cross_entropy_is_stable_for_large_logits():
    loss = learners.binary_cross_entropy(B)
    z, t = jnp.array([800.0, -800.0, 0.0, 30.0]), jnp.array([1.0, 0.0, 1.0, 1.0])
    value = float(loss(t, z))
    assert np.isfinite(value)
    np.testing.assert_allclose(value, np.log(2) + np.log1p(np.exp(-30.0)), rtol=1e-12)


@given(t=vec, p=vec, alpha=alphas)
def test_mean_absolute_closed_form(t, p, alpha):
    assume(np.all(np.abs(p - t) > 1e-3))
    dt, dp = _rd_both(learners.mean_absolute(B), jnp.asarray(t), jnp.asarray(p),
                      jnp.asarray(alpha))
    np.testing.assert_allclose(dp, alpha * np.sign(p - t) / 4, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dt, -alpha * np.sign(p - t) / 4, rtol=1e-12, atol=1e-12)


@given(t=vec, p=vec, alpha=alphas)
def test_dot_closed_form(t, p, alpha):
    dt, dp = _rd_both(learners.dot(B), jnp.asarray(t), jnp.asarray(p), jnp.asarray(alpha))
    np.testing.assert_allclose(dt, alpha * p, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dp, alpha * t, rtol=1e-12, atol=1e-12)


@given(t=vec, p=vec, alpha=vec)
def test_difference_on_smooth(t, p, alpha):
    loss = learners.difference(B, SMOOTH)
    assert loss.param == loss.dom == loss.cod == B
    t, p, a = jnp.asarray(t), jnp.asarray(p), jnp.asarray(alpha)
    np.testing.assert_allclose(loss(t, p), np.asarray(p) - np.asarray(t), rtol=1e-12, atol=1e-12)
    dt, dp = _rd_both(loss, t, p, a)
    np.testing.assert_array_equal(dt, -np.asarray(alpha))
    np.testing.assert_array_equal(dp, np.asarray(alpha))
    # and against jax: the VJP of (t, p) ↦ p − t
    _, pullback = jax.vjp(lambda t_, p_: p_ - t_, t, p)
    for got, want in zip((dt, dp), pullback(a)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_difference_with_loss_scaled_rate_is_quadratic_gradient():
    # α(l) = −ε l on the difference reproduces −ε × the quadratic error's gradient
    t, p, eps = jnp.array([1.0, -2.0, 0.5, 3.0]), jnp.array([0.0, 1.0, 1.5, -1.0]), 0.1
    diff = learners.difference(B, SMOOTH)
    alpha = -eps * diff(t, p)
    _, dp = diff.inside.rd()((t, p, alpha))
    _, dq = learners.quadratic(B).inside.rd()((t, p, jnp.asarray(-eps)))
    np.testing.assert_allclose(dp, dq, rtol=1e-12)


class _NoInverses(SmoothCategory):
    """Smooth with the additive inverses forgotten: hom-sets are only monoids."""
    negate = LeftAdditiveCategory.negate

    def __repr__(self):
        return "NoInverses"


def test_difference_needs_additive_inverses():
    with pytest.raises(NotComposable, match="NoInverses has no additive inverses.*f64\\[4\\]"):
        learners.difference(B, _NoInverses())


@pytest.mark.parametrize("name", NAMES)
def test_losses_reject_non_array_objects(name):
    with pytest.raises(BadObject, match=f"{name}: expected an ArrayType"):
        REFERENCE[name][0](B @ B)


def test_docstring_example_value():
    with jax.enable_x64(False):
        assert float(learners.quadratic(ArrayType((3,)))(jnp.zeros(3), jnp.ones(3))) == 1.5
