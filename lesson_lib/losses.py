"""Loss functions C, each with its output-layer error term delta = dC_i/dz.

Notation: for a batch of n examples with K output units, z is the output layer's weighted
input (n, K), a = f(z) its activation (n, K), and y the targets: integer class labels (n,)
or one-hot rows (n, K). ``value(a, y)`` is the *mean* loss over the batch; ``delta(a, y)``
is the error term of each example, dC_i/dz, shaped (n, K). (The gradient of the mean with
respect to z is therefore delta / n; the network divides once, when it forms the gradients.)

The point of the lesson is in the deltas:

    quadratic      + sigmoid:  delta = (a - y) * sigma'(z)   -- small when the unit saturates
    cross_entropy  + sigmoid:  delta = a - y                 -- sigma'(z) cancels
    log_likelihood + softmax:  delta = a - y                 -- the softmax Jacobian cancels

Each loss names the output activation it pairs with (``loss.activation``). Choose the loss
so that the output layer's delta is a - y, and a badly wrong output gives a large gradient.

Losses are registered by name in ``LOSSES`` so that a dropdown can pick one.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, Activation, log_softmax_unchecked
from .targets import target_rows
from .validation import as_batch, as_float_array, as_targets, check_positive, check_probabilities, lookup


def _clip_probability(a):
    """Keep a inside [tiny, 1 - eps] so that ln(a) and ln(1 - a) are finite."""
    info = np.finfo(a.dtype)
    return np.clip(a, info.tiny, 1 - info.epsneg)


def binary_cross_entropy_from_z(z, y):
    """Element-wise -[y ln sigma(z) + (1 - y) ln(1 - sigma(z))], computed from z (no check).

    Uses ln sigma(z) = -ln(1 + e^(-z)) and ln(1 - sigma(z)) = -ln(1 + e^z), evaluated with
    ``np.logaddexp`` so that neither overflows nor takes log(0). z and y broadcast together.
    """
    return y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


class Loss:
    """Base class: a loss with a mean value over the batch and a per-example output delta.

    ``value(a, y, z=None)`` and ``delta(a, y, z=None)`` check shapes, labels and finiteness,
    and that a and y are probabilities where the loss needs them (``outputs_are``,
    ``targets_are``), then call ``value_unchecked`` and ``delta_unchecked``, which subclasses
    implement. The unchecked methods are the fast path for callers that have checked their
    arrays once (the network and the training loop); ``delta_unchecked`` must return a new
    array, because the network scales it in place.
    """

    name = "loss"
    activation: Activation
    outputs_are: str | None = None
    """What a (n, K) must hold: None for any finite numbers, "probabilities" for entries in
    [0, 1], "distributions" for entries in [0, 1] with rows summing to 1 (within 1e-3)."""
    targets_are: str | None = None
    """The same for target rows y (n, K); class labels (n,) are always accepted."""

    @np.errstate(over="ignore")
    def value(self, a, y, z=None) -> float:
        """Mean loss over the batch. a: (n, K) outputs; y: labels (n,) or targets (n, K).

        Pass z (n, K), the weighted inputs with a = f(z), to compute logarithms from z
        exactly even where a has rounded to 0 or 1.
        """
        a, y, z = self._check(a, y, z)
        return float(self.value_unchecked(a, y, z))

    @np.errstate(over="ignore")
    def delta(self, a, y, z=None) -> np.ndarray:
        """Per-example output error term dC_i/dz, shape (n, K), for outputs a (n, K) and
        targets y (labels (n,) or rows (n, K)). z (n, K), the weighted inputs with a = f(z), is
        optional: the course's losses compute delta from a alone (f'(z) = a (1 - a) for a sigmoid)."""
        a, y, z = self._check(a, y, z)
        return self.delta_unchecked(a, y, z)

    def _check(self, a, y, z):
        a = as_batch("a", a)
        y = as_targets("y", y, n=a.shape[0], n_classes=a.shape[1])
        if z is not None:
            z = as_batch("z", z)
            if z.shape != a.shape:
                raise ValueError(f"z: expected the same shape as a {a.shape}, got {z.shape}")
        if self.outputs_are == "probabilities":
            check_probabilities("a", a, rows=False, expected=f"outputs in [0, 1] ({self.activation.name} probabilities)")
        elif self.outputs_are == "distributions":
            check_probabilities("a", a, rows=True,
                                expected=f"{self.activation.name} outputs: values in [0, 1] in rows that sum to 1")
        return a, self.check_target_rows(y), z

    def check_target_rows(self, y, name="y"):
        """Return checked targets y: labels (n,) as they are, rows (n, K) if they are what the
        loss needs (``targets_are``), else raise naming ``name``."""
        if y.ndim == 2 and self.targets_are == "probabilities":
            check_probabilities(name, y, rows=False, expected="targets in [0, 1]")
        elif y.ndim == 2 and self.targets_are == "distributions":
            check_probabilities(name, y, rows=True, expected="target rows of probabilities: values in [0, 1] in rows "
                                                             "that sum to 1, such as one-hot rows")
        return y

    def __repr__(self):
        return f"{type(self).__name__}(activation={self.activation.name!r})"


class QuadraticLoss(Loss):
    """Quadratic loss, C = (1/n) sum_i (1/2) ||a_i - y_i||^2 (half the mean squared error when K = 1).

    delta = (a - y) * f'(z), where f is the output activation (sigmoid by default, so
    f'(z) = a (1 - a)). With a sigmoid output that is badly wrong (a near 0 while y = 1) the
    unit is saturated, f'(z) is near 0, and so is the gradient: the learning slowdown.

    Pairs with: a sigmoid output (the course's starting point) or an identity output
    (regression, where f' = 1 and delta = a - y). Any element-wise activation works; a
    softmax output is allowed as an unusual pairing for comparison, and then
    delta = J^T (a - y) with the softmax Jacobian J (no cancellation happens).
    """

    name = "quadratic"

    def __init__(self, activation: str = "sigmoid"):
        self.activation = lookup("activation", activation, ACTIVATIONS, "output activation")

    def value_unchecked(self, a, y, z=None):
        diff = a - target_rows(y, a)
        return 0.5 * np.einsum("ij,ij->", diff, diff) / a.shape[0]

    def delta_unchecked(self, a, y, z=None):
        error = a - target_rows(y, a)
        if self.activation.elementwise:
            return error * self.activation.derivative_from_output(a)
        # softmax: (J^T g)_j = a_j (g_j - sum_i g_i a_i), with g = a - y
        return a * (error - np.sum(error * a, axis=-1, keepdims=True))


class CrossEntropyLoss(Loss):
    """Binary cross-entropy per output unit, C = -(1/n) sum_i sum_j [y_ij ln a_ij + (1 - y_ij) ln(1 - a_ij)].

    Each output unit is treated as an independent yes/no probability a_j = sigma(z_j).
    delta = a - y: the sigma'(z) of the quadratic loss cancels, so a badly wrong output learns
    fast. Pairs with: a sigmoid output only (the cancellation needs it). a and target rows y
    must lie in [0, 1].

    Given z, ln a = -ln(1 + e^(-z)) and ln(1 - a) = -ln(1 + e^z) are computed from z
    exactly; given only a, a is clipped to [tiny, 1 - eps] so no log(0) can occur.
    """

    name = "cross_entropy"
    activation = ACTIVATIONS["sigmoid"]
    outputs_are = targets_are = "probabilities"  # a and y in [0, 1]

    def value_unchecked(self, a, y, z=None):
        y = target_rows(y, a)
        if z is not None:
            return np.sum(binary_cross_entropy_from_z(z, y)) / a.shape[0]
        a = _clip_probability(a)
        return -np.sum(y * np.log(a) + (1 - y) * np.log1p(-a)) / a.shape[0]

    def delta_unchecked(self, a, y, z=None):
        return a - target_rows(y, a)


class LogLikelihoodLoss(Loss):
    """Log-likelihood (categorical cross-entropy), C = -(1/n) sum_i ln a_{i,t_i} = -(1/n) sum_i sum_j y_ij ln a_ij.

    The outputs a = softmax(z) are a probability distribution over the K classes, and the
    loss is minus the log of the probability given to the true class. delta = a - y: the
    softmax Jacobian cancels (y must sum to 1 in each row, as one-hot labels do; rows of a
    and y must be probabilities summing to 1, within 1e-3). Pairs with: a softmax output only.

    Given z, ln a = z - max(z) - ln sum_k e^(z_k - max(z)) is computed from z exactly;
    given only a, a is clipped to [tiny, 1 - eps] so no log(0) can occur.
    """

    name = "log_likelihood"
    activation = ACTIVATIONS["softmax"]
    outputs_are = targets_are = "distributions"  # rows of a and y: probabilities summing to 1

    def value_unchecked(self, a, y, z=None):
        log_a = log_softmax_unchecked(z) if z is not None else np.log(_clip_probability(a))
        if y.ndim == 1:
            return -np.sum(log_a[np.arange(a.shape[0]), y]) / a.shape[0]
        return -np.sum(y * log_a) / a.shape[0]

    def delta_unchecked(self, a, y, z=None):
        return a - target_rows(y, a)


LOSSES = {
    "quadratic": QuadraticLoss(),
    "cross_entropy": CrossEntropyLoss(),
    "log_likelihood": LogLikelihoodLoss(),
}
"""Losses by name, each paired with its usual output activation (``loss.activation``)."""


def get_loss(loss, output: str | None = None) -> Loss:
    """The loss named ``loss`` (or a Loss object, returned as is), for an output activation.

    ``output`` picks an output activation other than the loss's usual pairing; only the
    quadratic loss allows that (its delta carries f'(z) for any f).
    """
    if isinstance(loss, Loss):
        chosen = loss
    else:
        chosen = lookup("loss", loss, LOSSES, "loss")
    if output is None or output == chosen.activation.name:
        return chosen
    if isinstance(chosen, QuadraticLoss):
        return QuadraticLoss(output)
    lookup("output", output, ACTIVATIONS, "output activation")
    raise ValueError(
        f"output: the {chosen.name!r} loss pairs with a {chosen.activation.name!r} output "
        f"(that pairing is what makes delta = a - y), got {output!r}; use loss='quadratic' "
        "for other output activations"
    )


def softmax_loss_and_gradient(z, true_class: int, temperature: float = 1.0):
    """Softmax probabilities, log-likelihood loss and its gradient for ONE example's scores.

    z: scores (K,); true_class: an index in 0..K-1; temperature T > 0 divides the scores
    first, a = softmax(z / T). Returns (a, loss, gradient) with loss = -ln a_true and
    gradient = dloss/dz = (a - y) / T, shape (K,), y the one-hot label. At T = 1 this is the
    delta = a - y of the lesson; the original lesson's example z = [1, 5, 3], true class 1 gives
    a = [0.016, 0.867, 0.117] and gradient [0.016, -0.133, 0.117].
    """
    z = as_float_array("z", z, ndim=1)
    if z.size < 2:
        raise ValueError(f"z: expected at least two scores, got {z.size}")
    temperature = check_positive("temperature", temperature)
    if isinstance(true_class, bool) or not isinstance(true_class, (int, np.integer)) or not 0 <= true_class < z.size:
        raise ValueError(f"true_class: expected a class index in 0..{z.size - 1}, got {true_class!r}")
    scaled = (z / temperature)[None, :]
    loss = LOSSES["log_likelihood"]
    a = loss.activation.function(scaled.copy())
    label = np.array([true_class])
    return a[0], loss.value(a, label, z=scaled), loss.delta(a, label, scaled)[0] / temperature
