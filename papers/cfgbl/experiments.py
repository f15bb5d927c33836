"""CFGBL (Cruttwell et al., ESOP 2022) experiments: the convolutional network and deep
dreaming, as closed parametric lenses (theory §4, §5); Iris is in :mod:`.iris`."""

from __future__ import annotations

import os
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from categories import ArrayType, BadFile, layers, smooth
from diagrams import draw
from lenses import as_lens
from learners import (accuracy, adam, ascent, descent, dot, dream, fit, gradient, momentum,
                      quadratic, softmax_cross_entropy, supervised)
from learners import data

from .._runner import Result, with_budget, write_atomically


def digits_cnn_model(image: tuple[int, int]):
    """CFGBL's MNIST network. On 28×28 inputs it is the original: conv 3×3 1→3, relu,
    max-pool 2, conv 4×4 3→5, relu, max-pool 2, flatten (125), dense 10 sigmoid. On the
    8×8 digits the first pooling is dropped and the second kernel is 3×3, so sizes go
    8 → 6 → 4 → 2 and 20 features reach the dense layer."""
    h, w = image
    x = ArrayType((h, w, 1))
    first = layers.conv2d(x, (3, 3), 3)
    stages = [first, smooth.relu(first.cod)]
    if h >= 28:
        stages.append(smooth.max_pool2d(first.cod))
    second = layers.conv2d(stages[-1].cod, (4, 4) if h >= 28 else (3, 3), 5)
    pool = smooth.max_pool2d(second.cod)
    flat = smooth.flatten(pool.cod)
    model = stages[0]
    for stage in stages[1:] + [second, smooth.relu(second.cod), pool, flat,
                               layers.dense(flat.cod.shape[0], 10, smooth.sigmoid)]:
        model = model >> stage
    return model


def _cnn(x, labels, x_test, labels_test, image, epochs: int, quick: bool, drawing: Path
         ) -> Result:
    model = digits_cnn_model(image)
    learner = supervised(model, quadratic(ArrayType((10,))), momentum(1.0, 0.1), descent(0.01))
    draw(learner).save(drawing)
    predict = jax.jit(learner.predict)
    score = lambda p: accuracy(predict(p, x_test), labels_test)  # noqa: E731
    # compiled: one program draws every kernel, where eagerly each shape compiles its own
    state = learner.init(jax.jit(model.init)(jax.random.key(0)))
    state, history = fit(learner, state, x, data.one_hot(labels, 10), epochs=epochs,
                         key=jax.random.key(1), metrics={"test accuracy": score}, progress=False)
    budget = f"{epochs} epoch{'s' * (epochs != 1)}"
    return Result(score(state.params), None, "CFGBL reports no number",
                  {"training loss": history["loss"], "test accuracy": history["test accuracy"]},
                  budget=f"{budget} on {len(x)} images" if quick else budget)


def digits_cnn(*, quick: bool, out: Path, options: dict) -> Result:
    """The MNIST CNN adapted to the bundled 8×8 digits: MSE, momentum 0.1 with cap
    −0.01, batch 1, test accuracy on a 20% split. 1,437 training images instead of
    60,000, so 40 epochs (57k steps) instead of 4 (240k)."""
    x, labels = data.load_digits()
    x = (x / 16.0).reshape(-1, 8, 8, 1).astype(np.float32)
    x_train, y_train, x_test, y_test = data.train_test_split(x, labels, 0.2, seed=0)
    if quick:
        x_train, y_train = x_train[:200], y_train[:200]
    return _cnn(x_train, y_train, x_test, y_test, (8, 8), 1 if quick else 40, quick,
                out / "cfgbl.digits_cnn.learner.svg")


def mnist_cnn(*, quick: bool, out: Path, options: dict) -> Result:
    """The original network on real MNIST, when ``--mnist DIR`` (or ``PARALENS_MNIST``)
    points at the four IDX files."""
    folder = options.get("mnist") or os.environ.get("PARALENS_MNIST")
    if not folder:
        return Result(None, None, "", note="skipped: pass --mnist DIR with the IDX files")
    load = lambda name: data.load_idx(_find(Path(folder), name))  # noqa: E731
    x, y = load("train-images-idx3-ubyte"), load("train-labels-idx1-ubyte").astype(np.int32)
    xt, yt = load("t10k-images-idx3-ubyte"), load("t10k-labels-idx1-ubyte").astype(np.int32)
    x = (x / 255.0).reshape(-1, 28, 28, 1).astype(np.float32)
    xt = (xt / 255.0).reshape(-1, 28, 28, 1).astype(np.float32)
    if quick:
        x, y = x[:1000], y[:1000]
    return _cnn(x, y, xt, yt, (28, 28), 1 if quick else 4, quick,
                out / "cfgbl.mnist_cnn.learner.svg")


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).exists():
            return folder / name
    raise BadFile(f"no {stem}[.gz] in {folder}: the MNIST experiments need the four IDX "
                  f"files there (--mnist DIR)")


def deep_dream(*, quick: bool, out: Path, options: dict) -> Result:
    """Deep dreaming (CFGBL §4.2, Ex. 4.5): train the digits MLP, then learn one input per
    class by gradient ascent of the dot loss ``b_t · f(p, a)`` with a one-hot ``b_t``;
    reports the fraction of dreamed images the model assigns to their class and saves
    them as ``deep_dream.png``."""
    x, labels = data.load_digits()
    x, mean, std = data.standardise(x)
    model = layers.dense(64, 128, smooth.relu) >> layers.dense(128, 10)
    learner = supervised(model, softmax_cross_entropy(ArrayType((10,))), adam(1e-3),
                         batch_size=64)
    epochs, steps = (3, 20) if quick else (10, 200)
    state, _ = fit(learner, learner.init(model.init(jax.random.key(0))), x,
                   data.one_hot(labels, 10), epochs=epochs, key=jax.random.key(1),
                   progress=False)
    # all ten dreams at once: a batch of inputs, one per class; the cap of a batch is
    # that of its mean, so ascent(10 × 0.05) steps each input by 0.05 R[f]
    dreamer = dream(model, dot(ArrayType((10,))), gradient(), ascent(0.5), batch_size=10)
    # CFGBL's figures from this model: Para composite, parametric lens, Figs. 6 and 7
    draw(model).save(out / "cfgbl.deep_dream.model.svg")
    draw(as_lens(model)).save(out / "cfgbl.deep_dream.lens.svg")
    draw(learner).save(out / "cfgbl.deep_dream.classifier.svg")
    draw(dreamer).save(out / "cfgbl.deep_dream.dreamer.svg")
    s = dreamer.init(params=state.params, inputs=jnp.zeros((10, 64)))
    s, _ = fit(dreamer, s, jnp.eye(10), epochs=steps, shuffle=False, progress=False)
    dreams = np.asarray(s.params["inputs"])
    scores = learner.predict(state.params, dreams)
    hits = accuracy(scores, np.arange(10))
    budget = f"MLP {epochs} epochs, {steps} ascent steps"
    title = with_budget("Inputs dreamed per class: digits MLP 64→128→10 (Adam 1e-3, batch 64), "
                        "then gradient ascent of the dot loss, step 0.05", budget, quick=quick)
    probability = np.asarray(jax.nn.softmax(scores))[np.arange(10), np.arange(10)]
    write_atomically(out / "deep_dream.png",
                     lambda f: _draw_dreams(dreams * std + mean, probability, title, f))
    return Result(hits, None, "the paper shows no images",
                  note=f"{round(hits * 10)}/10 classified as their digit; images: deep_dream.png",
                  budget=budget)


def _draw_dreams(images: np.ndarray, probability: np.ndarray, title: str, file) -> None:
    """The ten dreamed inputs on one grey scale, in the digits' pixel units (0 to 16 in
    the data; a dream may go beyond), each titled with the model's probability of the
    class it was dreamed for."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 5, figsize=(9, 4.4), layout="constrained")
    low, high = float(images.min()), float(images.max())
    for digit, (ax, image) in enumerate(zip(axes.flat, images)):
        shown = ax.imshow(image.reshape(8, 8), cmap="gray", vmin=low, vmax=high)
        ax.set_title(f"class {digit}: p = {probability[digit]:.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=axes, shrink=0.8, label="pixel value (the digits' 0–16 scale)")
    fig.suptitle(title, fontsize=9, wrap=True)
    fig.savefig(file, format="png", dpi=100)
    plt.close(fig)
