"""Whether the training panel's memory stays flat over many runs (issue 15, item 8).

One panel, ten runs on all 60,000 training digits (the panel's other defaults: 784-30-10,
batch 10, 5 epochs; ``--epochs`` for fewer), the kernel's resident memory read after each run.
Target: the tenth run ends within 5 MB of the first (a run keeps its History, network and
figure, and the next run replaces them). The script exits with status 1 if memory grows more.
It also prints what each new panel adds, for re-running the panel's cell: a panel's widgets stay
registered with the kernel, as every ipywidget's do, until they are closed.

    python benchmarks/bench_panel_memory.py [--runs N] [--epochs N]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

import matplotlib

matplotlib.use("Agg")

import lesson_lib as ll  # noqa: E402
from lesson_lib.ui.training_panel import TrainingPanel  # noqa: E402

TARGET_GROWTH_MB = 5.0


def resident_mb() -> float:
    """This process's resident memory now (Linux: /proc/self/statm), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    data = ll.load_mnist()
    print(f"after load_mnist(): {resident_mb():.0f} MB")
    panel = TrainingPanel(data, subset=len(data[0][0]), epochs=args.epochs)
    after = []
    for run in range(args.runs):
        panel.train_button.click()
        panel.wait()
        gc.collect()
        after.append(resident_mb())
        print(f"run {run + 1:2d}: {after[-1]:.0f} MB; {panel.status.value}")
    growth = after[-1] - after[0]
    print(f"\ngrowth from the first run to run {args.runs}: {growth:+.1f} MB (target: at most {TARGET_GROWTH_MB:g} MB)")
    before = resident_mb()
    for _ in range(3):
        TrainingPanel(data, subset=len(data[0][0]), epochs=1)
    gc.collect()
    print(f"each new panel (a re-run of the cell) adds {(resident_mb() - before) / 3:.1f} MB")
    return 0 if growth <= TARGET_GROWTH_MB else 1


if __name__ == "__main__":
    sys.exit(main())
