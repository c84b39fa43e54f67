import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lesson_lib as ll  # noqa: E402
from lesson_lib import ui  # noqa: E402
from lesson_lib.ui.plots import show_digits  # noqa: E402


def test_show_digits_draws_each_image_with_its_title(mnist):
    (x, y), _ = mnist
    fig = show_digits(x[:12], y[:12], predictions=np.r_[y[:11], 0], columns=6)
    axes = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12 and len(axes) == 12
    assert np.array_equal(axes[0].images[0].get_array(), x[0].reshape(28, 28))
    assert axes[0].get_title() == "5 -> 5" and axes[11].get_title() == "5 -> 0"
    assert axes[11].title.get_color() == "red" and axes[0].title.get_color() == "black"


def test_show_digits_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"images: expected shape \(n, 784\) or \(n, 28, 28\)"):
        show_digits(np.zeros((3, 10)))
    with pytest.raises(ValueError, match=r"labels: expected shape \(2,\) to match the images"):
        show_digits(np.zeros((2, 784)), [1, 2, 3])


def _history(rng):
    x = rng.normal(size=(200, 4))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    return ll.train(ll.Network([4, 5, 3], seed=0), x, y, 3, 10, 0.5, validation_data=(x, y),
                    hooks=ll.standard_hooks(monitor=ll.GradientMonitor(check_every=5), verbose=False))


def test_plot_loss_comparison_draws_each_run_on_all_three_panels(rng):
    history = _history(rng)
    probe = ll.AccuracyProbe(np.zeros((1, 4)), [0])
    probe.step, probe.accuracy = [5, 10], [0.5, 0.75]
    fig = ui.plots.plot_loss_comparison({"a": history, "b": history}, {"b": probe}, smooth=1)
    loss, accuracy, delta = fig.axes
    assert [line.get_label() for line in loss.lines] == ["a", "b"]
    np.testing.assert_allclose(loss.lines[0].get_ydata(), history.check_loss)
    np.testing.assert_allclose(loss.lines[0].get_xdata(), history.check_step)
    assert list(accuracy.lines[0].get_ydata()) == history.val_accuracy  # no probe: the epoch ends
    np.testing.assert_allclose(accuracy.lines[0].get_xdata(), [20, 40, 60])
    assert list(accuracy.lines[1].get_ydata()) == [0.5, 0.75]  # the probe's curve
    np.testing.assert_allclose(delta.lines[1].get_ydata(), history.check_output_delta_size)


def test_running_mean_is_the_mean_of_the_last_window_points():
    np.testing.assert_allclose(ui.plots._smooth([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(ui.plots._smooth([4, 2], 10), [4, 3])


def test_plot_gradient_sizes_and_the_panel_figure_show_each_layer(rng):
    history = _history(rng)
    fig = ui.plots.plot_gradient_sizes(history, smooth=1)
    sizes, ratios = fig.axes
    np.testing.assert_allclose(sizes.lines[1].get_ydata(), np.array(history.check_grad_size)[:, 1])
    assert [line.get_label() for line in ratios.lines][:2] == ["hidden layer 1", "output layer"]
    fig = ui.plots.plot_training_panel(history)
    assert [line.get_label() for line in fig.axes[2].lines][:2] == ["hidden layer 1", "output layer"]


def test_confusion_mistakes_and_weights_figures(rng):
    matrix = np.array([[5, 1], [2, 7]])
    fig = ui.plots.plot_confusion(matrix)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "2", "5", "7"]
    images = rng.uniform(size=(3, 784))
    probabilities = np.full((3, 10), 0.1)
    fig = ui.plots.plot_mistakes(images, [1, 2, 3], [4, 5, 6], probabilities)
    assert [ax.get_title() for ax in fig.axes[:3]] == ["1 -> 4", "2 -> 5", "3 -> 6"]
    fig = ui.plots.plot_first_layer_weights(rng.normal(size=(784, 12)), count=12, columns=6)
    assert sum(1 for ax in fig.axes if ax.images) == 12
    with pytest.raises(ValueError, match=r"weights: expected the first layer's weights shaped \(784, hidden\)"):
        ui.plots.plot_first_layer_weights(np.zeros((10, 3)))


def test_plot_depth_comparison_draws_the_given_numbers():
    fig = ui.plots.plot_depth_comparison({"a": [1e-4, 1e-2], "b": [1e-3, 1e-1]}, {"a": [0.1, 0.5], "b": [0.1, 0.9]})
    bars, lines = fig.axes[0].patches, fig.axes[1].lines
    assert sorted(bar.get_height() for bar in bars) == [1e-4, 1e-3, 1e-2, 1e-1]
    assert [list(line.get_ydata()) for line in lines] == [[0.1, 0.5], [0.1, 0.9]]
    matplotlib.pyplot.close(fig)


def test_plot_normalizations_shows_each_normalizations_top_probability():
    fig = ui.plots.plot_normalizations(["exp", "sigmoid"], [0.0, 2.0], levels=(0.0, 10.0), n_classes=10)
    lines = fig.axes[0].lines[:4]
    exp_level0 = lines[0].get_ydata()
    np.testing.assert_allclose(exp_level0, [0.1, np.exp(2) / (np.exp(2) + 9)])
    np.testing.assert_allclose(lines[1].get_ydata(), exp_level0)  # exp: the level does not matter
    assert lines[3].get_ydata()[1] < 0.11  # sigmoids at level 10 are all near 1: no confidence from a gap
    matplotlib.pyplot.close(fig)


def test_plot_backprop_sizes_draws_one_bar_per_layer_on_log_axes():
    fig = ui.plots.plot_backprop_sizes([1e-3, 1e-2, 0.5], [1e-4, 2e-3, 0.1], title="three layers")
    delta_ax, gradient_ax = fig.axes
    assert [bar.get_height() for bar in delta_ax.patches] == [1e-3, 1e-2, 0.5]
    assert [bar.get_height() for bar in gradient_ax.patches] == [1e-4, 2e-3, 0.1]
    assert delta_ax.get_yscale() == "log" and [t.get_text() for t in delta_ax.get_xticklabels()] == ["h1", "h2", "out"]
    with pytest.raises(ValueError, match=r"gradient_sizes: expected one size per layer like delta_sizes \(3,\), got \(2,\)"):
        ui.plots.plot_backprop_sizes([1, 2, 3], [1, 2])


def test_a_training_panel_redrawn_into_its_axes_looks_like_a_fresh_drawing(rng):
    """The panel redraws into the axes it has (keeping their ticks, about half the cost): the picture
    must be the one a fresh figure gives, whatever was drawn there before."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lesson_lib.ui.widgets import render_png

    x = rng.normal(size=(300, 4))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    short = ll.train(ll.Network([4, 5, 3], seed=0), x[:60], y[:60], 1, 10, 0.5, hooks=ll.standard_hooks(verbose=False))
    history = _history(rng)
    probe = ll.AccuracyProbe(x[:50], y[:50])
    probe.step, probe.accuracy = [5, 10, 40], [0.4, 0.6, 0.8]

    def canvas():
        figure = Figure(figsize=(12, 3.4), dpi=72)
        figure.keep_layout = True  # a live figure, as the panel's: drawn again into its axes
        return figure, FigureCanvasAgg(figure)

    reused, reused_canvas = canvas()
    ui.plots.plot_training_panel(short, None, fig=reused)
    axes = list(reused.axes)
    ui.plots.plot_training_panel(history, probe, fig=reused)
    assert reused.axes == axes
    fresh, fresh_canvas = canvas()
    ui.plots.plot_training_panel(history, probe, fig=fresh)
    assert [len(ax.lines) for ax in reused.axes] == [len(ax.lines) for ax in fresh.axes]
    assert render_png(reused_canvas) == render_png(fresh_canvas)


def test_the_training_panel_places_its_legends_and_ticks_without_searching(rng):
    """The live panel's legends stay where they are put (loc="best" searched the curves for a place
    at every drawing, and moved), and a log axis over more than two decades draws no minor ticks
    (a quarter of a drawing's cost); a narrower one keeps them, since its labels may be on them."""
    from matplotlib.ticker import LogLocator, NullLocator

    history = _history(rng)
    history.check_loss = list(np.geomspace(10, 1e-4, len(history.check_loss)))  # a loss over five decades
    probe = ll.AccuracyProbe(rng.normal(size=(5, 4)), np.zeros(5, dtype=int))
    probe.step, probe.accuracy = [5, 10, 40], [0.4, 0.6, 0.8]
    fig = ui.plots.plot_training_panel(history, probe)
    assert isinstance(fig.axes[0].yaxis.get_minor_locator(), NullLocator)  # so that the redraw below must restore
    fig.canvas.draw()

    def corner(ax):
        legend, box = ax.get_legend().get_window_extent(), ax.get_window_extent()
        near = 0.1  # of the axes' size: the legend hugs the corner it is put in
        vertical = "upper" if legend.y1 > box.y1 - near * box.height else "lower" if legend.y0 < box.y0 + near * box.height else "?"
        horizontal = "right" if legend.x1 > box.x1 - near * box.width else "left" if legend.x0 < box.x0 + near * box.width else "?"
        return f"{vertical} {horizontal}"

    assert [corner(ax) for ax in fig.axes] == ["upper right", "lower right", "upper right"]
    loss_axis, _, ratio_axis = fig.axes
    assert isinstance(ratio_axis.yaxis.get_minor_locator(), NullLocator)  # the bounds alone span 3 decades
    low, high = loss_axis.get_ylim()
    assert isinstance(loss_axis.yaxis.get_minor_locator(), NullLocator if high > 100 * low else LogLocator)
    history.check_loss = list(np.linspace(0.3, 0.5, len(history.check_loss)))  # less than one decade
    fig.keep_layout = True  # drawn again into its axes, as the panel's figure is
    fig = ui.plots.plot_training_panel(history, probe, fig=fig)
    assert isinstance(fig.axes[0].yaxis.get_minor_locator(), LogLocator)


def test_the_true_class_of_a_confident_mistake_is_visible():
    # issue 15 item 3: the text promised a green bar for the true digit, and at p = 0.000 there was none to see
    probabilities = np.zeros((2, 10))
    probabilities[0, 4] = probabilities[1, 6] = 1.0  # all on the wrong class: the true class's bar has no height
    fig = ui.plots.plot_mistakes(np.zeros((2, 784)), [1, 9], [4, 6], probabilities)
    for ax, true in zip(fig.axes[2:], (1, 9)):
        marks = [line for line in ax.lines if line.get_label() == "true class"]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [true] and marks[0].get_color() == "tab:green"
        assert marks[0].get_marker() == "^" and not marks[0].get_clip_on()


def test_the_panels_accuracy_axis_zooms_to_the_accuracies_after_the_first_epoch(rng):
    # issue 15 item 3: on a 0-100% axis the interesting 90-97% of a run was a flat line at the top
    history = _history(rng)
    history.val_accuracy = [0.91, 0.95, 0.965]
    probe = ll.AccuracyProbe(rng.normal(size=(5, 4)), np.zeros(5, dtype=int))
    per_epoch = history.batches_per_epoch
    probe.step, probe.accuracy = [1, per_epoch // 2, per_epoch, 2 * per_epoch], [0.1, 0.6, 0.88, 0.93]
    accuracy_axis = ui.plots.plot_training_panel(history, probe).axes[1]
    assert accuracy_axis.get_ylim() == (0.85, 1.0)  # 5% steps below the lowest since epoch 1 (0.88), less 2 points
    probe.step, probe.accuracy = [1, 2], [0.1, 0.3]  # still in the first epoch: the whole range
    history.val_accuracy = []
    assert ui.plots.plot_training_panel(history, probe).axes[1].get_ylim() == (0.0, 1.0)


def test_the_descent_paths_of_notebook_06_stay_in_view_and_the_noisy_one_buries_none():
    # issue 15 item 3: the stochastic path left the axes (w up to 7.0 on a grid ending at 6) and,
    # drawn last, covered the mini-batch path
    x, y = ll.descent.make_two_class_data(200, seed=0)
    weights, biases = np.linspace(-4, 8, 145), np.linspace(-12, 6, 121)  # notebook 06's grid
    runs = [ll.descent.gradient_descent(x, y, batch_size=m, lr=1.0, epochs=10) for m in (200, 10, 1)]
    ax_path = ui.plots.plot_descent(runs, (weights, biases, ll.descent.loss_surface(x, y, weights, biases))).axes[0]
    (left, right), (bottom, top) = ax_path.get_xlim(), ax_path.get_ylim()
    for run in runs:
        assert left <= run.path[:, 0].min() and run.path[:, 0].max() <= right
        assert bottom <= run.path[:, 1].min() and run.path[:, 1].max() <= top
    paths = {line.get_label(): line for line in ax_path.lines if line.get_label().startswith("batch size")}
    noisy = paths["batch size 1, lr 1"]
    assert all(noisy.get_zorder() < paths[f"batch size {m}, lr 1"].get_zorder() for m in (200, 10))
    assert noisy.get_alpha() < 1


def test_a_one_epoch_run_keeps_its_rise_on_the_accuracy_axis(rng):
    # review: a finished run of one epoch zoomed to 85-100% and cut off its whole rise from chance
    history = ll.train(ll.Network([4, 5, 3], seed=0), rng.normal(size=(100, 4)), rng.integers(0, 3, 100), 1, 10, 0.5,
                       hooks=[])
    history.val_accuracy = [0.9]
    probe = ll.AccuracyProbe(rng.normal(size=(5, 4)), np.zeros(5, dtype=int))
    probe.step, probe.accuracy = [1, 5, 10], [0.1, 0.7, 0.9]  # the last at the epoch's end, step 10 of 10
    assert ui.plots.plot_training_panel(history, probe).axes[1].get_ylim() == (0.0, 1.0)
