"""Who may see whom: the role facts every app's permissions are built from.

Deny by default: a user with no matching active role sees nobody. Each rule is written once,
as a `Q` filter built from subqueries (so it composes into any queryset without joins that
duplicate rows), paired with the yes/no check that asks the same filter about one object.
"""

from django.db.models import Exists, OuterRef, Q

from proficio.lib.http.request_memo import forget, remembered
from proficio.people.models import (
    ApiToken,
    District,
    Enrollment,
    FamilySettings,
    FamilyVisibility,
    GroupMembership,
    GuardianLink,
    Mentorship,
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


ROLES = "roles"


def _active_roles(user: Person) -> tuple[RoleAssignment, ...]:
    """The user's active roles, read once per request: every rule below starts from them."""
    if not is_signed_in(user):
        return ()
    return remembered((ROLES, user.pk), lambda: tuple(user.roles.filter(active=True)))


def roles_changed() -> None:
    """A role was granted or ended: the rest of this request reads roles afresh."""
    forget(ROLES)


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


def own_district_administered(user: Person) -> District | None:
    """The user's own district when they administer it (or hold the installation as a site
    admin): where district-wide settings such as result mappings and learning tools are
    theirs to change. None for anyone else."""
    if not is_signed_in(user) or user.district is None:
        return None
    if user.is_superuser or district_admin_of(user, user.district):
        return user.district
    return None


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


def administered_students_q(user: Person) -> Q:
    """Students of a school or district the user administers (a filter on Person)."""
    q = NOBODY
    for assignment in _active_roles(user):
        if assignment.role == Role.DISTRICT_ADMIN:
            q |= _students_in(district_id=assignment.district_id)
        elif assignment.role == Role.SCHOOL_ADMIN:
            q |= _students_in(school_id=assignment.school_id)
    return q


def staff_students_q(user: Person) -> Q:
    """Students a user serves as staff: taught (in a section or a flexible group), mentored,
    or in the school or district they administer."""
    q = administered_students_q(user)
    for assignment in _active_roles(user):
        if assignment.role == Role.TEACHER:
            taught = Enrollment.objects.filter(
                active=True,
                section__teachingassignment__teacher=user,
                section__teachingassignment__active=True,
                section__school_id=assignment.school_id,
            )
            q |= Q(pk__in=taught.values("student_id"))
    if any(assignment.role == Role.TEACHER for assignment in _active_roles(user)):
        # The students of the flexible groups they teach, across sections and ages.
        grouped = GroupMembership.objects.filter(
            left_at__isnull=True,
            group__active=True,
            group__teachers=user,
            group__district_id=user.district_id,
            student__district_id=user.district_id,
            student__is_active=True,
        )
        q |= Q(pk__in=grouped.values("student_id"))
        # The students they mentor, while the mentorship lasts.
        mentored = Mentorship.objects.filter(
            ended_on__isnull=True,
            mentor=user,
            district_id=user.district_id,
            student__district_id=user.district_id,
            student__is_active=True,
        )
        q |= Q(pk__in=mentored.values("student_id"))
    return q


def record_keeper_students_q(user: Person) -> Q:
    """Students, current or former, whose whole record a user answers for (a filter on Person):
    those the school or district they administer serves now — a student's current schools are
    those of their active student roles — and former students (no active student role) whose
    last school or district it was. A student who moved on is the new school's to answer for,
    not the old one's. Export and erasure use it, so it reaches former students, unlike the
    everyday pages.

    A role keeps no date it ended, so a former student's last school is that of their newest
    student role: a transfer adds the new school's role after the old one's."""
    current = RoleAssignment.objects.filter(role=Role.STUDENT, active=True)
    newer = RoleAssignment.objects.filter(
        role=Role.STUDENT, person_id=OuterRef("person_id"), pk__gt=OuterRef("pk")
    )
    last = RoleAssignment.objects.filter(role=Role.STUDENT).exclude(Exists(newer))
    q = NOBODY
    for assignment in _active_roles(user):
        if assignment.role == Role.DISTRICT_ADMIN:
            scope = {"district_id": assignment.district_id}
        elif assignment.role == Role.SCHOOL_ADMIN:
            scope = {"school_id": assignment.school_id}
        else:
            continue
        q |= Q(pk__in=current.filter(**scope).values("person_id"))
        q |= Q(pk__in=last.filter(**scope).values("person_id")) & ~Q(
            pk__in=current.values("person_id")
        )
    return q


def keeps_records_of(user: Person, student: Person) -> bool:
    return Person.objects.filter(record_keeper_students_q(user), pk=student.pk).exists()


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


def feedback_withheld_q(user: Person) -> Q:
    """Students whose teachers' written feedback `user` does not read (a filter on Person):
    their own children, in a district whose families see progress but not that feedback
    (`FamilyVisibility.PROGRESS`), unless `user` is the student or serves them as staff."""
    if Role.GUARDIAN not in role_names(user):
        return NOBODY
    children = GuardianLink.objects.filter(guardian=user).values("student_id")
    withholding = FamilySettings.objects.filter(visibility=FamilyVisibility.PROGRESS).values(
        "district_id"
    )
    return (
        Q(pk__in=children, district_id__in=withholding) & ~Q(pk=user.pk) & ~staff_students_q(user)
    )


def sees_teacher_feedback(user: Person, student: Person) -> bool:
    """Whether `user` reads the words teachers write with the student's ratings and on their
    work; the student is one `user` may see."""
    if Role.GUARDIAN not in role_names(user):
        return True
    return not Person.objects.filter(feedback_withheld_q(user), pk=student.pk).exists()


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


# ---- API tokens -----------------------------------------------------------------------------


def revocable_tokens_q(user: Person) -> Q:
    """API tokens a user may see listed and revoke (a filter on ApiToken): their own; as district
    admin, those of the people of their district; as site admin, any — a site admin may set
    anyone's password in the admin, which ends all of that person's tokens anyway."""
    if not is_signed_in(user):
        return NOBODY
    if user.is_superuser:
        return Q()
    administered = RoleAssignment.objects.filter(
        person=user, active=True, role=Role.DISTRICT_ADMIN
    ).values("district_id")
    return Q(person=user) | Q(person__district_id__in=administered)


def can_revoke_token(user: Person, token: ApiToken) -> bool:
    return ApiToken.objects.filter(revocable_tokens_q(user), pk=token.pk).exists()


def sign_in_unlockable_q(user: Person) -> Q:
    """People whose locked sign-in a user may unlock (a filter on Person): the people of a
    district they administer; a site admin anyone's."""
    if not is_signed_in(user):
        return NOBODY
    if user.is_superuser:
        return Q()
    return Q(district__in=District.objects.filter(administered_districts_q(user)))


def can_unlock_sign_in(user: Person, person: Person) -> bool:
    return Person.objects.filter(sign_in_unlockable_q(user), pk=person.pk).exists()
