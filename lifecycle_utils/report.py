"""Headline figures each notebook records, and the versions of what ran it.

Every notebook ends with one :func:`record` call; the reports index reads those files and nothing else,
so no number on the site is recomputed or copied by hand.
"""

from __future__ import annotations

import html
import json
import math
import re
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


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_REMOTE_MODULE = re.compile(r"<script type=\"module\">(?:(?!</script>).)*https?://(?:(?!</script>).)*</script>", re.S)


def strip_remote_assets(html_text: str) -> str:
    """Remove what nbconvert's templates load from a CDN (require.js, MathJax, the mermaid loader), so
    a report opens offline and makes no network request. Our notebooks use neither LaTeX nor
    widgets nor mermaid diagrams."""
    return _REMOTE_MODULE.sub("", _REMOTE_SCRIPT.sub("", html_text))


def notebook_title(nb, fallback: str) -> str:
    """The first markdown heading of a notebook (its title), or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def render_html(notebook: str | Path, out_dir: str | Path) -> list[Path]:
    """Render an executed notebook twice: ``NAME.html`` for stakeholders (no code cells) and
    ``NAME_full.html`` (with code). Returns the two paths."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = notebook_title(nb, notebook.stem)
    written = []
    for suffix, exclude_input in (("", True), ("_full", False)):
        exporter = HTMLExporter(template_name="lab", exclude_input=exclude_input,
                                exclude_input_prompt=True, exclude_output_prompt=True)
        body, _ = exporter.from_notebook_node(nb)
        path = Path(out_dir) / f"{notebook.stem}{suffix}.html"
        path.write_text(strip_remote_assets(body), encoding="utf-8")
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
    dataset = str((parameters or {}).get("DATA", "CDNOW master file (lifetimes), 1997-01-01 to 1998-06-30"))
    written.append(build_index(out_dir, paths, dataset))
    return written


def build_index(out_dir: str | Path, notebooks: list[Path], dataset: str) -> Path:
    """Write ``index.html`` in ``out_dir``: the data set, then per notebook its title, the headline
    figures it recorded (read from its JSON, nothing recomputed), its first figure as a thumbnail
    and links to both reports. Every value is HTML-escaped; the page loads nothing from outside."""
    import nbformat

    out_dir = Path(out_dir)
    sections = []
    period = ""
    for path in notebooks:
        try:
            rec = read_record(path.stem, out_dir)
        except FileNotFoundError:
            continue
        if "first date" in rec and "last date" in rec:
            period = f", {rec['first date']} to {rec['last date']}"
            break
    for path in notebooks:
        stem = path.stem
        executed = out_dir / f"{stem}.ipynb"
        nb = nbformat.read(executed if executed.exists() else path, as_version=4)
        title = notebook_title(nb, stem)
        thumb = next((o["data"]["image/png"] for c in nb.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if "image/png" in o.get("data", {})), None)
        try:
            figures = read_record(stem, out_dir)
        except FileNotFoundError:
            figures = {}
        rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in figures.items())
        img = (f'<img class="thumb" alt="first figure of {html.escape(title)}" src="data:image/png;base64,{thumb.strip()}">'
               if thumb else "")
        sections.append(
            f'<section><h2>{html.escape(title)}</h2>{img}'
            f'<p><a href="{html.escape(stem)}.html">report</a> · <a href="{html.escape(stem)}_full.html">with code</a></p>'
            f'<table>{rows}</table></section>')
    page = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Customer lifecycle reports</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "section{border-top:1px solid #ccc;padding:1em 0}img.thumb{float:right;width:360px;margin-left:1em}"
        "table{border-collapse:collapse}th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eee}"
        "section::after{content:'';display:block;clear:both}</style></head><body>"
        f"<h1>Customer lifecycle reports</h1><p>Data: {html.escape(dataset + period)}</p>{''.join(sections)}</body></html>")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
