"""Customer lifetime value with the Fader-Hardie models, fitted through lifetimes (0.11.3, archived), in
four layers: :mod:`~lifecycle_utils.clv.fitting`, :mod:`~lifecycle_utils.clv.prediction`,
:mod:`~lifecycle_utils.clv.holdout`, :mod:`~lifecycle_utils.clv.value` and
:mod:`~lifecycle_utils.clv.published` (the CDNOW figures of the
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

from lifecycle_utils.clv import fitting, holdout, prediction, published, value
from lifecycle_utils.clv.fitting import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.clv.holdout import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.clv.prediction import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.clv.published import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.clv.value import *  # noqa: F403  (the layer's __all__)

# the face offers exactly what the layers declare, so a new public name needs no second list
__all__ = [*fitting.__all__, *prediction.__all__, *holdout.__all__, *value.__all__, *published.__all__]
