"""The sentences of notebook 05 (strategy comparison and campaign tests), each built from the result it
interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named rules: a policy or an arm "makes money" when its incremental profit is above
:data:`PROFIT_FLOOR` (a policy's profit is *expected* under uplifts that are assumptions, an arm's is a
point estimate without an interval, and the sentences say so); a policy's profit is "material" (and the
policy is called the best) only when it is at least :data:`MATERIAL_SHARE_OF_BUDGET` percent of the
targeting budget (:func:`material_profit`); an arm's profit is judged only when the interval of its
revenue difference excludes zero; a difference is "beyond chance" only at a named significance level
``alpha`` (:func:`beyond_chance`, on Holm-adjusted p-values); a segment's response difference is "not
distinguishable from zero" when its interval includes zero; a group holds "most of" the CLV at stake
above :data:`MAJORITY_PCT`. Differences of response rates are in percentage points. A simulated campaign
test is named as such (:data:`SIMULATED`). Where no rule applies a sentence states the number and
stops.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lifecycle_utils._messages import NOTE
from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, listing, money, percent
from lifecycle_utils.narrative.words import missing as _missing

__all__ = [
    "PROFIT_FLOOR",
    "MATERIAL_SHARE_OF_BUDGET",
    "ALPHA",
    "MAJORITY_PCT",
    "ASSUMED",
    "SIMULATED",
    "makes_money",
    "material_profit",
    "beyond_chance",
    "model_sentence",
    "matrix_sentence",
    "policies_sentence",
    "sensitivity_sentence",
    "arms_sentence",
    "comparison_sentence",
    "truth_sentence",
    "heterogeneity_sentence",
    "profit_sentence",
    "plan_sentence",
    "answer",
    "what_this_means",
]

# a policy or an arm "makes money" when its incremental profit (currency of the data) is strictly above
# this, and "loses money" when it is below; at exactly this it breaks even
PROFIT_FLOOR = 0.0
# a policy's expected profit is "material" (worth calling the best policy) when it is at least this share
# of the targeting budget (%); below it the sentences give the number and call no policy the best
MATERIAL_SHARE_OF_BUDGET = 1.0
# the significance level a sentence reads p-values at when the notebook passes none: a difference is
# "beyond chance at alpha" when its (Holm-adjusted) p-value is strictly below it
ALPHA = 0.05
# a group of the strategy matrix holds "most of" the CLV at stake when its share is strictly above this (%)
MAJORITY_PCT = 50.0
# how every targeting sentence qualifies its figures: the uplifts are parameters, not measurements
ASSUMED = "under the assumed uplifts (parameters of this notebook, not measured)"
_ASSUMED_LEAD = ASSUMED[0].upper() + ASSUMED[1:]
# how the sentences about the campaign test open when it is the simulated one (the same for every data set)
SIMULATED = "In the simulated campaign test (not this data's customers)"


def makes_money(profit) -> bool | None:
    """True above :data:`PROFIT_FLOOR`, False at or below it, None for a missing profit."""
    return None if _missing(profit) else float(profit) > PROFIT_FLOOR


def material_profit(profit, budget) -> bool | None:
    """True when ``profit`` is above :data:`PROFIT_FLOOR` and at least :data:`MATERIAL_SHARE_OF_BUDGET`
    percent of ``budget``, False otherwise, None for a missing profit; without a budget, as
    :func:`makes_money`."""
    if _missing(profit):
        return None
    if _missing(budget):
        return makes_money(profit)
    return makes_money(profit) and float(profit) >= MATERIAL_SHARE_OF_BUDGET / 100 * float(budget)


def _floor_words(budget) -> str:
    return f"the materiality floor of {MATERIAL_SHARE_OF_BUDGET:g}% of the {money(budget, decimals=0)} budget"


def _loses(profit) -> bool:
    return not _missing(profit) and float(profit) < PROFIT_FLOOR


def beyond_chance(p_value, alpha: float = ALPHA) -> bool | None:
    """True when ``p_value`` is strictly below ``alpha``, False at or above it, None when it is missing."""
    return None if _missing(p_value) else float(p_value) < alpha


def _p(p_value) -> str:
    """A p-value as written in a sentence: ``p = 0.023``, ``p < 0.001``, ``p n/a``."""
    if _missing(p_value):
        return "p n/a"
    return "p < 0.001" if float(p_value) < 0.001 else f"p = {float(p_value):.3f}"


def _alpha(alpha: float) -> str:
    return f"α = {alpha:g}"


def _quoted(names) -> str:
    return listing([f"'{n}'" for n in names])


def _is(names) -> str:
    return "is" if len(names) == 1 else "are"


def _share(probability) -> str:
    """A probability (or a difference of two) as a percentage of customers: 0.0168 -> ``1.7%``."""
    # rounded to 3 decimals first, as the tables show it, so the sentence and the table agree
    # (+ 0.0 turns a rounded -0.0 into 0.0)
    return percent(None if _missing(probability) else 100 * round(float(probability), 3) + 0.0)


def _points(diff) -> str:
    """A difference of two probabilities in percentage points, as the tables round it: 0.0168 -> ``1.7``."""
    return "n/a" if _missing(diff) else f"{100 * round(float(diff), 3) + 0.0:.1f}"


def _includes_zero(low, high) -> bool:
    return not _missing(low) and not _missing(high) and float(low) <= 0 <= float(high)


def _level(alpha: float) -> str:
    """The interval level of a significance level: 0.05 -> ``95%``."""
    return f"{round(100 * (1 - float(alpha)), 4):g}%"


def _contacts(n) -> str:
    return f"{count(n)} contact{'' if not _missing(n) and int(n) == 1 else 's'}"


def _signed_money(x) -> str:
    return money(x) if _missing(x) or float(x) < 0 else f"+{money(x)}"


def _empty(frame, column: str) -> bool:
    return frame is None or len(frame) == 0 or column not in frame or frame[column].isna().all()


def _note_only(frame) -> str | None:
    """The note of a one-row result that carries only a note (an analysis that could not be done)."""
    if frame is not None and NOTE in getattr(frame, "columns", []) and len(frame.columns) == 1:
        return str(frame[NOTE].iloc[0])
    return None


def model_sentence(model: str, origin: str, label: str) -> Text:
    """Which transaction model values the customers, from ``clv.model_to_use``'s ``(model, origin)``."""
    if origin == "parameter":
        return Text(f"Customers are valued with {model}, as the CLV_MODEL parameter sets.")
    if origin == "notebook 04":
        return Text(
            f"Customers are valued with {model}, the model notebook 04 chose for {label} on its holdout "
            "check."
        )
    return Text(
        f"Notebook 04 has recorded no model choice for {label} (not run on this data, or no model fitted "
        f"cleanly), so {model}, the default, is used; its fit is checked below."
    )


# ------------------------------------------------------------------------------------- the matrix
def matrix_sentence(
    matrix: pd.DataFrame | None,
    *,
    by: str = "stage",
    months: float | None = None,
    margin: float | None = None,
) -> Text:
    """Where the CLV at stake and at risk sit (from ``strategy.strategy_matrix``, grouped ``by``
    ``"stage"`` or ``"value_class"``): the group with the most CLV at stake ("most of" it above
    :data:`MAJORITY_PCT`) and its mean churn probability, the group with the most CLV at risk, and the
    largest group. ``months`` and ``margin`` (a share) name the CLV's horizon and margin."""
    what = {"stage": "lifecycle stage", "value_class": "value class"}.get(by, by)
    if _empty(matrix, "customers") or matrix["customers"].sum() == 0:
        return Text(f"No customers to place by {what}.")
    if _empty(matrix, "CLV at stake"):
        return Text(f"By {what}: the CLV at stake was not estimated.")
    stake = matrix["CLV at stake"].fillna(0)
    if stake.max() <= 0:
        return Text(f"By {what}, no group holds any CLV at stake.")
    top = stake.idxmax()
    share = 100 * stake[top] / stake[stake > 0].sum()
    lead = "all of" if share >= 100 else "most of" if share > MAJORITY_PCT else "the largest part of"
    basis = []
    if not _missing(months):
        basis.append(f"{float(months):g}-month CLV")
    if not _missing(margin):
        basis.append(f"{'' if basis else 'CLV '}at a {round(100 * float(margin), 2):g}% margin")
    basis = f"{' '.join(basis)}: " if basis else ""
    text = f"By {what}, {top} customers hold {lead} the CLV at stake ({basis}{money(stake[top], decimals=0)}"
    churn = matrix.loc[top, "mean churn probability"] if "mean churn probability" in matrix else None
    text += ")" if _missing(churn) else f"; mean churn probability {_share(churn)})"
    if len(matrix) > 1:
        if not _empty(matrix, "CLV at risk") and matrix["CLV at risk"].max() > 0:
            risk = matrix["CLV at risk"].idxmax()
            held = money(matrix.loc[risk, "CLV at risk"], decimals=0)
            who = "they also hold" if risk == top else f"{risk} customers hold"
            text += f"; {who} the most CLV at risk ({held})"
        largest = matrix["customers"].idxmax()
        text += f"; the largest group is {largest} ({count(matrix.loc[largest, 'customers'])} customers)"
    return Text(text + ".")


# ---------------------------------------------------------------------------- targeting policies
def _spending(policies: pd.DataFrame) -> str:
    """What each policy spends, policies with the same spend and contacts named together, largest first."""
    groups: dict[tuple[float, int], list] = {}
    for name, row in policies.iterrows():
        if _missing(row["cost"]) or _missing(row["contacted"]):
            continue
        groups.setdefault((float(row["cost"]), int(row["contacted"])), []).append(name)
    return "; ".join(
        f"{money(cost)}{' each' if len(names) > 1 else ''} on {_contacts(n)} ({_quoted(names)})"
        for (cost, n), names in sorted(groups.items(), key=lambda kv: -kv[0][0])
    )


def policies_sentence(policies: pd.DataFrame | None, *, budget: float | None = None) -> Text:
    """What each targeting policy spends of ``budget`` and which make money :data:`ASSUMED` (from
    ``strategy.compare_policies``): those above :data:`PROFIT_FLOOR`, the highest profit - called the
    best only when it is material (:func:`material_profit`) - and the lowest (ties named together), and at
    what share of the assumed uplifts the best policy's contacts break even."""
    if _empty(policies, "incremental profit"):
        return Text("No targeting policy was compared.")
    profit = policies["incremental profit"].dropna()
    best_value, worst_value = profit.max(), profit.min()
    best = list(profit.index[profit == best_value])
    worst = list(profit.index[profit == worst_value])
    paying = [p for p in profit.index if makes_money(profit[p])]
    row = policies.loc[best[0]]
    roi = f"ROI {float(row['ROI']):.2f}" if "ROI" in row and not _missing(row["ROI"]) else None
    detail = ", ".join([_quoted(best), *([roi] if roi else [])])
    floor = "" if _missing(budget) else f", at least {_floor_words(budget)}"
    if not paying:
        judged = (
            f"no policy is expected to make money; the smallest expected loss is {money(-best_value)} "
            f"({_quoted(best)})"
        )
    elif not material_profit(best_value, budget):
        judged = (
            f"the highest expected profit, {money(best_value)} ({detail}), is below {_floor_words(budget)}: "
            "no policy is expected to make a material profit"
        )
    elif len(paying) == 1:
        judged = f"only {_quoted(paying)} is expected to make money: {money(best_value)}"
        judged += f" ({roi}){floor}" if roi else floor
    else:
        which = "every policy is" if len(paying) == len(profit) else f"{_quoted(paying)} are"
        judged = (
            f"{which} expected to make money; the highest expected profit is {money(best_value)} ({detail})"
        )
        judged += floor
    if "cost" in policies and "contacted" in policies:
        with_budget = "" if _missing(budget) else f" with a budget of {money(budget, decimals=0)}"
        text = (
            f"{_ASSUMED_LEAD},{with_budget} the policies spend {_spending(policies)}. "
            f"{judged[0].upper()}{judged[1:]}"
        )
    else:
        text = f"{_ASSUMED_LEAD}, {judged}"
    factor = row.get("break-even uplift factor")
    if paying and not _missing(factor) and math.isfinite(float(factor)) and float(factor) < 1:
        text += (
            f". The customers {'it contacts' if len(best) == 1 else 'they contact'} would still break "
            f"even at {percent(100 * float(factor), 0)} of the assumed uplifts"
        )
    if len(profit) > 1 and worst_value < best_value:
        shared = "shared by " if len(worst) > 1 else ""
        text += f". The lowest expected profit is {money(worst_value)} ({shared}{_quoted(worst)})"
    return Text(text + ".")


def sensitivity_sentence(sensitivity: pd.DataFrame | None, policies: pd.DataFrame | None) -> Text:
    """What each policy's contacts earn if the true uplifts differ from those assumed
    (``strategy.uplift_sensitivity``, rows ``uplift factor``; the contacts stay those chosen under the
    assumed uplifts): which policies never lose money over the factors tried, below what share of the
    assumed uplifts the policies that make money at them lose money, and how far the uplifts would have
    to rise for the policies that lose money to break even (the ``break-even uplift factor`` of
    ``strategy.compare_policies``)."""
    if sensitivity is None or sensitivity.empty or sensitivity.isna().all().all():
        return Text("The uplift sensitivity was not computed.")
    lo, hi = float(sensitivity.index.min()), float(sensitivity.index.max())
    safe = [p for p in sensitivity.columns if not any(_loses(v) for v in sensitivity[p])]
    span = (
        "Keeping the customers each policy contacts under the assumed uplifts, and scoring them at true "
        f"uplifts from {lo:g} to {hi:g} times those assumed"
    )
    if safe:
        text = f"{span}, {_quoted(safe)} never {'loses' if len(safe) == 1 else 'lose'} money"
    else:
        text = f"{span}, every policy loses money at some of these uplifts"
    if not _empty(policies, "incremental profit") and "break-even uplift factor" in policies:
        factors = policies["break-even uplift factor"].astype(float)
        finite_factor = np.isfinite(factors.to_numpy(float))
        gains = np.array([bool(makes_money(v)) for v in policies["incremental profit"]], dtype=bool)
        losses = np.array([_loses(v) for v in policies["incremental profit"]], dtype=bool)
        gaining = factors[gains & finite_factor]
        if len(gaining) == 1:
            text += (
                f"; {_quoted(gaining.index)}, which makes money at the assumed uplifts, loses money if the "
                f"true uplifts are below {percent(100 * float(gaining.iloc[0]), 0)} of them"
            )
        elif len(gaining) > 1:
            text += (
                f"; the {len(gaining)} policies that make money at the assumed uplifts lose money if the "
                f"true uplifts are below {percent(100 * gaining.min(), 0)} to "
                f"{percent(100 * gaining.max(), 0)} of them"
            )
        finite = factors[losses & finite_factor]
        if len(finite) == 1:
            text += (
                f"; {_quoted(finite.index)}, which loses money at the assumed uplifts, would need "
                f"{float(finite.iloc[0]):.1f} times them to break even"
            )
        elif len(finite) > 1:
            text += (
                f"; the {len(finite)} policies that lose money at the assumed uplifts would need "
                f"{finite.min():.1f} to {finite.max():.1f} times them to break even"
            )
        never = list(factors.index[losses & ~finite_factor])
        if never:
            text += f"; {_quoted(never)} {_is(never)} expected to save nothing at any uplift"
    return Text(text + ".")


# ------------------------------------------------------------------------------- the campaign test
def _lead(plain: str, simulated: bool) -> str:
    """A test sentence's opening: ``plain`` as is, or after :data:`SIMULATED` for the simulated test."""
    return f"{SIMULATED}, {plain[0].lower()}{plain[1:]}" if simulated else plain


def arms_sentence(summary: pd.DataFrame | None, *, alpha: float = ALPHA, simulated: bool = False) -> Text:
    """Response and revenue per customer by arm (from ``strategy.arm_summary``), with the response
    intervals at the ``1 - alpha`` level; ``simulated`` says the test is the simulated one."""
    if _empty(summary, "customers"):
        return Text("No arm to summarise.")
    parts = []
    for arm, row in summary.iterrows():
        part = (
            f"{arm} {_share(row['response rate'])} ({count(row['conversions'])} of {count(row['customers'])}"
        )
        if not _missing(row.get("rate lower")):
            part += f"; interval {_share(row['rate lower'])} to {_share(row['rate upper'])}"
        parts.append(part + ")")
    text = f"{_lead('Response by arm', simulated)} ({_level(alpha)} intervals): {listing(parts)}."
    if not _empty(summary, "revenue per customer"):
        revenue = [
            f"{arm} {money(v)}" for arm, v in summary["revenue per customer"].items() if not _missing(v)
        ]
        text += f" Revenue per customer: {listing(revenue)}."
    else:
        text += " Revenue per customer was not measured (no revenue column)."
    return Text(text)


def _direction(diff) -> str:
    if diff > 0:
        return f"higher by {_points(diff)} percentage points"
    if diff < 0:
        return f"lower by {_points(-diff)} percentage points"
    return "the same"


def comparison_sentence(
    comparison: pd.DataFrame | None, *, alpha: float = ALPHA, simulated: bool = False
) -> Text:
    """Each arm against the control (from ``strategy.compare_arms`` at the same ``alpha``): the response
    difference in percentage points with its interval and Holm-adjusted p-value, which response
    differences are beyond chance at ``alpha`` (:func:`beyond_chance`), and the revenue difference with
    its (unadjusted) interval and whether that interval excludes zero."""
    if _empty(comparison, "rate difference"):
        return Text("No arm was compared with the control.")
    k = len(comparison)
    parts, beyond, within = [], [], []
    for arm, row in comparison.iterrows():
        part = f"{arm}'s response rate is {_direction(row['rate difference'])}"
        if not _missing(row.get("difference lower")):
            part += (
                f" (interval {_points(row['difference lower'])} to {_points(row['difference upper'])} "
                "points; "
                f"Holm-adjusted {_p(row['p-value (Holm)'])})"
            )
        parts.append(part)
        verdict = beyond_chance(row["p-value (Holm)"], alpha)
        (beyond if verdict else within).append(arm)
    text = (
        f"{_lead('Against the control', simulated)}, with p-values adjusted for {count(k)} "
        f"comparison{'s' if k > 1 else ''} (Holm): {'; '.join(parts)}. "
    )
    if k == 1:
        text += f"At {_alpha(alpha)} the response difference is {'' if beyond else 'not '}beyond chance."
    elif not within:
        every = "both response differences are" if k == 2 else "every response difference is"
        text += f"At {_alpha(alpha)} {every} beyond chance."
    elif not beyond:
        text += f"At {_alpha(alpha)} none of these response differences is beyond chance."
    else:
        text += (
            f"At {_alpha(alpha)} the response difference is beyond chance for {listing(beyond)}, not for "
            f"{listing(within)}."
        )
    if _empty(comparison, "revenue difference") or _empty(comparison, "revenue lower"):
        return Text(text + " Revenue differences were not estimated (see the note).")
    revenue = []
    for arm, row in comparison.iterrows():
        lo, hi = row["revenue lower"], row["revenue upper"]
        part = f"{_signed_money(row['revenue difference'])} for {arm}"
        if not _missing(lo):
            side = "excludes" if lo > 0 or hi < 0 else "includes"
            part += f" (interval {money(lo)} to {money(hi)}, which {side} zero)"
        revenue.append(part)
    return Text(
        text + f" Revenue per customer against the control (unadjusted intervals): {listing(revenue)}."
    )


def truth_sentence(check: pd.DataFrame | None) -> Text:
    """Whether the intervals cover the true differences of a simulated test (from
    ``strategy.truth_vs_estimate``); for a real campaign table, that the truth is unknown."""
    if check is None or len(check) == 0:
        return Text("There is no known truth to compare with.")
    if "interval covers truth" not in check:
        return Text(
            "This is a real campaign table: the true effects are unknown, so nothing checks the intervals."
        )
    covered = check["interval covers truth"].astype(bool)
    truths = listing([f"{arm} {_points(v)}" for arm, v in check["true difference"].items()])
    how_many = "every arm" if covered.all() else f"{count(covered.sum())} of {count(len(covered))} arms"
    return Text(
        f"The intervals cover the true difference set in the simulation for {how_many} (true differences "
        f"in response: {truths} percentage points). This is one simulated draw; the package's tests check "
        "the coverage over many seeds."
    )


def _segment_difference(segment, row) -> str:
    """A segment's response difference in points with its interval, "not distinguishable from zero" when
    the interval includes zero."""
    text = f"{_points(row['risk difference'])} ({segment}"
    if not _missing(row.get("lower")) and not _missing(row.get("upper")):
        text += f"; interval {_points(row['lower'])} to {_points(row['upper'])}"
        if _includes_zero(row["lower"], row["upper"]):
            text += ", not distinguishable from zero"
    return text + ")"


def heterogeneity_sentence(
    per_segment: pd.DataFrame | None,
    interaction: pd.Series | None,
    *,
    alpha: float = ALPHA,
    simulated: bool = False,
) -> Text:
    """Whether the effect differs by segment (from ``strategy.heterogeneity``): the interaction test
    read at ``alpha`` (:func:`beyond_chance`), or why it could not be done, then each arm's per-segment
    response differences in percentage points from lowest to highest, with their intervals ("not
    distinguishable from zero" when an interval includes zero)."""
    if interaction is None or len(interaction) == 0:
        return Text("The effect by segment was not tested.")
    p = interaction.get("p-value")
    note = interaction.get(NOTE)
    if _missing(p):
        why = f": {note}" if isinstance(note, str) and note else ""
        text = f"{_lead('The arm x segment interaction could not be tested', simulated)}{why}."
    else:
        chi, df = interaction.get("likelihood-ratio chi-square"), interaction.get("df")
        text = (
            f"{_lead('The arm x segment interaction test gives', simulated)} {_p(p)} (likelihood-ratio "
            f"chi-square {float(chi):.2f} on {count(df)} df), "
        )
        text += (
            f"below {_alpha(alpha)}: the effect differs between segments beyond chance at that level."
            if beyond_chance(p, alpha)
            else f"not below {_alpha(alpha)}: no difference between segments beyond chance at that level."
        )
        if isinstance(note, str) and note:
            text += " Read it with the note in the table."
    if _empty(per_segment, "risk difference"):
        return Text(text)
    ranges = []
    for arm in pd.unique(per_segment.index.get_level_values("arm")):
        rows = per_segment.xs(arm, level="arm")
        diffs = rows["risk difference"].dropna().astype(float)
        if diffs.empty:
            continue
        low, high = diffs.idxmin(), diffs.idxmax()
        if len(diffs) == 1 or low == high:
            ranges.append(f"{arm} {_segment_difference(low, rows.loc[low])}")
        else:
            ranges.append(
                f"{arm} from {_segment_difference(low, rows.loc[low])} to "
                f"{_segment_difference(high, rows.loc[high])}"
            )
    if ranges:
        text += (
            " Response differences against the control by segment, in percentage points: "
            f"{'; '.join(ranges)}."
        )
    return Text(text)


def profit_sentence(
    profit: pd.DataFrame | None, *, segment: str | None = None, simulated: bool = False
) -> Text:
    """Net incremental profit per 1,000 customers by arm (from ``strategy.incremental_profit`` or
    ``strategy.segment_profit``, the control first): point estimates; for an arm whose revenue difference
    has an interval that includes zero, that the test cannot tell whether it pays; for the others, which
    make or lose money on the point estimates (:func:`makes_money`); and the break-even incentive per
    conversion of incentive arms."""
    note = _note_only(profit)
    if note is not None:
        return Text(note[0].upper() + note[1:] + ".")
    if profit is None or len(profit) < 2 or "net per 1,000 customers" not in profit:
        return Text("No profit was computed.")
    others = profit.iloc[1:]
    net = others["net per 1,000 customers"]
    where = _lead(f"On {segment} customers" if segment else "Against the control", simulated)
    if net.isna().all():
        return Text(f"{where}, the profit needs revenue, which this test does not have (see the note).")
    figures = listing([f"{money(v)} for {arm}" for arm, v in net.items() if not _missing(v)])
    text = (
        f"{where}, the net incremental profit per 1,000 customers is {figures}: point estimates, with no "
        "interval, so the test does not show whether they differ from zero beyond chance."
    )
    unclear = []
    if "revenue lower" in others and "revenue upper" in others:
        unclear = [
            arm
            for arm, row in others.iterrows()
            if _includes_zero(row["revenue lower"], row["revenue upper"])
        ]
    if unclear:
        bounds = listing(
            [
                f"{money(others.loc[a, 'revenue lower'])} to {money(others.loc[a, 'revenue upper'])}"
                + ("" if len(unclear) == 1 else f" for {a}")
                for a in unclear
            ]
        )
        whose = (
            "its revenue difference per customer against the control has an interval"
            if len(unclear) == 1
            else "their revenue differences per customer against the control have intervals"
        )
        text += (
            f" The test cannot tell whether {listing(unclear)} {'pays' if len(unclear) == 1 else 'pay'}: "
            f"{whose} of {bounds}, which include{'s' if len(unclear) == 1 else ''} zero."
        )
    judged = {arm: v for arm, v in net.items() if arm not in unclear}
    gain = [arm for arm, v in judged.items() if makes_money(v)]
    loss = [arm for arm, v in judged.items() if _loses(v)]
    said = []
    if gain:
        said.append(f"{listing(gain)} {'makes' if len(gain) == 1 else 'make'} money")
    if loss:
        said.append(f"{listing(loss)} {'loses' if len(loss) == 1 else 'lose'} money")
    if said:
        text += f" On these estimates {' and '.join(said)}."
    if "break-even incentive per conversion" in others:
        even = others["break-even incentive per conversion"].dropna()
        if len(even):
            text += " Break-even incentive per conversion: " + listing(
                [f"{money(v)} for {arm}" for arm, v in even.items()]
            )
            text += "."
    return Text(text)


def plan_sentence(plan: pd.Series | None) -> Text:
    """The size of the next test (from ``strategy.plan_test``): customers per arm for one comparison
    of an arm with the control."""
    if plan is None or len(plan) == 0 or _missing(plan.get("customers per arm")):
        return Text("The next test was not sized.")
    return Text(
        f"To detect a lift of {_points(plan['lift'])} percentage points over a "
        f"{_share(plan['control rate'])} response rate with {percent(100 * float(plan['power']), 0)} "
        "power (two-sided, "
        f"{_alpha(float(plan['alpha']))}), each arm needs {count(plan['customers per arm'])} customers. "
        "That is for one comparison with the control: comparing several arms with a multiple-testing "
        "adjustment needs more."
    )


# ------------------------------------------------------------------------------ Answer and closing
def _test_name(figures: dict) -> str:
    return SIMULATED if figures.get("campaign test simulated") else "In the campaign test"


def answer(figures: dict) -> Text:
    """Notebook 05: the targeting policy with the highest profit under the assumed uplifts (called the
    best only when its profit is material, :func:`material_profit`), the arm with the highest net profit
    in the test (named simulated when it is), and the size of the next test."""
    parts = []
    best, profit = figures.get("best targeting policy"), figures.get("its incremental profit")
    budget, cost = figures.get("targeting budget"), figures.get("its cost")
    if best and not _missing(profit):
        if material_profit(profit, budget):
            spend = (
                ""
                if _missing(cost) or _missing(budget)
                else (f", spending {money(cost)} of the {money(budget, decimals=0)} budget")
            )
            parts.append(
                f"Under the assumed uplifts, '{best}' is the targeting policy with the highest incremental "
                f"profit ({money(profit)}{spend})."
            )
        elif makes_money(profit):
            n = figures.get("its customers contacted")
            parts.append(
                "Under the assumed uplifts no targeting policy is expected to make a material profit: the "
                f"highest, '{best}', is {money(profit)}{'' if _missing(n) else f' from {_contacts(n)}'}, "
                f"below {_floor_words(budget)}."
            )
        else:
            parts.append(
                "Under the assumed uplifts no targeting policy makes a profit; the smallest loss is "
                f"'{best}' ({money(profit)})."
            )
    arm_profit = figures.get("its net profit per 1,000 customers")
    arm = figures.get("most profitable arm")
    if arm and arm_profit is not None:
        if arm_profit > 0:
            text = (
                f"{_test_name(figures)}, '{arm}' has the highest net profit per 1,000 customers "
                f"({money(arm_profit)}, a point estimate)"
            )
            if figures.get("its revenue interval includes zero"):
                text += (
                    ", but the test cannot tell whether it pays: the interval of its revenue difference "
                    "includes zero"
                )
            parts.append(text + ".")
        else:
            parts.append(
                f"{_test_name(figures)}, no arm makes a net profit; the smallest loss per 1,000 customers is "
                f"'{arm}' ({money(arm_profit)})."
            )
    if "customers per arm for the planned test" in figures:
        parts.append(
            f"The next test needs {count(figures['customers per arm for the planned test'])} customers per "
            "arm for each comparison with the control."
        )
    return with_not_run(" ".join(parts), figures)


def _random_part(figures: dict) -> str:
    random = figures.get("random targeting profit")
    if _missing(random):
        return ""
    spent, n = figures.get("random targeting cost"), figures.get("random targeting contacts")
    if _missing(spent):
        return f"; random targeting: {money(random)}"
    if spent == figures.get("its cost"):
        return f"; random targeting with the same spend: {money(random)}"
    contacts = "" if _missing(n) else f" on {_contacts(n)}"
    return f"; random targeting, spending {money(spent)}{contacts}: {money(random)}"


def _targeting_bullet(figures: dict) -> str | None:
    best, profit = figures.get("best targeting policy"), figures.get("its incremental profit")
    if not best or _missing(profit):
        return None
    budget, cost, n = (
        figures.get("targeting budget"),
        figures.get("its cost"),
        figures.get("its customers contacted"),
    )
    random_part = _random_part(figures)
    spend = "" if _missing(n) else f" from {_contacts(n)}"
    spend += "" if _missing(cost) else f" costing {money(cost)}"
    if not makes_money(profit):
        return (
            f"**Targeting.** {_ASSUMED_LEAD}, no targeting policy is expected to make "
            f"money; the smallest expected loss is '{best}' ({money(profit)}){random_part}. Contacting "
            "customers pays only if the true uplifts are higher: the test below measures one."
        )
    if not material_profit(profit, budget):
        return (
            f"**Targeting.** {_ASSUMED_LEAD}, no policy is expected to make a material profit: the highest "
            f"expected profit is {money(profit)} ('{best}'{',' if spend else ''}{spend}), below "
            f"{_floor_words(budget)}{random_part}."
        )
    text = f"**Targeting.** {_ASSUMED_LEAD}, '{best}' has the highest expected profit ({money(profit)}{spend}"
    if not _missing(figures.get("its ROI")):
        text += f", ROI {float(figures['its ROI']):.2f}"
    text += ")"
    if not _missing(budget):
        text += f", at least {_floor_words(budget)}"
    text += f"{random_part}."
    factor = figures.get("its break-even uplift factor")
    if not _missing(factor) and float(factor) < 1:
        text += (
            f" Its contacts still break even if the true uplifts are {percent(100 * float(factor), 0)} of "
            "those assumed; the uplifts themselves are what a test measures."
        )
    return text


def _test_bullet(figures: dict) -> str | None:
    lifts = {
        k.removesuffix(": response lift (points)"): v
        for k, v in figures.items()
        if k.endswith(": response lift (points)")
    }
    if not lifts:
        return None
    alpha = figures.get("significance level (alpha)", ALPHA)
    parts, beyond = [], []
    for arm, lift in lifts.items():
        p = figures.get(f"{arm}: p-value (Holm)")
        parts.append(f"{arm} {'+' if lift > 0 else ''}{lift:.2f} percentage points (Holm-adjusted {_p(p)})")
        if beyond_chance(p, alpha):
            beyond.append(arm)
    lead = _lead("Response against the control", bool(figures.get("campaign test simulated")))
    text = f"**The campaign test.** {lead}: {listing(parts)}. "
    if len(lifts) == 1:
        text += f"At {_alpha(alpha)} the response difference is {'' if beyond else 'not '}beyond chance."
    elif len(beyond) == len(lifts):
        every = "both response differences are" if len(lifts) == 2 else "every response difference is"
        text += f"At {_alpha(alpha)} {every} beyond chance."
    elif beyond:
        text += f"At {_alpha(alpha)} the response difference is beyond chance for {listing(beyond)} only."
    else:
        text += f"At {_alpha(alpha)} no response difference is beyond chance."
    covered = figures.get("intervals covering the simulated truth")
    if covered:
        text += f" The test is simulated: its intervals cover the true differences for {covered} arms."
    return text


def _profit_bullet(figures: dict) -> str | None:
    if "most profitable arm" not in figures:
        return None
    arm, net = figures.get("most profitable arm"), figures.get("its net profit per 1,000 customers")
    if not arm or _missing(net):
        return "**Profit in the test.** Not computed: the campaign table has no revenue."
    simulated = bool(figures.get("campaign test simulated"))
    if makes_money(net):
        text = (
            f"**Profit in the test.** {_lead(f'{arm!r} has', simulated)} the highest net profit per 1,000 "
            f"customers ({money(net)}), a point estimate without an interval"
        )
        text += (
            ", and the interval of its revenue difference per customer includes zero: the test cannot tell "
            "whether it pays."
            if figures.get("its revenue interval includes zero")
            else ": the test does not show that it makes money beyond chance."
        )
    else:
        text = (
            f"**Profit in the test.** {_lead('No arm makes money', simulated)} on the point estimates; the "
            f"smallest loss per 1,000 customers is '{arm}' ({money(net)})."
        )
    even = {
        k.removesuffix(": break-even incentive per conversion"): v
        for k, v in figures.items()
        if k.endswith(": break-even incentive per conversion")
    }
    if even:
        text += (
            " "
            + listing(
                [
                    f"'{a}' would break even at an incentive of {money(v)} per conversion"
                    for a, v in even.items()
                ]
            )
            + "."
        )
    return text


def _plan_bullet(figures: dict) -> str | None:
    n = figures.get("customers per arm for the planned test")
    if _missing(n):
        return None
    text = f"**The next test.** Each arm needs {count(n)} customers"
    if all(
        not _missing(figures.get(k))
        for k in (
            "planned lift (points)",
            "planned control rate (%)",
            "planned power (%)",
            "planned test alpha",
        )
    ):
        text += (
            f" to detect a lift of {figures['planned lift (points)']:g} percentage points over a "
            f"{percent(figures['planned control rate (%)'])} response rate with "
            f"{percent(figures['planned power (%)'], 0)} power ({_alpha(figures['planned test alpha'])}, "
            "two-sided)"
        )
    return (
        text
        + ", for one comparison with the control; more arms under a multiple-testing adjustment need more."
    )


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures only: targeting under the assumed uplifts, the
    test's response differences read at the recorded alpha, its profit as point estimates, and the size
    of the next test. Parts the data could not carry are left out (the Answer says what was not run)."""
    bullets = [
        b
        for b in (
            _targeting_bullet(figures),
            _test_bullet(figures),
            _profit_bullet(figures),
            _plan_bullet(figures),
        )
        if b
    ]
    if not bullets:
        return Text("- Nothing was estimated on this data.")
    return Text("\n".join(f"- {b}" for b in bullets))
