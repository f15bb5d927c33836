"""RD.1–RD.7, R against jax.vjp, D against jax.jvp: over every primitive and over
generated composites."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from categories import laws
from tests.laws.instances import INSTANCES, LINEAR, PRIMITIVES

CATS = list(INSTANCES.items())


def _composite(data, S, depth=2):
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    return data.draw(S.arrows(A, B, depth), "f")


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=12)  # × 28 primitives; composites below get the full budget
@given(data=st.data())
def test_primitive_against_jax_and_rd(name, data):
    S = INSTANCES["smooth"]
    f = data.draw(PRIMITIVES[name], "f")
    a, a2 = data.draw(S.points(f.dom), "a"), data.draw(S.points(f.dom), "a2")
    b, b2 = data.draw(S.points(f.cod), "b"), data.draw(S.points(f.cod), "b2")
    laws.check_vjp(f, a, b)
    laws.check_jvp(f, a, a2)
    laws.check_rd2(f, a, b, b2)
    laws.check_rd6(f, a, b, b2)
    laws.check_rd7(f, a, a2, a, a2)
    g = data.draw(S.arrows(f.dom, f.cod, 0), "g")
    laws.check_rd1(f, g, a, b)
    h = data.draw(S.arrows(f.cod, data.draw(S.objects(), "C"), 0), "h")
    laws.check_rd5(f, h, a, data.draw(S.points(h.cod), "c"))
    if name in LINEAR:
        laws.check_linear(f, a, a2, b)


@pytest.mark.parametrize("cat", [c for c, _ in CATS])
@given(data=st.data())
def test_rd1_rd2_rd4_on_composites(cat, data):
    S = INSTANCES[cat]
    f = _composite(data, S)
    g = data.draw(S.arrows(f.dom, f.cod, 1), "g")
    C = data.draw(S.objects(), "C")
    k = data.draw(S.arrows(f.dom, C, 1), "k")
    a = data.draw(S.points(f.dom), "a")
    b, b2 = data.draw(S.points(f.cod), "b"), data.draw(S.points(f.cod), "b2")
    laws.check_rd1(f, g, a, b)
    laws.check_rd2(f, a, b, b2)
    laws.check_rd4(f, k, a, b, data.draw(S.points(C), "c"))


@pytest.mark.parametrize("cat", [c for c, _ in CATS])
@given(data=st.data())
def test_rd3_identities_and_projections(cat, data):
    S = INSTANCES[cat]
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    x, u = data.draw(S.points(A)), data.draw(S.points(A))
    y, v = data.draw(S.points(B)), data.draw(S.points(B))
    laws.check_rd3(S.category, A, B, x, y, u, v)


@pytest.mark.parametrize("cat", [c for c, _ in CATS])
@given(data=st.data())
def test_rd5_chain_rule_on_composites(cat, data):
    S = INSTANCES[cat]
    f, h = data.draw(S.composable(2, max_depth=2), "f, h")
    a, c = data.draw(S.points(f.dom), "a"), data.draw(S.points(h.cod), "c")
    laws.check_rd5(f, h, a, c)
    if cat == "smooth":
        laws.check_vjp(f >> h, a, c)


@pytest.mark.parametrize("cat", [c for c, _ in CATS])
@given(data=st.data())
def test_rd6_rd7_higher_order_on_composites(cat, data):
    S = INSTANCES[cat]
    f = _composite(data, S, depth=1)
    a, u = data.draw(S.points(f.dom), "a"), data.draw(S.points(f.dom), "u")
    v, w = data.draw(S.points(f.dom), "v"), data.draw(S.points(f.dom), "w")
    b, c = data.draw(S.points(f.cod), "b"), data.draw(S.points(f.cod), "c")
    laws.check_rd6(f, a, b, c)
    laws.check_rd7(f, a, u, v, w)
    if cat == "smooth":
        laws.check_jvp(f, a, u)
