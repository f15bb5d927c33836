"""Bit-packed evaluation (circuits.packed) against the brute-force truth table and the
unpacked evaluation, bit for bit: random netlists with fan-out (so slots are reused),
batches that are not multiples of 64, parity gates in reverse derivatives of batched
models, parity without ``np.bitwise_count`` (numpy 1.x), and the benchmark rows."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from benchmarks import packed as bench
from categories import BadPoint, I
from circuits import CIRCUIT, Bits, Circuit, models, oracle
from circuits._netlist import Builder
from circuits.packed import _plan, evaluate_packed, pack, run, run_batched, unpack

BATCHES = st.sampled_from([1, 63, 64, 65, 200])


def bitarr(*shape):
    return hnp.arrays(np.uint8, shape, elements=st.integers(0, 1))


@st.composite
def netlists(draw, max_inputs=6, max_gates=40):
    """A random ``bits[n] → bits[m]`` netlist: XOR, AND and constants reading any earlier
    wire (fan-out, so liveness varies), outputs that may be inputs, constants or repeats."""
    n = draw(st.integers(1, max_inputs))
    b = Builder(n)
    wires = list(range(n))
    for _ in range(draw(st.integers(0, max_gates))):
        op = draw(st.sampled_from(["xor", "and", "and", "const"]))
        if op == "const":
            wires.append(b.const(draw(st.integers(0, 1))))
        else:
            x, y = (wires[draw(st.integers(0, len(wires) - 1))] for _ in range(2))
            wires.append(b.xor(x, y) if op == "xor" else b.and_(x, y))
    outs = draw(st.lists(st.sampled_from(wires), min_size=1, max_size=8))
    net = b.build(outs)
    return Circuit(Bits(n), Bits(len(net.outputs)), net)


def truth_rows(c, xs):
    """The brute-force outputs of each example: its row of the truth table."""
    rows = xs.astype(int) @ (1 << np.arange(xs.shape[1])[::-1])  # wire 0 most significant
    return oracle.truth_table(c)[rows]


@settings(deadline=None)
@given(st.data())
def test_packed_evaluation_equals_the_truth_table(data):
    c, batch = data.draw(netlists()), data.draw(BATCHES)
    xs = data.draw(bitarr(batch, c.net.n_inputs))
    expected = truth_rows(c, xs)
    np.testing.assert_array_equal(run(c, xs), expected)
    rows = pack(xs)
    before = rows.copy()
    out = evaluate_packed(c, list(rows), batch)
    assert out.shape == (len(c.net.outputs), -(-batch // 64)) and out.dtype == np.uint64
    np.testing.assert_array_equal(unpack(out, batch), expected)
    np.testing.assert_array_equal(rows, before)  # inputs are read in place, never written


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_two_input_factors_and_the_unpacked_evaluation(data):
    c = data.draw(netlists(max_inputs=8))
    k = data.draw(st.integers(0, c.net.n_inputs))
    split = Circuit(Bits(k) @ Bits(c.net.n_inputs - k), c.cod, c.net) if k else c
    batch = data.draw(BATCHES)
    xs = data.draw(bitarr(batch, c.net.n_inputs))
    arg = (xs[:, :k], xs[:, k:]) if k else xs
    np.testing.assert_array_equal(run(split, arg), CIRCUIT.batch(split, I, batch)(arg))


def test_liveness_reuses_rows():
    b = Builder(2)
    w = 0
    for _ in range(200):  # a chain: each wire dies as soon as the next gate reads it
        w = b.xor(b.and_(w, 1), 1)
    c = Circuit(Bits(2), Bits(1), b.build([w]))
    assert len(c.net.gates) == 400 and _plan(c.net).work <= 2
    xs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.uint8)
    np.testing.assert_array_equal(run(c, xs), truth_rows(c, xs))


def not_then_parity(batch):
    """``bits[batch×1] → bits[1]``: the parity of NOT x, whose padding bits are ones."""
    b = Builder(1, [True], batch)
    return Circuit(Bits(1, batch=batch), Bits(1), b.build([b.parity(b.xor(0, b.const(1)))]))


@pytest.mark.parametrize("batch", [1, 63, 64, 65, 200])
def test_parity_counts_only_the_valid_examples_without_bitwise_count(batch, monkeypatch):
    # numpy 1.x has no np.bitwise_count: packed parity must not need it
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    c = not_then_parity(batch)
    for xs in (np.zeros((batch, 1), np.uint8), np.random.default_rng(batch).integers(
            0, 2, (batch, 1)).astype(np.uint8)):
        expected = [int(np.sum(1 - xs)) % 2]
        assert run_batched(c, xs).tolist() == c(xs).tolist() == expected


@functools.lru_cache(None)
def batched_model(name, args, batch):
    m = getattr(models, name)(*args)
    forward = CIRCUIT.batch(m.inside, m.param, batch)
    return m, forward, forward.rd(), CIRCUIT.batch(m.inside.rd(), I, batch)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_batched_reverse_derivatives_are_xor_sums_of_per_example_ones(data):
    name, args = data.draw(st.sampled_from(
        [("lookup_table", (2, 1)), ("gate_layer", (2, 2)), ("pseudo_linear", (3, 2))]))
    batch = data.draw(BATCHES)
    m, forward, backward, per_example = batched_model(name, args, batch)
    assert "parity" in backward.net.counts()
    theta = data.draw(bitarr(m.param.n))
    xs, dys = data.draw(bitarr(batch, m.dom.n)), data.draw(bitarr(batch, m.cod.n))
    np.testing.assert_array_equal(run_batched(forward, (theta, xs)),
                                  forward((theta, xs)))
    # R[f] on every example, unpacked: its parameter changes XOR-sum over the batch
    d_theta, d_x = per_example((np.broadcast_to(theta, (batch, m.param.n)), xs, dys))
    got_theta, got_x = run_batched(backward, (theta, xs, dys))
    np.testing.assert_array_equal(got_theta, np.bitwise_xor.reduce(d_theta, axis=0))
    np.testing.assert_array_equal(got_x, d_x)


def test_bad_packed_inputs():
    c = CIRCUIT.copy(Bits(1))
    with pytest.raises(BadPoint, match="1 input wires, got 2 rows"):
        evaluate_packed(c, pack(np.zeros((5, 2), np.uint8)), 5)
    with pytest.raises(BadPoint, match="must hold 1 words"):
        evaluate_packed(c, [np.zeros(2, np.uint64)], 5)
    m, forward, _, _ = batched_model("lookup_table", (2, 1), 5)
    with pytest.raises(BadPoint, match="takes 2 input arrays, got 3"):
        run_batched(forward, (np.zeros(4, np.uint8), np.zeros((5, 2), np.uint8),
                              np.zeros((5, 2), np.uint8)))


def test_benchmark_rows_run_and_agree():
    tiny = {"pairs": 1, "min_region": 0.001}
    for row in (bench.evaluation(8, 130, **tiny), bench.rda_step(130, **tiny)):
        assert row["same_result"] and row["ratio"] > 0
        assert row["packed_gate_evals_per_s"] > 0 and row["streaming_gate_evals_per_s"] > 0
