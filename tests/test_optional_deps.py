"""Without an optional dependency, what needs it says which extra to install.

Runs in a subprocess whose import system refuses hypothesis and optax, as an
environment without those extras would.
"""

import subprocess
import sys

SCRIPT = r"""
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("hypothesis", "optax"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Hide())
from categories import MissingDependency
import learners
for module in ("categories.strategies", "lenses.strategies", "circuits.strategies"):
    try:
        __import__(module)
    except MissingDependency as e:
        print(e)
try:
    learners.as_optax(learners.sgd(0.1))
except MissingDependency as e:
    print(e)
"""


def test_missing_extras_are_named():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "categories.strategies needs hypothesis: pip install 'paralens[testing]'",
        "lenses.strategies needs hypothesis: pip install 'paralens[testing]'",
        "circuits.strategies needs hypothesis: pip install 'paralens[testing]'",
        "as_optax needs optax: pip install 'paralens[optax]'",
    ]
