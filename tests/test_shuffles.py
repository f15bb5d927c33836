"""``fit``'s example orders, drawn with numpy: bit for bit ``jax.random.permutation``.

The reference is jax itself, one ``permutation(fold_in(key, e), n)`` per row, and the
hash alone is checked against Random123's published known-answer vectors.
"""

import doctest

import jax
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from categories import BadPoint
from learners import _shuffles
from learners._shuffles import orders, threefry2x32

# Random123's kat_vectors for threefry2x32 with 20 rounds: (counter, key, output)
KNOWN_ANSWERS = [
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x243F6A88, 0x85A308D3), (0x13198A2E, 0x03707344), (0xC4923A9C, 0x483DF7A0)),
]


def _jax_orders(key, first, count, n):
    rows = [np.asarray(jax.random.permutation(jax.random.fold_in(key, first + i), n))
            for i in range(count)]
    return np.stack(rows) if rows else np.zeros((0, n), np.int32)


@pytest.mark.parametrize("counter,key,out", KNOWN_ANSWERS)
def test_the_hash_gives_the_published_answers(counter, key, out):
    got = threefry2x32(key, tuple(np.uint32(c) for c in counter))
    assert tuple(int(w) for w in got) == out


def test_the_hash_works_elementwise_on_broadcast_arrays():
    keys = np.array([[1], [2]], np.uint32), np.array([[3], [4]], np.uint32)
    counter = np.zeros((1, 3), np.uint32), np.arange(3, dtype=np.uint32)[None]
    a, b = threefry2x32(keys, counter)
    assert a.shape == b.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            one = threefry2x32((keys[0][i, 0], keys[1][i, 0]), (np.uint32(0), np.uint32(j)))
            assert (a[i, j], b[i, j]) == one


@settings(max_examples=12)
@example(seed=0, first=0, count=2, padding=0, n=1625)  # the last size with one sort
@example(seed=0, first=0, count=2, padding=0, n=1626)  # the first with two
@given(seed=st.integers(-2 ** 63, 2 ** 63 - 1), first=st.integers(0, 2 ** 31 - 64),
       count=st.integers(0, 4), padding=st.integers(0, 2),
       n=st.one_of(st.integers(0, 40), st.integers(1600, 1700)))
def test_orders_are_jaxs_permutations_bit_for_bit(seed, first, count, padding, n):
    """Over seeds, first epochs, row counts and sizes on both sides of the switch from
    one sort to two (at n = 1626)."""
    key = jax.random.key(seed)
    table = orders(key, first, count, count + padding, n)
    assert isinstance(table, np.ndarray) and table.dtype == np.int32
    assert table.shape == (count + padding, n)
    np.testing.assert_array_equal(table[:count], _jax_orders(key, first, count, n))
    assert not table[count:].any()


def test_ties_between_sort_keys_keep_their_order():
    """jax sorts stably: with 200,000 examples, equal 32-bit sort keys are all but
    certain (about n²/2³³ pairs), and the orders still agree."""
    key, n = jax.random.key(8), 200_000
    k = threefry2x32(tuple(np.asarray(jax.random.key_data(jax.random.fold_in(key, 0)))),
                     (np.uint32(0), np.uint32(1)))  # the first sort's subkey
    index = np.arange(n, dtype=np.uint32)
    bits = np.bitwise_xor(*threefry2x32(k, (np.zeros_like(index), index)))
    assert len(np.unique(bits)) < n  # there are ties to break
    np.testing.assert_array_equal(orders(key, 0, 1, 1, n), _jax_orders(key, 0, 1, n))


def test_raw_keys_and_64_bit_mode_give_the_same_orders():
    raw, typed = jax.random.PRNGKey(11), jax.random.key(11)
    expected = _jax_orders(typed, 5, 3, 200)
    np.testing.assert_array_equal(orders(raw, 5, 3, 3, 200), expected)
    with jax.enable_x64(True):
        np.testing.assert_array_equal(orders(typed, 5, 3, 3, 200), expected)


@pytest.mark.parametrize("impl", ["rbg", "unsafe_rbg"])
def test_other_kinds_of_key_fall_back_to_jax(impl):
    key = jax.random.key(3, impl=impl)
    table = orders(key, 2, 3, 4, 50)
    np.testing.assert_array_equal(np.asarray(table)[:3], _jax_orders(key, 2, 3, 50))


def test_unpartitionable_threefry_falls_back_to_jax():
    """With ``jax_threefry_partitionable`` off, jax draws other bits: the host does not
    guess them."""
    before = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", False)
    try:
        key = jax.random.key(4)
        assert not _shuffles._on_host(key, 120)
        np.testing.assert_array_equal(np.asarray(orders(key, 0, 2, 2, 60)),
                                      _jax_orders(key, 0, 2, 60))
    finally:
        jax.config.update("jax_threefry_partitionable", before)


def test_on_an_accelerator_large_tables_are_drawn_there(monkeypatch):
    """Where sorting on the host would take longer than on the device, the compiled
    function draws the table; the orders are the same either way."""
    key = jax.random.key(6)
    small = orders(key, 0, 2, 2, 100)
    monkeypatch.setattr(_shuffles, "HOST_TABLE", 150)
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert isinstance(orders(key, 0, 1, 1, 100), np.ndarray)  # 100 ≤ 150: still numpy
    big = orders(key, 0, 2, 2, 100)
    assert not isinstance(big, np.ndarray)
    np.testing.assert_array_equal(np.asarray(big), small)


def test_a_key_that_is_not_one_key_is_refused_with_jaxs_reason():
    with pytest.raises(BadPoint, match=r"got ndarray array\(\[0, 3\]\) \(.*dtype = uint32"):
        orders(np.array([0, 3], np.int64), 0, 1, 1, 5)
    with pytest.raises(BadPoint, match=r"got key<fry>\[2\]$"):
        orders(jax.random.split(jax.random.key(0)), 0, 1, 1, 5)
    np.testing.assert_array_equal(orders(np.array([0, 3], np.uint32), 0, 1, 1, 5),
                                  orders(jax.random.key(3), 0, 1, 1, 5))


def test_the_module_examples_run():
    failures, tried = doctest.testmod(_shuffles)
    assert tried >= 4 and failures == 0


def test_fit_counts_the_fallbacks_compilation():
    """A key of another kind draws its orders with a compiled function, counted in
    ``history["compilations"]`` beside the learner's own loop."""
    from categories import ArrayType, layers
    from learners import fit, quadratic, sgd, supervised
    _shuffles._compiled.clear_cache()  # whatever an earlier test compiled
    x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(12, 2)
    learner = supervised(layers.dense(2, 1), quadratic(ArrayType((1,))), sgd(0.1), batch_size=4)
    state = learner.init(layers.dense(2, 1).init(jax.random.key(0)))
    state, h = fit(learner, state, x, x[:, :1], epochs=3, key=jax.random.key(0), progress=False)
    assert h["compilations"] == [1]  # the loop; the orders come from numpy
    key = jax.random.key(0, impl="rbg")
    _, h = fit(learner, state, x, x[:, :1], epochs=3, key=key, progress=False)
    _, again = fit(learner, state, x, x[:, :1], epochs=3, key=key, progress=False)
    assert h["compilations"] == [1] and again["compilations"] == [0]
