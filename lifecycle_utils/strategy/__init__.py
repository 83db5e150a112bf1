"""Strategy: which play, aimed at whom, pays — and how to read a randomized test of a play.

This module imports none of the analyses: the notebook passes their results in as columns (lifecycle
stage from :mod:`stages`, value class from :mod:`rfm`, CLV and P(alive) from :mod:`clv`). Money is
in the currency of the data; probabilities are between 0 and 1; "uplift" is an absolute change in a
probability (0.05 = five percentage points).

Two layers: :mod:`~lifecycle_utils.strategy.targeting` (observational: plays, matrix, policies) and
:mod:`~lifecycle_utils.strategy.experiments` (randomized tests); :mod:`~lifecycle_utils.strategy.notebook`
holds notebook 05's headline figures. Every public name is available here, as ``strategy.<name>``.
"""

from lifecycle_utils.strategy.experiments import (
    NO_SEGMENT,
    NO_SEGMENT_NOTE,
    NOTE,
    arm_summary,
    compare_arms,
    experiment_input,
    heterogeneity,
    incremental_profit,
    load_experiment,
    power_curve,
    sample_size,
    segment_profit,
    simulate_experiment,
    truth_vs_estimate,
)
from lifecycle_utils.strategy.notebook import headline_figures
from lifecycle_utils.strategy.targeting import (
    POLICIES,
    STAGE_PLAYS,
    compare_policies,
    customer_table,
    expected_gain,
    policy_order,
    strategy_matrix,
    uplift_sensitivity,
)

__all__ = [
    "NOTE",
    "STAGE_PLAYS",
    "customer_table",
    "strategy_matrix",
    "expected_gain",
    "POLICIES",
    "policy_order",
    "compare_policies",
    "uplift_sensitivity",
    "simulate_experiment",
    "NO_SEGMENT",
    "NO_SEGMENT_NOTE",
    "load_experiment",
    "arm_summary",
    "compare_arms",
    "incremental_profit",
    "segment_profit",
    "sample_size",
    "power_curve",
    "heterogeneity",
    "experiment_input",
    "truth_vs_estimate",
    "headline_figures",
]
