"""The training panel of notebook 07: train a network on MNIST from widgets and watch it learn.

What a run computes is in the core, ``lesson_lib.runs``: ``TrainingSettings`` (every choice
the panel offers) and ``run_settings(settings, data)``, which builds the network and trains it.

``TrainingPanel`` is the widget. Train starts ``run_settings`` in a background thread, so the
kernel keeps receiving widget messages while the network trains. The panel follows the run
with a hook (``lesson_lib.Hook``) called after every mini-batch, which

- ends the run after the current mini-batch once Stop was pressed,
- measures the accuracy on 1,000 test digits every 0.2 s (a few milliseconds each time),
- right after the first update, and then about twice a second, redraws the progress bar, the
  status line, the gradient-health notes and the figure; after the first drawing, never sooner
  than nine times the last drawing took, so the redraws after the first take at most a tenth
  of the time (benchmarks/bench_panel.py measures the whole cost).

A learning-rate slider moved during a run writes to the run's optimizer (``lesson_lib.SGD``),
which checks the rate and uses it from the next mini-batch on. Only the training thread draws
while a run is going, and only the kernel's main thread between runs, so the figure is never
drawn from two threads at once. Whatever ends a run ends in the status line: the result, the
divergence message, or any error, in red with its type. A new panel (re-running the cell)
stops the run of the panel it replaces, and the interpreter stops a running panel at exit.

For tests: ``panel.train_button.click()`` starts a run, ``panel.stop_button.click()`` asks it
to stop, ``panel.wait(timeout)`` waits for it to finish and says whether it has;
``panel.history``, ``panel.probe`` and ``panel.figure`` hold the results.
"""

from __future__ import annotations

import atexit
import html
import threading
import time
import weakref

import ipywidgets as widgets

from . import plots
from ..i18n import gettext as _
from ..activations import HIDDEN_ACTIVATIONS
from ..data import load_mnist
from ..losses import LOSSES
from ..network import INITIALIZATIONS, Network
from ..runs import TrainingSettings, describe_run, run_settings
from ..training import AccuracyProbe, GradientMonitor, History, Hook, summarize_notes
from ..validation import check_positive
from .widgets import FigureView, choices, error_html, slider_options, whole_label

HIDDEN_SIZES = (10, 20, 30, 50, 100, 200)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500)
SUBSETS = (1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000)
PROBE_SIZE = 1000
PROBE_EVERY = 0.2  # seconds between two accuracy measurements on the probe digits (and at every redraw)


def _loss_label(name, translate=str):
    """A loss and the output activation it goes with, "log_likelihood + softmax" (``translate``:
    how the loss's name is shown, ``gettext`` in the dropdown)."""
    return f"{translate(name)} + {LOSSES[name].activation.name}"


PANEL_MARGINS = {"left": 0.075, "right": 0.985, "bottom": 0.17, "top": 0.89, "wspace": 0.25}
DRAWING_SHARE = 0.1  # the live redraws take at most this share of a run's time

_panels = weakref.WeakSet()  # every panel made in this kernel, to stop an older one's run


@atexit.register
def _stop_every_run():
    for panel in list(_panels):
        panel.stop()
        panel.wait(5)


class _FollowRun(Hook):
    """The panel's hook: called by ``train`` in the training thread."""

    def __init__(self, panel):
        self.panel = panel

    def on_start(self, state):
        self.panel._attach(state)

    def on_update(self, state):
        self.panel._follow(state)


class TrainingPanel(widgets.VBox):
    """Train a 784-h-10 network on MNIST from widgets; see the module's docstring.

    data: ((x_train, y_train), (x_test, y_test)); None loads MNIST. Keyword arguments set the
    controls' starting values (the fields of TrainingSettings). ``redraw_every``: seconds
    between two live redraws.
    """

    def __init__(self, data=None, *, redraw_every: float = 0.5, **settings):
        start = TrainingSettings(**settings)
        self.redraw_every = check_positive("redraw_every", redraw_every)
        for older in list(_panels):  # re-running the cell: the old panel's run must not go on unseen
            older._retire()
        _panels.add(self)
        self.data = data if data is not None else load_mnist()
        (x_train, _train_labels), (x_test, y_test) = self.data
        self.probe = AccuracyProbe(x_test[:PROBE_SIZE], y_test[:PROBE_SIZE])
        self.monitor = GradientMonitor()
        start.subset = min(start.subset, len(x_train))  # smaller data: offer all of it
        subsets = sorted({s for s in SUBSETS if s < len(x_train)} | {len(x_train), start.subset})

        self.loss = widgets.Dropdown(options=[(_loss_label(name, _), name) for name in LOSSES], value=start.loss,
                                     description=_("loss"))
        self.hidden = widgets.Dropdown(options=HIDDEN_ACTIVATIONS, value=start.hidden, description=_("hidden units"))
        self.init = widgets.Dropdown(options=choices(INITIALIZATIONS), value=start.init, description=_("initial weights"))
        self.hidden_size = widgets.SelectionSlider(options=HIDDEN_SIZES, value=start.hidden_size,
                                                   description=_("hidden size"), **slider_options())
        self.lr_sliders = [
            widgets.FloatLogSlider(value=rate, base=10, min=-3, max=2, step=0.1, readout_format=".3g",
                                   description=name, **slider_options())
            for rate, name in zip(start.lr, (_("lr hidden layer"), _("lr output layer")))]
        self.batch_size = widgets.SelectionSlider(options=BATCH_SIZES, value=start.batch_size,
                                                  description=_("batch size"), **slider_options())
        self.epochs = widgets.IntSlider(value=start.epochs, min=1, max=30, description=_("epochs"), **slider_options())
        self.subset = widgets.SelectionSlider(options=subsets, value=start.subset, description=_("training digits"),
                                              **slider_options())
        self.seed = widgets.IntText(value=start.seed, description=_("seed"), layout=widgets.Layout(width="160px"))
        self.train_button = widgets.Button(description=_("Train"), icon="play", button_style="success")
        self.stop_button = widgets.Button(description=_("Stop"), icon="stop", button_style="danger", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description=_("progress"))
        self.view = FigureView((12, 3.4), _("Press Train to start."))
        self.figure, self.image, self.status = self.view.figure, self.view.image, self.view.status
        # a fixed height for the notes (a header and four lines; a scroll bar if ever more), so that the
        # figure below does not move down as notes arrive
        self.notes = widgets.HTML(layout=widgets.Layout(height="6.5em", overflow="hidden auto"))
        self._setup_controls = [self.loss, self.hidden, self.init, self.hidden_size, self.batch_size, self.epochs,
                                self.subset, self.seed]
        for control in (*self._setup_controls, *self.lr_sliders, self.progress):
            whole_label(control)
        super().__init__([
            widgets.HBox([self.loss, self.hidden, self.init]),
            widgets.HBox([self.hidden_size, self.batch_size, self.epochs]),
            widgets.HBox([*self.lr_sliders, self.subset]),
            widgets.HBox([self.train_button, self.stop_button, self.seed, self.progress]),
            self.status, self.notes, self.image])

        self.history: History | None = None
        self.network: Network | None = None
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._stop_note = None
        self._optimizer = None
        self._next_draw = self._next_probe = 0.0
        self._started = 0.0
        self._step = 0
        empty = History(layer_names=["hidden layer 1", "output layer"], lr=[])
        self._plot(empty, None)
        self.view.show()
        self.view.redraws = 0  # count the drawings of runs only
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
    def redraws(self) -> int:
        """How many times a run's curves were drawn."""
        return self.view.redraws

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        """Start training with the current settings in a background thread (the Train button)."""
        if self.running:
            return
        settings = self.settings()
        n_batches = -(-settings.subset // settings.batch_size)
        self.history, self.network, self._step, self._optimizer, self._stop_note = None, None, 0, None, None
        self.probe.step.clear()
        self.probe.accuracy.clear()
        self._stop_requested.clear()
        self.progress.max, self.progress.value = settings.epochs * n_batches, 0
        self.notes.value = ""
        self._set_running(True)
        self.status.value = _("training {settings}").format(settings=html.escape(self._summary(settings)))
        self._started = self._next_draw = self._next_probe = time.perf_counter()  # the first curve point right after the first update
        self._thread = threading.Thread(target=self._run, args=(settings,), name="lesson_lib training", daemon=True)
        self._thread.start()

    def stop(self):
        """Ask the running training to stop after its current mini-batch (the Stop button)."""
        self._stop_requested.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the current run (if any) has finished, or ``timeout`` seconds have passed;
        True if no run is going on any more. The run's History is ``panel.history``."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _retire(self):
        """A newer panel replaces this one: stop its run and say so."""
        if self.running:
            self._stop_note = _("stopped: a newer training panel was created (the cell was run again)")
            self.stop()
            self.wait(10)

    def _set_running(self, running):
        for control in self._setup_controls:
            control.disabled = running
        self.train_button.disabled = running
        self.stop_button.disabled = not running

    def _on_setting_change(self, change):
        if not self.running:
            self.status.value = _("next run: {settings}. Press Train.").format(settings=html.escape(self._summary(self.settings())))

    @staticmethod
    def _summary(settings):
        rates = ", ".join(f"{r:.3g}" for r in settings.lr)
        return _("784-{hidden_size}-10, {hidden} hidden units, {loss}, {init} start, lr {rates}, batch {batch_size}, "
                 "{epochs} epochs on {subset} digits").format(
            hidden_size=settings.hidden_size, hidden=settings.hidden, loss=_loss_label(settings.loss), init=settings.init,
            rates=rates, batch_size=settings.batch_size, epochs=settings.epochs, subset=settings.subset)

    def _on_rate_change(self, change):
        optimizer = self._optimizer  # None before a run has started and after it has ended
        if optimizer is None:
            if not self.running:
                self._on_setting_change(change)
            return  # a run about to start takes the sliders' rates; one that is ending, nothing
        try:
            optimizer.set_rate(self.lr_sliders.index(change["owner"]), change["new"])
        except Exception as error:  # any error ends in the status line
            self.view.show_error(f"{type(error).__name__}: {error}")
            return
        rates = ", ".join(f"{slider.value:.3g}" for slider in self.lr_sliders)
        self.status.value = _("learning rates now {rates}: used from the next mini-batch").format(rates=rates)

    # -- the training thread ---------------------------------------------------------------

    def _run(self, settings):
        try:
            net, history = run_settings(settings, self.data, extra_hooks=[_FollowRun(self)], monitor=self.monitor)
            self._optimizer = None  # the run is over: a slider moved now is for the next run
            self.network, self.history = net, history
            self.probe.measure(net, self._step)  # the accuracy at the very end
            message = describe_run(history, time.perf_counter() - self._started)
            if self._stop_note and not history.diverged:
                message = f"{self._stop_note}; {message}"
            self._draw(history, error_html(message) if history.diverged else html.escape(message))
        except Exception as error:  # any error, whatever its type, ends in the status line
            self.view.show_error(f"{type(error).__name__}: {error}")
        finally:
            self._optimizer = None
            self._set_running(False)

    def _attach(self, state):
        """The run has started: its optimizer takes the sliders' rates from now on."""
        self._optimizer = state.optimizer
        for l, slider in enumerate(self.lr_sliders):
            state.optimizer.set_rate(l, slider.value)

    def _follow(self, state):
        """Called by ``train`` after every mini-batch, in the training thread."""
        self.network, self.history, self._step = state.network, state.history, state.step
        if self._stop_requested.is_set():
            state.stop()
        now = time.perf_counter()
        drawing = now >= self._next_draw
        if drawing or now >= self._next_probe:  # the accuracy curve gets a point every PROBE_EVERY seconds
            self.probe.measure(state.network, state.step)
            self._next_probe = now + PROBE_EVERY
        if drawing:
            rates = ", ".join(f"{rate:.3g}" for rate in state.optimizer.rates)
            loss = state.history.check_loss[-1] if state.history.check_loss else float("nan")
            status = _("epoch {epoch}, batch {batch} of {batches} · mini-batch loss {loss:.4f} · accuracy on {probe} test "
                       "digits {accuracy:.1%} · lr {rates} · {seconds:.1f} s").format(
                epoch=state.epoch, batch=state.batch, batches=state.n_batches, loss=loss, probe=PROBE_SIZE,
                accuracy=self.probe.accuracy[-1], rates=rates, seconds=now - self._started)
            self._draw(state.history, status)
            finished = time.perf_counter()
            # the next redraw after redraw_every, or later if drawing is slow: drawing stays under DRAWING_SHARE
            self._next_draw = finished + max(self.redraw_every, (finished - now) * (1 / DRAWING_SHARE - 1))

    def _plot(self, history, probe):
        """Draw the three panels with fixed margins, wide enough for the tick labels of any run:
        re-fitting them to each drawing would make the axes jump as the labels change. (The
        first drawing makes the axes; later ones draw into them, plots._panels; the margins are
        set after every drawing, which costs next to nothing.)"""
        self.figure.keep_layout = True
        plots.plot_training_panel(history, probe, monitor=self.monitor, fig=self.figure)
        self.figure.subplots_adjust(**PANEL_MARGINS)

    def _draw(self, history, status):
        notes = summarize_notes(history.notes)  # one line per layer and kind, at most four here
        self.notes.value = ("<b>" + _("gradient notes") + "</b><br>" + "<br>".join(html.escape(n) for n in notes)
                            if notes else "")
        self.progress.value = self._step
        self._plot(history, self.probe)
        self.view.show(status)
