"""lifecycle_utils.plotting: one style, titled and labelled axes, helpers that return their axes."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib as mpl
import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import plotting

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


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


# ------------------------------------------------------------------------------------ the house style
def test_dollar_signs_are_text_not_mathematics():
    km = pd.DataFrame({"time": [0, 1], "survival": [1, 0.5], "lower": [1, 0.4], "upper": [1, 0.6]})
    ax = plotting.survival_curves({"low ($0-$15)": km, "high ($32-$1,120)": km}, "S", xlabel="d", ylabel="s")
    ax.set_title("$0-$15 customers")
    ax.figure.canvas.draw()
    texts = [*ax.get_legend().get_texts(), ax.title]
    assert [t.get_text() for t in texts] == ["low ($0-$15)", "high ($32-$1,120)", "$0-$15 customers"]
    for text in texts:  # mathtext would drop the dollar signs and set "0-" in italics
        assert text._preprocess_math(text.get_text()) == (text.get_text(), False)
    assert mpl.rcParams["text.parse_math"] is False


def test_figures_are_saved_at_twice_the_pixel_density():
    assert mpl.rcParams["savefig.dpi"] == 2 * mpl.rcParams["figure.dpi"]


def test_a_notebook_figure_has_twice_the_pixels_in_a_small_palette_and_its_display_size():
    import base64
    import io

    from PIL import Image

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 1], [0, 1])
    data, size = plotting.figure_png(fig)
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    assert image.mode == "P" and len(image.getcolors(256)) <= 256  # a palette of at most 256 colours
    assert (image.width // 2, image.height // 2) == (size["width"], size["height"])
    assert 300 <= size["width"] <= 450  # about 4 inches at 100 dpi (the tight box adds the labels)
    assert plotting.figure_png(data and plt.figure()) is None  # an empty figure shows nothing
    assert plotting.figure_png(fig) == (data, size)  # the same bytes on every run


def test_the_reference_colour_is_no_series_colour():
    reference = np.array(mcolors.to_rgb(plotting.REFERENCE_COLOR))
    distances = [np.abs(reference - np.array(c)).max() for c in plotting.series_colors(10)]
    assert min(distances) > 0.2, distances  # the palette's own grey (#949494) included


def test_every_reference_line_is_drawn_in_the_reference_colour():
    frame = pd.DataFrame({"k": [1, 2, 3], "a": [1, 2, 3], "b": [3, 2, 1], "c": [2, 2, 2]})
    ax = plotting.lines(frame, "k", ys=["a", "b", "c"], title="T", xlabel="x", ylabel="y")
    plotting.vlines(ax, {"silent": 1.5, "churned": 2.5})
    series, marks = ax.get_lines()[:3], ax.get_lines()[3:]
    reference = mcolors.to_rgb(plotting.REFERENCE_COLOR)
    assert all(mcolors.to_rgb(line.get_color()) == reference for line in marks)
    assert all(mcolors.to_rgb(line.get_color()) != reference for line in series)
    assert marks[0].get_linestyle() != marks[1].get_linestyle()  # told apart by their style
    curve = pd.DataFrame({"customer share": [0, 0.5, 1], "revenue share": [0, 0.2, 1]})
    equality = plotting.lorenz(curve, "Lorenz").get_lines()[1]
    assert mcolors.to_rgb(equality.get_color()) == reference
    scaled = pd.DataFrame({"time": np.arange(50.0), "x": np.linspace(-1, 1, 50)})
    fitted = plotting.schoenfeld(scaled, "x", beta=0.1, title="PH").get_lines()[-1]
    assert mcolors.to_rgb(fitted.get_color()) == reference


def _overlaps(boxes) -> bool:
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


@pytest.mark.parametrize("days", [7, 30])
def test_a_date_axis_has_concise_labels_that_never_overlap(days):
    dates = pd.date_range("1997-01-01", periods=80 if days == 7 else 18, freq=f"{days}D")
    frame = pd.DataFrame({"week_start": dates, "occasions": np.arange(len(dates)) * 100.0})
    ax = plotting.lines(frame, "week_start", ys=["occasions"], title="T", xlabel="week", ylabel="n")
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    sizes = pd.DataFrame({"a": np.arange(len(dates)), "b": np.arange(len(dates))}, index=dates)
    area = plotting.stacked_area(sizes, "Sizes", xlabel="month end", ylabel="customers")
    late = plotting.stacked_area(sizes.set_axis(dates + pd.Timedelta(days=30)), "S", xlabel="m", ylabel="n")
    for axes in (ax, area, late):
        axes.figure.canvas.draw()
        labels = [t for t in axes.get_xticklabels() if t.get_text()]
        assert len(labels) >= 3
        assert not _overlaps([t.get_window_extent() for t in labels])
        assert re.search(r"\d{4}", labels[0].get_text() + axes.xaxis.get_major_formatter().get_offset())


def _legend_covers_a_line(ax) -> bool:
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    return any(
        line.get_transform().transform_path(line.get_path()).intersects_bbox(box, filled=False)
        for line in ax.get_lines()
    )


def test_a_legend_stays_inside_where_it_covers_no_line():
    frame = pd.DataFrame({"k": [0, 1, 2, 3], "a": [0.0, 0.1, 0.2, 0.3], "b": [0.1, 0.2, 0.3, 0.4]})
    ax = plotting.lines(frame, "k", ys=["a", "b"], title="T", xlabel="x", ylabel="y")
    ax.set_ylim(0, 4)  # the lines keep to the bottom: room above them
    plotting.place_legend(ax)
    assert not _legend_covers_a_line(ax)
    assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y1 + 1  # inside the axes


def test_a_legend_moves_outside_the_axes_rather_than_cover_a_line():
    k = np.linspace(0, 1, 200)
    frame = pd.DataFrame({"k": k} | {f"s{i}": (k * (i + 1) * 7) % 1 for i in range(6)})  # lines everywhere
    ax = plotting.lines(frame, "k", ys=[f"s{i}" for i in range(6)], title="T", xlabel="x", ylabel="y")
    plotting.vlines(ax, {"threshold": 0.5})
    assert not _legend_covers_a_line(ax)
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1  # to the right of the axes


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_figures_carry_twice_the_pixels_they_are_shown_at(path):
    import base64
    import json
    import struct

    shown = 0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for out in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if "image/png" not in out.get("data", {}):
                continue
            png = base64.b64decode(out["data"]["image/png"])
            width, height = struct.unpack(">II", png[16:24])
            size = out.get("metadata", {}).get("image/png", {})
            assert (size.get("width"), size.get("height")) == (width // 2, height // 2), size
            shown += 1
    assert shown
