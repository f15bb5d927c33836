"""The README's Python blocks run as written, and its two commands stay in step with CI.

Each section names the install its code needs (``pip install -e .`` or ``-e ".[extra]"``),
and its blocks run in a subprocess that can import only what that install brings:
every installed distribution outside the extra's requirements is hidden, as on a
fresh machine that followed the section.
"""

import pathlib
import re
import subprocess
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from categories import LawViolation

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
CIRCUIT = next(b for b in BLOCKS if "difference(Bits(1), CIRCUIT)" in b)
LAW = next(b for b in BLOCKS if "3 * x**2 * dy" in b)


def test_quickstart_runs():
    exec(compile(BLOCKS[0], "README quickstart", "exec"), {})


def test_training_example_runs():
    namespace = {}
    exec(compile(BLOCKS[1], "README training example", "exec"), namespace)
    assert namespace["history"]["loss"][-1] < namespace["history"]["loss"][0]


def test_circuit_example_learns_xor():
    namespace = {}
    exec(compile(CIRCUIT, "README circuit example", "exec"), namespace)
    assert namespace["np"].asarray(namespace["state"].params).tolist() == [0, 1, 1, 0]
    assert "module learned_xor" in namespace["to_verilog"](
        namespace["freeze"](namespace["model"], namespace["state"].params), "learned_xor")


def test_law_check_example_runs_and_bites():
    namespace = {}
    exec(compile(LAW, "README law example", "exec"), namespace)
    namespace["test_cube"]()
    wrong = LAW.replace("3 * x**2 * dy", "2 * x * dy")
    assert wrong != LAW
    exec(compile(wrong, "README law example, wrong rule", "exec"), namespace)
    with pytest.raises(LawViolation):
        namespace["test_cube"]()


def test_ci_runs_the_readme_test_command():
    ci = (pathlib.Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert 'pip install -e ".[dev]"' in README and '-m pytest -n auto' in README
    assert '-e ".[dev]"' in ci and "-m pytest -n auto" in ci


# Imports fail, as in an environment without them, for the top-level modules named in
# argv[1]; then runs a README block from stdin (and the test_* functions it defines, as
# pytest would) or, after "-m", a module as `python -m` does.
RUNNER = """
import importlib.abc, runpy, sys
hidden = set(sys.argv[1].split(","))
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Hide())
if sys.argv[2:3] == ["-m"]:
    sys.argv = sys.argv[3:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    namespace = {"__name__": "readme"}
    exec(compile(sys.stdin.read(), "README block", "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()
"""
INSTALL = re.compile(r'pip install -e (?:"\.\[([\w,]+)\]"|\.(?![\w\[]))')


def _sections_extras():
    """``(extras, block)`` per Python block: the extras its section's install names."""
    rows = []
    for section in re.split(r"^## ", README, flags=re.M)[1:]:
        blocks = re.findall(r"```python\n(.*?)```", section, re.S)
        installs = {m.group(1) or "" for m in INSTALL.finditer(section)}
        if blocks:
            assert len(installs) == 1, (f"section {section.splitlines()[0]!r} must name one "
                                        f"install (pip install -e . or -e \".[extra]\"), "
                                        f"names {sorted(installs)}")
            extras = frozenset(filter(None, installs.pop().split(",")))
            rows += [(extras, block) for block in blocks]
    return rows


def _hidden(extras):
    """Top-level modules of installed distributions that paralens with ``extras`` does
    not require, directly or through its requirements."""
    required, todo, seen = {"paralens"}, [("paralens", frozenset(extras))], set()
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        try:
            lines = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here (a platform-specific requirement)
        for req in map(Requirement, lines):
            if req.marker is None or any(req.marker.evaluate({"extra": e})
                                         for e in wanted | {""}):
                required.add(canonicalize_name(req.name))
                todo.append((req.name, frozenset(req.extras)))
    return sorted(top for top, dists in metadata.packages_distributions().items()
                  if not any(canonicalize_name(d) in required for d in dists))


def _run_with(extras, args, code, cwd):
    return subprocess.run([sys.executable, "-c", RUNNER, ",".join(_hidden(extras)), *args],
                          input=code, capture_output=True, text=True, cwd=cwd)


SECTIONS = _sections_extras()


@pytest.mark.parametrize("extras,block", SECTIONS,
                         ids=[f"block{i}-[{','.join(sorted(e))}]" for i, (e, _) in
                              enumerate(SECTIONS)])
def test_block_runs_with_only_its_sections_install(extras, block, tmp_path):
    run = _run_with(extras, [], block, tmp_path)
    assert run.returncode == 0, run.stderr


def test_hiding_bites():
    law_block = next(b for b in BLOCKS if "from hypothesis import" in b)
    run = _run_with(frozenset(), [], law_block, None)
    assert run.returncode != 0 and "No module named 'hypothesis'" in run.stderr


def test_main_job_command_runs_with_only_the_papers_extra(tmp_path):
    assert ('.venv/bin/pip install -e ".[papers]" && .venv/bin/python -m papers' in README)
    # one experiment that loads bundled data (scikit-learn) and draws (matplotlib): the
    # papers' only optional imports; tests/test_papers.py runs them all
    run = _run_with({"papers"}, ["-m", "papers", "--quick", "--no-progress", "--only",
                                 "cfgbl.iris.dense", "--out", str(tmp_path)], "", tmp_path)
    assert run.returncode == 0, run.stderr
    assert {".json", ".md", ".png"} <= {p.suffix for p in (tmp_path / "quick-001").iterdir()}
