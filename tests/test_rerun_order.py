"""Every checking cell still passes when a learner re-runs it after later cells (issue 15, item 5).

A learner scrolls back and runs a check again, after the notebook has gone further and rebound
names such as ``x``, ``y``, ``z`` or ``a``. Each notebook is run top to bottom in one kernel, as
in JupyterLab's "Run All", and then every code cell that asserts something is run again in the same
kernel, from the last to the first, so that each runs after every later checking cell has run once more.
(In order, an early cell that sets ``x, y = 1.0, 1.0`` would restore what a later check needs.) A cell
that fails only on the second run reads a name that a later cell changed.
"""

import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # each test runs a whole notebook in a kernel

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def checking_cells(notebook):
    return [(index, cell) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and "assert " in cell.source]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_every_checking_cell_passes_when_rerun_after_the_whole_notebook(path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    failures = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        for index, cell in reversed(checking_cells(notebook)):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                lines = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines() if line.strip()]
                failures.append(f"cell {index} ({cell.source.splitlines()[0][:60]!r}): {lines[-1][:200]}")
    failures.reverse()  # in the notebook's order
    assert not failures, f"{path.name}: checking cells that fail when re-run after the rest:\n" + "\n".join(failures)


@pytest.mark.parametrize("widget", ["TrainingPanel(", "DigitPad("])
def test_the_panel_and_pad_cells_run_first_after_a_restart(widget):
    # issue 15 item 5: run on their own in a fresh kernel, they stopped with a bare NameError
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "07_mnist_demo.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and widget in c.source)
    notebook.cells = [cell]
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()   # raises on any error
    shown = "".join(output.get("text", "") + str(output.get("data", {})) for output in cell.outputs)
    if widget == "DigitPad(":
        assert "run the notebook from the top" in shown
    else:
        assert "application/vnd.jupyter.widget-view+json" in shown
