"""The people app's frozen data that crosses app lines: a roster as format readers build it,
what a district already holds to validate one against, and what a sync changed; what
erasing a student's identity changed."""

from dataclasses import dataclass

from proficio.people.roster.data import (
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
    """What erasing a student's identity changed: their pseudonym and the links removed."""

    pseudonym: str
    guardian_links_removed: int
    api_tokens_removed: int


__all__ = [
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
]
