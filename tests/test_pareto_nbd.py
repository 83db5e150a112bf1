"""lifecycle_utils.pareto_nbd: the likelihood equals lifetimes' where lifetimes' is finite, is right where
lifetimes' is NaN, and the fast search finds lifetimes' optimum (or a better one) on compressed and full
data alike, returning a working lifetimes ParetoNBDFitter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifetimes import ParetoNBDFitter
from scipy.special import gammaln

from lifecycle_utils import clv, data, summary
from lifecycle_utils.pareto_nbd import FastParetoNBDFitter, ParetoNBDLikelihood, fit_parameters

PUBLISHED_PARETO = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}


@pytest.fixture(scope="module")
def cal():
    tx, _ = data.load_cdnow_sample()
    return summary.customer_summary(tx, "1997-09-30", "W")[["frequency", "recency", "T"]]


@pytest.mark.parametrize(
    "params",
    [
        (0.553, 10.58, 0.606, 11.67),  # alpha < beta
        (0.7, 20.0, 0.4, 3.0),  # alpha > beta
        (2.0, 5.0, 5.0, 5.0),
    ],
)  # alpha == beta
def test_likelihood_equals_lifetimes(cal, params):
    x, r, t = (cal[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    ours = ParetoNBDLikelihood(x, r, t)(params)
    theirs = ParetoNBDFitter._conditional_log_likelihood(np.array(params), x, r, t)
    finite = np.isfinite(theirs)
    assert finite.mean() > 0.99
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-10, atol=1e-10)
    assert np.isfinite(ours).all()


def test_likelihood_where_lifetimes_returns_nan():
    """recency == T (a purchase on the last day) makes A_0 = 0, so the likelihood is
    A_1 - (r + x) log(alpha + T) - s log(beta + T). lifetimes returns NaN there for many repeats (its
    logsumexp of two equal huge terms); ours gives the closed form."""
    r, alpha, s, beta = params = (0.7063, 3.2427, 0.4295, 17.8555)
    x, t = np.array([144.0, 3.0]), np.array([99.0, 30.0])
    ours = ParetoNBDLikelihood(x, t, t)(params)
    closed = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        - (r + x) * np.log(alpha + t)
        - s * np.log(beta + t)
    )
    np.testing.assert_allclose(ours, closed, rtol=1e-12)
    with np.errstate(all="ignore"):
        theirs = ParetoNBDFitter._conditional_log_likelihood(np.array(params), x, t, t)
    assert np.isnan(theirs[0]), "lifetimes' Pareto/NBD likelihood is finite here now"
    assert theirs[1] == pytest.approx(closed[1], rel=1e-10)


def test_fast_fit_matches_lifetimes_and_the_published_fit(cal):
    frame = clv.compress(cal)
    args = (frame["frequency"], frame["recency"], frame["T"])
    ours = FastParetoNBDFitter().fit(*args, weights=frame["weight"], initial_params=np.ones(4))
    theirs = ParetoNBDFitter().fit(*args, weights=frame["weight"], initial_params=np.ones(4))
    assert isinstance(ours, ParetoNBDFitter)
    for k, v in PUBLISHED_PARETO.items():
        assert ours.params_[k] == pytest.approx(v, abs=5e-3)
    # lifetimes stops at tol=1e-4; ours is at least as good an optimum and within that tolerance of it
    np.testing.assert_allclose(ours.params_, theirs.params_, rtol=2e-3)
    assert ours._negative_log_likelihood_ <= theirs._negative_log_likelihood_ + 1e-9
    # predictions are lifetimes' own methods on the fitted parameters
    probe = (np.array([0.0, 2.0, 10.0]), np.array([0.0, 20.0, 35.0]), np.array([38.0, 38.0, 38.0]))
    twin = ParetoNBDFitter()
    twin.params_ = ours.params_.copy()
    np.testing.assert_allclose(
        ours.conditional_probability_alive(*probe), twin.conditional_probability_alive(*probe)
    )
    np.testing.assert_allclose(
        ours.predict(10, *probe), twin.conditional_expected_number_of_purchases_up_to_time(10, *probe)
    )


def test_compressed_and_full_fits_agree(cal):
    frame = clv.compress(cal)
    compressed = FastParetoNBDFitter().fit(
        frame["frequency"], frame["recency"], frame["T"], weights=frame["weight"], initial_params=np.ones(4)
    )
    full = FastParetoNBDFitter().fit(cal["frequency"], cal["recency"], cal["T"], initial_params=np.ones(4))
    np.testing.assert_allclose(compressed.params_, full.params_, rtol=1e-7)


def test_penalizer_pulls_parameters_towards_zero(cal):
    frame = clv.compress(cal)
    x, r, t, w = (frame[c].to_numpy(float) for c in ("frequency", "recency", "T", "weight"))
    scale = 1 / t.max()
    plain, _, ok1 = fit_parameters(x, r * scale, t * scale, w)
    penalised, _, ok2 = fit_parameters(x, r * scale, t * scale, w, penalizer=0.1)
    assert ok1 and ok2
    assert np.sum(penalised**2) < np.sum(plain**2)


def test_failed_search_raises_lifetimes_convergence_error():
    from lifetimes.utils import ConvergenceError

    with pytest.raises(ConvergenceError, match="did not converge"):
        # no data row is finite at any parameter: every evaluation is inf
        FastParetoNBDFitter().fit(pd.Series([1.0]), pd.Series([np.nan]), pd.Series([1.0]))


def test_newton_polish_lands_on_a_quadratic_minimum_and_refuses_saddles():
    from lifecycle_utils.pareto_nbd import _newton_polish

    centre = np.array([0.3, -1.2, 2.0, 0.5])
    bowl = np.diag([1.0, 10.0, 0.01, 3.0])
    quadratic = lambda u: float((u - centre) @ bowl @ (u - centre))  # noqa: E731
    start = centre + np.array([1e-3, -2e-3, 5e-2, 1e-4])
    x, value = _newton_polish(quadratic, start, quadratic(start))
    np.testing.assert_allclose(x, centre, atol=1e-8)
    assert value < 1e-14
    saddle = lambda u: float(u[0] ** 2 - u[1] ** 2 + u[2] ** 2 + u[3] ** 2)  # noqa: E731
    start = np.array([0.1, 0.1, 0.1, 0.1])
    x, _ = _newton_polish(saddle, start, saddle(start))
    np.testing.assert_array_equal(x, start)
