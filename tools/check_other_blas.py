"""Run every committed notebook with BLAS kernels that round differently, and fail if a cell raises.

The committed digits come from OpenBLAS's Haswell kernels with one thread (`tasks.py` pins them).
A learner on conda, Binder or another processor gets other kernels. They add in another order, so
the last bits differ, and thousands of training updates grow that into a different run: about a point
of test accuracy, as much as a different seed. The printed digits may then differ from the committed
ones, but every check a notebook makes must still pass, and every conclusion its text draws must hold.

This runs each notebook of `notebooks/` and `notebooks/solutions/` top to bottom in a fresh kernel
with ``OPENBLAS_CORETYPE`` set to another kernel: Sandybridge by default (AVX without FMA, which
any x86-64 processor with AVX can run), or any name given with ``--coretype`` (SkylakeX where the
processor has AVX-512). It lists every cell that raised, and counts the cells whose printed text
differs from the committed notebook's. Exit status 1 if any cell raised.

    python3 tasks.py check-blas [NN ...] [--coretype NAME]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NEEDS = {"Sandybridge": "avx", "Haswell": "avx2", "SkylakeX": "avx512f", "Cooperlake": "avx512_bf16"}


def cpu_flags() -> set:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def printed_text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def run_one(path: Path) -> tuple[str, list[str], int, int, float]:
    """Execute one notebook; return (name, errors, cells whose printed text differs, code cells, seconds)."""
    from nbclient import NotebookClient

    committed = nbformat.read(path, as_version=4)
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}},
                   extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    errors, differing, code_cells = [], 0, 0
    for index, (old, new) in enumerate(zip(committed.cells, notebook.cells)):
        if new.cell_type != "code":
            continue
        code_cells += 1
        differing += printed_text(old) != printed_text(new)
        for output in new.get("outputs", []):
            if output.get("output_type") == "error":
                lines = ANSI.sub("", "\n".join(output.get("traceback", []))).splitlines()
                failing = [line.strip() for line in lines if line.lstrip().startswith("-")] or [""]
                errors.append(f"cell {index}: {output['ename']}: {output['evalue'][:200]} at {failing[-1]}")
    return str(path.relative_to(ROOT)), errors, differing, code_cells, time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers such as 07 (default: all)")
    parser.add_argument("--coretype", default="Sandybridge", help="OpenBLAS kernel to use (default Sandybridge)")
    args = parser.parse_args(argv)
    flag = NEEDS.get(args.coretype)
    if flag and flag not in cpu_flags():
        print(f"check-blas: --coretype {args.coretype} needs an x86-64 processor with {flag}, "
              f"which this one does not report", file=sys.stderr)
        return 2
    paths = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))
    if args.lessons:
        paths = [p for p in paths if p.name.split("_")[0] in args.lessons]
        if not paths:
            print(f"check-blas: no notebook matches {args.lessons}", file=sys.stderr)
            return 2
    os.environ["OPENBLAS_CORETYPE"] = args.coretype      # inherited by every kernel started below
    print(f"running {len(paths)} notebooks with OPENBLAS_CORETYPE={args.coretype}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}", flush=True)
    failed = 0
    with ProcessPoolExecutor(max_workers=2) as pool:
        for name, errors, differing, code_cells, seconds in pool.map(run_one, paths):
            status = "FAILED" if errors else "ok"
            print(f"{status:6s} {name}: {differing} of {code_cells} code cells print other text ({seconds:.0f} s)",
                  flush=True)
            for error in errors:
                print(f"       {error}")
            failed += bool(errors)
    if failed:
        print(f"check-blas: {failed} notebook(s) raised with OPENBLAS_CORETYPE={args.coretype}: a check in them "
              f"depends on the exact rounding of the committed run", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
