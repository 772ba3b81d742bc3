"""A roster as format readers build it, and what a sync changed.

The specs name records by their source system's identifiers (`sourced_id`); `Roster` holds
them all, `RosterChanges` counts what a sync did per kind.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from proficio.people.models import District, Role, Sex


@dataclass(frozen=True)
class SchoolSpec:
    sourced_id: str
    name: str


@dataclass(frozen=True)
class SessionSpec:
    sourced_id: str
    title: str
    kind: str
    starts_on: date
    ends_on: date
    parent: str | None = None  # the parent session's sourced id
    school_year: int | None = None


@dataclass(frozen=True)
class PersonSpec:
    """One person. Optional facts left as None keep what Proficio already holds."""

    sourced_id: str
    username: str
    first_name: str
    last_name: str
    is_active: bool = True
    email: str | None = None
    preferred_name: str | None = None
    age_grade: int | None = None
    # Raw; hashed with Django's hasher, and set only on a person who has no password yet.
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RoleSpec:
    person: str  # sourced id
    role: Role
    school: str | None  # sourced id; None for district-wide roles (district admin, guardian)
    sourced_id: str  # the roster row that grants it


@dataclass(frozen=True)
class GuardianSpec:
    guardian: str  # sourced ids
    student: str
    relationship: str = ""


@dataclass(frozen=True)
class SectionSpec:
    sourced_id: str
    school: str  # sourced id
    name: str
    course_sourced_id: str = ""
    course_code: str = ""
    course_title: str = ""
    terms: tuple[str, ...] = ()  # academic session sourced ids
    course: int | None = None  # a frameworks course with the same code; None keeps the link


@dataclass(frozen=True)
class MembershipSpec:
    """A student's enrollment in a section, or a teacher's assignment to it."""

    sourced_id: str
    section: str  # sourced ids
    person: str
    starts_on: date | None = None  # None keeps what is held
    ends_on: date | None = None
    primary: bool = True  # teaching only


@dataclass(frozen=True)
class DemographicsSpec:
    """A student's demographics as the source system states them; None (or "" for sex) is
    "not reported", and replaces what was held."""

    person: str  # sourced id
    birth_date: date | None = None
    sex: Sex | str = ""
    american_indian_or_alaska_native: bool | None = None
    asian: bool | None = None
    black_or_african_american: bool | None = None
    native_hawaiian_or_other_pacific_islander: bool | None = None
    white: bool | None = None
    two_or_more_races: bool | None = None
    hispanic_or_latino: bool | None = None


def _removals() -> dict[str, set[str]]:
    return defaultdict(set)


@dataclass
class Roster:
    district_sourced_id: str
    district_name: str | None  # None: the district exists and keeps its name
    schools: list[SchoolSpec] = field(default_factory=list)
    sessions: list[SessionSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    roles: list[RoleSpec] = field(default_factory=list)
    guardian_links: list[GuardianSpec] = field(default_factory=list)
    sections: list[SectionSpec] = field(default_factory=list)
    enrollments: list[MembershipSpec] = field(default_factory=list)
    teaching: list[MembershipSpec] = field(default_factory=list)
    demographics: list[DemographicsSpec] = field(default_factory=list)
    # People whose whole imported role set is in `roles`: their other imported roles end.
    complete_roles_of: set[str] = field(default_factory=set)
    # Sections whose whole imported membership is given: their other imported memberships end.
    complete_sections: set[str] = field(default_factory=set)
    # The roster holds every student's demographics (a bulk file): the district's other
    # demographics rows are deleted, never kept stale.
    complete_demographics: bool = False
    # Sourced ids the source deleted, by kind: "people", "roles", "sections", "memberships",
    # "sessions" — deactivated, never deleted — and "demographics" (people's sourced ids),
    # whose rows are deleted.
    removed: dict[str, set[str]] = field(default_factory=_removals)


@dataclass
class RosterChanges:
    """Per kind: how many were created, updated, unchanged, deactivated, removed (deleted:
    demographics only); `skipped` counts removals of records Proficio never had.
    `district`: where the roster landed (unsaved after a dry run that would create it)."""

    district: District | None = None
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deactivated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
