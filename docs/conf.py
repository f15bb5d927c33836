"""Sphinx configuration: the README as landing page, API pages from the docstrings
(autodoc + napoleon), the teaching notebooks rendered as stored (no execution).

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (the ``docs``
extra). ``tests/test_docs.py`` runs the same build, so a broken reference fails CI.
"""

import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "papers" / "notebooks"
# Sphinx reads only files under this folder, so the notebooks are copied in (ignored by
# git); a copy is rewritten only when its source changed, keeping rebuilds incremental.
_copies = pathlib.Path(__file__).resolve().parent / "notebooks"
for stale in _copies.glob("*.ipynb"):
    if not (NOTEBOOKS / stale.name).exists():
        stale.unlink()
for source in NOTEBOOKS.glob("*.ipynb"):
    copy = _copies / source.name
    if not copy.exists() or copy.read_bytes() != source.read_bytes():
        shutil.copyfile(source, copy)

project = "paralens"
author = "The paralens authors"
copyright = "2026, The paralens authors"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "myst_nb"]
exclude_patterns = ["_build"]

# every cross-reference must resolve: a typo'd :class: or a moved name fails the build
nitpicky = True
# JAX's and numpy's classes (in type aliases' values) have no pages here: the build has
# no network for intersphinx; references to paralens's own names are all checked
nitpick_ignore_regex = [("py:class", r"(jax|jaxlib|numpy)\..*")]
# type hints name private modules (categories._objects.Object) and JAX's internals,
# which have no pages; the signatures and prose say the types
autodoc_typehints = "none"
autodoc_member_order = "bysource"
# the docstrings are Google style: no NumPy-style section parsing
napoleon_numpy_docstring = False
# a NamedTuple's docstring lists its fields under "Fields:", rendered like "Args:"
napoleon_custom_sections = [("Fields", "params_style")]

myst_enable_extensions = ["dollarmath", "amsmath"]
# the notebooks are stored without outputs and executed by tests/test_notebooks.py
nb_execution_mode = "off"

html_theme = "alabaster"
html_title = "paralens"
