"""The implementation dashboard (issue 16, item 3): how a school, or the district, is putting
competency-based education into practice, week by week — beside the implementation plan
(reports.design), which counts what has been built.

- **Evidence per teacher per week**: the ratings given to the scope's students on the
  district's competencies, by who gave them and the week the work was observed, each week
  Monday to Sunday in the site's time. Each rating counts once, as it was given: a correction
  or a withdrawal replaces a rating, it is not another one. Students' self-assessments are
  not a teacher's evidence and are left out. Every teacher of the scope has a row, those with
  no rating too; a teacher of another school of the district who rated the scope's students
  has one, and anyone else who did (an admin, an import) is counted under "others".
- **Performance tasks or quick ratings**: the same ratings by kind of evidence — reviews of
  performance tasks; observations and conversations (quick ratings); standardized and
  external results.
- **Calibration agreement over time**: each calibration session revealed in the period that
  the reader may open (of the school, or of the whole district), with its agreement
  (calibration.api.session_agreement_for: Krippendorff's α, exact and adjacent agreement).
- **The pilot**: the two competencies the implementation plan names as the pilot (those with
  the most evidence: `design.plan`'s read, not repeated here) and their coverage in the
  period: how many of the scope's students were rated on them, by how many teachers, on how
  many of their stages.

Everything is aggregated in the database over a date range (twelve weeks by default): one
grouped query for the ratings (by teacher and kind, a count per week), one for the pilot's
coverage, each filtered on the scope's students, the district's competencies and
`observed_at` — the three columns of the evidence index (student, competency, observed_at).
The number of queries does not grow with the number of students, teachers or ratings; only
calibration sessions add a few each.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proficio.calibration.api import session_agreement_for, sessions_of
from proficio.evidence.api import EvidenceSource, ratings_given
from proficio.frameworks.api import district_competencies, district_stages
from proficio.lib.errors import NotVisible
from proficio.people.api import (
    District,
    Person,
    School,
    district_admin_of,
    school_students,
    schools_administered_by,
    students_administered_by,
    teachers_by_school,
    teachers_of_district,
)
from proficio.reports import design

DEFAULT_WEEKS = 12
# How long the plan's pilot is kept (plan_pilot).
PILOT_SECONDS = 15 * 60
WEEK_CHOICES = (4, 8, 12, 26, 52)

# The kinds of evidence the dashboard tells apart, in the order the charts stack them.
TASKS, QUICK, OTHER = "tasks", "quick", "other"
KINDS = (TASKS, QUICK, OTHER)
KIND_LABELS = {
    TASKS: gettext_lazy("Performance tasks"),
    QUICK: gettext_lazy("Quick ratings"),
    OTHER: gettext_lazy("Standardized and external"),
}
# As a narrow table's headers say them.
KIND_SHORT = {
    TASKS: gettext_lazy("Tasks"),
    QUICK: gettext_lazy("Quick"),
    OTHER: gettext_lazy("Other"),
}
KIND_OF_SOURCE = {
    EvidenceSource.TASK: TASKS,
    EvidenceSource.OBSERVATION: QUICK,
    EvidenceSource.CONFERENCE: QUICK,
    EvidenceSource.STANDARDIZED: OTHER,
    EvidenceSource.EXTERNAL: OTHER,
}


# ---- who reads it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardViewer:
    """An admin, the schools they administer, and the one chosen (None: the district)."""

    person: Person
    district: District
    schools: list[School]
    school: School | None
    district_admin: bool

    @property
    def scope_name(self) -> str:
        return self.school.name if self.school else self.district.name


def dashboard_viewer(user: Person, school_id: str | None = None) -> DashboardViewer:
    """School admins read their school's dashboard, district admins the district's or any of
    its schools'. NotVisible for anyone else, or a school they do not administer."""
    if user.district_id is None:
        raise NotVisible("The implementation dashboard is for a district's admins.")
    district = user.district
    schools = list(
        schools_administered_by(user).filter(district_id=district.pk).order_by("name", "pk")
    )
    district_admin = district_admin_of(user, district)
    if not district_admin and not schools:
        raise NotVisible("The implementation dashboard is for a district's admins.")
    school = None if district_admin else schools[0]
    if school_id:
        school = next((s for s in schools if str(s.uuid) == school_id), None)
        if school is None:
            raise NotVisible(f"No school {school_id}.")
    return DashboardViewer(user, district, schools, school, district_admin)


def scope_students(viewer: DashboardViewer) -> QuerySet[Person]:
    """The students the dashboard counts: the school's, or every student the district admin
    administers."""
    if viewer.school is not None:
        return school_students(user=viewer.person, school=viewer.school)
    return students_administered_by(viewer.person).filter(is_active=True)


# ---- the period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole weeks, Monday to Sunday, the last of them holding `until`."""

    weeks: list[date]  # each week's Monday
    until: date

    @property
    def since(self) -> date:
        return self.weeks[0]

    @property
    def end(self) -> date:
        """The day after the last week: the period is [since, end)."""
        return self.weeks[-1] + timedelta(days=7)

    def bounds(self) -> list[datetime]:
        """Each week's first moment in the site's time, and the end of the last."""
        zone = timezone.get_current_timezone()
        return [datetime.combine(day, time.min, tzinfo=zone) for day in [*self.weeks, self.end]]


def period_of(*, until: date | None = None, weeks: int = DEFAULT_WEEKS) -> Period:
    until = until or timezone.localdate()
    last = until - timedelta(days=until.weekday())
    return Period([last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)], until)


# ---- the dashboard -----------------------------------------------------------------------------


@dataclass
class TeacherWeeks:
    """One assessor's ratings in the period: per week, by kind."""

    key: str
    name: str
    note: str
    by_week: list[dict[str, int]]

    @property
    def weeks(self) -> list[int]:
        return [sum(kinds.values()) for kinds in self.by_week]

    @property
    def kinds(self) -> dict[str, int]:
        return {kind: sum(week[kind] for week in self.by_week) for kind in KINDS}

    @property
    def total(self) -> int:
        return sum(self.weeks)

    @property
    def active_weeks(self) -> int:
        return sum(1 for count in self.weeks if count)

    @property
    def task_share(self) -> int | None:
        total = self.total
        return round(100 * self.kinds[TASKS] / total) if total else None


@dataclass(frozen=True)
class WeekKinds:
    week: date
    kinds: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    @property
    def task_share(self) -> int | None:
        return round(100 * self.kinds[TASKS] / self.total) if self.total else None


@dataclass(frozen=True)
class SessionPoint:
    """One calibration session's agreement, on the day it was revealed."""

    title: str
    day: date
    where: str
    raters: int
    pieces: int
    alpha: float | None
    exact: float | None
    adjacent: float | None
    reading: str


@dataclass(frozen=True)
class PilotCoverage:
    code: str
    title: str
    # All time, in the district: why the plan names it the pilot.
    evidence: int
    from_tasks: int
    # In the period, of the scope's students.
    ratings: int
    task_ratings: int
    students_rated: int
    students: int
    teachers_rating: int
    stages_rated: int
    stages: int

    @property
    def student_share(self) -> int:
        return round(100 * self.students_rated / self.students) if self.students else 0

    @property
    def stage_share(self) -> int:
        return round(100 * self.stages_rated / self.stages) if self.stages else 0


@dataclass(frozen=True)
class Dashboard:
    viewer: DashboardViewer
    period: Period
    teachers: list[TeacherWeeks]
    by_week: list[WeekKinds]
    sessions: list[SessionPoint]
    pilot: list[PilotCoverage]
    students: int

    @property
    def kinds(self) -> dict[str, int]:
        return {kind: sum(week.kinds[kind] for week in self.by_week) for kind in KINDS}

    @property
    def total(self) -> int:
        return sum(week.total for week in self.by_week)

    @property
    def task_share(self) -> int | None:
        return round(100 * self.kinds[TASKS] / self.total) if self.total else None

    @property
    def teachers_rating(self) -> int:
        return sum(1 for row in self.teachers if row.total and row.key.startswith("t"))

    @property
    def teacher_count(self) -> int:
        return sum(1 for row in self.teachers if row.key.startswith("t"))


def _rated(viewer: DashboardViewer, students: QuerySet[Person], period: Period) -> QuerySet:
    """The ratings given to these students on the district's competencies, observed in the
    period, self-assessments left out. Filtered on the three columns of the evidence index
    (student, competency, observed_at), so the database seeks each student's ratings of the
    period instead of reading all of them."""
    bounds = period.bounds()
    return (
        ratings_given()
        .filter(
            student_id__in=students.values("pk"),
            competency_id__in=district_competencies(viewer.district.pk).values("pk"),
            observed_at__gte=bounds[0],
            observed_at__lt=bounds[-1],
        )
        .exclude(source=EvidenceSource.SELF)
        .order_by()
    )


def week_of(bounds: Sequence[datetime], field: str = "observed_at", first: int = 0) -> Case:
    """The week a moment falls in, as its number from 0, for a moment within `bounds` (each
    week's first moment, then the end of the last): a CASE that halves the weeks at each
    step, so a rating is placed with a handful of comparisons however many weeks there are,
    exactly on the site's midnights whatever the time zone's changes of hour."""
    if len(bounds) <= 2:
        return Value(first)
    middle = len(bounds) // 2
    return Case(
        When(**{f"{field}__lt": bounds[middle]}, then=week_of(bounds[: middle + 1], field, first)),
        default=week_of(bounds[middle:], field, first + middle),
    )


def _teacher_weeks(
    viewer: DashboardViewer, students: QuerySet[Person], period: Period
) -> tuple[list[TeacherWeeks], list[WeekKinds]]:
    """One grouped query: a count per assessor, source and week."""
    # Grouped on expressions, not the bare column: SQLite would otherwise walk the whole
    # table in assessor order (the assessor index) to spare itself a sort.
    rows = (
        _rated(viewer, students, period)
        .values("source", rater=Coalesce("assessor_id", 0), week=week_of(period.bounds()))
        .annotate(n=Count("pk"))
        .values_list("rater", "source", "week", "n")
    )
    district_teachers = {t.pk: t for t in teachers_of_district(district_id=viewer.district.pk)}
    if viewer.school is not None:
        own = set(teachers_by_school(district_id=viewer.district.pk).get(viewer.school.pk, []))
    else:
        own = set(district_teachers)
    weeks = len(period.weeks)

    def empty() -> list[dict[str, int]]:
        return [dict.fromkeys(KINDS, 0) for _ in range(weeks)]

    def teacher_row(person: Person, note: str = "") -> TeacherWeeks:
        return TeacherWeeks(f"t{person.pk}", person.display_name, note, empty())

    found: dict[int | None, TeacherWeeks] = {
        pk: teacher_row(district_teachers[pk]) for pk in own if pk in district_teachers
    }
    others = TeacherWeeks("others", _("Others (admins, imports)"), "", empty())
    by_week = [WeekKinds(day, dict.fromkeys(KINDS, 0)) for day in period.weeks]
    for assessor, source, week, count in rows:
        if assessor not in found:
            if assessor in district_teachers:
                found[assessor] = teacher_row(district_teachers[assessor], _("another school"))
            else:
                found[assessor] = others
        kind = KIND_OF_SOURCE.get(source, OTHER)
        found[assessor].by_week[week][kind] += count
        by_week[week].kinds[kind] += count
    teachers = sorted(
        {id(row): row for row in found.values() if row is not others}.values(),
        key=lambda row: (-row.total, row.name),
    )
    if others.total:
        teachers.append(others)
    return teachers, by_week


def _sessions(viewer: DashboardViewer, period: Period) -> list[SessionPoint]:
    """The sessions revealed in the period that the viewer may open: the school's and the
    district's own (of no school), or, for the district, every one. A few queries each."""
    bounds = period.bounds()
    sessions = sessions_of(user=viewer.person).filter(
        district_id=viewer.district.pk,
        revealed_at__gte=bounds[0],
        revealed_at__lt=bounds[-1],
    )
    if viewer.school is not None:
        sessions = sessions.filter(Q(school=viewer.school) | Q(school__isnull=True))
    points = []
    for session in sessions.order_by("revealed_at", "pk"):
        agreement = session_agreement_for(user=viewer.person, session=session)
        points.append(
            SessionPoint(
                title=session.title,
                day=timezone.localdate(session.revealed_at),
                where=session.school.name if session.school else _("District"),
                raters=len(agreement.raters),
                pieces=len(agreement.pieces),
                alpha=agreement.alpha,
                exact=agreement.exact,
                adjacent=agreement.adjacent,
                reading=agreement.reading,
            )
        )
    return points


def plan_pilot(viewer: DashboardViewer) -> list[design.PilotCompetency]:
    """The implementation plan's pilot (`design.plan`): its read, kept for a quarter of an
    hour per district. The plan counts every rating the district has ever given, which takes
    seconds on a district of millions; the pilot it names changes over months."""
    key = f"proficio:reports:pilot:{viewer.district.pk}"
    named = cache.get(key)
    if named is None:
        named = design.plan(design.viewer_of(viewer.person), decided=[]).pilot
        cache.set(key, named, PILOT_SECONDS)
    return named


def _pilot(
    viewer: DashboardViewer, students: QuerySet[Person], student_count: int, period: Period
) -> list[PilotCoverage]:
    """The plan's pilot competencies and their coverage in the period."""
    named = plan_pilot(viewer)
    if not named:
        return []
    # The plan names its pilot by code and title; read them back in the district.
    wanted = {(p.code, p.title) for p in named}
    competencies = {
        (c.code, c.title): c.pk
        for c in district_competencies(viewer.district.pk).filter(
            code__in=[code for code, _title in wanted]
        )
        if (c.code, c.title) in wanted
    }
    ids = list(competencies.values())
    stages = dict(
        district_stages(viewer.district.pk)
        .filter(competency_id__in=ids, retired=False)
        .order_by()
        .values("competency_id")
        .annotate(n=Count("pk"))
        .values_list("competency_id", "n")
    )
    coverage = {
        row["competency_id"]: row
        for row in _rated(viewer, students, period)
        .filter(competency_id__in=ids)
        .values("competency_id")
        .annotate(
            ratings=Count("pk"),
            tasks=Count("pk", filter=Q(source=EvidenceSource.TASK)),
            students=Count("student_id", distinct=True),
            teachers=Count("assessor_id", distinct=True),
            stages=Count("stage_id", distinct=True),
        )
    }
    found = []
    for pilot in named:
        pk = competencies.get((pilot.code, pilot.title))
        row = coverage.get(pk, {})
        found.append(
            PilotCoverage(
                code=pilot.code,
                title=pilot.title,
                evidence=pilot.evidence,
                from_tasks=pilot.from_tasks,
                ratings=row.get("ratings", 0),
                task_ratings=row.get("tasks", 0),
                students_rated=row.get("students", 0),
                students=student_count,
                teachers_rating=row.get("teachers", 0),
                stages_rated=row.get("stages", 0),
                stages=stages.get(pk, 0),
            )
        )
    return found


def dashboard_of(viewer: DashboardViewer, period: Period) -> Dashboard:
    students = scope_students(viewer)
    student_count = students.count()
    teachers, by_week = _teacher_weeks(viewer, students, period)
    return Dashboard(
        viewer=viewer,
        period=period,
        teachers=teachers,
        by_week=by_week,
        sessions=_sessions(viewer, period),
        pilot=_pilot(viewer, students, student_count, period),
        students=student_count,
    )


# ---- the tables, as the page shows them and the downloads give them ---------------------------


def week_label(day: date) -> str:
    return day.isoformat()


def weeks_table(dashboard: Dashboard) -> tuple[list[str], list[list]]:
    headers = [
        _("Week of"),
        *(str(KIND_SHORT[kind]) for kind in KINDS),
        _("All"),
        _("Tasks (%)"),
    ]
    rows = [
        [week.week, *(week.kinds[kind] for kind in KINDS), week.total, week.task_share]
        for week in dashboard.by_week
    ]
    return headers, rows


def teachers_table(dashboard: Dashboard) -> tuple[list[str], list[list]]:
    headers = [
        _("Teacher"),
        *(week_label(day) for day in dashboard.period.weeks),
        _("All ratings"),
        *(str(KIND_SHORT[kind]) for kind in KINDS),
        _("Weeks with ratings"),
    ]
    rows = [
        [
            f"{row.name} ({row.note})" if row.note else row.name,
            *row.weeks,
            row.total,
            *(row.kinds[kind] for kind in KINDS),
            row.active_weeks,
        ]
        for row in dashboard.teachers
    ]
    return headers, rows


def sessions_table(dashboard: Dashboard) -> tuple[list[str], list[list]]:
    headers = [
        _("Revealed on"),
        _("Session"),
        _("Of"),
        _("Raters"),
        _("Pieces"),
        _("Krippendorff's α"),
        _("Exact agreement (%)"),
        _("Adjacent agreement (%)"),
        _("Reading"),
    ]

    def percent(value: float | None) -> int | None:
        return None if value is None else round(100 * value)

    rows = [
        [
            point.day,
            point.title,
            point.where,
            point.raters,
            point.pieces,
            None if point.alpha is None else round(point.alpha, 2),
            percent(point.exact),
            percent(point.adjacent),
            point.reading,
        ]
        for point in dashboard.sessions
    ]
    return headers, rows


def pilot_table(dashboard: Dashboard) -> tuple[list[str], list[list]]:
    headers = [
        _("Competency"),
        _("Ratings in the period"),
        _("From performance tasks"),
        _("Students rated"),
        _("Students"),
        _("Students rated (%)"),
        _("Teachers rating"),
        _("Stages rated"),
        _("Stages"),
        _("Ratings, all time (district)"),
    ]
    rows = [
        [
            f"{p.code} {p.title}",
            p.ratings,
            p.task_ratings,
            p.students_rated,
            p.students,
            p.student_share,
            p.teachers_rating,
            p.stages_rated,
            p.stages,
            p.evidence,
        ]
        for p in dashboard.pilot
    ]
    return headers, rows


TABLES = {
    "weeks": (gettext_lazy("Evidence per week"), weeks_table),
    "teachers": (gettext_lazy("Evidence per teacher per week"), teachers_table),
    "calibration": (gettext_lazy("Calibration agreement"), sessions_table),
    "pilot": (gettext_lazy("Pilot coverage"), pilot_table),
}


def table_of(dashboard: Dashboard, key: str) -> tuple[str, list[str], Sequence[Sequence]]:
    title, build = TABLES[key]
    headers, rows = build(dashboard)
    return f"{title} {dashboard.viewer.scope_name}", headers, rows
