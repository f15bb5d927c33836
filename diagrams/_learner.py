"""A closed learner as CFGBL draws it (§4, Figs. 6 and 7).

``Para(R)(model) ; Para(R)(loss) ; α``: the model and the loss as parametric
lenses, the learning rate as a cap closing the loss wire. Each of the three ports
(the model's parameters, the loss's targets, the model's inputs) is closed as
the learner says: an optimiser box sits on a learned port (its state and the
point it learns become the open wires), a data or fixed port is an open wire
in and a discarded change out.
"""

from __future__ import annotations

from typing import Any

from categories import Object, factors
from lenses import LensType, as_lens, diagonal

from ._read import Opening, discard_term, read, specs
from ._terms import Over, Par, Prim, Seq, Spec, Stack, Wires

OPTIMISER_CHARS = 24
"""Longest optimiser name drawn in full; longer reprs keep their first argument."""


def is_learner(thing: Any) -> bool:
    """Whether ``thing`` has what a learner drawing reads: model, loss, learning rate."""
    return all(hasattr(thing, k) for k in ("model", "loss", "learning_rate"))


def read_learner(learner: Any, opening: Opening) -> Any:
    """The closed learner: inputs, model (parameters on top), loss (targets on top), cap."""
    model, loss = learner.model, learner.loss
    ports = dict(getattr(learner, "ports", None) or {"params": learner.optimiser})
    batch = getattr(learner, "batch_size", None)
    P, A, Bt = model.param, model.dom, loss.param
    parts = []
    if factors(A):
        parts.append(_left_port("inputs", ports.get("inputs", "data"), A, batch))
    parts.append(_top_port("params", ports.get("params", "data"), P, None,
                           read(as_lens(model), opening, (1,)), (1,)))
    parts.append(_top_port("targets", ports.get("targets", "data"), Bt, batch,
                           read(as_lens(loss), opening, (2,)), (2,)))
    parts.append(Prim(alpha(learner.learning_rate), specs(diagonal(loss.cod)), kind="cap",
                      path=(3,)))
    return Seq(tuple(parts))


def _learned(value: Any) -> bool:
    # what the assembly calls on an optimiser (learners' own duck type)
    return all(callable(getattr(value, k, None)) for k in ("init", "lens", "state_object"))


def _role(role: str, value: Any, batch: int | None) -> str:
    marker = str(value).lower()
    name = role if marker == "data" else f"{role} ({marker})"
    return f"{name}, batches of {batch}" if batch else name


def optimiser_name(optimiser: Any) -> str:
    """The optimiser's repr, cut when long: after its first argument (``adam(lr=0.001,
    …)``), or, when that is a call itself, after its name (``chain(…)``)."""
    text = repr(optimiser)
    if len(text) <= OPTIMISER_CHARS or "(" not in text:
        return text
    head = text.partition(", ")[0]
    return head + ", …)" if head.count("(") == 1 and ")" not in head else \
        text[:text.index("(")] + "(…)"


def _update_specs(optimiser: Any, role: str, X: Object) -> tuple[Spec, ...]:
    """The optimiser's side ``(S ⊗ X, S ⊗ X)``: its state and the point it learns."""
    S = optimiser.state_object(X)
    n = len(factors(S))
    names = ["state"] * n + [role] * len(factors(X))
    return tuple(Spec(s.obj, s.flow, names[i % len(names)], s.quiet)
                 for i, s in enumerate(specs(LensType(S @ X, S @ X))))


def _top_port(role: str, value: Any, X: Object, batch: int | None, inner: Any, path: tuple) -> Any:
    if not factors(X):
        return inner
    if _learned(value):
        over = (Over(optimiser_name(value), specs(diagonal(X)), _update_specs(value, role, X),
                     "lens", path),)
    else:
        name = _role(role, value, batch)
        over = tuple(o for x in factors(X) for o in (
            Over("", (Spec(x),), (Spec(x, "fwd", name),), "wire", path),
            Over("", (Spec(x, "bwd", quiet=True),), (), "discard", path)))
    return Stack(inner, over)


def _left_port(role: str, value: Any, X: Object, batch: int | None) -> Any:
    if _learned(value):
        return Prim(optimiser_name(value), _update_specs(value, role, X),
                    specs(diagonal(X)), kind="lens", path=(0,))
    name = _role(role, value, batch)
    return Par((Wires(tuple(Spec(x, "fwd", name) for x in factors(X))),
                discard_term(tuple(Spec(x, "bwd", quiet=True) for x in factors(X)), (0,))))


def alpha(rate: Any) -> str:
    """The cap's label: the map ``α`` a rate puts at the loss (CFGBL Def. 3.8).

    ``descent(η)`` is ``α = −η``, ``ascent(η)`` is ``α = +η``, ``loss_scaled(η)`` is
    ``α(l) = −η l`` and ``identity()`` is ``α(l) = l``; a schedule shows as ``η(t)``."""
    kind, schedule = getattr(rate, "kind", None), getattr(rate, "schedule", None)
    if kind == "identity":
        return "α(l) = l"
    if kind not in ("descent", "ascent", "loss_scaled") or schedule is None:
        return repr(rate)
    first, later = float(schedule(0)), float(schedule(10 ** 6))
    eta = f"{first:g}" if first == later else "η(t)"
    return {"descent": f"α = −{eta}", "ascent": f"α = +{eta}",
            "loss_scaled": f"α(l) = −{eta}·l"}[kind]
