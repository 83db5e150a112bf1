"""The sentences of notebook 04 (customer lifetime value), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
The rule that picks the model to use is the layer's (``clv.best_model``: models whose paired bootstrap
interval of the difference in MAE includes 0 are indistinguishable); the sentences here say what it
found. The layer is imported only inside the
functions that need it, so that the report index can read Answers without loading the models.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, listing, money, p_value, percent

__all__ = [
    "BEATS_BASELINE_PCT",
    "TOTAL_CLOSE_PCT",
    "HISTOGRAM_CLOSE_PCT",
    "GONE_BELOW",
    "ALIVE_FROM",
    "WEAK_CORRELATION",
    "INDEPENDENCE_ALPHA",
    "CONCENTRATED_PCT",
    "NARROW_INTERVAL_PCT",
    "MAJORITY_PCT",
    "FAR_OFF_PCT",
    "baseline_verdict",
    "published_sentence",
    "split_weeks",
    "fit_sentence",
    "standard_error_sentence",
    "holdout_sentence",
    "period_sentence",
    "conditional_sentence",
    "revenue_sentence",
    "decile_sentence",
    "revenue_frequency_sentence",
    "tracking_sentence",
    "alive_sentence",
    "independence_sentence",
    "spend_model_sentence",
    "clv_sentence",
    "net_value_sentence",
    "sensitivity_sentence",
    "interval_sentence",
    "customer_interval_sentence",
    "clv_by_sentence",
    "at_risk_sentence",
    "lists_sentence",
    "answer",
    "what_this_means",
]

# the model used "beats the naive forecasts" when its holdout MAE is at least this many percent below
# the better baseline's MAE; less than that: "not clearly better than a naive forecast"
BEATS_BASELINE_PCT = 10.0
# a model's holdout total is "close" when its error on the total is within this many percent; beyond it
# the total "ran low" (CLV totals read as conservative) or "ran high" (read as optimistic)
TOTAL_CLOSE_PCT = 10.0
# a model "reproduces the calibration histogram closely" when no group of the histogram is off by more
# than this share (%) of all customers
HISTOGRAM_CLOSE_PCT = 2.0
GONE_BELOW = 0.10  # a P(alive) below this reads "probably gone"
ALIVE_FROM = 0.90  # a P(alive) of at least this reads "probably alive"
# spend and frequency are "weakly correlated" (the Gamma-Gamma independence assumption is not
# contradicted) when the absolute correlation is below this (Cohen's "medium" correlation)
WEAK_CORRELATION = 0.3
# a correlation of spend and frequency is "beyond chance" when its test's p-value is below this
INDEPENDENCE_ALPHA = 0.05
# value is "concentrated" when the top tenth of customers hold at least this share (%) of total CLV
CONCENTRATED_PCT = 50.0
# the bootstrap interval is "narrow" (the parameters are well pinned down) when it reaches at most this
# many percent from the total on either side
NARROW_INTERVAL_PCT = 5.0
MAJORITY_PCT = 50.0  # "more than half of the customers" when strictly more than this share (%)
# a group's prediction (mean purchases or revenue per customer, a decile of predicted revenue) is "far
# below" or "far above" what its customers did when it is off by more than this many percent of the actual
FAR_OFF_PCT = 20.0


_p_value = p_value  # the collection's one way of writing a p-value (narrative.words)


def _clv_interval(figures: dict) -> str:
    """The recorded 90% interval of total CLV as ``\\$242,541 to \\$247,520`` (``n/a`` without one)."""
    lo, hi = _num(figures.get("total CLV 90% lower")), _num(figures.get("total CLV 90% upper"))
    return "n/a" if lo is None or hi is None else f"{money(lo, decimals=0)} to {money(hi, decimals=0)}"


def _num(x) -> float | None:
    """A finite float, or None for None, NaN, infinity and anything that is not a number."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _empty(table) -> bool:
    return table is None or len(table) == 0


def _param(x: float) -> str:
    """A rate given as a fraction (0.3) as a percentage for a sentence (``30%``)."""
    return f"{100 * float(x):g}%"


def _purchases(n) -> str:
    """``1 repeat purchase``, ``7+ repeat purchases``."""
    return f"{n} repeat purchase{'' if str(n) == '1' else 's'}"


def _n(n, word: str) -> str:
    """``1 group``, ``2,969 groups`` (``n/a groups`` for a missing count)."""
    return f"{count(n)} {word}{'' if count(n) == '1' else 's'}"


def _customers(n) -> str:
    """``1 customer``, ``2,969 customers``."""
    return _n(n, "customer")


def _fixed(x, decimals: int = 2) -> str:
    """A number with ``decimals`` decimals, ``n/a`` when missing."""
    x = _num(x)
    return "n/a" if x is None else f"{x:.{decimals}f}"


def _signed(pct: float) -> str:
    """An error in percent with its sign: ``+12.6%``, ``-12.9%``."""
    return f"{pct:+.1f}%"


# ------------------------------------------------------------------------------- about CDNOW only
def published_sentence(validation: pd.DataFrame | None) -> Text:
    """About CDNOW only: how many published figures of the CDNOW sample (a ``validation.compare``
    table, from ``clv.published_validation``) are reproduced, and which kinds."""
    if _empty(validation):
        return Text("About CDNOW only: no published figure was compared.")
    matched = validation["match"].astype(bool)
    n, k = len(validation), int(matched.sum())
    names = validation.index.astype(str)
    lead = f"all {n}" if k == n else f"{k} of the {n}"
    text = f"About CDNOW only: {lead} published figures are reproduced within their tolerance"
    parts = []
    ll = validation[names.str.contains("log-likelihood")]
    per_customer = names.str.contains("per customer")
    tallies = validation[
        ~names.str.contains("log-likelihood") & ~per_customer & (validation["tolerance"] == 0)
    ]
    params = validation[~names.isin(ll.index) & ~per_customer & ~names.isin(tallies.index)]
    models = list(dict.fromkeys(str(f).split(" ")[0] for f in params.index))
    if models:
        parts.append(f"the parameters of {listing(models)}")
    if len(ll):
        lls = [
            f"{str(f).split(' ')[0]} {_num(r) or float('nan'):,.2f} against the published {float(p):,.2f}"
            for f, p, r in zip(ll.index, ll["published"], ll["reproduced"])
        ]
        parts.append(f"the log-likelihoods ({'; '.join(lls)})")
    if per_customer.any():
        parts.append(
            f"the holdout purchases per customer by calibration frequency ({per_customer.sum()} figures)"
        )
    parts += [f"{count(r)} {f}" for f, r in zip(tallies.index, tallies["reproduced"]) if _num(r) is not None]
    text += f": {listing(parts)}." if parts else "."
    if k == n:
        return Text(
            text
            + " The wrappers fit the models as the papers do; the models below run through the same code."
        )
    missing = listing([str(f) for f in validation.index[~matched]])
    return Text(text + f" Not reproduced: {missing}; the models below run through the same code.")


# ------------------------------------------------------------------------------- the models
def split_weeks(tx: pd.DataFrame, calibration_end, *, end) -> tuple[str, str]:
    """Axis words for the calibration and holdout periods in 7-day weeks counted from the first day of
    ``tx`` (``date``): ``("weeks 1-39", "weeks 40-78")`` on CDNOW with its default split."""
    if _empty(tx) or calibration_end is None:
        return "the calibration period", "the holdout period"
    first = pd.Timestamp(tx["date"].min()).normalize()
    cal = int(((pd.Timestamp(calibration_end).normalize() - first).days + 1) // 7)
    last = int((pd.Timestamp(end).normalize() - first).days // 7) + 1
    calibration = f"weeks 1-{cal}" if cal >= 1 else "the calibration period"
    holdout = f"weeks {cal + 1}-{last}" if last > cal else "the holdout period"
    return calibration, holdout


def fit_sentence(report: pd.DataFrame | None) -> Text:
    """Which transaction models fitted and how (from ``clv.fit_report``), their log-likelihoods on the
    calibration period, a fit kept only with a penalty because its maximum-likelihood fit lands on a
    boundary, and, when no dropout model can be used because the data show no one leaving (the report
    holds ``clv.NBD``, from ``clv.fallback_fits``), why, and the fallback used in their place, named, or
    that no customer is valued."""
    from lifecycle_utils.clv.fitting import NBD
    from lifecycle_utils.clv.prediction import NO_DROPOUT_PCT

    if _empty(report):
        return Text("No transaction model was fitted.")
    mle = (
        report["maximum likelihood"] if "maximum likelihood" in report else pd.Series("", index=report.index)
    )
    if NBD in report.index:
        models = report.drop(index=NBD)
        edge = [m for m in models.index if str(mle[m]).startswith("on a boundary")]
        inside = [m for m in models.index if models.loc[m, "fitted"] == "no dropout"]
        parts = []
        if edge:
            values = [str(mle[m]).split("(")[1].split(")")[0] for m in edge]
            parts.append(
                f"{listing(edge)} {'puts' if len(edge) == 1 else 'put'} the dropout at 0 at maximum "
                f"likelihood ({'; '.join(f'{m} {v}' for m, v in zip(edge, values))})"
            )
        for m in inside:
            share = re.search(r"([\d.]+)% of customers", str(mle[m]))
            parts.append(
                f"{m} fits inside its bounds but has {share.group(1) + '% of' if share else 'almost no'} "
                f"customers gone by the median customer's age (under {NO_DROPOUT_PCT:g}%)"
            )
        text = (
            f"No dropout model can value these customers: {'; '.join(parts)}. This data shows no sign of "
            "customers leaving, so these models cannot tell the purchase rate from the dropout, and none of "
            "them is used."
        )
        if report.loc[NBD, "fitted"] == "yes":
            text += (
                f" In their place, a named fallback: {NBD}, the model they tend to as the dropout goes to 0 "
                "(each customer buys at a rate of their own and nobody leaves; "
                f"{report.loc[NBD, 'parameters']}). Its values run high if customers do leave later."
            )
        else:
            text += f" The fallback, {NBD}, did not fit cleanly either, so no customer is valued."
        return Text(text)
    ok = report[report["fitted"] == "yes"]
    text = (
        f"All {len(report)} models fitted cleanly"
        if len(ok) == len(report) > 1
        else f"{ok.index[0]} fitted cleanly"
        if len(ok) == len(report)
        else f"{listing(list(ok.index))} fitted cleanly"
        if len(ok)
        else "No model fitted cleanly"
    )
    others = [m for m, note in ok["note"].items() if note != "plain maximum likelihood"]
    penalized = [m for m in others if str(mle[m]).startswith("on a boundary")]
    others = [m for m in others if m not in penalized]
    text += (
        " by plain maximum likelihood"
        if len(ok) and not others and not penalized
        else f" ({listing(others)} after a fallback)"
        if others
        else ""
    )
    text += "."
    for m in penalized:
        text += (
            f" {m} was kept only with a penalty (penalizer {_num(report.loc[m, 'penalizer']):g}): its plain "
            f"maximum-likelihood fit lands {mle[m]}, so its parameters are set partly by the penalty."
        )
    failed = report[report["fitted"] != "yes"]
    if len(failed):
        states = [
            f"{m} ({'on a boundary' if f == 'on a boundary' else 'no fit'})"
            for m, f in failed["fitted"].items()
        ]
        text += f" Left out of the predictions: {listing(states)}."
    lls = ok["log-likelihood"].map(_num).dropna().sort_values(ascending=False)
    if len(lls) >= 2:
        rest = [f"{m} {v:,.2f}" for m, v in lls.iloc[1:].items()]
        text += (
            f" {lls.index[0]} has the highest log-likelihood on the calibration period ({lls.iloc[0]:,.2f}; "
            f"{listing(rest)}); the holdout check below decides which model is used."
        )
    return Text(text)


def standard_error_sentence(table: pd.DataFrame | None) -> Text:
    """Which models come with Hessian standard errors (from ``clv.standard_error_table``), and the
    least precise parameter relative to its estimate (the table's "standard error (% of estimate)")."""
    if _empty(table):
        return Text("No model fitted cleanly, so there are no standard errors.")
    has = table["standard error"].notna().groupby(level="model", sort=False).all()
    with_se, without = list(has.index[has]), list(has.index[~has])
    parts = []
    if with_se:
        parts.append(
            f"{listing(with_se)} {'comes' if len(with_se) == 1 else 'come'} with standard errors from the "
            "Hessian of the log-likelihood"
        )
    if without:
        parts.append(f"{listing(without)} {'does' if len(without) == 1 else 'do'} not")
    text = "; ".join(parts) + "."
    column = "standard error (% of estimate)"
    rel = (
        table[column].map(_num)
        if column in table
        else 100 * table["standard error"] / table["estimate"].abs()
    )
    rel = rel.replace([float("inf")], float("nan")).dropna()
    if len(rel):
        model, param = rel.idxmax()
        se = float(table.loc[(model, param), "standard error"])
        text += f" The least precise parameter is {model} {param} (standard error {se:.3g}, " + (
            f"{percent(float(rel.max()), 0)} of its estimate)."
            if rel.max() < 1000
            else "more than ten times its estimate)."
        )
    return Text(
        text + " The intervals of CLV below come from a customer bootstrap that refits both the model used "
        "and the spend model."
    )


def _interval_words(comparison: pd.DataFrame, model: str) -> str | None:
    """``"-0.004 to 0.006"``: the bootstrap interval of ``model``'s MAE minus the lowest, as shown."""
    from lifecycle_utils.clv.prediction import interval_columns

    columns = interval_columns(comparison)
    if columns is None or model not in comparison.index:
        return None
    lo, hi = (_num(comparison.loc[model, c]) for c in columns)
    return None if lo is None or hi is None else f"{lo:.3f} to {hi:.3f}"


def _far_off(errors: pd.Series) -> tuple[list, list]:
    """Groups whose prediction is more than :data:`FAR_OFF_PCT` percent below, and above, the actual
    (``errors``: 100 x (predicted - actual) / actual per group)."""
    e = errors.map(_num).dropna()
    return [g for g, v in e.items() if v < -FAR_OFF_PCT], [g for g, v in e.items() if v > FAR_OFF_PCT]


def _groups_words(errors: pd.Series, groups: list) -> str:
    """``0 and 1 repeat purchases (by 41.9% and 20.9%``: the groups and how far off they are."""
    values = [percent(abs(float(errors[g]))) for g in groups]
    names = listing([str(g) for g in groups])
    return f"{names} {_purchases_word(groups)} (by {listing(values)}"


def _purchases_word(groups: list) -> str:
    return "repeat purchase" if [str(g) for g in groups] == ["1"] else "repeat purchases"


def _far_sentence(errors: pd.Series, model: str, what: str) -> str:
    """The groups where ``model`` is far below or far above the actual, by :data:`FAR_OFF_PCT`."""
    low, high = _far_off(errors)
    rule = f"(The rule: a group more than {FAR_OFF_PCT:g}% off is far off.)"
    if not low and not high:
        if errors.map(_num).dropna().empty:
            return ""
        within = f"are within {FAR_OFF_PCT:g}% of the actual. {rule}"
        return f" In every group {model}'s {what.removeprefix('its ')} {within}"
    parts = []
    if low:
        parts.append(f"far below the actual for customers with {_groups_words(errors, low)})")
    if high:
        above = "far above it" if low else "far above the actual"
        parts.append(f"{above} for customers with {_groups_words(errors, high)})")
    return f" {model} puts {what} {' and '.join(parts)}. {rule}"


def _ranges(numbers: list[int]) -> str:
    """``1 to 4, 9 and 10``: whole numbers, runs of three or more joined."""
    runs, start = [], None
    for k, n in enumerate(numbers):
        if start is None:
            start = n
        if k + 1 == len(numbers) or numbers[k + 1] != n + 1:
            runs += [f"{start} to {n}"] if n > start + 1 else [str(m) for m in range(start, n + 1)]
            start = None
    return listing(runs)


def holdout_sentence(comparison: pd.DataFrame | None, best: str | None, *, fits: dict | None = None) -> Text:
    """The holdout check (``clv.holdout_comparison``): each model's error on the total; the lowest MAE
    of the models against the better naive baseline, read by :data:`BEATS_BASELINE_PCT` and the paired
    bootstrap interval of the difference (an interval that includes 0: no better than a naive
    forecast); which models are indistinguishable (``clv.indistinguishable``: their interval of MAE
    minus the lowest includes 0; ``fits`` as given to ``clv.best_model``) and why ``best`` is used; and
    how its total erred (:data:`TOTAL_CLOSE_PCT`)."""
    from lifecycle_utils.clv.prediction import indistinguishable, interval_columns

    if _empty(comparison):
        return Text("No model was compared on the holdout.")
    is_base = comparison.index.str.startswith("baseline")
    models, baselines = comparison[~is_base], comparison[is_base]
    actual = _num(comparison["actual total"].iloc[0])
    columns = interval_columns(comparison)
    level = columns[0].removesuffix(" low") if columns else "90%"
    reps = comparison.attrs.get("reps")
    sentences = []
    errors = [(m, _num(e)) for m, e in models["total error (%)"].items()]
    errors = sorted([(m, e) for m, e in errors if e is not None], key=lambda me: abs(me[1]))
    if not actual:
        sentences.append(
            "Customers made no repeat purchases in the holdout, so errors on the total cannot be read."
        )
    elif errors:
        said = [
            f"{percent(abs(e))} {'fewer' if e < 0 else 'more'} ({m})" if e else f"exactly as many ({m})"
            for m, e in errors
        ]
        text = (
            f"On the holdout, customers made {count(actual)} repeat purchases; the models predicted "
            f"{listing(said)}"
        )
        rate = _num(baselines["total error (%)"].get("baseline: calibration rate"))
        if rate is not None:
            text += (
                f"; carrying each customer's calibration rate forward (a baseline that ignores dropout) "
                f"gives {percent(abs(rate))} {'fewer' if rate < 0 else 'more'}"
            )
        sentences.append(text + ".")
    if best is None or best not in models.index:
        sentences.append("No model fitted cleanly, so none is used to value customers.")
        return Text(" ".join(sentences))
    tied = indistinguishable(comparison, fits)
    lowest = tied[0] if tied else best
    mae = _num(models.loc[lowest, "MAE"])
    base = baselines["MAE"].map(_num).dropna()
    if mae is not None and len(base):
        name, bmae = base.idxmin(), float(base.min())
        gain = (
            round(100 * (bmae - mae) / bmae, 9) if bmae > 0 else None
        )  # rounded: no float noise at the rule
        text = (
            f"Per customer, {lowest} has the lowest error of the models, {mae:.3f} purchases on average "
            "(MAE), "
            f"against {bmae:.3f} for the better naive baseline ({name.removeprefix('baseline: ')})"
        )
        low = _num(comparison.loc[name, columns[0]]) if columns else None
        span = _interval_words(comparison, name)
        rule = (
            f"(the rule: at least {BEATS_BASELINE_PCT:g}% lower, with an interval of the difference above 0)"
        )
        if gain is not None and gain < 0:
            text += f": {percent(abs(gain))} higher, so it is no better than a naive forecast on this data."
        elif low is not None and low <= 0:
            text += (
                f": {percent(gain)} lower, but the {level} interval of the difference ({span}) includes 0, "
                f"so it is no better than a naive forecast on this data {rule}."
            )
        elif gain is not None and gain >= BEATS_BASELINE_PCT:
            interval = f", the {level} interval of the difference {span}" if span else ""
            text += f": {percent(gain)} lower{interval}, so it beats the naive forecasts {rule}."
        elif gain is not None:
            text += f": {percent(gain)} lower, so it is not clearly better than a naive forecast {rule}."
        else:
            text += "."
        sentences.append(text)
    clean = [m for m in models.index if fits is None or (m in fits and fits[m].ok)]
    how = f"paired bootstrap over customers, {count(reps)} resamples" if reps else "paired bootstrap"
    apart = [m for m in clean if m not in tied]
    apart_words = [
        f"{m} +{_fixed(models.loc[m, 'MAE minus lowest'], 3)} ({_interval_words(comparison, m)})"
        for m in apart
    ]
    if len(tied) > 1:
        spans = [f"{m} {_interval_words(comparison, m)}" for m in tied[1:]]
        whose = f"{tied[1]}'s" if len(tied) == 2 else "each one's"
        text = (
            f"{listing(tied)} are indistinguishable on this check: the {level} interval of {whose} MAE minus "
            f"{tied[0]}'s includes 0 ({'; '.join(spans)}; {how}); {best} is used: of these, it has the "
            "smallest error on the total."
        )
        if apart_words:
            text += f" The others err more per customer: {listing(apart_words)}."
        sentences.append(text)
    elif len(clean) == 1:
        sentences.append(f"{best} is the only model that fitted cleanly, so it is used.")
    else:
        sentences.append(
            f"{best} is used: its holdout MAE is the lowest, and the {level} interval of every other model's "
            f"MAE minus its excludes 0 ({listing(apart_words)}; {how})."
        )
    error = _num(models.loc[best, "total error (%)"])
    if error is not None and actual:
        if abs(error) <= TOTAL_CLOSE_PCT:
            sentences.append(f"Its total is within {TOTAL_CLOSE_PCT:g}% of what happened ({_signed(error)}).")
        else:
            low = error < 0
            sentences.append(
                f"Its total ran {percent(abs(error))} {'low' if low else 'high'}: if the model refitted on "
                "the whole period errs the same way, the CLV totals below are "
                f"{'conservative' if low else 'optimistic'}."
            )
    return Text(" ".join(sentences))


def period_sentence(period: pd.DataFrame | None) -> Text:
    """How well each model reproduces the calibration histogram (``clv.period_transactions``; the
    customers from its ``clv.ALL_CUSTOMERS`` row), by the rule :data:`HISTOGRAM_CLOSE_PCT`."""
    from lifecycle_utils.clv.prediction import ALL_CUSTOMERS

    if not _empty(period) and ALL_CUSTOMERS in period.index:
        customers = _num(period.loc[ALL_CUSTOMERS, "actual"])
        period = period.drop(index=ALL_CUSTOMERS)
    else:
        customers = None if _empty(period) else _num(period["actual"].sum())
    if _empty(period) or not customers:
        return Text("No customer in the calibration period to compare with.")
    models = [c for c in period.columns if c != "actual"]
    if not models:
        return Text("lifetimes gives this distribution for none of the models that fitted cleanly.")
    parts = []
    for m in models:
        gap = (period[m] - period["actual"]).abs()
        if gap.isna().all():
            parts.append(f"{m} gives no distribution")
            continue
        g = gap.idxmax()
        share = round(100 * float(gap[g]) / customers, 9)
        where = (
            f"{float(gap[g]):,.1f} customers at {_purchases(g)}: {float(period.loc[g, m]):,.1f} expected "
            f"against {count(period.loc[g, 'actual'])}"
        )
        if share <= HISTOGRAM_CLOSE_PCT:
            parts.append(
                f"{m} is within {HISTOGRAM_CLOSE_PCT:g}% of the customers in every group (largest gap "
                f"{where})"
            )
        else:
            parts.append(f"{m} is off by up to {percent(share)} of the customers ({where})")
    return Text(
        f"Against the {count(customers)} customers' actual repeat purchases in the calibration period: "
        f"{listing(parts)}. (The rule for reproducing the histogram closely: no group off by more than "
        f"{HISTOGRAM_CLOSE_PCT:g}% of the customers.)"
    )


def conditional_sentence(conditional: pd.DataFrame | None, best: str | None = None) -> Text:
    """Out of sample, each model against the actual mean holdout purchases per calibration-frequency
    group (``clv.conditional_expectations``): in how many groups it is below, the largest gap of
    ``best`` (the model used; the first model when not given), and the groups where ``best`` is more
    than :data:`FAR_OFF_PCT` percent below or above the actual (``clv.percent_errors`` of the table,
    shown beside it)."""
    from lifecycle_utils.clv.prediction import percent_errors

    if _empty(conditional):
        return Text("No customer to compare in the holdout.")
    models = [c for c in conditional.columns if c not in ("customers", "actual")]
    if not models:
        return Text("No model that fitted cleanly to compare with the holdout.")
    actual = conditional["actual"]
    below = [f"{int((conditional[m] < actual).sum())} for {m}" for m in models]
    text = (
        f"Of the {_n(len(conditional), 'group')} of customers by calibration frequency, the number where the "
        f"expected mean holdout purchases are below the actual mean is {listing(below)}."
    )
    model = best if best in models else models[0]
    gap = (conditional[model] - actual).abs()
    if gap.notna().any():
        g = gap.idxmax()
        text += (
            f" The largest gap of {model} is for customers with {_purchases(g)} in the calibration "
            f"period: {float(conditional.loc[g, model]):.3f} expected against {float(actual[g]):.3f}."
        )
    errors = percent_errors(conditional)[f"{model} vs actual (%)"]
    return Text(text + _far_sentence(errors, model, "its expected purchases"))


def tracking_sentence(totals: pd.DataFrame | None, peaks: pd.DataFrame | None = None) -> Text:
    """Repeat purchases after the calibration period, actual against each model's expectation
    (``clv.tracking_totals``), and the weeks where the actual count exceeds the model used's expectation
    most (``clv.peak_weeks``)."""
    if _empty(totals) or "actual" not in totals.index:
        return Text("No week follows the calibration period.")
    first, last = totals.attrs.get("first_week"), totals.attrs.get("last_week")
    weeks = (
        f"weeks {first}-{last}"
        if first is not None and last is not None and last > first
        else f"week {last}"
        if last is not None
        else "the weeks"
    )
    purchases, difference = totals.columns[0], "difference from actual (%)"
    actual = _num(totals.loc["actual", purchases]) or 0.0
    text = (
        f"In {weeks}, after the calibration period, all customers "
        f"(including any first seen after it) made {count(actual)} repeat purchases"
    )
    models = totals.drop(index="actual")
    said = [
        f"{count(row[purchases])} ({m}, {_signed(float(row[difference]))})"
        for m, row in models.iterrows()
        if _num(row[purchases]) is not None and _num(row[difference]) is not None
    ]
    if said and actual > 0:
        text += (
            f"; the models' population forecasts (from the fitted parameters alone, not each customer's own "
            f"history, so they differ from the per-customer holdout check) were {listing(said)}"
        )
    text += "."
    if not _empty(peaks):
        weeks = sorted(int(w) for w in peaks.index)
        model = peaks.attrs.get("model")
        lead = f" The weeks where the actual count exceeds {model}'s expectation most are weeks"
        text += (
            f"{lead} {listing(weeks)}."
            if len(weeks) > 1
            else f" The week where the actual count exceeds {model}'s expectation most is week {weeks[0]}."
        )
    return Text(text)


def alive_sentence(table: pd.DataFrame | None) -> Text:
    """P(alive) at the corners of the frequency/recency matrix (``clv.alive_corners``; a
    ``clv.probability_alive_matrix`` is read through it): the most frequent row and the row of one
    repeat purchase, stopped early against bought at the end, read by :data:`GONE_BELOW` and
    :data:`ALIVE_FROM`."""
    if table is not None and "P(alive)" not in table.columns:  # a matrix: read its corners
        from lifecycle_utils.clv.prediction import alive_corners

        if _empty(table) or table.shape[1] < 2:
            return Text("P(alive) was not computed.")
        if not any(f > 0 for f in table.index):
            return Text("The matrix has no customer with a repeat purchase.")
        table = alive_corners(table)
    if _empty(table):
        return Text("P(alive) was not computed.")

    def read(p: float | None) -> str:
        if p is None:
            return "n/a"
        verdict = " (probably gone)" if p < GONE_BELOW else " (probably alive)" if p >= ALIVE_FROM else ""
        return f"{p:.2f}{verdict}"

    age = float(table["observed for (weeks)"].iloc[0])
    parts = []
    for f in table.index.get_level_values(0).unique():
        rows = table.loc[f]
        early = float(rows.index[0])
        stopped, ended = read(_num(rows["P(alive)"].iloc[0])), read(_num(rows["P(alive)"].iloc[-1]))
        if not parts:
            parts.append(
                f"with {_purchases(f)}, P(alive) is {stopped} if the last came {early:.1f} weeks after the "
                f"first and {ended} if it came at the end"
            )
        else:
            parts.append(f"with {_purchases(f)}, {stopped} and {ended}")
    return Text(
        f"For a customer observed for {age:.1f} weeks: {'; '.join(parts)}. (Probably gone: under "
        f"{GONE_BELOW:.2f}; probably alive: {ALIVE_FROM:.2f} or more.)"
    )


# ------------------------------------------------------------------------------- money on the holdout


def revenue_sentence(check: pd.DataFrame | None, best: str | None) -> Text:
    """Predicted against actual holdout revenue (``clv.revenue_check``): the total of ``best`` (the model
    used), read by :data:`TOTAL_CLOSE_PCT`, the other models and the spend-rate baseline, and the lift and
    Gini of ``best``'s ranking beside the baseline's."""
    from lifecycle_utils.clv.holdout import BASELINE

    if _empty(check):
        return Text("No money prediction was checked on the holdout.")
    actual = _num(check["actual total"].iloc[0])
    if not actual:
        return Text(
            "Customers spent nothing on repeat purchases in the holdout, so no money prediction can be read."
        )
    if best is None or best not in check.index:
        return Text(
            f"On the holdout, customers spent {money(actual, decimals=0)} on repeat purchases; no model that "
            "fitted cleanly predicted it."
        )
    error = _num(check.loc[best, "total error (%)"])
    text = (
        f"On the holdout, customers spent {money(actual, decimals=0)} on repeat purchases. Fitted on the "
        f"calibration period, {best} with Gamma-Gamma predicted "
        f"{money(check.loc[best, 'predicted total'], decimals=0)} "
        f"({_signed(error)})"
    )
    if abs(error) <= TOTAL_CLOSE_PCT:
        text += f": within {TOTAL_CLOSE_PCT:g}% of what they spent."
    else:
        low = error < 0
        text += (
            f": {percent(abs(error))} {'low' if low else 'high'}, beyond the {TOTAL_CLOSE_PCT:g}% within "
            "which a total reads close, so the CLV totals below read as "
            f"{'conservative' if low else 'optimistic'}."
        )
    others = [
        f"{m} {_signed(_num(e))}"
        for m, e in check["total error (%)"].items()
        if m not in (best, BASELINE) and _num(e) is not None
    ]
    if others:
        text += f" The other models: {listing(others)}."
    if BASELINE in check.index:
        base = _signed(_num(check.loc[BASELINE, "total error (%)"]))
        text += (
            f" Carrying each customer's calibration spend per week forward (no model) gives "
            f"{money(check.loc[BASELINE, 'predicted total'], decimals=0)} ({base})."
        )
    lift, gini = _num(check.loc[best, "top-decile lift"]), _num(check.loc[best, "Gini"])
    if lift is not None and gini is not None:
        text += (
            f" Ranked by {best}'s prediction, the top 10% of customers brought {lift:.2f} times their share "
            f"of the revenue (top-decile lift), with a Gini of {gini:.3f}"
        )
        b_lift = _num(check["top-decile lift"].get(BASELINE))
        b_gini = _num(check["Gini"].get(BASELINE))
        if b_lift is not None and b_gini is not None:
            text += f"; ranked by the spend-rate baseline, {b_lift:.2f} and {b_gini:.3f}"
        text += "."
    return Text(text)


def decile_sentence(deciles: pd.DataFrame | None, model: str | None = None) -> Text:
    """Actual against predicted holdout revenue by decile of ``model``'s prediction
    (``clv.revenue_by_decile``): the deciles whose prediction is more than :data:`FAR_OFF_PCT` percent
    below or above what their customers spent, with their actual/predicted ratios, and the top decile's
    share of the revenue."""
    if _empty(deciles):
        return Text("No decile of predicted revenue to compare.")
    who = f"{model}'s" if model else "the"
    ratio = deciles["actual / predicted"].map(_num)
    errors = ratio.map(lambda r: None if r is None or r <= 0 else 100 * (1 / r - 1))
    low, high = _far_off(errors.dropna())
    rule = f"(the rule: a prediction more than {FAR_OFF_PCT:g}% off is far off)"
    parts = []
    for which, word in ((low, "below"), (high, "above")):
        if which:
            name = "decile" if len(which) == 1 else "deciles"
            parts.append(
                f"customers in {name} {_ranges([int(d) for d in which])} spent {_span(ratio[which])} times "
                f"the prediction: it is far {word} what they spent"
            )
    text = f"By decile of {who} predicted holdout revenue (1 = lowest), " + (
        "; ".join(parts) + f" {rule}."
        if parts
        else f"every decile's prediction is within {FAR_OFF_PCT:g}% of what its customers spent {rule}."
    )
    share = _num(deciles["share of actual revenue (%)"].iloc[-1])
    if share is not None:
        text += f" The top decile brought {percent(share)} of the holdout revenue."
    return Text(text)


def _span(values: pd.Series) -> str:
    """``2.04 to 2.51`` (or one value)."""
    v = values.map(_num).dropna()
    lo, hi = float(v.min()), float(v.max())
    return f"{lo:.2f}" if lo == hi else f"{lo:.2f} to {hi:.2f}"


def revenue_frequency_sentence(table: pd.DataFrame | None, model: str | None) -> Text:
    """Mean holdout revenue per customer by past frequency (``clv.revenue_by_frequency``): the groups
    where ``model``'s prediction is more than :data:`FAR_OFF_PCT` percent below or above the actual
    (``clv.percent_errors`` of the table, shown beside it)."""
    from lifecycle_utils.clv.prediction import percent_errors

    if _empty(table) or model is None or model not in table.columns:
        return Text("No model's revenue to compare by past frequency.")
    errors = percent_errors(table)[f"{model} vs actual (%)"]
    far = _far_sentence(errors, model, "its predicted revenue per customer")
    return Text(
        f"By repeat purchases in the calibration period:{far}"
        if far
        else "No group has any revenue to compare."
    )


# ------------------------------------------------------------------------------- spend and value
def independence_sentence(correlation) -> Text:
    """The Gamma-Gamma independence check: ``clv.spend_frequency_table`` (Pearson and Spearman) or a
    single Pearson correlation (``clv.spend_frequency_correlation``), each read by
    :data:`WEAK_CORRELATION`: weak only when every correlation given is below it in absolute value."""
    if isinstance(correlation, pd.DataFrame):
        values = {str(k).split(" ")[0]: _num(v) for k, v in correlation["correlation"].items()}
        n = _num(correlation["repeat customers"].iloc[0]) if "repeat customers" in correlation else None
    else:
        values, n = {"Pearson": _num(correlation)}, None
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        return Text(
            "The correlation of repeat frequency and mean repeat spend cannot be computed (too few repeat "
            "customers, or no variation): the Gamma-Gamma independence assumption is not checked."
        )
    who = (
        f"Among the {_customers(n).replace('customer', 'repeat customer')}" if n else "Among repeat customers"
    )
    said = [
        f"a {k} correlation of {v:.2f}" if k == "Pearson" else f"a {k} (rank) correlation of {v:.2f}"
        for k, v in given.items()
    ]
    text = f"{who}, mean repeat spend and repeat frequency have {listing(said)}"
    strong = [k for k, v in given.items() if abs(v) >= WEAK_CORRELATION]
    p_values = {}
    if isinstance(correlation, pd.DataFrame) and "p-value" in correlation:
        p_values = {str(k).split(" ")[0]: _num(v) for k, v in correlation["p-value"].items()}
    beyond = [k for k in given if (p_values.get(k) is not None and p_values[k] < INDEPENDENCE_ALPHA)]
    if not strong:
        both = "both weak" if len(given) > 1 else "weak"
        if beyond:
            positive = any(given[k] > 0 for k in beyond)
            tests = listing([f"{k} {_p_value(p_values[k])}" for k in beyond])
            return Text(
                text + f": {both} (below {WEAK_CORRELATION:g} in absolute value), but beyond chance "
                f"({tests}, at α = {INDEPENDENCE_ALPHA:g}): the Gamma-Gamma "
                "assumption that the two are independent holds only approximately. The two models are "
                "multiplied below all the same"
                + (
                    "; with spend rising with frequency, that product tends to understate CLV."
                    if positive
                    else "; with spend falling with frequency, that product tends to overstate CLV."
                )
            )
        chance = ", and within chance" if p_values else ""
        return Text(
            text + f": {both} (below {WEAK_CORRELATION:g} in absolute value{chance}), so this check does not "
            "contradict the Gamma-Gamma assumption that the two are independent, and the two models are "
            "multiplied below."
        )
    return Text(
        text + f": not weak on {listing(strong)} ({WEAK_CORRELATION:g} or more in absolute value), so the "
        "Gamma-Gamma assumption that the two are independent is in doubt; the CLV values below multiply the "
        "two models all the same and should be read with caution."
    )


def spend_model_sentence(spend_model) -> Text:
    """What the fitted Gamma-Gamma model implies, from ``clv.spend_model_table`` (a fitted
    ``GammaGammaFitter`` or its ``params_`` is read through it): the mean spend per purchase across
    customers, ``p v / (q - 1)``."""
    from lifecycle_utils.clv.fitting import SPEND_MEAN, spend_model_table

    table = spend_model
    if not isinstance(table, pd.DataFrame):
        params = getattr(spend_model, "params_", spend_model)
        if params is None or not all(_num(params.get(k)) is not None for k in ("p", "q", "v")):
            return Text("The spend model was not fitted.")
        table = spend_model_table(params)
    estimate = table["estimate"] if "estimate" in table else pd.Series(dtype=float)
    q, mean = _num(estimate.get("q")), _num(estimate.get(SPEND_MEAN))
    if q is None or any(_num(estimate.get(k)) is None for k in ("p", "v")):
        return Text("The spend model was not fitted.")
    if q <= 1 or mean is None:
        return Text(
            f"The fitted spend model has q = {q:.3g}, at most 1: the mean spend per purchase it implies is "
            "infinite, so the spend of customers with few purchases is not pinned down."
        )
    penalty = _num(estimate.get("penalizer"))
    penalized = (
        f" It was fitted with a penalty (penalizer {penalty:g}): plain maximum likelihood did not converge, "
        "so its parameters are set partly by the penalty."
        if penalty
        else ""
    )
    return Text(
        f"The fitted spend model implies a mean spend per purchase of {money(mean)} across "
        "customers (p v / (q - 1)); each customer's expected spend moves from it towards their own mean "
        "repeat spend, the more repeat purchases they have." + penalized
    )


def clv_sentence(clv_facts: pd.Series | None, *, months: int, margin: float, annual_discount: float) -> Text:
    """Total, mean and median CLV (``clv.clv_summary``) over ``months`` at ``margin`` and
    ``annual_discount``, and its concentration, read by :data:`CONCENTRATED_PCT`."""
    if _empty(clv_facts) or _num(clv_facts.get("customers")) in (None, 0):
        return Text("No customer was valued.")
    text = (
        f"Over the next {months} months, at a {_param(margin)} margin and a {_param(annual_discount)} yearly "
        f"discount, expected CLV totals {money(clv_facts.get('total'), decimals=0)} across "
        f"{_customers(clv_facts['customers'])}; the mean customer is worth "
        f"{money(clv_facts.get('mean'))} and the median {money(clv_facts.get('median'))}."
    )
    top = clv_facts.filter(like="top")
    share = _num(top.iloc[0]) if len(top) else None
    if share is None or not 0 <= share <= 100:
        return Text(text + " The share of the top 10% cannot be read (total CLV is not positive).")
    if share >= CONCENTRATED_PCT:
        return Text(
            text + f" The top 10% of customers hold {percent(share)} of it: value is concentrated (the rule: "
            f"a share ≥ {CONCENTRATED_PCT:g}%)."
        )
    return Text(
        text + f" The top 10% of customers hold {percent(share)} of it: value is not concentrated in a few "
        f"customers (the rule: a share ≥ {CONCENTRATED_PCT:g}%)."
    )


def net_value_sentence(
    net: pd.Series | None, *, acquisition_cost: float, retention_cost_per_year: float, months: int
) -> Text:
    """Net value (``clv.net_value_summary``; per-customer net values from ``clv.net_value`` are read
    through it): the median, and the share of customers worth less than the assumed costs, read by
    :data:`MAJORITY_PCT`."""
    from lifecycle_utils.clv.value import NEGATIVE_SHARE, net_value_summary

    if _empty(net) or net.dropna().empty:
        return Text("No customer was valued.")
    if not acquisition_cost and not retention_cost_per_year:
        return Text("No acquisition or retention cost is assumed, so net value equals CLV.")
    summary = net if NEGATIVE_SHARE in net.index else net_value_summary(net)
    costs = []
    if retention_cost_per_year:
        costs.append(
            f"a retention cost of {money(retention_cost_per_year)} a year"
            + (
                ""
                if months == 12
                else f" ({money(retention_cost_per_year * months / 12)} over the {months} months)"
            )
        )
    if acquisition_cost:
        costs.append(f"an acquisition cost of {money(acquisition_cost)}")
    share = _num(summary[NEGATIVE_SHARE])
    text = (
        f"After {listing(costs)}, the median customer's net value is {money(summary['median'])}, and "
        f"{percent(share)} of the customers have a negative net value"
    )
    if share is not None and share > MAJORITY_PCT:
        return Text(
            text + ": more than half of the customers are expected to bring less than these costs, which "
            "notebook 05 turns into a targeting rule."
        )
    return Text(text + ".")


def interval_sentence(
    interval: tuple[float, float] | None,
    total,
    *,
    refits: int,
    holdout_error=None,
    revenue_error=None,
    failed: int = 0,
) -> Text:
    """The bootstrap interval of total CLV (``clv.ClvBootstrap.interval`` of ``refits`` resamples that
    refitted both models; ``failed`` left out) against the total: read by :data:`NARROW_INTERVAL_PCT`,
    whether the total lies inside it, and against the model's own error on the holdout (``holdout_error``:
    repeat purchases, ``revenue_error``: revenue, both %), which this interval does not cover."""
    lo, hi = (_num(v) for v in interval) if interval is not None else (None, None)
    total = _num(total)
    if lo is None or hi is None or not refits:
        return Text("The bootstrap gave no interval of total CLV (no refit succeeded).")
    text = (
        f"From parameter uncertainty ({count(refits)} resamples of customers, each refitting both the "
        f"transaction model and the spend model), the 90% interval of total CLV is {money(lo, decimals=0)} "
        f"to {money(hi, decimals=0)}"
    )
    left_out = (
        f" {count(failed)} {'resample was' if failed == 1 else 'resamples were'} left out: the refit failed "
        "or landed on a boundary."
        if failed
        else ""
    )
    if not total or total <= 0:
        return Text(text + "." + left_out)
    reach = round(100 * max(abs(lo - total), abs(hi - total)) / total, 9)
    text += f", within ±{reach:.1f}% of the total ({money(total, decimals=0)})"
    if reach <= NARROW_INTERVAL_PCT:
        text += (
            f": narrow (the rule: within ±{NARROW_INTERVAL_PCT:g}%), so the parameters are well pinned down."
        )
    else:
        text += (
            f": wide (beyond ±{NARROW_INTERVAL_PCT:g}%), so the data pins the parameters down only loosely."
        )
    if lo <= total <= hi:
        text += " The total lies inside its interval."
    else:
        text += (
            " The total lies outside its interval: refitted on resampled customers, the models land "
            "elsewhere, so the fit is not stable and the interval is no range around the total."
        )
    text += left_out
    errors = [(w, _num(e)) for w, e in (("repeat purchases", holdout_error), ("revenue", revenue_error))]
    errors = [(w, e) for w, e in errors if e is not None]
    if errors:
        said = listing([f"{_signed(e)} on {w}" for w, e in errors])
        larger = max(abs(e) for _, e in errors) > reach
        text += (
            " This interval is parameter uncertainty only. On the holdout the model's own totals were off "
            f"by {said}: model error, which no refit of the same model removes"
            + (", and larger than this interval's reach." if larger else ".")
        )
    return Text(text)


def clv_by_sentence(table: pd.DataFrame | None) -> Text:
    """CLV by lifecycle stage or RFM segment (``clv.clv_by``): the group with the largest share of total
    CLV against its share of the customers, and what the churned stage still holds."""
    what = table.index.name if table is not None and table.index.name else "group"
    if _empty(table) or not (_num(table["total CLV"].sum()) or 0) > 0:
        return Text(f"No CLV to break down by {what}.")
    shares = table["share of total (%)"].map(_num)
    top = shares.idxmax()
    n = float(table.loc[top, "customers"])
    text = (
        f"By {what}, '{top}' holds the largest share of the CLV, {percent(shares[top])}, with "
        f"{_customers(n)} ({percent(100 * n / float(table['customers'].sum()))} of all)."
    )
    if "churned" in table.index and top != "churned" and (shares.get("churned") or 0) > 0:
        text += (
            f" Customers in the churned stage still hold {percent(shares['churned'])}: the model gives them "
            "a chance of being alive."
        )
    return Text(text)


def at_risk_sentence(
    at_risk: pd.Series | None, *, months: int | None = None, margin: float | None = None
) -> Text:
    """The silent customers' predicted future margin (``clv.value_at_risk``: their CLV at the notebook's
    ``margin`` over ``months``: what they bring with no contact), the most a contact can add (what they
    would bring if each were certainly still active, minus that: the ceiling a budget to keep them is
    weighed against), beside their last-year spend (past revenue, not that ceiling)."""
    from lifecycle_utils.clv.value import CONTACT_CEILING, FUTURE_MARGIN

    if _empty(at_risk):
        return Text("The silent customers' future margin was not computed.")
    stage = at_risk.name or "silent"
    n = _num(at_risk.get("customers")) or 0
    if n == 0:
        return Text(
            f"No customer is in the {stage} stage at the end of the data, so there is no one to keep."
        )
    future, ceiling, spend, p = (
        _num(at_risk.get(k))
        for k in (FUTURE_MARGIN, CONTACT_CEILING, "spend in the last year", "mean P(alive)")
    )
    horizon = f"over the next {months} months" if months else "over the CLV horizon"
    at = f" (their CLV at a {_param(margin)} margin)" if margin is not None else " (their CLV)"
    alive = f" (mean P(alive) {p:.2f})" if p is not None else ""
    text = (
        f"The {count(n)} {stage} customers{alive} are predicted to bring {money(future, decimals=0)} of "
        f"margin {horizon}{at} with no contact at all."
    )
    if ceiling is not None:
        text += (
            f" Were every one of them certainly still active, they would bring {money(ceiling, decimals=0)} "
            "more: the most a contact could add, and the ceiling for a budget to keep them. A contact adds "
            "only what it raises above the prediction; notebook 05 weighs that against its cost."
        )
    if spend:
        text += (
            f" Their {money(spend, decimals=0)} of spend in the last year is revenue already earned, before "
            "margin: not that ceiling."
        )
    return Text(text)


def lists_sentence(
    potential: pd.DataFrame | None,
    warning: pd.DataFrame | None,
    *,
    totals: pd.DataFrame | None = None,
    alive_below=None,
) -> Text:
    """The two lists of ``clv.potential_and_warning``: who is expected to buy most next quarter, and the
    customers whose P(alive) is below ``alive_below`` (default ``clv.WARNING_ALIVE_BELOW``) ranked by
    what the list says it is ranked by (its ``ranked_by``: CLV or past spend), with their totals from
    ``totals`` (``clv.list_totals``, computed from the lists when not given; its comparison row, the list
    ranked by past spend, is read when present)."""
    from lifecycle_utils.clv.value import WARNING_ALIVE_BELOW, list_totals

    alive_below = WARNING_ALIVE_BELOW if alive_below is None else alive_below
    by = (warning.attrs.get("ranked_by") if warning is not None else None) or "CLV"
    if totals is None:
        totals = list_totals(potential, warning, alive_below=alive_below)
    if _empty(potential):
        first = "The first list is empty: no customer to rank."
    else:
        e = potential["expected purchases next quarter"]
        first = (
            f"The first list holds the {_customers(len(potential))} with the most expected purchases in the "
            f"next quarter ({_fixed(e.min())} to {_fixed(e.max())} each): upsell and keep-warm "
            "candidates."
        )
    if _empty(warning):
        return Text(f"{first} No customer has P(alive) under {alive_below:g}, so the second list is empty.")
    row = totals.iloc[1]
    k = len(warning)
    who = (
        f"{count(k)} customer{'' if k == 1 else 's'} with the highest CLV"
        if by == "CLV"
        else _n(k, "highest past spender")
    )
    second = (
        f"The second holds the {who} among customers with P(alive) under {alive_below:g}, more likely gone "
        f"than alive (together {money(row['CLV'], decimals=0)} of expected CLV, "
        f"{money(row['total spend'], decimals=0)} spent so far): win-back candidates, ranked by "
        + ("what they are still predicted to bring." if by == "CLV" else "what they spent in the past.")
    )
    if len(totals) > 2:
        other = totals.iloc[2]
        second += (
            f" Ranked by past spend instead, the list would hold {money(other['CLV'], decimals=0)} of "
            f"expected CLV and {money(other['total spend'], decimals=0)} of past spend."
        )
    return Text(f"{first} {second}")


def sensitivity_sentence(table: pd.DataFrame | None, *, margin: float, annual_discount: float) -> Text:
    """Total CLV over a grid of margins and yearly discount rates (``clv.clv_sensitivity``): its range,
    and at the notebook's ``margin`` what the lowest and highest discount rate give."""
    if _empty(table) or table.empty:
        return Text("No grid of margins and discount rates was computed.")
    values = table.stack().map(_num).dropna()
    if values.empty:
        return Text("No grid of margins and discount rates was computed.")
    months = table.attrs.get("months")
    lo, hi = values.idxmin(), values.idxmax()
    horizon = f"Over the next {months} months, total" if months else "Total"
    text = (
        f"{horizon} CLV ranges from {money(values[lo], decimals=0)} (a {lo[0]:g}% margin, discounted at "
        f"{lo[1]:g}% a year) to {money(values[hi], decimals=0)} ({hi[0]:g}% and {hi[1]:g}%); it is "
        "proportional to the margin."
    )
    row = round(100 * float(margin), 2)
    if row in table.index and table.shape[1] > 1:
        first, last = table.columns[0], table.columns[-1]
        a, b = _num(table.loc[row, first]), _num(table.loc[row, last])
        if a and b is not None:
            text += (
                f" At the {row:g}% margin used here, discounting at {first:g}% and at {last:g}% a year gives "
                f"{money(a, decimals=0)} and {money(b, decimals=0)} ({_signed(100 * (b - a) / a)})."
            )
    used = round(100 * float(annual_discount), 2)
    if row not in table.index or used not in table.columns:
        text += " (The margin and discount used in this notebook are not on this grid.)"
    return Text(text)


def _reach(values: pd.Series) -> str:
    """``±0.9% to ±1.0%``, or ``±1.0%`` when they round alike."""
    lo, hi = f"±{values.min():.1f}%", f"±{values.max():.1f}%"
    return lo if lo == hi else f"{lo} to {hi}"


def customer_interval_sentence(table: pd.DataFrame | None) -> Text:
    """Per-customer intervals of CLV (``clv.customer_intervals``): how far they reach for the customers
    with the highest CLV and for the examples, read by :data:`NARROW_INTERVAL_PCT`, and what they leave
    out."""
    if _empty(table):
        return Text("No per-customer interval was computed.")
    reach = table["reach (± % of CLV)"].map(_num)
    top = reach[table["shown as"].astype(str).str.startswith("top")].dropna()
    rest = reach[~table["shown as"].astype(str).str.startswith("top")].dropna()
    parts = []
    if len(top):
        parts.append(
            f"for the {_customers(len(top))} with the highest CLV they reach {_reach(top)} of it"
            if len(top) > 1
            else f"for the customer with the highest CLV it reaches ±{top.iloc[0]:.1f}%"
        )
    if len(rest):
        parts.append(
            f"for the examples {_reach(rest)}" if len(rest) > 1 else f"for the example ±{rest.iloc[0]:.1f}%"
        )
    shown = reach.dropna()
    narrow = int((shown <= NARROW_INTERVAL_PCT).sum())
    text = (
        "Per customer, the same bootstrap gives an interval of each customer's CLV: "
        + ("; ".join(parts) + ". " if parts else "")
        + f"{narrow} of the {len(shown)} with a CLV shown above 0 {'is' if narrow == 1 else 'are'} narrow "
        f"(within ±{NARROW_INTERVAL_PCT:g}%)."
        if len(shown)
        else "Per customer, no interval can be read (no CLV shown above 0)."
    )
    return Text(
        text + " These intervals cover the parameters only, not the chance in each customer's own purchases, "
        "which the holdout deciles above show."
    )


# ------------------------------------------------------------------------------- record
def _reproduced(figures: dict):
    return figures.get("published figures reproduced", figures.get("published CDNOW figures reproduced"))


def _all_of(reproduced) -> bool | None:
    """``"35 of 35"`` -> True, ``"33 of 35"`` -> False, anything else -> None."""
    try:
        k, n = (int(x) for x in str(reproduced).split(" of "))
    except ValueError:
        return None
    return k == n


def baseline_verdict(figures: dict) -> str | None:
    """How the models' lowest holdout MAE compares with the better naive baseline's, from notebook 04's
    recorded figures: ``"beats"`` (at least :data:`BEATS_BASELINE_PCT` % lower and the interval of the
    difference above 0), ``"no better"`` (higher, or an interval that includes 0), ``"not clearly
    better"`` (lower, but by less than the rule), or None when the figures are missing."""
    mae = _num(figures.get("lowest model holdout MAE"))
    base = _num(figures.get("best baseline holdout MAE"))
    low = _num(figures.get("best baseline MAE minus the lowest model's, 90% low"))
    if mae is None or not base:
        return None
    gain = round(100 * (base - mae) / base, 9)  # rounded: no float noise at the rule
    if gain < 0 or (low is not None and low <= 0):
        return "no better"
    return "beats" if gain >= BEATS_BASELINE_PCT else "not clearly better"


def answer(figures: dict) -> Text:
    """Notebook 04: the model used (a fallback named as such), total CLV over the recorded horizon with
    its interval, concentration, the model's error on the holdout revenue and the total that error
    implies, a warning when no model beat the naive forecasts (:func:`baseline_verdict`), and a warning
    when the CDNOW reproduction (a check of the code, not of the data) fails."""
    from lifecycle_utils.clv.fitting import FALLBACKS
    from lifecycle_utils.clv.value import IMPLIED_TOTAL

    reproduced = _reproduced(figures)
    text = ""
    model = figures.get("model trusted")
    if model:
        months = figures.get("CLV horizon (months)")
        margin, discount = _num(figures.get("margin (%)")), _num(figures.get("annual discount (%)"))
        if months:
            what = f"total CLV over the next {months} months"
            terms = [f"at a {margin:g}% margin" if margin is not None else ""]
            terms.append(f"discounted at {discount:g}% a year" if discount is not None else "")
            terms = ", ".join(t for t in terms if t)
            what += f" ({terms})" if terms else ""
        else:
            what = "total CLV (discounted margin over the notebook's horizon)"
        used = (
            f"{model} is the model used (a fallback: every dropout model put its dropout at 0)"
            if model in FALLBACKS
            else f"{model} is the model used"
        )
        text += (
            f"On this data {used}; {what} is "
            f"{money(figures.get('total CLV'), decimals=0)} (90% interval {_clv_interval(figures)}, "
            "parameter uncertainty only), and the top tenth "
            f"of customers hold {percent(figures.get('top 10% share of CLV (%)'))} of it."
        )
        revenue = _num(figures.get(f"{model} holdout revenue error (%)"))
        if revenue is not None:
            text += f" On the holdout its predicted revenue was off by {_signed(revenue)}"
            implied = _num(figures.get(IMPLIED_TOTAL))
            if implied is not None:
                text += f"; if it errs the same way now, the total is about {money(implied, decimals=0)}"
            text += "."
        verdict = baseline_verdict(figures)
        if verdict in ("no better", "not clearly better"):
            text += (
                f" On the holdout the models were {verdict} than a naive forecast: read these values as a "
                "rough ranking of customers, not a forecast of revenue."
            )
    if _all_of(reproduced) is False:  # a warning about the code; a full reproduction is said in its section
        text += (
            f" Only {reproduced} published figures of the CDNOW sample are reproduced: the wrappers around "
            "lifetimes may not behave as published (a check of the code, not of this data)."
        )
    return with_not_run(text.strip(), figures)


def _model_bullet(figures: dict) -> str:
    from lifecycle_utils.clv.fitting import FALLBACKS

    model = figures["model trusted"]
    tied = [m for m in str(figures.get("models indistinguishable on holdout MAE") or "").split(", ") if m]
    if model in FALLBACKS:
        text = (
            f"{model} is the model used, a named fallback: every dropout model put its dropout at 0 on this "
            "data, so none of them could value customers; it assumes nobody leaves, so its values run high "
            "if customers do leave later."
        )
    elif len(tied) > 1:
        text = (
            f"{model} is the model used: {listing(tied)} are indistinguishable on the holdout error per "
            "customer (the bootstrap interval of the difference includes 0), and of these it has the "
            "smallest error on the total."
        )
    else:
        text = (
            f"{model} is the model used: the lowest holdout error per customer of the models that fitted "
            "cleanly."
        )
    mae = _num(figures.get("lowest model holdout MAE", figures.get(f"{model} holdout MAE")))
    base = _num(figures.get("best baseline holdout MAE"))
    verdict = baseline_verdict({"lowest model holdout MAE": mae, **figures})
    if mae is not None and base:
        gain = round(100 * (base - mae) / base, 9)
        if verdict == "no better":
            text += (
                f" The models' lowest MAE ({mae:.3f}) is no better than the better naive baseline's "
                f"({base:.3f}): on this data the models add nothing a naive forecast does not give."
            )
        elif verdict == "beats":
            text += (
                f" The models' lowest MAE ({mae:.3f}) is {percent(gain)} below the better naive baseline's "
                f"({base:.3f}): they beat the naive forecasts."
            )
        else:
            text += (
                f" The models' lowest MAE ({mae:.3f}) is not clearly better than the better naive baseline's "
                f"({base:.3f})."
            )
    errors = [
        (w, _num(figures.get(f"{model} holdout {k} error (%)")))
        for w, k in (("repeat purchases", "total"), ("revenue", "revenue"))
    ]
    errors = [(w, e) for w, e in errors if e is not None]
    if errors:
        worst = max(errors, key=lambda we: abs(we[1]))[1]
        said = listing([f"{_signed(e)} on {w}" for w, e in errors])
        text += (
            f" Its holdout totals were within {TOTAL_CLOSE_PCT:g}% of what happened ({said})."
            if abs(worst) <= TOTAL_CLOSE_PCT
            else f" Its holdout totals were off by {said}: read the CLV totals as "
            f"{'conservative' if worst < 0 else 'optimistic'}, within about that error."
        )
    return text


def _value_bullet(figures: dict) -> str:
    months = figures.get("CLV horizon (months)")
    horizon = f"over the next {months} months" if months else "over the notebook's horizon"
    text = f"Total CLV {horizon} is {money(figures.get('total CLV'), decimals=0)}"
    reach = _num(figures.get("total CLV 90% interval within ± (%)"))
    if reach is not None:
        text += (
            f" (90% interval {_clv_interval(figures)}, within ±{reach:.1f}%: "
            + ("narrow" if reach <= NARROW_INTERVAL_PCT else "wide")
            + ", from parameter uncertainty alone)"
        )
    if figures.get("total CLV inside its interval") == "no":
        text += ", and the total lies outside that interval: the fit is not stable under resampling"
    share = _num(figures.get("top 10% share of CLV (%)"))
    if share is None or not 0 <= share <= 100:
        return text + "."
    if share >= CONCENTRATED_PCT:
        return text + f". Value is concentrated: the top 10% of customers hold {percent(share)} of it."
    return (
        text + f". The top 10% of customers hold {percent(share)} of it: value is not concentrated in a few."
    )


def _risk_bullet(figures: dict) -> str | None:
    key = next((k for k in figures if k.endswith(" customers' predicted future margin")), None)
    if key is None:
        return None
    stage = key.removesuffix(" customers' predicted future margin")
    n = _num(figures.get(f"{stage} customers"))
    future, spend = _num(figures[key]), _num(figures.get(f"{stage} customers' last-year spend"))
    ceiling = _num(figures.get(f"{stage} customers: most a contact can add"))
    if n == 0:
        return f"No customer is {stage} at the end of the data."
    who = f"the {count(n)} {stage} customers" if n is not None else f"{stage} customers"
    text = (
        f"With no contact, {who} are predicted to bring {money(future, decimals=0)} of margin; a budget to "
        "keep them is weighed against "
        + ("that" if ceiling is None else f"the most a contact could add, {money(ceiling, decimals=0)}")
    )
    if spend:
        text += f", not against the {money(spend, decimals=0)} they spent in the last year"
    return (
        text + ". P(alive) and the two lists say whom to contact and whom to let go; notebook 05 weighs what "
        "a contact costs."
    )


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures only. The CDNOW check (which the Answer states)
    gets a bullet only when a published figure was not reproduced: then every result below is in doubt."""
    bullets = []
    reproduced = _reproduced(figures)
    if reproduced and _all_of(reproduced) is False:
        bullets.append(
            f"About CDNOW only: only {reproduced} published figures are reproduced, so the wrappers may not "
            "fit the models as the papers do; see the first section before using the figures below."
        )
    if figures.get("model trusted"):
        bullets.append(_model_bullet(figures))
        bullets.append(_value_bullet(figures))
        correlations = {
            "Pearson": _num(figures.get("spend-frequency correlation")),
            "Spearman": _num(figures.get("spend-frequency rank correlation")),
        }
        strong = {k: v for k, v in correlations.items() if v is not None and abs(v) >= WEAK_CORRELATION}
        if strong:
            said = listing([f"{k} {v:.2f}" for k, v in strong.items()])
            bullets.append(
                f"Spend and frequency are correlated ({said}): the spend model's independence assumption is "
                "in doubt, so read the CLV values with caution."
            )
        risk = _risk_bullet(figures)
        if risk:
            bullets.append(risk)
    elif figures.get("no dropout in the data (every model on a boundary)") == "yes":
        bullets.append(
            "Every transaction model put its dropout at 0 on this data and no fallback fitted cleanly: no "
            "customer is valued; the notes above say why."
        )
    else:
        bullets.append("No transaction model valued the customers of this data; the notes above say why.")
    return Text("\n".join(f"- {b}" for b in bullets))
