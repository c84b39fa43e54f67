"""Input checks shared by every public function.

Each check raises a ``ValueError`` or ``TypeError`` whose message names the argument, says
what was expected and shows what was given, so a learner who passes the wrong thing sees
at once what to change. The checks run once per public call, never inside the training
loop's per-batch path.
"""

from __future__ import annotations

import math
import weakref
from numbers import Real

import numpy as np

_VOUCHED = weakref.WeakValueDictionary()  # id(array) -> a read-only array known to hold only finite numbers


def describe(value) -> str:
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
    says otherwise; booleans and strings are rejected. A finite value too large for ``dtype``
    (1e39 in float32) is reported as not fitting, NaN and inf as not finite.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {describe(value)}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {describe(value)} ({error})") from None
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.number)):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got dtype {array.dtype}")
    original = array
    if dtype is not None:
        with np.errstate(over="ignore"):  # a finite value too large for dtype becomes inf: reported below
            array = array.astype(dtype, copy=False)
    elif not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got {array.ndim}-D with shape {array.shape}")
    if is_vouched_finite(array):
        return array
    # One fast pass: NaN and inf propagate into the sum of squares (a BLAS dot product, a third
    # faster than array.sum() on MNIST). Only if it is not finite (it may also overflow on huge
    # finite values) look at the entries one by one.
    with np.errstate(over="ignore", invalid="ignore"):
        if array.flags.c_contiguous and array.ndim and np.issubdtype(array.dtype, np.floating):
            flat = array.reshape(-1)
            total = np.dot(flat, flat)
        else:
            total = array.sum()
    if not np.isfinite(total):
        _report_non_finite(name, original, array)
    return array


def vouch_finite(array: np.ndarray) -> None:
    """Record that the read-only ``array`` holds only finite numbers, checked by the code that made it
    (the MNIST loader: pixels / 255 from files whose SHA-256 it verified), so that ``as_float_array``
    does not scan it, or a view of it, again. That scan reads every number: for the 60,000 training
    images (188 MB) it took 15-20 ms on each call of ``train``, as much as 10% of an epoch at batch 128."""
    if not isinstance(array, np.ndarray) or array.flags.writeable:
        raise ValueError(f"array: expected a read-only NumPy array (one that cannot change later), got {describe(array)}")
    _VOUCHED[id(array)] = array


def is_vouched_finite(array: np.ndarray) -> bool:
    """Whether every entry of ``array`` is an entry of an array passed to ``vouch_finite``: that array or a
    read-only view of it (``x[:1000]``, ``x.reshape(-1, 28, 28)``) with its dtype, whose start and steps fall
    on its entries' boundaries (a view that reads its bytes another way could hold NaN)."""
    for root in (array, array.base):
        if root is not None and _VOUCHED.get(id(root)) is root:
            break
    else:
        return False
    itemsize = root.dtype.itemsize
    offset = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return (array.dtype == root.dtype and not array.flags.writeable and offset % itemsize == 0
            and all(stride % itemsize == 0 for stride in array.strides))


def _report_non_finite(name: str, original: np.ndarray, array: np.ndarray) -> None:
    """Raise for the NaN or infinite entries of ``array``, if any, naming an overflow in the
    conversion from ``original`` (finite there, infinite after it) as such."""
    finite = np.isfinite(array)
    if finite.all():
        return  # only the sum overflowed: every entry is a finite number
    if original is not array:
        overflowed = ~finite & np.isfinite(original)
        count = int(np.count_nonzero(overflowed))
        if count:
            worst = original[overflowed].flat[np.argmax(np.abs(original[overflowed]))]
            largest = np.finfo(array.dtype).max
            raise ValueError(f"{name}: expected numbers that fit in {array.dtype} (at most {largest:.2g} in size), "
                             f"got {worst:g}, which does not fit ({count} value{'s' if count > 1 else ''})")
    bad = int(array.size - np.count_nonzero(finite))
    raise ValueError(f"{name}: expected finite numbers, got {bad} NaN or infinite value(s)")


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
        raise TypeError(f"{name}: expected labels (n,) or targets (n, {n_classes}), got {describe(y)}")
    array = np.asarray(y)
    if n == 0 and array.size == 0:
        raise ValueError(f"{name}: expected at least one label, got an empty array")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name}: expected numbers, got dtype {array.dtype}")
    if array.ndim == 1:
        if n_classes == 1:
            raise ValueError(
                f"{name}: a network with 1 output needs targets shaped ({n}, 1), got labels shaped {array.shape}"
            )
        return as_labels(name, array, n_classes=n_classes, n=n)
    if array.ndim == 2:
        if array.shape != (n, n_classes):
            raise ValueError(f"{name}: expected shape ({n}, {n_classes}) to match the outputs, got {array.shape}")
        return as_float_array(name, array)
    raise ValueError(f"{name}: expected labels shaped ({n},) or targets shaped ({n}, {n_classes}), got {array.shape}")


def as_labels(name: str, y, *, n_classes: int, n: int | None = None) -> np.ndarray:
    """Integer class labels shaped (n,), at least one, with values in 0..n_classes-1, as int64; or
    raise naming ``name``. ``n``: how many labels are expected (None: any number). Whole numbers
    stored as floats are accepted."""
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name}: expected class labels shaped (n,), got {describe(y)}")
    array = np.asarray(y)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name}: expected numbers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name}: expected integer labels shaped (n,), got shape {array.shape}")
    if n is not None and array.shape[0] != n:
        raise ValueError(f"{name}: expected {n} labels to match the {n} examples, got {array.shape[0]}")
    if array.size == 0:
        raise ValueError(f"{name}: expected at least one label, got an empty array")
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise TypeError(f"{name}: expected whole-number class labels, got dtype {array.dtype} with fractions")
    low, high = array.min(), array.max()
    if low < 0 or high >= n_classes:
        raise ValueError(f"{name}: expected class labels in 0..{n_classes - 1}, got values from {low:g} to {high:g}")
    return array.astype(np.int64, copy=False)


SUM_TOLERANCE = 1e-3
"""How far from 1 a row of probabilities may sum: float32 rounding, with room to spare."""


def check_probabilities(name: str, array: np.ndarray, *, rows: bool, expected: str) -> None:
    """Raise naming ``name`` unless every entry of the float array is in [0, 1] and, with
    ``rows``, each row (last axis) sums to 1 within ``SUM_TOLERANCE``. ``expected`` describes
    what was expected, for the message."""
    low, high = array.min(), array.max()
    if low < 0 or high > 1:
        raise ValueError(f"{name}: expected {expected}, got values from {low:g} to {high:g}")
    if rows:
        sums = array.sum(axis=-1, dtype=np.float64)
        worst = np.argmax(np.abs(sums - 1))
        if abs(sums.flat[worst] - 1) > SUM_TOLERANCE:
            raise ValueError(f"{name}: expected {expected}, got a row summing to {sums.flat[worst]:.6g}")


def check_positive(name: str, value, *, integer: bool = False):
    """Return ``value`` if it is a positive real (or positive whole) number, else raise."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        kind = "a positive whole number" if integer else "a positive number"
        raise TypeError(f"{name}: expected {kind}, got {describe(value)}")
    finite = isinstance(value, (int, np.integer)) or math.isfinite(value)  # ints of any size are finite
    if integer and finite and int(value) != value:  # NaN and inf: the ValueError below
        raise TypeError(f"{name}: expected a positive whole number, got {value!r}")
    if not finite or value <= 0:
        kind = "a whole number >= 1" if integer else "a number > 0"
        raise ValueError(f"{name}: expected {kind}, got {value!r}")
    return int(value) if integer else float(value)


def check_seed(name: str, seed) -> int:
    """Return ``seed`` as an int if it is a whole number >= 0 (what np.random.default_rng takes), else raise."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name}: expected a whole number >= 0, got {seed!r}")
    return int(seed)


def lookup(name: str, key, registry: dict, what: str):
    """Return ``registry[key]``, or raise listing the names that exist."""
    if not isinstance(key, str):
        raise TypeError(f"{name}: expected the name of {what} ({', '.join(map(repr, registry))}), got {describe(key)}")
    try:
        return registry[key]
    except KeyError:
        raise ValueError(
            f"{name}: unknown {what} {key!r}; expected one of {', '.join(map(repr, registry))}"
        ) from None
