"""Fitting the transaction models (BG/NBD, Pareto/NBD, MBG/NBD) and the Gamma-Gamma spend model
through lifetimes, with the checks lifetimes does not make: convergence, parameters on a boundary,
floods of RuntimeWarnings, documented fallbacks, the total log-likelihood and Hessian standard errors;
the NBD model (no dropout), the identified fallback when every model puts its dropout at 0; and warm
refits on reweighted rows (the customer bootstrap).

Time is in the unit of the summary (weeks of 7 days by default): ``frequency`` = repeat purchase
occasions, ``recency`` and ``T`` in weeks (see :mod:`lifecycle_utils.summary`).
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln
from scipy.stats import pearsonr, spearmanr

from lifecycle_utils._lifetimes import (
    BetaGeoFitter,
    ConvergenceError,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
)
from lifecycle_utils.measures import central_differences, positive_definite
from lifecycle_utils.pareto_nbd import FastParetoNBDFitter, ParetoNBDLikelihood

__all__ = [
    "MODELS",
    "NBD",
    "NBDFitter",
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
    "SPEND_PENALIZERS",
    "SPEND_MEAN",
    "spend_model_table",
    "spend_frequency_correlation",
    "spend_frequency_table",
    "weighted_objective",
    "log_hessian",
    "refit",
    "spend_objective",
    "refit_spend",
    "calibration_frame",
    "hessian_standard_errors",
    "standard_errors",
    "standard_error_table",
]

# Pareto/NBD: lifetimes' class with our search (lifecycle_utils.pareto_nbd): about 10x faster, tighter optimum
MODELS = {"BG/NBD": BetaGeoFitter, "Pareto/NBD": FastParetoNBDFitter, "MBG/NBD": ModifiedBetaGeoFitter}


BOUNDARY_LOW = 1e-5


BOUNDARY_HIGH = 1e4


# ------------------------------------------------------------------------------ the NBD fallback
NBD = "NBD (no dropout)"


class NBDFitter:
    """The NBD model (Ehrenberg 1959): each customer buys at a Poisson rate drawn from Gamma(``r``,
    ``alpha``) and never leaves. It is the limit every dropout model reaches when its dropout goes to 0
    (BG/NBD and MBG/NBD as ``a`` -> 0, Pareto/NBD as ``s`` -> 0), so on data that shows no dropout it is
    the model their boundary fits tend to, with two parameters the data identify. Same interface as the
    lifetimes fitters that the package calls: ``fit(frequency, recency, T, weights=, initial_params=)``
    (``initial_params`` on the natural scale, in the data's time unit), ``params_``, and the prediction
    methods; time in the unit of the data. Raises lifetimes' ``ConvergenceError`` when the search fails.

    Likelihood of a customer with ``x`` repeat purchases by age ``T`` (the timing terms that do not
    depend on the parameters left out): ``Gamma(r + x) / Gamma(r) alpha^r / (alpha + T)^(r + x)``."""

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = float(penalizer_coef)
        self.params_ = pd.Series(dtype=float)

    @staticmethod
    def _negative_log_likelihood(log_params, freq, rec, T, weights, penalizer_coef):
        """Mean negative log-likelihood per unit of weight, plus ``penalizer_coef x sum(params^2)`` (as
        lifetimes writes its objectives)."""
        r, alpha = np.exp(np.asarray(log_params, float)[:2])
        x, age, w = (np.asarray(v, float) for v in (freq, T, weights))
        ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + age)
        return -float((w * ll).sum()) / w.sum() + penalizer_coef * (r**2 + alpha**2)

    def fit(self, frequency, recency, T, weights=None, initial_params=None, **_):
        f, rec, age = (np.asarray(v, float) for v in (frequency, recency, T))
        w = np.ones_like(f) if weights is None else np.asarray(weights, float)
        scale = 1.0 / age.max()  # as lifetimes does: fit on time scaled to a maximum age of 1
        start = np.ones(2) if initial_params is None else np.asarray(initial_params, float)[:2]
        x0 = np.log(start * np.array([1.0, scale]))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            objective = lambda x: self._negative_log_likelihood(  # noqa: E731
                x, f, rec * scale, age * scale, w, self.penalizer_coef
            )
            result = minimize(objective, x0, method="BFGS", options={"gtol": 1e-8, "maxiter": 500})
        flat = np.isfinite(result.fun) and np.max(np.abs(result.jac)) < 1e-5
        if not (result.success or flat):
            raise ConvergenceError(f"The NBD search did not converge ({result.message}).")
        r, alpha = np.exp(result.x)
        self.params_ = pd.Series({"r": r, "alpha": alpha / scale})
        return self

    def _rates(self):
        return float(self.params_["r"]), float(self.params_["alpha"])

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """``(r + x) / (alpha + T) x t``: the posterior mean rate times the time."""
        r, alpha = self._rates()
        return (r + np.asarray(frequency, float)) / (alpha + np.asarray(T, float)) * t

    def conditional_probability_alive(self, frequency, recency, T):
        """1: nobody leaves in this model."""
        return np.ones(np.broadcast(np.asarray(frequency), np.asarray(recency), np.asarray(T)).shape)

    def expected_number_of_purchases_up_to_time(self, t):
        r, alpha = self._rates()
        return r / alpha * np.asarray(t, float)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """The negative binomial:
        ``Gamma(r + n) / (Gamma(r) n!) (alpha / (alpha + t))^r (t / (alpha + t))^n``."""
        r, alpha = self._rates()
        log_p = (
            gammaln(r + n)
            - gammaln(r)
            - gammaln(n + 1.0)
            + r * np.log(alpha / (alpha + t))
            + (n * np.log(t / (alpha + t)) if n else 0.0)
        )
        return float(np.exp(log_p))


FALLBACKS = {NBD: NBDFitter}  # fitted only when every model of MODELS puts its dropout at 0


def _model_class(name: str):
    return MODELS[name] if name in MODELS else FALLBACKS[name]


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
    penalizer: float = 0.0  # of the kept fit (0: plain maximum likelihood)
    # the parameters the plain maximum-likelihood fit (no penalty) left on a boundary, e.g. {"a": 2.7e-09};
    # when no fit is clean and that fit never converged, those of the first penalized fit on a boundary
    # (even with a penalty the parameter went there); empty when the fit landed inside
    mle_boundary: dict = field(default_factory=dict)
    # set by ``clv.fallback_fits``: the fit converged inside, but sees no customer leaving, and is replaced
    no_dropout: bool = False

    @property
    def ok(self) -> bool:
        return self.model is not None and self.converged

    @property
    def dropout_at_zero(self) -> bool:
        """Whether the maximum-likelihood fit put the dropout on its no-dropout edge: ``a`` (BG/NBD,
        MBG/NBD) or ``s`` (Pareto/NBD) at 0, or ``b`` or ``beta`` at infinity. The data then show no
        sign of customers leaving, and the model cannot tell the purchase rate from the dropout."""
        return any(
            (k in ("a", "s") and v < 1) or (k in ("b", "beta") and v > 1)
            for k, v in self.mle_boundary.items()
        )


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
            value = float(_model_class(name)._negative_log_likelihood(log_params, f, r, t, w, 0.0) * w.sum())
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


def _boundary_values(params: pd.Series, time_scale: float = 1.0) -> dict:
    """Parameters at a boundary, with their values: shapes outside (1e-5, 1e4); scale parameters (alpha,
    beta) outside that range relative to ``time_scale`` (the median customer age), so the time unit does
    not matter."""
    out = {}
    for k, v in params.items():
        rel = v / time_scale if k in SCALE_PARAMS else v
        if rel < BOUNDARY_LOW or rel > BOUNDARY_HIGH:
            out[str(k)] = float(v)
    return out


def _boundary(params: pd.Series, time_scale: float = 1.0) -> list[str]:
    """:func:`_boundary_values` as text, ``["a=2.7e-09"]``."""
    return [f"{k}={v:.3g}" for k, v in _boundary_values(params, time_scale).items()]


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
    One stop before the end: when every plain maximum-likelihood attempt (penalizer 0, each start)
    converged with the dropout shape at 0 (``a`` or ``s`` below 1e-5: the data show no sign of customers
    leaving), the rest is skipped, since a penalty could only set the dropout by fiat
    (:func:`_stop_reason`); the note says so.
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
    # another unit of time if no fit is clean: the median customer age rescaled to 10 units, scaled back
    unit = 10.0 / max(float(np.median(data["T"])), 1e-9)
    another = not np.isclose(unit, 1.0, rtol=0.5)
    then = " and another unit of time" if another else ""
    result = _fit_chain(name, data, penalizers, starts, tried, state, unit=1.0, then=then)
    if result is None and "stopped" not in state:
        if another:
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
        return FitResult(
            name,
            model,
            model.params_.copy(),
            ll,
            True,
            tried,
            note,
            penalizer=float(penalizer),
            mle_boundary=state.get("mle_boundary", {}),
        )
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
            "no clean fit; kept the last converged one on a boundary: "
            + "; ".join(tried + ([state["stopped"]] if "stopped" in state else [])),
            penalizer=float(state.get("last_penalizer", 0.0)),
            mle_boundary=state.get("mle_boundary", state.get("any_boundary", {})),
        )
    return FitResult(
        name,
        None,
        pd.Series(dtype=float),
        float("nan"),
        False,
        tried,
        "no fit: " + "; ".join(tried),
        mle_boundary=state.get("mle_boundary", state.get("any_boundary", {})),
    )


DROPOUT_SHAPES = ("a", "s")  # BG/NBD and MBG/NBD's a, Pareto/NBD's s: at 0, nobody leaves


def _stop_reason(edges: list[dict | None], skipped: str) -> str | None:
    """Why the attempts after the plain maximum-likelihood ones (``edges``: per start, the parameters
    its fit left on a boundary, None when it did not converge) are skipped, or None to go on: every
    start converged with a dropout shape (:data:`DROPOUT_SHAPES`) at 0, so the likelihood is highest
    where nobody leaves. A penalty (``penalizer x sum(params^2)``) adds nothing the data say: it pulls the
    shape further towards 0 and ``beta`` or ``b`` in from infinity, and at most lands the shape just inside
    the bounds (``s`` 2e-5 with ``beta`` 0.5 on 100,000 simulated customers who never leave), a dropout
    set by the penalty; that is what the NBD fallback (``clv.fallback_fits``) is for. Not covered, so
    still tried: a start that did not converge, and a scale ``b`` or ``beta`` at infinity with the shape
    inside (a penalized fit is then kept, saying so). Another unit of time only rescales ``alpha`` and
    ``beta``: the same maximum."""
    shapes = [{k: v for k, v in (e or {}).items() if k in DROPOUT_SHAPES and v < BOUNDARY_LOW} for e in edges]
    if not all(shapes):
        return None
    found = ", ".join(f"{k}={v:.3g}" for k, v in shapes[0].items())
    return (
        f"then stopped: every plain maximum-likelihood fit put the dropout at 0 ({found}), so the data show "
        f"no customer leaving and a penalty could only set the dropout by fiat; skipped {skipped}"
    )


def _fit_chain(
    name: str,
    data: pd.DataFrame,
    penalizers,
    starts,
    tried: list[str],
    state: dict,
    unit: float,
    then: str = "",
):
    """Walk penalizers x starts on ``data`` (time multiplied by ``unit``); return (model with params
    in the original unit, label, penalizer) for the first clean fit, else None (the last converged
    model is left in ``state["last_model"]``, the parameters the first plain maximum-likelihood fit left
    on a boundary in ``state["mle_boundary"]``, those of the first fit on a boundary in
    ``state["any_boundary"]``). When every plain maximum-likelihood attempt puts the dropout at 0, the
    walk stops there and ``state["stopped"]`` says why (:func:`_stop_reason`; ``then``: what the caller
    would have tried next, " and another unit of time")."""
    cls = _model_class(name)
    time_scale = float(np.median(data["T"]))
    rate = float(np.average(data["frequency"] / np.maximum(data["T"], 1e-9), weights=data["weight"]))
    unit_text = "" if unit == 1.0 else f", time x {unit:.3g}"
    plain: list[dict | None] = []  # what each plain maximum-likelihood attempt left on a boundary
    for penalizer in penalizers:
        if penalizer != 0 and plain:
            rest = [f"{p:g}" for p in penalizers if p != 0]
            skipped = f"penalizer{'s' if len(rest) > 1 else ''} {', '.join(rest)}"
            reason = _stop_reason(plain, skipped + then)
            if reason:
                state["stopped"] = reason
                return None
            plain = []
        for start in starts:
            # lifetimes starts Pareto/NBD from np.random.normal(1, 0.05) when given no start: not
            # reproducible, so the default start is made explicit (the same point without the noise)
            initial = np.ones(4) if name == "Pareto/NBD" else None
            if start == "data":
                initial = np.array([1.0, 1.0 / max(rate, 1e-3), 1.0, 1.0])
            if name in FALLBACKS and initial is not None:
                initial = initial[:2]  # (r, alpha)
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
            edge = None
            if model is not None and problem.startswith("parameter on a boundary"):
                edge = _boundary_values(model.params_, time_scale / unit)
                state.setdefault("any_boundary", edge)
                if penalizer == 0:
                    state.setdefault("mle_boundary", edge)
            if penalizer == 0:
                plain.append(edge)
            if model is not None:
                state["last_model"], state["last_penalizer"] = model, penalizer
    return None


def fit_models(frame: pd.DataFrame, names=tuple(MODELS)) -> dict[str, FitResult]:
    """:func:`fit_model` for each model name."""
    return {name: fit_model(name, frame) for name in names}


def fitted(fits: dict[str, FitResult]) -> list[str]:
    """The names of the models that fitted cleanly (converged, no parameter on a boundary): the columns
    of the prediction tables. A boundary fit's predictions are not shown as results (often infinite)."""
    return [name for name, fit in fits.items() if fit.ok]


def _mle_words(fit: FitResult) -> str:
    if fit.mle_boundary:
        edge = ", ".join(f"{k}={v:.3g}" for k, v in fit.mle_boundary.items())
        return f"on a boundary ({edge}){': no dropout' if fit.dropout_at_zero else ''}"
    if fit.no_dropout:
        return fit.note
    return "inside" if fit.ok and fit.penalizer == 0 else "no clean fit"


def fit_report(fits: dict[str, FitResult]) -> pd.DataFrame:
    """One row per model: fitted or not ("yes", "on a boundary", "no dropout" when replaced by
    ``clv.fallback_fits``, "no"), where the plain maximum-likelihood fit landed (``maximum likelihood``:
    "inside", "on a boundary (a=2.7e-09): no dropout" when the dropout went to 0, why a fit inside sees no
    dropout, or "no clean fit"), the ``penalizer`` of the kept fit, log-likelihood, parameters, and which
    fit was kept and why."""
    rows = []
    for name, fit in fits.items():
        rows.append(
            {
                "model": name,
                "fitted": (
                    "yes"
                    if fit.ok
                    else "no dropout"
                    if fit.no_dropout
                    else "on a boundary"
                    if fit.model
                    else "no"
                ),
                "maximum likelihood": _mle_words(fit),
                "penalizer": fit.penalizer,
                "log-likelihood": round(fit.log_likelihood, 2),
                "parameters": ", ".join(f"{k} {v:.4g}" for k, v in fit.params.items()),
                "note": fit.note,
            }
        )
    return pd.DataFrame(rows).set_index("model")


SPEND_PENALIZERS = (0.0, 0.001, 0.01)  # Gamma-Gamma: plain maximum likelihood first, then small penalties


def fit_gamma_gamma(
    summary_frame: pd.DataFrame, frequency_col: str = "frequency", monetary_col: str = "monetary_value"
) -> GammaGammaFitter:
    """Gamma-Gamma spend model on customers with at least one repeat occasion and a positive mean
    repeat spend (repeat occasions of $0, e.g. free items, cannot come from a gamma distribution; they
    are left out of the fit). Its assumption: the mean repeat spend is independent of frequency; check
    with :func:`spend_frequency_correlation`. Plain maximum likelihood first; when it does not converge
    (every customer's spend the same from purchase to purchase, say) the penalizers of
    :data:`SPEND_PENALIZERS` in turn; the kept one is the fitter's ``penalizer_coef`` (shown by
    :func:`spend_model_table`). lifetimes' printout of a failed search is kept out of reports."""
    repeaters = summary_frame[(summary_frame[frequency_col] > 0) & (summary_frame[monetary_col] > 0)]
    for penalizer in SPEND_PENALIZERS:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                return GammaGammaFitter(penalizer_coef=penalizer).fit(
                    repeaters[frequency_col], repeaters[monetary_col]
                )
            except ConvergenceError:
                if penalizer == SPEND_PENALIZERS[-1]:
                    raise


SPEND_MEAN = "implied mean spend per purchase, p v / (q - 1)"


def spend_model_table(spend_model) -> pd.DataFrame:
    """The fitted Gamma-Gamma parameters (``p``, ``q``, ``v``; of a fitted ``GammaGammaFitter`` or its
    ``params_``) and the mean spend per purchase across customers they imply, ``p v / (q - 1)`` (NaN
    when ``q`` is at most 1: the mean is then infinite); a last row ``penalizer`` when the fit was kept
    only with a penalty."""
    params = getattr(spend_model, "params_", spend_model)
    p, q, v = (float(params[k]) for k in ("p", "q", "v"))
    mean = p * v / (q - 1) if q > 1 else np.nan
    table = pd.DataFrame(
        {"estimate": [round(p, 3), round(q, 3), round(v, 3), round(mean, 2)]},
        index=pd.Index(["p", "q", "v", SPEND_MEAN], name="spend model (Gamma-Gamma)"),
    )
    penalizer = float(getattr(spend_model, "penalizer_coef", 0.0) or 0.0)
    if penalizer > 0:  # kept only with a penalty (fit_gamma_gamma): say so
        table.loc["penalizer"] = penalizer
    return table


def spend_frequency_correlation(summary_frame: pd.DataFrame, method: str = "pearson") -> float:
    """Correlation (``method`` "pearson" or "spearman", the rank correlation) of repeat frequency and
    mean repeat spend among repeat customers (near 0 supports the Gamma-Gamma independence assumption).
    NaN with fewer than 3 repeat customers or no variation."""
    rep = summary_frame[summary_frame["frequency"] > 0]
    if len(rep) < 3 or rep["frequency"].nunique() < 2 or rep["monetary_value"].nunique() < 2:
        return float("nan")
    return float(rep["frequency"].corr(rep["monetary_value"], method=method))


def spend_frequency_table(summary_frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`spend_frequency_correlation` both ways: Pearson (linear, pulled by a few heavy buyers) and
    Spearman (ranks), with the repeat customers they are computed on and the two-sided p-value of the
    test of no correlation (scipy's ``pearsonr`` and ``spearmanr``; NaN where the correlation is)."""
    rep = summary_frame[summary_frame["frequency"] > 0]
    n = len(rep)
    correlations = [spend_frequency_correlation(summary_frame, m) for m in ("pearson", "spearman")]
    p_values = [np.nan, np.nan]
    if np.isfinite(correlations).all():
        f, m = rep["frequency"].to_numpy(float), rep["monetary_value"].to_numpy(float)
        p_values = [float(pearsonr(f, m).pvalue), float(spearmanr(f, m).pvalue)]
    return pd.DataFrame(
        {
            "correlation": [round(c, 3) for c in correlations],
            "repeat customers": n,
            "p-value": p_values,
        },
        index=pd.Index(["Pearson", "Spearman (ranks)"], name="spend and frequency"),
    )


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

    _, hessian = central_differences(f, theta, step * np.abs(theta))
    nan = pd.Series(np.nan, index=params.index)
    if not positive_definite(hessian):
        return nan
    return pd.Series(np.sqrt(np.diag(np.linalg.inv(hessian))), index=params.index)


def standard_errors(fit: FitResult, frame: pd.DataFrame | None = None) -> pd.Series:
    """Standard errors of the parameters: lifetimes' Hessian where it gives them (BG/NBD, MBG/NBD);
    for Pareto/NBD, where lifetimes gives none, and the NBD fallback, :func:`hessian_standard_errors` on
    ``frame`` (the data of the fit). NaN without a model, or for those two without ``frame``."""
    if fit.model is None:
        return pd.Series(np.nan, index=fit.params.index)
    if fit.name == "Pareto/NBD" or fit.name in FALLBACKS:
        if frame is None:
            return pd.Series(np.nan, index=fit.params.index)
        return hessian_standard_errors(fit.name, fit.params, frame)
    try:
        return pd.Series(np.asarray(fit.model.standard_errors_, float), index=fit.params.index)
    except (AttributeError, TypeError, ValueError):
        return pd.Series(np.nan, index=fit.params.index)


def standard_error_table(fits: dict[str, FitResult], frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Parameters and their Hessian standard errors for each model that fitted cleanly (``frame``: the
    data of the fits, needed for Pareto/NBD and the NBD fallback; NaN where none can be computed), also as
    a percentage of the estimate's absolute value, one row per model and parameter. A fit on a boundary
    is left out: the curvature there says nothing about its precision."""
    rows = []
    for name, fit in fits.items():
        if not fit.ok:  # a boundary fit's curvature says nothing about its precision
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
    columns = ["model", "parameter", "estimate", "standard error", "standard error (% of estimate)"]
    return pd.DataFrame(rows, columns=columns).set_index(["model", "parameter"])


# ------------------------------------------------------------------------ refits (the bootstrap)
def weighted_objective(name: str, data: pd.DataFrame) -> Callable[[np.ndarray, np.ndarray], float]:
    """The mean negative log-likelihood per unit of weight of transaction model ``name`` on the rows of
    ``data`` (``frequency``, ``recency``, ``T``), as a function of (log parameters, row weights): built
    once, evaluated under many weightings (a customer bootstrap reweights the same rows). The exact
    likelihood of :func:`total_negative_log_likelihood`, in the data's time unit."""
    f, r, t = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    if name == "Pareto/NBD":
        like = ParetoNBDLikelihood(f, r, t)

        def objective(log_params, weights):
            w = np.asarray(weights, float)
            # an elementwise sum, not np.dot: a multithreaded BLAS stalls on a busy machine, and this
            # runs thousands of times in a bootstrap
            return -float((w * like(np.exp(log_params))).sum()) / w.sum()

    else:
        cls = _model_class(name)

        def objective(log_params, weights):
            return float(cls._negative_log_likelihood(log_params, f, r, t, np.asarray(weights, float), 0.0))

    def safe(log_params, weights):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = objective(log_params, weights)
        return value if np.isfinite(value) else np.inf

    return safe


def log_hessian(objective: Callable[[np.ndarray], float], log_params, step: float = 1e-3) -> np.ndarray:
    """The Hessian of ``objective`` (a function of log parameters) at ``log_params``, by central
    differences of width ``step``."""
    return central_differences(objective, log_params, step)[1]


def _maximize_from(objective, x0: np.ndarray, hessian: np.ndarray | None) -> tuple[np.ndarray, float, bool]:
    """Minimize ``objective`` (of log parameters) from ``x0`` by BFGS with forward-difference gradients,
    its inverse-Hessian estimate started from the inverse of ``hessian`` (the Hessian near the optimum,
    e.g. of the unweighted data at the point fit) when that is positive definite: a refit near the point
    fit then takes about 20 evaluations on a large log, where a search from scratch takes hundreds.
    Stops when the gradient (of a mean per unit of weight) is below 1e-6: parameters within about 1e-4
    of the exact optimum on the log scale, far inside any bootstrap spread. Returns (log parameters,
    value, converged)."""
    options = {"gtol": 1e-6, "maxiter": 300}
    if positive_definite(hessian):
        inverse = np.linalg.inv(hessian)
        options["hess_inv0"] = (inverse + inverse.T) / 2
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(objective, np.asarray(x0, float), method="BFGS", jac="2-point", options=options)
    converged = bool(np.isfinite(result.fun) and (result.success or np.max(np.abs(result.jac)) < 1e-4))
    return result.x, float(result.fun), converged


def refit(fit: FitResult, data: pd.DataFrame, weights, *, objective=None, hessian=None) -> FitResult:
    """``fit``'s model refitted on the rows of ``data`` (``frequency``, ``recency``, ``T``) weighted by
    ``weights`` (customers per row; a bootstrap resample), by maximum likelihood started at ``fit``'s
    parameters: as :func:`fit_model` with the same penalizer, only faster. Pass ``objective``
    (:func:`weighted_objective` of ``data``) and ``hessian`` (:func:`log_hessian` of it at ``fit``'s log
    parameters with every weight 1) to reuse them across refits: the search then starts from that
    curvature and needs a few dozen evaluations. A penalized ``fit`` is refitted through
    :func:`fit_model` with its penalizer. The result is ``ok`` only if the search converged with no
    parameter on a boundary (judged as :func:`fit_model` does)."""
    w = np.asarray(weights, float)
    keep = w > 0
    rows = data.assign(weight=w)[keep]
    if fit.model is None or not keep.any():
        return FitResult(fit.name, None, pd.Series(dtype=float), float("nan"), False, [], "no fit")
    if fit.penalizer > 0:
        return fit_model(fit.name, rows, penalizers=(fit.penalizer,), starts=(None,))
    objective = objective or weighted_objective(fit.name, data)
    x, value, converged = _maximize_from(
        lambda z: objective(z, w), np.log(fit.params.to_numpy(float)), hessian
    )
    params = pd.Series(np.exp(x), index=fit.params.index)
    edge = _boundary(params, float(np.median(rows["T"])))
    model = copy.copy(fit.model)
    model.params_ = params
    note = "refit" if converged and not edge else f"refit: {'on a boundary' if edge else 'did not converge'}"
    return FitResult(fit.name, model, params, -value * w.sum(), converged and not edge, [], note)


def spend_objective(
    frequency, monetary_value, penalizer: float = 0.0
) -> tuple[Callable[[np.ndarray, np.ndarray], float], np.ndarray]:
    """Gamma-Gamma's mean negative log-likelihood per unit of weight (lifetimes' own) on the repeat
    customers among ``frequency``, ``monetary_value`` (a repeat and a positive spend, as
    :func:`fit_gamma_gamma` takes them), as a function of (log parameters ``p``, ``q``, ``v``, weights of
    those customers; plus ``penalizer`` x the sum of squared parameters, as lifetimes penalizes), and the
    mask of the customers it keeps."""
    f, m = (np.asarray(v, float) for v in (frequency, monetary_value))
    keep = (f > 0) & (m > 0)
    f, m = f[keep], m[keep]

    def objective(log_params, weights):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(GammaGammaFitter._negative_log_likelihood(log_params, f, m, weights, penalizer))
        return value if np.isfinite(value) else np.inf

    return objective, keep


def refit_spend(
    spend: GammaGammaFitter, frequency, monetary_value, weights, *, hessian=None
) -> GammaGammaFitter | None:
    """Gamma-Gamma refitted on repeat customers' ``frequency`` and ``monetary_value`` weighted by
    ``weights`` (customers per row), by maximum likelihood (with ``spend``'s penalizer, if it has one)
    started at ``spend``'s parameters (lifetimes' own likelihood, :func:`spend_objective`; with
    ``hessian``, its :func:`log_hessian` at ``spend``'s log parameters with every weight 1, the search
    starts from that curvature): a copy of ``spend`` with the new ``params_``, or None when the search
    fails or no repeat customer has weight. Customers without a repeat or with a spend of 0 are left
    out, as :func:`fit_gamma_gamma` leaves them."""
    penalizer = float(getattr(spend, "penalizer_coef", 0.0) or 0.0)
    objective, keep = spend_objective(frequency, monetary_value, penalizer)
    w = np.asarray(weights, float)[keep]
    if not (w > 0).any():
        return None
    x0 = np.log(spend.params_[["p", "q", "v"]].to_numpy(float))
    x, _, converged = _maximize_from(lambda z: objective(z, w), x0, hessian)
    if not converged:
        return None
    out = copy.copy(spend)
    out.params_ = pd.Series(np.exp(x), index=["p", "q", "v"])
    return out
