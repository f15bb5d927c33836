"""Para(Smooth) layers: trainable maps with named parameters.

Each layer's parameter object is a :class:`~categories.Record`, so a point of
it is a dict (``{"weight": W, "bias": b}``); a composite's parameters are the
tuple of its layers' dicts in the order the layers run. Initialisers are
``jax.nn.initializers`` functions ``(key, shape, dtype) ↦ array``.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from categories import ArrayType, layers, smooth
    >>> model = layers.linear(4, 20) >> layers.bias(20) >> smooth.sigmoid(ArrayType((20,)))
    >>> model
    linear(4→20) >> bias(20) >> sigmoid
    >>> params = model.init(jax.random.key(0))
    >>> [sorted(p) for p in params]
    [['weight'], ['bias']]
    >>> model(params, jnp.ones(4)).shape
    (20,)
"""

from __future__ import annotations

import functools
import sys
import weakref
from typing import Any, Callable

import jax
from jax.nn import initializers

from . import smooth
from ._objects import ArrayType, Object, Record
from ._para import Para
from ._smooth import Smooth

__all__ = ["linear", "bias", "dense", "conv2d", "lift"]

Initializer = Callable[[Any, tuple[int, ...], Any], Any]


class _Init:
    """``key ↦ {name: inits[name](k, shape, dtype)}``, one split key per name in sorted
    order. (An object with slots, not a closure, and weakly referable: :func:`_init`
    shares one between the layers of one shape.)"""

    __slots__ = ("obj", "inits", "__weakref__")  # jax.jit keeps weak references

    def __init__(self, obj: Record, **inits: Initializer):
        self.obj, self.inits = obj, inits

    def __call__(self, key: Any) -> dict:
        keys = jax.random.split(key, len(self.inits))
        return {name: self.inits[name](k, self.obj[name].shape, self.obj[name].dtype)
                for k, name in zip(keys, sorted(self.inits))}


_INITS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _init(obj: Record, **inits: Initializer) -> _Init:
    """An :class:`_Init`, shared by the layers with the same objects and initialisers
    (it holds no state), so a deep model holds one per shape, not one per layer. Held
    weakly: once no layer uses it, it and its initialisers are freed."""
    key = (obj, tuple(sorted(inits.items())))
    try:
        found = _INITS.get(key)
    except TypeError:  # an initialiser that cannot be hashed gets its own
        return _Init(obj, **inits)
    if found is None:
        found = _INITS[key] = _Init(obj, **inits)
    return found


def _affine(px: tuple) -> Any:
    """``(P, x) ↦ W x + b``."""
    return px[0]["weight"] @ px[1] + px[0]["bias"]


@functools.lru_cache(maxsize=256)
def _shared_dense_objects(n_in: int, n_out: int, dtype: Any) -> tuple[Object, ...]:
    X, Y = ArrayType((n_in,), dtype), ArrayType((n_out,), dtype)
    P = Record(weight=ArrayType((n_out, n_in), dtype), bias=Y)
    return X, Y, P, P @ X


def _dense_objects(n_in: int, n_out: int, dtype: Any) -> tuple[Object, ...]:
    """``X, Y, P = {weight, bias}, P @ X`` of a dense layer, shared by the layers of one
    shape (objects are immutable; a deep model then holds them once, not once a layer)."""
    n_in, n_out = int(n_in), int(n_out)  # sizes given as arrays too, as ArrayType takes them
    try:
        return _shared_dense_objects(n_in, n_out, dtype)
    except TypeError:  # a dtype that cannot be hashed (a structured one's field list)
        return _shared_dense_objects.__wrapped__(n_in, n_out, dtype)


def lift(f: Smooth) -> Para:
    """A smooth map as a layer with no parameters: ``f ↦ (I, f)``.

    Example:
        >>> import jax.numpy as jnp
        >>> from categories import I
        >>> f = lift(smooth.relu(ArrayType((2,))))
        >>> f, f.param == I, f((), jnp.array([-1.0, 2.0])).tolist()
        (relu, True, [0.0, 2.0])
    """
    return Para.lift(f)


def linear(n_in: int, n_out: int, *, init: Initializer = initializers.glorot_uniform(),
           dtype: str = "float32") -> Para:
    """``x ↦ W x`` with ``W : f[n_out, n_in]`` named ``"weight"``.

    Example:
        >>> linear(4, 3).param
        Record(weight=ArrayType((3, 4), 'float32'))
    """
    X, Y = ArrayType((n_in,), dtype), ArrayType((n_out,), dtype)
    P = Record(weight=ArrayType((n_out, n_in), dtype))
    inside = smooth.primitive("linear", P @ X, Y, lambda px: px[0]["weight"] @ px[1])
    return Para(P, X, inside, _init(P, weight=init), name=f"linear({n_in}→{n_out})")


def bias(n: int, *, init: Initializer = initializers.zeros, dtype: str = "float32") -> Para:
    """``x ↦ x + b`` with ``b : f[n]`` named ``"bias"``.

    Example:
        >>> import jax.numpy as jnp
        >>> b = bias(2)
        >>> b.param
        Record(bias=ArrayType((2,), 'float32'))
        >>> b({"bias": jnp.array([1.0, -1.0])}, jnp.array([0.5, 0.5])).tolist()
        [1.5, -0.5]
    """
    X = ArrayType((n,), dtype)
    P = Record(bias=X)
    inside = smooth.primitive("bias", P @ X, X, lambda px: px[1] + px[0]["bias"])
    return Para(P, X, inside, _init(P, bias=init), name=f"bias({n})")


def dense(n_in: int, n_out: int, activation: Callable[[ArrayType], Smooth] | None = None, *,
          init: Initializer = initializers.glorot_uniform(),
          bias_init: Initializer = initializers.zeros, dtype: str = "float32") -> Para:
    """``x ↦ σ(W x + b)``: one layer with parameters ``{"weight", "bias"}``.

    Args:
        activation: an elementwise constructor such as ``smooth.sigmoid``, or None.

    Example:
        >>> dense(4, 3, smooth.sigmoid)
        dense(4→3, sigmoid)
    """
    X, Y, P, PX = _dense_objects(n_in, n_out, dtype)
    act = activation(Y) if activation is not None else None
    # one string for all the layers that print alike
    name = sys.intern(f"dense({n_in}→{n_out}" + (f", {act!r})" if act is not None else ")"))
    affine = smooth.primitive("affine", PX, Y, _affine)
    # composing (not calling act.fn) keeps any reverse-derivative rule the activation has
    inside = affine >> act if act is not None else affine
    return Para(P, X, inside, _init(P, weight=init, bias=bias_init), name=name)


def conv2d(image: ArrayType, kernel: tuple[int, int], channels: int, *,
           init: Initializer = initializers.glorot_uniform()) -> Para:
    """Valid 2-D cross-correlation without bias, kernel named ``"kernel"``.

    ``image`` is ``(H, W, C_in)``; the kernel is ``(kh, kw, C_in, channels)``.

    Example:
        >>> conv2d(ArrayType((8, 8, 1)), (3, 3), 3).cod
        ArrayType((6, 6, 3), 'float32')
    """
    K = ArrayType((*kernel, image.shape[-1], channels), image.dtype)
    P = Record(kernel=K)
    corr = smooth.correlate2d(K, image)
    inside = smooth.primitive(repr(corr).replace("correlate2d", "conv2d"), P @ image, corr.cod,
                              lambda px: corr.fn((px[0]["kernel"], px[1])))
    return Para(P, image, inside, _init(P, kernel=init), name=repr(inside))
