"""OpenSALT's CSV layout of CASE items → the same framework plan a CASE package gives.

One row per CFItem. The hierarchy comes from `smartLevel` (3.6.2.1 is a child of 3.6.2,
and the last number orders siblings); a row without one is placed by its
`humanCodingScheme` (SL.1.1a under SL.1.1). A CSV has no CFDocument: the framework's
title comes from the person (--title) or the file's name, and a re-import finds its
framework by the items' identifiers.
"""

import re
from collections import Counter
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from django.db.models import Count
from django.utils.dateparse import parse_date, parse_datetime

from proficio.frameworks.api import (
    CaseDocumentSpec,
    StandardSpec,
    district_frameworks,
    district_standards,
)
from proficio.interop.case.plan import FrameworkPlan, Where, order_siblings
from proficio.interop.case.reader import normalise_identifier
from proficio.interop.report import ImportRefused
from proficio.interop.spreadsheet.table import Row, Sheet, column_key, title_from_name
from proficio.people.api import District

COLUMNS = (
    "identifier",
    "fullStatement",
    "humanCodingScheme",
    "smartLevel",
    "listEnumeration",
    "abbreviatedStatement",
    "conceptKeywords",
    "notes",
    "language",
    "educationLevel",
    "CFItemType",
    "license",
    "lastChangeDateTime",
)
REQUIRED = ("identifier", "fullStatement")
NAME = {column_key(column): column for column in COLUMNS}
SMART_LEVEL = re.compile(r"\d+(\.\d+)*")
# "09.10": grade codes joined by a dot instead of a comma.
DOTTED_GRADES = re.compile(r"(PK|KG|K|\d{1,2})(\.(PK|KG|K|\d{1,2}))+", re.IGNORECASE)
# The code of a part's parent: "SL.1.1a" → "SL.1.1", "RL.K.1" → "RL.K".
CODE_PARENT = (re.compile(r"^(.+?)[a-z]$"), re.compile(r"^(.+)[.\-][^.\-]+$"))


def is_opensalt(sheet: Sheet) -> bool:
    return all(column_key(column) in sheet.headers for column in REQUIRED)


class _Reading:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.fixes = sheet.fixes
        self.items: list[StandardSpec] = []
        self.where: dict[UUID, Where] = {}
        self.levels: dict[UUID, str] = {}
        self.lines: dict[UUID, int] = {}

    def problem(self, row: Row, column: str, message: str) -> None:
        self.sheet.problem(message, line=row.line, column=column_key(column))

    def check_columns(self) -> bool:
        missing = [column for column in REQUIRED if column_key(column) not in self.sheet.headers]
        for column in missing:
            self.sheet.problem(
                f"The column “{column}” is missing: OpenSALT's CSV has one per item.",
                line=self.sheet.header_line,
                column=column,
            )
        for key, header in self.sheet.headers.items():
            if key not in NAME:
                self.fixes.note(f"Kept the unknown column {header} under each item's extensions")
            elif header != NAME[key]:
                self.fixes.note(f"Read the column {header} as {NAME[key]}")
        return not missing

    def education_level(self, text: str) -> tuple[str, ...]:
        if DOTTED_GRADES.fullmatch(text.replace(" ", "")):
            self.fixes.note("Read grade codes joined by dots (09.10) as a list", "items")
            text = text.replace(".", ",")
        return tuple(part.strip() for part in text.split(",") if part.strip())

    def timestamp(self, text: str) -> datetime | None:
        if not text:
            return None
        parsed = parse_datetime(text)
        if parsed is None and parse_date(text):
            parsed = datetime.combine(parse_date(text), datetime.min.time())
        if parsed is None:
            self.fixes.note("Left out lastChangeDateTime values that are not dates", "items")
            return None
        if parsed.tzinfo is None:
            self.fixes.note("Read lastChangeDateTime without a time zone as UTC", "items")
            parsed = parsed.replace(tzinfo=UTC)
        return parsed

    def row(self, row: Row, seen: dict[UUID, int], levels: dict[str, int]) -> None:
        raw_identifier = row["identifier"]
        statement = row["fullstatement"]
        if not raw_identifier:
            self.problem(row, "identifier", "This item has no identifier.")
        if not statement:
            self.problem(row, "fullStatement", "This item has no full statement.")
        level = row["smartlevel"]
        if level and not SMART_LEVEL.fullmatch(level):
            self.problem(
                row, "smartLevel", f"“{level}” is not a smartLevel: numbers joined by dots."
            )
            level = ""
        elif level in levels:
            self.problem(
                row,
                "smartLevel",
                f"The smartLevel {level} is on {self.sheet.place(levels[level])} too: each item "
                "needs its own.",
            )
        elif level:
            levels[level] = row.line
        if not raw_identifier:
            return
        identifier, note = normalise_identifier(raw_identifier)
        if note:
            self.fixes.note(note, "items")
        if identifier in seen:
            self.problem(
                row,
                "identifier",
                f"The identifier {identifier} is on {self.sheet.place(seen[identifier])} too: "
                "each item needs its own.",
            )
            return
        seen[identifier] = row.line
        if not statement:
            return
        keywords = row["conceptkeywords"]
        separator = "|" if "|" in keywords else ","
        extensions = {
            self.sheet.headers[key]: value
            for key, value in row.values.items()
            if key not in NAME and value
        }
        if row["license"]:
            extensions["license"] = row["license"]
        self.items.append(
            StandardSpec(
                identifier=identifier,
                full_statement=statement,
                human_coding_scheme=row["humancodingscheme"],
                abbreviated_statement=row["abbreviatedstatement"],
                item_type=row["cfitemtype"],
                education_level=self.education_level(row["educationlevel"]),
                language=row["language"],
                list_enumeration=row["listenumeration"],
                notes=row["notes"],
                concept_keywords=tuple(
                    part.strip() for part in keywords.split(separator) if part.strip()
                ),
                extra={"extensions": extensions} if extensions else {},
                last_change=self.timestamp(row["lastchangedatetime"]),
            )
        )
        self.where[identifier] = Where(field=self.sheet.headers.get("identifier"), line=row.line)
        self.levels[identifier] = level
        self.lines[identifier] = row.line

    def code_parent(self, code: str, by_code: dict[str, UUID]) -> UUID | None:
        """The nearest item whose code this code extends ("SL.1.1a" → "SL.1.1")."""
        while code:
            for pattern in CODE_PARENT:
                match = pattern.match(code)
                if match:
                    code = match.group(1)
                    break
            else:
                return None
            if code in by_code:
                return by_code[code]
        return None

    def hierarchy(self) -> list[StandardSpec]:
        by_level = {level: identifier for identifier, level in self.levels.items() if level}
        codes = Counter(item.human_coding_scheme for item in self.items)
        by_code = {
            item.human_coding_scheme: item.identifier
            for item in self.items
            if item.human_coding_scheme and codes[item.human_coding_scheme] == 1
        }
        for code, count in sorted(codes.items()):
            if code and count > 1:
                lines = ", ".join(
                    str(self.lines[item.identifier])
                    for item in self.items
                    if item.human_coding_scheme == code
                )
                self.fixes.note(
                    f"Kept {count} items that share the humanCodingScheme {code} (lines "
                    f"{lines}): their identifiers differ"
                )
        placed, keys = [], {}
        for index, item in enumerate(self.items):
            level = self.levels[item.identifier]
            parent: UUID | None = None
            if level:
                above = level.rpartition(".")[0]
                if above and above not in by_level:
                    self.fixes.note(
                        "Placed items whose smartLevel parent is not in the file under the "
                        "nearest level that is",
                        "items",
                    )
                while above and above not in by_level:
                    above = above.rpartition(".")[0]
                parent = by_level.get(above) if above else None
                keys[item.identifier] = (0, int(level.rpartition(".")[2]), index)
            else:
                parent = self.code_parent(item.human_coding_scheme, by_code)
                self.fixes.note(
                    "Placed items without a smartLevel by their humanCodingScheme"
                    if parent
                    else "Placed items with neither a smartLevel nor a parent's code at the "
                    "top level",
                    "items",
                )
                keys[item.identifier] = (1, 0, index)
            placed.append(StandardSpec(**{**item.__dict__, "parent": parent}))
        return order_siblings(placed, keys)


def read_opensalt(sheet: Sheet, *, title: str = "") -> FrameworkPlan:
    """The plan for one OpenSALT CSV; ImportRefused lists every problem found in it."""
    reading = _Reading(sheet)
    if reading.check_columns():
        seen: dict[UUID, int] = {}
        levels: dict[str, int] = {}
        for row in sheet.rows:
            reading.row(row, seen, levels)
        if not sheet.rows:
            sheet.problem("The file has no items under its header.", line=sheet.header_line)
    if sheet.problems:
        raise ImportRefused(sheet.in_order())
    items = reading.hierarchy()
    identifiers = sorted(str(item.identifier) for item in items)
    languages = {item.language for item in items}
    stamps = [item.last_change for item in items if item.last_change]
    document = CaseDocumentSpec(
        identifier=uuid5(NAMESPACE_URL, "urn:proficio:opensalt-csv:" + ",".join(identifiers)),
        title=title.strip() or title_from_name(sheet.source),
        language=languages.pop() if len(languages) == 1 else "",
        last_change=max(stamps) if stamps else None,
    )
    plan = FrameworkPlan(
        source=sheet.source,
        document=document,
        items=items,
        item_where=reading.where,
        parent_where=reading.where,
    )
    plan.fixed = sheet.fixes.as_list()
    return plan


def bind_to_district(plan: FrameworkPlan, *, district: District, title: str = "") -> None:
    """Point the plan at the district's framework that already holds its items, if any.

    A CSV names no document, so the framework holding most of its item identifiers is the
    one it updates: that framework keeps its document (title too, unless one is given), and
    its items keep what the CSV does not carry (URIs, CASE properties).
    """
    identifiers = [item.identifier for item in plan.items]
    match = (
        district_standards(district.pk)
        .filter(identifier__in=identifiers)
        .values("framework")
        .annotate(found=Count("id"))
        .order_by("-found", "framework")
        .first()
    )
    if match is None:
        source = "the --title given" if title.strip() else "the file's name"
        plan.fixed.insert(
            0,
            f"A CSV has no CFDocument: named the framework “{plan.document.title}” after {source}",
        )
        return
    framework = district_frameworks(district.pk).get(pk=match["framework"])
    plan.document = CaseDocumentSpec(
        identifier=framework.case_identifier or plan.document.identifier,
        title=title.strip() or framework.title,
        uri=framework.case_uri,
        creator=framework.creator,
        publisher=framework.publisher,
        description=framework.description,
        version=framework.version,
        adoption_status=framework.adoption_status,
        status_start_date=framework.status_start_date,
        status_end_date=framework.status_end_date,
        language=framework.language,
        official_source_url=framework.official_source_url,
        license=framework.license,
        notes=framework.notes,
        last_change=framework.last_change,
        extra=framework.case_extra,
    )
    stored = {
        standard.identifier: standard
        for standard in framework.standards.filter(identifier__in=identifiers).only(
            "identifier", "uri", "extra"
        )
    }
    plan.items = [
        StandardSpec(
            **{
                **item.__dict__,
                "uri": stored[item.identifier].uri,
                "extra": {**stored[item.identifier].extra, **item.extra},
            }
        )
        if item.identifier in stored
        else item
        for item in plan.items
    ]
    plan.fixed.insert(
        0,
        f"A CSV has no CFDocument: it updates the framework {framework.code}, which holds "
        f"{match['found']} of its {len(identifiers)} items",
    )
