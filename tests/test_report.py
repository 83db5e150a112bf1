"""lifecycle_utils.report: recorded figures, versions, and running notebooks into a report folder."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import report


def test_record_writes_plain_json_and_returns_a_table(tmp_path):
    figures = {
        "customers": np.int64(3),
        "share": np.float64(0.25),
        "missing": float("nan"),
        "start": pd.Timestamp("1997-01-01"),
        "flag": np.bool_(True),
        "label": "新手期",
    }
    table = report.record("00_test", figures, out_dir=tmp_path)
    payload = json.loads((tmp_path / "00_test.json").read_text(encoding="utf-8"))
    assert payload == {
        "notebook": "00_test",
        "figures": {
            "customers": 3,
            "share": 0.25,
            "missing": None,
            "start": "1997-01-01",
            "flag": True,
            "label": "新手期",
        },
    }
    assert table["figure"].tolist() == list(figures)
    assert report.read_record("00_test", tmp_path)["customers"] == 3


def test_record_refuses_nothing():
    with pytest.raises(ValueError, match="at least one figure"):
        report.record("x", {})


def test_versions_lists_the_pinned_lifetimes():
    v = report.versions()
    assert v["lifetimes"] == "0.11.3" and "python" in v.index


def make_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = cells
    nbformat.write(nb, path)


def test_run_notebooks_executes_copies_and_builds_the_site(tmp_path):
    src, out = tmp_path / "nb", tmp_path / "out"
    src.mkdir()
    params = nbformat.v4.new_code_cell("X = 1\nREPORTS_DIR = '.'")
    params.metadata["tags"] = ["parameters"]
    make_notebook(
        src / "00_a.ipynb",
        [
            nbformat.v4.new_markdown_cell("# A"),
            params,
            nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(X * 2, REPORTS_DIR != '.')"),
            nbformat.v4.new_code_cell("X + 1"),
        ],
    )
    lines = []
    written = report.run_notebooks(
        src, out, parameters={"X": 21}, log=lambda *a, **k: lines.append(a[0]), site="reports"
    )
    names = {p.name for p in written}
    assert {"00_a.html", "00_a.ipynb", "index.html", "search.html", "_static"} <= names
    assert "api" not in names and "api.html" not in names  # site="reports": no API reference
    executed = nbformat.read(out / "00_a.ipynb", as_version=4)
    assert executed.cells[-2].outputs[0]["text"] == "42 True\n"
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert ".out.run-" in injected.source  # papermill names the run's folder; the page does not
    page = (out / "00_a.html").read_text()
    assert "42 True" in page and "hide-input" in page  # the code is on the page, folded
    assert "NBVAL_CHECK_OUTPUT" not in page and ".out.run-" not in page
    assert lines[0] == "[1/1] 00_a.ipynb ..." and lines[1].startswith("[1/1] 00_a.ipynb done")
    assert nbformat.read(src / "00_a.ipynb", as_version=4).cells[-2].get("outputs") == []
    again = report.run_notebooks(src, out, parameters={"X": 21}, log=lambda *a, **k: None, site="none")
    assert {p.name for p in again} == {"00_a.ipynb"} and not (out / "_static").exists()  # the old site went


def test_run_notebooks_names_the_failing_notebook_and_cell(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    make_notebook(
        src / "01_bad.ipynb", [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    )
    with pytest.raises(
        RuntimeError,
        match=r"01_bad.ipynb failed in the cell starting `1 / 0` \(ZeroDivisionError: division by zero\)",
    ):
        report.run_notebooks(src, tmp_path / "out", log=lambda *a, **k: None)


def test_a_notebook_that_reads_a_record_waits_for_it_and_the_rest_run_at_once(tmp_path):
    """Three notebooks, two at a time: 05 reads 04's marker, so it must start after 04 ends; 00 and 04
    overlap (each waits until the other has started). A failure stops what has not started."""
    src, out = tmp_path / "nb", tmp_path / "out"
    src.mkdir()
    marks = tmp_path / "marks"
    marks.mkdir()
    wait_for = "import pathlib, time\nm = pathlib.Path({!r})\n(m / {!r}).touch()\n"
    wait_for += "t = time.time()\nwhile not (m / {!r}).exists() and time.time() - t < 60: time.sleep(0.05)\n"
    wait_for += "assert (m / {!r}).exists()"
    make_notebook(
        src / "00_a.ipynb", [nbformat.v4.new_code_cell(wait_for.format(str(marks), "00", "04", "04"))]
    )
    make_notebook(
        src / "04_clv.ipynb",
        [
            nbformat.v4.new_code_cell(wait_for.format(str(marks), "04", "00", "00")),
            nbformat.v4.new_code_cell(f"import pathlib; (pathlib.Path({str(marks)!r}) / '04 done').touch()"),
        ],
    )
    make_notebook(
        src / "05_strategy.ipynb",
        [
            nbformat.v4.new_code_cell(
                f"import pathlib; assert (pathlib.Path({str(marks)!r}) / '04 done').exists()"
            )
        ],
    )
    paths = report.notebook_paths(src)
    assert report.prerequisites(paths) == {paths[0]: [], paths[1]: [], paths[2]: [paths[1]]}
    assert report.prerequisites(paths[2:]) == {paths[2]: []}  # 04 not in this run: nothing to wait for
    before = os.getcwd()
    report.run_notebooks(src, out, log=lambda *a, **k: None, site="none", jobs=2)
    assert os.getcwd() == before  # the process's folder is as it was, whatever the threads did
    assert {p.name for p in out.glob("*.ipynb")} == {"00_a.ipynb", "04_clv.ipynb", "05_strategy.ipynb"}
    make_notebook(src / "04_clv.ipynb", [nbformat.v4.new_code_cell("1 / 0")])
    with pytest.raises(RuntimeError, match="04_clv.ipynb failed"):
        report.run_notebooks(src, tmp_path / "out2", log=lambda *a, **k: None, site="none", jobs=2)
    assert not (tmp_path / "out2.failed" / "05_strategy.ipynb").exists()  # never started


def test_the_run_cleans_the_users_file_once_for_every_notebook(tmp_path, monkeypatch):
    from lifecycle_utils import data

    src, log_file = tmp_path / "nb", tmp_path / "orders.csv"
    src.mkdir()
    log_file.write_text("customer_id,date,amount\na,2024-01-02,1.5\nb,2024-01-03,2\n")
    params = nbformat.v4.new_code_cell("DATA = None\nDATA_OPTIONS = {}\nOBSERVATION_END = None")
    params.metadata["tags"] = ["parameters"]
    load = (
        "import os\nfrom lifecycle_utils import data\nfolder = os.environ[data.CLEANED_CACHE_ENV]\n"
        "before = sorted(os.listdir(folder))\ntx, ledger = data.load(DATA, observation_end=OBSERVATION_END, "
        "**DATA_OPTIONS)\nassert sorted(os.listdir(folder)) == before and len(before) == 2, before\n"
        "assert tx['customer_id'].tolist() == ['a', 'b']"
    )
    for name in ("00_a.ipynb", "01_b.ipynb"):
        make_notebook(src / name, [params, nbformat.v4.new_code_cell(load)])
    cleanings = []
    original = data._load_file
    monkeypatch.setattr(data, "_load_file", lambda *a, **k: cleanings.append(a[0]) or original(*a, **k))
    monkeypatch.delenv(data.CLEANED_CACHE_ENV, raising=False)
    parameters = {"DATA": str(log_file), "DATA_OPTIONS": {"on_invalid": "drop"}}
    report.run_notebooks(src, tmp_path / "out", parameters, log=lambda *a, **k: None, site="none", jobs=2)
    assert cleanings == [str(log_file)]  # cleaned once by the run; the kernels read the copy
    assert data.CLEANED_CACHE_ENV not in os.environ  # and the folder is forgotten after


def test_run_notebooks_without_notebooks(tmp_path):
    with pytest.raises(RuntimeError, match="no NN_name.ipynb notebooks"):
        report.run_notebooks(tmp_path, tmp_path / "out", log=lambda *a, **k: None)


def test_data_values_in_reports_are_escaped(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    make_notebook(
        src / "00_a.ipynb",
        [
            nbformat.v4.new_code_cell(
                "import pandas as pd\npd.DataFrame({'customer_id': ['<script>alert(1)</script>']})"
            )
        ],
    )
    report.run_notebooks(src, tmp_path / "out", log=lambda *a, **k: None, site="reports")
    page = (tmp_path / "out" / "00_a.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_strip_run_metadata_removes_timestamps_and_nothing_else(tmp_path):
    import json

    from lifecycle_utils.report import strip_run_metadata

    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {
                    "tags": ["parameters"],
                    "execution": {"x": "2026"},
                    "papermill": {"duration": 1.0},
                },
                "outputs": [],
                "source": "1",
                "execution_count": 1,
            }
        ],
        "metadata": {"papermill": {"start_time": "2026"}, "kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    assert strip_run_metadata(path) is True and strip_run_metadata(path) is False
    clean = json.loads(path.read_text())
    assert clean["cells"][0]["metadata"] == {"tags": ["parameters"]}
    assert (
        clean["metadata"] == {"kernelspec": {"name": "python3"}} and clean["cells"][0]["execution_count"] == 1
    )


def test_a_title_generated_by_a_code_cell_is_the_notebooks_title():
    shown = nbformat.v4.new_code_cell("narrative.overview.heading(label)")
    shown.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/markdown": "# 00 · The data: shop"})
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## A section"), shown])
    assert report.notebook_title(nb, "fallback") == "00 · The data: shop"
    nb.cells = nb.cells[:1]
    assert report.notebook_title(nb, "fallback") == "A section"  # no level-1 heading: the first heading
    nb.cells = []
    assert report.notebook_title(nb, "fallback") == "fallback"


def test_a_recorded_figure_is_reused_only_for_the_same_data(tmp_path):
    report.record("04_x", {"model trusted": "BG/NBD"}, out_dir=tmp_path, data_set="A")
    assert report.reuse("04_x", "model trusted", out_dir=tmp_path, data_set="A") == "BG/NBD"
    assert report.reuse("04_x", "model trusted", out_dir=tmp_path, data_set="B") is None  # other data
    assert report.reuse_record("04_x", out_dir=tmp_path, data_set="A") == {"model trusted": "BG/NBD"}
    assert report.reuse_record("04_x", out_dir=tmp_path, data_set="B") == {}
    assert report.reuse("04_x", "other figure", out_dir=tmp_path, data_set="A") is None
    assert report.reuse("03_missing", "model trusted", out_dir=tmp_path, data_set="A") is None
    report.record("04_y", {"model trusted": "BG/NBD"}, out_dir=tmp_path)  # recorded without saying which data
    assert report.reuse("04_y", "model trusted", out_dir=tmp_path, data_set="A") is None
