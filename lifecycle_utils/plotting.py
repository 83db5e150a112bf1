"""One plotting style for the whole collection, set once by :func:`setup`, and small figure helpers.

Helpers take ``ax=None`` (a new figure when missing), return the axes and never call ``plt.show()``.
Every figure gets a title and axis labels with units through :func:`decorate`.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

__all__ = [
    "PALETTE",
    "FIGSIZE",
    "setup",
    "format_float",
    "new_axes",
    "decorate",
    "thousands",
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


def setup() -> None:
    """Apply the collection's style (seaborn whitegrid, colour-blind palette, readable sizes) and
    pandas display options (2 decimals, wide tables). Call once, in a notebook's import cell."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 100,
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
        ax.legend()
    elif legend is False and ax.get_legend() is not None:
        ax.get_legend().remove()
    return ax


def thousands(ax: Axes, axis: str = "y", prefix: str = "") -> Axes:
    """Format an axis' tick labels with thousands separators (``prefix`` e.g. ``"$"``)."""
    formatter = FuncFormatter(lambda v, _: f"{prefix}{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return ax


def bar(
    frame: pd.DataFrame, x: str, *, y: str, title: str, xlabel: str, ylabel: str, ax: Axes | None = None
) -> Axes:
    """Vertical bars of ``frame[y]`` by ``frame[x]`` (in the frame's order), one colour."""
    ax = new_axes(ax)
    ax.bar(frame[x].astype(str), frame[y], color=sns.color_palette(PALETTE)[0])
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
    for y in ys:
        ax.plot(frame[x], frame[y], label=y, marker="o" if markers else None)
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
    sns.histplot(values, bins=bins, log_scale=log_x, ax=ax, color=sns.color_palette(PALETTE)[0])
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
    colors = sns.color_palette(PALETTE, len(frame.columns))
    ax.stackplot(
        frame.index,
        *[frame[c].to_numpy() for c in frame.columns],
        labels=[str(c) for c in frame.columns],
        colors=colors,
        alpha=0.9,
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(x=0)
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
    colors = dict(zip(names, sns.color_palette(PALETTE, len(names))))
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
    """Dashed vertical reference lines, labelled in the legend (e.g. thresholds)."""
    colors = sns.color_palette(PALETTE)[1:]
    for (label, x), color in zip(marks.items(), colors):
        ax.axvline(x, linestyle="--", color=color, label=label)
    ax.legend()
    return ax


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
    for (label, km), color in zip(curves.items(), sns.color_palette(PALETTE, len(curves))):
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
        color=sns.color_palette(PALETTE)[0],
        label="scaled residual",
    )
    bin_of = pd.qcut(points["time"].rank(method="first"), min(bins, len(points)), labels=False)
    means = points.groupby(bin_of).agg(time=("time", "median"), value=(covariate, "mean"))
    ax.plot(
        means["time"],
        means["value"],
        color=sns.color_palette(PALETTE)[1],
        linewidth=2,
        marker="o",
        label=f"mean in {len(means)} time bins",
    )
    ax.axhline(beta, linestyle="--", color="black", label=f"fitted coefficient {beta:.3f}")
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
    ax.plot(curve["customer share"], curve["revenue share"], label=label, color=sns.color_palette(PALETTE)[0])
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect equality")
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
    for i, (col, color) in enumerate(zip(columns, sns.color_palette(PALETTE, len(columns)))):
        ax.barh(y + i * height, frame[col].to_numpy(float), height=height, label=col, color=color)
    ax.set_yticks(y + height * (len(columns) - 1) / 2, [str(i) for i in frame.index])
    ax.invert_yaxis()
    return decorate(ax, title, xlabel, ylabel, legend=True)


def alive_paths(paths: dict[str, pd.DataFrame], title: str, ax: Axes | None = None) -> Axes:
    """P(alive) histories (tables with ``date``, ``P(alive)``, ``purchase``), one line per customer,
    purchases marked with dots."""
    ax = new_axes(ax)
    for (label, path), color in zip(paths.items(), sns.color_palette(PALETTE, len(paths))):
        ax.plot(path["date"], path["P(alive)"], color=color, label=label)
        bought = path[path["purchase"]]
        ax.scatter(bought["date"], bought["P(alive)"], color=color, s=18, zorder=3)
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
    return decorate(ax, title, "date (dots: purchases)", "P(alive)", legend=True)
