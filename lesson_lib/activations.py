"""Activation functions a = f(z) and their derivatives f'(z).

Notation used throughout the course: z is a layer's weighted input, z = a_prev @ W + b, and
a = f(z) is its activation. Every function here works element by element on an array of any
shape (softmax works along the last axis), keeps float32 input in float32, and rejects NaN or
infinite input with a message that names the argument.

Each function sits next to its derivative. The derivatives of sigmoid and tanh can also be
written in terms of the output a alone (sigma' = a(1 - a), tanh' = 1 - a^2); backpropagation
uses that form because it already holds a from the forward pass.

Numerical care: ``sigmoid`` computes 1 / (1 + exp(-z)); for very negative z (z < -88 in
float32, z < -709 in float64) exp(-z) overflows to inf and the result is exactly 0, the
correctly rounded answer, so that overflow is silenced on purpose (by ``np.errstate`` in the
public function, and once per call in the network's methods and the training loop, which
call the unchecked kernels). ``softmax`` subtracts the
row's maximum before exponentiating, which never overflows and does not change the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .validation import as_float_array, lookup

# ---------------------------------------------------------------------------------------------
# Kernels: no input checks, used by the network after it has checked its input once.
# ---------------------------------------------------------------------------------------------


def sigmoid_unchecked(z):
    """sigma(z) = 1 / (1 + e^(-z)) for a checked float array z, computed in one new buffer.

    The fast path of ``sigmoid`` (no input check). Callers silence the overflow of e^(-z) for very
    negative z (``np.errstate(over="ignore")``): 1 / inf = 0 is the right limit.
    """
    a = np.negative(z, out=np.empty_like(z))  # an array even for a 0-d z (np.negative would give a scalar)
    np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def _sigmoid_from_output(a):
    slope = 1.0 - a
    slope *= a  # a (1 - a)
    return slope


def _tanh_from_output(a):
    return 1.0 - a * a


def _relu(z):
    return np.maximum(z, 0)


def _relu_from_output(a):
    return (a > 0).astype(a.dtype)


def _identity(z):
    return z


def _identity_from_output(a):
    return np.ones_like(a)


def softmax_unchecked(z):
    """softmax along the last axis for a checked float array z (n, K): the fast path of ``softmax``."""
    # z.max(axis=-1, keepdims=True) and e.sum(...), called as the ufuncs' reductions: the same numbers without
    # ndarray's Python-level wrappers, which on a mini-batch of 10 cost about as much as the arithmetic
    e = z - np.maximum.reduce(z, axis=-1, keepdims=True)  # shift so the largest score is 0: e^0 = 1, no overflow
    np.exp(e, out=e)
    e /= np.add.reduce(e, axis=-1, keepdims=True)
    return e


def log_softmax_unchecked(z):
    """ln softmax(z) = z - max(z) - ln sum_k e^(z_k - max(z)) for a checked z (n, K): the fast path of
    ``log_softmax``, finite for any finite z whose scores span less than the float range
    (beyond it, the right limit -inf)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------------------------------------
# Public functions, each next to its derivative.
# ---------------------------------------------------------------------------------------------


@np.errstate(over="ignore")
def sigmoid(z):
    """Logistic sigmoid, sigma(z) = 1 / (1 + e^(-z)), squashing any z into (0, 1).

    Shape: same as ``z``. Beyond |z| of about 4.6 the output is within 1% of 0 or 1 and the
    slope is below 0.01: the neuron is *saturated* and learns slowly.
    """
    return sigmoid_unchecked(as_float_array("z", z))


@np.errstate(over="ignore")
def sigmoid_prime(z):
    """Derivative of the sigmoid, sigma'(z) = sigma(z) (1 - sigma(z)) = a (1 - a).

    Largest at z = 0, where it is 0.25; shape: same as ``z``.
    """
    return _sigmoid_from_output(sigmoid_unchecked(as_float_array("z", z)))


def tanh(z):
    """Hyperbolic tangent, tanh(z) = (1 - e^(-2z)) / (1 + e^(-2z)), with outputs in (-1, 1).

    A shifted, stretched sigmoid: tanh(z) = 2 sigma(2z) - 1. Zero-centred, so the next layer's
    inputs have both signs. Shape: same as ``z``.
    """
    return np.tanh(as_float_array("z", z))


def tanh_prime(z):
    """Derivative of tanh, tanh'(z) = 1 - tanh(z)^2 = 1 - a^2. Largest at z = 0, where it is 1."""
    return _tanh_from_output(np.tanh(as_float_array("z", z)))


def relu(z):
    """Rectified linear unit, relu(z) = max(0, z). Shape: same as ``z``."""
    return _relu(as_float_array("z", z))


def relu_prime(z):
    """Derivative of ReLU: 1 where z > 0, else 0 (at z = 0 we take 0, a common convention)."""
    z = as_float_array("z", z)
    return (z > 0).astype(z.dtype)


def identity(z):
    """The identity f(z) = z: a "linear" activation. Stacking such layers adds nothing (see 01)."""
    return np.array(as_float_array("z", z), copy=True)


def identity_prime(z):
    """Derivative of the identity: 1 everywhere."""
    return np.ones_like(as_float_array("z", z))


def _as_scores(name: str, z, function: str) -> np.ndarray:
    """z as scores (..., K) with K >= 1 classes, or a clear error. An empty batch (0, K) is allowed."""
    z = as_float_array(name, z)
    if z.ndim == 0:
        raise ValueError(f"{name}: {function} needs at least one axis of scores, got a single number")
    if z.shape[-1] == 0:
        raise ValueError(f"{name}: expected at least one score per row (K >= 1), got shape {z.shape}")
    return z


@np.errstate(over="ignore")  # scores that span more than the float range: z - max(z) is -inf, e^-inf = 0, right
def softmax(z):
    """Softmax along the last axis, a_j = e^(z_j) / sum_k e^(z_k).

    Shapes: z is (..., K), for a batch (n, K); the result has the same shape, each row
    positive and summing to 1. Computed as e^(z_j - max_k z_k) / sum_k e^(z_k - max_k z_k),
    which is the same number (the factor e^(-max) cancels) but cannot overflow. K = 0 classes
    (shape (0,) or (n, 0)) is an error; an empty batch (0, K) gives an empty (0, K).

    Example from the course: softmax([1, 5, 3]) = [0.016, 0.867, 0.117] (the original lesson truncated it to [0.015, 0.866, 0.117]).
    """
    return softmax_unchecked(_as_scores("z", z, "softmax"))


@np.errstate(over="ignore")
def log_softmax(z):
    """ln softmax(z) along the last axis, computed without forming softmax (no log(0)).

    Shapes as for ``softmax``: z (..., K) with K >= 1; an empty batch (0, K) gives (0, K)."""
    return log_softmax_unchecked(_as_scores("z", z, "log_softmax"))


def softmax_jacobian(z):
    """The Jacobian of softmax, J[..., i, j] = d a_i / d z_j, shape (..., K, K).

    Case by case: d a_i / d z_i = a_i (1 - a_i) on the diagonal, and d a_i / d z_j = -a_i a_j
    off it; together J = diag(a) - a a^T.
    """
    a = softmax(z)
    return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])


# ---------------------------------------------------------------------------------------------
# Registry: a hidden or output activation picked by name (for Network and for dropdowns).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An activation by name, with the kernels backpropagation needs.

    ``function(z)`` gives a; ``derivative_from_output(a)`` gives f'(z) written in terms of
    a = f(z) (None for softmax, whose derivative is a Jacobian, not element-wise).
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative_from_output: Callable[[np.ndarray], np.ndarray] | None

    @property
    def elementwise(self) -> bool:
        return self.derivative_from_output is not None


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", sigmoid_unchecked, _sigmoid_from_output),
    "tanh": Activation("tanh", np.tanh, _tanh_from_output),
    "relu": Activation("relu", _relu, _relu_from_output),
    "identity": Activation("identity", _identity, _identity_from_output),
    "softmax": Activation("softmax", softmax_unchecked, None),
}
"""Activations by name. All but softmax can be hidden activations."""


@np.errstate(over="ignore")
def activation_at(name: str, z):
    """The value a = f(z) and the slope f'(z) of the element-wise activation ``name`` at z.

    z: a number or an array of any shape; returns (a, slope), two float arrays shaped like z.
    This is what the activation explorer of notebook 01 shows for the point under its slider.
    """
    activation = lookup("name", name, ACTIVATIONS, "activation")
    if not activation.elementwise:
        raise ValueError(f"name: expected an element-wise activation ({', '.join(HIDDEN_ACTIVATIONS)}), got {name!r}")
    z = np.array(as_float_array("z", z), copy=True)
    a = activation.function(z)
    return a, activation.derivative_from_output(a)


HIDDEN_ACTIVATIONS = tuple(name for name, activation in ACTIVATIONS.items() if activation.elementwise)
"""The names of the element-wise activations (all but softmax)."""
