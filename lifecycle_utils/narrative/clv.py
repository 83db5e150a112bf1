"""The sentences of notebook 04 (customer lifetime value), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
"""

from __future__ import annotations

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, money, percent

__all__ = ["answer"]


def answer(figures: dict) -> Text:
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
    return with_not_run(text, figures)
