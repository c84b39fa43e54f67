"""A training run of notebook 07 described by its settings: what the training panel computes.

``TrainingSettings`` holds every choice the panel offers (loss, hidden activation, hidden
size, one learning rate per layer, batch size, epochs, training subset, initialization,
seed); ``run_settings(settings, data)`` builds the network and trains it with
``lesson_lib.train``. That function is the whole computation behind the panel
(``lesson_lib.ui.training_panel``), and notebook 07 calls it directly with the panel's
defaults, so nbval checks what the panel shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import gettext as _
from .i18n import ngettext
from .network import Network
from .training import DivergenceStop, GradientMonitor, History, train
from .validation import check_positive


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

    def __post_init__(self):
        if isinstance(self.lr, (str, bytes)) or not hasattr(self.lr, "__len__") or len(self.lr) != 2:
            raise ValueError(f"lr: expected two rates (hidden layer, output layer), got {self.lr!r}")
        self.lr = tuple(check_positive(f"lr[{l}]", rate) for l, rate in enumerate(self.lr))


def run_settings(settings: TrainingSettings, data, *, extra_hooks=(), monitor: GradientMonitor | None = None):
    """Build the network ``settings`` describe and train it; returns (network, history).

    data: ((x_train, y_train), (x_test, y_test)) as from ``load_mnist()``; training uses the
    first ``settings.subset`` training digits, and the whole test set is evaluated at each
    epoch's end (``history.val_accuracy``). The hooks are the gradient-health monitor
    (``monitor``, or one with the default thresholds) and the divergence stop, plus
    ``extra_hooks`` (the panel follows the run with one). Unlike ``standard_hooks``, nothing
    evaluates the whole training set after every epoch: the panel shows no such number, and
    that pass cost about a tenth of a run's time (``history.loss`` stays empty).
    """
    (x_train, y_train), test = data
    subset = check_positive("subset", settings.subset, integer=True)
    if subset > len(x_train):
        raise ValueError(f"subset: expected at most the {len(x_train)} training digits available, got {subset}")
    net = Network([x_train.shape[1], settings.hidden_size, 10], settings.hidden, settings.loss, init=settings.init,
                  seed=settings.seed)
    hooks = [monitor or GradientMonitor(), DivergenceStop(), *extra_hooks]
    history = train(net, x_train[:subset], y_train[:subset], settings.epochs, settings.batch_size, list(settings.lr),
                    validation_data=test, seed=settings.seed, hooks=hooks)
    return net, history


def describe_run(history: History, seconds: float | None = None) -> str:
    """One line on how a finished run ended: its test accuracy, or why it stopped."""
    if history.diverged:
        return history.stop_reason
    if history.epochs:
        where = ngettext("{n} epoch", "{n} epochs", history.epochs[-1]).format(n=history.epochs[-1])
    else:
        where = _("no epoch")
    text = _("finished {where}").format(where=where)
    if history.stop_reason:
        text = history.stop_reason
    if history.val_accuracy:
        text += _(": test accuracy {accuracy:.2%}").format(accuracy=history.val_accuracy[-1])
    if history.loss:
        text += (_(", training loss {loss:.4f}") if history.val_accuracy else _(": training loss {loss:.4f}")).format(
            loss=history.loss[-1])
    if seconds is not None:
        text += _(" ({seconds:.1f} s)").format(seconds=seconds)
    return text
