"""WGAN and the original GAN on eight Gaussians on a ring, trained by ``fit``.

The learner is :func:`learners.gan`: generator and critic composed as Para maps,
the critic's parameters copied so one critic scores the real and the generated
sample, the generator's port updated by descent and the critic's by ascent of one
value, in one step. The data set pairs a noise vector with a real sample; ``fit``
re-pairs them every epoch by shuffling.

Quality (of ``SAMPLES`` fresh samples, none seen in training): a sample is *good*
when it lies within ``3σ`` of a mode; a mode is *covered* when at least
``COVER`` of the samples are good and nearest to it; also the mean distance of
all samples to their nearest mode.
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from categories import factors, layers, smooth
from diagrams import draw
from learners import adam, chain, clip_weights, fit, gan, minimax, wasserstein

from .._runner import Result

MODES, RADIUS, SIGMA = 8, 2.0, 0.05
SAMPLES, COVER = 2000, 20
NOISE = 2


def modes() -> np.ndarray:
    """The eight means on the circle of radius 2."""
    angles = 2 * np.pi * np.arange(MODES) / MODES
    return RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)


def ring(n: int, seed: int) -> np.ndarray:
    """``n`` samples of the mixture, each mode equally likely."""
    rng = np.random.default_rng(seed)
    centres = modes()[rng.integers(0, MODES, n)]
    return (centres + SIGMA * rng.standard_normal((n, 2))).astype(np.float32)


def quality(samples: np.ndarray) -> dict[str, float]:
    """Modes covered, fraction of good samples, mean distance to the nearest mode."""
    d = np.linalg.norm(samples[:, None, :] - modes()[None], axis=-1)
    nearest, dist = d.argmin(axis=1), d.min(axis=1)
    good = dist < 3 * SIGMA
    covered = sum(int(np.sum(good & (nearest == m)) >= COVER) for m in range(MODES))
    return {"modes": covered, "good": float(good.mean()), "distance": float(dist.mean())}


def _nets(width: int):
    generator = (layers.dense(NOISE, width, smooth.relu) >> layers.dense(width, width, smooth.relu)
                 >> layers.dense(width, 2))
    critic = (layers.dense(2, width, smooth.relu) >> layers.dense(width, width, smooth.relu)
              >> layers.dense(width, 1))
    return generator, critic


def train(kind: str, *, epochs: int, n: int = 8192, batch: int = 256, width: int = 64,
          seed: int = 0):
    """Train a ``"wgan"`` (weight clipping) or a ``"minimax"`` GAN, both players with
    Adam at β1 = 0.5; the learner, the generator, the final state and the history."""
    generator, critic = _nets(width)
    scores = critic.cod
    if kind == "wgan":
        learner = gan(generator, critic, wasserstein(scores), adam(1e-3, b1=0.5),
                      chain(adam(1e-3, b1=0.5), clip_weights(0.1)), batch_size=batch)
    else:
        learner = gan(generator, critic, minimax(scores), adam(1e-3, b1=0.5),
                      adam(1e-3, b1=0.5), batch_size=batch)
    key = jax.random.key(seed)
    params = learner.model.init(key)
    z = np.asarray(jax.random.normal(jax.random.fold_in(key, 1), (n, NOISE)))
    x = ring(n, seed)
    state, history = fit(learner, learner.init(params), (z, x), epochs=epochs,
                         key=jax.random.fold_in(key, 2), drop_remainder=True, progress=False)
    return learner, generator, state, history


def generate(generator, state, n: int, seed: int) -> np.ndarray:
    """``n`` fresh samples ``G(z)``."""
    k = len(factors(generator.param))  # the generator's factors lead the parameters
    z = jax.random.normal(jax.random.key(10_000 + seed), (n, NOISE))
    return np.asarray(jax.vmap(lambda v: generator(state.params[:k], v))(z))


TITLES = {"wgan": "WGAN (weight clipping 0.1), Adam 1e-3 β1 0.5 both players",
          "minimax": "original GAN (minimax value), Adam 1e-3 β1 0.5 both players"}


def experiment(kind: str, *, quick: bool, out: Path, options: dict) -> Result:
    """Train one GAN on the ring, measure its fresh samples, save real beside generated."""
    epochs = 2 if quick else 60
    learner, generator, state, history = train(kind, epochs=epochs, n=1024 if quick else 8192,
                                               width=16 if quick else 64)
    draw(learner).save(out / f"gan.{kind}.learner.svg")
    samples = generate(generator, state, SAMPLES, 0)
    q = quality(samples)
    _save_samples(ring(SAMPLES, 1), samples, q, f"{TITLES[kind]}, {epochs} epochs",
                  out / f"gan_{kind}.png")
    return Result(q["modes"] / MODES, None, "the papers report no GAN figures",
                  curves={"value V(fake, real)": history["loss"]}, budget=f"{epochs} epochs",
                  note=f"{q['modes']}/8 modes, {q['good']:.0%} of samples within 3σ of a mode, "
                       f"mean distance {q['distance']:.3f}; figure gan_{kind}.png")


def _save_samples(real: np.ndarray, fake: np.ndarray, q: dict, title: str, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8, 4.2), sharex=True, sharey=True)
    for ax, points, name in ((axes[0], real, "real samples"),
                             (axes[1], fake, f"generated: {q['modes']}/8 modes covered, "
                                             f"mean distance {q['distance']:.2f}")):
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4)
        ax.scatter(*modes().T, marker="x", color="black", s=30, label="mode means")
        ax.set_title(name, fontsize=9)
        ax.set_aspect("equal")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
    axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)
