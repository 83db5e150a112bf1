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
    "value_profile",
    "thresholds_table",
    "STAGE_PLAYS",
    "play_table",
    "plays_by_stage",
    "play_counts",
    "rf_heatmap",
    "pareto",
    "lorenz_curve",
    "migration",
    "GROWTH_SEGMENTS",
    "migration_from",
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


def edges_table(edges: dict[str, list[float]]) -> pd.DataFrame:
    """The cut points as a readable table: per axis, the range of values behind each score."""
    rows = []
    for axis, unit in (("R", "days since last purchase"), ("F", "purchase occasions"), ("M", "spend")):
        e = edges[axis]
        bounds = [-np.inf] + list(e) + [np.inf]
        for s in range(1, len(e) + 2):
            lo, hi = bounds[s - 1], bounds[s]
            text = (
                f"< {hi:,.2f}"
                if np.isinf(lo)
                else f">= {lo:,.2f}"
                if np.isinf(hi)
                else f"{lo:,.2f} to < {hi:,.2f}"
            )
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


def segment_profile(
    scored: pd.DataFrame, labels: pd.Series, *, plays: pd.Series | None = None, monetary: str = "total"
) -> pd.DataFrame:
    """Per segment: customers, share of customers (%), share of revenue (%: of all customers' total
    spend, whichever ``monetary`` the table was made with, see :func:`total_spend`), mean recency (days),
    mean frequency (occasions), mean monetary value (total or mean spend per occasion, as ``monetary``),
    and the recommended play."""
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


def value_matrix(values: pd.DataFrame, threshold: str = "mean") -> tuple[pd.DataFrame, dict]:
    """The 8-class value matrix: each axis is *high* or *low* against the ``threshold`` (``"mean"`` or
    ``"median"``) of the customers at the snapshot: R is high when recency is *below* it (recent),
    F and M are high when *above* it (equal to the threshold counts as low). Returns a frame with
    ``R level``, ``F level``, ``M level``, ``class`` (Chinese), ``class (en)`` and ``play`` per customer,
    and the thresholds used."""
    if threshold not in {"mean", "median"}:
        raise ValueError(f"threshold must be 'mean' or 'median', not {threshold!r}")
    cut = {c: float(getattr(values[c], threshold)()) for c in ("recency", "frequency", "monetary")}
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
    return merged, {f"{k} threshold ({threshold})": round(v, 2) for k, v in cut.items()}


def value_profile(values: pd.DataFrame, classes: pd.DataFrame, *, monetary: str = "total") -> pd.DataFrame:
    """:func:`segment_profile` of the 8 value classes, with the English label and the play."""
    profile = segment_profile(values, classes["class"], monetary=monetary)
    info = VALUE_CLASSES.set_index("class")
    profile.insert(0, "class (en)", info["class (en)"].reindex(profile.index))
    profile["play"] = info["play"].reindex(profile.index)
    return profile


_THRESHOLD_UNITS = {
    "recency": ("days since the last purchase", "below"),
    "frequency": ("purchase occasions", "above"),
    "monetary": ("spend (currency of the data)", "above"),
}


def thresholds_table(thresholds: dict) -> pd.DataFrame:
    """The thresholds of :func:`value_matrix` as a small table: per axis, the threshold, its unit and on
    which side of it the axis counts as high (a value equal to the threshold counts as low)."""
    rows = []
    for key, value in thresholds.items():
        axis, _, stat = key.partition(" threshold")
        unit, side = _THRESHOLD_UNITS[axis]
        rows.append(
            {
                "axis": axis,
                f"threshold{stat}": value,
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


def play_counts(plays: pd.DataFrame) -> pd.DataFrame:
    """Customers per (value class, lifecycle stage) with their play (from :func:`plays_by_stage`): only
    the combinations that have customers, classes in the matrix's order and stages in their lifecycle
    order (``new`` to ``churned``; other labels after them)."""
    order = ["new", "growing", "mature", "silent", "churned"]
    g = plays.groupby(["class", "stage"], observed=True)
    out = g.agg(
        customers=("play", "size"),
        **{
            "class (en)": ("class (en)", "first"),
            "play": ("play", "first"),
            "play from": ("play from", "first"),
        },
    ).reset_index()
    rank = out["stage"].map({s: i for i, s in enumerate(order)}).fillna(len(order))
    out = out.assign(_rank=rank).sort_values(["class", "_rank"], kind="stable").drop(columns="_rank")
    out["class"] = out["class"].astype(str)
    return out.set_index(["class", "stage"])[["class (en)", "customers", "play", "play from"]]


# ------------------------------------------------------------------------------ views of the base
def rf_heatmap(scored: pd.DataFrame) -> pd.DataFrame:
    """Mean monetary value by R score (rows, 5 = most recent first) and F score (columns)."""
    table = scored.pivot_table(index="R", columns="F", values="monetary", aggfunc="mean", observed=False)
    return table.reindex(index=range(5, 0, -1), columns=range(1, 6))


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
    note = [f"small: {c} customer{'' if c == 1 else 's'}" if 0 < c < least else "" for c in n]
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
    A ``note`` says when an estimate is not possible (everyone or nobody bought again)."""
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
    rows = []
    for j, name in enumerate(_PREDICTORS):
        point_auc, point_rho = auc(bought, scores[:, j]), _spearman(scores[:, j], spend)
        with np.errstate(all="ignore"):
            lo_a, hi_a = (
                np.nanpercentile(boot[:, j, 0], [2.5, 97.5])
                if np.isfinite(boot[:, j, 0]).any()
                else (np.nan, np.nan)
            )
            lo_r, hi_r = (
                np.nanpercentile(boot[:, j, 1], [2.5, 97.5])
                if np.isfinite(boot[:, j, 1]).any()
                else (np.nan, np.nan)
            )
        note = ""
        if np.isnan(point_auc):
            note = "everyone or nobody bought again: no AUC"
        rows.append(
            {
                "predictor": name,
                "customers": n,
                "AUC, bought again": round(point_auc, 3),
                "AUC 95% low": round(float(lo_a), 3),
                "AUC 95% high": round(float(hi_a), 3),
                "rank correlation with spend after": round(point_rho, 3),
                "rank correlation 95% low": round(float(lo_r), 3),
                "rank correlation 95% high": round(float(hi_r), 3),
                "note": note,
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


def predictive_check(
    early_profile: pd.DataFrame,
    outcome: pd.DataFrame,
    *,
    start,
    end,
    min_customers: int | None = None,
) -> pd.Series:
    """Whether the segments of an earlier snapshot rank what their customers did afterwards: among the
    segments with at least ``min_customers`` customers at ``start`` (an :func:`segment_profile` of that
    snapshot; default :func:`min_ranked_customers` of its customers), the Spearman rank correlation
    between their mean monetary value then and their mean spend from ``start`` to ``end``
    (:func:`next_period_outcome`), and the next-period figures of the segments ranked highest and lowest
    by value then. The correlation is NaN with fewer than two segments. The segments with customers but
    fewer than the minimum are named (``"name (customers)"``, ``"; "`` between them, by value then), and
    those of them worth more then than every segment compared."""
    customers_then = int(early_profile["customers"].sum())
    if min_customers is None:
        min_customers = min_ranked_customers(customers_then)
    joined = early_profile[["customers", "mean monetary"]].join(
        outcome[["bought again (%)", "mean spend"]], how="inner"
    )
    joined = joined.sort_values("mean monetary", ascending=False, kind="stable")
    both = joined[(joined["customers"] >= min_customers) & joined["mean monetary"].notna()]
    small = joined[(joined["customers"] > 0) & (joined["customers"] < min_customers)]
    above = small[small["mean monetary"] > both["mean monetary"].max()] if len(both) else small
    # no rank correlation with fewer than two segments or a side that does not vary (every customer
    # bought once: no spend afterwards); scipy would warn and give NaN
    rho = (
        _spearman(both["mean monetary"].to_numpy(), both["mean spend"].to_numpy())
        if len(both) >= 2
        else np.nan
    )
    top, bottom = (both.iloc[0], both.iloc[-1]) if len(both) else (None, None)
    return pd.Series(
        {
            "earlier snapshot": pd.Timestamp(start).strftime("%Y-%m-%d"),
            "end": pd.Timestamp(end).strftime("%Y-%m-%d"),
            "customers at the earlier snapshot": customers_then,
            "min customers per segment": int(min_customers),
            "segments compared": len(both),
            "segments left out for size": "; ".join(f"{s} ({int(n)})" for s, n in small["customers"].items()),
            "left out, worth more then": "; ".join(str(s) for s in above.index),
            "rank correlation (value then, spend after)": round(rho, 3) if not np.isnan(rho) else np.nan,
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
    """What notebook 03 records: the customers scored, customers and revenue share (%) of every segment
    and value class, revenue concentration, the predictive check of the earlier snapshot's segments
    (:func:`predictive_check`, keys prefixed ``"next period: "``; left out when ``check`` is ``None``: the
    data is too short for the comparison over time), and, from ``stages`` (:func:`crosstab` of segment by
    lifecycle stage), each segment's customers and how many of them are silent and churned; from
    ``plays`` (:func:`play_counts`) the customers with a class and a stage and those whose play follows
    the stage; from ``baselines`` (:func:`baseline_check`) each predictor's figures, keys
    ``"baseline: <predictor>: <column>"``."""
    figures = {"customers scored": int(profile["customers"].sum())}
    figures |= {f"{seg}: customers (%)": float(row["customers (%)"]) for seg, row in profile.iterrows()}
    figures |= {f"{seg}: revenue (%)": float(row["revenue (%)"]) for seg, row in profile.iterrows()}
    figures |= {f"{cls}: customers (%)": float(row["customers (%)"]) for cls, row in value_profile.iterrows()}
    figures |= {f"{cls}: revenue (%)": float(row["revenue (%)"]) for cls, row in value_profile.iterrows()}
    figures |= {k: float(v) for k, v in concentration.items()}
    if check is not None:
        figures |= {f"next period: {k}": v for k, v in check.items()}
    if stages is not None:
        for seg, row in stages.iterrows():
            figures[f"{seg}: customers"] = int(row.sum())
            figures |= {f"{seg}: {st} (customers)": int(row.get(st, 0)) for st in ("silent", "churned")}
    if plays is not None:
        figures["customers with a class and a stage"] = int(plays["customers"].sum())
        by_stage = plays.loc[plays["play from"] == "stage", "customers"]
        figures["play set by the stage (customers)"] = int(by_stage.sum())
    if baselines is not None:
        for pred, row in baselines.drop(columns=["customers", "note"], errors="ignore").iterrows():
            figures |= {f"baseline: {pred}: {col}": float(v) for col, v in row.items()}
    return figures
