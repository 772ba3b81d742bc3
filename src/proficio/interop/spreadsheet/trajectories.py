"""Proficio's spreadsheet template: competencies with their trajectories, one row per stage.

A competency's own cells (title, statement, kind, subject) may be filled on its first
row only, or repeated alike on every row. Evidence statements share one cell: one per line
(Alt+Enter in Excel), or separated by " | ". Everything is checked before anything is
written, and every problem names its line and column.
"""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import CompetencyKind, CompetencySpec, StageSpec
from proficio.interop.report import ImportRefused
from proficio.interop.spreadsheet.table import Row, Sheet, column_key, title_from_name


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    # The column must be there, but a row may leave its cell empty.
    may_be_empty: bool = False


COLUMNS = (
    Column(
        "code",
        "Competency code",
        True,
        _(
            "A short code, unique in the framework, e.g. SL1. Rows with the same code are "
            "the stages of one competency."
        ),
        ("code",),
        100,
    ),
    Column("title", "Competency title", True, _("e.g. Speaking and listening."), ("title",), 300),
    Column(
        "statement",
        "Statement",
        True,
        _("The big idea in one or two sentences."),
        ("competency statement",),
        may_be_empty=True,
    ),
    Column(
        "kind",
        "Kind",
        True,
        _("academic, or skill for dispositions such as collaboration or self-direction."),
        ("competency kind",),
    ),
    Column("subject", "Subject", False, _("Optional, e.g. English language arts."), (), 100),
    Column(
        "ordinal",
        "Stage",
        True,
        _("The stage's number: 1, 2, 3, … with no gaps for each competency."),
        ("stage ordinal", "stage number", "ordinal"),
    ),
    Column("label", "Stage label", True, _("A short name for the stage."), (), 200),
    Column(
        "grade",
        "Typical grade",
        True,
        _(
            "The grade where most students reach this stage: PK, K or 1–12. Used only for "
            "age-based reports."
        ),
        ("typical age-grade", "typical age grade", "grade"),
        may_be_empty=True,
    ),
    Column(
        "descriptor",
        "What proficiency looks like",
        False,
        _("Optional: a description of work at this stage."),
        ("stage descriptor", "descriptor"),
    ),
    Column(
        "evidence",
        "Evidence statements",
        True,
        _(
            "“I can …” lines, one per line in the cell (Alt+Enter in Excel, Control+Option+"
            "Enter in Numbers), or separated by “ | ”."
        ),
        ("evidence",),
        may_be_empty=True,
    ),
    Column(
        "framework_code",
        "Framework code",
        False,
        _("Optional. The framework to add to or update; made when it does not exist."),
        (),
        50,
    ),
    Column(
        "framework_title",
        "Framework title",
        False,
        _("Optional. Otherwise the title typed when importing, or the file's name."),
        (),
        300,
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
HEADER_KEYS = {
    column_key(name): column.key
    for column in COLUMNS
    for name in (column.header, column.key, *column.aliases)
}
KINDS = {
    "academic": CompetencyKind.ACADEMIC,
    "skill": CompetencyKind.SKILL,
    "skill or disposition": CompetencyKind.SKILL,
}
GRADES = {"pk": -1, "prek": -1, "k": 0, "kg": 0}
WHOLE_NUMBER = re.compile(r"[0-9]+")  # not str.isdigit: it takes "²", which int() refuses
EVIDENCE_SPLIT = re.compile(r"\n|[ \t]+\|[ \t]+")
BULLET = re.compile(r"^[•\-*–]\s+")
COMPETENCY_FIELDS = ("title", "statement", "kind", "subject")


def is_template(sheet: Sheet) -> bool:
    return any(HEADER_KEYS.get(key) in ("code", "ordinal") for key in sheet.headers)


@dataclass
class TrajectoryPlan:
    """Everything one template import would write."""

    source: str
    framework_code: str
    framework_title: str
    title_given: bool  # False: the title is only the file's name, kept for an existing framework
    competencies: list[CompetencySpec]
    absent: frozenset[str]
    fixed: list[str] = field(default_factory=list)


class _Reading:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.fixes = sheet.fixes
        self.header_of: dict[str, str] = {}  # template key → the header as written

    def problem(self, row: Row | None, key: str | None, message: str) -> None:
        header = self.header_of.get(key, BY_KEY[key].header) if key else None
        self.sheet.problem(message, line=row.line if row else self.sheet.header_line, column=header)

    def value(self, row: Row, key: str) -> str:
        header = self.header_of.get(key)
        return row[column_key(header)] if header else ""

    def columns(self) -> bool:
        unknown = []
        for file_key, header in self.sheet.headers.items():
            key = HEADER_KEYS.get(file_key)
            if key is None:
                unknown.append(header)
            elif key in self.header_of:
                self.problem(
                    None, None, f"“{header}” and “{self.header_of[key]}” are the same column."
                )
            else:
                self.header_of[key] = header
        missing = [c for c in COLUMNS if c.required and c.key not in self.header_of]
        for column in missing:
            close = difflib.get_close_matches(column.header, unknown, n=1, cutoff=0.6)
            hint = f" (is “{close[0]}” meant to be it?)" if close else ""
            self.sheet.problem(
                f"The column “{column.header}” is missing{hint}. The template's columns are: "
                + ", ".join(c.header for c in COLUMNS)
                + ".",
                line=self.sheet.header_line,
                column=column.header,
            )
        for header in unknown:
            self.fixes.note(f"Left out the column {header}: the template has no such column")
        return not missing

    def text(self, row: Row, key: str) -> str:
        value = self.value(row, key)
        limit = BY_KEY[key].max_length
        if limit and len(value) > limit:
            self.problem(row, key, f"This is longer than {limit} characters.")
        return value

    def ordinal(self, row: Row) -> int | None:
        value = self.value(row, "ordinal")
        if not value:
            self.problem(row, "ordinal", "Every row needs its stage number (1, 2, 3, …).")
            return None
        if not WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
            self.problem(row, "ordinal", f"“{value}” is not a stage number: use 1, 2, 3, …")
            return None
        return int(value)

    def grade(self, row: Row) -> int | None:
        value = self.value(row, "grade")
        if not value:
            return None
        folded = value.casefold().replace("-", "").replace(" ", "")
        if folded in GRADES:
            return GRADES[folded]
        if WHOLE_NUMBER.fullmatch(folded) and 1 <= int(folded) <= 12:
            return int(folded)
        self.problem(
            row, "grade", f"“{value}” is not a grade: write a whole number from 1 to 12, K or PK."
        )
        return None

    def evidence(self, row: Row) -> tuple[str, ...]:
        statements = []
        for part in EVIDENCE_SPLIT.split(self.value(row, "evidence")):
            text = part.strip()
            if BULLET.match(text):
                self.fixes.note("Removed bullet marks before evidence statements")
                text = BULLET.sub("", text)
            if text:
                statements.append(text)
        return tuple(statements)

    def one_of(self, rows: list[Row], key: str, code: str) -> tuple[str, Row | None]:
        """The value a competency (or the file) gives in `key`: on one row, or alike on all."""
        found, first = "", None
        for row in rows:
            value = self.text(row, key)
            if not value:
                continue
            if first is None:
                found, first = value, row
            elif value != found:
                self.problem(
                    row,
                    key,
                    f"{code} has another {BY_KEY[key].header.lower()} on "
                    f"{self.sheet.place(first.line)}: "
                    "give it once, or the same on every row.",
                )
        return found, first

    def competency(self, code: str, rows: list[Row]) -> CompetencySpec | None:
        values = {key: self.one_of(rows, key, code) for key in COMPETENCY_FIELDS}
        title, _row = values["title"]
        if not title:
            self.problem(rows[0], "title", f"{code} has no title.")
        kind_text, kind_row = values["kind"]
        kind = KINDS.get(kind_text.casefold())
        if not kind_text:
            self.problem(rows[0], "kind", f"{code} has no kind: write academic or skill.")
        elif kind is None:
            self.problem(kind_row, "kind", f"“{kind_text}” is not a kind: write academic or skill.")
        stages: dict[int, tuple[Row, StageSpec]] = {}  # by ordinal: its row and what it says
        for row in rows:
            ordinal = self.ordinal(row)
            label = self.text(row, "label")
            if not label:
                self.problem(row, "label", "Every stage needs a label.")
            spec = StageSpec(
                label=label,
                descriptor=self.value(row, "descriptor"),
                typical_grade=self.grade(row),
                evidence_statements=self.evidence(row),
            )
            if ordinal is None:
                continue
            if ordinal in stages:
                self.problem(
                    row,
                    "ordinal",
                    f"{code} has a stage {ordinal} on {self.sheet.place(stages[ordinal][0].line)} "
                    "already: "
                    "give each stage one row.",
                )
                continue
            stages[ordinal] = (row, spec)
        self.gaps(code, rows[0], stages)
        if not title or kind is None:
            return None
        return CompetencySpec(
            code=code,
            title=title,
            kind=kind,
            statement=values["statement"][0],
            subject=values["subject"][0],
            stages=[stages[ordinal][1] for ordinal in sorted(stages)],
        )

    def gaps(self, code: str, first: Row, stages: dict[int, tuple[Row, StageSpec]]) -> None:
        ordinals = sorted(stages)
        for expected, ordinal in enumerate(ordinals, start=1):
            if ordinal != expected:
                numbers = ", ".join(str(number) for number in ordinals)
                self.problem(
                    stages[ordinal][0] if expected > 1 else first,
                    "ordinal",
                    f"{code} has the stages {numbers}: number them 1, 2, 3, … with no gap "
                    f"(stage {expected} is missing).",
                )
                return


def read_trajectories(sheet: Sheet, *, title: str = "") -> TrajectoryPlan:
    """The plan for one filled-in template; ImportRefused lists every problem found in it."""
    reading = _Reading(sheet)
    competencies: list[CompetencySpec] = []
    framework_code = framework_title = ""
    if reading.columns():
        by_code: dict[str, list[Row]] = defaultdict(list)
        for row in sheet.rows:
            code = reading.text(row, "code")
            if not code:
                reading.problem(row, "code", "Every row needs a competency code.")
                continue
            by_code[code].append(row)
        if not sheet.rows:
            sheet.problem("The file has no rows under its header.", line=sheet.header_line)
        for code, rows in by_code.items():
            spec = reading.competency(code, rows)
            if spec is not None:
                competencies.append(spec)
        framework_code, _row = reading.one_of(sheet.rows, "framework_code", "The file")
        framework_title, _row = reading.one_of(sheet.rows, "framework_title", "The file")
    if sheet.problems:
        raise ImportRefused(sheet.in_order())
    given = title.strip() or framework_title
    fixed = sheet.fixes.as_list()
    if not given:
        fixed.insert(0, "The file names no framework title: took it from the file's name")
    return TrajectoryPlan(
        source=sheet.source,
        framework_code=framework_code,
        framework_title=given or title_from_name(sheet.source),
        title_given=bool(given),
        competencies=competencies,
        absent=frozenset(key for key in ("subject", "descriptor") if key not in reading.header_of),
        fixed=fixed,
    )
