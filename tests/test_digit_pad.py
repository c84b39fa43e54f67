"""Draw-your-own-digit: strokes become an MNIST-style image and the network's probabilities."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
import pytest  # noqa: E402

import lesson_lib as ll  # noqa: E402
from lesson_lib.ui.digit_pad import DigitPad, mnist_style, render_strokes  # noqa: E402


@pytest.fixture(scope="module")
def trained(mnist):
    (x, y), _ = mnist
    net = ll.Network([784, 30, 10], seed=0)
    ll.train(net, x, y, 2, 10, [1.0, 0.1], hooks=ll.standard_hooks(verbose=False))
    return net


def centre_of_mass(image):
    rows, columns = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (columns * image).sum() / image.sum()


def test_mnist_style_fits_the_ink_in_20_pixels_centred_like_mnist():
    # a small digit drawn in a corner of the canvas
    image = render_strokes([[(20, 20), (20, 80)], [(20, 20), (50, 20)]])
    digit = mnist_style(image).reshape(28, 28)
    assert digit.dtype == np.float32 and 0 <= digit.min() and digit.max() <= 1
    rows, columns = np.nonzero(digit > 0)
    assert max(rows.max() - rows.min() + 1, columns.max() - columns.min() + 1) in (20, 21)
    assert np.allclose(centre_of_mass(digit), (14, 14), atol=0.6)
    assert not mnist_style(np.zeros((280, 280))).any()  # an empty canvas gives an empty image


def test_mnist_test_digits_survive_the_round_trip_through_a_big_canvas(mnist, trained):
    """Blow a test digit up to the canvas size and prepare it again: the network should read
    it as well as the original (checks the preparation matches MNIST's)."""
    _, (x_test, y_test) = mnist
    n = 500
    big = [np.asarray(PIL.Image.fromarray((x_test[i].reshape(28, 28) * 255).astype(np.uint8)).resize(
        (280, 280), PIL.Image.BILINEAR)) for i in range(n)]
    again = np.stack([mnist_style(b) for b in big])
    assert np.abs(again - x_test[:n]).mean() < 0.05
    assert trained.accuracy(again, y_test[:n]) >= trained.accuracy(x_test[:n], y_test[:n]) - 0.01


def test_render_strokes_rejects_bad_points():
    with pytest.raises(ValueError, match=r"strokes\[0\]: expected \(x, y\) points shaped \(m, 2\), got \(2, 3\)"):
        render_strokes([[(1, 2, 3), (4, 5, 6)]])


def test_pad_classifies_what_the_mouse_draws(trained):
    pad = DigitPad(trained)
    assert pad.probabilities is None and "Draw a digit" in pad.status.value
    pad.begin_stroke(60, 60)  # a 7: across the top, then down to the lower left
    pad.extend_stroke(220, 60)
    pad.extend_stroke(120, 240)
    assert pad.redraws == 1  # nothing is classified until the stroke ends
    pad.end_stroke(120, 240)
    assert pad.redraws == 2 and pad.strokes == [[(60, 60), (220, 60), (120, 240)]]
    assert pad.probabilities.shape == (10,) and pad.probabilities.sum() == pytest.approx(1, abs=1e-5)
    expected = trained.forward(mnist_style(render_strokes(pad.strokes))[None])[0]
    np.testing.assert_allclose(pad.probabilities, expected)
    assert int(np.argmax(pad.probabilities)) == 7 and "reads a 7" in pad.status.value
    bars = [patch.get_height() for patch in pad.figure.axes[1].patches]
    np.testing.assert_allclose(bars, pad.probabilities)
    pad.extend_stroke(10, 10)  # moving with the button up draws nothing
    assert pad.strokes[-1][-1] == (120, 240)
    pad.clear_button.click()
    assert pad.strokes == [] and pad.probabilities is None and not pad.digit.any()


def test_pad_needs_a_784_to_10_network():
    with pytest.raises(TypeError, match=r"network: expected a lesson_lib.Network with 784 inputs and 10 outputs"):
        DigitPad(ll.Network([4, 3, 2]))


def test_the_status_line_says_an_8():
    from lesson_lib.ui.digit_pad import article
    assert [article(digit) for digit in range(10)] == ["a"] * 8 + ["an", "a"]
