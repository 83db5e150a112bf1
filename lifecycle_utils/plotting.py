"""One plotting style for the whole collection, set once by :func:`setup`, and small figure helpers.

Helpers take ``ax=None`` (a new figure when missing), return the axes and never call ``plt.show()``.
Every figure gets a title and axis labels with units through :func:`decorate`.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

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
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)


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
    frame: pd.DataFrame, x: str, y: str, title: str, xlabel: str, ylabel: str, ax: Axes | None = None
) -> Axes:
    """Vertical bars of ``frame[y]`` by ``frame[x]`` (in the frame's order), one colour."""
    ax = new_axes(ax)
    ax.bar(frame[x].astype(str), frame[y], color=sns.color_palette(PALETTE)[0])
    thousands(ax, "y")
    return decorate(ax, title, xlabel, ylabel)


def lines(
    frame: pd.DataFrame, x: str, ys: list[str], title: str, xlabel: str, ylabel: str, ax: Axes | None = None
) -> Axes:
    """One line per column in ``ys`` against ``frame[x]``, with a legend when there are several."""
    ax = new_axes(ax)
    for y in ys:
        ax.plot(frame[x], frame[y], label=y)
    thousands(ax, "y")
    return decorate(ax, title, xlabel, ylabel, legend=len(ys) > 1)


def histogram(
    values: pd.Series, bins: int | list[float], title: str, xlabel: str, ylabel: str,
    log_x: bool = False, ax: Axes | None = None,
) -> Axes:
    """Histogram of ``values``; with ``log_x`` the bins are spaced evenly on a log scale."""
    ax = new_axes(ax)
    sns.histplot(values, bins=bins, log_scale=log_x, ax=ax, color=sns.color_palette(PALETTE)[0])
    thousands(ax, "y")
    if log_x:
        thousands(ax, "x")
    return decorate(ax, title, xlabel, ylabel)
