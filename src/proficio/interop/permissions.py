"""Who may use the import pages: the district admins of their own district."""

from proficio.people.api import Person, district_admin_of, is_signed_in


def may_import_frameworks(user: Person) -> bool:
    """Frameworks land in the user's own district, so they must administer it."""
    return (
        is_signed_in(user) and user.district is not None and district_admin_of(user, user.district)
    )
