"""Customer lifetime value in money: CLV per customer from a transaction model and Gamma-Gamma,
its sensitivity to margin and discount, net value after cost, summaries by group, the customer
bootstrap of CLV (both models refitted: the interval of the total and of each customer), and the lists
a team acts on (the silent customers' future margin, potential and early warning). Money is in the
currency of the data; the discount rate is per year.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifecycle_utils._lifetimes import (
    GammaGammaFitter,
)
from lifecycle_utils.clv.fitting import (
    FitResult,
    fit_gamma_gamma,
    fit_model,
    log_hessian,
    refit,
    refit_spend,
    spend_objective,
    weighted_objective,
)
from lifecycle_utils.clv.prediction import (
    expected_purchases,
    expected_purchases_path,
    indistinguishable,
    probability_alive,
)
from lifecycle_utils.summary import customer_summary

__all__ = [
    "clv",
    "clv_sensitivity",
    "PredictedValue",
    "predicted_value",
    "net_value",
    "clv_summary",
    "NEGATIVE_SHARE",
    "net_value_summary",
    "clv_by",
    "BOOTSTRAP_REPS",
    "ClvBootstrap",
    "bootstrap_clv",
    "bootstrap_total_clv",
    "customer_intervals",
    "example_customers",
    "FUTURE_MARGIN",
    "CONTACT_CEILING",
    "value_at_risk",
    "WARNING_ALIVE_BELOW",
    "WARNING_BY",
    "potential_and_warning",
    "list_totals",
    "IMPLIED_TOTAL",
    "headline_figures",
    "interval",
    "recent_spend",
]


# ---------------------------------------------------------------------------------------------- CLV
def _unique_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The unique (frequency, recency, T) rows of ``frame`` and, per customer, the index of its row:
    the transaction models' predictions depend on nothing else, so they are computed once per row."""
    stacked = frame[["frequency", "recency", "T"]].to_numpy(float)
    rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return rows, inverse.ravel()


def _monthly_purchases(fit: FitResult, rows: np.ndarray, months: int, weeks_per_month: float) -> np.ndarray:
    """Expected repeat purchases in each of the next ``months`` months (rows x months) for unique rows
    of (frequency, recency, T)."""
    cumulative = expected_purchases_path(
        fit,
        np.arange(1, months + 1) * weeks_per_month,
        frequency=rows[:, 0],
        recency=rows[:, 1],
        T=rows[:, 2],
    )
    return np.diff(np.hstack([np.zeros((len(rows), 1)), cumulative]), axis=1)


def _discounts(months: int, annual_discount: float) -> np.ndarray:
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    return 1 / (1 + monthly) ** np.arange(1, months + 1)


def _spend_per_purchase(spend: GammaGammaFitter, frame: pd.DataFrame) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(
            spend.conditional_expected_average_profit(frame["frequency"], frame["monetary_value"]), float
        )


def clv(
    fit: FitResult,
    spend: GammaGammaFitter,
    *,
    frame: pd.DataFrame,
    months: int = 12,
    margin: float = 1.0,
    annual_discount: float = 0.10,
    weeks_per_month: float = 4.345,
) -> pd.Series:
    """Customer lifetime value over the next ``months``: for each month, the expected repeat purchases
    in that month (transaction model, weeks) times the expected spend per purchase (Gamma-Gamma,
    conditional on the customer's own spend history; the population mean for one-time buyers), times
    ``margin``, discounted monthly at ``annual_discount``. Currency of the data. (The purchases are
    computed once per unique (frequency, recency, T) row.)"""
    rows, inverse = _unique_rows(frame)
    purchases = (
        _monthly_purchases(fit, rows, months, weeks_per_month) * _discounts(months, annual_discount)
    ).sum(1)
    total = purchases[inverse] * _spend_per_purchase(spend, frame) * margin
    return pd.Series(total, index=frame.index, name=f"CLV {months} months")


def clv_sensitivity(
    fit: FitResult,
    spend: GammaGammaFitter,
    *,
    frame: pd.DataFrame,
    months: int = 12,
    margins=(0.2, 0.3, 0.4),
    annual_discounts=(0.0, 0.1, 0.2),
    weeks_per_month: float = 4.345,
) -> pd.DataFrame:
    """Total :func:`clv` over a grid: one row per margin (``margins``, fractions), one column per yearly
    discount rate (``annual_discounts``), both labelled in percent; whole units of the currency. The
    expected purchases are computed once: total CLV is proportional to the margin, and the discount only
    reweights the months."""
    rows, inverse = _unique_rows(frame)
    monthly = _monthly_purchases(fit, rows, months, weeks_per_month)
    money_per_row = np.bincount(inverse, weights=_spend_per_purchase(spend, frame), minlength=len(rows))
    revenue_by_month = money_per_row @ monthly  # expected revenue in each month, all customers
    table = pd.DataFrame(
        [[float(revenue_by_month @ _discounts(months, d)) * m for d in annual_discounts] for m in margins],
        index=pd.Index([round(100 * m, 2) for m in margins], name="margin (%)"),
        columns=pd.Index([round(100 * d, 2) for d in annual_discounts], name="annual discount (%)"),
    ).round(0)
    table.attrs["months"] = int(months)
    return table


@dataclass(frozen=True)
class PredictedValue:
    """Each customer's predicted future value (:func:`predicted_value`), or why there is none.

    ``values``: the expected value of the customer's purchases in the next ``months`` months (currency
    of the data, discounted, before any margin), indexed by customer id; ``None`` when ``model`` did not
    fit cleanly (``note`` says why: no fit, or parameters on a boundary, where the data cannot tell the
    purchase rate from the dropout and the predictions are not identified)."""

    values: pd.Series | None
    model: str
    months: int
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.values is not None


def predicted_value(
    tx: pd.DataFrame,
    *,
    model: str,
    months: int = 12,
    observation_end=None,
    annual_discount: float = 0.10,
) -> PredictedValue:
    """The expected value of every customer's future purchases over the next ``months`` months, from
    the transactions ``tx`` up to ``observation_end``: the transaction model ``model`` (one of
    ``MODELS``, fitted on the weekly summary) for the expected purchases and Gamma-Gamma for the spend
    per purchase, as :func:`clv` with ``margin`` 1 (revenue, not profit) and ``annual_discount``.

    Not past spend: a big spender the model thinks is gone is worth little. When the transaction model
    does not fit cleanly (no fit, or a parameter on a boundary) no value is returned and the note says
    why, so that a caller falls back to something it names rather than using an unidentified fit; the
    same when no customer has a repeat purchase with a positive spend (no Gamma-Gamma fit)."""
    frame = customer_summary(tx, observation_end, "W")
    fit = fit_model(model, frame)
    if not fit.ok:
        return PredictedValue(None, model, months, f"{model} did not fit cleanly ({fit.note})")
    if not ((frame["frequency"] > 0) & (frame["monetary_value"] > 0)).any():
        return PredictedValue(None, model, months, "no repeat purchase with a positive spend: no spend model")
    spend = fit_gamma_gamma(frame)
    values = clv(fit, spend, frame=frame, months=months, margin=1.0, annual_discount=annual_discount)
    return PredictedValue(values.rename(f"predicted value, {months} months"), model, months)


def net_value(
    clv_values: pd.Series,
    acquisition_cost: float = 0.0,
    *,
    retention_cost_per_year: float = 0.0,
    months: int = 12,
) -> pd.Series:
    """The source material's "value minus CAC minus retention cost": CLV less the acquisition cost
    (only for customers still to be acquired, so usually 0 for existing ones) and the retention cost
    over the same horizon."""
    return (clv_values - acquisition_cost - retention_cost_per_year * months / 12).rename("net value")


def clv_summary(values: pd.Series, top_share: float = 0.1) -> pd.Series:
    """Total, mean, median and quantiles of CLV, and the share (%) of total CLV in the top decile (NaN when
    the total is not positive, as a sum of net values may be)."""
    v = values.sort_values(ascending=False)
    k = max(1, int(round(top_share * len(v))))
    return pd.Series(
        {
            "customers": len(v),
            "total": round(float(v.sum()), 0),
            "mean": round(float(v.mean()), 2),
            "median": round(float(v.median()), 2),
            "p90": round(float(v.quantile(0.9)), 2),
            # a share of a total that is not positive (net values may be) means nothing: NaN
            f"top {round(100 * top_share)}% share of total (%)": (
                round(100 * float(v.iloc[:k].sum() / v.sum()), 1) if v.sum() > 0 else float("nan")
            ),
        },
        name="value",
    )


NEGATIVE_SHARE = "customers with a negative net value (%)"  # the row net_value_summary adds


def net_value_summary(net: pd.Series) -> pd.Series:
    """:func:`clv_summary` of net values (:func:`net_value`), with the share (%) of customers whose net
    value is negative (:data:`NEGATIVE_SHARE`), among those with a value (the summary counts every
    customer, as :func:`clv_summary` of the CLV values does)."""
    values = net.dropna()
    share = round(100 * float((values < 0).mean()), 1) if len(values) else np.nan
    return pd.concat([clv_summary(net), pd.Series({NEGATIVE_SHARE: share})]).rename("net value")


def clv_by(values: pd.Series, labels: pd.Series, silent_label: str | None = None) -> pd.DataFrame:
    """CLV by a label (lifecycle stage, RFM segment): customers, total, mean, and share of total (%)."""
    frame = pd.DataFrame({"clv": values, "label": labels.reindex(values.index)})
    g = frame.groupby("label", observed=False)["clv"]
    out = pd.DataFrame({"customers": g.size(), "total CLV": g.sum().round(0), "mean CLV": g.mean().round(2)})
    out["share of total (%)"] = (100 * out["total CLV"] / out["total CLV"].sum()).round(1)
    out.index.name = labels.name
    return out


BOOTSTRAP_REPS = 200  # resamples of customers for the intervals of CLV (each refits both models)


@dataclass(frozen=True)
class ClvBootstrap:
    """A customer bootstrap of CLV (:func:`bootstrap_clv`).

    ``totals``: total CLV of each successful resample; ``draws``: CLV of every customer (columns, in the
    order of ``customers``) in each successful resample (rows); ``estimate``: the total of the point fit;
    ``reps``: resamples drawn; ``failed``: resamples left out because a refit failed or landed on a
    boundary; ``level``: of the intervals; ``params``: the refitted parameters of both models, one row
    per successful resample."""

    totals: pd.Series
    draws: np.ndarray
    customers: pd.Index
    estimate: float
    reps: int
    failed: int
    level: float = 0.90
    params: pd.DataFrame | None = None  # each successful resample's refitted parameters, both models

    @property
    def refits(self) -> int:
        return len(self.totals)

    def interval(self) -> tuple[float, float]:
        """The equal-tailed percentile interval of the total (NaN, NaN without a successful resample)."""
        if not self.refits:
            return float("nan"), float("nan")
        return interval(self.totals, self.level)

    @property
    def contains_estimate(self) -> bool | None:
        """Whether the point estimate lies inside :meth:`interval` (None without an interval)."""
        lo, hi = self.interval()
        if not np.isfinite([lo, hi]).all():
            return None
        return bool(lo <= self.estimate <= hi)

    def table(self) -> pd.DataFrame:
        """The total against its interval, for display: ``estimate``, ``90% low``, ``90% high``, the
        interval's reach from the estimate (% of it), the resamples refitted and left out, and whether the
        estimate lies inside."""
        lo, hi = self.interval()
        label = f"{100 * self.level:g}%"
        finite = np.isfinite([lo, hi]).all() and self.estimate > 0
        reach = (
            100 * max(abs(lo - self.estimate), abs(hi - self.estimate)) / self.estimate if finite else np.nan
        )
        return pd.DataFrame(
            {
                "estimate": [round(self.estimate, 0)],
                f"{label} low": [round(lo, 0) if finite else np.nan],
                f"{label} high": [round(hi, 0) if finite else np.nan],
                "reach (± % of estimate)": [round(reach, 1)],
                "resamples refitted": [self.refits],
                "resamples left out": [self.failed],
                "estimate inside": [
                    "n/a" if self.contains_estimate is None else "yes" if self.contains_estimate else "no"
                ],
            },
            index=pd.Index(["total CLV"], name="bootstrap"),
        )


def bootstrap_clv(
    fit: FitResult,
    frame: pd.DataFrame,
    *,
    spend: GammaGammaFitter,
    reps: int = BOOTSTRAP_REPS,
    seed: int = 0,
    months: int = 12,
    level: float = 0.90,
    **clv_args,
) -> ClvBootstrap:
    """Parameter uncertainty of CLV by a customer bootstrap with both models refitted: ``reps`` times
    (seeded), draw the customers of ``frame`` with replacement, refit the transaction model (``fit``'s,
    started at its parameters, on the unique (frequency, recency, T) rows weighted by the customers
    drawn: :func:`~lifecycle_utils.clv.fitting.refit`) and the Gamma-Gamma spend model (``spend``'s, on
    the repeat customers drawn: :func:`~lifecycle_utils.clv.fitting.refit_spend`), and recompute every
    customer's :func:`clv` (``months``, ``clv_args``: margin, annual_discount). A resample whose refit
    fails or lands on a boundary is left out and counted. This is the uncertainty of the parameters
    given the models, not the error of the models themselves (the holdout check measures that)."""
    rows, inverse = _unique_rows(frame)
    data = pd.DataFrame(rows, columns=["frequency", "recency", "T"])
    counts = np.bincount(inverse, minlength=len(rows)).astype(float)
    objective = weighted_objective(fit.name, data)
    hessian = log_hessian(lambda x: objective(x, counts), np.log(fit.params.to_numpy(float)))
    f, m = frame["frequency"].to_numpy(float), frame["monetary_value"].to_numpy(float)
    spend_like, repeat = spend_objective(f, m, float(getattr(spend, "penalizer_coef", 0.0) or 0.0))
    spend_hessian = log_hessian(
        lambda x: spend_like(x, np.ones(int(repeat.sum()))),
        np.log(spend.params_[["p", "q", "v"]].to_numpy(float)),
    )
    margin = float(clv_args.get("margin", 1.0))
    weeks_per_month = float(clv_args.get("weeks_per_month", 4.345))
    discounts = _discounts(months, float(clv_args.get("annual_discount", 0.10)))
    estimate = float(clv(fit, spend, frame=frame, months=months, **clv_args).sum())
    rng = np.random.default_rng(seed)
    n, totals, draws, params, failed = len(frame), [], [], [], 0
    for _ in range(int(reps)):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        row_weights = np.bincount(inverse, weights=weights, minlength=len(rows))
        fit_b = refit(fit, data, row_weights, objective=objective, hessian=hessian)
        spend_b = refit_spend(spend, f, m, weights, hessian=spend_hessian) if fit_b.ok else None
        if spend_b is None:
            failed += 1
            continue
        purchases = (_monthly_purchases(fit_b, rows, months, weeks_per_month) * discounts).sum(axis=1)
        values = purchases[inverse] * _spend_per_purchase(spend_b, frame) * margin
        if not np.isfinite(values).all():
            failed += 1
            continue
        draws.append(values)
        totals.append(float(values.sum()))
        params.append(pd.concat([fit_b.params, spend_b.params_]))
    return ClvBootstrap(
        totals=pd.Series(totals, name="total CLV"),
        draws=np.vstack(draws) if draws else np.empty((0, n)),
        customers=frame.index,
        estimate=estimate,
        reps=int(reps),
        failed=failed,
        level=level,
        params=pd.DataFrame(params).reset_index(drop=True) if params else None,
    )


def bootstrap_total_clv(
    name: str,
    frame: pd.DataFrame,
    *,
    spend: GammaGammaFitter,
    reps: int = BOOTSTRAP_REPS,
    seed: int = 0,
    months: int = 12,
    **clv_args,
) -> pd.Series:
    """The bootstrap totals of :func:`bootstrap_clv` for the model ``name`` fitted on ``frame`` (both
    models refitted on every resample); empty when the model does not fit cleanly."""
    fit = fit_model(name, frame)
    if not fit.ok:
        return pd.Series([], dtype=float, name="total CLV")
    return bootstrap_clv(fit, frame, spend=spend, reps=reps, seed=seed, months=months, **clv_args).totals


def customer_intervals(
    boot: ClvBootstrap, values: pd.Series, *, examples: dict[str, str] | None = None, top: int = 5
) -> pd.DataFrame:
    """Per-customer intervals of CLV from ``boot`` (:func:`bootstrap_clv`): for the ``examples``
    (label -> customer id, e.g. :func:`example_customers`) and the ``top`` customers by CLV (``values``,
    the point CLV of the same customers, margin and horizon), their CLV, the ``level`` percentile
    interval of their bootstrap draws and its reach from their CLV (% of it; NaN for a CLV that rounds to
    0.00). One row per customer, ``shown as`` saying why; empty without successful resamples."""
    label = f"{100 * boot.level:g}%"
    columns = ["shown as", "CLV", f"{label} low", f"{label} high", "reach (± % of CLV)"]
    if not boot.refits or values is None or values.empty:
        return pd.DataFrame(columns=columns)
    chosen = {
        f"top {k + 1} by CLV": str(c) for k, c in enumerate(values.sort_values(ascending=False).index[:top])
    }
    for kind, cid in (examples or {}).items():
        if cid not in chosen.values():
            chosen[kind] = str(cid)
    position = pd.Series(np.arange(len(boot.customers)), index=boot.customers.astype(str))
    tail = (1 - boot.level) / 2
    rows = []
    for kind, cid in chosen.items():
        draws = boot.draws[:, position[cid]]
        lo, hi = np.quantile(draws, [tail, 1 - tail])
        point = float(values.loc[values.index.astype(str) == cid].iloc[0])
        # a CLV that rounds to 0.00 has no meaningful relative reach
        reach = 100 * max(abs(lo - point), abs(hi - point)) / point if round(point, 2) > 0 else np.nan
        rows.append([kind, round(point, 2), round(lo, 2), round(hi, 2), round(reach, 1)])
    out = pd.DataFrame(rows, columns=columns, index=pd.Index(list(chosen.values()), name="customer_id"))
    return out


def example_customers(frame: pd.DataFrame) -> dict[str, str]:
    """Three customers whose P(alive) histories tell different stories: the most frequent buyer who
    bought recently, the most frequent one who stopped early, and a one-time buyer (the first in id
    order of each kind). A kind nobody in the data belongs to (no one-time buyer in a wholesaler's log,
    say) is left out."""
    rep = frame[frame["frequency"] > 0]
    gone = rep["recency"] / rep["T"]
    top = rep[rep["frequency"] >= rep["frequency"].quantile(0.9)]
    once = frame.index[frame["frequency"] == 0]
    examples = {}
    if len(top):
        examples["frequent, recent"] = str(top["recency"].sub(top["T"]).abs().idxmin())
        examples["frequent, stopped"] = str(top.assign(g=gone.loc[top.index])["g"].idxmin())
    if len(once):
        examples["one purchase"] = str(once[0])
    return examples


FUTURE_MARGIN = "predicted future margin (CLV)"  # the row of value_at_risk: what they bring uncontacted


CONTACT_CEILING = "most a contact can add"  # the row of value_at_risk a retention budget is weighed against


def value_at_risk(
    values: pd.Series, p_alive: pd.Series, *, past_spend: pd.Series, labels: pd.Series, stage: str = "silent"
) -> pd.Series:
    """For the customers labelled ``stage``: how many, their mean P(alive), their predicted future margin
    (:data:`FUTURE_MARGIN`: the sum of ``values``, their CLV at the notebook's margin: what they bring
    with no contact at all), the most a contact can add (:data:`CONTACT_CEILING`: what they would bring
    were each certainly still active, minus what they bring now; a customer's CLV is P(alive) times the
    value if active, so this is the sum of ``values x (1 - P(alive)) / P(alive)``, customers with
    P(alive) of 0 adding nothing the model can value: the ceiling a budget to keep them is weighed
    against) and, for comparison only, their spend in the last year (revenue in the past, before margin:
    not what keeping them is worth)."""
    m = labels.reindex(values.index).astype(str) == stage
    p = p_alive.reindex(values.index)[m].astype(float)
    v = values[m].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(p > 0, v * (1 - p) / p, 0.0)
    return pd.Series(
        {
            "customers": int(m.sum()),
            "mean P(alive)": round(float(p.mean()), 3) if m.any() else np.nan,
            FUTURE_MARGIN: round(float(v.sum()), 0),
            CONTACT_CEILING: round(float(np.nansum(gain)), 0),
            "spend in the last year": round(float(past_spend.reindex(values.index)[m].sum()), 0),
        },
        name=stage,
    )


WARNING_ALIVE_BELOW = 0.5  # the early-warning list: customers whose P(alive) is below this ("probably gone")
WARNING_BY = ("CLV", "total spend")  # what the early-warning list can be ranked by


def potential_and_warning(
    frame: pd.DataFrame,
    fit: FitResult,
    *,
    values: pd.Series,
    horizon: float = 13.0,
    top: int = 10,
    alive_below: float = WARNING_ALIVE_BELOW,
    warning_by: str = "CLV",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """潜力预测 and 流失预警 side by side: the ``top`` customers by expected purchases in the next
    ``horizon`` periods (a quarter: 13 weeks), and the ``top`` customers whose P(alive) is below
    ``alive_below``, ranked by ``warning_by``: ``"CLV"`` (their predicted value, the default: what a
    win-back could still keep) or ``"total spend"`` (past spend). The warning list's attribute
    ``ranked_by`` records which."""
    if warning_by not in WARNING_BY:
        raise ValueError(f"warning_by {warning_by!r} is not one of {', '.join(WARNING_BY)}")
    e = expected_purchases(fit, horizon, frequency=frame["frequency"], recency=frame["recency"], T=frame["T"])
    p = probability_alive(fit, frame["frequency"], frame["recency"], frame["T"])
    table = pd.DataFrame(
        {
            "frequency": frame["frequency"],
            "recency": frame["recency"].round(1),
            "T": frame["T"].round(1),
            "expected purchases next quarter": e.round(2),
            "P(alive)": p.round(3),
            "CLV": values.reindex(frame.index).round(2),
            "total spend": frame.get("total_spend", pd.Series(np.nan, index=frame.index)).round(2),
        }
    )
    potential = table.sort_values("expected purchases next quarter", ascending=False, kind="stable").head(top)
    warning = (
        table[table["P(alive)"] < alive_below]
        .sort_values(warning_by, ascending=False, kind="stable")
        .head(top)
    )
    warning.attrs["ranked_by"] = warning_by
    return potential, warning


def list_totals(
    potential: pd.DataFrame,
    warning: pd.DataFrame,
    *,
    alive_below: float = WARNING_ALIVE_BELOW,
    by_spend: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The totals of the lists of :func:`potential_and_warning`: customers, expected purchases next
    quarter, past total spend and CLV, one row per list (the warning list named by what it is ranked by);
    with ``by_spend`` (the warning list ranked by past spend) a third row to compare the rankings."""
    by = (warning.attrs.get("ranked_by") if warning is not None else None) or "CLV"
    names = {"CLV": "highest CLV", "total spend": "top past spenders"}
    lists = [
        ("potential: most expected purchases next quarter", potential),
        (f"warning: {names[by]} with P(alive) under {alive_below:g}", warning),
    ]
    if by_spend is not None and by != "total spend":
        lists.append((f"for comparison: top past spenders with P(alive) under {alive_below:g}", by_spend))
    rows = {}
    for name, table in lists:
        table = table if table is not None else pd.DataFrame()
        rows[name] = {
            "customers": len(table),
            **{
                column: round(float(table[column].sum()), 2) if column in table else np.nan
                for column in ("expected purchases next quarter", "total spend", "CLV")
            },
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "list (totals)"
    return out


IMPLIED_TOTAL = "total CLV if the model errs as on the holdout"  # a recorded figure of headline_figures


def headline_figures(
    validation: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    best: str,
    clv_facts: pd.Series,
    interval: tuple[float, float],
    at_risk: pd.Series | None = None,
    fits: dict[str, FitResult] | None = None,
    spend_corr=None,
    months: int | None = None,
    margin: float | None = None,
    annual_discount: float | None = None,
    revenue: pd.DataFrame | None = None,
    bootstrap: ClvBootstrap | None = None,
) -> dict:
    """What notebook 04 records: the CDNOW check, the model used (``"model trusted"``, which notebook 05
    reuses) with its holdout errors, the better baseline's MAE and how much higher it is than the lowest
    model's (the paired bootstrap interval of :func:`~lifecycle_utils.clv.prediction.holdout_comparison`),
    the models indistinguishable on the holdout and whether the data show no dropout (``fits`` given),
    the error of the predicted holdout revenue (``revenue``: ``clv.revenue_check``) with the total CLV
    it implies (:data:`IMPLIED_TOTAL`: the total divided by 1 + that error, were the model to err now as it
    did on the holdout; rounded to the dollar), the CLV horizon,
    margin and discount, total CLV with its 90% interval (``bootstrap``: the resamples refitted and
    whether the interval holds the estimate), concentration, the spend-frequency correlations
    (``spend_corr``: Pearson, or ``clv.spend_frequency_table`` for both), and the silent customers'
    predicted future margin (``at_risk`` from :func:`value_at_risk`, when the stage rules ran). Figures
    not given are not recorded."""
    from lifecycle_utils.clv.prediction import interval_columns, no_dropout

    is_base = comparison.index.str.startswith("baseline")
    baselines = comparison[is_base]["MAE"].astype(float)
    lo, hi = (float(v) for v in interval)
    finite = bool(np.isfinite([lo, hi]).all())
    total = float(clv_facts["total"])
    figures = {
        "published figures reproduced": f"{int(validation['match'].sum())} of {len(validation)}",
        "model trusted": best,
        f"{best} holdout total error (%)": float(comparison.loc[best, "total error (%)"]),
        f"{best} holdout MAE": float(comparison.loc[best, "MAE"]),
        "best baseline holdout MAE": float(baselines.min()) if len(baselines) else None,
    }
    columns = interval_columns(comparison)
    if columns is not None and len(baselines):
        row = comparison.loc[baselines.idxmin()]
        models = comparison[~is_base]["MAE"].astype(float)
        figures["lowest model holdout MAE"] = float(models.min())
        figures["best baseline MAE minus the lowest model's, 90% low"] = float(row[columns[0]])
        figures["best baseline MAE minus the lowest model's, 90% high"] = float(row[columns[1]])
    if fits is not None:
        figures["models indistinguishable on holdout MAE"] = ", ".join(indistinguishable(comparison, fits))
        figures["no dropout in the data (every model on a boundary)"] = "yes" if no_dropout(fits) else "no"
    if revenue is not None and best in revenue.index:
        figures[f"{best} holdout revenue error (%)"] = float(revenue.loc[best, "total error (%)"])
    if months is not None:
        figures["CLV horizon (months)"] = int(months)
    if margin is not None:
        figures["margin (%)"] = round(100 * float(margin), 2)
    if annual_discount is not None:
        figures["annual discount (%)"] = round(100 * float(annual_discount), 2)
    figures |= {
        "total CLV": total,
        "total CLV 90% lower": round(lo) if finite else None,
        "total CLV 90% upper": round(hi) if finite else None,
        "total CLV 90% interval within ± (%)": (
            round(100 * max(abs(lo - total), abs(hi - total)) / total, 2) if finite and total > 0 else None
        ),
    }
    error = figures.get(f"{best} holdout revenue error (%)")
    if error is not None and error > -100:
        figures[IMPLIED_TOTAL] = round(total / (1 + error / 100))
    if bootstrap is not None:
        figures["CLV bootstrap resamples refitted"] = int(bootstrap.refits)
        inside = bootstrap.contains_estimate
        figures["total CLV inside its interval"] = "n/a" if inside is None else "yes" if inside else "no"
    figures |= {
        "mean CLV": float(clv_facts["mean"]),
        "median CLV": float(clv_facts["median"]) if "median" in clv_facts else None,
        "top 10% share of CLV (%)": float(clv_facts.filter(like="top").iloc[0]),
    }
    if isinstance(spend_corr, pd.DataFrame):
        figures["spend-frequency correlation"] = float(spend_corr["correlation"].iloc[0])
        figures["spend-frequency rank correlation"] = float(spend_corr["correlation"].iloc[1])
    elif spend_corr is not None:
        figures["spend-frequency correlation"] = round(float(spend_corr), 3)
    if at_risk is not None:
        stage = at_risk.name or "silent"
        for figure, key in [
            (f"{stage} customers", "customers"),
            (f"{stage} customers' mean P(alive)", "mean P(alive)"),
            (f"{stage} customers' predicted future margin", FUTURE_MARGIN),
            (f"{stage} customers: most a contact can add", CONTACT_CEILING),
            (f"{stage} customers' last-year spend", "spend in the last year"),
        ]:
            if key in at_risk:
                figures[figure] = float(at_risk[key]) if key != "customers" else int(at_risk[key])
    return figures


def interval(draws: pd.Series, level: float = 0.90) -> tuple[float, float]:
    """Equal-tailed ``level`` percentile interval of bootstrap draws."""
    lo, hi = draws.quantile([(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def recent_spend(tx: pd.DataFrame, end, days: int = 365) -> pd.Series:
    """Spend per customer in the ``days`` up to and including ``end`` (0 for customers without any)."""
    end = pd.Timestamp(end)
    window = tx[(tx["date"] > end - pd.Timedelta(days=days)) & (tx["date"] <= end)]
    return window.groupby("customer_id")["amount"].sum().reindex(tx["customer_id"].unique(), fill_value=0.0)
