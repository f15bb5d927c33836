"""Every reproduction ``python -m papers`` knows, in the order it runs them."""

from __future__ import annotations

from functools import partial

from ._runner import Experiment, Figure
from .cfgbl import experiments as cfgbl
from .cfgbl import iris
from .gan import experiments as gan
from .optimisers import experiments as optimisers
from .rda import experiments as rda

CFGBL = "Cruttwell et al. 2022, Categorical Foundations of Gradient-Based Learning"
RDA = "Wilson & Zanasi 2020, Reverse Derivative Ascent"
OPT = "CFGBL §3.4: optimisers as lenses"
GAN = "CFGBL §7 and footnote 7: GANs as parametric lenses (future work there)"

IRIS = Figure("cfgbl.iris", "Iris (UCI), quadratic error, SGD 0.01 (gradient update, cap −0.01), "
                            "batch 1: JAX keys and the reference code's random stream")
STREAMS = {"": ("JAX keys", iris.jax_keys),
           ".reference": ("the reference code's numpy stream", iris.reference)}
OPTIMISERS = Figure("optimisers", f"Optimisers as lenses: {optimisers.SETUP}")
GANS = Figure("gan", "GANs on eight Gaussians on a ring: the value V(fake, real) per epoch "
                    "(batch 256, Adam 1e-3 β1 0.5 both players)")

EXPERIMENTS: list[Experiment] = [
    *(Experiment(f"cfgbl.iris.{m}{suffix}", CFGBL,
                 f"Iris, {m} model, SGD 0.01, batch 1, {stream}", "training accuracy",
                 partial(run, m), IRIS, f"{m}, {stream.removeprefix('the ')}")
      for m in iris.MODELS for suffix, (stream, run) in STREAMS.items()),
    Experiment("cfgbl.digits_cnn", CFGBL, "MNIST CNN adapted to 8×8 digits, MSE, momentum 0.1 "
               "with cap −0.01, batch 1", "test accuracy", cfgbl.digits_cnn),
    Experiment("cfgbl.mnist_cnn", CFGBL, "MNIST CNN on MNIST IDX files, MSE, momentum 0.1 with "
               "cap −0.01, batch 1", "test accuracy", cfgbl.mnist_cnn),
    Experiment("cfgbl.deep_dream", CFGBL, "deep dreaming one input per digit class",
               "dreams classified as their class", cfgbl.deep_dream),
    *(Experiment(f"rda.table1.{task}.{enc}.{variant}", RDA,
                 f"Table 1, Iris {task}, {enc} labels "
                 f"({'UCI' if variant == 'uci' else 'scikit-learn'} Iris)",
                 "test accuracy", partial(rda.table1, task, enc, variant))
      for variant in ("uci", "sklearn") for task in ("two-class", "three-class")
      for enc in ("binary", "one-hot")),
    Experiment("rda.digits01", RDA, "pseudo-linear circuit on 8×8 digits 0/1, the best "
               "validation state", "test accuracy", rda.digits01),
    Experiment("rda.mnist01", RDA, "pseudo-linear circuit on MNIST 0/1, the best validation state",
               "test accuracy", rda.mnist01),
    *(Experiment(f"gan.{kind}", GAN, f"{gan.TITLES[kind]}, eight Gaussians on a ring",
                 "fraction of the 8 modes covered", partial(gan.experiment, kind), GANS, kind)
      for kind in ("wgan", "minimax")),
    *(Experiment(f"optimisers.{name}", OPT, f"digits MLP with {call}, batch 64", "test accuracy",
                 partial(optimisers.optimiser, name), OPTIMISERS, call)
      for name, (call, _) in optimisers.OPTIMISERS.items()),
]
