"""The command line: arguments, the data check before any notebook runs."""

from __future__ import annotations

import pytest

from lifecycle_utils.__main__ import main, notebook_parameters, parse


def test_own_data_arguments_become_notebook_parameters(tmp_path):
    args = parse(["report", "--data", str(tmp_path / "x.csv"), "--customer-col", "client", "--date-col", "day",
                  "--quantity-col", "qty", "--unit-price-col", "price", "--observation-end", "2024-12-31"])
    params = notebook_parameters(args)
    assert params["CUSTOMER_COL"] == "client" and params["AMOUNT_COL"] is None and params["QUANTITY_COL"] == "qty"
    assert params["DATA"].endswith("x.csv") and params["OBSERVATION_END"] == "2024-12-31"
    assert notebook_parameters(parse(["report"])) == {}


def test_an_amount_mapping_is_required():
    with pytest.raises(SystemExit):
        parse(["report", "--data", "x.csv"])


def test_schema_problems_stop_before_any_notebook_runs(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text("client,day,value\na,2024-01-01,1\n")
    code = main(["report", "--strict", "--data", str(path), "--customer-col", "client", "--date-col", "when",
                 "--amount-col", "value", "--notebooks", str(tmp_path / "none"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "missing column(s) 'when'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
