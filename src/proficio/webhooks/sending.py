"""One attempt to deliver: the message signed as Standard Webhooks says (`webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`), posted to the endpoint, and on
failure the next attempt set further off each time, until the last."""

import ipaddress
import secrets
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from standardwebhooks import Webhook

from proficio.webhooks.models import Delivery

# Seconds before each retry: a minute, five, half an hour, two hours, eight, a day; then the
# delivery is given up (seven attempts over about 35 hours).
BACKOFF = (60, 300, 1800, 7200, 28800, 86400)
TIMEOUT_SECONDS = 10
USER_AGENT = "Proficio-Webhooks/1"


class Refused(Exception):
    """An endpoint Proficio does not post to."""


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(24).replace("-", "+").replace("_", "/") + "="


def endpoint_problem(url: str) -> str:
    """Why Proficio does not post to `url`, or "": HTTPS only, and never to this machine or
    the private network it sits in (unless the installation allows it, for its own tests)."""
    parts = urlsplit(url)
    allow_private = getattr(settings, "PROFICIO_WEBHOOKS_ALLOW_PRIVATE", False)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        return "The endpoint must be an https:// address."
    if not parts.hostname:
        return "The endpoint has no host."
    if allow_private:
        return ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        return f"{parts.hostname} cannot be found."
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"{parts.hostname} is a private or local address."
    return ""


def attempt(delivery: Delivery) -> bool:
    """Send the delivery once; record what came of it. True when delivered."""
    subscription = delivery.subscription
    now = timezone.now()
    delivery.attempts += 1
    problem = (
        endpoint_problem(subscription.url)
        if subscription.revoked_at is None
        else ("The subscription is revoked.")
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
            answer = requests.post(
                subscription.url,
                data=delivery.body.encode(),
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
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
