"""Reads for the district admin's webhooks page, scoped to their district."""

from django.db.models import QuerySet

from proficio.people.api import District
from proficio.webhooks.models import Delivery, Subscription

RECENT_DELIVERIES = 50


def subscriptions_of(district: District) -> QuerySet[Subscription]:
    return Subscription.objects.filter(district=district).select_related("created_by")


def deliveries_of(district: District) -> list[Delivery]:
    return list(
        Delivery.objects.filter(subscription__district=district)
        .select_related("subscription")
        .defer("body")[:RECENT_DELIVERIES]
    )
