"""The import graph is a DAG: packages only import downwards.

    categories  ←  lenses, circuits  ←  learners  ←  papers, benchmarks, tests

``diagrams`` draws the four packages below papers and imports them; only ``papers``
(and the tests) import it.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ["categories", "lenses", "circuits", "learners", "diagrams", "papers", "benchmarks"]
ALLOWED = {
    "categories": set(),
    "lenses": {"categories"},
    "circuits": {"categories"},
    "learners": {"categories", "lenses"},
    "diagrams": {"categories", "lenses", "circuits", "learners"},
    "papers": {"categories", "lenses", "circuits", "learners", "diagrams"},
    "benchmarks": {"categories", "lenses", "circuits", "learners"},
}


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", [p for p in PACKAGES if (ROOT / p).is_dir()])
def test_package_imports_only_downwards(package):
    forbidden = (set(PACKAGES) | {"tests"}) - ALLOWED[package] - {package}
    bad = {}
    for path in (ROOT / package).rglob("*.py"):
        hits = _imports(path) & forbidden
        if hits:
            bad[str(path.relative_to(ROOT))] = sorted(hits)
    assert not bad, f"upward or sideways imports from {package}: {bad}"


def test_the_checker_sees_imports():
    assert "lenses" in _imports(ROOT / "tests" / "laws" / "test_lens.py")
    assert "categories" in _imports(ROOT / "lenses" / "_lens.py")
