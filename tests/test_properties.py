"""Property-based tests (hypothesis): the losses, softmax, one_hot and the confusion matrix on
random shapes and scales, where the hand-picked cases of the other test files cannot reach.

The losses are called with keyword arguments only (``value(a=..., y=..., z=...)``,
``delta(a=..., y=..., z=...)``), so that these tests hold whatever the positional order.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lesson_lib as ll

EPS = np.finfo(np.float64).eps
FAST = settings(max_examples=30, deadline=None)


@st.composite
def loss_cases(draw, soft_targets=False):
    """(z, y): weighted inputs z (n, K) in float64 at one of several scales (entries up to +-30),
    and targets y: integer labels (n,) in 0..K-1, or with ``soft_targets`` rows (n, K) in [0, 1]."""
    n, k = draw(st.integers(1, 6)), draw(st.integers(2, 6))
    scale = draw(st.sampled_from([1e-3, 0.5, 2.0, 8.0, 30.0]))
    z = scale * draw(arrays(np.float64, (n, k), elements=st.floats(-1, 1)))
    if soft_targets:
        y = draw(arrays(np.float64, (n, k), elements=st.floats(0, 1)))
    else:
        y = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    return z, y


def check_value_and_delta(loss, z, y):
    n = z.shape[0]

    def mean_loss(v):
        return loss.value(a=loss.activation.function(v.copy()), y=y, z=v)

    value = mean_loss(z)
    assert np.isfinite(value) and value >= 0, value
    delta = loss.delta(z=z, a=loss.activation.function(z.copy()), y=y)
    assert delta.shape == z.shape and np.all(np.isfinite(delta))
    numeric = ll.numerical_gradient(mean_loss, z.copy())
    # value is the mean over the n rows, delta is per example (dC_i/dz): d(mean)/dz = delta / n.
    # Central differences with h = 1e-5 carry a rounding noise of about eps * value / h, below 1e-8 here.
    np.testing.assert_allclose(delta / n, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", list(ll.LOSSES))
@FAST
@given(case=loss_cases())
def test_each_loss_is_finite_nonnegative_and_its_delta_is_the_gradient_for_labels(name, case):
    check_value_and_delta(ll.LOSSES[name], *case)


@FAST
@given(case=loss_cases(soft_targets=True))
def test_cross_entropy_is_finite_nonnegative_and_its_delta_is_the_gradient_for_targets_in_0_1(case):
    check_value_and_delta(ll.LOSSES["cross_entropy"], *case)


def rows(min_k=1, max_k=6, elements=st.floats(-50, 50)):
    """Batches of scores (n, K) in float64."""
    return arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(min_k, max_k)), elements=elements)


@FAST
@given(z=rows(), data=st.data())
def test_softmax_is_invariant_to_a_constant_added_to_each_row(z, data):
    shift = data.draw(arrays(np.float64, (z.shape[0], 1),
                             elements=st.floats(-1e4, 1e4) | st.sampled_from([-1e4, 1e4])))
    shifted = z + shift
    # z + shift is rounded to the spacing of numbers near |z + shift| (1.8e-12 near 1e4); a change of
    # at most d in each score moves each probability by at most 2 d
    tolerance = 4 * EPS * np.abs(shifted).max() + 1e-14
    np.testing.assert_allclose(ll.softmax(shifted), ll.softmax(z), rtol=0, atol=tolerance)


# any finite scores, some far apart; and scores up to 8e307, whose largest gap, 1.6e308, is still a float64
huge = (st.floats(allow_nan=False, allow_infinity=False) | st.floats(-50, 50)
        | st.sampled_from([-1e308, 1e308, -1e4, 1e4]))
huge_with_representable_gaps = (st.floats(-8e307, 8e307) | st.floats(-50, 50)
                                | st.sampled_from([-8e307, 8e307, -1e4, 1e4]))


@FAST
@given(z=rows(elements=huge))
def test_softmax_rows_are_probabilities_even_for_huge_scores(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, invalid value or division by zero either
        a = ll.softmax(z)
    assert a.shape == z.shape and not np.any(np.isnan(a))
    assert np.all(a >= 0) and np.all(a <= 1)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=2 * z.shape[1] * EPS)
    # the largest score keeps at least 1/K of the probability, and the order of the scores is kept
    assert np.all(a.max(axis=1) >= 1 / z.shape[1] - 1e-15)
    assert np.all(a[np.arange(len(z)), z.argmax(axis=1)] == a.max(axis=1))


def test_softmax_of_scores_spanning_more_than_the_float_range_does_not_warn():
    z = np.array([[1e308, -1e308]])  # z - max(z) overflows to -inf: e^-inf = 0 is the right limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, log_a = ll.softmax(z), ll.log_softmax(z)
    np.testing.assert_array_equal(a, [[1.0, 0.0]])
    assert log_a[0, 0] == 0.0


@FAST
@given(z=rows(elements=st.floats(-1e3, 1e3)))
def test_log_softmax_is_the_log_of_softmax_where_softmax_is_not_tiny(z):
    log_a, a = ll.log_softmax(z), ll.softmax(z)
    representable = a > 1e-290  # below that the probability is subnormal or 0 and its log is inexact or -inf
    assert np.all(representable[np.arange(len(z)), z.argmax(axis=1)])
    np.testing.assert_allclose(log_a[representable], np.log(a[representable]), rtol=1e-12, atol=1e-13)


@FAST
@given(z=rows(elements=huge_with_representable_gaps))
def test_log_softmax_is_finite_for_huge_scores(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_a = ll.log_softmax(z)
    assert log_a.shape == z.shape and np.all(np.isfinite(log_a))
    assert np.all(log_a <= 0)
    # the largest score's log-probability is between -ln K and 0
    assert np.all(log_a.max(axis=1) >= -np.log(z.shape[1]) - 1e-12)


@st.composite
def labelled(draw, max_n=40, max_k=12, min_k=1):
    k = draw(st.integers(min_k, max_k))
    dtype = draw(st.sampled_from([np.int64, np.int32]))
    labels = draw(arrays(dtype, st.integers(1, max_n), elements=st.integers(0, k - 1)))
    return labels, k


@FAST
@given(case=labelled())
def test_one_hot_round_trips_through_argmax(case):
    labels, k = case
    encoded = ll.one_hot(labels, k)
    assert encoded.shape == (len(labels), k)
    np.testing.assert_array_equal(encoded.argmax(axis=1), labels)
    np.testing.assert_array_equal(encoded.sum(axis=1), 1)
    np.testing.assert_array_equal(np.count_nonzero(encoded, axis=1), 1)  # a single 1, every other entry 0


@FAST
@given(case=labelled(max_n=60, max_k=10, min_k=2), data=st.data())
def test_confusion_matrix_counts_every_example_once(case, data):
    labels, k = case
    # predictions that are right where ``right`` says so, and any class elsewhere
    right = data.draw(arrays(bool, len(labels)))
    guesses = data.draw(arrays(np.int64, len(labels), elements=st.integers(0, k - 1)))
    predictions = np.where(right, labels, guesses)
    matrix = ll.inspection.confusion_matrix(labels, predictions, n_classes=k)
    assert matrix.shape == (k, k)
    assert matrix.sum() == len(labels)
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(labels, minlength=k))  # examples per true class
    np.testing.assert_array_equal(matrix.sum(axis=0), np.bincount(predictions, minlength=k))  # per predicted class
    assert np.trace(matrix) == np.count_nonzero(labels == predictions)


def test_confusion_matrix_of_one_class_counts_every_example():
    matrix = ll.inspection.confusion_matrix(np.array([0, 0]), np.array([0, 0]), n_classes=1)
    np.testing.assert_array_equal(matrix, [[2]])


def test_confusion_matrix_of_no_examples_is_refused_clearly():
    with pytest.raises(ValueError, match=r"labels: expected at least one label"):
        ll.inspection.confusion_matrix(np.array([], dtype=np.int64), np.array([], dtype=np.int64), n_classes=3)




@given(a=arrays(st.sampled_from([np.float32, np.float64]), st.tuples(st.integers(1, 40), st.integers(1, 40)),
                elements=st.floats(-1e6, 1e6, width=32)))
def test_mean_abs_is_np_mean_of_abs_to_the_last_bit(a):
    # the gradient monitor's sizes went from np.mean(np.abs(g)) to network.mean_abs(g) for speed; the
    # recorded history (and so every printed note and ratio) must not change by a single bit
    from lesson_lib.network import mean_abs

    assert mean_abs(a) == float(np.mean(np.abs(a)))
