"""lifecycle_utils.survival: the churn-table definition on hand-built histories, statsmodels wrappers
cross-checked against lifelines and published Rossi values, thin data that must give notes instead of
errors, and duration tables as users bring them (units, yes/no events, categorical covariates).

lifelines caps pandas < 3, so it runs in its own environment (.venv-peer, built by `make test`):
tests/peer/lifelines_reference.py computes its reference values there, in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import clv, data, report, simulate
from lifecycle_utils import survival as sv

ROSSI_EFRON = {
    "fin": -0.3794,
    "age": -0.0574,
    "race": 0.3139,
    "wexp": -0.1498,
    "mar": -0.4337,
    "paro": -0.0849,
    "prio": 0.0915,
}
ROSSI_COVARIATES = list(ROSSI_EFRON)


def tx_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


ROOT = Path(__file__).resolve().parents[1]
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"


@pytest.fixture(scope="module")
def cdnow_table():
    tx, _ = data.load_cdnow()
    return sv.churn_table(tx, 283)


@pytest.fixture(scope="module")
def sample_gaps():
    return sv.gap_table(data.load_cdnow_sample()[0])


def categorical_cox_table(n: int = 400, seed: int = 11) -> pd.DataFrame:
    """Simulated churn with a 3-level plan (basic most frequent, premium rare), a numeric fee and tied
    whole-month durations (in days), for the categorical Cox cross-check."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "standard", "premium"], n, p=[0.5, 0.3, 0.2])
    fee = rng.uniform(10, 60, n).round(2)
    log_hr = pd.Series(plan).map({"basic": 0.4, "standard": 0.0, "premium": -0.6}).to_numpy() + 0.02 * fee
    life = rng.exponential(300 * np.exp(-log_hr))
    months = np.minimum(np.ceil(life / 30), 18)
    return pd.DataFrame(
        {"duration": months * 30, "churned": (life <= 18 * 30).astype(int), "plan": plan, "fee": fee}
    )


CATEGORICAL_REFERENCE = {"plan": "standard"}  # neither the most frequent nor the first in order


@pytest.fixture(scope="module")
def lifelines_ref(tmp_path_factory, cdnow_table, sample_gaps):
    if not PEER_PYTHON.exists():
        pytest.fail("the lifelines peer environment .venv-peer is missing: run `make test`, which builds it")
    folder = tmp_path_factory.mktemp("peer")
    cdnow_table[["duration", "churned"]].to_csv(folder / "cdnow_churn.csv", index=False)
    sample_gaps[["duration", "churned"]].to_csv(folder / "sample_gaps.csv", index=False)
    (folder / "cox").mkdir()
    categorical_cox_table().to_csv(folder / "cox" / "table.csv", index=False)
    (folder / "cox" / "spec.json").write_text(
        json.dumps({"file": "table.csv", "categorical": CATEGORICAL_REFERENCE, "numeric": ["fee"]})
    )
    out = folder / "reference.json"
    run = subprocess.run(
        [str(PEER_PYTHON), str(ROOT / "tests" / "peer" / "lifelines_reference.py"), str(folder), str(out)],
        capture_output=True,
        text=True,
    )
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
        pytest.param(
            ["2024-01-01", "2024-06-01"], 0, 1, id="came back after a churning gap: first churn counts"
        ),
        pytest.param(["2024-01-01", "2024-02-01"], 31, 1, id="open gap reaches the threshold"),
        pytest.param(
            REGULAR + ["2024-11-01", "2024-12-20"], 265, 0, id="gap still short at the end: censored"
        ),
        pytest.param(
            REGULAR + ["2024-09-22"], 265, 1, id="last purchase on the censoring date: 100-day gap by the end"
        ),
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
    tx = tx_frame(
        [("a", d, 1.0) for d in REGULAR + ["2024-11-01", "2024-12-30"]] + [("late", "2024-10-01", 1.0)]
    )  # first seen after the censoring date
    table = sv.churn_table(tx, churn_days=100, observation_end=END)
    assert list(table.index) == ["a"]
    assert table.loc["a", "churned"] == 0
    assert table.loc["a", "days_since_last"] == 1


def test_early_covariates_and_landmark_guard():
    tx = tx_frame(
        [
            ("a", "2024-01-01", 10.0),
            ("a", "2024-01-01", 5.0),
            ("a", "2024-01-20", 1.0),
            ("b", "2024-01-01", 30.0),
            ("b", "2024-03-01", 1.0),
        ]
    ).assign(quantity=[1, 2, 1, 1, 1])
    table = sv.churn_table(tx, churn_days=100, observation_end=END)
    assert table.loc["a", "first_spend"] == 15.0 and table.loc["a", "first_basket"] == 3
    assert bool(table.loc["a", "early_repeat"]) and not bool(table.loc["b", "early_repeat"])
    with pytest.raises(ValueError, match="landmark_days \\(30\\) must be shorter than churn_days \\(20\\)"):
        sv.churn_table(tx, churn_days=20)


def test_cdnow_churn_table_totals(cdnow_table):
    assert len(cdnow_table) == 23570
    assert cdnow_table["churned"].sum() == 18577  # = "ever churned" in notebook 01 at 283 days
    assert cdnow_table["duration"].max() <= 546 - 283
    assert (cdnow_table.loc[cdnow_table["churned"] == 0, "days_since_last"] < 283).all()


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
    np.testing.assert_allclose(
        ours[["survival", "lower", "upper"]], ref[["survival", "lower", "upper"]], atol=1e-8
    )


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
    assert sv.worst_ph_covariate(tests) == tests.drop(index="GLOBAL")["chi-square"].astype(float).idxmax()
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
    frame = pd.DataFrame(
        {
            "tier": pd.Categorical(["low", "mid", "high"], categories=["low", "mid", "high"]),
            "flag": [True, False, True],
            "x": [1, 2, 3],
        }
    )
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
    table.rename(columns={"duration": "tenure_days", "churned": "cancelled", "entry": "age_at_start"}).to_csv(
        path, index=False
    )
    prepared = sv.prepare(
        None,
        None,
        survival_table=path,
        duration_col="tenure_days",
        event_col="cancelled",
        entry_col="age_at_start",
        group_cols=["annual plan"],
        covariates=["annual plan", "monthly fee (per 10)", "support tickets"],
        value_col="monthly fee",
    )
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
        (
            pd.DataFrame({"duration": [1, -2], "churned": [1, 0]}),
            r"column 'duration': 1 of 2 rows are missing, not numbers or negative",
        ),
        (
            pd.DataFrame({"duration": [1, 2], "churned": [1, 2]}),
            r"column 'churned': 1 of 2 rows are not 0 or 1",
        ),
        (
            pd.DataFrame({"duration": [5, 2], "churned": [1, 0], "e": [1, 2]}),
            r"column 'e': 1 of 2 rows are missing, negative, or not before",
        ),
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
        ["a", 1, 10.0, 1],
        ["a", 2, 20.0, 0],
        ["b", 1, 26.0, 0],
    ]


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
    assert sample_data.source == "transactions" and sample_data.value_col == "total_spend"
    assert set(table["repeat within 30 days"].astype(str)) == {"no", "yes"}
    assert (
        table["first order value"].value_counts().max() - table["first order value"].value_counts().min() <= 1
    )
    raw = sv.churn_table(sample_data.tx, 283)["first_spend"]
    assert np.allclose(2 ** table["log2 first order value"], raw.clip(lower=1))
    with pytest.raises(ValueError, match="churn_days is needed"):
        sv.prepare(sample_data.tx, None)


def test_describe_group_summary_and_logrank_table(sample_data):
    facts = sv.describe(sample_data)
    assert facts["customers"] == 2357 and facts["churned (events)"] + facts["censored"] == 2357
    assert facts["customers in the log"] == sample_data.tx["customer_id"].nunique()
    # the last churn_days days cannot show churn: 1997-01-01 to 1998-06-30 is 545 days, minus 283
    assert facts["longest follow-up (days)"] == 545 - 283
    late = sv.prepare(sample_data.tx, 40, observation_end="1997-02-15")  # before acquisition ends
    assert sv.describe(late)["customers in the log"] < facts["customers in the log"]
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
    table = pd.DataFrame(
        {
            "duration": np.minimum(np.ceil(life), 300.0),
            "churned": (life <= 300).astype(int),
            "entry": 0.0,
            "group": group,
            "x": x,
        }
    )
    prepared = sv.prepare(None, None, survival_table=table, covariates=["group", "x"])
    fit = sv.cox_fit(table, ["group", "x"])
    tests, _ = sv.ph_test(fit)
    refit, note = sv.refit_for_ph(prepared, fit, tests=tests)
    assert note.startswith("'group' fails proportional hazards") and list(refit.exog.columns) == ["x"]
    assert refit.strata_col == "group" and fit.strata_col is None  # the refit names its stratum
    assert refit.params["x"] > 0.2  # shorter lives with larger x (accelerated failure time, not exactly PH)
    same, note = sv.refit_for_ph(prepared, fit, tests=tests.assign(**{"chi-square": 0.1}))
    assert same is fit and note.startswith("No covariate fails")


def test_delayed_entry_check_and_headline(sample_data):
    table, truth = simulate.simulate_subscriptions(5000, seed=7)
    check = sv.delayed_entry_check(table, truth, horizons=(90, 365))
    assert list(check.columns) == [
        "truth",
        "KM with delayed entry",
        "KM ignoring entry",
        "error with entry (points)",
        "error ignoring entry (points)",
    ]
    assert abs(check.loc[365, "KM with delayed entry"] - check.loc[365, "truth"]) < 3
    assert (
        abs(
            check.loc[365, "error ignoring entry (points)"]
            - (check.loc[365, "KM ignoring entry"] - check.loc[365, "truth"])
        )
        <= 0.11
    )
    overall = sv.survival_summary(sample_data.table, horizons=(90,))
    fit = sv.cox_fit(sample_data.table, sample_data.covariates)
    warning = sv.early_warning_list(sample_data, top=5)
    logranks = sv.logrank_table(sample_data.table, sample_data.groups)
    groups = sv.group_summary(sample_data.table, sample_data.groups, (0, 90))
    figures = sv.headline_figures(
        sample_data,
        overall,
        hazard_table=sv.hazard_ratios(fit),
        logranks=logranks,
        warning=warning,
        groups=groups,
        horizon_days=90,
    )
    assert figures["customers"] == 2357 and figures["churn threshold (days)"] == 283
    # the strongest contrast is chosen among the groups not built in by their definition; the early repeat,
    # whose difference is (a "yes" customer cannot churn on day 0), is recorded under its own keys
    others = logranks.drop(index=list(sv.BUILT_IN_GROUPS))
    best = others["chi-square"].idxmax()  # both other groups have 2 df here
    assert figures["strongest log-rank group"] == best != "repeat within 30 days"
    assert figures["strongest log-rank chi-square"] == others.loc[best, "chi-square"]
    assert figures["groups built in by definition"] == "repeat within 30 days"
    row = logranks.loc["repeat within 30 days"]
    assert figures["log-rank repeat within 30 days: chi-square"] == row["chi-square"]
    assert figures["log-rank repeat within 30 days: df"] == 1
    assert figures["log-rank repeat within 30 days: p-value"] < 1e-20
    assert figures["median days, repeat within 30 days: yes"] > 0  # a repeat makes day 0 impossible
    table = sample_data.table
    assert figures["churned (events)"] == table["churned"].sum()
    assert figures["churned on day 0"] == ((table["duration"] == 0) & (table["churned"] == 1)).sum()
    assert sv.describe(sample_data)["churned on day 0"] == figures["churned on day 0"]
    hr = sv.hazard_ratios(fit).loc["repeat within 30 days[yes vs no]"]
    assert figures["HR repeat within 30 days[yes vs no]"] == hr["hazard ratio"]
    assert figures["HR repeat within 30 days[yes vs no] lower 95%"] == hr["lower 95%"]
    assert figures["S(90) %"] == float(overall["S(90) %"].iloc[0].split(" ")[0])
    assert figures["early-warning list: value at risk"] == round(warning["value at risk"].sum(), 2)
    assert figures["early-warning list: ranked by"] == "annual spend"
    assert figures["early-warning list: customers"] == 5 and figures["early-warning horizon (days)"] == 90
    assert figures["longest follow-up (days)"] == sv.describe(sample_data)["longest follow-up (days)"]


def test_transaction_only_tables_say_so_for_a_duration_table():
    assert sv.threshold_sensitivity(None, [100])["note"].iloc[0].startswith("needs transactions")
    tx, _ = data.load_cdnow_sample()
    assert sv.threshold_sensitivity(tx, [])["note"].iloc[0] == "no churn thresholds given: nothing to compare"
    empty = pd.DataFrame(columns=["duration", "churned", "entry", "first order value"])
    assert (
        sv.survival_summary(empty, "first order value")["note"].iloc[0] == "no customers: nothing to estimate"
    )
    assert sv.km_by_group(empty, "first order value") == {}


# ------------------------------------------------------------------ thin data gives notes, not errors
def notebook_02_calls(surv: sv.SurvivalData, out_dir: Path, horizons=(0, 90, 180, 365)) -> dict:
    """The package calls of notebook 02 in its order (plots' inputs included), wired as the notebook should
    be (the reference levels passed on); returns what the notebook shows."""
    shown = {
        "describe": sv.describe(surv),
        "overall": sv.survival_summary(surv.table, horizons=horizons),
        "curves": sv.km_by_group(surv.table),
        "thresholds": sv.threshold_sensitivity(surv.tx, [119, 200, 283, 416]),
        "panels": sv.km_panels(surv.table, surv.groups),
        "groups": sv.group_summary(surv.table, surv.groups, horizons),
        "logranks": sv.logrank_table(surv.table, surv.groups),
    }
    cox = sv.cox_fit(surv.table, surv.covariates, reference=surv.reference)
    shown["hazard ratios"] = sv.hazard_ratios(cox)
    ph_tests, shown["scaled"] = sv.ph_test(cox)
    worst = sv.worst_ph_covariate(ph_tests)
    shown["residual plot"] = None if worst is None else (shown["scaled"][["time", worst]], cox.params[worst])
    cox_ph, shown["ph note"] = sv.refit_for_ph(surv, cox, tests=ph_tests)
    shown["hazard ratios after ph"], shown["ph tests after"] = sv.hazard_ratios(cox_ph), sv.ph_test(cox_ph)[0]
    second = sv.second_purchase_table(surv)
    shown["second"] = (
        sv.km_by_group(second, "first order value"),
        sv.survival_summary(second, "first order value", horizons),
    )
    shown["warning"] = sv.early_warning_list(surv, 90, top=12, fit=cox)
    shown["figures"] = sv.headline_figures(
        surv,
        shown["overall"],
        hazard_table=shown["hazard ratios after ph"],
        logranks=shown["logranks"],
        warning=shown["warning"],
    )
    report.record("02_churn_survival", shown["figures"], out_dir=out_dir)  # JSON-able
    return shown


THIN = pd.DataFrame(
    {
        "duration": [3.0, 5, 8, 8, 13, 21],
        "churned": [1, 0, 1, 1, 0, 1],
        "plan": ["a", "a", "b", "b", "a", "b"],
        "fee": [10.0, 20, 10, 30, 20, 10],
    }
)
THIN_TABLES = {
    "no churn events (all censored)": THIN.assign(churned=0),
    "every duration 0": THIN.assign(duration=0.0),
    "a single customer who churned": THIN.head(1),
    "a single censored customer": THIN.head(1).assign(churned=0),
    "one plan only and a constant fee": THIN.assign(plan="a", fee=10.0),
    "a plan without churn": THIN.assign(churned=[1, 1, 0, 0, 1, 0]),
}


@pytest.mark.parametrize("shape", list(THIN_TABLES))
def test_notebook_02_runs_on_thin_duration_tables_without_errors_or_warnings(shape, tmp_path):
    table = THIN_TABLES[shape]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surv = sv.prepare(
            None, None, survival_table=table, group_cols=["plan"], covariates=["plan", "fee"], value_col="fee"
        )
        shown = notebook_02_calls(surv, tmp_path)
    assert shown["figures"]["customers"] == len(table)
    if shape != "a plan without churn":  # thin data says so where the reader looks first
        assert any(key.startswith("note") for key in shown["describe"].index)


def test_notebook_02_runs_on_transactions_without_quantity(tmp_path):
    tx, _ = data.load_cdnow_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surv = sv.prepare(tx.drop(columns=["quantity"]), 283)
        shown = notebook_02_calls(surv, tmp_path)
    assert shown["logranks"].index.tolist() == ["first order value", "repeat within 30 days"]
    assert "repeat within 30 days[yes vs no]" in shown["hazard ratios"].index
    assert shown["ph note"].startswith("'repeat within 30 days' fails")
    assert "HR log2 first order value" in shown["figures"]


@pytest.fixture(scope="module")
def amount_only_data():
    tx, _ = data.load_cdnow_sample()
    return sv.prepare(tx.drop(columns=["quantity"]), 283)


def test_transactions_without_quantity_leave_basket_size_out_and_say_so(amount_only_data):
    assert "first basket size" not in amount_only_data.groups
    assert "first basket (units)" not in amount_only_data.covariates
    assert sv.describe(amount_only_data)["note 1"].startswith(
        "no quantity in the transactions: first basket size"
    )
    tests = sv.logrank_table(amount_only_data.table, amount_only_data.groups)
    assert tests.index.tolist() == ["first order value", "repeat within 30 days"] and "note" not in tests


def test_a_group_with_one_level_gets_a_note_and_a_nan_statistic_instead_of_an_error(amount_only_data):
    table = amount_only_data.table  # without quantities every first basket size is "unknown"
    groups = ["first basket size", "repeat within 30 days"]
    result = sv.logrank(table, "first basket size")
    assert np.isnan(result["chi-square"]) and result["df"] == 0
    assert result["note"] == "one level only: nothing to compare"
    tests = sv.logrank_table(table, groups)
    assert tests.loc["first basket size", ["levels", "p-value", "note"]].tolist() == [
        1,
        "n/a",
        "one level only: nothing to compare",
    ]
    assert tests.loc["repeat within 30 days", "note"] == ""
    assert tests.loc["repeat within 30 days", "chi-square"] > 100
    assert list(sv.km_panels(table, groups)["first basket size"]) == ["unknown"]
    summary = sv.group_summary(table, groups, horizons=(90,))
    assert summary.loc[("first basket size", "unknown"), "customers"] == len(table)
    fit = sv.cox_fit(table, ["first basket size", "log2 first order value"])
    assert fit.params.index.tolist() == ["log2 first order value"] and fit.trustworthy
    assert sv.hazard_ratios(fit).loc["first basket size", "note"] == "left out: one level only"


def separated_table(n: int = 300, seed: int = 1) -> pd.DataFrame:
    """Plan "basic" (the most frequent, so the reference) never churns: the hazard ratios of the other
    plans against it run off to infinity (separation)."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.25, 0.25])
    churned = np.where(plan == "basic", 0, (rng.random(n) < 0.7).astype(int))
    return pd.DataFrame(
        {
            "duration": np.ceil(rng.exponential(20, n)),
            "plan": plan,
            "fee": rng.uniform(10, 60, n),
            "churned": churned,
            "entry": 0.0,
        }
    )


def test_a_level_without_churn_events_is_tested_drawn_and_summarised_with_a_note():
    table = separated_table()
    assert np.isfinite(sv.logrank(table, "plan")["chi-square"])
    assert sv.km_panels(table, ["plan"])["plan"]["basic"]["survival"].eq(1).all()
    summary = sv.group_summary(table, ["plan"], horizons=(10,))
    assert summary.loc[("plan", "basic"), "note"].startswith("no churn events")
    assert summary.loc[("plan", "plus"), "note"] == ""


def test_a_runaway_cox_coefficient_is_flagged_and_never_recorded_as_a_headline_figure(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # statsmodels' convergence warning becomes the note, not stderr noise
        fit = sv.cox_fit(separated_table(), ["plan", "fee"])
        hr = sv.hazard_ratios(fit)
    assert hr.columns.tolist() == ["coef", "hazard ratio", "lower 95%", "upper 95%", "p-value", "note"]
    assert "runs off" in hr.loc["plan[pro vs basic]", "note"]
    assert hr["note"].str.endswith("not trustworthy").all()
    assert hr.loc["plan[pro vs basic]", "coef"] > 10 and hr.loc["plan[pro vs basic]", "hazard ratio"] > 1e4
    assert not fit.trustworthy and set(fit.flags) == {"plan[plus vs basic]", "plan[pro vs basic]", "fee"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surv = sv.prepare(
            None,
            None,
            survival_table=separated_table(),
            group_cols=["plan"],
            covariates=["plan", "fee"],
            value_col="fee",
        )
        shown = notebook_02_calls(surv, tmp_path)
    assert not any(key.startswith("HR plan") for key in shown["figures"])
    assert "runs off" in shown["figures"]["hazard ratio note"]
    assert shown["warning"]["note"].str.startswith("the Cox model is flagged").all()


def test_a_clean_cox_fit_has_no_note_column_and_is_trustworthy(rossi):
    fit = sv.cox_fit(rossi, ROSSI_COVARIATES)
    assert fit.trustworthy and not fit.flags and not fit.dropped
    columns = sv.hazard_ratios(fit).columns.tolist()
    assert columns == ["coef", "hazard ratio", "lower 95%", "upper 95%", "p-value"]
    assert "note" not in sv.ph_test(fit)[0]


def test_cox_leaves_out_constant_and_redundant_covariates_and_says_which():
    rng = np.random.default_rng(2)
    x = rng.normal(size=200)
    table = pd.DataFrame(
        {
            "duration": np.ceil(rng.exponential(10 * np.exp(-0.5 * x))),
            "churned": 1,
            "entry": 0.0,
            "x": x,
            "same": 3.0,
            "twice x": 2 * x,
        }
    )
    fit = sv.cox_fit(table, ["x", "same", "twice x"])
    assert fit.params.index.tolist() == ["x"] and fit.trustworthy
    assert fit.dropped == {
        "same": "constant in the rows fitted",
        "twice x": "a linear combination of the others",
    }
    hr = sv.hazard_ratios(fit)
    assert hr["note"].tolist() == [
        "",
        "left out: constant in the rows fitted",
        "left out: a linear combination of the others",
    ]
    assert np.isnan(hr.loc["same", "hazard ratio"]) and "'same' (constant in the rows fitted)" in fit.note


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        pytest.param(
            pd.DataFrame({"duration": [3.0, 5, 8], "churned": 0, "x": [1.0, 2, 3]}),
            "no churn events",
            id="no churn events",
        ),
        pytest.param(
            pd.DataFrame({"duration": [3.0, 5, 8], "churned": 1, "x": [1.0, 1, 1]}),
            "no covariate left",
            id="only a constant covariate",
        ),
    ],
)
def test_a_cox_model_that_cannot_be_fitted_is_a_note_not_an_exception(table, reason):
    fit = sv.cox_fit(table, ["x"])
    assert not fit.fitted and fit.params.empty and fit.notes[-1].startswith(reason)
    hr = sv.hazard_ratios(fit)
    assert hr.index.tolist() == ["no model"] and np.isnan(hr.loc["no model", "hazard ratio"])
    assert hr.loc["no model", "note"] == fit.note and reason in fit.note.lower()
    tests, scaled = sv.ph_test(fit)
    assert tests.index.tolist() == ["GLOBAL"] and tests.loc["GLOBAL", "note"] == f"no model: {fit.note}"
    assert scaled.empty
    assert sv.worst_ph_covariate(tests) is None  # the notebook has no residual plot to draw
    surv = sv.prepare(None, None, survival_table=table, covariates=["x"])
    same, sentence = sv.refit_for_ph(surv, fit, tests=tests)
    assert same is fit and sentence.startswith(f"No proportional-hazards test was possible ({reason}")


@pytest.mark.parametrize(
    ("duration", "churned", "note", "median"),
    [
        pytest.param([3, 5, 8], [0, 0, 0], "no churn events", "not reached", id="no events: all censored"),
        pytest.param([0, 0, 0], [1, 0, 1], "every duration is 0", 0.0, id="every duration 0"),
        pytest.param(
            [0, 0], [0, 0], "every duration is 0", "not reached", id="every duration 0 and no events"
        ),
        pytest.param([5], [1], "one customer only", 5.0, id="a single customer who churned"),
        pytest.param([5], [0], "one customer only", "not reached", id="a single censored customer"),
    ],
)
def test_thin_tables_give_survival_values_with_a_note(duration, churned, note, median):
    km = sv.kaplan_meier(duration, churned)
    assert km["survival"].between(0, 1).all() and note in km.attrs["note"]
    med = sv.median_survival(duration, churned)
    assert med["median"] == median and note in med["note"]
    table = pd.DataFrame({"duration": np.asarray(duration, float), "churned": churned, "entry": 0.0})
    summary = sv.survival_summary(table, horizons=(0, 3))
    assert summary.loc["all", "customers"] == len(duration) and note in summary.loc["all", "note"]


def test_clean_survival_tables_carry_no_note(cdnow_table):
    assert sv.kaplan_meier(cdnow_table["duration"], cdnow_table["churned"]).attrs["note"] == ""
    assert "note" not in sv.survival_summary(cdnow_table, horizons=(90,))


# ------------------------------------------------------------------- subscription tables like Telco
def telco_like(n: int = 800, seed: int = 3) -> pd.DataFrame:
    """Like the public Telco churn table: tenure in whole months (many ties), Churn Yes/No, a 3-level
    Contract, MonthlyCharges with few distinct values (many customers share a tenure and a charge)."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.21, 0.24])
    charges = rng.choice([19.85, 20.05, 70.35, 89.10, 99.65], n)
    log_hr = pd.Series(contract).map({"Month-to-month": 0.0, "One year": -1.0, "Two year": -2.0}).to_numpy()
    life = rng.exponential(20 * np.exp(-log_hr - 0.005 * (charges - 60)))
    follow = rng.integers(1, 73, n)
    return pd.DataFrame(
        {
            "customerID": [f"{i:04d}-TEL" for i in range(n)],
            "tenure": np.minimum(np.ceil(life), follow),
            "Churn": np.where(life <= follow, "Yes", "No"),
            "Contract": contract,
            "MonthlyCharges": charges,
        }
    )


def test_early_warning_list_on_a_subscription_table_with_a_three_level_contract():
    # the crash: conditional_churn rebuilt the design from one covariate name per indicator column, so a
    # 3-level Contract came back twice ("cannot reindex on an axis with duplicate labels")
    frame = telco_like().assign(
        days=lambda d: d["tenure"] * 30, churned=lambda d: (d["Churn"] == "Yes").astype(int)
    )
    surv = sv.prepare(
        None,
        None,
        survival_table=frame,
        duration_col="days",
        event_col="churned",
        group_cols=["Contract"],
        covariates=["Contract", "MonthlyCharges"],
        value_col="MonthlyCharges",
    )
    fit = sv.cox_fit(surv.table, surv.covariates)
    warning = sv.early_warning_list(surv, horizon_days=90, top=len(frame), fit=fit)
    active = surv.table[surv.table["churned"] == 0]
    assert len(warning) == len(active) and warning["value at risk"].is_monotonic_decreasing
    # the categorical path gives exactly what hand-made 0/1 columns give
    dummies = surv.table.assign(
        one=(surv.table["Contract"] == "One year").astype(float),
        two=(surv.table["Contract"] == "Two year").astype(float),
    )
    by_hand = sv.conditional_churn(sv.cox_fit(dummies, ["one", "two", "MonthlyCharges"]), dummies, 90)
    np.testing.assert_allclose(warning["P(churn within 90 days)"], by_hand.reindex(warning.index).round(3))
    shared = warning.join(active["Contract"]).groupby(["tenure (days)", "MonthlyCharges", "Contract"])
    assert (shared["P(churn within 90 days)"].nunique() == 1).all() and (shared.size() > 1).any()


def test_notebook_02_runs_on_a_telco_like_table_in_months_with_yes_no_churn(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surv = sv.prepare(
            None,
            None,
            survival_table=telco_like(),
            duration_col="tenure",
            event_col="Churn",
            group_cols=["Contract"],
            covariates=["Contract", "MonthlyCharges"],
            value_col="MonthlyCharges",
            duration_unit="months",
            id_col="customerID",
        )
        shown = notebook_02_calls(surv, tmp_path)
    assert surv.reference == {"Contract": "Month-to-month"}
    months = shown["describe"]["longest follow-up (days)"] / (365.25 / 12)
    assert months == pytest.approx(round(months)) and 60 < months <= 72  # whole months, in days
    assert shown["hazard ratios"].index.tolist()[:2] == [
        "Contract[One year vs Month-to-month]",
        "Contract[Two year vs Month-to-month]",
    ]
    assert shown["logranks"].loc["Contract", "df"] == 2
    assert len(shown["warning"]) == 12 and shown["warning"].index.str.endswith("-TEL").all()


def test_early_warning_list_without_a_cox_model_uses_the_overall_curve_and_says_so():
    surv = sv.prepare(
        None,
        None,
        survival_table=telco_like(),
        duration_col="tenure",
        event_col="Churn",
        value_col="MonthlyCharges",
        duration_unit="months",
    )
    warning = sv.early_warning_list(surv, horizon_days=90, top=5, fit=None)
    assert len(warning) == 5 and warning["P(churn within 90 days)"].between(0, 1).all()
    assert warning["note"].str.startswith("no Cox model (none given): the overall churn curve").all()
    figures = sv.headline_figures(
        surv,
        sv.survival_summary(surv.table),
        hazard_table=None,
        logranks=sv.logrank_table(surv.table, []),
        warning=warning,
    )
    assert not any(key.startswith("HR ") for key in figures)
    assert figures["early-warning list: value at risk"] > 0


def test_early_warning_list_survives_repeated_index_labels():
    table, _ = simulate.simulate_subscriptions(1000, seed=6)
    doubled = pd.concat([table, table])  # the same index labels twice
    surv = sv.prepare(
        None,
        None,
        survival_table=doubled,
        covariates=["annual plan", "support tickets"],
        value_col="monthly fee",
    )
    warning = sv.early_warning_list(surv, top=len(doubled), fit=sv.cox_fit(surv.table, surv.covariates))
    assert len(warning) == 2 * (table["churned"] == 0).sum()
    assert warning["value at risk"].is_monotonic_decreasing


def test_repeated_or_missing_ids_are_refused_at_load():
    frame = telco_like(5).assign(customerID=["a", "b", "a", None, "c"])
    message = r"column 'customerID': 3 of 5 rows are missing or repeated ids \(e.g. 'a', nan\)"
    with pytest.raises(ValueError, match=message):
        sv.prepare(
            None, None, survival_table=frame, duration_col="tenure", event_col="Churn", id_col="customerID"
        )


def test_a_broken_numeric_covariate_or_value_column_is_refused_at_load():
    frame = telco_like(40).assign(
        TotalCharges=lambda d: (d["MonthlyCharges"] * d["tenure"]).round(2).astype(str)
    )
    frame.loc[[3, 7], "TotalCharges"] = " "  # as in the public Telco table
    with pytest.raises(ValueError, match=r"column 'TotalCharges': 2 of 40 rows are not numbers, though the"):
        sv.prepare(
            None,
            None,
            survival_table=frame,
            duration_col="tenure",
            event_col="Churn",
            covariates=["TotalCharges"],
        )
    with pytest.raises(ValueError, match=r"column 'TotalCharges': 2 of 40 rows are not numbers \(e.g. ' '\)"):
        sv.prepare(
            None,
            None,
            survival_table=frame,
            duration_col="tenure",
            event_col="Churn",
            value_col="TotalCharges",
        )
    with pytest.raises(ValueError, match=r"value_col \(the duration table\): missing column\(s\) 'Revenue'"):
        sv.prepare(
            None, None, survival_table=frame, duration_col="tenure", event_col="Churn", value_col="Revenue"
        )


# ------------------------------------------------------------------------- duration units and events
@pytest.mark.parametrize(("unit", "factor"), [("days", 1.0), ("weeks", 7.0), ("months", 365.25 / 12)])
def test_durations_in_weeks_or_months_are_converted_to_days_and_the_factor_is_noted(unit, factor):
    frame = pd.DataFrame({"t": [2, 12], "gone": [1, 0], "since": [0, 3]})
    table = sv.load_survival_table(frame, "t", event_col="gone", entry_col="since", duration_unit=unit)
    assert table["duration"].tolist() == [2 * factor, 12 * factor]
    assert table["entry"].tolist() == [0.0, 3 * factor]
    surv = sv.prepare(
        None,
        None,
        survival_table=frame,
        duration_col="t",
        event_col="gone",
        entry_col="since",
        duration_unit=unit,
    )
    assert surv.table["duration"].tolist() == [2 * factor, 12 * factor]
    assert unit in surv.notes[0] and (unit == "days" or f"x {factor:g} days per {unit[:-1]}" in surv.notes[0])
    assert sv.describe(surv)["longest follow-up (days)"] == 12 * factor


def test_an_unknown_duration_unit_is_refused_with_the_allowed_units():
    frame = pd.DataFrame({"duration": [1, 2], "churned": [1, 0]})
    with pytest.raises(ValueError, match=r"duration_unit 'years' is not one of 'days', 'weeks', 'months'"):
        sv.load_survival_table(frame, duration_unit="years")
    with pytest.raises(ValueError, match=r"duration_unit 'fortnights' is not one of 'days', 'weeks'"):
        sv.prepare(None, None, survival_table=frame, duration_unit="fortnights")


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(["Yes", "No", "yes", "NO"], id="Yes/No"),
        pytest.param(["True", "false", "TRUE", "False"], id="True/False text"),
        pytest.param([True, False, True, False], id="booleans"),
        pytest.param(["1", "0", " 1 ", "0"], id="1/0 text"),
        pytest.param([1.0, 0.0, 1.0, 0.0], id="1.0/0.0 numbers"),
    ],
)
def test_event_column_accepts_yes_no_true_false_and_1_0_in_any_case(values):
    frame = pd.DataFrame({"duration": [1, 2, 3, 4], "Churn": values})
    assert sv.load_survival_table(frame, event_col="Churn")["churned"].tolist() == [1, 0, 1, 0]


def test_event_words_load_from_a_csv_file_and_the_reading_is_noted(tmp_path):
    path = tmp_path / "subs.csv"
    telco_like(30).to_csv(path, index=False)
    surv = sv.prepare(
        None, None, survival_table=path, duration_col="tenure", event_col="Churn", duration_unit="months"
    )
    assert set(surv.table["churned"]) == {0, 1}
    assert "event column 'Churn': Yes read as churned (1), No as censored (0)" in surv.notes


def test_an_unreadable_event_value_is_refused_with_column_count_and_examples():
    frame = pd.DataFrame({"duration": [1, 2, 3, 4], "Churn": ["Yes", "maybe", "No", None]})
    message = r"column 'Churn': 2 of 4 rows are not 0 or 1, yes or no, true or false \(e.g. 'maybe', nan\)"
    with pytest.raises(ValueError, match=message):
        sv.load_survival_table(frame, event_col="Churn")


# ------------------------------------------------------------------- categorical Cox covariates
def test_a_categorical_covariate_is_coded_against_its_most_frequent_level_by_default_and_says_so():
    frame = pd.DataFrame(
        {"tier": ["b", "a", "b", "c", "b", "c"], "duration": [1.0, 2, 3, 4, 5, 6], "churned": 1}
    )
    assert sv.design_matrix(frame, ["tier"]).columns.tolist() == ["tier[a vs b]", "tier[c vs b]"]
    fit = sv.cox_fit(frame, ["tier"])
    assert "'tier': reference level 'b' (the most frequent: 3 of 6 rows)" in fit.note
    surv = sv.prepare(None, None, survival_table=frame, covariates=["tier"])
    assert surv.reference == {"tier": "b"}
    assert "'tier': reference level 'b' (the most frequent: 3 of 6 rows)" in surv.notes


def test_a_named_reference_level_is_used_and_an_unknown_one_is_refused_with_the_levels():
    table = categorical_cox_table()
    fit = sv.cox_fit(table, ["plan", "fee"], reference={"plan": "standard"})
    names = sv.hazard_ratios(fit).index.tolist()
    assert names == ["plan[basic vs standard]", "plan[premium vs standard]", "fee"]
    surv = sv.prepare(
        None, None, survival_table=table, covariates=["plan", "fee"], reference={"plan": "standard"}
    )
    assert surv.reference == {"plan": "standard"} and not any("reference level" in n for n in surv.notes)
    levels = r"is not one of its levels: 'basic', 'premium', 'standard'"
    with pytest.raises(ValueError, match=f"reference level 'gold' for 'plan' {levels}"):
        sv.cox_fit(table, ["plan"], reference={"plan": "gold"})
    with pytest.raises(ValueError, match=f"reference level 'gold' for 'plan' {levels}"):
        sv.prepare(None, None, survival_table=table, covariates=["plan"], reference={"plan": "gold"})
    with pytest.raises(ValueError, match=r"reference level given for 'fee', which is numeric"):
        sv.design_matrix(table, ["plan", "fee"], reference={"fee": "10"})


def test_refit_for_ph_keeps_the_reference_levels_of_the_fit():
    table = categorical_cox_table().assign(x=lambda d: np.random.default_rng(0).normal(size=len(d)))
    surv = sv.prepare(
        None, None, survival_table=table, covariates=["fee", "plan"], reference={"plan": "premium"}
    )
    fit = sv.cox_fit(surv.table, surv.covariates, reference=surv.reference)
    tests = sv.ph_test(fit)[0].assign(**{"chi-square": [50.0, 0.1, 0.1, 50.0]})  # 'fee' fails
    refit, sentence = sv.refit_for_ph(surv, fit, tests=tests)
    assert sentence.startswith("'fee' fails") and refit.params.index.tolist() == [
        "plan[basic vs premium]",
        "plan[standard vs premium]",
    ]


def test_categorical_cox_matches_lifelines_coefficients_and_standard_errors(lifelines_ref):
    fit = sv.cox_fit(categorical_cox_table(), ["plan", "fee"], reference=CATEGORICAL_REFERENCE)
    theirs = lifelines_ref["cox_categorical"]
    assert (
        sorted(theirs["params"])
        == sorted(fit.params.index)
        == sorted(["plan[basic vs standard]", "plan[premium vs standard]", "fee"])
    )
    se = pd.Series(np.sqrt(np.diag(fit.cov)), index=fit.params.index)
    for name in fit.params.index:
        assert fit.params[name] == pytest.approx(theirs["params"][name], abs=1e-6)
        assert se[name] == pytest.approx(theirs["se"][name], rel=1e-5)


def test_a_churn_threshold_shorter_than_the_30_day_window_drops_the_early_repeat_not_the_analysis():
    days = pd.date_range("2023-01-01", periods=60, freq="2D")
    tx = pd.DataFrame(
        {
            "customer_id": np.repeat([f"c{i}" for i in range(30)], 2),
            "date": np.concatenate([[days[i], days[i + 1 + i % 3]] for i in range(30)]),
            "amount": 10.0,
        }
    )
    data = sv.prepare(tx, 5)
    assert "repeat within 30 days" not in data.groups and "repeat within 30 days" not in data.covariates
    assert any("not longer than the 30-day window" in note for note in data.notes)
    table = sv.threshold_sensitivity(tx, [3, 5, 8])
    assert list(table.index) == [3, 5, 8]


def test_early_warning_list_holds_only_customers_who_can_churn_within_the_horizon():
    # long (a five-year log): 4 of the 12 at the top had a churn probability of 0 and padded the list
    tx, _ = data.load_cdnow_sample()
    surv = sv.prepare(tx, 283)
    every = sv.early_warning(tx, 283, horizon_days=90)
    can = every[every["P(churn in horizon)"] > 0]
    assert (every["P(churn in horizon)"] == 0).any()  # the raw layer keeps them
    short = sv.early_warning_list(surv, 90, top=len(can) + 5)
    assert len(short) == len(can) and (short["P(churn in horizon)"] > 0).all()
    assert sv.early_warning_list(surv, 90, top=3).index.tolist() == can.index[:3].tolist()


def test_early_warning_ranks_by_predicted_value_when_given():
    # the referee's case: a big past spender the model expects nothing from must not top the list
    tx, _ = data.load_cdnow_sample()
    past = sv.early_warning(tx, 283, horizon_days=90)
    can = past[past["P(churn in horizon)"] > 0]
    top, other = can.index[0], can.index[-1]
    future = pd.Series(0.0, index=can.index).drop(can.index[-2])  # one customer not covered: counts 0
    future[top], future[other] = 0.01, 500.0
    valued = sv.early_warning(tx, 283, horizon_days=90, future_value=future)
    assert "predicted value" in valued and valued.index[0] == other
    assert valued.loc[top, "predicted value"] == 0.01 and valued.loc[can.index[-2], "predicted value"] == 0
    assert valued.loc[other, "value at risk"] == pytest.approx(
        round(valued.loc[other, "P(churn in horizon)"] * 500, 2)
    )
    pd.testing.assert_series_equal(valued["annual spend"].sort_index(), past["annual spend"].sort_index())
    assert "predicted value" not in past


def test_early_warning_list_and_record_carry_the_predicted_value():
    tx, _ = data.load_cdnow_sample()
    surv = sv.prepare(tx, 283)
    predicted = clv.predicted_value(tx, model="BG/NBD", months=12)
    listed = sv.early_warning_list(surv, 90, top=5, predicted=predicted)
    assert (
        listed["value at risk"] == (listed["P(churn in horizon)"] * listed["predicted value"]).round(2)
    ).all()
    assert listed["value at risk"].is_monotonic_decreasing
    overall = sv.survival_summary(surv.table)
    figures = sv.headline_figures(
        surv, overall, hazard_table=None, logranks=pd.DataFrame(), warning=listed, predicted=predicted
    )
    assert figures["early-warning list: ranked by"] == "predicted value"
    assert (
        figures["early-warning list: value model"] == "BG/NBD"
        and figures["early-warning list: value months"] == 12
    )
    assert figures["early-warning list: value at risk"] == pytest.approx(listed["value at risk"].sum())
    # the fallback is named in the record
    failed = clv.PredictedValue(None, "Pareto/NBD", 12, "Pareto/NBD did not fit cleanly (no fit)")
    past = sv.early_warning_list(surv, 90, top=5, predicted=failed)
    assert "predicted value" not in past
    figures = sv.headline_figures(
        surv, overall, hazard_table=None, logranks=pd.DataFrame(), warning=past, predicted=failed
    )
    assert figures["early-warning list: ranked by"] == "annual spend"
    assert figures["early-warning list: no predicted value"] == failed.note


# ------------------------------------------------------------------ restricted mean, concordance, landmark
def test_restricted_mean_is_the_area_under_the_curve_with_the_standard_variance():
    # all churn at 1, 2, 3, 4: S = 1, .75, .5, .25 on the unit steps -> 2.5 days; uncensored, the variance
    # is that of min(T, 4) over n: (1.25) / 4
    r = sv.restricted_mean([1, 2, 3, 4], [1, 1, 1, 1], horizon=4)
    assert r["rmst"] == pytest.approx(2.5)
    assert r["se"] == pytest.approx(np.sqrt(1.25 / 4))
    assert r["lower"] == pytest.approx(2.5 - 1.959964 * np.sqrt(1.25 / 4), abs=1e-6)
    # 1 (churn), 2 (censored), 2 (churn), 5 (churn), 6 (censored), horizon 5: S = .8 after 1, .6 after 2,
    # .3 after 5 -> 1 + .8 + .6 x 3 = 3.6; variance 2.6^2/(5x4) + 1.8^2/(4x3) + 0 = .338 + .27
    r = sv.restricted_mean([1, 2, 2, 5, 6], [1, 0, 1, 1, 0], horizon=5)
    assert r["rmst"] == pytest.approx(3.6)
    assert r["se"] == pytest.approx(np.sqrt(0.338 + 0.27))
    assert r["note"] == ""


def test_restricted_mean_says_why_it_cannot_be_estimated():
    short = sv.restricted_mean([1, 2, 3], [1, 0, 1], horizon=10)
    assert (
        np.isnan(short["rmst"]) and "follow-up ends at 3 days, before the horizon of 10 days" in short["note"]
    )
    assert "no customers" in sv.restricted_mean([], [], horizon=5)["note"]
    none = sv.restricted_mean([5, 6], [0, 0], horizon=5)  # no churn: the whole horizon, no uncertainty
    assert none["rmst"] == 5 and none["se"] == 0 and "no churn events" in none["note"]


@pytest.mark.parametrize("name", ["cdnow_churn", "sample_gaps"])
def test_restricted_mean_matches_lifelines(lifelines_ref, cdnow_table, sample_gaps, name):
    frame = {"cdnow_churn": cdnow_table, "sample_gaps": sample_gaps}[name]
    for horizon, ref in lifelines_ref["km"][name]["rmst"].items():
        ours = sv.restricted_mean(frame["duration"], frame["churned"], horizon=float(horizon))
        assert ours["rmst"] == pytest.approx(ref["rmst"], rel=1e-9)


def test_restricted_mean_matches_lifelines_on_rossi_and_its_variance_without_censoring(lifelines_ref, rossi):
    for horizon, ref in lifelines_ref["rossi"]["rmst"].items():
        ours = sv.restricted_mean(rossi["duration"], rossi["churned"], horizon=float(horizon))
        assert ours["rmst"] == pytest.approx(ref["rmst"], rel=1e-9)
    # lifelines' variance is that of min(T, horizon) (integrated numerically); without censoring the
    # standard variance of the estimate is exactly that over n
    rng = np.random.default_rng(3)
    t = rng.integers(0, 50, 200).astype(float)
    ours = sv.restricted_mean(t, np.ones(200), horizon=24.0)
    assert ours["se"] ** 2 * 200 == pytest.approx(np.minimum(t, 24.0).var(), rel=1e-12)


def test_concordance_counts_comparable_pairs_by_hand():
    # churn at 1 (x 3), at 2 (x 1), censored at 2 (x 2), churn at 4 (x 0): comparable pairs (i churned
    # first): (1: 2, 2c, 4), (2: 2c, 4) = 5, the censored one at the same time counting as later.
    # With a positive coefficient (risk rises with x) the pair (2: x 1, 2c: x 2) is the only discordant one
    table = pd.DataFrame(
        {"duration": [1.0, 2, 2, 4], "churned": [1, 1, 0, 1], "entry": 0.0, "x": [3.0, 1, 2, 0]}
    )
    fit = sv.cox_fit(table, ["x"])
    assert fit.params["x"] > 0
    c = sv.concordance(fit)
    assert c["comparable pairs"] == 5 and c["concordant"] == 4 and c["concordance"] == pytest.approx(0.8)
    tied = sv.cox_fit(table.assign(x=[3.0, 1, 1, 0]), ["x"])  # the pair (2, 2c) now ties: half
    assert sv.concordance(tied)["concordance"] == pytest.approx(4.5 / 5)
    none = sv.concordance(sv.cox_fit(table, []))
    assert np.isnan(none["concordance"]) and none["note"].startswith("no model")


def test_concordance_of_a_stratified_model_compares_within_strata():
    table = pd.DataFrame(
        {
            "duration": [1.0, 2, 3, 4, 1, 2, 3, 4],
            "churned": [1, 1, 1, 0, 1, 1, 0, 1],
            "entry": 0.0,
            "x": [3.0, 2, 1, 0, 2, 3, 1, 0],
            "s": list("aaaabbbb"),
        }
    )
    fit = sv.cox_fit(table, ["x"], strata_col="s")
    assert fit.params["x"] > 0
    c = sv.concordance(fit)
    # stratum a: 3 + 2 + 1 pairs all concordant; b: (1: x2 vs 3, 1, 0) 2 of 3, (2: x3 vs 1, 0) 2 of 2
    assert c["comparable pairs"] == 11 and c["concordant"] == 10


def test_concordance_matches_lifelines_on_rossi(lifelines_ref, rossi):
    fit = sv.cox_fit(rossi, ROSSI_COVARIATES)
    assert sv.concordance(fit)["concordance"] == pytest.approx(
        lifelines_ref["rossi"]["concordance"], abs=1e-12
    )
    assert lifelines_ref["rossi"]["concordance"] == pytest.approx(
        lifelines_ref["rossi"]["concordance_fitter"]
    )


def test_model_concordance_table_has_a_row_per_model_and_a_note_for_a_missing_one(rossi):
    fit = sv.cox_fit(rossi, ROSSI_COVARIATES)
    table = sv.model_concordance({"full": fit, "none": None})
    assert list(table.index) == ["full", "none"]
    assert table.loc["full", "customers"] == len(rossi) and np.isnan(table.loc["none", "concordance"])
    assert table.loc["none", "note"] == "not fitted"


def _duration_data(table: pd.DataFrame, groups=(), tx=None) -> sv.SurvivalData:
    return sv.SurvivalData(table, tx, list(groups), [], None, None)


def test_rmst_table_gives_levels_and_their_difference_from_the_first():
    table = pd.DataFrame(
        {
            "duration": [1.0, 2, 3, 4, 4, 4, 4, 4],
            "churned": [1, 1, 1, 1, 0, 0, 0, 0],
            "entry": 0.0,
            "g": list("aaaabbbb"),
        }
    )
    out = sv.rmst_table(table, ["g"], horizon=4)
    assert out.loc[("g", "a"), "restricted mean (days)"] == 2.5
    assert out.loc[("g", "b"), "restricted mean (days)"] == 4.0  # nobody churns: the whole horizon
    row = out.loc[("g", "b")]
    half = 1.959964 * np.sqrt(1.25 / 4)
    assert row["against"] == "a" and row["difference (days)"] == 1.5
    assert row["difference lower 95%"] == round(1.5 - half, 1) and row["difference upper 95%"] == round(
        1.5 + half, 1
    )
    assert out.attrs["horizon"] == 4.0 and (out["up to (days)"] == 4.0).all()
    # level b followed up to 3 days only: the group is compared up to 3, the overall curve up to 4
    short = sv.rmst_table(table.assign(duration=[1.0, 2, 3, 4, 3, 3, 3, 3]), ["g"])
    assert short.loc[("all", "all"), "up to (days)"] == 4.0 and short.loc[("g", "a"), "up to (days)"] == 3.0
    assert short.loc[("g", "a"), "restricted mean (days)"] == 2.2  # 1 + .75 + .5 (rounded to 0.1)
    assert short.loc[("g", "b"), "difference (days)"] == 0.8  # 3 - 2.25
    note = short.loc[("g", "b"), "note"]
    assert note.startswith("up to 3 days, every level's longest follow-up, not 4; no churn")
    day0 = sv.rmst_table(table.assign(duration=[1.0, 2, 3, 4, 0, 0, 0, 0]), ["g"])
    assert day0.loc[("g", "b"), "note"] == "no follow-up beyond day 0 in every level: nothing to compare"
    assert day0[["restricted mean (days)", "difference (days)"]].loc["g"].isna().all().all()
    beyond = sv.rmst_table(table, [], horizon=10)
    assert beyond.loc[("all", "all"), "note"] == "up to 4 days, the data's longest follow-up, not 10"


def test_landmark_keeps_lives_beyond_it_and_counts_time_from_it():
    table = pd.DataFrame(
        {
            "duration": [10.0, 40, 50, 20, 35, 30],
            "churned": [1, 1, 0, 0, 1, 1],
            "entry": 0.0,
            "g": list("ababab"),
            "tenure": [400, 400, 400, 100, 400, 400],
        }
    )
    lm = sv.landmark(_duration_data(table, ["g"]), landmark_days=30)
    # beyond day 30: 40, 50, 35 (30 itself ends on the landmark day: not beyond it)
    assert lm.table["duration"].tolist() == [10.0, 20.0, 5.0]
    assert lm.table["tenure"].tolist() == [370, 370, 370]
    assert lm.notes[0].startswith("landmark at 30 days: 3 of 6 customers are active beyond day 30; 2 churned")
    assert "1 were censored by then" in lm.notes[0]
    assert lm.groups == ["g"]
    one_level = sv.landmark(_duration_data(table.assign(g=list("baabab")), ["g"]), landmark_days=30)
    assert one_level.groups == [] and "fewer than 2 levels at the landmark" in one_level.notes[1]
    referenced = replace(_duration_data(table.assign(g=list("baabab")), ["g"]), reference={"g": "b"})
    assert sv.landmark(referenced, landmark_days=30).reference == {}  # "b" no longer occurs
    with pytest.raises(ValueError, match="at least the 30-day window"):
        sv.landmark(_duration_data(table, tx=pd.DataFrame()), landmark_days=20)


def test_landmark_from_transactions_keeps_everyone_and_counts_from_the_last_early_purchase():
    # churn after 100 silent days, landmark 30; end 2024-12-31, so customers first seen by 2024-09-22
    tx = tx_frame(
        [
            ("a", "2024-01-01", 5.0),  # one purchase: churn starts day 0, visible on day 100
            ("b", "2024-01-01", 5.0),
            ("b", "2024-01-21", 5.0),  # repeat on day 20, then silence: churn visible 20 + 100
            ("c", "2024-01-01", 5.0),
            ("c", "2024-01-11", 5.0),
            ("c", "2024-03-01", 5.0),  # last early purchase day 10; churn starts day 60, visible day 160
            ("d", "2024-08-01", 5.0),
            ("d", "2024-10-01", 5.0),
            ("d", "2024-12-01", 5.0),  # censored: no 100-day silence seen by the end
            ("d", "2024-12-31", 5.0),
        ]
    )
    surv = sv.prepare(tx, 100)
    lm = sv.landmark(surv, landmark_days=30)
    assert len(lm.table) == len(surv.table) == 4 and lm.time_scale == "to visible churn"
    assert lm.table.loc["a", "duration"] == 100 and lm.table.loc["b", "duration"] == 100  # 120 - 20
    assert lm.table.loc["c", "duration"] == 150  # 60 + 100 - 10
    assert lm.table.loc["d", "duration"] == 152 and lm.table.loc["d", "churned"] == 0  # to the end
    assert (lm.table["entry"] == 0).all() and sv.longest_follow_up(lm) == lm.table["tenure"].max()
    assert lm.notes[0].startswith("landmark at 30 days: all 4 customers are at risk")
    days = sv.last_purchase_day(tx, surv.table["first_purchase"], 30)
    assert days.to_dict() == {"a": 0.0, "b": 20.0, "c": 10.0, "d": 0.0}


def test_landmark_on_cdnow_keeps_an_early_repeat_contrast_beyond_the_purchase_itself():
    # the old landmark (kept lives with a purchase after day 30, a future event) gave 59.8; counting from
    # the last early purchase to visible churn, with everyone at risk, gives 1,068
    cdnow_data = sv.prepare(data.load_cdnow()[0], 283)
    lm = sv.landmark(cdnow_data, landmark_days=30)
    assert len(lm.table) == len(cdnow_data.table)
    full = sv.logrank_table(cdnow_data.table, ["repeat within 30 days"]).loc["repeat within 30 days"]
    at = sv.logrank_table(lm.table, ["repeat within 30 days"]).loc["repeat within 30 days"]
    assert full["chi-square"] > at["chi-square"] and at["chi-square"] == pytest.approx(1068.03, abs=0.01)
    # a constant shift of every time changes no log-rank statistic: the visible-churn scale without the
    # per-customer start is the full analysis
    shifted = cdnow_data.table.assign(duration=cdnow_data.table["duration"] + 283)
    again = sv.logrank_table(shifted, ["repeat within 30 days"]).loc["repeat within 30 days"]
    assert again["chi-square"] == pytest.approx(full["chi-square"])


def test_headline_figures_record_the_restricted_mean_concordance_and_landmark(sample_data):
    overall = sv.survival_summary(sample_data.table, horizons=(90,))
    fit = sv.cox_fit(sample_data.table, sample_data.covariates, reference=sample_data.reference)
    rmst = sv.rmst_table(sample_data.table, sample_data.groups, horizon=200)
    lm = sv.landmark(sample_data, landmark_days=30)
    lm_fit = sv.cox_fit(lm.table, lm.covariates, reference=lm.reference)
    lm_logranks = sv.logrank_table(lm.table, lm.groups)
    figures = sv.headline_figures(
        sample_data,
        overall,
        hazard_table=sv.hazard_ratios(fit),
        logranks=sv.logrank_table(sample_data.table, sample_data.groups),
        warning=sv.early_warning_list(sample_data, top=5),
        rmst=rmst,
        concordances=sv.model_concordance({"full": fit, "landmark": lm_fit}),
        landmark_logranks=lm_logranks,
        landmark_hazards=sv.hazard_ratios(lm_fit),
        landmark_days=30,
    )
    assert figures["restricted mean horizon (days)"] == 200
    assert figures["restricted mean horizon, repeat within 30 days (days)"] <= 200
    assert figures["restricted mean active life (days)"] == rmst.loc[("all", "all"), "restricted mean (days)"]
    key = "restricted mean difference, repeat within 30 days: yes vs no (days)"
    assert figures[key] == rmst.loc[("repeat within 30 days", "yes"), "difference (days)"]
    assert figures[f"{key} lower 95%"] < figures[key] < figures[f"{key} upper 95%"]
    assert figures["concordance: full"] == round(sv.concordance(fit)["concordance"], 3)
    assert 0.5 < figures["concordance: landmark"] < 1
    assert figures["landmark (days)"] == 30
    chi = lm_logranks.loc["repeat within 30 days", "chi-square"]
    assert figures["landmark log-rank repeat within 30 days: chi-square"] == chi
    assert "landmark HR repeat within 30 days[yes vs no]" in figures


# ------------------------------------------------------------------ backtest of the early-warning list
def test_calibration_on_a_hand_computed_case():
    y, p = [1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1]
    table = sv.calibration_by_decile(y, p, bins=2)
    assert table["customers"].tolist() == [2, 2]
    assert table["mean predicted"].tolist() == pytest.approx([0.25, 0.85])
    assert table["observed share"].tolist() == pytest.approx([0.5, 0.5])
    assert table["gap"].tolist() == pytest.approx([0.25, -0.35])


def _backtest_log(extra=()):
    """Churn after 100 days, horizon 50, cutoff 2024-06-30 (the end 2024-08-19 minus 50 days). Background
    customers with two purchases 20-140 days apart, all churned by the cutoff, give the curve; A-D bought
    once, 60 days before the cutoff (same probability): A buys 10 days after the cutoff (not churned), B
    never (churned on day 40 after), C on day 45 (after the churn day: churned), D on day 40 exactly (a gap
    of 100 days counts as churn)."""
    rows = []
    for i, gap in enumerate([20, 40, 60, 80, 110, 120, 130, 140] * 3):
        rows += [
            (f"bg{i}", "2023-01-01", 10.0),
            (f"bg{i}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=gap), 10.0),
        ]
    first = pd.Timestamp("2024-06-30") - pd.Timedelta(days=60)
    rows += [(c, first, 20.0) for c in "ABCD"]
    after = {"A": 10, "C": 45, "D": 40}
    rows += [(c, pd.Timestamp("2024-06-30") + pd.Timedelta(days=d), 20.0) for c, d in after.items()]
    rows += [("E", "2024-08-19", 5.0), *extra]  # E fixes the end of the data
    return tx_frame(rows)


def test_backtest_observes_who_churned_within_the_horizon():
    tx = _backtest_log()
    calibration, scores = sv.backtest_warning(tx, 100, horizon_days=50)
    row = scores.iloc[0]
    assert scores.index[0] == "2024-06-30"
    assert row["customers"] == 4 and row["churned"] == 3  # B, C and D churned, A bought in time
    expected = sv.early_warning(
        tx[tx["date"] <= "2024-06-30"], 100, horizon_days=50, observation_end="2024-06-30"
    )
    p = float(expected.loc["A", "P(churn in horizon)"])
    assert 0 < p < 1
    assert row["mean predicted"] == pytest.approx(p, abs=1e-3)
    assert row["observed share"] == pytest.approx(0.75)
    assert row["Brier"] == pytest.approx((3 * (1 - p) ** 2 + p**2) / 4, abs=1e-3)
    assert row["Brier of a constant"] == pytest.approx(0.75 * 0.25, abs=1e-3)
    assert row["AUC"] == pytest.approx(0.5)  # one probability for all four: every pair a tie
    assert row["Brier gain"] == pytest.approx(row["Brier of a constant"] - row["Brier"], abs=2e-3)
    assert row["Brier gain lower"] <= row["Brier gain"] <= row["Brier gain upper"]
    assert calibration["customers"].sum() == 4
    assert "note" in scores and "fewer than" in scores["note"].iloc[0]  # 4 < MIN_BACKTEST_CUSTOMERS


def test_backtest_has_no_look_ahead():
    """Purchases after the cutoff change the outcome, never the prediction."""
    base = sv.backtest_warning(_backtest_log(), 100, horizon_days=50)[1].iloc[0]
    more = [(f"late{i}", "2024-07-05", 1.0) for i in range(5)] + [("B", "2024-07-02", 9.0)]
    moved = sv.backtest_warning(_backtest_log(more), 100, horizon_days=50)[1].iloc[0]
    assert moved["mean predicted"] == base["mean predicted"] and moved["customers"] == 4
    assert moved["churned"] == 2  # B now bought within the horizon


def test_backtest_thin_data_gives_notes():
    assert "note" in sv.backtest_warning(None, 100)[1]  # a duration table
    tx = tx_frame([("a", "2024-01-01", 1.0), ("a", "2024-01-20", 1.0)])
    calibration, scores = sv.backtest_warning(tx, 100, horizon_days=50)
    assert scores.iloc[0]["customers"] == 0 and "nothing" in scores["note"].iloc[0]
    assert calibration.empty
    _, early = sv.backtest_warning(tx, 100, horizon_days=50, cutoff="2023-06-01")  # before the data
    assert "no purchase up to the cutoff" in early["note"].iloc[0]
