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
with scaled Schoenfeld residuals computed with the same Efron weighting. A text or categorical Cox
covariate is coded as indicators against a reference level (given, or the most frequent level).

**Thin data gives notes, not exceptions.** Where something cannot be estimated (no churn events, one
level only, a constant covariate, a Cox fit that does not converge or whose coefficient runs off), the
result says so: a ``note`` column in the tables (present when at least one row has something to say),
``notes`` on :class:`SurvivalData` and :class:`CoxFit`, a ``"note"`` key in :func:`median_survival` and
``attrs["note"]`` on a :func:`kaplan_meier` table. Bad input is refused when it is loaded
(:func:`load_survival_table`, :func:`prepare`) with a ``ValueError`` naming the column, the count of bad
rows and examples.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.tools.sm_exceptions import ModelWarning

from lifecycle_utils._messages import refuse, with_notes
from lifecycle_utils.data import read_table
from lifecycle_utils.summary import end_of_observation, occasions

__all__ = [
    "NEEDS_TRANSACTIONS",
    "NO_P",
    "DURATION_UNITS",
    "EVENT_WORDS",
    "RUNAWAY_COEF",
    "RUNAWAY_SE",
    "NUMERIC_SHARE",
    "churn_table",
    "duration_factor",
    "load_survival_table",
    "kaplan_meier",
    "survival_at",
    "median_survival",
    "survival_summary",
    "km_by_group",
    "logrank",
    "log_chi2_sf",
    "chi_square_result",
    "CoxFit",
    "covariate_coding",
    "design_matrix",
    "cox_fit",
    "hazard_ratios",
    "schoenfeld_residuals",
    "ph_test",
    "worst_ph_covariate",
    "gap_table",
    "occasion_band",
    "early_warning",
    "conditional_churn",
    "threshold_sensitivity",
    "SurvivalData",
    "LANDMARK_DAYS",
    "TRANSACTION_GROUPS",
    "TRANSACTION_COVARIATES",
    "TRANSACTION_REFERENCE",
    "tiers",
    "prepare",
    "second_purchase_table",
    "early_warning_list",
    "describe",
    "km_panels",
    "group_summary",
    "logrank_table",
    "refit_for_ph",
    "delayed_entry_check",
    "headline_figures",
]

NEEDS_TRANSACTIONS = pd.DataFrame({"note": ["needs transactions: not available for a duration table"]})
NO_P = "n/a"  # the p-value text where no test could be made

# days per unit of a duration table's durations (a month is a twelfth of a Julian year)
DURATION_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}
# event flags read from text (any case, surrounding blanks ignored)
EVENT_WORDS: dict[str, int] = {"1": 1, "0": 0, "yes": 1, "no": 0, "true": 1, "false": 0}
# a Cox coefficient "runs off" (separation: a level or range with no churn, or only churn) when, per
# standard deviation of its covariate, |coef| exceeds RUNAWAY_COEF (a hazard ratio beyond e^10 ~ 22,000)
# or its standard error exceeds RUNAWAY_SE (a 95% interval wider than a factor e^39)
RUNAWAY_COEF = 10.0
RUNAWAY_SE = 10.0
# a text covariate whose values are numbers in at least this share of rows is a broken numeric column
NUMERIC_SHARE = 0.9


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
        raise ValueError(
            f"landmark_days ({landmark_days}) must be shorter than churn_days ({churn_days}), "
            "or early-behaviour covariates would look into the outcome"
        )
    occ = occasions(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end]
    occ["next"] = occ.groupby("customer_id", sort=False)["date"].shift(-1)
    gap_to_next = (occ["next"].fillna(end) - occ["date"]).dt.days
    starts_churn = gap_to_next >= churn_days
    first = occ.groupby("customer_id", sort=False)["date"].transform("min")
    churn_start = occ["date"].where(starts_churn).groupby(occ["customer_id"], sort=False).min()
    per = occ.groupby("customer_id", sort=True).agg(
        **{
            "first purchase": ("date", "min"),
            "last purchase": ("date", "max"),
            "occasions": ("date", "size"),
            "total spend": ("amount", "sum"),
        }
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


def duration_factor(duration_unit: str) -> float:
    """Days per ``duration_unit``: ``"days"`` 1, ``"weeks"`` 7, ``"months"`` 365.25 / 12 = 30.4375 (a
    twelfth of a Julian year). Any other unit is a ``ValueError`` listing the allowed ones."""
    key = str(duration_unit).strip().lower()
    if key not in DURATION_UNITS:
        raise ValueError(
            f"duration_unit {duration_unit!r} is not one of {', '.join(map(repr, DURATION_UNITS))}"
        )
    return DURATION_UNITS[key]


def _unit_note(duration_unit: str) -> str:
    key = str(duration_unit).strip().lower()
    if key == "days":
        return "durations and entry times are in days, as given"
    return (
        f"durations and entry times were given in {key} and are converted to days "
        f"(x {DURATION_UNITS[key]:g} days per {key[:-1]})"
    )


def _event_flags(raw: pd.Series) -> pd.Series:
    """1/0 (float; NaN where unreadable) from numbers 0/1, booleans, or the words yes/no, true/false,
    1/0 in any case."""
    numeric = pd.to_numeric(raw, errors="coerce").astype(float)
    words = raw.astype(str).str.strip().str.lower().map(EVENT_WORDS).astype(float)
    return numeric.where(numeric.isin([0.0, 1.0]), words)


def _read_duration_table(
    source: str | pd.DataFrame,
    duration_col: str,
    event_col: str,
    entry_col: str | None,
    id_col: str | None,
    duration_unit: str,
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`load_survival_table` and what it has to say about the reading (unit, event words)."""
    factor = duration_factor(duration_unit)
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        frame = read_table(source, as_text=False)
    needed = [c for c in (duration_col, event_col, entry_col, id_col) if c is not None]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"missing column(s) {', '.join(map(repr, missing))}; columns found: "
            f"{', '.join(map(str, frame.columns))}"
        )
    duration = pd.to_numeric(frame[duration_col], errors="coerce")
    event = _event_flags(frame[event_col])
    entry = (
        pd.to_numeric(frame[entry_col], errors="coerce") if entry_col else pd.Series(0.0, index=frame.index)
    )
    n = len(frame)
    refuse(
        duration_col,
        duration.isna() | (duration < 0),
        n,
        "are missing, not numbers or negative",
        frame[duration_col],
    )
    refuse(event_col, event.isna(), n, "are not 0 or 1, yes or no, true or false", frame[event_col])
    if entry_col:
        refuse(
            entry_col,
            entry.isna() | (entry < 0) | ((entry > 0) & (entry >= duration)),
            n,
            "are missing, negative, or not before the duration",
            frame[entry_col],
        )
    notes = [_unit_note(duration_unit)]
    raw = frame[event_col]
    if not (pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw)):
        seen = raw.astype(str).str.strip()
        yes = sorted(set(seen[event == 1])) or ["-"]
        no = sorted(set(seen[event == 0])) or ["-"]
        notes.append(
            f"event column '{event_col}': {'/'.join(yes)} read as churned (1), {'/'.join(no)} as censored (0)"
        )
    # the mapped columns become the standard ones; unmapped columns that already carry a standard
    # name (e.g. an "entry" column when entry_col is None) are replaced
    replaced = {duration_col, event_col, entry_col, "duration", "churned", "entry"} - {None}
    out = frame.drop(columns=[c for c in frame.columns if c in replaced]).copy()
    out.insert(0, "duration", duration.astype(float) * factor)
    out.insert(1, "churned", event.astype(int))
    out.insert(2, "entry", entry.astype(float) * factor)
    if id_col:
        ids = frame[id_col]
        refuse(id_col, ids.isna() | ids.duplicated(keep=False), n, "are missing or repeated ids", ids)
        out = out.set_index(id_col)
    return out, notes


def load_survival_table(
    source: str | pd.DataFrame,
    duration_col: str = "duration",
    event_col: str = "churned",
    entry_col: str | None = None,
    id_col: str | None = None,
    *,
    duration_unit: str = "days",
) -> pd.DataFrame:
    """A table that already has one row per customer with a duration and a churn flag (subscription
    data): a CSV/Parquet path or a frame. Returns it with the standard columns ``duration`` (days),
    ``churned`` (0/1) and ``entry`` (days at which the customer entered observation; 0 unless
    ``entry_col`` is given: delayed entry for customers who joined before the data starts), other
    columns kept as covariates (unmapped columns named ``duration``, ``churned`` or ``entry`` are
    replaced).

    ``duration_unit`` is the unit of the duration and entry columns as given: ``"days"`` (kept),
    ``"weeks"`` (x 7) or ``"months"`` (x 365.25 / 12 = 30.4375 days); both come back in days, so horizons
    in days work downstream. The event column may hold 0/1, booleans, or the words yes/no, true/false,
    1/0 in any case. Bad values raise ``ValueError`` naming the column, the count and examples; an
    unknown unit raises ``ValueError`` listing the allowed ones."""
    return _read_duration_table(source, duration_col, event_col, entry_col, id_col, duration_unit)[0]


# ------------------------------------------------------------------------------------ Kaplan-Meier
def _km_note(duration: np.ndarray, event: np.ndarray) -> str:
    """What a Kaplan-Meier estimate on these durations (days) and events cannot tell, or ``""``."""
    if len(duration) == 0:
        return "no customers: nothing to estimate"
    notes = []
    if len(duration) == 1:
        notes.append("one customer only: no confidence band")
    if not np.any(event == 1):
        notes.append("no churn events: survival stays at 100% and the median is not reached")
    if not np.any(duration > 0):
        notes.append("every duration is 0: nothing is observed after day 0")
    return "; ".join(notes)


def kaplan_meier(duration, event, entry=None, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier estimate (statsmodels ``SurvfuncRight``): one row per distinct event time (days)
    with ``time``, ``at risk``, ``events``, ``survival``, ``se`` (Greenwood) and ``lower``/``upper``
    pointwise ``1 - alpha`` bands on the log-log scale; a first row at time 0 with survival 1 when
    no event happens at 0. ``entry`` gives delayed-entry times (left truncation). Thin data (no
    customers, one customer, no events, every duration 0) gives a table all the same, with what it
    cannot tell in ``attrs["note"]`` (``""`` otherwise)."""
    duration = np.asarray(duration, float)
    event = np.asarray(event, int)
    note = _km_note(duration, event)
    entry_arr = None if entry is None else np.asarray(entry, float)
    if entry_arr is not None and not np.any(entry_arr > 0):
        entry_arr = None
    if len(duration):
        fit = SurvfuncRight(duration, event, entry=entry_arr)
        times, n_risk, n_events = fit.surv_times, fit.n_risk, fit.n_events
        surv, se = np.asarray(fit.surv_prob, float), np.asarray(fit.surv_prob_se, float)
    else:
        times = n_risk = n_events = surv = se = np.zeros(0)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        c = np.log(-log_s)
        sd = (se / surv) / np.abs(log_s)
        lower = np.exp(-np.exp(c + z * sd))
        upper = np.exp(-np.exp(c - z * sd))
    edge = (surv <= 0) | (surv >= 1) | ~np.isfinite(sd)
    lower, upper = np.where(edge, surv, lower), np.where(edge, surv, upper)
    table = pd.DataFrame(
        {
            "time": np.asarray(times, float),
            "at risk": np.asarray(n_risk, int),
            "events": np.asarray(n_events, int),
            "survival": surv,
            "se": se,
            "lower": lower,
            "upper": upper,
        }
    )
    if table.empty or table["time"].iloc[0] > 0:
        n0 = len(duration) if entry_arr is None else int(np.sum(entry_arr <= 0))
        start = pd.DataFrame(
            {
                "time": [0.0],
                "at risk": [n0],
                "events": [0],
                "survival": [1.0],
                "se": [0.0],
                "lower": [1.0],
                "upper": [1.0],
            }
        )
        table = pd.concat([start, table], ignore_index=True) if len(table) else start
    table.attrs["note"] = note
    return table


def survival_at(km: pd.DataFrame, horizons, follow_up: float | None = None) -> pd.DataFrame:
    """Survival and its band at each horizon (days) from a :func:`kaplan_meier` table (the step
    function's value at the last event time on or before the horizon). Horizons beyond
    ``follow_up`` (the longest duration observed, days) are NaN: the data cannot tell."""
    rows = []
    for h in horizons:
        if follow_up is not None and not h <= follow_up:  # NaN follow-up (no customers): nothing to tell
            rows.append((h, np.nan, np.nan, np.nan))
            continue
        at = km[km["time"] <= h].iloc[-1]
        rows.append((h, at["survival"], at["lower"], at["upper"]))
    return pd.DataFrame(rows, columns=["days", "survival", "lower", "upper"])


def median_survival(duration, event, entry=None, alpha: float = 0.05) -> dict:
    """Median survival (days) with its ``1 - alpha`` interval, read off the Kaplan-Meier curve and its
    log-log band (the first time each falls to 0.5 or below, as lifelines does); ``"not reached"``
    where a curve stays above 0.5 within the follow-up. ``"note"`` says what thin data cannot tell
    (``""`` otherwise)."""
    km = kaplan_meier(duration, event, entry, alpha)

    def first_below(column: str):
        hit = km.loc[km[column] <= 0.5, "time"]
        return float(hit.iloc[0]) if len(hit) else "not reached"

    return {
        "median": first_below("survival"),
        "lower": first_below("lower"),
        "upper": first_below("upper"),
        "note": km.attrs["note"],
    }


def survival_summary(
    table: pd.DataFrame, group_col: str | None = None, horizons=(90, 180, 365)
) -> pd.DataFrame:
    """Per group (or overall): customers, churn events, survival (%) at each horizon (days) with the
    95% band, and the median (days) with its interval (or "not reached"). A ``note`` column appears
    when a group's estimate is thin (one customer, no events, every duration 0); a group column with
    no values gives a one-row note."""
    if table.empty:
        return NEEDS_TRANSACTIONS.copy()
    groups = (
        [("all", table)]
        if group_col is None
        else [(name, part) for name, part in table.groupby(group_col, observed=True, sort=True)]
    )
    if not groups:
        return pd.DataFrame({"note": [f"column '{group_col}' has no values: nothing to summarise"]})
    rows, notes = [], []
    for name, part in groups:
        km = kaplan_meier(part["duration"], part["churned"], part.get("entry"))
        at = survival_at(km, horizons, follow_up=float(part["duration"].max()))
        row = {"group": name, "customers": len(part), "churned": int(part["churned"].sum())}
        for _, r in at.iterrows():
            if np.isnan(r["survival"]):
                row[f"S({r['days']:g}) %"] = "beyond follow-up"
            else:
                row[f"S({r['days']:g}) %"] = (
                    f"{100 * r['survival']:.1f} ({100 * r['lower']:.1f}-{100 * r['upper']:.1f})"
                )
        med = median_survival(part["duration"], part["churned"], part.get("entry"))
        row["median days"] = _fmt_days(med["median"])
        row["median 95% CI"] = f"{_fmt_days(med['lower'])} to {_fmt_days(med['upper'])}"
        rows.append(row)
        notes.append(km.attrs["note"])
    out = with_notes(pd.DataFrame(rows), notes).set_index("group")
    out.index.name = group_col or ""
    return out


def _fmt_days(value) -> str:
    return value if isinstance(value, str) else f"{value:.0f}"


def km_by_group(table: pd.DataFrame, group_col: str | None = None) -> dict[str, pd.DataFrame]:
    """Kaplan-Meier tables keyed by group label (one key ``"all"`` without a group column; no keys
    for an empty table or a group column without values). Thin groups carry ``attrs["note"]``."""
    if table.empty:
        return {}
    if group_col is None:
        return {"all": kaplan_meier(table["duration"], table["churned"], table.get("entry"))}
    return {
        str(name): kaplan_meier(part["duration"], part["churned"], part.get("entry"))
        for name, part in table.groupby(group_col, observed=True, sort=True)
    }


# ---------------------------------------------------------------------------------------- log-rank
def _no_test(df: int, note: str) -> pd.Series:
    """A chi-square result that could not be computed, with the reason."""
    return pd.Series(
        {"chi-square": np.nan, "df": int(df), "p-value": NO_P, "-log10 p": np.nan, "note": note},
        name="log-rank",
        dtype=object,
    )


def logrank(table: pd.DataFrame, group_col: str, strata_col: str | None = None) -> pd.Series:
    """Log-rank test of equal survival across the groups of ``group_col`` (statsmodels ``survdiff``):
    ``chi-square``, ``df`` (groups - 1), ``p-value`` as text (``"< 1e-300"`` where it underflows) and
    ``-log10 p`` computed from the chi-square log survival function, which does not underflow. Rows
    without a group value are left out (as in the curves). Where no test is possible (fewer than two
    levels, no churn events, groups that cannot be told apart) the statistic is NaN, the p-value
    ``"n/a"`` and a ``note`` entry says why."""
    part = table[table[group_col].notna()]
    groups = part[group_col].astype(str).to_numpy()
    n_levels = len(np.unique(groups))
    if n_levels < 2:
        return _no_test(0, ("one level only" if n_levels else "no values") + ": nothing to compare")
    if not (part["churned"] == 1).any():
        return _no_test(n_levels - 1, "no churn events: nothing to compare")
    entry = part["entry"].to_numpy(float) if "entry" in part and (part["entry"] > 0).any() else None
    strata = None if strata_col is None else part[strata_col].astype(str).to_numpy()
    try:
        chi2, _ = survdiff(
            part["duration"].to_numpy(float),
            part["churned"].to_numpy(int),
            groups,
            strata=strata,
            entry=entry,
        )
    except np.linalg.LinAlgError:
        return _no_test(n_levels - 1, "the groups cannot be told apart (singular variance): no test")
    if not np.isfinite(chi2):
        return _no_test(n_levels - 1, "the statistic is not finite: no test")
    return chi_square_result(float(chi2), n_levels - 1)


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
    return pd.Series(
        {
            "chi-square": chi2,
            "df": int(df),
            "p-value": f"{p:.3g}" if p > 0 else "< 1e-300",
            "-log10 p": round(-log_p / math.log(10), 1),
        },
        name="log-rank",
        dtype=object,
    )


# -------------------------------------------------------------------------------------------- Cox
@dataclass(frozen=True)
class CoxFit:
    """A Cox model and what it was fitted on (durations in days).

    ``result`` is the statsmodels result, or ``None`` when no model could be fitted (no churn events,
    no covariate left, or the fit failed): then ``params`` is empty and ``note`` says why.
    ``covariates`` are the covariates asked for and ``coding`` maps each text or categorical one to
    ``(reference level, other levels)``, so the same design can be built for other rows. ``notes``
    say what was decided or found (reference levels chosen, covariates or rows left out, convergence);
    ``flags`` name the coefficients not to be trusted (design column -> reason: no convergence, a
    coefficient running off); ``dropped`` the covariates or design columns left out (name -> reason).
    """

    result: object | None
    exog: pd.DataFrame
    duration: np.ndarray
    event: np.ndarray
    entry: np.ndarray | None
    strata: np.ndarray | None
    covariates: tuple[str, ...] = ()
    coding: dict[str, tuple[object, list]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    flags: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> pd.Series:
        """Log hazard ratios by design column (empty without a model)."""
        if self.result is None:
            return pd.Series(np.zeros(0), index=self.exog.columns[:0], dtype=float)
        return pd.Series(np.asarray(self.result.params), index=self.exog.columns)

    @property
    def cov(self) -> np.ndarray:
        """Covariance matrix of ``params`` (0 x 0 without a model)."""
        if self.result is None:
            return np.zeros((0, 0))
        return np.asarray(self.result.cov_params())

    @property
    def fitted(self) -> bool:
        return self.result is not None

    @property
    def trustworthy(self) -> bool:
        """A model was fitted, it converged and no coefficient is flagged."""
        return self.fitted and not self.flags

    @property
    def note(self) -> str:
        """All notes in one sentence-per-note string (``""`` when there is nothing to say)."""
        return " ".join(n[:1].upper() + n[1:] + ("" if n.endswith(".") else ".") for n in self.notes)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values)


def _observed_levels(values: pd.Series) -> list:
    """Levels that occur: in category order for a categorical, else sorted."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.remove_unused_categories().cat.categories)
    present = pd.unique(values.dropna().to_numpy(dtype=object))
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def _term(covariate: str, level, reference) -> str:
    """Name of the design column for ``level`` of ``covariate`` against its ``reference`` level."""
    return f"{covariate}[{level} vs {reference}]"


def covariate_coding(
    table: pd.DataFrame,
    covariates: list[str],
    reference: dict[str, str] | None = None,
) -> tuple[dict[str, tuple[object, list]], list[str]]:
    """How each text or categorical covariate is coded: ``{covariate: (reference level, other
    levels)}`` over the levels that occur (category order for a categorical, else sorted), and notes.
    The reference is ``reference[covariate]`` when given (matched as text), else the most frequent
    level (ties: the first level), which a note states. A reference for a covariate that is not a
    text or categorical covariate, or a level that does not occur, is a ``ValueError`` listing the
    choices."""
    reference = dict(reference or {})
    categorical = [c for c in covariates if not _is_numeric(table[c])]
    for col in reference:
        if col not in categorical:
            kind = "numeric" if col in covariates else "not among the covariates"
            choices = ", ".join(map(repr, categorical)) or "none"
            raise ValueError(
                f"reference level given for '{col}', which is {kind}; reference levels apply to "
                f"the text or categorical covariates: {choices}"
            )
    coding, notes = {}, []
    for col in categorical:
        values = table[col]
        levels = _observed_levels(values)
        if col in reference:
            wanted = str(reference[col])
            ref = next((lvl for lvl in levels if str(lvl) == wanted), None)
            if ref is None:
                raise ValueError(
                    f"reference level {wanted!r} for '{col}' is not one of its levels: "
                    f"{', '.join(repr(str(lvl)) for lvl in levels)}"
                )
        elif levels:
            counts = values.value_counts()
            top = int(counts.max())
            ref = next(lvl for lvl in levels if int(counts.get(lvl, 0)) == top)
            if len(levels) > 1:
                notes.append(
                    f"'{col}': reference level '{ref}' (the most frequent: {top:,} of "
                    f"{int(values.notna().sum()):,} rows)"
                )
        else:
            ref = None
        coding[col] = (ref, [lvl for lvl in levels if lvl != ref])
    return coding, notes


def _design(
    table: pd.DataFrame, covariates: list[str], coding: dict[str, tuple[object, list]]
) -> pd.DataFrame:
    """The numeric design of ``covariates`` under ``coding``; NaN where a value is missing or a level
    is not in the coding."""
    parts = []
    for col in covariates:
        values = table[col]
        if col not in coding:
            parts.append(values.astype(float).rename(col))
            continue
        ref, others = coding[col]
        as_object = values.astype(object)
        known = as_object.isin([ref, *others]) & values.notna()
        for level in others:
            parts.append((as_object == level).astype(float).where(known).rename(_term(col, level, ref)))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=table.index)


def _terms(covariates, coding: dict[str, tuple[object, list]]) -> dict[str, str]:
    """Design column -> the covariate it comes from."""
    out = {}
    for col in covariates:
        if col in coding:
            ref, others = coding[col]
            out |= {_term(col, level, ref): col for level in others}
        else:
            out[col] = col
    return out


def design_matrix(
    table: pd.DataFrame, covariates: list[str], reference: dict[str, str] | None = None
) -> pd.DataFrame:
    """Numeric design for Cox: numeric and boolean columns as they are; text or categorical columns
    as indicators of each level that occurs against the reference level (``reference[column]``, else
    the most frequent level, ties to the first), named ``col[level vs reference]``; NaN where a value
    is missing. See :func:`covariate_coding`."""
    coding, _ = covariate_coding(table, covariates, reference)
    return _design(table, covariates, coding)


def _independent_columns(x: np.ndarray) -> list[int]:
    """Positions of the columns of ``x`` kept in order while each adds to the rank (after centring
    and scaling), so constant columns and linear combinations of earlier ones are left out."""
    kept: list[int] = []
    if len(x) == 0:
        return kept
    centred = x - x.mean(axis=0)
    scale = centred.std(axis=0)
    for j in range(x.shape[1]):
        if scale[j] == 0:
            continue
        trial = centred[:, kept + [j]] / scale[kept + [j]]
        if np.linalg.matrix_rank(trial) == len(kept) + 1:
            kept.append(j)
    return kept


def cox_fit(
    table: pd.DataFrame,
    covariates: list[str],
    strata_col: str | None = None,
    ties: str = "efron",
    *,
    reference: dict[str, str] | None = None,
) -> CoxFit:
    """Cox proportional-hazards regression (statsmodels ``PHReg``, Efron ties by default) of
    ``duration`` (days)/``churned`` on ``covariates``, with delayed entry from ``entry`` and an optional
    stratification column (a separate baseline hazard per stratum). Text or categorical covariates are
    coded against ``reference`` levels (``{covariate: level}``; default the most frequent level, stated
    in the notes); see :func:`design_matrix`.

    Never raises on thin data: rows with a missing covariate are left out (counted in the notes);
    covariates or design columns that are constant, have one level only, or are linear combinations of
    others are left out (``dropped``); without churn events or without a covariate left, or when the
    fit fails, no model is fitted (``result`` None) and ``note`` says why. A fit that does not converge
    or whose coefficient runs off (separation: |coef| or its standard error beyond ``RUNAWAY_COEF`` /
    ``RUNAWAY_SE`` per standard deviation of the covariate) is flagged per coefficient (``flags``)."""
    covariates = list(covariates)
    coding, notes = covariate_coding(table, covariates, reference)
    exog = _design(table, covariates, coding)
    dropped = {
        col: ("one level only" if coding[col][0] is not None else "no values")
        for col in covariates
        if col in coding and not coding[col][1]
    }
    keep = exog.notna().all(axis=1).to_numpy()
    if not keep.all():
        notes.append(f"{int((~keep).sum()):,} of {len(keep):,} rows with a missing covariate left out")
    exog = exog[keep]
    duration = table["duration"].to_numpy(float)[keep]
    event = table["churned"].to_numpy(int)[keep]
    entry = table["entry"].to_numpy(float)[keep] if "entry" in table and (table["entry"] > 0).any() else None
    strata = table[strata_col].astype(str).to_numpy()[keep] if strata_col else None
    x = exog.to_numpy(float)
    kept = _independent_columns(x)
    for j, name in enumerate(exog.columns):
        if j not in kept:
            constant = len(x) == 0 or np.ptp(x[:, j]) == 0
            dropped[name] = (
                "constant in the rows fitted" if constant else "a linear combination of the others"
            )
    exog = exog.iloc[:, kept]
    if dropped:
        notes.append("left out: " + "; ".join(f"'{k}' ({v})" for k, v in dropped.items()))

    def unfitted(reason: str) -> CoxFit:
        return CoxFit(
            None,
            exog.iloc[:, :0],
            duration,
            event,
            entry,
            strata,
            tuple(covariates),
            coding,
            tuple(notes + [reason]),
            {},
            dropped,
        )

    if not (event == 1).any():
        return unfitted("no churn events: a Cox model cannot be fitted")
    if exog.shape[1] == 0:
        return unfitted("no covariate left to fit: hazard ratios need a covariate that varies")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = PHReg(
                duration, exog.to_numpy(float), status=event, entry=entry, strata=strata, ties=ties
            ).fit()
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError) as err:
            return unfitted(f"the Cox fit failed ({type(err).__name__}: {err})")
    handled = (ModelWarning, RuntimeWarning)  # non-convergence, singular Hessian, overflow
    problems = sorted({str(w.message).split(".")[0] for w in caught if issubclass(w.category, handled)})
    for w in caught:  # anything else is not ours to swallow
        if not issubclass(w.category, handled):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    params = np.asarray(result.params, float)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(np.asarray(result.cov_params(), float)))
    sd = exog.to_numpy(float).std(axis=0)
    flags = {}
    for name, b, s, spread in zip(exog.columns, params, se, sd):
        reasons = [f"the fit did not converge cleanly ({'; '.join(problems)})"] if problems else []
        if not (np.isfinite(b) and np.isfinite(s)):
            reasons.append("no finite estimate or standard error")
        elif abs(b) * spread > RUNAWAY_COEF or s * spread > RUNAWAY_SE:
            reasons.append(
                f"the coefficient runs off (coef {b:.3g}, SE {s:.3g}): separation, e.g. a level "
                "or range with no churn or only churn"
            )
        if reasons:
            flags[name] = "; ".join(reasons) + ": not trustworthy"
    if flags:
        notes.append(f"not trustworthy: {', '.join(map(repr, flags))} (see the note per row)")
    return CoxFit(
        result, exog, duration, event, entry, strata, tuple(covariates), coding, tuple(notes), flags, dropped
    )


def hazard_ratios(fit: CoxFit, alpha: float = 0.05) -> pd.DataFrame:
    """Per covariate: ``coef`` (log hazard ratio), ``hazard ratio`` with its ``1 - alpha`` interval,
    ``p-value``. A hazard ratio below 1 means a lower churn hazard (longer active life). A ``note``
    column appears when something must be said: flagged coefficients (no convergence, separation:
    not trustworthy) and rows for covariates left out (NaN numbers, the reason). Without a model, one
    row ``"no model"`` with NaN numbers and the fit's note."""
    columns = ["coef", "hazard ratio", "lower 95%", "upper 95%", "p-value"]
    if not fit.fitted:
        return pd.DataFrame([[np.nan] * 4 + [NO_P, fit.note]], columns=columns + ["note"], index=["no model"])
    params = fit.params
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", over="ignore"):
        se = np.sqrt(np.diag(fit.cov))
        pvalues = 2 * stats.norm.sf(np.abs(params.to_numpy() / se))
        out = pd.DataFrame(
            {
                "coef": params.round(4),
                "hazard ratio": np.exp(params).round(3),
                "lower 95%": np.exp(params - z * se).round(3),
                "upper 95%": np.exp(params + z * se).round(3),
                "p-value": [f"{p:.3g}" if p > 1e-300 else ("< 1e-300" if p >= 0 else NO_P) for p in pvalues],
            },
            index=params.index,
        )
    notes = [fit.flags.get(name, "") for name in out.index]
    if fit.dropped:
        left_out = pd.DataFrame({c: np.nan for c in columns[:4]} | {"p-value": NO_P}, index=list(fit.dropped))
        out = pd.concat([out, left_out])
        notes += [f"left out: {reason}" for reason in fit.dropped.values()]
    return with_notes(out, notes)


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
    resid = pd.DataFrame(np.vstack(rows) if rows else np.zeros((0, x.shape[1])), columns=fit.exog.columns)
    resid.insert(0, "stratum", labels)
    resid.insert(0, "time", np.asarray(times, float))
    return resid


def ph_test(fit: CoxFit, transform: str = "km") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Proportional-hazards check (Grambsch and Therneau): scaled Schoenfeld residuals
    (``beta + n_events * r @ V``) and, per covariate and globally, the chi-square test of a zero slope
    against ``g(time)`` (time in days), with ``transform`` ``"km"`` (1 - Kaplan-Meier, R's default),
    ``"rank"`` or ``"identity"``. Returns ``(tests, scaled residuals)``; a small p-value says the
    covariate's effect changes over time (stratify on it or add a time interaction).

    A ``note`` column appears when something must be said: flagged coefficients (see :func:`cox_fit`),
    no test possible (all events at one time). Without a model, ``tests`` is one ``GLOBAL`` row with a
    NaN statistic and the fit's note, and the scaled residuals are an empty frame with ``time``."""
    if transform not in ("km", "rank", "identity"):
        raise ValueError(f"transform must be 'km', 'rank' or 'identity', not {transform!r}")
    if not fit.fitted:
        tests = pd.DataFrame(
            [_no_test(0, f"no model: {fit.note}")], index=pd.Index(["GLOBAL"], name="covariate")
        )
        return tests, pd.DataFrame({"time": np.zeros(0)})
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
    else:
        g = t
    g = g - g.mean()
    ssg = float(g @ g)
    scaled = pd.DataFrame(fit.params.to_numpy() + n_events * r @ v, columns=cols)
    scaled.insert(0, "time", t)
    if ssg <= 0:
        note = "all churn events at one time: nothing to test"
        tests = pd.DataFrame(
            [_no_test(1, note) for _ in cols] + [_no_test(len(cols), note)], index=cols + ["GLOBAL"]
        )
        tests.index.name = "covariate"
        return tests, scaled
    u = g @ r  # score-like vector
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per = n_events * (u @ v) ** 2 / (np.diag(v) * ssg)
        glob = float(n_events * (u @ v @ u) / ssg)
    tests = pd.DataFrame(
        [chi_square_result(float(c), 1) if np.isfinite(c) else _no_test(1, "not finite") for c in per],
        index=cols,
    )
    tests.loc["GLOBAL"] = (
        chi_square_result(glob, len(cols)) if np.isfinite(glob) else _no_test(len(cols), "not finite")
    )
    tests.index.name = "covariate"
    if fit.flags:
        tests = with_notes(tests, [fit.flags.get(c, "") for c in tests.index])
    return tests, scaled


def worst_ph_covariate(tests: pd.DataFrame) -> str | None:
    """The covariate with the largest proportional-hazards chi-square in :func:`ph_test`'s ``tests``
    (the one to plot), or ``None`` when no covariate has a finite statistic (no model, no test)."""
    per = tests.drop(index="GLOBAL", errors="ignore")
    chi = pd.to_numeric(per["chi-square"], errors="coerce").dropna() if "chi-square" in per else per
    return str(chi.idxmax()) if len(chi) else None


# --------------------------------------------------------------------------- gaps and early warning
def gap_table(tx: pd.DataFrame, observation_end=None) -> pd.DataFrame:
    """Every inter-purchase gap as a survival record: for each purchase occasion, ``duration`` = days
    to the customer's next occasion (``event`` 1) or to the observation end (censored, 0), with
    ``occasion`` (1 = first purchase, so occasion 1 rows are the time to the second purchase) and
    ``customer_id``. Gaps of one customer are not independent: point estimates are fine, standard
    errors are somewhat too narrow."""
    occ = occasions(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end]
    occ["occasion"] = occ.groupby("customer_id", sort=False).cumcount() + 1
    nxt = occ.groupby("customer_id", sort=False)["date"].shift(-1)
    return pd.DataFrame(
        {
            "customer_id": occ["customer_id"].to_numpy(),
            "occasion": occ["occasion"].to_numpy(),
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


def _step(km: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Survival just after time t (right-continuous step function)."""
    idx = np.searchsorted(km["time"].to_numpy(), t, side="right") - 1
    return km["survival"].to_numpy()[np.clip(idx, 0, None)]


def early_warning(
    tx: pd.DataFrame,
    churn_days: int,
    horizon_days: int = 90,
    observation_end=None,
    top: int | None = None,
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
    end = end_of_observation(tx["date"], observation_end)
    occ = occasions(tx[tx["date"] <= end])
    per = occ.groupby("customer_id").agg(
        first=("date", "min"), last=("date", "max"), occasions=("date", "size"), spend=("amount", "sum")
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
        s_g = _step(km, g)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_churn[m] = np.where(
                g + horizon_days >= churn_days, _step(km, np.full_like(g, churn_days)) / s_g, 0.0
            )
            p_quiet[m] = _step(km, g + horizon_days) / s_g
    per["P(churn in horizon)"] = np.nan_to_num(p_churn, nan=1.0).round(3)
    per["P(no purchase in horizon)"] = np.nan_to_num(p_quiet, nan=1.0).round(3)
    per["annual spend"] = (per["spend"] / np.maximum(per["tenure"], 1) * 365.25).round(2)
    per["value at risk"] = (per["P(churn in horizon)"] * per["annual spend"]).round(2)
    out = per[
        [
            "occasions",
            "tenure",
            "silence",
            "spend",
            "annual spend",
            "P(no purchase in horizon)",
            "P(churn in horizon)",
            "value at risk",
        ]
    ].rename(columns={"silence": "days silent", "tenure": "tenure (days)"})
    out = out.sort_values(["value at risk", "P(churn in horizon)"], ascending=False, kind="stable")
    return out.head(top) if top else out


def _baseline_cumulative_hazard(fit: CoxFit) -> tuple[np.ndarray, np.ndarray]:
    """Times (days) and the baseline cumulative hazard of ``fit`` (Breslow, at covariates 0); without a
    model the Nelson-Aalen estimate of the fitted rows (a Cox model with no covariate)."""
    if fit.fitted:
        base = fit.result.baseline_cumulative_hazard
        return np.asarray(base[0][0], float), np.asarray(base[0][1], float)
    km = kaplan_meier(fit.duration, fit.event, fit.entry)
    at_risk = km["at risk"].to_numpy(float)
    increments = np.divide(km["events"].to_numpy(float), at_risk, out=np.zeros(len(km)), where=at_risk > 0)
    return km["time"].to_numpy(float), np.cumsum(increments)


def conditional_churn(fit: CoxFit, table: pd.DataFrame, horizon_days: int = 90) -> pd.Series:
    """For customers still at risk (``churned == 0``) in a duration table (e.g. subscriptions):
    ``1 - S(t + h | x) / S(t | x)``, the probability of churning within ``horizon_days`` given they
    have lasted ``t = duration`` days, from the Cox model ``fit`` (Breslow baseline, covariates of
    ``table`` coded as in the fit: same reference levels; NaN where a covariate is missing or has a
    level the fit has not seen). Without a model (see :attr:`CoxFit.note`), the Nelson-Aalen estimate
    of the fitted rows: the same probability for every customer with the same duration."""
    if fit.strata is not None:
        raise ValueError("conditional_churn needs an unstratified model")
    times, cumhaz = _baseline_cumulative_hazard(fit)
    active = table[table["churned"] == 0]
    if fit.fitted:
        covariates = list(fit.covariates) or list(dict.fromkeys(c.split("[")[0] for c in fit.exog.columns))
        coding = fit.coding if fit.covariates else covariate_coding(table, covariates)[0]
        exog = _design(active, covariates, coding).reindex(columns=fit.exog.columns)
        with np.errstate(over="ignore"):
            risk = np.exp(exog.to_numpy(float) @ fit.params.to_numpy())
    else:
        risk = np.ones(len(active))

    def h0(t):
        idx = np.searchsorted(times, t, side="right") - 1
        return np.where(idx >= 0, cumhaz[np.clip(idx, 0, None)], 0.0)

    t = active["duration"].to_numpy(float)
    with np.errstate(invalid="ignore", over="ignore"):
        p = 1 - np.exp(-(h0(t + horizon_days) - h0(t)) * risk)
    return pd.Series(p, index=active.index, name=f"P(churn within {horizon_days} days)")


# ---------------------------------------------------------------------------- threshold sensitivity
def threshold_sensitivity(
    tx: pd.DataFrame, thresholds, observation_end=None, horizons=(90, 365)
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
        table = churn_table(tx, int(c), observation_end, landmark_days=0)  # no covariates needed here
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


# ------------------------------------------------------------------------ one entry point per notebook
@dataclass(frozen=True)
class SurvivalData:
    """What notebook 02 analyses: a duration table (``duration`` and ``entry`` in days, ``churned``
    0/1, and covariates), the transactions it came from (``None`` for a ready-made duration table),
    the group columns for curves and log-rank tests, the Cox covariates and the value column for
    ranking. ``notes`` say what was decided on the way (unit conversion, event words, reference levels,
    groups or covariates left out, thin data); :func:`describe` shows them. ``reference`` maps each
    text or categorical Cox covariate to its reference level (pass it on:
    ``cox_fit(data.table, data.covariates, reference=data.reference)``)."""

    table: pd.DataFrame
    tx: pd.DataFrame | None
    groups: list[str]
    covariates: list[str]
    value_col: str | None
    churn_days: int | None
    notes: list[str] = field(default_factory=list)
    reference: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return "transactions" if self.tx is not None else "duration table"


LANDMARK_DAYS = 30  # early behaviours are measured in the first 30 days after the first purchase
TRANSACTION_GROUPS = ["first order value", "first basket size", "repeat within 30 days"]
TRANSACTION_COVARIATES = ["log2 first order value", "first basket (units)", "repeat within 30 days"]
TRANSACTION_REFERENCE = {"repeat within 30 days": "no"}  # where the level occurs: "yes vs no" reads best


def tiers(values: pd.Series, labels=("low", "mid", "high"), unit: str = "$") -> pd.Series:
    """Equal-count tiers of ``values`` that never fail on ties (ranks break them, so equal values can
    only straddle a boundary if they are the boundary) labelled with their value ranges, ordered.
    Fewer values than labels: one tier per value, the lowest labels."""
    ranks = values.rank(method="first")
    k = min(len(labels), len(values))
    if k == len(labels):
        codes = np.asarray(pd.qcut(ranks, len(labels), labels=False))
    else:
        codes = (ranks.to_numpy() - 1).astype(int) if len(values) else np.zeros(0, int)
    names = []
    for i, label in enumerate(labels[:k]):
        part = values[codes == i]
        names.append(f"{label} ({unit}{part.min():,.0f}-{unit}{part.max():,.0f})")
    return pd.Categorical.from_codes(codes.astype(int), categories=names, ordered=True)


def _data_notes(table: pd.DataFrame, groups: list[str]) -> list[str]:
    """What a duration table is too thin for: no events, no time, one customer, one-level groups."""
    notes = []
    if len(table) < 2:
        notes.append(f"{len(table)} customer(s): too few for bands, tests or a Cox model")
    if len(table) and not (table["churned"] == 1).any():
        notes.append("no churn events: survival stays at 100%, no median, no log-rank test, no Cox model")
    if len(table) and not (table["duration"] > 0).any():
        notes.append("every duration is 0: nothing is observed after day 0")
    for g in groups:
        if table[g].nunique() < 2:
            notes.append(f"group '{g}' has {table[g].nunique()} level(s): nothing to compare")
    return notes


def _check_duration_columns(
    table: pd.DataFrame, groups: list[str], covs: list[str], value_col: str | None
) -> pd.DataFrame:
    """Refuse columns that are missing, a value column that is not numbers, and a text covariate that is
    a broken numeric column (numbers in at least ``NUMERIC_SHARE`` of its rows). Returns the table with
    the value column as numbers."""
    value_cols = [value_col] if value_col else []
    for name, cols in (("group_cols", groups), ("covariates", covs), ("value_col", value_cols)):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ValueError(
                f"{name}: column(s) {', '.join(map(repr, missing))} not in the duration table; "
                f"columns found: {', '.join(map(str, table.columns))}"
            )
    if value_col:
        raw = table[value_col]
        parsed = pd.to_numeric(raw, errors="coerce")
        refuse(value_col, parsed.isna() & raw.notna(), len(table), "are not numbers", raw)
        table = table.assign(**{value_col: parsed.astype(float)})
    for col in covs:
        values = table[col]
        if _is_numeric(values) or isinstance(values.dtype, pd.CategoricalDtype):
            continue
        present = values.dropna()
        parsed = pd.to_numeric(present, errors="coerce")
        if len(present) and parsed.notna().mean() >= NUMERIC_SHARE:
            refuse(
                col,
                parsed.isna(),
                len(table),
                "are not numbers, though the other rows are (a numeric "
                "column with bad values: fix them or leave the rows out)",
                present,
            )
    return table


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
    *,
    duration_unit: str = "days",
    reference: dict[str, str] | None = None,
    id_col: str | None = None,
) -> SurvivalData:
    """Build the analysis input. With ``survival_table`` (a path or frame of subscription-style data,
    see :func:`load_survival_table`) the transactions are not used and ``group_cols``, ``covariates``
    and ``value_col`` name its columns; ``duration_unit`` (``"days"``, ``"weeks"`` = 7 days or
    ``"months"`` = 365.25 / 12 days) is the unit of its duration and entry columns, converted to days.
    Otherwise the churn table is built from ``tx`` with ``churn_days`` (durations in days) and gets the
    early-behaviour groups (first order value tier, first basket size, repeat within 30 days) and Cox
    covariates (log2 first order value, so the hazard ratio is per doubling; first basket in units;
    repeat within 30 days); without a quantity column, first basket size is left out of both.

    ``reference`` (``{covariate: level}``) names the reference level of text or categorical Cox
    covariates (default: the most frequent level; for the transactions, "no" for repeat within 30
    days); the resolved levels are in ``.reference``. ``id_col`` (duration table only) becomes the
    index, so the early-warning list shows customer ids. Bad input (missing or bad columns, an unknown
    unit or reference level) is a ``ValueError``; thin data gives ``.notes``."""
    duration_factor(duration_unit)
    if survival_table is not None:
        table, notes = _read_duration_table(
            survival_table, duration_col, event_col, entry_col, id_col, duration_unit
        )
        groups, covs = list(group_cols or []), list(covariates or [])
        table = _check_duration_columns(table, groups, covs, value_col)
        coding, ref_notes = covariate_coding(table, covs, reference)
        resolved = {c: str(ref) for c, (ref, _) in coding.items() if ref is not None}
        notes += ref_notes + _data_notes(table, groups)
        return SurvivalData(table, None, groups, covs, value_col, churn_days, notes, resolved)
    if tx is None:
        raise ValueError("give transactions (tx) or a survival_table")
    if churn_days is None:
        raise ValueError("churn_days is needed to build a churn table from transactions")
    early_repeat = churn_days > LANDMARK_DAYS  # the 30-day window must close before churn can be seen
    table = churn_table(tx, churn_days, observation_end, LANDMARK_DAYS if early_repeat else 0)
    spend = table["first order value"].copy()
    table["first order value"] = tiers(spend)
    basket = table["first basket"]
    table["first basket size"] = pd.Categorical(
        np.where(
            basket.isna(),
            "unknown",
            np.where(basket <= 1, "1 unit", np.where(basket == 2, "2 units", "3+ units")),
        ),
        categories=["1 unit", "2 units", "3+ units", "unknown"],
        ordered=True,
    ).remove_unused_categories()
    table["repeat within 30 days"] = pd.Categorical(
        np.where(table["repeat within 30 days"].astype(bool), "yes", "no"), categories=["no", "yes"]
    )
    table["log2 first order value"] = np.log2(spend.clip(lower=1.0))
    table["first basket (units)"] = basket
    notes = []
    groups = list(TRANSACTION_GROUPS)
    if not early_repeat:
        groups.remove("repeat within 30 days")
        notes.append(
            f"the churn threshold ({churn_days} days) is not longer than the {LANDMARK_DAYS}-day window "
            "of the early repeat, which would then look into the outcome: 'repeat within 30 days' is "
            "left out of the groups and the Cox covariates"
        )
    no_quantity = "quantity" not in tx.columns or tx["quantity"].isna().all()
    if no_quantity:
        groups.remove("first basket size")
        notes.append(
            "no quantity in the transactions: first basket size is left out of the groups and "
            "the Cox covariates"
        )
    covs = [
        c
        for c in TRANSACTION_COVARIATES
        if not (no_quantity and c == "first basket (units)")
        and not (not early_repeat and c == "repeat within 30 days")
        and table[c].notna().all()
    ]
    if not no_quantity and "first basket (units)" not in covs:
        notes.append(
            f"first basket (units) left out of the Cox covariates: "
            f"{int(basket.isna().sum())} customers have no quantity on their first day"
        )
    covariate_coding(table, covs, reference)  # refuses an unknown covariate or level before defaults apply
    preferred = {
        c: lvl for c, lvl in TRANSACTION_REFERENCE.items() if c in covs and lvl in set(table[c].astype(str))
    }
    coding, ref_notes = covariate_coding(table, covs, preferred | dict(reference or {}))
    resolved = {c: str(ref) for c, (ref, _) in coding.items() if ref is not None}
    notes += ref_notes + _data_notes(table, groups)
    return SurvivalData(table, tx, groups, covs, "total spend", churn_days, notes, resolved)


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


def early_warning_list(
    data: SurvivalData, horizon_days: int = 90, top: int = 15, fit: CoxFit | None = None, observation_end=None
) -> pd.DataFrame:
    """The early-warning list for either source: from transactions, :func:`early_warning` (silence-
    conditional churn probability by occasion band, ranked by value at risk); from a duration table,
    :func:`conditional_churn` with the Cox model ``fit``, ranked by probability x ``value_col``
    (``horizon_days`` and ``tenure (days)`` in days). For a duration table, a ``note`` column says when
    the model behind the probabilities is missing (``fit`` None or not fitted: the overall churn curve,
    Nelson-Aalen, is used) or flagged; without churn events the list is a one-row note."""
    if data.tx is not None:
        return early_warning(data.tx, data.churn_days, horizon_days, observation_end, top=top)
    if not (data.table["churned"] == 1).any():
        return pd.DataFrame({"note": ["no churn events: no early-warning probabilities"]})
    given = fit is not None
    if fit is None:
        fit = cox_fit(data.table, [])  # no covariates: no model, the Nelson-Aalen baseline
    p = conditional_churn(fit, data.table, horizon_days)
    active = (data.table["churned"] == 0).to_numpy()  # positional: safe with repeated index labels
    out = data.table.loc[active, ["duration"] + ([data.value_col] if data.value_col else [])].copy()
    out = out.rename(columns={"duration": "tenure (days)"})
    out[p.name] = p.to_numpy().round(3)
    value = out[data.value_col].to_numpy(float) if data.value_col else 1.0
    out["value at risk"] = (p.to_numpy() * value).round(2 if data.value_col else 3)
    if not fit.fitted:
        why = fit.notes[-1] if given else "none given"
        out["note"] = f"no Cox model ({why}): the overall churn curve, the same for every covariate value"
    elif not fit.trustworthy:
        out["note"] = "the Cox model is flagged (see hazard_ratios): probabilities not trustworthy"
    return out.sort_values("value at risk", ascending=False, kind="stable").head(top)


# ---------------------------------------------------------------------------- notebook-level tables
def describe(data: SurvivalData) -> pd.Series:
    """What is being analysed: source, churn threshold, customers, churn events, censored, customers
    with delayed entry, and the longest follow-up (days); then one ``note k`` row per note of ``data``."""
    table = data.table
    facts = {
        "source": data.source,
        "churn threshold (days)": data.churn_days if data.tx is not None else "given by the table",
        "customers": len(table),
        "churned (events)": int(table["churned"].sum()),
        "censored": int((table["churned"] == 0).sum()),
        "with delayed entry": int((table["entry"] > 0).sum()),
        "longest follow-up (days)": float(table["duration"].max()),
    }
    facts |= {f"note {k}": note for k, note in enumerate(data.notes, start=1)}
    return pd.Series(facts, name="value", dtype=object)


def km_panels(table: pd.DataFrame, groups: list[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """Kaplan-Meier curves per level of each group column: ``{group column: {level: km table}}``."""
    return {g: km_by_group(table, g) for g in groups}


def group_summary(table: pd.DataFrame, groups: list[str], horizons=(90, 180, 365)) -> pd.DataFrame:
    """:func:`survival_summary` for each group column, stacked with a ``(group, level)`` index; a
    ``note`` column (``""`` where there is nothing to say) when any level is thin."""
    parts = {g: survival_summary(table, g, horizons) for g in groups}
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, names=["group", "level"])
    out.index = out.index.set_levels([lvl.astype(str) for lvl in out.index.levels])
    if "note" in out:
        out["note"] = out["note"].fillna("")
    return out


def logrank_table(table: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """A log-rank test per group column: levels, chi-square, df, p-value, -log10 p; a ``note`` column
    when a group cannot be tested (e.g. "one level only: nothing to compare", NaN statistic)."""
    rows, notes = [], []
    for g in groups:
        result = logrank(table, g)
        notes.append(result.get("note", ""))
        rows.append(
            {"group": g, "levels": int(table[g].nunique())} | result.drop("note", errors="ignore").to_dict()
        )
    return with_notes(pd.DataFrame(rows), notes).set_index("group") if rows else pd.DataFrame()


def refit_for_ph(
    data: SurvivalData, fit: CoxFit, tests: pd.DataFrame, alpha: float = 0.001
) -> tuple[CoxFit, str]:
    """Where proportional hazards fail (per-covariate p < ``alpha``), refit with the worst offender as
    a stratum (its own baseline hazard, no coefficient); a numeric covariate with more than five
    values is stratified by its tertiles; the other covariates keep the fit's reference levels. Returns
    the model to report and a sentence saying what was done. Without a failure, or without a test
    (no model, no finite statistic), the original fit is returned."""
    per = tests.drop(index="GLOBAL", errors="ignore")
    chi = pd.to_numeric(per["chi-square"], errors="coerce").dropna() if "chi-square" in per else pd.Series()
    if not fit.fitted or chi.empty:
        why = fit.notes[-1] if not fit.fitted and fit.notes else "no finite test statistic"
        return fit, f"No proportional-hazards test was possible ({why}); the model stands as fitted."
    failing = chi[[log_chi2_sf(float(c), 1) < math.log(alpha) for c in chi]]
    if failing.empty:
        return fit, f"No covariate fails proportional hazards at p < {alpha:g}; the model stands as fitted."
    worst_column = failing.idxmax()
    source = _terms(fit.covariates, fit.coding).get(worst_column) or next(
        c for c in data.covariates if worst_column == c or worst_column.startswith(f"{c}[")
    )
    table = data.table.copy()
    values = table[source]
    if values.nunique() > 5 and pd.api.types.is_numeric_dtype(values):
        table["_stratum"] = pd.qcut(values.rank(method="first"), 3, labels=["low", "mid", "high"]).astype(str)
        how = "its tertiles"
    else:
        table["_stratum"] = values.astype(str)
        how = "its levels"
    others = [c for c in (fit.covariates or data.covariates) if c != source]
    reference = {c: str(fit.coding[c][0]) for c in others if c in fit.coding and fit.coding[c][0] is not None}
    refit = cox_fit(table, others, strata_col="_stratum", reference=reference)
    return refit, (
        f"'{source}' fails proportional hazards (chi-square {chi[worst_column]:,.1f}, 1 df), "
        f"so the model is refitted stratified by {how}: each stratum gets its own baseline hazard "
        f"and the other covariates keep one hazard ratio."
    )


def delayed_entry_check(
    table: pd.DataFrame, truth: pd.DataFrame, horizons=(90, 180, 365, 730)
) -> pd.DataFrame:
    """Survival (%) at the horizons (days): the truth of a simulation, Kaplan-Meier with delayed entry,
    and Kaplan-Meier that ignores it (treating late joiners as observed from their start)."""
    with_entry = kaplan_meier(table["duration"], table["churned"], table["entry"])
    naive = kaplan_meier(table["duration"], table["churned"])
    follow = float(table["duration"].max())
    out = pd.DataFrame(
        {
            "days": list(horizons),
            "truth": [100 * float(np.interp(h, truth["days"], truth["survival"])) for h in horizons],
            "KM with delayed entry": 100 * survival_at(with_entry, horizons, follow)["survival"].to_numpy(),
            "KM ignoring entry": 100 * survival_at(naive, horizons, follow)["survival"].to_numpy(),
        }
    )
    return out.set_index("days").round(1)


def _notes_of(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(n for n in frame["note"].astype(str) if n)) if "note" in frame else []


def headline_figures(
    data: SurvivalData,
    overall: pd.DataFrame,
    hazard_table: pd.DataFrame | None,
    logranks: pd.DataFrame,
    warning: pd.DataFrame,
) -> dict:
    """What notebook 02 records: source, threshold, customers, churned share, survival at the
    horizons, the median, the strongest log-rank group, each hazard ratio that can be trusted (a
    flagged or left-out one is not recorded as a number; the notes are; none without a
    ``hazard_table``), and the early-warning list's value at risk. Notes of the inputs are recorded as
    text under ``... note`` keys."""
    figures: dict = {
        "source": data.source,
        "churn threshold (days)": data.churn_days,
        "customers": len(data.table),
        "churned (%)": round(100 * float(data.table["churned"].mean()), 1)
        if len(data.table)
        else float("nan"),
    }
    row = overall.iloc[0]
    figures |= {c: row[c] for c in overall.columns if c.startswith("S(") or c.startswith("median")}
    if _notes_of(overall):
        figures["survival note"] = " | ".join(_notes_of(overall))
    chi = pd.to_numeric(logranks["chi-square"], errors="coerce").dropna() if "chi-square" in logranks else []
    if len(chi):
        best = chi.idxmax()
        figures["strongest log-rank"] = (
            f"{best}: chi-square {float(chi[best]):,.1f}, df {logranks.loc[best, 'df']}"
        )
    hazard_table = pd.DataFrame({"hazard ratio": []}) if hazard_table is None else hazard_table
    notes = hazard_table["note"] if "note" in hazard_table else pd.Series("", index=hazard_table.index)
    figures |= {
        f"HR {name}": float(hr)
        for name, hr in hazard_table["hazard ratio"].items()
        if np.isfinite(hr) and not notes[name]
    }
    if _notes_of(hazard_table):
        figures["hazard ratio note"] = " | ".join(f"{name}: {n}" for name, n in notes.items() if n)
    if "value at risk" in warning:
        figures["early-warning list: value at risk"] = round(float(warning["value at risk"].sum()), 2)
    else:
        figures["early-warning list: note"] = " | ".join(_notes_of(warning)) or "no list"
    return figures
