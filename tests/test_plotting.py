"""lifecycle_utils.plotting: one style, titled and labelled axes, helpers that return their axes."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
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
        ax = plotting.bar(frame, "k", y="v", title="Title", xlabel="occasions", ylabel="customers")
    elif helper == "lines":
        ax = plotting.lines(frame, "w", ys=["v", "w"], title="Title", xlabel="week", ylabel="count")
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


def test_lines_in_percent_and_vlines():
    frame = pd.DataFrame({"k": [1, 2, 3], "p": [0.2, 0.5, 0.6]})
    ax = plotting.lines(
        frame,
        "k",
        ys=["p"],
        title="Title",
        xlabel="occasions",
        ylabel="probability",
        percent=True,
        markers=True,
    )
    ax.figure.canvas.draw()
    assert any(t.get_text().endswith("%") for t in ax.get_yticklabels())
    plotting.vlines(ax, {"silent": 1.5, "churned": 2.5})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["p", "silent", "churned"]


def test_stacked_area_heatmap_and_flow():
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=pd.to_datetime(["2024-01-31", "2024-02-29"]))
    ax = plotting.stacked_area(frame, "Sizes", xlabel="month end", ylabel="customers")
    assert len(ax.collections) == 2 and ax.get_title() == "Sizes"
    ax = plotting.heatmap(frame.reset_index(drop=True), "Heat", xlabel="to", ylabel="from")
    assert len(ax.texts) == 4
    table = pd.DataFrame([[5, 0], [2, 3]], index=["x", "y"], columns=["x", "z"])
    ax = plotting.flow(table, "Flow", left="before", right="after")
    labels = [t.get_text() for t in ax.texts]
    assert "x (5)" in labels and "z (3)" in labels and "y (5)" in labels


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2500315.63, "2,500,315.63"),
        (0.002, "0.002"),
        (0.43, "0.43"),
        (12.0, "12"),
        (0.0, "0"),
        (-0.0001, "-1.00e-04"),
        (float("nan"), "NaN"),
        (-3.5, "-3.5"),
    ],
)
def test_format_float(value, text):
    assert plotting.format_float(value) == text


def test_survival_curves_and_empty_note():
    km = pd.DataFrame(
        {"time": [0, 1, 2], "survival": [1, 0.5, 0.25], "lower": [1, 0.4, 0.1], "upper": [1, 0.6, 0.4]}
    )
    ax = plotting.survival_curves({"a": km, "b": km}, "Survival", xlabel="days", ylabel="share")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_ylim()[0] == 0
    empty = plotting.survival_curves(
        {}, "Survival", xlabel="days", ylabel="share", empty_note="no transactions"
    )
    assert empty.texts[0].get_text() == "no transactions"


def test_schoenfeld_plot_marks_the_coefficient():
    rng = np.random.default_rng(0)
    scaled = pd.DataFrame({"time": np.arange(200.0), "x": 0.5 + rng.normal(size=200)})
    ax = plotting.schoenfeld(scaled, "x", beta=0.5, title="PH check")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["scaled residual", "mean in 20 time bins", "fitted coefficient 0.500"]


def test_lorenz_and_grouped_barh():
    curve = pd.DataFrame({"customer share": [0, 0.5, 1], "revenue share": [0, 0.2, 1]})
    ax = plotting.lorenz(curve, "Lorenz", gini=0.3)
    assert "Gini 0.30" in ax.get_legend().get_texts()[0].get_text()
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=["x", "y"])
    ax = plotting.grouped_barh(frame, ["a", "b"], title="Bars", xlabel="%")
    assert len(ax.patches) == 4 and [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
