"""Circuits learn bit-packed through ``supervised``/``fit``, bit for bit as unpacked.

The reference is independent of the packed path: numpy, gate by gate, one
example at a time, with the change of a batch the XOR of the examples' changes
(copy's reverse derivative in Z2).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from categories import Para
from circuits import BOOLEAN_DERIVATIVE, CIRCUIT, Bits, _words, models
from circuits._netlist import Builder
from circuits.strategies import circuit_namespace
from learners import difference, fit, gradient, identity, supervised


def _deep(k: int, depth: int) -> Para:
    """A netlist of ``depth`` levels (more than the unrolled limit): x_i ← x_i + p_i x_{i+1}."""
    def build(b):
        p, x = list(range(k)), list(range(k, 2 * k))
        for d in range(depth):
            i = d % k
            x[i] = b.xor(x[i], b.and_(p[i], x[(i + 1) % k]))
        return [x[0], b.xor(x[1], x[k - 1])]
    inside = CIRCUIT._make(Bits(k) @ Bits(k), Bits(2), build, f"deep({depth})")
    return Para(Bits(k), Bits(k), inside, lambda key: np.zeros(k, np.uint8), name="deep")


MODELS = {"lookup_table": lambda: models.lookup_table(3, 2),
          "gate_layer": lambda: models.gate_layer(3, 2),
          "deep": lambda: _deep(3, 3 * _words.UNROLL)}


def _reference(model: Para, theta, x, y, batch, derivative=None) -> np.ndarray:
    """RDA one example at a time in numpy: θ ← θ ⊕ Σ_batch π0 R[f](θ, x, f(θ, x) ⊕ y)."""
    f = model.inside
    r = f.rd() if derivative is None else derivative.rd(f)
    theta = np.asarray(theta, np.uint8).copy()
    for start in range(0, len(x), batch):
        change = np.zeros_like(theta)
        for xi, yi in zip(x[start:start + batch], y[start:start + batch]):
            change ^= r((theta, xi, f((theta, xi)) ^ yi))[0]
        theta ^= change
    return theta


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("batch", [None, 1, 5, 32, 33, 64])
def test_fit_learns_packed_exactly_as_unpacked(name, batch):
    """Batches of 1–64 examples over 70 rows: whole words, part words, padded last batches."""
    model = MODELS[name]()
    rng = np.random.default_rng(len(name) + (batch or 0))
    x = rng.integers(0, 2, (70, model.dom.n)).astype(np.uint8)
    y = rng.integers(0, 2, (70, model.cod.n)).astype(np.uint8)
    theta = rng.integers(0, 2, model.param.n).astype(np.uint8)
    learner = supervised(model, difference(model.cod, CIRCUIT), gradient(), identity(),
                         batch_size=batch)
    state, _ = fit(learner, learner.init(theta), x, y, epochs=2, shuffle=False, progress=False)
    expected = _reference(model, _reference(model, theta, x, y, batch or 1), x, y, batch or 1)
    np.testing.assert_array_equal(np.asarray(state.params), expected)


def test_the_boolean_derivative_learns_packed_exactly_as_unpacked():
    model = models.pseudo_linear(6, 2)
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, (40, 6)).astype(np.uint8)
    y = rng.integers(0, 2, (40, 1)).astype(np.uint8)
    learner = supervised(model, difference(Bits(1), CIRCUIT), gradient(), identity(),
                         derivative=BOOLEAN_DERIVATIVE)
    state, _ = fit(learner, learner.init(np.zeros(6, np.uint8)), x, y, epochs=1,
                   shuffle=False, progress=False)
    np.testing.assert_array_equal(np.asarray(state.params),
                                  _reference(model, np.zeros(6, np.uint8), x, y, 1,
                                             BOOLEAN_DERIVATIVE))


S = circuit_namespace(max_bits=4, max_gates=40)


@settings(max_examples=30, deadline=None)
@given(st.data(), st.sampled_from([1, 31, 32, 33, 100]), st.booleans())
def test_packed_rows_evaluate_as_numpy_gate_by_gate(data, batch, looped):
    """Generated netlists on a batch (inputs per example or shared), unrolled or looped,
    and their reverse derivatives (parity gates), against numpy gate by gate."""
    dom = Bits(data.draw(st.integers(1, 4))) @ Bits(data.draw(st.integers(1, 4)), batch=batch)
    cod = Bits(data.draw(st.integers(1, 3)), batch=batch)
    c = data.draw(S.arrows(dom, cod))
    point = tuple(data.draw(S.points(f)) for f in (dom.factors[0], dom.factors[1]))
    cts = data.draw(S.points(cod))
    unroll = _words.UNROLL
    try:
        _words.UNROLL = -1 if looped else unroll
        _words.plan.cache_clear()
        for circuit, at in ((c, point), (c.rd(), (*point, cts))):
            got = jax.jit(circuit.fn)(tuple(jnp.asarray(v) for v in at))
            want = circuit.fn(at)  # numpy input: gate by gate
            for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
                np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
    finally:
        _words.UNROLL = unroll
        _words.plan.cache_clear()


def test_shared_parity_counts_only_real_examples():
    """A constant-1 wire is all-ones words, padding bits included: parity must not see them."""
    b = Builder(1, [True], batch=3)
    one = b.const(1)
    out = b.parity(b.and_(0, one))
    net = b.build([out, b.parity(b.xor(0, one))])
    rows = _words.pack(jnp.array([[1], [0], [1]], jnp.uint8), 1)
    got = np.asarray(_words.run(net, rows, _words.valid_row(3)))[:, 0] & 1
    assert got.tolist() == [0, 1]  # 1+0+1 even; (0+1+0) odd
