"""Lifecycle stages derived from the data: rules, assignment at snapshot dates, flows between stages.

A customer's stage at a snapshot date ``s`` (only customers whose first purchase is on or before ``s``):

============  ==========================================================================================
stage         rule (``d`` = days since the last purchase occasion on or before ``s``; ``n`` = occasions)
============  ==========================================================================================
new           ``d < silent_days`` and ``n == 1``
growing       ``d < silent_days`` and ``1 < n < mature_occasions``
mature        ``d < silent_days`` and ``n >= mature_occasions``
silent        ``silent_days <= d < churn_days``
churned       ``d >= churn_days``
============  ==========================================================================================

``returned`` flags customers who came back after a gap of at least ``churn_days`` (they were churned
and bought again: 回流). A returning churned customer has ``n >= 2``, so churned never moves to new.

Time is in days; purchase occasions are customer-days (see :mod:`lifecycle_utils.summary`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

# scipy and statsmodels (under estimators and measures) are imported by the functions that use them:
# assigning the stages does not, and they would add 80 MB to its memory at a million customers
from lifecycle_utils.summary import (
    _occasion_keys,
    end_of_observation,
    occasion_sequence,
    occasions,
)

__all__ = [
    "STAGES",
    "STAGE_DTYPE",
    "ACTIVE_STAGES",
    "StageRules",
    "purchase_gaps",
    "threshold_candidates",
    "gap_quantiles",
    "repeat_probability",
    "FEW_AT_RISK",
    "DEFAULT_MATURE",
    "MIN_AT_RISK",
    "mature_basis",
    "mature_threshold",
    "share_longer",
    "RETURN_CHANCE",
    "RETURN_HORIZON",
    "CHURN_RULES",
    "gap_spells",
    "return_chance",
    "return_chance_threshold",
    "return_chance_interval",
    "PURCHASE_BANDS",
    "purchase_band",
    "return_chance_at_quantiles",
    "return_chance_by_band",
    "threshold_table",
    "derive_rules",
    "monthly_snapshots",
    "comparison_snapshots",
    "assign_stages",
    "stage_at",
    "stage_sizes",
    "size_summary",
    "stage_revenue",
    "revenue_summary",
    "transition_counts",
    "transition_matrix",
    "transition_summary",
    "transition_intervals",
    "monthly_rates",
    "rate_change_test",
    "SILENCE_BAND_DAYS",
    "silence_strata",
    "cmh_general",
    "stratified_change_test",
    "rate_change_tests",
    "spell_caps",
    "flows",
    "flow_summary",
    "time_in_stage",
    "resurrection",
    "purchase_funnel",
    "time_to_second_purchase",
    "cohort_retention",
    "CROSSWALK",
    "sensitivity",
    "threshold_variants",
    "headline_figures",
]

STAGES = ["new", "growing", "mature", "silent", "churned"]
STAGE_DTYPE = pd.CategoricalDtype(STAGES, ordered=True)
ACTIVE_STAGES = ["new", "growing", "mature"]


@dataclass(frozen=True)
class StageRules:
    """The three numbers that define the stages (see the module docstring).

    silent_days: days without a purchase after which a customer counts as silent.
    churn_days: days without a purchase after which a customer counts as churned.
    mature_occasions: purchase occasions from which an active customer counts as mature.
    """

    silent_days: int
    churn_days: int
    mature_occasions: int

    def __post_init__(self) -> None:
        if not 0 < self.silent_days < self.churn_days:
            raise ValueError(
                f"need 0 < silent_days < churn_days, got silent_days={self.silent_days}, "
                f"churn_days={self.churn_days}"
            )
        if self.mature_occasions < 2:
            raise ValueError(f"mature_occasions must be at least 2, got {self.mature_occasions}")

    def with_overrides(
        self,
        silent_days: int | None = None,
        churn_days: int | None = None,
        mature_occasions: int | None = None,
    ) -> "StageRules":
        """A copy with the given numbers replaced (``None`` keeps the current one): how a notebook's
        parameters override the rules derived from the data."""
        changes = {"silent_days": silent_days, "churn_days": churn_days, "mature_occasions": mature_occasions}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def describe(self, gaps: pd.Series | None = None) -> pd.DataFrame:
        """The rules as a table (rule, value, meaning) for a notebook; with ``gaps`` (days between
        consecutive purchase occasions, :func:`purchase_gaps`) a column ``observed gaps longer (%)``: the
        share of those gaps longer than the silent and churn thresholds (NaN for the mature rule)."""
        table = pd.DataFrame(
            [
                ("silent_days", self.silent_days, f"silent after {self.silent_days} days without a purchase"),
                ("churn_days", self.churn_days, f"churned after {self.churn_days} days without a purchase"),
                (
                    "mature_occasions",
                    self.mature_occasions,
                    f"mature from {self.mature_occasions} purchase occasions (growing before)",
                ),
            ],
            columns=["rule", "value", "meaning"],
        )
        if gaps is not None:
            table["observed gaps longer (%)"] = [
                share_longer(gaps, self.silent_days),
                share_longer(gaps, self.churn_days),
                float("nan"),
            ]
        return table


# ------------------------------------------------------------------------------- deriving the rules
def purchase_gaps(tx: pd.DataFrame) -> pd.Series:
    """Days between consecutive purchase occasions of the same customer (returning customers only).

    Gaps longer than the observed period cannot be seen, so the upper tail is cut short by the length
    of the data: thresholds derived from it are lower bounds on the true ones.
    """
    occ = occasion_sequence(tx)
    gaps = (occ["date"] - occ["previous"]).dt.days.dropna().astype(int)
    return gaps.rename("gap_days").reset_index(drop=True)


def threshold_candidates(
    tx: pd.DataFrame, churn_days: int | None = None, quantiles: tuple[float, ...] = (0.8, 0.9, 0.95, 0.99)
) -> list[int]:
    """Churn thresholds worth comparing: the gap quantiles (days within which 80%, 90%, 95% and 99% of
    returns happen) and ``churn_days`` when given, sorted, without repeats (119, 200, 283, 416 on
    CDNOW). Empty without gaps."""
    gaps = purchase_gaps(tx)
    days = set(gap_quantiles(gaps, quantiles)["days"].tolist()) if len(gaps) else set()
    return sorted(days | ({int(churn_days)} if churn_days is not None else set()))


def share_longer(gaps: pd.Series, days: int) -> float:
    """The share (%) of the observed gaps (days, :func:`purchase_gaps`) longer than ``days``, rounded to one
    decimal: how often a customer who did come back had waited longer than that (NaN without gaps). It
    says nothing of the customers who never came back."""
    return round(100 * float((gaps > days).mean()), 1) if len(gaps) else float("nan")


def gap_quantiles(
    gaps: pd.Series, quantiles: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99)
) -> pd.DataFrame:
    """The share of returns that happen within N days: ``quantile`` (%), ``days`` (rounded up)."""
    values = [math.ceil(float(gaps.quantile(q))) for q in quantiles]
    return pd.DataFrame({"returns within (%)": [round(100 * q) for q in quantiles], "days": values})


def repeat_probability(
    tx: pd.DataFrame, window_days: int, *, observation_end=None, cap: int = 15
) -> pd.DataFrame:
    """Probability of one more purchase occasion within ``window_days`` after the ``k``-th, by ``k``.

    Only occasions at least ``window_days`` before the observation end count (every customer counted
    had the whole window to come back), so recent customers do not bias the rate down. ``k`` at or
    above ``cap`` is pooled. Columns: ``occasions`` (k), ``customers`` (at risk), ``repeat probability``,
    ``gain`` (increase over the previous k, in probability points).
    """
    occ = occasion_sequence(tx)
    end = end_of_observation(occ["date"], observation_end)
    at_risk = occ[occ["date"] <= end - pd.Timedelta(days=window_days)]
    came_back = (at_risk["next"] - at_risk["date"]).dt.days <= window_days
    k = at_risk["k"].clip(upper=cap)
    table = came_back.groupby(k).agg(["size", "mean"])
    table.columns = ["customers", "repeat probability"]
    table.index.name = "occasions"
    table = table.reset_index()
    table["gain"] = table["repeat probability"].diff()
    return table


FEW_AT_RISK = 20  # the smallest number of customers at risk a repeat probability is read from
DEFAULT_MATURE = 2  # mature from the second occasion when the data cannot show where the curve levels off
MIN_AT_RISK = 100  # customers at risk a repeat probability is read from when the data has enough of them


def mature_basis(
    repeat_table: pd.DataFrame, tolerance: float = 0.05, min_customers: int = MIN_AT_RISK
) -> dict:
    """Where the repeat probability (:func:`repeat_probability`) levels off, and on what grounds.

    Among rows with at least ``min_customers`` customers at risk (a small log with fewer than two such
    rows is read with :data:`FEW_AT_RISK`), the first ``k >= 2`` whose next step changes the probability
    by less than ``tolerance`` (probability points): ``rule`` ``"levels off"``. Without such a ``k``, the
    last reliable ``k``: ``"last reliable"``. Without two reliable rows, :data:`DEFAULT_MATURE`:
    ``"default"``. Returns ``occasions`` (k), ``rule``, ``min customers`` (the count the rows were read
    with) and ``gain`` (the step from k to k + 1 for ``"levels off"``, else None)."""
    used = min_customers
    reliable = repeat_table[repeat_table["customers"] >= used].reset_index(drop=True)
    if len(reliable) < 2 and min_customers > FEW_AT_RISK:
        used = FEW_AT_RISK
        reliable = repeat_table[repeat_table["customers"] >= used].reset_index(drop=True)
    if len(reliable) < 2:
        return {"occasions": DEFAULT_MATURE, "rule": "default", "min customers": used, "gain": None}
    gains = reliable["gain"].shift(-1)  # gain of going from k to k + 1
    level = (reliable["occasions"] >= 2) & (gains < tolerance)
    if level.any():
        first = level.idxmax()
        return {
            "occasions": int(reliable.loc[first, "occasions"]),
            "rule": "levels off",
            "min customers": used,
            "gain": float(gains[first]),
        }
    return {
        "occasions": int(reliable["occasions"].iloc[-1]),
        "rule": "last reliable",
        "min customers": used,
        "gain": None,
    }


def mature_threshold(
    repeat_table: pd.DataFrame, tolerance: float = 0.05, min_customers: int = MIN_AT_RISK
) -> int:
    """The number of occasions from which the repeat probability levels off: the first ``k >= 2`` whose
    next step gains less than ``tolerance`` (probability points), among rows with at least
    ``min_customers`` customers at risk. Without such a ``k``, the last reliable ``k``. A small log with
    fewer than two such rows is read with :data:`FEW_AT_RISK` customers at risk instead, and without two
    rows even then the threshold is :data:`DEFAULT_MATURE` (no levelling off can be seen). Which of these
    applied: :func:`mature_basis`."""
    return mature_basis(repeat_table, tolerance, min_customers)["occasions"]


# ---------------------------------------------------------------- chance of a return given the silence
RETURN_CHANCE = 0.10  # churned once the chance of a return within RETURN_HORIZON days falls below this
RETURN_HORIZON = 180  # days: the horizon of "a return" in the return-chance rule
CHURN_RULES = ("gap quantile", "return chance")  # how derive_rules may set the churn threshold


def gap_spells(tx: pd.DataFrame, *, observation_end=None, first_only: bool = False) -> pd.DataFrame:
    """Every wait after a purchase occasion, censoring-aware: one row per occasion on or before the
    observation end with ``customer_id``, ``k`` (the occasion's number), ``days`` (to the next occasion,
    or to the observation end when there is none by then) and ``returned`` (1 when the next occasion
    came by the observation end, 0 for the customer's last, still open wait: censored). With
    ``first_only`` only the wait after the first occasion (one row per customer, so heavy buyers do not
    outweigh the others)."""
    occ = occasion_sequence(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end]
    if first_only:
        occ = occ[occ["k"] == 1]
    returned = occ["next"].notna() & (occ["next"] <= end)
    days = (occ["next"].where(returned, end) - occ["date"]).dt.days
    return pd.DataFrame(
        {
            "customer_id": occ["customer_id"].to_numpy(),
            "k": occ["k"].to_numpy(),
            "days": days.to_numpy(dtype=int),
            "returned": returned.to_numpy(dtype=int),
        }
    )


def _still_waiting(spells: pd.DataFrame):
    """The Kaplan-Meier share of waits still open after d days, S(d), as a function of whole days, and
    the longest wait observed (days; -1 without waits)."""
    from lifecycle_utils.estimators import kaplan_meier

    if spells.empty:
        return (lambda d: np.full(np.shape(d), np.nan)), -1
    km = kaplan_meier(spells["days"], spells["returned"])
    times, surv = km["time"].to_numpy(), km["survival"].to_numpy()

    def survival(d):
        return surv[np.searchsorted(times, np.asarray(d, float), side="right") - 1]

    return survival, int(spells["days"].max())


def _chance_curve(spells: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """P(return within ``horizon_days`` | silent d days) = 1 - S(d + h) / S(d) for every whole d from 0
    to the longest wait minus the horizon (columns ``silent (days)``, ``chance``, ``at risk``: waits
    still open after d days)."""
    survival, longest = _still_waiting(spells)
    d = np.arange(0, max(longest - horizon_days, -1) + 1)
    s_d = survival(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        chance = np.where(s_d > 0, 1 - survival(d + horizon_days) / s_d, np.nan)
    at_risk = len(spells) - np.searchsorted(np.sort(spells["days"].to_numpy()), d, side="right")
    return pd.DataFrame({"silent (days)": d, "chance": chance, "at risk": at_risk})


def return_chance(
    tx: pd.DataFrame, silences, *, horizon_days: int = RETURN_HORIZON, observation_end=None
) -> pd.DataFrame:
    """The chance (%) that a customer silent for ``d`` days buys again within the next ``horizon_days``
    days, for each ``d`` in ``silences`` (days), estimated by Kaplan-Meier on the waits between purchase
    occasions with each customer's last, still open wait censored at the observation end
    (:func:`gap_spells`): ``1 - S(d + h) / S(d)``, where ``S`` is the share of waits longer than the given
    days. Two estimates: over ``all gaps`` (every wait; heavy buyers weigh most) and over ``first gaps``
    (the wait after the first occasion, one per customer). Columns per estimate: ``... at risk`` (waits
    still open after ``d`` days) and ``... return within h days (%)`` (one decimal; NaN when
    ``d + h`` is beyond the longest wait observed: the data cannot tell)."""
    out = pd.DataFrame({"silent (days)": [int(d) for d in silences]})
    for name, first in (("all gaps", False), ("first gaps", True)):
        spells = gap_spells(tx, observation_end=observation_end, first_only=first)
        curve = _chance_curve(spells, horizon_days).set_index("silent (days)")
        days = np.sort(spells["days"].to_numpy())
        out[f"{name}: at risk"] = [
            int(len(days) - np.searchsorted(days, d, side="right")) for d in out["silent (days)"]
        ]
        out[f"{name}: return within {horizon_days} days (%)"] = [
            round(100 * float(curve.loc[d, "chance"]), 1) if d in curve.index else float("nan")
            for d in out["silent (days)"]
        ]
    return out


def return_chance_interval(
    spells: pd.DataFrame, silence: int, *, horizon_days: int = RETURN_HORIZON, alpha: float = 0.05
) -> tuple[float, float]:
    """The ``1 - alpha`` interval (%, one decimal) of the chance of a return within ``horizon_days`` after
    ``silence`` days (:func:`return_chance`) from the waits in ``spells`` (:func:`gap_spells`). The
    conditional Kaplan-Meier R = S(d + h) / S(d) is the product of (1 - e_i / n_i) over event times t_i
    in (d, d + h] (e_i returns, n_i waits still open), with Greenwood's variance of log R,
    sum e_i / (n_i (n_i - e_i)); the interval is taken on the log(-log R) scale (so it stays within 0 and
    1) and turned into 1 - R. NaN where d + h is beyond the longest wait, where S(d) is 0, or where no
    return falls in the window and R is 1 (no variance to read)."""
    from scipy import stats

    from lifecycle_utils.estimators import kaplan_meier

    if spells.empty or silence + horizon_days > spells["days"].max():
        return float("nan"), float("nan")
    km = kaplan_meier(spells["days"], spells["returned"])
    window = km[(km["time"] > silence) & (km["time"] <= silence + horizon_days) & (km["events"] > 0)]
    n, e = window["at risk"].to_numpy(float), window["events"].to_numpy(float)
    if len(window) == 0 or (n <= 0).any():
        return float("nan"), float("nan")
    ratio = float(np.prod(1 - e / n))
    if ratio <= 0 or ratio >= 1 or (n == e).any():
        return float("nan"), float("nan")
    se = math.sqrt(float((e / (n * (n - e))).sum())) / abs(math.log(ratio))
    z = float(stats.norm.ppf(1 - alpha / 2))
    low_ratio, high_ratio = ratio ** math.exp(z * se), ratio ** math.exp(-z * se)
    return round(100 * (1 - high_ratio), 1), round(100 * (1 - low_ratio), 1)


def return_chance_threshold(
    tx: pd.DataFrame,
    chance: float = RETURN_CHANCE,
    *,
    horizon_days: int = RETURN_HORIZON,
    first_only: bool = False,
    observation_end=None,
) -> int | None:
    """The smallest silence ``d`` (whole days) at which the chance of a return within ``horizon_days``
    (:func:`return_chance`: Kaplan-Meier on the waits, open waits censored) falls below ``chance``; over
    all waits, or with ``first_only`` over the wait after the first occasion. ``None`` when it does not
    fall that low where the data can tell (``d + horizon_days`` up to the longest wait observed)."""
    spells = gap_spells(tx, observation_end=observation_end, first_only=first_only)
    curve = _chance_curve(spells, horizon_days)
    below = curve[curve["chance"] < chance]
    return int(below["silent (days)"].iloc[0]) if len(below) else None


def threshold_table(
    tx: pd.DataFrame,
    churn_quantile: float = 0.95,
    *,
    chance: float = RETURN_CHANCE,
    horizon_days: int = RETURN_HORIZON,
    observation_end=None,
) -> pd.DataFrame:
    """Churn thresholds by four rules side by side: the ``churn_quantile`` of the completed gaps (all
    gaps, and the first gap of each customer: the wait from the first to the second occasion) and the
    return-chance rule (:func:`return_chance_threshold`, all gaps and first gaps). Columns: ``rule``,
    ``churned after (days)`` (NaN where a rule cannot be read), and the chance (%) that a customer silent
    that long returns within ``horizon_days`` days, over all gaps and over first gaps
    (:func:`return_chance`), each with its 95% interval as text (``all gaps: 95% interval (%)``,
    :func:`return_chance_interval`; ``n/a`` where it cannot be read)."""
    gaps = purchase_gaps(tx)
    occ = occasion_sequence(tx)
    first = (occ.loc[occ["k"] == 2, "date"] - occ.loc[occ["k"] == 2, "previous"]).dt.days
    pct = f"gap quantile {100 * churn_quantile:g}%"

    def quantile(values: pd.Series):
        return math.ceil(float(values.quantile(churn_quantile))) if len(values) else None

    below = f"return chance below {100 * chance:g}%"
    rules = {
        f"{pct}, all gaps": quantile(gaps),
        f"{pct}, first gaps": quantile(first),
        f"{below}, all gaps": return_chance_threshold(
            tx, chance, horizon_days=horizon_days, observation_end=observation_end
        ),
        f"{below}, first gaps": return_chance_threshold(
            tx, chance, horizon_days=horizon_days, first_only=True, observation_end=observation_end
        ),
    }
    days = [d for d in rules.values() if d is not None]
    chances = return_chance(tx, days, horizon_days=horizon_days, observation_end=observation_end)
    chances = chances.drop_duplicates("silent (days)").set_index("silent (days)")
    table = pd.DataFrame(
        {
            "rule": list(rules),
            "churned after (days)": [d if d is not None else np.nan for d in rules.values()],
        }
    )
    for name in ("all gaps", "first gaps"):
        column = f"{name}: return within {horizon_days} days (%)"
        table[f"silent that long, {name}: return within {horizon_days} days (%)"] = [
            float(chances.loc[d, column]) if d is not None else float("nan") for d in rules.values()
        ]
    for name, first in (("all gaps", False), ("first gaps", True)):
        spells = gap_spells(tx, observation_end=observation_end, first_only=first)
        bands = [
            return_chance_interval(spells, d, horizon_days=horizon_days)
            if d is not None
            else (np.nan, np.nan)
            for d in rules.values()
        ]
        table[f"{name}: 95% interval (%)"] = [
            "n/a" if np.isnan(lo) else f"{lo:.1f} to {hi:.1f}" for lo, hi in bands
        ]
    table.attrs |= {"chance": chance, "horizon_days": horizon_days, "quantile": churn_quantile}
    return table


# ------------------------------------------------------------------ by quantile and by purchases so far
PURCHASE_BANDS = (1, 2, 4)  # bands of purchase occasions so far: 1, 2-3, 4+ (as notebook 02's warning)


def _band_labels(edges) -> list[str]:
    """``"1"``, ``"2-3"``, ``"4+"`` for edges (1, 2, 4): each band from its edge to one below the next."""
    labels = []
    for lo, hi in zip(edges, [*edges[1:], None]):
        labels.append(f"{lo}+" if hi is None else str(lo) if hi - lo == 1 else f"{lo}-{hi - 1}")
    return labels


def purchase_band(occasions, edges=PURCHASE_BANDS) -> pd.Series:
    """The band of purchase occasions so far (``"1"``, ``"2-3"``, ``"4+"`` with the default edges: each
    band runs from its edge to one below the next, the last is open) for each count in ``occasions``;
    a count below the first edge gets no band (NaN). ``edges`` must be increasing whole numbers."""
    edges = [int(e) for e in edges]
    if not edges or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError(f"band edges must be increasing, got {edges}")
    values = pd.Series(occasions)
    codes = np.searchsorted(np.asarray(edges), values.to_numpy(dtype=float), side="right") - 1
    labels = np.array(_band_labels(edges), dtype=object)
    return pd.Series(
        np.where(codes >= 0, labels[np.clip(codes, 0, None)], np.nan), index=values.index, dtype=object
    ).rename("purchases so far")


def return_chance_at_quantiles(
    tx: pd.DataFrame, quantiles: pd.DataFrame, *, horizon_days: int = RETURN_HORIZON, observation_end=None
) -> pd.DataFrame:
    """:func:`return_chance` at the silences of a :func:`gap_quantiles` table (its ``days``), with that
    table's ``returns within (%)`` as the first column: how likely a customer silent as long as the
    median gap, the 80th percentile ... is to buy again within ``horizon_days``, over all gaps and over
    first gaps. The table's ``attrs`` hold ``horizon_days``."""
    table = return_chance(tx, quantiles["days"], horizon_days=horizon_days, observation_end=observation_end)
    table.insert(0, "returns within (%)", quantiles["returns within (%)"].to_numpy())
    table.attrs["horizon_days"] = horizon_days
    return table


def return_chance_by_band(
    tx: pd.DataFrame,
    silence: int,
    *,
    horizon_days: int = RETURN_HORIZON,
    observation_end=None,
    edges=PURCHASE_BANDS,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The chance (%) that a customer silent for ``silence`` days buys again within ``horizon_days``
    (:func:`return_chance`: Kaplan-Meier on the waits after purchase occasions, open waits censored at
    the observation end), over all waits (row ``all``) and by the band of purchase occasions so far
    when the wait began (:func:`purchase_band`; band ``1`` is the wait after the first occasion, one per
    customer). Columns: ``waits``, ``at risk`` (waits still open after ``silence`` days), ``silent that
    long at the end`` (customers whose last wait was at least ``silence`` days at the observation end:
    the churned customers when ``silence`` is the churn threshold), ``return within h days (%)`` and its
    ``1 - alpha`` interval ``lower (%)``, ``upper (%)`` (:func:`return_chance_interval`; over ``all`` one
    customer's waits count as independent, so that interval is too narrow). NaN where the log cannot
    follow ``silence + horizon_days`` days of waiting in the band. ``attrs``: ``silence``,
    ``horizon_days``, ``alpha``."""
    spells = gap_spells(tx, observation_end=observation_end)
    band = purchase_band(spells["k"], edges)
    chance_col = f"return within {horizon_days} days (%)"
    rows = []
    for name in ["all", *_band_labels(edges)]:
        part = spells if name == "all" else spells[(band == name).to_numpy()]
        survival, longest = _still_waiting(part)
        chance = float("nan")
        if len(part) and silence + horizon_days <= longest:
            s_d = float(survival(silence))
            chance = (
                round(100 * (1 - float(survival(silence + horizon_days)) / s_d), 1) if s_d > 0 else chance
            )
        low, high = return_chance_interval(part, silence, horizon_days=horizon_days, alpha=alpha)
        rows.append(
            {
                "purchases so far": name,
                "waits": len(part),
                "at risk": int((part["days"] > silence).sum()),
                "silent that long at the end": int(
                    ((part["returned"] == 0) & (part["days"] >= silence)).sum()
                ),
                chance_col: chance,
                "lower (%)": low,
                "upper (%)": high,
            }
        )
    table = pd.DataFrame(rows).set_index("purchases so far")
    table.attrs |= {"silence": int(silence), "horizon_days": horizon_days, "alpha": alpha}
    return table


def derive_rules(
    tx: pd.DataFrame,
    silent_quantile: float = 0.8,
    *,
    churn_quantile: float = 0.95,
    tolerance: float = 0.05,
    observation_end=None,
    churn_rule: str = "gap quantile",
    chance: float = RETURN_CHANCE,
    horizon_days: int = RETURN_HORIZON,
) -> StageRules:
    """Stage rules from the data: the silent threshold is the ``silent_quantile`` of the gaps between
    consecutive purchases, rounded up to whole days; the churn threshold, with ``churn_rule``
    ``"gap quantile"`` (the default), their ``churn_quantile`` (e.g. 95% of returns happen within
    ``churn_days``), or with ``"return chance"`` the smallest silence at which the chance of a return
    within ``horizon_days`` falls below ``chance`` (:func:`return_chance_threshold`, all gaps; where it
    cannot be read the gap quantile stands); ``mature_occasions`` is where the probability of a further
    purchase within ``churn_days`` levels off (:func:`mature_threshold`)."""
    if churn_rule not in CHURN_RULES:
        raise ValueError(f"churn_rule must be one of {CHURN_RULES}, got {churn_rule!r}")
    gaps = purchase_gaps(tx)
    if len(gaps) < 20:
        raise ValueError(f"only {len(gaps)} repeat purchases: too few to derive stage thresholds")
    silent = math.ceil(float(gaps.quantile(silent_quantile)))
    churn = math.ceil(float(gaps.quantile(churn_quantile)))
    if churn_rule == "return chance":
        by_chance = return_chance_threshold(
            tx, chance, horizon_days=horizon_days, observation_end=observation_end
        )
        churn = churn if by_chance is None else by_chance
    churn = max(churn, silent + 1)  # equal thresholds: one day apart
    repeat = repeat_probability(tx, churn, observation_end=observation_end)
    return StageRules(silent, churn, mature_threshold(repeat, tolerance))


# ---------------------------------------------------------------------------------- stage assignment
def monthly_snapshots(tx: pd.DataFrame, observation_end=None) -> pd.DatetimeIndex:
    """Month ends from the first month of the data to the observation end (default: last date), with
    the observation end itself appended when it is not a month end."""
    start = tx["date"].min()
    end = end_of_observation(tx["date"], observation_end)
    months = pd.date_range(start, end, freq="ME")
    if len(months) == 0 or months[-1] != end.normalize():
        months = months.append(pd.DatetimeIndex([end.normalize()]))
    return months


def comparison_snapshots(snapshots, months: int = 12) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The last snapshot and the one ``months`` snapshots before it (or the first, if the data is
    shorter): the pair a flow picture compares."""
    snaps = pd.DatetimeIndex(snapshots).sort_values()
    return snaps[max(0, len(snaps) - 1 - months)], snaps[-1]


def _small_int(largest: int):
    """The smallest of int8, int16, int32 and int64 that holds the values from ``-largest`` to
    ``largest``."""
    for dtype in (np.int8, np.int16, np.int32):
        if largest <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _repeat(arrays: list[np.ndarray], repeats: np.ndarray, block: int = 1 << 20) -> list[np.ndarray]:
    """``np.repeat(a, repeats)`` for each array ``a`` (all as long as ``repeats``), ``block`` elements at
    a time, so that numpy's copy of the repeats as 64-bit integers is one block's, not the whole array's."""
    rows = int(repeats.sum(dtype=np.int64))
    out = [np.empty(rows, dtype=a.dtype) for a in arrays]
    at = 0
    for start in range(0, len(repeats), block):
        part = repeats[start : start + block].astype(np.intp)
        stop = at + int(part.sum())
        for a, o in zip(arrays, out):
            o[at:stop] = np.repeat(a[start : start + block], part)
        at = stop
    return out


def _runs(lengths: np.ndarray, firsts: np.ndarray, dtype) -> np.ndarray:
    """Consecutive runs counting up by one: run ``i`` has ``lengths[i]`` (at least 1) values from
    ``firsts[i]``; all runs in one array of ``dtype`` (which must hold every value and every drop from
    the end of a run to the start of the next). A running sum of ones that drops back at each run's
    start, so no index array as long as the result is needed."""
    values = np.ones(int(lengths.sum()), dtype=dtype)
    run_starts = np.cumsum(lengths) - lengths
    values[run_starts[1:]] = firsts[1:] - (firsts[:-1] + lengths[:-1] - 1)
    values[0] = firsts[0]
    return np.cumsum(values, dtype=dtype, out=values)


def assign_stages(tx: pd.DataFrame, rules: StageRules, snapshots) -> pd.DataFrame:
    """The stage of every customer acquired by each snapshot date: one row per (snapshot, customer).

    Columns: ``snapshot``, ``customer_id``, ``occasions`` (up to the snapshot), ``days_since_last``,
    ``stage`` (ordered categorical, :data:`STAGES`), ``returned`` (came back after a gap of at least
    ``churn_days`` by then). Rows are sorted by customer, then snapshot.

    Compact, so that a million customers over two years of monthly snapshots fit in memory: ``snapshot``
    is an ordered categorical over the snapshot dates and ``customer_id`` a categorical over the ids
    (both sorted, only the values that occur), so each row holds small integer codes instead of a date
    and a text; ``occasions`` and ``days_since_last`` take the smallest integer type that holds them.
    Select and compare as usual (``stages["snapshot"] == date``, ``stages["customer_id"] == "007"``);
    for date arithmetic take the dates (``stages["snapshot"].astype("datetime64[s]")``).

    Vectorised over integer arrays (:func:`_occasion_keys`): each occasion covers the snapshots from its
    date until the customer's next occasion; no groupby, no loop over customers or snapshots, and each
    array in the narrowest integer type its values need.
    """
    snaps = pd.DatetimeIndex(pd.to_datetime(snapshots)).normalize().sort_values().unique()
    if len(tx) == 0 or len(snaps) == 0:
        return _stage_frame(snaps, tx["customer_id"].dtype)
    key, bits, span, first_day, ids_of = _occasion_keys(tx)
    n = len(snaps)
    snap_day = snaps.to_numpy().astype("datetime64[D]").astype(np.int64) - first_day
    days = _small_int(max(int(snap_day[-1]), span))  # holds every day of the log and every silence
    day = (key & ((1 << bits) - 1)).astype(days)  # days since first_day, one per occasion
    key >>= bits  # the customer's number
    new = np.empty(len(key), dtype=bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    starts = np.flatnonzero(new)  # each customer's first occasion
    numbers = key[starts]
    del key, new
    counts = np.diff(np.append(starts, len(day)))
    # returned: a gap of churn_days or more before this occasion, within the customer
    gap = np.zeros(len(day), dtype=days)
    np.subtract(day[1:], day[:-1], out=gap[1:])
    gap[starts] = 0
    long_gaps = np.cumsum(gap >= rules.churn_days, dtype=np.int32)
    del gap
    long_gaps -= np.repeat(long_gaps[starts], counts)
    returned = long_gaps > 0
    del long_gaps
    # the first snapshot on or after each occasion (looked up by day); how many snapshots see the
    # occasion as the customer's last
    codes = _small_int(n)
    first_snap = np.searchsorted(snap_day, np.arange(span), side="left").astype(codes)[day]
    covered = np.empty(len(day), dtype=codes)
    covered[:-1] = first_snap[1:]
    covered[starts[1:] - 1] = n
    covered[-1] = n
    covered -= first_snap
    first_seen = first_snap[starts].astype(np.int64)
    del first_snap
    acquired = first_seen < n  # first purchase on or before the last snapshot
    if not acquired.any():
        return _stage_frame(snaps, tx["customer_id"].dtype)
    # one row per (customer, snapshot): each occasion once per snapshot that sees it
    k = _runs(counts, np.ones(len(counts), dtype=np.int64), _small_int(int(counts.max())))
    occasions, since, flags = _repeat([k, day, returned], covered)
    del k, day, returned, covered
    # snapshot codes: a customer has rows for the snapshots first_seen .. n - 1 (snapshots before any
    # purchase have no rows and are no categories)
    first_seen = first_seen[acquired]
    offset = int(first_seen.min())
    per_customer = n - first_seen
    code = _runs(per_customer, first_seen - offset, codes)
    np.subtract(snap_day[offset:].astype(days)[code], since, out=since)  # the snapshot's day - the occasion's
    customer = np.repeat(np.arange(len(first_seen), dtype=_small_int(len(first_seen))), per_customer)
    stage = (occasions >= 2).astype(np.int8)
    stage += occasions >= rules.mature_occasions
    np.putmask(stage, since >= rules.silent_days, 3)
    np.putmask(stage, since >= rules.churn_days, 4)
    ids = ids_of(numbers[acquired])
    del numbers, starts, counts, first_seen, per_customer, acquired
    return _stage_frame(
        snaps[offset:],
        ids,
        snapshot=code,
        customer=customer,
        occasions=occasions,
        since=since,
        stage=stage,
        returned=flags,
    )


def _categories(values: pd.Index, ordered: bool = False) -> pd.CategoricalDtype:
    """A categorical dtype over ``values`` that are distinct by construction. pandas' public constructor
    checks that they are through a hash table of Python objects (70 MB and 0.1 s for a million text ids,
    kept with the categories); its fast path, where it has one, skips the check."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    return pd.CategoricalDtype(values, ordered) if fast is None else fast(values, ordered)


def _stage_frame(
    snaps: pd.DatetimeIndex,
    ids,
    *,
    snapshot=None,
    customer=None,
    occasions=None,
    since=None,
    stage=None,
    returned=None,
) -> pd.DataFrame:
    """The frame :func:`assign_stages` returns, from codes into ``snaps`` and into ``ids`` (an index of
    the ids; a dtype for an empty frame), without copying the arrays."""
    if snapshot is None:
        snaps = snaps[:0]
        snapshot = customer = stage = np.zeros(0, dtype=np.int8)
        occasions = since = np.zeros(0, dtype=np.int16)
        returned = np.zeros(0, dtype=bool)
        ids = pd.Index([], dtype=ids, name="customer_id")
    return pd.DataFrame(
        {
            "snapshot": pd.Categorical.from_codes(snapshot, dtype=_categories(snaps, True), validate=False),
            "customer_id": pd.Categorical.from_codes(customer, dtype=_categories(ids), validate=False),
            "occasions": occasions,
            "days_since_last": since,
            "stage": pd.Categorical.from_codes(stage, dtype=STAGE_DTYPE, validate=False),
            "returned": returned,
        },
        copy=False,
    )


def _values(column: pd.Series) -> pd.Series:
    """A categorical ``snapshot`` or ``customer_id`` column of :func:`assign_stages` as its values
    (dates, ids), for date arithmetic, merges and tables indexed by them; any other column as it is."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(column.cat.categories.dtype)
    return column


def _with_dates(stages: pd.DataFrame) -> pd.DataFrame:
    """``stages`` with its ``snapshot`` column as dates (see :func:`_values`)."""
    return stages.assign(snapshot=_values(stages["snapshot"]))


def stage_at(stages: pd.DataFrame, snapshot) -> pd.Series:
    """Stage per customer at one snapshot (index ``customer_id``: the ids, not categorical)."""
    at = stages[stages["snapshot"] == pd.Timestamp(snapshot)]
    if at.empty:
        raise ValueError(f"no snapshot {pd.Timestamp(snapshot).date()} in the stage table")
    return at.assign(customer_id=_values(at["customer_id"])).set_index("customer_id")["stage"]


def stage_sizes(stages: pd.DataFrame, share: bool = False) -> pd.DataFrame:
    """Customers per stage (columns, in :data:`STAGES` order) at each snapshot (rows); with ``share``,
    percentages of the customers acquired by then. Counted with one ``bincount`` over the snapshot
    and stage codes (no dates or texts materialised: 24 snapshots of 1M customers in well under a
    second and no copy of the long frame)."""
    snapshot = stages["snapshot"]
    if isinstance(snapshot.dtype, pd.CategoricalDtype):
        codes, dates = snapshot.cat.codes.to_numpy(), snapshot.cat.categories
    else:
        codes, dates = pd.factorize(snapshot, sort=True)
    stage = pd.Categorical(stages["stage"], dtype=STAGE_DTYPE).codes
    counts = np.bincount(
        codes.astype(np.int64) * len(STAGES) + stage, minlength=len(dates) * len(STAGES)
    ).reshape(len(dates), len(STAGES))
    seen = counts.sum(axis=1) > 0  # snapshots with customers, as a crosstab of the rows shows
    sizes = pd.DataFrame(
        counts[seen],
        index=pd.Index(np.asarray(dates[seen]), name="snapshot"),  # no freq, as a crosstab
        columns=pd.Index(STAGES, name="stage"),
    )
    if share:
        sizes = (100 * sizes.div(sizes.sum(axis=1), axis=0)).round(1)
    return sizes


def size_summary(sizes: pd.DataFrame) -> pd.DataFrame:
    """The snapshots of :func:`stage_sizes` a reader needs, one row each, named by what it shows:
    ``first snapshot``, ``silent peak`` (the most silent customers, unless that is the last snapshot or
    there are none), ``<stage> largest since`` (from when the stage largest at the last snapshot has
    been the largest without a break; with two snapshots or more) and ``last snapshot``. A snapshot that
    is several of these is one row, its names joined by ``" / "``. Rows in date order; columns
    ``snapshot`` (the date), the customers in each stage, ``active`` (new + growing + mature),
    ``customers acquired`` (all stages) and ``churned (%)`` (of the customers acquired, one decimal)."""
    columns = ["snapshot", *ACTIVE_STAGES, "active", "silent", "churned", "customers acquired", "churned (%)"]
    sizes = sizes.reindex(columns=STAGES).fillna(0)
    if sizes.empty:
        return pd.DataFrame(columns=columns)
    first, last = sizes.index[0], sizes.index[-1]
    roles: dict = {first: ["first snapshot"]}
    if len(sizes) > 1:
        largest = sizes.idxmax(axis=1)
        top = largest.iloc[-1]
        other = largest[largest != top]
        since = first if other.empty else largest.index[largest.index > other.index[-1]][0]
        roles.setdefault(since, []).append(f"{top} largest since")
        peak = sizes["silent"].idxmax()
        if sizes["silent"].max() > 0 and peak != last:
            roles.setdefault(peak, []).append("silent peak")
    roles.setdefault(last, []).append("last snapshot")
    picked = sizes.loc[sorted(roles)]
    acquired = picked.sum(axis=1)
    table = pd.DataFrame(
        {
            "snapshot": picked.index,
            **{s: picked[s] for s in ACTIVE_STAGES},
            "active": picked[ACTIVE_STAGES].sum(axis=1),
            "silent": picked["silent"],
            "churned": picked["churned"],
            "customers acquired": acquired,
            "churned (%)": (100 * picked["churned"] / acquired.where(acquired > 0)).round(1),
        }
    )
    table.index = pd.Index([" / ".join(roles[d]) for d in picked.index])
    return table


def stage_revenue(tx: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Revenue of each period (after the previous snapshot, up to and including this one; the first
    period runs from the start of the data) by the stage the buyer is in at the end of the period;
    rows snapshots, columns stages (currency of the data). Revenue after the last snapshot is left out."""
    stages = _with_dates(stages[["snapshot", "customer_id", "stage"]])
    snaps = pd.DatetimeIndex(stages["snapshot"].unique()).sort_values()
    occ = occasions(tx)
    index = np.searchsorted(snaps.to_numpy(), occ["date"].to_numpy(), side="left")
    inside = index < len(snaps)
    occ = occ[inside].assign(snapshot=snaps[index[inside]])
    if isinstance(stages["customer_id"].dtype, pd.CategoricalDtype):  # match ids by their codes
        occ["customer_id"] = pd.Categorical(occ["customer_id"], dtype=stages["customer_id"].dtype)
    merged = occ.merge(stages, on=["snapshot", "customer_id"])
    table = (
        merged.pivot_table(index="snapshot", columns="stage", values="amount", aggfunc="sum", observed=False)
        .reindex(columns=STAGES)
        .fillna(0.0)
    )
    table.columns = pd.Index(STAGES, name="stage")
    return table.reindex(snaps, fill_value=0.0)


def revenue_summary(revenue: pd.DataFrame) -> pd.DataFrame:
    """:func:`stage_revenue` in the last period and over all periods: rows the stages and ``total``;
    for each column group (``period ending YYYY-MM-DD``, and ``all N periods`` when there are two
    periods or more) the ``revenue`` (currency of the data, in whole units) and its ``share (%)`` of the
    group's total (one decimal; NaN when that total is not positive)."""
    revenue = revenue.reindex(columns=STAGES).fillna(0.0)
    if revenue.empty:
        return pd.DataFrame(index=pd.Index([*STAGES, "total"], name="stage"))
    groups = {f"period ending {pd.Timestamp(revenue.index[-1]).date()}": revenue.iloc[-1]}
    if len(revenue) > 1:
        groups[f"all {len(revenue)} periods"] = revenue.sum()
    parts = {}
    for name, amounts in groups.items():
        amounts = amounts.astype(float)
        column = pd.concat([amounts, pd.Series({"total": float(amounts.sum())})])
        total = float(column["total"])
        parts[(name, "revenue")] = column.round(0)
        parts[(name, "share (%)")] = (100 * column / total).round(1) if total > 0 else column * np.nan
    table = pd.DataFrame(parts)
    table.index.name = "stage"
    return table


# --------------------------------------------------------------------------------------- transitions
def _consecutive(stages: pd.DataFrame) -> pd.DataFrame:
    ordered = stages.sort_values(["customer_id", "snapshot"], kind="stable")
    nxt = ordered.groupby("customer_id", sort=False, observed=True)["stage"].shift(-1)
    pairs = pd.DataFrame({"from": ordered["stage"], "to": nxt, "snapshot": ordered["snapshot"]})
    return pairs[pairs["to"].notna()]


def transition_counts(stages: pd.DataFrame) -> pd.DataFrame:
    """Customers moving from each stage (rows) at one snapshot to each stage (columns) at the next,
    summed over all consecutive snapshot pairs."""
    pairs = _consecutive(stages)
    counts = pd.crosstab(pairs["from"], pairs["to"]).reindex(index=STAGES, columns=STAGES, fill_value=0)
    counts.index.name, counts.columns.name = "from", "to"
    return counts


def transition_matrix(stages: pd.DataFrame) -> pd.DataFrame:
    """Row-normalised :func:`transition_counts`: the probability of each next-snapshot stage given the
    current one (rows sum to 1; a stage nobody was in gives a row of NaN)."""
    counts = transition_counts(stages)
    return counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)


def transition_summary(matrix: pd.DataFrame) -> pd.DataFrame:
    """A :func:`transition_matrix` in percent of the row (one decimal), with a column
    ``new, growing or mature``: the share moving to (or staying in) an active stage. For silent and
    churned customers that is the share who bought again. The columns are named
    ``to (% of the row)``."""
    table = (100 * matrix.reindex(columns=STAGES)).round(1)
    table["new, growing or mature"] = (
        100 * matrix.reindex(columns=ACTIVE_STAGES).sum(axis=1, min_count=1)
    ).round(1)
    table.columns.name = "to (% of the row)"
    return table


def transition_intervals(stages: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every move seen in the pooled :func:`transition_counts`, one row per (``from``, ``to``) with at
    least one customer: ``customers`` (in the ``from`` stage at a snapshot before the last, summed over
    snapshots), ``moved`` (of them in ``to`` at the next snapshot), ``share (%)`` and its Wilson
    ``1 - alpha`` interval ``lower (%)``, ``upper (%)`` (one decimal). The pooled pairs are not
    independent (a customer counts once per month), so the intervals are narrower than an interval
    over customers would be."""
    from lifecycle_utils.measures import wilson_interval

    counts = transition_counts(stages)
    long = counts.stack().rename("moved").reset_index()
    long["customers"] = long["from"].map(counts.sum(axis=1)).astype(int)
    long = long[long["moved"] > 0].reset_index(drop=True)
    lower, upper = wilson_interval(long["moved"], long["customers"], alpha)
    long["share (%)"] = (100 * long["moved"] / long["customers"]).round(1)
    long["lower (%)"], long["upper (%)"] = (100 * lower).round(1), (100 * upper).round(1)
    return long[["from", "to", "customers", "moved", "share (%)", "lower (%)", "upper (%)"]]


def monthly_rates(
    stages: pd.DataFrame, churn_days: int, *, from_stage: str = "silent", alpha: float = 0.05
) -> pd.DataFrame:
    """The moves out of ``from_stage`` snapshot by snapshot: one row per snapshot before the last with
    ``snapshot``, ``customers`` (in ``from_stage`` then), ``to churned`` and ``back to active`` (counts at
    the next snapshot), their shares (%) with Wilson ``1 - alpha`` intervals (``... lower (%)``,
    ``... upper (%)``, one decimal) and ``churn possible``: whether any of these customers could have
    reached ``churn_days`` of silence by the next snapshot (days since the last purchase plus the days
    to the next snapshot); where it is False a 0% move to churned is built into the rules, not observed."""
    from lifecycle_utils.measures import wilson_interval

    stages = _with_dates(stages)
    pairs = _consecutive(stages)
    ordered = stages.sort_values(["customer_id", "snapshot"], kind="stable")
    next_snap = (
        ordered.groupby("customer_id", sort=False, observed=True)["snapshot"].shift(-1).loc[pairs.index]
    )
    since = ordered["days_since_last"].loc[pairs.index]
    pairs = pairs.assign(reach=since + (next_snap - pairs["snapshot"]).dt.days)
    pairs = pairs[pairs["from"] == from_stage]
    snaps = pd.DatetimeIndex(stages["snapshot"].unique()).sort_values()[:-1]
    grouped = pairs.groupby("snapshot")
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "to churned": grouped["to"].apply(lambda t: int((t == "churned").sum())),
            "back to active": grouped["to"].apply(lambda t: int(t.isin(ACTIVE_STAGES).sum())),
            "churn possible": grouped["reach"].max() >= churn_days,
        }
    ).reindex(snaps)
    table["customers"] = table["customers"].fillna(0).astype(int)
    for column in ("to churned", "back to active"):
        table[column] = table[column].fillna(0).astype(int)
        n = table["customers"].where(table["customers"] > 0)
        lower, upper = wilson_interval(table[column], n, alpha)
        table[f"{column} (%)"] = (100 * table[column] / n).round(1)
        table[f"{column} lower (%)"] = (100 * lower).round(1)
        table[f"{column} upper (%)"] = (100 * upper).round(1)
    table["churn possible"] = table["churn possible"].fillna(False).astype(bool)
    table.index.name = "snapshot"
    return table.reset_index()


def rate_change_test(monthly: pd.DataFrame) -> pd.Series:
    """Whether the moves out of a stage differ between snapshots more than chance allows: a chi-square
    test of homogeneity on snapshots (rows, only those where ``churn possible`` in :func:`monthly_rates`
    and with customers) by outcome (``to churned``, ``back to active``, stayed; outcomes nobody took are
    dropped). Returns ``snapshots`` (rows tested), ``chi-square``, ``df``, ``p-value``, ``-log10 p``
    (:func:`~lifecycle_utils.estimators.chi_square_result`) and ``note`` (why no test, else
    ``""``). The snapshots share customers, so the test treats dependent rows as independent: read it
    as a description of how unequal the months are, not an exact p-value."""
    from scipy import stats

    from lifecycle_utils.estimators import chi_square_result

    rows = monthly[monthly["churn possible"] & (monthly["customers"] > 0)]
    counts = pd.DataFrame(
        {
            "to churned": rows["to churned"],
            "back to active": rows["back to active"],
            "stayed": rows["customers"] - rows["to churned"] - rows["back to active"],
        }
    )
    counts = counts.loc[:, counts.sum() > 0]
    if len(counts) < 2 or counts.shape[1] < 2:
        return pd.Series(
            {
                "snapshots": len(counts),
                "chi-square": np.nan,
                "df": 0,
                "p-value": "n/a",
                "-log10 p": np.nan,
                "note": "fewer than two snapshots (or outcomes) to compare: no test",
            },
            dtype=object,
        )
    chi2, _, df, _ = stats.chi2_contingency(counts.to_numpy(), correction=False)
    result = chi_square_result(round(float(chi2), 1), int(df))
    return pd.concat([pd.Series({"snapshots": len(counts)}), result, pd.Series({"note": ""})]).astype(object)


SILENCE_BAND_DAYS = 30  # width (days) of the bands of silence the months are compared within


def _outcome_pairs(stages: pd.DataFrame, from_stage: str) -> pd.DataFrame:
    """Customers in ``from_stage`` at a snapshot before their last: ``snapshot``, ``occasions``, ``to``
    (the stage at the next snapshot) and ``reach`` (days since the last purchase by the next snapshot, had
    the customer not bought: days since the last purchase plus the days to the next snapshot)."""
    ordered = _with_dates(stages).sort_values(["customer_id", "snapshot"], kind="stable")
    grouped = ordered.groupby("customer_id", sort=False, observed=True)
    pairs = ordered.assign(to=grouped["stage"].shift(-1), next_snapshot=grouped["snapshot"].shift(-1))
    pairs = pairs[pairs["to"].notna() & (pairs["stage"] == from_stage)]
    reach = pairs["days_since_last"] + (pairs["next_snapshot"] - pairs["snapshot"]).dt.days
    return pairs[["snapshot", "occasions", "to"]].assign(reach=reach.astype(int))


def silence_strata(
    stages: pd.DataFrame,
    churn_days: int,
    *,
    from_stage: str = "silent",
    width: int = SILENCE_BAND_DAYS,
    edges=None,
) -> pd.DataFrame:
    """The moves out of ``from_stage`` (:func:`assign_stages`) from one snapshot to the next, counted by
    snapshot within bands of days silent: ``silent by the next snapshot (days)`` is the silence the
    customer would have reached at the next snapshot without a purchase, in bands of ``width`` days
    counted down from ``churn_days`` (``"283+"``: churn possible; ``"253-282"``, ``"223-252"`` ... below it,
    the lowest band starting at the shortest silence seen), so that within a band the move to churned no
    longer depends on how long the customers had been silent, only on whether they bought. With
    ``edges`` (e.g. :data:`PURCHASE_BANDS`) also by ``purchases so far`` (:func:`purchase_band`). One row
    per band (and purchase band) and snapshot with customers: ``customers``, ``to churned``, ``back to
    active``, ``stayed``; ``band from (days)`` orders the bands."""
    pairs = _outcome_pairs(stages, from_stage)
    columns = ["silent by the next snapshot (days)", *([] if edges is None else ["purchases so far"])]
    counts = ["customers", "to churned", "back to active", "stayed"]
    if pairs.empty:
        return pd.DataFrame(columns=[*columns, "band from (days)", "snapshot", *counts])
    below = (churn_days - 1 - pairs["reach"]).clip(lower=-1) // width  # -1: churn possible
    high = churn_days - 1 - below * width
    low = np.maximum(high - width + 1, pairs["reach"].min())
    pairs = pairs.assign(
        **{
            "band from (days)": np.where(below < 0, churn_days, low),
            columns[0]: np.where(below < 0, f"{churn_days}+", low.astype(str) + "-" + high.astype(str)),
            "churned": (pairs["to"] == "churned").astype(int),
            "active": pairs["to"].isin(ACTIVE_STAGES).astype(int),
        }
    )
    if edges is not None:
        pairs["purchases so far"] = purchase_band(pairs["occasions"], edges)
    keys = [*columns, "band from (days)", "snapshot"]
    table = pairs.groupby(keys, sort=False).agg(
        customers=("churned", "size"),
        **{"to churned": ("churned", "sum"), "back to active": ("active", "sum")},
    )
    table["stayed"] = table["customers"] - table["to churned"] - table["back to active"]
    table = table.reset_index().sort_values(
        ["band from (days)", *columns[1:], "snapshot"], ascending=[False, *[True] * len(columns[1:]), True]
    )
    return table[[*columns, "band from (days)", "snapshot", *counts]].reset_index(drop=True)


def cmh_general(tables) -> tuple[float, int]:
    """The generalized Cochran-Mantel-Haenszel statistic of general association for K strata of R x C
    tables of counts over the same rows and columns (a 3-d array, stratum first; rows or columns a
    stratum lacks are zeros): with n_k the first R - 1 rows and C - 1 columns of stratum k, m_k their
    expectations r c / N under independence and V_k their multivariate hypergeometric covariance
    (N diag(r) - r r') x (N diag(c) - c c') / (N^2 (N - 1)), Q = d' V^+ d with d = sum (n_k - m_k) and
    V = sum V_k, on df = the rank of V (a generalized inverse where rows or columns are missing from
    every stratum). With one stratum Q is (N - 1) / N times Pearson's chi-square; with 2 x 2 tables it is
    the classical Mantel-Haenszel statistic without continuity correction. Strata of fewer than two
    counts add nothing. Returns (Q, df); (nan, 0) when nothing can be compared."""
    tables = np.asarray(tables, dtype=float)
    _, rows, cols = tables.shape
    if rows < 2 or cols < 2:
        return float("nan"), 0
    size = (rows - 1) * (cols - 1)
    diff, cov = np.zeros(size), np.zeros((size, size))
    for n in tables:
        total = n.sum()
        if total < 2:
            continue
        r, c = n.sum(axis=1), n.sum(axis=0)
        diff += (n - np.outer(r, c) / total)[:-1, :-1].ravel()
        vr = (total * np.diag(r) - np.outer(r, r))[:-1, :-1]
        vc = (total * np.diag(c) - np.outer(c, c))[:-1, :-1]
        cov += np.kron(vr, vc) / (total**2 * (total - 1))
    df = int(np.linalg.matrix_rank(cov, hermitian=True)) if cov.any() else 0
    if df == 0:
        return float("nan"), 0
    return float(diff @ np.linalg.pinv(cov, hermitian=True) @ diff), df


def stratified_change_test(strata: pd.DataFrame) -> pd.Series:
    """Whether the moves out of a stage differ between snapshots within bands (:func:`silence_strata`):
    the generalized Cochran-Mantel-Haenszel test (:func:`cmh_general`) of snapshots (rows) by outcome
    (``to churned``, ``back to active``, ``stayed``; outcomes nobody took dropped) stratified by band.
    Months compared within a band of days silent no longer differ by how long their customers had been
    silent, so what this test detects is a difference between months among customers silent about
    equally long. Sparse bands are fine (the test pools over bands, not within them). Returns ``strata``
    (bands with two snapshots and two outcomes, which carry the comparison), ``snapshots`` (distinct
    snapshots in them), ``customer-months`` (in them), ``left out`` (customer-months in the other bands),
    ``chi-square`` (the statistic), ``df``, ``p-value``, ``-log10 p`` and ``note``. Snapshots share
    customers, so read the p-value as a description, not an exact probability."""
    from lifecycle_utils.estimators import chi_square_result

    keys = [c for c in ("silent by the next snapshot (days)", "purchases so far") if c in strata.columns]
    outcomes = [o for o in ("to churned", "back to active", "stayed") if len(strata) and strata[o].sum() > 0]
    total = int(strata["customers"].sum()) if len(strata) else 0
    tables, snaps, used = [], set(), 0
    if len(strata) and len(outcomes) >= 2:
        months = pd.DatetimeIndex(strata["snapshot"].unique()).sort_values()
        for _, part in strata.groupby(keys, sort=False):
            counts = part.set_index("snapshot")[outcomes]
            counts = counts[counts.sum(axis=1) > 0]
            if len(counts) < 2 or (counts.sum() > 0).sum() < 2:
                continue
            tables.append(counts.reindex(months, fill_value=0).to_numpy())
            snaps |= set(counts.index)
            used += int(counts.to_numpy().sum())
    base = {"strata": len(tables), "snapshots": len(snaps), "customer-months": used, "left out": total - used}
    statistic, df = cmh_general(tables) if tables else (float("nan"), 0)
    if df == 0:
        note = "no band has two snapshots with customers and two outcomes: no test"
        return pd.Series(
            base | {"chi-square": np.nan, "df": 0, "p-value": "n/a", "-log10 p": np.nan, "note": note},
            dtype=object,
        )
    result = chi_square_result(round(max(statistic, 0.0), 1), df)
    return pd.concat([pd.Series(base), result, pd.Series({"note": ""})]).astype(object)


def rate_change_tests(
    stages: pd.DataFrame,
    churn_days: int,
    *,
    monthly: pd.DataFrame | None = None,
    width: int = SILENCE_BAND_DAYS,
    edges=PURCHASE_BANDS,
) -> pd.DataFrame:
    """Three tests of whether the monthly moves out of the silent stage differ between snapshots, one row
    each: ``across months`` (:func:`rate_change_test` on ``monthly``, :func:`monthly_rates` when not
    given: months pooled, so a change in how long the silent customers had been silent counts as a
    change), ``within bands of days silent`` (:func:`stratified_change_test` over
    :func:`silence_strata` of ``width`` days) and ``within bands of days silent and purchases``
    (the same with the purchase bands ``edges``; left out when ``edges`` is None). Columns: ``strata``,
    ``snapshots``, ``customer-months``, ``chi-square``, ``df``, ``p-value``, ``-log10 p``, ``note``."""
    monthly = monthly_rates(stages, churn_days) if monthly is None else monthly
    pooled = rate_change_test(monthly)
    possible = monthly[monthly["churn possible"] & (monthly["customers"] > 0)]
    pooled["strata"] = 1 if not pd.isna(pooled["chi-square"]) else 0
    pooled["customer-months"] = int(possible["customers"].sum()) if not pd.isna(pooled["chi-square"]) else 0
    rows = {"across months": pooled}
    rows["within bands of days silent"] = stratified_change_test(
        silence_strata(stages, churn_days, width=width)
    )
    if edges is not None:
        rows["within bands of days silent and purchases"] = stratified_change_test(
            silence_strata(stages, churn_days, width=width, edges=edges)
        )
    columns = ["strata", "snapshots", "customer-months", "chi-square", "df", "p-value", "-log10 p", "note"]
    table = pd.DataFrame({name: row.reindex(columns) for name, row in rows.items()}).T
    table = table.astype({c: int for c in ("strata", "snapshots", "customer-months", "df")})
    table = table.astype({"chi-square": float, "-log10 p": float})
    table.index.name = "test"
    table.attrs |= {
        "width": width,
        "edges": None if edges is None else tuple(edges),
        "churn_days": churn_days,
    }
    return table


def flows(stages: pd.DataFrame, start, end) -> pd.DataFrame:
    """Customers by stage at ``start`` (rows, plus ``"not yet acquired"``) and at ``end`` (columns)."""
    a = stage_at(stages, start).astype(str)
    b = stage_at(stages, end).astype(str)
    a = a.reindex(b.index).fillna("not yet acquired")
    rows = STAGES + ["not yet acquired"]
    table = pd.crosstab(a, b).reindex(index=rows, columns=STAGES, fill_value=0)
    table.index.name, table.columns.name = (
        f"stage at {pd.Timestamp(start).date()}",
        f"stage at {pd.Timestamp(end).date()}",
    )
    return table.loc[(table.sum(axis=1) > 0)]


def flow_summary(flows: pd.DataFrame) -> pd.DataFrame:
    """A :func:`flows` table with, per row (stage at the start), ``customers`` (the row total),
    ``same stage (%)`` (of them in the same stage at the end; NaN for ``not yet acquired``) and
    ``churned (%)`` (of them churned at the end), one decimal; NaN for an empty row."""
    table = flows.copy()
    size = flows.sum(axis=1)
    same = pd.Series(
        [flows.loc[s, s] if s in flows.columns else np.nan for s in flows.index],
        index=flows.index,
        dtype=float,
    )
    per = size.where(size > 0)
    table["customers"] = size
    table["same stage (%)"] = (100 * same / per).round(1)
    table["churned (%)"] = (100 * flows["churned"] / per).round(1)
    return table


def _most_snapshots_within(snapshots, days: int) -> int:
    """The most snapshots that fall within any window of ``days`` consecutive days (``[t, t + days)``)."""
    snaps = np.sort(pd.DatetimeIndex(snapshots).unique().to_numpy().astype("datetime64[D]"))
    if days <= 0 or len(snaps) == 0:
        return 0
    ends = np.searchsorted(snaps, snaps + np.timedelta64(int(days), "D"), side="left")
    return int((ends - np.arange(len(snaps))).max())


def spell_caps(rules: StageRules, snapshots) -> pd.Series:
    """The most snapshots a spell in each stage can last under ``rules`` on the grid of ``snapshots``
    (index :data:`STAGES`; NaN where the rules set no cap). A customer is new at the snapshots less than
    ``silent_days`` after the first purchase, so a new spell lasts at most the most snapshots within
    ``silent_days`` days; a silent spell at most the most snapshots within ``churn_days - silent_days``
    days; a growing spell covers the occasions 2 to ``mature_occasions - 1``, each followed by fewer than
    ``silent_days`` days in which a snapshot sees the customer, so at most ``mature_occasions - 2``
    times the new cap (0: no growing stage when mature from two occasions). The silent cap holds only
    when no two consecutive snapshots are more than ``silent_days`` apart (else a purchase between two
    snapshots that both see a silence can join two silences into one spell: NaN). Mature and churned
    spells last until the customer buys again or the data ends: no cap."""
    within_silent = _most_snapshots_within(snapshots, rules.silent_days)
    snaps = pd.DatetimeIndex(snapshots).unique().sort_values()
    widest = int(np.diff(snaps.to_numpy().astype("datetime64[D]")).astype(int).max()) if len(snaps) > 1 else 0
    silent = _most_snapshots_within(snapshots, rules.churn_days - rules.silent_days)
    caps = {
        "new": within_silent,
        "growing": (rules.mature_occasions - 2) * within_silent,
        "mature": np.nan,
        "silent": silent if widest <= rules.silent_days else np.nan,
        "churned": np.nan,
    }
    return pd.Series(caps, dtype=float, name="cap (snapshots)").reindex(STAGES)


def time_in_stage(
    stages: pd.DataFrame, tau: float | None = None, *, alpha: float = 0.05, rules: StageRules | None = None
) -> pd.DataFrame:
    """Spells: consecutive snapshots a customer spends in one stage, a spell still running at the last
    snapshot censored there (Kaplan-Meier, so running spells count for as long as they were seen). Per
    stage: ``spells``, ``completed`` (followed by another stage), ``still running``, ``median
    (snapshots)`` with its ``1 - alpha`` interval (``median lower``, ``median upper``; NaN where the
    curve or band stays above one half: not reached) and the restricted mean ``mean (snapshots)`` with
    ``mean lower``, ``mean upper`` (:func:`lifecycle_utils.estimators.restricted_mean`, the interval
    kept within 0 and the limit) up to ``restricted to (snapshots)``: ``tau``
    when given, else the stage's longest spell (the restricted mean then is the area under the whole
    observed curve). Snapshots are months with monthly snapshots; a spell of one snapshot counts as
    one. With ``rules``, a column ``cap (snapshots)``: the longest spell the rules allow in each stage
    (:func:`spell_caps`; NaN for mature and churned, which have none), so that stages whose spells the
    rules cut short are not read as if customers chose their length; the rules' three numbers are kept
    in ``attrs`` (``silent_days``, ``churn_days``, ``mature_occasions``)."""
    from lifecycle_utils.estimators import kaplan_meier, restricted_mean

    ordered = stages.sort_values(["customer_id", "snapshot"], kind="stable")
    ids = ordered["customer_id"]
    cust = (ids.cat.codes if isinstance(ids.dtype, pd.CategoricalDtype) else ids).to_numpy()  # codes: as ids
    stage = ordered["stage"].cat.codes.to_numpy()
    start = np.r_[True, (cust[1:] != cust[:-1]) | (stage[1:] != stage[:-1])][: len(cust)]  # none: none
    spell_id = np.cumsum(start)
    spells = pd.DataFrame({"spell": spell_id, "stage": ordered["stage"].to_numpy(), "customer": cust})
    length = spells.groupby("spell").agg(
        stage=("stage", "first"), customer=("customer", "first"), snapshots=("stage", "size")
    )
    last_of_customer = ~length["customer"].duplicated(keep="last")
    length["completed"] = (~last_of_customer).to_numpy().astype(int)
    started = length.groupby("stage", observed=False).size().reindex(STAGES, fill_value=0)
    completed = length.groupby("stage", observed=False)["completed"].sum().reindex(STAGES, fill_value=0)
    longest = length.groupby("stage", observed=False)["snapshots"].max().reindex(STAGES)
    rows = []
    for s in STAGES:
        part = length[length["stage"] == s]
        row = {"median (snapshots)": np.nan, "median lower": np.nan, "median upper": np.nan}
        if len(part):
            km = kaplan_meier(part["snapshots"], part["completed"], alpha=alpha)
            for key, column in (
                ("median (snapshots)", "survival"),
                ("median lower", "lower"),
                ("median upper", "upper"),
            ):
                hit = km.loc[km[column] <= 0.5, "time"]
                row[key] = float(hit.iloc[0]) if len(hit) else np.nan
        limit = float(longest[s]) if tau is None else float(tau)
        rmst = restricted_mean(part["snapshots"], part["completed"], horizon=limit, alpha=alpha)
        row |= {"restricted to (snapshots)": limit}
        row |= {  # the normal interval kept within [0, limit], where the restricted mean must lie
            "mean (snapshots)": rmst["rmst"],
            "mean lower": max(0.0, rmst["lower"]) if np.isfinite(rmst["lower"]) else np.nan,
            "mean upper": min(limit, rmst["upper"]) if np.isfinite(rmst["upper"]) else np.nan,
        }
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(STAGES, name="stage"))
    for column in ("mean (snapshots)", "mean lower", "mean upper"):
        table[column] = table[column].round(2)
    table.insert(0, "still running", started - completed)
    table.insert(0, "completed", completed)
    table.insert(0, "spells", started)
    if rules is not None:
        table["cap (snapshots)"] = spell_caps(rules, _values(stages["snapshot"]).unique())
        table.attrs |= {
            "silent_days": rules.silent_days,
            "churn_days": rules.churn_days,
            "mature_occasions": rules.mature_occasions,
        }
    return table


def resurrection(tx: pd.DataFrame, rules: StageRules, observation_end=None) -> pd.Series:
    """Customers who were ever churned (a gap of at least ``churn_days``, completed or still open at
    the observation end), how many of them came back (a completed gap that long), and the rate (%).
    Customers who churned shortly before the end had little time to return, so the rate is a lower
    bound."""
    occ = occasion_sequence(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end]
    completed = (occ["next"].where(occ["next"] <= end) - occ["date"]).dt.days
    open_gap = (end - occ["date"]).dt.days.where(occ["next"].isna() | (occ["next"] > end))
    per_customer = pd.DataFrame({"completed": completed, "open": open_gap, "customer": occ["customer_id"]})
    longest = per_customer.groupby("customer").max()
    came_back = longest["completed"] >= rules.churn_days
    ever = came_back | (longest["open"] >= rules.churn_days)
    n_ever, n_back = int(ever.sum()), int(came_back.sum())
    return pd.Series(
        {
            "ever churned": n_ever,
            "came back": n_back,
            "resurrection rate (%)": round(100 * n_back / n_ever, 1) if n_ever else float("nan"),
        },
        name="value",
        dtype=object,
    )


# ------------------------------------------------------------------------------- funnel and cohorts
def purchase_funnel(tx: pd.DataFrame, steps: int = 3) -> pd.DataFrame:
    """First, second, third ... purchase occasion: customers reaching each step, % of all customers,
    % of the previous step, and the median and 75th percentile of days since the previous occasion."""
    occ = occasion_sequence(tx)
    occ["days"] = (occ["date"] - occ["previous"]).dt.days
    rows = []
    total = occ["customer_id"].nunique()
    previous = total
    for k in range(1, steps + 1):
        at = occ[occ["k"] == k]
        n = len(at)
        rows.append(
            {
                "purchase": k,
                "customers": n,
                "% of all": round(100 * n / total, 1),
                "% of previous step": round(100 * n / previous, 1) if previous else float("nan"),
                "median days since previous": float(at["days"].median()) if k > 1 else float("nan"),
                "p75 days since previous": float(at["days"].quantile(0.75)) if k > 1 else float("nan"),
            }
        )
        previous = n
    return pd.DataFrame(rows)


def time_to_second_purchase(tx: pd.DataFrame) -> pd.Series:
    """Days from the first to the second purchase occasion, for customers who made one."""
    occ = occasion_sequence(tx)
    second = occ[occ["k"] == 2]
    return (
        (second["date"] - second["previous"]).dt.days.rename("days to second purchase").reset_index(drop=True)
    )


def cohort_retention(tx: pd.DataFrame, observation_end=None) -> pd.DataFrame:
    """Acquisition month (rows, ``YYYY-MM``) by calendar months since the first purchase (columns,
    0 = the acquisition month): % of the cohort with a purchase occasion in that month. Cells after the
    observation end are NaN (not yet observed), never 0."""
    occ = occasions(tx)
    end = end_of_observation(occ["date"], observation_end)
    occ = occ[occ["date"] <= end]
    month = occ["date"].dt.year * 12 + occ["date"].dt.month - 1
    first = month.groupby(occ["customer_id"]).transform("min")
    offset = month - first
    active = pd.DataFrame(
        {"cohort": first, "offset": offset, "customer": occ["customer_id"]}
    ).drop_duplicates()
    sizes = active[active["offset"] == 0].groupby("cohort")["customer"].nunique()
    counts = active.groupby(["cohort", "offset"])["customer"].nunique().unstack(fill_value=0)
    end_month = end.year * 12 + end.month - 1
    counts = counts.reindex(columns=range(end_month - int(counts.index.min()) + 1), fill_value=0)
    table = 100 * counts.div(sizes, axis=0)
    observable = np.subtract.outer(end_month - table.index.to_numpy(), table.columns.to_numpy()) >= 0
    table = table.where(observable).round(1)
    table.index = [f"{m // 12}-{m % 12 + 1:02d}" for m in table.index]
    table.index.name, table.columns.name = "cohort", "months since first purchase"
    table.insert(0, "customers", sizes.to_numpy())
    return table


# ------------------------------------------------------------------------------ vocabulary, sensitivity
CROSSWALK = pd.DataFrame(
    [
        ("new", "新手期", "获取", "新增", "考察期", "Activation", "new", "activation: second purchase"),
        ("growing", "成长期", "发展", "留存", "形成期", "Retention", "current", "retention, cross-sell"),
        (
            "mature",
            "成熟期",
            "保持",
            "活跃 / 忠诚",
            "稳定期",
            "Revenue, Referral",
            "current",
            "upsell, loyalty",
        ),
        (
            "silent",
            "沉默期",
            "衰退",
            "沉默",
            "退化期",
            "Retention (at risk)",
            "dormant (early)",
            "reactivation",
        ),
        ("churned", "流失期", "流失", "流失", "退化期 (结束)", "(lost)", "dormant", "win-back"),
        ("returned (flag)", "回流", "挽回", "回流", "", "Reactivation", "resurrected", "re-onboarding"),
    ],
    columns=["our stage", "新手…流失", "获取…衰退", "潜在…忠诚", "考察…退化", "AARRR", "Amplitude", "play"],
)


def sensitivity(tx: pd.DataFrame, snapshot, variants: dict[str, StageRules]) -> pd.DataFrame:
    """Stage counts at one snapshot under alternative rules: one row per named variant, with the
    rules' three numbers (``silent after (days)``, ``churned after (days)``, ``mature from
    (occasions)``), the customers per stage and ``active`` (new + growing + mature)."""
    rows = []
    for name, rules in variants.items():
        at = assign_stages(tx, rules, [snapshot])
        counts = at["stage"].value_counts().reindex(STAGES, fill_value=0)
        rows.append(
            {
                "variant": name,
                "silent after (days)": rules.silent_days,
                "churned after (days)": rules.churn_days,
                "mature from (occasions)": rules.mature_occasions,
                **{s: int(counts[s]) for s in ACTIVE_STAGES},
                "active": int(counts[ACTIVE_STAGES].sum()),
                "silent": int(counts["silent"]),
                "churned": int(counts["churned"]),
            }
        )
    return pd.DataFrame(rows).set_index("variant")


def threshold_variants(
    tx: pd.DataFrame,
    rules: StageRules,
    *,
    chance: float = RETURN_CHANCE,
    horizon_days: int = RETURN_HORIZON,
    observation_end=None,
) -> dict[str, StageRules]:
    """The rules to compare in a sensitivity table: the chosen ones; silent/churn thresholds at the
    70th/90th and 90th/99th percentiles of the purchase gaps and at the 80th/95th percentiles of the
    first gaps (first to second occasion, one per customer); the churn threshold by the return-chance
    rule (:func:`return_chance_threshold`, all gaps and first gaps; left out where it cannot be read; the
    silent threshold kept, or one day below it when it would not be shorter); mature one occasion
    earlier or later."""
    gaps = purchase_gaps(tx)
    first = time_to_second_purchase(tx)

    def at(q: float, values: pd.Series = gaps) -> int:
        return math.ceil(float(values.quantile(q)))

    variants = {
        "chosen": rules,
        "gaps p70 / p90": rules.with_overrides(silent_days=at(0.7), churn_days=at(0.9)),
        "gaps p90 / p99": rules.with_overrides(silent_days=at(0.9), churn_days=at(0.99)),
    }
    if len(first) and at(0.8, first) < at(0.95, first):
        variants["first gaps p80 / p95"] = rules.with_overrides(
            silent_days=at(0.8, first), churn_days=at(0.95, first)
        )
    for name, first_only in (("all gaps", False), ("first gaps", True)):
        days = return_chance_threshold(
            tx, chance, horizon_days=horizon_days, first_only=first_only, observation_end=observation_end
        )
        if days is not None and days > 1:
            variants[f"return chance < {100 * chance:g}%, {name}"] = rules.with_overrides(
                silent_days=min(rules.silent_days, days - 1), churn_days=days
            )
    variants["mature one earlier"] = rules.with_overrides(mature_occasions=max(2, rules.mature_occasions - 1))
    variants["mature one later"] = rules.with_overrides(mature_occasions=rules.mature_occasions + 1)
    return variants


def headline_figures(
    stages: pd.DataFrame,
    rules: StageRules,
    *,
    resurrection_facts: pd.Series,
    tx: pd.DataFrame | None = None,
    repeat: pd.DataFrame | None = None,
    tolerance: float | None = None,
    thresholds: pd.DataFrame | None = None,
    monthly: pd.DataFrame | None = None,
    rate_test: pd.Series | pd.DataFrame | None = None,
    spells: pd.DataFrame | None = None,
    bands: pd.DataFrame | None = None,
    variants: pd.DataFrame | None = None,
) -> dict:
    """What notebook 01 records: customers and share (%) per stage at the last snapshot, the three
    rules, the monthly moves out of the silent stage and the resurrection rate; with ``tx`` the share
    of observed gaps longer than each threshold and the funnel's losses; with ``repeat`` (the
    :func:`repeat_probability` table the mature rule is read from) and ``tolerance``, on what grounds the
    mature rule stands (``mature rule``: a :func:`mature_basis` rule, or ``"parameter"`` when the rules
    in use differ from it); with ``thresholds`` (:func:`threshold_table`) the return-chance thresholds
    (days, all gaps and first gaps; None where the chance does not fall that low within the silences
    the data can follow), the level and horizon they use, and the chance (%) of a return within the
    horizon at the churn threshold in use (all gaps and first gaps; None where no rule row has that
    threshold or the data cannot follow it); with ``monthly`` (:func:`monthly_rates`) the lowest and
    highest monthly silent -> churned share (%) over the months in which churn was possible; with
    ``rate_test`` (:func:`rate_change_test`, or the table of :func:`rate_change_tests`) its p-value
    (text) and ``-log10 p``, and from the table also those of the tests within bands of days silent
    (and of purchases so far); with ``spells`` (:func:`time_in_stage`) the Kaplan-Meier median time in
    the mature stage and its interval (monthly snapshots, i.e. months; None where not reached); with
    ``bands`` (:func:`return_chance_by_band` at the churn threshold in use) the chance (%) of a return
    within its horizon and its interval per band of purchases so far, and the customers silent that
    long at the end (churned) per band; with ``variants`` (:func:`sensitivity`) the lowest and highest
    churned share (%) over the rules compared. Shares in %, NaN where a figure cannot be computed."""
    snapshot = _values(stages["snapshot"])
    last = snapshot.max()
    counts = stages.loc[snapshot == last, "stage"].value_counts().reindex(STAGES, fill_value=0)
    shares = (100 * counts / counts.sum()).round(1)
    figures: dict = {"snapshot": last.date().isoformat()}
    figures |= {f"{s} customers": int(counts[s]) for s in STAGES}
    figures |= {f"{s} share (%)": float(shares[s]) for s in STAGES}
    figures |= {
        "silent after (days)": rules.silent_days,
        "churned after (days)": rules.churn_days,
        "mature from (occasions)": rules.mature_occasions,
    }
    if repeat is not None and tolerance is not None:
        basis = mature_basis(repeat, tolerance)
        derived = basis["occasions"] == rules.mature_occasions
        figures["mature rule"] = basis["rule"] if derived else "parameter"
    if tx is not None:
        gaps = purchase_gaps(tx)
        figures["observed gaps longer than the silent threshold (%)"] = share_longer(gaps, rules.silent_days)
        figures["observed gaps longer than the churn threshold (%)"] = share_longer(gaps, rules.churn_days)
        funnel = purchase_funnel(tx, steps=3).set_index("purchase")["customers"]
        figures["customers with no second purchase (%)"] = _share_short(funnel[1], funnel[2])
        figures["second-time buyers with no third purchase (%)"] = _share_short(funnel[2], funnel[3])
    moves = transition_matrix(stages)
    figures["silent to churned per month (%)"] = round(100 * float(moves.loc["silent", "churned"]), 1)
    figures["silent back to active per month (%)"] = round(
        100 * float(moves.loc["silent", ACTIVE_STAGES].sum(min_count=1)), 1
    )
    figures |= {
        "ever churned": _whole(resurrection_facts.get("ever churned")),
        "resurrection rate (%)": resurrection_facts["resurrection rate (%)"],
    }
    if thresholds is not None:
        figures |= _threshold_figures(thresholds, rules.churn_days)
    if monthly is not None:
        possible = monthly.loc[monthly["churn possible"] & (monthly["customers"] > 0), "to churned (%)"]
        figures["silent to churned per month, lowest (%)"] = (
            _number(possible.min()) if len(possible) else None
        )
        figures["silent to churned per month, highest (%)"] = (
            _number(possible.max()) if len(possible) else None
        )
    if isinstance(rate_test, pd.DataFrame):
        for name, key in (
            ("within bands of days silent", " within bands of days silent"),
            (
                "within bands of days silent and purchases",
                " within bands of days silent and purchases",
            ),
        ):
            if name in rate_test.index:
                figures |= _test_figures(rate_test.loc[name], key)
        rate_test = rate_test.iloc[0] if len(rate_test) else None
    if rate_test is not None:
        figures |= _test_figures(rate_test, "")
    if spells is not None and "mature" in spells.index:
        row = spells.loc["mature"]
        figures["mature median time in stage (months)"] = _number(row["median (snapshots)"])
        figures["mature median time in stage lower (months)"] = _number(row["median lower"])
        figures["mature median time in stage upper (months)"] = _number(row["median upper"])
    if bands is not None and bands.attrs.get("silence") == rules.churn_days:
        chance = next(c for c in bands.columns if c.startswith("return within"))
        for band, row in bands.drop(index="all", errors="ignore").iterrows():
            key = f"the churn threshold, purchases so far {band}"
            figures[f"return within the horizon at {key} (%)"] = _number(row[chance])
            figures[f"return within the horizon at {key}, lower (%)"] = _number(row["lower (%)"])
            figures[f"return within the horizon at {key}, upper (%)"] = _number(row["upper (%)"])
            figures[f"churned at the end, purchases so far {band}"] = _whole(
                row["silent that long at the end"]
            )
    if variants is not None and len(variants):
        customers = variants[STAGES].sum(axis=1)
        shares = (100 * variants["churned"] / customers.where(customers > 0)).round(1).dropna()
        figures["churned share over the compared rules, lowest (%)"] = (
            _number(shares.min()) if len(shares) else None
        )
        figures["churned share over the compared rules, highest (%)"] = (
            _number(shares.max()) if len(shares) else None
        )
    return figures


def _test_figures(test: pd.Series, which: str) -> dict:
    """The p-value (text) and ``-log10 p`` of a change test (:func:`rate_change_test`), keyed with
    ``which`` after ``change test``; None where no test was made."""
    tested = not pd.isna(test.get("chi-square"))
    return {
        f"silent to churned change test{which} p-value": str(test["p-value"]) if tested else None,
        f"silent to churned change test{which} -log10 p": _number(test["-log10 p"]) if tested else None,
    }


def _number(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _threshold_figures(thresholds: pd.DataFrame, churn_days: int) -> dict:
    """The return-chance part of :func:`headline_figures` from a :func:`threshold_table`."""
    horizon = thresholds.attrs.get("horizon_days")
    rows = thresholds.set_index("rule")
    below = [r for r in rows.index if r.startswith("return chance below")]
    figures = {
        "return chance level (%)": _number(100 * thresholds.attrs.get("chance", np.nan)),
        "return horizon (days)": horizon,
    }
    for name in ("all gaps", "first gaps"):
        rule = next((r for r in below if r.endswith(name)), None)
        days = None if rule is None else _number(rows.loc[rule, "churned after (days)"])
        figures[f"return chance threshold, {name} (days)"] = None if days is None else int(days)
    at = thresholds[thresholds["churned after (days)"] == churn_days]
    for name in ("all gaps", "first gaps"):
        column = f"silent that long, {name}: return within {horizon} days (%)"
        value = at[column].iloc[0] if len(at) and column in at else None
        figures[f"return within the horizon at the churn threshold, {name} (%)"] = _number(value)
    return figures


def _whole(n) -> int | None:
    return None if n is None or pd.isna(n) else int(n)


def _share_short(before: int, after: int) -> float:
    """The share (%) of ``before`` customers who did not reach the next step (``after`` of them did)."""
    return round(100 * float(before - after) / float(before), 1) if before else float("nan")
