"""The stakeholder site: Sphinx with MyST-NB and the furo theme over the executed notebooks of a run.

One page per notebook (its code folded, shown on demand), an index generated from the recorded headline
figures, and the API reference of ``lifecycle_utils`` from its docstrings, all in one site with a
sidebar, contents per page, previous/next, search, print styles, dark mode and a phone layout (furo's).
The site loads nothing from the network: no CDN, no web fonts, no MathJax (the notebooks use no LaTeX).

The notebooks are not changed: :func:`site_notebook` makes the copy the site renders (a title cell from
the generated heading, code cells tagged ``hide-input``, the nbval markers and the run's output folder
taken out of the code shown). Sphinx runs in a subprocess, so a build leaves the caller's state alone.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "SITE_TITLE",
    "CJK_FONTS",
    "SITE_NAMES",
    "site_notebook",
    "figure_label",
    "figure_value",
    "index_markdown",
    "sphinx_config",
    "build_site",
]

SITE_TITLE = "Customer lifecycle reports"

# Chinese stage and value-class names render with the first of these the reader's machine has (the setup
# installs Noto Sans CJK where none is present); Latin text keeps the theme's system fonts.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
)
_LATIN_FONTS = (
    "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif, "
    "'Apple Color Emoji', 'Segoe UI Emoji'"
)

# What a build writes at the top of the output folder besides the notebooks' own pages and files.
SITE_NAMES = frozenset(
    {
        "index.html",
        "api.html",
        "search.html",
        "genindex.html",
        "py-modindex.html",
        "searchindex.js",
        "objects.inv",
        "_static",
        "_images",
        "api",
    }
)

_MARKER = re.compile(r"^# NBVAL_[A-Z_]+\s*$")
_REPORTS_DIR = re.compile(r"^REPORTS_DIR = .*$")

_CSS = """\
/* tables scroll inside their cell on a narrow screen instead of widening the page */
div.cell_output { overflow-x: auto; }
div.cell_output table { font-variant-numeric: tabular-nums; }
div.cell_output table { border-collapse: collapse; border: none; margin: 0.5em 0; font-size: 0.9em; }
div.cell_output table td, div.cell_output table th {
  white-space: normal; border: none; border-bottom: 1px solid var(--color-background-border);
  padding: 0.3em 0.6em; vertical-align: top;
}
div.cell_output table thead th { border-bottom: 2px solid var(--color-foreground-border); }
.lifecycle-figures td:nth-child(2) { text-align: right; font-variant-numeric: tabular-nums; }
img.lifecycle-key-figure { width: 100%; height: auto; }
/* the folded code: a quiet line a reader can open, not a coloured box per cell */
div.cell.container details.admonition.hide.above-input {
  background: transparent !important; box-shadow: none !important; border: none !important;
  border-left: 2px solid var(--color-background-border) !important; margin: 0.2em 0; padding: 0 0 0 0.4em;
}
div.cell.container details.admonition.hide.above-input > summary {
  background: transparent !important; color: var(--color-foreground-muted); font-size: 0.75em; padding: 0;
}
div.cell.container details.admonition.hide.above-input > summary::before,
div.cell.container details.admonition.hide.above-input p.admonition-title::before { display: none; }
div.cell.container details.admonition.hide.above-input p.admonition-title {
  background: transparent !important; margin: 0; padding: 0.1em 0; font-weight: normal;
}
@media print {
  /* print every table whole: smaller type, wrapped cells, nothing scrolled out of the page */
  div.cell_output, .table-wrapper { overflow: visible !important; }
  table { font-size: 7.5pt; max-width: 100% !important; width: 100%; table-layout: auto; }
  table td, table th { white-space: normal !important; word-break: break-word; padding: 1px 3px; }
  details.above-input, div.cell_input { display: none; }  /* printed for a reader: no code */
  img { max-width: 100% !important; page-break-inside: avoid; }
}
"""

_MODULE_TEMPLATE = """\
{{ fullname | escape | underline }}

{% if modules -%}
.. automodule:: {{ fullname }}

.. rubric:: Modules

.. autosummary::
   :toctree:
   :recursive:
{% for item in modules %}
   {{ item }}
{%- endfor %}
{% else -%}
.. automodule:: {{ fullname }}
   :members:
{% endif %}
"""


def site_notebook(nb):
    """The copy of an executed notebook (an ``nbformat`` node) that the site renders; ``nb`` is unchanged.

    The generated heading (the first level-1 Markdown heading a code cell showed, which names the data
    set) becomes a Markdown title cell at the top, so the page has a title, an entry in the sidebar and
    contents; every code cell is tagged ``hide-input`` (folded, shown on demand); ``# NBVAL_...`` marker
    lines and the run's ``REPORTS_DIR`` line are taken out of the code shown."""
    import nbformat

    from lifecycle_utils.report import notebook_title

    nb = copy.deepcopy(nb)
    title = None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = [line for line in cell.source.splitlines() if not _MARKER.match(line)]
        cell.source = "\n".join(line for line in source if not _REPORTS_DIR.match(line)).strip("\n")
        tags = list(cell.metadata.get("tags", []))
        cell.metadata["tags"] = tags + ["hide-input"] * ("hide-input" not in tags)
        for output in list(cell.get("outputs", [])):
            text = output.get("data", {}).get("text/markdown")
            if title is None and text is not None:
                lines = str(text if isinstance(text, str) else "".join(text)).splitlines()
                if lines and lines[0].startswith("# "):
                    title = lines[0][2:].strip()
                    rest = "\n".join(lines[1:]).strip("\n")
                    if rest:
                        output["data"] = {"text/markdown": rest}
                    else:  # the output was the title alone: nothing else to show (not even its text/plain)
                        cell.outputs.remove(output)
    title = title or notebook_title(nb, nb.metadata.get("name", "Report"))
    heading = not any(c.cell_type == "markdown" and c.source.startswith("# ") for c in nb.cells)
    if heading:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {html.escape(title, quote=False)}"))
    for cell in nb.cells:  # the new cell's id would be random: nbformat 4.4 has no cell ids at all
        cell.pop("id", None)
    nb.nbformat_minor = 4
    return nb


_RENAMES = [
    (re.compile(r"^S\((\d+)\) %$"), r"still active on day \1 (%)"),
    (re.compile(r"^HR (.+?) (lower|upper) 95%$"), r"hazard ratio, \1: \2 end of its 95% interval"),
    (re.compile(r"^HR (.+)$"), r"hazard ratio, \1"),
    (re.compile(r"^median 95% CI$"), "median days: 95% interval"),
    (re.compile(r"(.*?) ?-log10 p$"), r"\1: evidence (-log10 p)"),
]


def figure_label(key: str) -> str:
    """The label a stakeholder reads for a recorded figure's key: the key itself, except the shorthands a
    reader cannot decode (``S(90) %``, ``HR <covariate>``, ``median 95% CI``)."""
    for pattern, repl in _RENAMES:
        if pattern.search(key):
            return pattern.sub(repl, key)
    return key


_SHARE = re.compile(r"\b(loss share|uplift)\b")


def figure_value(key: str, value) -> str:
    """A recorded figure as a stakeholder reads it (Markdown), formatted as a table cell of the same name
    (:func:`lifecycle_utils.tables.column_kind` and :func:`~lifecycle_utils.tables.cell`: money, percent,
    p-values, yes/no, thousands separators, no more decimals than recorded, an en dash when missing), a
    share recorded as 0-1 (``loss share``, ``uplift``) in percent; the dollar sign escaped for Markdown."""
    from lifecycle_utils import tables

    share = _SHARE.search(key) and isinstance(value, (int, float)) and abs(value) <= 1
    kind = tables.column_kind(key, fraction=(key,) if share else ())
    return tables.cell(value, kind).replace("$", "\\$")


def _cell(text: str) -> str:
    """Data-derived text for the index's Markdown: HTML characters escaped (a value never becomes
    markup), table pipes escaped, on one line."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def index_markdown(
    dataset: str,
    sections: list[dict],
    *,
    period: str = "",
    skipped: dict[str, str] | None = None,
    api_reference: bool = True,
) -> str:
    """The index page (MyST Markdown): the data set and its period (once), then per notebook (each a dict
    of ``stem``, ``title``, ``answer`` (Markdown or None), ``figure`` (an image path or None) and
    ``figures``, the recorded headline figures) its title linking to its page, its Answer, its first
    figure at full width and every recorded figure, labelled and formatted, in a folded table; then the
    notebooks that were not run, with the reason; then the contents (notebooks and, with
    ``api_reference``, the API reference)."""
    shown = dataset if not period or period in dataset else f"{dataset}, {period}"
    lines = [f"# {SITE_TITLE}", "", f"**Data:** {_cell(shown)}", ""]
    for s in sections:
        lines += [f"## [{_cell(s['title'])}]({s['stem']}.ipynb)", ""]
        if s.get("answer"):
            lines += [html.escape(str(s["answer"]), quote=False), ""]
        if s.get("figure"):
            lines += [
                "```{image} " + s["figure"],
                f":alt: the first figure of {s['title']}",
                ":class: lifecycle-key-figure",
                "```",
                "",
            ]
        figures = s.get("figures") or {}
        if figures:
            rows = [f"| {_cell(figure_label(k))} | {_cell(figure_value(k, v))} |" for k, v in figures.items()]
            lines += [
                "<details><summary>All " + f"{len(figures):,} recorded figures</summary>",
                "",
                "```{table}",
                ":class: lifecycle-figures",
                "",
                "| figure | value |",
                "|---|---:|",
                *rows,
                "```",
                "",
                "</details>",
                "",
            ]
    for stem, why in (skipped or {}).items():
        lines += [f"## {_cell(stem)}: not run", "", _cell(why), ""]
    toc = [s["stem"] for s in sections]
    lines += ["```{toctree}", ":hidden:", ":caption: Reports", "", *toc, "```", ""]
    if api_reference:
        lines += ["```{toctree}", ":hidden:", ":caption: For analysts", "", "api", "```", ""]
    return "\n".join(lines)


def sphinx_config() -> dict:
    """The Sphinx configuration of the site (``conf.py`` values): MyST-NB renders the notebooks as they
    were executed (never re-executed), furo lays the site out, autosummary writes the API reference."""
    stack = f"{_LATIN_FONTS}, " + ", ".join(f"'{f}'" for f in CJK_FONTS)
    return {
        "project": SITE_TITLE,
        "extensions": ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.autosummary"],
        "nb_execution_mode": "off",
        "nb_merge_streams": True,
        "nb_render_markdown_format": "myst",
        "myst_enable_extensions": ["colon_fence"],
        "html_theme": "furo",
        "html_title": SITE_TITLE,
        "html_static_path": ["_static"],
        "html_css_files": ["lifecycle.css"],
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "html_last_updated_fmt": None,
        "html_theme_options": {
            "light_css_variables": {"font-stack": stack},
            "dark_css_variables": {"font-stack": stack},
        },
        "templates_path": ["_templates"],
        "autosummary_generate": True,
        "autodoc_member_order": "bysource",
        "autodoc_typehints": "description",
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "suppress_warnings": ["mystnb.unknown_mime_type"],
    }


def _api_page() -> str:
    return (
        "API reference\n=============\n\n"
        "Everything the notebooks call, from the docstrings of ``lifecycle_utils``: analysts adapt the "
        "analyses by calling these functions.\n\n"
        ".. autosummary::\n   :toctree: api\n   :recursive:\n\n   lifecycle_utils\n"
    )


def _first_figure(nb) -> tuple[str, str] | None:
    """The first figure a notebook shows: (suffix, content) of its PNG (base64) or SVG output."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                return ".svg", svg if isinstance(svg, str) else "".join(svg)
            if "image/png" in data:
                return ".png", data["image/png"]
    return None


def build_site(
    folder: str | Path,
    notebooks: list[Path],
    dataset: str,
    *,
    skipped: dict[str, str] | None = None,
    log=print,
    api_reference: bool = True,
) -> list[Path]:
    """Build the site into ``folder``, which holds a run's executed notebooks (``NN_name.ipynb``) and
    records (``NN_name.json``): a page per notebook of ``notebooks`` that ran, the index and, with
    ``api_reference``, the API reference. Returns the paths written at the top of ``folder``. Sphinx's
    warnings go to ``site-warnings.txt`` in ``folder`` when there are any (the build does not stop on
    them); a failed build raises ``RuntimeError`` with Sphinx's last lines."""
    import base64

    import nbformat

    from lifecycle_utils import narrative
    from lifecycle_utils.report import notebook_title, read_record

    folder = Path(folder)
    work = Path(tempfile.mkdtemp(prefix="lifecycle-site-"))
    try:
        src, html_dir = work / "src", work / "html"
        (src / "_static").mkdir(parents=True)
        (src / "_templates" / "autosummary").mkdir(parents=True)
        (src / "_figures").mkdir()
        (src / "_static" / "lifecycle.css").write_text(_CSS, encoding="utf-8")
        (src / "_templates" / "autosummary" / "module.rst").write_text(_MODULE_TEMPLATE, encoding="utf-8")
        if api_reference:
            (src / "api.rst").write_text(_api_page(), encoding="utf-8")
        sections, period = [], ""
        for path in notebooks:
            executed = folder / f"{path.stem}.ipynb"
            if not executed.exists():
                continue
            nb = nbformat.read(executed, as_version=4)
            try:
                figures = read_record(path.stem, folder)
            except FileNotFoundError:
                figures = {}
            if not period and "first date" in figures and "last date" in figures:
                period = f"{figures['first date']} to {figures['last date']}"
            page = site_notebook(nb)
            nbformat.write(page, src / executed.name)
            figure = _first_figure(nb)
            image = None
            if figure is not None:
                suffix, content = figure
                image = f"_figures/{path.stem}{suffix}"
                target = src / image
                if suffix == ".png":
                    target.write_bytes(base64.b64decode(content))
                else:
                    target.write_text(content, encoding="utf-8")
            answer = narrative.answer(path.stem, figures) if figures else None
            sections.append(
                {
                    "stem": path.stem,
                    "title": notebook_title(page, path.stem),
                    "answer": answer,
                    "figure": image,
                    "figures": figures,
                }
            )
        (src / "index.md").write_text(
            index_markdown(dataset, sections, period=period, skipped=skipped, api_reference=api_reference),
            encoding="utf-8",
        )
        config = sphinx_config()
        (src / "conf.py").write_text(
            "".join(f"{key} = {value!r}\n" for key, value in config.items()), encoding="utf-8"
        )
        warnings = work / "warnings.txt"
        run = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(work / "doctrees")]
            + ["-w", str(warnings), str(src), str(html_dir)],
            capture_output=True,
            text=True,
            env=_sphinx_env(),
        )
        if run.returncode != 0:
            tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-8:])
            raise RuntimeError(f"the site did not build (Sphinx exit {run.returncode}):\n{tail}")
        written = []
        (html_dir / ".buildinfo").unlink(missing_ok=True)
        shutil.rmtree(html_dir / "_sources", ignore_errors=True)  # html_copy_source is off: left empty
        for entry in sorted(html_dir.iterdir()):
            target = folder / entry.name
            if target.is_dir():
                shutil.rmtree(target)
            shutil.move(str(entry), str(target))
            written.append(target)
        text = warnings.read_text(encoding="utf-8").strip() if warnings.exists() else ""
        if text:
            (folder / "site-warnings.txt").write_text(text + "\n", encoding="utf-8")
            written.append(folder / "site-warnings.txt")
            log(f"the site built with {len(text.splitlines())} Sphinx warning line(s): site-warnings.txt")
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sphinx_env() -> dict:
    import os

    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env["MPLBACKEND"] = "Agg"  # autodoc imports the package; nothing may open a window
    return env
