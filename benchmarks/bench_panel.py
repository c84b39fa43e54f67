"""How fast the training panel of notebook 07 trains while its curves move.

For the panel's default settings (784-30-10, batch 10, rates 1.0 and 0.1, the test set evaluated
at each epoch's end; 20,000 training digits, 5 epochs), it times

1. the panel: from pressing Train to the end of training (the panel's hook measures the accuracy
   on 1,000 test digits every 0.2 s and redraws the curves, the notes and the status line right
   after the first update and then at most a tenth of the time; the drawing of the finished run,
   after training, is not counted);
2. ``lesson_lib.train`` with the same settings and no hook at all.

Runs are interleaved (panel, bare, panel, bare, ...) so both see the same machine load, and the
speed is the median, over the pairs, of bare seconds / panel seconds (one run of either takes
1.5-2 s here and the machine's noise moves single runs by 20%: the best of each, compared,
once gave the panel 101%). Targets: the panel trains at least 85% as fast as the bare run, its
curves are redrawn during the run (at least once per two seconds of training), and the first
curve point appears within 1 s of pressing Train. The script exits with status 1 if a target is
missed.

    python benchmarks/bench_panel.py [--repeat N] [--subset N] [--epochs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import lesson_lib as ll  # noqa: E402
from lesson_lib.runs import TrainingSettings, run_settings  # noqa: E402
from lesson_lib.ui import training_panel  # noqa: E402
from lesson_lib.ui.training_panel import TrainingPanel  # noqa: E402

TARGET_SPEED = 0.85
TARGET_FIRST_POINT = 1.0
TARGET_REDRAW_GAP = 2.0


def time_panel(data, settings):
    """Seconds from Train to the end of training (the run's last update and evaluation; the drawing of
    the finished run after it is not training), the times of the redraws during the run, and its history."""
    panel = TrainingPanel(data, subset=settings.subset, epochs=settings.epochs)
    drawn, ended = [], []
    draw, run = panel._draw, training_panel.run_settings

    def timed_draw(*args, **kwargs):
        draw(*args, **kwargs)
        drawn.append(time.perf_counter())

    def timed_run(*args, **kwargs):
        result = run(*args, **kwargs)
        ended.append(time.perf_counter())
        return result

    panel._draw, training_panel.run_settings = timed_draw, timed_run
    try:
        start = time.perf_counter()
        panel.train_button.click()
        panel.wait()
    finally:
        training_panel.run_settings = run
    seconds = ended[0] - start
    return seconds, [t - start for t in drawn if t <= ended[0]], panel.history


def time_bare(data, settings):
    """Seconds for the same run through lesson_lib.train with no hooks."""
    (x, y), test = data
    net = ll.Network([x.shape[1], settings.hidden_size, 10], settings.hidden, settings.loss, init=settings.init,
                     seed=settings.seed)
    start = time.perf_counter()
    history = ll.train(net, x[:settings.subset], y[:settings.subset], settings.epochs, settings.batch_size,
                       list(settings.lr), validation_data=test, seed=settings.seed, hooks=[])
    return time.perf_counter() - start, history


def time_hooked(data, settings):
    """Seconds for the same run through run_settings: train with the panel's hooks (gradient monitor,
    divergence stop), without the panel."""
    start = time.perf_counter()
    _, history = run_settings(settings, data)
    return time.perf_counter() - start, history


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--subset", type=int, default=TrainingSettings.subset)
    parser.add_argument("--epochs", type=int, default=TrainingSettings.epochs)
    args = parser.parse_args()
    data = ll.load_mnist()
    settings = TrainingSettings(subset=args.subset, epochs=args.epochs)
    print(f"{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; panel defaults, "
          f"{settings.subset} digits, {settings.epochs} epochs; {args.repeat} interleaved rounds\n")
    speeds, hook_speeds, worst_first, worst_gap = [], [], 0.0, 0.0
    for run in range(args.repeat):
        panel_seconds, draws, panel_history = time_panel(data, settings)
        bare_seconds, bare_history = time_bare(data, settings)
        hooked_seconds, _ = time_hooked(data, settings)
        if panel_history.val_accuracy != bare_history.val_accuracy:
            print("the panel's run and the bare run differ: the comparison is void", file=sys.stderr)
            return 1
        live = draws
        gaps = [b - a for a, b in zip([0.0, *live], live)] + [panel_seconds - (live[-1] if live else 0.0)]
        worst_first, worst_gap = max(worst_first, live[0] if live else panel_seconds), max(worst_gap, max(gaps))
        speeds.append(bare_seconds / panel_seconds)
        hook_speeds.append(hooked_seconds / panel_seconds)
        first = f"first after {live[0]:.2f} s" if live else "none during the run"
        print(f"round {run + 1}: panel {panel_seconds:.2f} s ({len(live)} live redraws, {first}, "
              f"longest gap {max(gaps):.2f} s); train with no hooks {bare_seconds:.2f} s; with the panel's hooks "
              f"{hooked_seconds:.2f} s")
    speed = statistics.median(speeds)
    print(f"\nspeed of the panel / train with no hooks: {speed:.1%}, median of the rounds (each round: "
          f"{', '.join(f'{s:.0%}' for s in speeds)}; target: at least {TARGET_SPEED:.0%})")
    print(f"speed of the panel / train with the panel's hooks and no panel: {statistics.median(hook_speeds):.1%} "
          "(what the live curves alone cost)")
    print(f"first curve point after Train: at most {worst_first:.2f} s (target: within {TARGET_FIRST_POINT:g} s)")
    print(f"longest time without a redraw: {worst_gap:.2f} s (target: at most {TARGET_REDRAW_GAP:g} s)")
    met = speed >= TARGET_SPEED and worst_first <= TARGET_FIRST_POINT and worst_gap <= TARGET_REDRAW_GAP
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
