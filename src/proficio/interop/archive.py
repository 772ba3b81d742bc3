"""Reading an uploaded file, or the members of an uploaded zip, within bounds.

A zip says how big each member is, and a hostile one lies or compresses very well: 0.3 MB
can unpack to 300 MB. So a zip is checked before anything in it is read (how many members,
each member's size as its header gives it and their sum, names that climb out of the
archive or are zips themselves), and its members are then read as streams that count the
bytes actually unpacked, stopping at the limit whatever the header said. The limits are
settings, sized for a large district's roster (docs/decisions/0019-bounded-unpacking.md):

- `PROFICIO_IMPORT_FILE_MAX_MB`: one file, or one member once unpacked;
- `PROFICIO_IMPORT_TOTAL_MAX_MB`: all the members of one zip together;
- `PROFICIO_IMPORT_MAX_FILES`: members in one zip.

Every refusal is an `ImportRefused` naming the member and the limit.
"""

import io
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings

from proficio.interop.report import ImportRefused, Problem

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    total_bytes: int
    members: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            file_bytes=settings.PROFICIO_IMPORT_FILE_MAX_MB * MEGABYTE,
            total_bytes=settings.PROFICIO_IMPORT_TOTAL_MAX_MB * MEGABYTE,
            members=settings.PROFICIO_IMPORT_MAX_FILES,
        )


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:,.0f} MB" if size >= MEGABYTE else f"{size:,} bytes"


def too_big(file: str, limits: Limits) -> Problem:
    return Problem(
        file,
        f"is larger than {_megabytes(limits.file_bytes)} once unpacked, the most one file may be "
        "(the setting PROFICIO_IMPORT_FILE_MAX_MB).",
    )


def check_file_size(data: bytes, file: str, limits: Limits | None = None) -> None:
    """Refuse a file (not a zip) larger than one file may be."""
    limits = limits or Limits.from_settings()
    if len(data) > limits.file_bytes:
        raise ImportRefused([too_big(file, limits)])


def _unsafe_name(name: str) -> str | None:
    """Why a member's name is refused, or None when it is a plain path inside the archive."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (name[:1].isalpha() and name[1:2] == ":"):
        return "has an absolute path; a package holds only paths inside it."
    if ".." in parts:
        return "has a path that climbs out of the package (..)."
    return None


# A zip's last record: signature, disk numbers, entries on this disk, entries in all, …
END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
END_SIGNATURE = b"PK\x05\x06"


def _declared_members(handle: BinaryIO) -> int | None:
    """How many members the zip's end-of-central-directory record declares (None when there is
    no such record: ZipFile then refuses the file). Zip64's 0xFFFF stands for "more"."""
    size = handle.seek(0, io.SEEK_END)
    tail_size = min(size, END_OF_DIRECTORY.size + 0xFFFF)  # the record and its longest comment
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    handle.seek(0)
    at = tail.rfind(END_SIGNATURE)
    if at < 0 or len(tail) - at < END_OF_DIRECTORY.size:
        return None
    return END_OF_DIRECTORY.unpack_from(tail, at)[4]


class _Counted(io.RawIOBase):
    """A member's bytes as they are unpacked, refused past the file's or the zip's limit."""

    def __init__(self, stream: BinaryIO, file: str, limits: Limits, budget: "_Budget"):
        self.stream, self.file, self.limits, self.budget = stream, file, limits, budget
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        self.count += len(data)
        if self.count > self.limits.file_bytes:
            raise ImportRefused([too_big(self.file, self.limits)])
        self.budget.spend(len(data), self.file)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


class _Budget:
    """What every member read so far has unpacked, against the zip's total limit."""

    def __init__(self, archive: str, limits: Limits):
        self.archive, self.limits, self.spent = archive, limits, 0

    def spend(self, size: int, file: str) -> None:
        self.spent += size
        if self.spent > self.limits.total_bytes:
            raise ImportRefused([_too_much(self.archive, file, self.limits)])


def _too_much(archive: str, file: str, limits: Limits) -> Problem:
    return Problem(
        archive,
        f"unpacks to more than {_megabytes(limits.total_bytes)} in all (by {file}), the most "
        "one package may hold (the setting PROFICIO_IMPORT_TOTAL_MAX_MB).",
    )


class BoundedZip:
    """A zip whose members were checked on opening, read as counted streams.

    `archive` is how problems name the zip itself; `nested` allows members that are zips
    (an .xlsx keeps embedded workbooks so; nothing here opens them). Raises ImportRefused,
    or zipfile.BadZipFile and OSError for the caller to word.
    """

    def __init__(
        self,
        file: Path | BinaryIO,
        *,
        archive: str,
        limits: Limits | None = None,
        nested: bool = False,
    ):
        self.archive = archive
        self.limits = limits or Limits.from_settings()
        self.budget = _Budget(archive, self.limits)
        self.zip: zipfile.ZipFile | None = None
        self._owned = file.open("rb") if isinstance(file, Path) else None
        handle = self._owned or file
        try:
            self._check_count(_declared_members(handle))
            self.zip = zipfile.ZipFile(handle)
            self._check_count(len(self.zip.infolist()))
            self._check(nested)
        except Exception:
            self.close()
            raise

    def _check_count(self, members: int | None) -> None:
        """Refuse too many members: first as the zip's last record declares them, before its
        directory is read into memory (an object per member), then as the directory lists."""
        if members is not None and members > self.limits.members:
            raise ImportRefused(
                [
                    Problem(
                        self.archive,
                        f"holds {members:,} files, more than the {self.limits.members:,} "
                        "one package may hold (the setting PROFICIO_IMPORT_MAX_FILES).",
                    )
                ]
            )

    def _check(self, nested: bool) -> None:
        members = self.zip.infolist()
        problems = []
        total = 0
        for member in members:
            reason = _unsafe_name(member.filename)
            if reason is None and not nested and member.filename.lower().endswith(".zip"):
                reason = "is a zip inside the zip; put its files in the package itself."
            if reason is None and member.file_size > self.limits.file_bytes:
                problems.append(too_big(member.filename, self.limits))
            elif reason is not None:
                problems.append(Problem(member.filename, reason))
            total += member.file_size
        if not problems and total > self.limits.total_bytes:
            biggest = max(members, key=lambda member: member.file_size).filename
            problems.append(_too_much(self.archive, biggest, self.limits))
        if problems:
            raise ImportRefused(problems)

    def names(self) -> list[str]:
        return [member.filename for member in self.zip.infolist() if not member.is_dir()]

    def open(self, name: str) -> io.BufferedReader:
        """The member's bytes as a stream, refused as soon as it unpacks past a limit."""
        return io.BufferedReader(_Counted(self.zip.open(name), name, self.limits, self.budget))

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
        if self._owned is not None:
            self._owned.close()


class BoundedFolder:
    """A package given as a folder (on the command line): its files read as counted streams,
    within the same limits as a zip's members."""

    def __init__(self, path: Path, *, limits: Limits | None = None):
        self.path = path
        self.limits = limits or Limits.from_settings()
        self.budget = _Budget(path.name, self.limits)

    def names(self) -> list[str]:
        return [
            file.relative_to(self.path).as_posix()
            for file in self.path.rglob("*")
            if file.is_file()
        ]

    def open(self, name: str) -> io.BufferedReader:
        stream = (self.path / name).open("rb")
        return io.BufferedReader(_Counted(stream, name, self.limits, self.budget))

    def close(self) -> None:
        """Nothing to close: each file is closed once read."""
