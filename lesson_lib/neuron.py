"""One sigmoid neuron learning one example: the learning slowdown of notebook 02, in miniature.

The neuron has one weight w and one bias b. Given the input x it outputs a = sigma(z) with
z = w x + b, and we want a = y. Gradient descent with learning rate eta repeats

    delta = dC/dz                      (the loss's output error term)
    w <- w - eta * delta * x           (dC/dw = delta * x)
    b <- b - eta * delta               (dC/db = delta)

and the loss decides delta:

    quadratic      C = (a - y)^2 / 2                       delta = (a - y) sigma'(z)
    cross-entropy  C = -[y ln a + (1 - y) ln(1 - a)]       delta = a - y

When the neuron is badly wrong it is saturated (z far from 0), sigma'(z) is nearly 0, and the
quadratic loss's delta with it: the neuron barely learns. Cross-entropy has no sigma'(z) in
its delta, so the worse the output, the bigger the step.

The deltas come from ``lesson_lib.LOSSES``: the same code the full network uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid_unchecked
from .losses import LOSSES
from .validation import as_float_array, check_positive

NEURON_LOSSES = ("quadratic", "cross_entropy")
"""The losses a single sigmoid neuron can be trained with here."""


@dataclass
class NeuronRun:
    """A training run of one neuron. Each array has epochs + 1 entries: entry t is the state
    after t updates (entry 0 is the start), so ``output[0]`` is the first output.

    Fields: ``loss`` (its name), ``lr``, ``x``, ``y``; arrays ``epoch``, ``weight``, ``bias``,
    ``output`` (a), ``cost`` (C), ``delta`` (dC/dz) and ``weight_gradient`` (dC/dw = delta x).
    """

    loss: str
    lr: float
    x: float
    y: float
    epoch: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    output: np.ndarray
    cost: np.ndarray
    delta: np.ndarray
    weight_gradient: np.ndarray


def train_neuron(w: float, b: float, *, loss: str = "quadratic", lr: float = 0.15, epochs: int = 300,
                 x: float = 1.0, y: float = 1.0) -> NeuronRun:
    """Train one sigmoid neuron on the single example (x, y) by plain gradient descent.

    w, b: the starting weight and bias; loss: "quadratic" or "cross_entropy"; lr: the
    learning rate eta > 0; epochs: how many updates; x: the input; y: the target in [0, 1].
    Returns a NeuronRun holding the whole trajectory (float64).
    """
    w, b, x, y = (float(as_float_array(name, value, ndim=0)) for name, value in
                  (("w", w), ("b", b), ("x", x), ("y", y)))
    if loss not in NEURON_LOSSES:
        raise ValueError(f"loss: expected one of {', '.join(map(repr, NEURON_LOSSES))}, got {loss!r}")
    if not 0 <= y <= 1:
        raise ValueError(f"y: expected a target between 0 and 1 (a sigmoid's range), got {y!r}")
    lr = check_positive("lr", lr)
    epochs = check_positive("epochs", epochs, integer=True)
    cost_function = LOSSES[loss]
    target = np.array([[y]])
    trajectory = {name: np.empty(epochs + 1) for name in ("weight", "bias", "output", "cost", "delta")}
    with np.errstate(over="ignore"):  # sigma of a very negative z is exactly 0: the right limit
        for t in range(epochs + 1):
            z = np.array([[w * x + b]])
            a = sigmoid_unchecked(z)
            delta = float(cost_function.delta_unchecked(a, target, z)[0, 0])
            for name, value in (("weight", w), ("bias", b), ("output", float(a[0, 0])),
                                ("cost", cost_function.value_unchecked(a, target, z)), ("delta", delta)):
                trajectory[name][t] = value
            w -= lr * delta * x
            b -= lr * delta
    return NeuronRun(loss=loss, lr=lr, x=x, y=y, epoch=np.arange(epochs + 1),
                     weight_gradient=trajectory["delta"] * x, **trajectory)
