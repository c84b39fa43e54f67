"""A learner's private memory, for sizing a class on one server (issue 18).

    python3 tasks.py bench data-memory

Memory that a class of learners can share is file-backed (the page cache holds one copy of a file for every
process that maps it); memory that each learner pays for alone is anonymous (the heap and every array computed).
This benchmark measures the anonymous memory, read from Linux's /proc (smaps_rollup "Anonymous", status
"RssAnon"):

1. after ``load_mnist()``: how much a fresh Python process's anonymous memory grew (target: at most 20 MB);
2. notebook 06 run top to bottom in a fresh kernel, then ten runs of the training panel with its default
   settings: the peak of the kernel's anonymous memory, sampled every 20 ms (target: below 200 MB).

Exits with status 1 if either target is missed. Linux only.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LOAD_TARGET_MB = 20
KERNEL_TARGET_MB = 200

AFTER_LOAD = """
import lesson_lib as ll

def anonymous_mb():
    with open("/proc/self/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Anonymous:")) / 1024

before = anonymous_mb()
data = ll.load_mnist()
print(f"{anonymous_mb() - before:.1f} {type(data[0][0]).__name__} {data[0][0].flags.writeable}")
"""

PID_CELL = "import os\nprint(os.getpid())"
PANEL_CELL = """
import gc
from lesson_lib.ui.training_panel import TrainingPanel

panel_for_the_benchmark = TrainingPanel()
for _ in range(10):
    panel_for_the_benchmark.train_button.click()
    panel_for_the_benchmark.wait()
gc.collect()
print(panel_for_the_benchmark.status.value)
"""


def anonymous_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:")) / 1024


def after_load() -> tuple:
    out = subprocess.run([sys.executable, "-c", AFTER_LOAD], capture_output=True, text=True, check=True, cwd=ROOT)
    growth, kind, writeable = out.stdout.split()
    return float(growth), kind, writeable


def kernel_peak(notebook_path: Path) -> tuple:
    """(peak anonymous MB, anonymous MB at the end, seconds, the panel's last status) for notebook 06 plus ten
    panel runs in a fresh kernel."""
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PID_CELL))
    notebook.cells.append(nbformat.v4.new_code_cell(PANEL_CELL))
    samples, stop, pid = [], threading.Event(), []

    def sample():
        while not stop.is_set():
            try:
                samples.append(anonymous_mb(pid[0]))
            except (OSError, StopIteration):
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)

    def on_cell_executed(cell, cell_index, execute_reply):
        if cell_index == 0:
            pid.append(int(cell.outputs[0]["text"]))
            sampler.start()

    client = NotebookClient(notebook, timeout=900, kernel_name="python3", on_cell_executed=on_cell_executed,
                            resources={"metadata": {"path": str(notebook_path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return max(samples), samples[-1], seconds, notebook.cells[-1].outputs[-1]["text"].strip()


def main() -> int:
    growth, kind, writeable = after_load()
    print(f"load_mnist(): anonymous memory +{growth:.1f} MB (target: at most {LOAD_TARGET_MB} MB); "
          f"x_train is a {kind}, writeable={writeable}")
    peak, end, seconds, status = kernel_peak(ROOT / "notebooks" / "06_gradient_descent.ipynb")
    print(f"notebook 06 + 10 panel runs: peak anonymous memory {peak:.0f} MB, {end:.0f} MB at the end, "
          f"{seconds:.0f} s (target: peak below {KERNEL_TARGET_MB} MB)\n  panel: {status}")
    return 0 if growth <= LOAD_TARGET_MB and peak < KERNEL_TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
