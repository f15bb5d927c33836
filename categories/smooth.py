"""Smooth primitives: the generators the papers' models are built from.

Every function returns a :class:`~categories.Smooth` morphism between the
objects it is given; nothing trainable is closed over (trainable maps are the
Para layers of :mod:`categories.layers`). Elementwise maps take the object
they act on: ``sigmoid(X) : X → X``. Each primitive's output object is
computed from its input objects, so (unlike user primitives made with
:func:`primitive`) they are not traced to check it; the law suite evaluates
every one at generated objects.

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

from ._errors import BadObject, BadPoint
from ._objects import ArrayType, I, Object
from ._smooth import SMOOTH, Smooth, _primitive, primitive

__all__ = [
    "primitive", "id", "copy", "discard", "proj", "pair", "swap", "add", "multiply", "zero", "negate",
    "scale", "constant", "linear", "matmul", "sigmoid", "tanh", "relu", "softplus", "exp", "log",
    "sin", "softmax", "sum", "mean", "reshape", "flatten", "correlate2d", "max_pool2d",
]


def id(obj: Object) -> Smooth:  # noqa: A001  (the paper's name)
    """The identity ``1_A : A → A``; ``R[1](a, b) = b``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, a, b = id(ArrayType((2,))), jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0])
        >>> f(a).tolist(), f.rd()((a, b)).tolist()
        ([1.0, 2.0], [3.0, 4.0])
    """
    return SMOOTH.id(obj)


def copy(obj: Object) -> Smooth:
    """``Δ : A → A @ A``; ``R[Δ](a, (b1, b2)) = b1 + b2``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, a = copy(ArrayType((2,))), jnp.array([1.0, 2.0])
        >>> [v.tolist() for v in f(a)], f.rd()((a, a, 2 * a)).tolist()
        ([[1.0, 2.0], [1.0, 2.0]], [3.0, 6.0])
    """
    return SMOOTH.copy(obj)


def discard(obj: Object) -> Smooth:
    """``! : A → I``; ``R[!](a, ()) = 0``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, a = discard(ArrayType((2,))), jnp.array([1.0, 2.0])
        >>> f(a), f.rd()(a).tolist()
        ((), [0.0, 0.0])
    """
    return SMOOTH.discard(obj)


def proj(a: Object, b: Object, i: int) -> Smooth:
    """``π0 : A @ B → A`` or ``π1 : A @ B → B``; ``R[π0]((x, y), u) = (u, 0)``.

    Example:
        >>> import jax.numpy as jnp
        >>> X, Y = ArrayType((2,)), ArrayType(())
        >>> p0, x, y = proj(X, Y, 0), jnp.array([1.0, 2.0]), jnp.array(3.0)
        >>> p0((x, y)).tolist(), [v.tolist() for v in p0.rd()((x, y, jnp.array([5.0, 6.0])))]
        ([1.0, 2.0], [[5.0, 6.0], 0.0])
    """
    return SMOOTH.proj(a, b, i)


def pair(f: Smooth, g: Smooth) -> Smooth:
    """``⟨f, g⟩ = Δ ; (f @ g)``; ``R[⟨f,g⟩](a, (b, c)) = R[f](a, b) + R[g](a, c)``.

    Example:
        >>> import jax.numpy as jnp
        >>> X = ArrayType((2,))
        >>> h, a = pair(sin(X), exp(X)), jnp.zeros(2)
        >>> [v.tolist() for v in h(a)], h.rd()((a, jnp.ones(2), jnp.ones(2))).tolist()
        ([[0.0, 0.0], [1.0, 1.0]], [2.0, 2.0])
    """
    return SMOOTH.pair(f, g)


def swap(a: Object, b: Object) -> Smooth:
    """The symmetry ``A @ B → B @ A``; ``R[swap]((x, y), (v, u)) = (u, v)``.

    Example:
        >>> import jax.numpy as jnp
        >>> f = swap(ArrayType((2,)), ArrayType(()))
        >>> [v.tolist() for v in f((jnp.array([1.0, 2.0]), jnp.array(3.0)))]
        [3.0, [1.0, 2.0]]
    """
    return SMOOTH.swap(a, b)


def add(obj: Object) -> Smooth:
    """Addition ``+ : A @ A → A``, a linear map with ``R[+](x, b) = (b, b)``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, x, y = add(ArrayType((2,))), jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0])
        >>> f((x, y)).tolist(), [v.tolist() for v in f.rd()((x, y, jnp.array([1.0, -1.0])))]
        ([4.0, 6.0], [[1.0, -1.0], [1.0, -1.0]])
    """
    return _primitive(f"add({obj})", obj @ obj, obj, lambda x: jax.tree.map(jnp.add, *x))


def multiply(obj: ArrayType) -> Smooth:
    """Elementwise product ``(x, y) ↦ x ⊙ y : X @ X → X``; ``R = (y ⊙ b, x ⊙ b)``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, x, y = multiply(ArrayType((2,))), jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0])
        >>> f((x, y)).tolist(), [v.tolist() for v in f.rd()((x, y, jnp.ones(2)))]
        ([3.0, 8.0], [[3.0, 4.0], [1.0, 2.0]])
    """
    return _primitive("multiply", obj @ obj, obj, lambda xy: xy[0] * xy[1])


def zero(a: Object, b: Object) -> Smooth:
    """The zero map ``0 : A → B``; ``R[0] = 0``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, a = zero(ArrayType((2,)), ArrayType(())), jnp.array([1.0, 2.0])
        >>> f(a).tolist(), f.rd()((a, jnp.array(5.0))).tolist()
        (0.0, [0.0, 0.0])
    """
    return SMOOTH.zero(a, b)


def negate(obj: Object) -> Smooth:
    """``x ↦ −x``, the additive inverse; ``R[−1](x, b) = −b``.

    Example:
        >>> import jax.numpy as jnp
        >>> f = negate(ArrayType((2,)))
        >>> f(jnp.array([1.0, -2.0])).tolist()
        [-1.0, 2.0]
    """
    return SMOOTH.negate(obj)


def scale(obj: ArrayType, c: float) -> Smooth:
    """``x ↦ c·x`` for a constant ``c`` (a hyperparameter, not a parameter).

    Example:
        >>> import jax.numpy as jnp
        >>> f, x = scale(ArrayType((2,)), 2.5), jnp.array([1.0, -2.0])
        >>> f, f(x).tolist(), f.rd()((x, jnp.ones(2))).tolist()
        (scale(2.5), [2.5, -5.0], [2.5, 2.5])
    """
    weak = float(c)  # a Python float is weakly typed: c·x keeps x's dtype, float32 or float64
    return _primitive(f"scale({c})", obj, obj, lambda x: weak * x)


def constant(value: Any, dom: Object = I) -> Smooth:
    """The constant map ``dom → A`` with value ``value`` (an array); ``R = 0``.

    Example:
        >>> import jax.numpy as jnp
        >>> f = constant(jnp.array([1.0, 2.0]), dom=ArrayType(()))
        >>> f.cod, f(jnp.array(7.0)).tolist(), f.rd()((jnp.array(7.0), jnp.ones(2))).tolist()
        (ArrayType((2,), 'float32'), [1.0, 2.0], 0.0)
    """
    try:
        value = jnp.asarray(value)
    except (TypeError, ValueError) as e:  # a dict, a tuple of dicts: parameters, not one array
        got = f"a dict with keys {sorted(value)}" if isinstance(value, dict) else type(value).__name__
        raise BadPoint(
            f"constant: the value must be one array, got {got} ({type(e).__name__}: {e}).\n"
            f"  To fix a model's parameters (a dict, or a tuple of dicts) at their values, "
            f"categories.freeze_params(model, params, *names) builds the constant "
            f"reparametrisation; smooth.constant takes one array at a time") from e
    cod = ArrayType(value.shape, value.dtype.name)
    return _primitive(f"constant({cod})", dom, cod, lambda x: value)


def linear(weight: Any) -> Smooth:
    """The linear map ``x ↦ W x`` for a fixed matrix ``W`` of shape ``(m, n)``.

    ``R[W·](x, b) = Wᵀ b``; its transpose ``f†`` is ``Wᵀ·``. For a learned
    ``W`` use :func:`categories.layers.linear`.

    Example:
        >>> import jax.numpy as jnp
        >>> f, x = linear(jnp.array([[1.0, 2.0], [0.0, 1.0]])), jnp.array([1.0, 1.0])
        >>> f, f(x).tolist(), f.dagger()(jnp.array([1.0, 0.0])).tolist()
        (linear(2→2), [3.0, 1.0], [1.0, 2.0])
    """
    weight = jnp.asarray(weight)
    if weight.ndim != 2:
        raise BadObject(f"linear: weight must be a matrix, got shape {weight.shape}")
    m, n = weight.shape
    dt = weight.dtype.name
    return _primitive(f"linear({n}→{m})", ArrayType((n,), dt), ArrayType((m,), dt),
                      lambda x: weight @ x)


def matmul(weight: ArrayType, x: ArrayType) -> Smooth:
    """The bilinear map ``(W, x) ↦ W x : weight @ x → y`` (the inside of a linear layer);
    ``R[·]((W, x), b) = (b xᵀ, Wᵀ b)``.

    Example:
        >>> import jax.numpy as jnp
        >>> f = matmul(ArrayType((1, 2)), ArrayType((2,)))
        >>> W, x = jnp.array([[1.0, 2.0]]), jnp.array([3.0, 4.0])
        >>> f.cod, f((W, x)).tolist(), [v.tolist() for v in f.rd()((W, x, jnp.array([1.0])))]
        (ArrayType((1,), 'float32'), [11.0], [[[3.0, 4.0]], [1.0, 2.0]])
    """
    if len(weight.shape) != 2 or weight.shape[1:] != x.shape[:1]:
        raise BadObject(f"matmul: cannot multiply {weight} by {x}")
    y = ArrayType(weight.shape[:1] + x.shape[1:], x.dtype)
    return _primitive("matmul", weight @ x, y, lambda wx: wx[0] @ wx[1])


def _elementwise(name: str, f, formula: str, x: list, shown: str):
    def make(obj: ArrayType) -> Smooth:
        return _primitive(name, obj, obj, f)
    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"""The elementwise map ``{name} : X → X``, {formula}.

    Example: its values and ``R[{name}](x, 1)`` at ``x = {x}``.

        >>> import jax.numpy as jnp
        >>> f, x = {name}(ArrayType((2,))), jnp.array({x})
        >>> {shown}
    """
    return make


_SHOW = "f(x).tolist(), f.rd()((x, jnp.ones(2))).tolist()"
sigmoid = _elementwise("sigmoid", jax.nn.sigmoid, "``σ(x) = 1/(1 + e⁻ˣ)``, ``σ' = σ(1 − σ)``",
                       [0.0, 0.0], _SHOW + "\n        ([0.5, 0.5], [0.25, 0.25])")
tanh = _elementwise("tanh", jnp.tanh, "``tanh' = 1 − tanh²``", [0.0, 0.0],
                    _SHOW + "\n        ([0.0, 0.0], [1.0, 1.0])")
relu = _elementwise("relu", jax.nn.relu, "``max(x, 0)``, with ``relu'(0) = 0``", [-1.0, 2.0],
                    _SHOW + "\n        ([0.0, 2.0], [0.0, 1.0])")
softplus = _elementwise("softplus", jax.nn.softplus, "``log(1 + eˣ)``, ``softplus' = σ``", [0.0, 0.0],
                        "[round(v, 4) for v in f(x).tolist()], f.rd()((x, jnp.ones(2))).tolist()"
                        "\n        ([0.6931, 0.6931], [0.5, 0.5])")
exp = _elementwise("exp", jnp.exp, "``exp' = exp``", [0.0, 0.0],
                   _SHOW + "\n        ([1.0, 1.0], [1.0, 1.0])")
log = _elementwise("log", jnp.log, "``log' x = 1/x`` (defined for ``x > 0``)", [1.0, 2.0],
                   "[round(v, 4) for v in f(x).tolist()], f.rd()((x, jnp.ones(2))).tolist()"
                   "\n        ([0.0, 0.6931], [1.0, 0.5])")
sin = _elementwise("sin", jnp.sin, "``sin' = cos``", [0.0, 0.0],
                   _SHOW + "\n        ([0.0, 0.0], [1.0, 1.0])")


def softmax(obj: ArrayType) -> Smooth:
    """``softmax(z)_i = exp z_i / Σ_j exp z_j`` along the last axis.

    Example:
        >>> import jax.numpy as jnp
        >>> f, z = softmax(ArrayType((2,))), jnp.zeros(2)
        >>> f(z).tolist(), f.rd()((z, jnp.array([1.0, 0.0]))).tolist()
        ([0.5, 0.5], [0.25, -0.25])
    """
    return _primitive("softmax", obj, obj, lambda z: jax.nn.softmax(z, axis=-1))


def sum(obj: ArrayType) -> Smooth:  # noqa: A001
    """``x ↦ Σ_i x_i : X → f[]``; ``R[Σ](x, b) = b·1``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, x = sum(ArrayType((2,))), jnp.array([1.0, 2.0])
        >>> f(x).tolist(), f.rd()((x, jnp.array(3.0))).tolist()
        (3.0, [3.0, 3.0])
    """
    return _primitive("sum", obj, ArrayType((), obj.dtype), jnp.sum)


def mean(obj: ArrayType) -> Smooth:
    """``x ↦ (1/n) Σ_i x_i : X → f[]``; ``R(x, b) = (b/n)·1``.

    Example:
        >>> import jax.numpy as jnp
        >>> f, x = mean(ArrayType((2,))), jnp.array([1.0, 2.0])
        >>> f(x).tolist(), f.rd()((x, jnp.array(3.0))).tolist()
        (1.5, [1.5, 1.5])
    """
    return _primitive("mean", obj, ArrayType((), obj.dtype), jnp.mean)


def reshape(obj: ArrayType, shape: tuple[int, ...]) -> Smooth:
    """Reshape ``obj`` to ``shape`` (same number of elements).

    Example:
        >>> import jax.numpy as jnp
        >>> f = reshape(ArrayType((4,)), (2, 2))
        >>> f.cod, f(jnp.arange(4.0)).tolist()
        (ArrayType((2, 2), 'float32'), [[0.0, 1.0], [2.0, 3.0]])
    """
    cod = ArrayType(shape, obj.dtype)
    if cod.size != obj.size:
        raise BadObject(f"reshape: cannot reshape {obj} ({obj.size} elements) to {cod} "
                         f"({cod.size} elements)")
    return _primitive(f"reshape({cod})", obj, cod, lambda x: jnp.reshape(x, cod.shape))


def flatten(obj: ArrayType) -> Smooth:
    """Flatten ``obj`` to a vector.

    Example:
        >>> import jax.numpy as jnp
        >>> f = flatten(ArrayType((2, 2)))
        >>> f.cod, f(jnp.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        (ArrayType((4,), 'float32'), [1.0, 2.0, 3.0, 4.0])
    """
    cod = ArrayType((obj.size,), obj.dtype)
    return _primitive("flatten", obj, cod, lambda x: jnp.reshape(x, cod.shape))


def correlate2d(kernel: ArrayType, image: ArrayType) -> Smooth:
    """Valid 2-D cross-correlation ``(K, x) ↦ K ⋆ x : kernel @ image → out``.

    ``image`` is ``(H, W, C_in)``, ``kernel`` is ``(kh, kw, C_in, C_out)`` and the
    output is ``(H − kh + 1, W − kw + 1, C_out)``: what Keras' ``Conv2D`` with
    ``use_bias=False`` and ``padding="valid"`` computes.

    Example: a 2×2 kernel of ones sums each 2×2 window.

        >>> import jax.numpy as jnp
        >>> f = correlate2d(ArrayType((2, 2, 1, 1)), ArrayType((3, 3, 1)))
        >>> y = f((jnp.ones((2, 2, 1, 1)), jnp.arange(9.0).reshape(3, 3, 1)))
        >>> f.cod, y[..., 0].tolist()
        (ArrayType((2, 2, 1), 'float32'), [[8.0, 12.0], [20.0, 24.0]])
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

    return _primitive(f"correlate2d({kh}×{kw}, {kernel.shape[2]}→{c_out})", kernel @ image, out, fn)


def max_pool2d(image: ArrayType, window: int = 2) -> Smooth:
    """Non-overlapping ``window × window`` max pooling of an ``(H, W, C)`` image; ``R``
    routes each cotangent to its window's maximum.

    Example:
        >>> import jax.numpy as jnp
        >>> f = max_pool2d(ArrayType((2, 2, 1)))
        >>> x = jnp.array([[1.0, 4.0], [3.0, 2.0]]).reshape(2, 2, 1)
        >>> f(x).tolist(), f.rd()((x, jnp.ones((1, 1, 1))))[..., 0].tolist()
        ([[[4.0]]], [[0.0, 1.0], [0.0, 0.0]])
    """
    if len(image.shape) != 3:
        raise BadObject(f"max_pool2d: expected an (H, W, C) image, got {image}")
    h, w, c = image.shape
    out = ArrayType((h // window, w // window, c), image.dtype)

    def fn(x):
        x = x[: out.shape[0] * window, : out.shape[1] * window]
        return lax.reduce_window(x, -jnp.inf, lax.max, (window, window, 1),
                                 (window, window, 1), "VALID")

    return _primitive(f"max_pool2d({window})", image, out, fn)
