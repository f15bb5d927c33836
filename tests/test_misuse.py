"""Misuse of the learning API, and the census of every misuse table in the suite.

``MISUSE`` rows are ``(id, thunk, exception type, words the message must contain)``;
a thunk takes a fresh temporary folder (for the file rows). They cover what a
user meets off the happy path: hyperparameters out of range, learners assembled
from the wrong parts, data of the wrong shape, dtype or length given to ``step``,
``predict``, ``fit`` and ``dream``, losses on objects they cannot measure, data
files and checkpoints that are missing, damaged or lie about their size.

The census runs these rows with those of ``tests/test_errors.py`` (composition)
and ``tests/test_circuit_validation.py`` (circuits) and checks each error is one
of the library's own types, names what it must, and is raised *before tracing*:
no frame of JAX's tracing machinery is on the traceback. The few rows that
misuse a traced function on purpose (``jax.jit(f)(bad point)``) are listed in
``TRACED_BY_THE_USER``.
"""

import os
import traceback

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import learners as L
from categories import (ArrayType, AxiomError, BadFile, BadHyperparameter, BadObject, BadPoint,
                        Immutable, MissingStructure, NotComposable, Record,
                        ReverseDerivativeCategory, freeze_params, layers, smooth, tie_params)
from circuits import CIRCUIT, Bits, gates, oracle
from lenses import as_lens
from learners import data, schedules
from tests import test_circuit_validation, test_errors

X4, Y3 = ArrayType((4,)), ArrayType((3,))
MODEL = layers.dense(4, 3)
CE = L.softmax_cross_entropy(Y3)
ONE = L.supervised(MODEL, CE, L.sgd(0.1))
EIGHT = L.supervised(MODEL, CE, L.sgd(0.1), batch_size=8)
P = MODEL.init(jax.random.key(0))
S1, S8 = ONE.init(P), EIGHT.init(P)
XS = np.ones((10, 4), np.float32)
YS = np.eye(3, dtype=np.float32)[np.arange(10) % 3]
KEY = jax.random.key(0)
NAN = float("nan")


def fit8(x=XS, y=YS, **options):
    options.setdefault("key", KEY)
    return L.fit(EIGHT, S8, x, y, epochs=options.pop("epochs", 1), **options)


def written(d, name, payload):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(payload)
    return path


def saved(d, name, state):
    path = os.path.join(d, name)
    L.save(path, state)
    return path


def dreamer():
    learner = L.dream(MODEL, CE, L.sgd(0.1))
    return learner.step, learner.init(params=P, inputs=np.ones(4, np.float32))


HYPER = [  # (call, owner, hyperparameter, range words)
    (lambda: L.sgd(NAN), "sgd", "lr", "≥ 0"),
    (lambda: L.sgd(float("inf")), "sgd", "lr", "≥ 0"),
    (lambda: L.sgd(-0.1), "sgd", "lr", "≥ 0"),
    (lambda: L.sgd("0.1"), "sgd", "lr", "str"),
    (lambda: L.sgd(True), "sgd", "lr", "bool"),
    (lambda: L.momentum(0.1, gamma=1.0), "momentum", "gamma", "[0, 1)"),
    (lambda: L.momentum(0.1, gamma=-0.5), "momentum", "gamma", "[0, 1)"),
    (lambda: L.nesterov(0.1, gamma=1.5), "nesterov", "gamma", "[0, 1)"),
    (lambda: L.nesterov(-1.0), "nesterov", "lr", "≥ 0"),
    (lambda: L.adagrad(0.1, eps=-1.0), "adagrad", "eps", "≥ 0"),
    (lambda: L.adagrad(0.1, initial_accumulator_value=-0.1), "adagrad",
     "initial_accumulator_value", "≥ 0"),
    (lambda: L.rmsprop(0.1, decay=1.0), "rmsprop", "decay", "[0, 1)"),
    (lambda: L.rmsprop(0.1, eps=NAN), "rmsprop", "eps", "≥ 0"),
    (lambda: L.adam(0.1, b1=1.0), "adam", "b1", "[0, 1)"),
    (lambda: L.adam(0.1, b1=-0.1), "adam", "b1", "[0, 1)"),
    (lambda: L.adam(0.1, b2=1.5), "adam", "b2", "[0, 1)"),
    (lambda: L.adam(0.1, eps=-1.0), "adam", "eps", "≥ 0"),
    (lambda: L.adam(NAN), "adam", "lr", "≥ 0"),
    (lambda: L.adamw(0.1, weight_decay=-1e-4), "adamw", "weight_decay", "≥ 0"),
    (lambda: L.adamw(0.1, b2=1.0), "adamw", "b2", "[0, 1)"),
    (lambda: L.amsgrad(0.1, b2=NAN), "amsgrad", "b2", "[0, 1)"),
    (lambda: L.lion(0.1, b1=1.0), "lion", "b1", "[0, 1)"),
    (lambda: L.lion(0.1, weight_decay=-1.0), "lion", "weight_decay", "≥ 0"),
    (lambda: L.ademamix(0.1, b3=1.0), "ademamix", "b3", "[0, 1)"),
    (lambda: L.ademamix(0.1, alpha=-5.0), "ademamix", "alpha", "≥ 0"),
    (lambda: L.weight_decay(-0.1), "weight_decay", "rate", "≥ 0"),
    (lambda: L.clip_by_global_norm(-1.0), "clip_by_global_norm", "max_norm", "> 0"),
    (lambda: L.clip_by_global_norm(0.0), "clip_by_global_norm", "max_norm", "> 0"),
    (lambda: L.descent(-0.1), "descent", "eta", "≥ 0"),
    (lambda: L.ascent(NAN), "ascent", "eta", "≥ 0"),
    (lambda: L.loss_scaled(float("inf")), "loss_scaled", "eta", "≥ 0"),
    (lambda: schedules.constant(NAN), "constant", "value", "finite"),
    (lambda: schedules.exponential(0.1, 0.9, 0), "exponential", "transition_steps", "> 0"),
    (lambda: schedules.exponential(0.1, -0.5, 10), "exponential", "decay_rate", "≥ 0"),
    (lambda: schedules.cosine(0.1, 0), "cosine", "decay_steps", "> 0"),
    (lambda: schedules.cosine(0.1, 2.5), "cosine", "decay_steps", "whole number"),
    (lambda: schedules.warmup_cosine(0.1, 10, 5), "warmup_cosine", "warmup_steps",
     "decay_steps=5"),
    (lambda: schedules.warmup_cosine(0.1, 0, 5), "warmup_cosine", "warmup_steps", "> 0"),
    (lambda: data.train_test_split(XS, YS, 1.5), "train_test_split", "test_fraction", "(0, 1)"),
    (lambda: data.one_hot(np.array([0]), 0), "one_hot", "classes", "> 0"),
    (lambda: L.supervised(MODEL, CE, L.sgd(0.1), batch_size=0), "supervised", "batch_size",
     "> 0"),
    (lambda: L.supervised(MODEL, CE, L.sgd(0.1), batch_size=2.5), "supervised", "batch_size",
     "whole number"),
    (lambda: L.batch(MODEL, -3), "batch", "n", "> 0"),
    (lambda: fit8(epochs=-1), "fit", "epochs", "≥ 0"),
    (lambda: fit8(epochs=1.5), "fit", "epochs", "whole number"),
    (lambda: fit8(metrics_every=0), "fit", "metrics_every", "≥ 1"),
  # (call, owner, hyperparameter, range words), as in test_misuse.py
    (lambda: L.nadam(0.1, b1=1.0), "nadam", "b1", "[0, 1)"),
    (lambda: L.radam(0.1, threshold=float("nan")), "radam", "threshold", "finite"),
    (lambda: L.adabelief(-1.0), "adabelief", "lr", "≥ 0"),
    (lambda: L.yogi(0.1, eps=-1.0), "yogi", "eps", "≥ 0"),
    (lambda: L.lamb(0.1, weight_decay=-1.0), "lamb", "weight_decay", "≥ 0"),
    (lambda: L.lars(0.1, momentum=1.0), "lars", "momentum", "[0, 1)"),
    (lambda: L.novograd(0.1, b2=1.0), "novograd", "b2", "[0, 1)"),
    (lambda: L.adafactor(0.1, min_dim_size_to_factor=0), "adafactor", "min_dim_size_to_factor",
     "> 0"),
    (lambda: L.adadelta(0.1, rho=1.0), "adadelta", "rho", "[0, 1)"),
    (lambda: L.rprop(0.1, eta_plus=0.0), "rprop", "eta_plus", "> 0"),
    (lambda: L.signum(0.1, beta=1.5), "signum", "beta", "[0, 1)"),
    (lambda: L.fromage(0.1, min_norm=-1.0), "fromage", "min_norm", "≥ 0"),
    (lambda: L.noisy_sgd(0.1, eta=-1.0), "noisy_sgd", "eta", "≥ 0"),
    (lambda: L.adan(0.1, b3=1.0), "adan", "b3", "[0, 1)"),
    (lambda: L.schedule_free_sgd(0.1, b1=0.0), "schedule_free", "b1", "> 0"),
    (lambda: L.clip(-1.0), "clip", "max_delta", "≥ 0"),
    (lambda: L.scale(float("inf")), "scale", "step", "finite"),
    (lambda: L.multi_steps(L.sgd(0.1), 0), "multi_steps", "every_k", "> 0"),
    (lambda: L.rmsprop(0.1, momentum=1.0), "rmsprop", "momentum", "[0, 1)"),
]

MISUSE = [(f"hyper: {owner}.{name} ({i})", (lambda d, call=call: call()), BadHyperparameter,
           [f"{owner}: {name} must be", words])
          for i, (call, owner, name, words) in enumerate(HYPER)] + [
    # -- assembling a learner from the wrong parts -------------------------------------
    ("supervised: learning_rate a float", lambda d: L.supervised(
        MODEL, CE, L.sgd(0.1), learning_rate=0.1), BadObject,
     ["learning_rate must be a Rate", "descent(0.1)", "got 0.1 (float)"]),
    ("supervised: optimiser a float", lambda d: L.supervised(MODEL, CE, 0.1), BadObject,
     ["the params port takes an optimiser", "got 0.1"]),
    ("assemble: a port given a string", lambda d: L.assemble(MODEL, CE, inputs="data"),
     BadObject, ["the inputs port takes an optimiser", "DATA or FIXED", "got 'data' (str)"]),
    ("assemble: init without a held port", lambda d: L.dream(MODEL, CE, L.sgd(0.1)).init(
        inputs=np.ones(4, np.float32)), BadPoint,
     ["init takes the starting point of each held port", "('params', 'inputs')", "['inputs']"]),
    ("assemble: step given too many data", lambda d: ONE.step(S1, XS[0], YS[0], YS[0]),
     BadPoint, ["step takes the state and a point of each data port", "('inputs', 'targets')",
                "got 3"]),
    ("fit: a batch of dreams shuffled", lambda d: L.fit(
        L.dream(MODEL, CE, L.sgd(0.1), batch_size=2), L.dream(MODEL, CE, L.sgd(0.1),
        batch_size=2).init(params=P, inputs=np.ones((2, 4), np.float32)), YS[:2], epochs=1,
        key=jax.random.key(0)), BadPoint,
     ["holds a batch of inputs", "batch_size=2", "shuffle=False"]),
    ("supervised: loss of the wrong object", lambda d: L.supervised(
        MODEL, L.quadratic(X4), L.sgd(0.1)), NotComposable,
     ["dense(4→3) >> quadratic", "f32[3]", "f32[4]"]),
    ("supervised: model not a Para map", lambda d: L.supervised(
        smooth.sin(X4), L.quadratic(X4), L.sgd(0.1)), NotComposable,
     ["the model must be a Para map", "sin (Smooth)", "Para.lift"]),
    ("supervised: loss not a Para map", lambda d: L.supervised(MODEL, smooth.sum(Y3), L.sgd(0.1)),
     NotComposable, ["the loss must be a Para map", "sum"]),
    ("dream: model not a Para map", lambda d: L.dream(smooth.sin(X4), CE, L.sgd(0.1)),
     NotComposable, ["dream: the model must be a Para map", "sin"]),
    ("batch: not a Para map", lambda d: L.batch(smooth.sin(X4), 4), NotComposable,
     ["batch: the f must be a Para map", "sin"]),
    ("chain: nothing", lambda d: L.chain(), NotComposable, ["needs at least an optimiser"]),
    ("chain: not an optimiser", lambda d: L.chain(L.adam(0.1), 0.1), NotComposable,
     ["every part must be an optimiser", "got 0.1 (float)"]),
    ("masked: not booleans", lambda d: L.masked(L.sgd(0.1), {"w": 1}), BadObject,
     ["pytree of Python booleans"]),
    ("as_optax: not an optimiser", lambda d: L.as_optax(0.1), BadObject,
     ["as_optax: expected an Optimiser"]),
    ("as_optax: a look-ahead without an optax form", lambda d: L.as_optax(
        L.nesterov(0.1, paper_sign=True)), NotComposable, ["look-ahead get"]),
    ("from_optax: not optax", lambda d: L.from_optax(3), BadObject,
     ["from_optax: expected an optax GradientTransformation", "got 3 (int)"]),
    # -- losses on objects they cannot measure -----------------------------------------
    ("quadratic: a record", lambda d: L.quadratic(Record(a=X4)), BadObject,
     ["quadratic: expected an ArrayType", "Record"]),
    ("binary_cross_entropy: a record", lambda d: L.binary_cross_entropy(Record(a=X4)),
     BadObject, ["binary_cross_entropy: expected an ArrayType", "Record"]),
    ("softmax_cross_entropy: integer logits", lambda d: L.softmax_cross_entropy(
        ArrayType((3,), "int32")), BadObject,
     ["softmax_cross_entropy: predictions must be floating point", "int32", "one_hot"]),
    ("softmax_cross_entropy: a scalar", lambda d: L.softmax_cross_entropy(ArrayType(())),
     BadObject, ["softmax_cross_entropy: expected logits with a class axis", "f32[]"]),
    ("mean_absolute: integer", lambda d: L.mean_absolute(ArrayType((2,), "int32")), BadObject,
     ["mean_absolute: predictions must be floating point", "int32"]),
    ("loss called on the wrong shape", lambda d: L.quadratic(Y3)(
        np.zeros(4, np.float32), np.zeros(3, np.float32)), BadPoint,
     ["quadratic: parameters", "expected f32[3]", "(4,)"]),
    # -- step, predict, init, dream on the wrong data ---------------------------------
    ("step: label of shape (1,)", lambda d: ONE.step(S1, XS[0], np.ones(1, np.float32)),
     BadPoint, ["softmax_cross_entropy: step target y", "expected f32[3]", "(1,)"]),
    ("step: an integer label", lambda d: ONE.step(S1, XS[0], np.int32(1)), BadPoint,
     ["step target y", "expected f32[3]", "shape ()", "int32"]),
    ("step: int32 inputs", lambda d: ONE.step(S1, np.ones(4, np.int32), YS[0]), BadPoint,
     ["dense(4→3): step input x", "expected f32[4]", "int32", "astype('float32')"]),
    ("step: a batch to a one-example learner", lambda d: ONE.step(S1, XS, YS), BadPoint,
     ["step input x", "expected f32[4]", "(10, 4)"]),
    ("step: a batch of the wrong size", lambda d: EIGHT.step(S8, XS[:5], YS[:5]), BadPoint,
     ["step input x", "expected f32[8,4]", "(5, 4)"]),
    ("step: keep= on a one-example learner", lambda d: ONE.step(
        S1, XS[0], YS[0], keep=np.ones(1, bool)), BadPoint, ["keep= masks rows of a batch",
                                                             "batch_size=None"]),
    ("predict: one example without its batch axis", lambda d: ONE.predict(P, XS[0]), BadPoint,
     ["predict inputs: got one example of f32[4]", "pass x[None]"]),
    ("fit: one example for a data set", lambda d: fit8(x=XS[0], y=YS[0]), BadPoint,
     ["inputs x: got one example of f32[4]", "pass x[None]"]),
    ("predict: the wrong width", lambda d: ONE.predict(P, np.ones((3, 5), np.float32)),
     BadPoint, ["predict inputs", "expected f32[3,4]", "(3, 5)"]),
    ("init: transposed weights", lambda d: ONE.init(
        {"weight": jnp.zeros((4, 3)), "bias": jnp.zeros(3)}), BadPoint,
     ["dense(4→3): parameters", "['weight']", "expected f32[3,4]", "(4, 3)"]),
    ("dream: an input of the wrong shape", lambda d: L.dream(MODEL, CE, L.sgd(0.1)).init(
        params=P, inputs=np.ones(5, np.float32)), BadPoint,
     ["dense(4→3): input", "expected f32[4]", "(5,)"]),
    ("dream: a target of the wrong shape", lambda d: (lambda step, s: step(
        s, np.ones(5, np.float32)))(*dreamer()), BadPoint,
     ["softmax_cross_entropy: step target y", "expected f32[3]", "(5,)"]),
    ("dream: parameters of the wrong shape", lambda d: L.dream(MODEL, CE, L.sgd(0.1)).init(
        params={"weight": jnp.zeros((3, 5)), "bias": jnp.zeros(3)}, inputs=XS[0]), BadPoint,
     ["dense(4→3): parameters", "expected f32[3,4]", "(3, 5)"]),
    ("accuracy: lengths differ", lambda d: L.accuracy(np.ones((5, 3)), np.ones((4, 3))),
     BadPoint, ["accuracy: 5 predictions but 4 labels"]),
    # -- fit ------------------------------------------------------------------------
    ("fit: integer labels for a one-hot loss", lambda d: fit8(y=np.arange(10) % 3), BadPoint,
     ["softmax_cross_entropy: targets y", "expected f32[10,3]", "(10,)"]),
    ("fit: inputs of the wrong width", lambda d: fit8(x=np.ones((10, 5), np.float32)),
     BadPoint, ["dense(4→3): inputs x", "expected f32[10,4]", "(10, 5)"]),
    ("fit: int32 inputs", lambda d: fit8(x=np.ones((10, 4), np.int32)), BadPoint,
     ["inputs x", "dtype mismatch", "int32"]),
    ("fit: lengths differ", lambda d: fit8(y=YS[:9]), BadPoint,
     ["same number of examples", "10 inputs and 9 targets"]),
    ("fit: NaN inputs", lambda d: fit8(x=XS * np.nan), BadPoint, ["fit: x contains NaN or Inf"]),
    ("fit: no key to shuffle with", lambda d: L.fit(EIGHT, S8, XS, YS, epochs=1), BadPoint,
     ["shuffling needs key=", "shuffle=False"]),
    ("fit: an order of the wrong length", lambda d: fit8(order=np.arange(9)), BadPoint,
     ["order of epoch 0 must be 10 integer indices", "(9,)"]),
    ("fit: an order out of range", lambda d: fit8(order=np.arange(10) + 5), BadPoint,
     ["index outside [0, 10)", "14"]),
    ("fit: an order table of the wrong height", lambda d: fit8(
        order=np.tile(np.arange(10), (3, 1)), epochs=2), BadPoint,
     ["one per epoch, (2, 10)", "(3, 10)"]),
    ("fit: float order", lambda d: fit8(order=np.arange(10) * 1.0), BadPoint,
     ["10 integer indices", "float64"]),
    ("fit: unknown divergence option", lambda d: fit8(divergence="warn"), BadPoint,
     ["'stop', 'raise' or 'ignore'", "'warn'"]),
    ("fit: a state of another optimiser", lambda d: L.fit(
        EIGHT, L.supervised(MODEL, CE, L.adam(0.1), batch_size=8).init(P), XS, YS, epochs=1,
        key=KEY), BadPoint, ["sgd(lr=0.1): state.opt_state", "CountState", "AdamState"]),
    ("fit: drop_remainder with too few examples", lambda d: L.fit(
        L.supervised(MODEL, CE, L.sgd(0.1), batch_size=32), S8, XS, YS, epochs=1, key=KEY,
        drop_remainder=True), BadPoint, ["10 examples cannot fill one batch of 32"]),
    # -- data -----------------------------------------------------------------------
    ("one_hot: a label past the classes", lambda d: data.one_hot(np.array([0, 3]), 3), BadPoint,
     ["labels must lie in [0, 3)", "[0, 3]"]),
    ("one_hot: negative labels", lambda d: data.one_hot(np.array([-1, 0]), 3), BadPoint,
     ["[0, 3)", "[-1, 0]"]),
    ("one_hot: float labels", lambda d: data.one_hot(np.array([0.5, 1.0]), 3), BadPoint,
     ["labels must be integers", "float64"]),
    ("train_test_split: lengths differ", lambda d: data.train_test_split(XS, YS[:5], 0.2),
     BadPoint, ["x has 10 examples but y has 5"]),
    ("check_dataset: NaN", lambda d: data.check_dataset(XS * np.nan, YS), BadPoint,
     ["x contains NaN or Inf"]),
    ("check_dataset: labels past the classes", lambda d: data.check_dataset(
        XS, np.arange(10), classes=3), BadPoint, ["labels must lie in [0, 3)", "[0, 9]"]),
    ("load_iris: unknown variant", lambda d: data.load_iris("UCI"), BadObject,
     ["'sklearn' or 'uci'", "'UCI'"]),
    ("load_idx: missing file", lambda d: data.load_idx(os.path.join(d, "nope.idx")), BadFile,
     ["cannot read", "nope.idx"]),
    ("load_idx: bad magic", lambda d: data.load_idx(written(d, "m.idx", b"\x01\x00\x08\x01")),
     BadFile, ["m.idx is not an IDX file"]),
    ("load_idx: a header of 8e28 bytes", lambda d: data.load_idx(written(
        d, "h.idx", b"\x00\x00\x08\x03" + b"\xff" * 12 + bytes(5))), BadFile,
     ["holds 5 bytes of data", "(4294967295, 4294967295, 4294967295)"]),
    ("batched: a category without stacked batches", lambda d: ReverseDerivativeCategory.batched(
        CIRCUIT, Bits(1), 2), MissingStructure, ["Circuit has no batches", "override batched"]),
    # -- freezing and tying parameters: the first tries, and names the model lacks ------
    ("reparam along the constant of a layer's dict", lambda d: MODEL.reparam(
        smooth.constant(P)), BadPoint,
     ["constant: the value must be one array", "a dict with keys ['bias', 'weight']",
      "freeze_params(model, params, *names)"]),
    ("reparam along the constant of one leaf", lambda d: MODEL.reparam(
        smooth.constant(P["weight"])), NotComposable,
     ["f32[3,4] ≠ the parameter object {bias: f32[3], weight: f32[3,4]}",
      "freeze_params(model, params, 'weight')"]),
    ("freeze_params: an unknown name", lambda d: freeze_params(MODEL, P, "dense_0"), BadObject,
     ["no parameter named 'dense_0'", "'bias', 'weight'"]),
    ("tie_params: parameters of different objects", lambda d: tie_params(
        MODEL, P, "weight", "bias"), NotComposable,
     ["cannot tie 'weight' (weight: f32[3,4]) with 'bias' (bias: f32[3])"]),
    # -- values are immutable ----------------------------------------------------------
    ("set an attribute of a smooth map", lambda d: setattr(smooth.sin(X4), "name", "cos"),
     Immutable, ["smooth maps are immutable", "cannot set name = 'cos' on sin"]),
    ("set an attribute of a Para map", lambda d: setattr(MODEL, "param", X4), Immutable,
     ["Para morphisms are immutable", "cannot set param", "dense(4→3)"]),
    ("set an attribute of a lens", lambda d: setattr(as_lens(smooth.sin(X4)), "get", None),
     Immutable, ["lenses are immutable", "cannot set get = None"]),
    ("set an attribute of a circuit", lambda d: setattr(gates.xor(), "net", None), Immutable,
     ["circuits are immutable", "cannot set net = None on xor"]),
    ("polynomial of a batched circuit", lambda d: oracle.polynomial(CIRCUIT.batch(
        gates.and_(), Bits(1), 2).rd()), BadObject,
     ["R[batch(and, 2)] is batched (it has parity gates)", "no single polynomial"]),
    # -- checkpoints -------------------------------------------------------------------
    ("save: a Python object leaf", lambda d: L.save(os.path.join(d, "c.npz"), {"a": object()}),
     BadPoint, ["leaf ['a'] (type object", "not a numeric or bool array", "nothing was written"]),
    ("save: a string leaf", lambda d: L.save(os.path.join(d, "c.npz"), {"a": "adam"}),
     BadPoint, ["leaf ['a'] (type str", "not a numeric or bool array"]),
    ("save: into a missing folder", lambda d: L.save(os.path.join(d, "no", "c.npz"),
                                                    {"a": np.ones(2)}),
     BadFile, ["cannot write a checkpoint into", "No such file or directory", "c.npz"]),
    ("load: a missing file", lambda d: L.load(os.path.join(d, "none.npz"), like={"a": XS}),
     BadPoint, ["none.npz is not a readable checkpoint"]),
    ("load: not a checkpoint", lambda d: L.load(written(d, "t.npz", b"hello"), like={"a": XS}),
     BadPoint, ["t.npz is not a readable checkpoint", "not a zip file"]),
    ("load: another shape", lambda d: L.load(saved(d, "s.npz", {"a": np.ones(2, np.float32)}),
                                             like={"a": np.ones(3, np.float32)}),
     BadPoint, ["does not match the state", "['a']: stored float32[2], expected float32[3]"]),
    ("load: another dtype", lambda d: L.load(saved(d, "s.npz", {"a": np.ones(2, np.float32)}),
                                             like={"a": np.ones(2, np.int32)}),
     BadPoint, ["['a']: stored float32[2], expected int32[2]"]),
    ("load: another structure", lambda d: L.load(
        saved(d, "s.npz", {"a": np.ones(2, np.float32)}), like={"b": np.ones(2, np.float32)}),
     BadPoint, ["missing ['b']", "unexpected ['a']"]),
]

TRACED_BY_THE_USER = {"call-shape-jit", "jit float", "jit width"}


def _rows():
    here = [(f"learners: {i}", t, e, w) for i, t, e, w in MISUSE]
    errors = [(f"composition: {i}", (lambda d, t=t: t()), e, r) for i, t, e, r in test_errors.MISUSE]
    circuits = [(f"circuits: {i}", (lambda d, t=t: t()), e, w)
                for i, t, e, w in test_circuit_validation.MISUSE]
    return here + errors + circuits


@pytest.fixture
def full_tracebacks():
    """JAX trims its own frames from tracebacks; the census needs them."""
    before = jax.config.jax_traceback_filtering
    jax.config.update("jax_traceback_filtering", "off")
    yield
    jax.config.update("jax_traceback_filtering", before)


def _traced(tb) -> bool:
    """Whether JAX was tracing when the error was raised (a frame of its tracing machinery)."""
    return any(part in frame.f_code.co_filename.replace(os.sep, "/")
               for frame, _ in traceback.walk_tb(tb)
               for part in ("jax/_src/interpreters/", "jax/_src/linear_util.py", "jax/_src/pjit.py"))


@pytest.mark.parametrize("thunk, error, words", [r[1:] for r in MISUSE], ids=[r[0] for r in MISUSE])
def test_misuse_raises_a_typed_error_naming_both_sides(thunk, error, words, tmp_path):
    with pytest.raises(error) as info:
        thunk(str(tmp_path))
    assert isinstance(info.value, AxiomError)
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


def test_census_every_misuse_is_a_typed_error_raised_before_tracing(tmp_path, full_tracebacks):
    """The figure of the issue, remeasured: every row of the three tables (at least 150)
    gives one of paralens's own errors before anything is traced."""
    rows = _rows()
    untyped, traced = [], []
    for i, (name, thunk, _, _) in enumerate(rows):
        folder = tmp_path / str(i)
        folder.mkdir()
        try:
            thunk(str(folder))
        except AxiomError as err:
            if _traced(err.__traceback__) and name.split(": ", 1)[1] not in TRACED_BY_THE_USER:
                traced.append(name)
        except Exception as err:  # noqa: BLE001  (the census counts every kind)
            untyped.append(f"{name}: {type(err).__name__}: {err}")
        else:
            untyped.append(f"{name}: accepted silently")
    assert len(rows) >= 150, len(rows)
    assert not untyped, "\n".join(untyped)
    assert not traced, traced
    print(f"\nmisuse census: {len(rows)} rows, {len(rows) - len(TRACED_BY_THE_USER)} typed "
          f"build-time errors, {len(TRACED_BY_THE_USER)} raised in the user's own trace")


def test_the_census_sees_tracing(full_tracebacks):
    """The detector can fail: an error raised inside a jitted function is seen as traced."""
    def bad(x):
        raise BadPoint("inside")
    with pytest.raises(BadPoint) as info:
        jax.jit(bad)(jnp.zeros(2))
    assert _traced(info.value.__traceback__)
    with pytest.raises(BadPoint) as info:
        bad(0)
    assert not _traced(info.value.__traceback__)
