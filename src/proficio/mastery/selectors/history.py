"""Mastery under earlier policy versions: what a change of policy replaced."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from proficio.engine import format_result
from proficio.frameworks.api import Competency, Stage, competency_get
from proficio.mastery.models import MasteryPolicy, MasteryRecordHistory
from proficio.people.api import Person, student_get


@dataclass(frozen=True)
class PastValue:
    """A stage's value as an earlier policy version produced it, until a new one took over."""

    stage: Stage
    value: float | None
    mastered: bool
    sufficient: bool
    evidence_count: int
    policy: MasteryPolicy
    replaced_at: datetime

    @property
    def reading(self) -> str:
        """The value as the page showed it then: "2.67", with its sufficiency."""
        if self.value is None:
            return _("no result yet")
        if not self.sufficient:
            return _("%(value)s, not enough evidence yet") % {
                "value": format_result(self.policy.method, self.value)
            }
        return format_result(self.policy.method, self.value)


def mastery_history(*, user: Person, student_id: str, competency_id: str) -> list[PastValue]:
    """What a visible student's stages of one competency read under earlier policy
    versions, the most recent change first; stages that read nothing then are left out."""
    student = student_get(user=user, student_id=student_id)
    competency = competency_get(user=user, competency_id=competency_id)
    return competency_history(student=student, competency=competency)


def competency_history(*, student: Person, competency: Competency) -> list[PastValue]:
    """`mastery_history` for a student and competency the caller has already read through
    their scoped selectors, so a page that holds them does not read them again."""
    rows = (
        MasteryRecordHistory.objects.filter(student=student, competency=competency)
        .select_related("policy", "stage")
        .order_by("-replaced_at", "stage__ordinal")
    )
    return [
        PastValue(
            stage=row.stage,
            value=row.value,
            mastered=row.mastered,
            sufficient=row.sufficient,
            evidence_count=row.evidence_count,
            policy=row.policy,
            replaced_at=row.replaced_at,
        )
        for row in rows
        if row.value is not None or row.mastered
    ]
