"""Inline SVG charts for the PDF documents: geometry computed here, drawn by a template
(``reports/pdf/_stacked_bars.html``) so that every label goes through Django's escaping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise

CHART_WIDTH = 600
LABEL_WIDTH = 210
BAR_HEIGHT = 14
ROW_GAP = 8


@dataclass
class Segment:
    value: int
    colour: str
    label: str | Promise
    x: float = 0
    width: float = 0


@dataclass
class Bar:
    label: str | Promise
    segments: list[Segment]
    y: float = 0
    total: int = 0


@dataclass
class StackedBars:
    bars: list[Bar]
    legend: list[tuple[str, str | Promise]] = field(default_factory=list)
    width: int = CHART_WIDTH
    height: float = 0
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def stacked_bars(
    rows: Sequence[tuple[str | Promise, list[int]]],
    series: Sequence[tuple[str, str | Promise]],
) -> StackedBars:
    """One horizontal bar per row, one segment per series (colour, label), each bar
    scaled to 100 % of its own total (shares, not counts: themes differ in size)."""
    plot = CHART_WIDTH - LABEL_WIDTH - 40
    bars = []
    for index, (label, values) in enumerate(rows):
        total = sum(values)
        x = float(LABEL_WIDTH)
        segments = []
        for value, (colour, name) in zip(values, series, strict=True):
            width = plot * value / total if total else 0
            segments.append(Segment(value=value, colour=colour, label=name, x=x, width=width))
            x += width
        bars.append(
            Bar(label=label, segments=segments, y=index * (BAR_HEIGHT + ROW_GAP), total=total)
        )
    height = len(rows) * (BAR_HEIGHT + ROW_GAP)
    return StackedBars(bars=bars, legend=list(series), height=height)


@dataclass
class TimelineItem:
    label: str
    x: float
    y: float
    width: float
    colour: str


def month_ticks(start_ordinal: int, end_ordinal: int) -> list[int]:
    from datetime import date

    ticks = []
    day = date.fromordinal(start_ordinal).replace(day=1)
    while day.toordinal() <= end_ordinal:
        if day.toordinal() >= start_ordinal:
            ticks.append(day.toordinal())
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return ticks
