"""The conda / Binder environment names every package that pyproject.toml needs."""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")

ROOT = Path(__file__).resolve().parent.parent


def names(requirements):
    """Package names of requirement strings, normalized: 'ipywidgets>=8.0' -> 'ipywidgets'."""
    return {re.split(r"[<>=!~\[; ]", r.strip(), maxsplit=1)[0].lower().replace("-", "_") for r in requirements}


def test_environment_yml_names_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = names(project["dependencies"]) | names(project["optional-dependencies"]["test"])
    lines = (ROOT / "environment.yml").read_text().splitlines()
    conda = names(line.strip()[2:] for line in lines if re.match(r"^  - [A-Za-z]", line) and line.strip() != "- pip")
    missing = sorted(needed - conda)
    assert not missing, f"environment.yml lacks {missing}, which pyproject.toml needs"
    assert "jupyterlab_widgets" in conda  # widgets render in JupyterLab only with it (NOTEBOOKS.md)
    assert any(line.strip() == "- -e ." for line in lines)  # and it installs the project itself


def test_the_python_pinned_for_binder_is_supported():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = re.search(r"- python=(\d+)\.(\d+)", (ROOT / "environment.yml").read_text())
    minimum = re.search(r">=(\d+)\.(\d+)", project["requires-python"])
    assert (int(pinned[1]), int(pinned[2])) >= (int(minimum[1]), int(minimum[2]))
