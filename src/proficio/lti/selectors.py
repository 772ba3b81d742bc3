"""Reads of the LTI tool for a district admin's page, scoped to their district."""

from django.db.models import QuerySet

from proficio.lti.models import Platform, ScoreSent
from proficio.people.api import District

RECENT_SCORES = 50


def platforms_of(district: District) -> QuerySet[Platform]:
    return (
        Platform.objects.filter(district=district)
        .select_related("registration", "created_by")
        .order_by("-registration__is_active", "registration__name")
    )


def scores_sent_of(district: District) -> list[ScoreSent]:
    """The latest scores sent to the district's LMSs, failures with their reason."""
    return list(
        ScoreSent.objects.filter(platform__district=district).select_related(
            "student", "platform__registration"
        )[:RECENT_SCORES]
    )
