"""Loading transactions: the CDNOW data shipped in lifetimes, and a user's own CSV or Parquet file.

Every loader returns ``(transactions, ledger)``.

Transactions frame (the contract every other module relies on):

============  =================  ====================================================================
column        dtype              meaning
============  =================  ====================================================================
customer_id   str                customer identifier, kept as text (``"007"`` and ``"7"`` differ)
date          datetime64, naive  purchase day (time of day dropped)
amount        float              money spent in the row, in the data's currency
quantity      float (optional)   units bought, where the source has them
============  =================  ====================================================================

Ledger: a frame with columns ``step`` (``"read"``, ``"dropped"``, ``"noted"``, ``"kept"``), ``reason`` and
``rows``; ``rows read == rows kept + sum(rows dropped)`` always (see :func:`check_ledger`). ``"noted"`` rows
count rows kept with a change (an optional quantity that was not a number, kept as missing); they are
not part of the balance.

The cleaning policy for user data is documented in ``data/README.md`` and in :func:`clean_transactions`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from lifecycle_utils._lifetimes import dataset_path
from lifecycle_utils._messages import examples, problem, require_columns

__all__ = [
    "source_key",
    "dataset_label",
    "FLAG_WORDS",
    "yes_no_flags",
    "TRANSACTION_COLUMNS",
    "CDNOW_START",
    "CDNOW_END",
    "check_ledger",
    "load_cdnow",
    "load_cdnow_sample",
    "NULL_ID_LITERALS",
    "read_table",
    "clean_transactions",
    "load_transactions",
    "load",
    "CLEANED_CACHE_ENV",
    "cleaned_copy_key",
    "describe_transactions",
    "quality_checks",
]

TRANSACTION_COLUMNS = ["customer_id", "date", "amount"]

CDNOW_START = pd.Timestamp("1997-01-01")
CDNOW_END = pd.Timestamp("1998-06-30")


# --------------------------------------------------------------------------------------------- ledger
def _ledger(
    rows_read: int, dropped: list[tuple[str, int]], rows_kept: int, noted: list[tuple[str, int]] = ()
) -> pd.DataFrame:
    """Ledger rows: read, dropped per reason, noted per reason (rows kept but changed, e.g. a quantity
    set missing; not part of the balance), kept. Reasons with zero rows are left out."""
    records = [("read", "rows in the source", rows_read)]
    records += [("dropped", reason, n) for reason, n in dropped if n]
    records += [("noted", reason, n) for reason, n in noted if n]
    records += [("kept", "rows kept", rows_kept)]
    ledger = pd.DataFrame(records, columns=["step", "reason", "rows"])
    check_ledger(ledger)
    return ledger


def check_ledger(ledger: pd.DataFrame) -> None:
    """Raise ``AssertionError`` unless rows read == rows kept + rows dropped (summed over reasons).
    ``"noted"`` rows (kept rows with a change, e.g. a quantity set missing) are not part of the sum."""
    read = int(ledger.loc[ledger["step"] == "read", "rows"].sum())
    kept = int(ledger.loc[ledger["step"] == "kept", "rows"].sum())
    dropped = int(ledger.loc[ledger["step"] == "dropped", "rows"].sum())
    if read != kept + dropped:
        raise AssertionError(f"ledger does not balance: read {read} != kept {kept} + dropped {dropped}")


# ---------------------------------------------------------------------------------------------- CDNOW
def load_cdnow() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The CDNOW master file: every purchase of the 23,570 customers who first bought from CDNOW in
    the first quarter of 1997, up to 1998-06-30 (69,659 rows, amounts in US dollars).

    Read from the file shipped inside the installed lifetimes package; nothing is downloaded.
    The rows are kept exactly as published (80 rows of $0.00 and 255 exact repeats of another row
    included), so the published counts hold; :func:`quality_checks` lists those rows.
    Returns ``(transactions, ledger)``; columns ``customer_id`` (5-digit text), ``date``,
    ``quantity`` (CDs), ``amount`` (USD).
    """
    with dataset_path("CDNOW_master.txt").open("r", encoding="ascii") as handle:
        raw = pd.read_csv(handle, sep=r"\s+", dtype={"customer_id": str, "date": str})
    tx = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "quantity": raw["number_of_cds"].astype(float),
            "amount": raw["dollar_value"].astype(float),
        }
    )
    return tx, _ledger(len(raw), [], len(tx))


def load_cdnow_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 1/10 systematic sample of CDNOW (2,357 customers, 6,919 rows) used in the published BTYD
    papers (Fader, Hardie and Lee 2005): ``customer_id`` is the sample's 4-digit id (0001-2357),
    ``master_customer_id`` the id in the master file. Columns as in :func:`load_cdnow`.
    """
    names = ["master_customer_id", "customer_id", "date", "quantity", "amount"]
    with dataset_path("CDNOW_sample.txt").open("r", encoding="ascii") as handle:
        raw = pd.read_csv(handle, sep=r"\s+", header=None, names=names, dtype=str)
    tx = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "master_customer_id": raw["master_customer_id"].astype(str),
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "quantity": raw["quantity"].astype(float),
            "amount": raw["amount"].astype(float),
        }
    )
    return tx, _ledger(len(raw), [], len(tx))


# ------------------------------------------------------------------------------------------ user data
NULL_ID_LITERALS = frozenset({"null", "none", "nan", "n/a", "na", "#n/a", "<na>"})
"""Customer ids that mean "no id" in exported files (compared case-insensitively, after stripping)."""

_INT_TO_NULLABLE = {f"{u}int{bits}": f"{u.upper()}Int{bits}" for u in ("", "u") for bits in (8, 16, 32, 64)}

# Dates. A time of day with an offset (or a trailing Z) makes a value time-zone aware.
_TIME = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?"
_OFFSET = re.compile(rf"(?:\dZ|{_TIME}\s*[+-]\d{{2}}(?::?\d{{2}})?)$")
_UTC_NAME_AFTER_TIME = re.compile(rf"({_TIME})\s*(?:UTC|GMT)$", re.IGNORECASE)  # -> offset +00:00
_UTC_NAME_BEFORE_OFFSET = re.compile(r"(?<![A-Za-z])(?:UTC|GMT)(?=[+-]\d{2}(?::?\d{2})?$)", re.IGNORECASE)
_UTC_NAME_AFTER_DATE = re.compile(r"\s*(?<![A-Za-z])(?:UTC|GMT)$", re.IGNORECASE)  # a day needs no zone
# A zone name: any word after a time of day (``10:00 CET``, ``10:00 PM PST``), or after a date an
# abbreviation in capitals (``2024-01-02 CET``) or an Area/City name (``2024-01-02 Europe/Berlin``).
_ZONE_NAME = re.compile(
    rf"(?:{_TIME}(?:\s*[AaPp]\.?[Mm]\.?)?\s*(?P<zone>[A-Za-z][A-Za-z_]*(?:/[A-Za-z_+-]+)*)"
    r"|\d\s+(?P<abbr>[A-Z]{2,5}|[A-Za-z_]+(?:/[A-Za-z_+-]+)+))$"
)
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
_NOT_ZONE_NAMES = {"am", "pm", "z"} | _MONTHS
# Day/month/year text is rewritten to ``dd/mm/yy[yy]...`` by three replacements, then split by position
# (regexes that pyarrow can run, so this stays fast on large string columns).
_DAY_MONTH_STEPS = [
    (r"^(\d{1,2})[.-](\d{1,2})[.-]", r"\1/\2/"),
    (r"^(\d)/", r"0\1/"),
    (r"^(\d\d)/(\d)/", r"\1/0\2/"),
]
_DAY_MONTH = r"\d\d/\d\d/(?:\d{4}|\d{2})(?:[ T].*)?"

# Numbers written with a decimal comma: 1234,5 or 1.234,5 or 1 234,5 (groups of three digits).
_DECIMAL_COMMA = r"[+-]?(?:\d+|\d{1,3}(?:[. \u00a0\u202f]\d{3})+)(?:,\d*)?|[+-]?,\d+"
_THOUSANDS = r"[. \u00a0\u202f]"

_RAISE_HINT = "fix the source or pass on_invalid='drop'"


# 1/0 flags read from text (any case, surrounding blanks ignored): churn events, campaign conversions
FLAG_WORDS: dict[str, int] = {"1": 1, "0": 0, "yes": 1, "no": 0, "true": 1, "false": 0}


def yes_no_flags(raw: pd.Series) -> pd.Series:
    """1/0 as floats (NaN where unreadable) from numbers 0/1 (``1.0`` too), booleans, or the words of
    :data:`FLAG_WORDS` in any case: the one reader of flag columns (churn events, conversions)."""
    numeric = pd.to_numeric(raw, errors="coerce").astype(float)
    words = raw.astype(str).str.strip().str.lower().map(FLAG_WORDS).astype(float)
    return numeric.where(numeric.isin([0.0, 1.0]), words)


def read_table(
    path: str | Path, encoding: str = "utf-8", sep: str = ",", *, as_text: bool = True
) -> pd.DataFrame:
    """Read a CSV (fields separated by ``sep``, default a comma; ``";"`` for many European exports) or
    Parquet file: the one reader for every input table (transactions, duration tables, campaign tables).
    With ``as_text`` (transactions) every CSV column is read as text, so ids keep their leading zeros and
    nothing is parsed silently; without it (duration and campaign tables, whose covariates are numbers)
    pandas infers the column types. Parquet integer columns are read as pandas' nullable integers,
    never through float, so an id column with a null keeps ``"123"`` (not ``"123.0"``) and ids above
    2**53 stay distinct.

    Raises ``ValueError`` for a missing file, an empty file, or text that is not in ``encoding``
    (the message says which encoding to pass instead).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {path} does not exist")
    if path.suffix.lower() in {".parquet", ".pq"}:
        frame = _read_parquet(path)
    else:
        try:
            text = {"dtype": str, "keep_default_na": False, "na_values": [""]} if as_text else {}
            frame = pd.read_csv(path, encoding=encoding, sep=sep, **text)
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path.name} is not {encoding} text ({err.reason} at byte {err.start}); "
                "pass the file's encoding, e.g. encoding='latin-1' (command line: --encoding latin-1)"
            ) from None
        except pd.errors.EmptyDataError:
            raise ValueError(f"{path.name} is empty: no header and no rows") from None
    if frame.empty:
        raise ValueError(f"{path.name} has a header but no rows")
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file as pandas, integer columns as nullable ``Int64`` (etc.), so nulls never turn them
    into floats (which would write ``123.0`` and merge ids above 2**53)."""
    import pyarrow.parquet as pq

    def nullable(arrow_type):
        name = _INT_TO_NULLABLE.get(str(arrow_type))
        return pd.api.types.pandas_dtype(name) if name else None

    return pq.read_table(path).to_pandas(types_mapper=nullable)


def _parse_dates(
    raw: pd.Series, column: str, date_format: str | None, dayfirst: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse a date column to naive day timestamps; return (dates, unparsable mask).

    - ``date_format`` given: every value is read with it (strict; other values are unparsable);
      ``dayfirst`` is then ignored.
    - Otherwise every value is first read as ISO 8601, whatever mix of its forms the column holds
      (``2024-01-31``, ``2024-01-31 10:00``, ``2024-01-31T10:00:00.123``, with or without an offset; pandas'
      ISO parser also reads ``2024/01/31`` and ``20240131``). Values that are not ISO: day/month/year
      text (``02/01/2024``, ``02.01.24``, ``2-1-2024 10:00``) by :func:`_parse_day_month`, anything else
      by pandas' inference (format guessed from the first such value, as before).
    - Time zones: an offset (``+02:00``, ``-0500``), a trailing ``Z`` or the names ``UTC``/``GMT`` make a
      value aware. All-aware columns are converted to UTC and the zone is dropped; aware mixed with
      naive raises; any other zone name (``CET``, ``Europe/Berlin``) raises (say which offset it meant).
      With a ``date_format`` containing ``%Z`` zone names are left to that format.
    """
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        dates = raw.dt.tz_convert("UTC").dt.tz_localize(None)
    elif pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        text = raw.astype("string").str.strip()
        if date_format is None or "%Z" not in date_format:
            text = _read_zone_names(text, raw, column)
        aware = _all_aware(text, raw, column)
        if date_format is not None:
            dates = _to_naive(text, date_format, aware, column)
        else:
            dates = _parse_inferred(text, column, dayfirst, aware)
    dates = pd.Series(dates, index=raw.index).dt.normalize()
    return dates, dates.isna()


def _read_zone_names(text: pd.Series, raw: pd.Series, column: str) -> pd.Series:
    """Zone names after a time of day: ``UTC``/``GMT`` (any case) become the offset they mean
    (``10:00 UTC`` -> ``10:00 +00:00``, ``10:00 UTC+02:00`` -> ``10:00 +02:00``); any other name
    (``CET``, ``PST``, ``Europe/Berlin``) raises ``ValueError``: its offset changes with daylight saving,
    so the loader does not guess it. Only values ending in a letter or naming UTC/GMT are searched."""
    utc = text.str.contains("UTC", case=False, regex=False) | text.str.contains(
        "GMT", case=False, regex=False
    )
    candidate = (text.str[-1:].str.isalpha() | utc).fillna(False).astype(bool)
    if not candidate.any():
        return text
    text = text.copy()
    sub = text[candidate].str.replace(_UTC_NAME_BEFORE_OFFSET, "", regex=True)
    sub = sub.str.replace(_UTC_NAME_AFTER_TIME, r"\1 +00:00", regex=True)
    text[candidate] = sub = sub.str.replace(_UTC_NAME_AFTER_DATE, "", regex=True)
    found = sub.str.extract(_ZONE_NAME)
    zone = found["zone"].fillna(found["abbr"])
    named = (zone.notna() & ~zone.str.lower().isin(_NOT_ZONE_NAMES)).fillna(False).astype(bool)
    named = named.reindex(text.index, fill_value=False)
    if named.any():
        raise ValueError(
            problem(column, named, len(named), "name a time zone other than UTC, GMT or Z", raw)
            + "; convert those "
            "times to an offset like +01:00 (e.g. '2024-01-02 10:00:00+01:00') before loading"
        )
    return text


def _all_aware(text: pd.Series, raw: pd.Series, column: str) -> bool:
    """True when every present value carries a time zone, False when none does; raise when mixed.
    Only values with a time of day (a ``:``) or ending in ``Z`` are searched for an offset."""
    present = (text.notna() & (text != "")).astype(bool)
    candidate = text.str.contains(":", regex=False, na=False) | text.str.endswith("Z", na=False)
    candidate = candidate.astype(bool)
    aware = pd.Series(False, index=text.index)
    if candidate.any():
        aware[candidate] = text[candidate].str.contains(_OFFSET, na=False).astype(bool)
    naive = present & ~aware
    if aware.any() and naive.any():
        raise ValueError(
            f"column '{column}': {int(aware.sum())} rows carry a time zone and "
            f"{int(naive.sum())} do not (e.g. {examples(raw[aware], 1)} and "
            f"{examples(raw[naive], 1)}); make the column consistent before loading"
        )
    return bool(aware.any())


def _to_naive(text: pd.Series, fmt: str | None, utc: bool, column: str) -> pd.Series:
    """``pd.to_datetime`` with unparsable values as NaT and the result naive (UTC for aware values).
    Whatever pandas raises about the values (mixed zones it cannot compare) becomes a ``ValueError``
    naming the column."""
    with warnings.catch_warnings():
        # Without a format pandas infers it from the first value; the rows it cannot parse are reported
        # by the caller, so its own notice about that is redundant.
        warnings.filterwarnings("ignore", message="Could not infer format", category=UserWarning)
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"column '{column}': {len(text)} dates could not be read together (e.g. {examples(text)}: "
                f"{err}); give every value the same form, with an offset like +01:00 or none"
            ) from None
    if not pd.api.types.is_datetime64_any_dtype(parsed):  # pandas 2 returns objects for mixed zones
        raise ValueError(
            f"column '{column}': {len(text)} dates with different time zones (e.g. "
            f"{examples(text)}); give every value an offset like +01:00, or none"
        )
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed


def _parse_inferred(text: pd.Series, column: str, dayfirst: bool | None, utc: bool) -> pd.Series:
    """Dates without a given format, on ``text``'s index as naive timestamps (NaT where unparsable):
    first every value as ISO 8601 in one call (whatever mix of ISO forms); the values that are not ISO
    as day/month/year (:func:`_parse_day_month`) when they look it, the rest by pandas' inference."""
    present = (text.notna() & (text != "")).astype(bool)
    dates = _to_naive(text, "ISO8601", utc, column)
    rest = present & dates.isna()
    if not rest.any():
        return dates
    parts = _day_month_parts(text[rest])
    other = rest & ~text.index.isin(parts.index)
    pieces = [dates[~rest]]
    if len(parts):
        pieces.append(_parse_day_month(text[parts.index], parts, column, dayfirst, utc, len(text)))
    if other.any():
        pieces.append(_to_naive(text[other], None, utc, column))
    return pd.concat(pieces).reindex(text.index)


def _day_month_parts(text: pd.Series) -> pd.DataFrame:
    """Split the values that look like day/month/year (``2/1/2024``, ``02.01.24 10:00``, ``2-1-2024``;
    one separator kind per value) into text columns ``a`` (first field), ``b`` (second), ``y`` (year,
    2 or 4 digits) and ``rest`` (time of day with its leading space or T, or missing); other values
    are left out of the result."""
    norm = text
    for pattern, repl in _DAY_MONTH_STEPS:
        norm = norm.str.replace(pattern, repl, regex=True)
    norm = norm[norm.str.fullmatch(_DAY_MONTH, na=False).astype(bool)]
    long_year = norm.str.slice(8, 10).str.isdigit().fillna(False).astype(bool)
    rest = norm.str.slice(8).where(~long_year, norm.str.slice(10))
    return pd.DataFrame(
        {
            "a": norm.str.slice(0, 2),
            "b": norm.str.slice(3, 5),
            "y": norm.str.slice(6, 8).where(~long_year, norm.str.slice(6, 10)),
            "rest": rest.where(rest != ""),
        }
    )


def _parse_day_month(
    text: pd.Series, parts: pd.DataFrame, column: str, dayfirst: bool | None, utc: bool, n_rows: int
) -> pd.Series:
    """Day/month/year text (``/``, ``.`` or ``-`` between the fields, 2- or 4-digit year, optional time).

    ``dayfirst`` True or False decides which field is the day; None infers it from the column (see
    :func:`_infer_dayfirst`). Two-digit years follow ``%y``: 00-68 are 2000-2068, 69-99 are 1969-1999.
    Values are rewritten as ISO text and parsed in one call; a time of day that is not ISO (``10:00 PM``)
    is read value by value (dateutil) on those rows only.
    """
    first, second = parts["a"].astype(int), parts["b"].astype(int)
    if dayfirst is None:
        dayfirst = _infer_dayfirst(text, parts, first, second, column, n_rows)
    day, month = (first, second) if dayfirst else (second, first)
    year = parts["y"].astype(int)
    year = year.where(parts["y"].str.len() == 4, year + np.where(year < 69, 2000, 1900))
    iso_day = (
        year.astype(str).str.zfill(4)
        + "-"
        + month.astype(str).str.zfill(2)
        + "-"
        + day.astype(str).str.zfill(2)
    )
    with_time = iso_day + parts["rest"].fillna("")
    dates = _to_naive(with_time, "ISO8601", utc, column)
    retry = (dates.isna() & parts["rest"].notna()).astype(bool)
    if retry.any():  # a valid day with a time of day that is not ISO, e.g. "10:00 PM"
        retry[retry] = _to_naive(iso_day[retry], "%Y-%m-%d", False, column).notna()
        dates[retry] = _to_naive(with_time[retry], "mixed", utc, column)
    return dates


def _infer_dayfirst(
    text: pd.Series, parts: pd.DataFrame, first: pd.Series, second: pd.Series, column: str, n_rows: int
) -> bool:
    """Day-first when some first field is above 12, month-first when some second field is; raise
    ``ValueError`` when both occur, or when no value settles it and some value reads differently
    either way (``02/01/2024``; ``01/01/2024`` reads the same and is no evidence)."""
    day_only, month_only = first > 12, second > 12
    if day_only.any() and month_only.any():
        raise ValueError(
            f"column '{column}': day-first and month-first dates are mixed: {int(day_only.sum())} of "
            f"{n_rows} rows can only be day-first (e.g. {examples(text[day_only])}) and "
            f"{int(month_only.sum())} only month-first (e.g. {examples(text[month_only])}); "
            "make the column consistent before loading"
        )
    if day_only.any() or month_only.any():
        return bool(day_only.any())
    ambiguous = first != second
    if not ambiguous.any():
        return True
    sep = re.search(r"[/.-]", text[ambiguous].iloc[0]).group()
    year = "%Y" if len(parts["y"][ambiguous].iloc[0]) == 4 else "%y"
    day_fmt, month_fmt = f"%d{sep}%m{sep}{year}", f"%m{sep}%d{sep}{year}"
    timed = (
        " (values with a time of day need it in the format too, e.g. ' %H:%M')"
        if (parts["rest"].notna().any())
        else ""
    )
    raise ValueError(
        f"column '{column}': {int(ambiguous.sum())} of {n_rows} rows have a date that reads both day-first "
        f"and month-first (e.g. {examples(text[ambiguous])}) and no value in the column settles which; "
        f"for day-first dates pass date_format='{day_fmt}' (command line: --date-format '{day_fmt}') "
        f"or dayfirst=True (command line: --dayfirst); for month-first dates pass "
        f"date_format='{month_fmt}' (command line: --date-format '{month_fmt}') or dayfirst=False{timed}"
    )


def _parse_number(raw: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Numbers as float; return (values, mask of values that are missing, not a number or infinite).

    ``decimal="."``: what ``pd.to_numeric`` reads (``1234.5``, ``-3``, ``1e3``); a thousands separator is
    refused (``1,234.50`` is not a number), so a decimal-comma file read by mistake fails loudly
    instead of turning ``12,5`` into 125. ``decimal=","``: ``12,5``, ``1.234,56``, ``1 234,56`` (space or
    no-break space) and ``1.234`` (= 1234) are read; thousands groups must have three digits, so
    ``1.5`` is refused there. Numeric columns (Parquet) are taken as they are.
    """
    if decimal == "," and not pd.api.types.is_numeric_dtype(raw):
        text = raw.astype("string").str.strip()
        well_formed = text.str.fullmatch(_DECIMAL_COMMA, na=False).astype(bool)
        text = text.str.replace(_THOUSANDS, "", regex=True).str.replace(",", ".", regex=False)
        raw = text.where(well_formed)
    numbers = pd.to_numeric(raw, errors="coerce")
    if isinstance(numbers.dtype, np.dtype):
        values = numbers.astype(float)
    else:  # nullable (Int64, Float64) or Arrow numbers: missing values become NaN
        values = pd.Series(
            pd.array(numbers, dtype="Float64").to_numpy(dtype="float64", na_value=np.nan), index=raw.index
        )
    return values, values.isna() | ~np.isfinite(values)


def _number_hint(shown: pd.Series, mask: pd.Series, decimal: str) -> str:
    """The advice after an unparsable-number error; names the ``decimal`` option when the values
    suggest the other decimal mark."""
    bad = shown[mask].astype("string").str.strip()
    if decimal == "." and bad.str.fullmatch(_DECIMAL_COMMA, na=False).any():
        return (
            "if the file uses a decimal comma pass decimal=',' (command line: --decimal ','); "
            f"otherwise {_RAISE_HINT}"
        )
    if decimal == "." and bad.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", na=False).any():
        return f"thousands separators are not read: remove them from the source; otherwise {_RAISE_HINT}"
    if decimal == "," and bad.str.fullmatch(r"[+-]?\d*\.\d+", na=False).any():
        return (
            "if the file uses a decimal point pass decimal='.' (command line: --decimal '.'); "
            f"otherwise {_RAISE_HINT}"
        )
    return _RAISE_HINT


def _date_hint(date_format: str | None) -> str:
    """The advice after an unparsable-date error."""
    if date_format is not None:
        return (
            f"the values do not match date_format={date_format!r} (command line: --date-format); "
            f"otherwise {_RAISE_HINT}"
        )
    return (
        f"if the dates have another format pass it, e.g. date_format='%d %b %Y' (command line: "
        f"--date-format '%d %b %Y'); otherwise {_RAISE_HINT}"
    )


class _Check(NamedTuple):
    """One kind of invalid row: raised, or dropped and counted under ``reason``."""

    column: str
    mask: pd.Series
    what: str
    shown: pd.Series
    reason: str
    hint: str = _RAISE_HINT


def _apply_checks(checks: list[_Check], on_invalid: str) -> tuple[pd.Series, list[tuple[str, int]]]:
    """Each row is counted under the first check it fails. Raise ``ValueError`` on the first check with
    rows (``on_invalid="raise"``), or return (mask of invalid rows, ledger drops)."""
    invalid = pd.Series(False, index=checks[0].mask.index)
    dropped = []
    for check in checks:
        mask = check.mask.astype(bool) & ~invalid
        if mask.any():
            if on_invalid == "raise":
                raise ValueError(
                    problem(check.column, mask, len(mask), check.what, check.shown) + "; " + check.hint
                )
            dropped.append((check.reason, int(mask.sum())))
        invalid |= mask
    return invalid, dropped


def _check(column: str, mask: pd.Series, what: str, shown: pd.Series, hint: str = _RAISE_HINT) -> _Check:
    """A check whose ledger reason is ``"<column>: <what without 'have '>"``."""
    return _Check(column, mask, what, shown, f"{column}: {what.removeprefix('have ')}", hint)


def _check_columns(raw: pd.DataFrame, mapped: list[str]) -> None:
    """Raise ``ValueError`` for a mapped column the table lacks (suggesting ``sep`` when the header looks
    split on another character) or a table without rows."""
    missing = [c for c in mapped if c not in raw.columns]
    if missing:
        hint = next(
            (
                f"; the header looks {s!r}-separated: pass sep={s!r} (command line: --sep {s!r})"
                for s in (";", "\t", "|")
                if any(s in str(c) for c in raw.columns)
            ),
            "",
        )
        require_columns(raw.columns, missing, hint=hint)
    if len(raw) == 0:
        raise ValueError("the data has a header but no rows")


def _id_checks(raw: pd.Series, keep_null_ids: bool, column: str) -> tuple[pd.Series, list[_Check]]:
    """Customer ids as stripped text, and the checks for blank ids and null literals (``NULL``, ``n/a``,
    ... see :data:`NULL_ID_LITERALS`), the latter unless ``keep_null_ids``."""
    ids = raw.astype("string").str.strip()
    blank = (ids.isna() | (ids == "")).astype(bool)
    literal = ids.str.lower().isin(NULL_ID_LITERALS).fillna(False).astype(bool) & ~blank
    rows = pd.Series("row " + raw.index.astype(str), index=raw.index) if blank.any() else raw
    checks = [_check(column, blank, "have no customer id", rows)]
    if not keep_null_ids:
        checks.append(
            _Check(
                column,
                literal,
                "have a null literal instead of a customer id",
                raw,
                f"{column}: no customer id (a null literal such as 'NULL')",
                "pass keep_null_ids=True (command line: --keep-null-ids) if they are real ids; "
                f"otherwise {_RAISE_HINT}",
            )
        )
    return ids, checks


def _amount_checks(
    raw: pd.DataFrame,
    amount_col: str | None,
    quantity_col: str | None,
    unit_price_col: str | None,
    decimal: str,
) -> tuple[pd.Series, pd.Series | None, list[_Check], pd.Series]:
    """(amount, quantity or None, checks, mask of rows whose optional quantity is missing or not a number).

    With ``amount_col`` the quantity is optional: a bad one is kept as NaN (the caller notes it). With
    ``quantity_col * unit_price_col`` both are required, and a negative unit price is refused (a return
    is a negative quantity at a positive price; -1 x -5 is not a purchase of 5).
    """
    none = pd.Series(False, index=raw.index)
    if amount_col is not None:
        amount, bad_amount = _parse_number(raw[amount_col], decimal)
        checks = [
            _check(
                amount_col,
                bad_amount,
                "have an amount that is not a number",
                raw[amount_col],
                _number_hint(raw[amount_col], bad_amount, decimal),
            )
        ]
        if quantity_col is None:
            return amount, None, checks, none
        quantity, bad_qty = _parse_number(raw[quantity_col], decimal)
        return amount, quantity, checks, bad_qty
    quantity, bad_qty = _parse_number(raw[quantity_col], decimal)
    price, bad_price = _parse_number(raw[unit_price_col], decimal)
    checks = [
        _check(
            unit_price_col,
            bad_price,
            "have an amount that is not a number",
            raw[unit_price_col],
            _number_hint(raw[unit_price_col], bad_price, decimal),
        ),
        _check(
            quantity_col,
            bad_qty,
            "have a quantity that is not a number",
            raw[quantity_col],
            _number_hint(raw[quantity_col], bad_qty, decimal),
        ),
        _check(
            unit_price_col,
            price < 0,
            "have a negative unit price",
            raw[unit_price_col],
            f"a return is a negative quantity at a positive price: {_RAISE_HINT}",
        ),
    ]
    return quantity * price, quantity, checks, none


def clean_transactions(
    raw: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    unit_price_col: str | None = None,
    date_format: str | None = None,
    observation_end: str | pd.Timestamp | None = None,
    on_invalid: str = "raise",
    drop_duplicates: bool = True,
    today: str | pd.Timestamp | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    keep_null_ids: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a raw table into the transactions frame and a ledger of what was dropped, step by step.

    1. Missing mapped columns raise ``ValueError``. The amount is ``amount_col``, or
       ``quantity_col * unit_price_col`` when no amount column is given.
    2. Invalid rows raise ``ValueError`` naming the column, the count and three example values; with
       ``on_invalid="drop"`` they are dropped and counted instead: null or blank customer ids, ids that
       are a null literal (``NULL``, ``None``, ``nan``, ``N/A``, ``NA``, ``#N/A``, ``<NA>``, any case;
       kept as ordinary ids with ``keep_null_ids=True``), unparsable dates, amounts that are not numbers
       and, for quantity x unit price, a quantity that is not a number or a negative unit price.
       Customer ids are text: ``"007"`` and ``"7"`` are two customers.
       Dates: see :func:`_parse_dates` (``date_format``, else ISO 8601, else day/month/year decided by
       ``dayfirst`` or by the data; ambiguous columns raise). Numbers: see :func:`_parse_number`
       (``decimal="."`` or ``","``).
       An optional quantity (next to an amount column) that is blank or not a number keeps its row with
       quantity NaN; the ledger notes those rows (step ``"noted"``, not part of the balance).
    3. Exact duplicate rows (every column of the source equal) are dropped and counted, unless
       ``drop_duplicates=False`` (for logs in which identical rows are genuine repeat purchases).
    4. Rows dated after ``observation_end`` are dropped and counted; without an observation end,
       rows dated after ``today`` (default: the current date) are dropped as dated in the future.
    5. Returns and cancellations: in a customer-day with a negative amount the day's rows are netted
       into one row; days whose net is zero or negative are dropped and counted. Remaining rows of
       amount zero are dropped and counted.

    Returns ``(transactions, ledger)``, transactions sorted by customer and date.
    """
    if on_invalid not in {"raise", "drop"}:
        raise ValueError(f"on_invalid must be 'raise' or 'drop', not {on_invalid!r}")
    if decimal not in {".", ","}:
        raise ValueError(f"decimal must be '.' or ',' (command line: --decimal), not {decimal!r}")
    if amount_col is None and (quantity_col is None or unit_price_col is None):
        raise ValueError("give amount_col, or both quantity_col and unit_price_col")
    mapped = [customer_col, date_col] + (
        [amount_col] if amount_col is not None else [quantity_col, unit_price_col]
    )
    if amount_col is not None and quantity_col is not None:
        mapped.append(quantity_col)
    _check_columns(raw, mapped)
    n_read = len(raw)
    raw = raw.reset_index(drop=True)

    # 2. ids, dates, amounts: parse, then raise or drop
    ids, checks = _id_checks(raw[customer_col], keep_null_ids, customer_col)
    dates, bad_date = _parse_dates(raw[date_col], date_col, date_format, dayfirst)
    checks.append(
        _check(
            date_col, bad_date, "have a date that cannot be parsed", raw[date_col], _date_hint(date_format)
        )
    )
    amount, quantity, amount_checks, bad_optional_qty = _amount_checks(
        raw, amount_col, quantity_col, unit_price_col, decimal
    )
    invalid, dropped = _apply_checks(checks + amount_checks, on_invalid)
    noted = [
        (
            f"{quantity_col}: quantity blank or not a number; row kept, quantity missing",
            int((bad_optional_qty & ~invalid).sum()),
        )
    ]

    frame = pd.DataFrame({"customer_id": ids.astype(str), "date": dates, "amount": amount})
    if quantity is not None:
        frame["quantity"] = quantity
    keep = ~invalid

    # 3. exact duplicates of source rows (among rows still kept)
    if drop_duplicates:
        dup = raw[keep].duplicated(keep="first").reindex(raw.index, fill_value=False)
        dropped.append(("exact duplicate of another row", int(dup.sum())))
        keep &= ~dup

    # 4. dates after the observation end (or in the future)
    if observation_end is not None:
        end, label = pd.Timestamp(observation_end), f"dated after the observation end {observation_end}"
    else:
        end = pd.Timestamp(today if today is not None else dt.date.today())
        label = "dated in the future"
    late = keep & (frame["date"] > end)
    dropped.append((label, int(late.sum())))
    keep &= ~late

    frame = frame[keep]
    # 5. returns netted within customer and day; non-positive days and zero amounts dropped
    frame, netted = _net_returns(frame)
    dropped += netted

    frame = frame.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    return frame, _ledger(n_read, dropped, len(frame), noted)


def _net_returns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """Net each customer-day that has a negative amount into one row (amount and quantity summed; the
    quantity is NaN when one of the day's rows has none)."""
    keys = ["customer_id", "date"]
    has_return = frame.groupby(keys, sort=False)["amount"].transform("min") < 0
    plain, returns = frame[~has_return], frame[has_return]
    sums = {"amount": ("amount", "sum"), "_rows": ("amount", "size")}
    if "quantity" in frame.columns:
        sums |= {"quantity": ("quantity", "sum"), "_with_qty": ("quantity", "count")}
    netted = returns.groupby(keys, as_index=False, sort=False).agg(**sums)
    sizes = netted.pop("_rows").to_numpy()
    if "quantity" in frame.columns:
        netted["quantity"] = netted["quantity"].where(netted.pop("_with_qty").to_numpy() == sizes)
    positive = netted["amount"].to_numpy() > 0
    absorbed = int((sizes[positive] - 1).sum())
    non_positive = int(sizes[~positive].sum())
    zero = plain["amount"] == 0
    out = pd.concat([plain[~zero], netted[positive]], ignore_index=True)
    return out, [
        ("return netted into a same-day purchase", absorbed),
        ("customer-day with zero or negative total after returns", non_positive),
        ("amount of zero", int(zero.sum())),
    ]


def load_transactions(
    path: str | Path,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    unit_price_col: str | None = None,
    encoding: str = "utf-8",
    sep: str = ",",
    decimal: str = ".",
    date_format: str | None = None,
    dayfirst: bool | None = None,
    keep_null_ids: bool = False,
    observation_end: str | pd.Timestamp | None = None,
    on_invalid: str = "raise",
    drop_duplicates: bool = True,
    today: str | pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load a user's CSV or Parquet file: :func:`read_table` (``encoding``, ``sep``), then
    :func:`clean_transactions` (every other argument). Returns ``(transactions, ledger)``."""
    raw = read_table(path, encoding=encoding, sep=sep)
    return clean_transactions(
        raw,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        quantity_col=quantity_col,
        unit_price_col=unit_price_col,
        date_format=date_format,
        observation_end=observation_end,
        on_invalid=on_invalid,
        drop_duplicates=drop_duplicates,
        today=today,
        dayfirst=dayfirst,
        decimal=decimal,
        keep_null_ids=keep_null_ids,
    )


def source_key(source, observation_end=None, options: dict | None = None) -> str:
    """Which data a notebook analysed, as one text, so a later notebook can reuse a recorded figure only
    when it was computed on the same data: the source (``"cdnow"``, ``"cdnow_sample"``, or a file's
    absolute path with its size and modification time, so an edited file is a different data set), the
    observation end and the reading options."""
    if source is None or str(source) in {"cdnow", "cdnow_sample"}:
        where = None if source is None else str(source)
    else:
        path = Path(source).resolve()
        stat = path.stat() if path.exists() else None
        where = f"{path} ({stat.st_size} bytes, modified {stat.st_mtime_ns})" if stat else str(path)
    options = {k: options[k] for k in sorted(options or {})}
    return json.dumps({"data": where, "observation_end": observation_end, "options": options}, default=str)


def dataset_label(source: str | Path | None, label: str | None = None) -> str:
    """The short name of a data set in titles and sentences: ``label`` when given, ``"CDNOW"`` or
    ``"the CDNOW sample"`` for the published data, the file name without its extension for a user's
    file, and ``"the tables given"`` when there is no transaction log."""
    if label:
        return str(label)
    if source is None:
        return "the tables given"
    return {"cdnow": "CDNOW", "cdnow_sample": "the CDNOW sample"}.get(str(source), Path(str(source)).stem)


CLEANED_CACHE_ENV = "LIFECYCLE_CLEANED_CACHE"  # a folder for the run's cleaned copies (see :func:`load`)


def cleaned_copy_key(source, observation_end=None, options: dict | None = None) -> str:
    """The name of a cleaned copy of ``source``: a SHA-256 of :func:`source_key` (the file's absolute
    path, size and modification time, the observation end and the reading options), of the day the
    cleaning counts as today (rows dated after it are dropped; ``options["today"]`` or the machine's
    date) and of the package's version (its cleaning rules), so an edited file, other options, another
    day or another version never read a stale copy."""
    import hashlib

    from lifecycle_utils import __version__

    today = (options or {}).get("today") or dt.date.today()
    text = source_key(source, observation_end, options) + f"|today {pd.Timestamp(today).date()}|{__version__}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _cleaned_copy(folder: Path, source, observation_end, options: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`load`'s cleaned rows and ledger for ``source``, read from ``folder`` when a copy with the
    same key is there, else cleaned and written (atomically: a reader never sees half a file)."""
    key = cleaned_copy_key(source, observation_end, options)
    rows, ledger_path = folder / f"{key}.parquet", folder / f"{key}.ledger.parquet"
    if rows.is_file() and ledger_path.is_file():
        return pd.read_parquet(rows), pd.read_parquet(ledger_path)
    tx, ledger = _load_file(source, observation_end, **options)
    folder.mkdir(parents=True, exist_ok=True)
    for frame, path in ((tx, rows), (ledger, ledger_path)):
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        frame.to_parquet(partial, index=False)
        partial.replace(path)
    return tx, ledger


def load(
    source: str | Path | None = "cdnow",
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    unit_price_col: str | None = None,
    observation_end: str | None = None,
    encoding: str = "utf-8",
    sep: str = ",",
    decimal: str = ".",
    date_format: str | None = None,
    dayfirst: bool | None = None,
    keep_null_ids: bool = False,
    on_invalid: str = "raise",
    drop_duplicates: bool = True,
    today: str | pd.Timestamp | None = None,
    cache_dir: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a notebook's ``DATA`` parameter names: ``"cdnow"`` (the master file), ``"cdnow_sample"``,
    or a path to the user's file with its column mapping and reading options (see
    :func:`load_transactions`). With an ``observation_end``, CDNOW rows after it are dropped and counted
    too, so every source honours that parameter the same way; the other options do not apply to CDNOW,
    which is read exactly as published.

    ``source=None`` means no transaction log (a notebook run on a duration or campaign table alone):
    returns ``(None, None)``. A file of which no row survives cleaning raises ``ValueError`` with the
    ledger, since nothing could be analysed.

    **One cleaned copy per run.** With ``cache_dir`` (or the environment variable
    :data:`CLEANED_CACHE_ENV`, which ``report.run_notebooks`` sets for the notebooks it runs), a user's
    file is cleaned once: the cleaned rows and the ledger are written there as Parquet, keyed by
    :func:`cleaned_copy_key` (the file's path, size and modification time, the observation end and
    every reading option), and a later call with the same key reads them back instead of cleaning
    again: the same frame and ledger (tested)."""
    if source is None:
        return None, None
    if str(source) in {"cdnow", "cdnow_sample"}:  # published data: cleaning options do not apply
        tx, ledger = load_cdnow() if str(source) == "cdnow" else load_cdnow_sample()
        if observation_end is None:
            return tx, ledger
        late = tx["date"] > pd.Timestamp(observation_end)
        kept = tx[~late].reset_index(drop=True)
        return kept, _ledger(
            len(tx), [(f"dated after the observation end {observation_end}", int(late.sum()))], len(kept)
        )
    options = dict(
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        quantity_col=quantity_col,
        unit_price_col=unit_price_col,
        encoding=encoding,
        sep=sep,
        decimal=decimal,
        date_format=date_format,
        dayfirst=dayfirst,
        keep_null_ids=keep_null_ids,
        on_invalid=on_invalid,
        drop_duplicates=drop_duplicates,
        today=today,
    )
    cache_dir = cache_dir or os.environ.get(CLEANED_CACHE_ENV) or None
    if cache_dir is None:
        return _load_file(source, observation_end, **options)
    return _cleaned_copy(Path(cache_dir), source, observation_end, options)


def _load_file(source, observation_end, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`load_transactions` for :func:`load`: a file of which no row survives is an error."""
    tx, ledger = load_transactions(source, observation_end=observation_end, **options)
    if tx.empty:
        raise ValueError(
            f"no row of {Path(source).name} survived cleaning, so there is nothing to analyse; "
            f"the ledger:\n{ledger.to_string(index=False)}"
        )
    return tx, ledger


# ------------------------------------------------------------------------------------------ overview
def describe_transactions(tx: pd.DataFrame) -> pd.Series:
    """Headline facts of a transactions frame: rows, customers, first and last date, days covered,
    total and mean amount per row (currency of the data), purchase occasions (distinct customer-days)."""
    occasions = tx[["customer_id", "date"]].drop_duplicates()
    return pd.Series(
        {
            "rows": len(tx),
            "customers": tx["customer_id"].nunique(),
            "purchase occasions (customer-days)": len(occasions),
            "first date": tx["date"].min().date().isoformat(),
            "last date": tx["date"].max().date().isoformat(),
            "days covered": int((tx["date"].max() - tx["date"].min()).days) + 1,
            "total amount": round(float(tx["amount"].sum()), 2),
            "mean amount per row": round(float(tx["amount"].mean()), 2),
        },
        name="value",
        dtype=object,
    )


def quality_checks(tx: pd.DataFrame) -> pd.DataFrame:
    """Rows of a transactions frame that a cleaning policy would look at, counted but not removed:
    amount of zero, negative amounts, exact duplicate rows, several rows on one customer-day
    (merged into one purchase occasion by every per-customer summary). Columns: ``check``, ``rows``,
    ``share`` (of all rows, in %)."""
    checks = {
        "amount of zero": int((tx["amount"] == 0).sum()),
        "negative amount": int((tx["amount"] < 0).sum()),
        "exact duplicate of another row": int(tx.duplicated().sum()),
        "extra rows on the same customer-day": int(tx.duplicated(["customer_id", "date"]).sum()),
        "missing customer id": int(tx["customer_id"].isna().sum()),
    }
    out = pd.DataFrame({"check": list(checks), "rows": list(checks.values())})
    out["share"] = (100 * out["rows"] / max(len(tx), 1)).round(2)
    return out
