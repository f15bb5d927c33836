"""GANs as parametric lenses: one critic scores the real and the generated sample.

A generator ``G : Z → X`` (parameters ``P_G``) and a critic ``C : X → S``
(parameters ``P_C``) make the model

    m = (G ⊗ 1_X) ; (C ⊗ C)·Δ_{P_C}  :  P_G @ P_C @ (Z @ X) → S @ S      (fake, real)

where ``·Δ`` reparametrises the two critics along the copy ``P_C → P_C @ P_C``:
one critic, whose changes from the two branches add (copy's reverse derivative
is ``+``). A loss ``V : S @ S → R`` without targets closes it, and
:func:`~learners.assemble` puts one optimiser on the parameter port that acts
on ``P_G`` and ``P_C`` separately (``masked`` pieces of a ``chain``). The cap is
``descent(1)``, so the port receives ``p' = −∇V``: the generator's optimiser takes
it as it is (descent of ``V``) and the critic's after ``scale(−1)`` (ascent):

    p_G ← p_G + U_G(−∇_{p_G} V),      p_C ← p_C + U_C(+∇_{p_C} V)

both from the same forward and backward pass (simultaneous descent-ascent).
``wasserstein`` is ``V = C(x) − C(G(z))`` (WGAN; keep the critic Lipschitz with
``clip_weights``), ``minimax`` is ``V = log σ(C(x)) + log(1 − σ(C(G(z))))``
(the original GAN's value).

Example: the critic's change is the sum over its two uses.

    >>> import jax, jax.numpy as jnp
    >>> from categories import layers
    >>> from learners import sgd
    >>> g, c = layers.linear(1, 1), layers.linear(1, 1)
    >>> learner = gan(g, c, wasserstein(c.cod), sgd(0.1), sgd(0.1))
    >>> state = learner.init(({"weight": jnp.array([[2.0]])}, {"weight": jnp.array([[1.0]])}))
    >>> z, x = jnp.array([1.0]), jnp.array([3.0])
    >>> state, v = learner.step(state, (z, x))
    >>> float(v)  # C(x) − C(G(z)) = 3 − 2
    1.0
    >>> [round(float(w["weight"][0, 0]), 3) for w in state.params]  # G: 2 + 0.1·1; C: 1 + 0.1·(3 − 2)
    [2.1, 1.1]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from categories import SMOOTH, ArrayType, NotComposable, Object, Para, factors, zeros

from . import _build as build
from . import _hyper as hyper
from ._learner import Learner, assemble
from ._combinators import chain, masked, scale
from ._optimiser import Optimiser, rule
from ._rates import descent

__all__ = ["gan", "wasserstein", "minimax", "clip_weights"]


def _value(name: str, s: Object, fn, category: Any) -> Para:
    if not isinstance(s, ArrayType):
        raise NotComposable(f"{name}: the critic's scores must be an ArrayType, got {s!r}")
    L = ArrayType((), s.dtype)
    inside = build.function(category, name, "real arithmetic", name, s @ s, L,
                            lambda fr: fn(fr[0], fr[1]))
    return Para.lift(inside)


def wasserstein(scores: Object, category: Any = SMOOTH) -> Para:
    """The WGAN value ``V(fake, real) = Σ real − Σ fake`` (the critic ascends it).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> V = wasserstein(ArrayType((1,)))
        >>> float(V((), (jnp.array([0.5]), jnp.array([2.0]))))
        1.5
    """
    return _value("wasserstein", scores, lambda f, r: jnp.sum(r) - jnp.sum(f), category)


def minimax(scores: Object, category: Any = SMOOTH) -> Para:
    """The original GAN value ``V = log σ(real) + log(1 − σ(fake))`` on logits,
    ``−softplus(−real) − softplus(fake)`` (stable; the critic ascends it).

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import ArrayType
        >>> V = minimax(ArrayType((1,)))
        >>> round(float(V((), (jnp.array([0.0]), jnp.array([0.0])))), 4)  # 2 log ½
        -1.3863
    """
    return _value("minimax", scores,
                  lambda f, r: -jnp.sum(jax.nn.softplus(-r)) - jnp.sum(jax.nn.softplus(f)),
                  category)


def clip_weights(bound: float) -> Optimiser:
    """Keep every parameter in ``[−bound, bound]`` after the step (WGAN's weight
    clipping): ``u' = clip(p + u, −c, c) − p``. Chain it after the critic's optimiser.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import SMOOTH, ArrayType
        >>> opt = clip_weights(0.5)
        >>> p = jnp.array([0.2, 0.4])
        >>> new = opt.lens(ArrayType((2,)), SMOOTH).put((p, jnp.array([0.1, 0.3])))  # p + u, clipped
        >>> [round(v, 4) for v in new.tolist()]
        [0.3, 0.5]
    """
    hyper.positive("clip_weights", "bound", bound)

    def update(s, p, u):
        return s, jax.tree.map(lambda a, b: jnp.clip(a + b, -bound, bound) - a, p, u)
    return rule("clip_weights", lambda params: (), update, bound=bound)


def _mask(param: Object, first: int) -> Any:
    """A mask over the points of ``param``, True on its first ``first`` factors."""
    point = jax.eval_shape(lambda: zeros(param))
    parts = factors(param)
    if len(parts) == 1:
        return jax.tree.map(lambda _: first > 0, point)
    return tuple(jax.tree.map(lambda _, i=i: i < first, p) for i, p in enumerate(point))


def gan(generator: Para, critic: Para, value: Para, generator_optimiser: Optimiser,
        critic_optimiser: Optimiser, *, batch_size: int | None = None) -> Learner:
    """A GAN learner: ``step(state, (z, x))`` takes noise ``z`` and a real sample ``x``.

    The state's ``params`` is the tuple of the generator's parameter factors then
    the critic's (``generator.init``'s and ``critic.init``'s, concatenated). See the
    module docstring for the lens.

    Args:
        generator: a Para map ``Z → X``.
        critic: a Para map ``X → S`` (scores).
        value: a Para map ``S @ S → L`` without parameters of ``(fake, real)``,
            such as :func:`wasserstein` or :func:`minimax`; the generator descends
            it, the critic ascends it.
        generator_optimiser, critic_optimiser: their update lenses, each given the
            change of descent of ``value`` and of ascent, respectively.
        batch_size: ``None`` for one pair per step, else ``n`` pairs.

    Raises:
        NotComposable: if the critic does not take the generator's samples, or the
            value does not take two of the critic's scores.

    Example: a batch of 4 pairs; the parameters are the generator's then the critic's.

        >>> import jax
        >>> from categories import layers, smooth
        >>> from learners import adam
        >>> g = layers.dense(2, 8, smooth.relu) >> layers.dense(8, 2)
        >>> c = layers.dense(2, 8, smooth.relu) >> layers.dense(8, 1)
        >>> learner = gan(g, c, minimax(c.cod), adam(1e-3), adam(1e-3), batch_size=4)
        >>> learner.data_ports, len(learner.model.init(jax.random.key(0)))
        (('inputs',), 4)
        >>> z, x = jax.random.normal(jax.random.key(1), (2, 4, 2))
        >>> state = learner.init(learner.model.init(jax.random.key(0)))
        >>> state, value = learner.step(state, (z, x))
        >>> int(state.step), value.shape
        (1, ())
    """
    if not isinstance(generator, Para) or not isinstance(critic, Para):
        raise NotComposable(f"gan: the generator and the critic must be Para maps, got "
                            f"{generator!r} and {critic!r}")
    if critic.dom != generator.cod:
        raise NotComposable(f"gan: the critic {critic} takes {critic.dom}, but the generator "
                            f"{generator} makes {generator.cod}")
    if not isinstance(value, Para) or value.dom != critic.cod @ critic.cod:
        raise NotComposable(f"gan: the value must be a Para map on (fake, real) scores "
                            f"{critic.cod @ critic.cod}, got {value!r}")
    cat = generator.inside.category
    both = (critic @ critic).reparam(cat.copy(critic.param), init=critic.init)
    model = (generator @ Para.lift(cat.id(generator.cod))) >> both
    k = len(factors(generator.param)) if generator.param != cat.unit else 0
    g_mask = _mask(model.param, k)
    c_mask = jax.tree.map(lambda m: not m, g_mask)
    optimiser = chain(masked(generator_optimiser, g_mask),
                      masked(chain(scale(-1.0), critic_optimiser), c_mask))
    return assemble(model, value, params=optimiser, learning_rate=descent(1.0),
                    batch_size=batch_size)
