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
    budget: float | None = None,
    simulated: bool | None = None,
    per_segment: pd.DataFrame | None = None,
) -> dict:
    """What notebook 05 records.

    * From :func:`~lifecycle_utils.strategy.targeting.compare_policies` (``policies``): the best targeting
      policy with its incremental profit, ROI, customers contacted, cost (what it spends) and break-even
      uplift factor (None when it saves nothing), the random policy's profit, cost and contacts, and the
      ``budget`` the policies were given.
    * From :func:`~lifecycle_utils.strategy.experiments.compare_arms` (``comparison``): each arm's response
      lift in percentage points with its interval and Holm-adjusted p-value, the significance level
      ``alpha`` the test is read at and its interval level (%), and whether the test is ``simulated``
      (by default: whether ``coverage`` compares it with a known truth).
    * From :func:`~lifecycle_utils.strategy.experiments.incremental_profit` (``profit``, the control
      first): the most profitable arm with its net profit per 1,000 customers (None without revenue) and
      each incentive arm's break-even incentive per conversion, and whether the interval of that arm's
      revenue difference per customer includes zero.
    * From :func:`~lifecycle_utils.strategy.experiments.heterogeneity` (``per_segment``): each arm's
      response difference by segment with its interval, in percentage points.
    * From :func:`~lifecycle_utils.strategy.experiments.truth_vs_estimate` (``coverage``, a simulated
      test only): how many arms' intervals cover the true difference, as ``"k of n"``, and each arm's true
      response lift in percentage points.
    * From :func:`~lifecycle_utils.strategy.experiments.plan_test` (``plan``): the next test's control
      rate (%), lift (points), power (%), alpha and customers per arm.

    A part given as None (an analysis the data could not carry) is left out."""
    figures: dict = {}
    if policies is not None and policies["incremental profit"].notna().any():
        best = policies["incremental profit"].idxmax()
        row = policies.loc[best]
        random = policies.loc["random"] if "random" in policies.index else None
        figures |= {
            "best targeting policy": best,
            "its incremental profit": float(row["incremental profit"]),
            "its ROI": _number(row.get("ROI")),
            "its customers contacted": None if row.get("contacted") is None else int(row["contacted"]),
            "its cost": _number(row.get("cost")),
            "its break-even uplift factor": _number(row.get("break-even uplift factor")),
            "random targeting profit": None if random is None else float(random["incremental profit"]),
        }
        if random is not None:
            figures |= {
                "random targeting cost": _number(random.get("cost")),
                "random targeting contacts": None
                if random.get("contacted") is None
                else int(random["contacted"]),
            }
        if budget is not None:
            figures["targeting budget"] = float(budget)
    if comparison is not None:
        figures |= {
            f"{arm}: response lift (points)": round(100 * float(row["rate difference"]), 2)
            for arm, row in comparison.iterrows()
        }
        figures |= {
            f"{arm}: p-value (Holm)": _number(row["p-value (Holm)"]) for arm, row in comparison.iterrows()
        }
        for arm, row in comparison.iterrows():
            for bound in ("lower", "upper"):
                value = _number(row.get(f"difference {bound}"))
                if value is not None:
                    figures[f"{arm}: response lift {bound} (points)"] = round(100 * value, 2)
        figures["significance level (alpha)"] = float(alpha)
        figures["interval level (%)"] = round(100 * (1 - float(alpha)), 4)
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
        if best_arm is not None and "revenue lower" in others:
            low, high = (
                _number(others.loc[best_arm, "revenue lower"]),
                _number(others.loc[best_arm, "revenue upper"]),
            )
            if low is not None and high is not None:
                figures["its revenue interval includes zero"] = bool(low <= 0 <= high)
        break_even = others["break-even incentive per conversion"].dropna()
        figures |= {f"{arm}: break-even incentive per conversion": float(v) for arm, v in break_even.items()}
    if coverage is not None and "interval covers truth" in coverage:
        covered = coverage["interval covers truth"]
        figures["intervals covering the simulated truth"] = f"{int(covered.sum())} of {len(covered)}"
        figures |= {
            f"{arm}: true response lift (points)": round(100 * float(v), 2)
            for arm, v in coverage["true difference"].items()
            if _number(v) is not None
        }
    if comparison is not None or profit is not None:
        if simulated is None:
            simulated = coverage is not None and "interval covers truth" in coverage
        figures["campaign test simulated"] = bool(simulated)
    if per_segment is not None and len(per_segment) and "risk difference" in per_segment:
        for (segment, arm), row in per_segment.iterrows():
            for column, what in (("risk difference", ""), ("lower", " lower"), ("upper", " upper")):
                value = _number(row.get(column))
                if value is not None:
                    figures[f"{arm} among {segment}: response difference{what} (points)"] = round(
                        100 * value, 2
                    )
    return figures | {
        "planned control rate (%)": round(100 * float(plan["control rate"]), 2),
        "planned lift (points)": round(100 * float(plan["lift"]), 2),
        "planned power (%)": round(100 * float(plan["power"]), 1),
        "planned test alpha": float(plan["alpha"]),
        "customers per arm for the planned test": int(plan["customers per arm"]),
    }
