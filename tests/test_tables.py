"""lifecycle_utils.tables: stakeholder tables (readable headers, formatted numbers, no row numbers, no
truncated text), and the committed notebooks show no raw Python and no table that bypassed the helper."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from lifecycle_utils import rfm, summary, tables

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def text_of(table) -> pd.DataFrame:
    """The formatted cells of a shown table, as a frame of text."""
    return table.data


def test_show_returns_a_styler_whose_plain_text_is_the_table():
    table = tables.show(pd.DataFrame({"customers": [23570, 4]}))
    assert isinstance(table, Styler)
    assert "0x" not in repr(table) and "23,570" in repr(table)


def test_headers_are_read_as_words_and_mapped_names_get_their_units():
    frame = pd.DataFrame({"first_purchase": ["1997-01-01"], "total_spend": [12.5], "my_own_column": [1]})
    assert list(text_of(tables.show(frame)).columns) == ["first purchase", "total spend", "my own column"]
    headers = summary.column_headers("D")
    assert headers["recency"] == "recency (days)" and summary.column_headers("W")["T"] == "age T (weeks)"
    shown = tables.show(pd.DataFrame({"recency": [3.0]}), headers=headers)
    assert list(text_of(shown).columns) == ["recency (days)"]


def test_numbers_get_thousands_separators_and_one_number_of_decimals_per_column():
    frame = pd.DataFrame(
        {
            "customers": [23570, 4],  # integers: no decimals
            "mean frequency": [7.93, 3.0],  # the same decimals down the column
            "days": [119.0, 2000.0],  # whole floats: no decimals
        }
    )
    cells = text_of(tables.show(frame))
    assert cells["customers"].tolist() == ["23,570", "4"]
    assert cells["mean frequency"].tolist() == ["7.93", "3.00"]
    assert cells["days"].tolist() == ["119", "2,000"]


def test_raw_estimates_show_three_decimals_and_fine_roundings_keep_theirs():
    cells = text_of(tables.show(pd.DataFrame({"T": [77.857142857, 1.0], "tolerance": [0.0005, 0.001]})))
    assert cells["T"].tolist() == ["77.857", "1.000"]
    assert cells["tolerance"].tolist() == ["0.0005", "0.0010"]


def test_percent_money_and_p_values_are_read_from_the_column_names():
    frame = pd.DataFrame(
        {
            "customers (%)": [21.2, 0.0],
            "S(90) %": [30.2, 5.0],
            "90% low": [0.23, 0.5],  # the % belongs to the interval: not a percentage
            "mean monetary": [318.43, 29.8],
            "revenue per customer": [1.918, 2.364],
            "net incremental profit": [-0.422, 0.034],
            "revenue (%)": [63.6, 0.1],  # a share of revenue, not money
            "customers per arm: profit": [2199, 13813],  # a count, not money
            "p-value": [1.29e-22, 0.899],
            "p-value (Holm)": ["< 1e-300", "4.5e-21"],
        }
    )
    cells = text_of(tables.show(frame))
    assert cells["customers (%)"].tolist() == ["21.2%", "0.0%"]
    assert cells["S(90) %"].tolist() == ["30.2%", "5.0%"]
    assert cells["90% low"].tolist() == ["0.23", "0.50"]
    assert cells["mean monetary"].tolist() == ["$318", "$30"]  # cents only when all amounts are below $100
    assert cells["revenue per customer"].tolist() == ["$1.92", "$2.36"]
    assert cells["net incremental profit"].tolist() == ["-$0.42", "$0.03"]
    assert cells["revenue (%)"].tolist() == ["63.6%", "0.1%"]
    assert cells["customers per arm: profit"].tolist() == ["2,199", "13,813"]
    assert cells["p-value"].tolist() == ["< 0.001", "0.899"]
    assert cells["p-value (Holm)"].tolist() == ["< 0.001", "< 0.001"]


def test_named_columns_can_be_money_percent_or_fractions():
    frame = pd.DataFrame(
        {"occasions": ["1", "10+"], "share": [51.1, 4.6], "rate": [0.047, 0.1], "x": [1.5, 2]}
    )
    cells = text_of(tables.show(frame, percent=["share"], fraction=["rate"], money=["x"]))
    assert cells["share"].tolist() == ["51.1%", "4.6%"]
    assert cells["rate"].tolist() == ["4.7%", "10.0%"]
    assert cells["x"].tolist() == ["$1.50", "$2.00"]


def test_a_header_over_all_columns_can_make_them_percentages():
    frame = pd.DataFrame([[70.6, 7.5]], columns=pd.Index(["new", "growing"], name="to (% of the row)"))
    assert text_of(tables.show(frame)).iloc[0].tolist() == ["70.6%", "7.5%"]


def test_missing_values_dates_and_booleans_read_as_words():
    frame = pd.DataFrame(
        {
            "gain": [np.nan, 0.226],
            "note": [None, "small"],
            "snapshot": pd.to_datetime(["1997-01-31", None]),
            "match": [True, False],
        }
    )
    cells = text_of(tables.show(frame))
    assert cells["gain"].tolist() == [tables.MISSING, "0.226"]
    assert cells["note"].tolist() == [tables.MISSING, "small"]
    assert cells["snapshot"].tolist() == ["1997-01-31", tables.MISSING]
    assert cells["match"].tolist() == ["yes", "no"]
    assert "NaN" not in tables.show(frame).to_html() and "NaT" not in repr(tables.show(frame))


def test_row_numbers_are_hidden_and_a_meaningful_index_is_kept():
    numbered = tables.show(pd.DataFrame({"a": [1, 2, 3]}).iloc[1:])  # 1..2 after a selection: still numbers
    assert "<tbody>" in numbered.to_html() and 'class="row_heading' not in numbered.to_html()
    assert repr(numbered).splitlines()[0].strip() == "a"
    named = tables.show(pd.DataFrame({"a": [1, 2]}, index=pd.Index([1, 2], name="decile")))
    assert 'class="row_heading' in named.to_html() and "decile" in repr(named)
    assert 'class="row_heading' in tables.show(pd.DataFrame({"a": [1]}), index=True).to_html()


def test_long_text_is_never_cut_short():
    play = "win back now: personal contact and an offer worth their past spend, then let go if silent"
    table = tables.show(pd.DataFrame({"customers": [1084], "play": [play]}))
    assert play in table.to_html() and play in repr(table)


def test_a_one_column_table_of_facts_is_read_row_by_row():
    facts = {
        "rows": 69659,
        "total amount": 2500315.63,
        "first date": pd.Timestamp("1997-01-01"),
        "repeat customers (%)": 48.9,
        "mean amount per row": 35.893,
        "one acquisition cohort": True,
        "note": None,
    }
    cells = text_of(tables.show(facts))["value"].tolist()
    assert cells == ["69,659", "$2,500,316", "1997-01-01", "48.9%", "$35.89", "yes", tables.MISSING]
    spend = pd.Series({"p10": 11.77, "p99": 182.68}, name="per occasion")
    assert text_of(tables.show(spend, money=True))["per occasion"].tolist() == ["$11.77", "$183"]


def test_rows_read_by_rows_share_their_decimals():
    frame = pd.DataFrame(
        {"published": [0.243, 1882.0], "reproduced": [0.2430054, 1882.0], "difference": [5.46e-06, 0.0]},
        index=pd.Index(["BG/NBD r", "repeat transactions"], name="figure"),
    )
    cells = text_of(tables.show(frame, rows=True))
    assert cells.loc["BG/NBD r"].tolist() == ["0.243", "0.243", "0.000"]
    assert cells.loc["repeat transactions"].tolist() == ["1,882", "1,882", "0"]


def test_html_is_escaped_deterministic_and_not_read_as_mathematics():
    frame = pd.DataFrame({"level": ["low ($0-$15)", "<b>x</b>"], "p-value": [0.5, 1e-9]})
    first, second = tables.show(frame).to_html(), tables.show(frame.copy()).to_html()
    assert first == second  # the table id comes from the content: a re-run writes the same HTML
    assert re.search(r'id="T_lc[0-9a-f]{10}"', first)
    assert "&lt;b&gt;x&lt;/b&gt;" in first and "&lt; 0.001" in first and "<b>x" not in first
    assert "tex2jax_ignore" in first and "mathjax_ignore" in first and "low ($0-$15)" in first
    assert tables.show(frame, name="other").to_html() != first


def test_nothing_to_show_shows_nothing():
    assert tables.show(None) is None
    with pytest.raises(TypeError, match="DataFrame, a Series or a dict"):
        tables.show([1, 2])


def test_purchase_counts_in_the_score_ranges_are_whole_numbers():
    edges = {"R": [142, 433, 485, 512], "F": [2, 3, 4, 6], "M": [15.37, 31.76, 60.32, 134.66]}
    values = rfm.edges_table(edges).set_index(["axis", "score"])["values"]
    assert [values["F", s] for s in range(1, 6)] == ["1", "2", "3", "4 to 5", "6 or more"]
    assert [values["R", s] for s in (5, 4, 1)] == ["0 to 141", "142 to 432", "512 or more"]
    assert [values["M", s] for s in (1, 4, 5)] == [
        "under $15.37",
        "$60.32 to under $134.66",
        "$134.66 or more",
    ]
    assert rfm.edges_table({"R": [10], "F": [2.2, 2.7], "M": [5]}).loc[
        lambda t: t["axis"] == "F", "values"
    ].tolist() == [
        "1 to 2",
        "none",
        "3 or more",
    ]


def test_the_refit_note_is_shown_as_text_not_printed():
    from lifecycle_utils import narrative

    note = "'x' fails proportional hazards (chi-square 1,165.2, 1 df), so the model is refitted."
    shown = narrative.survival.refit_sentence(note)
    assert shown._repr_markdown_() == note and repr(shown) == note


# ----------------------------------------------------------------------------- the committed notebooks
def outputs(path: Path):
    """(cell index, output) for every output of a notebook's code cells."""
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] == "code":
            for out in cell.get("outputs", []):
                yield i, cell, out


def is_versions_cell(cell) -> bool:
    return "versions()" in "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_raw_python_repr_on_a_stakeholder_page(path):
    """Every result a notebook shows is a table, a figure or generated Markdown: no output that only
    Python's plain text can show (a dict, a Series with ``dtype: float64``, a list, a bare number or
    string) and no printed text, except from the versions cell."""
    raw = []
    for i, cell, out in outputs(path):
        if out["output_type"] in ("execute_result", "display_data") and set(out["data"]) == {"text/plain"}:
            raw.append(f"cell {i}: {''.join(out['data']['text/plain'])[:80]!r}")
        if out["output_type"] == "stream" and not is_versions_cell(cell):
            raw.append(f"cell {i} prints: {''.join(out['text'])[:80]!r}")
    assert not raw, raw


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_table_a_notebook_shows_goes_through_the_display_helper(path):
    """An HTML table in a committed notebook comes from ``tables.show``: it has the helper's class, no
    ``NaN`` and no text cut short with "..." (pandas' own HTML truncates long text)."""
    bypassed, flawed = [], []
    for i, _, out in outputs(path):
        html = "".join(out.get("data", {}).get("text/html", ""))
        if "<table" not in html:
            continue
        if "lifecycle-table" not in html:
            bypassed.append(i)
        cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", html)
        if any(c.strip() in {"NaN", "nan", "None", "NaT"} or c.rstrip().endswith("...") for c in cells):
            flawed.append(i)
    assert not bypassed, f"cells showing a table without tables.show: {bypassed}"
    assert not flawed, f"cells showing NaN or cut text: {flawed}"


@pytest.mark.parametrize("p", [0.2, 0.05, 0.0499, 0.0011, 0.001, 0.00099, 0.0006, 1.27e-80, 0.0])
def test_a_table_shows_a_p_value_as_the_sentence_beside_it_writes_it(p):
    from lifecycle_utils.narrative import words

    assert words.p_value(p).removeprefix("p = ").removeprefix("p ") == tables.cell(p, "p")
