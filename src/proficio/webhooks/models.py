"""A district's webhook subscriptions and every delivery made to them.

A delivery is the body as signed and sent, kept with its id, so a retry sends the very same
message (Standard Webhooks: the receiver deduplicates by `webhook-id`)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """An HTTPS endpoint of the district's own systems, told of the events it chose."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    url = models.URLField(_("endpoint"), max_length=500)
    description = models.CharField(_("what it is"), max_length=200)
    event_types = models.JSONField(default=list)
    # Kept as given: every message is signed with it (HMAC), so a digest would not serve.
    secret = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["description", "id"]

    def __str__(self) -> str:
        return self.description


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=50)
    events = models.PositiveIntegerField()
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription}"
