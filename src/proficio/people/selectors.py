"""Reads about people and sections, always scoped to the requesting user."""

import hashlib
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from proficio.errors import NotVisible
from proficio.people.models import ApiToken, Person, Role, School, Section
from proficio.people.permissions import role_names, visible_sections_q, visible_students_q


def students_visible_to(user: Person) -> QuerySet[Person]:
    """Every student this user may see; nothing else."""
    return Person.objects.filter(visible_students_q(user))


def student_get(*, user: Person, student_id: UUID | str) -> Person:
    """One student by UUID, or NotVisible when absent or hidden from this user."""
    try:
        return students_visible_to(user).get(uuid=student_id)
    except (Person.DoesNotExist, ValueError, ValidationError) as missing:
        raise NotVisible(f"No student {student_id}.") from missing


def sections_visible_to(user: Person) -> QuerySet[Section]:
    return Section.objects.filter(visible_sections_q(user)).select_related("school", "course")


def sections_taught_by(user: Person) -> QuerySet[Section]:
    return sections_visible_to(user).filter(teachingassignment__teacher=user)


def section_get(*, user: Person, section_id: UUID | str) -> Section:
    try:
        return sections_visible_to(user).get(uuid=section_id)
    except (Section.DoesNotExist, ValueError, ValidationError) as missing:
        raise NotVisible(f"No section {section_id}.") from missing


def sections_served_by(user: Person) -> QuerySet[Section]:
    """Sections a user teaches or administers, each with `student_count` (active students).

    Sections the user sits in as a student are left out: they are served, not serving.
    """
    return (
        sections_visible_to(user)
        .exclude(enrollment__student=user)
        .annotate(student_count=Count("enrollment", filter=Q(enrollment__active=True)))
        .order_by("school__name", "name")
    )


def section_served_get(*, user: Person, section_id: UUID | str) -> Section:
    """One section this user teaches or administers, or NotVisible."""
    try:
        return sections_served_by(user).get(uuid=section_id)
    except (Section.DoesNotExist, ValueError, ValidationError) as missing:
        raise NotVisible(f"No section {section_id}.") from missing


def section_students(*, user: Person, section: Section) -> QuerySet[Person]:
    """The section's active students that this user may see."""
    return (
        students_visible_to(user)
        .filter(enrollment__section=section, enrollment__active=True)
        .order_by("last_name", "first_name")
    )


def children_of(user: Person) -> QuerySet[Person]:
    """A guardian's own children."""
    return students_visible_to(user).filter(guardian_links__guardian=user)


def roles_of(user: Person) -> list[str]:
    return role_names(user)


def student_school(student: Person) -> School | None:
    assignment = student.roles.filter(role=Role.STUDENT, active=True).select_related("school")
    first = assignment.first()
    return first.school if first else None


def person_for_token(raw_token: str) -> Person | None:
    """The active person a bearer token belongs to, if it is known and unexpired."""
    digest = hashlib.sha256(raw_token.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("person")
        .filter(digest=digest, expires_at__gt=timezone.now(), person__is_active=True)
        .first()
    )
    return token.person if token else None
