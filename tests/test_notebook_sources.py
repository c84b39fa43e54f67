"""Every notebook is built from its text source in lessons/ (tools/build_notebooks.py): the check
that the two agree, run on every committed notebook, and shown failing on the ways they drift
apart (a source edited without a build, a cell missing, outputs cleared, stale or changed by hand,
a file saved by another tool, exercises edited in the lesson's copy)."""

import copy
import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest

# about 7 s in all: every notebook read and compared with its source, Jupytext, and a new interpreter that imports
# nbformat (4 s); none of it depends on lesson_lib, so the quick loop (-m "not slow") leaves it out
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

SOURCES = build.all_sources()
NOTEBOOK_PATHS = build.all_notebooks()


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    assert [build.source_for(path) for path in NOTEBOOK_PATHS] == SOURCES
    assert len(SOURCES) >= 15  # lessons 00-08 and the solutions of 01-08


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(build.SOURCES)))
def test_the_notebook_is_built_from_its_source(source):
    found = build.problems(source, build.notebook_for(source))
    assert not found, "\n".join(found)


@pytest.fixture
def copy_of_03(tmp_path):
    """Lesson 03's built notebook and a source made from it, in a temporary folder: a pair that
    agrees whatever state the course's own lesson 03 is in while someone edits it."""
    source, notebook = tmp_path / "03_cross_entropy.md", tmp_path / "03_cross_entropy.ipynb"
    shutil.copy(build.NOTEBOOKS / notebook.name, notebook)
    source.write_text(build.source_text(nbformat.read(notebook, as_version=4)), encoding="utf-8")
    assert build.problems(source, notebook) == []
    return source, notebook


def test_a_source_edited_without_a_build_is_caught(copy_of_03):
    source, notebook = copy_of_03
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    title = lines[0].rstrip("\n")
    assert title.endswith("entropy and KL divergence")
    source.write_text("".join([title + " (edited)\n"] + lines[1:]), encoding="utf-8")
    found = build.problems(source, notebook)
    assert len(found) == 1
    assert "03_cross_entropy.ipynb disagrees with" in found[0] and "cell 0's text differs: source file line 1" in found[0]
    assert "KL divergence (edited)'," in found[0] and "notebook has 'entropy and KL divergence'" in found[0]
    assert found[0].endswith("Run `python3 tasks.py build 03`.")


def problems_after(copy, change):
    """The check's findings once ``change(notebook)`` has been saved into the copied notebook."""
    source, notebook_path = copy
    notebook = nbformat.read(notebook_path, as_version=4)
    change(notebook)
    nbformat.write(notebook, notebook_path)
    return build.problems(source, notebook_path)


def test_a_cell_missing_from_the_notebook_is_caught(copy_of_03):
    cells = len(build.read_source(copy_of_03[0]).cells)
    found = problems_after(copy_of_03, lambda notebook: notebook.cells.pop())
    assert any(f"cell {cells - 1} of the source is missing from the notebook" in p for p in found), found


def clear_all_outputs(notebook):
    # what JupyterLab's "Clear All Outputs" followed by a save does
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None


def test_a_notebook_with_its_outputs_cleared_is_caught(copy_of_03):
    # strict nbval alone passes such a file: it compares only the outputs that are stored
    found = problems_after(copy_of_03, clear_all_outputs)
    assert len(found) == 1 and "code cells have not been run (outputs cleared?)" in found[0], found


def remove_first_printed_output(notebook):
    printing = next(c for c in notebook.cells if c.cell_type == "code" and c.outputs)
    printing.outputs = []  # execution count kept: only the digest of the build's outputs can tell


def test_one_cell_with_its_output_removed_is_caught(copy_of_03):
    found = problems_after(copy_of_03, remove_first_printed_output)
    assert len(found) == 1 and "its outputs are not the ones the build stored" in found[0], found


def test_code_changed_in_both_files_but_not_rerun_is_caught(copy_of_03):
    # what a JupyterLab save of an edited, not re-run cell does with pairing: source and notebook agree,
    # the outputs below the cell are stale
    source, notebook_path = copy_of_03
    notebook = nbformat.read(notebook_path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and c.outputs)
    cell.source += "\n# changed, not run"
    nbformat.write(notebook, notebook_path)
    source.write_text(build.source_text(notebook), encoding="utf-8")
    found = build.problems(source, notebook_path)
    assert len(found) == 1 and "its outputs are not the ones the build stored" in found[0], found


def test_a_notebook_saved_by_another_tool_is_caught(copy_of_03):
    def as_jupyterlab_saves_it(notebook):
        notebook.metadata["jupytext"] = {"notebook_metadata_filter": "-all"}

    found = problems_after(copy_of_03, as_jupyterlab_saves_it)
    assert len(found) == 1 and "not in the form the build writes" in found[0], found


def test_a_notebook_that_did_not_come_from_the_build_is_caught(copy_of_03):
    found = problems_after(copy_of_03, lambda notebook: notebook.metadata.pop("built_from"))
    assert "not made by the build" in " ".join(found)


def test_a_blank_code_cell_is_not_taken_for_an_unrun_one(copy_of_03):
    # nbclient skips blank cells, so a fresh build leaves them with no execution count
    source, notebook_path = copy_of_03
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(""))
    notebook = build.normalize(notebook, Path("lessons/03_cross_entropy.md"))
    notebook_path.write_text(nbformat.writes(notebook), encoding="utf-8")
    source.write_text(build.source_text(notebook), encoding="utf-8")
    assert build.problems(source, notebook_path) == []


def test_a_missing_notebook_and_a_missing_source_are_named(tmp_path, copy_of_03):
    source, notebook = copy_of_03
    absent_notebook, absent_source = tmp_path / "nowhere.ipynb", tmp_path / "nowhere.md"
    assert "is missing" in build.problems(source, absent_notebook)[0]
    assert "has no source" in build.problems(absent_source, notebook)[0]


def test_a_lesson_whose_exercises_were_edited_in_place_is_caught(tmp_path, copy_of_03):
    # the exercise section is made from the solutions: an edit to the lesson's copy would be lost, so
    # the check says where to move it
    source, notebook = copy_of_03
    lesson = build.read_source(source)
    start = build.exercises_start(lesson)
    solutions = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np", metadata={"tags": ["setup"]})]
                                         + lesson.cells[start:])
    solutions_path = tmp_path / "solutions.md"
    solutions_path.write_text(build.source_text(solutions), encoding="utf-8")
    assert build.problems(source, notebook, solutions_path) == []
    lesson.cells[start + 1].source += "\nAn extra line."
    source.write_text(build.source_text(lesson), encoding="utf-8")
    found = build.problems(source, notebook, solutions_path)
    assert len(found) == 1 and "move any change you made there into" in found[0] and "solutions.md" in found[0], found


def test_answers_and_setup_cells_stay_with_the_solutions():
    solutions = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np", metadata={"tags": ["setup"]}),
        nbformat.v4.new_markdown_cell("## Exercises\n\n1. Why?"),
        nbformat.v4.new_markdown_cell("**Answer 1.** Because.", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("x = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION\nprint(x)"),
    ])
    built = build.exercise_cells(solutions)
    assert [c.source for c in built] == ["## Exercises\n\n1. Why?",
                                         "x = 1\n# your code here\nraise NotImplementedError\nprint(x)"]
    for path in build.SOURCES.glob("[0-9][0-9]_*.md"):  # and so no learner's exercise section shows an answer
        lesson = build.read_source(path)
        if any(cell.source.startswith("## Exercises") for cell in lesson.cells):
            section = lesson.cells[build.exercises_start(lesson):]
            exercises = "".join(cell.source for cell in section)
            assert "**Answer" not in exercises and "BEGIN SOLUTION" not in exercises, path
            # after the list of written exercises, only self-checking ones ("### N. ..."): a prose cell
            # there is an answer that lost its "solution" tag
            strays = [c.source[:60] for c in section[1:] if c.cell_type == "markdown" and not c.source.startswith("### ")]
            assert not strays, f"{path}: untagged prose in the exercise section: {strays}"


def test_the_build_refuses_to_run_outside_tasks_py():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "LESSON_LIB_COURSE_ENV"}
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_notebooks.py"), "03"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "run me as `python3 tasks.py build" in result.stderr


def fake_executed_notebook(model_ids):
    """A notebook as a kernel leaves it: a widget view whose model refers to a layout, timestamps."""
    view, layout, unused = model_ids
    cell = nbformat.v4.new_code_cell("Explorer()", execution_count=1, id="abc123", metadata={
        "execution": {"iopub.status.busy": "2026-11-21T08:07:24.758868Z"}})
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
        "text/plain": "Explorer()", build.WIDGET_VIEW: {"model_id": view, "version_major": 2, "version_minor": 0}})]
    state = {
        view: {"model_name": "VBoxModel", "state": {"layout": f"IPY_MODEL_{layout}", "children": []}},
        unused: {"model_name": "LayoutModel", "state": {}},
        layout: {"model_name": "LayoutModel", "state": {"width": "100px"}},
    }
    return nbformat.v4.new_notebook(cells=[cell], metadata={
        "language_info": {"name": "python", "version": "3.11.7"},
        "widgets": {build.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}})


def test_normalizing_removes_what_differs_between_runs():
    source = build.SOURCES / "99_example.md"
    first = build.normalize(fake_executed_notebook(["1" * 32, "2" * 32, "3" * 32]), source)
    second = build.normalize(fake_executed_notebook(["a" * 32, "b" * 32, "c" * 32]), source)
    assert nbformat.writes(first) == nbformat.writes(second)  # random model ids renumbered the same way
    text = nbformat.writes(first)
    assert "iopub" not in text and "3.11.7" not in text and "abc123" not in text
    assert first.cells[0].id == "cell-000"
    state = first.metadata.widgets[build.WIDGET_STATE]["state"]
    assert len(state) == 2  # the model that no shown widget refers to is dropped
    view = first.cells[0].outputs[0].data[build.WIDGET_VIEW]["model_id"]
    assert state[view]["state"]["layout"][len("IPY_MODEL_"):] in state  # references follow the renumbering
    assert nbformat.writes(build.normalize(copy.deepcopy(first), source)).replace(
        first.metadata.built_from.outputs_sha256, "") == text.replace(first.metadata.built_from.outputs_sha256, "")


def test_sources_are_written_as_jupyterlab_pairing_writes_them():
    # jupytext.toml pairs notebooks/ with lessons/; the build's writer must give the same text, or a
    # save in JupyterLab would rewrite every source
    import jupytext.config

    config = jupytext.config.load_jupytext_configuration_file(str(ROOT / "jupytext.toml"))
    assert config.formats in ("notebooks///ipynb,lessons///md:myst", ["notebooks///ipynb,lessons///md:myst"]) and config.notebook_metadata_filter == "-all"
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        assert build.source_text(build.read_source(source)) == text, source
        assert not text.startswith("---"), f"{source}: no YAML header expected"


def test_saving_a_notebook_in_jupyterlab_writes_its_source(tmp_path):
    # what `python3 tasks.py edit` serves: JupyterLab's contents manager, with Jupytext's pairing, on a
    # copy of the project's root (jupytext.toml, notebooks/, lessons/)
    import asyncio

    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class

    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    for folder in ("notebooks", "lessons"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.cfg"))
    manager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)(root_dir=str(tmp_path))
    source = tmp_path / "lessons" / "solutions" / "03_cross_entropy.md"
    before = source.read_text(encoding="utf-8")

    async def edit_and_save(path):
        model = await manager.get(path)
        model["content"].cells[-1].source += "\n# an edit made in JupyterLab"
        await manager.save(model, path)

    asyncio.run(edit_and_save("notebooks/solutions/03_cross_entropy.ipynb"))
    after = source.read_text(encoding="utf-8")
    assert after != before and after.replace("\n# an edit made in JupyterLab", "", 1) == before


def test_no_notebook_prints_a_number_as_small_as_rounding_error():
    """A printed 3.2e-16 is float64 rounding: its digits change with the NumPy release (a fresh install of NumPy
    2.4.6 printed 2.7e-16 in lesson 05, and strict nbval failed on it). Such a cell prints its bound instead."""
    import re

    rounding = re.compile(r"\b\d(?:\.\d+)?e-(?:1[4-9]|[2-9]\d)\b")
    found = []
    for path in NOTEBOOK_PATHS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            for output in cell.get("outputs", []):
                text = output.get("text", "") or output.get("data", {}).get("text/plain", "")
                found += [f"{path.name} cell {index}: {number}" for number in rounding.findall("".join(text))]
    assert found == []
