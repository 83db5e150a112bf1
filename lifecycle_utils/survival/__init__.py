"""Survival analysis of churn with statsmodels, in three layers over the generic estimators of
:mod:`lifecycle_utils.estimators` (Kaplan-Meier, log-rank, Cox, Schoenfeld residuals, the
proportional-hazards test, conditional event probabilities; a base layer that notebook 01's stages use
too, re-exported here):

* :mod:`~lifecycle_utils.survival.inputs`: reading a ready-made duration table (subscription-style data);
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

from lifecycle_utils import estimators
from lifecycle_utils.estimators import *  # noqa: F403  (the base layer's __all__)
from lifecycle_utils.survival import churn, inputs, notebook
from lifecycle_utils.survival.churn import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.survival.inputs import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.survival.notebook import *  # noqa: F403  (the layer's __all__)

# the face offers exactly what the layers declare, so a new public name needs no second list
__all__ = [*inputs.__all__, *estimators.__all__, *churn.__all__, *notebook.__all__]
