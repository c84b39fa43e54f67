"""A fully connected network, forward pass and backpropagation over a whole batch at once.

Shapes for a batch of n examples and layer sizes [n_0, n_1, ..., n_L]:

    x, a^0        (n, n_0)          the inputs, one example per row
    W^l           (n_{l-1}, n_l)    weights[l-1]
    b^l           (n_l,)            biases[l-1]
    z^l           (n, n_l)          z^l = a^{l-1} @ W^l + b^l
    a^l           (n, n_l)          a^l = f(z^l)   (hidden f, or the loss's output activation)
    delta^l       (n, n_l)          delta^l = dC_i / dz^l, one row per example

Backpropagation, the four equations in matrix form (the mean loss C = (1/n) sum_i C_i):

    delta^L = loss.delta(a^L, y, z^L)                       (a - y for a well-chosen loss)
    delta^l = (delta^{l+1} @ W^{l+1}.T) * f'(z^l)           with f'(z^l) from a^l
    dC/dW^l = a^{l-1}.T @ delta^l / n
    dC/db^l = sum over the batch of delta^l / n

Every example of the batch goes through one matrix product per layer: no Python loop over
examples.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .losses import Loss, get_loss
from .targets import predicted_classes
from .validation import as_batch, as_float_array, as_targets, check_positive, check_seed, lookup

INITIALIZATIONS = {
    "scaled": "weights ~ N(0, 1/n_in), biases ~ N(0, 1): z starts near the sigmoid's steep middle",
    "classic": "weights and biases ~ N(0, 1): large z, many units start saturated",
}

MAX_PARAMETER_BYTES = 8 * 2**30
"""The largest network Network() builds: 8 GiB of weights and biases (sizes beyond are a typo)."""


def mean_abs(array) -> float:
    """mean |array|, as np.mean(np.abs(array)) computes it (a sum in the array's dtype, divided once),
    without np.mean's Python-level bookkeeping: on a mini-batch's small arrays that cost as much as the sum."""
    total = np.abs(array).sum()
    return float(total.dtype.type(total / array.size))  # the quotient rounded to the array's dtype, as np.mean does


def _float_dtype(dtype) -> np.dtype:
    """``dtype`` as np.float32 or np.float64, or a TypeError naming dtype."""
    try:
        chosen = np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"dtype: expected np.float32 or np.float64, got {dtype!r} (not a NumPy dtype)") from None
    if chosen not in (np.float32, np.float64):
        raise TypeError(f"dtype: expected np.float32 or np.float64, got {chosen}")
    return chosen


def _check_memory(sizes, dtype: np.dtype) -> None:
    """Refuse, before allocating anything, sizes whose weights and biases exceed MAX_PARAMETER_BYTES."""
    count = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    size = count * dtype.itemsize  # bytes, a Python int of any size
    if size > MAX_PARAMETER_BYTES:
        gigabytes = f"{size / 1e9:.1f}" if size < 10**300 else f"about 10^{len(str(size)) - 10}"
        raise ValueError(
            f"sizes: expected a network whose weights and biases fit in {MAX_PARAMETER_BYTES / 2**30:g} GiB "
            f"({MAX_PARAMETER_BYTES / 1e9:.1f} GB), got {gigabytes} GB for sizes {sizes} "
            f"({count:,} parameters in {dtype.name}); use fewer or smaller layers")


class Network:
    """A fully connected feed-forward network trained by backpropagation.

    Parameters
    ----------
    sizes : list of int
        Units per layer, input first: [784, 30, 10] is 784 inputs, one hidden layer of 30
        units and 10 outputs. At least two entries.
    hidden : str
        Activation of every hidden layer: "sigmoid", "tanh", "relu" or "identity".
    loss : str or Loss
        "quadratic", "cross_entropy" or "log_likelihood" (see ``lesson_lib.LOSSES``). The loss
        also fixes the output activation: sigmoid for the first two, softmax for the last.
    output : str, optional
        Another output activation, only with the quadratic loss (e.g. "identity" for
        regression).
    init : str
        "scaled" (weights ~ N(0, 1/n_in)) or "classic" (weights ~ N(0, 1)); biases ~ N(0, 1).
    seed : int
        Seed of the random initialization (>= 0); the same seed gives the same network.
    dtype : numpy float dtype
        np.float32 (default, fast) or np.float64 (for gradient checks).

    Sizes whose weights and biases would take more than 8 GiB (``MAX_PARAMETER_BYTES``) are
    refused before anything is allocated.
    """

    def __init__(self, sizes, hidden="sigmoid", loss="log_likelihood", *, output=None,
                 init="scaled", seed=0, dtype=np.float32):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"sizes: expected a list of layer sizes such as [784, 30, 10], got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"sizes: expected at least 2 layer sizes (inputs and outputs), got {list(sizes)}")
        self.sizes = [check_positive(f"sizes[{i}]", s, integer=True) for i, s in enumerate(sizes)]
        self.hidden = lookup("hidden", hidden, ACTIVATIONS, "hidden activation")
        if not self.hidden.elementwise:
            raise ValueError(f"hidden: {hidden!r} is an output activation; expected 'sigmoid', 'tanh', 'relu' or 'identity'")
        self.loss: Loss = get_loss(loss, output)
        lookup("init", init, INITIALIZATIONS, "initialization")
        self.dtype = _float_dtype(dtype)
        self.seed = check_seed("seed", seed)
        _check_memory(self.sizes, self.dtype)
        self.init = init
        rng = np.random.default_rng(self.seed)
        self.n_layers = len(self.sizes) - 1  # weight layers: the hidden layers and the output layer
        self.weights, self.biases = [], []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            scale = 1.0 / np.sqrt(n_in) if init == "scaled" else 1.0
            self.weights.append((rng.standard_normal((n_in, n_out)) * scale).astype(self.dtype))
            self.biases.append(rng.standard_normal(n_out).astype(self.dtype))
        # each layer's activation function, looked up once: hidden layers, then the output layer
        self._layer_functions = [self.hidden.function] * (self.n_layers - 1) + [self.loss.activation.function]

    # -- description ---------------------------------------------------------------------------

    def layer_name(self, l: int) -> str:
        """A readable name for weight layer l (0-based): 'hidden layer 1', ..., 'output layer'."""
        return "output layer" if l == self.n_layers - 1 else f"hidden layer {l + 1}"

    def __repr__(self):
        return (f"Network({self.sizes}, hidden={self.hidden.name!r}, loss={self.loss.name!r}, "
                f"output={self.loss.activation.name!r}, init={self.init!r}, seed={self.seed}, "
                f"dtype={self.dtype.name})")

    def copy(self) -> "Network":
        """An independent copy with the same weights (to compare runs from the same start)."""
        twin = object.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.weights = [w.copy() for w in self.weights]
        twin.biases = [b.copy() for b in self.biases]
        return twin

    def astype(self, dtype) -> "Network":
        """A copy whose weights, biases and computations use ``dtype`` (e.g. np.float64)."""
        twin = self.copy()
        twin.dtype = _float_dtype(dtype)
        twin.weights = [w.astype(dtype) for w in self.weights]
        twin.biases = [b.astype(dtype) for b in self.biases]
        return twin

    # -- checked public API --------------------------------------------------------------------

    def check_inputs(self, x, name="x") -> np.ndarray:
        """x as a finite (n, sizes[0]) array in the network's dtype, or a clear error."""
        return as_batch(name, x, n_features=self.sizes[0], dtype=self.dtype)

    def check_targets(self, y, n, name="y") -> np.ndarray:
        """y as labels (n,) in 0..K-1 or targets (n, K) in the network's dtype that its loss can
        use (probabilities for the cross-entropy and log-likelihood losses), or a clear error."""
        y = as_targets(name, y, n=n, n_classes=self.sizes[-1])
        if y.ndim == 2:
            y = as_float_array(name, y, dtype=self.dtype)  # a target too large for float32 is named as such
        return self.loss.check_target_rows(y, name)

    @np.errstate(over="ignore")
    def forward(self, x) -> np.ndarray:
        """Output activations a^L for a batch x (n, sizes[0]); returns (n, sizes[-1])."""
        return self.forward_all_unchecked(self.check_inputs(x))[1][-1]

    @np.errstate(over="ignore")
    def forward_all(self, x):
        """Every layer's weighted input and activation for a batch x (n, sizes[0]).

        Returns (zs, activations): zs[l] is z of weight layer l, shape (n, sizes[l+1]);
        activations[0] is x itself and activations[l+1] = f(zs[l]).
        """
        return self.forward_all_unchecked(self.check_inputs(x))

    @np.errstate(over="ignore")
    def loss_value(self, x, y) -> float:
        """Mean loss over the batch, computed from z so that no log(0) can occur."""
        x = self.check_inputs(x)
        return self.loss_value_unchecked(x, self.check_targets(y, x.shape[0]))

    @np.errstate(over="ignore")
    def gradients(self, x, y):
        """Gradients of the mean loss by backpropagation over the batch.

        x: (n, sizes[0]); y: labels (n,) or targets (n, sizes[-1]).
        Returns (weight_gradients, bias_gradients), lists shaped like weights and biases.
        """
        x = self.check_inputs(x)
        weight_gradients, bias_gradients, _ = self.backprop_unchecked(x, self.check_targets(y, x.shape[0]))
        return weight_gradients, bias_gradients

    @np.errstate(over="ignore")
    def error_terms(self, x, y) -> list:
        """Every layer's error term on a batch, from one backward pass: delta^l = dC_i/dz^l.

        x: (n, sizes[0]); y: labels (n,) or targets (n, sizes[-1]). Returns a list with one
        array per weight layer, first hidden layer first, output layer last; entry l is
        shaped (n, sizes[l+1]), one row per example. They are the deltas that ``gradients``
        turns into dC/dW^l = a^{l-1}.T @ delta^l / n (notebook 05 derives both).
        """
        return self.backward(x, y)[2]

    @np.errstate(over="ignore")
    def backward(self, x, y):
        """One forward and one backward pass: (weight_gradients, bias_gradients, error_terms),
        as ``gradients`` and ``error_terms`` return them, without running backpropagation twice."""
        x = self.check_inputs(x)
        deltas = []
        weight_gradients, bias_gradients, _ = self.backprop_unchecked(x, self.check_targets(y, x.shape[0]), deltas=deltas)
        return weight_gradients, bias_gradients, deltas

    def predict(self, x) -> np.ndarray:
        """Predicted class for each example, shape (n,): the index of the largest output
        (for a single output unit: 1 if a > 0.5 else 0)."""
        return predicted_classes(self.forward(x))

    @np.errstate(over="ignore")
    def accuracy(self, x, y) -> float:
        """Fraction of examples whose predicted class equals the label (labels or one-hot y)."""
        x = self.check_inputs(x)
        y = self.check_targets(y, x.shape[0])
        labels = y if y.ndim == 1 else predicted_classes(y)
        return float(np.mean(predicted_classes(self.forward_all_unchecked(x)[1][-1]) == labels))

    # -- kernels on checked arrays (used by train) -----------------------------------------------

    def forward_all_unchecked(self, x):
        """``forward_all`` for a checked x (n, sizes[0]) in the network's dtype: the fast path."""
        zs, activations = [], [x]
        for w, b, f in zip(self.weights, self.biases, self._layer_functions):
            z = activations[-1] @ w + b
            zs.append(z)
            activations.append(f(z))
        return zs, activations

    def loss_value_unchecked(self, x, y) -> float:
        """Mean loss for a checked x (n, sizes[0]) and checked targets y: the fast path of ``loss_value``."""
        zs, activations = self.forward_all_unchecked(x)
        return float(self.loss.value_unchecked(activations[-1], y, zs[-1]))

    def backprop_unchecked(self, x, y, with_stats=False, deltas=None):
        """Gradients of the mean loss for checked x, y, from one forward and one backward pass.

        Returns (weight_gradients, bias_gradients, stats); with ``with_stats`` stats is the
        pair (mean loss, mean |delta^L|) for the gradient-health monitor, else None. Given a
        list ``deltas``, each layer's error term (n, n_l) is put in it, first layer first.
        """
        zs, activations = self.forward_all_unchecked(x)
        delta = self.loss.delta_unchecked(activations[-1], y, zs[-1])
        stats = None
        if with_stats:
            stats = (float(self.loss.value_unchecked(activations[-1], y, zs[-1])), mean_abs(delta))
        delta /= x.shape[0]  # gradient of the mean: each example weighs 1/n (delta is a fresh array)
        n_layers, weights, slope = self.n_layers, self.weights, self.hidden.derivative_from_output
        weight_gradients, bias_gradients = [None] * n_layers, [None] * n_layers
        for l in range(n_layers - 1, -1, -1):  # from the output layer back to the first
            if deltas is not None:
                deltas.insert(0, delta * x.shape[0])  # per example again: dC_i/dz, not d(mean C)/dz
            weight_gradients[l] = activations[l].T @ delta
            bias_gradients[l] = np.add.reduce(delta, axis=0)  # delta.sum(axis=0), without its Python wrapper
            if l > 0:
                # activations[l] is the output of the hidden layer below weight layer l: f'(z) from a
                delta = delta @ weights[l].T
                delta *= slope(activations[l])  # in place: (delta^{l+1} @ W^{l+1}.T) * f'(z^l)
        return weight_gradients, bias_gradients, stats
