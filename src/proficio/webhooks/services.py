"""A district admin subscribes an endpoint to events (its secret shown once), revokes it,
or sends it a test message. Subscribing and revoking are audited."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.events import EVENT_TYPES, Event
from proficio.lib.outbound import address_problem
from proficio.people.api import District, Person
from proficio.webhooks.models import Delivery, Subscription
from proficio.webhooks.outbox import delivery_create
from proficio.webhooks.sending import secret_new
from proficio.webhooks.tasks import schedule

TEST_EVENT = "webhook.test"


@transaction.atomic
def subscription_create(
    *,
    actor: Person | None,
    district: District,
    url: str,
    description: str,
    event_types: list[str],
) -> Subscription:
    url, description = url.strip(), description.strip()
    errors = {}
    if problem := address_problem(url):
        errors["url"] = problem
    if not description:
        errors["description"] = _("Say what the endpoint is, e.g. the SIS's mastery feed.")
    chosen = [kind for kind in EVENT_TYPES if kind in event_types]
    if not chosen or len(chosen) != len(set(event_types)):
        errors["event_types"] = _("Choose the events to send.")
    if errors:
        raise InvalidInput(errors)
    subscription = Subscription.objects.create(
        district=district,
        url=url,
        description=description[:200],
        event_types=chosen,
        secret=secret_new(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=audit.WEBHOOK_CHANGED,
        district_id=district.pk,
        target=subscription,
        data={"endpoint": url, "events": chosen, "change": "subscribed"},
    )
    return subscription


def _live(district: District, subscription_id: int) -> Subscription:
    subscription = Subscription.objects.filter(
        district=district, pk=subscription_id, revoked_at=None
    ).first()
    if subscription is None:
        raise NotVisible(_("There is no such subscription."))
    return subscription


@transaction.atomic
def subscription_revoke(*, actor: Person | None, district: District, subscription_id: int) -> None:
    """No more messages; those waiting for a retry are given up."""
    subscription = _live(district, subscription_id)
    subscription.revoked_at = timezone.now()
    subscription.save(update_fields=["revoked_at"])
    subscription.deliveries.filter(state=Delivery.State.PENDING).update(
        state=Delivery.State.FAILED, next_attempt_at=None, last_error="The subscription is revoked."
    )
    audit.record(
        actor=actor,
        action=audit.WEBHOOK_CHANGED,
        district_id=district.pk,
        target=subscription,
        data={"endpoint": subscription.url, "change": "revoked"},
    )


def subscription_test(*, district: District, subscription_id: int) -> Delivery:
    """A message of type `webhook.test` that names no one, to try the endpoint."""
    subscription = _live(district, subscription_id)
    delivery = delivery_create(
        subscription,
        TEST_EVENT,
        [
            Event(
                type=TEST_EVENT,
                district_id=district.pk,
                data={"subscription": str(subscription.uuid)},
            )
        ],
    )
    transaction.on_commit(lambda: schedule(delivery))
    return delivery
