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
    joined = tx.merge(master, left_on=["master_customer_id", "date", "amount"],
                      right_on=["customer_id", "date", "amount"], how="left", indicator=True)
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
    tx, _ = data.load_transactions(path, customer_col="client", date_col="when", amount_col=None,
                                   quantity_col="qty", unit_price_col="price", today="2024-12-31")
    assert tx["amount"].tolist() == [5.0, 9.99]
    assert tx["quantity"].tolist() == [2.0, 1.0]


def test_parquet_input(tmp_path):
    path = tmp_path / "tx.parquet"
    pd.DataFrame({"customer_id": ["01", "02"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                  "amount": [1.0, 2.0]}).to_parquet(path)
    tx, ledger = data.load_transactions(path, today="2024-12-31")
    assert tx["customer_id"].tolist() == ["01", "02"]
    assert ledger_dict(ledger)["rows kept"] == 2


def test_timezone_aware_values_all_aware_become_utc_days():
    raw = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2024-01-01T23:30:00-02:00", "2024-01-02T08:00:00Z"],
                        "amount": ["1", "2"]})
    tx, _ = data.clean_transactions(raw, today="2024-12-31")
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-02")]


def test_returns_are_netted_within_customer_and_day():
    raw = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "date": ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02", "2024-01-02", "2024-01-03"],
        "amount": ["30", "-10", "5", "8", "-8", "-4"],
    })
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
        pytest.param("customer_id,when,amount\na,2024-01-01,1\n", {},
                     r"missing column\(s\) 'date' in 1 rows; columns found: customer_id, when, amount",
                     id="missing-column"),
        pytest.param(HEADER + ",2024-01-01,1\n,2024-01-02,2\n", {},
                     r"column 'customer_id': 2 of 2 rows have no customer id \(e.g. 'row 0', 'row 1'\)",
                     id="all-null-ids"),
        pytest.param(HEADER + "a,2024-01-01,1\nb,not a date,2\nc,2024-13-45,3\n", {},
                     r"column 'date': 2 of 3 rows have a date that cannot be parsed \(e.g. 'not a date', '2024-13-45'\)",
                     id="unparsable-date"),
        pytest.param(HEADER + "a,2024-01-01T10:00:00+02:00,1\nb,2024-01-02,2\n", {},
                     r"column 'date': 1 rows carry a time zone and 1 do not",
                     id="tz-aware-mixed-with-naive"),
        pytest.param(HEADER + "a,2024-01-01,12.x\nb,2024-01-02,2\n", {},
                     r"column 'amount': 1 of 2 rows have an amount that is not a number \(e.g. '12.x'\)",
                     id="unparsable-amount"),
        pytest.param("", {}, r"tx.csv is empty: no header and no rows", id="empty-file"),
        pytest.param(HEADER, {}, r"tx.csv has a header but no rows", id="header-only"),
        pytest.param(HEADER + "a,2024-01-01,1\n", {"amount_col": None},
                     r"give amount_col, or both quantity_col and unit_price_col", id="no-amount-mapping"),
        pytest.param(HEADER + "a,2024-01-01,1\n", {"on_invalid": "ignore"},
                     r"on_invalid must be 'raise' or 'drop'", id="bad-option"),
    ],
)
def test_bad_input_raises_a_message_naming_the_column_and_count(write_csv, text, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_transactions(write_csv(text), today="2024-12-31", **kwargs)


def test_latin1_file_says_which_encoding_to_pass_and_loads_with_it(write_csv):
    path = write_csv(HEADER + "José,2024-01-01,1\n", encoding="latin-1")
    with pytest.raises(ValueError, match=r"tx.csv is not utf-8 text .* pass the file's encoding, e.g. encoding='latin-1'"):
        data.load_transactions(path, today="2024-12-31")
    tx, _ = data.load_transactions(path, encoding="latin-1", today="2024-12-31")
    assert tx["customer_id"].tolist() == ["José"]


def test_missing_file():
    with pytest.raises(ValueError, match="does not exist"):
        data.load_transactions("no/such/file.csv")


def test_negative_amount_alone_is_dropped_and_counted(write_csv):
    tx, ledger = data.load_transactions(write_csv(HEADER + "a,2024-01-01,-5\nb,2024-01-01,5\n"),
                                        today="2024-12-31")
    assert tx["customer_id"].tolist() == ["b"]
    assert ledger_dict(ledger)["customer-day with zero or negative total after returns"] == 1


def test_zero_amount_is_dropped_and_counted(write_csv):
    tx, ledger = data.load_transactions(write_csv(HEADER + "a,2024-01-01,0\nb,2024-01-01,5\n"),
                                        today="2024-12-31")
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
    tx, _ = data.load_transactions(write_csv(HEADER + "solo,2024-01-01,5\nsolo,2024-02-01,7\n"),
                                   today="2024-12-31")
    assert tx["customer_id"].unique().tolist() == ["solo"] and len(tx) == 2


def test_leading_zero_ids_are_distinct_customers(write_csv):
    tx, _ = data.load_transactions(write_csv(HEADER + "007,2024-01-01,5\n7,2024-01-01,5\n0007,2024-01-01,5\n"),
                                   today="2024-12-31")
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
