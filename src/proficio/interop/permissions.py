"""Who may use the import pages (the district admins of their own district) and export
students' results (the admins of their schools)."""

from django.db.models import QuerySet

from proficio.people.api import (
    District,
    Person,
    School,
    Section,
    district_admin_of,
    is_signed_in,
    own_district_administered,
    schools_administered_by,
    sections_served_by,
)


def may_import_frameworks(user: Person) -> bool:
    """Frameworks land in the user's own district, so they must administer it."""
    return (
        is_signed_in(user) and user.district is not None and district_admin_of(user, user.district)
    )


def results_district_of(user: Person) -> District | None:
    """The district whose standardized results this user maps and imports: their own, as its
    admin, or as a site admin (who holds the installation); None for anyone else."""
    return own_district_administered(user)


def results_schools_of(user: Person) -> QuerySet[School]:
    """The schools whose students' results this user may export to the student information
    system: those of their district they administer (a district admin: every one; a school
    admin: their own). None for anyone else: teachers, students and families export nothing."""
    schools = schools_administered_by(user)
    if not is_signed_in(user) or user.district_id is None:
        return schools.none()
    return schools.filter(district_id=user.district_id)


def results_sections_of(user: Person, school: School | None = None) -> QuerySet[Section]:
    """The sections of those schools (or of one of them) that the user serves."""
    schools = results_schools_of(user)
    if school is not None:
        schools = schools.filter(pk=school.pk)
    return sections_served_by(user).filter(school__in=schools.values("pk"))
