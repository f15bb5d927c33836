"""Learning as lens composition: losses, learning rates, optimisers, learners, training.

Everything here speaks only the abstract interface of :mod:`categories` and
:mod:`lenses`, so one assembly trains a JAX model and a Boolean circuit alike.
"""

from ._adafactor import adafactor as adafactor
from ._adam import adabelief as adabelief
from ._adam import adam as adam
from ._adam import adamax as adamax
from ._adam import adamaxw as adamaxw
from ._adam import adamw as adamw
from ._adam import adan as adan
from ._adam import ademamix as ademamix
from ._adam import amsgrad as amsgrad
from ._adam import lamb as lamb
from ._adam import lion as lion
from ._adam import nadam as nadam
from ._adam import nadamw as nadamw
from ._adam import novograd as novograd
from ._adam import radam as radam
from ._adam import yogi as yogi
from ._checkpoint import load as load
from ._checkpoint import save as save
from ._combinators import chain as chain
from ._combinators import clip as clip
from ._combinators import clip_by_global_norm as clip_by_global_norm
from ._combinators import freeze as freeze
from ._combinators import masked as masked
from ._combinators import multi_steps as multi_steps
from ._combinators import scale as scale
from ._combinators import schedule_free as schedule_free
from ._combinators import schedule_free_adamw as schedule_free_adamw
from ._combinators import schedule_free_sgd as schedule_free_sgd
from ._combinators import weight_decay as weight_decay
from ._gan import clip_weights as clip_weights
from ._gan import gan as gan
from ._gan import minimax as minimax
from ._gan import wasserstein as wasserstein
from ._learner import DATA as DATA
from ._learner import FIXED as FIXED
from ._learner import Learner as Learner
from ._learner import adversarial as adversarial
from ._learner import assemble as assemble
from ._learner import LearnerState as LearnerState
from ._learner import batch as batch
from ._learner import dream as dream
from ._learner import learn_targets as learn_targets
from ._learner import supervised as supervised
from ._losses import binary_cross_entropy as binary_cross_entropy
from ._losses import difference as difference
from ._losses import dot as dot
from ._losses import hinge as hinge
from ._losses import mean_absolute as mean_absolute
from ._losses import quadratic as quadratic
from ._losses import softmax_cross_entropy as softmax_cross_entropy
from ._optax import as_optax as as_optax
from ._optax import from_optax as from_optax
from ._optimiser import Optimiser as Optimiser
from ._optimiser import Transform as Transform
from ._optimiser import gradient as gradient
from ._optimiser import rule as rule
from ._rates import Rate as Rate
from ._rates import ascent as ascent
from ._rates import descent as descent
from ._rates import identity as identity
from ._rates import loss_scaled as loss_scaled
from ._rules import adadelta as adadelta
from ._rules import adagrad as adagrad
from ._rules import fromage as fromage
from ._rules import lars as lars
from ._rules import momentum as momentum
from ._rules import nesterov as nesterov
from ._rules import noisy_sgd as noisy_sgd
from ._rules import optimistic_gradient_descent as optimistic_gradient_descent
from ._rules import rmsprop as rmsprop
from ._rules import rprop as rprop
from ._rules import sgd as sgd
from ._rules import sign_sgd as sign_sgd
from ._rules import signum as signum
from ._shard import Placement as Placement
from ._shard import data_parallel as data_parallel
from ._shard import shard_step as shard_step
from ._states import AdadeltaState as AdadeltaState
from ._states import AdafactorState as AdafactorState
from ._states import AdagradState as AdagradState
from ._states import AdamState as AdamState
from ._states import AdanState as AdanState
from ._states import AdemamixState as AdemamixState
from ._states import AmsgradState as AmsgradState
from ._states import CountState as CountState
from ._states import LionState as LionState
from ._states import MomentumState as MomentumState
from ._states import MultiStepsState as MultiStepsState
from ._states import NoiseState as NoiseState
from ._states import OptimisticState as OptimisticState
from ._states import RmspropState as RmspropState
from ._states import RpropState as RpropState
from ._states import ScheduleFreeState as ScheduleFreeState
from ._states import SignumState as SignumState
from ._train import Diverged as Diverged
from ._train import DivergenceWarning as DivergenceWarning
from ._train import accuracy as accuracy
from ._train import fit as fit
from . import backprop as backprop
from . import schedules as schedules

__all__ = [
    "AdadeltaState", "AdafactorState", "AdagradState", "AdamState", "AdanState", "AdemamixState",
    "AmsgradState", "CountState", "DATA", "Diverged", "DivergenceWarning", "FIXED", "Learner",
    "LearnerState", "LionState", "MomentumState", "MultiStepsState", "NoiseState", "Optimiser",
    "OptimisticState", "Placement", "Rate", "RmspropState", "RpropState", "ScheduleFreeState",
    "SignumState", "Transform", "accuracy", "adabelief", "adadelta", "adafactor", "adagrad",
    "adam", "adamax", "adamaxw", "adamw", "adan", "ademamix", "adversarial", "amsgrad", "as_optax",
    "ascent", "assemble", "backprop", "batch", "binary_cross_entropy", "chain", "clip",
    "clip_by_global_norm", "clip_weights", "data_parallel", "descent", "difference", "dot",
    "dream", "fit", "freeze", "from_optax", "fromage", "gan", "gradient", "hinge", "identity",
    "lamb", "lars", "learn_targets", "lion", "load", "loss_scaled", "masked", "mean_absolute",
    "minimax", "momentum", "multi_steps", "nadam", "nadamw", "nesterov", "noisy_sgd", "novograd",
    "optimistic_gradient_descent", "quadratic", "radam", "rmsprop", "rprop", "rule", "save",
    "scale", "schedule_free", "schedule_free_adamw", "schedule_free_sgd", "schedules", "sgd",
    "shard_step", "sign_sgd", "signum", "softmax_cross_entropy", "supervised", "wasserstein",
    "weight_decay", "yogi"
]
