"""Randomized campaign tests: reading a campaign table (or simulating one with a known truth), response
and revenue by arm with intervals, differences against the control with Holm-adjusted p-values,
incremental profit, heterogeneity by segment, and the size of the next test.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    test_proportions_2indep,
)
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

from lifecycle_utils._messages import NOTE, examples, refuse, require_columns, with_notes
from lifecycle_utils.data import read_table, yes_no_flags

__all__ = [
    "NOTE",  # the note column of the results (from lifecycle_utils._messages)
    "simulate_experiment",
    "NO_SEGMENT",
    "NO_SEGMENT_NOTE",
    "load_experiment",
    "arm_summary",
    "compare_arms",
    "bootstrap_means",
    "incremental_profit",
    "segment_profit",
    "UpliftEstimate",
    "ALL_SEGMENTS",
    "measured_uplift",
    "sample_size",
    "plan_test",
    "profit_moments",
    "profit_sample_size",
    "plan_design",
    "power_curve",
    "heterogeneity",
    "experiment_input",
    "truth_vs_estimate",
]


# --------------------------------------------------------------------------- randomized experiments
def simulate_experiment(
    n_per_arm: int,
    arms: dict[str, float],
    *,
    segment_shares: dict[str, float],
    segment_lift: dict[str, float],
    mean_revenue: float = 40.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A win-back test with known truth. ``arms`` maps arm -> response rate in the reference segment
    (the first of ``segment_shares``); ``segment_lift`` multiplies the *treatment effect* (rate minus
    the control rate, the control being the first arm) in each segment; a converted customer spends
    an exponential amount with mean ``mean_revenue``. Returns ``(table, truth)``: the table has
    ``customer_id``, ``arm``, ``segment``, ``converted`` (0/1), ``revenue``; the truth has the true
    response rate per arm x segment and overall."""
    rng = np.random.default_rng(seed)
    names = list(arms)
    control = names[0]
    segs = list(segment_shares)
    probs = np.array(list(segment_shares.values()), float)
    rows = []
    for arm in names:
        seg = rng.choice(segs, size=n_per_arm, p=probs / probs.sum())
        effect = arms[arm] - arms[control]
        rate = arms[control] + effect * pd.Series(seg).map(segment_lift).fillna(1.0).to_numpy()
        converted = (rng.random(n_per_arm) < np.clip(rate, 0, 1)).astype(int)
        revenue = np.where(converted == 1, rng.exponential(mean_revenue, n_per_arm), 0.0).round(2)
        rows.append(pd.DataFrame({"arm": arm, "segment": seg, "converted": converted, "revenue": revenue}))
    table = pd.concat(rows, ignore_index=True)
    table.insert(0, "customer_id", [f"E{i:06d}" for i in range(1, len(table) + 1)])
    truth = pd.DataFrame(
        {
            s: {a: arms[control] + (arms[a] - arms[control]) * segment_lift.get(s, 1.0) for a in names}
            for s in segs
        }
    )
    weights = probs / probs.sum()
    truth["overall"] = truth[segs].to_numpy() @ weights
    truth.index.name = "arm"
    return table, truth


NO_SEGMENT = "all"  # the segment :func:`load_experiment` gives every customer when no segment column is given


NO_SEGMENT_NOTE = "no segment column: heterogeneity needs one"


def load_experiment(
    source,
    arm_col: str,
    *,
    converted_col: str,
    revenue_col: str | None = None,
    segment_col: str | None = None,
    control: str | None = None,
) -> pd.DataFrame:
    """A campaign table (path to CSV/Parquet, or a frame) with one row per customer, in standard columns:

    * ``arm``: the arm (text) from ``arm_col``; every row needs one, and there must be two or more
      arms (one arm is not an experiment), including ``control`` when it is given;
    * ``converted``: 0/1 from ``converted_col`` given as 0/1, true/false or yes/no (any case);
    * ``revenue``: revenue per customer in the currency of the data (0 or more) from ``revenue_col``;
      NaN when no revenue column is given, and the revenue-based results then carry a :data:`NOTE`;
    * ``segment``: text from ``segment_col``, or :data:`NO_SEGMENT` for every row when none is given.

    Bad values raise ``ValueError`` naming the column, the count of bad rows and examples. The
    source's column names are kept in ``attrs`` (``"arm column"`` etc.) for later messages."""
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_table(source, as_text=False)
    needed = [c for c in (arm_col, converted_col, revenue_col, segment_col) if c]
    require_columns(frame.columns, needed)
    n = len(frame)
    for col, what in ((arm_col, "arm"), (segment_col, "segment")):
        if col and frame[col].isna().any():
            rows = frame.index[frame[col].isna()]
            raise ValueError(
                f"column '{col}': {len(rows)} of {n} rows have no {what} (e.g. rows {examples(rows)})"
            )
    conv = yes_no_flags(frame[converted_col])
    refuse(converted_col, conv.isna(), n, "are not 0/1, true/false or yes/no", frame[converted_col])
    out = pd.DataFrame({"arm": frame[arm_col].astype(str), "converted": conv.astype(int)})
    if revenue_col:
        raw = frame[revenue_col]
        revenue = pd.to_numeric(raw, errors="coerce")
        problems = [
            (raw.isna(), "missing"),
            (revenue.isna() & raw.notna(), "not numbers"),
            (revenue < 0, "negative"),
        ]
        found = [
            f"{int(mask.sum())} {what} (e.g. {examples(raw[mask])})" for mask, what in problems if mask.any()
        ]
        if found:
            bad = int((raw.isna() | revenue.isna() | (revenue < 0)).sum())
            raise ValueError(
                f"column '{revenue_col}': {bad} of {n} rows are not a revenue of 0 or more: "
                f"{'; '.join(found)}"
            )
        out["revenue"] = revenue.astype(float)
    else:
        out["revenue"] = np.nan
    out["segment"] = frame[segment_col].astype(str) if segment_col else NO_SEGMENT
    arms = list(pd.unique(out["arm"]))
    if len(arms) < 2:
        raise ValueError(
            f"column '{arm_col}' has {len(arms)} arm(s) ({examples(arms)}); a test needs at "
            "least two, a control and a treatment: one arm is not an experiment"
        )
    if control is not None and str(control) not in arms:
        raise ValueError(
            f"column '{arm_col}': the control arm {control!r} is not among the {len(arms)} arms "
            f"found ({examples(arms, 10)})"
        )
    out.attrs.update(
        {
            "arm column": arm_col,
            "converted column": converted_col,
            "revenue column": revenue_col,
            "segment column": segment_col,
        }
    )
    return out


def _control(table: pd.DataFrame, control) -> str:
    """``control`` as it is spelled in ``table["arm"]`` (a number given for arms read as text is matched
    as text); ``ValueError`` naming the arm column, the arms found and the control asked for when the
    control is missing or there are fewer than two arms."""
    arms = list(pd.unique(table["arm"]))
    column = table.attrs.get("arm column") or "arm"
    if control not in arms and str(control) in arms:
        control = str(control)
    if control not in arms:
        raise ValueError(
            f"control arm {control!r} is not among the {len(arms)} arm(s) in column '{column}': "
            f"{examples(arms, 10)}"
        )
    if len(arms) < 2:
        raise ValueError(
            f"column '{column}' has 1 arm ({control!r}, the control asked for): a test needs at "
            "least two, one arm is not an experiment"
        )
    return control


def _no_revenue(part: pd.DataFrame) -> bool:
    """True when ``part`` has no revenue at all (no revenue column was given: every value is NaN)."""
    return bool(part["revenue"].isna().all())


def arm_summary(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per arm: customers, conversions, response rate with a Wilson ``1 - alpha`` interval (finite for 0
    or all conversions), and revenue per customer (currency of the data) with a t interval. A
    :data:`NOTE` column appears when an interval cannot be computed (no revenue column; one customer)."""
    rows, notes = [], []
    for arm, part in table.groupby("arm", sort=False):
        n, k = len(part), int(part["converted"].sum())
        lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
        rev = part["revenue"].to_numpy(float)
        half = stats.t.ppf(1 - alpha / 2, n - 1) * rev.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append(
            {
                "arm": arm,
                "customers": n,
                "conversions": k,
                "response rate": k / n,
                "rate lower": lo,
                "rate upper": hi,
                "revenue per customer": rev.mean(),
                "revenue lower": rev.mean() - half,
                "revenue upper": rev.mean() + half,
            }
        )
        notes.append(
            "no revenue column: no revenue per customer"
            if _no_revenue(part)
            else "one customer: no revenue interval"
            if n < 2
            else ""
        )
    return with_notes(pd.DataFrame(rows).set_index("arm").round(4), notes)


def _rate_test(k1: int, n1: int, k0: int, n0: int, alpha: float) -> tuple[float, float, float, float, str]:
    """Difference in response rate (arm minus control) as ``(lower, upper, z, p-value, note)``: Newcombe's
    score interval (finite with 0 or all conversions) and the score test. When both arms converted
    nobody (or everybody) the score statistic is 0/0: z is NaN, the p-value 1 (the rates are equal; an
    exact test gives 1 too) and the note says so."""
    lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff", alpha=alpha)
    if k1 + k0 in (0, n1 + n0):
        what = "nobody converted in either arm" if k1 + k0 == 0 else "everybody converted in both arms"
        return lo, hi, np.nan, 1.0, f"{what}: the test has no information (z undefined, p-value 1)"
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels also forms ratios we do not use
        test = test_proportions_2indep(k1, n1, k0, n0, method="score", compare="diff")
    return lo, hi, float(test.statistic), float(test.pvalue), ""


def compare_arms(table: pd.DataFrame, control: str, alpha: float = 0.05) -> pd.DataFrame:
    """Each other arm against ``control``: difference in response rate (a probability difference) with
    its ``1 - alpha`` interval (statsmodels ``confint_proportions_2indep``, Newcombe score method) and
    test (``test_proportions_2indep``, score method), the p-value adjusted for the number of comparisons
    (Holm, over however many arms there are), and the difference in revenue per customer (currency of
    the data) with a Welch interval. A :data:`NOTE` column appears when something could not be
    estimated (no revenue column, an arm of one customer, nobody converted in either arm).
    ``ValueError`` (naming the arm column, the arms found and ``control``) without the control arm."""
    control = _control(table, control)
    c = table[table["arm"] == control]
    rows, notes = [], []
    for arm, part in table.groupby("arm", sort=False):
        if arm == control:
            continue
        k1, n1, k0, n0 = int(part["converted"].sum()), len(part), int(c["converted"].sum()), len(c)
        lo, hi, z, p, note = _rate_test(k1, n1, k0, n0, alpha)
        said = [note] if note else []
        if _no_revenue(part) or _no_revenue(c):
            low = high = np.nan
            said.append("no revenue column: no revenue difference")
        elif min(n1, n0) < 2:
            low = high = np.nan
            said.append("an arm of one customer: no revenue interval")
        else:
            welch = stats.ttest_ind(part["revenue"], c["revenue"], equal_var=False)
            low, high = welch.confidence_interval(1 - alpha)
            if part["revenue"].std() == 0 and c["revenue"].std() == 0:
                said.append(
                    "revenue is the same for every customer of both arms: the revenue interval has no width"
                )
        rows.append(
            {
                "arm": arm,
                "rate difference": k1 / n1 - k0 / n0,
                "difference lower": lo,
                "difference upper": hi,
                "z": z,
                "p-value": p,
                "revenue difference": part["revenue"].mean() - c["revenue"].mean(),
                "revenue lower": low,
                "revenue upper": high,
            }
        )
        notes.append("; ".join(said))
    out = pd.DataFrame(rows).set_index("arm")
    out["p-value (Holm)"] = multipletests(out["p-value"], method="holm")[1]
    return with_notes(out.round(4), notes)


def bootstrap_means(values, n_boot: int, rng: np.random.Generator, *, cells: int = 2_000_000) -> np.ndarray:
    """``n_boot`` bootstrap replicates of the column means of ``values`` (rows are customers, resampled
    with replacement; a 1-D array is one column): an ``(n_boot, columns)`` array. Drawn in blocks of
    about ``cells`` resampled values, so memory stays bounded on a large table. Rows of NaN when
    ``values`` has no row."""
    values = np.asarray(values, float)
    values = values[:, None] if values.ndim == 1 else values
    n, c = values.shape
    out = np.full((n_boot, c), np.nan)
    if n == 0:
        return out
    step = max(1, cells // (n * c))
    for start in range(0, n_boot, step):
        b = min(step, n_boot - start)
        out[start : start + b] = values[rng.integers(0, n, size=(b, n))].mean(axis=1)
    return out


def _percentile_interval(draws: np.ndarray, alpha: float) -> tuple[float, float]:
    """The ``1 - alpha`` percentile interval of bootstrap draws (NaN draws left out; NaN if none is)."""
    draws = np.asarray(draws, float)
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return np.nan, np.nan
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def incremental_profit(
    table: pd.DataFrame,
    control: str,
    *,
    margin: float,
    contact_cost: dict[str, float],
    incentive_cost: dict[str, float],
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per arm, per customer, against the control (the first row): incremental margin (revenue difference
    x ``margin``, a share of revenue), the contact cost, the incentive cost (paid to each *converted*
    customer of the arm), and the net incremental profit, all in the currency of the data; also per
    1,000 customers, and for incentive arms the incentive per conversion at which the arm would break
    even. An incentive can lift response and still lose money.

    The uncertainty of the profit: a seeded bootstrap (``n_boot`` resamples of the customers within each
    arm, the control's resample shared by the arms of a replicate) gives the ``1 - alpha`` percentile
    interval of the net profit per 1,000 customers (``net per 1,000 lower`` / ``upper``) and the
    ``loss share``, the share of resamples in which the arm loses money against the control (net profit
    below 0). The ``1 - alpha`` Welch interval of the revenue difference per customer (``revenue lower``,
    ``revenue upper``, as :func:`compare_arms`) is kept beside it. Without a revenue column the margin,
    profit and intervals are NaN and a :data:`NOTE` column says why; it also says why a break-even is
    missing, and names a treatment arm without a contact cost (costed at 0: its profit is before the
    contact's cost)."""
    control = _control(table, control)
    c = table[table["arm"] == control]
    base = c["revenue"].mean()
    rng = np.random.default_rng(seed)
    has_revenue = not _no_revenue(table)
    columns = ["revenue", "converted"]
    base_draws = bootstrap_means(c[columns].to_numpy(float), n_boot, rng) if has_revenue else None
    rows, notes = [], []
    for arm, part in table.groupby("arm", sort=False):
        low = high = np.nan
        if arm != control and not _no_revenue(part) and not _no_revenue(c) and min(len(part), len(c)) > 1:
            low, high = stats.ttest_ind(part["revenue"], c["revenue"], equal_var=False).confidence_interval(
                1 - alpha
            )
        lift = (part["revenue"].mean() - base) * margin
        contact = contact_cost.get(arm, 0.0) - contact_cost.get(control, 0.0)
        incentive = incentive_cost.get(arm, 0.0) * part["converted"].mean()
        net = lift - contact - incentive
        rate = part["converted"].mean()
        break_even = (lift - contact) / rate if incentive_cost.get(arm, 0.0) and rate > 0 else np.nan
        net_low = net_high = share = np.nan
        if arm != control and has_revenue:
            draws = bootstrap_means(part[columns].to_numpy(float), n_boot, rng)
            boot = (
                (draws[:, 0] - base_draws[:, 0]) * margin
                - contact
                - incentive_cost.get(arm, 0.0) * draws[:, 1]
            )
            net_low, net_high = (1000 * v for v in _percentile_interval(boot, alpha))
            share = float(np.mean(boot < 0))
        rows.append(
            {
                "arm": arm,
                "incremental margin": lift,
                "contact cost": contact,
                "incentive cost": incentive,
                "net incremental profit": net,
                "net per 1,000 customers": 1000 * net,
                "net per 1,000 lower": net_low,
                "net per 1,000 upper": net_high,
                "loss share": share,
                "break-even incentive per conversion": break_even,
                "revenue lower": low,
                "revenue upper": high,
            }
        )
        said = (
            ["no revenue column: the incremental margin and profit need revenue"] if not has_revenue else []
        )
        if arm != control and arm not in contact_cost:
            said.append("no contact cost given for this arm (ARM_CONTACT_COST): the profit is before it")
        if incentive_cost.get(arm, 0.0) and rate == 0:
            said.append("nobody converted: no break-even incentive")
        if arm != control and has_revenue and min(len(part), len(c)) < 2:
            said.append("an arm of one customer: the profit interval says little")
        notes.append("; ".join(said))
    out = with_notes(pd.DataFrame(rows).set_index("arm").round(3), notes)
    out.attrs["interval level"] = 1 - alpha
    out.attrs["resamples"] = n_boot
    return out.loc[[control] + [a for a in out.index if a != control]]


def segment_profit(
    table: pd.DataFrame,
    segment: str,
    *,
    control: str,
    margin: float,
    contact_cost: dict[str, float],
    incentive_cost: dict[str, float],
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`incremental_profit` within one segment (intervals at ``1 - alpha``, ``n_boot`` seeded
    resamples); a one-row :data:`NOTE` when the segment (or its control group, or any other arm) is not
    in the data."""
    part = table[table["segment"].astype(str) == str(segment)]
    if part.empty or control not in set(part["arm"]):
        return pd.DataFrame(
            {NOTE: [f"segment {segment!r} (with a {control!r} group) is not in this experiment"]}
        )
    if part["arm"].nunique() < 2:
        return pd.DataFrame(
            {NOTE: [f"segment {segment!r} holds only the {control!r} arm: nothing to compare"]}
        )
    return incremental_profit(
        part,
        control,
        margin=margin,
        contact_cost=contact_cost,
        incentive_cost=incentive_cost,
        alpha=alpha,
        n_boot=n_boot,
        seed=seed,
    )


# ------------------------------------------------------------------------ the uplift a test measured
ALL_SEGMENTS = "all segments"  # the row of :func:`measured_uplift` that pools every segment


@dataclass(frozen=True)
class UpliftEstimate:
    """What a randomized test measured of one arm's effect (:func:`measured_uplift`).

    ``table``: per segment and for :data:`ALL_SEGMENTS`, the customers of the arm and the control, the
    ``metric`` per customer in each (revenue in the currency of the data, or the response rate), the
    ``uplift`` (relative: the arm's metric per customer over the control's, minus 1; 0.25 = +25%) with its
    bootstrap interval, and a :data:`NOTE` where it could not be estimated. ``draws``: the bootstrap
    replicates of the uplift (rows: resamples, columns: the table's rows), which carry its uncertainty
    into what is scored with it. ``arm`` is the arm measured, ``level`` the interval level."""

    table: pd.DataFrame
    draws: pd.DataFrame
    arm: str
    metric: str
    level: float
    note: str = ""


def measured_uplift(
    table: pd.DataFrame,
    control: str,
    *,
    arm: str | None,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> UpliftEstimate:
    """The relative uplift of ``arm`` against ``control`` in a randomized test, by segment and over all
    segments: the arm's revenue per customer divided by the control's, minus 1 (``metric`` "revenue";
    without a revenue column, the response rates' ratio, ``metric`` "response", with a note), with the
    ``1 - alpha`` percentile interval of a seeded bootstrap (``n_boot`` resamples of the customers within
    each arm and segment). Read as the share by which a contact raises a customer's spend, it is the
    uplift of :func:`~lifecycle_utils.strategy.targeting.compare_policies`.

    ``arm`` None, or not among the test's arms, measures the first treatment arm in table order and the
    ``note`` says so. A segment whose control group spent nothing (or converted nobody) has no relative
    uplift: NaN with a note."""
    control = _control(table, control)
    arms = [a for a in pd.unique(table["arm"]) if a != control]
    note = []
    if arm is None or str(arm) not in set(map(str, arms)):
        if arm is not None:
            note.append(
                f"the arm {arm!r} is not in this test: the uplift is that of {arms[0]!r}, the first "
                "treatment arm"
            )
        arm = arms[0]
    arm = next(a for a in arms if str(a) == str(arm))
    metric = "response" if _no_revenue(table) else "revenue"
    if metric == "response":
        note.append("no revenue column: the uplift is the relative lift in the response rate")
    column = "converted" if metric == "response" else "revenue"
    segments = sorted(pd.unique(table["segment"])) if "segment" in table else []
    groups = [(s, table[table["segment"] == s]) for s in segments if s != NO_SEGMENT or len(segments) > 1]
    groups = (groups if len(groups) > 1 else []) + [(ALL_SEGMENTS, table)]
    rng = np.random.default_rng(seed)
    rows, notes, draws = [], [], {}
    for name, part in groups:
        a = part.loc[part["arm"] == arm, column].to_numpy(float)
        c = part.loc[part["arm"] == control, column].to_numpy(float)
        row = {
            "segment": name,
            "arm customers": len(a),
            "control customers": len(c),
            f"{metric} per customer (arm)": a.mean() if len(a) else np.nan,
            f"{metric} per customer (control)": c.mean() if len(c) else np.nan,
        }
        if len(a) and len(c) and c.sum() > 0:
            boot_a = bootstrap_means(a, n_boot, rng)[:, 0]
            boot_c = bootstrap_means(c, n_boot, rng)[:, 0]
            with np.errstate(divide="ignore", invalid="ignore"):
                boot = np.where(boot_c > 0, boot_a / boot_c - 1, np.nan)
            low, high = _percentile_interval(boot, alpha)
            row |= {"uplift": a.mean() / c.mean() - 1, "lower": low, "upper": high}
            said = "" if np.isfinite(boot).all() else "some resamples of the control spent nothing: left out"
        else:
            boot = np.full(n_boot, np.nan)
            row |= {"uplift": np.nan, "lower": np.nan, "upper": np.nan}
            said = (
                f"no {'customer of the arm' if not len(a) else 'control customer'} in this segment"
                if not len(a) or not len(c)
                else f"the control {'converted nobody' if metric == 'response' else 'spent nothing'}: "
                "no relative uplift"
            )
        rows.append(row)
        notes.append(said)
        draws[name] = boot
    out = with_notes(pd.DataFrame(rows).set_index("segment").round(4), notes)
    return UpliftEstimate(out, pd.DataFrame(draws), str(arm), metric, 1 - alpha, "; ".join(note))


def _check_rate(name: str, rate: float) -> None:
    if not 0 <= rate <= 1:
        raise ValueError(f"{name} must be a probability between 0 and 1, not {rate!r}")


def _check_test(alpha: float, power: float | None = None) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive), not {alpha!r}")
    if power is not None and not alpha < power < 1:
        raise ValueError(f"power must be above alpha ({alpha}) and below 1, not {power!r}")


def _check_comparisons(comparisons) -> int:
    if not (float(comparisons) == int(comparisons) and int(comparisons) >= 1):
        raise ValueError(
            f"comparisons (treatment arms compared with the control) must be 1 or more, not {comparisons!r}"
        )
    return int(comparisons)


def sample_size(
    control_rate: float,
    treatment_rate: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    comparisons: int = 1,
) -> int:
    """Customers per arm (control; the treatment arm has ``ratio`` times as many) for a two-sided test
    of two proportions (response rates, 0 to 1; 0 and 1 allowed) at ``alpha`` with the given ``power``
    (Cohen's h, statsmodels ``NormalIndPower``). With ``comparisons`` treatment arms each compared with
    the control under Holm's adjustment, the test of each arm is sized at ``alpha / comparisons``
    (Bonferroni, which Holm's first step is and which Holm never rejects less than): every arm with the
    effect then has at least ``power``, and about ``power`` when the other arms have none. Impossible
    parameters (equal rates, a rate outside 0 to 1, power not between alpha and 1, a ratio of 0 or less,
    fewer than one comparison) raise ``ValueError``."""
    _check_rate("control_rate", control_rate)
    _check_rate("treatment_rate", treatment_rate)
    _check_test(alpha, power)
    k = _check_comparisons(comparisons)
    if not ratio > 0:
        raise ValueError(f"ratio (treatment customers per control customer) must be above 0, not {ratio!r}")
    h = abs(proportion_effectsize(treatment_rate, control_rate))
    if h == 0:
        raise ValueError("the two rates are equal: no sample size can detect a zero effect")
    return int(
        np.ceil(NormalIndPower().solve_power(effect_size=h, alpha=alpha / k, power=power, ratio=ratio))
    )


def plan_test(control_rate: float, lift: float, *, alpha: float = 0.05, power: float = 0.8) -> pd.Series:
    """The next test, sized: the ``control rate`` expected (0 to 1), the absolute ``lift`` to detect (a
    probability difference), the two-sided test's ``alpha`` and ``power``, and the ``customers per arm``
    that one comparison of an arm with the control needs (:func:`sample_size`, equal arms). Comparing
    several arms under a multiple-testing adjustment, or on profit, needs more: :func:`plan_design`.
    Impossible parameters raise ``ValueError`` (see :func:`sample_size`)."""
    n = sample_size(control_rate, control_rate + lift, alpha=alpha, power=power)
    plan = {
        "control rate": control_rate,
        "lift": lift,
        "alpha": alpha,
        "power": power,
        "customers per arm": n,
    }
    return pd.Series(plan, name="next test", dtype=object)


def profit_moments(table: pd.DataFrame) -> tuple[float, float, int]:
    """The revenue of a converted customer in a campaign table, over every arm: ``(mean, mean of the
    square, converted customers)`` in the currency of the data (squared for the second); NaN for both
    when nobody converted or there is no revenue column. The profit sizing of :func:`plan_design` takes a
    customer's profit from these (a converted customer's spend is assumed alike in every arm; the arms
    differ in how many convert)."""
    spent = table.loc[table["converted"] == 1, "revenue"].astype(float)
    if spent.empty or spent.isna().all():
        return np.nan, np.nan, int(len(spent))
    return float(spent.mean()), float((spent**2).mean()), int(len(spent))


def profit_sample_size(
    *,
    control_rate: float,
    lift: float,
    revenue_mean: float,
    revenue_square: float,
    margin: float,
    contact_cost: float = 0.0,
    incentive_cost: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
    comparisons: int = 1,
) -> pd.Series:
    """Customers per arm for a two-sided test of the difference in profit per customer between a
    treatment arm and the control (normal approximation, unequal variances), at ``alpha / comparisons``
    (Bonferroni for Holm over ``comparisons`` arms, as :func:`sample_size`).

    A customer's profit is ``C x (margin x R - incentive_cost) - contact_cost`` with ``C`` converted (a
    probability: ``control_rate`` in the control, ``control_rate + lift`` in the arm, which alone pays
    the contact and the incentive) and ``R`` the revenue of a converted customer, with mean
    ``revenue_mean`` and mean square ``revenue_square`` (:func:`profit_moments`). So the effect is
    ``(p1 - p0) x margin x mean R - p1 x incentive - contact``, each arm's variance is
    ``p E[(margin R - incentive)^2] - (p E[margin R - incentive])^2``, and
    ``n = (z(1 - alpha / 2k) + z(power))^2 (variance control + variance arm) / effect^2``.

    Returns ``effect`` (profit per customer, currency of the data), ``sd control``, ``sd arm`` and
    ``customers per arm``; the last is NaN with a ``note`` when the effect is not above 0 (at the planned
    lift the arm does not pay, so no test size can show that it does) or the revenue moments are
    missing."""
    _check_rate("control_rate", control_rate)
    _check_rate("control_rate + lift", control_rate + lift)
    _check_test(alpha, power)
    k = _check_comparisons(comparisons)
    p0, p1 = control_rate, control_rate + lift
    out = {"effect": np.nan, "sd control": np.nan, "sd arm": np.nan, "customers per arm": np.nan, NOTE: ""}
    if not (np.isfinite(revenue_mean) and np.isfinite(revenue_square)):
        out[NOTE] = "no revenue of converted customers: the profit test cannot be sized"
        return pd.Series(out, dtype=object)
    gain0 = margin * revenue_mean
    gain1 = margin * revenue_mean - incentive_cost
    square0 = margin**2 * revenue_square
    square1 = margin**2 * revenue_square - 2 * margin * incentive_cost * revenue_mean + incentive_cost**2
    var0 = max(p0 * square0 - (p0 * gain0) ** 2, 0.0)
    var1 = max(p1 * square1 - (p1 * gain1) ** 2, 0.0)
    effect = p1 * gain1 - contact_cost - p0 * gain0
    out |= {"effect": effect, "sd control": np.sqrt(var0), "sd arm": np.sqrt(var1)}
    if not effect > 0:
        out[NOTE] = (
            "at the planned lift the arm does not pay (its profit per customer is not above the control's): "
            "no test size can show that it does"
        )
        return pd.Series(out, dtype=object)
    z = stats.norm.ppf(1 - alpha / (2 * k)) + stats.norm.ppf(power)
    out["customers per arm"] = int(np.ceil(z**2 * (var0 + var1) / effect**2))
    return pd.Series(out, dtype=object)


def plan_design(
    table: pd.DataFrame | None,
    *,
    control_rate: float,
    lift: float,
    comparisons: int | None,
    margin: float,
    contact_cost: float | dict[str, float] = 0.0,
    incentive_cost: float | dict[str, float] = 0.0,
    arm: str | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """The next test sized for the design it has and the metric it decides on: customers per arm for the
    response (:func:`sample_size`) and for the profit per customer (:func:`profit_sample_size`, the
    revenue of a converted customer from the campaign ``table``, :func:`profit_moments`), each for one
    comparison with the control and, when ``comparisons`` is above 1, for that many treatment arms
    compared with the control under Holm (sized at ``alpha / comparisons``, Bonferroni-conservative).

    One row per (metric, comparisons): ``metric`` ("response" or "profit"), ``comparisons``, ``alpha per
    comparison``, ``effect`` (the lift, a probability difference, or the profit per customer it brings,
    currency of the data), ``sd control`` and ``sd arm`` (per customer, profit rows only),
    ``customers per arm`` and ``customers in all`` (control and ``comparisons`` arms), and a
    :data:`NOTE` where the profit test cannot be sized (no revenue, or an arm that does not pay at the
    planned lift). A ``table`` of None (or without revenue) gives the response rows and a profit row
    with its note.

    ``comparisons`` None takes the design of the campaign ``table``: its arms less the control (1 without
    a table). ``contact_cost`` and ``incentive_cost`` (per customer, and per conversion) may be given per
    arm, as the campaign's costs are, and are then those of ``arm`` (0 for an arm not listed)."""
    if comparisons is None:
        comparisons = max(int(table["arm"].nunique()) - 1, 1) if table is not None else 1
    k = _check_comparisons(comparisons)
    if isinstance(contact_cost, dict):
        contact_cost = float(contact_cost.get(arm, 0.0))
    if isinstance(incentive_cost, dict):
        incentive_cost = float(incentive_cost.get(arm, 0.0))
    mean, square, _ = profit_moments(table) if table is not None else (np.nan, np.nan, 0)
    rows, notes = [], []
    for metric in ("response", "profit"):
        for m in dict.fromkeys((1, k)):
            row = {"metric": metric, "comparisons": m, "alpha per comparison": alpha / m}
            if metric == "response":
                n = sample_size(control_rate, control_rate + lift, alpha=alpha, power=power, comparisons=m)
                row |= {"effect": lift, "sd control": np.nan, "sd arm": np.nan, "customers per arm": n}
                said = ""
            else:
                sized = profit_sample_size(
                    control_rate=control_rate,
                    lift=lift,
                    revenue_mean=mean,
                    revenue_square=square,
                    margin=margin,
                    contact_cost=contact_cost,
                    incentive_cost=incentive_cost,
                    alpha=alpha,
                    power=power,
                    comparisons=m,
                )
                row |= {c: sized[c] for c in ("effect", "sd control", "sd arm", "customers per arm")}
                said = sized[NOTE]
            n = row["customers per arm"]
            row["customers in all"] = (m + 1) * n if not pd.isna(n) else np.nan
            rows.append(row)
            notes.append(said)
    out = pd.DataFrame(rows)
    out.index = pd.Index(
        [f"{r['metric']}, {r['comparisons']} comparison{'s' if r['comparisons'] > 1 else ''}" for r in rows],
        name="test",
    )
    out = with_notes(out.astype({"alpha per comparison": float, "effect": float}).round(4), notes)
    out.attrs |= {"power": power, "alpha": alpha, "control rate": control_rate, "lift": lift, "arm": arm}
    return out


def power_curve(
    control_rate: float, lifts, *, n_per_arm: int, alpha: float = 0.05, comparisons: int = 1
) -> pd.DataFrame:
    """Power (0 to 1) of a two-sided test with ``n_per_arm`` customers per arm against each absolute lift
    in ``lifts`` (probability differences; a lift of 0 has power ``alpha / comparisons``), each test at
    ``alpha / comparisons`` (Bonferroni-conservative for Holm, as :func:`sample_size`). A lift that takes
    the rate outside 0 to 1, ``n_per_arm`` below 1 or ``alpha`` outside (0, 1) raise ``ValueError``."""
    _check_rate("control_rate", control_rate)
    _check_test(alpha)
    k = _check_comparisons(comparisons)
    if not n_per_arm >= 1:
        raise ValueError(f"n_per_arm must be 1 or more, not {n_per_arm!r}")
    lifts = list(lifts)
    outside = [lift for lift in lifts if not 0 <= control_rate + lift <= 1]
    if outside:
        raise ValueError(
            f"{len(outside)} lift(s) take the control rate {control_rate} outside 0 to 1 "
            f"(e.g. {examples(outside)})"
        )
    rows = []
    for lift in lifts:
        h = abs(proportion_effectsize(control_rate + lift, control_rate))
        rows.append(
            {
                "lift": lift,
                "power": float(NormalIndPower().power(effect_size=h, nobs1=n_per_arm, alpha=alpha / k)),
            }
        )
    return pd.DataFrame(rows, columns=["lift", "power"])


_FIT_PROBLEMS = (np.linalg.LinAlgError, ValueError, PerfectSeparationError)


def _logit_llf(formula: str, data: pd.DataFrame) -> tuple[float | None, float, str]:
    """Fit a logistic regression; ``(log-likelihood, model df, "")`` or ``(None, nan, why)`` when it did not
    converge, separated or warned (the warnings are caught here, so none reaches a notebook)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = smf.logit(formula, data).fit(disp=0)
        except _FIT_PROBLEMS as err:
            return None, np.nan, f"{type(err).__name__}: {err}"
    problems = [
        w
        for w in caught
        if issubclass(
            w.category,
            (ConvergenceWarning, PerfectSeparationWarning, HessianInversionWarning, RuntimeWarning),
        )
    ]
    if problems or not fit.mle_retvals.get("converged", True) or not np.isfinite(fit.llf):
        why = str(problems[0].message).strip().splitlines()[0] if problems else "did not converge"
        return None, np.nan, why
    return float(fit.llf), float(fit.df_model), ""


def _interaction_deviance(data: pd.DataFrame) -> tuple[float, int, str]:
    """The likelihood-ratio test of ``arm x segment`` when the interaction model cannot be fitted because
    a cell (arm within segment) converted nobody or everybody: the interaction model is saturated, so
    its log-likelihood is the limit at the observed cell rates (finite; 0 x log 0 = 0), compared with
    the fitted model without interaction (``arm + segment``). Returns ``(chi-square, df, why not)``;
    the chi-square is NaN with a reason when the model without interaction cannot be fitted either."""
    cells = data.groupby(["segment", "arm"], observed=True)["converted"].agg(["sum", "size"])
    k, n = cells["sum"].to_numpy(float), cells["size"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturated = float(
            np.sum(
                np.where(k > 0, k * np.log(k / n), 0.0)
                + np.where(n - k > 0, (n - k) * np.log((n - k) / n), 0.0)
            )
        )
    reduced, _, why = _logit_llf("converted ~ C(arm) + C(segment)", data)
    arms, segments = data["arm"].nunique(), data["segment"].nunique()
    df = (arms - 1) * (segments - 1)
    if reduced is None:
        return np.nan, df, f"the model without interaction could not be estimated either ({why})"
    return max(2 * (saturated - reduced), 0.0), df, ""


def _describe_cells(k: pd.DataFrame, n: pd.DataFrame, mask: pd.DataFrame, limit: int = 3) -> str:
    """Words for the cells (segment x arm) of ``mask``: who converted nobody or everybody."""
    said = []
    for (seg, arm), flag in mask.stack().items():
        if flag:
            who = "nobody" if k.loc[seg, arm] == 0 else "everybody"
            said.append(
                f"in segment {seg!r} arm {arm!r} converted {who} "
                f"({int(k.loc[seg, arm])} of {int(n.loc[seg, arm])})"
            )
    more = f" and {len(said) - limit} more cell(s)" if len(said) > limit else ""
    return ", ".join(said[:limit]) + more


def _interaction_test(table: pd.DataFrame, control: str, arms: list) -> tuple[float, int, float, list[str]]:
    """The ``arm x segment`` likelihood-ratio test where it can be estimated: ``(chi-square, df, p-value,
    notes)``. Segments lacking an arm, and segments or arms in which nobody (or everybody) converted,
    carry no information on the interaction and are left out with a note; a cell with no conversion in
    what remains (separation) is handled by :func:`_interaction_deviance`. NaN with a note when fewer
    than two segments or arms remain or a model cannot be fitted."""
    cells = table.groupby(["segment", "arm"], observed=True)["converted"].agg(["sum", "size"])
    k = cells["sum"].unstack(fill_value=0).reindex(columns=arms, fill_value=0)
    n = cells["size"].unstack(fill_value=0).reindex(columns=arms, fill_value=0)
    notes: list[str] = []
    if int((n > 0).sum(axis=1).max()) == 1:
        seg = n.index[0]
        only = n.columns[n.loc[seg] > 0][0]
        notes.append(
            f"every segment holds a single arm (e.g. segment {seg!r} only arm {only!r}): is the "
            "segment column the arm column? Heterogeneity needs segments that cut across the arms; "
            "the interaction model could not be estimated"
        )
        return np.nan, 0, np.nan, notes
    lonely = (n > 0).sum(axis=0) < 2  # an arm in one segment only says nothing about the interaction
    if lonely.any():
        notes.append(
            f"arm(s) in only one segment left out of the interaction test: {examples(n.columns[lonely], 10)}"
        )
        k, n, arms = k.loc[:, ~lonely], n.loc[:, ~lonely], [arm for arm in arms if not lonely[arm]]
    complete = (n > 0).all(axis=1)
    if not complete.all():
        lacking = [
            f"{seg!r} (no {', '.join(map(repr, n.columns[n.loc[seg] == 0]))})" for seg in n.index[~complete]
        ]
        notes.append(f"segment(s) lacking an arm left out of the interaction test: {', '.join(lacking)}")
    k, n = k[complete], n[complete]
    sep = (k == 0) | (k == n)
    data = table[table["segment"].isin(k.index) & table["arm"].isin(arms)]
    first = [control] if control in arms else []
    data = data.assign(arm=pd.Categorical(data["arm"], categories=first + sorted(set(arms) - {control})))
    if len(k) >= 2 and not sep.to_numpy().any():
        full, df_full, why = _logit_llf("converted ~ C(arm) * C(segment)", data)
        reduced, df_reduced, why_reduced = _logit_llf("converted ~ C(arm) + C(segment)", data)
        if full is not None and reduced is not None:
            lr = 2 * (full - reduced)
            df = int(df_full - df_reduced)
            return lr, df, float(stats.chi2.sf(lr, df)), notes
        notes.append(f"the logistic fit failed ({why or why_reduced}); the test uses the observed cell rates")
    # separation: leave out segments and arms without information (repeat: leaving one out can empty another)
    flat_segments: list = []
    flat_arms: list = []
    while len(k) and k.shape[1]:
        seg_out = (k == 0).all(axis=1) | (k == n).all(axis=1)
        flat_segments += list(k.index[seg_out])
        k, n = k[~seg_out], n[~seg_out]
        arm_out = (k == 0).all(axis=0) | (k == n).all(axis=0) if len(k) else pd.Series(False, index=k.columns)
        flat_arms += list(k.columns[arm_out])
        k, n = k.loc[:, ~arm_out], n.loc[:, ~arm_out]
        if not seg_out.any() and not arm_out.any():
            break
    if flat_segments:
        notes.append(
            "segment(s) where every arm converted nobody (or everybody), no information on the "
            f"interaction, left out: {examples(flat_segments, 10)}"
        )
    if flat_arms:
        notes.append(
            "arm(s) that converted nobody (or everybody) in every segment, no information on the "
            f"interaction, left out: {examples(flat_arms, 10)}"
        )
    sep = (k == 0) | (k == n)
    if len(k) < 2 or k.shape[1] < 2:
        notes.append(
            f"the interaction model could not be estimated: {len(k)} segment(s) and {k.shape[1]} "
            "arm(s) with conversions to compare (it needs two of each)"
        )
        return np.nan, 0, np.nan, notes
    data = data[data["segment"].isin(k.index) & data["arm"].isin(k.columns)]
    data = data.assign(arm=data["arm"].cat.remove_unused_categories())
    lr, df, why = _interaction_deviance(data)
    if sep.to_numpy().any():
        notes.append(
            f"separation: {_describe_cells(k, n, sep)}, so the interaction model's coefficient "
            "there is infinite; the test compares the model without interaction with the observed "
            "cell rates (the limit of the interaction model), read its p-value with care"
        )
    if why:
        notes.append(f"the interaction model could not be estimated: {why}")
        return np.nan, df, np.nan, notes
    return lr, df, float(stats.chi2.sf(lr, df)), notes


def heterogeneity(table: pd.DataFrame, control: str, alpha: float = 0.05) -> tuple[pd.DataFrame, pd.Series]:
    """Does the effect differ by segment? A logistic regression ``converted ~ arm * segment``
    (likelihood-ratio test of the interaction against ``arm + segment``), reported as per-segment risk
    differences (probability differences) of each arm against ``control`` with Newcombe intervals.

    Returns ``(per-segment table, interaction test)``. The table is indexed by ``(segment, arm)`` with
    ``customers``, ``risk difference``, ``lower``, ``upper`` (and a :data:`NOTE` column for segments
    without control customers). The test is a Series named ``"arm x segment interaction"`` with
    ``likelihood-ratio chi-square``, ``df``, ``p-value`` and, when the test could not be estimated as
    usual, a :data:`NOTE` entry that says why in words:

    * no segment column (or one segment): an empty table, NaN test and :data:`NO_SEGMENT_NOTE`;
    * segments that do not cut across the arms (the segment column is the arm column): NaN test;
    * a segment lacking an arm, or a cell that converted nobody or everybody (separation): the test
      on what can be estimated (see :func:`_interaction_test`), or NaN when nothing can."""
    control = _control(table, control)
    arms = list(pd.unique(table["arm"]))
    segments = sorted(pd.unique(table["segment"])) if "segment" in table else []
    name = "arm x segment interaction"
    if len(segments) < 2:
        empty = pd.DataFrame(
            columns=["customers", "risk difference", "lower", "upper"],
            index=pd.MultiIndex.from_arrays([[], []], names=["segment", "arm"]),
        )
        note = (
            NO_SEGMENT_NOTE
            if not segments or segments[0] == NO_SEGMENT
            else (f"one segment only ({segments[0]!r}): heterogeneity needs two or more")
        )
        test = {"likelihood-ratio chi-square": np.nan, "df": 0, "p-value": np.nan, NOTE: note}
        return empty, pd.Series(test, name=name, dtype=object)
    lr, df, p, notes = _interaction_test(table, control, arms)
    test = {"likelihood-ratio chi-square": round(float(lr), 3), "df": df, "p-value": p}
    test = pd.Series(test | ({NOTE: "; ".join(notes)} if notes else {}), name=name, dtype=object)
    rows, row_notes = [], []
    for seg, part in table.groupby("segment", sort=True):
        c = part[part["arm"] == control]
        for arm, p_arm in part.groupby("arm", sort=False):
            if arm == control:
                continue
            k1, n1, k0, n0 = int(p_arm["converted"].sum()), len(p_arm), int(c["converted"].sum()), len(c)
            if n0:
                lo, hi = confint_proportions_2indep(
                    k1, n1, k0, n0, method="newcomb", compare="diff", alpha=alpha
                )
                diff, note = k1 / n1 - k0 / n0, ""
            else:
                lo = hi = diff = np.nan
                note = f"no {control!r} customers in this segment: no risk difference"
            rows.append(
                {
                    "segment": seg,
                    "arm": arm,
                    "customers": n1 + n0,
                    "risk difference": diff,
                    "lower": lo,
                    "upper": hi,
                }
            )
            row_notes.append(note)
    return with_notes(pd.DataFrame(rows).set_index(["segment", "arm"]).round(4), row_notes), test


def experiment_input(
    path,
    arm_col: str,
    *,
    converted_col: str,
    revenue_col: str | None,
    segment_col: str | None,
    n_per_arm: int,
    arms: dict[str, float],
    segment_shares: dict[str, float],
    segment_lift: dict[str, float],
    seed: int = 0,
    control: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The experiment a notebook analyses: the user's campaign table at ``path`` (a CSV/Parquet path or
    a frame; see :func:`load_experiment`, which checks ``control`` when given; no truth), or, when
    ``path`` is None or empty, the seeded simulation (:func:`simulate_experiment`) with its truth.
    ``revenue_col`` and ``segment_col`` may be None."""
    if path is not None and not (isinstance(path, str) and not path.strip()):
        return load_experiment(
            path,
            arm_col,
            converted_col=converted_col,
            revenue_col=revenue_col,
            segment_col=segment_col,
            control=control,
        ), None
    return simulate_experiment(
        n_per_arm, arms, segment_shares=segment_shares, segment_lift=segment_lift, seed=seed
    )


def truth_vs_estimate(comparison: pd.DataFrame, truth: pd.DataFrame | None, control: str) -> pd.DataFrame:
    """The simulated experiment's true overall effects next to the estimates and whether each
    interval covers the truth (a one-row note for real data, which has no known truth)."""
    if truth is None:
        return pd.DataFrame({"note": ["real experiment data: the true effects are unknown"]})
    true_diff = truth["overall"] - truth.loc[control, "overall"]
    out = comparison[["rate difference", "difference lower", "difference upper"]].copy()
    out.insert(0, "true difference", true_diff.reindex(out.index).round(4))
    out["interval covers truth"] = (out["difference lower"] <= out["true difference"]) & (
        out["true difference"] <= out["difference upper"]
    )
    return out
