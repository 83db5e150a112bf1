"""What notebook 02 calls: :func:`prepare` builds one :class:`SurvivalData` from either source (a
transaction log or a duration table), and the notebook's tables (:func:`describe`, :func:`group_summary`,
:func:`logrank_table`, :func:`early_warning_list`, ...) and :func:`headline_figures` read it, so the
notebook's cells stay one call each whichever source it runs on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from lifecycle_utils._messages import refuse, require_columns, with_notes
from lifecycle_utils.estimators import (
    CoxFit,
    concordance,
    conditional_churn,
    covariate_coding,
    cox_fit,
    is_numeric_covariate,
    kaplan_meier,
    km_by_group,
    log_chi2_sf,
    logrank,
    restricted_mean,
    survival_at,
    survival_summary,
    term_covariates,
)
from lifecycle_utils.summary import end_of_observation, occasion_sequence
from lifecycle_utils.survival.churn import churn_table, early_warning, gap_table
from lifecycle_utils.survival.inputs import NUMERIC_SHARE, duration_factor, read_duration_table

if TYPE_CHECKING:  # a type only: the survival layer does not depend on clv at run time
    from lifecycle_utils.clv import PredictedValue

__all__ = [
    "SurvivalData",
    "LANDMARK_DAYS",
    "PH_ALPHA",
    "TRANSACTION_GROUPS",
    "TRANSACTION_COVARIATES",
    "GROUP_TERMS",
    "TRANSACTION_REFERENCE",
    "BUILT_IN_GROUPS",
    "tiers",
    "rmst_table",
    "landmark",
    "last_purchase_day",
    "model_concordance",
    "prepare",
    "second_purchase_table",
    "early_warning_list",
    "longest_follow_up",
    "describe",
    "km_panels",
    "group_summary",
    "logrank_table",
    "refit_for_ph",
    "delayed_entry_check",
    "headline_figures",
]


# ------------------------------------------------------------------------ one entry point per notebook
@dataclass(frozen=True)
class SurvivalData:
    """What notebook 02 analyses: a duration table (``duration`` and ``entry`` in days, ``churned``
    0/1, and covariates), the transactions it came from (``None`` for a ready-made duration table),
    the group columns for curves and log-rank tests, the Cox covariates and the value column for
    ranking. ``notes`` say what was decided on the way (unit conversion, event words, reference levels,
    groups or covariates left out, thin data); :func:`describe` shows them. ``reference`` maps each
    text or categorical Cox covariate to its reference level (pass it on:
    ``cox_fit(data.table, data.covariates, reference=data.reference)``). ``observation_end`` is the
    end of observation of the transactions (``None`` for a duration table). ``time_scale`` is
    ``"active life"`` (from transactions: days from the first purchase to the purchase that starts the
    churning silence, censored ``churn_days`` before the end; or the table's own durations) or
    ``"to visible churn"`` (:func:`landmark` from transactions: days from the last purchase of the first
    ``LANDMARK_DAYS`` to the day the silence reaches the threshold, censored at the end)."""

    table: pd.DataFrame
    tx: pd.DataFrame | None
    groups: list[str]
    covariates: list[str]
    value_col: str | None
    churn_days: int | None
    notes: list[str] = field(default_factory=list)
    reference: dict[str, str] = field(default_factory=dict)
    observation_end: pd.Timestamp | None = None
    time_scale: str = "active life"

    @property
    def source(self) -> str:
        return "transactions" if self.tx is not None else "duration table"


LANDMARK_DAYS = 30  # early behaviours are measured in the first 30 days after the first purchase


# a covariate "fails" proportional hazards when its Grambsch-Therneau test has a p-value below this;
# :func:`refit_for_ph` then stratifies on it
PH_ALPHA = 0.001


TRANSACTION_GROUPS = ["first order value", "first basket size", "repeat within 30 days"]


TRANSACTION_COVARIATES = ["log2 first order value", "first basket (units)", "repeat within 30 days"]


# each transaction group and the Cox term that measures the same behaviour (for reading a group's
# log-rank contrast beside that term's hazard ratio with the other covariates held fixed)
GROUP_TERMS = {"first order value": "log2 first order value", "first basket size": "first basket (units)"}


TRANSACTION_REFERENCE = {"repeat within 30 days": "no"}  # where the level occurs: "yes vs no" reads best


# groups whose difference in survival is partly built in by their definition, with why. Time runs from the
# first purchase, so a group defined by what a customer did after it is known only for those who were still
# active then: a "yes" customer's active life is at least as long as the wait for that repeat. Their
# log-rank test and hazard ratio are reported with this caveat, and the strongest contrast the notebook
# records (headline_figures) is chosen among the other groups. The landmark analysis (:func:`landmark`)
# removes it and gives the estimate of the association.
BUILT_IN_GROUPS = {
    "repeat within 30 days": (
        "a customer in the 'yes' group cannot churn before their repeat purchase, so none of them can "
        "churn on day 0"
    )
}


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
        require_columns(table.columns, cols, label=f"{name} (the duration table)")
    if value_col:
        raw = table[value_col]
        parsed = pd.to_numeric(raw, errors="coerce")
        refuse(value_col, parsed.isna() & raw.notna(), len(table), "are not numbers", raw)
        table = table.assign(**{value_col: parsed.astype(float)})
    for col in covs:
        values = table[col]
        if is_numeric_covariate(values) or isinstance(values.dtype, pd.CategoricalDtype):
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
    *,
    observation_end=None,
    survival_table=None,
    duration_col: str = "duration",
    event_col: str = "churned",
    entry_col: str | None = None,
    group_cols: list[str] | None = None,
    covariates: list[str] | None = None,
    value_col: str | None = None,
    duration_unit: str = "days",
    reference: dict[str, str] | None = None,
    id_col: str | None = None,
) -> SurvivalData:
    """Build the analysis input. With ``survival_table`` (a path or frame of subscription-style data,
    see :func:`~lifecycle_utils.survival.inputs.load_survival_table`) the transactions are not used
    and ``group_cols``, ``covariates`` and ``value_col`` name its columns; ``duration_unit``
    (``"days"``, ``"weeks"`` = 7 days or ``"months"`` = 365.25 / 12 days) is the unit of its duration
    and entry columns, converted to days.
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
        table, notes = read_duration_table(
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
    table = churn_table(
        tx, churn_days, observation_end=observation_end, landmark_days=LANDMARK_DAYS if early_repeat else 0
    )
    spend = table["first_spend"]
    table["first order value"] = tiers(spend)
    basket = table["first_basket"]
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
        np.where(table["early_repeat"].astype(bool), "yes", "no"), categories=["no", "yes"]
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
    end = end_of_observation(tx["date"], observation_end)
    return SurvivalData(table, tx, groups, covs, "total_spend", churn_days, notes, resolved, end)


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
    data: SurvivalData,
    horizon_days: int = 90,
    *,
    top: int = 15,
    fit: CoxFit | None = None,
    observation_end=None,
    predicted: PredictedValue | None = None,
) -> pd.DataFrame:
    """The early-warning list for either source: from transactions,
    :func:`~lifecycle_utils.survival.churn.early_warning` (silence-conditional churn probability by
    occasion band, ranked by value at risk: the probability times each customer's predicted future
    value when ``predicted`` (``clv.predicted_value``) holds one, else past annual spend) with only the
    customers who can churn within the horizon (probability above 0: a silence within ``horizon_days``
    of the threshold), so the list holds at most ``top`` of them and is shorter when fewer can churn;
    from a duration table, :func:`~lifecycle_utils.estimators.conditional_churn` with the Cox
    model ``fit``, ranked by probability x ``value_col``
    (``horizon_days`` and ``tenure (days)`` in days). For a duration table, a ``note`` column says when
    the model behind the probabilities is missing (``fit`` None or not fitted: the overall churn curve,
    Nelson-Aalen, is used) or flagged; without churn events the list is a one-row note."""
    if data.tx is not None:
        every = early_warning(
            data.tx,
            data.churn_days,
            horizon_days=horizon_days,
            observation_end=observation_end,
            future_value=None if predicted is None else predicted.values,
        )
        return every[every["P(churn in horizon)"] > 0].head(top)
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
def longest_follow_up(data: SurvivalData) -> float:
    """The longest time (days) for which a customer's churn can be seen: from transactions, the days
    from the earliest first purchase to the end of observation minus ``churn_days`` (the last
    ``churn_days`` days cannot show churn); for a duration table, the longest duration. NaN without
    customers."""
    table = data.table
    if table.empty:
        return float("nan")
    if data.tx is not None and "tenure" in table:
        if data.time_scale == "to visible churn":  # the whole follow-up can show churn
            return float(table["tenure"].max())
        return float(table["tenure"].max() - data.churn_days)
    return float(table["duration"].max())


def describe(data: SurvivalData) -> pd.Series:
    """What is being analysed: source, churn threshold, (from transactions) the customers in the log
    up to the end of observation, the customers evaluated, churn events (and those on day 0, tied on the
    same day), censored, customers with
    delayed entry, and the longest follow-up (days, :func:`longest_follow_up`); then one ``note k``
    row per note of ``data``."""
    table = data.table
    facts: dict = {
        "source": data.source,
        "churn threshold (days)": data.churn_days if data.tx is not None else "given by the table",
    }
    if data.tx is not None:
        seen = data.tx if data.observation_end is None else data.tx[data.tx["date"] <= data.observation_end]
        facts["customers in the log"] = int(seen["customer_id"].nunique())
    facts |= {
        "customers": len(table),
        "churned (events)": int(table["churned"].sum()),
        "churned on day 0": int(((table["churned"] == 1) & (table["duration"] == 0)).sum()),
        "censored": int((table["churned"] == 0).sum()),
        "with delayed entry": int((table["entry"] > 0).sum()),
        "longest follow-up (days)": longest_follow_up(data),
    }
    facts |= {f"note {k}": note for k, note in enumerate(data.notes, start=1)}
    return pd.Series(facts, name="value", dtype=object)


def km_panels(table: pd.DataFrame, groups: list[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """Kaplan-Meier curves per level of each group column: ``{group column: {level: km table}}``."""
    return {g: km_by_group(table, g) for g in groups}


def group_summary(table: pd.DataFrame, groups: list[str], horizons=(90, 180, 365)) -> pd.DataFrame:
    """:func:`~lifecycle_utils.estimators.survival_summary` for each group column, stacked with
    a ``(group, level)`` index; a ``note`` column (``""`` where there is nothing to say) when any
    level is thin."""
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


def rmst_table(
    table: pd.DataFrame, groups: list[str], *, horizon: float | None = None, alpha: float = 0.05
) -> pd.DataFrame:
    """Restricted mean active life (days) up to a horizon
    (:func:`~lifecycle_utils.estimators.restricted_mean`), overall (group ``all``) and per level
    of each group column, with its ``1 - alpha`` interval; for each level after the first, the
    ``difference (days)`` from the first level (``against``) with its interval (the two estimates are
    from separate customers, so their variances add).

    The horizon (``up to (days)``) is ``horizon`` (default: the longest duration observed), cut to the
    follow-up that every level of a group reaches (the shortest of its levels' longest durations), so
    the levels of a group are always compared over the same days; a ``note`` says where it was cut.
    Index ``(group, level)``; ``attrs["horizon"]`` is the horizon asked for (days)."""
    zq = stats.norm.ppf(1 - alpha / 2)
    longest = float(table["duration"].max()) if len(table) else float("nan")
    asked = longest if horizon is None else float(horizon)
    rows, notes = [], []
    parts = [("all", [("all", table)])] + [
        (g, [(str(level), part) for level, part in table.groupby(g, observed=True, sort=True)])
        for g in groups
    ]
    for group, levels in parts:
        reach = min((float(part["duration"].max()) for _, part in levels if len(part)), default=float("nan"))
        tau = min(asked, reach) if np.isfinite(reach) else asked
        cut = ""
        if tau < asked:
            whose = "the data's" if group == "all" else "every level's"
            cut = f"up to {tau:,.0f} days, {whose} longest follow-up, not {asked:,.0f}"
        if not tau > 0:
            where = "" if group == "all" else " in every level"
            cut = f"no follow-up beyond day 0{where}: nothing to compare"
        first = None
        for level, part in levels:
            r = restricted_mean(
                part["duration"], part["churned"], part.get("entry"), horizon=tau, alpha=alpha
            )
            if not tau > 0:
                r = r | {"rmst": np.nan, "se": np.nan, "lower": np.nan, "upper": np.nan, "note": ""}
            row = {
                "group": group,
                "level": level,
                "customers": len(part),
                "up to (days)": tau,
                "restricted mean (days)": r["rmst"],
                "lower 95%": r["lower"],
                "upper 95%": r["upper"],
                "against": "",
                "difference (days)": np.nan,
                "difference lower 95%": np.nan,
                "difference upper 95%": np.nan,
            }
            if first is None:
                first = (level, r)
            else:
                diff = r["rmst"] - first[1]["rmst"]
                half = zq * math.sqrt(r["se"] ** 2 + first[1]["se"] ** 2)
                row |= {
                    "against": first[0],
                    "difference (days)": diff,
                    "difference lower 95%": diff - half,
                    "difference upper 95%": diff + half,
                }
            rows.append(row)
            notes.append("; ".join(n for n in (cut, r["note"]) if n))
    out = with_notes(pd.DataFrame(rows), notes).set_index(["group", "level"])
    numbers = [c for c in out.columns if c not in ("customers", "against", "note")]
    out[numbers] = out[numbers].astype(float).round(1)
    out.attrs["horizon"] = asked
    return out


def landmark(data: SurvivalData, landmark_days: int = LANDMARK_DAYS) -> SurvivalData:
    """The early behaviours compared from a landmark at ``landmark_days`` (L, days since the first
    purchase or start), using only what is known at L to decide who is compared and from when.

    From a duration table: the customers still active at L (``duration > L``, known at L), with time
    counted from L (``duration - L``, ``entry`` shifted by L, not below 0); those who churned or were
    censored by L are left out.

    From transactions, the active-life time scale dates a churn back to the last purchase before the
    silence, so "still active at L" is not known at L: keeping ``duration > L`` would keep only customers
    with a purchase after L (a future event), who cannot churn between L and that purchase. Instead no
    churn can be seen before day ``churn_days`` (> L), so every customer is at risk at L; time is counted
    from each customer's last purchase in the first L days (known at L) to the day the churn becomes
    visible (the silence reaches ``churn_days``), censored at the end of observation:
    ``duration + churn_days - last purchase day``, ``tenure`` likewise from that purchase
    (``time_scale`` ``"to visible churn"``). Counting from that purchase removes the part of an early
    repeat's contrast that is mechanical (a purchase on day r pushes the earliest churn back by r days).

    Returns the landmark data (same groups with more than one level, covariates and references;
    ``notes[0]`` says what was done). L shorter than the early-behaviour window
    (:data:`LANDMARK_DAYS`) would let the window look past the start: a ``ValueError``."""
    if data.tx is not None and landmark_days < LANDMARK_DAYS:
        raise ValueError(
            f"landmark_days ({landmark_days}) must be at least the {LANDMARK_DAYS}-day window of the "
            "early behaviours, or they would be measured after the landmark"
        )
    if data.tx is not None:
        return _landmark_from_transactions(data, landmark_days)
    table = data.table
    beyond = table["duration"] > landmark_days
    kept = table[beyond].copy()
    kept["duration"] = kept["duration"] - landmark_days
    kept["entry"] = (kept["entry"] - landmark_days).clip(lower=0.0)
    if "tenure" in kept:
        kept["tenure"] = kept["tenure"] - landmark_days
    churned_by = int(((~beyond) & (table["churned"] == 1)).sum())
    censored_by = int(((~beyond) & (table["churned"] == 0)).sum())
    note = (
        f"landmark at {landmark_days} days: {len(kept):,} of {len(table):,} customers are active beyond "
        f"day {landmark_days}; {churned_by:,} churned by then and {censored_by:,} were censored by then "
        "(left out); time is counted from the landmark"
    )
    groups = [g for g in data.groups if kept[g].nunique() > 1] if len(kept) else []
    notes = [note] + [
        f"group '{g}' has fewer than 2 levels at the landmark: left out"
        for g in data.groups
        if g not in groups
    ]
    notes += _data_notes(kept, groups)
    # a reference level that no longer occurs (thin data) falls back to the most frequent one
    reference = {c: r for c, r in data.reference.items() if r in set(kept[c].astype(str))}
    return replace(data, table=kept, groups=groups, notes=notes, reference=reference)


def last_purchase_day(tx: pd.DataFrame, first_purchase: pd.Series, within_days: int) -> pd.Series:
    """Days from each customer's first purchase (``first_purchase``, dates indexed by customer id) to
    their last purchase occasion within the first ``within_days`` days (0 when none followed the first;
    NaN for a customer not in ``tx``)."""
    occ = occasion_sequence(tx)
    day = (occ["date"] - occ["customer_id"].map(first_purchase)).dt.days
    early = day.between(0, within_days)
    return day[early].groupby(occ.loc[early, "customer_id"]).max().reindex(first_purchase.index).astype(float)


def _landmark_from_transactions(data: SurvivalData, landmark_days: int) -> SurvivalData:
    """:func:`landmark` from transactions: everyone, time from the last purchase in the first
    ``landmark_days`` days to visible churn."""
    table = data.table.copy()
    start = last_purchase_day(data.tx, table["first_purchase"], landmark_days)
    table["duration"] = table["duration"] + data.churn_days - start
    table["entry"] = 0.0
    table["tenure"] = table["tenure"] - start
    note = (
        f"landmark at {landmark_days} days: all {len(table):,} customers are at risk (no churn can be seen "
        f"before day {data.churn_days}); time is counted from each customer's last purchase in the first "
        f"{landmark_days} days to the day the churn becomes visible ({data.churn_days} days of silence), "
        "or the end of the data"
    )
    notes = [note] + _data_notes(table, data.groups)
    return replace(data, table=table, notes=notes, time_scale="to visible churn")


def model_concordance(fits: dict[str, CoxFit | None]) -> pd.DataFrame:
    """Harrell's C of each Cox model (:func:`~lifecycle_utils.estimators.concordance`), one row
    per ``{name: fit}``: ``concordance``, ``comparable pairs`` and ``customers`` fitted; a ``note``
    where it cannot be computed (no model, ``None``: not fitted)."""
    rows, notes = [], []
    for name, fit in fits.items():
        c = concordance(fit) if fit is not None else {"concordance": np.nan, "comparable pairs": 0}
        rows.append(
            {
                "model": name,
                "concordance": round(c["concordance"], 3) if np.isfinite(c["concordance"]) else np.nan,
                "comparable pairs": int(c["comparable pairs"]),
                "customers": len(fit.duration) if fit is not None else 0,
            }
        )
        notes.append(c.get("note", "not fitted"))
    return with_notes(pd.DataFrame(rows), notes).set_index("model")


def refit_for_ph(
    data: SurvivalData, fit: CoxFit, *, tests: pd.DataFrame, alpha: float = PH_ALPHA
) -> tuple[CoxFit, str]:
    """Where proportional hazards fail (per-covariate p < ``alpha``), refit with the worst offender as
    a stratum (its own baseline hazard, no coefficient; the refit's ``strata_col`` names it); a numeric
    covariate with more than five values is stratified by its tertiles; the other covariates keep the
    fit's reference levels. Returns the model to report and a sentence saying what was done. Without a
    failure, or without a test (no model, no finite statistic), the original fit is returned."""
    per = tests.drop(index="GLOBAL", errors="ignore")
    chi = pd.to_numeric(per["chi-square"], errors="coerce").dropna() if "chi-square" in per else pd.Series()
    if not fit.fitted or chi.empty:
        why = fit.notes[-1] if not fit.fitted and fit.notes else "no finite test statistic"
        return fit, f"No proportional-hazards test was possible ({why}); the model stands as fitted."
    failing = chi[[log_chi2_sf(float(c), 1) < math.log(alpha) for c in chi]]
    if failing.empty:
        return fit, f"No covariate fails proportional hazards at p < {alpha:g}; the model stands as fitted."
    worst_column = failing.idxmax()
    source = term_covariates(fit.covariates, fit.coding).get(worst_column) or next(
        c for c in data.covariates if worst_column == c or worst_column.startswith(f"{c}[")
    )
    table = data.table.copy()
    values = table[source]
    if values.nunique() > 5 and pd.api.types.is_numeric_dtype(values):
        table[source] = pd.Series(tiers(values, unit=""), index=table.index).astype(str)
        how = "its tertiles"
    else:
        table[source] = values.astype(str)
        how = "its levels"
    others = [c for c in (fit.covariates or data.covariates) if c != source]
    reference = {c: str(fit.coding[c][0]) for c in others if c in fit.coding and fit.coding[c][0] is not None}
    refit = cox_fit(table, others, strata_col=source, reference=reference)  # the stratum keeps its name
    return refit, (
        f"'{source}' fails proportional hazards (chi-square {chi[worst_column]:,.1f}, 1 df), "
        f"so the model is refitted stratified by {how}: each stratum gets its own baseline hazard "
        f"and the other covariates keep one hazard ratio."
    )


def delayed_entry_check(
    table: pd.DataFrame, truth: pd.DataFrame, horizons=(90, 180, 365, 730)
) -> pd.DataFrame:
    """Survival (%) at the horizons (days): the truth of a simulation, Kaplan-Meier with delayed entry,
    and Kaplan-Meier that ignores it (treating late joiners as observed from their start), and each
    estimate's error (percentage points, estimate minus truth)."""
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
    out["error with entry (points)"] = out["KM with delayed entry"] - out["truth"]
    out["error ignoring entry (points)"] = out["KM ignoring entry"] - out["truth"]
    return out.set_index("days").round(1)


def _notes_of(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(n for n in frame["note"].astype(str) if n)) if "note" in frame else []


def _number(value):
    """A table cell as a number where it is one (``"43.0 (42.3-43.6)"`` -> 43.0); text such as
    ``"not reached"`` stays text; ``"beyond follow-up"`` and missing values become ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    head = str(value).split(" (")[0].strip()
    try:
        return float(head)
    except ValueError:
        return None if head in ("beyond follow-up", "", "n/a") else head


def _log_p(row: pd.Series) -> float:
    """Natural log of a test's p-value from its chi-square and df (finite where the p-value underflows);
    NaN without a statistic."""
    chi, df = pd.to_numeric(row.get("chi-square"), errors="coerce"), row.get("df")
    if pd.isna(chi) or pd.isna(df) or int(df) < 1:
        return float("nan")
    return log_chi2_sf(float(chi), int(df))


def headline_figures(
    data: SurvivalData,
    overall: pd.DataFrame,
    *,
    hazard_table: pd.DataFrame | None,
    logranks: pd.DataFrame,
    warning: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    stratified_by: str | None = None,
    horizon_days: int | None = None,
    rmst: pd.DataFrame | None = None,
    concordances: pd.DataFrame | None = None,
    landmark_logranks: pd.DataFrame | None = None,
    landmark_hazards: pd.DataFrame | None = None,
    landmark_days: int | None = None,
    landmark_ph: pd.DataFrame | None = None,
    backtest: pd.DataFrame | None = None,
    predicted: PredictedValue | None = None,
) -> dict:
    """What notebook 02 records, each figure a number or a short text of its own:

    * source, churn threshold, customers, churned share (%), the longest follow-up (days);
    * survival (%) at each horizon of ``overall`` (``None`` beyond the follow-up), the median (days, or
      "not reached") and its interval, and the share of active lives that end on day 0 (%);
    * the churn events and those on day 0 (tied on the same day);
    * the strongest log-rank contrast (smallest p-value) among the groups not in
      :data:`BUILT_IN_GROUPS`: its group, chi-square, df and p-value (0.0 where it underflows); each
      built-in group tested, under ``groups built in by definition``, with its own ``log-rank <group>:
      chi-square``, ``df`` and ``p-value``; and with ``groups`` (:func:`group_summary`) the median of
      each level of these groups;
    * each hazard ratio that can be trusted with its 95% interval (a flagged or left-out one is not
      recorded as a number; the notes are; none without a ``hazard_table``), and the covariate the model
      is ``stratified_by``;
    * the early-warning list: its rows, what it is ranked by (probability times predicted value, past
      annual spend or the value column), the sum of its ``value at risk`` and the horizon
      (``horizon_days``); with a predicted value, the model and months behind it (of ``predicted``,
      ``clv.predicted_value``); ranked by past spend, why no predicted value was used (its note);
    * with ``rmst`` (:func:`rmst_table`): the restricted mean active life (days) with its interval and
      horizon, and each level's difference from its group's first level with its interval;
    * with ``concordances`` (:func:`model_concordance` rows): Harrell's C per model;
    * with ``landmark_logranks`` / ``landmark_hazards`` (the landmark population at ``landmark_days``):
      each group's log-rank chi-square, df and p-value and each trustworthy hazard ratio with its
      interval, under ``landmark ...`` keys, and with ``landmark_ph`` (the landmark model's
      ``ph_test`` table) the proportional-hazards p-value of each recorded ratio;
    * with ``backtest`` (the scores of :func:`~lifecycle_utils.survival.churn.backtest_warning`): its
      cutoff, customers scored, mean predicted and observed share, AUC, Brier, the constant's Brier and
      the largest decile gap, under ``backtest ...`` keys (NaN scores are left out; a note as text).

    Notes of the inputs are recorded as text under ``... note`` keys."""
    figures: dict = {
        "source": data.source,
        "churn threshold (days)": data.churn_days,
        "customers": len(data.table),
        "churned (%)": round(100 * float(data.table["churned"].mean()), 1)
        if len(data.table)
        else float("nan"),
        "longest follow-up (days)": longest_follow_up(data),
        "churned (events)": int(data.table["churned"].sum()),
        "churned on day 0": int(((data.table["churned"] == 1) & (data.table["duration"] == 0)).sum()),
    }
    row = overall.iloc[0] if len(overall) else pd.Series(dtype=object)
    for c in overall.columns:
        if c.startswith("S("):
            figures[c] = _number(row[c])
        elif c == "median days":
            figures[c] = _number(row[c])
        elif c == "median 95% CI":
            figures[c] = row[c]
    day0 = figures.get("S(0) %")
    if isinstance(day0, float):
        figures["active lives ending on day 0 (%)"] = round(100 - day0, 1)
    elif len(data.table):
        ends = (data.table["duration"] == 0) & (data.table["churned"] == 1) & (data.table["entry"] == 0)
        figures["active lives ending on day 0 (%)"] = round(100 * float(ends.mean()), 1)
    if _notes_of(overall):
        figures["survival note"] = " | ".join(_notes_of(overall))
    if "chi-square" in logranks and len(logranks):
        log_p = logranks.apply(_log_p, axis=1).dropna()
        built_in = [g for g in log_p.index if g in BUILT_IN_GROUPS]
        others = log_p.drop(index=built_in)
        medians = []
        if len(others):
            best = others.idxmin()
            medians.append(best)
            figures |= {
                "strongest log-rank group": str(best),
                "strongest log-rank chi-square": float(logranks.loc[best, "chi-square"]),
                "strongest log-rank df": int(logranks.loc[best, "df"]),
                "strongest log-rank p-value": math.exp(log_p[best]),
            }
        if built_in:
            figures["groups built in by definition"] = " | ".join(built_in)
        for g in built_in:
            medians.append(g)
            figures |= {
                f"log-rank {g}: chi-square": float(logranks.loc[g, "chi-square"]),
                f"log-rank {g}: df": int(logranks.loc[g, "df"]),
                f"log-rank {g}: p-value": math.exp(log_p[g]),
            }
        for g in medians:
            if groups is not None and len(groups) and g in groups.index.get_level_values(0):
                for level, median in groups.loc[g, "median days"].items():
                    figures[f"median days, {g}: {level}"] = _number(median)
    hazard_table = pd.DataFrame({"hazard ratio": []}) if hazard_table is None else hazard_table
    notes = hazard_table["note"] if "note" in hazard_table else pd.Series("", index=hazard_table.index)
    for name, hr in hazard_table["hazard ratio"].items():
        if np.isfinite(hr) and not notes[name]:
            figures[f"HR {name}"] = float(hr)
            figures[f"HR {name} lower 95%"] = float(hazard_table.loc[name, "lower 95%"])
            figures[f"HR {name} upper 95%"] = float(hazard_table.loc[name, "upper 95%"])
    if stratified_by is not None and len(hazard_table):
        figures["Cox model stratified by"] = stratified_by
    if _notes_of(hazard_table):
        figures["hazard ratio note"] = " | ".join(f"{name}: {n}" for name, n in notes.items() if n)
    if "value at risk" in warning:
        if "predicted value" in warning:
            ranked_by = "predicted value"
        elif "annual spend" in warning:
            ranked_by = "annual spend"
        else:
            ranked_by = data.value_col if data.value_col in warning else "churn probability"
        figures |= {
            "early-warning list: customers": len(warning),
            "early-warning list: ranked by": ranked_by,
            "early-warning list: value at risk": round(float(warning["value at risk"].sum()), 2),
        }
        if horizon_days is not None:
            figures["early-warning horizon (days)"] = int(horizon_days)
        if ranked_by == "predicted value" and predicted is not None:
            figures["early-warning list: value model"] = predicted.model
            figures["early-warning list: value months"] = int(predicted.months)
        elif ranked_by == "annual spend" and predicted is not None and predicted.note:
            figures["early-warning list: no predicted value"] = predicted.note
    else:
        figures["early-warning list: note"] = " | ".join(_notes_of(warning)) or "no list"
    figures |= _extra_figures(
        rmst, concordances, landmark_logranks, landmark_hazards, landmark_days, landmark_ph
    )
    figures |= _backtest_figures(backtest)
    return figures


def _backtest_figures(backtest: pd.DataFrame | None) -> dict:
    """The early-warning backtest's figures of :func:`headline_figures`."""
    if backtest is None or not len(backtest):
        return {}
    if list(backtest.columns) == ["note"]:
        return {"backtest note": " | ".join(_notes_of(backtest))}
    row = backtest.iloc[0]
    figures: dict = {"backtest cutoff": str(backtest.index[0])}
    for c in ["horizon (days)", "customers", "churned"]:
        figures[f"backtest {c}"] = int(row[c])
    for c in [
        "mean predicted",
        "observed share",
        "AUC",
        "Brier",
        "Brier of a constant",
        "largest decile gap",
        "AUC of days silent",
        "Brier gain",
        "Brier gain lower",
        "Brier gain upper",
    ]:
        if c in row and np.isfinite(row[c]):
            figures[f"backtest {c}"] = float(row[c])
    if _notes_of(backtest):
        figures["backtest note"] = " | ".join(_notes_of(backtest))
    return figures


def _extra_figures(
    rmst, concordances, landmark_logranks, landmark_hazards, landmark_days, landmark_ph=None
) -> dict:
    """The restricted mean, concordance and landmark figures of :func:`headline_figures`."""
    figures: dict = {}
    if rmst is not None and "restricted mean (days)" in rmst:
        for (group, level), row in rmst.iterrows():
            if not np.isfinite(row["restricted mean (days)"]):
                continue
            if group == "all":
                figures["restricted mean horizon (days)"] = float(row["up to (days)"])
                figures["restricted mean active life (days)"] = float(row["restricted mean (days)"])
                figures["restricted mean lower 95%"] = float(row["lower 95%"])
                figures["restricted mean upper 95%"] = float(row["upper 95%"])
            elif row["against"] and np.isfinite(row["difference (days)"]):
                key = f"restricted mean difference, {group}: {level} vs {row['against']} (days)"
                figures[f"restricted mean horizon, {group} (days)"] = float(row["up to (days)"])
                figures[key] = float(row["difference (days)"])
                figures[f"{key} lower 95%"] = float(row["difference lower 95%"])
                figures[f"{key} upper 95%"] = float(row["difference upper 95%"])
    if concordances is not None and "concordance" in concordances:
        for name, c in concordances["concordance"].items():
            if np.isfinite(c):
                figures[f"concordance: {name}"] = float(c)
    if landmark_days is not None and (landmark_logranks is not None or landmark_hazards is not None):
        figures["landmark (days)"] = int(landmark_days)
    if landmark_logranks is not None and "chi-square" in landmark_logranks:
        for g, row in landmark_logranks.iterrows():
            log_p = _log_p(row)
            if np.isfinite(log_p):
                figures |= {
                    f"landmark log-rank {g}: chi-square": float(row["chi-square"]),
                    f"landmark log-rank {g}: df": int(row["df"]),
                    f"landmark log-rank {g}: p-value": math.exp(log_p),
                }
    if landmark_hazards is not None and "hazard ratio" in landmark_hazards:
        notes = landmark_hazards["note"] if "note" in landmark_hazards else None
        for name, hr in landmark_hazards["hazard ratio"].items():
            if np.isfinite(hr) and not (notes is not None and notes[name]):
                figures[f"landmark HR {name}"] = float(hr)
                figures[f"landmark HR {name} lower 95%"] = float(landmark_hazards.loc[name, "lower 95%"])
                figures[f"landmark HR {name} upper 95%"] = float(landmark_hazards.loc[name, "upper 95%"])
                if landmark_ph is not None and name in landmark_ph.index and "chi-square" in landmark_ph:
                    log_p = _log_p(landmark_ph.loc[name])
                    if np.isfinite(log_p):
                        figures[f"landmark HR {name} PH p-value"] = math.exp(log_p)
    return figures
