"""lifecycle_utils.narrative.strategy: notebook 05's sentences from small hand-made tables, each judgement
on both sides of its threshold (profit floor, alpha, majority), the degenerate inputs (None, empty,
all-NaN, one row, a note instead of a table), and the closing text from recorded figures."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    "lower, upper, expected",
    [
        (-0.01, 5.0, "not established"),
        (0.0, 5.0, "not established"),
        (0.01, 5.0, "makes money"),
        (-5.0, 0.01, "not established"),
        (-5.0, 0.0, "not established"),
        (-5.0, -0.01, "loses money"),
        (NAN, 5.0, None),
        (1.0, None, None),
    ],
)
def test_a_play_is_established_only_when_its_whole_interval_lies_on_one_side_of_the_floor(
    lower, upper, expected
):
    assert ns.PROFIT_FLOOR == 0.0
    assert ns.established(lower, upper) == expected
    assert ns.ESTABLISHED_RULE == "a play is established only when its whole interval lies above \\$0"


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
            "mean P(inactive)": churn or [0.051] * len(stake),
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


def test_the_matrix_sentence_names_the_stake_and_the_largest_group_and_no_clv_at_risk():
    text = ns.matrix_sentence(
        matrix([164370.0, 41963.0, 24761.0], risk=[7581.0, 11986.0, 16708.0], customers=[3145, 2969, 16374]),
        by="stage",
    )
    assert text == (
        "By lifecycle stage, mature customers hold most of the CLV at stake (\\$164,370; mean "
        "P(inactive) 5.1%); the largest group is churned (16,374 customers)."
    )
    same = ns.matrix_sentence(matrix([90.0, 10.0]), by="value_class")
    assert same.startswith("By value class, mature customers hold most of") and "at risk" not in same


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


# ------------------------------------------------------------------------------ plays by class and stage
def plays(moved=True):
    index = pd.MultiIndex.from_tuples(
        [("A", "mature"), ("A", "churned"), ("B", "silent"), ("B", "churned")], names=["class", "stage"]
    )
    return pd.DataFrame(
        {
            "play": ["keep", "one win-back offer", "cheap reactivation", "let go"],
            "customers": [50, 20, 30, 100],
            "CLV at stake": [500.0, 20.0, 90.0, 10.0],
            "stage play": [False, moved, moved, moved],
        },
        index=index,
    )


def test_the_plays_sentence_counts_customers_given_their_stage_play_and_names_the_largest_group():
    assert ns.plays_sentence(plays()) == (
        "The 120 churned and 30 silent customers get the play of their stage and past spend instead of their "
        "value class's, so no one who stopped buying is told a play for active customers; the largest such "
        "group is B customers who are churned (100): 'let go'."
    )
    assert ns.plays_sentence(plays(moved=False)).startswith("Every customer is in an active stage")
    assert ns.plays_sentence(None).startswith("No customer has both a value class and a lifecycle stage")


# ----------------------------------------------------------------------------- the measured uplift
def uplift_estimate(lower=-0.04, note=""):
    table = pd.DataFrame(
        {
            "uplift": [0.0876, 0.3577, 0.2327],
            "lower": [-0.279, 0.05, lower],
            "upper": [0.6523, 0.9487, 0.6299],
        },
        index=pd.Index(["churned", "silent", st.ALL_SEGMENTS], name="segment"),
    )
    return st.UpliftEstimate(table, pd.DataFrame(), "plain notice", "revenue", 0.95, note)


@pytest.mark.parametrize("lower, zero", [(-0.0001, True), (0.0, True), (0.0001, False)])
def test_a_measured_uplift_is_not_distinguishable_from_zero_only_when_its_interval_includes_zero(lower, zero):
    text = ns.uplift_sentence(uplift_estimate(lower))
    overall = text.split(" over all segments")[0]
    assert ("not distinguishable from zero" in overall) is zero


def test_the_uplift_sentence_states_the_arm_the_intervals_and_what_the_uplifts_score():
    text = ns.uplift_sentence(uplift_estimate(), simulated=True)
    assert text == (
        "In the simulated campaign test (not this data's customers), against the control, plain notice "
        "changed revenue per customer by +23.3% (95% interval -4.0% to +63.0%, not distinguishable from "
        "zero) over all segments; by segment: churned +8.8% (95% interval -27.9% to +65.2%, not "
        "distinguishable from zero); silent +35.8% (95% interval +5.0% to +94.9%). These measured uplifts, "
        "not the assumed ones, score the contact lists below."
    )
    noted = ns.uplift_sentence(uplift_estimate(note="the arm 'x' is not in this test"))
    assert noted.endswith("Note: the arm 'x' is not in this test.")
    assert ns.uplift_sentence(None) == "The test measured no uplift that could score the contact lists."


def test_the_stage_uplift_sentence_gives_the_break_even_beside_the_assumed_and_measured_uplift():
    table = pd.DataFrame(
        {
            "customers": [2969, 16374, 0],
            "cost per contact": [0.25, 0.25, 0.25],
            "future margin per customer": [14.13, 1.51, NAN],
            "assumed uplift": [0.1, 0.03, 0.0],
            "break-even uplift": [0.0177, 0.1653, NAN],
            "contacts that pay at the assumed uplift": [2953, 253, 0],
            "measured uplift": [0.3577, NAN, NAN],
            "measured on": ["silent", st.ALL_SEGMENTS, st.ALL_SEGMENTS],
        },
        index=pd.Index(["silent", "churned", "new"], name="stage"),
    )
    assert ns.stage_uplift_sentence(table) == (
        "A contact costing \\$0.25 pays, at the assumed uplifts (parameters of this notebook, not measured), "
        "for: silent: 2,953 of 2,969 customers, break-even uplift +1.8% for the average customer against "
        "+10.0% assumed and +35.8% measured (on silent); churned: 253 of 16,374 customers, break-even "
        "uplift +16.5% for the average customer against +3.0% assumed."
    )
    assert ns.stage_uplift_sentence(table.iloc[2:]) == "No stage has customers to contact."


# ---------------------------------------------------------------------------- targeting policies
def policies(profits, lower=None, upper=None, contacted=None, cost=None, loss=None, scored_on="plain notice"):
    names = list(st.POLICIES)[: len(profits)]
    n = len(profits)
    table = pd.DataFrame(
        {
            "contacted": contacted or [100] * n,
            "cost": cost or [75.0] * n,
            "future margin contacted": [1000.0] * n,
            "break-even uplift": [(cost or [75.0] * n)[i] / 1000 for i in range(n)],
            "incremental value": [75.0 + p for p in profits],
            "incremental profit": profits,
            "profit lower": lower or [p - 10 for p in profits],
            "profit upper": upper or [p + 10 for p in profits],
            "loss share": loss or [0.1] * n,
        },
        index=pd.Index(names, name="policy"),
    )
    table.attrs |= {"scored on": scored_on, "interval level": 0.95}
    return table


@pytest.mark.parametrize(
    "lower, judged",
    [
        (
            -0.01,
            "but a play is established only when its whole interval lies above \\$0 and this one does not",
        ),
        (0.0, "but a play is established only when its whole interval lies above \\$0 and this one does not"),
        (0.01, ": established to make money (a play is established only when its whole interval lies above"),
    ],
)
def test_the_best_list_is_established_only_when_its_whole_interval_lies_above_zero(lower, judged):
    text = ns.policies_sentence(policies([-10.0, 40.0], lower=[-20.0, lower], upper=[0.0, 90.0]), budget=1500)
    assert judged in text
    assert "(95% interval" in text and "a loss in 10% of bootstrap resamples" in text


@pytest.mark.parametrize("best, material", [(14.99, False), (15.0, True), (15.01, True)])
def test_an_established_list_is_called_the_best_only_at_a_material_profit(best, material):
    assert ns.MATERIAL_SHARE_OF_BUDGET == 1.0
    text = ns.policies_sentence(policies([-10.0, best], lower=[-20.0, 1.0]), budget=1500)
    below = "but below the materiality floor of 1% of the \\$1,500 budget, so no list is called the best"
    assert (below in text) is not material
    assert ns.material_profit(0.5, None) is True and ns.material_profit(NAN, 10) is None


def test_the_policies_sentence_says_what_scored_the_lists_and_what_each_spends():
    table = policies(
        [3911.67, 2830.26, -518.3, 14547.22, 14548.0, 14478.37],
        lower=[-1867.57, -555.45, -3258.45, -2137.96, -2137.54, 1.0],
        upper=[12688.88, 8048.64, -1.0, 40283.73, 40286.28, 39421.17],
        contacted=[6000, 1757, 6000, 6000, 6000, 1],
        cost=[1500.0, 439.25, 1500.0, 1500.0, 1500.0, 0.25],
        loss=[0.098, 0.058, 0.622, 0.047, 0.047, 0.039],
    )
    text = ns.policies_sentence(table, budget=1500, simulated=True)
    assert text.startswith(
        "Ranked at the assumed uplifts (parameters of this notebook, not measured) and scored on the uplift "
        "of 'plain notice' measured in the simulated campaign test (not this data's customers), not on their "
        "ranking: with a budget of \\$1,500 the policies spend \\$1,500 each on 6,000 contacts ('random', "
        "'lowest P(alive)', 'highest future margin' and 'highest contact value'); \\$439 on 1,757 "
        "contacts ('RFM rule'); \\$0.25 on 1 contact ('contact value, only where it pays'). The highest "
        "profit is \\$14,548 (95% interval -\\$2,138 to \\$40,286, a loss in 5% of bootstrap resamples), for "
        "'highest contact value', but"
    )
    assert "Established to make money: 'contact value, only where it pays'" in text
    assert "Established to lose money (interval below \\$0): 'lowest P(alive)'" in text
    assert "The lowest profit is -\\$518 ('lowest P(alive)')" in text
    assert text.endswith(
        "break even at a uniform uplift of +150.0% of their future margin. These dollars apply a simulated "
        "test's uplift to this data's customers: they illustrate the method, they do not forecast this "
        "data's profit."
    )
    assert " 1 contacts" not in text
    real = ns.policies_sentence(policies([5.0]), budget=None)
    assert "measured in the campaign test, not on their ranking: the policies spend" in real


def test_lists_whose_paired_difference_to_the_best_includes_zero_are_called_indistinguishable():
    table = policies([10.0, 50.0, 49.0]).assign(
        **{"vs best lower": [-60.0, NAN, -3.0], "vs best upper": [-1.0, NAN, 0.0]}
    )
    text = ns.policies_sentence(table)
    assert (
        "On the same resamples, 'lowest P(alive)' is indistinguishable from it (the interval "
        "of the difference includes \\$0). With one measured uplift per stage, a list ranked by future "
        "margin scores highest within a stage by construction" in text
    )
    assert "'random' is" not in text  # its whole interval of the difference lies below 0


def test_the_policies_sentence_without_a_test_says_the_lists_were_not_scored_and_why():
    unscored = policies([NAN, NAN], scored_on=None)
    text = ns.policies_sentence(unscored, budget=1500)
    assert text == (
        "With a budget of \\$1,500 the policies spend \\$75.00 each on 100 contacts ('random' and "
        "'RFM rule'). The lists were not scored: no test measured the uplift, and scoring them at the "
        "assumed uplifts would score the value policies on their own ranking key."
    )
    assert ns.policies_sentence(None) == ns.policies_sentence(policies([]).iloc[:0])
    assert ns.policies_sentence(None) == "No targeting policy was compared."


def test_tied_lowest_lists_are_named_together():
    text = ns.policies_sentence(policies([-5.0, 20.0, -5.0]))
    assert "The lowest profit is -\\$5.00 (shared by 'random' and 'lowest P(alive)')" in text


def test_the_sentences_read_what_the_layer_returns(experiment):
    table, _ = experiment
    customers = st.customer_table(
        stage=pd.Series(["silent", "silent", "churned", "mature"], index=list("abcd")),
        clv=pd.Series([100.0, 50.0, 200.0, 80.0], index=list("abcd")),
        p_alive=pd.Series([0.5, 0.2, 0.1, 0.9], index=list("abcd")),
    )
    measured = st.measured_uplift(table, "control", arm="plain notice", n_boot=200)
    compared = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=0,
        redemption_rate=0,
        uplift_by_stage={"silent": 0.1},
        scoring=measured,
    )
    text = ns.policies_sentence(compared, budget=5)
    assert "scored on the uplift of 'plain notice' measured in the campaign test" in text
    stages = st.stage_uplifts(customers, {"silent": 0.1}, per_contact=1.0, measured=measured)
    assert "measured (on silent)" in ns.stage_uplift_sentence(stages)
    assert ns.uplift_sentence(measured).startswith("Against the control, plain notice changed revenue per")


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


def profit(nets, break_even=None, lower=None, upper=None, loss=None):
    arms = ["control"] + [f"arm {i}" for i in range(len(nets))]
    n = len(nets)
    table = pd.DataFrame(
        {
            "incremental margin": [0.0] + [0.1] * n,
            "contact cost": [0.0] + [0.1] * n,
            "incentive cost": 0.0,
            "net incremental profit": [0.0] + [v / 1000 for v in nets],
            "net per 1,000 customers": [0.0, *nets],
            "net per 1,000 lower": [NAN] + (lower if lower is not None else [v - 100 for v in nets]),
            "net per 1,000 upper": [NAN] + (upper if upper is not None else [v + 100 for v in nets]),
            "loss share": [NAN] + (loss or [0.3] * n),
            "break-even incentive per conversion": [NAN] + (break_even or [NAN] * n),
        },
        index=pd.Index(arms, name="arm"),
    )
    table.attrs["interval level"] = 0.95
    return table


@pytest.mark.parametrize(
    "lower, upper, judged",
    [
        (-0.01, 50.0, "for arm 0 the test cannot tell whether it pays"),
        (0.0, 50.0, "for arm 0 the test cannot tell whether it pays"),
        (0.01, 50.0, "arm 0 is established to make money"),
        (-50.0, 0.0, "for arm 0 the test cannot tell whether it pays"),
        (-50.0, -0.01, "arm 0 is established to lose money"),
    ],
)
def test_an_arm_is_established_only_when_its_profit_interval_lies_on_one_side_of_zero(lower, upper, judged):
    text = ns.profit_sentence(profit([10.0], lower=[lower], upper=[upper]))
    assert (
        f"By the rule that a play is established only when its whole interval lies above \\$0: {judged}."
        in text
    )


def test_the_profit_sentence_gives_intervals_loss_shares_and_break_even():
    """The referee's reading: the plain notice between -$132 and +$198 per 1,000 customers, a loss in 36%
    of resamples, so 'the plain notice is the play' is not established."""
    table = profit(
        [33.862, -421.574],
        break_even=[NAN, 6.326],
        lower=[-132.0, -588.86],
        upper=[198.0, -246.55],
        loss=[0.36, 1.0],
    )
    text = ns.profit_sentence(table, simulated=True)
    assert text == (
        "In the simulated campaign test (not this data's customers), against the control, the net "
        "incremental profit per 1,000 customers is \\$33.86 for arm 0 (95% bootstrap interval -\\$132 to "
        "\\$198, a loss in 36% of resamples) and -\\$422 for arm 1 (bootstrap interval -\\$589 to "
        "-\\$247, a loss in 100% of resamples). By the rule that a play is established only when its "
        "whole interval lies above \\$0: arm 1 is established to lose money; for arm 0 the test cannot tell "
        "whether it pays. Break-even incentive per conversion: \\$6.33 for arm 1."
    )
    assert ns.profit_sentence(profit([5.0]), segment="silent").startswith("On silent customers, the net")
    bare = profit([5.0]).drop(columns=["net per 1,000 lower", "net per 1,000 upper"])
    assert ns.profit_sentence(bare).endswith("These are point estimates without an interval.")
    assert "needs revenue, which this test does not have" in ns.profit_sentence(profit([NAN, NAN]))
    note = pd.DataFrame({st.NOTE: ["segment 'x' (with a 'control' group) is not in this experiment"]})
    assert ns.profit_sentence(note) == "Segment 'x' (with a 'control' group) is not in this experiment."
    assert ns.profit_sentence(None) == ns.profit_sentence(profit([]).iloc[:1]) == "No profit was computed."


def test_the_profit_sentence_reads_a_real_profit_table(experiment):
    table, _ = experiment
    earned = st.incremental_profit(
        table, "control", margin=0.3, contact_cost={"plain notice": 0.1}, incentive_cost={}, n_boot=300
    )
    text = ns.profit_sentence(earned)
    assert "(95% bootstrap interval" in text and "By the rule that a play is established" in text


def test_the_plan_sentence_sizes_the_design_and_the_decision_metric(experiment):
    table, _ = experiment
    design = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=2, margin=0.3, contact_cost=0.1)
    text = ns.plan_sentence(design)
    profit_k = design.loc["profit, 2 comparisons"]
    assert text.startswith(
        "The next test compares 2 treatment arms with the control under Holm's adjustment, so each "
        "comparison is sized at α = 0.025 (Bonferroni, whose rejections Holm always makes too: each arm with "
        "the effect gets at least the planned power). To detect a lift of 2.0 percentage points over a 5.0% "
        "response rate with 80% power, each arm needs 2,663 customers (2,199 for a single comparison). The "
        "decision is on profit: the \\$0.14 per customer that lift brings"
    )
    assert f"needs {int(profit_k['customers per arm']):,} customers per arm (" in text
    assert text.endswith(
        f"{int(profit_k['customers in all']):,} in all: the size the test needs, since profit is what it "
        "decides."
    )
    assert "from the campaign table's revenue per conversion" in text
    simulated = ns.plan_sentence(design, simulated=True)
    assert "from the simulated table's revenue per conversion" in simulated and simulated.endswith(
        "That spread is the simulated campaign's, not this data's customers': with a campaign table of your "
        "own (EXPERIMENT_PATH) the profit test is sized on yours."
    )
    one = ns.plan_sentence(st.plan_design(None, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3))
    assert one.startswith("The next test compares one treatment arm with the control (α = 0.05, two-sided).")
    assert (
        "each arm needs 2,199 customers. The profit test could not be sized: no revenue of converted" in one
    )
    losing = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3, contact_cost=1.0)
    assert "could not be sized: at the planned lift the arm does not pay" in ns.plan_sentence(losing)
    assert ns.plan_sentence(None) == "The next test was not sized."


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
    measured = st.measured_uplift(table, "control", arm="plain notice", n_boot=300)
    compared = st.compare_policies(
        customers,
        5,
        contact_cost=1,
        incentive_cost=2,
        redemption_rate=0.5,
        uplift_by_stage={"silent": 0.1},
        scoring=measured,
        stages=["silent", "churned"],
    )
    comparison = st.compare_arms(table, "control")
    earned = st.incremental_profit(
        table,
        "control",
        margin=0.3,
        contact_cost={"plain notice": 0.1},
        incentive_cost={"notice + incentive": 10.0},
        n_boot=300,
    )
    coverage = st.truth_vs_estimate(comparison, truth, "control")
    design = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=2, margin=0.3, contact_cost=0.1)
    return st.headline_figures(
        compared, comparison, profit=earned, coverage=coverage, design=design, alpha=0.05, budget=5
    )


def test_the_closing_text_is_built_from_the_recorded_figures(recorded):
    text = narrative.closing("05_strategy_comparison", recorded)
    answer, bullets = text.split("\n\n")
    assert answer == narrative.answer("05_strategy_comparison", recorded)
    assert bullets.count("\n- ") == 3
    assert bullets.startswith(
        "- **Targeting.** From the data alone, the contact list that needs the smallest uplift to pay is "
        f"'{recorded['lowest break-even policy']}': a contact must raise the future margin of those it "
        "reaches by +"
    )
    # a simulated test's uplift puts no dollar figure on this data's lists
    assert "No profit is stated for any list: the only measured uplift is the simulated" in bullets
    assert "earns the most" not in text
    assert f"{recorded['plain notice: response lift (points)']:.2f} percentage points" in bullets
    simulated = "In the simulated campaign test (not this data's customers), "
    assert recorded["campaign test simulated"] is True and simulated in answer
    assert f"- **The campaign test.** {simulated}response against" in bullets
    assert f"- **Profit in the test.** {simulated}" in bullets
    assert "would break even at an incentive of \\$" in bullets
    n = recorded["customers per arm for the planned test"]
    assert (
        recorded["planned test sized on"] == "profit" and n > recorded["customers per arm for the response"]
    )
    assert (
        f"- **The next test.** The next test needs {n:,} customers per arm (profit, 2 treatment arms"
        in bullets
    )
    assert f"The next test needs {n:,} customers per arm" in answer


@pytest.mark.parametrize(
    "lower, judged",
    [
        (-0.01, "but its interval does not lie above \\$0: not established."),
        (0.0, "but its interval does not lie above \\$0: not established."),
        (0.01, ": established to make money."),
    ],
)
def test_the_answer_calls_a_contact_list_established_only_when_its_interval_lies_above_zero(lower, judged):
    figures = {
        "best targeting policy": "highest contact value",
        "its incremental profit": 100.0,
        "its profit lower": lower,
        "its profit upper": 300.0,
        "its profit loss share": 0.05,
        "targeting scored on": "plain notice",
        "targeting budget": 1500.0,
    }
    assert judged in ns.answer(figures)
    small = figures | {"its profit lower": 1.0, "its incremental profit": 14.99}
    assert "established to make money, but below the materiality floor of 1% of the \\$1,500" in ns.answer(
        small
    )


@pytest.mark.parametrize(
    "lower, upper, judged",
    [
        (
            -0.01,
            9.0,
            "not established (its interval does not lie above \\$0): the test cannot tell whether it pays",
        ),
        (0.01, 9.0, "established to make money"),
        (-9.0, -0.01, "no arm makes money: even the best is established to lose money"),
    ],
)
def test_the_answer_judges_the_best_arm_on_its_profit_interval(lower, upper, judged):
    figures = {
        "most profitable arm": "mail",
        "its net profit per 1,000 customers": 5.0,
        "its net profit per 1,000 lower": lower,
        "its net profit per 1,000 upper": upper,
        "its net profit loss share": 0.36,
    }
    assert "'mail' has the highest net profit per 1,000 customers (\\$5.00, interval" in ns.answer(figures)
    assert judged in ns.answer(figures) and judged in ns.what_this_means(figures)
    point = {"most profitable arm": "mail", "its net profit per 1,000 customers": 5.0}
    assert "a point estimate without an interval" in ns.answer(point)


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


def test_the_closing_leaves_out_what_did_not_run_and_says_when_the_lists_were_not_scored():
    unscored = {
        "best targeting policy": "random",
        "its incremental profit": None,
        "its customers contacted": 3,
    }
    assert ns.what_this_means(unscored) == (
        "- **Targeting.** The contact lists were not scored: no test measured the uplift (ranked at the "
        "assumed uplifts (parameters of this notebook, not measured))."
    )
    no_revenue = ns.what_this_means({"most profitable arm": None, "its net profit per 1,000 customers": None})
    assert no_revenue == "- **Profit in the test.** Not computed: the campaign table has no revenue."
    assert ns.what_this_means({}) == "- Nothing was estimated on this data."
    missing = {
        "not run: campaign test": "needs a randomized test; has none",
        "customers per arm for the planned test": 50,
        "planned test sized on": "response",
        "planned comparisons": 1,
    }
    closing = narrative.closing("05_strategy_comparison", missing)
    assert "Not run on this data: campaign test." in closing and "campaign test.**" not in closing
    assert (
        "The next test needs 50 customers per arm (response, one treatment arm against the control)."
        in closing
    )


def test_the_answer_and_closing_name_a_simulated_test_as_such():
    """The simulated test is the same for every data set: the Answer must not present it as this data's."""
    figures = {
        "most profitable arm": "plain notice",
        "its net profit per 1,000 customers": 33.86,
        "plain notice: response lift (points)": 1.68,
        "plain notice: p-value (Holm)": 0.001,
        "significance level (alpha)": 0.05,
        "best targeting policy": "highest contact value",
        "its incremental profit": 10.0,
        "targeting scored on": "plain notice",
    }
    lead = "In the simulated campaign test (not this data's customers)"
    simulated = figures | {"campaign test simulated": True}
    assert f"{lead}, 'plain notice' has the highest net profit" in ns.answer(simulated)
    assert "No profit is stated for any list" in ns.answer(simulated) and "\\$10" not in ns.answer(simulated)
    assert ns.what_this_means(simulated).count(lead) == 2
    real = figures | {"campaign test simulated": False}
    assert lead not in ns.answer(real) and "simulated" not in ns.what_this_means(real)
    assert "In the campaign test, 'plain notice'" in ns.answer(real)
    assert (
        "Scored on the uplift of 'plain notice' measured in the campaign test, 'highest contact value' earns"
        in (ns.answer(real))
    )


def test_headline_figures_record_what_the_closing_needs_and_nothing_infinite(recorded):
    assert recorded["significance level (alpha)"] == 0.05
    assert set(recorded) >= {
        "plain notice: p-value (Holm)",
        "notice + incentive: break-even incentive per conversion",
        "planned power (%)",
        "its customers contacted",
        "its profit lower",
        "its net profit per 1,000 lower",
        "targeting scored on",
    }
    assert all(not (isinstance(v, float) and not np.isfinite(v)) for v in recorded.values())
    real = st.truth_vs_estimate(pd.DataFrame(), None, "control")
    design = st.plan_design(None, control_rate=0.05, lift=0.02, comparisons=1, margin=0.3)
    assert "intervals covering the simulated truth" not in st.headline_figures(
        None, None, profit=None, coverage=real, design=design
    )


def test_the_plan_sentence_writes_a_split_alpha_as_the_table_rounds_it(experiment):
    table, _ = experiment
    design = st.plan_design(table, control_rate=0.05, lift=0.02, comparisons=3, margin=0.3)
    assert design.loc["response, 3 comparisons", "alpha per comparison"] == 0.0167
    assert "each comparison is sized at α = 0.0167 (Bonferroni" in ns.plan_sentence(design)
