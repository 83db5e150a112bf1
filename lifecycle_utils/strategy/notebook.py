"""What notebook 05 records: its headline figures, from the targeting comparison and the campaign test."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["headline_figures"]


def _number(value) -> float | None:
    """A finite float, or None (NaN and infinity are not figures a record can state)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def headline_figures(
    policies: pd.DataFrame | None,
    comparison: pd.DataFrame | None,
    *,
    profit: pd.DataFrame | None,
    plan: pd.Series,
    coverage: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> dict:
    """What notebook 05 records.

    * From :func:`~lifecycle_utils.strategy.targeting.compare_policies` (``policies``): the best targeting
      policy with its incremental profit, ROI, customers contacted and break-even uplift factor (None
      when it saves nothing), and the random policy's profit.
    * From :func:`~lifecycle_utils.strategy.experiments.compare_arms` (``comparison``): each arm's response
      lift in percentage points and its Holm-adjusted p-value, with the significance level ``alpha`` the
      test is read at.
    * From :func:`~lifecycle_utils.strategy.experiments.incremental_profit` (``profit``, the control
      first): the most profitable arm with its net profit per 1,000 customers (None without revenue) and
      each incentive arm's break-even incentive per conversion.
    * From :func:`~lifecycle_utils.strategy.experiments.truth_vs_estimate` (``coverage``, a simulated
      test only): how many arms' intervals cover the true difference, as ``"k of n"``.
    * From :func:`~lifecycle_utils.strategy.experiments.plan_test` (``plan``): the next test's control
      rate (%), lift (points), power (%), alpha and customers per arm.

    A part given as None (an analysis the data could not carry) is left out."""
    figures: dict = {}
    if policies is not None and policies["incremental profit"].notna().any():
        best = policies["incremental profit"].idxmax()
        row = policies.loc[best]
        random = float(policies.loc["random", "incremental profit"]) if "random" in policies.index else None
        figures |= {
            "best targeting policy": best,
            "its incremental profit": float(row["incremental profit"]),
            "its ROI": _number(row.get("ROI")),
            "its customers contacted": None if row.get("contacted") is None else int(row["contacted"]),
            "its break-even uplift factor": _number(row.get("break-even uplift factor")),
            "random targeting profit": random,
        }
    if comparison is not None:
        figures |= {
            f"{arm}: response lift (points)": round(100 * float(row["rate difference"]), 2)
            for arm, row in comparison.iterrows()
        }
        figures |= {
            f"{arm}: p-value (Holm)": _number(row["p-value (Holm)"]) for arm, row in comparison.iterrows()
        }
        figures["significance level (alpha)"] = float(alpha)
    if profit is not None:
        others = profit.drop(index=profit.index[0])
        net = others["net incremental profit"].dropna()
        best_arm = net.idxmax() if len(net) else None
        figures |= {
            "most profitable arm": best_arm,
            "its net profit per 1,000 customers": None
            if best_arm is None
            else float(profit.loc[best_arm, "net per 1,000 customers"]),
        }
        break_even = others["break-even incentive per conversion"].dropna()
        figures |= {f"{arm}: break-even incentive per conversion": float(v) for arm, v in break_even.items()}
    if coverage is not None and "interval covers truth" in coverage:
        covered = coverage["interval covers truth"]
        figures["intervals covering the simulated truth"] = f"{int(covered.sum())} of {len(covered)}"
    return figures | {
        "planned control rate (%)": round(100 * float(plan["control rate"]), 2),
        "planned lift (points)": round(100 * float(plan["lift"]), 2),
        "planned power (%)": round(100 * float(plan["power"]), 1),
        "planned test alpha": float(plan["alpha"]),
        "customers per arm for the planned test": int(plan["customers per arm"]),
    }
