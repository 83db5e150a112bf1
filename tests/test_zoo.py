"""The data zoo through the command line: every case completes with no error output anywhere, or stops
before any notebook runs with the data-sufficiency message. The cases are in ``tests/zoo.py``."""

from __future__ import annotations

import json

import nbformat
import pytest
import zoo


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
    assert executed and (run.out / "index.html").exists()
    recorded = []
    for path in executed:
        errors = _error_outputs(nbformat.read(path, as_version=4))
        assert not errors, (path.name, errors)
        recorded += list(json.loads((run.out / f"{path.stem}.json").read_text())["figures"])
    missing = [text for text in case.ran if not any(text in name for name in recorded)]
    assert not missing, f"{case.name}: nothing recorded for {missing}"
