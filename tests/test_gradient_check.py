import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib.losses import CrossEntropyLoss


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert np.allclose(ll.numerical_gradient(lambda v: float(np.sum(v ** 2)), x), 2 * x)
    assert np.allclose(ll.numerical_gradient(lambda v: float(np.sin(v).sum()), x), np.cos(x), atol=1e-9)
    assert np.array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored after nudging


def test_rel_error():
    assert ll.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert ll.rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)
    with pytest.raises(ValueError, match=r"b: expected the shape of a"):
        ll.rel_error([1.0], [1.0, 2.0])


def test_the_check_catches_a_wrong_backprop(rng):
    """A delta that keeps sigma'(z) with the cross-entropy loss is a classic mistake: the check must fail."""

    class KeepsSigmaPrime(CrossEntropyLoss):
        def delta_unchecked(self, a, y, z=None):
            return super().delta_unchecked(a, y, z) * a * (1 - a)

    net = ll.Network([4, 3, 2], loss=KeepsSigmaPrime(), seed=0, dtype=np.float64)
    errors = ll.check_network_gradients(net, rng.normal(size=(5, 4)), np.eye(2)[[0, 1, 1, 0, 1]])
    assert max(errors.values()) > 1e-2


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"x: expected a float64 numpy array"):
        ll.numerical_gradient(lambda v: 0.0, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"h: expected a small positive float"):
        ll.numerical_gradient(lambda v: 0.0, np.zeros(3), h=0.0)
