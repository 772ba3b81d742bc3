"""Copying the site's database while it runs, checking a copy, and putting one back.

SQLite: the online backup API (`sqlite3.Connection.backup`) in a single step, so the copy is one
read transaction's snapshot while writers carry on in the WAL (copying the file is not: a copy
taken under load is often corrupt). PostgreSQL: `pg_dump` in the custom format, run on a
snapshot exported by a repeatable-read transaction that also counts the rows, so the manifest's
counts are those of the dump; restored with `pg_restore`.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, connections, transaction

from proficio.backup.archive import DATABASE_FOLDER, BackupError, DamagedArchive
from proficio.lib.progress import Progress

COPYING = "Copying the database"
RESTORING = "Restoring the database"
BUSY_SECONDS = 20  # as long as the site's own connections wait for a lock
# Tables `migrate` fills by itself: rows there do not make a home "hold data".
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


@dataclass(frozen=True)
class Snapshot:
    """Rows per table and the migrations applied, as of the moment the copy was taken."""

    row_counts: dict[str, int]
    migrations: list[str]


class Database(Protocol):
    engine: str
    member: str

    def copy(self, target: Path, progress: Progress) -> Snapshot:
        """Write a consistent copy of the live database to `target`."""

    def check(self, copy: Path, row_counts: dict[str, int]) -> None:
        """Raise `DamagedArchive` unless `copy` is sound (and holds `row_counts`, if it can
        tell without restoring)."""

    def restore(self, copy: Path, progress: Progress) -> None:
        """Replace the (empty) database with `copy`."""

    def row_counts(self) -> dict[str, int]:
        """Rows per table of the live database."""

    def own_files(self) -> set[Path]:
        """Files of the database that are not to be archived as files of the home."""


def site_database() -> Database:
    """The database the settings point at."""
    config = settings.DATABASES["default"]
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return SqliteDatabase(Path(config["NAME"]))
    if config["ENGINE"] == "django.db.backends.postgresql":
        return PostgresDatabase(config)
    raise BackupError(f"Proficio cannot back up a {config['ENGINE']} database.")


def tables_holding_data() -> list[str]:
    """Proficio's tables with at least one row, apart from what `migrate` fills."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.django_table_names(only_existing=True)
        for table in sorted(set(tables) - BOOKKEEPING_TABLES):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                found.append(table)
    return found


class SqliteDatabase:
    engine = "sqlite"
    member = f"{DATABASE_FOLDER}/proficio.sqlite3"

    def __init__(self, path: Path):
        self.path = path

    def copy(self, target: Path, progress: Progress) -> Snapshot:
        # One step (pages=-1) holds one read transaction for the whole copy. A stepped backup
        # would restart after every write by another connection, and under steady writing
        # might never finish.
        with (
            closing(sqlite3.connect(self.path, timeout=BUSY_SECONDS)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            page_size = source.execute("PRAGMA page_size").fetchone()[0]
            progress(COPYING, 0, max(self.path.stat().st_size, 1))
            source.backup(
                copy,
                progress=lambda _status, remaining, total: progress(
                    COPYING, (total - remaining) * page_size, total * page_size
                ),
            )
        try:
            return _sqlite_snapshot(target)
        except DamagedArchive as error:
            raise BackupError(f"The copy of the database {error} No archive was written.") from None

    def check(self, copy: Path, row_counts: dict[str, int]) -> None:
        try:
            snapshot = _sqlite_snapshot(copy)
        except DamagedArchive as error:
            raise DamagedArchive(f"Its database {error}") from None
        if snapshot.row_counts != row_counts:
            raise DamagedArchive("Its database does not hold the rows its manifest counts.")

    def restore(self, copy: Path, progress: Progress) -> None:
        size = copy.stat().st_size
        progress(RESTORING, 0, size)
        connections.close_all()
        # The empty database's journal files must go with it: SQLite would otherwise read an
        # old write-ahead log into the restored file.
        for leftover in self.own_files():
            leftover.unlink(missing_ok=True)
        shutil.move(copy, self.path)
        progress(RESTORING, size, size)

    def row_counts(self) -> dict[str, int]:
        return _sqlite_snapshot(self.path, check_integrity=False).row_counts

    def own_files(self) -> set[Path]:
        return {
            self.path,
            *(Path(f"{self.path}{suffix}") for suffix in ("-wal", "-shm", "-journal")),
        }


def _sqlite_snapshot(path: Path, check_integrity: bool = True) -> Snapshot:
    with closing(sqlite3.connect(path, timeout=BUSY_SECONDS)) as db:
        if check_integrity:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise DamagedArchive(f"fails SQLite's integrity check: {'; '.join(problems[:3])}.")
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            table: db.execute(f"SELECT count(*) FROM {_sqlite_quote(table)}").fetchone()[0]
            for table in sorted(tables)
        }
        migrations = []
        if "django_migrations" in counts:
            migrations = [f"{app}.{name}" for app, name in db.execute(MIGRATIONS_SQL)]
    return Snapshot(counts, migrations)


MIGRATIONS_SQL = "SELECT app, name FROM django_migrations ORDER BY app, name"


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresDatabase:
    engine = "postgresql"
    member = f"{DATABASE_FOLDER}/proficio.pgdump"

    def __init__(self, config: dict[str, Any]):
        self.config = config

    def copy(self, target: Path, progress: Progress) -> Snapshot:
        progress(COPYING, 0, 1)
        # pg_dump reads the snapshot this transaction exports, so the dump holds exactly the
        # rows counted here, whatever is written meanwhile.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            snapshot = Snapshot(self.row_counts(), _postgres_migrations(cursor))
            self._run(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
                self._dbname(),
            )
        size = target.stat().st_size
        progress(COPYING, size, size)
        return snapshot

    def check(self, copy: Path, row_counts: dict[str, int]) -> None:
        # Without restoring, pg_restore can only tell whether the dump reads as one; the rows
        # are counted once restored (and the checksums already vouch for every byte).
        try:
            self._run("pg_restore", "--list", str(copy))
        except BackupError as error:
            raise DamagedArchive(f"Its database dump is unreadable: {error}") from None

    def restore(self, copy: Path, progress: Progress) -> None:
        size = copy.stat().st_size
        progress(RESTORING, 0, size)
        # The home holds no data (checked), but `migrate` made its tables: they go, so the
        # dump's own tables and migration records come back exactly as they were.
        proficios = {*connection.introspection.django_table_names(), "django_migrations"}
        with connection.cursor() as cursor:
            tables = sorted(proficios & set(connection.introspection.table_names(cursor)))
            if tables:
                quoted = ", ".join(map(connection.ops.quote_name, tables))
                cursor.execute(f"DROP TABLE {quoted} CASCADE")
        connections.close_all()
        self._run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={self._dbname()}",
            str(copy),
        )
        progress(RESTORING, size, size)

    def row_counts(self) -> dict[str, int]:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            counts = {}
            for table in sorted(connection.introspection.table_names(cursor)):
                cursor.execute(f"SELECT count(*) FROM {quote(table)}")
                counts[table] = cursor.fetchone()[0]
        return counts

    def own_files(self) -> set[Path]:
        return set()

    def _dbname(self) -> str:
        """A connection string for the client tools; the password travels in PGPASSWORD."""
        parts = {
            "dbname": self.config["NAME"],
            "host": self.config.get("HOST"),
            "port": self.config.get("PORT"),
            "user": self.config.get("USER"),
            "sslmode": self.config.get("OPTIONS", {}).get("sslmode"),
        }
        return " ".join(f"{key}='{_libpq_quote(value)}'" for key, value in parts.items() if value)

    def _run(self, program: str, *arguments: str) -> None:
        executable = shutil.which(program)
        if executable is None:
            raise BackupError(
                f"{program} is not installed; it comes with PostgreSQL's client tools of the "
                "server's major version or newer (e.g. `apt-get install postgresql-client`)."
            )
        env = dict(os.environ)
        if password := self.config.get("PASSWORD"):
            env["PGPASSWORD"] = password
        result = subprocess.run(
            [executable, *arguments], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")


def _postgres_migrations(cursor: Any) -> list[str]:
    cursor.execute(MIGRATIONS_SQL)
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _libpq_quote(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("'", "\\'")
