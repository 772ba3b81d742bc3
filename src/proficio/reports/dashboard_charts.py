"""The geometry of the dashboards' charts, in plain numbers, drawn as SVG by the templates
(like the trajectory chart): the distribution of stage worked at against age-grade, pace as
stacked bars, and stages mastered month by month. Colours come from CSS classes, so every
bar and bubble also carries its number (on it or in its title) and the table beside each
chart holds them all."""

from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt

from django.utils.translation import gettext as _

from proficio.reports.dashboard import PACE_KEYS, PACE_WORDS, Distribution, Month


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Bubble:
    x: float  # the cell's centre
    y: float
    r: float
    count: int
    title: str


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class GridChart:
    width: int
    height: int
    columns: list[Label]
    rows: list[Label]
    bubbles: list[Bubble]
    expected: list[Box]
    lines: list[Box]  # the grid's cells, drawn faint


GRID_LEFT, GRID_TOP, CELL_W, CELL_H, BUBBLE_MAX, BUBBLE_MIN = 118, 34, 56, 36, 16.0, 8.0


def distribution_chart(distribution: Distribution) -> GridChart:
    """A bubble per (age-grade, stage) cell with students, its area the number of students
    (never so small that its number does not fit), the stage expected at each age-grade
    outlined."""
    largest = max(distribution.largest, 1)
    columns = [
        Label(GRID_LEFT + CELL_W * (n + 0.5), GRID_TOP - 12, column.short)
        for n, column in enumerate(distribution.columns)
    ]
    rows, bubbles, expected, lines = [], [], [], []
    for r, row in enumerate(distribution.rows):
        top = GRID_TOP + CELL_H * r
        rows.append(Label(GRID_LEFT - 10, top + CELL_H / 2 + 4, row.label))
        for c, (column, count) in enumerate(zip(distribution.columns, row.counts, strict=True)):
            left = GRID_LEFT + CELL_W * c
            lines.append(Box(left, top, CELL_W, CELL_H))
            if column.key == row.expected:
                expected.append(Box(left + 2, top + 2, CELL_W - 4, CELL_H - 4))
            if count:
                bubbles.append(
                    Bubble(
                        x=left + CELL_W / 2,
                        y=top + CELL_H / 2,
                        r=round(max(BUBBLE_MAX * sqrt(count / largest), BUBBLE_MIN), 1),
                        count=count,
                        title=_("%(grade)s, %(where)s: %(count)s students")
                        % {"grade": row.label, "where": column.label, "count": count},
                    )
                )
    return GridChart(
        width=GRID_LEFT + CELL_W * len(distribution.columns) + 8,
        height=GRID_TOP + CELL_H * len(distribution.rows) + 8,
        columns=columns,
        rows=rows,
        bubbles=bubbles,
        expected=expected,
        lines=lines,
    )


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    key: str
    text: str  # the percentage drawn on it, when it is wide enough
    title: str


@dataclass(frozen=True)
class BarRow:
    y: float
    label: str
    title: str
    segments: list[Segment]
    note: str  # beside the bar (stalled students), or a reason it is not drawn


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    bar_width: int
    bar_height: int
    rows: list[BarRow]
    ticks: list[Label]


BAR_LEFT, BAR_WIDTH, BAR_HEIGHT, BAR_GAP, BAR_TOP = 96, 380, 20, 10, 22


def share_bars(
    rows: Sequence[tuple[str, str, dict[str, int] | None, str]],
    *,
    keys: Sequence[str] = PACE_KEYS,
) -> BarChart:
    """One 100% bar per row: (label, title, counts by key or None to leave it undrawn,
    note). Segments in `keys` order."""
    bars = []
    for n, (label, title, counts, note) in enumerate(rows):
        y = BAR_TOP + n * (BAR_HEIGHT + BAR_GAP)
        segments = []
        total = sum(counts.values()) if counts else 0
        x = float(BAR_LEFT)
        for key in keys if total else ():
            width = BAR_WIDTH * counts[key] / total
            if width <= 0:
                continue
            percent = round(100 * counts[key] / total)
            segments.append(
                Segment(
                    x=round(x, 1),
                    width=round(width, 1),
                    key=key,
                    text=f"{percent}%" if width >= 30 else "",
                    title=_("%(what)s: %(count)s (%(percent)s%%)")
                    % {"what": PACE_WORDS[key], "count": counts[key], "percent": percent},
                )
            )
            x += width
        bars.append(BarRow(y, label, title, segments, note))
    return BarChart(
        width=BAR_LEFT + BAR_WIDTH + 150,
        height=BAR_TOP + len(rows) * (BAR_HEIGHT + BAR_GAP) + 4,
        left=BAR_LEFT,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
        rows=bars,
        ticks=[Label(BAR_LEFT + BAR_WIDTH * p / 100, 14, f"{p}%") for p in (0, 25, 50, 75, 100)],
    )


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline: float
    left: int
    columns: list[Column]


COL_LEFT, COL_TOP, COL_HEIGHT, COL_STEP, COL_WIDTH = 12, 22, 150, 64, 44


def month_chart(months: Sequence[Month]) -> ColumnChart:
    """A column per month of the school year, its height the stages first shown at mastery
    that month."""
    largest = max((month.stages for month in months), default=0) or 1
    baseline = COL_TOP + COL_HEIGHT
    columns = []
    for n, month in enumerate(months):
        height = round(COL_HEIGHT * month.stages / largest, 1)
        columns.append(
            Column(
                x=COL_LEFT + n * COL_STEP,
                y=round(baseline - height, 1),
                width=COL_WIDTH,
                height=height,
                value=month.stages,
                label=month.short,
            )
        )
    return ColumnChart(
        width=COL_LEFT * 2 + max(len(months), 1) * COL_STEP,
        height=baseline + 34,
        baseline=baseline,
        left=COL_LEFT,
        columns=columns,
    )
