"""Smooth primitives: the generators the papers' models are built from.

Every function returns a :class:`~categories.Smooth` morphism between the
objects it is given; nothing trainable is closed over (trainable maps are the
Para layers of :mod:`categories.layers`). Elementwise maps take the object
they act on: ``sigmoid(X) : X → X``.

Example:
    >>> import jax.numpy as jnp
    >>> from categories import ArrayType, smooth
    >>> X = ArrayType((3,))
    >>> f = smooth.pair(smooth.sin(X), smooth.exp(X)) >> smooth.add(X)
    >>> f
    copy(f32[3]) >> sin @ exp >> add(f32[3])
    >>> bool(jnp.allclose(f(jnp.zeros(3)), jnp.ones(3)))
    True
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from ._errors import BadObject
from ._objects import ArrayType, I, Object
from ._smooth import SMOOTH, Smooth, primitive

__all__ = [
    "primitive", "id", "copy", "discard", "proj", "pair", "swap", "add", "multiply", "zero", "negate",
    "scale", "constant", "linear", "matmul", "sigmoid", "tanh", "relu", "softplus", "exp", "log",
    "sin", "softmax", "sum", "mean", "reshape", "flatten", "correlate2d", "max_pool2d",
]


def id(obj: Object) -> Smooth:  # noqa: A001  (the paper's name)
    """The identity ``1_A : A → A``; ``R[1](a, b) = b``."""
    return SMOOTH.id(obj)


def copy(obj: Object) -> Smooth:
    """``Δ : A → A @ A``; ``R[Δ](a, (b1, b2)) = b1 + b2``."""
    return SMOOTH.copy(obj)


def discard(obj: Object) -> Smooth:
    """``! : A → I``; ``R[!](a, ()) = 0``."""
    return SMOOTH.discard(obj)


def proj(a: Object, b: Object, i: int) -> Smooth:
    """``π0 : A @ B → A`` or ``π1 : A @ B → B``; ``R[π0]((x, y), u) = (u, 0)``."""
    return SMOOTH.proj(a, b, i)


def pair(f: Smooth, g: Smooth) -> Smooth:
    """``⟨f, g⟩ = Δ ; (f @ g)``; ``R[⟨f,g⟩](a, (b, c)) = R[f](a, b) + R[g](a, c)``."""
    return SMOOTH.pair(f, g)


def swap(a: Object, b: Object) -> Smooth:
    """The symmetry ``A @ B → B @ A``."""
    return SMOOTH.swap(a, b)


def add(obj: Object) -> Smooth:
    """Addition ``+ : A @ A → A``, a linear map with ``R[+](x, b) = (b, b)``."""
    return primitive(f"add({obj})", obj @ obj, obj, lambda x: jax.tree.map(jnp.add, *x))


def multiply(obj: ArrayType) -> Smooth:
    """Elementwise product ``(x, y) ↦ x ⊙ y : X @ X → X``; ``R = (y ⊙ b, x ⊙ b)``."""
    return primitive("multiply", obj @ obj, obj, lambda xy: xy[0] * xy[1])


def zero(a: Object, b: Object) -> Smooth:
    """The zero map ``0 : A → B``; ``R[0] = 0``."""
    return SMOOTH.zero(a, b)


def negate(obj: Object) -> Smooth:
    """``x ↦ −x``, the additive inverse."""
    return SMOOTH.negate(obj)


def scale(obj: ArrayType, c: float) -> Smooth:
    """``x ↦ c·x`` for a constant ``c`` (a hyperparameter, not a parameter)."""
    return primitive(f"scale({c})", obj, obj, lambda x: (c * x).astype(obj.dtype))


def constant(value: Any, dom: Object = I) -> Smooth:
    """The constant map ``dom → A`` with value ``value`` (an array); ``R = 0``."""
    value = jnp.asarray(value)
    cod = ArrayType(value.shape, value.dtype.name)
    return primitive(f"constant({cod})", dom, cod, lambda x: value)


def linear(weight: Any) -> Smooth:
    """The linear map ``x ↦ W x`` for a fixed matrix ``W`` of shape ``(m, n)``.

    ``R[W·](x, b) = Wᵀ b``; its transpose ``f†`` is ``Wᵀ·``. For a learned
    ``W`` use :func:`categories.layers.linear`.
    """
    weight = jnp.asarray(weight)
    if weight.ndim != 2:
        raise BadObject(f"linear: weight must be a matrix, got shape {weight.shape}")
    m, n = weight.shape
    dt = weight.dtype.name
    return primitive(f"linear({n}→{m})", ArrayType((n,), dt), ArrayType((m,), dt),
                     lambda x: weight @ x)


def matmul(weight: ArrayType, x: ArrayType) -> Smooth:
    """The bilinear map ``(W, x) ↦ W x : weight @ x → y`` (the inside of a linear layer)."""
    if len(weight.shape) != 2 or weight.shape[1:] != x.shape[:1]:
        raise BadObject(f"matmul: cannot multiply {weight} by {x}")
    y = ArrayType(weight.shape[:1] + x.shape[1:], x.dtype)
    return primitive("matmul", weight @ x, y, lambda wx: wx[0] @ wx[1])


def _elementwise(name: str, f):
    def make(obj: ArrayType) -> Smooth:
        return primitive(name, obj, obj, f)
    make.__name__ = name
    make.__doc__ = f"The elementwise map ``{name} : X → X``."
    return make


sigmoid = _elementwise("sigmoid", jax.nn.sigmoid)
tanh = _elementwise("tanh", jnp.tanh)
relu = _elementwise("relu", jax.nn.relu)
softplus = _elementwise("softplus", jax.nn.softplus)
exp = _elementwise("exp", jnp.exp)
log = _elementwise("log", jnp.log)
sin = _elementwise("sin", jnp.sin)


def softmax(obj: ArrayType) -> Smooth:
    """``softmax(z)_i = exp z_i / Σ_j exp z_j`` along the last axis."""
    return primitive("softmax", obj, obj, lambda z: jax.nn.softmax(z, axis=-1))


def sum(obj: ArrayType) -> Smooth:  # noqa: A001
    """``x ↦ Σ_i x_i : X → f[]``."""
    return primitive("sum", obj, ArrayType((), obj.dtype), jnp.sum)


def mean(obj: ArrayType) -> Smooth:
    """``x ↦ (1/n) Σ_i x_i : X → f[]``."""
    return primitive("mean", obj, ArrayType((), obj.dtype), jnp.mean)


def reshape(obj: ArrayType, shape: tuple[int, ...]) -> Smooth:
    """Reshape ``obj`` to ``shape`` (same number of elements)."""
    cod = ArrayType(shape, obj.dtype)
    if cod.size != obj.size:
        raise BadObject(f"reshape: cannot reshape {obj} ({obj.size} elements) to {cod} "
                         f"({cod.size} elements)")
    return primitive(f"reshape({cod})", obj, cod, lambda x: jnp.reshape(x, cod.shape))


def flatten(obj: ArrayType) -> Smooth:
    """Flatten ``obj`` to a vector."""
    cod = ArrayType((obj.size,), obj.dtype)
    return primitive("flatten", obj, cod, lambda x: jnp.reshape(x, cod.shape))


def correlate2d(kernel: ArrayType, image: ArrayType) -> Smooth:
    """Valid 2-D cross-correlation ``(K, x) ↦ K ⋆ x : kernel @ image → out``.

    ``image`` is ``(H, W, C_in)``, ``kernel`` is ``(kh, kw, C_in, C_out)`` and the
    output is ``(H − kh + 1, W − kw + 1, C_out)``: what Keras' ``Conv2D`` with
    ``use_bias=False`` and ``padding="valid"`` computes.
    """
    if len(image.shape) != 3 or len(kernel.shape) != 4 or kernel.shape[2] != image.shape[2]:
        raise BadObject(f"correlate2d: kernel {kernel} (kh, kw, C_in, C_out) does not fit "
                         f"image {image} (H, W, C_in)")
    h, w, _ = image.shape
    kh, kw, _, c_out = kernel.shape
    out = ArrayType((h - kh + 1, w - kw + 1, c_out), image.dtype)

    def fn(kx):
        k, x = kx
        y = lax.conv_general_dilated(x[None], k, (1, 1), "VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return y[0]

    return primitive(f"correlate2d({kh}×{kw}, {kernel.shape[2]}→{c_out})", kernel @ image, out, fn)


def max_pool2d(image: ArrayType, window: int = 2) -> Smooth:
    """Non-overlapping ``window × window`` max pooling of an ``(H, W, C)`` image."""
    if len(image.shape) != 3:
        raise BadObject(f"max_pool2d: expected an (H, W, C) image, got {image}")
    h, w, c = image.shape
    out = ArrayType((h // window, w // window, c), image.dtype)

    def fn(x):
        x = x[: out.shape[0] * window, : out.shape[1] * window]
        return lax.reduce_window(x, -jnp.inf, lax.max, (window, window, 1),
                                 (window, window, 1), "VALID")

    return primitive(f"max_pool2d({window})", image, out, fn)
