"""Looking inside a trained network: confusion matrix, confident mistakes, output z range."""

import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib.inspection import confident_mistakes, confusion_matrix, most_confused, output_z_summary


def test_confusion_matrix_counts_true_against_predicted():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 0, 0])
    matrix = confusion_matrix(labels, predicted, n_classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [2, 0, 1]])
    assert matrix.sum(axis=1).tolist() == [2, 1, 3]  # rows: examples per true class
    assert most_confused(matrix, 2) == [(2, 0, 2), (0, 1, 1)]


def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"predictions: expected 3 labels to match the 3 examples, got 2"):
        confusion_matrix([0, 1, 2], [0, 1], n_classes=3)
    with pytest.raises(ValueError, match=r"labels: expected class labels in 0..2"):
        confusion_matrix([0, 1, 5], [0, 1, 2], n_classes=3)
    with pytest.raises(ValueError, match=r"matrix: expected a square confusion matrix"):
        most_confused(np.zeros((2, 3)))


def test_confident_mistakes_are_wrong_and_sorted_by_confidence(rng):
    x = rng.normal(size=(300, 4))
    y = rng.integers(0, 3, size=300)
    net = ll.Network([4, 6, 3], seed=1)
    mistakes = confident_mistakes(net, x, y, count=5)
    assert len(mistakes["index"]) == 5
    assert np.all(mistakes["predicted"] != mistakes["label"])
    assert np.all(mistakes["label"] == y[mistakes["index"]])
    confidence = mistakes["probabilities"][np.arange(5), mistakes["predicted"]]
    assert np.all(np.diff(confidence) <= 0)
    everything = net.forward(x)
    wrong = net.predict(x) != y
    assert confidence[0] == pytest.approx(everything[wrong].max())


def test_output_z_summary_reports_the_range_of_the_weighted_inputs(rng):
    x = rng.normal(size=(50, 4))
    net = ll.Network([4, 5, 3], init="classic", seed=0)
    summary = output_z_summary(net, x)
    z = net.forward_all(x)[0][-1]
    assert summary["min"] == pytest.approx(z.min()) and summary["max"] == pytest.approx(z.max())
    assert summary["saturated"] == pytest.approx(np.mean(np.abs(z) > 5))


def test_layer_gradient_sizes_are_the_mean_absolute_gradient_per_layer():
    net = ll.Network([5, 4, 3, 2], seed=1, dtype=np.float64)
    x = np.random.default_rng(0).random((7, 5))
    y = np.array([0, 1, 1, 0, 1, 0, 0])
    sizes = ll.inspection.layer_gradient_sizes(net, x, y)
    weight_gradients, _ = net.gradients(x, y)
    assert sizes == [pytest.approx(np.abs(g).mean()) for g in weight_gradients]
    assert len(sizes) == 3


def test_saturated_fraction_counts_units_with_a_flat_slope():
    net = ll.Network([2, 3, 2], seed=0, dtype=np.float64)
    net.weights[0][:] = 0.0
    net.biases[0][:] = [0.0, 5.0, -10.0]  # slopes 0.25, 0.0066, 0.000045: two of three saturated
    x = np.zeros((4, 2))
    assert ll.inspection.saturated_fraction(net, x) == [pytest.approx(2 / 3)]
    assert ll.inspection.saturated_fraction(net, x, slope_below=0.001) == [pytest.approx(1 / 3)]
    relu = ll.Network([2, 3, 2], hidden="relu", seed=0, dtype=np.float64)
    relu.weights[0][:] = 0.0
    relu.biases[0][:] = [1.0, -1.0, 0.0]
    assert ll.inspection.saturated_fraction(relu, x) == [pytest.approx(2 / 3)]
    with pytest.raises(ValueError, match="slope_below"):
        ll.inspection.saturated_fraction(net, x, slope_below=0)


def test_layer_error_sizes_are_the_mean_absolute_delta_per_layer(rng):
    net = ll.Network([5, 4, 4, 3], seed=1, dtype=np.float64)
    x, labels = rng.standard_normal((7, 5)), rng.integers(0, 3, size=7)
    sizes = ll.inspection.layer_error_sizes(net, x, labels)
    assert sizes == pytest.approx([np.mean(np.abs(d)) for d in net.error_terms(x, labels)])
    assert len(sizes) == 3 and sizes[-1] > sizes[0] > 0  # sigmoid layers shrink delta on its way down here


def test_layer_sizes_gives_both_sizes_from_one_backward_pass(rng):
    net = ll.Network([5, 4, 4, 3], seed=1, dtype=np.float64)
    x, labels = rng.standard_normal((7, 5)), rng.integers(0, 3, size=7)
    deltas, gradients = ll.inspection.layer_sizes(net, x, labels)
    assert deltas == pytest.approx(ll.inspection.layer_error_sizes(net, x, labels))
    assert gradients == pytest.approx(ll.inspection.layer_gradient_sizes(net, x, labels))
