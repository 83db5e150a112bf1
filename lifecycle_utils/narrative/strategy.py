"""The sentences of notebook 05 (strategy comparison and campaign tests), each built from the result it
interprets, and the notebook's Answer and "What this means" from its recorded figures."""

from __future__ import annotations

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, money

__all__ = ["model_sentence", "answer"]


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


def answer(figures: dict) -> Text:
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
    return with_not_run(" ".join(parts), figures)
