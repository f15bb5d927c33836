"""CFGBL (Cruttwell et al., ESOP 2022) experiments: Iris, the convolutional network,
and deep dreaming, as closed parametric lenses (theory §4, §5)."""

from __future__ import annotations

import os
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax.nn import initializers

from categories import ArrayType, BadFile, layers, smooth
from learners import (accuracy, adam, ascent, descent, dot, dream, fit, gradient, momentum,
                      quadratic, softmax_cross_entropy, supervised)
from learners import data

from .._runner import Result

NORMAL = initializers.normal(0.01)  # the reference code's N(0, 0.01) weights, zero biases


def iris_model(name: str):
    """The reference code's three Iris models (theory §5.2)."""
    if name == "linear":
        return layers.linear(4, 3, init=NORMAL)
    if name == "dense":
        return layers.dense(4, 3, smooth.sigmoid, init=NORMAL)
    return layers.dense(4, 20, smooth.sigmoid, init=NORMAL) >> layers.dense(20, 3, smooth.sigmoid,
                                                                          init=NORMAL)


REFERENCE_IRIS = {"linear": 0.7067, "dense": 0.96, "hidden": 0.98}


def iris(name: str, *, quick: bool, out: Path, options: dict) -> Result:
    """Quadratic error, gradient update with cap −0.01, batch 1, shuffled, 400 epochs,
    training accuracy on all 150 rows."""
    x, labels = data.load_iris()
    model = iris_model(name)
    learner = supervised(model, quadratic(ArrayType((3,))), gradient(), descent(0.01))
    state = learner.init(model.init(jax.random.key(2)))
    state, history = fit(learner, state, x, data.one_hot(labels, 3), epochs=20 if quick else 400,
                         key=jax.random.key(3), progress=False)
    return Result(accuracy(learner.predict(state.params, x), labels), REFERENCE_IRIS[name],
                  "reference code re-run, seed 2", {"loss": history["loss"]})


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


def _cnn(x, labels, x_test, labels_test, image, epochs) -> tuple[float, list[float]]:
    model = digits_cnn_model(image)
    learner = supervised(model, quadratic(ArrayType((10,))), momentum(1.0, 0.1), descent(0.01))
    state = learner.init(model.init(jax.random.key(0)))
    state, history = fit(learner, state, x, data.one_hot(labels, 10), epochs=epochs,
                         key=jax.random.key(1), progress=False)
    return accuracy(learner.predict(state.params, x_test), labels_test), history["loss"]


def digits_cnn(*, quick: bool, out: Path, options: dict) -> Result:
    """The MNIST CNN adapted to the bundled 8×8 digits: MSE, momentum 0.1 with cap
    −0.01, batch 1, test accuracy on a 20% split. 1,437 training images instead of
    60,000, so 40 epochs (57k steps) instead of 4 (240k)."""
    x, labels = data.load_digits()
    x = (x / 16.0).reshape(-1, 8, 8, 1).astype(np.float32)
    x_train, y_train, x_test, y_test = data.train_test_split(x, labels, 0.2, seed=0)
    if quick:
        x_train, y_train = x_train[:200], y_train[:200]
    acc, curve = _cnn(x_train, y_train, x_test, y_test, (8, 8), 1 if quick else 40)
    return Result(acc, None, "CFGBL reports no number", {"loss": curve})


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
    acc, curve = _cnn(x, y, xt, yt, (28, 28), 1 if quick else 4)
    return Result(acc, None, "CFGBL reports no number", {"loss": curve})


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
    state, _ = fit(learner, learner.init(model.init(jax.random.key(0))), x,
                   data.one_hot(labels, 10), epochs=3 if quick else 10, key=jax.random.key(1),
                   progress=False)
    init, step = dream(model, dot(ArrayType((10,))), gradient(), ascent(0.05))
    step = jax.jit(step)
    dreams = []
    for digit in range(10):
        target = jax.nn.one_hot(digit, 10)
        s = init(jnp.zeros(64))
        for _ in range(20 if quick else 200):
            s, _ = step(s, state.params, target)
        dreams.append(np.asarray(s.inputs))
    dreams = np.stack(dreams)
    hits = accuracy(learner.predict(state.params, dreams), np.arange(10))
    _save_dreams(dreams * std + mean, out / "deep_dream.png")
    return Result(hits, None, "the paper shows no images", note="images: deep_dream.png")


def _save_dreams(images: np.ndarray, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
    for digit, (ax, image) in enumerate(zip(axes, images)):
        ax.imshow(image.reshape(8, 8), cmap="gray")
        ax.set_title(str(digit))
        ax.axis("off")
    fig.suptitle("inputs dreamed for each class (dot loss, gradient ascent)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
