"""RFM segmentation: recency, frequency, monetary value, tie-safe 1-5 scores, named segments and the
8-class customer value matrix (客户价值矩阵).

Definitions at a snapshot date ``s`` (customers with a first purchase on or before ``s``):

* ``recency``: days from the last purchase occasion to ``s`` (0 = bought on the snapshot day); a
  *high R score means recent*;
* ``frequency``: purchase occasions (customer-days) up to ``s``;
* ``monetary``: total spend up to ``s`` (currency of the data), or the mean spend per occasion with
  ``monetary="mean"``.

Scores are 1-5 per axis from cut points chosen among the *distinct* values (:func:`tie_safe_edges`), so
they never fail on ties (``pd.qcut`` raises when half the customers share one frequency) and identical
values always get identical scores; when ties make five balanced bins impossible the bins are as even
as the ties allow.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from lifecycle_utils.measures import auc, wilson_interval
from lifecycle_utils.summary import customer_summary, occasions
from lifecycle_utils.tables import money as money_text

__all__ = [
    "AXES",
    "rfm_values",
    "total_spend",
    "tie_safe_edges",
    "score",
    "score_rfm",
    "edges_table",
    "score_distribution",
    "SEGMENT_RULES",
    "NAIVE_RULES",
    "segment_rules",
    "segment_grid",
    "check_segment_map",
    "assign_segments",
    "segment_profile",
    "VALUE_CLASSES",
    "value_matrix",
    "INACTIVE_STAGES",
    "value_profile",
    "thresholds_table",
    "STAGE_PLAYS",
    "play_table",
    "plays_by_stage",
    "segment_plays_by_stage",
    "play_counts",
    "rf_heatmap",
    "pareto",
    "lorenz_curve",
    "migration",
    "GROWTH_SEGMENTS",
    "migration_from",
    "migration_activity",
    "crosstab",
    "next_period_outcome",
    "MIN_RANKED_CUSTOMERS",
    "MIN_RANKED_SHARE",
    "MIN_RANKED_FLOOR",
    "min_ranked_customers",
    "predictive_check",
    "next_period_per_customer",
    "BOOT_SAMPLES",
    "baseline_check",
    "headline_figures",
]

AXES = ("R", "F", "M")


# ------------------------------------------------------------------------------------------- values
def rfm_values(tx: pd.DataFrame | str | os.PathLike, snapshot, monetary: str = "total") -> pd.DataFrame:
    """Recency (days since the last purchase occasion), frequency (occasions) and monetary value
    (total or mean spend per occasion) per customer at ``snapshot``; rows after the snapshot are
    ignored. Index ``customer_id``.

    ``tx`` is a transactions frame or the path of a CSV/Parquet log with the schema's columns: a file
    is aggregated by DuckDB without loading it (logs larger than memory), through
    :func:`lifecycle_utils.summary.customer_summary`, so both give the same values."""
    if monetary not in {"total", "mean"}:
        raise ValueError(f"monetary must be 'total' or 'mean', not {monetary!r}")
    snap = pd.Timestamp(snapshot).normalize()
    per = customer_summary(tx, observation_end=snap, period="D")
    if per.empty:
        raise ValueError(f"no purchases on or before the snapshot {snap.date()}")
    return pd.DataFrame(
        {
            "recency": (snap - per["last_purchase"]).dt.days.astype(int),
            "frequency": per["occasions"].astype(int),
            "monetary": per["total_spend"] if monetary == "total" else per["total_spend"] / per["occasions"],
        }
    )


def total_spend(values: pd.DataFrame, monetary: str = "total") -> pd.Series:
    """Each customer's total spend (revenue) from an :func:`rfm_values` table made with ``monetary``:
    the monetary value itself for ``"total"``, mean spend per occasion times occasions for ``"mean"``."""
    if monetary not in {"total", "mean"}:
        raise ValueError(f"monetary must be 'total' or 'mean', not {monetary!r}")
    return values["monetary"] if monetary == "total" else values["monetary"] * values["frequency"]


# ------------------------------------------------------------------------------------------- scores
def tie_safe_edges(values: pd.Series, k: int = 5) -> list[float]:
    """Lower bounds of scores 2..k, chosen among the distinct values of ``values`` so that each score
    holds as close to an equal share of the rest as ties allow. Greedy: for each cut, the target
    cumulative share is the current share plus an equal split of what remains; the cut goes after the
    distinct value whose cumulative share is closest to it (each score keeps at least one distinct value).
    Fewer than ``k - 1`` edges come back when there are fewer than ``k`` distinct values."""
    counts = values.value_counts().sort_index()
    distinct = counts.index.to_numpy(float)
    cum = counts.cumsum().to_numpy() / counts.sum()
    n_distinct = len(distinct)
    edges: list[float] = []
    start_share, first = 0.0, 0  # share below the current score; its first distinct value
    for j in range(k - 1):
        bins_left = k - j
        if n_distinct - first < 2:
            break
        target = start_share + (1 - start_share) / bins_left
        # the current score ends at distinct value `last`; leave one value for each later score if possible
        latest = max(first, min(n_distinct - 2, n_distinct - bins_left))
        last = min(max(int(np.searchsorted(cum, target, side="left")), first), latest)
        if last > first and abs(cum[last - 1] - target) <= abs(cum[last] - target):
            last -= 1
        edges.append(float(distinct[last + 1]))
        start_share, first = float(cum[last]), last + 1
    return edges


def score(values: pd.Series, edges: list[float], higher_is_better: bool = True) -> pd.Series:
    """1 + the number of edges at or below each value (so ``edges`` are the lower bounds of scores
    2, 3, ...); with ``higher_is_better=False`` the scale is reversed (for recency: fewer days since
    the last purchase is better). Identical values get identical scores."""
    raw = 1 + np.searchsorted(np.asarray(edges, float), values.to_numpy(float), side="right")
    if not higher_is_better:
        raw = len(edges) + 2 - raw
    return pd.Series(raw.astype(int), index=values.index)


def score_rfm(values: pd.DataFrame, edges: dict[str, list[float]] | None = None) -> tuple[pd.DataFrame, dict]:
    """R, F and M scores (1-5) for an :func:`rfm_values` table. ``edges`` per axis (``"R"`` in days of
    recency, ascending; ``"F"`` in occasions; ``"M"`` in money) default to :func:`tie_safe_edges` of
    the data, so scores of two snapshots can share the cut points of one. Returns the table with
    ``R``, ``F``, ``M`` and ``RFM`` (e.g. ``"545"``) added, and the edges used."""
    edges = dict(edges or {})
    edges.setdefault("R", tie_safe_edges(values["recency"]))
    edges.setdefault("F", tie_safe_edges(values["frequency"]))
    edges.setdefault("M", tie_safe_edges(values["monetary"]))
    out = values.copy()
    out["R"] = score(values["recency"], edges["R"], higher_is_better=False)
    out["F"] = score(values["frequency"], edges["F"])
    out["M"] = score(values["monetary"], edges["M"])
    out["RFM"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    return out, edges


def _whole_range(lo: float, hi: float, least: int) -> str:
    """The whole numbers ``v`` with ``lo <= v < hi`` (no lower bound: from ``least``) as text: ``"2"``,
    ``"3 to 4"``, ``"6 or more"``."""
    first = least if np.isinf(lo) else max(least, math.ceil(lo))
    if np.isinf(hi):
        return f"{first:,} or more"
    last = math.ceil(hi) - 1
    if last < first:
        return "none"
    return f"{first:,}" if last == first else f"{first:,} to {last:,}"


def _money_range(lo: float, hi: float) -> str:
    """Amounts ``lo <= v < hi`` as text, the cut points to the cent: ``"$15.37 to under $31.76"``."""

    def edge(x: float) -> str:
        return money_text(x, 0 if x == round(x) else 2)

    if np.isinf(lo):
        return f"under {edge(hi)}"
    if np.isinf(hi):
        return f"{edge(lo)} or more"
    return f"{edge(lo)} to under {edge(hi)}"


def edges_table(edges: dict[str, list[float]]) -> pd.DataFrame:
    """The cut points as a readable table: per axis, the range of values behind each score. Recency
    (whole days, from 0) and frequency (purchase occasions, from 1) are whole numbers: ``"3 to 4"``,
    ``"6 or more"``; spend is money: ``"$15.37 to under $31.76"``."""
    rows = []
    for axis, unit in (("R", "days since last purchase"), ("F", "purchase occasions"), ("M", "spend")):
        e = edges[axis]
        bounds = [-np.inf] + list(e) + [np.inf]
        for s in range(1, len(e) + 2):
            lo, hi = bounds[s - 1], bounds[s]
            text = _money_range(lo, hi) if axis == "M" else _whole_range(lo, hi, 0 if axis == "R" else 1)
            sc = s if axis != "R" else len(e) + 2 - s
            rows.append({"axis": axis, "score": sc, "values": text, "unit": unit})
    return pd.DataFrame(rows).sort_values(["axis", "score"]).reset_index(drop=True)


def score_distribution(scored: pd.DataFrame) -> pd.DataFrame:
    """Customers per score (rows 1-5) on each axis (columns R, F, M)."""
    return pd.DataFrame(
        {a: scored[a].value_counts().reindex(range(1, 6), fill_value=0) for a in AXES}
    ).rename_axis("score")


# --------------------------------------------------------------------------------- named segments
def _rules(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "play"]
    )


# Ordered rules, first match wins; ordered from specific to general so that every segment is
# reachable and all 125 combinations are covered (checked by :func:`check_segment_map`).
SEGMENT_RULES = _rules(
    [
        ("Champions", 4, 5, 4, 5, 4, 5, "reward, early access, ask for reviews and referrals"),
        (
            "Can't Lose Them",
            1,
            2,
            4,
            5,
            4,
            5,
            "personal win-back: call, best offer, find out what went wrong",
        ),
        ("Need Attention", 3, 3, 3, 3, 1, 3, "limited-time offer based on past purchases"),
        ("Loyal Customers", 3, 5, 3, 5, 1, 5, "upsell higher-value products, loyalty programme"),
        ("At Risk", 1, 2, 3, 5, 1, 5, "personalised reactivation emails, renewals, helpful resources"),
        ("New Customers", 5, 5, 1, 1, 1, 5, "onboarding, early success, second-purchase incentive"),
        ("Promising", 4, 4, 1, 1, 1, 5, "build the relationship: free trials, recommendations"),
        ("Potential Loyalists", 3, 5, 2, 2, 1, 5, "membership or loyalty offer, recommend other products"),
        ("About To Sleep", 3, 3, 1, 1, 1, 5, "reconnect with popular products and discounts"),
        ("Hibernating", 2, 2, 1, 2, 1, 5, "relevant offers at low cost; do not over-invest"),
        ("Lost", 1, 1, 1, 2, 1, 5, "one low-cost win-back attempt, otherwise let go"),
    ]
)

# The widely copied 11-segment list (R, F, M ranges), evaluated first-match as it usually is: it leaves
# New Customers, Promising, Can't Lose Them and Lost unreachable. Kept to show the trap.
NAIVE_RULES = _rules(
    [
        ("Champions", 4, 5, 4, 5, 4, 5, ""),
        ("Loyal Customers", 2, 5, 3, 5, 3, 5, ""),
        ("Potential Loyalists", 3, 5, 1, 3, 1, 3, ""),
        ("New Customers", 4, 5, 1, 1, 1, 1, ""),
        ("Promising", 3, 4, 1, 1, 1, 1, ""),
        ("Need Attention", 2, 3, 2, 3, 2, 3, ""),
        ("About To Sleep", 2, 3, 1, 2, 1, 2, ""),
        ("At Risk", 1, 2, 2, 5, 2, 5, ""),
        ("Can't Lose Them", 1, 1, 4, 5, 4, 5, ""),
        ("Hibernating", 1, 2, 1, 2, 1, 2, ""),
        ("Lost", 1, 2, 1, 2, 1, 2, ""),
    ]
)


def segment_rules(rows=None) -> pd.DataFrame:
    """The segment map to use: :data:`SEGMENT_RULES`, or ``rows`` of ``(segment, r_min, r_max,
    f_min, f_max, m_min, m_max, play)`` given in a notebook's parameters (first match wins). The map is
    checked (:func:`check_segment_map`) before it is returned."""
    rules = SEGMENT_RULES if rows is None else _rules([tuple(r) for r in rows])
    check_segment_map(rules)
    return rules


def _match(rules: pd.DataFrame, r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Index of the first matching rule per row (-1 where none matches)."""
    out = np.full(len(r), -1)
    for i, rule in enumerate(rules.itertuples(index=False)):
        hit = (
            (out < 0)
            & (r >= rule.r_min)
            & (r <= rule.r_max)
            & (f >= rule.f_min)
            & (f <= rule.f_max)
            & (m >= rule.m_min)
            & (m <= rule.m_max)
        )
        out[hit] = i
    return out


def segment_grid(rules: pd.DataFrame = SEGMENT_RULES) -> pd.DataFrame:
    """All 125 (R, F, M) score combinations with the segment the rules give them (NaN where none)."""
    r, f, m = (a.ravel() for a in np.meshgrid(range(1, 6), range(1, 6), range(1, 6), indexing="ij"))
    idx = _match(rules, r, f, m)
    segment = np.where(idx >= 0, rules["segment"].to_numpy()[np.clip(idx, 0, None)], None)
    return pd.DataFrame({"R": r, "F": f, "M": m, "segment": segment})


def check_segment_map(rules: pd.DataFrame = SEGMENT_RULES, strict: bool = True) -> pd.DataFrame:
    """Combinations per segment over the 125-cell grid (first match wins). With ``strict``, raise
    ``ValueError`` naming the uncovered combinations and the unreachable segments."""
    grid = segment_grid(rules)
    counts = grid["segment"].value_counts().reindex(rules["segment"], fill_value=0)
    table = counts.rename("score combinations").to_frame()
    if strict:
        uncovered = grid[grid["segment"].isna()]
        unreachable = counts[counts == 0].index.tolist()
        problems = []
        if len(uncovered):
            cells = ", ".join(f"{a}{b}{c}" for a, b, c in uncovered[["R", "F", "M"]].head(5).to_numpy())
            problems.append(f"{len(uncovered)} of 125 combinations match no segment (e.g. {cells})")
        if unreachable:
            problems.append(
                f"segments never reached (an earlier rule takes all their cells): {', '.join(unreachable)}"
            )
        if problems:
            raise ValueError("; ".join(problems))
    return table


def assign_segments(scored: pd.DataFrame, rules: pd.DataFrame = SEGMENT_RULES) -> pd.Series:
    """The named segment of every customer (first matching rule), an ordered categorical in the
    rules' order; the map is checked first (:func:`check_segment_map`)."""
    check_segment_map(rules)
    idx = _match(rules, scored["R"].to_numpy(), scored["F"].to_numpy(), scored["M"].to_numpy())
    names = rules["segment"].to_numpy()[idx]
    return pd.Series(
        pd.Categorical(names, categories=list(rules["segment"]), ordered=True),
        index=scored.index,
        name="segment",
    )


def _small_notes(sizes: pd.Series, least: int) -> list[str]:
    """``"small: n customers"`` for groups with customers but fewer than ``least``, else ``""``."""
    return [f"small: {c} customer{'' if c == 1 else 's'}" if 0 < c < least else "" for c in sizes]


def segment_profile(
    scored: pd.DataFrame,
    labels: pd.Series,
    *,
    plays: pd.Series | None = None,
    monetary: str = "total",
    min_customers: int | None = None,
) -> pd.DataFrame:
    """Per segment: customers, share of customers (%), share of revenue (%: of all customers' total
    spend, whichever ``monetary`` the table was made with, see :func:`total_spend`), mean recency (days),
    mean frequency (occasions), mean monetary value (total or mean spend per occasion, as ``monetary``),
    the play of ``plays`` when given (a play per segment, blind to whether its customers still buy:
    :func:`segment_plays_by_stage` gives the play by stage), and a ``note`` ``"small: n customers"`` for
    segments with customers but fewer than ``min_customers`` (default :func:`min_ranked_customers` of
    all customers labelled, the rule of :func:`next_period_outcome`), whose means say little."""
    frame = scored.assign(segment=labels, _spend=total_spend(scored, monetary))
    g = frame.groupby("segment", observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "customers (%)": (100 * g.size() / len(frame)).round(1),
            "revenue (%)": (100 * g["_spend"].sum() / frame["_spend"].sum()).round(1),
            "mean recency (days)": g["recency"].mean().round(0),
            "mean frequency": g["frequency"].mean().round(2),
            "mean monetary": g["monetary"].mean().round(2),
        }
    )
    if plays is not None:
        out["play"] = plays.reindex(out.index)
    least = min_ranked_customers(len(frame)) if min_customers is None else int(min_customers)
    out["note"] = _small_notes(out["customers"], least)
    return out


# --------------------------------------------------------------------------------- value matrix
VALUE_CLASSES = pd.DataFrame(
    [
        (
            "high",
            "high",
            "high",
            "重要价值客户",
            "important value",
            "VIP care, exclusive perks; keep them exactly as they are",
        ),
        (
            "high",
            "low",
            "high",
            "重要发展客户",
            "important to develop",
            "raise frequency: membership, cross-sell, reminders",
        ),
        (
            "low",
            "high",
            "high",
            "重要保持客户",
            "important to retain",
            "re-engage now: personal contact before they lapse",
        ),
        (
            "low",
            "low",
            "high",
            "重要挽留客户",
            "important to win back",
            "win-back offer worth their past spend; find the reason",
        ),
        ("high", "high", "low", "一般价值客户", "general value", "upsell: bundles, higher-value products"),
        (
            "high",
            "low",
            "low",
            "一般发展客户",
            "general development",
            "nurture: onboarding, second-purchase incentive",
        ),
        (
            "low",
            "high",
            "low",
            "一般保持客户",
            "general retention",
            "low-cost retention: newsletters, points",
        ),
        (
            "low",
            "low",
            "low",
            "一般挽留客户",
            "general win-back",
            "low priority: cheap automated reactivation",
        ),
    ],
    columns=["R", "F", "M", "class", "class (en)", "play"],
)


def value_matrix(
    values: pd.DataFrame, threshold: str = "mean", *, recent_days: float | None = None
) -> tuple[pd.DataFrame, dict]:
    """The 8-class value matrix: each axis is *high* or *low* against the ``threshold`` (``"mean"`` or
    ``"median"``) of the customers at the snapshot: R is high when recency is *below* it (more recent
    than the mean or median: a relative cut, which on long-lapsed data can lie beyond any churn rule),
    F and M are high when *above* it (equal to the threshold counts as low). With ``recent_days`` (days
    since the last purchase, e.g. the churn threshold of notebook 01's stage rules) R is high below that
    many days instead. Returns a frame with ``R level``, ``F level``, ``M level``, ``class`` (Chinese),
    ``class (en)`` and ``play`` per customer, and the thresholds used (keys ``"<axis> threshold (<basis>)"``,
    basis ``mean``, ``median`` or ``days`` for a given ``recent_days``)."""
    if threshold not in {"mean", "median"}:
        raise ValueError(f"threshold must be 'mean' or 'median', not {threshold!r}")
    if recent_days is not None and not (np.isfinite(float(recent_days)) and float(recent_days) > 0):
        raise ValueError(f"recent_days must be a positive number of days, not {recent_days!r}")
    cut = {c: float(getattr(values[c], threshold)()) for c in ("recency", "frequency", "monetary")}
    basis = dict.fromkeys(cut, threshold)
    if recent_days is not None:
        cut["recency"], basis["recency"] = float(recent_days), "days"
    levels = pd.DataFrame(
        {
            "R": np.where(values["recency"] < cut["recency"], "high", "low"),
            "F": np.where(values["frequency"] > cut["frequency"], "high", "low"),
            "M": np.where(values["monetary"] > cut["monetary"], "high", "low"),
        },
        index=values.index,
    )
    merged = (
        levels.reset_index()
        .merge(VALUE_CLASSES, on=["R", "F", "M"], how="left")
        .set_index(levels.index.name or "index")
    )
    merged.index.name = values.index.name
    merged = merged.rename(columns={"R": "R level", "F": "F level", "M": "M level"})
    merged["class"] = pd.Categorical(merged["class"], categories=list(VALUE_CLASSES["class"]), ordered=True)
    return merged, {f"{k} threshold ({basis[k]})": round(v, 2) for k, v in cut.items()}


INACTIVE_STAGES = ("silent", "churned")  # stages whose customers no longer buy (notebook 01's rules)


def value_profile(
    values: pd.DataFrame,
    classes: pd.DataFrame,
    *,
    monetary: str = "total",
    stages: pd.Series | None = None,
    min_customers: int | None = None,
) -> pd.DataFrame:
    """:func:`segment_profile` of the 8 value classes, with the English label and the play; with
    ``stages`` (a lifecycle stage per customer at the same date, as notebook 01's rules give it) the
    columns ``silent`` and ``churned``: how many customers of each class are in those stages (customers
    without a stage count in neither)."""
    profile = segment_profile(values, classes["class"], monetary=monetary, min_customers=min_customers)
    info = VALUE_CLASSES.set_index("class")
    profile.insert(0, "class (en)", info["class (en)"].reindex(profile.index))
    profile.insert(profile.columns.get_loc("note"), "play", info["play"].reindex(profile.index))
    if stages is not None:
        mix = crosstab(classes["class"].rename("class"), stages.rename("stage"))
        for stage in INACTIVE_STAGES:
            column = mix[stage] if stage in mix.columns else pd.Series(0, index=mix.index)
            profile.insert(
                profile.columns.get_loc("play"),
                stage,
                column.reindex(profile.index, fill_value=0).astype(int),
            )
    return profile


_THRESHOLD_UNITS = {
    "recency": ("days since the last purchase", "below"),
    "frequency": ("purchase occasions", "above"),
    "monetary": ("spend (currency of the data)", "above"),
}
_BASIS = {"mean": "mean of the customers", "median": "median of the customers", "days": "given in days"}


def thresholds_table(thresholds: dict) -> pd.DataFrame:
    """The thresholds of :func:`value_matrix` as a small table: per axis, the threshold, how it was set
    (mean or median of the customers, or given in days), its unit and on which side of it the axis
    counts as high (a value equal to the threshold counts as low)."""
    rows = []
    for key, value in thresholds.items():
        axis, _, stat = key.partition(" threshold")
        unit, side = _THRESHOLD_UNITS[axis]
        basis = stat.strip(" ()")
        rows.append(
            {
                "axis": axis,
                "threshold": value,
                "set by": _BASIS.get(basis, basis),
                "unit": unit,
                "high when": f"{side} the threshold",
            }
        )
    return pd.DataFrame(rows).set_index("axis")


# ------------------------------------------------------------------------ plays by class and stage
# The value matrix's play (VALUE_CLASSES) assumes a customer who still buys. For customers notebook 01's
# stage rules call silent or churned, the play follows the stage and the customer's past value instead:
# high spend (M level high, the 重要 classes) is worth a personal win-back, low spend an automated one or
# none. Active stages (new, growing, mature) keep the value matrix's play.
STAGE_PLAYS = pd.DataFrame(
    [
        ("silent", "high", "win back now: personal contact and an offer worth their past spend"),
        ("silent", "low", "cheap automated reactivation; no personal contact"),
        ("churned", "high", "one win-back offer worth their past spend, then let go"),
        ("churned", "low", "let go: no spend beyond the newsletter"),
    ],
    columns=["stage", "M level", "play"],
)


def play_table(stages=("new", "growing", "mature", "silent", "churned")) -> pd.DataFrame:
    """The play for every (value class, lifecycle stage): the value matrix's play (:data:`VALUE_CLASSES`)
    for a stage not in :data:`STAGE_PLAYS` (an active customer), else the stage's play for the class's
    M level. Columns ``class``, ``class (en)``, ``stage``, ``play`` and ``play from`` (``"value class"``
    or ``"stage"``), one row per class and stage, classes in the matrix's order."""
    grid = VALUE_CLASSES.merge(pd.DataFrame({"stage": list(stages)}), how="cross")
    grid = grid.merge(
        STAGE_PLAYS.rename(columns={"M level": "M", "play": "stage play"}), on=["stage", "M"], how="left"
    )
    by_stage = grid["stage play"].notna()
    grid["play"] = grid["stage play"].where(by_stage, grid["play"])
    grid["play from"] = np.where(by_stage, "stage", "value class")
    return grid[["class", "class (en)", "stage", "play", "play from"]]


def _stage_plays(stage: pd.Series, m_level: pd.Series, own: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(play, play from) per customer: the :data:`STAGE_PLAYS` row of the stage and M level where there
    is one, else ``own`` (the group's own play, ``"own"``)."""
    table = STAGE_PLAYS.set_index(["stage", "M level"])["play"]
    keys = pd.MultiIndex.from_arrays([stage.astype(str).to_numpy(), m_level.astype(str).to_numpy()])
    by_stage = pd.Series(table.reindex(keys).to_numpy(), index=stage.index)
    from_stage = stage.astype(str).isin(set(STAGE_PLAYS["stage"]))
    play = by_stage.where(from_stage, own)
    return play, pd.Series(np.where(from_stage, "stage", "own"), index=stage.index)


def plays_by_stage(classes: pd.DataFrame, stages: pd.Series) -> pd.DataFrame:
    """The play of every customer from the value class (``classes``: :func:`value_matrix`'s table) and
    the lifecycle stage at the same date (``stages``: a stage per customer, as notebook 01's rules give
    it), through :func:`play_table`. Customers with both a class and a stage only. Columns ``class``,
    ``class (en)``, ``stage``, ``play``, ``play from`` and ``overridden`` (True where the stage replaced
    the class's own play)."""
    both = classes.index.intersection(stages.index)
    frame = pd.DataFrame(
        {"class": classes.loc[both, "class"].astype(str), "stage": stages.loc[both].astype(str)}, index=both
    )
    table = play_table(sorted(set(frame["stage"])))
    out = (
        frame.reset_index()
        .merge(table, on=["class", "stage"], how="left")
        .set_index(frame.index.name or "index")
    )
    out.index.name = classes.index.name
    own = VALUE_CLASSES.set_index("class")["play"]
    out["overridden"] = out["play"].ne(out["class"].map(own))
    out["class"] = pd.Categorical(out["class"], categories=list(VALUE_CLASSES["class"]), ordered=True)
    return out[["class", "class (en)", "stage", "play", "play from", "overridden"]]


def segment_plays_by_stage(
    labels: pd.Series, stages: pd.Series, *, m_level: pd.Series, rules: pd.DataFrame = SEGMENT_RULES
) -> pd.DataFrame:
    """The play of every customer from the RFM segment (``labels``: :func:`assign_segments`) and the
    lifecycle stage at the same date (``stages``), the same way as :func:`plays_by_stage` does for the
    value classes: the segment's play (``rules``) for a customer in an active stage, the
    :data:`STAGE_PLAYS` play of the stage and the customer's ``m_level`` (``"high"``/``"low"``, e.g.
    :func:`value_matrix`'s ``M level``) for a silent or churned one. A segment's play is set by scores
    relative to the other customers, so it does not know whether the customer still buys. Customers with
    a segment, a stage and an M level only. Columns ``segment``, ``stage``, ``play``, ``play from``
    (``"segment"`` or ``"stage"``) and ``overridden`` (True where the stage replaced the segment's play)."""
    both = labels.index.intersection(stages.index).intersection(m_level.index)
    segment = labels.loc[both].astype(str)
    own = segment.map(rules.set_index("segment")["play"])
    play, source = _stage_plays(stages.loc[both], m_level.loc[both], own)
    out = pd.DataFrame(
        {
            "segment": pd.Categorical(segment, categories=list(rules["segment"]), ordered=True),
            "stage": stages.loc[both].astype(str),
            "play": play,
            "play from": source.replace("own", "segment"),
        },
        index=both,
    )
    out.index.name = labels.index.name
    out["overridden"] = out["play"].ne(own)
    return out


def play_counts(plays: pd.DataFrame) -> pd.DataFrame:
    """Customers per (value class or segment, lifecycle stage, play) (from :func:`plays_by_stage` or
    :func:`segment_plays_by_stage`; a segment's silent or churned customers can get two plays, by their
    M level): only the combinations that have customers, classes or segments in their map's order,
    stages in their lifecycle order (``new`` to ``churned``; other labels after them), the play for
    high spend first. Indexed by class or segment and stage."""
    key = "class" if "class" in plays.columns else "segment"
    extra = ["class (en)"] if "class (en)" in plays.columns else []
    order = ["new", "growing", "mature", "silent", "churned"]
    g = plays.groupby([key, "stage", "play"], observed=True, dropna=False)
    out = g.agg(
        customers=("stage", "size"),
        **{c: (c, "first") for c in extra},
        **{"play from": ("play from", "first")},
    ).reset_index()
    rank = out["stage"].map({s: i for i, s in enumerate(order)}).fillna(len(order))
    high = out["play"].isin(set(STAGE_PLAYS.loc[STAGE_PLAYS["M level"] == "high", "play"]))
    out = out.assign(_rank=rank, _low=~high)
    out = out.sort_values([key, "_rank", "_low"], kind="stable").drop(columns=["_rank", "_low"])
    out[key] = out[key].astype(str)
    return out.set_index([key, "stage"])[[*extra, "customers", "play", "play from"]]


# ------------------------------------------------------------------------------ views of the base
def rf_heatmap(scored: pd.DataFrame, *, min_customers: int | None = None) -> pd.DataFrame:
    """Mean monetary value and customers by R score (rows, 5 = most recent first) and F score: columns
    ``("mean monetary", F)`` and ``("customers", F)`` for F = 1-5. The mean of a cell with customers but
    fewer than ``min_customers`` (default :func:`min_ranked_customers` of all customers scored, the rule
    the segments follow) is left out (NaN): a mean of a handful of customers says little. The customers
    stay, so a blank cell with customers is a suppressed one."""
    least = min_ranked_customers(len(scored)) if min_customers is None else int(min_customers)
    pivot = {
        name: scored.pivot_table(
            index="R", columns="F", values="monetary", aggfunc=how, observed=False
        ).reindex(index=range(5, 0, -1), columns=range(1, 6))
        for name, how in (("mean monetary", "mean"), ("customers", "size"))
    }
    customers = pivot["customers"].fillna(0).astype(int)
    means = pivot["mean monetary"].where(customers >= least)
    out = pd.concat({"mean monetary": means, "customers": customers}, axis=1)
    out.index.name = "R"
    out.attrs["min customers"] = least
    return out


def pareto(spend: pd.Series, top_share: float = 0.2) -> pd.Series:
    """Revenue concentration: share of revenue (%) from the top ``top_share`` of customers by spend,
    the share of customers that brings 80% of revenue (%), and the Gini coefficient (0 = equal,
    1 = one customer has everything)."""
    values = np.sort(spend.to_numpy(float))[::-1]
    total = values.sum()
    cum = np.cumsum(values) / total
    n = len(values)
    k = int(np.ceil(top_share * n))
    lorenz = lorenz_curve(spend)
    area = np.trapezoid(lorenz["revenue share"], lorenz["customer share"])
    return pd.Series(
        {
            f"revenue from top {round(100 * top_share)}% of customers (%)": round(100 * float(cum[k - 1]), 1),
            "customers bringing 80% of revenue (%)": round(100 * (int(np.searchsorted(cum, 0.8)) + 1) / n, 1),
            "Gini coefficient": round(float(1 - 2 * area), 3),
        },
        name="value",
    )


def lorenz_curve(spend: pd.Series) -> pd.DataFrame:
    """The Lorenz curve: cumulative customer share (poorest first) against cumulative revenue share,
    starting at (0, 0)."""
    values = np.sort(spend.to_numpy(float))
    n = len(values)
    return pd.DataFrame(
        {
            "customer share": np.r_[0, np.arange(1, n + 1) / n],
            "revenue share": np.r_[0, np.cumsum(values) / values.sum()],
        }
    )


def migration(before: pd.Series, after: pd.Series, normalize: bool = True) -> pd.DataFrame:
    """Customers by segment at the first snapshot (rows) and at the second (columns), for customers
    present at both; row shares when ``normalize`` (NaN rows for segments nobody was in)."""
    both = before.index.intersection(after.index)
    table = pd.crosstab(before.loc[both], after.loc[both], dropna=False)
    if normalize:  # a segment with nobody in it gets an empty row, not a row of zeros
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0)
    table.index.name, table.columns.name = "segment before", "segment after"
    return table


GROWTH_SEGMENTS = ("Champions", "Loyal Customers", "Potential Loyalists", "Promising")


def migration_from(moves: pd.DataFrame, segments=GROWTH_SEGMENTS) -> pd.DataFrame:
    """Where the customers of ``segments`` (default: the four segments a growth play starts from) went,
    one column per earlier segment: the rows of :func:`migration` for those segments that had customers
    at the earlier snapshot, transposed. Segments absent from the data are left out, not raised on."""
    present = [s for s in segments if s in moves.index and moves.loc[s].notna().any()]
    return moves.loc[present].T


def migration_activity(
    before: pd.Series, after: pd.Series, *, tx: pd.DataFrame, start, end, segments=GROWTH_SEGMENTS
) -> pd.DataFrame:
    """Standing against activity for the customers of ``segments`` at the earlier snapshot ``start``
    (``before``; ``after``: their segments at ``end``): per earlier segment with customers, the customers
    then, the share still in the segment at ``end`` (%), the share who bought again between ``start``
    (exclusive) and ``end`` (inclusive) (%), and the share still in the segment without having bought
    (%). Scores are relative to the customers of each snapshot, so a customer can keep a segment without
    buying; the last column counts them."""
    both = before.index.intersection(after.index)
    per = next_period_per_customer(tx, both, start=start, end=end)
    frame = pd.DataFrame(
        {
            "segment": before.loc[both].astype(str),
            "stayed": before.loc[both].astype(str).to_numpy() == after.loc[both].astype(str).to_numpy(),
            "bought": (per["occasions"] > 0).to_numpy(),
        },
        index=both,
    )
    frame = frame[frame["segment"].isin([str(s) for s in segments])]
    frame["stayed, no purchase"] = frame["stayed"] & ~frame["bought"]
    g = frame.groupby("segment")
    out = pd.DataFrame(
        {
            "customers then": g.size(),
            "still in the segment (%)": (100 * g["stayed"].mean()).round(1),
            "bought again (%)": (100 * g["bought"].mean()).round(1),
            "still in the segment, no purchase (%)": (100 * g["stayed, no purchase"].mean()).round(1),
        }
    )
    out = out.reindex([str(s) for s in segments if str(s) in out.index])
    out.index.name = "segment then"
    return out


def crosstab(rows: pd.Series, columns: pd.Series, normalize: bool = False) -> pd.DataFrame:
    """Customers by two labels of the same customers (e.g. RFM segment by lifecycle stage), with row
    and column names taken from the series names; row shares (%) when ``normalize``."""
    both = rows.index.intersection(columns.index)
    table = pd.crosstab(rows.loc[both], columns.loc[both], dropna=False)
    if normalize:
        table = (100 * table.div(table.sum(axis=1).replace(0, np.nan), axis=0)).round(1)
    table.index.name, table.columns.name = rows.name, columns.name
    return table


def next_period_per_customer(tx: pd.DataFrame, customers: pd.Index, *, start, end) -> pd.DataFrame:
    """Per customer of ``customers``: purchase occasions and spend (currency of the data) between
    ``start`` (exclusive) and ``end`` (inclusive); 0 for customers who did not buy then."""
    window = occasions(tx[(tx["date"] > pd.Timestamp(start)) & (tx["date"] <= pd.Timestamp(end))])
    per = window.groupby("customer_id").agg(occasions=("date", "size"), spend=("amount", "sum"))
    out = per.reindex(customers).fillna({"occasions": 0, "spend": 0.0})
    out["occasions"] = out["occasions"].astype(int)
    return out


def next_period_outcome(
    tx: pd.DataFrame, labels: pd.Series, *, start, end, min_customers: int | None = None
) -> pd.DataFrame:
    """What each segment did after its snapshot: customers, share who bought again (%) between
    ``start`` (exclusive) and ``end`` (inclusive) with its Wilson 95% interval (%), mean occasions and
    mean spend per customer in that period (all customers of the segment, buyers or not), and a ``note``
    ``"small: n customers"`` for segments with customers but fewer than ``min_customers`` (default
    :func:`min_ranked_customers` of all customers labelled), whose rates say little."""
    per = next_period_per_customer(tx, labels.index, start=start, end=end)
    frame = per.assign(segment=labels, bought=per["occasions"] > 0)
    g = frame.groupby("segment", observed=False)
    n, k = g.size(), g["bought"].sum()
    lo, hi = wilson_interval(k.to_numpy(), n.to_numpy())  # NaN for a segment nobody is in
    least = min_ranked_customers(len(labels)) if min_customers is None else int(min_customers)
    note = _small_notes(n, least)
    return pd.DataFrame(
        {
            "customers": n,
            "bought again (%)": (100 * k / n.replace(0, np.nan)).round(1),
            "bought again, 95% low (%)": np.round(100 * lo, 1),
            "bought again, 95% high (%)": np.round(100 * hi, 1),
            "mean occasions": g["occasions"].mean().round(2),
            "mean spend": g["spend"].mean().round(2),
            "note": note,
        }
    )


def _spearman(score: np.ndarray, target: np.ndarray) -> float:
    from scipy.stats import rankdata

    a, b = rankdata(score), rankdata(target)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


BOOT_SAMPLES = 200  # bootstrap resamples of customers behind the 95% intervals of baseline_check

_PREDICTORS = ("RFM segment", "frequency alone", "recency alone")


def baseline_check(
    values: pd.DataFrame,
    labels: pd.Series,
    *,
    tx: pd.DataFrame,
    start,
    end,
    n_boot: int = BOOT_SAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """How well the segments of an earlier snapshot rank customers on what they did next, against naive
    baselines, at customer level. ``values`` (:func:`rfm_values` at ``start``) and ``labels`` (the
    segment of each customer then). Each customer's segment score is the segment's mean monetary value
    at ``start`` (no look at the outcome); the baselines are frequency alone (occasions) and recency
    alone (fewer days = higher). Per predictor: the AUC for "bought again" between ``start`` (exclusive)
    and ``end`` (inclusive) and the Spearman rank correlation with spend in that period, each with a
    percentile 95% interval from ``n_boot`` bootstrap resamples of customers (seeded with ``seed``).
    All predictors score the same customers, so each baseline row also has the paired lead of the
    segments (segments minus the baseline, on the same resamples) on both measures with its 95%
    interval: ``AUC lead of segments`` and ``rank correlation lead of segments`` (NaN on the segments'
    own row). A ``note`` says when an estimate is not possible (everyone or nobody bought again)."""
    both = values.index.intersection(labels.index)
    seg_value = values.loc[both, "monetary"].groupby(labels.loc[both], observed=True).mean()
    scores = np.column_stack(
        [
            labels.loc[both].map(seg_value).to_numpy(float),
            values.loc[both, "frequency"].to_numpy(float),
            -values.loc[both, "recency"].to_numpy(float),
        ]
    )
    per = next_period_per_customer(tx, both, start=start, end=end)
    bought, spend = (per["occasions"] > 0).to_numpy(), per["spend"].to_numpy(float)
    rng = np.random.default_rng(seed)
    n = len(both)
    boot = np.full((int(n_boot), len(_PREDICTORS), 2), np.nan)
    for b in range(int(n_boot)):
        idx = rng.integers(0, n, n)
        for j in range(len(_PREDICTORS)):
            boot[b, j] = auc(bought[idx], scores[idx, j]), _spearman(scores[idx, j], spend[idx])
    points = np.array([[auc(bought, scores[:, j]), _spearman(scores[:, j], spend)] for j in range(3)])
    rows = []
    for j, name in enumerate(_PREDICTORS):
        (lo_a, hi_a), (lo_r, hi_r) = (_percentile_interval(boot[:, j, m]) for m in (0, 1))
        lead = points[0] - points[j]
        (lo_la, hi_la), (lo_lr, hi_lr) = (
            _percentile_interval(boot[:, 0, m] - boot[:, j, m]) if j else (np.nan, np.nan) for m in (0, 1)
        )
        rows.append(
            {
                "predictor": name,
                "customers": n,
                "AUC, bought again": round(points[j, 0], 3),
                "AUC 95% low": _round3(lo_a),
                "AUC 95% high": _round3(hi_a),
                "rank correlation with spend after": round(points[j, 1], 3),
                "rank correlation 95% low": _round3(lo_r),
                "rank correlation 95% high": _round3(hi_r),
                "AUC lead of segments": _round3(lead[0]) if j else np.nan,
                "AUC lead 95% low": _round3(lo_la),
                "AUC lead 95% high": _round3(hi_la),
                "rank correlation lead of segments": _round3(lead[1]) if j else np.nan,
                "rank correlation lead 95% low": _round3(lo_lr),
                "rank correlation lead 95% high": _round3(hi_lr),
                "note": "everyone or nobody bought again: no AUC" if np.isnan(points[j, 0]) else "",
            }
        )
    return pd.DataFrame(rows).set_index("predictor")


# a segment enters the predictive check only with at least MIN_RANKED_CUSTOMERS customers at the earlier
# snapshot (the share of a handful of customers who bought again says little about the segment), or, on
# smaller data, MIN_RANKED_SHARE of the customers at that snapshot (rounded up) when that is fewer, and
# never fewer than MIN_RANKED_FLOOR: 30 from 300 customers up, 24 of 239, 10 up to 100 customers
MIN_RANKED_CUSTOMERS = 30
MIN_RANKED_SHARE = 0.10
MIN_RANKED_FLOOR = 10


def min_ranked_customers(customers: int) -> int:
    """The fewest customers a segment needs at the earlier snapshot to enter :func:`predictive_check`,
    with ``customers`` customers at that snapshot: :data:`MIN_RANKED_CUSTOMERS`, or
    :data:`MIN_RANKED_SHARE` of the customers (rounded up) when that is fewer, at least
    :data:`MIN_RANKED_FLOOR`."""
    share = math.ceil(round(MIN_RANKED_SHARE * int(customers), 9))
    return int(max(MIN_RANKED_FLOOR, min(MIN_RANKED_CUSTOMERS, share)))


def _round3(x) -> float:
    """``x`` rounded to 3 decimals, with -0.0 written 0.0 (a bound at zero reads as zero, not below)."""
    return float(round(float(x), 3)) + 0.0


def _percentile_interval(draws: np.ndarray) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the finite ``draws`` (NaN, NaN when there are none)."""
    finite = draws[np.isfinite(draws)]
    if not len(finite):
        return np.nan, np.nan
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def _rank_bootstrap(
    codes: np.ndarray, value: np.ndarray, spend: np.ndarray, k: int, *, n_boot: int, seed: int
) -> np.ndarray:
    """Spearman correlations over ``k`` segments (``codes`` 0..k-1 per customer, -1 for customers of
    no compared segment) between mean ``value`` and mean ``spend``, in ``n_boot`` resamples of the
    customers (NaN for a resample that leaves a segment empty)."""
    rng = np.random.default_rng(seed)
    n = len(codes)
    out = np.full(int(n_boot), np.nan)
    for b in range(int(n_boot)):
        idx = rng.integers(0, n, n)
        c = codes[idx]
        keep = c >= 0
        sizes = np.bincount(c[keep], minlength=k)
        if (sizes == 0).any():
            continue
        mean_value = np.bincount(c[keep], weights=value[idx][keep], minlength=k) / sizes
        mean_spend = np.bincount(c[keep], weights=spend[idx][keep], minlength=k) / sizes
        out[b] = _spearman(mean_value, mean_spend)
    return out


def predictive_check(
    values: pd.DataFrame,
    labels: pd.Series,
    *,
    tx: pd.DataFrame,
    start,
    end,
    min_customers: int | None = None,
    n_boot: int = BOOT_SAMPLES,
    seed: int = 0,
) -> pd.Series:
    """Whether the segments of an earlier snapshot rank what their customers did afterwards. ``values``
    (:func:`rfm_values` at ``start``) and ``labels`` (each customer's segment then). Among the segments
    with at least ``min_customers`` customers at ``start`` (default :func:`min_ranked_customers` of the
    customers then), the Spearman rank correlation between their mean monetary value then and their mean
    spend between ``start`` (exclusive) and ``end`` (inclusive), with a percentile 95% interval from
    ``n_boot`` bootstrap resamples of the customers (seeded with ``seed``; the segments compared stay
    those of the data), and the next-period figures of the segments ranked highest and lowest by value
    then. The correlation is NaN with fewer than two segments or a side that does not vary. The segments
    with customers but fewer than the minimum are named (``"name (customers)"``, ``"; "`` between them,
    by value then), and those of them worth more then than every segment compared."""
    both = values.index.intersection(labels.index)
    labels = labels.loc[both]
    early_profile = segment_profile(values.loc[both], labels)
    outcome = next_period_outcome(tx, labels, start=start, end=end)
    customers_then = int(early_profile["customers"].sum())
    if min_customers is None:
        min_customers = min_ranked_customers(customers_then)
    joined = early_profile[["customers", "mean monetary"]].join(
        outcome[["bought again (%)", "mean spend"]], how="inner"
    )
    joined = joined.sort_values("mean monetary", ascending=False, kind="stable")
    ranked = joined[(joined["customers"] >= min_customers) & joined["mean monetary"].notna()]
    small = joined[(joined["customers"] > 0) & (joined["customers"] < min_customers)]
    above = small[small["mean monetary"] > ranked["mean monetary"].max()] if len(ranked) else small
    # no rank correlation with fewer than two segments or a side that does not vary (every customer
    # bought once: no spend afterwards); scipy would warn and give NaN
    rho = (
        _spearman(ranked["mean monetary"].to_numpy(), ranked["mean spend"].to_numpy())
        if len(ranked) >= 2
        else np.nan
    )
    low = high = np.nan
    if not np.isnan(rho) and int(n_boot) > 0:
        compared = [str(s) for s in ranked.index]
        position = {name: i for i, name in enumerate(compared)}
        codes = labels.astype(str).map(position).fillna(-1).astype(int).to_numpy()
        spend = next_period_per_customer(tx, both, start=start, end=end)["spend"].to_numpy(float)
        draws = _rank_bootstrap(
            codes,
            values.loc[both, "monetary"].to_numpy(float),
            spend,
            len(compared),
            n_boot=n_boot,
            seed=seed,
        )
        low, high = _percentile_interval(draws)
    top, bottom = (ranked.iloc[0], ranked.iloc[-1]) if len(ranked) else (None, None)
    return pd.Series(
        {
            "earlier snapshot": pd.Timestamp(start).strftime("%Y-%m-%d"),
            "end": pd.Timestamp(end).strftime("%Y-%m-%d"),
            "customers at the earlier snapshot": customers_then,
            "min customers per segment": int(min_customers),
            "segments compared": len(ranked),
            "segments left out for size": "; ".join(f"{s} ({int(n)})" for s, n in small["customers"].items()),
            "left out, worth more then": "; ".join(str(s) for s in above.index),
            "rank correlation (value then, spend after)": round(rho, 3) if not np.isnan(rho) else np.nan,
            "rank correlation 95% low": _round3(low),
            "rank correlation 95% high": _round3(high),
            "bootstrap samples (customers)": int(n_boot),
            "highest-value segment then": top.name if top is not None else None,
            "highest: bought again (%)": float(top["bought again (%)"]) if top is not None else np.nan,
            "highest: mean spend after": float(top["mean spend"]) if top is not None else np.nan,
            "lowest-value segment then": bottom.name if bottom is not None else None,
            "lowest: bought again (%)": float(bottom["bought again (%)"]) if bottom is not None else np.nan,
            "lowest: mean spend after": float(bottom["mean spend"]) if bottom is not None else np.nan,
        },
        name="value",
    )


def headline_figures(
    profile: pd.DataFrame,
    value_profile: pd.DataFrame,
    *,
    concentration: pd.Series,
    check: pd.Series | None = None,
    stages: pd.DataFrame | None = None,
    plays: pd.DataFrame | None = None,
    baselines: pd.DataFrame | None = None,
) -> dict:
    """What notebook 03 records: the customers scored, customers, customers and revenue share (%) of every
    segment and customers and revenue share of every value class (with how many of them are silent and
    churned when ``value_profile`` has those columns, :func:`value_profile` with ``stages``), the
    segments flagged small in ``profile``'s ``note`` (``"small segments (end of data)"``: ``"name (n)"``,
    ``"; "`` between them) and the minimum behind the flag, revenue concentration, the predictive check
    of the earlier snapshot's segments (:func:`predictive_check`, keys prefixed ``"next period: "``; left
    out when ``check`` is ``None``: the data is too short for the comparison over time), and, from
    ``stages`` (:func:`crosstab` of segment by lifecycle stage), how many of each segment's customers are
    silent and churned; from ``plays`` (:func:`play_counts`) the customers with a class and a stage and
    those whose play follows the stage; from ``baselines`` (:func:`baseline_check`) each predictor's
    figures, keys ``"baseline: <predictor>: <column>"`` (the leads on the baselines' rows only)."""
    customers = int(profile["customers"].sum())
    figures = {"customers scored": customers}
    figures |= {f"{seg}: customers": int(row["customers"]) for seg, row in profile.iterrows()}
    figures |= {f"{seg}: customers (%)": float(row["customers (%)"]) for seg, row in profile.iterrows()}
    figures |= {f"{seg}: revenue (%)": float(row["revenue (%)"]) for seg, row in profile.iterrows()}
    if "note" in profile.columns:
        small = profile[profile["note"].astype(str).str.startswith("small")]
        figures["small segments (end of data)"] = "; ".join(
            f"{s} ({int(n)})" for s, n in small["customers"].items()
        )
        figures["min customers per segment (end of data)"] = min_ranked_customers(customers)
    figures |= {f"{cls}: customers (%)": float(row["customers (%)"]) for cls, row in value_profile.iterrows()}
    figures |= {f"{cls}: revenue (%)": float(row["revenue (%)"]) for cls, row in value_profile.iterrows()}
    for stage in INACTIVE_STAGES:
        if stage in value_profile.columns:
            figures |= {
                f"{cls}: {stage} (customers)": int(row[stage]) for cls, row in value_profile.iterrows()
            }
    if "customers" in value_profile.columns:
        figures |= {f"{cls}: customers": int(row["customers"]) for cls, row in value_profile.iterrows()}
    figures |= {k: float(v) for k, v in concentration.items()}
    if check is not None:
        figures |= {f"next period: {k}": v for k, v in check.items()}
    if stages is not None:
        for seg, row in stages.iterrows():
            figures[f"{seg}: customers"] = int(row.sum())
            figures |= {f"{seg}: {st} (customers)": int(row.get(st, 0)) for st in INACTIVE_STAGES}
    if plays is not None:
        figures["customers with a class and a stage"] = int(plays["customers"].sum())
        by_stage = plays.loc[plays["play from"] == "stage", "customers"]
        figures["play set by the stage (customers)"] = int(by_stage.sum())
    if baselines is not None:
        for pred, row in baselines.drop(columns=["customers", "note"], errors="ignore").iterrows():
            figures |= {
                f"baseline: {pred}: {col}": float(v)
                for col, v in row.items()
                if not (" lead" in col and pd.isna(v) and pred == _PREDICTORS[0])
            }
    return figures
