"""lifecycle_utils.clv.holdout: money predictions against the holdout revenue, on hand-computed cases
and on data simulated from the models (known truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import clv, simulate, summary


def test_gains_on_hand_computed_rankings():
    actual = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]
    # the buyer ranked first: all revenue in the top decile (lift 10), a perfect ranking (Gini 1)
    assert clv.gains(actual, np.arange(10.0)) == pytest.approx((10.0, 1.0))
    # ranked last: nothing in the top decile, the worst ranking (Gini -1 relative to the perfect one)
    assert clv.gains(actual, -np.arange(10.0)) == pytest.approx((0.0, -1.0))
    # two buyers of 5 each, ranked 1st and 3rd of 4: cumulative shares .5 .5 1 1 (mean .75) against the
    # diagonal's 5/8 -> .125; perfect .5 1 1 1 (mean .875) -> .25; Gini .5; top decile = 1 customer, .5 of
    # the revenue from .25 of the customers -> lift 2
    assert clv.gains([5.0, 0, 5, 0], [4.0, 3, 2, 1]) == pytest.approx((2.0, 0.5))
    assert np.isnan(clv.gains([0.0, 0.0], [1.0, 2.0])[0])


@pytest.fixture(scope="module")
def simulated():
    tx, truth = simulate.simulate_transactions(
        6000, "2021-01-01", acquisition_months=6, observation_end="2022-12-31", seed=3
    )
    split = summary.calibration_holdout(tx, "2021-12-31", observation_end="2022-12-31")
    cal = clv.calibration_frame(split)
    fits = {"BG/NBD": clv.fit_model("BG/NBD", cal)}
    return split, clv.holdout_revenue(split, fits, clv.fit_gamma_gamma(cal))


def test_the_true_model_predicts_the_holdout_revenue_it_generated(simulated):
    # data from BG/NBD + Gamma-Gamma: the BG/NBD prediction totals within a few percent of what happened,
    # the calibration spend-rate baseline does not (it ignores dropout)
    split, per = simulated
    check = clv.revenue_check(per)
    assert abs(check.loc["BG/NBD", "total error (%)"]) < 6
    assert check.loc[clv.BASELINE, "total error (%)"] > 20
    assert check.loc["BG/NBD", "actual total"] == pytest.approx(
        (split["frequency_holdout"] * split["monetary_value_holdout"]).sum(), abs=1
    )
    assert 0.3 < check.loc["BG/NBD", "Gini"] <= 1 and check.loc["BG/NBD", "top-decile lift"] > 2


def test_deciles_and_frequency_groups_partition_the_customers(simulated):
    _, per = simulated
    deciles = clv.revenue_by_decile(per, "BG/NBD")
    assert deciles["customers"].sum() == len(per) and list(deciles.index) == list(range(1, 11))
    assert deciles["share of actual revenue (%)"].sum() == pytest.approx(100, abs=0.5)
    assert deciles["mean predicted"].is_monotonic_increasing
    by_f = clv.revenue_by_frequency(per, cap=3)
    assert by_f["customers"].sum() == len(per) and list(by_f.index) == ["0", "1", "2", "3+"]
    assert by_f.loc["0", clv.BASELINE] == 0  # no repeat spend: the baseline predicts nothing


def test_a_boundary_fit_is_left_out_of_the_money_check():
    split = pd.DataFrame(
        {
            "frequency_cal": [1.0, 0.0],
            "recency_cal": [2.0, 0.0],
            "T_cal": [4.0, 4.0],
            "monetary_value_cal": [10.0, 0.0],
            "frequency_holdout": [1.0, 0.0],
            "monetary_value_holdout": [12.0, 0.0],
            "duration_holdout": [4.0, 4.0],
        },
        index=["a", "b"],
    )
    failed = clv.FitResult("BG/NBD", None, pd.Series(dtype=float), np.nan, False)

    class Spend:  # a stand-in for a fitted Gamma-Gamma: the spend per purchase is the mean so far
        @staticmethod
        def conditional_expected_average_profit(frequency, monetary):
            return np.asarray(monetary, float)

    per = clv.holdout_revenue(split, {"BG/NBD": failed}, Spend())
    assert list(per.columns) == ["frequency_cal", "actual", clv.BASELINE]
    assert per["actual"].tolist() == [12.0, 0.0] and per[clv.BASELINE].tolist() == [10.0, 0.0]
