"""Reads of mastery for pages and the API, scoped to the requesting user."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from proficio.evidence.models import Evidence
from proficio.evidence.selectors import evidence_of
from proficio.frameworks.models import Competency, Stage
from proficio.frameworks.selectors import competencies_for_student
from proficio.mastery.compute import competency_mastery
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.people.models import Person, Section
from proficio.people.selectors import section_students, student_get


@dataclass(frozen=True)
class StageStatus:
    stage: Stage
    value: float | None
    mastered: bool
    implied: bool
    sufficient: bool
    evidence_count: int
    explanation: str


@dataclass(frozen=True)
class CompetencyStatus:
    competency: Competency
    working_stage: int | None
    stages: list[StageStatus]

    @property
    def working(self) -> StageStatus | None:
        return next((s for s in self.stages if s.stage.ordinal == self.working_stage), None)

    @property
    def completed(self) -> bool:
        return self.working_stage is None and bool(self.stages)


def _computed(student: Person, competency: Competency, as_of: date | None) -> CompetencyStatus:
    result = competency_mastery(student=student, competency=competency, as_of=as_of)
    return CompetencyStatus(
        competency=competency,
        working_stage=result.working_stage,
        stages=[
            StageStatus(
                stage=s.stage,
                value=s.evaluation.value,
                mastered=s.mastered,
                implied=s.implied,
                sufficient=s.evaluation.sufficient,
                evidence_count=s.evaluation.evidence_count,
                explanation=s.explanation,
            )
            for s in result.stages
        ],
    )


def student_mastery(
    *, user: Person, student_id: str, as_of: date | None = None
) -> tuple[Person, list[CompetencyStatus]]:
    """Every competency of a student the user may see, as stored now or as of a past day."""
    student = student_get(user=user, student_id=student_id)
    competencies = list(competencies_for_student(student))
    if as_of is not None:
        return student, [_computed(student, c, as_of) for c in competencies]
    records: dict[int, list[MasteryRecord]] = {}
    for record in MasteryRecord.objects.filter(student=student).order_by("stage__ordinal"):
        records.setdefault(record.competency_id, []).append(record)
    working = {w.competency_id: w.ordinal for w in WorkingStage.objects.filter(student=student)}
    statuses = []
    for competency in competencies:
        stored = records.get(competency.pk)
        if stored is None:
            statuses.append(_computed(student, competency, None))
            continue
        by_stage = {record.stage_id: record for record in stored}
        statuses.append(
            CompetencyStatus(
                competency=competency,
                working_stage=working.get(competency.pk),
                stages=[
                    StageStatus(
                        stage=stage,
                        value=by_stage[stage.pk].value,
                        mastered=by_stage[stage.pk].mastered,
                        implied=by_stage[stage.pk].implied,
                        sufficient=by_stage[stage.pk].sufficient,
                        evidence_count=by_stage[stage.pk].evidence_count,
                        explanation=by_stage[stage.pk].explanation,
                    )
                    for stage in competency.stages.all()
                    if stage.pk in by_stage
                ],
            )
        )
    return student, statuses


@dataclass(frozen=True)
class GradebookCell:
    working_stage: int | None
    latest_level: Decimal | None
    latest_stage: int | None
    latest_observed_at: datetime | None


@dataclass(frozen=True)
class Gradebook:
    section: Section
    students: list[Person]
    competencies: list[Competency]
    cells: dict[tuple[int, int], GradebookCell]

    def cell(self, student: Person, competency: Competency) -> GradebookCell | None:
        return self.cells.get((student.pk, competency.pk))


def gradebook(*, user: Person, section: Section) -> Gradebook:
    """Students × competencies for a section the caller has already been allowed to open."""
    students = list(section_students(user=user, section=section))
    competencies = list(competencies_for_student(user))
    working = WorkingStage.objects.filter(student__in=students, competency__in=competencies)
    cells = {
        (w.student_id, w.competency_id): GradebookCell(
            working_stage=w.ordinal,
            latest_level=w.latest_level,
            latest_stage=w.latest_stage_ordinal,
            latest_observed_at=w.latest_observed_at,
        )
        for w in working
    }
    return Gradebook(section=section, students=students, competencies=competencies, cells=cells)


def evidence_for(
    *, user: Person, student_id: str, competency: Competency, as_of: date | None = None
) -> list[Evidence]:
    """A visible student's evidence on one competency, oldest work first."""
    student = student_get(user=user, student_id=student_id)
    return list(evidence_of(student=student, competency=competency, as_of=as_of))
