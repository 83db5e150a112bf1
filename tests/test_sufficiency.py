"""The data-sufficiency verdict: each rule on both sides of its threshold, and the degenerate data sets."""

from __future__ import annotations

import pandas as pd
import pytest

from lifecycle_utils import sufficiency as suf


def _log(customers: int, repeaters: int, days: int = 400, start: str = "2023-01-02") -> pd.DataFrame:
    """``customers`` customers buying on ``start``; the first ``repeaters`` of them again ``days - 1``
    days later (so the log spans exactly ``days`` days)."""
    first = pd.Timestamp(start)
    rows = [(f"c{i:04d}", first, 10.0) for i in range(customers)]
    rows += [(f"c{i:04d}", first + pd.Timedelta(days=days - 1), 5.0) for i in range(repeaters)]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


END = "2024-02-05"  # 400 days from 2023-01-02: logs without repeat buyers are observed that long


def test_facts_count_customers_repeat_buyers_and_history():
    facts = suf.transaction_facts(_log(30, 12, days=100))
    assert facts["customers"] == 30 and facts["repeat buyers"] == 12 and facts["days of history"] == 100
    assert facts["first date"] == "2023-01-02" and facts["last date"] == "2023-04-11"
    assert facts["calibration weeks"] == 7 and facts["holdout weeks"] == 7  # 100 days: 49 + 51


def test_two_rows_on_one_day_are_one_purchase_occasion():
    tx = pd.concat([_log(1, 0), _log(1, 0)], ignore_index=True)
    assert suf.transaction_facts(tx)["repeat buyers"] == 0


@pytest.mark.parametrize("repeaters, runs", [(suf.MIN_REPEATERS - 1, False), (suf.MIN_REPEATERS, True)])
def test_stage_rules_need_enough_repeat_buyers(repeaters, runs):
    verdict = suf.assess_transactions(_log(100, repeaters))
    assert verdict.ok("stage rules") is runs and verdict.ok("churn survival") is runs


@pytest.mark.parametrize("days, runs", [(suf.MIN_HISTORY_DAYS - 1, False), (suf.MIN_HISTORY_DAYS, True)])
def test_stage_rules_and_rfm_need_enough_history(days, runs):
    verdict = suf.assess_transactions(_log(100, 50, days=days))
    assert verdict.ok("stage rules") is runs and verdict.ok("RFM segmentation") is runs


def test_a_churn_threshold_set_by_hand_replaces_the_repeat_buyers_it_would_be_derived_from():
    verdict = suf.assess_transactions(_log(100, 0), END, churn_days=90)
    assert verdict.ok("churn survival") and not verdict.ok("time to second purchase")


@pytest.mark.parametrize("customers, runs", [(suf.MIN_CUSTOMERS - 1, False), (suf.MIN_CUSTOMERS, True)])
def test_per_customer_analyses_need_enough_customers(customers, runs):
    verdict = suf.assess_transactions(_log(customers, 0), END)
    assert verdict.ok("RFM segmentation") is runs and verdict.ok("purchase funnel") is runs


def test_transitions_need_two_month_ends_and_flows_thirteen():
    short = suf.assess_transactions(_log(100, 50, days=28, start="2023-01-02"))  # ends 2023-01-29
    assert short.facts["month ends"] == 1 and not short.ok("stage transitions")
    two = suf.assess_transactions(_log(100, 50, days=40, start="2023-01-02"))  # to 2023-02-10
    assert two.facts["month ends"] == 2 and two.ok("stage transitions") and not two.ok("year-on-year flows")
    year = suf.assess_transactions(_log(100, 50, days=366, start="2023-01-01"))  # 12 month ends + 2024-01-01
    assert year.facts["month ends"] == suf.YEAR_MONTHS and year.ok("year-on-year flows")


@pytest.mark.parametrize(
    "repeaters, runs", [(suf.MIN_CLV_REPEATERS - 1, False), (suf.MIN_CLV_REPEATERS, True)]
)
def test_clv_needs_repeat_buyers_inside_the_calibration_period(repeaters, runs):
    first = _log(200, 0, days=200)
    again = first.head(repeaters).assign(
        date=lambda f: f["date"] + pd.Timedelta(days=30)
    )  # inside calibration
    late = first.head(1).assign(date=pd.Timestamp("2023-07-20"))  # stretches the log to 200 days
    verdict = suf.assess_transactions(pd.concat([first, again, late], ignore_index=True))
    assert verdict.ok("CLV models") is runs and verdict.ok("strategy targeting") is (
        runs and verdict.ok("stage rules")
    )


def test_repeat_buyers_who_come_back_only_after_the_split_do_not_count_for_clv():
    verdict = suf.assess_transactions(_log(200, 200, days=200))  # every repeat in the holdout
    assert verdict.facts["calibration repeat buyers"] == 0 and not verdict.ok("CLV models")


def test_one_customer_and_no_data_stop_everything_but_the_overview():
    one = suf.assess_transactions(_log(1, 1))
    assert one.ok("data overview") and not one.any_analysis()
    empty = suf.assess_transactions(_log(0, 0))
    assert not empty.ok("data overview") and not empty.any_analysis()
    assert not suf.no_input().any_analysis()


def test_no_repeat_buyers_still_carry_rfm_but_not_stages_or_clv():
    verdict = suf.assess_transactions(_log(200, 0), END)
    assert verdict.any_analysis() and verdict.ok("RFM segmentation")
    assert not verdict.ok("stage rules") and not verdict.ok("CLV models")


def test_a_note_says_what_is_missing_and_what_would_fix_it():
    verdict = suf.assess_transactions(_log(100, 3))
    note = verdict.note("stage rules")
    assert note.startswith("**Not enough data for stage rules.**")
    assert (
        f"{suf.MIN_REPEATERS} customers with two or more purchase days" in note and "3 repeat buyers" in note
    )
    assert "What would fix it" in note
    with pytest.raises(KeyError, match="no sufficiency rule"):
        verdict.ok("astrology")


def test_runs_prints_the_note_outside_a_notebook_and_returns_false(capsys):
    verdict = suf.assess_transactions(_log(100, 3))
    assert verdict.runs("RFM segmentation") is True
    assert verdict.runs("stage rules") is False
    assert "Not enough data for stage rules" in capsys.readouterr().out


def test_a_later_check_replaces_the_one_of_the_same_name():
    verdict = suf.assess_transactions(_log(300, 300, days=60))
    changed = verdict.with_check(
        "CLV values", "04", "a clean fit", "BG/NBD: on a boundary", False, "more data"
    )
    assert not changed.ok("CLV values") and len(changed.checks) == len(verdict.checks)


def test_not_run_lists_a_notebooks_blocked_analyses_for_its_record():
    verdict = suf.assess_transactions(_log(100, 0), END)
    blocked = suf.not_run(verdict, "01")
    assert "not run: stage rules" in blocked and "not run: purchase funnel" not in blocked
    assert suf.not_run(suf.assess_transactions(_log(100, 50)), "03") == {}


def test_without_a_transaction_log_only_other_inputs_can_run():
    table = pd.DataFrame(
        {"duration": [10.0, 20.0] * 15, "churned": [1, 0] * 15, "plan": ["a", "b", "c"] * 10}
    )
    verdict = suf.combine(suf.assess_transactions(None), suf.assess_durations(table, ["plan"], ["plan"]))
    assert verdict.ok("churn survival") and verdict.any_analysis() and not verdict.ok("RFM segmentation")
    assert verdict.ok("group comparison by plan")
    assert not verdict.ok("Cox regression")  # 15 events for 2 coefficients: needs 20


def test_a_group_with_one_level_cannot_be_compared():
    table = pd.DataFrame({"duration": range(30), "churned": [1] * 30, "plan": ["a"] * 30})
    verdict = suf.assess_durations(table, ["plan"], ["plan"])
    assert not verdict.ok("group comparison by plan")


def test_a_duration_table_without_events_has_no_survival_to_estimate():
    table = pd.DataFrame({"duration": range(30), "churned": [0] * 30})
    assert not suf.assess_durations(table).ok("churn survival")


def test_a_campaign_needs_a_control_and_segments_need_every_arm():
    table = pd.DataFrame(
        {"arm": ["control", "offer"] * 20, "converted": [0, 1] * 20, "segment": ["x"] * 20 + ["y"] * 20}
    )
    assert suf.assess_campaign(table, "control").ok("campaign test")
    assert suf.assess_campaign(table, "control").ok("heterogeneity by segment")
    assert not suf.assess_campaign(table, "holdout").ok("campaign test")
    one_segment = suf.assess_campaign(table.assign(segment="all"), "control")
    assert one_segment.ok("campaign test") and not one_segment.ok("heterogeneity by segment")
    assert suf.assess_campaign(None).ok("campaign test")  # the simulated test
