"""Every exercise checker accepts a right answer and rejects typical wrong ones with the right
feedback; an unfilled stub gets "not yet implemented", never an exception."""

import numpy as np
import pytest

import lesson_lib as ll
from lesson_lib import exercises as ex


def stub(*args):
    raise NotImplementedError


def sigma(z):
    return 1 / (1 + np.exp(-z))


# --- right answers, written the way a learner would ------------------------------------------


def leaky_relu(z):
    return np.maximum(0.01 * z, z)


def leaky_relu_prime(z):
    return np.where(z > 0, 1.0, 0.01)


def cross_entropy_delta(a, y, z):
    return a - y


def neuron_gradient(x, y, w, b):
    a = sigma(x @ w + b)
    return x.T @ (a - y) / len(y), np.mean(a - y)


def binary_cross_entropy(a, y):
    a = np.clip(a, 1e-12, 1 - 1e-12)
    return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))


def kl_divergence(p, q):
    keep = p > 0
    return np.sum(p[keep] * np.log(p[keep] / q[keep]))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def layer_gradients(a_prev, delta):
    return a_prev.T @ delta / len(a_prev), delta.mean(axis=0)


class LogLikelihood:
    def value(self, a, y):
        return -np.mean(np.log(np.sum(a * y, axis=1)))

    def delta(self, a, y):
        return a - y


def permute_output_layer(weights, biases, perm):
    new_weights, new_biases = np.empty_like(weights), np.empty_like(biases)
    new_weights[:, perm], new_biases[perm] = weights, biases
    return new_weights, new_biases


# --- typical wrong answers --------------------------------------------------------------------


class LossThatSums(LogLikelihood):
    def value(self, a, y):
        return -np.sum(np.log(np.sum(a * y, axis=1)))


class LossWithNaN(LogLikelihood):
    def value(self, a, y):
        return -np.mean(np.sum(y * np.log(a), axis=1))  # 0 * ln 0 = nan


class DeltaWithSoftmaxSlope(LogLikelihood):
    def delta(self, a, y):
        return (a - y) * a * (1 - a)


class DeltaAsList(LogLikelihood):
    def delta(self, a, y):
        return "a - y"


CASES = [
    # (checker, right answer, [(wrong answer, words the feedback must contain), ...])
    (ex.check_leaky_relu, leaky_relu, [
        (lambda z: np.maximum(0, z), "0.01 z"),
        (lambda z: 0.01 * z, "expected"),
        (lambda z: np.array([max(0.01 * v, v) for v in z]), "raised"),  # a loop over a 1-D view: fails on a batch
    ]),
    (ex.check_leaky_relu_prime, leaky_relu_prime, [
        (lambda z: (z > 0).astype(float), "not 0"),
        (lambda z: np.where(z > 0, z, 0.01 * z), "expected"),
    ]),
    (ex.check_cross_entropy_delta, cross_entropy_delta, [
        (lambda a, y, z: (a - y) * a * (1 - a), "do not multiply by it"),  # keeps sigma'
        (lambda a, y, z: y - a, "a - y"),
    ]),
    (ex.check_neuron_gradient, neuron_gradient, [
        (lambda x, y, w, b: (x.T @ (sigma(x @ w + b) - y), np.sum(sigma(x @ w + b) - y)), "5 times too large"),
        (lambda x, y, w, b: (x.T @ ((sigma(x @ w + b) - y) * sigma(x @ w + b) * (1 - sigma(x @ w + b))) / len(y),
                             0.0), "no sigma'"),
        (lambda x, y, w, b: x.T @ (sigma(x @ w + b) - y) / len(y), "expected a tuple"),
    ]),
    (ex.check_binary_cross_entropy, binary_cross_entropy, [
        (lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)), "3 times too large"),  # sums
        (lambda a, y: -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)), "clip a"),  # nan at a = 0, 1
        (lambda a, y: -np.mean(y * np.log(np.clip(a, 1e-12, 1))), "expected"),  # forgets the (1 - y) term
    ]),
    (ex.check_kl_divergence, kl_divergence, [
        (lambda p, q: kl_divergence(q, p), "weights the sum"),  # swapped
        (lambda p, q: np.sum(p * np.log(p / q)), "sum only where p > 0"),  # nan at p = 0
    ]),
    (ex.check_softmax, softmax, [
        (lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "subtract each row's max"),  # no max shift
        (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=0, keepdims=True), "axis=1"),
        (lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(),
         "axis=1"),
    ]),
    (ex.check_log_softmax, log_softmax, [
        (lambda z: np.log(softmax(z)), "ln 0 = -inf"),
        (lambda z: z - np.log(np.exp(z).sum(axis=1, keepdims=True)), "nan or inf"),  # no max shift
    ]),
    (ex.check_hidden_delta, lambda delta_next, w_next, a: (delta_next @ w_next.T) * a * (1 - a), [
        (lambda delta_next, w_next, a: delta_next @ w_next.T, "a(1 - a)"),  # no slope
        (lambda delta_next, w_next, a: (delta_next @ w_next.T) * sigma(a) * (1 - sigma(a)), "not sigma(a)"),
        (lambda delta_next, w_next, a: (delta_next @ w_next) * a * (1 - a), "raised"),  # W_next not transposed
    ]),
    (ex.check_layer_gradients, layer_gradients, [
        (lambda a_prev, delta: (delta.T @ a_prev / len(a_prev), delta.mean(axis=0)), "transposed"),
        (lambda a_prev, delta: (a_prev.T @ delta, delta.sum(axis=0)), "4 times too large"),  # sums
        (lambda a_prev, delta: (a_prev.T @ delta / len(a_prev), delta.mean(axis=1)), "delta.mean(axis=0)"),
    ]),
    (ex.check_log_likelihood_loss, LogLikelihood, [
        (LossThatSums, "times too large"),
        (LossWithNaN, "0 * ln 0"),
        (DeltaWithSoftmaxSlope, "no a(1 - a) factor"),
        (DeltaAsList, "expected numbers (delta)"),
    ]),
    (ex.check_permute_output_layer, permute_output_layer, [
        (lambda w, b, perm: (w[:, perm], b[perm]), "np.argsort(perm)"),  # the inverse permutation
        (lambda w, b, perm: (w[perm], b[perm]), "shape"),  # permutes rows
    ]),
]


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=[case[0].name for case in CASES])
def test_checker_accepts_the_right_answer(checker, right, wrongs):
    feedback = checker.grade(right)
    assert feedback.passed, feedback.message
    assert feedback.message == f"{checker.name}: all {len(checker.cases)} checks passed."


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=[case[0].name for case in CASES])
def test_checker_rejects_typical_wrong_answers(checker, right, wrongs):
    assert len(wrongs) >= 2
    for wrong, words in wrongs:
        feedback = checker.grade(wrong)
        assert feedback.status == "failed", f"{checker.name} accepted a wrong answer"
        assert words in feedback.message, feedback.message
        assert feedback.message.startswith(f"{checker.name}: on ")


@pytest.mark.parametrize("checker", [case[0] for case in CASES], ids=[case[0].name for case in CASES])
def test_an_unfilled_stub_is_not_yet_implemented(checker, capsys):
    stub_answer = type("Stub", (), {"value": stub, "delta": stub}) if checker is ex.check_log_likelihood_loss else stub
    assert checker(stub_answer) is None
    printed = capsys.readouterr().out
    assert printed == (f"{checker.name}: not yet implemented. Replace `raise NotImplementedError` with your code, "
                       "then run this cell again.\n")


def test_every_notebook_has_a_checker_and_each_is_listed_once():
    listed = [checker for checkers in ex.CHECKERS.values() for checker in checkers]
    assert sorted(ex.CHECKERS) == ["01", "02", "03", "04", "05", "06", "07", "08"]
    assert len(listed) == len(set(id(c) for c in listed)) == len(CASES)


def test_the_feedback_names_the_failing_input_expected_and_got():
    feedback = ex.check_softmax.grade(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    assert feedback.message.startswith("softmax: on huge scores z = [[1000, 0, -1000]]: expected [[1., 0., 0.]], got")
    assert "nan" in feedback.message


def test_a_learners_exception_is_reported_without_a_traceback():
    feedback = ex.check_softmax.grade(lambda z: z.nosuchmethod())
    assert feedback.status == "failed"
    assert "your code raised AttributeError" in feedback.message


def test_checkers_do_not_let_the_learners_code_change_their_inputs():
    def in_place(z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z
    assert ex.check_softmax.grade(in_place).passed
    assert ex.check_softmax.grade(softmax).passed  # the cases are intact afterwards


def test_references_agree_with_lesson_lib():
    net = ll.Network([4, 3, 2], seed=0, dtype=np.float64)
    x, labels = np.random.default_rng(0).standard_normal((5, 4)), np.array([0, 1, 1, 0, 1])
    _, activations = net.forward_all(x)
    deltas = net.error_terms(x, labels)
    np.testing.assert_allclose(ex.check_hidden_delta.reference(deltas[1], net.weights[1], activations[1]), deltas[0])
    z = np.array([[1.0, 5.0, 3.0]])
    np.testing.assert_allclose(ex.check_softmax.reference(z), ll.softmax(z))
    value, delta = ex.check_log_likelihood_loss.reference(z, ll.softmax(z), ll.one_hot([1], 3, dtype=np.float64))
    np.testing.assert_allclose(value, -ll.log_softmax(z)[0, 1])
    np.testing.assert_allclose(delta, [[0.0159, -0.1332, 0.1173]], atol=1e-4)


def test_train_demo_with_a_stub_prints_and_returns_none(capsys):
    class Stub:
        def value(self, a, y):
            raise NotImplementedError

        def delta(self, a, y):
            raise NotImplementedError

    assert ex.train_demo_with(Stub) is None
    out = capsys.readouterr().out
    assert "not yet implemented" in out and "Fix the loss class first" in out


def test_train_demo_with_a_wrong_loss_refuses_to_train(capsys):
    assert ex.train_demo_with(DeltaWithSoftmaxSlope) is None
    assert "no a(1 - a) factor" in capsys.readouterr().out


def test_train_demo_with_the_right_loss_trains_like_the_built_in_one(capsys):
    net = ex.train_demo_with(LogLikelihood, epochs=1, n_train=2000)
    out = capsys.readouterr().out
    assert "epoch 1" in out and "test accuracy after 1 epochs" in out
    reference = ll.Network([784, 30, 10], loss="log_likelihood", seed=0)
    (x, y), _ = ll.load_mnist(n_train=2000)
    ll.train(reference, x, y, epochs=1, batch_size=10, lr=[3.0, 0.1], seed=0, hooks=ll.standard_hooks(verbose=False))
    for mine, theirs in zip(net.weights, reference.weights):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


# --- the gaps a review found (issue 13, item 7) ------------------------------------------------


def test_softmax_shifted_by_the_whole_batchs_max_fails():
    def batch_max_softmax(z):
        e = np.exp(z - z.max())  # one max for the whole batch: a row far below it underflows
        return e / e.sum(axis=1, keepdims=True)

    feedback = ex.check_softmax.grade(batch_max_softmax)
    assert not feedback.passed and "each row's own max" in feedback.message
    assert not ex.check_log_softmax.grade(lambda z: np.log(batch_max_softmax(z))).passed


def test_binary_cross_entropy_clipped_at_a_common_epsilon_passes():
    def clipped(a, y, eps):
        a = np.clip(a, eps, 1 - eps)
        return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))

    assert ex.check_binary_cross_entropy.grade(lambda a, y: clipped(a, y, 1e-7)).passed  # Keras's epsilon
    feedback = ex.check_binary_cross_entropy.grade(lambda a, y: clipped(a, y, 1e-4))  # too coarse, and told so
    assert not feedback.passed and "expected 0, got 0.0001." in feedback.message
    feedback = ex.check_binary_cross_entropy.grade(lambda a, y: clipped(a, y, 5e-6))  # alike at 4 decimals:
    assert not feedback.passed and "got 5.00001" in feedback.message, feedback.message  # shown in full


@pytest.mark.parametrize("returned, words", [
    (lambda z: None, "got None: the function returned nothing"),
    (lambda z: [[1.0, 0.0, 0.0]], "expected a NumPy array, got a list"),
    (lambda z: softmax(z) + 0j, "got complex ones"),
])
def test_the_kind_of_a_wrong_return_value_is_named(returned, words):
    feedback = ex.check_softmax.grade(returned)
    assert not feedback.passed and words in feedback.message, feedback.message


class LossPerExample(LogLikelihood):
    def value(self, a, y):
        return -np.sum(y * np.log(np.clip(a, 1e-12, 1)), axis=1)  # one loss per example, not their mean


class LossMeanOverEveryEntry(LogLikelihood):
    def value(self, a, y):
        return -np.mean(y * np.log(np.clip(a, 1e-12, 1)))  # a mean over n * K entries, K = 3 in the first case


def _bce_terms(a, y):
    return y * np.log(np.clip(a, 1e-12, 1)) + (1 - y) * np.log(np.clip(1 - a, 1e-12, 1))


@pytest.mark.parametrize("checker, answer, words", [
    # no max subtracted: the hint names the overflow, not an ln(softmax) the learner never wrote
    (ex.check_log_softmax, lambda z: z - np.log(np.exp(z).sum(axis=1, keepdims=True)), "e^1000 overflows"),
    # the row max subtracted inside the exp only: each row is off by that max
    (ex.check_log_softmax, lambda z: z - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)),
     "Each row is off by the same amount"),
    (ex.check_layer_gradients, lambda a, d: [a.T @ d / len(a), d.mean(axis=0)], "got a list of 2. Hint: return a tuple"),
    (ex.check_log_likelihood_loss, LossPerExample, "expected a single number (value), got an array of shape (2,)"),
    (ex.check_log_likelihood_loss, LossMeanOverEveryEntry, "That is the answer divided by 3"),
    (ex.check_cross_entropy_delta, lambda a, y, z: (a - y) / len(a), "That is the answer divided by 3"),
    (ex.check_binary_cross_entropy, lambda a, y: np.mean(_bce_terms(a, y)), "the answer with the opposite sign"),
    (ex.check_binary_cross_entropy, lambda a, y: -_bce_terms(a, y), "expected a single number, got an array of shape (3,)"),
    (ex.check_layer_gradients, lambda a, d: (a.T @ d / len(a), d.mean()),
     "expected an array of shape (2,) (dC/db), got a single number"),
], ids=["log-softmax overflow", "log-softmax half shifted", "a list", "a loss per example", "a mean over n*K",
        "delta over n", "a sign", "a vector for a number", "a number for a vector"])
def test_the_feedback_names_the_cause_of_common_mistakes(checker, answer, words):
    """What a learner trying the Chinese checkers found pointing at the wrong cause, or too generic."""
    feedback = checker.grade(answer)
    assert not feedback.passed and words in feedback.message, feedback.message


def test_a_number_is_shown_as_a_number_and_an_exception_without_trailing_space():
    feedback = ex.check_binary_cross_entropy.grade(lambda a, y: -0.0)  # NumPy would print "-0."
    assert ", got 0. Hint:" in feedback.message, feedback.message

    def broadcast(z):
        return np.ones((2, 2)) + z  # NumPy's message ends with a space

    feedback = ex.check_softmax.grade(broadcast)
    assert "raised ValueError: operands could not be broadcast" in feedback.message and " . Hint" not in feedback.message


def test_a_tuple_of_the_wrong_length_is_named():
    feedback = ex.check_layer_gradients.grade(lambda a_prev, delta: (a_prev.T @ delta, delta.mean(axis=0), 0))
    assert "expected a tuple of 2 (dC/dW, dC/db), got a tuple of 3" in feedback.message


def test_code_slower_than_the_time_limit_is_told_so():
    import dataclasses
    import time

    def slow_softmax(z):
        time.sleep(0.05)
        return softmax(z)

    strict = dataclasses.replace(ex.check_softmax, time_limit=0.01)
    feedback = strict.grade(slow_softmax)
    assert not feedback.passed and "the limit is 0.01 s" in feedback.message and "whole arrays" in feedback.message
    assert ex.check_softmax.grade(slow_softmax).passed  # well within the real limit of 10 s
