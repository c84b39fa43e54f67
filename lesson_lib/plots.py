"""Figures used by the notebooks. Each function returns the matplotlib Figure it drew, so a test
(or a later cell) can inspect its data; the notebook ends the cell with ``plt.show()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .activations import activation_at
from .information import compare_distributions
from .losses import softmax_loss_and_gradient
from .validation import as_float_array


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
# The figures of notebooks 01-05. Each takes an optional ``fig``: given one, it is cleared and
# redrawn (that is how the widgets in ``lesson_lib.widgets`` reuse one figure); without, a new
# pyplot figure is made, which a notebook shows with ``plt.show()``.
# ---------------------------------------------------------------------------------------------

CLASS_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _figure(fig, figsize):
    if fig is None:
        return plt.figure(figsize=figsize)
    fig.clear()
    return fig


def _layout(fig):
    """Fit the panels to the figure (``tight_layout``), once: a figure whose ``keep_layout``
    attribute is True keeps the spacing it already has (the widgets set it after their first
    drawing, since working out the layout costs about as much as drawing)."""
    if not getattr(fig, "keep_layout", False):
        fig.tight_layout()


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
    fig = _figure(fig, (10, 3.6) if derivatives else (5.5, 3.6))
    axes = fig.subplots(1, 2 if derivatives else 1, squeeze=False)[0]
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
                         color=line.get_color(), label=f"{name} tangent")
            if derivatives:
                axes[1].plot([point], [slope0], "o", color=line.get_color())
    titles = ("a = f(z)", "slope f'(z)")
    for ax, title in zip(axes, titles):
        ax.set_title(title)
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
    fig = _figure(fig, (10, 3.6))
    ax_output, ax_cost = fig.subplots(1, 2)
    for run in runs:
        label = f"{run.loss} (w={run.weight[0]:g}, b={run.bias[0]:g})"
        line, = ax_output.plot(run.epoch, run.output, label=label)
        ax_cost.plot(run.epoch, run.cost, label=label, color=line.get_color())
    if runs:
        ax_output.axhline(runs[0].y, color="0.5", ls=":", lw=1, label=f"target y = {runs[0].y:g}")
    ax_output.set(title="output a", xlabel="epoch", ylim=(-0.02, 1.02))
    ax_cost.set(title="cost C", xlabel="epoch")
    ax_cost.set_ylim(bottom=0)
    ax_output.legend(fontsize=8, loc="center right")
    _layout(fig)
    return fig


def plot_distributions(p, q, fig=None):
    """Two distributions side by side (left) and H(p), KL(p || q) and H(p, q) (right).

    The right panel stacks KL on top of H(p) in the bar "H(p) + KL", next to the bar H(p, q),
    so the identity H(p, q) = H(p) + KL(p || q) shows as two bars of equal height.
    """
    measures = compare_distributions(p, q)
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    k = p.size
    fig = _figure(fig, (10, 3.4))
    ax_bars, ax_measures = fig.subplots(1, 2)
    positions = np.arange(k)
    ax_bars.bar(positions - 0.2, p, width=0.4, label="p (true)", color="tab:blue")
    ax_bars.bar(positions + 0.2, q, width=0.4, label="q (model)", color="tab:orange")
    ax_bars.set(title="probabilities", xticks=positions, xlabel="class", ylim=(0, 1.05))
    ax_bars.legend(fontsize=8)
    h, kl, hpq = measures["entropy"], measures["kl"], measures["cross_entropy"]
    ax_measures.bar(0, h, color="tab:blue", label="H(p)")
    ax_measures.bar(0, kl, bottom=h, color="tab:red", label="KL(p || q)")
    ax_measures.bar(1, hpq, color="tab:purple", label="H(p, q)")
    ax_measures.set(title="nats", xticks=[0, 1], xticklabels=["H(p) + KL", "H(p, q)"])
    ax_measures.legend(fontsize=8)
    _layout(fig)
    return fig


def plot_softmax(z, true_class: int, temperature: float = 1.0, fig=None):
    """Scores z, probabilities a = softmax(z / T) and the gradient (a - y) / T, as bar charts.

    The true class's bars are outlined in black; the figure's title gives the loss -ln a_true.
    """
    a, loss, gradient = softmax_loss_and_gradient(z, true_class, temperature)
    z = np.asarray(z, dtype=float)
    fig = _figure(fig, (10, 3.2))
    axes = fig.subplots(1, 3)
    positions = np.arange(z.size)
    for ax, values, title, color in zip(axes, (z, a, gradient), ("scores z", "probabilities a = softmax(z / T)",
                                                                     "gradient dC/dz = (a - y) / T"),
                                        ("0.6", "tab:blue", "tab:red")):
        bars = ax.bar(positions, values, color=color)
        bars[true_class].set_edgecolor("black")
        bars[true_class].set_linewidth(2)
        ax.set(title=title, xticks=positions, xlabel="class")
        ax.axhline(0, color="0.5", lw=0.8)
    axes[1].set_ylim(0, 1.05)
    axes[2].set_ylim(-1.05 / temperature, 1.05 / temperature)
    fig.suptitle(f"T = {temperature:g}, true class {true_class}: loss -ln a = {loss:.4f}", fontsize=10)
    _layout(fig)
    return fig


def plot_descent(runs, surface, fig=None):
    """Paths of gradient-descent runs on the loss contours (left) and their loss by epoch (right).

    runs: ``DescentRun`` objects; surface: (weights, biases, values) as from
    ``descent.loss_surface`` (values shaped (len(biases), len(weights))). One path line per
    run, labelled "batch size m, lr eta".
    """
    weights, biases, values = surface
    fig = _figure(fig, (10, 4))
    ax_path, ax_loss = fig.subplots(1, 2)
    levels = np.quantile(values, np.linspace(0.0, 0.9, 12) ** 2)
    ax_path.contour(weights, biases, values, levels=np.unique(levels), colors="0.7", linewidths=0.8)
    for run in runs:
        label = f"batch size {run.batch_size}, lr {run.lr:g}"
        line, = ax_path.plot(run.path[:, 0], run.path[:, 1], lw=1, label=label)
        ax_path.plot(run.path[-1, 0], run.path[-1, 1], "o", color=line.get_color())
        ax_loss.plot(run.epoch, run.loss, label=label, color=line.get_color())
    if runs:
        ax_path.plot(runs[0].path[0, 0], runs[0].path[0, 1], "ks", label="start")
    ax_path.set(title="path of (w, b) on the loss contours", xlabel="weight w", ylabel="bias b",
                xlim=(weights[0], weights[-1]), ylim=(biases[0], biases[-1]))
    ax_loss.set(title="loss over all examples", xlabel="epochs (examples seen / n)", ylabel="loss")
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
        line, = axes[0].plot(run.epoch, run.loss, label=f"batch size {run.batch_size}")
        axes[1].plot(np.maximum(run.updates, 1), run.loss, color=line.get_color())
        axes[2].plot(run.seconds, run.loss, color=line.get_color())
    axes[0].set(title="by epochs", xlabel="epochs", ylabel="training loss")
    axes[1].set(title="by updates", xlabel="updates (log scale)", xscale="log")
    axes[2].set(title="by seconds", xlabel="seconds")
    axes[0].legend(fontsize=8)
    _layout(fig)
    return fig
