"""lifecycle_utils._messages: the shared wording of refusals and notes."""

from __future__ import annotations

import pandas as pd
import pytest

from lifecycle_utils._messages import NOTE, examples, problem, refuse, require_columns, with_notes


def test_examples_are_distinct_quoted_and_in_order_of_first_appearance():
    assert examples(["x", "x", "n/a", 3, "y"]) == "'x', 'n/a', 3"
    assert examples(pd.Series(["b", "a", "b"]), k=1) == "'b'"
    assert examples([]) == ""


def test_a_problem_names_the_column_the_count_of_rows_and_examples():
    shown = pd.Series(["1", "x", "y", "x"])
    mask = shown.isin(["x", "y"])
    assert problem("amount", mask, 4, "are not numbers", shown) == (
        "column 'amount': 3 of 4 rows are not numbers (e.g. 'x', 'y')"
    )


def test_refuse_raises_only_when_a_row_is_marked():
    shown = pd.Series(["1", "x"])
    refuse("amount", shown.eq("z"), 2, "are not numbers", shown)  # nothing marked: no error
    with pytest.raises(ValueError, match=r"column 'amount': 1 of 2 rows are not numbers \(e.g. 'x'\)"):
        refuse("amount", shown.eq("x"), 2, "are not numbers", shown)


def test_require_columns_lists_what_is_missing_and_what_was_found():
    require_columns(["a", "b"], ["a", None])  # None entries are optional columns not asked for
    with pytest.raises(ValueError, match=r"^arm_col: missing column\(s\) 'c'; columns found: a, b; hint$"):
        require_columns(["a", "b"], ["a", "c"], label="arm_col", hint="; hint")


def test_a_note_column_appears_only_when_some_row_has_something_to_say():
    frame = pd.DataFrame({"x": [1, 2]})
    assert NOTE not in with_notes(frame, ["", None])
    noted = with_notes(frame, ["", "thin"])
    assert noted[NOTE].tolist() == ["", "thin"] and NOTE not in frame  # the input is not changed
