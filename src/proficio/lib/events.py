"""What happened, told to systems outside Proficio once it is committed.

An app publishes events (a rating recorded, a stage mastered, an advancement decided)
without knowing who listens; the webhooks app, above every app, subscribes. A signal sent
after the transaction commits: a rolled-back change tells no one. Events name people,
competencies and stages by their ids (`student_id`, `competency_id`, `stage_id`); the
listener turns them into the identifiers it gives out."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.dispatch import Signal

EVIDENCE_RECORDED = "evidence.recorded"
STAGE_MASTERED = "stage.mastered"
ADVANCEMENT_DECIDED = "advancement.decided"
EVENT_TYPES = (EVIDENCE_RECORDED, STAGE_MASTERED, ADVANCEMENT_DECIDED)

# Sent with `events`, a list of Event, once the publishing transaction has committed.
published = Signal()

# Who may want a district's events of a type: a publisher with many events asks first, so
# a district nobody listens to pays nothing for them.
_interest: list[Callable[[int, str], bool]] = []


@dataclass(frozen=True)
class Event:
    type: str
    district_id: int
    data: Mapping[str, Any]  # JSON-ready


def interest_register(check: Callable[[int, str], bool]) -> None:
    """A listener says which (district id, event type) it wants (once, as its app loads)."""
    _interest.append(check)


def wanted(district_id: int, event_type: str) -> bool:
    return any(check(district_id, event_type) for check in _interest)


def publish(events: Iterable[Event]) -> None:
    """Tell the listeners of these events once the current transaction commits (at once
    outside one). A listener that fails is logged and fails nothing here."""
    events = list(events)
    if events:
        transaction.on_commit(lambda: published.send(sender=Event, events=events), robust=True)
