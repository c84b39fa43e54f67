"""Mini-batch stochastic gradient descent: a short loop, an optimizer, and hooks.

One update, for a mini-batch of m examples and each weight layer l:

    W^l <- W^l - eta_l * dC/dW^l,      b^l <- b^l - eta_l * dC/db^l

where C is the mean loss over the mini-batch. ``batch_size=1`` is stochastic gradient descent
(one example per update), ``batch_size=len(x)`` is (full-)batch gradient descent, anything in
between is mini-batch gradient descent. Each layer may have its own learning rate eta_l: the
course lowers only the output layer's rate. The optimizer (``SGD``) owns the rates and
applies the update.

``train`` is the loop: shuffle, take mini-batches, backpropagate, update. Everything else is
a hook, called at a few named moments (``Hook``): the gradient-health monitor, the divergence
stop, the training-set evaluation, the printing, an accuracy probe; and in ``lesson_lib.ui`` the
progress bar and the training panel's follower. The
loop itself does one more thing on every update, because it costs one sum of K numbers: it stops
the run as diverged, before the update, as soon as the output layer's bias gradient holds NaN or
inf (a NaN in any weight reaches it in the same forward pass). At every check it also stops the
run if a layer's mean |dC/dw| or mean |w| is no longer finite: an infinite hidden weight can
leave the outputs finite (sigma(inf) = 1), but not those means.

Every ``check_every`` updates (and on the first update of each epoch) the loop measures, per
layer, the mean |dC/dw| (a mean, so a layer with many weights is not made to look larger), the
relative size of the update it causes,

    update ratio = eta_l * mean |dC/dw| / mean |w|      (the step, as a fraction of the weights)

and the mini-batch's loss, records them in the History and hands them to the hooks
(``Hook.on_check``). A gradient is "too large" or "too small" *for its learning rate*: the
course's fix for "output layer gradient too large" is to lower that layer's rate, which leaves
the gradient at the first update unchanged and shrinks the step, so the notes judge the step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .i18n import gettext as _
from .i18n import layer_text, ngettext
from .network import Network, mean_abs
from .targets import one_hot, predicted_classes
from .validation import as_batch, check_positive, check_seed

CHECK_EVERY = 50
"""Updates between two checks when no hook asks for another interval."""


# -- the optimizer ------------------------------------------------------------------------------


class SGD:
    """Stochastic gradient descent with one learning rate eta_l per weight layer.

    lr: one rate for every layer, or a list of ``n_layers`` rates (output layer last). A rate
    is checked whenever it is set, also in the middle of a run (``set_rate``), so a NaN, zero
    or negative rate is refused before it can reach the weights.
    """

    def __init__(self, lr, n_layers: int):
        self.n_layers = check_positive("n_layers", n_layers, integer=True)
        if isinstance(lr, (list, tuple)) or (isinstance(lr, np.ndarray) and lr.ndim == 1):
            if len(lr) != self.n_layers:
                raise ValueError(f"lr: expected one rate or {self.n_layers} rates (one per weight layer), got {len(lr)}")
            rates = tuple(check_positive(f"lr[{l}]", rate) for l, rate in enumerate(lr))
        else:
            rates = (check_positive("lr", lr.item() if isinstance(lr, np.ndarray) and lr.ndim == 0 else lr),) * self.n_layers
        self._rates = rates

    @property
    def rates(self) -> tuple:
        """The learning rates in effect, one per weight layer (read only: change one with ``set_rate``)."""
        return self._rates

    def set_rate(self, layer: int, rate: float):
        """Use ``rate`` for weight layer ``layer`` (0-based) from the next update on. Another thread
        (a slider) may call this during a run: an update uses the rates of one moment, all of them."""
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < self.n_layers:
            raise ValueError(f"layer: expected a weight layer in 0..{self.n_layers - 1}, got {layer!r}")
        rate = check_positive(f"lr[{layer}]", rate)
        self._rates = self._rates[:layer] + (rate,) + self._rates[layer + 1:]  # one new tuple: never half-changed

    def update(self, network: Network, weight_gradients, bias_gradients) -> tuple:
        """One step down the gradient, in place: W^l -= eta_l dC/dW^l and b^l -= eta_l dC/db^l.
        Returns the rates it used."""
        rates = self._rates  # one snapshot for every layer of this update
        for w, b, dw, db, rate in zip(network.weights, network.biases, weight_gradients, bias_gradients, rates):
            w -= rate * dw
            b -= rate * db
        return rates

    def __repr__(self):
        return f"SGD(lr={list(self._rates)})"


# -- what a run records -------------------------------------------------------------------------


@dataclass
class GradientNote:
    """A gradient-health note: in ``epoch``, a layer's update ratio crossed a threshold in
    ``count`` of the ``checks`` made so far in that epoch, first after mini-batch ``first_batch``
    of that epoch (counted from 1)."""

    epoch: int
    layer: str
    kind: str  # "too large" or "too small"
    first_batch: int
    count: int
    checks: int
    extreme: float  # the largest (too large) or smallest (too small) update ratio seen
    threshold: float

    def __str__(self):
        return _("epoch {epoch}: {layer} gradient {kind} in {count} of {checks} checks from batch {batch}: {ratio}").format(
            epoch=self.epoch, layer=layer_text(self.layer), kind=_kind_text(self.kind), count=self.count,
            checks=self.checks, batch=self.first_batch, ratio=_ratio_words(self.kind, self.extreme, self.threshold))


def _kind_text(kind: str) -> str:
    return _("too large") if kind == "too large" else _("too small")


def _ratio_words(kind, extreme, threshold) -> str:
    """How far a note's update ratio went past its bound, as both a note and a summary say it."""
    if kind == "too large":
        return _("updates up to {extreme:.2g} of the weights' size (above {threshold:g})").format(
            extreme=extreme, threshold=threshold)
    return _("updates down to {extreme:.2g} of the weights' size (below {threshold:g})").format(
        extreme=extreme, threshold=threshold)


def summarize_notes(notes) -> list:
    """The gradient notes of a run as one line per layer and kind ("too large", "too small"),
    in the order they first appeared: how many checks crossed the bound, in which epochs, and
    the most extreme update ratio. A long run makes a note per epoch; this keeps the list short."""
    groups = {}
    for note in notes:
        groups.setdefault((note.layer, note.kind), []).append(note)
    lines = []
    for (layer, kind), group in groups.items():
        pick = max if kind == "too large" else min
        epochs = _ranges(sorted({note.epoch for note in group}))
        several = "," in epochs or "-" in epochs
        lines.append(_("{layer}: gradient {kind} in {count} of {checks} checks, {epochs}: {ratio}").format(
            layer=layer_text(layer), kind=_kind_text(kind), count=sum(n.count for n in group),
            checks=sum(n.checks for n in group),
            epochs=(_("epochs {numbers}") if several else _("epoch {numbers}")).format(numbers=epochs),
            ratio=_ratio_words(kind, pick(n.extreme for n in group), group[0].threshold)))
    return lines


def _ranges(numbers) -> str:
    """Sorted integers as ranges: [1, 2, 3, 5] -> "1-3, 5"."""
    runs = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


@dataclass
class Check:
    """What the loop measured at one check: after ``step`` updates in all, the last being
    mini-batch ``batch`` of its epoch (both counted from 1), that mini-batch's ``loss``, each
    layer's mean |dC/dw| (``grad_size``) and update ratio, the rates that update used (``lr``)
    and the mini-batch's mean |delta^L| (``output_delta_size``)."""

    step: int
    batch: int
    loss: float
    grad_size: list
    update_ratio: list
    lr: list
    output_delta_size: float


@dataclass
class History:
    """What happened during training, one entry per epoch (and per check for the check_ lists).

    Per epoch: ``val_loss`` and ``val_accuracy`` if validation data was given; ``loss`` and
    ``train_accuracy`` over the whole training set if the ``EvaluateTrainingSet`` hook ran (the
    default); ``grad_size``, ``update_ratio`` (lists of one value per layer, averaged over the
    epoch's checks) and ``output_delta_size`` (mean |delta^L|). Per check: ``check_step``
    (updates so far), ``check_loss``, ``check_grad_size``, ``check_update_ratio``, ``check_lr``
    (the rates in effect) and ``check_output_delta_size``. ``batch_size`` and
    ``batches_per_epoch`` turn a step count into epochs: ``step / batches_per_epoch``.
    ``notes`` holds the gradient-health notes; ``stop_reason`` says why training stopped early
    (None if it ran to the end) and ``diverged`` whether that was a divergence; ``lr`` the rates
    the run started with; ``steps`` the updates made (as of the last epoch's end, then of the
    run's end: a run stopped mid-epoch ends its last epoch early, at ``steps / batches_per_epoch``).
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
    steps: int = 0

    def record(self, check: Check):
        """Append one check to the check_ lists."""
        self.check_step.append(check.step)
        self.check_loss.append(check.loss)
        self.check_grad_size.append(check.grad_size)
        self.check_update_ratio.append(check.update_ratio)
        self.check_lr.append(check.lr)
        self.check_output_delta_size.append(check.output_delta_size)

    def epoch_line(self, i: int = -1) -> str:
        """One printable line for epoch i: loss and accuracies, rounded so it is reproducible."""
        parts = [_("epoch {epoch}").format(epoch=self.epochs[i])]
        if self.loss:
            parts = [_("epoch {epoch}: loss {loss:.4f}").format(epoch=self.epochs[i], loss=self.loss[i]),
                     _("train accuracy {accuracy:.2%}").format(accuracy=self.train_accuracy[i])]
        if self.val_accuracy:
            parts.append(_("held-out accuracy {accuracy:.2%}").format(accuracy=self.val_accuracy[i]))
        return _(", ").join(parts)  # the separator too: Chinese writes a full-width comma


@dataclass(slots=True)
class TrainingState:
    """What the hooks see: the network, the history, the optimizer and where the run is.

    A hook changes a learning rate with ``state.optimizer.set_rate(l, rate)`` (used from the
    next update) and ends the run with ``state.stop()`` (after the current update).
    ``x`` and ``y_rows`` are the training data, checked, with targets as rows (n, K).
    ``epoch`` (of ``epochs``) and ``batch`` (of ``n_batches``) count from 1; ``step`` is the
    number of updates made so far; ``epoch_checks`` the checks made so far in this epoch. The
    state has slots: assigning an attribute it does not have (``state.lr = ...``) is an error.
    """

    network: Network
    history: History
    optimizer: SGD
    x: np.ndarray
    y_rows: np.ndarray
    n_batches: int
    epochs: int
    epoch: int = 0
    batch: int = 0
    step: int = 0
    epoch_checks: int = 0
    stop_requested: bool = False

    def stop(self, reason: str | None = None, *, diverged: bool = False):
        """End the run after the current update; ``reason`` goes to ``history.stop_reason``
        (the first reason given stays, unless a later one is a divergence)."""
        self.stop_requested = True
        if reason is not None and (self.history.stop_reason is None or (diverged and not self.history.diverged)):
            self.history.stop_reason, self.history.diverged = reason, diverged

    @property
    def lr(self) -> tuple:
        """The learning rates in effect now (read only: set them with ``optimizer.set_rate``)."""
        return self.optimizer.rates


class TrainingDiverged(RuntimeError):
    """Raised by ``DivergenceStop(raise_error=True)`` when a run diverges."""


# -- hooks --------------------------------------------------------------------------------------


class Hook:
    """Something ``train`` calls at named moments. Override the moments you need; the loop
    calls only the methods a hook overrides, in the order the hooks were given.

    on_start(state)          before the first update
    on_check(state, check)   at every check (``check_every`` updates, and each epoch's first)
    on_update(state)         after every update: keep it cheap, or act every k-th step
    on_epoch_end(state)      after each epoch's last update (``history.epochs`` is updated)
    on_end(state)            once, however the run ended (also on a divergence)

    A hook that needs checks more often than every 50 updates sets ``check_every``: the loop
    checks every ``check_every`` updates of the hook that asks most often (and on each epoch's
    first update), and every hook's ``on_check`` sees every check.
    """

    check_every: int | None = None

    def on_start(self, state: TrainingState):
        pass

    def on_check(self, state: TrainingState, check: Check):
        pass

    def on_update(self, state: TrainingState):
        pass

    def on_epoch_end(self, state: TrainingState):
        pass

    def on_end(self, state: TrainingState):
        pass


def _overrides(hook, name):
    return getattr(type(hook), name, None) is not getattr(Hook, name)


@dataclass
class GradientMonitor(Hook):
    """Notes when a layer's update ratio eta * mean |dC/dw| / mean |w| crosses a threshold, at
    every check (every ``check_every`` updates, or more often if another hook asks).

    ``too_large``: above this, one update changes the weights by more than this fraction of
    their size: big steps that overshoot (lower that layer's learning rate). ``too_small``:
    below this, the layer barely moves (saturated units, or a loss that is already small).
    The defaults were measured on MNIST 784-30-10: with the course's classic N(0, 1) start and
    eta = 3 the output layer's first step is 0.31 of its weights' size; with an output rate of
    0.1 it is 0.010; well-trained layers take steps of 1e-4 to 1e-2. A note joins
    ``history.notes`` when it is first seen and its count and checks stay current, so a live
    display can show it at once.
    """

    too_large: float = 0.02
    too_small: float = 1e-4
    check_every: int = CHECK_EVERY

    def __post_init__(self):
        check_positive("too_large", self.too_large)
        check_positive("too_small", self.too_small)
        check_positive("check_every", self.check_every, integer=True)
        if self.too_small >= self.too_large:
            raise ValueError(f"too_small: expected a value below too_large={self.too_large}, got {self.too_small}")
        self._open = {}

    def on_start(self, state):
        self._open = {}

    def on_check(self, state, check):
        if state.epoch_checks == 1:  # a new epoch: new notes
            self._open = {}
        for note in self._open.values():
            note.checks = state.epoch_checks
        for l, ratio in enumerate(check.update_ratio):
            for kind, crossed, threshold in (("too large", ratio > self.too_large, self.too_large),
                                             ("too small", ratio < self.too_small, self.too_small)):
                if not crossed:
                    continue
                note = self._open.get((l, kind))
                if note is None:
                    note = GradientNote(state.epoch, state.history.layer_names[l], kind, check.batch, 0,
                                        state.epoch_checks, ratio, threshold)
                    self._open[(l, kind)] = note
                    state.history.notes.append(note)
                note.count += 1
                note.extreme = max(note.extreme, ratio) if kind == "too large" else min(note.extreme, ratio)


@dataclass
class DivergenceStop(Hook):
    """Stops the run when a checked mini-batch's loss exceeds ``explode_factor`` times the loss
    at the start (measured on the first 1,000 training examples: a single mini-batch would be a
    noisy yardstick). With ``raise_error`` a diverged run, also one the loop stopped for a NaN,
    raises TrainingDiverged instead of returning."""

    explode_factor: float = 20.0
    raise_error: bool = False

    def __post_init__(self):
        check_positive("explode_factor", self.explode_factor)
        self.start_loss = None

    def on_start(self, state):
        self.start_loss = state.network.loss_value_unchecked(state.x[:1000], state.y_rows[:1000])

    def on_check(self, state, check):
        if check.loss > self.explode_factor * max(self.start_loss, 1e-3):
            state.stop(divergence_message(state, _(
                "the loss exploded: a mini-batch loss of {loss:.4g} is over {factor:g} times the loss at the start "
                "({start:.4g})").format(loss=check.loss, factor=self.explode_factor, start=self.start_loss)),
                diverged=True)

    def on_end(self, state):
        if self.raise_error and state.history.diverged:
            raise TrainingDiverged(state.history.stop_reason)


class EvaluateTrainingSet(Hook):
    """At each epoch's end, the loss and accuracy over the whole training set, into
    ``history.loss`` and ``history.train_accuracy`` (one forward pass over the data)."""

    def on_epoch_end(self, state):
        loss, accuracy = evaluate_unchecked(state.network, state.x, state.y_rows)
        state.history.loss.append(loss)
        state.history.train_accuracy.append(accuracy)
        if not math.isfinite(loss):
            state.stop(divergence_message(state, _("the training loss became NaN or infinite")), diverged=True)


class PrintEpochs(Hook):
    """Prints one line per epoch (``History.epoch_line``), that epoch's gradient notes, and at
    the end why the run stopped early, if it did. Put it after the hooks whose results it
    prints (``standard_hooks`` does)."""

    def on_epoch_end(self, state):
        history = state.history
        if history.loss or history.val_accuracy:
            print(history.epoch_line())
        for note in history.notes:
            if note.epoch == state.epoch:
                print("  " + _("note: {note}").format(note=note))

    def on_end(self, state):
        if state.history.stop_reason:
            print(state.history.stop_reason)


class AccuracyProbe(Hook):
    """Records the accuracy on a fixed probe set as training goes: every ``every`` updates and
    at each epoch's end. ``probe.step`` holds the update counts and ``probe.accuracy`` the
    accuracies. x: (n, features); y: labels (n,). A probe of about 1,000 examples costs about as
    much as 100 updates of batch 10 to measure, so training slows by a few percent.
    """

    def __init__(self, x, y, every: int = 50):
        self.x = as_batch("x", x)
        self.y = np.asarray(y)
        if self.y.ndim not in (1, 2) or self.y.shape[0] != self.x.shape[0]:
            raise ValueError(f"y: expected labels (n,) or target rows (n, K) for the {self.x.shape[0]} rows of x, "
                             f"got shape {self.y.shape}")
        self.every = check_positive("every", every, integer=True)
        self.step, self.accuracy = [], []

    def on_update(self, state):
        if state.step % self.every == 0:
            self.measure(state.network, state.step)

    def on_epoch_end(self, state):
        self.measure(state.network, state.step)

    def measure(self, network: Network, step: int):
        """Measure the accuracy of ``network`` after ``step`` updates (once per step; a repeat is ignored)."""
        if self.step and self.step[-1] == step:
            return
        self.step.append(step)
        self.accuracy.append(network.accuracy(self.x, self.y))


def standard_hooks(*extra: Hook, monitor: GradientMonitor | None = None, verbose: bool = True) -> list:
    """The hooks ``train`` uses unless told otherwise: the gradient-health monitor (``monitor``,
    or one with the default thresholds), the divergence stop, the training-set evaluation, then
    any ``extra`` hooks, and with ``verbose`` the printing of each epoch last."""
    if monitor is not None and not isinstance(monitor, GradientMonitor):
        raise TypeError(f"monitor: expected a GradientMonitor or None, got {type(monitor).__name__}")
    for i, hook in enumerate(extra):
        if isinstance(hook, (GradientMonitor, DivergenceStop, EvaluateTrainingSet, PrintEpochs)):
            raise ValueError(f"extra[{i}]: standard_hooks already has a {type(hook).__name__}; pass a monitor "
                             "as monitor=..., or build the list of hooks yourself")
    hooks = [monitor or GradientMonitor(), DivergenceStop(), EvaluateTrainingSet(), *extra]
    return hooks + [PrintEpochs()] if verbose else hooks


def divergence_message(state: TrainingState, reason: str) -> str:
    """Why the run is stopped as diverged, and what to try instead."""
    rates = state.optimizer.rates

    def listed(divisor):
        return ", ".join(f"{rate / divisor:.3g}" for rate in rates)

    # a tenth alone was poor advice: after rates 100 the panel's network trained to 60% at 10 (not
    # diverging, not learning much either) and to 91% at 3.33 (tests/test_training_panel.py)
    return _("Training diverged in epoch {epoch}, batch {batch}: {reason}. The learning rate (lr = {rates}) is too "
             "large for this network. Try a tenth (lr = {tenth}); just below the rate that diverges a run often learns "
             "badly without blowing up, so if its loss falls slowly or jumps about, try a third of that too "
             "(lr = {thirtieth}).").format(epoch=state.epoch, batch=state.batch, reason=reason, rates=listed(1),
                                           tenth=listed(10), thirtieth=listed(30))


# -- evaluation ---------------------------------------------------------------------------------


def _as_target_rows(net: Network, y, n, name="y"):
    """Targets as rows (n, K) in the network's dtype: labels become one-hot once, up front."""
    y = net.check_targets(y, n, name)
    return y if y.ndim == 2 else one_hot(y, net.sizes[-1], net.dtype)


def evaluate(net: Network, x, y, chunk: int = 10_000):
    """Mean loss and accuracy of ``net`` on (x, y), in chunks to bound memory.

    x: (n, sizes[0]); y: labels (n,) or targets (n, K). Returns (loss, accuracy).
    """
    x = net.check_inputs(x)
    return evaluate_unchecked(net, x, _as_target_rows(net, y, x.shape[0]), check_positive("chunk", chunk, integer=True))


@np.errstate(over="ignore", invalid="ignore")
def evaluate_unchecked(net: Network, x, y_rows, chunk: int = 10_000):
    """``evaluate`` for checked x (n, sizes[0]) and target rows (n, K), without the checks."""
    total_loss, correct = 0.0, 0
    for start in range(0, x.shape[0], chunk):
        xb, yb = x[start:start + chunk], y_rows[start:start + chunk]
        zs, activations = net.forward_all_unchecked(xb)
        total_loss += net.loss.value_unchecked(activations[-1], yb, zs[-1]) * xb.shape[0]
        correct += int(np.sum(predicted_classes(activations[-1]) == predicted_classes(yb)))
    return total_loss / x.shape[0], correct / x.shape[0]


# -- the loop -----------------------------------------------------------------------------------


def train(net: Network, x, y, epochs: int, batch_size: int, lr, *, validation_data=None, seed: int = 0,
          hooks=None) -> History:
    """Train ``net`` in place by mini-batch SGD and return a History.

    net: a Network; x: (n, sizes[0]); y: labels (n,) or targets (n, sizes[-1]).
    epochs >= 1; batch_size >= 1 (1 = stochastic, n = full batch).
    lr: a rate, a list of one rate per weight layer (output layer last), or an ``SGD``.
    validation_data: (x_val, y_val), evaluated at each epoch's end into ``history.val_loss``
    and ``history.val_accuracy``. seed: the shuffling's seed (each epoch draws a new
    permutation from it). hooks: a list of Hook; None means ``standard_hooks()`` (monitor,
    divergence stop, training-set evaluation, printing); ``standard_hooks(verbose=False)``
    prints nothing, ``[]`` runs SGD alone.
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
    optimizer = lr if isinstance(lr, SGD) else SGD(lr, net.n_layers)
    if optimizer.n_layers != net.n_layers:
        raise ValueError(f"lr: expected an SGD for {net.n_layers} weight layers, got one for {optimizer.n_layers}")
    validation = _check_validation_data(net, validation_data)
    seed = check_seed("seed", seed)
    if isinstance(hooks, Hook) or (hooks is not None and not isinstance(hooks, (list, tuple))):
        raise TypeError(f"hooks: expected a list of hooks, e.g. [ll.AccuracyProbe(x_test, y_test)], got "
                        f"{type(hooks).__name__}")
    hooks = standard_hooks() if hooks is None else list(hooks)
    for i, hook in enumerate(hooks):
        if not isinstance(hook, Hook):
            raise TypeError(f"hooks[{i}]: expected a lesson_lib.Hook (e.g. ll.AccuracyProbe), got {type(hook).__name__}")
        if hook.check_every is not None:
            check_positive(f"hooks[{i}].check_every", hook.check_every, integer=True)

    n_batches = math.ceil(n / batch_size)
    history = History(layer_names=[net.layer_name(l) for l in range(net.n_layers)], lr=list(optimizer.rates),
                      batch_size=batch_size, batches_per_epoch=n_batches)
    state = TrainingState(network=net, history=history, optimizer=optimizer, x=x, y_rows=y_rows, n_batches=n_batches,
                          epochs=epochs)
    called = {moment: [getattr(h, moment) for h in hooks if _overrides(h, moment)]
              for moment in ("on_start", "on_check", "on_update", "on_epoch_end", "on_end")}
    check_every = min([h.check_every for h in hooks if h.check_every] or [CHECK_EVERY])
    rng = np.random.default_rng(seed)
    after_update, backprop, update = called["on_update"], net.backprop_unchecked, optimizer.update
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a divergence is detected and reported, not warned
            for on_start in called["on_start"]:
                on_start(state)
            for epoch in range(1, epochs + 1 if not state.stop_requested else 1):
                state.epoch, state.epoch_checks = epoch, 0
                epoch_start = len(history.check_step)
                order = rng.permutation(n)
                for batch in range(n_batches):
                    idx = order[batch * batch_size:(batch + 1) * batch_size]
                    is_check = batch == 0 or (state.step + 1) % check_every == 0
                    weight_gradients, bias_gradients, stats = backprop(x[idx], y_rows[idx], is_check)
                    state.batch = batch + 1
                    # a NaN or inf in any weight reaches the output layer's bias gradient; its K
                    # entries summed as Python floats cost a fifth of ndarray.sum's call
                    if not math.isfinite(sum(bias_gradients[-1].tolist())):
                        state.stop(divergence_message(state, _("the loss or a gradient became NaN or infinite")),
                                   diverged=True)
                        break
                    rates = update(net, weight_gradients, bias_gradients)
                    state.step += 1
                    if is_check:
                        check = _measure(state, batch + 1, weight_gradients, stats, rates)
                        for on_check in called["on_check"]:
                            on_check(state, check)
                    for on_update in after_update:
                        on_update(state)
                    if state.stop_requested:
                        break
                if history.diverged:  # stopped mid-epoch: no epoch-end evaluation of a broken network
                    break
                _end_epoch(state, epoch_start, validation)
                for on_epoch_end in called["on_epoch_end"]:
                    on_epoch_end(state)
                if state.stop_requested:
                    ran_to_the_end = epoch == epochs and state.batch == n_batches
                    if history.stop_reason is None and not ran_to_the_end:
                        history.stop_reason = _("stopped on request in epoch {epoch}, after batch {batch}").format(
                            epoch=epoch, batch=state.batch)
                    break
    finally:
        history.steps = state.step
        _end_run(state, called["on_end"])
    return history


def _end_run(state, on_end_hooks):
    """Every hook's on_end, even if one raises; then the first error, if any, is raised."""
    first_error = None
    for on_end in on_end_hooks:
        try:
            on_end(state)
        except Exception as error:  # noqa: BLE001 - re-raised below, after the other hooks ended
            first_error = first_error or error
    if first_error is not None:
        raise first_error


def _check_validation_data(net, validation_data):
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError("validation_data: expected a pair (x_val, y_val)")
    x_val = as_batch("validation_data[0]", validation_data[0], n_features=net.sizes[0], dtype=net.dtype)
    return x_val, _as_target_rows(net, validation_data[1], x_val.shape[0], "validation_data[1]")


def _measure(state, batch, weight_gradients, stats, rates):
    """The check after an update: sizes, update ratios, the rates that update used; recorded in
    the history. A loss, gradient size or weight size that is no longer finite stops the run."""
    batch_loss, output_delta_size = stats
    sizes = [mean_abs(g) for g in weight_gradients]
    weight_sizes = [mean_abs(w) for w in state.network.weights]
    ratios = [rate * size / max(weight_size, 1e-12) for rate, size, weight_size in zip(rates, sizes, weight_sizes)]
    check = Check(state.step, batch, batch_loss, sizes, ratios, list(rates), output_delta_size)
    state.epoch_checks += 1
    state.history.record(check)
    if not all(math.isfinite(v) for v in (batch_loss, *sizes, *weight_sizes)):
        state.stop(divergence_message(state, _("the loss, a gradient or a weight became NaN or infinite")), diverged=True)
    return check


def _end_epoch(state, epoch_start, validation):
    """The epoch's bookkeeping: its number, the held-out evaluation, the means of its checks."""
    history, n_layers = state.history, state.network.n_layers
    history.epochs.append(state.epoch)
    history.steps = state.step
    if validation is not None:
        val_loss, val_accuracy = evaluate_unchecked(state.network, *validation)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
    sizes, ratios = history.check_grad_size[epoch_start:], history.check_update_ratio[epoch_start:]
    history.grad_size.append([float(np.mean([s[l] for s in sizes])) for l in range(n_layers)])
    history.update_ratio.append([float(np.mean([r[l] for r in ratios])) for l in range(n_layers)])
    history.output_delta_size.append(float(np.mean(history.check_output_delta_size[epoch_start:])))
