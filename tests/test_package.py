"""The declared public API: each module lists what it offers in ``__all__``; the package imports lightly."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import lifecycle_utils

MODULES = sorted(info.name for info in pkgutil.iter_modules(lifecycle_utils.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_its_public_functions_and_classes_in_all(name):
    module = importlib.import_module(f"lifecycle_utils.{name}")
    assert hasattr(module, "__all__"), f"{module.__name__} has no __all__"
    declared = list(module.__all__)
    assert len(declared) == len(set(declared)), f"{module.__name__}.__all__ lists a name twice"
    missing = [n for n in declared if not hasattr(module, n)]
    assert not missing, f"{module.__name__}.__all__ lists names the module does not have: {missing}"
    defined = [
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]
    undeclared = [n for n in defined if n not in declared]
    assert not undeclared, f"{module.__name__} defines public names missing from __all__: {undeclared}"


def test_the_package_lists_its_public_submodules_without_importing_them():
    assert sorted(lifecycle_utils.__all__) == [n for n in MODULES if not n.startswith("_")]
    code = (
        "import sys, lifecycle_utils; "
        "print(sorted(m for m in sys.modules if m.startswith('lifecycle_utils.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
