"""What every agency page and endpoint does first: refuse a page that is a student's own to
anyone else, and record in the audit trail a read of a student's record by someone else."""

from django.http import Http404

from proficio.audit import api as audit
from proficio.people.api import Person, Role, is_self, roles_of


def student_only(user: Person) -> None:
    """A page about the student's own goals, portfolio or conferences: 404 for anyone else."""
    if Role.STUDENT not in roles_of(user):
        raise Http404("This page is a student's own.")


def record_view(user: Person, student: Person, via: str) -> None:
    """A read of the student's record, unless the student reads their own."""
    if not is_self(user, student):
        audit.record_views(
            actor=user, action=audit.STUDENT_VIEWED, students=[student], data={"via": via}
        )


def record_listed(user: Person, students: list[Person], via: str) -> None:
    """A page that lists students (a mentor's mentees, an admin's search)."""
    if students:
        audit.record_views(
            actor=user, action=audit.STUDENTS_LISTED, students=students, data={"via": via}
        )
