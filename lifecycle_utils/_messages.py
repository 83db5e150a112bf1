"""The wording shared by every module that refuses input or annotates a result: examples of bad values
in an error message, the refusal itself (column, count of bad rows, examples), and the ``note`` column a
result table carries when some rows have something to say."""

from __future__ import annotations

import pandas as pd

__all__ = ["NOTE", "examples", "problem", "refuse", "require_columns", "with_notes"]

NOTE = "note"  # the column that says why a row of a result is thin, flagged or left out


def examples(values, k: int = 3) -> str:
    """Up to ``k`` distinct values of ``values`` (any iterable), in order of first appearance, quoted as
    Python would, for an error message: ``'x', 'n/a', 3``."""
    return ", ".join(map(repr, pd.unique(pd.Series(list(values), dtype=object))[:k]))


def problem(column: str, mask: pd.Series, total: int, what: str, shown: pd.Series) -> str:
    """The sentence for bad rows: the column, how many of ``total`` rows ``what`` (e.g. "are not
    numbers"), and examples of the offending values from ``shown`` where ``mask`` is true."""
    return f"column '{column}': {int(mask.sum())} of {total} rows {what} (e.g. {examples(shown[mask])})"


def refuse(column: str, mask: pd.Series, total: int, what: str, shown: pd.Series) -> None:
    """Raise ``ValueError`` with :func:`problem`'s sentence when ``mask`` marks any row."""
    if mask.any():
        raise ValueError(problem(column, mask, total, what, shown))


def require_columns(columns, needed, *, label: str = "", hint: str = "") -> None:
    """Raise ``ValueError`` when any of ``needed`` (``None`` entries ignored) is not among ``columns``:
    the missing names and every column found, after ``label`` (say, the argument that named them) and
    followed by ``hint`` (say, a likely cause)."""
    columns = list(columns)
    missing = [c for c in needed if c is not None and c not in columns]
    if missing:
        prefix = f"{label}: " if label else ""
        raise ValueError(
            f"{prefix}missing column(s) {', '.join(map(repr, missing))}; "
            f"columns found: {', '.join(map(str, columns))}{hint}"
        )


def with_notes(frame: pd.DataFrame, notes) -> pd.DataFrame:
    """``frame`` with a :data:`NOTE` column (one text per row, ``""`` where there is nothing to say) when
    any of ``notes`` says something; unchanged otherwise, so results without caveats keep their shape."""
    notes = ["" if n is None else str(n) for n in notes]
    if any(notes):
        frame = frame.assign(**{NOTE: notes})
    return frame
