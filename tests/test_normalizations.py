"""The four score-to-probability maps of notebook 08 and their log-likelihood deltas."""

import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib.normalizations import NORMALIZATIONS, NormalizedLogLikelihood, normalize

Z = np.random.default_rng(3).standard_normal((6, 4)) * 2
LABELS = np.array([0, 3, 1, 2, 3, 0])


@pytest.mark.parametrize("name", list(NORMALIZATIONS))
def test_rows_are_probability_distributions(name):
    a = normalize(name, Z)
    assert a.shape == Z.shape and np.all(a > 0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


@pytest.mark.parametrize("name", list(NORMALIZATIONS))
def test_delta_matches_finite_differences(name):
    loss = NormalizedLogLikelihood(name)
    analytic = loss.delta(normalize(name, Z), LABELS, Z) / len(Z)  # gradient of the mean loss
    numeric = ll.numerical_gradient(lambda z: loss.value(normalize(name, z), LABELS, z), Z.copy())
    assert ll.rel_error(analytic, numeric) < 1e-6


def test_only_exp_gives_a_minus_y_and_it_equals_the_log_likelihood_loss():
    y = ll.one_hot(LABELS, 4, dtype=np.float64)
    for name in NORMALIZATIONS:
        a = normalize(name, Z)
        gap = np.abs(NormalizedLogLikelihood(name).delta(a, LABELS, Z) - (a - y)).max()
        assert (gap < 1e-12) == (name == "exp"), name
    exp_loss = NormalizedLogLikelihood("exp")
    assert exp_loss.value(ll.softmax(Z), LABELS, Z) == pytest.approx(ll.get_loss("log_likelihood").value(ll.softmax(Z), LABELS, Z))


def test_adding_a_constant_changes_nothing_only_for_exp_and_shifted_linear():
    for name in NORMALIZATIONS:
        unchanged = np.allclose(normalize(name, Z), normalize(name, Z + 3.0))
        assert unchanged == (name in ("exp", "shifted_linear")), name


def test_huge_scores_give_finite_probabilities():
    for name in NORMALIZATIONS:
        assert np.all(np.isfinite(normalize(name, [[1e4, 0.0, -1e4]])))


def test_bad_names_and_shapes_are_named():
    with pytest.raises(ValueError, match="name"):
        normalize("cube", Z)
    with pytest.raises(ValueError, match="normalization"):
        NormalizedLogLikelihood("cube")
    with pytest.raises(ValueError, match="z: expected scores"):
        normalize("exp", [1.0])


def test_a_network_trains_with_each_normalization():
    (x, y), _ = ll.load_mnist(n_train=500)
    for name in NORMALIZATIONS:
        net = ll.Network([784, 10, 10], loss=NormalizedLogLikelihood(name), seed=0, dtype=np.float64)
        before = net.loss_value(x, y)
        ll.train(net, x, y, epochs=1, batch_size=10, lr=0.1, hooks=ll.standard_hooks(verbose=False))
        assert net.loss_value(x, y) < before, name
