"""Which mastery policy governs a student's competency on a given day."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from proficio.frameworks.models import Competency
from proficio.mastery.models import MasteryPolicy, Method
from proficio.people.models import Person
from proficio.people.selectors import student_school

DEFAULT_METHOD = Method.DECAYING_AVERAGE
DEFAULT_PARAMETERS = {"rate": 0.65}
DEFAULT_MINIMUM_EVIDENCE = 2


def _specificity(policy: MasteryPolicy) -> int:
    return 3 if policy.competency_id else 2 if policy.framework_id else 1 if policy.school_id else 0


def policy_for(*, student: Person, competency: Competency, on: date | None = None) -> MasteryPolicy:
    """The most specific policy in force on `on`: competency, framework, school, then district.

    A district that has set no policy gets the documented default (decaying
    average, rate 0.65, two ratings, the scale's mastery level), saved as its
    first version so every record can name the policy that produced it.
    """
    on = on or timezone.localdate()
    district_id = competency.framework.district_id
    school = student_school(student)
    candidates = MasteryPolicy.objects.filter(
        Q(competency=competency)
        | Q(competency__isnull=True, framework_id=competency.framework_id)
        | Q(competency__isnull=True, framework__isnull=True, school=school)
        | Q(competency__isnull=True, framework__isnull=True, school__isnull=True),
        district_id=district_id,
        effective_from__lte=on,
    )
    best = max(
        candidates,
        key=lambda p: (_specificity(p), p.effective_from, p.version, p.pk),
        default=None,
    )
    if best is not None:
        return best
    threshold = competency.effective_scale.mastery_value
    policy, _ = MasteryPolicy.objects.get_or_create(
        district_id=district_id,
        school=None,
        framework=None,
        competency=None,
        defaults={
            "method": DEFAULT_METHOD,
            "parameters": DEFAULT_PARAMETERS,
            "minimum_evidence": DEFAULT_MINIMUM_EVIDENCE,
            "threshold": threshold,
            "effective_from": date(2000, 1, 1),
        },
    )
    return policy
