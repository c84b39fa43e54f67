import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lesson_lib as ll  # noqa: E402
from lesson_lib.plots import show_digits  # noqa: E402


def test_show_digits_draws_each_image_with_its_title(mnist):
    (x, y), _ = mnist
    fig = show_digits(x[:12], y[:12], predictions=np.r_[y[:11], 0], columns=6)
    axes = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12 and len(axes) == 12
    assert np.array_equal(axes[0].images[0].get_array(), x[0].reshape(28, 28))
    assert axes[0].get_title() == "5 -> 5" and axes[11].get_title() == "5 -> 0"
    assert axes[11].title.get_color() == "red" and axes[0].title.get_color() == "black"


def test_show_digits_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"images: expected shape \(n, 784\) or \(n, 28, 28\)"):
        show_digits(np.zeros((3, 10)))
    with pytest.raises(ValueError, match=r"labels: expected shape \(2,\) to match the images"):
        show_digits(np.zeros((2, 784)), [1, 2, 3])
