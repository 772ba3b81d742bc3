"""Writes for scales, frameworks, competencies with their trajectories, and courses."""

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import slugify

from proficio.frameworks.models import (
    Competency,
    CompetencyKind,
    Course,
    CourseTarget,
    EvidenceStatement,
    Framework,
    Scale,
    ScaleLevel,
    Stage,
    Standard,
    StandardAssociation,
)
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import District, Person, district_admin_of


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


@transaction.atomic
def scale_create(*, district: District, name: str, levels: Sequence[LevelSpec]) -> Scale:
    values = [Decimal(level.value) for level in levels]
    if not levels:
        raise InvalidInput({"levels": "A scale needs at least one level."})
    if len(set(values)) != len(values):
        raise InvalidInput({"levels": "Two levels share a value."})
    if not any(level.is_mastery for level in levels):
        raise InvalidInput({"levels": "Mark at least one level as mastery."})
    scale = Scale.objects.create(district=district, name=name)
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            scale=scale,
            value=Decimal(level.value),
            label=level.label,
            colour=level.colour,
            is_mastery=level.is_mastery,
            description=level.description,
        )
        for level in levels
    )
    return scale


@transaction.atomic
def framework_create(
    *, district: District, code: str, title: str, scale: Scale, description: str = ""
) -> Framework:
    if Framework.objects.filter(district=district, code=code).exists():
        raise InvalidInput({"code": f"A framework with code {code!r} exists."})
    return Framework.objects.create(
        district=district, code=code, title=title, scale=scale, description=description
    )


@transaction.atomic
def competency_create(
    *,
    framework: Framework,
    code: str,
    title: str,
    kind: CompetencyKind,
    stages: Sequence[StageSpec],
    statement: str = "",
    subject: str = "",
    scale: Scale | None = None,
) -> Competency:
    """A competency with its whole trajectory; stages are numbered 1, 2, … in order."""
    if Competency.objects.filter(framework=framework, code=code).exists():
        raise InvalidInput({"code": f"{framework.code} already has a competency {code!r}."})
    if not stages:
        raise InvalidInput({"stages": "A trajectory needs at least one stage."})
    competency = Competency.objects.create(
        framework=framework,
        code=code,
        title=title,
        kind=kind,
        statement=statement,
        subject=subject,
        scale=scale,
        position=framework.competencies.count(),
    )
    for ordinal, spec in enumerate(stages, start=1):
        stage = Stage.objects.create(
            competency=competency,
            ordinal=ordinal,
            label=spec.label,
            descriptor=spec.descriptor,
            typical_grade=spec.typical_grade,
        )
        EvidenceStatement.objects.bulk_create(
            EvidenceStatement(stage=stage, text=text, position=position)
            for position, text in enumerate(spec.evidence_statements)
        )
    return competency


@transaction.atomic
def course_create(
    *, district: District, code: str, title: str, targets: Sequence[tuple[Competency, int]]
) -> Course:
    """A course whose targets are (competency, stage ordinal) pairs."""
    course = Course.objects.create(district=district, code=code, title=title)
    for competency, ordinal in targets:
        stage = competency.stages.filter(ordinal=ordinal).first()
        if stage is None:
            raise InvalidInput({"targets": f"{competency.code} has no stage {ordinal}."})
        CourseTarget.objects.create(course=course, stage=stage)
    return course


@transaction.atomic
def course_sequence(*, course: Course, next_course: Course | None) -> Course:
    """Set the course that follows `course` (None ends the sequence); refuses loops."""
    if next_course is not None:
        if next_course.district_id != course.district_id:
            raise InvalidInput({"next_course": "The next course is in another district."})
        step: Course | None = next_course
        while step is not None:
            if step.pk == course.pk:
                raise InvalidInput({"next_course": "Courses cannot follow each other in a loop."})
            step = step.next_course
    course.next_course = next_course
    course.save(update_fields=["next_course"])
    return course


# ---- standards frameworks from CASE (or any reader that produces these specs) --------------

BATCH = 500
DEFAULT_LEVELS = (
    LevelSpec(Decimal(1), "Beginning", "#a0522d"),
    LevelSpec(Decimal(2), "Developing", "#8a6a00"),
    LevelSpec(Decimal(3), "Proficient", "#2b6e4a", is_mastery=True),
    LevelSpec(Decimal(4), "Advanced", "#2b5f9e", is_mastery=True),
)


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


@dataclass
class CaseSyncResult:
    """What a sync did, per kind ("items", "associations", "scales", "competencies")."""

    framework: Framework
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # Rows of the framework the input no longer holds: kept, so no alignment is lost.
    kept: Counter = field(default_factory=Counter)


STANDARD_FIELDS = (
    "uri",
    "human_coding_scheme",
    "full_statement",
    "abbreviated_statement",
    "item_type",
    "education_level",
    "language",
    "list_enumeration",
    "notes",
    "concept_keywords",
    "position",
    "extra",
    "last_change",
)
ASSOCIATION_FIELDS = (
    "uri",
    "association_type",
    "origin_identifier",
    "origin_uri",
    "origin_title",
    "destination_identifier",
    "destination_uri",
    "destination_title",
    "sequence_number",
    "extra",
    "last_change",
)


def _check_admin(actor: Person | None, district: District) -> None:
    """`None` is the operator at the command line, who holds the whole installation."""
    if actor is not None and not district_admin_of(actor, district):
        raise NotVisible(f"No district {district.pk}.")


def _document_values(document: CaseDocumentSpec) -> dict:
    return {
        "title": document.title[:300],
        "case_uri": document.uri,
        "creator": document.creator[:300],
        "publisher": document.publisher[:300],
        "description": document.description,
        "version": document.version[:50],
        "adoption_status": document.adoption_status[:100],
        "status_start_date": document.status_start_date,
        "status_end_date": document.status_end_date,
        "language": document.language[:20],
        "official_source_url": document.official_source_url,
        "license": dict(document.license),
        "notes": document.notes,
        "last_change": document.last_change,
        "case_extra": dict(document.extra),
    }


def _standard_values(spec: StandardSpec) -> dict:
    return {
        "uri": spec.uri,
        "human_coding_scheme": spec.human_coding_scheme[:200],
        "full_statement": spec.full_statement,
        "abbreviated_statement": spec.abbreviated_statement,
        "item_type": spec.item_type[:200],
        "education_level": list(spec.education_level),
        "language": spec.language[:20],
        "list_enumeration": spec.list_enumeration[:50],
        "notes": spec.notes,
        "concept_keywords": list(spec.concept_keywords),
        "position": spec.position,
        "extra": dict(spec.extra),
        "last_change": spec.last_change,
    }


def _association_values(spec: AssociationSpec) -> dict:
    return {
        "uri": spec.uri,
        "association_type": spec.association_type[:100],
        "origin_identifier": spec.origin_identifier[:500],
        "origin_uri": spec.origin_uri,
        "origin_title": spec.origin_title,
        "destination_identifier": spec.destination_identifier[:500],
        "destination_uri": spec.destination_uri,
        "destination_title": spec.destination_title,
        "sequence_number": spec.sequence_number,
        "extra": dict(spec.extra),
        "last_change": spec.last_change,
    }


def framework_code_for(*, district: District, title: str) -> str:
    """A code derived from the title (its initials when long), unique in the district."""
    words = slugify(title).upper().split("-")
    base = "-".join(words)
    if len(base) > 20:
        base = "".join(word[0] for word in words if word) or "CASE"
    base = base[:40] or "CASE"
    taken = set(
        Framework.objects.filter(district=district, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, suffix = base, 2
    while code in taken:
        code, suffix = f"{base}-{suffix}", suffix + 1
    return code


def _check_specs(standards: Sequence[StandardSpec], associations: Sequence[AssociationSpec]):
    identifiers = [spec.identifier for spec in standards]
    if len(set(identifiers)) != len(identifiers):
        raise InvalidInput({"items": "Two items share an identifier."})
    known = set(identifiers)
    if any(spec.parent is not None and spec.parent not in known for spec in standards):
        raise InvalidInput({"items": "An item's parent is not among the items."})
    association_ids = [spec.identifier for spec in associations]
    if len(set(association_ids)) != len(association_ids):
        raise InvalidInput({"associations": "Two associations share an identifier."})


def _sync_scale(district: District, spec: RubricScaleSpec) -> tuple[Scale, str]:
    """The scale made from one rubric criterion, created or brought up to date."""
    name = spec.name[:200]
    scale = Scale.objects.filter(district=district, case_identifier=spec.identifier).first()
    if scale is None:
        scale = scale_create(district=district, name=name, levels=spec.levels)
        scale.case_identifier = spec.identifier
        scale.save(update_fields=["case_identifier"])
        return scale, "created"
    current = [
        (level.value, level.label, level.is_mastery, level.description)
        for level in scale.levels.all()
    ]
    wanted = [
        (Decimal(level.value), level.label, level.is_mastery, level.description)
        for level in sorted(spec.levels, key=lambda level: Decimal(level.value))
    ]
    if current == wanted and scale.name == name:
        return scale, "unchanged"
    scale.name = name
    scale.save(update_fields=["name"])
    scale.levels.all().delete()
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            scale=scale,
            value=Decimal(level.value),
            label=level.label,
            colour=level.colour,
            is_mastery=level.is_mastery,
            description=level.description,
        )
        for level in spec.levels
    )
    return scale, "updated"


def _default_scale(district: District) -> Scale:
    """The district's first scale; a four-level one is made for a district without any."""
    scale = Scale.objects.filter(district=district).order_by("pk").first()
    return scale or scale_create(district=district, name="Four levels", levels=DEFAULT_LEVELS)


def _sync_framework(
    district: District, document: CaseDocumentSpec, scales: list[Scale]
) -> tuple[Framework, str]:
    values = _document_values(document)
    framework = (
        Framework.objects.select_for_update()
        .filter(district=district, case_identifier=document.identifier)
        .first()
    )
    if framework is None:
        framework = Framework.objects.create(
            district=district,
            case_identifier=document.identifier,
            code=framework_code_for(district=district, title=document.title),
            scale=scales[0] if scales else _default_scale(district),
            **values,
        )
        return framework, "created"
    if all(getattr(framework, name) == value for name, value in values.items()):
        return framework, "unchanged"
    for name, value in values.items():
        setattr(framework, name, value)
    framework.save()
    return framework, "updated"


def _sync_standards(
    framework: Framework, standards: Sequence[StandardSpec], result: CaseSyncResult
) -> dict[UUID, Standard]:
    existing = {standard.identifier: standard for standard in framework.standards.all()}
    identifier_of = {standard.pk: identifier for identifier, standard in existing.items()}
    to_create, to_update = [], []
    for spec in standards:
        values = _standard_values(spec)
        standard = existing.get(spec.identifier)
        if standard is None:
            to_create.append(Standard(framework=framework, identifier=spec.identifier, **values))
            continue
        parent_now = identifier_of.get(standard.parent_id)
        if parent_now == spec.parent and all(
            getattr(standard, name) == value for name, value in values.items()
        ):
            result.unchanged["items"] += 1
            continue
        for name, value in values.items():
            setattr(standard, name, value)
        to_update.append(standard)
    Standard.objects.bulk_create(to_create, batch_size=BATCH)
    Standard.objects.bulk_update(to_update, STANDARD_FIELDS, batch_size=BATCH)
    result.created["items"] += len(to_create)
    result.updated["items"] += len(to_update)
    given = {spec.identifier for spec in standards}
    result.kept["items"] += sum(1 for identifier in existing if identifier not in given)

    by_identifier = {**existing, **{standard.identifier: standard for standard in to_create}}
    moved = []
    for spec in standards:
        standard = by_identifier[spec.identifier]
        parent_id = by_identifier[spec.parent].pk if spec.parent is not None else None
        if standard.parent_id != parent_id:
            standard.parent_id = parent_id
            moved.append(standard)
    Standard.objects.bulk_update(moved, ["parent"], batch_size=BATCH)
    return by_identifier


def _sync_associations(
    framework: Framework,
    associations: Sequence[AssociationSpec],
    standards: dict[UUID, Standard],
    result: CaseSyncResult,
) -> None:
    by_text = {str(identifier): standard.pk for identifier, standard in standards.items()}
    existing = {row.identifier: row for row in framework.standard_associations.all()}
    to_create, to_update = [], []
    for spec in associations:
        values = _association_values(spec)
        values["origin_id"] = by_text.get(spec.origin_identifier)
        values["destination_id"] = by_text.get(spec.destination_identifier)
        row = existing.get(spec.identifier)
        if row is None:
            to_create.append(
                StandardAssociation(framework=framework, identifier=spec.identifier, **values)
            )
        elif all(getattr(row, name) == value for name, value in values.items()):
            result.unchanged["associations"] += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    StandardAssociation.objects.bulk_create(to_create, batch_size=BATCH)
    StandardAssociation.objects.bulk_update(
        to_update, [*ASSOCIATION_FIELDS, "origin", "destination"], batch_size=BATCH
    )
    result.created["associations"] += len(to_create)
    result.updated["associations"] += len(to_update)
    given = {spec.identifier for spec in associations}
    result.kept["associations"] += sum(1 for identifier in existing if identifier not in given)


def _competency_code(standard: Standard, taken: set[str]) -> str:
    base = (standard.human_coding_scheme or standard.list_enumeration or "")[:90]
    base = base or str(standard.identifier)[:8].upper()
    code, suffix = base, 2
    while code in taken:
        code, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(code)
    return code


def _sync_competencies(
    framework: Framework,
    standards: Sequence[Standard],
    competency_types: Collection[str],
    result: CaseSyncResult,
) -> None:
    """Items of the chosen types become competencies aligned to them (kept on re-import)."""
    wanted = {kind.casefold() for kind in competency_types}
    chosen = [standard for standard in standards if standard.item_type.casefold() in wanted]
    if not chosen:
        return
    taken = set(framework.competencies.values_list("code", flat=True))
    position = framework.competencies.count()
    for standard in chosen:
        title = (standard.abbreviated_statement or standard.full_statement)[:300]
        competency = standard.competency
        if competency is None:
            competency = Competency.objects.create(
                framework=framework,
                code=_competency_code(standard, taken),
                title=title,
                statement=standard.full_statement,
                kind=CompetencyKind.ACADEMIC,
                position=position,
            )
            position += 1
            standard.competency = competency
            standard.save(update_fields=["competency"])
            result.created["competencies"] += 1
        elif (competency.title, competency.statement) != (title, standard.full_statement):
            competency.title, competency.statement = title, standard.full_statement
            competency.save(update_fields=["title", "statement"])
            result.updated["competencies"] += 1
        else:
            result.unchanged["competencies"] += 1
        competency.aligned_standards.add(standard)


@transaction.atomic
def framework_sync_case(
    *,
    actor: Person | None,
    district: District,
    document: CaseDocumentSpec,
    standards: Sequence[StandardSpec],
    associations: Sequence[AssociationSpec],
    scales: Sequence[RubricScaleSpec] = (),
    competency_types: Collection[str] = (),
) -> CaseSyncResult:
    """Create or update the framework mirroring one CASE document, matched by identifier.

    Items and associations are matched by identifier too, so importing the same
    document again changes only what changed. Items of `competency_types` also become
    competencies aligned to their item. `actor` None is the operator at the command line.
    """
    _check_admin(actor, district)
    _check_specs(standards, associations)
    synced_scales = [_sync_scale(district, spec) for spec in scales]
    framework, outcome = _sync_framework(district, document, [s for s, _ in synced_scales])
    result = CaseSyncResult(framework=framework)
    getattr(result, outcome)["frameworks"] += 1
    for _scale, scale_outcome in synced_scales:
        getattr(result, scale_outcome)["scales"] += 1
    by_identifier = _sync_standards(framework, standards, result)
    _sync_associations(framework, associations, by_identifier, result)
    _sync_competencies(
        framework, [by_identifier[spec.identifier] for spec in standards], competency_types, result
    )
    return result


@transaction.atomic
def competency_align(
    *, actor: Person, competency: Competency, standards: Sequence[Standard]
) -> Competency:
    """Set the standards a competency consolidates (replacing the earlier alignment)."""
    district = competency.framework.district
    _check_admin(actor, district)
    if any(standard.framework.district_id != district.pk for standard in standards):
        raise InvalidInput({"standards": "Align only standards of the competency's district."})
    competency.aligned_standards.set(standards)
    return competency


# ---- competencies with trajectories from a spreadsheet (or any reader of these specs) ------


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


def _check_trajectories(competencies: Sequence[CompetencySpec]) -> None:
    codes = [spec.code for spec in competencies]
    if len(set(codes)) != len(codes):
        raise InvalidInput({"competencies": "Two competencies share a code."})
    for spec in competencies:
        if not spec.code.strip() or not spec.title.strip():
            raise InvalidInput({"competencies": "Every competency needs a code and a title."})
        if spec.kind not in CompetencyKind.values:
            raise InvalidInput({"kind": f"{spec.code}: {spec.kind!r} is not a kind."})
        if not spec.stages:
            raise InvalidInput({"stages": f"{spec.code}: a trajectory needs at least one stage."})


def _trajectory_framework(
    district: District, code: str, title: str, keep_title: bool
) -> tuple[Framework, str]:
    """The framework by code, else (without a code) the one written in Proficio with this
    title; made when there is none."""
    frameworks = Framework.objects.select_for_update().filter(district=district)
    if code:
        framework = frameworks.filter(code=code).first()
    else:
        framework = frameworks.filter(title=title, case_identifier=None).order_by("pk").first()
    if framework is None:
        framework = Framework.objects.create(
            district=district,
            code=code or framework_code_for(district=district, title=title),
            title=title,
            scale=_default_scale(district),
        )
        return framework, "created"
    if keep_title or framework.title == title:
        return framework, "unchanged"
    framework.title = title
    framework.save(update_fields=["title"])
    return framework, "updated"


def _sync_statements(
    stage: Stage, texts: Sequence[str], result: TrajectorySyncResult, code: str
) -> bool:
    """Bring a stage's evidence statements in line with `texts`, by position; True if changed."""
    current = list(stage.evidence_statements.all())
    changed = []
    for position, (statement, text) in enumerate(zip(current, texts, strict=False)):
        if statement.text == text and statement.position == position:
            result.unchanged["evidence_statements"] += 1
            continue
        statement.text, statement.position = text, position
        changed.append(statement)
    EvidenceStatement.objects.bulk_update(changed, ["text", "position"])
    result.updated["evidence_statements"] += len(changed)
    added = [
        EvidenceStatement(stage=stage, text=text, position=position)
        for position, text in enumerate(texts)
        if position >= len(current)
    ]
    EvidenceStatement.objects.bulk_create(added)
    result.created["evidence_statements"] += len(added)
    surplus = current[len(texts) :]
    if surplus:
        EvidenceStatement.objects.filter(pk__in=[s.pk for s in surplus]).delete()
        result.removed_statements.append((code, stage.ordinal, len(surplus)))
    return bool(changed or added or surplus)


def _sync_stages(
    competency: Competency,
    specs: Sequence[StageSpec],
    absent: Collection[str],
    result: TrajectorySyncResult,
) -> None:
    existing = {stage.ordinal: stage for stage in competency.stages.all()}
    for ordinal, spec in enumerate(specs, start=1):
        stage = existing.get(ordinal)
        descriptor = stage.descriptor if stage and "descriptor" in absent else spec.descriptor
        values = {
            "label": spec.label,
            "descriptor": descriptor,
            "typical_grade": spec.typical_grade,
        }
        if stage is None:
            stage = Stage.objects.create(competency=competency, ordinal=ordinal, **values)
            result.created["stages"] += 1
            _sync_statements(stage, spec.evidence_statements, result, competency.code)
            continue
        changed = [name for name, value in values.items() if getattr(stage, name) != value]
        for name in changed:
            setattr(stage, name, values[name])
        if changed:
            stage.save(update_fields=changed)
        statements_changed = _sync_statements(
            stage, spec.evidence_statements, result, competency.code
        )
        bucket = result.updated if changed or statements_changed else result.unchanged
        bucket["stages"] += 1
    result.kept_stages += [
        KeptStage(competency.code, ordinal, stage.label)
        for ordinal, stage in sorted(existing.items())
        if ordinal > len(specs)
    ]


@transaction.atomic
def framework_sync_trajectories(
    *,
    actor: Person | None,
    district: District,
    code: str = "",
    title: str,
    keep_title: bool = False,
    competencies: Sequence[CompetencySpec],
    absent: Collection[str] = (),
) -> TrajectorySyncResult:
    """Create or update competencies with their trajectories in one framework.

    The framework is found by `code` (without one: by `title`, among frameworks written in
    Proficio) and made when missing; `keep_title` leaves an existing framework's title alone.
    Competencies are matched by code, stages by ordinal, evidence statements by position,
    so the same input twice changes nothing. Nothing is deleted but evidence statements the
    input no longer lists: stages and competencies it no longer holds are kept and reported,
    because evidence may point at them. `absent` names optional fields ("subject",
    "descriptor") the input does not carry, which existing rows keep. `actor` None is the
    operator at the command line.
    """
    _check_admin(actor, district)
    _check_trajectories(competencies)
    if not title.strip():
        raise InvalidInput({"title": "The framework needs a title."})
    framework, outcome = _trajectory_framework(district, code, title, keep_title)
    result = TrajectorySyncResult(framework=framework)
    getattr(result, outcome)["frameworks"] += 1
    existing = {
        competency.code: competency
        for competency in framework.competencies.prefetch_related(
            Prefetch("stages", queryset=Stage.objects.prefetch_related("evidence_statements"))
        )
    }
    position = max((c.position for c in existing.values()), default=-1) + 1
    for spec in competencies:
        competency = existing.get(spec.code)
        if competency is None:
            competency = Competency.objects.create(
                framework=framework,
                code=spec.code,
                title=spec.title,
                statement=spec.statement,
                kind=spec.kind,
                subject=spec.subject,
                position=position,
            )
            position += 1
            result.created["competencies"] += 1
        else:
            subject = competency.subject if "subject" in absent else spec.subject
            values = {
                "title": spec.title,
                "statement": spec.statement,
                "kind": spec.kind,
                "subject": subject,
            }
            changed = [name for name, value in values.items() if getattr(competency, name) != value]
            for name in changed:
                setattr(competency, name, values[name])
            if changed:
                competency.save(update_fields=changed)
            bucket = result.updated if changed else result.unchanged
            bucket["competencies"] += 1
        _sync_stages(competency, spec.stages, absent, result)
    given = {spec.code for spec in competencies}
    result.kept_competencies = sorted(code for code in existing if code not in given)
    return result
