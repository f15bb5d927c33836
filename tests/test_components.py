"""Every learning component in every category: built there, lawful there, or refused.

A component handed a category builds its lens from that category's own
structure, or raises :class:`MissingStructure` at build time naming itself, the
category and what it needs. For each (component, category) pair this test
builds the lens; if it builds, the lens must live in that category (its get and
put are morphisms of it) and pass the lens laws there at generated points; if
it does not, the error must be that typed one. The additive components
(``gradient()``, the ``identity()`` rate, ``difference``) must build everywhere,
and everything must build in Smooth, so a component that starts refusing
where it used to work fails here too. The categories: Smooth, Boolean circuits (Z2) and
the polynomials over Z3 of `tests/zthree.py`.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import learners as L
from categories import SMOOTH, ArrayType, MissingStructure, join
from circuits import CIRCUIT, Bits
from lenses import LensCategory, as_lens
from lenses.laws import check_lens, check_lens_category
from tests import zthree

optax = pytest.importorskip("optax")

RNG = np.random.default_rng(0)


class Setting:
    """A category with the objects and random points the table needs."""

    def __init__(self, name, category, vector, scalar, point):
        self.name, self.category, self.vector, self.scalar = name, category, vector, scalar
        self.point = point


def _floats(obj):
    return jax.tree.map(lambda s: jnp.asarray(RNG.uniform(-1, 1, s.shape), s.dtype),
                        jax.eval_shape(lambda: _zeros(obj)))


def _zeros(obj):
    from categories import zeros
    return zeros(obj)


def _bits(obj):
    from categories import factors
    fs = factors(obj)
    pts = [RNG.integers(0, 2, f.n).astype(np.uint8) for f in fs]
    return pts[0] if len(pts) == 1 else tuple(pts)


def _trits(obj):
    from categories import factors
    pts = [RNG.integers(0, 3, f.n).astype(np.int32) for f in factors(obj)]
    return pts[0] if len(pts) == 1 else tuple(pts)


SETTINGS = [
    Setting("Smooth", SMOOTH, ArrayType((3,)), ArrayType(()), _floats),
    Setting("Circuit", CIRCUIT, Bits(3), Bits(1), _bits),
    Setting("Z3", zthree.Z3, zthree.Trits(3), zthree.Trits(1), _trits),
]

OPTIMISERS = {
    "gradient": L.gradient, "sgd": lambda: L.sgd(0.1), "momentum": lambda: L.momentum(0.1),
    "nesterov": lambda: L.nesterov(0.1), "adagrad": lambda: L.adagrad(0.1),
    "rmsprop": lambda: L.rmsprop(0.1, centered=True, momentum=0.9),
    "adam": lambda: L.adam(0.1), "adamw": lambda: L.adamw(0.1), "nadam": lambda: L.nadam(0.1),
    "nadamw": lambda: L.nadamw(0.1), "amsgrad": lambda: L.amsgrad(0.1),
    "adamax": lambda: L.adamax(0.1), "adamaxw": lambda: L.adamaxw(0.1),
    "radam": lambda: L.radam(0.1), "adabelief": lambda: L.adabelief(0.1),
    "yogi": lambda: L.yogi(0.1), "lamb": lambda: L.lamb(0.1), "lars": lambda: L.lars(0.1),
    "novograd": lambda: L.novograd(0.1), "adafactor": lambda: L.adafactor(0.1),
    "adadelta": lambda: L.adadelta(0.1), "rprop": lambda: L.rprop(0.1),
    "lion": lambda: L.lion(0.1), "ademamix": lambda: L.ademamix(0.1),
    "sign_sgd": lambda: L.sign_sgd(0.1), "signum": lambda: L.signum(0.1),
    "fromage": lambda: L.fromage(0.1), "noisy_sgd": lambda: L.noisy_sgd(0.1),
    "optimistic_gradient_descent": lambda: L.optimistic_gradient_descent(0.1),
    "adan": lambda: L.adan(0.1),
    "schedule_free": lambda: L.schedule_free(L.gradient(), 0.1),
    "multi_steps": lambda: L.multi_steps(L.gradient(), 2),
    "masked": lambda: L.masked(L.gradient(), True), "freeze": lambda: L.freeze(True),
    "chain": lambda: L.chain(L.clip_by_global_norm(1.0), L.adam(0.1)),
    "from_optax": lambda: L.from_optax(optax.adam(0.1)),
}
TRANSFORMS = {"weight_decay": lambda: L.weight_decay(0.1),
              "clip_by_global_norm": lambda: L.clip_by_global_norm(1.0)}
RATES = {"descent": lambda: L.descent(0.1), "ascent": lambda: L.ascent(0.1),
         "loss_scaled": lambda: L.loss_scaled(0.1), "identity": L.identity}
LOSSES = {name: getattr(L, name) for name in
          ("quadratic", "softmax_cross_entropy", "binary_cross_entropy", "mean_absolute", "dot")}
LOSSES["difference"] = L.difference

ADDITIVE = {"gradient", "identity", "difference"}
REFUSED_BY = {"chain": "adam"}  # a chain is refused by the part that lacks structure
COMPONENTS = ([("optimiser", n) for n in OPTIMISERS] + [("transform", n) for n in TRANSFORMS]
              + [("rate", n) for n in RATES] + [("loss", n) for n in LOSSES])


def _build(kind, name, s):
    """The component's lens in ``s.category`` and a point ``a`` and change ``b'`` for it."""
    cat, P = s.category, s.vector
    if kind == "optimiser":
        opt = OPTIMISERS[name]()
        lens = opt.lens(P, cat)
        p = s.point(P)
        a = join(opt.init(p), p, opt.state_object(P), P)
        return lens, a, s.point(P)
    if kind == "transform":
        lens = TRANSFORMS[name]().lens(P, cat)
        return lens, s.point(P), s.point(P)
    if kind == "rate":
        lens = RATES[name]().cap(s.scalar, cat, step=0)
        return lens, s.point(s.scalar), ()
    loss = LOSSES[name](P, cat)
    lens = as_lens(loss.inside)
    return lens, join(s.point(P), s.point(P), P, P), s.point(loss.inside.cod)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
@pytest.mark.parametrize("kind, name", COMPONENTS, ids=[f"{k}:{n}" for k, n in COMPONENTS])
def test_component_lives_in_the_category_or_says_what_it_lacks(kind, name, setting):
    cat = setting.category
    try:
        lens, a, b_grad = _build(kind, name, setting)
    except MissingStructure as err:
        assert name not in ADDITIVE and cat is not SMOOTH, f"{name} must build in {cat!r}: {err}"
        message = str(err)
        assert f"cannot be built in {cat!r}" in message and "it needs" in message, message
        assert message.startswith(REFUSED_BY.get(name, name)), message
        return
    assert lens.get.category == cat and lens.put.category == cat, (lens.get.category, cat)
    # optax's own arithmetic mixes Python floats with int32 counts
    with jax.numpy_dtype_promotion("standard" if name == "from_optax" else "strict"):
        check_lens(lens, a, b_grad)
        lenses = LensCategory(cat)
        check_lens_category(lens, lenses.id(lens.cod), lenses.id(lens.cod), a, b_grad,
                            b_grad=b_grad)


@pytest.mark.parametrize("setting", SETTINGS[1:], ids=lambda s: s.name)
def test_the_table_has_both_outcomes(setting):
    """Refusals are exactly where structure is missing: in Circuit and Z3, every component
    that needs real arithmetic, and none of the additive ones."""
    refused = set()
    for kind, name in COMPONENTS:
        try:
            _build(kind, name, setting)
        except MissingStructure:
            refused.add(name)
    assert refused == {n for _, n in COMPONENTS} - ADDITIVE, refused


def test_a_learner_of_components_that_need_arithmetic_is_refused_when_assembled():
    from circuits import models
    model = models.lookup_table(2, 1)
    with pytest.raises(MissingStructure, match="adam cannot be built in Circuit"):
        L.supervised(model, L.difference(Bits(1), CIRCUIT), L.adam(0.1), L.identity())
    with pytest.raises(MissingStructure, match="descent rate cannot be built in Circuit"):
        L.supervised(model, L.difference(Bits(1), CIRCUIT), L.gradient(), L.descent(0.1))
