"""A class heatmap (issue 16, item 3): a section's students × competencies, each cell
coloured by where the student works against the stage expected for their age-grade.

**Expected stage**, as pace reads it (ADR 0006): the first stage whose typical grade is at
or above the student's age-grade; past the last stage's grade, every stage mastered. The
cell's distance is counted in stages along the trajectory: the working stage's place minus
the expected stage's (every stage mastered is one place past the last stage). So +1 is one
stage ahead, −2 two behind. Up to the school's `stages_below_on_pace` below the expected
stage still count as on pace, as in the gradebook: those cells take the on-pace colour and
keep their number. No pace is shown — the cell says why — when the student has no
age-grade, a stage of the competency has no typical grade, or the ratings do not place the
student yet. Cells marked ‖ are stalled (the gradebook's stalled, from the stored stall
spans).

The whole section is read in a fixed number of queries, whatever its size: its students,
their working stages, the stall spans, the competencies and their stages.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from proficio.engine.pace import StageGrade, expected_stage, grade_words
from proficio.frameworks.api import (
    Competency,
    competency_list_visible_to,
    course_target_competency_ids,
    stages_and_scales_prefetch,
)
from proficio.mastery.api import WorkingPlace, expectation_for, stalled_pairs, working_places
from proficio.people.api import Person, Section, section_students

AHEAD_2 = "ahead-2"
AHEAD_1 = "ahead-1"
ON_PACE = "on"
BEHIND_1 = "behind-1"
BEHIND_2 = "behind-2"
UNKNOWN = "unknown"
NO_RATING = "none"
BUCKETS = (AHEAD_2, AHEAD_1, ON_PACE, BEHIND_1, BEHIND_2, UNKNOWN, NO_RATING)


@dataclass(frozen=True)
class HeatCell:
    bucket: str
    stage: str  # "S3", "✓" (every stage mastered), "–" (no rating)
    offset: int | None  # stages from the expected one; None when not known
    title: str  # the whole reading in words
    stalled: bool = False

    @property
    def offset_text(self) -> str:
        if self.offset is None:
            return ""
        if self.offset == 0:
            return "±0"
        return f"+{self.offset}" if self.offset > 0 else f"−{-self.offset}"

    @property
    def export_stage(self) -> str:
        return {"✓": _("every stage mastered"), "–": _("no rating yet")}.get(
            self.stage, self.stage.removeprefix("S")
        )


@dataclass(frozen=True)
class LegendItem:
    bucket: str
    label: str


@dataclass(frozen=True)
class Heatmap:
    section: Section
    students: list[Person]
    competencies: list[Competency]
    cells: dict[tuple[int, int], HeatCell]
    tolerance: int
    every: bool  # every competency of the district, not only the course's targets
    course_targets: int
    district_competencies: int

    def row(self, student: Person) -> list[HeatCell]:
        return [self.cells[student.pk, competency.pk] for competency in self.competencies]

    @property
    def rows(self) -> list[tuple[Person, list[HeatCell]]]:
        return [(student, self.row(student)) for student in self.students]

    def bucket_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(BUCKETS, 0)
        for cell in self.cells.values():
            counts[cell.bucket] += 1
        return counts

    @property
    def legend(self) -> list[LegendItem]:
        return legend(self.tolerance)


def legend(tolerance: int) -> list[LegendItem]:
    """What each colour means, with the school's tolerance in the words."""
    on = _("At the expected stage")
    if tolerance:
        on = ngettext(
            "At the expected stage, or %(n)s below (on pace at this school)",
            "At the expected stage, or up to %(n)s below (on pace at this school)",
            tolerance,
        ) % {"n": tolerance}
    behind_1 = ngettext("%(n)s stage behind", "%(n)s stages behind", tolerance + 1) % {
        "n": tolerance + 1
    }
    return [
        LegendItem(AHEAD_2, _("2 or more stages ahead")),
        LegendItem(AHEAD_1, _("1 stage ahead")),
        LegendItem(ON_PACE, on),
        LegendItem(BEHIND_1, behind_1),
        LegendItem(BEHIND_2, _("%(n)s or more stages behind") % {"n": tolerance + 2}),
        LegendItem(
            UNKNOWN,
            _(
                "Pace not known: no age-grade, a stage without a typical grade, or ratings "
                "that do not place the work yet"
            ),
        ),
        LegendItem(NO_RATING, _("No rating yet")),
    ]


def _bucket(offset: int, tolerance: int) -> str:
    if offset >= 2:
        return AHEAD_2
    if offset == 1:
        return AHEAD_1
    if offset >= -tolerance:
        return ON_PACE
    return BEHIND_1 if offset == -(tolerance + 1) else BEHIND_2


def _stages_words(count: int) -> str:
    return ngettext("%(n)s stage", "%(n)s stages", count) % {"n": count}


def heat_cell(
    *,
    place: WorkingPlace | None,
    grades: list[StageGrade],
    age_grade: int | None,
    tolerance: int,
    stalled: bool = False,
) -> HeatCell:
    """One student's cell on one competency (`grades`: its stages and typical grades)."""
    if place is None:
        return HeatCell(NO_RATING, "–", None, _("No rating yet."))
    ordinals = [stage.ordinal for stage in grades]
    if place.completed:
        where, index = _("Every stage mastered"), len(ordinals)
        stage = "✓"
    else:
        where = _("Working at stage %(n)s") % {"n": place.ordinal}
        index = ordinals.index(place.ordinal) if place.ordinal in ordinals else None
        stage = f"S{place.ordinal}"
    if not place.established and not place.completed:
        reason = _("the ratings do not place the work on the trajectory yet")
        return HeatCell(UNKNOWN, stage, None, f"{where}; {reason}.", stalled)
    if age_grade is None:
        reason = _("no age-grade is recorded")
        return HeatCell(UNKNOWN, stage, None, f"{where}; {reason}.", stalled)
    expected = (
        expected_stage(grades, age_grade)
        if grades and all(g.typical_grade is not None for g in grades)
        else None
    )
    if expected is None or index is None:
        reason = _("not every stage has a typical grade")
        return HeatCell(UNKNOWN, stage, None, f"{where}; {reason}.", stalled)
    offset = index - expected.index
    if expected.stage is None:
        expectation = _("every stage is expected mastered by %(grade)s") % {
            "grade": grade_words(age_grade)
        }
    else:
        expectation = _("stage %(n)s is expected at %(grade)s") % {
            "n": expected.stage,
            "grade": grade_words(age_grade),
        }
    if offset > 0:
        distance = _("%(stages)s ahead") % {"stages": _stages_words(offset)}
    elif offset < 0:
        distance = _("%(stages)s behind") % {"stages": _stages_words(-offset)}
        if -offset <= tolerance:
            distance += " " + _("(on pace at this school)")
    else:
        distance = _("at the expected stage")
    title = f"{where}; {expectation}: {distance}."
    if stalled:
        title += " " + _("Stalled: no new stage for weeks, recent work below mastery.")
    return HeatCell(_bucket(offset, tolerance), stage, offset, title, stalled)


def section_heatmap(
    *, user: Person, section: Section, every: bool = False, today: date | None = None
) -> Heatmap:
    """The heatmap of a section the user was allowed to open (`section_served_get`): its
    students by name, the course's competencies (or every competency of the district when
    `every`, or when the course sets no targets)."""
    today = today or timezone.localdate()
    competencies = list(competency_list_visible_to(user))
    district_count = len(competencies)
    targeted = course_target_competency_ids(section.course_id) if section.course_id else set()
    if targeted and not every:
        competencies = [competency for competency in competencies if competency.pk in targeted]
    stages_and_scales_prefetch(competencies)
    students_qs = section_students(user=user, section=section)
    students = list(students_qs)
    places = working_places(
        students=[student.pk for student in students],
        competency_ids=[competency.pk for competency in competencies],
    )
    stalled = (
        stalled_pairs(
            district_id=section.school.district_id,
            students=students_qs,
            competencies=competencies,
            today=today,
        )
        if students and competencies
        else set()
    )
    tolerance = expectation_for(
        district_id=section.school.district_id, school_id=section.school_id
    ).stages_below_on_pace
    grades = {
        competency.pk: [StageGrade(s.ordinal, s.typical_grade) for s in competency.stages.all()]
        for competency in competencies
    }
    cells = {
        (student.pk, competency.pk): heat_cell(
            place=places.get((student.pk, competency.pk)),
            grades=grades[competency.pk],
            age_grade=student.age_grade,
            tolerance=tolerance,
            stalled=(student.pk, competency.pk) in stalled,
        )
        for student in students
        for competency in competencies
    }
    return Heatmap(
        section=section,
        students=students,
        competencies=competencies,
        cells=cells,
        tolerance=tolerance,
        every=every or not targeted,
        course_targets=len(targeted),
        district_competencies=district_count,
    )


def heatmap_table(heatmap: Heatmap) -> tuple[list[str], list[list]]:
    """The heatmap as the export gives it: a row per student, for each competency the stage
    worked at and the stages from the expected one (blank when not known)."""
    headers = [_("Student"), _("Age-grade")]
    for competency in heatmap.competencies:
        headers += [
            _("%(code)s stage") % {"code": competency.code},
            _("%(code)s stages from expected") % {"code": competency.code},
            _("%(code)s stalled") % {"code": competency.code},
        ]
    rows = []
    for student, cells in heatmap.rows:
        row: list = [student.display_name, student.age_grade]
        for cell in cells:
            row += [cell.export_stage, cell.offset, _("yes") if cell.stalled else ""]
        rows.append(row)
    return headers, rows
