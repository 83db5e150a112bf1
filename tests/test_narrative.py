"""lifecycle_utils.narrative: sentences built from small hand-made tables, each judgement on both sides
of its threshold, and the degenerate cases (nothing dropped, nothing found, no new customers)."""

from __future__ import annotations

import pandas as pd
import pytest

from lifecycle_utils import narrative
from lifecycle_utils.narrative import overview as ov
from lifecycle_utils.narrative.words import MONEY_CENTS_BELOW, Text, count, day, listing, money, percent


def test_words_write_numbers_for_a_stakeholder():
    assert count(23570) == "23,570" and count(2.6) == "3"
    assert money(2500315.634) == "\\$2,500,316" and money(2500315.634, decimals=2) == "\\$2,500,315.63"
    assert money(-27.4, decimals=0) == "-\\$27" and money(5, currency="€") == "€5.00"
    assert MONEY_CENTS_BELOW == 100.0
    # cents only below MONEY_CENTS_BELOW (100) units, judged on the rounded amount; no "-$0.00"
    assert (money(99.994), money(99.996), money(-126.17), money(-0.001)) == (
        "\\$99.99",
        "\\$100",
        "-\\$126",
        "\\$0.00",
    )
    assert percent(48.94) == "48.9%" and percent(float("nan")) == "n/a"
    assert day(pd.Timestamp("1997-01-01 13:00")) == "1997-01-01"
    assert (
        listing(["a"]) == "a"
        and listing(["a", "b"]) == "a and b"
        and listing(["a", "b", "c"]) == "a, b and c"
    )


def test_text_renders_as_markdown_and_compares_as_plain_text():
    text = Text("**Answer.** x")
    assert text._repr_markdown_() == "**Answer.** x" and repr(text) == "**Answer.** x"


def facts(rows=100, customers=10, total=1234.5):
    return pd.Series(
        {
            "rows": rows,
            "customers": customers,
            "first date": "2024-01-01",
            "last date": "2024-06-30",
            "total amount": total,
        }
    )


def test_the_log_sentence_names_the_data_set_and_says_cdnow_only_when_published_figures_are_given():
    text = ov.log_sentence(facts(), "shop")
    assert text == (
        "shop holds 100 purchase rows by 10 customers between 2024-01-01 and 2024-06-30, worth \\$1,234."
    )
    published = pd.DataFrame({"match": [True, False]})
    assert "About CDNOW only: 1 of the 2 of its published figures" in ov.log_sentence(
        facts(), "CDNOW", published
    )


def ledger(dropped):
    kept = 100 - sum(n for _, n in dropped)
    rows = [("read", "rows in the source", 100)] + [("dropped", r, n) for r, n in dropped]
    return pd.DataFrame(rows + [("kept", "rows kept", kept)], columns=["step", "reason", "rows"])


def test_the_ledger_sentence_says_nothing_was_dropped_or_lists_the_reasons():
    assert ov.ledger_sentence(ledger([])) == "Nothing was dropped: all 100 rows were kept."
    text = ov.ledger_sentence(ledger([("no customer id", 3), ("bad date", 2)]))
    assert text.startswith("5 of 100 rows (5.0%) were dropped: no customer id (3) and bad date (2).")


def test_the_quality_sentence_lists_only_checks_that_found_rows():
    checks = pd.DataFrame(
        {
            "check": ["amount of zero", "negative amount", "extra rows on the same customer-day"],
            "rows": [2, 0, 5],
            "share": [2.0, 0.0, 5.0],
        }
    )
    text = ov.quality_sentence(checks)
    assert "2 rows (2.00%) with an amount of zero" in text and "negative" not in text
    assert text.endswith("merge into one purchase occasion in every summary below.")
    assert ov.quality_sentence(checks.assign(rows=0)) == "None of these checks finds a row."


def overview_facts(share, revenue):
    return pd.Series(
        {
            "customers": 200,
            "repeat customers": round(2 * share),
            "repeat customers (%)": share,
            "revenue from repeat occasions (%)": revenue,
        }
    )


@pytest.mark.parametrize(
    "share, lead",
    [(0.0, "None"), (49.9, "Fewer than half"), (50.0, "Half"), (50.1, "More than half"), (100.0, "All")],
)
def test_the_majority_words_follow_the_share_on_both_sides_of_half(share, lead):
    assert ov.repeat_sentence(overview_facts(share, share), "shop").startswith(f"{lead} of shop's customers")


@pytest.mark.parametrize("gap, judged", [(9.9, False), (10.0, True)])
def test_where_the_money_is_needs_a_revenue_share_ten_points_above_the_customer_share(gap, judged):
    text = ov.repeat_sentence(overview_facts(40.0, 40.0 + gap), "shop")
    judgement = "Repeat buyers account for a larger share of the revenue than of the customers."
    assert (judgement in text) is judged
    assert (judgement in ov.answer(figures(40.0, 40.0 + gap))) is judged


@pytest.mark.parametrize("revenue", [None, -20.0, 180.0])  # no net revenue, or refunds beyond sales
def test_a_repeat_revenue_share_outside_zero_to_hundred_is_not_read_as_a_share(revenue):
    text = ov.repeat_sentence(overview_facts(40.0, revenue), "shop")
    assert text.endswith("the share of revenue from repeat occasions cannot be read (no net revenue).")
    assert ov.answer(figures(40.0, revenue)) == (
        "**Answer.** Fewer than half of the customers (40.0%) come back after their first purchase."
    )


def distribution(once, twice, top):
    return pd.DataFrame({"occasions": ["1", "2", "3+"], "share": [once, twice, top]})


@pytest.mark.parametrize("once, most", [(50.0, False), (50.1, True)])
def test_most_buy_once_only_above_half(once, most):
    dist = distribution(once, 100 - once - 5, 5.0)
    assert ov.occasions_sentence(dist).startswith("Most customers buy once") is most
    assert ov.occasions_title(dist, "shop") == (
        "shop: most customers buy once" if most else "shop: purchase occasions per customer"
    )
    assert ov.occasions_sentence(dist).endswith("; 5.0% reach 3 or more occasions.")


@pytest.mark.parametrize("mean, tail", [(11.9, False), (12.0, True)])
def test_a_right_tail_needs_the_mean_at_least_twenty_percent_above_the_median(mean, tail):
    quantiles = pd.Series({"p50": 10.0, "p99": 80.0, "mean": mean})
    text = ov.spend_sentence(quantiles)
    assert text.startswith("A typical purchase occasion is worth about \\$10 (the median); 99% of occasions")
    assert ("a right tail" in text) is tail


def weekly(new):
    return pd.DataFrame(
        {
            "week": range(1, len(new) + 1),
            "week_start": pd.date_range("2024-01-01", periods=len(new), freq="7D"),
            "new customers": new,
        }
    )


def test_one_acquisition_cohort_when_new_customers_stop_within_the_first_quarter_of_the_weeks():
    assert ov.single_cohort(weekly([5, 3] + [0] * 6)) == (True, 2, 8)  # 2 <= 0.25 x 8
    assert ov.single_cohort(weekly([5, 3, 1] + [0] * 5)) == (False, 3, 8)
    assert ov.activity_sentence(weekly([5, 3] + [0] * 6), "shop").startswith(
        "shop is a single acquisition cohort: new customers arrive only in the first 2 of 8 weeks"
    )
    assert ov.activity_sentence(weekly([5, 0, 1, 0, 2, 0, 0, 1]), "shop") == (
        "New customers keep arriving: 4 of 8 weeks bring new customers, the last in week 8 "
        "(starting 2024-02-19)."
    )
    assert ov.activity_sentence(weekly([0] * 8), "shop") == "No week has new customers."


def test_new_customers_keep_arriving_only_when_some_arrive_near_the_end():
    # the last arrival in week 6 of 9 leaves 3 weeks without one: fewer than RECENT_WEEKS (4)
    assert ov.activity_sentence(weekly([5, 0, 1, 0, 0, 2, 0, 0, 0]), "shop").startswith(
        "New customers keep arriving: 3 of 9 weeks"
    )
    # week 6 of 10: 4 weeks without one
    assert ov.activity_sentence(weekly([5, 0, 1, 0, 0, 2, 0, 0, 0, 0]), "shop") == (
        "New customers arrived in 3 of 10 weeks, the last in week 6 (starting 2024-02-05); none arrived "
        "in the last 4 weeks."
    )


def test_no_acquisition_judgement_on_fewer_weeks_than_the_minimum():
    assert ov.single_cohort(weekly([5] + [0] * 6)) == (None, 1, 7)
    assert ov.activity_sentence(weekly([5] + [0] * 6), "shop") == (
        "The log covers 7 week(s): too short to say how customers are acquired."
    )


def test_weekly_activity_counts_calendar_weeks_with_no_purchase_as_zero():
    from lifecycle_utils import summary

    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-02-01"]),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    weeks = summary.weekly_activity(tx)
    assert weeks["week"].tolist() == [1, 2, 3, 4, 5] and weeks["occasions"].tolist() == [2, 0, 0, 0, 1]
    assert weeks["new customers"].tolist() == [2, 0, 0, 0, 0]


def test_the_split_sentence_says_exactly_within_tolerance_or_how_many():
    exact = pd.DataFrame({"match": [True, True], "difference": [0.0, 0.0]})
    assert ov.split_sentence(exact).startswith("All 2 published figures are reproduced exactly")
    close = exact.assign(difference=[0.0, 0.001])
    assert ov.split_sentence(close).startswith(
        "All 2 published figures are reproduced within their tolerance"
    )
    assert ov.split_sentence(close.assign(match=[True, False])).startswith("1 of 2 published figures")


def figures(share=48.9, revenue=68.6, dropped=0, one=True):
    return {
        "repeat customers (%)": share,
        "revenue from repeat occasions (%)": revenue,
        "rows dropped in cleaning": dropped,
        "customers buying once (%)": 51.1,
        "weeks observed": 78,
        "last week with new customers": 12 if one else 70,
        "one acquisition cohort": one,
    }


def test_the_closing_text_follows_the_recorded_figures():
    text = narrative.closing("00_data_overview", figures())
    assert text.startswith("**Answer.** Fewer than half of the customers (48.9%) come back")
    assert (
        "- The log loaded without dropping a row." in text
        and "one acquisition cohort followed for 78" in text
    )
    other = narrative.closing("00_data_overview", figures(share=62.0, revenue=64.0, dropped=7, one=False))
    assert other.startswith("**Answer.** More than half of the customers (62.0%)")
    assert (
        "- 7 rows were dropped in cleaning" in other and "New customers arrive up to week 70 of 78" in other
    )
    assert narrative.answer("00_data_overview", figures()) == text.split("\n\n")[0]
    assert narrative.answer("99_unknown", figures()) is None


def test_headline_figures_record_what_the_closing_text_needs():
    dist = distribution(51.1, 17.1, 4.6)
    recorded = ov.headline_figures(
        facts(), overview_facts(48.9, 68.6), dist, weekly([5] + [0] * 7), ledger([("x", 4)])
    )
    assert recorded["rows dropped in cleaning"] == 4 and recorded["one acquisition cohort"] is True
    assert recorded["first date"] == "2024-01-01" and recorded["customers buying once (%)"] == 51.1
    assert recorded["weeks with new customers"] == 1 and recorded["weeks observed"] == 8
    narrative.closing("00_data_overview", recorded)  # every key the closing text reads is there


def test_the_model_sentence_says_where_the_model_comes_from():
    from lifecycle_utils.narrative import strategy

    assert strategy.model_sentence("BG/NBD", "parameter", "shop").endswith("as the CLV_MODEL parameter sets.")
    assert "the model notebook 04 chose for shop" in strategy.model_sentence("MBG/NBD", "notebook 04", "shop")
    assert strategy.model_sentence("Pareto/NBD", "default", "shop").startswith(
        "Notebook 04 has recorded no model choice for shop"
    )
    low = {
        "MBG/NBD holdout revenue error (%)": -15.8,
        "lowest model holdout MAE": 0.99,
        "best baseline holdout MAE": 1.0,
        "best baseline MAE minus the lowest model's, 90% low": -0.02,
    }
    text = strategy.model_sentence("MBG/NBD", "notebook 04", "shop", checked=low)
    assert (
        "There its predicted holdout revenue ran 15.8% low, so the future margins below are likely "
        "understated, and the break-even uplifts overstated. On that check the models were no better than "
        "a naive forecast" in text
    )
    high = strategy.model_sentence(
        "MBG/NBD", "parameter", "shop", checked={"MBG/NBD holdout revenue error (%)": 3.0}
    )
    assert "ran 3.0% high, so the future margins below are likely overstated" in high and "naive" not in high


def test_every_notebook_title_names_the_data_set():
    for key in ["00", "01", "02", "03", "04", "05"]:
        assert narrative.heading(key, "shop").startswith(f"# {key} · ") and "shop" in narrative.heading(
            key, "shop"
        )


STAGES = {
    "snapshot": "2024-06-30",
    "churned share (%)": 40.0,
    "mature share (%)": 20.0,
    "silent after (days)": 30,
    "churned after (days)": 90,
    "mature from (occasions)": 3,
    "resurrection rate (%)": 5.0,
}


def test_answers_state_the_recorded_figures_of_their_notebook():
    assert narrative.answer("01_stage_definition", STAGES) == (
        "**Answer.** With the stage rules of notebook 01 (silent after 30 days without a purchase, churned "
        "after 90 days, mature from 3 purchase occasions), 40.0% of the customers had churned by 2024-06-30 "
        "and 20.0% were mature. At least 5.0% of customers who churned came back later (a lower bound: late "
        "churners had little time to return)."
    )
    survival = {"churned (%)": 12.5, "customers": 1000, "churn threshold (days)": None}
    assert (
        narrative.answer("02_churn_survival", survival) == "**Answer.** 12.5% of the 1,000 customers churned."
    )
    rfm = {
        "revenue from top 20% of customers (%)": 55.0,
        "Gini coefficient": 0.41,
        "A: revenue (%)": 30.0,
        "B: revenue (%)": 70.0,
        "B: customers (%)": 25.0,
    }
    assert narrative.answer("03_rfm_segmentation", rfm).endswith(
        "B is the segment with the most revenue: 70.0% from 25.0% of the customers."
    )
    clv = {
        "published figures reproduced": "35 of 35",
        "model trusted": "BG/NBD",
        "total CLV": 1234.4,
        "total CLV 90% lower": 1000.0,
        "total CLV 90% upper": 1500.0,
        "top 10% share of CLV (%)": 50.0,
    }
    assert (
        "On this data BG/NBD is the model used; total CLV (discounted margin over the notebook's horizon) "
        "is \\$1,234 (90% interval \\$1,000 to \\$1,500, parameter uncertainty only)"
        in narrative.answer("04_clv_estimation", clv)
    )
    strategy = {
        "best targeting policy": None,
        "most profitable arm": "mail",
        "its net profit per 1,000 customers": 5.0,
        "customers per arm for the planned test": 2660,
    }
    text = narrative.answer("05_strategy_comparison", strategy)
    assert (
        "targeting policy" not in text
        and "'mail' has the highest net profit" in text
        and "2,660 customers per arm" in text
    )


def test_an_answer_says_what_the_data_could_not_carry_instead_of_a_figure():
    missing = {"not run: stage rules": "needs 20 repeat buyers; has 3"}
    assert (
        narrative.answer("01_stage_definition", missing) == "**Answer.** Not run on this data: stage rules."
    )
    # a full CDNOW reproduction is said in its own section, never in the Answer about a user's data
    assert (
        narrative.answer("04_clv_estimation", {"published CDNOW figures reproduced": "35 of 35"} | missing)
        == "**Answer.** Not run on this data: stage rules."
    )
    assert narrative.answer("04_clv_estimation", {"published CDNOW figures reproduced": "33 of 35"}) == (
        "**Answer.** Only 33 of 35 published figures of the CDNOW sample are reproduced: the wrappers around "
        "lifetimes may not behave as published (a check of the code, not of this data)."
    )


def test_answers_survive_figures_recorded_as_missing():
    """NaN is recorded as null: an Answer states n/a or leaves the clause out, never fails."""
    assert "At least" not in narrative.answer("01_stage_definition", STAGES | {"resurrection rate (%)": None})
    assert narrative.answer("02_churn_survival", {"churned (%)": None, "customers": 0}) == "**Answer.**"
    rfm = {"revenue from top 20% of customers (%)": 80.0, "Gini coefficient": None, "A: revenue (%)": None}
    assert (
        narrative.answer("03_rfm_segmentation", rfm)
        == "**Answer.** The top 20% of customers bring 80.0% of the revenue."
    )
    clv = {"published figures reproduced": "35 of 35", "model trusted": "BG/NBD", "total CLV": None}
    assert "total CLV (discounted margin over the notebook's horizon) is n/a" in narrative.answer(
        "04_clv_estimation", clv
    )


def test_a_loss_is_called_a_loss():
    losing = {
        "best targeting policy": "all",
        "its incremental profit": -500.0,
        "most profitable arm": "mail",
        "its net profit per 1,000 customers": -3.0,
    }
    text = narrative.answer("05_strategy_comparison", losing)
    assert "no targeting policy makes a profit; the smallest loss is 'all' (-\\$500)" in text
    assert "no arm makes a net profit; the smallest loss per 1,000 customers is 'mail' (-\\$3.00)" in text


def test_heading_with_the_log_gives_a_data_line_of_its_own_figures():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "date": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-02-10"]),
            "amount": [10.0, 1500.0, 2.5],
        }
    )
    text = narrative.heading("02", "shop", tx=tx)
    assert text.splitlines()[0].startswith("# 02 · ") and "shop" in text.splitlines()[0]
    assert text.endswith(
        "**Data.** shop: 3 purchase rows by 2 customers from 2024-01-02 to 2024-03-01, worth \\$1,512."
    )
    assert narrative.answers.data_line(tx.iloc[:0], "shop") == "**Data.** shop: no purchase rows."
    assert narrative.heading("02", "shop") == text.splitlines()[0]
