"""Every reproduction ``python -m papers`` knows, in the order it runs them."""

from __future__ import annotations

from functools import partial

from ._runner import Experiment
from .cfgbl import experiments as cfgbl
from .optimisers import experiments as optimisers
from .rda import experiments as rda

CFGBL = "Cruttwell et al. 2022, Categorical Foundations of Gradient-Based Learning"
RDA = "Wilson & Zanasi 2020, Reverse Derivative Ascent"
OPT = "CFGBL §3.4: optimisers as lenses"

EXPERIMENTS: list[Experiment] = [
    *(Experiment(f"cfgbl.iris.{m}", CFGBL, f"Iris, {m} model, SGD 0.01, batch 1, 400 epochs",
                 "training accuracy", partial(cfgbl.iris, m)) for m in ("linear", "dense", "hidden")),
    Experiment("cfgbl.digits_cnn", CFGBL, "MNIST CNN adapted to 8×8 digits, 40 epochs",
               "test accuracy", cfgbl.digits_cnn),
    Experiment("cfgbl.mnist_cnn", CFGBL, "MNIST CNN on MNIST IDX files, 4 epochs",
               "test accuracy", cfgbl.mnist_cnn),
    Experiment("cfgbl.deep_dream", CFGBL, "deep dreaming one input per digit class",
               "dreams classified as their class", cfgbl.deep_dream),
    *(Experiment(f"rda.table1.{task}.{enc}.{variant}", RDA,
                 f"Table 1, Iris {task}, {enc} labels ({'UCI' if variant == 'uci' else 'scikit-learn'} Iris)",
                 "test accuracy", partial(rda.table1, task, enc, variant))
      for variant in ("uci", "sklearn") for task in ("two-class", "three-class")
      for enc in ("binary", "one-hot")),
    Experiment("rda.digits01", RDA, "pseudo-linear circuit on 8×8 digits 0/1, best of 1000 states",
               "test accuracy", rda.digits01),
    Experiment("rda.mnist01", RDA, "pseudo-linear circuit on MNIST 0/1, best of 1000 states",
               "test accuracy", rda.mnist01),
    *(Experiment(f"optimisers.{name}", OPT, f"digits MLP with {name}, batch 64, 20 epochs",
                 "test accuracy", partial(optimisers.optimiser, name))
      for name in optimisers.OPTIMISERS),
]
