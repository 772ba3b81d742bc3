"""Writing the audit trail. Recording never breaks the action it records: a failed insert is
logged and rolled back to its own savepoint, and the caller's transaction goes on."""

import logging
from collections.abc import Collection, Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from proficio.audit.actions import AUDIT_PRUNED, GUARDIAN_LINKED
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


# Data keys of an action about a student that name someone else, whose name would say who
# an erased student was, and what is written in their place: a guardian names the family.
RELATIONS_NAMED = {GUARDIAN_LINKED: {"guardian": "a guardian"}}


def names_pseudonymise(
    *,
    person: Any,
    pseudonym: str,
    former: Collection[str] = (),
    relatives: Mapping[str, str] | None = None,
) -> int:
    """Write `pseudonym` over an erased person's identity in every entry about them — as the
    student, as the actor, or as what the action was done to — and return how many entries
    changed. Their name goes from `student_name` and `actor_name`; any value in `data` that
    is one of their `former` identifiers (username, names, email), or holds their full name
    or email, has the pseudonym in its place. In the entries about them as the student, a
    relative they name would say who the pseudonym was: `relatives` maps each relative's
    identifiers to the relation's words ("a guardian"), written over them the same way, and a
    linked guardian is no longer the entry's target. The entries themselves stay, for the
    retention, and still point at the same person (docs/decisions/0015)."""
    entries = AuditEntry.objects.all()
    about = (
        models.Q(student_id=person.pk)
        | models.Q(actor_id=person.pk)
        | models.Q(target_type=_target(person)[0], target_id=_target(person)[1])
    )
    changed = set(entries.filter(student_id=person.pk).values_list("pk", flat=True))
    changed |= set(entries.filter(actor_id=person.pk).values_list("pk", flat=True))
    entries.filter(student_id=person.pk)._pseudonymise(student_name=pseudonym)
    entries.filter(actor_id=person.pk)._pseudonymise(actor_name=pseudonym)
    own = {identifier: pseudonym for identifier in former if identifier}
    with_relatives = {
        identifier: words for identifier, words in (relatives or {}).items() if identifier
    } | own
    for entry in entries.filter(about).only("pk", "action", "student", "data").iterator():
        about_them = entry.student_id == person.pk
        data = _identifiers_replaced(entry.data, with_relatives if about_them else own)
        relations = RELATIONS_NAMED.get(entry.action, {}) if about_them else {}
        named = {key: value for key, value in relations.items() if key in data}
        if data == entry.data and not named:
            continue
        fields: dict[str, Any] = {"data": {**data, **named}}
        if named:
            fields |= {"target_type": "", "target_id": ""}
        entries.filter(pk=entry.pk)._pseudonymise(**fields)
        changed.add(entry.pk)
    return len(changed)


def _identifiers_replaced(value: Any, replacements: Mapping[str, str]) -> Any:
    """`value` with every string that is one of the identifiers of `replacements` replaced, at
    any depth; within a longer string (a row as the admin names it, "Ann Lee — Student
    (North)") the identifiers that cannot be ordinary words — a full name, an email — are
    replaced where they occur, the longest first."""
    if isinstance(value, str):
        if value in replacements:
            return replacements[value]
        for identifier in sorted(replacements, key=len, reverse=True):
            if " " in identifier or "@" in identifier:
                value = value.replace(identifier, replacements[identifier])
        return value
    if isinstance(value, dict):
        return {key: _identifiers_replaced(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_identifiers_replaced(item, replacements) for item in value]
    return value


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
