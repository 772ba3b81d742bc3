"""Appending evidence: validated, atomic, never an update or a delete."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from proficio.evidence.models import Evidence, EvidenceSource
from proficio.frameworks.api import Competency
from proficio.lib.errors import InvalidInput
from proficio.people.api import Person

# A device clock a little ahead of the server's must not make today's work "future".
CLOCK_SKEW = timedelta(minutes=10)
FEEDBACK_MAX = 10_000


def _check_level(competency: Competency, level: Decimal | float | str) -> Decimal:
    try:
        value = Decimal(str(level))
    except InvalidOperation as bad:
        raise InvalidInput({"level": f"{level!r} is not a number."}) from bad
    allowed = [lvl.value for lvl in competency.effective_scale.levels.all()]
    if not value.is_finite() or value not in allowed:
        shown = ", ".join(str(v.normalize()) for v in allowed)
        raise InvalidInput({"level": f"{level} is not on the scale; use one of {shown}."})
    return value


@transaction.atomic
def evidence_append(
    *,
    assessor: Person | None,
    student: Person,
    competency: Competency,
    stage: int,
    level: Decimal | float | str,
    observed_at: datetime,
    source: EvidenceSource | str,
    feedback_present: str = "",
    feedback_next: str = "",
    weight: Decimal = Decimal(1),
    artifact_url: str = "",
    supersedes: Evidence | None = None,
) -> Evidence:
    """Validate one rating completely, then append it. Permission is the caller's job."""
    errors: dict[str, str] = {}
    if competency.framework.district_id != student.district_id:
        errors["competency"] = f"{competency.code} is not a competency of this student's district."
    # From the stages the competency was read with (`competency_get` prefetches them).
    stage_obj = next((s for s in competency.stages.all() if s.ordinal == stage), None)
    if stage_obj is None:
        ordinals = list(competency.stages.values_list("ordinal", flat=True))
        span = f"{min(ordinals)}–{max(ordinals)}" if ordinals else "none"
        errors["stage"] = f"{competency.code} has no stage {stage} (stages: {span})."
    try:
        level_value = _check_level(competency, level)
    except InvalidInput as bad:
        errors.update(bad.errors)
    if timezone.is_naive(observed_at):
        observed_at = timezone.make_aware(observed_at)
    if observed_at > timezone.now() + CLOCK_SKEW:
        errors["observed_at"] = "The work cannot have been observed in the future."
    if source not in EvidenceSource.values:
        known = ", ".join(EvidenceSource.values)
        errors["source"] = f"Unknown source {source!r}; use one of {known}."
    for name, text in (("feedback_present", feedback_present), ("feedback_next", feedback_next)):
        if len(text) > FEEDBACK_MAX:
            errors[name] = f"Keep feedback under {FEEDBACK_MAX:,} characters."
    if weight < 0:
        errors["weight"] = "Weight cannot be negative."
    if supersedes is not None:
        # Lock the corrected row first so two simultaneous corrections cannot both pass.
        list(Evidence.objects.select_for_update().filter(pk=supersedes.pk))
    if supersedes is not None and (
        supersedes.student_id != student.pk
        or supersedes.competency_id != competency.pk
        or Evidence.objects.filter(supersedes=supersedes).exists()
    ):
        errors["supersedes"] = (
            "Only this student's current rating on this competency can be corrected."
        )
    if errors:
        raise InvalidInput(errors)
    return Evidence.objects.create(
        student=student,
        competency=competency,
        stage=stage_obj,
        level=level_value,
        observed_at=observed_at,
        source=source,
        assessor=assessor,
        feedback_present=feedback_present.strip(),
        feedback_next=feedback_next.strip(),
        weight=weight,
        artifact_url=artifact_url,
        supersedes=supersedes,
    )
