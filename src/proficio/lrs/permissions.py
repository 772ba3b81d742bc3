"""Who gives learning tools access to the Learning Record Store: the district's admins, for
their own district (and a site admin, who holds the installation, for theirs)."""

from proficio.people.api import District, Person, district_admin_of, is_signed_in


def lrs_district_of(user: Person) -> District | None:
    """The district whose xAPI credentials this user manages; None for anyone else."""
    if not is_signed_in(user) or user.district is None:
        return None
    if user.is_superuser or district_admin_of(user, user.district):
        return user.district
    return None
