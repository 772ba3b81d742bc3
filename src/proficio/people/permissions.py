"""Who may see whom. Deny by default: a user with no matching role sees nobody.

Each rule is a `Q` on `Person` built from subqueries, so visibility composes
into any queryset without joins that duplicate rows.
"""

import rules
from django.db.models import Q

from proficio.people.models import (
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    TeachingAssignment,
)

NOBODY = Q(pk__in=[])


def _active_roles(user: Person) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.roles.filter(active=True))


def _students_in(**scope) -> Q:
    students = RoleAssignment.objects.filter(role=Role.STUDENT, active=True, **scope)
    return Q(pk__in=students.values("person_id"))


def staff_students_q(user: Person) -> Q:
    """Students a user sees as staff: taught, or in the school or district they administer."""
    q = NOBODY
    for assignment in _active_roles(user):
        if assignment.role == Role.DISTRICT_ADMIN:
            q |= _students_in(district_id=assignment.district_id)
        elif assignment.role == Role.SCHOOL_ADMIN:
            q |= _students_in(school_id=assignment.school_id)
        elif assignment.role == Role.TEACHER:
            taught = Enrollment.objects.filter(
                active=True,
                section__teachingassignment__teacher=user,
                section__teachingassignment__active=True,
                section__school_id=assignment.school_id,
            )
            q |= Q(pk__in=taught.values("student_id"))
    return q


def visible_students_q(user: Person) -> Q:
    """Every student this user may see: as staff, themself, or their own children."""
    q = staff_students_q(user)
    for assignment in _active_roles(user):
        if assignment.role == Role.STUDENT:
            q |= Q(pk=user.pk)
        elif assignment.role == Role.GUARDIAN:
            children = GuardianLink.objects.filter(guardian=user)
            q |= Q(pk__in=children.values("student_id"))
    return q


def visible_sections_q(user: Person) -> Q:
    """Sections a user may open: taught, administered, or (students) enrolled in."""
    q = NOBODY
    for assignment in _active_roles(user):
        if assignment.role == Role.DISTRICT_ADMIN:
            q |= Q(school__district_id=assignment.district_id)
        elif assignment.role == Role.SCHOOL_ADMIN:
            q |= Q(school_id=assignment.school_id)
        elif assignment.role == Role.TEACHER:
            taught = TeachingAssignment.objects.filter(teacher=user, active=True)
            q |= Q(pk__in=taught.values("section_id"), school_id=assignment.school_id)
        elif assignment.role == Role.STUDENT:
            enrolled = Enrollment.objects.filter(student=user, active=True)
            q |= Q(pk__in=enrolled.values("section_id"))
    return q


def role_names(user: Person) -> list[str]:
    return sorted({assignment.role for assignment in _active_roles(user)})


@rules.predicate
def is_staff_for_student(user: Person, student: Person) -> bool:
    return Person.objects.filter(staff_students_q(user), pk=student.pk).exists()


@rules.predicate
def is_self(user: Person, student: Person) -> bool:
    return user.pk == student.pk and Role.STUDENT in role_names(user)
