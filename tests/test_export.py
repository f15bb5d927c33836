"""Exported circuits checked by real tools: iverilog simulates the Verilog, yosys reads
the BLIF and the AIGER (and writes them back as Verilog, simulated too); every
truth table must equal paralens's own. In CI (``CI`` set) a missing tool fails."""

import os
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from categories import BadObject
from categories.strategies import strategies_for
from circuits import CIRCUIT, Bits, gates, models
from circuits import strategies as _registers  # noqa: F401
from circuits.export import freeze, to_aiger, to_blif, to_verilog
from circuits.oracle import truth_table

S = strategies_for(CIRCUIT, max_bits=3, max_gates=12)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package {name})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _testbench(n: int, m: int, module: str) -> str:
    regs = "".join(f"  reg x{i};\n" for i in range(n))
    wires = "".join(f"  wire y{j};\n" for j in range(m))
    ports = ", ".join([f".x{i}(x{i})" for i in range(n)] + [f".y{j}(y{j})" for j in range(m)])
    drive = f"{{{', '.join(f'x{i}' for i in range(n))}}} = i;" if n else ""
    shown = "{" + ", ".join(f"y{j}" for j in range(m)) + "}" if m else "1'b0"
    return (f"module tb;\n{regs}{wires}  integer i;\n  {module} dut({ports});\n"
            f"  initial begin\n    for (i = 0; i < {2 ** n}; i = i + 1) begin\n"
            f"      {drive}\n      #1 $display(\"%b\", {shown});\n    end\n  end\nendmodule\n")


def _simulate(verilog: str, module: str, n: int, m: int, tmp_path) -> np.ndarray:
    _tool("iverilog")
    src, tb, out = tmp_path / "dut.v", tmp_path / "tb.v", tmp_path / "sim.vvp"
    src.write_text(verilog)
    tb.write_text(_testbench(n, m, module))
    subprocess.run(["iverilog", "-o", str(out), str(tb), str(src)], check=True,
                   capture_output=True, text=True)
    lines = subprocess.run(["vvp", "-n", str(out)], check=True, capture_output=True,
                           text=True).stdout.split()
    rows = [line for line in lines if set(line) <= {"0", "1"}]
    return np.array([[int(ch) for ch in row] for row in rows], np.uint8).reshape(2 ** n, -1)[:, :m]


def _via_yosys(reader: str, text: str, suffix: str, tmp_path) -> str:
    _tool("yosys")
    src, dst = tmp_path / f"in.{suffix}", tmp_path / "out.v"
    src.write_text(text)
    script = f"{reader} {src}; rename -top circ; write_verilog -noattr {dst}"
    subprocess.run(["yosys", "-q", "-p", script], check=True, capture_output=True, text=True)
    return dst.read_text()


def _check_all_formats(c, tmp_path):
    n, m = c.net.n_inputs, len(c.net.outputs)
    want = truth_table(c)
    assert np.array_equal(_simulate(to_verilog(c, "circ"), "circ", n, m, tmp_path), want)
    blif = _via_yosys("read_blif", to_blif(c, "circ"), "blif", tmp_path)
    assert np.array_equal(_simulate(blif, "circ", n, m, tmp_path), want)
    aig = _via_yosys("read_aiger -module_name circ", to_aiger(c), "aag", tmp_path)
    assert np.array_equal(_simulate(aig, "circ", n, m, tmp_path), want)


@settings(max_examples=10)
@given(data=st.data())
def test_random_circuits_round_trip_through_the_tools(data, tmp_path_factory):
    dom, cod = data.draw(S.objects(), "dom"), data.draw(S.objects(), "cod")
    c = data.draw(S.arrows(dom, cod), "circuit")
    _check_all_formats(c, tmp_path_factory.mktemp("export"))


@pytest.mark.parametrize("gate", [gates.xor(), gates.and_(), gates.or_(), gates.nand(),
                                  gates.mux(), gates.not_(), gates.one(), gates.zero()],
                         ids=repr)
def test_every_gate_round_trips(gate, tmp_path):
    _check_all_formats(gate, tmp_path)


def test_a_learned_lookup_table_round_trips(tmp_path):
    model = models.lookup_table(3, 2)
    theta = np.random.default_rng(0).integers(0, 2, model.param.n).astype(np.uint8)
    frozen = freeze(model, theta)
    assert frozen.dom == Bits(3) and frozen.net.counts().get("const", 0) <= 2
    rows = np.array([[int(b) for b in f"{k:03b}"] for k in range(8)], np.uint8)
    expected = np.stack([model(theta, r) for r in rows])
    assert np.array_equal(truth_table(frozen), expected)
    _check_all_formats(frozen, tmp_path)


def test_batched_circuits_cannot_be_exported():
    with pytest.raises(BadObject, match="batched"):
        to_verilog(CIRCUIT.batch(gates.and_(), Bits(1), 4))
