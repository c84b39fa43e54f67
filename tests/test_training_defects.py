"""Regression tests for the defects issue 14 names in the training loop and the training panel:
each of these failed on the code before the redesign (see the commit that adds this file)."""

import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lesson_lib as ll  # noqa: E402
from lesson_lib.ui import training_panel  # noqa: E402
from lesson_lib.ui.training_panel import TrainingPanel  # noqa: E402


@pytest.fixture(scope="module")
def small_data(mnist):
    (x, y), (x_test, y_test) = mnist
    return (x[:6000], y[:6000]), (x_test[:2000], y_test[:2000])


def _toy(n=60, seed=1234):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)
    return x, y


def test_a_run_that_reaches_nan_weights_between_checks_is_stopped_as_diverged():
    # 6 updates, a check only at the first: before the redesign the NaN weights came back with diverged=False
    x, y = _toy()
    net = ll.Network([4, 8, 3], hidden="relu", seed=0)
    history = ll.train(net, x * 1e3, y, 1, 10, 1e4, hooks=[])
    assert history.diverged, "NaN weights were returned as a healthy run"
    assert "NaN or infinite" in history.stop_reason
    assert all(np.isfinite(w).all() for w in net.weights), "the update that held a NaN was applied"


def test_a_divergence_is_not_printed_when_printing_was_not_asked_for(capsys):
    x, y = _toy(200)
    history = ll.train(ll.Network([4, 8, 3], hidden="relu", seed=0), x * 100, y, 5, 10, 50.0,
                       hooks=ll.standard_hooks(monitor=ll.GradientMonitor(check_every=1), verbose=False))
    assert history.diverged
    assert capsys.readouterr().out == ""


def test_live_gradient_notes_never_read_of_0_checks(mnist):
    (x, y), _ = mnist
    seen = []

    class Watch(ll.Hook):
        def on_update(self, state):
            seen.extend(str(note) for note in state.history.notes)

    ll.train(ll.Network([784, 30, 10], init="classic", seed=0), x[:1000], y[:1000], 1, 10, 3.0,
             hooks=ll.standard_hooks(Watch(), verbose=False))
    assert seen
    assert not [text for text in seen if " of 0 checks" in text], seen[0]


def test_any_error_in_the_training_thread_reaches_the_status_line(small_data, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the BLAS library crashed")

    monkeypatch.setattr(training_panel, "run_settings", broken)
    panel = TrainingPanel(small_data, subset=6000, epochs=1)
    panel.train_button.click()
    panel.wait(30)
    assert not panel.running and not panel.train_button.disabled and panel.stop_button.disabled
    assert "RuntimeError" in panel.status.value and "the BLAS library crashed" in panel.status.value
    assert "color" in panel.status.value  # shown as an error (red), not as a status


def test_a_second_panel_stops_the_first_panels_run(small_data):
    first = TrainingPanel(small_data, subset=6000, epochs=30)
    first.train_button.click()
    assert first.running
    second = TrainingPanel(small_data, subset=6000, epochs=1)
    first.wait(10)
    try:
        assert not first.running, "the first panel's run kept training after a second panel was made"
        assert "stopped" in first.status.value
    finally:
        first.stop()
        first.wait(60)
    assert not second.running


def test_wait_says_whether_the_run_finished(small_data):
    panel = TrainingPanel(small_data, subset=6000, epochs=30)
    panel.train_button.click()
    try:
        assert panel.wait(0.05) is False
    finally:
        panel.stop()
    assert panel.wait(60) is True


def test_a_bad_learning_rate_set_mid_run_is_refused():
    x, y = _toy()
    refused = []

    class SetRate(ll.Hook):
        def on_update(self, state):
            for rate in (float("nan"), 0.0, -0.5):
                try:
                    state.optimizer.set_rate(1, rate)
                except ValueError as error:
                    refused.append(str(error))

    net = ll.Network([4, 5, 3], seed=0)
    ll.train(net, x, y, 1, 60, [0.5, 0.5], hooks=[SetRate()])
    assert refused == ["lr[1]: expected a number > 0, got nan", "lr[1]: expected a number > 0, got 0.0",
                       "lr[1]: expected a number > 0, got -0.5"]
    assert all(np.isfinite(w).all() for w in net.weights)


def test_a_learning_rate_moved_on_the_panel_reaches_the_running_optimizer(small_data):
    panel = TrainingPanel(small_data, subset=6000, epochs=30)
    panel.train_button.click()
    try:
        deadline = time.monotonic() + 30
        while panel._optimizer is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        panel.lr_sliders[0].value = 0.05
        assert panel._optimizer.rates[0] == pytest.approx(0.05)
    finally:
        panel.stop()
        panel.wait(60)


def test_a_negative_seed_in_the_panel_ends_in_the_status_line(small_data):
    panel = TrainingPanel(small_data, subset=6000, epochs=1)
    panel.seed.value = -1
    panel.train_button.click()
    assert panel.wait(30)
    assert "seed: expected a whole number &gt;= 0, got -1" in panel.status.value
    assert not panel.train_button.disabled


def test_the_interpreter_exits_cleanly_while_a_panel_trains(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "exit_while_training.py"
    script.write_text(
        "import matplotlib\nmatplotlib.use('Agg')\nimport lesson_lib as ll\n"
        "from lesson_lib.ui.training_panel import TrainingPanel\n"
        "(x, y), (xt, yt) = ll.load_mnist(n_train=6000)\n"
        "panel = TrainingPanel(((x, y), (xt[:1000], yt[:1000])), subset=6000, epochs=30)\n"
        "panel.train_button.click()\n"
        "import time; time.sleep(0.5)\n"
        "assert panel.running\n"
        "print('exiting while training')\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "exiting while training" in done.stdout
    assert "Fatal" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


# -- found by a fresh review of the redesign -----------------------------------------------------


def test_the_old_ways_to_steer_a_run_fail_loudly_instead_of_doing_nothing():
    x, y = _toy()
    errors = []

    class OldStyle(ll.Hook):
        def on_update(self, state):
            for attempt in (lambda: state.lr.__setitem__(1, 0.01), lambda: setattr(state, "stop", True),
                            lambda: state.optimizer.rates.__setitem__(0, -1.0)):
                try:
                    attempt()
                except (TypeError, AttributeError) as error:
                    errors.append(type(error).__name__)
            state.stop()

    history = ll.train(ll.Network([4, 5, 3], seed=0), x, y, 3, 10, 0.5, hooks=[OldStyle()])
    assert len(errors) == 3
    assert history.stop_reason == "stopped on request in epoch 1, after batch 1"


def test_standard_hooks_take_a_monitor_instead_of_adding_a_second_one(mnist):
    (x, y), _ = mnist
    with pytest.raises(ValueError, match=r"extra\[0\]: standard_hooks already has a GradientMonitor"):
        ll.standard_hooks(ll.GradientMonitor(check_every=5))
    history = ll.train(ll.Network([784, 30, 10], init="classic", seed=0), x[:1000], y[:1000], 1, 10, 3.0,
                       hooks=ll.standard_hooks(monitor=ll.GradientMonitor(check_every=5), verbose=False))
    keys = [(n.epoch, n.layer, n.kind) for n in history.notes]
    assert keys and len(keys) == len(set(keys)), keys


def test_an_infinite_hidden_weight_stops_the_run_as_diverged():
    x, y = _toy(200)
    net = ll.Network([4, 5, 3], seed=0)
    net.weights[0][0, 0] = np.inf  # sigma(inf) = 1: the outputs stay finite
    history = ll.train(net, x + 5.0, y, 2, 10, 0.5, hooks=[])
    assert history.diverged and "a weight became NaN or infinite" in history.stop_reason


def test_every_hook_ends_even_if_one_fails_and_the_first_error_is_raised():
    x, y = _toy()
    ended = []

    class Fails(ll.Hook):
        def on_end(self, state):
            ended.append("fails")
            raise RuntimeError("the first error")

    class Ends(ll.Hook):
        def on_end(self, state):
            ended.append("ends")

    with pytest.raises(RuntimeError, match="the first error"):
        ll.train(ll.Network([4, 5, 3], seed=0), x, y, 1, 10, 0.5, hooks=[Fails(), Ends()])
    assert ended == ["fails", "ends"]


def test_stop_bookkeeping():
    x, y = _toy()

    class StopAtStart(ll.Hook):
        def on_start(self, state):
            state.stop()

    net = ll.Network([4, 5, 3], seed=0)
    before = [w.copy() for w in net.weights]
    history = ll.train(net, x, y, 2, 10, 0.5, hooks=[StopAtStart()])
    assert history.check_step == [] and all(np.array_equal(a, b) for a, b in zip(before, net.weights))

    class StopAtTheVeryEnd(ll.Hook):
        def on_epoch_end(self, state):
            if state.epoch == state.epochs:
                state.stop()

    history = ll.train(ll.Network([4, 5, 3], seed=0), x, y, 2, 10, 0.5, hooks=[StopAtTheVeryEnd()])
    assert history.stop_reason is None and history.epochs == [1, 2]  # it ran to the end

    class StopThenDiverge(ll.Hook):
        def on_update(self, state):
            state.stop("a learner's reason")
            state.stop("a divergence", diverged=True)

    history = ll.train(ll.Network([4, 5, 3], seed=0), x, y, 2, 10, 0.5, hooks=[StopThenDiverge()])
    assert history.diverged and history.stop_reason == "a divergence"


def test_train_and_the_probe_refuse_bad_hooks_and_probe_data_up_front():
    x, y = _toy()
    with pytest.raises(TypeError, match=r"hooks: expected a list of hooks"):
        ll.train(ll.Network([4, 5, 3]), x, y, 1, 10, 0.5, hooks=ll.GradientMonitor())
    with pytest.raises(ValueError, match=r"hooks\[0\].check_every: expected a whole number >= 1, got 0"):
        ll.train(ll.Network([4, 5, 3]), x, y, 1, 10, 0.5, hooks=[type("Every0", (ll.Hook,), {"check_every": 0})()])
    with pytest.raises(ValueError, match=r"y: expected labels \(n,\) or target rows \(n, K\) for the 5 rows of x"):
        ll.AccuracyProbe(x[:5], y[:4])


def test_describe_run_without_a_training_loss():
    history = ll.History(layer_names=["hidden layer 1", "output layer"], lr=[0.5, 0.5], epochs=[1], val_accuracy=[0.5])
    assert ll.describe_run(history) == "finished 1 epoch: test accuracy 50.00%"


def test_the_panel_refuses_bad_rates_before_it_stops_an_older_panel(small_data):
    first = TrainingPanel(small_data, subset=6000, epochs=30)
    first.train_button.click()
    try:
        with pytest.raises(ValueError, match=r"lr: expected two rates \(hidden layer, output layer\), got 0.5"):
            TrainingPanel(small_data, lr=0.5)
        assert first.running, "a panel that could not be made stopped the older panel's run"
    finally:
        first.stop()
        first.wait(60)


def test_a_rate_moved_after_a_run_ended_does_not_overwrite_the_result(small_data):
    panel = TrainingPanel(small_data, subset=1000, epochs=1)
    panel.train_button.click()
    assert panel.wait(60)
    result = panel.status.value
    panel.lr_sliders[1].value = 0.02
    assert "learning rates now" not in panel.status.value and "next run" in panel.status.value
    assert "test accuracy" in result
