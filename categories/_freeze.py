"""Freeze, tie and select a model's parameters by name: reparametrisations built for you.

A parameter's *name* is its path in a point of ``model.param``: product factors by
position, record fields by name, joined by dots. ``"0.weight"`` is ``params[0]["weight"]``;
a single layer's are ``"weight"`` and ``"bias"``; a name also stands for every parameter
under it (``"0"`` is all of the first layer's), and ``""`` for all of them. Layers
without parameters take no position, as in ``params``. :func:`param_names` lists them.

Each function reparametrises the model along a smooth map ``along : Q → P`` (the 2-cell
of CFGBL Def. 2.3; ``Para.reparam``):

* :func:`freeze_params` puts constants on the named parameters and the identity on the
  rest. ``Q`` lacks the frozen leaves, so no optimiser sees them, and
  ``R[along](q, dp)`` projects ``dp`` onto the rest: no change is computed for a
  frozen leaf;
* :func:`train_only` freezes every parameter except the named ones;
* :func:`tie_params` copies one parameter into the others (``Δ``), so
  ``R[Δ](p, (d1, d2)) = d1 + d2`` adds the changes of the tied uses.

``Q`` is ``P`` with the dropped leaves taken out. The product stays strict: a layer
with nothing left disappears, as ``I @ Q = Q``, and later positions move down.
Reparametrising a composite and composing reparametrised parts agree (CFGBL eqs. 3–4):
freezing ``"0"`` of ``f >> g`` gives the parameter object and outputs of
``freeze_params(f, p, "") >> g``.

Model-side or optimiser-side? :func:`learners.freeze` (like ``optax.freeze``) keeps the
leaves in the model and in the optimiser's state and gives them zero updates. Use it to
freeze for part of one run and thaw later. Use :func:`freeze_params` to fine-tune
part of a model: the frozen leaves leave the parameters, the state and the
backward pass.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import layers, smooth
    >>> model = layers.dense(4, 3, smooth.tanh) >> layers.dense(3, 2)
    >>> param_names(model)
    ('0.bias', '0.weight', '1.bias', '1.weight')
    >>> params = model.init(jax.random.key(0))
    >>> frozen, rest, along = freeze_params(model, params, "0")
    >>> frozen.param == model.parts[1].param, param_names(frozen)
    (True, ('bias', 'weight'))
    >>> x = jnp.ones(4)
    >>> bool(jnp.allclose(frozen(rest, x), model(params, x)))
    True
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple

import jax
import jax.numpy as jnp

from ._errors import BadObject, MissingStructure, NotComposable
from ._objects import I, Object, Product, Record, tensor_objects
from ._para import Para
from ._smooth import SMOOTH, Smooth, primitive

__all__ = ["Reparametrised", "param_names", "freeze_params", "train_only", "tie_params"]


class Reparametrised(NamedTuple):
    """A model reparametrised along ``along : Q → P``, with where to start training it.

    Fields:
        model: ``original.reparam(along)``, a Para map with parameter object ``Q``.
        params: a point of ``Q``, the original parameters that were kept.
        along: the smooth map ``Q → P``; ``along(q)`` gives the original model's
            parameters (to save, or to unfreeze and train on).

    Example:
        >>> import jax
        >>> from categories import layers
        >>> model = layers.dense(2, 2)
        >>> p = model.init(jax.random.key(0))
        >>> r = freeze_params(model, p, "bias")
        >>> str(r.model.param), sorted(r.params), sorted(r.along(r.params))
        ('{weight: f32[2,2]}', ['weight'], ['bias', 'weight'])
        >>> full = r.along(r.params)
        >>> all(bool((full[k] == p[k]).all()) for k in p)
        True
    """

    model: Para
    params: Any
    along: Smooth


def _leaves(obj: Object, path: str = "") -> Iterator[tuple[str, Object]]:
    """The named parameters of ``obj`` in the order of its points. Products and records
    are walked into; anything else (an array type, a tree type) is one parameter."""
    if isinstance(obj, (Product, Record)):
        parts = enumerate(obj.factors) if isinstance(obj, Product) else obj.fields
        for step, sub in parts:
            yield from _leaves(sub, f"{path}.{step}" if path else str(step))
    else:
        yield path, obj


def _values(obj: Object, x: Any) -> list:
    """The leaves of a point ``x`` of ``obj``, in the order of :func:`_leaves`."""
    if isinstance(obj, Product):
        return [v for sub, xi in zip(obj.factors, x) for v in _values(sub, xi)]
    if isinstance(obj, Record):
        return [v for k, sub in obj.fields for v in _values(sub, x[k])]
    return [x]


def _point(obj: Object, values: Iterator) -> Any:
    """The point of ``obj`` with these leaves: the inverse of :func:`_values`."""
    if isinstance(obj, Product):
        return tuple(_point(sub, values) for sub in obj.factors)
    if isinstance(obj, Record):
        return {k: _point(sub, values) for k, sub in obj.fields}
    return next(values)


def _prune(obj: Object, keep: set[str], path: str = "") -> Object:
    """``obj`` with only the leaves in ``keep``; ``I`` when none is left."""
    if isinstance(obj, Product):
        return tensor_objects(*(_prune(sub, keep, f"{path}.{i}" if path else str(i))
                                for i, sub in enumerate(obj.factors)))
    if isinstance(obj, Record):
        fields = {k: _prune(sub, keep, f"{path}.{k}" if path else k) for k, sub in obj.fields}
        fields = {k: sub for k, sub in fields.items() if sub != I}
        return Record(fields) if fields else I
    return obj if path in keep else I


def _under(name: str, path: str) -> bool:
    return name == "" or path == name or path.startswith(name + ".")


def _names_hint(obj: Object) -> str:
    names = [name for name, _ in _leaves(obj)]
    return ", ".join(map(repr, names)) if names else "none"


def _reparam_hint(param: Object, cod: Object) -> str:
    """What to do when a reparametrisation's codomain ``cod`` is not the whole ``param``
    (the end of ``Para.reparam``'s error); empty when ``param`` has no named parts."""
    if not isinstance(param, (Product, Record)):
        return ""
    alone = [name for name, leaf in _leaves(param) if leaf == cod]
    first = f"{cod} is the object of the parameter {alone[0]!r} alone. " if alone else ""
    names = repr(alone[0]) if alone else "*names"
    return (f"\n  {first}A reparametrisation must return a point of the whole parameter "
            f"object. To fix some parameters and train the rest, categories.freeze_params("
            f"model, params, {names}) builds it (tie_params and train_only tie and select by "
            f"name); the names are {_names_hint(param)}.")


def param_names(model: Para) -> tuple[str, ...]:
    """The names of ``model``'s parameters, in the order of ``jax.tree.leaves(params)``
    (a factor that is neither a record nor an array, such as a tree type, is one name).

    Example:
        >>> from categories import ArrayType, layers, smooth
        >>> param_names(layers.linear(3, 2) >> smooth.tanh(ArrayType((2,))) >> layers.dense(2, 2))
        ('0.weight', '1.bias', '1.weight')
    """
    _check_model("param_names", model)
    return tuple(name for name, _ in _leaves(model.param))


def _check_model(fn: str, model: Any) -> None:
    if not isinstance(model, Para):
        raise NotComposable(f"{fn}: the model must be a Para map, got {model!r} "
                            f"({type(model).__name__}); a plain morphism has no parameters "
                            f"(Para.lift makes it a Para map with none)")


def _resolve(fn: str, model: Para, params: Any, names: tuple) -> list[list[int]]:
    """Check the arguments; for each name, the positions of the leaves it stands for."""
    _check_model(fn, model)
    if model.category.base != SMOOTH:
        raise MissingStructure(
            f"{fn} cannot be built in {model.category.base!r}: it reparametrises "
            f"{model!r} along a JAX function, which needs Smooth (to fix all the "
            f"parameters of a circuit use circuits.export.freeze(model, params))")
    model.category.check_point(model.param, params, f"{fn}: params of {model!r}")
    paths = [path for path, _ in _leaves(model.param)]
    found = []
    for name in names:
        if not isinstance(name, str):
            raise BadObject(f"{fn}: parameter names are strings such as '0.weight', "
                            f"got {name!r} ({type(name).__name__})")
        found.append([i for i, path in enumerate(paths) if _under(name, path)])
        if not found[-1]:
            raise BadObject(
                f"{fn}: {model!r} has no parameter named {name!r}; its parameters are "
                f"{_names_hint(model.param)} (a name is the path into params, its positions "
                f"and keys joined by dots: '0.weight' is params[0]['weight'])")
    return found


def _build(fn: str, model: Para, params: Any, names: tuple, frozen: set[int],
           source: list[int] | None = None) -> Reparametrised:
    """Leaf ``j`` of the parameters becomes the constant ``params``' leaf ``j`` when
    ``j`` is frozen, else the new parameter leaf ``source[j]`` (``j`` itself when kept,
    the default)."""
    P = model.param
    paths = [path for path, _ in _leaves(P)]
    source = source or list(range(len(paths)))
    kept = sorted({source[j] for j in range(len(paths)) if j not in frozen})
    Q = _prune(P, {paths[j] for j in kept})
    slot = {j: k for k, j in enumerate(kept)}
    start = _values(P, params)
    # copies, so that changing the caller's numpy arrays later cannot change the model
    constants = {j: jax.tree.map(jnp.asarray, start[j]) for j in frozen}

    def run(q):
        new = _values(Q, q)
        return _point(P, iter(constants[j] if j in frozen else new[slot[source[j]]]
                              for j in range(len(paths))))

    def init(key):
        fresh = _values(P, model.init(key))
        return _point(Q, iter(fresh[j] for j in kept))

    along = primitive(f"{fn}({', '.join(names)})", Q, P, run)
    return Reparametrised(model.reparam(along, init=init), _point(Q, iter(start[j] for j in kept)),
                          along)


def freeze_params(model: Para, params: Any, *names: str) -> Reparametrised:
    """Fix the named parameters at their values in ``params``; train the rest.

    The reparametrisation ``along : Q → P`` is the constant on the frozen leaves and
    the identity on the others, ``R[along](q, dp) = dp`` restricted to ``Q``.

    Args:
        model: a Para map in Smooth.
        params: a point of ``model.param``; the frozen leaves keep these values.
        names: parameter names (:func:`param_names`); a name freezes every leaf under it.

    Returns:
        ``(model.reparam(along), the kept leaves of params, along)``.

    Raises:
        BadObject: a name that is not one of the model's (the message lists them).
        BadPoint: ``params`` not a point of ``model.param``.
        MissingStructure: a model outside Smooth. NotComposable: not a Para map.

    Example: ``x ↦ Wx + b`` with ``W`` frozen learns only ``b``.

        >>> import jax.numpy as jnp
        >>> from categories import layers
        >>> layer = layers.dense(2, 2)
        >>> p = {"weight": jnp.eye(2), "bias": jnp.zeros(2)}
        >>> frozen, rest, _ = freeze_params(layer, p, "weight")
        >>> frozen.param, rest["bias"].tolist()
        (Record(bias=ArrayType((2,), 'float32')), [0.0, 0.0])
        >>> frozen({"bias": jnp.ones(2)}, jnp.array([1.0, 2.0])).tolist()
        [2.0, 3.0]
    """
    found = _resolve("freeze_params", model, params, names)
    return _build("freeze_params", model, params, names, {j for js in found for j in js})


def train_only(model: Para, params: Any, *names: str) -> Reparametrised:
    """Train only the named parameters: :func:`freeze_params` of all the others.

    Example:
        >>> import jax
        >>> from categories import layers
        >>> model = layers.dense(3, 3) >> layers.dense(3, 1)
        >>> head, rest, _ = train_only(model, model.init(jax.random.key(0)), "1")
        >>> param_names(head), str(head.param)
        (('bias', 'weight'), '{bias: f32[1], weight: f32[1,3]}')
    """
    found = _resolve("train_only", model, params, names)
    trained = {j for js in found for j in js}
    every = range(len(list(_leaves(model.param))))
    return _build("train_only", model, params, names, set(every) - trained)


def tie_params(model: Para, params: Any, *names: str) -> Reparametrised:
    """Make the named parameters one: the first, copied into the others.

    Each name may stand for several leaves (``"0"`` for a layer), and they must be of
    one object. ``along`` copies the first into the rest (``Δ``), so the tied
    parameter's change is the sum ``d1 + d2 + …`` of the changes of its uses; it
    starts from the first name's value in ``params``.

    Raises:
        BadObject: fewer than two names, a name that is not the model's, or names
            that overlap.
        NotComposable: names whose objects differ (both are shown).

    Example: one 2×2 matrix used by two linear layers.

        >>> import jax, jax.numpy as jnp
        >>> from categories import layers
        >>> twice = layers.linear(2, 2) >> layers.linear(2, 2)
        >>> p, x = twice.init(jax.random.key(0)), jnp.ones(2)
        >>> tied, w, _ = tie_params(twice, p, "0.weight", "1.weight")
        >>> str(tied.param), bool(jnp.allclose(tied(w, x), twice((p[0], p[0]), x)))
        ('{weight: f32[2,2]}', True)
    """
    found = _resolve("tie_params", model, params, names)
    if len(names) < 2:
        raise BadObject(f"tie_params: name at least two parameters of {model!r} to tie, "
                        f"got {list(names)}; its parameters are {_names_hint(model.param)}")
    leaves = list(_leaves(model.param))

    def below(name, js):  # the leaves under a name, by their paths relative to it
        return [(leaves[j][0][len(name):], leaves[j][1]) for j in js]

    seen: set[int] = set()
    for name, js in zip(names, found):
        if seen & set(js):
            raise BadObject(f"tie_params: {name!r} overlaps another of the names {list(names)}; "
                            f"name disjoint parameters")
        seen |= set(js)
        if below(name, js) != below(names[0], found[0]):
            raise NotComposable(
                f"tie_params: cannot tie {names[0]!r} ({_shown(leaves, found[0])}) with {name!r} "
                f"({_shown(leaves, js)}): tied parameters must have one object")
    source = list(range(len(leaves)))
    for js in found[1:]:
        for j, i in zip(js, found[0]):
            source[j] = i
    return _build("tie_params", model, params, names, set(), source)


def _shown(leaves: list[tuple[str, Object]], js: list[int]) -> str:
    return ", ".join(f"{leaves[j][0]}: {leaves[j][1]}" for j in js)
