"""The lifetimes import shim: one narrow warning filter, data files read without pkg_resources."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lifecycle_utils import _lifetimes


def test_version_is_the_pinned_one():
    assert _lifetimes.LIFETIMES_VERSION == "0.11.3"


def test_dataset_path_finds_shipped_files_and_names_missing_ones():
    assert _lifetimes.dataset_path("CDNOW_master.txt").is_file()
    with pytest.raises(FileNotFoundError, match="does not ship datasets/nope.csv"):
        _lifetimes.dataset_path("nope.csv")


def test_importing_the_package_prints_no_warning():
    code = "import warnings; warnings.simplefilter('error'); import lifecycle_utils.data"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
