"""Churn from a transaction log: the churn table, purchase gaps, early-warning probabilities and the
sensitivity of the results to the churn threshold.

**What "event time" means here.** A customer *churns* at the first inactivity gap of at least
``churn_days`` days (the churn threshold of notebook 01). The event time is the customer's **active
life**: days from the first purchase occasion to the last occasion before that gap. Churn is only
*known* ``churn_days`` after that last purchase, so a customer is observable for churn up to
``observation_end - churn_days``: every customer is right-censored there, at
``censor = observation_end - churn_days - first_purchase`` (days), when no such gap has started by then.

* event (``churned = 1``): the gap started on or before the censoring date; ``duration`` = active life;
* censored (``churned = 0``): ``duration = censor``; a customer whose current gap is still shorter
  than the threshold at the observation end is censored, never counted as churned.

Censoring is then purely administrative (a fixed date minus the acquisition date), which is what
Kaplan-Meier and Cox need to be unbiased; censoring at the last purchase instead would keep customers
at risk at times when their churn could not have been seen yet and overstate survival. Customers first
seen after ``observation_end - churn_days`` cannot be evaluated and are left out. Time to *declared*
churn is ``duration + churn_days``. Only the first churn counts; a later return (回流) is not undone.

Covariates measured in the first ``landmark_days`` (30) after the first purchase are fixed before any
churn can be *declared* (``churn_days`` > ``landmark_days`` is required), so they do not look into the
outcome. They are not free of immortal time on this time scale, though: a customer with a repeat within
30 days cannot have an active life of 0 days, where most churn falls. Their association with churn is
estimated without it by :func:`lifecycle_utils.survival.notebook.landmark` (lives beyond day 30, time
counted from there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifecycle_utils._messages import with_notes
from lifecycle_utils.estimators import (
    kaplan_meier,
    km_step,
    median_survival,
    survival_at,
)
from lifecycle_utils.measures import auc, brier
from lifecycle_utils.summary import customer_summary, end_of_observation, occasion_sequence

NEEDS_TRANSACTIONS = pd.DataFrame({"note": ["needs transactions: not available for a duration table"]})

__all__ = [
    "NEEDS_TRANSACTIONS",
    "churn_table",
    "gap_table",
    "occasion_band",
    "early_warning",
    "MIN_BACKTEST_CUSTOMERS",
    "calibration_by_decile",
    "BACKTEST_REPLICATES",
    "backtest_warning",
    "threshold_sensitivity",
]


# ------------------------------------------------------------------------------------ churn table
def churn_table(
    tx: pd.DataFrame, churn_days: int, *, observation_end=None, landmark_days: int = 30
) -> pd.DataFrame:
    """One row per evaluable customer (index ``customer_id``): ``duration`` (days, see the module
    docstring), ``churned`` (1 = event, 0 = censored), ``entry`` (0: observed from acquisition),
    and early-behaviour covariates from the first ``landmark_days`` days:

    ``first_spend`` (spend of the first occasion), ``first_basket`` (units bought on the first
    occasion, NaN without a quantity column), ``early_repeat`` (a second occasion within
    ``landmark_days``), plus ``first_purchase``, ``last_purchase``, ``occasions``, ``total_spend``
    ``tenure`` (days from first purchase to the observation end) and ``days_since_last`` (silence at the
    observation end). Column names follow :func:`lifecycle_utils.summary.customer_summary`.
    """
    if landmark_days >= churn_days:
        raise ValueError(
            f"landmark_days ({landmark_days}) must be shorter than churn_days ({churn_days}), "
            "or early-behaviour covariates would look into the outcome"
        )
    occ = occasion_sequence(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end].copy()
    occ["next"] = occ["next"].where(occ["next"] <= end)  # an occasion after the end is not seen
    gap_to_next = (occ["next"].fillna(end) - occ["date"]).dt.days
    starts_churn = gap_to_next >= churn_days
    first = occ.groupby("customer_id", sort=False)["date"].transform("min")
    churn_start = occ["date"].where(starts_churn).groupby(occ["customer_id"], sort=False).min()
    columns = ["first_purchase", "last_purchase", "occasions", "total_spend", "first_spend"]
    per = customer_summary(tx, end, period="D")[columns]
    censor_date = end - pd.Timedelta(days=churn_days)
    churned = churn_start.reindex(per.index).le(censor_date)
    active_end = churn_start.reindex(per.index).where(churned, censor_date)
    table = pd.DataFrame(index=per.index)
    table["duration"] = (active_end - per["first_purchase"]).dt.days.astype(float)
    table["churned"] = churned.astype(int)
    table["entry"] = 0.0

    first_occ = occ[occ["k"] == 1]
    if "quantity" in tx.columns:
        day = tx.assign(date=tx["date"].dt.normalize())
        firsts = day.merge(first_occ[["customer_id", "date"]], on=["customer_id", "date"])
        table["first_basket"] = firsts.groupby("customer_id")["quantity"].sum().reindex(per.index)
    else:
        table["first_basket"] = np.nan
    second = occ[(occ["date"] > first)].groupby("customer_id")["date"].min().reindex(per.index)
    table["early_repeat"] = ((second - per["first_purchase"]).dt.days <= landmark_days).fillna(False)
    table = table.join(per)
    table["tenure"] = (end - table["first_purchase"]).dt.days
    table["days_since_last"] = (end - table["last_purchase"]).dt.days
    return table[table["first_purchase"] <= censor_date]


# --------------------------------------------------------------------------- gaps and early warning
def gap_table(tx: pd.DataFrame, observation_end=None) -> pd.DataFrame:
    """Every inter-purchase gap as a survival record: for each purchase occasion, ``duration`` = days
    to the customer's next occasion (``event`` 1) or to the observation end (censored, 0), with
    ``occasion`` (1 = first purchase, so occasion 1 rows are the time to the second purchase) and
    ``customer_id``. Gaps of one customer are not independent: point estimates are fine, standard
    errors are somewhat too narrow."""
    occ = occasion_sequence(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end]
    nxt = occ["next"].where(occ["next"] <= end)  # an occasion after the end is not seen
    return pd.DataFrame(
        {
            "customer_id": occ["customer_id"].to_numpy(),
            "occasion": occ["k"].to_numpy(),
            "duration": (nxt.fillna(end) - occ["date"]).dt.days.to_numpy(float),
            "churned": nxt.notna().astype(int).to_numpy(),  # here: "event" = next purchase happened
            "entry": 0.0,
        }
    )


def occasion_band(occasions_so_far: pd.Series, edges=(1, 2, 4)) -> pd.Series:
    """Bands of purchase occasions so far: ``"1"``, ``"2-3"``, ``"4+"`` with the default edges."""
    labels = []
    for lo, hi in zip(edges, list(edges[1:]) + [None]):
        labels.append(f"{lo}+" if hi is None else (str(lo) if hi - lo == 1 else f"{lo}-{hi - 1}"))
    bins = list(edges) + [np.inf]
    return pd.cut(
        occasions_so_far, bins=[b - 0.5 for b in bins[:-1]] + [np.inf], labels=labels, right=False
    ).astype(str)


def early_warning(
    tx: pd.DataFrame,
    churn_days: int,
    *,
    horizon_days: int = 90,
    observation_end=None,
    top: int | None = None,
    future_value: pd.Series | None = None,
) -> pd.DataFrame:
    """Churn early warning (流失预警) for customers not churned at the observation end.

    A customer silent for ``g`` days churns within the next ``horizon_days`` exactly when the silence
    reaches ``churn_days`` in that window without a purchase: probability
    ``S(churn_days) / S(g)`` if ``g + horizon_days >= churn_days``, else 0, where ``S`` is the
    Kaplan-Meier survival of the time to the next purchase among customers with the same number of
    occasions (bands 1, 2-3, 4+) — the conditional probability given how long the silence has lasted.
    Also ``P(no purchase in horizon)`` = ``S(g + horizon) / S(g)``. Ranked by ``value at risk`` =
    churn probability x ``future_value`` when it is given (each customer's predicted future value, e.g.
    ``clv.predicted_value``, indexed by customer id; shown as ``predicted value``; a customer it does not
    cover counts 0), else churn probability x annual spend (spend per year of tenure; past spend, not a
    forecast). Currency of the data.
    """
    gaps = gap_table(tx, observation_end)
    gaps["band"] = occasion_band(gaps["occasion"])
    curves = {band: kaplan_meier(part["duration"], part["churned"]) for band, part in gaps.groupby("band")}
    end = end_of_observation(tx["date"], observation_end)
    per = customer_summary(tx, end, period="D").rename(
        columns={"first_purchase": "first", "last_purchase": "last", "total_spend": "spend"}
    )
    per["silence"] = (end - per["last"]).dt.days
    per = per[per["silence"] < churn_days].copy()
    per["band"] = occasion_band(per["occasions"])
    per["tenure"] = (end - per["first"]).dt.days
    p_churn = np.zeros(len(per))
    p_quiet = np.zeros(len(per))
    for band, km in curves.items():
        m = (per["band"] == band).to_numpy()
        g = per.loc[m, "silence"].to_numpy(float)
        s_g = km_step(km, g)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_churn[m] = np.where(
                g + horizon_days >= churn_days, km_step(km, np.full_like(g, churn_days)) / s_g, 0.0
            )
            p_quiet[m] = km_step(km, g + horizon_days) / s_g
    per["P(churn in horizon)"] = np.nan_to_num(p_churn, nan=1.0).round(3)
    per["P(no purchase in horizon)"] = np.nan_to_num(p_quiet, nan=1.0).round(3)
    per["annual spend"] = (per["spend"] / np.maximum(per["tenure"], 1) * 365.25).round(2)
    columns = ["occasions", "tenure", "silence", "spend", "annual spend"]
    if future_value is None:
        per["value at risk"] = (per["P(churn in horizon)"] * per["annual spend"]).round(2)
    else:
        per["predicted value"] = future_value.reindex(per.index).fillna(0.0).round(2)
        per["value at risk"] = (per["P(churn in horizon)"] * per["predicted value"]).round(2)
        columns.append("predicted value")
    columns += ["P(no purchase in horizon)", "P(churn in horizon)", "value at risk"]
    out = per[columns].rename(columns={"silence": "days silent", "tenure": "tenure (days)"})
    out = out.sort_values(["value at risk", "P(churn in horizon)"], ascending=False, kind="stable")
    return out.head(top) if top else out


# ------------------------------------------------------------------------ backtest of the early warning
MIN_BACKTEST_CUSTOMERS = 30  # fewer scored customers than this: a note instead of scores


def calibration_by_decile(observed, predicted, bins: int = 10) -> pd.DataFrame:
    """Calibration table: customers sorted by predicted probability (ties in their given order) and cut
    into ``bins`` groups of equal size (deciles by default; fewer with fewer customers), each with its
    ``customers``, ``mean predicted``, ``observed share`` and ``gap`` (observed minus predicted), all
    shares between 0 and 1. Index ``decile`` (1 = lowest predicted)."""
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(observed, dtype=float)
    columns = ["customers", "mean predicted", "observed share", "gap"]
    if not len(p):
        return pd.DataFrame(columns=columns).rename_axis("decile")
    order = np.argsort(p, kind="stable")
    group = np.empty(len(p), dtype=int)
    group[order] = np.arange(len(p)) * min(bins, len(p)) // len(p) + 1
    frame = pd.DataFrame({"decile": group, "p": p, "y": y})
    table = frame.groupby("decile").agg(
        customers=("p", "size"), **{"mean predicted": ("p", "mean"), "observed share": ("y", "mean")}
    )
    table["gap"] = table["observed share"] - table["mean predicted"]
    return table.round({"mean predicted": 3, "observed share": 3, "gap": 3})


BACKTEST_REPLICATES = 500  # bootstrap resamples of the Brier gain's interval


def _brier_gain(y: np.ndarray, p: np.ndarray, *, replicates: int, seed: int) -> dict:
    """Brier of the constant (the share given to everyone) minus the Brier of ``p``, with a percentile
    95% interval over bootstrap resamples of the customers (NaN without customers)."""
    nan = {"Brier gain": float("nan"), "Brier gain lower": float("nan"), "Brier gain upper": float("nan")}
    if len(y) == 0:
        return nan

    def gain(yy: np.ndarray, pp: np.ndarray) -> float:
        share = float(yy.mean())
        return share * (1 - share) - float(np.mean((pp - yy) ** 2))

    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(replicates):  # one resample at a time: memory stays at one copy of the customers
        idx = rng.integers(0, len(y), len(y))
        draws.append(gain(y[idx], p[idx]))
    lower, upper = np.quantile(draws, [0.025, 0.975]) if draws else (np.nan, np.nan)
    return {
        "Brier gain": round(gain(y, p), 4),
        "Brier gain lower": round(float(lower), 4),
        "Brier gain upper": round(float(upper), 4),
    }


def backtest_warning(
    tx: pd.DataFrame | None,
    churn_days: int | None,
    *,
    horizon_days: int = 90,
    cutoff=None,
    observation_end=None,
    bins: int = 10,
    replicates: int = BACKTEST_REPLICATES,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Would the early-warning probabilities have been right? A backtest at an earlier ``cutoff``
    (default: the observation end minus ``horizon_days``, so the whole horizon after it is observed).

    **Prediction** (no look-ahead): :func:`early_warning` recomputed with only the purchases up to the
    cutoff (``observation_end=cutoff``): each customer not churned at the cutoff (silence ``g`` <
    ``churn_days`` days) gets ``P(churn in horizon)``. Scored are the customers the list can hold:
    probability above 0, i.e. ``g + horizon_days >= churn_days`` (the others cannot churn within the
    horizon by definition and would be right trivially).

    **Outcome** (the churn definition of :func:`churn_table`: a gap of at least ``churn_days``): a scored
    customer *churned within the horizon* when the silence reaches ``churn_days`` on or before
    ``cutoff + horizon_days`` with no purchase in between, i.e. no purchase after the cutoff and strictly
    before ``last purchase + churn_days``. A customer who buys within the horizon (before that day) did
    not churn. (The probability uses ``S(churn_days) / S(g)`` with the right-continuous Kaplan-Meier
    curve, i.e. a gap longer than ``churn_days``: one day apart from this outcome.)

    Returns ``(calibration, scores)``: :func:`calibration_by_decile` of the scored customers, and one row
    with the ``cutoff``, ``horizon (days)``, ``customers`` scored, ``churned`` (count), ``mean predicted``
    and ``observed share`` (0-1), ``AUC`` and ``Brier`` (:mod:`~lifecycle_utils.measures`) and ``Brier of a
    constant`` (the observed share given to everyone: ``share x (1 - share)``, an in-sample constant that
    knows the base rate, so it is a demanding baseline), ``largest decile gap`` (absolute, 0-1); a naive
    baseline, ``AUC of days silent`` (ranking by the silence at the cutoff alone); and the gain over the
    constant, ``Brier gain`` = Brier of a constant - Brier, with a 95% interval ``Brier gain lower`` /
    ``upper`` from ``replicates`` bootstrap resamples of the scored customers (``seed``; the constant
    is re-estimated in each). Thin data
    (no transactions, a cutoff before the data or leaving fewer than :data:`MIN_BACKTEST_CUSTOMERS`
    scored customers, or only one outcome) gives a ``note`` column; scores that cannot be computed are
    NaN."""
    if tx is None:
        return NEEDS_TRANSACTIONS.copy(), NEEDS_TRANSACTIONS.copy()
    end = end_of_observation(tx["date"], observation_end)
    cut = pd.Timestamp(cutoff) if cutoff is not None else end - pd.Timedelta(days=horizon_days)
    row: dict = {"cutoff": cut.date().isoformat(), "horizon (days)": int(horizon_days)}
    before = tx[tx["date"] <= cut]
    notes = []
    if cut + pd.Timedelta(days=horizon_days) > end:
        notes.append(f"the horizon after the cutoff runs past the end of the data ({end.date()})")
    if before.empty or churn_days is None:
        notes.append("no purchase up to the cutoff: nothing to backtest")
        scored = pd.DataFrame({"p": [], "y": [], "silence": []})
    else:
        warn = early_warning(before, churn_days, horizon_days=horizon_days, observation_end=cut)
        warn = warn[warn["P(churn in horizon)"] > 0]
        last = cut - pd.to_timedelta(warn["days silent"], unit="D")
        churn_day = (last + pd.Timedelta(days=churn_days)).rename("churn_day")
        after = tx[(tx["date"] > cut) & tx["customer_id"].isin(warn.index)]
        after = after.join(churn_day, on="customer_id")
        bought = after.loc[after["date"].dt.normalize() < after["churn_day"], "customer_id"].unique()
        reached = churn_day <= cut + pd.Timedelta(days=horizon_days)
        scored = pd.DataFrame(
            {
                "p": warn["P(churn in horizon)"].to_numpy(float),
                "y": (reached & ~warn.index.isin(bought)),
                "silence": warn["days silent"].to_numpy(float),
            }
        )
    y, p = scored["y"].to_numpy(float), scored["p"].to_numpy(float)
    share = float(y.mean()) if len(y) else float("nan")
    calibration = calibration_by_decile(y, p, bins=bins)
    row |= {
        "customers": len(scored),
        "churned": int(y.sum()),
        "mean predicted": round(float(p.mean()), 3) if len(p) else float("nan"),
        "observed share": round(share, 3),
        "AUC": round(auc(y, p), 3),
        "Brier": round(brier(y, p), 3),
        "Brier of a constant": round(share * (1 - share), 3),
        "largest decile gap": round(float(calibration["gap"].abs().max()), 3)
        if len(calibration)
        else float("nan"),
        "AUC of days silent": round(auc(y, scored["silence"].to_numpy(float)), 3),
        **_brier_gain(y, p, replicates=replicates, seed=seed),
    }
    if 0 < len(scored) < MIN_BACKTEST_CUSTOMERS:
        notes.append(f"only {len(scored)} customers to score (fewer than {MIN_BACKTEST_CUSTOMERS})")
    elif len(scored) == 0 and not notes:
        notes.append("no customer could churn within the horizon at the cutoff: nothing to score")
    if len(scored) and (y.sum() == 0 or y.sum() == len(y)):
        notes.append("only one outcome observed (all or none churned): no AUC")
    scores = with_notes(pd.DataFrame([row]), ["; ".join(notes)]).set_index("cutoff")
    return calibration, scores


# ---------------------------------------------------------------------------- threshold sensitivity
def threshold_sensitivity(
    tx: pd.DataFrame, thresholds, *, observation_end=None, horizons=(90, 365)
) -> pd.DataFrame:
    """How the churn analysis moves with the churn threshold: per ``churn_days``, the evaluable
    customers, churned share (%), survival (%) of the active life at the horizons (days) and the
    median (days); a ``note`` column where a threshold leaves thin data. Without transactions (a
    ready-made duration table) there is no threshold to move: a one-row note."""
    if tx is None:
        return NEEDS_TRANSACTIONS.copy()
    if not len(thresholds):
        return pd.DataFrame({"note": ["no churn thresholds given: nothing to compare"]})
    rows, notes = [], []
    for c in thresholds:
        table = churn_table(
            tx, int(c), observation_end=observation_end, landmark_days=0
        )  # no covariates needed here
        km = kaplan_meier(table["duration"], table["churned"])
        at = survival_at(km, horizons, follow_up=float(table["duration"].max()))
        med = median_survival(table["duration"], table["churned"])
        row = {
            "churn_days": int(c),
            "customers": len(table),
            "churned (%)": round(100 * table["churned"].mean(), 1) if len(table) else np.nan,
        }
        row |= {
            f"S({h}) %": (round(100 * s, 1) if not np.isnan(s) else np.nan)
            for h, s in zip(at["days"], at["survival"])
        }
        row["median active life (days)"] = med["median"]
        rows.append(row)
        notes.append(km.attrs["note"])
    return with_notes(pd.DataFrame(rows), notes).set_index("churn_days")
