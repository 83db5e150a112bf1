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

Ledger: a frame with columns ``step`` (``"read"``, ``"dropped"``, ``"kept"``), ``reason`` and ``rows``;
``rows read == rows kept + sum(rows dropped)`` always (see :func:`check_ledger`).

The cleaning policy for user data is documented in ``data/README.md`` and in :func:`clean_transactions`.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from lifecycle_utils._lifetimes import dataset_path

TRANSACTION_COLUMNS = ["customer_id", "date", "amount"]

CDNOW_START = pd.Timestamp("1997-01-01")
CDNOW_END = pd.Timestamp("1998-06-30")

_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


# --------------------------------------------------------------------------------------------- ledger
def _ledger(rows_read: int, dropped: list[tuple[str, int]], rows_kept: int) -> pd.DataFrame:
    records = [("read", "rows in the source", rows_read)]
    records += [("dropped", reason, n) for reason, n in dropped if n]
    records += [("kept", "rows kept", rows_kept)]
    ledger = pd.DataFrame(records, columns=["step", "reason", "rows"])
    check_ledger(ledger)
    return ledger


def check_ledger(ledger: pd.DataFrame) -> None:
    """Raise ``AssertionError`` unless rows read == rows kept + rows dropped (summed over reasons)."""
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
def read_table(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV (any delimiter pandas can sniff is not attempted: comma-separated) or Parquet file
    with every CSV column as text, so ids keep their leading zeros and nothing is parsed silently.

    Raises ``ValueError`` for a missing file, an empty file, or text that is not in ``encoding``
    (the message says which encoding to pass instead).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {path} does not exist")
    if path.suffix.lower() in {".parquet", ".pq"}:
        frame = pd.read_parquet(path)
    else:
        try:
            frame = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False, na_values=[""])
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path.name} is not {encoding} text ({err.reason} at byte {err.start}); "
                "pass the file's encoding, e.g. encoding='latin-1'"
            ) from None
        except pd.errors.EmptyDataError:
            raise ValueError(f"{path.name} is empty: no header and no rows") from None
    if frame.empty:
        raise ValueError(f"{path.name} has a header but no rows")
    return frame


def _examples(values: pd.Series, k: int = 3) -> str:
    return ", ".join(repr(v) for v in values.head(k).tolist())


def _problem(column: str, mask: pd.Series, what: str, shown: pd.Series) -> str:
    n = int(mask.sum())
    return f"column '{column}': {n} of {len(mask)} rows {what} (e.g. {_examples(shown[mask])})"


def _parse_dates(raw: pd.Series, column: str, date_format: str | None) -> tuple[pd.Series, pd.Series]:
    """Parse a date column to naive day timestamps; return (dates, unparsable mask).

    Text with a UTC offset (``+02:00``, ``Z``) mixed with text without one is ambiguous and raises.
    When every value carries an offset, values are converted to UTC and the zone is dropped.
    """
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        dates = raw.dt.tz_convert("UTC").dt.tz_localize(None)
    elif pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        text = raw.astype("string").str.strip()
        present = text.notna()
        aware = text.str.contains(_TZ_SUFFIX, na=False)
        if aware.any() and (present & ~aware).any():
            raise ValueError(
                f"column '{column}': {int(aware.sum())} rows carry a time zone and "
                f"{int((present & ~aware).sum())} do not (e.g. {_examples(raw[aware], 1)} and "
                f"{_examples(raw[present & ~aware], 1)}); make the column consistent before loading"
            )
        with warnings.catch_warnings():
            # Without date_format pandas infers the format from the first value and parses the rest
            # one by one when that fails; the rows it cannot parse are reported below, so its own
            # notice about the fallback is redundant.
            warnings.filterwarnings("ignore", message="Could not infer format", category=UserWarning)
            dates = pd.to_datetime(text, format=date_format, errors="coerce", utc=bool(aware.any()))
        if aware.any():
            dates = dates.dt.tz_localize(None)
    dates = pd.Series(dates, index=raw.index).dt.normalize()
    return dates, dates.isna()


def _parse_number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    return values, values.isna() | ~np.isfinite(values)


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
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a raw table into the transactions frame and a ledger of what was dropped, step by step.

    1. Missing mapped columns raise ``ValueError``. The amount is ``amount_col``, or
       ``quantity_col * unit_price_col`` when no amount column is given.
    2. Null or blank customer ids, unparsable dates and unparsable amounts raise ``ValueError`` naming
       the column, the count and three example values; with ``on_invalid="drop"`` they are dropped and
       counted instead. Customer ids are text: ``"007"`` and ``"7"`` are two customers.
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
    if amount_col is None and (quantity_col is None or unit_price_col is None):
        raise ValueError("give amount_col, or both quantity_col and unit_price_col")
    mapped = [customer_col, date_col] + (
        [amount_col] if amount_col is not None else [quantity_col, unit_price_col]
    )
    if amount_col is not None and quantity_col is not None:
        mapped.append(quantity_col)
    missing = [c for c in mapped if c not in raw.columns]
    if missing:
        raise ValueError(
            f"missing column(s) {', '.join(repr(c) for c in missing)} in {len(raw)} rows; "
            f"columns found: {', '.join(map(str, raw.columns))}"
        )
    n_read = len(raw)
    if n_read == 0:
        raise ValueError("the data has a header but no rows")
    raw = raw.reset_index(drop=True)
    dropped: list[tuple[str, int]] = []

    # 2. ids, dates, amounts: parse, then raise or drop
    ids = raw[customer_col].astype("string").str.strip()
    bad_id = ids.isna() | (ids == "")
    dates, bad_date = _parse_dates(raw[date_col], date_col, date_format)
    if amount_col is not None:
        amount, bad_amount = _parse_number(raw[amount_col])
        amount_label = amount_col
        quantity, bad_qty = (
            _parse_number(raw[quantity_col]) if quantity_col else (None, pd.Series(False, index=raw.index))
        )
    else:
        quantity, bad_qty = _parse_number(raw[quantity_col])
        price, bad_price = _parse_number(raw[unit_price_col])
        amount = quantity * price
        bad_amount = bad_price
        amount_label = unit_price_col
    checks = [
        (customer_col, bad_id, "have no customer id", pd.Series("row " + raw.index.astype(str), index=raw.index)),
        (date_col, bad_date & ~bad_id, "have a date that cannot be parsed", raw[date_col]),
        (amount_label, bad_amount & ~bad_id & ~bad_date, "have an amount that is not a number",
         raw[amount_label]),
    ]
    if quantity_col:
        checks.append((quantity_col, bad_qty & ~bad_id & ~bad_date & ~bad_amount,
                       "have a quantity that is not a number", raw[quantity_col]))
    for column, mask, what, shown in checks:
        if mask.any():
            if on_invalid == "raise":
                raise ValueError(
                    _problem(column, mask, what, shown) + "; fix the source or pass on_invalid='drop'"
                )
            dropped.append((f"{column}: {what.removeprefix('have ')}", int(mask.sum())))
    valid = ~(bad_id | bad_date | bad_amount | bad_qty)

    frame = pd.DataFrame({"customer_id": ids.astype(str), "date": dates, "amount": amount})
    if quantity is not None:
        frame["quantity"] = quantity
    keep = valid.copy()

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
    return frame, _ledger(n_read, dropped, len(frame))


def _net_returns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    keys = ["customer_id", "date"]
    has_return = frame.groupby(keys, sort=False)["amount"].transform("min") < 0
    plain, returns = frame[~has_return], frame[has_return]
    sums = {"amount": "sum"} | ({"quantity": "sum"} if "quantity" in frame.columns else {})
    netted = returns.groupby(keys, as_index=False, sort=False).agg(sums)
    sizes = returns.groupby(keys, sort=False).size().to_numpy()
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
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    unit_price_col: str | None = None,
    encoding: str = "utf-8",
    **cleaning,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load a user's CSV or Parquet file: :func:`read_table`, then :func:`clean_transactions`
    (``cleaning`` takes its keyword arguments: ``date_format``, ``observation_end``, ``on_invalid``,
    ``drop_duplicates``, ``today``). Returns ``(transactions, ledger)``."""
    raw = read_table(path, encoding=encoding)
    return clean_transactions(
        raw, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
        quantity_col=quantity_col, unit_price_col=unit_price_col, **cleaning,
    )


def load(
    source: str | Path = "cdnow",
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    unit_price_col: str | None = None,
    observation_end: str | None = None,
    **cleaning,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a notebook's ``DATA`` parameter names: ``"cdnow"`` (the master file), ``"cdnow_sample"``,
    or a path to the user's file with its column mapping. With an ``observation_end``, CDNOW rows after
    it are dropped and counted too, so every source honours that parameter the same way."""
    if str(source) in {"cdnow", "cdnow_sample"}:  # published data: cleaning options do not apply
        tx, ledger = load_cdnow() if str(source) == "cdnow" else load_cdnow_sample()
        if observation_end is None:
            return tx, ledger
        late = tx["date"] > pd.Timestamp(observation_end)
        kept = tx[~late].reset_index(drop=True)
        return kept, _ledger(len(tx), [(f"dated after the observation end {observation_end}",
                                         int(late.sum()))], len(kept))
    return load_transactions(
        source, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
        quantity_col=quantity_col, unit_price_col=unit_price_col, observation_end=observation_end,
        **cleaning,
    )


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
