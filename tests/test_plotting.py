"""lifecycle_utils.plotting: one style, titled and labelled axes, helpers that return their axes."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lifecycle_utils import plotting


@pytest.fixture(autouse=True)
def _style():
    plotting.setup()
    yield
    plt.close("all")


def test_setup_sets_one_style():
    assert mpl.rcParams["axes.spines.top"] is False
    assert tuple(mpl.rcParams["figure.figsize"]) == plotting.FIGSIZE
    assert pd.get_option("display.precision") == 2


def test_decorate_sets_title_and_labels():
    _, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="x")
    ax.legend()
    plotting.decorate(ax, "T", "weeks", "USD", legend=False)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "weeks", "USD")
    assert ax.get_legend() is None


@pytest.mark.parametrize("helper", ["bar", "lines", "histogram"])
def test_helpers_return_decorated_axes(helper):
    frame = pd.DataFrame({"k": ["1", "2", "3"], "v": [1000.0, 2000.0, 1500.0], "w": [1.0, 2.0, 3.0]})
    if helper == "bar":
        ax = plotting.bar(frame, "k", "v", "Title", "occasions", "customers")
    elif helper == "lines":
        ax = plotting.lines(frame, "w", ["v", "w"], "Title", "week", "count")
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["v", "w"]
    else:
        ax = plotting.histogram(frame["v"], bins=3, title="Title", xlabel="USD", ylabel="rows", log_x=True)
        assert ax.get_xscale() == "log"
    assert ax.get_title() == "Title" and ax.get_xlabel() and ax.get_ylabel()
    fig = ax.figure
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any("," in t for t in labels) or helper != "bar"


def test_new_axes_reuses_given_axes():
    _, ax = plt.subplots()
    assert plotting.new_axes(ax) is ax
