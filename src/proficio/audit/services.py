"""Writing the audit trail. Recording never breaks the action it records: a failed insert is
logged and rolled back to its own savepoint, and the caller's transaction goes on."""

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from proficio.audit.actions import AUDIT_PRUNED
from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput

logger = logging.getLogger("proficio.audit")


def record(
    *,
    actor: Any,
    action: str,
    student: Any = None,
    district_id: int | None = None,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Add one entry: `actor` (None for the system) did `action`, about `student`, to `target`.

    The entry belongs to `district_id`, else the student's district, else the actor's.
    """
    actor = _person(actor)
    if district_id is None:
        district_id = _district_id(student) or _district_id(actor)
    target_type, target_id = _target(target)
    entry = AuditEntry(
        actor=actor,
        actor_name=_label(actor),
        action=action,
        student=student,
        student_name=_label(student),
        district_id=district_id,
        target_type=target_type,
        target_id=target_id,
        data=dict(data or {}),
    )
    try:
        with transaction.atomic():
            entry.save()
    except DatabaseError:
        logger.exception("Could not record %r by %s in the audit trail.", action, entry.actor_name)


def record_views(
    *,
    actor: Any,
    action: str,
    students: Iterable[Any],
    data: Mapping[str, Any] | None = None,
) -> None:
    """One entry per student `actor` saw on one page, in one insert; the actor's own record,
    seen by themself, is not logged."""
    actor = _person(actor)
    actor_name = _label(actor)
    actor_pk = actor.pk if actor is not None else None
    entries = [
        AuditEntry(
            actor=actor,
            actor_name=actor_name,
            action=action,
            student=student,
            student_name=_label(student),
            district_id=_district_id(student) or _district_id(actor),
            data=dict(data or {}),
        )
        for student in students
        if student.pk != actor_pk
    ]
    if not entries:
        return
    try:
        with transaction.atomic():
            AuditEntry.objects.bulk_create(entries)
    except DatabaseError:
        logger.exception(
            "Could not record %r of %s students by %s in the audit trail.",
            action,
            len(entries),
            actor_name,
        )


def prune(*, older_than_days: int | None = None) -> int:
    """Remove the entries older than the retention (PROFICIO_AUDIT_RETENTION_DAYS unless
    given); return how many went. The removal is itself recorded."""
    days = settings.PROFICIO_AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise InvalidInput({"older_than_days": "The retention cannot be negative."})
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        removed = AuditEntry.objects.filter(at__lt=cutoff)._prune()
        if removed:
            AuditEntry.objects.create(
                action=AUDIT_PRUNED,
                data={"removed": removed, "older_than_days": days, "before": cutoff},
            )
    return removed


def names_pseudonymise(*, person: Any, pseudonym: str) -> int:
    """Write `pseudonym` over an erased person's name in every entry that names them, as the
    student or as the actor; return how many entries changed. The entries themselves stay,
    for the retention, and still point at the same person (docs/decisions/0015)."""
    entries = AuditEntry.objects.all()
    naming = entries.filter(models.Q(student_id=person.pk) | models.Q(actor_id=person.pk)).count()
    entries.filter(student_id=person.pk)._pseudonymise(student_name=pseudonym)
    entries.filter(actor_id=person.pk)._pseudonymise(actor_name=pseudonym)
    return naming


def _person(who: Any) -> Any:
    """A saved person, or None for the system (an anonymous visitor counts as nobody)."""
    if who is None or getattr(who, "pk", None) is None:
        return None
    if getattr(who, "is_anonymous", False):
        return None
    return who


def _label(person: Any) -> str:
    if person is None:
        return ""
    return str(getattr(person, "display_name", "") or person)[:300]


def _district_id(person: Any) -> int | None:
    return getattr(person, "district_id", None) if person is not None else None


def _target(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    identifier = getattr(target, "uuid", None) or target.pk
    return type(target).__name__.lower(), "" if identifier is None else str(identifier)
