"""Checking backpropagation against finite differences.

The central difference  (f(x + h) - f(x - h)) / 2h  approximates df/dx with an error of order
h^2. In float64 with h = 1e-5 it agrees with a correct analytic gradient to about 1e-8 to
1e-10 in relative error; a wrong gradient is off by far more. Always check in float64: in
float32 the rounding error of f swamps the difference.

relative error(a, b) = max |a - b| / max(|a| + |b|, tiny), as in CS231n.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .network import Network
from .validation import describe, as_float_array, check_positive, check_seed


def _number(f, value) -> float:
    """The value f returned, as a float, or a TypeError naming f and what it returned."""
    if isinstance(value, (float, np.floating)):  # the usual case, checked first: no cost
        return value
    if not isinstance(value, (str, bytes)) and value is not None:
        array = np.asarray(value)
        if array.size == 1 and (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
            return float(array.reshape(()))
    raise TypeError(f"f: expected a function of x returning one number, it returned {describe(value)}")


def _check_indices(indices, shape) -> list:
    """``indices`` as a list of index tuples within ``shape``, or an error naming indices."""
    checked = []
    for index in indices:
        entries = index if isinstance(index, tuple) else (index,)
        if not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in entries):
            raise TypeError(f"indices: expected index tuples of whole numbers, got {index!r}")
        if len(entries) != len(shape):
            raise ValueError(f"indices: expected index tuples of {len(shape)} entr{'y' if len(shape) == 1 else 'ies'} "
                             f"for x's shape {shape}, got {index!r}")
        if not all(-n <= i < n for i, n in zip(entries, shape)):
            raise ValueError(f"indices: expected indices within x's shape {shape}, got {index!r}")
        checked.append(tuple(int(i) for i in entries))
    return checked


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5,
                       indices=None) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` must be a float64 array; it is nudged in place one entry at a time and restored.
    ``f(x)`` must return one number. Returns an array shaped like ``x``. With ``indices`` (a
    list of index tuples within x's shape) only those entries are computed (a sparse check for
    big arrays); the others are 0.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x: expected a float64 numpy array (finite differences need float64), got "
                        f"{type(x).__name__}{'' if not isinstance(x, np.ndarray) else ' of dtype ' + str(x.dtype)}")
    if not callable(f):
        raise TypeError(f"f: expected a function of x returning a number, got {f!r}")
    if not (isinstance(h, float) and h > 0):
        raise ValueError(f"h: expected a small positive float such as 1e-5, got {h!r}")
    if indices is not None:
        indices = _check_indices(indices, x.shape)
    grad = np.zeros_like(x)
    for index in (np.ndindex(x.shape) if indices is None else indices):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original  # restored even if f raises
        grad[index] = (_number(f, f_plus) - _number(f, f_minus)) / (2 * h)
    return grad


def _finite(name: str, value) -> np.ndarray:
    try:
        return as_float_array(name, value, dtype=np.float64)
    except ValueError as error:
        raise ValueError(f"{error}; the relative error would be meaningless") from None


def rel_error(a, b) -> float:
    """Largest relative difference between arrays a and b (same shape, finite):
    max |a - b| / max(|a| + |b|, 1e-8)."""
    a, b = _finite("a", a), _finite("b", b)
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a {a.shape}, got {b.shape}")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8))) if a.size else 0.0


@np.errstate(over="ignore")
def check_network_gradients(net: Network, x, y, *, max_entries: int | None = None, seed: int = 0) -> dict:
    """Compare backprop's gradients of ``net`` with finite differences, on a float64 copy.

    x: (n, sizes[0]); y: labels (n,) or targets (n, K). Returns {"W1": error, "b1": error,
    ...}, the relative error per parameter array (layers numbered from 1). With
    ``max_entries`` (a whole number >= 1) only that many random entries per array are checked
    (for big layers), picked with the random ``seed``.
    """
    if max_entries is not None:
        max_entries = check_positive("max_entries", max_entries, integer=True)
    seed = check_seed("seed", seed)
    net64 = net.astype(np.float64)
    x = net64.check_inputs(x)
    y = net64.check_targets(y, x.shape[0])
    weight_gradients, bias_gradients, _ = net64.backprop_unchecked(x, y)
    rng = np.random.default_rng(seed)
    errors = {}
    for l in range(net64.n_layers):
        for label, params, analytic in (("W", net64.weights, weight_gradients), ("b", net64.biases, bias_gradients)):
            array = params[l]
            indices = None
            if max_entries is not None and array.size > max_entries:
                flat = rng.choice(array.size, size=max_entries, replace=False)
                indices = [np.unravel_index(i, array.shape) for i in flat]
            numeric = numerical_gradient(lambda _: net64.loss_value_unchecked(x, y), array, indices=indices)
            if indices is None:
                errors[f"{label}{l + 1}"] = rel_error(analytic[l], numeric)
            else:
                picked = tuple(np.array(i) for i in zip(*indices))
                errors[f"{label}{l + 1}"] = rel_error(analytic[l][picked], numeric[picked])
    return errors
