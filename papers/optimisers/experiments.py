"""Optimisers as lenses: every optimiser of ``learners`` on one digits model, one
construction (CFGBL §3.4: an optimiser is a lens ``(S×P, S×P) → (P, P')``)."""

from __future__ import annotations

from pathlib import Path

import jax

from categories import ArrayType, layers, smooth
from learners import (accuracy, adagrad, adam, adamw, ademamix, amsgrad, chain,
                      clip_by_global_norm, fit, lion, momentum, nesterov, rmsprop, sgd,
                      softmax_cross_entropy, supervised)
from learners import data

from .._runner import Result

OPTIMISERS = {
    "sgd": lambda: sgd(0.1), "momentum": lambda: momentum(0.05, 0.9),
    "nesterov": lambda: nesterov(0.05, 0.9), "adagrad": lambda: adagrad(0.05),
    "rmsprop": lambda: rmsprop(1e-3), "adam": lambda: adam(1e-3), "adamw": lambda: adamw(1e-3),
    "amsgrad": lambda: amsgrad(1e-3), "lion": lambda: lion(1e-4),
    "ademamix": lambda: ademamix(1e-3),
    "clip+adam": lambda: chain(clip_by_global_norm(1.0), adam(1e-3)),
}


def optimiser(name: str, *, quick: bool, out: Path, options: dict) -> Result:
    """Digits MLP 64→128 relu→10, softmax cross-entropy, batch 64, 80/20 split."""
    x, labels = data.load_digits()
    x_train, y_train, x_test, y_test = data.train_test_split(x, labels, 0.2, seed=0)
    x_train, mean, std = data.standardise(x_train)
    x_test, _, _ = data.standardise(x_test, mean, std)
    model = layers.dense(64, 128, smooth.relu) >> layers.dense(128, 10)
    learner = supervised(model, softmax_cross_entropy(ArrayType((10,))), OPTIMISERS[name](),
                         batch_size=64)
    state = learner.init(model.init(jax.random.key(0)))
    state, history = fit(learner, state, x_train, data.one_hot(y_train, 10),
                         epochs=3 if quick else 20, key=jax.random.key(1), progress=False)
    return Result(accuracy(learner.predict(state.params, x_test), y_test), None, "",
                  {"loss": history["loss"]})
