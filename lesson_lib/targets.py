"""Targets y, in the two forms the course uses, and the way between them.

A batch of n targets for K classes is either integer class labels, shape (n,), or target rows,
shape (n, K), one row per example. A one-hot row has a 1 at the true class t and 0 elsewhere:
the label 3 of ten classes is the row (0, 0, 0, 1, 0, 0, 0, 0, 0, 0). The losses compute with
rows; the network's predictions come back as labels.
"""

from __future__ import annotations

import numpy as np

from .validation import check_positive


def one_hot(labels, n_classes: int = 10, dtype=np.float32) -> np.ndarray:
    """One-hot rows (n, n_classes) from integer labels (n,) in 0..n_classes-1."""
    n_classes = check_positive("n_classes", n_classes, integer=True)
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels: expected a 1-D array of integer labels, got shape {labels.shape} and dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels: expected values in 0..{n_classes - 1}, got {labels.min()} to {labels.max()}")
    rows = np.zeros((labels.size, n_classes), dtype=dtype)
    rows[np.arange(labels.size), labels] = 1
    return rows


def target_rows(y, like) -> np.ndarray:
    """Targets as rows shaped and typed like the outputs ``like`` (n, K): labels (n,) become
    one-hot rows, rows are returned as they are. No checks: y has been checked against ``like``."""
    return one_hot(y, like.shape[1], like.dtype) if y.ndim == 1 else y


def predicted_classes(a) -> np.ndarray:
    """The class each row of outputs a (n, K) stands for, shape (n,): the index of the largest
    output, or for a single output unit (K = 1) 1 if a > 0.5 else 0. The inverse of ``one_hot``
    on one-hot rows."""
    return (a[:, 0] > 0.5).astype(np.int64) if a.shape[1] == 1 else a.argmax(axis=1)
