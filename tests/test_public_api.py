"""The public API is tested by its own examples.

Every class and function named in the ``__all__`` of a public module has a docstring
with a runnable Example, and this test runs it (``doctest.DocTestRunner``, in the
namespace of the module that defines the name, under the strict promotion of
``conftest.py``): a missing example or a failing one fails here, with doctest's report.
A constant (``SMOOTH``, ``I``, ``CIRCUIT``, …) is shown by the docstring example of the
module that assigns it, which must use the name and pass. Every public module's
docstring has an example too, and is run the same way.
"""

import doctest
import importlib
import inspect
import io
import pkgutil
import re
import sys

import pytest

PACKAGES = ["categories", "lenses", "learners", "circuits", "diagrams"]
MODULES = ["categories", "categories.smooth", "categories.layers", "categories.laws",
           "categories.strategies", "categories.building", "lenses", "lenses.laws", "lenses.strategies", "learners",
           "learners.backprop", "learners.data",
           "learners.schedules", "circuits", "circuits.gates", "circuits.models",
           "circuits.oracle", "circuits.packed", "circuits.export", "circuits.strategies",
           "diagrams"]
# the packages' own docstrings are an index of the API, not yet examples
NO_MODULE_EXAMPLE = {"categories", "lenses", "learners"}
# pytest's default for --doctest-modules, so an example passes both ways
FLAGS = doctest.ELLIPSIS


def _public_names():
    """``(label, module_name, name, obj)`` per public object, each object once."""
    rows, seen = [], set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if not hasattr(module, name):
                continue  # test_all_lists_are_complete reports it
            obj = getattr(module, name)
            if inspect.ismodule(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            rows.append((f"{module_name}.{name}", module_name, name, obj))
    return rows


PUBLIC = _public_names()
DOCUMENTED = [row for row in PUBLIC if inspect.isclass(row[3]) or inspect.isfunction(row[3])]
CONSTANTS = [row for row in PUBLIC if row not in DOCUMENTED]
PUBLIC_DOCS = {id(obj.__doc__) for _, _, _, obj in DOCUMENTED if obj.__doc__}


def _run(tests):
    """Run doctests; ``(examples run, failures as doctest's report)``."""
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = io.StringIO()
    for test in tests:
        runner.run(test, out=report.write)
    return runner.tries, (report.getvalue() if runner.failures else "")


def _examples(obj, label):
    """The doctests of ``obj``: its docstring's, then those of its methods and nested
    classes (``DocTestFinder``'s recursion), but none of another public name."""
    module = sys.modules[obj.__module__]
    finder = doctest.DocTestFinder(exclude_empty=False)
    tests = finder.find(obj, label, module=module, globs=dict(vars(module)))
    own = [t for t in tests if t.name == label]
    rest = [t for t in tests if t.name != label and id(t.docstring) not in PUBLIC_DOCS]
    return own, sorted(rest, key=lambda t: t.name)


@pytest.mark.parametrize("label,module_name,name,obj", DOCUMENTED, ids=[r[0] for r in DOCUMENTED])
def test_every_public_name_runs_its_example(label, module_name, name, obj):
    own, rest = _examples(obj, label)
    if not (own and own[0].examples):
        pytest.fail(f"{label} (defined in {obj.__module__}) has no Example: add a `>>>` "
                    f"doctest to its docstring", pytrace=False)
    tries, failures = _run(own + rest)
    assert tries >= len(own[0].examples)
    if failures:
        pytest.fail(f"{label}: its examples fail\n{failures}", pytrace=False)


def _assigning_module(module_name, name):
    """The module whose source assigns ``name`` at top level (``NAME = …``)."""
    pattern = re.compile(rf"^{re.escape(name)}\s*(:[^=\n]*)?=", re.MULTILINE)
    package = module_name.split(".")[0]
    for candidate in [module_name] + sorted(m for m in sys.modules if m.startswith(package)):
        module = sys.modules.get(candidate)
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return module
    return None


@pytest.mark.parametrize("label,module_name,name,obj", CONSTANTS, ids=[r[0] for r in CONSTANTS])
def test_every_public_constant_is_used_by_its_module_example(label, module_name, name, obj):
    module = _assigning_module(module_name, name)
    assert module is not None, f"found no module that assigns {label}"
    assert getattr(module, name) is obj, f"{module.__name__}.{name} is not {label}"
    tests = doctest.DocTestFinder(recurse=False).find(module, module.__name__,
                                                       globs=dict(vars(module)))
    uses = re.compile(rf"\b{re.escape(name)}\b")
    assert any(uses.search(e.source) for t in tests for e in t.examples), (
        f"{label}: the docstring example of {module.__name__}, which defines it, never uses it")
    tries, failures = _run(tests)
    assert tries
    if failures:
        pytest.fail(f"{module.__name__}: its docstring examples fail\n{failures}", pytrace=False)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_module_runs_its_docstring_example(module_name):
    module = importlib.import_module(module_name)
    tests = doctest.DocTestFinder(recurse=False).find(module, module_name,
                                                       globs=dict(vars(module)))
    tries, failures = _run(tests)
    assert module.__doc__ and module.__doc__.strip(), f"{module_name} needs a docstring"
    assert tries or module_name in NO_MODULE_EXAMPLE, (
        f"{module_name}: its docstring needs an Example (`>>>`)")
    if failures:
        pytest.fail(f"{module_name}: its docstring examples fail\n{failures}", pytrace=False)


def test_all_lists_are_complete():
    for m in MODULES:
        module = importlib.import_module(m)
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, f"{m}.__all__ names missing {missing}"
        assert len(set(module.__all__)) == len(module.__all__), f"{m}.__all__ repeats a name"


def test_every_public_module_is_listed():
    found = {f"{p}.{m.name}" for p in PACKAGES
             for m in pkgutil.iter_modules(importlib.import_module(p).__path__)
             if not m.name.startswith("_")}
    assert found - set(MODULES) == set(), "add these public modules to MODULES"
    assert set(MODULES) - set(PACKAGES) <= found
