"""A small logistic calibration from the model's signals to the probability of a right answer.

    never seen:  logit p = a_unseen + c_unseen · logit(prior)
    seen:        logit p = a_seen + b · logit(R) + c_seen · logit(prior)

R is the FSRS retrievability at the moment of the question, `prior` the topic estimate
(model.topic_estimates). With no history the weights are DEFAULT_WEIGHTS: an unseen question
gets its prior, a seen one a blend of memory and topic. They are fitted by maximum likelihood
on the learner's stored (forecast, outcome) pairs with a ridge penalty pulling them toward the
defaults, so a few answers barely move them and a few hundred decide them.

Five weights: Newton's method with a hand-written 5×5 solve, no numpy, so the home screen's
worker pays no import for it.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EPS = 0.01                                    # probabilities are clipped to [EPS, 1 − EPS] before logit
DEFAULT_WEIGHTS = (0.0, 1.0, 0.0, 0.6, 0.4)   # a_unseen, c_unseen, a_seen, b, c_seen
RIDGE = 10.0                                  # penalty λ/2 · |w − default|², in units of log-likelihood
ITERATIONS = 25


def logit(p: float) -> float:
    p = min(max(p, EPS), 1 - EPS)
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def features(retrievability: float | None, prior: float) -> tuple[float, float, float, float, float]:
    if retrievability is None:
        return (1.0, logit(prior), 0.0, 0.0, 0.0)
    return (0.0, 0.0, 1.0, logit(retrievability), logit(prior))


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...] = DEFAULT_WEIGHTS
    pairs: int = 0  # how many pairs it was fitted on

    def probability(self, retrievability: float | None, prior: float) -> float:
        return sigmoid(sum(w * x for w, x in zip(self.weights, features(retrievability, prior))))

    @classmethod
    def fit(cls, samples: Iterable[tuple[float | None, float, bool]], ridge: float = RIDGE) -> Calibration:
        """Fit on (retrievability, prior, correct) triples; the defaults when there are none."""
        rows = [(features(r, prior), 1.0 if correct else 0.0) for r, prior, correct in samples]
        if not rows:
            return cls()
        w = list(DEFAULT_WEIGHTS)
        k = len(w)
        for _ in range(ITERATIONS):
            gradient = [-ridge * (w[i] - DEFAULT_WEIGHTS[i]) for i in range(k)]
            hessian = [[ridge if i == j else 0.0 for j in range(k)] for i in range(k)]
            for x, y in rows:
                p = sigmoid(sum(wi * xi for wi, xi in zip(w, x)))
                s = p * (1 - p)
                for i in range(k):
                    if x[i]:
                        gradient[i] += (y - p) * x[i]
                        for j in range(k):
                            if x[j]:
                                hessian[i][j] += s * x[i] * x[j]
            step = _solve(hessian, gradient)
            w = [wi + si for wi, si in zip(w, step)]
            if max(abs(si) for si in step) < 1e-8:
                break
        return cls(tuple(w), len(rows))


def _solve(a: Sequence[Sequence[float]], b: Sequence[float]) -> list[float]:
    """x with a·x = b for a symmetric positive definite a (Gaussian elimination, partial pivoting)."""
    n = len(b)
    m = [list(row) + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x
