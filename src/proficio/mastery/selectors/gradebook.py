"""A section's gradebook, one page of students at a time: students × competencies, each cell
with its working stage, latest rating and pace.

Filtering, sorting and the page's students are chosen in SQL over the whole section, so a
page reads as much for a section of 500 as for one of 20, and the competencies run over
pages of columns. Pace is computed only for the page's cells; the stalled filter finds who
is stalled from the stored stall spans (`pace.stalled_pairs`); the other pace filters still
need every filtered student's pace to know who matches.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from proficio.engine.methods import KNOWLEDGE_TRACING
from proficio.frameworks.api import (
    Competency,
    competency_list_visible_to,
    course_target_competency_ids,
    stages_and_scales_prefetch,
)
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.mastery.pace import (
    PACE_FILTERS,
    STALLED,
    Pace,
    matching_cells,
    paces_of,
    stalled_pairs,
)
from proficio.people.api import Person, Section, section_students

# How a stage sorts and filters: a student without records before stage 1, one who completed
# every stage after any stage.
NO_RECORD = 0
COMPLETED = 10_000
# The stage filter's words for those two.
STAGE_NONE = "none"
STAGE_COMPLETED = "completed"
SORTS = ("name", "-name", "stage", "-stage")


@dataclass(frozen=True)
class GradebookQuery:
    """What a teacher asked of the gradebook: a page, a sort and filters. `competency` is
    the one a stage sort or stage filter reads; without it both are ignored."""

    page: int = 1
    sort: str = "name"
    search: str = ""
    competency: Competency | None = None
    stage: str = ""  # an ordinal, STAGE_NONE or STAGE_COMPLETED; "" for every stage
    pace: str = ""  # one of PACE_FILTERS; "" for every pace
    columns: int = 1  # the page of competency columns
    every: bool = False  # every competency of the district, not only the course's targets


@dataclass(frozen=True)
class GradebookCell:
    working_stage: int | None
    latest_level: Decimal | None
    latest_stage: int | None
    latest_observed_at: datetime | None
    pace: Pace | None = None
    # The working stage's mastery value (None before a rating counts there): what the cell
    # shows first, the latest rating beside it.
    stage_value: float | None = None


def working_stage_value() -> Subquery:
    """A working stage's record value, as a subquery on `WorkingStage` rows. Knowledge
    tracing's value is a chance, not a level a cell could be coloured by: none, so the cell
    shows the latest rating alone."""
    return Subquery(
        MasteryRecord.objects.filter(
            student_id=OuterRef("student_id"),
            competency_id=OuterRef("competency_id"),
            stage__ordinal=OuterRef("ordinal"),
        )
        .exclude(policy__method=KNOWLEDGE_TRACING)
        .values("value")[:1]
    )


@dataclass(frozen=True)
class Gradebook:
    section: Section
    students: list[Person]  # the page's
    competencies: list[Competency]  # the section's course's (or all); `shown` a filter's
    cells: dict[tuple[int, int], GradebookCell]
    query: GradebookQuery
    page: int
    pages: int
    page_size: int
    matching: int  # students the filters pick across the section
    enrolled: int  # students in the section, filters aside
    # With a pace filter: the (student id, competency id) pairs it picked; None without one.
    picked: set[tuple[int, int]] | None = None
    shown: list[Competency] | None = None
    # The competencies run over pages of columns as the students over pages of rows.
    column_page: int = 1
    column_size: int = 8
    # How many competencies the section's course targets (0: no course, or no targets),
    # and how many the district has: the gradebook shows the first unless asked for all.
    course_targets: int = 0
    district_competencies: int = 0

    def cell(self, student: Person, competency: Competency) -> GradebookCell | None:
        return self.cells.get((student.pk, competency.pk))

    @property
    def every_column(self) -> list[Competency]:
        """The competencies the table may show: all, or those a pace filter picked cells of."""
        return self.competencies if self.shown is None else self.shown

    @property
    def column_pages(self) -> int:
        return column_window(len(self.every_column), self.column_size, self.column_page)[1]

    @property
    def first_column(self) -> int:
        """The index of the page's first column among `every_column`, from 0."""
        return column_window(len(self.every_column), self.column_size, self.column_page)[2]

    @property
    def columns(self) -> list[Competency]:
        """The page's columns."""
        return self.every_column[self.first_column : self.first_column + self.column_size]


def column_window(count: int, size: int, asked: int) -> tuple[int, int, int]:
    """The page of `size` columns among `count` that a request for page `asked` shows:
    (its number, clamped to the pages there are; how many pages; its first index)."""
    pages = max(1, -(-count // size))
    page = min(max(asked, 1), pages)
    return page, pages, (page - 1) * size


def _stage_key(competency: Competency) -> Coalesce:
    """A student's working stage on `competency` as one sortable number."""
    stage = WorkingStage.objects.filter(
        student_id=OuterRef("pk"), competency_id=competency.pk
    ).values_list(Coalesce("ordinal", Value(COMPLETED)))[:1]
    return Coalesce(Subquery(stage, output_field=IntegerField()), Value(NO_RECORD))


def _filtered(students: QuerySet[Person], query: GradebookQuery) -> QuerySet[Person]:
    for word in query.search.split():
        students = students.filter(
            Q(first_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    if query.competency is not None:
        students = students.annotate(stage_key=_stage_key(query.competency))
        if query.stage == STAGE_NONE:
            students = students.filter(stage_key=NO_RECORD)
        elif query.stage == STAGE_COMPLETED:
            students = students.filter(stage_key=COMPLETED)
        elif query.stage.isdigit():
            students = students.filter(stage_key=int(query.stage))
    return students


def _sorted(students: QuerySet[Person], query: GradebookQuery) -> QuerySet[Person]:
    names = ("last_name", "first_name", "pk")
    if query.sort.endswith("stage") and query.competency is not None:
        key = "-stage_key" if query.sort.startswith("-") else "stage_key"
        return students.order_by(key, *names)
    if query.sort == "-name":
        return students.order_by(*(f"-{name}" for name in names))
    return students.order_by(*names)


def gradebook(
    *,
    user: Person,
    section: Section,
    query: GradebookQuery | None = None,
    competencies: list[Competency] | None = None,
    page_size: int = 25,
    column_size: int = 8,
    today: date | None = None,
) -> Gradebook:
    """One page of a section the caller has already been allowed to open, each cell with
    its pace as of `today`: `page_size` students by `column_size` competencies, so a page
    reads as much for 40 competencies as for 10. `competencies`, when the caller has read
    them already, are the user's own (`competency_list_visible_to`): the course's targets
    are chosen among them."""
    query = query or GradebookQuery()
    today = today or timezone.localdate()
    section_all = section_students(user=user, section=section)
    if competencies is None:
        competencies = list(competency_list_visible_to(user))
    # A section shows its course's competencies; the toggle (query.every), or a course
    # without targets, shows every competency of the district.
    district_count = len(competencies)
    targeted = course_target_competency_ids(section.course_id) if section.course_id else set()
    if targeted and not query.every:
        competencies = [competency for competency in competencies if competency.pk in targeted]
    students = _sorted(_filtered(section_all, query), query)
    enrolled = section_all.count()
    picked = None
    shown = None
    section_paces: dict[tuple[int, int], Pace] | None = None
    if query.pace == STALLED:
        # Stored stall spans tell who is stalled across the section without their pace.
        stages_and_scales_prefetch(competencies)
        picked = stalled_pairs(
            district_id=user.district_id, students=students, competencies=competencies, today=today
        )
        competency_ids = {competency_id for _, competency_id in picked}
        shown = [c for c in competencies if c.pk in competency_ids]
        students = students.filter(pk__in={student_id for student_id, _ in picked})
        matching = students.count()
    elif query.pace in PACE_FILTERS:
        stages_and_scales_prefetch(competencies)
        candidates = list(students)
        section_paces = paces_of(students=candidates, competencies=competencies, today=today)
        matching_pairs = matching_cells(section_paces)[query.pace]
        chosen = {student_id for student_id, _ in matching_pairs}
        competency_ids = {competency_id for _, competency_id in matching_pairs}
        everyone = [student for student in candidates if student.pk in chosen]
        picked = matching_pairs
        shown = [c for c in competencies if c.pk in competency_ids]
        matching = len(everyone)
    else:
        matching = students.count() if query.search or query.stage else enrolled
    pages = max(1, -(-matching // page_size))
    page = min(max(query.page, 1), pages)
    start = (page - 1) * page_size
    if section_paces is not None:
        page_students = everyone[start : start + page_size]
    else:
        page_students = list(students[start : start + page_size])
    every_column = competencies if shown is None else shown
    column_page, _, first = column_window(len(every_column), column_size, query.columns)
    columns = every_column[first : first + column_size]
    # Only the page's columns, and the one a stage filter reads, are shown in full.
    stages_and_scales_prefetch([*columns, *([query.competency] if query.competency else [])])
    working = WorkingStage.objects.filter(student__in=page_students, competency__in=columns)
    paces = (
        section_paces
        if section_paces is not None
        else paces_of(students=page_students, competencies=columns, today=today)
    )
    cells = {
        (w.student_id, w.competency_id): GradebookCell(
            working_stage=w.ordinal,
            latest_level=w.latest_level,
            latest_stage=w.latest_stage_ordinal,
            latest_observed_at=w.latest_observed_at,
            pace=paces.get((w.student_id, w.competency_id)),
            stage_value=w.stage_value,
        )
        for w in working.annotate(stage_value=working_stage_value()).only(
            "student_id",
            "competency_id",
            "ordinal",
            "latest_level",
            "latest_stage_ordinal",
            "latest_observed_at",
        )
    }
    return Gradebook(
        section=section,
        students=page_students,
        competencies=competencies,
        cells=cells,
        query=query,
        page=page,
        pages=pages,
        page_size=page_size,
        matching=matching,
        enrolled=enrolled,
        picked=picked,
        shown=shown,
        column_page=column_page,
        column_size=column_size,
        course_targets=len(targeted),
        district_competencies=district_count,
    )
