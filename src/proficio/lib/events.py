"""What happened, told to systems outside Proficio once it is committed.

An app publishes events (a rating recorded, a stage mastered, an advancement decided)
without knowing who listens; the webhooks app, above every app, subscribes. Its listener
records the messages in the publishing transaction and sends them after the commit: a
rolled-back change tells no one, and a committed one is never lost between the two. Events
name people and stages by their ids (`student_id`, `stage_id`); the listener turns them
into the identifiers it gives out."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

EVIDENCE_RECORDED = "evidence.recorded"
STAGE_MASTERED = "stage.mastered"
ADVANCEMENT_DECIDED = "advancement.decided"
EVENT_TYPES = (EVIDENCE_RECORDED, STAGE_MASTERED, ADVANCEMENT_DECIDED)

# Sent with `events`, a list of Event, inside the publishing transaction: a listener records
# what it will send in that transaction (so a change and its message commit together or not
# at all) and sends only once it commits.
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
    """Tell the listeners of these events, within the current transaction."""
    events = list(events)
    if events:
        published.send(sender=Event, events=events)
