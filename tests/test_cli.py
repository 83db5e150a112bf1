"""The command line: arguments, the data check before any notebook runs."""

from __future__ import annotations

import pytest

from lifecycle_utils.__main__ import main, notebook_parameters, parse


def test_own_data_arguments_become_notebook_parameters(tmp_path):
    args = parse(
        [
            "report",
            "--data",
            str(tmp_path / "x.csv"),
            "--customer-col",
            "client",
            "--date-col",
            "day",
            "--quantity-col",
            "qty",
            "--unit-price-col",
            "price",
            "--observation-end",
            "2024-12-31",
        ]
    )
    params = notebook_parameters(args)
    options = params["DATA_OPTIONS"]
    assert (
        options["customer_col"] == "client"
        and options["amount_col"] is None
        and options["quantity_col"] == "qty"
    )
    assert options["on_invalid"] == "drop"  # --strict makes it "raise"
    assert params["DATA"].endswith("x.csv") and params["OBSERVATION_END"] == "2024-12-31"
    assert notebook_parameters(parse(["report"])) == {}


def test_an_amount_mapping_is_required():
    with pytest.raises(SystemExit):
        parse(["report", "--data", "x.csv"])


def test_schema_problems_stop_before_any_notebook_runs(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text("client,day,value\na,2024-01-01,1\n")
    code = main(
        [
            "report",
            "--strict",
            "--data",
            str(path),
            "--customer-col",
            "client",
            "--date-col",
            "when",
            "--amount-col",
            "value",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "missing column(s) 'when'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------- the output folder
def _notebook(path, source: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('REPORTS_DIR = "."', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _log(path, customers: int = 1) -> list[str]:
    rows = "".join(f"c{i},2024-01-0{1 + i % 5},{10 + i}\n" for i in range(customers))
    path.write_text("client,day,value\n" + rows)
    return [
        "report",
        "--data",
        str(path),
        "--customer-col",
        "client",
        "--date-col",
        "day",
        "--amount-col",
        "value",
    ]


def test_out_may_not_be_or_contain_the_source_notebooks(tmp_path, capsys):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "00_a.ipynb", "1")
    for out in (nbs, tmp_path):
        assert main(["report", "--notebooks", str(nbs), "--out", str(out)]) == 2
        assert "is or contains the source notebooks" in capsys.readouterr().err
    assert sorted(p.name for p in nbs.iterdir()) == ["00_a.ipynb"]


def test_a_file_the_run_did_not_write_is_never_overwritten(tmp_path, capsys):
    nbs, out = tmp_path / "nbs", tmp_path / "out"
    nbs.mkdir()
    out.mkdir()
    _notebook(nbs / "00_a.ipynb", "1")
    (out / "index.html").write_text("mine")
    assert main(["report", "--notebooks", str(nbs), "--out", str(out)]) == 2
    assert "no report run wrote (e.g. index.html)" in capsys.readouterr().err
    assert (out / "index.html").read_text() == "mine"


def test_a_failed_run_leaves_the_previous_output_as_it_was(tmp_path):
    from lifecycle_utils import report

    nbs, out = tmp_path / "nbs", tmp_path / "out"
    nbs.mkdir()
    record = "from lifecycle_utils import report\nreport.record('00_a', {'x': 1}, out_dir=REPORTS_DIR)"
    _notebook(nbs / "00_a.ipynb", record)
    quiet = dict(log=lambda *a, **k: None, site="reports")
    first = report.run_notebooks(nbs, out, **quiet)
    names = {p.name for p in first}
    assert (
        {"00_a.html", "00_a.ipynb", "00_a.json", "index.html", "_static"}
        <= names
        <= report.output_names([nbs / "00_a.ipynb"])
    )
    assert (out / report.MANIFEST).exists()
    (out / "notes.txt").write_text("mine")  # a file of the user's beside the reports: left alone
    _notebook(nbs / "01_b.ipynb", "raise ValueError('boom')")
    with pytest.raises(RuntimeError, match="01_b.ipynb failed .* was left as it was"):
        report.run_notebooks(nbs, out, **quiet)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [p.name for p in first] + ["notes.txt", report.MANIFEST]
    )
    assert (out.parent / "out.failed" / "01_b.ipynb").exists()
    assert not list(out.parent.glob(".out.run-*"))  # no staging folder left behind
    (nbs / "01_b.ipynb").unlink()
    _notebook(nbs / "02_c.ipynb", record.replace("00_a", "02_c"))
    report.run_notebooks(nbs, out, **quiet)  # replaces only what the last run wrote
    assert (out / "notes.txt").read_text() == "mine" and (out / "02_c.html").exists()
    assert not (out.parent / "out.failed").exists()  # the failed run's leftovers go once a run succeeds


def test_data_that_cannot_carry_any_analysis_stops_before_the_notebooks(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(_log(tmp_path / "one.csv") + ["--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and "cannot carry any analysis" in captured.err
    assert "not enough data for stage rules" in captured.out and not out.exists()


def test_loader_errors_name_the_input_flag(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes("client,day,value\nJos\xe9,2024-01-01,1\n".encode("latin-1"))
    code = main(
        [
            "report",
            "--strict",
            "--data",
            str(path),
            "--customer-col",
            "client",
            "--date-col",
            "day",
            "--amount-col",
            "value",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"error: --data {path}:") and "--encoding" in err


def test_reading_options_reach_the_notebooks(tmp_path):
    args = parse(
        _log(tmp_path / "x.csv")
        + [
            "--date-format",
            "%d/%m/%Y",
            "--sep",
            ";",
            "--decimal",
            ",",
            "--encoding",
            "latin-1",
            "--keep-null-ids",
        ]
    )
    params = notebook_parameters(args)
    options = params["DATA_OPTIONS"]
    assert options["date_format"] == "%d/%m/%Y" and options["sep"] == ";" and options["decimal"] == ","
    assert (
        options["encoding"] == "latin-1" and options["keep_null_ids"] is True and options["dayfirst"] is None
    )


def test_tables_alone_run_without_a_transaction_log(tmp_path):
    args = parse(
        [
            "report",
            "--survival-table",
            str(tmp_path / "t.csv"),
            "--duration-unit",
            "months",
            "--group-cols",
            "Contract",
            "--cox-covariates",
            "Contract, MonthlyCharges",
            "--reference",
            "Contract=Month-to-month",
        ]
    )
    params = notebook_parameters(args)
    assert params["DATA"] is None and params["DURATION_UNIT"] == "months"
    assert params["COX_COVARIATES"] == ["Contract", "MonthlyCharges"]
    assert params["COX_REFERENCE"] == {"Contract": "Month-to-month"}


def test_figures_recorded_by_a_notebook_run_by_hand_are_report_files(tmp_path):
    from lifecycle_utils import report

    out, nbs = tmp_path / "reports", tmp_path / "nbs"
    report.record("00_a", {"x": 1}, out_dir=out)  # e.g. nbval or make notebooks writing ../reports
    nbs.mkdir()
    _notebook(nbs / "00_a.ipynb", "1")
    report.check_output_folder(out, nbs, report.notebook_paths(nbs))  # no "foreign file" error


def test_a_users_folder_named_like_the_failed_output_is_never_removed(tmp_path):
    from lifecycle_utils import report

    nbs, out = tmp_path / "nbs", tmp_path / "out"
    nbs.mkdir()
    _notebook(nbs / "00_a.ipynb", "raise ValueError('boom')")
    (tmp_path / "out.failed").mkdir()
    (tmp_path / "out.failed" / "mine.txt").write_text("mine")
    with pytest.raises(RuntimeError, match=r"the executed copy with the error is .*\.out\.run-"):
        report.run_notebooks(nbs, out, log=lambda *a, **k: None)
    assert (tmp_path / "out.failed" / "mine.txt").read_text() == "mine"


def test_a_manifest_cannot_name_a_file_outside_its_folder(tmp_path):
    from lifecycle_utils import report

    (tmp_path / "out").mkdir()
    (tmp_path / "keep.txt").write_text("mine")
    (tmp_path / "out" / report.MANIFEST).write_text("../keep.txt\nindex.html\n")
    assert report._manifest(tmp_path / "out") == {"index.html"}


def test_an_unknown_encoding_is_a_message_naming_the_flag(tmp_path, capsys):
    code = main(_log(tmp_path / "x.csv", 30) + ["--encoding", "nosuch", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--encoding" in err and "Traceback" not in err


def test_a_label_names_the_data_set_in_every_notebook():
    params = notebook_parameters(parse(["report", "--label", "Shop EU"]))
    assert params == {"LABEL": "Shop EU"}


def test_a_campaign_table_brings_its_own_arm_costs(tmp_path):
    base = ["report", "--campaign", str(tmp_path / "c.csv"), "--control-arm", "none"]
    params = notebook_parameters(
        parse(
            base
            + ["--arm-cost", "notice=0.10", "--arm-cost", "coupon + mail=0.5"]
            + ["--arm-incentive", "coupon + mail=5"]
            + ["--targeting-arm", "notice", "--redemption-rate", "0.2"]
        )
    )
    assert params["ARM_CONTACT_COST"] == {"notice": 0.10, "coupon + mail": 0.5}
    assert params["ARM_INCENTIVE_COST"] == {"coupon + mail": 5.0}
    assert params["TARGETING_ARM"] == "notice" and params["REDEMPTION_RATE"] == 0.2
    # without costs no arm is charged the simulation's: the lists get a note, the test its "before costs"
    bare = notebook_parameters(parse(base))
    assert bare["ARM_CONTACT_COST"] == {} and bare["ARM_INCENTIVE_COST"] == {}
    assert bare["TARGETING_ARM"] is None and "REDEMPTION_RATE" not in bare


@pytest.mark.parametrize("pair", ["notice", "notice=-1", "notice=cheap", "=0.1"])
def test_a_bad_arm_cost_is_a_message_naming_the_flag(pair, capsys):
    with pytest.raises(SystemExit) as stop:
        parse(["report", "--campaign", "c.csv", "--arm-cost", pair])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--arm-cost takes ARM=COST" in err and repr(pair) in err


def test_the_site_option_chooses_what_is_built(capsys):
    assert parse(["report"]).site == "full" and parse(["report", "--site", "none"]).site == "none"
    with pytest.raises(SystemExit):
        parse(["report", "--site", "pdf"])
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


def test_run_notebooks_refuses_an_unknown_site(tmp_path):
    from lifecycle_utils import report

    with pytest.raises(ValueError, match="site must be one of full, reports, none, not 'pdf'"):
        report.run_notebooks(tmp_path, tmp_path / "out", site="pdf", log=lambda *a, **k: None)
