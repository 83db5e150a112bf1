"""The engines' one SQL definition of the heavy aggregations gives the pandas path's results, on DuckDB
and on Spark in local mode, and transpiles to the warehouses' dialects."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlglot

from lifecycle_utils import engines, rfm, simulate, stages, summary
from lifecycle_utils.clv import fitting

CLOSE = {"check_exact": False, "rtol": 1e-12, "atol": 1e-9}
RULES = stages.StageRules(silent_days=30, churn_days=90, mature_occasions=3)


def edge_log() -> pd.DataFrame:
    """Ids of every awkward shape (leading zeros, unicode, quotes, spaces, long), several rows on one
    day, a customer whose first purchase is after the observation end, a long gap (returned)."""
    rows = [
        ("007", "2024-01-01", 10.0),
        ("007", "2024-01-01", 5.5),  # same day: one occasion of 15.5
        ("007", "2024-02-10", 20.0),
        ("007", "2024-06-20", 7.25),  # after a 131-day gap: returned
        ("7", "2024-01-15", 3.0),
        ("客户-甲", "2024-03-03", 99.99),
        ("客户-甲", "2024-03-04", 1.01),
        ('o\'brien "x"', "2024-02-29", 12.0),
        ("a very long customer identifier 0001", "2024-04-01", 8.0),
        ("late", "2024-07-30", 50.0),  # after the observation end of some tests
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    tx, _ = simulate.simulate_transactions(400, seed=11)
    return tx


def plain(assigned: pd.DataFrame) -> pd.DataFrame:
    """assign_stages' compact table with plain dates and text ids."""
    return assigned.assign(
        snapshot=assigned["snapshot"].astype("datetime64[us]"),
        customer_id=assigned["customer_id"].astype(str),
    ).reset_index(drop=True)


def assert_all_agree(tx: pd.DataFrame, engine, end, snapshots) -> None:
    """Every aggregation on ``engine`` equals the pandas path on ``tx``."""
    for period in ("W", "D"):
        pd.testing.assert_frame_equal(
            summary.customer_summary(tx, end, period),
            engines.customer_summary(tx, engine, observation_end=end, period=period),
            check_dtype=False,
            **CLOSE,
        )
    pd.testing.assert_frame_equal(
        fitting.compress(summary.customer_summary(tx, end)),
        engines.compressed_rows(tx, engine, observation_end=end),
    )
    for monetary in ("total", "mean"):
        pd.testing.assert_frame_equal(
            rfm.rfm_values(tx, end, monetary),
            engines.rfm_values(tx, end, engine, monetary=monetary),
            check_dtype=False,
            **CLOSE,
        )
    assigned = stages.assign_stages(tx, RULES, snapshots)
    pd.testing.assert_frame_equal(
        plain(assigned), engines.stage_rows(tx, RULES, snapshots, engine), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        stages.stage_sizes(assigned), engines.stage_sizes(tx, RULES, snapshots, engine), check_dtype=False
    )


# ------------------------------------------------------------------------------------------- DuckDB
def test_duckdb_agrees_with_pandas_on_awkward_ids():
    tx = edge_log()
    snapshots = ["2024-07-31", "2023-12-31", "2024-01-31", "2024-03-15", "2024-03-15"]  # unsorted, repeated
    assert_all_agree(tx, None, "2024-06-30", snapshots)
    sizes = engines.stage_sizes(tx, RULES, snapshots)
    assert sizes.loc["2024-07-31"].sum() == 6  # every customer, "late" included, bought by then
    rows = engines.stage_rows(tx, RULES, snapshots)
    assert rows.loc[rows["customer_id"] == "007", "returned"].tolist() == [False, False, True]


def test_duckdb_agrees_with_pandas_on_a_generated_log(generated):
    end = generated["date"].quantile(0.8).normalize()
    assert_all_agree(generated, None, end, stages.monthly_snapshots(generated, end))
    pd.testing.assert_frame_equal(  # the default end: the log's last day
        summary.customer_summary(generated), engines.customer_summary(generated), check_dtype=False, **CLOSE
    )


def test_a_fit_on_the_engines_rows_gives_the_fit_on_every_customer(generated):
    from lifecycle_utils import clv

    weekly = summary.whole_periods(summary.customer_summary(generated))
    rows = engines.compressed_rows(generated, whole_periods=True)
    pd.testing.assert_frame_equal(fitting.compress(weekly), rows)
    assert rows["weight"].sum() == len(weekly) and len(rows) < len(engines.compressed_rows(generated))
    on_rows = clv.fit_model("BG/NBD", rows)
    on_customers = clv.fit_model("BG/NBD", weekly, compressed=False)
    assert on_rows.ok and on_customers.ok
    pd.testing.assert_series_equal(on_rows.params, on_customers.params, rtol=1e-4)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_files_and_other_column_names_are_read_where_they_lie(tmp_path, suffix):
    tx = edge_log()
    renamed = tx.rename(columns={"customer_id": "client", "date": "day", "amount": "value"})
    path = tmp_path / f"orders.{suffix}"
    if suffix == "csv":
        renamed.assign(day=renamed["day"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    else:
        renamed.to_parquet(path)
    columns = engines.Columns(customer="client", date="day", amount="value")
    pd.testing.assert_frame_equal(
        summary.customer_summary(tx, "2024-06-30"),
        engines.customer_summary(path, observation_end="2024-06-30", columns=columns),
        check_dtype=False,
        **CLOSE,
    )
    assert engines.customer_summary(str(path), columns=columns).index[0] == "007"


def test_times_of_day_are_kept_or_left_out_as_the_pandas_path_does():
    """A purchase at 10:00 on the observation end is after it for the summary and RFM (as
    summary.customer_summary), and on the snapshot's day for the stages (as stages.assign_stages)."""
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "date": pd.to_datetime(
                ["2024-01-02 09:00", "2024-01-31 10:00", "2024-01-31 09:00", "2024-01-31 00:00"]
            ),
            "amount": [1.0, 2.0, 3.0, 4.0],
        }
    )
    assert_all_agree(tx, None, "2024-01-31", ["2024-01-15", "2024-01-31"])
    assert engines.customer_summary(tx, observation_end="2024-01-31").index.tolist() == ["a", "c"]
    assert engines.stage_sizes(tx, RULES, ["2024-01-31"]).sum(axis=1).tolist() == [3]


def test_a_table_the_engine_knows_is_queried_by_name(tmp_path):
    con = engines.duckdb_connection()
    con.register("shop_tx", edge_log())
    out = engines.compressed_rows("shop_tx", con, observation_end="2024-06-30")
    assert out["weight"].sum() == 5  # the five customers who bought by the end
    path = tmp_path / "tx.csv"
    edge_log().to_csv(path, index=False)
    engines.customer_summary(path, con)  # a file becomes a view for the query, dropped after
    assert con.sql(
        "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'lifecycle_tx_%'"
    ).fetchall() == [(0,)]
    con.close()


def test_one_definition_transpiles_to_the_warehouses():
    snaps = ["2024-01-31", "2024-02-29"]
    for name in engines.QUERIES:
        arguments = {"rules": RULES, "snapshots": snaps} if name.startswith("stage") else {}
        if name == "rfm_values":
            arguments = {"snapshot": "2024-02-29"}
        for dialect in ("spark", "bigquery", "snowflake", "postgres", "databricks"):
            text = engines.query(name, "sales.transactions", dialect=dialect, **arguments)
            assert sqlglot.parse_one(text, read=dialect) is not None
            assert "sales.transactions" in text
    spark = engines.query("customer_summary", "t", dialect="spark", observation_end="2024-06-30")
    assert "DATEDIFF" in spark and "CAST('2024-06-30' AS DATE)" in spark


def test_bad_requests_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="unknown aggregation 'summary'"):
        engines.query("summary")
    with pytest.raises(ValueError, match="rfm_values needs a snapshot"):
        engines.query("rfm_values")
    with pytest.raises(ValueError, match="monetary must be 'total' or 'mean'"):
        engines.query("rfm_values", snapshot="2024-01-01", monetary="median")
    with pytest.raises(ValueError, match="needs rules and at least one snapshot"):
        engines.query("stage_sizes", rules=RULES, snapshots=[])
    with pytest.raises(ValueError, match="period must be 'D'"):
        engines.customer_summary(edge_log(), period="M")
    with pytest.raises(ValueError, match="no purchases on or before the snapshot 2020-01-01"):
        engines.rfm_values(edge_log(), "2020-01-01")


# -------------------------------------------------------------------------------------------- Spark
@pytest.fixture(scope="module")
def spark():
    session = engines.spark_session(app_name="lifecycle-tests", **{"spark.driver.memory": "1g"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_agrees_with_pandas_on_awkward_ids(spark):
    assert_all_agree(edge_log(), spark, "2024-06-30", ["2024-07-31", "2024-01-31", "2024-03-15"])


@pytest.mark.spark
def test_spark_agrees_with_pandas_on_a_generated_log(generated, spark):
    end = generated["date"].quantile(0.8).normalize()
    assert_all_agree(generated, spark, end, stages.monthly_snapshots(generated, end))


@pytest.mark.spark
def test_spark_reads_a_parquet_file_and_a_catalog_table(spark, tmp_path):
    tx = edge_log()
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path)
    expected = summary.customer_summary(tx, "2024-06-30")
    pd.testing.assert_frame_equal(
        expected,
        engines.customer_summary(path, spark, observation_end="2024-06-30"),
        check_dtype=False,
        **CLOSE,
    )
    spark.read.parquet(str(path)).createOrReplaceTempView("shop_tx")
    pd.testing.assert_frame_equal(
        expected,
        engines.customer_summary("shop_tx", spark, observation_end="2024-06-30"),
        check_dtype=False,
        **CLOSE,
    )
    assert [t.name for t in spark.catalog.listTables() if t.name.startswith("lifecycle_tx_")] == []
