"""What happened, told to systems outside Proficio once it is committed.

An app publishes events (a rating recorded, a stage mastered, an advancement decided)
without knowing who listens; the webhooks app, above every app, subscribes. A signal sent
after the transaction commits: a rolled-back change tells no one."""

from collections.abc import Iterable, Mapping
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


@dataclass(frozen=True)
class Event:
    type: str
    district_id: int
    data: Mapping[str, Any]  # JSON-ready


def publish(events: Iterable[Event]) -> None:
    """Tell the listeners of these events once the current transaction commits (at once
    outside one). A listener that fails is logged and fails nothing here."""
    events = list(events)
    if events:
        transaction.on_commit(lambda: published.send(sender=Event, events=events), robust=True)
