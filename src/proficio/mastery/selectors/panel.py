"""What a student's panels show beside their statuses: the pace of the competencies shown,
and the one gradebook cell a rating saved in a panel changed — each read for the student and
competencies shown alone, never for every competency or the whole section."""

from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from proficio.frameworks.api import Competency
from proficio.mastery.models import WorkingStage
from proficio.mastery.pace import Pace, paces_of
from proficio.mastery.selectors.gradebook import GradebookCell, working_stage_value
from proficio.people.api import Person


def competency_paces(
    *, student: Person, competencies: Sequence[Competency], today: date | None = None
) -> dict[int, Pace]:
    """A student's pace on these competencies by competency id, as of `today`; the student
    one the caller was allowed to see, the competencies theirs (as a status lists them)."""
    paces = paces_of(
        students=[student], competencies=list(competencies), today=today or timezone.localdate()
    )
    return {competency_id: pace for (_, competency_id), pace in paces.items()}


def competency_pace(*, student: Person, competency: Competency) -> Pace | None:
    """A student's pace on one competency today; the student one the caller may see."""
    return competency_paces(student=student, competencies=[competency]).get(competency.pk)


def gradebook_cell(*, student: Person, competency: Competency) -> GradebookCell | None:
    """The gradebook's cell for one student and competency, as `gradebook` builds it (None:
    nothing recorded yet); the student one the caller was allowed to see."""
    working = (
        WorkingStage.objects.filter(student=student, competency=competency)
        .annotate(stage_value=working_stage_value())
        .first()
    )
    if working is None:
        return None
    return GradebookCell(
        working_stage=working.ordinal,
        latest_level=working.latest_level,
        latest_stage=working.latest_stage_ordinal,
        latest_observed_at=working.latest_observed_at,
        pace=competency_pace(student=student, competency=competency),
        stage_value=working.stage_value,
    )
