"""Who may see and write playlists, each rule once: a yes/no check paired with the queryset
filter it agrees with.

Staff of a district write playlists. A teacher sees their own, the district's shared library,
and their colleagues' playlists offered to students they serve; a district admin sees every
playlist of the district. A student is offered the shared playlists of their district and
those written by a teacher who serves them; which of them they see is their working stages'
business (selectors).
"""

from django.db.models import Q, QuerySet

from proficio.pathways.models import Playlist
from proficio.people.api import (
    Person,
    Role,
    districts_administered_by,
    is_self,
    is_signed_in,
    roles_of,
    serves_as_staff,
    teachers_of_students,
)

STAFF_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})
NOTHING = Q(pk__in=[])


def may_write_playlists(user: Person) -> bool:
    return (
        is_signed_in(user)
        and user.district_id is not None
        and bool(STAFF_ROLES & set(roles_of(user)))
    )


def playlists_visible_q(user: Person) -> Q:
    """The playlists `user` may see (a filter on Playlist)."""
    if not is_signed_in(user) or user.district_id is None:
        return NOTHING
    roles = set(roles_of(user))
    q = NOTHING
    if STAFF_ROLES & roles:
        q |= Q(district_id=user.district_id) & (Q(author=user) | Q(shared=True))
        q |= Q(district__in=districts_administered_by(user))
    if Role.STUDENT in roles:
        teachers = [teacher.pk for teacher in teachers_of_students([user.pk]).get(user.pk, [])]
        q |= Q(district_id=user.district_id) & (Q(shared=True) | Q(author__in=teachers))
    return q


def playlists_visible_to(user: Person) -> QuerySet[Playlist]:
    return Playlist.objects.filter(playlists_visible_q(user)).distinct()


def may_see_playlist(user: Person, playlist: Playlist) -> bool:
    return playlists_visible_to(user).filter(pk=playlist.pk).exists()


def playlists_writable_q(user: Person) -> Q:
    """The playlists `user` may change: their own, and any of a district they administer."""
    if not may_write_playlists(user):
        return NOTHING
    return Q(author=user, district_id=user.district_id) | Q(
        district__in=districts_administered_by(user)
    )


def may_write_playlist(user: Person, playlist: Playlist) -> bool:
    return Playlist.objects.filter(playlists_writable_q(user), pk=playlist.pk).exists()


def may_mark_progress(user: Person, student: Person) -> bool:
    """The student themself, or staff who serve them, mark an item done."""
    return is_self(user, student) or serves_as_staff(user, student)
