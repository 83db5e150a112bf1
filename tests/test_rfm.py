"""lifecycle_utils.rfm: tie-safe scores, exhaustive segment maps, the value matrix, concentration."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import data, rfm


def tx_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


@pytest.fixture(scope="module")
def sample_scored():
    tx, _ = data.load_cdnow_sample()
    values = rfm.rfm_values(tx, "1998-06-30")
    return rfm.score_rfm(values)


def test_rfm_values_by_hand():
    tx = tx_frame(
        [
            ("a", "2024-01-01", 10.0),
            ("a", "2024-01-01", 5.0),
            ("a", "2024-03-01", 20.0),
            ("b", "2024-02-20", 7.0),
            ("c", "2024-04-01", 1.0),
        ]
    )
    v = rfm.rfm_values(tx, "2024-03-10")
    assert v.loc["a"].tolist() == [9, 2, 35.0] and v.loc["b"].tolist() == [19, 1, 7.0]
    assert "c" not in v.index
    assert rfm.rfm_values(tx, "2024-03-10", monetary="mean").loc["a", "monetary"] == 17.5
    with pytest.raises(ValueError, match="no purchases on or before"):
        rfm.rfm_values(tx, "2023-01-01")


def test_tied_values_never_fail_and_share_a_score():
    freq = pd.Series([1] * 60 + [2] * 15 + [3] * 10 + [4] * 6 + [5] * 4 + [7] * 3 + [9] * 2)
    with pytest.raises(ValueError):
        pd.qcut(freq, 5, labels=False)  # the trap
    edges = rfm.tie_safe_edges(freq)
    assert edges == sorted(set(edges)) and len(edges) == 4
    scores = rfm.score(freq, edges)
    assert scores.groupby(freq).nunique().eq(1).all()  # identical values, identical scores
    assert scores[freq == 1].iloc[0] == 1 and scores[freq == 9].iloc[0] == 5
    assert set(scores) == {1, 2, 3, 4, 5}


def test_degenerate_inputs():
    assert rfm.tie_safe_edges(pd.Series([3, 3, 3])) == []
    assert rfm.score(pd.Series([3, 3, 3]), []).tolist() == [1, 1, 1]
    assert rfm.tie_safe_edges(pd.Series([1, 2])) == [2.0]


def test_even_values_give_quintiles():
    values = pd.Series(np.arange(100))
    edges = rfm.tie_safe_edges(values)
    assert edges == [20.0, 40.0, 60.0, 80.0]
    assert rfm.score(values, edges).value_counts().tolist() == [20] * 5


def test_recency_direction():
    v = pd.DataFrame(
        {
            "recency": [1, 50, 100, 200, 400],
            "frequency": [1, 2, 3, 4, 5],
            "monetary": [1.0, 2.0, 3.0, 4.0, 5.0],
        },
        index=list("abcde"),
    )
    scored, edges = rfm.score_rfm(v)
    assert scored["R"].tolist() == [5, 4, 3, 2, 1]  # most recent scores highest
    assert scored["F"].tolist() == [1, 2, 3, 4, 5]
    assert scored.loc["a", "RFM"] == "511"
    assert rfm.edges_table(edges).query("axis == 'R' and score == 5")["values"].item() == "0 to 49"


def test_score_distribution_counts_every_customer(sample_scored):
    scored, _ = sample_scored
    dist = rfm.score_distribution(scored)
    assert (dist.sum() == len(scored)).all() and list(dist.index) == [1, 2, 3, 4, 5]


def test_our_map_covers_all_125_combinations_and_reaches_every_segment():
    grid = rfm.segment_grid(rfm.SEGMENT_RULES)
    assert len(grid) == 125 and grid["segment"].notna().all()
    assert not grid.duplicated(["R", "F", "M"]).any()
    table = rfm.check_segment_map(rfm.SEGMENT_RULES)
    assert (table["score combinations"] > 0).all() and table["score combinations"].sum() == 125


def test_the_widely_copied_map_leaves_four_segments_unreachable():
    table = rfm.check_segment_map(rfm.NAIVE_RULES, strict=False)
    assert sorted(table.index[table["score combinations"] == 0]) == sorted(
        ["New Customers", "Promising", "Can't Lose Them", "Lost"]
    )
    with pytest.raises(ValueError, match="never reached .*New Customers, Promising, Can't Lose Them, Lost"):
        rfm.check_segment_map(rfm.NAIVE_RULES)


def test_an_edited_map_is_checked():
    broken = rfm.SEGMENT_RULES[rfm.SEGMENT_RULES["segment"] != "Lost"]
    with pytest.raises(ValueError, match="10 of 125 combinations match no segment"):
        rfm.assign_segments(pd.DataFrame({"R": [1], "F": [1], "M": [1]}), broken)


def test_every_customer_in_exactly_one_segment(sample_scored):
    scored, _ = sample_scored
    labels = rfm.assign_segments(scored)
    assert labels.notna().all() and len(labels) == len(scored) and labels.index.is_unique
    profile = rfm.segment_profile(scored, labels, plays=rfm.SEGMENT_RULES.set_index("segment")["play"])
    assert profile["customers"].sum() == len(scored)
    assert profile["revenue (%)"].sum() == pytest.approx(100, abs=0.2)


@pytest.mark.parametrize(
    ("recency", "frequency", "monetary", "expected"),
    [
        (5, 10, 500.0, "重要价值客户"),  # recent, frequent, high spend
        (400, 1, 500.0, "重要挽留客户"),  # long gone, infrequent, high spend
        (5, 1, 500.0, "重要发展客户"),
        (400, 10, 500.0, "重要保持客户"),
        (5, 10, 10.0, "一般价值客户"),
        (5, 1, 10.0, "一般发展客户"),
        (400, 10, 10.0, "一般保持客户"),
        (400, 1, 10.0, "一般挽留客户"),
    ],
)
def test_value_matrix_by_hand(recency, frequency, monetary, expected):
    base = pd.DataFrame(
        {"recency": [100, 200], "frequency": [3, 4], "monetary": [100.0, 120.0]}, index=["x", "y"]
    )
    one = pd.DataFrame({"recency": [recency], "frequency": [frequency], "monetary": [monetary]}, index=["c"])
    classes, _ = rfm.value_matrix(pd.concat([base, one]), threshold="median")
    assert classes.loc["c", "class"] == expected


def test_value_matrix_threshold_is_exclusive_and_checked():
    v = pd.DataFrame({"recency": [10, 20, 30], "frequency": [1, 2, 3], "monetary": [1.0, 2.0, 3.0]})
    classes, _ = rfm.value_matrix(v, threshold="median")
    assert classes["F level"].tolist() == ["low", "low", "high"]  # equal to the median counts as low
    assert classes["R level"].tolist() == ["high", "low", "low"]
    assert classes["class (en)"].notna().all()
    _, thresholds = rfm.value_matrix(v, threshold="mean")
    assert thresholds == {
        "recency threshold (mean)": 20.0,
        "frequency threshold (mean)": 2.0,
        "monetary threshold (mean)": 2.0,
    }
    with pytest.raises(ValueError, match="threshold must be"):
        rfm.value_matrix(v, threshold="mode")


def test_pareto_and_lorenz_by_hand():
    spend = pd.Series([1.0, 1.0, 1.0, 1.0, 96.0])
    facts = rfm.pareto(spend)
    assert facts["revenue from top 20% of customers (%)"] == 96.0
    assert facts["customers bringing 80% of revenue (%)"] == 20.0
    assert facts["Gini coefficient"] == pytest.approx(0.76)
    curve = rfm.lorenz_curve(spend)
    assert curve.iloc[0].tolist() == [0, 0] and curve.iloc[-1].tolist() == [1, 1]
    assert rfm.pareto(pd.Series([5.0] * 10))["Gini coefficient"] == pytest.approx(0.0)


def test_migration_and_next_period_outcome():
    before = pd.Series(["A", "A", "B", "B"], index=list("wxyz"))
    after = pd.Series(["A", "B", "B"], index=list("wxy"))
    table = rfm.migration(before, after)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    assert table.loc["A", "B"] == 0.5
    assert rfm.migration(before, after, normalize=False).to_numpy().sum() == 3
    tx = tx_frame(
        [
            ("w", "2024-02-01", 10.0),
            ("w", "2024-02-02", 10.0),
            ("x", "2023-12-01", 5.0),
            ("y", "2024-03-01", 4.0),
        ]
    )
    outcome = rfm.next_period_outcome(tx, before, start="2024-01-01", end="2024-02-28")
    cols = ["customers", "bought again (%)", "mean occasions", "mean spend"]
    assert outcome.loc["A", cols].tolist() == [2, 50.0, 1.0, 10.0]
    assert outcome.loc["B", cols].tolist() == [2, 0.0, 0.0, 0.0]
    # Wilson 95% for 1 of 2: centre 0.5, half-width z*sqrt(1/8 + z^2/16)/(1 + z^2/2) = 0.4055
    assert outcome.loc["A", "bought again, 95% low (%)"] == 9.5
    assert outcome.loc["A", "bought again, 95% high (%)"] == 90.5
    # Wilson for 0 of 2: upper z^2/(n + z^2) = 3.8415/5.8415 = 65.8%
    assert outcome.loc["B", "bought again, 95% low (%)"] == 0.0
    assert outcome.loc["B", "bought again, 95% high (%)"] == 65.8
    assert outcome.loc["A", "note"] == "small: 2 customers"  # below the floor of 10
    big = rfm.next_period_outcome(tx, before, start="2024-01-01", end="2024-02-28", min_customers=2)
    assert (big["note"] == "").all()
    one = rfm.next_period_outcome(tx, before.iloc[:3], start="2024-01-01", end="2024-02-28")
    assert one.loc["B", "note"] == "small: 1 customer"


def _baseline_case():
    """Six customers at 2024-03-31: recency ranks who buys again perfectly, frequency in reverse."""
    rows = [
        ("a", "2024-03-30", 10.0),
        ("b", "2024-03-20", 10.0),
        ("c", "2024-03-10", 10.0),
        ("d", "2024-02-01", 10.0),
        ("d", "2024-02-02", 10.0),
        ("e", "2024-01-15", 10.0),
        ("e", "2024-01-16", 10.0),
        ("e", "2024-01-17", 10.0),
        ("f", "2024-01-01", 10.0),
        ("f", "2024-01-02", 10.0),
        ("f", "2024-01-03", 10.0),
        ("f", "2024-01-04", 10.0),
        ("a", "2024-04-10", 30.0),
        ("b", "2024-04-10", 20.0),
        ("c", "2024-04-10", 10.0),
    ]
    return tx_frame(rows)


def test_baseline_check_scores_segments_and_the_naive_baselines():
    tx = _baseline_case()
    values = rfm.rfm_values(tx, "2024-03-31")
    labels = pd.Series(["x", "x", "y", "y", "z", "z"], index=values.index)
    table = rfm.baseline_check(values, labels, tx=tx, start="2024-03-31", end="2024-04-30", n_boot=50, seed=1)
    assert list(table.index) == ["RFM segment", "frequency alone", "recency alone"]
    assert table.loc["recency alone", "AUC, bought again"] == 1.0  # a, b, c are the three most recent
    assert table.loc["frequency alone", "AUC, bought again"] == 0.0  # the buyers bought least often
    # mean monetary: x 10, y 15, z 35; buyers a, b (x) and c (y) rank below d (y), e, f (z):
    # pairs (buyer, non-buyer) in order: none; ties: c with d -> 0.5 of 9 pairs
    assert table.loc["RFM segment", "AUC, bought again"] == round(0.5 / 9, 3)
    # spend after: a 30 > b 20 > c 10 > d = e = f = 0 (mid-rank 2); recency ranks a-f 6 down to 1:
    # Pearson of (6, 5, 4, 3, 2, 1) and (6, 5, 4, 2, 2, 2) = 15.5 / sqrt(17.5 * 15.5) = 0.9411
    assert table.loc["recency alone", "rank correlation with spend after"] == 0.941
    assert (table["AUC 95% low"] <= table["AUC, bought again"]).all()
    assert (table["AUC 95% high"] >= table["AUC, bought again"]).all()
    again = rfm.baseline_check(values, labels, tx=tx, start="2024-03-31", end="2024-04-30", n_boot=50, seed=1)
    pd.testing.assert_frame_equal(table, again)  # seeded


def test_baseline_check_says_when_nobody_bought_again():
    tx = _baseline_case()
    values = rfm.rfm_values(tx, "2024-03-31")
    labels = pd.Series("x", index=values.index)
    table = rfm.baseline_check(values, labels, tx=tx, start="2024-04-30", end="2024-05-31", n_boot=20)
    assert table["AUC, bought again"].isna().all()
    assert table["note"].str.contains("nobody bought again").all()


def test_play_table_keeps_the_class_play_only_for_active_customers():
    table = rfm.play_table().set_index(["class", "stage"])
    assert len(table) == 8 * 5
    own = rfm.VALUE_CLASSES.set_index("class")["play"]
    for (cls, stage), row in table.iterrows():
        if stage in ("new", "growing", "mature"):
            assert row["play"] == own[cls] and row["play from"] == "value class"
        else:
            assert row["play from"] == "stage"
            assert "exactly as they are" not in row["play"] and "before they lapse" not in row["play"]
    assert table.loc[("重要价值客户", "churned"), "play"] == table.loc[("重要保持客户", "churned"), "play"]
    assert table.loc[("重要价值客户", "churned"), "play"] != table.loc[("一般价值客户", "churned"), "play"]


def test_plays_by_stage_and_their_counts():
    classes = pd.DataFrame(
        {"class": ["重要价值客户", "重要价值客户", "重要价值客户", "一般挽留客户"]},
        index=pd.Index(list("abcd"), name="customer_id"),
    )
    stages_now = pd.Series(["mature", "silent", "churned", "churned"], index=list("abcd"))
    plays = rfm.plays_by_stage(classes, stages_now)
    assert plays["overridden"].tolist() == [False, True, True, True]
    assert plays.loc["a", "play"] == rfm.VALUE_CLASSES.set_index("class").loc["重要价值客户", "play"]
    assert plays.loc["b", "play"].startswith("win back now")
    assert plays.loc["d", "play"].startswith("let go")
    counts = rfm.play_counts(plays)
    assert counts["customers"].tolist() == [1, 1, 1, 1]
    assert list(counts.index) == [
        ("重要价值客户", "mature"),
        ("重要价值客户", "silent"),
        ("重要价值客户", "churned"),
        ("一般挽留客户", "churned"),
    ]
    figures = rfm.headline_figures(
        pd.DataFrame({"customers": [4], "customers (%)": [100.0], "revenue (%)": [100.0]}, index=["S"]),
        pd.DataFrame({"customers (%)": [], "revenue (%)": []}),
        concentration=pd.Series(dtype=float),
        plays=counts,
    )
    assert figures["customers with a class and a stage"] == 4
    assert figures["play set by the stage (customers)"] == 3


def test_rf_heatmap_orders_recent_first(sample_scored):
    scored, _ = sample_scored
    heat = rfm.rf_heatmap(scored, min_customers=1)
    means, sizes = heat["mean monetary"], heat["customers"]
    assert list(heat.index) == [5, 4, 3, 2, 1] and list(means.columns) == [1, 2, 3, 4, 5]
    cell = scored[(scored["R"] == 1) & (scored["F"] == 1)]["monetary"]
    assert means.loc[1, 1] == pytest.approx(cell.mean()) and sizes.loc[1, 1] == len(cell)
    assert sizes.to_numpy().sum() == len(scored)


def test_rf_heatmap_blanks_the_mean_of_cells_under_the_minimum():
    """Cells of 29, 30 and 31 customers with a minimum of 30: only the first is blanked; its customers
    stay. With no minimum given, the segments' rule applies (30 from 300 customers up)."""
    sizes = {(5, 1): 29, (5, 2): 30, (4, 3): 31, (1, 5): 250}
    rows = [(r, f, 10.0 * f) for (r, f), n in sizes.items() for _ in range(n)]
    scored = pd.DataFrame(rows, columns=["R", "F", "monetary"])
    heat = rfm.rf_heatmap(scored, min_customers=30)
    assert np.isnan(heat.loc[5, ("mean monetary", 1)]) and heat.loc[5, ("customers", 1)] == 29
    assert heat.loc[5, ("mean monetary", 2)] == 20.0 and heat.loc[4, ("mean monetary", 3)] == 30.0
    assert heat.loc[3, ("customers", 3)] == 0 and np.isnan(heat.loc[3, ("mean monetary", 3)])
    assert rfm.min_ranked_customers(len(scored)) == 30
    pd.testing.assert_frame_equal(rfm.rf_heatmap(scored), heat)  # the default is the segments' rule
    assert rfm.rf_heatmap(scored, min_customers=1).loc[5, ("mean monetary", 1)] == 10.0


def test_segment_rules_from_parameters_are_checked():
    assert rfm.segment_rules() is rfm.SEGMENT_RULES
    rows = [("Everyone", 1, 5, 1, 5, 1, 5, "talk to them")]
    assert rfm.segment_rules(rows)["segment"].tolist() == ["Everyone"]
    with pytest.raises(ValueError, match="never reached .*Nobody"):
        rfm.segment_rules(rows + [("Nobody", 1, 1, 1, 1, 1, 1, "")])


def test_value_profile_and_crosstab(sample_scored):
    scored, _ = sample_scored
    classes, _ = rfm.value_matrix(scored)
    profile = rfm.value_profile(scored, classes)
    assert profile.loc["重要价值客户", "class (en)"] == "important value"
    assert profile["customers"].sum() == len(scored) and profile["play"].notna().all()
    a = pd.Series(["x", "x", "y"], index=[1, 2, 3], name="segment")
    b = pd.Series(["p", "q", "q"], index=[1, 2, 3], name="stage")
    assert rfm.crosstab(a, b).loc["x"].tolist() == [1, 1]
    assert rfm.crosstab(a, b, normalize=True).loc["y", "q"] == 100.0


def test_migration_leaves_empty_segments_empty():
    before = pd.Series(pd.Categorical(["A", "A"], categories=["A", "B"]), index=["x", "y"])
    after = pd.Series(pd.Categorical(["A", "B"], categories=["A", "B"]), index=["x", "y"])
    table = rfm.migration(before, after)
    assert table.loc["B"].isna().all() and table.loc["A"].sum() == 1.0


def customer_level(rows, start="2024-01-31"):
    """Customers at ``start`` by segment: ``rows`` name -> (customers, monetary value then, customers who
    bought again, mean spend afterwards over all the segment's customers); each buyer buys once, on
    2024-02-15, and the buyers of a segment spend the same."""
    ids, seg, money, purchases = [], [], [], []
    for name, (n, value, buyers, mean_spend) in rows.items():
        for i in range(n):
            cid = f"{name}-{i}"
            ids.append(cid)
            seg.append(name)
            money.append(value)
            if i < buyers:
                purchases.append((cid, "2024-02-15", mean_spend * n / buyers))
    index = pd.Index(ids, name="customer_id")
    values = pd.DataFrame({"recency": 10, "frequency": 1, "monetary": money}, index=index)
    return values, pd.Series(seg, index=index), tx_frame(purchases)


def test_predictive_check_ranks_the_large_segments_by_their_value_then():
    values, labels, tx = customer_level(
        {
            "A": (100, 300.0, 60, 90.0),
            "B": (50, 50.0, 5, 20.0),
            "C": (40, 100.0, 12, 10.0),
            "small": (3, 900.0, 3, 500.0),
        }
    )
    check = rfm.predictive_check(values, labels, tx=tx, start="2024-01-31", end="2024-03-31")
    assert check["segments compared"] == 3  # "small" has fewer than the floor of 10
    assert check["rank correlation (value then, spend after)"] == pytest.approx(0.5)  # ranks 1,3,2 vs 1,2,3
    assert check["highest-value segment then"] == "A" and check["lowest-value segment then"] == "B"
    assert check["highest: mean spend after"] == 90.0 and check["lowest: bought again (%)"] == 10.0
    assert check["earlier snapshot"] == "2024-01-31" and check["end"] == "2024-03-31"
    # over three segments Spearman takes the values -1, -0.5, 0.5 and 1 only; A stays first in spend, and
    # B and C (20 and 10 each on average, from 5 and 12 buyers) swap in more than 2.5% of the resamples
    # (B below 10 needs at most 2 of its 50 customers drawn as buyers: about one resample in ten), which
    # puts spend in the order of value then: 1
    assert check["rank correlation 95% low"] == 0.5 and check["rank correlation 95% high"] == 1.0
    again = rfm.predictive_check(values, labels, tx=tx, start="2024-01-31", end="2024-03-31")
    pd.testing.assert_series_equal(check, again)  # seeded
    none = rfm.predictive_check(
        values, labels, tx=tx, start="2024-01-31", end="2024-03-31", min_customers=1000
    )
    assert none["segments compared"] == 0 and np.isnan(none["rank correlation (value then, spend after)"])
    assert np.isnan(none["rank correlation 95% low"])
    nobody = tx.iloc[:0]  # nobody bought again: no rank correlation, no interval, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = rfm.predictive_check(values, labels, tx=nobody, start="2024-01-31", end="2024-03-31")
    assert np.isnan(quiet["rank correlation (value then, spend after)"])
    assert np.isnan(quiet["rank correlation 95% high"])


def test_the_rank_interval_is_narrow_when_the_segments_are_far_apart_and_wide_when_close():
    """Simulated truth: four segments whose spend afterwards follows their value then. Far apart (means
    80, 40, 20, 10 from a third of the customers buying), no resample changes the order: the interval is
    1 to 1. Two of them nearly equal (20 and 19, from 10 buyers each), resamples swap them."""
    far = {"A": (300, 400.0, 100, 80.0), "B": (300, 300.0, 100, 40.0), "C": (300, 200.0, 100, 20.0)}
    far["D"] = (300, 100.0, 100, 10.0)
    values, labels, tx = customer_level(far)
    check = rfm.predictive_check(values, labels, tx=tx, start="2024-01-31", end="2024-03-31", seed=3)
    assert check["rank correlation (value then, spend after)"] == 1.0
    assert (check["rank correlation 95% low"], check["rank correlation 95% high"]) == (1.0, 1.0)
    close = far | {"C": (300, 200.0, 10, 20.0), "D": (300, 100.0, 10, 19.0)}
    values, labels, tx = customer_level(close)
    check = rfm.predictive_check(values, labels, tx=tx, start="2024-01-31", end="2024-03-31", seed=3)
    assert check["rank correlation (value then, spend after)"] == 1.0
    assert check["rank correlation 95% low"] == 0.8 and check["rank correlation 95% high"] == 1.0  # one swap


@pytest.mark.parametrize(
    "customers, minimum",
    [
        (23570, 30),  # large data: the fixed minimum
        (300, 30),  # one tenth is exactly 30
        (299, 30),  # one tenth rounds up to 30
        (290, 29),  # just below: one tenth
        (239, 24),  # the long log's earlier snapshot
        (101, 11),
        (100, 10),  # one tenth meets the floor
        (99, 10),  # below: the floor
        (20, 10),
    ],
)
def test_the_minimum_segment_size_scales_with_small_data(customers, minimum):
    assert (rfm.MIN_RANKED_CUSTOMERS, rfm.MIN_RANKED_SHARE, rfm.MIN_RANKED_FLOOR) == (30, 0.10, 10)
    assert rfm.min_ranked_customers(customers) == minimum


def test_predictive_check_names_the_segments_it_leaves_out_for_size():
    values, labels, tx = customer_level(
        {
            "Champions": (26, 300.0, 22, 277.86),
            "Loyal": (18, 120.0, 8, 31.46),
            "Hibernating": (34, 50.0, 6, 21.19),
            "Lost": (161, 20.0, 34, 13.97),
        }
    )
    check = rfm.predictive_check(values, labels, tx=tx, start="2024-01-31", end="2024-03-31")
    assert check["customers at the earlier snapshot"] == 239 and check["min customers per segment"] == 24
    assert check["segments compared"] == 3 and check["highest-value segment then"] == "Champions"
    assert check["segments left out for size"] == "Loyal (18)" and check["left out, worth more then"] == ""
    fixed = rfm.predictive_check(
        values, labels, tx=tx, start="2024-01-31", end="2024-03-31", min_customers=30
    )
    assert fixed["segments left out for size"] == "Champions (26); Loyal (18)"
    assert (
        fixed["left out, worth more then"] == "Champions; Loyal"
    )  # both above Hibernating, the top compared


def test_revenue_shares_are_of_total_spend_whichever_monetary_value_is_scored():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-04"]),
            "amount": [10.0, 10.0, 10.0, 10.0, 40.0],
        }
    )
    labels = pd.Series(["A", "B"], index=["a", "b"])
    for monetary in ("total", "mean"):
        values = rfm.rfm_values(tx, "2024-01-04", monetary)
        assert rfm.total_spend(values, monetary).tolist() == [40.0, 40.0]
        profile = rfm.segment_profile(values, labels, monetary=monetary)
        assert profile["revenue (%)"].tolist() == [50.0, 50.0]  # a: 4 x 10, b: 1 x 40
    # without monetary="mean" the shares would be of mean spend per occasion (10 against 40): 20% and 80%
    mean_values = rfm.rfm_values(tx, "2024-01-04", "mean")
    assert rfm.segment_profile(mean_values, labels)["revenue (%)"].tolist() == [20.0, 80.0]
    with pytest.raises(ValueError):
        rfm.total_spend(mean_values, "median")


def test_the_thresholds_table_has_units_and_the_side_that_counts_as_high():
    small = pd.DataFrame({"recency": [10, 20, 30], "frequency": [1, 2, 3], "monetary": [1.0, 2.0, 3.0]})
    _, thresholds = rfm.value_matrix(small, threshold="median")
    table = rfm.thresholds_table(thresholds)
    assert list(table.index) == ["recency", "frequency", "monetary"]
    assert list(table.columns) == ["threshold", "set by", "unit", "high when"]
    assert table.loc["recency", "threshold"] == 20.0
    assert table.loc["recency", "set by"] == "median of the customers"
    assert table.loc["recency", "unit"] == "days since the last purchase"
    assert table.loc["recency", "high when"] == "below the threshold"
    assert table.loc["monetary", "high when"] == "above the threshold"
    _, in_days = rfm.value_matrix(small, threshold="median", recent_days=25)
    days = rfm.thresholds_table(in_days)
    assert days.loc["recency", "threshold"] == 25.0 and days.loc["recency", "set by"] == "given in days"
    assert days.loc["frequency", "set by"] == "median of the customers"


# ------------------------------------------------------------------------- referee round (issue 17)
@pytest.mark.parametrize("size, note", [(29, "small: 29 customers"), (30, ""), (31, "")])
def test_the_profile_marks_segments_under_the_minimum_small(size, note):
    """300 customers: the minimum is 30 (rfm.min_ranked_customers), so a segment of 29 is small."""
    labels = pd.Series(["S"] * size + ["Rest"] * (300 - size))
    values = pd.DataFrame({"recency": 1, "frequency": 1, "monetary": 1.0}, index=labels.index)
    profile = rfm.segment_profile(values, labels)
    assert profile.loc["S", "note"] == note and profile.loc["Rest", "note"] == ""
    assert (
        rfm.segment_profile(values, labels, min_customers=size + 1).loc["S", "note"]
        == f"small: {size} customers"
    )
    empty = rfm.segment_profile(values, pd.Series(pd.Categorical(labels, categories=["S", "Rest", "None"])))
    assert empty.loc["None", "note"] == ""  # an empty segment is empty, not small


def test_value_matrix_with_a_recency_cut_in_days():
    """Mean recency 400 days: with the mean, 300 days counts as recent; with a cut at 283 days (a churn
    threshold) only the customer at 100 days does."""
    v = pd.DataFrame(
        {"recency": [100, 300, 800], "frequency": [1, 2, 3], "monetary": [1.0, 2.0, 3.0]}, index=list("abc")
    )
    by_mean, t_mean = rfm.value_matrix(v)
    assert (
        by_mean["R level"].tolist() == ["high", "high", "low"] and t_mean["recency threshold (mean)"] == 400.0
    )
    by_days, t_days = rfm.value_matrix(v, recent_days=283)
    assert by_days["R level"].tolist() == ["high", "low", "low"]
    assert t_days == {
        "recency threshold (days)": 283.0,
        "frequency threshold (mean)": 2.0,
        "monetary threshold (mean)": 2.0,
    }
    assert rfm.value_matrix(v, recent_days=300)[0].loc["b", "R level"] == "low"  # at the cut: not recent
    for bad in (0, -5, float("nan")):
        with pytest.raises(ValueError, match="recent_days must be a positive number"):
            rfm.value_matrix(v, recent_days=bad)


def test_value_profile_counts_the_silent_and_churned_customers_of_each_class():
    v = pd.DataFrame(
        {"recency": [5, 6, 7, 400], "frequency": [9, 9, 9, 1], "monetary": [90.0, 90.0, 90.0, 1.0]},
        index=list("abcd"),
    )
    classes, _ = rfm.value_matrix(v)
    stage_now = pd.Series(["mature", "silent", "churned", "churned"], index=list("abcd"))
    profile = rfm.value_profile(v, classes, stages=stage_now)
    assert profile.loc["重要价值客户", ["customers", "silent", "churned"]].tolist() == [3, 1, 1]
    assert profile.loc["一般挽留客户", ["silent", "churned"]].tolist() == [0, 1]
    assert profile.loc["重要发展客户", ["customers", "silent", "churned"]].tolist() == [0, 0, 0]
    assert list(profile.columns[-4:]) == ["silent", "churned", "play", "note"]
    no_churn = rfm.value_profile(v, classes, stages=stage_now.replace("churned", "mature"))
    assert (no_churn["churned"] == 0).all()  # a stage nobody is in is a column of zeros
    assert "silent" not in rfm.value_profile(v, classes).columns
    figures = rfm.headline_figures(
        rfm.segment_profile(v, pd.Series("S", index=v.index)),
        profile,
        concentration=pd.Series(dtype=float),
    )
    assert (
        figures["重要价值客户: churned (customers)"] == 1 and figures["重要价值客户: silent (customers)"] == 1
    )
    assert (
        figures["small segments (end of data)"] == "S (4)"
        and figures["min customers per segment (end of data)"] == 10
    )


def test_segment_plays_follow_the_stage_and_the_customers_spend():
    ids = pd.Index(list("abcdef"), name="customer_id")
    labels = pd.Series(["Champions", "Champions", "Champions", "Champions", "Lost", "Lost"], index=ids)
    stage_now = pd.Series(["mature", "silent", "silent", "churned", "churned", "growing"], index=ids)
    m_level = pd.Series(["high", "high", "low", "high", "low", "low"], index=ids)
    plays = rfm.segment_plays_by_stage(labels, stage_now, m_level=m_level)
    own = rfm.SEGMENT_RULES.set_index("segment")["play"]
    stage_play = rfm.STAGE_PLAYS.set_index(["stage", "M level"])["play"]
    assert plays.loc["a", "play"] == own["Champions"] and plays.loc["a", "play from"] == "segment"
    assert plays.loc["b", "play"] == stage_play[("silent", "high")]
    assert plays.loc["c", "play"] == stage_play[("silent", "low")]
    assert plays.loc["d", "play"] == stage_play[("churned", "high")]
    assert plays.loc["e", "play"] == stage_play[("churned", "low")]
    assert plays.loc["f", "play"] == own["Lost"]  # an active customer keeps the segment's play
    assert plays["overridden"].tolist() == [False, True, True, True, True, False]
    counts = rfm.play_counts(plays)
    assert list(counts.index) == [
        ("Champions", "mature"),
        ("Champions", "silent"),  # two plays for the silent Champions: high spend first
        ("Champions", "silent"),
        ("Champions", "churned"),
        ("Lost", "growing"),
        ("Lost", "churned"),
    ]
    assert counts["play"].iloc[1] == stage_play[("silent", "high")]
    assert counts["customers"].sum() == 6 and "class (en)" not in counts.columns


def test_migration_activity_separates_standing_from_buying():
    """Four Champions at the earlier snapshot: three still Champions (one of them without buying), one
    moved to Lost after buying nothing; one of the three bought twice."""
    before = pd.Series(["Champions"] * 4 + ["Lost"], index=list("abcde"))
    after = pd.Series(["Champions", "Champions", "Champions", "Lost", "Lost"], index=list("abcde"))
    tx = tx_frame(
        [
            ("a", "2024-02-10", 5.0),
            ("a", "2024-02-20", 5.0),
            ("b", "2024-03-01", 5.0),
            ("c", "2023-12-01", 5.0),  # before the earlier snapshot: not a purchase in between
            ("e", "2024-02-01", 5.0),
        ]
    )
    table = rfm.migration_activity(before, after, tx=tx, start="2024-01-31", end="2024-03-31")
    assert list(table.index) == ["Champions"]  # Lost is not a growth segment
    assert table.loc["Champions"].tolist() == [4, 75.0, 50.0, 25.0]
    both = rfm.migration_activity(
        before, after, tx=tx, start="2024-01-31", end="2024-03-31", segments=("Lost", "Champions")
    )
    assert list(both.index) == ["Lost", "Champions"] and both.loc["Lost"].tolist() == [1, 100.0, 100.0, 0.0]


def test_the_baseline_leads_are_paired():
    """Simulated truth: the segment score is a monotone function of frequency (each frequency its own
    segment, monetary = 10 x frequency), so on every resample the segments and frequency alone rank the
    customers identically: the paired lead is exactly 0 with interval 0 to 0, while the two separate
    intervals are as wide as each other."""
    rng = np.random.default_rng(4)
    n = 400
    freq = rng.integers(1, 6, n)
    rows = [(f"c{i}", f"2024-0{1 + d % 3}-{10 + d}", 10.0) for i, k in enumerate(freq) for d in range(k)]
    buyers = rng.random(n) < 0.1 * freq
    rows += [(f"c{i}", "2024-05-01", 20.0) for i in range(n) if buyers[i]]
    tx = tx_frame(rows)
    values = rfm.rfm_values(tx, "2024-03-31")
    labels = values["frequency"].astype(str)
    table = rfm.baseline_check(values, labels, tx=tx, start="2024-03-31", end="2024-06-30", n_boot=100)
    freq_row, seg_row = table.loc["frequency alone"], table.loc["RFM segment"]
    assert seg_row["AUC, bought again"] == freq_row["AUC, bought again"]
    assert freq_row[["AUC lead of segments", "AUC lead 95% low", "AUC lead 95% high"]].tolist() == [0.0] * 3
    assert freq_row["rank correlation lead 95% high"] == 0.0
    assert seg_row["AUC 95% high"] - seg_row["AUC 95% low"] > 0.02  # the separate intervals are wide
    assert np.isnan(seg_row["AUC lead of segments"])  # no lead of the segments on themselves
    rec = table.loc["recency alone"]
    assert rec["AUC lead of segments"] == pytest.approx(
        seg_row["AUC, bought again"] - rec["AUC, bought again"], abs=1e-3
    )
    assert rec["AUC lead 95% low"] <= rec["AUC lead of segments"] <= rec["AUC lead 95% high"]
    figures = rfm.headline_figures(
        pd.DataFrame({"customers": [n], "customers (%)": [100.0], "revenue (%)": [100.0]}, index=["S"]),
        pd.DataFrame({"customers (%)": [], "revenue (%)": []}),
        concentration=pd.Series(dtype=float),
        baselines=table,
    )
    assert figures["baseline: frequency alone: AUC lead of segments"] == 0.0
    assert "baseline: RFM segment: AUC lead of segments" not in figures


@pytest.mark.parametrize(
    "x, expected", [(-0.0004, "0.0"), (0.0004, "0.0"), (-0.0006, "-0.001"), (0.1236, "0.124")]
)
def test_a_bound_that_rounds_to_zero_reads_as_zero(x, expected):
    """The paired lead's bound -0.0004 is shown as 0.0, not -0.0: a sentence must not call it below zero."""
    assert str(rfm._round3(x)) == expected
    assert np.isnan(rfm._round3(float("nan")))
