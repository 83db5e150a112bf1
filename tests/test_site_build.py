"""lifecycle_utils.site: the copy of a notebook the site renders, the index's labels and values, and a
Sphinx build of a small run (the whole site in a browser is tests/test_site.py)."""

from __future__ import annotations

import nbformat
import pytest

from lifecycle_utils import narrative, report, site


def _executed_notebook():
    params = nbformat.v4.new_code_cell('DATA = "x"\nREPORTS_DIR = "/build/machine/out"')
    params.metadata["tags"] = ["parameters"]
    heading = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nnarrative.heading('00', label)")
    heading.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/markdown": "# 00 · The data: shop <b>\n\n**Data.** 3 rows"}
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[params, heading, nbformat.v4.new_markdown_cell("## A section")])
    nb.metadata["language_info"] = {"name": "python"}  # as every executed notebook has
    return nb


def test_the_site_copy_has_a_title_cell_folded_code_and_no_build_details():
    nb = _executed_notebook()
    page = site.site_notebook(nb)
    assert page.cells[0].cell_type == "markdown" and page.cells[0].source == "# 00 · The data: shop &lt;b&gt;"
    params, heading = page.cells[1], page.cells[2]
    assert params.source == 'DATA = "x"' and heading.source == "narrative.heading('00', label)"
    assert params.metadata["tags"] == ["parameters", "hide-input"] and heading.metadata["tags"] == [
        "hide-input"
    ]
    assert heading.outputs[0]["data"]["text/markdown"] == "**Data.** 3 rows"  # the title moved up, once
    assert nb.cells[1].source.startswith("# NBVAL_CHECK_OUTPUT") and len(nb.cells) == 3  # nb unchanged
    assert report.notebook_title(page, "x") == "00 · The data: shop &lt;b&gt;"
    only_title = _executed_notebook()
    only_title.cells[1].outputs[0]["data"] = {"text/markdown": "# 00 · Title", "text/plain": "# 00 · Title"}
    assert site.site_notebook(only_title).cells[2].outputs == []  # no text/plain fallback left to show
    assert heading.outputs[0]["data"] == {"text/markdown": "**Data.** 3 rows"}
    again = site.site_notebook(page)
    assert [c.source for c in again.cells] == [c.source for c in page.cells]  # no second title
    assert again.cells[1].metadata["tags"] == ["parameters", "hide-input"]


@pytest.mark.parametrize(
    "key, label",
    [
        ("S(90) %", "still active on day 90 (%)"),
        ("HR log2 first order value", "hazard ratio, log2 first order value"),
        (
            "HR first basket (units) lower 95%",
            "hazard ratio, first basket (units): lower end of its 95% interval",
        ),
        ("median 95% CI", "median days: 95% interval"),
        ("x test -log10 p", "x test: evidence (-log10 p)"),
        ("customers", "customers"),
    ],
)
def test_shorthand_keys_get_a_label_a_reader_can_decode(key, label):
    assert site.figure_label(key) == label


@pytest.mark.parametrize(
    "key, value, shown",
    [
        ("customers", 23570, "23,570"),
        ("total amount", 2500315.63, "\\$2,500,316"),
        ("mean CLV", 10.4, "\\$10.40"),
        ("its profit lower", -2396.42, "-\\$2,396"),
        ("repeat customers (%)", 48.9, "48.9%"),
        ("margin (%)", 30.0, "30%"),
        ("S(0) %", 43.0, "43%"),
        ("its break-even uplift", 0.0238, "2.38%"),
        ("its profit loss share", 0.052, "5.2%"),
        ("strongest log-rank p-value", 1.27e-80, "< 0.001"),
        ("test p-value", "4.48e-281", "< 0.001"),
        ("plain notice: p-value (Holm)", 0.0011, "0.0011"),
        ("strongest log-rank chi-square", 367.93933136874756, "367.939"),
        ("spend-frequency correlation", 0.069, "0.069"),
        ("longest follow-up (days)", 262.0, "262"),
        ("restricted mean active life (days)", 73.3, "73.3"),
        ("a ratio", 0.5, "0.5"),
        ("a tiny ratio", 1.5e-05, "0.000"),
        ("S(365) %", None, "–"),
        ("one acquisition cohort", True, "yes"),
        ("model trusted", "Pareto/NBD", "Pareto/NBD"),
        ("snapshot", "1998-06-30", "1998-06-30"),
    ],
)
def test_recorded_figures_are_formatted_for_a_reader(key, value, shown):
    assert site.figure_value(key, value) == shown


def test_the_index_states_the_period_once_escapes_data_and_lists_skipped_notebooks():
    sections = [
        {
            "stem": "00_a",
            "title": "00 · <i>A</i>",
            "answer": "**Answer.** 3 < 4 | yes",
            "figure": "_figures/00_a.png",
            "figures": {"customers": 1200, "top customer": "<script>alert(1)</script>"},
        }
    ]
    text = site.index_markdown("shop, 2020-01-01 to 2020-12-31", sections, period="2020-01-01 to 2020-12-31")
    assert text.count("2020-01-01 to 2020-12-31") == 1
    assert "## [00 · &lt;i&gt;A&lt;/i&gt;](00_a.ipynb)" in text and "**Answer.** 3 &lt; 4 | yes" in text
    assert (
        "| top customer | &lt;script&gt;alert(1)&lt;/script&gt; |" in text and "| customers | 1,200 |" in text
    )
    assert "<summary>All 2 recorded figures</summary>" in text and "```{image} _figures/00_a.png" in text
    assert "\napi\n" in text
    other = site.index_markdown("shop", [], period="2020-01-01 to 2020-12-31", skipped={"02_b": "no churn"})
    assert "**Data:** shop, 2020-01-01 to 2020-12-31" in other and "## 02_b: not run\n\nno churn" in other
    assert "\napi\n" not in site.index_markdown("shop", [], api_reference=False)


def test_the_site_loads_nothing_from_the_network_and_uses_the_cjk_fonts():
    config = site.sphinx_config()
    assert config["nb_execution_mode"] == "off" and "mathjax_path" not in config
    assert all(
        f"'{font}'" in config["html_theme_options"]["light_css_variables"]["font-stack"]
        for font in site.CJK_FONTS
    )


def test_the_built_index_shows_each_notebooks_answer_from_its_record(tmp_path):
    nb = _executed_notebook()
    nbformat.write(nb, tmp_path / "00_data_overview.ipynb")
    figures = {"repeat customers (%)": 62.0, "revenue from repeat occasions (%)": 64.0, "customers": 1200}
    report.record("00_data_overview", figures, out_dir=tmp_path)
    written = site.build_site(
        tmp_path, [tmp_path / "00_data_overview.ipynb"], "shop <x>", api_reference=False, log=lambda *a: None
    )
    assert {"index.html", "00_data_overview.html", "_static"} <= {p.name for p in written}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    line = narrative.answer("00_data_overview", figures).removeprefix("**Answer.** ")
    assert line.split(";")[0] in index and "More than half of the customers (62.0%)" in line
    assert "shop &lt;x&gt;" in index and "<x>" not in index.replace("&lt;x&gt;", "")
    assert "1,200" in index and "00 · The data: shop &lt;b&gt;" in index
    assert not (tmp_path / "site-warnings.txt").exists()


@pytest.mark.parametrize(
    "key, value, shown",
    [
        ("CLV horizon (months)", 12, "12"),
        ("CLV bootstrap resamples refitted", 100, "100"),
        ("Pareto/NBD holdout MAE", 0.794, "0.794"),
        ("silent customers' last-year spend", 227715.0, "\\$227,715"),
        ("early-warning list: value at risk", 1830.74, "\\$1,831"),
    ],
)
def test_a_key_naming_money_is_money_only_when_its_unit_is(key, value, shown):
    assert site.figure_value(key, value) == shown
