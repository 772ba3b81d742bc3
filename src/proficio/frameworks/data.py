"""The frozen specs other apps build to write frameworks (a reader of CASE, a spreadsheet,
the demo), and what a sync reports back."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from proficio.frameworks.models import CompetencyKind, Framework

# ---- scales and trajectories, as authoring takes them ---------------------------------------


@dataclass(frozen=True)
class LevelSpec:
    value: Decimal
    label: str
    colour: str
    is_mastery: bool = False
    description: str = ""


@dataclass(frozen=True)
class StageSpec:
    label: str
    descriptor: str = ""
    typical_grade: int | None = None
    evidence_statements: Sequence[str] = field(default_factory=tuple)
    retired: bool = False
    stage: UUID | None = None  # revising: the stage this row is (None: a new one)


# ---- standards frameworks from CASE ---------------------------------------------------------


@dataclass(frozen=True)
class CaseDocumentSpec:
    """A framework as a CASE CFDocument describes it."""

    identifier: UUID
    title: str
    uri: str = ""
    creator: str = ""
    publisher: str = ""
    description: str = ""
    version: str = ""
    adoption_status: str = ""
    status_start_date: date | None = None
    status_end_date: date | None = None
    language: str = ""
    official_source_url: str = ""
    license: Mapping = field(default_factory=dict)
    notes: str = ""
    last_change: datetime | None = None
    extra: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class StandardSpec:
    """One item; `parent` is another item's identifier (None: directly under the document)."""

    identifier: UUID
    full_statement: str
    uri: str = ""
    human_coding_scheme: str = ""
    abbreviated_statement: str = ""
    item_type: str = ""
    education_level: tuple[str, ...] = ()
    language: str = ""
    list_enumeration: str = ""
    notes: str = ""
    concept_keywords: tuple[str, ...] = ()
    parent: UUID | None = None
    position: int = 0
    extra: Mapping = field(default_factory=dict)
    last_change: datetime | None = None


@dataclass(frozen=True)
class AssociationSpec:
    """A relation between two nodes, named by identifier; either may lie outside the framework."""

    identifier: UUID
    association_type: str
    origin_identifier: str
    destination_identifier: str
    uri: str = ""
    origin_uri: str = ""
    origin_title: str = ""
    destination_uri: str = ""
    destination_title: str = ""
    sequence_number: int | None = None
    extra: Mapping = field(default_factory=dict)
    last_change: datetime | None = None


@dataclass(frozen=True)
class RubricScaleSpec:
    """A scale made from a rubric criterion; `identifier` is the criterion's."""

    identifier: UUID
    name: str
    levels: Sequence[LevelSpec]
    # The rubric the criterion belongs to: a scale's own uuid in Proficio's export.
    rubric: UUID | None = None


@dataclass
class CaseSyncResult:
    """What a sync did, per kind ("items", "associations", "scales", "competencies")."""

    framework: Framework
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # Rows of the framework the input no longer holds: kept, so no alignment is lost.
    kept: Counter = field(default_factory=Counter)


# ---- competencies with trajectories from a spreadsheet --------------------------------------


@dataclass(frozen=True)
class CompetencySpec:
    """A competency with its whole trajectory: `stages[0]` is stage 1, and so on."""

    code: str
    title: str
    kind: CompetencyKind
    stages: Sequence[StageSpec]
    statement: str = ""
    subject: str = ""


@dataclass(frozen=True)
class KeptStage:
    """A stage the input no longer lists; kept, because evidence may point at it."""

    competency_code: str
    ordinal: int
    label: str


@dataclass
class TrajectorySyncResult:
    """What a sync did, per kind ("frameworks", "competencies", "stages",
    "evidence_statements"), and what it left in place."""

    framework: Framework
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept_stages: list[KeptStage] = field(default_factory=list)
    kept_competencies: list[str] = field(default_factory=list)
    # (competency code, stage ordinal, how many) of evidence statements no longer listed.
    removed_statements: list[tuple[str, int, int]] = field(default_factory=list)
