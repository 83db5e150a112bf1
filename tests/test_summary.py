"""lifecycle_utils.summary: hand-computed cases, agreement with lifetimes, the published CDNOW split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import data, summary
from lifecycle_utils._lifetimes import lifetimes_utils
from lifecycle_utils.validation import CDNOW_SAMPLE_SPLIT


def tx_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


TINY = tx_frame(
    [
        ("a", "2024-01-01", 10.0),
        ("a", "2024-01-01", 5.0),  # same day: one occasion of 15
        ("a", "2024-01-15", 20.0),
        ("a", "2024-01-29", 40.0),
        ("b", "2024-01-08", 7.0),
        ("c", "2024-02-05", 3.0),  # after the observation end used below
    ]
)


@pytest.fixture(scope="module")
def sample():
    return data.load_cdnow_sample()[0]


def test_hand_computed_summary_in_days():
    s = summary.customer_summary(TINY, observation_end="2024-01-29", period="D")
    assert list(s.index) == ["a", "b"]
    a, b = s.loc["a"], s.loc["b"]
    assert (a["occasions"], a["frequency"], a["recency"], a["T"]) == (3, 2, 28.0, 28.0)
    assert a["monetary_value"] == 30.0 and a["total_spend"] == 75.0 and a["first_spend"] == 15.0
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 21.0, 0.0)


def test_weeks_are_days_divided_by_seven():
    d = summary.customer_summary(TINY, observation_end="2024-01-29", period="D")
    w = summary.customer_summary(TINY, observation_end="2024-01-29", period="W")
    np.testing.assert_allclose(w[["recency", "T"]].to_numpy(), d[["recency", "T"]].to_numpy() / 7)


def test_default_observation_end_is_the_last_date():
    s = summary.customer_summary(TINY, period="D")
    assert s.loc["c", "T"] == 0.0 and s.loc["a", "T"] == 35.0


def test_unknown_period_is_refused():
    with pytest.raises(ValueError, match="period must be 'D'"):
        summary.customer_summary(TINY, period="M")


def test_T_is_a_column_not_the_transpose():
    s = summary.customer_summary(TINY, period="D")
    assert s["T"].name == "T" and s["T"].shape == (3,)


def test_summary_agrees_with_lifetimes_on_the_cdnow_sample(sample):
    ours = summary.customer_summary(sample, observation_end="1998-06-30", period="W")
    theirs = lifetimes_utils.summary_data_from_transaction_data(
        sample,
        "customer_id",
        "date",
        "amount",
        freq="D",
        freq_multiplier=7,
        observation_period_end="1998-06-30",
    )
    cols = ["frequency", "recency", "T", "monetary_value"]
    pd.testing.assert_index_equal(ours.index, theirs.index.astype(ours.index.dtype), check_names=False)
    np.testing.assert_allclose(ours[cols].to_numpy(float), theirs[cols].to_numpy(float), rtol=0, atol=1e-9)


def test_split_agrees_with_lifetimes_and_documents_one_difference(sample):
    ours = summary.calibration_holdout(sample, "1997-09-30", observation_end="1998-06-30", period="W")
    theirs = lifetimes_utils.calibration_and_holdout_data(
        sample,
        "customer_id",
        "date",
        calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30",
        freq="D",
        freq_multiplier=7,
        monetary_value_col="amount",
    )
    same = [
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "monetary_value_cal",
        "frequency_holdout",
        "duration_holdout",
    ]
    np.testing.assert_allclose(ours[same].to_numpy(float), theirs[same].to_numpy(float), atol=1e-9)
    # lifetimes averages holdout *rows*; we average holdout *occasions*, as in the calibration period.
    # They agree exactly for customers with one row per holdout day.
    rows_per_day = sample[sample["date"] > "1997-09-30"].groupby(["customer_id", "date"]).size()
    single = rows_per_day.groupby("customer_id").max().eq(1)
    single = single[single].index
    np.testing.assert_allclose(
        ours.loc[single, "monetary_value_holdout"], theirs.loc[single, "monetary_value_holdout"], atol=1e-9
    )
    assert not np.allclose(ours["monetary_value_holdout"], theirs["monetary_value_holdout"])


def test_lifetimes_split_without_monetary_column_breaks_on_pandas3(sample):
    """The quirk we route around: lifetimes' split needs a monetary column on current pandas.
    When an upgrade fixes it this test fails, and the wrapper note in summary can go."""
    try:
        lifetimes_utils.calibration_and_holdout_data(
            sample,
            "customer_id",
            "date",
            calibration_period_end="1997-09-30",
            observation_period_end="1998-06-30",
            freq="D",
            freq_multiplier=7,
        )
    except ValueError as err:
        assert "No objects to concatenate" in str(err)
    else:
        assert int(pd.__version__.split(".")[0]) < 3, "lifetimes now works without a monetary column"


def test_published_cdnow_sample_split(sample):
    split = summary.calibration_holdout(sample, "1997-09-30", observation_end="1998-06-30")
    assert summary.split_totals(split).to_dict() == CDNOW_SAMPLE_SPLIT
    assert split["duration_holdout"].iloc[0] == 39.0


def test_split_rejects_an_observation_end_before_the_calibration_end():
    with pytest.raises(ValueError, match="must be after calibration_end"):
        summary.calibration_holdout(TINY, "2024-01-29", observation_end="2024-01-01")


def test_holdout_counts_occasions_not_rows():
    split = summary.calibration_holdout(TINY, "2024-01-10", observation_end="2024-02-05", period="D")
    assert split.loc["a", "frequency_cal"] == 0 and split.loc["a", "frequency_holdout"] == 2
    assert split.loc["a", "monetary_value_holdout"] == 30.0
    assert "c" not in split.index  # first purchase after the calibration period
    assert split.loc["b", "frequency_holdout"] == 0 and split.loc["b", "monetary_value_holdout"] == 0


def test_default_calibration_end_reproduces_the_published_39_weeks(sample):
    assert summary.default_calibration_end(sample) == pd.Timestamp("1997-09-30")
    with pytest.raises(ValueError, match="less than two weeks"):
        summary.default_calibration_end(TINY.iloc[:2])


def test_occasions_distribution_caps_and_sums_to_100():
    s = summary.customer_summary(TINY, period="D")
    dist = summary.occasions_distribution(s, cap=2)
    assert dist["occasions"].tolist() == ["1", "2+"]
    assert dist["customers"].tolist() == [2, 1]
    assert dist["cumulative share"].iloc[-1] == 100.0


def test_weekly_activity_counts_new_customers_once():
    weeks = summary.weekly_activity(TINY)
    assert weeks["week"].tolist() == [1, 2, 3, 4, 5, 6]  # week 4 had no purchase: a row of zeros
    assert weeks.loc[weeks["week"] == 4, ["occasions", "customers", "new customers"]].eq(0).all(axis=None)
    assert weeks["new customers"].sum() == 3
    assert weeks["occasions"].sum() == 5
    assert weeks["revenue"].sum() == pytest.approx(85.0)
    assert weeks["week_start"].iloc[1] == pd.Timestamp("2024-01-08")


def test_summary_overview():
    s = summary.customer_summary(TINY, observation_end="2024-01-29", period="D")
    facts = summary.summary_overview(s, period="D")
    assert facts["customers"] == 2 and facts["repeat customers"] == 1
    assert facts["repeat customers (%)"] == 50.0
    assert facts["median recency (days)"] == 14.0
    assert facts["revenue from repeat occasions (%)"] == round(100 * 60 / 82, 1)


def test_spend_quantiles():
    q = summary.spend_quantiles(pd.Series([1.0, 2.0, 3.0, 4.0]), quantiles=(0.5,))
    assert q.to_dict() == {"p50": 2.5, "mean": 2.5}


def write_log(tx: pd.DataFrame, path):
    """The log's three columns to ``path`` (Parquet, or CSV with ISO dates, by suffix)."""
    frame = tx[["customer_id", "date", "amount"]]
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_duckdb_file_summary_equals_the_pandas_path(sample, tmp_path, suffix):
    path = write_log(sample, tmp_path / f"tx.{suffix}")
    for end in ("1998-06-30", "1997-09-30"):
        ours = summary.customer_summary(sample, end, "W")
        engine = summary.customer_summary_from_file(str(path), observation_end=end)
        pd.testing.assert_index_equal(ours.index, engine.index)
        assert engine.index[0] == "0001"  # leading zeros kept
        pd.testing.assert_frame_equal(ours, engine, check_exact=False, rtol=1e-12, atol=1e-9)


def test_duckdb_file_summary_maps_columns(tmp_path):
    path = tmp_path / "orders.csv"
    TINY.rename(columns={"customer_id": "client", "date": "day", "amount": "value"}).assign(
        day=TINY["date"].dt.strftime("%Y-%m-%d")
    ).to_csv(path, index=False)
    engine = summary.customer_summary_from_file(str(path), "client", "day", "value", "2024-01-29", "D")
    pd.testing.assert_frame_equal(
        summary.customer_summary(TINY, "2024-01-29", "D"), engine, check_exact=False, rtol=1e-12
    )


# ------------------------------------------------------------------------ files larger than memory
@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_summary_and_rfm_accept_a_path_with_the_same_results(sample, tmp_path, suffix):
    """``customer_summary`` and ``rfm_values`` given a file path go through DuckDB and agree with the
    frame path (leading zeros of ids kept, same index order)."""
    from lifecycle_utils import rfm

    path = write_log(sample, tmp_path / f"tx.{suffix}")
    pd.testing.assert_frame_equal(
        summary.customer_summary(sample, "1998-06-30"),
        summary.customer_summary(str(path), "1998-06-30"),
        check_exact=False,
        rtol=1e-12,
        atol=1e-9,
    )
    for monetary in ("total", "mean"):
        pd.testing.assert_frame_equal(
            rfm.rfm_values(sample, "1998-03-31", monetary),
            rfm.rfm_values(path, "1998-03-31", monetary),
            check_exact=False,
            rtol=1e-12,
            atol=1e-9,
        )


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    """About a million simulated transactions (100,000 customers) on disk: DuckDB's hash tables for
    them need several times 32 MB."""
    from lifecycle_utils import simulate

    tx, _ = simulate.simulate_transactions(100_000, seed=3, r=0.5, alpha=2.0, a=0.5, b=5.0)
    path = tmp_path_factory.mktemp("big") / "log.parquet"
    tx.to_parquet(path)
    return tx, str(path)


def test_file_summary_beyond_the_memory_limit_equals_the_pandas_path(million_rows, tmp_path):
    tx, path = million_rows
    assert len(tx) > 1_000_000
    engine = summary.customer_summary_from_file(
        path, observation_end="2023-12-31", memory_limit="32MB", temp_directory=str(tmp_path / "spill")
    )
    pd.testing.assert_frame_equal(
        summary.customer_summary(tx, "2023-12-31"), engine, check_exact=False, rtol=1e-12, atol=1e-9
    )


def test_file_summary_names_the_limit_when_memory_runs_out(million_rows):
    _, path = million_rows
    with pytest.raises(MemoryError, match=r"memory_limit='1MB' .* raise memory_limit"):
        summary.customer_summary_from_file(path, observation_end="2023-12-31", memory_limit="1MB")


def test_whole_periods_floors_recency_and_T_only():
    s = summary.customer_summary(TINY, "2024-01-29", "W")  # a: recency 4 weeks exactly, T 4; b: T 3
    s.loc["a", "recency"] = 13 / 7  # 1.857 weeks
    out = summary.whole_periods(s)
    assert out.loc["a", ["frequency", "recency", "T"]].tolist() == [2, 1.0, 4.0]
    assert out.loc["b", ["frequency", "recency", "T"]].tolist() == [0, 0.0, 3.0]
    assert out["T"].dtype == float and (out["recency"] <= out["T"]).all()
    pd.testing.assert_frame_equal(out.drop(columns=["recency", "T"]), s.drop(columns=["recency", "T"]))
    assert s.loc["a", "recency"] == 13 / 7  # input untouched
    # 28 days / 7 must give exactly 4 whole weeks, also where floating point lands just below
    assert (
        summary.whole_periods(pd.DataFrame({"recency": [0.1 * 3 / 0.1 - 1e-15], "T": [6.0]}))[
            "recency"
        ].item()
        == 3.0
    )


# ------------------------------------------------------------------------------ id codes, fast path
@pytest.mark.parametrize(
    "values",
    [
        ["0007", "0010", "0007", "9999", "0001"],  # one width, leading zeros
        ["10", "9", "1", "abc", "10", "ABCDEFGH", "a"],  # several widths, up to 8 bytes
        ["123456789", "12", "123456789", "0"],  # over 8 bytes: the string path
        ["é1", "e1", "é1"],  # not ASCII: the string path
    ],
)
def test_customer_codes_fast_path_equals_the_string_path(values):
    arrow = pd.Series(values, dtype="str")
    plain = pd.Series(values, dtype=object)
    codes, index = summary._customer_codes(arrow)
    ref_codes, ref_index = summary._customer_codes(plain)
    np.testing.assert_array_equal(codes, ref_codes)
    assert index.tolist() == ref_index.tolist() == sorted(set(values))
    assert index.dtype == arrow.dtype
    assert [index[c] for c in codes] == values
    fits = all(len(v) <= 8 and v.isascii() for v in values)
    assert (summary._packed_ids(arrow) is not None) == fits


def test_customer_codes_fast_path_on_sliced_and_chunked_arrays():
    """Arrow arrays can start at an offset (a slice) and come in chunks (a Parquet read)."""
    import pyarrow as pa

    whole = pd.Series([f"{i:05d}" for i in range(50)] + ["7", "77"] * 5, dtype="str")
    sliced = whole.iloc[7:]
    codes, index = summary._customer_codes(sliced)
    assert [index[c] for c in codes] == sliced.tolist()
    chunked = pa.chunked_array([pa.array(["b", "a"]), pa.array(["c", "a", "bb"])[1:]])
    series = pd.Series(pd.arrays.ArrowStringArray(chunked))
    codes, index = summary._customer_codes(series)
    assert index.tolist() == ["a", "b", "bb"] and [index[c] for c in codes] == ["b", "a", "a", "bb"]


def test_null_ids_are_refused_on_both_paths():
    for dtype in ("str", object):
        with pytest.raises(ValueError, match="customer_id: 1 rows have no customer id"):
            summary._customer_codes(pd.Series(["a", None, "b"], dtype=dtype))


def test_the_observation_end_is_the_one_given_or_the_last_date():
    dates = pd.Series(pd.to_datetime(["2024-01-05", "2024-03-01"]))
    assert summary.end_of_observation(dates) == pd.Timestamp("2024-03-01")
    assert summary.end_of_observation(dates, "2024-12-31") == pd.Timestamp("2024-12-31")


def test_occasion_sequence_numbers_each_customers_days_and_links_previous_and_next():
    seq = summary.occasion_sequence(TINY)
    a = seq[seq["customer_id"] == "a"]
    assert a["k"].tolist() == [1, 2, 3] and a["amount"].tolist() == [15.0, 20.0, 40.0]
    assert a["previous"].isna().tolist() == [True, False, False]
    assert a["next"].tolist()[:2] == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-29")]
    assert a["next"].isna().tolist() == [False, False, True]
    one = seq[seq["customer_id"] != "a"]  # one occasion each: no neighbours
    assert one["k"].eq(1).all() and one["previous"].isna().all() and one["next"].isna().all()


def test_calibration_weeks_counts_whole_weeks_from_the_first_day():
    tx = pd.DataFrame({"date": pd.to_datetime(["1997-01-01 15:00", "1998-06-30 00:00"])})
    assert summary.calibration_weeks(tx, "1997-09-30") == 39  # 273 days
    assert summary.calibration_weeks(tx, "1997-09-29") == 38  # 272 days: the 39th week is not whole
