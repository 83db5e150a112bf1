"""pyproject.toml and environment.yml list the same packages with the same bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def parse(spec: str) -> tuple[str, str]:
    name, bounds = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), bounds.replace(" ", "")


def pyproject_specs() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(parse(s) for s in specs)


def conda_specs() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    specs += [s for block in pip for s in block.get("pip", []) if not s.startswith("-e")]
    return dict(parse(s) for s in specs)


def test_environment_yml_matches_pyproject():
    assert conda_specs() == pyproject_specs()


def test_python_floor_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]


def test_lifetimes_is_pinned_exactly():
    assert pyproject_specs()["lifetimes"] == "==0.11.3"


def test_the_version_is_written_once_and_the_citation_agrees():
    import tomllib
    from importlib.metadata import version

    import lifecycle_utils

    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert lifecycle_utils.__version__ == version("lifecycle-utils") == declared
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == declared and citation["license"] == "MIT"
    assert (root / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert f"## [{declared}]" in (root / "CHANGELOG.md").read_text(encoding="utf-8")
