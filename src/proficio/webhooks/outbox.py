"""Published events become deliveries: for each subscription of the event's district that
chose its type, one message per 500 events of one transaction (a bulk import of ratings
sends a few hundred messages, not thousands), each queued for the task worker."""

import json
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from proficio.lib.events import Event
from proficio.webhooks.models import Delivery, Subscription
from proficio.webhooks.tasks import schedule

EVENTS_PER_MESSAGE = 500


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
                    schedule(delivery_create(subscription, event_type, chunk))


def delivery_create(subscription: Subscription, event_type: str, events: list[Event]) -> Delivery:
    body = json.dumps(
        {
            "type": event_type,
            "timestamp": timezone.now().isoformat(),
            "data": [event.data for event in events],
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return Delivery.objects.create(
        subscription=subscription, event_type=event_type, events=len(events), body=body
    )
