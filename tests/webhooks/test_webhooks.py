"""A district's endpoint hears its events, signed as Standard Webhooks says, retried with
backoff while it fails; nothing of another district's, nothing rolled back."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from proficio.audit.models import AuditEntry
from proficio.lib.events import (
    ADVANCEMENT_DECIDED,
    EVIDENCE_RECORDED,
    STAGE_MASTERED,
    Event,
    publish,
)
from proficio.lib.outbound import address_problem
from proficio.webhooks import sending
from proficio.webhooks.models import Delivery, Subscription
from proficio.webhooks.services import subscription_create, subscription_revoke
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.PROFICIO_OUTBOUND_ALLOW_PRIVATE = True  # the receiver listens on this machine
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def subscription(world, receiver):
    return subscription_create(
        actor=world.district_admin,
        district=world.district,
        url=receiver.url,
        description="SIS mastery feed",
        event_types=[EVIDENCE_RECORDED, STAGE_MASTERED],
    )


def _event(world, kind=EVIDENCE_RECORDED, district=None, number=1):
    return Event(kind, (district or world.district).pk, {"evidence": f"e-{number}", "level": "3"})


def _publish(events, capture):
    with capture(execute=True), transaction.atomic():
        publish(events)


def test_an_event_reaches_the_endpoint_signed(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    _publish([_event(world)], django_capture_on_commit_callbacks)

    [message] = receiver.received
    assert len(base64.b64decode(subscription.secret.removeprefix("whsec_"), validate=True)) == 24
    # The Standard Webhooks library checks it, as a receiver would …
    Webhook(subscription.secret).verify(message.body, message.headers)
    # … and so does the specification, by hand: HMAC-SHA256 of "id.timestamp.body".
    key = base64.b64decode(subscription.secret.removeprefix("whsec_"))
    signed = f"{message.headers['webhook-id']}.{message.headers['webhook-timestamp']}.".encode()
    expected = base64.b64encode(hmac.new(key, signed + message.body, hashlib.sha256).digest())
    assert message.headers["webhook-signature"] == f"v1,{expected.decode()}"
    body = json.loads(message.body)
    assert body["type"] == "evidence.recorded"
    assert body["data"] == [{"evidence": "e-1", "level": "3"}]
    assert Delivery.objects.get().state == "delivered"


def test_a_changed_byte_fails_verification(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import WebhookVerificationError

    _publish([_event(world)], django_capture_on_commit_callbacks)
    [message] = receiver.received
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(message.body.replace(b"3", b"4"), message.headers)


def test_a_failing_endpoint_is_tried_again_later_and_then_given_up(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.status = "503 Service Unavailable"
    _publish([_event(world)], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 503)
    waited = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < waited <= timedelta(seconds=60)

    receiver.status = "200 OK"
    assert sending.attempt(delivery)
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    ids = {message.headers["webhook-id"] for message in receiver.received}
    assert len(ids) == 1  # the same message, for the receiver to deduplicate

    receiver.status = "500 Internal Server Error"
    _publish([_event(world, number=2)], django_capture_on_commit_callbacks)
    failing = Delivery.objects.get(state="pending")
    gaps = []
    while failing.state == "pending":
        before = timezone.now()
        sending.attempt(failing)
        if failing.next_attempt_at:
            gaps.append(round((failing.next_attempt_at - before).total_seconds() / 60))
    assert gaps == [5, 30, 120, 480, 1440]
    assert (failing.state, failing.attempts) == ("failed", 7)


def test_only_the_district_s_chosen_events_are_sent(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    elsewhere = world.other_district_student.district
    _publish(
        [
            _event(world, district=elsewhere),
            _event(world, kind=ADVANCEMENT_DECIDED),
            _event(world, kind=STAGE_MASTERED),
        ],
        django_capture_on_commit_callbacks,
    )
    assert [json.loads(m.body)["type"] for m in receiver.received] == ["stage.mastered"]


def test_a_rolled_back_change_tells_no_one(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish([_event(world)])
        raise RuntimeError("the change fails")
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_a_bulk_import_sends_a_message_per_500_events(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    _publish([_event(world, number=n) for n in range(1200)], django_capture_on_commit_callbacks)
    assert [json.loads(m.body)["data"].__len__() for m in receiver.received] == [500, 500, 200]


def test_a_revoked_subscription_hears_nothing_more(
    world, subscription, receiver, django_capture_on_commit_callbacks
):
    subscription_revoke(
        actor=world.district_admin, district=world.district, subscription_id=subscription.pk
    )
    _publish([_event(world)], django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert AuditEntry.objects.filter(action="webhook.changed").count() == 2


def test_only_public_https_endpoints(world, settings):
    settings.PROFICIO_OUTBOUND_ALLOW_PRIVATE = False
    for url, why in (
        ("http://sis.example.org/hook", "https://"),
        ("https://127.0.0.1/hook", "private or local"),
        ("https://10.1.2.3/hook", "private or local"),
        ("https://[::1]/hook", "private or local"),
        ("https://169.254.169.254/latest", "private or local"),
    ):
        assert why in address_problem(url), url
    assert address_problem("https://93.184.215.14/hook") == ""


def test_the_page_subscribes_shows_the_secret_once_and_tests_the_endpoint(
    world, receiver, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.district_admin)
    page = client.post(
        reverse("webhooks:page"),
        {"description": "SIS feed", "url": receiver.url, "event_types": ["stage.mastered"]},
    )
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    secret = Subscription.objects.get().secret
    assert secret in page.content.decode()
    assert secret not in client.get(reverse("webhooks:page")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:page"), {"test": str(Subscription.objects.get().pk)})
    [message] = receiver.received
    assert json.loads(message.body)["type"] == "webhook.test"

    refused = client.post(
        reverse("webhooks:page"), {"description": "x", "url": receiver.url, "event_types": []}
    )
    assert refused.status_code == 422


def test_the_page_is_the_district_admin_s(world):
    for who in (world.teacher, world.school_admin, world.student, world.guardian):
        client = Client()
        client.force_login(who)
        assert client.get(reverse("webhooks:page")).status_code == 404
