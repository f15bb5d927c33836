"""Learning as lens composition: losses, learning rates, optimisers, learners, training.

Everything here speaks only the abstract interface of :mod:`categories` and
:mod:`lenses`, so one assembly trains a JAX model and a Boolean circuit alike.
"""

from ._checkpoint import load as load
from ._checkpoint import save as save
from ._learner import DreamState as DreamState
from ._learner import Learner as Learner
from ._learner import LearnerState as LearnerState
from ._learner import batch as batch
from ._learner import dream as dream
from ._learner import supervised as supervised
from ._losses import binary_cross_entropy as binary_cross_entropy
from ._losses import difference as difference
from ._losses import dot as dot
from ._losses import mean_absolute as mean_absolute
from ._losses import quadratic as quadratic
from ._losses import softmax_cross_entropy as softmax_cross_entropy
from ._optimisers import AdagradState as AdagradState
from ._optimisers import AdamState as AdamState
from ._optimisers import AdemamixState as AdemamixState
from ._optimisers import AmsgradState as AmsgradState
from ._optimisers import CountState as CountState
from ._optimisers import LionState as LionState
from ._optimisers import MomentumState as MomentumState
from ._optimisers import Optimiser as Optimiser
from ._optimisers import RmspropState as RmspropState
from ._optimisers import Transform as Transform
from ._optimisers import adagrad as adagrad
from ._optimisers import adam as adam
from ._optimisers import adamw as adamw
from ._optimisers import ademamix as ademamix
from ._optimisers import amsgrad as amsgrad
from ._optimisers import chain as chain
from ._optimisers import clip_by_global_norm as clip_by_global_norm
from ._optimisers import gradient as gradient
from ._optimisers import lion as lion
from ._optimisers import momentum as momentum
from ._optimisers import nesterov as nesterov
from ._optimisers import rmsprop as rmsprop
from ._optimisers import sgd as sgd
from ._optimisers import weight_decay as weight_decay
from ._optax import as_optax as as_optax
from ._optax import from_optax as from_optax
from ._rates import Rate as Rate
from ._rates import ascent as ascent
from ._rates import descent as descent
from ._rates import identity as identity
from ._rates import loss_scaled as loss_scaled
from ._train import Diverged as Diverged
from ._train import DivergenceWarning as DivergenceWarning
from ._train import accuracy as accuracy
from ._train import fit as fit
from . import schedules as schedules

__all__ = [
    "AdagradState", "AdamState", "AdemamixState", "AmsgradState", "CountState", "Diverged",
    "DivergenceWarning", "DreamState",
    "Learner", "LearnerState", "LionState", "MomentumState", "Optimiser", "Rate",
    "RmspropState", "Transform", "accuracy", "adagrad", "adam", "adamw", "ademamix", "amsgrad",
    "as_optax", "ascent", "batch", "binary_cross_entropy", "chain", "clip_by_global_norm",
    "descent", "difference", "dot", "dream", "fit", "from_optax", "gradient", "identity",
    "lion", "load", "loss_scaled", "mean_absolute", "momentum", "nesterov", "quadratic",
    "rmsprop", "save", "schedules", "sgd", "softmax_cross_entropy", "supervised",
    "weight_decay",
]
