"""What the fitted transaction models predict, and how well: P(alive), expected purchases, the
holdout comparison against a naive baseline (with a paired customer bootstrap of the differences in
error), conditional expectations by past frequency, cumulative tracking, and the model to trust
(:func:`best_model`, :func:`trust_check`).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from lifecycle_utils.clv.fitting import FALLBACKS, MODELS, NBD, FitResult, fit_model
from lifecycle_utils.summary import occasions

__all__ = [
    "DEFAULT_MODEL",
    "model_to_use",
    "probability_alive",
    "expected_purchases",
    "expected_purchases_path",
    "conditional_expectations",
    "percent_errors",
    "HOLDOUT_BOOTSTRAP_REPS",
    "paired_mae_bootstrap",
    "holdout_comparison",
    "tracking",
    "tracking_totals",
    "peak_weeks",
    "alive_path",
    "probability_alive_matrix",
    "alive_corners",
    "period_transactions",
    "ALL_CUSTOMERS",
    "expected_purchases_matrix",
    "interval_columns",
    "indistinguishable",
    "best_model",
    "trust_check",
    "alive",
    "NO_DROPOUT_PCT",
    "implied_dropout",
    "sees_no_dropout",
    "no_dropout",
    "fallback_fits",
]


# ------------------------------------------------------------------------------------ predictions
def probability_alive(fit: FitResult, frequency, recency, T) -> np.ndarray:
    """P(alive at T) per customer; where lifetimes' Pareto/NBD gives NaN because recency equals T
    (scipy >= 1.16), the exact value 1 (a purchase at T means alive at T)."""
    f, r, t = (np.asarray(a, float) for a in (frequency, recency, T))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p = np.asarray(fit.model.conditional_probability_alive(f, r, t), float)
    p = np.where(np.isnan(p) & np.isclose(r, t), 1.0, p)
    return p


def expected_purchases(fit: FitResult, t: float, *, frequency, recency, T) -> np.ndarray:
    """Expected repeat purchases in the next ``t`` periods, given each customer's history.

    Pareto/NBD: lifetimes returns NaN where its P(alive) is NaN (recency equal to T at high frequency,
    scipy >= 1.16: on CDNOW the customer with 170 repeat purchases, the largest expected value of all);
    there the closed form is used, P(alive) x (r + x)(beta + T) / ((alpha + T)(s - 1)) x
    (1 - ((beta + T) / (beta + T + t))^(s - 1)) (Fader, Hardie and Lee 2005, eq. 22), with P(alive) from
    :func:`probability_alive`."""
    f, r, big_t = (np.asarray(a, float) for a in (frequency, recency, T))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        e = np.asarray(fit.model.conditional_expected_number_of_purchases_up_to_time(t, f, r, big_t), float)
        gap = np.isnan(e)
        if fit.name == "Pareto/NBD" and gap.any():
            rr, alpha, s, beta = (float(fit.params[k]) for k in ("r", "alpha", "s", "beta"))
            x, tt = f[gap], big_t[gap]
            rate = (rr + x) * (beta + tt) / ((alpha + tt) * (s - 1))
            share = 1 - ((beta + tt) / (beta + tt + t)) ** (s - 1)
            e[gap] = probability_alive(fit, x, r[gap], tt) * rate * share
    return e


def expected_purchases_path(fit: FitResult, times, *, frequency, recency, T) -> np.ndarray:
    """Expected repeat purchases by each of ``times`` (ascending, in periods from now), given each
    customer's history: an array of customers x times, equal to :func:`expected_purchases` at each
    time. Pareto/NBD takes one P(alive) per customer and the closed form of Fader, Hardie and Lee (2005,
    eq. 22) for every time at once (the hypergeometric function is evaluated once, not once per time);
    the other models call :func:`expected_purchases` per time."""
    times = np.asarray(times, float)
    f, r, big_t = (np.asarray(a, float) for a in (frequency, recency, T))
    if fit.name == "Pareto/NBD":
        rr, alpha, s, beta = (float(fit.params[k]) for k in ("r", "alpha", "s", "beta"))
        with np.errstate(all="ignore"):
            rate = (
                probability_alive(fit, f, r, big_t) * (rr + f) * (beta + big_t) / ((alpha + big_t) * (s - 1))
            )
            share = 1 - ((beta + big_t)[:, None] / (beta + big_t[:, None] + times[None, :])) ** (s - 1)
        return rate[:, None] * share
    return np.column_stack(
        [expected_purchases(fit, float(t), frequency=f, recency=r, T=big_t) for t in times]
    ).reshape(len(f), len(times))


def conditional_expectations(split: pd.DataFrame, fits: dict[str, FitResult], cap: int = 7) -> pd.DataFrame:
    """The published validation table: customers grouped by calibration frequency (0 .. ``cap`` or more),
    the actual mean holdout purchases and each model's expected mean."""
    group = split["frequency_cal"].clip(upper=cap).astype(int)
    out = pd.DataFrame({"customers": group.value_counts().sort_index()})
    out["actual"] = split["frequency_holdout"].groupby(group).mean()
    duration = float(split["duration_holdout"].iloc[0])
    for name, fit in fits.items():
        if not fit.ok:  # a boundary fit predicts nothing worth showing
            continue
        e = expected_purchases(
            fit, duration, frequency=split["frequency_cal"], recency=split["recency_cal"], T=split["T_cal"]
        )
        out[name] = pd.Series(e, index=split.index).groupby(group).mean()
    out.index = [f"{k}+" if k == cap else str(k) for k in out.index]
    out.index.name = "repeat purchases in calibration"
    return out


def percent_errors(table: pd.DataFrame, actual: str = "actual") -> pd.DataFrame:
    """Each prediction column of a table of group means (:func:`conditional_expectations`,
    ``clv.revenue_by_frequency``) against its ``actual`` column: ``100 x (predicted - actual) / actual``
    per group (NaN where the actual mean is 0), one column per prediction, rounded to 0.1."""
    predictions = [c for c in table.columns if c not in ("customers", actual)]
    base = table[actual].astype(float).replace(0, np.nan)
    out = pd.DataFrame(
        {f"{c} vs actual (%)": (100 * (table[c].astype(float) - base) / base).round(1) for c in predictions},
        index=table.index,
    )
    return out


HOLDOUT_BOOTSTRAP_REPS = 1000  # resamples of customers for the intervals of the differences in MAE


def paired_mae_bootstrap(
    errors: dict[str, np.ndarray],
    *,
    reference: str,
    reps: int = HOLDOUT_BOOTSTRAP_REPS,
    seed: int = 0,
    level=0.90,
) -> pd.DataFrame:
    """The difference in mean absolute error between each forecast and ``reference``, with its paired
    bootstrap interval: customers are resampled with replacement (``reps`` times, seeded), and every
    forecast's absolute errors (``errors``: forecast -> per-customer absolute errors, the same customers
    in the same order) are averaged over the same resample, so what the customers have in common cancels.
    Returns ``MAE minus lowest`` (forecast minus reference, positive: the forecast errs more) and the
    equal-tailed ``level`` percentile interval (columns ``"90% low"``, ``"90% high"`` at level 0.90),
    one row per forecast (the reference: 0 and 0 to 0)."""
    names = list(errors)
    base = np.asarray(errors[reference], float)
    diffs = np.vstack([np.asarray(errors[m], float) - base for m in names])
    n = diffs.shape[1]
    rng = np.random.default_rng(seed)
    draws = []
    for start in range(0, reps, 100):  # chunks bound the memory: 100 resamples x customers at a time
        size = min(100, reps - start)
        idx = rng.integers(0, n, size=(size, n))
        draws.append(diffs[:, idx].mean(axis=2))
    draws = np.hstack(draws) if draws else np.empty((len(names), 0))
    tail = (1 - level) / 2
    low, high = (np.quantile(draws, q, axis=1) for q in (tail, 1 - tail)) if reps else (np.nan, np.nan)
    label = f"{100 * level:g}%"
    return pd.DataFrame(
        {"MAE minus lowest": diffs.mean(axis=1), f"{label} low": low, f"{label} high": high},
        index=pd.Index(names, name="model"),
    )


def holdout_comparison(
    split: pd.DataFrame,
    fits: dict[str, FitResult],
    *,
    reps: int = HOLDOUT_BOOTSTRAP_REPS,
    seed: int = 0,
    level: float = 0.90,
) -> pd.DataFrame:
    """Models against naive baselines on the holdout: total predicted repeat purchases vs actual
    (error in %), per-customer MAE and RMSE, and correlation with the actual counts. Baselines:
    *calibration rate* (each customer's repeat rate carried forward, frequency/T x holdout length) and
    *average* (every customer gets the mean). Then each row's MAE minus the lowest MAE of the models
    that fitted cleanly, with its paired bootstrap interval (:func:`paired_mae_bootstrap`, ``reps``
    resamples of customers, ``seed``, ``level``): ``MAE minus lowest``, ``90% low``, ``90% high`` (NaN
    when no model fitted cleanly). The attribute ``reps`` records the resamples."""
    actual = split["frequency_holdout"].to_numpy(float)
    duration = float(split["duration_holdout"].iloc[0])
    preds = {}
    for name, fit in fits.items():
        if fit.ok:  # a boundary fit predicts nothing worth showing
            preds[name] = expected_purchases(
                fit,
                duration,
                frequency=split["frequency_cal"],
                recency=split["recency_cal"],
                T=split["T_cal"],
            )
    preds["baseline: calibration rate"] = (
        split["frequency_cal"] / split["T_cal"].clip(lower=1) * duration
    ).to_numpy()
    preds["baseline: average"] = np.full(
        len(split), split["frequency_cal"].sum() / split["T_cal"].sum() * duration
    )
    rows = []
    for name, p in preds.items():
        rows.append(
            {
                "model": name,
                "predicted total": round(float(p.sum()), 1),
                "actual total": int(actual.sum()),
                "total error (%)": round(100 * (p.sum() - actual.sum()) / actual.sum(), 1),
                "MAE": round(float(np.mean(np.abs(p - actual))), 3),
                "RMSE": round(float(np.sqrt(np.mean((p - actual) ** 2))), 3),
                "correlation": (
                    round(float(np.corrcoef(p, actual)[0, 1]), 3)
                    if np.std(p) > 0 and np.std(actual) > 0
                    else np.nan
                ),
            }
        )
    table = pd.DataFrame(rows).set_index("model")
    errors = {name: np.abs(p - actual) for name, p in preds.items()}
    models = [m for m in preds if not m.startswith("baseline") and np.isfinite(errors[m]).all()]
    label = f"{100 * level:g}%"
    if models and len(actual) >= 2:
        lowest = min(models, key=lambda m: (float(errors[m].mean()), models.index(m)))
        diff = paired_mae_bootstrap(errors, reference=lowest, reps=reps, seed=seed, level=level)
        table = table.join(diff.round(3))
    else:
        table = table.assign(**{"MAE minus lowest": np.nan, f"{label} low": np.nan, f"{label} high": np.nan})
    table.attrs["reps"] = int(reps)
    return table


def tracking(
    tx: pd.DataFrame, fits: dict[str, FitResult], *, weeks: int, calibration_weeks: int
) -> pd.DataFrame:
    """Weekly repeat purchases, actual and expected, in 7-day weeks counted from the first day of
    ``tx``: columns ``week``, ``actual`` (repeat occasions that week), one expected column per
    model, and their cumulative ``... (cumulative)`` versions. Expected values sum each customer's
    unconditional expectation E[X(t)] from their first purchase (customers grouped by first day)."""
    occ = occasions(tx)
    start = occ["date"].min()
    occ["day"] = (occ["date"] - start).dt.days
    first = occ.groupby("customer_id")["day"].transform("min")
    repeat = occ[occ["day"] > first]
    week_of = repeat["day"] // 7 + 1
    out = pd.DataFrame({"week": np.arange(1, weeks + 1)})
    out["actual"] = week_of.value_counts().reindex(out["week"], fill_value=0).to_numpy()
    births = occ.loc[occ["day"] == first, "day"].value_counts().sort_index()
    ends = out["week"].to_numpy() * 7.0
    for name, fit in fits.items():
        if not fit.ok:  # a boundary fit predicts nothing worth showing
            continue
        ages = (ends[:, None] - births.index.to_numpy()[None, :]) / 7.0
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            e = np.asarray(
                fit.model.expected_number_of_purchases_up_to_time(np.clip(ages, 0, None).ravel()), float
            )
        cumulative = (e.reshape(ages.shape) * (ages > 0) * births.to_numpy()[None, :]).sum(axis=1)
        out[f"{name} (cumulative)"] = cumulative
        out[name] = np.diff(np.r_[0.0, cumulative])
    out["actual (cumulative)"] = out["actual"].cumsum()
    out.attrs["calibration_weeks"] = calibration_weeks
    return out


def tracking_totals(track: pd.DataFrame) -> pd.DataFrame:
    """Repeat purchases after the calibration period of a :func:`tracking` table (its
    ``calibration_weeks`` attribute), actual and expected under each model, with each model's difference
    from the actual total in %: one row per source (``actual`` first). Attributes ``first_week`` and
    ``last_week`` give the weeks summed (also in the column header). Empty when no week follows the
    calibration period."""
    cal = int(track.attrs.get("calibration_weeks", 0)) if track is not None else 0
    after = track[track["week"] > cal] if track is not None else pd.DataFrame()
    if after.empty:
        return pd.DataFrame(columns=["repeat purchases", "difference from actual (%)"])
    first, last = cal + 1, int(after["week"].max())
    models = [
        c
        for c in track.columns
        if c not in ("week", "actual") and not c.endswith("(cumulative)") and track[c].notna().any()
    ]
    actual = float(after["actual"].sum())
    totals = pd.Series({"actual": actual} | {m: float(after[m].sum()) for m in models})
    difference = 100 * (totals - actual) / actual if actual else totals * np.nan
    weeks = f"weeks {first}-{last}" if last > first else f"week {last}"
    out = pd.DataFrame(
        {f"repeat purchases in {weeks}": totals.round(1), "difference from actual (%)": difference.round(1)}
    )
    out.loc["actual", "difference from actual (%)"] = np.nan
    out.index.name = "after the calibration period"
    out.attrs.update(first_week=first, last_week=last)
    return out


def peak_weeks(track: pd.DataFrame, *, model: str | None, top: int = 3) -> pd.DataFrame:
    """The ``top`` weeks of a :func:`tracking` table where the actual repeat purchases exceed
    ``model``'s expectation most (only weeks where they exceed it), in week order: actual, expected and
    the excess. Attribute ``model`` names the model. Empty when ``model`` is not in the table."""
    columns = ["actual repeat purchases", f"expected ({model})", "actual minus expected"]
    if track is None or model not in track.columns or track[model].isna().all():
        out = pd.DataFrame(columns=columns)
    else:
        excess = (track["actual"] - track[model]).sort_values(ascending=False, kind="stable")
        rows = [i for i in excess.index[:top] if excess[i] > 0]
        picked = track.loc[rows].sort_values("week")
        out = pd.DataFrame(
            {
                columns[0]: picked["actual"].to_numpy(),
                columns[1]: picked[model].round(1).to_numpy(),
                columns[2]: (picked["actual"] - picked[model]).round(1).to_numpy(),
            },
            index=pd.Index(picked["week"].astype(int).to_numpy(), name="week"),
        )
    out.attrs["model"] = model
    return out


def alive_path(fit: FitResult, customer_tx: pd.DataFrame, *, end, unit_days: int = 7) -> pd.DataFrame:
    """P(alive) of one customer on every day from the first purchase to ``end`` (replaces lifetimes'
    ``calculate_alive_path``, broken on pandas 3): ``date``, ``P(alive)``, ``purchase`` (bool)."""
    days = occasions(customer_tx)["date"]
    first, end = days.min(), pd.Timestamp(end)
    grid = pd.date_range(first, end, freq="D")
    bought = np.isin(grid.to_numpy(), days.to_numpy())
    n = np.cumsum(bought) - 1
    last = pd.Series(np.where(bought, grid, pd.NaT), index=grid).ffill()
    rec = (last.to_numpy() - np.datetime64(first)).astype("timedelta64[D]").astype(float) / unit_days
    age = (grid.to_numpy() - np.datetime64(first)).astype("timedelta64[D]").astype(float) / unit_days
    p = probability_alive(fit, n, rec, age)
    return pd.DataFrame({"date": grid, "P(alive)": p, "purchase": bought})


def _frequency_recency_grid(values, max_frequency: int, T: float, points: int) -> pd.DataFrame:
    """A frequency (rows, highest first) x recency (columns, 0..T) table of ``values(f, r, T)``."""
    recency = np.linspace(0, T, points)
    f, r = np.meshgrid(np.arange(max_frequency + 1), recency, indexing="ij")
    table = pd.DataFrame(
        values(f.ravel(), r.ravel(), np.full(f.size, T)).reshape(f.shape),
        index=pd.Index(range(max_frequency + 1), name="frequency"),
        columns=pd.Index(np.round(recency, 1), name="recency"),
    )
    return table.iloc[::-1]


def probability_alive_matrix(
    fit: FitResult, max_frequency: int, *, T: float, points: int = 40
) -> pd.DataFrame:
    """P(alive) for a customer of age ``T`` over a grid of frequency (rows, 0..max) and recency
    (columns, 0..T): the classic frequency/recency matrix."""
    return _frequency_recency_grid(lambda f, r, t: probability_alive(fit, f, r, t), max_frequency, T, points)


ALL_CUSTOMERS = "all customers"  # the last row of period_transactions: the column sums


def alive_corners(matrix: pd.DataFrame | None) -> pd.DataFrame:
    """The corners of a :func:`probability_alive_matrix` a reader looks at: for the most frequent row and
    the row of one repeat purchase, P(alive) when the last purchase came early (the first recency after
    0) and when it came at the end (recency = the customer's age, the last column). One row per
    (repeat purchases, recency); empty when the matrix has fewer than two columns or no row with a
    repeat purchase."""
    columns = [
        "repeat purchases",
        "last purchase (weeks after the first)",
        "observed for (weeks)",
        "P(alive)",
    ]
    rows = []
    if matrix is not None and len(matrix) and matrix.shape[1] >= 2:
        early, late = matrix.columns[1], matrix.columns[-1]
        for f in dict.fromkeys(f for f in (int(max(matrix.index)), 1) if f in matrix.index and f > 0):
            for recency in (early, late):
                p = pd.to_numeric(matrix.loc[f, recency], errors="coerce")
                rows.append([f, float(recency), float(late), round(float(p), 3)])
    return pd.DataFrame(rows, columns=columns).set_index(columns[:2])


def period_transactions(frame: pd.DataFrame, fits: dict[str, FitResult], cap: int = 7) -> pd.DataFrame:
    """Customers by number of repeat purchases in the calibration period (0 .. ``cap`` or more): actual, and
    expected under each model that gives P(X(t) = x) (BG/NBD, MBG/NBD; lifetimes has no such method
    for Pareto/NBD), summing each customer's probability at their own age ``T``; a last row
    :data:`ALL_CUSTOMERS` holds the sums (leave it out to plot the histogram)."""
    actual = frame["frequency"].clip(upper=cap).value_counts().reindex(range(cap + 1), fill_value=0)
    out = pd.DataFrame({"actual": actual})
    sums = {"actual": int(actual.sum())}
    ages = frame[
        "T"
    ].value_counts()  # lifetimes' method takes one age at a time: loop over ages, not customers
    for name, fit in fits.items():
        if not fit.ok or not hasattr(fit.model, "probability_of_n_purchases_up_to_time"):
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            probs = np.array(
                [
                    [float(fit.model.probability_of_n_purchases_up_to_time(age, n)) for n in range(cap)]
                    for age in ages.index
                ]
            )
        expected = list((probs * ages.to_numpy()[:, None]).sum(axis=0))
        expected.append(len(frame) - sum(expected))
        out[name] = np.round(expected, 1)
        sums[name] = round(float(np.sum(expected)), 1)
    out.index = [f"{k}+" if k == cap else str(k) for k in out.index]
    out.loc[ALL_CUSTOMERS] = pd.Series(sums)
    out["actual"] = out["actual"].astype(int)
    out.index.name = "repeat purchases"
    return out


def expected_purchases_matrix(
    fit: FitResult, max_frequency: int, *, T: float, horizon: float, points: int = 40
) -> pd.DataFrame:
    """Expected repeat purchases in the next ``horizon`` periods for a customer of age ``T`` over a
    frequency (rows) x recency (columns) grid."""
    return _frequency_recency_grid(
        lambda f, r, t: expected_purchases(fit, horizon, frequency=f, recency=r, T=t),
        max_frequency,
        T,
        points,
    )


DEFAULT_MODEL = "Pareto/NBD"  # the model used when neither a parameter nor notebook 04 names one


def model_to_use(override: str | None, recorded: str | None) -> tuple[str, str]:
    """The transaction model a later notebook uses, and where the choice comes from: ``override`` (a
    notebook parameter) when given, else ``recorded`` (the model notebook 04 chose for the same data),
    else :data:`DEFAULT_MODEL`. Returns ``(name, origin)`` with origin ``"parameter"``, ``"notebook 04"``
    or ``"default"``. An override that is not a known model is a ``ValueError``."""
    if override is not None:
        if override not in MODELS and override not in FALLBACKS:
            raise ValueError(f"CLV_MODEL {override!r} is not one of {', '.join([*MODELS, *FALLBACKS])}")
        return override, "parameter"
    if recorded in MODELS or recorded in FALLBACKS:
        return str(recorded), "notebook 04"
    return DEFAULT_MODEL, "default"


def interval_columns(comparison: pd.DataFrame) -> tuple[str, str] | None:
    """The names of the interval columns of a :func:`holdout_comparison` table (``"90% low"``,
    ``"90% high"``), or None when it has none."""
    low = [c for c in comparison.columns if str(c).endswith("% low")]
    high = [c for c in comparison.columns if str(c).endswith("% high")]
    return (low[0], high[0]) if low and high else None


def _clean_models(comparison: pd.DataFrame, fits: dict[str, FitResult] | None) -> pd.DataFrame:
    """The rows of the fitted models (not the baselines) that fitted cleanly and have a finite MAE."""
    models = comparison[~comparison.index.str.startswith("baseline")]
    if fits is not None:
        models = models.loc[np.array([bool(fits[m].ok) if m in fits else False for m in models.index], bool)]
    return models[np.isfinite(models["MAE"].astype(float))]


def indistinguishable(comparison: pd.DataFrame, fits: dict[str, FitResult] | None = None) -> list[str]:
    """The models :func:`best_model` chooses from: among the models that fitted cleanly (every model
    when ``fits`` is not given), the one with the lowest holdout MAE and those whose difference in MAE
    from it has a paired bootstrap interval that includes 0 (:func:`holdout_comparison`'s ``90% low``
    at most 0): the holdout cannot tell them apart. Lowest MAE first. Without interval columns only the
    lowest. Empty when no model fitted cleanly."""
    models = _clean_models(comparison, fits)
    if models.empty:
        return []
    models = models.sort_values("MAE", kind="stable")
    columns = interval_columns(models)
    if columns is None:
        return [str(models.index[0])]
    low = models[columns[0]].astype(float)
    tied = [models.index[0]] + [m for m in models.index[1:] if np.isfinite(low[m]) and low[m] <= 0]
    return [str(m) for m in tied]


def best_model(comparison: pd.DataFrame, fits: dict[str, FitResult] | None = None) -> str | None:
    """The model to trust, by a stated rule: among the models that fitted cleanly (converged, no
    parameter on a boundary; every model when ``fits`` is not given) and are not baselines, the lowest
    per-customer MAE on the holdout; models whose difference in MAE from it has a bootstrap interval
    that includes 0 are indistinguishable on this check (:func:`indistinguishable`), and among them the
    one with the smallest absolute error on the total is used (then the lower MAE). ``None`` when no
    model fitted cleanly: then no model is trustworthy and none should be used to value customers."""
    tied = indistinguishable(comparison, fits)
    if not tied:
        return None
    models = comparison.loc[tied]
    ranked = models.assign(abs_error=models["total error (%)"].abs()).sort_values(
        ["abs_error", "MAE"], kind="stable"
    )
    return str(ranked.index[0])


def trust_check(
    fits: dict[str, FitResult], best: str | None, *, analysis: str = "CLV values", notebook: str = "04"
) -> dict:
    """The check a notebook adds to its sufficiency verdict after fitting (see
    ``sufficiency.Verdict.with_check``): the sections of ``analysis`` run only on a model that fitted
    cleanly (``best`` is ``None`` when none did)."""

    def state(fit: FitResult) -> str:
        return (
            "fitted"
            if fit.ok
            else "no dropout"
            if fit.no_dropout
            else "on a boundary"
            if fit.model
            else "no fit"
        )

    found = "; ".join(f"{name}: {state(fit)}" for name, fit in fits.items())
    found = f"model to trust: {best} ({found})" if best is not None else f"no model to trust ({found})"
    return {
        "analysis": analysis,
        "notebook": notebook,
        "ok": best is not None,
        "found": found,
        "needs": "a transaction model that converged with no parameter on a boundary",
        "fix": "more repeat buyers or a longer calibration period (a boundary fit usually means the data "
        "cannot tell the purchase rate from the dropout)",
    }


def alive(fit: FitResult, frame: pd.DataFrame) -> pd.Series:
    """P(alive) per customer of a summary frame (``frequency``, ``recency``, ``T``)."""
    return pd.Series(
        probability_alive(fit, frame["frequency"], frame["recency"], frame["T"]),
        index=frame.index,
        name="P(alive)",
    )


# ------------------------------------------------------------------------------ no dropout: the fallback
# a fit that implies fewer than this share (%) of customers leave by the median customer's age sees no dropout
NO_DROPOUT_PCT = 1.0


def implied_dropout(fit: FitResult, t: float) -> float:
    """The share (0 to 1) of a new customer cohort that ``fit``'s parameters have gone by age ``t`` (in
    the fit's time unit), before any purchase is seen: Pareto/NBD ``1 - (beta / (beta + t))^s``; BG/NBD
    ``1 - E[(alpha / (alpha + t p))^r]`` and MBG/NBD ``1 - E[(1 - p) (alpha / (alpha + t p))^r]`` over the
    dropout probability ``p ~ Beta(a, b)`` (a customer alive at ``t`` survived each of a Poisson number
    of purchases); 0 for the NBD model. NaN without a model."""
    from scipy import integrate, stats

    if fit.model is None or fit.params.empty:
        return float("nan")
    params = {k: float(v) for k, v in fit.params.items()}
    if fit.name == "Pareto/NBD":
        return float(1 - (params["beta"] / (params["beta"] + t)) ** params["s"])
    if fit.name in FALLBACKS:
        return 0.0
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    keep = (lambda p: 1 - p) if fit.name == "MBG/NBD" else (lambda p: 1.0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alive, _ = integrate.quad(
            lambda p: stats.beta.pdf(p, a, b) * keep(p) * (alpha / (alpha + t * p)) ** r, 0, 1, limit=200
        )
    return float(1 - alive)


def sees_no_dropout(fit: FitResult, frame: pd.DataFrame) -> bool:
    """Whether a fit that converged inside its bounds still sees no customer leaving: its parameters
    imply that fewer than :data:`NO_DROPOUT_PCT` percent of customers are gone by the median age ``T`` of
    ``frame`` (:func:`implied_dropout`; a Pareto/NBD with a mean lifetime of centuries, say). False for a
    fit that is not ``ok`` or an empty frame."""
    if not fit.ok or frame is None or len(frame) == 0:
        return False
    share = implied_dropout(fit, float(np.median(frame["T"])))
    return bool(np.isfinite(share) and 100 * share < NO_DROPOUT_PCT)


def no_dropout(fits: dict[str, FitResult], frame: pd.DataFrame | None = None) -> bool:
    """Whether no dropout model of ``fits`` (those of ``MODELS``) can value customers because the data
    show no one leaving: each either put its dropout at 0 at maximum likelihood and did not fit cleanly
    (:attr:`FitResult.dropout_at_zero`), or fitted inside its bounds but :func:`sees_no_dropout` on
    ``frame``, or was already marked so by :func:`fallback_fits`."""
    models = [fit for name, fit in fits.items() if name in MODELS]
    return bool(models) and all(
        fit.no_dropout
        or (not fit.ok and fit.dropout_at_zero)
        or (frame is not None and sees_no_dropout(fit, frame))
        for fit in models
    )


def fallback_fits(fits: dict[str, FitResult], frame: pd.DataFrame) -> dict[str, FitResult]:
    """When :func:`no_dropout` holds on ``frame`` (the data of ``fits``): the dropout models that fitted
    inside their bounds marked as not to be used (``no_dropout``, not ``ok``, the note saying why), and
    ``{NBD: fit}``, the NBD model fitted on ``frame`` by plain maximum likelihood (no penalty), the
    identified fallback, named; else ``{}``. Merge it
    into ``fits`` (``fits |= clv.fallback_fits(fits, frame)``). The NBD fit is checked like the others (no
    spread of purchase rates puts it on a boundary too, and then no model is used)."""
    if not no_dropout(fits, frame):
        return {}
    age = float(np.median(frame["T"]))
    marked = {
        name: dataclasses.replace(
            fit,
            converged=False,
            no_dropout=True,
            note=(
                f"inside, but {100 * implied_dropout(fit, age):.2f}% of customers gone by the median age "
                f"({age:.1f}), under {NO_DROPOUT_PCT:g}%: no dropout"
            ),
        )
        for name, fit in fits.items()
        if name in MODELS and fit.ok
    }
    # plain maximum likelihood only: a fallback set by a penalty would not be identified by the data
    return marked | {NBD: fit_model(NBD, frame, penalizers=(0.0,))}
