"""The age-grade bridge (issue 16, item 4): each student's standing expressed by age-grade, for
state reporting, which still asks where a student stands against their grade.

For each competency of the district, a student's standing puts side by side:

- the **typical stage** for the student's age-grade (people's `Person.age_grade`): the first
  stage whose typical grade (frameworks' `Stage.typical_grade`) is at or above it — the
  reading pace makes (`engine.pace.expected_stage`), so the bridge and the pace badges never
  disagree. A grade past the trajectory's last stage expects every stage mastered;
- the **working stage**, as stored (`mastery.api.working_places`): the lowest stage not yet
  mastered, or every stage mastered; a student whose ratings do not place the work yet (no
  stage mastered, the working stage itself not rated) is "not placed", as pace reads it;
- the **difference** in stages along the trajectory: 2 is two stages ahead of the stage
  typical for the grade, -1 one stage below it.

Placement in Proficio follows readiness, never age: the bridge only translates. Its reads are
bulk and constant in number however large the school: the students, the competencies and
their stages, the working stages and the CASE identifiers, one query each
(`docs/state-export.md` documents the export's columns).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from proficio.engine.pace import Expectation, StageGrade, expected_stage, grade_words
from proficio.frameworks.api import (
    Competency,
    competency_case_identifiers,
    competency_list_visible_to,
)
from proficio.lib.errors import NotVisible
from proficio.mastery.api import WorkingPlace, working_places
from proficio.people.api import (
    Person,
    School,
    Section,
    district_admin_of,
    school_students,
    schools_administered_by,
    section_served_get,
    section_students,
    sections_taught_by,
)

# What a standing says, in the export's `status` column (the first that applies).
NO_AGE_GRADE = "no_age_grade"
NO_TYPICAL_GRADES = "no_typical_grades"
NOT_RATED = "not_rated"
NOT_PLACED = "not_placed"
COMPLETED = "completed"
PLACED = "placed"
STATUSES = (PLACED, COMPLETED, NOT_PLACED, NOT_RATED, NO_AGE_GRADE, NO_TYPICAL_GRADES)


def grade_code(grade: int | None) -> str:
    """An age-grade in the codes OneRoster and CASE use (CEDS): PK, KG, 01 … 12, 13."""
    if grade is None:
        return ""
    if grade < 0:
        return "PK"
    return "KG" if grade == 0 else f"{grade:02d}"


@dataclass(frozen=True)
class BridgeCompetency:
    """A competency with its trajectory's stages (ordinal, typical grade), in order, and the
    CASE identifier of the item it was made from, if it was imported."""

    competency: Competency
    stages: tuple[StageGrade, ...]
    case_identifier: str = ""

    @property
    def has_typical_grades(self) -> bool:
        return bool(self.stages) and all(s.typical_grade is not None for s in self.stages)

    def index_of(self, ordinal: int) -> int | None:
        return next((n for n, stage in enumerate(self.stages) if stage.ordinal == ordinal), None)


@dataclass(frozen=True)
class Standing:
    """One student's standing on one competency, against their age-grade."""

    competency: BridgeCompetency
    age_grade: int | None
    typical: Expectation | None
    place: WorkingPlace | None
    status: str
    difference: int | None

    @property
    def typical_stage(self) -> int | None:
        return self.typical.stage if self.typical else None

    @property
    def working_stage(self) -> int | None:
        return self.place.placed_stage if self.place else None

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED or bool(self.place and self.place.completed)

    @property
    def tone(self) -> str:
        """ahead, at or below typical; "" with no difference to tell."""
        if self.difference is None:
            return ""
        return "ahead" if self.difference > 0 else "at" if self.difference == 0 else "below"

    @property
    def signed(self) -> str:
        """The difference as a page shows it: +2, 0, −1 (a true minus sign), or ""."""
        if self.difference is None:
            return ""
        return (
            f"+{self.difference}"
            if self.difference > 0
            else str(self.difference).replace("-", "\u2212")
        )

    @property
    def where(self) -> str:
        """Where the student works, in a few words."""
        if self.completed:
            return _("All stages")
        if self.working_stage is not None:
            return _("Stage %(stage)s") % {"stage": self.working_stage}
        if self.status == NOT_PLACED or (self.place and not self.place.established):
            return _("Not placed yet")
        return _("No ratings yet")

    @property
    def words(self) -> str:
        """The standing in a sentence: "2 stages ahead of typical for grade 4"."""
        if self.status == NO_AGE_GRADE:
            return _("No age-grade is recorded, so there is no typical stage to compare with.")
        if self.status == NO_TYPICAL_GRADES:
            return _("Not every stage has a typical grade, so there is no typical stage.")
        if self.status == NOT_RATED:
            return _("No ratings yet.")
        if self.status == NOT_PLACED:
            return _("Rated, but the ratings do not place the work on the trajectory yet.")
        grade = grade_words(self.age_grade)
        difference = self.difference or 0
        if difference > 0:
            return ngettext(
                "%(count)d stage ahead of typical for %(grade)s",
                "%(count)d stages ahead of typical for %(grade)s",
                difference,
            ) % {"count": difference, "grade": grade}
        if difference < 0:
            return ngettext(
                "%(count)d stage below typical for %(grade)s",
                "%(count)d stages below typical for %(grade)s",
                -difference,
            ) % {"count": -difference, "grade": grade}
        if self.typical_stage is None:
            return _("Every stage mastered, as typical by %(grade)s") % {"grade": grade}
        return _("At the stage typical for %(grade)s") % {"grade": grade}


def standing_of(
    competency: BridgeCompetency, age_grade: int | None, place: WorkingPlace | None
) -> Standing:
    """The standing of a student of `age_grade` whose stored place is `place` (None: no
    rating yet). A difference needs an age-grade, typical grades on every stage and a
    working stage the ratings establish (or every stage mastered)."""
    typical = expected_stage(competency.stages, age_grade) if competency.stages else None
    if place is None:
        working = NOT_RATED
    elif place.completed:
        working = COMPLETED
    elif place.placed_stage is None or competency.index_of(place.placed_stage) is None:
        working = NOT_PLACED
    else:
        working = PLACED
    if age_grade is None:
        status = NO_AGE_GRADE
    elif not competency.has_typical_grades:
        status = NO_TYPICAL_GRADES
    else:
        status = working
    difference = None
    if typical is not None and status in (PLACED, COMPLETED):
        index = (
            len(competency.stages)
            if status == COMPLETED
            else competency.index_of(place.placed_stage)  # type: ignore[union-attr]
        )
        difference = index - typical.index
    return Standing(competency, age_grade, typical, place, status, difference)


# ---- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentRow:
    student: Person
    standings: list[Standing]

    @property
    def grade(self) -> str:
        age_grade = self.student.age_grade
        return "" if age_grade is None else grade_words(age_grade)


# The summary's columns: how far from typical, and the standings with no difference to tell.
BUCKETS = (
    ("below_2", gettext_lazy("2 or more below")),
    ("below_1", gettext_lazy("1 below")),
    ("at", gettext_lazy("At typical")),
    ("ahead_1", gettext_lazy("1 ahead")),
    ("ahead_2", gettext_lazy("2 or more ahead")),
    ("not_placed", gettext_lazy("Not placed or not rated yet")),
    ("no_comparison", gettext_lazy("No comparison")),
)


def bucket_of(standing: Standing) -> str:
    if standing.status in (NO_AGE_GRADE, NO_TYPICAL_GRADES):
        return "no_comparison"
    if standing.difference is None:
        return "not_placed"
    if standing.difference <= -2:
        return "below_2"
    if standing.difference >= 2:
        return "ahead_2"
    return {-1: "below_1", 0: "at", 1: "ahead_1"}[standing.difference]


@dataclass(frozen=True)
class SummaryRow:
    competency: BridgeCompetency
    counts: list[int]
    students: int


@dataclass
class Bridge:
    """The bridge of a school or a section on a day: every student's row, the competencies
    in the district's order, and how many students stand where on each."""

    title: str
    school: School
    section: Section | None
    as_of: date
    competencies: list[BridgeCompetency]
    rows: list[StudentRow]
    summary: list[SummaryRow] = field(default_factory=list)

    @property
    def students(self) -> list[Person]:
        return [row.student for row in self.rows]


def _stage_grades(competency: Competency) -> tuple[StageGrade, ...]:
    """The competency's stages (prefetched) with their typical grades, in order."""
    return tuple(
        sorted(StageGrade(stage.ordinal, stage.typical_grade) for stage in competency.stages.all())
    )


def typical_stage_of(competency: Competency, age_grade: int | None) -> Expectation | None:
    """The stage typical for `age_grade` on the competency's trajectory, as the bridge reads
    it: None with no age-grade or a stage without a typical grade; a stage of None when the
    grade expects every stage mastered. No query when the stages are prefetched."""
    stages = _stage_grades(competency)
    return expected_stage(stages, age_grade) if stages else None


def bridge_competencies(user: Person) -> list[BridgeCompetency]:
    """The district's competencies in order, each with its stages and its CASE identifier:
    three queries whatever their number."""
    competencies = list(competency_list_visible_to(user).prefetch_related("stages"))
    identifiers = competency_case_identifiers(c.pk for c in competencies)
    return [
        BridgeCompetency(
            competency=competency,
            stages=_stage_grades(competency),
            case_identifier=identifiers.get(competency.pk, ""),
        )
        for competency in competencies
    ]


def bridge_of(
    *,
    user: Person,
    title: str,
    school: School,
    section: Section | None,
    students: QuerySet[Person],
    as_of: date,
) -> Bridge:
    """The bridge of these students (a scoped queryset), every one of them, as stored today."""
    competencies = bridge_competencies(user)
    people = list(
        students.only(
            "pk",
            "uuid",
            "first_name",
            "last_name",
            "preferred_name",
            "username",
            "age_grade",
            "sourced_id",
            "district_id",
        )
    )
    places = working_places(
        students=students, competency_ids=[c.competency.pk for c in competencies]
    )
    rows = [
        StudentRow(
            student=student,
            standings=[
                standing_of(c, student.age_grade, places.get((student.pk, c.competency.pk)))
                for c in competencies
            ],
        )
        for student in people
    ]
    return Bridge(
        title=title,
        school=school,
        section=section,
        as_of=as_of,
        competencies=competencies,
        rows=rows,
        summary=summarise(competencies, rows),
    )


def summarise(
    competencies: Sequence[BridgeCompetency], rows: Iterable[StudentRow]
) -> list[SummaryRow]:
    keys = [key for key, _label in BUCKETS]
    counts = [dict.fromkeys(keys, 0) for _ in competencies]
    students = 0
    for row in rows:
        students += 1
        for n, standing in enumerate(row.standings):
            counts[n][bucket_of(standing)] += 1
    return [
        SummaryRow(competency, [counts[n][key] for key in keys], students)
        for n, competency in enumerate(competencies)
    ]


# ---- who reads which bridge -------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolChoice:
    """A school admin's (or district admin's) school, and the others they may choose."""

    school: School
    schools: list[School]
    district_admin: bool


def school_choice(user: Person, school_id: str | None = None) -> SchoolChoice | None:
    """The school whose bridge an admin reads: the one chosen (`school_id`), else their first.
    None when the user administers no school of their district (teachers read their
    sections'); NotVisible for a school they do not administer."""
    if user.district_id is None:
        return None
    schools = list(
        schools_administered_by(user).filter(district_id=user.district_id).order_by("name", "pk")
    )
    if not schools:
        if school_id:
            raise NotVisible(f"No school {school_id}.")
        return None
    school = schools[0]
    if school_id:
        school = next((s for s in schools if str(s.uuid) == school_id), None)
        if school is None:
            raise NotVisible(f"No school {school_id}.")
    return SchoolChoice(school, schools, district_admin_of(user, user.district))


def school_bridge(*, user: Person, choice: SchoolChoice, as_of: date) -> Bridge:
    return bridge_of(
        user=user,
        title=choice.school.name,
        school=choice.school,
        section=None,
        students=school_students(user=user, school=choice.school),
        as_of=as_of,
    )


def section_bridge(*, user: Person, section_id: str, as_of: date) -> Bridge:
    """The bridge of a section the user teaches or administers; NotVisible otherwise."""
    section = section_served_get(user=user, section_id=section_id)
    return bridge_of(
        user=user,
        title=section.name,
        school=section.school,
        section=section,
        students=section_students(user=user, section=section),
        as_of=as_of,
    )


def sections_of_teacher(user: Person) -> list[Section]:
    """The sections a teacher teaches, by school and name: where their bridges are."""
    return list(sections_taught_by(user).order_by("school__name", "name"))


# ---- the state export -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str


# The export's columns, in order, with what each holds (the page and docs/state-export.md say
# the same).
STATE_COLUMNS = (
    Column(
        "student_sourced_id",
        gettext_lazy(
            "The student's OneRoster sourcedId, from the student information system; blank "
            "for a student added in Proficio by hand."
        ),
    ),
    Column(
        "state_student_id",
        gettext_lazy(
            "The student's state identifier. Proficio does not hold one yet (the roster "
            "import does not keep OneRoster's user identifier), so the column is blank, for "
            "the state's system to fill from the sourcedId."
        ),
    ),
    Column(
        "proficio_student_id",
        gettext_lazy("Proficio's own identifier of the student (a UUID): every row has one."),
    ),
    Column(
        "school_sourced_id",
        gettext_lazy(
            "The OneRoster sourcedId of the school the report is of; blank for a school added "
            "by hand."
        ),
    ),
    Column(
        "grade",
        gettext_lazy(
            "The student's age-grade in CEDS codes (PK, KG, 01 to 13); blank when none is recorded."
        ),
    ),
    Column("framework_code", gettext_lazy("The code of the competency's framework.")),
    Column(
        "competency_code",
        gettext_lazy("The competency's code, unique within its framework."),
    ),
    Column(
        "competency_case_identifier",
        gettext_lazy(
            "The CASE identifier of the item the competency was imported from; blank for a "
            "competency written in Proficio."
        ),
    ),
    Column(
        "typical_stage",
        gettext_lazy(
            "The stage typical for the student's age-grade: the first stage whose typical "
            "grade is at or above it. Blank when the grade lies past the last stage (every "
            "stage is then expected mastered) or when there is no comparison (see status)."
        ),
    ),
    Column(
        "working_stage",
        gettext_lazy(
            "The stage the student works at: the lowest stage not yet mastered. Blank when "
            "every stage is mastered or the ratings do not place the work yet (see status)."
        ),
    ),
    Column(
        "status",
        gettext_lazy(
            "The first that applies of: no_age_grade; no_typical_grades (a stage of the "
            "trajectory has no typical grade); not_rated; not_placed (rated, but no stage is "
            "mastered and the working stage is not rated); completed (every stage mastered); "
            "placed."
        ),
    ),
    Column(
        "difference",
        gettext_lazy(
            "Stages from the typical stage to the working stage along the trajectory: 2 is "
            "two stages ahead of typical, -1 one stage below, 0 at it; a student who has "
            "mastered every stage counts as one past the last. Blank unless status is placed "
            "or completed."
        ),
    ),
    Column(
        "as_of_date",
        gettext_lazy(
            "The day the standings were read (YYYY-MM-DD): the working stages as stored that day."
        ),
    ),
)


def state_rows(bridge: Bridge) -> Iterable[list]:
    """One row per student and competency, in the page's order."""
    school_id = bridge.school.sourced_id
    as_of = bridge.as_of.isoformat()
    for row in bridge.rows:
        student = row.student
        for standing in row.standings:
            competency = standing.competency.competency
            yield [
                student.sourced_id,
                "",
                str(student.uuid),
                school_id,
                grade_code(student.age_grade),
                competency.framework.code,
                competency.code,
                standing.competency.case_identifier,
                standing.typical_stage,
                standing.working_stage,
                standing.status,
                standing.difference,
                as_of,
            ]


def summary_headers() -> list[str]:
    return [_("Competency"), _("Students"), *(str(label) for _key, label in BUCKETS)]


def summary_rows(bridge: Bridge) -> Iterable[list]:
    for row in bridge.summary:
        competency = row.competency.competency
        yield [f"{competency.code} {competency.title}", row.students, *row.counts]
