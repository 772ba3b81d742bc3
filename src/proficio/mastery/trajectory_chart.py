"""The geometry of a trajectory chart (stage reached against date, with each rating as a
point in its level's colour), in plain numbers: the pages draw it as SVG
(`mastery/_trajectory_chart.html`), the progress report's PDF with ReportLab."""

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from proficio.mastery.presenters import levels_of
from proficio.mastery.selectors.trajectories import Trajectory

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30
# Past this many months the axis names every second (third…) month, and each January by its
# year, so the labels never run into each other.
MONTH_TICKS = 12


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    colour: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    # The stage reached over time, as a stepped line ("x,y x,y …").
    line: list[tuple[float, float]]
    ratings: list[Point]
    stage_ticks: list[Tick]
    date_ticks: list[Tick]
    left: int
    right: int
    top: int
    bottom: int

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.line)


def trajectory_chart(trajectory: Trajectory, *, start: date, until: date) -> Chart:
    """The chart from `start` (or the first day the trajectory has, if earlier) to `until`,
    each rating in the colour and with the label of its level on the competency's scale."""
    levels = levels_of(trajectory.competency)
    colours = {level.value: level.colour for level in levels}
    labels = {level.value: level.label for level in levels}
    stages = max(trajectory.stage_count, 1)
    first = min([start, *(step.day for step in trajectory.steps)])
    span = max((until - first).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span, 1)

    def y(stage: float) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * stage / stages, 1)

    line: list[tuple[float, float]] = [(x(first), y(0))]
    for step in trajectory.steps:
        line += [(x(step.day), line[-1][1]), (x(step.day), y(step.reached))]
    line.append((x(until), line[-1][1]))
    ratings = [
        Point(
            x=x(timezone.localdate(rating.observed_at)),
            y=y(rating.stage.ordinal - 0.5),
            label=_("%(day)s: %(level)s, stage %(stage)s")
            % {
                "day": date_format(timezone.localdate(rating.observed_at), "j M"),
                "level": labels.get(rating.level, rating.level.normalize()),
                "stage": rating.stage.ordinal,
            },
            colour=colours.get(rating.level, "#4d5968"),
        )
        for rating in trajectory.ratings
        if first <= timezone.localdate(rating.observed_at) <= until
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        line=line,
        ratings=ratings,
        stage_ticks=[Tick(y(n), str(n)) for n in range(stages + 1)],
        date_ticks=[Tick(x(day), label) for day, label in _months(first, until)],
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
    )


def _months(first: date, until: date) -> list[tuple[date, str]]:
    """The first days of the months from `first` to `until` worth a label, with it."""
    months = []
    day = first.replace(day=1)
    while day <= until:
        if day >= first:
            months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    if len(months) <= MONTH_TICKS:
        return [(day, date_format(day, "M")) for day in months]
    # A divisor of twelve, so that every January keeps its label.
    every = next(
        (n for n in (2, 3, 4, 6, 12) if len(months) <= n * MONTH_TICKS),
        12 * ceil(len(months) / (12 * MONTH_TICKS)),
    )
    return [
        (day, date_format(day, "Y" if day.month == 1 else "M"))
        for day in months
        if (day.year * 12 + day.month - 1) % every == 0
    ]
