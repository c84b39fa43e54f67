"""Figures used by the notebooks. Each function returns the matplotlib Figure it drew, so a test
(or a later cell) can inspect its data; the notebook ends the cell with ``plt.show()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullLocator, PercentFormatter

from ..activations import activation_at
from ..i18n import gettext, language, layer_text, when_language_changes
from ..information import compare_distributions
from ..losses import softmax_loss_and_gradient
from ..training import GradientMonitor
from ..validation import as_float_array


# -- the language of the figures' text (lesson_lib.i18n) --------------------------------------------

CHINESE_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC",
                 "Hiragino Sans GB", "Heiti SC", "SimHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                 "Noto Sans CJK JP", "Arial Unicode MS")
"""Fonts with Chinese characters that matplotlib may find, best first (Linux, Windows, macOS)."""

_font = {}


def chinese_font() -> str | None:
    """The first of CHINESE_FONTS that matplotlib knows on this machine, or None (looked up once)."""
    if "name" not in _font:
        from matplotlib import font_manager

        known = {entry.name for entry in font_manager.fontManager.ttflist}
        _font["name"] = next((name for name in CHINESE_FONTS if name in known), None)
    return _font["name"]


def figure_text(message: str) -> str:
    """A figure's text in the lesson's language (``ll.set_language``). In Chinese only where a Chinese
    font is installed (``use_font``: after matplotlib's own font, which keeps drawing the Latin letters and
    digits); without one the figure keeps its English text, so it never shows empty boxes and matplotlib
    never warns."""
    if language() == "en":
        return message
    if chinese_font() is None:
        return message
    return gettext(message)  # the font was added when the language was set (_follow_language)


def use_font(font: str) -> None:
    """Draw text from now on in matplotlib's font and, for the characters it lacks, in ``font``: matplotlib
    (3.6 and later) falls back glyph by glyph along the families of ``font.family``."""
    families = list(plt.rcParams["font.family"])
    if font not in families:
        plt.rcParams["font.family"] = [*families, font]


def _follow_language(language_set: str) -> None:
    """Before any Chinese figure is made (a Text keeps the fonts of the moment it was made): add the font."""
    if language_set != "en" and chinese_font() is not None:
        use_font(chinese_font())


when_language_changes(_follow_language)


_ = figure_text  # the name gettext's tools look for


def _layer(name: str) -> str:
    """A layer's name from ``Network.layer_name`` ("hidden layer 2", "output layer") in the figures' language."""
    return layer_text(name, figure_text)


def show_digits(images, labels=None, *, predictions=None, columns: int = 10, size: float = 1.0):
    """A grid of digits with their labels (and, if given, predictions; wrong ones in red).

    images: (n, 784) or (n, 28, 28) with values in [0, 1]; labels, predictions: (n,) integers.
    Returns the Figure; each image's title is "label" or "label -> prediction".
    """
    images = as_float_array("images", images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) == 0:
        raise ValueError(f"images: expected shape (n, 784) or (n, 28, 28) with n >= 1, got {images.shape}")
    n = len(images)
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and np.shape(values) != (n,):
            raise ValueError(f"{name}: expected shape ({n},) to match the images, got {np.shape(values)}")
    columns = min(columns, n)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * 1.25 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1)
        if labels is not None:
            title, color = str(int(labels[i])), "black"
            if predictions is not None:
                title += f" -> {int(predictions[i])}"
                color = "black" if int(predictions[i]) == int(labels[i]) else "red"
            ax.set_title(title, fontsize=10, color=color)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# The figures of notebooks 01-06. Each takes an optional ``fig``: given one, it is cleared and
# redrawn (that is how the widgets in ``lesson_lib.ui.widgets`` reuse one figure); without, a new
# pyplot figure is made, which a notebook shows with ``plt.show()``.
# ---------------------------------------------------------------------------------------------

CLASS_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _figure(fig, figsize):
    if fig is None:
        return plt.figure(figsize=figsize)
    fig.clear()
    return fig


def _panels(fig, figsize, nrows: int, ncols: int, squeeze: bool = True):
    """A figure and its nrows x ncols axes (as ``fig.subplots`` returns them) for a plot function to draw in.

    A new figure if ``fig`` is None. A live figure (an explorer's or the training panel's: its ``keep_layout``
    is True) keeps the axes it made for each grid in ``fig.panel_axes`` (grid -> axes): the grid asked for
    gets its axes back, emptied of what the last drawing put there; only a grid it never had is made anew.
    The same picture as on new axes in about two thirds of the time, because new axes make all their tick
    objects anew at the first drawing, a third of an explorer's redraw. Any other figure is cleared and
    divided anew.
    """
    grid = (nrows, ncols)
    if fig is None or not getattr(fig, "keep_layout", False):
        fig = _figure(fig, figsize)
        axes = fig.subplots(nrows, ncols, squeeze=False)
    else:
        if not hasattr(fig, "panel_axes"):
            fig.panel_axes = {}
        axes = fig.panel_axes.get(grid)
        if axes is None or fig.axes != list(axes.flat):
            for ax in list(fig.axes):  # put aside (still in panel_axes under their own grid)
                fig.delaxes(ax)
            for ax in [] if axes is None else axes.flat:
                fig.add_axes(ax)
        _empty(fig)
        if axes is None:
            axes = fig.panel_axes[grid] = fig.subplots(nrows, ncols, squeeze=False)
    if not squeeze:
        return fig, axes
    return fig, axes[0, 0] if axes.size == 1 else axes.ravel() if 1 in grid else axes


def _empty(fig):
    """Take out of ``fig`` what a plot function drew, leaving its axes as new ones are: no lines, bars,
    contours, texts or legends; no titles or axis labels; linear scales with the default ticks; limits from
    the data; colours from the first of the cycle; a blank figure title."""
    for legend in list(fig.legends):
        legend.remove()
    if fig.texts:
        fig.suptitle("")  # the figure title is the only figure text the plots make; it is set again, or blank
    for ax in fig.axes:
        for container in list(ax.containers):
            container.remove()
        for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set(title="", xlabel="", ylabel="", xscale="linear", yscale="linear")  # the scales bring default ticks
        ax.relim()
        ax.set_autoscale_on(True)
        ax.set_prop_cycle(None)


def fixed_title(ax, title: str):
    """``ax``'s title at the top edge (y = 1), where matplotlib puts it anyway when the axes have no tick
    labels at the top. Left to place it, matplotlib would measure the axes' tick labels at every drawing of
    a live figure, to keep the title clear of any at the top."""
    ax.set_title(title, y=1.0)


def _layout(fig, rect=(0, 0, 1, 1)):
    """Fit the panels into ``rect`` of the figure (``tight_layout``; (left, bottom, right, top) in
    figure fractions), unless the figure's ``keep_layout`` attribute is True: the explorers and the
    panel set it and fix their margins, so the axes stay put whatever is drawn in them (and ``_panels``
    draws again into the axes such a figure has)."""
    if not getattr(fig, "keep_layout", False):
        fig.tight_layout(rect=rect)


def plot_activations(names, z_range=(-6.0, 6.0), *, derivatives: bool = True, point=None, fig=None):
    """Activation functions (left) and, if ``derivatives``, their slopes f'(z) (right).

    names: activation names such as ("sigmoid", "tanh", "relu"); z_range: (low, high);
    point: a z at which each curve gets a dot, and the left panel a short tangent line of
    slope f'(point). Lines are labelled by name (tangents "<name> tangent").
    """
    low, high = (float(v) for v in as_float_array("z_range", z_range, ndim=1))
    if not low < high:
        raise ValueError(f"z_range: expected (low, high) with low < high, got {tuple(z_range)}")
    names = list(names)
    fig, axes = _panels(fig, (10, 3.6) if derivatives else (5.5, 3.6), 1, 2 if derivatives else 1, squeeze=False)
    axes = axes[0]
    z = np.linspace(low, high, 401)
    for name in names:
        a, slope = activation_at(name, z)
        line, = axes[0].plot(z, a, label=name)
        if derivatives:
            axes[1].plot(z, slope, label=name, color=line.get_color())
        if point is not None:
            a0, slope0 = (float(v) for v in activation_at(name, point))
            axes[0].plot([point], [a0], "o", color=line.get_color())
            half = 0.1 * (high - low)
            axes[0].plot([point - half, point + half], [a0 - slope0 * half, a0 + slope0 * half], "--",
                         color=line.get_color(), label=_("{name} tangent").format(name=name))
            if derivatives:
                axes[1].plot([point], [slope0], "o", color=line.get_color())
    titles = ("a = f(z)", _("slope f'(z)"))
    for ax, title in zip(axes, titles):
        fixed_title(ax, title)
        ax.set_xlabel("z")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set_xlim(low, high)
        if names:
            ax.legend(loc="upper left", fontsize=8)
    _layout(fig)
    return fig


def plot_neuron_runs(runs, fig=None):
    """Output a and cost C over the epochs for one or more ``NeuronRun`` objects, overlaid.

    Lines are labelled "<loss> (w=..., b=...)" from each run's starting weight and bias.
    """
    fig, (ax_output, ax_cost) = _panels(fig, (10, 3.6), 1, 2)
    for run in runs:
        label = f"{run.loss} (w={run.weight[0]:g}, b={run.bias[0]:g})"
        line, = ax_output.plot(run.epoch, run.output, label=label)
        ax_cost.plot(run.epoch, run.cost, label=label, color=line.get_color())
    if runs:
        ax_output.axhline(runs[0].y, color="0.5", ls=":", lw=1, label=_("target y = {y:g}").format(y=runs[0].y))
    ax_output.set(xlabel=_("epoch"), ylim=(-0.02, 1.02))
    ax_cost.set(xlabel=_("epoch"))
    fixed_title(ax_output, _("output a"))
    fixed_title(ax_cost, _("cost C"))
    ax_cost.set_ylim(bottom=0)
    # one legend for both panels, below them: inside, any place was on some start's curve
    handles, labels = ax_output.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    _layout(fig, rect=(0, 0.07, 1, 1))
    return fig


def plot_distributions(p, q, fig=None):
    """Two distributions side by side (left) and H(p), KL(p || q) and H(p, q) (right).

    The right panel stacks KL on top of H(p) in the bar "H(p) + KL", next to the bar H(p, q),
    so the identity H(p, q) = H(p) + KL(p || q) shows as two bars of equal height.
    """
    measures = compare_distributions(p, q)
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    k = p.size
    fig, (ax_bars, ax_measures) = _panels(fig, (10, 3.4), 1, 2)
    positions = np.arange(k)
    ax_bars.bar(positions - 0.2, p, width=0.4, label=_("p (true)"), color="tab:blue")
    ax_bars.bar(positions + 0.2, q, width=0.4, label=_("q (model)"), color="tab:orange")
    # headroom above the bars for the legend, so that it never covers one
    fixed_title(ax_bars, _("probabilities"))
    ax_bars.set(xticks=positions, xlabel=_("class"), ylim=(0, 1.3), yticks=np.linspace(0, 1, 6))
    ax_bars.legend(fontsize=8, loc="upper center", ncol=2)
    h, kl, hpq = measures["entropy"], measures["kl"], measures["cross_entropy"]
    ax_measures.bar(0, h, color="tab:blue", label="H(p)")
    ax_measures.bar(0, kl, bottom=h, color="tab:red", label="KL(p || q)")
    ax_measures.bar(1, hpq, color="tab:purple", label="H(p, q)")
    fixed_title(ax_measures, _("nats"))
    ax_measures.set(xticks=[0, 1], xticklabels=["H(p) + KL", "H(p, q)"],
                    ylim=(0, 1.35 * max(hpq, h + kl, 1e-3)))
    ax_measures.legend(fontsize=8, loc="upper center", ncol=3)
    _layout(fig)
    return fig


def plot_softmax(z, true_class: int, temperature: float = 1.0, fig=None):
    """Scores z, probabilities a = softmax(z / T) and the gradient (a - y) / T, as bar charts.

    The true class's bars are outlined in black; the figure's title gives the loss -ln a_true.
    """
    a, loss, gradient = softmax_loss_and_gradient(z, true_class, temperature)
    z = np.asarray(z, dtype=float)
    fig, axes = _panels(fig, (10, 3.2), 1, 3)
    positions = np.arange(z.size)
    for ax, values, title, color in zip(axes, (z, a, gradient), (_("scores z"), _("probabilities a = softmax(z / T)"),
                                                                     _("gradient dC/dz = (a - y) / T")),
                                        ("0.6", "tab:blue", "tab:red")):
        bars = ax.bar(positions, values, color=color)
        bars[true_class].set_edgecolor("black")
        bars[true_class].set_linewidth(2)
        fixed_title(ax, title)
        ax.set(xticks=positions, xlabel=_("class"))
        ax.axhline(0, color="0.5", lw=0.8)
    axes[1].set_ylim(0, 1.05)
    axes[2].set_ylim(-1.05 / temperature, 1.05 / temperature)
    fig.suptitle(_("T = {temperature:g}, true class {true_class}: loss -ln a = {loss:.4f}").format(
        temperature=temperature, true_class=true_class, loss=loss), fontsize=10)
    _layout(fig)
    return fig


def plot_backprop_sizes(delta_sizes, gradient_sizes, title: str = "", fig=None):
    """Notebook 05: how big each layer's error term and weight gradient are, on a log scale.

    delta_sizes: mean |delta^l| per weight layer; gradient_sizes: mean |dC/dW^l| per weight
    layer; both first hidden layer first, output layer last. Backpropagation computes them
    from the output down, so read the bars from right to left.
    """
    delta_sizes = as_float_array("delta_sizes", delta_sizes, ndim=1)
    gradient_sizes = as_float_array("gradient_sizes", gradient_sizes, ndim=1)
    if delta_sizes.shape != gradient_sizes.shape or delta_sizes.size == 0:
        raise ValueError(f"gradient_sizes: expected one size per layer like delta_sizes {delta_sizes.shape}, "
                         f"got {gradient_sizes.shape}")
    fig, axes = _panels(fig, (10, 3.4), 1, 2)
    layers = np.arange(delta_sizes.size)
    names = [f"h{l + 1}" for l in layers[:-1]] + ["out"]
    for ax, sizes, label, color in ((axes[0], delta_sizes, _("mean |delta| (error term)"), "tab:purple"),
                                    (axes[1], gradient_sizes, _("mean |dC/dW| (weight gradient)"), "tab:red")):
        ax.bar(layers, np.maximum(sizes, 1e-30), color=color)
        ax.set_xticks(layers, names)
        ax.set(xlabel=_("layer (backprop runs right to left)"), yscale="log")
        _decades_only(ax)  # a log axis's many minor ticks cost most of the redraw
        ax.set_title(label, y=1.01)  # a fixed position: placing it automatically is slow too
    if title:
        fig.suptitle(title, fontsize=10)
    # fixed margins rather than tight_layout: they are set again on every redraw (a cleared figure
    # forgets them), so the figure keeps its look whatever the controls say
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.8 if title else 0.88, wspace=0.25)
    return fig


def plot_descent(runs, surface, fig=None):
    """Paths of gradient-descent runs on the loss contours (left) and their loss by epoch (right).

    runs: ``DescentRun`` objects; surface: (weights, biases, values) as from
    ``descent.loss_surface`` (values shaped (len(biases), len(weights))). One path line per
    run, labelled "batch size m, lr eta".
    """
    weights, biases, values = surface
    fig, (ax_path, ax_loss) = _panels(fig, (10, 4), 1, 2)
    levels = np.quantile(values, np.linspace(0.0, 0.9, 12) ** 2)
    ax_path.contour(weights, biases, values, levels=np.unique(levels), colors="0.7", linewidths=0.8)
    for run in runs:
        label = _("batch size {batch_size}, lr {lr:g}").format(batch_size=run.batch_size, lr=run.lr)
        # a path of many noisy steps is drawn faint and beneath the others, so that it buries none of them
        noisy = run.updates > 500
        line, = ax_path.plot(run.path[:, 0], run.path[:, 1], lw=1, label=label, alpha=0.45 if noisy else 1.0,
                             zorder=1.5 if noisy else 2)
        ax_path.plot(run.path[-1, 0], run.path[-1, 1], "o", color=line.get_color(), zorder=3)
        ax_loss.plot(run.epoch, run.loss, label=label, color=line.get_color(), alpha=0.6 if noisy else 1.0,
                     zorder=1.5 if noisy else 2)
    if runs:
        ax_path.plot(runs[0].path[0, 0], runs[0].path[0, 1], "ks", label=_("start"))
    fixed_title(ax_path, _("path of (w, b) on the loss contours"))
    fixed_title(ax_loss, _("loss over all examples"))
    ax_path.set(xlabel=_("weight w"), ylabel=_("bias b"),
                xlim=(weights[0], weights[-1]), ylim=(biases[0], biases[-1]))
    ax_loss.set(xlabel=_("epochs (examples seen / n)"), ylabel=_("loss"))
    ax_path.legend(fontsize=8, loc="upper right")
    _layout(fig)
    return fig


def plot_batch_size_comparison(runs, fig=None):
    """Loss against epochs, updates and seconds for ``descent.NetworkRun`` objects.

    The seconds are wall-clock time on the machine that ran the cell, so that panel (only)
    changes from run to run.
    """
    fig = _figure(fig, (12, 3.6))
    axes = fig.subplots(1, 3, sharey=True)
    for run in runs:
        line, = axes[0].plot(run.epoch, run.loss, label=_("batch size {batch_size}").format(batch_size=run.batch_size))
        axes[1].plot(np.maximum(run.updates, 1), run.loss, color=line.get_color())
        axes[2].plot(run.seconds, run.loss, color=line.get_color())
    axes[0].set(title=_("by epochs"), xlabel=_("epochs"), ylabel=_("training loss"))
    axes[1].set(title=_("by updates"), xlabel=_("updates (log scale)"), xscale="log")
    axes[2].set(title=_("by seconds"), xlabel=_("seconds"))
    axes[0].legend(fontsize=8)
    _layout(fig)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 07: training curves on MNIST and a look inside the trained network.
# ---------------------------------------------------------------------------------------------

def _smooth(values, window: int):
    """Running mean over ``window`` points (shorter at the start), same length as values."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or window <= 1:
        return values
    sums = np.cumsum(values)
    counts = np.minimum(np.arange(1, values.size + 1), window)
    shifted = np.concatenate([np.zeros(window), sums])[:values.size]
    return (sums - shifted) / counts


def _check_epochs(history):
    """The epoch (a fraction) at which each gradient check of a History was made."""
    return np.asarray(history.check_step, dtype=float) / max(history.batches_per_epoch, 1)


def plot_loss_comparison(histories, probes=None, *, smooth: int = 10, fig=None):
    """Runs with different losses side by side, against the number of updates (log scale):
    each one's mini-batch loss, accuracy and output-layer mean |delta|.

    histories: dict label -> History; probes: dict label -> AccuracyProbe (the accuracy
    panel shows the probe's curve, or the History's test accuracy at each epoch's end if no
    probe is given). The per-check curves are running means over ``smooth`` checks. The
    losses are on different scales, so compare their shapes; accuracy is comparable.
    """
    probes = probes or {}
    fig = _figure(fig, (12, 3.6))
    ax_loss, ax_accuracy, ax_delta = fig.subplots(1, 3)
    for label, history in histories.items():
        line, = ax_loss.plot(history.check_step, _smooth(history.check_loss, smooth), label=label)
        if label in probes:
            ax_accuracy.plot(probes[label].step, probes[label].accuracy, color=line.get_color(), label=label)
        else:
            ax_accuracy.plot(np.asarray(history.epochs) * history.batches_per_epoch, history.val_accuracy, "o-",
                             color=line.get_color(), label=label)
        ax_delta.plot(history.check_step, _smooth(history.check_output_delta_size, smooth), color=line.get_color(),
                      label=label)
    ax_loss.set(title=_("mini-batch loss (each its own scale)"), xlabel=_("updates"), xscale="log", yscale="log")
    ax_accuracy.set(title=_("test accuracy"), xlabel=_("updates"), xscale="log")
    ax_accuracy.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax_delta.set(title=_("output layer: mean |delta|"), xlabel=_("updates"), xscale="log", yscale="log")
    ax_accuracy.legend(fontsize=8, loc="lower right")
    _layout(fig)
    return fig


def _plot_update_ratios(ax, history, monitor, smooth):
    """Each layer's update ratio per check (running mean over ``smooth`` checks) on a log axis,
    with the monitor's "too large" and "too small" bounds as dashed lines."""
    epochs = _check_epochs(history)
    ratios = np.asarray(history.check_update_ratio)
    for l, name in enumerate(history.layer_names):
        if ratios.size:
            ax.plot(epochs, _smooth(ratios[:, l], smooth), lw=1, label=_layer(name))
    ax.axhline(monitor.too_large, color="tab:red", ls="--", lw=1, label=_("too large above"))
    ax.axhline(monitor.too_small, color="tab:gray", ls="--", lw=1, label=_("too small below"))
    ax.set(xlabel=_("epoch"), yscale="log")


def plot_gradient_sizes(history, *, monitor=None, smooth: int = 5, fig=None):
    """Per layer, over training: the mean |dC/dw| (left) and the update ratio
    lr * mean |dC/dw| / mean |w| (right), with the monitor's "too large" / "too small" bounds.

    history: a History; monitor: the GradientMonitor whose thresholds to draw (default ones if
    None). One line per layer, labelled by the layer's name.
    """
    monitor = monitor or GradientMonitor()
    fig = _figure(fig, (11, 3.6))
    ax_size, ax_ratio = fig.subplots(1, 2)
    epochs = _check_epochs(history)
    sizes = np.asarray(history.check_grad_size)
    for l, name in enumerate(history.layer_names):
        if sizes.size:
            ax_size.plot(epochs, _smooth(sizes[:, l], smooth), label=_layer(name))
    _plot_update_ratios(ax_ratio, history, monitor, smooth)  # same colour order as the left panel
    ax_size.set(title=_("mean |dC/dw| per weight"), xlabel=_("epoch"), yscale="log")
    ax_ratio.set(title=_("update ratio lr * mean|dC/dw| / mean|w|"))
    ax_size.legend(fontsize=8)
    ax_ratio.legend(fontsize=8, loc="lower left")
    _layout(fig)
    return fig


def plot_training_panel(history, probe=None, *, monitor=None, fig=None):
    """The training panel's live figure: mini-batch loss, accuracy on the probe set (and the
    test accuracy at each epoch's end), and each layer's update ratio against the monitor's
    bounds. history: a History (possibly of a run still going); probe: an AccuracyProbe.
    """
    monitor = monitor or GradientMonitor()
    fig, (ax_loss, ax_accuracy, ax_ratio) = _panels(fig, (12, 3.4), 1, 3)
    per_epoch = max(history.batches_per_epoch, 1)
    epochs = _check_epochs(history)
    ax_loss.plot(epochs, history.check_loss, color="0.75", lw=0.8, label=_("mini-batch"))
    ax_loss.plot(epochs, _smooth(history.check_loss, 10), color="tab:blue", label=_("running mean"))
    if probe is not None and probe.step:
        ax_accuracy.plot(np.asarray(probe.step) / per_epoch, probe.accuracy, ".-", ms=3, color="tab:green",
                         label=_("probe digits"))
    if history.val_accuracy:
        ax_accuracy.plot(_epoch_ends(history), history.val_accuracy, "o", color="black", label=_("test set, epoch end"))
    _plot_update_ratios(ax_ratio, history, monitor, smooth=1)
    ax_loss.set(xlabel=_("epoch"), yscale="log")
    ax_accuracy.set(xlabel=_("epoch"), ylim=(_accuracy_floor(history, probe), 1))
    ax_accuracy.yaxis.set_major_formatter(PercentFormatter(1.0))
    for ax, title in ((ax_loss, _("loss")), (ax_accuracy, _("accuracy")), (ax_ratio, _("update ratio (dashed: note bounds)"))):
        fixed_title(ax, title)
    # fixed places, where the curves seldom are (a falling loss leaves the top right free, a
    # rising accuracy the bottom right, and update ratios are seldom above the upper bound):
    # legends that stay put as the run goes on, and "best"
    # would search the curves for a place at every drawing
    for ax, place, columns in ((ax_loss, "upper right", 1), (ax_accuracy, "lower right", 1), (ax_ratio, "upper right", 2)):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc=place, ncol=columns)
    for ax in (ax_loss, ax_ratio):
        _decades_only(ax)
    _layout(fig)
    return fig


def _epoch_ends(history):
    """Where each epoch of a History ended, in epochs: its number, except for a last epoch that a
    stop cut short, which ended at ``steps / batches_per_epoch``."""
    done = history.steps / max(history.batches_per_epoch, 1)
    return [min(float(epoch), done) if done else float(epoch) for epoch in history.epochs]


def _accuracy_floor(history, probe):
    """Where the panel's accuracy axis starts: 0 during the first epoch, then 5% steps below the
    lowest accuracy measured since (the test set's at each full epoch's end, the probe's after the
    first epoch), so that the last points of a run, 90-97% after a steep first epoch, are not a flat
    line at the top of a 0-100% axis. A run that has not gone past its first epoch (stopped within
    it, or of one epoch) keeps the whole axis, its rise from chance included."""
    per_epoch = max(history.batches_per_epoch, 1)
    last_step = max(history.steps, probe.step[-1] if probe is not None and probe.step else 0)
    if last_step <= per_epoch:
        return 0.0
    since = [accuracy for end, accuracy in zip(_epoch_ends(history), history.val_accuracy) if end >= 1]
    if probe is not None:
        since += [accuracy for step, accuracy in zip(probe.step, probe.accuracy) if step >= per_epoch]
    if not since:
        return 0.0
    return max(0.0, np.floor((min(since) - 0.02) * 20) / 20)


def _decades_only(ax):
    """A log y axis spanning more than two decades draws no minor ticks: its decades carry the
    labels, and the eight unlabelled ticks per decade cost about a quarter of a live panel
    drawing. A narrower axis keeps them, since its labels may be on minor ticks. (Setting the
    scale again, as every drawing does, restores them.)"""
    low, high = ax.get_ylim()
    if low > 0 and high > 100 * low:
        ax.yaxis.set_minor_locator(NullLocator())


def plot_confusion(matrix, fig=None):
    """A confusion matrix (K, K) as a heat map with each count written in its cell
    (rows: true class, columns: predicted class; the diagonal is left pale)."""
    matrix = np.asarray(matrix)
    fig = _figure(fig, (5.2, 4.6))
    ax = fig.subplots()
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, 0)
    ax.imshow(off, cmap="Reds")
    k = len(matrix)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=7,
                    color="white" if off[i, j] > 0.6 * max(off.max(), 1) else "black")
    ax.set(xticks=range(k), yticks=range(k), xlabel=_("predicted class"), ylabel=_("true class"),
           title=_("confusion matrix (colour: mistakes)"))
    _layout(fig)
    return fig


def plot_mistakes(images, labels, predicted, probabilities, fig=None):
    """Misclassified digits (top row) over bar charts of the network's probabilities for them
    (bottom row): the predicted class's bar in red, the true class's bar in green with a green
    triangle under it (a confident mistake leaves the true class's bar too short to see).

    images: (m, 784); labels, predicted: (m,); probabilities: (m, K).
    """
    images = np.asarray(images).reshape(-1, 28, 28)
    m = len(images)
    fig = _figure(fig, (1.3 * max(m, 1), 2.8))
    axes = fig.subplots(2, max(m, 1), squeeze=False)
    for i in range(m):
        axes[0, i].imshow(images[i], cmap="gray_r", vmin=0, vmax=1)
        axes[0, i].set_axis_off()
        axes[0, i].set_title(f"{int(labels[i])} -> {int(predicted[i])}", fontsize=9, color="red")
        colors = ["0.7"] * probabilities.shape[1]
        colors[int(labels[i])], colors[int(predicted[i])] = "tab:green", "tab:red"
        axes[1, i].bar(range(probabilities.shape[1]), probabilities[i], color=colors)
        axes[1, i].plot([int(labels[i])], [0.0], "^", color="tab:green", ms=6, clip_on=False, zorder=3,
                        label=_("true class"))
        axes[1, i].set(ylim=(0, 1), xticks=range(0, probabilities.shape[1], 2), yticks=[0, 0.5, 1])
        axes[1, i].tick_params(labelsize=6)
        if i:
            axes[1, i].set_yticklabels([])
    _layout(fig)
    return fig


def plot_first_layer_weights(weights, count: int = 30, columns: int = 10, fig=None):
    """The weights into each of the first ``count`` hidden units, shown as 28x28 images.

    weights: the first layer's weights (784, hidden). Red pixels push the unit's z up, blue
    pixels push it down; each image has its own symmetric colour scale.
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape[0] != 784:
        raise ValueError(f"weights: expected the first layer's weights shaped (784, hidden), got {weights.shape}")
    count = min(count, weights.shape[1])
    rows = -(-count // columns)
    fig = _figure(fig, (columns * 0.9, rows * 0.95))
    axes = fig.subplots(rows, columns, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < count:
            image = weights[:, i].reshape(28, 28)
            limit = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(str(i), fontsize=7)
    _layout(fig)
    return fig


def plot_depth_comparison(gradient_sizes, accuracies, *, size_label="mean |dC/dw| / mean |w|", fig=None):
    """Notebook 08, question 1: how deep sigmoid networks and their remedies compare.

    gradient_sizes: dict label -> a gradient size per weight layer at the start (first hidden
    layer first; ``size_label`` says which), drawn as grouped bars on a log scale; accuracies: dict label -> test accuracy after
    each epoch (epoch 0 = the start), drawn as lines.
    """
    fig = _figure(fig, (12, 3.8))
    ax_sizes, ax_accuracy = fig.subplots(1, 2)
    width = 0.8 / max(len(gradient_sizes), 1)
    for i, (label, sizes) in enumerate(gradient_sizes.items()):
        layers = np.arange(len(sizes))
        ax_sizes.bar(layers + (i - (len(gradient_sizes) - 1) / 2) * width, sizes, width, label=label)
        ax_accuracy.plot(np.arange(len(accuracies[label])), accuracies[label], "o-", label=label)
    n_layers = len(next(iter(gradient_sizes.values()), []))
    ax_sizes.set_xticks(np.arange(n_layers), [_("hidden {number}").format(number=l + 1) for l in range(n_layers - 1)]
                        + [_("output")])
    ax_sizes.set(title=_("at the start: {what}").format(what=size_label), yscale="log")
    ax_accuracy.set(title=_("test accuracy after each epoch"), xlabel=_("epoch"))
    ax_accuracy.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax_sizes.legend(fontsize=8)
    _layout(fig)
    return fig


def plot_normalizations(names, gaps, levels=(0.0, 10.0), n_classes: int = 10, fig=None):
    """Notebook 08, question 2: the probability each normalization gives the top class when its
    score exceeds the other n_classes - 1 scores (all equal to ``level``) by ``gap``; one line
    per normalization and level (solid: the first level, dashed: the second)."""
    from ..normalizations import normalize

    gaps = as_float_array("gaps", gaps, ndim=1)
    fig = _figure(fig, (6.5, 3.8))
    ax = fig.subplots()
    for name in names:
        color = None
        for level, style in zip(levels, ["-", "--"]):
            z = np.full((len(gaps), n_classes), float(level))
            z[:, 0] += gaps
            line, = ax.plot(gaps, normalize(name, z)[:, 0], style, color=color,
                            label=_("{name}, others at {level:g}").format(name=name, level=level))
            color = line.get_color()
    ax.axhline(1.0 / n_classes, color="grey", lw=0.8)
    ax.set(xlabel=_("score gap to the other classes"), ylabel=_("probability of the top class"), ylim=(0, 1.02))
    ax.legend(fontsize=7, ncol=2)
    _layout(fig)
    return fig
