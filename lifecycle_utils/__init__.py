"""lifecycle_utils: the logic behind the customer lifecycle notebook collection.

Modules: ``data`` (loading and cleaning, with a ledger), ``summary`` (per-customer summaries and the
calibration/holdout split), ``engines`` (the heavy aggregations as one SQL definition, run on DuckDB,
Spark or a warehouse), ``measures`` (the Wilson interval, AUC and Brier), ``estimators``
(Kaplan-Meier, log-rank, Cox over a duration table), ``plotting`` (one style, figure helpers),
``tables`` (the display helper for stakeholder tables),
``report`` (recorded headline figures, running notebooks), ``site`` (the stakeholder site and API
reference, built with Sphinx). Analyses build on these and never on each other.
"""

from importlib import metadata as _metadata

__all__ = [
    "data",
    "sufficiency",
    "summary",
    "engines",
    "measures",
    "estimators",
    "stages",
    "survival",
    "rfm",
    "clv",
    "strategy",
    "simulate",
    "plotting",
    "tables",
    "report",
    "site",
    "narrative",
    "validation",
    "pareto_nbd",
]

try:  # the version is written once, in pyproject.toml
    __version__ = _metadata.version("lifecycle-utils")
except (
    _metadata.PackageNotFoundError
):  # pragma: no cover - running from a source tree that was never installed
    __version__ = "0+unknown"
