"""lifecycle_utils.stages: hand-built histories for every stage and transition, invariants as properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lifecycle_utils import stages as S

RULES = S.StageRules(silent_days=30, churn_days=90, mature_occasions=3)


def tx_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


HISTORIES = tx_frame(
    [
        ("new", "2024-01-01", 10.0),
        ("grow", "2024-01-01", 10.0),
        ("grow", "2024-01-10", 20.0),
        ("mature", "2024-01-01", 5.0),
        ("mature", "2024-01-05", 5.0),
        ("mature", "2024-01-10", 5.0),
        ("back", "2023-12-01", 7.0),
        ("back", "2024-05-01", 9.0),
        ("late", "2024-03-01", 4.0),
    ]
)


def stage_of(stages, customer, snapshot):
    row = stages[(stages["customer_id"] == customer) & (stages["snapshot"] == pd.Timestamp(snapshot))]
    assert len(row) == 1, f"{customer} at {snapshot}: {len(row)} rows"
    return row.iloc[0]


@pytest.fixture(scope="module")
def hand():
    return S.assign_stages(HISTORIES, RULES, ["2024-01-15", "2024-02-15", "2024-04-15", "2024-05-15"])


@pytest.mark.parametrize(
    ("customer", "snapshot", "stage"),
    [
        ("new", "2024-01-15", "new"),  # one occasion, 14 days ago
        ("new", "2024-02-15", "silent"),  # 45 days: between 30 and 90
        ("new", "2024-04-15", "churned"),  # 105 days >= 90
        ("grow", "2024-01-15", "growing"),  # two occasions, 5 days ago
        ("mature", "2024-01-15", "mature"),  # three occasions = mature_occasions
        ("back", "2024-01-15", "silent"),  # 45 days since 2023-12-01
        ("back", "2024-04-15", "churned"),
        ("back", "2024-05-15", "growing"),  # came back: second occasion, never "new" again
    ],
)
def test_every_stage_on_hand_built_histories(hand, customer, snapshot, stage):
    assert stage_of(hand, customer, snapshot)["stage"] == stage


def test_boundaries_are_inclusive_at_the_threshold():
    tx = tx_frame([("a", "2024-01-01", 1.0)])
    at = S.assign_stages(tx, RULES, ["2024-01-30", "2024-01-31", "2024-03-30", "2024-03-31"])
    assert at["days_since_last"].tolist() == [29, 30, 89, 90]
    assert at["stage"].astype(str).tolist() == ["new", "silent", "silent", "churned"]


def test_returned_flag_and_acquisition(hand):
    assert bool(stage_of(hand, "back", "2024-05-15")["returned"]) is True
    assert bool(stage_of(hand, "back", "2024-04-15")["returned"]) is False
    assert not ((hand["customer_id"] == "late") & (hand["snapshot"] == pd.Timestamp("2024-02-15"))).any()
    assert stage_of(hand, "late", "2024-04-15")["stage"] == "silent"
    assert stage_of(hand, "grow", "2024-01-15")["occasions"] == 2


def test_every_transition_on_hand_built_histories():
    tx = tx_frame(
        [
            ("a", "2024-01-01", 1.0),
            ("a", "2024-02-10", 1.0),  # new, growing, churned
            ("b", "2024-01-05", 1.0),  # new, silent, churned
            ("c", "2024-01-01", 1.0),
            ("c", "2024-01-10", 1.0),
            ("c", "2024-02-01", 1.0),  # growing, mature, churned
            ("d", "2023-10-01", 1.0),
            ("d", "2024-02-10", 1.0),  # churned, growing, churned
            ("e", "2023-12-01", 1.0),
            ("e", "2024-02-10", 1.0),  # silent, growing, churned
            ("f", "2024-01-01", 1.0),
            ("f", "2024-01-05", 1.0),
            ("f", "2024-01-10", 1.0),
            ("f", "2024-05-20", 1.0),  # mature, silent, mature
        ]
    )
    stages = S.assign_stages(tx, RULES, ["2024-01-15", "2024-02-15", "2024-05-31"])
    paths = stages.pivot(index="customer_id", columns="snapshot", values="stage").astype(str)
    assert paths.apply(" > ".join, axis=1).to_dict() == {
        "a": "new > growing > churned",
        "b": "new > silent > churned",
        "c": "growing > mature > churned",
        "d": "churned > growing > churned",
        "e": "silent > growing > churned",
        "f": "mature > silent > mature",
    }
    counts = S.transition_counts(stages)
    expected = {
        ("new", "growing"): 1,
        ("new", "silent"): 1,
        ("growing", "mature"): 1,
        ("growing", "churned"): 3,
        ("silent", "churned"): 1,
        ("silent", "growing"): 1,
        ("silent", "mature"): 1,
        ("mature", "churned"): 1,
        ("mature", "silent"): 1,
        ("churned", "growing"): 1,
    }
    for (a, b), n in expected.items():
        assert counts.loc[a, b] == n, (a, b)
    assert counts.to_numpy().sum() == sum(expected.values()) == 12
    assert counts.loc["churned", "new"] == 0


def test_the_remaining_transitions_on_hand_built_histories():
    tx = tx_frame(
        [
            ("g", "2024-01-10", 1.0),
            ("h", "2024-01-10", 1.0),
            ("h", "2024-01-20", 1.0),
            ("h", "2024-01-25", 1.0),
            ("h2", "2024-01-01", 1.0),
            ("h2", "2024-01-05", 1.0),
            ("h2", "2024-01-10", 1.0),
            ("h2", "2024-01-30", 1.0),
            ("i", "2024-01-01", 1.0),
            ("i", "2024-01-10", 1.0),
            ("j", "2023-12-10", 1.0),
            ("j", "2023-12-20", 1.0),
            ("k", "2023-12-01", 1.0),
            ("l", "2023-09-01", 1.0),
            ("l", "2024-06-01", 1.0),
            ("l", "2024-06-10", 1.0),
            ("l", "2024-06-20", 1.0),
        ]
    )
    stages = S.assign_stages(tx, RULES, ["2024-01-15", "2024-01-31", "2024-06-30"])
    paths = stages.pivot(index="customer_id", columns="snapshot", values="stage").astype(str)
    assert paths.apply(" > ".join, axis=1).to_dict() == {
        "g": "new > new > churned",
        "h": "new > mature > churned",
        "h2": "mature > mature > churned",
        "i": "growing > growing > churned",
        "j": "growing > silent > churned",
        "k": "silent > silent > churned",
        "l": "churned > churned > mature",
    }
    counts = S.transition_counts(stages)
    for a, b in [
        ("new", "new"),
        ("new", "mature"),
        ("new", "churned"),
        ("mature", "mature"),
        ("growing", "growing"),
        ("growing", "silent"),
        ("silent", "silent"),
        ("churned", "churned"),
        ("churned", "mature"),
    ]:
        assert counts.loc[a, b] >= 1, (a, b)
    assert bool(stages.loc[(stages["customer_id"] == "l") & (stages["stage"] == "mature"), "returned"].all())


def test_transition_matrix_rows_sum_to_one(hand):
    matrix = S.transition_matrix(hand)
    sums = matrix.sum(axis=1, min_count=1).dropna()
    np.testing.assert_allclose(sums, 1.0)


def test_stage_sizes_and_shares(hand):
    sizes = S.stage_sizes(hand)
    assert list(sizes.columns) == S.STAGES
    assert sizes.loc[pd.Timestamp("2024-01-15")].tolist() == [1, 1, 1, 1, 0]
    shares = S.stage_sizes(hand, share=True)
    np.testing.assert_allclose(shares.sum(axis=1), 100.0, atol=0.2)


def test_the_size_summary_shows_the_snapshots_the_sentence_reads():
    sizes = pd.DataFrame(
        [[10, 0, 0, 0, 0], [2, 3, 1, 6, 0], [0, 1, 2, 3, 6], [0, 1, 1, 3, 7]],
        columns=S.STAGES,
        index=pd.date_range("2024-01-31", periods=4, freq="ME"),
    )
    table = S.size_summary(sizes)
    assert list(table.index) == ["first snapshot", "silent peak", "churned largest since", "last snapshot"]
    assert list(table.columns) == [
        "snapshot",
        "new",
        "growing",
        "mature",
        "active",
        "silent",
        "churned",
        "customers acquired",
        "churned (%)",
    ]
    last = table.loc["last snapshot"]
    assert last["snapshot"] == pd.Timestamp("2024-04-30") and last["active"] == 2
    assert last["customers acquired"] == 12 and last["churned (%)"] == 58.3
    assert table.loc["silent peak", "snapshot"] == pd.Timestamp("2024-02-29")
    assert table.loc["churned largest since", "snapshot"] == pd.Timestamp("2024-03-31")
    # one snapshot several things: one row, its names joined
    always = S.size_summary(sizes.iloc[[2, 3]])
    assert list(always.index) == ["first snapshot / churned largest since / silent peak", "last snapshot"]
    assert list(S.size_summary(sizes.iloc[:1]).index) == ["first snapshot / last snapshot"]
    assert S.size_summary(sizes.iloc[:0]).empty


def test_the_size_summary_of_the_hand_histories(hand):
    table = S.size_summary(S.stage_sizes(hand))
    last = table.loc[[name for name in table.index if "last snapshot" in name][0]]
    assert last["customers acquired"] == 5
    assert last["active"] == last[S.ACTIVE_STAGES].sum()


def test_stage_revenue_attributes_period_revenue_to_the_stage_at_its_end(hand):
    revenue = S.stage_revenue(HISTORIES, hand)
    jan = revenue.loc[pd.Timestamp("2024-01-15")]
    assert jan["new"] == 10.0 and jan["growing"] == 30.0 and jan["mature"] == 15.0
    assert revenue.loc[pd.Timestamp("2024-05-15"), "growing"] == 9.0  # "back" returned in May
    assert revenue.loc[pd.Timestamp("2024-04-15"), "silent"] == 4.0  # "late" bought 2024-03-01
    assert jan["silent"] == 7.0  # the first period runs from the start of the data
    assert revenue.to_numpy().sum() == pytest.approx(HISTORIES["amount"].sum())


def test_the_revenue_summary_has_period_totals_and_shares(hand):
    revenue = S.stage_revenue(HISTORIES, hand)
    table = S.revenue_summary(revenue)
    assert list(table.index) == [*S.STAGES, "total"]
    assert list(dict.fromkeys(table.columns.get_level_values(0))) == [
        "period ending 2024-05-15",
        "all 4 periods",
    ]
    last, overall = "period ending 2024-05-15", "all 4 periods"
    assert table.loc["growing", (last, "revenue")] == 9.0 and table.loc["total", (last, "share (%)")] == 100.0
    assert table.loc["total", (overall, "revenue")] == pytest.approx(HISTORIES["amount"].sum())
    shares = table[(overall, "share (%)")].drop("total")
    assert shares.sum() == pytest.approx(100.0, abs=0.2)
    assert table.loc["new", (overall, "share (%)")] == round(100 * 10.0 / 75.0, 1)


def test_the_revenue_summary_of_one_period_a_loss_and_nothing():
    one = pd.DataFrame([[0, 30.0, 70.0, 0, 0]], columns=S.STAGES, index=pd.DatetimeIndex(["2024-01-31"]))
    table = S.revenue_summary(one)
    assert list(dict.fromkeys(table.columns.get_level_values(0))) == ["period ending 2024-01-31"]
    assert table.loc["mature", ("period ending 2024-01-31", "share (%)")] == 70.0
    loss = S.revenue_summary(one.assign(mature=-50.0))
    assert loss[("period ending 2024-01-31", "share (%)")].isna().all()
    assert S.revenue_summary(one.iloc[:0]).columns.empty


def test_the_transition_summary_is_in_percent_with_the_share_to_an_active_stage(hand):
    matrix = S.transition_matrix(hand)
    table = S.transition_summary(matrix)
    assert list(table.columns) == [*S.STAGES, "new, growing or mature"]
    assert table.columns.name == "to (% of the row)"
    rows = matrix.dropna(how="all").index
    np.testing.assert_allclose(table.loc[rows, S.STAGES].sum(axis=1), 100.0, atol=0.3)
    expected = (100 * matrix.loc[rows, S.ACTIVE_STAGES].sum(axis=1)).round(1)
    np.testing.assert_allclose(table.loc[rows, "new, growing or mature"], expected)
    empty = matrix.index.difference(rows)
    assert table.loc[empty].isna().all().all()


def test_the_flow_summary_adds_row_totals_and_shares(hand):
    raw = S.flows(hand, "2024-01-15", "2024-05-15")
    table = S.flow_summary(raw)
    assert list(table.columns) == [*S.STAGES, "customers", "same stage (%)", "churned (%)"]
    assert (table["customers"] == raw.sum(axis=1)).all()
    assert table.loc["not yet acquired", "customers"] == 1
    assert np.isnan(table.loc["not yet acquired", "same stage (%)"])
    for stage in [s for s in S.STAGES if s in raw.index]:
        assert table.loc[stage, "churned (%)"] == round(
            100 * raw.loc[stage, "churned"] / raw.loc[stage].sum(), 1
        )
        assert table.loc[stage, "same stage (%)"] == round(
            100 * raw.loc[stage, stage] / raw.loc[stage].sum(), 1
        )
    assert table.columns.name == raw.columns.name and table.index.name == raw.index.name


def test_flows_include_customers_not_yet_acquired(hand):
    table = S.flows(hand, "2024-01-15", "2024-05-15")
    assert table.loc["not yet acquired"].sum() == 1
    assert table.to_numpy().sum() == 5


def test_time_in_stage_counts_completed_spells(hand):
    table = S.time_in_stage(hand)
    assert table.loc["new", "spells"] == 1 and table.loc["new", "completed"] == 1
    assert table.loc["churned", "completed"] == 1  # "back" left churned; "new" is still churned
    assert (table["still running"] == table["spells"] - table["completed"]).all()
    # a spell still running is a customer in that stage at the last snapshot
    assert table["still running"].tolist() == S.stage_sizes(hand).iloc[-1].tolist()


def test_resurrection():
    tx = tx_frame(
        [
            ("a", "2024-01-01", 1.0),
            ("a", "2024-06-01", 1.0),  # churned and came back
            ("b", "2024-01-01", 1.0),  # churned, open gap
            ("c", "2024-05-20", 1.0),
        ]
    )  # not churned
    facts = S.resurrection(tx, RULES, observation_end="2024-06-01")
    assert facts.to_dict() == {"ever churned": 2, "came back": 1, "resurrection rate (%)": 50.0}


def test_purchase_gaps_and_quantiles():
    gaps = S.purchase_gaps(HISTORIES)
    assert sorted(gaps.tolist()) == [4, 5, 9, 152]
    table = S.gap_quantiles(gaps, quantiles=(0.5,))
    assert table.iloc[0].tolist() == [50, 7]  # median 7.0


def test_repeat_probability_counts_only_customers_with_a_full_window():
    tx = tx_frame(
        [
            ("a", "2024-01-01", 1.0),
            ("a", "2024-01-11", 1.0),
            ("b", "2024-01-01", 1.0),
            ("c", "2024-03-25", 1.0),
        ]
    )  # too recent for a 30-day window ending 2024-04-01
    table = S.repeat_probability(tx, window_days=30, observation_end="2024-04-01")
    first = table.set_index("occasions").loc[1]
    assert first["customers"] == 2 and first["repeat probability"] == 0.5


def test_mature_threshold_is_where_gains_level_off():
    table = pd.DataFrame(
        {
            "occasions": [1, 2, 3, 4, 5],
            "customers": [1000] * 5,
            "repeat probability": [0.4, 0.6, 0.7, 0.73, 0.74],
        }
    )
    table["gain"] = table["repeat probability"].diff()
    assert S.mature_threshold(table, tolerance=0.05) == 3  # 3 -> 4 gains 0.03
    assert S.mature_threshold(table, tolerance=0.02) == 4
    assert S.mature_threshold(table, tolerance=0.001) == 5  # never levels off: last reliable k
    # a small log: read with FEW_AT_RISK customers at risk, and without two such counts the default
    small = table.assign(customers=[60, 40, 30, 25, 10])
    assert S.mature_threshold(small, tolerance=0.05, min_customers=100) == 3
    tiny = table.assign(customers=[30, 10, 5, 5, 5])
    assert S.mature_threshold(tiny, tolerance=0.05, min_customers=100) == S.DEFAULT_MATURE


def test_equal_silent_and_churn_quantiles_stay_one_day_apart():
    rows = [
        (f"c{i:03d}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=7 * k), 10.0)
        for i in range(40)
        for k in range(30)
    ]  # every gap 7 days
    rules = S.derive_rules(pd.DataFrame(rows, columns=["customer_id", "date", "amount"]))
    assert (rules.silent_days, rules.churn_days) == (7, 8)


def test_threshold_candidates_are_the_gap_quantiles_and_the_chosen_threshold():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "amount": 1.0,
            "date": pd.to_datetime(["2023-01-01", "2023-01-11", "2023-01-01", "2023-01-21"]),
        }
    )
    assert S.threshold_candidates(tx, 15) == [
        15,
        18,
        19,
        20,
    ]  # gaps 10 and 20: 80%, 90%, 95% and 99% quantiles
    assert S.threshold_candidates(tx.head(1), 15) == [15]


def test_derive_rules_uses_the_gap_quantiles():
    rng = np.random.default_rng(1)
    rows = []
    for i in range(300):
        day = pd.Timestamp("2023-01-01")
        for gap in rng.integers(1, 100, size=4):
            rows.append((f"c{i}", day, 1.0))
            day += pd.Timedelta(days=int(gap))
    tx = tx_frame(rows)
    rules = S.derive_rules(tx, silent_quantile=0.5, churn_quantile=0.9)
    gaps = S.purchase_gaps(tx)
    assert rules.silent_days == int(np.ceil(gaps.quantile(0.5)))
    assert rules.churn_days == int(np.ceil(gaps.quantile(0.9)))
    with pytest.raises(ValueError, match="too few"):
        S.derive_rules(tx.iloc[:8])


def test_rules_are_validated_and_frozen():
    with pytest.raises(ValueError, match="silent_days < churn_days"):
        S.StageRules(90, 30, 3)
    with pytest.raises(ValueError, match="mature_occasions must be at least 2"):
        S.StageRules(30, 90, 1)
    with pytest.raises(AttributeError):
        RULES.silent_days = 5  # type: ignore[misc]
    assert RULES.describe()["value"].tolist() == [30, 90, 3]


def test_monthly_snapshots_end_on_the_observation_end():
    snaps = S.monthly_snapshots(HISTORIES, observation_end="2024-05-20")
    assert snaps[0] == pd.Timestamp("2023-12-31") and snaps[-1] == pd.Timestamp("2024-05-20")
    assert len(snaps) == 6


def test_funnel_and_time_to_second():
    funnel = S.purchase_funnel(HISTORIES).set_index("purchase")
    assert funnel["customers"].tolist() == [5, 3, 1]
    assert funnel.loc[2, "% of previous step"] == 60.0
    assert sorted(S.time_to_second_purchase(HISTORIES).tolist()) == [4, 9, 152]


def test_cohort_retention_leaves_unobserved_cells_empty():
    tx = tx_frame(
        [
            ("a", "2024-01-05", 1.0),
            ("a", "2024-02-05", 1.0),
            ("b", "2024-01-20", 1.0),
            ("c", "2024-02-10", 1.0),
            ("c", "2024-03-01", 1.0),
        ]
    )
    table = S.cohort_retention(tx, observation_end="2024-03-31")
    assert table.loc["2024-01", "customers"] == 2
    assert table.loc["2024-01", 1] == 50.0 and table.loc["2024-01", 2] == 0.0
    assert table.loc["2024-02", 1] == 100.0 and np.isnan(table.loc["2024-02", 2])


def test_sensitivity_reports_counts_per_variant():
    table = S.sensitivity(HISTORIES, "2024-01-15", {"base": RULES, "stricter": S.StageRules(10, 40, 2)})
    assert list(table.columns) == [
        "silent after (days)",
        "churned after (days)",
        "mature from (occasions)",
        "new",
        "growing",
        "mature",
        "active",
        "silent",
        "churned",
    ]
    assert table.loc[
        "stricter", ["silent after (days)", "churned after (days)", "mature from (occasions)"]
    ].tolist() == [
        10,
        40,
        2,
    ]
    assert table["active"].tolist() == [3, 2]
    assert table.loc["base", ["new", "growing", "mature", "silent", "churned"]].tolist() == [1, 1, 1, 1, 0]
    assert table.loc["stricter", ["new", "growing", "mature", "silent", "churned"]].tolist() == [
        0,
        0,
        2,
        1,
        1,
    ]


def test_crosswalk_covers_every_stage():
    assert set(S.STAGES) <= set(S.CROSSWALK["our stage"])


# ------------------------------------------------------------------------------------ properties
history = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 200)), min_size=1, max_size=25
)


@settings(max_examples=120, deadline=None)
@given(
    events=history,
    silent=st.integers(1, 60),
    extra=st.integers(1, 100),
    mature=st.integers(2, 5),
    snap_days=st.lists(st.integers(0, 260), min_size=1, max_size=8),
)
def test_stage_invariants(events, silent, extra, mature, snap_days):
    start = pd.Timestamp("2024-01-01")
    tx = tx_frame([(c, start + pd.Timedelta(days=d), 1.0) for c, d in events])
    rules = S.StageRules(silent, silent + extra, mature)
    snaps = sorted({start + pd.Timedelta(days=d) for d in snap_days})
    stages = S.assign_stages(tx, rules, snaps)
    # one stage per customer per snapshot
    assert not stages.duplicated(["snapshot", "customer_id"]).any()
    assert stages["stage"].notna().all()
    # counts sum to the customers acquired by each snapshot
    first = tx.groupby("customer_id")["date"].min()
    for snap in snaps:
        assert (stages["snapshot"] == snap).sum() == (first <= snap).sum()
    # transition rows sum to one, and churned never goes back to new
    if stages["snapshot"].nunique() > 1:
        matrix = S.transition_matrix(stages)
        np.testing.assert_allclose(matrix.sum(axis=1, min_count=1).dropna(), 1.0)
        assert S.transition_counts(stages).loc["churned", "new"] == 0
    # new only with one occasion; mature only from mature_occasions
    assert (stages.loc[stages["stage"] == "new", "occasions"] == 1).all()
    assert (stages.loc[stages["stage"] == "mature", "occasions"] >= mature).all()


def test_overrides_replace_only_what_is_given():
    assert RULES.with_overrides(churn_days=120) == S.StageRules(30, 120, 3)
    assert RULES.with_overrides() == RULES
    with pytest.raises(ValueError):
        RULES.with_overrides(silent_days=200)


def test_comparison_snapshots():
    snaps = pd.date_range("2024-01-31", periods=18, freq="ME")
    assert S.comparison_snapshots(snaps) == (snaps[5], snaps[17])
    assert S.comparison_snapshots(snaps[:3]) == (snaps[0], snaps[2])


def test_threshold_variants_and_headline(hand):
    variants = S.threshold_variants(HISTORIES, RULES)
    assert variants["chosen"] == RULES
    assert variants["mature one later"].mature_occasions == 4
    assert variants["gaps p90 / p99"].churn_days >= variants["gaps p70 / p90"].churn_days
    facts = S.headline_figures(hand, RULES, resurrection_facts=pd.Series({"resurrection rate (%)": 12.5}))
    assert facts["snapshot"] == "2024-05-15"
    assert sum(facts[f"{s} customers"] for s in S.STAGES) == 5
    assert facts["churned after (days)"] == 90 and facts["resurrection rate (%)"] == 12.5


def test_mature_basis_says_on_what_grounds_the_cut_off_stands():
    table = pd.DataFrame(
        {
            "occasions": [1, 2, 3, 4, 5],
            "customers": [1000] * 5,
            "repeat probability": [0.4, 0.6, 0.7, 0.73, 0.74],
        }
    )
    table["gain"] = table["repeat probability"].diff()
    basis = S.mature_basis(table, tolerance=0.05)
    assert basis["occasions"] == 3 and basis["rule"] == "levels off" and basis["min customers"] == 100
    assert basis["gain"] == pytest.approx(0.03)
    assert S.mature_basis(table, tolerance=0.001)["rule"] == "last reliable"
    small = table.assign(customers=[60, 40, 30, 25, 10])
    assert S.mature_basis(small, tolerance=0.05)["min customers"] == S.FEW_AT_RISK
    tiny = S.mature_basis(table.assign(customers=[30, 10, 5, 5, 5]), tolerance=0.05)
    assert tiny == {"occasions": S.DEFAULT_MATURE, "rule": "default", "min customers": 20, "gain": None}


@pytest.mark.parametrize(
    ("gain", "rule"), [(0.049, "levels off"), (0.05, "last reliable"), (0.051, "last reliable")]
)
def test_levels_off_means_a_step_strictly_below_the_tolerance(gain, rule):
    table = pd.DataFrame(
        {"occasions": [1, 2, 3], "customers": [500] * 3, "repeat probability": [0.3, 0.5, 0.5 + gain]}
    )
    table["gain"] = table["repeat probability"].diff()
    assert S.mature_basis(table, tolerance=0.05)["rule"] == rule


def test_share_longer_counts_gaps_strictly_longer_than_the_threshold():
    gaps = pd.Series([10, 20, 30, 40])
    assert S.share_longer(gaps, 20) == 50.0 and S.share_longer(gaps, 19) == 75.0
    assert np.isnan(S.share_longer(pd.Series([], dtype=int), 20))
    described = RULES.describe(gaps=gaps)
    assert described["observed gaps longer (%)"].tolist()[:2] == [25.0, 0.0]
    assert "observed gaps longer (%)" not in RULES.describe()


def test_headline_figures_record_what_the_closing_text_reads(hand):
    resurrection = S.resurrection(HISTORIES, RULES, "2024-05-15")
    repeat = S.repeat_probability(HISTORIES, RULES.churn_days, observation_end="2024-05-15")
    facts = S.headline_figures(
        hand, RULES, resurrection_facts=resurrection, tx=HISTORIES, repeat=repeat, tolerance=0.05
    )
    # 5 customers: 3 buy a second time, 1 of those a third
    assert facts["customers with no second purchase (%)"] == 40.0
    assert facts["second-time buyers with no third purchase (%)"] == pytest.approx(66.7)
    # gaps 9, 4, 5, 152: one longer than 30 and than 90 days
    assert facts["observed gaps longer than the silent threshold (%)"] == 25.0
    assert facts["observed gaps longer than the churn threshold (%)"] == 25.0
    assert facts["mature rule"] == "parameter"  # too few customers at risk: the default (2), not RULES' 3
    assert facts["ever churned"] == resurrection["ever churned"]
    assert 0 <= facts["silent to churned per month (%)"] <= 100


# ------------------------------------------------------------- return chance, intervals, spells (KM)
def day_frame(rows, start="2024-01-01"):
    """(customer, day offset) purchases of 1.0 each."""
    base = pd.Timestamp(start)
    return tx_frame([(c, base + pd.Timedelta(days=d), 1.0) for c, d in rows])


# waits 10, 20, 30, 40 (returned) and five open waits of 160 to 200 days (censored at day 200)
WAITS = day_frame(
    [("a", 0), ("a", 10), ("b", 0), ("b", 20), ("c", 0), ("c", 30), ("d", 0), ("d", 40), ("e", 0)]
)
WAITS_END = "2024-07-19"  # day 200


def test_gap_spells_censor_each_customers_last_wait():
    spells = S.gap_spells(WAITS, observation_end=WAITS_END)
    assert sorted(spells.loc[spells["returned"] == 1, "days"]) == [10, 20, 30, 40]
    assert sorted(spells.loc[spells["returned"] == 0, "days"]) == [160, 170, 180, 190, 200]
    first = S.gap_spells(WAITS, observation_end=WAITS_END, first_only=True)
    assert len(first) == 5 and first["returned"].sum() == 4


def test_return_chance_is_one_minus_a_ratio_of_kaplan_meier_survivals():
    # all waits: S(15) = 8/9, S(35) = 6/9 -> 1 - 6/8 = 25%; first waits: S(15) = 4/5, S(35) = 2/5 -> 50%
    table = S.return_chance(WAITS, [15, 190], horizon_days=20, observation_end=WAITS_END)
    row = table.iloc[0]
    assert row["all gaps: return within 20 days (%)"] == 25.0
    assert row["first gaps: return within 20 days (%)"] == 50.0
    assert row["all gaps: at risk"] == 8 and row["first gaps: at risk"] == 4
    assert math.isnan(table.iloc[1]["all gaps: return within 20 days (%)"])  # 190 + 20 > 200: cannot tell


def test_the_return_chance_threshold_is_the_first_silence_below_the_chance():
    # all waits, h = 20: 22.2% up to d = 9, 25% at 10-19, 28.6% at 20-29, 16.7% at 30-39, 0 from 40
    assert S.return_chance_threshold(WAITS, 0.10, horizon_days=20, observation_end=WAITS_END) == 40
    assert S.return_chance_threshold(WAITS, 0.20, horizon_days=20, observation_end=WAITS_END) == 30
    assert S.return_chance_threshold(WAITS, 0.0, horizon_days=20, observation_end=WAITS_END) is None
    assert S.return_chance_threshold(WAITS, 0.10, horizon_days=500, observation_end=WAITS_END) is None


def test_the_threshold_table_puts_quantile_and_return_chance_rules_side_by_side():
    table = S.threshold_table(WAITS, 0.95, chance=0.10, horizon_days=20, observation_end=WAITS_END)
    days = table.set_index("rule")["churned after (days)"]
    assert days.tolist() == [39, 39, 40, 40]  # ceil of the 95% quantile of 10, 20, 30, 40 is 39
    at_39 = table.iloc[0]
    assert at_39["silent that long, all gaps: return within 20 days (%)"] == 16.7  # 1 - (5/9)/(6/9)
    assert at_39["silent that long, first gaps: return within 20 days (%)"] == 50.0  # 1 - (1/5)/(2/5)


def test_derive_rules_can_use_the_return_chance_rule():
    tx = pd.concat([WAITS.assign(customer_id=WAITS["customer_id"] + str(i)) for i in range(5)])
    default = S.derive_rules(tx, 0.25, observation_end=WAITS_END)
    by_chance = S.derive_rules(
        tx, 0.25, observation_end=WAITS_END, churn_rule="return chance", chance=0.20, horizon_days=20
    )
    assert (default.silent_days, default.churn_days) == (18, 40)
    assert (by_chance.silent_days, by_chance.churn_days) == (18, 30)
    unreadable = S.derive_rules(
        tx, 0.25, observation_end=WAITS_END, churn_rule="return chance", horizon_days=500
    )
    assert unreadable.churn_days == 40  # the gap quantile stands
    with pytest.raises(ValueError, match="churn_rule"):
        S.derive_rules(tx, churn_rule="median")


def test_transition_intervals_hold_every_observed_move(hand):
    table = S.transition_intervals(hand)
    counts = S.transition_counts(hand)
    assert table["moved"].sum() == counts.to_numpy().sum()
    row = table[(table["from"] == "silent") & (table["to"] == "churned")].iloc[0]
    assert row["moved"] == counts.loc["silent", "churned"] and row["customers"] == counts.loc["silent"].sum()
    assert row["lower (%)"] <= row["share (%)"] <= row["upper (%)"]


def test_monthly_rates_flag_months_in_which_churn_was_impossible(hand):
    table = S.monthly_rates(hand, RULES.churn_days).set_index("snapshot")
    # 2024-01-15: only "back" is silent (45 days), 45 + 31 < 90: it cannot churn by 2024-02-15
    jan = table.loc[pd.Timestamp("2024-01-15")]
    assert (jan["customers"], jan["to churned"], bool(jan["churn possible"])) == (1, 0, False)
    # 2024-02-15: new, grow, mature and back are silent; all four are churned on 2024-04-15
    feb = table.loc[pd.Timestamp("2024-02-15")]
    assert (feb["customers"], feb["to churned"], feb["to churned (%)"], bool(feb["churn possible"])) == (
        4,
        4,
        100.0,
        True,
    )


def test_rate_change_test_is_the_chi_square_of_homogeneity_over_months_where_churn_was_possible():
    monthly = pd.DataFrame(
        {
            "customers": [100, 100, 50],
            "to churned": [10, 30, 0],
            "back to active": [0, 0, 0],
            "churn possible": [True, True, False],
        }
    )
    result = S.rate_change_test(monthly)
    # [[10, 90], [30, 70]]: 200 (10*70 - 90*30)^2 / (40 * 160 * 100 * 100) = 12.5 on 1 df
    assert result["snapshots"] == 2 and result["chi-square"] == 12.5 and result["df"] == 1
    assert S.rate_change_test(monthly.iloc[:1])["note"].startswith("fewer than two snapshots")


def _stage_rows(rows: list[tuple[str, list[str]]]) -> pd.DataFrame:
    """A stage table from (customer, stages at consecutive month ends from 2024-01-31)."""
    snaps = pd.date_range("2024-01-31", periods=len(rows[0][1]), freq="ME")
    return pd.DataFrame(
        [(s, c, st) for c, seq in rows for s, st in zip(snaps, seq)],
        columns=["snapshot", "customer_id", "stage"],
    ).assign(stage=lambda d: d["stage"].astype(S.STAGE_DTYPE))


def test_time_in_stage_takes_the_restricted_mean_from_survival_and_keeps_its_interval_in_range():
    rows = [
        ("x", ["silent", "churned", "churned", "churned"]),  # silent 1 completed, churned 3 running
        ("y", ["silent", "silent", "churned", "churned"]),  # silent 2 completed
        ("z", ["silent", "silent", "silent", "churned"]),  # silent 3 completed
        ("a", ["growing", "churned", "churned", "churned"]),  # growing 1 completed
        ("b", ["growing", "growing", "churned", "churned"]),  # growing 2 completed
    ]
    table = S.time_in_stage(_stage_rows(rows))
    z = 1.959964
    silent = table.loc["silent"]  # spells 1, 2, 3 all completed: area 1 + 2/3 + 1/3 = 2
    assert silent["mean (snapshots)"] == 2.0 and silent["restricted to (snapshots)"] == 3.0
    # Greenwood-type variance: area after day 1 is 1, after day 2 1/3: 1^2 / (3 * 2) + (1/3)^2 / (2 * 1)
    half = z * math.sqrt(1 / 6 + 1 / 18)
    assert silent["mean upper"] == pytest.approx(round(2 + half, 2))
    assert silent["mean lower"] == pytest.approx(round(2 - half, 2))
    growing = table.loc["growing"]  # spells 1, 2 completed: mean 1.5, variance 0.5^2 / (2 * 1) = 0.125
    assert growing["mean (snapshots)"] == 1.5
    assert growing["mean lower"] == pytest.approx(round(1.5 - z * math.sqrt(0.125), 2))
    assert growing["mean upper"] == 2.0  # 1.5 + 0.69 lies beyond the longest spell: kept at 2
    assert math.isnan(table.loc["new", "mean (snapshots)"])  # no new spells: nothing to estimate


def test_time_in_stage_counts_running_spells_as_censored():
    rows = [
        ("x", ["new", "silent", "churned"]),  # silent spell of 1, completed
        ("y", ["silent", "silent", "churned"]),  # silent spell of 2, completed
        ("z", ["silent", "silent", "silent"]),  # silent spell of 3, still running
    ]
    table = S.time_in_stage(_stage_rows(rows))
    silent = table.loc["silent"]
    assert (silent["spells"], silent["completed"], silent["still running"]) == (3, 2, 1)
    assert silent["median (snapshots)"] == 2.0  # KM: 2/3 after 1, 1/3 after 2
    assert silent["mean (snapshots)"] == 2.0 and silent["restricted to (snapshots)"] == 3.0  # not 1.5
    assert math.isnan(table.loc["churned", "median (snapshots)"])  # both churned spells still running


def test_headline_figures_record_the_return_chance_the_monthly_range_the_test_and_the_mature_median(hand):
    horizon = 180
    col = "silent that long, {}: return within 180 days (%)"
    thresholds = pd.DataFrame(
        {
            "rule": [
                "gap quantile 95%, all gaps",
                "gap quantile 95%, first gaps",
                "return chance below 10%, all gaps",
                "return chance below 10%, first gaps",
            ],
            "churned after (days)": [RULES.churn_days, 120, 140, np.nan],  # first gaps: not read
            col.format("all gaps"): [11.7, 8.0, 9.9, np.nan],
            col.format("first gaps"): [9.3, np.nan, 8.2, np.nan],
        }
    )
    thresholds.attrs |= {"chance": 0.10, "horizon_days": horizon, "quantile": 0.95}
    monthly = pd.DataFrame(
        {
            "customers": [0, 50, 40, 30],
            "churn possible": [False, False, True, True],
            "to churned (%)": [np.nan, 0.0, 25.0, 60.0],  # the 0% month could not churn: left out
        }
    )
    test = pd.Series({"chi-square": 12.5, "p-value": "0.0004", "-log10 p": 3.4})
    spells = pd.DataFrame(
        {"median (snapshots)": [7.0, np.nan], "median lower": [6.0, np.nan], "median upper": [9.0, np.nan]},
        index=pd.Index(["mature", "churned"], name="stage"),
    )
    facts = S.headline_figures(
        hand,
        RULES,
        resurrection_facts=pd.Series({"resurrection rate (%)": 12.5}),
        thresholds=thresholds,
        monthly=monthly,
        rate_test=test,
        spells=spells,
    )
    assert facts["return chance level (%)"] == 10.0 and facts["return horizon (days)"] == 180
    assert facts["return chance threshold, all gaps (days)"] == 140
    assert facts["return chance threshold, first gaps (days)"] is None
    assert facts["return within the horizon at the churn threshold, all gaps (%)"] == 11.7
    assert facts["return within the horizon at the churn threshold, first gaps (%)"] == 9.3
    assert facts["silent to churned per month, lowest (%)"] == 25.0
    assert facts["silent to churned per month, highest (%)"] == 60.0
    assert facts["silent to churned change test p-value"] == "0.0004"
    assert facts["silent to churned change test -log10 p"] == 3.4
    assert (
        facts["mature median time in stage (months)"],
        facts["mature median time in stage lower (months)"],
        facts["mature median time in stage upper (months)"],
    ) == (7.0, 6.0, 9.0)
    # a threshold no rule row has (a parameter), no test possible, a median not reached: None, not a guess
    other = S.headline_figures(
        hand,
        RULES.with_overrides(churn_days=RULES.churn_days + 1),
        resurrection_facts=pd.Series({"resurrection rate (%)": 12.5}),
        thresholds=thresholds,
        rate_test=pd.Series({"chi-square": np.nan, "p-value": "n/a", "-log10 p": np.nan}),
        spells=spells.drop(index="mature").rename(index={"churned": "mature"}),
    )
    assert other["return within the horizon at the churn threshold, all gaps (%)"] is None
    assert other["silent to churned change test p-value"] is None
    assert other["mature median time in stage (months)"] is None
    assert "silent to churned per month, lowest (%)" not in other  # no monthly table given


def test_return_chance_interval_is_greenwood_on_the_log_log_scale_of_the_conditional_survival():
    spells = pd.DataFrame({"days": range(1, 11), "returned": [1] * 9 + [0]})  # waits 1..10, the last open
    low, high = S.return_chance_interval(spells, 2, horizon_days=3, alpha=0.05)
    # after 2 days 8 waits are open; returns at 3, 4, 5 with 8, 7, 6 at risk: R = 7/8 * 6/7 * 5/6 = 5/8,
    # the chance 1 - R = 37.5%; Greenwood: var log R = 1/56 + 1/42 + 1/30
    se = math.sqrt(1 / 56 + 1 / 42 + 1 / 30) / abs(math.log(5 / 8))
    z = 1.959964
    assert low == pytest.approx(round(100 * (1 - (5 / 8) ** math.exp(-z * se)), 1))
    assert high == pytest.approx(round(100 * (1 - (5 / 8) ** math.exp(z * se)), 1))
    assert 0 < low < 37.5 < high < 100
    assert all(math.isnan(x) for x in S.return_chance_interval(spells, 8, horizon_days=3))  # beyond 10 days
    quiet = pd.DataFrame({"days": [1, 9, 10], "returned": [1, 0, 1]})  # no return in (2, 5]: R = 1
    assert all(math.isnan(x) for x in S.return_chance_interval(quiet, 2, horizon_days=3))


def test_threshold_table_shows_the_return_chance_interval():
    table = S.threshold_table(WAITS, 0.95, chance=0.5, horizon_days=20, observation_end="2024-07-19")
    # silent 39 days: 6 waits open, one return (day 40) within 20 days: R = 5/6, var log R = 1 / (6 * 5)
    se, z = math.sqrt(1 / 30) / abs(math.log(5 / 6)), 1.959964
    low, high = 100 * (1 - (5 / 6) ** math.exp(-z * se)), 100 * (1 - (5 / 6) ** math.exp(z * se))
    assert table.loc[0, "churned after (days)"] == 39
    assert table.loc[0, "silent that long, all gaps: return within 20 days (%)"] == 16.7
    assert table.loc[0, "all gaps: 95% interval (%)"] == f"{low:.1f} to {high:.1f}" == "2.5 to 72.7"


# ------------------------------------------------- referee, issue 17: bands, strata, caps (notebook 01)
def test_purchase_bands_are_one_two_to_three_and_four_or_more():
    bands = S.purchase_band(pd.Series([1, 2, 3, 4, 17, 0]))
    assert bands.iloc[:5].tolist() == ["1", "2-3", "2-3", "4+", "4+"] and pd.isna(bands.iloc[5])
    assert S.purchase_band([1, 2, 3], edges=(1, 3)).tolist() == ["1-2", "1-2", "3+"]
    with pytest.raises(ValueError, match="increasing"):
        S.purchase_band([1], edges=(2, 2))


def test_the_chance_at_the_gap_quantiles_is_the_return_chance_with_the_quantile_beside_it():
    quantiles = pd.DataFrame({"returns within (%)": [50, 90], "days": [5, 15]})
    table = S.return_chance_at_quantiles(WAITS, quantiles, horizon_days=20, observation_end=WAITS_END)
    plain = S.return_chance(WAITS, [5, 15], horizon_days=20, observation_end=WAITS_END)
    assert table["returns within (%)"].tolist() == [50, 90] and table.attrs["horizon_days"] == 20
    pd.testing.assert_frame_equal(table.drop(columns="returns within (%)"), plain)
    # all waits: 9 waits, returns at 10, 20 (S(5) = 1, S(25) = 7/9): 1 - 7/9 = 22.2%
    assert table.loc[0, "all gaps: return within 20 days (%)"] == 22.2


# five customers buy on day 0; "r1".."r5" come back on day 50 and never again, "n1".."n5" never come
# back; the log ends on day 400: first waits 5 x 50 (returned) and 5 x 400 (open), second waits 5 x 350
BANDED = day_frame(
    [(f"r{i}", 0) for i in range(5)] + [(f"r{i}", 50) for i in range(5)] + [(f"n{i}", 0) for i in range(5)]
)
BANDED_END = "2025-02-04"  # day 400


def test_the_return_chance_by_band_of_purchases_so_far_is_kaplan_meier_within_each_band():
    table = S.return_chance_by_band(BANDED, 10, horizon_days=100, observation_end=BANDED_END)
    chance = "return within 100 days (%)"
    assert table.index.tolist() == ["all", "1", "2-3", "4+"]
    assert (
        table.loc["1", "waits"] == 5 + 5 and table.loc["2-3", "waits"] == 5 and table.loc["4+", "waits"] == 0
    )
    # band 1: S(10) = 1, S(110) = 1/2 -> 50%; band 2-3: no return at all -> 0%; all: 1 - 10/15 -> 33.3%
    assert table.loc["1", chance] == 50.0 and table.loc["2-3", chance] == 0.0
    assert table.loc["all", chance] == 33.3
    assert math.isnan(table.loc["4+", chance])  # no waits in the band
    assert table.loc["1", "lower (%)"] < 50.0 < table.loc["1", "upper (%)"]
    assert math.isnan(table.loc["2-3", "lower (%)"])  # R = 1: no variance to read
    # still silent at the end after 10 days or more: the five "n" (band 1) and the five "r" (band 2-3)
    assert table["silent that long at the end"].tolist() == [10, 5, 5, 0]
    assert table.loc["1", "at risk"] == 5 + 5  # waits longer than 10 days: all but none
    assert table.attrs == {"silence": 10, "horizon_days": 100, "alpha": 0.05}
    # band 2-3's longest wait is 350 days: a silence of 300 plus 100 cannot be followed there
    late = S.return_chance_by_band(BANDED, 300, horizon_days=100, observation_end=BANDED_END)
    assert math.isnan(late.loc["2-3", chance]) and late.loc["1", chance] == 0.0


def _pairs_table(pairs: list[tuple[int, int, str, int]]) -> pd.DataFrame:
    """A stage table of customers silent at one of three month ends of 2024 and their stage at the next:
    (snapshot index 0 or 1, days silent then, stage at the next snapshot, customers like that)."""
    snaps = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"])
    rows, n = [], 0
    for i, days, to, many in pairs:
        for _ in range(many):
            n += 1
            rows.append((snaps[i], f"c{n}", 1, days, "silent"))
            rows.append((snaps[i + 1], f"c{n}", 1 if to != "growing" else 2, 0, to))
    return pd.DataFrame(
        rows, columns=["snapshot", "customer_id", "occasions", "days_since_last", "stage"]
    ).assign(stage=lambda d: d["stage"].astype(S.STAGE_DTYPE))


def test_silence_strata_count_the_moves_within_bands_of_days_silent_by_the_next_snapshot():
    # Jan 31 -> Feb 29 is 29 days: 270 + 29 = 299 and 260 + 29 = 289 reach 283; 200 + 29 = 229 does not
    table = S.silence_strata(
        _pairs_table([(0, 270, "churned", 1), (0, 260, "growing", 1), (0, 200, "silent", 1)]), 283
    )
    assert table["silent by the next snapshot (days)"].tolist() == ["283+", "229-252"]
    assert table[["customers", "to churned", "back to active", "stayed"]].values.tolist() == [
        [2, 1, 1, 0],
        [1, 0, 0, 1],
    ]
    by_purchases = S.silence_strata(_pairs_table([(0, 270, "churned", 2)]), 283, edges=S.PURCHASE_BANDS)
    assert by_purchases["purchases so far"].tolist() == ["1"] and by_purchases["customers"].tolist() == [2]
    assert S.silence_strata(_pairs_table([(0, 270, "churned", 1)]).iloc[:0], 283).empty


def test_the_generalized_cmh_statistic_matches_pearson_for_one_stratum_and_mantel_haenszel_for_2x2():
    one = np.array([[10, 10], [20, 0]])
    pearson = stats.chi2_contingency(one, correction=False)[0]  # 13.33: expected [[15, 5], [15, 5]]
    assert S.cmh_general([one]) == (pytest.approx(39 / 40 * pearson), 1)
    tables = [np.array([[10, 10], [20, 5]]), np.array([[3, 7], [6, 4]]), np.array([[12, 2], [8, 8]])]
    peer = sm.stats.StratifiedTable([t.T for t in tables]).test_null_odds(correction=False)
    assert S.cmh_general(tables) == (pytest.approx(peer.statistic), 1)
    proportional = [np.array([[9, 1], [90, 10]]), np.array([[1, 19], [5, 95]])]
    assert S.cmh_general(proportional)[0] == pytest.approx(0.0)
    three = np.array([[[5, 3, 2], [1, 4, 5], [0, 0, 0]]])  # a row nobody is in: df from the rank, 2
    assert S.cmh_general(three)[1] == 2
    assert math.isnan(S.cmh_general([np.zeros((2, 2))])[0])


def test_the_stratified_test_is_mantel_haenszel_over_the_bands():
    strata = pd.DataFrame(
        {
            "silent by the next snapshot (days)": ["283+", "283+", "253-282", "253-282", "223-252"],
            "band from (days)": [283, 283, 253, 253, 223],
            "snapshot": pd.to_datetime(["2024-01-31", "2024-02-29"] * 2 + ["2024-03-31"]),
            "customers": [20, 20, 10, 10, 3],
            "to churned": [10, 20, 5, 5, 0],
            "back to active": [0, 0, 0, 0, 0],
            "stayed": [10, 0, 5, 5, 3],
        }
    )
    result = S.stratified_change_test(strata)
    # 283+: n = 10, expected 20 * 30 / 40 = 15, variance 20 * 20 * 30 * 10 / (40^2 * 39) = 1.923;
    # 253-282: n = expected = 5, variance 10^4 / (20^2 * 19) = 1.316; (10 - 15)^2 / 3.239 = 7.7 on 1 df
    assert result["chi-square"] == 7.7 and result["df"] == 1 and result["strata"] == 2
    assert result["p-value"] == f"{stats.chi2.sf(7.7, 1):.3g}"
    assert result["customer-months"] == 60 and result["left out"] == 3 and result["snapshots"] == 2
    none = S.stratified_change_test(strata.iloc[4:])
    assert math.isnan(none["chi-square"]) and none["note"].startswith("no band has two snapshots")
    assert none["left out"] == 3


# a silent customer moves to churned with chance 90% when the threshold can be reached by the next
# snapshot and buys again with chance 5% when it cannot, in both months; only the mix of silences differs
MIX_ONLY = [
    (0, 270, "churned", 900),
    (0, 270, "growing", 100),
    (0, 150, "growing", 10),
    (0, 150, "silent", 190),
    (1, 270, "churned", 180),
    (1, 270, "growing", 20),
    (1, 150, "growing", 50),
    (1, 150, "silent", 950),
]


def test_a_change_in_the_mix_of_silences_alone_is_seen_across_months_but_not_within_bands():
    table = _pairs_table(MIX_ONLY)
    tests = S.rate_change_tests(table, 283, edges=None)
    assert tests.index.tolist() == ["across months", "within bands of days silent"]
    pooled, within = tests.loc["across months"], tests.loc["within bands of days silent"]
    assert pooled["-log10 p"] > 100 and pooled["strata"] == 1  # the months look very different pooled
    assert within["chi-square"] == 0.0 and within["p-value"] == "1"  # no change among equal silences
    assert within["df"] == 2  # months x (churned, back, stayed): churned only where the threshold is reached
    pd.testing.assert_series_equal(
        pooled[["chi-square", "df", "p-value"]].astype(object),
        S.rate_change_test(S.monthly_rates(table, 283))[["chi-square", "df", "p-value"]].rename(pooled.name),
    )
    changed = [*MIX_ONLY[:4], (1, 270, "churned", 100), (1, 270, "growing", 100), *MIX_ONLY[6:]]
    both = S.rate_change_tests(_pairs_table(changed), 283)
    assert both.loc["within bands of days silent", "-log10 p"] > 10  # 90% vs 50% to churned
    assert "within bands of days silent and purchases" in both.index


def test_spell_caps_are_the_most_snapshots_the_rules_let_a_spell_last():
    snaps = pd.date_range("2024-01-31", periods=12, freq="ME")
    caps = S.spell_caps(S.StageRules(31, 100, 3), snaps)
    # 31 days hold two month ends (Jan 31, Feb 29: 29 days apart), 69 days three (Jan 31 to Mar 31: 60)
    assert caps[["new", "growing", "silent"]].tolist() == [2, 2, 3]
    assert caps[["mature", "churned"]].isna().all()
    cdnow_like = S.spell_caps(S.StageRules(119, 283, 4), pd.date_range("1997-01-31", periods=18, freq="ME"))
    assert cdnow_like[["new", "growing", "silent"]].tolist() == [4, 8, 6]
    assert S.spell_caps(S.StageRules(31, 100, 2), snaps)["growing"] == 0  # no growing stage
    # silent after 30 days: silent at Jul 31, a purchase on Aug 1, silent again at Aug 31 (30 days): one
    # silent spell spans a purchase when month ends are 31 days apart, so no silent cap can be stated
    assert math.isnan(S.spell_caps(S.StageRules(30, 100, 3), snaps)["silent"])
    # snapshots 40 days apart: a purchase between two snapshots can join two silences of 30+ days
    sparse = pd.to_datetime(["2024-01-01", "2024-02-10", "2024-03-21"])
    assert math.isnan(S.spell_caps(S.StageRules(30, 100, 3), sparse)["silent"])


@settings(max_examples=80, deadline=None)
@given(
    events=history,
    silent=st.integers(1, 60),
    extra=st.integers(1, 100),
    mature=st.integers(2, 5),
    snap_days=st.lists(st.integers(0, 260), min_size=1, max_size=8),
)
def test_no_spell_is_longer_than_its_cap(events, silent, extra, mature, snap_days):
    start = pd.Timestamp("2024-01-01")
    tx = tx_frame([(c, start + pd.Timedelta(days=d), 1.0) for c, d in events])
    rules = S.StageRules(silent, silent + extra, mature)
    snaps = sorted({start + pd.Timedelta(days=d) for d in snap_days})
    table = S.time_in_stage(S.assign_stages(tx, rules, snaps), rules=rules)
    capped = table.dropna(subset=["cap (snapshots)"])
    longest = table["restricted to (snapshots)"]  # the longest spell of each stage
    assert (longest[capped.index].fillna(0) <= capped["cap (snapshots)"]).all()
    assert table.attrs["churn_days"] == rules.churn_days


def test_headline_figures_record_the_bands_the_stratified_tests_and_the_range_over_the_rules(hand):
    bands = S.return_chance_by_band(BANDED, 10, horizon_days=100, observation_end=BANDED_END)
    rules = S.StageRules(5, 10, 3)
    tests = S.rate_change_tests(_pairs_table(MIX_ONLY), 283)
    variants = pd.DataFrame(
        {"new": [0, 0], "growing": [1, 1], "mature": [1, 1], "silent": [4, 2], "churned": [4, 6]},
        index=["chosen", "other"],
    )
    facts = S.headline_figures(
        hand,
        rules,
        resurrection_facts=pd.Series({"resurrection rate (%)": 1.0}),
        rate_test=tests,
        bands=bands,
        variants=variants,
    )
    key = "return within the horizon at the churn threshold, purchases so far"
    assert facts[f"{key} 1 (%)"] == 50.0 and facts[f"{key} 2-3 (%)"] == 0.0 and facts[f"{key} 4+ (%)"] is None
    assert facts[f"{key} 1, lower (%)"] == bands.loc["1", "lower (%)"]
    assert facts["churned at the end, purchases so far 1"] == 5
    assert facts["churned share over the compared rules, lowest (%)"] == 40.0
    assert facts["churned share over the compared rules, highest (%)"] == 60.0
    assert facts["silent to churned change test within bands of days silent p-value"] == "1"
    assert facts["silent to churned change test -log10 p"] == tests.loc["across months", "-log10 p"]
    assert "silent to churned change test within bands of days silent and purchases p-value" in facts
    other = S.headline_figures(
        hand,
        S.StageRules(5, 11, 3),
        resurrection_facts=pd.Series({"resurrection rate (%)": 1.0}),
        bands=bands,
    )
    assert not any(k.startswith(key) for k in other)  # bands read at another silence are not recorded


def test_time_in_stage_of_an_empty_stage_table_has_no_spells():
    empty = S.assign_stages(HISTORIES, RULES, ["2023-01-31"])  # before any purchase
    table = S.time_in_stage(empty, rules=RULES)
    assert empty.empty and (table["spells"] == 0).all() and table["median (snapshots)"].isna().all()


# ------------------------------------------------------------------ stages at scale: the compact table
def reference_stages(tx, rules, snapshots):
    """The stage table the slow, obvious way, one snapshot at a time: each customer's purchase days up
    to the snapshot, counted, the last one, and the longest gap between two of them."""
    days = tx.assign(date=tx["date"].dt.floor("D"))[["customer_id", "date"]].drop_duplicates()
    days = days.sort_values(["customer_id", "date"])
    days["gap"] = days.groupby("customer_id")["date"].diff().dt.days
    parts = []
    for snap in sorted(set(pd.to_datetime(snapshots).normalize())):
        per = (
            days[days["date"] <= snap]
            .groupby("customer_id")
            .agg(occasions=("date", "size"), last=("date", "max"), longest=("gap", "max"))
        )
        since = (snap - per["last"]).dt.days
        stage = np.select(
            [
                since >= rules.churn_days,
                since >= rules.silent_days,
                per["occasions"] == 1,
                per["occasions"] < rules.mature_occasions,
            ],
            ["churned", "silent", "new", "growing"],
            "mature",
        )
        parts.append(
            pd.DataFrame(
                {
                    "snapshot": snap,
                    "customer_id": per.index,
                    "occasions": per["occasions"].to_numpy(),
                    "days_since_last": since.to_numpy(),
                    "stage": stage,
                    "returned": (per["longest"] >= rules.churn_days).to_numpy(),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["customer_id", "snapshot"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def simulated_log():
    from lifecycle_utils import simulate

    tx, _ = simulate.simulate_transactions(
        600, start="2022-01-01", acquisition_months=12, observation_end="2023-12-31", seed=4
    )
    rng = np.random.default_rng(4)
    # times of day, and a second row on some purchase days: occasions are customer-days
    tx = tx.assign(date=tx["date"] + pd.to_timedelta(rng.integers(0, 86_400, len(tx)), unit="s"))
    return pd.concat([tx, tx.sample(frac=0.2, random_state=4)], ignore_index=True).sample(
        frac=1.0, random_state=5
    )


ID_SHAPES = {
    "fixed width": lambda ids: ids,  # packed into integers, never hashed
    "varying width": lambda ids: ids.str.lstrip("0"),
    "long": lambda ids: "customer-" + ids,  # over 8 characters: ranked through summary's codes
    "wide first letter": lambda ids: np.where(ids.str[-1] < "5", "A", "z") + ids.str[-7:],  # too wide to pack
    "numbers": lambda ids: ids.astype(int),
}


@pytest.mark.parametrize("shape", list(ID_SHAPES))
@pytest.mark.parametrize(
    "rules", [S.StageRules(90, 180, 4), S.StageRules(10, 20, 2), S.StageRules(30, 365, 40)], ids=str
)
def test_assign_stages_matches_the_reference_row_for_row(simulated_log, shape, rules):
    tx = simulated_log.assign(customer_id=ID_SHAPES[shape](simulated_log["customer_id"]))
    for snaps in (
        S.monthly_snapshots(tx, "2023-12-31"),
        # before any purchase, twice the same day, a time of day, after the end
        pd.to_datetime(
            ["2021-06-30", "2022-03-15", "2022-03-15 13:00", "2022-07-01", "2025-01-01"], format="ISO8601"
        ),
    ):
        got, want = S.assign_stages(tx, rules, snaps), reference_stages(tx, rules, snaps)
        assert list(got.columns) == list(want.columns) and len(got) == len(want)
        for column in got.columns:  # as plain values: dates, ids, integers, names, flags
            assert got[column].tolist() == want[column].tolist(), column


def test_the_stage_table_is_compact():
    tx = tx_frame([("b", "2024-01-05", 1.0), ("a", "2024-02-10", 1.0), ("a", "2024-03-01", 1.0)])
    stages = S.assign_stages(tx, RULES, ["2023-12-31", "2024-01-31", "2024-02-29", "2024-03-20"])
    assert [str(stages[c].dtype) for c in stages.columns] == [
        "category",
        "category",
        "int8",
        "int8",
        "category",
        "bool",
    ]
    # categories in order, only values that occur: no snapshot before the first purchase
    assert list(stages["snapshot"].cat.categories) == list(
        pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-20"])
    )
    assert stages["snapshot"].cat.ordered and list(stages["customer_id"].cat.categories) == ["a", "b"]
    assert stages["customer_id"].cat.categories.dtype == tx["customer_id"].dtype
    at = S.stage_at(stages, "2024-03-20")
    assert not isinstance(at.index.dtype, pd.CategoricalDtype) and at.to_dict() == {
        "a": "growing",
        "b": "silent",
    }


def test_every_consumer_reads_the_compact_table_as_the_plain_one(simulated_log):
    """Every function over the stage table gives the same result, to the dtype, on the compact table as
    on the same table with plain columns (dates, text ids, 64-bit integers), as it was before."""
    tx, rules = simulated_log, S.StageRules(60, 150, 3)
    snaps = S.monthly_snapshots(tx, "2023-12-31").normalize()  # the log starts at a time of day
    compact = S.assign_stages(tx, rules, snaps)
    plain = compact.assign(
        snapshot=compact["snapshot"].astype(compact["snapshot"].cat.categories.dtype),
        customer_id=compact["customer_id"].astype(compact["customer_id"].cat.categories.dtype),
        occasions=compact["occasions"].astype(np.int64),
        days_since_last=compact["days_since_last"].astype(np.int64),
    )
    start, end = S.comparison_snapshots(snaps)
    monthly = S.monthly_rates(plain, rules.churn_days)
    results = [
        lambda t: S.stage_at(t, end),
        S.stage_sizes,
        lambda t: S.stage_sizes(t, share=True),
        lambda t: S.stage_revenue(tx, t),
        S.transition_counts,
        S.transition_intervals,
        lambda t: S.monthly_rates(t, rules.churn_days),
        lambda t: S.rate_change_tests(t, rules.churn_days),
        lambda t: S.silence_strata(t, rules.churn_days, edges=S.PURCHASE_BANDS),
        lambda t: S.flows(t, start, end),
        lambda t: S.time_in_stage(t, rules=rules),
    ]
    for result in results:
        a, b = result(compact), result(plain)
        if isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b)
        else:
            pd.testing.assert_frame_equal(a, b)
    facts = pd.Series({"ever churned": 1, "resurrection rate (%)": 1.0})
    assert S.headline_figures(
        compact, rules, resurrection_facts=facts, monthly=monthly
    ) == S.headline_figures(plain, rules, resurrection_facts=facts, monthly=monthly)
