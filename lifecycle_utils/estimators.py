"""Generic survival estimators over a duration table (``duration`` and ``entry`` in days, ``churned`` 0/1):
Kaplan-Meier, log-rank, Cox, Schoenfeld residuals, the proportional-hazards test and the conditional
probability of the event within a horizon. Nothing here knows about transactions.

Statistical conventions: Kaplan-Meier through ``SurvfuncRight`` with pointwise log-log
(exponential Greenwood) 95% bands, as R and lifelines; log-rank through ``survdiff`` reported as a
chi-square statistic with its degrees of freedom (the p-value underflows to 0 on large data, so
``-log10 p`` is computed from the log survival function); Cox through ``PHReg`` with **Efron** ties
(statsmodels defaults to Breslow, which matches neither R nor lifelines); proportional hazards checked
with scaled Schoenfeld residuals computed with the same Efron weighting. A text or categorical Cox
covariate is coded as indicators against a reference level (given, or the most frequent level).
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

from lifecycle_utils._messages import with_notes

__all__ = [
    "NO_CUSTOMERS",
    "NO_P",
    "RUNAWAY_COEF",
    "RUNAWAY_SE",
    "kaplan_meier",
    "survival_at",
    "median_survival",
    "survival_summary",
    "km_by_group",
    "restricted_mean",
    "logrank",
    "log_chi2_sf",
    "chi_square_result",
    "CoxFit",
    "covariate_coding",
    "design_matrix",
    "cox_fit",
    "hazard_ratios",
    "concordance",
    "schoenfeld_residuals",
    "ph_test",
    "worst_ph_covariate",
    "is_numeric_covariate",
    "term_covariates",
    "km_step",
    "conditional_churn",
]

NO_CUSTOMERS = pd.DataFrame({"note": ["no customers: nothing to estimate"]})


NO_P = "n/a"  # the p-value text where no test could be made


# a Cox coefficient "runs off" (separation: a level or range with no churn, or only churn) when, per
# standard deviation of its covariate, |coef| exceeds RUNAWAY_COEF (a hazard ratio beyond e^10 ~ 22,000)
# or its standard error exceeds RUNAWAY_SE (a 95% interval wider than a factor e^39)
RUNAWAY_COEF = 10.0


RUNAWAY_SE = 10.0


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
        return NO_CUSTOMERS.copy()
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


def restricted_mean(duration, event, entry=None, *, horizon: float, alpha: float = 0.05) -> dict:
    """Restricted mean survival time (RMST, days): the area under the Kaplan-Meier curve from 0 to
    ``horizon`` (days), i.e. the expected active life counted up to the horizon, with its standard
    error and ``1 - alpha`` normal interval. The variance is the standard one from the Kaplan-Meier
    curve (Greenwood-type, Klein and Moeschberger 4.5):
    ``sum over event times t_i <= horizon of A_i^2 d_i / (n_i (n_i - d_i))`` with
    ``A_i`` the area under the curve from ``t_i`` to the horizon (terms with ``n_i = d_i`` are 0).

    Returns ``{"rmst", "se", "lower", "upper", "horizon", "note"}``. Where the curve is not observed up to
    the horizon (the longest duration is shorter) or there are no customers, the numbers are NaN and
    ``"note"`` says why; without churn events the RMST is the horizon itself with a zero standard
    error."""
    duration = np.asarray(duration, float)
    nan = {"rmst": np.nan, "se": np.nan, "lower": np.nan, "upper": np.nan, "horizon": float(horizon)}
    if len(duration) == 0:
        return nan | {"note": "no customers: nothing to estimate"}
    if not duration.max() >= horizon:
        return nan | {
            "note": f"follow-up ends at {duration.max():,.0f} days, before the horizon of {horizon:,.0f} days"
        }
    km = kaplan_meier(duration, event, entry, alpha)
    km = km[km["time"] <= horizon]
    times = km["time"].to_numpy(float)
    surv = km["survival"].to_numpy(float)
    widths = np.diff(np.append(times, float(horizon)))
    areas = surv * widths
    rmst = float(areas.sum())
    tail = np.cumsum(areas[::-1])[::-1]  # area from each time to the horizon
    n_risk = km["at risk"].to_numpy(float)
    d = km["events"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (n_risk > d), tail**2 * d / (n_risk * (n_risk - d)), 0.0)
    se = float(np.sqrt(terms.sum()))
    z = stats.norm.ppf(1 - alpha / 2)
    return {
        "rmst": rmst,
        "se": se,
        "lower": float(rmst - z * se),
        "upper": float(rmst + z * se),
        "horizon": float(horizon),
        "note": km.attrs.get("note", ""),
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
    coefficient running off); ``dropped`` the covariates or design columns left out (name -> reason);
    ``strata_col`` the column whose levels got a baseline hazard of their own (``None``: no strata).
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
    strata_col: str | None = None

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


def is_numeric_covariate(values: pd.Series) -> bool:
    """True for a numeric or boolean column (one coefficient); text and categoricals are coded as levels."""
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
    categorical = [c for c in covariates if not is_numeric_covariate(table[c])]
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


def term_covariates(covariates, coding: dict[str, tuple[object, list]]) -> dict[str, str]:
    """Design column (a Cox term such as ``Contract[One year vs Month-to-month]``) -> the covariate it
    comes from, for the ``covariates`` and their ``coding`` (see :func:`covariate_coding`)."""
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
    *,
    strata_col: str | None = None,
    ties: str = "efron",
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
    or whose coefficient runs off (separation: the absolute coefficient or its standard error beyond
    ``RUNAWAY_COEF`` / ``RUNAWAY_SE`` per standard deviation of the covariate) is flagged per
    coefficient (``flags``)."""
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
            strata_col,
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
        result,
        exog,
        duration,
        event,
        entry,
        strata,
        tuple(covariates),
        coding,
        tuple(notes),
        flags,
        dropped,
        strata_col,
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


def concordance(fit: CoxFit, *, chunk: int = 2000) -> dict:
    """Harrell's concordance index (C) of a Cox model on the rows it was fitted to: among comparable
    pairs (customer ``i`` churned at ``t_i`` and customer ``j`` lasted longer, ``t_j > t_i``, or was
    censored at ``t_i`` or later), the share in which the model gives ``i`` the higher risk
    (linear predictor ``x b``); ties in risk count one half, pairs churning at the same time are not
    comparable (as lifelines' ``concordance_index``). In a stratified model only pairs within one
    stratum are compared. 0.5 is no better than chance, 1 a perfect ranking.

    Returns ``{"concordance", "comparable pairs", "concordant", "tied", "note"}``; without a model
    or without comparable pairs the index is NaN and ``"note"`` says why. Pairs are counted in
    blocks of ``chunk`` churned customers (memory ``chunk x customers``)."""
    empty = {"concordance": np.nan, "comparable pairs": 0, "concordant": 0.0, "tied": 0.0}
    if not fit.fitted:
        return empty | {"note": f"no model: {fit.note}"}
    risk = fit.exog.to_numpy(float) @ fit.params.to_numpy()
    t, e = fit.duration, fit.event
    strata = np.zeros(len(t), dtype=object) if fit.strata is None else np.asarray(fit.strata, dtype=object)
    codes = pd.factorize(strata)[0]
    events = np.flatnonzero(e == 1)
    pairs = concordant = tied = 0.0
    for start in range(0, len(events), chunk):
        i = events[start : start + chunk]
        ti, ri, si = t[i, None], risk[i, None], codes[i, None]
        comparable = ((t > ti) | ((t == ti) & (e == 0))) & (codes == si)
        pairs += comparable.sum()
        concordant += (comparable & (risk < ri)).sum()
        tied += (comparable & (risk == ri)).sum()
    if pairs == 0:
        return empty | {"note": "no comparable pairs: nothing to rank"}
    return {
        "concordance": float((concordant + 0.5 * tied) / pairs),
        "comparable pairs": int(pairs),
        "concordant": float(concordant),
        "tied": float(tied),
        "note": "",
    }


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
        g = 1 - km_step(kaplan_meier(fit.duration, fit.event, fit.entry), t)
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


def km_step(km: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Kaplan-Meier survival just after each time in ``t`` (the right-continuous step function of a
    :func:`kaplan_meier` table; 1 before the first time)."""
    idx = np.searchsorted(km["time"].to_numpy(), t, side="right") - 1
    return km["survival"].to_numpy()[np.clip(idx, 0, None)]


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
