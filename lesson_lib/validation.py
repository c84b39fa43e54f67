"""Input checks shared by every public function.

Each check raises a ``ValueError`` or ``TypeError`` whose message names the argument, says
what was expected and shows what was given, so a learner who passes the wrong thing sees
at once what to change. The checks run once per public call, never inside the training
loop's per-batch path.
"""

from __future__ import annotations

from numbers import Real

import numpy as np


def _describe(value) -> str:
    """A short description of ``value`` for error messages (type and, for arrays, shape)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def as_float_array(name: str, value, *, ndim: int | None = None, dtype=None) -> np.ndarray:
    """Return ``value`` as a finite floating-point array, or raise naming ``name``.

    ``ndim`` (optional) is the required number of dimensions; ``dtype`` (optional) the
    floating dtype to convert to. Integer input is converted to float64 unless ``dtype``
    says otherwise; booleans and strings are rejected.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {_describe(value)}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {_describe(value)} ({error})") from None
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.number)):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got dtype {array.dtype}")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    elif not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got {array.ndim}-D with shape {array.shape}")
    # One fast pass: NaN and inf propagate into the sum. Only if the sum is not finite (it
    # may also overflow on huge finite values) count the bad entries one by one.
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()
    bad = 0 if np.isfinite(total) else int(np.size(array) - np.count_nonzero(np.isfinite(array)))
    if bad:
        raise ValueError(f"{name}: expected finite numbers, got {bad} NaN or infinite value(s)")
    return array


def as_batch(name: str, value, *, n_features: int | None = None, dtype=None) -> np.ndarray:
    """Return a finite 2-D batch shaped (n, n_features), or raise naming ``name``.

    A batch always has one row per example, even for a single example: shape (1, n_features).
    """
    array = as_float_array(name, value, dtype=dtype)
    if array.ndim != 2:
        hint = " (one example? use x.reshape(1, -1))" if array.ndim == 1 else ""
        raise ValueError(
            f"{name}: expected a 2-D batch shaped (n, {n_features if n_features else 'features'}), "
            f"got shape {array.shape}{hint}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one example (row), got shape {array.shape}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name}: expected shape (n, {n_features}), got {array.shape}")
    return array


def as_targets(name: str, y, *, n: int, n_classes: int) -> np.ndarray:
    """Check targets for a batch of ``n`` examples with ``n_classes`` outputs.

    Accepts integer class labels shaped (n,) with values in [0, n_classes), or a float array
    shaped (n, n_classes) (one-hot labels, or any targets for a quadratic loss). Returns
    labels as an int64 array or targets as a float array.
    """
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name}: expected labels (n,) or targets (n, {n_classes}), got {_describe(y)}")
    array = np.asarray(y)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name}: expected numbers, got dtype {array.dtype}")
    if array.ndim == 1:
        if array.shape[0] != n:
            raise ValueError(f"{name}: expected {n} labels to match the {n} examples, got {array.shape[0]}")
        if not np.issubdtype(array.dtype, np.integer):
            if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
                raise TypeError(f"{name}: expected whole-number class labels, got dtype {array.dtype} with fractions")
        if n_classes == 1:
            raise ValueError(
                f"{name}: a network with 1 output needs targets shaped ({n}, 1), got labels shaped {array.shape}"
            )
        low, high = array.min(), array.max()
        if low < 0 or high >= n_classes:
            raise ValueError(
                f"{name}: expected class labels in 0..{n_classes - 1}, got values from {low:g} to {high:g}"
            )
        return array.astype(np.int64, copy=False)
    if array.ndim == 2:
        if array.shape != (n, n_classes):
            raise ValueError(f"{name}: expected shape ({n}, {n_classes}) to match the outputs, got {array.shape}")
        return as_float_array(name, array)
    raise ValueError(f"{name}: expected labels shaped ({n},) or targets shaped ({n}, {n_classes}), got {array.shape}")


def check_positive(name: str, value, *, integer: bool = False):
    """Return ``value`` if it is a positive real (or positive whole) number, else raise."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        kind = "a positive whole number" if integer else "a positive number"
        raise TypeError(f"{name}: expected {kind}, got {_describe(value)}")
    if integer and int(value) != value:
        raise TypeError(f"{name}: expected a positive whole number, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        kind = "a whole number >= 1" if integer else "a number > 0"
        raise ValueError(f"{name}: expected {kind}, got {value!r}")
    return int(value) if integer else float(value)


def lookup(name: str, key, registry: dict, what: str):
    """Return ``registry[key]``, or raise listing the names that exist."""
    if not isinstance(key, str):
        raise TypeError(f"{name}: expected the name of {what} ({', '.join(map(repr, registry))}), got {_describe(key)}")
    try:
        return registry[key]
    except KeyError:
        raise ValueError(
            f"{name}: unknown {what} {key!r}; expected one of {', '.join(map(repr, registry))}"
        ) from None
