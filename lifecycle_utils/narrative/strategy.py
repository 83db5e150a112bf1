"""The sentences of notebook 05 (strategy comparison and campaign tests), each built from the result it
interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named rules:

* a play (a contact list or a test arm) is **established** to make money only when the whole interval
  of its incremental profit lies above :data:`PROFIT_FLOOR`, and to lose money only when the whole
  interval lies below it (:func:`established`); otherwise the test cannot tell whether it pays, and the
  sentences give the share of resamples with a loss;
* a point estimate "makes money" above :data:`PROFIT_FLOOR` (:func:`makes_money`), and a contact list's
  profit is "material" only when it is at least :data:`MATERIAL_SHARE_OF_BUDGET` percent of the
  targeting budget (:func:`material_profit`);
* a response difference is "beyond chance" only at a named significance level ``alpha``
  (:func:`beyond_chance`, on Holm-adjusted p-values); an uplift or a segment's difference is "not
  distinguishable from zero" when its interval includes zero;
* a group holds "most of" the CLV at stake above :data:`MAJORITY_PCT`.

Contact lists are ranked with uplifts that are assumptions (:data:`ASSUMED`) and scored on the uplift a
randomized test measured; a simulated test is named as such (:data:`SIMULATED`). Causal words ("raised",
"makes money") are used only of the randomized test and of what is scored on it. Differences of
response rates are in percentage points. Where no rule applies a sentence states the number and stops.
"""

from __future__ import annotations

import math

import pandas as pd

from lifecycle_utils._messages import NOTE
from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import MONEY_CENTS_BELOW, Text, count, listing, money, p_value, percent
from lifecycle_utils.narrative.words import missing as _missing

__all__ = [
    "PROFIT_FLOOR",
    "MATERIAL_SHARE_OF_BUDGET",
    "ALPHA",
    "MAJORITY_PCT",
    "ASSUMED",
    "SIMULATED",
    "ESTABLISHED_RULE",
    "makes_money",
    "material_profit",
    "established",
    "beyond_chance",
    "model_sentence",
    "matrix_sentence",
    "plays_sentence",
    "uplift_sentence",
    "stage_uplift_sentence",
    "policies_sentence",
    "arms_sentence",
    "comparison_sentence",
    "truth_sentence",
    "heterogeneity_sentence",
    "profit_sentence",
    "plan_sentence",
    "answer",
    "what_this_means",
]

# a play "makes money" when its incremental profit (currency of the data) is strictly above this, and
# "loses money" when it is below; at exactly this it breaks even. The same floor decides whether an
# interval lies above (or below) zero for :func:`established`
PROFIT_FLOOR = 0.0
# a contact list's profit is "material" (worth calling the best list) when it is at least this share of
# the targeting budget (%); below it the sentences give the number and call no list the best
MATERIAL_SHARE_OF_BUDGET = 1.0
# the significance level a sentence reads p-values at when the notebook passes none: a difference is
# "beyond chance at alpha" when its (Holm-adjusted) p-value is strictly below it
ALPHA = 0.05
# a group of the strategy matrix holds "most of" the CLV at stake when its share is strictly above this (%)
MAJORITY_PCT = 50.0
# how the ranking uplifts are qualified: they are parameters, not measurements
ASSUMED = "assumed uplifts (parameters of this notebook, not measured)"
# how the sentences about the campaign test open when it is the simulated one (the same for every data set)
SIMULATED = "In the simulated campaign test (not this data's customers)"
# the rule a sentence names when it judges a play on its interval of incremental profit
ESTABLISHED_RULE = "a play is established only when its whole interval lies above \\$0"


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


def established(lower, upper) -> str | None:
    """What an interval of incremental profit establishes: ``"makes money"`` when its lower end is
    strictly above :data:`PROFIT_FLOOR`, ``"loses money"`` when its upper end is strictly below it,
    ``"not established"`` otherwise (the interval reaches the floor: the test cannot tell whether the play
    pays), None when a bound is missing."""
    if _missing(lower) or _missing(upper):
        return None
    if float(lower) > PROFIT_FLOOR:
        return "makes money"
    if float(upper) < PROFIT_FLOOR:
        return "loses money"
    return "not established"


def _floor_words(budget) -> str:
    return f"the materiality floor of {MATERIAL_SHARE_OF_BUDGET:g}% of the {money(budget, decimals=0)} budget"


def _loses(profit) -> bool:
    return not _missing(profit) and float(profit) < PROFIT_FLOOR


def beyond_chance(p_value, alpha: float = ALPHA) -> bool | None:
    """True when ``p_value`` is strictly below ``alpha``, False at or above it, None when it is missing."""
    return None if _missing(p_value) else float(p_value) < alpha


_p = p_value  # the collection's one way of writing a p-value (narrative.words)


def _alpha(alpha: float) -> str:
    """A significance level as a sentence writes it, to three significant digits: ``α = 0.0167``."""
    return f"α = {float(alpha):.3g}"


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


def model_sentence(model: str, origin: str, label: str, checked: dict | None = None) -> Text:
    """Which transaction model values the customers, from ``clv.model_to_use``'s ``(model, origin)``,
    and what notebook 04's holdout check (``checked``: its recorded figures for the same data,
    ``report.reuse_record``) says of the values: the model's holdout revenue error, and a warning when
    no model beat the naive forecasts there (``narrative.clv.baseline_verdict``)."""
    from lifecycle_utils.narrative.clv import baseline_verdict

    if origin == "parameter":
        text = f"Customers are valued with {model}, as the CLV_MODEL parameter sets."
    elif origin == "notebook 04":
        text = (
            f"Customers are valued with {model}, the model notebook 04 chose for {label} on its holdout "
            "check."
        )
    else:
        return Text(
            f"Notebook 04 has recorded no model choice for {label} (not run on this data, or no model fitted "
            f"cleanly), so {model}, the default, is used; its fit is checked below."
        )
    checked = checked or {}
    error = checked.get(f"{model} holdout revenue error (%)")
    if not _missing(error) and float(error) < 0:
        text += (
            f" There its predicted holdout revenue ran {percent(abs(float(error)))} low, so the future "
            "margins below are likely understated, and the break-even uplifts overstated."
        )
    elif not _missing(error) and float(error) > 0:
        text += (
            f" There its predicted holdout revenue ran {percent(float(error))} high, so the future margins "
            "below are likely overstated, and the break-even uplifts understated."
        )
    verdict = baseline_verdict(checked)
    if verdict in ("no better", "not clearly better"):
        text += (
            f" On that check the models were {verdict} than a naive forecast: read the values below as a "
            "rough ranking of customers, not a forecast."
        )
    return Text(text)


def _uplift(share) -> str:
    """A relative uplift (a share) as a signed percentage, as the tables round it: 0.2327 -> ``+23.3%``."""
    if _missing(share):
        return "n/a"
    value = 100 * round(float(share), 4) + 0.0
    return f"{'+' if value > 0 else ''}{value:.1f}%"


def _interval_money(low, high) -> str:
    """Both ends with the same decimals: cents only when both are below ``MONEY_CENTS_BELOW``."""
    ends = [abs(float(v)) for v in (low, high) if not _missing(v)]
    decimals = 2 if ends and max(ends) < MONEY_CENTS_BELOW else 0
    return f"{money(low, decimals=decimals)} to {money(high, decimals=decimals)}"


def _loss_share(share) -> str:
    """The share of resamples with a loss, as a percentage of whole points: 0.344 -> ``34%``."""
    return percent(100 * float(share), 0)


# ------------------------------------------------------------------------------------- the matrix
def matrix_sentence(
    matrix: pd.DataFrame | None,
    *,
    by: str = "stage",
    months: float | None = None,
    margin: float | None = None,
) -> Text:
    """Where the CLV at stake sits (from ``strategy.strategy_matrix``, grouped ``by`` ``"stage"`` or
    ``"value_class"``): the group with the most CLV at stake ("most of" it above :data:`MAJORITY_PCT`)
    and its mean P(inactive), and the largest group. ``months`` and ``margin`` (a share) name the
    CLV's horizon and margin."""
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
    churn = matrix.loc[top, "mean P(inactive)"] if "mean P(inactive)" in matrix else None
    text += ")" if _missing(churn) else f"; mean P(inactive) {_share(churn)})"
    if len(matrix) > 1:
        largest = matrix["customers"].idxmax()
        text += f"; the largest group is {largest} ({count(matrix.loc[largest, 'customers'])} customers)"
    return Text(text + ".")


def plays_sentence(plays: pd.DataFrame | None) -> Text:
    """How many customers of each stage get the play of their stage instead of their value class's (from
    ``strategy.play_matrix``, indexed by class and stage, with ``customers``, ``play`` and ``stage
    play``), and the class-and-stage group with the most such customers and its play."""
    if _empty(plays, "customers") or plays["customers"].sum() == 0:
        return Text("No customer has both a value class and a lifecycle stage: no play is assigned.")
    moved = plays[plays["stage play"].astype(bool)] if "stage play" in plays else plays.iloc[:0]
    if moved.empty:
        return Text("Every customer is in an active stage: each gets the play of their value class.")
    by_stage = moved.groupby(level="stage", sort=False)["customers"].sum()
    who = listing([f"{count(n)} {stage}" for stage, n in by_stage.items()])
    (cls, stage), row = next(iter(moved.sort_values("customers", ascending=False, kind="stable").iterrows()))
    return Text(
        f"The {who} customers get the play of their stage and past spend instead of their value class's, "
        "so no one who stopped buying is told a play for active customers; the largest such group is "
        f"{cls} customers who are {stage} ({count(row['customers'])}): '{row['play']}'."
    )


# ---------------------------------------------------------------------------- targeting policies
def uplift_sentence(estimate, *, simulated: bool = False) -> Text:
    """What the test measured of the arm the contact lists are scored on (a
    ``strategy.UpliftEstimate``): its relative uplift over all segments and by segment, each with its
    interval, "not distinguishable from zero" when the interval includes zero; the note when the arm
    asked for is not in the test or the uplift is on response (no revenue)."""
    table = None if estimate is None else estimate.table
    if _empty(table, "uplift"):
        return Text("The test measured no uplift that could score the contact lists.")
    what = "revenue per customer" if estimate.metric == "revenue" else "the response rate"
    level = percent(100 * float(estimate.level), 0)

    def one(name, row) -> str:
        part = f"{_uplift(row['uplift'])}"
        if not _missing(row.get("lower")):
            part += f" ({level} interval {_uplift(row['lower'])} to {_uplift(row['upper'])}"
            part += ", not distinguishable from zero)" if _includes_zero(row["lower"], row["upper"]) else ")"
        return part

    overall = table.iloc[-1]
    lead = _lead(f"Against the control, {estimate.arm} changed {what} by", simulated)
    text = f"{lead} {one(table.index[-1], overall)} over all segments"
    segments = [(s, r) for s, r in table.iloc[:-1].iterrows() if not _missing(r["uplift"])]
    if segments:
        text += "; by segment: " + "; ".join(f"{s} {one(s, r)}" for s, r in segments)
    text += ". These measured uplifts, not the assumed ones, score the contact lists below."
    if estimate.note:
        text += f" Note: {estimate.note}."
    return Text(text)


def stage_uplift_sentence(stages: pd.DataFrame | None) -> Text:
    """Per stage (from ``strategy.stage_uplifts``): at the assumed uplift, for how many customers a
    contact pays, and the break-even uplift of the stage's average customer beside the assumed and the
    measured uplift."""
    if _empty(stages, "customers") or stages["customers"].sum() == 0:
        return Text("No stage has customers to contact.")
    cost = stages["cost per contact"].iloc[0] if "cost per contact" in stages else None
    parts = []
    for stage, row in stages.iterrows():
        if not row["customers"]:
            continue
        part = (
            f"{stage}: {count(row['contacts that pay at the assumed uplift'])} of {count(row['customers'])} "
            f"customers, break-even uplift {_uplift(row['break-even uplift'])} for the average customer "
            f"against {_uplift(row['assumed uplift'])} assumed"
        )
        if "measured uplift" in row and not _missing(row["measured uplift"]):
            part += f" and {_uplift(row['measured uplift'])} measured (on {row['measured on']})"
        parts.append(part)
    lead = "A contact" if _missing(cost) else f"A contact costing {money(cost)}"
    return Text(f"{lead} pays, at the {ASSUMED}, for: {'; '.join(parts)}.")


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


def _profit_with_interval(row, level: str = "") -> str:
    """``\\$P (95% interval \\$L to \\$U, a loss in S% of resamples)``."""
    text = money(row["incremental profit"])
    if not _missing(row.get("profit lower")):
        text += (
            f" ({level + ' ' if level else ''}interval "
            f"{_interval_money(row['profit lower'], row['profit upper'])}"
            f", a loss in {_loss_share(row['loss share'])} of bootstrap resamples)"
        )
    return text


def policies_sentence(
    policies: pd.DataFrame | None, *, budget: float | None = None, simulated: bool = False
) -> Text:
    """What each contact list (from ``strategy.compare_policies``: ranked at the assumed uplifts, scored
    on the uplift a test measured) spends of ``budget`` and earns: the list with the highest profit with
    its interval and share of resamples with a loss, judged by :data:`ESTABLISHED_RULE`
    (:func:`established`) and called the best only when established and material
    (:func:`material_profit`); the lists established to make or lose money; the lowest profit. Without
    a score (no test), that the lists were not scored, and why."""
    if policies is None or len(policies) == 0:
        return Text("No targeting policy was compared.")
    spend = (
        f"With a budget of {money(budget, decimals=0)} the policies spend {_spending(policies)}"
        if not _missing(budget)
        else f"The policies spend {_spending(policies)}"
    )
    if _empty(policies, "incremental profit"):
        return Text(
            f"{spend}. The lists were not scored: no test measured the uplift, and scoring them at the "
            "assumed uplifts would score the value policies on their own ranking key."
        )
    arm = policies.attrs.get("scored on")
    where = SIMULATED[3:] if simulated else "the campaign test"
    scored = f"the uplift {'of ' + repr(str(arm)) + ' ' if arm else ''}measured in {where}"
    level = policies.attrs.get("interval level")
    level = "" if level is None else percent(100 * float(level), 0)
    profit = policies["incremental profit"].dropna()
    best_value = profit.max()
    best = list(profit.index[profit == best_value])
    row = policies.loc[best[0]]
    text = (
        f"Ranked at the {ASSUMED} and scored on {scored}, not on their ranking: "
        f"{spend[0].lower()}{spend[1:]}. The highest profit is {_profit_with_interval(row, level)}, "
        f"for {_quoted(best)}"
    )
    verdicts = {
        p: established(policies.loc[p, "profit lower"], policies.loc[p, "profit upper"]) for p in profit.index
    }
    gaining = [p for p, v in verdicts.items() if v == "makes money"]
    losing = [p for p, v in verdicts.items() if v == "loses money"]
    if verdicts[best[0]] == "makes money" and material_profit(best_value, budget):
        text += f": established to make money ({ESTABLISHED_RULE})"
    elif verdicts[best[0]] == "makes money":
        text += (
            f": established to make money ({ESTABLISHED_RULE}), but below {_floor_words(budget)}, so no list "
            "is called the best"
        )
    elif verdicts[best[0]] is None:
        text += ": without an interval, nothing is established"
    else:
        text += f", but {ESTABLISHED_RULE} and this one does not, so no list is established to make money"
    if "vs best lower" in policies:
        tied = policies.drop(index=best[:1])
        tied = tied[(tied["vs best lower"] <= 0) & (tied["vs best upper"] >= 0)]
        if len(tied):
            text += (
                f". On the same resamples, {_quoted(list(tied.index))} "
                f"{'is' if len(tied) == 1 else 'are'} indistinguishable from it (the interval of the "
                "difference includes \\$0). With one measured uplift per stage, a list ranked by future "
                "margin scores highest within a stage by construction: the test does not say whether the "
                "uplift rises with future margin"
            )
    if len(gaining) > 1 or (gaining and gaining != best[:1]):
        text += f". Established to make money: {_quoted(gaining)}"
    if losing:
        text += f". Established to lose money (interval below \\$0): {_quoted(losing)}"
    worst_value = profit.min()
    if len(profit) > 1 and worst_value < best_value:
        worst = list(profit.index[profit == worst_value])
        shared = "shared by " if len(worst) > 1 else ""
        cents = None if (profit.abs() < MONEY_CENTS_BELOW).all() else 0  # as the table's column shows it
        text += f". The lowest profit is {money(worst_value, decimals=cents)} ({shared}{_quoted(worst)})"
    even = row.get("break-even uplift")
    if not _missing(even) and math.isfinite(float(even)):
        text += (
            f". The contacts of {_quoted(best[:1])} break even at a uniform uplift of {_uplift(even)} of "
            "their future margin"
        )
    if simulated:
        text += (
            ". These dollars apply a simulated test's uplift to this data's customers: they illustrate the "
            "method, they do not forecast this data's profit"
        )
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
    ``strategy.segment_profit``, the control first), each with its bootstrap interval and the share of
    resamples with a loss, judged by :data:`ESTABLISHED_RULE` (:func:`established`): which arms the test
    establishes to make or to lose money, and which it cannot tell; the break-even incentive per
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
    level = profit.attrs.get("interval level")
    level = "" if level is None else f"{percent(100 * float(level), 0)} "
    parts, verdicts = [], {}
    for arm, row in others.iterrows():
        if _missing(row["net per 1,000 customers"]):
            continue
        part = f"{money(row['net per 1,000 customers'])} for {arm}"
        low, high = row.get("net per 1,000 lower"), row.get("net per 1,000 upper")
        verdicts[arm] = established(low, high)
        if verdicts[arm] is not None:
            part += (
                f" ({level}bootstrap interval {_interval_money(low, high)}, a loss in "
                f"{_loss_share(row['loss share'])} of resamples)"
            )
            level = ""
        parts.append(part)
    text = f"{where}, the net incremental profit per 1,000 customers is {listing(parts)}."
    gain = [a for a, v in verdicts.items() if v == "makes money"]
    loss = [a for a, v in verdicts.items() if v == "loses money"]
    open_ = [a for a, v in verdicts.items() if v == "not established"]
    if any(v is not None for v in verdicts.values()):
        said = []
        if gain:
            said.append(f"{listing(gain)} {'is' if len(gain) == 1 else 'are'} established to make money")
        if loss:
            said.append(f"{listing(loss)} {'is' if len(loss) == 1 else 'are'} established to lose money")
        if open_:
            pays = "it pays" if len(open_) == 1 else "they pay"
            said.append(f"for {listing(open_)} the test cannot tell whether {pays}")
        text += f" By the rule that {ESTABLISHED_RULE}: {'; '.join(said)}."
    else:
        text += " These are point estimates without an interval."
    if "break-even incentive per conversion" in others:
        even = others["break-even incentive per conversion"].dropna()
        if len(even):
            text += " Break-even incentive per conversion: " + listing(
                [f"{money(v)} for {arm}" for arm, v in even.items()]
            )
            text += "."
    return Text(text)


def plan_sentence(design: pd.DataFrame | None, *, simulated: bool = False) -> Text:
    """The size of the next test (from ``strategy.plan_design``): customers per arm for the response and
    for the profit per customer, for one comparison with the control and for the design's number of
    treatment arms under Holm (Bonferroni-conservative), and which size the test needs (the profit's,
    the metric the decision is on, when it can be sized). ``simulated``: the campaign table behind the
    profit's spread is the simulated one, which the sentence says (its size is not this data's)."""
    if _empty(design, "customers per arm") and (design is None or "metric" not in design):
        return Text("The next test was not sized.")
    attrs = design.attrs
    k = int(design["comparisons"].max())
    rows = {(r["metric"], int(r["comparisons"])): r for _, r in design.iterrows()}
    response, profit = rows.get(("response", k)), rows.get(("profit", k))
    single_r, single_p = rows.get(("response", 1)), rows.get(("profit", 1))
    alpha = attrs.get("alpha", ALPHA)
    if k > 1:
        text = (
            f"The next test compares {count(k)} treatment arms with the control under Holm's adjustment, so "
            f"each comparison is sized at {_alpha(alpha / k)} (Bonferroni, whose rejections Holm "
            "always makes too: each arm with the effect gets at least the planned power). "
        )
    else:
        text = f"The next test compares one treatment arm with the control ({_alpha(alpha)}, two-sided). "
    power = attrs.get("power")
    target = "" if _missing(power) else f" with {percent(100 * float(power), 0)} power"
    text += (
        f"To detect a lift of {_points(response['effect'])} percentage points over a "
        f"{_share(attrs.get('control rate'))} response rate{target}, each arm needs "
        f"{count(response['customers per arm'])} customers"
    )
    if k > 1:
        text += f" ({count(single_r['customers per arm'])} for a single comparison)"
    if profit is None or _missing(profit["customers per arm"]):
        why = "" if profit is None else str(profit.get(NOTE, "") or "")
        text += f". The profit test could not be sized{': ' + why if why else ''}."
        return Text(text)
    text += (
        f". The decision is on profit: the {money(profit['effect'])} per customer that lift brings (standard "
        f"deviation of profit per customer {money(profit['sd control'])} in the control and "
        f"{money(profit['sd arm'])} in the arm, from the "
        f"{'simulated' if simulated else 'campaign'} table's revenue per conversion) needs "
        f"{count(profit['customers per arm'])} customers per arm"
    )
    if k > 1:
        text += f" ({count(single_p['customers per arm'])} for a single comparison)"
    text += (
        f", {count(profit['customers in all'])} in all: the size the test needs, since profit is what it "
        "decides"
    )
    if simulated:
        text += (
            ". That spread is the simulated campaign's, not this data's customers': with a campaign table "
            "of your own (EXPERIMENT_PATH) the profit test is sized on yours"
        )
    return Text(text + ".")


# ------------------------------------------------------------------------------ Answer and closing
def _test_name(figures: dict) -> str:
    return SIMULATED if figures.get("campaign test simulated") else "In the campaign test"


def _break_even_part(figures: dict) -> str | None:
    """The list that needs the smallest uplift to pay, from the data alone (no measured uplift)."""
    lowest, even = figures.get("lowest break-even policy"), figures.get("its lowest break-even uplift")
    if not lowest or _missing(even):
        return None
    text = (
        f"the contact list that needs the smallest uplift to pay is '{lowest}': a contact must raise the "
        f"future margin of those it reaches by {_uplift(even)}"
    )
    random = figures.get("random break-even uplift")
    if lowest != "random" and not _missing(random):
        text += f" (random targeting: {_uplift(random)})"
    return text


def _targeting_part(figures: dict, bullet: bool) -> str | None:
    best, profit = figures.get("best targeting policy"), figures.get("its incremental profit")
    if not best:
        return None
    budget, cost, n = (
        figures.get("targeting budget"),
        figures.get("its cost"),
        figures.get("its customers contacted"),
    )
    even = _break_even_part(figures)
    if _missing(profit):
        lead = (
            f"The contact lists were not scored: no test measured the uplift (ranked at the {ASSUMED})"
            if bullet
            else "The contact lists were not scored: no test measured the uplift"
        )
        return lead + (f"; from the data alone, {even}." if even else ".")
    if figures.get("campaign test simulated"):
        # a simulated test's uplift applied to this data's customers is an illustration, not a forecast:
        # no dollar figure of it heads the Answer
        text = f"From the data alone, {even}." if even else ""
        text += (
            " No profit is stated for any list: the only measured uplift is the simulated campaign "
            "test's, not this data's customers; a test on them would give one."
        )
        return text.strip()
    arm = figures.get("targeting scored on")
    scored = f"Scored on the uplift {'of ' + repr(arm) + ' ' if arm else ''}measured in the campaign test"
    low, high = figures.get("its profit lower"), figures.get("its profit upper")
    verdict = established(low, high)
    interval = "" if verdict is None else f", interval {_interval_money(low, high)}"
    if verdict is not None and not _missing(figures.get("its profit loss share")):
        interval += f", a loss in {_loss_share(figures['its profit loss share'])} of bootstrap resamples"
    spend = ""
    if bullet and not _missing(n):
        spend = f" from {_contacts(n)}" + ("" if _missing(cost) else f" costing {money(cost)}")
    if float(profit) < 0:  # a loss is called a loss
        text = (
            f"{scored}, no targeting policy makes a profit; the smallest loss is '{best}' "
            f"({money(profit)}{spend}{interval})"
        )
    else:
        text = f"{scored}, '{best}' earns the most ({money(profit)}{spend}{interval})"
    if verdict == "makes money" and material_profit(profit, budget):
        text += ": established to make money"
    elif verdict == "makes money":
        text += f": established to make money, but below {_floor_words(budget)}"
    elif verdict is not None:
        text += ", but its interval does not lie above \\$0: not established"
    close = [c for c in str(figures.get("lists indistinguishable from the best") or "").split(", ") if c]
    if close:
        text += f"; indistinguishable from it on the same resamples: {_quoted(close)}"
    text += "."
    if bullet:
        random = figures.get("random targeting profit")
        if not _missing(random):
            text += f" Random targeting: {money(random)}."
        text += f" The lists were ranked at the {ASSUMED}, so the score is not their own ranking key."
        if even:
            text += f" From the data alone, {even}."
    return text


def _arm_part(figures: dict, bullet: bool) -> str | None:
    if "most profitable arm" not in figures:
        return None
    arm, net = figures.get("most profitable arm"), figures.get("its net profit per 1,000 customers")
    if not arm or _missing(net):
        return "Not computed: the campaign table has no revenue." if bullet else None
    low, high = figures.get("its net profit per 1,000 lower"), figures.get("its net profit per 1,000 upper")
    verdict = established(low, high)
    lead = _test_name(figures)
    interval = ""
    if verdict is not None:
        interval = f", interval {_interval_money(low, high)}"
        if not _missing(figures.get("its net profit loss share")):
            interval += (
                f", a loss in {_loss_share(figures['its net profit loss share'])} of bootstrap resamples"
            )
    if verdict == "makes money":
        judged = "established to make money"
    elif verdict == "loses money":
        judged = "no arm makes money: even the best is established to lose money"
    elif verdict == "not established":
        judged = (
            "not established (its interval does not lie above \\$0): the test cannot tell whether it pays"
        )
    else:
        judged = "a point estimate without an interval"
    if float(net) < 0 and verdict is None:  # a loss is called a loss
        text = (
            f"{lead}, no arm makes a net profit; the smallest loss per 1,000 customers is '{arm}' "
            f"({money(net)}): {judged}."
        )
    else:
        text = (
            f"{lead}, '{arm}' has the highest net profit per 1,000 customers ({money(net)}{interval}): "
            f"{judged}."
        )
    if bullet:
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


def _plan_part(figures: dict, bullet: bool) -> str | None:
    n = figures.get("customers per arm for the planned test")
    if _missing(n):
        return None
    k = figures.get("planned comparisons", 1)
    metric = figures.get("planned test sized on", "response")
    design = (
        f"{count(k)} treatment arms compared with the control under Holm"
        if not _missing(k) and int(k) > 1
        else "one treatment arm against the control"
    )
    text = f"The next test needs {count(n)} customers per arm ({metric}, {design})"
    if bullet and metric == "profit" and not _missing(figures.get("customers per arm for the response")):
        text += f"; the response alone would need {count(figures['customers per arm for the response'])}"
    if metric == "profit" and figures.get("campaign test simulated"):
        text += ", sized on the simulated campaign's spread of profit, not this data's"
    return text + "."


def answer(figures: dict) -> Text:
    """Notebook 05: the contact list that earns most when scored on the measured uplift and whether it is
    established, the arm with the highest net profit in the test and whether it is established (named
    simulated when it is), and the size of the next test."""
    parts = [
        p
        for p in (_targeting_part(figures, False), _arm_part(figures, False), _plan_part(figures, False))
        if p
    ]
    return with_not_run(" ".join(parts), figures)


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


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures only: the contact lists scored on the measured
    uplift, the test's response differences read at the recorded alpha, its profit judged on its
    intervals (:data:`ESTABLISHED_RULE`), and the size of the next test. Parts the data could not carry
    are left out (the Answer says what was not run)."""
    bullets = []
    for title, part in (
        ("Targeting", _targeting_part(figures, True)),
        (None, _test_bullet(figures)),
        ("Profit in the test", _arm_part(figures, True)),
        ("The next test", _plan_part(figures, True)),
    ):
        if part:
            bullets.append(part if title is None else f"**{title}.** {part}")
    if not bullets:
        return Text("- Nothing was estimated on this data.")
    return Text("\n".join(f"- {b}" for b in bullets))
