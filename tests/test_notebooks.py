"""The notebooks' shape, checked on the committed files (nbval runs them; this checks the rules
that running cannot see): the section template, committed outputs with no errors or stderr,
and NBVAL_IGNORE_OUTPUT on the widget cells and nowhere else."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from lesson_lib import exercises

pytestmark = pytest.mark.slow  # imports nbformat (~3 s); reads every committed notebook

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [path for path in NOTEBOOKS if not path.name.startswith("00")]
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
IGNORE = "# NBVAL_IGNORE_OUTPUT"

_spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
build_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_notebooks)


def load(path):
    return nbformat.read(path, as_version=4)


def test_the_lessons_exist():
    names = [path.stem for path in LESSONS]
    for expected in ["01_activation_functions", "02_learning_slowdown", "03_cross_entropy",
                     "04_softmax_gradient", "05_backpropagation", "06_gradient_descent", "07_mnist_demo", "08_open_questions"]:
        assert expected in names


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_committed_outputs_have_no_errors_or_stderr(path):
    notebook = load(path)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells[0].source.startswith("%matplotlib inline")
    for cell in code_cells:
        assert cell.execution_count is not None, f"{path.name}: a cell was not executed:\n{cell.source[:80]}"
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: {output.get('ename')}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), \
                f"{path.name}: stderr output:\n{output.text[:200]}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lessons_follow_the_section_template(path):
    text = "\n".join(cell.source for cell in load(path).cells if cell.cell_type == "markdown")
    for heading in ["**What you will learn**", "**What you need**", "**What you will do**", "## Glossary · 术语表",
                    "## Summary", "## Exercises"]:
        assert heading in text, f"{path.name} lacks {heading!r}"
    glossary = text.split("## Glossary · 术语表")[1].strip().split("\n\n")[0]
    rows = [line for line in glossary.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 5 and all(re.search(r"[\u4e00-\u9fff]", row) for row in rows)
    section = text.split("## Exercises")[1]
    numbers = [int(n) for n in re.findall(r"^(?:### )?(\d+)\. ", section, flags=re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and 3 <= len(numbers) <= 6, numbers


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_only_widget_cells_ignore_their_output(path):
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        shows_widget = re.search(r"^\s*(\w+ = )?\w+(Explorer|Panel|Pad)\(", cell.source, flags=re.M) is not None
        ignored = cell.source.startswith(IGNORE) or "nbval-ignore-output" in cell.metadata.get("tags", [])
        assert ignored == shows_widget, f"{path.name}: {'unmarked widget' if shows_widget else 'ignored'} cell:\n{cell.source[:80]}"


def outputs_of(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def test_every_lesson_has_a_solutions_notebook():
    assert [path.name for path in SOLUTIONS] == [path.name for path in NOTEBOOKS]  # 00 included


@pytest.mark.parametrize("solutions_path", SOLUTIONS, ids=lambda p: p.stem)
def test_stubs_say_not_yet_implemented_and_solutions_pass_every_checker(solutions_path):
    number = solutions_path.name[:2]
    lesson = load(ROOT / "notebooks" / solutions_path.name)
    start = build_notebooks.exercises_start(lesson)
    learner_output = "".join(outputs_of(c) for c in lesson.cells[start:] if c.cell_type == "code")
    solution_output = "".join(outputs_of(c) for c in load(solutions_path).cells if c.cell_type == "code")
    for checker in exercises.CHECKERS.get(number, []):  # 00 has written exercises only
        assert f"{checker.name}: not yet implemented." in learner_output
        assert f"{checker.name}: all {len(checker.cases)} checks passed." in solution_output
    assert "BEGIN SOLUTION" not in "".join(c.source for c in lesson.cells)
    assert "Traceback" not in learner_output + solution_output


@pytest.mark.parametrize("solutions_path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_exercise_has_a_worked_answer(solutions_path):
    # written exercises (the numbered list after "## Exercises") each have a cell tagged "solution" that starts
    # with "**Answer N.**"; self-checking ones ("### N. ...") each have a worked solution in code
    cells = load(solutions_path).cells
    start = build_notebooks.exercises_start(load(solutions_path))
    listed = [int(n) for n in re.findall(r"^(\d+)\. ", cells[start].source, flags=re.M)]
    answered = [int(m.group(1)) for cell in cells if "solution" in cell.metadata.get("tags", [])
                for m in [re.match(r"\*\*Answer (\d+)\.\*\*", cell.source)] if m]
    checking = [int(m.group(1)) for cell in cells if cell.cell_type == "markdown"
                for m in [re.match(r"### (\d+)\. ", cell.source)] if m]
    # every written exercise has its answer, in order; a self-checking exercise may have one too (03's 4)
    assert listed and [n for n in answered if n not in checking] == listed, \
        f"{solutions_path.name}: exercises {listed}, answers {answered}"
    assert set(answered) <= set(listed) | set(checking), f"{solutions_path.name}: answers {answered} to no exercise"
    for i, cell in enumerate(cells):
        heading = re.match(r"### (\d+)\. ", cell.source) if cell.cell_type == "markdown" else None
        if heading:
            code = next(c for c in cells[i + 1:] if c.cell_type == "code")
            # its worked solution: code between the markers, or (07's exercise 5) a run of the course's own check
            assert "# BEGIN SOLUTION" in code.source or "ll.exercises." in code.source, \
                f"{solutions_path.name}: exercise {heading.group(1)} has no solution"
