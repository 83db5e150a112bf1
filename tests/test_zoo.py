"""The data zoo through the command line: every case completes with no error output anywhere, or stops
before any notebook runs with the data-sufficiency message. The cases are in ``tests/zoo.py``."""

from __future__ import annotations

import json

import narrative_check
import nbformat
import pytest
import zoo

from lifecycle_utils import narrative

ROOT = zoo.ROOT


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return zoo.run_cases(zoo.CASES, tmp_path_factory.mktemp("zoo"), workers=2)


def _error_outputs(notebook) -> list[str]:
    found = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" or (
                out.get("output_type") == "stream" and out.get("name") == "stderr"
            ):
                found.append(
                    cell.source.splitlines()[0] + ": " + str(out.get("text", out.get("evalue", "")))[:300]
                )
    return found


@pytest.mark.parametrize("case", zoo.CASES, ids=[c.name for c in zoo.CASES])
def test_zoo_case(runs, case):
    run = runs[case.name]
    if case.outcome == "stop":
        assert run.code == 2, run.stdout + run.stderr
        assert "what the data can carry" in run.stdout and "cannot carry any analysis" in run.stderr
        assert "Traceback" not in run.stderr and not run.out.exists()
        return
    assert run.code == 0, run.stderr[-3000:]
    assert run.stderr == "", run.stderr[-3000:]
    executed = sorted(run.out.glob("[0-9][0-9]_*.ipynb"))
    assert executed and (run.out / "index.html").exists() == (case.name in zoo.SITE_CASES)
    recorded = []
    for path in executed:
        errors = _error_outputs(nbformat.read(path, as_version=4))
        assert not errors, (path.name, errors)
        recorded += list(json.loads((run.out / f"{path.stem}.json").read_text())["figures"])
    missing = [text for text in case.ran if not any(text in name for name in recorded)]
    assert not missing, f"{case.name}: nothing recorded for {missing}"


# Two generated logs unlike CDNOW and unlike each other: 400 customers acquired over a year and followed
# for two, and a five-year log with three years of acquisition.
NARRATIVE_CASES = {"amount_only": "orders", "five_years": "long"}  # case: its data set's label


@pytest.mark.parametrize("case", sorted(NARRATIVE_CASES))
def test_the_report_tells_the_story_of_the_data_it_ran_on(runs, case):
    """The stakeholder pages name the run's data set, state no CDNOW name or figure outside sections
    labelled "About CDNOW only", and every figure of a generated sentence is one of the run's own (its
    tables, its text outputs, its recorded figures); the index shows each notebook's own Answer."""
    run, label = runs[case], NARRATIVE_CASES[case]
    cdnow = narrative_check.cdnow_figures(ROOT / "notebooks")
    assert {"23,570", "283"} <= cdnow  # the committed CDNOW text does state them: the check can bite
    index = (run.out / "index.html").read_text(encoding="utf-8")
    pages = sorted(run.out.glob("[0-9][0-9]_*.html"))
    assert len(pages) == 6
    for page in pages:
        html, notebook, recorded = narrative_check.read_run(run.out, page.stem)
        title = narrative_check.sections(html)[1][0]
        assert label in title, (page.name, title)
        everything = narrative_check.all_recorded(run.out)
        own = narrative_check.own_figures(notebook, everything)
        assert not narrative_check.cdnow_leaks(html, cdnow, own), page.name
        assert not narrative_check.foreign_figures(notebook, everything), page.name
        answer = narrative.answer(page.stem, recorded)
        shown = narrative_check.figures_in(answer)
        for text in (html, index):
            found = narrative_check.figures_in(narrative_check.outside_cdnow_sections(text))
            assert all(figure in found for figure in shown), (page.name, shown)
