"""lifecycle_utils.narrative.strategy: notebook 05's sentences from small hand-made tables, each judgement
on both sides of its threshold (profit floor, alpha, majority), the degenerate inputs (None, empty,
all-NaN, one row, a note instead of a table), and the closing text from recorded figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import narrative
from lifecycle_utils import strategy as st
from lifecycle_utils.narrative import strategy as ns

NAN = float("nan")


# ------------------------------------------------------------------------------------------- rules
@pytest.mark.parametrize(
    "profit, expected", [(-0.01, False), (0.0, False), (0.01, True), (None, None), (NAN, None)]
)
def test_makes_money_only_strictly_above_the_profit_floor(profit, expected):
    assert ns.PROFIT_FLOOR == 0.0
    assert ns.makes_money(profit) is expected


@pytest.mark.parametrize(
    "p, expected", [(0.0499, True), (0.05, False), (0.0501, False), (NAN, None), (None, None)]
)
def test_beyond_chance_only_strictly_below_alpha(p, expected):
    assert ns.beyond_chance(p, 0.05) is expected


def test_beyond_chance_follows_the_alpha_it_is_given():
    assert ns.beyond_chance(0.02, 0.01) is False and ns.beyond_chance(0.02, 0.05) is True
    assert ns.beyond_chance(0.04) is True  # the default ALPHA


# -------------------------------------------------------------------------------------- the matrix
def matrix(stake, risk=None, customers=None, churn=None, index=None):
    index = index or ["mature", "silent", "churned"][: len(stake)]
    return pd.DataFrame(
        {
            "customers": customers or [10] * len(stake),
            "revenue (%)": [1.0] * len(stake),
            "CLV at stake": stake,
            "mean churn probability": churn or [0.051] * len(stake),
            "CLV at risk": risk or [1.0] * len(stake),
        },
        index=pd.Index(index, name="stage"),
    )


@pytest.mark.parametrize(
    "top, lead", [(49.9, "the largest part of"), (50.0, "the largest part of"), (50.1, "most of")]
)
def test_most_of_the_clv_at_stake_only_above_half(top, lead):
    rest = (100 - top) / 2
    text = ns.matrix_sentence(matrix([top, rest, rest]), by="stage")
    assert text.startswith(f"By lifecycle stage, mature customers hold {lead} the CLV at stake (\\$")


def test_the_matrix_sentence_names_stake_risk_and_the_largest_group():
    text = ns.matrix_sentence(
        matrix([164370.0, 41963.0, 24761.0], risk=[7581.0, 11986.0, 16708.0], customers=[3145, 2969, 16374]),
        by="stage",
    )
    assert text == (
        "By lifecycle stage, mature customers hold most of the CLV at stake (\\$164,370; mean churn "
        "probability 5.1%); churned customers hold the most CLV at risk (\\$16,708); the largest group is "
        "churned (16,374 customers)."
    )
    same = ns.matrix_sentence(matrix([90.0, 10.0], risk=[5.0, 1.0]), by="value_class")
    assert (
        same.startswith("By value class, mature customers hold most of") and "they also hold the most" in same
    )


def test_the_matrix_sentence_names_the_clv_horizon_and_margin():
    text = ns.matrix_sentence(matrix([164370.0, 41963.0]), by="stage", months=12, margin=0.3)
    assert "hold most of the CLV at stake (12-month CLV at a 30% margin: \\$164,370; mean" in text
    assert "(6-month CLV at a 27.5% margin: " in ns.matrix_sentence(matrix([5.0]), months=6, margin=0.275)
    assert "(CLV at a 30% margin: \\$5;" in ns.matrix_sentence(matrix([5.0]), margin=0.3)


def test_the_matrix_sentence_on_degenerate_tables():
    assert ns.matrix_sentence(None) == "No customers to place by lifecycle stage."
    assert ns.matrix_sentence(matrix([]).iloc[:0]) == "No customers to place by lifecycle stage."
    assert (
        ns.matrix_sentence(matrix([1.0, 2.0], customers=[0, 0]))
        == "No customers to place by lifecycle stage."
    )
    assert ns.matrix_sentence(matrix([NAN, NAN])) == "By lifecycle stage: the CLV at stake was not estimated."
    assert ns.matrix_sentence(matrix([0.0, 0.0])) == "By lifecycle stage, no group holds any CLV at stake."
    one = ns.matrix_sentence(matrix([5.0], churn=[NAN]))
    assert one == "By lifecycle stage, mature customers hold all of the CLV at stake (\\$5)."


# ---------------------------------------------------------------------------- targeting policies
def policies(profits, factors=None, contacted=None, cost=None):
    names = list(st.POLICIES)[: len(profits)]
    factors = factors or [2.0] * len(profits)
    return pd.DataFrame(
        {
            "contacted": contacted or [100] * len(profits),
            "cost": cost or [75.0] * len(profits),
            "expected incremental value": [75.0 + p for p in profits],
            "incremental profit": profits,
            "ROI": [p / 75.0 for p in profits],
            "break-even uplift factor": factors,
        },
        index=pd.Index(names, name="policy"),
    )


@pytest.mark.parametrize(
    "best, judged",
    [
        (-0.01, "no policy is expected to make money"),
        (0.0, "no policy"),
        (0.01, "only 'rfm rule' is expected"),
    ],
)
def test_a_policy_makes_money_only_above_the_floor_and_the_sentence_says_the_uplifts_are_assumed(
    best, judged
):
    text = ns.policies_sentence(policies([-10.0, best]))
    assert text.startswith("Under the assumed uplifts (parameters of this notebook, not measured), ")
    assert judged in text.lower()


@pytest.mark.parametrize(
    "best, judged",
    [
        (
            14.99,
            "is below the materiality floor of 1% of the \\$1,500 budget: no policy is expected to make a",
        ),
        (
            15.0,
            "only 'RFM rule' is expected to make money: \\$15.00 (ROI 0.20), at least the materiality floor",
        ),
        (15.01, "only 'RFM rule' is expected to make money: \\$15.01"),
    ],
)
def test_a_best_policy_is_named_only_at_a_material_profit(best, judged):
    assert ns.MATERIAL_SHARE_OF_BUDGET == 1.0
    assert ns.material_profit(best, 1500) is (best >= 15.0)
    text = ns.policies_sentence(policies([-10.0, best]), budget=1500)
    assert judged in text.replace("Only", "only")
    assert ns.material_profit(0.0, 0.0) is False and ns.material_profit(NAN, 10) is None
    assert ns.material_profit(0.5, None) is True  # without a budget only the profit floor applies


def test_the_policies_sentence_states_what_each_policy_spends_with_one_contact_in_the_singular():
    """long: the budget exceeds the cost of contacting everyone, the policies spend different amounts, and
    $0.48 from one contact is no result."""
    table = policies(
        [-213.16, -36.41, -213.16, -213.16, -213.16, 0.48],
        contacted=[300, 51, 300, 300, 300, 1],
        cost=[225.0, 38.25, 225.0, 225.0, 225.0, 0.75],
        factors=[19.0, 20.8, 19.0, 19.0, 19.0, 0.607],
    )
    text = ns.policies_sentence(table, budget=1500)
    assert text.startswith(
        "Under the assumed uplifts (parameters of this notebook, not measured), with a budget of \\$1,500 "
        "the policies spend \\$225.00 each on 300 contacts ('random', 'highest churn risk', 'highest CLV' "
        "and 'highest value at risk'); \\$38.25 on 51 contacts ('RFM rule'); \\$0.75 on 1 contact "
        "('value at risk, only where it pays'). The highest expected profit, \\$0.48"
    )
    assert "no policy is expected to make a material profit" in text
    assert " 1 contacts" not in text and "only 'value at risk, only where it pays' is expected" not in text


def test_the_policies_sentence_names_the_best_the_lowest_and_the_break_even():
    text = ns.policies_sentence(
        policies([-1337.89, 223.57, -1400.05], factors=[9.0, 0.577, 15.0], contacted=[2000, 407, 2000])
    )
    assert "Only 'RFM rule' is expected to make money: \\$223.57 (ROI 2.98)" in text
    assert "would still break even at 58% of the assumed uplifts" in text
    assert text.endswith("The lowest expected profit is -\\$1,400.05 ('highest churn risk').")
    several = ns.policies_sentence(policies([5.0, 10.0, -3.0]))
    assert (
        "'random' and 'RFM rule' are expected to make money; the highest expected profit is "
        "\\$10.00 ('RFM rule'" in several
    )
    assert "Every policy is expected" in ns.policies_sentence(policies([5.0, 10.0]))
    assert "break even" not in ns.policies_sentence(policies([5.0], factors=[1.0]))


def test_tied_policies_are_named_together():
    text = ns.policies_sentence(policies([-1393.69, -118.95, -1393.69, -1393.69]))
    assert "No policy is expected to make money; the smallest expected loss is \\$118.95 ('RFM rule')" in text
    assert text.endswith(
        "The lowest expected profit is -\\$1,393.69 (shared by 'random', 'highest churn risk' and "
        "'highest CLV')."
    )


def test_the_policies_sentence_on_degenerate_tables():
    assert ns.policies_sentence(None) == "No targeting policy was compared."
    assert ns.policies_sentence(policies([]).iloc[:0]) == "No targeting policy was compared."
    assert ns.policies_sentence(policies([NAN, NAN])) == "No targeting policy was compared."
    one = ns.policies_sentence(policies([3.0]))
    assert "Only 'random' is expected to make money: \\$3.00" in one and "lowest" not in one
    bare = policies([3.0]).drop(columns=["cost", "contacted"])
    assert ns.policies_sentence(bare).startswith(
        "Under the assumed uplifts (parameters of this notebook, not measured), only 'random'"
    )


def test_the_sensitivity_sentence_reads_the_factors_tried_and_the_break_even_factors():
    factors = pd.Index([0.0, 1.0, 2.0], name="uplift factor")
    table = pd.DataFrame({"random": [-10.0, -5.0, 1.0], "RFM rule": [0.0, 3.0, 6.0]}, index=factors)
    compared = policies([-5.0, 3.0], factors=[1.326, 0.5])
    assert ns.sensitivity_sentence(table, compared) == (
        "Keeping the customers each policy contacts under the assumed uplifts, and scoring them at true "
        "uplifts from 0 to 2 times those assumed, 'RFM rule' never loses money; 'RFM rule', which makes "
        "money at the assumed uplifts, loses money if the true uplifts are below 50% of them; 'random', "
        "which loses money at the assumed uplifts, would need 1.3 times them to break even."
    )
    losing = policies([-5.0, -3.0, -1.0], factors=[1.3, 15.0, math.inf])
    text = ns.sensitivity_sentence(table.assign(**{"RFM rule": [-1.0, 3.0, 6.0]}), losing)
    assert "every policy loses money at some of these uplifts" in text
    assert "the 2 policies that lose money at the assumed uplifts would need 1.3 to 15.0 times them" in text
    assert text.endswith("'highest churn risk' is expected to save nothing at any uplift.")
    assert ns.sensitivity_sentence(None, None) == "The uplift sensitivity was not computed."
    assert ns.sensitivity_sentence(table.iloc[:0], compared) == "The uplift sensitivity was not computed."
    assert ns.sensitivity_sentence(table * NAN, compared) == "The uplift sensitivity was not computed."
    assert "true uplifts from 0 to 0 times" in ns.sensitivity_sentence(table.iloc[:1], None)


def test_the_sensitivity_sentence_agrees_with_the_break_even_of_the_contacts_chosen():
    """CDNOW: the policy that pays at the assumed uplifts was said to 'never lose money' over 0 to 2 times
    them (the table re-picked the customers at each uplift) while its contacts break even at 58%."""
    customers = st.customer_table(
        stage=pd.Series(["silent", "silent", "churned", "mature"], index=list("abcd")),
        clv=pd.Series([100.0, 50.0, 200.0, 80.0], index=list("abcd")),
        p_alive=pd.Series([0.5, 0.2, 0.1, 0.9], index=list("abcd")),
        spend=pd.Series([10.0, 20.0, 30.0, 40.0], index=list("abcd")),
    )
    # a contact costs 5: only 'a' (gain 7.5) and 'b' (6) pay; the budget reaches every customer
    args = dict(contact_cost=1, incentive_cost=2, redemption_rate=2, uplift_by_stage={"silent": 0.15})
    compared = st.compare_policies(customers, 100, **args)
    pays = "value at risk, only where it pays"
    assert [p for p in compared.index if compared.loc[p, "incremental profit"] > 0] == [pays]
    text = ns.sensitivity_sentence(st.uplift_sensitivity(customers, 100, **args), compared)
    assert f"'{pays}' never loses money" not in text and "every policy loses money at some" in text
    assert (
        f"'{pays}', which makes money at the assumed uplifts, loses money if the true uplifts are below 74% "
        "of them" in text
    )
    assert "would still break even at 74% of the assumed uplifts" in ns.policies_sentence(compared)


# ------------------------------------------------------------------------------- the campaign test
@pytest.fixture(scope="module")
def experiment():
    table, truth = st.simulate_experiment(
        2000,
        {"control": 0.05, "plain notice": 0.07, "notice + incentive": 0.11},
        segment_shares={"silent": 0.5, "churned": 0.5},
        segment_lift={"silent": 1.5, "churned": 0.5},
        seed=3,
    )
    return table, truth


def test_the_arms_sentence_gives_response_and_revenue_per_arm(experiment):
    table, _ = experiment
    summary = st.arm_summary(table)
    text = ns.arms_sentence(summary, alpha=0.05)
    row = summary.loc["control"]
    rate = f"{100 * round(row['response rate'], 3):.1f}%"
    assert text.startswith(
        f"Response by arm (95% intervals): control {rate} ({int(row['conversions'])} of 2,000; interval"
    )
    assert ns.arms_sentence(summary, alpha=0.1).startswith("Response by arm (90% intervals): ")
    assert ns.arms_sentence(summary, alpha=0.025).startswith("Response by arm (97.5% intervals): ")
    assert ns.arms_sentence(summary, simulated=True).startswith(
        "In the simulated campaign test (not this data's customers), response by arm (95% intervals): "
    )
    assert "Revenue per customer: control \\$" in text
    no_revenue = summary.assign(**{"revenue per customer": NAN})
    assert ns.arms_sentence(no_revenue).endswith("Revenue per customer was not measured (no revenue column).")
    assert (
        ns.arms_sentence(None) == "No arm to summarise."
        and ns.arms_sentence(summary.iloc[:0]) == "No arm to summarise."
    )
    assert ns.arms_sentence(summary.iloc[:1]).startswith("Response by arm (95% intervals): control")


def comparison(p_holm, diff=0.017, revenue=(0.45, -0.11, 1.0)):
    rows = [
        {
            "rate difference": diff,
            "difference lower": diff - 0.01,
            "difference upper": diff + 0.01,
            "z": 2.0,
            "p-value": p,
            "revenue difference": revenue[0],
            "revenue lower": revenue[1],
            "revenue upper": revenue[2],
            "p-value (Holm)": p,
        }
        for p in p_holm
    ]
    return pd.DataFrame(rows, index=pd.Index([f"arm {i}" for i in range(len(rows))], name="arm"))


@pytest.mark.parametrize(
    "p, judged",
    [
        (0.0499, "At α = 0.05 both response differences are beyond chance."),
        (0.05, "At α = 0.05 none of these response differences is beyond chance."),
        (0.0501, "At α = 0.05 none of these response differences is beyond chance."),
    ],
)
def test_beyond_chance_in_the_comparison_needs_a_holm_p_value_below_alpha(p, judged):
    text = ns.comparison_sentence(comparison([p, p]), alpha=0.05)
    assert judged in text and "adjusted for 2 comparisons (Holm)" in text
    one = ns.comparison_sentence(comparison([p]), alpha=0.05)
    assert "adjusted for 1 comparison (Holm)" in one
    assert f"At α = 0.05 the response difference is {'' if p < 0.05 else 'not '}beyond chance." in one
    three = ns.comparison_sentence(comparison([p, p, p]), alpha=0.05)
    assert ("every response difference is beyond chance" in three) is (p < 0.05)


def test_the_comparison_sentence_with_mixed_arms_signs_and_revenue():
    text = ns.comparison_sentence(comparison([0.001, 0.2]), alpha=0.05)
    assert (
        "arm 0's response rate is higher by 1.7 percentage points (interval 0.7 to 2.7 points; "
        "Holm-adjusted p = 0.001)" in text
    )
    assert "% of customers" not in text
    assert "the response difference is beyond chance for arm 0, not for arm 1." in text
    assert "+\\$0.45 for arm 0 (interval -\\$0.11 to \\$1.00, which includes zero)" in text
    lower = ns.comparison_sentence(comparison([0.0001], diff=-0.02, revenue=(2.75, 2.05, 3.46)))
    assert (
        "lower by 2.0 percentage points" in lower and "p < 0.001" in lower and "which excludes zero" in lower
    )
    near_zero = ns.comparison_sentence(comparison([0.06], diff=0.0096))
    assert "(interval 0.0 to 2.0 points;" in near_zero  # a lower bound of -0.0004 is not written -0.0
    simulated = ns.comparison_sentence(comparison([0.01]), simulated=True)
    assert simulated.startswith("In the simulated campaign test (not this data's customers), against the")
    no_revenue = comparison([0.01], revenue=(NAN, NAN, NAN))
    assert ns.comparison_sentence(no_revenue).endswith(
        "Revenue differences were not estimated (see the note)."
    )
    assert ns.comparison_sentence(None) == "No arm was compared with the control."
    assert ns.comparison_sentence(comparison([]).iloc[:0]) == "No arm was compared with the control."


def test_the_comparison_sentence_reads_a_real_comparison(experiment):
    table, _ = experiment
    text = ns.comparison_sentence(st.compare_arms(table, "control", alpha=0.1), alpha=0.1)
    assert text.startswith(
        "Against the control, with p-values adjusted for 2 comparisons (Holm): plain notice's"
    )
    assert "At α = 0.1 " in text


def test_the_truth_sentence_counts_covered_arms_or_says_the_truth_is_unknown(experiment):
    table, truth = experiment
    check = st.truth_vs_estimate(st.compare_arms(table, "control"), truth, "control")
    text = ns.truth_sentence(check.assign(**{"interval covers truth": [True, True]}))
    assert text.startswith("The intervals cover the true difference set in the simulation for every arm")
    assert "plain notice 2.0 and notice + incentive 6.0 percentage points" in text
    assert "for 1 of 2 arms" in ns.truth_sentence(check.assign(**{"interval covers truth": [True, False]}))
    real = st.truth_vs_estimate(st.compare_arms(table, "control"), None, "control")
    assert ns.truth_sentence(real).startswith("This is a real campaign table: the true effects are unknown")
    assert (
        ns.truth_sentence(None)
        == ns.truth_sentence(check.iloc[:0])
        == "There is no known truth to compare with."
    )


def interaction(p, note=None):
    test = {"likelihood-ratio chi-square": 7.522, "df": 2, "p-value": p}
    return pd.Series(test | ({st.NOTE: note} if note else {}), name="arm x segment interaction", dtype=object)


def per_segment():
    index = pd.MultiIndex.from_tuples(
        [("churned", "a"), ("churned", "b"), ("silent", "a"), ("silent", "b")], names=["segment", "arm"]
    )
    return pd.DataFrame(
        {
            "customers": [10] * 4,
            "risk difference": [0.01, 0.038, 0.024, 0.097],
            "lower": [-0.003, 0.024, 0.009, 0.078],
            "upper": [0.024, 0.054, 0.039, 0.115],
        },
        index=index,
    )


@pytest.mark.parametrize(
    "p, judged",
    [
        (0.0499, "below α = 0.05: the effect differs between segments beyond chance at that level."),
        (0.05, "not below α = 0.05: no difference between segments beyond chance at that level."),
        (0.0501, "not below α = 0.05"),
    ],
)
def test_the_effect_differs_by_segment_only_below_alpha(p, judged):
    text = ns.heterogeneity_sentence(per_segment(), interaction(p), alpha=0.05)
    assert judged in text and "(likelihood-ratio chi-square 7.52 on 2 df)" in text
    assert text.endswith(
        "by segment, in percentage points: a from 1.0 (churned; interval -0.3 to 2.4, not distinguishable "
        "from zero) to 2.4 (silent; interval 0.9 to 3.9); b from 3.8 (churned; interval 2.4 to 5.4) to 9.7 "
        "(silent; interval 7.8 to 11.5)."
    )
    assert "%" not in text.split("segment, in")[1]


@pytest.mark.parametrize("lower, zero", [(-0.0001, True), (0.0, True), (0.0001, False)])
def test_a_segment_difference_is_not_distinguishable_from_zero_only_when_its_interval_includes_zero(
    lower, zero
):
    table = per_segment().assign(lower=[lower, 0.024, 0.009, 0.078])
    text = ns.heterogeneity_sentence(table, interaction(0.3))
    assert ("not distinguishable from zero" in text) is zero
    simulated = ns.heterogeneity_sentence(table, interaction(0.3), simulated=True)
    assert simulated.startswith("In the simulated campaign test (not this data's customers), the arm x")


def test_the_heterogeneity_sentence_when_the_test_cannot_be_done():
    empty = per_segment().iloc[:0]
    text = ns.heterogeneity_sentence(empty, interaction(NAN, st.NO_SEGMENT_NOTE))
    assert text == f"The arm x segment interaction could not be tested: {st.NO_SEGMENT_NOTE}."
    assert ns.heterogeneity_sentence(None, None) == "The effect by segment was not tested."
    noted = ns.heterogeneity_sentence(per_segment(), interaction(0.3, "separation: ..."))
    assert "Read it with the note in the table." in noted
    one = ns.heterogeneity_sentence(per_segment().iloc[:1], interaction(0.3))
    assert one.endswith(
        "Response differences against the control by segment, in percentage points: a 1.0 (churned; "
        "interval -0.3 to 2.4, not distinguishable from zero)."
    )
    blank = per_segment().assign(**{"risk difference": NAN})
    assert ns.heterogeneity_sentence(blank, interaction(0.3)).endswith("at that level.")


def profit(nets, break_even=None):
    arms = ["control"] + [f"arm {i}" for i in range(len(nets))]
    return pd.DataFrame(
        {
            "incremental margin": [0.0] + [0.1] * len(nets),
            "contact cost": [0.0] + [0.1] * len(nets),
            "incentive cost": 0.0,
            "net incremental profit": [0.0] + [n / 1000 for n in nets],
            "net per 1,000 customers": [0.0, *nets],
            "break-even incentive per conversion": [NAN] + (break_even or [NAN] * len(nets)),
        },
        index=pd.Index(arms, name="arm"),
    )


@pytest.mark.parametrize(
    "net, judged", [(-0.01, "arm 0 loses money"), (0.0, None), (0.01, "arm 0 makes money")]
)
def test_an_arm_makes_money_only_above_the_floor_on_point_estimates(net, judged):
    text = ns.profit_sentence(profit([net]))
    assert "point estimates, with no interval, so the test does not show" in text
    if judged:
        assert f"On these estimates {judged}." in text
    else:
        assert "On these estimates" not in text


def test_the_profit_sentence_gives_break_even_segments_and_notes():
    text = ns.profit_sentence(profit([33.862, -421.574], break_even=[NAN, 6.326]))
    assert text.startswith(
        "Against the control, the net incremental profit per 1,000 customers is \\$33.86 for arm 0 and "
        "-\\$421.57 for arm 1"
    )
    assert "arm 0 makes money and arm 1 loses money." in text
    assert text.endswith("Break-even incentive per conversion: \\$6.33 for arm 1.")
    assert ns.profit_sentence(profit([5.0]), segment="silent").startswith("On silent customers, the net")
    no_revenue = profit([NAN, NAN])
    assert "needs revenue, which this test does not have" in ns.profit_sentence(no_revenue)
    note = pd.DataFrame({st.NOTE: ["segment 'x' (with a 'control' group) is not in this experiment"]})
    assert ns.profit_sentence(note) == "Segment 'x' (with a 'control' group) is not in this experiment."
    assert ns.profit_sentence(None) == ns.profit_sentence(profit([]).iloc[:1]) == "No profit was computed."


def test_the_plan_sentence_states_one_comparison():
    text = ns.plan_sentence(st.plan_test(0.05, 0.02))
    assert text.startswith(
        "To detect a lift of 2.0 percentage points over a 5.0% response rate with 80% power (two-sided, "
        "α = 0.05), each arm needs 2,199 customers."
    )
    assert "for one comparison with the control" in text
    assert ns.plan_sentence(None) == "The next test was not sized."
    assert ns.plan_sentence(pd.Series({"customers per arm": NAN})) == "The next test was not sized."


# ------------------------------------------------------------------------------ Answer and closing
@pytest.fixture(scope="module")
def recorded(experiment):
    """The figures notebook 05 records, from the layer's real results."""
    table, truth = experiment
    customers = st.customer_table(
        stage=pd.Series(["silent", "silent", "churned", "mature"], index=list("abcd")),
        clv=pd.Series([100.0, 50.0, 200.0, 80.0], index=list("abcd")),
        p_alive=pd.Series([0.5, 0.2, 0.1, 0.9], index=list("abcd")),
        spend=pd.Series([10.0, 20.0, 30.0, 40.0], index=list("abcd")),
    )
    compared = st.compare_policies(
        customers, 5, contact_cost=1, incentive_cost=2, redemption_rate=0.5, uplift_by_stage={"silent": 0.1}
    )
    comparison = st.compare_arms(table, "control")
    earned = st.incremental_profit(
        table,
        "control",
        margin=0.3,
        contact_cost={"plain notice": 0.1},
        incentive_cost={"notice + incentive": 10.0},
    )
    coverage = st.truth_vs_estimate(comparison, truth, "control")
    return st.headline_figures(
        compared, comparison, profit=earned, coverage=coverage, plan=st.plan_test(0.05, 0.02), alpha=0.05
    )


def test_the_closing_text_is_built_from_the_recorded_figures(recorded):
    text = narrative.closing("05_strategy_comparison", recorded)
    answer, bullets = text.split("\n\n")
    assert answer == narrative.answer("05_strategy_comparison", recorded)
    assert bullets.count("\n- ") == 3 and bullets.startswith("- **Targeting.** Under the assumed uplifts")
    assert f"{recorded['plain notice: response lift (points)']:.2f} percentage points" in bullets
    simulated = "In the simulated campaign test (not this data's customers), "
    assert recorded["campaign test simulated"] is True and simulated in answer
    assert f"- **The campaign test.** {simulated}response against" in bullets
    assert f"- **Profit in the test.** {simulated}" in bullets
    assert (
        f"intervals cover the true differences for {recorded['intervals covering the simulated truth']} arms"
        in bullets
    )
    assert "a point estimate without an interval" in bullets or "No arm makes money" in bullets
    assert "would break even at an incentive of \\$" in bullets
    assert (
        "- **The next test.** Each arm needs 2,199 customers to detect a lift of 2 percentage points over a "
        "5.0% response" in bullets
    )
    assert recorded["its break-even uplift factor"] is None or recorded["its break-even uplift factor"] > 0


@pytest.mark.parametrize(
    "p, judged",
    [
        (0.0499, "both response differences are beyond chance"),
        (0.05, "no response difference is beyond chance"),
        (0.0501, "no response difference is beyond chance"),
    ],
)
def test_the_closing_reads_the_recorded_p_values_at_the_recorded_alpha(p, judged):
    figures = {"a: response lift (points)": 1.5, "a: p-value (Holm)": p, "significance level (alpha)": 0.05}
    two = figures | {"b: response lift (points)": 1.0, "b: p-value (Holm)": p}
    assert judged in ns.what_this_means(two)
    one = f"At α = 0.05 the response difference is {'' if p < 0.05 else 'not '}beyond chance."
    assert one in ns.what_this_means(figures)


def test_the_closing_calls_a_loss_a_loss_and_leaves_out_what_did_not_run():
    losing = {
        "best targeting policy": "random",
        "its incremental profit": -5.0,
        "random targeting profit": -5.0,
        "most profitable arm": "mail",
        "its net profit per 1,000 customers": -3.0,
        "a: response lift (points)": 1.0,
        "a: p-value (Holm)": 0.2,
        "b: response lift (points)": 2.0,
        "b: p-value (Holm)": 0.01,
        "customers per arm for the planned test": 100,
    }
    text = ns.what_this_means(losing)
    assert (
        "no targeting policy is expected to make money; the smallest expected loss is 'random' (-\\$5.00)"
        in text
    )
    assert (
        "No arm makes money on the point estimates; the smallest loss per 1,000 customers is 'mail'" in text
    )
    assert "the response difference is beyond chance for b only" in text
    assert "- **The next test.** Each arm needs 100 customers, for one comparison" in text
    no_revenue = ns.what_this_means({"most profitable arm": None, "its net profit per 1,000 customers": None})
    assert no_revenue == "- **Profit in the test.** Not computed: the campaign table has no revenue."
    assert ns.what_this_means({}) == "- Nothing was estimated on this data."
    missing = {
        "not run: campaign test": "needs a randomized test; has none",
        "customers per arm for the planned test": 50,
    }
    closing = narrative.closing("05_strategy_comparison", missing)
    assert "Not run on this data: campaign test." in closing and "campaign test.**" not in closing


def test_the_answer_qualifies_the_arm_profit_and_the_test_size():
    figures = {
        "most profitable arm": "mail",
        "its net profit per 1,000 customers": 5.0,
        "customers per arm for the planned test": 2660,
    }
    assert ns.answer(figures) == (
        "**Answer.** In the campaign test, 'mail' has the highest net profit per 1,000 customers "
        "(\\$5.00, a point estimate). The next test needs 2,660 customers per arm for each comparison with "
        "the control."
    )


def test_the_answer_and_closing_name_a_simulated_test_as_such():
    """The simulated test is the same for every data set: the Answer must not present it as this data's."""
    figures = {
        "most profitable arm": "plain notice",
        "its net profit per 1,000 customers": 33.86,
        "plain notice: response lift (points)": 1.68,
        "plain notice: p-value (Holm)": 0.001,
        "significance level (alpha)": 0.05,
    }
    lead = "In the simulated campaign test (not this data's customers)"
    simulated = figures | {"campaign test simulated": True}
    assert ns.answer(simulated).startswith(f"**Answer.** {lead}, 'plain notice' has the highest net profit")
    assert ns.what_this_means(simulated).count(lead) == 2
    real = figures | {"campaign test simulated": False}
    assert lead not in ns.answer(real) and lead not in ns.what_this_means(real)
    assert ns.answer(real).startswith("**Answer.** In the campaign test, 'plain notice'")


@pytest.mark.parametrize("includes_zero", [True, False])
def test_the_answer_says_the_test_cannot_tell_whether_an_arm_pays_when_its_revenue_interval_includes_zero(
    includes_zero,
):
    figures = {
        "most profitable arm": "plain notice",
        "its net profit per 1,000 customers": 33.86,
        "its revenue interval includes zero": includes_zero,
    }
    said = "the test cannot tell whether it pays"
    assert (said in ns.answer(figures)) is includes_zero
    assert (said in ns.what_this_means(figures)) is includes_zero


def test_the_profit_sentence_cannot_tell_whether_an_arm_pays_when_its_revenue_interval_includes_zero():
    """CDNOW: 'On these estimates plain notice makes money' although its revenue difference per customer
    had an interval of -$0.11 to $1.00."""
    table = profit([33.862, -421.574], break_even=[NAN, 6.326]).assign(
        **{"revenue lower": [NAN, -0.11, 2.05], "revenue upper": [NAN, 1.0, 3.46]}
    )
    text = ns.profit_sentence(table)
    assert "arm 0 makes money" not in text
    assert (
        "The test cannot tell whether arm 0 pays: its revenue difference per customer against the control "
        "has an interval of -\\$0.11 to \\$1.00, which includes zero." in text
    )
    assert "On these estimates arm 1 loses money." in text
    excluded = table.assign(**{"revenue lower": [NAN, 0.01, 2.05]})
    assert "On these estimates arm 0 makes money and arm 1 loses money." in ns.profit_sentence(excluded)
    both = table.assign(**{"revenue lower": [NAN, -0.11, -0.5]})
    assert "cannot tell whether arm 0 and arm 1 pay: their revenue differences" in ns.profit_sentence(both)
    assert ns.profit_sentence(table, segment="silent", simulated=True).startswith(
        "In the simulated campaign test (not this data's customers), on silent customers, the net"
    )


LONG_TARGETING = {
    "best targeting policy": "value at risk, only where it pays",
    "its incremental profit": 0.48,
    "its ROI": 0.646,
    "its customers contacted": 1,
    "its cost": 0.75,
    "its break-even uplift factor": 0.607,
    "random targeting profit": -213.16,
    "random targeting cost": 225.0,
    "random targeting contacts": 300,
    "targeting budget": 1500.0,
}


@pytest.mark.parametrize("profit, material", [(14.99, False), (15.0, True), (15.01, True)])
def test_the_answer_names_a_best_policy_only_at_a_material_profit(profit, material):
    figures = LONG_TARGETING | {"its incremental profit": profit}
    answer, bullet = ns.answer(figures), ns.what_this_means(figures)
    named = "'value at risk, only where it pays' is the targeting policy with the highest incremental profit"
    assert (named in answer) is material
    assert ("no targeting policy is expected to make a material profit" in answer) is not material
    assert ("no policy is expected to make a material profit" in bullet) is not material
    assert "1% of the \\$1,500 budget" in answer + bullet


def test_the_closing_states_spend_in_the_singular_and_drops_the_same_budget_unless_true():
    """long: '$0.16 (1 contacts, ROI 0.21)' and 'random targeting of the same budget: -$212.76' although
    the policies spent $0.75 and $225."""
    text = ns.what_this_means(LONG_TARGETING)
    assert "from 1 contact costing \\$0.75" in text and "1 contacts" not in text
    assert "random targeting, spending \\$225.00 on 300 contacts: -\\$213.16" in text
    assert "same budget" not in text and "same spend" not in text
    same = LONG_TARGETING | {"random targeting cost": 0.75, "random targeting contacts": 1}
    assert "random targeting with the same spend: -\\$213.16" in ns.what_this_means(same)
    assert "from 1 contact" in ns.answer(LONG_TARGETING)


def test_headline_figures_record_what_the_closing_needs_and_nothing_infinite(recorded):
    assert recorded["significance level (alpha)"] == 0.05
    assert set(recorded) >= {
        "plain notice: p-value (Holm)",
        "notice + incentive: break-even incentive per conversion",
        "planned power (%)",
        "its customers contacted",
    }
    assert all(not (isinstance(v, float) and not np.isfinite(v)) for v in recorded.values())
    real = st.truth_vs_estimate(pd.DataFrame(), None, "control")
    plan = st.plan_test(0.05, 0.02)
    assert "intervals covering the simulated truth" not in st.headline_figures(
        None, None, profit=None, coverage=real, plan=plan
    )
