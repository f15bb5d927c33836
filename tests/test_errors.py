"""Misuse → exception type and message, and how morphisms print.

Each row of ``MISUSE`` is ``(id, thunk, exception type, regex)``; the regex is
built with :func:`names` from literal fragments that must appear in order, so
every message is checked to name *both* sides of the mismatch (both objects,
both morphisms, or both categories).
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from categories import (SMOOTH, ArrayType, AxiomError, BadPoint, I, LawViolation, NotComposable,
                        Para, Record, layers, smooth)
from lenses import Lens, LensType, as_lens

X4, X8, X16 = (ArrayType((n,)) for n in (4, 8, 16))
DENSE_P = "{bias: f32[16], weight: f32[16,4]}"


def names(*fragments: str) -> str:
    """A regex matching the literal ``fragments`` in this order, across lines."""
    return "(?s)" + ".*".join(map(re.escape, fragments))


def boom(x):
    raise RuntimeError("the function was called: the error came too late")


def boom_prim(name, dom, cod):
    return smooth.primitive(name, dom, cod, boom)


sin4, exp4, sin8 = smooth.sin(X4), smooth.exp(X4), smooth.sin(X8)
lens4 = as_lens(smooth.sin(X4))
REC = Record(weight=X4, bias=X8)
z4 = jnp.zeros(4)

# Categories: Smooth, Lens(Smooth), Para(Smooth), Para(Lens(Smooth)).
SM, LS = "sin (Smooth)", "R(sin) (Lens(Smooth))"

MISUSE = [
    # -- composing f : A → B with g : C → D, B ≠ C ---------------------------------
    ("smooth>>", lambda: smooth.sin(X16) >> smooth.exp(X8), NotComposable,
     names("sin >> exp", "f32[16]", "f32[8]")),
    ("smooth<<", lambda: smooth.exp(X8) << smooth.sin(X16), NotComposable,
     names("sin >> exp", "f32[16]", "f32[8]")),
    ("smooth-then-2nd-joint", lambda: SMOOTH.then(sin4, exp4, sin8), NotComposable,
     names("exp >> sin", "f32[4]", "f32[8]")),
    ("smooth-tensor>>", lambda: (sin4 @ sin8) >> sin4, NotComposable,
     names("sin @ sin >> sin", "f32[4] @ f32[8]", "f32[4]")),
    ("para>>", lambda: layers.dense(4, 16) >> layers.dense(8, 3), NotComposable,
     names("dense(4→16) >> dense(8→3)", "f32[16]", "f32[8]")),
    ("para>>smooth", lambda: layers.dense(4, 16) >> sin8, NotComposable,
     names("dense(4→16) >> sin", "f32[16]", "f32[8]")),
    ("conv2d-channels", lambda: layers.conv2d(ArrayType((8, 8, 1)), (3, 3), 2)
     >> layers.conv2d(ArrayType((6, 6, 3)), (3, 3), 2), NotComposable,
     names("conv2d(3×3, 1→2) >> conv2d(3×3, 3→2)", "f32[6,6,2]", "f32[6,6,3]")),
    ("lens>>", lambda: as_lens(smooth.sin(X16)) >> as_lens(smooth.exp(X8)), NotComposable,
     names("R(sin) >> R(exp)", "(f32[16], f32[16])", "(f32[8], f32[8])")),
    ("paralens>>", lambda: as_lens(layers.dense(4, 16)) >> as_lens(layers.dense(8, 3)),
     NotComposable,
     names("dense(4→16) >> dense(8→3)", "(f32[16], f32[16])", "(f32[8], f32[8])")),
    # -- morphisms of different categories ------------------------------------------
    ("smooth>>lens", lambda: sin4 >> lens4, NotComposable, names("compose", SM, LS)),
    ("lens>>smooth", lambda: lens4 >> sin4, NotComposable, names("compose", LS, SM)),
    ("smooth@lens", lambda: sin4 @ lens4, NotComposable, names("tensor", SM, LS)),
    ("smooth+lens", lambda: sin4 + lens4, NotComposable, names("add", SM, LS)),
    ("pair-smooth-lens", lambda: SMOOTH.pair(sin4, lens4), NotComposable, names("pair", SM, LS)),
    ("para>>lens", lambda: layers.dense(4, 4) >> lens4, NotComposable,
     names("dense(4→4) (Para(Smooth))", LS)),
    ("para(smooth)>>para(lens)", lambda: layers.dense(4, 4) >> as_lens(layers.dense(4, 4)),
     NotComposable, names("compose", "(Para(Smooth))", "(Para(Lens(Smooth)))")),
    ("para(smooth)@para(lens)", lambda: layers.dense(4, 4) @ as_lens(layers.dense(4, 4)),
     NotComposable, names("tensor", "(Para(Smooth))", "(Para(Lens(Smooth)))")),
    ("para(lens)>>smooth", lambda: as_lens(layers.dense(4, 4)) >> sin4, NotComposable,
     names("(Para(Lens(Smooth)))", SM)),
    # -- a morphism with a non-morphism ----------------------------------------------
    ("smooth>>3", lambda: sin4 >> 3, NotComposable, names("sin >> 3", "morphisms")),
    ("smooth<<3", lambda: sin4 << 3, NotComposable, names("3 >> sin", "morphisms")),
    ("smooth@3", lambda: sin4 @ 3, NotComposable, names("sin @ 3", "morphisms")),
    ("smooth+3", lambda: sin4 + 3, NotComposable, names("sin + 3", "morphisms")),
    ("3>>smooth", lambda: 3 >> sin4, NotComposable, names("3 >> sin")),
    ("para>>3", lambda: layers.dense(4, 4) >> 3, NotComposable, names("dense(4→4) >> 3")),
    ("lens>>3", lambda: lens4 >> 3, NotComposable, names("R(sin) >> 3")),
    # -- adding non-parallel morphisms, pairing different domains ------------------
    ("add-non-parallel", lambda: sin4 + smooth.exp(X8), NotComposable,
     names("sin : f32[4] → f32[4]", "exp : f32[8] → f32[8]")),
    ("add-lenses", lambda: lens4 + as_lens(smooth.exp(X4)), NotComposable,
     names("R(sin)", "R(exp)", "Lens(Smooth)")),
    ("add-paras", lambda: layers.dense(4, 4) + layers.bias(4), NotComposable,
     names("dense(4→4)", "bias(4)", "Para(Smooth)")),
    ("pair-domains", lambda: SMOOTH.pair(sin4, smooth.exp(X8)), NotComposable,
     names("sin", "exp", "f32[4] ≠ f32[8]")),
    # -- reparametrisation ---------------------------------------------------------
    ("reparam-codomain", lambda: layers.dense(4, 16).reparam(smooth.constant(jnp.zeros(3))),
     NotComposable, names("dense(4→16)", "constant(f32[3])", "f32[3]", DENSE_P)),
    ("reparam-lens", lambda: layers.dense(4, 16).reparam(lens4), NotComposable,
     names("dense(4→16)", LS)),
    # r must live in the base category Smooth: the message must say so, not
    # "Para(Smooth) … Para(Smooth): they live in different categories".
    ("reparam-para", lambda: layers.dense(4, 16).reparam(layers.dense(4, 4)), NotComposable,
     r"(?s)^(?=.*dense\(4→4\))(?=.*Para\(Smooth\))(?=.*(?<![A-Za-z]\()\bSmooth\b)"),
    ("reparam-no-init", lambda: layers.dense(4, 16).reparam(
        smooth.zero(X4, layers.dense(4, 16).param)), TypeError,
     names("zero(f32[4], " + DENSE_P, "init=", "f32[4]")),
    # -- constructing Para and Lens ------------------------------------------------
    ("para-inside-dom", lambda: Para(X4, X8, smooth.add(X4), name="p"), NotComposable,
     names("f32[4] @ f32[8]", "add(f32[4])", "f32[4] @ f32[4]")),
    ("lens-put-dom", lambda: Lens(sin4, smooth.proj(X8, X4, 1)), NotComposable,
     names("f32[4]", "f32[8] @ f32[4]", "sin : f32[4] → f32[4]")),
    ("lens-categories", lambda: Lens(sin4, lens4), NotComposable, names(SM, LS)),
    # -- calling on a bad point ----------------------------------------------------
    ("call-shape", lambda: sin4(jnp.zeros(5)), BadPoint, names("sin", "f32[4]", "(5,)")),
    ("call-shape-jit", lambda: jax.jit(sin4)(jnp.zeros(5)), BadPoint, names("f32[4]", "(5,)")),
    ("call-dtype", lambda: sin4(np.zeros(4)), BadPoint, names("sin", "f32[4]", "float64")),
    ("call-tuple-length", lambda: smooth.add(X4)((z4,)), BadPoint,
     names("tuple of 2", "f32[4] @ f32[4]", "length 1")),
    ("call-not-tuple", lambda: smooth.add(X4)(z4), BadPoint,
     names("tuple of 2", "f32[4] @ f32[4]", "ArrayImpl")),
    ("call-record-keys", lambda: smooth.primitive("g", REC, X4, lambda p: p["weight"])(
        {"weight": z4}), BadPoint, names("['bias', 'weight']", "['weight']")),
    ("call-not-array", lambda: sin4([0.0] * 4), BadPoint, names("array f32[4]", "list")),
    ("para-param-shape", lambda: layers.dense(4, 16)(
        {"weight": jnp.zeros((4, 16)), "bias": jnp.zeros(16)}, z4), BadPoint,
     names("dense(4→16)", "parameters", "['weight']", "f32[16,4]", "(4, 16)")),
    ("para-param-dtype", lambda: layers.dense(4, 16)(
        {"weight": np.zeros((16, 4)), "bias": jnp.zeros(16)}, z4), BadPoint,
     names("parameters", "['weight']", "f32[16,4]", "float64")),
    ("para-input", lambda: layers.dense(4, 16)(
        layers.dense(4, 16).init(jax.random.key(0)), jnp.zeros(3)), BadPoint,
     names("dense(4→16)", "input", "f32[4]", "(3,)")),
    # -- primitives given objects that do not fit ----------------------------------
    ("reshape-size", lambda: smooth.reshape(X4, (3,)), ValueError,
     names("f32[4]", "4 elements", "f32[3]", "3 elements")),
    ("matmul-shapes", lambda: smooth.matmul(ArrayType((3, 4)), X8), ValueError,
     names("f32[3,4]", "f32[8]")),
    ("linear-non-matrix", lambda: smooth.linear(jnp.zeros(3)), ValueError,
     names("matrix", "(3,)")),
    ("correlate2d-channels", lambda: smooth.correlate2d(ArrayType((3, 3, 2, 4)),
                                                        ArrayType((8, 8, 1))), ValueError,
     names("f32[3,3,2,4]", "f32[8,8,1]")),
]


@pytest.mark.parametrize("thunk, exc, regex", [r[1:] for r in MISUSE], ids=[r[0] for r in MISUSE])
def test_misuse_raises(thunk, exc, regex):
    with pytest.raises(exc, match=regex):
        thunk()


@pytest.mark.parametrize("thunk", [r[1] for r in MISUSE], ids=[r[0] for r in MISUSE])
def test_every_error_is_an_axiom_error(thunk):
    """categories/_errors.py: every error paralens raises subclasses AxiomError."""
    with pytest.raises(AxiomError):
        thunk()


def test_hierarchy():
    assert issubclass(NotComposable, TypeError) and issubclass(NotComposable, AxiomError)
    assert issubclass(BadPoint, ValueError) and issubclass(BadPoint, AxiomError)
    assert issubclass(LawViolation, AssertionError) and issubclass(LawViolation, AxiomError)


BEFORE_TRACING = [
    ("then", lambda: boom_prim("a", X4, X8) >> boom_prim("b", X16, X4)),
    ("tensor-then", lambda: (boom_prim("a", X4, X8) @ boom_prim("b", X4, X4))
     >> boom_prim("c", X4, X4)),
    ("rd-then", lambda: boom_prim("a", X4, X8).rd() >> boom_prim("b", X16, X4)),
    ("lens", lambda: as_lens(boom_prim("a", X4, X8)) >> as_lens(boom_prim("b", X16, X4))),
    ("para", lambda: Para(X4, X4, boom_prim("p", X4 @ X4, X8), name="p")
     >> Para(X4, X16, boom_prim("q", X4 @ X16, X4), name="q")),
    ("paralens", lambda: as_lens(Para(X4, X4, boom_prim("p", X4 @ X4, X8), name="p"))
     >> as_lens(boom_prim("b", X16, X4))),
]


@pytest.mark.parametrize("thunk", [r[1] for r in BEFORE_TRACING],
                         ids=[r[0] for r in BEFORE_TRACING])
def test_mismatch_raises_before_tracing(thunk):
    """Checks are static: the (raising) functions inside are never called."""
    with pytest.raises(NotComposable):
        thunk()


def test_well_typed_composites_do_not_trace_and_bad_points_are_caught_first():
    f = boom_prim("a", X4, X8) >> boom_prim("b", X8, X4)
    model = layers.dense(4, 8) >> boom_prim("c", X8, X4)
    lens = as_lens(f) >> as_lens(boom_prim("d", X4, X4))
    with pytest.raises(BadPoint):
        f(jnp.zeros(5))
    with pytest.raises(BadPoint, match=re.escape("['bias']")):
        model({"weight": jnp.zeros((8, 4)), "bias": z4}, z4)
    assert repr(f.rd()) == "R[a >> b]" and repr(lens) == "R(a >> b) >> R(d)"


PRINTING = [
    ("model", lambda: layers.linear(4, 20) >> layers.bias(20) >> smooth.sigmoid(ArrayType((20,))),
     "linear(4→20) >> bias(20) >> sigmoid"),
    ("f32", lambda: str(ArrayType((16,))), "f32[16]"),
    ("f64-matrix", lambda: str(ArrayType((3, 2), "float64")), "f64[3,2]"),
    ("scalar", lambda: str(ArrayType(())), "f32[]"),
    ("unit", lambda: str(I), "I"),
    ("product", lambda: str(X4 @ X8 @ I), "f32[4] @ f32[8]"),
    ("record", lambda: str(REC), "{bias: f32[8], weight: f32[4]}"),
    ("lens-type", lambda: str(LensType(X4, X8) @ LensType(X4, X8)),
     "(f32[4] @ f32[4], f32[8] @ f32[8])"),
    ("tensor", lambda: sin4 @ exp4, "sin @ exp"),
    ("tensor-of-chain", lambda: (sin4 >> exp4) @ exp4, "(sin >> exp) @ exp"),
    ("sum", lambda: sin4 + exp4, "sin + exp"),
    ("chain-of-sum", lambda: (sin4 + exp4) >> sin4, "sin + exp >> sin"),
    ("flat-chain", lambda: (sin4 >> exp4) >> (sin4 >> exp4), "sin >> exp >> sin >> exp"),
    ("ids-vanish", lambda: SMOOTH.id(X4) >> sin4 >> SMOOTH.id(X4), "sin"),
    ("rd", lambda: sin4.rd(), "R[sin]"),
    ("rd-chain", lambda: (sin4 >> exp4).rd(), "R[sin >> exp]"),
    ("rd-rd", lambda: sin4.rd().rd(), "R[R[sin]]"),
    ("dense", lambda: layers.dense(4, 3, smooth.sigmoid), "dense(4→3, sigmoid)"),
    ("para-tensor", lambda: layers.dense(4, 4) @ layers.bias(4), "dense(4→4) @ bias(4)"),
    ("lens-chain", lambda: lens4 >> as_lens(exp4), "R(sin) >> R(exp)"),
    ("lens-tensor", lambda: lens4 @ as_lens(exp4), "R(sin) @ R(exp)"),
    ("paralens", lambda: as_lens(layers.dense(4, 3) >> layers.bias(3)), "dense(4→3) >> bias(3)"),
    ("categories", lambda: [SMOOTH, lens4.category, layers.bias(4).category,
                            as_lens(layers.bias(4)).category],
     "[Smooth, Lens(Smooth), Para(Smooth), Para(Lens(Smooth))]"),
]


@pytest.mark.parametrize("thunk, expected", [r[1:] for r in PRINTING], ids=[r[0] for r in PRINTING])
def test_printing(thunk, expected):
    value = thunk()
    assert (value if isinstance(value, str) else repr(value)) == expected
