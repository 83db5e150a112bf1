"""Titles and Answer lines of notebooks 01-05, from the data set's label and each notebook's recorded
headline figures (the report index shows the same lines). A figure the data could not carry is not in
the record; the Answer then says what was not run instead of stating it.
"""

from __future__ import annotations

from lifecycle_utils.narrative.words import Text, count, money, percent

__all__ = [
    "TITLES",
    "heading",
    "not_run",
    "stages_answer",
    "survival_answer",
    "rfm_answer",
    "clv_answer",
    "strategy_answer",
]

TITLES = {
    "00": "00 · The data: {label}, its quality and the customer summary",
    "01": "01 · Lifecycle stages of {label}: rules from the data, stage flows and cohort retention",
    "02": (
        "02 · Churn survival analysis of {label}: how long customers stay, what goes with it, "
        "who is about to leave"
    ),
    "03": "03 · RFM segmentation and the customer value matrix (客户价值矩阵) of {label}",
    "04": (
        "04 · Customer lifetime value of {label}: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma, "
        "validated first"
    ),
    "05": "05 · Strategy for {label}: which play, aimed at whom, pays",
}


def heading(notebook: str, label: str) -> Text:
    """A notebook's title (``notebook`` ``"00"`` to ``"05"``), naming the data set."""
    return Text("# " + TITLES[notebook].format(label=label))


def not_run(figures: dict) -> str:
    """The analyses a record says were not run, as a clause (empty when everything ran)."""
    missing = [k.removeprefix("not run: ") for k in figures if k.startswith("not run: ")]
    return f"Not run on this data: {', '.join(missing)}." if missing else ""


def _with_not_run(text: str, figures: dict) -> Text:
    extra = not_run(figures)
    return Text(" ".join(part for part in ("**Answer.**", text, extra) if part))


def stages_answer(figures: dict) -> Text:
    """Notebook 01: the derived thresholds, the churned share at the last snapshot, the comeback rate."""
    if "churned after (days)" not in figures:
        return _with_not_run("", figures)
    text = (
        f"With the stage rules of notebook 01 (silent after {count(figures['silent after (days)'])} days "
        f"without a purchase, churned after {count(figures['churned after (days)'])} days, mature from "
        f"{count(figures['mature from (occasions)'])} purchase occasions), "
        f"{percent(figures['churned share (%)'])} of the customers had churned by {figures['snapshot']} and "
        f"{percent(figures['mature share (%)'])} were mature."
    )
    if figures.get("resurrection rate (%)") is not None:
        text += (
            f" At least {percent(figures['resurrection rate (%)'])} of customers who churned came back later "
            "(a lower bound: late churners had little time to return)."
        )
    return _with_not_run(text, figures)


def survival_answer(figures: dict) -> Text:
    """Notebook 02: the churned share, the strongest log-rank contrast, the early-warning list's stake."""
    if figures.get("churned (%)") is None:
        return _with_not_run("", figures)
    threshold = figures.get("churn threshold (days)")
    rule = f" (churn: {count(threshold)} days without a purchase)" if threshold is not None else ""
    text = f"{percent(figures['churned (%)'])} of the {count(figures['customers'])} customers churned{rule}."
    if figures.get("strongest log-rank"):
        text += (
            " The clearest difference in survival between groups (log-rank test): "
            f"{figures['strongest log-rank']}."
        )
    if "early-warning list: value at risk" in figures:
        text += (
            " The early-warning list puts the value at risk of its top customers at "
            f"{money(figures['early-warning list: value at risk'], decimals=0)}."
        )
    return _with_not_run(text, figures)


def rfm_answer(figures: dict) -> Text:
    """Notebook 03: how concentrated revenue is, and the largest segment by revenue."""
    if figures.get("revenue from top 20% of customers (%)") is None:
        return _with_not_run("", figures)
    gini = figures.get("Gini coefficient")
    concentration = f" (Gini {float(gini):.2f})" if gini is not None else ""
    text = (
        f"The top 20% of customers bring {percent(figures['revenue from top 20% of customers (%)'])} of the "
        f"revenue{concentration}."
    )
    revenue = {
        k.removesuffix(": revenue (%)"): v
        for k, v in figures.items()
        if k.endswith(": revenue (%)") and v is not None
    }
    if revenue:
        top = max(revenue, key=revenue.get)
        share = figures.get(f"{top}: customers (%)")
        of = f" from {percent(share)} of the customers" if share is not None else ""
        text += f" {top} is the segment with the most revenue: {percent(revenue[top])}{of}."
    return _with_not_run(text, figures)


def clv_answer(figures: dict) -> Text:
    """Notebook 04: the CDNOW reproduction, the model used, total CLV with its interval, concentration."""
    reproduced = figures.get(
        "published figures reproduced", figures.get("published CDNOW figures reproduced")
    )
    text = f"About CDNOW only: {reproduced or 'no'} published figures are reproduced."
    if figures.get("model trusted"):
        text += (
            f" On this data {figures['model trusted']} is the model used; total CLV (discounted margin over "
            f"the notebook's horizon) is {money(figures.get('total CLV'), decimals=0)} (90% interval "
            f"{figures.get('total CLV 90% interval', 'n/a')}), and the top tenth of customers hold "
            f"{percent(figures.get('top 10% share of CLV (%)'))} of it."
        )
    return _with_not_run(text, figures)


def strategy_answer(figures: dict) -> Text:
    """Notebook 05: the targeting policy with the highest profit under the assumed uplifts, the arm with
    the highest net profit in the test, and the size of the next test."""
    parts = []
    profit = figures.get("its incremental profit")
    if figures.get("best targeting policy") and profit is not None:
        parts.append(
            f"Under the assumed uplifts, '{figures['best targeting policy']}' is the targeting policy with "
            f"the highest incremental profit ({money(profit)})."
            if profit > 0
            else f"Under the assumed uplifts no targeting policy makes a profit; the smallest loss is "
            f"'{figures['best targeting policy']}' ({money(profit)})."
        )
    arm_profit = figures.get("its net profit per 1,000 customers")
    if figures.get("most profitable arm") and arm_profit is not None:
        parts.append(
            f"In the campaign test, '{figures['most profitable arm']}' has the highest net profit per 1,000 "
            f"customers ({money(arm_profit)})."
            if arm_profit > 0
            else f"In the campaign test no arm makes a net profit; the smallest loss per 1,000 customers is "
            f"'{figures['most profitable arm']}' ({money(arm_profit)})."
        )
    if "customers per arm for the planned test" in figures:
        parts.append(
            f"The next test needs {count(figures['customers per arm for the planned test'])} customers per "
            "arm."
        )
    return _with_not_run(" ".join(parts), figures)
