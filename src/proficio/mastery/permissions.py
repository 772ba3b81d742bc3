"""Who may rate a student, set a mastery policy, and follow a recompute.

Each rule is a yes/no check paired, where a list needs it, with the filter for the same rule.
"""

from django.db.models import Q

from proficio.evidence.api import EvidenceSource
from proficio.people.api import (
    District,
    Person,
    School,
    district_admin_of,
    districts_administered_by,
    is_self,
    school_admin_of,
    schools_administered_by,
    serves_as_staff,
)


def can_rate(assessor: Person, student: Person, source: str) -> bool:
    """Staff rate the students they serve; a student records only self-assessments of their own."""
    # The role facts, not has_perm: a Django superuser must not bypass the school's scoping.
    if serves_as_staff(assessor, student):
        return True
    return source == EvidenceSource.SELF and is_self(assessor, student)


def may_set_policy(user: Person, *, district: District, school: School | None) -> bool:
    """District admins set any scope of their district; a school admin only their school's."""
    if school is not None:
        return school_admin_of(user, school)
    return district_admin_of(user, district)


def recompute_runs_visible_q(user: Person) -> Q:
    """Recomputes of the policies this user may set (a filter on RecomputeRun)."""
    return Q(district__in=districts_administered_by(user)) | Q(
        policy__school__in=schools_administered_by(user)
    )
