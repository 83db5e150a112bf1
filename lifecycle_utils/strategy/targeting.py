"""Which play for which customer, and whom to target: the stage plays, the strategy matrix (lifecycle
stage by value class) and the comparison of targeting policies under an assumed uplift per stage.
Observational: these figures rank and size, they do not show that a play causes anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "STAGE_PLAYS",
    "customer_table",
    "strategy_matrix",
    "expected_gain",
    "POLICIES",
    "policy_order",
    "compare_policies",
    "uplift_sensitivity",
]

STAGE_PLAYS = pd.DataFrame(
    [
        ("new", "activation: onboarding and a second-purchase incentive", "second purchase within 60 days"),
        (
            "growing",
            "retention: cross-sell, reminders at the usual interval",
            "purchase occasions per quarter",
        ),
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


def strategy_matrix(
    customers: pd.DataFrame, by: str, plays: pd.DataFrame | pd.Series | None = None
) -> pd.DataFrame:
    """Per group of ``by`` (``"stage"`` or ``"value_class"``): customers, share of revenue (%), CLV
    at stake (sum), mean churn probability (1 - P(alive)), CLV at risk (sum of CLV x churn
    probability), and the play (and KPI) from ``plays`` (indexed by the group labels)."""
    g = customers.groupby(by, observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue (%)": (100 * g["spend"].sum() / customers["spend"].sum()).round(1),
            "CLV at stake": g["clv"].sum().round(0),
            "mean churn probability": g["churn_prob"].mean().round(3),
            "CLV at risk": (customers["clv"] * customers["churn_prob"])
            .groupby(customers[by], observed=False)
            .sum()
            .round(0),
        }
    )
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


POLICIES = (
    "random",
    "RFM rule",
    "highest churn risk",
    "highest CLV",
    "highest value at risk",
    "value at risk, only where it pays",
)


def policy_order(
    customers: pd.DataFrame, policy: str, gain: pd.Series, rule: pd.Series | None = None, seed: int = 0
) -> pd.Index:
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
    key = {
        "highest churn risk": customers["churn_prob"],
        "highest CLV": customers["clv"],
        "highest value at risk": gain,
    }.get(policy)
    if key is None:
        raise ValueError(f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}")
    return key.sort_values(ascending=False, kind="stable").index


def _contacts(
    customers: pd.DataFrame,
    budget: float,
    *,
    contact_cost: float,
    incentive_cost: float,
    redemption_rate: float,
    uplift_by_stage: dict[str, float],
    rule: pd.Series | None,
    seed: int,
    policies,
) -> tuple[dict[str, pd.Index], pd.Series, float]:
    """The customers each policy contacts under ``budget`` and the assumed uplifts, the expected gain
    per customer under those uplifts, and the cost per contact."""
    per_contact = contact_cost + incentive_cost * redemption_rate
    if per_contact <= 0:
        raise ValueError("the cost per contact must be positive")
    capacity = int(budget // per_contact)
    gain = expected_gain(customers, uplift_by_stage)
    if rule is None:
        policies = [p for p in policies if p != "RFM rule"]
    chosen = {}
    for policy in policies:
        if policy == "value at risk, only where it pays":  # stop where a contact costs more than it gains
            order = policy_order(customers, "highest value at risk", gain, rule, seed)
            chosen[policy] = order[gain.loc[order].to_numpy() > per_contact][:capacity]
        else:
            chosen[policy] = policy_order(customers, policy, gain, rule, seed)[:capacity]
    return chosen, gain, per_contact


def compare_policies(
    customers: pd.DataFrame,
    budget: float,
    *,
    contact_cost: float,
    incentive_cost: float,
    redemption_rate: float,
    uplift_by_stage: dict[str, float],
    rule: pd.Series | None = None,
    seed: int = 0,
    policies=POLICIES,
) -> pd.DataFrame:
    """Each policy under the budget: it contacts its best customers until the budget is spent or the
    customers run out (cost per contact = ``contact_cost + incentive_cost x redemption_rate``); the last
    policy also stops at the first customer whose expected gain is below the cost of contacting them, so
    the policies need not spend the same amount. Per policy: customers contacted, cost (what it spends),
    expected incremental value (sum of :func:`expected_gain`), incremental profit (value - cost), ROI
    (profit / cost) and the break-even uplift factor (by how much every assumed uplift must be multiplied
    for the profit of the same contacts to be 0; below 1 means room for error)."""
    chosen, gain, per_contact = _contacts(
        customers,
        budget,
        contact_cost=contact_cost,
        incentive_cost=incentive_cost,
        redemption_rate=redemption_rate,
        uplift_by_stage=uplift_by_stage,
        rule=rule,
        seed=seed,
        policies=policies,
    )
    rows = []
    for policy, contacted in chosen.items():
        cost = len(contacted) * per_contact
        value = float(gain.loc[contacted].sum())
        rows.append(
            {
                "policy": policy,
                "contacted": len(contacted),
                "cost": round(cost, 2),
                "expected incremental value": round(value, 2),
                "incremental profit": round(value - cost, 2),
                "ROI": round((value - cost) / cost, 3) if cost else np.nan,
                "break-even uplift factor": round(cost / value, 3) if value > 0 else np.inf,
            }
        )
    return pd.DataFrame(rows).set_index("policy")


def uplift_sensitivity(
    customers: pd.DataFrame,
    budget: float,
    *,
    contact_cost: float,
    incentive_cost: float,
    redemption_rate: float,
    uplift_by_stage: dict[str, float],
    factors=None,
    rule: pd.Series | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Incremental profit of each policy's contacts when the true uplifts are the assumed ones multiplied
    by a factor (rows: ``uplift factor``; columns: policies). The contacts are those each policy chooses
    under the *assumed* uplifts (as :func:`compare_policies`), kept fixed: the table shows what the
    chosen contact list earns if the assumption is wrong, so a policy's profit crosses zero at its
    break-even uplift factor."""
    factors = np.linspace(0, 2, 21) if factors is None else factors
    chosen, gain, per_contact = _contacts(
        customers,
        budget,
        contact_cost=contact_cost,
        incentive_cost=incentive_cost,
        redemption_rate=redemption_rate,
        uplift_by_stage=uplift_by_stage,
        rule=rule,
        seed=seed,
        policies=POLICIES,
    )
    value = {policy: float(gain.loc[contacted].sum()) for policy, contacted in chosen.items()}
    cost = {policy: len(contacted) * per_contact for policy, contacted in chosen.items()}
    out = pd.DataFrame(
        [{p: round(float(f) * value[p] - cost[p], 2) for p in chosen} for f in factors],
        index=pd.Index([round(float(f), 3) for f in factors], name="uplift factor"),
    )
    return out
