"""The interactive explorers of notebooks 01-06, built from ipywidgets.

Each explorer is a VBox of controls, a one-line ``status`` (an HTML widget) and the figure,
drawn by a function of ``lesson_lib.ui.plots`` into the explorer's own matplotlib Figure and
shown as a PNG ``image``. Changing any control's ``value`` calls ``update()``: it recomputes,
redraws, and writes the status line. The computation is always a lesson_lib function that
the notebook also calls directly with fixed values, so nbval checks the numbers behind
every slider.

For tests: set a control's ``.value`` (observers run at once, in the same thread) and read
``explorer.figure`` (its axes' lines and bars hold the data), ``explorer.status.value``
and ``explorer.redraws`` (how many times the figure has been drawn).

Bad input (scores that are not numbers, a distribution of all zeros) is reported in the
status line, in red, and the previous figure stays.
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..activations import HIDDEN_ACTIVATIONS, activation_at
from ..descent import gradient_descent, loss_surface, make_two_class_data
from ..information import compare_distributions
from ..inspection import layer_sizes
from ..losses import LOSSES, softmax_loss_and_gradient
from ..network import INITIALIZATIONS, Network
from ..neuron import NEURON_LOSSES, train_neuron
from ..validation import as_batch, as_targets

def slider_options() -> dict:
    """A slider's common options. Each slider gets its own Layout: one shared Layout would make
    hiding one slider hide them all."""
    return {"continuous_update": False, "style": {"description_width": "initial"},
            "layout": widgets.Layout(width="320px")}


OPTION_NAMES = (N_("quadratic"), N_("cross_entropy"), N_("log_likelihood"), N_("classic"), N_("scaled"))
"""The loss and start names the dropdowns offer, marked for the catalog: a translation keeps the
name the code uses, which the lessons quote, and adds a gloss ("scaled（缩放）")."""


def choices(names) -> list:
    """Dropdown options [(label, name)]: each name as the language shows it, its value the name
    the code uses."""
    return [(_(name), name) for name in names]


def _format(values) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in np.ravel(values)) + "]"


def error_html(message) -> str:
    """A message for a status line, escaped and in red: how every widget shows bad input."""
    return f"<span style='color:#b00020'>{html.escape(str(message))}</span>"


def render_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's figure as PNG bytes, for an ``ipywidgets.Image``.

    Renders with the Agg canvas and lets Pillow write a quickly compressed PNG: about half the
    time of ``figure.savefig``, which adds layout passes a fixed figure does not need.
    """
    canvas.draw()
    width, height = canvas.get_width_height()
    buffer = io.BytesIO()
    PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buffer, format="png", compress_level=1)
    return buffer.getvalue()


class FigureView:
    """A matplotlib Figure drawn off-screen (Agg) into an ``ipywidgets.Image``, with a status line
    (HTML) beside it: the part the explorers, the training panel and the digit pad share.

    Draw into ``view.figure``, then ``view.show(status)`` renders the PNG into ``view.image``,
    sets the status line and counts the redraw; ``view.show_error(error)`` puts an error in the
    status line, in red, and leaves the figure as it was.
    """

    dpi = 72

    def __init__(self, figsize, status: str = ""):
        self.figure = Figure(figsize=figsize, dpi=self.dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML(status)
        self.redraws = 0

    def show(self, status: str | None = None):
        """Render the figure into the image; ``status`` (HTML), if given, into the status line."""
        self.image.value = render_png(self.canvas)
        if status is not None:
            self.status.value = status
        self.redraws += 1

    def show_error(self, error):
        """The error's message in the status line, in red."""
        self.status.value = error_html(error)


def whole_label(control):
    """Give ``control``'s description the width it needs: by default a label such as "hidden units"
    gets a fixed width and is cut to "hidden un..."."""
    if control.description and hasattr(control.style, "description_width"):
        control.style.description_width = "initial"
    return control


def controls_in(widget_list):
    """Every widget with a value among ``widget_list`` and inside its boxes."""
    for widget in widget_list:
        if isinstance(widget, widgets.Box):
            yield from controls_in(widget.children)
        elif widget.has_trait("value"):
            yield widget


class FigureExplorer(widgets.VBox):
    """Base class: controls, a status line and a figure that ``update()`` redraws.

    Subclasses pass their controls (rows of widgets) and implement ``draw()``, which draws
    into ``self.figure`` and returns the status text (HTML). The figure has fixed ``margins``
    (figure fractions, for ``subplots_adjust``), wide enough for the longest tick labels any
    setting of the controls gives: fitted to each drawing, the axes would jump as the labels
    change, and a cleared figure forgets the fitted ones.
    """

    margins = {"left": 0.07, "right": 0.985, "bottom": 0.15, "top": 0.9, "wspace": 0.25}

    def __init__(self, rows, figsize):
        self.view = FigureView(figsize)
        self.figure, self.image, self.status = self.view.figure, self.view.image, self.view.status
        # a live figure: the plots never re-fit it (fixed margins) and draw again into its axes (plots._panels)
        self.figure.keep_layout = True
        self._drawing = False
        super().__init__([widgets.HBox(row) for row in rows] + [self.status, self.image])
        for row in rows:
            for control in controls_in(row):
                control.observe(self._on_change, names="value")
                whole_label(control)
        self.update()

    @property
    def redraws(self) -> int:
        """How many times the figure was drawn."""
        return self.view.redraws

    def _on_change(self, change):
        if not self._drawing:  # a control changed by draw() itself needs no second drawing
            self.update()

    def draw(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def update(self):
        """Recompute and redraw from the controls' current values."""
        self._drawing = True
        try:
            status = self.draw()
        except (ValueError, TypeError) as error:
            self.view.show_error(error)
            return
        finally:
            self._drawing = False
        self.figure.subplots_adjust(**self.margins)
        self.view.show(status)


class ActivationExplorer(FigureExplorer):
    """Notebook 01: pick activation functions and a z range, toggle the derivative curves, and
    move a point z to read each function's value and slope there."""

    margins = {**FigureExplorer.margins, "right": 0.97}  # room for a last tick label such as "−11.0"

    def __init__(self, functions=("sigmoid", "tanh", "relu"), z_range=(-6.0, 6.0), point=2.0):
        self.functions = widgets.SelectMultiple(options=HIDDEN_ACTIVATIONS, value=tuple(functions), rows=4,
                                                description=_("functions"))
        self.z_range = widgets.FloatRangeSlider(value=z_range, min=-12, max=12, step=0.5, description=_("z range"),
                                                **slider_options())
        self.derivatives = widgets.Checkbox(value=True, description=_("show slopes f'(z)"))
        self.point = widgets.FloatSlider(value=point, min=-12, max=12, step=0.1, description=_("point z"), **slider_options())
        super().__init__([[self.functions, widgets.VBox([self.z_range, self.point, self.derivatives])]], (10, 3.6))

    def draw(self):
        plots.plot_activations(self.functions.value, self.z_range.value, derivatives=self.derivatives.value,
                               point=self.point.value, fig=self.figure)
        parts = []
        for name in self.functions.value:
            a, slope = activation_at(name, self.point.value)
            parts.append(_("{name}: a = {a:.4f}, slope = {slope:.4f}").format(name=name, a=float(a), slope=float(slope)))
        return _("at z = {z:.2f}: ").format(z=self.point.value) + (_("; ").join(parts) or _("no function selected"))


class SlowdownExplorer(FigureExplorer):
    """Notebook 02: one sigmoid neuron learning the example x = 1, y = 1 from a chosen start.

    Controls: starting weight and bias, learning rate, epochs, and the loss ("quadratic",
    "cross_entropy", or "both", which overlays the two runs from the same start).
    """

    margins = {**FigureExplorer.margins, "bottom": 0.22}  # room for the legend below the panels

    def __init__(self, weight=-2.0, bias=-2.0, lr=0.15, epochs=300, loss="both"):
        self.weight = widgets.FloatSlider(value=weight, min=-6, max=6, step=0.1, description=_("start w"), **slider_options())
        self.bias = widgets.FloatSlider(value=bias, min=-6, max=6, step=0.1, description=_("start b"), **slider_options())
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-2, max=1, step=0.05, description=_("learning rate"),
                                         readout_format=".3g", **slider_options())
        self.epochs = widgets.IntSlider(value=epochs, min=10, max=1000, step=10, description=_("epochs"), **slider_options())
        self.loss = widgets.Dropdown(options=[(_("both"), "both"), *choices(NEURON_LOSSES)], value=loss,
                                     description=_("loss"))
        super().__init__([[self.weight, self.bias, self.loss], [self.lr, self.epochs]], (10, 3.6))

    def draw(self):
        losses = NEURON_LOSSES if self.loss.value == "both" else (self.loss.value,)
        runs = [train_neuron(self.weight.value, self.bias.value, loss=loss, lr=self.lr.value,
                             epochs=self.epochs.value) for loss in losses]
        plots.plot_neuron_runs(runs, fig=self.figure)
        return _("start a = {a:.4f}; ").format(a=runs[0].output[0]) + _("; ").join(
            _("{loss}: first delta {delta:.4f}, a after {epochs} epochs = {a:.4f}").format(
                loss=run.loss, delta=run.delta[0], epochs=run.epoch[-1], a=run.output[-1])
            for run in runs)


class EntropyExplorer(FigureExplorer):
    """Notebook 03: choose two distributions p (true) and q (model) over 2 or 3 classes.

    Each slider sets a class's relative weight; the weights are divided by their sum, so any
    setting is a valid distribution. Shows H(p), H(p, q), KL(p || q) and the gradient q - p.
    """

    def __init__(self, p=(0.0, 1.0, 0.0), q=(0.2, 0.5, 0.3), classes=3):
        self.classes = widgets.ToggleButtons(options=[2, 3], value=classes, description=_("classes"))
        self.p_weights = [widgets.FloatSlider(value=v, min=0, max=1, step=0.01, description=_("p weight {j}").format(j=j),
                                              **slider_options()) for j, v in enumerate(p)]
        self.q_weights = [widgets.FloatSlider(value=v, min=0.01, max=1, step=0.01, description=_("q weight {j}").format(j=j),
                                              **slider_options()) for j, v in enumerate(q)]
        super().__init__([[self.classes], [widgets.VBox(self.p_weights), widgets.VBox(self.q_weights)]], (10, 3.4))

    def distributions(self):
        """The normalized (p, q) of the current slider settings, each shaped (classes,)."""
        k = self.classes.value
        p = np.array([s.value for s in self.p_weights[:k]])
        q = np.array([s.value for s in self.q_weights[:k]])
        if p.sum() <= 0:
            raise ValueError("p: give at least one class a weight above 0")
        return p / p.sum(), q / q.sum()

    def draw(self):
        k = self.classes.value
        for slider in (self.p_weights[2], self.q_weights[2]):
            slider.layout.visibility = "visible" if k == 3 else "hidden"
        p, q = self.distributions()
        plots.plot_distributions(p, q, fig=self.figure)
        m = compare_distributions(p, q)
        status = _("p = {p}, q = {q}: H(p) = {entropy:.4f}, H(p, q) = {cross_entropy:.4f}, KL(p || q) = {kl:.4f}; "
                   "gradient q - p = {gradient}").format(p=_format(p), q=_format(q), entropy=m["entropy"],
                                                          cross_entropy=m["cross_entropy"], kl=m["kl"],
                                                          gradient=_format(m["gradient"]))
        if np.count_nonzero(p) == 1:
            status += "<br>" + _("p is one-hot (class {j}): its weight alone changes nothing, since the weights are "
                                 "divided by their sum; give another class of p a weight to move p").format(j=int(np.argmax(p)))
        return status


def parse_scores(text: str) -> np.ndarray:
    """Scores typed as text, "1, 5, 3" (commas or spaces), as a float array (K,), K >= 2."""
    if not isinstance(text, str):
        raise TypeError(f"scores: expected text such as '1, 5, 3', got {type(text).__name__}")
    pieces = text.replace(",", " ").split()
    try:
        scores = np.array([float(piece) for piece in pieces])
    except ValueError:
        raise ValueError(f"scores: expected numbers separated by commas, such as '1, 5, 3', got {text!r}") from None
    if scores.size < 2 or scores.size > 10:
        raise ValueError(f"scores: expected between 2 and 10 numbers, got {scores.size}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"scores: expected finite numbers, got {text!r}")
    return scores


class SoftmaxExplorer(FigureExplorer):
    """Notebook 04: type the scores, pick the true class and a temperature T; see a =
    softmax(z / T), the loss -ln a_true and its gradient (a - y) / T as bar charts."""

    margins = {**FigureExplorer.margins, "top": 0.78}  # room for the figure's title above the panels' titles

    def __init__(self, scores="1, 5, 3", true_class=1, temperature=1.0):
        self.scores = widgets.Text(value=scores, description=_("scores z"), continuous_update=False)
        self.true_class = widgets.Dropdown(options=list(range(parse_scores(scores).size)), value=true_class,
                                           description=_("true class"))
        self.temperature = widgets.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.05,
                                                  description=_("temperature T"), readout_format=".3g", **slider_options())
        super().__init__([[self.scores, self.true_class, self.temperature]], (10, 3.2))

    def draw(self):
        z = parse_scores(self.scores.value)
        if len(self.true_class.options) != z.size:
            # fewer or more classes: offer the new class indices and keep the true class if it still
            # exists (setting them here triggers no second drawing: _on_change skips it while drawing)
            keep = self.true_class.value if self.true_class.value is not None and self.true_class.value < z.size else 0
            self.true_class.options = list(range(z.size))
            self.true_class.value = keep
        a, loss, gradient = softmax_loss_and_gradient(z, self.true_class.value, self.temperature.value)
        plots.plot_softmax(z, self.true_class.value, self.temperature.value, fig=self.figure)
        return _("a = {a}; loss = {loss:.4f}; gradient = {gradient}").format(a=_format(a), loss=loss, gradient=_format(gradient))


class BackpropExplorer(FigureExplorer):
    """Notebook 05: a small network on a fixed batch; pick the loss, the hidden activation, the
    start, the depth and the width, and see how big each layer's error term delta^l and weight
    gradient dC/dW^l are (``inspection.layer_sizes``, one backward pass per change).

    x: the batch (n, features); labels: (n,) integers, one of ``classes`` each.
    """

    WIDTHS = (4, 8, 16, 32, 64)
    margins = {**FigureExplorer.margins, "top": 0.8}  # room for the figure's title above the panels' titles

    def __init__(self, x, labels, classes=3, *, loss="log_likelihood", hidden="sigmoid", init="scaled",
                 hidden_layers=3, width=16, seed=0):
        self.x = as_batch("x", x)
        self.labels = as_targets("labels", labels, n=self.x.shape[0], n_classes=classes)
        self.classes = classes
        self.loss = widgets.Dropdown(options=choices(LOSSES), value=loss, description=_("loss"))
        self.hidden = widgets.Dropdown(options=HIDDEN_ACTIVATIONS, value=hidden, description=_("hidden"))
        self.init = widgets.Dropdown(options=choices(INITIALIZATIONS), value=init, description=_("start"))
        self.hidden_layers = widgets.IntSlider(value=hidden_layers, min=1, max=6, description=_("hidden layers"),
                                               **slider_options())
        self.width = widgets.SelectionSlider(options=self.WIDTHS, value=width, description=_("units per layer"),
                                             **slider_options())
        self.seed = widgets.IntSlider(value=seed, min=0, max=9, description=_("seed"), **slider_options())
        super().__init__([[self.loss, self.hidden, self.init], [self.hidden_layers, self.width, self.seed]], (10, 3.4))

    def network(self) -> Network:
        """The network the controls describe, in float64."""
        sizes = [self.x.shape[1]] + [self.width.value] * self.hidden_layers.value + [self.classes]
        return Network(sizes, self.hidden.value, self.loss.value, init=self.init.value, seed=self.seed.value,
                       dtype=np.float64)

    def draw(self):
        net = self.network()
        deltas, gradients = layer_sizes(net, self.x, self.labels)
        title = plots.figure_text("{sizes}, {hidden} hidden units, {loss}, {start} start").format(
            sizes=net.sizes, hidden=self.hidden.value, loss=self.loss.value, start=self.init.value)
        plots.plot_backprop_sizes(deltas, gradients, title=title, fig=self.figure)
        sizes = {name: "[" + ", ".join(f"{v:.2e}" for v in values) + "]"
                 for name, values in (("delta", deltas), ("gradient", gradients))}
        return _("mean |delta| from the first hidden layer to the output: {deltas}; mean |dC/dW|: {gradients}; "
                 "first hidden / output: {ratio:.3g}").format(deltas=sizes["delta"], gradients=sizes["gradient"],
                                                             ratio=gradients[0] / gradients[-1])


class DescentExplorer(FigureExplorer):
    """Notebook 06: logistic regression on the two-class data, by gradient descent with the
    chosen batch size and learning rate, for a budget of epochs; the path on the loss contours
    and the loss curve are redrawn."""

    def __init__(self, batch_size=10, lr=1.0, epochs=10, n=200, seed=0):
        self.x, self.y = make_two_class_data(n, seed)
        weights, biases = np.linspace(-4, 8, 96), np.linspace(-12, 6, 80)
        self.surface = (weights, biases, loss_surface(self.x, self.y, weights, biases))
        sizes = [m for m in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if m < n] + [n]
        self.batch_size = widgets.SelectionSlider(options=sizes, value=batch_size, description=_("batch size"),
                                                  **slider_options())
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-2, max=1, step=0.05, description=_("learning rate"),
                                         readout_format=".3g", **slider_options())
        self.epochs = widgets.IntSlider(value=epochs, min=1, max=10, description=_("epochs"), **slider_options())
        super().__init__([[self.batch_size, self.lr, self.epochs]], (10, 4))

    def draw(self):
        run = gradient_descent(self.x, self.y, batch_size=self.batch_size.value, lr=self.lr.value,
                               epochs=self.epochs.value)
        plots.plot_descent([run], self.surface, fig=self.figure)
        return _("batch size {batch_size}: {updates} updates, loss {first:.4f} -> {last:.4f} (lowest on the grid: "
                 "{lowest:.4f})").format(batch_size=run.batch_size, updates=run.updates, first=run.loss[0],
                                         last=run.loss[-1], lowest=self.surface[2].min())
