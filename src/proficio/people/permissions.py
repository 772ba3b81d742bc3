"""Who may see whom: the role facts every app's permissions are built from.

Deny by default: a user with no matching active role sees nobody. Each rule is written once,
as a `Q` filter built from subqueries (so it composes into any queryset without joins that
duplicate rows), paired with the yes/no check that asks the same filter about one object.
"""

from django.db.models import Q

from proficio.people.models import (
    District,
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
    TeachingAssignment,
)

NOBODY = Q(pk__in=[])


def is_signed_in(user: object) -> bool:
    """An authenticated, active person: the first question of every rule."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _active_roles(user: Person) -> list[RoleAssignment]:
    if not is_signed_in(user):
        return []
    return list(user.roles.filter(active=True))


def role_names(user: Person) -> list[str]:
    return sorted({assignment.role for assignment in _active_roles(user)})


# ---- districts and schools an admin holds ---------------------------------------------------


def administered_districts_q(user: Person) -> Q:
    """Districts in which the user holds an active district-admin role (a filter on District)."""
    if not is_signed_in(user):
        return NOBODY
    roles = RoleAssignment.objects.filter(person=user, active=True, role=Role.DISTRICT_ADMIN)
    return Q(pk__in=roles.values("district_id"))


def district_admin_of(user: Person, district: District) -> bool:
    return District.objects.filter(administered_districts_q(user), pk=district.pk).exists()


def administered_schools_q(user: Person) -> Q:
    """Schools a user administers (a filter on School): every school of a district they
    administer, and their own as school admin."""
    if not is_signed_in(user):
        return NOBODY
    roles = RoleAssignment.objects.filter(person=user, active=True)
    return Q(district_id__in=roles.filter(role=Role.DISTRICT_ADMIN).values("district_id")) | Q(
        pk__in=roles.filter(role=Role.SCHOOL_ADMIN).values("school_id")
    )


def school_admin_of(user: Person, school: School) -> bool:
    return School.objects.filter(administered_schools_q(user), pk=school.pk).exists()


# ---- students -------------------------------------------------------------------------------


def _students_in(**scope) -> Q:
    students = RoleAssignment.objects.filter(role=Role.STUDENT, active=True, **scope)
    return Q(pk__in=students.values("person_id"))


def staff_students_q(user: Person) -> Q:
    """Students a user serves as staff: taught, or in the school or district they administer."""
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


def serves_as_staff(user: Person, student: Person) -> bool:
    """Teaches or administers the student (never merely by being a Django superuser)."""
    return Person.objects.filter(staff_students_q(user), pk=student.pk).exists()


def is_self(user: Person, student: Person) -> bool:
    """The student themself, signed in with an active student role."""
    return user.pk == student.pk and Role.STUDENT in role_names(user)


def guardian_of(user: Person, student: Person) -> bool:
    return (
        Role.GUARDIAN in role_names(user)
        and GuardianLink.objects.filter(guardian=user, student=student).exists()
    )


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


def can_view_student(user: Person, student: Person) -> bool:
    return Person.objects.filter(visible_students_q(user), pk=student.pk).exists()


# ---- sections -------------------------------------------------------------------------------


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


def can_view_section(user: Person, section: Section) -> bool:
    return Section.objects.filter(visible_sections_q(user), pk=section.pk).exists()
