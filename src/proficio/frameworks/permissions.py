"""Who may write a district's frameworks in the pages: its district admins, and its teachers
for a framework an admin opened to them."""

from django.db.models import Q, QuerySet

from proficio.frameworks.models import Framework
from proficio.people.api import (
    District,
    Person,
    Role,
    district_admin_of,
    districts_administered_by,
    is_signed_in,
    roles_of,
)


def _teacher_in_district_q(user: Person) -> Q:
    """Frameworks open to teachers, of the district where `user` teaches (a filter)."""
    if not is_signed_in(user) or user.district_id is None or Role.TEACHER not in roles_of(user):
        return Q(pk__in=[])
    return Q(teachers_may_write=True, district_id=user.district_id)


def frameworks_writable_by(user: Person) -> QuerySet[Framework]:
    """The frameworks this user may write: every one of a district they administer, and
    those of their own district open to its teachers."""
    return Framework.objects.filter(
        Q(district__in=districts_administered_by(user)) | _teacher_in_district_q(user)
    )


def may_write_framework(user: Person, framework: Framework) -> bool:
    """`frameworks_writable_by`, for one framework."""
    return frameworks_writable_by(user).filter(pk=framework.pk).exists()


def may_open_framework(user: Person, framework: Framework) -> bool:
    """Whether this user may open `framework` to teachers (or close it): its district's admins."""
    return district_admin_of(user, framework.district)


def courses_district_of(user: Person) -> District | None:
    """The district whose courses this user may write: their own, if they administer it."""
    return districts_administered_by(user).filter(pk=user.district_id).first()
