"""The sentences of notebook 04 (customer lifetime value), each built from the
table or fit it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
The rule that picks the model to use is the layer's (``clv.best_model``, with its threshold
``clv.MAE_TIE_PCT``); the sentences here say what it found. The layer is imported only inside the
functions that need it, so that the report index can read Answers without loading the models.
"""

from __future__ import annotations

import math

import pandas as pd

from lifecycle_utils.narrative.answers import with_not_run
from lifecycle_utils.narrative.words import Text, count, listing, money, percent

__all__ = [
    "BEATS_BASELINE_PCT",
    "TOTAL_CLOSE_PCT",
    "HISTOGRAM_CLOSE_PCT",
    "GONE_BELOW",
    "ALIVE_FROM",
    "WEAK_CORRELATION",
    "CONCENTRATED_PCT",
    "NARROW_INTERVAL_PCT",
    "MAJORITY_PCT",
    "published_sentence",
    "split_weeks",
    "fit_sentence",
    "standard_error_sentence",
    "holdout_sentence",
    "period_sentence",
    "conditional_sentence",
    "tracking_sentence",
    "alive_sentence",
    "independence_sentence",
    "spend_model_sentence",
    "clv_sentence",
    "net_value_sentence",
    "interval_sentence",
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
# value is "concentrated" when the top tenth of customers hold at least this share (%) of total CLV
CONCENTRATED_PCT = 50.0
# the bootstrap interval is "narrow" (the parameters are well pinned down) when it reaches at most this
# many percent from the total on either side
NARROW_INTERVAL_PCT = 5.0
MAJORITY_PCT = 50.0  # "more than half of the customers" when strictly more than this share (%)


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
    """Which transaction models fitted and how (from ``clv.fit_report``), and their log-likelihoods on
    the calibration period."""
    if _empty(report):
        return Text("No transaction model was fitted.")
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
    fallback = [m for m, note in ok["note"].items() if note != "plain maximum likelihood"]
    text += (
        " by plain maximum likelihood"
        if len(ok) and not fallback
        else f" ({listing(fallback)} after a fallback)"
        if fallback
        else ""
    )
    text += "."
    others = report[report["fitted"] != "yes"]
    if len(others):
        states = [
            f"{m} ({'on a boundary' if f == 'on a boundary' else 'no fit'})"
            for m, f in others["fitted"].items()
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
        return Text("No model fitted, so there are no standard errors.")
    has = table["standard error"].notna().groupby(level="model", sort=False).all()
    with_se, without = list(has.index[has]), list(has.index[~has])
    parts = []
    if with_se:
        parts.append(
            f"{listing(with_se)} {'comes' if len(with_se) == 1 else 'come'} with standard errors from "
            "lifetimes' Hessian"
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
    return Text(text + " The interval of total CLV below comes from a customer bootstrap of the model used.")


def holdout_sentence(comparison: pd.DataFrame | None, best: str | None, *, fits: dict | None = None) -> Text:
    """The holdout check (``clv.holdout_comparison``): each model's error on the total, the model used
    against the naive baselines (:data:`BEATS_BASELINE_PCT`), why it is used (``clv.best_model``'s rule
    with ``clv.MAE_TIE_PCT``; ``fits`` as given to it) and how its total erred (:data:`TOTAL_CLOSE_PCT`)."""
    from lifecycle_utils.clv.prediction import MAE_TIE_PCT, indistinguishable

    if _empty(comparison):
        return Text("No model was compared on the holdout.")
    is_base = comparison.index.str.startswith("baseline")
    models, baselines = comparison[~is_base], comparison[is_base]
    actual = _num(comparison["actual total"].iloc[0])
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
    mae = _num(models.loc[best, "MAE"])
    base = baselines["MAE"].map(_num).dropna()
    if mae is not None and len(base):
        name, bmae = base.idxmin(), float(base.min())
        gain = (
            round(100 * (bmae - mae) / bmae, 9) if bmae > 0 else None
        )  # rounded: no float noise at the rule
        text = (
            f"Per customer, {best} is off by {mae:.3f} purchases on average (MAE), against {bmae:.3f} for "
            f"the better naive baseline ({name.removeprefix('baseline: ')})"
        )
        if gain is not None and gain >= BEATS_BASELINE_PCT:
            text += (
                f": {percent(gain)} lower, so it beats the naive forecasts (the rule: at least "
                f"{BEATS_BASELINE_PCT:g}% lower)."
            )
        elif gain is not None:
            text += (
                f": {percent(abs(gain))} {'lower' if gain >= 0 else 'higher'}, so it is not clearly better "
                f"than a naive forecast (the rule: at least {BEATS_BASELINE_PCT:g}% lower)."
            )
        else:
            text += "."
        sentences.append(text)
    tied = indistinguishable(comparison, fits)
    clean = [m for m in models.index if fits is None or (m in fits and fits[m].ok)]
    if len(tied) > 1:
        sentences.append(
            f"{listing(tied)} are indistinguishable on this check (holdout MAE within {MAE_TIE_PCT:g}% of "
            f"the lowest); {best} is used: of these, it has the smallest error on the total."
        )
    elif len(clean) == 1:
        sentences.append(f"{best} is the only model that fitted cleanly, so it is used.")
    else:
        others = models.loc[[m for m in clean if m != best], "MAE"].map(_num).dropna().sort_values()
        after = f" ({others.index[0]} {others.iloc[0]:.3f})" if len(others) else ""
        sentences.append(
            f"{best} is used: its holdout MAE is the lowest, more than {MAE_TIE_PCT:g}% below the next "
            f"model's{after}."
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
    group (``clv.conditional_expectations``): in how many groups it is below, and the largest gap of
    ``best`` (the model used; the first model when not given)."""
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
    return Text(text)


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
        text += f"; the models expected {listing(said)}"
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


# ------------------------------------------------------------------------------- spend and value
def independence_sentence(correlation) -> Text:
    """The Gamma-Gamma independence check (``clv.spend_frequency_correlation``), read by
    :data:`WEAK_CORRELATION`."""
    r = _num(correlation)
    if r is None:
        return Text(
            "The correlation of repeat frequency and mean repeat spend cannot be computed (too few repeat "
            "customers, or no variation): the Gamma-Gamma independence assumption is not checked."
        )
    text = f"Among repeat customers, mean repeat spend and repeat frequency have a correlation of {r:.2f}"
    if abs(r) < WEAK_CORRELATION:
        return Text(
            text
            + f": weak (below {WEAK_CORRELATION:g} in absolute value), so this check does not contradict "
            "the Gamma-Gamma assumption that the two are independent, and the two models are multiplied "
            "below."
        )
    return Text(
        text + f": not weak ({WEAK_CORRELATION:g} or more in absolute value), so the Gamma-Gamma assumption "
        "that the two are independent is in doubt; the CLV values below multiply the two models all the same "
        "and should be read with caution."
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
    return Text(
        f"The fitted spend model implies a mean spend per purchase of {money(mean)} across "
        "customers (p v / (q - 1)); each customer's expected spend moves from it towards their own mean "
        "repeat spend, the more repeat purchases they have."
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
    interval: tuple[float, float] | None, total, *, refits: int, holdout_error=None
) -> Text:
    """The bootstrap interval of total CLV (``clv.interval`` of ``clv.bootstrap_total_clv``'s ``refits``
    draws) against the total, read by :data:`NARROW_INTERVAL_PCT`, and against the model's own error on
    the holdout total (``holdout_error``, %)."""
    lo, hi = (_num(v) for v in interval) if interval is not None else (None, None)
    total = _num(total)
    if lo is None or hi is None or not refits:
        return Text("The bootstrap gave no interval of total CLV (no refit succeeded).")
    text = (
        f"From parameter uncertainty alone ({count(refits)} refits of the transaction model on resampled "
        f"customers, spend model held fixed), the 90% interval of total CLV is {money(lo, decimals=0)} to "
        f"{money(hi, decimals=0)}"
    )
    if not total or total <= 0:
        return Text(text + ".")
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
    error = _num(holdout_error)
    if error is not None:
        text += (
            f" The interval leaves out the model's own error: on the holdout its total was off by "
            f"{percent(abs(error))}"
            + (
                ", more than this interval reaches."
                if abs(error) > reach
                else ", within this interval's reach."
            )
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


def at_risk_sentence(at_risk: pd.Series | None) -> Text:
    """The silent customers' last-year spend at risk (``clv.value_at_risk``): their spend weighted by
    their probability of being gone."""
    if _empty(at_risk):
        return Text("The spend at risk was not computed.")
    stage = at_risk.name or "silent"
    n = _num(at_risk.get("customers")) or 0
    if n == 0:
        return Text(
            f"No customer is in the {stage} stage at the end of the data, so no spend of theirs is at risk."
        )
    spend, risk = _num(at_risk.get("spend in the last year")), _num(at_risk.get("last-year spend at risk"))
    if not spend:
        return Text(
            f"The {count(n)} {stage} customers spent nothing in the last year, so none of it is at risk."
        )
    share = 100 * risk / spend if risk is not None else None
    return Text(
        f"The {count(n)} {stage} customers spent {money(spend, decimals=0)} in the last year; weighted by "
        f"their probability of being gone (1 - P(alive)), {money(risk, decimals=0)} of that "
        f"({percent(share)}) is at risk (revenue, before margin). Their expected CLV is "
        f"{money(at_risk.get('expected CLV'), decimals=0)}."
    )


def lists_sentence(
    potential: pd.DataFrame | None,
    warning: pd.DataFrame | None,
    *,
    totals: pd.DataFrame | None = None,
    alive_below=None,
) -> Text:
    """The two lists of ``clv.potential_and_warning``: who is expected to buy most next quarter, and the
    high past spenders whose P(alive) is below ``alive_below`` (default ``clv.WARNING_ALIVE_BELOW``), with
    their totals from ``totals`` (``clv.list_totals``; computed from the lists when not given)."""
    from lifecycle_utils.clv.value import WARNING_ALIVE_BELOW, list_totals

    alive_below = WARNING_ALIVE_BELOW if alive_below is None else alive_below
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
        second = f"No customer has P(alive) under {alive_below:g}, so the second list is empty."
    else:
        second = (
            f"The second holds the {_n(len(warning), 'highest past spender')} among customers with P(alive) "
            f"under {alive_below:g}, more likely gone than alive (together "
            f"{money(totals['total spend'].iloc[-1], decimals=0)} spent so far, "
            f"{money(totals['CLV'].iloc[-1], decimals=0)} of expected CLV): win-back candidates."
        )
    return Text(f"{first} {second}")


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


def answer(figures: dict) -> Text:
    """Notebook 04: the CDNOW reproduction, the model used, total CLV over the recorded horizon with its
    interval, concentration."""
    reproduced = _reproduced(figures)
    text = f"About CDNOW only: {reproduced or 'no'} published figures are reproduced."
    if figures.get("model trusted"):
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
        text += (
            f" On this data {figures['model trusted']} is the model used; {what} is "
            f"{money(figures.get('total CLV'), decimals=0)} (90% interval "
            f"{figures.get('total CLV 90% interval', 'n/a')}), and the top tenth of customers hold "
            f"{percent(figures.get('top 10% share of CLV (%)'))} of it."
        )
    return with_not_run(text, figures)


def _model_bullet(figures: dict) -> str:
    model = figures["model trusted"]
    tied = [m for m in str(figures.get("models indistinguishable on holdout MAE") or "").split(", ") if m]
    mae, base = _num(figures.get(f"{model} holdout MAE")), _num(figures.get("best baseline holdout MAE"))
    if len(tied) > 1:
        text = (
            f"{model} is the model used: {listing(tied)} are indistinguishable on the holdout error per "
            "customer, and of these it has the smallest error on the total."
        )
    else:
        text = (
            f"{model} is the model used: the lowest holdout error per customer of the models that fitted "
            "cleanly."
        )
    if mae is not None and base:
        gain = round(100 * (base - mae) / base, 9)
        text += (
            f" Its MAE ({mae:.3f}) is {percent(gain)} below the better naive baseline's ({base:.3f}): it "
            "beats the naive forecasts."
            if gain >= BEATS_BASELINE_PCT
            else f" Its MAE ({mae:.3f}) is not clearly better than the better naive baseline's ({base:.3f})."
        )
    error = _num(figures.get(f"{model} holdout total error (%)"))
    if error is not None:
        text += (
            f" Its holdout total was within {TOTAL_CLOSE_PCT:g}% of what happened ({_signed(error)})."
            if abs(error) <= TOTAL_CLOSE_PCT
            else f" Its holdout total ran {percent(abs(error))} {'low' if error < 0 else 'high'}: read the "
            f"CLV totals as {'conservative' if error < 0 else 'optimistic'}."
        )
    return text


def _value_bullet(figures: dict) -> str:
    months = figures.get("CLV horizon (months)")
    horizon = f"over the next {months} months" if months else "over the notebook's horizon"
    text = f"Total CLV {horizon} is {money(figures.get('total CLV'), decimals=0)}"
    reach = _num(figures.get("total CLV 90% interval within ± (%)"))
    if reach is not None:
        text += (
            f" (90% interval {figures.get('total CLV 90% interval')}, within ±{reach:.1f}%: "
            + ("narrow" if reach <= NARROW_INTERVAL_PCT else "wide")
            + ", from parameter uncertainty alone)"
        )
    share = _num(figures.get("top 10% share of CLV (%)"))
    if share is None or not 0 <= share <= 100:
        return text + "."
    if share >= CONCENTRATED_PCT:
        return text + f". Value is concentrated: the top 10% of customers hold {percent(share)} of it."
    return (
        text + f". The top 10% of customers hold {percent(share)} of it: value is not concentrated in a few."
    )


def _risk_bullet(figures: dict) -> str | None:
    key = next((k for k in figures if k.endswith(" customers' last-year spend at risk")), None)
    if key is None:
        return None
    stage = key.removesuffix(" customers' last-year spend at risk")
    n = _num(figures.get(f"{stage} customers"))
    spend, risk = _num(figures.get(f"{stage} customers' last-year spend")), _num(figures[key])
    if n == 0:
        return f"No customer is {stage} at the end of the data."
    who = f"the {count(n)} {stage} customers" if n is not None else f"{stage} customers"
    if spend:
        lead = (
            f"Of the {money(spend, decimals=0)} {who} spent in the last year, {money(risk, decimals=0)} "
            f"({percent(100 * (risk or 0) / spend)}) is at risk"
        )
    else:
        lead = f"{money(risk, decimals=0)} of the last-year spend of {who} is at risk"
    return (
        f"{lead}, weighted by their probability of being gone. P(alive) and the two lists say whom to "
        "contact and whom to let go; notebook 05 weighs what a contact costs."
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
        r = _num(figures.get("spend-frequency correlation"))
        if r is not None and abs(r) >= WEAK_CORRELATION:
            bullets.append(
                f"Spend and frequency are correlated ({r:.2f}): the spend model's independence assumption is "
                "in doubt, so read the CLV values with caution."
            )
        risk = _risk_bullet(figures)
        if risk:
            bullets.append(risk)
    else:
        bullets.append("No transaction model valued the customers of this data; the notes above say why.")
    return Text("\n".join(f"- {b}" for b in bullets))
