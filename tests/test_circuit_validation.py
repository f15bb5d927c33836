"""Misuse of circuits → a typed error naming what was expected and what was given.

``MISUSE`` rows are ``(id, thunk, exception type, words the message must contain)``:
malformed netlists and builder calls, export names outside a format's grammar,
sizes a model cannot hold (refused before building), and points that are not bits.
Traced points are not checked but read modulo 2 (``CircuitCategory.check_point``).
"""

import subprocess

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from categories import AxiomError, BadObject, BadPoint, I
from circuits import CIRCUIT, Bits, Netlist, gates, models
from circuits import _circuit
from circuits._netlist import Builder
from circuits.export import to_blif, to_verilog
from circuits.oracle import truth_table
from tests.test_export import _simulate, _tool, _via_yosys

XOR, Z, TWO = gates.xor(), np.zeros(1, np.uint8), np.array([2], np.uint8)

MISUSE = [
    # netlists: gates in topological order, known shapes, wires in range
    ("forward reference", lambda: Netlist(1, (("xor", 0, 2),), (1,)), BadObject,
     ["gate 0", "('xor', 0, 2)", "0 ≤ a, b < 1", "topological order"]),
    ("later gate", lambda: Netlist(1, (("const", 1, -1), ("xor", 0, 1), ("and", 0, 5)), (3,)),
     BadObject, ["gate 2 (wire 3)", "('and', 0, 5)", "0 ≤ a, b < 3"]),
    ("unknown gate", lambda: Netlist(1, (("nor", 0, 0),), (1,)), BadObject,
     ["gate 0", "'nor'", "xor, and, const, parity"]),
    ("negative wire", lambda: Netlist(2, (("and", -1, 0),), (2,)), BadObject,
     ["('and', -1, 0)", "0 ≤ a, b < 2"]),
    ("float wire", lambda: Netlist(1, (("and", 0, 0.0),), (1,)), BadObject,
     ["('and', 0, 0.0)", "int wires"]),
    ("const value", lambda: Netlist(0, (("const", 2, -1),), (0,)), BadObject,
     ["('const', 2, -1)", "('const', v, -1) with v 0 or 1"]),
    ("const shape", lambda: Netlist(0, (("const", 1, 0),), (0,)), BadObject,
     ["('const', 1, 0)", "('const', v, -1)"]),
    ("parity shape", lambda: Netlist(1, (("parity", 0, 0),), (1,)), BadObject,
     ["('parity', 0, 0)", "('parity', a, -1)"]),
    ("parity forward", lambda: Netlist(1, (("parity", 1, -1),), (1,)), BadObject,
     ["('parity', 1, -1)", "0 ≤ a < 1"]),
    ("not a triple", lambda: Netlist(1, (("xor", 0),), (1,)), BadObject,
     ["gate 0", "('xor', 0)", "a triple (name, a, b)"]),
    ("output range", lambda: Netlist(1, (), (1,)), BadObject, ["output 0 is 1", "0 ≤ o < 1"]),
    ("negative output", lambda: Netlist(1, (), (-1,)), BadObject,
     ["output 0 is -1", "0 ≤ o < 1"]),
    ("n_inputs", lambda: Netlist(-1, (), ()), BadObject, ["n_inputs an int ≥ 0", "got -1"]),
    ("gates list", lambda: Netlist(1, [], ()), BadObject, ["tuples", "got list"]),
    # the builder: wires that exist, constants 0/1, one batch flag per input
    ("builder forward", lambda: Builder(2).xor(0, 5), BadObject,
     ["wire 5", "0 ≤ wire < 2"]),
    ("builder negative", lambda: Builder(2).and_(-1, 0), BadObject,
     ["wire -1", "0 ≤ wire < 2"]),
    ("builder parity", lambda: Builder(2, [True, False]).parity(2), BadObject,
     ["wire 2", "0 ≤ wire < 2"]),
    ("builder const", lambda: Builder(1).const(2), BadObject, ["0 or 1", "got 2"]),
    ("builder flags", lambda: Builder(2, [True]), BadObject,
     ["expected 2 batch flags", "got 1"]),
    # export names
    ("verilog injection", lambda: to_verilog(XOR, "my adder; endmodule"), BadObject,
     ["Verilog", "'my adder; endmodule'", "[A-Za-z_][A-Za-z0-9_$]*"]),
    ("verilog digit", lambda: to_verilog(XOR, "9lives"), BadObject,
     ["Verilog", "'9lives'", "[A-Za-z_][A-Za-z0-9_$]*"]),
    ("verilog empty", lambda: to_verilog(XOR, ""), BadObject, ["Verilog", "''"]),
    ("verilog keyword", lambda: to_verilog(XOR, "module"), BadObject,
     ["'module'", "reserved keyword", "not a Verilog or SystemVerilog keyword"]),
    ("systemverilog keyword", lambda: to_verilog(XOR, "logic"), BadObject,
     ["'logic'", "reserved keyword"]),
    ("verilog not a str", lambda: to_verilog(XOR, None), BadObject,
     ["Verilog", "NoneType", "str"]),
    ("blif space", lambda: to_blif(XOR, "my adder"), BadObject,
     ["BLIF", "'my adder'", "no whitespace"]),
    ("blif comment", lambda: to_blif(XOR, "a#b"), BadObject, ["BLIF", "'a#b'", "'#'"]),
    ("blif equals", lambda: to_blif(XOR, "a=b"), BadObject, ["BLIF", "'a=b'", "'='"]),
    ("blif backslash", lambda: to_blif(XOR, "a\\"), BadObject, ["BLIF", "'a\\\\'", "'\\'"]),
    ("blif newline", lambda: to_blif(XOR, "a\n.end"), BadObject, ["BLIF", "'a\\n.end'"]),
    ("blif non-ascii", lambda: to_blif(XOR, "é"), BadObject, ["BLIF", "'é'", "visible ASCII"]),
    # model sizes and arguments
    ("lookup_table(22)", lambda: models.lookup_table(22, 1), BadObject,
     ["lookup_table(22, 1)", "20,971,564 wires", "MAX_WIRES = 4,194,304"]),
    ("lookup_table(40)", lambda: models.lookup_table(40, 1), BadObject,
     ["lookup_table(40, 1)", "5,497,558,138,960 wires", "MAX_WIRES = 4,194,304"]),
    ("lookup_table(10^6)", lambda: models.lookup_table(10 ** 6, 1), BadObject,
     ["lookup_table(1000000, 1)", "about 2^1000002 wires"]),
    ("lookup_table n_in", lambda: models.lookup_table(0, 1), BadObject,
     ["lookup_table", "n_in an int ≥ 1", "got 0"]),
    ("lookup_table n_out", lambda: models.lookup_table(2, 0), BadObject,
     ["lookup_table", "n_out an int ≥ 1", "got 0"]),
    ("lookup_table float", lambda: models.lookup_table(2.5, 1), BadObject,
     ["n_in an int ≥ 1", "got 2.5"]),
    ("gate_layer size", lambda: models.gate_layer(2000, 1), BadObject,
     ["gate_layer(2000, 1)", "MAX_WIRES = 4,194,304"]),
    ("gate_layer n_out", lambda: models.gate_layer(3, -1), BadObject,
     ["gate_layer", "n_out an int ≥ 1", "got -1"]),
    ("pseudo_linear k", lambda: models.pseudo_linear(8, 3), BadObject,
     ["pseudo_linear", "k a power of two", "got 3"]),
    ("pseudo_linear k=0", lambda: models.pseudo_linear(8, 0), BadObject,
     ["pseudo_linear", "k an int ≥ 1", "got 0"]),
    ("pseudo_linear n", lambda: models.pseudo_linear(0), BadObject,
     ["pseudo_linear", "n an int ≥ 1", "got 0"]),
    ("pseudo_linear size", lambda: models.pseudo_linear(300_000), BadObject,
     ["pseudo_linear(300000, 4)", "5,100,008 wires", "MAX_WIRES"]),
    ("copy size", lambda: gates.copy(2 ** 40), BadObject,
     ["copy(1099511627776)", "MAX_WIRES = 4,194,304"]),
    ("identity float", lambda: gates.identity(1.5), BadObject, ["identity", "n an int", "1.5"]),
    ("discard negative", lambda: gates.discard(-1), BadObject, ["discard", "n an int ≥ 0", "-1"]),
    # points: values are checked eagerly; shapes and dtypes under jit too (they are static)
    ("eager value 2", lambda: XOR((TWO, Z)), BadPoint,
     ["non-Boolean value 2", "factor 0", "expected bits 0 or 1"]),
    ("eager batched 3", lambda: CIRCUIT.batch(XOR, I, 2)((np.array([[0], [3]], np.uint8),) * 2),
     BadPoint, ["non-Boolean value 3", "expected bits 0 or 1"]),
    ("jit float", lambda: jax.jit(XOR)((np.ones(1, np.float32), Z)), BadPoint,
     ["expected bits (uint8 or bool)", "got float32"]),
    ("jit width", lambda: jax.jit(XOR)((np.zeros(2, np.uint8), Z)), BadPoint,
     ["expected shape (1,)", "got (2,)"]),
]


@pytest.mark.parametrize("thunk, error, words", [r[1:] for r in MISUSE],
                         ids=[r[0] for r in MISUSE])
def test_misuse_raises_a_typed_error_naming_both_sides(thunk, error, words):
    with pytest.raises(error) as info:
        thunk()
    assert isinstance(info.value, AxiomError)
    missing = [w for w in words if w not in str(info.value)]
    assert not missing, f"{missing} not in: {info.value}"


# The rule for points that are not checked: bits are read modulo 2 -------------------------

def _residues(x):
    return jax.tree.map(lambda v: np.asarray(v) & 1, x)


_rng = np.random.default_rng(0)


def _ints(*shape):
    return _rng.integers(0, 256, shape).astype(np.uint8)


TRACED = {  # name: (circuit, a point holding values other than 0 and 1)
    "xor": (XOR, (TWO, np.array([1], np.uint8))),
    "mux": (gates.mux(), (_ints(1), _ints(1), _ints(1))),
    # per-example wires are packed 32 examples a word: a 2 must not set the next example's bit
    "batched": (CIRCUIT.batch(XOR, I, 40), (_ints(40, 1), _ints(40, 1))),
    # a shared wire is broadcast to whole words: a 2 must not become 1 in examples 1 … 31
    "shared": (CIRCUIT.batch(gates.and_(), Bits(1), 5), (TWO, np.ones((5, 1), np.uint8))),
    "lookup_table": (CIRCUIT.batch(models.lookup_table(2, 1).inside, Bits(4), 33),
                     (_ints(4), _ints(33, 2))),
}


@pytest.mark.parametrize("name", TRACED)
def test_traced_points_are_read_mod_2(name):
    # awaits `& 1` on the uint8 points in circuits/_circuit.py `_rows` (the unbatched
    # cases already hold: a shared wire is read off bit 0)
    c, x = TRACED[name]
    got = jax.jit(c.fn)(jax.tree.map(jnp.asarray, x))
    np.testing.assert_array_equal(np.asarray(got), c(_residues(x)))


def test_unchecked_numpy_evaluation_reads_bits_mod_2():
    # awaits `& 1` in the numpy branch of circuits/_circuit.py `evaluate`: today 2 ⊕ 1 = 3
    assert XOR.fn((TWO, np.array([1], np.uint8))).tolist() == [1]


# Export names: what the checks accept, the tools accept ----------------------------------

@pytest.mark.parametrize("module", ["adder", "_half_sum$2", "x0", "Mux_9"])
def test_accepted_verilog_names_simulate_in_iverilog(module, tmp_path):
    c = gates.mux()
    assert np.array_equal(_simulate(to_verilog(c, module), module, 3, 1, tmp_path), truth_table(c))


@pytest.mark.parametrize("module", ["my adder; endmodule", "9lives", "module", "logic", "xor"])
def test_rejected_verilog_names_are_rejected_by_iverilog_too(module, tmp_path):
    # spliced in by hand (bypassing the check), the name really breaks the module
    _tool("iverilog")
    src = tmp_path / "dut.v"
    src.write_text(to_verilog(XOR, "circ").replace("module circ(", f"module {module}("))
    done = subprocess.run(["iverilog", "-o", str(tmp_path / "a.out"), str(src)],
                          capture_output=True, text=True)
    assert done.returncode != 0


@pytest.mark.parametrize("model", ["adder", "my-adder.v2", "a$b[0]", "x/y:z"])
def test_accepted_blif_names_read_in_yosys(model, tmp_path):
    verilog = _via_yosys("read_blif", to_blif(XOR, model), "blif", tmp_path)
    assert np.array_equal(_simulate(verilog, "circ", 2, 1, tmp_path), truth_table(XOR))


# Sizes: refused before building, and the counted wires are what building takes ------------

OVER_BUDGET = {
    "lookup_table(20, 1)": lambda: models.lookup_table(20, 1),
    "lookup_table(19, 2)": lambda: models.lookup_table(19, 2),
    "gate_layer(2000, 1)": lambda: models.gate_layer(2000, 1),
    "pseudo_linear(300000)": lambda: models.pseudo_linear(300_000),
    "copy(2^23)": lambda: gates.copy(2 ** 23),
}


def _no_builder(*args, **kwargs):
    raise AssertionError("a builder was started: the size must be refused before building")


@pytest.mark.parametrize("name", OVER_BUDGET)
def test_sizes_over_the_budget_are_refused_before_building(name, monkeypatch):
    monkeypatch.setattr(_circuit, "Builder", _no_builder)
    with pytest.raises(BadObject, match="MAX_WIRES"):
        OVER_BUDGET[name]()


def test_the_largest_lookup_table_is_within_the_budget(monkeypatch):
    # (19, 1) passes the check (building it would take a minute): it reaches the builder
    monkeypatch.setattr(_circuit, "Builder", _no_builder)
    with pytest.raises(AssertionError, match="builder was started"):
        models.lookup_table(19, 1)


COUNTED = {
    "lookup_table(8, 2)": lambda: models.lookup_table(8, 2),
    "gate_layer(10, 3)": lambda: models.gate_layer(10, 3),
    "pseudo_linear(200, 4)": lambda: models.pseudo_linear(200, 4),
    "pseudo_linear(37, 1)": lambda: models.pseudo_linear(37, 1),
}


@pytest.mark.parametrize("name", COUNTED)
def test_the_counted_wires_bound_the_built_ones_closely(name, monkeypatch):
    # the count is an upper bound (a budget just under it refuses) within 5 % of the
    # wires the builder really made
    made = []
    real = _circuit.Builder

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(_circuit, "Builder", recording)
    COUNTED[name]()
    wires = len(made[-1].batched)
    monkeypatch.setattr(gates, "MAX_WIRES", wires - 1)
    with pytest.raises(BadObject, match="MAX_WIRES"):
        COUNTED[name]()
    monkeypatch.setattr(gates, "MAX_WIRES", int(wires * 1.05))
    COUNTED[name]()
