"""Mini-batch stochastic gradient descent, with a gradient-health monitor and a divergence stop.

One update, for a mini-batch of m examples and each weight layer l:

    W^l <- W^l - lr_l * dC/dW^l,      b^l <- b^l - lr_l * dC/db^l

where C is the mean loss over the mini-batch. ``batch_size=1`` is stochastic gradient descent
(one example per update), ``batch_size=len(x)`` is (full-)batch gradient descent, anything in
between is mini-batch gradient descent. Each layer may have its own learning rate lr_l: the
course lowers only the output layer's rate.

Every ``check_every`` updates (and on the first update of each epoch) the monitor measures,
per layer, the mean |dC/dw| over that layer's weights (a mean, so a layer with many weights is
not made to look larger), the relative size of the update it causes,

    update ratio = lr_l * mean |dC/dw| / mean |w|      (the step, as a fraction of the weights)

and the batch's loss. A gradient is "too large" or "too small" *for its learning rate*: the
course's fix for "output layer gradient too large" is to lower that layer's rate, which leaves
the gradient at the first update unchanged and shrinks the step, so the notes judge the step.
That is how the course's notes are produced, and how a diverging run is caught.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .losses import one_hot
from .network import Network, predicted_classes
from .validation import as_batch, check_positive


@dataclass
class GradientNote:
    """A gradient-health note: in ``epoch``, a layer's update ratio crossed a threshold
    in ``count`` of the epoch's ``checks``, first at update ``first_batch``."""

    epoch: int
    layer: str
    kind: str  # "too large" or "too small"
    first_batch: int
    count: int
    checks: int
    extreme: float  # the largest (too large) or smallest (too small) update ratio seen
    threshold: float

    def __str__(self):
        bound = "up to" if self.kind == "too large" else "down to"
        limit = "above" if self.kind == "too large" else "below"
        return (f"epoch {self.epoch}: {self.layer} gradient {self.kind} in {self.count} of {self.checks} checks "
                f"from batch {self.first_batch}: updates {bound} {self.extreme:.2g} of the weights' size "
                f"({limit} {self.threshold:g})")


@dataclass
class GradientMonitor:
    """Thresholds on a layer's update ratio lr * mean |dC/dw| / mean |w|, checked every
    ``check_every`` updates.

    ``too_large``: above this, one update changes the weights by more than this fraction of
    their size: big steps that overshoot (lower that layer's learning rate). ``too_small``:
    below this, the layer barely moves (saturated units, or a loss that is already small).
    The defaults were measured on MNIST 784-30-10: with the course's classic N(0, 1) start and
    lr = 3 the output layer's first step is 0.31 of its weights' size; with an output rate of
    0.1 it is 0.010; well-trained layers take steps of 1e-4 to 1e-2.
    """

    too_large: float = 0.02
    too_small: float = 1e-4
    check_every: int = 50

    def __post_init__(self):
        check_positive("too_large", self.too_large)
        check_positive("too_small", self.too_small)
        check_positive("check_every", self.check_every, integer=True)
        if self.too_small >= self.too_large:
            raise ValueError(f"too_small: expected a value below too_large={self.too_large}, got {self.too_small}")


@dataclass
class History:
    """What happened during training, one entry per epoch (and per check for the finer lists).

    Per epoch: ``loss`` and ``train_accuracy`` over the whole training set at the epoch's
    end, ``val_loss`` and ``val_accuracy`` if validation data was given, ``grad_size`` (a list
    per epoch of each layer's mean |dC/dw|, averaged over the epoch's checks) and
    ``output_delta_size`` (mean |delta^L|). Per check: ``check_step`` (updates so far),
    ``check_loss`` (that mini-batch's loss), ``check_grad_size``, ``check_update_ratio`` and
    ``check_lr`` (the learning rates in effect, which a callback may have changed) and
    ``check_output_delta_size`` (that mini-batch's mean |delta^L|). ``batch_size`` and
    ``batches_per_epoch`` turn a step count into epochs: ``step / batches_per_epoch``.
    ``notes`` holds the gradient-health notes; ``stop_reason`` says why training stopped early (None if it ran to
    the end) and ``diverged`` whether that was a divergence; ``lr`` the learning rates the run started with (a callback may change them).
    """

    layer_names: list
    lr: list
    batch_size: int = 0
    batches_per_epoch: int = 0
    epochs: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    grad_size: list = field(default_factory=list)
    update_ratio: list = field(default_factory=list)
    output_delta_size: list = field(default_factory=list)
    check_step: list = field(default_factory=list)
    check_loss: list = field(default_factory=list)
    check_grad_size: list = field(default_factory=list)
    check_update_ratio: list = field(default_factory=list)
    check_lr: list = field(default_factory=list)
    check_output_delta_size: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    stop_reason: str | None = None
    diverged: bool = False

    def epoch_line(self, i: int = -1) -> str:
        """One printable line for epoch i: loss and accuracies, rounded so it is reproducible."""
        parts = [f"epoch {self.epochs[i]}: loss {self.loss[i]:.4f}", f"train accuracy {self.train_accuracy[i]:.2%}"]
        if self.val_accuracy:
            parts.append(f"held-out accuracy {self.val_accuracy[i]:.2%}")
        return ", ".join(parts)


@dataclass
class TrainingState:
    """Passed to the callback: read the history, change ``lr`` or set ``stop`` to end the run.

    A learning rate changed here (``state.lr[l] = 0.1``) takes effect from the next update.
    ``epoch_notes`` holds the gradient-health notes of the epoch in progress (they move to
    ``history.notes`` when the epoch ends), so a live display can show them as they come.
    """

    network: Network
    history: History
    lr: list
    epoch: int = 0
    batch: int = 0
    step: int = 0
    n_batches: int = 0
    stop: bool = False
    epoch_notes: list = field(default_factory=list)


class AccuracyProbe:
    """A callback for ``train`` that records the accuracy on a fixed probe set as training goes.

    ``train(..., callback=probe, callback_every=50)`` measures the accuracy of the network on
    (x, y) every 50 updates and at each epoch's end; ``probe.step`` holds the update counts and
    ``probe.accuracy`` the accuracies. Use a probe of about 1,000 examples: measuring it costs
    about as much as 100 updates of batch 10, so training slows by a few percent.
    x: (n, features); y: labels (n,).
    """

    def __init__(self, x, y):
        self.x, self.y = x, y
        self.step, self.accuracy = [], []

    def __call__(self, state: "TrainingState"):
        self.record(state)

    def record(self, state: "TrainingState"):
        """Measure the accuracy of ``state.network`` now."""
        self.measure(state.network, state.step)

    def measure(self, network: Network, step: int):
        """Measure the accuracy of ``network`` after ``step`` updates (once per step; a repeat is ignored)."""
        if self.step and self.step[-1] == step:
            return
        self.step.append(step)
        self.accuracy.append(network.accuracy(self.x, self.y))


class TrainingDiverged(RuntimeError):
    """Raised by ``train(..., on_divergence="raise")`` when the loss becomes NaN, inf or explodes."""


def _learning_rates(lr, n_layers):
    if isinstance(lr, (list, tuple, np.ndarray)):
        if len(lr) != n_layers:
            raise ValueError(f"lr: expected one rate or {n_layers} rates (one per weight layer), got {len(lr)}")
        return [check_positive(f"lr[{l}]", r) for l, r in enumerate(lr)]
    return [check_positive("lr", lr)] * n_layers


def _as_target_rows(net: Network, y, n, name="y"):
    """Targets as rows (n, K) in the network's dtype: labels become one-hot once, up front."""
    y = net.check_targets(y, n, name)
    return y if y.ndim == 2 else one_hot(y, net.sizes[-1], net.dtype)


def evaluate(net: Network, x, y, chunk: int = 10_000):
    """Mean loss and accuracy of ``net`` on (x, y), in chunks to bound memory.

    x: (n, sizes[0]); y: labels (n,) or targets (n, K). Returns (loss, accuracy).
    """
    x = net.check_inputs(x)
    y = _as_target_rows(net, y, x.shape[0])
    return _evaluate(net, x, y, chunk)


@np.errstate(over="ignore", invalid="ignore")
def _evaluate(net, x, y_rows, chunk=10_000):
    total_loss, correct = 0.0, 0
    for start in range(0, x.shape[0], chunk):
        xb, yb = x[start:start + chunk], y_rows[start:start + chunk]
        zs, activations = net._forward_all(xb)
        total_loss += net.loss._value(activations[-1], yb, zs[-1]) * xb.shape[0]
        correct += int(np.sum(predicted_classes(activations[-1]) == predicted_classes(yb)))
    return total_loss / x.shape[0], correct / x.shape[0]


def train(net: Network, x, y, epochs: int, batch_size: int, lr, *, validation_data=None, seed: int = 0,
          monitor: GradientMonitor | None | bool = True, callback: Callable | None = None,
          callback_every: int | None = None, progress: bool = True, verbose: bool = True,
          evaluate_training: bool = True, explode_factor: float = 20.0, on_divergence: str = "stop") -> History:
    """Train ``net`` in place by mini-batch SGD and return a History.

    Parameters
    ----------
    net : Network
    x : array (n, sizes[0]);  y : labels (n,) or targets (n, sizes[-1])
    epochs : int >= 1;  batch_size : int >= 1 (1 = stochastic, n = full batch)
    lr : float or list of floats, one per weight layer (output layer last)
    validation_data : (x_val, y_val), optional, evaluated at each epoch's end
    seed : seed of the shuffling (each epoch draws a new permutation from it)
    monitor : GradientMonitor, True (default thresholds) or False (no notes; divergence is
        still checked every 50 updates)
    callback : function(state: TrainingState), called after every epoch and, if
        ``callback_every`` is set, every that many updates (once, where the two coincide);
        it may change ``state.lr`` or set ``state.stop = True``
    progress : show a progress bar (tqdm.auto); verbose : print one line per epoch and the
        gradient notes
    evaluate_training : compute loss and accuracy over the whole training set after each epoch
        (False skips that pass, and ``loss`` and ``train_accuracy`` then hold nan; the benchmark
        uses it to time SGD alone). Validation data, if given, is always evaluated.
    explode_factor : stop when a checked batch's loss exceeds this many times the loss at the start
        (measured on the first 1,000 examples)
    on_divergence : "stop" (print why, return the history so far) or "raise"
        (TrainingDiverged)
    """
    if not isinstance(net, Network):
        raise TypeError(f"net: expected a lesson_lib.Network, got {type(net).__name__}")
    x = net.check_inputs(x)
    n = x.shape[0]
    y_rows = _as_target_rows(net, y, n)
    epochs = check_positive("epochs", epochs, integer=True)
    batch_size = check_positive("batch_size", batch_size, integer=True)
    if batch_size > n:
        raise ValueError(f"batch_size: expected at most the number of examples ({n}), got {batch_size}")
    lrs = _learning_rates(lr, net.n_layers)
    if monitor is True:
        monitor = GradientMonitor()
    elif monitor is False or monitor is None:
        monitor = None
    elif not isinstance(monitor, GradientMonitor):
        raise TypeError(f"monitor: expected True, False or a GradientMonitor, got {type(monitor).__name__}")
    check_every = monitor.check_every if monitor else 50
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a function of one argument (the TrainingState), got {callback!r}")
    if callback_every is not None:
        callback_every = check_positive("callback_every", callback_every, integer=True)
    explode_factor = check_positive("explode_factor", explode_factor)
    if on_divergence not in ("stop", "raise"):
        raise ValueError(f"on_divergence: expected 'stop' or 'raise', got {on_divergence!r}")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data: expected a pair (x_val, y_val)")
        x_val = as_batch("validation_data[0]", validation_data[0], n_features=net.sizes[0], dtype=net.dtype)
        y_val = _as_target_rows(net, validation_data[1], x_val.shape[0], "validation_data[1]")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an integer, got {seed!r}")

    n_batches = math.ceil(n / batch_size)
    history = History(layer_names=[net.layer_name(l) for l in range(net.n_layers)], lr=list(lrs),
                      batch_size=batch_size, batches_per_epoch=n_batches)
    state = TrainingState(network=net, history=history, lr=list(lrs), n_batches=n_batches)
    rng = np.random.default_rng(seed)
    bar = _progress_bar(epochs * n_batches) if progress else None
    # the yardstick for "the loss exploded": the loss at the start, on up to 1,000 training examples
    # (a single mini-batch would be a noisy yardstick, and a tiny one when training resumes)
    start_loss = net._loss_value(x[:1000], y_rows[:1000])
    step, last_callback_step = 0, -1
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected and reported below
            for epoch in range(1, epochs + 1):
                state.epoch = epoch
                order = rng.permutation(n)
                epoch_checks = []  # (grad sizes, output |delta|, update ratios) per check
                epoch_notes = {}
                state.epoch_notes = []
                weights, biases, backprop, n_layers = net.weights, net.biases, net._backprop, net.n_layers
                for batch in range(n_batches):
                    idx = order[batch * batch_size:(batch + 1) * batch_size]
                    xb, yb = x[idx], y_rows[idx]
                    is_check = batch == 0 or (step + 1) % check_every == 0
                    weight_gradients, bias_gradients, stats = backprop(xb, yb, is_check)
                    rates = state.lr
                    for l in range(n_layers):
                        weights[l] -= rates[l] * weight_gradients[l]
                        biases[l] -= rates[l] * bias_gradients[l]
                    step += 1
                    if is_check:
                        batch_loss, output_delta_size = stats
                        state.batch, state.step = batch + 1, step
                        sizes = [float(np.mean(np.abs(g))) for g in weight_gradients]
                        ratios = [rates[l] * sizes[l] / max(float(np.mean(np.abs(w))), 1e-12)
                                  for l, w in enumerate(weights)]
                        history.check_step.append(step)
                        history.check_loss.append(batch_loss)
                        history.check_grad_size.append(sizes)
                        history.check_update_ratio.append(ratios)
                        history.check_lr.append(list(rates))
                        history.check_output_delta_size.append(output_delta_size)
                        epoch_checks.append((sizes, output_delta_size, ratios))
                        reason = _divergence(batch_loss, sizes, start_loss, explode_factor)
                        if reason:
                            _stop(history, state, reason, on_divergence, verbose, bar)
                            return history
                        if monitor:
                            _note(monitor, ratios, epoch_notes, epoch, batch + 1, history.layer_names)
                            state.epoch_notes = list(epoch_notes.values())
                    if callback_every and step % callback_every == 0:
                        state.batch, state.step = batch + 1, step
                        callback(state)
                        last_callback_step = step
                        if state.stop:
                            break
                    if bar is not None:
                        bar.update(1)
                state.batch, state.step = batch + 1, step
                _end_epoch(net, history, epoch, epoch_checks, epoch_notes, evaluate_training, x, y_rows,
                           (x_val, y_val) if validation_data is not None else None, verbose)
                if evaluate_training and not math.isfinite(history.loss[-1]):
                    _stop(history, state, "the training loss became NaN or infinite", on_divergence, verbose, bar)
                    return history
                if callback is not None and last_callback_step != step:
                    callback(state)
                if state.stop:
                    history.stop_reason = f"stopped on request in epoch {epoch}, after batch {state.batch}"
                    if verbose:
                        print(history.stop_reason)
                    break
    finally:
        if bar is not None:
            bar.close()
    return history


def _progress_bar(total):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="batch", leave=False)


def _divergence(batch_loss, sizes, start_loss, explode_factor):
    if not math.isfinite(batch_loss) or not all(math.isfinite(s) for s in sizes):
        return "the loss or a gradient became NaN or infinite"
    if batch_loss > explode_factor * max(start_loss, 1e-3):
        return (f"the loss exploded: a mini-batch loss of {batch_loss:.4g} is over {explode_factor:g} "
                f"times the loss at the start ({start_loss:.4g})")
    return None


def _stop(history, state, reason, on_divergence, verbose, bar):
    rates = ", ".join(f"{r:g}" for r in state.lr)
    message = (f"Training diverged in epoch {state.epoch}, batch {state.batch}: {reason}. "
               f"The learning rate (lr = {rates}) is too large for this network; "
               f"try a smaller one, e.g. {', '.join(f'{r / 10:g}' for r in state.lr)}.")
    history.stop_reason, history.diverged = message, True
    if bar is not None:
        bar.close()
    if on_divergence == "raise":
        raise TrainingDiverged(message)
    print(message)


def _note(monitor, ratios, epoch_notes, epoch, batch, layer_names):
    for l, size in enumerate(ratios):
        for kind, crossed, threshold in (("too large", size > monitor.too_large, monitor.too_large),
                                         ("too small", size < monitor.too_small, monitor.too_small)):
            if crossed:
                note = epoch_notes.get((l, kind))
                if note is None:
                    epoch_notes[(l, kind)] = GradientNote(epoch, layer_names[l], kind, batch, 1, 0, size, threshold)
                else:
                    note.count += 1
                    note.extreme = max(note.extreme, size) if kind == "too large" else min(note.extreme, size)


def _end_epoch(net, history, epoch, epoch_checks, epoch_notes, evaluate_training, x, y_rows, validation, verbose):
    history.epochs.append(epoch)
    if evaluate_training:
        loss, accuracy = _evaluate(net, x, y_rows)
    else:
        loss, accuracy = float("nan"), float("nan")
    history.loss.append(loss)
    history.train_accuracy.append(accuracy)
    if validation is not None:
        val_loss, val_accuracy = _evaluate(net, *validation)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
    history.grad_size.append([float(np.mean([c[0][l] for c in epoch_checks])) for l in range(net.n_layers)])
    history.update_ratio.append([float(np.mean([c[2][l] for c in epoch_checks])) for l in range(net.n_layers)])
    history.output_delta_size.append(float(np.mean([c[1] for c in epoch_checks])))
    for note in epoch_notes.values():
        note.checks = len(epoch_checks)
        history.notes.append(note)
    if verbose:
        if evaluate_training:
            print(history.epoch_line())
        for note in epoch_notes.values():
            print("  note:", note)
