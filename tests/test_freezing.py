"""Freezing, selecting and tying parameters by name (``categories._freeze``).

Every check compares with a computation that does not use the module: the original
model at parameters assembled by hand, ``jax.grad`` of the original model, names read
off ``jax.tree_util`` paths, and optimiser-side freezing (``learners.freeze``).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learners as L
from categories import (ArrayType, BadObject, BadPoint, I, MissingStructure, NotComposable,
                        freeze_params, join, layers, param_names, smooth, tie_params, train_only)
from circuits import models as circuit_models


@st.composite
def models(draw, max_layers=3):
    """A chain of parametrised layers (dense, linear, bias), activations after some; and
    its width. One width a model: the law is about structure, and each new shape
    compiles every operation once."""
    n = draw(st.integers(2, 3))
    make = {"dense": lambda: layers.dense(n, n, smooth.tanh), "linear": lambda: layers.linear(n, n),
            "bias": lambda: layers.bias(n)}
    model = None
    for _ in range(draw(st.integers(1, max_layers))):
        layer = make[draw(st.sampled_from(sorted(make)))]()
        if draw(st.booleans()):
            layer = layer >> smooth.sigmoid(layer.cod)
        model = layer if model is None else model >> layer
    return model, n


def _names_by_tree_paths(params):
    """The leaf names, read independently off jax's key paths: ``[0]['weight']`` → ``0.weight``."""
    paths, _ = jax.tree_util.tree_flatten_with_path(params)
    return [".".join(str(k.idx if hasattr(k, "idx") else k.key) for k in path) for path, _ in paths]


def _same(a, b, exact=False):
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        if exact:
            np.testing.assert_array_equal(np.asarray(u), np.asarray(v))
        else:
            np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-5, atol=1e-6)


@settings(max_examples=12)
@given(drawn=models(), seed=st.integers(0, 2**16), data=st.data())
def test_freezing_is_the_model_with_the_frozen_leaves_held(drawn, seed, data):
    """freeze_params(f, p, names) = f.reparam(along): same outputs, ``along(rest) = p``
    bit for bit, and its gradient is the original's on the kept leaves."""
    model, n = drawn
    params = model.init(jax.random.key(seed))
    names = _names_by_tree_paths(params)
    assert list(param_names(model)) == names
    # a name is a leaf or a whole layer (its first component)
    chosen = data.draw(st.lists(st.sampled_from(names + sorted({m.split(".")[0] for m in names})),
                                unique=True))
    frozen_leaves = [m for m in names if any(m == c or m.startswith(c + ".") for c in chosen)]

    frozen, rest, along = freeze_params(model, params, *chosen)
    x = jax.random.normal(jax.random.key(seed + 1), (n,))
    _same(frozen(rest, x), model(params, x))
    _same(along(rest), params, exact=True)
    kept = [leaf for m, leaf in zip(names, jax.tree.leaves(params)) if m not in frozen_leaves]
    _same(jax.tree.leaves(rest), kept, exact=True)

    full = jax.grad(lambda p: jnp.sum(jnp.sin(model(p, x))))(params)
    expected = [g for m, g in zip(names, jax.tree.leaves(full)) if m not in frozen_leaves]
    _same(jax.tree.leaves(jax.grad(lambda q: jnp.sum(jnp.sin(frozen(q, x))))(rest)), expected)


@settings(max_examples=10)
@given(drawn=models(max_layers=1), seed=st.integers(0, 2**16), data=st.data())
def test_freezing_commutes_with_composition(drawn, seed, data):
    """Reparametrise then compose = compose then reparametrise jointly (CFGBL eqs. 3–4):
    freezing ``0.name`` of ``f >> g`` is ``freeze_params(f, p, name).model >> g``."""
    f, n = drawn
    g = layers.dense(f.cod.shape[0], 2)
    p, q = f.init(jax.random.key(seed)), g.init(jax.random.key(seed + 1))
    name = data.draw(st.sampled_from(["", *param_names(f)]))
    alone = freeze_params(f, p, name)
    parts = alone.model >> g
    together, rest, _ = freeze_params(f >> g, (p, q), f"0.{name}" if name else "0")
    assert together.param == parts.param
    _same(rest, join(alone.params, q, alone.model.param, g.param), exact=True)
    x = jax.random.normal(jax.random.key(seed + 2), (n,))
    _same(together(rest, x), parts(rest, x))


MODEL = layers.dense(4, 5, smooth.tanh) >> layers.dense(5, 3)
PARAMS = MODEL.init(jax.random.key(0))
XS = jax.random.normal(jax.random.key(1), (6, 4))
YS = jax.random.normal(jax.random.key(2), (6, 3))


def _train(model, optimiser, params):
    learner = L.supervised(model, L.quadratic(ArrayType((3,))), optimiser)
    state = learner.init(params)
    for x, y in zip(XS, YS):
        state, _ = learner.step(state, x, y)
    return state.params


def test_training_moves_only_the_unfrozen_leaves_as_optimiser_side_freezing_does():
    """The frozen weight leaves the state and comes back from ``along`` bit for bit; the
    other leaves move, as ``learners.freeze`` (zero updates on the full model) moves them."""
    frozen, rest, along = freeze_params(MODEL, PARAMS, "0.weight")
    assert param_names(frozen) == ("0.bias", "1.bias", "1.weight")
    trained = along(_train(frozen, L.sgd(0.1), rest))
    np.testing.assert_array_equal(trained[0]["weight"], PARAMS[0]["weight"])
    for i, name in [(0, "bias"), (1, "bias"), (1, "weight")]:
        assert not np.array_equal(trained[i][name], PARAMS[i][name]), (i, name)
    mask = ({"weight": True, "bias": False}, {"weight": False, "bias": False})
    _same(trained, _train(MODEL, L.chain(L.sgd(0.1), L.freeze(mask)), PARAMS))


def test_train_only_freezes_every_other_parameter():
    only = train_only(MODEL, PARAMS, "1.weight", "0.bias")
    same = freeze_params(MODEL, PARAMS, "0.weight", "1.bias")
    assert only.model.param == same.model.param and str(only.model.param) == (
        "{bias: f32[5]} @ {weight: f32[3,5]}")
    _same(only.params, same.params, exact=True)
    _same(only.params, ({"bias": PARAMS[0]["bias"]}, {"weight": PARAMS[1]["weight"]}), exact=True)


def test_tied_weights_share_one_value_and_add_their_gradients():
    """Tying along Δ: the tied model is the untied one at ``(w, w)``, and the tied
    gradient is the sum of the two uses' (R[Δ] = +), against ``jax.grad``."""
    untied = layers.linear(3, 3) >> smooth.tanh(ArrayType((3,))) >> layers.linear(3, 3)
    p = untied.init(jax.random.key(3))
    tied, w, along = tie_params(untied, p, "0.weight", "1.weight")
    assert str(tied.param) == "{weight: f32[3,3]}"
    _same(w, p[0], exact=True)
    _same(along(w), (p[0], p[0]), exact=True)
    x = jnp.array([1.0, -1.0, 0.5])
    _same(tied(w, x), untied((w, w), x))
    g = jax.grad(lambda q: jnp.sum(jnp.sin(untied(q, x))))((w, w))
    _same(jax.grad(lambda v: jnp.sum(jnp.sin(tied(v, x))))(w)["weight"],
          g[0]["weight"] + g[1]["weight"])


def test_tying_whole_layers_ties_each_leaf_and_keeps_the_rest():
    model = layers.dense(2, 2, smooth.tanh) >> layers.dense(2, 3) >> layers.dense(3, 2) \
        >> layers.dense(2, 3)
    p = model.init(jax.random.key(4))
    tied, q, _ = tie_params(model, p, "1", "3")
    assert tied.param == model.parts[0].param @ model.parts[1].param @ model.parts[2].param
    x = jnp.array([0.3, -0.7])
    _same(tied(q, x), model((p[0], p[1], p[2], p[1]), x))


def test_freezing_everything_and_nothing():
    frozen, rest, _ = freeze_params(MODEL, PARAMS, "")
    assert frozen.param == I and rest == ()
    _same(frozen((), XS[0]), MODEL(PARAMS, XS[0]))
    same, rest, _ = freeze_params(MODEL, PARAMS)
    assert same.param == MODEL.param
    _same(rest, PARAMS, exact=True)


def test_the_frozen_values_are_copied():
    """Changing the caller's numpy arrays afterwards does not change the frozen model."""
    layer = layers.linear(2, 2)
    p = {"weight": np.eye(2, dtype=np.float32)}
    frozen, _, _ = freeze_params(layer, p, "weight")
    p["weight"][:] = 7.0
    _same(frozen((), jnp.array([1.0, 2.0])), jnp.array([1.0, 2.0]), exact=True)


ERRORS = [  # (thunk, error, words the message must contain)
    # the first tries of issue #15 are rows of tests/test_misuse.py
    (lambda: MODEL.reparam(smooth.constant(jnp.zeros(7))), NotComposable,
     ["f32[7]", "freeze_params(model, params, *names)", "'0.bias', '0.weight', '1.bias'"]),
    (lambda: freeze_params(MODEL, PARAMS, "dense_0"), BadObject,
     ["no parameter named 'dense_0'", "'0.bias', '0.weight', '1.bias', '1.weight'",
      "'0.weight' is params[0]['weight']"]),
    (lambda: train_only(MODEL, PARAMS, "0.weights"), BadObject,
     ["train_only", "no parameter named '0.weights'"]),
    (lambda: freeze_params(MODEL, PARAMS, 0), BadObject,
     ["parameter names are strings such as '0.weight'", "got 0 (int)"]),
    (lambda: freeze_params(MODEL, PARAMS[0], "0"), BadPoint,
     ["freeze_params: params of dense(4→5, tanh) >> dense(5→3)", "tuple of 2 points"]),
    (lambda: freeze_params(smooth.sin(ArrayType((2,))), (), ""), NotComposable,
     ["the model must be a Para map", "sin (Smooth)", "Para.lift"]),
    (lambda: param_names(smooth.sin(ArrayType((2,)))), NotComposable,
     ["param_names: the model must be a Para map"]),
    (lambda: freeze_params(circuit_models.lookup_table(2, 1), None, ""), MissingStructure,
     ["freeze_params cannot be built in Circuit", "needs Smooth", "circuits.export.freeze"]),
    (lambda: tie_params(MODEL, PARAMS, "0.weight"), BadObject,
     ["at least two parameters", "['0.weight']"]),
    (lambda: tie_params(MODEL, PARAMS, "0", "0.bias"), BadObject,
     ["'0.bias' overlaps another of the names"]),
    (lambda: tie_params(MODEL, PARAMS, "0.weight", "1.weight"), NotComposable,
     ["cannot tie '0.weight' (0.weight: f32[5,4]) with '1.weight' (1.weight: f32[3,5])"]),
]


@pytest.mark.parametrize("thunk, error, words", ERRORS)
def test_misuse_raises_a_typed_error_that_says_what_to_do(thunk, error, words):
    with pytest.raises(error) as info:
        thunk()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


def test_records_with_different_fields_do_not_tie():
    model = layers.linear(2, 2) >> layers.bias(2) >> layers.linear(2, 2)
    p = model.init(jax.random.key(6))
    with pytest.raises(NotComposable, match="'0' .*weight.* with '1' .*bias"):
        tie_params(model, p, "0", "1")
    tied, q, _ = tie_params(model, p, "0", "2")
    _same(tied(q, jnp.ones(2)), model((p[0], p[1], p[0]), jnp.ones(2)))



def test_a_name_stands_for_whole_path_components():
    """``"1"`` is the second layer, not also the eleventh (``"10"``)."""
    model = layers.bias(1)
    for _ in range(10):
        model = model >> layers.bias(1)
    params = model.init(jax.random.key(7))
    frozen, rest, _ = freeze_params(model, params, "1")
    assert len(rest) == 10 and param_names(frozen)[-1] == "9.bias"
