"""The implementation dashboard's charts as plain geometry, drawn as SVG by its template
(like the trajectory chart): ratings per week stacked by kind, one small chart per teacher on a
shared scale, and calibration agreement over time. The numbers behind each are in the table
beside it."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from proficio.reports.implementation_dashboard import (
    KIND_LABELS,
    KINDS,
    Dashboard,
    SessionPoint,
    TeacherWeeks,
    WeekKinds,
)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: list[Bar]
    value_ticks: list[Tick]
    week_ticks: list[Tick]

    @property
    def bars_svg(self) -> SafeString:
        """The bars as SVG elements, each with its numbers in words: written here rather than
        in a template loop, which takes a tenth of a second for a school's hundred teachers."""
        # Every value is a number, a known kind or escaped.
        return mark_safe(
            "".join(
                f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
                f'class="impl-bar impl-bar--{bar.kind}"><title>{escape(bar.label)}</title></rect>'
                for bar in self.bars
            )
        )


def nice_top(value: int) -> int:
    """A round number at or above `value` for an axis: 1, 2, 5, 10, 20, 50 …"""
    if value <= 0:
        return 1
    power = 10 ** max(0, int(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


@dataclass(frozen=True)
class Words:
    """What every bar's words share, translated and formatted once for all the charts."""

    sentence: str
    days: list[str]
    kinds: dict[str, str]

    @classmethod
    def of(cls, days: Sequence[date]) -> "Words":
        return cls(
            _("%(who)sweek of %(day)s: %(count)d %(kind)s"),
            [date_format(day, "j M") for day in days],
            {kind: str(KIND_LABELS[kind]).lower() for kind in KINDS},
        )


def _stacked(
    weeks: Sequence[dict[str, int]],
    days: Sequence[date],
    *,
    width: int,
    height: int,
    margins: tuple[int, int, int, int],
    top_value: int,
    ticks: bool,
    who: str = "",
    words: "Words | None" = None,
) -> BarChart:
    words = words or Words.of(days)
    left, right, top, bottom = margins
    plot_width = width - left - right
    plot_height = height - top - bottom
    slot = plot_width / max(len(weeks), 1)
    bar_width = round(max(slot * 0.72, 1.5), 1)
    base = height - bottom
    bars: list[Bar] = []
    for n, kinds in enumerate(weeks):
        x = round(left + n * slot + (slot - bar_width) / 2, 1)
        stacked = 0
        for kind in KINDS:
            count = kinds.get(kind, 0)
            if not count:
                continue
            y0 = base - plot_height * stacked / top_value
            stacked += count
            y1 = base - plot_height * stacked / top_value
            label = words.sentence % {
                "who": f"{who}, " if who else "",
                "day": words.days[n],
                "count": count,
                "kind": words.kinds[kind],
            }
            bars.append(Bar(x, round(y1, 1), bar_width, round(y0 - y1, 1), kind, label))
    value_ticks, week_ticks = [], []
    if ticks:
        value_ticks = [
            Tick(round(base - plot_height * value / top_value, 1), str(value))
            for value in (0, top_value // 2, top_value)
        ]
        every = max(1, math.ceil(len(days) / 8))
        week_ticks = [
            Tick(round(left + n * slot + slot / 2, 1), words.days[n])
            for n in range(len(days))
            if n % every == 0
        ]
    return BarChart(width, height, left, width - right, top, base, bars, value_ticks, week_ticks)


def weeks_chart(by_week: Sequence[WeekKinds]) -> BarChart:
    """The scope's ratings per week, stacked by kind."""
    top_value = nice_top(max((week.total for week in by_week), default=0))
    return _stacked(
        [week.kinds for week in by_week],
        [week.week for week in by_week],
        width=640,
        height=220,
        margins=(44, 12, 14, 30),
        top_value=top_value,
        ticks=True,
    )


@dataclass(frozen=True)
class Multiple:
    teacher: TeacherWeeks
    chart: BarChart


def teacher_multiples(teachers: Sequence[TeacherWeeks], days: Sequence[date]) -> list[Multiple]:
    """A small chart per teacher, every one on the same scale so they compare at a glance."""
    top_value = nice_top(max((max(t.weeks, default=0) for t in teachers), default=0))
    words = Words.of(days)
    return [
        Multiple(
            teacher,
            _stacked(
                teacher.by_week,
                days,
                width=200,
                height=56,
                margins=(2, 2, 4, 4),
                top_value=top_value,
                ticks=False,
                who=teacher.name,
                words=words,
            ),
        )
        for teacher in teachers
    ]


@dataclass(frozen=True)
class AgreementPoint:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class AgreementChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    alpha: list[AgreementPoint]
    exact: list[AgreementPoint]
    value_ticks: list[Tick]
    date_ticks: list[Tick]
    reliable: float
    tentative: float

    @staticmethod
    def _line(points: list[AgreementPoint]) -> str:
        return " ".join(f"{p.x},{p.y}" for p in points)

    @property
    def alpha_line(self) -> str:
        return self._line(self.alpha)

    @property
    def exact_line(self) -> str:
        return self._line(self.exact)


def agreement_chart(sessions: Sequence[SessionPoint], since: date, end: date) -> AgreementChart:
    """α and exact agreement of each session on the day it was revealed, on a scale from the
    lowest α (0 at most) to 1, with α's conventional lines at 0.667 and 0.8."""
    width, height = 640, 200
    left, right, top, bottom = 44, 12, 12, 30
    alphas = [s.alpha for s in sessions if s.alpha is not None]
    low = min(0.0, math.floor(min(alphas, default=0.0) * 5) / 5)
    span_days = max((end - since).days, 1)

    def x(day: date) -> float:
        return round(left + (width - left - right) * (day - since).days / span_days, 1)

    def y(value: float) -> float:
        return round(height - bottom - (height - top - bottom) * (value - low) / (1 - low), 1)

    alpha = [
        AgreementPoint(
            x(s.day),
            y(s.alpha),
            _("%(title)s, %(day)s: α %(alpha).2f")
            % {
                "title": s.title,
                "day": date_format(s.day, "j M"),
                "alpha": s.alpha,
            },
        )
        for s in sessions
        if s.alpha is not None
    ]
    exact = [
        AgreementPoint(
            x(s.day),
            y(s.exact),
            _("%(title)s, %(day)s: %(percent)d%% exact agreement")
            % {
                "title": s.title,
                "day": date_format(s.day, "j M"),
                "percent": round(100 * s.exact),
            },
        )
        for s in sessions
        if s.exact is not None
    ]
    steps = [low + (1 - low) * n / 4 for n in range(5)]
    months = []
    day = since.replace(day=1)
    while day < end:
        if day >= since:
            months.append(Tick(x(day), date_format(day, "M")))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return AgreementChart(
        width=width,
        height=height,
        left=left,
        right=width - right,
        top=top,
        bottom=height - bottom,
        alpha=alpha,
        exact=exact,
        value_ticks=[Tick(y(v), f"{v:.2g}") for v in steps],
        date_ticks=months,
        reliable=y(0.8),
        tentative=y(0.667),
    )


@dataclass(frozen=True)
class Charts:
    weeks: BarChart
    teachers: list[Multiple]
    agreement: AgreementChart


def charts_of(dashboard: Dashboard) -> Charts:
    period = dashboard.period
    return Charts(
        weeks=weeks_chart(dashboard.by_week),
        teachers=teacher_multiples(dashboard.teachers, period.weeks),
        agreement=agreement_chart(dashboard.sessions, period.since, period.end),
    )
