"""Entropy, cross-entropy and KL divergence of discrete probability distributions.

p is the true distribution (for a labelled example: the one-hot label y), q the model's
(the network's output a). Logarithms are natural, so the unit is the nat; divide by ln 2
for bits.

    H(p)       = -sum_j p_j ln p_j            the average surprise of outcomes drawn from p
    H(p, q)    = -sum_j p_j ln q_j            the average surprise if we expect q instead
    KL(p || q) =  sum_j p_j ln(p_j / q_j)     the extra surprise: H(p, q) = H(p) + KL(p || q)

Terms with p_j = 0 count as 0 (the limit of p ln p as p -> 0). For a one-hot p, H(p) = 0 and
H(p, q) = KL(p || q) = -ln q_true: the log-likelihood loss.

Shapes: p and q are (K,) or (n, K), each row summing to 1; the results are numbers or (n,).
"""

from __future__ import annotations

import numpy as np

from .validation import as_float_array


def as_distribution(name: str, p) -> np.ndarray:
    """p as a float array of probabilities along its last axis, or a clear error."""
    p = as_float_array(name, p)
    if p.ndim not in (1, 2) or p.shape[-1] < 2:
        raise ValueError(f"{name}: expected probabilities shaped (K,) or (n, K) with K >= 2, got shape {p.shape}")
    if np.any(p < 0):
        raise ValueError(f"{name}: expected probabilities >= 0, got a smallest value of {p.min():g}")
    sums = p.sum(axis=-1)
    if np.any(np.abs(sums - 1) > 1e-6):
        worst = sums.flat[np.argmax(np.abs(sums - 1))]
        raise ValueError(f"{name}: expected probabilities that sum to 1 along the last axis, got a sum of {worst:.6g}")
    return p


def _check_pair(p, q):
    p, q = as_distribution("p", p), as_distribution("q", q)
    if p.shape != q.shape:
        raise ValueError(f"q: expected the same shape as p {p.shape}, got {q.shape}")
    return p, q


def _p_log(p, x):
    """sum_j p_j ln x_j along the last axis, with 0 ln(anything) = 0; -inf if some p_j > 0 meets x_j = 0."""
    with np.errstate(divide="ignore"):
        logs = np.log(x, out=np.zeros_like(x), where=p > 0)  # ln x_j only where p_j > 0
    return np.sum(p * logs, axis=-1)


def entropy(p):
    """H(p) = -sum_j p_j ln p_j, in nats. 0 for a certain outcome, ln k for k equal outcomes."""
    p = as_distribution("p", p)
    return -_p_log(p, p) + 0.0  # + 0.0 turns -0.0 into 0.0


def cross_entropy(p, q):
    """H(p, q) = -sum_j p_j ln q_j, in nats; infinite where q gives 0 to an outcome p allows."""
    p, q = _check_pair(p, q)
    return -_p_log(p, q) + 0.0


def kl_divergence(p, q):
    """KL(p || q) = sum_j p_j ln(p_j / q_j) = H(p, q) - H(p) >= 0, zero only when q = p."""
    p, q = _check_pair(p, q)
    return _p_log(p, p) - _p_log(p, q) + 0.0


def compare_distributions(p, q) -> dict:
    """Everything the entropy explorer of notebook 03 shows, for one pair p, q shaped (K,).

    Returns a dict with "entropy" H(p), "cross_entropy" H(p, q), "kl" KL(p || q) and
    "gradient" = q - p, the gradient of H(p, q) with respect to the scores z when q =
    softmax(z) (the delta of notebook 04).
    """
    p, q = _check_pair(p, q)
    if p.ndim != 1:
        raise ValueError(f"p: expected one distribution shaped (K,), got shape {p.shape}")
    return {"entropy": float(entropy(p)), "cross_entropy": float(cross_entropy(p, q)),
            "kl": float(kl_divergence(p, q)), "gradient": q - p}
