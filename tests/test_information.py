import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib.gradient_check import numerical_gradient, rel_error


def test_entropy_of_certain_and_uniform_distributions():
    assert ll.entropy([0.0, 1.0, 0.0]) == 0.0
    assert ll.entropy([0.25] * 4) == pytest.approx(np.log(4))


def test_cross_entropy_is_entropy_plus_kl(rng):
    p = rng.dirichlet(np.ones(5), size=20)
    q = rng.dirichlet(np.ones(5), size=20)
    np.testing.assert_allclose(ll.cross_entropy(p, q), ll.entropy(p) + ll.kl_divergence(p, q), rtol=1e-12)
    assert np.all(ll.kl_divergence(p, q) > 0)
    np.testing.assert_allclose(ll.kl_divergence(p, p), 0, atol=1e-15)


def test_one_hot_cross_entropy_is_minus_log_of_the_true_class():
    q = np.array([0.2, 0.7, 0.1])
    assert ll.cross_entropy([0, 1, 0], q) == pytest.approx(-np.log(0.7))
    assert ll.kl_divergence([0, 1, 0], q) == pytest.approx(-np.log(0.7))


def test_zero_probability_where_p_allows_the_outcome_is_infinite_without_warning():
    assert ll.cross_entropy([0.0, 1.0], [1.0, 0.0]) == np.inf
    assert ll.cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


def test_gradient_with_respect_to_scores_is_q_minus_p():
    p = np.array([0.1, 0.6, 0.3])
    z = np.array([0.5, -1.0, 2.0])
    measures = ll.compare_distributions(p, ll.softmax(z))
    numeric = numerical_gradient(lambda s: ll.cross_entropy(p, ll.softmax(s)), z.copy())
    assert rel_error(measures["gradient"], numeric) < 1e-8


@pytest.mark.parametrize("p, q, message", [
    ([0.5, 0.6], [0.5, 0.5], r"p: expected probabilities that sum to 1"),
    ([1.5, -0.5], [0.5, 0.5], r"p: expected probabilities >= 0"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], r"q: expected the same shape as p"),
    ([1.0], [1.0], r"p: expected probabilities shaped \(K,\) or \(n, K\) with K >= 2"),
])
def test_bad_distributions_are_named(p, q, message):
    with pytest.raises(ValueError, match=message):
        ll.cross_entropy(p, q)
