"""Boolean (polynomial) circuits over Z2: the syntactic reverse derivative against two
independent oracles, the generator table of theory §4.2, circuits as data, bit-packed
evaluation, batching and mini-batch RDA, RDA learning, RDA Table 1, and bad input."""

import functools
import itertools
import operator
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings, target
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import learners
from categories import BadPoint, I, NotComposable, factors
from categories.strategies import strategies_for
from circuits import CIRCUIT, Bits, Circuit, bits, gates, models, oracle, packed
from circuits import strategies  # noqa: F401  (registers the circuit strategies)
from papers.rda.table1 import rda_iris

S = strategies_for(CIRCUIT, max_bits=5, max_gates=20)
few = settings(max_examples=20, deadline=None)


def bitarr(*shape):
    return hnp.arrays(np.uint8, shape, elements=st.integers(0, 1))


def width(obj):
    return sum(f.n for f in factors(obj))


def inputs(n):
    """All 2^n wire vectors, wire 0 most significant (the order of oracle.truth_table)."""
    return np.array(list(itertools.product((0, 1), repeat=n)), np.uint8).reshape(2 ** n, n)


def call(c, v):
    """``c`` on a flat wire vector, as a flat wire vector."""
    return oracle.flatten(c.cod, c(oracle.unflatten(c.dom, np.asarray(v, np.uint8))))


def call_all(c, V):
    """``c`` on every row of ``V`` at once: the same netlist through CIRCUIT.batch
    (shared part I), itself checked against per-example calls in section 5."""
    cols = np.split(V, np.cumsum([f.n for f in factors(c.dom)])[:-1], axis=1)
    out = CIRCUIT.batch(c, I, len(V))(cols[0] if len(cols) == 1 else tuple(cols))
    return np.concatenate(out if isinstance(out, tuple) else [out], axis=1)


@st.composite
def circuits(draw, safe=False, max_in=5, max_out=3, terms=1):
    """Random ``bits[a] (@ bits[b]) → bits[m]``; a sum (XOR) of ``terms`` random netlists
    (a sum of multilinear polynomials is multilinear, so ``safe`` survives it)."""
    a, b = draw(st.integers(1, max_in)), draw(st.integers(0, max_in))
    dom, cod = Bits(a) @ Bits(b) if b else Bits(a), Bits(draw(st.integers(1, max_out)))
    return functools.reduce(operator.add, [draw(S.arrows(dom, cod, safe=safe)) for _ in range(terms)])


# polynomial_rd recomputes the polynomial at every point; circuits are hashable, so cache it.
cached_polynomial = mock.patch.object(oracle, "polynomial", functools.lru_cache(None)(oracle.polynomial))


# 1. Oracle agreement, exhaustively over all 2^n inputs ------------------------------------

def check_against_oracles(c, dy):
    target(float(len(c.net.gates) * width(c.dom)))  # steer hypothesis to large circuits
    X = inputs(width(c.dom))
    syntactic = call_all(c.rd(), np.concatenate([X, np.tile(dy, (len(X), 1))], axis=1))
    with cached_polynomial:
        multilinear = oracle.is_multilinear(c)
        for x, r in zip(X, syntactic):
            pt, d = oracle.unflatten(c.dom, x), oracle.unflatten(c.cod, dy)
            assert r.tolist() == oracle.polynomial_rd(c, pt, d).tolist(), (c.net, x, dy)
            if multilinear:
                assert r.tolist() == oracle.brute_force_rd(c, pt, d).tolist(), (c.net, x, dy)


@few
@given(st.data())
def test_syntactic_rd_is_polynomial_rd_everywhere(data):
    c = data.draw(circuits(max_out=12, terms=2))
    check_against_oracles(c, data.draw(bitarr(width(c.cod))))


@few
@given(st.data())
def test_safe_circuits_are_multilinear_and_match_brute_force(data):
    c = data.draw(circuits(safe=True, max_out=12, terms=2))
    assert oracle.is_multilinear(c)
    check_against_oracles(c, data.draw(bitarr(width(c.cod))))


# The non-multilinear counterexample (copy ; and, where R ≠ brute force) is in section 9.


# 2. Generators match theory §4.2 ----------------------------------------------------------

TABLE = {  # name: (circuit, forward, R(x, d)), all on flat wire lists
    "copy": (gates.copy(), lambda x: [x[0], x[0]], lambda x, d: [d[0] ^ d[1]]),
    "discard": (gates.discard(), lambda x: [], lambda x, d: [0]),
    "xor": (gates.xor(), lambda x: [x[0] ^ x[1]], lambda x, d: [d[0], d[0]]),
    "zero": (gates.zero(), lambda x: [0], lambda x, d: []),
    "and": (gates.and_(), lambda x: [x[0] & x[1]], lambda x, d: [x[1] & d[0], x[0] & d[0]]),
    "one": (gates.one(), lambda x: [1], lambda x, d: []),
    "not": (gates.not_(), lambda x: [1 - x[0]], lambda x, d: [d[0]]),
    "or": (gates.or_(), lambda x: [x[0] | x[1]], lambda x, d: [(1 ^ x[1]) & d[0], (1 ^ x[0]) & d[0]]),
    "nand": (gates.nand(), lambda x: [1 - (x[0] & x[1])], lambda x, d: [x[1] & d[0], x[0] & d[0]]),
    "mux": (gates.mux(), lambda x: [x[2] if x[0] else x[1]],  # a + s(a + b)
            lambda x, d: [(x[1] ^ x[2]) & d[0], (1 ^ x[0]) & d[0], x[0] & d[0]]),
}


@pytest.mark.parametrize("name", TABLE)
def test_generator_reverse_derivatives_match_theory_table(name):
    c, forward, rd = TABLE[name]
    n, m = width(c.dom), width(c.cod)
    for x in inputs(n):
        assert call(c, x).tolist() == forward(x.tolist())
        for d in inputs(m):
            assert call(c.rd(), np.concatenate([x, d])).tolist() == rd(x.tolist(), d.tolist())


def test_reverse_derivative_iterates():
    r = gates.and_().rd()
    rr = r.rd()  # R[R[and]] : (x, d) @ dx' → (x, d)'
    assert isinstance(rr, Circuit) and rr.dom == r.dom @ r.cod and rr.cod == r.dom
    for v in inputs(width(rr.dom)):
        x, d = oracle.unflatten(r.dom, v[:3]), oracle.unflatten(r.cod, v[3:])
        assert call(rr, v).tolist() == oracle.polynomial_rd(r, x, d).tolist()


# 3. Circuits are data ---------------------------------------------------------------------

def test_circuits_are_hashable_inspectable_data():
    square1, square2 = gates.copy() >> gates.and_(), gates.copy() >> gates.and_()
    assert square1 == square2 and hash(square1) == hash(square2)
    assert gates.xor() == gates.xor() and gates.xor() != gates.and_()
    table = {square1: "square", gates.xor(): "xor"}
    assert table[square2] == "square" and table[gates.xor()] == "xor"
    assert gates.and_().net.gates == (("and", 0, 1),)
    assert square1.net.gates == (("and", 0, 0),) and square1.net.outputs == (1,)
    assert gates.mux().net.counts() == {"xor": 2, "and": 1}


def index(rows):  # the truth-table row of each output vector, wire 0 most significant
    return rows.astype(int) @ (1 << np.arange(rows.shape[1])[::-1])


@settings(deadline=None)
@given(st.data())
def test_composition_and_tensor_evaluate_like_functions(data):
    f = data.draw(circuits(max_in=3))
    g = data.draw(S.arrows(f.cod, Bits(data.draw(st.integers(1, 3)))))
    h = data.draw(circuits(max_in=2))
    tf, tg, th = oracle.truth_table(f), oracle.truth_table(g), oracle.truth_table(h)
    np.testing.assert_array_equal(oracle.truth_table(f >> g), tg[index(tf)])
    tensor = oracle.truth_table(f @ h)
    for i, j in itertools.product(range(len(tf)), range(len(th))):
        assert tensor[i * len(th) + j].tolist() == tf[i].tolist() + th[j].tolist()


# 4. Bit-packed evaluation -----------------------------------------------------------------

@settings(deadline=None)
@given(st.tuples(st.integers(1, 200), st.integers(1, 10)).flatmap(lambda bn: bitarr(*bn)))
def test_pack_unpack_round_trip(x):
    words = packed.pack(x)
    assert words.dtype == np.uint64 and words.shape == (x.shape[1], -(-len(x) // 64))
    np.testing.assert_array_equal(packed.unpack(words, len(x)), x)
    b = len(x) - 1  # example b is bit b mod 64 of word b // 64
    assert int(packed.pack(np.eye(1, len(x), b, dtype=np.uint8).T)[0, b // 64]) == 1 << (b % 64)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_packed_run_equals_per_example_evaluation(data):
    c = data.draw(circuits(max_out=6, terms=2))
    B = data.draw(st.integers(1, 200))
    xs = tuple(data.draw(bitarr(B, f.n)) for f in factors(c.dom))
    arg = xs if len(xs) > 1 else xs[0]
    expected = [oracle.flatten(c.cod, c(tuple(v[i] for v in xs) if len(xs) > 1 else xs[0][i]))
                for i in range(B)]
    np.testing.assert_array_equal(packed.run(c, arg), np.array(expected, np.uint8).reshape(B, -1))


# 5. Batching and mini-batch RDA -----------------------------------------------------------

@settings(deadline=None)
@given(st.data())
def test_batch_broadcasts_shared_and_rd_takes_parity(data):
    a, b, m, n = (data.draw(st.integers(1, k)) for k in (3, 3, 2, 6))
    f = data.draw(S.arrows(Bits(a) @ Bits(b), Bits(m)))
    fb = CIRCUIT.batch(f, Bits(a), n)
    p, X, DY = data.draw(bitarr(a)), data.draw(bitarr(n, b)), data.draw(bitarr(n, m))
    np.testing.assert_array_equal(fb((p, X)), np.stack([f((p, x)) for x in X]))
    dp, dX = fb.rd()((p, X, DY))
    per = [f.rd()((p, x, dy)) for x, dy in zip(X, DY)]
    np.testing.assert_array_equal(dp, functools.reduce(np.bitwise_xor, [q for q, _ in per]))
    np.testing.assert_array_equal(dX, np.stack([dx for _, dx in per]))


@functools.lru_cache(None)
def rda(model, batch_size=None):
    m = getattr(models, model[0])(*model[1:])
    return m, learners.supervised(m, learners.difference(m.cod, CIRCUIT), learners.gradient(),
                                  learners.identity(), batch_size=batch_size)


def test_minibatch_rda_is_xor_of_single_example_updates():
    m, step4 = rda(("lookup_table", 2, 1), 4)
    _, step1 = rda(("lookup_table", 2, 1))
    xs, theta0 = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], np.uint8), m.init(None)
    for ys in inputs(4)[:, :, None]:  # every labelling of the four examples
        batched, _ = step4.step(step4.init(theta0), xs, ys)
        changes = [step1.step(step1.init(theta0), x, y)[0].params ^ theta0 for x, y in zip(xs, ys)]
        np.testing.assert_array_equal(batched.params, theta0 ^ functools.reduce(np.bitwise_xor, changes))
        np.testing.assert_array_equal(batched.params, ys.ravel())  # xs hit rows 0, 1, 2, 3
    mb = learners.batch(m, 4)  # the Para map itself: per-example forward, shared table
    table = bits([0, 1, 1, 0])
    np.testing.assert_array_equal(mb(table, xs), np.stack([m(table, x) for x in xs]))


# 6. RDA learns (lookup table); on gate_layer, the exact CFGBL Ex. 4.4 update --------------

@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 1)), min_size=1, max_size=12),
       bitarr(8))
def test_rda_lookup_table_last_label_wins_and_fits_a_full_truth_table(extra, target):
    m, learner = rda(("lookup_table", 3, 1))
    X = inputs(3)[:, ::-1]  # row k of the table is x0 + 2 x1 + 4 x2
    state = learner.init(m.init(None))
    for k in range(8):  # one pass over the full truth table
        state, _ = learner.step(state, X[k], bits([target[k]]))
    assert all(int(m(state.params, X[k])[0]) == target[k] for k in range(8))  # 100% training accuracy
    expected = state.params.copy()
    for k, y in extra:  # further examples: each row ends holding the last label seen for it
        state, _ = learner.step(state, X[k], bits([y]))
        expected[k] = y
    np.testing.assert_array_equal(state.params, expected)


@settings(max_examples=20, deadline=None)
@given(bitarr(14), bitarr(3), bitarr(2))
def test_rda_gate_layer_update_is_cfgbl_example_4_4(theta, x, y):
    m, learner = rda(("gate_layer", 3, 2))
    f = m.inside
    d_theta, _ = f.rd()((theta, x, f((theta, x)) ^ y))  # θ ⊕ π0 R[f](θ, x, f(θ, x) ⊕ y)
    new, _ = learner.step(learner.init(theta), x, y)
    np.testing.assert_array_equal(new.params, theta ^ d_theta)


def test_rda_gate_layer_cycles_without_reaching_a_degree_2_target():
    # RDA cannot learn gate_layer targets in general: with δ = θ ⊕ θ*, one step maps δ to
    # (1 + φφᵀ)δ, φ(x) the 7 ANF terms; |φ(x)| is even when 1 ≤ |x| ≤ 2, so those steps are
    # involutions, not projections, and the pass map cycles. Deterministic, so a repeated
    # end-of-pass state that never fitted is a proof that it never will (here y = (x0 x1, x1 + x2)).
    m, learner = rda(("gate_layer", 3, 2))
    X = inputs(3)
    Y = np.stack([X[:, 0] & X[:, 1], X[:, 1] ^ X[:, 2]], axis=1)
    state, seen = learner.init(m.init(None)), []
    while tuple(state.params) not in seen:
        seen.append(tuple(state.params))
        for x, y in zip(X, Y):
            state, _ = learner.step(state, x, y)
        assert not all((m(state.params, x) == y).all() for x, y in zip(X, Y))
    assert len(seen) <= 20


# 7. RDA Table 1 ---------------------------------------------------------------------------

CELLS = [("two-class", "binary"), ("two-class", "one-hot"), ("three-class", "binary"),
         ("three-class", "one-hot")]


def test_rda_table_1_exact_on_uci_iris():
    got = [rda_iris(task, enc, "uci") for task, enc in CELLS]
    assert got == pytest.approx([0.98, 0.98, 11 / 15, 11 / 15], abs=1e-3)


def test_rda_table_1_on_scikit_learn_iris():
    # scikit-learn's Iris corrects rows 35 and 38 (theory §4.4). Both are Setosa test rows;
    # row 38's sepal width 3.6 (UCI: 3.1) thresholds it to 0100 instead of 0000. After one
    # pass the three-class table holds Versicolor at 0000 (last label wins) but Setosa at
    # 0100, so one more test row is right: 56/75 = 74.67% vs 55/75 = 73.33% (UCI). In the
    # two-class table both rows hold Setosa, so those cells stay 49/50 = 98%.
    got = [rda_iris(task, enc, "sklearn") for task, enc in CELLS]
    assert got == pytest.approx([0.98, 0.98, 0.7467, 0.7467], abs=1e-3)


# 8. Bad input -----------------------------------------------------------------------------

XOR, Z, OK = gates.xor(), np.zeros(1, np.uint8), np.zeros((5, 1), np.uint8)
BAD = {  # name: (thunk, error, what the message must say)
    "value 2": (lambda: XOR((np.array([2], np.uint8), Z)), BadPoint, "non-Boolean value 2"),
    "width": (lambda: XOR((np.array([1, 0], np.uint8), Z)), BadPoint,
              r"expected shape \(1,\), got \(2,\)"),
    "float": (lambda: XOR((np.array([1.0]), Z)), BadPoint, "float64"),
    "not a tuple": (lambda: XOR(np.zeros(2, np.uint8)), BadPoint, "tuple of 2"),
    "bits()": (lambda: bits([0, 2]), BadPoint, "0 or 1"),
    "params": (lambda: models.lookup_table(2, 1)(np.array([0, 0, 0, 2], np.uint8), bits([0, 1])),
               BadPoint, "non-Boolean value 2"),
    "compose": (lambda: CIRCUIT.id(Bits(2)) >> CIRCUIT.id(Bits(3)), NotComposable,
                r"bits\[2\] ≠ domain bits\[3\]"),
    "compose 2": (lambda: XOR >> XOR, NotComposable, r"bits\[1\] ≠ domain bits\[1\] @ bits\[1\]"),
    "run arity": (lambda: packed.run(XOR, OK), BadPoint, "2 input arrays"),
    "run width": (lambda: packed.run(XOR, (OK, np.zeros((5, 2), np.uint8))), BadPoint, r"shape \(5, 1\)"),
    "run batch": (lambda: packed.run(XOR, (OK, np.zeros((4, 1), np.uint8))), BadPoint, r"shape \(5, 1\)"),
    "run value": (lambda: packed.run(XOR, (OK, np.full((5, 1), 2, np.uint8))), BadPoint,
                  "non-Boolean value 2"),
    "run batched": (lambda: packed.run(CIRCUIT.batch(XOR, I, 5), (OK, OK)), BadPoint, "already batched"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_raises_with_a_useful_message(name):
    thunk, error, message = BAD[name]
    with pytest.raises(error, match=message):
        thunk()


# 9. Polynomial, not Boolean, semantics ----------------------------------------------------

def test_square_computes_identity_but_its_reverse_derivative_is_zero():
    # §4.1: Boolean functions satisfy x·x = x, but R[Δ;·](x, d) = 2xd = 0 ≠ d = R[1](x, d), so
    # the syntactic R of the (non-multilinear) square differs from the brute-force one.
    square, ident = gates.copy() >> gates.and_(), gates.identity()
    np.testing.assert_array_equal(oracle.truth_table(square), oracle.truth_table(ident))
    assert square != ident and not oracle.is_multilinear(square)
    assert oracle.polynomial(square) == [frozenset({(2,)})]  # x², not x
    assert oracle.truth_table(square.rd()).ravel().tolist() == [0, 0, 0, 0]  # rows (x, d)
    assert oracle.truth_table(ident.rd()).ravel().tolist() == [0, 1, 0, 1]
    for x in (0, 1):
        assert oracle.polynomial_rd(square, bits([x]), bits([1])).tolist() == [0]
        assert oracle.brute_force_rd(square, bits([x]), bits([1])).tolist() == [1]
