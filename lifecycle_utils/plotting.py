"""One plotting style for the whole collection, set once by :func:`setup`, and small figure helpers.

Helpers take ``ax=None`` (a new figure when missing), return the axes and never call ``plt.show()``.
Every figure gets a title and axis labels with units through :func:`decorate`.

The style: text is never read as mathematics (``"$0-$15"`` keeps its dollar signs), notebooks show
figures at twice the pixel density (sharp on high-density screens, shown at their normal size:
:func:`figure_png`), a date
axis gets concise labels (:func:`date_axis`), reference lines (thresholds, the line of equality, a
fitted coefficient) are drawn in one colour that no data series uses (:data:`REFERENCE_COLOR`), and a
legend stays inside the axes only where it covers no line (:func:`place_legend`).
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter
from PIL import Image

__all__ = [
    "PALETTE",
    "FIGSIZE",
    "REFERENCE_COLOR",
    "REFERENCE_STYLES",
    "series_colors",
    "DENSITY",
    "figure_png",
    "setup",
    "format_float",
    "new_axes",
    "decorate",
    "thousands",
    "date_axis",
    "place_legend",
    "bar",
    "lines",
    "histogram",
    "stacked_area",
    "heatmap",
    "flow",
    "vlines",
    "survival_curves",
    "schoenfeld",
    "survival_panels",
    "lorenz",
    "grouped_barh",
    "alive_paths",
]

PALETTE = "colorblind"
FIGSIZE = (8.0, 4.2)
REFERENCE_COLOR = "#3d3d3d"
"""The one colour of every reference line (thresholds, the line of equality, a fitted coefficient): a
dark grey that is none of the series colours (:func:`series_colors`), so a dashed line is never taken
for a data series."""
REFERENCE_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
"""Line styles that tell several reference lines on one axes apart (they share the colour)."""
DENSITY = 2
"""Notebook figures carry this many pixels per displayed pixel (sharp on high-density screens)."""


def series_colors(n: int | None = None) -> list[tuple[float, float, float]]:
    """The colours of data series: the colour-blind palette (``n`` of them, cycling)."""
    return sns.color_palette(PALETTE, n)


def setup() -> None:
    """Apply the collection's style (seaborn whitegrid, colour-blind palette, readable sizes, no
    mathematics in text, figures at twice the pixel density in a notebook) and pandas display options
    (2 decimals, wide tables). Call once, in a notebook's import cell."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 100 * DENSITY,
            "text.parse_math": False,  # "$0-$15" is money, not mathematics: the dollar signs stay
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
        }
    )
    pd.set_option("display.precision", 2)
    pd.set_option("display.float_format", format_float)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    _dense_inline_figures()


def figure_png(fig: plt.Figure) -> tuple[str, dict[str, int]] | None:
    """A figure as a notebook shows it: a PNG with :data:`DENSITY` times the pixels of its size (sharp
    on high-density screens), base64-encoded, with the width and height to show it at (its normal
    size), reduced to a palette of 256 colours: a plot has few colours, and the file shrinks to about a
    third. ``None`` for an empty figure (nothing to show, as IPython's own formatter)."""
    if not fig.axes and not fig.lines:
        return None
    drawn = io.BytesIO()
    fig.canvas.print_figure(
        drawn,
        format="png",
        dpi=fig.dpi * DENSITY,
        bbox_inches="tight",
        facecolor=fig.get_facecolor(),
        edgecolor=fig.get_edgecolor(),
    )
    image = Image.open(drawn).convert("RGBA")
    flat = Image.new("RGBA", image.size, "white")  # a transparent figure is shown on white
    flat.alpha_composite(image)
    small = io.BytesIO()
    flat.convert("RGB").quantize(colors=256).save(small, format="png", optimize=True)
    size = {"width": image.width // DENSITY, "height": image.height // DENSITY}
    return base64.b64encode(small.getvalue()).decode("ascii"), size


def _dense_inline_figures() -> None:
    """In a notebook kernel (the inline backend), show figures through :func:`figure_png`. Outside
    IPython (a script, the tests) nothing changes."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook dependencies
        return
    shell = get_ipython()
    if shell is None or "inline" not in str(mpl.get_backend()):
        return
    # the inline backend sets IPython's figure formats once, when it is first imported: before ours
    import matplotlib_inline.backend_inline  # noqa: F401

    shell.display_formatter.formatters["image/png"].for_type(plt.Figure, figure_png)


def format_float(value: float) -> str:
    """How tables show floats: thousands separators, at most 3 decimals, trailing zeros dropped, and
    scientific notation only for values below 0.001 (never for a column merely because it holds one)."""
    if value != value:  # NaN
        return "NaN"
    if value == 0 or abs(value) >= 0.001:
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
        return "0" if text in {"-0", ""} else text
    return f"{value:.2e}"


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax`` itself, or the axes of a new figure."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize or FIGSIZE)
    return ax


def decorate(ax: Axes, title: str, xlabel: str, ylabel: str, legend: bool | None = None) -> Axes:
    """Title and axis labels (state units in the labels: "weeks since first purchase", "USD")."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend is True:
        place_legend(ax)
    elif legend is False and ax.get_legend() is not None:
        ax.get_legend().remove()
    return ax


def thousands(ax: Axes, axis: str = "y", prefix: str = "") -> Axes:
    """Format an axis' tick labels with thousands separators (``prefix`` e.g. ``"$"``)."""
    formatter = FuncFormatter(lambda v, _: f"{prefix}{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return ax


class _DateLabels(mdates.ConciseDateFormatter):
    """Concise date labels whose first label states its year when no label or offset does (an axis
    from late January shows "Apr 1997", "Jul", ..., "1998", not a bare "Apr")."""

    def format_ticks(self, values):
        labels = super().format_ticks(values)
        years = re.compile(r"\d{4}")
        if labels and not years.search(labels[0]) and not years.search(self.get_offset() or ""):
            labels[0] = f"{labels[0]} {mdates.num2date(values[0]):%Y}"
        return labels


def date_axis(ax: Axes, axis: str = "x") -> Axes:
    """Concise date labels on a date axis: the year where it changes (and on the first label), months
    or days in between, at most eight ticks so that labels never overlap (``ConciseDateFormatter``)."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(locator)
    target.set_major_formatter(_DateLabels(locator))
    return ax


def _is_dates(values) -> bool:
    return pd.api.types.is_datetime64_any_dtype(getattr(values, "dtype", None))


def _covers_a_line(ax: Axes, box) -> bool:
    """Whether the rectangle ``box`` (display coordinates) crosses a line of ``ax`` (data series and
    reference lines alike)."""
    for line in ax.get_lines():
        if not line.get_visible() or not len(line.get_xdata()):
            continue
        path = line.get_transform().transform_path(line.get_path())
        if path.intersects_bbox(box, filled=False):
            return True
    return False


def place_legend(ax: Axes) -> Axes:
    """A legend that covers no line: inside the axes, where matplotlib's ``"best"`` place leaves every
    line (series and reference lines) visible; otherwise outside, to the right of the axes."""
    if not ax.get_legend_handles_labels()[0]:
        return ax
    inside = ax.legend(loc="best")
    ax.figure.canvas.figure.draw_without_rendering()  # lays the figure out: where "best" puts it
    if _covers_a_line(ax, inside.get_window_extent()):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax


def bar(
    frame: pd.DataFrame, x: str, *, y: str, title: str, xlabel: str, ylabel: str, ax: Axes | None = None
) -> Axes:
    """Vertical bars of ``frame[y]`` by ``frame[x]`` (in the frame's order), one colour."""
    ax = new_axes(ax)
    ax.bar(frame[x].astype(str), frame[y], color=series_colors()[0])
    thousands(ax, "y")
    return decorate(ax, title, xlabel, ylabel)


def lines(
    frame: pd.DataFrame,
    x: str,
    *,
    ys: list[str],
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    percent: bool = False,
    markers: bool = False,
) -> Axes:
    """One line per column in ``ys`` against ``frame[x]``, with a legend when there are several;
    ``percent`` formats the y axis of a 0-1 quantity as percentages."""
    ax = new_axes(ax)
    for y, color in zip(ys, series_colors(len(ys))):
        ax.plot(frame[x], frame[y], label=y, color=color, marker="o" if markers else None)
    if _is_dates(frame[x]):
        date_axis(ax)
    if percent:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    else:
        thousands(ax, "y")
    return decorate(ax, title, xlabel, ylabel, legend=len(ys) > 1)


def histogram(
    values: pd.Series,
    bins: int | list[float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    log_x: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of ``values``; with ``log_x`` the bins are spaced evenly on a log scale."""
    ax = new_axes(ax)
    sns.histplot(values, bins=bins, log_scale=log_x, ax=ax, color=series_colors()[0])
    thousands(ax, "y")
    if log_x:
        thousands(ax, "x")
    return decorate(ax, title, xlabel, ylabel)


def stacked_area(
    frame: pd.DataFrame, title: str, *, xlabel: str, ylabel: str, ax: Axes | None = None
) -> Axes:
    """Stacked areas of the columns of ``frame`` against its index (e.g. customers per stage over time),
    legend outside the plot on the right."""
    ax = new_axes(ax)
    colors = series_colors(len(frame.columns))
    ax.stackplot(
        frame.index,
        *[frame[c].to_numpy() for c in frame.columns],
        labels=[str(c) for c in frame.columns],
        colors=colors,
        alpha=0.9,
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # areas fill the axes: the legend goes outside
    ax.margins(x=0)
    if isinstance(frame.index, pd.DatetimeIndex):
        date_axis(ax)
    thousands(ax, "y")
    return decorate(ax, title, xlabel, ylabel)


def heatmap(
    matrix: pd.DataFrame,
    title: str,
    *,
    xlabel: str,
    ylabel: str,
    fmt: str = ".2f",
    cmap: str = "Blues",
    ax: Axes | None = None,
    annot: bool = True,
    cbar_label: str = "",
) -> Axes:
    """Annotated heatmap of a matrix (rows = index, columns = columns); NaN cells are left blank."""
    ax = new_axes(ax, figsize=(max(5.0, 0.75 * len(matrix.columns) + 2.5), max(3.0, 0.5 * len(matrix) + 1.5)))
    sns.heatmap(
        matrix.astype(float),
        annot=annot,
        fmt=fmt,
        cmap=cmap,
        linewidths=0.5,
        ax=ax,
        cbar_kws={"label": cbar_label},
    )
    ax.tick_params(axis="y", rotation=0)
    return decorate(ax, title, xlabel, ylabel)


def flow(table: pd.DataFrame, title: str, *, left: str, right: str, ax: Axes | None = None) -> Axes:
    """Two stacked columns (rows of ``table`` on the left, its columns on the right) joined by bands
    whose widths are the customer counts in ``table`` (an alluvial diagram of one transition)."""
    ax = new_axes(ax, figsize=(8.0, 5.0))
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    names = list(dict.fromkeys([*map(str, table.index), *map(str, table.columns)]))
    colors = dict(zip(names, series_colors(len(names))))
    total = float(table.to_numpy().sum())
    gap = 0.02 * total
    width = 0.12

    def stack(sizes: pd.Series) -> dict[str, float]:
        bottoms, y = {}, 0.0
        for name, size in sizes.items():
            bottoms[str(name)] = y
            y += float(size) + gap
        return bottoms

    left_sizes, right_sizes = table.sum(axis=1), table.sum(axis=0)
    left_bottom, right_bottom = stack(left_sizes), stack(right_sizes)
    for name, size in left_sizes.items():
        ax.bar(0, size, width, bottom=left_bottom[str(name)], color=colors[str(name)], align="edge")
        ax.text(-0.02, left_bottom[str(name)] + size / 2, f"{name} ({size:,.0f})", ha="right", va="center")
    for name, size in right_sizes.items():
        ax.bar(1 - width, size, width, bottom=right_bottom[str(name)], color=colors[str(name)], align="edge")
        ax.text(1.02, right_bottom[str(name)] + size / 2, f"{name} ({size:,.0f})", ha="left", va="center")
    left_used = {str(k): 0.0 for k in table.index}
    right_used = {str(k): 0.0 for k in table.columns}
    xs = np.linspace(width, 1 - width, 50)
    smooth = (1 - np.cos(np.linspace(0, np.pi, 50))) / 2
    for src in table.index:
        for dst in table.columns:
            n = float(table.loc[src, dst])
            if n <= 0:
                continue
            y0 = left_bottom[str(src)] + left_used[str(src)]
            y1 = right_bottom[str(dst)] + right_used[str(dst)]
            low = y0 + (y1 - y0) * smooth
            ax.fill_between(xs, low, low + n, color=colors[str(src)], alpha=0.35, linewidth=0)
            left_used[str(src)] += n
            right_used[str(dst)] += n
    ax.set_xlim(-0.45, 1.45)
    ax.set_xticks([width / 2, 1 - width / 2], [left, right])
    ax.set_yticks([])
    ax.grid(False)
    ax.spines[["left", "bottom"]].set_visible(False)
    return decorate(ax, title, "", "customers (band width)")


def vlines(ax: Axes, marks: dict[str, float]) -> Axes:
    """Vertical reference lines (e.g. thresholds) in :data:`REFERENCE_COLOR`, told apart by their line
    style and labelled in the legend."""
    for i, (label, x) in enumerate(marks.items()):
        style = REFERENCE_STYLES[i % len(REFERENCE_STYLES)]
        ax.axvline(x, linestyle=style, color=REFERENCE_COLOR, linewidth=1.5, label=label)
    return place_legend(ax)


def survival_curves(
    curves: dict[str, pd.DataFrame],
    title: str,
    *,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    bands: bool = True,
    empty_note: str = "not available for this data",
) -> Axes:
    """Kaplan-Meier step curves (tables with ``time``, ``survival``, ``lower``, ``upper``), one per
    label, with shaded pointwise bands; the y axis in percent. With no curves, the axes say so."""
    ax = new_axes(ax)
    if not curves:
        ax.text(0.5, 0.5, empty_note, ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return decorate(ax, title, xlabel, ylabel)
    for (label, km), color in zip(curves.items(), series_colors(len(curves))):
        ax.step(km["time"], km["survival"], where="post", label=f"{label}", color=color)
        if bands:
            ax.fill_between(
                km["time"], km["lower"], km["upper"], step="post", color=color, alpha=0.2, linewidth=0
            )
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    return decorate(ax, title, xlabel, ylabel, legend=len(curves) > 1)


def schoenfeld(
    scaled: pd.DataFrame,
    covariate: str,
    *,
    beta: float,
    title: str,
    xlabel: str = "days (event time)",
    ax: Axes | None = None,
    bins: int = 20,
    max_points: int = 4000,
    seed: int = 0,
) -> Axes:
    """Scaled Schoenfeld residuals of one covariate against event time, their mean in ``bins``
    equal-count time bins (ties-safe) and the fitted coefficient as a dashed line: bin means that stay
    on the line support proportional hazards; a trend says the effect changes over time."""
    ax = new_axes(ax)
    points = scaled[["time", covariate]]
    shown = (
        points.sample(min(max_points, len(points)), random_state=seed) if len(points) > max_points else points
    )
    ax.scatter(
        shown["time"],
        shown[covariate],
        s=6,
        alpha=0.25,
        color=series_colors()[0],
        label="scaled residual",
    )
    bin_of = pd.qcut(points["time"].rank(method="first"), min(bins, len(points)), labels=False)
    means = points.groupby(bin_of).agg(time=("time", "median"), value=(covariate, "mean"))
    ax.plot(
        means["time"],
        means["value"],
        color=series_colors()[1],
        linewidth=2,
        marker="o",
        label=f"mean in {len(means)} time bins",
    )
    ax.axhline(beta, linestyle="--", color=REFERENCE_COLOR, label=f"fitted coefficient {beta:.3f}")
    lo, hi = np.percentile(points[covariate], [1, 99])
    pad = 0.2 * (hi - lo + 1e-9)
    ax.set_ylim(min(lo, means["value"].min(), beta) - pad, max(hi, means["value"].max(), beta) + pad)
    return decorate(ax, title, xlabel, f"beta(t) for {covariate}", legend=True)


def survival_panels(
    panels: dict[str, dict[str, pd.DataFrame]],
    title: str,
    *,
    xlabel: str,
    ylabel: str,
    bands: bool = True,
) -> plt.Figure:
    """One :func:`survival_curves` panel per group column, side by side, sharing the y axis."""
    n = max(1, len(panels))
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 4.2), sharey=True, squeeze=False)
    for ax, (name, curves) in zip(axes[0], panels.items()):
        survival_curves(curves, f"by {name}", xlabel=xlabel, ylabel=ylabel, ax=ax, bands=bands)
    if not panels:
        survival_curves({}, "", xlabel=xlabel, ylabel=ylabel, ax=axes[0][0])
    fig.suptitle(title, fontweight="bold")
    return fig


def lorenz(curve: pd.DataFrame, title: str, *, gini: float | None = None, ax: Axes | None = None) -> Axes:
    """A Lorenz curve (``customer share`` against ``revenue share``) with the line of equality and,
    optionally, the Gini coefficient in the legend; axes in percent."""
    ax = new_axes(ax, figsize=(5.5, 5.0))
    label = "customers" + (f" (Gini {gini:.2f})" if gini is not None else "")
    ax.plot(curve["customer share"], curve["revenue share"], label=label, color=series_colors()[0])
    ax.plot([0, 1], [0, 1], linestyle="--", color=REFERENCE_COLOR, label="perfect equality")
    percent = FuncFormatter(lambda v, _: f"{100 * v:.0f}%")
    ax.xaxis.set_major_formatter(percent)
    ax.yaxis.set_major_formatter(percent)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return decorate(
        ax,
        title,
        "customers, lowest spend first (cumulative share)",
        "revenue (cumulative share)",
        legend=True,
    )


def grouped_barh(
    frame: pd.DataFrame,
    columns: list[str],
    *,
    title: str,
    xlabel: str,
    ylabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of several columns side by side for each row of ``frame`` (first row on top)."""
    ax = new_axes(ax, figsize=(8.0, max(3.0, 0.45 * len(frame) + 1.5)))
    height = 0.8 / len(columns)
    y = np.arange(len(frame))
    for i, (col, color) in enumerate(zip(columns, series_colors(len(columns)))):
        ax.barh(y + i * height, frame[col].to_numpy(float), height=height, label=col, color=color)
    ax.set_yticks(y + height * (len(columns) - 1) / 2, [str(i) for i in frame.index])
    ax.invert_yaxis()
    return decorate(ax, title, xlabel, ylabel, legend=True)


def alive_paths(paths: dict[str, pd.DataFrame], title: str, ax: Axes | None = None) -> Axes:
    """P(alive) histories (tables with ``date``, ``P(alive)``, ``purchase``), one line per customer,
    purchases marked with dots."""
    ax = new_axes(ax)
    for (label, path), color in zip(paths.items(), series_colors(len(paths))):
        ax.plot(path["date"], path["P(alive)"], color=color, label=label)
        bought = path[path["purchase"]]
        ax.scatter(bought["date"], bought["P(alive)"], color=color, s=18, zorder=3)
    if paths and all(_is_dates(path["date"]) for path in paths.values()):
        date_axis(ax)
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    return decorate(ax, title, "date (dots: purchases)", "P(alive)", legend=True)
