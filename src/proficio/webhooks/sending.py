"""One attempt to deliver: the message signed as Standard Webhooks says (`webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`), posted to the endpoint, and on
failure the next attempt set further off each time, until the last."""

import base64
import secrets
from datetime import timedelta

import requests
from django.utils import timezone
from standardwebhooks import Webhook

from proficio.lib.outbound import OutboundSession, address_problem
from proficio.webhooks.models import Delivery

# Seconds before each retry: a minute, five, half an hour, two hours, eight, a day; then the
# delivery is given up (seven attempts over about 35 hours).
BACKOFF = (60, 300, 1800, 7200, 28800, 86400)
USER_AGENT = "Proficio-Webhooks/1"


def secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def attempt(delivery: Delivery) -> bool:
    """Send the delivery once; record what came of it. True when delivered."""
    subscription = delivery.subscription
    now = timezone.now()
    delivery.attempts += 1
    problem = (
        address_problem(subscription.url)
        if subscription.revoked_at is None
        else "The subscription is revoked."
    )
    status, error = None, problem
    if not problem:
        msg_id = f"msg_{delivery.uuid.hex}"
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(subscription.secret).sign(msg_id, now, delivery.body),
        }
        try:
            answer = OutboundSession().post(
                subscription.url, data=delivery.body.encode(), headers=headers
            )
            status = answer.status_code
            error = "" if 200 <= status < 300 else f"The endpoint answered {status}."
        except requests.RequestException as failed:
            error = f"No answer: {failed.__class__.__name__}."
    delivery.last_status, delivery.last_error = status, error
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            Delivery.State.DELIVERED,
            now,
            None,
        )
    elif delivery.attempts > len(BACKOFF) or subscription.revoked_at is not None:
        delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
    delivery.save(
        update_fields=[
            "attempts",
            "last_status",
            "last_error",
            "state",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return not error
