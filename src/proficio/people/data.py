"""The people app's frozen data that crosses app lines: a roster as format readers build it,
what a district already holds to validate one against, and what a sync changed."""

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

__all__ = [
    "GuardianSpec",
    "KnownPerson",
    "MembershipSpec",
    "PersonSpec",
    "RoleSpec",
    "Roster",
    "RosterChanges",
    "RosterIndex",
    "SchoolSpec",
    "SectionSpec",
    "SessionSpec",
]
