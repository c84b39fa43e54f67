"""How long each explorer of notebooks 01-06 takes to redraw after a control changes.

Drives the widgets as the browser would (setting ``.value``; the observer recomputes, draws and
renders the PNG), several times per control, and prints the median and the slowest redraw.
Each control is first moved through its values once, untimed: on a loaded CI machine the first
moves of a freshly built explorer were the slowest (one took 0.74 s), and with six timed moves
they pulled one control's median to 0.35 s while every other control's stayed below 0.29 s.
The timed moves come in three rounds, each round moving every control of every explorer in turn,
so that a control's moves are spread over the whole run: when all of a control's moves came at
once, a busy spell of the machine (CI runs this right after the test suite, whose last JupyterLab
and browser processes may still be exiting) landed on whichever control came first. In one CI run
the first explorer's four controls had medians of 0.24-0.32 s and every later one's stayed below
0.30 s; on an idle machine the same controls took 0.16-0.27 s.
The target is a redraw within 0.3 s; the script exits with status 1 if any control's median
(of at least twelve timed moves) is slower.
Run: python benchmarks/bench_widgets.py  (or: python3 tasks.py bench widgets)
"""

import statistics
import sys
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

from lesson_lib.ui import widgets  # noqa: E402

TARGET_SECONDS = 0.3

# explorer class -> (control name, the values to cycle through)
MOVES = {
    widgets.ActivationExplorer: [("point", [-5.0, 0.5, 3.3]), ("z_range", [(-3.0, 3.0), (-10.0, 10.0)]),
                                 ("derivatives", [False, True]), ("functions", [("sigmoid",), ("sigmoid", "tanh", "relu", "identity")])],
    widgets.SlowdownExplorer: [("weight", [0.6, -3.0]), ("bias", [0.9, -3.0]), ("lr", [1.0, 0.05]),
                               ("epochs", [1000, 300]), ("loss", ["quadratic", "both"])],
    widgets.EntropyExplorer: [("classes", [2, 3]), ("q_weights[0]", [0.9, 0.1, 0.5])],
    widgets.SoftmaxExplorer: [("scores", ["1, 5, 3, 8", "2, 2, 2", "1, 5, 3"]), ("temperature", [5.0, 0.2, 1.0]),
                              ("true_class", [0, 2, 1])],
    widgets.BackpropExplorer: [("loss", ["quadratic", "log_likelihood"]), ("hidden", ["relu", "sigmoid"]),
                               ("init", ["classic", "scaled"]), ("hidden_layers", [6, 3]), ("width", [64, 16])],
    widgets.DescentExplorer: [("batch_size", [1, 200, 10]), ("lr", [0.1, 3.0, 1.0]), ("epochs", [5, 10])],
}
# the arguments an explorer needs (notebook 05's batch: 32 examples of 10 features, 3 classes)
_rng = np.random.default_rng(0)
ARGUMENTS = {widgets.BackpropExplorer: (_rng.standard_normal((32, 10)), _rng.integers(0, 3, 32))}


def control(explorer, name):
    if name.endswith("]"):
        name, index = name[:-1].split("[")
        return getattr(explorer, name)[int(index)]
    return getattr(explorer, name)


def main(repeat: int = 2, rounds: int = 3) -> int:
    explorers = {cls: cls(*ARGUMENTS.get(cls, ())) for cls in MOVES}
    for cls, moves in MOVES.items():  # the untimed warm-up moves
        for name, values in moves:
            for value in values:
                control(explorers[cls], name).value = value
    times = {(cls, name): [] for cls, moves in MOVES.items() for name, _ in moves}
    for _ in range(rounds):
        for cls, moves in MOVES.items():
            for name, values in moves:
                for _ in range(repeat):
                    for value in values:
                        start = time.perf_counter()
                        control(explorers[cls], name).value = value
                        times[cls, name].append(time.perf_counter() - start)
    slow = []
    print(f"{'explorer':20s} {'control':14s} {'moves':>5s} {'median s':>9s} {'max s':>7s}")
    for (cls, name), seconds in times.items():
        median = statistics.median(seconds)
        print(f"{cls.__name__:20s} {name:14s} {len(seconds):5d} {median:9.3f} {max(seconds):7.3f}")
        if median > TARGET_SECONDS:
            slow.append(f"{cls.__name__}.{name}")
    if slow:
        print(f"slower than {TARGET_SECONDS} s (median): {', '.join(slow)}")
        return 1
    print(f"every control redraws within {TARGET_SECONDS} s (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
