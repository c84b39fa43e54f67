"""Turning scores into probabilities: softmax's exponential against other positive functions.

Notebook 08 asks why softmax uses e^z. Any positive function g gives probabilities,

    a_j = g(z_j) / S,     S = sum_k g(z_k),

and with the log-likelihood loss C = -ln a_t (t the true class) the output error term is

    delta_j = dC/dz_j = g'(z_j) / S  -  y_j g'(z_j) / g(z_j)          (y one-hot)

For g = exp, g' = g, so delta = a - y. For every other g a factor is left over: for
g = sigmoid, delta = (a - y) * (1 - sigma(z)), which vanishes when the scores are large.

Shapes: z (n, K) scores, one example per row; y (n,) labels or (n, K) one-hot rows;
a and delta (n, K).

The four normalizations of ``NORMALIZATIONS``:

    "exp"           g(z) = e^z                    (softmax)
    "sigmoid"       g(z) = sigma(z)               (normalized sigmoids)
    "square"        g(z) = z^2 + 1e-6             (the 1e-6 keeps a_t > 0 so ln a_t exists)
    "shifted_linear" g(z_j) = z_j - min_k z_k + 1 (the lowest score is shifted to 1)
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, log_softmax_unchecked, sigmoid_unchecked, softmax_unchecked
from .losses import Loss
from .targets import target_rows
from .validation import as_float_array, lookup

SQUARE_FLOOR = 1e-6


@np.errstate(over="ignore")  # e^(-z) overflowing for very negative z gives sigma(z) = 0, the right limit
def _sigmoid_normalized(z):
    g = sigmoid_unchecked(z)
    return g / g.sum(axis=-1, keepdims=True)


def _square_normalized(z):
    g = z * z + SQUARE_FLOOR
    return g / g.sum(axis=-1, keepdims=True)


def _shifted_linear(z):
    g = z - z.min(axis=-1, keepdims=True) + 1.0
    return g / g.sum(axis=-1, keepdims=True)


NORMALIZATIONS = {
    "exp": Activation("exp", softmax_unchecked, None),
    "sigmoid": Activation("sigmoid_normalized", _sigmoid_normalized, None),
    "square": Activation("square_normalized", _square_normalized, None),
    "shifted_linear": Activation("shifted_linear", _shifted_linear, None),
}
"""Score-to-probability maps by name: each turns scores z (n, K) into rows a (n, K) that sum to 1."""


def normalize(name: str, z) -> np.ndarray:
    """Probabilities a (n, K) from scores z (n, K) (or one row (K,)) with the named normalization."""
    normalization = lookup("name", name, NORMALIZATIONS, "normalization")
    z = as_float_array("z", z, dtype=np.float64)
    if z.ndim not in (1, 2) or z.shape[-1] < 2:
        raise ValueError(f"z: expected scores shaped (K,) or (n, K) with K >= 2, got shape {z.shape}")
    return normalization.function(z)


class NormalizedLogLikelihood(Loss):
    """Log-likelihood C = -(1/n) sum_i ln a_{i,t_i} with a = g(z) / sum g(z) for the named g.

    delta_j = g'(z_j)/S - y_j g'(z_j)/g(z_j), worked out for each g (module docstring):

        exp              a - y
        sigmoid          (a - y) * (1 - sigma(z))
        square           2 z / S - y * 2 z / g(z)
        shifted_linear   1/S - y/g   plus, at the lowest score, sum_j y_j/g_j - k/S
                         (moving the lowest score moves every g)

    Use it as ``Network(sizes, loss=NormalizedLogLikelihood("sigmoid"))``; "exp" behaves
    exactly like the "log_likelihood" loss.
    """

    outputs_are = targets_are = "distributions"  # a = g / sum g: rows of probabilities summing to 1

    def __init__(self, normalization: str = "exp"):
        self.normalization = normalization
        self.activation = lookup("normalization", normalization, NORMALIZATIONS, "normalization")
        self.name = f"log_likelihood[{normalization}]"

    def value_unchecked(self, a, y, z=None):
        if z is not None and self.normalization == "exp":
            log_a = log_softmax_unchecked(z)
        else:
            log_a = np.log(np.maximum(a, np.finfo(a.dtype).tiny))
        return -np.sum(target_rows(y, a) * log_a) / a.shape[0]

    @np.errstate(over="ignore")
    def delta_unchecked(self, a, y, z=None):
        y = target_rows(y, a)
        if self.normalization == "exp":
            return a - y
        if z is None:
            raise ValueError(f"z: the {self.normalization!r} normalization's delta needs the scores z (n, K), got None")
        if self.normalization == "sigmoid":
            return (a - y) * (1.0 - sigmoid_unchecked(z))
        if self.normalization == "square":
            g = z * z + SQUARE_FLOOR
            slope = 2.0 * z
            return slope / g.sum(axis=-1, keepdims=True) - y * slope / g
        # shifted linear: g_j = z_j - z_min + 1, so dg_j/dz_m = [j = m] - [m = lowest]
        g = z - z.min(axis=-1, keepdims=True) + 1.0
        total = g.sum(axis=-1, keepdims=True)
        delta = 1.0 / total - y / g
        lowest = z.argmin(axis=-1)
        rows = np.arange(z.shape[0])
        delta[rows, lowest] += np.sum(y / g, axis=-1) - z.shape[-1] / total[:, 0]
        return delta
