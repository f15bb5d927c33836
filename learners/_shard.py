"""Data-parallel and sharded training on a device mesh: where the state and the batches live.

A mini-batch is the parameters copied to every example (``batch(f, n)`` shares
``P``), and copy's reverse derivative adds the examples' changes. Splitting each
batch over the devices of a mesh's *data* axis is copying the parameters to every
device, and the sum of the devices' changes is an all-reduce: XLA inserts it once
the batch's leading axis is constrained to the data axis. For circuits the sum is
an XOR, so a sharded run is bit for bit the single-device run; for smooth models it
differs only by the order of float32 additions.

Parameters and optimiser state are replicated, or, with a *model* axis, every leaf
of at least ``min_size`` elements is split along its largest dimension that the
model axis divides (fully sharded data parallel when the model axis is the data
axis, tensor sharding when it is a second axis); XLA gathers what each step needs.
The rule reads only shapes, so the optimiser's state (shaped like the parameters)
is placed like them, and a restored checkpoint is placed again by :meth:`Placement.place`.

Example: one device is a mesh too; the run equals the unplaced run.

    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, layers
    >>> from learners import fit, quadratic, sgd, supervised
    >>> x = jax.random.normal(jax.random.key(1), (10, 2))
    >>> y = x @ jnp.array([[1.0], [-1.0]])
    >>> learner = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), sgd(0.1),
    ...                      batch_size=4)
    >>> state = learner.init({"weight": jnp.zeros((1, 2))})
    >>> mesh = jax.make_mesh((1,), ("data",), devices=jax.devices()[:1])
    >>> placed, _ = fit(learner, state, x, y, epochs=3, shuffle=False, progress=False,
    ...                 mesh=mesh)
    >>> plain, _ = fit(learner, state, x, y, epochs=3, shuffle=False, progress=False)
    >>> bool(jnp.allclose(placed.params["weight"], plain.params["weight"]))
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from categories import BadHyperparameter

__all__ = ["Placement", "data_parallel", "shard_step"]

MIN_SIZE = 2 ** 16
"""Elements below which a leaf stays replicated on a model axis (its collectives would
cost more than the memory they save)."""


def _auto(mesh: Mesh) -> Mesh:
    """``mesh`` with every axis in automatic mode: the constraints here tell XLA where
    batches and parameters go and it propagates the rest (``jax.make_mesh`` makes
    explicit axes by default, under which every op would need its sharding spelled out)."""
    kinds = getattr(jax.sharding, "AxisType", None)
    if kinds is None:  # JAX before axis types: every mesh is automatic
        return mesh
    return Mesh(mesh.devices, mesh.axis_names, axis_types=(kinds.Auto,) * len(mesh.axis_names))


@dataclass(frozen=True)
class Placement:
    """Where training puts things on ``mesh``: batches split along ``data_axis``, the
    state replicated or, with ``model_axis``, large leaves split along it.

    Build one with :func:`data_parallel`; ``fit(..., mesh=placement)`` and
    :func:`shard_step` use it. Hashable, so ``fit`` compiles once per placement.

    Example: on a ``(data, model)`` mesh a large weight is split, a bias replicated.

        >>> import jax
        >>> mesh = jax.make_mesh((1, 1), ("data", "model"), devices=jax.devices()[:1])
        >>> p = data_parallel(mesh, model_axis="model", min_size=16)
        >>> p.data_size, tuple(p.spec((64, 32))), tuple(p.spec((8,))), tuple(p.spec(()))
        (1, ('model',), (), ())
    """

    mesh: Mesh
    data_axis: str
    model_axis: str | None
    min_size: int

    @property
    def data_size(self) -> int:
        """How many ways each batch is split (the data axis's size)."""
        return int(self.mesh.shape[self.data_axis])

    def spec(self, shape: tuple[int, ...]) -> PartitionSpec:
        """How a state leaf of ``shape`` is laid out: replicated, or split along its
        largest dimension the model axis divides (the first of equals)."""
        if self.model_axis is None or math.prod(shape) < self.min_size:
            return PartitionSpec()
        k = self.mesh.shape[self.model_axis]
        dims = [d for d, size in enumerate(shape) if size % k == 0 and size >= k]
        if not dims:
            return PartitionSpec()
        d = max(dims, key=lambda d: shape[d])
        return PartitionSpec(*[None] * d, self.model_axis)

    def _shardings(self, tree: Any) -> Any:
        return jax.tree.map(lambda v: NamedSharding(self.mesh, self.spec(np.shape(v))), tree)

    def place(self, state: Any) -> Any:
        """``state`` (any pytree of arrays) put on the mesh by :meth:`spec`, e.g. a state
        just loaded from a checkpoint.

        Example:
            >>> import jax, jax.numpy as jnp
            >>> p = data_parallel(jax.make_mesh((1,), ("data",), devices=jax.devices()[:1]))
            >>> placed = p.place({"w": jnp.ones((2, 3))})
            >>> tuple(placed["w"].sharding.spec), placed["w"].tolist()[0]
            ((), [1.0, 1.0, 1.0])
        """
        return jax.device_put(state, self._shardings(state))

    def constrain(self, state: Any) -> Any:
        """Inside ``jit``: keep ``state`` laid out by :meth:`spec`, so a training loop's
        carry stays where :meth:`place` put it."""
        return jax.lax.with_sharding_constraint(state, self._shardings(state))

    def _split(self, data: Any, axis: int, put: Callable) -> Any:
        def leaf(v):
            if jnp.ndim(v) <= axis:  # not a batch of examples (a scalar option)
                return v
            return put(v, NamedSharding(self.mesh, PartitionSpec(*[None] * axis, self.data_axis)))
        return jax.tree.map(leaf, data)

    def split(self, data: Any, axis: int = 0) -> Any:
        """Inside ``jit``: every array of ``data`` split over the data axis along ``axis``
        (its examples); XLA then runs each device's share and sums the changes."""
        return self._split(data, axis, jax.lax.with_sharding_constraint)

    def put_batch(self, data: Any) -> Any:
        """A batch (examples along the first axis) put on the mesh, split over the data axis."""
        return self._split(data, 0, jax.device_put)

    def put_data(self, data: Any) -> Any:
        """A data set on the mesh: arrays the caller placed on a mesh like this one keep
        their layout (e.g. split along the examples); others are copied to every device,
        so each device gathers its rows of every batch locally."""
        def leaf(v):
            sharding = getattr(v, "sharding", None)
            mesh = getattr(sharding, "mesh", None)
            if (isinstance(mesh, Mesh) and mesh.axis_names == self.mesh.axis_names
                    and np.array_equal(mesh.devices, self.mesh.devices)):
                # the same layout on this placement's mesh, whose axes are automatic
                return jax.device_put(v, NamedSharding(self.mesh, sharding.spec))
            return jax.device_put(v, NamedSharding(self.mesh, PartitionSpec()))
        return jax.tree.map(leaf, data)


def data_parallel(mesh: Mesh | None = None, *, data_axis: str = "data",
                  model_axis: str | None = None, min_size: int = MIN_SIZE) -> Placement:
    """Data-parallel training on ``mesh`` (default: every device on one ``"data"`` axis).

    Each batch ``x ∈ Aⁿ`` is split into ``k`` parts (``k`` the data axis's size), each
    device computes its part's change ``Σᵢ R[f](p, xᵢ, ·)`` and an all-reduce adds
    them: the copy of ``p`` to every example, factored through the devices.

    Args:
        mesh: a ``jax.sharding.Mesh``; its axes are used in automatic mode.
        data_axis: the axis the batches are split over.
        model_axis: an axis to split large state leaves over (a second axis, or
            ``data_axis`` itself for fully sharded data parallel); ``None`` replicates.
        min_size: leaves with fewer elements stay replicated on the model axis.

    Raises:
        BadHyperparameter: ``mesh`` is not a mesh, an axis is not one of its axes, or
            ``min_size`` is not a whole number ≥ 0.

    Example:
        >>> import jax
        >>> p = data_parallel(jax.make_mesh((1,), ("data",), devices=jax.devices()[:1]))
        >>> p.data_axis, p.model_axis, p.data_size
        ('data', None, 1)
        >>> data_parallel(p.mesh, model_axis="model")
        Traceback (most recent call last):
        ...
        categories._errors.BadHyperparameter: data_parallel: model_axis 'model' is not an axis of the mesh, whose axes are ('data',)
    """
    if mesh is None:
        mesh = Mesh(np.array(jax.devices()), (data_axis,))
    if not isinstance(mesh, Mesh):
        raise BadHyperparameter(f"data_parallel: mesh must be a jax.sharding.Mesh such as "
                                f"jax.make_mesh((8,), ('data',)), got {mesh!r} "
                                f"({type(mesh).__name__})")
    for name, axis in (("data_axis", data_axis), ("model_axis", model_axis)):
        if axis is not None and axis not in mesh.axis_names:
            raise BadHyperparameter(f"data_parallel: {name} {axis!r} is not an axis of the "
                                    f"mesh, whose axes are {tuple(mesh.axis_names)}")
    if isinstance(min_size, (bool, np.bool_)) or not isinstance(min_size, (int, np.integer)) \
            or min_size < 0:
        raise BadHyperparameter(f"data_parallel: min_size must be a whole number ≥ 0, got "
                                f"{min_size!r}")
    return Placement(_auto(mesh), data_axis, model_axis, int(min_size))


def plan(mesh: Mesh | Placement | None, batch_size: int | None, who: str) -> Placement | None:
    """The placement ``mesh`` asks for (``None`` for none), checked against the batch size.

    A bare mesh splits batches over its ``"data"`` axis and state over its ``"model"``
    axis when it has one. A batch size the data axis does not divide is refused rather
    than padded: padding would leave devices computing dummy rows every step, where a
    batch size one multiple away costs nothing (a data set the batch size does not
    divide is fine: its last batch is masked, still of full size).
    """
    if mesh is None:
        return None
    if isinstance(mesh, Mesh):
        if "data" not in mesh.axis_names:
            raise BadHyperparameter(f"{who}: the mesh's axes are {tuple(mesh.axis_names)}, with "
                                    f"no 'data' axis to split batches over; name one 'data' or "
                                    f"pass mesh=data_parallel(mesh, data_axis=...)")
        mesh = data_parallel(mesh, model_axis="model" if "model" in mesh.axis_names else None)
    if not isinstance(mesh, Placement):
        raise BadHyperparameter(f"{who}: mesh must be a jax.sharding.Mesh or "
                                f"data_parallel(...), got {mesh!r} ({type(mesh).__name__})")
    k = mesh.data_size
    if batch_size is None:
        raise BadHyperparameter(f"{who}: data parallelism splits batches, but this learner "
                                f"takes one example per step (batch_size=None); build it "
                                f"with a batch_size that is a multiple of {k}")
    if batch_size % k:
        below, above = batch_size // k * k, -(-batch_size // k) * k
        raise BadHyperparameter(
            f"{who}: batch_size {batch_size} does not split evenly over the {k} devices of "
            f"the {mesh.data_axis!r} axis; use a multiple of {k} such as "
            f"{above if below == 0 else f'{below} or {above}'}")
    return mesh


def place_state(placement: Placement | None, state: Any) -> Any:
    """``state`` on the placement's mesh, or as it is without one."""
    return state if placement is None else placement.place(state)


def place_data(placement: Placement | None, data: Any) -> Any:
    """A data set on the placement's mesh, or as it is without one."""
    return data if placement is None else placement.put_data(data)


def split_batches(batches_of: Callable, placement: Placement | None) -> Callable:
    """``batches_of`` whose stacked batches ``(batches, batch_size, …)`` are split along
    their second axis inside ``jit``, so each device gathers only its rows."""
    if placement is None:
        return batches_of
    return lambda *args: placement.split(batches_of(*args), axis=1)


def stepper(step: Callable, placement: Placement | None) -> Callable:
    """``step(state, *data, **options)`` with its batch split over the data axis and the
    new state laid out as placed (``step`` itself without a placement)."""
    if placement is None:
        return step

    def placed(state, *data, **options):
        data, options = placement.split((data, options))
        new, loss = step(placement.constrain(state), *data, **options)
        return placement.constrain(new), loss
    return placed


def shard_step(learner: Any, mesh: Mesh | Placement | None = None) -> Callable:
    """``learner.step`` jitted and data-parallel on ``mesh``: the same
    ``(state, *data, keep=None) → (state, loss)``, the batch split over the data axis.

    ``mesh`` is a ``jax.sharding.Mesh`` or :func:`data_parallel` placement (default:
    every device on one data axis). The state is placed on the mesh (replicated, or
    large leaves split over the model axis) and returned placed; pass it back in as is.
    The data may be host arrays.

    Raises:
        BadHyperparameter: the learner takes one example per step, or its batch size
            does not split evenly over the data axis (naming both numbers).

    Example: one step on a one-device mesh equals ``learner.step``.

        >>> import jax, jax.numpy as jnp
        >>> from categories import ArrayType, layers
        >>> from learners import quadratic, sgd, supervised
        >>> learner = supervised(layers.linear(2, 1), quadratic(ArrayType((1,))), sgd(0.5),
        ...                      batch_size=2)
        >>> state = learner.init({"weight": jnp.zeros((1, 2))})
        >>> x, y = jnp.array([[1.0, 0.0], [0.0, 1.0]]), jnp.array([[1.0], [2.0]])
        >>> step = shard_step(learner, jax.make_mesh((1,), ("data",), devices=jax.devices()[:1]))
        >>> placed, loss = step(state, x, y)
        >>> plain, _ = learner.step(state, x, y)
        >>> placed.params["weight"].tolist() == plain.params["weight"].tolist(), float(loss)
        (True, 1.25)
    """
    placement = plan(data_parallel() if mesh is None else mesh, learner.batch_size,
                     "shard_step")
    traced = jax.jit(stepper(learner.step, placement))

    def step(state, *data, **options):
        data, options = placement.put_batch((data, options))
        return traced(placement.place(state), *data, **options)
    return step
