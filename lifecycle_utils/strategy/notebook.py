"""What notebook 05 records: its headline figures, from the targeting comparison and the campaign test."""

from __future__ import annotations

import pandas as pd

__all__ = ["headline_figures"]


def headline_figures(
    policies: pd.DataFrame | None,
    comparison: pd.DataFrame | None,
    *,
    profit: pd.DataFrame | None,
    n_needed: int,
) -> dict:
    """What notebook 05 records: the best targeting policy with its incremental profit and ROI
    (:func:`~lifecycle_utils.strategy.targeting.compare_policies`), the most profitable arm with its
    net profit per 1,000 customers (:func:`~lifecycle_utils.strategy.experiments.incremental_profit`,
    the control first), each arm's response lift in percentage points
    (:func:`~lifecycle_utils.strategy.experiments.compare_arms`) and the planned test size. A part
    given as None (an analysis the data could not carry) is left out; without revenue (net profit NaN
    for every arm) the most profitable arm and its profit are None."""
    figures: dict = {}
    if policies is not None and policies["incremental profit"].notna().any():
        best = policies["incremental profit"].idxmax()
        random = float(policies.loc["random", "incremental profit"]) if "random" in policies.index else None
        figures |= {
            "best targeting policy": best,
            "its incremental profit": float(policies.loc[best, "incremental profit"]),
            "its ROI": float(policies.loc[best, "ROI"]),
            "random targeting profit": random,
        }
    if profit is not None:
        others = profit.drop(index=profit.index[0])["net incremental profit"].dropna()
        best_arm = others.idxmax() if len(others) else None
        figures |= {
            "most profitable arm": best_arm,
            "its net profit per 1,000 customers": None
            if best_arm is None
            else float(profit.loc[best_arm, "net per 1,000 customers"]),
        }
    if comparison is not None:
        figures |= {
            f"{arm}: response lift (points)": round(100 * float(row["rate difference"]), 2)
            for arm, row in comparison.iterrows()
        }
    return figures | {"customers per arm for the planned test": int(n_needed)}
