"""The sentences of notebook 02 (churn survival analysis), each built from the table or fit it
interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
Hazard ratios and group contrasts are associations in the data ("customers who ... had a hazard N times
that of ..."), never effects: nothing here says that changing a behaviour would change churn.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import pandas as pd

from lifecycle_utils.narrative.answers import with_not_run

if TYPE_CHECKING:  # a type only: the survival layer does not depend on clv at run time
    from lifecycle_utils.clv import PredictedValue
from lifecycle_utils.narrative.words import Text, count, listing, money, p_value, percent
from lifecycle_utils.narrative.words import missing as _missing
from lifecycle_utils.survival import (
    BUILT_IN_GROUPS,
    GROUP_TERMS,
    LANDMARK_DAYS,
    MIN_BACKTEST_CUSTOMERS,
    PH_ALPHA,
    SurvivalData,
    log_chi2_sf,
)

__all__ = [
    "CHANCE_P",
    "FAR_BEYOND_CHANCE_P",
    "MAJORITY_PCT",
    "CONCORDANCE_MODEST",
    "CONCORDANCE_GOOD",
    "includes_zero",
    "discrimination",
    "rmst_sentence",
    "concordance_sentence",
    "landmark_sentence",
    "chance",
    "ph_fails",
    "includes_one",
    "most",
    "p_text",
    "term_phrase",
    "term_name",
    "built_in",
    "follow_up_sentence",
    "overall_sentence",
    "threshold_sentence",
    "group_sentence",
    "logrank_sentence",
    "hazard_sentence",
    "ph_sentence",
    "refit_sentence",
    "final_model_sentence",
    "conversion_sentence",
    "delayed_entry_sentence",
    "warning_sentence",
    "CALIBRATION_MAX_GAP",
    "AUC_BASELINE_MARGIN",
    "against_constant",
    "against_silence",
    "calibrated",
    "judged",
    "TOO_THIN_TO_JUDGE",
    "backtest_sentence",
    "backtest_clause",
    "answer",
    "what_this_means",
]

CHANCE_P = 0.05  # a log-rank difference is "beyond chance" when its p-value is below this
FAR_BEYOND_CHANCE_P = 0.001  # ... and "far beyond chance" when its p-value is below this
MAJORITY_PCT = 50.0  # "most active lives end on the first purchase day" when strictly more than this (%)
# Harrell's C of a Cox model: "barely better than chance" below CONCORDANCE_MODEST, "modest" below
# CONCORDANCE_GOOD, "good" from it on (the usual reading: 0.5 is a coin toss, 0.7 a useful ranking)
CONCORDANCE_MODEST = 0.6
CONCORDANCE_GOOD = 0.7
# the early-warning backtest: the probabilities are "well calibrated" when no decile's observed share is
# this far or farther from its mean predicted probability (absolute, on the 0-1 scale)
CALIBRATION_MAX_GAP = 0.05
# the early-warning probabilities "rank better than days silent alone" when their backtest AUC exceeds
# the AUC of the silence by at least this much; else they rank "about as well"
AUC_BASELINE_MARGIN = 0.02

_S_COLUMN = re.compile(r"^S\((\d+(?:\.\d+)?)\) %$")
_TERM = re.compile(r"^(.*)\[(.*) vs (.*)\]$")
_REPEAT = f"repeat within {LANDMARK_DAYS} days"


# ---------------------------------------------------------------------------------------- rules


def chance(p) -> str | None:
    """The words for a test's p-value: "far beyond chance" below :data:`FAR_BEYOND_CHANCE_P`, "beyond
    chance" below :data:`CHANCE_P`, else "not distinguishable from chance"; ``None`` without a p-value."""
    if _missing(p):
        return None
    if float(p) < FAR_BEYOND_CHANCE_P:
        return "far beyond chance"
    if float(p) < CHANCE_P:
        return "beyond chance"
    return "not distinguishable from chance"


def ph_fails(p) -> bool:
    """Whether a proportional-hazards test fails: its p-value is below ``survival.PH_ALPHA``, the level at
    which ``survival.refit_for_ph`` stratifies (no p-value: no failure shown)."""
    return not _missing(p) and float(p) < PH_ALPHA


def includes_one(lower, upper) -> bool:
    """Whether a hazard ratio's interval includes 1 (no association detectable); missing bounds count as
    including it."""
    if _missing(lower) or _missing(upper):
        return True
    return float(lower) <= 1.0 <= float(upper)


def includes_zero(lower, upper) -> bool:
    """Whether a difference's interval includes 0 (no difference detectable); missing bounds count as
    including it."""
    if _missing(lower) or _missing(upper):
        return True
    return float(lower) <= 0.0 <= float(upper)


def discrimination(c) -> str | None:
    """The words for a concordance index: "barely better than chance" below :data:`CONCORDANCE_MODEST`,
    "modest" below :data:`CONCORDANCE_GOOD`, else "good"; ``None`` without one."""
    if _missing(c):
        return None
    if float(c) < CONCORDANCE_MODEST:
        return "barely better than chance"
    if float(c) < CONCORDANCE_GOOD:
        return "modest"
    return "good"


def most(share_pct) -> bool:
    """Whether a share (%) is "most": strictly more than :data:`MAJORITY_PCT`."""
    return not _missing(share_pct) and float(share_pct) > MAJORITY_PCT


def p_text(p) -> str:
    """A p-value as the tables show it (:func:`~lifecycle_utils.narrative.words.p_value`): ``p = 0.145``,
    ``p < 0.001``, ``p n/a`` without one."""
    return p_value(p)


# -------------------------------------------------------------------------------------- helpers
def _md(text) -> str:
    """A label from the data in Markdown: dollar signs escaped (``low ($0-$15)``)."""
    return str(text).replace("$", "\\$")


def _point(cell) -> float | None:
    """A table cell as a number: ``43.0`` from ``"43.0 (42.3-43.6)"``; ``None`` for text such as
    ``"beyond follow-up"`` or ``"not reached"`` and for missing values."""
    if _missing(cell):
        return None
    try:
        return float(str(cell).split(" (")[0].replace(",", ""))
    except ValueError:
        return None


def _days(value) -> str:
    """A number of days (``0``, ``133``, ``1,095``); text such as ``"not reached"`` kept; ``n/a``."""
    number = _point(value)
    if number is None:
        return str(value) if isinstance(value, str) and value else "n/a"
    return count(number)


def _median_value(value, ci=None) -> str:
    """``133 days (95% CI 116 to 149)``, ``0 days``, ``not reached``, ``n/a``."""
    number = _point(value)
    if number is None:
        return "not reached" if str(value) == "not reached" else "n/a"
    text = f"{count(number)} days"
    if number > 0 and isinstance(ci, str) and ci:
        text += f" (95% CI {ci})"
    return text


def _median(value, ci=None) -> str:
    """``median 133 days (95% CI 116 to 149)``, ``median 0 days``, ``median not reached``."""
    return f"median {_median_value(value, ci)}"


def _horizons(frame: pd.DataFrame) -> list[tuple[float, str]]:
    """The survival columns of a table: ``[(days, "S(days) %"), ...]``."""
    return [(float(m.group(1)), c) for c in frame.columns if (m := _S_COLUMN.match(str(c)))]


def _ratio(x) -> str:
    return "n/a" if _missing(x) else (f"{float(x):.3f}" if abs(float(x)) < 10 else f"{float(x):,.1f}")


def _p_of(row: pd.Series) -> float | None:
    """A test's p-value from its chi-square and df (exact where the printed p-value underflows)."""
    chi = pd.to_numeric(pd.Series([row.get("chi-square")]), errors="coerce").iloc[0]
    df = row.get("df")
    if _missing(chi) or _missing(df) or int(df) < 1:
        return None
    return math.exp(log_chi2_sf(float(chi), int(df)))


def _chi(chi) -> str:
    """A chi-square statistic at the precision that keeps it readable: ``1,381.7``, ``4.43``, ``0.023``."""
    chi = float(chi)
    return f"{chi:,.1f}" if chi >= 10 else (f"{chi:.2f}" if chi >= 1 else f"{chi:.3f}")


def _p_words(p) -> str:
    """:func:`p_text` of a number, or of the p-value text a table shows (``"3.71e-55"``, ``"< 1e-300"``)."""
    if isinstance(p, str):
        try:
            return p_text(0.0 if p.startswith("<") else float(p))
        except ValueError:
            return f"p {p}"
    return p_text(p)


def _statistic(chi, df, p) -> str:
    """``chi-square 1,381.7 with 1 degree of freedom, p < 1e-300``; ``p`` a number or the p-value text a
    table shows."""
    df = int(df)
    return f"chi-square {_chi(chi)} with {df} degree{'' if df == 1 else 's'} of freedom, {_p_words(p)}"


def _shown_p(row: pd.Series, p):
    """The p-value as the table shows it (``"3.71e-55"``, ``"< 1e-300"``), else the number ``p``."""
    text = row.get("p-value")
    return text if isinstance(text, str) and text and text != "n/a" else p


def _note_only(frame: pd.DataFrame | None) -> str | None:
    """The note of a table that is only a note (e.g. "no customers: nothing to estimate"), or ``None``."""
    if frame is None:
        return "nothing was computed"
    if list(frame.columns) == ["note"]:
        return "; ".join(str(n) for n in frame["note"]) or "nothing to show"
    return None


def _row_notes(frame: pd.DataFrame) -> list[str]:
    if "note" not in frame:
        return []
    return list(dict.fromkeys(str(n) for n in frame["note"] if isinstance(n, str) and n))


def term_phrase(term: str) -> tuple[str, str]:
    """Who a hazard ratio compares, as ``(these customers, "that of" whom)``: the transaction covariates
    in words, a text covariate ``name[level vs reference]`` by its levels, a number per unit."""
    if term == f"{_REPEAT}[yes vs no]":
        return (
            f"customers who bought again within {LANDMARK_DAYS} days of their first purchase",
            "that of customers who did not",
        )
    if term == "log2 first order value":
        return "customers whose first order was worth twice as much", "that of otherwise similar customers"
    if term == "first basket (units)":
        return "customers with one more unit in their first basket", "that of otherwise similar customers"
    match = _TERM.match(str(term))
    if match:
        name, level, reference = (_md(g) for g in match.groups())
        return f"customers with {name} '{level}'", f"that of customers with {name} '{reference}'"
    return f"customers with '{_md(term)}' one unit higher", "that of otherwise similar customers"


def term_name(term: str) -> str:
    """A model term in plain words, as :func:`term_phrase` names who it compares: "customers who bought
    again within 30 days of their first purchase against customers who did not"."""
    who, whom = term_phrase(term)
    return f"{who} against {whom.removeprefix('that of ')}"


def _group_of(term) -> str:
    """The column a model term comes from: ``repeat within 30 days`` from ``repeat within 30 days[yes vs
    no]``."""
    match = _TERM.match(str(term))
    return match.group(1) if match else str(term)


def built_in(group) -> str | None:
    """Why a group's (or a model term's) difference in survival is partly built in by its definition
    (``survival.BUILT_IN_GROUPS``), or ``None`` when it is not."""
    return BUILT_IN_GROUPS.get(_group_of(group))


def _disagreement(term: str, lower, upper, logrank_p, ties) -> str:
    """Where the log-rank test of a term's group and the term's hazard-ratio interval disagree (one beyond
    chance, the other not): what each says and why they can, from the churns tied on day 0 (``ties`` =
    (on day 0, all churns)) and a built-in group's hazard that changes over time; "" where they agree."""
    if _missing(logrank_p) or _missing(lower) or _missing(upper):
        return ""
    beyond = float(logrank_p) < CHANCE_P
    if beyond != includes_one(lower, upper):
        return ""
    group = _md(_group_of(term))
    finds = "a difference beyond chance" if beyond else "no difference beyond chance"
    interval = "includes" if beyond else "excludes"
    text = (
        f". The log-rank test of {group} finds {finds} ({p_text(logrank_p)}) while this interval "
        f"{interval} 1: the two disagree"
    )
    reasons = []
    day0, events = ties if ties else (None, None)
    if not _missing(day0) and int(day0) > 1:
        reasons.append(
            f"{count(day0)} of the {count(events)} churns fall on the same day (day 0), ties that the "
            "log-rank test and the Cox model (Efron's method) count differently"
        )
    if built_in(term):
        reasons.append(
            "by that definition this group's risk of churning is not a fixed multiple of the other's over "
            "time, so one ratio over the whole follow-up depends on how day 0 is weighed"
        )
    if reasons:
        text += (", for two reasons: " + "; and ".join(reasons)) if len(reasons) > 1 else (": " + reasons[0])
    return text + ". Neither figure alone is a finding"


def _hazard_line(term: str, hr, lower, upper, *, logrank_p=None, ties=None, caveat: bool = True) -> str:
    who, whom = term_phrase(term)
    text = (
        f"{who} had a risk of churning at any moment (hazard) {_ratio(hr)} times {whom} "
        f"(95% CI {_ratio(lower)} to {_ratio(upper)})"
    )
    if includes_one(lower, upper):
        text += ": the interval includes 1, so no association is detectable"
    why = built_in(term) if caveat else None
    if why:
        text += f"; this difference is partly built in by its definition: {why}"
    return text + (_disagreement(term, lower, upper, logrank_p, ties) if caveat else "")


def _context(logranks: pd.DataFrame | None, description: pd.Series | None) -> tuple[dict, tuple | None]:
    """({group: log-rank p-value}, (churns on day 0, all churns)) from a ``survival.logrank_table`` and a
    ``survival.describe`` series, where given."""
    ps = {}
    if logranks is not None and "chi-square" in logranks:
        ps = {str(g): p for g, row in logranks.iterrows() if (p := _p_of(row)) is not None}
    ties = None
    if description is not None and "churned on day 0" in description:
        ties = (description.get("churned on day 0"), description.get("churned (events)"))
    return ps, ties


def _hazard_lines(hazards: pd.DataFrame, context=({}, None), caveat: bool = True) -> list[str]:
    ps, ties = context
    lines = []
    notes = hazards["note"] if "note" in hazards else pd.Series("", index=hazards.index)
    for term, row in hazards.iterrows():
        note = notes[term] if isinstance(notes[term], str) else ""
        if note:
            lines.append(f"'{_md(term)}': no hazard ratio to read ({note})")
        elif not _missing(row.get("hazard ratio")):
            lines.append(
                _hazard_line(
                    str(term),
                    row["hazard ratio"],
                    row["lower 95%"],
                    row["upper 95%"],
                    logrank_p=ps.get(_group_of(term)),
                    ties=ties,
                    caveat=caveat,
                )
            )
    return lines


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bullets(lines: list[str]) -> str:
    """A Markdown list, each line ending with a full stop (lines are not capitalised: a line may start
    with a label from the data)."""
    return "\n".join(f"- {line}." for line in lines)


# ---------------------------------------------------------------------------------- the sentences
def follow_up_sentence(description: pd.Series, label: str) -> Text:
    """Who can be evaluated and how far churn can be followed (from ``survival.describe``)."""
    n = int(description.get("customers", 0) or 0)
    events = int(description.get("churned (events)", 0) or 0)
    follow = description.get("longest follow-up (days)")
    if description.get("source") == "duration table":
        if n == 0:
            return Text(f"{label}'s duration table holds no customer: nothing to analyse.")
        text = (
            f"{label}'s duration table holds {count(n)} customers: {count(events)} "
            f"({percent(100 * events / n)}) churned and {count(n - events)} are censored"
        )
        late = int(description.get("with delayed entry", 0) or 0)
        if late:
            text += f"; {count(late)} entered observation late (delayed entry)"
        return Text(text + f". The longest duration observed is {_days(follow)} days.")
    threshold = description.get("churn threshold (days)")
    in_log = description.get("customers in the log", n)
    if n == 0:
        return Text(
            f"None of the {count(in_log)} customers of {label} can be evaluated: each made a first "
            f"purchase less than {count(threshold)} days before the end of the data, too late for churn "
            "to be seen."
        )
    if n == in_log:
        lead = f"All {count(n)} customers of {label} can be evaluated"
    else:
        lead = (
            f"{count(n)} of the {count(in_log)} customers of {label} can be evaluated (the others made "
            f"their first purchase less than {count(threshold)} days before the end of the data, too late "
            "for churn to be seen)"
        )
    return Text(
        f"{lead}; {count(events)} ({percent(100 * events / n)}) churned within the observation window. "
        f"No active life longer than {_days(follow)} days can be observed: churn shows only "
        f"{count(threshold)} days after a customer's last purchase, so the last {count(threshold)} days "
        "of the data cannot show it."
    )


def overall_sentence(overall: pd.DataFrame, *, source: str = "transactions") -> Text:
    """How long active lives last (from ``survival.survival_summary`` without groups): beyond day 0,
    at each horizon, the median."""
    note = _note_only(overall)
    if note is not None or overall.empty:
        return Text(f"Survival was not estimated: {note or 'no customers'}.")
    row = overall.iloc[0]
    parts = []
    horizons = _horizons(overall)
    day0 = _point(row["S(0) %"]) if "S(0) %" in overall else None
    if day0 is not None and day0 < 100:
        if source == "transactions":
            parts.append(
                f"{percent(day0)} of the customers are still active after their first purchase day (the "
                f"table's S(0)); the other {percent(100 - day0)} did not buy again before churning"
            )
        else:
            parts.append(f"{percent(100 - day0)} of the customers churned on day 0")
    seen = [(h, _point(row[c])) for h, c in horizons if h > 0 and _point(row[c]) is not None]
    beyond = [h for h, c in horizons if h > 0 and _point(row[c]) is None]
    if seen:
        parts.append("still active: " + ", ".join(f"{percent(s)} at {count(h)} days" for h, s in seen))
    if beyond:
        days = listing([count(h) for h in beyond])
        parts.append(f"{days} days {'lie' if len(beyond) > 1 else 'lies'} beyond the follow-up of this data")
    median = row.get("median days")
    text = "; ".join(parts)
    text = (text[:1].upper() + text[1:] + ". ") if text else ""
    text += f"The median active life is {_median_value(median, row.get('median 95% CI'))}"
    if _point(median) == 0:
        text += (
            ": at least half of the active lives end on day 0, so the median says nothing about how long "
            "the others last (the restricted mean below does)"
        )
    elif str(median) == "not reached":
        text = text.replace("is not reached", "is not reached: more than half are still active at the end")
    notes = _row_notes(overall)
    return Text(text + "." + (f" ({'; '.join(notes)}.)" if notes else ""))


def threshold_sentence(sensitivity: pd.DataFrame, churn_days=None) -> Text:
    """How the churned share and the follow-up move with the churn threshold (from
    ``survival.threshold_sensitivity``)."""
    note = _note_only(sensitivity)
    if note is not None:
        if note.startswith("needs transactions"):
            return Text(
                "A duration table has no churn threshold to move: its own churn column says who churned."
            )
        return Text(f"Not compared: {note}.")
    if sensitivity.empty:
        return Text("No churn threshold to compare.")
    table = sensitivity.sort_index()
    shares = [
        f"{percent(s)} at {count(t)} days" + (" (the threshold used)" if t == churn_days else "")
        for t, s in table["churned (%)"].items()
    ]
    text = f"Churned share by churn threshold: {listing(shares)}."
    values = table["churned (%)"].dropna()
    if len(values) > 1 and values.is_monotonic_decreasing and values.iloc[0] > values.iloc[-1]:
        text += " The longer the threshold, the smaller the churned share."
    customers = table["customers"]
    if customers.nunique() > 1:
        text += (
            f" The customers who can be evaluated change too, from {count(customers.iloc[0])} at "
            f"{count(customers.index[0])} days to {count(customers.iloc[-1])} at "
            f"{count(customers.index[-1])} days: a longer threshold leaves out the customers acquired late."
        )
    horizons = _horizons(table)
    if horizons:
        h, column = horizons[-1]
        seen = table[column].dropna()
        unseen = [count(t) for t in table.index if t not in seen.index]
        if not len(seen):
            text += f" Survival at {count(h)} days cannot be observed with any of these thresholds."
        elif not unseen:
            text += f" Survival at {count(h)} days can be observed at every threshold."
        else:
            which = "a threshold" if len(seen) == 1 else "thresholds"
            text += (
                f" Survival at {count(h)} days can be observed only with {which} of "
                f"{listing([count(t) for t in seen.index])} days "
                f"({listing([percent(v) for v in seen])} still active), not with {listing(unseen)} days: "
                "a longer threshold leaves less follow-up."
            )
    return Text(
        text + " The threshold is a business definition; survival curves are comparable only at the same "
        "threshold."
    )


def _levels_line(part: pd.DataFrame, *, still: str) -> str:
    """One group's levels: the share at the longest horizon every level reaches, and the medians."""
    horizons = [(h, c) for h, c in _horizons(part) if h > 0]
    observed = [(h, c) for h, c in horizons if part[c].map(_point).notna().all()]
    items = []
    for level, row in part.iterrows():
        bits = []
        if observed:
            h, c = observed[-1]
            bits.append(f"{percent(_point(row[c]))} {still} at {count(h)} days")
        if "median days" in part:
            bits.append(_median(row["median days"], row.get("median 95% CI")))
        items.append(f"{_md(level)}: {', '.join(bits)}")
    return "; ".join(items)


def group_sentence(groups: pd.DataFrame) -> Text:
    """Survival by early behaviour or group (from ``survival.group_summary``): per level, the share
    still active at the longest horizon all its group's levels reach, and the median active life."""
    note = _note_only(groups)
    if note is not None:
        return Text(f"No groups compared: {note}.")
    if groups.empty:
        return Text("No groups to compare.")
    lines = []
    for group in dict.fromkeys(groups.index.get_level_values(0)):
        part = groups.loc[group]
        line = f"**{_md(group)}**: {_levels_line(part, still='still active')}"
        notes = _row_notes(part)
        lines.append(line + (f" ({'; '.join(notes)})" if notes else ""))
    return Text(
        "Share still active (95% bands in the table) and median active life, by group:\n" + _bullets(lines)
    )


def logrank_sentence(logranks: pd.DataFrame) -> Text:
    """Which group differences are beyond chance (from ``survival.logrank_table``), by the rule
    :func:`chance`, the clearest (smallest p-value) first."""
    if logranks is None or logranks.empty or "chi-square" not in logranks:
        note = _note_only(logranks) if logranks is not None and len(logranks) else None
        return Text(f"No log-rank test: {note or 'no groups to compare'}.")
    tested = [(g, _p_of(row), row) for g, row in logranks.iterrows()]
    ranked = sorted([t for t in tested if t[1] is not None], key=lambda t: t[1])
    untested = [t for t in tested if t[1] is None]
    lines = [
        f"{_md(g)} ({_statistic(row['chi-square'], row['df'], _shown_p(row, p))}): {chance(p)}"
        + (f"; this difference is partly built in by its definition: {built_in(g)}" if built_in(g) else "")
        for g, p, row in ranked
    ]
    notes = logranks["note"] if "note" in logranks else pd.Series("", index=logranks.index)
    lines += [f"{_md(g)}: not tested ({notes[g] or 'no statistic'})" for g, _, _ in untested]
    if not ranked:
        return Text("No group could be tested:\n" + _bullets(lines))
    beyond = [g for g, p, _ in ranked if float(p) < CHANCE_P]
    others = [g for g, _, _ in ranked if not built_in(g)]
    if not beyond:
        lead = "No group difference in survival is beyond chance:"
    elif len(ranked) == 1:
        lead = "The log-rank test:"
    elif len(others) == len(ranked):
        lead = f"Ranked by p-value, the clearest difference is by {_md(ranked[0][0])}:"
    elif not any(g in others for g in beyond):
        lead = "Only groups whose difference is partly built in by their definition differ beyond chance:"
    else:
        lead = (
            "Ranked by p-value; among the groups not built in by their definition, the clearest difference "
            f"is by {_md(others[0])}:"
        )
    return Text(lead + "\n" + _bullets(lines))


def _hazard_block(hazards: pd.DataFrame | None, context=({}, None)) -> tuple[str, bool]:
    """(text, whether hazard ratios are stated) for a ``survival.hazard_ratios`` table."""
    if hazards is None or hazards.empty:
        return "No hazard ratio was estimated.", False
    if list(hazards.index) == ["no model"]:
        note = hazards["note"].iloc[0] if "note" in hazards else ""
        return f"No Cox model was fitted: {note or 'no reason given'}", False
    lines = _hazard_lines(hazards, context)
    if not lines:
        return "No hazard ratio was estimated.", False
    return (
        "With the other covariates in the model held fixed (associations in this data, not effects of "
        "changing a behaviour):\n" + _bullets([_capital(line) for line in lines])
    ), True


def hazard_sentence(
    hazards: pd.DataFrame, *, logranks: pd.DataFrame | None = None, description: pd.Series | None = None
) -> Text:
    """The Cox model's hazard ratios (from ``survival.hazard_ratios``) as associations: "customers who
    ... had a risk of churning at any moment (hazard) N times that of ... (95% CI ...)"; flagged or
    left-out covariates by their note; no model by its reason. A group partly built in by its definition
    (``survival.BUILT_IN_GROUPS``) says so; with ``logranks`` (``survival.logrank_table``) and
    ``description`` (``survival.describe``), where the log-rank test of a term's group and its interval
    disagree the line says so and why (churns tied on day 0, a built-in hazard that changes over time)."""
    text, stated = _hazard_block(hazards, _context(logranks, description))
    if stated:
        text += (
            "\n\nEach hazard ratio assumes the ratio stays the same over the whole follow-up; the next "
            "section checks that."
        )
    return Text(text)


def _days1(x) -> str:
    return "n/a" if _missing(x) else f"{float(x):,.1f}"


def rmst_sentence(rmst: pd.DataFrame) -> Text:
    """The restricted mean active life (from ``survival.rmst_table``): overall with its interval up to its
    horizon, and per group, up to the group's horizon, each level's difference from the first level,
    called detectable only when its interval excludes 0 (:func:`includes_zero`); a group built in by its
    definition says so."""
    if _note_only(rmst) is not None or rmst.empty:
        return Text(f"No restricted mean: {_note_only(rmst) or 'no customers'}.")
    notes = rmst["note"] if "note" in rmst else pd.Series("", index=rmst.index)
    text = ""
    if ("all", "all") in rmst.index:
        row = rmst.loc[("all", "all")]
        upto = f"up to {_days(row['up to (days)'])} days"
        if _missing(row["restricted mean (days)"]):
            text = f"The restricted mean active life {upto} cannot be estimated ({notes[('all', 'all')]})."
        else:
            mean = _days1(row["restricted mean (days)"])
            text = (
                f"Counted {upto}, a customer's active life lasts {mean} days "
                f"on average (restricted mean: the area under the curve; 95% CI "
                f"{_days1(row['lower 95%'])} to {_days1(row['upper 95%'])})."
            )
    lines = []
    for group in dict.fromkeys(g for g in rmst.index.get_level_values(0) if g != "all"):
        part = rmst.loc[group]
        items = []
        for level, row in part.iterrows():
            if not row["against"]:
                continue
            if _missing(row["difference (days)"]):
                items.append(f"{_md(level)}: not estimated ({notes[(group, level)] or 'no estimate'})")
                continue
            diff = float(row["difference (days)"])
            lo, hi = row["difference lower 95%"], row["difference upper 95%"]
            word = "longer" if diff >= 0 else "shorter"
            item = (
                f"{_md(level)} {_days1(abs(diff))} days {word} than {_md(row['against'])} "
                f"(95% CI {_days1(lo)} to {_days1(hi)})"
            )
            if includes_zero(lo, hi):
                item += ": the interval includes 0, so no difference is detectable"
            items.append(item)
        if items:
            line = f"**{_md(group)}** (up to {_days(part['up to (days)'].iloc[0])} days): " + "; ".join(items)
            if built_in(group):
                line += f" (partly built in by its definition: {built_in(group)}; see the landmark analysis)"
            lines.append(line)
    if lines:
        lead = " Differences in restricted mean active life, by group (associations, not effects):\n"
        text += lead + _bullets(lines)
    return Text(text.strip())


def concordance_sentence(concordances: pd.DataFrame) -> Text:
    """How well each Cox model ranks who churns first (from ``survival.model_concordance`` rows): Harrell's
    C with its reading by :func:`discrimination`."""
    if concordances is None or concordances.empty or "concordance" not in concordances:
        return Text("No concordance was computed.")
    notes = concordances["note"] if "note" in concordances else pd.Series("", index=concordances.index)
    items = []
    for name, row in concordances.iterrows():
        c = row["concordance"]
        if _missing(c):
            items.append(f"the {_md(name)} has no concordance ({str(notes[name]).rstrip('.') or 'no model'})")
        else:
            items.append(
                f"the {_md(name)} ranks the churn of comparable pairs of customers correctly with C = "
                f"{float(c):.3f}: {discrimination(c)}"
            )
    return Text(
        _capital("; ".join(items))
        + ". (Harrell's concordance: a coin toss scores one half, a perfect ranking "
        "one; the words follow the thresholds named above the table.)"
    )


def landmark_sentence(
    hazards: pd.DataFrame,
    logranks: pd.DataFrame,
    *,
    full_logranks: pd.DataFrame | None = None,
    landmark_days: int = LANDMARK_DAYS,
    data: SurvivalData | None = None,
    ph_tests: pd.DataFrame | None = None,
) -> Text:
    """The landmark analysis (``survival.landmark``, then ``survival.logrank_table`` and
    ``survival.hazard_ratios`` on its population): the log-rank tests and hazard ratios from day
    ``landmark_days`` on, read as the estimates of the early behaviours' associations (who is compared,
    and from when, is decided by what is known at the landmark), beside the full population's log-rank
    statistic of each built-in group (``full_logranks``). When the landmark ``data`` counts time to
    visible churn (from transactions) the clock runs from each customer's last purchase in the first
    ``landmark_days`` days to the day churn becomes visible; otherwise (a duration table) from the
    landmark among those still active at it.
    With ``ph_tests`` (``survival.ph_test`` of the landmark model), a hazard ratio whose
    proportional-hazards check fails (:func:`ph_fails`) is called an average over the follow-up."""
    visible = data is not None and data.time_scale == "to visible churn"
    churn_days = data.churn_days if visible else None
    start = _landmark_start(landmark_days, churn_days)
    if logranks is None or logranks.empty or "chi-square" not in logranks:
        note = _note_only(logranks) if logranks is not None and len(logranks) else None
        return Text(f"{start}: no log-rank test ({note or 'no groups to compare'}).")
    lines = []
    for g, row in logranks.iterrows():
        p = _p_of(row)
        if p is None:
            lines.append(f"{_md(g)}: not tested ({row.get('note') or 'no statistic'})")
            continue
        line = (
            f"{_md(g)}: log-rank {_statistic(row['chi-square'], row['df'], _shown_p(row, p))} ({chance(p)})"
        )
        if built_in(g) and full_logranks is not None and g in full_logranks.index:
            full = full_logranks.loc[g]
            if not _missing(pd.to_numeric(full.get("chi-square"), errors="coerce")):
                line += (
                    f", against chi-square {_chi(full['chi-square'])} on the whole population, where the "
                    "difference is partly built in by its definition; this landmark figure is the estimate "
                    "of the association"
                    + (" beyond the early purchase itself" if churn_days is not None else "")
                )
        lines.append(line)
    text = f"{start}:\n" + _bullets(lines)
    block, _ = _hazard_block_landmark(hazards)
    _, failing, _ = _ph_results(ph_tests)
    if failing and block.startswith("In the Cox model"):
        terms = listing([term_name(t) for t, _, _ in failing])
        block += (
            f"\n\nThe proportional-hazards check of this model fails for {terms} (p < {PH_ALPHA:g}): read "
            f"{'its hazard ratio' if len(failing) == 1 else 'their hazard ratios'} as an average over the "
            "follow-up; the log-rank tests above do not assume proportional hazards."
        )
    return Text(text + "\n\n" + block)


def _landmark_start(landmark_days, churn_days) -> str:
    """How the landmark comparison counts time, in words."""
    if churn_days is None:
        return (
            f"Counting churn from day {count(landmark_days)} among the customers still active at it (time "
            "counted from the landmark)"
        )
    return (
        f"Counting from each customer's last purchase in the first {count(landmark_days)} days to the day "
        f"churn becomes visible ({count(churn_days)} days without a purchase), with every customer at risk "
        f"from day {count(landmark_days)}, so nothing after it decides who is compared"
    )


def _hazard_block_landmark(hazards: pd.DataFrame | None) -> tuple[str, bool]:
    if hazards is None or hazards.empty:
        return "No hazard ratio was estimated at the landmark.", False
    if list(hazards.index) == ["no model"]:
        note = hazards["note"].iloc[0] if "note" in hazards else ""
        return f"No Cox model was fitted at the landmark: {note or 'no reason given'}", False
    lines = _hazard_lines(hazards, caveat=False)
    if not lines:
        return "No hazard ratio was estimated at the landmark.", False
    return (
        "In the Cox model at the landmark, with the other covariates held fixed (associations in this data, "
        "not effects of changing a behaviour):\n" + _bullets([_capital(line) for line in lines])
    ), True


def _ph_results(tests: pd.DataFrame) -> tuple[list, list, pd.Series | None]:
    """(passing, failing, global row) of a ``survival.ph_test`` table; each entry (term, p, row)."""
    if tests is None or tests.empty or "chi-square" not in tests:
        return [], [], None
    per = tests.drop(index="GLOBAL", errors="ignore")
    results = [(str(t), _p_of(row), row) for t, row in per.iterrows()]
    results = [r for r in results if r[1] is not None]
    glob = tests.loc["GLOBAL"] if "GLOBAL" in tests.index and _p_of(tests.loc["GLOBAL"]) is not None else None
    return [r for r in results if not ph_fails(r[1])], [r for r in results if ph_fails(r[1])], glob


def _repeat_by_construction(groups: pd.DataFrame | None) -> str:
    """Why the early repeat breaks proportional hazards, from the group table: repeaters cannot end on
    day 0, and after it they lose a larger, smaller or equal share of their number."""
    if groups is None or groups.empty or _REPEAT not in groups.index.get_level_values(0):
        return ""
    part = groups.loc[_REPEAT]
    later = [(h, c) for h, c in _horizons(part) if h > 0 and part[c].map(_point).notna().all()]
    if "S(0) %" not in part or not {"yes", "no"} <= set(part.index) or not later:
        return ""
    h, c = later[0]
    yes0, yes1 = _point(part.loc["yes", "S(0) %"]), _point(part.loc["yes", c])
    no0, no1 = _point(part.loc["no", "S(0) %"]), _point(part.loc["no", c])
    if not (yes0 and no0):
        return ""
    kept_yes, kept_no = yes1 / yes0, no1 / no0
    how = "a larger" if kept_yes < kept_no else ("a smaller" if kept_yes > kept_no else "the same")
    return (
        f" Part of this is by construction: a customer who bought again within {LANDMARK_DAYS} days has an "
        f"active life longer than 0 ({percent(yes0)} get beyond day 0), against {percent(no0)} of the "
        f"others. After day 0 the repeaters lose {how} share of their number: from {percent(yes0)} to "
        f"{percent(yes1)} at {count(h)} days, against {percent(no0)} to {percent(no1)} for the others."
    )


def refit_sentence(note: str) -> Text:
    """What ``survival.refit_for_ph`` did (its note: the model refitted stratified by the covariate that
    fails proportional hazards, or left as fitted), as text shown under the cell rather than printed."""
    return Text(note)


def ph_sentence(tests: pd.DataFrame, groups: pd.DataFrame | None = None) -> Text:
    """The proportional-hazards check (from ``survival.ph_test``): which covariates show no departure,
    which fail (rule :func:`ph_fails`); with ``groups`` (``survival.group_summary``) why an early
    repeat fails."""
    passing, failing, glob = _ph_results(tests)
    if not passing and not failing:
        note = _row_notes(tests) if tests is not None else []
        return Text(f"No proportional-hazards test was possible ({'; '.join(note) or 'no statistic'}).")
    text = ""
    if passing:
        text += (
            "The check that a hazard ratio stays the same over the whole follow-up (proportional hazards) "
            "does not fail for "
            + listing([f"{term_name(t)} ({_p_words(_shown_p(r, p))})" for t, p, r in passing])
            + "."
        )
        for t, p, _ in passing:
            if built_in(t):
                text += (
                    f" Not failing at p < {PH_ALPHA:g} is no sign that the hazard ratio of "
                    f"{term_phrase(t)[0]} stays constant over time: by definition, {built_in(t)}. Its "
                    "single ratio averages a risk that differs on day 0 and after."
                )
    if failing:
        worst = max(failing, key=lambda r: float(r[2]["chi-square"]))
        terms = listing(
            [
                f"{term_name(t)} ({_statistic(r['chi-square'], r['df'], _shown_p(r, p))})"
                for t, p, r in failing
            ]
        )
        one = len(failing) == 1
        changes = "its hazard ratio changes" if one else "their hazard ratios change"
        lead = "The check" if not passing else "It"
        text += (
            f" {lead} fails for {terms}: {changes} over time, so a single hazard ratio misstates "
            f"{'it' if one else 'them'}."
        )
        if worst[0].startswith(_REPEAT):
            text += _repeat_by_construction(groups)
        text += f" The model is refitted below stratified by {'it' if one else 'the worst of them'}."
    if glob is not None:
        text += f" Global test: {_statistic(glob['chi-square'], glob['df'], _shown_p(glob, _p_of(glob)))}."
    return Text(text.strip())


def final_model_sentence(
    hazards: pd.DataFrame,
    tests: pd.DataFrame,
    *,
    stratified_by: str | None = None,
    logranks: pd.DataFrame | None = None,
    description: pd.Series | None = None,
) -> Text:
    """The model to report (after ``survival.refit_for_ph``): what it is stratified by, its hazard
    ratios (with the caveats of :func:`hazard_sentence` given ``logranks`` and ``description``), and
    whether its proportional-hazards check now passes."""
    context = _context(logranks, description)
    if hazards is None or hazards.empty or list(hazards.index) == ["no model"]:
        return Text(_hazard_block(hazards)[0])
    if stratified_by:
        lead = (
            f"The model to report is stratified by {_md(stratified_by)}: each of its levels has a baseline "
            "hazard of its own, so it gets no hazard ratio."
        )
    else:
        lead = "The model stands as fitted."
    text = f"{lead} {_hazard_block(hazards, context)[0]}"
    passing, failing, glob = _ph_results(tests)
    if failing:
        terms = listing([term_name(t) for t, _, _ in failing])
        text += (
            f"\n\nIts proportional-hazards check still fails for {terms}: read "
            f"{'its hazard ratio' if len(failing) == 1 else 'their hazard ratios'} as an average over "
            "the follow-up."
        )
    elif passing:
        stat = (
            f" (global test: {_statistic(glob['chi-square'], glob['df'], _shown_p(glob, _p_of(glob)))})"
            if glob is not None
            else ""
        )
        text += (
            f"\n\nIts proportional-hazards check does not fail{stat}: these are the hazard ratios "
            "recorded below."
        )
    else:
        text += "\n\nIts proportional-hazards check could not be made."
    return Text(text)


def conversion_sentence(second: pd.DataFrame, *, source: str = "transactions") -> Text:
    """How fast new customers make a second purchase (from ``survival.survival_summary`` of
    ``survival.second_purchase_table`` by group): the share still without one at each horizon, and the
    median time to it."""
    if source != "transactions":
        return Text("The time to a second purchase needs transactions: not estimated for a duration table.")
    note = _note_only(second)
    if note is not None or second.empty:
        return Text(f"Not estimated: {note or 'no customers'}.")
    lines = []
    for level, row in second.iterrows():
        seen = [(h, _point(row[c])) for h, c in _horizons(second) if h > 0 and _point(row[c]) is not None]
        bits = ", ".join(f"{percent(s)} at {count(h)} days" for h, s in seen) or "no horizon within the data"
        median = _median_value(row.get("median days"), row.get("median 95% CI"))
        lines.append(f"{_md(level)}: {bits}; median time to a second purchase {median}")
    by = f", by {_md(second.index.name)}" if second.index.name else ""
    return Text(f"Share still without a second purchase{by}:\n" + _bullets(lines))


def delayed_entry_sentence(check: pd.DataFrame) -> Text:
    """What ignoring delayed entry costs on the simulated subscriptions (from
    ``survival.delayed_entry_check``)."""
    if check is None or check.empty or "error ignoring entry (points)" not in check:
        return Text("The delayed-entry check was not run.")
    with_entry = check["error with entry (points)"].abs().max()
    worst = check["error ignoring entry (points)"].abs().idxmax()
    error = check.loc[worst, "error ignoring entry (points)"]
    how = "overstates" if error > 0 else ("understates" if error < 0 else "matches")
    return Text(
        "On the simulated subscriptions (the same whatever data the notebook runs on), Kaplan-Meier with "
        f"delayed entry stays within {abs(with_entry):.1f} points of the true survival at every horizon; "
        f"ignoring entry {how} it by up to {abs(error):.1f} points, at {count(worst)} days "
        f"({percent(check.loc[worst, 'KM ignoring entry'])} against a true "
        f"{percent(check.loc[worst, 'truth'])}): customers who left before the window opened were never "
        "seen. Pass `ENTRY_COL` when your table has such customers."
    )


def _span(values: pd.Series, fmt) -> str:
    lo, hi = values.min(), values.max()
    return fmt(lo) if fmt(lo) == fmt(hi) else f"{fmt(lo)} to {fmt(hi)}"


def _valued_by(model: str | None, months: int | None) -> str:
    """``"the next 12 months' purchases predicted by Pareto/NBD with Gamma-Gamma"`` or shorter."""
    span = f"the next {count(months)} months' purchases" if months else "future purchases"
    return f"{span} predicted by {model} with Gamma-Gamma" if model else f"{span} as predicted"


def warning_sentence(
    warning: pd.DataFrame,
    horizon_days: int,
    *,
    predicted: PredictedValue | None = None,
) -> Text:
    """Who tops the early-warning list (from ``survival.early_warning_list``): how many can churn within
    the horizon (probability above 0) and, of those only, their purchases, silence, churn probability,
    past spend and (with a ``predicted value`` column) predicted value; what the ranking is: the
    probability times the value of future purchases as ``predicted`` (``clv.predicted_value``: its model
    and months), or past spend (then its note says why no prediction was used). Customers listed with
    a probability of 0 (a silence too short to reach the threshold within the horizon) are counted,
    never described."""
    h = count(horizon_days)
    note = _note_only(warning)
    if note is not None:
        return Text(f"No early-warning list: {note}.")
    if warning.empty:
        return Text(
            f"The early-warning list is empty: no customer still active can churn within the next {h} days."
        )
    n = count(len(warning))
    if "annual spend" in warning:  # from transactions
        p = warning["P(churn in horizon)"]
        at_risk = warning[p > 0]
        if at_risk.empty:
            return Text(
                f"None of the {n} customers listed can churn within the next {h} days: each silence is more "
                f"than {h} days short of the churn threshold."
            )
        k = count(len(at_risk))
        if len(at_risk) < len(warning):
            lead = (
                f"{k} of the {n} customers listed can churn within the next {h} days (the others' silence is "
                f"more than {h} days short of the threshold: probability 0). These {k}"
            )
        else:
            lead = (
                f"The {k} customers on the list can churn within the next {h} days (probability above 0). "
                "They"
            )
        text = (
            f"{lead} have made {_span(at_risk['occasions'], count)} purchases and have been silent for "
            f"{_span(at_risk['days silent'], count)} days; their probability of churning within the next {h} "
            f"days is {_span(at_risk['P(churn in horizon)'], lambda x: f'{x:.2f}')}"
        )
        past = (
            f"In the past they spent {_span(at_risk['annual spend'], lambda x: money(x, decimals=0))} a year "
            "(annual spend: their spend so far, scaled to a year since their first purchase)"
        )
        if "predicted value" in warning:
            worth = _span(at_risk["predicted value"], lambda x: money(x, decimals=0))
            valued = _valued_by(*((predicted.model, predicted.months) if predicted else (None, None)))
            return Text(
                f"{text}. {past}; the value of {valued} is {worth} each. The list is "
                "ranked by the churn probability times that predicted value (value at risk), so a big past "
                "spender the model expects little from ranks low; it is no sign that a contact would keep "
                "them."
            )
        why = f" ({predicted.note})" if predicted is not None and predicted.note else ""
        return Text(
            f"{text}. {past}. The list is ranked by that probability times past annual spend (value at "
            f"risk): past spend, not a forecast of what they would spend if they stayed{why}, and no sign "
            "that a contact would keep them."
        )
    p = next((c for c in warning.columns if str(c).startswith("P(churn")), None)
    value = [c for c in warning.columns if c not in ("tenure (days)", p, "value at risk", "note")]
    tenure = _span(warning["tenure (days)"], count)
    text = f"The {n} customers at the top of the list are still active after {tenure} days"
    if p is not None:
        text += (
            f"; their probability of churning within the next {h} days is "
            f"{_span(warning[p], lambda x: f'{x:.2f}')}"
        )
    text += "."
    if value:
        text += (
            f" The list is ranked by that probability times '{_md(value[0])}' "
            f"({_span(warning[value[0]], lambda x: f'{x:,.2f}')} on the list), not by a forecast of value."
        )
    notes = _row_notes(warning)
    return Text(text + (f" Note: {'; '.join(notes)}." if notes else ""))


# --------------------------------------------------------------------- the Answer and the closing
def _strongest(figures: dict) -> tuple[str, str | None, str] | None:
    """(group, chance words, the statistic) of the recorded strongest log-rank contrast (among the groups
    not built in by their definition)."""
    group = figures.get("strongest log-rank group")
    chi = figures.get("strongest log-rank chi-square")
    if group is None or _missing(chi):
        return None
    p = figures.get("strongest log-rank p-value")
    stat = f"log-rank {_statistic(chi, figures.get('strongest log-rank df') or 1, p)}"
    return _md(group), chance(p), stat


def _built_in_recorded(figures: dict) -> list[tuple[str, str, str | None, str]]:
    """(group, label, chance words, the statistic) of each recorded group built in by its definition."""
    out = []
    for group in str(figures.get("groups built in by definition") or "").split(" | "):
        chi = figures.get(f"log-rank {group}: chi-square")
        if not group or _missing(chi):
            continue
        p = figures.get(f"log-rank {group}: p-value")
        stat = f"log-rank {_statistic(chi, figures.get(f'log-rank {group}: df') or 1, p)}"
        out.append((group, _md(group), chance(p), stat))
    return out


def _logrank_p_recorded(figures: dict, group: str):
    if figures.get("strongest log-rank group") == group:
        return figures.get("strongest log-rank p-value")
    return figures.get(f"log-rank {group}: p-value")


def _medians_recorded(figures: dict, group: str) -> str:
    prefix = f"median days, {group}: "
    medians = [
        f"{_median_value(v)} for {_md(k.removeprefix(prefix))}"
        for k, v in figures.items()
        if k.startswith(prefix) and v is not None
    ]
    return f"median active life {listing(medians)}" if medians else ""


def _adjusted_clause(figures: dict, group: str) -> str:
    """When the recorded Cox hazard ratio of the term measuring ``group`` (``survival.GROUP_TERMS``) has
    an interval that includes 1: that the group's log-rank contrast does not hold with the other
    covariates held fixed, and the covariates whose intervals exclude 1; else ``""``."""
    term = GROUP_TERMS.get(group)
    hr = figures.get(f"HR {term}") if term else None
    lower, upper = figures.get(f"HR {term} lower 95%"), figures.get(f"HR {term} upper 95%")
    if _missing(hr) or not includes_one(lower, upper):
        return ""
    group_of = {t: g for g, t in GROUP_TERMS.items()}
    others = [
        _md(group_of.get(key.removeprefix("HR "), key.removeprefix("HR ")))
        for key, value in figures.items()
        if key.startswith("HR ")
        and not key.endswith(("lower 95%", "upper 95%"))
        and key != f"HR {term}"
        and not _missing(value)
        and not includes_one(figures.get(f"{key} lower 95%"), figures.get(f"{key} upper 95%"))
    ]
    text = (
        f"; with the other covariates held fixed in the Cox model it shows no association (hazard ratio "
        f"{_ratio(hr)}, 95% CI {_ratio(lower)} to {_ratio(upper)})"
    )
    if others:
        text += (
            f", while {listing(others)} {'keeps its' if len(others) == 1 else 'keep their'} association there"
        )
    return text


def _warning_clause(figures: dict) -> str:
    value = figures.get("early-warning list: value at risk")
    if _missing(value):
        return ""
    n = figures.get("early-warning list: customers")
    who = f"The {count(n)} customers at the top of the early-warning list" if n else "The early-warning list"
    horizon = figures.get("early-warning horizon (days)")
    within = f"within {count(horizon)} days" if horizon else "within the warning horizon"
    ranked = figures.get("early-warning list: ranked by", "annual spend")
    if ranked == "predicted value":
        valued = _valued_by(
            figures.get("early-warning list: value model"), figures.get("early-warning list: value months")
        )
        return (
            f"{who} hold {money(value, decimals=0)} of the value of {valued}, weighted by their "
            f"probability of churning {within}."
        )
    if ranked == "annual spend":
        return (
            f"{who} hold {money(value, decimals=0)} of past annual spend weighted by their probability of "
            f"churning {within}."
        )
    if ranked == "churn probability":
        return f"Of {who[0].lower()}{who[1:]}, {float(value):,.1f} are expected to churn {within}."
    return (
        f"{who} hold {float(value):,.2f} of '{_md(ranked)}' weighted by their probability of churning "
        f"{within}."
    )


def _landmark_recorded(figures: dict, group: str) -> str:
    """The recorded landmark log-rank test and hazard ratio of ``group`` in words, or ``""``."""
    chi = figures.get(f"landmark log-rank {group}: chi-square")
    days = figures.get("landmark (days)")
    if _missing(chi) or days is None:
        return ""
    p = figures.get(f"landmark log-rank {group}: p-value")
    stat = _statistic(chi, figures.get(f"landmark log-rank {group}: df") or 1, p)
    if figures.get("source") == "duration table":
        how = f"counting churn from day {count(days)} among the customers still active at it"
    else:
        how = (
            f"counting from each customer's last purchase in the first {count(days)} days to the day churn "
            f"becomes visible, with every customer at risk from day {count(days)}"
        )
    text = (
        f"{how} (a landmark analysis, where nothing after day {count(days)} decides who is compared), it "
        f"gives log-rank {stat} ({chance(p)})"
    )
    for key, hr in figures.items():
        if key.startswith(f"landmark HR {group}") and not key.endswith(
            ("lower 95%", "upper 95%", "PH p-value")
        ):
            lower, upper = figures.get(f"{key} lower 95%"), figures.get(f"{key} upper 95%")
            text += f" and a hazard ratio of {_ratio(hr)} (95% CI {_ratio(lower)} to {_ratio(upper)})"
            if includes_one(lower, upper):
                text += ", an interval that includes 1"
            if ph_fails(figures.get(f"{key} PH p-value")):
                text += " (an average over the follow-up: its proportional-hazards check fails)"
    return text + ": the estimate of this association"


TOO_THIN_TO_JUDGE = "too few customers or a single outcome: no judgement of calibration or against a constant"


def judged(customers, churned) -> bool:
    """Whether a backtest can be judged: at least ``survival.MIN_BACKTEST_CUSTOMERS`` customers scored and
    both outcomes observed (with one outcome the constant is perfect and the deciles say nothing)."""
    if _missing(customers) or _missing(churned):
        return False
    return int(customers) >= MIN_BACKTEST_CUSTOMERS and 0 < int(churned) < int(customers)


def calibrated(largest_gap) -> str | None:
    """The words for the largest decile gap of a backtest: "well calibrated" below
    :data:`CALIBRATION_MAX_GAP`, else "not well calibrated"; ``None`` without one."""
    if _missing(largest_gap):
        return None
    return "well calibrated" if float(largest_gap) < CALIBRATION_MAX_GAP else "not well calibrated"


def against_constant(brier_, constant, gain_lower=None) -> str:
    """The words for the Brier score against a constant: with the gain's bootstrap interval
    (``gain_lower``, its lower end), "better than a constant" only when the interval lies above 0, "not
    detectably better than a constant" when the score is lower but the interval reaches 0; without an
    interval, "better than a constant" when strictly lower; "no better than a constant" otherwise."""
    if float(brier_) >= float(constant):
        return "no better than a constant"
    if _missing(gain_lower) or float(gain_lower) > 0:
        return "better than a constant"
    return "not detectably better than a constant"


def against_silence(auc_, auc_silence) -> str | None:
    """The words for the backtest AUC against ranking by days silent alone: "better than days silent
    alone" when it exceeds that AUC by at least :data:`AUC_BASELINE_MARGIN`, else "about as well as days
    silent alone"; ``None`` when either is missing."""
    if _missing(auc_) or _missing(auc_silence):
        return None
    if float(auc_) - float(auc_silence) >= AUC_BASELINE_MARGIN - 1e-9:
        return "better than days silent alone"
    return "about as well as days silent alone"


def backtest_clause(figures: dict) -> str | None:
    """The backtest in one clause from recorded (or table) figures: AUC, Brier against a constant and the
    calibration words; ``None`` without a Brier score."""
    brier_, const = figures.get("backtest Brier"), figures.get("backtest Brier of a constant")
    if _missing(brier_) or _missing(const):
        return None
    text = (
        f"backtested from {figures.get('backtest cutoff')}, the churn probabilities score a Brier of "
        f"{float(brier_):.3f} against {float(const):.3f} for a constant"
    )
    if not judged(figures.get("backtest customers"), figures.get("backtest churned")):
        return text + f" ({TOO_THIN_TO_JUDGE})"
    text += f" ({against_constant(brier_, const, figures.get('backtest Brier gain lower'))})"
    if not _missing(figures.get("backtest AUC")):
        text += f", AUC {float(figures['backtest AUC']):.2f}"
        silence = figures.get("backtest AUC of days silent")
        ranks = against_silence(figures["backtest AUC"], silence)
        if ranks:
            text += f" (ranking {ranks}, whose AUC is {float(silence):.2f})"
    words = calibrated(figures.get("backtest largest decile gap"))
    return text + (f", and are {words} by decile" if words else "")


def backtest_sentence(calibration: pd.DataFrame, scores: pd.DataFrame) -> Text:
    """Would the early-warning list have been right? From ``survival.backtest_warning``: how many scored
    customers, mean predicted against observed churn, AUC, Brier against a constant ("better than a
    constant" when strictly lower) and the calibration words (:func:`calibrated`, the largest decile gap
    against :data:`CALIBRATION_MAX_GAP`); a note when the data are too thin."""
    note = _note_only(scores)
    if note is not None:
        return Text(f"No backtest: {note}.")
    row = scores.iloc[0]
    cutoff, h = scores.index[0], count(row["horizon (days)"])
    notes = _row_notes(scores)
    if not row["customers"]:
        return Text(f"No backtest from {cutoff}: {'; '.join(notes) or 'no customer to score'}.")
    text = (
        f"Recomputed with the purchases up to {cutoff} only, the list's probabilities for the "
        f"{count(row['customers'])} customers who could churn within {h} days averaged "
        f"{row['mean predicted']:.3f}; {count(row['churned'])} of them ({row['observed share']:.3f}) "
        f"did churn in the {h} days after"
    )
    ok = judged(row["customers"], row["churned"])
    if not _missing(row["AUC"]):
        text += (
            f". AUC {row['AUC']:.2f}: a customer who churned had the higher probability in that share of "
            "pairs (a coin toss scores one half)"
        )
        ranks = against_silence(row["AUC"], row.get("AUC of days silent"))
        if ranks and ok:
            text += (
                f"; ranking by days silent alone gives {row['AUC of days silent']:.2f}, so the probabilities "
                f"rank {ranks} (the rule: at least {AUC_BASELINE_MARGIN:.2f} higher)"
            )
    text += (
        f". Brier score {row['Brier']:.3f} against {row['Brier of a constant']:.3f} for the observed share "
        "given to everyone"
    )
    gain_lower = row.get("Brier gain lower")
    if not _missing(row.get("Brier gain")) and not _missing(gain_lower):
        text += (
            f" (a gain of {row['Brier gain']:.4f}, 95% interval {gain_lower:.4f} to "
            f"{row['Brier gain upper']:.4f} over resampled customers)"
        )
    if ok:
        rule = "a gain whose 95% interval lies above 0" if not _missing(gain_lower) else "a lower Brier"
        text += (
            f": {against_constant(row['Brier'], row['Brier of a constant'], gain_lower)} (the rule: {rule})"
        )
    else:
        text += f" ({TOO_THIN_TO_JUDGE})"
    words = calibrated(row["largest decile gap"])
    if words and ok:
        text += (
            f". The largest gap between a decile's observed share and its mean prediction is "
            f"{row['largest decile gap']:.3f}: {words} (the rule: below {CALIBRATION_MAX_GAP:.2f})"
        )
        if calibration is not None and "mean predicted" in calibration and len(calibration):
            lo, hi = calibration["mean predicted"].min(), calibration["mean predicted"].max()
            text += f", over deciles whose mean predictions run from {lo:.2f} to {hi:.2f} only"
    text += "."
    if notes:
        text += f" Note: {'; '.join(notes)}."
    return Text(text)


def answer(figures: dict) -> Text:
    """Notebook 02: the churned share, the clearest log-rank contrast (named beyond chance only by the
    rule :func:`chance`), and the early-warning list's probability-weighted past spend."""
    if figures.get("churned (%)") is None:
        return with_not_run("", figures)
    threshold = figures.get("churn threshold (days)")
    rule = f" (churn: {count(threshold)} days without a purchase)" if threshold is not None else ""
    text = f"{percent(figures['churned (%)'])} of the {count(figures['customers'])} customers churned{rule}."
    strongest = _strongest(figures)
    built = _built_in_recorded(figures)
    among = "Among the groups not built in by their definition, " if built else ""
    if strongest is not None:
        group, words, stat = strongest
        if words in ("beyond chance", "far beyond chance"):
            adjusted = _adjusted_clause(figures, figures["strongest log-rank group"])
            text += " " + _capital(
                f"{among}survival differs most clearly by {group} ({stat}: {words}){adjusted}."
            )
        else:
            text += " " + _capital(
                f"{among}no group difference in survival is beyond chance (the clearest, by {group}: {stat})."
            )
    for raw, group, words, stat in built:
        text += (
            f" The split by {group} gives {stat} ({words}), a difference partly built in by its definition: "
            f"{built_in(raw)}."
        )
        landmark = _landmark_recorded(figures, raw)
        if landmark:
            text += f" {_capital(landmark)}."
    clause = _warning_clause(figures)
    return with_not_run(f"{text} {clause}".strip(), figures)


def _hazards_recorded(figures: dict) -> tuple[list[str], list[str]]:
    """(plain lines, lines with a caveat: a group built in by its definition or a log-rank test that
    disagrees) of the recorded hazard ratios."""
    plain, caveated = [], []
    ties = (figures.get("churned on day 0"), figures.get("churned (events)"))
    for key, hr in figures.items():
        if not key.startswith("HR ") or key.endswith(("lower 95%", "upper 95%")) or _missing(hr):
            continue
        term = key.removeprefix("HR ")
        lower, upper = figures.get(f"{key} lower 95%"), figures.get(f"{key} upper 95%")
        p = _logrank_p_recorded(figures, _group_of(term))
        line = _hazard_line(term, hr, lower, upper, logrank_p=p, ties=ties)
        caveat = built_in(term) or _disagreement(term, lower, upper, p, ties)
        (caveated if caveat else plain).append(line)
    return plain, caveated


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures only."""
    if figures.get("churned (%)") is None:
        missing = [k.removeprefix("not run: ") for k in figures if k.startswith("not run: ")]
        if not missing:
            return Text("- No churn survival figure was recorded for this data.")
        return Text(
            f'- Not run on this data: {", ".join(missing)}. The table under "What can this data carry?" '
            "says what would fix it."
        )
    bullets = []
    transactions = figures.get("source", "transactions") == "transactions"
    day0 = figures.get("active lives ending on day 0 (%)")
    life = []
    if not _missing(day0) and float(day0) > 0:
        lead = "**Most active lives end on the first purchase day.** " if most(day0) and transactions else ""
        life.append(
            f"{lead}{percent(day0)} of the customers did not buy again before churning"
            if transactions
            else f"{percent(day0)} of the customers churned on day 0"
        )
    median = figures.get("median days")
    if median is not None:
        life.append(f"the median active life is {_median_value(median, figures.get('median 95% CI'))}")
        if _point(median) == 0:
            life[-1] += ", which says nothing about how long the others last"
    mean = figures.get("restricted mean active life (days)")
    if not _missing(mean):
        horizon = _days(figures.get("restricted mean horizon (days)"))
        lower, upper = figures.get("restricted mean lower 95%"), figures.get("restricted mean upper 95%")
        life.append(
            f"counted up to {horizon} days, an active life lasts {_days1(mean)} days on average "
            f"(restricted mean, 95% CI {_days1(lower)} to {_days1(upper)})"
        )
    if life:
        bullets.append("; ".join(life))
    strongest = _strongest(figures)
    built = _built_in_recorded(figures)
    among = "among the groups not built in by their definition, " if built else ""
    if strongest is not None:
        group, words, stat = strongest
        if words in ("beyond chance", "far beyond chance"):
            medians = _medians_recorded(figures, figures["strongest log-rank group"])
            text = f"**{_capital(among + 'survival')} differs most clearly by {group}** ({stat}: {words})"
            adjusted = _adjusted_clause(figures, figures["strongest log-rank group"])
            bullets.append(text + (f": {medians}" if medians else "") + adjusted)
        else:
            bullets.append(
                f"**{_capital(among + 'no group')} differs in survival beyond chance** (the clearest, "
                f"{group}: {stat})"
            )
    for raw, group, words, stat in built:
        medians = _medians_recorded(figures, raw)
        landmark = _landmark_recorded(figures, raw)
        bullets.append(
            f"**The split by {group} is partly built in by its definition**: {built_in(raw)}. On the whole "
            f"population it gives {stat} ({words})"
            + (f"; {medians}" if medians else "")
            + (f". {_capital(landmark)}" if landmark else "")
        )
    plain, caveated = _hazards_recorded(figures)
    strata = figures.get("Cox model stratified by")
    within = f" in the Cox model stratified by {_md(strata)}" if strata else " in the Cox model"
    if plain:
        bullets.append(
            f"**With the other covariates held fixed{within}** (associations, not effects of changing "
            f"them): {'; '.join(plain)}"
        )
    lead = "In the same model" if plain else f"With the other covariates held fixed{within}"
    bullets += [f"{lead}, {line}" for line in caveated]
    if not (plain or caveated) and figures.get("hazard ratio note"):
        bullets.append(f"No hazard ratio can be trusted: {figures['hazard ratio note']}")
    ranks = [
        f"{_md(k.removeprefix('concordance: '))} C = {float(v):.3f} ({discrimination(v)})"
        for k, v in figures.items()
        if k.startswith("concordance: ") and not _missing(v)
    ]
    if ranks:
        bullets.append(f"**How well the Cox models rank who churns first** (Harrell's C): {listing(ranks)}")
    follow = figures.get("longest follow-up (days)")
    beyond = [k[2:-3] for k, v in figures.items() if _S_COLUMN.match(k) and v is None]
    beyond_text = f"; survival at {listing(beyond)} days lies beyond it" if beyond else ""
    if transactions and not _missing(follow):
        threshold = count(figures.get("churn threshold (days)"))
        bullets.append(
            f"**Report the threshold with the curve.** With a {threshold}-day churn threshold no active "
            f"life longer than {_days(follow)} days can be observed{beyond_text}. "
            "A shorter threshold leaves more follow-up but counts more gaps as churn"
        )
    elif not _missing(follow):
        bullets.append(f"Durations come from the table; the longest is {_days(follow)} days{beyond_text}")
    clause = _warning_clause(figures)
    if clause:
        ranked = figures.get("early-warning list: ranked by", "annual spend")
        if ranked == "annual spend":
            why = figures.get("early-warning list: no predicted value")
            tail = (
                f". That is past spend, not predicted value ({why}): notebook 04 says which model the data "
                "supports, and notebook 05 tests whether a contact pays"
                if why
                else ". That is past spend, not predicted value: notebook 04 predicts value and notebook 05 "
                "tests whether a contact pays"
            )
        elif ranked == "predicted value":
            tail = (
                ". A prediction, not a promise that a contact keeps them: notebook 04 checks the model "
                "against what customers did, notebook 05 tests whether a contact pays"
            )
        else:
            tail = ""
        bullets.append(f"**Who is about to churn.** {clause[:-1]}{tail}")
    elif figures.get("early-warning list: note"):
        bullets.append(f"No early-warning list: {figures['early-warning list: note']}")
    backtest = backtest_clause(figures)
    if backtest:
        bullets.append(f"**Would the list have been right?** {_capital(backtest)}")
    elif figures.get("backtest note"):
        bullets.append(f"No backtest of the early-warning list: {figures['backtest note']}")
    return Text(_bullets([_capital(b) for b in bullets]))
