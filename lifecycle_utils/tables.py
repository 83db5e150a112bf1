"""Stakeholder tables: one display helper, :func:`show`, for every table a notebook shows.

A table for people, not for machines: readable headers (``first_purchase`` becomes "first purchase"),
thousands separators on every number, the same decimals down a column, whole numbers without decimals,
percentages with ``%``, money with the currency sign, missing values as an en dash, no 0..N row numbers
where the index means nothing, and no text cut short with "...".

What a column holds is read from its name, the way the package names its columns:

- percent: a name with ``(%`` (``customers (%)``, ``standard error (% of estimate)``), or a ``%`` word at
  either end (``% of all``, ``S(90) %``); values are already in percent (48.9 is 48.9%). ``90% low`` is
  not a percent column: the ``%`` there belongs to the interval.
- money: a name with one of :data:`MONEY_WORDS` (spend, revenue, CLV, margin, profit, cost, ...) that is
  not a percent, a share, a rate, a correlation or a count of customers (see :data:`NOT_MONEY_WORDS`).
- p-value: a name with ``p-value``: three decimals, and ``< 0.001`` below that.

A table with a single column and labelled rows (a Series of facts shown with ``to_frame()``, a dict of
recorded figures) is read row by row: each row's label says what its value is (``rows=True`` reads a
wider table so). ``money``, ``percent``, ``fraction`` and ``decimals`` name columns (or, read by rows,
rows) where the name alone does not tell.

:func:`show` returns a :class:`Table`, a pandas ``Styler`` that renders as HTML in JupyterLab, nbconvert
and MyST-NB, with a table id derived from its content (a re-run writes the same HTML) and a plain-text
form that is the formatted table itself (what nbval compares; no memory address).
"""

from __future__ import annotations

import hashlib
import math
import numbers
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

__all__ = [
    "CURRENCY",
    "MISSING",
    "MAX_DECIMALS",
    "MONEY_CENTS_BELOW",
    "HEADERS",
    "MONEY_WORDS",
    "NOT_MONEY_WORDS",
    "Table",
    "show",
    "money",
    "format_table",
    "human",
    "column_kind",
    "cell",
]

CURRENCY = "$"
"""The currency sign of money columns (the narrative writes the data's amounts with the same sign)."""
MISSING = "–"
"""How a missing value (NaN, None) is shown: an en dash."""
MAX_DECIMALS = 3
"""The most decimals a number is shown with (values the package rounded to fewer keep their rounding)."""
MONEY_CENTS_BELOW = 100.0
"""A money column shows cents when all its amounts are below this; otherwise whole units (as the
narrative's ``words.money``)."""

HEADERS = {
    "customer_id": "customer",
    "first_purchase": "first purchase",
    "last_purchase": "last purchase",
    "monetary_value": "mean repeat spend",
    "total_spend": "total spend",
    "first_spend": "first spend",
    "week_start": "week starting",
    "value_class": "value class",
    "gap_days": "days between purchases",
    "silent_days": "silent after (days)",
    "churn_days": "churned after (days)",
    "mature_occasions": "mature from (occasions)",
}
"""Readable names for the snake_case column names and labels of the package's tables; any other
snake_case name has its underscores read as spaces."""

MONEY_WORDS = (
    "spend",
    "revenue",
    "clv",
    "margin",
    "profit",
    "cost",
    "monetary",
    "amount",
    "value at risk",
    "predicted value",
    "incremental value",
    "net per",
    "break-even incentive",
    "budget",
)
"""Words that make a column (or a row of a one-column table) money."""
NOT_MONEY_WORDS = (
    "share",
    "rate",
    "correlation",
    "uplift",
    "lift",
    "gini",
    "auc",
    "error",
    "count",
    "mae",
    "resamples",
    "(months)",
    "(weeks)",
    "(days)",
    "(points)",
    "(units)",
)
"""Words that keep a name with a money word from being money (a share of revenue, a spend correlation,
a CLV horizon in months)."""

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
_PERCENT = re.compile(r"\([^)]*%|^%\s|\s%$")
_NUMBERISH = re.compile(r"[-+–<>=$%.,:\d\s]*\d[-+–<>=$%.,:\d\s]*|–|yes|no")  # right-aligned cells


def human(label) -> str:
    """A column name or label as a reader reads it: :data:`HEADERS`, else a snake_case name with spaces;
    a tuple (a column of a two-level header) joined by spaces. Anything else as text."""
    if isinstance(label, tuple):
        return " ".join(human(part) for part in label if str(part) != "")
    text = str(label)
    if text in HEADERS:
        return HEADERS[text]
    return text.replace("_", " ") if _SNAKE.match(text) else text


def column_kind(name, *, money=(), percent=(), fraction=()) -> str:
    """What the values under ``name`` are: ``"money"``, ``"percent"`` (in percent), ``"fraction"``
    (a 0-1 share shown in percent), ``"p"`` (a p-value) or ``"number"``. ``money``, ``percent`` and
    ``fraction`` name columns that their name does not mark (or are ``True`` for all)."""
    text = human(name)
    for kind, given in (("fraction", fraction), ("percent", percent), ("money", money)):
        if given is True or (not isinstance(given, bool) and (name in given or text in given)):
            return kind
    low = text.lower()
    if "p-value" in low:
        return "p"
    if _PERCENT.search(text):
        return "percent"
    if (
        any(word in low for word in MONEY_WORDS)
        and not any(word in low for word in NOT_MONEY_WORDS)
        and not low.startswith(("customers", "contacts"))
    ):
        return "money"
    return "number"


# ------------------------------------------------------------------------------------------ numbers
def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, numbers.Number) and math.isnan(value))
    except TypeError:
        return False


def _decimals(value: float, kind: str = "number") -> int:
    """The fewest decimals that show ``value`` as the package rounded it: up to one more than
    :data:`MAX_DECIMALS` for a value rounded that finely (a tolerance of 0.0005), else
    :data:`MAX_DECIMALS` (a raw estimate); a share shown in percent gets two decimals fewer."""
    shift = 2 if kind == "fraction" else 0
    most, fallback = MAX_DECIMALS + 1 - shift, MAX_DECIMALS - shift
    for d in range(most + 1):
        if abs(round(value, d) - value) <= 1e-9 * max(1.0, abs(value)):
            return d
    return fallback


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def money(value, decimals: int | None = None) -> str:
    """An amount as a table shows it: the currency sign, thousands separators, cents only below
    :data:`MONEY_CENTS_BELOW` unless ``decimals`` says otherwise (``$15.37``, ``-$2,138``); an en dash
    for a missing value. Plain text, for HTML and tables (the narrative escapes its dollar signs)."""
    if _missing(value):
        return MISSING
    value = float(value)
    if decimals is None:
        decimals = 2 if round(abs(value), 2) < MONEY_CENTS_BELOW and value != round(value) else 0
    text = _number(abs(value), decimals)
    sign = "-" if value < 0 and any(c in "123456789" for c in text) else ""
    return f"{sign}{CURRENCY}{text}"


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_))


def _p_value(value) -> str:
    """A p-value: three significant digits, ``< 0.001`` below 0.001, as the sentences write it
    (``narrative.words.p_value``; text such as ``"< 1e-300"`` or ``"4.5e-21"`` from the package is read
    as the number it states)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("<"):
            return "< 0.001"
        try:
            value = float(text)
        except ValueError:
            return text
    value = float(value)
    return "< 0.001" if value < 0.001 else f"{value:.3g}"


def cell(value, kind: str, decimals: int | None = None) -> str:
    """One value as a table shows it, for a column of ``kind`` (:func:`column_kind`), a number with
    ``decimals`` (None: as many as it needs); plain text (a dollar sign is not escaped)."""
    if _missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        value = pd.Timestamp(value)
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if kind == "p" and (_is_number(value) or isinstance(value, str)):
        return _p_value(value)
    if isinstance(value, str):
        return HEADERS.get(value, value)
    if not _is_number(value):
        return str(value)
    value = float(value)
    if kind == "money":
        return money(value, decimals)
    if kind == "fraction":
        value *= 100
    if decimals is None:
        decimals = _decimals(value, kind)
    return _number(value, decimals) + ("%" if kind in ("percent", "fraction") else "")


def _group(values: list, kinds: list[str], decimals: int | None) -> list[str]:
    """Cells that share their decimals (a column, or a row of a table read by rows): per kind of value,
    as many decimals as the most precise of them needs; money shows cents only when every amount is
    below :data:`MONEY_CENTS_BELOW` and one has cents. ``decimals`` fixes them."""
    found: dict[str, list[float]] = {}
    for value, kind in zip(values, kinds):
        if _is_number(value) and not _missing(value) and math.isfinite(float(value)):
            found.setdefault(kind, []).append(float(value))
    places: dict[str, int] = {}
    for kind, xs in found.items():
        if decimals is not None:
            places[kind] = decimals
        elif kind == "money":
            cents = any(round(x, 2) != round(x) for x in xs) and max(abs(x) for x in xs) < MONEY_CENTS_BELOW
            places[kind] = 2 if cents else 0
        else:
            places[kind] = max(_decimals(100 * x if kind == "fraction" else x, kind) for x in xs)
    return [cell(v, k, places.get(k)) for v, k in zip(values, kinds)]


def _label(value, *, header: bool = False):
    """An index label (or with ``header`` a column header, read by :func:`human`) as text: dates without
    a time, whole floats without decimals; a tuple label label by label."""
    if isinstance(value, tuple):
        return tuple(_label(v, header=header) for v in value)
    if isinstance(value, pd.Timestamp):
        return cell(value, "number", 0)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == round(value):
        return str(int(value))
    text = str(value)
    return human(text) if header else HEADERS.get(text, text)


def _labels(index: pd.Index, *, header: bool = False, rename: Mapping | None = None) -> pd.Index:
    rename = rename or {}
    names = [None if n is None else human(n) for n in index.names]
    labels = [rename[v] if v in rename else _label(v, header=header) for v in index]
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples(labels, names=names)
    return pd.Index(labels, name=names[0], dtype=object)


def _frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else "value")
    if isinstance(data, Mapping):
        return pd.Series(dict(data), dtype=object).to_frame(name="value")
    raise TypeError(f"show() takes a DataFrame, a Series or a dict, not {type(data).__name__}")


def _meaningless_index(frame: pd.DataFrame) -> bool:
    """Row numbers: an unnamed index of integers (0..N, or what is left of it after a selection)."""
    index = frame.index
    return (
        not isinstance(index, pd.MultiIndex)
        and index.name is None
        and pd.api.types.is_integer_dtype(index.dtype)
    )


def _by_rows(frame: pd.DataFrame) -> bool:
    """A one-column table of facts with labelled rows: each row's label says what its value is."""
    return frame.shape[1] == 1 and not _meaningless_index(frame) and frame.index.is_unique


def format_table(
    data,
    *,
    money: Iterable | bool = (),
    percent: Iterable | bool = (),
    fraction: Iterable | bool = (),
    decimals: int | Mapping | None = None,
    headers: Mapping | None = None,
    rows: bool = False,
) -> pd.DataFrame:
    """``data`` (a DataFrame, a Series or a dict of figures) as a table of text, formatted as
    :func:`show` shows it, with readable headers and index labels (the index kept, hidden or not)."""
    frame = _frame(data)
    given = {"money": money, "percent": percent, "fraction": fraction}
    rename = dict(headers or {})
    kinds = [column_kind(c, **given) for c in frame.columns]
    if frame.columns.name is not None and _PERCENT.search(human(frame.columns.name)):
        # a header such as "to (% of the row)": every number below it is a percentage
        kinds = ["percent" if k == "number" else k for k in kinds]
    by_rows = rows or _by_rows(frame)
    cells = np.empty(frame.shape, dtype=object)
    if by_rows:
        for r, label in enumerate(frame.index):
            own = column_kind(label, **given)
            row_kinds = [own if k == "number" else k for k in kinds]
            d = decimals.get(label) if isinstance(decimals, Mapping) else decimals
            cells[r, :] = _group(list(frame.iloc[r, :]), row_kinds, d)
    else:
        for c, column in enumerate(frame.columns):
            d = decimals.get(column) if isinstance(decimals, Mapping) else decimals
            cells[:, c] = _group(list(frame.iloc[:, c]), [kinds[c]] * len(frame), d)
    text = pd.DataFrame(cells, index=_labels(frame.index, rename=rename if by_rows else {}))
    text.columns = _labels(frame.columns, header=True, rename=rename)
    return text


class Table(Styler):
    """A pandas ``Styler`` for a stakeholder table: HTML for JupyterLab, nbconvert and MyST-NB, and as
    plain text the formatted table itself (what nbval compares), never ``<Styler at 0x...>``."""

    plain: str | None = None

    def __repr__(self) -> str:
        return self.plain if self.plain is not None else self.data.to_string()


def _uuid(text: pd.DataFrame, name: str | None) -> str:
    key = name if name is not None else text.to_json(orient="split", default_handler=str)
    return "lc" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def show(
    data,
    *,
    money: Iterable | bool = (),
    percent: Iterable | bool = (),
    fraction: Iterable | bool = (),
    decimals: int | Mapping | None = None,
    headers: Mapping | None = None,
    rows: bool = False,
    index: bool | None = None,
    name: str | None = None,
    caption: str | None = None,
) -> Table | None:
    """Show a table to stakeholders: ``display(tables.show(frame))`` or a cell's last line.

    ``data``: a DataFrame, a Series or a dict of figures (``None`` gives ``None``: nothing to show).
    ``money``, ``percent`` (values in percent) and ``fraction`` (0-1 shares shown in percent): columns,
    or rows of a table read by rows, whose name does not say so (``True``: all of them). ``decimals``:
    a number for all, or per column (per row). ``headers``: names to show instead of the automatic
    ones. ``rows``: the rows are different quantities (published and reproduced figures): the same
    decimals along each row instead of down each column, and a row's label says what its values are (a
    table with one column and labelled rows is always read so). ``index``: show the index (default:
    hidden when it only numbers the rows). ``name``: a stable name for the table's HTML id (default: one
    derived from its content). ``caption``: a line above the table.
    """
    if data is None:
        return None
    frame = _frame(data)
    text = format_table(
        frame, money=money, percent=percent, fraction=fraction, decimals=decimals, headers=headers, rows=rows
    )
    hide = _meaningless_index(frame) if index is None else not index
    numeric = [bool(text.iloc[:, i].map(_NUMBERISH.fullmatch).map(bool).all()) for i in range(text.shape[1])]
    table = Table(
        text,
        uuid=_uuid(text, name),
        cell_ids=False,
        caption=caption,
        table_attributes='class="dataframe lifecycle-table tex2jax_ignore mathjax_ignore"',
    )
    table.format(escape="html")
    table.format_index(escape="html", axis=0)
    table.format_index(escape="html", axis=1)
    styles = [
        {"selector": "th.row_heading, th.index_name", "props": "text-align: left; vertical-align: top;"}
    ]
    for i, is_number in enumerate(numeric):  # numbers right-aligned and kept on one line; text left
        align = "right" if is_number else "left"
        cell = f"text-align: {align};" + (" white-space: nowrap;" if is_number else "")
        styles.append({"selector": f"td.col{i}", "props": cell})
        styles.append({"selector": f"th.col_heading.col{i}", "props": f"text-align: {align};"})
    table.set_table_styles(styles)
    if hide:
        table.hide(axis="index")
    with pd.option_context("display.max_colwidth", None):
        table.plain = text.to_string(index=not hide)
    return table
