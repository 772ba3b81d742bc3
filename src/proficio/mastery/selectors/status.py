"""Where a student stands on each competency, or on the one a panel shows, as stored now or
as of a past day."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import F
from django.utils import translation

from proficio.frameworks.api import Competency, Stage, competencies_for_student
from proficio.lib.numbers import localized_decimals
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
    # The method of the policy the values come from: how they read (`engine.format_result`).
    method: str = ""

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
        method=result.policy.method,
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


def first_look_status(competency: Competency) -> CompetencyStatus:
    """A competency as a student with no evidence on it yet sees it: working at stage 1."""
    stages = list(competency.stages.all())
    return CompetencyStatus(
        competency=competency,
        working_stage=stages[0].ordinal if stages else None,
        stages=[
            StageStatus(
                stage=stage,
                value=None,
                mastered=False,
                implied=False,
                sufficient=False,
                evidence_count=0,
                explanation="No evidence yet.",
            )
            for stage in stages
        ],
    )


def student_mastery(
    *, user: Person, student_id: str, as_of: date | None = None
) -> tuple[Person, list[CompetencyStatus]]:
    """Every competency of a student the user may see, as stored now or as of a past day."""
    student = student_get(user=user, student_id=student_id)
    if as_of is not None:
        competencies = list(competencies_for_student(student))
        return student, [_computed(student, c, as_of) for c in competencies]
    return student, students_mastery(students=[student])[student.pk]


def students_mastery(
    *, students: Sequence[Person], explained: bool = True
) -> dict[int, list[CompetencyStatus]]:
    """Every competency of each student, as stored now, by student id; for students the
    caller got through a scoped selector (`children_of`, `section_students`). One read of
    the competencies per district and one of the records for all the students, however many
    there are. A page that shows no explanations passes `explained=False`: the records the
    bulk recompute left unexplained are then not explained from the evidence."""
    competencies: dict[tuple[int | None, bool], list[Competency]] = {}
    for student in students:
        # A student is measured on their district's competencies (none once deactivated).
        key = (student.district_id, student.is_active)
        if key not in competencies:
            competencies[key] = list(competencies_for_student(student))
    records: dict[tuple[int, int], list[MasteryRecord]] = {}
    stored = MasteryRecord.objects.filter(
        student__in=[student.pk for student in students]
    ).annotate(policy_method=F("policy__method"))
    for record in stored.order_by("stage__ordinal"):
        records.setdefault((record.student_id, record.competency_id), []).append(record)
    policies: dict[int, MasteryPolicy] = {}
    return {
        student.pk: [
            _status(
                student,
                competency,
                records.get((student.pk, competency.pk)),
                policies if explained else None,
            )
            for competency in competencies[student.district_id, student.is_active]
        ]
        for student in students
    }


def competency_status(*, student: Person, competency: Competency) -> CompetencyStatus:
    """One competency of a student the caller was allowed to see (`student_get`), as stored
    now: the one panel a page shows reads that competency's records and nothing else."""
    stored = list(
        MasteryRecord.objects.filter(student=student, competency=competency)
        .annotate(policy_method=F("policy__method"))
        .order_by("stage__ordinal")
    )
    return _status(student, competency, stored or None, {})


def _status(
    student: Person,
    competency: Competency,
    stored: list[MasteryRecord] | None,
    policies: dict[int, MasteryPolicy] | None,
) -> CompetencyStatus:
    """A competency's status from its stored records, computed when there are none yet;
    `policies` None: the stored explanations as they are, none rebuilt."""
    if stored is None:
        return _computed(student, competency, None)
    by_stage = {record.stage_id: record for record in stored}
    explanations = (
        _explanations(student, competency, stored, policies)
        if policies is not None
        else {record.stage_id: record.explanation for record in stored}
    )
    # The first stage not mastered, read off the very records shown beside it.
    working = next(
        (
            stage.ordinal
            for stage in competency.stages.all()
            if stage.pk not in by_stage or not by_stage[stage.pk].mastered
        ),
        None,
    )
    return CompetencyStatus(
        competency=competency,
        working_stage=working,
        method=stored[0].policy_method,  # one competency's records come from one version
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


def _explanations(
    student: Person,
    competency: Competency,
    stored: list[MasteryRecord],
    policies: dict[int, MasteryPolicy],
) -> dict[int, str]:
    """Each stored record's explanation by stage. Records the bulk recompute wrote before it
    stored explanations (ADR 0025) have none until their next rating or recompute: those are
    explained here from the evidence, under the policy version that produced the record. So
    are all of them for a reader in another language than the one they are stored in (ADR
    0038)."""
    reading = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if reading == settings.LANGUAGE_CODE:
        explained = {record.stage_id: record.explanation for record in stored}
        if all(explained.values()):
            return explained
    else:
        explained = {}
    policy_id = stored[0].policy_id  # one competency's records come from one version
    if policy_id not in policies:
        policies[policy_id] = MasteryPolicy.objects.get(pk=policy_id)
    result = competency_mastery(student=student, competency=competency, policy=policies[policy_id])
    for stage in result.stages:
        if not explained.get(stage.stage.pk):
            explained[stage.stage.pk] = localized_decimals(stage.explanation)
    return explained


def mastered_stages(
    *, student_ids: Sequence[int], stage_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """(student id, stage id) of each of these stages mastered now (directly or through a
    higher stage) by each of these students, as stored: one narrow query, for pages that
    only ask "is it mastered" of many students (advancement proposals)."""
    return set(
        MasteryRecord.objects.filter(
            student_id__in=list(student_ids), stage_id__in=list(stage_ids), mastered=True
        ).values_list("student_id", "stage_id")
    )
