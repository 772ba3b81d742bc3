"""The school dashboard (issue 16, item 3): for a school's admins (their school) and a
district's (any school of theirs, or the district as a whole), where students work against
their age-grade, how many are ahead, on pace, behind or stalled, which stalled students have
a support, and how many stages were mastered month by month over the school year.

Everything is counted in SQL over what mastery stores — working stages with their pace
facts, mastery records — never by looping over students in Python: the counts come grouped
(competency × age-grade × stage worked at, a few hundred rows for a district), and only
those groups are classified here. Stalled pairs come from the stored stall spans
(`mastery.api.stalled_pairs`). A scope's counts are kept in the cache for
`SUMMARY_SECONDS` and shared by its admins, so moving between competencies, pages of the
list and the exports reads them once; the page says when they were counted (ADR 0041).
What is stored is what the gradebook shows; a policy change shows once its recompute has
run.

**Expected stage** (the same rule as pace, ADR 0006): a student is expected to work at the
first stage whose typical grade is at or above their age-grade; a grade past the last
stage's expects every stage mastered. A student is *placed* on a competency when their
ratings establish the stage they work at (a stage mastered, or that stage rated); a student
with no rating, or rated only above the stage stored, is "not placed yet", and their pace is
not known — shown as such, never as a verdict.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proficio.engine.pace import AHEAD, BEHIND, ON_PACE, StageGrade, classify, expected_stage
from proficio.frameworks.api import (
    Competency,
    competency_list_visible_to,
    stages_and_scales_prefetch,
)
from proficio.lib.errors import NotVisible
from proficio.mastery.api import (
    StageCount,
    expectation_for,
    stages_first_mastered_by_month,
    stalled_pairs,
    working_stage_counts,
)
from proficio.pathways.api import supported_competencies, supports_now
from proficio.people.api import (
    District,
    Person,
    School,
    district_admin_of,
    school_year_start,
    schools_administered_by,
    students_administered_in,
    students_counted,
)

UNPLACED = "unplaced"
COMPLETED = "completed"
UNKNOWN = "unknown"
STALLED_PAGE_SIZE = 50
PACE_KEYS = (AHEAD, ON_PACE, BEHIND, UNKNOWN)
PACE_WORDS = {
    AHEAD: gettext_lazy("Ahead"),
    ON_PACE: gettext_lazy("On pace"),
    BEHIND: gettext_lazy("Behind"),
    UNKNOWN: gettext_lazy("Not known yet"),
}


# ---- whose dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Who reads the dashboard and of what: the district, the schools they may choose
    between, the one chosen (None: the district as a whole, for its admins)."""

    person: Person
    district: District
    schools: list[School]
    school: School | None
    district_admin: bool

    @property
    def name(self) -> str:
        return self.school.name if self.school is not None else self.district.name

    @property
    def may_choose(self) -> bool:
        return self.district_admin or len(self.schools) > 1

    def students(self) -> QuerySet[Person]:
        """The scope's active students, as the person administers them."""
        return students_administered_in(
            user=self.person, district=self.district, school=self.school
        )


def dashboard_scope(user: Person, school_id: str | None = None) -> DashboardScope:
    """The admin's dashboard: a school admin's first school (or the one chosen of theirs), a
    district admin's district as a whole (or the school chosen). NotVisible for anyone
    else, and for a school that is not theirs."""
    district = user.district if getattr(user, "district_id", None) else None
    if district is None:
        raise NotVisible("The school dashboard is for a school's or a district's admins.")
    district_admin = district_admin_of(user, district)
    schools = list(schools_administered_by(user).filter(district=district))
    if not district_admin and not schools:
        raise NotVisible("The school dashboard is for a school's or a district's admins.")
    school = None if district_admin else schools[0]
    if school_id:
        school = next((s for s in schools if str(s.uuid) == school_id), None)
        if school is None:
            raise NotVisible(f"No school {school_id}.")
    return DashboardScope(user, district, schools, school, district_admin)


def scope_competencies(scope: DashboardScope) -> list[Competency]:
    """The district's competencies, in order, with their stages read."""
    competencies = list(competency_list_visible_to(scope.person))
    stages_and_scales_prefetch(competencies)
    return competencies


def tolerance_groups(scope: DashboardScope) -> list[tuple[QuerySet[Person], int]]:
    """The scope's students in groups that share a pace expectation — how many stages below
    the expected one still count as on pace (`PaceExpectation.stages_below_on_pace`): one
    group, unless the district's schools differ, then one per school."""
    if scope.school is not None:
        expectation = expectation_for(district_id=scope.district.pk, school_id=scope.school.pk)
        return [(scope.students(), expectation.stages_below_on_pace)]
    tolerance = {
        school.pk: expectation_for(
            district_id=scope.district.pk, school_id=school.pk
        ).stages_below_on_pace
        for school in scope.schools
    }
    district = expectation_for(district_id=scope.district.pk, school_id=None)
    if set(tolerance.values()) <= {district.stages_below_on_pace}:
        return [(scope.students(), district.stages_below_on_pace)]
    return [
        (
            students_administered_in(user=scope.person, district=scope.district, school=school),
            tolerance[school.pk],
        )
        for school in scope.schools
    ]


# ---- classifying grouped counts --------------------------------------------------------------


def stage_grades(competency: Competency) -> list[StageGrade]:
    return [StageGrade(stage.ordinal, stage.typical_grade) for stage in competency.stages.all()]


def standing_of(
    competency: Competency, grades: list[StageGrade], count: StageCount, age_grade, tolerance
) -> str:
    """Ahead, on pace, behind, or UNKNOWN, for the students of one grouped count."""
    if not count.placed:
        return UNKNOWN
    status = classify(
        stages=grades,
        age_grade=age_grade,
        working_stage=count.ordinal,
        completed=count.ordinal is None,
        tolerance=tolerance,
    ).status
    return status or UNKNOWN


# ---- the distribution: stage worked at against age-grade -------------------------------------


@dataclass(frozen=True)
class Column:
    key: object  # UNPLACED, a stage ordinal, or COMPLETED
    label: str
    short: str


@dataclass(frozen=True)
class GradeRow:
    grade: int | None
    label: str
    counts: list[int]  # by column
    expected: object  # the column key of the stage expected at this grade, or None

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Distribution:
    competency: Competency
    columns: list[Column]
    rows: list[GradeRow]

    @property
    def largest(self) -> int:
        return max((n for row in self.rows for n in row.counts), default=0)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    def column_totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.columns))]

    @property
    def grid(self) -> list[tuple[GradeRow, list[tuple[int, bool]]]]:
        """Each row with its cells: (students, whether the stage expected at that grade)."""
        return [
            (
                row,
                [
                    (count, column.key == row.expected)
                    for column, count in zip(self.columns, row.counts, strict=True)
                ],
            )
            for row in self.rows
        ]


def grade_label(grade: int | None) -> str:
    if grade is None:
        return _("No age-grade")
    if grade == 0:
        return _("Kindergarten")
    if grade < 0:
        return _("Pre-kindergarten")
    return _("Grade %(grade)s") % {"grade": grade}


def distribution_of(
    competency: Competency, counts: list[StageCount], students_by_grade: dict
) -> Distribution:
    """Students of each age-grade by the stage they work at on `competency`: not placed yet
    (no rating, or ratings that do not place them), each stage, every stage mastered."""
    stages = list(competency.stages.all())
    columns = [
        Column(UNPLACED, _("Not placed yet"), _("Not placed")),
        *(Column(s.ordinal, _("Stage %(n)s") % {"n": s.ordinal}, str(s.ordinal)) for s in stages),
        Column(COMPLETED, _("Every stage mastered"), "✓"),
    ]
    index = {column.key: n for n, column in enumerate(columns)}
    grades = stage_grades(competency)
    placed: dict[object, list[int]] = {}
    for count in counts:
        if count.competency_id != competency.pk or not count.placed:
            continue
        (grade,) = count.profile
        key = COMPLETED if count.ordinal is None else count.ordinal
        if key not in index:  # a stage since removed from the trajectory
            continue
        placed.setdefault(grade, [0] * len(columns))[index[key]] += count.students
    rows = []
    for grade in sorted(students_by_grade, key=lambda g: (g is None, g)):
        cells = placed.get(grade, [0] * len(columns))
        cells[index[UNPLACED]] = max(students_by_grade[grade] - sum(cells), 0)
        expected = expected_stage(grades, grade) if grade is not None and grades else None
        rows.append(
            GradeRow(
                grade=grade,
                label=grade_label(grade),
                counts=cells,
                expected=(
                    None
                    if expected is None
                    else (COMPLETED if expected.stage is None else expected.stage)
                ),
            )
        )
    return Distribution(competency, columns, rows)


# ---- pace ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaceRow:
    competency: Competency
    counts: dict[str, int]  # PACE_KEYS → students; a partition of `students`
    stalled: int
    students: int

    @property
    def cells(self) -> list[int]:
        return [self.counts[key] for key in PACE_KEYS]


# ---- the scope's counts, kept a few minutes -------------------------------------------------

# How long a scope's counts are kept before they are counted again (ADR 0041).
SUMMARY_SECONDS = 300


@dataclass(frozen=True)
class ScopeCounts:
    """Everything the dashboard counts for a scope, in plain values: what the GROUP BYs
    returned, the stalled pairs with whether a support covers each stalled student, and the
    stages first shown at mastery by month. Kept in the cache for `SUMMARY_SECONDS`."""

    counted_at: datetime
    students_by_grade: dict[int | None, int]
    # (how many stages below expected still count as on pace, the grouped counts) per group
    # of students sharing that expectation.
    groups: list[tuple[int, list[StageCount]]]
    stalled: frozenset[tuple[int, int]]
    covered: dict[int, bool]  # stalled student id → a support covers every stalled competency
    order: list[int]  # the stalled students, without a support first, then by name
    months: dict[tuple[int, int], int]  # (year, month) → stages first shown at mastery

    @property
    def students(self) -> int:
        return sum(self.students_by_grade.values())


def summary_key(scope: DashboardScope, competencies: list[Competency], today: date) -> str:
    ids = ",".join(str(competency.pk) for competency in competencies)
    school = scope.school.uuid if scope.school is not None else "district"
    return f"proficio:dashboard:{scope.district.uuid}:{school}:{today}:{ids}"


def scope_counts(scope: DashboardScope, competencies: list[Competency], today: date) -> ScopeCounts:
    """The scope's counts: kept ones younger than `SUMMARY_SECONDS`, else counted now. Every
    admin of a scope sees the same students, so they share them."""
    key = summary_key(scope, competencies, today)
    kept = cache.get(key)
    if isinstance(kept, ScopeCounts):
        return kept
    counted = count_scope(scope, competencies, today)
    cache.set(key, counted, SUMMARY_SECONDS)
    return counted


def count_scope(scope: DashboardScope, competencies: list[Competency], today: date) -> ScopeCounts:
    """Count the scope in SQL: students by age-grade; working stages by competency, age-grade,
    stage and placement (per group of students sharing a pace expectation); the stalled
    pairs from the stored stall spans, the supports in place for them and their students by
    name; stages first shown at mastery by month. A dozen queries, whatever the size."""
    students = scope.students()
    by_grade = students_counted(students, by=["age_grade"])
    groups = [
        (
            tolerance,
            working_stage_counts(students=group, competencies=competencies, by=["age_grade"]),
        )
        for group, tolerance in tolerance_groups(scope)
    ]
    stalled = stalled_pairs(
        district_id=scope.district.pk, students=students, competencies=competencies, today=today
    )
    stalled_competencies: dict[int, set[int]] = {}
    for student_id, competency_id in stalled:
        stalled_competencies.setdefault(student_id, set()).add(competency_id)
    supports = supported_competencies(user=scope.person, student_ids=stalled_competencies, on=today)
    covered = {
        student_id: all(
            {competency_id, None} & supports.get(student_id, set()) for competency_id in ids
        )
        for student_id, ids in stalled_competencies.items()
    }
    by_name = list(
        students.filter(pk__in=list(stalled_competencies))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )
    order = [pk for pk in by_name if not covered[pk]] + [pk for pk in by_name if covered[pk]]
    return ScopeCounts(
        counted_at=timezone.now(),
        students_by_grade={grade: n for (grade,), n in by_grade.items()},
        groups=groups,
        stalled=frozenset(stalled),
        covered=covered,
        order=order,
        months=_months_counted(scope, competencies, today),
    )


# ---- stalled students and their supports -----------------------------------------------------


@dataclass(frozen=True)
class StalledStudent:
    student: Person
    competencies: list[Competency]
    supported: bool  # every competency they are stalled on has a support in place
    supports: list = field(default_factory=list)  # pathways Support rows in place


@dataclass(frozen=True)
class StalledSummary:
    students: int
    supported: int
    unsupported: int
    pairs: int
    page: int
    pages: int
    shown: list[StalledStudent]


def stalled_summary(
    scope: DashboardScope,
    competencies: list[Competency],
    counts: ScopeCounts,
    *,
    page: int = 1,
    page_size: int = STALLED_PAGE_SIZE,
) -> StalledSummary:
    """Who is stalled, on what, and whether a support is in place for it (a support on that
    competency, or on every competency): students without one first, then by name; one
    page of them read in full."""
    order = counts.order
    pages = max(1, -(-len(order) // page_size))
    page = min(max(page, 1), pages)
    shown_ids = order[(page - 1) * page_size : page * page_size]
    people = {person.pk: person for person in scope.students().filter(pk__in=shown_ids)}
    in_place = supports_now(user=scope.person, students=list(people.values()))
    stalled_on: dict[int, set[int]] = {}
    for student_id, competency_id in counts.stalled:
        if student_id in people:
            stalled_on.setdefault(student_id, set()).add(competency_id)
    shown = [
        StalledStudent(
            student=people[pk],
            competencies=[c for c in competencies if c.pk in stalled_on.get(pk, ())],
            supported=counts.covered[pk],
            supports=in_place.get(pk, []),
        )
        for pk in shown_ids
        if pk in people
    ]
    supported = sum(1 for pk in order if counts.covered[pk])
    return StalledSummary(
        students=len(order),
        supported=supported,
        unsupported=len(order) - supported,
        pairs=len(counts.stalled),
        page=page,
        pages=pages,
        shown=shown,
    )


# ---- mastery over the year -------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    start: datetime
    label: str  # "Sep 2026"
    short: str  # "Sep"
    stages: int
    cumulative: int


def year_months(district: District, today: date) -> list[datetime]:
    """The first moment of each month of the school year so far (current time zone)."""
    first = school_year_start(district_id=district.pk, on=today)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (today.year, today.month):
        months.append(timezone.make_aware(datetime(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _months_counted(
    scope: DashboardScope, competencies: list[Competency], today: date
) -> dict[tuple[int, int], int]:
    """(year, month) → stages first shown at mastery that month, this school year (see
    `mastery.api.stages_first_mastered_by_month`)."""
    months = year_months(scope.district, today)
    if not months:
        return {}
    counted = stages_first_mastered_by_month(
        students=scope.students(), competencies=competencies, since=months[0]
    )
    per_month: dict[tuple[int, int], int] = {}
    for (_competency_id, start), stages in counted.items():
        local = timezone.localtime(start)
        per_month[local.year, local.month] = per_month.get((local.year, local.month), 0) + stages
    return per_month


def mastery_by_month(scope: DashboardScope, counts: ScopeCounts, today: date) -> list[Month]:
    """Each month of the school year so far with its stages and the running total."""
    result, running = [], 0
    for start in year_months(scope.district, today):
        stages = counts.months.get((start.year, start.month), 0)
        running += stages
        result.append(
            Month(start, date_format(start, "M Y"), date_format(start, "M"), stages, running)
        )
    return result


# ---- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    scope: DashboardScope
    today: date
    counted_at: datetime
    competencies: list[Competency]
    students: int
    chosen: Competency | None
    distribution: Distribution | None
    pace: list[PaceRow]
    stalled: StalledSummary
    months: list[Month]

    @property
    def pace_total(self) -> dict[str, int]:
        return {key: sum(row.counts[key] for row in self.pace) for key in PACE_KEYS}

    @property
    def stalled_total(self) -> int:
        return sum(row.stalled for row in self.pace)

    @property
    def mastered_this_year(self) -> int:
        return self.months[-1].cumulative if self.months else 0

    @property
    def kept_minutes(self) -> int:
        return SUMMARY_SECONDS // 60


def _choose(competencies: Sequence[Competency], chosen_id: str | None) -> Competency | None:
    chosen = next((c for c in competencies if str(c.uuid) == chosen_id), None)
    return chosen or (competencies[0] if competencies else None)


def pace_rows(competencies: list[Competency], counts: ScopeCounts) -> list[PaceRow]:
    """Each competency's students ahead, on pace, behind and not known yet, and stalled:
    each grouped count classified once (engine.pace.classify), with its group's tolerance."""
    competency_of = {c.pk: c for c in competencies}
    grades_of = {c.pk: stage_grades(c) for c in competencies}
    tallies = {c.pk: dict.fromkeys(PACE_KEYS, 0) for c in competencies}
    for tolerance, grouped in counts.groups:
        for count in grouped:
            competency = competency_of.get(count.competency_id)
            if competency is None:
                continue
            standing = standing_of(
                competency, grades_of[competency.pk], count, count.profile[0], tolerance
            )
            tallies[competency.pk][standing] += count.students
    stalled_per_competency: dict[int, int] = {}
    for _student_id, competency_id in counts.stalled:
        stalled_per_competency[competency_id] = stalled_per_competency.get(competency_id, 0) + 1
    rows = []
    for competency in competencies:
        tally = tallies[competency.pk]
        known = tally[AHEAD] + tally[ON_PACE] + tally[BEHIND]
        tally[UNKNOWN] = max(counts.students - known, 0)
        rows.append(
            PaceRow(
                competency, tally, stalled_per_competency.get(competency.pk, 0), counts.students
            )
        )
    return rows


def dashboard(
    scope: DashboardScope,
    *,
    competency_id: str | None = None,
    stalled_page: int = 1,
    stalled_page_size: int = STALLED_PAGE_SIZE,
    today: date | None = None,
) -> Dashboard:
    """The dashboard of the scope; `competency_id` chooses the competency whose distribution
    is drawn (the first by default), `stalled_page` the page of the stalled students shown."""
    today = today or timezone.localdate()
    competencies = scope_competencies(scope)
    chosen = _choose(competencies, competency_id)
    counts = scope_counts(scope, competencies, today)
    every_count = [count for _tolerance, grouped in counts.groups for count in grouped]
    return Dashboard(
        scope=scope,
        today=today,
        counted_at=counts.counted_at,
        competencies=competencies,
        students=counts.students,
        chosen=chosen,
        distribution=(
            distribution_of(chosen, every_count, counts.students_by_grade) if chosen else None
        ),
        pace=pace_rows(competencies, counts),
        stalled=stalled_summary(
            scope, competencies, counts, page=stalled_page, page_size=stalled_page_size
        ),
        months=mastery_by_month(scope, counts, today),
    )
