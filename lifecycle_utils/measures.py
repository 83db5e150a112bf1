"""Small statistical measures the analyses share: the Wilson interval of a proportion, the scores
of a prediction against what happened (AUC, Brier), and the finite-difference gradient and Hessian
of a likelihood (the fits' Newton steps and standard errors). A base layer, like
:mod:`lifecycle_utils.summary`: the analyses (stages, survival, rfm, clv, strategy) use it, and it uses
none of them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata
from statsmodels.stats.proportion import proportion_confint

__all__ = ["wilson_interval", "auc", "brier", "central_differences", "positive_definite"]


def wilson_interval(successes, trials, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score ``1 - alpha`` interval for a proportion ``successes / trials`` (arrays or numbers;
    fractions 0-1, finite at 0 and at 1; NaN where ``trials`` is 0), through statsmodels'
    ``proportion_confint(method="wilson")``."""
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    empty = n == 0
    lower, upper = proportion_confint(k, np.where(empty, 1.0, n), alpha=alpha, method="wilson")
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    nan = np.full(np.shape(lower), np.nan)
    return np.where(empty, nan, np.clip(lower, 0.0, 1.0)) + 0.0, np.where(
        empty, nan, np.clip(upper, 0.0, 1.0)
    ) + 0.0


def auc(outcome, score) -> float:
    """Area under the ROC curve of ``score`` for a 0/1 ``outcome``: the chance that a random case with
    outcome 1 scores higher than a random one with outcome 0, ties counting one half (Mann-Whitney,
    mid-ranks). 0.5 is chance, 1 a perfect ranking. NaN when either outcome is absent."""
    y, s = np.asarray(outcome, dtype=bool), np.asarray(score, dtype=float)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def brier(outcome, probability) -> float:
    """Brier score: the mean squared difference between the predicted ``probability`` and the 0/1
    ``outcome``; 0 is perfect, lower is better. NaN without cases."""
    y, p = np.asarray(outcome, dtype=float), np.asarray(probability, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(y) else float("nan")


def central_differences(
    objective: Callable[[np.ndarray], float], x, step, center: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and the Hessian of ``objective`` at ``x`` by central differences: ``step`` is the
    width per coordinate (a number or one per coordinate, in the units of ``x``); ``center`` is
    ``objective(x)`` when already known. Second derivatives use three points on the diagonal and four
    off it; both are exact for a quadratic. The error is of order ``step**2`` times the fourth
    derivative, so on a likelihood known to about 1e-15 a step near 1e-3 of the scale of ``x`` balances
    truncation against rounding. Costs ``2 n**2 + 1`` evaluations for ``n`` coordinates."""
    x = np.asarray(x, float)
    n = len(x)
    h = np.broadcast_to(np.asarray(step, float), (n,))
    e = np.diag(h)
    value = objective(x) if center is None else center
    plus = np.array([objective(x + e[i]) for i in range(n)])
    minus = np.array([objective(x - e[i]) for i in range(n)])
    gradient = (plus - minus) / (2 * h)
    hessian = np.diag((plus - 2 * value + minus) / h**2)
    for i in range(n):
        for j in range(i + 1, n):
            hessian[i, j] = hessian[j, i] = (
                objective(x + e[i] + e[j])
                - objective(x + e[i] - e[j])
                - objective(x - e[i] + e[j])
                + objective(x - e[i] - e[j])
            ) / (4 * h[i] * h[j])
    return gradient, hessian


def positive_definite(matrix) -> bool:
    """Whether ``matrix`` (a symmetric Hessian, or None) is finite with every eigenvalue above 0: the
    curvature of a minimum, where a Newton step or a standard error from its inverse can be trusted."""
    return (
        matrix is not None
        and bool(np.all(np.isfinite(matrix)))
        and bool(np.all(np.linalg.eigvalsh(matrix) > 0))
    )
