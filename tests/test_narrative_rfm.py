"""lifecycle_utils.narrative.rfm: the sentences of notebook 03 on small hand-made tables, each judgement
on both sides of its threshold, and the degenerate inputs (nothing scored, empty, all-NaN, one row)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import narrative, rfm
from lifecycle_utils.narrative import rfm as nr
from lifecycle_utils.narrative.words import Text


# ------------------------------------------------------------------------------------- rules
@pytest.mark.parametrize(
    "counts, even",
    [
        ([109, 91, 100, 100, 100], True),  # within 10% of 100
        ([110, 90, 100, 100, 100], True),  # at the tolerance
        ([111, 89, 100, 100, 100], False),  # just beyond
        ([100], False),  # one score is not a split
        ([0, 0], False),  # nobody
    ],
)
def test_near_equal_scores_within_the_tolerance(counts, even):
    assert nr.EVEN_TOLERANCE == 0.10
    assert nr.even_scores(pd.Series(counts)) is even


@pytest.mark.parametrize(
    "revenue, customers, word",
    [
        (19.9, 10.0, ""),
        (20.0, 10.0, "heavy"),
        (20.1, 10.0, "heavy"),
        (5.1, 10.0, ""),
        (5.0, 10.0, "light"),
        (4.9, 10.0, "light"),
        (10.0, 0.0, ""),  # an empty group is neither
        (None, 10.0, ""),
        (float("nan"), 10.0, ""),
    ],
)
def test_weight_on_both_sides_of_twice_and_half_the_customer_share(revenue, customers, word):
    assert (nr.HEAVY_RATIO, nr.LIGHT_RATIO) == (2.0, 0.5)
    assert nr.weight(revenue, customers) == word


@pytest.mark.parametrize(
    "gini, word",
    [
        (0.29, "spread fairly evenly"),
        (0.30, "moderately concentrated"),
        (0.31, "moderately concentrated"),
        (0.49, "moderately concentrated"),
        (0.50, "concentrated"),
        (0.51, "concentrated"),
        (None, ""),
        (float("nan"), ""),
        (1.2, ""),  # refunds beyond sales: not a Gini to read
        (-0.1, ""),
    ],
)
def test_concentration_words_follow_the_gini_thresholds(gini, word):
    assert nr.concentration_word(gini) == word


@pytest.mark.parametrize(
    "rho, segments, low, high, judged",
    [
        (0.86, 8, 0.69, 0.95, None),  # the interval reaches below seven tenths: no judgement
        (0.86, 8, 0.70, 0.95, True),  # the whole interval at least seven tenths
        (0.86, 8, 0.71, 0.95, True),
        (0.60, 8, 0.40, 0.69, False),  # the whole interval below
        (0.60, 8, 0.40, 0.70, None),  # reaches the threshold
        (0.60, 8, 0.40, 0.71, None),
        (0.95, 3, 0.90, 1.00, None),  # too few segments
        (0.95, 4, 0.90, 1.00, True),
        (0.86, 8, float("nan"), 0.95, None),  # no interval: no judgement
        (float("nan"), 8, 0.70, 0.95, None),
        (None, 8, 0.70, 0.95, None),
    ],
)
def test_ranking_judgement_needs_the_whole_interval_and_enough_segments(rho, segments, low, high, judged):
    assert (nr.RANK_AGREEMENT, nr.MIN_RANKED_SEGMENTS) == (0.7, 4)
    assert nr.ranks_next_period(rho, segments, low, high) is judged


# --------------------------------------------------------------------------------- scores
def scored_frame(frequencies, n_each=None):
    """Customers with the given frequencies, recency and monetary evenly spread (five scores each)."""
    n = len(frequencies)
    values = pd.DataFrame(
        {"recency": np.arange(n) * 3, "frequency": frequencies, "monetary": np.arange(1, n + 1) * 1.5}
    )
    return rfm.score_rfm(values)


def test_the_score_sentence_names_the_tie_that_makes_a_score_larger():
    scored, edges = scored_frame([1] * 60 + [2] * 15 + [3] * 10 + [4] * 6 + [5] * 4 + [7] * 3 + [9] * 2)
    text = nr.score_sentence(scored, edges)
    assert isinstance(text, Text)
    assert text.startswith("R and M split into five near-equal scores (20 each).")
    assert "F cannot: the 60 customers with 1 purchase occasion all share score 1" in text
    assert text.endswith("F scores 1-5 stand for 1, 2, 3, 4 and 5 or more purchase occasions.")


def test_the_score_sentence_on_even_and_degenerate_axes():
    scored, edges = scored_frame(list(range(1, 101)))
    assert nr.score_sentence(scored, edges).startswith("R, F and M split into five near-equal scores")
    one, one_edges = scored_frame([2] * 10)
    assert "F has a single score: every customer has the same frequency." in nr.score_sentence(one, one_edges)
    assert nr.score_sentence(scored.iloc[:0], edges) == "No customer was scored."
    assert nr.score_sentence(None, {}) == "No customer was scored."


def test_frequency_steps_from_the_edges():
    scored, edges = scored_frame([1] * 5 + [2] * 5 + [3] * 5 + [4] * 3 + [5] * 2 + [6] * 5)
    assert edges["F"] == [2.0, 3.0, 4.0, 6.0]
    assert nr.score_sentence(scored, edges).endswith(
        "stand for 1, 2, 3, 4-5 and 6 or more purchase occasions."
    )


# ---------------------------------------------------------------------------- segment maps
def test_the_map_sentence_for_a_complete_map_and_for_the_widely_copied_one():
    assert nr.map_sentence(rfm.check_segment_map(rfm.SEGMENT_RULES)) == (
        "All score combinations (5 x 5 x 5) are covered and every segment owns at least 3 of them."
    )
    naive = nr.map_sentence(rfm.check_segment_map(rfm.NAIVE_RULES, strict=False))
    assert naive.startswith("New Customers, Promising, Can't Lose Them and Lost get no combination at all")
    assert naive.endswith("36 of the 5 x 5 x 5 score combinations match no segment.")
    one = pd.DataFrame({"score combinations": [125, 0]}, index=["All", "Nobody"])
    assert nr.map_sentence(one).startswith("Nobody gets no combination at all")


# ------------------------------------------------------------------------------- profiles
def profile(rows):
    """segment -> (customers, customers %, revenue %)."""
    return pd.DataFrame(rows, index=["customers", "customers (%)", "revenue (%)"]).T


def test_the_segment_sentence_states_the_top_the_tail_and_the_empty_segments():
    table = profile(
        {
            "Champions": (20, 20.0, 60.0),
            "Loyal Customers": (10, 10.0, 15.0),
            "New Customers": (0, 0.0, 0.0),
            "Hibernating": (30, 30.0, 10.0),
            "Lost": (40, 40.0, 15.0),
        }
    )
    text = nr.segment_sentence(table, rfm.SEGMENT_RULES)
    assert text.startswith(
        "Champions are 20.0% of the customers and bring 60.0% of all revenue up to the end of the data (at "
        "least twice their share of the customers); Loyal Customers follow with 15.0% of the revenue from "
        "10.0%"
    )
    assert "up to the snapshot" not in text  # the end of the data, not the earlier snapshot
    dated = nr.segment_sentence(table, rfm.SEGMENT_RULES, end=pd.Timestamp("2024-06-30"))
    assert "60.0% of all revenue up to 2024-06-30, the end of the data (at least twice" in dated
    assert (
        "At the lapsed end of the map, Hibernating (30.0% of the customers, 10.0% of the revenue) and Lost "
        "(40.0% and 15.0%) together bring at most half their share of the customers in revenue." in text
    )
    assert text.endswith(
        "New Customers (R 5, F 1) is empty: no customer has those scores at the end of the data."
    )


def test_the_segment_sentence_without_a_judgement_and_on_degenerate_profiles():
    table = profile({"Champions": (50, 50.0, 60.0), "Lost": (50, 50.0, 40.0)})
    text = nr.segment_sentence(table)
    assert "(at least" not in text and text.endswith(
        "At the lapsed end of the map: Lost (50.0% of the customers, 40.0% of the revenue)."
    )
    assert nr.segment_sentence(profile({"Lost": (5, 100.0, 100.0)})).startswith("Lost are 100.0%")
    assert nr.segment_sentence(profile({"A": (0, 0.0, 0.0)})) == "No customer was scored."
    assert nr.segment_sentence(None) == "No customer was scored."


def test_the_heatmap_sentence_says_where_spend_rises_with_frequency():
    heat = pd.DataFrame([[10.0, 20.0, 30.0], [12.0, 18.0, 40.0]], index=[5, 4], columns=[1, 2, 3])
    assert nr.heatmap_sentence(heat) == (
        "Mean total spend rises with the F score at every R score (from \\$10-\\$12 at F = 1 to "
        "\\$30-\\$40 at F = 3). The highest mean, \\$40, is at R = 4, F = 3. Part of the rise is by "
        "construction: total spend adds up the purchase occasions that F counts (spend per occasion, "
        'MONETARY = "mean", takes that out).'
    )
    # spend per occasion does not add up with F: the rise is a finding, stated without the caveat
    assert nr.heatmap_sentence(heat, "mean") == (
        "Mean spend per purchase occasion rises with the F score at every R score (from \\$10-\\$12 at "
        "F = 1 to \\$30-\\$40 at F = 3). The highest mean, \\$40, is at R = 4, F = 3."
    )
    with pytest.raises(ValueError):
        nr.heatmap_sentence(heat, "sum")
    falling = heat.copy()
    falling.loc[4, 2] = 5.0  # R = 4: 12, 5, 40 does not rise
    assert "at 1 of 2 R scores" in nr.heatmap_sentence(falling)
    assert nr.heatmap_sentence(heat * np.nan) == "No mean monetary value to compare."
    single = nr.heatmap_sentence(heat[[1]])
    assert single.startswith("Too few cells are filled") and "at R = 4, F = 1" in single


def test_the_concentration_sentence_reads_the_gini_by_its_rule():
    facts = rfm.pareto(pd.Series([1.0, 1.0, 1.0, 1.0, 96.0]))
    assert nr.concentration_sentence(facts) == (
        "The top 20% of customers bring 96.0% of the revenue; 20.0% of the customers bring 80% of it. "
        "With a Gini coefficient of 0.76, revenue is concentrated (this notebook calls a Gini of one half "
        "or more concentrated, from three tenths moderately concentrated, below that fairly even)."
    )
    even = nr.concentration_sentence(rfm.pareto(pd.Series([5.0] * 10)))
    assert "revenue is spread fairly evenly" in even
    assert "is outside 0-1 and is not read" in nr.concentration_sentence(facts.replace(0.76, 1.5))
    assert "With a Gini" not in nr.concentration_sentence(facts.replace(0.76, np.nan))
    assert nr.concentration_sentence(None) == "Revenue concentration was not computed."
    assert nr.concentration_sentence(pd.Series(dtype=float)) == "Revenue concentration was not computed."


def test_the_thresholds_sentence_names_the_statistic_and_what_a_high_r_means():
    small = pd.DataFrame({"recency": [10, 20, 30], "frequency": [1, 2, 3], "monetary": [1.0, 2.0, 3.0]})
    _, thresholds = rfm.value_matrix(small, threshold="median")
    assert nr.thresholds_sentence(thresholds) == (
        "High and low are set against the median of the customers at the end of the data: R is high below "
        "20.00 days since the last purchase (more recent than the median: a relative cut, not a rule of who "
        "still buys), F above 2.00 purchase occasions, M above \\$2.00 (a value equal to the threshold "
        "counts as low)."
    )
    _, in_days = rfm.value_matrix(small, threshold="median", recent_days=25)
    assert "R is high below 25.00 days since the last purchase (a cut given in days, not the median), F" in (
        nr.thresholds_sentence(in_days)
    )
    nan = {k: float("nan") for k in thresholds}
    assert nr.thresholds_sentence(nan) == "The thresholds of the value matrix could not be computed."


def test_the_value_sentence_describes_the_named_classes():
    table = profile(
        {"重要价值客户": (20, 20.0, 50.0), "一般挽留客户": (60, 60.0, 25.0), "一般价值客户": (20, 20.0, 25.0)}
    )
    text = nr.value_sentence(table)
    assert text.startswith(
        "重要价值客户 (important value: more recent, more frequent and higher spend than the mean) are 20 "
        "customers (20.0%) with 50.0% of the revenue (at least twice their share of the customers)."
    )
    assert (
        "一般挽留客户 (general win-back: less recent, less frequent and lower spend than the mean) are 60 "
        "customers (60.0%)" in text
    )
    assert text.endswith(
        "No customer is 重要挽留客户 (important to win back: less recent, less frequent and higher spend "
        "than the mean)."
    )  # without the stage columns nothing is said of stages
    assert nr.value_sentence(table.iloc[:0]) == "No customer was placed in the value matrix."


def test_the_value_sentence_counts_the_silent_and_churned_customers_of_the_recent_classes():
    table = profile(
        {"重要价值客户": (20, 20.0, 50.0), "一般挽留客户": (60, 60.0, 25.0), "一般价值客户": (20, 20.0, 25.0)}
    )
    table["silent"] = [5, 0, 0]
    table["churned"] = [2, 60, 0]
    median = {
        "recency threshold (median)": 367.22,
        "frequency threshold (median)": 2.0,
        "monetary threshold (median)": 9.0,
    }
    text = nr.value_sentence(table, median)
    assert "(important value: more recent, more frequent and higher spend than the median)" in text
    assert text.endswith(
        "A high R (being more recent than the median) is not the same as still buying: by notebook 01's "
        "stage rules, 重要价值客户 has 2 churned and 5 silent customers. Every customer of 一般挽留客户 is "
        "churned by those rules."
    )  # 一般价值客户 is recent and has no silent or churned customer: not named
    in_days = median | {"recency threshold (days)": 283.0}
    in_days.pop("recency threshold (median)")
    text = nr.value_sentence(table, in_days)
    assert (
        "(important value: last purchase under 283 days ago, more frequent and higher spend than the" in text
    )
    assert "(general win-back: no purchase for 283 days or more, less frequent" in text
    assert "A high R (a last purchase under 283 days ago) is not the same as still buying" in text
    active = table.assign(silent=0, churned=[0, 59, 0])
    assert "still buying" not in nr.value_sentence(active) and "Every customer" not in nr.value_sentence(
        active
    )


# ------------------------------------------------------------------------------ over time
def test_the_snapshots_sentence_counts_full_weeks_from_the_data():
    assert nr.snapshots_sentence("2024-01-01", pd.Timestamp("2024-03-31"), "2024-06-29") == (
        "The earlier snapshot is 2024-03-31: 13 full weeks after the first purchase in the data "
        "(2024-01-01) and 12 full weeks before its end (2024-06-29)."
    )
    assert (
        nr.snapshots_sentence("2024-01-01", None, "2024-06-29")
        == "There is no earlier snapshot on this data."
    )


def moves(stay):
    """Row shares of the later segment (rows) for earlier Champions and Promising (columns)."""
    return pd.DataFrame(
        {"Champions": [stay, 1 - stay, 0.0], "Promising": [0.03, 0.0, 0.97]},
        index=["Champions", "Loyal Customers", "About To Sleep"],
    )


@pytest.mark.parametrize("stay, holds", [(0.74, False), (0.75, True), (0.76, True)])
def test_a_segment_holds_its_standing_from_three_quarters_staying(stay, holds):
    text = nr.migration_sentence(moves(stay), pd.Timestamp("2024-03-31"), pd.Timestamp("2024-06-30"))
    assert ("(three quarters or more: the segment holds its standing)" in text) is holds
    assert "stable" not in text
    assert f"{round(100 * stay)}% are still there at 2024-06-30" in text
    assert text.endswith(
        "Of the customers in Promising at 2024-03-31, 0% are still there at 2024-06-30; most (97%) moved to "
        "About To Sleep; 3% became Champions."
    )


def test_the_migration_sentence_puts_who_bought_again_beside_the_standing():
    activity = pd.DataFrame(
        {
            "customers then": [2845],
            "still in the segment (%)": [96.1],
            "bought again (%)": [75.3],
            "still in the segment, no purchase (%)": [20.8],
        },
        index=pd.Index(["Champions"], name="segment then"),
    )
    text = nr.migration_sentence(
        moves(0.96), pd.Timestamp("2024-03-31"), pd.Timestamp("2024-06-30"), activity
    )
    assert text.startswith(
        "Segments measure standing among the customers of each snapshot, not activity: scores are relative, "
        "so a customer who has not bought since can keep a segment while others lapse longer. Of the "
        "customers in Champions at 2024-03-31, 96% are still there at 2024-06-30 (three quarters or more: "
        "the segment holds its standing); 75.3% of them bought again in between and 20.8% are still "
        "Champions without having bought."
    )
    assert "Promising at 2024-03-31, 0% are still there at 2024-06-30; most" in text  # no activity row
    empty = nr.migration_sentence(moves(0.96), "2024-03-31", "2024-06-30", activity.iloc[:0])
    assert not empty.startswith("Segments measure")


@pytest.mark.parametrize("share, how", [(0.50, "the largest share"), (0.51, "most")])
def test_most_of_a_segment_means_more_than_half(share, how):
    table = pd.DataFrame(
        {"Loyal Customers": [share, 0.49, 1 - share - 0.49]}, index=["Champions", "Loyal Customers", "Lost"]
    )
    text = nr.migration_sentence(table, pd.Timestamp("2024-03-31"), pd.Timestamp("2024-06-30"))
    assert f"; {how} ({round(100 * share)}%) moved to Champions." in text


def test_the_migration_sentence_on_no_segment():
    empty = pd.DataFrame(index=["Champions"])
    assert nr.migration_sentence(empty, pd.Timestamp("2024-03-31"), "2024-06-30") == (
        "None of the segments followed here had customers at 2024-03-31."
    )


def stage_table(rows):
    table = pd.DataFrame(rows, index=["new", "growing", "mature", "silent", "churned"]).T
    table.index.name, table.columns.name = "segment", "stage"
    return table


def test_the_stage_sentence_states_the_churned_segments_and_the_stages_of_the_top():
    table = stage_table({"Champions": [0, 0, 30, 15, 5], "Lost": [0, 0, 0, 0, 40], "Promising": [0] * 5})
    edges = {"R": [100.0, 200.0, 300.0, 400.0]}
    assert nr.stage_sentence(table, edges, rfm.SEGMENT_RULES) == (
        "Every customer of Lost is churned by the stage rules derived as in notebook 01. Of the 50 "
        "Champions, 30 are mature, 15 silent and 5 churned. Champions need an R score of 4 or more, which on "
        "this data means a last purchase fewer than 200 days before the end of the data."
    )
    active = stage_table({"Champions": [0, 0, 30, 0, 0]})
    assert nr.stage_sentence(active, edges, rfm.SEGMENT_RULES) == "All 30 Champions are mature."
    assert nr.stage_sentence(table.iloc[:0], edges) == "No customer has both a segment and a stage."


def outcome_check(rows, min_customers=30, seed=0):
    """``rfm.predictive_check`` on customers made from ``rows``: segment -> (customers, monetary value at
    2024-03-31, share who bought again afterwards (%), mean spend afterwards over all the segment's
    customers); each buyer buys once, on 2024-05-01, and the buyers of a segment spend the same."""
    ids, seg, money, purchases = [], [], [], []
    for name, (n, value, pct, mean_spend) in rows.items():
        buyers = round(n * pct / 100) if n else 0
        for i in range(n):
            ids.append(f"{name}-{i}")
            seg.append(name)
            money.append(value)
            if i < buyers:
                purchases.append((f"{name}-{i}", pd.Timestamp("2024-05-01"), mean_spend * n / buyers))
    index = pd.Index(ids, name="customer_id")
    labels = pd.Series(pd.Categorical(seg, categories=list(rows)), index=index)
    values = pd.DataFrame({"recency": 10, "frequency": 1, "monetary": money}, index=index)
    tx = pd.DataFrame(purchases, columns=["customer_id", "date", "amount"])
    tx["date"] = pd.to_datetime(tx["date"])
    return rfm.predictive_check(
        values, labels, tx=tx, start="2024-03-31", end="2024-06-30", min_customers=min_customers, seed=seed
    )


def test_the_outcome_sentence_judges_the_ranking_on_the_interval():
    agree_rows = {
        "A": (100, 300.0, 70.0, 150.0),
        "B": (100, 100.0, 50.0, 50.0),
        "C": (100, 60.0, 30.0, 30.0),
        "D": (100, 30.0, 15.0, 9.0),
        "tiny": (5, 500.0, 0.0, 0.0),  # below the minimum: left out, and named
    }
    agree = outcome_check(agree_rows)
    assert agree["segments compared"] == 4 and agree["rank correlation (value then, spend after)"] == 1.0
    text = nr.outcome_sentence(agree)
    assert text == (
        "Over the 4 segments with at least 30 customers at 2024-03-31 (this notebook's minimum, lowered to "
        "one tenth of the customers on smaller data), the rank correlation between their mean total spend "
        "then and their mean spend from then up to 2024-06-30 is 1.00 (95% interval 1.00 to 1.00, "
        "resampling customers; the segments compared stay the same): segments worth more then spent more "
        "afterwards, largely in the same order, over the whole interval (this notebook asks for at least "
        "seven tenths over the whole interval). Left out for size: tiny (5 customers). tiny was worth more "
        "then than any segment compared; the outcome table above shows what they did next. Of the 4 "
        "segments compared, A had the highest value then: 70.0% bought again and spent \\$150 each on "
        "average; D the lowest: 15.0% and \\$9.00."
    )
    assert "mean spend per purchase occasion then" in nr.outcome_sentence(agree, "mean")
    set_by_hand = outcome_check(agree_rows, min_customers=50)
    assert "at least 50 customers at 2024-03-31 (the minimum set for this run)" in nr.outcome_sentence(
        set_by_hand
    )
    reversed_ = outcome_check(
        {
            "A": (100, 300.0, 10.0, 5.0),
            "B": (100, 100.0, 20.0, 10.0),
            "C": (100, 60.0, 30.0, 20.0),
            "D": (100, 30.0, 40.0, 30.0),
        }
    )
    assert (reversed_["rank correlation 95% low"], reversed_["rank correlation 95% high"]) == (-1.0, -0.8)
    assert (
        "is -1.00 (95% interval -1.00 to -0.80, resampling customers; the segments compared stay the same): "
        "the whole interval is short of the seven tenths this notebook asks before saying the segments rank"
        in nr.outcome_sentence(reversed_)
    )
    three = outcome_check({"A": (100, 3.0, 1.0, 3.0), "B": (100, 2.0, 1.0, 2.0), "C": (100, 1.0, 1.0, 1.0)})
    assert "too few segments to judge the ranking (this notebook asks for 4)" in nr.outcome_sentence(three)


def test_a_ranking_whose_interval_reaches_below_the_threshold_is_not_judged():
    """Simulated truth: four segments in the right order (rank correlation 1) but close together, each
    mean spend from 10 buyers of 100, so resamples reorder them: the point clears seven tenths, the
    interval does not."""
    close = outcome_check(
        {
            "A": (100, 400.0, 10.0, 10.0),
            "B": (100, 300.0, 10.0, 9.5),
            "C": (100, 200.0, 10.0, 9.0),
            "D": (100, 100.0, 10.0, 8.5),
        }
    )
    assert close["rank correlation (value then, spend after)"] == 1.0
    assert close["rank correlation 95% low"] < 0.7 <= close["rank correlation 95% high"]
    text = nr.outcome_sentence(close)
    assert (
        ": the interval reaches both sides of seven tenths, so this run cannot say whether the segments "
        "rank the next period (this notebook asks for at least seven tenths over the whole interval)."
    ) in text
    assert "segments worth more then spent more" not in text
    no_interval = close.copy()
    no_interval["rank correlation 95% low"] = float("nan")
    assert "without an interval this notebook does not judge the ranking" in nr.outcome_sentence(no_interval)


def test_the_outcome_sentence_names_the_minimum_rule_and_what_it_left_out():
    """The long log: 239 customers at the earlier snapshot, so the minimum is 24 (one tenth), and a
    segment of 20 is named as left out instead of dropped silently."""
    rows = {f"S{i}": (30 + i, 100.0 - i, 50.0, 100.0 - 2 * i) for i in range(6)}
    rows["Small"] = (20, 50.0, 30.0, 10.0)
    rows["Empty"] = (0, float("nan"), float("nan"), float("nan"))  # empty: not "left out for size"
    rows["Filler"] = (239 - sum(r[0] for r in rows.values()), 10.0, 10.0, 1.0)
    check = outcome_check(rows, min_customers=None)
    assert check["customers at the earlier snapshot"] == 239 and check["min customers per segment"] == 24
    text = nr.outcome_sentence(check)
    assert text.startswith(
        "Over the 7 segments with at least 24 customers at 2024-03-31 (one tenth of the 239 customers then, "
        "as this notebook asks on smaller data; 30 on larger data, never fewer than 10), the rank"
    )
    assert "Left out for size: Small (20 customers). Of the 7 segments compared, S0 had the highest" in text
    assert "Empty" not in text
    big = outcome_check({k: (v[0] * 10, *v[1:]) for k, v in rows.items()}, min_customers=None)
    assert "(this notebook's minimum, lowered to one tenth of the customers on smaller data)" in (
        nr.outcome_sentence(big)
    )
    assert "Left out for size" not in nr.outcome_sentence(big)


def test_the_outcome_sentence_on_degenerate_checks():
    one = outcome_check({"A": (100, 3.0, 50.0, 3.0)})
    text = nr.outcome_sentence(one)
    assert "is n/a: too few segments" in text and "(lowest)" not in text
    none = outcome_check({"A": (5, 3.0, 50.0, 3.0)})
    assert none["segments compared"] == 0
    assert nr.outcome_sentence(none) == "No segment is large enough to compare with the next period."
    assert nr.outcome_sentence(None) == "No segment is large enough to compare with the next period."


# --------------------------------------------------------------------------- answer, closing
def record(**changes):
    figures = {
        "customers scored": 1000,
        "Champions: customers (%)": 20.0,
        "Champions: revenue (%)": 60.0,
        "At Risk: customers (%)": 1.0,
        "At Risk: revenue (%)": 2.0,
        "Can't Lose Them: customers (%)": 0.0,
        "Can't Lose Them: revenue (%)": 0.0,
        "Hibernating: customers (%)": 20.0,
        "Hibernating: revenue (%)": 5.0,
        "Lost: customers (%)": 20.0,
        "Lost: revenue (%)": 4.0,
        "重要价值客户: customers (%)": 18.0,
        "重要价值客户: revenue (%)": 70.0,  # a value class: never "the segment with the most revenue"
        "重要保持客户: customers (%)": 2.0,
        "重要保持客户: revenue (%)": 4.0,
        "一般挽留客户: customers (%)": 50.0,
        "一般挽留客户: revenue (%)": 15.0,
        "revenue from top 20% of customers (%)": 70.0,
        "customers bringing 80% of revenue (%)": 30.0,
        "Gini coefficient": 0.62,
        "next period: earlier snapshot": "2024-03-31",
        "next period: end": "2024-06-30",
        "next period: segments compared": 8,
        "next period: rank correlation (value then, spend after)": 0.86,
        "next period: rank correlation 95% low": 0.71,
        "next period: rank correlation 95% high": 0.95,
    }
    return figures | changes


def test_the_answer_judges_concentration_and_ignores_the_value_classes():
    assert narrative.answer("03_rfm_segmentation", record()) == (
        "**Answer.** The top 20% of customers bring 70.0% of the revenue (Gini 0.62: concentrated). "
        "Champions is the segment with the most revenue: 60.0% from 20.0% of the customers."
    )
    assert "(Gini 0.40: moderately concentrated)" in nr.answer(record(**{"Gini coefficient": 0.4}))
    assert nr.answer({"not run: RFM segmentation": "needs x"}) == (
        "**Answer.** Not run on this data: RFM segmentation."
    )


def test_what_this_means_follows_the_recorded_figures():
    text = nr.what_this_means(record())
    bullets = text.splitlines()
    assert len(bullets) == 4 and all(b.startswith("- **") for b in bullets)
    assert bullets[0] == (
        "- **The segment with the most revenue.** Champions are 20.0% of the customers and bring 60.0% of "
        "the revenue, at least twice their share of the customers; in the value matrix, 重要价值客户 (18.0% "
        "of the customers, 70.0% of the revenue). A play to test, not a finding of this notebook: "
        "recognition and service rather than discounts."
    )
    assert bullets[1].startswith(
        "- **The valuable ones who slip.** At Risk (1.0% of the customers, 2.0% of the revenue); 重要保持客户"
    )
    assert bullets[2].endswith(
        "Each group brings at most half its share of the customers in revenue. A play to test, not a "
        "finding of this notebook: automated, low-cost contact at most."
    )
    assert (
        "rank correlation 0.86 (95% interval 0.71 to 0.95) over 8 segments, at least seven tenths over the "
        "whole interval: the segments rank next-period spending and are a basis" in bullets[3]
    )
    spans = nr.what_this_means(record(**{"next period: rank correlation 95% low": 0.69})).splitlines()[3]
    assert spans.endswith(
        "over 8 segments; the 95% interval reaches both sides of seven tenths: this run cannot say whether "
        "the segments rank next-period spending."
    )
    bare = record(**{"next period: rank correlation 95% low": None})
    assert "without an interval this notebook does not judge" in nr.what_this_means(bare)
    assert "the play for them is" not in text  # a play is a suggestion to test, not a finding
    assert narrative.closing("03_rfm_segmentation", record()).endswith(text)


def test_the_closing_bullets_state_the_stage_mix_of_the_segments_they_name():
    stages = {
        "Champions: customers": 4993,
        "Champions: churned (customers)": 541,
        "Champions: silent (customers)": 1361,
        "Hibernating: customers": 4637,
        "Hibernating: churned (customers)": 4637,
        "Hibernating: silent (customers)": 0,
        "Lost: customers": 4711,
        "Lost: churned (customers)": 4711,
        "Lost: silent (customers)": 0,
        "next period: min customers per segment": 30,
        "next period: segments left out for size": "Can't Lose Them (27); Need Attention (13)",
    }
    bullets = nr.what_this_means(record(**stages)).splitlines()
    assert (
        "By notebook 01's stage rules, 541 of the 4,993 Champions are churned and 1,361 silent at the end "
        "of the data. Their RFM scores rank past spending, not whether they still buy. A play to test, not "
        "a finding of this notebook: recognition and service rather than discounts, for those still buying."
    ) in bullets[0]
    assert (
        "By notebook 01's stage rules, all 4,637 Hibernating and all 4,711 Lost are churned at the end of "
        "the data. A play to test" in bullets[2]
    )
    assert "over 8 segments of at least 30 customers (2 smaller ones left out)" in bullets[3]
    active = record(**{"Champions: customers": 50, "Champions: churned (customers)": 0})
    active["Champions: silent (customers)"] = 0
    first = nr.what_this_means(active).splitlines()[0]
    assert "none of the 50 Champions is silent or churned" in first and "past spending" not in first


def test_what_this_means_states_the_numbers_where_no_rule_applies():
    heavy_tail = record(
        **{
            "Hibernating: revenue (%)": 17.0,
            "next period: rank correlation (value then, spend after)": -0.5,
            "next period: rank correlation 95% low": -0.8,
            "next period: rank correlation 95% high": 0.2,
        }
    )
    text = nr.what_this_means(heavy_tail)
    assert "automated, low-cost contact" not in text
    assert (
        "rank correlation -0.50 (95% interval -0.80 to 0.20) over 8 segments; the whole interval is short of "
        "the seven tenths this notebook asks" in text
    )
    short = {k: v for k, v in record().items() if not k.startswith("next period: ")}
    assert "rank the next period" not in nr.what_this_means(short)
    nan = record(**{"next period: rank correlation (value then, spend after)": None})
    assert "rank correlation n/a over 8 segments; too few segments to judge" in nr.what_this_means(nan)
    assert nr.what_this_means({"not run: RFM segmentation": "needs x"}) == (
        "- RFM segmentation did not run on this data: the sufficiency table says what it needs."
    )


def test_headline_figures_record_what_the_closing_text_needs():
    table = profile({"Champions": (20, 20.0, 60.0), "Lost": (80, 80.0, 40.0)})
    classes = profile({"重要价值客户": (20, 20.0, 60.0), "一般挽留客户": (80, 80.0, 40.0)})
    check = outcome_check({"Champions": (100, 3.0, 60.0, 30.0), "Lost": (100, 1.0, 10.0, 2.0)})
    by_stage = stage_table({"Champions": [0, 0, 12, 5, 3], "Lost": [0, 0, 0, 0, 80]})
    figures = rfm.headline_figures(
        table, classes, concentration=rfm.pareto(pd.Series([1.0, 3.0])), check=check, stages=by_stage
    )
    assert figures["Champions: customers"] == 20 and figures["Champions: churned (customers)"] == 3
    assert figures["Lost: silent (customers)"] == 0 and figures["Lost: churned (customers)"] == 80
    assert figures["customers scored"] == 100 and figures["重要价值客户: revenue (%)"] == 60.0
    assert figures["next period: segments compared"] == 2
    text = narrative.closing("03_rfm_segmentation", figures)
    assert "Champions is the segment with the most revenue: 60.0%" in text
    assert (
        "rank correlation 1.00 (95% interval 1.00 to 1.00) over 2 segments of at least 30 customers; too few "
        "segments to judge" in text
    )
    assert "3 of the 20 Champions are churned and 5 silent" in text


def test_the_score_sentence_without_an_even_axis_names_the_tie_or_lists_the_scores():
    values = pd.DataFrame(
        {
            "recency": [1] * 6 + [2, 3, 4, 5],
            "frequency": [1] * 6 + [2, 3, 4, 5],
            "monetary": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 4.0, 5.0],
        }
    )
    scored, edges = rfm.score_rfm(values)
    text = nr.score_sentence(scored, edges)
    assert text.startswith(
        "R is uneven: the 6 customers with 1 day since the last purchase all share score 5"
    )
    spread = pd.DataFrame({"recency": range(10), "frequency": range(1, 11), "monetary": np.arange(1.0, 11.0)})
    scored, edges = rfm.score_rfm(spread, {"M": [2.0, 3.0, 4.0, 5.0]})  # edges given: M is not balanced
    assert nr.score_sentence(scored, edges) == (
        "R and F split into five near-equal scores (2 each). M scores 1-5 hold 1, 1, 1, 1 and 6 customers. "
        "F scores 1-5 stand for 1-2, 3-4, 5-6, 7-8 and 9 or more purchase occasions."
    )


# ------------------------------------------------------------------ plays by class and stage
def _play_counts(stages_by_class: dict) -> pd.DataFrame:
    classes = [c for c, st in stages_by_class.items() for _ in st]
    stages_now = [s for st in stages_by_class.values() for s in st]
    ids = pd.Index([f"c{i}" for i in range(len(classes))], name="customer_id")
    plays = rfm.plays_by_stage(pd.DataFrame({"class": classes}, index=ids), pd.Series(stages_now, index=ids))
    return rfm.play_counts(plays)


def test_plays_sentence_counts_the_customers_whose_stage_sets_the_play():
    counts = _play_counts(
        {"重要价值客户": ["mature", "silent", "silent", "churned"], "重要保持客户": ["churned", "churned"]}
    )
    text = nr.plays_sentence(counts)
    assert "5 of the 6 customers are silent or churned" in text
    assert (
        'Of the 重要价值客户 customers, 2 silent and 1 churned are no longer told to "keep them exactly'
        in text
    )
    assert "Every customer of 重要保持客户 is silent or churned" in text
    active = nr.plays_sentence(_play_counts({"重要价值客户": ["mature", "growing"]}))
    assert active.startswith("None of the 2 customers is silent or churned")
    assert nr.plays_sentence(pd.DataFrame(columns=["customers"])) == (
        "No customer has both a value class and a lifecycle stage."
    )


# --------------------------------------------------------------------- naive baselines
def _baselines(
    seg=(0.70, 0.69, 0.71), freq=(0.65, 0.64, 0.66), rec=(0.66, 0.65, 0.67), rank=None, leads=None
):
    """A ``rfm.baseline_check`` table: (point, low, high) per predictor on AUC (``seg``, ``freq``,
    ``rec``) and on rank correlation (``rank``); the paired leads of the segments default to the
    differences of the points with an interval of +-0.005 around them, ``leads`` sets them by
    (baseline, measure)."""
    rank = rank or {
        "RFM segment": (0.4, 0.39, 0.41),
        "frequency alone": (0.3, 0.29, 0.31),
        "recency alone": (0.3, 0.29, 0.31),
    }
    rows = {}
    for name, a in (("RFM segment", seg), ("frequency alone", freq), ("recency alone", rec)):
        r = rank[name]
        rows[name] = {
            "customers": 100,
            "AUC, bought again": a[0],
            "AUC 95% low": a[1],
            "AUC 95% high": a[2],
            "rank correlation with spend after": r[0],
            "rank correlation 95% low": r[1],
            "rank correlation 95% high": r[2],
        }
        for measure, prefix, point in (("AUC", "AUC", 0), ("rank", "rank correlation", 0)):
            own = (seg if measure == "AUC" else rank["RFM segment"])[point]
            theirs = (a if measure == "AUC" else r)[point]
            lead = (leads or {}).get((name, measure))
            if lead is None:
                diff = round(own - theirs, 3)
                lead = (diff, diff - 0.005, diff + 0.005)
            if name == "RFM segment":
                lead = (float("nan"),) * 3
            rows[name] |= {
                f"{prefix} lead of segments": lead[0],
                f"{prefix} lead 95% low": lead[1],
                f"{prefix} lead 95% high": lead[2],
            }
        rows[name]["note"] = ""
    return pd.DataFrame(rows).T.rename_axis("predictor")


@pytest.mark.parametrize(
    "lead, verdict",
    [
        ((0.02, 0.001, 0.04), True),  # a lead of 0.02 with its paired interval above zero
        ((0.019, 0.001, 0.04), None),  # short of the margin
        ((0.021, 0.001, 0.04), True),
        ((0.10, 0.0, 0.20), None),  # the interval reaches zero
        ((-0.02, -0.04, -0.001), False),  # the baseline leads by 0.02, interval below zero
        ((-0.019, -0.04, -0.001), None),
        ((-0.02, -0.04, 0.0), None),
        ((float("nan"),) * 3, None),
    ],
)
def test_beats_baseline_on_both_sides_of_the_margin(lead, verdict):
    assert nr.BASELINE_MARGIN == 0.02
    table = _baselines(leads={("frequency alone", "AUC"): lead})
    assert nr.beats_baseline(table, "frequency alone") is verdict


def test_beats_baseline_judges_the_paired_lead_not_the_overlap_of_separate_intervals():
    """The referee's case: the separate intervals overlap (0.68-0.72 against 0.655-0.695), but on the same
    customers the segments lead in every resample (paired interval 0.021 to 0.029): they beat it. And the
    other way: separate intervals apart, paired lead whose interval reaches zero: no verdict."""
    overlap = _baselines(
        seg=(0.70, 0.68, 0.72),
        freq=(0.675, 0.655, 0.695),
        leads={("frequency alone", "AUC"): (0.025, 0.021, 0.029)},
    )
    assert nr.beats_baseline(overlap, "frequency alone") is True
    apart = _baselines(
        seg=(0.70, 0.69, 0.71),
        freq=(0.65, 0.64, 0.66),
        leads={("frequency alone", "AUC"): (0.05, -0.001, 0.1)},
    )
    assert nr.beats_baseline(apart, "frequency alone") is None
    no_leads = _baselines().drop(columns=["AUC lead of segments"])
    assert nr.beats_baseline(no_leads, "frequency alone") is None


def test_baseline_sentence_says_whether_the_segments_beat_the_baselines():
    good = nr.baseline_sentence(_baselines(), early="2024-01-31", end="2024-06-30")
    assert (
        "AUC of 0.700 (95% interval 0.690 to 0.710), against 0.650 (0.640 to 0.660) for frequency alone"
        in good
    )
    assert (
        "Paired on the same resamples of customers, the segments' lead (segments minus baseline) is 0.050 "
        "(95% interval 0.045 to 0.055) on frequency alone in AUC, 0.040 (0.035 to 0.045) on recency alone in "
        "AUC, 0.100 (0.095 to 0.105) on frequency alone in rank correlation and 0.100 (0.095 to 0.105) on "
        "recency alone in rank correlation."
    ) in good
    assert good.endswith(
        "The segments beat both baselines on both measures (this notebook asks for a lead of at least 0.02 "
        "whose paired 95% interval lies above zero)."
    )
    worse = nr.baseline_sentence(_baselines(seg=(0.60, 0.59, 0.61)), early="2024-01-31", end="2024-06-30")
    assert "beat frequency alone on spend and recency alone on spend" in worse
    assert "They trail frequency alone on bought again and recency alone on bought again" in worse
    none = _baselines(seg=(0.60, 0.59, 0.61), rank={k: (0.3, 0.29, 0.31) for k in nr._PREDICTOR_ROWS})
    assert "do not beat either baseline on either measure" in nr.baseline_sentence(
        none, "2024-01-31", "2024-06-30"
    )
    empty = _baselines(seg=(float("nan"),) * 3)
    empty.loc["RFM segment", "note"] = "everyone or nobody bought again: no AUC"
    assert "cannot be scored" in nr.baseline_sentence(empty, "2024-01-31", "2024-06-30")


def _baseline_figures(table):
    base = {"customers scored": 100}
    for pred, row in table.drop(columns=["customers", "note"]).iterrows():
        base |= {
            f"baseline: {pred}: {c}": float(v)
            for c, v in row.items()
            if not (" lead" in c and pred == "RFM segment")
        }
    return base


@pytest.mark.parametrize(
    "seg, rank",
    [
        ((0.70, 0.69, 0.71), None),  # beats both on both
        ((0.60, 0.59, 0.61), None),  # beats both on spend, trails both on bought again
        (
            (0.60, 0.59, 0.61),
            {k: (0.3, 0.29, 0.31) for k in ("RFM segment", "frequency alone", "recency alone")},
        ),
        (
            (0.65, 0.64, 0.66),
            {
                "RFM segment": (0.42, 0.41, 0.43),
                "frequency alone": (0.48, 0.47, 0.49),
                "recency alone": (0.43, 0.42, 0.44),
            },
        ),
    ],
)
def test_the_closing_bullet_on_the_baselines_says_what_the_body_says(seg, rank):
    table = _baselines(seg=seg, rank=rank)
    body = nr.baseline_sentence(table, "2024-01-31", "2024-06-30")
    bullet = next(
        b for b in nr.what_this_means(_baseline_figures(table)).splitlines() if "naive baselines" in b
    )
    verdict = body[body.index("The segments ") :]
    assert bullet.endswith(verdict)
    assert (
        f"AUC of {seg[0]:.3f}, against 0.650 for frequency alone and 0.660 for recency alone. The segments"
        in bullet
    )


def test_the_closing_bullet_on_the_baselines_on_cdnow_like_figures():
    """The referee's reading of CDNOW: no lead on either measure, and frequency alone ahead on spend."""
    table = _baselines(
        seg=(0.749, 0.741, 0.756),
        freq=(0.753, 0.746, 0.759),
        rec=(0.759, 0.752, 0.766),
        rank={
            "RFM segment": (0.424, 0.413, 0.435),
            "frequency alone": (0.481, 0.469, 0.492),
            "recency alone": (0.431, 0.421, 0.441),
        },
        leads={
            ("frequency alone", "AUC"): (-0.004, -0.007, -0.001),
            ("recency alone", "AUC"): (-0.011, -0.017, -0.005),
            ("frequency alone", "rank"): (-0.057, -0.062, -0.053),
            ("recency alone", "rank"): (-0.007, -0.016, 0.001),
        },
    )
    bullet = nr.what_this_means(_baseline_figures(table)).splitlines()[-1]
    assert bullet.endswith(
        "The segments do not beat either baseline on either measure (this notebook asks for a lead of at "
        "least 0.02 whose paired 95% interval lies above zero). They trail frequency alone on spend by that "
        "standard."
    )
    assert "both baselines on both measures" not in bullet
    assert "Segments against naive baselines" not in nr.what_this_means({"customers scored": 100})


# ----------------------------------------------------------------- small cells and small segments
def _heat(sizes, means):
    """An ``rfm.rf_heatmap``-shaped table from dicts (R, F) -> customers and (R, F) -> mean."""
    scored = pd.DataFrame(
        [(r, f, means[(r, f)]) for (r, f), n in sizes.items() for _ in range(n)],
        columns=["R", "F", "monetary"],
    )
    return rfm.rf_heatmap(scored)


@pytest.mark.parametrize("size, named", [(29, False), (30, True), (31, True)])
def test_the_heatmap_sentence_reads_only_cells_of_the_minimum(size, named):
    """300 customers (minimum 30): a cell with the highest mean is named only from 30 customers up."""
    sizes = {(5, 1): 100, (5, 2): 100, (4, 1): 71 - size + 29, (4, 2): size}
    means = {(5, 1): 10.0, (5, 2): 20.0, (4, 1): 12.0, (4, 2): 990.0}
    text = nr.heatmap_sentence(_heat(sizes, means))
    assert ("The highest mean, \\$990, is at R = 4, F = 2" in text) is named
    if named:
        assert f"is at R = 4, F = 2 ({size} customers)." in text and "left blank" not in text
    else:
        assert "The highest mean, \\$20, is at R = 5, F = 2 (100 customers)." in text
        assert "1 of the 4 filled cells holds fewer than 30 customers; its mean is left blank" in text
        assert (
            "(over the cells of at least 30 customers; from \\$10-\\$12 at F = 1 to \\$20 at F = 2)" in text
        )


def test_the_heatmap_sentence_when_no_cell_is_large_enough():
    heat = _heat({(5, 1): 5, (4, 2): 6}, {(5, 1): 10.0, (4, 2): 20.0})  # 11 customers: minimum 10
    assert nr.heatmap_sentence(heat) == "No cell holds 10 customers or more: no mean is read."
    scored = pd.DataFrame([(5, 1, 10.0)] * 5 + [(4, 2, 20.0)] * 6, columns=["R", "F", "monetary"])
    lower = rfm.rf_heatmap(scored, min_customers=5)
    assert "is at R = 4, F = 2 (6 customers)" in nr.heatmap_sentence(lower)  # the table's own minimum
    assert (
        "The highest mean, \\$20, is at R = 4, F = 2 (6 customers). 1 of the 2 filled cells holds fewer "
        in (nr.heatmap_sentence(lower, min_customers=6))
    )


@pytest.mark.parametrize("size, small", [(29, True), (30, False)])
def test_the_segment_sentence_flags_segments_under_the_minimum(size, small):
    labels = pd.Series(["Champions"] * 150 + ["Can't Lose Them"] * size + ["Lost"] * (150 - size))
    values = pd.DataFrame({"recency": 1, "frequency": 1, "monetary": 1.0}, index=labels.index)
    table = rfm.segment_profile(values, labels)
    text = nr.segment_sentence(table)
    flag = (
        f"Can't Lose Them ({size} customers) is small: fewer than the 30 customers this notebook asks before "
        "reading a segment's figures, which say little about so few customers."
    )
    assert (flag in text) is small


def test_the_slipping_bullet_flags_small_segments_and_states_their_stages():
    figures = record(
        **{
            "Can't Lose Them: customers (%)": 0.1,
            "Can't Lose Them: revenue (%)": 0.2,
            "At Risk: customers": 73,
            "At Risk: churned (customers)": 73,
            "At Risk: silent (customers)": 0,
            "Can't Lose Them: customers": 26,
            "Can't Lose Them: churned (customers)": 26,
            "Can't Lose Them: silent (customers)": 0,
            "small segments (end of data)": "Can't Lose Them (26)",
            "min customers per segment (end of data)": 30,
        }
    )
    bullet = nr.what_this_means(figures).splitlines()[1]
    assert bullet.endswith(
        "notebook 05 prices. By notebook 01's stage rules, all 73 At Risk and all 26 Can't Lose Them are "
        "churned at the end of the data. Can't Lose Them (26 customers) is small: fewer than the 30 "
        "customers this notebook asks before reading a segment's figures, which say little about so few "
        "customers."
    )
    plain = nr.what_this_means(record(**{"small segments (end of data)": ""})).splitlines()[1]
    assert "is small" not in plain


def test_the_plays_sentence_for_segments_names_who_no_longer_gets_the_segments_play():
    ids = pd.Index([f"c{i}" for i in range(7)], name="customer_id")
    labels = pd.Series(["Champions"] * 4 + ["Lost"] * 2 + ["Loyal Customers"], index=ids)
    stage_now = pd.Series(
        ["mature", "silent", "silent", "churned", "churned", "churned", "growing"], index=ids
    )
    m_level = pd.Series(["high", "high", "low", "low", "low", "high", "low"], index=ids)
    counts = rfm.play_counts(rfm.segment_plays_by_stage(labels, stage_now, m_level=m_level))
    own = rfm.SEGMENT_RULES.set_index("segment")["play"]
    text = nr.plays_sentence(counts, own)
    assert text == (
        "By notebook 01's stage rules, 5 of the 7 customers are silent or churned, so their play follows "
        "their stage and past spend (a win-back, or letting go) instead of their segment's play, which is "
        "set by scores relative to the other customers and does not know whether they still buy. Of the "
        'Champions, 2 silent and 1 churned are no longer told to "reward, early access, ask for reviews and '
        "referrals\". Every customer of Lost is silent or churned: none keeps the segment's own play."
    )
    active = rfm.play_counts(
        rfm.segment_plays_by_stage(
            labels, stage_now.replace({"silent": "mature", "churned": "mature"}), m_level=m_level
        )
    )
    assert nr.plays_sentence(active, own) == (
        "None of the 7 customers is silent or churned by notebook 01's stage rules: every customer keeps the "
        "play of their segment."
    )
