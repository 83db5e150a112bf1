"""lifecycle_utils.strategy: policy arithmetic by hand, experiment analysis against statsmodels called
directly, and coverage of the simulated truth over many seeds."""

from __future__ import annotations

import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.proportion import test_proportions_2indep as sm_test_2indep

from lifecycle_utils import strategy as st

ARMS = {"control": 0.05, "plain notice": 0.07, "notice + incentive": 0.11}
SEGMENTS = {"silent": 0.5, "churned": 0.5}
LIFT = {"silent": 1.5, "churned": 0.5}


@pytest.fixture
def customers():
    return st.customer_table(
        stage=pd.Series(["silent", "silent", "churned", "mature"], index=list("abcd")),
        clv=pd.Series([100.0, 50.0, 200.0, 80.0], index=list("abcd")),
        p_alive=pd.Series([0.5, 0.2, 0.1, 0.9], index=list("abcd")),
        spend=pd.Series([10.0, 20.0, 30.0, 40.0], index=list("abcd")),
    )


def test_expected_gain_and_policies_by_hand(customers):
    uplift = {"silent": 0.1, "churned": 0.05, "mature": 0.0}
    gain = st.expected_gain(customers, uplift)
    assert gain.round(6).tolist() == [5.0, 4.0, 9.0, 0.0]  # CLV x (1 - P(alive)) x uplift
    # cost per contact 1 + 2 x 0.5 = 2; budget 5 buys 2 contacts
    table = st.compare_policies(customers, budget=5, contact_cost=1, incentive_cost=2, redemption_rate=0.5,
                                uplift_by_stage=uplift, rule=pd.Series([True, False, False, True], index=list("abcd")))
    assert (table["contacted"] == 2).all()
    assert table.loc["highest value at risk", "expected incremental value"] == 14.0   # c and a
    assert table.loc["highest value at risk", "incremental profit"] == 10.0
    assert table.loc["highest value at risk", "ROI"] == 2.5
    assert table.loc["highest value at risk", "break-even uplift factor"] == round(4 / 14, 3)
    assert table.loc["highest CLV", "expected incremental value"] == 14.0               # c (200) and a (100)
    assert table.loc["highest churn risk", "expected incremental value"] == 13.0        # c (0.9) and b (0.8)
    assert table.loc["RFM rule", "expected incremental value"] == 5.0                   # d (80) then a (100): a first
    pays = table.loc["value at risk, only where it pays"]
    assert pays["contacted"] == 2 and pays["incremental profit"] == 10.0  # c (9) and a (5) both beat the cost of 2
    tight = st.compare_policies(customers, 12, 1, 2, 2.5, uplift)  # cost per contact 6: only c gains more
    assert tight.loc["value at risk, only where it pays", "contacted"] == 1
    with pytest.raises(ValueError, match="cost per contact must be positive"):
        st.compare_policies(customers, 5, 0, 0, 0, uplift)


def test_uplift_sensitivity_is_linear_in_the_factor(customers):
    uplift = {"silent": 0.1, "churned": 0.05}
    sens = st.uplift_sensitivity(customers, 5, 1, 2, 0.5, uplift, factors=[0, 1, 2])
    assert sens.loc[0.0].drop("value at risk, only where it pays").eq(-4.0).all()
    assert sens.loc[0.0, "value at risk, only where it pays"] == 0.0  # contacts nobody when nothing pays
    assert sens.loc[2.0, "highest value at risk"] == 2 * 14.0 - 4.0


def test_strategy_matrix(customers):
    table = st.strategy_matrix(customers, "stage", st.STAGE_PLAYS)
    assert table.loc["silent", "customers"] == 2 and table.loc["silent", "CLV at stake"] == 150
    assert table.loc["silent", "CLV at risk"] == 90  # 100 x 0.5 + 50 x 0.8
    assert table["revenue (%)"].sum() == pytest.approx(100)
    assert table.loc["churned", "KPI"].startswith("share returning")


def test_compare_arms_matches_statsmodels_called_directly():
    table, _ = st.simulate_experiment(3000, ARMS, SEGMENTS, LIFT, seed=3)
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
        table, truth = st.simulate_experiment(1000, ARMS, SEGMENTS, LIFT, seed=seed)
        check = st.truth_vs_estimate(st.compare_arms(table, "control"), truth, "control")
        covered += int(check["interval covers truth"].sum())
    rate = covered / (2 * runs)
    assert 0.91 <= rate <= 0.99  # nominal 95%


def test_arm_summary_and_profit_by_hand():
    table = pd.DataFrame({"arm": ["c"] * 4 + ["t"] * 4, "converted": [0, 0, 0, 1, 1, 1, 0, 0],
                          "revenue": [0, 0, 0, 40.0, 40.0, 60.0, 0, 0], "segment": "all"})
    summary = st.arm_summary(table)
    assert summary.loc["t", "response rate"] == 0.5 and summary.loc["c", "revenue per customer"] == 10.0
    profit = st.incremental_profit(table, "c", margin=0.5, contact_cost={"t": 1.0}, incentive_cost={"t": 4.0})
    # revenue lift 25 - 10 = 15, x 0.5 = 7.5; contact 1; incentive 4 x 0.5 = 2
    assert profit.loc["t"].tolist() == [7.5, 1.0, 2.0, 4.5, 4500.0, 13.0]  # break-even: (7.5 - 1) / 0.5


def test_sample_size_and_power():
    n = st.sample_size(0.05, 0.07)
    assert 2100 < n < 2300
    curve = st.power_curve(0.05, [0.02], n)
    assert curve["power"].iloc[0] == pytest.approx(0.8, abs=0.01)
    with pytest.raises(ValueError, match="equal"):
        st.sample_size(0.05, 0.05)


def test_heterogeneity_finds_the_simulated_interaction():
    table, truth = st.simulate_experiment(6000, ARMS, SEGMENTS, LIFT, seed=1)
    per_segment, test = st.heterogeneity(table, "control")
    assert test["df"] == 2 and test["p-value"] < 0.05
    silent = per_segment.loc[("silent", "notice + incentive")]
    assert silent["lower"] <= truth.loc["notice + incentive", "silent"] - 0.05 <= silent["upper"]


def test_load_experiment_maps_columns_and_checks_values(tmp_path):
    frame = pd.DataFrame({"group": ["A", "B", "A"], "won_back": ["yes", "no", "yes"], "sales": [10, 0, 5],
                          "tier": ["x", "y", "x"]})
    out = st.load_experiment(frame, "group", "won_back", "sales", "tier")
    assert out.columns.tolist() == ["arm", "converted", "revenue", "segment"] and out["converted"].tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="column 'won_back': 1 of 3 rows are not 0/1"):
        st.load_experiment(frame.assign(won_back=["yes", "maybe", "no"]), "group", "won_back")
    with pytest.raises(ValueError, match="has 1 arm"):
        st.load_experiment(frame.assign(group="A"), "group", "won_back")
    with pytest.raises(ValueError, match="missing column"):
        st.load_experiment(frame, "arm", "won_back")


def test_headline(customers):
    table, _ = st.simulate_experiment(2000, ARMS, SEGMENTS, LIFT, seed=2)
    comparison = st.compare_arms(table, "control")
    profit = st.incremental_profit(table, "control", 0.3, {}, {"notice + incentive": 10.0})
    policies = st.compare_policies(customers, 5, 1, 2, 0.5, {"silent": 0.1, "churned": 0.05})
    facts = st.headline_figures(policies, comparison, profit, 2199)
    assert facts["its incremental profit"] == policies["incremental profit"].max() == 10.0
    assert facts["most profitable arm"] in {"plain notice", "notice + incentive"}


def test_experiment_input_simulates_or_loads(tmp_path):
    table, truth = st.experiment_input(None, "arm", "converted", "revenue", None, 500, ARMS, SEGMENTS, LIFT, seed=1)
    assert len(table) == 1500 and truth is not None
    path = tmp_path / "campaign.csv"
    table.rename(columns={"arm": "group", "converted": "won"}).to_csv(path, index=False)
    loaded, none = st.experiment_input(str(path), "group", "won", "revenue", "segment", 0, {}, {}, {})
    assert none is None and len(loaded) == 1500
    assert st.truth_vs_estimate(st.compare_arms(loaded, "control"), None, "control")["note"].iloc[0].startswith("real")


def test_segment_profit_and_missing_segment():
    table, _ = st.simulate_experiment(1000, ARMS, SEGMENTS, LIFT, seed=4)
    silent = st.segment_profit(table, "silent", "control", 0.3, {}, {"notice + incentive": 10.0})
    direct = st.incremental_profit(table[table["segment"] == "silent"], "control", 0.3, {}, {"notice + incentive": 10.0})
    pd.testing.assert_frame_equal(silent, direct)
    assert st.segment_profit(table, "vip", "control", 0.3, {}, {})["note"].iloc[0].startswith("segment 'vip'")
