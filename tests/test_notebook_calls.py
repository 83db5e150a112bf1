"""Notebooks call the package with named arguments: a function a notebook calls with more than three
parameters takes only its first one or two by position, so two swapped arguments cannot go unnoticed."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_POSITIONAL = 2


def package_calls(path: Path) -> list[tuple[str, str, ast.Call]]:
    """Every ``module.function(...)`` call into lifecycle_utils in a notebook's code cells."""
    calls = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
            ):
                try:
                    module = importlib.import_module(f"lifecycle_utils.{node.func.value.id}")
                except ImportError:
                    continue
                if callable(getattr(module, node.func.attr, None)):
                    calls.append((node.func.value.id, node.func.attr, node))
    return calls


def positional_parameters(function) -> tuple[int, int]:
    """(parameters, of which may be given by position), *args and **kwargs left out."""
    params = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return len(params), sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_functions_a_notebook_calls_take_at_most_two_arguments_by_position(path):
    loose = set()
    for module, name, _ in package_calls(path):
        function = getattr(importlib.import_module(f"lifecycle_utils.{module}"), name)
        total, positional = positional_parameters(function)
        if total > 3 and positional > MAX_POSITIONAL:
            loose.add(f"{module}.{name} ({positional} of {total} by position)")
    assert not loose, f"keyword-only arguments after the first two needed: {sorted(loose)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_name_every_argument_after_the_first_two_of_a_long_signature(path):
    assert package_calls(path), "the scan found no calls into the package: it is broken"
    long_calls = [
        f"{module}.{name} (line {call.lineno} of its cell)"
        for module, name, call in package_calls(path)
        if len(call.args) > MAX_POSITIONAL
        and positional_parameters(getattr(importlib.import_module(f"lifecycle_utils.{module}"), name))[0] > 3
    ]
    assert not long_calls, f"calls with more than {MAX_POSITIONAL} positional arguments: {long_calls}"


def test_the_scan_flags_a_function_with_many_positional_parameters():
    def loose(a, b, c, d):  # the shape the first test refuses
        return a

    def strict(a, b, *, c, d):
        return a

    assert positional_parameters(loose) == (4, 4) and positional_parameters(strict) == (4, 2)
