"""The people app's frozen data that crosses app lines: a roster as format readers build it,
what a district already holds to validate one against, and what a sync changed; what
erasing a student's identity changed; a student's demographics as reports read them."""

from dataclasses import dataclass
from datetime import date

from proficio.people.roster.data import (
    DemographicsSpec,
    GuardianSpec,
    MembershipSpec,
    PersonSpec,
    RoleSpec,
    Roster,
    RosterChanges,
    SchoolSpec,
    SectionSpec,
    SessionSpec,
)
from proficio.people.roster.index import KnownPerson, RosterIndex


@dataclass(frozen=True)
class Pseudonymised:
    """What erasing a student's identity changed: their pseudonym and the rows removed."""

    pseudonym: str
    guardian_links_removed: int
    api_tokens_removed: int
    demographics_removed: int = 0


@dataclass(frozen=True)
class StudentDemographics:
    """What the student information system says of a student (people.Demographics), as the
    equity reports group by it. None, or "" for sex, is "not reported"."""

    birth_date: date | None = None
    sex: str = ""  # female, male, other, unspecified (people.Sex), or ""
    american_indian_or_alaska_native: bool | None = None
    asian: bool | None = None
    black_or_african_american: bool | None = None
    native_hawaiian_or_other_pacific_islander: bool | None = None
    white: bool | None = None
    two_or_more_races: bool | None = None
    hispanic_or_latino: bool | None = None


__all__ = [
    "DemographicsSpec",
    "GuardianSpec",
    "KnownPerson",
    "MembershipSpec",
    "PersonSpec",
    "Pseudonymised",
    "RoleSpec",
    "Roster",
    "RosterChanges",
    "RosterIndex",
    "SchoolSpec",
    "SectionSpec",
    "SessionSpec",
    "StudentDemographics",
]
