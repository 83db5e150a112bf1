"""The sentences of notebook 01 (lifecycle stages: rules, flows, cohort retention), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
Contrasts between groups of customers are observational: a sentence says which customers had what
("customers mature then had churned less often"), never that one thing makes another.
"""

from __future__ import annotations

import math

import pandas as pd

from lifecycle_utils import stages as layer
from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, day, listing, money, percent
from lifecycle_utils.narrative.words import missing as _missing

__all__ = [
    "STICKY_PCT",
    "HALF_PCT",
    "SENSITIVE_PCT",
    "ordinal",
    "gap_sentence",
    "mature_sentence",
    "rules_sentence",
    "CHANGE_ALPHA",
    "threshold_sentence",
    "band_name",
    "quantile_chance_sentence",
    "band_sentence",
    "rate_change_sentence",
    "sizes_sentence",
    "revenue_sentence",
    "transitions_sentence",
    "flows_sentence",
    "spells_sentence",
    "resurrection_sentence",
    "funnel_sentence",
    "cohort_sentence",
    "sensitivity_sentence",
    "MATURE_WORDS",
    "answer",
    "what_this_means",
]

# churn is "sticky" when at least this share (%) of churned customers are still churned at the next snapshot
STICKY_PCT = 95.0
# "most" of the revenue: strictly more than this share (%)
HALF_PCT = 50.0
# the silent and churn thresholds "matter" when one of the alternative rules moves at least this share (%)
# of the customers into or out of the churned stage at the last snapshot
SENSITIVE_PCT = 5.0
# the monthly moves out of a stage "differ more than chance allows" when the chi-square test of
# homogeneity across months (stages.rate_change_test) has a p-value below this
CHANGE_ALPHA = 0.05


# ------------------------------------------------------------------------------------------- helpers


def _no_table(table) -> bool:
    """None, empty, or nothing but NaN."""
    if table is None or len(table) == 0:
        return True
    values = table.select_dtypes("number") if isinstance(table, pd.DataFrame) else table
    return bool(values.isna().all().all()) if isinstance(values, pd.DataFrame) else bool(values.isna().all())


def ordinal(k: int) -> str:
    """``first`` ... ``tenth``, then ``11th``, ``21st``, ``22nd`` ..."""
    words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
    k = int(k)
    if 1 <= k <= len(words):
        return words[k - 1]
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _days(x) -> str:
    """A number of days as shown in a table: whole days with separators, else one decimal."""
    if _missing(x):
        return "n/a"
    x = float(x)
    return count(x) if x == round(x) else f"{x:,.1f}"


def _pct(share) -> str:
    """A share given as a fraction (0.154) in percent (``15.4%``)."""
    return percent(None if _missing(share) else 100 * float(share))


# ------------------------------------------------------------------------------------ deriving rules
def gap_sentence(quantiles: pd.DataFrame | None, *, observed_days: int | None = None) -> Text:
    """What the gap quantiles say (``stages.gap_quantiles``: ``returns within (%)``, ``days``), and that
    no gap longer than the ``observed_days`` the log covers can be seen."""
    rows = None if _no_table(quantiles) else quantiles.dropna(subset=["days"])
    if rows is None or rows.empty:
        return Text("No customer bought on two different days: there are no gaps between purchases to read.")
    parts = [
        f"{percent(q, 0)} at most {_days(d)} days" for q, d in zip(rows["returns within (%)"], rows["days"])
    ]
    parts[0] = parts[0].replace(" at most", " are at most", 1)
    text = f"Of the observed gaps between two purchase occasions of a customer, {listing(parts)}."
    if not _missing(observed_days):
        text += (
            f" The log covers {count(observed_days)} days, so no longer gap can be observed: these quantiles "
            "are lower bounds."
        )
    return Text(text)


def mature_sentence(repeat: pd.DataFrame | None, rules: layer.StageRules | None, *, tolerance: float) -> Text:
    """What the repeat probabilities (``stages.repeat_probability`` within the churn threshold) say, and
    on what grounds the mature rule stands: where the curve levels off by the ``MATURE_TOLERANCE`` rule
    (``stages.mature_basis``), the last number of occasions with enough customers at risk, the default,
    or a parameter that overrides the derived rules."""
    if rules is None:
        return Text("No stage rules were derived: no mature cut-off to read.")
    if _no_table(repeat) or _no_table(repeat["repeat probability"]):
        return Text(
            "No purchase occasion lies far enough before the end of the data to measure a repeat "
            f"probability; the rules set mature from {rules.mature_occasions} purchase occasions."
        )
    basis = layer.mature_basis(repeat, tolerance)
    k, at_least = basis["occasions"], basis["min customers"]
    table = repeat.set_index("occasions")
    reliable = table[table["customers"] >= at_least]
    shown = [j for j in dict.fromkeys([1, 2, k]) if j in reliable.index]
    probs = [f"{_pct(reliable.loc[j, 'repeat probability'])} after the {ordinal(j)}" for j in shown]
    text = ""
    if probs:
        text = (
            f"The share of customers who bought again within {count(rules.churn_days)} days is "
            f"{listing(probs)} purchase occasion (read where at least {count(at_least)} customers are at "
            "risk)."
        )
        if len(reliable) >= 2 and reliable["repeat probability"].is_monotonic_increasing:
            text += (
                " Customers with more occasions so far were more likely to buy again: an association "
                "across customers, not a measure of what one more purchase changes."
            )
    rule = f"MATURE_TOLERANCE = {tolerance:g}"
    if basis["rule"] == "levels off":
        text += (
            f" Going from {k} to {k + 1} occasions changes it by {basis['gain']:+.3f}, less than {rule}: by "
            f"that rule the curve levels off at {k} occasions"
        )
        later = reliable[(reliable.index > k + 1) & (reliable["gain"] >= tolerance)]
        if len(later):
            j = int(later.index[0])
            text += (
                f", though a later step adds more again ({later['gain'].iloc[0]:+.3f} from {j - 1} to {j})."
            )
        else:
            text += ", and no later step among these adds as much."
    elif basis["rule"] == "last reliable":
        text += (
            f" No step among these changes it by less than {rule}, so the curve is not seen to level "
            f"off: the cut-off is {k} occasions, the most with at least {count(at_least)} customers at risk."
        )
    else:
        text += (
            f" Fewer than two numbers of occasions have at least {count(at_least)} customers at risk, so no "
            f"levelling off can be seen: the cut-off is the default of {k} occasions."
        )
    if rules.mature_occasions != k:
        text += (
            f" The rules in use set mature from {rules.mature_occasions} occasions instead: a parameter "
            "overrides the rules derived from the data."
        )
    else:
        text += f" Customers with {k} or more purchase occasions count as mature."
    return Text(text.strip())


def rules_sentence(described: pd.DataFrame | None) -> Text:
    """The rules in one sentence, from ``StageRules.describe(gaps=...)``: the thresholds and the share of
    observed gaps longer than each (how often a customer who came back had waited that long)."""
    if _no_table(described):
        return Text("No stage rules were derived.")
    rows = described.set_index("rule")
    silent, churn = int(rows.loc["silent_days", "value"]), int(rows.loc["churn_days", "value"])
    text = f"Silent after {count(silent)} days and churned after {count(churn)} days without a purchase"
    if "observed gaps longer (%)" in rows:
        longer = rows["observed gaps longer (%)"]
        text += (
            f": {percent(longer['silent_days'])} and {percent(longer['churn_days'])} of the observed gaps "
            "between two purchases are longer than these"
        )
    return Text(f"{text}. Mature from {count(rows.loc['mature_occasions', 'value'])} purchase occasions.")


# ----------------------------------------------------------------------------------- stages over time
def threshold_sentence(
    table: pd.DataFrame | None, rules: layer.StageRules | None, *, churn_rule: str = "gap quantile"
) -> Text:
    """The churn thresholds by rule side by side (``stages.threshold_table``: ``rule``, ``churned after
    (days)`` and the chance (%) that a customer silent that long returns within the horizon, over all
    gaps and over first gaps), what that chance is at the gap-quantile threshold, where the
    return-chance rule puts the threshold, and which rule the stages use (``churn_rule``, the threshold
    in ``rules``); then the chance at the threshold in use over all gaps and over first gaps, each with
    its interval (the table's ``... : 95% interval (%)`` columns) placed wholly above, at, wholly below or
    across the level. It judges no customer group: over all gaps heavy buyers weigh most, so the chance
    of the customers called churned is read by band of purchases so far (:func:`band_sentence`)."""
    if _no_table(table) or rules is None:
        return Text("No churn threshold could be read from this data.")
    chance, horizon = table.attrs.get("chance"), table.attrs.get("horizon_days")
    rows = table.set_index("rule")
    columns = [c for c in table.columns if c.startswith("silent that long")]
    all_col, first_col = columns[0], columns[1]
    quantile_row, first_q, chance_all, chance_first = rows.index[:4]
    q = rows.loc[quantile_row]
    text = ""
    if not _missing(q["churned after (days)"]) and _missing(q[all_col]):
        text = (
            f"Whether a customer silent for {_days(q['churned after (days)'])} days ({quantile_row}) buys "
            "again "
            f"within {count(horizon)} days cannot be read: the log is too short to follow that silence for "
            f"{count(horizon)} more days. "
        )
    elif not _missing(q["churned after (days)"]):
        text = (
            f"A customer silent for {_days(q['churned after (days)'])} days ({quantile_row}) buys again "
            f"within {count(horizon)} days with a chance of {percent(q[all_col])} over all gaps and "
            f"{percent(q[first_col])} over first gaps (Kaplan-Meier on the waits between purchases, each "
            "customer's last wait censored at the end of the data). "
        )
    reads = []
    for name in (chance_all, chance_first):
        days = rows.loc[name, "churned after (days)"]
        which = name.rsplit(", ", 1)[-1]
        reads.append(
            f"after {_days(days)} days over {which}"
            if not _missing(days)
            else f"not within the silences this data can follow over {which}"
        )
    below = percent(100 * chance, 0)
    if all(_missing(rows.loc[n, "churned after (days)"]) for n in (chance_all, chance_first)):
        text += (
            f"The chance of a return within {count(horizon)} days does not fall below {below} within the "
            "silences this data can follow"
        )
    else:
        text += f"The chance of a return within {count(horizon)} days falls below {below} {listing(reads)}"
    if not _missing(rows.loc[first_q, "churned after (days)"]):
        share = percent(100 * table.attrs.get("quantile", float("nan")), 0)
        first_days = _days(rows.loc[first_q, "churned after (days)"])
        text += f"; {share} of completed first gaps are at most {first_days} days"
    text += "."
    by_chance = rows.loc[chance_all, "churned after (days)"]
    if churn_rule == "return chance" and not _missing(by_chance) and int(by_chance) == rules.churn_days:
        used = f"the return-chance rule over all gaps (churned after {count(rules.churn_days)} days)"
    elif churn_rule == "return chance":
        used = (
            f"churned after {count(rules.churn_days)} days: the return-chance rule could not be read, so the "
            "gap quantile stands"
        )
    elif not _missing(q["churned after (days)"]) and int(q["churned after (days)"]) == rules.churn_days:
        used = f"the gap-quantile rule ({quantile_row}: churned after {count(rules.churn_days)} days)"
    else:
        used = f"churned after {count(rules.churn_days)} days (set by a parameter)"
    text += f" The stages below use {used}."
    at = rows[rows["churned after (days)"] == rules.churn_days]
    parts = []
    for name, column in (("all gaps", all_col), ("first gaps", first_col)):
        if len(at) and not _missing(at[column].iloc[0]) and not _missing(chance):
            band = at[f"{name}: 95% interval (%)"].iloc[0] if f"{name}: 95% interval (%)" in at else None
            parts.append(f"{percent(at[column].iloc[0])} over {name}{_interval_clause(band, chance)}")
    if parts:
        text += f" At that silence the chance of a return within {count(horizon)} days is {listing(parts)}."
    if len(parts) == 2:
        text += (
            " Over all gaps every wait counts, so customers with many purchases weigh most; over first gaps "
            "each customer counts once, after a first purchase. Neither is the chance of every customer "
            "called churned: the table by purchases so far below splits it."
        )
    return Text(text)


def _side(low, high, point, level: float) -> str:
    """Where a chance (%) lies against ``level`` (%): by its interval when there is one (``"above"`` when
    its lower end is above the level, ``"at or above"`` when it is at it, ``"below"`` when its upper end
    is below, else ``"across"``), else by the point (``"above"``, ``"at"``, ``"below"``)."""
    if not (_missing(low) or _missing(high)):
        low, high = float(low), float(high)
        if low > level:
            return "above"
        if low == level:
            return "at or above"
        return "below" if high < level else "across"
    point = float(point)
    return "above" if point > level else "at" if point == level else "below"


def _interval_clause(band, chance: float) -> str:
    """Where the interval of a chance (``"lo to hi"``, % as text in ``stages.threshold_table``) lies
    against the level ``chance`` (a fraction), as a bracket: `` (95% interval 11.2% to 12.2%, wholly
    above 10%)``; ``""`` without one."""
    if not isinstance(band, str) or " to " not in band:
        return ""
    low, high = (float(x) for x in band.split(" to "))
    bar = percent(100 * chance, 0)
    where = {
        "above": f"wholly above {bar}",
        "at or above": f"at or above {bar}",
        "below": f"wholly below {bar}",
        "across": f"reaching across {bar}: the data cannot tell that chance apart from the level",
    }[_side(low, high, None, 100 * chance)]
    return f" (95% interval {percent(low)} to {percent(high)}, {where})"


def band_name(band: str) -> str:
    """A band of purchases so far (``stages.purchase_band``) in words: ``"1"`` -> ``one purchase``,
    ``"2-3"`` -> ``2-3 purchases``, ``"4+"`` -> ``4 or more purchases``."""
    band = str(band)
    if band == "1":
        return "one purchase"
    return f"{band[:-1]} or more purchases" if band.endswith("+") else f"{band} purchases"


def _band_list(bands: list[str]) -> str:
    """Bands of purchases so far as one alternative: ``one purchase``, ``2-3 or 4+ purchases``."""
    bands = [str(b) for b in bands]
    if bands == ["1"]:
        return "one purchase"
    head = ", ".join(bands[:-1])
    return f"{head} or {bands[-1]} purchases" if head else f"{bands[-1]} purchases"


def quantile_chance_sentence(table: pd.DataFrame | None, *, chance: float | None = None) -> Text:
    """What the chance of a return within the horizon is at each gap quantile
    (``stages.return_chance_at_quantiles``: ``returns within (%)``, ``silent (days)`` and the chance (%)
    over all gaps and over first gaps), where the log is too short to read it, whether the first-gap
    chance is lower than the all-gap one at every silence read, and with ``chance`` (the return-chance
    level, a fraction) at which of these silences each estimate is below it."""
    if _no_table(table):
        return Text("No gap quantile to read a return chance at.")
    horizon = table.attrs.get("horizon_days")
    all_col = next(c for c in table.columns if c.startswith("all gaps: return"))
    first_col = next(c for c in table.columns if c.startswith("first gaps: return"))
    read = table.dropna(subset=[all_col, first_col], how="all")
    unread = table[table[all_col].isna() & table[first_col].isna()]
    rows = [
        (
            f"the {percent(r['returns within (%)'], 0)} quantile of the gaps "
            f"({_days(r['silent (days)'])} days)",
            percent(r[all_col]),
            percent(r[first_col]),
        )
        for _, r in read.iterrows()
    ]
    text = ""
    if rows:
        (where, a, f), rest = rows[0], rows[1:]
        text = (
            f"A customer silent as long as {where} buys again within {count(horizon)} days with a chance of "
            f"{a} over all gaps and {f} over first gaps"
            + "".join(f"; at {w.replace(' of the gaps', '')}, {a} and {f}" for w, a, f in rest)
            + "."
        )
    if len(unread):
        silences = listing([f"{_days(d)} days" for d in unread["silent (days)"]])
        text += (
            f" For {silences} it cannot be read: the log is too short to follow that silence for "
            f"{count(horizon)} more days."
        )
    both = read.dropna(subset=[all_col, first_col])
    if len(both) > 1 and (both[first_col] < both[all_col]).all():
        text += " At every silence read, the chance over first gaps is lower than over all gaps."
    elif len(both) > 1 and (both[first_col] > both[all_col]).all():
        text += " At every silence read, the chance over first gaps is higher than over all gaps."
    if chance is not None and len(read):
        bar = percent(100 * chance, 0)
        below = []
        for name, column in (("all gaps", all_col), ("first gaps", first_col)):
            under = read.loc[read[column] < 100 * chance, "silent (days)"]
            below.append(
                f"over {name} at {listing([f'{_days(d)} days' for d in under])}"
                if len(under)
                else f"over {name} at none of these silences"
            )
        text += f" Below RETURN_CHANCE = {bar}: {'; '.join(below)}."
    return Text(text.strip())


def band_sentence(bands: pd.DataFrame | None, rules: layer.StageRules | None, *, chance: float) -> Text:
    """The chance of a return within the horizon after the silence of ``stages.return_chance_by_band``
    (its ``attrs``), by band of purchases so far, each with its interval read against the return-chance
    level ``chance`` (a fraction: above, below, or across it), the pooled chance over all waits, and how
    the customers silent that long at the end (the churned ones when that silence is the churn threshold
    of ``rules``) split over the bands; then, at the churn threshold, for which bands the customers
    called churned still have a chance above the level."""
    if _no_table(bands) or rules is None:
        return Text("No return chance by purchases so far could be read.")
    silence, horizon = bands.attrs.get("silence"), bands.attrs.get("horizon_days")
    column = next(c for c in bands.columns if c.startswith("return within"))
    level, bar = 100 * chance, percent(100 * chance, 0)
    rows = bands.drop(index="all", errors="ignore")
    read = rows.dropna(subset=[column])
    at_threshold = silence == rules.churn_days
    where = " (the churn threshold in use)" if at_threshold else ""
    sides = {band: _side(r["lower (%)"], r["upper (%)"], r[column], level) for band, r in read.iterrows()}
    parts = []
    for band, r in read.iterrows():
        interval = (
            f"95% interval {percent(r['lower (%)'])} to {percent(r['upper (%)'])}, "
            if not (_missing(r["lower (%)"]) or _missing(r["upper (%)"]))
            else "no interval, "
        )
        side = sides[band]
        judged = (
            f"reaching across RETURN_CHANCE = {bar}" if side == "across" else f"{side} RETURN_CHANCE = {bar}"
        )
        parts.append(f"{percent(r[column])} with {band_name(band)} so far ({interval}{judged})")
    if not parts:
        text = (
            f"For a customer silent for {count(silence)} days{where}, the chance of buying again within "
            f"{count(horizon)} days cannot be read in any band of purchases so far: the log is too short."
        )
        return Text(text)
    text = (
        f"A customer silent for {count(silence)} days{where} buys again within {count(horizon)} days with a "
        f"chance of {listing(parts)}"
    )
    if "all" in bands.index and not _missing(bands.loc["all", column]):
        text += f"; over all waits pooled, {percent(bands.loc['all', column])}"
    text += "."
    unread = [band_name(b) for b in rows.index if b not in read.index and rows.loc[b, "waits"] > 0]
    if unread:
        text += f" With {listing(unread)} so far it cannot be read: too few long waits."
    silent = rows["silent that long at the end"].fillna(0)
    total = int(silent.sum())
    if total:
        who = "churned customers" if at_threshold else f"customers silent at least {count(silence)} days"
        split = [f"{count(n)} have {band_name(b)} so far" for b, n in silent.items() if n > 0]
        text += f" Of the {count(total)} {who} at the end, {listing(split)}."
    if at_threshold:
        above = [b for b, side in sides.items() if side in ("above", "at or above")]
        below = [b for b, side in sides.items() if side == "below"]
        if above:
            text += (
                f" Under these rules, customers called churned with {_band_list(above)} so far still buy "
                f"again within {count(horizon)} days with a chance not below RETURN_CHANCE = {bar}"
            )
            text += f"; for those with {_band_list(below)} so far it is below." if below else "."
        elif below and len(below) == len(sides):
            text += f" Under these rules, the chance is below RETURN_CHANCE = {bar} in every band read."
    return Text(text)


def rate_change_sentence(
    monthly: pd.DataFrame | None, test: pd.Series | pd.DataFrame | None, *, alpha: float = CHANGE_ALPHA
) -> Text:
    """Whether the monthly moves from silent to churned and back to active (``stages.monthly_rates``)
    change over time: the range over the months in which churn was possible, the months in which it was
    not (0% by construction), and the chi-square tests read against ``alpha`` (:data:`CHANGE_ALPHA`).
    ``test`` is ``stages.rate_change_test`` (months pooled) or the table of ``stages.rate_change_tests``
    (first row pooled, then within bands of days silent, and of purchases so far). The pooled test
    cannot tell a change in behaviour from a change in how long the silent customers had been silent
    (the move to churned is set by the rules once the silence reaches the threshold); the tests within
    bands of days silent compare months among customers silent about equally long, so the sentence says
    which of the two the data shows, and that no test here says why months differ."""
    none = "No silent customer is seen at two consecutive snapshots: there are no monthly moves to compare."
    if _no_table(monthly) or test is None:
        return Text(none)
    seen = monthly[monthly["customers"] > 0]
    possible = seen[seen["churn possible"]]
    if seen.empty:
        return Text(none)
    table = test if isinstance(test, pd.DataFrame) else None
    pooled_test = table.iloc[0] if table is not None and len(table) else test
    pooled = 100 * seen["to churned"].sum() / seen["customers"].sum()
    text = ""
    if len(possible) == 1:
        only = possible.iloc[0]
        text = (
            f"From one month end to the next, {percent(only['to churned (%)'])} of silent customers moved to "
            f"churned and {percent(only['back to active (%)'])} bought again in the one month in which churn "
            f"was possible ({day(only['snapshot'])})."
        )
    elif len(possible):
        low = possible.loc[possible["to churned (%)"].idxmin()]
        high = possible.loc[possible["to churned (%)"].idxmax()]
        back_low, back_high = possible["back to active (%)"].min(), possible["back to active (%)"].max()
        text = (
            f"From one month end to the next, the share of silent customers moving to churned ranged from "
            f"{percent(low['to churned (%)'])} ({day(low['snapshot'])}) to {percent(high['to churned (%)'])} "
            f"({day(high['snapshot'])}) over the {count(len(possible))} months in which churn was possible, "
            f"and the share buying again from {percent(back_low)} to {percent(back_high)}."
        )
    closed = len(seen) - len(possible)
    if closed:
        text += (
            f" In {count(closed)} month{'s' if closed != 1 else ''} no silent customer could yet reach the "
            "churn threshold, so 0% moved to churned by construction."
        )
    if pooled_test is None or _missing(pooled_test.get("chi-square")):
        note = "" if pooled_test is None else pooled_test.get("note", "")
        text += f" No test of change over time: {note}."
        return Text(text.strip())
    differ = _below(pooled_test, alpha)
    within = [] if table is None else [(n, table.loc[n]) for n in table.index[1:]]
    tested = [(n, row) for n, row in within if not _missing(row.get("chi-square"))]
    fair = not differ and not any(_below(row, alpha) for _, row in tested)
    text += (
        f" Across the {count(pooled_test['snapshots'])} months tested, the moves out of the silent stage "
        + (
            f"differ more than chance allows ({_stat(pooled_test)}, below CHANGE_ALPHA = {alpha:g})"
            if differ
            else f"do not differ more than chance allows ({_stat(pooled_test)}, not below CHANGE_ALPHA = "
            f"{alpha:g})"
        )
        + (f": the pooled rate of {percent(pooled)} a month is a fair summary." if fair else ".")
    )
    if differ:
        text += (
            " That test pools customers silent for different lengths of time: the move to churned is set by "
            "the rules once a silence reaches the churn threshold, so a month in which more silent customers "
            "were near it moves more of them to churned even if nobody behaves differently. It cannot tell a "
            "change in the mix of silence durations from a change in behaviour."
        )
    if not tested:
        if within:
            text += f" No test within bands of days silent: {within[0][1].get('note', '')}."
        return Text(text.strip())
    width = table.attrs.get("width")
    reads = []
    for name, row in tested:
        bands = f"{count(row['strata'])} band{'s' if int(row['strata']) != 1 else ''}"
        what = f"within bands of {count(width)} days silent" + (
            " and of purchases so far" if name.endswith("purchases") else ""
        )
        side = "differ" if _below(row, alpha) else "do not differ"
        reads.append((name, f"{what} ({bands}), the months {side} more than chance allows ({_stat(row)})"))
    joined = "; ".join(r for _, r in reads)
    text += f" {joined[0].upper()}{joined[1:]}."
    if _below(tested[0][1], alpha):
        text += (
            " So the months differ even among customers silent about equally long"
            + (
                " and with as many purchases so far"
                if len(tested) > 1 and _below(tested[-1][1], alpha)
                else ""
            )
            + ": the mix of silence durations alone does not account for the differences. None of these "
            "tests says why (a season, an offer, a mix these bands do not hold), and the months share "
            "customers, so the p-values describe rather than measure."
        )
    elif differ:
        text += (
            " So the differences across months are those of the mix of silence durations: among customers "
            "silent about equally long no change in how they moved is detected."
        )
    else:
        text += " Among customers silent about equally long no change in how they moved is detected either."
    return Text(text.strip())


def _below(test: pd.Series, alpha: float) -> bool:
    """Whether a test's p-value is below ``alpha``, read from ``-log10 p`` (p-values under 1e-300 count)."""
    return float(test["-log10 p"]) > -math.log10(alpha)


def _stat(test: pd.Series) -> str:
    """``chi-square 8,428.7 on 16 df, p-value < 1e-300``."""
    return f"chi-square {float(test['chi-square']):,.1f} on {count(test['df'])} df, p-value {test['p-value']}"


def _roles(table: pd.DataFrame) -> dict[str, object]:
    """The rows of a ``stages.size_summary`` table by what they show (``last snapshot``, ...)."""
    return {role: name for name in table.index for role in str(name).split(" / ")}


def sizes_sentence(sizes: pd.DataFrame | None) -> Text:
    """The stages at the last snapshot, which stage is the largest and since when, and the silent peak,
    read from the table the notebook shows (``stages.size_summary``; a ``stages.stage_sizes`` table of
    snapshots by stage is summarised first)."""
    if _no_table(sizes):
        return Text("No customer is acquired by the last snapshot.")
    table = sizes if "customers acquired" in sizes.columns else layer.size_summary(sizes)
    roles = _roles(table)
    if "last snapshot" not in roles:
        return Text("No customer is acquired by the last snapshot.")
    row = table.loc[roles["last snapshot"]]
    if _missing(row["customers acquired"]) or row["customers acquired"] == 0:
        return Text("No customer is acquired by the last snapshot.")
    text = (
        f"At the last snapshot ({day(row['snapshot'])}), {count(row['churned'])} of the "
        f"{count(row['customers acquired'])} customers acquired by then ({percent(row['churned (%)'])}) are "
        f"churned, {count(row['silent'])} silent and {count(row['active'])} active ({count(row['new'])} new, "
        f"{count(row['growing'])} growing, {count(row['mature'])} mature)."
    )
    largest = [r for r in roles if r.endswith(" largest since")]
    if roles.get("first snapshot") == roles["last snapshot"] or not largest:
        return Text(text)
    top = largest[0].removesuffix(" largest since")
    since = table.loc[roles[largest[0]], "snapshot"]
    first = table.loc[roles["first snapshot"], "snapshot"] if "first snapshot" in roles else None
    if since == first:
        text += f" {top.capitalize()} customers are the largest stage at every snapshot."
    elif since == row["snapshot"]:
        text += f" {top.capitalize()} customers are the largest stage at the last snapshot."
    else:
        text += f" {top.capitalize()} customers have been the largest stage since {day(since)}."
    if "silent peak" in roles:
        peak = table.loc[roles["silent peak"]]
        text += f" Silent customers peaked at {count(peak['silent'])} on {day(peak['snapshot'])}."
    return Text(text)


def revenue_sentence(revenue: pd.DataFrame | None) -> Text:
    """Who bought in the last period and over all periods, read from the table the notebook shows
    (``stages.revenue_summary``: stages by period group, revenue and share; a ``stages.stage_revenue``
    table of snapshots by stage is summarised first)."""
    if _no_table(revenue):
        return Text("No revenue to split by stage.")
    table = revenue if isinstance(revenue.columns, pd.MultiIndex) else layer.revenue_summary(revenue)
    groups = list(dict.fromkeys(table.columns.get_level_values(0)))
    if not groups:
        return Text("No revenue to split by stage.")
    period = groups[0]
    amounts = table[(period, "revenue")].fillna(0.0)
    shares = table[(period, "share (%)")]
    total = float(amounts["total"])
    if total <= 0:
        return Text(
            f"In the {period} the buyers' net revenue is {money(total, decimals=0)}: no shares by stage are "
            "read."
        )
    by_stage = amounts.reindex(layer.STAGES).fillna(0.0)
    buying = by_stage[by_stage != 0].sort_values(ascending=False)
    parts = [
        f"{money(v, decimals=0)} ({percent(shares[stage])}) from {stage} customers"
        for stage, v in buying.items()
    ]
    text = f"In the {period}, revenue was {money(total, decimals=0)}: {listing(parts)}."
    none = [s for s in ("silent", "churned") if by_stage[s] == 0]
    if none:
        text += f" {listing([s.capitalize() for s in none][:1] + none[1:])} customers bought nothing in it."
    if len(groups) > 1:
        overall = table[(groups[1], "revenue")].reindex(layer.STAGES).fillna(0.0)
        overall_shares = table[(groups[1], "share (%)")]
        if float(table.loc["total", (groups[1], "revenue")]) > 0:
            top = overall.idxmax()
            share = overall_shares[top]
            how = "most of the revenue" if share > HALF_PCT else "the largest share of the revenue"
            text += f" Over {groups[1]}, {top} customers bought {how} ({percent(share)})."
    return Text(text)


def transitions_sentence(transitions: pd.DataFrame | None) -> Text:
    """How customers move from one snapshot to the next, for churned, silent and mature customers, read
    from the table the notebook shows (``stages.transition_summary``: % of the row, with the share to
    ``new, growing or mature``; a ``stages.transition_matrix`` of row shares is summarised first); churn
    is called sticky from :data:`STICKY_PCT`."""
    if _no_table(transitions):
        return Text("No customer is seen at two consecutive snapshots: there are no moves between stages.")
    active = "new, growing or mature"
    table = transitions if active in transitions.columns else layer.transition_summary(transitions)
    parts = []
    churned = table.loc["churned"] if "churned" in table.index else None
    if churned is not None and not churned.isna().all():
        stay = churned["churned"]
        lead = "Churn is sticky: " if stay >= STICKY_PCT else ""
        parts.append(
            f"{lead}{percent(stay)} of churned customers are still churned at the "
            f"next snapshot and {percent(churned[active])} buy again "
            f"({percent(churned['growing'])} moving to growing, {percent(churned['mature'])} to mature)."
        )
    silent = table.loc["silent"] if "silent" in table.index else None
    if silent is not None and not silent.isna().all():
        lost, back = silent["churned"], silent[active]
        compare = "more" if lost > back else "fewer" if lost < back else "as many"
        than = "than" if compare != "as many" else "as"
        parts.append(
            f"Of silent customers, {percent(lost)} move to churned from one snapshot to the next and "
            f"{percent(back)} buy again ({compare} are lost {than} come back); "
            f"{percent(silent['silent'])} stay silent."
        )
    mature = table.loc["mature"] if "mature" in table.index else None
    if mature is not None and not mature.isna().all():
        parts.append(
            f"Mature customers stay mature {percent(mature['mature'])} of the time and turn silent "
            f"{percent(mature['silent'])} of the time."
        )
    if not parts:
        return Text("No customer was churned, silent or mature at a snapshot before the last.")
    return Text(" ".join(parts) + " (Pooled over all pairs of consecutive monthly snapshots.)")


def flows_sentence(flows: pd.DataFrame | None) -> Text:
    """Where the customers of the earlier snapshot are at the later one, read from the table the
    notebook shows (``stages.flow_summary``: rows the stage at the start, columns the stage at the end,
    both named ``stage at YYYY-MM-DD``, with each row's ``customers``, ``same stage (%)`` and ``churned
    (%)``; a ``stages.flows`` table is summarised first). A contrast between stages is an association,
    not an effect of moving a customer to another stage."""
    if _no_table(flows):
        return Text("No customer is in both snapshots.")
    table = flows if "customers" in flows.columns else layer.flow_summary(flows)
    size = table["customers"].fillna(0)
    if size.sum() == 0:
        return Text("No customer is in both snapshots.")
    start = str(table.index.name or "").removeprefix("stage at ") or "the first snapshot"
    end = str(table.columns.name or "").removeprefix("stage at ") or "the last snapshot"
    rows = [s for s in layer.STAGES if s in table.index and size[s] > 0]
    churned = table["churned (%)"]
    text = ""
    if "mature" in rows:
        kept, kept_pct = table.loc["mature", "mature"], table.loc["mature", "same stage (%)"]
        text += (
            f"Of the {count(size['mature'])} customers mature on {start}, {count(kept)} "
            f"({percent(kept_pct)}) were still mature on {end}. "
        )
    text += f"Share churned by {end}, by stage on {start}: " + listing(
        [f"{s} {percent(churned[s])} ({count(table.loc[s, 'churned'])} of {count(size[s])})" for s in rows]
    )
    text += "."
    if "mature" in rows and "new" in rows and churned["mature"] != churned["new"]:
        how = "less" if churned["mature"] < churned["new"] else "more"
        text += (
            f" Customers mature then had churned {how} often than customers new then: an association "
            "between a customer's stage and later churn, not a measure of what moving a customer to "
            "another stage would change."
        )
    if "not yet acquired" in table.index:
        text += f" The {count(size['not yet acquired'])} customers acquired after {start} are left out."
    return Text(text)


def spells_sentence(spells: pd.DataFrame | None) -> Text:
    """How long spells in each stage last (``stages.time_in_stage``, in monthly snapshots): Kaplan-Meier
    medians with running spells censored at the end of the data (``not reached`` where more than half
    are still running); with the table's ``cap (snapshots)`` (``time_in_stage(..., rules=...)``) which
    stages the rules cap and at how many snapshots, the longest median compared only among the stages
    without a cap (a capped median says as much about the rules as about the customers); whether the
    medians' intervals are narrower than one step between snapshots; how many spells are still running."""
    if _no_table(spells) or not (spells["spells"].fillna(0) > 0).any():
        return Text("No customer spent a snapshot in a stage: there is no time in stage to read.")
    seen = spells[spells["spells"].fillna(0) > 0]
    medians = [
        f"{_days(m)} as {s}" if not _missing(m) else f"not reached as {s}"
        for s, m in seen["median (snapshots)"].items()
    ]
    text = (
        "Counting spells still running at the end of the data as censored (Kaplan-Meier), the median spell "
        f"lasts {listing(medians)} (monthly snapshots)."
    )
    caps = seen["cap (snapshots)"] if "cap (snapshots)" in seen else pd.Series(float("nan"), index=seen.index)
    capped = caps.dropna()
    if len(capped):
        at_cap = [s for s in capped.index if seen.loc[s, "median (snapshots)"] == capped[s]]
        text += (
            " The rules cap "
            + listing(
                [f"{s} spells at {count(c)} snapshot{'s' if c != 1 else ''}" for s, c in capped.items()]
            )
            + _cap_reasons(spells.attrs, list(capped.index))
            + ", so those medians describe the rules as much as the customers and are not ranked against "
            "the others"
        )
        if at_cap:
            reach = "medians reach their caps" if len(at_cap) > 1 else "median reaches its cap"
            text += f"; the {listing(at_cap)} {reach}"
        text += "."
    free = seen["median (snapshots)"][caps.isna()].dropna()
    if len(free) > 1:
        top = free[free == free.max()].index.tolist()
        kind = "Of the medians reached in stages without a cap" if len(capped) else "Of the medians reached"
        text += f" {kind}, {listing(top)} spells last longest."
    bounds = ["median (snapshots)", "median lower", "median upper"]
    reached = seen.dropna(subset=bounds) if set(bounds) <= set(seen.columns) else seen.iloc[:0]
    collapsed = reached[reached["median lower"] == reached["median upper"]] if len(reached) else reached
    if len(collapsed):
        which = "every median reached" if len(collapsed) == len(reached) else listing(list(collapsed.index))
        text += (
            f" The 95% interval of {which} has both ends on the same snapshot count: it is narrower than one "
            "step between monthly snapshots, which is as finely as this grid measures."
        )
    running = spells["still running"].fillna(0)
    open_ = [
        f"{count(running[s])} of {count(spells.loc[s, 'spells'])} {s} spells"
        for s in seen.index
        if running[s] > 0
    ]
    if open_:
        text += f" Still running when the data ends: {listing(open_)}."
    return Text(text)


def _cap_reasons(rules: dict, stages: list[str]) -> str:
    """Why each capped stage is capped, from the rules ``stages.time_in_stage`` keeps in its ``attrs``
    (``silent_days``, ``churn_days``, ``mature_occasions``), as a bracket; ``""`` without them."""
    if not all(k in rules for k in ("silent_days", "churn_days", "mature_occasions")):
        return ""
    silent, churn, mature = rules["silent_days"], rules["churn_days"], rules["mature_occasions"]
    growing = mature - 2
    reasons = {
        "new": f"new: the snapshots within {count(silent)} days of the first purchase",
        "growing": (
            f"growing: within {count(silent)} days of each of the {count(growing)} growing purchase "
            f"occasion{'s' if growing != 1 else ''}"
        ),
        "silent": f"silent: between {count(silent)} and {count(churn)} days without a purchase",
    }
    said = [reasons[s] for s in stages if s in reasons]
    return f" (the most monthly snapshots that fit: {'; '.join(said)})" if said else ""


def resurrection_sentence(facts: pd.Series | None, rules: layer.StageRules | None) -> Text:
    """How many churned customers came back (``stages.resurrection``): a lower bound, since late churners
    had little time to return."""
    if facts is None or rules is None:
        return Text("No comeback rate was computed.")
    ever, back = facts.get("ever churned"), facts.get("came back")
    if _missing(ever) or int(ever) == 0:
        return Text(
            f"No customer went {count(rules.churn_days)} days without buying: nobody churned, so there is "
            "no comeback rate."
        )
    return Text(
        f"Of the {count(ever)} customers who went at least {count(rules.churn_days)} days without buying, "
        f"{count(back)} ({percent(facts.get('resurrection rate (%)'))}) bought again afterwards. Customers "
        "who churned late in the data had little time to return, so this rate is a lower bound."
    )


def funnel_sentence(funnel: pd.DataFrame | None) -> Text:
    """How many customers reach each purchase occasion and where the largest loss is
    (``stages.purchase_funnel``), and how soon second purchases come."""
    if _no_table(funnel) or funnel["customers"].iloc[0] == 0:
        return Text("No purchases: there is no funnel to read.")
    steps = funnel[funnel["purchase"] >= 2].dropna(subset=["% of previous step"])
    if steps.empty:
        return Text(
            f"{count(funnel['customers'].iloc[0])} customers made a first purchase; no later step is shown."
        )
    parts = [
        f"{percent(p)} of customers had made a {ordinal(k)} purchase occasion"
        if i == 0
        else f"{percent(p)} of those a {ordinal(k)}"
        for i, (k, p) in enumerate(zip(steps["purchase"], steps["% of previous step"]))
    ]
    text = f"By the end of the data, {listing(parts)}."
    worst = steps.loc[steps["% of previous step"].idxmin()]
    k = int(worst["purchase"])
    if len(steps) > 1:
        text += (
            f" The largest loss is between the {ordinal(k - 1)} and the {ordinal(k)} purchase: "
            f"{percent(100 - worst['% of previous step'])} of customers with a {ordinal(k - 1)} made no "
            f"{ordinal(k)}."
        )
    second = funnel[funnel["purchase"] == 2]
    if len(second) and not _missing(second["median days since previous"].iloc[0]):
        text += (
            f" Customers who made a second purchase did so a median of "
            f"{_days(second['median days since previous'].iloc[0])} days after the first (75% within "
            f"{_days(second['p75 days since previous'].iloc[0])} days)."
        )
    return Text(text)


def cohort_sentence(cohorts: pd.DataFrame | None) -> Text:
    """The acquisition cohorts and the range of their retention in the month after acquisition and in
    the later months shown (``stages.cohort_retention``, or the columns of it a notebook displays)."""
    if _no_table(cohorts):
        return Text("No acquisition cohort.")
    months = [c for c in cohorts.columns if c != "customers"]
    names = list(cohorts.index)
    text = (
        f"There is one acquisition cohort ({names[0]})."
        if len(names) == 1
        else f"There are {len(names)} acquisition cohorts, from {names[0]} to {names[-1]}."
    )
    first = cohorts[1].dropna() if 1 in months else pd.Series(dtype=float)
    if first.empty:
        return Text(text + " No cohort has been observed for a month after its acquisition yet.")
    whom = "it" if len(names) == 1 else f"the {first.index[0]} cohort" if len(first) == 1 else "a cohort"
    text += f" In the month after acquisition, {_span(first)} of {whom} bought again"
    later = [c for c in months if pd.api.types.is_integer(c) and c >= 2 and cohorts[c].notna().any()]
    if later:
        values = cohorts[later].stack().dropna()
        when = "month 2" if max(later) == 2 else f"months 2 to {max(later)}"
        whom = "it" if len(names) == 1 else "a cohort"
        text += f"; in {when} after it, {_span(values)} of {whom} bought in a month"
    return Text(text + ".")


def _span(values: pd.Series) -> str:
    """``12.0%``, or ``between 8.0% and 12.0%`` (percent values)."""
    low, high = percent(values.min()), percent(values.max())
    return low if low == high else f"between {low} and {high}"


# the columns of ``stages.sensitivity`` that hold the rules of each variant
_SILENT, _CHURN, _MATURE = "silent after (days)", "churned after (days)", "mature from (occasions)"


def sensitivity_sentence(table: pd.DataFrame | None) -> Text:
    """How the stage counts at the last snapshot change under alternative rules, read from the table the
    notebook shows (``stages.sensitivity``: one row per variant, ``chosen`` first, with the rules'
    numbers, the customers per stage and ``active``); the thresholds "matter" from
    :data:`SENSITIVE_PCT`."""
    if _no_table(table) or "chosen" not in table.index:
        return Text("No alternative rules were compared.")
    if "active" not in table.columns:
        table = table.assign(active=table[layer.ACTIVE_STAGES].sum(axis=1))
    chosen = table.loc["chosen"]
    total = float(chosen[layer.STAGES].sum())
    text = (
        f"With the chosen rules (silent after {count(chosen[_SILENT])}, churned after "
        f"{count(chosen[_CHURN])} days), {count(chosen['churned'])} customers are churned and "
        f"{count(chosen['active'])} active"
    )
    thresholds = table[
        (table.index != "chosen") & ((table[_SILENT] != chosen[_SILENT]) | (table[_CHURN] != chosen[_CHURN]))
    ]
    others = [
        f"with the '{name}' rules (silent after {count(r[_SILENT])}, churned after "
        f"{count(r[_CHURN])} days) {count(r['churned'])} and {count(r['active'])}"
        for name, r in thresholds.iterrows()
    ]
    text += "; " + "; ".join(others) + "." if others else "."
    if len(thresholds) and total > 0:
        moved = 100 * (thresholds["churned"] - chosen["churned"]).abs().max() / total
        if moved >= SENSITIVE_PCT:
            text = "The thresholds matter: " + text[0].lower() + text[1:]
        else:
            text += (
                f" None of these moves {SENSITIVE_PCT:g}% of the customers or more into or out of the "
                "churned stage."
            )
    mature = table[
        (table.index != "chosen")
        & (table[_SILENT] == chosen[_SILENT])
        & (table[_CHURN] == chosen[_CHURN])
        & (table[_MATURE] != chosen[_MATURE])
    ]
    if len(mature):
        same = (mature[["new", "silent", "churned"]] == chosen[["new", "silent", "churned"]]).all().all()
        if same:
            text += (
                " Moving the mature cut-off only moves customers between growing and mature ("
                + listing(
                    [f"{count(r['mature'])} mature from {count(r[_MATURE])}" for _, r in mature.iterrows()]
                )
                + " occasions)."
            )
    return Text(text)


# ------------------------------------------------------------------------------- Answer and closing
def answer(figures: dict) -> Text:
    """Notebook 01: the derived thresholds, the churned share at the last snapshot with its range over
    the rules the sensitivity table compares, the chance that customers called churned buy again (pooled
    and by purchases so far, against RETURN_CHANCE), the comeback rate."""
    if "churned after (days)" not in figures:
        return with_not_run("", figures)
    low, high = (
        figures.get("churned share over the compared rules, lowest (%)"),
        figures.get("churned share over the compared rules, highest (%)"),
    )
    spread = ""
    if not (_missing(low) or _missing(high)):
        spread = (
            f" ({percent(low)} to {percent(high)} under the rules the sensitivity table compares)"
            if low != high
            else " (the same under every rule the sensitivity table compares)"
        )
    text = (
        f"With the stage rules of notebook 01 (silent after {count(figures['silent after (days)'])} days "
        f"without a purchase, churned after {count(figures['churned after (days)'])} days, mature from "
        f"{count(figures['mature from (occasions)'])} purchase occasions), "
        f"{percent(figures['churned share (%)'])} of the customers had churned by {figures['snapshot']}"
        f"{spread} and {percent(figures['mature share (%)'])} were mature."
    )
    level = figures.get("return within the horizon at the churn threshold, all gaps (%)")
    bar, horizon = figures.get("return chance level (%)"), figures.get("return horizon (days)")
    if not any(_missing(x) for x in (level, bar, horizon)):
        bands = _band_figures(figures)
        if bands:
            parts = [
                f"{percent(b['chance'])} with {band_name(b['band'])} ({_side_words(b, bar, short=True)})"
                for b in bands
            ]
            text += (
                f" Customers called churned there buy again within {count(horizon)} days with a chance of "
                f"{percent(level)} over all waits pooled; by purchases so far, against RETURN_CHANCE = "
                f"{percent(bar, 0)}: {listing(parts)}."
            )
        else:
            side = "not below" if float(level) >= float(bar) else "below"
            text += (
                f" Customers called churned there buy again within {count(horizon)} days with a chance of "
                f"{percent(level)} over all waits pooled, {side} RETURN_CHANCE = {percent(bar, 0)}."
            )
    if figures.get("resurrection rate (%)") is not None:
        text += (
            f" At least {percent(figures['resurrection rate (%)'])} of customers who churned came back later "
            "(a lower bound: late churners had little time to return)."
        )
    return with_not_run(text, figures)


_BAND_KEY = "return within the horizon at the churn threshold, purchases so far "


def _band_figures(figures: dict) -> list[dict]:
    """The recorded chance at the churn threshold by band of purchases so far (``stages.headline_figures``
    with ``bands``): one dict per band with ``band``, ``chance``, ``lower``, ``upper`` (%) and ``churned``
    (customers), in recorded order; bands whose chance could not be read left out."""
    found = []
    for key, value in figures.items():
        if (
            not key.startswith(_BAND_KEY)
            or not key.endswith(" (%)")
            or key.endswith(("lower (%)", "upper (%)"))
        ):
            continue
        band = key[len(_BAND_KEY) : -len(" (%)")]
        if _missing(value):
            continue
        found.append(
            {
                "band": band,
                "chance": float(value),
                "lower": figures.get(f"{_BAND_KEY}{band}, lower (%)"),
                "upper": figures.get(f"{_BAND_KEY}{band}, upper (%)"),
                "churned": figures.get(f"churned at the end, purchases so far {band}"),
            }
        )
    return found


def _side_words(band: dict, bar, short: bool = False) -> str:
    """A band's chance against RETURN_CHANCE (``bar``, %) in words, with its interval; ``short``: the
    side alone (``above``, ``below``, ``its interval across``)."""
    side = _side(band["lower"], band["upper"], band["chance"], float(bar))
    if short:
        return "its interval across" if side == "across" else side
    level = f"RETURN_CHANCE = {percent(bar, 0)}"
    judged = f"its interval reaching across {level}" if side == "across" else f"{side} {level}"
    if _missing(band["lower"]) or _missing(band["upper"]):
        return judged
    return f"95% interval {percent(band['lower'])} to {percent(band['upper'])}, {judged}"


def _return_chance_judgement(figures: dict) -> str:
    """The chance of a return within the horizon at the churn threshold in use, over all waits pooled and,
    where recorded, by band of purchases so far with intervals, each read against the return-chance level
    (``RETURN_CHANCE``) recorded with it, and the bands in which customers called churned still have a
    chance not below it; ``""`` when not recorded."""
    level = figures.get("return within the horizon at the churn threshold, all gaps (%)")
    bar, horizon = figures.get("return chance level (%)"), figures.get("return horizon (days)")
    if _missing(level) or _missing(bar) or _missing(horizon):
        return ""
    text = (
        f"a customer silent for {count(figures['churned after (days)'])} days buys again within "
        f"{count(horizon)} days with a chance of {percent(level)} over all waits pooled (Kaplan-Meier), "
        "where customers with many purchases weigh most"
    )
    bands = _band_figures(figures)
    if not bands:
        side = "not below" if float(level) >= float(bar) else "below"
        return text + f"; {side} RETURN_CHANCE = {percent(bar, 0)}"
    parts = [
        f"{percent(b['chance'])} with {band_name(b['band'])} so far ({_side_words(b, bar)})" for b in bands
    ]
    text += f"; by purchases so far, {listing(parts)}"
    churned = [b for b in bands if not _missing(b["churned"])]
    if churned:
        total = sum(int(b["churned"]) for b in churned)
        top = max(churned, key=lambda b: b["churned"])
        text += (
            f". Of the {count(total)} customers churned at the end, {count(top['churned'])} have "
            f"{band_name(top['band'])} so far"
        )
    above = [
        b["band"]
        for b in bands
        if _side(b["lower"], b["upper"], b["chance"], float(bar)) in ("above", "at or above", "at")
    ]
    if above:
        text += (
            f". Customers called churned with {_band_list(above)} so far still have a chance not below "
            f"RETURN_CHANCE = {percent(bar, 0)} of buying again within {count(horizon)} days"
        )
    return text


# how the recorded "mature rule" reads after "mature from N purchase occasions"
MATURE_WORDS = {
    "levels off": ", where the chance of another purchase levels off (the MATURE_TOLERANCE rule)",
    "last reliable": (
        ", the most occasions with enough customers at risk to read (the chance of another purchase was "
        "not seen to level off)"
    ),
    "default": " (the default: too few repeat buyers to see where the chance of another purchase levels off)",
    "parameter": " (set by a parameter, not derived from the data)",
}


def _change_clause(figures: dict, alpha: float = CHANGE_ALPHA) -> str:
    """The range of the monthly silent -> churned share and the tests of equal months read against
    ``alpha`` (:data:`CHANGE_ALPHA`), as a bracket after the pooled rate; ``""`` when not recorded. With
    the test within bands of days silent recorded, that test is read (the pooled one cannot tell a change
    in the mix of silence durations from a change in behaviour); else the pooled test, saying so."""
    low = figures.get("silent to churned per month, lowest (%)")
    high = figures.get("silent to churned per month, highest (%)")
    if _missing(low) or _missing(high):
        return ""
    text = (
        " (pooled over months; month by month the move to churned ranged from "
        f"{percent(low)} to {percent(high)}"
    )
    key = "silent to churned change test within bands of days silent"
    within = figures.get(f"{key} -log10 p"), figures.get(f"{key} p-value")
    pooled = (
        figures.get("silent to churned change test -log10 p"),
        figures.get("silent to churned change test p-value"),
    )
    if not (_missing(within[0]) or within[1] is None):
        below = float(within[0]) > -math.log10(alpha)
        return text + (
            f"; within bands of days silent the test of equal months gives a p-value {within[1]}, "
            + (
                f"below CHANGE_ALPHA = {alpha:g}: the months differ even among customers silent about "
                "equally long)"
                if below
                else f"not below CHANGE_ALPHA = {alpha:g}: the range is one of the mix of silence durations, "
                "not a change detected among customers silent equally long)"
            )
        )
    if _missing(pooled[0]) or pooled[1] is None:
        return text + ")"
    if float(pooled[0]) > -math.log10(alpha):
        return text + (
            f"; the test of equal months gives a p-value {pooled[1]}, below CHANGE_ALPHA = {alpha:g}: the "
            "months differ, whether in the mix of silence durations or in behaviour, which this test cannot "
            "tell apart)"
        )
    return text + (
        f"; the test of equal months gives a p-value {pooled[1]}, not below CHANGE_ALPHA = {alpha:g}: "
        "the pooled rate is a fair summary)"
    )


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures only."""
    if "churned after (days)" not in figures:
        return Text(
            "- No stage rules could be derived from this data: the notes above say what it would need."
        )
    silent, churn = count(figures["silent after (days)"]), count(figures["churned after (days)"])
    rules = f"**The rules.** Silent after {silent} days and churned after {churn} days without a purchase"
    longer = (
        figures.get("observed gaps longer than the silent threshold (%)"),
        figures.get("observed gaps longer than the churn threshold (%)"),
    )
    if not all(_missing(x) for x in longer):
        rules += (
            f" ({percent(longer[0])} and {percent(longer[1])} of the observed gaps between two purchases are "
            "longer: how often a customer who came back had waited that long)"
        )
    rules += (
        f"; mature from {count(figures['mature from (occasions)'])} purchase occasions"
        f"{MATURE_WORDS.get(figures.get('mature rule'), '')}."
    )
    chance = _return_chance_judgement(figures)
    if chance:
        rules += f" {chance[0].upper()}{chance[1:]}."
        reads = [
            f"after {count(figures[key])} days over {name}"
            for name, key in (
                ("all gaps", "return chance threshold, all gaps (days)"),
                ("first gaps", "return chance threshold, first gaps (days)"),
            )
            if not _missing(figures.get(key))
        ]
        bar = percent(figures["return chance level (%)"], 0)
        rules += (
            f" That chance falls below {bar} {listing(reads)}."
            if reads
            else f" Within the silences this data can follow, that chance does not fall below {bar}."
        )
    bullets = [rules]
    lost = []
    no_second, no_third = (
        figures.get("customers with no second purchase (%)"),
        figures.get("second-time buyers with no third purchase (%)"),
    )
    if not _missing(no_second):
        lost.append(
            f"{percent(no_second)} of customers made no second purchase occasion by the end of the data"
            + (
                ""
                if _missing(no_third)
                else f", against {percent(no_third)} of second-time buyers who made no third"
            )
        )
    to_churn, back = (
        figures.get("silent to churned per month (%)"),
        figures.get("silent back to active per month (%)"),
    )
    if not _missing(to_churn):
        lost.append(
            f"from one monthly snapshot to the next, {percent(to_churn)} of silent customers moved to "
            f"churned and {percent(back)} bought again" + _change_clause(figures)
        )
    if lost:
        text = "; ".join(lost)
        bullets.append(
            f"**Where customers are lost.** {text[0].upper()}{text[1:]}. An activation play (a second "
            "purchase) and a reactivation play (silent customers) would act at these points; "
            "notebook 05 tests what a play is worth."
        )
    median = figures.get("mature median time in stage (months)")
    if "mature median time in stage (months)" in figures:
        if _missing(median):
            stay = "more than half of the mature spells are still running, so their median is not reached"
        else:
            low = figures.get("mature median time in stage lower (months)")
            high = figures.get("mature median time in stage upper (months)")
            if _missing(low) or _missing(high):
                band = ""
            elif float(low) == float(high):
                band = " (its 95% interval is narrower than the one-month step between snapshots)"
            else:
                band = f" (95% interval {_days(low)} to {_days(high)})"
            stay = f"the median mature spell lasts {_days(median)} months{band}; the rules set no cap on it"
        bullets.append(
            "**Time in stage.** Counting spells still running at the end of the data as censored "
            f"(Kaplan-Meier), {stay}."
        )
    rate = figures.get("resurrection rate (%)")
    if not _missing(rate):
        bullets.append(
            f"**Comebacks.** At least {percent(rate)} of the customers who went {churn} days without buying "
            "bought again later (a lower bound: late churners had little time to return). Notebook 04 "
            "estimates who is still alive."
        )
    return Text("\n".join(f"- {b}" for b in bullets))
