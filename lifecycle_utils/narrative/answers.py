"""What the Answer lines and titles of notebooks 01-05 share: the title naming the data set, the Data
line describing the log it was run on, and the clause for analyses the data could not carry (a figure
the data could not carry is not in the record; the Answer then says what was not run instead of
stating it). Each notebook's own Answer is in its module (``stages``, ``survival``, ``rfm``, ``clv``,
``strategy``).
"""

from __future__ import annotations

import pandas as pd

from lifecycle_utils.narrative.words import Text, count, day, money

__all__ = ["TITLES", "heading", "data_line", "not_run", "with_not_run"]

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


def heading(notebook: str, label: str, tx: pd.DataFrame | None = None) -> Text:
    """A notebook's title (``notebook`` ``"00"`` to ``"05"``), naming the data set; with ``tx`` (the
    cleaned transactions: ``customer_id``, ``date``, ``amount``) a Data line under it describing them."""
    title = "# " + TITLES[notebook].format(label=label)
    if tx is None:
        return Text(title)
    return Text(f"{title}\n\n{data_line(tx, label)}")


def data_line(tx: pd.DataFrame, label: str) -> Text:
    """The log a notebook runs on, in one line: rows, customers, period and money (``tx``: cleaned
    transactions with ``customer_id``, ``date``, ``amount``)."""
    if tx.empty:
        return Text(f"**Data.** {label}: no purchase rows.")
    return Text(
        f"**Data.** {label}: {count(len(tx))} purchase rows by {count(tx['customer_id'].nunique())} "
        f"customers from {day(tx['date'].min())} to {day(tx['date'].max())}, worth "
        f"{money(tx['amount'].sum(), decimals=0)}."
    )


def not_run(figures: dict) -> str:
    """The analyses a record says were not run, as a clause (empty when everything ran)."""
    missing = [k.removeprefix("not run: ") for k in figures if k.startswith("not run: ")]
    return f"Not run on this data: {', '.join(missing)}." if missing else ""


def with_not_run(text: str, figures: dict) -> Text:
    extra = not_run(figures)
    return Text(" ".join(part for part in ("**Answer.**", text, extra) if part))
