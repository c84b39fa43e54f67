"""Build the learner's exercises from the solutions: one source, two notebooks.

notebooks/solutions/NN_name.ipynb holds the exercise section of lesson NN with its solutions.
Code between a `# BEGIN SOLUTION` and an `# END SOLUTION` line is the answer; cells tagged
"solution" are written answers; cells tagged "setup" make the solutions notebook run on its
own. This script copies everything else, from the "## Exercises" heading on, over the end of
notebooks/NN_name.ipynb, with each marked region replaced by

    # your code here
    raise NotImplementedError

and then executes both notebooks in place (one BLAS thread, as in CI), so their committed
outputs are fresh. Run it through `python3 tasks.py exercises [NN ...]` after editing a
solutions notebook; tests/test_notebooks.py fails if the two have drifted apart.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
HEADING = "## Exercises"
REGION = re.compile(r"^([ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n?", flags=re.M | re.S)


def learner_source(source: str) -> str:
    """A solution cell's source with every marked region replaced by a stub."""
    return REGION.sub(lambda m: f"{m.group(1)}# your code here\n{m.group(1)}raise NotImplementedError\n", source).rstrip()


def exercise_cells(solutions: nbformat.NotebookNode) -> list:
    """The learner's exercise section, built from a solutions notebook (outputs cleared)."""
    cells, started = [], False
    for cell in solutions.cells:
        started = started or (cell.cell_type == "markdown" and cell.source.startswith(HEADING))
        tags = cell.metadata.get("tags", [])
        if not started or "setup" in tags or "solution" in tags:
            continue
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(learner_source(cell.source)))
        else:
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
    if not cells:
        raise SystemExit(f"no cell starting with {HEADING!r} in the solutions notebook")
    return cells


def exercises_start(lesson: nbformat.NotebookNode) -> int:
    """Index of the lesson's cell that starts with the "## Exercises" heading."""
    for i, cell in enumerate(lesson.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(HEADING):
            return i
    raise SystemExit(f"the lesson has no markdown cell starting with {HEADING!r}")


def lesson_path(solutions_path: Path) -> Path:
    return NOTEBOOKS / solutions_path.name


def execute(path: Path) -> None:
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(notebook, path)
    print(f"executed {path.relative_to(ROOT)}")


def build(solutions_path: Path) -> None:
    solutions = nbformat.read(solutions_path, as_version=4)
    lesson_file = lesson_path(solutions_path)
    lesson = nbformat.read(lesson_file, as_version=4)
    lesson.cells = lesson.cells[:exercises_start(lesson)] + exercise_cells(solutions)
    nbformat.write(lesson, lesson_file)
    execute(lesson_file)
    execute(solutions_path)


def main(numbers) -> int:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    paths = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    if numbers:
        paths = [p for p in paths if p.name[:2] in numbers]
    for path in paths:
        build(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
