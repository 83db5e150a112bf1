"""Customer lifetime value with the Fader-Hardie models, fitted through lifetimes (0.11.3, archived), in
four layers: :mod:`~lifecycle_utils.clv.fitting`, :mod:`~lifecycle_utils.clv.prediction`,
:mod:`~lifecycle_utils.clv.value` and :mod:`~lifecycle_utils.clv.published` (the CDNOW figures of the
papers). Every public name is available here, as ``clv.<name>``, whichever layer holds it.

Time is in the unit of the summary (weeks of 7 days by default, as in the published CDNOW analyses):
``frequency`` = repeat purchase occasions, ``recency`` and ``T`` in weeks (see
:mod:`lifecycle_utils.summary`). Money is in the currency of the data.

What we wrap, and why (each has a test that fails when upstream behaviour changes):

* fits go through :func:`fit_model`, which compresses the data to unique (frequency, recency, T) rows
  with weights (the same parameters to 1e-12, much faster), detects non-convergence, parameters on a boundary
  and floods of RuntimeWarnings, and tries documented fallbacks;
* lifetimes reports the *mean* negative log-likelihood; ``FitResult.log_likelihood`` is the total, the
  number the papers publish;
* Pareto/NBD ``conditional_probability_alive`` returns NaN when recency equals T at high frequency
  on scipy >= 1.16; :func:`probability_alive` returns the exact value there (1: a customer who
  bought at the end of the period is alive at it);
* ``calculate_alive_path`` and ``plot_history_alive`` fail on pandas 3 (``fillna(method=)``; summing
  datetimes) and ``plot_expected_repeat_purchases`` on current matplotlib (``prop_cycler``):
  :func:`alive_path` and :func:`tracking` replace them;
* cumulative tracking uses 7-day weeks counted from the first day of the data, not calendar weeks;
* Pareto/NBD without a start point starts from ``np.random.normal``, so fits are not reproducible:
  :func:`fit_model` always passes an explicit start.
"""

from lifecycle_utils.clv.fitting import (
    BOUNDARY_HIGH,
    BOUNDARY_LOW,
    MODELS,
    SCALE_PARAMS,
    FitResult,
    calibration_frame,
    calibration_weeks,
    compress,
    fit_gamma_gamma,
    fit_model,
    fit_models,
    fit_report,
    fitted,
    polish,
    spend_frequency_correlation,
    standard_error_table,
    standard_errors,
    total_negative_log_likelihood,
)
from lifecycle_utils.clv.prediction import (
    alive,
    alive_path,
    best_model,
    conditional_expectations,
    expected_purchases,
    expected_purchases_matrix,
    holdout_comparison,
    period_transactions,
    probability_alive,
    probability_alive_matrix,
    tracking,
    trust_check,
)
from lifecycle_utils.clv.published import (
    PUBLISHED,
    fit_bgbb,
    load_donations,
    published_validation,
    validation_figures,
)
from lifecycle_utils.clv.value import (
    bootstrap_total_clv,
    clv,
    clv_by,
    clv_summary,
    example_customers,
    headline_figures,
    interval,
    net_value,
    potential_and_warning,
    recent_spend,
    value_at_risk,
)

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
    "spend_frequency_correlation",
    "calibration_frame",
    "standard_errors",
    "calibration_weeks",
    "standard_error_table",
    "probability_alive",
    "expected_purchases",
    "conditional_expectations",
    "holdout_comparison",
    "tracking",
    "alive_path",
    "probability_alive_matrix",
    "period_transactions",
    "expected_purchases_matrix",
    "best_model",
    "trust_check",
    "alive",
    "clv",
    "net_value",
    "clv_summary",
    "clv_by",
    "bootstrap_total_clv",
    "example_customers",
    "value_at_risk",
    "potential_and_warning",
    "headline_figures",
    "interval",
    "recent_spend",
    "load_donations",
    "fit_bgbb",
    "PUBLISHED",
    "published_validation",
    "validation_figures",
]
