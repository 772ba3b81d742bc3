"""Recording a rating and keeping the derived mastery in step, in one transaction."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from proficio.errors import NotVisible
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.evidence.services import evidence_append
from proficio.frameworks.models import Competency
from proficio.mastery.compute import CompetencyMastery, competency_mastery
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.people.models import Person
from proficio.people.permissions import is_self, is_staff_for_student


def can_rate(assessor: Person, student: Person, source: str) -> bool:
    """Staff rate the students they serve; a student records only self-assessments of their own."""
    # The predicates, not has_perm: a Django superuser must not bypass the school's scoping.
    if is_staff_for_student(assessor, student):
        return True
    return source == EvidenceSource.SELF and is_self(assessor, student)


@transaction.atomic
def evidence_record(
    *,
    assessor: Person,
    student: Person,
    competency: Competency,
    stage: int,
    level: Decimal | float | str,
    observed_at: datetime,
    source: EvidenceSource | str,
    feedback_present: str = "",
    feedback_next: str = "",
    supersedes: Evidence | None = None,
) -> Evidence:
    """Record one rating and bring the student's mastery up to date."""
    if not can_rate(assessor, student, source):
        raise NotVisible(f"No student {student.uuid} that you may rate.")
    evidence = evidence_append(
        assessor=assessor,
        student=student,
        competency=competency,
        stage=stage,
        level=level,
        observed_at=observed_at,
        source=source,
        feedback_present=feedback_present,
        feedback_next=feedback_next,
        supersedes=supersedes,
    )
    mastery_refresh(student=student, competency=competency)
    return evidence


@transaction.atomic
def mastery_refresh(*, student: Person, competency: Competency) -> CompetencyMastery:
    """Recompute and store one student's mastery of one competency."""
    result = competency_mastery(student=student, competency=competency)
    now = timezone.now()
    MasteryRecord.objects.filter(student=student, competency=competency).delete()
    MasteryRecord.objects.bulk_create(
        MasteryRecord(
            student=student,
            competency=competency,
            stage=stage.stage,
            value=stage.evaluation.value,
            mastered=stage.mastered,
            implied=stage.implied,
            evidence_count=stage.evaluation.evidence_count,
            sufficient=stage.evaluation.sufficient,
            policy=result.policy,
            computed_at=now,
            explanation=stage.explanation,
        )
        for stage in result.stages
    )
    latest = result.latest
    WorkingStage.objects.update_or_create(
        student=student,
        competency=competency,
        defaults={
            "ordinal": result.working_stage,
            "latest_level": latest.level if latest else None,
            "latest_stage_ordinal": latest.stage.ordinal if latest else None,
            "latest_observed_at": latest.observed_at if latest else None,
            "updated_at": now,
        },
    )
    return result
