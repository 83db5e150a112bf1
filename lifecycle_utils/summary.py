"""Per-customer summaries of a transactions frame, as of a date, and the calibration/holdout split.

Definitions (those of the BTYD literature and of lifetimes' ``summary_data_from_transaction_data``):

* a **purchase occasion** is a distinct customer-day: several rows on one day are one occasion and
  their amounts are summed (lifetimes merges same-period purchases the same way);
* ``frequency`` = occasions - 1, the number of *repeat* occasions;
* ``recency`` = time from the first to the last occasion (0 for one-time buyers);
* ``T`` = time from the first occasion to the observation end (the customer's age);
* ``monetary_value`` = mean spend of the repeat occasions (0 when there are none);
* time is in ``period`` units: ``"D"`` days or ``"W"`` weeks of exactly 7 days (days / 7).

Always read ``T`` as ``df["T"]``: ``df.T`` is the transpose.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "PERIOD_DAYS",
    "OccasionArrays",
    "occasion_arrays",
    "occasion_frame",
    "occasions",
    "occasion_sequence",
    "customer_summary",
    "whole_periods",
    "calibration_holdout",
    "split_totals",
    "occasions_distribution",
    "weekly_activity",
    "spend_quantiles",
    "summary_overview",
    "column_headers",
    "end_of_observation",
    "calibration_weeks",
    "default_calibration_end",
    "customer_summary_from_file",
]

PERIOD_DAYS = {"D": 1, "W": 7}


def _period_days(period: str) -> int:
    if period not in PERIOD_DAYS:
        raise ValueError(f"period must be 'D' (days) or 'W' (weeks of 7 days), not {period!r}")
    return PERIOD_DAYS[period]


class OccasionArrays(NamedTuple):
    """Purchase occasions as flat arrays, sorted by customer (in the order of ``ids``) and day.

    ``ids``: the distinct customer ids, sorted; ``customer``: position of each occasion's customer in
    ``ids``; ``day``: days since 1970-01-01; ``amount``: the day's summed spend; ``starts``: position of
    each customer's first occasion (so customer ``i`` owns rows ``starts[i]`` to ``starts[i + 1] - 1``).
    """

    ids: pd.Index
    customer: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    starts: np.ndarray


def _bounds(sorted_values: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values starts in a sorted array."""
    if len(sorted_values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of the customer ids and the distinct ids, both in *sorted id order* (code ``i``
    is ``index[i]``). One hash pass over the ids; null ids are refused.

    Fast path: ids held by Arrow (pandas' default string dtype) that are ASCII and at most 8 bytes
    long (``"0001"``, ``"C123456"``: most ids) are packed into one unsigned 64-bit integer each, read
    straight from the Arrow buffers; hashing and sorting integers is about twice as fast as strings.
    Packing is big-endian and left-aligned, so integer order is the ids' text order and distinct ids
    stay distinct. Anything else takes ``pd.factorize`` on the strings: same result, slower."""
    keys = _packed_ids(ids)
    if keys is not None:
        codes, uniques = pd.factorize(keys)
        del keys
        order = np.argsort(uniques)
        index = pd.Index(_unpack_ids(uniques[order]), dtype=ids.dtype, name="customer_id")
    else:
        codes, uniques = pd.factorize(ids, sort=False)
        missing = int((codes < 0).sum())
        if missing:
            raise ValueError(f"customer_id: {missing} rows have no customer id; clean the data first")
        order = np.asarray(uniques.argsort())
        index = pd.Index(uniques.take(order), name="customer_id")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return np.take(rank, codes, out=codes, mode="clip"), index  # in place (unbuffered): one array of codes


def _packed_ids(ids: pd.Series) -> np.ndarray | None:
    """Each id as a uint64 (its ASCII bytes, big-endian, padded with zero bytes on the right), or
    ``None`` when the ids are not Arrow strings of 1 to 8 ASCII characters without nulls."""
    import pyarrow as pa

    dtype = ids.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or len(ids) == 0:
        return None
    try:
        chunked = ids.array.__arrow_array__()
    except (AttributeError, TypeError):
        return None
    if chunked.null_count:
        return None
    keys, filled = np.empty(len(ids), dtype=np.uint64), 0
    for chunk in chunked.chunks:
        if chunk.type not in (pa.string(), pa.large_string()):
            return None
        width_type = np.int32 if chunk.type == pa.string() else np.int64
        _, offset_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(
            offset_buffer,
            dtype=width_type,
            count=len(chunk) + 1,
            offset=chunk.offset * np.dtype(width_type).itemsize,
        ).astype(np.int64)
        lengths = np.diff(offsets)
        if len(lengths) == 0:
            continue
        width = int(lengths.max())
        if width > 8 or lengths.min() == 0:
            return None
        data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data.max() >= 128 or data.min() == 0:
            return None
        block = np.zeros((len(chunk), 8), dtype=np.uint8)
        if lengths.min() == width:  # one width: the bytes already form a table
            block[:, :width] = data.reshape(-1, width)
        else:
            starts = offsets[:-1] - offsets[0]
            for j in range(width):
                has = lengths > j
                block[has, j] = data[starts[has] + j]
        keys[filled : filled + len(chunk)] = block.view(">u8").ravel()
        filled += len(chunk)
    return keys


def _unpack_ids(keys: np.ndarray) -> np.ndarray:
    """:func:`_packed_ids` back to text (trailing zero bytes dropped)."""
    return keys.astype(">u8").view("S8").astype(str)


def _text_ids(packed: np.ndarray, dtype) -> pd.Index:
    """Ids packed by :func:`lifecycle_utils.summary._packed_ids` (ASCII, at most 8 bytes, big-endian,
    zero bytes on the right) back to text of ``dtype``, built from Arrow buffers (no Python strings)."""
    import pyarrow as pa

    data = packed.astype(">u8").view(np.uint8).reshape(-1, 8)
    used = data != 0
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(used.sum(axis=1), out=offsets[1:])
    text = pa.LargeStringArray.from_buffers(len(data), pa.py_buffer(offsets), pa.py_buffer(data[used]))
    return pd.Index(pd.array(text, dtype=dtype), name="customer_id")


def _sort(values: np.ndarray) -> None:
    """Sort ``values`` in place. With two cores or more, a large array's halves are sorted at the same
    time (numpy's sort lets go of the GIL) and then merged by numpy's stable sort, which finds the two
    sorted runs and merges them in one pass: the same result in about 60% of the time."""
    if len(values) < 1_000_000 or (os.cpu_count() or 1) < 2:
        values.sort()
        return
    half = len(values) // 2
    other = threading.Thread(target=values[:half].sort)
    other.start()
    values[half:].sort()
    other.join()
    values.sort(kind="stable")


def _occasion_keys(tx: pd.DataFrame, coded: tuple[np.ndarray, pd.Index] | None = None):
    """The purchase occasions (distinct customer-days, as :func:`lifecycle_utils.summary.occasions`) of a
    non-empty ``tx`` as one sorted array of integer keys ``number << bits | day``: ``day`` counts the days
    since ``first_day`` (the log's first day, in days since 1970-01-01), ``span`` is the days the log
    spans (``span <= 2 ** bits``) and ``number`` is the customer's number, in the ids' sorted order.
    Returns ``(keys, bits, span, first_day, ids_of)``, where ``ids_of`` turns numbers into the ids (a
    ``customer_id`` index).

    The number is the id itself where that is cheap: ids of at most 8 ASCII characters held by Arrow
    (pandas' default strings) are packed into one integer each, whose order is the ids' text order;
    when the packed ids, less the smallest of them and shifted past the days, fit in 63 bits, the number
    is that difference and the ids are never hashed. Otherwise the number is the id's rank among the
    distinct ids (:func:`_customer_codes`, which refuses null ids; ``coded`` is its result when the
    caller has it already: the codes are then reused, not computed again, and become the keys). One
    sort of the keys then groups rows into occasions and occasions into customers."""
    packed = _packed_ids(tx["customer_id"])
    day = tx["date"].to_numpy().astype("datetime64[D]").view(np.int64)  # floored to the day, as summary's
    first_day = int(day.min())
    span = int(day.max()) - first_day + 1
    bits = max(span - 1, 1).bit_length()
    day -= first_day
    if packed is not None:
        # drop the zero bytes every id ends with (the padding of ids shorter than 8 characters)
        used = int(np.bitwise_or.reduce(packed))
        shift = 8 * ((used & -used).bit_length() - 1 >> 3)
        packed >>= np.uint64(shift)
        low = int(packed.min())
    if packed is not None and (int(packed.max()) - low) >> (63 - bits) == 0:
        packed -= np.uint64(low)
        number = packed.view(np.int64)
        del packed
        dtype = tx["customer_id"].dtype

        def ids_of(numbers: np.ndarray) -> pd.Index:
            return _text_ids((numbers.astype(np.uint64) + np.uint64(low)) << np.uint64(shift), dtype)

    else:
        del packed
        number, index = (
            (coded[0].copy(), coded[1]) if coded is not None else _customer_codes(tx["customer_id"])
        )

        def ids_of(numbers: np.ndarray) -> pd.Index:
            return index.take(numbers)

    number <<= bits
    number |= day
    del day
    _sort(number)
    distinct = np.empty(len(number), dtype=bool)
    distinct[0] = True
    np.not_equal(number[1:], number[:-1], out=distinct[1:])
    return number[distinct], bits, span, first_day, ids_of


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (floored: a purchase at 23:59 counts on its own day)."""
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def _dates(day_numbers: np.ndarray, date_dtype) -> np.ndarray:
    """Days since 1970-01-01 back to dates of ``date_dtype`` (the input's datetime unit)."""
    return day_numbers.astype("datetime64[D]").astype(date_dtype)


def occasion_arrays(tx: pd.DataFrame) -> OccasionArrays:
    """The purchase occasions of ``tx`` (columns ``customer_id``, ``date``, ``amount``) as
    :class:`OccasionArrays`.

    How it is fast: customer ids are hashed once into integer codes (the only pass over the text),
    each row gets one integer key ``customer * days_spanned + day``, and a single integer sort groups
    rows into occasions and occasions into customers; sums are segment sums over that order. No
    groupby on text, no Python loop. Null ids are refused (``ValueError`` with the count).
    """
    codes, ids = _customer_codes(tx["customer_id"])
    day = _day_numbers(tx["date"])
    amount = tx["amount"].to_numpy(dtype=float)
    if len(day) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return OccasionArrays(ids, empty, empty, np.zeros(0), empty)
    first_day = day.min()
    span = int(day.max() - first_day) + 1
    key = codes * span + (day - first_day)
    del codes, day
    sort = np.argsort(key)
    key = key[sort]
    amount = amount[sort]
    del sort
    occasion_starts = _bounds(key)
    amount = np.add.reduceat(amount, occasion_starts)
    customer, day = np.divmod(key[occasion_starts], span)
    return OccasionArrays(ids, customer, day + first_day, amount, _bounds(customer))


def occasion_frame(occ: OccasionArrays, date_dtype) -> pd.DataFrame:
    """:class:`OccasionArrays` as a frame: ``customer_id``, ``date`` (of ``date_dtype``), ``amount``."""
    return pd.DataFrame(
        {
            "customer_id": occ.ids.take(occ.customer).to_numpy(),
            "date": _dates(occ.day, date_dtype),
            "amount": occ.amount,
        }
    )


def occasions(tx: pd.DataFrame) -> pd.DataFrame:
    """One row per purchase occasion (customer-day): ``customer_id``, ``date`` (day), ``amount``
    (sum of the day's rows). Sorted by customer and date."""
    return occasion_frame(occasion_arrays(tx), tx["date"].dtype)


def occasion_sequence(tx: pd.DataFrame) -> pd.DataFrame:
    """:func:`occasions` with each occasion's place in the customer's sequence: ``k`` (1 = first),
    ``previous`` and ``next`` (the dates of the customer's previous and next occasions, NaT where there
    is none). The one definition of "next purchase" that stages, gaps and churn build on. Built on the
    sorted occasion arrays: no groupby."""
    arrays = occasion_arrays(tx)
    occ = occasion_frame(arrays, tx["date"].dtype)
    n = len(occ)
    occ["k"] = np.arange(n) - np.repeat(arrays.starts, np.diff(np.append(arrays.starts, n))) + 1
    dates = occ["date"]
    same_as_previous = np.zeros(n, dtype=bool)
    same_as_previous[1:] = arrays.customer[1:] == arrays.customer[:-1]
    occ["previous"] = dates.shift(1).where(same_as_previous)
    same_as_next = np.zeros(n, dtype=bool)
    same_as_next[:-1] = same_as_previous[1:]
    occ["next"] = dates.shift(-1).where(same_as_next)
    return occ


def customer_summary(
    tx: pd.DataFrame | str | os.PathLike,
    observation_end: str | pd.Timestamp | None = None,
    period: str = "W",
) -> pd.DataFrame:
    """One row per customer (index ``customer_id``, sorted) as of ``observation_end`` (default: last
    date in ``tx``); rows after it are ignored.

    Columns: ``first_purchase``, ``last_purchase`` (dates), ``occasions``, ``frequency`` (repeat
    occasions), ``recency``, ``T`` (both in ``period`` units), ``monetary_value`` (mean repeat-occasion
    spend), ``total_spend`` (all occasions), ``first_spend`` (first occasion).

    ``tx`` is a transactions frame, or the path of a CSV or Parquet file with the same columns: a
    file is summarised by DuckDB without loading it into pandas (see :func:`customer_summary_from_file`,
    which also maps other column names), for logs larger than memory. Both paths give the same table.
    Vectorised over flat integer arrays: ids hashed once to codes, one sort of integer (customer, day)
    keys for the occasions, spends by ``bincount`` in row order; no groupby on text, no loop.
    """
    if not isinstance(tx, pd.DataFrame):
        return customer_summary_from_file(tx, observation_end=observation_end, period=period)
    days = _period_days(period)
    end = end_of_observation(tx["date"], observation_end)
    late = tx["date"] > end
    if late.any():
        tx = tx[~late]
    if len(tx):
        # two things at once (numpy and pandas' hashing let go of the GIL): the rows' customer codes,
        # for the spends, and the sorted occasion keys, for the days (the keys need no codes when the
        # ids pack into integers; otherwise they are built from the codes, one after the other)
        with ThreadPoolExecutor(max_workers=1) as pool:
            coded = pool.submit(_customer_codes, tx["customer_id"])
            if _packed_ids(tx["customer_id"].iloc[:1]) is None:  # cheap: ids that cannot pack at all
                keys, bits, _, origin, _ = _occasion_keys(tx, coded.result())
            else:
                keys, bits, _, origin, _ = _occasion_keys(tx)
            codes, ids = coded.result()
        n_customers = len(ids)
        occasion_day = keys & ((1 << bits) - 1)
        keys >>= bits
        starts = _bounds(keys)  # every customer owns at least one occasion, in the ids' sorted order
        del keys
        stops = np.append(starts[1:], len(occasion_day))
        first_day, last_day, count = occasion_day[starts], occasion_day[stops - 1], stops - starts
        del occasion_day
        # spends by row, without reordering the rows: totals, and the first occasion's rows
        amount = tx["amount"].to_numpy(dtype=float)
        total = np.bincount(codes, weights=amount, minlength=n_customers)
        on_first_day = _day_numbers(tx["date"]) - origin == first_day[codes]
        first_spend = np.bincount(codes[on_first_day], weights=amount[on_first_day], minlength=n_customers)
        first_day, last_day = first_day + origin, last_day + origin
    else:
        codes, ids = _customer_codes(tx["customer_id"])
        n_customers = 0
        first_day = last_day = count = np.zeros(0, dtype=np.int64)
        total = first_spend = np.zeros(0)
    frequency = count - 1
    end_day = (end.normalize() - pd.Timestamp("1970-01-01")).days
    monetary = np.divide(total - first_spend, frequency, out=np.zeros(n_customers), where=frequency > 0)
    date_dtype = tx["date"].dtype
    return pd.DataFrame(
        {
            "first_purchase": _dates(first_day, date_dtype),
            "last_purchase": _dates(last_day, date_dtype),
            "occasions": count.astype(np.int64),
            "frequency": frequency.astype(np.int64),
            "recency": (last_day - first_day) / days,
            "T": (end_day - first_day) / days,
            "monetary_value": monetary,
            "total_spend": total,
            "first_spend": first_spend,
        },
        index=ids,
    )


def whole_periods(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` with ``recency`` and ``T`` rounded down to whole periods (weeks for a weekly summary)
    since each customer's first purchase; ``frequency`` still counts purchase days.

    Why: the model likelihoods depend on (frequency, recency, T) only, so customers with equal triples
    can be fitted once with a weight (:func:`lifecycle_utils.clv.compress`). Day-resolution ages are
    nearly unique over a large base (about 680,000 distinct triples among 1M simulated customers);
    whole weeks leave about 120,000, which is what makes fits on millions of customers take seconds.
    The cost is under a period of resolution on recency and age (lifetimes' ``freq="W"`` goes
    further and also merges repeat purchases within a calendar week, undercounting frequency).
    On the benchmark's simulated data a BG/NBD fit moves by less than it does from day-level
    same-day merging (``make bench`` writes the comparison to ``benchmarks/results/bench.md``)."""
    out = summary.copy()
    out["recency"] = np.floor(out["recency"] + 1e-9)  # days / 7 can land a hair below a whole week
    out["T"] = np.floor(out["T"] + 1e-9)
    return out


def calibration_holdout(
    tx: pd.DataFrame,
    calibration_end: str | pd.Timestamp,
    *,
    observation_end: str | pd.Timestamp,
    period: str = "W",
) -> pd.DataFrame:
    """Split into a calibration period (up to and including ``calibration_end``) and a holdout period
    (after it, up to and including ``observation_end``), for customers whose first purchase falls in
    the calibration period.

    Columns as lifetimes' ``calibration_and_holdout_data``: ``frequency_cal``, ``recency_cal``,
    ``T_cal``, ``monetary_value_cal`` (calibration summary), ``frequency_holdout`` (purchase occasions
    in the holdout), ``monetary_value_holdout`` (mean holdout occasion spend, 0 without any),
    ``duration_holdout`` (holdout length in ``period`` units).
    """
    days = _period_days(period)
    cal_end, obs_end = pd.Timestamp(calibration_end), pd.Timestamp(observation_end)
    if obs_end <= cal_end:
        raise ValueError(f"observation_end {obs_end.date()} must be after calibration_end {cal_end.date()}")
    cal = customer_summary(tx, observation_end=cal_end, period=period)
    cal = cal[["frequency", "recency", "T", "monetary_value"]].add_suffix("_cal")
    hold = occasions(tx[(tx["date"] > cal_end) & (tx["date"] <= obs_end)])
    hold = hold.groupby("customer_id").agg(
        frequency_holdout=("date", "size"), monetary_value_holdout=("amount", "mean")
    )
    out = cal.join(hold, how="left")
    out["frequency_holdout"] = out["frequency_holdout"].fillna(0).astype(float)
    out["monetary_value_holdout"] = out["monetary_value_holdout"].fillna(0.0)
    out["duration_holdout"] = (obs_end.normalize() - cal_end.normalize()).days / days
    return out


def split_totals(split: pd.DataFrame) -> pd.Series:
    """The published summary of a calibration/holdout split: customers, repeat transactions in the
    calibration period, customers with at least one repeat, repeat transactions in the holdout."""
    return pd.Series(
        {
            "customers": len(split),
            "repeat transactions, calibration": int(split["frequency_cal"].sum()),
            "customers with a repeat, calibration": int((split["frequency_cal"] > 0).sum()),
            "repeat transactions, holdout": int(split["frequency_holdout"].sum()),
        },
        name="value",
    )


def occasions_distribution(summary: pd.DataFrame, cap: int = 10) -> pd.DataFrame:
    """Customers by number of purchase occasions, the last bucket being ``cap`` or more.
    Columns: ``occasions`` (label), ``customers``, ``share`` (% of customers), ``cumulative share`` (%)."""
    capped = summary["occasions"].clip(upper=cap)
    counts = capped.value_counts().sort_index()
    labels = [f"{k}+" if k == cap else str(k) for k in counts.index]
    out = pd.DataFrame({"occasions": labels, "customers": counts.to_numpy()})
    out["share"] = (100 * out["customers"] / out["customers"].sum()).round(1)
    out["cumulative share"] = out["share"].cumsum().round(1)
    return out


def weekly_activity(tx: pd.DataFrame) -> pd.DataFrame:
    """Activity per 7-day week counted from the first date in ``tx`` (week 1 starts that day), every
    week to the last one included (a week without purchases has zeros): ``week``, ``week_start`` (date),
    ``occasions`` (customer-days), ``customers`` (distinct buyers), ``new customers`` (first purchase
    that week), ``revenue`` (sum of amounts)."""
    occ = occasions(tx)
    start = occ["date"].min()
    occ["week"] = (occ["date"] - start).dt.days // 7 + 1
    first = occ.groupby("customer_id")["week"].transform("min")
    occ["is_new"] = (occ["week"] == first) & ~occ.duplicated(["customer_id", "week"])
    out = occ.groupby("week").agg(
        occasions=("customer_id", "size"),
        customers=("customer_id", "nunique"),
        **{"new customers": ("is_new", "sum")},
        revenue=("amount", "sum"),
    )
    out = out.reindex(pd.RangeIndex(1, int(out.index.max()) + 1, name="week"), fill_value=0)
    out.insert(0, "week_start", start + pd.to_timedelta((out.index - 1) * 7, unit="D"))
    return out.reset_index()


def spend_quantiles(
    values: pd.Series, quantiles: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
) -> pd.Series:
    """Quantiles of a spend series (e.g. occasion amounts), rounded to cents, with the mean."""
    out = values.quantile(list(quantiles)).round(2)
    out.index = [f"p{round(q * 100)}" for q in quantiles]
    out["mean"] = round(float(values.mean()), 2)
    return out


def summary_overview(summary: pd.DataFrame, period: str = "W") -> pd.Series:
    """Headline facts of a customer summary: customers, repeat customers and their share (%), mean
    repeat occasions, median recency and age ``T`` (in ``period`` units), mean and median total spend
    (currency of the data), and the share of revenue from repeat occasions (%)."""
    unit = {"D": "days", "W": "weeks"}[period if period in PERIOD_DAYS else _period_days(period)]
    repeaters = int((summary["frequency"] > 0).sum())
    total = float(summary["total_spend"].sum())
    repeat_revenue = float((summary["total_spend"] - summary["first_spend"]).sum())
    return pd.Series(
        {
            "customers": len(summary),
            "repeat customers": repeaters,
            "repeat customers (%)": round(100 * repeaters / len(summary), 1),
            "mean repeat occasions": round(float(summary["frequency"].mean()), 2),
            f"median recency ({unit})": round(float(summary["recency"].median()), 1),
            f"median age T ({unit})": round(float(summary["T"].median()), 1),
            "mean total spend": round(float(summary["total_spend"].mean()), 2),
            "median total spend": round(float(summary["total_spend"].median()), 2),
            "revenue from repeat occasions (%)": round(100 * repeat_revenue / total, 1) if total else 0.0,
        },
        name="value",
        dtype=object,
    )


def column_headers(period: str = "W") -> dict[str, str]:
    """Readable headers, with units, for the columns of a :func:`customer_summary` table made with
    ``period`` (for ``tables.show(..., headers=...)``)."""
    unit = {"D": "days", "W": "weeks"}[period if period in PERIOD_DAYS else _period_days(period)]
    return {
        "first_purchase": "first purchase",
        "last_purchase": "last purchase",
        "occasions": "purchase occasions",
        "frequency": "repeat occasions",
        "recency": f"recency ({unit})",
        "T": f"age T ({unit})",
        "monetary_value": "mean repeat spend",
        "total_spend": "total spend",
        "first_spend": "first spend",
    }


def end_of_observation(dates: pd.Series, given=None) -> pd.Timestamp:
    """The end of observation: ``given`` (a date or text like ``"2024-12-31"``) when there is one,
    otherwise the last of ``dates`` (the data's last day)."""
    return pd.Timestamp(given) if given is not None else pd.Timestamp(dates.max())


def calibration_weeks(tx: pd.DataFrame, calibration_end) -> int:
    """Whole 7-day weeks from the first day of ``tx`` to ``calibration_end`` inclusive (39 on CDNOW with
    :func:`default_calibration_end`)."""
    first = pd.Timestamp(tx["date"].min()).normalize()
    return int(((pd.Timestamp(calibration_end) - first).days + 1) // 7)


def default_calibration_end(tx: pd.DataFrame) -> pd.Timestamp:
    """The end of the calibration period when none is given: the first half of the observed days,
    rounded down to whole 7-day weeks. On CDNOW (546 days from 1997-01-01) this is 1997-09-30, the end
    of week 39, the split of the published BTYD analyses."""
    start, end = tx["date"].min().normalize(), tx["date"].max().normalize()
    half_days = ((end - start).days + 1) // 2 // 7 * 7
    if half_days < 7:
        raise ValueError("the data covers less than two weeks: too short for a calibration/holdout split")
    return start + pd.Timedelta(days=half_days - 1)


def customer_summary_from_file(
    path: str,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    observation_end: str | pd.Timestamp | None = None,
    period: str = "W",
    memory_limit: str = "1GB",
    temp_directory: str | None = None,
) -> pd.DataFrame:
    """:func:`customer_summary` computed straight from a CSV or Parquet file by DuckDB, an embedded
    engine that streams the file, so logs larger than memory work. The query is the one definition in
    :mod:`lifecycle_utils.engines` (which also runs it on Spark or writes it for a warehouse). Same
    columns, definitions and index as the pandas path (tested equal on the CDNOW sample). The file
    must already be clean (ids as text, parseable dates, positive amounts): use it after
    :func:`lifecycle_utils.data.clean_transactions`
    on data that fits, or on logs cleaned upstream.

    Memory: DuckDB holds at most ``memory_limit`` (a DuckDB size such as ``"1GB"``) and spills the rest
    of its hash tables to ``temp_directory`` (default: a fresh folder in the system's temporary
    directory, one per call so that concurrent runs do not share spill files, removed afterwards).
    With all cores a tight limit can still run out (each thread claims its own buffers), so on
    DuckDB's out-of-memory error the query is rerun once on one thread; if that fails too, a
    ``MemoryError`` says which limit to raise. Tested: a log whose aggregation needs several times the
    limit gives the same result as the pandas path."""
    import tempfile

    import duckdb

    from lifecycle_utils import engines

    _period_days(period)
    columns = engines.Columns(customer_col, date_col, amount_col)

    def summarise(spill: str, threads: int | None) -> pd.DataFrame:
        con = engines.duckdb_connection(memory_limit, spill, threads)
        try:
            return engines.customer_summary(
                path, con, observation_end=observation_end, period=period, columns=columns
            )
        finally:
            con.close()

    with tempfile.TemporaryDirectory(prefix="lifecycle_duckdb_") as own_spill:  # one per call: no clashes
        try:
            return summarise(temp_directory or own_spill, None)
        except duckdb.OutOfMemoryException:
            try:
                return summarise(temp_directory or own_spill, 1)
            except duckdb.OutOfMemoryException as err:
                raise MemoryError(
                    f"DuckDB ran out of memory_limit={memory_limit!r} on {path} even on one "
                    "thread: raise memory_limit"
                ) from err
