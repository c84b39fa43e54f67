"""Bad inputs give a ValueError or TypeError that names the argument and says what was expected."""

import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib import validation
from lesson_lib.inspection import confusion_matrix
from lesson_lib.normalizations import NormalizedLogLikelihood, normalize

LOG_LIKELIHOOD = ll.LOSSES["log_likelihood"]
CROSS_ENTROPY = ll.LOSSES["cross_entropy"]
QUADRATIC = ll.LOSSES["quadratic"]


# -- 1. losses: targets and outputs that are not probabilities ---------------------------------


@pytest.mark.parametrize("y, what", [
    ([[-0.5, 1.5, 0.0]], r"rows that sum to 1.*got values from -0.5 to 1.5"),
    ([[0.5, 0.6, 0.0]], r"rows that sum to 1.*got a row summing to 1.1"),
    ([[0.0, 0.0, 0.0]], r"rows that sum to 1.*got a row summing to 0"),
], ids=["negative", "sum 1.1", "sum 0"])
def test_log_likelihood_refuses_targets_that_are_not_distributions(y, what):
    a = ll.softmax(np.array([[1.0, 2.0, 3.0]]))
    for method in (LOG_LIKELIHOOD.value, LOG_LIKELIHOOD.delta):
        with pytest.raises(ValueError, match=r"^y: expected target rows of probabilities.*" + what):
            method(a, np.array(y))


def test_log_likelihood_accepts_float32_rows_within_tolerance():
    z = np.random.default_rng(0).normal(size=(50, 10)).astype(np.float32)
    a = ll.softmax(z)
    soft = ll.softmax(z[::-1] * 3)  # soft targets: rows of a float32 softmax sum to 1 only to ~1e-7
    assert np.isfinite(LOG_LIKELIHOOD.value(a, soft, z))
    assert LOG_LIKELIHOOD.delta(a, ll.one_hot(np.arange(50) % 10)).shape == (50, 10)


@pytest.mark.parametrize("y", [[[1.5, 0.0]], [[-0.1, 1.0]]], ids=["above 1", "below 0"])
def test_cross_entropy_refuses_targets_outside_0_1(y):
    a = ll.sigmoid(np.array([[0.5, -0.5]]))
    for method in (CROSS_ENTROPY.value, CROSS_ENTROPY.delta):
        with pytest.raises(ValueError, match=r"^y: expected targets in \[0, 1\]"):
            method(a, np.array(y))


@pytest.mark.parametrize("a", [[[1.2, 0.5]], [[-0.2, 0.5]]], ids=["above 1", "below 0"])
def test_cross_entropy_refuses_outputs_that_are_not_probabilities(a):
    with pytest.raises(ValueError, match=r"^a: expected outputs in \[0, 1\] \(sigmoid probabilities\)"):
        CROSS_ENTROPY.value(np.array(a), np.array([[1.0, 0.0]]))


@pytest.mark.parametrize("a, what", [
    ([[0.5, 0.6, 0.0]], r"rows that sum to 1.*got a row summing to 1.1"),
    ([[1.5, -0.5, 0.0]], r"values in \[0, 1\] in rows that sum to 1, got values from -0.5 to 1.5"),
], ids=["sum 1.1", "outside 0-1"])
def test_log_likelihood_refuses_outputs_that_are_not_distributions(a, what):
    for method in (LOG_LIKELIHOOD.value, LOG_LIKELIHOOD.delta):
        with pytest.raises(ValueError, match=r"^a: expected .*softmax.*" + what):
            method(np.array(a), [1])


def test_the_quadratic_loss_takes_any_finite_outputs_and_targets():
    a, y = np.array([[3.0, -2.0]]), np.array([[-7.5, 12.0]])
    assert QUADRATIC.value(a, y) == pytest.approx(0.5 * (10.5 ** 2 + 14 ** 2))
    assert ll.QuadraticLoss("identity").delta(a, y).tolist() == [[10.5, -14.0]]


@pytest.mark.parametrize("name", ["exp", "sigmoid", "square", "shifted_linear"])
def test_the_normalized_log_likelihood_still_works(name):
    z = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    loss = NormalizedLogLikelihood(name)
    a = normalize(name, z)
    assert np.isfinite(loss.value(a, [0, 1], z))
    assert loss.delta(a, np.eye(3)[[0, 1]], z).shape == (2, 3)


def test_a_network_refuses_targets_its_loss_cannot_use():
    net = ll.Network([2, 3], dtype=np.float64)
    with pytest.raises(ValueError, match=r"^y: expected target rows of probabilities.*rows that sum to 1"):
        net.gradients(np.ones((1, 2)), np.array([[0.5, 0.6, 0.0]]))
    with pytest.raises(ValueError, match=r"^y: expected targets in \[0, 1\]"):
        ll.Network([2, 3], loss="cross_entropy").loss_value(np.ones((1, 2)), np.array([[2.0, 0.0, 0.0]]))


# -- 2. empty arrays -----------------------------------------------------------------------------


@pytest.mark.parametrize("function", [ll.softmax, ll.log_softmax], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(0,), (3, 0)])
def test_softmax_refuses_zero_classes(function, shape):
    with pytest.raises(ValueError, match=r"^z: expected at least one score per row \(K >= 1\), got shape"):
        function(np.zeros(shape))


@pytest.mark.parametrize("function", [ll.softmax, ll.log_softmax], ids=["softmax", "log_softmax"])
def test_softmax_of_an_empty_batch_is_an_empty_batch(function):
    assert function(np.zeros((0, 4))).shape == (0, 4)


@pytest.mark.parametrize("labels, predictions", [([], []), (np.array([], dtype=int), np.array([], dtype=int))])
def test_confusion_matrix_refuses_empty_inputs(labels, predictions):
    with pytest.raises(ValueError, match=r"^labels: expected at least one label, got an empty array"):
        confusion_matrix(labels, predictions)


def test_confusion_matrix_refuses_empty_predictions():
    with pytest.raises(ValueError, match=r"^predictions: expected 2 labels to match the 2 examples, got 0"):
        confusion_matrix([0, 1], np.array([], dtype=int))


# -- 3. Network(sizes, dtype, seed) ---------------------------------------------------------------


@pytest.mark.parametrize("sizes, error, message", [
    ([float("nan"), 3], ValueError, r"^sizes\[0\]: expected a whole number >= 1, got nan"),
    ([2, float("inf")], ValueError, r"^sizes\[1\]: expected a whole number >= 1, got inf"),
    ([0, 3], ValueError, r"^sizes\[0\]: expected a whole number >= 1, got 0"),
    ([4, -3], ValueError, r"^sizes\[1\]: expected a whole number >= 1, got -3"),
    ([2.5, 3], TypeError, r"^sizes\[0\]: expected a positive whole number, got 2.5"),
    ([3], ValueError, r"^sizes: expected at least 2 layer sizes"),
    ("784,10", TypeError, r"^sizes: expected a list of layer sizes"),
])
def test_network_refuses_bad_sizes(sizes, error, message):
    with pytest.raises(error, match=message):
        ll.Network(sizes)


@pytest.mark.parametrize("sizes, dtype, gigabytes", [
    ([10**6, 10**6, 10], np.float32, r"4000\.0[0-9]* GB"),
    ([50_000, 50_000, 10], np.float32, r"10\.0[0-9]* GB"),
    ([40_000, 40_000], np.float64, r"12\.8[0-9]* GB"),
    ([10**400, 2], np.float32, r"about 10\^391 GB"),
])
def test_network_refuses_sizes_too_large_for_memory_before_allocating(sizes, dtype, gigabytes, monkeypatch):
    def no_allocation(*args, **kwargs):
        raise AssertionError("the weights were about to be drawn")

    monkeypatch.setattr(np.random, "default_rng", no_allocation)
    with pytest.raises(ValueError, match=r"^sizes: expected a network whose weights and biases fit in 8 GiB \(8.6 GB\), got "
                                         + gigabytes + r" for sizes \[" + str(sizes[0])):
        ll.Network(sizes, dtype=dtype)


def test_a_large_network_that_fits_is_built():
    assert ll.Network([784, 1000, 10]).weights[0].shape == (784, 1000)


@pytest.mark.parametrize("dtype", ["float16", np.float16, int, "banana", object, np.complex128])
def test_network_refuses_unknown_dtypes(dtype):
    with pytest.raises(TypeError, match=r"^dtype: expected np.float32 or np.float64, got "):
        ll.Network([2, 2], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float16", "banana", int])
def test_astype_refuses_unknown_dtypes(dtype):
    with pytest.raises(TypeError, match=r"^dtype: expected np.float32 or np.float64, got "):
        ll.Network([2, 2]).astype(dtype)


def test_network_refuses_a_negative_seed():
    with pytest.raises(ValueError, match=r"^seed: expected a whole number >= 0, got -1"):
        ll.Network([2, 2], seed=-1)
    with pytest.raises(TypeError, match=r"^seed: expected an integer, got 1.5"):
        ll.Network([2, 2], seed=1.5)
    assert ll.Network([2, 2], seed=0).seed == 0


# -- 4. one_hot ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes, error, message", [
    (0, ValueError, r"^n_classes: expected a whole number >= 1, got 0"),
    (-2, ValueError, r"^n_classes: expected a whole number >= 1, got -2"),
    ("3", TypeError, r"^n_classes: expected a positive whole number, got str '3'"),
    (2.5, TypeError, r"^n_classes: expected a positive whole number, got 2.5"),
    (float("nan"), ValueError, r"^n_classes: expected a whole number >= 1, got nan"),
])
def test_one_hot_refuses_bad_class_counts(n_classes, error, message):
    with pytest.raises(error, match=message):
        ll.one_hot([1], n_classes)


# -- 6. gradient checking ------------------------------------------------------------------------


@pytest.mark.parametrize("returned, what", [
    (None, r"NoneType None"),
    ("1.0", r"str '1.0'"),
    (np.ones(2), r"an array of shape \(2,\)"),
    ([1.0, 2.0], r"list \[1.0, 2.0\]"),
], ids=["None", "str", "array", "list"])
def test_numerical_gradient_refuses_a_function_that_does_not_return_one_number(returned, what):
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"^f: expected a function of x returning one number, it returned " + what):
        ll.numerical_gradient(lambda x: returned, x)
    assert x.tolist() == [1.0, 2.0, 3.0]  # x is restored


def test_numerical_gradient_takes_a_number_of_any_kind():
    x = np.array([1.0, 2.0])
    for f in (lambda v: float(v @ v), lambda v: v @ v, lambda v: np.array([v @ v])):
        np.testing.assert_allclose(ll.numerical_gradient(f, x), 2 * x, rtol=1e-4)
    assert ll.numerical_gradient(lambda v: 3, x).tolist() == [0.0, 0.0]  # an int is a number
    # a float32 number is a number too (rounded to 1e-7, so its difference quotient is coarse)
    np.testing.assert_allclose(ll.numerical_gradient(lambda v: np.float32(v @ v), x), 2 * x, rtol=1e-2)


@pytest.mark.parametrize("indices, error, message", [
    ([(5,)], ValueError, r"^indices: expected indices within x's shape \(3,\), got \(5,\)"),
    ([(0,), (-4,)], ValueError, r"^indices: expected indices within x's shape \(3,\), got \(-4,\)"),
    ([(0, 1)], ValueError, r"^indices: expected index tuples of 1 entry for x's shape \(3,\), got \(0, 1\)"),
    ([(0.5,)], TypeError, r"^indices: expected index tuples of whole numbers, got \(0.5,\)"),
])
def test_numerical_gradient_refuses_indices_out_of_range(indices, error, message):
    with pytest.raises(error, match=message):
        ll.numerical_gradient(lambda x: float(x.sum()), np.zeros(3), indices=indices)


def test_numerical_gradient_with_indices_still_works():
    x = np.arange(6.0).reshape(2, 3)
    grad = ll.numerical_gradient(lambda v: float(np.sum(v ** 2)), x, indices=[(0, 1), (1, 2), np.unravel_index(3, (2, 3))])
    np.testing.assert_allclose(grad, [[0, 2, 0], [6, 0, 10]], atol=1e-6)


@pytest.mark.parametrize("a, b, name, error, message", [
    ([np.nan, 1.0], [1.0, 1.0], "a", ValueError, r"expected finite numbers, got 1 NaN or infinite value\(s\); "
                                                  r"the relative error would be meaningless"),
    ([1.0], [np.inf], "b", ValueError, r"expected finite numbers.*meaningless"),
    ("abc", [1.0], "a", TypeError, r"expected an array of numbers, got str 'abc'"),
    ([1.0], "1.0", "b", TypeError, r"expected an array of numbers, got str '1.0'"),
])
def test_rel_error_refuses_nan_and_strings(a, b, name, error, message):
    with pytest.raises(error, match=rf"^{name}: {message}"):
        ll.rel_error(a, b)


@pytest.mark.parametrize("max_entries, error, message", [
    (0, ValueError, r"^max_entries: expected a whole number >= 1, got 0"),
    (-3, ValueError, r"^max_entries: expected a whole number >= 1, got -3"),
    (1.5, TypeError, r"^max_entries: expected a positive whole number, got 1.5"),
    ("5", TypeError, r"^max_entries: expected a positive whole number, got str '5'"),
])
def test_check_network_gradients_refuses_bad_max_entries(max_entries, error, message):
    net = ll.Network([3, 4, 2], dtype=np.float64)
    with pytest.raises(error, match=message):
        ll.check_network_gradients(net, np.ones((2, 3)), np.array([0, 1]), max_entries=max_entries)


def test_check_network_gradients_with_max_entries_still_works():
    net = ll.Network([3, 4, 2], dtype=np.float64)
    errors = ll.check_network_gradients(net, np.ones((2, 3)), np.array([0, 1]), max_entries=2)
    assert max(errors.values()) < 1e-6


# -- 7. overflow when converting to float32 -------------------------------------------------------


def test_a_value_too_large_for_float32_is_reported_as_an_overflow():
    with pytest.raises(ValueError, match=r"^x: expected numbers that fit in float32 \(at most 3.4e\+38 in size\), "
                                         r"got 1e\+39, which does not fit \(1 value\)"):
        validation.as_float_array("x", 1e39, dtype=np.float32)
    net = ll.Network([3, 2])
    with pytest.raises(ValueError, match=r"^x: expected numbers that fit in float32 .*got -1e\+39, which does not fit "
                                         r"\(3 values\)"):
        net.forward(np.full((1, 3), -1e39))
    with pytest.raises(ValueError, match=r"^y: expected numbers that fit in float32 .*got 1e\+40"):
        ll.Network([3, 2], loss="quadratic").gradients(np.ones((1, 3)), np.array([[1e40, 0.0]]))


def test_nan_and_inf_are_still_reported_as_such():
    with pytest.raises(ValueError, match=r"^x: expected finite numbers, got 2 NaN or infinite value\(s\)"):
        validation.as_float_array("x", [np.nan, np.inf, 1e39], dtype=np.float64)
    # an inf in the input is not an overflow, even next to a value that does overflow
    with pytest.raises(ValueError, match=r"^x: expected numbers that fit in float32 .*got 1e\+39"):
        validation.as_float_array("x", [np.inf, 1e39], dtype=np.float32)
    with pytest.raises(ValueError, match=r"^x: expected finite numbers, got 1 NaN or infinite value\(s\)"):
        validation.as_float_array("x", [np.inf, 1e30], dtype=np.float32)


def test_large_values_that_fit_still_pass():
    assert validation.as_float_array("x", [3e38, -3e38, 3e38], dtype=np.float32).dtype == np.float32
