"""Reading a stakeholder report as a checker would: is its narrative about the data it was run on?

Two questions, asked of the HTML a run of the collection wrote (``NN_name.html``, no code shown) and of
the executed notebook and recorded figures beside it:

- :func:`cdnow_leaks`: does the name CDNOW, or a figure the committed CDNOW notebooks state in their
  generated text, appear outside the sections headed "About CDNOW only"? A figure that the run's own
  tables or records also hold is not a leak (two data sets can share a number).
- :func:`foreign_figures`: is every figure of a generated sentence (the Markdown a code cell shows) found
  among the run's own results (the tables and text the same notebook shows, or its recorded figures), or
  arithmetic on two numbers the same text states (a share, a relative difference, a sum)?

Figures are numbers of three or more digits, with a thousands separator, with decimals, or percentages
(the same rule as the notebook checker's "figures in Markdown"); small counts such as "3 of 4" and bounds
such as "p < 0.001" are not judged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup

CDNOW_SECTION = "About CDNOW only"
FIGURE = re.compile(r"(?<![\w.,])(?<!e-)(?<!e\+)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(\s?%)?(?![\w])")
NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def figures_in(text: str) -> list[str]:
    """The figures a text states (see the module docstring), as written."""
    found = []
    for m in FIGURE.finditer(text):
        if re.search(r"[<>≤≥]\s?$", text[: m.start()]):
            continue  # a stated bound such as "p < 0.001" is a cut-off, not a figure of the data
        number, percent = m.group(1), bool(m.group(2))
        if percent or "," in number or "." in number or len(number) >= 3:
            found.append(number + ("%" if percent else ""))
    return found


def _value(token: str) -> float:
    return float(token.rstrip("%").replace(",", ""))


def _decimals(token: str) -> int:
    digits = token.rstrip("%")
    return len(digits.split(".")[1]) if "." in digits else 0


def numbers_in(text: str) -> list[float]:
    """Every number in a text, as floats (thousands separators removed)."""
    found = []
    for m in NUMBER.finditer(text):
        try:
            found.append(float(m.group(0).replace(",", "")))
        except ValueError:
            continue
    return found


def matches(token: str, values: list[float]) -> bool:
    """Whether a figure as written is one of ``values`` rounded to the figure's decimals (a share may be
    held as a fraction: 0.425 is 42.5%)."""
    target, places = _value(token), _decimals(token)
    tolerance = 0.5 * 10**-places + 1e-9
    for v in values:
        for candidate in (v, 100 * v) if token.endswith("%") else (v,):
            if abs(abs(candidate) - abs(target)) <= tolerance:
                return True
    return False


def derived(token: str, stated: list[float]) -> bool:
    """Whether a figure is arithmetic on other numbers stated in the same text: a share or a relative
    difference in percent (``5 of 1,100 rows (0.5%)``, ``expected 277 (-41.6%)`` of 474), a ratio, a sum
    or a difference of two of them."""
    values = [v for v in stated if v != 0]
    results = []
    for a in values:
        for b in values:
            results += [a + b, a - b, a / b, 100 * a / b, 100 * (a - b) / b]
    return matches(token, results)


def sections(html: str) -> list[tuple[str, str]]:
    """The text of a report page by section: (heading, text) for each level-1 or level-2 heading and the
    text up to the next one; scripts, styles, the cells' folded code and the site's navigation (the
    sidebar and the contents, which list every heading) left out."""
    soup = BeautifulSoup(html, "html.parser")
    soup = soup.find("article") or soup  # the page's own text: not the site's navigation and contents
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    for tag in soup.select(".cell_input"):  # a cell's code, folded on the page: not what a reader is told
        tag.decompose()
    parts: list[tuple[str, list[str]]] = [("", [])]
    for node in soup.find_all(string=True):
        parent = node.parent
        if parent is not None and parent.name in ("h1", "h2"):
            heading = parent.get_text(" ", strip=True).rstrip("¶").strip()
            if not parts[-1][1] or parts[-1][0] != heading:
                parts.append((heading, []))
            continue
        parts[-1][1].append(str(node))
    return [(heading, " ".join(texts)) for heading, texts in parts]


LABELLED_SENTENCE = re.compile(re.escape(CDNOW_SECTION) + r":.*?\.(?=\s|$)", re.S)


def outside_cdnow_sections(html: str) -> str:
    """A page's text without the sections headed "About CDNOW only" and without sentences that start
    with that label (an Answer may say, labelled, what the CDNOW checks found)."""
    return "\n".join(
        LABELLED_SENTENCE.sub("", f"{heading}\n{text}")
        for heading, text in sections(html)
        if not heading.startswith(CDNOW_SECTION)
    )


def generated_markdown(notebook) -> list[tuple[str, str]]:
    """(section heading, Markdown) of every Markdown output a code cell showed, in order."""
    found, heading = [], ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith(("# ", "## ")):
                    heading = line.lstrip("#").strip()
            continue
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown")
            if text:
                found.append((heading, str(text)))
                for line in str(text).splitlines():
                    if line.startswith(("# ", "## ")):
                        heading = line.lstrip("#").strip()
    return found


def shown_values(notebook, recorded: dict) -> list[float]:
    """Every number the notebook shows outside its generated text (tables and text outputs), its
    parameters, and every figure of ``recorded`` (the run's recorded figures: the Data line under each
    title states the log's size, which notebook 00 records)."""
    texts = [json.dumps(recorded)]
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []) or "injected-parameters" in cell.get(
            "metadata", {}
        ).get("tags", []):
            texts.append(cell.source)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                continue  # generated text (its plain-text copy too) is what is being checked
            texts.append(str(out.get("text", "")))
            texts += [str(data.get(kind, "")) for kind in ("text/plain", "text/html")]
    return [v for text in texts for v in numbers_in(text)]


def cdnow_figures(notebooks: Path) -> set[str]:
    """The figures the committed (CDNOW) notebooks state in generated text outside CDNOW sections."""
    found: set[str] = set()
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        for heading, text in generated_markdown(nbformat.read(path, as_version=4)):
            if not heading.startswith(CDNOW_SECTION):
                found |= set(figures_in(LABELLED_SENTENCE.sub("", text)))
    return found


def cdnow_leaks(html: str, cdnow: set[str], own: list[float]) -> list[str]:
    """What a report page says of CDNOW outside its CDNOW sections: the name, and CDNOW figures (from
    :func:`cdnow_figures`) that are not among the run's own values ``own``."""
    text = outside_cdnow_sections(html)
    leaks = [m.group(0) for m in re.finditer(r".{0,60}CDNOW.{0,60}", text)]
    leaks += [
        f"{token} (a CDNOW figure)"
        for token in sorted(set(figures_in(text)) & cdnow)
        if not matches(token, own)
    ]
    return leaks


def own_figures(notebook, recorded: dict) -> list[float]:
    """The run's own values (:func:`shown_values`) and the figures its generated sentences derive from
    numbers they state (:func:`derived`): what a page may state without it being a CDNOW leak."""
    own = shown_values(notebook, recorded)
    extra = []
    for _, text in generated_markdown(notebook):
        text = LABELLED_SENTENCE.sub("", text)
        stated = numbers_in(text)
        extra += [
            _value(token)
            for token in figures_in(text)
            if derived(token, [v for v in stated if v != _value(token)])
        ]
    return own + extra


def foreign_figures(notebook, recorded: dict) -> list[str]:
    """Figures of the notebook's generated sentences outside CDNOW sections that are none of the run's
    own values (:func:`shown_values`), each with the start of its sentence."""
    own = shown_values(notebook, recorded)
    foreign = []
    for heading, text in generated_markdown(notebook):
        if heading.startswith(CDNOW_SECTION):
            continue
        text = LABELLED_SENTENCE.sub("", text)
        stated = numbers_in(text)
        for token in figures_in(text):
            if not matches(token, own) and not derived(token, [v for v in stated if v != _value(token)]):
                at = text.find(token)
                foreign.append(f"{token} in '...{text[max(0, at - 60) : at + 20]}...'")
    return foreign


def read_run(out: Path, stem: str) -> tuple[str, object, dict]:
    """A run's stakeholder page, executed notebook and recorded figures for one notebook."""
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    notebook = nbformat.read(out / f"{stem}.ipynb", as_version=4)
    recorded = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))["figures"]
    return html, notebook, recorded


def all_recorded(out: Path) -> dict:
    """Every figure the run recorded, over all its notebooks (keys prefixed with the notebook)."""
    return {
        f"{path.stem}: {key}": value
        for path in sorted(out.glob("[0-9][0-9]_*.json"))
        for key, value in json.loads(path.read_text(encoding="utf-8"))["figures"].items()
    }
