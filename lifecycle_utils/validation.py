"""Comparing reproduced figures with published ones: a table with the tolerance and a computed verdict."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd

__all__ = ["CDNOW_SAMPLE_SPLIT", "CDNOW_MASTER", "compare", "published_check"]

# The split of the CDNOW sample in Fader, Hardie and Lee (2005), "Counting your customers the easy way"
# (39-week calibration, 1997-01-01 to 1997-09-30; 39-week holdout to 1998-06-30).
CDNOW_SAMPLE_SPLIT = {
    "customers": 2357,
    "repeat transactions, calibration": 2457,
    "customers with a repeat, calibration": 946,
    "repeat transactions, holdout": 1882,
}
CDNOW_MASTER = {
    "rows": 69659,
    "customers": 23570,
    "first date": "1997-01-01",
    "last date": "1998-06-30",
    "total amount": 2500315.63,
}


def compare(
    published: dict,
    reproduced: dict | pd.Series,
    *,
    tolerance: float | dict[str, float] = 0.0,
    rel_tol: float = 0.0,
) -> pd.DataFrame:
    """Published figures next to their reproduction, one row per published figure (index ``figure``):
    ``published``, ``reproduced``, ``difference`` (absolute), ``tolerance`` and ``match``.

    A number matches when the absolute difference is at most the tolerance: ``tolerance`` (one absolute
    tolerance for every figure, or one per figure name; 0 where a dict does not name the figure) or
    ``rel_tol`` times the published value, whichever is larger; the ``tolerance`` column shows the one
    applied. Anything else (a date, a text) matches when equal. A figure missing from ``reproduced``
    never matches."""
    rows = []
    for name, expected in published.items():
        got = reproduced.get(name) if hasattr(reproduced, "get") else None
        absolute = tolerance.get(name, 0.0) if isinstance(tolerance, dict) else tolerance
        numeric = all(isinstance(v, Real) and not isinstance(v, (bool, np.bool_)) for v in (expected, got))
        if numeric:
            allowed = max(float(absolute), rel_tol * abs(float(expected)))
            difference = abs(float(got) - float(expected))
            ok = difference <= allowed
        else:
            allowed, difference, ok = math.nan, math.nan, got is not None and got == expected
        rows.append((name, expected, got, difference, allowed, bool(ok)))
    columns = ["figure", "published", "reproduced", "difference", "tolerance", "match"]
    return pd.DataFrame(rows, columns=columns).set_index("figure")


def published_check(source, facts: dict | pd.Series) -> pd.DataFrame | None:
    """For the CDNOW master file (``source == "cdnow"``), its published figures next to ``facts`` (from
    ``data.describe_transactions``); ``None`` for any other data, which has no published figures."""
    return compare(CDNOW_MASTER, facts) if str(source) == "cdnow" else None
