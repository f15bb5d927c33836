"""Building a composite costs time linear in its number of parts.

Deterministic: no seconds, but the Python function calls a build makes (counted
with ``sys.setprofile``), which grow with every part a build rebuilds, and for
circuits the gates it creates. Doubling a chain built by repeated ``>>`` (or
``@``) must at most about double them (≤ 2.2×). A chain built step by step must
also be the chain built at once: same printing, values and initial parameters.
"""

import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import construction
from categories import (SMOOTH, ArrayType, BadObject, NotComposable, Para, Record, layers,
                        smooth)
from circuits import CIRCUIT, Bits, Circuit, bits, gates
from circuits._netlist import Builder
from lenses import Lens, as_lens

X = ArrayType((16,))
B = Bits(1)
RATIO = 2.2


def _calls(build) -> int:
    """The Python (and builtin) function calls ``build()`` makes."""
    n = 0

    def count(frame, event, arg):
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    sys.setprofile(count)
    try:
        build()
    finally:
        sys.setprofile(None)
    return n


def _assert_linear(cost, n):
    cost(4)  # warm the dispatch caches
    small, large = cost(n), cost(2 * n)
    assert large <= RATIO * small, (n, small, large)


def _rshift_chain(parts):
    acc = parts[0]
    for p in parts[1:]:
        acc = acc >> p
    return acc


def _tensor_chain(parts):
    acc = parts[0]
    for p in parts[1:]:
        acc = acc @ p
    return acc


def _dense(n):
    return [layers.dense(16, 16, smooth.tanh) for _ in range(n)]


def _gate_steps(n):
    """Steps ``bits[1] @ bits[1] → bits[1] @ bits[1]`` of one gate each."""
    steps = ((CIRCUIT.copy(B) @ CIRCUIT.id(B)) >> (CIRCUIT.id(B) @ gates.and_()),
             (CIRCUIT.id(B) @ CIRCUIT.copy(B)) >> (gates.xor() @ CIRCUIT.id(B)))
    return [steps[i % 2] for i in range(n)]


# -- linear: calls per doubling ------------------------------------------------------

@pytest.mark.parametrize("make, chain", [
    (_dense, _rshift_chain),
    (_dense, _tensor_chain),
    (lambda n: [smooth.tanh(X)] * n, _rshift_chain),
    (lambda n: [smooth.tanh(X)] * n, _tensor_chain),
    (lambda n: [as_lens(smooth.tanh(X))] * n, _rshift_chain),
    (lambda n: [as_lens(smooth.tanh(X))] * n, _tensor_chain),
    (lambda n: [as_lens(layers.dense(16, 16, smooth.tanh))] * n, _rshift_chain),
    (lambda n: [gates.not_()] * n, _rshift_chain),
    (lambda n: [gates.not_()] * n, _tensor_chain),
    (_gate_steps, _rshift_chain),
], ids=["para>>", "para@", "smooth>>", "smooth@", "lens>>", "lens@", "paralens>>",
        "circuit>>", "circuit@", "gates>>"])
def test_repeated_composition_is_linear(make, chain):
    def cost(n):
        parts = make(n)
        return _calls(lambda: chain(parts))
    _assert_linear(cost, 64)


def test_as_lens_of_a_deep_model_is_linear():
    def cost(n):
        model = _rshift_chain(_dense(n))
        return _calls(lambda: as_lens(model))
    _assert_linear(cost, 64)


def test_repeated_reparametrisation_is_linear():
    P = layers.dense(16, 16).param
    tie = smooth.primitive("tie", P, P, lambda p: p)

    def cost(n):
        def build():
            model = layers.dense(16, 16)
            for _ in range(n):
                model = model.reparam(tie, init=model.init)
            return model
        return _calls(build)
    _assert_linear(cost, 64)


def test_a_deep_circuit_and_its_reverse_derivative_are_linear(monkeypatch):
    made = []
    gate = Builder._gate
    monkeypatch.setattr(Builder, "_gate", lambda self, *a: made.append(1) or gate(self, *a))

    def cost(n):
        steps = _gate_steps(n)
        made.clear()
        calls = _calls(lambda: _rshift_chain(steps).rd().net)
        return calls + len(made)
    _assert_linear(cost, 1000)


# -- the chain built step by step is the chain built at once -------------------------

def test_a_para_chain_built_by_rshift_is_the_chain_built_at_once():
    parts = _dense(5) + [smooth.sin(X)] + _dense(3)
    stepwise = _rshift_chain(parts)
    at_once = parts[0].then(*parts[1:])
    assert repr(stepwise) == repr(at_once) == " >> ".join(map(repr, parts))
    assert repr(stepwise.inside) == repr(at_once.inside)
    assert stepwise.param == at_once.param and stepwise.cod == at_once.cod == X
    key = jax.random.key(0)
    p, q = stepwise.init(key), at_once.init(key)
    assert jax.tree.structure(p) == jax.tree.structure(q)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(p), jax.tree.leaves(q)))
    x = jnp.linspace(-1.0, 1.0, 16)
    assert np.array_equal(stepwise(p, x), at_once(p, x))
    ct = jnp.ones(16)
    runs = [lambda q, a, c, m=m: as_lens(m).inside.run((*q, a), c) for m in (stepwise, at_once)]
    ours, theirs = (run(p, x, ct) for run in runs)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(ours),
                                                     jax.tree.leaves(theirs)))
    ours, theirs = (len(jax.make_jaxpr(run)(p, x, ct).jaxpr.eqns) for run in runs)
    assert ours == theirs


class _Constant:
    """An initialiser that cannot be hashed (``__eq__`` without ``__hash__``)."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Constant) and other.value == self.value

    def __call__(self, key, shape, dtype):
        return jnp.full(shape, self.value, dtype)


def test_layers_that_share_their_objects_initialise_their_own_parameters():
    """Dense layers of one shape share objects and initialisers; each still draws its
    own parameters from its own key, and an initialiser that cannot be hashed works."""
    model = layers.dense(3, 3, smooth.tanh) >> layers.dense(3, 3, smooth.tanh)
    first, second = model.init(jax.random.key(0))
    assert not np.array_equal(first["weight"], second["weight"])
    odd = layers.dense(2, 3, init=_Constant(0.5), bias_init=_Constant(-1.0))
    p = odd.init(jax.random.key(0))
    assert p["weight"].tolist() == [[0.5, 0.5]] * 3 and p["bias"].tolist() == [-1.0] * 3
    assert layers.dense(2, 3, init=_Constant(2.0)).init(jax.random.key(0))["weight"][0, 0] == 2.0
    # sizes given as arrays, as ArrayType takes them
    assert repr(layers.dense(np.array(4), jnp.int32(3))) == "dense(4→3)"


def test_a_shared_initialiser_is_freed_with_its_last_layer():
    import gc
    import weakref
    from jax.nn import initializers
    weights = np.ones((3, 2), np.float32)
    alive = weakref.ref(weights)
    layer = layers.dense(2, 3, init=initializers.constant(weights))
    del layer, weights
    gc.collect()
    assert alive() is None


def test_a_circuit_chain_built_by_rshift_is_the_chain_built_at_once():
    steps = _gate_steps(9)
    stepwise, at_once = _rshift_chain(steps), CIRCUIT.then(*steps)
    assert stepwise == at_once and repr(stepwise) == " >> ".join(map(repr, steps))
    assert stepwise.rd() == at_once.rd()
    point = (bits([1]), bits([0]))
    assert [v.tolist() for v in stepwise(point)] == [v.tolist() for v in at_once(point)]
    # a second branch off one chain (whose builder the first extended) is its own chain
    stem = _rshift_chain(steps[:4])
    first, second = stem >> steps[4], stem >> gates.xor()
    assert second == CIRCUIT.then(*steps[:4], gates.xor())
    assert first == CIRCUIT.then(*steps[:5]) and stem == CIRCUIT.then(*steps[:4])


def test_composite_identities_still_drop_out():
    swap = CIRCUIT.swap(B, B)
    assert CIRCUIT.is_id(swap >> swap) and CIRCUIT.is_id(CIRCUIT.id(B) @ (swap >> swap))
    assert repr((swap >> swap) >> gates.xor()) == "xor"
    assert repr(SMOOTH.id(X) >> smooth.sin(X) >> SMOOTH.id(X)) == "sin"


# -- typed errors at construction -----------------------------------------------------

def test_mismatched_joints_raise_when_built():
    deep = _rshift_chain(_dense(50))
    with pytest.raises(NotComposable, match="f32\\[16\\].*f32\\[8\\]"):
        deep >> layers.dense(8, 4)
    with pytest.raises(NotComposable):
        _rshift_chain([smooth.tanh(X)] * 50) >> smooth.sin(ArrayType((8,)))
    with pytest.raises(NotComposable):
        _rshift_chain([as_lens(smooth.tanh(X))] * 50) >> as_lens(smooth.sin(ArrayType((8,))))
    with pytest.raises(NotComposable):
        _rshift_chain([gates.not_()] * 50) >> gates.xor()
    with pytest.raises(NotComposable):
        _tensor_chain(_dense(3)) >> layers.dense(16, 16)


def test_bad_primitives_raise_when_built():
    with pytest.raises(NotComposable, match="inside must have domain"):
        Para(Record(w=X), X, smooth.tanh(X))
    with pytest.raises(NotComposable):
        Lens(smooth.sin(X), smooth.proj(ArrayType((8,)), X, 1))
    with pytest.raises(BadObject, match="netlist has"):
        Circuit(B, B, gates.xor().net)
    with pytest.raises(BadObject, match="cannot mix batch sizes"):
        CIRCUIT.id(Bits(1, batch=2)) @ CIRCUIT.id(Bits(1, batch=3))
    with pytest.raises(BadObject, match="cannot mix batch sizes"):
        CIRCUIT.batch(gates.not_(), CIRCUIT.unit, 2) @ CIRCUIT.batch(gates.not_(), CIRCUIT.unit, 3)


def test_the_construction_benchmarks_run():
    quick = {"regions": 1, "min_region": 0.001}
    rows = [*construction.para_chain((2, 4), **quick), *construction.circuit_chain((2, 4), **quick),
            construction.circuit_prep(20), construction.lens_trace(2, pairs=1, min_region=0.001)]
    assert all(isinstance(r["target_met"], bool) for r in rows)
    assert rows[-1]["paralens_equations"] == rows[-1]["handwritten_equations"]
