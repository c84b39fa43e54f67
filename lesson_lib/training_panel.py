"""The training panel of notebook 07: train a network on MNIST from widgets and watch it learn.

``TrainingSettings`` holds every choice the panel offers (loss, hidden activation, hidden
size, one learning rate per layer, batch size, epochs, training subset, initialization,
seed); ``run_settings(settings, data)`` builds the network and trains it with
``lesson_lib.train``. That function is the whole computation behind the panel, and the
notebook calls it directly with the panel's defaults, so nbval checks what the panel shows.

``TrainingPanel`` is the widget. Train starts ``run_settings`` in a background thread, so the
kernel keeps receiving widget messages while the network trains: the training loop calls the
panel back after every mini-batch, and the callback

- copies the learning-rate sliders into the running loop (a rate moved during a run is used
  from the next mini-batch on),
- ends the run after the current mini-batch once Stop was pressed,
- about twice a second, measures the accuracy on 1,000 test digits and redraws the progress
  bar, the status line, the gradient-health notes and the figure.

Only the training thread draws while a run is going, and only the kernel's main thread
between runs, so the figure is never drawn from two threads at once. A run that diverges
stops with the message from ``train`` in the status line.

For tests: ``panel.train_button.click()`` starts a run, ``panel.stop_button.click()`` asks it
to stop, ``panel.wait()`` waits for it to finish; ``panel.history``, ``panel.probe`` and
``panel.figure`` hold the results.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots
from .activations import HIDDEN_ACTIVATIONS
from .data import load_mnist
from .losses import LOSSES
from .network import INITIALIZATIONS, Network
from .training import AccuracyProbe, GradientMonitor, History, train
from .validation import check_positive
from .widgets import FigureExplorer, error_html, render_png, slider_options

HIDDEN_SIZES = (10, 20, 30, 50, 100, 200)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500)
SUBSETS = (1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000)
PROBE_SIZE = 1000


@dataclass
class TrainingSettings:
    """Every choice of the training panel, with the panel's defaults.

    A 784-``hidden_size``-10 network with ``hidden`` units and the ``loss`` (which fixes the
    output activation), trained for ``epochs`` on the first ``subset`` training digits in
    mini-batches of ``batch_size``, with learning rates ``lr`` = (hidden layer, output layer).
    """

    loss: str = "log_likelihood"
    hidden: str = "sigmoid"
    hidden_size: int = 30
    lr: tuple = (1.0, 0.1)
    batch_size: int = 10
    epochs: int = 5
    subset: int = 20_000
    init: str = "scaled"
    seed: int = 0


def run_settings(settings: TrainingSettings, data, *, callback=None, callback_every=None,
                 monitor: GradientMonitor | None = None):
    """Build the network ``settings`` describe and train it; returns (network, history).

    data: ((x_train, y_train), (x_test, y_test)) as from ``load_mnist()``; training uses the
    first ``settings.subset`` training digits, and the whole test set is evaluated at each
    epoch's end (``history.val_accuracy``). callback, callback_every: passed to ``train``
    (the panel uses them to follow the run); monitor: the GradientMonitor (default thresholds
    if None).
    """
    (x_train, y_train), test = data
    subset = check_positive("subset", settings.subset, integer=True)
    if subset > len(x_train):
        raise ValueError(f"subset: expected at most the {len(x_train)} training digits available, got {subset}")
    net = Network([x_train.shape[1], settings.hidden_size, 10], settings.hidden, settings.loss, init=settings.init,
                  seed=settings.seed)
    history = train(net, x_train[:subset], y_train[:subset], settings.epochs, settings.batch_size, list(settings.lr),
                    validation_data=test, seed=settings.seed, monitor=monitor or True, callback=callback,
                    callback_every=callback_every, progress=False, verbose=False)
    return net, history


def describe_run(history: History, seconds: float | None = None) -> str:
    """One line on how a finished run ended: its test accuracy, or why it stopped."""
    if history.diverged:
        return history.stop_reason
    where = f"{history.epochs[-1]} epoch{'s' if history.epochs[-1] != 1 else ''}" if history.epochs else "no epoch"
    text = f"finished {where}"
    if history.stop_reason:
        text = history.stop_reason
    if history.val_accuracy:
        text += f": test accuracy {history.val_accuracy[-1]:.2%}, training loss {history.loss[-1]:.4f}"
    if seconds is not None:
        text += f" ({seconds:.1f} s)"
    return text


def _loss_label(name):
    loss = LOSSES[name]
    return f"{name} + {loss.activation.name}"


PANEL_MARGINS = {"left": 0.075, "right": 0.985, "bottom": 0.17, "top": 0.89, "wspace": 0.25}

class TrainingPanel(widgets.VBox):
    """Train a 784-h-10 network on MNIST from widgets; see the module's docstring.

    data: ((x_train, y_train), (x_test, y_test)); None loads MNIST. Keyword arguments set the
    controls' starting values (the fields of TrainingSettings). ``redraw_every``: seconds
    between two live redraws.
    """

    def __init__(self, data=None, *, redraw_every: float = 0.5, **settings):
        self.data = data if data is not None else load_mnist()
        start = TrainingSettings(**settings)
        self.redraw_every = check_positive("redraw_every", redraw_every)
        (x_train, _), (x_test, y_test) = self.data
        self.probe = AccuracyProbe(x_test[:PROBE_SIZE], y_test[:PROBE_SIZE])
        self.monitor = GradientMonitor()
        start.subset = min(start.subset, len(x_train))  # smaller data: offer all of it
        subsets = sorted({s for s in SUBSETS if s < len(x_train)} | {len(x_train), start.subset})

        self.loss = widgets.Dropdown(options=[(_loss_label(name), name) for name in LOSSES], value=start.loss,
                                     description="loss")
        self.hidden = widgets.Dropdown(options=HIDDEN_ACTIVATIONS, value=start.hidden, description="hidden units")
        self.init = widgets.Dropdown(options=list(INITIALIZATIONS), value=start.init, description="initial weights")
        self.hidden_size = widgets.SelectionSlider(options=HIDDEN_SIZES, value=start.hidden_size,
                                                   description="hidden size", **slider_options())
        self.lr_sliders = [
            widgets.FloatLogSlider(value=rate, base=10, min=-3, max=2, step=0.1, readout_format=".3g",
                                   description=f"lr {name}", **slider_options())
            for rate, name in zip(start.lr, ("hidden layer", "output layer"))]
        self.batch_size = widgets.SelectionSlider(options=BATCH_SIZES, value=start.batch_size,
                                                  description="batch size", **slider_options())
        self.epochs = widgets.IntSlider(value=start.epochs, min=1, max=30, description="epochs", **slider_options())
        self.subset = widgets.SelectionSlider(options=subsets, value=start.subset, description="training digits",
                                              **slider_options())
        self.seed = widgets.IntText(value=start.seed, description="seed", layout=widgets.Layout(width="160px"))
        self.train_button = widgets.Button(description="Train", icon="play", button_style="success")
        self.stop_button = widgets.Button(description="Stop", icon="stop", button_style="danger", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="progress")
        self.status = widgets.HTML("Press Train to start.")
        self.notes = widgets.HTML()
        self.image = widgets.Image(format="png")
        self._setup_controls = [self.loss, self.hidden, self.init, self.hidden_size, self.batch_size, self.epochs,
                                self.subset, self.seed]
        super().__init__([
            widgets.HBox([self.loss, self.hidden, self.init]),
            widgets.HBox([self.hidden_size, self.batch_size, self.epochs]),
            widgets.HBox([*self.lr_sliders, self.subset]),
            widgets.HBox([self.train_button, self.stop_button, self.seed, self.progress]),
            self.status, self.notes, self.image])

        self.figure = Figure(figsize=(12, 3.4), dpi=FigureExplorer.dpi)
        self._canvas = FigureCanvasAgg(self.figure)
        self.history: History | None = None
        self.network: Network | None = None
        self.redraws = 0
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._last_draw = 0.0
        self._started = 0.0
        self._step = 0
        empty = History(layer_names=["hidden layer 1", "output layer"], lr=[])
        self._plot(empty, None)
        self.image.value = render_png(self._canvas)
        self.train_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        for slider in self.lr_sliders:
            slider.observe(self._on_rate_change, names="value")
        for control in self._setup_controls:
            control.observe(self._on_setting_change, names="value")

    # -- controls --------------------------------------------------------------------------

    def settings(self) -> TrainingSettings:
        """The TrainingSettings the controls show now."""
        return TrainingSettings(loss=self.loss.value, hidden=self.hidden.value, hidden_size=self.hidden_size.value,
                                lr=tuple(slider.value for slider in self.lr_sliders), batch_size=self.batch_size.value,
                                epochs=self.epochs.value, subset=self.subset.value, init=self.init.value,
                                seed=self.seed.value)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        """Start training with the current settings in a background thread (the Train button)."""
        if self.running:
            return
        settings = self.settings()
        n_batches = -(-settings.subset // settings.batch_size)
        self.history, self.network, self._step = None, None, 0
        self.probe.step.clear()
        self.probe.accuracy.clear()
        self._stop_requested.clear()
        self.progress.max, self.progress.value = settings.epochs * n_batches, 0
        self.notes.value = ""
        self._set_running(True)
        self.status.value = f"training {html.escape(self._summary(settings))}"
        self._started = self._last_draw = time.perf_counter()
        self._thread = threading.Thread(target=self._run, args=(settings,), name="lesson_lib training", daemon=True)
        self._thread.start()

    def stop(self):
        """Ask the running training to stop after its current mini-batch (the Stop button)."""
        self._stop_requested.set()

    def wait(self, timeout: float | None = None) -> History | None:
        """Wait until the current run (if any) has finished; returns its History."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.history

    def _set_running(self, running):
        for control in self._setup_controls:
            control.disabled = running
        self.train_button.disabled = running
        self.stop_button.disabled = not running

    def _on_setting_change(self, change):
        if not self.running:
            self.status.value = f"next run: {html.escape(self._summary(self.settings()))}. Press Train."

    @staticmethod
    def _summary(settings):
        rates = ", ".join(f"{r:.3g}" for r in settings.lr)
        return (f"784-{settings.hidden_size}-10, {settings.hidden} hidden units, {_loss_label(settings.loss)}, "
                f"{settings.init} start, lr {rates}, batch {settings.batch_size}, {settings.epochs} epochs on "
                f"{settings.subset} digits")

    def _on_rate_change(self, change):
        if not self.running:
            self._on_setting_change(change)
        else:
            rates = ", ".join(f"{slider.value:.3g}" for slider in self.lr_sliders)
            self.status.value = f"learning rates now {rates}: used from the next mini-batch"

    # -- the training thread ---------------------------------------------------------------

    def _run(self, settings):
        try:
            net, history = run_settings(settings, self.data, callback=self._follow, callback_every=1,
                                        monitor=self.monitor)
            self.network, self.history = net, history
            self.probe.measure(net, self._step)  # the accuracy at the very end
            message = describe_run(history, time.perf_counter() - self._started)
            self._draw(history, error_html(message) if history.diverged else html.escape(message))
        except (ValueError, TypeError) as error:
            self.status.value = error_html(error)
        finally:
            self._set_running(False)

    def _follow(self, state):
        """Called by ``train`` after every mini-batch, in the training thread."""
        self.network, self.history, self._step = state.network, state.history, state.step
        for l, slider in enumerate(self.lr_sliders):
            state.lr[l] = slider.value
        if self._stop_requested.is_set():
            state.stop = True
        now = time.perf_counter()
        if now - self._last_draw >= self.redraw_every:
            self.probe.record(state)
            rates = ", ".join(f"{rate:.3g}" for rate in state.lr)
            loss = state.history.check_loss[-1] if state.history.check_loss else float("nan")
            status = (f"epoch {state.epoch}, batch {state.batch} of {state.n_batches} · mini-batch loss {loss:.4f} · "
                      f"accuracy on {PROBE_SIZE} test digits {self.probe.accuracy[-1]:.1%} · lr {rates} · "
                      f"{now - self._started:.1f} s")
            self._draw(state.history, status, state.epoch_notes)
            self._last_draw = time.perf_counter()

    def _plot(self, history, probe):
        """Draw the three panels with fixed margins, wide enough for the tick labels of any run:
        re-fitting them to each drawing would make the axes jump as the labels change (and
        clearing the figure resets them, so they are set after every drawing)."""
        self.figure.keep_layout = True
        plots.plot_training_panel(history, probe, monitor=self.monitor, fig=self.figure)
        self.figure.subplots_adjust(**PANEL_MARGINS)

    def _draw(self, history, status, open_notes=()):
        notes = [str(note) for note in [*history.notes, *open_notes]]
        self.notes.value = ("<b>gradient notes</b><br>" + "<br>".join(html.escape(n) for n in notes[-8:])
                            if notes else "")
        self.progress.value = self._step
        self._plot(history, self.probe)
        self.image.value = render_png(self._canvas)
        self.status.value = status
        self.redraws += 1
