"""lifecycle_utils.data: CDNOW loaders, the cleaning policy, the ledger, and bad input."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle_utils import data
from lifecycle_utils.validation import CDNOW_MASTER

HEADER = "customer_id,date,amount\n"


def ledger_dict(ledger: pd.DataFrame) -> dict[str, int]:
    return dict(zip(ledger["reason"], ledger["rows"]))


# ---------------------------------------------------------------------------------------------- CDNOW
@pytest.fixture(scope="module")
def cdnow():
    return data.load_cdnow()


def test_cdnow_master_matches_the_published_figures(cdnow):
    tx, ledger = cdnow
    facts = data.describe_transactions(tx)
    assert facts["rows"] == CDNOW_MASTER["rows"] == 69659
    assert facts["customers"] == CDNOW_MASTER["customers"] == 23570
    assert facts["first date"] == "1997-01-01" and facts["last date"] == "1998-06-30"
    assert facts["total amount"] == pytest.approx(2500315.63, abs=0.005)
    assert ledger_dict(ledger) == {"rows in the source": 69659, "rows kept": 69659}


def test_cdnow_master_schema_keeps_ids_as_text(cdnow):
    tx, _ = cdnow
    assert list(tx.columns) == ["customer_id", "date", "quantity", "amount"]
    assert pd.api.types.is_string_dtype(tx["customer_id"])
    assert pd.api.types.is_datetime64_any_dtype(tx["date"]) and tx["date"].dt.tz is None
    assert tx["customer_id"].iloc[0] == "00001"  # leading zeros survive
    assert tx["customer_id"].str.len().eq(5).all()


def test_cdnow_quality_checks_count_the_rows_kept_as_published(cdnow):
    checks = data.quality_checks(cdnow[0]).set_index("check")["rows"]
    assert checks["amount of zero"] == 80
    assert checks["exact duplicate of another row"] == 255
    assert checks["negative amount"] == 0
    assert checks["extra rows on the same customer-day"] == 69659 - 67591


def test_cdnow_sample_is_the_published_sample():
    tx, ledger = data.load_cdnow_sample()
    assert len(tx) == 6919 and tx["customer_id"].nunique() == 2357
    assert tx["customer_id"].min() == "0001" and tx["customer_id"].max() == "2357"
    # every sample customer is a master customer with the same purchases
    master, _ = data.load_cdnow()
    joined = tx.merge(
        master,
        left_on=["master_customer_id", "date", "amount"],
        right_on=["customer_id", "date", "amount"],
        how="left",
        indicator=True,
    )
    assert (joined["_merge"] == "both").all()
    data.check_ledger(ledger)


def test_loading_cdnow_does_not_need_pkg_resources(monkeypatch):
    monkeypatch.setitem(sys.modules, "pkg_resources", None)  # import pkg_resources now fails
    tx, _ = data.load_cdnow_sample()
    assert len(tx) == 6919


def test_load_dispatches_and_honours_observation_end():
    tx, ledger = data.load("cdnow_sample", observation_end="1997-09-30")
    assert tx["date"].max() <= pd.Timestamp("1997-09-30")
    facts = ledger_dict(ledger)
    assert facts["rows in the source"] == 6919
    assert facts["rows kept"] == len(tx)
    assert facts["dated after the observation end 1997-09-30"] == 6919 - len(tx)


# ------------------------------------------------------------------------------------- clean user data
def test_clean_file_round_trip(write_csv):
    path = write_csv(HEADER + "007,2024-01-02,10.5\n7,2024-01-03,4\n007,2024-02-01,3.25\n")
    tx, ledger = data.load_transactions(path, today="2024-12-31")
    assert tx["customer_id"].tolist() == ["007", "007", "7"]
    assert tx["amount"].tolist() == [10.5, 3.25, 4.0]
    assert ledger_dict(ledger) == {"rows in the source": 3, "rows kept": 3}


def test_column_mapping_and_quantity_times_unit_price(write_csv):
    path = write_csv("client,when,qty,price\nA,2024-01-02,2,2.5\nB,2024-01-05,1,9.99\n")
    tx, _ = data.load_transactions(
        path,
        customer_col="client",
        date_col="when",
        amount_col=None,
        quantity_col="qty",
        unit_price_col="price",
        today="2024-12-31",
    )
    assert tx["amount"].tolist() == [5.0, 9.99]
    assert tx["quantity"].tolist() == [2.0, 1.0]


def test_parquet_input(tmp_path):
    path = tmp_path / "tx.parquet"
    pd.DataFrame(
        {
            "customer_id": ["01", "02"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "amount": [1.0, 2.0],
        }
    ).to_parquet(path)
    tx, ledger = data.load_transactions(path, today="2024-12-31")
    assert tx["customer_id"].tolist() == ["01", "02"]
    assert ledger_dict(ledger)["rows kept"] == 2


def test_timezone_aware_values_all_aware_become_utc_days():
    raw = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "date": ["2024-01-01T23:30:00-02:00", "2024-01-02T08:00:00Z"],
            "amount": ["1", "2"],
        }
    )
    tx, _ = data.clean_transactions(raw, today="2024-12-31")
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-02")]


def test_returns_are_netted_within_customer_and_day():
    raw = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c"],
            "date": ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02", "2024-01-02", "2024-01-03"],
            "amount": ["30", "-10", "5", "8", "-8", "-4"],
        }
    )
    tx, ledger = data.clean_transactions(raw, today="2024-12-31")
    assert tx[["customer_id", "amount"]].values.tolist() == [["a", 20.0], ["a", 5.0]]
    facts = ledger_dict(ledger)
    assert facts["return netted into a same-day purchase"] == 1
    assert facts["customer-day with zero or negative total after returns"] == 3
    assert facts["rows kept"] == 2


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        pytest.param(
            "customer_id,when,amount\na,2024-01-01,1\n",
            {},
            r"missing column\(s\) 'date'; columns found: customer_id, when, amount",
            id="missing-column",
        ),
        pytest.param(
            HEADER + ",2024-01-01,1\n,2024-01-02,2\n",
            {},
            r"column 'customer_id': 2 of 2 rows have no customer id \(e.g. 'row 0', 'row 1'\)",
            id="all-null-ids",
        ),
        pytest.param(
            HEADER + "a,2024-01-01,1\nb,not a date,2\nc,2024-13-45,3\n",
            {},
            r"column 'date': 2 of 3 rows have a date that cannot be parsed "
            r"\(e.g. 'not a date', '2024-13-45'\)",
            id="unparsable-date",
        ),
        pytest.param(
            HEADER + "a,2024-01-01T10:00:00+02:00,1\nb,2024-01-02,2\n",
            {},
            r"column 'date': 1 rows carry a time zone and 1 do not",
            id="tz-aware-mixed-with-naive",
        ),
        pytest.param(
            HEADER + "a,2024-01-01,12.x\nb,2024-01-02,2\n",
            {},
            r"column 'amount': 1 of 2 rows have an amount that is not a number \(e.g. '12.x'\)",
            id="unparsable-amount",
        ),
        pytest.param("", {}, r"tx.csv is empty: no header and no rows", id="empty-file"),
        pytest.param(HEADER, {}, r"tx.csv has a header but no rows", id="header-only"),
        pytest.param(
            HEADER + "a,2024-01-01,1\n",
            {"amount_col": None},
            r"give amount_col, or both quantity_col and unit_price_col",
            id="no-amount-mapping",
        ),
        pytest.param(
            HEADER + "a,2024-01-01,1\n",
            {"on_invalid": "ignore"},
            r"on_invalid must be 'raise' or 'drop'",
            id="bad-option",
        ),
    ],
)
def test_bad_input_raises_a_message_naming_the_column_and_count(write_csv, text, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_transactions(write_csv(text), today="2024-12-31", **kwargs)


def test_latin1_file_says_which_encoding_to_pass_and_loads_with_it(write_csv):
    path = write_csv(HEADER + "José,2024-01-01,1\n", encoding="latin-1")
    with pytest.raises(
        ValueError, match=r"tx.csv is not utf-8 text .* pass the file's encoding, e.g. encoding='latin-1'"
    ):
        data.load_transactions(path, today="2024-12-31")
    tx, _ = data.load_transactions(path, encoding="latin-1", today="2024-12-31")
    assert tx["customer_id"].tolist() == ["José"]


def test_missing_file():
    with pytest.raises(ValueError, match="does not exist"):
        data.load_transactions("no/such/file.csv")


def test_negative_amount_alone_is_dropped_and_counted(write_csv):
    tx, ledger = data.load_transactions(
        write_csv(HEADER + "a,2024-01-01,-5\nb,2024-01-01,5\n"), today="2024-12-31"
    )
    assert tx["customer_id"].tolist() == ["b"]
    assert ledger_dict(ledger)["customer-day with zero or negative total after returns"] == 1


def test_zero_amount_is_dropped_and_counted(write_csv):
    tx, ledger = data.load_transactions(
        write_csv(HEADER + "a,2024-01-01,0\nb,2024-01-01,5\n"), today="2024-12-31"
    )
    assert tx["customer_id"].tolist() == ["b"]
    assert ledger_dict(ledger)["amount of zero"] == 1


def test_duplicate_rows_are_dropped_and_counted_unless_kept(write_csv):
    path = write_csv(HEADER + "a,2024-01-01,5\na,2024-01-01,5\na,2024-01-01,5\nb,2024-01-02,1\n")
    tx, ledger = data.load_transactions(path, today="2024-12-31")
    assert len(tx) == 2 and ledger_dict(ledger)["exact duplicate of another row"] == 2
    tx, ledger = data.load_transactions(path, today="2024-12-31", drop_duplicates=False)
    assert len(tx) == 4 and "exact duplicate of another row" not in ledger_dict(ledger)


def test_future_dates_are_dropped_and_counted(write_csv):
    path = write_csv(HEADER + "a,2024-01-01,5\na,2030-01-01,5\nb,2024-06-01,1\n")
    tx, ledger = data.load_transactions(path, today="2024-12-31")
    assert ledger_dict(ledger)["dated in the future"] == 1 and len(tx) == 2
    tx, ledger = data.load_transactions(path, observation_end="2024-03-31")
    assert ledger_dict(ledger)["dated after the observation end 2024-03-31"] == 2 and len(tx) == 1


def test_single_customer_is_fine(write_csv):
    tx, _ = data.load_transactions(
        write_csv(HEADER + "solo,2024-01-01,5\nsolo,2024-02-01,7\n"), today="2024-12-31"
    )
    assert tx["customer_id"].unique().tolist() == ["solo"] and len(tx) == 2


def test_leading_zero_ids_are_distinct_customers(write_csv):
    tx, _ = data.load_transactions(
        write_csv(HEADER + "007,2024-01-01,5\n7,2024-01-01,5\n0007,2024-01-01,5\n"), today="2024-12-31"
    )
    assert sorted(tx["customer_id"]) == ["0007", "007", "7"]


def test_invalid_rows_can_be_dropped_and_counted_instead(write_csv):
    path = write_csv(HEADER + ",2024-01-01,1\na,someday,2\nb,2024-01-01,x\nc,2024-01-02,3\n")
    tx, ledger = data.load_transactions(path, on_invalid="drop", today="2024-12-31")
    facts = ledger_dict(ledger)
    assert tx["customer_id"].tolist() == ["c"]
    assert facts["customer_id: no customer id"] == 1
    assert facts["date: a date that cannot be parsed"] == 1
    assert facts["amount: an amount that is not a number"] == 1


def test_unbalanced_ledger_is_caught():
    bad = pd.DataFrame({"step": ["read", "dropped", "kept"], "reason": ["in", "x", "out"], "rows": [5, 1, 3]})
    with pytest.raises(AssertionError, match="read 5 != kept 3 \\+ dropped 1"):
        data.check_ledger(bad)


# --------------------------------------------------------------------------------- property: balance
row = st.tuples(
    st.sampled_from(["a", "007", "7", "", " "]),
    st.sampled_from(["2024-01-01", "2024-01-02", "2031-05-05", "junk", ""]),
    st.sampled_from(["10", "-10", "0", "2.5", "x", ""]),
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=30), dedupe=st.booleans())
def test_ledger_always_balances(rows, dedupe):
    raw = pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).replace("", None)
    tx, ledger = data.clean_transactions(raw, on_invalid="drop", drop_duplicates=dedupe, today="2024-12-31")
    data.check_ledger(ledger)
    facts = ledger_dict(ledger)
    assert facts["rows in the source"] == len(rows)
    assert facts["rows kept"] == len(tx)
    assert (tx["amount"] > 0).all()
    assert (tx["date"] <= pd.Timestamp("2024-12-31")).all()
    assert tx["customer_id"].str.strip().ne("").all()


# ------------------------------------------------------------------ real users' files (issue 14, point 3)
def frame_of(
    dates: list[str], amounts: list[str] | None = None, ids: list[str] | None = None
) -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame(
        {"customer_id": ids or [f"c{i}" for i in range(n)], "date": dates, "amount": amounts or ["1"] * n}
    )


def days_of(tx: pd.DataFrame) -> list[str]:
    return tx.sort_values("customer_id")["date"].dt.strftime("%Y-%m-%d").tolist()


def test_every_iso_8601_form_in_one_column_is_kept():
    raw = frame_of(["2024-01-01", "2024-01-02 10:00:00", "2024-01-02T10:00:00", "2024-01-02 10:00:00.123456"])
    tx, ledger = data.clean_transactions(raw, today="2024-12-31")
    assert days_of(tx) == ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-02"]
    assert ledger_dict(ledger) == {"rows in the source": 4, "rows kept": 4}


def test_a_first_field_above_twelve_makes_slashed_dates_day_first():
    tx, _ = data.clean_transactions(frame_of(["02/01/2024", "13/01/2024"]), today="2024-12-31")
    assert days_of(tx) == ["2024-01-02", "2024-01-13"]


def test_a_second_field_above_twelve_makes_slashed_dates_month_first():
    tx, _ = data.clean_transactions(frame_of(["02/01/2024", "01/13/2024"]), today="2024-12-31")
    assert days_of(tx) == ["2024-02-01", "2024-01-13"]


def test_dotted_and_dashed_day_first_dates_with_times_and_two_digit_years():
    tx, _ = data.clean_transactions(
        frame_of(["02.01.24 10:00", "13.01.2024 22:30:05", "14-02-2024"]), today="2024-12-31"
    )
    assert days_of(tx) == ["2024-01-02", "2024-01-13", "2024-02-14"]


def test_ambiguous_day_month_dates_raise_and_name_both_options():
    raw = frame_of(["02/01/2024", "03/01/2024", "01/01/2024"])
    with pytest.raises(ValueError) as err:
        data.clean_transactions(raw, today="2024-12-31", on_invalid="drop")
    message = str(err.value)
    assert message.startswith(
        "column 'date': 2 of 3 rows have a date that reads both day-first and "
        "month-first (e.g. '02/01/2024', '03/01/2024')"
    )
    assert "date_format='%d/%m/%Y' (command line: --date-format '%d/%m/%Y')" in message
    assert "dayfirst=True (command line: --dayfirst)" in message and "date_format='%m/%d/%Y'" in message


def test_dayfirst_decides_ambiguous_dates_and_date_format_wins_over_it():
    raw = frame_of(["02/01/2024", "03/01/2024"])
    day_first, _ = data.clean_transactions(raw, dayfirst=True, today="2024-12-31")
    month_first, _ = data.clean_transactions(raw, dayfirst=False, today="2024-12-31")
    assert days_of(day_first) == ["2024-01-02", "2024-01-03"]
    assert days_of(month_first) == ["2024-02-01", "2024-03-01"]
    tx, _ = data.clean_transactions(raw, dayfirst=False, date_format="%d/%m/%Y", today="2024-12-31")
    assert days_of(tx) == ["2024-01-02", "2024-01-03"]


def test_day_first_and_month_first_dates_in_one_column_raise():
    with pytest.raises(
        ValueError,
        match=r"column 'date': day-first and month-first dates are mixed: 1 of 3 "
        r"rows can only be day-first \(e.g. '13/01/2024'\) and 1 only "
        r"month-first",
    ):
        data.clean_transactions(frame_of(["02/01/2024", "13/01/2024", "01/13/2024"]), today="2024-12-31")


def test_a_date_that_contradicts_dayfirst_is_an_unparsable_date():
    tx, ledger = data.clean_transactions(
        frame_of(["13/01/2024", "01/02/2024"]), dayfirst=False, on_invalid="drop", today="2024-12-31"
    )
    assert days_of(tx) == ["2024-01-02"] and ledger_dict(ledger)["date: a date that cannot be parsed"] == 1


def test_utc_and_gmt_suffixes_are_offset_zero_not_a_type_error():
    raw = frame_of(
        [
            "2024-01-02 10:00:00 UTC",
            "2024-01-02 23:30:00 gmt",
            "2024-01-02T10:00:00Z",
            "2024-01-03 01:00:00 UTC+02:00",
        ]
    )
    tx, _ = data.clean_transactions(raw, today="2024-12-31")
    assert days_of(tx) == ["2024-01-02"] * 4 and tx["date"].dt.tz is None


def test_utc_suffix_mixed_with_naive_dates_is_a_clear_value_error():
    with pytest.raises(ValueError, match=r"column 'date': 1 rows carry a time zone and 1 do not"):
        data.clean_transactions(frame_of(["2024-01-02 10:00:00 UTC", "2024-01-02"]), today="2024-12-31")


@pytest.mark.parametrize("zone", ["CET", "PST", "EST", "Europe/Berlin"])
def test_other_zone_names_raise_asking_for_an_offset(zone):
    raw = frame_of([f"2024-01-02 10:00:00 {zone}", "2024-01-03 10:00:00 +01:00"])
    with pytest.raises(
        ValueError,
        match=rf"column 'date': 1 of 2 rows name a time zone other than UTC, GMT "
        rf"or Z \(e.g. '2024-01-02 10:00:00 {zone}'\); convert .* offset "
        r"like \+01:00",
    ):
        data.clean_transactions(raw, today="2024-12-31", on_invalid="drop")


def test_am_pm_times_are_not_zone_names():
    raw = frame_of(["2024-01-02 10:00 PM", "2024-01-03 9:15 am"])
    tx, _ = data.clean_transactions(raw, today="2024-12-31")
    assert days_of(tx) == ["2024-01-02", "2024-01-03"]


NULL_LITERALS = ["NULL", "None", "nan", "NaN", "N/A", "NA", "null", "#N/A", "<NA>", " n/a "]


def test_null_literal_ids_are_dropped_and_counted_as_missing_ids():
    raw = frame_of(["2024-01-01"] * 12, ids=NULL_LITERALS + ["a", ""])
    tx, ledger = data.clean_transactions(raw, on_invalid="drop", today="2024-12-31")
    facts = ledger_dict(ledger)
    assert tx["customer_id"].tolist() == ["a"]
    assert facts["customer_id: no customer id (a null literal such as 'NULL')"] == 10
    assert facts["customer_id: no customer id"] == 1


def test_null_literal_ids_raise_naming_keep_null_ids_or_are_kept_with_it():
    raw = frame_of(["2024-01-01"] * 3, ids=["a", "NULL", "n/a"])
    with pytest.raises(
        ValueError,
        match=r"column 'customer_id': 2 of 3 rows have a null literal instead of "
        r"a "
        r"customer id \(e.g. 'NULL', 'n/a'\); pass keep_null_ids=True "
        r"\(command line: --keep-null-ids\)",
    ):
        data.clean_transactions(raw, today="2024-12-31")
    tx, _ = data.clean_transactions(raw, keep_null_ids=True, today="2024-12-31")
    assert sorted(tx["customer_id"]) == ["NULL", "a", "n/a"]


def test_parquet_integer_ids_with_a_null_stay_exact_text(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "tx.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": pa.array([9007199254740993, 9007199254740992, 123, None], pa.int64()),
                "date": pa.array(["2024-01-01"] * 4),
                "amount": pa.array([1, 2, 3, 4], pa.int32()),
                "qty": pa.array([1, None, 2, 1], pa.int64()),
            }
        ),
        path,
    )
    tx, ledger = data.load_transactions(path, quantity_col="qty", on_invalid="drop", today="2024-12-31")
    assert sorted(tx["customer_id"]) == ["123", "9007199254740992", "9007199254740993"]
    assert tx["amount"].tolist() == [3.0, 2.0, 1.0] and tx["quantity"].isna().sum() == 1
    assert ledger_dict(ledger)["customer_id: no customer id"] == 1


def test_negative_unit_price_is_refused_not_made_a_purchase():
    raw = pd.DataFrame(
        {"c": ["a", "b", "c"], "d": "2024-01-01", "q": ["-1", "-1", "2"], "p": ["-5", "5", "3"]}
    )
    mapping = dict(customer_col="c", date_col="d", amount_col=None, quantity_col="q", unit_price_col="p")
    with pytest.raises(ValueError, match=r"column 'p': 1 of 3 rows have a negative unit price \(e.g. '-5'\)"):
        data.clean_transactions(raw, **mapping, today="2024-12-31")
    tx, ledger = data.clean_transactions(raw, **mapping, on_invalid="drop", today="2024-12-31")
    facts = ledger_dict(ledger)
    assert tx["customer_id"].tolist() == ["c"] and facts["p: a negative unit price"] == 1
    assert facts["customer-day with zero or negative total after returns"] == 1  # b: a return, as before


def test_a_bad_optional_quantity_keeps_the_row_and_is_noted():
    raw = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "date": "2024-01-01",
            "amount": ["5", "4", "3"],
            "qty": ["x", None, "2"],
        }
    )
    for on_invalid in ("raise", "drop"):
        tx, ledger = data.clean_transactions(
            raw, quantity_col="qty", on_invalid=on_invalid, today="2024-12-31"
        )
        assert tx["amount"].tolist() == [5.0, 4.0, 3.0]
        assert tx["quantity"].isna().tolist() == [True, True, False]
        noted = ledger[ledger["step"] == "noted"]
        assert noted["reason"].tolist() == ["qty: quantity blank or not a number; row kept, quantity missing"]
        assert noted["rows"].tolist() == [2]
        data.check_ledger(ledger)


def test_a_netted_day_with_a_missing_quantity_has_a_missing_quantity():
    raw = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "date": "2024-01-01",
            "amount": ["10", "-2", "5", "-1"],
            "qty": ["x", "1", "2", "-1"],
        }
    )
    tx, _ = data.clean_transactions(raw, quantity_col="qty", today="2024-12-31")
    assert tx["amount"].tolist() == [8.0, 4.0] and tx["quantity"].isna().tolist() == [True, False]


def test_a_bad_quantity_is_a_bad_amount_when_amount_is_quantity_times_price():
    raw = pd.DataFrame({"c": ["a", "b"], "d": "2024-01-01", "q": ["x", "1"], "p": ["5", "3"]})
    with pytest.raises(ValueError, match=r"column 'q': 1 of 2 rows have a quantity that is not a number"):
        data.clean_transactions(raw, "c", "d", None, "q", "p", today="2024-12-31")


def test_decimal_comma_numbers_with_thousands_separators():
    amounts = ["1.234,56", "1.234", "12,5", "1 234,5", "1\u00a0234,5", "-3,0", "1.5"]
    raw = frame_of(["2024-01-01"] * 7, amounts=amounts)
    tx, ledger = data.clean_transactions(raw, decimal=",", on_invalid="drop", today="2024-12-31")
    assert tx["amount"].tolist() == [1234.56, 1234.0, 12.5, 1234.5, 1234.5]
    # "1.5" is not a decimal-comma number: refused, not read as 15
    assert ledger_dict(ledger)["amount: an amount that is not a number"] == 1


def test_decimal_point_refuses_a_decimal_comma_and_names_the_option():
    with pytest.raises(
        ValueError,
        match=r"1 of 2 rows have an amount that is not a number \(e.g. '12,5'\); "
        r"if the file uses a decimal comma pass decimal=',' "
        r"\(command line: --decimal ','\)",
    ):
        data.clean_transactions(frame_of(["2024-01-01"] * 2, amounts=["12,5", "3"]), today="2024-12-31")
    with pytest.raises(ValueError, match=r"\(e.g. '1,234.50'\); thousands separators are not read"):
        data.clean_transactions(frame_of(["2024-01-01"], amounts=["1,234.50"]), today="2024-12-31")
    with pytest.raises(ValueError, match=r"decimal must be '.' or ','"):
        data.clean_transactions(frame_of(["2024-01-01"]), decimal=";")


def test_semicolon_file_loads_with_sep_and_the_missing_column_error_suggests_it(write_csv):
    path = write_csv("customer_id;date;amount\n007;02.01.2024;1.234,5\n007;13.01.2024;2\n")
    with pytest.raises(
        ValueError,
        match=r"the header looks ';'-separated: pass sep=';' "
        r"\(command line: --sep ';'\)",
    ):
        data.load_transactions(path, today="2024-12-31")
    tx, _ = data.load_transactions(path, sep=";", decimal=",", today="2024-12-31")
    assert tx["amount"].tolist() == [1234.5, 2.0] and days_of(tx) == ["2024-01-02", "2024-01-13"]


def test_load_passes_every_reading_option_and_keeps_its_positional_order(write_csv):
    import inspect

    params = list(inspect.signature(data.load).parameters)
    assert params[:7] == [
        "source",
        "customer_col",
        "date_col",
        "amount_col",
        "quantity_col",
        "unit_price_col",
        "observation_end",
    ]
    path = write_csv("client;day;value\nJosé;02/01/2024;12,5\nNULL;03/01/2024;1\n", encoding="latin-1")
    tx, ledger = data.load(
        path,
        customer_col="client",
        date_col="day",
        amount_col="value",
        quantity_col=None,
        unit_price_col=None,
        observation_end=None,
        encoding="latin-1",
        sep=";",
        decimal=",",
        dayfirst=True,
        keep_null_ids=True,
        today="2024-12-31",
    )
    assert tx["customer_id"].tolist() == ["José", "NULL"] and tx["amount"].tolist() == [12.5, 1.0]
    assert days_of(tx) == ["2024-01-02", "2024-01-03"]
    with pytest.raises(ValueError, match=r"command line: --encoding latin-1"):
        data.load(path, customer_col="client", date_col="day", amount_col="value", sep=";")


def test_cdnow_ignores_the_reading_options():
    tx, ledger = data.load("cdnow_sample", dayfirst=True, decimal=",", sep=";", keep_null_ids=True)
    assert len(tx) == 6919 and ledger_dict(ledger) == {"rows in the source": 6919, "rows kept": 6919}


# ---------------------------------------------------------------- property: balance, quantity x price
priced_row = st.tuples(
    st.sampled_from(["a", "b", "NULL", "n/a", ""]),
    st.sampled_from(
        ["2024-01-01", "2024-01-02 10:00:00", "2024-01-02T10:00:00.5", "13/01/2024", "01/01/2024", "junk", ""]
    ),
    st.sampled_from(["2", "-1", "0", "x", ""]),
    st.sampled_from(["5", "-5", "2,5", "0", "y", ""]),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(priced_row, min_size=1, max_size=30), as_amount=st.booleans(), keep_null_ids=st.booleans()
)
def test_ledger_always_balances_with_quantities_prices_and_null_ids(rows, as_amount, keep_null_ids):
    raw = pd.DataFrame(rows, columns=["customer_id", "date", "qty", "price"]).replace("", None)
    mapping = (
        dict(amount_col="price", quantity_col="qty")
        if as_amount
        else dict(amount_col=None, quantity_col="qty", unit_price_col="price")
    )
    tx, ledger = data.clean_transactions(
        raw, **mapping, on_invalid="drop", keep_null_ids=keep_null_ids, today="2024-12-31"
    )
    data.check_ledger(ledger)
    facts = ledger_dict(ledger)
    assert facts["rows in the source"] == len(rows) and facts["rows kept"] == len(tx)
    assert (tx["amount"] > 0).all() and tx["date"].notna().all()
    if not keep_null_ids:
        assert not tx["customer_id"].str.lower().isin(data.NULL_ID_LITERALS).any()
    if not as_amount:
        assert tx["quantity"].notna().all()


def test_no_source_means_no_transaction_log():
    assert data.load(None) == (None, None)


def test_a_file_of_which_nothing_survives_cleaning_is_refused_with_its_ledger(write_csv):
    path = write_csv("customer_id,date,amount\na,2024-01-01,0\nb,2024-01-02,-5\n")
    with pytest.raises(ValueError, match="(?s)no row of tx.csv survived cleaning.*amount of zero"):
        data.load(path, on_invalid="drop")


def test_every_input_table_goes_through_one_reader(tmp_path):
    from lifecycle_utils import strategy, survival

    missing = tmp_path / "nowhere.csv"
    for load in (
        lambda: data.load_transactions(missing),
        lambda: survival.load_survival_table(missing),
        lambda: strategy.load_experiment(missing, "arm", converted_col="converted"),
    ):
        with pytest.raises(ValueError, match="data file .*nowhere.csv does not exist"):
            load()
    typed = tmp_path / "t.csv"
    typed.write_text("duration,churned,fee\n10,1,20.5\n12,0,30\n")
    assert data.read_table(typed, as_text=False)["fee"].dtype == float
    assert data.read_table(typed)["fee"].tolist() == ["20.5", "30"]


def test_the_data_set_label_is_given_or_named_after_the_source():
    assert data.dataset_label("cdnow") == "CDNOW" and data.dataset_label("cdnow_sample") == "the CDNOW sample"
    assert data.dataset_label("/x/raw/online_retail_II.csv") == "online_retail_II"
    assert data.dataset_label("/x/orders.csv", "Shop EU") == "Shop EU"
    assert data.dataset_label(None) == "the tables given"


def test_the_source_key_tells_data_sets_apart_and_sees_an_edited_file(tmp_path):
    import json
    import os

    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,5\n")
    key = data.source_key(path, "2024-06-30", {"sep": ",", "customer_col": "customer_id"})
    assert json.loads(key)["options"] == {"customer_col": "customer_id", "sep": ","}  # sorted: order-free
    assert key == data.source_key(str(path), "2024-06-30", {"customer_col": "customer_id", "sep": ","})
    assert key != data.source_key(path, None, {"sep": ",", "customer_col": "customer_id"})
    os.utime(path, ns=(1, 1))  # the same path, modified at another time: another data set
    assert key != data.source_key(path, "2024-06-30", {"sep": ",", "customer_col": "customer_id"})
    assert data.source_key("cdnow") != data.source_key("cdnow_sample")


# ------------------------------------------------------------------------- one cleaned copy per run
def test_a_cleaned_copy_is_written_once_and_read_back_the_same(write_csv, tmp_path, monkeypatch):
    path = write_csv("client,day,value\n007,2024-01-02,10.5\n007,2024-01-02,10.5\n8,bad,3\n9,2024-02-01,-1\n")
    options = {"customer_col": "client", "date_col": "day", "amount_col": "value", "on_invalid": "drop"}
    cache = tmp_path / "cache"
    expected = data.load(path, **options)
    first = data.load(path, cache_dir=cache, **options)
    assert len(list(cache.glob("*.parquet"))) == 2  # the rows and the ledger
    cleanings = []
    original = data.load_transactions
    monkeypatch.setattr(data, "load_transactions", lambda *a, **k: cleanings.append(1) or original(*a, **k))
    monkeypatch.setenv(data.CLEANED_CACHE_ENV, str(cache))  # as report.run_notebooks sets it
    second = data.load(path, **options)
    assert cleanings == []  # read back, not cleaned again
    for got in (first, second):
        pd.testing.assert_frame_equal(expected[0], got[0])
        pd.testing.assert_frame_equal(expected[1], got[1])
    assert got[0]["customer_id"].tolist() == ["007"]
    data.load(path, observation_end="2024-01-31", **options)  # another end: another copy
    assert cleanings == [1] and len(list(cache.glob("*.parquet"))) == 4


def test_an_edited_file_or_other_options_never_read_a_stale_copy(write_csv):
    path = write_csv("customer_id,date,amount\na,2024-01-02,1\n")
    key = data.cleaned_copy_key(path, None, {"sep": ","})
    assert key != data.cleaned_copy_key(path, None, {"sep": ";"})
    assert key != data.cleaned_copy_key(path, "2024-01-31", {"sep": ","})
    assert key != data.cleaned_copy_key(path, None, {"sep": ",", "today": "2020-01-01"})  # another "today"
    with open(path, "a") as f:
        f.write("b,2024-01-03,2\n")
    assert key != data.cleaned_copy_key(path, None, {"sep": ","})
