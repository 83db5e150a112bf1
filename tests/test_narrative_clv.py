"""lifecycle_utils.narrative.clv: notebook 04's sentences from small hand-made tables, each judgement on
both sides of its threshold (just below, at, just above), and the degenerate inputs (None, empty,
all-NaN, a single row)."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import clv, narrative
from lifecycle_utils.clv import WARNING_ALIVE_BELOW
from lifecycle_utils.narrative import clv as nc
from lifecycle_utils.validation import compare

NAN = float("nan")


def ok(*names, failed=()):
    """Stand-ins for clv.FitResult: only ``ok`` is read."""
    fits = {n: types.SimpleNamespace(ok=True) for n in names}
    return fits | {n: types.SimpleNamespace(ok=False) for n in failed}


# ------------------------------------------------------------------------------- about CDNOW only
def validation(reproduced_ll=-9582.43):
    published = {
        "BG/NBD r": 0.2426,
        "BG/NBD log-likelihood": -9582.43,
        "holdout purchases per customer, x = 0: actual": 0.237,
        "repeat transactions in the holdout": 1882,
    }
    reproduced = published | {"BG/NBD log-likelihood": reproduced_ll}
    tolerance = {
        "BG/NBD r": 1e-3,
        "BG/NBD log-likelihood": 0.01,
        "holdout purchases per customer, x = 0: actual": 5e-4,
    }
    return compare(published, reproduced, tolerance=tolerance)


def test_the_published_sentence_counts_the_matches_and_is_about_cdnow_only():
    text = nc.published_sentence(validation())
    assert text.startswith("About CDNOW only: all 4 published figures are reproduced within their tolerance")
    assert "the parameters of BG/NBD" in text and "BG/NBD -9,582.43 against the published -9,582.43" in text
    assert "1,882 repeat transactions in the holdout" in text
    assert text.endswith(
        "The wrappers fit the models as the papers do; the models below run through the same code."
    )
    missed = nc.published_sentence(validation(reproduced_ll=-9600.0))
    assert missed.startswith("About CDNOW only: 3 of the 4 published figures")
    assert "Not reproduced: BG/NBD log-likelihood" in missed and "as the papers do" not in missed


@pytest.mark.parametrize(
    "empty", [None, pd.DataFrame(columns=["published", "reproduced", "tolerance", "match"])]
)
def test_the_published_sentence_without_a_table(empty):
    assert nc.published_sentence(empty) == "About CDNOW only: no published figure was compared."


# ------------------------------------------------------------------------------- the split
def test_split_weeks_come_from_the_split_not_from_cdnow():
    tx = pd.DataFrame({"date": pd.to_datetime(["1997-01-01", "1998-06-30"])})
    assert nc.split_weeks(tx, "1997-09-30", end="1998-06-30") == ("weeks 1-39", "weeks 40-78")
    tx = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-03-31"])})
    assert nc.split_weeks(tx, "2023-02-11", end="2023-03-31") == ("weeks 1-6", "weeks 7-13")


def test_split_weeks_of_an_empty_log_or_no_split_say_the_period():
    empty = pd.DataFrame({"date": pd.to_datetime([])})
    assert nc.split_weeks(empty, "2023-01-01", end="2023-02-01") == (
        "the calibration period",
        "the holdout period",
    )
    tx = pd.DataFrame({"date": pd.to_datetime(["2023-01-01"])})
    assert nc.split_weeks(tx, None, end="2023-01-01") == ("the calibration period", "the holdout period")


# ------------------------------------------------------------------------------- fits
def fit_table(fitted=("yes", "yes"), notes=("plain maximum likelihood",) * 2, ll=(-100.0, -90.0)):
    return pd.DataFrame(
        {"fitted": list(fitted), "log-likelihood": list(ll), "parameters": "", "note": list(notes)},
        index=pd.Index(["A", "B"], name="model"),
    )


def test_the_fit_sentence_names_clean_fits_fallbacks_and_the_highest_likelihood():
    assert nc.fit_sentence(fit_table()) == (
        "All 2 models fitted cleanly by plain maximum likelihood. B has the highest log-likelihood on the "
        "calibration period (-90.00; A -100.00); the holdout check below decides which model is used."
    )
    text = nc.fit_sentence(fit_table(notes=("plain maximum likelihood", "kept the fit with penalizer 0.01")))
    assert text.startswith("All 2 models fitted cleanly (B after a fallback).")
    text = nc.fit_sentence(fit_table(fitted=("yes", "on a boundary")))
    assert (
        text
        == "A fitted cleanly by plain maximum likelihood. Left out of the predictions: B (on a boundary)."
    )


def test_a_fit_kept_only_with_a_penalty_says_where_maximum_likelihood_landed():
    table = fit_table(notes=("plain maximum likelihood", "kept the fit with penalizer 0.001 after: ..."))
    table["maximum likelihood"] = ["inside", "on a boundary (a=2.7e-09): no dropout"]
    table["penalizer"] = [0.0, 0.001]
    text = nc.fit_sentence(table)
    assert text.startswith(
        "All 2 models fitted cleanly. B was kept only with a penalty (penalizer 0.001): its plain "
        "maximum-likelihood fit lands on a boundary (a=2.7e-09): no dropout, so its parameters are set "
        "partly by the penalty."
    )


def no_dropout_report(nbd="yes"):
    table = pd.DataFrame(
        {
            "fitted": ["on a boundary", "no dropout", nbd],
            "maximum likelihood": [
                "on a boundary (a=3.5e-08): no dropout",
                "inside, but 0.29% of customers gone by the median age (46.7), under 1%: no dropout",
                "inside",
            ],
            "penalizer": 0.0,
            "log-likelihood": -1.0,
            "parameters": [
                "r 0.5, alpha 2, a 3.5e-08, b 1",
                "r 0.5, alpha 2, s 0.4, beta 6597",
                "r 0.5255, alpha 2.458",
            ],
            "note": "",
        },
        index=pd.Index(["BG/NBD", "Pareto/NBD", clv.NBD], name="model"),
    )
    return table


def test_no_dropout_names_the_fallback_or_says_nothing_is_valued():
    text = nc.fit_sentence(no_dropout_report())
    assert text == (
        "No dropout model can value these customers: BG/NBD puts the dropout at 0 at maximum likelihood "
        "(BG/NBD a=3.5e-08); Pareto/NBD fits inside its bounds but has 0.29% of customers gone by the median "
        "customer's age (under 1%). This data shows no sign of customers leaving, so these models cannot "
        "tell "
        "the purchase rate from the dropout, and none of them is used. In their place, a named fallback: NBD "
        "(no dropout), the model they tend to as the dropout goes to 0 (each customer buys at a rate of "
        "their "
        "own and nobody leaves; r 0.5255, alpha 2.458). Its values run high if customers do leave later."
    )
    stopped = nc.fit_sentence(no_dropout_report(nbd="no"))
    assert stopped.endswith(
        "The fallback, NBD (no dropout), did not fit cleanly either, so no customer is valued."
    )


@pytest.mark.parametrize("report", [None, fit_table().iloc[:0]])
def test_the_fit_sentence_without_fits(report):
    assert nc.fit_sentence(report) == "No transaction model was fitted."


def test_a_single_model_is_named():
    assert nc.fit_sentence(fit_table().iloc[:1]) == "A fitted cleanly by plain maximum likelihood."


def test_no_clean_fit_is_said():
    text = nc.fit_sentence(fit_table(fitted=("no", "on a boundary"), ll=(NAN, -5.0)))
    assert text == "No model fitted cleanly. Left out of the predictions: A (no fit) and B (on a boundary)."


def test_the_standard_error_sentence_names_models_with_and_without():
    index = pd.MultiIndex.from_tuples([("A", "r"), ("A", "b"), ("B", "r")], names=["model", "parameter"])
    table = pd.DataFrame({"estimate": [1.0, 2.0, 3.0], "standard error": [0.1, 0.5, NAN]}, index=index)
    text = nc.standard_error_sentence(table)
    assert text.startswith("A comes with standard errors from the Hessian of the log-likelihood; B does not.")
    assert text.endswith("a customer bootstrap that refits both the model used and the spend model.")
    assert "The least precise parameter is A b (standard error 0.5, 25% of its estimate)." in text
    huge = table.assign(**{"standard error": [0.1, 50.0, NAN]})
    assert "(standard error 50, more than ten times its estimate)." in nc.standard_error_sentence(huge)
    shown = table.assign(**{"standard error (% of estimate)": [10.0, 134.7, NAN]})
    assert "(standard error 0.5, 135% of its estimate)." in nc.standard_error_sentence(shown)
    assert nc.standard_error_sentence(None) == "No model fitted cleanly, so there are no standard errors."
    assert (
        nc.standard_error_sentence(table.iloc[:0])
        == "No model fitted cleanly, so there are no standard errors."
    )


# ------------------------------------------------------------------------------- the holdout check
def comparison(
    mae=(0.80, 0.90), errors=(-12.0, -5.0), base_mae=(1.00, 1.50), actual=1000, low=None, reps=1000
):
    """A clv.holdout_comparison table: models A and B, two baselines, and the bootstrap interval of each
    row's MAE minus the lowest (``low``: the interval's low ends; by default each difference less 0.01)."""
    names = ["A", "B", "baseline: calibration rate", "baseline: average"]
    maes = list(mae) + list(base_mae)
    lowest = min(mae)
    diff = [round(m - lowest, 3) for m in maes]
    low = list(low) if low is not None else [max(d - 0.01, 0.0) if d > 0 else 0.0 for d in diff]
    table = pd.DataFrame(
        {
            "predicted total": 0.0,
            "actual total": actual,
            "total error (%)": list(errors) + [40.0, 30.0],
            "MAE": maes,
            "MAE minus lowest": diff,
            "90% low": low,
            "90% high": [d + 0.01 for d in diff],
        },
        index=pd.Index(names, name="model"),
    )
    table.attrs["reps"] = reps
    return table


def test_the_holdout_sentence_states_the_errors_the_baseline_and_the_rule():
    text = nc.holdout_sentence(comparison(), "A", fits=ok("A", "B"))
    assert text.startswith(
        "On the holdout, customers made 1,000 repeat purchases; the models predicted 5.0% fewer (B) and "
        "12.0% fewer (A); carrying each customer's calibration rate forward (a baseline that ignores "
        "dropout) gives 40.0% more."
    )
    assert (
        "Per customer, A has the lowest error of the models, 0.800 purchases on average (MAE), against 1.000 "
        "for the better naive baseline (calibration rate): 20.0% lower, the 90% interval of the difference "
        "0.190 to 0.210, so it beats the naive forecasts (the rule: at least 10% lower, with an interval of "
        "the difference above 0)." in text
    )
    assert (
        "A is used: its holdout MAE is the lowest, and the 90% interval of every other model's MAE minus its "
        "excludes 0 (B +0.100 (0.090 to 0.110); paired bootstrap over customers, 1,000 resamples)." in text
    )
    assert text.endswith(
        "Its total ran 12.0% low: if the model refitted on the whole period errs the same way, the CLV "
        "totals below are conservative."
    )


@pytest.mark.parametrize("gain, beats", [(9.9, False), (10.0, True), (10.1, True)])
def test_beating_the_baselines_needs_an_mae_ten_percent_lower(gain, beats):
    table = comparison(mae=(1 - gain / 100, 2.0), base_mae=(1.0, 1.5))
    text = nc.holdout_sentence(table, "A", fits=ok("A", "B"))
    assert ("so it beats the naive forecasts" in text) is beats
    assert ("not clearly better than a naive forecast" in text) is not beats


@pytest.mark.parametrize("low, no_better", [(-0.001, True), (0.0, True), (0.001, False)])
def test_a_model_whose_interval_against_the_baseline_includes_0_is_no_better(low, no_better):
    # A is 20% below the baseline, but the baseline's interval of MAE minus A's may include 0
    table = comparison(mae=(0.8, 0.9), base_mae=(1.0, 1.5), low=[0.0, 0.09, low, 0.69])
    text = nc.holdout_sentence(table, "A", fits=ok("A", "B"))
    assert ("so it is no better than a naive forecast on this data" in text) is no_better
    assert ("so it beats the naive forecasts" in text) is not no_better


def test_a_model_worse_than_a_baseline_is_said_to_be_higher():
    text = nc.holdout_sentence(comparison(mae=(1.2, 1.5)), "A", fits=ok("A", "B"))
    assert "20.0% higher, so it is no better than a naive forecast on this data." in text


@pytest.mark.parametrize("low, tied", [(-0.001, True), (0.0, True), (0.001, False)])
def test_models_whose_interval_includes_0_are_indistinguishable(low, tied):
    # B's total is closer, so when the two are tied on MAE the rule uses B
    table = comparison(mae=(1.0, 1.01), errors=(-12.0, -5.0), base_mae=(2.0, 3.0), low=[0.0, low, 0.9, 1.9])
    from lifecycle_utils import clv

    best = clv.best_model(table, ok("A", "B"))
    assert best == ("B" if tied else "A")
    text = nc.holdout_sentence(table, best, fits=ok("A", "B"))
    assert ("A and B are indistinguishable on this check" in text) is tied
    if tied:
        assert (
            f"the 90% interval of B's MAE minus A's includes 0 (B {low:.3f} to 0.020; paired bootstrap over "
            "customers, 1,000 resamples); B is used: of these, it has the smallest error on the total."
            in text
        )


@pytest.mark.parametrize(
    "error, words",
    [(-10.1, "ran 10.1% low"), (-10.0, "within 10%"), (10.0, "within 10%"), (10.1, "ran 10.1% high")],
)
def test_the_total_reads_close_within_ten_percent_else_low_or_high(error, words):
    text = nc.holdout_sentence(comparison(errors=(error, 50.0)), "A", fits=ok("A", "B"))
    assert words in text
    assert ("optimistic" in text) is (error > 10) and ("conservative" in text) is (error < -10)


def test_the_holdout_sentence_for_one_clean_model_no_model_and_no_table():
    text = nc.holdout_sentence(comparison(), "B", fits=ok("B", failed=["A"]))
    assert "B is the only model that fitted cleanly, so it is used." in text
    text = nc.holdout_sentence(comparison(), None, fits=ok(failed=["A", "B"]))
    assert text.endswith("No model fitted cleanly, so none is used to value customers.")
    assert nc.holdout_sentence(None, None) == "No model was compared on the holdout."
    assert nc.holdout_sentence(comparison().iloc[:0], None) == "No model was compared on the holdout."


def test_no_repeat_purchase_in_the_holdout_leaves_the_total_unread():
    table = comparison(errors=(NAN, NAN), actual=0)
    text = nc.holdout_sentence(table, "A", fits=ok("A", "B"))
    assert text.startswith(
        "Customers made no repeat purchases in the holdout, so errors on the total cannot be read."
    )
    assert "ran" not in text and "within 10%" not in text


def test_a_model_with_an_nan_error_is_left_out_of_the_totals():
    text = nc.holdout_sentence(comparison(errors=(-12.0, NAN)), "A", fits=ok("A", "B"))
    assert "the models predicted 12.0% fewer (A);" in text


# ------------------------------------------------------------------------------- describing the data
def period(gap):
    return pd.DataFrame(
        {"actual": [500.0, 300.0, 200.0], "M": [500.0 + gap, 300.0 - gap, 200.0]},
        index=pd.Index(["0", "1", "2+"], name="repeat purchases"),
    )


@pytest.mark.parametrize("gap, close", [(19.9, True), (20.0, True), (20.1, False)])  # 2% of 1,000
def test_the_histogram_is_close_when_no_group_is_off_by_more_than_two_percent(gap, close):
    text = nc.period_sentence(period(gap))
    assert ("M is within 2% of the customers in every group" in text) is close
    assert ("M is off by up to" in text) is not close


def test_the_period_sentence_degenerate_inputs():
    assert nc.period_sentence(None) == "No customer in the calibration period to compare with."
    assert nc.period_sentence(period(0).iloc[:0]) == "No customer in the calibration period to compare with."
    assert nc.period_sentence(period(0)[["actual"]]).startswith("lifetimes gives this distribution for none")
    assert "M gives no distribution" in nc.period_sentence(period(0).assign(M=NAN))
    gap = "(largest gap 1.0 customers at 0 repeat purchases: 501.0 expected against 500)"
    assert gap in nc.period_sentence(period(1.0))


def test_the_period_sentence_reads_the_customers_from_the_all_customers_row():
    table = period(30.0)
    table.loc[clv.ALL_CUSTOMERS] = table.sum()
    text = nc.period_sentence(table)
    assert text.startswith("Against the 1,000 customers' actual repeat purchases")
    assert "M is off by up to 3.0% of the customers (30.0 customers at 0 repeat purchases: 530.0" in text


def conditional():
    return pd.DataFrame(
        {"customers": [10, 5], "actual": [0.2, 2.0], "A": [0.1, 2.5], "B": [0.3, 1.0]},
        index=pd.Index(["0", "1+"], name="repeat purchases in calibration"),
    )


@pytest.mark.parametrize("pct, far", [(-19.9, False), (-20.0, False), (-20.1, True)])
def test_a_group_more_than_twenty_percent_below_is_far_below(pct, far):
    table = pd.DataFrame(
        {"customers": [10, 5], "actual": [1.0, 2.0], "A": [1.0 + pct / 100, 2.0]},
        index=pd.Index(["0", "1+"], name="repeat purchases in calibration"),
    )
    text = nc.conditional_sentence(table, "A")
    rule = "(The rule: a group more than 20% off is far off.)"
    if far:
        assert text.endswith(
            f"A puts its expected purchases far below the actual for customers with 0 repeat purchases (by "
            f"{abs(pct):.1f}%). {rule}"
        )
    else:
        assert text.endswith(f"In every group A's expected purchases are within 20% of the actual. {rule}")
    above = nc.conditional_sentence(table.assign(A=[1.0, 2.0 * 1.201]), "A")
    assert "far above the actual for customers with 1+ repeat purchases (by 20.1%)" in above


def test_the_conditional_sentence_counts_groups_below_and_the_largest_gap():
    text = nc.conditional_sentence(conditional(), "B")
    assert (
        "the number where the expected mean holdout purchases are below the actual mean is 1 for A and 1 "
        "for B." in text
    )
    assert (
        "The largest gap of B is for customers with 1+ repeat purchases in the calibration period: 1.000 "
        "expected against 2.000." in text
    )
    assert text.endswith(
        "B puts its expected purchases far below the actual for customers with 1+ repeat purchases (by "
        "50.0%) and far above it for customers with 0 repeat purchases (by 50.0%). (The rule: a group more "
        "than 20% off is far off.)"
    )
    assert "The largest gap of A" in nc.conditional_sentence(conditional(), None)
    assert nc.conditional_sentence(None) == "No customer to compare in the holdout."
    assert nc.conditional_sentence(conditional()[["customers", "actual"]]).startswith("No model")
    one = nc.conditional_sentence(conditional().iloc[:1].assign(A=NAN), "A")
    assert one.startswith("Of the 1 group of customers") and "largest gap" not in one


def track(calibration_weeks=2):
    out = pd.DataFrame({"week": [1, 2, 3, 4], "actual": [1.0, 2.0, 9.0, 4.0], "M": [1.0, 2.0, 4.0, 4.0]})
    out["M (cumulative)"] = out["M"].cumsum()
    out["actual (cumulative)"] = out["actual"].cumsum()
    out.attrs["calibration_weeks"] = calibration_weeks
    return out


def test_the_tracking_sentence_compares_the_weeks_after_calibration():
    totals, peaks = clv.tracking_totals(track()), clv.peak_weeks(track(), model="M")
    assert nc.tracking_sentence(totals, peaks) == (
        "In weeks 3-4, after the calibration period, all customers (including any first seen after it) "
        "made 13 repeat purchases; the models' population forecasts (from the fitted parameters alone, not "
        "each customer's own history, so they differ from the per-customer holdout check) were 8 (M, "
        "-38.5%). The week where the actual count "
        "exceeds M's expectation most is week 3."
    )
    assert nc.tracking_sentence(clv.tracking_totals(track(calibration_weeks=4))) == (
        "No week follows the calibration period."
    )
    assert nc.tracking_sentence(clv.tracking_totals(track(calibration_weeks=3))).startswith(
        "In week 4, after the calibration period"
    )
    gone = track().assign(M=NAN)
    assert nc.tracking_sentence(clv.tracking_totals(gone), clv.peak_weeks(gone, model="M")).endswith(
        "made 13 repeat purchases."
    )
    assert nc.tracking_sentence(None) == "No week follows the calibration period."
    assert nc.tracking_sentence(clv.tracking_totals(track().iloc[:0])) == (
        "No week follows the calibration period."
    )


def test_the_tracking_sentence_states_only_what_its_tables_show():
    many = track().assign(M=[0.0, 0.0, 4.0, 1.0])
    totals, peaks = clv.tracking_totals(many), clv.peak_weeks(many, model="M")
    assert list(totals.index) == ["actual", "M"] and list(peaks.index) == [2, 3, 4]
    assert totals.loc["M", "difference from actual (%)"] == -61.5
    text = nc.tracking_sentence(totals, peaks)
    assert "holdout check) were 5 (M, -61.5%)" in text and text.endswith("most are weeks 2, 3 and 4.")


def matrix(top_early, top_late, one_early=0.5, one_late=0.95):
    return pd.DataFrame(
        [[top_early, top_early, top_late], [one_early, one_early, one_late], [1.0, 1.0, 1.0]],
        index=pd.Index([2, 1, 0], name="frequency"),
        columns=pd.Index([0.0, 5.0, 10.0], name="recency"),
    )


@pytest.mark.parametrize(
    "p, words",
    [(0.099, "0.10 (probably gone)"), (0.10, "0.10 if"), (0.899, "0.90 if"), (0.90, "0.90 (probably alive)")],
)
def test_probably_gone_below_a_tenth_and_probably_alive_from_nine_tenths(p, words):
    assert words in nc.alive_sentence(matrix(p, 1.0))


def test_the_alive_sentence_reads_the_top_row_and_one_purchase():
    assert nc.alive_sentence(matrix(0.01, 0.99)) == (
        "For a customer observed for 10.0 weeks: with 2 repeat purchases, P(alive) is 0.01 (probably "
        "gone) if the last came 5.0 weeks after the first and 0.99 (probably alive) if it came at the "
        "end; with 1 repeat purchase, 0.50 and 0.95 (probably alive). (Probably gone: under 0.10; "
        "probably alive: 0.90 or more.)"
    )
    assert "n/a" in nc.alive_sentence(matrix(NAN, NAN))
    corners = clv.alive_corners(matrix(0.01, 0.99))
    assert list(corners["P(alive)"]) == [0.01, 0.99, 0.5, 0.95]
    assert nc.alive_sentence(corners) == nc.alive_sentence(matrix(0.01, 0.99))


def test_the_alive_sentence_degenerate_inputs():
    assert nc.alive_sentence(None) == "P(alive) was not computed."
    assert nc.alive_sentence(matrix(0.1, 0.9).iloc[:, :1]) == "P(alive) was not computed."
    assert (
        nc.alive_sentence(matrix(0.1, 0.9).loc[[0]]) == "The matrix has no customer with a repeat purchase."
    )


# ------------------------------------------------------------------------------- spend and value
@pytest.mark.parametrize(
    "r, weak", [(0.299, True), (0.3, False), (0.301, False), (-0.299, True), (-0.3, False)]
)
def test_the_independence_check_is_weak_below_three_tenths(r, weak):
    text = nc.independence_sentence(r)
    assert ("does not contradict" in text) is weak and ("in doubt" in text) is not weak


@pytest.mark.parametrize("rho, weak", [(0.299, True), (0.3, False), (-0.301, False)])
def test_the_independence_check_judges_pearson_and_spearman_alike(rho, weak):
    table = pd.DataFrame(
        {"correlation": [0.069, rho], "repeat customers": 9451},
        index=pd.Index(["Pearson", "Spearman (ranks)"], name="spend and frequency"),
    )
    text = nc.independence_sentence(table)
    assert text.startswith(
        "Among the 9,451 repeat customers, mean repeat spend and repeat frequency have a Pearson "
        "correlation "
        f"of 0.07 and a Spearman (rank) correlation of {rho:.2f}"
    )
    assert ("both weak (below 0.3 in absolute value)" in text) is weak
    assert ("not weak on Spearman (0.3 or more in absolute value)" in text) is not weak
    both = nc.independence_sentence(table.assign(correlation=[0.35, rho]))
    assert ("not weak on Pearson and Spearman" in both) is not weak and "not weak on Pearson" in both


@pytest.mark.parametrize("p_value, beyond", [(0.049, True), (0.05, False), (0.051, False)])
def test_a_weak_correlation_beyond_chance_says_the_assumption_holds_only_approximately(p_value, beyond):
    table = pd.DataFrame(
        {"correlation": [0.069, 0.212], "repeat customers": 11516, "p-value": [0.2, p_value]},
        index=pd.Index(["Pearson", "Spearman (ranks)"], name="spend and frequency"),
    )
    text = nc.independence_sentence(table)
    assert nc.INDEPENDENCE_ALPHA == 0.05
    assert ("but beyond chance (Spearman p = " in text) is beyond
    assert ("that product tends to understate CLV" in text) is beyond
    assert ("and within chance), so this check does not contradict" in text) is not beyond
    falling = nc.independence_sentence(table.assign(correlation=[0.069, -0.2], **{"p-value": [0.2, 1e-5]}))
    assert "(Spearman p < 0.001, at α = 0.05)" in falling and "tends to overstate CLV" in falling


@pytest.mark.parametrize("r", [None, NAN, np.float64("nan")])
def test_the_independence_check_without_a_correlation(r):
    assert nc.independence_sentence(r).startswith(
        "The correlation of repeat frequency and mean repeat spend cannot"
    )


def test_the_spend_model_sentence_gives_the_implied_mean():
    text = nc.spend_model_sentence(pd.Series({"p": 6.25, "q": 3.74, "v": 15.44}))
    assert text.startswith(
        "The fitted spend model implies a mean spend per purchase of \\$35.22 across customers"
    )
    assert "infinite" in nc.spend_model_sentence(pd.Series({"p": 1.0, "q": 1.0, "v": 2.0}))
    assert nc.spend_model_sentence(None) == "The spend model was not fitted."
    assert (
        nc.spend_model_sentence(pd.Series({"p": NAN, "q": 2.0, "v": 1.0}))
        == "The spend model was not fitted."
    )
    fitted = types.SimpleNamespace(params_=pd.Series({"p": 1.0, "q": 2.0, "v": 3.0}))
    assert "\\$3.00" in nc.spend_model_sentence(fitted)
    table = clv.spend_model_table(fitted)
    assert table.loc[clv.SPEND_MEAN, "estimate"] == 3.0
    assert nc.spend_model_sentence(table.assign(estimate=[1.0, 2.0, 3.0, 3.25])).startswith(
        "The fitted spend model implies a mean spend per purchase of \\$3.25"
    )
    penalized = pd.concat([table, pd.DataFrame({"estimate": [0.001]}, index=["penalizer"])])
    assert nc.spend_model_sentence(penalized).endswith(
        "It was fitted with a penalty (penalizer 0.001): plain maximum likelihood did not converge, so its "
        "parameters are set partly by the penalty."
    )
    assert "penalty" not in nc.spend_model_sentence(table)


def facts(share, total=1000.0):
    return pd.Series(
        {
            "customers": 100,
            "total": total,
            "mean": 10.0,
            "median": 2.5,
            "p90": 20.0,
            "top 10% share of total (%)": share,
        }
    )


TERMS = {"months": 12, "margin": 0.3, "annual_discount": 0.1}


@pytest.mark.parametrize("share, concentrated", [(49.9, False), (50.0, True), (50.1, True)])
def test_value_is_concentrated_when_the_top_tenth_hold_half(share, concentrated):
    text = nc.clv_sentence(facts(share), **TERMS)
    assert text.startswith(
        "Over the next 12 months, at a 30% margin and a 10% yearly discount, expected CLV totals \\$1,000 "
        "across 100 customers; the mean customer is worth \\$10.00 and the median \\$2.50."
    )
    assert ("value is concentrated" in text) is concentrated
    assert ("value is not concentrated" in text) is not concentrated


@pytest.mark.parametrize("share", [NAN, -58.9, 109.5])
def test_a_top_share_outside_zero_to_hundred_is_not_read(share):
    assert nc.clv_sentence(facts(share), **TERMS).endswith("cannot be read (total CLV is not positive).")


def test_the_clv_sentence_without_customers():
    assert nc.clv_sentence(None, **TERMS) == "No customer was valued."
    assert nc.clv_sentence(facts(50.0).drop("customers"), **TERMS) == ("No customer was valued.")


@pytest.mark.parametrize("negative, more_than_half", [(4, False), (5, False), (6, True)])
def test_more_than_half_worth_less_than_the_costs(negative, more_than_half):
    net = pd.Series([-1.0] * negative + [3.0] * (10 - negative))
    text = nc.net_value_sentence(net, acquisition_cost=0.0, retention_cost_per_year=2.0, months=12)
    assert text.startswith("After a retention cost of \\$2.00 a year, the median customer's net value is")
    assert f"{negative * 10:.1f}% of the customers have a negative net value" in text
    assert ("more than half of the customers" in text) is more_than_half
    summary = clv.net_value_summary(net)
    assert summary[clv.NEGATIVE_SHARE] == negative * 10
    shown = nc.net_value_sentence(summary, acquisition_cost=0.0, retention_cost_per_year=2.0, months=12)
    assert shown == text


def test_the_net_value_sentence_names_every_cost_and_the_horizon():
    net = pd.Series([1.0, -1.0])
    text = nc.net_value_sentence(net, acquisition_cost=5.0, retention_cost_per_year=2.0, months=6)
    assert text.startswith(
        "After a retention cost of \\$2.00 a year (\\$1.00 over the 6 months) and an acquisition cost of "
        "\\$5.00,"
    )
    assert nc.net_value_sentence(net, acquisition_cost=0, retention_cost_per_year=0, months=12) == (
        "No acquisition or retention cost is assumed, so net value equals CLV."
    )
    for empty in (None, pd.Series(dtype=float), pd.Series([NAN, NAN])):
        assert nc.net_value_sentence(empty, acquisition_cost=0, retention_cost_per_year=2, months=12) == (
            "No customer was valued."
        )


@pytest.mark.parametrize("reach, narrow", [(4.9, True), (5.0, True), (5.1, False)])
def test_the_interval_is_narrow_within_five_percent(reach, narrow):
    text = nc.interval_sentence((1000 - 10 * reach, 1000 + 5.0), 1000.0, refits=100, holdout_error=-4.0)
    assert f"within ±{reach:.1f}% of the total (\\$1,000)" in text
    assert ("narrow" in text) is narrow and ("wide" in text) is not narrow
    assert text.startswith(
        "From parameter uncertainty (100 resamples of customers, each refitting both the transaction model "
        "and the spend model), the 90% interval of total CLV is"
    )
    assert text.endswith(
        "On the holdout the model's own totals were off by -4.0% on repeat purchases: model error, which no "
        "refit of the same model removes."
    )


def test_the_interval_against_the_model_error_the_estimate_and_degenerate_draws():
    text = nc.interval_sentence(
        (990.0, 1010.0), 1000.0, refits=98, holdout_error=-12.9, revenue_error=-15.8, failed=2
    )
    assert (
        "The total lies inside its interval. 2 resamples were left out: the refit failed or landed on a "
        "boundary." in text
    )
    assert text.endswith(
        "This interval is parameter uncertainty only. On the holdout the model's own totals were off by "
        "-12.9% "
        "on repeat purchases and -15.8% on revenue: model error, which no refit of the same model removes, "
        "and larger than this interval's reach."
    )
    outside = nc.interval_sentence((1100.0, 1200.0), 1000.0, refits=20)
    assert "The total lies outside its interval: refitted on resampled customers, the models land" in outside
    assert "parameter uncertainty only" not in nc.interval_sentence((990.0, 1010.0), 1000.0, refits=20)
    no_interval = "The bootstrap gave no interval of total CLV (no refit succeeded)."
    assert nc.interval_sentence((NAN, NAN), 1000.0, refits=0) == no_interval
    assert nc.interval_sentence(None, 1000.0, refits=0) == no_interval
    assert nc.interval_sentence((1.0, 2.0), 0.0, refits=3).endswith("is \\$1 to \\$2.")


def intervals(reaches, kinds=None):
    kinds = kinds or [f"top {k + 1} by CLV" for k in range(len(reaches))]
    return pd.DataFrame(
        {"shown as": kinds, "CLV": 10.0, "90% low": 9.0, "90% high": 11.0, "reach (± % of CLV)": reaches},
        index=pd.Index([f"c{k}" for k in range(len(reaches))], name="customer_id"),
    )


@pytest.mark.parametrize("reach, narrow", [(4.9, 1), (5.0, 1), (5.1, 0)])
def test_a_customers_interval_is_narrow_within_five_percent(reach, narrow):
    text = nc.customer_interval_sentence(intervals([reach, 7.0], kinds=["top 1 by CLV", "one purchase"]))
    verb = "is" if narrow == 1 else "are"
    assert f"{narrow} of the 2 with a CLV shown above 0 {verb} narrow (within ±5%)." in text


def test_the_customer_interval_sentence_reads_the_top_customers_and_the_examples():
    kinds = ["top 1 by CLV", "top 2 by CLV", "one purchase", "frequent, stopped"]
    table = intervals([1.0, 0.9, 3.0, NAN], kinds=kinds)
    assert nc.customer_interval_sentence(table) == (
        "Per customer, the same bootstrap gives an interval of each customer's CLV: for the 2 customers with "
        "the highest CLV they reach ±0.9% to ±1.0% of it; for the example ±3.0%. 3 of the 3 with a CLV shown "
        "above 0 are narrow (within ±5%). These intervals cover the parameters only, not the chance in each "
        "customer's own purchases, which the holdout deciles above show."
    )
    assert nc.customer_interval_sentence(None) == "No per-customer interval was computed."
    assert nc.customer_interval_sentence(intervals([NAN])).startswith("Per customer, no interval can be read")


def test_the_sensitivity_sentence_reads_the_grid():
    grid = pd.DataFrame(
        [[200.0, 180.0], [400.0, 360.0]],
        index=pd.Index([20.0, 40.0], name="margin (%)"),
        columns=pd.Index([0.0, 20.0], name="annual discount (%)"),
    )
    grid.attrs["months"] = 12
    assert nc.sensitivity_sentence(grid, margin=0.4, annual_discount=0.2) == (
        "Over the next 12 months, total CLV ranges from \\$180 (a 20% margin, discounted at 20% a year) to "
        "\\$400 (40% and 0%); it is proportional to the margin. At the 40% margin used here, discounting at "
        "0% "
        "and at 20% a year gives \\$400 and \\$360 (-10.0%)."
    )
    assert nc.sensitivity_sentence(grid, margin=0.3, annual_discount=0.1).endswith(
        "(The margin and discount used in this notebook are not on this grid.)"
    )
    assert nc.sensitivity_sentence(None, margin=0.3, annual_discount=0.1).startswith("No grid")


# ------------------------------------------------------------------------------- money on the holdout
def revenue_check(error=-15.8, lift=5.16, gini=0.684):
    return pd.DataFrame(
        {
            "predicted total": [1000 * (1 + error / 100), 1441.0, 800.0],
            "actual total": 1000.0,
            "total error (%)": [error, 44.1, -20.0],
            "MAE": [1.0, 2.0, 1.5],
            "top-decile lift": [lift, 5.04, 4.0],
            "Gini": [gini, 0.678, 0.6],
        },
        index=pd.Index(["A", clv.BASELINE, "B"], name="model"),
    )


@pytest.mark.parametrize("error, close", [(-10.1, False), (-10.0, True), (10.0, True), (10.1, False)])
def test_the_money_total_reads_close_within_ten_percent(error, close):
    text = nc.revenue_sentence(revenue_check(error=error), "A")
    assert ("within 10% of what they spent" in text) is close
    assert ("conservative" in text) is (error < -10) and ("optimistic" in text) is (error > 10)


def test_the_revenue_sentence_states_the_money_check_beside_the_baseline():
    assert nc.revenue_sentence(revenue_check(), "A") == (
        "On the holdout, customers spent \\$1,000 on repeat purchases. Fitted on the calibration period, A "
        "with Gamma-Gamma predicted \\$842 (-15.8%): 15.8% low, beyond the 10% within which a total reads "
        "close, so the CLV totals below read as conservative. The other models: B -20.0%. Carrying each "
        "customer's calibration spend per week forward (no model) gives \\$1,441 (+44.1%). Ranked by A's "
        "prediction, the top 10% of customers brought 5.16 times their share of the revenue (top-decile "
        "lift), with a Gini of 0.684; ranked by the spend-rate baseline, 5.04 and 0.678."
    )
    assert nc.revenue_sentence(None, "A") == "No money prediction was checked on the holdout."
    nothing = revenue_check().assign(**{"actual total": 0.0})
    assert nc.revenue_sentence(nothing, "A").startswith("Customers spent nothing")
    assert "no model that fitted cleanly predicted it" in nc.revenue_sentence(revenue_check(), None)


def deciles(ratios):
    n = len(ratios)
    return pd.DataFrame(
        {
            "customers": 10,
            "mean predicted": 1.0,
            "mean actual": ratios,
            "actual / predicted": ratios,
            "share of actual revenue (%)": [100.0 / n] * n,
        },
        index=pd.Index(range(1, n + 1), name="decile"),
    )


@pytest.mark.parametrize("ratio, far", [(1.24, False), (1.25, False), (1.26, True)])
def test_a_decile_is_far_below_when_its_prediction_is_more_than_twenty_percent_low(ratio, far):
    # actual / predicted = 1.25: the prediction is 20% below what the customers spent
    text = nc.decile_sentence(deciles([ratio, 1.0, 1.0]), "A")
    assert ("customers in decile 1 spent" in text) is far
    assert ("every decile's prediction is within 20%" in text) is not far


def test_runs_of_deciles_are_joined_from_three():
    assert nc._ranges([1, 2, 3, 5, 9, 10]) == "1 to 3, 5, 9 and 10"
    assert nc._ranges([4]) == "4"


def test_the_decile_sentence_groups_runs_of_deciles_both_ways():
    text = nc.decile_sentence(deciles([2.46, 2.0, 1.45, 1.0, 0.5]), "A")
    assert text == (
        "By decile of A's predicted holdout revenue (1 = lowest), customers in deciles 1 to 3 spent 1.45 to "
        "2.46 times the prediction: it is far below what they spent; customers in decile 5 spent 0.50 times "
        "the prediction: it is far above what they spent (the rule: a prediction more than 20% off is far "
        "off). The top decile brought 20.0% of the holdout revenue."
    )
    assert nc.decile_sentence(None) == "No decile of predicted revenue to compare."


def test_the_revenue_by_frequency_sentence_follows_the_rule():
    table = pd.DataFrame(
        {"customers": [5, 5], "actual": [10.0, 20.0], "A": [5.8, 19.0], clv.BASELINE: [0.0, 30.0]},
        index=pd.Index(["0", "1+"], name="repeat purchases in calibration"),
    )
    assert nc.revenue_frequency_sentence(table, "A") == (
        "By repeat purchases in the calibration period: A puts its predicted revenue per customer far below "
        "the actual for customers with 0 repeat purchases (by 42.0%). (The rule: a group more than 20% off "
        "is far off.)"
    )
    assert nc.revenue_frequency_sentence(table, "M").startswith("No model's revenue")


def by(index_name, labels, totals, customers):
    table = pd.DataFrame(
        {"customers": customers, "total CLV": totals}, index=pd.Index(labels, name=index_name)
    )
    table["mean CLV"] = table["total CLV"] / table["customers"]
    table["share of total (%)"] = (100 * table["total CLV"] / table["total CLV"].sum()).round(1)
    return table


def test_the_clv_by_sentence_names_the_largest_group_and_what_churned_customers_hold():
    table = by("stage", ["mature", "silent", "churned"], [60.0, 30.0, 10.0], [10, 20, 70])
    assert nc.clv_by_sentence(table) == (
        "By stage, 'mature' holds the largest share of the CLV, 60.0%, with 10 customers (10.0% of all). "
        "Customers in the churned stage still hold 10.0%: the model gives them a chance of being alive."
    )
    segments = by("segment", ["Champions"], [5.0], [1])  # a single row
    assert nc.clv_by_sentence(segments) == (
        "By segment, 'Champions' holds the largest share of the CLV, 100.0%, with 1 customer (100.0% of all)."
    )
    assert (
        nc.clv_by_sentence(by("stage", ["new", "churned"], [0.0, 0.0], [0, 3]))
        == "No CLV to break down by stage."
    )
    assert nc.clv_by_sentence(None) == "No CLV to break down by group."


def at_risk(customers=10, spend=1000.0, future=80.0):
    values = {
        "customers": customers,
        "mean P(alive)": 0.4,
        clv.FUTURE_MARGIN: future,
        clv.CONTACT_CEILING: 120.0,
    }
    return pd.Series(values | {"spend in the last year": spend}, name="silent")


def test_the_ceiling_is_what_a_contact_can_add_not_the_future_margin_or_last_years_revenue():
    assert nc.at_risk_sentence(at_risk(), months=12, margin=0.3) == (
        "The 10 silent customers (mean P(alive) 0.40) are predicted to bring \\$80 of margin over the next "
        "12 months (their CLV at a 30% margin) with no contact at all. Were every one of them certainly "
        "still active, they would bring \\$120 more: the most a contact could add, and the ceiling for a "
        "budget to keep them. A contact adds only what it raises above the prediction; notebook 05 weighs "
        "that against its cost. Their \\$1,000 of spend in the last year is revenue already earned, before "
        "margin: not that ceiling."
    )
    assert nc.at_risk_sentence(at_risk(customers=0)).startswith("No customer is in the silent stage")
    assert nc.at_risk_sentence(at_risk(spend=0.0)).endswith("weighs that against its cost.")
    assert nc.at_risk_sentence(None) == "The silent customers' future margin was not computed."


def lists(n_warning, by="CLV"):
    potential = pd.DataFrame({"expected purchases next quarter": [3.0, 1.5]})
    warning = pd.DataFrame({"total spend": [100.0] * n_warning, "CLV": [1.0] * n_warning})
    warning.attrs["ranked_by"] = by
    return potential, warning


def test_the_lists_sentence_says_who_is_on_each_list_and_what_ranks_them():
    text = nc.lists_sentence(*lists(2))
    assert text.startswith(
        "The first list holds the 2 customers with the most expected purchases in the next quarter (1.50 "
        "to 3.00 each)"
    )
    assert (
        f"The second holds the 2 customers with the highest CLV among customers with P(alive) under "
        f"{WARNING_ALIVE_BELOW:g}, more likely gone than alive (together \\$2 of expected CLV, \\$200 spent "
        "so far): win-back candidates, ranked by what they are still predicted to bring." in text
    )
    by_spend = nc.lists_sentence(*lists(1, by="total spend"))
    assert "The second holds the 1 highest past spender among" in by_spend
    assert by_spend.endswith("ranked by what they spent in the past.")
    assert nc.lists_sentence(*lists(0)).endswith("so the second list is empty.")
    potential, warning = lists(2)
    other = warning.assign(CLV=0.5, **{"total spend": 300.0})
    totals = clv.list_totals(potential, warning, by_spend=other)
    assert list(totals["customers"]) == [2, 2, 2] and totals["total spend"].iloc[-1] == 600.0
    compared = nc.lists_sentence(potential, warning, totals=totals)
    assert compared.endswith(
        "Ranked by past spend instead, the list would hold \\$1 of expected CLV and \\$600 of past spend."
    )
    assert nc.lists_sentence(None, None, alive_below=0.3) == (
        "The first list is empty: no customer to rank. No customer has P(alive) under 0.3, so the second "
        "list is empty."
    )


# ------------------------------------------------------------------------------- the record
FIGURES = {
    "published figures reproduced": "35 of 35",
    "model trusted": "B",
    "B holdout total error (%)": -12.9,
    "B holdout MAE": 0.8,
    "best baseline holdout MAE": 1.0,
    "lowest model holdout MAE": 0.8,
    "best baseline MAE minus the lowest model's, 90% low": 0.18,
    "best baseline MAE minus the lowest model's, 90% high": 0.22,
    "models indistinguishable on holdout MAE": "B, A",
    "no dropout in the data (every model on a boundary)": "no",
    "B holdout revenue error (%)": -15.8,
    "total CLV if the model errs as on the holdout": 1466,
    "CLV horizon (months)": 6,
    "margin (%)": 25.0,
    "annual discount (%)": 8.0,
    "total CLV": 1234.4,
    "total CLV 90% lower": 1200.0,
    "total CLV 90% upper": 1260.0,
    "total CLV 90% interval within ± (%)": 2.8,
    "CLV bootstrap resamples refitted": 100,
    "total CLV inside its interval": "yes",
    "mean CLV": 1.2,
    "median CLV": 0.4,
    "top 10% share of CLV (%)": 65.3,
    "spend-frequency correlation": 0.05,
    "spend-frequency rank correlation": 0.21,
    "silent customers": 10,
    "silent customers' mean P(alive)": 0.4,
    "silent customers' predicted future margin": 80.0,
    "silent customers' last-year spend": 1000.0,
    "silent customers: most a contact can add": 120.0,
}


def test_the_answer_states_the_recorded_horizon_margin_and_discount():
    assert nc.answer(FIGURES) == (
        "**Answer.** On this data B is the model used; total CLV over the next 6 months (at a 25% margin, "
        "discounted at 8% a year) is \\$1,234 (90% interval \\$1,200 to \\$1,260, parameter uncertainty "
        "only), and the top tenth of customers hold 65.3% of it. On the holdout its predicted revenue was "
        "off by -15.8%; if it errs the same way now, the total is about \\$1,466."
    )
    assert narrative.answer("04_clv_estimation", FIGURES) == nc.answer(FIGURES)
    older = {
        k: v
        for k, v in FIGURES.items()
        if k not in ("CLV horizon (months)", "margin (%)", "annual discount (%)")
    }
    assert "total CLV (discounted margin over the notebook's horizon) is \\$1,234" in nc.answer(older)
    used = f"On this data {clv.NBD} is the model used (a fallback: every dropout model put its dropout at 0)"
    assert used in nc.answer(FIGURES | {"model trusted": clv.NBD})


def test_what_this_means_is_built_from_the_record():
    text = nc.what_this_means(FIGURES)
    assert text.splitlines() == [
        "- B is the model used: B and A are indistinguishable on the holdout error per customer (the "
        "bootstrap "
        "interval of the difference includes 0), and of these it has the smallest error on the total. The "
        "models' lowest MAE (0.800) is 20.0% below the better naive baseline's (1.000): they beat the naive "
        "forecasts. Its holdout totals were off by -12.9% on repeat purchases and -15.8% on revenue: read "
        "the "
        "CLV totals as conservative, within about that error.",
        "- Total CLV over the next 6 months is \\$1,234 (90% interval \\$1,200 to \\$1,260, within ±2.8%: "
        "narrow, from parameter uncertainty alone). Value is concentrated: the top 10% of customers hold "
        "65.3% of it.",
        "- With no contact, the 10 silent customers are predicted to bring \\$80 of margin; a budget to keep "
        "them is weighed against the most a contact could add, \\$120, not against the \\$1,000 they spent "
        "in the last year. P(alive) and the two lists say whom to contact and whom to let go; notebook 05 "
        "weighs what a contact costs.",
    ]
    assert narrative.closing("04_clv_estimation", FIGURES) == f"{nc.answer(FIGURES)}\n\n{text}"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"lowest model holdout MAE": 0.91}, "not clearly better than the better naive baseline's"),
        ({"lowest model holdout MAE": 0.9}, "they beat the naive forecasts"),
        (
            {"best baseline MAE minus the lowest model's, 90% low": 0.0},
            "on this data the models add nothing a naive forecast does not give",
        ),
        ({"lowest model holdout MAE": 1.01}, "is no better than the better naive baseline's"),
        (
            {"B holdout total error (%)": 10.0, "B holdout revenue error (%)": -9.0},
            "within 10% of what happened (+10.0% on repeat purchases and -9.0% on revenue)",
        ),
        (
            {"B holdout total error (%)": 10.1, "B holdout revenue error (%)": 2.0},
            "read the CLV totals as optimistic",
        ),
        (
            {"models indistinguishable on holdout MAE": "B"},
            "the lowest holdout error per customer of the models",
        ),
        ({"top 10% share of CLV (%)": 49.9}, "value is not concentrated in a few"),
        ({"total CLV 90% interval within ± (%)": 5.1}, "wide, from parameter uncertainty alone"),
        ({"total CLV inside its interval": "no"}, "the total lies outside that interval"),
        ({"spend-frequency correlation": -0.3}, "Spend and frequency are correlated (Pearson -0.30)"),
        ({"spend-frequency rank correlation": 0.3}, "Spend and frequency are correlated (Spearman 0.30)"),
        ({"model trusted": clv.NBD}, "a named fallback"),
        (
            {"published figures reproduced": "34 of 35"},
            "About CDNOW only: only 34 of 35 published figures are reproduced, so the wrappers may not",
        ),
    ],
)
def test_each_closing_judgement_follows_its_threshold(change, words):
    assert words in nc.what_this_means(FIGURES | change)


@pytest.mark.parametrize("r", [0.299, -0.299])
def test_correlations_under_three_tenths_get_no_bullet(r):
    both = {"spend-frequency correlation": r, "spend-frequency rank correlation": r}
    assert "correlated" not in nc.what_this_means(FIGURES | both)


def test_what_this_means_when_the_models_did_not_run_or_figures_are_missing():
    cdnow_only = {
        "published CDNOW figures reproduced": "35 of 35",
        "not run: CLV models": "needs 20 repeat buyers",
    }
    assert nc.what_this_means(cdnow_only).splitlines() == [
        "- No transaction model valued the customers of this data; the notes above say why.",
    ]
    assert nc.answer(cdnow_only).endswith("Not run on this data: CLV models.")
    no_dropout = cdnow_only | {"no dropout in the data (every model on a boundary)": "yes"}
    assert nc.what_this_means(no_dropout).startswith("- Every transaction model put its dropout at 0")
    sparse = {"model trusted": "B", "total CLV": None, "top 10% share of CLV (%)": None}
    text = nc.what_this_means(sparse)
    assert "Total CLV over the notebook's horizon is n/a." in text and "budget" not in text
    no_silent = FIGURES | {"silent customers": 0}
    assert "No customer is silent at the end of the data." in nc.what_this_means(no_silent)


@pytest.mark.parametrize(
    ("mae", "low", "verdict"),
    [
        (0.91, 0.05, "not clearly better"),
        (0.90, 0.05, "beats"),
        (0.90, 0.0, "no better"),
        (1.01, 0.1, "no better"),
    ],
)
def test_the_baseline_verdict_needs_ten_percent_and_an_interval_above_zero(mae, low, verdict):
    figures = {
        "lowest model holdout MAE": mae,
        "best baseline holdout MAE": 1.0,
        "best baseline MAE minus the lowest model's, 90% low": low,
    }
    assert nc.BEATS_BASELINE_PCT == 10.0 and nc.baseline_verdict(figures) == verdict
    assert nc.baseline_verdict({}) is None


def test_an_answer_whose_models_do_not_beat_the_naive_forecasts_says_to_read_values_as_a_ranking():
    figures = FIGURES | {
        "lowest model holdout MAE": 0.99,
        "best baseline MAE minus the lowest model's, 90% low": -0.01,
    }
    assert (
        "On the holdout the models were no better than a naive forecast: read these values as a rough ranking"
        in (nc.answer(figures))
    )
    assert "rough ranking" not in nc.answer(FIGURES)
