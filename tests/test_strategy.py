"""lifecycle_utils.strategy: policy arithmetic by hand, experiment analysis against statsmodels called
directly, and coverage of the simulated truth over many seeds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.proportion import test_proportions_2indep as sm_test_2indep

from lifecycle_utils import strategy as st

ARMS = {"control": 0.05, "plain notice": 0.07, "notice + incentive": 0.11}
SEGMENTS = {"silent": 0.5, "churned": 0.5}
LIFT = {"silent": 1.5, "churned": 0.5}
DESIGN = st.plan_design(None, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3)


@pytest.fixture
def customers():
    return st.customer_table(
        stage=pd.Series(["silent", "silent", "churned", "mature"], index=list("abcd")),
        clv=pd.Series([100.0, 50.0, 200.0, 80.0], index=list("abcd")),
        p_alive=pd.Series([0.5, 0.2, 0.1, 0.9], index=list("abcd")),
        spend=pd.Series([10.0, 20.0, 30.0, 40.0], index=list("abcd")),
    )


def estimate(uplifts: dict, draws: dict | None = None, arm: str = "notice") -> st.UpliftEstimate:
    """A hand-made test result: relative uplift per segment (and over all segments) with its draws."""
    draws = draws or {k: [v] for k, v in uplifts.items()}
    table = pd.DataFrame(
        {
            "uplift": list(uplifts.values()),
            "lower": [min(draws[k]) for k in uplifts],
            "upper": [max(draws[k]) for k in uplifts],
        },
        index=pd.Index(list(uplifts), name="segment"),
    )
    return st.UpliftEstimate(table, pd.DataFrame(draws), arm, "revenue", 0.95)


def test_strategy_matrix_has_no_clv_at_risk_which_would_count_p_alive_twice(customers):
    table = st.strategy_matrix(customers, "stage", st.STAGE_PLAYS)
    assert table.loc["silent", "customers"] == 2 and table.loc["silent", "CLV at stake"] == 150
    assert table.loc["silent", "mean P(inactive)"] == 0.65  # (0.5 + 0.8) / 2
    assert "CLV at risk" not in table
    assert table["revenue (%)"].sum() == pytest.approx(100)
    assert table.loc["churned", "KPI"].startswith("share returning")


def test_contact_value_is_uplift_times_future_margin_minus_the_cost_per_contact(customers):
    per_contact = st.cost_per_contact(contact_cost=1, incentive_cost=2, redemption_rate=0.5)
    assert per_contact == 2.0  # 1 + 2 x 0.5
    value = st.contact_value(customers, {"silent": 0.1, "churned": 0.05}, per_contact=per_contact)
    assert value.tolist() == [8.0, 3.0, 8.0, -2.0]  # 0.1 x 100 - 2, 0.1 x 50 - 2, 0.05 x 200 - 2, 0 - 2
    per_customer = pd.Series([0.5, 0.0, 0.0, 0.0], index=customers.index)
    assert st.contact_value(customers, per_customer, per_contact=1).tolist() == [49.0, -1.0, -1.0, -1.0]
    with pytest.raises(ValueError, match="cost per contact must be positive"):
        st.cost_per_contact(contact_cost=0, incentive_cost=0, redemption_rate=0.3)


def test_policies_rank_at_the_assumed_uplifts_and_are_scored_on_the_measured_ones_by_hand(customers):
    # a contact costs 2; a budget of 5 buys 2 contacts
    args = dict(
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1, "churned": 0.05},
    )
    draws = {"silent": [0.0, 0.02, 0.04, -0.6], "churned": [0.3] * 4, st.ALL_SEGMENTS: [0.1] * 4}
    scoring = estimate({"silent": 0.02, "churned": 0.3, st.ALL_SEGMENTS: 0.1}, draws)
    rule = pd.Series([True, False, False, True], index=list("abcd"))
    table = st.compare_policies(customers, 5, **args, scoring=scoring, rule=rule, alpha=0.5)
    assert (table["contacted"] == 2).all() and (table["cost"] == 4.0).all()
    # contact values 8, 3, 8, -2: a and c; scored 0.02 x 100 + 0.3 x 200 - 4 = 58
    best = table.loc["highest contact value"]
    assert best["future margin contacted"] == 300.0 and best["incremental profit"] == 58.0
    assert best["break-even uplift"] == round(4 / 300, 4)
    # the draws give 56, 58, 60 and -4: quartiles (alpha 0.5) 41.0 and 58.5, one loss in four
    assert (best["profit lower"], best["profit upper"], best["loss share"]) == (41.0, 58.5, 0.25)
    assert table.loc["lowest P(alive)", "incremental profit"] == 57.0  # c and b: 60 + 1 - 4
    assert table.loc["RFM rule", "incremental profit"] == 6.0  # a and d (mature: all segments) 2 + 8 - 4
    assert table.loc["highest future margin", "incremental profit"] == 58.0  # c then a
    # paired with the best, the first list at 58 (random, seed 0, drew a and c too: resamples 56, 58, 60,
    # -4): lowest P(alive) resamples 56, 57, 58, 26, differences 0, -1, -2, 30: quartiles -1.25 and 7.5
    assert table.loc["random", "incremental profit"] == 58.0
    low_p = table.loc["lowest P(alive)"]
    assert (low_p["vs best lower"], low_p["vs best upper"]) == (-1.25, 7.5)
    assert table.loc["random", ["vs best lower", "vs best upper"]].isna().all()
    assert table.loc["highest future margin", ["vs best lower", "vs best upper"]].tolist() == [0.0, 0.0]
    assert table.attrs["scored on"] == "notice" and table.attrs["cost per contact"] == 2.0


def test_a_policy_ranked_by_the_assumed_uplifts_can_lose_when_scored_on_the_measured_ones(customers):
    """The old comparison scored every policy on its own ranking key, so 'value at risk' had to win. Here
    the assumption favours silent customers and the test finds the effect among churned ones: the value
    policies lose to 'lowest P(alive)', and customers outside the stages are never contacted."""
    args = dict(
        contact_cost=1, incentive_cost=0, redemption_rate=0, uplift_by_stage={"silent": 0.5, "churned": 0.004}
    )
    scoring = estimate({"silent": 0.0, "churned": 0.5, st.ALL_SEGMENTS: 0.25})
    table = st.compare_policies(customers, 1, **args, scoring=scoring, stages=["silent", "churned"])
    assert table.loc["highest contact value", "incremental profit"] == -1.0  # a: 0 x 100 - 1
    assert table.loc["contact value, only where it pays", "incremental profit"] == -1.0
    assert table.loc["lowest P(alive)", "incremental profit"] == 99.0  # c: 0.5 x 200 - 1
    assert "RFM rule" not in table.index  # no rule given
    every = st.compare_policies(customers, 100, **args, scoring=scoring, stages=["silent", "churned"])
    assert (every.drop(index="contact value, only where it pays")["contacted"] == 3).all()  # never d
    assert every.loc["contact value, only where it pays", "contacted"] == 2  # c: 0.004 x 200 < 1


def test_without_a_test_the_lists_are_not_scored_on_their_own_ranking_key(customers):
    args = dict(contact_cost=1, incentive_cost=0, redemption_rate=0, uplift_by_stage={"silent": 0.1})
    table = st.compare_policies(customers, 2, **args, scoring=None)
    assert table["incremental profit"].isna().all() and table.attrs["scored on"] is None
    assert table[st.NOTE].str.startswith("not scored: no test measured the uplift").all()
    assert (table["contacted"] == 2).all() and table.loc[
        "highest future margin", "future margin contacted"
    ] == 300


def test_stage_uplifts_show_the_break_even_uplift_and_where_the_measured_uplift_comes_from(customers):
    scoring = estimate({"silent": 0.2, st.ALL_SEGMENTS: 0.1})
    table = st.stage_uplifts(customers, {"silent": 0.03, "churned": 0.02}, per_contact=2.0, measured=scoring)
    assert table.loc["silent", "future margin per customer"] == 75.0
    assert table.loc["silent", "break-even uplift"] == round(2 / 75, 4)
    assert table.loc["silent", "contacts that pay at the assumed uplift"] == 1  # 0.03 x 100 > 2 > 0.03 x 50
    assert table.loc["churned", "contacts that pay at the assumed uplift"] == 1  # 0.02 x 200 = 4 > 2
    assert table.loc["mature", "contacts that pay at the assumed uplift"] == 0  # no assumed uplift
    assert (
        table.loc["silent", "measured on"] == "silent"
        and table.loc["churned", "measured on"] == st.ALL_SEGMENTS
    )
    assert table.loc["churned", "measured uplift"] == 0.1 and table.loc["silent", "cost per contact"] == 2.0
    empty = st.stage_uplifts(customers, {}, per_contact=2.0, stages=["new"])
    assert empty.loc["new", "customers"] == 0 and empty.loc["new", st.NOTE] == "no customer in this stage"


def test_the_play_matrix_gives_silent_and_churned_customers_their_stage_play():
    from lifecycle_utils import rfm

    values = pd.DataFrame(
        {"recency": [5.0, 300.0, 10.0, 400.0], "frequency": [9, 9, 1, 1], "monetary": [90.0, 90.0, 5.0, 5.0]},
        index=pd.Index(list("abcd"), name="customer_id"),
    )
    classes = rfm.value_matrix(values)[0]
    stage = pd.Series(["mature", "churned", "growing", "churned"], index=list("abcd"))
    customers = st.customer_table(
        stage=stage,
        clv=pd.Series([10.0, 1.0, 2.0, 3.0], index=list("abcd")),
        p_alive=pd.Series(0.5, index=list("abcd")),
    )
    table = st.play_matrix(customers, rfm.plays_by_stage(classes, stage))
    churned = table.xs("churned", level="stage")
    assert churned["stage play"].all() and set(churned["play"]) == set(
        rfm.STAGE_PLAYS.loc[rfm.STAGE_PLAYS["stage"] == "churned", "play"]
    )
    own = rfm.VALUE_CLASSES.set_index("class")["play"]
    active = table[~table["stage play"]].reset_index()
    assert (active["play"] == active["class"].astype(str).map(own)).all() and len(active) == 2
    assert table["customers"].sum() == 4 and table["CLV at stake"].sum() == 16.0


def test_compare_arms_matches_statsmodels_called_directly():
    table, _ = st.simulate_experiment(3000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=3)
    ours = st.compare_arms(table, "control")
    c = table[table["arm"] == "control"]
    for arm in ["plain notice", "notice + incentive"]:
        t = table[table["arm"] == arm]
        args = (int(t["converted"].sum()), len(t), int(c["converted"].sum()), len(c))
        lo, hi = confint_proportions_2indep(*args, method="newcomb", compare="diff")
        test = sm_test_2indep(*args, method="score", compare="diff")
        assert ours.loc[arm, "difference lower"] == pytest.approx(lo, abs=1e-4)
        assert ours.loc[arm, "difference upper"] == pytest.approx(hi, abs=1e-4)
        assert ours.loc[arm, "p-value"] == pytest.approx(test.pvalue, abs=1e-4)
    raw = ours["p-value"].sort_values()
    assert ours.loc[raw.index[0], "p-value (Holm)"] == pytest.approx(min(1, 2 * raw.iloc[0]), abs=1e-4)
    with pytest.raises(ValueError, match="control arm 'nobody'"):
        st.compare_arms(table, "nobody")


def test_intervals_cover_the_simulated_truth_in_most_runs():
    covered, runs = 0, 150
    for seed in range(runs):
        table, truth = st.simulate_experiment(
            1000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=seed
        )
        check = st.truth_vs_estimate(st.compare_arms(table, "control"), truth, "control")
        covered += int(check["interval covers truth"].sum())
    rate = covered / (2 * runs)
    assert 0.91 <= rate <= 0.99  # nominal 95%


def test_arm_summary_and_profit_by_hand():
    table = pd.DataFrame(
        {
            "arm": ["c"] * 4 + ["t"] * 4,
            "converted": [0, 0, 0, 1, 1, 1, 0, 0],
            "revenue": [0, 0, 0, 40.0, 40.0, 60.0, 0, 0],
            "segment": "all",
        }
    )
    summary = st.arm_summary(table)
    assert summary.loc["t", "response rate"] == 0.5 and summary.loc["c", "revenue per customer"] == 10.0
    profit = st.incremental_profit(table, "c", margin=0.5, contact_cost={"t": 1.0}, incentive_cost={"t": 4.0})
    # revenue lift 25 - 10 = 15, x 0.5 = 7.5; contact 1; incentive 4 x 0.5 = 2
    columns = [
        "incremental margin",
        "contact cost",
        "incentive cost",
        "net incremental profit",
        "net per 1,000 customers",
        "break-even incentive per conversion",
    ]
    assert profit.loc["t", columns].tolist() == [
        7.5,
        1.0,
        2.0,
        4.5,
        4500.0,
        13.0,
    ]  # break-even: (7.5 - 1) / 0.5
    assert profit.loc["t", "net per 1,000 lower"] < 4500.0 < profit.loc["t", "net per 1,000 upper"]
    assert 0 < profit.loc["t", "loss share"] < 0.5
    # the Welch interval of the revenue difference per customer (as compare_arms) beside the point estimate
    welch = stats.ttest_ind(table.loc[4:, "revenue"], table.loc[:3, "revenue"], equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert profit.loc["t", "revenue lower"] == pytest.approx(low, abs=1e-3)
    assert profit.loc["t", "revenue upper"] == pytest.approx(high, abs=1e-3)
    assert np.isnan(profit.loc["c", "revenue lower"])
    narrow = st.incremental_profit(
        table, "c", margin=0.5, contact_cost={"t": 1.0}, incentive_cost={"t": 4.0}, alpha=0.5
    )
    assert narrow.loc["t", "revenue upper"] - narrow.loc["t", "revenue lower"] < high - low
    assert st.NOTE not in profit  # every arm has its costs: nothing to say


def test_an_arm_without_a_contact_cost_is_costed_at_0_and_says_so():
    table = pd.DataFrame({"arm": list("cctt"), "converted": [0, 1, 1, 1], "revenue": [0, 10.0, 10, 20]})
    profit = st.incremental_profit(table, "c", margin=0.5, contact_cost={}, incentive_cost={}, n_boot=50)
    assert profit.loc["t", "contact cost"] == 0.0 and profit.loc["t", "net incremental profit"] == 5.0
    said = "no contact cost given for this arm (ARM_CONTACT_COST): the profit is before it"
    assert profit.loc["t", st.NOTE] == said
    assert profit.loc["c", st.NOTE] == ""  # the control is the baseline, not a contact


def test_sample_size_and_power():
    n = st.sample_size(0.05, 0.07)
    assert 2100 < n < 2300
    curve = st.power_curve(0.05, [0.02], n_per_arm=n)
    assert curve["power"].iloc[0] == pytest.approx(0.8, abs=0.01)
    with pytest.raises(ValueError, match="equal"):
        st.sample_size(0.05, 0.05)


def test_heterogeneity_finds_the_simulated_interaction():
    table, truth = st.simulate_experiment(6000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=1)
    per_segment, test = st.heterogeneity(table, "control")
    assert test["df"] == 2 and test["p-value"] < 0.05
    silent = per_segment.loc[("silent", "notice + incentive")]
    assert silent["lower"] <= truth.loc["notice + incentive", "silent"] - 0.05 <= silent["upper"]


def test_load_experiment_maps_columns_and_checks_values(tmp_path):
    frame = pd.DataFrame(
        {
            "group": ["A", "B", "A"],
            "won_back": ["yes", "no", "yes"],
            "sales": [10, 0, 5],
            "tier": ["x", "y", "x"],
        }
    )
    out = st.load_experiment(
        frame, "group", converted_col="won_back", revenue_col="sales", segment_col="tier"
    )
    assert out.columns.tolist() == ["arm", "converted", "revenue", "segment"] and out[
        "converted"
    ].tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="column 'won_back': 1 of 3 rows are not 0/1"):
        st.load_experiment(frame.assign(won_back=["yes", "maybe", "no"]), "group", converted_col="won_back")
    with pytest.raises(ValueError, match="has 1 arm"):
        st.load_experiment(frame.assign(group="A"), "group", converted_col="won_back")
    with pytest.raises(ValueError, match="missing column"):
        st.load_experiment(frame, "arm", converted_col="won_back")


def test_headline(customers):
    table, _ = st.simulate_experiment(2000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=2)
    comparison = st.compare_arms(table, "control")
    profit = st.incremental_profit(
        table, "control", margin=0.3, contact_cost={}, incentive_cost={"notice + incentive": 10.0}, n_boot=200
    )
    scoring = estimate({"silent": 0.02, "churned": 0.3, st.ALL_SEGMENTS: 0.1})
    policies = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1, "churned": 0.05},
        scoring=scoring,
    )
    facts = st.headline_figures(policies, comparison, profit=profit, design=DESIGN)
    assert facts["its incremental profit"] == policies["incremental profit"].max() == 58.0
    assert facts["targeting scored on"] == "notice"
    assert facts["most profitable arm"] in {"plain notice", "notice + incentive"}


def test_experiment_input_simulates_or_loads(tmp_path):
    table, truth = st.experiment_input(
        None,
        "arm",
        converted_col="converted",
        revenue_col="revenue",
        segment_col=None,
        n_per_arm=500,
        arms=ARMS,
        segment_shares=SEGMENTS,
        segment_lift=LIFT,
        seed=1,
    )
    assert len(table) == 1500 and truth is not None
    path = tmp_path / "campaign.csv"
    table.rename(columns={"arm": "group", "converted": "won"}).to_csv(path, index=False)
    loaded, none = st.experiment_input(
        str(path),
        "group",
        converted_col="won",
        revenue_col="revenue",
        segment_col="segment",
        n_per_arm=0,
        arms={},
        segment_shares={},
        segment_lift={},
    )
    assert none is None and len(loaded) == 1500
    assert (
        st.truth_vs_estimate(st.compare_arms(loaded, "control"), None, "control")["note"]
        .iloc[0]
        .startswith("real")
    )


def test_segment_profit_and_missing_segment():
    table, _ = st.simulate_experiment(1000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=4)
    silent = st.segment_profit(
        table,
        "silent",
        control="control",
        margin=0.3,
        contact_cost={},
        incentive_cost={"notice + incentive": 10.0},
    )
    direct = st.incremental_profit(
        table[table["segment"] == "silent"],
        "control",
        margin=0.3,
        contact_cost={},
        incentive_cost={"notice + incentive": 10.0},
    )
    pd.testing.assert_frame_equal(silent, direct)
    assert (
        st.segment_profit(table, "vip", control="control", margin=0.3, contact_cost={}, incentive_cost={})[
            "note"
        ]
        .iloc[0]
        .startswith("segment 'vip'")
    )


# ------------------------------------------------------------------ real campaign tables, thin data
def _campaign(
    rates: dict[str, float], n: int, segments: dict[str, float] | None = None, seed: int = 0
) -> pd.DataFrame:
    """A campaign table as users export it: one row per customer with arm, converted (0/1) and spend."""
    rng = np.random.default_rng(seed)
    arm = rng.choice(list(rates), n)
    converted = (rng.random(n) < pd.Series(arm).map(rates).to_numpy()).astype(int)
    frame = pd.DataFrame(
        {
            "arm": arm,
            "converted": converted,
            "spend": np.where(converted == 1, rng.gamma(2.0, 50.0, n).round(2), 0.0),
        }
    )
    if segments:
        frame["segment"] = rng.choice(list(segments), n, p=list(segments.values()))
    return frame


HILLSTROM = {"Mens E-Mail": 0.0125, "Womens E-Mail": 0.0088, "No E-Mail": 0.0057}  # the public e-mail test


def test_heterogeneity_without_a_segment_column_returns_an_empty_table_and_says_it_needs_one():
    table = st.load_experiment(
        _campaign(HILLSTROM, 64_000, seed=7),
        "arm",
        converted_col="converted",
        revenue_col="spend",
        segment_col=None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_segment, test = st.heterogeneity(table, "No E-Mail")
    assert per_segment.empty and per_segment.index.names == ["segment", "arm"]
    assert per_segment.columns.tolist() == ["customers", "risk difference", "lower", "upper"]
    assert test.name == "arm x segment interaction"
    assert test[st.NOTE] == st.NO_SEGMENT_NOTE == "no segment column: heterogeneity needs one"
    assert np.isnan(test["p-value"]) and test["df"] == 0
    one = table.assign(segment="vip")
    note = st.heterogeneity(one, "No E-Mail")[1][st.NOTE]
    assert note == "one segment only ('vip'): heterogeneity needs two or more"


def test_heterogeneity_when_the_segment_column_holds_the_arms_says_so_instead_of_a_singular_matrix():
    # Hillstrom names its arm column "segment", the notebook's default SEGMENT_COL: arm and segment coincide
    frame = _campaign(HILLSTROM, 64_000, seed=7).rename(columns={"arm": "segment"})
    table = st.load_experiment(
        frame, "segment", converted_col="converted", revenue_col="spend", segment_col="segment"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_segment, test = st.heterogeneity(table, "No E-Mail")
    assert "is the segment column the arm column?" in test["note"] and np.isnan(test["p-value"])
    assert "could not be estimated" in test["note"]
    assert per_segment["risk difference"].isna().all()
    assert per_segment[st.NOTE].str.contains("no 'No E-Mail' customers in this segment").all()


def test_heterogeneity_with_a_segment_where_the_control_converted_nobody_reports_separation_in_words():
    frame = _campaign({"control": 0.05, "offer": 0.08}, 1600, {"big": 0.95, "tiny": 0.05}, seed=33)
    tiny_control = (frame["segment"] == "tiny") & (frame["arm"] == "control")
    frame.loc[tiny_control, ["converted", "spend"]] = 0
    table = st.load_experiment(
        frame, "arm", converted_col="converted", revenue_col="spend", segment_col="segment"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning or LinAlgError from the interaction model
        per_segment, test = st.heterogeneity(table, "control")
    assert test["note"].startswith("separation: in segment 'tiny' arm 'control' converted nobody (0 of ")
    assert test["df"] == 1 and np.isfinite(test["likelihood-ratio chi-square"]) and 0 < test["p-value"] <= 1
    tiny = per_segment.loc[("tiny", "offer")]
    assert np.isfinite([tiny["lower"], tiny["upper"]]).all()
    assert tiny["lower"] < tiny["risk difference"] < tiny["upper"]


def test_heterogeneity_leaves_out_a_segment_where_nobody_converted_and_says_when_nothing_is_left():
    frame = _campaign({"control": 0.05, "offer": 0.08}, 3000, {"a": 0.45, "b": 0.45, "dead": 0.1}, seed=5)
    frame.loc[frame["segment"] == "dead", ["converted", "spend"]] = 0
    table = st.load_experiment(
        frame, "arm", converted_col="converted", revenue_col="spend", segment_col="segment"
    )
    _, test = st.heterogeneity(table, "control")
    assert "left out: 'dead'" in test["note"] and test["df"] == 1 and np.isfinite(test["p-value"])
    two = table[table["segment"] != "a"]
    _, test = st.heterogeneity(two, "control")
    assert "the interaction model could not be estimated" in test["note"] and np.isnan(test["p-value"])


def test_the_separation_fallback_equals_the_logistic_fit_where_both_can_be_estimated():
    table, _ = st.simulate_experiment(6000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=1)
    _, fitted = st.heterogeneity(table, "control")
    lr, df, why = st.experiments._interaction_deviance(table)
    assert why == "" and df == fitted["df"]
    assert round(lr, 3) == pytest.approx(fitted["likelihood-ratio chi-square"])
    assert st.NOTE not in fitted.index  # the usual case keeps its shape


def test_load_experiment_refuses_a_single_arm_naming_the_column_and_the_arm():
    frame = pd.DataFrame({"cell": ["mail"] * 4, "won": [0, 1, 0, 0]})
    with pytest.raises(ValueError, match=r"column 'cell' has 1 arm\(s\) \('mail'\).*not an experiment"):
        st.load_experiment(frame, "cell", converted_col="won")


def test_a_missing_control_arm_is_refused_naming_the_arm_column_the_arms_found_and_the_control_asked_for():
    frame = _campaign(HILLSTROM, 600, seed=1).rename(columns={"arm": "segment"})
    with pytest.raises(
        ValueError,
        match=r"column 'segment': the control arm 'control' is not among the 3 "
        r"arms found \(.*'No E-Mail'",
    ):
        st.load_experiment(
            frame, "segment", converted_col="converted", revenue_col="spend", control="control"
        )
    table = st.load_experiment(frame, "segment", converted_col="converted", revenue_col="spend")
    for analysis in (st.compare_arms, st.heterogeneity):
        with pytest.raises(
            ValueError,
            match=r"control arm 'control' is not among the 3 arm\(s\) in column "
            r"'segment': .*'Womens E-Mail'",
        ):
            analysis(table, "control")
    with pytest.raises(ValueError, match=r"control arm 'control' is not among the 3 arm\(s\) in column"):
        st.incremental_profit(table, "control", margin=0.3, contact_cost={}, incentive_cost={})
    only = table[table["arm"] == "No E-Mail"]
    with pytest.raises(ValueError, match=r"column 'segment' has 1 arm \('No E-Mail', the control asked"):
        st.compare_arms(only, "No E-Mail")


def test_an_arm_that_converted_nobody_keeps_finite_intervals_without_warnings():
    table = pd.DataFrame(
        {
            "arm": ["c"] * 200 + ["t"] * 200,
            "converted": [0] * 200 + [1] * 10 + [0] * 190,
            "revenue": [0.0] * 200 + [20.0] * 10 + [0.0] * 190,
            "segment": "all",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # statsmodels divides by the control's zero rate for unused ratios
        out = st.compare_arms(table, "c")
        summary = st.arm_summary(table)
    row = out.loc["t"]
    assert row["rate difference"] == 0.05 and 0 < row["difference lower"] < 0.05 < row["difference upper"] < 1
    assert np.isfinite(row["z"]) and row["p-value"] < 0.01 and st.NOTE not in out
    assert summary.loc["c", "rate lower"] == 0 and 0 < summary.loc["c", "rate upper"] < 0.03  # Wilson 0/200


def test_compare_arms_when_nobody_converted_in_either_arm_says_the_test_has_no_information():
    table = pd.DataFrame(
        {
            "arm": ["c"] * 100 + ["t"] * 100 + ["u"] * 100,
            "converted": [0] * 200 + [1] * 5 + [0] * 95,
            "revenue": 0.0,
            "segment": "all",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = st.compare_arms(table, "c")
    t = out.loc["t"]
    assert t["rate difference"] == 0 and -0.05 < t["difference lower"] < 0 < t["difference upper"] < 0.05
    assert np.isnan(t["z"]) and t["p-value"] == 1 and t["p-value (Holm)"] == 1
    assert t[st.NOTE].startswith("nobody converted in either arm: the test has no information")
    assert not out["p-value (Holm)"].isna().any()


def test_four_arms_with_and_without_segments_compare_three_arms_with_holm():
    rates = {"none": 0.04, "notice": 0.05, "coupon": 0.07, "call": 0.09}
    frame = _campaign(rates, 8000, {"silent": 0.5, "churned": 0.5}, seed=32)
    for segment_col in ("segment", None):
        table = st.load_experiment(
            frame, "arm", converted_col="converted", revenue_col="spend", segment_col=segment_col
        )
        out = st.compare_arms(table, "none")
        assert sorted(out.index) == ["call", "coupon", "notice"]
        raw = out["p-value"].sort_values()
        assert out.loc[raw.index[0], "p-value (Holm)"] == pytest.approx(min(1, 3 * raw.iloc[0]), abs=1e-4)
        second = min(1, max(3 * raw.iloc[0], 2 * raw.iloc[1]))  # Holm: step-down, kept monotone
        assert out.loc[raw.index[1], "p-value (Holm)"] == pytest.approx(second, abs=1e-4)
        per_segment, test = st.heterogeneity(table, "none")
        if segment_col:
            assert test["df"] == 3 and st.NOTE not in test.index and len(per_segment) == 6
        else:
            assert per_segment.empty and test[st.NOTE] == st.NO_SEGMENT_NOTE
        profit = st.incremental_profit(
            table, "none", margin=0.3, contact_cost={"call": 2.0}, incentive_cost={"coupon": 5.0}
        )
        assert profit.index[0] == "none" and len(profit) == 4


@pytest.mark.parametrize(
    "yes, no",
    [
        (1, 0),
        ("1", "0"),
        (True, False),
        ("true", "false"),
        ("TRUE", "False"),
        ("yes", "no"),
        ("Yes", "NO"),
        (" yes ", "no"),
        (1.0, 0.0),
    ],
)
def test_load_experiment_reads_converted_as_0_1_true_false_or_yes_no_in_any_case(yes, no):
    frame = pd.DataFrame({"arm": ["a", "a", "b", "b"], "won": [yes, no, no, yes]})
    assert st.load_experiment(frame, "arm", converted_col="won")["converted"].tolist() == [1, 0, 0, 1]


def test_load_experiment_refuses_bad_revenue_and_missing_arms_naming_column_count_and_examples():
    frame = pd.DataFrame(
        {
            "arm": ["a", "a", "b", "b", "b"],
            "won": [1, 0, 0, 1, 0],
            "sales": ["10", "abc", "-3", "5", "x"],
            "tier": ["p", "q", None, "p", "q"],
        }
    )
    with pytest.raises(
        ValueError,
        match=r"column 'sales': 3 of 5 rows are not a revenue of 0 or more: "
        r"2 not numbers \(e.g. 'abc', 'x'\); 1 negative \(e.g. '-3'\)",
    ):
        st.load_experiment(frame, "arm", converted_col="won", revenue_col="sales")
    with pytest.raises(ValueError, match=r"column 'sales': 1 of 5 rows .*1 missing"):
        st.load_experiment(
            frame.assign(sales=[1.0, None, 0, 0, 2]), "arm", converted_col="won", revenue_col="sales"
        )
    with pytest.raises(ValueError, match=r"column 'arm': 2 of 5 rows have no arm \(e.g. rows 1, 4\)"):
        st.load_experiment(frame.assign(arm=["a", None, "b", "b", None]), "arm", converted_col="won")
    with pytest.raises(ValueError, match=r"column 'tier': 1 of 5 rows have no segment \(e.g. rows 2\)"):
        st.load_experiment(frame, "arm", converted_col="won", segment_col="tier")
    out = st.load_experiment(
        frame.assign(sales=[1, 0, 0, 2.5, 0]), "arm", converted_col="won", revenue_col="sales"
    )
    assert out["revenue"].tolist() == [1.0, 0.0, 0.0, 2.5, 0.0] and out.attrs["arm column"] == "arm"


def test_experiment_input_without_revenue_or_segment_gives_notes_not_errors(tmp_path):
    path = tmp_path / "email.csv"
    frame = _campaign(HILLSTROM, 6000, seed=3)
    yes_no = frame.assign(converted=np.where(frame["converted"] == 1, "Yes", "No"))
    yes_no.drop(columns="spend").to_csv(path, index=False)
    table, truth = st.experiment_input(
        str(path),
        "arm",
        converted_col="converted",
        revenue_col=None,
        segment_col=None,
        n_per_arm=0,
        arms={},
        segment_shares={},
        segment_lift={},
    )
    assert truth is None and table["segment"].eq(st.NO_SEGMENT).all() and table["revenue"].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = st.arm_summary(table)
        comparison = st.compare_arms(table, "No E-Mail")
        profit = st.incremental_profit(
            table, "No E-Mail", margin=0.3, contact_cost={}, incentive_cost={"Mens E-Mail": 5.0}
        )
        _, test = st.heterogeneity(table, "No E-Mail")
    assert summary[st.NOTE].eq("no revenue column: no revenue per customer").all()
    assert comparison[st.NOTE].eq("no revenue column: no revenue difference").all()
    assert comparison["rate difference"].notna().all() and comparison["revenue difference"].isna().all()
    assert profit[st.NOTE].str.startswith("no revenue column: the incremental margin and profit need").all()
    assert profit.loc["Mens E-Mail", "incentive cost"] > 0 and profit["net incremental profit"].isna().all()
    assert test[st.NOTE] == st.NO_SEGMENT_NOTE
    policies = pd.DataFrame({"incremental profit": [1.0], "ROI": [0.5]}, index=["random"])
    facts = st.headline_figures(policies, comparison, profit=profit, design=DESIGN)
    assert facts["most profitable arm"] is None and facts["its net profit per 1,000 customers"] is None
    frame_input, _ = st.experiment_input(
        frame,
        "arm",
        converted_col="converted",
        revenue_col="spend",
        segment_col=None,
        n_per_arm=0,
        arms={},
        segment_shares={},
        segment_lift={},
        control="No E-Mail",
    )
    assert len(frame_input) == 6000  # a frame works as well as a path


def test_headline_figures_skip_the_control_even_when_it_is_not_the_first_row_of_the_table():
    table, _ = st.simulate_experiment(2000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=2)
    shuffled = table.iloc[::-1]  # the last arm simulated comes first
    costly = {"plain notice": 5.0, "notice + incentive": 5.0}  # both treatments lose money
    profit = st.incremental_profit(shuffled, "control", margin=0.3, contact_cost=costly, incentive_cost={})
    assert profit.index[0] == "control"
    policies = pd.DataFrame({"incremental profit": [1.0], "ROI": [0.5]}, index=["random"])
    facts = st.headline_figures(policies, st.compare_arms(shuffled, "control"), profit=profit, design=DESIGN)
    assert facts["most profitable arm"] != "control"  # the control (profit 0) is not an arm to run


def test_plan_test_sizes_the_next_test_as_sample_size_does():
    plan = st.plan_test(0.05, 0.02, alpha=0.01, power=0.9)
    assert plan["customers per arm"] == st.sample_size(0.05, 0.07, alpha=0.01, power=0.9)
    assert plan[["control rate", "lift", "alpha", "power"]].tolist() == [0.05, 0.02, 0.01, 0.9]
    with pytest.raises(ValueError, match="equal"):
        st.plan_test(0.05, 0.0)


def test_sample_size_and_power_curve_at_the_edges():
    assert st.sample_size(0.0, 0.02) > 0 and st.sample_size(1.0, 0.97) > 0  # rates of 0 and 1 are valid
    curve = st.power_curve(0.0, [0.0, 0.01, 0.05], n_per_arm=1000)
    assert curve["power"].iloc[0] == pytest.approx(0.05) and curve["power"].is_monotonic_increasing
    assert st.power_curve(0.05, [], n_per_arm=1000).columns.tolist() == ["lift", "power"]
    impossible = [
        ((0.05, 1.2), {}, "treatment_rate must be a probability"),
        ((-0.1, 0.05), {}, "control_rate"),
        ((0.05, 0.07), {"alpha": 0.05, "power": 0.04}, "power must be above alpha"),
        ((0.05, 0.07), {"alpha": 0}, "alpha"),
        ((0.05, 0.07), {"ratio": 0}, "ratio"),
    ]
    for args, options, message in impossible:
        with pytest.raises(ValueError, match=message):
            st.sample_size(*args, **options)
    with pytest.raises(ValueError, match=r"1 lift\(s\) take the control rate 0.99 outside 0 to 1 \(e.g"):
        st.power_curve(0.99, [0.0, 0.02], n_per_arm=1000)
    with pytest.raises(ValueError, match="n_per_arm"):
        st.power_curve(0.05, [0.01], n_per_arm=0)


def test_an_arm_in_one_segment_only_is_left_out_of_the_interaction_test_and_a_control_only_segment_is_noted():
    frame = _campaign({"control": 0.05, "offer": 0.08}, 6000, {"a": 0.5, "b": 0.5}, seed=9)
    pilot = pd.DataFrame({"arm": "pilot", "converted": [1, 0, 0, 1] * 50, "spend": 10.0, "segment": "a"})
    only_control = pd.DataFrame({"arm": "control", "converted": [0, 1] * 20, "spend": 5.0, "segment": "c"})
    table = st.load_experiment(
        pd.concat([frame, pilot, only_control], ignore_index=True),
        "arm",
        converted_col="converted",
        revenue_col="spend",
        segment_col="segment",
    )
    per_segment, test = st.heterogeneity(table, "control")
    assert "arm(s) in only one segment left out of the interaction test: 'pilot'" in test["note"]
    assert "segment(s) lacking an arm left out of the interaction test: 'c' (no 'offer')" in test["note"]
    assert test["df"] == 1 and np.isfinite(test["p-value"]) and ("a", "pilot") in per_segment.index
    note = st.segment_profit(table, "c", control="control", margin=0.3, contact_cost={}, incentive_cost={})[
        st.NOTE
    ].iloc[0]
    assert note == "segment 'c' holds only the 'control' arm: nothing to compare"


def test_headline_figures_leave_out_the_parts_an_analysis_could_not_carry(customers):
    assert st.headline_figures(None, None, profit=None, design=DESIGN) == {
        "planned control rate (%)": 5.0,
        "planned lift (points)": 2.0,
        "planned power (%)": 80.0,
        "planned test alpha": 0.05,
        "planned comparisons": 1,
        "customers per arm: response, 1 comparison": 2199,
        "customers per arm: profit, 1 comparison": None,  # no campaign table: the profit cannot be sized
        "customers per arm for the response": 2199,
        "planned test sized on": "response",
        "customers per arm for the planned test": 2199,
    }
    policies = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1, "churned": 0.05},
        scoring=None,
    )
    facts = st.headline_figures(policies, None, profit=None, design=DESIGN)
    assert facts["best targeting policy"] == "random" and facts["its incremental profit"] is None
    assert "most profitable arm" not in facts


def test_headline_figures_record_p_values_break_even_coverage_and_the_plan():
    table, truth = st.simulate_experiment(2000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=4)
    comparison = st.compare_arms(table, "control")
    profit = st.incremental_profit(
        table, "control", margin=0.3, contact_cost={}, incentive_cost={"notice + incentive": 10.0}
    )
    coverage = st.truth_vs_estimate(comparison, truth, "control")
    policies = pd.DataFrame(
        {"incremental profit": [-1.0], "contacted": [3], "break-even uplift": [np.inf]}, index=["random"]
    )
    facts = st.headline_figures(
        policies, comparison, profit=profit, coverage=coverage, design=DESIGN, alpha=0.1
    )
    assert facts["its break-even uplift"] is None and facts["its customers contacted"] == 3
    assert facts["plain notice: p-value (Holm)"] == comparison.loc["plain notice", "p-value (Holm)"]
    assert facts["significance level (alpha)"] == 0.1
    assert facts["notice + incentive: break-even incentive per conversion"] == pytest.approx(
        profit.loc["notice + incentive", "break-even incentive per conversion"]
    )
    assert "plain notice: break-even incentive per conversion" not in facts  # no incentive, no break-even
    assert (
        facts["intervals covering the simulated truth"]
        == f"{int(coverage['interval covers truth'].sum())} of 2"
    )
    assert facts["planned power (%)"] == 80.0 and facts["customers per arm for the planned test"] == 2199


def test_headline_figures_record_spend_budget_simulation_and_point_differences(customers):
    table, truth = st.simulate_experiment(2000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=4)
    comparison = st.compare_arms(table, "control")
    profit = st.incremental_profit(table, "control", margin=0.3, contact_cost={}, incentive_cost={})
    coverage = st.truth_vs_estimate(comparison, truth, "control")
    per_segment, _ = st.heterogeneity(table, "control")
    policies = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1},
        scoring=estimate({"silent": 0.1, st.ALL_SEGMENTS: 0.1}),
    )
    facts = st.headline_figures(
        policies,
        comparison,
        profit=profit,
        coverage=coverage,
        design=DESIGN,
        budget=5,
        per_segment=per_segment,
    )
    best = facts["best targeting policy"]
    assert facts["targeting budget"] == 5.0 and facts["its cost"] == policies.loc[best, "cost"]
    assert facts["random targeting cost"] == policies.loc["random", "cost"]
    assert facts["random targeting contacts"] == policies.loc["random", "contacted"]
    assert facts["campaign test simulated"] is True  # coverage compares it with a known truth
    assert facts["interval level (%)"] == 95.0
    assert facts["plain notice: response lift lower (points)"] == round(
        100 * comparison.loc["plain notice", "difference lower"], 2
    )
    assert facts["plain notice: true response lift (points)"] == 2.0
    row = per_segment.loc[("silent", "plain notice")]
    assert facts["plain notice among silent: response difference upper (points)"] == round(
        100 * row["upper"], 2
    )
    arm = facts["most profitable arm"]
    low, high = profit.loc[arm, "revenue lower"], profit.loc[arm, "revenue upper"]
    assert facts["its revenue interval includes zero"] == bool(low <= 0 <= high)
    assert facts["its net profit per 1,000 lower"] == profit.loc[arm, "net per 1,000 lower"]
    assert facts["its net profit loss share"] == profit.loc[arm, "loss share"]
    assert (
        facts["plain notice: net profit per 1,000 upper"] == profit.loc["plain notice", "net per 1,000 upper"]
    )
    assert facts["its profit lower"] == policies.loc[best, "profit lower"]
    assert facts["its profit loss share"] == policies.loc[best, "loss share"]
    real = st.headline_figures(None, comparison, profit=None, design=DESIGN, simulated=False)
    assert real["campaign test simulated"] is False and "targeting budget" not in real


# ------------------------------------------------------------------ intervals on incremental profit
def test_bootstrap_means_spread_as_the_standard_error_and_stay_bounded_in_memory():
    rng = np.random.default_rng(0)
    values = rng.exponential(10.0, 400)
    draws = st.bootstrap_means(values, 4000, np.random.default_rng(1), cells=10_000)  # 25 rows per block
    assert draws.shape == (4000, 1)
    assert draws.mean() == pytest.approx(values.mean(), rel=0.01)
    assert draws.std() == pytest.approx(values.std() / np.sqrt(len(values)), rel=0.05)
    again = st.bootstrap_means(values, 4000, np.random.default_rng(1), cells=10_000)
    assert (draws == again).all()  # seeded
    assert np.isnan(st.bootstrap_means(np.array([]), 3, rng)).all()


def test_the_profit_interval_of_the_simulated_plain_notice_matches_the_referees_reading():
    """The referee's reading of notebook 05's simulated test: the plain notice between -$132 and +$198 per
    1,000 customers, a loss in about 36% of resamples. The bootstrap agrees with the Welch interval of the
    revenue difference carried through the profit arithmetic (margin 0.3, contact 0.10 per customer)."""
    table, _ = st.simulate_experiment(4000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=0)
    costs = dict(margin=0.3, contact_cost={"plain notice": 0.1, "notice + incentive": 0.1}, incentive_cost={})
    profit = st.incremental_profit(table, "control", **costs, seed=0)
    row = profit.loc["plain notice"]
    welch = (1000 * (0.3 * row["revenue lower"] - 0.1), 1000 * (0.3 * row["revenue upper"] - 0.1))
    assert welch[0] == pytest.approx(-132, abs=1) and welch[1] == pytest.approx(200, abs=1)
    assert row["net per 1,000 lower"] == pytest.approx(welch[0], abs=10)
    assert row["net per 1,000 upper"] == pytest.approx(welch[1], abs=10)
    se = (welch[1] - welch[0]) / (2 * stats.norm.ppf(0.975))
    assert row["loss share"] == pytest.approx(stats.norm.cdf(-row["net per 1,000 customers"] / se), abs=0.03)
    assert profit.loc["notice + incentive", "loss share"] == 0.0  # no incentive cost here: +$0.73 a customer
    assert np.isnan(profit.loc["control", "net per 1,000 lower"]) and profit.attrs["resamples"] == 2000


def test_the_profit_interval_covers_the_true_profit_in_most_simulated_tests():
    """Known truth: revenue of a converted customer is exponential with mean 40, so the true net profit
    per customer of an arm is (rate - control rate) x 40 x margin - contact - incentive x rate."""
    arms = {"control": 0.05, "notice": 0.07, "offer": 0.10}
    truth = {"notice": 0.02 * 40 * 0.3 - 0.1, "offer": 0.05 * 40 * 0.3 - 0.1 - 2.0 * 0.10}
    covered = {arm: 0 for arm in truth}
    seeds = range(60)
    for seed in seeds:
        table, _ = st.simulate_experiment(1500, arms, segment_shares={"all": 1.0}, segment_lift={}, seed=seed)
        profit = st.incremental_profit(
            table,
            "control",
            margin=0.3,
            contact_cost={"notice": 0.1, "offer": 0.1},
            incentive_cost={"offer": 2.0},
            n_boot=400,
            seed=seed,
        )
        for arm, value in truth.items():
            covered[arm] += (
                profit.loc[arm, "net per 1,000 lower"]
                <= 1000 * value
                <= profit.loc[arm, "net per 1,000 upper"]
            )
    assert all(c / len(seeds) >= 0.85 for c in covered.values()), covered


# ---------------------------------------------------------------------------- the measured uplift
def test_measured_uplift_covers_the_true_relative_uplift_by_segment():
    """simulate_experiment's revenue per customer is rate x 40 in every cell, so the true relative uplift of
    an arm in a segment is its rate over the control's, minus 1: plain notice +60% among silent
    customers (0.08 / 0.05), +20% among churned ones, +40% over both."""
    truth = {"silent": 0.6, "churned": 0.2, st.ALL_SEGMENTS: 0.4}
    covered = dict.fromkeys(truth, 0)
    estimates = []
    seeds = range(40)
    for seed in seeds:
        table, _ = st.simulate_experiment(3000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=seed)
        measured = st.measured_uplift(table, "control", arm="plain notice", n_boot=400, seed=seed)
        for name, value in truth.items():
            row = measured.table.loc[name]
            covered[name] += row["lower"] <= value <= row["upper"]
        estimates.append(measured.table.loc[st.ALL_SEGMENTS, "uplift"])
    assert all(c / len(seeds) >= 0.85 for c in covered.values()), covered
    assert np.mean(estimates) == pytest.approx(0.4, abs=0.05)
    assert measured.arm == "plain notice" and measured.metric == "revenue" and measured.level == 0.95
    assert (
        list(measured.draws.columns) == ["churned", "silent", st.ALL_SEGMENTS] and len(measured.draws) == 400
    )


def test_measured_uplift_says_which_arm_and_metric_it_used_and_where_it_has_no_estimate():
    table, _ = st.simulate_experiment(500, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=3)
    other = st.measured_uplift(table, "control", arm="e-mail", n_boot=50)
    assert other.arm == "plain notice" and "the arm 'e-mail' is not in this test" in other.note
    no_revenue = st.measured_uplift(table.assign(revenue=np.nan), "control", arm="plain notice", n_boot=50)
    assert no_revenue.metric == "response" and "relative lift in the response rate" in no_revenue.note
    k = table.groupby("arm")["converted"].mean()
    assert no_revenue.table.loc[st.ALL_SEGMENTS, "uplift"] == round(k["plain notice"] / k["control"] - 1, 4)
    dry = table.copy()
    dry.loc[(dry["segment"] == "silent") & (dry["arm"] == "control"), ["converted", "revenue"]] = 0
    measured = st.measured_uplift(dry, "control", arm="plain notice", n_boot=50)
    assert np.isnan(measured.table.loc["silent", "uplift"])
    assert measured.table.loc["silent", st.NOTE] == "the control spent nothing: no relative uplift"
    stages = st.uplift_for_stages(measured, ["silent", "churned"])
    assert stages["measured on"].tolist() == [st.ALL_SEGMENTS, "churned"]  # silent falls back to all
    one = st.measured_uplift(table.assign(segment=st.NO_SEGMENT), "control", arm="plain notice", n_boot=50)
    assert one.table.index.tolist() == [st.ALL_SEGMENTS]


def test_the_policy_value_is_recovered_on_a_simulated_campaign_with_known_uplift():
    """Known truth end to end: a campaign whose segments are the stages, with a true relative uplift of
    +60% among silent and +20% among churned customers; each list's value scored on the measured uplift
    is compared with its true value, sum(true uplift x future margin) - cost."""
    rng = np.random.default_rng(7)
    n = 400
    customers = st.customer_table(
        stage=pd.Series(rng.choice(["silent", "churned"], n), index=[f"c{i}" for i in range(n)]),
        clv=pd.Series(rng.gamma(1.5, 20.0, n), index=[f"c{i}" for i in range(n)]),
        p_alive=pd.Series(rng.uniform(0, 1, n), index=[f"c{i}" for i in range(n)]),
    )
    true_uplift = {"silent": 0.6, "churned": 0.2}
    args = dict(
        contact_cost=1.0,
        incentive_cost=0.0,
        redemption_rate=0.0,
        uplift_by_stage={"silent": 0.1, "churned": 0.1},
    )
    covered, errors = 0, []
    seeds = range(30)
    for seed in seeds:
        table, _ = st.simulate_experiment(
            3000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=100 + seed
        )
        measured = st.measured_uplift(table, "control", arm="plain notice", n_boot=300, seed=seed)
        scored = st.compare_policies(customers, 150, **args, scoring=measured, seed=seed)
        chosen = st.choose_contacts(
            customers, 150, per_contact=1.0, uplift_by_stage=args["uplift_by_stage"], seed=seed
        )
        for policy, contacted in chosen.items():
            part = customers.loc[contacted]
            true = float((part["stage"].map(true_uplift) * part["clv"]).sum()) - len(contacted)
            row = scored.loc[policy]
            covered += row["profit lower"] <= true <= row["profit upper"]
            errors.append((row["incremental profit"] - true) / (true + len(contacted)))
    assert covered / (len(seeds) * len(chosen)) >= 0.85
    assert abs(np.mean(errors)) < 0.05  # the point value is unbiased within 5% of the value at stake


# --------------------------------------------------------------------- power for the actual design
def test_sample_sizes_for_two_arms_match_statsmodels():
    from statsmodels.stats.power import TTestIndPower
    from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

    ours = st.sample_size(0.05, 0.07)
    theirs = samplesize_proportions_2indep_onetail(0.02, 0.05, 0.8, alpha=0.05, alternative="two-sided")
    assert ours == 2199 and ours == pytest.approx(theirs, rel=0.01)  # arcsine vs unpooled variance
    holm = st.sample_size(0.05, 0.07, comparisons=2)
    assert holm == 2663 and holm == pytest.approx(
        samplesize_proportions_2indep_onetail(0.02, 0.05, 0.8, alpha=0.025, alternative="two-sided"), rel=0.01
    )
    sized = st.profit_sample_size(
        control_rate=0.05, lift=0.02, revenue_mean=40.0, revenue_square=3200.0, margin=0.3, contact_cost=0.1
    )
    assert sized["effect"] == pytest.approx(0.14)  # 0.02 x 40 x 0.3 - 0.1
    assert sized["sd control"] ** 2 == pytest.approx(0.05 * 0.09 * 3200 - (0.05 * 12) ** 2)
    assert sized["sd arm"] ** 2 == pytest.approx(0.07 * 0.09 * 3200 - (0.07 * 12) ** 2)
    pooled = np.sqrt((sized["sd control"] ** 2 + sized["sd arm"] ** 2) / 2)
    t_test = TTestIndPower().solve_power(effect_size=sized["effect"] / pooled, alpha=0.05, power=0.8)
    assert sized["customers per arm"] == pytest.approx(t_test, abs=2)


def test_the_profit_variance_matches_simulated_customers():
    rng = np.random.default_rng(2)
    n = 400_000
    converted = rng.random(n) < 0.07
    revenue = np.where(converted, rng.exponential(40.0, n), 0.0)
    profit = converted * (0.3 * revenue - 2.0) - 0.1  # margin 0.3, incentive 2 per conversion, contact 0.1
    sized = st.profit_sample_size(
        control_rate=0.05,
        lift=0.02,
        revenue_mean=40.0,
        revenue_square=3200.0,
        margin=0.3,
        contact_cost=0.1,
        incentive_cost=2.0,
    )
    assert sized["sd arm"] == pytest.approx(profit.std(), rel=0.01)
    assert sized["effect"] == pytest.approx(0.07 * 10.0 - 0.1 - 0.05 * 12.0)


def _holm_power(p_effect: np.ndarray, p_null: np.ndarray, alpha: float) -> float:
    """How often Holm over (effect arm, null arm) rejects the effect arm, from per-trial p-values."""
    first = np.minimum(p_effect, p_null) < alpha / 2
    rejected = np.where(p_effect <= p_null, first, first & (p_effect < alpha))
    return float(rejected.mean())


def test_k_arm_response_sizes_give_the_planned_power_under_holm_in_simulation():
    """Three arms, Holm over two comparisons: at the Bonferroni size, an arm with the effect is found with
    the planned 80% when the other arm has none (within two points), and at least that when both do."""
    n = st.sample_size(0.05, 0.07, comparisons=2)
    rng = np.random.default_rng(11)
    trials = 6000
    k0, k1, k2 = rng.binomial(n, 0.05, trials), rng.binomial(n, 0.07, trials), rng.binomial(n, 0.05, trials)

    def p_value(k, k_control):
        pooled = (k + k_control) / (2 * n)
        z = (k - k_control) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
        return 2 * stats.norm.sf(np.abs(z))

    assert _holm_power(p_value(k1, k0), p_value(k2, k0), 0.05) == pytest.approx(0.80, abs=0.02)
    both = rng.binomial(n, 0.07, trials)
    assert _holm_power(p_value(k1, k0), p_value(both, k0), 0.05) >= 0.79


def test_k_arm_profit_sizes_give_the_planned_power_under_holm_in_simulation():
    """The profit test on simulated customers (exponential revenue of mean 40): a larger effect than the
    notebook's keeps the simulation small; the same formula sizes it."""
    args = dict(revenue_mean=40.0, revenue_square=3200.0, margin=0.3, contact_cost=0.1)
    n = int(st.profit_sample_size(control_rate=0.10, lift=0.06, comparisons=2, **args)["customers per arm"])
    rng = np.random.default_rng(12)
    trials = 3000

    def arm(rate, cost):
        converted = rng.random((trials, n)) < rate
        return np.where(converted, 0.3 * rng.exponential(40.0, (trials, n)), 0.0) - cost

    control, effect, null = arm(0.10, 0.0), arm(0.16, 0.1), arm(0.10, 0.0)

    def p_value(a, b):
        z = (a.mean(1) - b.mean(1)) / np.sqrt(a.var(1, ddof=1) / n + b.var(1, ddof=1) / n)
        return 2 * stats.norm.sf(np.abs(z))

    assert _holm_power(p_value(effect, control), p_value(null, control), 0.05) == pytest.approx(
        0.80, abs=0.025
    )


def test_plan_design_sizes_response_and_profit_for_one_and_k_comparisons():
    table, _ = st.simulate_experiment(4000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=0)
    design = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=2, margin=0.3, contact_cost=0.1)
    assert design.index.tolist() == [
        "response, 1 comparison",
        "response, 2 comparisons",
        "profit, 1 comparison",
        "profit, 2 comparisons",
    ]
    assert design["customers per arm"].tolist()[:2] == [2199, 2663]
    mean, square, converted = st.profit_moments(table)
    assert converted == int(table["converted"].sum()) and mean == pytest.approx(40, rel=0.05)
    sized = st.profit_sample_size(
        control_rate=0.05,
        lift=0.02,
        revenue_mean=mean,
        revenue_square=square,
        margin=0.3,
        contact_cost=0.1,
        comparisons=2,
    )
    assert design.loc["profit, 2 comparisons", "customers per arm"] == sized["customers per arm"]
    assert design.loc["profit, 2 comparisons", "customers in all"] == 3 * sized["customers per arm"]
    assert design.loc["response, 2 comparisons", "alpha per comparison"] == 0.025
    single = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3)
    assert single.index.tolist() == ["response, 1 comparison", "profit, 1 comparison"]
    losing = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3, contact_cost=1.0)
    assert np.isnan(losing.loc["profit, 1 comparison", "customers per arm"])
    assert losing.loc["profit, 1 comparison", st.NOTE].startswith("at the planned lift the arm does not pay")
    bare = st.plan_design(
        table.assign(revenue=np.nan), control_rate=0.05, lift=0.02, comparisons=1, margin=0.3
    )
    assert "no revenue of converted customers" in bare.loc["profit, 1 comparison", st.NOTE]
    with pytest.raises(ValueError, match="comparisons"):
        st.plan_design(None, control_rate=0.05, lift=0.02, comparisons=0, margin=0.3)
    curve = st.power_curve(0.05, [0.0, 0.02], n_per_arm=2663, comparisons=2)
    assert curve["power"].iloc[0] == pytest.approx(0.025) and curve["power"].iloc[1] == pytest.approx(
        0.8, abs=0.01
    )


def test_plan_design_takes_the_design_and_the_arm_costs_from_the_campaign():
    table, _ = st.simulate_experiment(1000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=0)
    costs = dict(
        contact_cost={"plain notice": 0.1, "notice + incentive": 0.1},
        incentive_cost={"notice + incentive": 10.0},
    )
    design = st.plan_design(
        table, control_rate=0.05, lift=0.02, comparisons=None, margin=0.3, arm="plain notice", **costs
    )
    assert design["comparisons"].max() == 2  # three arms: two compared with the control
    by_hand = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=2, margin=0.3, contact_cost=0.1)
    assert design["customers per arm"].tolist() == by_hand["customers per arm"].tolist()
    mean = st.profit_moments(table)[0]
    paid = st.plan_design(
        table, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3, arm="notice + incentive", **costs
    )
    assert paid.loc["profit, 1 comparison", "effect"] == pytest.approx(
        0.07 * (0.3 * mean - 10.0) - 0.1 - 0.05 * 0.3 * mean, abs=1e-4
    )
    assert (
        st.plan_design(None, control_rate=0.05, lift=0.02, comparisons=None, margin=0.3)["comparisons"].max()
        == 1
    )


def test_a_contact_list_pays_the_costs_of_the_arm_it_runs():
    costs = dict(contact_cost={"mail": 0.1, "mail+coupon": 0.2}, incentive_cost={"mail+coupon": 5.0})
    assert st.arm_costs("mail", **costs, redemption_rate=0.1) == {
        "contact_cost": 0.1,
        "incentive_cost": 0.0,
        "redemption_rate": 0.1,
    }
    coupon = st.arm_costs("mail+coupon", **costs, redemption_rate=0.1)
    assert st.cost_per_contact(**coupon) == pytest.approx(0.7)  # 0.2 + 5 x 0.1
    with pytest.raises(ValueError, match="'sms' has no contact cost; ARM_CONTACT_COST has 'mail', 'mail"):
        st.arm_costs("sms", **costs, redemption_rate=0.1)


def test_the_budget_buys_every_whole_contact_despite_floating_point(customers):
    many = st.customer_table(
        stage=pd.Series("silent", index=range(20000)), clv=pd.Series(1.0, index=range(20000))
    )
    some = dict(per_contact=0.1, policies=["random", "highest future margin"])
    chosen = st.choose_contacts(many, 1500.0, uplift_by_stage={"silent": 0.5}, **some)
    assert 1500.0 // 0.1 == 14999.0 and len(chosen["random"]) == len(chosen["highest future margin"]) == 15000
    assert len(st.choose_contacts(many, 1500.05, uplift_by_stage={}, **some)["random"]) == 15000


def test_the_cost_check_gives_a_note_when_the_lists_arm_has_no_contact_cost():
    costs = {"plain notice": 0.1, "notice + incentive": 0.1}
    missing = st.cost_check("notice", costs)
    assert missing["analysis"] == "strategy targeting" and missing["ok"] is False
    assert (
        missing["found"]
        == "no contact cost for 'notice' (ARM_CONTACT_COST has 'plain notice', 'notice + incentive')"
    )
    assert missing["fix"] == (
        "add 'notice' and its cost per contact to ARM_CONTACT_COST (command line: --arm-cost 'notice=COST')"
    )
    assert st.cost_check("plain notice", costs)["ok"] is True
