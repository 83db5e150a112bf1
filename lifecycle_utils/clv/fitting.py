"""Fitting the transaction models (BG/NBD, Pareto/NBD, MBG/NBD) and the Gamma-Gamma spend model
through lifetimes, with the checks lifetimes does not make: convergence, parameters on a boundary,
floods of RuntimeWarnings, documented fallbacks, the total log-likelihood and Hessian standard errors.

Time is in the unit of the summary (weeks of 7 days by default): ``frequency`` = repeat purchase
occasions, ``recency`` and ``T`` in weeks (see :mod:`lifecycle_utils.summary`).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecycle_utils._lifetimes import (
    BetaGeoFitter,
    ConvergenceError,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
)
from lifecycle_utils.pareto_nbd import FastParetoNBDFitter, ParetoNBDLikelihood

__all__ = [
    "MODELS",
    "BOUNDARY_LOW",
    "BOUNDARY_HIGH",
    "compress",
    "FitResult",
    "total_negative_log_likelihood",
    "polish",
    "SCALE_PARAMS",
    "fit_model",
    "fit_models",
    "fitted",
    "fit_report",
    "fit_gamma_gamma",
    "SPEND_MEAN",
    "spend_model_table",
    "spend_frequency_correlation",
    "calibration_frame",
    "hessian_standard_errors",
    "standard_errors",
    "standard_error_table",
]

# Pareto/NBD: lifetimes' class with our search (lifecycle_utils.pareto_nbd): about 10x faster, tighter optimum
MODELS = {"BG/NBD": BetaGeoFitter, "Pareto/NBD": FastParetoNBDFitter, "MBG/NBD": ModifiedBetaGeoFitter}


BOUNDARY_LOW = 1e-5


BOUNDARY_HIGH = 1e4


# ------------------------------------------------------------------------------------------- fitting
def compress(frame: pd.DataFrame, columns=("frequency", "recency", "T")) -> pd.DataFrame:
    """Unique rows of ``columns`` with a ``weight`` column counting the customers behind each: the
    likelihood of the Fader-Hardie models depends on nothing else, so fitting on it gives the same
    parameters as fitting on every customer."""
    cols = list(columns)
    return frame.groupby(cols, sort=True).size().rename("weight").reset_index()


@dataclass
class FitResult:
    """A fitted model (or a failure), with what was tried and why this fit was kept."""

    name: str
    model: object | None
    params: pd.Series
    log_likelihood: float
    converged: bool
    attempts: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.model is not None and self.converged


def total_negative_log_likelihood(name: str, log_params, data: pd.DataFrame) -> float:
    """The exact negative log-likelihood of a transaction model, summed over customers (``weight``
    per row), in the data's own time unit: lifetimes' private per-model likelihood functions
    evaluated on unscaled data (lifetimes fits on rescaled time and keeps a *mean*, so its stored
    value is not the published number)."""
    f, r, t, w = (data[c].to_numpy(float) for c in ("frequency", "recency", "T", "weight"))
    log_params = np.asarray(log_params, float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "Pareto/NBD":
            params = np.exp(log_params)
            # ours, not lifetimes' _conditional_log_likelihood: equal where that is finite, and finite
            # where it returns NaN (recency == T with many repeats)
            value = -float(np.sum(w * ParetoNBDLikelihood(f, r, t)(params)))
        else:
            value = float(MODELS[name]._negative_log_likelihood(log_params, f, r, t, w, 0.0) * w.sum())
    return value if np.isfinite(value) else np.inf


def polish(name: str, model, data: pd.DataFrame) -> float:
    """Refine a fit to the exact maximum of :func:`total_negative_log_likelihood` (Nelder-Mead in log
    parameters, tight tolerances), so that fits on all customers and on the compressed rows agree to
    1e-6, and set ``model.params_``. Returns the total log-likelihood."""
    from scipy.optimize import minimize

    x0 = np.log(model.params_.to_numpy(float))
    simplex = np.vstack([x0, x0 + 1e-3 * np.eye(len(x0))])  # start next to lifetimes' optimum
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(
            lambda x: total_negative_log_likelihood(name, x, data),
            x0,
            method="Nelder-Mead",
            options={
                "xatol": 1e-9,
                "fatol": 1e-9,
                "maxiter": 4000,
                "maxfev": 4000,
                "initial_simplex": simplex,
            },
        )
    if np.isfinite(result.fun) and result.fun <= total_negative_log_likelihood(name, x0, data) + 1e-9:
        model.params_ = pd.Series(np.exp(result.x), index=model.params_.index)
    return -total_negative_log_likelihood(name, np.log(model.params_.to_numpy(float)), data)


SCALE_PARAMS = {"alpha", "beta"}  # in units of time; the others are unit-free shapes


def _boundary(params: pd.Series, time_scale: float = 1.0) -> list[str]:
    """Parameters at a boundary: shapes outside (1e-5, 1e4); scale parameters (alpha, beta) outside
    that range relative to ``time_scale`` (the median customer age), so the time unit does not matter."""
    out = []
    for k, v in params.items():
        rel = v / time_scale if k in SCALE_PARAMS else v
        if rel < BOUNDARY_LOW or rel > BOUNDARY_HIGH:
            out.append(f"{k}={v:.3g}")
    return out


def _attempt(
    cls, data: pd.DataFrame, penalizer: float, initial, time_scale: float = 1.0
) -> tuple[object | None, str, int]:
    """One fit; returns (model or None, problem text or "", RuntimeWarnings seen)."""
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        # lifetimes prints the whole scipy result when a fit does not converge: keep it out of reports
        warnings.simplefilter("always", RuntimeWarning)
        try:
            model = cls(penalizer_coef=penalizer).fit(
                data["frequency"], data["recency"], data["T"], weights=data["weight"], initial_params=initial
            )
        except ConvergenceError as err:
            return None, f"did not converge ({str(err).strip().splitlines()[0][:80]})", len(caught)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as err:
            return None, f"failed ({type(err).__name__}: {str(err)[:80]})", len(caught)
    n_warn = sum(issubclass(w.category, RuntimeWarning) for w in caught)
    if not np.all(np.isfinite(model.params_.to_numpy(float))):
        return None, "non-finite parameters", n_warn
    edge = _boundary(model.params_, time_scale)
    if edge:
        return model, f"parameter on a boundary ({', '.join(edge)})", n_warn
    return model, "", n_warn


def fit_model(
    name: str,
    frame: pd.DataFrame,
    *,
    penalizers=(0.0, 0.001, 0.01),
    starts=(None, "data"),
    compressed: bool = True,
    refine: bool = False,
) -> FitResult:
    """Fit one transaction model (``"BG/NBD"``, ``"Pareto/NBD"``, ``"MBG/NBD"``) on a summary with
    ``frequency``, ``recency``, ``T`` (compressed first), robustly.

    Attempts, in order, until one converges with every parameter inside (1e-5, 1e4) (alpha and beta
    relative to the median customer age): for each penalizer in ``penalizers`` (0 = the plain maximum
    likelihood fit; a small L2 penalty keeps parameters off the boundary), lifetimes' default start and
    a start from the data's mean rate; then all of that again in another unit of time (the median
    customer age rescaled to 10 units, parameters scaled back).
    RuntimeWarnings raised inside lifetimes/autograd during the fit are captured and counted, never
    printed. The first clean attempt is kept; if none is clean, the last model that converged is kept
    with ``converged=False`` and the note says why. Nothing is raised: a notebook carries on with
    the models that fitted.
    """
    if "weight" in frame:
        data = frame
    elif compressed:
        data = compress(frame)
    else:
        data = frame[["frequency", "recency", "T"]].assign(weight=1)
    tried: list[str] = []
    state: dict = {}  # the last model that converged, even if on a boundary
    result = _fit_chain(name, data, penalizers, starts, tried, state, unit=1.0)
    if result is None:
        # another unit of time: rescale so the median customer age is 10 units, fit, scale back
        unit = 10.0 / max(float(np.median(data["T"])), 1e-9)
        if not np.isclose(unit, 1.0, rtol=0.5):
            result = _fit_chain(
                name,
                data.assign(recency=data["recency"] * unit, T=data["T"] * unit),
                penalizers,
                starts,
                tried,
                state,
                unit=unit,
            )
    if result is not None:
        model, label, penalizer = result
        first_clean = len(tried) == 1
        note = (
            "plain maximum likelihood"
            if first_clean
            else f"kept the fit with {label} after: " + "; ".join(tried[:-1])
        )
        ll = (
            polish(name, model, data)
            if penalizer == 0 and refine
            else -total_negative_log_likelihood(name, np.log(model.params_.to_numpy(float)), data)
        )
        return FitResult(name, model, model.params_.copy(), ll, True, tried, note)
    fallback = state.get("last_model")
    if fallback is not None:
        ll = -total_negative_log_likelihood(name, np.log(fallback.params_.to_numpy(float)), data)
        return FitResult(
            name,
            fallback,
            fallback.params_.copy(),
            ll,
            False,
            tried,
            "no clean fit; kept the last converged one on a boundary: " + "; ".join(tried),
        )
    return FitResult(
        name, None, pd.Series(dtype=float), float("nan"), False, tried, "no fit: " + "; ".join(tried)
    )


def _fit_chain(name: str, data: pd.DataFrame, penalizers, starts, tried: list[str], state: dict, unit: float):
    """Walk penalizers x starts on ``data`` (time multiplied by ``unit``); return (model with params
    in the original unit, label, penalizer) for the first clean fit, else None (the last converged
    model is left in ``state["last_model"]``)."""
    cls = MODELS[name]
    time_scale = float(np.median(data["T"]))
    rate = float(np.average(data["frequency"] / np.maximum(data["T"], 1e-9), weights=data["weight"]))
    unit_text = "" if unit == 1.0 else f", time x {unit:.3g}"
    for penalizer in penalizers:
        for start in starts:
            # lifetimes starts Pareto/NBD from np.random.normal(1, 0.05) when given no start: not
            # reproducible, so the default start is made explicit (the same point without the noise)
            initial = np.ones(4) if name == "Pareto/NBD" else None
            if start == "data":
                initial = np.array([1.0, 1.0 / max(rate, 1e-3), 1.0, 1.0])
            model, problem, n_warn = _attempt(cls, data, penalizer, initial, time_scale)
            label = (
                f"penalizer {penalizer:g}, start {'default' if start is None else 'from the data'}{unit_text}"
            )
            extra = f"; {n_warn} RuntimeWarnings captured" if n_warn else ""
            if model is not None and unit != 1.0:
                model.params_ = pd.Series(
                    {k: v / unit if k in SCALE_PARAMS else v for k, v in model.params_.items()}
                )
            if model is not None and not problem:
                tried.append(f"{label}: ok{extra}")
                return model, label, penalizer
            tried.append(f"{label}: {problem}{extra}")
            if model is not None:
                state["last_model"] = model
    return None


def fit_models(frame: pd.DataFrame, names=tuple(MODELS)) -> dict[str, FitResult]:
    """:func:`fit_model` for each model name."""
    return {name: fit_model(name, frame) for name in names}


def fitted(fits: dict[str, FitResult]) -> list[str]:
    """The names of the models that fitted cleanly (converged, no parameter on a boundary): the columns
    of the prediction tables. A boundary fit's predictions are not shown as results (often infinite)."""
    return [name for name, fit in fits.items() if fit.ok]


def fit_report(fits: dict[str, FitResult]) -> pd.DataFrame:
    """One row per model: fitted or not, log-likelihood, parameters, and which fit was kept and why."""
    rows = []
    for name, fit in fits.items():
        rows.append(
            {
                "model": name,
                "fitted": "yes" if fit.ok else ("on a boundary" if fit.model else "no"),
                "log-likelihood": round(fit.log_likelihood, 2),
                "parameters": ", ".join(f"{k} {v:.4g}" for k, v in fit.params.items()),
                "note": fit.note,
            }
        )
    return pd.DataFrame(rows).set_index("model")


def fit_gamma_gamma(
    summary_frame: pd.DataFrame, frequency_col: str = "frequency", monetary_col: str = "monetary_value"
) -> GammaGammaFitter:
    """Gamma-Gamma spend model on customers with at least one repeat occasion and a positive mean
    repeat spend (repeat occasions of $0, e.g. free items, cannot come from a gamma distribution; they
    are left out of the fit). Its assumption: the mean repeat spend is independent of frequency; check
    with :func:`spend_frequency_correlation`."""
    repeaters = summary_frame[(summary_frame[frequency_col] > 0) & (summary_frame[monetary_col] > 0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return GammaGammaFitter().fit(repeaters[frequency_col], repeaters[monetary_col])


SPEND_MEAN = "implied mean spend per purchase, p v / (q - 1)"


def spend_model_table(spend_model) -> pd.DataFrame:
    """The fitted Gamma-Gamma parameters (``p``, ``q``, ``v``; of a fitted ``GammaGammaFitter`` or its
    ``params_``) and the mean spend per purchase across customers they imply, ``p v / (q - 1)`` (NaN
    when ``q`` is at most 1: the mean is then infinite)."""
    params = getattr(spend_model, "params_", spend_model)
    p, q, v = (float(params[k]) for k in ("p", "q", "v"))
    mean = p * v / (q - 1) if q > 1 else np.nan
    table = pd.DataFrame(
        {"estimate": [round(p, 3), round(q, 3), round(v, 3), round(mean, 2)]},
        index=pd.Index(["p", "q", "v", SPEND_MEAN], name="spend model (Gamma-Gamma)"),
    )
    return table


def spend_frequency_correlation(summary_frame: pd.DataFrame) -> float:
    """Pearson correlation of repeat frequency and mean repeat spend among repeat customers (near 0
    supports the Gamma-Gamma independence assumption)."""
    rep = summary_frame[summary_frame["frequency"] > 0]
    return float(np.corrcoef(rep["frequency"], rep["monetary_value"])[0, 1])


def calibration_frame(split: pd.DataFrame) -> pd.DataFrame:
    """The calibration columns of a :func:`lifecycle_utils.summary.calibration_holdout` split under the
    names the models take: ``frequency``, ``recency``, ``T``, ``monetary_value``."""
    return split.rename(
        columns={
            "frequency_cal": "frequency",
            "recency_cal": "recency",
            "T_cal": "T",
            "monetary_value_cal": "monetary_value",
        }
    )[["frequency", "recency", "T", "monetary_value"]]


def hessian_standard_errors(
    name: str, params: pd.Series, frame: pd.DataFrame, step: float = 1e-4
) -> pd.Series:
    """Standard errors of a transaction model's parameters (natural scale) from the inverse of the
    Hessian of :func:`total_negative_log_likelihood` at ``params`` on ``frame`` (``frequency``,
    ``recency``, ``T``, optional ``weight``), by central differences with steps of ``step`` x each
    parameter. Valid at the maximum of the likelihood; NaN where the Hessian is not positive definite
    (a boundary fit). On the CDNOW sample (39-week calibration) the Pareto/NBD values equal CLVTools'
    published ones (r 0.0476, alpha 0.8427, s 0.1873, beta 6.2105)."""
    data = frame if "weight" in frame else compress(frame)
    theta = params.to_numpy(float)

    def f(x: np.ndarray) -> float:
        return total_negative_log_likelihood(name, np.log(x), data)

    n, h = len(theta), step * np.abs(theta)
    hessian = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            di, dj = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
            value = (f(theta + di + dj) - f(theta + di - dj) - f(theta - di + dj) + f(theta - di - dj)) / (
                4 * h[i] * h[j]
            )
            hessian[i, j] = hessian[j, i] = value
    nan = pd.Series(np.nan, index=params.index)
    if not np.isfinite(hessian).all() or np.any(np.linalg.eigvalsh(hessian) <= 0):
        return nan
    return pd.Series(np.sqrt(np.diag(np.linalg.inv(hessian))), index=params.index)


def standard_errors(fit: FitResult, frame: pd.DataFrame | None = None) -> pd.Series:
    """Standard errors of the parameters: lifetimes' Hessian where it gives them (BG/NBD, MBG/NBD);
    for Pareto/NBD, where lifetimes gives none, :func:`hessian_standard_errors` on ``frame`` (the data
    of the fit). NaN without a model, or for Pareto/NBD without ``frame``."""
    if fit.model is None:
        return pd.Series(np.nan, index=fit.params.index)
    if fit.name == "Pareto/NBD":
        if frame is None:
            return pd.Series(np.nan, index=fit.params.index)
        return hessian_standard_errors(fit.name, fit.params, frame)
    try:
        return pd.Series(np.asarray(fit.model.standard_errors_, float), index=fit.params.index)
    except (AttributeError, TypeError, ValueError):
        return pd.Series(np.nan, index=fit.params.index)


def standard_error_table(fits: dict[str, FitResult], frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Parameters and their Hessian standard errors for each fitted model (``frame``: the data of the
    fits, needed for Pareto/NBD; NaN where none can be computed), also as a percentage of the estimate's
    absolute value, one row per model and parameter."""
    rows = []
    for name, fit in fits.items():
        if fit.model is None:
            continue
        se = standard_errors(fit, frame)
        for k, v in fit.params.items():
            rows.append(
                {
                    "model": name,
                    "parameter": k,
                    "estimate": round(float(v), 4),
                    "standard error": round(float(se[k]), 4) if np.isfinite(se[k]) else np.nan,
                    "standard error (% of estimate)": (
                        round(100 * float(se[k]) / abs(float(v)), 1) if np.isfinite(se[k]) and v else np.nan
                    ),
                }
            )
    return pd.DataFrame(rows).set_index(["model", "parameter"])
