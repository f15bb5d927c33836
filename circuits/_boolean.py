"""The Boolean derivative: RDA's brute-force ``rdiffB``, for lenses.

For a circuit whose polynomial is not multilinear (``pseudo_linear``), the
formal derivative ``R`` differs from the derivative of the Boolean function it
computes. The Boolean derivative is

    ∂f(x, dy)_i = parity((f(x) ⊕ f(x ⊕ e_i)) ∧ dy)

(theory §4.2). ``f ↦ (f, ∂f)`` is not a functor (the Boolean derivative has
no chain rule): it is one of the "other backward passes" CFGBL §6 allows, used
as ``lenses.as_lens(f, derivative=BOOLEAN_DERIVATIVE)`` or
``learners.supervised(..., derivative=BOOLEAN_DERIVATIVE)``.

Example:
    >>> from circuits import CIRCUIT, Bits, bits, gates
    >>> square = CIRCUIT.copy(Bits(1)) >> gates.and_()
    >>> y, pullback = BOOLEAN_DERIVATIVE.vjp(square, bits([1]))
    >>> pullback(bits([1])).tolist(), square.rd()((bits([1]), bits([1]))).tolist()
    ([1], [0])
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from categories import BadObject, I, factors

from ._circuit import CIRCUIT, Circuit, wires_of

__all__ = ["BOOLEAN_DERIVATIVE", "BooleanDerivative"]


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
    if not parts:
        return jnp.zeros((0,), jnp.uint8)
    return jnp.concatenate([jnp.asarray(v, jnp.uint8) for v in parts], axis=-1)


def _point(obj, cols):
    """Inverse of :func:`_columns`."""
    out, k = [], 0
    for f in factors(obj):
        out.append(cols[..., k:k + f.n])
        k += f.n
    return out[0] if len(out) == 1 else tuple(out)


class BooleanDerivative:
    """The derivative of the Boolean function, ``∂f(x, dy)_i = parity((f(x) ⊕ f(x ⊕ e_i)) ∧ dy)``.

    Supplies what ``lenses.as_lens(f, derivative=...)`` needs: ``rd(f)``, the
    circuit of ``∂f`` (``n + 1`` copies of ``f``, built when asked for), and
    ``vjp(f, x)``, which runs ``f`` on the ``n + 1`` inputs at once.

    Example: ``x · x`` computes the function ``x``: ``∂ = 1`` where the formal ``R = 2x = 0``.

        >>> from circuits import CIRCUIT, Bits, bits, gates
        >>> square, x, d = CIRCUIT.copy(Bits(1)) >> gates.and_(), bits([1]), bits([1])
        >>> BooleanDerivative().rd(square)((x, d)).tolist(), square.rd()((x, d)).tolist()
        ([1], [0])
    """

    def __repr__(self) -> str:
        return "BOOLEAN_DERIVATIVE"

    def rd(self, f: Circuit) -> Circuit:
        """The circuit ``f.dom @ f.cod → f.dom`` of ``∂f``."""
        _check(f)
        return _put_circuit(f)

    def vjp(self, f: Circuit, x):
        """``(f(x), dy ↦ ∂f(x, dy))``, evaluating ``f`` once on a batch of ``n + 1`` inputs."""
        _check(f)
        n = f.net.n_inputs
        variants = CIRCUIT.batch(f, I, n + 1)
        flips = np.vstack([np.zeros((1, n), np.uint8), np.eye(n, dtype=np.uint8)])
        rows = _columns(f.dom, x)[None, :] ^ flips          # x, then x ⊕ e_i
        outs = variants.fn(_point(variants.dom, rows))
        ys = _columns(variants.cod, outs) if factors(f.cod) else jnp.zeros((n + 1, 0), jnp.uint8)

        def pullback(dy):
            changed = ys[1:] ^ ys[:1]                       # f(x ⊕ e_i) ⊕ f(x)
            grads = jnp.sum((changed & _columns(f.cod, dy)[None, :]).astype(jnp.int32),
                            axis=-1) % 2
            return _point(f.dom, grads.astype(jnp.uint8))

        return _point(f.cod, ys[0]), pullback


def _check(f: Circuit) -> None:
    if any(wires_of(f.dom)):
        raise BadObject(f"the Boolean derivative of {f!r}: it is batched; take it per example")


BOOLEAN_DERIVATIVE = BooleanDerivative()
"""RDA's brute-force ``rdiffB``, as a derivative ``as_lens`` and ``supervised`` accept."""
