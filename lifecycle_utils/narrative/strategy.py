"""The sentences of notebook 05 (strategy comparison and campaign tests), each built from the result it
interprets. So far: which CLV model the targeting uses and where that choice comes from."""

from __future__ import annotations

from lifecycle_utils.narrative.words import Text

__all__ = ["model_sentence"]


def model_sentence(model: str, origin: str, label: str) -> Text:
    """Which transaction model values the customers, from ``clv.model_to_use``'s ``(model, origin)``."""
    if origin == "parameter":
        return Text(f"Customers are valued with {model}, as the CLV_MODEL parameter sets.")
    if origin == "notebook 04":
        return Text(
            f"Customers are valued with {model}, the model notebook 04 chose for {label} on its holdout "
            "check."
        )
    return Text(
        f"Notebook 04 has recorded no model choice for {label} (not run on this data, or no model fitted "
        f"cleanly), so {model}, the default, is used; its fit is checked below."
    )
