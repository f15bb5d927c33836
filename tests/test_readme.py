"""The README's Python blocks run as written, and its two commands stay in step with CI."""

import pathlib
import re

import pytest

from categories import LawViolation

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_quickstart_runs():
    exec(compile(BLOCKS[0], "README quickstart", "exec"), {})


def test_training_example_runs():
    namespace = {}
    exec(compile(BLOCKS[1], "README training example", "exec"), namespace)
    assert namespace["history"]["loss"][-1] < namespace["history"]["loss"][0]


def test_circuit_example_learns_xor():
    namespace = {}
    exec(compile(BLOCKS[2], "README circuit example", "exec"), namespace)
    assert namespace["np"].asarray(namespace["state"].params).tolist() == [0, 1, 1, 0]
    assert "module learned_xor" in namespace["to_verilog"](
        namespace["freeze"](namespace["model"], namespace["state"].params), "learned_xor")


def test_law_check_example_runs_and_bites():
    namespace = {}
    exec(compile(BLOCKS[3], "README law example", "exec"), namespace)
    namespace["test_cube"]()
    wrong = BLOCKS[3].replace("3 * x**2 * dy", "2 * x * dy")
    assert wrong != BLOCKS[3]
    exec(compile(wrong, "README law example, wrong rule", "exec"), namespace)
    with pytest.raises(LawViolation):
        namespace["test_cube"]()


def test_ci_runs_the_readme_test_command():
    ci = (pathlib.Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert 'pip install -e ".[dev]"' in README and '-m pytest -n auto' in README
    assert '-e ".[dev]"' in ci and "-m pytest -n auto" in ci
