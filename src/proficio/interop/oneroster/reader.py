"""Reading a OneRoster CSV package (a zip or a folder) into tables of trimmed text.

The manifest decides which files are read and whether each is bulk or delta. Reading checks
what can be checked without meaning: the archive, the encoding (UTF-8, with or without a
byte-order mark), CSV syntax, headers and field counts. Every problem is located by file and
line; a package with any of them is refused before its content is looked at.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from proficio.interop.archive import BoundedFolder, BoundedZip
from proficio.interop.oneroster.spec import FILES, MODES, VERSIONS, FileSpec
from proficio.interop.report import ImportRefused, Problem

MANIFEST = "manifest.csv"
ARCHIVE = "package"  # how problems name the zip itself


@dataclass(frozen=True)
class Row:
    """One record: its first line in the file and its values by column, trimmed."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    file: str  # e.g. "users.csv"
    mode: str  # "bulk" or "delta"
    columns: list[str]
    rows: list[Row]


@dataclass
class Package:
    version: str
    tables: dict[str, Table]  # by OneRoster name: "users", "academicSessions", …
    fixed: list[str] = field(default_factory=list)

    def rows(self, name: str) -> list[Row]:
        table = self.tables.get(name)
        return table.rows if table else []


class _Source:
    """The files of a zip or a folder, by name, read within the import limits (interop.archive)."""

    def __init__(self, path: Path):
        self.path = path
        self.prefix = ""
        if path.is_dir():
            self.files: BoundedZip | BoundedFolder = BoundedFolder(path)
        else:
            try:
                self.files = BoundedZip(path, archive=ARCHIVE)
            except (zipfile.BadZipFile, OSError) as error:
                raise ImportRefused(
                    [
                        Problem(
                            ARCHIVE, f"is not a readable zip file ({error}); it may be cut short."
                        )
                    ]
                ) from error
        self.names = [name for name in self.files.names() if not name.startswith("__MACOSX/")]

    def find(self, file: str, fixed: list[str]) -> str | None:
        """The stored name of `file`: at the top, else in the one folder holding the manifest."""
        if self.prefix + file in self.names:
            return self.prefix + file
        by_lower = {name.lower(): name for name in self.names}
        found = by_lower.get((self.prefix + file).lower())
        if found:
            fixed.append(f"{file}: read from {found!r} (the name differs in capitals).")
        return found

    def locate_manifest(self, fixed: list[str]) -> bool:
        if self.find(MANIFEST, []):
            return True
        nested = [name for name in self.names if name.lower().endswith("/" + MANIFEST)]
        if len(nested) == 1:
            self.prefix = nested[0][: -len(MANIFEST)]
            fixed.append(f"Read the package from the folder {self.prefix!r} inside it.")
            return True
        return False

    def open(self, name: str) -> io.BufferedReader:
        return self.files.open(name)

    def close(self) -> None:
        self.files.close()


def read_package(path: Path) -> Package:
    """Read and check a package; raises ImportRefused listing every problem found."""
    source = _Source(path)
    try:
        return _Reading(source).package()
    finally:
        source.close()


class _Utf8Lines:
    """The lines of a byte stream as text, each decoded on its own (a UTF-8 character never
    holds a newline byte); `number` is the line last read, for locating bytes that are not
    UTF-8."""

    def __init__(self, stream: io.BufferedReader):
        self.stream = stream
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.stream:
            self.number += 1
            yield line.decode("utf-8")


class _Reading:
    def __init__(self, source: _Source):
        self.source = source
        self.problems: list[Problem] = []
        self.fixed: list[str] = []

    def package(self) -> Package:
        if not self.source.locate_manifest(self.fixed):
            raise ImportRefused(
                [Problem(MANIFEST, "is missing: a OneRoster package names its files in it.")]
            )
        version, modes = self._manifest()
        tables = {}
        if version is not None:
            for name, file_spec in FILES[version].items():
                mode, line = modes.get(name, ("absent", None))
                table = self._table(f"{name}.csv", mode, file_spec, line)
                if table is not None:
                    tables[name] = table
        if self.problems:
            raise ImportRefused(self.problems)
        return Package(version=version, tables=tables, fixed=self.fixed)

    # ---- the manifest ---------------------------------------------------------------------

    def _manifest(self) -> tuple[str | None, dict[str, tuple[str, int]]]:
        """The OneRoster version, and each file's mode with the manifest line that sets it."""
        modes: dict[str, tuple[str, int]] = {}
        rows = self._rows(MANIFEST, FileSpec(("propertyName", "value"), ()))
        if rows is None:
            return None, modes
        seen: dict[str, int] = {}
        properties: dict[str, Row] = {}
        for row in rows:
            name = row["propertyName"]
            if name in seen:
                self._problem(
                    MANIFEST,
                    row.line,
                    "propertyName",
                    f"{name!r} is already set on line {seen[name]}.",
                )
                continue
            seen[name] = row.line
            properties[name] = row
        version = self._version(properties)
        for name, row in properties.items():
            if not name.startswith("file."):
                continue
            kind, mode = name[len("file.") :], row["value"].lower()
            if mode not in MODES:
                self._problem(
                    MANIFEST,
                    row.line,
                    "value",
                    f"{row['value']!r} is not one of {', '.join(MODES)}.",
                )
                continue
            if version is not None and kind not in FILES[version] and mode != "absent":
                self.fixed.append(f"{kind}.csv: not read; Proficio imports rosters only.")
                continue
            modes[kind] = (mode, row.line)
        return version, modes

    def _version(self, properties: dict[str, Row]) -> str | None:
        if "manifest.version" not in properties:
            self._problem(MANIFEST, None, "manifest.version", "is missing.")
        row = properties.get("oneroster.version")
        if row is None:
            self._problem(MANIFEST, None, "oneroster.version", "is missing (1.1 or 1.2).")
            return None
        if row["value"] not in VERSIONS:
            self._problem(
                MANIFEST,
                row.line,
                "value",
                f"OneRoster version {row['value']!r} is not supported; Proficio reads 1.1 and 1.2.",
            )
            return None
        return row["value"]

    # ---- one file -------------------------------------------------------------------------

    def _table(
        self, file: str, mode: str, file_spec: FileSpec, manifest_line: int | None
    ) -> Table | None:
        stored = self.source.find(file, self.fixed)
        if mode == "absent":
            if stored:
                self.fixed.append(f"{file}: not read; the manifest marks it absent.")
            return None
        if stored is None:
            self._problem(
                MANIFEST,
                manifest_line,
                "value",
                f"names {file} as {mode}, but the package lacks it.",
            )
            return None
        rows = self._rows(file, file_spec, stored)
        if rows is None:
            return None
        return Table(file=file, mode=mode, columns=list(file_spec.columns), rows=rows)

    def _rows(self, file: str, file_spec: FileSpec, stored: str | None = None) -> list[Row] | None:
        """The file's records as trimmed rows, or None after noting why it cannot be read.

        Read as a stream, a line at a time, so no more of it is in memory than its rows."""
        stored = stored or self.source.find(file, self.fixed) or file
        try:
            with self.source.open(stored) as stream:
                records = self._records_of(file, stream)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            self._problem(file, None, None, f"cannot be read from the package ({error}).")
            return None
        if records is None:
            return None
        if not records:
            self._problem(file, None, None, "is empty: it needs at least a header line.")
            return None
        header = [cell.strip() for cell in records[0][1]]
        if not self._header_ok(file, header, file_spec):
            return None
        return self._records(file, header, records[1:])

    def _records_of(
        self, file: str, stream: io.BufferedReader
    ) -> list[tuple[int, list[str]]] | None:
        """Each CSV record but blank ones, with the line it starts on, or None after noting the
        problem. Blank records are dropped as they are read: a file of line breaks alone
        would otherwise hold an object per byte."""
        start = stream.peek(len(codecs.BOM_UTF8))[: len(codecs.BOM_UTF8)]
        if start.startswith(codecs.BOM_UTF8):
            stream.read(len(codecs.BOM_UTF8))
            self.fixed.append(f"{file}: removed the byte-order mark at its start.")
        elif start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._problem(file, 1, None, "is UTF-16; save it as UTF-8.")
            return None
        lines = _Utf8Lines(stream)
        reader = csv.reader(lines, strict=True)
        records: list[tuple[int, list[str]]] = []
        try:
            previous_end = 0
            for record in reader:
                if record and any(cell.strip() for cell in record):
                    records.append((previous_end + 1, record))
                previous_end = reader.line_num
        except csv.Error as error:
            self._problem(file, reader.line_num, None, f"is not valid CSV here: {error}.")
            return None
        except UnicodeDecodeError as error:
            self._problem(
                file,
                lines.number,
                None,
                f"is not UTF-8: byte 0x{error.object[error.start]:02X} cannot be read "
                "(it looks like Latin-1 or Windows-1252); save the file as UTF-8.",
            )
            return None
        return records

    def _header_ok(self, file: str, header: list[str], file_spec: FileSpec) -> bool:
        ok = True
        seen: set[str] = set()
        for column in header:
            if column in seen:
                self._problem(file, 1, column, "appears twice in the header.")
                ok = False
            seen.add(column)
        for column in file_spec.required:
            if column not in seen:
                self._problem(file, 1, column, "required column is missing from the header.")
                ok = False
        unknown = [
            c for c in header if c not in file_spec.columns and not c.startswith("metadata.") and c
        ]
        if unknown:
            self.fixed.append(f"{file}: ignored the column(s) {', '.join(unknown)}.")
        return ok

    def _records(
        self, file: str, header: list[str], records: list[tuple[int, list[str]]]
    ) -> list[Row] | None:
        rows: list[Row] = []
        trimmed = 0
        ok = True
        for index, (line, cells) in enumerate(records):
            if len(cells) != len(header):
                last = index == len(records) - 1
                self._problem(
                    file,
                    line,
                    None,
                    f"has {len(cells)} fields where the header has {len(header)}"
                    + (
                        "; the file may be cut short." if last and len(cells) < len(header) else "."
                    ),
                )
                ok = False
                continue
            values = {}
            for column, cell in zip(header, cells, strict=True):
                value = cell.strip()
                trimmed += value != cell
                values[column] = value
            rows.append(Row(line, values))
        if trimmed:
            self.fixed.append(f"{file}: trimmed spaces around {trimmed} value(s).")
        return rows if ok else None

    def _problem(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, message, line, column))
