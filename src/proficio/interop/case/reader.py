"""Read a CASE CFPackage (1.0 or 1.1) leniently into a `FrameworkPlan`, saying what it fixed.

Real exports are dirty: URIs where UUIDs belong, `sequenceNumber` as a string,
misspelled optional properties, 1.0 links a 1.1 package no longer carries, a BOM.
The reader repairs what has one obvious repair and notes it; what it cannot repair
(bytes that are not UTF-8, broken JSON, no CFDocument, an item without identifier
or full statement) is a problem located by file, line and JSON path.
"""

import bisect
import contextlib
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from json.decoder import scanstring
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from django.utils.dateparse import parse_date, parse_datetime

from proficio.frameworks.api import (
    AssociationSpec,
    CaseDocumentSpec,
    LevelSpec,
    RubricScaleSpec,
    StandardSpec,
)
from proficio.interop.archive import check_file_size
from proficio.interop.case.plan import Fixes, FrameworkPlan, Where, order_siblings
from proficio.interop.report import ImportRefused, Problem

UUID_IN_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
BOM = "\ufeff"

ASSOCIATION_TYPES = (
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
)
EXTENSION_TYPE = re.compile(r"ext:[A-Za-z0-9.\-_|]+")

DOCUMENT_PROPERTIES = (
    "identifier",
    "uri",
    "frameworkType",
    "caseVersion",
    "creator",
    "title",
    "lastChangeDateTime",
    "officialSourceURL",
    "publisher",
    "description",
    "subject",
    "subjectURI",
    "language",
    "version",
    "adoptionStatus",
    "statusStartDate",
    "statusEndDate",
    "licenseURI",
    "notes",
    "extensions",
)
ITEM_PROPERTIES = (
    "identifier",
    "uri",
    "fullStatement",
    "alternativeLabel",
    "CFItemType",
    "humanCodingScheme",
    "listEnumeration",
    "abbreviatedStatement",
    "conceptKeywords",
    "conceptKeywordsURI",
    "notes",
    "subject",
    "subjectURI",
    "language",
    "educationLevel",
    "CFItemTypeURI",
    "licenseURI",
    "statusStartDate",
    "statusEndDate",
    "lastChangeDateTime",
    "extensions",
)
ASSOCIATION_PROPERTIES = (
    "identifier",
    "associationType",
    "sequenceNumber",
    "uri",
    "originNodeURI",
    "destinationNodeURI",
    "CFAssociationGroupingURI",
    "lastChangeDateTime",
    "notes",
    "extensions",
)
# CASE 1.0 links that restate what a package already says; 1.1 packages do not carry them.
REDUNDANT_1P0 = frozenset(
    {
        "CFPackageURI",
        "CFDocumentURI",
        "CFItemAssociationURI",
        "CFAssociationGroupingIdentifier",
        "originNodeIdentifier",
        "destinationNodeIdentifier",
    }
)
# Misspellings seen in real exports; differences of letter case are matched as well.
ALIASES = {
    "educationalLevel": "educationLevel",
    "educationalLevels": "educationLevel",
    "educationLevels": "educationLevel",
    "gradeLevel": "educationLevel",
    "fullStatment": "fullStatement",
    "abbreviatedStatment": "abbreviatedStatement",
    "humanCodingSchema": "humanCodingScheme",
    "conceptKeyword": "conceptKeywords",
    "sequenceNo": "sequenceNumber",
    "licenceURI": "licenseURI",
    "subjects": "subject",
    "subjectURL": "subjectURI",
}

DEFINITIONS = {
    # kind: (properties, the required ones)
    "CFConcepts": (
        ("identifier", "uri", "title", "keywords", "hierarchyCode", "description"),
        ("uri", "title", "hierarchyCode"),
    ),
    "CFSubjects": (
        ("identifier", "uri", "title", "hierarchyCode", "description"),
        ("uri", "title", "hierarchyCode"),
    ),
    "CFLicenses": (
        ("identifier", "uri", "title", "description", "licenseText"),
        ("uri", "title", "licenseText"),
    ),
    "CFItemTypes": (
        ("identifier", "uri", "title", "description", "hierarchyCode", "typeCode"),
        ("uri", "title", "description", "hierarchyCode"),
    ),
    "CFAssociationGroupings": (
        ("identifier", "uri", "title", "description"),
        ("uri", "title"),
    ),
}
LEVEL_COLOURS = ("#a0522d", "#8a6a00", "#2b6e4a", "#2b5f9e", "#5b3f8c", "#1f5f8b")


class JsonLines:
    """Line numbers of the values in a JSON text, by JSON-pointer path, indexed on first use."""

    MAX_DEPTH = 4

    def __init__(self, text: str):
        self.text = text
        self._positions: dict[str, int] | None = None
        self._newlines: list[int] = []

    def line(self, pointer: str) -> int | None:
        if self._positions is None:
            self._positions = {}
            self._newlines = [index for index, char in enumerate(self.text) if char == "\n"]
            # Locating is best effort: a problem keeps its path when its line is not found.
            with contextlib.suppress(ValueError, IndexError):
                self._walk(0, "", 0)
        parts = pointer.strip("/").split("/")
        while parts:
            position = self._positions.get("/" + "/".join(parts))
            if position is not None:
                return bisect.bisect_left(self._newlines, position) + 1
            parts.pop()
        return None

    def _skip(self, position: int) -> int:
        while position < len(self.text) and self.text[position] in " \t\r\n":
            position += 1
        return position

    def _walk(self, position: int, path: str, depth: int) -> int:
        text, positions = self.text, self._positions
        position = self._skip(position)
        positions[path or "/"] = position
        opening = text[position]
        if depth >= self.MAX_DEPTH or opening not in "{[":
            _value, end = json.JSONDecoder().raw_decode(text, position)
            return end
        closing = "}" if opening == "{" else "]"
        position = self._skip(position + 1)
        index = 0
        while text[position] != closing:
            if opening == "{":
                key, position = scanstring(text, position + 1)
                position = self._skip(position) + 1  # the colon
                child = f"{path}/{key}"
            else:
                child = f"{path}/{index}"
                index += 1
            position = self._skip(self._walk(position, child, depth + 1))
            if text[position] == ",":
                position = self._skip(position + 1)
        return position + 1


def normalise_identifier(raw: Any) -> tuple[UUID, str | None]:
    """A UUID for any identifier, and a note when it was not one already.

    A UUID inside a URI is taken as it is; an identifier with no UUID in it (an ASN
    URI, say) gets a UUID derived from it, so every import of the file gives the same one.
    """
    text = str(raw).strip()
    try:
        parsed = UUID(text)
    except ValueError:
        pass
    else:
        if str(parsed) == text:
            return parsed, None
        return parsed, "Wrote identifiers in the standard lower-case UUID form"
    found = UUID_IN_TEXT.findall(text)
    if found:
        return UUID(found[-1]), "Identifiers were URIs: used the UUID inside each"
    return (
        uuid5(NAMESPACE_URL, text),
        "Identifiers were not UUIDs (e.g. ASN URIs): gave each a stable UUID derived from it",
    )


class _Reader:
    def __init__(self, source: str, text: str, fixes: Fixes):
        self.source = source
        self.text = text
        self.lines = JsonLines(text)
        self.fixes = fixes
        self.problems: list[Problem] = []
        self.raw_ids: dict[str, UUID] = {}
        self.uri_ids: dict[str, UUID] = {}
        self.known: set[UUID] = set()
        self.document_id: UUID | None = None
        self.document_last_change: datetime | None = None

    # ---- small helpers -----------------------------------------------------------------------

    def problem(self, field: str, message: str) -> None:
        self.problems.append(
            Problem(file=self.source, message=message, line=self.lines.line(field), field=field)
        )

    def properties(
        self, obj: dict, known: tuple[str, ...], what: str, kind: str
    ) -> tuple[dict, dict]:
        """`obj` under CASE names, and what is left for `extensions` (unknown properties)."""
        by_fold = {name.casefold(): name for name in known}
        named: dict = {}
        unknown: dict = {}
        for key, value in obj.items():
            if key in known:
                named.setdefault(key, value)
                continue
            canonical = ALIASES.get(key) or by_fold.get(key.casefold())
            if canonical is not None and canonical not in obj:
                self.fixes.note(f"Read {what} property {key} as {canonical}", kind)
                named[canonical] = value
            elif key in REDUNDANT_1P0:
                self.fixes.note(
                    f"Left out {what} {key}: a CASE 1.0 link that a 1.1 package does not carry",
                    kind,
                )
            else:
                self.fixes.note(f"Kept the unknown {what} property {key} under extensions", kind)
                unknown[key] = value
        return named, unknown

    def string(self, obj: dict, key: str, path: str, kind: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            self.fixes.note(f"Read a number in {key} as text", kind)
            return str(value)
        if isinstance(value, list) and all(isinstance(part, str) for part in value):
            self.fixes.note(f"Joined a list in {key} into one text", kind)
            return "; ".join(value)
        self.problem(f"{path}/{key}", f"{key} should be text.")
        return ""

    def strings(self, obj: dict, key: str, path: str, kind: str, separator: str = ",") -> tuple:
        value = obj.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            self.fixes.note(f"Read {key} given as one text as a list", kind)
            return tuple(part.strip() for part in value.split(separator) if part.strip())
        if isinstance(value, list):
            return tuple(str(part) for part in value if part not in (None, ""))
        self.problem(f"{path}/{key}", f"{key} should be a list of texts.")
        return ()

    def timestamp(self, value: Any, kind: str) -> datetime | None:
        if value in (None, ""):
            return None
        parsed = parse_datetime(str(value)) if isinstance(value, str) else None
        if parsed is None and isinstance(value, str) and parse_date(value):
            parsed = datetime.combine(parse_date(value), datetime.min.time())
        if parsed is None:
            self.fixes.note("Left out lastChangeDateTime values that are not dates", kind)
            return None
        if parsed.tzinfo is None:
            self.fixes.note("Read lastChangeDateTime without a time zone as UTC", kind)
            parsed = parsed.replace(tzinfo=UTC)
        return parsed

    def day(self, value: Any, key: str, kind: str) -> date | None:
        if value in (None, ""):
            return None
        text = str(value)
        parsed = parse_date(text[:10]) if len(text) >= 10 else None
        if parsed is None:
            self.fixes.note(f"Left out {key} values that are not dates", kind)
        elif len(text) > 10:
            self.fixes.note(f"Read {key} given with a time as a date", kind)
        return parsed

    def identifier(self, raw: Any, kind: str) -> UUID:
        identifier, note = normalise_identifier(raw)
        if note:
            self.fixes.note(note, kind)
        return identifier

    def link(self, value: Any, key: str, kind: str) -> dict | None:
        """A CASE LinkURI (title, UUID identifier, uri), or None when there is nothing to link."""
        if isinstance(value, str) and value.strip():
            self.fixes.note(f"Read {key} given as a bare URI as a link", kind)
            value = {"uri": value, "identifier": value}
        if not isinstance(value, dict) or not (value.get("identifier") or value.get("uri")):
            if value not in (None, "", {}):
                self.fixes.note(f"Left out {key} values that are not links", kind)
            return None
        return {
            "title": str(value.get("title") or ""),
            "identifier": str(self.identifier(value.get("identifier") or value["uri"], kind)),
            "uri": str(value.get("uri") or ""),
        }

    # ---- the package -------------------------------------------------------------------------

    def read(self, package: Any) -> FrameworkPlan | None:
        if isinstance(package, dict) and "CFDocument" not in package:
            wrapped = package.get("CFPackage")
            if isinstance(wrapped, dict):
                self.fixes.note("Unwrapped the package from a CFPackage property")
                package = wrapped
        if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
            self.problem(
                "/CFDocument",
                "There is no CFDocument: this is not a CASE package (a CFPackage JSON has a "
                "CFDocument object, CFItems and CFAssociations).",
            )
            return None
        document = self.document(package["CFDocument"])
        items_raw = self.array(package, "CFItems")
        associations_raw = self.array(package, "CFAssociations")
        self.register_nodes(package["CFDocument"], items_raw)
        items, item_where = self.items(items_raw)
        associations, association_where = self.associations(associations_raw)
        definitions = self.definitions(package.get("CFDefinitions"))
        rubrics, scales = self.rubrics(package.get("CFRubrics"))
        extra = dict(document.extra)
        if definitions:
            extra["CFDefinitions"] = definitions
        if rubrics:
            extra["CFRubrics"] = rubrics
        document = CaseDocumentSpec(**{**document.__dict__, "extra": extra})
        if self.problems:
            return None
        items, parent_where = self.hierarchy(items, associations, association_where)
        return FrameworkPlan(
            source=self.source,
            document=document,
            items=items,
            associations=associations,
            scales=scales,
            item_where=item_where,
            parent_where=parent_where,
            association_where=association_where,
            line_of=self.lines.line,
        )

    def array(self, package: dict, key: str) -> list:
        value = package.get(key)
        if value is None:
            self.fixes.note(f"The package has no {key}: read it as empty")
            return []
        if not isinstance(value, list):
            self.problem(f"/{key}", f"{key} should be a list.")
            return []
        return value

    def register_nodes(self, document: dict, items: list) -> None:
        """Every identifier and URI of the document's own nodes, for resolving associations."""
        for obj in [document, *items]:
            if not isinstance(obj, dict) or obj.get("identifier") in (None, ""):
                continue
            identifier, _note = normalise_identifier(obj["identifier"])
            self.raw_ids[str(obj["identifier"]).strip()] = identifier
            self.known.add(identifier)
            if isinstance(obj.get("uri"), str) and obj["uri"]:
                self.uri_ids[obj["uri"]] = identifier

    def document(self, raw: dict) -> CaseDocumentSpec:
        named, unknown = self.properties(raw, DOCUMENT_PROPERTIES, "CFDocument", "")
        path = "/CFDocument"
        if named.get("identifier") in (None, ""):
            self.problem(f"{path}/identifier", "The CFDocument has no identifier.")
            identifier = uuid5(NAMESPACE_URL, self.source)
        else:
            identifier = self.identifier(named["identifier"], "")
        self.document_id = identifier
        title = self.string(named, "title", path, "")
        if not title.strip():
            self.problem(f"{path}/title", "The CFDocument has no title.")
        last_change = self.timestamp(named.get("lastChangeDateTime"), "")
        self.document_last_change = last_change
        extra: dict = {}
        for key in ("frameworkType",):
            if named.get(key):
                extra[key] = self.string(named, key, path, "")
        subject = self.strings(named, "subject", path, "")
        if subject:
            extra["subject"] = list(subject)
        subject_links = [
            link
            for link in (
                self.link(value, "subjectURI", "") for value in named.get("subjectURI") or []
            )
            if link
        ]
        if subject_links:
            extra["subjectURI"] = subject_links
        extensions = self.extensions(named.get("extensions"), unknown, "")
        if extensions:
            extra["extensions"] = extensions
        return CaseDocumentSpec(
            identifier=identifier,
            title=title.strip(),
            uri=self.string(named, "uri", path, ""),
            creator=self.string(named, "creator", path, ""),
            publisher=self.string(named, "publisher", path, ""),
            description=self.string(named, "description", path, ""),
            version=self.string(named, "version", path, ""),
            adoption_status=self.string(named, "adoptionStatus", path, ""),
            status_start_date=self.day(named.get("statusStartDate"), "statusStartDate", ""),
            status_end_date=self.day(named.get("statusEndDate"), "statusEndDate", ""),
            language=self.string(named, "language", path, ""),
            official_source_url=self.string(named, "officialSourceURL", path, ""),
            license=self.link(named.get("licenseURI"), "licenseURI", "") or {},
            notes=self.string(named, "notes", path, ""),
            last_change=last_change,
            extra=extra,
        )

    def extensions(self, given: Any, unknown: dict, kind: str) -> dict:
        extensions = dict(given) if isinstance(given, dict) else {}
        if given not in (None, {}) and not isinstance(given, dict):
            self.fixes.note("Kept extensions that were not an object under extensions.value", kind)
            extensions["value"] = given
        return {**extensions, **unknown}

    def items(self, raw_items: list) -> tuple[list[StandardSpec], dict[UUID, Where]]:
        items, where = [], {}
        for index, raw in enumerate(raw_items):
            path = f"/CFItems/{index}"
            if not isinstance(raw, dict):
                self.problem(path, "Each CFItem should be an object.")
                continue
            named, unknown = self.properties(raw, ITEM_PROPERTIES, "CFItem", "items")
            if named.get("identifier") in (None, ""):
                self.problem(f"{path}/identifier", "This CFItem has no identifier.")
                continue
            identifier = self.identifier(named["identifier"], "items")
            statement = self.string(named, "fullStatement", path, "items")
            if not statement.strip():
                self.problem(
                    f"{path}/fullStatement",
                    f"The CFItem {named['identifier']} has no fullStatement.",
                )
                continue
            item_type = self.string(named, "CFItemType", path, "items")
            type_link = self.link(named.get("CFItemTypeURI"), "CFItemTypeURI", "items")
            if not item_type and type_link and type_link["title"]:
                self.fixes.note("Took a missing CFItemType from CFItemTypeURI's title", "items")
                item_type = type_link["title"]
            extra: dict = {}
            for key in ("alternativeLabel",):
                if named.get(key):
                    extra[key] = self.string(named, key, path, "items")
            for key in ("CFItemTypeURI", "licenseURI", "conceptKeywordsURI"):
                link = (
                    type_link if key == "CFItemTypeURI" else self.link(named.get(key), key, "items")
                )
                if link:
                    extra[key] = link
            subject = self.strings(named, "subject", path, "items")
            if subject:
                extra["subject"] = list(subject)
            subject_links = [
                link
                for link in (
                    self.link(value, "subjectURI", "items")
                    for value in named.get("subjectURI") or []
                )
                if link
            ]
            if subject_links:
                extra["subjectURI"] = subject_links
            for key in ("statusStartDate", "statusEndDate"):
                day = self.day(named.get(key), key, "items")
                if day:
                    extra[key] = day.isoformat()
            extensions = self.extensions(named.get("extensions"), unknown, "items")
            if extensions:
                extra["extensions"] = extensions
            items.append(
                StandardSpec(
                    identifier=identifier,
                    full_statement=statement,
                    uri=self.string(named, "uri", path, "items"),
                    human_coding_scheme=self.string(named, "humanCodingScheme", path, "items"),
                    abbreviated_statement=self.string(named, "abbreviatedStatement", path, "items"),
                    item_type=item_type,
                    education_level=self.strings(named, "educationLevel", path, "items"),
                    language=self.string(named, "language", path, "items"),
                    list_enumeration=self.string(named, "listEnumeration", path, "items"),
                    notes=self.string(named, "notes", path, "items"),
                    concept_keywords=self.strings(
                        named, "conceptKeywords", path, "items", separator="|"
                    ),
                    extra=extra,
                    last_change=self.timestamp(named.get("lastChangeDateTime"), "items"),
                )
            )
            where[identifier] = Where(field=f"{path}/identifier")
        return items, where

    def node(self, raw: dict, end: str, path: str) -> tuple[str, str, str] | None:
        """(identifier, uri, title) of one end of an association, resolved to this document's
        nodes where it names one of them."""
        link = raw.get(f"{end}NodeURI")
        fallback = raw.get(f"{end}NodeIdentifier")
        if isinstance(link, str):
            link = {"uri": link, "identifier": fallback or link}
        if not isinstance(link, dict):
            link = {"identifier": fallback} if fallback else None
        if not link or not (link.get("identifier") or link.get("uri")):
            self.problem(f"{path}/{end}NodeURI", f"This association has no {end} node.")
            return None
        raw_identifier = str(link.get("identifier") or "").strip()
        uri = str(link.get("uri") or "")
        title = str(link.get("title") or "")
        resolved = self.raw_ids.get(raw_identifier)
        if resolved is None and raw_identifier:
            candidate, _note = normalise_identifier(raw_identifier)
            resolved = candidate if candidate in self.known else None
        if resolved is None and uri in self.uri_ids:
            self.fixes.note(
                "Found association ends by their URI where the identifier did not match",
                "associations",
            )
            resolved = self.uri_ids[uri]
        if resolved is not None:
            return str(resolved), uri, title
        try:
            external = str(UUID(raw_identifier))
        except ValueError:
            external = raw_identifier or uri
        return external, uri, title

    def association_type(self, value: Any, path: str) -> str | None:
        text = str(value or "").strip()
        if not text:
            self.problem(f"{path}/associationType", "This association has no associationType.")
            return None
        if text in ASSOCIATION_TYPES or EXTENSION_TYPE.fullmatch(text):
            return text
        by_fold = {name.casefold(): name for name in ASSOCIATION_TYPES}
        if text.casefold() in by_fold:
            self.fixes.note("Corrected the letter case of association types", "associations")
            return by_fold[text.casefold()]
        self.fixes.note(
            "Kept association types CASE does not define as extension types (ext:…)",
            "associations",
        )
        return "ext:" + re.sub(r"[^A-Za-z0-9.\-_]", "_", text)

    def sequence_number(self, value: Any) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, int):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is not None and number == number.to_integral_value():
            self.fixes.note("Read sequenceNumber given as text as a number", "associations")
            return int(number)
        self.fixes.note("Left out sequenceNumber values that are not whole numbers", "associations")
        return None

    def associations(
        self, raw_associations: list
    ) -> tuple[list[AssociationSpec], dict[UUID, Where]]:
        associations, where = [], {}
        for index, raw in enumerate(raw_associations):
            path = f"/CFAssociations/{index}"
            if not isinstance(raw, dict):
                self.problem(path, "Each CFAssociation should be an object.")
                continue
            named, unknown = self.properties(
                raw, ASSOCIATION_PROPERTIES, "CFAssociation", "associations"
            )
            for key in ("originNodeIdentifier", "destinationNodeIdentifier"):
                if key in raw:
                    named[key] = raw[key]
            association_type = self.association_type(named.get("associationType"), path)
            origin = self.node(named, "origin", path)
            destination = self.node(named, "destination", path)
            if association_type is None or origin is None or destination is None:
                continue
            if named.get("identifier") in (None, ""):
                self.fixes.note(
                    "Gave associations without an identifier one derived from their ends",
                    "associations",
                )
                identifier = uuid5(
                    NAMESPACE_URL, f"{origin[0]} {association_type} {destination[0]}"
                )
            else:
                identifier = self.identifier(named["identifier"], "associations")
            extra: dict = {}
            grouping = self.link(
                named.get("CFAssociationGroupingURI"), "CFAssociationGroupingURI", "associations"
            )
            if grouping:
                extra["CFAssociationGroupingURI"] = grouping
            if named.get("notes"):
                extra["notes"] = self.string(named, "notes", path, "associations")
            extensions = self.extensions(named.get("extensions"), unknown, "associations")
            if extensions:
                extra["extensions"] = extensions
            associations.append(
                AssociationSpec(
                    identifier=identifier,
                    association_type=association_type,
                    origin_identifier=origin[0],
                    origin_uri=origin[1],
                    origin_title=origin[2],
                    destination_identifier=destination[0],
                    destination_uri=destination[1],
                    destination_title=destination[2],
                    uri=self.string(named, "uri", path, "associations"),
                    sequence_number=self.sequence_number(named.get("sequenceNumber")),
                    extra=extra,
                    last_change=self.timestamp(named.get("lastChangeDateTime"), "associations"),
                )
            )
            where[identifier] = Where(field=f"{path}/identifier")
        return associations, where

    def hierarchy(
        self,
        items: list[StandardSpec],
        associations: list[AssociationSpec],
        association_where: dict[UUID, Where],
    ) -> tuple[list[StandardSpec], dict[UUID, Where]]:
        """Each item's parent and place among its siblings, from its isChildOf associations."""
        item_ids = {item.identifier for item in items}
        parent: dict[UUID, UUID | None] = {}
        parent_where: dict[UUID, Where] = {}
        sequence: dict[UUID, int | None] = {}
        for association in associations:
            if association.association_type != "isChildOf":
                continue
            try:
                child = UUID(association.origin_identifier)
            except ValueError:
                continue
            if child not in item_ids:
                continue
            if child in parent:
                self.fixes.note(
                    "Placed items with several parents under the first; the other isChildOf "
                    "associations are kept",
                    "items",
                )
                continue
            destination, _note = normalise_identifier(association.destination_identifier)
            parent[child] = None if destination == self.document_id else destination
            parent_where[child] = Where(
                field=association_where[association.identifier].field.replace(
                    "/identifier", "/destinationNodeURI"
                )
            )
            sequence[child] = association.sequence_number
        for _orphan in (item for item in items if item.identifier not in parent):
            self.fixes.note(
                "Placed items without an isChildOf association at the top level", "items"
            )
        order = {
            item.identifier: (
                sequence.get(item.identifier) is None,
                sequence.get(item.identifier) or 0,
                index,
            )
            for index, item in enumerate(items)
        }
        placed = [
            StandardSpec(**{**item.__dict__, "parent": parent.get(item.identifier)})
            for item in items
        ]
        return order_siblings(placed, order), parent_where

    def definitions(self, raw: Any) -> dict:
        if raw in (None, [], {}):
            return {}
        if not isinstance(raw, dict):
            self.fixes.note("Left out CFDefinitions that were not an object")
            return {}
        cleaned: dict = {}
        for kind, (properties, required) in DEFINITIONS.items():
            entries = raw.get(kind) or []
            rows = []
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict) or not entry.get("identifier"):
                    self.fixes.note(f"Left out {kind} entries without an identifier")
                    continue
                row: dict = {"identifier": str(self.identifier(entry["identifier"], ""))}
                for key in properties[1:]:
                    value = entry.get(key)
                    if value is None and key in required:
                        self.fixes.note(f"Filled a missing {key} of {kind} with an empty text")
                        value = ""
                    if value is not None:
                        row[key] = str(value)
                stamp = self.timestamp(entry.get("lastChangeDateTime"), "")
                if stamp:
                    row["lastChangeDateTime"] = stamp.isoformat()
                rows.append(row)
            if rows:
                cleaned[kind] = rows
        return cleaned

    def rubrics(self, raw: Any) -> tuple[list[dict], list[RubricScaleSpec]]:
        """CFRubrics as kept for the export, and a scale per criterion that has levels."""
        if raw in (None, []):
            return [], []
        if not isinstance(raw, list):
            self.fixes.note("Left out CFRubrics that were not a list")
            return [], []
        kept, scales = [], []
        for rubric in raw:
            if not isinstance(rubric, dict) or not rubric.get("identifier"):
                self.fixes.note("Left out rubrics without an identifier")
                continue
            title = str(rubric.get("title") or "Rubric")
            criteria = []
            for criterion in rubric.get("CFRubricCriteria") or []:
                if not isinstance(criterion, dict) or not criterion.get("identifier"):
                    self.fixes.note("Left out rubric criteria without an identifier")
                    continue
                clean_criterion, scale = self.criterion(criterion, title)
                criteria.append(clean_criterion)
                if scale:
                    scales.append(replace(scale, rubric=self.identifier(rubric["identifier"], "")))
            clean = {
                "identifier": str(self.identifier(rubric["identifier"], "")),
                "uri": str(rubric.get("uri") or ""),
                "title": title,
            }
            if rubric.get("description"):
                clean["description"] = str(rubric["description"])
            stamp = self.timestamp(rubric.get("lastChangeDateTime"), "")
            if stamp:
                clean["lastChangeDateTime"] = stamp.isoformat()
            if criteria:
                clean["CFRubricCriteria"] = criteria
            kept.append(clean)
        return kept, scales

    def criterion(self, criterion: dict, rubric_title: str) -> tuple[dict, RubricScaleSpec | None]:
        identifier = self.identifier(criterion["identifier"], "")
        clean: dict = {"identifier": str(identifier), "uri": str(criterion.get("uri") or "")}
        for key in ("category", "description"):
            if criterion.get(key):
                clean[key] = str(criterion[key])
        for key, kind in (("weight", float), ("position", int)):
            if isinstance(criterion.get(key), int | float) and not isinstance(criterion[key], bool):
                clean[key] = kind(criterion[key])
        link = self.link(criterion.get("CFItemURI"), "CFItemURI", "")
        if link:
            clean["CFItemURI"] = link
        stamp = self.timestamp(criterion.get("lastChangeDateTime"), "")
        if stamp:
            clean["lastChangeDateTime"] = stamp.isoformat()
        levels = []
        for index, level in enumerate(criterion.get("CFRubricCriterionLevels") or []):
            if not isinstance(level, dict) or not level.get("identifier"):
                self.fixes.note("Left out rubric levels without an identifier")
                continue
            clean_level: dict = {
                "identifier": str(self.identifier(level["identifier"], "")),
                "uri": str(level.get("uri") or ""),
            }
            for key in ("description", "quality", "feedback"):
                if level.get(key):
                    clean_level[key] = str(level[key])
            score = level.get("score")
            if isinstance(score, int | float) and not isinstance(score, bool):
                clean_level["score"] = score
            position = level.get("position")
            clean_level["position"] = position if isinstance(position, int) else index + 1
            stamp = self.timestamp(level.get("lastChangeDateTime"), "")
            if stamp:
                clean_level["lastChangeDateTime"] = stamp.isoformat()
            levels.append(clean_level)
        if levels:
            clean["CFRubricCriterionLevels"] = levels
        return clean, self.scale_for(identifier, rubric_title, clean, levels)

    def scale_for(
        self, identifier: UUID, rubric_title: str, criterion: dict, levels: list[dict]
    ) -> RubricScaleSpec | None:
        """Levels valued by score (by position when scores are missing or repeat); the upper
        half of them, and at least the top one, count as mastery."""
        if not levels:
            return None
        scores = [level.get("score") for level in levels]
        by_score = None not in scores and len(set(scores)) == len(scores)
        if not by_score:
            self.fixes.note("Valued rubric levels by their position where scores were missing")
        values = [
            Decimal(str(level["score"])) if by_score else Decimal(level["position"])
            for level in levels
        ]
        if len(set(values)) != len(values):
            values = [Decimal(number) for number in range(1, len(levels) + 1)]
        ranked = sorted(zip(values, levels, strict=True), key=lambda pair: pair[0])
        mastery_from = len(ranked) - max(1, len(ranked) // 2)
        self.fixes.note(
            "Made a scale from each rubric criterion; its upper half of levels counts as mastery"
        )
        name = criterion.get("category") or criterion.get("description") or ""
        return RubricScaleSpec(
            identifier=identifier,
            name=f"{rubric_title}: {name}"[:200] if name else rubric_title[:200],
            levels=[
                LevelSpec(
                    value=value,
                    label=(level.get("quality") or f"Level {rank + 1}")[:100],
                    colour=LEVEL_COLOURS[rank % len(LEVEL_COLOURS)],
                    is_mastery=rank >= mastery_from,
                    description=level.get("description") or level.get("feedback") or "",
                )
                for rank, (value, level) in enumerate(ranked)
            ],
        )


def decode(data: bytes, source: str, fixes: Fixes) -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped), or ImportRefused."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused(
            [
                Problem(
                    file=source,
                    line=line,
                    message=f"The file is not UTF-8 text: byte 0x{data[error.start]:02X} cannot "
                    "be read. Save it as UTF-8 and import it again.",
                )
            ]
        ) from error
    if text.startswith(BOM):
        fixes.note("Dropped the UTF-8 byte-order mark at the start of the file")
        text = text[1:]
    return text


def parse(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError as error:
        raise ImportRefused(
            [Problem(file=source, message="The JSON is nested too deeply to be a CASE package.")]
        ) from error
    except json.JSONDecodeError as error:
        # Cut short: the error is at the very end, or inside a string that never closes.
        truncated = error.pos >= len(text.rstrip()) or (
            error.msg.startswith("Unterminated string") and '"' not in text[error.pos + 1 :]
        )
        message = (
            "The JSON ends before it is complete: the file looks cut short."
            if truncated
            else f"This is not valid JSON: {error.msg} (column {error.colno})."
        )
        raise ImportRefused([Problem(file=source, line=error.lineno, message=message)]) from error


def read_case(data: bytes, source: str) -> FrameworkPlan:
    """The plan for one CFPackage file; ImportRefused lists every problem found in it."""
    check_file_size(data, source)
    fixes = Fixes()
    text = decode(data, source, fixes)
    package = parse(text, source)
    reader = _Reader(source, text, fixes)
    plan = reader.read(package)
    if reader.problems or plan is None:
        raise ImportRefused(reader.problems)
    plan.fixed = fixes.as_list()
    return plan
