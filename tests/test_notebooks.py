"""The notebooks' shape, checked on the committed files (nbval runs them; this checks the rules
that running cannot see): the section template, committed outputs with no errors or stderr,
and NBVAL_IGNORE_OUTPUT on the widget cells and nowhere else."""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [path for path in NOTEBOOKS if not path.name.startswith("00")]
IGNORE = "# NBVAL_IGNORE_OUTPUT"


def load(path):
    return nbformat.read(path, as_version=4)


def test_the_lessons_exist():
    names = [path.stem for path in LESSONS]
    for expected in ["01_activation_functions", "02_learning_slowdown", "03_cross_entropy",
                     "04_softmax_gradient", "05_gradient_descent", "06_mnist_demo"]:
        assert expected in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
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
    exercises = text.split("## Exercises")[1]
    assert 2 <= len(re.findall(r"^\d+\. ", exercises, flags=re.M)) <= 4


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_only_widget_cells_ignore_their_output(path):
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        shows_widget = re.search(r"^(\w+ = )?\w+(Explorer|Panel|Pad)\(", cell.source, flags=re.M) is not None
        ignored = cell.source.startswith(IGNORE) or "nbval-ignore-output" in cell.metadata.get("tags", [])
        assert ignored == shows_widget, f"{path.name}: {'unmarked widget' if shows_widget else 'ignored'} cell:\n{cell.source[:80]}"
