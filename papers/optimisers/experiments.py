"""Optimisers as lenses: every optimiser of ``learners`` on one digits model, one
construction (CFGBL §3.4: an optimiser is a lens ``(S×P, S×P) → (P, P')``)."""

from __future__ import annotations

import functools
from pathlib import Path

import jax

from categories import ArrayType, layers, smooth
from diagrams import draw
from learners import (accuracy, adagrad, adam, adamw, ademamix, amsgrad, chain,
                      clip_by_global_norm, fit, lion, momentum, nesterov, rmsprop, sgd,
                      softmax_cross_entropy, supervised)
from learners import data

from .._runner import Result

# name ↦ (the call, as the figure's legend and the table show it; the optimiser)
OPTIMISERS = {
    "sgd": ("sgd(0.1)", lambda: sgd(0.1)),
    "momentum": ("momentum(0.05, 0.9)", lambda: momentum(0.05, 0.9)),
    "nesterov": ("nesterov(0.05, 0.9)", lambda: nesterov(0.05, 0.9)),
    "adagrad": ("adagrad(0.05)", lambda: adagrad(0.05)),
    "rmsprop": ("rmsprop(1e-3)", lambda: rmsprop(1e-3)),
    "adam": ("adam(1e-3)", lambda: adam(1e-3)),
    "adamw": ("adamw(1e-3)", lambda: adamw(1e-3)),
    "amsgrad": ("amsgrad(1e-3)", lambda: amsgrad(1e-3)),
    "lion": ("lion(1e-4)", lambda: lion(1e-4)),
    "ademamix": ("ademamix(1e-3)", lambda: ademamix(1e-3)),
    "clip+adam": ("chain(clip_by_global_norm(1.0), adam(1e-3))",
                  lambda: chain(clip_by_global_norm(1.0), adam(1e-3))),
}
SETUP = "digits MLP 64→128 relu→10, softmax cross-entropy, batch 64, 80/20 split"


def model(quick: bool = False):
    """The digits MLP; a quick run's smoke test uses one dense layer, whose training
    program compiles in two thirds of the time."""
    if quick:
        return layers.dense(64, 10)
    return layers.dense(64, 128, smooth.relu) >> layers.dense(128, 10)


@functools.cache
def _digits(quick: bool):
    """Standardised train and test digits, and the test accuracy of parameters: one
    compiled prediction shared by every optimiser."""
    x, labels = data.load_digits()
    x_train, y_train, x_test, y_test = data.train_test_split(x, labels, 0.2, seed=0)
    x_train, mean, std = data.standardise(x_train)
    x_test, _, _ = data.standardise(x_test, mean, std)
    predict = jax.jit(jax.vmap(model(quick), in_axes=(None, 0)))
    return x_train, y_train, lambda p: accuracy(predict(p, x_test), y_test)


def optimiser(name: str, *, quick: bool, out: Path, options: dict) -> Result:
    """The digits MLP trained with one optimiser; test accuracy after every epoch."""
    x_train, y_train, score = _digits(quick)
    epochs, n = (2, 256) if quick else (20, len(x_train))
    net = model(quick)
    learner = supervised(net, softmax_cross_entropy(ArrayType((10,))), OPTIMISERS[name][1](),
                         batch_size=64)
    draw(learner).save(out / f"optimisers.{name}.learner.svg")
    state = learner.init(net.init(jax.random.key(0)))
    state, history = fit(learner, state, x_train[:n], data.one_hot(y_train[:n], 10),
                         epochs=epochs, key=jax.random.key(1), metrics={"test accuracy": score},
                         progress=False)
    return Result(score(state.params), None, "",
                  {"training loss": history["loss"], "test accuracy": history["test accuracy"]},
                  budget=f"{epochs} epochs" + (f" on {n} images, dense 64→10" if quick else ""))
