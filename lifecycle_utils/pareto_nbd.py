"""A fast Pareto/NBD fit: lifetimes' model class, our likelihood evaluation and optimiser.

lifetimes' ``ParetoNBDFitter`` evaluates two Gauss hypergeometric functions (``hyp2f1``) per data row
at every step of a Nelder-Mead search run to a loose tolerance (``tol=1e-4``). On a million customers in
whole weeks (about 120,000 unique (frequency, recency, T) rows) that is 23 ms per evaluation and about
450 evaluations: 14 s. Two facts make it cheap:

* the first ``hyp2f1`` term depends on a row only through (frequency, recency) and the second only
  through (frequency, T); a log has far fewer such pairs than rows (about 10,000 and 7,000 there), so
  each is evaluated once per pair and gathered back;
* the likelihood is smooth in log parameters, so a quasi-Newton search (BFGS on log parameters, with a
  Nelder-Mead fallback, then Newton steps on a finite-difference Hessian) converges in far fewer
  evaluations and to a much tighter optimum (fits of the same customers, compressed or one row each,
  agree to 1e-8).

The likelihood is equation (18) of Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and
related expressions", exactly as lifetimes writes it (``ParetoNBDFitter._conditional_log_likelihood``,
tested equal to 1e-10). :class:`FastParetoNBDFitter` only replaces lifetimes' private ``_fit`` (the
search), so the fitted object is a real ``ParetoNBDFitter``: time scaling, ``params_``, ``data``,
``predict`` and every prediction method are lifetimes' own.

Data with no sign of customers leaving put the maximum on the edge of the search, ``s`` -> 0, where the
likelihood is the NBD model's (:meth:`ParetoNBDLikelihood.no_dropout`) and ``beta`` is not identified. A
search left to itself walks ``beta`` out to thousands of times ``alpha``, where each ``hyp2f1`` costs 100
times more, and spends tens of seconds there before ending on the edge anyway. The plain maximum-likelihood
search therefore checks that edge as soon as ``s`` falls below :data:`EDGE_LOOK` (and at each further decade)
and stops there when the edge is a maximum of the bounded search (:class:`_NoDropoutEdge`).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

from lifecycle_utils._lifetimes import ConvergenceError, ParetoNBDFitter
from lifecycle_utils.measures import central_differences, positive_definite

__all__ = ["ParetoNBDLikelihood", "LOG_LIMIT", "EDGE_LOOK", "fit_parameters", "FastParetoNBDFitter"]


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (a, b) pairs and, per row, the index of its pair."""
    stacked = np.stack([a, b], axis=1)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return unique[:, 0], unique[:, 1], inverse.ravel()


class ParetoNBDLikelihood:
    """Per-row Pareto/NBD log-likelihood for fixed data ``frequency`` (x), ``recency`` (t_x), ``T``,
    in the data's time unit; parameters ``(r, alpha, s, beta)`` with alpha and beta in that unit.
    The unique (x, t_x) and (x, T) pairs are found once, at construction."""

    def __init__(self, frequency, recency, T):
        x, rec, age = (np.asarray(v, float) for v in (frequency, recency, T))
        self.x = x
        self.rec_x, self.rec, self.rec_index = _pairs(x, rec)
        self.age_x, self.age, self.age_index = _pairs(x, age)

    def __call__(self, params) -> np.ndarray:
        r, alpha, s, beta = (float(v) for v in params)
        low, high = sorted((alpha, beta))
        gap = high - low
        with np.errstate(all="ignore"):
            # log(hyp2f1(r+s+x, t, r+s+x+1, gap / (high + u)) / (high + u) ** (r+s+x)) at u = recency and T,
            # with t = r + x when alpha < beta, else s + 1 (lifetimes' _log_A_0)
            def term(xs, u):
                rsx = r + s + xs
                t = r + xs if alpha < beta else s + 1.0
                return np.log(hyp2f1(rsx, t, rsx + 1.0, gap / (high + u))) - rsx * np.log(high + u)

            at_recency = term(self.rec_x, self.rec)[self.rec_index]
            at_age = term(self.age_x, self.age)[self.age_index]
            # log A_0 = log(exp(at_recency) - exp(at_age)); -inf when recency == T (A_0 = 0)
            log_a0 = at_recency + np.log1p(-np.exp(at_age - at_recency))
            no_death = (-(r + self.age_x) * np.log(alpha + self.age) - s * np.log(beta + self.age))[
                self.age_index
            ]
            a1 = gammaln(r + self.x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
            return a1 + np.logaddexp(no_death, np.log(s) + log_a0 - np.log(r + s + self.x))

    def no_dropout(self, r: float, alpha: float) -> np.ndarray:
        """Per-row log-likelihood in the limit ``s`` -> 0 (any ``beta``): the NBD model's, customers buying
        at Gamma(``r``, ``alpha``) rates and never leaving, ``log Gamma(r + x) - log Gamma(r) + r log alpha
        - (r + x) log(alpha + T)``. No ``hyp2f1``: cheap at any parameters."""
        with np.errstate(all="ignore"):
            per_pair = -(r + self.age_x) * np.log(alpha + self.age)
            return gammaln(r + self.x) - gammaln(r) + r * np.log(alpha) + per_pair[self.age_index]


# Parameters are searched on a log scale inside (1e-6, 1e6). A data set without visible dropout pushes
# s and beta towards infinity together (the NBD limit); hyp2f1 gets slow out there and an unbounded
# search wandered for tens of seconds before ending on a boundary anyway (reported as such by
# ``clv.fit_model``, which flags anything outside (1e-5, 1e4)).
LOG_LIMIT = float(np.log(1e6))

# The plain maximum-likelihood search looks at the no-dropout edge (s at exp(-LOG_LIMIT)) once s falls
# below this, and again at each further decade. Only where to look: a look stops the search only if the edge
# is no worse than the search's own point and a maximum of the bounded search (_NoDropoutEdge.check). On the
# CDNOW data and simulated logs with dropout s never falls this low, so nothing changes there.
EDGE_LOOK = 1e-2
GRADIENT_TOL = 1e-6  # a flat gradient of the objective per unit of weight (of log parameters)


class _NoDropoutEdge:
    """The maximum of the plain likelihood on the search's edge ``s = exp(-LOG_LIMIT)`` (1e-6), where the
    Pareto/NBD likelihood equals the NBD's to order ``s``: ``r`` and ``alpha`` of the NBD fit (fitted once,
    on demand, by BFGS without ``hyp2f1``), ``beta`` wherever the search has it (the likelihood hardly
    depends on it there). :meth:`check` accepts that point when it is no worse than the search's own point
    and a maximum of the bounded search there (its Karush-Kuhn-Tucker conditions): the objective does not
    fall as ``s`` moves inside, by a forward difference in ``s`` itself (of 1e-4: in log ``s`` every
    derivative at the edge is ``s`` times smaller, and would pass any tolerance), and is flat in log ``r``,
    ``alpha`` and ``beta`` (central differences)."""

    def __init__(self, objective, like: ParetoNBDLikelihood, w: np.ndarray, start: np.ndarray):
        self.objective, self.like, self.w, self.start = objective, like, w, np.asarray(start, float)[:2]
        self.rate = None  # log (r, alpha) of the NBD fit, once fitted
        self.next_look = EDGE_LOOK
        self.point = None  # the accepted edge point (log parameters, objective)

    def _nbd(self) -> np.ndarray:
        if self.rate is None:
            total = self.w.sum()

            def nbd(log_rate):
                value = -float(np.dot(self.w, self.like.no_dropout(*np.exp(log_rate)))) / total
                return value if np.isfinite(value) else np.inf

            self.rate = minimize(nbd, self.start, method="BFGS", options={"gtol": 1e-10}).x
        return self.rate

    def due(self, x: np.ndarray) -> bool:
        """Whether ``s`` at ``x`` has fallen below the next look (then the look after is a decade lower)."""
        s = float(np.exp(x[2]))
        if s >= self.next_look:
            return False
        self.next_look = s / 10.0
        return True

    def check(self, x: np.ndarray, value: float, ds: float = 1e-4, h: float = 1e-4) -> bool:
        """Whether the edge point at ``beta`` of ``x`` is a maximum of the bounded search no worse than
        ``value`` (the objective at ``x``); if so it is kept in :attr:`point`."""
        edge = np.array([*self._nbd(), -LOG_LIMIT, x[3]])
        if np.max(np.abs(edge)) > LOG_LIMIT:
            return False
        at = self.objective(edge)
        if not (np.isfinite(at) and at <= value + 1e-12 * max(1.0, abs(value))):
            return False
        inside = edge.copy()
        inside[2] = np.log(np.exp(-LOG_LIMIT) + ds)
        if not (self.objective(inside) - at) / ds > -GRADIENT_TOL:  # a little dropout fits better
            return False
        e = np.eye(4) * h
        free = [(self.objective(edge + e[i]) - self.objective(edge - e[i])) / (2 * h) for i in (0, 1, 3)]
        if not np.all(np.abs(free) < GRADIENT_TOL):
            return False
        self.point = (edge, at)
        return True


def fit_parameters(
    frequency, recency, T, weights, penalizer: float = 0.0, initial=None
) -> tuple[np.ndarray, float, bool]:
    """Maximum (penalised) likelihood Pareto/NBD parameters ``(r, alpha, s, beta)`` in the data's time
    unit. The objective is lifetimes': ``-sum(w * ll) / mean(w) + penalizer * sum(params ** 2)``.
    Search: BFGS on log parameters (gradient by central differences), started at ``initial``
    (default all ones, lifetimes' start without its random noise); Nelder-Mead on log parameters from
    there if BFGS stops short. Without a penalty, once ``s`` falls below :data:`EDGE_LOOK` the search
    also looks at the no-dropout edge (``s`` at ``exp(-LOG_LIMIT)``) and ends there, converged, when that is
    a maximum of the bounded search (:class:`_NoDropoutEdge`); on data that show customers leaving it
    never is, and the search runs as described. Returns (parameters, objective value, converged)."""
    like = ParetoNBDLikelihood(frequency, recency, T)
    w = np.asarray(weights, float)
    mean_w, total_w = w.mean(), w.sum()

    def objective(log_params):  # per unit of weight, so tolerances do not depend on the data's size
        if np.max(np.abs(log_params)) > LOG_LIMIT:  # far past any boundary a fit is judged by: stop here
            return np.inf
        p = np.exp(log_params)
        value = -np.dot(w, like(p)) / total_w + penalizer * np.sum(p**2) * mean_w / total_w
        return value if np.isfinite(value) else np.inf

    x0 = np.log(np.ones(4) if initial is None else np.asarray(initial, float))
    # plain maximum likelihood only: a penalty keeps beta from walking off, and moves the maximum
    edge = _NoDropoutEdge(objective, like, w, x0) if penalizer == 0 else None

    def look_at_the_edge(intermediate_result):  # after each BFGS iteration
        if edge is not None and edge.due(intermediate_result.x):
            if edge.check(intermediate_result.x, intermediate_result.fun):
                raise StopIteration  # the maximum is on the no-dropout edge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(
            objective,
            x0,
            method="BFGS",
            jac="3-point",
            callback=look_at_the_edge,
            options={"gtol": 1e-9, "maxiter": 500},
        )
        if edge is not None and edge.point is None and not _flat(result) and np.exp(result.x[2]) < EDGE_LOOK:
            edge.check(result.x, result.fun)  # BFGS stopped short on its way to the edge
        if edge is not None and edge.point is not None:
            # on the edge: Nelder-Mead and Newton steps would only walk beta off (its gradient ~ s)
            x, value = edge.point
            return np.exp(x), value * total_w / mean_w, True
        # BFGS often ends with "precision loss" (status 2): no step improves the objective in floating
        # point. That is the optimum when the gradient there is flat; otherwise Nelder-Mead takes over.
        flat = _flat(result)
        if not flat:
            result = minimize(
                objective,
                result.x if np.isfinite(result.fun) else x0,
                method="Nelder-Mead",
                options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 2000, "maxfev": 2000},
            )
    converged = bool(flat or (result.success and np.isfinite(result.fun)))
    x, value = result.x, float(result.fun)
    if converged:
        x, value = _newton_polish(objective, x, value)
    return np.exp(x), value * total_w / mean_w, converged


def _flat(result) -> bool:
    """Whether a BFGS result ended (or stopped on precision loss) with a flat gradient."""
    return bool(
        np.isfinite(result.fun) and result.status in (0, 2) and np.max(np.abs(result.jac)) < GRADIENT_TOL
    )


def _newton_polish(
    objective, x: np.ndarray, value: float, h: float = 1e-3, steps: int = 3
) -> tuple[np.ndarray, float]:
    """Up to ``steps`` Newton steps from a found optimum, with gradient and Hessian by central
    differences of width ``h`` (in log parameters). The objective is only known to about 1e-15, so a
    search that stops on the gradient leaves the parameters uncertain in flat directions (1e-6 apart
    between fits of the same data, compressed or not); differences this wide average that noise out,
    and two Newton steps bring the fits within 1e-8 of each other. A step is kept only if the Hessian
    is positive definite and the objective does not rise beyond rounding."""
    for _ in range(steps):
        gradient, hessian = central_differences(objective, x, h, center=value)
        if not positive_definite(hessian):
            break
        step = np.linalg.solve(hessian, gradient)
        candidate = objective(x - step)
        if not (np.isfinite(candidate) and candidate <= value + 1e-12 * max(1.0, abs(value))):
            break
        x, value = x - step, candidate
        if np.max(np.abs(step)) < 1e-9:
            break
    return x, value


class FastParetoNBDFitter(ParetoNBDFitter):
    """lifetimes' ``ParetoNBDFitter`` with :func:`fit_parameters` as its search (``fit`` arguments
    ``fit_method``, ``tol``, ``maxiter`` and ``iterative_fitting`` are ignored). Raises lifetimes'
    ``ConvergenceError`` when the search fails, as lifetimes does."""

    def _fit(
        self, minimizing_function_args, iterative_fitting, initial_params, params_size, disp, *args, **kwargs
    ):

        frequency, recency, T, weights, penalizer = minimizing_function_args
        params, value, converged = fit_parameters(frequency, recency, T, weights, penalizer, initial_params)
        if not converged:
            raise ConvergenceError("The Pareto/NBD search (BFGS, then Nelder-Mead) did not converge.")
        return params, value
