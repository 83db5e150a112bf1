"""The heavy aggregations written once, as SQL, and run where the data lives: DuckDB (embedded, the
default), Apache Spark (a cluster, or local mode), or any warehouse that sqlglot writes SQL for.

Four aggregations turn a transactions log into the small tables the analyses need:

* :func:`customer_summary`: one row per customer, as :func:`lifecycle_utils.summary.customer_summary`;
* :func:`compressed_rows`: the distinct (frequency, recency, T) rows with the customers behind each, as
  ``clv.compress(customer_summary(...))``, all the BG/NBD and Pareto/NBD fits read;
* :func:`rfm_values`: recency, frequency and monetary value at a snapshot, as
  :func:`lifecycle_utils.rfm.rfm_values`;
* :func:`stage_rows` and :func:`stage_sizes`: the stage of every customer at each snapshot and the
  customers per stage, as :func:`lifecycle_utils.stages.assign_stages` and ``stage_sizes``.

**One definition.** Each is one SQL text in DuckDB's dialect (:func:`query`), built from shared
common table expressions; sqlglot transpiles it to the engine's dialect (``"spark"``, or
``"bigquery"``, ``"snowflake"``, ... for a warehouse). No engine has a hand-kept copy. Why sqlglot
rather than Ibis: it is one pure-Python package with no dependencies (Ibis pins its own pandas and
sqlglot ranges, and its Spark backend converts results through pandas), and the definition stays
plain SQL that a warehouse analyst can read, run and review (:func:`query` prints it for any dialect).

**Only the small result comes back**: per customer, per distinct (frequency, recency, T), or per
(snapshot, stage), as a pandas frame through Arrow, with the same columns, types and order as the
pandas path (tests compare them on DuckDB and on Spark in local mode).

**Input.** ``source`` is a pandas frame, the path of a CSV or Parquet file, a Spark DataFrame, or the
name of a table the engine already knows (``"sales.transactions"`` in a Spark catalog or warehouse).
Its rows must be clean, as after :func:`lifecycle_utils.data.clean_transactions`: an id, a date or
timestamp and a positive amount per row. Other column names are mapped with ``columns``.

Dates are whole days (a timestamp's day in the engine's time zone; :func:`spark_session` sets UTC).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifecycle_utils.summary import _period_days

__all__ = [
    "Columns",
    "QUERIES",
    "query",
    "run",
    "duckdb_connection",
    "spark_session",
    "customer_summary",
    "compressed_rows",
    "rfm_values",
    "stage_rows",
    "stage_sizes",
]

QUERIES = ("customer_summary", "compressed_rows", "rfm_values", "stage_rows", "stage_sizes")


@dataclass(frozen=True)
class Columns:
    """Names of the source's columns: customer id, date (or timestamp) and amount (currency)."""

    customer: str = "customer_id"
    date: str = "date"
    amount: str = "amount"


# --------------------------------------------------------------------------------- the definitions
def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _date(value) -> str:
    return f"DATE '{pd.Timestamp(value).date()}'"


def _transactions(table: str, columns: Columns, end=None, whole_day: bool = False) -> str:
    """The shared head of every query: ``tx`` (the typed rows), ``ends`` (the observation end's day) and
    ``occ`` (purchase occasions: distinct customer-days with their summed amount, up to ``end``).

    Rows up to ``end`` as the pandas functions keep them: a timestamp after ``end`` is left out (so with
    ``end`` 2024-01-31, a purchase at 10:00 that day is after it, as in ``summary.customer_summary``),
    or with ``whole_day`` every row of ``end``'s day is in (as ``stages.assign_stages`` counts a
    snapshot's day). Without ``end``: every row, and the log's last day is the end."""
    tx = (
        f"SELECT CAST({_ident(columns.customer)} AS VARCHAR) AS customer_id, "
        f"CAST({_ident(columns.date)} AS TIMESTAMP) AS ts, "
        f"CAST(CAST({_ident(columns.date)} AS TIMESTAMP) AS DATE) AS day, "
        f"CAST({_ident(columns.amount)} AS DOUBLE) AS amount FROM {table}"
    )
    if end is None:
        end_value, keep = "(SELECT max(day) FROM tx)", "tx.day <= ends.end_day"
    else:
        end = pd.Timestamp(end)
        end_value = _date(end)
        keep = "tx.day <= ends.end_day" if whole_day else f"tx.ts <= TIMESTAMP '{end.isoformat(sep=' ')}'"
    return (
        f"WITH tx AS ({tx}), ends AS (SELECT {end_value} AS end_day), "
        "occ AS (SELECT tx.customer_id, tx.day, sum(tx.amount) AS amount FROM tx CROSS JOIN ends "
        f"WHERE {keep} GROUP BY tx.customer_id, tx.day)"
    )


_SUMMARY = (
    ", firsts AS (SELECT customer_id, day, amount, min(day) OVER (PARTITION BY customer_id) AS first_day "
    "FROM occ), summary AS (SELECT customer_id, min(day) AS first_purchase, max(day) AS last_purchase, "
    "count(*) AS occasions, sum(amount) AS total_spend, "
    "sum(CASE WHEN day = first_day THEN amount ELSE 0 END) AS first_spend, "
    "date_diff('day', min(day), max(day)) AS span_days FROM firsts GROUP BY customer_id), "
    "aged AS (SELECT summary.*, date_diff('day', summary.first_purchase, ends.end_day) AS age_days "
    "FROM summary CROSS JOIN ends)"
)


def _stages(rules, snapshots: Sequence) -> str:
    """The stage rows after ``occ``: each acquired customer at each snapshot, with the occasions and the
    last occasion up to it; ``returned`` when an occasion up to it followed a gap of ``churn_days`` or
    more. Each occasion is the customer's latest at the snapshots from its day until the next
    occasion, so one range join gives one row per (snapshot, customer) with no grouping: memory stays
    flat however many customers there are (windows sort, and sorts spill)."""
    snaps = " UNION ALL ".join(f"SELECT {_date(s)} AS snapshot" for s in snapshots)
    silent, churn, mature = int(rules.silent_days), int(rules.churn_days), int(rules.mature_occasions)
    by_customer = "OVER (PARTITION BY customer_id ORDER BY day NULLS FIRST"  # no day is null (BigQuery)
    return (
        f", snaps AS ({snaps}), steps AS (SELECT customer_id, day, row_number() {by_customer}) AS occasions, "
        f"lead(day) {by_customer}) AS next_day, "
        f"CASE WHEN date_diff('day', lag(day) {by_customer}), day) >= {churn} THEN 1 ELSE 0 END AS long_gap "
        "FROM occ), spans AS (SELECT customer_id, day, next_day, occasions, "
        f"max(long_gap) {by_customer} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS returned "
        "FROM steps), seen AS (SELECT snaps.snapshot, spans.customer_id, spans.occasions, spans.returned, "
        "date_diff('day', spans.day, snaps.snapshot) AS days_since_last FROM snaps JOIN spans "
        "ON spans.day <= snaps.snapshot AND (spans.next_day IS NULL OR snaps.snapshot < spans.next_day)), "
        "staged AS (SELECT snapshot, customer_id, occasions, days_since_last, "
        f"CASE WHEN days_since_last >= {churn} THEN 4 WHEN days_since_last >= {silent} THEN 3 "
        f"WHEN occasions >= {mature} THEN 2 WHEN occasions >= 2 THEN 1 ELSE 0 END AS stage, returned "
        "FROM seen)"
    )


def query(
    name: str,
    table: str = "transactions",
    *,
    dialect: str = "duckdb",
    columns: Columns = Columns(),
    observation_end=None,
    snapshot=None,
    monetary: str = "total",
    rules=None,
    snapshots: Sequence | None = None,
    period_days: int = 1,
) -> str:
    """The SQL text of aggregation ``name`` (one of :data:`QUERIES`) over ``table``, in ``dialect``
    (any sqlglot writes: ``"duckdb"``, ``"spark"``, ``"bigquery"``, ``"snowflake"``, ...), to run
    where the log lives. Days are whole days; ``recency``, ``T`` and ``span_days``/``age_days`` are
    in days (the Python functions convert to weeks).

    Arguments per query: ``customer_summary`` and ``compressed_rows`` take ``observation_end`` (a
    date; default the log's last day), ``compressed_rows`` also ``period_days`` (7: recency and age
    rounded down to whole weeks, as ``summary.whole_periods``); ``rfm_values`` takes ``snapshot`` and
    ``monetary`` (``"total"`` or ``"mean"`` spend per occasion); ``stage_rows`` and ``stage_sizes``
    take ``rules`` (:class:`lifecycle_utils.stages.StageRules`) and ``snapshots`` (dates). ``stage``
    is the position in :data:`lifecycle_utils.stages.STAGES` (0 new ... 4 churned)."""
    import sqlglot

    if name not in QUERIES:
        raise ValueError(f"unknown aggregation {name!r}: one of {', '.join(QUERIES)}")
    if name in ("customer_summary", "compressed_rows"):
        head = _transactions(table, columns, observation_end)
        body = head + _SUMMARY
        if name == "customer_summary":
            text = (
                body + " SELECT customer_id, first_purchase, last_purchase, occasions, total_spend, "
                "first_spend, span_days, age_days FROM aged ORDER BY customer_id"
            )
        else:
            # whole periods of period_days (1: days as they are): floor(days / period) * period
            span, age = (
                (
                    f"FLOOR(span_days / {period_days}) * {period_days}",
                    f"FLOOR(age_days / {period_days}) * {period_days}",
                )
                if period_days > 1
                else ("span_days", "age_days")
            )
            text = (
                body + f" SELECT occasions - 1 AS frequency, {span} AS span_days, {age} AS age_days, "
                f"count(*) AS weight FROM aged GROUP BY occasions - 1, {span}, {age} "
                "ORDER BY frequency, span_days, age_days"
            )
    elif name == "rfm_values":
        if snapshot is None:
            raise ValueError("rfm_values needs a snapshot date")
        if monetary not in {"total", "mean"}:
            raise ValueError(f"monetary must be 'total' or 'mean', not {monetary!r}")
        value = "total_spend" if monetary == "total" else "total_spend / occasions"
        text = (
            _transactions(table, columns, pd.Timestamp(snapshot).normalize())
            + _SUMMARY
            + f" SELECT customer_id, date_diff('day', last_purchase, {_date(snapshot)}) AS recency, "
            f"occasions AS frequency, {value} AS monetary FROM aged ORDER BY customer_id"
        )
    else:
        if rules is None or snapshots is None or len(snapshots) == 0:
            raise ValueError(f"{name} needs rules and at least one snapshot date")
        snaps = sorted({pd.Timestamp(s).normalize() for s in snapshots})
        body = _transactions(table, columns, snaps[-1], whole_day=True) + _stages(rules, snaps)
        if name == "stage_rows":
            text = body + " SELECT * FROM staged ORDER BY customer_id, snapshot"
        else:
            text = (
                body + " SELECT snapshot, stage, count(*) AS customers FROM staged GROUP BY snapshot, stage "
                "ORDER BY snapshot, stage"
            )
    if dialect == "duckdb":
        return text
    return sqlglot.transpile(text, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)[
        0
    ]


# ------------------------------------------------------------------------------------- the engines
def duckdb_connection(
    memory_limit: str = "1GB", temp_directory: str | None = None, threads: int | None = None
):
    """An in-memory DuckDB connection that holds at most ``memory_limit`` and spills the rest to
    ``temp_directory``; rows need not keep their order (faster, less memory)."""
    import duckdb

    config = {"memory_limit": memory_limit, "preserve_insertion_order": False}
    if temp_directory:
        config["temp_directory"] = temp_directory
    if threads:
        config["threads"] = threads
    return duckdb.connect(config=config)


def spark_session(app_name: str = "lifecycle", master: str = "local[2]", **conf):
    """A Spark session in local mode (``master="local[2]"``: two cores of this machine) with the web UI
    and the console progress bars off, two shuffle partitions (right for small data; raise
    ``spark.sql.shuffle.partitions`` on a cluster) and UTC as the session time zone, so dates do not
    move with the machine's zone. Extra
    ``conf`` entries (``{"spark.driver.memory": "4g"}``) are set as given. On a cluster, build your own
    session (``SparkSession.builder.remote(...)`` for Spark Connect) and pass it as ``engine``."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _is_spark(engine) -> bool:
    return type(engine).__module__.startswith("pyspark")


def _is_path(source) -> bool:
    return isinstance(source, os.PathLike) or (
        isinstance(source, str) and source.lower().endswith((".csv", ".parquet", ".pq", ".csv.gz"))
    )


def _register(engine, source, columns: Columns) -> str:
    """Make ``source`` a relation ``engine`` can query; returns its name in SQL."""
    if isinstance(source, str) and not _is_path(source):
        return source  # a table the engine knows
    name = f"lifecycle_tx_{uuid.uuid4().hex[:12]}"
    if _is_spark(engine):
        if isinstance(source, pd.DataFrame):
            import pyarrow as pa

            frame = source[[columns.customer, columns.date, columns.amount]]
            source = engine.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))
        elif _is_path(source):
            path = os.fspath(source)
            reader = engine.read.option("header", "true")
            source = reader.parquet(path) if path.lower().endswith((".parquet", ".pq")) else reader.csv(path)
        source.createOrReplaceTempView(name)
        return name
    if isinstance(source, pd.DataFrame):
        engine.register(name, source[[columns.customer, columns.date, columns.amount]])
        return name
    path = os.fspath(source).replace("'", "''")
    reader = (
        f"read_parquet('{path}')"
        if path.lower().endswith((".parquet", ".pq"))
        else f"read_csv_auto('{path}', all_varchar=true)"
    )
    engine.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {reader}")
    return name


def _drop(engine, name: str) -> None:
    if not name.startswith("lifecycle_tx_"):
        return
    if _is_spark(engine):
        engine.catalog.dropTempView(name)
    else:
        engine.execute(f"DROP VIEW IF EXISTS {name}")
        try:
            engine.unregister(name)
        except Exception:  # noqa: BLE001 - a view, not a registered frame
            pass


def run(name: str, source, engine=None, *, columns: Columns = Columns(), **arguments) -> pd.DataFrame:
    """Run aggregation ``name`` (:func:`query`, with ``arguments``) over ``source`` on ``engine``: a
    DuckDB connection (default: a new in-memory one, :func:`duckdb_connection`) or a Spark session.
    Returns the engine's result as it comes (days, stage numbers), through Arrow."""
    own = engine is None
    engine = duckdb_connection() if own else engine
    table = None
    try:
        table = _register(engine, source, columns)
        dialect = "spark" if _is_spark(engine) else "duckdb"
        text = query(name, table, dialect=dialect, columns=columns, **arguments)
        result = engine.sql(text).toArrow() if _is_spark(engine) else engine.sql(text).to_arrow_table()
        return result.to_pandas()
    finally:
        if table is not None:
            _drop(engine, table)
        if own:
            engine.close()


# ----------------------------------------------------------------------- the results, as in pandas
def _datetimes(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[us]")


def customer_summary(
    source, engine=None, *, observation_end=None, period: str = "W", columns: Columns = Columns()
) -> pd.DataFrame:
    """:func:`lifecycle_utils.summary.customer_summary` on ``engine``: one row per customer (index
    ``customer_id``, sorted), the same columns and definitions (recency and ``T`` in ``period``
    units: ``"D"`` days or ``"W"`` weeks). Dates come back as ``datetime64[us]``."""
    days = _period_days(period)
    per = run("customer_summary", source, engine, columns=columns, observation_end=observation_end)
    per = per.set_index(pd.Index(per.pop("customer_id").astype(str), name="customer_id"))
    frequency = per["occasions"].astype(np.int64) - 1
    repeat = (per["total_spend"] - per["first_spend"]).to_numpy(float)
    return pd.DataFrame(
        {
            "first_purchase": _datetimes(per["first_purchase"]),
            "last_purchase": _datetimes(per["last_purchase"]),
            "occasions": per["occasions"].astype(np.int64),
            "frequency": frequency,
            "recency": per["span_days"].to_numpy(np.int64) / days,
            "T": per["age_days"].to_numpy(np.int64) / days,
            "monetary_value": np.divide(
                repeat, frequency, out=np.zeros(len(per)), where=frequency.to_numpy() > 0
            ),
            "total_spend": per["total_spend"].astype(float),
            "first_spend": per["first_spend"].astype(float),
        },
        index=per.index,
    ).sort_index()


def compressed_rows(
    source,
    engine=None,
    *,
    observation_end=None,
    period: str = "W",
    whole_periods: bool = False,
    columns: Columns = Columns(),
) -> pd.DataFrame:
    """The distinct (``frequency``, ``recency``, ``T``) rows of the customer summary with ``weight``,
    the customers behind each, as ``clv.compress(customer_summary(...))``: all a BG/NBD or Pareto/NBD
    fit reads. With ``whole_periods``, recency and ``T`` are rounded down to whole periods first, as
    ``clv.compress(summary.whole_periods(customer_summary(...)))``: far fewer rows (about 120,000 for
    1M simulated customers in weeks, against 680,000 at day resolution), which is what makes fits on
    millions of customers take seconds."""
    days = _period_days(period)
    rows = run(
        "compressed_rows",
        source,
        engine,
        columns=columns,
        observation_end=observation_end,
        period_days=days if whole_periods else 1,
    )
    return pd.DataFrame(
        {
            "frequency": rows["frequency"].astype(np.int64),
            "recency": rows["span_days"].to_numpy(np.int64) / days,
            "T": rows["age_days"].to_numpy(np.int64) / days,
            "weight": rows["weight"].astype(np.int64),
        }
    )


def rfm_values(
    source, snapshot, engine=None, *, monetary: str = "total", columns: Columns = Columns()
) -> pd.DataFrame:
    """:func:`lifecycle_utils.rfm.rfm_values` on ``engine``: ``recency`` (days since the last occasion),
    ``frequency`` (occasions) and ``monetary`` (total, or mean per occasion) at ``snapshot``."""
    values = run("rfm_values", source, engine, columns=columns, snapshot=snapshot, monetary=monetary)
    if values.empty:
        raise ValueError(f"no purchases on or before the snapshot {pd.Timestamp(snapshot).date()}")
    return pd.DataFrame(
        {
            "recency": values["recency"].astype(int),
            "frequency": values["frequency"].astype(int),
            "monetary": values["monetary"].astype(float),
        }
    ).set_index(pd.Index(values["customer_id"].astype(str), name="customer_id"))


def _stage_codes(values: pd.Series) -> pd.Categorical:
    from lifecycle_utils.stages import STAGE_DTYPE

    return pd.Categorical.from_codes(values.to_numpy(np.int8), dtype=STAGE_DTYPE)


def stage_rows(source, rules, snapshots, engine=None, *, columns: Columns = Columns()) -> pd.DataFrame:
    """The stage of every customer acquired by each snapshot, one row per (snapshot, customer), as
    :func:`lifecycle_utils.stages.assign_stages` with plain columns: ``snapshot`` (date), ``customer_id``
    (text), ``occasions``, ``days_since_last``, ``stage`` (ordered categorical), ``returned``. Sorted by
    customer, then snapshot. This is a long table (customers x snapshots): at scale prefer
    :func:`stage_sizes`, which aggregates where the data lives."""
    rows = run("stage_rows", source, engine, columns=columns, rules=rules, snapshots=snapshots)
    return pd.DataFrame(
        {
            "snapshot": _datetimes(rows["snapshot"]),
            "customer_id": rows["customer_id"].astype(str),
            "occasions": rows["occasions"].astype(np.int64),
            "days_since_last": rows["days_since_last"].astype(np.int64),
            "stage": _stage_codes(rows["stage"]),
            "returned": rows["returned"].astype(bool),
        }
    )


def stage_sizes(source, rules, snapshots, engine=None, *, columns: Columns = Columns()) -> pd.DataFrame:
    """Customers per stage (columns, in stage order) at each snapshot (rows), as
    ``stages.stage_sizes(stages.assign_stages(...))``, counted where the data lives: only one row per
    snapshot comes back."""
    counts = run("stage_sizes", source, engine, columns=columns, rules=rules, snapshots=snapshots)
    table = counts.assign(
        snapshot=_datetimes(counts["snapshot"]), stage=_stage_codes(counts["stage"])
    ).pivot_table(index="snapshot", columns="stage", values="customers", aggfunc="sum", observed=False)
    from lifecycle_utils.stages import STAGES

    table = table.reindex(columns=STAGES, fill_value=0).fillna(0).astype(np.int64)
    table.columns = pd.Index(STAGES, name="stage")
    return table
