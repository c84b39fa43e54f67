import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lesson_lib as ll

PAIRS = [(ll.sigmoid, ll.sigmoid_prime), (ll.tanh, ll.tanh_prime), (ll.relu, ll.relu_prime),
         (ll.identity, ll.identity_prime)]

finite_z = st.floats(-30, 30, allow_nan=False)


@pytest.mark.parametrize("f, f_prime", PAIRS, ids=lambda f: getattr(f, "__name__", ""))
@given(z=finite_z)
def test_each_derivative_matches_central_differences(f, f_prime, z):
    if f is ll.relu and abs(z) < 1e-4:
        return  # the kink: no derivative at 0
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    assert f_prime(z) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_formulas_from_the_course():
    z = np.linspace(-5, 5, 101)
    assert np.allclose(ll.sigmoid(z), 1 / (1 + np.exp(-z)))
    assert np.allclose(ll.sigmoid_prime(z), np.exp(-z) / (1 + np.exp(-z)) ** 2)
    assert np.allclose(ll.tanh(z), (1 - np.exp(-2 * z)) / (1 + np.exp(-2 * z)))
    assert np.allclose(ll.tanh_prime(z), 4 * np.exp(-2 * z) / (1 + np.exp(-2 * z)) ** 2)
    assert np.array_equal(ll.relu(z), np.maximum(0, z))
    assert ll.sigmoid_prime(0.0) == 0.25 and ll.tanh_prime(0.0) == 1.0


def test_sigmoid_saturates_beyond_4_6():
    # the course: outside +-4.6 the output is within 1% of 0 or 1 and the slope is near 0
    assert ll.sigmoid(4.6) > 0.99 and ll.sigmoid(-4.6) < 0.01
    assert ll.sigmoid(4.5) < 0.99
    assert ll.sigmoid_prime(4.6) < 0.01 and ll.sigmoid_prime(-4.6) < 0.01


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_overflow_warning_or_nan_for_huge_inputs(dtype):
    z = np.linspace(-1e4, 1e4, 20001).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outputs = [ll.sigmoid(z), ll.sigmoid_prime(z), ll.tanh(z), ll.tanh_prime(z), ll.relu(z), ll.relu_prime(z),
                   ll.softmax(z), ll.softmax(z.reshape(-1, 3 * 59)), ll.log_softmax(z)]
    for out in outputs:
        assert out.dtype == dtype
        assert np.all(np.isfinite(out))
    s = ll.sigmoid(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and np.all(np.diff(s) >= 0)


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 8)), elements=st.floats(-1e4, 1e4)))
def test_softmax_rows_sum_to_one_and_are_positive_where_representable(z):
    a = ll.softmax(z)
    assert np.allclose(a.sum(axis=-1), 1.0)
    assert np.all(a >= 0) and np.all(a <= 1)
    # the largest score always keeps a probability of at least 1/k
    assert np.all(a.max(axis=-1) >= 1 / z.shape[-1] - 1e-12)


@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)), st.floats(-1e3, 1e3))
def test_softmax_is_invariant_to_adding_a_constant(z, c):
    assert np.allclose(ll.softmax(z + c), ll.softmax(z), atol=1e-12)


def test_softmax_does_not_overflow_where_the_naive_formula_does():
    z = np.array([1000.0, 1001.0, 1002.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.all(np.isnan(naive))
    assert np.allclose(ll.softmax(z), ll.softmax(z - 1000))


def test_worked_example_from_the_course():
    a = ll.softmax(np.array([1.0, 5.0, 3.0]))
    total = math.exp(1) + math.exp(5) + math.exp(3)
    exact = [math.exp(1) / total, math.exp(5) / total, math.exp(3) / total]
    assert a == pytest.approx(exact, rel=1e-15)
    # The original lesson prints [0.015, 0.866, 0.117]: the exact values truncated (not rounded) to 3 places.
    assert np.floor(a * 1000) / 1000 == pytest.approx([0.015, 0.866, 0.117])
    assert np.round(a, 3) == pytest.approx([0.016, 0.867, 0.117])
    # gradient of -ln a_true for the true class being the second one: a - y
    y = np.array([[0.0, 1.0, 0.0]])
    delta = ll.LOSSES["log_likelihood"].delta(a[None, :], y, np.array([[1.0, 5.0, 3.0]]))
    assert delta[0] == pytest.approx([exact[0], exact[1] - 1, exact[2]], rel=1e-14)
    assert delta[0] == pytest.approx([0.015, -0.134, 0.117], abs=1e-3)


def test_softmax_jacobian_case_by_case_and_against_finite_differences():
    z = np.array([1.0, 5.0, 3.0])
    a = ll.softmax(z)
    jac = ll.softmax_jacobian(z)
    for i in range(3):
        for j in range(3):
            expected = a[i] * (1 - a[i]) if i == j else -a[i] * a[j]
            assert jac[i, j] == pytest.approx(expected, rel=1e-14)
    numeric = ll.numerical_gradient  # reuse the package's central differences, one output at a time
    for i in range(3):
        grad = numeric(lambda v, i=i: float(ll.softmax(v)[i]), z.copy())
        assert np.allclose(jac[i], grad, atol=1e-9)


def test_a_stack_of_linear_layers_is_one_linear_layer(rng):
    # f(z) = k z three times is k^3 z ...
    k, x = 1.7, rng.normal(size=5)
    assert np.allclose(k * (k * (k * x)), k**3 * x)
    # ... and a network with identity activations equals a single layer W = W1 W2 W3.
    net = ll.Network([6, 5, 4, 3], hidden="identity", loss="quadratic", output="identity", seed=3,
                     dtype=np.float64)
    w = net.weights[0] @ net.weights[1] @ net.weights[2]
    b = (net.biases[0] @ net.weights[1] + net.biases[1]) @ net.weights[2] + net.biases[2]
    x = rng.normal(size=(10, 6))
    assert np.allclose(net.forward(x), x @ w + b)
    # with a non-linearity in between, no single linear layer fits the same inputs
    curved = ll.Network([6, 5, 4, 3], hidden="tanh", loss="quadratic", output="identity", seed=3,
                        dtype=np.float64)
    xs = np.hstack([x, np.ones((10, 1))])
    fit, *_ = np.linalg.lstsq(xs, curved.forward(x), rcond=None)
    assert np.abs(xs @ fit - curved.forward(x)).max() > 1e-3


def test_float32_stays_float32_and_integers_become_float64():
    assert ll.sigmoid(np.zeros(3, np.float32)).dtype == np.float32
    assert ll.softmax(np.zeros((2, 3), np.float32)).dtype == np.float32
    assert ll.relu(np.array([1, -2])).dtype == np.float64


@pytest.mark.parametrize("f", [ll.sigmoid, ll.sigmoid_prime, ll.tanh, ll.tanh_prime, ll.relu, ll.relu_prime,
                               ll.identity, ll.identity_prime, ll.softmax, ll.log_softmax, ll.softmax_jacobian])
def test_bad_input_is_rejected_with_a_message_naming_z(f):
    with pytest.raises(ValueError, match=r"z: expected finite numbers, got 1 NaN"):
        f(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match=r"z: expected finite numbers, got 1 NaN or infinite"):
        f(np.array([0.0, np.inf]))
    with pytest.raises(TypeError, match=r"z: expected an array of numbers, got str"):
        f("1.0")


def test_softmax_needs_an_axis():
    with pytest.raises(ValueError, match="z: softmax needs at least one axis"):
        ll.softmax(3.0)


def test_activation_at_gives_value_and_slope_and_the_saturation_points():
    a, slope = ll.activation_at("sigmoid", [-4.6, 0.0, 4.6])
    np.testing.assert_allclose(a, [0.0099518, 0.5, 0.9900482], rtol=1e-6)
    np.testing.assert_allclose(slope, a * (1 - a))
    assert ll.activation_at("relu", -1.0) == (0.0, 0.0)
    a, slope = ll.activation_at("tanh", 0.5)
    assert slope == pytest.approx(1 - np.tanh(0.5) ** 2)
    with pytest.raises(ValueError, match=r"name: expected an element-wise activation .* got 'softmax'"):
        ll.activation_at("softmax", 1.0)
    with pytest.raises(ValueError, match=r"name: unknown activation 'swish'"):
        ll.activation_at("swish", 1.0)


def test_a_single_z_gives_a_value_and_a_slope_for_every_activation():
    # the explorer of notebook 01 asks for f and f' at one point z; a faster sigmoid kernel (np.negative
    # without an output array) returned a NumPy scalar there and np.exp(..., out=) refused it
    import lesson_lib as ll

    for name in ("sigmoid", "tanh", "relu", "identity"):
        a, slope = ll.activation_at(name, 2.0)
        assert np.ndim(a) == 0 and np.isfinite(a) and np.isfinite(slope), name
    assert float(ll.activation_at("sigmoid", 0.0)[0]) == 0.5
    assert float(ll.sigmoid(np.float64(0.0))) == 0.5
