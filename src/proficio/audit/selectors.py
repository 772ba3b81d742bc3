"""Reading the audit trail. The audit app cannot know who holds which role: callers pass the
districts the reader administers, and see only those districts' entries."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from proficio.audit.models import AuditEntry


def entries_for_districts(
    district_ids: Collection[int],
    *,
    student: Any = None,
    actor: Any = None,
    action: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
) -> QuerySet[AuditEntry]:
    """The entries of these districts, newest first, narrowed by the filters given.

    `student` and `actor` are a person, or text their name (or username) contains; `since`
    and `until` are moments, or days counted whole (`until` a day includes that day).
    """
    entries = AuditEntry.objects.filter(district_id__in=list(district_ids))
    if student is not None and student != "":
        entries = entries.filter(_who_q("student", student))
    if actor is not None and actor != "":
        entries = entries.filter(_who_q("actor", actor))
    if action:
        entries = entries.filter(action=action)
    if since is not None:
        entries = entries.filter(at__gte=_moment(since))
    if until is not None:
        if isinstance(until, datetime):
            entries = entries.filter(at__lte=until)
        else:
            entries = entries.filter(at__lt=_moment(until + timedelta(days=1)))
    return entries.order_by("-at", "-pk")


def actions_in_districts(district_ids: Collection[int]) -> list[str]:
    """The actions these districts' entries hold, in alphabetical order, for a filter."""
    return sorted(
        AuditEntry.objects.filter(district_id__in=list(district_ids))
        .order_by()
        .values_list("action", flat=True)
        .distinct()
    )


def _who_q(field: str, who: Any) -> Q:
    if not isinstance(who, str):
        return Q(**{f"{field}_id": who.pk})
    text = who.strip()
    # The name as it was when the entry was written, or the username as it is now.
    return Q(**{f"{field}_name__icontains": text}) | Q(**{f"{field}__username__icontains": text})


def _moment(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time.min))
