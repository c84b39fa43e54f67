"""Peak memory and run time of the kernel that runs a notebook top to bottom.

    python3 tasks.py bench notebooks          # every notebook
    .venv/bin/python benchmarks/bench_notebook_memory.py notebooks/07_mnist_demo.ipynb

Each notebook runs in a fresh kernel (as nbval runs it); one extra cell at the end asks the kernel
for its own peak resident memory (``ru_maxrss``). A classroom JupyterHub gives each learner about
1 GB, so the target is a peak below 500 MB per notebook, and a run time below 60 seconds for
notebook 07 (the course's heaviest). Fails (exit 1) if a notebook goes over either limit.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
PEAK_CELL = """
import resource, sys
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024))
"""
MEMORY_LIMIT_MB = 500
TIME_LIMIT_S = 60


def measure(path: Path):
    """(peak RSS in bytes, seconds) of a fresh kernel running the notebook at ``path``."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    return int(notebook.cells[-1].outputs[0]["text"].strip()), seconds


def main(paths):
    paths = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failed = False
    print(f"{'notebook':32s} {'peak RSS':>10s} {'seconds':>8s}")
    for path in paths:
        peak, seconds = measure(path)
        over = peak / 1e6 > MEMORY_LIMIT_MB or seconds > TIME_LIMIT_S
        failed |= over
        print(f"{path.name:32s} {peak / 1e6:7.0f} MB {seconds:8.1f}" + ("   OVER THE LIMIT" if over else ""))
    print(f"limits: {MEMORY_LIMIT_MB} MB peak, {TIME_LIMIT_S} s per notebook (kernel start included)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
