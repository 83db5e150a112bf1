"""lifecycle_utils.measures: the Wilson interval and the prediction scores, on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from lifecycle_utils import measures


def test_wilson_interval_matches_the_closed_form():
    # 0 of 10: (0, z^2 / (n + z^2)); 5 of 10: 0.5 +- z sqrt(n/4 + z^2/4) / (n + z^2)
    lower, upper = measures.wilson_interval([0, 5], [10, 10])
    assert lower[0] == 0.0 and upper[0] == pytest.approx(3.8415 / 13.8415, abs=1e-4)
    assert (lower[1], upper[1]) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    assert np.isnan(measures.wilson_interval(0, 0)[0]) and np.isnan(measures.wilson_interval(0, 0)[1])
    low, high = measures.wilson_interval([3, 0], [7, 0], alpha=0.1)  # an empty cell beside a full one
    assert (low[0], high[0]) == pytest.approx(proportion_confint(3, 7, alpha=0.1, method="wilson"))
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_auc_counts_pairs_in_order_and_ties_as_one_half():
    y, p = [1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1]
    # pairs (1, 0): (0.9, 0.8) right, (0.9, 0.1) right, (0.4, 0.8) wrong, (0.4, 0.1) right
    assert measures.auc(y, p) == pytest.approx(0.75)
    assert measures.auc([0, 0, 1, 1], [1, 2, 3, 4]) == 1.0
    assert measures.auc([0, 0, 1, 1], [4, 3, 2, 1]) == 0.0
    assert measures.auc([0, 1, 0, 1], [1, 1, 1, 1]) == 0.5  # all tied
    assert measures.auc([1, 0], [0.5, 0.5]) == pytest.approx(0.5)
    assert np.isnan(measures.auc([1, 1], [0.2, 0.3]))  # one outcome only


def test_brier_is_the_mean_squared_error_of_the_probability():
    assert measures.brier([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1]) == pytest.approx(
        (0.01 + 0.64 + 0.36 + 0.01) / 4
    )
    assert measures.brier([1, 0], [1.0, 0.0]) == 0.0
    assert np.isnan(measures.brier([], []))


def test_central_differences_are_exact_on_a_quadratic_and_take_per_coordinate_steps():
    a = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, -0.4], [0.5, -0.4, 1.5]])
    b = np.array([1.0, -2.0, 0.5])

    def quadratic(x):
        return 0.5 * x @ a @ x + b @ x

    x = np.array([0.3, -1.2, 2.0])
    gradient, hessian = measures.central_differences(quadratic, x, [1e-2, 1e-3, 5e-2])
    np.testing.assert_allclose(hessian, a, atol=1e-6)
    np.testing.assert_allclose(gradient, a @ x + b, atol=1e-8)
    _, same = measures.central_differences(quadratic, x, 1e-2, center=quadratic(x))
    np.testing.assert_allclose(same, a, atol=1e-6)


def test_central_differences_of_a_non_quadratic_match_the_analytic_derivatives():
    def f(x):  # gradient (e^x0 x1, e^x0 + 3 x1^2), Hessian [[e^x0 x1, e^x0], [e^x0, 6 x1]]
        return np.exp(x[0]) * x[1] + x[1] ** 3

    x = np.array([0.2, 1.5])
    gradient, hessian = measures.central_differences(f, x, 1e-4)
    e = np.exp(0.2)
    np.testing.assert_allclose(gradient, [e * 1.5, e + 3 * 1.5**2], rtol=1e-7)
    np.testing.assert_allclose(hessian, [[e * 1.5, e], [e, 9.0]], rtol=1e-5)


def test_positive_definite_is_the_curvature_of_a_minimum():
    assert measures.positive_definite(np.array([[2.0, 0.5], [0.5, 1.0]]))
    assert not measures.positive_definite(np.array([[1.0, 0.0], [0.0, -1.0]]))  # a saddle
    assert not measures.positive_definite(np.array([[1.0, np.nan], [np.nan, 1.0]]))
    assert not measures.positive_definite(None)
