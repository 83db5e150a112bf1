"""The sentences of notebook 01 (lifecycle stages: rules, flows, cohort retention), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
"""

from __future__ import annotations

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, percent

__all__ = ["answer"]


def answer(figures: dict) -> Text:
    """Notebook 01: the derived thresholds, the churned share at the last snapshot, the comeback rate."""
    if "churned after (days)" not in figures:
        return with_not_run("", figures)
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
    return with_not_run(text, figures)
