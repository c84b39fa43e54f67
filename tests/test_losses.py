import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib.losses import QuadraticLoss

CASES = [  # (loss, output activation)
    (ll.LOSSES["quadratic"], "sigmoid"),
    (ll.LOSSES["cross_entropy"], "sigmoid"),
    (ll.LOSSES["log_likelihood"], "softmax"),
    (QuadraticLoss("identity"), "identity"),
    (QuadraticLoss("tanh"), "tanh"),
    (QuadraticLoss("softmax"), "softmax"),
]


def _activate(name, z):
    return ll.ACTIVATIONS[name].function(z)


@pytest.mark.parametrize("loss, output", CASES, ids=lambda c: getattr(c, "name", c) if not isinstance(c, str) else c)
@pytest.mark.parametrize("labels", [True, False], ids=["int labels", "one-hot"])
def test_delta_is_the_gradient_of_the_value_with_respect_to_z(loss, output, labels, rng):
    n, k = 4, 3
    z = rng.normal(scale=2, size=(n, k))
    classes = np.array([0, 2, 1, 2])
    y = classes if labels else np.eye(k)[classes]
    if output in ("sigmoid",) and not labels:
        y = rng.uniform(size=(n, k))  # any targets in [0, 1] for per-unit losses
    delta = loss.delta(_activate(output, z), y, z)
    numeric = ll.numerical_gradient(lambda v: loss.value(_activate(output, v), y, v), z.copy())
    # value is the mean over the batch, delta is per example: dC/dz = delta / n.
    # Central differences carry an absolute noise near 1e-11, hence the small atol.
    np.testing.assert_allclose(delta / n, numeric, rtol=1e-6, atol=1e-9)
    assert np.abs(delta).max() > 1e-3  # the comparison is not between two near-zero arrays


def test_deltas_from_the_course():
    z = np.array([[-6.0, 6.0]])  # badly wrong for the target [1, 0]
    a = ll.sigmoid(z)
    y = np.array([[1.0, 0.0]])
    quad = ll.LOSSES["quadratic"].delta(a, y, z)
    cross = ll.LOSSES["cross_entropy"].delta(a, y, z)
    assert np.allclose(quad, (a - y) * a * (1 - a))
    assert np.allclose(cross, a - y)
    assert np.all(np.abs(quad) < 0.003) and np.all(np.abs(cross) > 0.99)  # the slowdown, and its cure


def test_values_match_their_formulas(rng):
    z = rng.normal(size=(5, 4))
    y = np.eye(4)[[0, 1, 2, 3, 0]]
    a = ll.sigmoid(z)
    assert ll.LOSSES["quadratic"].value(a, y) == pytest.approx(0.5 * np.sum((a - y) ** 2) / 5)
    assert ll.LOSSES["cross_entropy"].value(a, y) == pytest.approx(
        -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / 5)
    s = ll.softmax(z)
    assert ll.LOSSES["log_likelihood"].value(s, y) == pytest.approx(-np.sum(np.log(s[y == 1])) / 5)
    # against a one-hot label, cross-entropy is minus the log of the true class's probability
    assert ll.LOSSES["log_likelihood"].value(s, [0, 1, 2, 3, 0]) == pytest.approx(
        -np.mean(np.log(s[np.arange(5), [0, 1, 2, 3, 0]])))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_are_finite_and_exact_for_huge_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
    ll_loss = ll.LOSSES["log_likelihood"]
    assert ll_loss.value(ll.softmax(z), [1], z) == pytest.approx(2e4)  # -ln a_1 = 1e4 - (-1e4)
    assert ll_loss.value(ll.softmax(z), [0], z) == pytest.approx(0.0, abs=1e-6)
    ce = ll.LOSSES["cross_entropy"]
    y = np.array([[0.0, 1.0, 0.0]], dtype=dtype)
    assert ce.value(ll.sigmoid(z), y, z) == pytest.approx(2e4 + np.log(2), rel=1e-6)
    # without z the probabilities are clipped: finite, no log(0), no warning
    assert np.isfinite(ce.value(ll.sigmoid(z), y)) and np.isfinite(ll_loss.value(ll.softmax(z), [1]))


def test_registry_and_pairings():
    assert set(ll.LOSSES) == {"quadratic", "cross_entropy", "log_likelihood"}
    assert [ll.LOSSES[n].activation.name for n in ll.LOSSES] == ["sigmoid", "sigmoid", "softmax"]
    for loss in ll.LOSSES.values():
        assert "Pairs with" in type(loss).__doc__
    assert ll.get_loss("quadratic", "identity").activation.name == "identity"
    with pytest.raises(ValueError, match=r"loss: unknown loss 'mse'; expected one of 'quadratic'"):
        ll.get_loss("mse")
    with pytest.raises(ValueError, match=r"output: the 'log_likelihood' loss pairs with a 'softmax' output"):
        ll.get_loss("log_likelihood", "sigmoid")
    with pytest.raises(ValueError, match=r"activation: unknown output activation 'swish'"):
        QuadraticLoss("swish")


def test_bad_targets_are_rejected():
    loss = ll.LOSSES["log_likelihood"]
    a = ll.softmax(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"y: expected class labels in 0..2, got values from 0 to 3"):
        loss.value(a, [0, 3])
    with pytest.raises(ValueError, match=r"y: expected 2 labels to match the 2 examples, got 3"):
        loss.value(a, [0, 1, 2])
    with pytest.raises(ValueError, match=r"y: expected shape \(2, 3\) to match the outputs, got \(2, 4\)"):
        loss.delta(a, np.zeros((2, 4)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"z: expected the same shape as a \(2, 3\), got \(3, 2\)"):
        loss.delta(a, [0, 1], np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"a: expected a 2-D batch"):
        loss.value(np.array([0.2, 0.8]), [1])
    with pytest.raises(ValueError, match=r"a: expected finite numbers"):
        loss.value(np.array([[np.nan, 1.0, 0.0]]), [1])
    with pytest.raises(TypeError, match=r"y: expected whole-number class labels"):
        loss.value(a, np.array([0.5, 1.0]))


def test_softmax_loss_and_gradient_reproduces_the_course_example():
    a, loss, gradient = ll.softmax_loss_and_gradient([1.0, 5.0, 3.0], 1)
    np.testing.assert_allclose(a, [0.01587624, 0.86681333, 0.11731043], rtol=1e-6)
    assert loss == pytest.approx(-np.log(a[1]))
    np.testing.assert_allclose(gradient, a - [0, 1, 0])


def test_softmax_loss_and_gradient_with_temperature_matches_finite_differences():
    z = np.array([2.0, -1.0, 0.5, 3.0])
    _, _, gradient = ll.softmax_loss_and_gradient(z, 2, temperature=2.5)
    numeric = ll.numerical_gradient(lambda s: ll.softmax_loss_and_gradient(s, 2, temperature=2.5)[1], z.copy())
    assert ll.rel_error(gradient, numeric) < 1e-8


def test_softmax_loss_and_gradient_is_stable_for_huge_scores_and_checks_arguments():
    a, loss, gradient = ll.softmax_loss_and_gradient([1000.0, 0.0], 1)
    assert np.all(np.isfinite(a)) and loss == pytest.approx(1000.0) and np.all(np.isfinite(gradient))
    with pytest.raises(ValueError, match=r"true_class: expected a class index in 0..2, got 3"):
        ll.softmax_loss_and_gradient([1, 5, 3], 3)
    with pytest.raises(ValueError, match=r"temperature: expected a number > 0"):
        ll.softmax_loss_and_gradient([1, 5, 3], 0, temperature=0)
