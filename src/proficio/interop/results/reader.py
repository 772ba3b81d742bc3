"""A CSV of standardized results read as a stream: one row at a time, each with its line.

The file is never read whole: its lines are decoded one by one (UTF-8, with or without a
byte-order mark), so a byte that is not UTF-8 is placed on its line, and a large district's
file costs the memory of one row. What makes the file unreadable (not a CSV, too large, a
header without the columns) refuses it at once; what is wrong with a row is the checker's to
collect (`Problems`), every one of them, up to a number worth showing.
"""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from proficio.interop.archive import Limits, too_big
from proficio.interop.report import ImportRefused, Problem
from proficio.interop.spreadsheet.table import OLE_MAGIC, ZIP_MAGIC, column_key

MAX_ROWS = 200_000
MAX_SHOWN = 100  # problems listed; past this, how many more there are

# The columns, as `column_key` reads a header (any case, spaces and punctuation ignored),
# each with the other names exports give it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "student": ("student", "sourcedid", "username", "studentsourcedid", "studentusername"),
    "assessment": ("assessment", "assessmentname", "test", "testname"),
    "date": ("date", "testdate", "assessmentdate", "administered"),
    "score": ("score", "scalescore"),
    "band": ("band", "performanceband", "performancelevel", "achievementlevel"),
}
ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


class Problems:
    """Every problem found, in the order found; past `MAX_SHOWN` only counted."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.shown: list[Problem] = []
        self.more = 0

    def add(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        if len(self.shown) < MAX_SHOWN:
            self.shown.append(Problem(self.source, message, line=line, field=field))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.shown)

    def refusal(self) -> ImportRefused:
        problems = list(self.shown)
        if self.more:
            problems.append(
                Problem(
                    self.source,
                    f"… and {self.more:,} more problem{'s' if self.more > 1 else ''} like "
                    "these: mend these first, then import the file again to see the rest.",
                )
            )
        return ImportRefused(problems)


@dataclass(frozen=True)
class ResultRow:
    """One result as the file gives it: the line it starts on and its five values, trimmed."""

    line: int
    student: str
    assessment: str
    date: str
    score: str
    band: str


class ResultsCsv:
    """The rows of a results CSV, read again from the file each time `rows` is called."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.source = source
        self.headers: dict[str, str] = {}  # column → the header as written
        self.ignored: list[str] = []  # headers of columns read past

    def refuse(self, message: str, *, line: int | None = None) -> ImportRefused:
        return ImportRefused([Problem(self.source, message, line=line)])

    def header(self, column: str) -> str:
        """How the file names `column`, for a problem's field."""
        return self.headers.get(column, column)

    def rows(self, problems: Problems) -> Iterator[ResultRow]:
        """Each row with values, in order; a row's own problems go to `problems`.
        ImportRefused when the file cannot be read as a table of results."""
        self._check_file()
        self.headers, self.ignored = {}, []
        lines = _Lines(self.path, self)
        columns: list[str | None] | None = None
        started, count = 1, 0
        try:
            reader = csv.reader(lines, self._dialect(lines))
            for values in reader:
                line, started = started, reader.line_num + 1
                if not any(value.strip() for value in values):
                    continue
                if columns is None:
                    columns = self._columns(values, line)
                    continue
                count += 1
                if count > MAX_ROWS:
                    raise self.refuse(f"The file has more than {MAX_ROWS:,} results.")
                yield self._row(values, columns, line, problems)
        except csv.Error as error:
            more = (
                f" The record starting on this line runs to line {reader.line_num}: is a "
                "quotation mark left open?"
                if reader.line_num > started
                else ""
            )
            raise self.refuse(f"This is not valid CSV: {error}.{more}", line=started) from error
        finally:
            lines.close()
        if columns is None:
            raise self.refuse("The file has no header row.")
        if not count:
            raise self.refuse("The file has a header but no results under it.")

    def _check_file(self) -> None:
        limits = Limits.from_settings()
        size = self.path.stat().st_size
        if size > limits.file_bytes:
            problem = too_big(self.source, limits)
            raise self.refuse(problem.message.replace(" once unpacked", ""))
        with self.path.open("rb") as raw:
            start = raw.read(8)
        if not start.strip():
            raise self.refuse("The file is empty.")
        if start.startswith((ZIP_MAGIC, OLE_MAGIC)):
            raise self.refuse(
                "This is an Excel workbook. Save its sheet as CSV UTF-8 (in Excel: File › Save "
                "As › “CSV UTF-8”) and import that."
            )
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise self.refuse("This is UTF-16 text: save the file as CSV UTF-8 and import that.")

    def _dialect(self, lines: "_Lines") -> type[csv.Dialect]:
        """Excel's CSV with the separator the header line uses most (commas by default)."""
        first = lines.peek()
        counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
        delimiter = max(counts, key=lambda d: (counts[d], d == ","))

        class Dialect(csv.excel):
            pass

        Dialect.delimiter = delimiter if counts[delimiter] else ","
        return Dialect

    def _columns(self, values: list[str], line: int) -> list[str | None]:
        """Each value's column (None: read past); ImportRefused when one is missing or twice."""
        columns: list[str | None] = []
        problems = Problems(self.source)
        for header in values:
            header = header.strip()
            column = ALIASES.get(column_key(header))
            if column is not None and column in self.headers:
                problems.add(
                    f"Two columns, “{self.headers[column]}” and “{header}”, both give the "
                    f"{column}: keep one.",
                    line=line,
                    field=header,
                )
                column = None
            elif column is not None:
                self.headers[column] = header
            elif header:
                self.ignored.append(header)
            columns.append(column)
        for column, aliases in COLUMNS.items():
            if column not in self.headers:
                problems.add(
                    f"The file has no {column} column (its header may also be "
                    f"{', '.join(f'“{alias}”' for alias in aliases[1:3])}). The columns are "
                    "student, assessment, date, score and band.",
                    line=line,
                    field=column,
                )
        if problems:
            raise problems.refusal()
        return columns

    def _row(
        self, values: list[str], columns: list[str | None], line: int, problems: Problems
    ) -> ResultRow:
        found = dict.fromkeys(COLUMNS, "")
        for index, value in enumerate(values):
            column = columns[index] if index < len(columns) else None
            if column is not None:
                found[column] = value.strip()
            elif index >= len(columns) and value.strip():
                problems.add(
                    "This row has more values than the header has columns: give the column a "
                    "header or remove the values.",
                    line=line,
                )
        return ResultRow(line=line, **found)


class _Lines:
    """The file's lines as text, decoded one at a time: a byte that is not UTF-8 refuses the
    file with its line. The first line can be looked at before reading starts."""

    def __init__(self, path: Path, table: ResultsCsv) -> None:
        self._raw = path.open("rb")
        self._table = table
        self._number = 0
        self._first: str | None = None

    def _decode(self, raw: bytes) -> str:
        self._number += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            guess = ""
            try:
                raw.decode("cp1252")
                guess = " It looks like Windows-1252 or Latin-1 text."
            except UnicodeDecodeError:
                pass
            raise self._table.refuse(
                f"The file is not UTF-8 text: byte 0x{raw[error.start]:02X} cannot be read."
                f"{guess} In Excel choose “CSV UTF-8” when saving.",
                line=self._number,
            ) from error
        return text.removeprefix("\ufeff") if self._number == 1 else text

    def peek(self) -> str:
        if self._first is None:
            self._first = self._decode(self._raw.readline())
        return self._first

    def __iter__(self) -> Iterator[str]:
        yield self.peek()
        for raw in self._raw:
            yield self._decode(raw)

    def close(self) -> None:
        self._raw.close()
