"""Published events become deliveries: for each subscription of the event's district that
chose its type, one message per 500 events of one transaction (a bulk import of ratings
sends a few hundred messages, not thousands), recorded in that transaction and queued for
the task worker once it commits."""

import json
from collections import defaultdict
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from proficio.frameworks.api import competency_case_identifiers, stages_public_ids
from proficio.lib.events import Event
from proficio.people.api import people_public_ids
from proficio.webhooks.models import Delivery, Subscription
from proficio.webhooks.tasks import schedule

EVENTS_PER_MESSAGE = 500


def subscribed(district_id: int, event_type: str) -> bool:
    """Whether a live subscription of the district wants events of this type."""
    return any(
        event_type in types
        for types in Subscription.objects.filter(
            district_id=district_id, revoked_at=None
        ).values_list("event_types", flat=True)
    )


def _public(events: list[Event]) -> list[dict]:
    """The events' data with people, competencies and stages named as other systems know
    them (uuids, sourcedIds, codes, CASE identifiers), not by Proficio's row ids."""
    people = people_public_ids({e.data["student_id"] for e in events if "student_id" in e.data})
    stages = stages_public_ids({e.data["stage_id"] for e in events if "stage_id" in e.data})
    case_ids = competency_case_identifiers({competency for competency, *_rest in stages.values()})
    shown = []
    for event in events:
        data = dict(event.data)
        if "student_id" in data:
            uuid, sourced_id = people[data.pop("student_id")]
            data |= {"student": uuid, "studentSourcedId": sourced_id}
        if "stage_id" in data:
            competency_id, uuid, code, ordinal = stages[data.pop("stage_id")]
            data |= {
                "competency": uuid,
                "competencyCode": code,
                "competencyCaseIdentifier": case_ids.get(competency_id),
                "stage": ordinal,
            }
        shown.append(data)
    return shown


def events_heard(sender, events: list[Event], **kwargs) -> None:
    grouped: dict[tuple[int, str], list[Event]] = defaultdict(list)
    for event in events:
        grouped[(event.district_id, event.type)].append(event)
    subscriptions = list(
        Subscription.objects.filter(
            district_id__in={district for district, _type in grouped}, revoked_at=None
        )
    )
    if not subscriptions:
        return
    for (district_id, event_type), of_type in grouped.items():
        for subscription in subscriptions:
            wanted = subscription.district_id == district_id
            if wanted and event_type in subscription.event_types:
                for start in range(0, len(of_type), EVENTS_PER_MESSAGE):
                    chunk = of_type[start : start + EVENTS_PER_MESSAGE]
                    delivery = delivery_create(subscription, event_type, chunk)
                    transaction.on_commit(partial(schedule, delivery), robust=True)


def delivery_create(subscription: Subscription, event_type: str, events: list[Event]) -> Delivery:
    body = json.dumps(
        {
            "type": event_type,
            "timestamp": timezone.now().isoformat(),
            "data": _public(events),
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return Delivery.objects.create(
        subscription=subscription, event_type=event_type, events=len(events), body=body
    )
