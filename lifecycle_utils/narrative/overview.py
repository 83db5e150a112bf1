"""The sentences of notebook 00 (the data, its quality and the customer summary), each built from the
table it interprets, and the notebook's Answer and "What this means" from its recorded figures.

Judgements come from named thresholds; where none applies the sentence states the number and stops.
"""

from __future__ import annotations

import pandas as pd

from lifecycle_utils.narrative.words import Text, count, day, listing, money, percent

__all__ = [
    "MAJORITY_PCT",
    "REVENUE_GAP_POINTS",
    "SKEW_RATIO",
    "SINGLE_COHORT_SHARE",
    "MIN_WEEKS",
    "RECENT_WEEKS",
    "CHECK_WORDS",
    "heading",
    "log_sentence",
    "ledger_sentence",
    "quality_sentence",
    "repeat_sentence",
    "occasions_title",
    "occasions_sentence",
    "spend_sentence",
    "single_cohort",
    "activity_sentence",
    "split_sentence",
    "headline_figures",
    "answer",
    "what_this_means",
]

MAJORITY_PCT = 50.0  # "most customers buy once" when strictly more than this share (%) buy once
# repeat buying "carries more of the revenue than its share of customers" when the repeat-revenue share
# exceeds the repeat-customer share by at least this many percentage points
REVENUE_GAP_POINTS = 10.0
SKEW_RATIO = 1.2  # "a right tail" when the mean spend per occasion is at least this multiple of the median
# "one acquisition cohort" when every new customer arrives in the first SINGLE_COHORT_SHARE of the weeks
SINGLE_COHORT_SHARE = 0.25
MIN_WEEKS = 8  # fewer weeks observed than this: no judgement on how customers are acquired
# new customers "keep arriving" only when some arrive within this many weeks of the end of the log;
# otherwise the sentence says when acquisition stopped
RECENT_WEEKS = 4


def heading(label: str) -> Text:
    """The notebook's title, naming the data set."""
    return Text(f"# 00 · The data: {label}, its quality and the customer summary")


def log_sentence(facts: pd.Series, label: str, published: pd.DataFrame | None = None) -> Text:
    """What the log holds (from ``data.describe_transactions``); with ``published`` (a
    ``validation.compare`` table, for CDNOW only) whether these are the published figures."""
    text = (
        f"{label} holds {count(facts['rows'])} purchase rows by {count(facts['customers'])} customers "
        f"between {day(facts['first date'])} and {day(facts['last date'])}, worth "
        f"{money(facts['total amount'])}."
    )
    if published is not None:
        matched = int(published["match"].sum())
        how_many = (
            f"all {len(published)}" if matched == len(published) else f"{matched} of the {len(published)}"
        )
        text += (
            f" About CDNOW only: {how_many} of its published figures (rows, customers, first and last date, "
            "total amount) are matched."
        )
    return Text(text)


def _ledger_counts(ledger: pd.DataFrame) -> tuple[int, int, pd.DataFrame]:
    read = int(ledger.loc[ledger["step"] == "read", "rows"].sum())
    kept = int(ledger.loc[ledger["step"] == "kept", "rows"].sum())
    return read, kept, ledger[ledger["step"] == "dropped"]


def ledger_sentence(ledger: pd.DataFrame) -> Text:
    """What cleaning dropped (from the ledger): nothing, or how many rows for which reasons."""
    read, kept, dropped = _ledger_counts(ledger)
    if dropped.empty:
        return Text(f"Nothing was dropped: all {count(read)} rows were kept.")
    reasons = listing([f"{r} ({count(n)})" for r, n in zip(dropped["reason"], dropped["rows"])])
    share = 100 * (read - kept) / read
    return Text(
        f"{count(read - kept)} of {count(read)} rows ({percent(share)}) were dropped: {reasons}. "
        f"The {count(kept)} rows kept are analysed below."
    )


# how each row check of data.quality_checks reads after "N rows (x%)"
CHECK_WORDS = {
    "amount of zero": "with an amount of zero",
    "negative amount": "with a negative amount",
    "exact duplicate of another row": "that repeat another row exactly",
    "extra rows on the same customer-day": "beyond the first of a customer on the same day",
    "missing customer id": "without a customer id",
}


def quality_sentence(checks: pd.DataFrame) -> Text:
    """What the row checks found (from ``data.quality_checks``), counted and kept."""
    found = checks[checks["rows"] > 0]
    if found.empty:
        return Text("None of these checks finds a row.")
    parts = [
        f"{count(n)} rows ({percent(s, 2)}) {CHECK_WORDS.get(c, f'flagged {c!r}')}"
        for c, n, s in found[["check", "rows", "share"]].itertuples(index=False)
    ]
    text = f"Counted and kept: {listing(parts)}."
    if (found["check"] == "extra rows on the same customer-day").any():
        text += " Rows of one customer on one day merge into one purchase occasion in every summary below."
    return Text(text)


def _most(share_pct: float) -> str:
    if share_pct <= 0:
        return "None"
    if share_pct >= 100:
        return "All"
    if share_pct > MAJORITY_PCT:
        return "More than half"
    if share_pct < MAJORITY_PCT:
        return "Fewer than half"
    return "Half"


def _revenue_share(value) -> float | None:
    """A repeat-revenue share that can be read as a share (0-100%); refunds beyond sales or no revenue
    make it meaningless."""
    if value is None:
        return None
    value = float(value)
    return value if 0 <= value <= 100 else None


def repeat_sentence(overview: pd.Series, label: str) -> Text:
    """Who buys again and what repeat buying brings (from ``summary.summary_overview``)."""
    share = float(overview["repeat customers (%)"])
    revenue = _revenue_share(overview["revenue from repeat occasions (%)"])
    text = (
        f"{_most(share)} of {label}'s customers ({count(overview['repeat customers'])} of "
        f"{count(overview['customers'])}, {percent(share)}) bought a second time"
    )
    if revenue is None:
        return Text(text + "; the share of revenue from repeat occasions cannot be read (no net revenue).")
    text += f"; their repeat occasions brought in {percent(revenue)} of all revenue."
    if revenue - share >= REVENUE_GAP_POINTS:
        text += " Repeat buyers account for a larger share of the revenue than of the customers."
    return Text(text)


def _share_of(dist: pd.DataFrame, occasions: str) -> float:
    row = dist[dist["occasions"].astype(str) == occasions]
    return float(row["share"].iloc[0]) if len(row) else 0.0


def occasions_title(dist: pd.DataFrame, label: str) -> str:
    """The figure title: the judgement when the majority buys once, else a plain description."""
    if _share_of(dist, "1") > MAJORITY_PCT:
        return f"{label}: most customers buy once"
    return f"{label}: purchase occasions per customer"


def occasions_sentence(dist: pd.DataFrame) -> Text:
    """How often customers buy (from ``summary.occasions_distribution``)."""
    once, twice = _share_of(dist, "1"), _share_of(dist, "2")
    last = dist.iloc[-1]
    if once > MAJORITY_PCT:
        text = f"Most customers buy once ({percent(once)})"
    else:
        text = f"{percent(once)} of customers buy once"
    if (dist["occasions"].astype(str) == "2").any():
        text += f"; {percent(twice)} buy twice"
    if str(last["occasions"]).endswith("+"):
        text += f"; {percent(last['share'])} reach {str(last['occasions'])[:-1]} or more occasions"
    return Text(text + ".")


def spend_sentence(quantiles: pd.Series, currency: str = "$") -> Text:
    """Spend per purchase occasion (from ``summary.spend_quantiles``)."""
    median, top, mean = float(quantiles["p50"]), float(quantiles["p99"]), float(quantiles["mean"])
    text = (
        f"A typical purchase occasion is worth about {money(median, currency, 0)} (the median); 99% of "
        f"occasions are worth at most {money(top, currency, 0)}."
    )
    if median > 0 and mean / median >= SKEW_RATIO:
        text += (
            f" The mean ({money(mean, currency)}) sits well above the median: a right tail, which the "
            "Gamma-Gamma spend model of notebook 04 allows for."
        )
    return Text(text)


def single_cohort(weeks: pd.DataFrame) -> tuple[bool | None, int, int]:
    """(one acquisition cohort?, the last week with new customers, weeks observed) from
    ``summary.weekly_activity`` (calendar weeks numbered from 1). The judgement is ``None`` when fewer
    than :data:`MIN_WEEKS` weeks are observed."""
    n = int(weeks["week"].max()) if len(weeks) else 0
    arriving = weeks.loc[weeks["new customers"] > 0, "week"]
    last = int(arriving.max()) if len(arriving) else 0
    if n < MIN_WEEKS:
        return None, last, n
    return bool(last <= SINGLE_COHORT_SHARE * n), last, n


def activity_sentence(weeks: pd.DataFrame, label: str) -> Text:
    """How customers arrive over time: one cohort, or a stream."""
    one, last, n = single_cohort(weeks)
    if last == 0:
        return Text("No week has new customers.")
    if one is None:
        return Text(f"The log covers {n} week(s): too short to say how customers are acquired.")
    until = day(weeks.loc[weeks["week"] == last, "week_start"].iloc[0])
    if one:
        return Text(
            f"{label} is a single acquisition cohort: new customers arrive only in the first {last} of "
            f"{n} weeks (to the week of {until}); later activity comes from that cohort as it ages, so "
            "stage and survival analyses follow one cohort through time."
        )
    arriving = int((weeks["new customers"] > 0).sum())
    if n - last < RECENT_WEEKS:
        return Text(
            f"New customers keep arriving: {arriving} of {n} weeks bring new customers, the last in week "
            f"{last} (starting {until})."
        )
    return Text(
        f"New customers arrived in {arriving} of {n} weeks, the last in week {last} (starting {until}); "
        f"none arrived in the last {n - last} weeks."
    )


def split_sentence(comparison: pd.DataFrame) -> Text:
    """About CDNOW only: how many published split figures (``validation.compare``) are reproduced."""
    matched = int(comparison["match"].sum())
    exact = bool((comparison["difference"].fillna(1) == 0).all())
    how = "exactly" if exact else "within their tolerance"
    lead = "All" if matched == len(comparison) else f"{matched} of"
    text = f"{lead} {len(comparison)} published figures are reproduced {how}"
    if matched == len(comparison):
        return Text(text + ", so the package's calibration/holdout split reproduces the papers' split.")
    return Text(text + "; the others differ (see the table).")


def headline_figures(
    facts: pd.Series, overview: pd.Series, dist: pd.DataFrame, weeks: pd.DataFrame, ledger: pd.DataFrame
) -> dict:
    """What notebook 00 records: the log's size and period, rows dropped, repeat customers and their
    revenue, the one-time buyers' share and how customers were acquired."""
    read, kept, _ = _ledger_counts(ledger)
    one, last, n = single_cohort(weeks)
    return {
        "rows": int(facts["rows"]),
        "customers": int(facts["customers"]),
        "first date": day(facts["first date"]),
        "last date": day(facts["last date"]),
        "total amount": float(facts["total amount"]),
        "rows dropped in cleaning": read - kept,
        "repeat customers (%)": float(overview["repeat customers (%)"]),
        "revenue from repeat occasions (%)": float(overview["revenue from repeat occasions (%)"]),
        "customers buying once (%)": _share_of(dist, "1"),
        "weeks observed": n,
        "last week with new customers": last,
        "weeks with new customers": int((weeks["new customers"] > 0).sum()),
        "one acquisition cohort": one,
    }


def answer(figures: dict) -> Text:
    """The Answer line, from the recorded figures (the index shows the same)."""
    share = float(figures["repeat customers (%)"])
    revenue = _revenue_share(figures["revenue from repeat occasions (%)"])
    text = f"{_most(share)} of the customers ({percent(share)}) come back after their first purchase"
    text += "." if revenue is None else f"; their repeat occasions bring {percent(revenue)} of the revenue."
    if revenue is not None and revenue - share >= REVENUE_GAP_POINTS:
        text += " Repeat buyers account for a larger share of the revenue than of the customers."
    return Text(f"**Answer.** {text}")


def what_this_means(figures: dict) -> Text:
    """The closing bullets, from the recorded figures."""
    dropped = int(figures["rows dropped in cleaning"])
    bullets = [
        "The log loaded without dropping a row."
        if dropped == 0
        else f"{count(dropped)} rows were dropped in cleaning; the ledger above says why.",
        f"{percent(figures['customers buying once (%)'])} of customers buy once; repeat purchases bring "
        f"{percent(_revenue_share(figures['revenue from repeat occasions (%)']))} of the revenue. "
        "Activation (first to second purchase) and retention are the behaviours the next notebooks describe.",
    ]
    weeks = int(figures["weeks observed"])
    if figures["one acquisition cohort"] is None:
        bullets.append(f"The log covers {weeks} week(s): too short to judge how customers are acquired.")
    elif figures["one acquisition cohort"]:
        bullets.append(
            f"The data is one acquisition cohort followed for {weeks} weeks, which limits what later "
            "analyses can say: comparing cohorts needs another data set."
        )
    else:
        bullets.append(
            f"New customers arrive up to week {figures['last week with new customers']} of {weeks}, so "
            "acquisition cohorts can be compared (notebook 01)."
        )
    return Text("\n".join(f"- {b}" for b in bullets))
