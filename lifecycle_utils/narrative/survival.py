"""The sentences of notebook 02 (churn survival analysis), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
"""

from __future__ import annotations

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, money, percent

__all__ = ["answer"]


def answer(figures: dict) -> Text:
    """Notebook 02: the churned share, the strongest log-rank contrast, the early-warning list's stake."""
    if figures.get("churned (%)") is None:
        return with_not_run("", figures)
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
    return with_not_run(text, figures)
