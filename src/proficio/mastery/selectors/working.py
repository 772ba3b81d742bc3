"""Where many students work on many competencies, as stored now: one read for a whole school,
for reports that place each student against their age-grade (reports.bridge)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from proficio.mastery.models import WorkingStage


@dataclass(frozen=True)
class WorkingPlace:
    """One student's place on one competency's trajectory.

    `ordinal` is the working stage (the lowest not mastered), None once every stage is
    mastered (`completed`). `established` says whether the ratings place the work there (a
    stage is mastered, or the working stage itself is rated) or only default it to the first
    stage, as pace reads it (engine.pace.WorkHistory.placed_stage)."""

    ordinal: int | None
    completed: bool
    established: bool
    latest_observed_at: datetime | None = None  # when the latest rating's work was done

    @property
    def placed_stage(self) -> int | None:
        """The working stage when the ratings establish it; else None."""
        return self.ordinal if self.established and not self.completed else None


def working_places(
    *, students: QuerySet | Iterable[int], competency_ids: Iterable[int]
) -> dict[tuple[int, int], WorkingPlace]:
    """(student id, competency id) → the stored working stage, for the students (a queryset
    of people or their ids, which the caller got through a scoped selector) on these
    competencies, in one query. A pair with no rating yet has no entry.

    Rows written before pace facts were stored say nothing of whether the ratings establish
    the stage: their stored working stage is taken as placed."""
    student_ids = students.values("pk") if isinstance(students, QuerySet) else list(students)
    rows = WorkingStage.objects.filter(
        student_id__in=student_ids, competency_id__in=list(competency_ids)
    ).values_list(
        "student_id", "competency_id", "ordinal", "pace_facts__established", "latest_observed_at"
    )
    return {
        (student_id, competency_id): WorkingPlace(
            ordinal=ordinal,
            completed=ordinal is None,
            established=established is not False,
            latest_observed_at=latest,
        )
        for student_id, competency_id, ordinal, established, latest in rows
    }
