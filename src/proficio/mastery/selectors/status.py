"""Where a student stands on each competency, as stored now or as of a past day, and the
evidence behind it."""

from dataclasses import dataclass
from datetime import date

from proficio.evidence.api import Evidence, evidence_of
from proficio.frameworks.api import Competency, Stage, competencies_for_student
from proficio.mastery.compute import competency_mastery
from proficio.mastery.models import MasteryPolicy, MasteryRecord
from proficio.people.api import Person, student_get


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
    policies: dict[int, MasteryPolicy] = {}
    statuses = []
    for competency in competencies:
        stored = records.get(competency.pk)
        if stored is None:
            statuses.append(_computed(student, competency, None))
            continue
        by_stage = {record.stage_id: record for record in stored}
        explanations = _explanations(student, competency, stored, policies)
        # The first stage not mastered, read off the very records shown beside it.
        working = next(
            (
                stage.ordinal
                for stage in competency.stages.all()
                if stage.pk not in by_stage or not by_stage[stage.pk].mastered
            ),
            None,
        )
        statuses.append(
            CompetencyStatus(
                competency=competency,
                working_stage=working,
                stages=[
                    StageStatus(
                        stage=stage,
                        value=by_stage[stage.pk].value,
                        mastered=by_stage[stage.pk].mastered,
                        implied=by_stage[stage.pk].implied,
                        sufficient=by_stage[stage.pk].sufficient,
                        evidence_count=by_stage[stage.pk].evidence_count,
                        explanation=explanations[stage.pk],
                    )
                    for stage in competency.stages.all()
                    if stage.pk in by_stage
                ],
            )
        )
    return student, statuses


def _explanations(
    student: Person,
    competency: Competency,
    stored: list[MasteryRecord],
    policies: dict[int, MasteryPolicy],
) -> dict[int, str]:
    """Each stored record's explanation by stage. The bulk recompute leaves them empty
    (ADR 0005): those are explained here from the evidence, under the policy version that
    produced the record, so every value still reads with its explanation."""
    explained = {record.stage_id: record.explanation for record in stored}
    if all(explained.values()):
        return explained
    policy_id = stored[0].policy_id  # one competency's records come from one version
    if policy_id not in policies:
        policies[policy_id] = MasteryPolicy.objects.get(pk=policy_id)
    result = competency_mastery(student=student, competency=competency, policy=policies[policy_id])
    for stage in result.stages:
        if not explained.get(stage.stage.pk):
            explained[stage.stage.pk] = stage.explanation
    return explained


def evidence_for(
    *, user: Person, student_id: str, competency: Competency, as_of: date | None = None
) -> list[Evidence]:
    """A visible student's evidence on one competency, oldest work first."""
    student = student_get(user=user, student_id=student_id)
    return list(evidence_of(student=student, competency=competency, as_of=as_of))
