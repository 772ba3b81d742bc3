"""The backup archive: one tar.gz holding a copy of the database, the home's files and a manifest.

Its members are regular files only:

- `database/<name>`: the copy of the database (a SQLite file, or a `pg_dump` custom-format dump);
- `home/<path>`: the home's own files: the secret key, uploaded media, the import upload shelves;
- `manifest.json`, last: what the archive is (format, when, which Proficio, which database
  engine, rows per table, migrations applied) and the SHA-256 and size of every other member.

The manifest comes last so that a backup is written in one pass, each member hashed as it goes
in. Reading unpacks everything into a staging folder and checks the gzip CRC, the tar structure,
every member's name and every checksum before the caller touches the home.
"""

import contextlib
import dataclasses
import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Self

from proficio.home import SECRET_KEY_FILE
from proficio.lib.errors import ProficioError
from proficio.lib.progress import Progress, quiet

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FOLDER = "database"
HOME_FOLDER = "home"
CHUNK = 1024 * 1024
MANIFEST_LIMIT = 64 * CHUNK  # a manifest lists members; anything bigger is not one of ours
GZIP_LEVEL = 6  # tarfile's default of 9 is several times slower for a few percent
WRITING = "Writing the archive"
READING = "Reading the archive"


class BackupError(ProficioError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


class DamagedArchive(BackupError):
    """The archive cannot be trusted: cut short, altered, or missing a member."""


@dataclass(frozen=True)
class MemberDigest:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What an archive holds; `members` is filled in by the writer as it hashes them."""

    created_at: str
    proficio_version: str
    database_engine: str
    database_member: str
    row_counts: dict[str, int]
    migrations: list[str]
    members: dict[str, MemberDigest] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())

    def home_members(self) -> list[str]:
        return sorted(name for name in self.members if name.startswith(f"{HOME_FOLDER}/"))

    @property
    def has_secret_key(self) -> bool:
        """False when the site took its key from PROFICIO_SECRET_KEY instead of the home."""
        return f"{HOME_FOLDER}/{SECRET_KEY_FILE}" in self.members

    def to_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Self:
        try:
            fields = json.loads(data)
            if fields["format"] > FORMAT:
                raise BackupError(
                    f"This archive was written by a newer Proficio ({fields['proficio_version']}, "
                    f"archive format {fields['format']}); restore it with that version or newer."
                )
            members = {name: MemberDigest(**digest) for name, digest in fields["members"].items()}
            manifest = cls(**{**fields, "members": members})
            _check_types(manifest)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise DamagedArchive(f"Its manifest is unreadable ({error!r}).") from error
        return manifest


def _check_types(manifest: Manifest) -> None:
    texts = (manifest.created_at, manifest.proficio_version, manifest.database_engine)
    if not all(isinstance(text, str) for text in (*texts, manifest.database_member)):
        raise TypeError("a text field is not text")
    if not all(isinstance(n, int) for n in manifest.row_counts.values()):
        raise TypeError("a row count is not a number")
    digests = manifest.members.values()
    if not all(isinstance(d.sha256, str) and isinstance(d.size, int) for d in digests):
        raise TypeError("a member digest is malformed")


class _Hashing:
    """A file being read, hashed and counted as it goes (tarfile reads members through this)."""

    def __init__(self, source: BinaryIO, on_read: Callable[[int], None]):
        self.source = source
        self.sha256 = hashlib.sha256()
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        if data:
            self.sha256.update(data)
            self.on_read(len(data))
        return data


class ArchiveWriter:
    """Writes `<path>.partial` (0600) and renames it to `path` only once it is complete, so a
    failed backup never leaves half an archive under the name of a good one.

    Used as a context manager: leaving it without `finish` (an error) removes the partial file.
    """

    def __init__(self, path: Path, total_bytes: int, progress: Progress = quiet):
        self.path = path
        self.partial = path.with_name(f"{path.name}.partial")
        self.total_bytes = total_bytes
        self.written = 0
        self.progress = progress
        self.digests: dict[str, MemberDigest] = {}
        descriptor = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # O_CREAT's mode does not reach a partial file left before
        self.file = os.fdopen(descriptor, "wb")
        self.tar = tarfile.open(  # noqa: SIM115 (closed by finish or __exit__)
            fileobj=self.file, mode="w:gz", compresslevel=GZIP_LEVEL
        )
        self.finished = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.finished:
            try:
                with contextlib.suppress(OSError):  # a full disk, say: the file goes anyway
                    self.tar.close()
                self.file.close()
            finally:
                self.partial.unlink(missing_ok=True)

    def add(self, name: str, source: Path) -> None:
        """Add the file at `source` as member `name`, hashing it as it is read."""
        with source.open("rb") as handle:
            info = tarfile.TarInfo(name)
            stat = os.fstat(handle.fileno())
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            reader = _Hashing(handle, self._advance)
            self.tar.addfile(info, reader)
        self.digests[name] = MemberDigest(reader.sha256.hexdigest(), info.size)

    def _advance(self, size: int) -> None:
        self.written += size
        self.progress(WRITING, min(self.written, self.total_bytes - 1), self.total_bytes)

    def finish(self, manifest: Manifest) -> Manifest:
        """Write the manifest (with every member's digest), close, and move into place."""
        manifest = dataclasses.replace(manifest, members=dict(self.digests))
        data = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.partial, self.path)
        self.finished = True
        self.progress(WRITING, self.total_bytes, self.total_bytes)
        return manifest


def archive_unpack(path: Path, into: Path, progress: Progress = quiet) -> Manifest:
    """Unpack the archive at `path` into the folder `into` and check all of it: the gzip stream
    to its end, each member's name and type, the manifest, and every checksum. Raise
    `DamagedArchive` with the reason on the first thing wrong."""
    try:
        total = path.stat().st_size
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}.") from None
    read = 0

    def advance(size: int) -> None:
        nonlocal read
        read += size
        progress(READING, read, total)

    with path.open("rb") as raw:
        compressed = _Hashing(raw, advance)
        try:
            with gzip.GzipFile(fileobj=compressed, mode="rb") as stream:
                digests, manifest_data = _unpack_members(stream, into)
                while stream.read(CHUNK):  # to the very end, where gzip checks its CRC and length
                    pass
        except (EOFError, zlib.error, gzip.BadGzipFile, tarfile.TarError) as error:
            raise DamagedArchive(f"{path} is damaged or cut short ({error}).") from error
    if manifest_data is None:
        raise DamagedArchive(f"{path} has no {MANIFEST}: it is cut short or not a backup.")
    manifest = Manifest.from_json(manifest_data)
    _check_members(manifest, digests)
    return manifest


def _unpack_members(stream: BinaryIO, into: Path) -> tuple[dict[str, MemberDigest], bytes | None]:
    digests: dict[str, MemberDigest] = {}
    manifest_data = None
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name
            if name in digests or (name == MANIFEST and manifest_data is not None):
                raise DamagedArchive(f"The archive holds {name} twice.")
            if not member.isreg():
                raise DamagedArchive(f"The archive member {name} is not a plain file.")
            content = tar.extractfile(member)
            if name == MANIFEST:
                if member.size > MANIFEST_LIMIT:
                    raise DamagedArchive(f"Its {MANIFEST} is too large to be a manifest.")
                manifest_data = content.read()
                continue
            target = into / _member_path(name)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            sha256 = hashlib.sha256()
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                while chunk := content.read(CHUNK):
                    sha256.update(chunk)
                    out.write(chunk)
            digests[name] = MemberDigest(sha256.hexdigest(), member.size)
    return digests, manifest_data


def _member_path(name: str) -> Path:
    """The relative path a member unpacks to; anything outside the two folders is refused."""
    parts = PurePosixPath(name).parts
    if (
        len(parts) < 2
        or parts[0] not in {DATABASE_FOLDER, HOME_FOLDER}
        or any(part in {"", ".", ".."} or "\\" in part for part in parts)
    ):
        raise DamagedArchive(f"The archive member {name!r} is not one a backup holds.")
    return Path(*parts)


def _check_members(manifest: Manifest, digests: dict[str, MemberDigest]) -> None:
    if missing := sorted(manifest.members.keys() - digests.keys()):
        raise DamagedArchive(f"The archive lacks {few_names(missing)}, which its manifest lists.")
    if unlisted := sorted(digests.keys() - manifest.members.keys()):
        raise DamagedArchive(f"The archive holds {few_names(unlisted)}, which its manifest omits.")
    for name, digest in sorted(digests.items()):
        if digest != manifest.members[name]:
            raise DamagedArchive(f"{name} does not match its checksum: it was altered or damaged.")
    if manifest.database_member not in digests:
        raise DamagedArchive(f"The archive lacks its database ({manifest.database_member}).")


def few_names(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown:,} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
