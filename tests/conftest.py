"""Shared fixtures: small transaction tables written to disk the way users hand them to us."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write ``text`` to a CSV file in a temporary folder and return its path."""

    def _write(text: str, name: str = "tx.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
