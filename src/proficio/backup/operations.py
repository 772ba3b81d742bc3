"""Backing up a live home into one archive, and restoring an archive into an empty home."""

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from proficio.backup.archive import (
    HOME_FOLDER,
    ArchiveWriter,
    BackupError,
    DamagedArchive,
    Manifest,
    archive_unpack,
    few_names,
)
from proficio.backup.databases import Database, site_database, tables_holding_data
from proficio.home import home_dir
from proficio.lib.progress import Progress, quiet

BACKUPS_FOLDER = "backups"
MAIL_FOLDER = "mail"  # where the file mail backend writes, by default
ARCHIVE_NAME = re.compile(r"^proficio-backup-\d{8}T\d{6}Z\.tar\.gz$")
PARTIAL_SUFFIX = ".partial"  # ArchiveWriter's name for an archive being written
STAGING_PREFIX = ".restore-"
RESTORING_FILES = "Restoring files"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    manifest: Manifest
    size: int
    seconds: float
    removed: list[Path]  # older backups let go by `keep`
    migrations_pending: list[str]  # this version's migrations the database has not had yet


@dataclass(frozen=True)
class RestoreSummary:
    manifest: Manifest
    migrations_applied: int


def default_destination() -> Path:
    """HOME/backups, made private on first use."""
    folder = home_dir() / BACKUPS_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def backup_create(
    *, destination: Path | None = None, keep: int | None = None, progress: Progress = quiet
) -> BackupSummary:
    """Copy the database (consistently, while the site runs) and the home's files into one
    archive at `destination` (a file, or a folder to hold a timestamped one; default
    HOME/backups). With `keep`, only the newest `keep` timestamped archives of that folder stay.
    """
    began = time.perf_counter()
    path = _archive_path(destination or default_destination())
    home = home_dir()
    database = site_database()
    selection = HomeSelection(home, database, archive=path)
    files = _home_files(home, selection)
    pending = _pending_migrations()
    with tempfile.TemporaryDirectory(prefix="proficio-backup-") as scratch:
        copy = Path(scratch) / Path(database.member).name
        snapshot = database.copy(copy, progress)
        total = copy.stat().st_size + sum(_size(source) for _, source in files)
        with ArchiveWriter(path, total, progress) as writer:
            writer.add(database.member, copy)
            for name, source in files:
                try:
                    writer.add(name, source)
                except FileNotFoundError:  # an expired upload swept away meanwhile
                    continue
            manifest = writer.finish(
                Manifest(
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    proficio_version=_proficio_version(),
                    database_engine=database.engine,
                    database_member=database.member,
                    row_counts=snapshot.row_counts,
                    migrations=snapshot.migrations,
                )
            )
    removed = _keep_newest(path.parent, keep) if keep is not None else []
    return BackupSummary(
        path=path,
        manifest=manifest,
        size=path.stat().st_size,
        seconds=time.perf_counter() - began,
        removed=removed,
        migrations_pending=pending,
    )


def backup_restore(*, archive: Path, progress: Progress = quiet) -> RestoreSummary:
    """Restore `archive` into this home, whose database must hold no data yet.

    Everything is unpacked into a staging folder and checked first (checksums, manifest, the
    database copy itself); nothing of the home changes unless all of it is sound. Migrations
    then bring an archive from an older Proficio up to this one.
    """
    if holding := tables_holding_data():
        raise BackupError(
            f"The database of this home already holds data ({few_names(holding)}); a backup is "
            "restored only into an empty home. Point PROFICIO_HOME (and PROFICIO_DATABASE_URL, "
            "for PostgreSQL) at a new one."
        )
    home = home_dir()
    database = site_database()
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=home))
    try:
        try:
            manifest = archive_unpack(archive, staging, progress)
            _check_restorable(manifest, database)
            _check_home_members(manifest, HomeSelection(home, database))
            copy = staging / manifest.database_member
            database.check(copy, manifest.row_counts)
        except BackupError as error:
            raise type(error)(f"{error} Nothing was restored.") from None
        database.restore(copy, progress)
        _move_home_files(manifest, staging, home, progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if database.row_counts() != manifest.row_counts:
        raise BackupError(
            "The restored database does not hold the rows the archive's manifest counts; "
            "do not use this home."
        )
    return RestoreSummary(manifest=manifest, migrations_applied=_migrate())


def _archive_path(destination: Path) -> Path:
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = destination / f"proficio-backup-{stamp}.tar.gz"
        if path.exists():
            raise BackupError(f"{path} already exists; wait a second and try again.")
        return path
    if not destination.parent.is_dir():
        raise BackupError(f"There is no folder {destination.parent} to write the backup into.")
    return destination


class HomeSelection:
    """Which files of the home a backup holds, and so the only ones a restore writes.

    Left out: the database's own files (the database is copied on its own, consistently);
    collected static files (`proficio start` collects them again); the backups folder, the
    folder this backup goes into and any file named like an archive (a backup never holds
    earlier ones); the file mail backend's folder (its messages hold password-reset links that
    would still work wherever the archive is restored or read); and restore staging folders.
    """

    def __init__(self, home: Path, database: Database, archive: Path | None = None):
        self.home = home.resolve()
        self.database_files = {path.resolve() for path in database.own_files()}
        self.archive_files: set[Path] = set()
        folders = [Path(settings.STATIC_ROOT), home / BACKUPS_FOLDER, home / MAIL_FOLDER]
        if mail_folder := getattr(settings, "EMAIL_FILE_PATH", None):
            folders.append(Path(mail_folder))
        self.folders = {folder.resolve() for folder in folders}
        if archive is not None:
            archive = archive.resolve()
            self.archive_files = {archive, archive.with_name(f"{archive.name}{PARTIAL_SUFFIX}")}
            if self.home in archive.parent.parents and archive.parent not in self.folders:
                _check_holds_only_archives(archive.parent)
                self.folders.add(archive.parent)

    def holds_folder(self, path: Path) -> bool:
        return path.resolve() not in self.folders and not path.name.startswith(STAGING_PREFIX)

    def holds_file(self, path: Path) -> bool:
        resolved = path.resolve()
        return (
            resolved not in self.database_files
            and resolved not in self.archive_files
            and not _named_like_an_archive(path.name)
        )

    def why_not(self, relative: Path) -> str | None:
        """Why the home's file at `relative` is never in a backup, or None if it may be."""
        path = self.home / relative
        if path.resolve() in self.database_files:
            return "it would overwrite the restored database"
        if _named_like_an_archive(path.name):
            return "it is named like a backup archive"
        if not all(self.holds_folder(folder) for folder in path.parents[: len(relative.parts) - 1]):
            return "a backup never holds that folder"
        return None


def _named_like_an_archive(name: str) -> bool:
    return bool(ARCHIVE_NAME.match(name.removesuffix(PARTIAL_SUFFIX)))


def _check_holds_only_archives(folder: Path) -> None:
    """A backup leaves the folder it goes into out of itself: refuse one inside the home that
    holds anything but archives (the uploads folder, say), whose files would be left out too."""
    if folder.is_dir():
        others = sorted(
            str(path.relative_to(folder))
            for path in folder.rglob("*")
            if path.is_file() and not path.name.endswith((".tar.gz", f".tar.gz{PARTIAL_SUFFIX}"))
        )
        if others:
            raise BackupError(
                f"{folder} is inside the home and holds files other than backups "
                f"({few_names(others)}); a backup leaves out the folder it is written into, so "
                f"write it into {BACKUPS_FOLDER}/ (the default), a folder of its own or outside "
                "the home."
            )


def _home_files(home: Path, selection: HomeSelection) -> list[tuple[str, Path]]:
    """(member name, path) of every regular file of the home the selection holds."""
    files = []
    for root, dirnames, filenames in os.walk(home):
        dirnames[:] = [name for name in dirnames if selection.holds_folder(Path(root, name))]
        for name in sorted(filenames):
            path = Path(root, name)
            if selection.holds_file(path) and path.is_file() and not path.is_symlink():
                files.append((f"{HOME_FOLDER}/{path.relative_to(home).as_posix()}", path))
    return files


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _keep_newest(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` timestamped archives in `folder` (their names sort by
    time); other files are never touched."""
    archives = sorted(path for path in folder.iterdir() if ARCHIVE_NAME.match(path.name))
    stale = archives[: max(len(archives) - keep, 0)]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _check_restorable(manifest: Manifest, database: Database) -> None:
    if manifest.database_engine != database.engine:
        raise BackupError(
            f"This archive holds a {_named(manifest.database_engine)} database and this home "
            f"uses {_named(database.engine)}; restore it into a home of the same kind."
        )
    if manifest.database_member != database.member:
        raise DamagedArchive(f"Its database member {manifest.database_member} is not expected.")
    executor = MigrationExecutor(connection)
    known = {f"{app}.{name}" for app, name in executor.loader.disk_migrations}
    if unknown := sorted(set(manifest.migrations) - known):
        raise BackupError(
            f"This archive was made by Proficio {manifest.proficio_version}, whose database has "
            f"changes this version does not know ({few_names(unknown)}); restore it with that "
            "version or newer."
        )


def _check_home_members(manifest: Manifest, selection: HomeSelection) -> None:
    """Refuse an archive holding a home file no backup writes: crafted, it could replace the
    restored database (`home/proficio.sqlite3`, its -wal) or plant files where none belong."""
    for name in manifest.home_members():
        if reason := selection.why_not(Path(name).relative_to(HOME_FOLDER)):
            raise DamagedArchive(f"It holds {name}, which no backup holds: {reason}.")


def _pending_migrations() -> list[str]:
    """This version's migrations not yet applied to the database, in the order they would run."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _move_home_files(manifest: Manifest, staging: Path, home: Path, progress: Progress) -> None:
    names = manifest.home_members()
    total = sum(manifest.members[name].size for name in names)
    done = 0
    for name in names:
        target = home / Path(name).relative_to(HOME_FOLDER)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(staging / name, target)
        done += manifest.members[name].size
        if done < total:
            progress(RESTORING_FILES, done, total)
    progress(RESTORING_FILES, total, total)


def _migrate() -> int:
    """Bring the restored database up to this version's tables; how many migrations ran."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    return len(plan)


def _named(engine: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(engine, engine)


def _proficio_version() -> str:
    try:
        return version("proficio")
    except PackageNotFoundError:
        return "unknown"
