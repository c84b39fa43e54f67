import numpy as np
import pytest

import lesson_lib as ll


def _toy(rng, n=60):
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)
    return x, y


def test_full_batch_step_equals_one_manual_gradient_step(rng):
    x, y = _toy(rng)
    net = ll.Network([4, 5, 3], seed=0, dtype=np.float64)
    manual = net.copy()
    ll.train(net, x, y, epochs=1, batch_size=len(x), lr=[0.3, 0.7], hooks=ll.standard_hooks(verbose=False))
    gw, gb = manual.gradients(x, y)
    for l, rate in enumerate([0.3, 0.7]):
        assert np.allclose(net.weights[l], manual.weights[l] - rate * gw[l])
        assert np.allclose(net.biases[l], manual.biases[l] - rate * gb[l])


def test_stochastic_gradient_descent_is_one_update_per_example_in_the_seeded_order(rng):
    x, y = _toy(rng, n=12)
    net = ll.Network([4, 3, 3], seed=0, dtype=np.float64)
    manual = net.copy()
    history = ll.train(net, x, y, epochs=1, batch_size=1, lr=0.5, seed=9, hooks=ll.standard_hooks(verbose=False))
    for i in np.random.default_rng(9).permutation(12):
        gw, gb = manual.gradients(x[i:i + 1], y[i:i + 1])
        for l in range(2):
            manual.weights[l] -= 0.5 * gw[l]
            manual.biases[l] -= 0.5 * gb[l]
    assert all(np.allclose(a, b) for a, b in zip(net.weights, manual.weights))
    assert history.check_step[0] == 1


def test_seeded_runs_repeat_exactly_and_seeds_differ(rng):
    x, y = _toy(rng)
    runs = []
    for seed in (0, 0, 1):
        net = ll.Network([4, 5, 3], seed=0)
        ll.train(net, x, y, 2, 8, 0.5, seed=seed, hooks=ll.standard_hooks(verbose=False))
        runs.append(net.weights[0])
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


def test_history_records_every_epoch(rng, capsys):
    x, y = _toy(rng)
    net = ll.Network([4, 5, 3], seed=0)
    history = ll.train(net, x, y, 3, 10, 1.0, validation_data=(x[:20], y[:20]))
    assert history.epochs == [1, 2, 3]
    for series in (history.loss, history.train_accuracy, history.val_loss, history.val_accuracy,
                   history.grad_size, history.update_ratio, history.output_delta_size):
        assert len(series) == 3
    assert history.layer_names == ["hidden layer 1", "output layer"]
    assert all(len(g) == 2 and all(v > 0 for v in g) for g in history.grad_size)
    loss, accuracy = ll.evaluate(net, x, y)
    assert history.loss[-1] == pytest.approx(loss, rel=1e-5) and history.train_accuracy[-1] == accuracy
    assert history.loss[-1] < history.loss[0]
    out = capsys.readouterr().out
    assert "epoch 3: loss" in out and "held-out accuracy" in out
    assert history.epoch_line(0).startswith("epoch 1: loss ")


def test_a_hook_can_change_learning_rates_and_stop(rng):
    x, y = _toy(rng)
    seen = []

    class Steer(ll.Hook):
        def on_update(self, state):
            if state.step % 6:
                return
            seen.append((state.epoch, state.step))
            if state.step == 12:
                state.optimizer.set_rate(1, 0.01)
            if state.step == 18:
                state.stop()

    net = ll.Network([4, 5, 3], seed=0, dtype=np.float64)
    reference = net.copy()
    history = ll.train(net, x, y, 5, 10, [0.5, 0.5], hooks=[Steer()])
    assert seen == [(1, 6), (2, 12), (3, 18)]
    assert history.stop_reason == "stopped on request in epoch 3, after batch 6"
    assert history.epochs == [1, 2, 3]
    # the same run by hand: lr 0.5 for 12 updates, then the output layer at 0.01 for 6 more
    order_rng = np.random.default_rng(0)
    step = 0
    for _ in range(3):
        order = order_rng.permutation(60)
        for b in range(6):
            idx = order[b * 10:(b + 1) * 10]
            gw, gb = reference.gradients(x[idx], y[idx])
            rates = [0.5, 0.5] if step < 12 else [0.5, 0.01]
            for l in range(2):
                reference.weights[l] -= rates[l] * gw[l]
                reference.biases[l] -= rates[l] * gb[l]
            step += 1
    assert all(np.allclose(a, b) for a, b in zip(net.weights, reference.weights))


def test_divergence_stops_with_a_message_naming_the_learning_rate(rng, capsys):
    x, y = _toy(rng, n=200)
    net = ll.Network([4, 8, 3], hidden="relu", seed=0)
    history = ll.train(net, x * 100, y, 5, 10, 50.0, hooks=ll.standard_hooks(monitor=ll.GradientMonitor(check_every=1)))
    assert history.stop_reason.startswith("Training diverged in epoch 1")
    assert history.diverged
    assert "lr = 50, 50" in history.stop_reason and "Try a tenth (lr = 5, 5)" in history.stop_reason
    assert "a third of that too (lr = 1.67, 1.67)" in history.stop_reason
    assert history.stop_reason in capsys.readouterr().out
    assert all(np.isfinite(v) for v in history.loss)
    with pytest.raises(ll.TrainingDiverged, match="lr = 50"):
        ll.train(ll.Network([4, 8, 3], hidden="relu", seed=0), x * 100, y, 5, 10, 50.0,
                 hooks=[ll.GradientMonitor(check_every=1), ll.DivergenceStop(raise_error=True)])


def test_monitor_reports_the_course_s_output_layer_notes(mnist):
    """The course's story on 6,000 MNIST digits: same rate everywhere -> output layer gradient
    too large at the start; only the output rate lowered to 0.1 -> that note goes."""
    (x, y), _ = mnist
    x, y = x[:6000], y[:6000]
    same = ll.train(ll.Network([784, 30, 10], init="classic", seed=0), x, y, 1, 10, 3.0,
                    hooks=ll.standard_hooks(verbose=False))
    lowered = ll.train(ll.Network([784, 30, 10], init="classic", seed=0), x, y, 1, 10, [3.0, 0.1],
                       hooks=ll.standard_hooks(verbose=False))
    too_large = [n for n in same.notes if n.layer == "output layer" and n.kind == "too large"]
    assert too_large and too_large[0].first_batch == 1
    assert "output layer gradient too large" in str(too_large[0])
    assert not [n for n in lowered.notes if n.layer == "output layer" and n.kind == "too large"]
    assert lowered.train_accuracy[0] > same.train_accuracy[0]


def test_mnist_784_30_10_reaches_95_percent_in_4_epochs(mnist):
    (x, y), (x_test, y_test) = mnist
    net = ll.Network([784, 30, 10], hidden="sigmoid", loss="log_likelihood", seed=0)
    history = ll.train(net, x, y, epochs=4, batch_size=10, lr=[3.0, 0.1], validation_data=(x_test, y_test),
                       seed=0, hooks=ll.standard_hooks(verbose=False))
    assert max(history.val_accuracy) >= 0.95, history.val_accuracy
    assert net.accuracy(x_test, y_test) == history.val_accuracy[-1]


def test_progress_bar_runs(rng):
    x, y = _toy(rng)
    from lesson_lib.ui import ProgressBar

    progress = ProgressBar()
    history = ll.train(ll.Network([4, 3, 3]), x, y, 1, 10, 0.5, hooks=[progress])
    assert history.epochs == [1] and progress.bar.n == progress.bar.total == 6


def test_bad_arguments_are_rejected(rng):
    x, y = _toy(rng)
    net = ll.Network([4, 5, 3])
    bad = [
        (dict(lr=0), ValueError, r"lr: expected a number > 0, got 0"),
        (dict(lr=-0.1), ValueError, r"lr: expected a number > 0, got -0.1"),
        (dict(lr=[0.1]), ValueError, r"lr: expected one rate or 2 rates \(one per weight layer\), got 1"),
        (dict(lr=[0.1, 0.0]), ValueError, r"lr\[1\]: expected a number > 0"),
        (dict(lr="fast"), TypeError, r"lr: expected a positive number, got str"),
        (dict(batch_size=0), ValueError, r"batch_size: expected a whole number >= 1, got 0"),
        (dict(batch_size=2.5), TypeError, r"batch_size: expected a positive whole number, got 2.5"),
        (dict(batch_size=61), ValueError, r"batch_size: expected at most the number of examples \(60\), got 61"),
        (dict(epochs=0), ValueError, r"epochs: expected a whole number >= 1, got 0"),
        (dict(y=y + 2), ValueError, r"y: expected class labels in 0..2, got values from 2 to 4"),
        (dict(x=x[:, :3]), ValueError, r"x: expected shape \(n, 4\), got \(60, 3\)"),
        (dict(x=np.where(x > 2, np.inf, x)), ValueError, r"x: expected finite numbers, got \d+ NaN or infinite"),
        (dict(validation_data=x), TypeError, r"validation_data: expected a pair \(x_val, y_val\)"),
        (dict(validation_data=(x, y + 5)), ValueError, r"validation_data\[1\]: expected class labels in 0..2"),
        (dict(validation_data=(x[:, :2], y)), ValueError, r"validation_data\[0\]: expected shape \(n, 4\)"),
        (dict(hooks=["monitor"]), TypeError, r"hooks\[0\]: expected a lesson_lib.Hook \(e.g. ll.AccuracyProbe\), got str"),
        (dict(seed=-1), ValueError, r"seed: expected a whole number >= 0, got -1"),
        (dict(seed=1.5), TypeError, r"seed: expected an integer, got 1.5"),
        (dict(lr=ll.SGD(0.1, 3)), ValueError, r"lr: expected an SGD for 2 weight layers, got one for 3"),
    ]
    for change, error, message in bad:
        args = dict(net=net, x=x, y=y, epochs=1, batch_size=10, lr=0.1, hooks=[])
        args.update(change)
        with pytest.raises(error, match=message):
            ll.train(**args)
    with pytest.raises(TypeError, match=r"net: expected a lesson_lib.Network, got str"):
        ll.train("net", x, y, 1, 10, 0.1)
    with pytest.raises(ValueError, match=r"too_small: expected a value below too_large"):
        ll.GradientMonitor(too_large=1e-3, too_small=1e-2)


def test_history_records_the_rates_in_effect_and_the_output_delta_per_check(rng):
    x, y = _toy(rng, n=200)
    net = ll.Network([4, 6, 3], seed=0)

    class LowerOutputRate(ll.Hook):
        def on_update(self, state):
            if state.step == 10:
                state.optimizer.set_rate(1, 0.05)

    history = ll.train(net, x, y, 2, 10, [0.5, 0.5], hooks=[LowerOutputRate(), ll.GradientMonitor(check_every=5)])
    assert history.batch_size == 10 and history.batches_per_epoch == 20
    assert len(history.check_lr) == len(history.check_step) == len(history.check_output_delta_size)
    by_step = dict(zip(history.check_step, map(tuple, history.check_lr)))
    assert by_step[10] == (0.5, 0.5) and by_step[15] == (0.5, 0.05)  # the change applies from update 11
    ratios = dict(zip(history.check_step, history.check_update_ratio))
    sizes = dict(zip(history.check_step, history.check_grad_size))
    mean_w = float(np.mean(np.abs(net.weights[1])))  # at the end; ratio uses the weights of that moment
    assert ratios[history.check_step[-1]][1] == pytest.approx(0.05 * sizes[history.check_step[-1]][1] / mean_w)
    assert all(d > 0 for d in history.check_output_delta_size)


def test_gradient_notes_are_visible_to_hooks_before_the_epoch_ends(mnist):
    (x, y), _ = mnist
    seen = []

    class Watch(ll.Hook):
        def on_update(self, state):
            seen.append([str(n) for n in state.history.notes])

    ll.train(ll.Network([784, 30, 10], init="classic", seed=0), x[:2000], y[:2000], 1, 10, 3.0,
             hooks=ll.standard_hooks(Watch(), verbose=False))
    assert seen[0] and "output layer gradient too large" in " ".join(seen[0])  # from the first update


def test_accuracy_probe_records_the_accuracy_as_training_goes(rng):
    x, y = _toy(rng, n=200)
    net = ll.Network([4, 6, 3], seed=0)
    probe = ll.AccuracyProbe(x[:50], y[:50], every=5)
    ll.train(net, x, y, 2, 10, 0.5, hooks=[probe])
    assert probe.step == [5, 10, 15, 20, 25, 30, 35, 40]  # every 5 updates; epoch ends coincide
    assert probe.accuracy[-1] == net.accuracy(x[:50], y[:50])
    assert probe.accuracy[-1] > probe.accuracy[0]


def test_resuming_training_epoch_by_epoch_is_not_mistaken_for_divergence(capsys):
    # The yardstick for an exploding loss is the loss at the start of the call on 1,000 examples. A
    # single first mini-batch made a poor one: when training resumed, a lucky easy batch of 10 was
    # tiny, and an ordinary batch 20 times larger stopped a healthy run as "diverged".
    (x, y), _ = ll.load_mnist(n_train=10000)
    net = ll.Network([784, 30, 30, 30, 10], loss="quadratic", init="classic", seed=0)
    for epoch in range(5):
        history = ll.train(net, x, y, epochs=1, batch_size=10, lr=3.0, seed=epoch, hooks=[ll.DivergenceStop()])
        assert not history.diverged, history.stop_reason
    assert "diverged" not in capsys.readouterr().out
    assert net.accuracy(x[:2000], y[:2000]) > 0.8


def test_the_readme_states_the_monitors_thresholds_as_the_code_sets_them():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    monitor = ll.GradientMonitor()
    assert f"by more than {monitor.too_large:.0%} of" in readme.replace("\n", " ")
    assert f'"too small" below {monitor.too_small:.2%}' in readme.replace("\n", " ")


def test_summarize_notes_gives_one_line_per_layer_and_kind():
    note = ll.GradientNote
    notes = [note(1, "output layer", "too large", 3, 4, 10, 0.05, 0.02), note(1, "hidden layer 1", "too small", 9, 1, 10, 5e-5, 1e-4),
             note(2, "output layer", "too large", 1, 2, 10, 0.09, 0.02), note(3, "output layer", "too large", 1, 1, 10, 0.03, 0.02),
             note(5, "output layer", "too large", 2, 1, 10, 0.04, 0.02), note(4, "hidden layer 1", "too small", 2, 3, 10, 2e-5, 1e-4)]
    assert ll.summarize_notes(notes) == [
        "output layer: gradient too large in 8 of 40 checks, epochs 1-3, 5: updates up to 0.09 of the weights' size (above 0.02)",
        "hidden layer 1: gradient too small in 4 of 20 checks, epochs 1, 4: updates down to 2e-05 of the weights' size (below 0.0001)",
    ]
    assert ll.summarize_notes(notes[1:2]) == [
        "hidden layer 1: gradient too small in 1 of 10 checks, epoch 1: updates down to 5e-05 of the weights' size (below 0.0001)"]
    assert ll.summarize_notes([]) == []


def test_history_counts_the_updates_made(rng):
    x, y = _toy(rng, n=200)

    class StopAfter(ll.Hook):
        def on_update(self, state):
            if state.step == 25:
                state.stop("enough")

    full = ll.train(ll.Network([4, 8, 3], seed=0), x, y, 2, 10, 0.5, hooks=[])
    stopped = ll.train(ll.Network([4, 8, 3], seed=0), x, y, 2, 10, 0.5, hooks=[StopAfter()])
    assert full.steps == 40 and full.epochs == [1, 2]
    assert stopped.steps == 25 and stopped.epochs == [1, 2]  # stopped 5 updates into epoch 2
