"""Headline figures each notebook records, and the versions of what ran it.

Every notebook ends with one :func:`record` call; the reports index reads those files and nothing else,
so no number on the site is recomputed or copied by hand.
"""

from __future__ import annotations

import json
import math
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

VERSIONED = ["lifecycle-utils", "pandas", "numpy", "scipy", "statsmodels", "lifetimes", "matplotlib",
             "seaborn"]


def _plain(value):
    """JSON-ready plain Python value from numpy/pandas scalars (NaN becomes None)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record(notebook: str, figures: dict, out_dir: str | Path = "../reports") -> pd.DataFrame:
    """Write ``{out_dir}/{notebook}.json`` with the notebook's headline figures and return them as a
    two-column table (figure, value) for display. Values must be JSON-able scalars (numpy scalars,
    timestamps and NaN are converted)."""
    if not figures:
        raise ValueError("record() needs at least one figure")
    plain = _plain(figures)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": notebook, "figures": plain}
    (out / f"{notebook}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    return pd.DataFrame({"figure": list(plain), "value": [str(v) for v in plain.values()]})


def read_record(notebook: str, out_dir: str | Path = "../reports") -> dict:
    """The figures a notebook recorded with :func:`record`."""
    return json.loads((Path(out_dir) / f"{notebook}.json").read_text(encoding="utf-8"))["figures"]


def versions() -> pd.Series:
    """Python and package versions of the running environment (for a notebook's last cell)."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return pd.Series(found, name="version")


# ------------------------------------------------------------------------------ running the notebooks
def notebook_paths(notebooks_dir: str | Path = "notebooks") -> list[Path]:
    """The collection's notebooks, ``NN_name.ipynb``, in their numbered order."""
    return sorted(p for p in Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))


def render_html(notebook: str | Path, out_dir: str | Path) -> list[Path]:
    """Render an executed notebook twice: ``NAME.html`` for stakeholders (no code cells) and
    ``NAME_full.html`` (with code). Returns the two paths."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    written = []
    for suffix, exclude_input in (("", True), ("_full", False)):
        exporter = HTMLExporter(template_name="lab", exclude_input=exclude_input,
                                exclude_input_prompt=True, exclude_output_prompt=True)
        body, _ = exporter.from_notebook_node(nb)
        path = Path(out_dir) / f"{notebook.stem}{suffix}.html"
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written


def run_notebooks(
    notebooks_dir: str | Path = "notebooks",
    out_dir: str | Path = "reports",
    parameters: dict | None = None,
    log=print,
) -> list[Path]:
    """Execute every notebook with papermill into ``out_dir`` (the committed notebooks are never
    overwritten), then render its HTML. Progress goes to ``log``; a failing notebook stops the run
    with a ``RuntimeError`` naming the notebook and the cell that failed."""
    import time

    import papermill as pm

    notebooks_dir, out_dir = Path(notebooks_dir).resolve(), Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = notebook_paths(notebooks_dir)
    if not paths:
        raise RuntimeError(f"no NN_name.ipynb notebooks in {notebooks_dir}")
    params = {"REPORTS_DIR": str(out_dir)} | (parameters or {})
    written = []
    start = time.perf_counter()
    for i, path in enumerate(paths, 1):
        log(f"[{i}/{len(paths)}] {path.name} ...", flush=True)
        target = out_dir / path.name
        try:
            pm.execute_notebook(str(path), str(target), parameters=params, cwd=str(notebooks_dir),
                                kernel_name="python3", progress_bar=False, log_output=False)
        except pm.PapermillExecutionError as err:
            first_line = next((line for line in err.source.splitlines() if line.strip()), "")
            raise RuntimeError(
                f"{path.name} failed in the cell starting `{first_line}` ({err.ename}: {err.evalue}); "
                f"the executed copy with the error is {target}"
            ) from None
        written += [target] + render_html(target, out_dir)
        log(f"[{i}/{len(paths)}] {path.name} done, {time.perf_counter() - start:.0f} s elapsed", flush=True)
    return written
