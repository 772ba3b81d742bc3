"""Standards frameworks from CASE (or any reader that produces these specs): a framework
mirroring one CASE document, its items and associations, the scales of its rubrics, and the
competencies aligned to its items."""

from collections.abc import Collection, Sequence
from decimal import Decimal
from uuid import UUID

from django.db import transaction

from proficio.audit import api as audit
from proficio.frameworks.data import (
    AssociationSpec,
    CaseDocumentSpec,
    CaseSyncResult,
    RubricScaleSpec,
    StandardSpec,
)
from proficio.frameworks.models import (
    Competency,
    CompetencyKind,
    Framework,
    Scale,
    ScaleLevel,
    Standard,
    StandardAssociation,
)
from proficio.frameworks.services.authoring import (
    check_district_admin,
    default_scale,
    fields_update,
    framework_code_for,
    scale_create,
)
from proficio.lib.errors import InvalidInput
from proficio.people.api import District, Person

BATCH = 500
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
    if scale is None and spec.rubric is not None:
        # A scale made in Proficio, coming back in its own export: it is authored here.
        own = Scale.objects.filter(district=district, uuid=spec.rubric, case_identifier=None)
        if (scale := own.first()) is not None:
            return scale, "unchanged"
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
        # A framework made in Proficio, coming back in its own export (its uuid is the
        # document's identifier): its own fields are authored here, bar title and description.
        own = Framework.objects.select_for_update().filter(
            district=district, uuid=document.identifier, case_identifier=None
        )
        if (framework := own.first()) is not None:
            return framework, _update(
                framework, {"title": values["title"], "description": values["description"]}
            )
    if framework is None:
        framework = Framework.objects.create(
            district=district,
            case_identifier=document.identifier,
            code=framework_code_for(district=district, title=document.title),
            scale=scales[0] if scales else default_scale(district),
            **values,
        )
        return framework, "created"
    return framework, _update(framework, values)


def _update(row, values: dict) -> str:
    """Set the fields that differ and save them: "updated", or "unchanged" when none did."""
    return "updated" if fields_update(row, values) else "unchanged"


def _own_objects(framework: Framework) -> dict[UUID, tuple[str, object]]:
    """The framework's competencies, stages and evidence statements by uuid: in Proficio's
    own export they are items, and coming back they update these, never new standards."""
    own: dict[UUID, tuple[str, object]] = {}
    for competency in framework.competencies.prefetch_related("stages__evidence_statements"):
        own[competency.uuid] = ("competencies", competency)
        for stage in competency.stages.all():
            own[stage.uuid] = ("stages", stage)
            for statement in stage.evidence_statements.all():
                own[statement.uuid] = ("evidence statements", statement)
    return own


def _longer_words(full: str, short: str, stored: str) -> str:
    """A statement or descriptor from the export, which writes the short words in its place
    when it is empty: the same words as the short ones keep what is stored (empty or not)."""
    return stored if full == short and stored in ("", full) else full


def _sync_own_items(
    own: dict[UUID, tuple[str, object]], specs: Sequence[StandardSpec], result: CaseSyncResult
) -> None:
    """Items that are the framework's own objects update those objects' words."""
    for spec in specs:
        kind, row = own[spec.identifier]
        if kind == "competencies":
            title = (spec.abbreviated_statement or spec.full_statement)[:300]
            values = {
                "code": spec.human_coding_scheme[:50] or row.code,
                "title": title,
                "statement": _longer_words(spec.full_statement, title, row.statement),
            }
        elif kind == "stages":
            label = (spec.abbreviated_statement or spec.full_statement)[:200]
            values = {
                "label": label,
                "descriptor": _longer_words(spec.full_statement, label, row.descriptor),
            }
        else:
            values = {"text": spec.full_statement}
        getattr(result, _update(row, values))[kind] += 1


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
    check_district_admin(actor, district)
    _check_specs(standards, associations)
    synced_scales = [_sync_scale(district, spec) for spec in scales]
    framework, outcome = _sync_framework(district, document, [s for s, _ in synced_scales])
    result = CaseSyncResult(framework=framework)
    getattr(result, outcome)["frameworks"] += 1
    for _scale, scale_outcome in synced_scales:
        getattr(result, scale_outcome)["scales"] += 1
    own = _own_objects(framework)
    own_ids = {str(identifier) for identifier in own}
    _sync_own_items(own, [spec for spec in standards if spec.identifier in own], result)
    standards = [spec for spec in standards if spec.identifier not in own]
    # Associations Proficio derives from its own objects (a stage under its competency, one
    # stage before the next, a competency's alignments) are the structure itself.
    associations = [
        spec
        for spec in associations
        if spec.origin_identifier not in own_ids and spec.destination_identifier not in own_ids
    ]
    by_identifier = _sync_standards(framework, standards, result)
    _sync_associations(framework, associations, by_identifier, result)
    _sync_competencies(
        framework, [by_identifier[spec.identifier] for spec in standards], competency_types, result
    )
    audit.record(
        actor=actor,
        action=audit.FRAMEWORK_IMPORTED,
        district_id=district.pk,
        target=framework,
        data={"title": framework.title, "format": "case"},
    )
    return result


@transaction.atomic
def competency_align(
    *, actor: Person, competency: Competency, standards: Sequence[Standard]
) -> Competency:
    """Set the standards a competency consolidates (replacing the earlier alignment)."""
    district = competency.framework.district
    check_district_admin(actor, district)
    if any(standard.framework.district_id != district.pk for standard in standards):
        raise InvalidInput({"standards": "Align only standards of the competency's district."})
    competency.aligned_standards.set(standards)
    return competency
