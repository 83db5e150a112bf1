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


def _count(value) -> int | None:
    """A whole number, or None for a missing one."""
    number = _number(value)
    return None if number is None else int(number)


def headline_figures(
    policies: pd.DataFrame | None,
    comparison: pd.DataFrame | None,
    *,
    profit: pd.DataFrame | None,
    design: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
    alpha: float = 0.05,
    budget: float | None = None,
    simulated: bool | None = None,
    per_segment: pd.DataFrame | None = None,
) -> dict:
    """What notebook 05 records.

    * From :func:`~lifecycle_utils.strategy.targeting.compare_policies` (``policies``): the lists whose
      paired interval of profit minus the best's includes 0 (``lists indistinguishable from the best``),
      the list with the lowest break-even uplift (``lowest break-even policy``: from the data alone, no
      measured uplift needed) and random targeting's; the contact list
      with the highest profit scored on the measured uplift (``best targeting policy``; when the lists
      were not scored, the first list, with a profit of None), its profit with its interval and share of
      resamples with a loss, customers contacted, cost and break-even uplift, the arm whose measured
      uplift scored the lists (``targeting scored on``), the random list's profit, cost and contacts,
      and the ``budget``.
    * From :func:`~lifecycle_utils.strategy.experiments.compare_arms` (``comparison``): each arm's response
      lift in percentage points with its interval and Holm-adjusted p-value, the significance level
      ``alpha`` the test is read at and its interval level (%), and whether the test is ``simulated``
      (by default: whether ``coverage`` compares it with a known truth).
    * From :func:`~lifecycle_utils.strategy.experiments.incremental_profit` (``profit``, the control
      first): the arm with the highest net profit per 1,000 customers, with its bootstrap interval and
      share of resamples with a loss (the same for every arm, under the arm's name), each incentive
      arm's break-even incentive per conversion, and whether the interval of the best arm's revenue
      difference per customer includes zero.
    * From :func:`~lifecycle_utils.strategy.experiments.heterogeneity` (``per_segment``): each arm's
      response difference by segment with its interval, in percentage points.
    * From :func:`~lifecycle_utils.strategy.experiments.truth_vs_estimate` (``coverage``, a simulated
      test only): how many arms' intervals cover the true difference, as ``"k of n"``, and each arm's true
      response lift in percentage points.
    * From :func:`~lifecycle_utils.strategy.experiments.plan_design` (``design``): the next test's control
      rate (%), lift (points), power (%), alpha and comparisons; customers per arm for the response and
      for the profit (each for one comparison and for the design's comparisons); and the size the test
      needs (``customers per arm for the planned test``: the profit's for the design's comparisons when
      it can be sized, else the response's; ``planned test sized on`` says which).

    A part given as None (an analysis the data could not carry) is left out."""
    figures: dict = {}
    if policies is not None and len(policies):
        scored = "incremental profit" in policies and policies["incremental profit"].notna().any()
        best = policies["incremental profit"].idxmax() if scored else policies.index[0]
        row = policies.loc[best]
        figures |= {
            "best targeting policy": best,
            "its incremental profit": _number(row.get("incremental profit")),
            "its profit lower": _number(row.get("profit lower")),
            "its profit upper": _number(row.get("profit upper")),
            "its profit loss share": _number(row.get("loss share")),
            "its customers contacted": _count(row.get("contacted")),
            "its cost": _number(row.get("cost")),
            "its break-even uplift": _number(row.get("break-even uplift")),
            "targeting scored on": policies.attrs.get("scored on"),
        }
        if "vs best lower" in policies:
            close = policies[(policies["vs best lower"] <= 0) & (policies["vs best upper"] >= 0)]
            figures["lists indistinguishable from the best"] = ", ".join(str(p) for p in close.index)
        even = pd.Series(math.nan, index=policies.index)
        if {"break-even uplift", "contacted"} <= set(policies.columns):
            even = policies["break-even uplift"].where(policies["contacted"] > 0).replace(math.inf, math.nan)
        if even.notna().any():
            figures |= {
                "lowest break-even policy": even.idxmin(),
                "its lowest break-even uplift": _number(even.min()),
            }
        if "random" in policies.index:
            random = policies.loc["random"]
            figures |= {
                "random break-even uplift": _number(random.get("break-even uplift")),
                "random targeting profit": _number(random.get("incremental profit")),
                "random targeting cost": _number(random.get("cost")),
                "random targeting contacts": _count(random.get("contacted")),
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
        for arm, row in others.iterrows():
            for column, key in (
                ("net per 1,000 customers", "net profit per 1,000 customers"),
                ("net per 1,000 lower", "net profit per 1,000 lower"),
                ("net per 1,000 upper", "net profit per 1,000 upper"),
                ("loss share", "loss share"),
            ):
                value = _number(row.get(column))
                if value is not None:
                    figures[f"{arm}: {key}"] = value
        if best_arm is not None:
            for column, key in (
                ("net per 1,000 lower", "its net profit per 1,000 lower"),
                ("net per 1,000 upper", "its net profit per 1,000 upper"),
                ("loss share", "its net profit loss share"),
            ):
                figures[key] = _number(others.loc[best_arm].get(column))
            if "revenue lower" in others:
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
    return figures | _design_figures(design)


def _design_figures(design: pd.DataFrame) -> dict:
    """The planned test's figures from :func:`~lifecycle_utils.strategy.experiments.plan_design`."""
    k = int(design["comparisons"].max())
    sizes = {
        (row["metric"], int(row["comparisons"])): _number(row["customers per arm"])
        for _, row in design.iterrows()
    }
    figures = {
        "planned control rate (%)": round(100 * float(design.attrs["control rate"]), 2),
        "planned lift (points)": round(100 * float(design.attrs["lift"]), 2),
        "planned power (%)": round(100 * float(design.attrs["power"]), 1),
        "planned test alpha": float(design.attrs["alpha"]),
        "planned comparisons": k,
    }
    for (metric, m), n in sizes.items():
        figures[f"customers per arm: {metric}, {m} comparison{'s' if m > 1 else ''}"] = (
            None if n is None else int(n)
        )
    profit, response = sizes.get(("profit", k)), sizes.get(("response", k))
    figures["customers per arm for the response"] = None if response is None else int(response)
    figures["planned test sized on"] = "profit" if profit is not None else "response"
    figures["customers per arm for the planned test"] = int(profit if profit is not None else response)
    return figures
