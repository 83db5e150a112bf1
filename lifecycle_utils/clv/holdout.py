"""Checking the money predictions against what customers spent: the holdout revenue each model
predicts (expected repeat purchases in the holdout x Gamma-Gamma's expected spend per purchase, fitted on
the calibration period only) against the revenue seen there, in total, by decile of the prediction and
by past frequency, with the lift and Gini of the ranking and a naive baseline beside the models.

Money is in the currency of the data; time in the unit of the split (weeks by default). The holdout
revenue of a customer is ``frequency_holdout x monetary_value_holdout`` (all holdout occasions are
repeats for customers acquired in the calibration period).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from lifecycle_utils._lifetimes import GammaGammaFitter
from lifecycle_utils.clv.fitting import FitResult
from lifecycle_utils.clv.prediction import expected_purchases

__all__ = [
    "BASELINE",
    "holdout_revenue",
    "revenue_check",
    "revenue_by_decile",
    "revenue_by_frequency",
    "gains",
]

BASELINE = "baseline: calibration spend rate"  # each customer's repeat spend per week carried forward


def holdout_revenue(split: pd.DataFrame, fits: dict[str, FitResult], spend: GammaGammaFitter) -> pd.DataFrame:
    """Per customer of a calibration/holdout ``split`` (``summary.calibration_holdout``): ``actual`` holdout
    revenue, one predicted column per cleanly fitted model of ``fits`` (expected repeat purchases over
    the holdout x ``spend``'s conditional expected spend per purchase; ``spend`` must be fitted on the
    calibration period) and :data:`BASELINE` (repeat spend per week in calibration, ``frequency_cal x
    monetary_value_cal / T_cal``, times the holdout length: no model), plus ``frequency_cal``."""
    duration = float(split["duration_holdout"].iloc[0]) if len(split) else 0.0
    f, m = split["frequency_cal"], split["monetary_value_cal"]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_purchase = np.asarray(spend.conditional_expected_average_profit(f, m), float)
    out = pd.DataFrame(index=split.index)
    out["frequency_cal"] = f
    out["actual"] = split["frequency_holdout"] * split["monetary_value_holdout"]
    for name, fit in fits.items():
        if fit.ok:
            e = expected_purchases(fit, duration, frequency=f, recency=split["recency_cal"], T=split["T_cal"])
            out[name] = e * per_purchase
    out[BASELINE] = (f * m / split["T_cal"].clip(lower=1e-9) * duration).fillna(0.0)
    return out


def _predictions(per: pd.DataFrame) -> list[str]:
    return [c for c in per.columns if c not in ("frequency_cal", "actual")]


def gains(actual, predicted) -> tuple[float, float]:
    """(lift of the top decile, Gini) of ranking customers by ``predicted`` against their ``actual``
    revenue: the top 10% by prediction hold ``lift`` x 10% of the revenue, and the Gini is the area
    between the cumulative-revenue curve of that ranking and the diagonal, over the same area for the
    ranking by actual revenue (1: a perfect ranking, 0: no better than random). Ties in ``predicted``
    are ordered by customer position (stable). NaN without revenue."""
    a, p = np.asarray(actual, float), np.asarray(predicted, float)
    total = a.sum()
    if len(a) == 0 or total <= 0:
        return float("nan"), float("nan")

    def area(order: np.ndarray) -> float:  # above the diagonal, whose mean height is (n + 1) / 2n
        return float(np.mean(np.cumsum(a[order]) / total) - (len(a) + 1) / (2 * len(a)))

    by_prediction = np.argsort(-p, kind="stable")
    perfect = np.argsort(-a, kind="stable")
    top = max(1, int(round(0.1 * len(a))))
    lift = float(a[by_prediction[:top]].sum() / total / (top / len(a)))
    best = area(perfect)
    return lift, (area(by_prediction) / best if best > 0 else float("nan"))


def revenue_check(per: pd.DataFrame) -> pd.DataFrame:
    """Each prediction of :func:`holdout_revenue` against the holdout revenue: ``predicted total``,
    ``actual total``, ``total error (%)``, per-customer ``MAE``, ``top-decile lift`` and ``Gini`` of the
    ranking (:func:`gains`), one row per model and the baseline."""
    actual = per["actual"].to_numpy(float)
    rows = []
    for name in _predictions(per):
        p = per[name].to_numpy(float)
        lift, gini = gains(actual, p)
        rows.append(
            {
                "model": name,
                "predicted total": round(float(np.nansum(p)), 0),
                "actual total": round(float(actual.sum()), 0),
                "total error (%)": round(100 * (np.nansum(p) - actual.sum()) / actual.sum(), 1)
                if actual.sum() > 0
                else np.nan,
                "MAE": round(float(np.nanmean(np.abs(p - actual))), 2),
                "top-decile lift": round(lift, 2),
                "Gini": round(gini, 3),
            }
        )
    return pd.DataFrame(rows).set_index("model")


def revenue_by_decile(per: pd.DataFrame, model: str, deciles: int = 10) -> pd.DataFrame:
    """Customers in ``deciles`` groups of ``model``'s predicted holdout revenue (1 = lowest; ties kept
    together in order of position), with mean predicted and mean actual revenue per customer, their
    ratio (``actual / predicted``) and the decile's share of all actual revenue (%)."""
    p = per[model].to_numpy(float)
    order = np.argsort(p, kind="stable")
    group = np.empty(len(p), int)
    group[order] = np.arange(len(p)) * deciles // max(len(p), 1) + 1
    frame = pd.DataFrame({"decile": group, "predicted": p, "actual": per["actual"].to_numpy(float)})
    out = frame.groupby("decile").agg(
        customers=("actual", "size"), predicted=("predicted", "mean"), actual=("actual", "mean")
    )
    total = frame["actual"].sum()
    out["actual / predicted"] = (out["actual"] / out["predicted"].replace(0, np.nan)).round(2)
    out["share of actual revenue (%)"] = (100 * frame.groupby("decile")["actual"].sum() / total).round(1)
    out[["predicted", "actual"]] = out[["predicted", "actual"]].round(2)
    return out.rename(columns={"predicted": "mean predicted", "actual": "mean actual"})


def revenue_by_frequency(per: pd.DataFrame, cap: int = 7) -> pd.DataFrame:
    """Mean holdout revenue per customer by repeat purchases in calibration (0 .. ``cap`` or more):
    actual, and each prediction of :func:`holdout_revenue`, with the customers in each group."""
    group = per["frequency_cal"].clip(upper=cap).astype(int)
    columns = ["actual", *_predictions(per)]
    out = per[columns].groupby(group).mean().round(2)
    out.insert(0, "customers", per.groupby(group).size())
    out.index = [f"{k}+" if k == cap else str(k) for k in out.index]
    out.index.name = "repeat purchases in calibration"
    return out
