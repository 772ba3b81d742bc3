"""The geometry of a trajectory chart (stage reached against date, with each rating as a
point), in plain numbers: the page draws it as SVG, the PDF with ReportLab."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from proficio.reports.trajectories import Trajectory

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30


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


def trajectory_chart(
    trajectory: Trajectory, *, start: date, until: date, colours: dict, labels: dict
) -> Chart:
    """The chart from `start` to `until`; `colours` and `labels` by level value."""
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
    months = []
    day = first.replace(day=1)
    while day <= until:
        if day >= first:
            months.append(Tick(x(day), date_format(day, "M")))
        day = (day + timedelta(days=32)).replace(day=1)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        line=line,
        ratings=ratings,
        stage_ticks=[Tick(y(n), str(n)) for n in range(stages + 1)],
        date_ticks=months,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
    )
