"""Regression tests for defects found in review."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from categories import ArrayType, NotComposable, Para, layers, smooth
from circuits import BOOLEAN_DERIVATIVE, CIRCUIT, Bits, bits, gates
from circuits.export import freeze
from learners import Transform, chain, rule


@pytest.mark.parametrize("batch", [2, 3])
def test_parity_of_a_broadcast_wire_respects_the_batch_size(batch):
    """A shared wire fed to a per-example slot: its parity over the batch is (n mod 2)·a."""
    S, Xb = Bits(1), Bits(1, batch=batch)
    reverse = CIRCUIT.batch(gates.xor(), S, batch).rd()
    broadcast = CIRCUIT.batch(CIRCUIT.id(S), S, batch)
    route = ((CIRCUIT.copy(S) @ CIRCUIT.id(Xb)) >> (CIRCUIT.id(S) @ CIRCUIT.swap(S, Xb))
             >> (CIRCUIT.id(S @ Xb) @ broadcast))
    x = np.arange(batch, dtype=np.uint8)[:, None] % 2
    point = (bits([1]), x)
    assert np.array_equal((route >> reverse)(point)[0], reverse(route(point))[0])
    assert int((route >> reverse)(point)[0][0]) == batch % 2


def test_dense_honours_its_activations_reverse_derivative_rule():
    Y = ArrayType((2,))
    straight_through = smooth.primitive("ste", Y, Y, jnp.sign, rd=lambda x, dy: dy)
    fused = layers.dense(2, 2, lambda _: straight_through)
    chained = layers.linear(2, 2) >> layers.bias(2) >> straight_through
    p = fused.init(jax.random.key(0))
    q = ({"weight": p["weight"]}, {"bias": p["bias"]})
    x, ct = jnp.array([0.5, -1.0]), jnp.ones(2)
    grad_fused = fused.inside.rd()((p, x, ct))[1]
    grad_chained = chained.inside.rd()((*q, x, ct))[-1]
    assert np.allclose(grad_fused, grad_chained) and np.any(np.asarray(grad_fused) != 0)


def test_boolean_derivative_of_circuits_on_the_unit():
    y, pullback = BOOLEAN_DERIVATIVE.vjp(gates.one(), ())
    assert np.asarray(y).tolist() == [1] and pullback(bits([1])) == ()
    _, pullback = BOOLEAN_DERIVATIVE.vjp(gates.discard(), bits([1]))
    assert np.asarray(pullback(())).tolist() == [0]


def test_freeze_a_model_without_parameters():
    assert freeze(Para.lift(gates.not_()), ()) == gates.not_()


def test_transforms_are_open_and_chains_refuse_bad_arguments():
    """Transform was a whitelist of two names; now any optimiser is one, in any order."""
    halve = rule("halve", lambda params: (), lambda s, p, d: (s, 0.5 * d))
    assert isinstance(halve, Transform)
    assert repr(chain(halve, halve)) == "chain(halve(), halve())"
    with pytest.raises(NotComposable, match="at least an optimiser"):
        chain()
    with pytest.raises(NotComposable, match="every part must be an optimiser"):
        chain(halve, "weight_decay")
