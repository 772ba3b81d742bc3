"""A spreadsheet (CSV or XLSX) read into rows of trimmed text, each with its line.

CSV is read as UTF-8, with or without a byte-order mark (UTF-16 with its mark too, as
Excel's "Unicode text" writes it), separated by commas, semicolons or tabs. An XLSX
workbook is read from its sheet named like the template's, else its first sheet; a row's
line is its row number. Whatever cannot be read is refused with where and why.
"""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from proficio.interop.archive import BoundedZip, check_file_size
from proficio.interop.case.plan import Fixes
from proficio.interop.report import ImportRefused, Problem

BOM = "\ufeff"
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
XLSX_SHEET = "Trajectories"  # the sheet the downloadable template keeps its rows in
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the binary Excel 97–2003 (.xls) format
MAX_ROWS = 200_000


def title_from_name(source: str) -> str:
    """A title for a file that names none: "ccss-ela-items.csv" → "ccss ela items"."""
    return re.sub(r"[_\-]+", " ", PurePath(source).stem).strip() or source


def column_key(header: str) -> str:
    """How a header is matched: letters and digits only, any case ("Stage label" = stage_label)."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


@dataclass(frozen=True)
class Row:
    """One record: the line it starts on and its values by column key, trimmed."""

    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Sheet:
    """The header and rows of one table, and what reading it repaired."""

    source: str
    headers: dict[str, str]  # column key → the header as written
    header_line: int
    rows: list[Row]
    fixes: Fixes = field(default_factory=Fixes)
    problems: list[Problem] = field(default_factory=list)

    # For a CSV whose cells hold line breaks: a record's first line → its row in a spreadsheet
    # program, where the two differ (people fix the file in one, and look up the row there).
    rows_in_program: dict[int, int] = field(default_factory=dict)

    def place(self, line: int) -> str:
        """How a message names another line: "line 11", or "line 11 (row 5)" where they differ."""
        row = self.rows_in_program.get(line)
        return f"line {line}" + (f" (row {row})" if row else "")

    def problem(self, message: str, line: int | None = None, column: str | None = None) -> None:
        """Record a problem; `column` is a key of this sheet or a header to name as it is."""
        name = self.headers.get(column, column) if column else None
        if line in self.rows_in_program:
            message += f" (In a spreadsheet program this is row {self.rows_in_program[line]}.)"
        self.problems.append(Problem(file=self.source, message=message, line=line, field=name))

    def in_order(self) -> list[Problem]:
        """The problems from the top of the file down (those of one line as they were found)."""
        return sorted(self.problems, key=lambda problem: problem.line or 0)


def read_sheet(data: bytes, source: str) -> Sheet:
    """The table in a CSV or XLSX file; ImportRefused when it cannot be read as one."""
    check_file_size(data, source)
    if not data.strip():
        raise ImportRefused([Problem(file=source, message="The file is empty.")])
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(
            [
                Problem(
                    file=source,
                    message="This is an old Excel workbook (.xls). Save it as an Excel "
                    "workbook (.xlsx) or as CSV UTF-8, and import that.",
                )
            ]
        )
    if (kind := _binary_kind(data)) is not None:
        raise ImportRefused(
            [
                Problem(
                    file=source,
                    message=f"This is not a CSV or XLSX file: it looks like {kind}. Export "
                    "the sheet as CSV UTF-8, or save it as an Excel workbook (.xlsx).",
                )
            ]
        )
    if data.startswith(ZIP_MAGIC) or source.lower().endswith(".xlsx"):
        return _table(source, _xlsx_rows(data, source), Fixes())
    fixes = Fixes()
    text = _decode(data, source, fixes)
    records = _csv_rows(text, source, fixes)
    sheet = _table(source, records, fixes)
    sheet.rows_in_program = {
        line: number for number, (line, _values) in enumerate(records, start=1) if line != number
    }
    return sheet


# What a file that is not a table starts with, and what it is.
BINARY_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
)


def _binary_kind(data: bytes) -> str | None:
    """What a file is when it is no text and no workbook: an image, a PDF, or other bytes."""
    for magic, kind in BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    text_or_workbook = (ZIP_MAGIC, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if not data.startswith(text_or_workbook) and b"\x00" in data[:4096]:
        return "a binary file"
    return None


# ---- CSV ---------------------------------------------------------------------------------


def _decode(data: bytes, source: str, fixes: Fixes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        fixes.note("Read the file as UTF-16 text (its byte-order mark says so)")
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused([_encoding_problem(data, error, source)]) from error
    return text.removeprefix(BOM)


def _encoding_problem(data: bytes, error: UnicodeDecodeError, source: str) -> Problem:
    """Where the first byte that is not UTF-8 sits: its record's first line and its column."""
    bad_lines = 0
    for raw in data.splitlines():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines += 1
    line, column = data[: error.start].count(b"\n") + 1, None
    text = data.decode("utf-8", errors="replace").removeprefix(BOM)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    headers: list[str] = []
    started, row = 1, None
    try:
        for number, values in enumerate(reader, start=1):
            if not headers:
                headers = values
            if any("\ufffd" in value for value in values):
                index = next(i for i, value in enumerate(values) if "\ufffd" in value)
                line, row = started, number
                column = headers[index] if index < len(headers) else None
                break
            started = reader.line_num + 1
    except csv.Error:
        pass  # the line of the byte, found above, still stands
    guess = ""
    try:
        data.decode("cp1252")
        guess = " It looks like Windows-1252 or Latin-1 text."
    except UnicodeDecodeError:
        pass
    lines = "1 line has" if bad_lines == 1 else f"{bad_lines} lines have"
    in_program = f" (In a spreadsheet program this is row {row}.)" if row and row != line else ""
    return Problem(
        file=source,
        line=line,
        field=column,
        message=f"The file is not UTF-8 text: byte 0x{data[error.start]:02X} cannot be read "
        f"({lines} such bytes).{guess} In Excel choose “CSV UTF-8” when saving, or import "
        f"the .xlsx workbook itself.{in_program}",
    )


def _dialect(text: str) -> type[csv.Dialect]:
    """Excel's CSV with the separator the header line uses most (commas by default)."""
    first = text.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter if counts[delimiter] else ","
    return Dialect


def _csv_rows(text: str, source: str, fixes: Fixes) -> list[tuple[int, list[str]]]:
    dialect = _dialect(text)
    if dialect.delimiter != ",":
        fixes.note(f"Read the columns as separated by {DELIMITERS[dialect.delimiter]}")
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows, started = [], 1
    try:
        for values in reader:
            rows.append((started, values))
            started = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise ImportRefused(
                    [Problem(file=source, message=f"The file has more than {MAX_ROWS:,} rows.")]
                )
    except csv.Error as error:
        raise ImportRefused(
            [Problem(file=source, line=reader.line_num, message=f"This is not valid CSV: {error}.")]
        ) from error
    return rows


# ---- XLSX --------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_parts(data: bytes, source: str) -> list[str]:
    """The names of a workbook's parts, once their count and unpacked sizes are within the
    import limits. openpyxl then unpacks no part past the size its header gives (Python's
    zipfile stops there), so checking the headers bounds what it reads."""
    try:
        parts = BoundedZip(io.BytesIO(data), archive=source, nested=True)
    except ImportRefused as refused:
        raise ImportRefused(
            [
                problem
                if problem.file == source
                else Problem(file=source, message=f"Its part {problem.file} {problem.message}")
                for problem in refused.problems
            ]
        ) from refused
    try:
        return parts.names()
    finally:
        parts.close()


def _xlsx_rows(data: bytes, source: str) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    def refuse(message: str) -> ImportRefused:
        return ImportRefused([Problem(file=source, message=message)])

    try:
        names = set(_xlsx_parts(data, source))
    except zipfile.BadZipFile as error:
        raise refuse(
            "This is not a readable XLSX workbook: the file is damaged or cut short. Save it "
            "from Excel again (or as CSV UTF-8) and import it again."
        ) from error
    if "content.xml" in names and "mimetype" in names:
        raise refuse("This is an OpenDocument spreadsheet: save it as .xlsx or CSV UTF-8.")
    if "xl/workbook.xml" not in names:
        raise refuse("This zip file is not an XLSX workbook.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = (
                workbook[XLSX_SHEET]
                if XLSX_SHEET in workbook.sheetnames
                else workbook.worksheets[0]
            )
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                # Rows Excel keeps only for their formatting are as good as absent.
                if all(value is None for value in values):
                    continue
                rows.append((number, [_cell_text(value) for value in values]))
                if len(rows) > MAX_ROWS:
                    raise refuse(f"The sheet has more than {MAX_ROWS:,} rows.")
        finally:
            workbook.close()
    except ImportRefused:
        raise
    # A damaged workbook fails inside openpyxl in many ways (zip, XML, missing parts).
    except Exception as error:
        raise refuse(
            "This XLSX workbook cannot be read: it is damaged or cut short "
            f"({type(error).__name__}). Save it from Excel again and import it again."
        ) from error
    return rows


# ---- either ------------------------------------------------------------------------------


def _table(source: str, raw_rows: list[tuple[int, list[str]]], fixes: Fixes) -> Sheet:
    """Header and rows: blank rows skipped, values trimmed, odd columns reported."""
    filled = [(line, values) for line, values in raw_rows if any(v.strip() for v in values)]
    if not filled:
        raise ImportRefused([Problem(file=source, message="The file has no header row.")])
    header_line, header_values = filled[0]
    if header_line != 1:
        fixes.note(f"Read the header from line {header_line}: the lines above it are empty")
    sheet = Sheet(source=source, headers={}, header_line=header_line, rows=[], fixes=fixes)
    keys: list[str | None] = []
    seen: dict[str, str] = {}
    for header in header_values:
        header = header.strip().removeprefix(BOM)
        key = column_key(header)
        if not key:
            keys.append(None)
            continue
        if key in seen:
            sheet.problem(
                f"Two columns are called “{header}”: keep one.", line=header_line, column=header
            )
            keys.append(None)
            continue
        seen[key] = header
        keys.append(key)
    sheet.headers = seen
    for line, values in filled[1:]:
        row: dict[str, str] = {}
        unheaded = False
        for index, value in enumerate(values):
            key = keys[index] if index < len(keys) else None
            if key is None:
                unheaded = unheaded or bool(value.strip())
                continue
            row[key] = value.strip()
        if unheaded:
            sheet.problem(
                "This row has values in a column without a header: give the column a header "
                "or move the values.",
                line=line,
            )
        sheet.rows.append(Row(line=line, values=row))
    last_line = filled[-1][0]
    gaps = sum(
        1
        for line, values in raw_rows
        if header_line < line < last_line and not any(v.strip() for v in values)
    )
    if gaps:
        fixes.note(f"Skipped {gaps} empty row{'s' if gaps > 1 else ''} between the rows")
    return sheet
