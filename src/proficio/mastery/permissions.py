"""Who may rate a student, correct a rating, set a mastery policy, and follow a recompute.

Each rule is a yes/no check paired, where a list needs it, with the filter for the same rule.
"""

from django.db.models import Q

from proficio.evidence.api import Evidence, EvidenceSource, evidence_of
from proficio.people.api import (
    District,
    Person,
    School,
    district_admin_of,
    districts_administered_by,
    is_self,
    is_signed_in,
    school_admin_of,
    schools_administered_by,
    serves_as_staff,
    students_administered_by,
    students_served_by,
)


def can_rate(assessor: Person, student: Person, source: str) -> bool:
    """Staff rate the students they serve; a student records only self-assessments of their own."""
    # The role facts, not has_perm: a Django superuser must not bypass the school's scoping.
    if serves_as_staff(assessor, student):
        return True
    return source == EvidenceSource.SELF and is_self(assessor, student)


def correctable_evidence_q(user: Person) -> Q:
    """Ratings a user may correct (a filter on Evidence).

    Staff correct their own ratings of students they still serve, and a student their own
    self-assessments; an admin of the student's school or district corrects any rating of that
    student. Nobody else replaces another person's judgement: a student never supersedes a
    teacher's rating, nor one teacher another's.
    """
    if not is_signed_in(user):
        return Q(pk__in=[])
    own = Q(assessor_id=user.pk, student__in=students_served_by(user))
    if is_self(user, user):
        own |= Q(assessor_id=user.pk, student_id=user.pk, source=EvidenceSource.SELF)
    return own | Q(student__in=students_administered_by(user))


def can_correct(user: Person, evidence: Evidence) -> bool:
    return (
        evidence_of(student=evidence.student)
        .filter(correctable_evidence_q(user), pk=evidence.pk)
        .exists()
    )


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


def policy_previews_visible_q(user: Person) -> Q:
    """Background policy previews this user may follow (a filter on PolicyPreviewRun): their
    own, of a scope they may still set."""
    return Q(requested_by_id=user.pk) & (
        Q(district__in=districts_administered_by(user))
        | Q(school__in=schools_administered_by(user))
    )
