"""Figures used by the notebooks. Each function returns the matplotlib Figure it drew, so a test
(or a later cell) can inspect its data; the notebook ends the cell with ``plt.show()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .validation import as_float_array


def show_digits(images, labels=None, *, predictions=None, columns: int = 10, size: float = 1.0):
    """A grid of digits with their labels (and, if given, predictions; wrong ones in red).

    images: (n, 784) or (n, 28, 28) with values in [0, 1]; labels, predictions: (n,) integers.
    Returns the Figure; each image's title is "label" or "label -> prediction".
    """
    images = as_float_array("images", images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) == 0:
        raise ValueError(f"images: expected shape (n, 784) or (n, 28, 28) with n >= 1, got {images.shape}")
    n = len(images)
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and np.shape(values) != (n,):
            raise ValueError(f"{name}: expected shape ({n},) to match the images, got {np.shape(values)}")
    columns = min(columns, n)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * 1.25 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1)
        if labels is not None:
            title, color = str(int(labels[i])), "black"
            if predictions is not None:
                title += f" -> {int(predictions[i])}"
                color = "black" if int(predictions[i]) == int(labels[i]) else "red"
            ax.set_title(title, fontsize=10, color=color)
    fig.tight_layout()
    return fig
