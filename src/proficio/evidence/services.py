"""Appending evidence: validated, atomic, never an update or a delete."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from proficio.audit import api as audit
from proficio.evidence.models import Evidence, EvidenceFile, EvidenceSource, StatementShown
from proficio.frameworks.api import Competency, EvidenceStatement, Stage
from proficio.lib.errors import InvalidInput
from proficio.lib.events import EVIDENCE_RECORDED, Event, publish, wanted
from proficio.lib.files.kinds import family_of
from proficio.lib.files.thumbnails import thumbnail_of
from proficio.lib.files.uploads import upload_name
from proficio.lib.rows import instances_insert
from proficio.people.api import Person, earliest_work_days

# A device clock a little ahead of the server's must not make today's work "future".
# Work older than this is a mistyped date, not evidence of where a student is now.
OLDEST_WORK = timedelta(days=3653)
_SOURCES = frozenset(EvidenceSource.values)  # read once: a bulk append checks thousands
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
    artifact_title: str = "",
    supersedes: Evidence | None = None,
    reason: str = "",
    statements: Sequence[UUID | str] = (),
) -> Evidence:
    """Validate one rating completely, then append it. Permission is the caller's job.

    With `supersedes`, the rating corrects that one (`reason`: why, kept with it).
    `statements`: the rated stage's evidence statements (by uuid) the work shows."""
    errors: dict[str, str] = {}
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
    try:
        row = _checked_row(
            assessor=assessor,
            student=student,
            competency=competency,
            stage=stage,
            level=level,
            observed_at=observed_at,
            source=source,
            feedback_present=feedback_present,
            feedback_next=feedback_next,
            weight=weight,
            artifact_url=artifact_url,
            artifact_title=artifact_title,
            first_day=earliest_work_days([student.pk]).get(student.pk),
            # A correction may stay on the retired stage of the rating it corrects.
            retired_ok=supersedes.stage_id if supersedes is not None else None,
        )
    except InvalidInput as bad:
        raise InvalidInput({**bad.errors, **errors}) from None
    if len(reason) > FEEDBACK_MAX:
        errors["reason"] = f"Keep the reason under {FEEDBACK_MAX:,} characters."
    shown = _statements_of(row.stage, statements, errors)
    if errors:
        raise InvalidInput(errors)
    row.supersedes = supersedes
    row.reason = reason.strip()
    row.save(force_insert=True)
    StatementShown.objects.bulk_create(
        StatementShown(evidence=row, statement=statement) for statement in shown
    )
    _publish(student.district_id, [row])
    return row


def _statements_of(
    stage: Stage, given: Sequence[UUID | str], errors: dict[str, str]
) -> list[EvidenceStatement]:
    """The stage's evidence statements named in `given`; an error for any other."""
    if not given:
        return []
    own = {str(statement.uuid): statement for statement in stage.evidence_statements.all()}
    unknown = [str(uuid) for uuid in given if str(uuid) not in own]
    if unknown:
        errors["statements"] = (
            f"Tick only evidence statements of stage {stage.ordinal}, the stage rated."
        )
        return []
    return list({str(uuid): own[str(uuid)] for uuid in given}.values())


@transaction.atomic
def evidence_withdrawal_append(*, assessor: Person, original: Evidence, reason: str) -> Evidence:
    """Append the withdrawal of a rating recorded in error: a row that supersedes it, repeats
    what it was about, and counts for nothing. Permission is the caller's job."""
    list(Evidence.objects.select_for_update().filter(pk=original.pk))
    errors: dict[str, str] = {}
    if original.withdrawn or Evidence.objects.filter(supersedes=original).exists():
        errors["supersedes"] = (
            "This rating has already been corrected or withdrawn: only the current one can be."
        )
    if not reason.strip():
        errors["reason"] = "Say why this rating is withdrawn: the history keeps it."
    elif len(reason) > FEEDBACK_MAX:
        errors["reason"] = f"Keep the reason under {FEEDBACK_MAX:,} characters."
    if errors:
        raise InvalidInput(errors)
    row = Evidence(
        student=original.student,
        competency=original.competency,
        stage=original.stage,
        level=original.level,
        observed_at=original.observed_at,
        source=original.source,
        assessor=assessor,
        supersedes=original,
        withdrawn=True,
        reason=reason.strip(),
    )
    row.save(force_insert=True)
    return row


def _publish(district_id: int | None, rows: Sequence[Evidence]) -> None:
    """Tell the district's listeners of the ratings (`evidence.recorded`), if any listen."""
    if district_id is None or not wanted(district_id, EVIDENCE_RECORDED):
        return
    publish(
        Event(
            EVIDENCE_RECORDED,
            district_id,
            {
                "evidence": str(row.uuid),
                "student_id": row.student_id,
                "stage_id": row.stage_id,
                "level": str(Decimal(row.level).quantize(Decimal("0.01"))),  # as stored
                "observedAt": row.observed_at.isoformat(),
                "source": str(row.source),
                "corrects": str(row.supersedes.uuid) if row.supersedes_id else None,
            },
        )
        for row in rows
    )


@dataclass(frozen=True)
class EvidenceDraft:
    """One rating to append in bulk: the arguments of `evidence_append`, bar corrections."""

    assessor: Person | None
    student: Person
    competency: Competency
    stage: int
    level: Decimal | float | str
    observed_at: datetime
    source: EvidenceSource | str
    feedback_present: str = ""
    feedback_next: str = ""
    weight: Decimal = Decimal(1)
    artifact_url: str = ""
    artifact_title: str = ""


@transaction.atomic
def evidence_append_many(
    *, actor: Person | None, district_id: int, drafts: Sequence[EvidenceDraft]
) -> int:
    """Validate every rating as `evidence_append` does, then append them all in batched
    inserts, or none: an import or a generated district, audited as one entry.

    Mastery is not refreshed here: the caller runs the bulk recompute once the rows are in.
    A rating whose student is not of `district_id` is refused with the rest.
    """
    # Each competency's stages and scale read once, not once per rating.
    competencies = list({id(draft.competency): draft.competency for draft in drafts}.values())
    prefetch_related_objects(competencies, "stages", "scale__levels", "framework__scale__levels")
    first_days = earliest_work_days({draft.student.pk for draft in drafts})
    rows, errors = [], {}
    for index, draft in enumerate(drafts):
        try:
            if draft.student.district_id != district_id:
                raise InvalidInput({"student": "The student is not of this district."})
            rows.append(_checked_row(**vars(draft), first_day=first_days.get(draft.student.pk)))
        except InvalidInput as bad:
            errors.update({f"{index}.{field}": message for field, message in bad.errors.items()})
    if errors:
        raise InvalidInput(errors)
    instances_insert(Evidence, rows)
    _publish(district_id, rows)
    audit.record(
        actor=actor,
        action=audit.EVIDENCE_APPENDED_IN_BULK,
        district_id=district_id,
        data={"ratings": len(rows)},
    )
    return len(rows)


def _checked_row(
    *,
    assessor: Person | None,
    student: Person,
    competency: Competency,
    stage: int,
    level: Decimal | float | str,
    observed_at: datetime,
    source: EvidenceSource | str,
    feedback_present: str,
    feedback_next: str,
    weight: Decimal,
    artifact_url: str,
    first_day: date | None,
    artifact_title: str = "",
    retired_ok: int | None = None,
) -> Evidence:
    """The unsaved row for one rating, or InvalidInput naming every field that is wrong.

    first_day: the first day the student's work can have been done here (`earliest_work_days`),
    if the roster tells. retired_ok: the id of a retired stage the rating may still be on."""
    errors: dict[str, str] = {}
    if competency.framework.district_id != student.district_id:
        errors["competency"] = f"{competency.code} is not a competency of this student's district."
    # From the stages the competency was read with (`competency_get` prefetches them).
    stage_obj = next((s for s in competency.stages.all() if s.ordinal == stage), None)
    if stage_obj is None:
        ordinals = list(competency.stages.values_list("ordinal", flat=True))
        span = f"{min(ordinals)}–{max(ordinals)}" if ordinals else "none"
        errors["stage"] = f"{competency.code} has no stage {stage} (stages: {span})."
    elif stage_obj.retired and stage_obj.pk != retired_ok:
        errors["stage"] = (
            f"Stage {stage} of {competency.code} is retired: it keeps its evidence but takes "
            "no new ratings."
        )
    try:
        level_value = _check_level(competency, level)
    except InvalidInput as bad:
        errors.update(bad.errors)
    if timezone.is_naive(observed_at):
        observed_at = timezone.make_aware(observed_at)
    now = timezone.now()
    if observed_at > now + CLOCK_SKEW:
        errors["observed_at"] = "The work cannot have been observed in the future."
    elif observed_at < now - OLDEST_WORK:
        errors["observed_at"] = (
            f"The work was observed on {timezone.localdate(observed_at):%-d %b %Y}, more than "
            "ten years ago: check the date."
        )
    elif first_day is not None and timezone.localdate(observed_at) < first_day:
        errors["observed_at"] = (
            f"The work was observed on {timezone.localdate(observed_at):%-d %b %Y}, before "
            f"{first_day:%-d %b %Y}, when the student's first enrolment or the district's "
            "first school year began: check the date."
        )
    if source not in _SOURCES:
        known = ", ".join(EvidenceSource.values)
        errors["source"] = f"Unknown source {source!r}; use one of {known}."
    for name, text in (("feedback_present", feedback_present), ("feedback_next", feedback_next)):
        if len(text) > FEEDBACK_MAX:
            errors[name] = f"Keep feedback under {FEEDBACK_MAX:,} characters."
    if weight < 0:
        errors["weight"] = "Weight cannot be negative."
    if errors:
        raise InvalidInput(errors)
    return Evidence(
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
        artifact_title=artifact_title[:400],
    )


def evidence_files_keep(
    *, evidence: Evidence, files: Sequence[UploadedFile], kinds: Sequence[str]
) -> list[EvidenceFile]:
    """Keep files with a rating just appended, each of the content type already read from
    it (`lib.files.uploads.checked_kinds`); images get a preview. Permission and the checks
    are the caller's job, done before the rating was appended."""
    kept = []
    for upload, content_type in zip(files, kinds, strict=True):
        thumbnail = thumbnail_of(upload) if family_of(content_type) == "image" else None
        upload.seek(0)
        kept.append(
            EvidenceFile.objects.create(
                evidence=evidence,
                file=upload,  # Django's storage copies it in chunks, never whole in memory
                name=upload_name(upload),
                content_type=content_type,
                size=upload.size,
                thumbnail=thumbnail or "",
            )
        )
    return kept
