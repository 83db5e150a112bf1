"""Reading a ready-made duration table (one row per customer or subscription: a duration, an event
flag, optionally an entry time and covariates), as notebook 02 takes it instead of a transaction log.

Durations in weeks or months are converted to days (:data:`DURATION_UNITS`); event flags may be 1/0,
yes/no or true/false (:func:`lifecycle_utils.data.yes_no_flags`). Bad values are refused with a
``ValueError`` naming the column, the count of bad rows and examples.
"""

from __future__ import annotations

import pandas as pd

from lifecycle_utils._messages import refuse, require_columns
from lifecycle_utils.data import read_table, yes_no_flags

__all__ = [
    "read_duration_table",
    "DURATION_UNITS",
    "NUMERIC_SHARE",
    "duration_factor",
    "load_survival_table",
]

# days per unit of a duration table's durations (a month is a twelfth of a Julian year)
DURATION_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}


# a text covariate whose values are numbers in at least this share of rows is a broken numeric column
NUMERIC_SHARE = 0.9


def duration_factor(duration_unit: str) -> float:
    """Days per ``duration_unit``: ``"days"`` 1, ``"weeks"`` 7, ``"months"`` 365.25 / 12 = 30.4375 (a
    twelfth of a Julian year). Any other unit is a ``ValueError`` listing the allowed ones."""
    key = str(duration_unit).strip().lower()
    if key not in DURATION_UNITS:
        raise ValueError(
            f"duration_unit {duration_unit!r} is not one of {', '.join(map(repr, DURATION_UNITS))}"
        )
    return DURATION_UNITS[key]


def _unit_note(duration_unit: str) -> str:
    key = str(duration_unit).strip().lower()
    if key == "days":
        return "durations and entry times are in days, as given"
    return (
        f"durations and entry times were given in {key} and are converted to days "
        f"(x {DURATION_UNITS[key]:g} days per {key[:-1]})"
    )


def read_duration_table(
    source: str | pd.DataFrame,
    duration_col: str,
    event_col: str,
    entry_col: str | None,
    id_col: str | None,
    duration_unit: str,
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`load_survival_table` and what it has to say about the reading (unit, event words)."""
    factor = duration_factor(duration_unit)
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        frame = read_table(source, as_text=False)
    needed = [c for c in (duration_col, event_col, entry_col, id_col) if c is not None]
    require_columns(frame.columns, needed)
    duration = pd.to_numeric(frame[duration_col], errors="coerce")
    event = yes_no_flags(frame[event_col])
    entry = (
        pd.to_numeric(frame[entry_col], errors="coerce") if entry_col else pd.Series(0.0, index=frame.index)
    )
    n = len(frame)
    refuse(
        duration_col,
        duration.isna() | (duration < 0),
        n,
        "are missing, not numbers or negative",
        frame[duration_col],
    )
    refuse(event_col, event.isna(), n, "are not 0 or 1, yes or no, true or false", frame[event_col])
    if entry_col:
        refuse(
            entry_col,
            entry.isna() | (entry < 0) | ((entry > 0) & (entry >= duration)),
            n,
            "are missing, negative, or not before the duration",
            frame[entry_col],
        )
    notes = [_unit_note(duration_unit)]
    raw = frame[event_col]
    if not (pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw)):
        seen = raw.astype(str).str.strip()
        yes = sorted(set(seen[event == 1])) or ["-"]
        no = sorted(set(seen[event == 0])) or ["-"]
        notes.append(
            f"event column '{event_col}': {'/'.join(yes)} read as churned (1), {'/'.join(no)} as censored (0)"
        )
    # the mapped columns become the standard ones; unmapped columns that already carry a standard
    # name (e.g. an "entry" column when entry_col is None) are replaced
    replaced = {duration_col, event_col, entry_col, "duration", "churned", "entry"} - {None}
    out = frame.drop(columns=[c for c in frame.columns if c in replaced]).copy()
    out.insert(0, "duration", duration.astype(float) * factor)
    out.insert(1, "churned", event.astype(int))
    out.insert(2, "entry", entry.astype(float) * factor)
    if id_col:
        ids = frame[id_col]
        refuse(id_col, ids.isna() | ids.duplicated(keep=False), n, "are missing or repeated ids", ids)
        out = out.set_index(id_col)
    return out, notes


def load_survival_table(
    source: str | pd.DataFrame,
    duration_col: str = "duration",
    *,
    event_col: str = "churned",
    entry_col: str | None = None,
    id_col: str | None = None,
    duration_unit: str = "days",
) -> pd.DataFrame:
    """A table that already has one row per customer with a duration and a churn flag (subscription
    data): a CSV/Parquet path or a frame. Returns it with the standard columns ``duration`` (days),
    ``churned`` (0/1) and ``entry`` (days at which the customer entered observation; 0 unless
    ``entry_col`` is given: delayed entry for customers who joined before the data starts), other
    columns kept as covariates (unmapped columns named ``duration``, ``churned`` or ``entry`` are
    replaced).

    ``duration_unit`` is the unit of the duration and entry columns as given: ``"days"`` (kept),
    ``"weeks"`` (x 7) or ``"months"`` (x 365.25 / 12 = 30.4375 days); both come back in days, so horizons
    in days work downstream. The event column may hold 0/1, booleans, or the words yes/no, true/false,
    1/0 in any case. Bad values raise ``ValueError`` naming the column, the count and examples; an
    unknown unit raises ``ValueError`` listing the allowed ones."""
    return read_duration_table(source, duration_col, event_col, entry_col, id_col, duration_unit)[0]
