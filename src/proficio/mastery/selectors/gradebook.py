"""A section's gradebook: students × competencies, each cell with its working stage, latest
rating and pace."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from proficio.frameworks.api import Competency, competencies_for_student
from proficio.mastery.models import WorkingStage
from proficio.mastery.pace import Pace, paces_of
from proficio.people.api import Person, Section, section_students


@dataclass(frozen=True)
class GradebookCell:
    working_stage: int | None
    latest_level: Decimal | None
    latest_stage: int | None
    latest_observed_at: datetime | None
    pace: Pace | None = None


@dataclass(frozen=True)
class Gradebook:
    section: Section
    students: list[Person]
    competencies: list[Competency]
    cells: dict[tuple[int, int], GradebookCell]

    def cell(self, student: Person, competency: Competency) -> GradebookCell | None:
        return self.cells.get((student.pk, competency.pk))


def gradebook(*, user: Person, section: Section, today: date | None = None) -> Gradebook:
    """Students × competencies for a section the caller has already been allowed to open,
    each cell with its pace as of `today`."""
    students = list(section_students(user=user, section=section))
    competencies = list(competencies_for_student(user))
    working = WorkingStage.objects.filter(student__in=students, competency__in=competencies)
    paces = paces_of(
        students=students, competencies=competencies, today=today or timezone.localdate()
    )
    cells = {
        (w.student_id, w.competency_id): GradebookCell(
            working_stage=w.ordinal,
            latest_level=w.latest_level,
            latest_stage=w.latest_stage_ordinal,
            latest_observed_at=w.latest_observed_at,
            pace=paces.get((w.student_id, w.competency_id)),
        )
        for w in working
    }
    return Gradebook(section=section, students=students, competencies=competencies, cells=cells)
