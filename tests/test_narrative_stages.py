"""lifecycle_utils.narrative.stages: the sentences of notebook 01 from small hand-made tables, each
judgement just below, at and just above its threshold, and the degenerate inputs (None, empty, all-NaN,
a single row) a section that could not run leaves behind."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from lifecycle_utils import narrative
from lifecycle_utils import stages as S
from lifecycle_utils.narrative import stages as ns
from lifecycle_utils.narrative.words import Text

RULES = S.StageRules(silent_days=30, churn_days=90, mature_occasions=3)
NAN = float("nan")


def test_ordinals():
    assert [ns.ordinal(k) for k in (1, 2, 4, 10, 11, 12, 13, 21, 22, 23, 101)] == [
        "first",
        "second",
        "fourth",
        "tenth",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
    ]


# ------------------------------------------------------------------------------------------- gaps
def gap_table(days=(30, 100, 200)):
    return pd.DataFrame({"returns within (%)": [50, 80, 95][: len(days)], "days": list(days)})


def test_the_gap_sentence_states_the_quantiles_and_the_observed_span():
    text = ns.gap_sentence(gap_table(), observed_days=400)
    assert isinstance(text, Text)
    assert text.startswith(
        "Of the observed gaps between two purchase occasions of a customer, 50% are at most 30 days, "
        "80% at most 100 days and 95% at most 200 days."
    )
    assert "The log covers 400 days, so no longer gap can be observed" in text
    assert "unlikely" not in text and "returns" not in text
    assert "log covers" not in ns.gap_sentence(gap_table(), observed_days=None)
    assert ns.gap_sentence(gap_table((7,))).startswith("Of the observed gaps") and "50% are at most 7" in (
        ns.gap_sentence(gap_table((7,)))
    )


@pytest.mark.parametrize("table", [None, gap_table(())[:0], gap_table((NAN, NAN))])
def test_no_gaps_is_said_not_computed(table):
    assert ns.gap_sentence(table, observed_days=10).startswith("No customer bought on two different days")


# ----------------------------------------------------------------------------------------- mature
def repeat_table(probs, customers=None):
    table = pd.DataFrame(
        {
            "occasions": range(1, len(probs) + 1),
            "customers": customers or [1000] * len(probs),
            "repeat probability": probs,
        }
    )
    table["gain"] = table["repeat probability"].diff()
    return table


@pytest.mark.parametrize(
    ("step", "levels"), [(0.049, True), (0.05, False), (0.051, False)], ids=["below", "at", "above"]
)
def test_levels_off_only_when_a_step_is_below_the_tolerance(step, levels):
    # 1 -> 2 gains 0.2, 2 -> 3 gains `step`
    table = repeat_table([0.3, 0.5, 0.5 + step])
    rules = S.StageRules(30, 90, 2 if levels else 3)
    text = ns.mature_sentence(table, rules, tolerance=0.05)
    assert ("levels off at 2 occasions" in text) is levels
    assert "MATURE_TOLERANCE = 0.05" in text
    if levels:
        assert f"changes it by +{step:.3f}, less than MATURE_TOLERANCE" in text
        assert text.endswith("Customers with 2 or more purchase occasions count as mature.")
    else:
        assert "not seen to level off: the cut-off is 3 occasions, the most with at least 100" in text


def test_the_mature_sentence_describes_an_association_only_when_the_curve_rises():
    rising = ns.mature_sentence(repeat_table([0.3, 0.5, 0.52, 0.53]), RULES, tolerance=0.05)
    assert "30.0% after the first and 50.0% after the second purchase occasion" in rising
    assert "bought again within 90 days" in rising
    assert "more likely to buy again: an association across customers" in rising
    assert "makes" not in rising
    falling = ns.mature_sentence(repeat_table([0.5, 0.3, 0.6, 0.61]), RULES, tolerance=0.05)
    assert "more likely" not in falling


def test_a_later_step_above_the_tolerance_is_reported():
    table = repeat_table([0.3, 0.5, 0.52, 0.53, 0.7])  # 2->3 +0.02 levels off; 4->5 +0.17
    text = ns.mature_sentence(table, S.StageRules(30, 90, 2), tolerance=0.05)
    assert "though a later step adds more again (+0.170 from 4 to 5)" in text
    calm = ns.mature_sentence(repeat_table([0.3, 0.5, 0.52, 0.53]), S.StageRules(30, 90, 2), tolerance=0.05)
    assert "no later step among these adds as much" in calm


def test_the_default_and_a_parameter_override_are_named():
    tiny = repeat_table([0.3, 0.5, 0.6], customers=[30, 10, 5])
    text = ns.mature_sentence(tiny, S.StageRules(30, 90, 2), tolerance=0.05)
    assert "no levelling off can be seen: the cut-off is the default of 2 occasions" in text
    overridden = ns.mature_sentence(repeat_table([0.3, 0.5, 0.51]), S.StageRules(30, 90, 5), tolerance=0.05)
    assert overridden.endswith(
        "The rules in use set mature from 5 occasions instead: a parameter overrides the rules derived from "
        "the data."
    )


@pytest.mark.parametrize(
    "table", [None, repeat_table([])[:0], repeat_table([NAN, NAN])], ids=["none", "empty", "all-nan"]
)
def test_no_repeat_probability_is_said(table):
    text = ns.mature_sentence(table, RULES, tolerance=0.05)
    assert text.startswith("No purchase occasion lies far enough") and "mature from 3" in text
    assert (
        ns.mature_sentence(table, None, tolerance=0.05)
        == "No stage rules were derived: no mature cut-off to read."
    )


def test_a_single_row_falls_back_to_the_default():
    text = ns.mature_sentence(repeat_table([0.4]), S.StageRules(30, 90, 2), tolerance=0.05)
    assert "default of 2 occasions" in text and "40.0% after the first" in text


# ------------------------------------------------------------------------------------------ rules
def test_the_rules_sentence_says_what_the_gap_share_is():
    gaps = pd.Series([10, 20, 40, 100])
    text = ns.rules_sentence(RULES.describe(gaps=gaps))
    assert text == (
        "Silent after 30 days and churned after 90 days without a purchase: 50.0% and 25.0% of the observed "
        "gaps between two purchases are longer than these. Mature from 3 purchase occasions."
    )
    assert ns.rules_sentence(RULES.describe()) == (
        "Silent after 30 days and churned after 90 days without a purchase. Mature from 3 purchase occasions."
    )
    assert (
        ns.rules_sentence(None)
        == ns.rules_sentence(RULES.describe().iloc[:0])
        == "No stage rules were derived."
    )


# ---------------------------------------------------------------------------------- stage sizes
def sizes(rows, dates=None):
    dates = dates or pd.date_range("2024-01-31", periods=len(rows), freq="ME")
    table = pd.DataFrame(rows, columns=S.STAGES, index=pd.DatetimeIndex(dates, name="snapshot"))
    table.columns.name = "stage"
    return table


def test_the_sizes_sentence_states_the_last_snapshot_the_largest_stage_and_the_silent_peak():
    table = sizes([[10, 0, 0, 0, 0], [2, 3, 1, 6, 0], [0, 2, 2, 5, 3], [0, 1, 2, 3, 6]])
    text = ns.sizes_sentence(table)
    assert text.startswith(
        "At the last snapshot (2024-04-30), 6 of the 12 customers acquired by then (50.0%) are churned, "
        "3 silent and 3 active (0 new, 1 growing, 2 mature)."
    )
    assert "Churned customers are the largest stage at the last snapshot." in text
    assert "Silent customers peaked at 6 on 2024-02-29." in text
    longer = sizes([[10, 0, 0, 0, 0], [0, 1, 2, 3, 6], [0, 1, 1, 3, 7]])
    assert "Churned customers have been the largest stage since 2024-02-29." in ns.sizes_sentence(longer)
    always = sizes([[0, 0, 0, 1, 5], [0, 0, 0, 1, 6]])
    assert "largest stage at every snapshot" in ns.sizes_sentence(always)


@pytest.mark.parametrize(
    "table",
    [None, sizes([])[:0], sizes([[0, 0, 0, 0, 0]]), sizes([[NAN] * 5])],
    ids=["none", "empty", "zero", "all-nan"],
)
def test_no_customers_at_the_last_snapshot(table):
    assert ns.sizes_sentence(table) == "No customer is acquired by the last snapshot."


def test_a_single_snapshot_states_it_and_stops():
    text = ns.sizes_sentence(sizes([[4, 0, 0, 0, 0]]))
    assert text.endswith("(4 new, 0 growing, 0 mature).")


def role(table, name):
    """The row of a ``stages.size_summary`` table that shows ``name`` (``last snapshot``, ...)."""
    return next(label for label in table.index if name in label.split(" / "))


def test_the_sizes_sentence_reads_its_figures_from_the_summary_the_notebook_shows():
    raw = sizes([[10, 0, 0, 0, 0], [2, 3, 1, 6, 0], [0, 2, 2, 5, 3], [0, 1, 2, 3, 6]])
    shown = S.size_summary(raw)
    assert ns.sizes_sentence(shown) == ns.sizes_sentence(raw)
    altered = shown.copy()  # a figure changed in the shown table is the figure the sentence states
    altered.loc[role(shown, "last snapshot"), ["active", "customers acquired", "churned (%)"]] = [
        30,
        120,
        5.0,
    ]
    altered.loc[role(shown, "silent peak"), "silent"] = 60
    text = ns.sizes_sentence(altered)
    assert "6 of the 120 customers acquired by then (5.0%) are churned, 3 silent and 30 active" in text
    assert "Silent customers peaked at 60 on 2024-02-29." in text


def test_the_sizes_summary_without_a_last_snapshot_or_customers():
    shown = S.size_summary(sizes([[10, 0, 0, 0, 0], [0, 1, 2, 3, 6]]))
    assert (
        ns.sizes_sentence(shown.drop(index=role(shown, "last snapshot")))
        == "No customer is acquired by the last snapshot."
    )
    assert ns.sizes_sentence(S.size_summary(sizes([])[:0])) == "No customer is acquired by the last snapshot."


# ---------------------------------------------------------------------------------------- revenue
@pytest.mark.parametrize(
    ("mature", "most"), [(49.9, False), (50.0, False), (50.1, True)], ids=["below", "at", "above"]
)
def test_most_of_the_revenue_only_above_half(mature, most):
    rest = (100.0 - mature) / 2
    table = sizes([[0.0] * 5, [rest, rest, mature, 0.0, 0.0]]).astype(float)
    text = ns.revenue_sentence(table)
    assert ("mature customers bought most of the revenue" in text) is most
    assert ("mature customers bought the largest share of the revenue" in text) is (not most)


def test_the_revenue_sentence_names_the_buyers_of_the_last_period():
    table = sizes([[100.0, 0, 0, 0, 0], [0, 25.0, 75.0, 0, 0]]).astype(float)
    text = ns.revenue_sentence(table)
    assert text.startswith(
        "In the period ending 2024-02-29, revenue was \\$100: \\$75 (75.0%) from mature customers and \\$25 "
        "(25.0%) from growing customers. Silent and churned customers bought nothing in it."
    )
    assert "Over all 2 periods, new customers bought the largest share of the revenue (50.0%)." in text
    single = ns.revenue_sentence(table.iloc[1:])
    assert "Over all" not in single


def test_the_revenue_sentence_reads_its_figures_from_the_summary_the_notebook_shows():
    raw = sizes([[100.0, 0, 0, 0, 0], [0, 25.0, 75.0, 0, 0]]).astype(float)
    shown = S.revenue_summary(raw)
    assert ns.revenue_sentence(shown) == ns.revenue_sentence(raw)
    altered = shown.copy()
    altered.loc["total", ("period ending 2024-02-29", "revenue")] = 1000.0
    altered.loc["mature", ("period ending 2024-02-29", "share (%)")] = 7.5
    altered.loc["new", ("all 2 periods", "share (%)")] = 51.0
    text = ns.revenue_sentence(altered)
    assert text.startswith("In the period ending 2024-02-29, revenue was \\$1,000: \\$75 (7.5%) from mature")
    assert "Over all 2 periods, new customers bought most of the revenue (51.0%)." in text
    assert "Over all" not in ns.revenue_sentence(S.revenue_summary(raw.iloc[1:]))


def test_no_revenue_or_a_net_loss_is_not_read_as_shares():
    assert ns.revenue_sentence(None) == ns.revenue_sentence(sizes([])[:0]) == "No revenue to split by stage."
    assert ns.revenue_sentence(sizes([[NAN] * 5])) == "No revenue to split by stage."
    loss = ns.revenue_sentence(sizes([[0, -5.0, 0, 0, 0]]).astype(float))
    assert "net revenue is -\\$5: no shares by stage are read" in loss
    assert ns.revenue_sentence(S.revenue_summary(sizes([])[:0])) == "No revenue to split by stage."


# ------------------------------------------------------------------------------------ transitions
def matrix(churned_stay=0.98, silent=(0.0, 0.03, 0.02, 0.8, 0.15)):
    rows = {
        "new": [0.7, 0.1, 0.0, 0.2, 0.0],
        "growing": [0.0, 0.7, 0.1, 0.2, 0.0],
        "mature": [0.0, 0.0, 0.9, 0.1, 0.0],
        "silent": list(silent),
        "churned": [0.0, 1 - churned_stay, 0.0, 0.0, churned_stay],
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=S.STAGES)
    table.index.name, table.columns.name = "from", "to"
    return table


@pytest.mark.parametrize(("stay", "sticky"), [(0.949, False), (0.95, True), (0.951, True)])
def test_churn_is_sticky_from_the_threshold(stay, sticky):
    text = ns.transitions_sentence(matrix(churned_stay=stay))
    assert text.startswith("Churn is sticky: ") is sticky
    assert f"{100 * stay:.1f}% of churned customers are still churned at the next snapshot" in text
    assert text.endswith("(Pooled over all pairs of consecutive monthly snapshots.)")


def test_silent_customers_lost_and_back_are_compared():
    assert "5.0% buy again (more are lost than come back)" in ns.transitions_sentence(matrix())
    fewer = matrix(silent=(0.0, 0.1, 0.1, 0.75, 0.05))
    assert "(fewer are lost than come back)" in ns.transitions_sentence(fewer)
    even = matrix(silent=(0.0, 0.05, 0.05, 0.8, 0.1))
    assert "(as many are lost as come back)" in ns.transitions_sentence(even)


def test_the_transitions_sentence_reads_its_figures_from_the_summary_the_notebook_shows():
    shown = S.transition_summary(matrix())
    assert ns.transitions_sentence(shown) == ns.transitions_sentence(matrix())
    altered = shown.copy()
    altered.loc["churned", "new, growing or mature"] = 3.3
    altered.loc["silent", "new, growing or mature"] = 20.0
    text = ns.transitions_sentence(altered)
    assert "still churned at the next snapshot and 3.3% buy again" in text
    assert "15.0% move to churned from one snapshot to the next and 20.0% buy again (fewer are lost" in text


def test_transitions_with_empty_rows_and_none():
    table = matrix()
    table.loc["churned"] = NAN
    text = ns.transitions_sentence(table)
    assert "churned customers are still" not in text and text.startswith("Of silent customers")
    assert ns.transitions_sentence(None).startswith("No customer is seen at two consecutive snapshots")
    assert ns.transitions_sentence(matrix() * NAN).startswith(
        "No customer is seen at two consecutive snapshots"
    )
    only_new = matrix().loc[["new"]]
    assert (
        ns.transitions_sentence(only_new)
        == "No customer was churned, silent or mature at a snapshot before the last."
    )


# ------------------------------------------------------------------------------------------ flows
def flows(rows: dict):
    table = pd.DataFrame.from_dict(rows, orient="index", columns=S.STAGES)
    table.index.name, table.columns.name = "stage at 2023-06-30", "stage at 2024-06-30"
    return table


def test_the_flows_sentence_describes_an_association_not_an_effect():
    table = flows({"new": [0, 1, 1, 2, 6], "mature": [0, 0, 5, 3, 2], "not yet acquired": [4, 1, 0, 0, 0]})
    text = ns.flows_sentence(table)
    assert text.startswith(
        "Of the 10 customers mature on 2023-06-30, 5 (50.0%) were still mature on 2024-06-30."
    )
    assert (
        "Share churned by 2024-06-30, by stage on 2023-06-30: new 60.0% (6 of 10) and mature 20.0% (2 of 10)."
        in text
    )
    assert "Customers mature then had churned less often than customers new then: an association" in text
    assert "The 5 customers acquired after 2023-06-30 are left out." in text
    reverse = flows({"new": [0, 1, 1, 6, 2], "mature": [0, 0, 2, 2, 6]})
    assert "had churned more often" in ns.flows_sentence(reverse)
    same = flows({"new": [0, 1, 1, 6, 2], "mature": [0, 0, 6, 2, 2]})
    assert "often than" not in ns.flows_sentence(same)
    for word in ("difference", "makes", "converting"):
        assert word not in text


def test_the_flows_sentence_reads_its_figures_from_the_summary_the_notebook_shows():
    raw = flows({"new": [0, 1, 1, 2, 6], "mature": [0, 0, 5, 3, 2], "not yet acquired": [4, 1, 0, 0, 0]})
    shown = S.flow_summary(raw)
    assert ns.flows_sentence(shown) == ns.flows_sentence(raw)
    altered = shown.copy()
    altered.loc["mature", ["customers", "same stage (%)", "churned (%)"]] = [40, 12.5, 5.0]
    altered.loc["not yet acquired", "customers"] = 7
    text = ns.flows_sentence(altered)
    assert text.startswith("Of the 40 customers mature on 2023-06-30, 5 (12.5%) were still mature")
    assert "mature 5.0% (2 of 40)" in text and "The 7 customers acquired after 2023-06-30" in text
    assert (
        ns.flows_sentence(S.flow_summary(flows({"new": [0, 0, 0, 0, 0]})))
        == "No customer is in both snapshots."
    )


def test_flows_without_a_new_or_mature_row_and_degenerate_tables():
    silent_only = ns.flows_sentence(flows({"silent": [0, 1, 0, 1, 2]}))
    assert silent_only == "Share churned by 2024-06-30, by stage on 2023-06-30: silent 50.0% (2 of 4)."
    assert ns.flows_sentence(None) == ns.flows_sentence(flows({})) == "No customer is in both snapshots."
    assert ns.flows_sentence(flows({"new": [0, 0, 0, 0, 0]})) == "No customer is in both snapshots."


# ------------------------------------------------------------------------------------------ spells
def spells(rows):
    """Rows of (spells, completed, median) per stage in STAGES order, as stages.time_in_stage shows."""
    table = pd.DataFrame(
        rows, columns=["spells", "completed", "median (snapshots)"], index=S.STAGES[: len(rows)]
    )
    table.insert(2, "still running", table["spells"] - table["completed"])
    table.index.name = "stage"
    return table


def test_the_spells_sentence_reads_kaplan_meier_medians_and_counts_the_running_ones():
    table = spells([[10, 10, 3.0], [8, 6, 4.0], [6, 3, 7.0], [5, 1, NAN]])
    text = ns.spells_sentence(table)
    assert text.startswith(
        "Counting spells still running at the end of the data as censored (Kaplan-Meier), the median spell "
        "lasts 3 as new, 4 as growing, 7 as mature and not reached as silent (monthly snapshots)."
    )
    assert "Of the medians reached, mature spells last longest." in text
    assert (
        "Still running when the data ends: 2 of 8 growing spells, 3 of 6 mature spells and 4 of 5 silent"
        in text
    )
    tie = ns.spells_sentence(spells([[10, 10, 4.0], [8, 6, 4.0]]))
    assert "new and growing spells last longest" in tie
    one = ns.spells_sentence(spells([[4, 2, 2.0]]))
    assert "longest" not in one and "2 of 4 new spells" in one


@pytest.mark.parametrize(
    "table",
    [None, spells([])[:0], spells([[0, 0, NAN]]), spells([[NAN, NAN, NAN]])],
    ids=["none", "empty", "no-spells", "all-nan"],
)
def test_no_spell(table):
    assert ns.spells_sentence(table).startswith("No customer spent a snapshot in a stage")


# ------------------------------------------------------------------------- return-chance threshold
def thresholds(all_gaps=(11.7, NAN, 9.9, 12.7), days=(283, 384, 313, 268)):
    table = pd.DataFrame(
        {
            "rule": [
                "gap quantile 95%, all gaps",
                "gap quantile 95%, first gaps",
                "return chance below 10%, all gaps",
                "return chance below 10%, first gaps",
            ],
            "churned after (days)": list(days),
            "silent that long, all gaps: return within 180 days (%)": list(all_gaps),
            "silent that long, first gaps: return within 180 days (%)": [9.3, NAN, 8.2, 10.0],
        }
    )
    table.attrs |= {"chance": 0.10, "horizon_days": 180, "quantile": 0.95}
    return table


def test_the_threshold_sentence_states_the_return_chance_at_the_quantile_rule_and_which_rule_is_used():
    rules = S.StageRules(119, 283, 4)
    text = ns.threshold_sentence(thresholds(), rules)
    assert text.startswith(
        "A customer silent for 283 days (gap quantile 95%, all gaps) buys again within 180 days with a "
        "chance of 11.7% over all gaps and 9.3% over first gaps"
    )
    assert "falls below 10% after 313 days over all gaps and after 268 days over first gaps" in text
    assert "95% of completed first gaps are at most 384 days" in text
    assert (
        "The stages below use the gap-quantile rule (gap quantile 95%, all gaps: churned after 283 days)."
        in text
    )
    assert (
        "At that silence the chance of a return within 180 days is 11.7% over all gaps and 9.3% over first "
        "gaps. Over all gaps every wait counts, so customers with many purchases weigh most; over first gaps "
        "each customer counts once, after a first purchase. Neither is the chance of every customer called "
        "churned: the table by purchases so far below splits it."
    ) in text
    assert "still have" not in text and "coming back" not in text  # the referee's point 2
    first = "silent that long, first gaps: return within 180 days (%)"
    only_all = ns.threshold_sentence(
        thresholds(all_gaps=(9.9, NAN, 9.9, 12.7)).assign(**{first: [NAN, NAN, 8.2, 10.0]}), rules
    )
    assert "is 9.9% over all gaps." in only_all and "Neither" not in only_all
    chance = ns.threshold_sentence(thresholds(), S.StageRules(119, 313, 4), churn_rule="return chance")
    assert "use the return-chance rule over all gaps (churned after 313 days)" in chance
    fallback = ns.threshold_sentence(
        thresholds(days=(283, 384, NAN, NAN)), S.StageRules(119, 283, 4), churn_rule="return chance"
    )
    assert "the return-chance rule could not be read, so the gap quantile stands" in fallback
    assert "does not fall below 10% within the silences this data can follow" in fallback
    assert "(set by a parameter)" in ns.threshold_sentence(thresholds(), S.StageRules(119, 200, 4))
    short = ns.threshold_sentence(thresholds(all_gaps=(NAN, NAN, NAN, NAN), days=(159, 133, NAN, NAN)), rules)
    assert short.startswith("Whether a customer silent for 159 days (gap quantile 95%, all gaps) buys again")
    assert "does not fall below 10% within the silences this data can follow;" in short and "n/a" not in short
    assert ns.threshold_sentence(None, rules) == "No churn threshold could be read from this data."


# ------------------------------------------------------------------------------- monthly moves
def monthly(churned=(0, 10, 30), possible=(False, True, True)):
    table = pd.DataFrame(
        {
            "snapshot": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]),
            "customers": [100, 100, 100],
            "to churned": list(churned),
            "back to active": [5, 5, 5],
            "churn possible": list(possible),
        }
    )
    table["to churned (%)"] = table["to churned"] * 1.0
    table["back to active (%)"] = table["back to active"] * 1.0
    return table


def test_rate_change_sentence_reads_the_test_against_change_alpha_on_both_sides():
    table = monthly()
    test = S.rate_change_test(table)
    text = ns.rate_change_sentence(table, test)
    assert text.startswith(
        "From one month end to the next, the share of silent customers moving to churned ranged from 10.0% "
        "(2024-02-29) to 30.0% (2024-03-31) over the 2 months in which churn was possible, and the share "
        "buying again from 5.0% to 5.0%."
    )
    assert "In 1 month no silent customer could yet reach the churn threshold" in text
    assert "differ more than chance allows (chi-square" in text and "hides change" not in text
    assert "It cannot tell a change in the mix of silence durations from a change in behaviour." in text
    p = 10 ** -float(test["-log10 p"])
    assert "do not differ more than chance allows" in ns.rate_change_sentence(table, test, alpha=p / 2)
    assert "differ more than chance allows" in ns.rate_change_sentence(table, test, alpha=p * 2)
    alike = monthly(churned=(0, 10, 10))
    assert "is a fair summary" in ns.rate_change_sentence(alike, S.rate_change_test(alike))
    one = monthly(possible=(False, False, True))
    assert ns.rate_change_sentence(one, S.rate_change_test(one)).startswith(
        "From one month end to the next, 30.0% of silent customers moved to churned and 5.0% bought again in "
        "the one month in which churn was possible (2024-03-31)."
    )
    none = monthly(possible=(False, False, False))
    assert "No test of change over time" in ns.rate_change_sentence(none, S.rate_change_test(none))
    assert ns.rate_change_sentence(None, None).startswith("No silent customer is seen")


# ----------------------------------------------------------------------------------- resurrection
def test_the_resurrection_sentence_is_a_lower_bound_without_a_judgement():
    facts = pd.Series({"ever churned": 200, "came back": 24, "resurrection rate (%)": 12.0}, dtype=object)
    text = ns.resurrection_sentence(facts, RULES)
    assert text == (
        "Of the 200 customers who went at least 90 days without buying, 24 (12.0%) bought again afterwards. "
        "Customers who churned late in the data had little time to return, so this rate is a lower bound."
    )
    assert "minority" not in text and "win-back" not in text
    nobody = pd.Series({"ever churned": 0, "came back": 0, "resurrection rate (%)": NAN}, dtype=object)
    assert ns.resurrection_sentence(nobody, RULES).startswith("No customer went 90 days without buying")
    missing = pd.Series({"ever churned": NAN}, dtype=object)
    assert ns.resurrection_sentence(missing, RULES).startswith("No customer went 90 days")
    assert (
        ns.resurrection_sentence(None, RULES)
        == ns.resurrection_sentence(facts, None)
        == "No comeback rate was computed."
    )


# ----------------------------------------------------------------------------------------- funnel
def funnel(customers, median=57.0, p75=171.0):
    rows = []
    for k, n in enumerate(customers, start=1):
        previous = customers[k - 2] if k > 1 else n
        rows.append(
            {
                "purchase": k,
                "customers": n,
                "% of all": round(100 * n / customers[0], 1) if customers[0] else NAN,
                "% of previous step": round(100 * n / previous, 1) if previous else NAN,
                "median days since previous": median if k > 1 else NAN,
                "p75 days since previous": p75 if k > 1 else NAN,
            }
        )
    return pd.DataFrame(rows)


def test_the_funnel_sentence_finds_the_largest_loss():
    text = ns.funnel_sentence(funnel([100, 40, 30, 24]))
    assert text.startswith(
        "By the end of the data, 40.0% of customers had made a second purchase occasion, 75.0% of those a "
        "third and 80.0% of those a fourth."
    )
    assert (
        "The largest loss is between the first and the second purchase: 60.0% of customers with a first "
        "made no second." in text
    )
    assert text.endswith("did so a median of 57 days after the first (75% within 171 days).")
    later = ns.funnel_sentence(funnel([100, 60, 20], median=57.5, p75=91.75))
    assert "between the second and the third purchase" in later and "median of 57.5 days" in later
    assert "within 91.8 days" in later


def test_funnel_degenerate_cases():
    assert (
        ns.funnel_sentence(None)
        == ns.funnel_sentence(funnel([]))
        == "No purchases: there is no funnel to read."
    )
    assert ns.funnel_sentence(funnel([0, 0])) == "No purchases: there is no funnel to read."
    assert ns.funnel_sentence(funnel([5])) == "5 customers made a first purchase; no later step is shown."
    two = ns.funnel_sentence(funnel([10, 0], median=NAN, p75=NAN))
    assert two == "By the end of the data, 0.0% of customers had made a second purchase occasion."


# ---------------------------------------------------------------------------------------- cohorts
def cohorts(rows, names):
    table = pd.DataFrame(rows, index=names, columns=["customers", *range(len(rows[0]) - 1)])
    table.index.name = "cohort"
    return table


def test_the_cohort_sentence_states_ranges_without_judging_them():
    table = cohorts([[100, 100, 15.0, 10.0, 8.0], [80, 100, 12.5, 9.0, NAN]], ["2024-01", "2024-02"])
    text = ns.cohort_sentence(table)
    assert text == (
        "There are 2 acquisition cohorts, from 2024-01 to 2024-02. In the month after acquisition, between "
        "12.5% and 15.0% of a cohort bought again; in months 2 to 3 after it, between 8.0% and 10.0% of a "
        "cohort bought in a month."
    )
    assert "alike" not in text and "CDNOW" not in text


def test_cohort_degenerate_cases():
    one = ns.cohort_sentence(cohorts([[50, 100, 20.0, 12.9]], ["2024-01"]))
    assert one == (
        "There is one acquisition cohort (2024-01). In the month after acquisition, 20.0% of it bought "
        "again; in month 2 after it, 12.9% of it bought in a month."
    )
    young = ns.cohort_sentence(cohorts([[50, 100, 0.0], [40, 100, NAN]], ["2024-01", "2024-02"]))
    assert young.endswith("In the month after acquisition, 0.0% of the 2024-01 cohort bought again.")
    fresh = ns.cohort_sentence(cohorts([[50, 100, NAN]], ["2024-01"]))
    assert fresh.endswith("No cohort has been observed for a month after its acquisition yet.")
    assert ns.cohort_sentence(cohorts([[50, 100]], ["2024-01"])).endswith("after its acquisition yet.")
    assert (
        ns.cohort_sentence(None)
        == ns.cohort_sentence(cohorts([[1, 1]], ["x"])[:0])
        == "No acquisition cohort."
    )


# ------------------------------------------------------------------------------------ sensitivity
def variants(churned_p70=60, mature_moves=True):
    """100 customers; the p70/p90 variant churns ``churned_p70`` of them (55 with the chosen rules)."""
    rows = [
        ("chosen", 30, 90, 3, 0, 10, 15, 20, 55),
        ("gaps p70 / p90", 20, 60, 3, 0, 8, 12, 100 - 20 - churned_p70, churned_p70),
        ("mature one later", 30, 90, 4, 0, 17, 8, 20, 55)
        if mature_moves
        else ("mature one later", 30, 90, 4, 0, 17, 8, 19, 56),
    ]
    columns = ["variant", "silent after (days)", "churned after (days)", "mature from (occasions)", *S.STAGES]
    return pd.DataFrame(rows, columns=columns).set_index("variant")


def test_the_sensitivity_sentence_reads_the_active_column_the_notebook_shows():
    table = variants().assign(active=[25, 20, 25])
    assert ns.sensitivity_sentence(table) == ns.sensitivity_sentence(variants())
    table.loc["gaps p70 / p90", "active"] = 19
    assert "(silent after 20, churned after 60 days) 60 and 19" in ns.sensitivity_sentence(table)


@pytest.mark.parametrize(
    ("churned", "matter"), [(59.9, False), (60, True), (60.1, True)], ids=["below", "at", "above"]
)
def test_the_thresholds_matter_from_the_named_share_of_customers(churned, matter):
    table = variants().astype({"churned": float, "silent": float})
    table.loc["gaps p70 / p90", "churned"] = churned
    table.loc["gaps p70 / p90", "silent"] = 100 - 20 - churned
    text = ns.sensitivity_sentence(table)
    assert text.startswith("The thresholds matter: with the chosen rules") is matter
    assert ("None of these moves 5% of the customers or more" in text) is (not matter)
    assert (
        "with the chosen rules (silent after 30, churned after 90 days), 55 customers are churned and 25 "
        "active" in text.lower()
    )


def test_the_mature_cut_off_moves_only_growing_and_mature():
    text = ns.sensitivity_sentence(variants())
    assert "with the 'gaps p70 / p90' rules (silent after 20, churned after 60 days) 60 and 20" in text
    assert text.endswith(
        "Moving the mature cut-off only moves customers between growing and mature (8 mature from 4 "
        "occasions)."
    )
    assert "Moving the mature cut-off" not in ns.sensitivity_sentence(variants(mature_moves=False))


def test_sensitivity_degenerate_cases():
    assert ns.sensitivity_sentence(None) == "No alternative rules were compared."
    assert ns.sensitivity_sentence(variants()[:0]) == "No alternative rules were compared."
    assert (
        ns.sensitivity_sentence(variants().loc[["gaps p70 / p90"]]) == "No alternative rules were compared."
    )
    alone = ns.sensitivity_sentence(variants().loc[["chosen"]])
    assert alone == (
        "With the chosen rules (silent after 30, churned after 90 days), 55 customers are churned and 25 "
        "active."
    )


# ------------------------------------------------------------------------------ what this means
FIGURES = {
    "snapshot": "2024-06-30",
    "churned share (%)": 40.0,
    "mature share (%)": 20.0,
    "silent after (days)": 30,
    "churned after (days)": 90,
    "mature from (occasions)": 3,
    "mature rule": "levels off",
    "observed gaps longer than the silent threshold (%)": 20.1,
    "observed gaps longer than the churn threshold (%)": 4.9,
    "customers with no second purchase (%)": 55.0,
    "second-time buyers with no third purchase (%)": 30.0,
    "silent to churned per month (%)": 12.0,
    "silent back to active per month (%)": 3.0,
    "ever churned": 300,
    "resurrection rate (%)": 8.0,
}


def test_what_this_means_is_built_from_the_recorded_figures_only():
    text = ns.what_this_means(FIGURES)
    bullets = text.split("\n")
    assert len(bullets) == 3 and all(b.startswith("- **") for b in bullets)
    assert bullets[0] == (
        "- **The rules.** Silent after 30 days and churned after 90 days without a purchase (20.1% and "
        "4.9% of the observed gaps between two purchases are longer: how often a customer who came back had "
        "waited that long); mature from 3 purchase occasions, where the chance of another purchase levels "
        "off (the MATURE_TOLERANCE rule)."
    )
    assert "55.0% of customers made no second purchase occasion by the end of the data, against 30.0%" in text
    assert "12.0% of silent customers moved to churned and 3.0% bought again" in text
    assert "At least 8.0% of the customers who went 90 days without buying bought again later" in text
    for word in ("minority", "unlikely", "biggest", "drive", "makes", "cuts"):
        assert word not in text
    closing = narrative.closing("01_stage_definition", FIGURES)
    assert closing.startswith("**Answer.** With the stage rules of notebook 01") and closing.endswith(text)


@pytest.mark.parametrize("rule", ["levels off", "last reliable", "default", "parameter", None])
def test_the_mature_rule_is_named_as_recorded(rule):
    text = ns.what_this_means(FIGURES | {"mature rule": rule})
    assert (rule is None) is ("mature from 3 purchase occasions." in text)
    if rule is not None:
        assert ns.MATURE_WORDS[rule] in text


def test_what_this_means_survives_missing_and_null_figures():
    bare = {
        k: FIGURES[k]
        for k in (
            "snapshot",
            "churned share (%)",
            "mature share (%)",
            "silent after (days)",
            "churned after (days)",
            "mature from (occasions)",
        )
    }
    text = ns.what_this_means(bare | {"resurrection rate (%)": None})
    assert text == (
        "- **The rules.** Silent after 30 days and churned after 90 days without a purchase; mature from 3 "
        "purchase occasions."
    )
    nulls = ns.what_this_means(
        FIGURES
        | {"silent to churned per month (%)": None, "second-time buyers with no third purchase (%)": None}
    )
    assert "against" not in nulls and "silent customers moved" not in nulls
    missing = {"not run: stage rules": "needs 20 repeat buyers; has 3"}
    no_rules = "- No stage rules could be derived from this data: the notes above say what it would need."
    assert ns.what_this_means(missing) == ns.what_this_means({}) == no_rules
    assert narrative.closing("01_stage_definition", missing).startswith("**Answer.** Not run on this data")
    assert "Not run" not in ns.what_this_means(FIGURES | missing)  # the Answer above says it


def test_every_public_name_is_exported():
    for name in ns.__all__:
        assert hasattr(ns, name), name
    assert not math.isnan(ns.STICKY_PCT) and ns.HALF_PCT == 50.0 and ns.SENSITIVE_PCT == 5.0


# the issue-17 figures: return chance at the churn threshold, monthly range and test, time in stage
ISSUE17 = {
    "return chance level (%)": 10.0,
    "return horizon (days)": 180,
    "return chance threshold, all gaps (days)": 313,
    "return chance threshold, first gaps (days)": 268,
    "return within the horizon at the churn threshold, all gaps (%)": 11.7,
    "return within the horizon at the churn threshold, first gaps (%)": 9.3,
    "silent to churned per month, lowest (%)": 13.1,
    "silent to churned per month, highest (%)": 58.7,
    "silent to churned change test p-value": "< 1e-300",
    "silent to churned change test -log10 p": 1808.6,
    "mature median time in stage (months)": 7.0,
    "mature median time in stage lower (months)": 6.0,
    "mature median time in stage upper (months)": 9.0,
}


def test_what_this_means_reads_the_return_chance_against_return_chance_on_both_sides():
    text = ns.what_this_means(FIGURES | ISSUE17)
    assert (
        "A customer silent for 90 days buys again within 180 days with a chance of 11.7% over all waits "
        "pooled (Kaplan-Meier), where customers with many purchases weigh most; not below RETURN_CHANCE = "
        "10%. That chance falls below 10% after 313 days over all gaps and after 268 days over first gaps."
    ) in text
    assert "still have at least" not in text
    answer = ns.answer(FIGURES | ISSUE17)
    assert (
        "Customers called churned there buy again within 180 days with a chance of 11.7% over all waits "
        "pooled, not below RETURN_CHANCE = 10%." in answer
    )
    assert "\n" not in answer  # one paragraph
    low = FIGURES | ISSUE17 | {"return within the horizon at the churn threshold, all gaps (%)": 9.9}
    assert "weigh most; below RETURN_CHANCE = 10%." in ns.what_this_means(low)
    assert "still have" not in ns.what_this_means(low)
    assert (
        "within 180 days with a chance of 9.9% over all waits pooled, below RETURN_CHANCE = 10%."
        in ns.answer(low)
    )
    at = FIGURES | ISSUE17 | {"return within the horizon at the churn threshold, all gaps (%)": 10.0}
    assert "not below RETURN_CHANCE = 10%" in ns.what_this_means(at)  # at the level counts as not below
    never = (
        FIGURES
        | ISSUE17
        | {
            "return chance threshold, all gaps (days)": None,
            "return chance threshold, first gaps (days)": None,
        }
    )
    assert "Within the silences this data can follow, that chance does not fall below 10%." in (
        ns.what_this_means(never)
    )
    unread = FIGURES | ISSUE17 | {"return within the horizon at the churn threshold, all gaps (%)": None}
    assert "RETURN_CHANCE" not in ns.what_this_means(unread) + ns.answer(unread)


def test_what_this_means_says_whether_the_pooled_monthly_rate_hides_change_on_both_sides():
    text = ns.what_this_means(FIGURES | ISSUE17)
    assert (
        "12.0% of silent customers moved to churned and 3.0% bought again (pooled over months; month by "
        "month the move to churned ranged from 13.1% to 58.7%; the test of equal months gives a p-value "
        "< 1e-300, below CHANGE_ALPHA = 0.05: the months differ, whether in the mix of silence durations or "
        "in behaviour, which this test cannot tell apart)."
    ) in text
    calm = (
        FIGURES
        | ISSUE17
        | {
            "silent to churned change test p-value": "0.2",
            "silent to churned change test -log10 p": 0.7,
        }
    )
    assert "p-value 0.2, not below CHANGE_ALPHA = 0.05: the pooled rate is a fair summary)" in (
        ns.what_this_means(calm)
    )
    untested = FIGURES | ISSUE17 | {"silent to churned change test -log10 p": None}
    assert "ranged from 13.1% to 58.7%)." in ns.what_this_means(untested)
    assert "CHANGE_ALPHA" not in ns.what_this_means(untested)


def test_what_this_means_gives_the_median_time_in_the_mature_stage():
    text = ns.what_this_means(FIGURES | ISSUE17)
    assert (
        "- **Time in stage.** Counting spells still running at the end of the data as censored "
        "(Kaplan-Meier), the median mature spell lasts 7 months (95% interval 6 to 9); the rules set no cap "
        "on it."
    ) in text
    running = ns.what_this_means(FIGURES | ISSUE17 | {"mature median time in stage (months)": None})
    assert "more than half of the mature spells are still running, so their median is not reached" in running
    assert "Time in stage" not in ns.what_this_means(FIGURES)


@pytest.mark.parametrize(
    ("band", "says"),
    [
        ("11.2 to 12.2", "11.7% over all gaps (95% interval 11.2% to 12.2%, wholly above 10%)"),
        ("10.1 to 12.2", "11.7% over all gaps (95% interval 10.1% to 12.2%, wholly above 10%)"),
        ("10.0 to 12.2", "11.7% over all gaps (95% interval 10.0% to 12.2%, at or above 10%)"),
        ("4.1 to 9.9", "11.7% over all gaps (95% interval 4.1% to 9.9%, wholly below 10%)"),
        ("4.1 to 10.0", "11.7% over all gaps (95% interval 4.1% to 10.0%, reaching across 10%: the data"),
        ("4.1 to 10.3", "11.7% over all gaps (95% interval 4.1% to 10.3%, reaching across 10%: the data"),
    ],
)
def test_the_threshold_sentence_places_the_interval_of_the_chance_against_the_level(band, says):
    table = thresholds().assign(**{"all gaps: 95% interval (%)": [band, "n/a", "n/a", "n/a"]})
    assert says in ns.threshold_sentence(table, S.StageRules(119, 283, 4))


def test_the_threshold_sentence_gives_no_interval_where_none_could_be_read():
    table = thresholds().assign(**{"all gaps: 95% interval (%)": ["n/a"] * 4})
    assert "95% interval" not in ns.threshold_sentence(table, S.StageRules(119, 283, 4))
    assert "95% interval" not in ns.threshold_sentence(thresholds(), S.StageRules(119, 283, 4))


# ------------------------------------------------- referee, issue 17: quantiles, bands, strata, caps
CAUSAL = re.compile(r"\b(drives?|makes?|cuts?|causes?|leads? to|because|lengthens?|shortens?)\b", re.I)


def quantile_chances(all_gaps=(43.2, 25.7, 11.7, NAN), first_gaps=(25.5, 16.9, 9.3, NAN)):
    table = pd.DataFrame(
        {
            "returns within (%)": [50, 80, 95, 99],
            "silent (days)": [34, 119, 283, 416],
            "all gaps: at risk": [400, 300, 200, 100],
            "all gaps: return within 180 days (%)": list(all_gaps),
            "first gaps: at risk": [200, 150, 100, 50],
            "first gaps: return within 180 days (%)": list(first_gaps),
        }
    )
    table.attrs["horizon_days"] = 180
    return table


def test_the_chance_at_the_gap_quantiles_is_stated_with_what_cannot_be_read():
    text = ns.quantile_chance_sentence(quantile_chances(), chance=0.10)
    assert text.startswith(
        "A customer silent as long as the 50% quantile of the gaps (34 days) buys again within 180 days with "
        "a chance of 43.2% over all gaps and 25.5% over first gaps; at the 80% quantile (119 days), 25.7% "
        "and "
        "16.9%; at the 95% quantile (283 days), 11.7% and 9.3%."
    )
    assert (
        "For 416 days it cannot be read: the log is too short to follow that silence for 180 more days."
        in text
    )
    assert "At every silence read, the chance over first gaps is lower than over all gaps." in text
    assert text.endswith(
        "Below RETURN_CHANCE = 10%: over all gaps at none of these silences; over first gaps at 283 days."
    )
    assert "Below RETURN_CHANCE" not in ns.quantile_chance_sentence(quantile_chances())
    mixed = ns.quantile_chance_sentence(quantile_chances(first_gaps=(50.0, 16.9, 9.3, NAN)))
    assert "At every silence read" not in mixed


@pytest.mark.parametrize(("chance", "below"), [(9.9, True), (10.0, False), (10.1, False)])
def test_below_the_level_at_a_quantile_only_strictly_below_it(chance, below):
    text = ns.quantile_chance_sentence(quantile_chances(first_gaps=(25.5, 16.9, chance, NAN)), chance=0.10)
    assert ("over first gaps at 283 days." in text) is below


def test_no_quantile_to_read_a_chance_at():
    assert ns.quantile_chance_sentence(None) == "No gap quantile to read a return chance at."
    assert ns.quantile_chance_sentence(quantile_chances()[:0]).startswith("No gap quantile")


def band_table(one=(9.3, 8.9, 9.9), two=(18.5, 17.2, 19.9), four=(24.3, 20.4, 28.8), silence=283):
    rows = [("all", 67591, 18547, 16374, 11.7, 11.2, 12.2)]
    rows += [
        (band, 100, 50, churned, *values)
        for band, churned, values in (("1", 12054, one), ("2-3", 3611, two), ("4+", 709, four))
    ]
    table = pd.DataFrame(
        rows,
        columns=[
            "purchases so far",
            "waits",
            "at risk",
            "silent that long at the end",
            "return within 180 days (%)",
            "lower (%)",
            "upper (%)",
        ],
    ).set_index("purchases so far")
    table.attrs |= {"silence": silence, "horizon_days": 180, "alpha": 0.05}
    return table


def test_the_band_sentence_words_the_judgement_per_band_of_purchases_so_far():
    rules = S.StageRules(119, 283, 4)
    text = ns.band_sentence(band_table(), rules, chance=0.10)
    assert text.startswith(
        "A customer silent for 283 days (the churn threshold in use) buys again within 180 days with a "
        "chance of 9.3% with one purchase so far (95% interval 8.9% to 9.9%, below RETURN_CHANCE = 10%), "
        "18.5% with 2-3 purchases so far (95% interval 17.2% to 19.9%, above RETURN_CHANCE = 10%) and 24.3% "
        "with 4 or more purchases so far (95% interval 20.4% to 28.8%, above RETURN_CHANCE = 10%); over all "
        "waits pooled, 11.7%."
    )
    assert (
        "Of the 16,374 churned customers at the end, 12,054 have one purchase so far, 3,611 have 2-3 "
        "purchases so far and 709 have 4 or more purchases so far."
    ) in text
    assert text.endswith(
        "Under these rules, customers called churned with 2-3 or 4+ purchases so far still buy again within "
        "180 days with a chance not below RETURN_CHANCE = 10%; for those with one purchase so far it is "
        "below."
    )
    assert not CAUSAL.search(text)
    elsewhere = ns.band_sentence(band_table(silence=200), rules, chance=0.10)
    assert "(the churn threshold in use)" not in elsewhere and "Under these rules" not in elsewhere
    assert "Of the 16,374 customers silent at least 200 days at the end" in elsewhere


@pytest.mark.parametrize(
    ("interval", "says"),
    [
        ((10.1, 12.0), "above RETURN_CHANCE = 10%"),
        ((10.0, 12.0), "at or above RETURN_CHANCE = 10%"),
        ((9.0, 10.0), "reaching across RETURN_CHANCE = 10%"),
        ((8.0, 9.9), "below RETURN_CHANCE = 10%"),
    ],
)
def test_a_band_is_judged_by_where_its_interval_lies_against_the_level(interval, says):
    text = ns.band_sentence(band_table(four=(11.0, *interval)), S.StageRules(119, 283, 4), chance=0.10)
    assert (
        f"11.0% with 4 or more purchases so far (95% interval {interval[0]:.1f}% to {interval[1]:.1f}%, "
        f"{says})" in text
    )


@pytest.mark.parametrize(("point", "says"), [(10.1, "above"), (10.0, "at"), (9.9, "below")])
def test_a_band_without_an_interval_is_judged_by_its_point(point, says):
    text = ns.band_sentence(band_table(four=(point, NAN, NAN)), S.StageRules(119, 283, 4), chance=0.10)
    assert f"with 4 or more purchases so far (no interval, {says} RETURN_CHANCE = 10%)" in text


def test_band_sentence_degenerate_cases():
    rules = S.StageRules(119, 283, 4)
    assert ns.band_sentence(None, rules, chance=0.1).startswith("No return chance by purchases so far")
    unread = band_table(one=(NAN,) * 3, two=(NAN,) * 3, four=(NAN,) * 3)
    assert "cannot be read in any band of purchases so far" in ns.band_sentence(unread, rules, chance=0.1)
    low = ns.band_sentence(band_table(two=(8.0, 7.0, 9.0), four=(5.0, 4.0, 6.0)), rules, chance=0.1)
    assert low.endswith("the chance is below RETURN_CHANCE = 10% in every band read.")
    assert ns.band_name("1") == "one purchase" and ns.band_name("4+") == "4 or more purchases"


def change_tests(within_log_p=281.2, both_log_p=12.5):
    table = pd.DataFrame(
        {
            "strata": [1, 6, 18],
            "snapshots": [2, 14, 14],
            "customer-months": [200, 1000, 1000],
            "chi-square": [30.0, 1547.9, 290.3],
            "df": [2, 63, 136],
            "p-value": ["3.1e-07", f"{10**-within_log_p:.3g}", f"{10**-both_log_p:.3g}"],
            "-log10 p": [6.5, within_log_p, both_log_p],
            "note": ["", "", ""],
        },
        index=pd.Index(
            ["across months", "within bands of days silent", "within bands of days silent and purchases"],
            name="test",
        ),
    )
    table.attrs |= {"width": 30, "edges": (1, 2, 4), "churn_days": 283}
    return table


def test_the_rate_change_sentence_says_what_the_tests_within_bands_of_days_silent_can_tell():
    text = ns.rate_change_sentence(monthly(), change_tests())
    assert "It cannot tell a change in the mix of silence durations from a change in behaviour." in text
    assert (
        "Within bands of 30 days silent (6 bands), the months differ more than chance allows (chi-square "
        "1,547.9 on 63 df, p-value 6.31e-282); within bands of 30 days silent and of purchases so far (18 "
        "bands), the months differ more than chance allows (chi-square 290.3 on 136 df, p-value 3.16e-13)."
    ) in text
    assert (
        "So the months differ even among customers silent about equally long and with as many purchases"
        in text
    )
    assert "None of these tests says why" in text and not CAUSAL.search(text)
    edge = -math.log10(CHANGE := ns.CHANGE_ALPHA)
    mix = ns.rate_change_sentence(monthly(), change_tests(within_log_p=edge, both_log_p=edge))
    assert "the months do not differ more than chance allows" in mix
    assert "So the differences across months are those of the mix of silence durations" in mix
    above = ns.rate_change_sentence(monthly(), change_tests(within_log_p=edge + 0.01, both_log_p=edge))
    assert "So the months differ even among customers silent about equally long:" in above
    assert CHANGE == 0.05
    assert ": not only" not in text and "alone does not account for the differences" in text
    calm = change_tests(within_log_p=edge, both_log_p=edge).assign(**{"-log10 p": [edge, edge, edge]})
    calm_text = ns.rate_change_sentence(monthly(), calm)
    assert "not below CHANGE_ALPHA = 0.05): the pooled rate of 13.3% a month is a fair summary." in calm_text
    assert calm_text.endswith("no change in how they moved is detected either.")
    hidden = change_tests().assign(**{"-log10 p": [edge, 281.2, 12.5]})  # pooled calm, bands not
    hidden_text = ns.rate_change_sentence(monthly(), hidden)
    assert "fair summary" not in hidden_text and "So the months differ even among" in hidden_text
    untested = change_tests().assign(**{"chi-square": [30.0, NAN, NAN]})
    untested.loc["within bands of days silent", "note"] = "no band has two snapshots"
    assert "No test within bands of days silent: no band has two snapshots." in ns.rate_change_sentence(
        monthly(), untested
    )


def capped_spells(lower=(4.0, 4.0, 7.0, 5.0, NAN), upper=(4.0, 4.0, 7.0, 5.0, NAN)):
    table = spells(
        [[21149, 21149, 4.0], [12870, 11788, 4.0], [6534, 3389, 7.0], [26961, 23992, 5.0], [18307, 1933, NAN]]
    )
    table["median lower"], table["median upper"] = list(lower), list(upper)
    table["cap (snapshots)"] = [4.0, 8.0, NAN, 6.0, NAN]
    table.attrs |= {"silent_days": 119, "churn_days": 283, "mature_occasions": 4}
    return table


def test_the_spells_sentence_names_the_capped_stages_and_ranks_only_the_uncapped_ones():
    text = ns.spells_sentence(capped_spells())
    assert (
        "The rules cap new spells at 4 snapshots, growing spells at 8 snapshots and silent spells at 6 "
        "snapshots "
        "(the most monthly snapshots that fit: new: the snapshots within 119 days of the first purchase; "
        "growing: within 119 days of each of the 2 growing purchase occasions; silent: between 119 and 283 "
        "days without a purchase), so those medians describe the rules as much as the customers and are not "
        "ranked against the others; the new median reaches its cap."
    ) in text
    assert "last longest" not in text  # only mature is uncapped with a median reached
    assert (
        "The 95% interval of every median reached has both ends on the same snapshot count: it is narrower "
        "than one step between monthly snapshots"
    ) in text
    wide = ns.spells_sentence(capped_spells(lower=(3.0, 3.0, 6.0, 4.0, NAN), upper=(5.0, 5.0, 9.0, 6.0, NAN)))
    assert "both ends on the same snapshot" not in wide
    single = capped_spells()
    single["cap (snapshots)"] = [1.0, NAN, NAN, NAN, NAN]
    assert "The rules cap new spells at 1 snapshot (" in ns.spells_sentence(single)
    one = ns.spells_sentence(capped_spells(lower=(4.0, 3.0, 6.0, 4.0, NAN), upper=(4.0, 5.0, 9.0, 6.0, NAN)))
    assert "The 95% interval of new has both ends" in one
    free = capped_spells()
    free.loc["churned", "median (snapshots)"] = 9.0
    assert (
        "Of the medians reached in stages without a cap, churned spells last longest."
        in ns.spells_sentence(free)
    )


BANDS17 = {
    "return within the horizon at the churn threshold, purchases so far 1 (%)": 9.3,
    "return within the horizon at the churn threshold, purchases so far 1, lower (%)": 8.9,
    "return within the horizon at the churn threshold, purchases so far 1, upper (%)": 9.9,
    "churned at the end, purchases so far 1": 12054,
    "return within the horizon at the churn threshold, purchases so far 2-3 (%)": 18.5,
    "return within the horizon at the churn threshold, purchases so far 2-3, lower (%)": 17.2,
    "return within the horizon at the churn threshold, purchases so far 2-3, upper (%)": 19.9,
    "churned at the end, purchases so far 2-3": 3611,
    "return within the horizon at the churn threshold, purchases so far 4+ (%)": 24.3,
    "return within the horizon at the churn threshold, purchases so far 4+, lower (%)": 20.4,
    "return within the horizon at the churn threshold, purchases so far 4+, upper (%)": 28.8,
    "churned at the end, purchases so far 4+": 709,
    "churned share over the compared rules, lowest (%)": 61.3,
    "churned share over the compared rules, highest (%)": 75.8,
    "silent to churned change test within bands of days silent p-value": "6.81e-282",
    "silent to churned change test within bands of days silent -log10 p": 281.2,
}


def test_the_answer_carries_the_range_over_the_rules_and_the_chance_by_band():
    text = ns.answer(FIGURES | ISSUE17 | BANDS17)
    assert (
        "40.0% of the customers had churned by 2024-06-30 (61.3% to 75.8% under the rules the sensitivity"
        in text
    )
    assert (
        "Customers called churned there buy again within 180 days with a chance of 11.7% over all waits "
        "pooled; "
        "by purchases so far, against RETURN_CHANCE = 10%: 9.3% with one purchase (below), 18.5% with 2-3 "
        "purchases (above) and 24.3% with 4 or more purchases (above)."
    ) in text
    same = FIGURES | ISSUE17 | BANDS17 | {"churned share over the compared rules, highest (%)": 61.3}
    assert "(the same under every rule the sensitivity table compares)" in ns.answer(same)
    assert "sensitivity" not in ns.answer(FIGURES)
    across = BANDS17 | {
        "return within the horizon at the churn threshold, purchases so far 1, upper (%)": 10.2
    }
    assert "9.3% with one purchase (its interval across)" in ns.answer(FIGURES | ISSUE17 | across)
    assert "\n" not in text and not CAUSAL.search(text)


def test_what_this_means_words_the_chance_per_band_and_reads_the_test_within_bands():
    text = ns.what_this_means(FIGURES | ISSUE17 | BANDS17)
    assert (
        "by purchases so far, 9.3% with one purchase so far (95% interval 8.9% to 9.9%, below "
        "RETURN_CHANCE = "
        "10%), 18.5% with 2-3 purchases so far (95% interval 17.2% to 19.9%, above RETURN_CHANCE = 10%) and "
        "24.3% with 4 or more purchases so far (95% interval 20.4% to 28.8%, above RETURN_CHANCE = 10%). Of "
        "the 16,374 customers churned at the end, 12,054 have one purchase so far. Customers called churned "
        "with 2-3 or 4+ purchases so far still have a chance not below RETURN_CHANCE = 10% of buying again "
        "within 180 days."
    ) in text
    assert (
        "within bands of days silent the test of equal months gives a p-value 6.81e-282, below "
        "CHANGE_ALPHA = "
        "0.05: the months differ even among customers silent about equally long)"
    ) in text
    key = "silent to churned change test within bands of days silent -log10 p"
    at_edge = FIGURES | ISSUE17 | BANDS17 | {key: -math.log10(0.05)}
    assert "not below CHANGE_ALPHA = 0.05: the range is one of the mix of silence durations" in (
        ns.what_this_means(at_edge)
    )
    collapsed = (
        FIGURES
        | ISSUE17
        | {
            "mature median time in stage lower (months)": 7.0,
            "mature median time in stage upper (months)": 7.0,
        }
    )
    assert (
        "the median mature spell lasts 7 months (its 95% interval is narrower than the one-month step "
        "between "
        "snapshots); the rules set no cap on it."
    ) in ns.what_this_means(collapsed)
    assert "7 to 7" not in ns.what_this_means(collapsed) and not CAUSAL.search(text)
