"""Who may write a district's frameworks in the pages: its district admins."""

from django.db.models import QuerySet

from proficio.frameworks.models import Framework
from proficio.people.api import District, Person, district_admin_of, districts_administered_by


def may_write_framework(user: Person, framework: Framework) -> bool:
    return district_admin_of(user, framework.district)


def frameworks_writable_by(user: Person) -> QuerySet[Framework]:
    """The frameworks `may_write_framework` lets this user write, as a queryset."""
    return Framework.objects.filter(district__in=districts_administered_by(user))


def courses_district_of(user: Person) -> District | None:
    """The district whose courses this user may write: their own, if they administer it."""
    return districts_administered_by(user).filter(pk=user.district_id).first()
