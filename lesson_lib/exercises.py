"""Checkers for the coding exercises at the end of notebooks 01-08.

Each exercise asks for one function (or, in notebook 07, a loss class). Its checker runs your
code on fixed inputs, including the edge cases where a plain formula breaks (huge scores, an
output of exactly 0, shapes that are not square), compares every result with the course's
reference, and prints what it found:

    ll.exercises.check_softmax(softmax)
    softmax: all 5 checks passed.

On the first mismatch it names the input, prints what was expected and what your code gave,
and adds a hint. A stub that still raises NotImplementedError gets "not yet implemented"
instead of a traceback, so the learner's notebook runs top to bottom as shipped.

Use ``checker.grade(function)`` to get the result as a ``Feedback`` without printing it.

The feedback is in the language ``ll.set_language`` chose: every message below is marked for
gettext, the hints and the cases' descriptions with ``N_`` (they are made when the module is
imported) and translated when a check prints them.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .activations import log_softmax, sigmoid, softmax
from .i18n import gettext as _
from .i18n import gettext_noop as N_
from .information import kl_divergence
from .losses import CrossEntropyLoss, LogLikelihoodLoss, Loss
from .targets import one_hot

# ---------------------------------------------------------------------------------------------
# The machinery: cases, feedback, and one Exercise object per checker.
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One input to try: ``args`` are passed to the learner's function; ``shows`` describes them
    in the feedback (a message for gettext, its ``{fields}`` filled from ``values``); ``hint`` is
    printed when this case fails and no sharper diagnosis applies; ``batch`` is the number of
    examples n, if the inputs form a batch (to spot a sum that should have been a mean)."""

    shows: str
    args: tuple
    hint: str
    batch: int | None = None
    values: dict = field(default_factory=dict)

    def described(self) -> str:
        """``shows`` in the language set, with its values filled in."""
        return _(self.shows).format(**self.values)

    def hint_text(self) -> str:
        """``hint`` in the language set."""
        return _(self.hint)


@dataclass
class Feedback:
    """The outcome of a check: ``status`` is "passed", "failed" or "not implemented"."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __str__(self):
        return self.message


def _show(value) -> str:
    value = np.asarray(value)
    if value.ndim == 0:  # a number as a number: "0", not NumPy's "0." or "-0."
        return np.format_float_positional(float(value) + 0.0, precision=4, trim="-")
    if value.size > 12:
        return _("an array of shape {shape}").format(shape=value.shape)
    return np.array2string(value, precision=4, suppress_small=True, separator=", ").replace("\n", "")


def _kind_problem(got, label: str) -> str | None:
    """What is wrong with the *kind* of value a learner's function returned, if anything."""
    if got is None:
        return _("got None{label}: the function returned nothing. Hint: end it with `return ...`.").format(label=label)
    if isinstance(got, (list, tuple)):
        return _("expected a NumPy array{label}, got a {kind}. Hint: build the result with NumPy operations on the "
                 "whole array (or wrap it in np.array(...)).").format(label=label, kind=type(got).__name__)
    if np.iscomplexobj(got):
        return _("expected real numbers{label}, got complex ones (dtype {dtype}). Hint: a square root or log of a "
                 "negative number? Check the signs inside.").format(label=label, dtype=np.asarray(got).dtype)
    return None


def _compare(part: str, got, expected, case: Case, atol: float = 1e-7) -> str | None:
    """None if ``got`` matches ``expected``; otherwise what is wrong and a hint."""
    label = f" ({part})" if part else ""
    kind = _kind_problem(got, label)
    if kind:
        return kind
    hint = case.hint_text()
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return _("expected numbers{label}, got {kind}. Hint: return a NumPy array or a float.").format(
            label=label, kind=type(got).__name__)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape and expected.ndim == 0:
        return _("expected a single number{label}, got an array of shape {got}. Hint: {hint}").format(
            label=label, got=got.shape, hint=hint)
    if got.shape != expected.shape and got.ndim == 0:
        return _("expected an array of shape {expected}{label}, got a single number. Hint: {hint}").format(
            expected=expected.shape, label=label, hint=hint)
    if got.shape != expected.shape:
        if got.size == expected.size and got.shape == expected.shape[::-1] and got.ndim == 2:
            return _("expected shape {expected}{label}, got {got}: it looks transposed. Hint: {hint}").format(
                expected=expected.shape, label=label, got=got.shape, hint=hint)
        return _("expected shape {expected}{label}, got {got}. Hint: {hint}").format(
            expected=expected.shape, label=label, got=got.shape, hint=hint)
    if np.allclose(got, expected, rtol=1e-5, atol=atol):
        return None
    shown_expected, shown_got = _show(expected), _show(got)
    if shown_expected == shown_got:  # too close to tell apart at 4 decimals: show them in full
        shown_expected, shown_got = (np.array2string(np.asarray(v), precision=10, separator=", ").replace("\n", "")
                                     for v in (expected, got))
    text = _("expected {expected}{label}, got {got}.").format(expected=shown_expected, label=label, got=shown_got)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        advice = _("Your result has nan or inf. Hint: {hint}").format(hint=hint)
    elif case.batch and case.batch > 1 and np.allclose(got, expected * case.batch, rtol=1e-5, atol=atol):
        advice = _("That is {n} times too large: average over the batch (divide by n), do not sum.").format(n=case.batch)
    elif divisor := _divided_by(got, expected, atol):
        advice = _("That is the answer divided by {m}: a mean or a division by n too many? Hint: {hint}").format(
            m=divisor, hint=hint)
    elif np.any(np.abs(expected) > atol) and np.allclose(got, -expected, rtol=1e-5, atol=atol):
        advice = _("That is the answer with the opposite sign. Hint: {hint}").format(hint=hint)
    elif got.ndim == 2 and got.shape[0] == got.shape[1] and np.allclose(got, expected.T, rtol=1e-5, atol=atol):
        advice = _("That is the transpose of the answer. Hint: {hint}").format(hint=hint)
    elif got.ndim == 2 and got.shape[1] > 1 and np.allclose(got - expected, (got - expected)[:, :1], rtol=1e-5, atol=atol):
        advice = _("Each row is off by the same amount: a term of the formula is missing or counted twice. "
                   "Hint: {hint}").format(hint=hint)
    else:
        advice = _("Hint: {hint}").format(hint=hint)
    return _("{sentence} {next_sentence}").format(sentence=text, next_sentence=advice)  # Chinese leaves no space


def _divided_by(got, expected, atol) -> int:
    """m if ``got`` is ``expected / m`` for a whole m from 2 to 1000 (a mean over too many numbers), else 0."""
    if not np.any(np.abs(got) > atol):
        return 0
    m = round(float(np.sum(np.abs(expected)) / np.sum(np.abs(got))))
    return m if 2 <= m <= 1000 and np.allclose(got * m, expected, rtol=1e-5, atol=atol) else 0


@dataclass
class Exercise:
    """A checker: ``reference(*case.args)`` is the right answer for each case; ``call(learners,
    *case.args)`` runs the learner's code (by default ``learners(*args)``). Answers with several
    parts (a tuple) are compared part by part, named by ``parts``."""

    name: str
    reference: Callable
    cases: list
    parts: tuple = ()
    call: Callable = field(default=lambda learners, *args: learners(*args))
    atol: float = 1e-7  # absolute tolerance: how far from the reference an answer may be and still pass
    time_limit: float = 10.0  # seconds one case may take; a vectorized answer takes milliseconds

    def grade(self, learners) -> Feedback:
        """Run every case; return the first failure, or a pass."""
        name = self.name
        for case in self.cases:
            args = tuple(np.array(arg, copy=True) if isinstance(arg, np.ndarray) else arg for arg in case.args)
            started = time.perf_counter()
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    got = self.call(learners, *args)
            except NotImplementedError:
                return Feedback(name, "not implemented", _(
                    "{name}: not yet implemented. Replace `raise NotImplementedError` with your code, then run this "
                    "cell again.").format(name=name))
            except Exception as error:  # the learner's bug, reported without a traceback
                return Feedback(name, "failed", _("{name}: on {case}, your code raised {error}: {message}. "
                                                  "Hint: {hint}").format(
                    name=name, case=case.described(), error=type(error).__name__, message=str(error).strip(),
                    hint=case.hint_text()))
            seconds = time.perf_counter() - started
            if seconds > self.time_limit:
                return Feedback(name, "failed", _(
                    "{name}: on {case}, your code took {seconds:.1f} s (the limit is {limit:g} s). Hint: work on whole "
                    "arrays at once; a Python loop over the entries is what makes it slow.").format(
                    name=name, case=case.described(), seconds=seconds, limit=self.time_limit))
            expected = self.reference(*case.args)
            if self.parts and isinstance(got, tuple) and len(got) != len(self.parts):
                return Feedback(name, "failed", _("{name}: on {case}, expected a tuple of {count} ({parts}), got a "
                                                  "tuple of {got}.").format(
                    name=name, case=case.described(), count=len(self.parts), parts=", ".join(self.parts), got=len(got)))
            if self.parts and isinstance(got, list) and len(got) == len(self.parts):
                return Feedback(name, "failed", _("{name}: on {case}, expected a tuple ({parts}), got a list of {count}. "
                                                  "Hint: return a tuple, `return first, second`, not a list.").format(
                    name=name, case=case.described(), parts=", ".join(self.parts), count=len(got)))
            pairs = list(zip(self.parts, got, expected)) if self.parts and isinstance(got, tuple) else [("", got, expected)]
            if self.parts and pairs[0][0] == "":
                return Feedback(name, "failed", _("{name}: on {case}, expected a tuple ({parts}), got {kind}. Hint: "
                                                  "return them both.").format(
                    name=name, case=case.described(), parts=", ".join(self.parts), kind=type(got).__name__))
            for part, got_part, expected_part in pairs:
                problem = _compare(part, got_part, expected_part, case, self.atol)
                if problem:
                    return Feedback(name, "failed", _("{name}: on {case}: {problem}").format(
                        name=name, case=case.described(), problem=problem))
        return Feedback(name, "passed", _("{name}: all {count} checks passed.").format(name=name, count=len(self.cases)))

    def __call__(self, learners) -> None:
        print(self.grade(learners))


# ---------------------------------------------------------------------------------------------
# Notebook 01: leaky ReLU.
# ---------------------------------------------------------------------------------------------

_rng = np.random.default_rng(2024)
_Z_BATCH = np.round(_rng.standard_normal((3, 4)) * 3, 3)
_BIG = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]])


def _leaky_relu(z):
    return np.where(z > 0, z, 0.01 * z)


def _leaky_relu_prime(z):
    return np.where(z > 0, 1.0, 0.01)


_LEAKY_HINT = N_("leaky ReLU is z where z > 0 and 0.01 z elsewhere; np.where(z > 0, z, 0.01 * z) works on any shape")
_LEAKY_PRIME_HINT = N_("the slope is 1 where z > 0 and 0.01 elsewhere (not 0: that is plain ReLU)")

check_leaky_relu = Exercise("leaky_relu", _leaky_relu, [
    Case("z = [-2, -0.5, 0.5, 2]", (np.array([-2.0, -0.5, 0.5, 2.0]),), _LEAKY_HINT),
    Case(N_("a batch z of shape {shape}"), (_Z_BATCH,), _LEAKY_HINT, values={"shape": _Z_BATCH.shape}),
    Case("z = {z}", (_BIG,), _LEAKY_HINT, values={"z": _show(_BIG)}),
])
"""Notebook 01: ``leaky_relu(z)`` = max(0.01 z, z), element-wise, any shape."""

check_leaky_relu_prime = Exercise("leaky_relu_prime", _leaky_relu_prime, [
    Case("z = [-2, -0.5, 0.5, 2]", (np.array([-2.0, -0.5, 0.5, 2.0]),), _LEAKY_PRIME_HINT),
    Case(N_("a batch z of shape {shape}"), (_Z_BATCH,), _LEAKY_PRIME_HINT, values={"shape": _Z_BATCH.shape}),
    Case("z = [[-10000, -50, 50, 10000]]", (np.array([[-1e4, -50.0, 50.0, 1e4]]),), _LEAKY_PRIME_HINT),
])
"""Notebook 01: ``leaky_relu_prime(z)``, the slope: 1 where z > 0, 0.01 where z < 0."""

# ---------------------------------------------------------------------------------------------
# Notebook 02: the output delta of cross-entropy, and a neuron's gradient.
# ---------------------------------------------------------------------------------------------


def _delta_case(z, y, shows):
    z = np.array(z, dtype=np.float64)
    return Case(shows, (sigmoid(z), np.array(y, dtype=np.float64), z),
                N_("with a sigmoid output and cross-entropy, delta = dC/dz = a - y: sigma'(z) cancels, so do not "
                   "multiply by it"))


def _cross_entropy_delta(a, y, z):
    return a - y


check_cross_entropy_delta = Exercise("cross_entropy_delta", _cross_entropy_delta, [
    _delta_case([[0.5], [-1.0], [2.0]], [[1.0], [0.0], [1.0]], "z = [[0.5], [-1], [2]], y = [[1], [0], [1]]"),
    _delta_case([[-8.0, 8.0]], [[1.0, 0.0]], N_("a saturated, badly wrong output z = [[-8, 8]], y = [[1, 0]]")),
])
"""Notebook 02: ``cross_entropy_delta(a, y, z)`` for sigmoid outputs a = sigma(z); all (n, K)."""


def _neuron_gradient(x, y, w, b):
    a = sigmoid(x @ w + b)
    error = (a - y) / x.shape[0]
    return x.T @ error, float(np.sum(error))


_x_neuron = np.round(_rng.standard_normal((5, 3)), 3)
_NEURON_HINT = N_("with z = x @ w + b and a = sigmoid(z), the mean cross-entropy has dC/dw = x.T @ (a - y) / n and "
                  "dC/db = mean(a - y): no sigma'(z)")
check_neuron_gradient = Exercise("neuron_gradient", _neuron_gradient, [
    Case(N_("x of shape (5, 3), y = [1, 0, 1, 1, 0], w = [0.5, -1, 2], b = 0.1"),
         (_x_neuron, np.array([1.0, 0, 1, 1, 0]), np.array([0.5, -1.0, 2.0]), 0.1), _NEURON_HINT, batch=5),
    Case(N_("one saturated example x = [[4, 4, 4]], y = [1], w = [-1, -1, -1], b = 0"),
         (np.array([[4.0, 4.0, 4.0]]), np.array([1.0]), np.array([-1.0, -1.0, -1.0]), 0.0), _NEURON_HINT, batch=1),
], parts=("dC/dw", "dC/db"))
"""Notebook 02: ``neuron_gradient(x, y, w, b)`` -> (dC/dw (n_in,), dC/db) for one sigmoid neuron with
mean cross-entropy over a batch x (n, n_in), y (n,)."""

# ---------------------------------------------------------------------------------------------
# Notebook 03: binary cross-entropy and KL divergence.
# ---------------------------------------------------------------------------------------------


def _binary_cross_entropy(a, y):
    # lesson_lib's loss on a column of n outputs: the sum over one unit, averaged over n
    return CrossEntropyLoss().value(np.reshape(a, (-1, 1)), np.reshape(y, (-1, 1)))


_BCE_HINT = N_("C = -mean(y ln a + (1 - y) ln(1 - a)) over the n examples")
check_binary_cross_entropy = Exercise("binary_cross_entropy", _binary_cross_entropy, [
    Case("a = [0.99, 0.01, 0.5], y = [1, 1, 0]", (np.array([0.99, 0.01, 0.5]), np.array([1.0, 1.0, 0.0])), _BCE_HINT,
         batch=3),
    Case("a = [0.9, 0.2, 0.7, 0.4], y = [1, 0, 1, 0]", (np.array([0.9, 0.2, 0.7, 0.4]), np.array([1.0, 0, 1, 0])),
         _BCE_HINT, batch=4),
    Case(N_("outputs exactly right, a = [1, 0], y = [1, 0]"), (np.array([1.0, 0.0]), np.array([1.0, 0.0])),
         N_("a perfect output costs 0, but 0 * ln 0 is nan in NumPy: clip a to [1e-12, 1 - 1e-12] first, or use "
            "np.where to take only the log you need"), batch=2),
], atol=1e-6)  # clipping a at any common epsilon up to 1e-6 (1e-7 is Keras's) changes the loss by less than that
"""Notebook 03: ``binary_cross_entropy(a, y)`` -> the mean over n examples; a, y shaped (n,)."""


_KL_HINT = N_("KL(p||q) = sum_j p_j ln(p_j / q_j); the first argument, p, weights the sum")
check_kl_divergence = Exercise("kl_divergence", lambda p, q: float(kl_divergence(p, q)), [
    Case("p = [0.3, 0.7], q = [0.6, 0.4]", (np.array([0.3, 0.7]), np.array([0.6, 0.4])), _KL_HINT),
    Case("p = [0.1, 0.2, 0.7], q = [0.5, 0.25, 0.25]", (np.array([0.1, 0.2, 0.7]), np.array([0.5, 0.25, 0.25])),
         _KL_HINT),
    Case(N_("a one-hot p = [0, 1, 0], q = [0.2, 0.5, 0.3]"), (np.array([0.0, 1.0, 0.0]), np.array([0.2, 0.5, 0.3])),
         N_("terms with p_j = 0 count as 0 (0 ln 0 = 0), but NumPy gives nan: sum only where p > 0")),
])
"""Notebook 03: ``kl_divergence(p, q)`` -> float, for distributions p, q shaped (K,)."""

# ---------------------------------------------------------------------------------------------
# Notebook 04: softmax and log-softmax over a batch.
# ---------------------------------------------------------------------------------------------

_SCORES = np.array([[1.0, 5.0, 3.0], [0.0, 0.0, 0.0], [-2.0, 4.0, 1.0], [2.0, 1.0, 0.5]])
_ROWS_HINT = N_("normalize each row (one example per row): sum with axis=1, keepdims=True")
_SOFTMAX_CASES = [
    Case("z = [[1, 5, 3]]", (np.array([[1.0, 5.0, 3.0]]),),
         N_("a_j = e^(z_j) / sum_k e^(z_k), so each row sums to 1: sum with axis=1, keepdims=True")),
    Case(N_("a batch of 4 rows, z = {z}"), (_SCORES,), _ROWS_HINT, values={"z": _show(_SCORES)}),
    Case(N_("huge scores z = [[1000, 0, -1000]]"), (np.array([[1000.0, 0.0, -1000.0]]),),
         N_("e^1000 overflows: subtract each row's max before exp (it cancels in the ratio)")),
    Case("z = [[-1000, -1001, -1002]]", (np.array([[-1000.0, -1001.0, -1002.0]]),),
         N_("e^-1000 underflows to 0 and 0/0 is nan: subtract each row's max before exp")),
    Case(N_("a 3 x 3 batch z = [[1, 2, 3], [3, 0, 0], [0, 0, 9]]"), (np.array([[1.0, 2, 3], [3, 0, 0], [0, 0, 9]]),),
         _ROWS_HINT),
    Case(N_("two rows far apart, z = [[1000, 999, 998], [-1000, -1001, -1002]]"),
         (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]]),),
         N_("subtract each row's own max, z.max(axis=1, keepdims=True), not the whole batch's: the second row is 2000 "
            "below the batch's max, so every e^(z - max) of it underflows to 0")),
]
check_softmax = Exercise("softmax", softmax, _SOFTMAX_CASES)
"""Notebook 04: ``softmax(z)`` for a batch z (n, K) -> a (n, K), each row summing to 1."""

_LOG_ROWS_HINT = N_("ln a_j = z_j - ln sum_k e^(z_k), row by row (sum with axis=1, keepdims=True); if you subtract the row "
                    "max m, subtract it from z_j as well as inside the exp")
_LOG_SHIFT_HINT = N_("e^1000 overflows to inf, and an output that underflows to 0 has ln 0 = -inf (so ln(softmax) fails "
                     "too): subtract the row max m first, ln a_j = (z_j - m) - ln sum_k e^(z_k - m)")
check_log_softmax = Exercise("log_softmax", log_softmax, [  # softmax's inputs, with hints about logs
    *(replace(_SOFTMAX_CASES[i], hint=_LOG_ROWS_HINT) for i in (0, 1)),
    Case(N_("huge gaps z = [[1000, 0, -1000]]"), (np.array([[1000.0, 0.0, -1000.0]]),), _LOG_SHIFT_HINT),
    replace(_SOFTMAX_CASES[3], hint=_LOG_SHIFT_HINT),
    replace(_SOFTMAX_CASES[4], hint=_LOG_ROWS_HINT),
    _SOFTMAX_CASES[5],
])
"""Notebook 04: ``log_softmax(z)`` for a batch z (n, K) -> ln a (n, K), finite for any finite z."""

# ---------------------------------------------------------------------------------------------
# Notebook 05: backpropagation, one layer down (BP2).
# ---------------------------------------------------------------------------------------------


def _hidden_delta(delta_next, w_next, a):
    return (delta_next @ w_next.T) * a * (1 - a)


_HIDDEN_DELTA_HINT = N_("delta = (delta_next @ W_next.T) * a * (1 - a): W_next.T takes the n_next columns back to "
                        "n_here, and the sigmoid's slope is a(1 - a), computed from the activations a (not sigma(a))")
_dn = np.round(_rng.standard_normal((4, 2)), 3)
_wn = np.round(_rng.standard_normal((3, 2)), 3)
_ah = np.round(_rng.uniform(0.05, 0.95, (4, 3)), 3)
check_hidden_delta = Exercise("hidden_delta", _hidden_delta, [
    Case("delta_next (4, 2), W_next (3, 2), a (4, 3)", (_dn, _wn, _ah), _HIDDEN_DELTA_HINT),
    Case(N_("one example: delta_next = [[1, -1]], W_next = [[1, 2], [3, 4], [5, 6]], a = [[0.5, 0.1, 0.9]]"),
         (np.array([[1.0, -1.0]]), np.array([[1.0, 2], [3, 4], [5, 6]]), np.array([[0.5, 0.1, 0.9]])),
         _HIDDEN_DELTA_HINT),
    Case(N_("a square layer: delta_next (3, 3), W_next (3, 3), a (3, 3)"),
         (np.round(_rng.standard_normal((3, 3)), 3), np.round(_rng.standard_normal((3, 3)), 3),
          np.round(_rng.uniform(0.05, 0.95, (3, 3)), 3)), _HIDDEN_DELTA_HINT),
])
"""Notebook 05: ``hidden_delta(delta_next, W_next, a)`` -> delta (n, n_here) for sigmoid units: delta_next
(n, n_next), W_next (n_here, n_next), a (n, n_here)."""

# ---------------------------------------------------------------------------------------------
# Notebook 06: one layer's mini-batch gradient.
# ---------------------------------------------------------------------------------------------


def _layer_gradients(a_prev, delta):
    n = a_prev.shape[0]
    return a_prev.T @ delta / n, delta.sum(axis=0) / n


_LAYER_HINT = N_("dC/dW = a_prev.T @ delta / n has W's shape (n_in, n_out); dC/db = delta.mean(axis=0)")
_a4 = np.round(_rng.uniform(0, 1, (4, 3)), 3)
_d4 = np.round(_rng.standard_normal((4, 2)), 3)
_a6 = np.round(_rng.uniform(0, 1, (6, 2)), 3)
_d6 = np.round(_rng.standard_normal((6, 2)), 3)
check_layer_gradients = Exercise("layer_gradients", _layer_gradients, [
    Case(N_("a_prev of shape (4, 3), delta of shape (4, 2)"), (_a4, _d4), _LAYER_HINT, batch=4),
    Case(N_("a_prev of shape (6, 2), delta of shape (6, 2)"), (_a6, _d6), _LAYER_HINT, batch=6),
    Case(N_("one example, a_prev = [[1, 2, 3]], delta = [[0.5, -1]]"), (np.array([[1.0, 2, 3]]), np.array([[0.5, -1.0]])),
         _LAYER_HINT, batch=1),
], parts=("dC/dW", "dC/db"))
"""Notebook 06: ``layer_gradients(a_prev, delta)`` -> (dC/dW (n_in, n_out), dC/db (n_out,)) for a
mini-batch: a_prev (n, n_in), delta (n, n_out)."""

# ---------------------------------------------------------------------------------------------
# Notebook 07: the course's task, a softmax + log-likelihood loss class for the MNIST demo.
# ---------------------------------------------------------------------------------------------


def _loss_case(z, labels, shows, hint, batch):
    z = np.array(z, dtype=np.float64)
    return Case(shows, (z, softmax(z), one_hot(labels, z.shape[1], dtype=np.float64)), hint, batch=batch)


def _reference_loss(z, a, y):
    return LogLikelihoodLoss().value(a, y, z), a - y


def _call_loss(loss_class, z, a, y):
    loss = loss_class()
    return np.asarray(loss.value(a, y), dtype=np.float64), np.asarray(loss.delta(a, y))


_LOSS_HINT = N_("value = -mean over the batch of sum_j y_j ln a_j; delta = a - y (the softmax Jacobian cancels: no "
                "a(1 - a) factor)")
check_log_likelihood_loss = Exercise("LogLikelihood", _reference_loss, [
    _loss_case([[1.0, 5.0, 3.0], [2.0, 0.0, -1.0]], [1, 0], N_("z = [[1, 5, 3], [2, 0, -1]], labels [1, 0]"), _LOSS_HINT, 2),
    _loss_case(np.round(_rng.standard_normal((5, 10)) * 4, 3), [3, 1, 4, 1, 5], N_("a batch of 5 digits' scores (5, 10)"),
               _LOSS_HINT, 5),
    _loss_case([[40.0, -800.0, 0.0]], [0], N_("a confident right answer with an output of exactly 0, z = [[40, -800, 0]]"),
               N_("0 * ln 0 is nan in NumPy: take ln of the true class's output only, or clip a to [1e-12, 1]"), 1),
], parts=("value", "delta"), call=_call_loss)
"""Notebook 07: a class with ``value(a, y)`` (mean loss, float) and ``delta(a, y)`` (n, K), for
softmax outputs a (n, K) and one-hot targets y (n, K)."""


class _LearnersLoss(Loss):
    """Adapts a learner's loss class to lesson_lib's Loss, so Network can train with it."""

    activation = LogLikelihoodLoss.activation

    def __init__(self, loss_class):
        self.learners = loss_class()
        self.name = loss_class.__name__

    def value_unchecked(self, a, y, z=None):
        return float(self.learners.value(a, one_hot(y, a.shape[1], dtype=a.dtype) if y.ndim == 1 else y))

    def delta_unchecked(self, a, y, z=None):
        y = one_hot(y, a.shape[1], dtype=a.dtype) if y.ndim == 1 else y
        return np.array(self.learners.delta(a, y), dtype=a.dtype, copy=True)


def train_demo_with(loss_class, *, epochs: int = 3, n_train: int = 10_000, lr=(3.0, 0.1), seed: int = 0):
    """The course's task: train the 784-30-10 MNIST demo with your loss class and print the loss.

    Checks ``loss_class`` first (``check_log_likelihood_loss``); only a loss that passes is
    trained with: a sigmoid hidden layer of 30, a softmax output, the scaled start, mini-batches
    of 10, learning rates ``lr`` (hidden, output), on the first ``n_train`` training digits.
    Prints one line per epoch (mean loss over the training digits, which should fall by less
    and less) and any gradient notes; returns the Network, or None if the loss is not ready.
    """
    from .data import load_mnist
    from .network import Network
    from .training import train

    feedback = check_log_likelihood_loss.grade(loss_class)
    if not feedback.passed:
        print(feedback)
        print(_("Fix the loss class first; the demo trains only with a loss that passes the check."))
        return None
    (x_train, y_train), (x_test, y_test) = load_mnist(n_train=n_train)
    net = Network([784, 30, 10], loss=_LearnersLoss(loss_class), seed=seed)
    history = train(net, x_train, y_train, epochs=epochs, batch_size=10, lr=list(lr), seed=seed)
    print(_("test accuracy after {epochs} epochs: {accuracy:.2%}").format(epochs=len(history.epochs),
                                                                          accuracy=net.accuracy(x_test, y_test)))
    return net

# ---------------------------------------------------------------------------------------------
# Notebook 08: renumbering the classes.
# ---------------------------------------------------------------------------------------------


def _permute_output_layer(weights, biases, perm):
    order = np.argsort(perm)  # new class c was old class order[c]
    return weights[:, order], biases[order]


_PERMUTE_HINT = N_("class j becomes class perm[j], so column perm[j] of the new weights is column j of the old: "
                   "new[:, perm] = old, or new = old[:, np.argsort(perm)]; weights keep their shape (n_hidden, K)")
_w3 = np.round(_rng.standard_normal((4, 3)), 3)
_w5 = np.round(_rng.standard_normal((2, 5)), 3)
check_permute_output_layer = Exercise("permute_output_layer", _permute_output_layer, [
    Case(N_("weights (4, 3), biases [0.1, 0.2, 0.3], perm = [1, 2, 0]"), (_w3, np.array([0.1, 0.2, 0.3]), np.array([1, 2, 0])),
         _PERMUTE_HINT),
    Case(N_("weights (2, 5), biases [1, 2, 3, 4, 5], perm = [3, 0, 4, 1, 2]"),
         (_w5, np.arange(1.0, 6.0), np.array([3, 0, 4, 1, 2])), _PERMUTE_HINT),
    Case(N_("weights (4, 3), the identity perm = [0, 1, 2]"), (_w3, np.array([0.1, 0.2, 0.3]), np.array([0, 1, 2])),
         _PERMUTE_HINT),
], parts=("weights", "biases"))
"""Notebook 08: ``permute_output_layer(weights, biases, perm)`` -> the output layer of a network
whose class j is called perm[j]: weights (n_hidden, K), biases (K,)."""

CHECKERS = {
    "01": [check_leaky_relu, check_leaky_relu_prime],
    "02": [check_cross_entropy_delta, check_neuron_gradient],
    "03": [check_binary_cross_entropy, check_kl_divergence],
    "04": [check_softmax, check_log_softmax],
    "05": [check_hidden_delta],
    "06": [check_layer_gradients],
    "07": [check_log_likelihood_loss],
    "08": [check_permute_output_layer],
}
"""The checkers of each notebook, by the notebook's number."""
