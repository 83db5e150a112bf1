"""lifecycle_utils.survival: the churn-table definition on hand-built histories, statsmodels wrappers
cross-checked against lifelines and published Rossi values.

lifelines caps pandas < 3, so it runs in its own environment (.venv-peer, built by `make test`):
tests/peer/lifelines_reference.py computes its reference values there, in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import data, simulate
from lifecycle_utils import survival as sv

ROSSI_EFRON = {"fin": -0.3794, "age": -0.0574, "race": 0.3139, "wexp": -0.1498, "mar": -0.4337,
               "paro": -0.0849, "prio": 0.0915}
ROSSI_COVARIATES = list(ROSSI_EFRON)


def tx_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"]))


ROOT = Path(__file__).resolve().parents[1]
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"


@pytest.fixture(scope="module")
def cdnow_table():
    tx, _ = data.load_cdnow()
    return sv.churn_table(tx, 283)


@pytest.fixture(scope="module")
def sample_gaps():
    return sv.gap_table(data.load_cdnow_sample()[0])


@pytest.fixture(scope="module")
def lifelines_ref(tmp_path_factory, cdnow_table, sample_gaps):
    if not PEER_PYTHON.exists():
        pytest.fail("the lifelines peer environment .venv-peer is missing: run `make test`, which builds it")
    folder = tmp_path_factory.mktemp("peer")
    cdnow_table[["duration", "churned"]].to_csv(folder / "cdnow_churn.csv", index=False)
    sample_gaps[["duration", "churned"]].to_csv(folder / "sample_gaps.csv", index=False)
    out = folder / "reference.json"
    run = subprocess.run([str(PEER_PYTHON), str(ROOT / "tests" / "peer" / "lifelines_reference.py"), str(folder),
                          str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def rossi(lifelines_ref):
    frame = pd.DataFrame(lifelines_ref["rossi"]["data"])
    return frame.rename(columns={"week": "duration", "arrest": "churned"}).assign(entry=0.0)


def reference_km(ref: dict) -> pd.DataFrame:
    return pd.DataFrame({k: ref[k] for k in ("time", "survival", "lower", "upper")}).set_index("time")


# ----------------------------------------------------------------------------- churn table definition
END = "2024-12-31"  # with churn_days 100 the censoring date is 2024-09-22


REGULAR = ["2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2024-09-01"]  # gaps of about 60 days


@pytest.mark.parametrize(
    ("dates", "duration", "churned"),
    [
        pytest.param(["2024-01-01"], 0, 1, id="one purchase, silent ever since: active life 0"),
        pytest.param(["2024-01-01", "2024-06-01"], 0, 1, id="came back after a churning gap: first churn counts"),
        pytest.param(["2024-01-01", "2024-02-01"], 31, 1, id="open gap reaches the threshold"),
        pytest.param(REGULAR + ["2024-11-01", "2024-12-20"], 265, 0, id="gap still short at the end: censored"),
        pytest.param(REGULAR + ["2024-09-22"], 265, 1, id="last purchase on the censoring date: 100-day gap by the end"),
        pytest.param(REGULAR + ["2024-09-23"], 265, 0, id="one day later: censored at the censoring date"),
        pytest.param(REGULAR[:3] + ["2024-12-20"], 121, 1, id="a 233-day gap after May"),
    ],
)
def test_churn_event_time_on_hand_built_histories(dates, duration, churned):
    tx = tx_frame([("c", d, 10.0) for d in dates])
    table = sv.churn_table(tx, churn_days=100, observation_end=END)
    assert table.loc["c", "duration"] == duration
    assert table.loc["c", "churned"] == churned


def test_censored_customers_are_never_events_and_late_customers_are_left_out():
    tx = tx_frame([("a", d, 1.0) for d in REGULAR + ["2024-11-01", "2024-12-30"]]
                  + [("late", "2024-10-01", 1.0)])  # first seen after the censoring date
    table = sv.churn_table(tx, churn_days=100, observation_end=END)
    assert list(table.index) == ["a"]
    assert table.loc["a", "churned"] == 0
    assert table.loc["a", "days since last"] == 1


def test_early_covariates_and_landmark_guard():
    tx = tx_frame([("a", "2024-01-01", 10.0), ("a", "2024-01-01", 5.0), ("a", "2024-01-20", 1.0),
                   ("b", "2024-01-01", 30.0), ("b", "2024-03-01", 1.0)]).assign(quantity=[1, 2, 1, 1, 1])
    table = sv.churn_table(tx, churn_days=100, observation_end=END)
    assert table.loc["a", "first order value"] == 15.0 and table.loc["a", "first basket"] == 3
    assert bool(table.loc["a", "repeat within 30 days"]) and not bool(table.loc["b", "repeat within 30 days"])
    with pytest.raises(ValueError, match="landmark_days \\(30\\) must be shorter than churn_days \\(20\\)"):
        sv.churn_table(tx, churn_days=20)


def test_cdnow_churn_table_totals(cdnow_table):
    assert len(cdnow_table) == 23570
    assert cdnow_table["churned"].sum() == 18577  # = "ever churned" in notebook 01 at 283 days
    assert cdnow_table["duration"].max() <= 546 - 283
    assert (cdnow_table.loc[cdnow_table["churned"] == 0, "days since last"] < 283).all()


# ------------------------------------------------------------------------------------ Kaplan-Meier
def test_kaplan_meier_by_hand():
    km = sv.kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    assert km["time"].tolist() == [0, 1, 2, 3, 5]
    np.testing.assert_allclose(km["survival"], [1, 5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 2 / 3, 0.0])
    assert km["at risk"].tolist() == [6, 6, 5, 3, 1]
    # Greenwood: var(S(1)) = S^2 * 1 / (6 * 5)
    assert km.loc[1, "se"] == pytest.approx(5 / 6 * np.sqrt(1 / 30))


@pytest.mark.parametrize("name", ["cdnow_churn", "sample_gaps"])
def test_kaplan_meier_matches_lifelines(lifelines_ref, cdnow_table, sample_gaps, name):
    frame = cdnow_table if name == "cdnow_churn" else sample_gaps
    ours = sv.kaplan_meier(frame["duration"], frame["churned"]).set_index("time")
    ref = reference_km(lifelines_ref["km"][name]).reindex(ours.index)
    assert ref["survival"].notna().all()
    np.testing.assert_allclose(ours["survival"], ref["survival"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours["lower"], ref["lower"], atol=1e-8)
    np.testing.assert_allclose(ours["upper"], ref["upper"], atol=1e-8)


def test_kaplan_meier_matches_lifelines_on_rossi(lifelines_ref, rossi):
    ours = sv.kaplan_meier(rossi["duration"], rossi["churned"]).set_index("time")
    ref = reference_km(lifelines_ref["rossi"]["km"]).reindex(ours.index)
    np.testing.assert_allclose(ours[["survival", "lower", "upper"]], ref[["survival", "lower", "upper"]], atol=1e-8)


def test_survival_never_increases_and_bands_hold_it(cdnow_table):
    km = sv.kaplan_meier(cdnow_table["duration"], cdnow_table["churned"])
    assert (np.diff(km["survival"]) <= 1e-15).all()
    assert ((km["lower"] <= km["survival"] + 1e-12) & (km["survival"] <= km["upper"] + 1e-12)).all()


def test_median_and_horizons():
    med = sv.median_survival([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    assert med["median"] == 3.0
    assert sv.median_survival([5, 6, 7, 8], [0, 1, 0, 0])["median"] == "not reached"
    km = sv.kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    at = sv.survival_at(km, [0, 2.5, 10], follow_up=5)
    assert at["survival"].iloc[0] == 1.0 and at["survival"].iloc[1] == pytest.approx(4 / 6)
    assert np.isnan(at["survival"].iloc[2])


def test_median_matches_lifelines(lifelines_ref, rossi, sample_gaps):
    ours = sv.median_survival(rossi["duration"], rossi["churned"])
    assert ours["median"] == "not reached" and np.isinf(lifelines_ref["rossi"]["km"]["median"])
    ours = sv.median_survival(sample_gaps["duration"], sample_gaps["churned"])
    assert ours["median"] == lifelines_ref["km"]["sample_gaps"]["median"]


def test_survival_summary_reports_beyond_follow_up(cdnow_table):
    table = sv.survival_summary(cdnow_table, horizons=(90, 365))
    assert table.loc["all", "customers"] == 23570
    assert table.loc["all", "S(365) %"] == "beyond follow-up"
    assert table.loc["all", "S(90) %"].startswith("30.2 (")


# ------------------------------------------------------------------------------------------ log-rank
def test_logrank_matches_the_published_rossi_statistic(rossi, lifelines_ref):
    result = sv.logrank(rossi, "fin")
    assert result["chi-square"] == pytest.approx(3.8376, abs=1e-3)
    assert result["chi-square"] == pytest.approx(lifelines_ref["rossi"]["logrank_fin"], abs=1e-8)
    assert result["df"] == 1 and result["p-value"] == "0.0501"


def test_huge_statistics_report_more_than_a_zero_p_value():
    result = sv.chi_square_result(2000.0, 1)
    assert result["p-value"] == "< 1e-300"
    assert 400 < result["-log10 p"] < 500
    assert sv.chi_square_result(3.8376, 1)["-log10 p"] == pytest.approx(1.3, abs=0.05)
    # the tail formula agrees with the exact one for df = 1: p = 2 * Phi(-sqrt(x))
    from scipy.special import log_ndtr
    for x in (1500.0, 2000.0, 5000.0):
        exact = -(np.log(2) + log_ndtr(-np.sqrt(x))) / np.log(10)
        assert sv.chi_square_result(x, 1)["-log10 p"] == pytest.approx(exact, abs=0.05)
    assert sv.chi_square_result(3000.0, 4)["-log10 p"] > sv.chi_square_result(3000.0, 5)["-log10 p"]


# ----------------------------------------------------------------------------------------------- Cox
def test_cox_efron_matches_lifelines_published_values(rossi, lifelines_ref):
    fit = sv.cox_fit(rossi, ROSSI_COVARIATES)
    for name, value in ROSSI_EFRON.items():
        assert fit.params[name] == pytest.approx(value, abs=1e-3)
        assert fit.params[name] == pytest.approx(lifelines_ref["rossi"]["cox_efron"][name], abs=1e-5)


def test_breslow_is_the_trap_efron_is_the_default(rossi, lifelines_ref):
    efron = sv.cox_fit(rossi, ROSSI_COVARIATES)
    breslow = sv.cox_fit(rossi, ROSSI_COVARIATES, ties="breslow")
    theirs = pd.Series(lifelines_ref["rossi"]["cox_efron"])[ROSSI_COVARIATES]
    # Rossi has tied arrest weeks: Breslow drifts from R/lifelines, Efron matches them
    assert np.abs(breslow.params - theirs).max() > 1e-4
    assert np.abs(efron.params - theirs).max() < 1e-5


def test_hazard_ratio_table(rossi):
    hr = sv.hazard_ratios(sv.cox_fit(rossi, ROSSI_COVARIATES))
    assert hr.loc["fin", "hazard ratio"] == pytest.approx(np.exp(-0.3794), abs=1e-3)
    assert (hr["lower 95%"] < hr["hazard ratio"]).all() and (hr["hazard ratio"] < hr["upper 95%"]).all()


def test_ph_test_matches_lifelines_km_transform(rossi, lifelines_ref):
    fit = sv.cox_fit(rossi, ROSSI_COVARIATES)
    tests, scaled = sv.ph_test(fit, transform="km")
    for name in ROSSI_COVARIATES:
        assert tests.loc[name, "chi-square"] == pytest.approx(lifelines_ref["rossi"]["ph_km"][name], abs=1e-3)
    assert tests.loc["GLOBAL", "df"] == 7
    assert len(scaled) == rossi["churned"].sum()


def test_schoenfeld_residuals_sum_to_zero_at_the_estimate_with_entry_and_strata():
    table, _ = simulate.simulate_subscriptions(3000, seed=3)
    fit = sv.cox_fit(table, ["monthly fee (per 10)", "support tickets"], strata_col="annual plan")
    resid = sv.schoenfeld_residuals(fit)
    np.testing.assert_allclose(resid[["monthly fee (per 10)", "support tickets"]].sum(), 0, atol=1e-6)
    assert set(resid["stratum"]) == {"0", "1"}


def test_design_matrix_expands_categories_against_the_first_level():
    frame = pd.DataFrame({"tier": pd.Categorical(["low", "mid", "high"], categories=["low", "mid", "high"]),
                          "flag": [True, False, True], "x": [1, 2, 3]})
    design = sv.design_matrix(frame, ["tier", "flag", "x"])
    assert list(design.columns) == ["tier[mid vs low]", "tier[high vs low]", "flag", "x"]
    assert design["flag"].tolist() == [1.0, 0.0, 1.0]


# ------------------------------------------------------------------- delayed entry and subscriptions
def test_delayed_entry_recovers_the_truth_and_ignoring_it_does_not():
    table, truth = simulate.simulate_subscriptions(20000, seed=1)
    assert (table["entry"] > 0).mean() > 0.3
    with_entry = sv.kaplan_meier(table["duration"], table["churned"], table["entry"])
    naive = sv.kaplan_meier(table["duration"], table["churned"])
    true_365 = truth.loc[truth["days"] == 365, "survival"].item()
    assert sv.survival_at(with_entry, [365])["survival"].item() == pytest.approx(true_365, abs=0.02)
    assert sv.survival_at(naive, [365])["survival"].item() - true_365 > 0.1


def test_cox_recovers_the_simulated_hazard_ratios():
    table, _ = simulate.simulate_subscriptions(20000, seed=2)
    fit = sv.cox_fit(table, ["annual plan", "monthly fee (per 10)", "support tickets"])
    for name, beta in simulate.SUBSCRIPTION_BETA.items():
        assert fit.params[name] == pytest.approx(beta, abs=0.06)


def test_subscription_path_end_to_end(tmp_path):
    table, _ = simulate.simulate_subscriptions(3000, seed=4)
    path = tmp_path / "subs.csv"
    table.rename(columns={"duration": "tenure_days", "churned": "cancelled", "entry": "age_at_start"}).to_csv(path, index=False)
    prepared = sv.prepare(None, None, survival_table=path, duration_col="tenure_days", event_col="cancelled",
                          entry_col="age_at_start", group_cols=["annual plan"],
                          covariates=["annual plan", "monthly fee (per 10)", "support tickets"], value_col="monthly fee")
    assert prepared.source == "duration table" and prepared.tx is None
    assert (prepared.table["entry"] > 0).any()
    summary = sv.survival_summary(prepared.table, "annual plan")
    assert summary.index.tolist() == [0, 1]
    assert sv.logrank(prepared.table, "annual plan")["chi-square"] > 10
    fit = sv.cox_fit(prepared.table, prepared.covariates)
    warning = sv.early_warning_list(prepared, horizon_days=90, top=5, fit=fit)
    assert len(warning) == 5 and warning["value at risk"].is_monotonic_decreasing
    assert warning["P(churn within 90 days)"].between(0, 1).all()
    assert sv.second_purchase_table(prepared).empty


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"d": [1, 2]}), r"missing column\(s\) 'duration', 'churned'; columns found: d"),
        (pd.DataFrame({"duration": [1, -2], "churned": [1, 0]}), r"column 'duration': 1 of 2 rows are missing, not numbers or negative"),
        (pd.DataFrame({"duration": [1, 2], "churned": [1, 2]}), r"column 'churned': 1 of 2 rows are not 0 or 1"),
        (pd.DataFrame({"duration": [5, 2], "churned": [1, 0], "e": [1, 2]}), r"column 'e': 1 of 2 rows are missing, negative, or not before"),
    ],
)
def test_duration_table_validation(frame, message):
    with pytest.raises(ValueError, match=message):
        sv.load_survival_table(frame, entry_col="e" if "e" in frame else None)


def test_conditional_churn_grows_with_the_horizon():
    table, _ = simulate.simulate_subscriptions(4000, seed=5)
    fit = sv.cox_fit(table, ["annual plan", "support tickets"])
    p90, p365 = sv.conditional_churn(fit, table, 90), sv.conditional_churn(fit, table, 365)
    assert ((p90 >= 0) & (p90 <= 1)).all() and (p365 >= p90 - 1e-12).all()
    assert len(p90) == (table["churned"] == 0).sum()


# --------------------------------------------------------------------------- gaps and early warning
def test_gap_table_by_hand():
    tx = tx_frame([("a", "2024-01-01", 1.0), ("a", "2024-01-11", 1.0), ("b", "2024-01-05", 1.0)])
    gaps = sv.gap_table(tx, observation_end="2024-01-31")
    assert gaps[["customer_id", "occasion", "duration", "churned"]].values.tolist() == [
        ["a", 1, 10.0, 1], ["a", 2, 20.0, 0], ["b", 1, 26.0, 0]]


def test_early_warning_is_zero_until_the_threshold_is_within_reach(cdnow_table):
    tx, _ = data.load_cdnow()
    warning = sv.early_warning(tx, churn_days=283, horizon_days=90)
    tx_last = tx.groupby("customer_id")["date"].max()
    assert len(warning) == ((tx["date"].max() - tx_last).dt.days < 283).sum()
    assert (warning["days silent"] < 283).all()
    quiet = warning["days silent"] + 90 < 283
    assert (warning.loc[quiet, "P(churn in horizon)"] == 0).all()
    assert (warning.loc[~quiet, "P(churn in horizon)"] > 0).all()
    assert warning["P(churn in horizon)"].between(0, 1).all()
    assert warning["value at risk"].is_monotonic_decreasing


def test_occasion_bands_and_tiers():
    assert sv.occasion_band(pd.Series([1, 2, 3, 4, 9])).tolist() == ["1", "2-3", "2-3", "4+", "4+"]
    values = pd.Series([5.0, 5.0, 5.0, 5.0, 10.0, 20.0])
    tiers = pd.Series(sv.tiers(values))
    assert tiers.value_counts().tolist() == [2, 2, 2]  # ties never make qcut fail
    assert str(tiers.iloc[-1]).startswith("high ($10-$20)")


def test_threshold_sensitivity_moves_the_right_way():
    tx, _ = data.load_cdnow_sample()
    table = sv.threshold_sensitivity(tx, [119, 283])
    assert table.loc[119, "churned (%)"] > table.loc[283, "churned (%)"]
    assert np.isnan(table.loc[283, "S(365) %"])


# ------------------------------------------------------------------------------ notebook-level tables
@pytest.fixture(scope="module")
def sample_data():
    tx, _ = data.load_cdnow_sample()
    return sv.prepare(tx, 283)


def test_prepare_from_transactions(sample_data):
    table = sample_data.table
    assert sample_data.source == "transactions" and sample_data.value_col == "total spend"
    assert set(table["repeat within 30 days"].astype(str)) == {"no", "yes"}
    assert table["first order value"].value_counts().max() - table["first order value"].value_counts().min() <= 1
    raw = sv.churn_table(sample_data.tx, 283)["first order value"]
    assert np.allclose(2 ** table["log2 first order value"], raw.clip(lower=1))
    with pytest.raises(ValueError, match="churn_days is needed"):
        sv.prepare(sample_data.tx, None)


def test_describe_group_summary_and_logrank_table(sample_data):
    facts = sv.describe(sample_data)
    assert facts["customers"] == 2357 and facts["churned (events)"] + facts["censored"] == 2357
    summary = sv.group_summary(sample_data.table, sample_data.groups, horizons=(90,))
    assert summary.index.names == ["group", "level"]
    assert summary.loc["repeat within 30 days"]["customers"].sum() == 2357
    tests = sv.logrank_table(sample_data.table, sample_data.groups)
    assert tests.loc["repeat within 30 days", "df"] == 1 and tests.loc["first order value", "df"] == 2


def test_refit_for_ph_stratifies_the_covariate_that_fails():
    rng = np.random.default_rng(0)
    n = 3000
    group = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    # group 1 dies late but all at once (crossing hazards); x acts proportionally
    life = np.where(group == 1, rng.uniform(150, 200, n), rng.exponential(120, n)) * np.exp(-0.3 * x)
    table = pd.DataFrame({"duration": np.minimum(np.ceil(life), 300.0), "churned": (life <= 300).astype(int),
                          "entry": 0.0, "group": group, "x": x})
    prepared = sv.prepare(None, None, survival_table=table, covariates=["group", "x"])
    fit = sv.cox_fit(table, ["group", "x"])
    tests, _ = sv.ph_test(fit)
    refit, note = sv.refit_for_ph(prepared, fit, tests)
    assert note.startswith("'group' fails proportional hazards") and list(refit.exog.columns) == ["x"]
    assert refit.params["x"] > 0.2  # shorter lives with larger x (accelerated failure time, not exactly PH)
    same, note = sv.refit_for_ph(prepared, fit, tests.assign(**{"chi-square": 0.1}))
    assert same is fit and note.startswith("No covariate fails")


def test_delayed_entry_check_and_headline(sample_data):
    table, truth = simulate.simulate_subscriptions(5000, seed=7)
    check = sv.delayed_entry_check(table, truth, horizons=(90, 365))
    assert list(check.columns) == ["truth", "KM with delayed entry", "KM ignoring entry"]
    assert abs(check.loc[365, "KM with delayed entry"] - check.loc[365, "truth"]) < 3
    overall = sv.survival_summary(sample_data.table, horizons=(90,))
    fit = sv.cox_fit(sample_data.table, sample_data.covariates)
    warning = sv.early_warning_list(sample_data, top=5)
    figures = sv.headline_figures(sample_data, overall, sv.hazard_ratios(fit),
                                  sv.logrank_table(sample_data.table, sample_data.groups), warning)
    assert figures["customers"] == 2357 and figures["churn threshold (days)"] == 283
    assert figures["strongest log-rank"].startswith("repeat within 30 days")
    assert "HR repeat within 30 days[yes vs no]" in figures
    assert figures["early-warning list: value at risk"] == round(warning["value at risk"].sum(), 2)


def test_transaction_only_tables_say_so_for_a_duration_table():
    assert sv.threshold_sensitivity(None, [100])["note"].iloc[0].startswith("needs transactions")
    empty = pd.DataFrame(columns=["duration", "churned", "entry", "first order value"])
    assert sv.survival_summary(empty, "first order value")["note"].iloc[0].startswith("needs transactions")
    assert sv.km_by_group(empty, "first order value") == {}
