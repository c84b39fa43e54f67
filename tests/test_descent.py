import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib import descent


@pytest.fixture(scope="module")
def data():
    return descent.make_two_class_data(200, seed=0)


def test_every_method_sees_the_same_number_of_examples(data):
    x, y = data
    for batch_size, updates in ((200, 5), (10, 100), (1, 1000), (30, 35)):
        run = descent.gradient_descent(x, y, batch_size=batch_size, lr=0.5, epochs=5)
        assert run.updates == updates and run.examples_seen[-1] == 1000 and run.epoch[-1] == 5
        assert run.path.shape == (updates + 1, 2) and run.loss.shape == (updates + 1,)


def test_the_path_loss_matches_the_network_loss(data):
    x, y = data
    run = descent.gradient_descent(x, y, batch_size=20, lr=1.0, epochs=2)
    net = ll.Network([1, 1], loss="cross_entropy", dtype=np.float64)
    net.weights[0][0, 0], net.biases[0][0] = run.path[7]
    assert run.loss[7] == pytest.approx(net.loss_value(x, y.reshape(-1, 1).astype(float)))


def test_batch_gradient_descent_is_deterministic_and_follows_the_full_gradient(data):
    x, y = data
    run = descent.gradient_descent(x, y, batch_size=200, lr=0.5, epochs=1, start=(0.5, -1.0))
    net = ll.Network([1, 1], loss="cross_entropy", dtype=np.float64)
    net.weights[0][:] = 0.5
    net.biases[0][:] = -1.0
    (gw,), (gb,) = net.gradients(x, y.reshape(-1, 1).astype(float))
    np.testing.assert_allclose(run.path[1], [0.5 - 0.5 * gw[0, 0], -1.0 - 0.5 * gb[0]], rtol=1e-12)


def test_mini_batches_reach_the_valley_at_an_equal_budget_and_batch_descent_does_not(data):
    x, y = data
    weights, biases = np.linspace(-4, 6, 101), np.linspace(-12, 6, 91)
    lowest = descent.loss_surface(x, y, weights, biases).min()
    batch = descent.gradient_descent(x, y, batch_size=200, lr=1.0, epochs=10)
    mini = descent.gradient_descent(x, y, batch_size=10, lr=1.0, epochs=10)
    assert mini.loss[-1] < lowest + 0.05 < batch.loss[-1]


def test_loss_surface_layout_matches_contour_convention(data):
    x, y = data
    surface = descent.loss_surface(x, y, [0.0, 1.0, 2.0], [-1.0, 0.5])
    assert surface.shape == (2, 3)
    run = descent.gradient_descent(x, y, batch_size=200, lr=0.1, epochs=1, start=(2.0, -1.0))
    assert surface[0, 2] == pytest.approx(run.loss[0])


def test_compare_batch_sizes_on_mnist_subset(mnist):
    (x, y), _ = mnist
    runs = descent.compare_batch_sizes(x[:500], y[:500], [10, 500], lr=0.5, epochs=2, points=5)
    small, full = runs
    assert small.examples_seen[-1] == full.examples_seen[-1] == 1000
    assert small.updates[-1] == 100 and full.updates[-1] == 2
    assert small.loss[0] == full.loss[0]  # the same starting weights
    assert small.loss[-1] < full.loss[-1]
    assert np.all(np.diff(small.seconds) >= 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 201}, r"batch_size: expected at most the number of examples \(200\), got 201"),
    ({"lr": -1.0}, r"lr: expected a number > 0"),
    ({"start": (1.0, 2.0, 3.0)}, r"start: expected a pair \(w, b\)"),
])
def test_bad_arguments_are_named(data, kwargs, message):
    x, y = data
    arguments = {"batch_size": 10, "lr": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        descent.gradient_descent(x, y, **arguments)
