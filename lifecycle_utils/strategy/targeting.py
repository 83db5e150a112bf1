"""Which play for which customer, and whom to target: the stage plays, the strategy matrix (lifecycle
stage by value class, the value classes' plays by stage), and the comparison of targeting policies.

The value of contacting a customer is ``uplift x future margin - cost per contact``: the future margin is
the customer's CLV at the margin (``clv.clv`` with ``margin``), the uplift the share by which a contact
raises it (0.10 = +10%), the cost the contact plus the incentive times its redemption rate. Policies
rank customers by an *assumed* uplift per stage (a parameter, with the uplift at which a contact breaks
even shown beside it) or by other keys, and are *scored* on a different quantity, the uplift a
randomized test measured (:func:`~lifecycle_utils.strategy.experiments.measured_uplift`, by segment where
a segment is named after the stage), with a bootstrap interval: no policy is scored on its own ranking
key. The matrix figures are observational: they rank and size, they do not show that a play causes
anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifecycle_utils._messages import with_notes
from lifecycle_utils.strategy.experiments import ALL_SEGMENTS, UpliftEstimate

__all__ = [
    "STAGE_PLAYS",
    "customer_table",
    "strategy_matrix",
    "play_matrix",
    "arm_costs",
    "cost_check",
    "cost_per_contact",
    "contact_value",
    "uplift_for_stages",
    "stage_uplifts",
    "POLICIES",
    "policy_order",
    "choose_contacts",
    "compare_policies",
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
    """Join per-customer series (e.g. ``stage=``, ``value_class=``, ``clv=`` (the future margin: CLV at
    the margin, currency of the data), ``p_alive=``, ``spend=``, ``play=``) on the customer index;
    customers missing from a series get NaN there. With ``p_alive``, ``churn_prob`` = 1 - P(alive)."""
    frame = pd.concat({name: s for name, s in columns.items()}, axis=1)
    if "p_alive" in frame:
        frame["churn_prob"] = 1 - frame["p_alive"]
    return frame


def strategy_matrix(
    customers: pd.DataFrame, by: str, plays: pd.DataFrame | pd.Series | None = None
) -> pd.DataFrame:
    """Per group of ``by`` (``"stage"`` or ``"value_class"``): customers, share of revenue so far (%), CLV
    at stake (the sum of the future margin, ``clv``) and the mean P(inactive) (1 - P(alive)), and
    the play (and KPI) from ``plays`` (indexed by the group labels). No "CLV at risk": CLV already
    weighs each customer by P(alive), so CLV x (1 - P(alive)) would count it twice."""
    g = customers.groupby(by, observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue (%)": (100 * g["spend"].sum() / customers["spend"].sum()).round(1),
            "CLV at stake": g["clv"].sum().round(0),
            "mean P(inactive)": g["churn_prob"].mean().round(3),
        }
    )
    if plays is not None:
        plays = plays.to_frame("play") if isinstance(plays, pd.Series) else plays
        out = out.join(plays.reindex(out.index.astype(str)).set_axis(out.index))
    return out


def play_matrix(customers: pd.DataFrame, plays: pd.DataFrame) -> pd.DataFrame:
    """The plays by value class *and* lifecycle stage (``plays``: ``rfm.plays_by_stage``, one row per
    customer with ``class``, ``stage``, ``play`` and ``overridden``), so that a silent or churned
    customer gets the play of their stage, never one for active customers. Per (class, stage, play)
    with customers: customers, CLV at stake (sum of ``customers["clv"]``), mean P(inactive) and
    ``stage play`` (True where the stage replaced the class's own play). Classes in the value matrix's
    order, stages in lifecycle order."""
    frame = plays[["class", "stage", "play", "overridden"]].join(
        customers[["clv", "churn_prob"]].reindex(plays.index)
    )
    order = {s: i for i, s in enumerate(["new", "growing", "mature", "silent", "churned"])}
    g = frame.groupby(["class", "stage", "play"], observed=True, dropna=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "CLV at stake": g["clv"].sum().round(0),
            "mean P(inactive)": g["churn_prob"].mean().round(3),
            "stage play": g["overridden"].any(),
        }
    )
    out = out[out["customers"] > 0].reset_index()
    out["_order"] = out["stage"].map(order).fillna(len(order))
    out = out.sort_values(["class", "_order", "stage"], kind="stable").drop(columns="_order")
    return out.set_index(["class", "stage"])


# ------------------------------------------------------------------------- the value of a contact
def cost_per_contact(*, contact_cost: float, incentive_cost: float, redemption_rate: float) -> float:
    """What one contact costs: ``contact_cost + incentive_cost x redemption_rate`` (currency of the data;
    the incentive is paid to the share of contacted customers who redeem it). Not above 0 raises
    ``ValueError``."""
    per_contact = float(contact_cost) + float(incentive_cost) * float(redemption_rate)
    if not per_contact > 0:
        raise ValueError(f"the cost per contact must be positive, not {per_contact!r}")
    return per_contact


def arm_costs(
    arm: str, *, contact_cost: dict[str, float], incentive_cost: dict[str, float], redemption_rate: float
) -> dict[str, float]:
    """The costs of a contact list that runs test arm ``arm``, taken from the arm's own costs so the list
    pays what the arm paid in the test: ``contact_cost[arm]`` per contact, ``incentive_cost.get(arm, 0)``
    per redeemed incentive (an arm without one pays none) and ``redemption_rate``, as keyword arguments
    of :func:`cost_per_contact` and :func:`compare_policies`. An arm without a contact cost raises
    ``ValueError`` naming the arms that have one."""
    if arm not in contact_cost:
        raise ValueError(
            f"the targeting arm {arm!r} has no contact cost; ARM_CONTACT_COST has "
            f"{', '.join(repr(a) for a in contact_cost) or 'no arm'}"
        )
    return {
        "contact_cost": float(contact_cost[arm]),
        "incentive_cost": float(incentive_cost.get(arm, 0.0)),
        "redemption_rate": float(redemption_rate),
    }


def cost_check(arm: str, contact_cost: dict[str, float]) -> dict:
    """The check notebook 05 adds to its sufficiency verdict (``sufficiency.Verdict.with_check``) once it
    knows the arm the contact lists run: the lists can be costed only when ``contact_cost``
    (``ARM_CONTACT_COST``) has that arm, so a campaign table without it gets a note, not an error."""
    ok = arm in contact_cost
    given = ", ".join(repr(a) for a in contact_cost) or "no arm"
    return {
        "analysis": "strategy targeting",
        "notebook": "05",
        "ok": ok,
        "found": f"a contact cost for {arm!r}"
        if ok
        else f"no contact cost for {arm!r} (ARM_CONTACT_COST has {given})",
        "needs": "the cost of a contact in the test arm the lists run",
        "fix": f"add {arm!r} and its cost per contact to ARM_CONTACT_COST (command line: "
        f"--arm-cost '{arm}=COST')",
    }


def _per_customer(customers: pd.DataFrame, uplift) -> pd.Series:
    """An uplift per customer: from a dict or Series by stage (stages not in it: 0), or a per-customer
    Series (indexed like ``customers``)."""
    if isinstance(uplift, pd.Series) and uplift.index.equals(customers.index):
        return uplift.astype(float)
    mapping = dict(uplift) if not isinstance(uplift, pd.Series) else uplift.to_dict()
    return customers["stage"].astype(str).map(mapping).astype(float).fillna(0.0)


def contact_value(customers: pd.DataFrame, uplift, *, per_contact: float) -> pd.Series:
    """The value of contacting each customer: ``uplift x future margin - per_contact`` (currency of the
    data), the future margin being ``customers["clv"]`` (CLV at the margin) and ``uplift`` a share of it
    by stage (dict or Series by stage; stages without one get 0) or per customer."""
    return (_per_customer(customers, uplift) * customers["clv"].fillna(0) - per_contact).rename(
        "contact value"
    )


def uplift_for_stages(estimate: UpliftEstimate | None, stages) -> pd.DataFrame:
    """The measured uplift that scores each of ``stages``: the test's segment of the same name where the
    test has one with an estimate, else its estimate over :data:`ALL_SEGMENTS`. Columns ``uplift``,
    ``lower``, ``upper`` and ``measured on`` (the segment), indexed by stage; empty without an estimate.
    The bootstrap draws for the same stages are in ``attrs["draws"]`` (rows: resamples)."""
    stages = [str(s) for s in stages]
    if estimate is None:
        return pd.DataFrame(
            columns=["uplift", "lower", "upper", "measured on"], index=pd.Index([], name="stage")
        )
    table = estimate.table
    usable = [s for s in table.index if s != ALL_SEGMENTS and pd.notna(table.loc[s, "uplift"])]
    source = {s: s if s in usable else ALL_SEGMENTS for s in stages}
    out = pd.DataFrame(
        {
            "uplift": [table.loc[source[s], "uplift"] for s in stages],
            "lower": [table.loc[source[s], "lower"] for s in stages],
            "upper": [table.loc[source[s], "upper"] for s in stages],
            "measured on": [source[s] for s in stages],
        },
        index=pd.Index(stages, name="stage"),
    )
    out.attrs["draws"] = pd.DataFrame({s: estimate.draws[source[s]].to_numpy() for s in stages})
    return out


def stage_uplifts(
    customers: pd.DataFrame,
    assumed: dict[str, float],
    *,
    per_contact: float,
    measured: UpliftEstimate | None = None,
    stages=None,
) -> pd.DataFrame:
    """Per stage (``stages``, default every stage of ``customers``): customers, the cost per contact,
    future margin per customer (mean of ``clv``), the ``assumed uplift`` (a parameter: what the policies
    rank by), the ``break-even uplift`` (the uplift at which contacting the stage's average customer pays:
    ``per_contact / mean future margin``; NaN when the stage has no future margin), the customers whose
    contact pays at the assumed uplift (``uplift x future margin > per_contact``), and, with a test's
    estimate ``measured``, the ``measured uplift`` with its interval and the segment it was measured on
    (:func:`uplift_for_stages`)."""
    stages = list(pd.unique(customers["stage"].dropna().astype(str))) if stages is None else list(stages)
    stage = customers["stage"].astype(str)
    rows, notes = [], []
    for s in stages:
        fm = customers.loc[stage == s, "clv"].fillna(0)
        u = float(assumed.get(s, 0.0))
        mean = float(fm.mean()) if len(fm) else np.nan
        rows.append(
            {
                "stage": s,
                "customers": len(fm),
                "cost per contact": per_contact,
                "future margin per customer": mean,
                "assumed uplift": u,
                "break-even uplift": per_contact / mean if mean > 0 else np.nan,
                "contacts that pay at the assumed uplift": int((u * fm > per_contact).sum()),
            }
        )
        notes.append(
            "no customer in this stage" if not len(fm) else "no future margin" if not mean > 0 else ""
        )
    out = pd.DataFrame(rows).set_index("stage")
    if measured is not None:
        scored = uplift_for_stages(measured, stages)
        out = out.join(scored.rename(columns={"uplift": "measured uplift"}))
    return with_notes(out.round(4), notes)


# ------------------------------------------------------------------------------- targeting policies
POLICIES = (
    "random",
    "RFM rule",
    "lowest P(alive)",
    "highest future margin",
    "highest contact value",
    "contact value, only where it pays",
)


def policy_order(
    customers: pd.DataFrame, policy: str, value: pd.Series, rule: pd.Series | None = None, seed: int = 0
) -> pd.Index:
    """The customers a policy contacts, best first: ``random`` (seeded shuffle), ``RFM rule`` (only
    customers where ``rule`` is True, highest future margin first), ``lowest P(alive)`` (1 -
    P(alive)), ``highest future margin`` (``clv``), ``highest contact value`` (``value``, the contact
    value at the assumed uplifts). Ties keep index order."""
    if policy == "random":
        return customers.index[np.random.default_rng(seed).permutation(len(customers))]
    if policy == "RFM rule":
        if rule is None:
            raise ValueError("the RFM rule policy needs a boolean rule series")
        chosen = customers[rule.reindex(customers.index, fill_value=False).astype(bool)]
        return chosen.sort_values("clv", ascending=False, kind="stable").index
    key = {
        "lowest P(alive)": customers["churn_prob"] if "churn_prob" in customers else None,
        "highest future margin": customers["clv"],
        "highest contact value": value,
    }.get(policy)
    if key is None:
        raise ValueError(
            f"unknown policy {policy!r} (or its column is missing); choose from {', '.join(POLICIES)}"
        )
    return key.sort_values(ascending=False, kind="stable").index


def choose_contacts(
    customers: pd.DataFrame,
    budget: float,
    *,
    per_contact: float,
    uplift_by_stage: dict[str, float],
    rule: pd.Series | None = None,
    seed: int = 0,
    policies=POLICIES,
) -> dict[str, pd.Index]:
    """The customers each policy contacts: its ranking (:func:`policy_order`, the contact value at the
    assumed ``uplift_by_stage``) cut at the budget (the whole contacts ``budget / per_contact`` buys) or
    when the customers run out; ``contact value, only where it pays`` also stops at the first customer whose
    contact value at the assumed uplifts is not above 0. Without ``rule`` the RFM rule is left out."""
    # the whole contacts the budget buys; rounded first, since 1500 // 0.1 is 14999.0 in floating point
    capacity = int(np.floor(round(float(budget) / per_contact, 9)))
    value = contact_value(customers, uplift_by_stage, per_contact=per_contact)
    chosen = {}
    for policy in policies:
        if policy == "RFM rule" and rule is None:
            continue
        if policy == "contact value, only where it pays":
            order = policy_order(customers, "highest contact value", value, rule, seed)
            chosen[policy] = order[value.loc[order].to_numpy() > 0][:capacity]
        else:
            chosen[policy] = policy_order(customers, policy, value, rule, seed)[:capacity]
    return chosen


def compare_policies(
    customers: pd.DataFrame,
    budget: float,
    *,
    contact_cost: float,
    incentive_cost: float,
    redemption_rate: float,
    uplift_by_stage: dict[str, float],
    scoring: UpliftEstimate | None,
    stages=None,
    rule: pd.Series | None = None,
    seed: int = 0,
    alpha: float = 0.05,
    policies=POLICIES,
) -> pd.DataFrame:
    """Each policy's contact list under the budget (:func:`choose_contacts`, ranked with the *assumed*
    ``uplift_by_stage``, among the customers of ``stages`` when given), scored on the uplift a test
    *measured* (``scoring``, :func:`uplift_for_stages`): never on the policy's own ranking key.

    Per policy: customers contacted, cost (what it spends), future margin contacted (sum of ``clv``),
    ``break-even uplift`` (cost / future margin contacted: the uplift at which the list pays), and, scored
    on the measured uplifts, the ``incremental value`` (sum of measured uplift x future margin), the
    ``incremental profit`` (value - cost) with the ``1 - alpha`` percentile interval over the test's
    bootstrap resamples (``profit lower``, ``profit upper``) and the ``loss share`` (the share of
    resamples in which the list loses money), and ``vs best lower`` / ``vs best upper``, the interval of
    its profit minus the highest-profit list's over the same resamples (paired; NaN for that list).
    With one measured uplift per stage, a list ranked by future margin scores highest within a stage by
    construction: the test cannot say whether uplift rises with future margin, so lists whose paired
    interval includes 0 are indistinguishable from the best, and ``break-even uplift`` (from the data
    alone) is the comparison that needs no measured uplift. ``attrs["scored on"]`` is the arm whose
    measured uplift scored it. Without ``scoring`` (no test could measure the uplift) the profit columns
    are NaN and a :data:`NOTE` says why: scoring at the assumed uplifts would score the value policies on
    their own ranking key."""
    per_contact = cost_per_contact(
        contact_cost=contact_cost, incentive_cost=incentive_cost, redemption_rate=redemption_rate
    )
    eligible = customers
    if stages is not None:
        eligible = customers[customers["stage"].astype(str).isin([str(s) for s in stages])]
    chosen = choose_contacts(
        eligible,
        budget,
        per_contact=per_contact,
        uplift_by_stage=uplift_by_stage,
        rule=rule,
        seed=seed,
        policies=policies,
    )
    scored_stages = list(pd.unique(eligible["stage"].dropna().astype(str)))
    scores = uplift_for_stages(scoring, scored_stages) if scoring is not None else None
    rows, notes, all_draws = [], [], {}
    for policy, contacted in chosen.items():
        part = eligible.loc[contacted]
        cost = len(contacted) * per_contact
        margin = float(part["clv"].fillna(0).sum())
        row = {
            "policy": policy,
            "contacted": len(contacted),
            "cost": cost,
            "future margin contacted": margin,
            "break-even uplift": cost / margin if margin > 0 else np.inf,
        }
        if scores is not None and len(contacted):
            by_stage = (
                part.groupby(part["stage"].astype(str))["clv"].sum().reindex(scored_stages, fill_value=0)
            )
            value = float((scores["uplift"].fillna(0) * by_stage).sum())
            draws = scores.attrs["draws"][scored_stages].to_numpy(float) @ by_stage.to_numpy(float) - cost
            all_draws[policy] = draws
            finite = draws[np.isfinite(draws)]
            low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2]) if len(finite) else (np.nan, np.nan)
            row |= {
                "incremental value": value,
                "incremental profit": value - cost,
                "profit lower": float(low),
                "profit upper": float(high),
                "loss share": float(np.mean(finite < 0)) if len(finite) else np.nan,
            }
            notes.append("")
        else:
            row |= dict.fromkeys(
                ("incremental value", "incremental profit", "profit lower", "profit upper", "loss share"),
                np.nan,
            )
            notes.append(
                "no customer to contact"
                if not len(contacted)
                else "not scored: no test measured the uplift (the assumed uplifts are the ranking key)"
            )
        rows.append(row)
    money = [
        "cost",
        "future margin contacted",
        "incremental value",
        "incremental profit",
        "profit lower",
        "profit upper",
    ]
    out = pd.DataFrame(rows).set_index("policy")
    out["vs best lower"], out["vs best upper"] = np.nan, np.nan
    if all_draws:
        # paired: every list is scored on the same resamples, so the difference to the best is read per
        # resample, not from two separate intervals
        best = out.loc[list(all_draws), "incremental profit"].round(2).idxmax()  # as the headline reads it
        for policy, draws in all_draws.items():
            diff = draws - all_draws[best]
            finite = diff[np.isfinite(diff)]
            if len(finite) and policy != best:
                low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
                out.loc[policy, ["vs best lower", "vs best upper"]] = float(low), float(high)
    money += ["vs best lower", "vs best upper"]
    out = with_notes(out.round({**dict.fromkeys(money, 2), "break-even uplift": 4, "loss share": 3}), notes)
    arm = None if scoring is None else scoring.arm
    out.attrs |= {
        "scored on": arm,
        "cost per contact": per_contact,
        "stages": None if stages is None else [str(s) for s in stages],
        "interval level": 1 - alpha,
    }
    return out
