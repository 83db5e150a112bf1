"""Survival analysis of churn with statsmodels, in three layers:

* :mod:`~lifecycle_utils.survival.inputs`: reading a ready-made duration table (subscription-style data);
* :mod:`~lifecycle_utils.survival.estimators`: generic estimators (Kaplan-Meier, log-rank, Cox,
  Schoenfeld residuals, the proportional-hazards test, conditional event probabilities);
* :mod:`~lifecycle_utils.survival.churn`: churn built from a transaction log (the churn table, purchase
  gaps, the early-warning probabilities, the threshold sensitivity);
* :mod:`~lifecycle_utils.survival.notebook`: what notebook 02 calls (:class:`SurvivalData`,
  :func:`prepare`, the notebook's tables and headline figures).

Every public name is available here, as ``survival.<name>``, whichever layer holds it.

**Thin data gives notes, not exceptions.** Where something cannot be estimated (no churn events, one
level only, a constant covariate, a Cox fit that does not converge or whose coefficient runs off), the
result says so: a ``note`` column in the tables (present when at least one row has something to say),
``notes`` on :class:`SurvivalData` and :class:`CoxFit`, a ``"note"`` key in :func:`median_survival` and
``attrs["note"]`` on a :func:`kaplan_meier` table. Bad input is refused when it is loaded
(:func:`load_survival_table`, :func:`prepare`) with a ``ValueError`` naming the column, the count of bad
rows and examples.
"""

from lifecycle_utils.survival.churn import (
    churn_table,
    early_warning,
    gap_table,
    occasion_band,
    threshold_sensitivity,
)
from lifecycle_utils.survival.estimators import (
    NEEDS_TRANSACTIONS,
    NO_P,
    RUNAWAY_COEF,
    RUNAWAY_SE,
    CoxFit,
    chi_square_result,
    conditional_churn,
    covariate_coding,
    cox_fit,
    design_matrix,
    hazard_ratios,
    kaplan_meier,
    km_by_group,
    log_chi2_sf,
    logrank,
    median_survival,
    ph_test,
    schoenfeld_residuals,
    survival_at,
    survival_summary,
    worst_ph_covariate,
)
from lifecycle_utils.survival.inputs import (
    DURATION_UNITS,
    EVENT_WORDS,
    NUMERIC_SHARE,
    duration_factor,
    load_survival_table,
)
from lifecycle_utils.survival.notebook import (
    LANDMARK_DAYS,
    TRANSACTION_COVARIATES,
    TRANSACTION_GROUPS,
    TRANSACTION_REFERENCE,
    SurvivalData,
    delayed_entry_check,
    describe,
    early_warning_list,
    group_summary,
    headline_figures,
    km_panels,
    logrank_table,
    prepare,
    refit_for_ph,
    second_purchase_table,
    tiers,
)

__all__ = [
    "DURATION_UNITS",
    "EVENT_WORDS",
    "NUMERIC_SHARE",
    "duration_factor",
    "load_survival_table",
    "NEEDS_TRANSACTIONS",
    "NO_P",
    "RUNAWAY_COEF",
    "RUNAWAY_SE",
    "kaplan_meier",
    "survival_at",
    "median_survival",
    "survival_summary",
    "km_by_group",
    "logrank",
    "log_chi2_sf",
    "chi_square_result",
    "CoxFit",
    "covariate_coding",
    "design_matrix",
    "cox_fit",
    "hazard_ratios",
    "schoenfeld_residuals",
    "ph_test",
    "worst_ph_covariate",
    "conditional_churn",
    "churn_table",
    "gap_table",
    "occasion_band",
    "early_warning",
    "threshold_sensitivity",
    "SurvivalData",
    "LANDMARK_DAYS",
    "TRANSACTION_GROUPS",
    "TRANSACTION_COVARIATES",
    "TRANSACTION_REFERENCE",
    "tiers",
    "prepare",
    "second_purchase_table",
    "early_warning_list",
    "describe",
    "km_panels",
    "group_summary",
    "logrank_table",
    "refit_for_ph",
    "delayed_entry_check",
    "headline_figures",
]
