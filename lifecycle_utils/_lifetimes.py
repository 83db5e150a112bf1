"""The one place that imports lifetimes (0.11.3, archived in 2020).

lifetimes sets ``pd.options.mode.chained_assignment`` at import time, an option pandas 3 deprecated;
the warning it raises is about lifetimes itself, so it is filtered here, narrowly, and nowhere else.
Every other module reaches lifetimes through this one (the fitters and ``ConvergenceError`` it uses
are imported from here), so a quirk of the library has one home.
Its ``datasets`` module imports ``pkg_resources`` (gone from current setuptools), so we never import it
and read the shipped files with :mod:`importlib.resources` instead.
"""

from __future__ import annotations

import warnings
from importlib.resources import files
from importlib.resources.abc import Traversable

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="The 'mode.chained_assignment' option is deprecated")
    import lifetimes  # noqa: F401  (imported for its side effect on pandas options, once)
    from lifetimes import (
        BetaGeoBetaBinomFitter,
        BetaGeoFitter,
        GammaGammaFitter,
        ModifiedBetaGeoFitter,
        ParetoNBDFitter,
    )
    from lifetimes import utils as lifetimes_utils
    from lifetimes.utils import ConvergenceError

# what the package uses of lifetimes, imported from here and nowhere else
__all__ = [
    "LIFETIMES_VERSION",
    "dataset_path",
    "BetaGeoBetaBinomFitter",
    "BetaGeoFitter",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "ConvergenceError",
    "lifetimes_utils",
]

LIFETIMES_VERSION: str = lifetimes.__version__


def dataset_path(name: str) -> Traversable:
    """Path of a file shipped in ``lifetimes/datasets`` (e.g. ``"CDNOW_master.txt"``), without importing
    ``lifetimes.datasets`` (which needs ``pkg_resources``)."""
    path = files("lifetimes") / "datasets" / name
    if not path.is_file():
        raise FileNotFoundError(f"lifetimes {LIFETIMES_VERSION} does not ship datasets/{name}")
    return path
