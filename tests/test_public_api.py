"""Every public name is documented, and every public module shows a runnable Example."""

import importlib
import inspect

import pytest

MODULES = ["categories", "categories.smooth", "categories.layers", "categories.laws",
           "categories.strategies", "lenses", "lenses.laws", "learners", "learners.data",
           "learners.schedules", "circuits", "circuits.gates", "circuits.models",
           "circuits.oracle", "circuits.packed", "circuits.export", "circuits.strategies"]


def _public(module_name):
    module = importlib.import_module(module_name)
    return [(module_name, name, getattr(module, name)) for name in module.__all__]


@pytest.mark.parametrize("module_name", MODULES)
def test_module_docstring_has_an_example(module_name):
    doc = importlib.import_module(module_name).__doc__ or ""
    assert ">>>" in doc or module_name in ("categories", "lenses", "learners", "circuits"), module_name


@pytest.mark.parametrize("module_name,name,obj", [row for m in MODULES for row in _public(m)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_public_name_is_documented(module_name, name, obj):
    if inspect.ismodule(obj) or not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return  # constants (SMOOTH, I) are documented in their module
    doc = inspect.getdoc(obj)
    assert doc and len(doc) > 8, f"{module_name}.{name} needs a docstring"


def test_all_lists_are_complete():
    for m in MODULES:
        module = importlib.import_module(m)
        for name in module.__all__:
            assert hasattr(module, name), f"{m}.__all__ names missing {name}"
