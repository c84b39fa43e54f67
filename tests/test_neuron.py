import numpy as np
import pytest

import lesson_lib as ll


def test_a_badly_wrong_neuron_learns_slowly_with_the_quadratic_loss_only():
    quadratic = ll.train_neuron(-2.0, -2.0, loss="quadratic", lr=0.15, epochs=300)
    cross_entropy = ll.train_neuron(-2.0, -2.0, loss="cross_entropy", lr=0.15, epochs=300)
    assert quadratic.output[0] == pytest.approx(ll.sigmoid(-4.0))
    # delta = (a - y) sigma'(z) against delta = a - y at the start
    a0 = quadratic.output[0]
    assert quadratic.delta[0] == pytest.approx((a0 - 1) * a0 * (1 - a0))
    assert cross_entropy.delta[0] == pytest.approx(a0 - 1)
    # after 50 epochs the quadratic neuron has hardly moved; the cross-entropy one is nearly right
    assert quadratic.output[50] < 0.05 < 0.9 < cross_entropy.output[50]


def test_a_neuron_started_near_the_answer_learns_with_both_losses():
    for loss in ll.neuron.NEURON_LOSSES:
        run = ll.train_neuron(0.6, 0.9, loss=loss, lr=0.15, epochs=300)
        assert run.output[0] == pytest.approx(ll.sigmoid(1.5))
        assert run.output[-1] > 0.9 and np.all(np.diff(run.cost) < 0)


def test_run_follows_the_update_rule():
    run = ll.train_neuron(0.5, -1.0, loss="cross_entropy", lr=0.4, epochs=3, x=2.0, y=0.25)
    assert run.weight[1] == pytest.approx(run.weight[0] - 0.4 * run.delta[0] * 2.0)
    assert run.bias[1] == pytest.approx(run.bias[0] - 0.4 * run.delta[0])
    np.testing.assert_allclose(run.weight_gradient, run.delta * 2.0)
    assert len(run.epoch) == len(run.output) == 4


@pytest.mark.parametrize("kwargs, message", [
    ({"loss": "log_likelihood"}, r"loss: expected one of 'quadratic', 'cross_entropy', got 'log_likelihood'"),
    ({"lr": 0.0}, r"lr: expected a number > 0, got 0.0"),
    ({"y": 2.0}, r"y: expected a target between 0 and 1"),
    ({"epochs": 0}, r"epochs: expected a whole number >= 1"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ll.train_neuron(0.0, 0.0, **kwargs)
