"""The documentation site builds with warnings as errors and shows the whole public API.

``docs/conf.py`` sets ``nitpicky``, so a cross-reference to a name without a page, a
docstring whose markup docutils rejects, or a page missing from every table of contents
fails the build here, and so fails CI. The built pages are then read back: a build that
renders nothing (an API page whose directive silently produced no entries) fails too.
"""

import importlib
import json
import pathlib
import pkgutil
import re
import subprocess
import sys

import pytest

from tests.test_public_api import PACKAGES

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((ROOT / "papers" / "notebooks").glob("*.ipynb"))


def _public_modules():
    """Each package and its modules without a leading underscore."""
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(path)
                  if not m.name.startswith("_")]
    return names


MODULES = _public_modules()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q",
                            "-b", "html", str(DOCS), str(out)],
                           capture_output=True, text=True, cwd=ROOT)
    assert build.returncode == 0, f"sphinx-build failed:\n{build.stderr}{build.stdout}"
    return out


@pytest.mark.parametrize("module", MODULES)
def test_every_public_module_has_an_api_page(module):
    page = DOCS / "api" / f"{module}.md"
    assert page.exists(), f"add {page.relative_to(ROOT)} (one automodule directive)"
    assert f".. automodule:: {module}\n" in page.read_text()
    index = (DOCS / "api" / "index.md").read_text()
    assert re.search(rf"^{re.escape(module)}$", index, re.M), f"list {module} in docs/api/index.md"


def test_site_builds_and_documents_every_public_name(site):
    missing = []
    for module in MODULES:
        html = (site / "api" / f"{module}.html").read_text()
        mod = importlib.import_module(module)
        for name in mod.__all__:
            if hasattr(mod, name) and not isinstance(getattr(mod, name), type(sys)) \
                    and f'id="{module}.{name}"' not in html:
                missing.append(f"{module}.{name}")
    assert not missing, f"public names without an entry on their API page: {missing}"


def test_site_renders_the_readme_and_the_notebooks(site):
    index = (site / "index.html").read_text()
    assert "Check the laws of your own primitive" in index
    assert len(NOTEBOOKS) >= 5
    for path in NOTEBOOKS:
        cells = sum(c["cell_type"] == "code" for c in json.loads(path.read_text())["cells"])
        page = (site / "notebooks" / f"{path.stem}.html").read_text()
        assert page.count('class="cell_input') == cells > 0, f"{path.name}: code cells lost"
