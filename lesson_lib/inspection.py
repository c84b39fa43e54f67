"""Looking inside a trained classifier: which classes it confuses, which digits it gets wrong
and how sure it was, and how large the output layer's weighted inputs z are.

Shapes: x (n, features) inputs, y (n,) integer labels, a (n, K) output activations.
"""

from __future__ import annotations

import numpy as np

from .network import Network
from .targets import predicted_classes
from .validation import as_labels, check_positive


def confusion_matrix(labels, predictions, n_classes: int = 10) -> np.ndarray:
    """Counts (K, K): entry [i, j] is how many examples of true class i were predicted as j.

    The diagonal holds the correct answers; each row sums to the number of examples of that
    class. labels, predictions: integer arrays (n,), n >= 1, with values in 0..n_classes-1.
    """
    n_classes = check_positive("n_classes", n_classes, integer=True)
    labels = as_labels("labels", labels, n_classes=n_classes)
    predictions = as_labels("predictions", predictions, n_classes=n_classes, n=labels.shape[0])
    pairs = labels * n_classes + predictions  # one integer per (true, predicted) pair
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def most_confused(matrix, count: int = 3):
    """The ``count`` largest off-diagonal entries of a confusion matrix, as (true, predicted,
    number) triples, largest first (ties broken by true class, then predicted class)."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix: expected a square confusion matrix, got shape {matrix.shape}")
    count = check_positive("count", count, integer=True)
    off = [(int(matrix[i, j]), i, j) for i in range(len(matrix)) for j in range(len(matrix)) if i != j]
    off.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    return [(i, j, n) for n, i, j in off[:count] if n > 0]


def confident_mistakes(net: Network, x, y, count: int = 10):
    """The misclassified examples the network was surest about, most confident first.

    Returns a dict of arrays: ``index`` (m,) positions in x, ``label`` and ``predicted`` (m,),
    ``probabilities`` (m, K) the network's outputs for those examples; m <= count.
    """
    x = net.check_inputs(x)
    y = net.check_targets(y, x.shape[0])
    if y.ndim != 1:
        raise ValueError(f"y: expected integer labels shaped (n,), got shape {y.shape}")
    count = check_positive("count", count, integer=True)
    a = net.forward(x)
    predicted = predicted_classes(a)
    wrong = np.flatnonzero(predicted != y)
    confidence = a[wrong, predicted[wrong]]
    chosen = wrong[np.argsort(-confidence, kind="stable")[:count]]
    return {"index": chosen, "label": y[chosen], "predicted": predicted[chosen], "probabilities": a[chosen]}


def output_z_summary(net: Network, x) -> dict:
    """How large the output layer's weighted inputs z^L are on a batch x (n, features).

    Returns min, max, the mean |z| and the fraction of z with |z| > 5 (where a sigmoid's
    slope sigma'(z) is below 0.007: saturated).
    """
    zs, _ = net.forward_all(x)
    z = zs[-1]
    return {"min": float(z.min()), "max": float(z.max()), "mean_abs": float(np.mean(np.abs(z))),
            "saturated": float(np.mean(np.abs(z) > 5))}


def _mean_sizes(arrays) -> list:
    """mean |v| of each array: one number per layer."""
    return [float(np.mean(np.abs(array))) for array in arrays]


def layer_gradient_sizes(net: Network, x, y) -> list:
    """Mean |dC/dw| over the weights of each layer, first hidden layer first, on the batch (x, y).

    x (n, features), y labels (n,) or targets (n, K). A layer whose number is far below the
    output layer's learns correspondingly slower at the same learning rate.
    """
    weight_gradients, _ = net.gradients(x, y)
    return _mean_sizes(weight_gradients)


def layer_error_sizes(net: Network, x, y) -> list:
    """Mean |delta^l| of each layer, first hidden layer first, on the batch (x, y).

    delta^l = dC_i/dz^l is the error term backpropagation carries down (notebook 05):
    delta^l = (delta^{l+1} @ W^{l+1}.T) * f'(z^l). x (n, features), y labels (n,) or
    targets (n, K). Returns one float per weight layer.
    """
    return _mean_sizes(net.error_terms(x, y))


def layer_sizes(net: Network, x, y) -> tuple:
    """(layer_error_sizes, layer_gradient_sizes) from a single backward pass (what notebook 05's
    explorer shows on every change of a control)."""
    weight_gradients, _, deltas = net.backward(x, y)
    return _mean_sizes(deltas), _mean_sizes(weight_gradients)


def saturated_fraction(net: Network, x, slope_below: float = 0.01) -> list:
    """For each hidden layer, the fraction of (example, unit) pairs whose slope f'(z) is below
    ``slope_below``: units that pass back less than that share of the gradient.

    For the sigmoid, slope < 0.01 means |z| > 4.6; for tanh |z| > 3.0; for ReLU, z <= 0.
    x: (n, features). Returns one float per hidden layer (an empty list with no hidden layer).
    """
    if not slope_below > 0:
        raise ValueError(f"slope_below: expected a positive number, got {slope_below!r}")
    _, activations = net.forward_all(x)
    slope = net.hidden.derivative_from_output
    return [float(np.mean(slope(a) < slope_below)) for a in activations[1:-1]]
