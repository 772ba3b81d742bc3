"""A framework as a CASE 1.1 CFPackage: what a CASE REST consumer or another system receives.

Imported standards go back out as they came in: their identifiers, properties and
associations. Competencies written in Proficio travel with their whole progression:
each competency is a "Competency" item, its trajectory stages are "Stage" items under
it (in order, each `precedes` the next), and each stage's evidence statements are
"Evidence Statement" items under the stage. Identifiers are the objects' uuids;
associations Proficio makes get identifiers derived from their ends, so every export
of an unchanged framework gives the same package.
"""

from collections import defaultdict
from datetime import date, datetime
from itertools import pairwise
from uuid import UUID, uuid5

from django.utils import timezone

from proficio.frameworks.api import (
    Competency,
    Framework,
    Stage,
    Standard,
    StandardAssociation,
    framework_associations,
    framework_competencies,
    framework_standards,
)

CASE_VERSION = "1.1"
# The namespace of every identifier Proficio derives for CASE (uuid5).
NAMESPACE = UUID("5f0c6f0e-3a9b-4b7e-9d43-6f1d0c2a8e11")
COMPETENCY, STAGE, EVIDENCE = "Competency", "Stage", "Evidence Statement"
ITEM_EXTRA = (
    "alternativeLabel",
    "CFItemTypeURI",
    "licenseURI",
    "conceptKeywordsURI",
    "subject",
    "subjectURI",
    "statusStartDate",
    "statusEndDate",
)
DOCUMENT_EXTRA = ("frameworkType", "subject", "subjectURI")


def derived(*parts: object) -> UUID:
    """A stable identifier for something Proficio names in CASE but does not store."""
    return uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def education_level(grade: int | None) -> list[str]:
    """A stage's typical grade in the codes CASE frameworks use: PK, KG, 01 … 12."""
    if grade is None:
        return []
    if grade < 0:
        return ["PK"]
    return ["KG"] if grade == 0 else [f"{grade:02d}"]


def document_identifier(framework: Framework) -> UUID:
    return framework.case_identifier or framework.uuid


class PackageBuilder:
    """Builds the package of one framework; `base_uri` makes node URIs resolvable (REST)."""

    def __init__(self, framework: Framework, *, base_uri: str = "", now: datetime | None = None):
        self.framework = framework
        self.base_uri = base_uri.rstrip("/")
        self.now = now or timezone.now()
        self.stamp_default = framework.last_change or self.now
        self.identifier = document_identifier(framework)

    # ---- small helpers -----------------------------------------------------------------------

    def uri(self, collection: str, identifier: object) -> str:
        if self.base_uri:
            return f"{self.base_uri}/{collection}/{identifier}"
        return f"urn:uuid:{identifier}"

    def stamp(self, moment: datetime | None) -> str:
        return (moment or self.stamp_default).isoformat()

    def link(self, collection: str, identifier: object, title: str) -> dict:
        return {
            "title": title,
            "identifier": str(identifier),
            "uri": self.uri(collection, identifier),
        }

    def document_link(self) -> dict:
        return self.link("CFDocuments", self.identifier, self.framework.title)

    def node(self, identifier: str, uri: str, title: str) -> dict:
        if not uri:
            try:
                uri = self.uri("CFItems", UUID(identifier))
            except ValueError:
                uri = identifier
        return {"title": title, "identifier": identifier, "uri": uri}

    # ---- the document ------------------------------------------------------------------------

    def document(self) -> dict:
        framework = self.framework
        document = {
            "identifier": str(self.identifier),
            "uri": framework.case_uri or self.uri("CFDocuments", self.identifier),
            "creator": framework.creator or framework.district.name,
            "title": framework.title,
            "lastChangeDateTime": self.stamp(framework.last_change),
            "caseVersion": CASE_VERSION,
        }
        optional: dict[str, str | date | None] = {
            "publisher": framework.publisher,
            "description": framework.description,
            "version": framework.version,
            "adoptionStatus": framework.adoption_status,
            "language": framework.language,
            "officialSourceURL": framework.official_source_url,
            "notes": framework.notes,
        }
        document.update({key: value for key, value in optional.items() if value})
        for key, day in (
            ("statusStartDate", framework.status_start_date),
            ("statusEndDate", framework.status_end_date),
        ):
            if day:
                document[key] = day.isoformat()
        if framework.license.get("identifier"):
            document["licenseURI"] = {
                key: framework.license.get(key, "") for key in ("title", "identifier", "uri")
            }
        extra = framework.case_extra
        document.update({key: extra[key] for key in DOCUMENT_EXTRA if key in extra})
        if extra.get("extensions"):
            document["extensions"] = extra["extensions"]
        return document

    # ---- imported standards ------------------------------------------------------------------

    def standard_item(self, standard: Standard) -> dict:
        item = {
            "identifier": str(standard.identifier),
            "uri": standard.uri or self.uri("CFItems", standard.identifier),
            "fullStatement": standard.full_statement,
            "lastChangeDateTime": self.stamp(standard.last_change),
        }
        optional = {
            "humanCodingScheme": standard.human_coding_scheme,
            "abbreviatedStatement": standard.abbreviated_statement,
            "CFItemType": standard.item_type,
            "listEnumeration": standard.list_enumeration,
            "language": standard.language,
            "notes": standard.notes,
            "educationLevel": list(standard.education_level),
            "conceptKeywords": list(standard.concept_keywords),
        }
        item.update({key: value for key, value in optional.items() if value})
        item.update({key: standard.extra[key] for key in ITEM_EXTRA if key in standard.extra})
        if standard.extra.get("extensions"):
            item["extensions"] = standard.extra["extensions"]
        return item

    def stored_association(self, row: StandardAssociation) -> dict:
        association = {
            "identifier": str(row.identifier),
            "uri": row.uri or self.uri("CFAssociations", row.identifier),
            "associationType": row.association_type,
            "originNodeURI": self.node(row.origin_identifier, row.origin_uri, row.origin_title),
            "destinationNodeURI": self.node(
                row.destination_identifier, row.destination_uri, row.destination_title
            ),
            "lastChangeDateTime": self.stamp(row.last_change),
        }
        if row.sequence_number is not None:
            association["sequenceNumber"] = row.sequence_number
        for key in ("CFAssociationGroupingURI", "notes", "extensions"):
            if row.extra.get(key):
                association[key] = row.extra[key]
        return association

    def child_of(
        self, child: tuple[UUID, str], parent: tuple[UUID, str] | None, sequence: int
    ) -> dict:
        """A Proficio-made isChildOf association; `parent` None is the document."""
        child_id, child_title = child
        if parent is None:
            destination = self.document_link()
        else:
            destination = self.link("CFItems", parent[0], parent[1])
        identifier = derived("isChildOf", child_id, destination["identifier"])
        return {
            "identifier": str(identifier),
            "uri": self.uri("CFAssociations", identifier),
            "associationType": "isChildOf",
            "originNodeURI": self.link("CFItems", child_id, child_title),
            "destinationNodeURI": destination,
            "sequenceNumber": sequence,
            "lastChangeDateTime": self.stamp(None),
        }

    def standards(self) -> tuple[list[dict], list[dict]]:
        standards = list(framework_standards(self.framework))
        children: dict[int | None, list[Standard]] = defaultdict(list)
        for standard in standards:
            children[standard.parent_id].append(standard)
        ordered: list[Standard] = []
        pending = list(reversed(children[None]))
        while pending:
            standard = pending.pop()
            ordered.append(standard)
            pending.extend(reversed(children[standard.pk]))
        # Items whose parent chain was broken after import still travel.
        listed = {standard.pk for standard in ordered}
        ordered += [standard for standard in standards if standard.pk not in listed]

        rows = list(framework_associations(self.framework))
        associations = [self.stored_association(row) for row in rows]
        has_parent_link = {
            row.origin_identifier for row in rows if row.association_type == "isChildOf"
        }
        by_pk = {standard.pk: standard for standard in standards}
        for standard in ordered:
            if str(standard.identifier) in has_parent_link:
                continue
            parent = by_pk.get(standard.parent_id)
            associations.append(
                self.child_of(
                    (standard.identifier, standard.human_coding_scheme or standard.full_statement),
                    (parent.identifier, parent.human_coding_scheme or parent.full_statement)
                    if parent
                    else None,
                    standard.position,
                )
            )
        return [self.standard_item(standard) for standard in ordered], associations

    # ---- competencies written in Proficio ----------------------------------------------------

    def item_type_link(self, name: str) -> dict:
        return self.link("CFItemTypes", derived("item-type", name), name)

    def competencies(self) -> tuple[list[dict], list[dict], set[str]]:
        competencies = [
            competency
            for competency in framework_competencies(self.framework)
            if not competency.case_items.filter(framework=self.framework).exists()
        ]
        items: list[dict] = []
        associations: list[dict] = []
        positions: dict[int | None, int] = defaultdict(int)
        by_pk = {competency.pk: competency for competency in competencies}
        for competency in competencies:
            parent = by_pk.get(competency.parent_id)
            positions[competency.parent_id] += 1
            items.append(self.competency_item(competency))
            associations.append(
                self.child_of(
                    (competency.uuid, competency.code),
                    (parent.uuid, parent.code) if parent else None,
                    positions[competency.parent_id],
                )
            )
            associations += self.alignments(competency)
            stages = list(competency.stages.all())
            for stage in stages:
                self.stage_items(competency, stage, items, associations)
            for earlier, later in pairwise(stages):
                identifier = derived("precedes", earlier.uuid, later.uuid)
                associations.append(
                    {
                        "identifier": str(identifier),
                        "uri": self.uri("CFAssociations", identifier),
                        "associationType": "precedes",
                        "originNodeURI": self.link("CFItems", earlier.uuid, earlier.label),
                        "destinationNodeURI": self.link("CFItems", later.uuid, later.label),
                        "lastChangeDateTime": self.stamp(None),
                    }
                )
        used = {COMPETENCY} if competencies else set()
        if any(item.get("CFItemType") == STAGE for item in items):
            used.add(STAGE)
        if any(item.get("CFItemType") == EVIDENCE for item in items):
            used.add(EVIDENCE)
        return items, associations, used

    def competency_item(self, competency: Competency) -> dict:
        item = {
            "identifier": str(competency.uuid),
            "uri": self.uri("CFItems", competency.uuid),
            "fullStatement": competency.statement or competency.title,
            "abbreviatedStatement": competency.title,
            "humanCodingScheme": competency.code,
            "CFItemType": COMPETENCY,
            "CFItemTypeURI": self.item_type_link(COMPETENCY),
            "lastChangeDateTime": self.stamp(None),
            "extensions": {"competencyKind": competency.kind},
        }
        if competency.subject:
            item["subject"] = [competency.subject]
        return item

    def alignments(self, competency: Competency) -> list[dict]:
        """The standards a competency consolidates, as isRelatedTo associations."""
        rows = []
        for standard in competency.aligned_standards.all():
            identifier = derived("isRelatedTo", competency.uuid, standard.identifier)
            rows.append(
                {
                    "identifier": str(identifier),
                    "uri": self.uri("CFAssociations", identifier),
                    "associationType": "isRelatedTo",
                    "originNodeURI": self.link("CFItems", competency.uuid, competency.code),
                    "destinationNodeURI": self.node(
                        str(standard.identifier),
                        standard.uri,
                        standard.human_coding_scheme or standard.full_statement[:100],
                    ),
                    "lastChangeDateTime": self.stamp(None),
                }
            )
        return rows

    def stage_items(
        self, competency: Competency, stage: Stage, items: list[dict], associations: list[dict]
    ) -> None:
        code = f"{competency.code}.{stage.ordinal}"
        item = {
            "identifier": str(stage.uuid),
            "uri": self.uri("CFItems", stage.uuid),
            "fullStatement": stage.descriptor or stage.label,
            "abbreviatedStatement": stage.label,
            "humanCodingScheme": code,
            "listEnumeration": str(stage.ordinal),
            "CFItemType": STAGE,
            "CFItemTypeURI": self.item_type_link(STAGE),
            "lastChangeDateTime": self.stamp(None),
        }
        if stage.typical_grade is not None:
            item["educationLevel"] = education_level(stage.typical_grade)
        items.append(item)
        associations.append(
            self.child_of((stage.uuid, code), (competency.uuid, competency.code), stage.ordinal)
        )
        for number, statement in enumerate(stage.evidence_statements.all(), start=1):
            items.append(
                {
                    "identifier": str(statement.uuid),
                    "uri": self.uri("CFItems", statement.uuid),
                    "fullStatement": statement.text,
                    "humanCodingScheme": f"{code}.{number}",
                    "listEnumeration": str(number),
                    "CFItemType": EVIDENCE,
                    "CFItemTypeURI": self.item_type_link(EVIDENCE),
                    "lastChangeDateTime": self.stamp(None),
                }
            )
            associations.append(
                self.child_of((statement.uuid, f"{code}.{number}"), (stage.uuid, code), number)
            )

    # ---- definitions and rubrics -------------------------------------------------------------

    def definitions(self, native_types: set[str]) -> dict:
        stored = self.framework.case_extra.get("CFDefinitions", {})
        definitions: dict[str, list[dict]] = {}
        for kind, entries in stored.items():
            rows = []
            for entry in entries:
                row = dict(entry)
                row["uri"] = row.get("uri") or self.uri(kind, row["identifier"])
                row.setdefault("lastChangeDateTime", self.stamp(None))
                rows.append(row)
            definitions[kind] = rows
        for name in sorted(native_types):
            type_link = self.item_type_link(name)
            definitions.setdefault("CFItemTypes", []).append(
                {
                    **type_link,
                    "description": f"A {name.lower()} of a Proficio competency framework.",
                    "hierarchyCode": {COMPETENCY: "1", STAGE: "2", EVIDENCE: "3"}[name],
                    "typeCode": name,
                    "lastChangeDateTime": self.stamp(None),
                }
            )
        return definitions

    def rubrics(self) -> list[dict]:
        stored = self.framework.case_extra.get("CFRubrics")
        if stored is not None:
            return [self.filled(rubric, "CFRubrics") for rubric in stored]
        if self.framework.case_identifier is not None:
            return []
        scale = self.framework.scale
        criterion = derived("criterion", scale.uuid)
        return [
            {
                "identifier": str(scale.uuid),
                "uri": self.uri("CFRubrics", scale.uuid),
                "title": scale.name,
                "lastChangeDateTime": self.stamp(None),
                "CFRubricCriteria": [
                    {
                        "identifier": str(criterion),
                        "uri": self.uri("CFRubricCriteria", criterion),
                        "description": scale.name,
                        "rubricId": str(scale.uuid),
                        "position": 1,
                        "lastChangeDateTime": self.stamp(None),
                        "CFRubricCriterionLevels": [
                            self.scale_level(scale.uuid, criterion, position, level)
                            for position, level in enumerate(scale.levels.all(), start=1)
                        ],
                    }
                ],
            }
        ]

    def scale_level(self, scale_id: UUID, criterion: UUID, position: int, level) -> dict:
        identifier = derived("level", scale_id, level.value)
        row = {
            "identifier": str(identifier),
            "uri": self.uri("CFRubricCriterionLevels", identifier),
            "quality": level.label,
            "score": float(level.value),
            "position": position,
            "rubricCriterionId": str(criterion),
            "lastChangeDateTime": self.stamp(None),
        }
        if level.description:
            row["description"] = level.description
        return row

    def filled(self, record: dict, collection: str) -> dict:
        """A kept rubric record with the uri and timestamp CASE requires filled in."""
        children = {
            "CFRubrics": ("CFRubricCriteria", "CFRubricCriteria"),
            "CFRubricCriteria": ("CFRubricCriterionLevels", "CFRubricCriterionLevels"),
        }
        row = dict(record)
        row["uri"] = row.get("uri") or self.uri(collection, row["identifier"])
        row.setdefault("lastChangeDateTime", self.stamp(None))
        if collection in children:
            key, child_collection = children[collection]
            if key in row:
                row[key] = [self.filled(child, child_collection) for child in row[key]]
        return row

    # ---- the package -------------------------------------------------------------------------

    def package(self) -> dict:
        items, associations = self.standards()
        native_items, native_associations, native_types = self.competencies()
        package = {
            "CFDocument": self.document(),
            "CFItems": items + native_items,
            "CFAssociations": associations + native_associations,
            "CFDefinitions": self.definitions(native_types),
        }
        rubrics = self.rubrics()
        if rubrics:
            package["CFRubrics"] = rubrics
        return package


def case_package(framework: Framework, *, base_uri: str = "") -> dict:
    """The framework's CFPackage (CASE 1.1)."""
    return PackageBuilder(framework, base_uri=base_uri).package()
