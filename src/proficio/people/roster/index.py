"""What a district already holds, by sourced id: readers validate a roster against it."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from proficio.lib.errors import InvalidInput
from proficio.people.models import (
    AcademicSession,
    District,
    Enrollment,
    Person,
    RoleAssignment,
    School,
    Section,
    TeachingAssignment,
)


@dataclass(frozen=True)
class KnownPerson:
    username: str
    roles: frozenset[tuple[str, str | None]]  # (role, school sourced id) of each active role


@dataclass(frozen=True)
class RosterIndex:
    """What a district already holds, by sourced id, to validate a roster against."""

    district: District | None
    schools: dict[str, str]  # sourced id → name
    school_names: dict[str, str]  # name → sourced id ("" for a school made by hand)
    people: dict[str, KnownPerson]
    sections: dict[str, str]  # sourced id → its school's sourced id
    courses: dict[str, tuple[str, str]]  # course sourced id → (code, title), as sections hold it
    sessions: frozenset[str]
    # Of the usernames asked about, who holds each: (district id, sourced id).
    usernames: dict[str, tuple[int | None, str]]


def roster_district(*, sourced_id: str, into: District | None = None) -> District | None:
    """The district a roster with this district sourced id lands in; None for a new one.

    With `into`, the roster must land there: `into` either carries that sourced id or has none
    yet (and no other district has it), and then the roster claims it.
    """
    found = District.objects.filter(sourced_id=sourced_id).first() if sourced_id else None
    if into is None:
        return found
    # As stored now (the caller's copy may be stale), and a copy a dry run may change freely.
    current = District.objects.get(pk=into.pk)
    if found == current or (found is None and not current.sourced_id):
        return current
    raise InvalidInput({"district": "The roster belongs to another district."})


def districts_holding(sourced_ids: dict[str, Collection[str]]) -> list[District]:
    """The districts that hold any of these records, given as kind → sourced ids, the kinds
    being "schools", "people", "sections", "memberships" and "sessions"."""
    lookups = (
        ("schools", School, "district_id"),
        ("people", Person, "district_id"),
        ("sections", Section, "school__district_id"),
        ("memberships", Enrollment, "section__school__district_id"),
        ("memberships", TeachingAssignment, "section__school__district_id"),
        ("sessions", AcademicSession, "district_id"),
    )
    found: set[int] = set()
    for kind, model, district in lookups:
        wanted = [sid for sid in sourced_ids.get(kind, ()) if sid]
        if wanted:
            found.update(
                model.objects.filter(sourced_id__in=wanted).values_list(district, flat=True)
            )
    return list(District.objects.filter(pk__in=found))


def build_index(*, district: District | None, usernames: Collection[str]) -> RosterIndex:
    """What `district` holds by sourced id (nothing, for a district still to be created), and
    who already holds each of `usernames`, anywhere."""
    taken = {
        username: (district_id, sourced_id)
        for username, district_id, sourced_id in Person.objects.filter(
            username__in=list(usernames)
        ).values_list("username", "district_id", "sourced_id")
    }
    if district is None:
        return RosterIndex(None, {}, {}, {}, {}, {}, frozenset(), taken)
    school_rows = list(
        School.objects.filter(district=district).values_list("pk", "sourced_id", "name")
    )
    school_sid = {pk: sid for pk, sid, _name in school_rows}
    roles: dict[int, set[tuple[str, str | None]]] = defaultdict(set)
    for person_id, role, school_id in RoleAssignment.objects.filter(
        district=district, active=True
    ).values_list("person_id", "role", "school_id"):
        roles[person_id].add((role, school_sid.get(school_id) if school_id else None))
    sections = Section.objects.filter(school__district=district).exclude(sourced_id="")
    return RosterIndex(
        district=district,
        schools={sid: name for _pk, sid, name in school_rows if sid},
        school_names={name: sid for _pk, sid, name in school_rows},
        people={
            sid: KnownPerson(username, frozenset(roles[pk]))
            for pk, sid, username in Person.objects.filter(district=district)
            .exclude(sourced_id="")
            .values_list("pk", "sourced_id", "username")
        },
        sections=dict(sections.values_list("sourced_id", "school__sourced_id")),
        courses={
            course: (code, title)
            for course, code, title in sections.exclude(course_sourced_id="").values_list(
                "course_sourced_id", "course_code", "course_title"
            )
        },
        sessions=frozenset(
            AcademicSession.objects.filter(district=district).values_list("sourced_id", flat=True)
        ),
        usernames=taken,
    )
