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
PLAN = pd.Series({"control rate": 0.05, "lift": 0.02, "alpha": 0.05, "power": 0.8, "customers per arm": 100})


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
    table = st.compare_policies(
        customers,
        budget=5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage=uplift,
        rule=pd.Series([True, False, False, True], index=list("abcd")),
    )
    assert (table["contacted"] == 2).all()
    assert table.loc["highest value at risk", "expected incremental value"] == 14.0  # c and a
    assert table.loc["highest value at risk", "incremental profit"] == 10.0
    assert table.loc["highest value at risk", "ROI"] == 2.5
    assert table.loc["highest value at risk", "break-even uplift factor"] == round(4 / 14, 3)
    assert table.loc["highest CLV", "expected incremental value"] == 14.0  # c (200) and a (100)
    assert table.loc["highest churn risk", "expected incremental value"] == 13.0  # c (0.9) and b (0.8)
    assert table.loc["RFM rule", "expected incremental value"] == 5.0  # d (80) then a (100): a first
    pays = table.loc["value at risk, only where it pays"]
    assert (
        pays["contacted"] == 2 and pays["incremental profit"] == 10.0
    )  # c (9) and a (5) both beat the cost of 2
    tight = st.compare_policies(
        customers, 12, contact_cost=1, incentive_cost=2, redemption_rate=2.5, uplift_by_stage=uplift
    )  # cost per contact 6: only c gains more
    assert tight.loc["value at risk, only where it pays", "contacted"] == 1
    with pytest.raises(ValueError, match="cost per contact must be positive"):
        st.compare_policies(
            customers, 5, contact_cost=0, incentive_cost=0, redemption_rate=0, uplift_by_stage=uplift
        )


def test_uplift_sensitivity_is_linear_in_the_factor(customers):
    uplift = {"silent": 0.1, "churned": 0.05}
    sens = st.uplift_sensitivity(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage=uplift,
        factors=[0, 1, 2],
    )
    assert sens.loc[0.0].eq(-4.0).all()  # every policy paid for its 2 contacts, which save nothing
    assert sens.loc[2.0, "highest value at risk"] == 2 * 14.0 - 4.0


def test_uplift_sensitivity_scores_the_contacts_chosen_under_the_assumed_uplifts(customers):
    """The contact list stays the one chosen under the assumed uplifts (it is not re-picked at each
    factor, which would amount to knowing the true uplift): a policy that pays at the assumed uplifts
    loses money below its break-even factor, and crosses zero exactly there."""
    uplift = {"silent": 0.1, "churned": 0.05}
    args = dict(contact_cost=1, incentive_cost=2, redemption_rate=0.5, uplift_by_stage=uplift)
    policies = st.compare_policies(customers, 5, **args)
    even = policies.loc["value at risk, only where it pays", "break-even uplift factor"]
    sens = st.uplift_sensitivity(customers, 5, **args, factors=[0.0, 0.5 * even, even, 1.0])
    pays = sens["value at risk, only where it pays"]
    assert pays.loc[0.0] == -4.0 and pays.loc[round(0.5 * even, 3)] < 0  # re-picking would contact nobody: 0
    assert pays.loc[round(even, 3)] == pytest.approx(0.0, abs=0.01)
    assert pays.loc[1.0] == policies.loc["value at risk, only where it pays", "incremental profit"]


def test_strategy_matrix(customers):
    table = st.strategy_matrix(customers, "stage", st.STAGE_PLAYS)
    assert table.loc["silent", "customers"] == 2 and table.loc["silent", "CLV at stake"] == 150
    assert table.loc["silent", "CLV at risk"] == 90  # 100 x 0.5 + 50 x 0.8
    assert table["revenue (%)"].sum() == pytest.approx(100)
    assert table.loc["churned", "KPI"].startswith("share returning")


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
    assert profit.loc["t"].tolist()[:6] == [7.5, 1.0, 2.0, 4.5, 4500.0, 13.0]  # break-even: (7.5 - 1) / 0.5
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
        table, "control", margin=0.3, contact_cost={}, incentive_cost={"notice + incentive": 10.0}
    )
    policies = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1, "churned": 0.05},
    )
    facts = st.headline_figures(policies, comparison, profit=profit, plan=st.plan_test(0.05, 0.02))
    assert facts["its incremental profit"] == policies["incremental profit"].max() == 10.0
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
    facts = st.headline_figures(policies, comparison, profit=profit, plan=PLAN)
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
    facts = st.headline_figures(policies, st.compare_arms(shuffled, "control"), profit=profit, plan=PLAN)
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
    assert st.headline_figures(None, None, profit=None, plan=st.plan_test(0.05, 0.02)) == {
        "planned control rate (%)": 5.0,
        "planned lift (points)": 2.0,
        "planned power (%)": 80.0,
        "planned test alpha": 0.05,
        "customers per arm for the planned test": 2199,
    }
    policies = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1, "churned": 0.05},
    )
    facts = st.headline_figures(policies, None, profit=None, plan=PLAN)
    assert facts["best targeting policy"] in policies.index and "most profitable arm" not in facts


def test_headline_figures_record_p_values_break_even_coverage_and_the_plan():
    table, truth = st.simulate_experiment(2000, ARMS, segment_shares=SEGMENTS, segment_lift=LIFT, seed=4)
    comparison = st.compare_arms(table, "control")
    profit = st.incremental_profit(
        table, "control", margin=0.3, contact_cost={}, incentive_cost={"notice + incentive": 10.0}
    )
    coverage = st.truth_vs_estimate(comparison, truth, "control")
    policies = pd.DataFrame(
        {"incremental profit": [-1.0], "ROI": [-0.5], "contacted": [3], "break-even uplift factor": [np.inf]},
        index=["random"],
    )
    facts = st.headline_figures(
        policies, comparison, profit=profit, coverage=coverage, plan=st.plan_test(0.05, 0.02), alpha=0.1
    )
    assert facts["its break-even uplift factor"] is None and facts["its customers contacted"] == 3
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
        customers, 5, contact_cost=1, incentive_cost=2, redemption_rate=0.5, uplift_by_stage={"silent": 0.1}
    )
    facts = st.headline_figures(
        policies, comparison, profit=profit, coverage=coverage, plan=PLAN, budget=5, per_segment=per_segment
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
    real = st.headline_figures(None, comparison, profit=None, plan=PLAN, simulated=False)
    assert real["campaign test simulated"] is False and "targeting budget" not in real
