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


def test_the_course_lab_turns_off_jupyters_news_popup(tmp_path):
    # issue 15 item 7: every setting tasks.py overrides exists in JupyterLab's schema, with a valid value
    import json
    import sys

    sys.path.insert(0, str(ROOT))
    import tasks

    written = json.loads(tasks.write_lab_settings(tmp_path).read_text())
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, settings in written.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())["properties"]
        for key, value in settings.items():
            allowed = [option["const"] for option in schema[key].get("oneOf", [])] or [True, False]
            assert value in allowed, (plugin, key, value, allowed)
    assert written["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


@pytest.mark.slow
def test_a_wheel_of_the_project_holds_the_user_interface_too(tmp_path):
    """The editable install the README uses maps the folder; a wheel ships only the packages that
    pyproject.toml lists, and lesson_lib.ui was missing from it once."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(root)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("lesson_lib-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("lesson_lib/training.py", "lesson_lib/ui/__init__.py", "lesson_lib/ui/training_panel.py",
                   "lesson_lib/ui/widgets.py", "lesson_lib/ui/plots.py", "lesson_lib/ui/digit_pad.py",
                   "lesson_lib/ui/progress.py"):
        assert module in names, f"{module} is missing from {wheel.name}"


@pytest.mark.slow
def test_the_first_run_install_prints_no_editable_install_warning_box(tmp_path):
    # issue 15 item 7: setuptools printed a boxed "Editable installation ... !!" warning during set-up
    import subprocess
    import sys
    import venv

    sys.path.insert(0, str(ROOT))
    import tasks

    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    python = str(tmp_path / "venv" / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, timeout=300)  # as tasks.py does
    pip = [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)]
    shown = subprocess.run(pip, env=tasks.install_env(), capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert "Editable installation" not in shown.stdout + shown.stderr
    plain = subprocess.run(pip + ["--force-reinstall"], capture_output=True, text=True, timeout=300)
    assert "Editable installation" in plain.stdout + plain.stderr  # what the filter removes is there without it
