"""A third reverse derivative category, polynomial maps over Z3 (issue #10): the public
law checkers, the lens functor and ``supervised``/``fit`` run on it unchanged.

``R`` is checked against an independent oracle: forward mode on dual numbers over Z3
(``a + bε``, ``ε² = 0``), evaluated gate by gate from the gates' meaning, never from
the reverse rules. Training steps are checked against ``p ← p + R[…]`` written out in
numpy from the definition of the model and the loss.
"""

import jax
import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import learners
from categories import (ArrayType, AxiomError, BadObject, BadPoint, LawViolation, Para, join,
                        join_all, laws, split, zeros)
from categories.strategies import strategies_for
from lenses import Lens, as_lens
from lenses import laws as lens_laws
from tests import zthree
from tests.zthree import Z3, Trits, add, linear, mul, trits

S = strategies_for(Z3)


def _key(p):
    """A point's entries, to tell points apart."""
    return tuple(int(t) for v in jax.tree.leaves(p) for t in np.ravel(v))


def _composite(data, depth=1):
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    return data.draw(S.arrows(A, B, depth), "f")


# -- the independent oracle: dual numbers over Z3 ---------------------------------------

def dual_run(net, xs, dxs):
    """``(f(x), D[f](x, dx))`` on dual numbers ``x + dx ε``, gate by gate."""
    vals = list(zip(xs, dxs))
    for op, args, data, typ in net.gates:
        a = [vals[i] for i in args]
        if op == "add":
            v = ((a[0][0] + a[1][0]) % 3, (a[0][1] + a[1][1]) % 3)
        elif op == "mul":  # (x + dx ε)(y + dy ε) = xy + (x dy + dx y) ε
            v = (a[0][0] * a[1][0] % 3, (a[0][0] * a[1][1] + a[0][1] * a[1][0]) % 3)
        elif op == "const":
            v = (np.full(typ.shape, data, np.int32), np.zeros(typ.shape, np.int32))
        elif op == "linear":
            v = tuple(np.concatenate([u[j] for u in a], axis=-1) @ data.T % 3 for j in (0, 1))
        elif op == "broadcast":
            v = tuple(np.broadcast_to(a[0][j], typ.shape) for j in (0, 1))
        elif op == "reduce":
            v = tuple(a[0][j].sum(axis=0, dtype=np.int32) % 3 for j in (0, 1))
        else:
            raise AssertionError(f"the oracle does not know the gate {op!r}")
        vals.append(v)
    return [vals[o] for o in net.outputs]


def dual(f, a, v):
    """``(f(a), D[f](a, v))`` from the dual-number evaluation of ``f``'s netlist."""
    leaves = lambda x: [np.asarray(u) for u in jax.tree.leaves(x)]
    outs = dual_run(f.net, leaves(a), leaves(v))
    cod = zthree.wires_of(f.cod)
    return join_all([o[0] for o in outs], cod), join_all([o[1] for o in outs], cod)


def inner(x, y):
    """``⟨x, y⟩`` in Z3: the sum of the products of all entries, mod 3."""
    return sum(int(np.sum(np.asarray(u, np.int64) * np.asarray(w, np.int64)))
               for u, w in zip(jax.tree.leaves(x), jax.tree.leaves(y))) % 3


def basis(obj):
    """The unit vectors of ``obj``'s points."""
    fs = zthree.wires_of(obj)
    for i, t in enumerate(fs):
        for j in range(int(np.prod(t.shape))):
            e = [u.zeros() for u in fs]
            e[i].reshape(-1)[j] = 1
            yield e[0] if len(fs) == 1 else tuple(e)


def check_against_dual(f, a, b, v):
    """``⟨R[f](a, b), v⟩ = ⟨b, D[f](a, v)⟩`` mod 3 for ``v`` and every unit vector (so
    ``R[f](a, b)`` is determined entry by entry), and ``D = ι0 ; R² ; π1`` of the
    library equals the dual numbers' ``D``."""
    r = f.rd()(join(a, b, f.dom, f.cod))
    who = f"f = {f!r}"
    for u in [v, *basis(f.dom)]:
        value, tangent = dual(f, a, u)
        at = f"at a = {a}, b = {b}, v = {u}"
        laws.assert_law("primal of the dual numbers", who, at, value, f(a), Z3)
        laws.assert_law("R against dual numbers (⟨R[f](a,b), v⟩ = ⟨b, D[f](a,v)⟩)", who, at,
                        inner(r, u), inner(b, tangent), Z3)
    laws.assert_law("D (from R²) against dual numbers", who, f"at a = {a}, v = {v}",
                    f.fd()(join(a, v, f.dom, f.dom)), dual(f, a, v)[1], Z3)


# -- the category itself ------------------------------------------------------------

@given(data=st.data())
def test_strategies_draw_typed_maps_and_points(data):
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    f = data.draw(S.arrows(A, B, 2), "f")
    x = data.draw(S.points(A), "x")
    assert (f.dom, f.cod) == (A, B)
    Z3.check_point(A, x)
    Z3.check_point(B, f(x))  # values stay in {0, 1, 2}


def test_strategies_reach_nonlinear_composites():
    X = Trits(2)
    f = find(S.arrows(X, X, 1), lambda f: any(g[0] == "mul" for g in f.net.gates),
             settings=settings(database=None, max_examples=200))
    assert any(g[0] == "mul" for g in f.net.gates)


def test_check_point_names_expected_and_got():
    X = Trits(2)
    with pytest.raises(BadPoint, match=r"dtype mismatch .*expected int32, got int64"):
        Z3.check_point(X, np.zeros(2, np.int64))
    with pytest.raises(BadPoint, match=r"shape mismatch .*expected \(2,\), got \(3,\)"):
        Z3.check_point(X, np.zeros(3, np.int32))
    with pytest.raises(BadPoint, match=r"value 3 .*expected 0, 1 or 2"):
        Z3.check_point(X, np.array([0, 3], np.int32))
    with pytest.raises(BadPoint, match=r"expected a tuple of 2 trit arrays .*got ndarray"):
        Z3.check_point(X @ X, np.zeros(2, np.int32))
    with pytest.raises(BadObject, match="Z3 works on Trits objects, got ArrayType"):
        Z3.id(ArrayType((2,)))


def test_polynomial_not_function_semantics():
    """``x³`` and ``x`` agree on every point of Z3 (Fermat), but ``R[x³] = 3x² = 0``."""
    X = Trits(3)
    cube = Z3.copy(X) >> (Z3.copy(X) >> mul(X)) @ Z3.id(X) >> mul(X)
    x, d = trits([0, 1, 2]), trits([1, 2, 1])
    assert cube(x).tolist() == x.tolist()
    assert cube.rd()((x, d)).tolist() == [0, 0, 0]
    assert Z3.id(X).rd()((x, d)).tolist() == d.tolist()


# -- the public law checkers, unchanged ------------------------------------------------

@given(data=st.data())
def test_category_laws(data):
    f, g, h = data.draw(S.composable(3), "f, g, h")
    laws.check_category(f, g, h, data.draw(S.points(f.dom), "x"))


@given(data=st.data())
def test_cartesian_laws(data):
    A, B, C = (data.draw(S.objects(), n) for n in "ABC")
    f, g = data.draw(S.arrows(A, B, 1), "f"), data.draw(S.arrows(A, C, 1), "g")
    laws.check_cartesian(f, g, data.draw(S.points(A), "x"), data.draw(S.points(B), "y"))


@given(data=st.data())
def test_left_additive_laws(data):
    A, B, C = (data.draw(S.objects(), n) for n in "ABC")
    f, g = data.draw(S.parallel(2, A, B), "f, g")
    h = data.draw(S.arrows(C, A, 1), "h")
    laws.check_left_additive(f, g, h, data.draw(S.points(C), "x"), data.draw(S.points(A), "y"))


@given(data=st.data())
def test_rd1_rd2_rd4(data):
    f = _composite(data, 2)
    g = data.draw(S.arrows(f.dom, f.cod, 1), "g")
    C = data.draw(S.objects(), "C")
    k = data.draw(S.arrows(f.dom, C, 1), "k")
    a = data.draw(S.points(f.dom), "a")
    b, b2 = data.draw(S.distinct_points(f.cod, 2), "b, b2")
    c = data.draw(S.points(C).filter(lambda c: C != f.cod or _key(c) != _key(b)), "c")
    laws.check_rd1(f, g, a, b)
    laws.check_rd2(f, a, b, b2)
    laws.check_rd4(f, k, a, b, c)


@given(data=st.data())
def test_rd3(data):
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    x, u = data.draw(S.distinct_points(A, 2), "x, u")
    y, v = data.draw(S.distinct_points(B, 2), "y, v")
    laws.check_rd3(Z3, A, B, x, y, u, v)


@given(data=st.data())
def test_rd5_chain_rule(data):
    f, h = data.draw(S.composable(2, max_depth=2), "f, h")
    laws.check_rd5(f, h, data.draw(S.points(f.dom), "a"), data.draw(S.points(h.cod), "c"))


@settings(max_examples=60)
@given(data=st.data())
def test_rd6_rd7_higher_order(data):
    f = _composite(data, 1)
    a, w = data.draw(S.points(f.dom), "a"), data.draw(S.points(f.dom), "w")
    u, v = data.draw(S.distinct_points(f.dom, 2), "u, v")
    b, c = data.draw(S.distinct_points(f.cod, 2), "b, c")
    laws.check_rd6(f, a, b, c)
    laws.check_rd7(f, a, u, v, w)


@given(data=st.data())
def test_linear_maps(data):
    """``check_linear`` unchanged: its adjoint law takes the inner product in Z3 (``Z3.inner``)."""
    A, B = data.draw(S.objects(), "A"), data.draw(S.objects(), "B")
    n, m = (sum(t.n for t in zthree.wires_of(o)) for o in (A, B))
    w = data.draw(st.lists(st.lists(st.integers(0, 2), min_size=n, max_size=n), min_size=m,
                           max_size=m), "W")
    a, a2 = data.draw(S.distinct_points(A, 2), "a, a2")
    laws.check_linear(linear(w, A, B), a, a2, data.draw(S.points(B), "b"))


@settings(max_examples=15)
@given(data=st.data())
def test_lens_laws_and_the_functor(data):
    f1, f2, f3 = data.draw(S.composable(3), "f1, f2, f3")
    a = data.draw(S.points(f1.dom), "a")
    lens_laws.check_lens_category(as_lens(f1), as_lens(f2), as_lens(f3), a,
                                  data.draw(S.points(f3.cod), "d'"),
                                  b_grad=data.draw(S.points(f1.cod), "b'"))
    lens_laws.check_functor(f1, f2, a, data.draw(S.points(f2.cod), "c'"))


@settings(max_examples=15)
@given(data=st.data())
def test_para_laws(data):
    objs = [data.draw(S.objects(), n) for n in ("A", "B", "C", "D", "P", "Q", "R")]
    A, B, C, D, P, Q, R = objs
    f, g, h = (Para(p, x, data.draw(S.arrows(p @ x, y, 1), "inside"), lambda key, p=p: zeros(p))
               for p, x, y in ((P, A, B), (Q, B, C), (R, C, D)))
    laws.check_para(f, g, h, *(data.draw(S.points(o)) for o in (P, Q, R, A)))


# -- R against the dual numbers --------------------------------------------------------

@settings(max_examples=100)
@given(data=st.data())
def test_R_against_dual_numbers(data):
    f = _composite(data, 2)
    check_against_dual(f, data.draw(S.points(f.dom), "a"), data.draw(S.points(f.cod), "b"),
                       data.draw(S.points(f.dom), "v"))


@settings(max_examples=10)
@given(data=st.data())
def test_R_of_R_against_dual_numbers(data):
    """``R[f]`` is itself a map of Z3: its own ``R`` meets the oracle too."""
    r = _composite(data, 1).rd()
    check_against_dual(r, data.draw(S.points(r.dom), "a"), data.draw(S.points(r.cod), "b"),
                       data.draw(S.points(r.dom), "v"))


def test_the_oracle_catches_a_wrong_rule(monkeypatch):
    """With ``R[mul](a, b, c) = (a c, b c)`` (arguments swapped) the structural laws still
    hold — the rule is additive in ``c`` and composites follow the chain rule — but the
    dual numbers do not agree."""
    X = Trits(2)
    a, b, c = (trits([1, 2]), trits([2, 2])), trits([1, 1]), trits([2, 1])
    check_against_dual(mul(X), a, b, a)  # the true rule passes
    monkeypatch.setitem(zthree._BACKWARD, "mul", lambda args, data, g, bld: [
        (0, bld.gate("mul", (g, args[0]), None, bld.types[args[0]])),
        (1, bld.gate("mul", (g, args[1]), None, bld.types[args[1]]))])
    wrong = mul(X)  # a fresh map: R is made on first use, with the patched rule
    laws.check_rd2(wrong, a, b, c)
    laws.check_rd5(wrong, Z3.copy(X), a, (b, c))
    with pytest.raises(LawViolation, match="R against dual numbers"):
        check_against_dual(wrong, a, b, a)


# -- batches ------------------------------------------------------------------------

@given(data=st.data())
def test_batch_broadcasts_shared_and_sums_its_changes(data):
    """``batch(f, S, n)`` runs ``f`` row by row with ``s`` shared; ``R`` sends each row's
    change back to its row and the sum (mod 3) of the rows' changes back to ``s``."""
    Sh, X, Y = (data.draw(S.objects(), n) for n in "SXY")
    f = data.draw(S.arrows(Sh @ X, Y, 1), "f")
    n = data.draw(st.integers(1, 3), "n")
    s = data.draw(S.points(Sh), "s")
    rows = [data.draw(S.points(X), f"x{i}") for i in range(n)]
    grads = [data.draw(S.points(Y), f"y'{i}") for i in range(n)]
    stack = lambda pts: jax.tree.map(lambda *v: np.stack(v), *pts)
    fb = Z3.batch(f, Sh, n)
    xs, ys = stack(rows), stack(grads)
    Xn = Z3.batched(X, n)
    laws.assert_law("batch runs row by row", repr(f), f"n = {n}", fb(join(s, xs, Sh, Xn)),
                    stack([f(join(s, x, Sh, X)) for x in rows]), Z3)
    per_row = [f.rd()(join(join(s, x, Sh, X), y, Sh @ X, Y)) for x, y in zip(rows, grads)]
    ds, dx = split(fb.rd()(join(join(s, xs, Sh, Xn), ys, fb.dom, fb.cod)), Sh, Xn)
    total = zeros(Sh)
    for r in per_row:
        total = Z3.add_points(total, split(r, Sh, X)[0])
    laws.assert_law("R of a batch sums the shared changes", repr(f), f"n = {n}", ds, total, Z3)
    laws.assert_law("R of a batch keeps the rows' changes", repr(f), f"n = {n}", dx,
                    stack([split(r, Sh, X)[1] for r in per_row]), Z3)


# -- supervised learning, unchanged -------------------------------------------------

N = 3
X = Trits(N)


def _model():
    """``f(p, x) = p·x + x``, elementwise; parameters ``p ∈ Z3^N``."""
    inside = Z3.pair(mul(X), Z3.proj(X, X, 1)) >> add(X)
    return Para(X, X, inside, lambda key: zeros(X), name="px+x")


def _learner(rate=None, batch_size=None):
    return learners.supervised(_model(), learners.difference(X, Z3), learners.gradient(),
                               rate or learners.identity(), batch_size=batch_size)


def _by_hand(p, xs, ys, sign=1):
    """One step on the rows ``xs, ys`` from the definitions: ``l_i = f(p, x_i) − y_i``
    (the difference loss), ``α(l) = sign·l`` (the rate), ``R[loss]`` passes ``α`` to
    the prediction, ``R[f]_p(p, x, c) = x c``, and the changes of the shared ``p``
    add up; ``p ← p + Σ_i x_i α(l_i)``. Returns ``p`` and each row's mean loss."""
    ls = [(p * x + x - y) % 3 for x, y in zip(xs, ys)]
    return (p + sum(x * (sign * l) for x, l in zip(xs, ls))) % 3, [float(np.mean(l)) for l in ls]


@given(p=S.points(X), x=S.points(X), y=S.points(X))
def test_supervised_step_is_reverse_derivative_ascent(p, x, y):
    learner = _learner()
    state, loss = learner.step(learner.init(p), x, y)
    want, losses = _by_hand(p, [x], [y])
    assert np.asarray(state.params).tolist() == want.tolist()
    assert float(loss) == pytest.approx(losses[0])
    assert int(state.step) == 1


@pytest.mark.parametrize("batch_size", [None, 2])
def test_fit_matches_the_steps_by_hand(batch_size):
    rng = np.random.default_rng(0)
    xs, ys = (rng.integers(0, 3, (5, N)).astype(np.int32) for _ in range(2))
    p0 = trits([1, 0, 2])
    learner = _learner(batch_size=batch_size)
    state, history = learners.fit(learner, learner.init(p0), xs, ys, epochs=2, shuffle=False,
                                  progress=False)
    p, size, epoch_losses = p0, batch_size or 1, []
    for _ in range(2):
        losses = []
        for i in range(0, len(xs), size):  # a last partial batch is padding, masked out
            p, ls = _by_hand(p, xs[i:i + size], ys[i:i + size])
            losses += ls
        epoch_losses.append(np.mean(losses))
    assert np.asarray(state.params).tolist() == p.tolist()
    assert int(state.step) == 2 * -(-len(xs) // size)
    np.testing.assert_allclose(history["loss"], epoch_losses, rtol=1e-6)
    assert np.asarray(learner.predict(state.params, xs)).tolist() == ((p * xs + xs) % 3).tolist()


class _Negated:
    """The cap ``α(l) = −l``, made in the category it is handed (descent in Z3)."""

    def cap(self, loss, category, step, share=None):
        return Lens(category.discard(loss), category.negate(loss), name="negated")


def test_fit_learns_with_a_negated_cap():
    """``l = (p − p*) x`` and ``x² = 1`` for ``x ≠ 0``, so one step of ``p ← p − x l``
    lands on ``p*``; with ``identity()`` the error doubles instead."""
    rng = np.random.default_rng(1)
    target = trits([2, 0, 1])
    xs = rng.integers(1, 3, (4, N)).astype(np.int32)
    ys = (target * xs + xs) % 3
    learner = _learner(_Negated())
    state, history = learners.fit(learner, learner.init(trits([0, 1, 1])), xs, ys, epochs=1,
                                  shuffle=False, progress=False)
    assert np.asarray(state.params).tolist() == target.tolist()
    p, _ = _by_hand(trits([0, 1, 1]), xs[:1], ys[:1], sign=1)
    assert ((p - target) % 3).tolist() == ((2 * (trits([0, 1, 1]) - target)) % 3).tolist()


def test_real_number_components_refuse_z3():
    """Components that need real arithmetic fail at build time, naming Z3, rather than
    building a Smooth map behind the category's back."""
    for build in (lambda: learners.descent(0.1).cap(X, Z3, step=0),
                  lambda: learners.sgd(0.1).lens(X, Z3), lambda: learners.adam(1e-3).lens(X, Z3)):
        with pytest.raises(AxiomError, match="Z3"):
            build()
