"""Supports for students (issue 13, item 5): small-group instruction, intervention, tutoring,
accommodations — recorded by staff who serve the student, with a start, an end and an
outcome; read by the student's teachers, admins, guardians and the student."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from proficio.audit import api as audit
from proficio.frameworks.api import Competency
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.pathways.models import Support, SupportKind
from proficio.people.api import Person, serves_as_staff, students_visible_to

TEXT_MAX = 5000


@transaction.atomic
def support_record(
    *,
    actor: Person,
    student: Person,
    kind: str,
    description: str,
    starts_on: date,
    competency: Competency | None = None,
) -> Support:
    if not serves_as_staff(actor, student):
        raise NotVisible(f"No student {student.uuid}.")
    description = description.strip()
    errors = {}
    if kind not in SupportKind.values:
        errors["kind"] = "Small group, intervention, tutoring or accommodation."
    if not description:
        errors["description"] = "Say what the support is."
    elif len(description) > TEXT_MAX:
        errors["description"] = f"Keep it under {TEXT_MAX:,} characters."
    if competency is not None and competency.framework.district_id != student.district_id:
        errors["competency"] = "That competency is not the student's district's."
    if starts_on > timezone.localdate():
        errors["starts_on"] = "Record a support once it has started."
    if errors:
        raise InvalidInput(errors)
    support = Support.objects.create(
        student=student,
        kind=kind,
        description=description,
        competency=competency,
        starts_on=starts_on,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=audit.SUPPORT_RECORDED,
        student=student,
        target=support,
        data={"kind": kind, "competency": competency.code if competency else None},
    )
    return support


@transaction.atomic
def support_end(*, actor: Person, support: Support, ends_on: date, outcome: str) -> Support:
    if not serves_as_staff(actor, support.student):
        raise NotVisible(f"No support {support.uuid}.")
    outcome = outcome.strip()
    errors = {}
    if support.ends_on is not None:
        errors["ends_on"] = "This support has ended."
    elif ends_on < support.starts_on:
        errors["ends_on"] = "It ends after it starts."
    if not outcome:
        errors["outcome"] = "Say how it went."
    if errors:
        raise InvalidInput(errors)
    support.ends_on, support.outcome = ends_on, outcome
    support.save(update_fields=["ends_on", "outcome"])
    audit.record(
        actor=actor,
        action=audit.SUPPORT_RECORDED,
        student=support.student,
        target=support,
        data={"ended": ends_on.isoformat()},
    )
    return support


def supports_visible_to(user: Person) -> QuerySet[Support]:
    return Support.objects.filter(student__in=students_visible_to(user)).select_related(
        "competency", "recorded_by"
    )


def supports_now(*, user: Person, students: Sequence[Person]) -> dict[int, list[Support]]:
    """The supports in place today for each of these students (student pk → list), one query."""
    today = timezone.localdate()
    found: dict[int, list[Support]] = {}
    for support in supports_visible_to(user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        student__in=[student.pk for student in students],
        starts_on__lte=today,
    ):
        found.setdefault(support.student_id, []).append(support)
    return found


def supported_competencies(
    *, user: Person, student_ids: Iterable[int], on: date | None = None
) -> dict[int, set[int | None]]:
    """For each of these students with a support in place on `on` (today by default), the
    competencies their supports are for — None for one on every competency — in one query:
    for pages that count who has support (the school dashboard), not show it."""
    day = on or timezone.localdate()
    found: dict[int, set[int | None]] = {}
    rows = supports_visible_to(user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        student_id__in=list(student_ids),
        starts_on__lte=day,
    )
    for student_id, competency_id in rows.values_list("student_id", "competency_id"):
        found.setdefault(student_id, set()).add(competency_id)
    return found
