"""Strategy: which play, aimed at whom, pays — and how to read a randomized test of a play.

This module imports none of the analyses: the notebook passes their results in as columns (lifecycle
stage from :mod:`stages`, value class from :mod:`rfm`, CLV and P(alive) from :mod:`clv`). Money is
in the currency of the data; probabilities are between 0 and 1; "uplift" is an absolute change in a
probability (0.05 = five percentage points).

Two layers: :mod:`~lifecycle_utils.strategy.targeting` (observational: plays, matrix, policies) and
:mod:`~lifecycle_utils.strategy.experiments` (randomized tests); :mod:`~lifecycle_utils.strategy.notebook`
holds notebook 05's headline figures. Every public name is available here, as ``strategy.<name>``.
"""

from lifecycle_utils.strategy import experiments, notebook, targeting
from lifecycle_utils.strategy.experiments import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.strategy.notebook import *  # noqa: F403  (the layer's __all__)
from lifecycle_utils.strategy.targeting import *  # noqa: F403  (the layer's __all__)

# the face offers exactly what the layers declare, so a new public name needs no second list
__all__ = [*targeting.__all__, *experiments.__all__, *notebook.__all__]
