"""The sentences of notebook 03 (RFM segmentation and the value matrix), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
"""

from __future__ import annotations

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, percent

__all__ = ["answer"]


def answer(figures: dict) -> Text:
    """Notebook 03: how concentrated revenue is, and the largest segment by revenue."""
    if figures.get("revenue from top 20% of customers (%)") is None:
        return with_not_run("", figures)
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
    return with_not_run(text, figures)
