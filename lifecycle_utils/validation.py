"""Comparing reproduced figures with published ones: a table with the tolerance and a computed verdict."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["CDNOW_SAMPLE_SPLIT", "CDNOW_MASTER", "compare"]

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
    published: dict, reproduced: dict | pd.Series, rel_tol: float = 0.0, abs_tol: float = 0.0
) -> pd.DataFrame:
    """One row per published figure: ``published``, ``reproduced``, ``tolerance`` and ``match``
    (``math.isclose`` for numbers with the given tolerances, equality otherwise; a figure missing from
    ``reproduced`` never matches)."""
    rows = []
    for name, expected in published.items():
        got = reproduced.get(name) if hasattr(reproduced, "get") else None
        if isinstance(expected, (int, float)) and isinstance(got, (int, float)) and not isinstance(got, bool):
            ok = math.isclose(float(got), float(expected), rel_tol=rel_tol, abs_tol=abs_tol)
        else:
            ok = got is not None and got == expected
        rows.append((name, expected, got, f"rel {rel_tol:g}, abs {abs_tol:g}", bool(ok)))
    return pd.DataFrame(rows, columns=["figure", "published", "reproduced", "tolerance", "match"])
