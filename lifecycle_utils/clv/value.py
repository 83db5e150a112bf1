"""Customer lifetime value in money: CLV per customer from a transaction model and Gamma-Gamma,
net value after cost, summaries by group, the bootstrap interval of the total, and the lists a team
acts on (silent customers' spend at risk, potential and early warning). Money is in the currency of
the data; the discount rate is per unit of time of the summary.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifecycle_utils._lifetimes import (
    GammaGammaFitter,
)
from lifecycle_utils.clv.fitting import FitResult, compress, fit_gamma_gamma, fit_model
from lifecycle_utils.clv.prediction import expected_purchases, indistinguishable, probability_alive
from lifecycle_utils.summary import customer_summary

__all__ = [
    "clv",
    "PredictedValue",
    "predicted_value",
    "net_value",
    "clv_summary",
    "NEGATIVE_SHARE",
    "net_value_summary",
    "clv_by",
    "bootstrap_total_clv",
    "example_customers",
    "value_at_risk",
    "WARNING_ALIVE_BELOW",
    "potential_and_warning",
    "list_totals",
    "headline_figures",
    "interval",
    "recent_spend",
]


# ---------------------------------------------------------------------------------------------- CLV
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
    ``margin``, discounted monthly at ``annual_discount``. Currency of the data."""
    f, r, t = frame["frequency"].to_numpy(float), frame["recency"].to_numpy(float), frame["T"].to_numpy(float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = np.asarray(
            spend.conditional_expected_average_profit(frame["frequency"], frame["monetary_value"]), float
        )
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    total = np.zeros(len(frame))
    previous = np.zeros(len(frame))
    for m in range(1, months + 1):
        cumulative = expected_purchases(fit, m * weeks_per_month, frequency=f, recency=r, T=t)
        total += (cumulative - previous) * value * margin / (1 + monthly) ** m
        previous = cumulative
    return pd.Series(total, index=frame.index, name=f"CLV {months} months")


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


def bootstrap_total_clv(
    name: str,
    frame: pd.DataFrame,
    *,
    spend: GammaGammaFitter,
    reps: int = 30,
    seed: int = 0,
    months: int = 12,
    **clv_args,
) -> pd.Series:
    """Parameter uncertainty of total CLV by a customer bootstrap: resample customers (as multinomial
    weights on the compressed rows, so each refit is as fast as one fit), refit the transaction model,
    recompute total CLV with the spend model held fixed. Returns the bootstrap totals."""
    data = compress(frame)
    rng = np.random.default_rng(seed)
    totals = []
    n = int(data["weight"].sum())
    for _ in range(reps):
        weights = rng.multinomial(n, data["weight"] / n)
        sample = data.assign(weight=weights)[weights > 0]
        fit = fit_model(name, sample, penalizers=(0.0,), starts=(None,))
        if fit.model is not None:
            totals.append(float(clv(fit, spend, frame=frame, months=months, **clv_args).sum()))
    return pd.Series(totals, name="total CLV")


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


def value_at_risk(
    values: pd.Series, p_alive: pd.Series, *, past_spend: pd.Series, labels: pd.Series, stage: str = "silent"
) -> pd.Series:
    """For the customers labelled ``stage``: how many, their expected CLV (what a reactivation
    protects), their spend in the last year, and that spend weighted by their probability of being
    gone, ``sum(past spend x (1 - P(alive)))`` (the revenue at risk)."""
    m = labels.reindex(values.index).astype(str) == stage
    return pd.Series(
        {
            "customers": int(m.sum()),
            "expected CLV": round(float(values[m].sum()), 0),
            "spend in the last year": round(float(past_spend.reindex(values.index)[m].sum()), 0),
            "last-year spend at risk": round(
                float((past_spend.reindex(values.index) * (1 - p_alive.reindex(values.index)))[m].sum()), 0
            ),
        },
        name=stage,
    )


WARNING_ALIVE_BELOW = 0.5  # the early-warning list: customers whose P(alive) is below this ("probably gone")


def potential_and_warning(
    frame: pd.DataFrame,
    fit: FitResult,
    *,
    values: pd.Series,
    horizon: float = 13.0,
    top: int = 10,
    alive_below: float = WARNING_ALIVE_BELOW,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """潜力预测 and 流失预警 side by side: the ``top`` customers by expected purchases in the next
    ``horizon`` periods (a quarter: 13 weeks), and the ``top`` by past total spend among those whose
    P(alive) is below ``alive_below``."""
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
        .sort_values("total spend", ascending=False, kind="stable")
        .head(top)
    )
    return potential, warning


def list_totals(
    potential: pd.DataFrame, warning: pd.DataFrame, *, alive_below: float = WARNING_ALIVE_BELOW
) -> pd.DataFrame:
    """The totals of the two lists of :func:`potential_and_warning`: customers, expected purchases next
    quarter, past total spend and CLV, one row per list."""
    rows = {}
    for name, table in (
        ("potential: most expected purchases next quarter", potential),
        (f"warning: top past spenders with P(alive) under {alive_below:g}", warning),
    ):
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


def headline_figures(
    validation: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    best: str,
    clv_facts: pd.Series,
    interval: tuple[float, float],
    at_risk: pd.Series | None = None,
    fits: dict[str, FitResult] | None = None,
    spend_corr: float | None = None,
    months: int | None = None,
    margin: float | None = None,
    annual_discount: float | None = None,
) -> dict:
    """What notebook 04 records: the CDNOW check, the model used (``"model trusted"``, which notebook 05
    reuses) with its holdout errors, the better baseline's MAE and the models indistinguishable from it
    on the holdout (``fits`` given), the CLV horizon, margin and discount, total CLV with its 90%
    interval, concentration, the spend-frequency correlation, and the silent customers' spend at risk
    (``at_risk`` from :func:`value_at_risk`, when the stage rules ran). Figures not given are not
    recorded."""
    baselines = comparison[comparison.index.str.startswith("baseline")]["MAE"].astype(float)
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
    if fits is not None:
        figures["models indistinguishable on holdout MAE"] = ", ".join(indistinguishable(comparison, fits))
    if months is not None:
        figures["CLV horizon (months)"] = int(months)
    if margin is not None:
        figures["margin (%)"] = round(100 * float(margin), 2)
    if annual_discount is not None:
        figures["annual discount (%)"] = round(100 * float(annual_discount), 2)
    figures |= {
        "total CLV": total,
        "total CLV 90% interval": f"{lo:,.0f} to {hi:,.0f}" if finite else "n/a",
        "total CLV 90% interval within ± (%)": (
            round(100 * max(abs(lo - total), abs(hi - total)) / total, 2) if finite and total > 0 else None
        ),
        "mean CLV": float(clv_facts["mean"]),
        "median CLV": float(clv_facts["median"]) if "median" in clv_facts else None,
        "top 10% share of CLV (%)": float(clv_facts.filter(like="top").iloc[0]),
    }
    if spend_corr is not None:
        figures["spend-frequency correlation"] = round(float(spend_corr), 3)
    if at_risk is not None:
        stage = at_risk.name or "silent"
        for figure, key in [
            (f"{stage} customers", "customers"),
            (f"{stage} customers' last-year spend", "spend in the last year"),
            (f"{stage} customers' last-year spend at risk", "last-year spend at risk"),
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
