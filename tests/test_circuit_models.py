"""The RDA models as circuits, and the Boolean-derivative lens against the oracle."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from categories import BadObject
from categories.strategies import strategies_for
from circuits import BOOLEAN_DERIVATIVE, CIRCUIT, Bits, bits, models
from circuits import strategies as _registers  # noqa: F401
from lenses import as_lens
from circuits.oracle import brute_force_rd, flatten, is_multilinear, polynomial_rd
from circuits.packed import run
from learners import data, difference, fit, gradient, identity, supervised

S = strategies_for(CIRCUIT, max_bits=4, max_gates=10)
vectors = hnp.arrays(np.uint8, (200, 16), elements=st.integers(0, 1))


@pytest.mark.parametrize("k", [1, 2, 4, 8])
@given(p=vectors, x=vectors)
@settings(max_examples=10)
def test_pseudo_linear_computes_the_threshold(k, p, x):
    model = models.pseudo_linear(16, k)
    expected = ((p & x).sum(axis=1) <= p.sum(axis=1) // k).astype(np.uint8)
    assert np.array_equal(run(model.inside, (p, x))[:, 0], expected)


def test_pseudo_linear_is_not_multilinear_so_its_r_is_formal():
    inside = models.pseudo_linear(3, 2).inside
    assert not is_multilinear(inside)
    point, dy = (bits([1, 1, 0]), bits([1, 0, 1])), bits([1])
    assert np.array_equal(flatten(inside.dom, inside.rd()((*point, dy))),
                          polynomial_rd(inside, point, dy))


def test_pseudo_linear_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        models.pseudo_linear(8, 3)


@given(data=st.data())
def test_boolean_derivative_lens_is_the_brute_force_derivative(data):
    dom, cod = data.draw(S.objects(), "dom"), data.draw(S.objects(), "cod")
    c = data.draw(S.arrows(dom, cod), "circuit")
    x, dy = data.draw(S.points(dom), "x"), data.draw(S.points(cod), "dy")
    lens = as_lens(c, BOOLEAN_DERIVATIVE)
    y, grads = jax.jit(lens.run)(x, dy)
    got = flatten(dom, grads)
    assert np.array_equal(flatten(cod, y), flatten(cod, c(x)))
    assert np.array_equal(got, brute_force_rd(c, x, dy))


@given(data=st.data())
@settings(max_examples=10)
def test_boolean_derivative_put_circuit_agrees_with_its_execution(data):
    dom, cod = Bits(3), Bits(2)
    c = data.draw(S.arrows(dom, cod), "circuit")
    x, dy = data.draw(S.points(dom), "x"), data.draw(S.points(cod), "dy")
    lens = as_lens(c, BOOLEAN_DERIVATIVE)
    _, residual = lens.forward(x)
    assert np.array_equal(lens.put((x, dy)), np.asarray(lens.backward(residual, dy)))


def test_boolean_derivative_refuses_batched_circuits():
    batched = CIRCUIT.batch(models.lookup_table(1, 1).inside, Bits(2), 3)
    with pytest.raises(BadObject, match="batched"):
        BOOLEAN_DERIVATIVE.rd(batched)


def test_rda_with_the_boolean_derivative_learns_digits_zero_one():
    """RDA's MNIST model on the bundled 8×8 digits 0/1 (pixels > 2), one pass: the
    Boolean derivative learns, the formal one (non-multilinear circuit) does not."""
    x, labels = data.load_digits()
    keep = labels <= 1
    xb, yb = (x[keep] > 2).astype(np.uint8), (labels[keep] == 1).astype(np.uint8)[:, None]
    cut = int(0.8 * len(xb))
    model = models.pseudo_linear(64, 4)
    scores = {}
    for name, kwargs in (("boolean", {"derivative": BOOLEAN_DERIVATIVE}), ("formal", {})):
        learner = supervised(model, difference(Bits(1), CIRCUIT), gradient(), identity(), **kwargs)
        state, _ = fit(learner, learner.init(model.init(None)), xb[:cut], yb[:cut], epochs=1,
                       key=jax.random.key(0), shuffle=False, progress=False)
        scores[name] = float(np.mean(np.asarray(learner.predict(state.params, xb[cut:])) == yb[cut:]))
    assert scores["boolean"] >= 0.7 > scores["formal"], scores
