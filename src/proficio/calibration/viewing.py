"""What every calibration page does first: refuse anyone who does not read work against
stages (teachers and admins), and record a staff member's read of a student's own work."""

from django.http import Http404

from proficio.audit import api as audit
from proficio.calibration.permissions import is_staff
from proficio.people.api import Person


def staff_only(user: Person) -> None:
    if not is_staff(user):
        raise Http404("Calibration is for a district's teachers and admins.")


def work_read(user: Person, student: Person, via: str) -> None:
    """The student's own work (not yet anonymised) was shown to `user`."""
    audit.record_views(
        actor=user, action=audit.STUDENT_VIEWED, students=[student], data={"via": via}
    )
