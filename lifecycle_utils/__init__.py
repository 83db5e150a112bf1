"""lifecycle_utils: the logic behind the customer lifecycle notebook collection.

Modules: ``data`` (loading and cleaning, with a ledger), ``summary`` (per-customer summaries and the
calibration/holdout split), ``plotting`` (one style, figure helpers), ``report`` (recorded headline
figures, running notebooks, HTML). Analyses build on these and never on each other.
"""

__version__ = "0.1.0"
