"""The Pareto/NBD fit on a log with no sign of dropout (issue 20, point 4): the search ends on the
no-dropout edge instead of walking ``beta`` out to where ``hyp2f1`` costs 100 times more, and the attempts
after the plain maximum-likelihood ones are skipped, saying why; what the notebooks read is unchanged.
Counted in likelihood evaluations and attempts, not in seconds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import clv, data, pareto_nbd, simulate, summary
from lifecycle_utils.pareto_nbd import LOG_LIMIT, fit_parameters


@pytest.fixture(scope="module")
def no_dropout_log():
    """600 customers buying at Gamma(0.5, 4) weekly rates who practically never leave (dropout
    probabilities ~ Beta(1, 1e6) per purchase). Before the fix: 12 attempts, 9,738 likelihood evaluations,
    3,619 of them at beta / alpha > 100 (17 s); the outcome below is the one it had."""
    tx, _ = simulate.simulate_transactions(600, a=1.0, b=1e6, r=0.5, alpha=4.0, seed=1)
    return summary.customer_summary(tx, "2023-12-31", "W")


@pytest.fixture
def evaluations(monkeypatch):
    """The parameters of every Pareto/NBD likelihood evaluation, in order."""
    seen = []
    real = pareto_nbd.ParetoNBDLikelihood.__call__

    def counted(self, params):
        seen.append(tuple(float(v) for v in params))
        return real(self, params)

    monkeypatch.setattr(pareto_nbd.ParetoNBDLikelihood, "__call__", counted)
    return seen


def _heavy(seen) -> int:
    """Evaluations at beta / alpha > 100, where hyp2f1 costs 10 to 100 times more."""
    p = np.array(seen)
    return int((p[:, 3] / p[:, 1] > 100).sum())


def test_pareto_nbd_on_a_log_without_dropout_stops_after_the_plain_fits(no_dropout_log, evaluations):
    fit = clv.fit_model("Pareto/NBD", no_dropout_log)
    assert [a.split(":")[0] for a in fit.attempts] == [
        "penalizer 0, start default",
        "penalizer 0, start from the data",
    ]
    assert all("parameter on a boundary (s=1e-06" in a for a in fit.attempts)
    assert len(evaluations) < 1500 and _heavy(evaluations) < 600  # before: 9,738 and 3,619
    # the note keeps its form and says why the rest was skipped
    assert fit.note.startswith("no clean fit; kept the last converged one on a boundary: penalizer 0, start")
    assert fit.note.endswith(
        "then stopped: every plain maximum-likelihood fit put the dropout at 0 (s=1e-06), so the data "
        "show no customer leaving and a penalty could only set the dropout by fiat; skipped penalizers "
        "0.001, 0.01 and another unit of time"
    )


def test_the_outcome_the_notebooks_read_is_as_before(no_dropout_log):
    fit = clv.fit_model("Pareto/NBD", no_dropout_log)
    assert not fit.ok and not fit.converged and fit.model is not None
    assert list(fit.mle_boundary) == ["s"] and fit.mle_boundary["s"] == pytest.approx(1e-6, rel=1e-4)
    assert fit.dropout_at_zero and clv.no_dropout({"Pareto/NBD": fit})
    report = clv.fit_report({"Pareto/NBD": fit})
    assert report.loc["Pareto/NBD", "fitted"] == "on a boundary"
    assert report.loc["Pareto/NBD", "maximum likelihood"] == "on a boundary (s=1e-06): no dropout"
    # the kept fit is now the plain maximum-likelihood one (before: the last penalized one), at the NBD's
    # r and alpha: the model every dropout model tends to as its dropout goes to 0
    assert fit.penalizer == 0.0
    nbd = clv.fit_model(clv.NBD, no_dropout_log)
    for k in ("r", "alpha"):
        assert fit.params[k] == pytest.approx(nbd.params[k], rel=1e-4)
    assert fit.log_likelihood == pytest.approx(nbd.log_likelihood, abs=1e-2)
    fallback = clv.fallback_fits({"Pareto/NBD": fit}, no_dropout_log)
    assert list(fallback) == [clv.NBD] and fallback[clv.NBD].ok


def test_the_search_ends_on_the_no_dropout_edge_at_the_nbd_fit(no_dropout_log, evaluations):
    frame = clv.compress(no_dropout_log)
    x, r, t, w = (frame[c].to_numpy(float) for c in ("frequency", "recency", "T", "weight"))
    scale = 1 / t.max()
    params, _, converged = fit_parameters(x, r * scale, t * scale, w, initial=np.ones(4))
    assert converged and params[2] == pytest.approx(np.exp(-LOG_LIMIT), rel=1e-12)
    nbd = clv.fit_model(clv.NBD, frame)
    np.testing.assert_allclose(params[:2] / [1, scale], nbd.params[["r", "alpha"]], rtol=1e-4)
    assert len(evaluations) < 400  # before: 735 (BFGS, then Nelder-Mead walking beta to beta/alpha ~ 3,000)


@pytest.fixture(scope="module")
def cdnow():
    sample = data.load_cdnow_sample()[0]
    split = summary.calibration_holdout(sample, "1997-09-30", observation_end="1998-06-30")
    frame = clv.compress(clv.calibration_frame(split))
    x, r, t, w = (frame[c].to_numpy(float) for c in ("frequency", "recency", "T", "weight"))
    return x, r / t.max(), t / t.max(), w


def test_on_data_with_dropout_the_edge_changes_nothing(cdnow, monkeypatch):
    looks = []
    real = pareto_nbd._NoDropoutEdge.check
    monkeypatch.setattr(
        pareto_nbd._NoDropoutEdge, "check", lambda self, *a, **k: looks.append(a) or real(self, *a, **k)
    )
    with_edge = fit_parameters(*cdnow, initial=np.ones(4))
    monkeypatch.setattr(pareto_nbd, "EDGE_LOOK", 0.0)  # never look
    without = fit_parameters(*cdnow, initial=np.ones(4))
    np.testing.assert_array_equal(with_edge[0], without[0])
    assert with_edge[1:] == without[1:] and not looks  # s never falls below EDGE_LOOK on CDNOW


def test_the_edge_is_refused_where_a_little_dropout_fits_better(cdnow):
    """A search point at CDNOW's optimum but with s 1,000 times smaller: the edge is no worse than a
    point of value +inf, but a little dropout raises the likelihood there, so it is no maximum: refused."""
    best, _, _ = fit_parameters(*cdnow, initial=np.ones(4))
    like = pareto_nbd.ParetoNBDLikelihood(*cdnow[:3])
    w = cdnow[3]

    def objective(log_params):
        return -float(np.dot(w, like(np.exp(log_params)))) / w.sum()

    edge = pareto_nbd._NoDropoutEdge(objective, like, w, np.zeros(4))
    assert not edge.check(np.log(best * [1, 1, 1e-3, 1]), np.inf) and edge.point is None


def _boundary_attempts(edges):
    """An ``_attempt`` that returns, for the plain maximum-likelihood attempts in turn, a model on the
    given boundary (or, for None, no convergence), and a clean fit for any penalized one."""
    plain = iter(edges)

    def attempt(cls, frame, penalizer, initial, time_scale=1.0):
        model = clv.fitting.BetaGeoFitter()
        if penalizer > 0:
            model.params_ = pd.Series({"r": 0.2, "alpha": 4.0, "a": 0.8, "b": 2.4})
            return model, "", 0
        edge = next(plain)
        if edge is None:
            return None, "did not converge (simulated)", 0
        model.params_ = pd.Series({"r": 0.2, "alpha": 4.0, "a": 0.8, "b": 2.4} | edge)
        return model, f"parameter on a boundary ({', '.join(f'{k}={v:.3g}' for k, v in edge.items())})", 0

    return attempt


@pytest.mark.parametrize(
    "edges, stops",
    [
        ([{"a": 1e-9}, {"a": 2e-9, "b": 3e5}], True),  # the dropout shape at 0 from every start
        ([{"a": 1e-9}, None], False),  # a start did not converge: a penalty may still find a clean fit
        ([{"b": 3e5}, {"b": 3e5}], False),  # a scale at infinity: a penalty brings it inside (kept, said so)
        ([{"r": 3e5}, {"a": 1e-9}], False),  # one start on another boundary
    ],
)
def test_the_chain_stops_only_when_every_plain_fit_puts_the_dropout_shape_at_zero(
    monkeypatch, cal_like, edges, stops
):
    monkeypatch.setattr(clv.fitting, "_attempt", _boundary_attempts(edges * 2))
    fit = clv.fit_model("BG/NBD", cal_like)
    if stops:
        assert not fit.ok and len(fit.attempts) == 2 and fit.penalizer == 0.0
        assert "then stopped: every plain maximum-likelihood fit put the dropout at 0 (a=1e-09)" in fit.note
        assert fit.note.endswith("skipped penalizers 0.001, 0.01 and another unit of time")
    else:  # as before: on to the penalized fits, the first of which is clean here
        assert fit.ok and fit.penalizer == 0.001 and len(fit.attempts) == 3 and "stopped" not in fit.note
    assert fit.mle_boundary == next(e for e in edges if e is not None)


@pytest.fixture(scope="module")
def cal_like():
    return pd.DataFrame({"frequency": [0.0, 1.0, 3.0], "recency": [0.0, 5.0, 20.0], "T": [30.0, 30.0, 30.0]})


def test_the_no_dropout_likelihood_is_the_limit_of_the_pareto_nbd_one(cdnow):
    """s -> 0 at any beta. Not uniformly: a customer silent for long keeps a term of s times the odds of
    that silence without dropout, ((alpha + T) / (alpha + recency))^(r + x), up to 1e8 here."""
    like = pareto_nbd.ParetoNBDLikelihood(*cdnow[:3])
    for beta in (0.05, 3.0, 400.0):
        np.testing.assert_allclose(like.no_dropout(0.55, 0.27), like((0.55, 0.27, 1e-24, beta)), rtol=1e-12)
