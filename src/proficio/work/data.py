"""What other apps and the API hand the work app: plain values, no models of its own."""

from dataclasses import dataclass
from decimal import Decimal

from proficio.frameworks.api import Competency


@dataclass(frozen=True)
class Alignment:
    """One (competency, stage ordinal) a task lets a student show."""

    competency: Competency
    stage: int


@dataclass(frozen=True)
class SelfRating:
    """A student's own level for one aligned (competency, stage) of a task."""

    competency: Competency
    stage: int
    level: Decimal


@dataclass(frozen=True)
class WorkRating:
    """A teacher's rating of a revision for one aligned (competency, stage)."""

    competency: Competency
    stage: int
    level: Decimal
    feedback_present: str = ""
    feedback_next: str = ""
    # The stage's evidence statements (uuids) the work shows.
    statements: tuple[str, ...] = ()
