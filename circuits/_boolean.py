"""The Boolean derivative as a lens: RDA's brute-force ``rdiffB``.

For a circuit whose polynomial is not multilinear (``pseudo_linear``), the
formal derivative ``R`` differs from the derivative of the Boolean function it
computes. ``boolean_lens(f)`` is the lens ``(f, ∂f)`` with

    ∂f(x, dy)_i = parity((f(x) ⊕ f(x ⊕ e_i)) ∧ dy)

(theory §4.2). It is not a functor (the Boolean derivative has no chain
rule), one of the "other backward passes" CFGBL §6 allows: pass it to
``learners.supervised(..., backward=boolean_lens)``. Running it evaluates
``f`` on the ``n + 1`` inputs at once; its ``put`` as a circuit (``n + 1``
copies of ``f``) is built only when asked for.

Example:
    >>> from circuits import CIRCUIT, Bits, bits, gates
    >>> square = CIRCUIT.copy(Bits(1)) >> gates.and_()
    >>> lens = boolean_lens(square)
    >>> y, residual = lens.forward(bits([1]))
    >>> lens.backward(residual, bits([1])).tolist(), square.rd()((bits([1]), bits([1]))).tolist()
    ([1], [0])
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from multipledispatch import dispatch

from categories import BadObject, I, Para, factors
from categories._abc import DISPATCH
from lenses import Lens, diagonal

from ._circuit import CIRCUIT, Circuit, wires_of

__all__ = ["boolean_lens"]


def _put_circuit(f: Circuit) -> Circuit:
    n = f.net.n_inputs

    def build(b):
        x, dy = list(range(n)), list(range(n, n + len(f.net.outputs)))
        base = b.copy_gates(f.net, x)
        fx = [base[o] for o in f.net.outputs]
        grads = []
        for i in range(n):
            flipped = x.copy()
            flipped[i] = b.xor(x[i], b.const(1))
            wires = b.copy_gates(f.net, flipped)
            acc = b.const(0)
            for j, o in enumerate(f.net.outputs):
                acc = b.xor(acc, b.and_(b.xor(fx[j], wires[o]), dy[j]))
            grads.append(acc)
        return grads

    return CIRCUIT._make(f.dom @ f.cod, f.dom, build, f"∂[{f!r}]")


def _columns(obj, x):
    """A point of ``obj`` (leading batch axes allowed) as one array of its wires, last axis."""
    parts = x if len(factors(obj)) != 1 else (x,)
    return jnp.concatenate([jnp.asarray(v, jnp.uint8) for v in parts], axis=-1)


def _point(obj, cols):
    """Inverse of :func:`_columns`."""
    out, k = [], 0
    for f in factors(obj):
        out.append(cols[..., k:k + f.n])
        k += f.n
    return out[0] if len(out) == 1 else tuple(out)


@dispatch(Circuit, namespace=DISPATCH)
def boolean_lens(f):
    """``(f, ∂f)`` with the brute-force Boolean derivative (see the module docstring)."""
    if any(wires_of(f.dom)):
        raise BadObject(f"boolean_lens: {f!r} is batched; take the Boolean derivative per example")
    n = f.net.n_inputs
    variants = CIRCUIT.batch(f, I, n + 1)
    flips = np.vstack([np.zeros((1, n), np.uint8), np.eye(n, dtype=np.uint8)])

    def forward(x):
        rows = _columns(f.dom, x)[None, :] ^ flips          # x, then x ⊕ e_i
        ys = _columns(variants.cod, variants.fn(_point(variants.dom, rows)))
        return _point(f.cod, ys[0]), ys

    def backward(ys, dy):
        changed = ys[1:] ^ ys[:1]                           # f(x ⊕ e_i) ⊕ f(x)
        grads = jnp.sum((changed & _columns(f.cod, dy)[None, :]).astype(jnp.int32), axis=-1) % 2
        return _point(f.dom, grads.astype(jnp.uint8))

    return Lens(f, lambda: _put_circuit(f), dom_bwd=f.dom, cod_bwd=f.cod, forward=forward,
                backward=backward, name=f"boolean_lens({f!r})")


@dispatch(Para, namespace=DISPATCH)
def boolean_lens(f):  # noqa: F811
    """On a Para circuit: the Boolean derivative of its inside, parameters included."""
    return f.map(diagonal, boolean_lens)
