"""Batch, stochastic and mini-batch gradient descent, compared on one problem (notebook 06).

All three repeat the same update, theta <- theta - eta * (mean gradient over a batch); they
differ only in the batch size m:

    batch gradient descent       m = n (every example, one update per epoch)
    stochastic gradient descent  m = 1 (one example per update, n updates per epoch)
    mini-batch gradient descent  1 < m < n (n / m updates per epoch)

The small problem here is logistic regression with two parameters, a weight w and a bias b,
on one input feature: a = sigma(w x + b), cross-entropy loss. It is exactly a network with one
input and one sigmoid output, ``Network([1, 1], loss="cross_entropy")``, so the gradients are
the package's own backpropagation, and the two parameters can be drawn as a point moving on
the loss surface.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .losses import binary_cross_entropy_from_z
from .network import Network
from .training import Hook, train
from .validation import as_batch, as_float_array, check_positive


def make_two_class_data(n: int = 200, seed: int = 0):
    """A small 1-D two-class data set: (x (n, 1), y (n,)) with labels 0 and 1.

    Class 0 has x ~ N(1, 1), class 1 has x ~ N(3, 1), half the examples each. The inputs are
    not centred on 0, which makes the loss surface a long, narrow valley in (w, b): a good
    test for the three methods.
    """
    n = check_positive("n", n, integer=True)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.standard_normal(n) + 1.0 + 2.0 * y
    return x.reshape(n, 1), y


def _check_data(x, y):
    x = as_batch("x", x, n_features=1, dtype=np.float64)
    y = np.asarray(y)
    if y.shape != (x.shape[0],) or not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y: expected {x.shape[0]} labels, each 0 or 1, got shape {y.shape}")
    return x, y.astype(np.float64)


def loss_surface(x, y, weights, biases) -> np.ndarray:
    """The mean cross-entropy loss at every (w, b) of a grid, for drawing contours.

    x (n, 1), y (n,); weights (gw,), biases (gb,). Returns (gb, gw): entry [i, j] is the
    loss at w = weights[j], b = biases[i] (the layout ``plt.contour`` expects).
    """
    x, y = _check_data(x, y)
    weights, biases = as_float_array("weights", weights, ndim=1), as_float_array("biases", biases, ndim=1)
    z = x[:, 0, None, None] * weights[None, None, :] + biases[None, :, None]  # (n, gb, gw)
    return binary_cross_entropy_from_z(z, y[:, None, None]).mean(axis=0)


@dataclass
class DescentRun:
    """One run of gradient descent on the two-parameter problem.

    ``path`` (updates + 1, 2) holds (w, b) at the start and after each update; ``loss`` the
    mean loss over all n examples at those points; ``examples_seen`` how many examples had
    been used by then; ``epoch`` the same count in epochs (examples_seen / n).
    """

    batch_size: int
    lr: float
    path: np.ndarray
    loss: np.ndarray
    examples_seen: np.ndarray
    epoch: np.ndarray

    @property
    def updates(self) -> int:
        return len(self.path) - 1


def gradient_descent(x, y, *, batch_size: int, lr: float, epochs: int = 10, start=(-2.0, 4.0),
                     seed: int = 0) -> DescentRun:
    """Run gradient descent with mini-batches of ``batch_size`` examples for ``epochs`` epochs.

    x (n, 1), y (n,) labels 0/1; lr: the learning rate eta > 0; start: the starting (w, b);
    seed: the shuffling. batch_size 1 is stochastic and n is batch gradient descent. Every
    method sees the same budget, epochs * n examples; only the number of updates differs.
    """
    x, y = _check_data(x, y)
    n = x.shape[0]
    batch_size = check_positive("batch_size", batch_size, integer=True)
    if batch_size > n:
        raise ValueError(f"batch_size: expected at most the number of examples ({n}), got {batch_size}")
    lr = check_positive("lr", lr)
    epochs = check_positive("epochs", epochs, integer=True)
    start = as_float_array("start", start, ndim=1)
    if start.shape != (2,):
        raise ValueError(f"start: expected a pair (w, b), got shape {start.shape}")

    net = Network([1, 1], loss="cross_entropy", dtype=np.float64)
    net.weights[0][0, 0], net.biases[0][0] = start
    targets = y.reshape(n, 1)
    rng = np.random.default_rng(seed)
    path, seen = [start.copy()], [0]
    with np.errstate(over="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            x_shuffled, targets_shuffled = x[order], targets[order]  # then each batch is a cheap slice
            for first in range(0, n, batch_size):
                x_batch, y_batch = x_shuffled[first:first + batch_size], targets_shuffled[first:first + batch_size]
                (weight_gradient,), (bias_gradient,), _ = net.backprop_unchecked(x_batch, y_batch)
                net.weights[0] -= lr * weight_gradient
                net.biases[0] -= lr * bias_gradient
                path.append([net.weights[0][0, 0], net.biases[0][0]])
                seen.append(seen[-1] + len(x_batch))
    path, seen = np.array(path), np.array(seen)
    # the loss over all n examples at every point of the path, in one pass: z is (n, updates + 1)
    with np.errstate(over="ignore"):
        losses = binary_cross_entropy_from_z(x * path[:, 0] + path[:, 1], y[:, None]).mean(axis=0)
    return DescentRun(batch_size=batch_size, lr=lr, path=path, loss=losses, examples_seen=seen, epoch=seen / n)


@dataclass
class NetworkRun:
    """Loss curve of one network trained with one batch size (see ``compare_batch_sizes``).

    At each recorded point: ``examples_seen`` (and the same in ``epoch``s), ``updates``,
    ``loss`` (mean loss over the whole training subset) and ``seconds`` of training so far
    (the loss evaluations excluded).
    """

    batch_size: int
    epoch: np.ndarray
    examples_seen: np.ndarray
    updates: np.ndarray
    loss: np.ndarray
    seconds: np.ndarray


class _LossRecorder(Hook):
    """Records the loss over all of (x, y) every ``every`` updates and at each epoch's end, with
    the examples seen and the training time so far (the time spent measuring is left out)."""

    def __init__(self, x, y, batch_size, every, record):
        self.x, self.y, self.batch_size, self.every, self.record = x, y, batch_size, every, record
        self.start, self.paused = 0.0, 0.0

    def on_start(self, state):
        self.start = time.perf_counter()  # train has checked its input: the clock starts with the updates

    def on_update(self, state):
        if state.step % self.every == 0:
            self.remember(state)

    def on_epoch_end(self, state):
        if self.record["updates"][-1] != state.step:
            self.remember(state)

    def remember(self, state):
        paused_at = time.perf_counter()
        n = self.x.shape[0]
        self.record["updates"].append(state.step)
        self.record["examples_seen"].append((state.epoch - 1) * n + min(state.batch * self.batch_size, n))
        self.record["loss"].append(state.network.loss_value(self.x, self.y))
        self.record["seconds"].append(paused_at - self.start - self.paused)
        self.paused += time.perf_counter() - paused_at


def compare_batch_sizes(x, y, batch_sizes, *, lr: float, epochs: int, hidden: int = 30, points: int = 20,
                        seed: int = 0) -> list:
    """Train the same network (same initial weights) once per batch size; return NetworkRuns.

    x (n, 784), y labels (n,); the network is [784, hidden, 10], sigmoid hidden units,
    softmax outputs, log-likelihood loss. Each run sees epochs * n examples, and the loss
    over all of x is recorded about ``points`` times per epoch (after every update for
    batch gradient descent).
    """
    lr = check_positive("lr", lr)
    epochs = check_positive("epochs", epochs, integer=True)
    points = check_positive("points", points, integer=True)
    start = Network([784, hidden, 10], hidden="sigmoid", loss="log_likelihood", seed=seed)
    x = start.check_inputs(x)
    y = start.check_targets(y, x.shape[0])
    runs = []
    for batch_size in batch_sizes:
        net = start.copy()
        n_batches = -(-x.shape[0] // check_positive("batch_sizes", batch_size, integer=True))
        every = max(1, n_batches // points)
        record = {"examples_seen": [0], "updates": [0], "loss": [net.loss_value(x, y)], "seconds": [0.0]}
        recorder = _LossRecorder(x, y, batch_size, every, record)
        train(net, x, y, epochs, batch_size, lr, seed=seed, hooks=[recorder])
        arrays = {name: np.array(values) for name, values in record.items()}
        runs.append(NetworkRun(batch_size=batch_size, epoch=arrays["examples_seen"] / x.shape[0], **arrays))
    return runs
