"""The checker of tests/narrative_check.py can fail: CDNOW words and figures outside the CDNOW sections,
and figures a run did not produce, are found; labelled CDNOW content and the run's own figures are not."""

from __future__ import annotations

import narrative_check as nc
import nbformat

PAGE = """<html><head><style>h1 {color: red}</style></head><body>
<h1>03 · RFM of shop</h1><p>The top 20% of customers bring 61.2% of the revenue.</p>
<h2>About CDNOW only: the published figures<a>¶</a></h2><p>CDNOW has 23,570 customers.</p>
<h2>What this means</h2><p>About CDNOW only: 35 of 35 published figures (0.243) are reproduced.
Customers wait 283 days.</p></body></html>"""


def test_figures_are_numbers_of_three_digits_separators_decimals_or_percentages():
    assert nc.figures_in(
        "3 of 4 customers, 23,570 rows, 283 days, 0.386, 15 %, 2x, p < 0.001, \\$1,234.50"
    ) == [
        "23,570",
        "283",
        "0.386",
        "15%",
        "1,234.50",
    ]


def test_the_exponent_of_a_p_value_is_not_a_figure():
    assert nc.figures_in("p = 1e-300 and 2.5e+120, then 1,234") == ["1,234"]


def test_a_figure_matches_a_value_at_its_own_precision_and_a_share_its_fraction():
    assert nc.matches("61.2%", [61.24]) and nc.matches("61.2%", [0.6118])
    assert not nc.matches("61.2%", [61.26]) and not nc.matches("283", [282.4])
    assert nc.matches("1,234.50", [1234.5]) and nc.matches("-1,234", [-1234.0])


def test_sections_split_a_page_at_its_headings():
    found = nc.sections(PAGE)
    assert [h for h, _ in found] == [
        "",
        "03 · RFM of shop",
        "About CDNOW only: the published figures",
        "What this means",
    ]
    assert "23,570" in found[2][1] and "color" not in " ".join(t for _, t in found)


def test_cdnow_words_and_figures_are_found_outside_the_cdnow_sections_only():
    leaks = nc.cdnow_leaks(PAGE, cdnow={"23,570", "283", "0.243"}, own=[])
    assert leaks == ["283 (a CDNOW figure)"]
    assert nc.cdnow_leaks(PAGE, cdnow={"283"}, own=[283.0]) == []  # the run's own 283
    unlabelled = PAGE.replace("About CDNOW only: 35", "Of CDNOW's 35")
    assert any("CDNOW's 35" in leak for leak in nc.cdnow_leaks(unlabelled, cdnow=set(), own=[]))


def _notebook(sentence: str, table: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Where is the money?"),
        nbformat.v4.new_code_cell(
            "x",
            outputs=[
                nbformat.v4.new_output("execute_result", data={"text/plain": table}),
                nbformat.v4.new_output("display_data", data={"text/markdown": sentence}),
            ],
        ),
    ]
    return nb


def test_figures_of_generated_sentences_must_be_the_runs_own():
    table = "   segment  revenue (%)\n0  Champions    61.2434"
    assert nc.foreign_figures(_notebook("Champions bring 61.2% of the revenue.", table), {}) == []
    foreign = nc.foreign_figures(_notebook("Champions bring 63.6% of the revenue.", table), {})
    assert len(foreign) == 1 and foreign[0].startswith("63.6% in")
    assert nc.foreign_figures(_notebook("They hold 63.6%.", table), {"share (%)": 63.6}) == []


def test_a_generated_sentence_is_not_its_own_evidence():
    nb = _notebook("Champions bring 63.6% of the revenue.", "no figures here")
    nb.cells[1].outputs[1]["data"]["text/plain"] = "Champions bring 63.6% of the revenue."
    assert nc.shown_values(nb, {}) == []
    assert len(nc.foreign_figures(nb, {})) == 1


def test_a_share_or_difference_of_numbers_the_text_states_is_the_runs_own():
    table = "read 1,100 dropped 5 expected 277 actual 474"
    assert nc.foreign_figures(_notebook("5 of 1,100 rows (0.5%) were dropped.", table), {}) == []
    assert nc.foreign_figures(_notebook("474 made, 277 expected (-41.6%).", table), {}) == []
    assert len(nc.foreign_figures(_notebook("474 made, 277 expected (-40.0%).", table), {})) == 1


def test_a_figure_a_sentence_derives_is_not_a_cdnow_leak():
    nb = _notebook("1.256 against 1.560: 19.5% lower.", "MAE 1.256 1.560")
    assert 19.5 in [round(v, 1) for v in nc.own_figures(nb, {})]
    page = "<h2>Which model?</h2><p>1.256 against 1.560: 19.5% lower.</p>"
    assert nc.cdnow_leaks(page, {"19.5%"}, nc.own_figures(nb, {})) == []
    assert nc.cdnow_leaks(page, {"19.5%"}, nc.shown_values(nb, {})) == ["19.5% (a CDNOW figure)"]
