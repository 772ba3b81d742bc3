"""A student's mastery of one competency over time, as it stood on each day it could change."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from proficio.evidence.api import ratings_counted
from proficio.frameworks.api import Competency
from proficio.mastery.compute import CompetencyMastery, competency_mastery
from proficio.mastery.models import MasteryPolicy
from proficio.people.api import Person


@dataclass(frozen=True)
class MasteryOnDay:
    day: date
    mastery: CompetencyMastery


def mastery_over_time(
    *, student: Person, competency: Competency, until: date
) -> list[MasteryOnDay]:
    """The student's mastery of `competency` on every day it could have changed, up to
    `until`: each day with a rating (of the competency or, for one that rolls up, of its
    parts) and each day a policy version of the district took effect, from the first rating
    on, and `until` itself. Each is worked out under the policy in force that day. The
    student is one the caller may see."""
    rated = [competency, *competency.children.all()]
    rating_days = {
        timezone.localdate(observed)
        for part in rated
        for observed in ratings_counted(
            student=student, competency=part, as_of=until, include_self=True
        ).values_list("observed_at", flat=True)
    }
    if not rating_days:
        return []
    first = min(rating_days)
    policy_days = set(
        MasteryPolicy.objects.filter(
            district_id=competency.framework.district_id,
            effective_from__gt=first,
            effective_from__lte=until,
        ).values_list("effective_from", flat=True)
    )
    days = sorted(rating_days | policy_days | {until})
    return [
        MasteryOnDay(day, competency_mastery(student=student, competency=competency, as_of=day))
        for day in days
    ]
