"""Strategy: which play, aimed at whom, pays — and how to read a randomized test of a play.

This module imports none of the analyses: the notebook passes their results in as columns (lifecycle
stage from :mod:`stages`, value class from :mod:`rfm`, CLV and P(alive) from :mod:`clv`). Money is
in the currency of the data; probabilities are between 0 and 1; "uplift" is an absolute change in a
probability (0.05 = five percentage points).
"""

from __future__ import annotations

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

STAGE_PLAYS = pd.DataFrame(
    [
        ("new", "activation: onboarding and a second-purchase incentive", "second purchase within 60 days"),
        ("growing", "retention: cross-sell, reminders at the usual interval", "purchase occasions per quarter"),
        ("mature", "upsell and loyalty: bundles, early access, referrals", "spend per customer per quarter"),
        ("silent", "reactivation before the churn threshold", "share buying again within 90 days"),
        ("churned", "win-back, aimed only where value is left", "share returning; margin net of incentives"),
    ],
    columns=["stage", "play", "KPI"],
).set_index("stage")


# ---------------------------------------------------------------------------------- strategy matrix
def customer_table(**columns: pd.Series) -> pd.DataFrame:
    """Join per-customer series (e.g. ``stage=``, ``value_class=``, ``clv=``, ``p_alive=``,
    ``spend=``) on the customer index; customers missing from a series get NaN there."""
    frame = pd.concat({name: s for name, s in columns.items()}, axis=1)
    if "p_alive" in frame:
        frame["churn_prob"] = 1 - frame["p_alive"]
    return frame


def strategy_matrix(customers: pd.DataFrame, by: str, plays: pd.DataFrame | pd.Series | None = None) -> pd.DataFrame:
    """Per group of ``by`` (``"stage"`` or ``"value_class"``): customers, share of revenue (%), CLV
    at stake (sum), mean churn probability (1 - P(alive)), CLV at risk (sum of CLV x churn
    probability), and the play (and KPI) from ``plays`` (indexed by the group labels)."""
    g = customers.groupby(by, observed=False)
    out = pd.DataFrame({
        "customers": g.size(),
        "revenue (%)": (100 * g["spend"].sum() / customers["spend"].sum()).round(1),
        "CLV at stake": g["clv"].sum().round(0),
        "mean churn probability": g["churn_prob"].mean().round(3),
        "CLV at risk": (customers["clv"] * customers["churn_prob"]).groupby(customers[by], observed=False).sum().round(0),
    })
    if plays is not None:
        plays = plays.to_frame("play") if isinstance(plays, pd.Series) else plays
        out = out.join(plays.reindex(out.index.astype(str)).set_axis(out.index))
    return out


# ------------------------------------------------------------------------------- targeting policies
def expected_gain(customers: pd.DataFrame, uplift_by_stage: dict[str, float]) -> pd.Series:
    """Expected incremental value of contacting each customer: CLV x churn probability x the assumed
    uplift of the customer's stage (the share of that at-risk value a contact saves)."""
    uplift = customers["stage"].astype(str).map(uplift_by_stage).fillna(0.0)
    return (customers["clv"] * customers["churn_prob"] * uplift).rename("expected gain")


POLICIES = ("random", "RFM rule", "highest churn risk", "highest CLV", "highest value at risk",
            "value at risk, only where it pays")


def policy_order(customers: pd.DataFrame, policy: str, gain: pd.Series, rule: pd.Series | None = None,
                 seed: int = 0) -> pd.Index:
    """The customers a policy contacts, best first: ``random`` (seeded shuffle), ``RFM rule`` (only
    customers where ``rule`` is True, highest CLV first), ``highest churn risk``, ``highest CLV``,
    ``highest value at risk`` (expected gain). Ties keep index order."""
    if policy == "random":
        return customers.index[np.random.default_rng(seed).permutation(len(customers))]
    if policy == "RFM rule":
        if rule is None:
            raise ValueError("the RFM rule policy needs a boolean rule series")
        chosen = customers[rule.reindex(customers.index, fill_value=False).astype(bool)]
        return chosen.sort_values("clv", ascending=False, kind="stable").index
    key = {"highest churn risk": customers["churn_prob"], "highest CLV": customers["clv"],
           "highest value at risk": gain}.get(policy)
    if key is None:
        raise ValueError(f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}")
    return key.sort_values(ascending=False, kind="stable").index


def compare_policies(customers: pd.DataFrame, budget: float, contact_cost: float, incentive_cost: float,
                     redemption_rate: float, uplift_by_stage: dict[str, float], rule: pd.Series | None = None,
                     seed: int = 0, policies=POLICIES) -> pd.DataFrame:
    """Each policy under the budget: it contacts its best customers until the budget is spent (cost
    per contact = ``contact_cost + incentive_cost x redemption_rate``); the last policy also stops at
    the first customer whose expected gain is below the cost of contacting them. Per policy: customers
    contacted, cost, expected incremental value (sum of :func:`expected_gain`), incremental profit
    (value - cost), ROI (profit / cost) and the break-even uplift factor (by how much every assumed
    uplift must be multiplied for profit to be 0; below 1 means room for error)."""
    per_contact = contact_cost + incentive_cost * redemption_rate
    if per_contact <= 0:
        raise ValueError("the cost per contact must be positive")
    capacity = int(budget // per_contact)
    gain = expected_gain(customers, uplift_by_stage)
    if rule is None:
        policies = [p for p in policies if p != "RFM rule"]
    rows = []
    for policy in policies:
        if policy == "value at risk, only where it pays":  # stop where a contact costs more than it gains
            order = policy_order(customers, "highest value at risk", gain, rule, seed)
            chosen = order[gain.loc[order].to_numpy() > per_contact][:capacity]
        else:
            chosen = policy_order(customers, policy, gain, rule, seed)[:capacity]
        cost = len(chosen) * per_contact
        value = float(gain.loc[chosen].sum())
        rows.append({"policy": policy, "contacted": len(chosen), "cost": round(cost, 2),
                     "expected incremental value": round(value, 2), "incremental profit": round(value - cost, 2),
                     "ROI": round((value - cost) / cost, 3) if cost else np.nan,
                     "break-even uplift factor": round(cost / value, 3) if value > 0 else np.inf})
    return pd.DataFrame(rows).set_index("policy")


def uplift_sensitivity(customers: pd.DataFrame, budget: float, contact_cost: float, incentive_cost: float,
                       redemption_rate: float, uplift_by_stage: dict[str, float], factors=None,
                       rule: pd.Series | None = None, seed: int = 0) -> pd.DataFrame:
    """Incremental profit of each policy when every assumed uplift is multiplied by a factor (rows:
    ``factor``; columns: policies)."""
    factors = np.linspace(0, 2, 21) if factors is None else factors
    rows = []
    for f in factors:
        scaled = {k: v * f for k, v in uplift_by_stage.items()}
        table = compare_policies(customers, budget, contact_cost, incentive_cost, redemption_rate, scaled, rule, seed)
        rows.append(table["incremental profit"].rename(round(float(f), 3)))
    out = pd.DataFrame(rows)
    out.index.name = "uplift factor"
    return out


# --------------------------------------------------------------------------- randomized experiments
def simulate_experiment(n_per_arm: int, arms: dict[str, float], segment_shares: dict[str, float],
                        segment_lift: dict[str, float], mean_revenue: float = 40.0, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    truth = pd.DataFrame({s: {a: arms[control] + (arms[a] - arms[control]) * segment_lift.get(s, 1.0) for a in names}
                          for s in segs})
    weights = probs / probs.sum()
    truth["overall"] = truth[segs].to_numpy() @ weights
    truth.index.name = "arm"
    return table, truth


def load_experiment(source, arm_col: str, converted_col: str, revenue_col: str | None = None,
                    segment_col: str | None = None) -> pd.DataFrame:
    """A campaign table (path or frame) with one row per customer: the arm, whether they converted
    (0/1 or true/false), optionally revenue and a segment. Returns the standard columns ``arm``,
    ``converted``, ``revenue`` (0 when absent), ``segment`` ("all" when absent); bad values raise
    ``ValueError`` naming the column and count."""
    frame = source.copy() if isinstance(source, pd.DataFrame) else (
        pd.read_parquet(source) if str(source).endswith((".parquet", ".pq")) else pd.read_csv(source))
    needed = [c for c in (arm_col, converted_col, revenue_col, segment_col) if c]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(map(repr, missing))}; columns found: {', '.join(map(str, frame.columns))}")
    flags = {"1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0, "yes": 1, "no": 0}
    conv = frame[converted_col].astype(str).str.strip().str.lower().map(flags)
    if conv.isna().any():
        bad = frame.loc[conv.isna(), converted_col]
        raise ValueError(f"column '{converted_col}': {len(bad)} of {len(frame)} rows are not 0/1 (e.g. {', '.join(map(repr, bad.head(3)))})")
    out = pd.DataFrame({"arm": frame[arm_col].astype(str), "converted": conv.astype(int)})
    if revenue_col:
        revenue = pd.to_numeric(frame[revenue_col], errors="coerce")
        if revenue.isna().any() or (revenue < 0).any():
            n = int((revenue.isna() | (revenue < 0)).sum())
            raise ValueError(f"column '{revenue_col}': {n} of {len(frame)} rows are missing, not numbers or negative")
        out["revenue"] = revenue.astype(float)
    else:
        out["revenue"] = 0.0
    out["segment"] = frame[segment_col].astype(str) if segment_col else "all"
    if out["arm"].nunique() < 2:
        raise ValueError(f"column '{arm_col}' has {out['arm'].nunique()} arm(s); a test needs at least two")
    return out


def arm_summary(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per arm: customers, conversions, response rate with a Wilson ``1 - alpha`` interval, and revenue
    per customer with a t interval."""
    rows = []
    for arm, part in table.groupby("arm", sort=False):
        n, k = len(part), int(part["converted"].sum())
        lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
        rev = part["revenue"].to_numpy(float)
        half = stats.t.ppf(1 - alpha / 2, n - 1) * rev.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append({"arm": arm, "customers": n, "conversions": k, "response rate": k / n,
                     "rate lower": lo, "rate upper": hi, "revenue per customer": rev.mean(),
                     "revenue lower": rev.mean() - half, "revenue upper": rev.mean() + half})
    return pd.DataFrame(rows).set_index("arm").round(4)


def compare_arms(table: pd.DataFrame, control: str, alpha: float = 0.05) -> pd.DataFrame:
    """Each other arm against ``control``: difference in response rate with its ``1 - alpha`` interval
    (statsmodels ``confint_proportions_2indep``, Newcomb score method) and test
    (``test_proportions_2indep``, score method), the p-value adjusted for the number of comparisons
    (Holm), and the difference in revenue per customer with a Welch interval."""
    if control not in set(table["arm"]):
        raise ValueError(f"control arm {control!r} is not among the arms: {', '.join(sorted(set(table['arm'])))}")
    c = table[table["arm"] == control]
    rows = []
    for arm, part in table.groupby("arm", sort=False):
        if arm == control:
            continue
        k1, n1, k0, n0 = int(part["converted"].sum()), len(part), int(c["converted"].sum()), len(c)
        lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff", alpha=alpha)
        test = test_proportions_2indep(k1, n1, k0, n0, method="score", compare="diff")
        welch = stats.ttest_ind(part["revenue"], c["revenue"], equal_var=False)
        ci = welch.confidence_interval(1 - alpha)
        rows.append({"arm": arm, "rate difference": k1 / n1 - k0 / n0, "difference lower": lo, "difference upper": hi,
                     "z": test.statistic, "p-value": test.pvalue,
                     "revenue difference": part["revenue"].mean() - c["revenue"].mean(),
                     "revenue lower": ci.low, "revenue upper": ci.high})
    out = pd.DataFrame(rows).set_index("arm")
    out["p-value (Holm)"] = multipletests(out["p-value"], method="holm")[1]
    return out.round(4)


def incremental_profit(table: pd.DataFrame, control: str, margin: float, contact_cost: dict[str, float],
                       incentive_cost: dict[str, float]) -> pd.DataFrame:
    """Per arm, per customer, against the control: incremental margin (revenue difference x margin),
    the contact cost, the incentive cost (paid to each *converted* customer of the arm), and the net
    incremental profit; also per 1,000 customers, and for incentive arms the incentive per conversion
    at which the arm would break even. An incentive can lift response and still lose money."""
    base = table.loc[table["arm"] == control, "revenue"].mean()
    rows = []
    for arm, part in table.groupby("arm", sort=False):
        lift = (part["revenue"].mean() - base) * margin
        contact = contact_cost.get(arm, 0.0) - contact_cost.get(control, 0.0)
        incentive = incentive_cost.get(arm, 0.0) * part["converted"].mean()
        net = lift - contact - incentive
        rate = part["converted"].mean()
        break_even = (lift - contact) / rate if incentive_cost.get(arm, 0.0) and rate > 0 else np.nan
        rows.append({"arm": arm, "incremental margin": lift, "contact cost": contact, "incentive cost": incentive,
                     "net incremental profit": net, "net per 1,000 customers": 1000 * net,
                     "break-even incentive per conversion": break_even})
    return pd.DataFrame(rows).set_index("arm").round(3)


def segment_profit(table: pd.DataFrame, segment: str, control: str, margin: float, contact_cost: dict[str, float],
                   incentive_cost: dict[str, float]) -> pd.DataFrame:
    """:func:`incremental_profit` within one segment; a one-row note when the segment (or its
    control group) is not in the data."""
    part = table[table["segment"].astype(str) == str(segment)]
    if part.empty or control not in set(part["arm"]):
        return pd.DataFrame({"note": [f"segment {segment!r} (with a {control!r} group) is not in this experiment"]})
    return incremental_profit(part, control, margin, contact_cost, incentive_cost)


def sample_size(control_rate: float, treatment_rate: float, alpha: float = 0.05, power: float = 0.8,
                ratio: float = 1.0) -> int:
    """Customers per arm (control; the treatment arm has ``ratio`` times as many) for a two-sided test
    of two proportions at ``alpha`` with the given ``power`` (Cohen's h, statsmodels ``NormalIndPower``)."""
    h = abs(proportion_effectsize(treatment_rate, control_rate))
    if h == 0:
        raise ValueError("the two rates are equal: no sample size can detect a zero effect")
    return int(np.ceil(NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio)))


def power_curve(control_rate: float, lifts, n_per_arm: int, alpha: float = 0.05) -> pd.DataFrame:
    """Power of a test with ``n_per_arm`` customers per arm against each absolute lift in ``lifts``."""
    rows = []
    for lift in lifts:
        h = abs(proportion_effectsize(control_rate + lift, control_rate))
        rows.append({"lift": lift, "power": float(NormalIndPower().power(effect_size=h, nobs1=n_per_arm, alpha=alpha))})
    return pd.DataFrame(rows)


def heterogeneity(table: pd.DataFrame, control: str, alpha: float = 0.05) -> tuple[pd.DataFrame, pd.Series]:
    """Does the effect differ by segment? A logistic regression ``converted ~ arm * segment``
    (likelihood-ratio test of the interaction against ``arm + segment``), reported as per-segment risk
    differences of each arm against ``control`` with Newcomb intervals. Returns ``(per-segment table,
    interaction test)``."""
    data = table.assign(arm=pd.Categorical(table["arm"], categories=[control] + sorted(set(table["arm"]) - {control})))
    full = smf.logit("converted ~ C(arm) * C(segment)", data).fit(disp=0)
    reduced = smf.logit("converted ~ C(arm) + C(segment)", data).fit(disp=0)
    lr = 2 * (full.llf - reduced.llf)
    df = int(full.df_model - reduced.df_model)
    test = pd.Series({"likelihood-ratio chi-square": round(float(lr), 3), "df": df,
                      "p-value": float(stats.chi2.sf(lr, df))}, name="arm x segment interaction", dtype=object)
    rows = []
    for seg, part in table.groupby("segment", sort=True):
        c = part[part["arm"] == control]
        for arm, p in part.groupby("arm", sort=False):
            if arm == control:
                continue
            k1, n1, k0, n0 = int(p["converted"].sum()), len(p), int(c["converted"].sum()), len(c)
            lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff", alpha=alpha)
            rows.append({"segment": seg, "arm": arm, "customers": n1 + n0, "risk difference": k1 / n1 - k0 / n0,
                         "lower": lo, "upper": hi})
    return pd.DataFrame(rows).set_index(["segment", "arm"]).round(4), test


def experiment_input(path, arm_col: str, converted_col: str, revenue_col: str | None, segment_col: str | None,
                     n_per_arm: int, arms: dict[str, float], segment_shares: dict[str, float],
                     segment_lift: dict[str, float], seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The experiment a notebook analyses: the user's campaign table at ``path`` (see
    :func:`load_experiment`; no truth), or without a path the seeded simulation
    (:func:`simulate_experiment`) with its truth."""
    if path:
        return load_experiment(path, arm_col, converted_col, revenue_col, segment_col), None
    return simulate_experiment(n_per_arm, arms, segment_shares, segment_lift, seed=seed)


def truth_vs_estimate(comparison: pd.DataFrame, truth: pd.DataFrame | None, control: str) -> pd.DataFrame:
    """The simulated experiment's true overall effects next to the estimates and whether each
    interval covers the truth (a one-row note for real data, which has no known truth)."""
    if truth is None:
        return pd.DataFrame({"note": ["real experiment data: the true effects are unknown"]})
    true_diff = truth["overall"] - truth.loc[control, "overall"]
    out = comparison[["rate difference", "difference lower", "difference upper"]].copy()
    out.insert(0, "true difference", true_diff.reindex(out.index).round(4))
    out["interval covers truth"] = (out["difference lower"] <= out["true difference"]) & (out["true difference"] <= out["difference upper"])
    return out


def headline_figures(policies: pd.DataFrame, comparison: pd.DataFrame, profit: pd.DataFrame, n_needed: int) -> dict:
    """What notebook 05 records."""
    best = policies["incremental profit"].idxmax()
    best_arm = profit.drop(index=profit.index[0])["net incremental profit"].idxmax()
    return {
        "best targeting policy": best,
        "its incremental profit": float(policies.loc[best, "incremental profit"]),
        "its ROI": float(policies.loc[best, "ROI"]),
        "random targeting profit": float(policies.loc["random", "incremental profit"]) if "random" in policies.index else None,
        "most profitable arm": best_arm,
        "its net profit per 1,000 customers": float(profit.loc[best_arm, "net per 1,000 customers"]),
        **{f"{arm}: response lift (points)": round(100 * float(row["rate difference"]), 2) for arm, row in comparison.iterrows()},
        "customers per arm for the planned test": int(n_needed),
    }
