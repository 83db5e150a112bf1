"""Headline figures each notebook records, and the versions of what ran it.

Every notebook ends with one :func:`record` call; the reports index reads those files and nothing else,
so no number on the site is recomputed or copied by hand.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "VERSIONED",
    "record",
    "read_record",
    "versions",
    "strip_run_metadata",
    "notebook_paths",
    "notebook_title",
    "KERNEL_LOG",
    "kernel_stderr",
    "declared_parameters",
    "MANIFEST",
    "SITE_CHOICES",
    "OutputError",
    "output_names",
    "check_output_folder",
    "run_notebooks",
    "NOTEBOOK_NEEDS",
    "prerequisites",
    "default_jobs",
    "reuse",
    "reuse_record",
]

VERSIONED = [
    "lifecycle-utils",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "lifetimes",
    "matplotlib",
    "seaborn",
]


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


def record(
    notebook: str, figures: dict, *, out_dir: str | Path = "../reports", data_set: str | None = None
) -> pd.DataFrame:
    """Write ``{out_dir}/{notebook}.json`` with the notebook's headline figures and return them as a
    two-column table (figure, value) for display. Values must be JSON-able scalars (numpy scalars,
    timestamps and NaN are converted). ``data_set`` (``data.source_key``) says which data they are
    about, so that :func:`reuse` gives them to a later notebook only for the same data."""
    if not figures:
        raise ValueError("record() needs at least one figure")
    plain = _plain(figures)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": notebook, "figures": plain}
    if data_set is not None:
        payload["data set"] = data_set
    (out / f"{notebook}.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _register(out, {f"{notebook}.json"})  # a notebook run by hand or by nbval wrote it: a report file
    return pd.DataFrame({"figure": list(plain), "value": [str(v) for v in plain.values()]})


def read_record(notebook: str, out_dir: str | Path = "../reports") -> dict:
    """The figures a notebook recorded with :func:`record`."""
    return json.loads((Path(out_dir) / f"{notebook}.json").read_text(encoding="utf-8"))["figures"]


def reuse_record(notebook: str, *, out_dir: str | Path = "../reports", data_set: str) -> dict:
    """Every figure another notebook recorded for the same data (``data_set``, see ``data.source_key``),
    or an empty dict when it has no record or recorded it for other data."""
    path = Path(out_dir) / f"{notebook}.json"
    if not path.is_file():
        return {}
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("data set") != data_set:
        return {}
    return dict(payload["figures"])


def reuse(notebook: str, figure: str, *, out_dir: str | Path = "../reports", data_set: str):
    """A figure another notebook recorded for the same data (``data_set``, see ``data.source_key``), or
    ``None`` when it has no record, recorded it for other data, or did not record that figure."""
    return reuse_record(notebook, out_dir=out_dir, data_set=data_set).get(figure)


def versions() -> pd.Series:
    """Python and package versions of the running environment (for a notebook's last cell)."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return pd.Series(found, name="version")


def strip_run_metadata(path: str | Path) -> bool:
    """Remove what differs between two runs of an unchanged notebook at ``path`` (the cells'
    ``execution`` timestamps and papermill's timing metadata), in place; ``True`` when something was
    removed. ``make notebooks`` runs it after re-executing, so a re-run without a change leaves no diff."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = nb.get("metadata", {}).pop("papermill", None) is not None
    for cell in nb["cells"]:
        for key in ("execution", "papermill"):
            changed |= cell.get("metadata", {}).pop(key, None) is not None
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


# ------------------------------------------------------------------------------ running the notebooks
def notebook_paths(notebooks_dir: str | Path = "notebooks") -> list[Path]:
    """The collection's notebooks, ``NN_name.ipynb``, in their numbered order."""
    return sorted(p for p in Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))


def notebook_title(nb, fallback: str) -> str:
    """A notebook's title: the first level-1 heading, in a Markdown cell or in the Markdown a code cell
    showed (a title generated to name the data set); else the first heading of any level; else
    ``fallback``."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        elif cell.cell_type == "code":
            texts += [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
    lines = [line for text in texts for line in str(text).splitlines()]
    for line in lines:
        if line.startswith("# "):
            return line[2:].strip()
    for line in lines:
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return fallback


KERNEL_LOG = "kernels.log"  # in a run's folder while it runs; kept only with a failed run


@contextlib.contextmanager
def kernel_stderr(path: Path):
    """Send what the notebook kernels (separate processes) write on stderr to ``path`` while the block
    runs. That is the kernels' own log, not the notebooks' output (cell output, warnings included, is
    in the executed notebooks): ipykernel warns there that it talks over local TCP without encryption,
    logs the interrupt jupyter_client sends an idle kernel at shutdown, and libzmq may print an
    assertion from a kernel being stopped. A report run prints nothing on stderr unless it failed."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def declared_parameters(path: Path, parameters: dict) -> dict:
    """The subset of ``parameters`` that the notebook at ``path`` declares in its ``parameters`` cell
    (papermill warns on stderr about any other)."""
    import papermill as pm

    declared = set(pm.inspect_notebook(str(path)))
    return {k: v for k, v in parameters.items() if k in declared}


MARKDOWN_DOLLAR = "\\$"  # a dollar sign escaped for Markdown; plain HTML shows it as is
MANIFEST = ".lifecycle-report"  # in an output folder: the files the last successful run wrote


SITE_CHOICES = ("full", "reports", "none")  # what run_notebooks builds over the executed notebooks


class OutputError(ValueError):
    """The output folder cannot be used (it holds the source notebooks, or files a run would overwrite
    that no run wrote)."""


def _manifest(folder: Path) -> set[str]:
    """The file names listed in ``folder``'s manifest (plain names only: an entry with a path separator
    or ``..`` is ignored, so a manifest can never point outside its folder)."""
    path = Path(folder) / MANIFEST
    names = set(path.read_text(encoding="utf-8").split("\n")) if path.is_file() else set()
    return {n for n in names if n and n not in {".", ".."} and Path(n).name == n}


def _register(folder: Path, names: set[str]) -> None:
    """Add ``names`` to ``folder``'s manifest of files written by the collection."""
    path = Path(folder) / MANIFEST
    path.write_text("\n".join(sorted(_manifest(folder) | names)) + "\n", encoding="utf-8")


def output_names(paths: list[Path]) -> set[str]:
    """The names a run over ``paths`` writes at the top of the output folder (files, and the site's
    folders such as ``_static``)."""
    from lifecycle_utils.site import SITE_NAMES

    names = {MANIFEST, *SITE_NAMES}
    for path in paths:
        names |= {path.name, f"{path.stem}.json", f"{path.stem}.html"}
    return names


def check_output_folder(out_dir: Path, notebooks_dir: Path, paths: list[Path]) -> None:
    """Refuse an output folder that is or contains the source notebooks' folder, or that holds a file a
    run would overwrite although no run wrote it (your own ``index.html``, say). Raises
    :class:`OutputError` naming the folder and the files."""
    out_dir, notebooks_dir = Path(out_dir).resolve(), Path(notebooks_dir).resolve()
    if out_dir == notebooks_dir or out_dir in notebooks_dir.parents:
        raise OutputError(
            f"--out {out_dir} is or contains the source notebooks ({notebooks_dir}); "
            "choose another folder, e.g. --out reports"
        )
    if out_dir.is_file():
        raise OutputError(f"--out {out_dir} is a file; give a folder")
    if out_dir.is_dir():
        ours = _manifest(out_dir) | {MANIFEST}
        foreign = sorted(n for n in output_names(paths) if (out_dir / n).exists() and n not in ours)
        if foreign:
            raise OutputError(
                f"--out {out_dir} already holds {len(foreign)} file(s) that this run would "
                f"overwrite but no report run wrote (e.g. {', '.join(foreign[:3])}); move them "
                "or choose another folder"
            )


def _publish(staging: Path, out_dir: Path) -> list[Path]:
    """Move a finished run from ``staging`` into ``out_dir``. The manifest first lists the old and the new
    files (so an interrupted move leaves nothing that looks foreign), then the new files replace the old
    ones, then the files of the previous run that this one did not write again are removed, and the
    manifest lists the new run alone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _manifest(out_dir)
    (staging / MANIFEST).unlink(missing_ok=True)  # the figures' own registration; rewritten below
    new = {p.name for p in staging.iterdir()}
    _register(out_dir, new)
    written = []
    for path in sorted(staging.iterdir()):
        target = out_dir / path.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a folder of the site (e.g. _static): replaced whole
        path.replace(target)
        written.append(target)
    for name in previous - new - {MANIFEST}:
        stale = out_dir / name
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    (out_dir / MANIFEST).write_text("\n".join(sorted(new)) + "\n", encoding="utf-8")
    staging.rmdir()
    failed = _failed_folder(out_dir)
    if (failed / MANIFEST).is_file():  # a failed run's leftovers are stale once a run succeeded
        shutil.rmtree(failed, ignore_errors=True)
    return written


def _failed_folder(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".failed")


def _keep_failed(staging: Path, out_dir: Path) -> Path:
    """Keep a failed run's partial output for inspection in ``<out>.failed`` (replacing an earlier failed
    run's folder, never a folder of the user's: then the partial run stays where it is)."""
    failed = _failed_folder(out_dir)
    _register(staging, {p.name for p in staging.iterdir()})
    if failed.exists() and not (failed.is_dir() and (failed / MANIFEST).is_file()):
        return staging
    shutil.rmtree(failed, ignore_errors=True)
    staging.replace(failed)
    return failed


NOTEBOOK_NEEDS = {"05": ("04",)}  # notebook -> notebooks whose records it reads (``reuse_record``)


def prerequisites(paths: list[Path], needs: dict = NOTEBOOK_NEEDS) -> dict[Path, list[Path]]:
    """For each notebook of ``paths``, the notebooks of ``paths`` that must finish before it starts:
    those whose record it reads (``needs``, by the two-digit number). A notebook whose source is not
    being run waits for nothing (it reads the record if one is there, or says there is none)."""
    by_number = {p.stem[:2]: p for p in paths}
    return {p: [by_number[n] for n in needs.get(p.stem[:2], ()) if n in by_number] for p in paths}


def default_jobs() -> int:
    """Notebooks run at once by default: one per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - no sched_getaffinity (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def _warm_cleaned_copy(parameters: dict, folder: Path) -> None:
    """Clean the run's transaction file once into ``folder`` (``data.load`` with the notebooks'
    ``DATA``, ``OBSERVATION_END`` and ``DATA_OPTIONS``), before notebooks that run at once would each
    clean it. A file that does not load is left to the notebooks, which report it in their own words."""
    from lifecycle_utils import data

    source = parameters.get("DATA")
    if source is None or str(source) in {"cdnow", "cdnow_sample"}:
        return
    try:
        data.load(
            source,
            observation_end=parameters.get("OBSERVATION_END"),
            cache_dir=folder,
            **parameters.get("DATA_OPTIONS", {}),
        )
    except (ValueError, OSError, LookupError):
        pass


def run_notebooks(
    notebooks_dir: str | Path = "notebooks",
    out_dir: str | Path = "reports",
    parameters: dict | None = None,
    log=print,
    notebooks: list[Path] | None = None,
    skipped: dict[str, str] | None = None,
    dataset: str | None = None,
    site: str = "full",
    jobs: int | None = None,
) -> list[Path]:
    """Execute the notebooks (all of ``notebooks_dir``, or ``notebooks``) with papermill, build the site
    over them (:func:`lifecycle_utils.site.build_site`: a page per notebook, the index, the API
    reference), and publish the result into ``out_dir``.

    **Fast.** Up to ``jobs`` notebooks run at once (default :func:`default_jobs`, one per core), each in
    its own kernel; a notebook that reads another's record waits for it (:func:`prerequisites`). The
    transaction file is cleaned once for the whole run: its cleaned copy goes to the folder named by
    ``data.CLEANED_CACHE_ENV`` when the caller set it, else to a temporary folder removed afterwards;
    the kernels find it through that variable (see ``data.load``).

    The run writes into a fresh folder beside ``out_dir`` (the committed notebooks are never
    overwritten) and replaces the previous output only when every notebook succeeded (see
    :func:`check_output_folder` and the manifest). A failing notebook stops the run with a
    ``RuntimeError`` naming the notebook and the cell that failed (after the notebooks already running
    finish; none starts after a failure); the partial run is kept in ``<out_dir>.failed`` for
    inspection and ``out_dir`` is left as it was. ``skipped`` maps notebooks that were not run to the
    reason, shown in the index. ``site`` is one of :data:`SITE_CHOICES`: ``"full"``
    (the pages, the index and the API reference), ``"reports"`` (no API reference: it does not depend on
    the data, and takes most of the build's time) or ``"none"`` (the executed notebooks and their
    records only)."""
    if site not in SITE_CHOICES:
        raise ValueError(f"site must be one of {', '.join(SITE_CHOICES)}, not {site!r}")
    import tempfile
    import time

    import papermill as pm

    from lifecycle_utils import data
    from lifecycle_utils.site import build_site

    notebooks_dir, out_dir = Path(notebooks_dir).resolve(), Path(out_dir).resolve()
    paths = notebook_paths(notebooks_dir) if notebooks is None else list(notebooks)
    if not paths:
        raise RuntimeError(f"no NN_name.ipynb notebooks in {notebooks_dir}")
    check_output_folder(out_dir, notebooks_dir, paths)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.run-", dir=out_dir.parent))
    params = {"REPORTS_DIR": str(staging)} | (parameters or {})
    kept = None  # where a failed run's partial output is kept
    given = os.environ.get(data.CLEANED_CACHE_ENV)  # a caller's folder (the command line cleans into it)
    try:
        with tempfile.TemporaryDirectory(prefix="lifecycle_cleaned_") as own:
            os.environ[data.CLEANED_CACHE_ENV] = given or own
            try:
                _warm_cleaned_copy(params, Path(given or own))
                failure = _execute_all(paths, staging, notebooks_dir, params, jobs or default_jobs(), log)
            finally:  # exactly as it was, before the temporary folder goes
                if given is None:
                    os.environ.pop(data.CLEANED_CACHE_ENV, None)
                else:
                    os.environ[data.CLEANED_CACHE_ENV] = given
        if failure is not None:
            path, err = failure
            kept = failed = _keep_failed(staging, out_dir)
            if isinstance(err, pm.PapermillExecutionError):
                first_line = next((line for line in err.source.splitlines() if line.strip()), "")
                what = f"failed in the cell starting `{first_line}` ({err.ename}: {err.evalue})"
            else:  # the kernel died, a cell timed out, ...
                what = f"stopped ({type(err).__name__}: {err})"
            raise RuntimeError(
                f"{path.name} {what}; "
                f"the executed copy with the error is {failed / path.name} "
                f"(kernel log: {failed / KERNEL_LOG}); "
                f"{out_dir} was left as it was"
            ) from None
        label = dataset or str(
            (parameters or {}).get("DATA", "CDNOW master file (lifetimes), 1997-01-01 to 1998-06-30")
        )
        if site != "none":
            log("building the site ...", flush=True)
            start = time.perf_counter()
            build_site(staging, paths, label, skipped=skipped, log=log, api_reference=site == "full")
            log(f"site built in {time.perf_counter() - start:.0f} s", flush=True)
    except BaseException:
        if staging.exists() and staging != kept:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / KERNEL_LOG).unlink(missing_ok=True)
    return _publish(staging, out_dir)


def _execute_all(paths: list[Path], staging: Path, notebooks_dir: Path, params: dict, jobs: int, log):
    """Run ``paths`` with papermill into ``staging``, up to ``jobs`` at once, each after the notebooks
    it needs (:func:`prerequisites`). Returns ``None``, or the first (notebook, error) once the
    notebooks already running have finished; no notebook starts after a failure."""
    import time
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    import papermill as pm

    def execute(path: Path) -> None:
        pm.execute_notebook(
            str(path),
            str(staging / path.name),
            parameters=declared_parameters(path, params),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
        )

    needs, done, running, failure = prerequisites(paths), set(), {}, None
    # a notebook others wait for starts first (04 before 00: 05 waits for it), then in order
    waiting = sorted(paths, key=lambda p: -sum(p in d for d in needs.values()))
    start, n = time.perf_counter(), len(paths)
    # the kernels start in the notebooks' folder: one change of the process's folder around them all
    # (papermill's own cwd= changes it per notebook, and threads doing that would leave it anywhere)
    with (
        contextlib.chdir(notebooks_dir),
        kernel_stderr(staging / KERNEL_LOG),
        ThreadPoolExecutor(max_workers=max(1, jobs)) as pool,
    ):
        while waiting or running:
            ready = [p for p in waiting if all(d in done for d in needs[p])] if failure is None else []
            for path in ready[: max(0, jobs - len(running))]:
                waiting.remove(path)
                log(f"[{paths.index(path) + 1}/{n}] {path.name} ...", flush=True)
                running[pool.submit(execute, path)] = path
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                path = running.pop(future)
                err = future.exception()
                if err is not None:  # a cell's error, or any other (a dead kernel, a timeout)
                    failure = failure or (path, err)
                else:
                    done.add(path)
                    log(
                        f"[{paths.index(path) + 1}/{n}] {path.name} done, "
                        f"{time.perf_counter() - start:.0f} s elapsed",
                        flush=True,
                    )
    if waiting and failure is None:  # a circle in NOTEBOOK_NEEDS: never silently skip a notebook
        raise RuntimeError(f"notebooks wait for each other: {', '.join(p.name for p in waiting)}")
    return failure
