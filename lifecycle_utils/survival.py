"""Survival analysis of churn with statsmodels: the churn table, Kaplan-Meier, log-rank, Cox.

**What "event time" means here.** A customer *churns* at the first inactivity gap of at least
``churn_days`` days (the churn threshold of notebook 01). The event time is the customer's **active
life**: days from the first purchase occasion to the last occasion before that gap. Churn is only
*known* ``churn_days`` after that last purchase, so a customer is observable for churn up to
``observation_end - churn_days``: every customer is right-censored there, at
``censor = observation_end - churn_days - first purchase`` (days), when no such gap has started by then.

* event (``churned = 1``): the gap started on or before the censoring date; ``duration`` = active life;
* censored (``churned = 0``): ``duration = censor``; a customer whose current gap is still shorter
  than the threshold at the observation end is censored, never counted as churned.

Censoring is then purely administrative (a fixed date minus the acquisition date), which is what
Kaplan-Meier and Cox need to be unbiased; censoring at the last purchase instead would keep customers
at risk at times when their churn could not have been seen yet and overstate survival. Customers first
seen after ``observation_end - churn_days`` cannot be evaluated and are left out. Time to *declared*
churn is ``duration + churn_days``. Only the first churn counts; a later return (回流) is not undone.

Covariates measured in the first ``landmark_days`` (30) after the first purchase are fixed long before
any churn can be known (``churn_days`` > ``landmark_days`` is required), so they carry no immortal-time bias.

Statistical conventions: Kaplan-Meier through ``SurvfuncRight`` with pointwise log-log
(exponential Greenwood) 95% bands, as R and lifelines; log-rank through ``survdiff`` reported as a
chi-square statistic with its degrees of freedom (the p-value underflows to 0 on large data, so
``-log10 p`` is computed from the log survival function); Cox through ``PHReg`` with **Efron** ties
(statsmodels defaults to Breslow, which matches neither R nor lifelines); proportional hazards checked
with scaled Schoenfeld residuals computed with the same Efron weighting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from lifecycle_utils.summary import occasions

Z95 = stats.norm.ppf(0.975)
NEEDS_TRANSACTIONS = pd.DataFrame({"note": ["needs transactions: not available for a duration table"]})


# ------------------------------------------------------------------------------------ churn table
def churn_table(
    tx: pd.DataFrame, churn_days: int, observation_end=None, landmark_days: int = 30
) -> pd.DataFrame:
    """One row per evaluable customer (index ``customer_id``): ``duration`` (days, see the module
    docstring), ``churned`` (1 = event, 0 = censored), ``entry`` (0: observed from acquisition),
    and early-behaviour covariates from the first ``landmark_days`` days:

    ``first order value`` (spend of the first occasion), ``first basket`` (units bought on the first
    occasion, NaN without a quantity column), ``repeat within 30 days`` (a second occasion within
    ``landmark_days``; the label keeps "30" whatever the landmark), plus ``first purchase``,
    ``last purchase``, ``occasions``, ``total spend``, ``tenure`` (days from first purchase to the
    observation end) and ``days since last`` (silence at the observation end).
    """
    if landmark_days >= churn_days:
        raise ValueError(f"landmark_days ({landmark_days}) must be shorter than churn_days ({churn_days}), "
                         "or early-behaviour covariates would look into the outcome")
    occ = occasions(tx)
    end = pd.Timestamp(observation_end) if observation_end is not None else occ["date"].max()
    occ = occ[occ["date"] <= end]
    occ["next"] = occ.groupby("customer_id", sort=False)["date"].shift(-1)
    gap_to_next = (occ["next"].fillna(end) - occ["date"]).dt.days
    starts_churn = gap_to_next >= churn_days
    first = occ.groupby("customer_id", sort=False)["date"].transform("min")
    churn_start = occ["date"].where(starts_churn).groupby(occ["customer_id"], sort=False).min()
    per = occ.groupby("customer_id", sort=True).agg(
        **{"first purchase": ("date", "min"), "last purchase": ("date", "max"),
           "occasions": ("date", "size"), "total spend": ("amount", "sum")}
    )
    censor_date = end - pd.Timedelta(days=churn_days)
    churned = churn_start.reindex(per.index).le(censor_date)
    active_end = churn_start.reindex(per.index).where(churned, censor_date)
    table = pd.DataFrame(index=per.index)
    table["duration"] = (active_end - per["first purchase"]).dt.days.astype(float)
    table["churned"] = churned.astype(int)
    table["entry"] = 0.0

    first_occ = occ[occ["date"] == first]
    table["first order value"] = first_occ.set_index("customer_id")["amount"].reindex(per.index)
    if "quantity" in tx.columns:
        day = tx.assign(date=tx["date"].dt.normalize())
        firsts = day.merge(first_occ[["customer_id", "date"]], on=["customer_id", "date"])
        table["first basket"] = firsts.groupby("customer_id")["quantity"].sum().reindex(per.index)
    else:
        table["first basket"] = np.nan
    second = occ[(occ["date"] > first)].groupby("customer_id")["date"].min().reindex(per.index)
    table["repeat within 30 days"] = ((second - per["first purchase"]).dt.days <= landmark_days).fillna(False)
    table = table.join(per)
    table["tenure"] = (end - table["first purchase"]).dt.days
    table["days since last"] = (end - table["last purchase"]).dt.days
    return table[table["first purchase"] <= censor_date]


def load_survival_table(
    source: str | pd.DataFrame, duration_col: str = "duration", event_col: str = "churned",
    entry_col: str | None = None, id_col: str | None = None,
) -> pd.DataFrame:
    """A table that already has one row per customer with a duration and a churn flag (subscription
    data): a CSV/Parquet path or a frame. Returns it with the standard columns ``duration`` (days),
    ``churned`` (0/1) and ``entry`` (days at which the customer entered observation; 0 unless
    ``entry_col`` is given: delayed entry for customers who joined before the data starts), other
    columns kept as covariates (unmapped columns named ``duration``, ``churned`` or ``entry`` are
    replaced). Bad values raise ``ValueError`` naming the column and the count."""
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        path = str(source)
        frame = pd.read_parquet(path) if path.endswith((".parquet", ".pq")) else pd.read_csv(path)
    needed = [c for c in (duration_col, event_col, entry_col, id_col) if c is not None]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(map(repr, missing))}; columns found: "
                         f"{', '.join(map(str, frame.columns))}")
    duration = pd.to_numeric(frame[duration_col], errors="coerce")
    event = pd.to_numeric(frame[event_col], errors="coerce")
    entry = pd.to_numeric(frame[entry_col], errors="coerce") if entry_col else pd.Series(0.0, index=frame.index)
    problems = [
        (duration_col, duration.isna() | (duration < 0), "are missing, not numbers or negative"),
        (event_col, ~event.isin([0, 1]), "are not 0 or 1"),
    ]
    if entry_col:
        problems.append((entry_col, entry.isna() | (entry < 0) | ((entry > 0) & (entry >= duration)),
                         "are missing, negative, or not before the duration"))
    for column, mask, what in problems:
        if mask.any():
            examples = ", ".join(repr(v) for v in frame.loc[mask, column].head(3))
            raise ValueError(f"column '{column}': {int(mask.sum())} of {len(frame)} rows {what} (e.g. {examples})")
    # the mapped columns become the standard ones; unmapped columns that already carry a standard
    # name (e.g. an "entry" column when entry_col is None) are replaced
    replaced = {duration_col, event_col, entry_col, "duration", "churned", "entry"} - {None}
    out = frame.drop(columns=[c for c in frame.columns if c in replaced]).copy()
    out.insert(0, "duration", duration.astype(float))
    out.insert(1, "churned", event.astype(int))
    out.insert(2, "entry", entry.astype(float))
    if id_col:
        out = out.set_index(id_col)
    return out


# ------------------------------------------------------------------------------------ Kaplan-Meier
def kaplan_meier(duration, event, entry=None, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier estimate (statsmodels ``SurvfuncRight``): one row per distinct event time with
    ``time``, ``at risk``, ``events``, ``survival``, ``se`` (Greenwood) and ``lower``/``upper``
    pointwise ``1 - alpha`` bands on the log-log scale; a first row at time 0 with survival 1 when
    no event happens at 0. ``entry`` gives delayed-entry times (left truncation)."""
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    entry_arr = None if entry is None else np.asarray(entry, float)
    if entry_arr is not None and not np.any(entry_arr > 0):
        entry_arr = None
    fit = SurvfuncRight(duration, event, entry=entry_arr)
    surv = np.asarray(fit.surv_prob, float)
    se = np.asarray(fit.surv_prob_se, float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        c = np.log(-log_s)
        sd = (se / surv) / np.abs(log_s)
        lower = np.exp(-np.exp(c + z * sd))
        upper = np.exp(-np.exp(c - z * sd))
    edge = (surv <= 0) | (surv >= 1) | ~np.isfinite(sd)
    lower, upper = np.where(edge, surv, lower), np.where(edge, surv, upper)
    table = pd.DataFrame({"time": np.asarray(fit.surv_times, float), "at risk": np.asarray(fit.n_risk, int),
                          "events": np.asarray(fit.n_events, int), "survival": surv, "se": se,
                          "lower": lower, "upper": upper})
    if table.empty or table["time"].iloc[0] > 0:
        n0 = len(duration) if entry_arr is None else int(np.sum(entry_arr <= 0))
        start = pd.DataFrame({"time": [0.0], "at risk": [n0], "events": [0], "survival": [1.0], "se": [0.0],
                              "lower": [1.0], "upper": [1.0]})
        table = pd.concat([start, table], ignore_index=True)
    return table


def survival_at(km: pd.DataFrame, horizons, follow_up: float | None = None) -> pd.DataFrame:
    """Survival and its band at each horizon (days) from a :func:`kaplan_meier` table (the step
    function's value at the last event time on or before the horizon). Horizons beyond
    ``follow_up`` (the longest duration observed) are NaN: the data cannot tell."""
    rows = []
    for h in horizons:
        if follow_up is not None and h > follow_up:
            rows.append((h, np.nan, np.nan, np.nan))
            continue
        at = km[km["time"] <= h].iloc[-1]
        rows.append((h, at["survival"], at["lower"], at["upper"]))
    return pd.DataFrame(rows, columns=["days", "survival", "lower", "upper"])


def median_survival(duration, event, entry=None, alpha: float = 0.05) -> dict:
    """Median survival (days) with its ``1 - alpha`` interval, read off the Kaplan-Meier curve and its
    log-log band (the first time each falls to 0.5 or below, as lifelines does); ``"not reached"``
    where a curve stays above 0.5 within the follow-up."""
    km = kaplan_meier(duration, event, entry, alpha)

    def first_below(column: str):
        hit = km.loc[km[column] <= 0.5, "time"]
        return float(hit.iloc[0]) if len(hit) else "not reached"

    return {"median": first_below("survival"), "lower": first_below("lower"), "upper": first_below("upper")}


def survival_summary(
    table: pd.DataFrame, group_col: str | None = None, horizons=(90, 180, 365)
) -> pd.DataFrame:
    """Per group (or overall): customers, churn events, survival (%) at each horizon (days) with the
    95% band, and the median with its interval (or "not reached")."""
    if table.empty:
        return NEEDS_TRANSACTIONS.copy()
    groups = [("all", table)] if group_col is None else [
        (name, part) for name, part in table.groupby(group_col, observed=True, sort=True)]
    rows = []
    for name, part in groups:
        km = kaplan_meier(part["duration"], part["churned"], part.get("entry"))
        at = survival_at(km, horizons, follow_up=float(part["duration"].max()))
        row = {"group": name, "customers": len(part), "churned": int(part["churned"].sum())}
        for _, r in at.iterrows():
            if np.isnan(r["survival"]):
                row[f"S({r['days']:g}) %"] = "beyond follow-up"
            else:
                row[f"S({r['days']:g}) %"] = f"{100 * r['survival']:.1f} ({100 * r['lower']:.1f}-{100 * r['upper']:.1f})"
        med = median_survival(part["duration"], part["churned"], part.get("entry"))
        row["median days"] = _fmt_days(med["median"])
        row["median 95% CI"] = f"{_fmt_days(med['lower'])} to {_fmt_days(med['upper'])}"
        rows.append(row)
    out = pd.DataFrame(rows).set_index("group")
    out.index.name = group_col or ""
    return out


def _fmt_days(value) -> str:
    return value if isinstance(value, str) else f"{value:.0f}"


def km_by_group(table: pd.DataFrame, group_col: str | None = None) -> dict[str, pd.DataFrame]:
    """Kaplan-Meier tables keyed by group label (one key ``"all"`` without a group column; no keys
    for an empty table)."""
    if table.empty:
        return {}
    if group_col is None:
        return {"all": kaplan_meier(table["duration"], table["churned"], table.get("entry"))}
    return {str(name): kaplan_meier(part["duration"], part["churned"], part.get("entry"))
            for name, part in table.groupby(group_col, observed=True, sort=True)}


# ---------------------------------------------------------------------------------------- log-rank
def logrank(table: pd.DataFrame, group_col: str, strata_col: str | None = None) -> pd.Series:
    """Log-rank test of equal survival across the groups of ``group_col`` (statsmodels ``survdiff``):
    ``chi-square``, ``df`` (groups - 1), ``p-value`` as text (``"< 1e-300"`` where it underflows) and
    ``-log10 p`` computed from the chi-square log survival function, which does not underflow."""
    groups = table[group_col].astype(str).to_numpy()
    entry = table["entry"].to_numpy(float) if "entry" in table and (table["entry"] > 0).any() else None
    strata = None if strata_col is None else table[strata_col].astype(str).to_numpy()
    chi2, _ = survdiff(table["duration"].to_numpy(float), table["churned"].to_numpy(int), groups,
                       strata=strata, entry=entry)
    df = len(np.unique(groups)) - 1
    return chi_square_result(float(chi2), df)


def log_chi2_sf(chi2: float, df: int) -> float:
    """Natural log of the chi-square upper tail probability, finite far beyond where the p-value
    itself underflows: scipy where it is representable, else the asymptotic expansion of the upper
    incomplete gamma function, log Q(a, x) = (a - 1) log x - x - log Gamma(a) + log(1 + (a-1)/x + ...)
    with a = df / 2, x = chi2 / 2."""
    p = float(stats.chi2.sf(chi2, df))
    if p > 1e-280:
        return math.log(p)
    a, x = df / 2.0, chi2 / 2.0
    term, total = 1.0, 1.0
    for k in range(1, 30):
        term *= (a - k) / x
        total += term
        if abs(term) < 1e-16:
            break
    return (a - 1) * math.log(x) - x - math.lgamma(a) + math.log(total)


def chi_square_result(chi2: float, df: int) -> pd.Series:
    """A chi-square statistic reported with its df, p-value and ``-log10 p`` (never a bare 0)."""
    log_p = log_chi2_sf(chi2, df)
    p = math.exp(log_p) if log_p > math.log(1e-300) else 0.0
    return pd.Series({"chi-square": chi2, "df": int(df),
                      "p-value": f"{p:.3g}" if p > 0 else "< 1e-300",
                      "-log10 p": round(-log_p / math.log(10), 1)}, name="log-rank", dtype=object)


# -------------------------------------------------------------------------------------------- Cox
@dataclass(frozen=True)
class CoxFit:
    """A fitted Cox model and what it was fitted on (durations in days)."""

    result: object
    exog: pd.DataFrame
    duration: np.ndarray
    event: np.ndarray
    entry: np.ndarray | None
    strata: np.ndarray | None

    @property
    def params(self) -> pd.Series:
        return pd.Series(np.asarray(self.result.params), index=self.exog.columns)

    @property
    def cov(self) -> np.ndarray:
        return np.asarray(self.result.cov_params())


def design_matrix(table: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Numeric design for Cox: numeric and boolean columns as they are; text or categorical columns
    as indicators against their first level (the reference, named in the column: ``col[level]``)."""
    parts = []
    for col in covariates:
        values = table[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(values.astype(float).rename(col))
        else:
            levels = (list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype)
                      else sorted(values.dropna().unique()))
            for level in levels[1:]:
                parts.append((values == level).astype(float).rename(f"{col}[{level} vs {levels[0]}]"))
    return pd.concat(parts, axis=1)


def cox_fit(table: pd.DataFrame, covariates: list[str], strata_col: str | None = None,
            ties: str = "efron") -> CoxFit:
    """Cox proportional-hazards regression (statsmodels ``PHReg``, Efron ties by default) of
    ``duration``/``churned`` on ``covariates``, with delayed entry from ``entry`` and an optional
    stratification column (a separate baseline hazard per stratum)."""
    exog = design_matrix(table, covariates)
    keep = exog.notna().all(axis=1).to_numpy()
    exog = exog[keep]
    duration = table["duration"].to_numpy(float)[keep]
    event = table["churned"].to_numpy(int)[keep]
    entry = table["entry"].to_numpy(float)[keep] if "entry" in table and (table["entry"] > 0).any() else None
    strata = table[strata_col].astype(str).to_numpy()[keep] if strata_col else None
    model = PHReg(duration, exog.to_numpy(), status=event, entry=entry, strata=strata, ties=ties)
    return CoxFit(model.fit(), exog, duration, event, entry, strata)


def hazard_ratios(fit: CoxFit, alpha: float = 0.05) -> pd.DataFrame:
    """Per covariate: ``coef`` (log hazard ratio), ``hazard ratio`` with its ``1 - alpha`` interval,
    ``p-value``. A hazard ratio below 1 means a lower churn hazard (longer active life)."""
    params = fit.params
    se = np.sqrt(np.diag(fit.cov))
    z = stats.norm.ppf(1 - alpha / 2)
    pvalues = 2 * stats.norm.sf(np.abs(params.to_numpy() / se))
    return pd.DataFrame({
        "coef": params.round(4), "hazard ratio": np.exp(params).round(3),
        "lower 95%": np.exp(params - z * se).round(3), "upper 95%": np.exp(params + z * se).round(3),
        "p-value": [f"{p:.3g}" if p > 1e-300 else "< 1e-300" for p in pvalues],
    }, index=params.index)


def schoenfeld_residuals(fit: CoxFit) -> pd.DataFrame:
    """Schoenfeld residuals with Efron tie weighting (as R and lifelines), one row per event:
    ``time``, ``stratum`` and one column per covariate (covariate minus its risk-set average at that
    time, the average taken over Efron's tied-event weights). Risk sets honour delayed entry and
    strata."""
    x = fit.exog.to_numpy(float)
    w = np.exp(x @ fit.params.to_numpy())
    entry = np.zeros_like(fit.duration) if fit.entry is None else fit.entry
    strata = np.zeros(len(x), dtype=object) if fit.strata is None else fit.strata
    rows, times, labels = [], [], []
    for stratum in pd.unique(strata):
        s = strata == stratum
        xs, ws, ds, es, ent = x[s], w[s], fit.duration[s], fit.event[s], entry[s]
        for t in np.unique(ds[es == 1]):
            risk = (ds >= t) & (ent <= t)  # as PHReg: a case is at risk from its entry time on
            dead = (ds == t) & (es == 1)
            d = int(dead.sum())
            r_w, r_wx = ws[risk].sum(), ws[risk] @ xs[risk]
            d_w, d_wx = ws[dead].sum(), ws[dead] @ xs[dead]
            frac = np.arange(d)[:, None] / d
            means = (r_wx - frac * d_wx) / (r_w - frac[:, 0] * d_w)[:, None]
            xbar = means.mean(axis=0)
            rows.append(xs[dead] - xbar)
            times.extend([t] * d)
            labels.extend([stratum] * d)
    resid = pd.DataFrame(np.vstack(rows), columns=fit.exog.columns)
    resid.insert(0, "stratum", labels)
    resid.insert(0, "time", times)
    return resid


def ph_test(fit: CoxFit, transform: str = "km") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Proportional-hazards check (Grambsch and Therneau): scaled Schoenfeld residuals
    (``beta + n_events * r @ V``) and, per covariate and globally, the chi-square test of a zero slope
    against ``g(time)``, with ``transform`` ``"km"`` (1 - Kaplan-Meier, R's default), ``"rank"`` or
    ``"identity"``. Returns ``(tests, scaled residuals)``; a small p-value says the covariate's effect
    changes over time (stratify on it or add a time interaction)."""
    resid = schoenfeld_residuals(fit)
    cols = list(fit.exog.columns)
    r = resid[cols].to_numpy()
    n_events = len(r)
    v = fit.cov
    t = resid["time"].to_numpy(float)
    if transform == "rank":
        g = stats.rankdata(t)
    elif transform == "km":
        g = 1 - _step(kaplan_meier(fit.duration, fit.event, fit.entry), t)
    elif transform == "identity":
        g = t
    else:
        raise ValueError(f"transform must be 'km', 'rank' or 'identity', not {transform!r}")
    g = g - g.mean()
    u = g @ r  # score-like vector
    ssg = float(g @ g)
    per = n_events * (u @ v) ** 2 / (np.diag(v) * ssg)
    glob = float(n_events * (u @ v @ u) / ssg)
    tests = pd.DataFrame([chi_square_result(float(c), 1) for c in per], index=cols)
    tests.loc["GLOBAL"] = chi_square_result(glob, len(cols))
    tests.index.name = "covariate"
    scaled = pd.DataFrame(fit.params.to_numpy() + n_events * r @ v, columns=cols)
    scaled.insert(0, "time", t)
    return tests, scaled


# --------------------------------------------------------------------------- gaps and early warning
def gap_table(tx: pd.DataFrame, observation_end=None) -> pd.DataFrame:
    """Every inter-purchase gap as a survival record: for each purchase occasion, ``duration`` = days
    to the customer's next occasion (``event`` 1) or to the observation end (censored, 0), with
    ``occasion`` (1 = first purchase, so occasion 1 rows are the time to the second purchase) and
    ``customer_id``. Gaps of one customer are not independent: point estimates are fine, standard
    errors are somewhat too narrow."""
    occ = occasions(tx)
    end = pd.Timestamp(observation_end) if observation_end is not None else occ["date"].max()
    occ = occ[occ["date"] <= end]
    occ["occasion"] = occ.groupby("customer_id", sort=False).cumcount() + 1
    nxt = occ.groupby("customer_id", sort=False)["date"].shift(-1)
    return pd.DataFrame({
        "customer_id": occ["customer_id"].to_numpy(),
        "occasion": occ["occasion"].to_numpy(),
        "duration": (nxt.fillna(end) - occ["date"]).dt.days.to_numpy(float),
        "churned": nxt.notna().astype(int).to_numpy(),  # here: "event" = next purchase happened
        "entry": 0.0,
    })


def occasion_band(occasions_so_far: pd.Series, edges=(1, 2, 4)) -> pd.Series:
    """Bands of purchase occasions so far: ``"1"``, ``"2-3"``, ``"4+"`` with the default edges."""
    labels = []
    for lo, hi in zip(edges, list(edges[1:]) + [None]):
        labels.append(f"{lo}+" if hi is None else (str(lo) if hi - lo == 1 else f"{lo}-{hi - 1}"))
    bins = list(edges) + [np.inf]
    return pd.cut(occasions_so_far, bins=[b - 0.5 for b in bins[:-1]] + [np.inf], labels=labels, right=False).astype(str)


def _step(km: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Survival just after time t (right-continuous step function)."""
    idx = np.searchsorted(km["time"].to_numpy(), t, side="right") - 1
    return km["survival"].to_numpy()[np.clip(idx, 0, None)]


def early_warning(
    tx: pd.DataFrame, churn_days: int, horizon_days: int = 90, observation_end=None, top: int | None = None,
) -> pd.DataFrame:
    """Churn early warning (流失预警) for customers not churned at the observation end.

    A customer silent for ``g`` days churns within the next ``horizon_days`` exactly when the silence
    reaches ``churn_days`` in that window without a purchase: probability
    ``S(churn_days) / S(g)`` if ``g + horizon_days >= churn_days``, else 0, where ``S`` is the
    Kaplan-Meier survival of the time to the next purchase among customers with the same number of
    occasions (bands 1, 2-3, 4+) — the conditional probability given how long the silence has lasted.
    Also ``P(no purchase in horizon)`` = ``S(g + horizon) / S(g)``. Ranked by ``value at risk`` =
    churn probability x annual spend (spend per year of tenure, currency of the data).
    """
    gaps = gap_table(tx, observation_end)
    gaps["band"] = occasion_band(gaps["occasion"])
    curves = {band: kaplan_meier(part["duration"], part["churned"]) for band, part in gaps.groupby("band")}
    end = pd.Timestamp(observation_end) if observation_end is not None else tx["date"].max()
    occ = occasions(tx[tx["date"] <= end])
    per = occ.groupby("customer_id").agg(first=("date", "min"), last=("date", "max"),
                                         occasions=("date", "size"), spend=("amount", "sum"))
    per["silence"] = (end - per["last"]).dt.days
    per = per[per["silence"] < churn_days].copy()
    per["band"] = occasion_band(per["occasions"])
    per["tenure"] = (end - per["first"]).dt.days
    p_churn = np.zeros(len(per))
    p_quiet = np.zeros(len(per))
    for band, km in curves.items():
        m = (per["band"] == band).to_numpy()
        g = per.loc[m, "silence"].to_numpy(float)
        s_g = _step(km, g)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_churn[m] = np.where(g + horizon_days >= churn_days, _step(km, np.full_like(g, churn_days)) / s_g, 0.0)
            p_quiet[m] = _step(km, g + horizon_days) / s_g
    per["P(churn in horizon)"] = np.nan_to_num(p_churn, nan=1.0).round(3)
    per["P(no purchase in horizon)"] = np.nan_to_num(p_quiet, nan=1.0).round(3)
    per["annual spend"] = (per["spend"] / np.maximum(per["tenure"], 1) * 365.25).round(2)
    per["value at risk"] = (per["P(churn in horizon)"] * per["annual spend"]).round(2)
    out = per[["occasions", "tenure", "silence", "spend", "annual spend", "P(no purchase in horizon)",
               "P(churn in horizon)", "value at risk"]].rename(columns={"silence": "days silent",
                                                                         "tenure": "tenure (days)"})
    out = out.sort_values(["value at risk", "P(churn in horizon)"], ascending=False, kind="stable")
    return out.head(top) if top else out


def conditional_churn(fit: CoxFit, table: pd.DataFrame, horizon_days: int = 90) -> pd.Series:
    """For customers still at risk (``churned == 0``) in a duration table (e.g. subscriptions):
    ``1 - S(t + h | x) / S(t | x)``, the probability of churning within ``horizon_days`` given they
    have lasted ``t = duration`` days, from the Cox model ``fit`` (Breslow baseline, covariates of
    ``table``)."""
    base = fit.result.baseline_cumulative_hazard
    if fit.strata is not None:
        raise ValueError("conditional_churn needs an unstratified model")
    times, cumhaz = np.asarray(base[0][0], float), np.asarray(base[0][1], float)
    active = table[table["churned"] == 0]
    exog = design_matrix(active, [c.split("[")[0] for c in dict.fromkeys(fit.exog.columns)])
    exog = exog.reindex(columns=fit.exog.columns)
    risk = np.exp(exog.to_numpy(float) @ fit.params.to_numpy())

    def h0(t):
        idx = np.searchsorted(times, t, side="right") - 1
        return np.where(idx >= 0, cumhaz[np.clip(idx, 0, None)], 0.0)

    t = active["duration"].to_numpy(float)
    p = 1 - np.exp(-(h0(t + horizon_days) - h0(t)) * risk)
    return pd.Series(p, index=active.index, name=f"P(churn within {horizon_days} days)")


# ---------------------------------------------------------------------------- threshold sensitivity
def threshold_sensitivity(tx: pd.DataFrame, thresholds, observation_end=None, horizons=(90, 365)) -> pd.DataFrame:
    """How the churn analysis moves with the churn threshold: per ``churn_days``, the evaluable
    customers, churned share (%), survival (%) of the active life at the horizons and the median.
    Without transactions (a ready-made duration table) there is no threshold to move: a one-row note."""
    if tx is None:
        return NEEDS_TRANSACTIONS.copy()
    rows = []
    for c in thresholds:
        table = churn_table(tx, int(c), observation_end)
        km = kaplan_meier(table["duration"], table["churned"])
        at = survival_at(km, horizons, follow_up=float(table["duration"].max()))
        med = median_survival(table["duration"], table["churned"])
        row = {"churn_days": int(c), "customers": len(table),
               "churned (%)": round(100 * table["churned"].mean(), 1)}
        row |= {f"S({h}) %": (round(100 * s, 1) if not np.isnan(s) else np.nan)
                for h, s in zip(at["days"], at["survival"])}
        row["median active life (days)"] = med["median"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("churn_days")


# ------------------------------------------------------------------------ one entry point per notebook
@dataclass(frozen=True)
class SurvivalData:
    """What notebook 02 analyses: a duration table (``duration``, ``churned``, ``entry`` and
    covariates), the transactions it came from (``None`` for a ready-made duration table), the group
    columns for curves and log-rank tests, the Cox covariates and the value column for ranking."""

    table: pd.DataFrame
    tx: pd.DataFrame | None
    groups: list[str]
    covariates: list[str]
    value_col: str | None
    churn_days: int | None

    @property
    def source(self) -> str:
        return "transactions" if self.tx is not None else "duration table"


TRANSACTION_GROUPS = ["first order value", "first basket size", "repeat within 30 days"]
TRANSACTION_COVARIATES = ["log2 first order value", "first basket (units)", "repeat within 30 days"]


def tiers(values: pd.Series, labels=("low", "mid", "high"), unit: str = "$") -> pd.Series:
    """Equal-count tiers of ``values`` that never fail on ties (ranks break them, so equal values can
    only straddle a boundary if they are the boundary) labelled with their value ranges, ordered."""
    ranks = values.rank(method="first")
    codes = pd.qcut(ranks, len(labels), labels=False)
    names = []
    for k, label in enumerate(labels):
        part = values[codes == k]
        names.append(f"{label} ({unit}{part.min():,.0f}-{unit}{part.max():,.0f})")
    return pd.Categorical.from_codes(codes.astype(int), categories=names, ordered=True)


def prepare(
    tx: pd.DataFrame | None,
    churn_days: int | None,
    observation_end=None,
    survival_table=None,
    duration_col: str = "duration",
    event_col: str = "churned",
    entry_col: str | None = None,
    group_cols: list[str] | None = None,
    covariates: list[str] | None = None,
    value_col: str | None = None,
) -> SurvivalData:
    """Build the analysis input. With ``survival_table`` (a path or frame of subscription-style data,
    see :func:`load_survival_table`) the transactions are not used and ``group_cols``, ``covariates``
    and ``value_col`` name its columns. Otherwise the churn table is built from ``tx`` with
    ``churn_days`` and gets the early-behaviour groups (first order value tier, first basket size,
    repeat within 30 days) and Cox covariates (log2 first order value, so the hazard ratio is per
    doubling; first basket in units; repeat within 30 days)."""
    if survival_table is not None:
        table = load_survival_table(survival_table, duration_col, event_col, entry_col)
        for name, cols in (("group_cols", group_cols or []), ("covariates", covariates or [])):
            missing = [c for c in cols if c not in table.columns]
            if missing:
                raise ValueError(f"{name}: column(s) {', '.join(map(repr, missing))} not in the duration table")
        return SurvivalData(table, None, list(group_cols or []), list(covariates or []), value_col, churn_days)
    if churn_days is None:
        raise ValueError("churn_days is needed to build a churn table from transactions")
    table = churn_table(tx, churn_days, observation_end)
    spend = table["first order value"].copy()
    table["first order value"] = tiers(spend)
    basket = table["first basket"]
    table["first basket size"] = pd.Categorical(
        np.where(basket.isna(), "unknown", np.where(basket <= 1, "1 unit", np.where(basket == 2, "2 units", "3+ units"))),
        categories=["1 unit", "2 units", "3+ units", "unknown"], ordered=True).remove_unused_categories()
    table["repeat within 30 days"] = pd.Categorical(
        np.where(table["repeat within 30 days"].astype(bool), "yes", "no"), categories=["no", "yes"])
    table["log2 first order value"] = np.log2(spend.clip(lower=1.0))
    table["first basket (units)"] = basket
    covs = [c for c in TRANSACTION_COVARIATES if table[c].notna().all()]
    return SurvivalData(table, tx, list(TRANSACTION_GROUPS), covs, "total spend", churn_days)


def second_purchase_table(data: SurvivalData, observation_end=None) -> pd.DataFrame:
    """Time to the second purchase (the new-to-growing conversion) as a duration table: one row per
    customer, ``duration`` = days from first to second purchase occasion (``churned`` = 1 here means
    *converted*) or to the observation end (0), plus the first-order value tier. Empty for a
    ready-made duration table."""
    if data.tx is None:
        return pd.DataFrame(columns=["duration", "churned", "entry", "first order value"])
    gaps = gap_table(data.tx, observation_end)
    first = gaps[gaps["occasion"] == 1].set_index("customer_id")
    first["first order value"] = data.table["first order value"].reindex(first.index)
    return first[["duration", "churned", "entry", "first order value"]]


def early_warning_list(data: SurvivalData, horizon_days: int = 90, top: int = 15,
                       fit: CoxFit | None = None, observation_end=None) -> pd.DataFrame:
    """The early-warning list for either source: from transactions, :func:`early_warning` (silence-
    conditional churn probability by occasion band, ranked by value at risk); from a duration table,
    :func:`conditional_churn` with the Cox model ``fit``, ranked by probability x ``value_col``."""
    if data.tx is not None:
        return early_warning(data.tx, data.churn_days, horizon_days, observation_end, top=top)
    if fit is None:
        raise ValueError("a duration table needs a fitted Cox model for the early-warning list")
    p = conditional_churn(fit, data.table, horizon_days)
    out = data.table.loc[p.index, ["duration"] + ([data.value_col] if data.value_col else [])].copy()
    out = out.rename(columns={"duration": "tenure (days)"})
    out[p.name] = p.round(3)
    out["value at risk"] = (p * out[data.value_col]).round(2) if data.value_col else p.round(3)
    return out.sort_values("value at risk", ascending=False, kind="stable").head(top)


# ---------------------------------------------------------------------------- notebook-level tables
def describe(data: SurvivalData) -> pd.Series:
    """What is being analysed: source, churn threshold, customers, churn events, censored, customers
    with delayed entry, and the longest follow-up (days)."""
    table = data.table
    return pd.Series({
        "source": data.source,
        "churn threshold (days)": data.churn_days if data.tx is not None else "given by the table",
        "customers": len(table),
        "churned (events)": int(table["churned"].sum()),
        "censored": int((table["churned"] == 0).sum()),
        "with delayed entry": int((table["entry"] > 0).sum()),
        "longest follow-up (days)": float(table["duration"].max()),
    }, name="value", dtype=object)


def km_panels(table: pd.DataFrame, groups: list[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """Kaplan-Meier curves per level of each group column: ``{group column: {level: km table}}``."""
    return {g: km_by_group(table, g) for g in groups}


def group_summary(table: pd.DataFrame, groups: list[str], horizons=(90, 180, 365)) -> pd.DataFrame:
    """:func:`survival_summary` for each group column, stacked with a ``(group, level)`` index."""
    parts = {g: survival_summary(table, g, horizons) for g in groups}
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, names=["group", "level"])
    out.index = out.index.set_levels([lvl.astype(str) for lvl in out.index.levels])
    return out


def logrank_table(table: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """A log-rank test per group column: levels, chi-square, df, p-value, -log10 p."""
    rows = []
    for g in groups:
        result = logrank(table, g)
        rows.append({"group": g, "levels": int(table[g].nunique())} | result.to_dict())
    return pd.DataFrame(rows).set_index("group") if rows else pd.DataFrame()


def refit_for_ph(data: SurvivalData, fit: CoxFit, tests: pd.DataFrame, alpha: float = 0.001
                 ) -> tuple[CoxFit, str]:
    """Where proportional hazards fail (per-covariate p < ``alpha``), refit with the worst offender as
    a stratum (its own baseline hazard, no coefficient); a numeric covariate with more than five
    values is stratified by its tertiles. Returns the model to report and a sentence saying what was
    done. Without a failure, the original fit is returned."""
    per = tests.drop(index="GLOBAL")
    chi = pd.to_numeric(per["chi-square"])
    failing = per[[log_chi2_sf(float(c), 1) < math.log(alpha) for c in chi]]
    if failing.empty:
        return fit, f"No covariate fails proportional hazards at p < {alpha:g}; the model stands as fitted."
    worst_column = chi.loc[failing.index].idxmax()
    source = next(c for c in data.covariates if worst_column == c or worst_column.startswith(f"{c}["))
    table = data.table.copy()
    values = table[source]
    if values.nunique() > 5 and pd.api.types.is_numeric_dtype(values):
        table["_stratum"] = pd.qcut(values.rank(method="first"), 3, labels=["low", "mid", "high"]).astype(str)
        how = "its tertiles"
    else:
        table["_stratum"] = values.astype(str)
        how = "its levels"
    others = [c for c in data.covariates if c != source]
    refit = cox_fit(table, others, strata_col="_stratum")
    return refit, (f"'{source}' fails proportional hazards (chi-square {chi[worst_column]:,.1f}, 1 df), "
                   f"so the model is refitted stratified by {how}: each stratum gets its own baseline hazard "
                   f"and the other covariates keep one hazard ratio.")


def delayed_entry_check(table: pd.DataFrame, truth: pd.DataFrame, horizons=(90, 180, 365, 730)) -> pd.DataFrame:
    """Survival (%) at the horizons: the truth of a simulation, Kaplan-Meier with delayed entry, and
    Kaplan-Meier that ignores it (treating late joiners as observed from their start)."""
    with_entry = kaplan_meier(table["duration"], table["churned"], table["entry"])
    naive = kaplan_meier(table["duration"], table["churned"])
    follow = float(table["duration"].max())
    out = pd.DataFrame({
        "days": list(horizons),
        "truth": [100 * float(np.interp(h, truth["days"], truth["survival"])) for h in horizons],
        "KM with delayed entry": 100 * survival_at(with_entry, horizons, follow)["survival"].to_numpy(),
        "KM ignoring entry": 100 * survival_at(naive, horizons, follow)["survival"].to_numpy(),
    })
    return out.set_index("days").round(1)


def headline_figures(data: SurvivalData, overall: pd.DataFrame, hazard_table: pd.DataFrame,
                     logranks: pd.DataFrame, warning: pd.DataFrame) -> dict:
    """What notebook 02 records: source, threshold, customers, churned share, survival at the
    horizons, the median, the strongest log-rank group, each hazard ratio, and the early-warning
    list's value at risk."""
    figures: dict = {"source": data.source, "churn threshold (days)": data.churn_days,
                     "customers": len(data.table),
                     "churned (%)": round(100 * float(data.table["churned"].mean()), 1)}
    row = overall.iloc[0]
    figures |= {c: row[c] for c in overall.columns if c.startswith("S(") or c.startswith("median")}
    if not logranks.empty:
        best = logranks["chi-square"].astype(float).idxmax()
        figures["strongest log-rank"] = f"{best}: chi-square {float(logranks.loc[best, 'chi-square']):,.1f}, df {logranks.loc[best, 'df']}"
    figures |= {f"HR {name}": float(hr) for name, hr in hazard_table["hazard ratio"].items()}
    figures["early-warning list: value at risk"] = round(float(warning["value at risk"].sum()), 2)
    return figures
