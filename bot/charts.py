"""Charts as PNG files, sized for a phone and readable by everyone.

Drawn with matplotlib's Agg backend through `Figure` and `FigureCanvasAgg` directly: no pyplot,
no global state, so two turns may draw at once. Every chart has a title that says what it shows
in words, labelled axes, the Okabe-Ito colour-blind-safe palette, and never carries meaning by
colour alone: each line has its own marker and line style and is labelled at its end, each bar
series its own hatching, and values are written on the bars and points. The caller gives every
word already translated (`turn._`), and the text alternative with the numbers, which becomes
the file's `description` (Slack's alt text, Discord's attachment description, the console).

Callers aggregate first: a chart gets at most a few dozen points, so drawing stays fast."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.conversation import File

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The size of every chart, in pixels: a phone held upright.
WIDTH = 720
HEIGHT = 900
_DPI = 100
# The longest text alternative kept whole; callers keep theirs shorter (the CSV has every number).
DESCRIBED_AT_MOST = 1000

# Okabe & Ito (2008), "Color Universal Design": safe for the common kinds of colour blindness.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_STYLES = ("-", "--", "-.", ":")
_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
# Beyond this many points on a line, only the first and last values are written beside it.
_WRITTEN_POINTS = 8


@dataclass(frozen=True)
class Series:
    """One line or one set of bars: its label (written on the chart) and a value per category.
    `spread`, for a line, is drawn as a bar either side of each point (e.g. a standard deviation).
    A value of None is a gap: nothing to show there."""

    label: str
    values: Sequence[float | None]
    spread: Sequence[float | None] | None = None


def line_chart(
    name: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    description: str,
    y_range: tuple[float, float] | None = None,
    number: str = "{:.1f}",
) -> File:
    """Lines across `categories` (dates, in order), one per series."""
    figure, axes = _figure(title, x_label, y_label)
    positions = list(range(len(categories)))
    for index, one in enumerate(series):
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        points = [(x, v) for x, v in zip(positions, one.values, strict=True) if v is not None]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        style = {
            "color": colour,
            "marker": _MARKERS[index % len(_MARKERS)],
            "linestyle": _STYLES[index % len(_STYLES)],
            "linewidth": 2.5,
            "markersize": 9,
        }
        if one.spread is not None:
            errors = [one.spread[x] or 0.0 for x in xs]
            axes.errorbar(xs, ys, yerr=errors, capsize=5, elinewidth=1.5, **style)
        else:
            axes.plot(xs, ys, **style)
        written = range(len(xs)) if len(xs) <= _WRITTEN_POINTS else (0, len(xs) - 1)
        for at in written:
            axes.annotate(
                number.format(ys[at]), (xs[at], ys[at]), textcoords="offset points", xytext=(7, 7),
                ha="left", fontsize=11, color="#000000",
            )
        if len(series) > 1:  # said at the end of its line, not only in a colour key
            axes.annotate(
                _short(one.label), (xs[-1], ys[-1]), textcoords="offset points", xytext=(8, -16),
                fontsize=11, color=colour, fontweight="bold",
            )
    axes.set_xticks(positions, _thinned(categories), rotation=45, ha="right")
    if y_range is not None:
        axes.set_ylim(*y_range)
    if positions:
        axes.set_xlim(-0.5, len(positions) - 0.5 + (1.5 if len(series) > 1 else 0))
    if len(series) > 1:
        axes.legend([_short(s.label) for s in series], loc="best", fontsize=11)
    return _file(figure, name, description)


def bar_chart(
    name: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    description: str,
    number: str = "{:g}",
) -> File:
    """Bars side by side for each category, one set per series, with their values on them."""
    figure, axes = _figure(title, x_label, y_label)
    count = max(len(series), 1)
    width = 0.8 / count
    for index, one in enumerate(series):
        offsets = [x - 0.4 + width * (index + 0.5) for x in range(len(categories))]
        values = [v or 0.0 for v in one.values]
        bars = axes.bar(
            offsets, values, width, label=_short(one.label), color=OKABE_ITO[index % len(OKABE_ITO)],
            hatch=_HATCHES[index % len(_HATCHES)], edgecolor="#000000", linewidth=1,
        )
        axes.bar_label(bars, [number.format(v) for v in values], padding=2, fontsize=10)
    axes.set_xticks(list(range(len(categories))), _thinned(categories), rotation=45, ha="right")
    axes.margins(y=0.15)
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of people: whole numbers
    if len(series) > 1:
        axes.legend(loc="best", fontsize=11)
    return _file(figure, name, description)


def _figure(title: str, x_label: str, y_label: str) -> tuple[Figure, object]:
    # matplotlib is read on the first chart, not when the bot starts (about a second).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH / _DPI, HEIGHT / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    # Fixed margins, not tight_layout: the same room every time, and no layout loop.
    figure.subplots_adjust(left=0.13, right=0.95, top=0.84, bottom=0.2)
    axes = figure.add_subplot()
    figure.suptitle(textwrap.fill(title, 44), fontsize=16, y=0.97, va="top")
    axes.set_xlabel(x_label, fontsize=13)
    axes.set_ylabel(y_label, fontsize=13)
    axes.tick_params(labelsize=11)
    axes.grid(axis="y", color="#cccccc", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _file(figure: Figure, name: str, description: str) -> File:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=_DPI)  # no bbox_inches: exactly WIDTH x HEIGHT
    if len(description) > DESCRIBED_AT_MOST:  # Discord keeps 1,024 characters of a description
        description = description[: DESCRIBED_AT_MOST - 1] + "…"
    return File(name, "image/png", out.getvalue(), description=description)


def _thinned(categories: Sequence[str]) -> list[str]:
    """Every label when they fit across a phone; else about twelve, evenly spread."""
    step = max(1, -(-len(categories) // 12))
    return [label if index % step == 0 or index == len(categories) - 1 else "" for index, label in enumerate(categories)]


def _short(label: str) -> str:
    return label if len(label) <= 30 else label[:29] + "…"
