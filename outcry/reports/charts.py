"""Chart geometry for server-rendered SVG: numbers in, rectangles and lines out, no chart library.

Templates draw what these return; each bar carries its label and value so the SVG and the table
beside it are built from the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 720
HEIGHT = 220
PAD_LEFT = 48
PAD_BOTTOM = 24
PAD_TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    goal: int = 0
    goal_y: float | None = None
    line_points: str = ""
    first_label: str = ""
    last_label: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def plot_bottom(self) -> float:
        return self.height - PAD_BOTTOM

    @property
    def plot_left(self) -> int:
        return PAD_LEFT


def nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above value, so gridlines fall on round numbers."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _ticks(top: int, plot_height: float) -> list[Tick]:
    return [Tick(value=top * i // 4, y=round(PAD_TOP + plot_height - plot_height * i / 4, 1)) for i in range(5)]


def bar_chart(title: str, series: list[tuple[str, int]], *, goal: int = 0, cumulative: bool = False) -> BarChart:
    """Vertical bars for series; with cumulative, also the running total as a line and the goal as a rule."""
    plot_width = WIDTH - PAD_LEFT - 4
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    running, totals = 0, []
    for _, value in series:
        running += value
        totals.append(running)
    highest = max([value for _, value in series] + ([running, goal] if cumulative else []) + [0])
    top = nice_max(highest)
    slot = plot_width / max(len(series), 1)
    bars = []
    for index, (label, value) in enumerate(series):
        bar_height = plot_height * value / top
        bars.append(Bar(
            label=label, value=value,
            x=round(PAD_LEFT + index * slot + slot * 0.1, 2), y=round(PAD_TOP + plot_height - bar_height, 2),
            width=round(max(slot * 0.8, 0.5), 2), height=round(bar_height, 2),
        ))
    chart = BarChart(title=title, bars=bars, ticks=_ticks(top, plot_height), goal=goal)
    if series:
        chart.first_label, chart.last_label = series[0][0], series[-1][0]
    if cumulative:
        chart.line_points = " ".join(
            f"{round(PAD_LEFT + (i + 0.5) * slot, 2)},{round(PAD_TOP + plot_height - plot_height * total / top, 2)}"
            for i, total in enumerate(totals)
        )
        if goal:
            chart.goal_y = round(PAD_TOP + plot_height - plot_height * goal / top, 2)
    return chart


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    width: float
    y: float


@dataclass
class HBarChart:
    title: str
    rows: list[Row]
    width: int = WIDTH
    height: int = 0
    label_width: int = 180
    extra: dict = field(default_factory=dict)


ROW_HEIGHT = 22


def hbar_chart(title: str, series: list[tuple[str, int]]) -> HBarChart:
    """Horizontal bars, one per row of a breakdown (countries, sources…)."""
    top = max([value for _, value in series] + [1])
    usable = WIDTH - 180 - 70
    rows = [
        Row(label=label, value=value, width=round(usable * value / top, 2), y=index * ROW_HEIGHT)
        for index, (label, value) in enumerate(series)
    ]
    return HBarChart(title=title, rows=rows, height=max(len(rows), 1) * ROW_HEIGHT)
