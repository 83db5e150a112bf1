"""The declared public API: each module lists what it offers in ``__all__``; the package imports lightly."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import lifecycle_utils

# every module, those inside the layered subpackages (clv, strategy, survival) included: "survival.churn"
MODULES = sorted(
    info.name.removeprefix("lifecycle_utils.")
    for info in pkgutil.walk_packages(lifecycle_utils.__path__, prefix="lifecycle_utils.")
)
TOP_LEVEL = sorted(info.name for info in pkgutil.iter_modules(lifecycle_utils.__path__))


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
    assert sorted(lifecycle_utils.__all__) == [n for n in TOP_LEVEL if not n.startswith("_")]
    code = (
        "import sys, lifecycle_utils; "
        "print(sorted(m for m in sys.modules if m.startswith('lifecycle_utils.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# packages split by layer, whose face offers every layer's names; narrative is one module per notebook
# instead (narrative.overview.answer and narrative.answer are different functions), reached by name
SUBPACKAGES = sorted(
    info.name
    for info in pkgutil.iter_modules(lifecycle_utils.__path__)
    if info.ispkg and info.name != "narrative"
)


def test_the_layered_modules_are_subpackages():
    assert SUBPACKAGES == ["clv", "strategy", "survival"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_a_layered_subpackage_offers_every_public_name_of_its_layers(name):
    package = importlib.import_module(f"lifecycle_utils.{name}")
    for info in pkgutil.iter_modules(package.__path__):
        layer = importlib.import_module(f"{package.__name__}.{info.name}")
        hidden = [n for n in layer.__all__ if n not in package.__all__]
        assert not hidden, f"{layer.__name__} offers {hidden}, which {package.__name__} does not"


def test_only_the_shim_imports_lifetimes():
    """lifetimes is archived: every use goes through lifecycle_utils._lifetimes, so a quirk has one home."""
    import ast
    from pathlib import Path

    root = Path(lifecycle_utils.__file__).parent
    importers = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "lifetimes" or n.startswith("lifetimes.") for n in names):
                importers.append(str(path.relative_to(root)))
    assert sorted(set(importers)) == ["_lifetimes.py"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_no_two_layers_of_a_subpackage_declare_the_same_name(name):
    package = importlib.import_module(f"lifecycle_utils.{name}")
    assert len(package.__all__) == len(set(package.__all__)), f"{name}: a name declared by two layers"
    for info in pkgutil.iter_modules(package.__path__):
        layer = importlib.import_module(f"{package.__name__}.{info.name}")
        for n in layer.__all__:
            assert getattr(package, n) is getattr(layer, n), f"{name}.{n} is not {layer.__name__}.{n}"
