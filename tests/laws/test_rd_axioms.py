"""RD.1–RD.7 over every primitive and over generated composites, and every primitive
against finite differences and jax.jvp (``check_derivative``); the composites'
derivatives are checked in bulk in ``test_derivatives.py``."""

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from categories import SMOOTH, BadPoint, laws
from tests.laws.instances import INSTANCES, KINKED, LINEAR, PRIMITIVES, distinct

CATS = sorted(INSTANCES)


def _composite(data, S, depth=2):
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    return data.draw(S.arrows(A, B, depth), "f")


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=12)  # × 28 primitives; composites below get the full budget
@given(data=st.data())
def test_primitive_against_references_and_rd(name, data):
    S = INSTANCES["smooth"]
    f = data.draw(PRIMITIVES[name], "f")
    a, a2, u, w = data.draw(distinct(S, f.dom, 4), "a, a2, u, w")
    b, b2 = data.draw(distinct(S, f.cod, 2), "b, b2")
    SMOOTH.check_point(f.cod, f(a), f"{f}: output")  # built-ins are not traced when made
    try:
        laws.check_derivative(f, a, b)
    except BadPoint:
        if name not in KINKED:
            raise
        event("at a kink: finite differences skipped")
    laws.check_rd2(f, a, b, b2)
    laws.check_rd6(f, a, b, b2)
    laws.check_rd7(f, a, a2, u, w)
    g = data.draw(S.arrows(f.dom, f.cod, 0), "g")
    laws.check_rd1(f, g, a, b)
    h = data.draw(S.arrows(f.cod, data.draw(S.objects(), "C"), 0), "h")
    laws.check_rd5(f, h, a, data.draw(S.points(h.cod), "c"))
    if name in LINEAR:
        laws.check_linear(f, a, a2, b)


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_rd1_rd2_rd4_on_composites(cat, data):
    S = INSTANCES[cat]
    f = _composite(data, S)
    g = data.draw(S.arrows(f.dom, f.cod, 1), "g")
    C = data.draw(S.objects(), "C")
    k = data.draw(S.arrows(f.dom, C, 1), "k")
    a = data.draw(S.points(f.dom), "a")
    b, b2 = data.draw(distinct(S, f.cod, 2), "b, b2")
    laws.check_rd1(f, g, a, b)
    laws.check_rd2(f, a, b, b2)
    laws.check_rd4(f, k, a, b, data.draw(S.points(C), "c"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_rd3_identities_and_projections(cat, data):
    S = INSTANCES[cat]
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    x, u = data.draw(distinct(S, A, 2), "x, u")
    y, v = data.draw(distinct(S, B, 2), "y, v")
    laws.check_rd3(S.category, A, B, x, y, u, v)


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_rd5_chain_rule_on_composites(cat, data):
    S = INSTANCES[cat]
    f, h = data.draw(S.composable(2, max_depth=2), "f, h")
    laws.check_rd5(f, h, data.draw(S.points(f.dom), "a"), data.draw(S.points(h.cod), "c"))


@pytest.mark.parametrize("cat", CATS)
@given(data=st.data())
def test_all_axioms_on_composites(cat, data):
    """RD.1–RD.7 (``check_rd_axioms``) with every point drawn on its own, distinct from
    the others of its object; D (from ``R``) against ``jax.jvp`` too."""
    S = INSTANCES[cat]
    A, B, C = (data.draw(S.objects(), n) for n in "ABC")
    f, g = data.draw(S.parallel(2, A, B), "f, g")
    h = data.draw(S.arrows(B, C, 1), "h")
    a, u, v, w = data.draw(distinct(S, A, 4), "a, u, v, w")
    b, b2 = data.draw(distinct(S, B, 2), "b, b2")
    laws.check_rd_axioms(f, g, h, a, b, b2, data.draw(S.points(C), "c"), u, v, w)
    if cat == "smooth":
        laws.check_jvp(f, a, u)
