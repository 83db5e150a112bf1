"""How the narrative writes numbers, and the Markdown text a notebook cell shows.

A sentence about the data is built by a function from the table or fit it interprets and returned as
:class:`Text`: a string that Jupyter, nbconvert and the stakeholder report render as Markdown under the
call, and that nbval compares as plain text. Money is written with an escaped dollar sign (``\\$``) so
that no renderer reads it as mathematics.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["Text", "missing", "count", "money", "percent", "p_value", "day", "listing", "SMALLEST_P"]


MONEY_CENTS_BELOW = 100.0
"""Amounts below this many currency units show cents by default; larger ones are whole units."""


class Text(str):
    """Markdown text: shown rendered under a notebook cell, compared as its plain text by nbval."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def missing(x) -> bool:
    """Whether a value is absent: ``None``, or a number (or numeric text) that is NaN. Text that is not a
    number and other objects are present."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


_missing = missing


def count(n) -> str:
    """A whole number with thousands separators: ``23,570`` (``n/a`` for None or NaN)."""
    return "n/a" if _missing(n) else f"{int(round(float(n))):,}"


def money(x, currency: str = "$", decimals: int | None = None) -> str:
    """An amount with thousands separators and the currency sign escaped for Markdown. By default cents
    are shown only where they matter, below 100 units (``\\$6.33``, ``-\\$2,138``); ``decimals`` fixes
    them (0: whole units). ``n/a`` for None or NaN."""
    if _missing(x):
        return "n/a"
    value = float(x)
    if decimals is None:
        decimals = 2 if round(abs(value), 2) < MONEY_CENTS_BELOW else 0
    sign = "-" if value < 0 and round(abs(value), decimals) > 0 else ""
    escaped = currency.replace("$", "\\$")
    return f"{sign}{escaped}{abs(value):,.{decimals}f}"


def percent(share_pct, decimals: int = 1) -> str:
    """A percentage given in percent (48.9 -> ``48.9%``); None or NaN gives ``n/a``."""
    return "n/a" if _missing(share_pct) else f"{float(share_pct):.{decimals}f}%"


SMALLEST_P = 0.001
"""p-values below this are written ``p < 0.001``, in sentences as in the tables (``tables.cell``)."""


def p_value(p) -> str:
    """A p-value as a sentence writes it and its table shows it: three significant digits (``p = 0.023``,
    ``p = 0.0497``: never rounded across 0.05 to "0.050"), ``p < 0.001`` below :data:`SMALLEST_P` (an
    underflow to 0 included), ``p n/a`` without one."""
    if _missing(p):
        return "p n/a"
    return f"p < {SMALLEST_P:g}" if float(p) < SMALLEST_P else f"p = {float(p):.3g}"


def day(value) -> str:
    """A date as ``YYYY-MM-DD``."""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [str(i) for i in items]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
