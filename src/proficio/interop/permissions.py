"""Who may use the import pages: the district admins of their own district."""

from proficio.people.api import District, Person, district_admin_of, is_signed_in


def may_import_frameworks(user: Person) -> bool:
    """Frameworks land in the user's own district, so they must administer it."""
    return (
        is_signed_in(user) and user.district is not None and district_admin_of(user, user.district)
    )


def results_district_of(user: Person) -> District | None:
    """The district whose standardized results this user maps and imports: their own, as its
    admin, or as a site admin (who holds the installation); None for anyone else."""
    if not is_signed_in(user) or user.district is None:
        return None
    if user.is_superuser or district_admin_of(user, user.district):
        return user.district
    return None
