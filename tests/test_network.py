import warnings

import numpy as np
import pytest

import lesson_lib as ll

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]


@pytest.mark.parametrize("loss", sorted(ll.LOSSES))
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_matches_finite_differences(loss, hidden, rng):
    net = ll.Network([5, 4, 3, 3], hidden=hidden, loss=loss, seed=7, dtype=np.float64)
    x = rng.normal(size=(6, 5))
    y = np.array([0, 1, 2, 2, 1, 0])
    errors = ll.check_network_gradients(net, x, y)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < 1e-6, errors


def test_backprop_matches_finite_differences_for_regression_and_float32_networks(rng):
    net = ll.Network([3, 6, 1], hidden="tanh", loss="quadratic", output="identity", seed=2)  # float32
    x = rng.normal(size=(8, 3))
    y = rng.normal(size=(8, 1))
    assert max(ll.check_network_gradients(net, x, y).values()) < 1e-6


def test_sparse_check_on_a_big_layer(mnist):
    (x, y), _ = mnist
    net = ll.Network([784, 30, 10], seed=0)
    errors = ll.check_network_gradients(net, x[:20], y[:20], max_entries=25)
    assert max(errors.values()) < 1e-6


def test_a_batch_gradient_is_the_mean_of_the_per_example_gradients(rng):
    net = ll.Network([4, 5, 3], seed=1, dtype=np.float64)
    x, y = rng.normal(size=(7, 4)), rng.integers(0, 3, size=7)
    batch_w, batch_b = net.gradients(x, y)
    singles = [net.gradients(x[i:i + 1], y[i:i + 1]) for i in range(7)]
    for l in range(2):
        assert np.allclose(batch_w[l], np.mean([s[0][l] for s in singles], axis=0))
        assert np.allclose(batch_b[l], np.mean([s[1][l] for s in singles], axis=0))


def test_shapes_initialization_and_seed():
    net = ll.Network([784, 30, 10])
    assert [w.shape for w in net.weights] == [(784, 30), (30, 10)]
    assert [b.shape for b in net.biases] == [(30,), (10,)]
    assert all(w.dtype == np.float32 for w in net.weights + net.biases)
    assert net.weights[0].std() == pytest.approx(1 / np.sqrt(784), rel=0.05)
    classic = ll.Network([784, 30, 10], init="classic")
    assert classic.weights[0].std() == pytest.approx(1.0, rel=0.05)
    assert np.array_equal(ll.Network([4, 3], seed=5).weights[0], ll.Network([4, 3], seed=5).weights[0])
    assert not np.array_equal(ll.Network([4, 3], seed=5).weights[0], ll.Network([4, 3], seed=6).weights[0])
    assert net.layer_name(0) == "hidden layer 1" and net.layer_name(1) == "output layer"
    assert "Network([784, 30, 10]" in repr(net)


def test_forward_predict_accuracy(rng):
    net = ll.Network([4, 3, 3], seed=0, dtype=np.float64)
    x = rng.normal(size=(5, 4))
    a = net.forward(x)
    assert a.shape == (5, 3) and np.allclose(a.sum(axis=1), 1)
    zs, acts = net.forward_all(x)
    assert [z.shape for z in zs] == [(5, 3), (5, 3)] and acts[0] is not None and np.allclose(acts[-1], a)
    assert np.array_equal(net.predict(x), a.argmax(axis=1))
    assert net.accuracy(x, net.predict(x)) == 1.0
    assert net.accuracy(x, np.eye(3)[net.predict(x)]) == 1.0
    assert net.loss_value(x, net.predict(x)) == pytest.approx(-np.mean(np.log(a.max(axis=1))))


def test_copy_is_independent():
    net = ll.Network([4, 3, 2])
    twin = net.copy()
    twin.weights[0] += 1
    assert not np.array_equal(twin.weights[0], net.weights[0])


def test_huge_inputs_give_no_warning():
    net = ll.Network([3, 4, 2], init="classic")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = net.forward(np.full((2, 3), 1e4))
    assert np.all(np.isfinite(a))


def test_bad_arguments_are_rejected_with_clear_messages():
    with pytest.raises(ValueError, match=r"sizes: expected at least 2 layer sizes"):
        ll.Network([784])
    with pytest.raises(ValueError, match=r"sizes\[1\]: expected a whole number >= 1, got 0"):
        ll.Network([784, 0, 10])
    with pytest.raises(TypeError, match=r"sizes: expected a list of layer sizes"):
        ll.Network(784)
    with pytest.raises(ValueError, match=r"hidden: unknown hidden activation 'sigmod'; expected one of 'sigmoid'"):
        ll.Network([4, 3], hidden="sigmod")
    with pytest.raises(ValueError, match=r"hidden: 'softmax' is an output activation"):
        ll.Network([4, 3, 2], hidden="softmax")
    with pytest.raises(ValueError, match=r"loss: unknown loss 'hinge'"):
        ll.Network([4, 3], loss="hinge")
    with pytest.raises(ValueError, match=r"init: unknown initialization 'xavier'"):
        ll.Network([4, 3], init="xavier")
    with pytest.raises(TypeError, match=r"dtype: expected np.float32 or np.float64"):
        ll.Network([4, 3], dtype=np.int32)
    net = ll.Network([4, 3, 2])
    with pytest.raises(ValueError, match=r"x: expected shape \(n, 4\), got \(5, 3\)"):
        net.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"x: expected a 2-D batch shaped \(n, 4\), got shape \(4,\) \(one example\?"):
        net.forward(np.zeros(4))
    with pytest.raises(ValueError, match=r"x: expected finite numbers, got 1 NaN"):
        net.forward(np.array([[0, 0, np.nan, 0]]))
    with pytest.raises(ValueError, match=r"y: expected class labels in 0..1, got values from -1 to 1"):
        net.gradients(np.zeros((2, 4)), [-1, 1])
    with pytest.raises(ValueError, match=r"y: expected 2 labels to match the 2 examples, got 3"):
        net.accuracy(np.zeros((2, 4)), [0, 1, 1])


@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy", "log_likelihood"])
def test_error_terms_follow_the_four_equations(loss, rng):
    # notebook 05's equations, written out here independently: BP1 from finite differences of one
    # example's loss in z^L, BP2 by hand, and BP4 against Network.gradients
    net = ll.Network([4, 5, 3, 2], hidden="tanh", loss=loss, seed=3, dtype=np.float64)
    x, labels = rng.standard_normal((6, 4)), np.array([0, 1, 1, 0, 1, 0])
    deltas = net.error_terms(x, labels)
    assert [d.shape for d in deltas] == [(6, 5), (6, 3), (6, 2)]
    zs, activations = net.forward_all(x)
    y = ll.one_hot(labels, 2, dtype=np.float64)
    z_out, h = zs[-1].copy(), 1e-6
    for j in range(2):  # BP1: delta^L_j = dC_i/dz^L_j, per example (not divided by n)
        up, down = z_out.copy(), z_out.copy()
        up[:, j] += h
        down[:, j] -= h
        per_example = [(net.loss.value(net.loss.activation.function(up[i:i + 1]), y[i:i + 1])
                        - net.loss.value(net.loss.activation.function(down[i:i + 1]), y[i:i + 1])) / (2 * h)
                       for i in range(6)]
        np.testing.assert_allclose(deltas[-1][:, j], per_example, rtol=1e-6, atol=1e-9)
    for l in (1, 0):  # BP2 with tanh' = 1 - a^2
        expected = (deltas[l + 1] @ net.weights[l + 1].T) * (1 - activations[l + 1] ** 2)
        np.testing.assert_allclose(deltas[l], expected, rtol=1e-12)
    weight_gradients, bias_gradients = net.gradients(x, labels)
    for l in range(3):  # BP3 and BP4
        np.testing.assert_allclose(weight_gradients[l], activations[l].T @ deltas[l] / 6, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(bias_gradients[l], deltas[l].mean(axis=0), rtol=1e-12, atol=1e-15)


def test_error_terms_check_their_arguments():
    net = ll.Network([3, 2], seed=0)
    with pytest.raises(ValueError, match=r"x: expected a 2-D batch shaped \(n, 3\)"):
        net.error_terms(np.zeros(3), [0])
    with pytest.raises(ValueError, match="y"):
        net.error_terms(np.zeros((2, 3)), [0, 5])
