"""The sentences of notebook 03 (RFM segmentation and the value matrix), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
"""

from __future__ import annotations

import pandas as pd

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, day, listing, money, percent
from lifecycle_utils.narrative.words import missing as _missing
from lifecycle_utils.rfm import (
    INACTIVE_STAGES,
    MIN_RANKED_CUSTOMERS,
    MIN_RANKED_FLOOR,
    VALUE_CLASSES,
    min_ranked_customers,
)

__all__ = [
    "EVEN_TOLERANCE",
    "HEAVY_RATIO",
    "LIGHT_RATIO",
    "CONCENTRATED_GINI",
    "EVEN_GINI",
    "HOLD_PCT",
    "MAJORITY_PCT",
    "RANK_AGREEMENT",
    "MIN_RANKED_SEGMENTS",
    "GRID_CELLS",
    "TOP_CLASS",
    "WIN_BACK_CLASS",
    "TAIL_CLASS",
    "SLIPPING_SEGMENTS",
    "SLIPPING_CLASSES",
    "TAIL_SEGMENTS",
    "BASELINE_MARGIN",
    "beats_baseline",
    "plays_sentence",
    "baseline_sentence",
    "even_scores",
    "weight",
    "concentration_word",
    "ranks_next_period",
    "score_sentence",
    "map_sentence",
    "segment_sentence",
    "heatmap_sentence",
    "concentration_sentence",
    "thresholds_sentence",
    "value_sentence",
    "snapshots_sentence",
    "migration_sentence",
    "stage_sentence",
    "outcome_sentence",
    "answer",
    "what_this_means",
]

# an axis splits into "near-equal" scores when every score holds within this fraction of an equal share
# of the customers (10%: with 5 scores of 1,000 customers each, 900 to 1,100)
EVEN_TOLERANCE = 0.10
# a group's revenue share against its customer share: "at least twice its share of the customers" from
# HEAVY_RATIO up, "at most half its share of the customers" from LIGHT_RATIO down; nothing said between
HEAVY_RATIO = 2.0
LIGHT_RATIO = 0.5
# revenue is "concentrated" from a Gini coefficient of CONCENTRATED_GINI up, "moderately concentrated" from
# EVEN_GINI up, "spread fairly evenly" below it (the usual reading of inequality coefficients)
CONCENTRATED_GINI = 0.5
EVEN_GINI = 0.3
# a segment "holds" its customers when at least this share (%) of them is in it at the later snapshot
HOLD_PCT = 75.0
MAJORITY_PCT = 50.0  # "most" of a segment's customers: strictly more than this share (%)
# the segments of the earlier snapshot "rank" the next period when the whole 95% interval (customers
# resampled) of the Spearman correlation between their value then and their mean spend afterwards is at
# least RANK_AGREEMENT, over at least MIN_RANKED_SEGMENTS segments (each with rfm.min_ranked_customers
# customers); they do not when the whole interval lies below; an interval across it, or fewer segments:
# no judgement
RANK_AGREEMENT = 0.7
MIN_RANKED_SEGMENTS = 4
# the segments "beat" a naive baseline (frequency alone, recency alone) on a measure (AUC for bought again,
# rank correlation with spend) when their paired lead on it (segments minus baseline, same resamples of the
# same customers) is at least BASELINE_MARGIN with its 95% interval above zero; they "trail" it when the
# lead is at most -BASELINE_MARGIN with its interval below zero
BASELINE_MARGIN = 0.02
GRID_CELLS = 125  # combinations of three scores 1-5 that a segment map must cover (5 x 5 x 5)

# the groups the sentences and the closing bullets name (the default segment map and the value matrix)
TOP_CLASS = "重要价值客户"  # R, F and M high (R: more recent than the cut, not "active")
WIN_BACK_CLASS = "重要挽留客户"  # R and F low, M high
TAIL_CLASS = "一般挽留客户"  # R, F and M low
SLIPPING_SEGMENTS = ("At Risk", "Can't Lose Them")  # bought often, not recently
SLIPPING_CLASSES = ("重要保持客户", "重要挽留客户")  # high spend, not recent
TAIL_SEGMENTS = ("Hibernating", "Lost")  # one or two purchases, long ago


# thresholds as a stakeholder reads them (a threshold not listed is written as its number)
_IN_WORDS = {0.3: "three tenths", 0.5: "one half", 0.7: "seven tenths", 75.0: "three quarters"}


def _words(threshold: float) -> str:
    return _IN_WORDS.get(threshold, f"{threshold:g}")


# --------------------------------------------------------------------------------- rules
def even_scores(counts: pd.Series) -> bool:
    """Whether customers per score (``counts``, one entry per score) are near-equal: every score within
    :data:`EVEN_TOLERANCE` of an equal share. A single score or no customers is not a split."""
    total = float(counts.sum())
    if len(counts) < 2 or total <= 0:
        return False
    equal = total / len(counts)
    return bool(((counts - equal).abs() <= EVEN_TOLERANCE * equal + 1e-9).all())


def weight(revenue_pct, customers_pct) -> str:
    """``"heavy"`` when a group's revenue share is at least :data:`HEAVY_RATIO` times its customer share,
    ``"light"`` when at most :data:`LIGHT_RATIO` times, else ``""`` (also for missing or empty groups)."""
    if _missing(revenue_pct) or _missing(customers_pct) or float(customers_pct) <= 0:
        return ""
    ratio = float(revenue_pct) / float(customers_pct)
    if ratio >= HEAVY_RATIO:
        return "heavy"
    if ratio <= LIGHT_RATIO:
        return "light"
    return ""


_WEIGHT_WORDS = {
    "heavy": " (at least twice their share of the customers)",
    "light": " (at most half their share of the customers)",
    "": "",
}


def concentration_word(gini) -> str:
    """How concentrated revenue is by its Gini coefficient (:data:`CONCENTRATED_GINI`,
    :data:`EVEN_GINI`); ``""`` when the coefficient is missing or outside 0-1 (refunds beyond sales)."""
    if _missing(gini) or not 0 <= float(gini) <= 1:
        return ""
    if float(gini) >= CONCENTRATED_GINI:
        return "concentrated"
    if float(gini) >= EVEN_GINI:
        return "moderately concentrated"
    return "spread fairly evenly"


def ranks_next_period(rho, segments, low, high) -> bool | None:
    """Whether the earlier segments rank the next period, judged on the 95% interval ``low`` to ``high``
    of the Spearman correlation ``rho``: True when the whole interval is at least :data:`RANK_AGREEMENT`,
    False when all of it lies below, ``None`` (no judgement) when the interval spans the threshold, a
    figure is missing, or fewer than :data:`MIN_RANKED_SEGMENTS` segments were compared."""
    if any(_missing(x) for x in (rho, segments, low, high)) or int(segments) < MIN_RANKED_SEGMENTS:
        return None
    if float(low) >= RANK_AGREEMENT - 1e-9:
        return True
    if float(high) < RANK_AGREEMENT - 1e-9:
        return False
    return None


# ------------------------------------------------------------------------------ sentences
_AXES = {"R": "recency", "F": "frequency", "M": "monetary"}
_SCORE_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _value_text(axis: str, value: float) -> str:
    if axis == "F":
        return f"{count(value)} purchase occasion{'' if value == 1 else 's'}"
    if axis == "R":
        return f"{count(value)} day{'' if value == 1 else 's'} since the last purchase"
    return f"a monetary value of {money(value)}"


def _frequency_steps(edges: list[float], lowest: float) -> str:
    """``1, 2, 3, 4-5 and 6 or more`` from the F edges (lower bounds of scores 2, 3, ...)."""
    bounds = [int(lowest)] + [int(e) for e in edges]
    steps = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        steps.append(f"{lo}" if hi - 1 <= lo else f"{lo}-{hi - 1}")
    steps.append(f"{bounds[-1]} or more")
    return listing(steps)


def score_sentence(scored: pd.DataFrame, edges: dict) -> Text:
    """How the customers spread over the scores of each axis (``scored``: ``rfm.score_rfm``'s table with
    recency, frequency, monetary and R, F, M; ``edges``: its cut points): near-equal scores, or the
    score that ties make larger, and what the F scores stand for."""
    if scored is None or len(scored) == 0:
        return Text("No customer was scored.")
    even, parts = [], []
    for axis, column in _AXES.items():
        k = len(edges.get(axis, [])) + 1
        counts = scored[axis].value_counts().reindex(range(1, k + 1), fill_value=0)
        if k == 1:
            parts.append(f"{axis} has a single score: every customer has the same {column}.")
        elif even_scores(counts):
            even.append((axis, k, counts))
        else:
            top = int(counts.idxmax())
            inside = scored.loc[scored[axis] == top, column]
            if inside.nunique() == 1:
                parts.append(
                    f"{axis} {{lead}}the {count(counts[top])} customers with "
                    f"{_value_text(axis, float(inside.iloc[0]))} all share score {top}, because identical "
                    "values get identical scores."
                )
            else:
                held = listing([count(c) for c in counts])
                parts.append(f"{axis} scores 1-{k} hold {held} customers.")
    lead = "cannot: " if even else "is uneven: "
    parts = [p.replace("{lead}", lead) for p in parts]
    text = []
    if even:
        axes = listing([a for a, _, _ in even])
        sizes = {k for _, k, _ in even}
        k = sizes.pop() if len(sizes) == 1 else None
        how = f"{_SCORE_WORDS.get(k, k)} near-equal scores" if k else "near-equal scores"
        low = min(int(c.min()) for _, _, c in even)
        high = max(int(c.max()) for _, _, c in even)
        each = f" ({count(low)} to {count(high)} customers each)" if low != high else f" ({count(low)} each)"
        verb = "splits" if len(even) == 1 else "split"
        text.append(f"{axes} {verb} into {how}{each}.")
    text += parts
    f_edges = edges.get("F", [])
    if f_edges and all(float(e).is_integer() for e in f_edges):
        steps = _frequency_steps(f_edges, scored["frequency"].min())
        text.append(f"F scores 1-{len(f_edges) + 1} stand for {steps} purchase occasions.")
    return Text(" ".join(text))


def map_sentence(table: pd.DataFrame) -> Text:
    """Whether a segment map covers every score combination and reaches every segment (from
    ``rfm.check_segment_map``, strict or not)."""
    counts = table["score combinations"]
    covered = int(counts.sum())
    unreachable = list(counts.index[counts == 0])
    if covered >= GRID_CELLS and not unreachable:
        return Text(
            "All score combinations (5 x 5 x 5) are covered and every segment owns at least "
            f"{int(counts.min())} of them."
        )
    text = []
    if unreachable:
        verb = "gets" if len(unreachable) == 1 else "get"
        text.append(
            f"{listing(unreachable)} {verb} no combination at all: an earlier rule takes every cell, so "
            "those customers would silently be reported as another segment."
        )
    if covered < GRID_CELLS:
        text.append(f"{GRID_CELLS - covered} of the 5 x 5 x 5 score combinations match no segment.")
    return Text(" ".join(text))


def _rule_cells(rule: pd.Series) -> str:
    parts = []
    for axis in ("R", "F", "M"):
        lo, hi = int(rule[f"{axis.lower()}_min"]), int(rule[f"{axis.lower()}_max"])
        if (lo, hi) != (1, 5):
            parts.append(f"{axis} {lo}" if lo == hi else f"{axis} {lo}-{hi}")
    return ", ".join(parts) or "any scores"


def _members(pairs: list[tuple[str, float, float]]) -> str:
    """``A (1.0% of the customers, 2.0% of the revenue) and B (3.0% and 4.0%)``."""
    parts = [
        f"{name} ({percent(c)} of the customers, {percent(r)} of the revenue)"
        if i == 0
        else f"{name} ({percent(c)} and {percent(r)})"
        for i, (name, c, r) in enumerate(pairs)
    ]
    return listing(parts)


def _group_weight(pairs: list[tuple[str, float, float]]) -> str:
    """The :func:`weight` of a group's summed shares, as a clause (``""`` when no rule applies)."""
    word = weight(sum(r for _, _, r in pairs), sum(c for _, c, _ in pairs))
    if not word:
        return ""
    together = "together " if len(pairs) > 1 else ""
    how = "at least twice" if word == "heavy" else "at most half"
    return f"{together}bring {how} their share of the customers in revenue"


def _profile_pairs(profile: pd.DataFrame, names) -> list[tuple[str, float, float]]:
    return [
        (n, float(profile.loc[n, "customers (%)"]), float(profile.loc[n, "revenue (%)"]))
        for n in names
        if n in profile.index and profile.loc[n, "customers"] > 0
    ]


def _end_of_data(end=None) -> str:
    return "the end of the data" if end is None or _missing(end) else f"{day(end)}, the end of the data"


def _small_text(small: list[tuple[str, int]], least) -> str:
    """`` A (26 customers) and B (12) are small: fewer than the 30 customers ...`` (``""`` when none)."""
    if not small:
        return ""
    named = listing(
        [
            f"{s} ({count(n)} customer{'' if n == 1 else 's'})" if i == 0 else f"{s} ({count(n)})"
            for i, (s, n) in enumerate(small)
        ]
    )
    verb = "is" if len(small) == 1 else "are"
    return (
        f" {named} {verb} small: fewer than the {count(least)} customers this notebook asks before reading "
        "a segment's figures, which say little about so few customers."
    )


def _noted_small(profile: pd.DataFrame) -> list[tuple[str, int]]:
    """(segment, customers) of the rows ``rfm.segment_profile`` notes as small."""
    if "note" not in profile.columns:
        return []
    flagged = profile[profile["note"].astype(str).str.startswith("small")]
    return [(str(s), int(n)) for s, n in flagged["customers"].items()]


def segment_sentence(profile: pd.DataFrame, rules: pd.DataFrame | None = None, *, end=None) -> Text:
    """Who holds the revenue (from ``rfm.segment_profile``, scored at the end of the data, ``end``):
    the two segments with the most revenue, the long tail (:data:`TAIL_SEGMENTS`), the segments the
    profile notes as small (fewer customers than ``rfm.min_ranked_customers`` of all customers) and the
    empty segments, with their score cells from ``rules``."""
    if profile is None or profile.empty or profile["customers"].sum() == 0:
        return Text("No customer was scored.")
    filled = profile[profile["customers"] > 0].sort_values("revenue (%)", ascending=False, kind="stable")
    top = filled.iloc[0]
    text = (
        f"{top.name} are {percent(top['customers (%)'])} of the customers and bring "
        f"{percent(top['revenue (%)'])} of all revenue up to {_end_of_data(end)}"
        f"{_WEIGHT_WORDS[weight(top['revenue (%)'], top['customers (%)'])]}"
    )
    if len(filled) > 1:
        second = filled.iloc[1]
        text += (
            f"; {second.name} follow with {percent(second['revenue (%)'])} of the revenue from "
            f"{percent(second['customers (%)'])} of the customers"
        )
    text += "."
    tail = _profile_pairs(profile, TAIL_SEGMENTS)
    if tail and top.name not in [n for n, _, _ in tail]:
        judged = _group_weight(tail)
        text += f" At the lapsed end of the map{',' if judged else ':'} {_members(tail)}" + (
            f" {judged}." if judged else "."
        )
    text += _small_text(_noted_small(profile), min_ranked_customers(int(profile["customers"].sum())))
    empty = list(profile.index[profile["customers"] == 0])
    if empty:
        cells = ""
        if rules is not None:
            by_name = rules.set_index("segment")
            cells = listing([f"{s} ({_rule_cells(by_name.loc[s])})" for s in empty if s in by_name.index])
        verb = "is" if len(empty) == 1 else "are"
        text += (
            f" {cells or listing(empty)} {verb} empty: no customer has those scores at the end of the data."
        )
    return Text(text)


_MONETARY_WORDS = {"total": "total spend", "mean": "spend per purchase occasion"}


def _monetary_words(monetary: str) -> str:
    if monetary not in _MONETARY_WORDS:
        raise ValueError(f"monetary must be 'total' or 'mean', not {monetary!r}")
    return _MONETARY_WORDS[monetary]


def heatmap_sentence(
    heat: pd.DataFrame, monetary: str = "total", *, min_customers: int | None = None
) -> Text:
    """How mean monetary value (``monetary``: ``"total"`` spend or ``"mean"`` spend per occasion, as
    ``rfm.rfm_values`` made it) moves with the F score (from ``rfm.rf_heatmap``: R scores as rows, F
    scores as columns, means and customers per cell). Only cells with at least ``min_customers``
    customers are read or named (default: the minimum ``rf_heatmap`` used, else
    ``rfm.min_ranked_customers`` of all customers in the grid); the sentence counts the cells left out.
    A table of means alone (no customers) is read as it is. With total spend, a rise with F is partly by
    construction, and the sentence says so."""
    what = _monetary_words(monetary)
    if heat is None or heat.empty:
        return Text("No mean monetary value to compare.")
    sizes, least, hidden, filled = None, None, 0, 0
    if isinstance(heat.columns, pd.MultiIndex) and "mean monetary" in heat.columns.get_level_values(0):
        means, sizes = heat["mean monetary"].astype(float), heat["customers"].fillna(0)
        least = (
            min_customers or heat.attrs.get("min customers") or min_ranked_customers(int(sizes.sum().sum()))
        )
        means = means.where(sizes >= least)  # never read a small cell, whatever the table was made with
        filled = int((sizes > 0).sum().sum())
        hidden = int(((sizes > 0) & (sizes < least)).sum().sum())
    else:
        means = heat.astype(float)
    note = ""
    if hidden:
        one = hidden == 1
        means_are = "its mean is" if one else "their means are"
        note = (
            f" {count(hidden)} of the {count(filled)} filled cells {'holds' if one else 'hold'} fewer than "
            f"{count(least)} customers{'' if one else ' each'}; {means_are} left blank and not read."
        )
    if means.isna().all().all():
        return Text(
            f"No cell holds {count(least)} customers or more: no mean is read."
            if hidden
            else "No mean monetary value to compare."
        )
    rows = [means.loc[r].dropna() for r in means.index]
    rows = [r for r in rows if len(r) >= 2]
    rising = sum(bool(r.is_monotonic_increasing) for r in rows)
    if rows and rising == len(rows):
        text = f"Mean {what} rises with the F score at every R score"
    elif rows:
        text = f"Mean {what} rises with the F score at {rising} of {len(rows)} R scores"
    else:
        text = f"Too few cells are filled to follow mean {what} along the F score"
    inside = [f"over the cells of at least {count(least)} customers"] if hidden else []
    columns = [c for c in means.columns if means[c].notna().any()]
    if len(columns) >= 2:
        low, high = means[columns[0]].dropna(), means[columns[-1]].dropna()
        inside.append(
            f"from {_money_range(low)} at F = {columns[0]} to {_money_range(high)} at F = {columns[-1]}"
        )
    if inside:
        text += f" ({'; '.join(inside)})"
    r, f = means.stack().idxmax()
    held = f" ({count(sizes.loc[r, f])} customers)" if sizes is not None else ""
    text = f"{text}. The highest mean, {money(means.loc[r, f], decimals=0)}, is at R = {r}, F = {f}{held}."
    text += note
    if monetary == "total" and rising:
        text += (
            " Part of the rise is by construction: total spend adds up the purchase occasions that F counts "
            '(spend per occasion, MONETARY = "mean", takes that out).'
        )
    return Text(text)


def _money_range(values: pd.Series) -> str:
    low, high = money(values.min(), decimals=0), money(values.max(), decimals=0)
    return low if low == high else f"{low}-{high}"


def concentration_sentence(concentration: pd.Series | None) -> Text:
    """How concentrated revenue is (from ``rfm.pareto``), judged by the Gini coefficient."""
    if concentration is None or concentration.empty:
        return Text("Revenue concentration was not computed.")
    top_key = next((k for k in concentration.index if k.startswith("revenue from top")), None)
    text = ""
    if top_key is not None:
        share = top_key.removeprefix("revenue from top ").split(" of customers")[0]
        text = f"The top {share} of customers bring {percent(concentration[top_key])} of the revenue"
    if "customers bringing 80% of revenue (%)" in concentration.index:
        text += (
            f"{'; ' if text else ''}{percent(concentration['customers bringing 80% of revenue (%)'])} of "
            "the customers bring 80% of it"
        )
    gini = concentration.get("Gini coefficient")
    word = concentration_word(gini)
    text = f"{text}." if text else ""
    if word:
        text += (
            f" With a Gini coefficient of {float(gini):.2f}, revenue is {word} (this notebook calls a Gini "
            f"of {_words(CONCENTRATED_GINI)} or more concentrated, from {_words(EVEN_GINI)} moderately "
            "concentrated, below that fairly even)."
        )
    elif not _missing(gini):
        text += f" The Gini coefficient, {float(gini):.2f}, is outside 0-1 and is not read."
    return Text(text.strip() or "Revenue concentration was not computed.")


def _bases(thresholds: dict) -> dict:
    """Axis -> (threshold, basis: ``mean``, ``median`` or ``days``) from ``rfm.value_matrix``'s keys."""
    out = {}
    for key, value in thresholds.items():
        axis, _, rest = key.partition(" threshold")
        out[axis] = (value, rest.strip(" ()") or "threshold")
    return out


def thresholds_sentence(thresholds: dict) -> Text:
    """Where high turns to low on each axis of the value matrix (from ``rfm.value_matrix``), and what a
    high R means: more recent than the mean or median of the customers, a relative cut, or a last
    purchase within a number of days given to it."""
    bases = _bases(thresholds)
    if len(bases) < 3 or any(_missing(v) for v, _ in bases.values()):
        return Text("The thresholds of the value matrix could not be computed.")
    stat = bases["frequency"][1]
    recency, r_basis = bases["recency"]
    if r_basis == "days":
        r_text = (
            f"R is high below {float(recency):,.2f} days since the last purchase (a cut given in days, not "
            f"the {stat})"
        )
    else:
        r_text = (
            f"R is high below {float(recency):,.2f} days since the last purchase (more recent than the "
            f"{r_basis}: a relative cut, not a rule of who still buys)"
        )
    return Text(
        f"High and low are set against the {stat} of the customers at the end of the data: {r_text}, F "
        f"above {float(bases['frequency'][0]):,.2f} purchase occasions, M above "
        f"{money(bases['monetary'][0])} (a value equal to the threshold counts as low)."
    )


def _class_words(cls: str, thresholds: dict | None = None) -> str:
    """``important value: more recent, more frequent and higher spend than the mean`` (the R words for a
    cut in days: ``last purchase under 283 days ago``)."""
    row = VALUE_CLASSES.set_index("class").loc[cls]
    bases = _bases(thresholds or {})
    stat = bases.get("frequency", (None, "mean"))[1]
    recency, r_basis = bases.get("recency", (None, stat))
    words = {
        "F": {"high": "more frequent", "low": "less frequent"},
        "M": {"high": "higher spend", "low": "lower spend"},
    }
    f_m = f"{words['F'][row['F']]} and {words['M'][row['M']]} than the {stat}"
    if r_basis == "days":
        r_text = (
            f"last purchase under {count(recency)} days ago"
            if row["R"] == "high"
            else f"no purchase for {count(recency)} days or more"
        )
        return f"{row['class (en)']}: {r_text}, {f_m}"
    r_word = "more recent" if row["R"] == "high" else "less recent"
    return f"{row['class (en)']}: {r_word}, {f_m}"


def _class_stage_text(value_profile: pd.DataFrame, thresholds: dict | None) -> str:
    """How many customers of the classes with a high R are silent or churned, and the classes with a
    low R whose customers are all churned (``""`` without the stage columns of ``rfm.value_profile``)."""
    if not set(INACTIVE_STAGES) <= set(value_profile.columns):
        return ""
    info = VALUE_CLASSES.set_index("class")
    filled = value_profile[value_profile["customers"] > 0]
    recent = [c for c in filled.index if c in info.index and info.loc[c, "R"] == "high"]
    pairs = [(c, int(filled.loc[c, "churned"]), int(filled.loc[c, "silent"])) for c in recent]
    inactive = [(c, ch, si) for c, ch, si in pairs if ch or si]
    text = ""
    if inactive:
        bases = _bases(thresholds or {})
        recency, r_basis = bases.get("recency", (None, "mean"))
        high = (
            f"a last purchase under {count(recency)} days ago"
            if r_basis == "days"
            else f"being more recent than the {r_basis}"
        )
        parts = [
            f"{c} has {count(ch)} churned and {count(si)} silent customers"
            if i == 0
            else f"{c} {count(ch)} and {count(si)}"
            for i, (c, ch, si) in enumerate(inactive)
        ]
        text += (
            f" A high R ({high}) is not the same as still buying: by notebook 01's stage rules, "
            f"{listing(parts)}."
        )
    gone = [
        c
        for c in filled.index
        if c in info.index
        and info.loc[c, "R"] == "low"
        and filled.loc[c, "churned"] == filled.loc[c, "customers"]
    ]
    if gone:
        text += f" Every customer of {listing(gone)} is churned by those rules."
    return text


def value_sentence(value_profile: pd.DataFrame, thresholds: dict | None = None) -> Text:
    """The value matrix's top class, its win-back class and its tail (from ``rfm.value_profile``), each
    described against the cut the matrix used (``thresholds``, from ``rfm.value_matrix``; the mean when
    not given), and, when the profile has the ``silent`` and ``churned`` columns, how many customers of
    the classes with a high R are silent or churned by notebook 01's stage rules."""
    if value_profile is None or value_profile.empty or value_profile["customers"].sum() == 0:
        return Text("No customer was placed in the value matrix.")
    text = []
    for cls in (TOP_CLASS, TAIL_CLASS, WIN_BACK_CLASS):
        if cls not in value_profile.index or value_profile.loc[cls, "customers"] == 0:
            text.append(f"No customer is {cls} ({_class_words(cls, thresholds)}).")
            continue
        row = value_profile.loc[cls]
        text.append(
            f"{cls} ({_class_words(cls, thresholds)}) are {count(row['customers'])} customers "
            f"({percent(row['customers (%)'])}) with {percent(row['revenue (%)'])} of the revenue"
            f"{_WEIGHT_WORDS[weight(row['revenue (%)'], row['customers (%)'])]}."
        )
    return Text(" ".join(text) + _class_stage_text(value_profile, thresholds))


def snapshots_sentence(first, early, end) -> Text:
    """When the earlier snapshot is, between the first purchase (``first``) and the end of the data."""
    if _missing(early) or early is pd.NaT:
        return Text("There is no earlier snapshot on this data.")
    first, early, end = pd.Timestamp(first), pd.Timestamp(early), pd.Timestamp(end)
    before, after = ((early - first).days + 1) // 7, (end - early).days // 7
    return Text(
        f"The earlier snapshot is {day(early)}: {before} full weeks after the first purchase in the data "
        f"({day(first)}) and {after} full weeks before its end ({day(end)})."
    )


def migration_sentence(moves: pd.DataFrame, early, end, activity: pd.DataFrame | None = None) -> Text:
    """Where the customers of the growth segments went between the snapshots (from
    ``rfm.migration_from``: one column per earlier segment, row shares 0-1 by later segment). A segment
    that keeps :data:`HOLD_PCT` or more of its customers "holds its standing": scores are relative to the
    customers of each snapshot, so that is standing, not activity; with ``activity``
    (``rfm.migration_activity``) the sentence puts beside it the share who bought again between the
    snapshots and the share who kept the segment without buying."""
    if moves is None or moves.empty or moves.shape[1] == 0:
        return Text(f"None of the segments followed here had customers at {day(early)}.")
    top = moves.index[0]
    held = activity is not None and not activity.empty
    text = []
    if held:
        text.append(
            "Segments measure standing among the customers of each snapshot, not activity: scores are "
            "relative, so a customer who has not bought since can keep a segment while others lapse longer."
        )
    for seg in moves.columns:
        col = 100 * moves[seg].fillna(0)
        stay = float(col.get(seg, 0.0))
        lead = f"Of the customers in {seg} at {day(early)}, {percent(stay, 0)} are still there at {day(end)}"
        if stay >= HOLD_PCT:
            lead += f" ({_words(HOLD_PCT)} or more: the segment holds its standing)"
        if held and seg in activity.index:
            row = activity.loc[seg]
            lead += (
                f"; {percent(row['bought again (%)'])} of them bought again in between and "
                f"{percent(row['still in the segment, no purchase (%)'])} are still {seg} without having "
                "bought"
            )
        dest = col.idxmax()
        if dest != seg and col[dest] > 0:
            how = "most" if col[dest] > MAJORITY_PCT else "the largest share"
            lead += f"; {how} ({percent(col[dest], 0)}) moved to {dest}"
        if top not in (seg, dest):
            lead += f"; {percent(col.get(top, 0.0), 0)} became {top}"
        text.append(lead + ".")
    return Text(" ".join(text))


def _recency_limit(edges_r: list[float], r_min: int) -> float | None:
    """The recency (days) below which the R score is at least ``r_min`` (None: any recency or none)."""
    k = len(edges_r) + 1
    i = k - int(r_min)
    return float(edges_r[i]) if 0 <= i < len(edges_r) else None


def stage_sentence(table: pd.DataFrame, edges: dict, rules: pd.DataFrame | None = None) -> Text:
    """What the lifecycle stages say about the RFM segments (from ``rfm.crosstab`` of segment by stage):
    the segments that are wholly churned, and the stages of the first segment of the map (with the
    recency its R score allows, from ``edges`` and ``rules``)."""
    if table is None or table.empty or table.to_numpy().sum() == 0:
        return Text("No customer has both a segment and a stage.")
    sizes = table.sum(axis=1)
    filled = table[sizes > 0]
    text = []
    if "churned" in table.columns:
        gone = [s for s in filled.index if filled.loc[s, "churned"] == sizes[s]]
        if gone:
            text.append(
                f"Every customer of {listing(gone)} is churned by the stage rules derived as in notebook 01."
            )
    first = filled.index[0]
    stages = [(stage, n) for stage, n in filled.loc[first].items() if n > 0]
    if len(stages) == 1:
        text.append(f"All {count(sizes[first])} {first} are {stages[0][0]}.")
    else:
        parts = [
            f"{count(n)} are {stage}" if i == 0 else f"{count(n)} {stage}"
            for i, (stage, n) in enumerate(stages)
        ]
        text.append(f"Of the {count(sizes[first])} {first}, {listing(parts)}.")
    inactive = sum(int(filled.loc[first].get(stage, 0)) for stage in ("silent", "churned"))
    if rules is not None and first in set(rules["segment"]) and inactive:
        r_min = int(rules.set_index("segment").loc[first, "r_min"])
        limit = _recency_limit(edges.get("R", []), r_min)
        if limit is not None:
            text.append(
                f"{first} need an R score of {r_min} or more, which on this data means a last purchase "
                f"fewer than {count(limit)} days before the end of the data."
            )
    return Text(" ".join(text))


def _left_out(text) -> list[tuple[str, int]]:
    """(segment, customers) from ``rfm.predictive_check``'s ``"A (8); B (18)"``."""
    if _missing(text) or not str(text).strip():
        return []
    pairs = []
    for part in str(text).split("; "):
        name, _, n = part.rpartition(" (")
        pairs.append((name, int(n.rstrip(")"))))
    return pairs


def _minimum_rule(check: pd.Series) -> str:
    """How the minimum segment size of the check came about (``rfm.min_ranked_customers``)."""
    m, then = int(check["min customers per segment"]), check.get("customers at the earlier snapshot")
    if _missing(then) or m != min_ranked_customers(int(then)):
        return "the minimum set for this run"
    if m == MIN_RANKED_CUSTOMERS:
        return "this notebook's minimum, lowered to one tenth of the customers on smaller data"
    if m == MIN_RANKED_FLOOR:
        return f"this notebook's floor on small data; {MIN_RANKED_CUSTOMERS} on larger data"
    return (
        f"one tenth of the {count(then)} customers then, as this notebook asks on smaller data; "
        f"{MIN_RANKED_CUSTOMERS} on larger data, never fewer than {MIN_RANKED_FLOOR}"
    )


def _rho_interval(low, high, *, first: bool = True) -> str:
    """`` (95% interval 0.71 to 0.95, resampling customers)`` (``""`` when the interval is missing)."""
    if _missing(low) or _missing(high):
        return ""
    return f" (95% interval {float(low):.2f} to {float(high):.2f}" + (
        ", resampling customers; the segments compared stay the same)" if first else ")"
    )


def outcome_sentence(check: pd.Series | None, monetary: str = "total") -> Text:
    """Whether the earlier segments rank what their customers did next (from ``rfm.predictive_check``;
    ``monetary`` names what their value then is), judged on the 95% interval of the rank correlation
    (:func:`ranks_next_period`): the segments compared, those left out for size, and the highest- and
    lowest-value segments of those compared."""
    if check is None or check.empty or not check.get("segments compared"):
        return Text("No segment is large enough to compare with the next period.")
    n, rho = int(check["segments compared"]), check["rank correlation (value then, spend after)"]
    low, high = check.get("rank correlation 95% low"), check.get("rank correlation 95% high")
    judged = ranks_next_period(rho, n, low, high)
    rho_text = "n/a" if _missing(rho) else f"{float(rho):.2f}"
    text = (
        f"Over the {n} segment{'' if n == 1 else 's'} with at least "
        f"{count(check['min customers per segment'])} customers at {check['earlier snapshot']} "
        f"({_minimum_rule(check)}), the rank correlation between their mean {_monetary_words(monetary)} then "
        f"and their mean spend from then up to {check['end']} is {rho_text}{_rho_interval(low, high)}"
    )
    rule = f"this notebook asks for at least {_words(RANK_AGREEMENT)} over the whole interval"
    if n < MIN_RANKED_SEGMENTS or _missing(rho):
        text += f": too few segments to judge the ranking (this notebook asks for {MIN_RANKED_SEGMENTS})."
    elif _missing(low) or _missing(high):
        text += f": without an interval this notebook does not judge the ranking ({rule})."
    elif judged:
        text += (
            ": segments worth more then spent more afterwards, largely in the same order, over the whole "
            f"interval ({rule})."
        )
    elif judged is None:
        text += (
            f": the interval reaches both sides of {_words(RANK_AGREEMENT)}, so this run cannot say whether "
            f"the segments rank the next period ({rule})."
        )
    else:
        text += (
            f": the whole interval is short of the {_words(RANK_AGREEMENT)} this notebook asks before saying "
            "the segments rank the next period."
        )
    left = _left_out(check.get("segments left out for size"))
    if left:
        named = [
            f"{s} ({count(c)} customer{'' if c == 1 else 's'})" if i == 0 else f"{s} ({count(c)})"
            for i, (s, c) in enumerate(left)
        ]
        text += f" Left out for size: {listing(named)}."
        worth = check.get("left out, worth more then")
        above = [] if _missing(worth) else [a for a in str(worth).split("; ") if a]
        if above:
            verb = "was" if len(above) == 1 else "were"
            text += (
                f" {listing(above)} {verb} worth more then than any segment compared; the outcome table "
                "above shows what they did next."
            )
    top, bottom = check["highest-value segment then"], check["lowest-value segment then"]
    text += (
        f" Of the {n} segment{'' if n == 1 else 's'} compared, {top} had the highest value then: "
        f"{percent(check['highest: bought again (%)'])} bought again and spent "
        f"{money(check['highest: mean spend after'])} each on average"
    )
    if bottom != top:
        text += (
            f"; {bottom} the lowest: {percent(check['lowest: bought again (%)'])} and "
            f"{money(check['lowest: mean spend after'])}"
        )
    return Text(text + ".")


def plays_sentence(counts: pd.DataFrame, own: pd.Series | None = None) -> Text:
    """How often the lifecycle stage overrides the play of a value class or an RFM segment (from
    ``rfm.play_counts``: customers per class or segment and stage with the play and where it comes
    from). For the value classes: the customers whose play follows their stage, those of
    :data:`TOP_CLASS` among them, and the classes none of whose customers keeps the class's play. For the
    segments (``own``: each segment's play, as the map gives it): the same, naming for every segment with
    both active and inactive customers how many are no longer told its play."""
    if counts is None or counts.empty or counts["customers"].sum() == 0:
        return Text("No customer has both a value class and a lifecycle stage.")
    level = counts.index.names[0] or "class"
    group = "value class" if level == "class" else "segment"
    total = int(counts["customers"].sum())
    by_stage = counts[counts["play from"] == "stage"]
    moved = int(by_stage["customers"].sum())
    if moved == 0:
        return Text(
            f"None of the {count(total)} customers is silent or churned by notebook 01's stage rules: every "
            f"customer keeps the play of their {group}."
        )
    why = (
        "which assumes a customer who still buys"
        if level == "class"
        else "which is set by scores relative to the other customers and does not know whether they still buy"
    )
    text = [
        f"By notebook 01's stage rules, {count(moved)} of the {count(total)} customers are silent or "
        f"churned, so their play follows their stage and past spend (a win-back, or letting go) "
        f"instead of their {group}'s play, {why}."
    ]
    groups = list(dict.fromkeys(counts.index.get_level_values(level)))
    if level == "class":
        own = VALUE_CLASSES.set_index("class")["play"].map(lambda p: p.split("; ")[-1])
        named = [TOP_CLASS] if TOP_CLASS in groups else []
    else:
        named = [g for g in groups if not (counts.loc[[g], "play from"] == "stage").all()]
    parts = []
    for g in named:
        rows = by_stage[by_stage.index.get_level_values(level) == g]
        stages = rows.groupby(level="stage", sort=False)["customers"].sum()
        told = [f"{count(c)} {st}" for st, c in stages.items() if c > 0]
        if told and own is not None and g in own.index:
            who = f"{g} customers" if level == "class" else g
            parts.append(f'of the {who}, {listing(told)} are no longer told to "{own[g]}"')
    if parts:
        first = parts[0][0].upper() + parts[0][1:]
        text.append("; ".join([first, *parts[1:]]) + ".")
    whole = [g for g in groups if (counts.loc[[g], "play from"] == "stage").all()]
    if whole:
        text.append(
            f"Every customer of {listing(whole)} is silent or churned: none keeps the {group}'s own play."
        )
    return Text(" ".join(text))


_MEASURES = {
    "AUC": ("AUC, bought again", "AUC 95% low", "AUC 95% high"),
    "rank": (
        "rank correlation with spend after",
        "rank correlation 95% low",
        "rank correlation 95% high",
    ),
}
# the paired lead of the segments on a baseline (segments minus baseline, same resamples)
_LEADS = {
    "AUC": ("AUC lead of segments", "AUC lead 95% low", "AUC lead 95% high"),
    "rank": (
        "rank correlation lead of segments",
        "rank correlation lead 95% low",
        "rank correlation lead 95% high",
    ),
}


def beats_baseline(table: pd.DataFrame, baseline: str, measure: str = "AUC") -> bool | None:
    """Whether the segments beat ``baseline`` (a row of ``rfm.baseline_check``) on ``measure`` (``"AUC"``
    or ``"rank"``), judged on the paired lead (segments minus baseline on the same bootstrap resamples of
    customers): True when the lead is at least :data:`BASELINE_MARGIN` and its 95% interval lies above
    zero, False when the baseline leads by as much with the interval below zero, ``None`` (no clear
    difference) otherwise or when a figure is missing."""
    point, low, high = _LEADS[measure]
    if baseline not in table.index or any(c not in table.columns for c in (point, low, high)):
        return None
    lead, lo, hi = (table.loc[baseline, c] for c in (point, low, high))
    if any(_missing(x) for x in (lead, lo, hi)):
        return None
    if float(lead) >= BASELINE_MARGIN - 1e-9 and float(lo) > 0:
        return True
    if float(lead) <= -BASELINE_MARGIN + 1e-9 and float(hi) < 0:
        return False
    return None


def _with_interval(row: pd.Series, measure: str, first: bool, columns=None) -> str:
    point, low, high = (columns or _MEASURES)[measure]
    if _missing(row[point]):
        return "n/a"
    if _missing(row[low]):
        return f"{row[point]:.3f}"
    inner = (
        f"95% interval {row[low]:.3f} to {row[high]:.3f}" if first else f"{row[low]:.3f} to {row[high]:.3f}"
    )
    return f"{row[point]:.3f} ({inner})"


_BASELINES = ("frequency alone", "recency alone")
_MEASURE_NAMES = {"AUC": "bought again", "rank": "spend"}


def _baseline_verdict(table: pd.DataFrame) -> str:
    """The verdict on the baselines (:func:`beats_baseline` for each baseline and measure), the same
    words in the body of the notebook and in its closing bullet."""
    bases = [b for b in _BASELINES if b in table.index]
    verdicts = {(b, m): beats_baseline(table, b, m) for b in bases for m in _MEASURES}
    beaten = [f"{b} on {_MEASURE_NAMES[m]}" for (b, m), v in verdicts.items() if v is True]
    trailing = [f"{b} on {_MEASURE_NAMES[m]}" for (b, m), v in verdicts.items() if v is False]
    rule = (
        f"this notebook asks for a lead of at least {BASELINE_MARGIN:g} whose paired 95% interval lies "
        "above zero"
    )
    if beaten and len(beaten) == len(verdicts):
        text = f"The segments beat both baselines on both measures ({rule})."
    elif beaten:
        text = f"The segments beat {listing(beaten)} ({rule}), but not every baseline on every measure."
    else:
        text = f"The segments do not beat either baseline on either measure ({rule})."
    if trailing:
        text += f" They trail {listing(trailing)} by that standard."
    return text


def baseline_sentence(table: pd.DataFrame | None, early, end) -> Text:
    """Whether the segments of the earlier snapshot ``early`` rank customers on what they did up to
    ``end`` better than frequency alone and recency alone (from ``rfm.baseline_check``): each measure
    with its interval, the paired leads of the segments on each baseline, and the verdict of
    :func:`beats_baseline`."""
    if table is None or table.empty or "RFM segment" not in table.index:
        return Text("No comparison with naive baselines was possible.")
    seg = table.loc["RFM segment"]
    if _missing(seg["AUC, bought again"]):
        note = seg.get("note") or "no AUC"
        return Text(f"The segments cannot be scored against the baselines on this data: {note}.")
    bases = [b for b in _BASELINES if b in table.index]
    text = (
        f"Customer by customer, the segments of {day(early)} rank who bought again up to {day(end)} with an "
        f"AUC of {_with_interval(seg, 'AUC', True)}, against "
        + listing([f"{_with_interval(table.loc[b], 'AUC', False)} for {b}" for b in bases])
        + f"; on spend afterwards their rank correlation is {_with_interval(seg, 'rank', False)}, against "
        + listing([f"{_with_interval(table.loc[b], 'rank', False)} for {b}" for b in bases])
        + "."
    )
    if all(c in table.columns for c in _LEADS["AUC"] + _LEADS["rank"]):
        leads = [
            f"{_with_interval(table.loc[b], m, i == 0, _LEADS)} on {b} in "
            f"{'AUC' if m == 'AUC' else 'rank correlation'}"
            for i, (m, b) in enumerate((m, b) for m in _MEASURES for b in bases)
        ]
        text += (
            " Paired on the same resamples of customers, the segments' lead (segments minus baseline) is "
            f"{listing(leads)}."
        )
    return Text(f"{text} {_baseline_verdict(table)}")


# --------------------------------------------------------------------------- answer, closing
def _segments(figures: dict) -> dict:
    """Recorded revenue shares (%) of the named segments (not the value classes)."""
    classes = set(VALUE_CLASSES["class"])
    return {
        k.removesuffix(": revenue (%)"): v
        for k, v in figures.items()
        if k.endswith(": revenue (%)") and v is not None and k.removesuffix(": revenue (%)") not in classes
    }


def answer(figures: dict) -> Text:
    """Notebook 03: how concentrated revenue is, and the largest segment by revenue."""
    if figures.get("revenue from top 20% of customers (%)") is None:
        return with_not_run("", figures)
    gini = figures.get("Gini coefficient")
    word = concentration_word(gini)
    concentration = ""
    if gini is not None:
        concentration = f" (Gini {float(gini):.2f}{': ' + word if word else ''})"
    text = (
        f"The top 20% of customers bring {percent(figures['revenue from top 20% of customers (%)'])} of the "
        f"revenue{concentration}."
    )
    revenue = _segments(figures)
    if revenue:
        top = max(revenue, key=revenue.get)
        share = figures.get(f"{top}: customers (%)")
        of = f" from {percent(share)} of the customers" if share is not None else ""
        text += f" {top} is the segment with the most revenue: {percent(revenue[top])}{of}."
    return with_not_run(text, figures)


def _pairs(figures: dict, names) -> list[tuple[str, float, float]]:
    """(name, customers %, revenue %) of the recorded groups in ``names`` that have customers."""
    return [
        (n, float(figures[f"{n}: customers (%)"]), float(figures.get(f"{n}: revenue (%)") or 0))
        for n in names
        if (figures.get(f"{n}: customers (%)") or 0) > 0
    ]


_PLAY_LEAD = "A play to test, not a finding of this notebook:"


def _stage_clause(figures: dict, names) -> str:
    """How many customers of the segments ``names`` are churned and silent by notebook 01's stage
    rules, from the recorded ``"<segment>: churned (customers)"`` (``""`` when not recorded)."""
    parts, gone = [], []
    for name in names:
        n = figures.get(f"{name}: customers")
        churned, silent = (
            figures.get(f"{name}: churned (customers)"),
            figures.get(f"{name}: silent (customers)"),
        )
        if _missing(n) or _missing(churned) or _missing(silent) or not n:
            continue
        if churned == n:
            gone.append(f"all {count(n)} {name}")
        elif churned == 0 and silent == 0:
            parts.append(f"none of the {count(n)} {name} is silent or churned")
        else:
            parts.append(f"{count(churned)} of the {count(n)} {name} are churned and {count(silent)} silent")
    if gone:
        parts.append(f"{listing(gone)} are churned")
    if not parts:
        return ""
    return f" By notebook 01's stage rules, {listing(parts)} at the end of the data."


def _top_bullet(figures: dict) -> str | None:
    revenue = _segments(figures)
    if not revenue:
        return None
    top = max(revenue, key=revenue.get)
    customers = figures.get(f"{top}: customers (%)")
    heavy = weight(revenue[top], customers) == "heavy"
    text = (
        f"**The segment with the most revenue.** {top} are {percent(customers)} of the customers and bring "
        f"{percent(revenue[top])} of the revenue"
    )
    if heavy:
        text += ", at least twice their share of the customers"
    top_class = _pairs(figures, [TOP_CLASS])
    if top_class:
        text += f"; in the value matrix, {_members(top_class)}"
    text += "."
    stages = _stage_clause(figures, [top])
    if stages:
        inactive = (figures.get(f"{top}: churned (customers)") or 0) + (
            figures.get(f"{top}: silent (customers)") or 0
        )
        text += stages
        if inactive:
            text += " Their RFM scores rank past spending, not whether they still buy."
    if heavy:
        text += f" {_PLAY_LEAD} recognition and service rather than discounts"
        text += ", for those still buying." if stages else "."
    return text


def _small_in_record(figures: dict, names) -> list[tuple[str, int]]:
    """(segment, customers) of the segments in ``names`` that the record flags small at the end of data."""
    flagged = dict(_left_out(figures.get("small segments (end of data)")))
    return [(n, flagged[n]) for n in names if n in flagged]


def _slipping_bullet(figures: dict) -> str | None:
    groups = [g for g in (_pairs(figures, SLIPPING_SEGMENTS), _pairs(figures, SLIPPING_CLASSES)) if g]
    if not groups:
        return None
    text = (
        f"**The valuable ones who slip.** {'; '.join(_members(g) for g in groups)}. By their scores they "
        "bought often or spent much, but not recently: the candidates for a personal win-back, which "
        "notebook 05 prices."
    )
    names = [n for n, _, _ in _pairs(figures, SLIPPING_SEGMENTS)]
    text += _stage_clause(figures, names)
    small = _small_in_record(figures, names)
    least = figures.get("min customers per segment (end of data)")
    if small and not _missing(least):
        text += _small_text(small, least)
    return text


def _tail_bullet(figures: dict) -> str | None:
    groups = [g for g in (_pairs(figures, TAIL_SEGMENTS), _pairs(figures, [TAIL_CLASS])) if g]
    if not groups:
        return None
    text = f"**The lapsed segments.** {'; '.join(_members(g) for g in groups)}."
    light = all(weight(sum(r for _, _, r in g), sum(c for _, c, _ in g)) == "light" for g in groups)
    if light:
        text += " Each group brings at most half its share of the customers in revenue."
    text += _stage_clause(figures, [n for n, _, _ in _pairs(figures, TAIL_SEGMENTS)])
    if light:
        text += f" {_PLAY_LEAD} automated, low-cost contact at most."
    return text


def _next_period_bullet(figures: dict) -> str | None:
    n = figures.get("next period: segments compared")
    if n is None:
        return None
    rho = figures.get("next period: rank correlation (value then, spend after)")
    low, high = (
        figures.get("next period: rank correlation 95% low"),
        figures.get("next period: rank correlation 95% high"),
    )
    judged = ranks_next_period(rho, n, low, high)
    early, end = figures.get("next period: earlier snapshot"), figures.get("next period: end")
    rho_text = "n/a" if _missing(rho) else f"{float(rho):.2f}"
    text = (
        f"**Do the segments rank the next period?** Segments of {early} against spending up to {end}: rank "
        f"correlation {rho_text}{'' if _missing(rho) else _rho_interval(low, high, first=False)} over "
        f"{count(n)} segments"
    )
    least = figures.get("next period: min customers per segment")
    if not _missing(least):
        left = len(_left_out(figures.get("next period: segments left out for size")))
        text += f" of at least {count(least)} customers" + (
            f" ({count(left)} smaller {'one' if left == 1 else 'ones'} left out)" if left else ""
        )
    if int(n) < MIN_RANKED_SEGMENTS or _missing(rho):
        return text + f"; too few segments to judge (this notebook asks for {MIN_RANKED_SEGMENTS})."
    if _missing(low) or _missing(high):
        return text + "; without an interval this notebook does not judge the ranking."
    if judged is None:
        return text + (
            f"; the 95% interval reaches both sides of {_words(RANK_AGREEMENT)}: this run cannot say whether "
            "the segments rank next-period spending."
        )
    if judged:
        table = _baseline_table(figures)
        lead = (
            f", at least {_words(RANK_AGREEMENT)} over the whole interval: the segments rank next-period "
            "spending"
        )
        if table is not None and not _beats_all(table):
            some = any(beats_baseline(table, b, m) is True for b in _BASELINES for m in _MEASURES)
            how = "not better than every single axis" if some else "no better than a single axis"
            return text + f"{lead} as groups, but customer by customer {how} (next point)."
        return text + f"{lead} and are a basis for targeting (notebook 05 prices the plays)."
    return text + (
        f"; the whole interval is short of the {_words(RANK_AGREEMENT)} this notebook asks: on this data the "
        "segments do not rank the next period."
    )


_PREDICTOR_ROWS = ("RFM segment", "frequency alone", "recency alone")


def _baseline_table(figures: dict) -> pd.DataFrame | None:
    """The recorded ``rfm.baseline_check`` figures as its table (None when not recorded or no AUC); the
    leads are recorded on the baselines' rows only."""
    columns = _MEASURES["AUC"] + _MEASURES["rank"]
    leads = _LEADS["AUC"] + _LEADS["rank"]
    if any(f"baseline: {p}: {c}" not in figures for p in _PREDICTOR_ROWS for c in columns):
        return None
    if any(f"baseline: {p}: {c}" not in figures for p in _BASELINES for c in leads):
        return None
    table = pd.DataFrame(
        {
            c: [figures.get(f"baseline: {p}: {c}", float("nan")) for p in _PREDICTOR_ROWS]
            for c in columns + leads
        },
        index=list(_PREDICTOR_ROWS),
    ).astype(float)
    return None if table["AUC, bought again"].isna().any() else table


def _beats_all(table: pd.DataFrame) -> bool:
    return all(beats_baseline(table, b, m) is True for b in _BASELINES for m in _MEASURES)


def _baseline_bullet(figures: dict) -> str | None:
    table = _baseline_table(figures)
    if table is None:
        return None
    auc = table["AUC, bought again"]
    return (
        "**Segments against naive baselines.** Customer by customer, the segments rank who bought again "
        f"with an AUC of {auc['RFM segment']:.3f}, against {auc['frequency alone']:.3f} for frequency alone "
        f"and {auc['recency alone']:.3f} for recency alone. {_baseline_verdict(table)}"
    )


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures."""
    if figures.get("customers scored") is None:
        return Text("- RFM segmentation did not run on this data: the sufficiency table says what it needs.")
    bullets = [
        b
        for b in (
            _top_bullet(figures),
            _slipping_bullet(figures),
            _tail_bullet(figures),
            _next_period_bullet(figures),
            _baseline_bullet(figures),
        )
        if b
    ]
    return Text("\n".join(f"- {b}" for b in bullets))
