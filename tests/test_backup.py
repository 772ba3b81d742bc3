"""`proficio backup` and `proficio restore`: sound copies under load, checked archives, and a
restore that serves the same data."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import time
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from bench.backup_under_load import run as backup_under_load
from proficio.backup.archive import (
    ArchiveWriter,
    BackupError,
    DamagedArchive,
    Manifest,
    MemberDigest,
    archive_unpack,
)
from proficio.backup.databases import SqliteDatabase
from proficio.backup.operations import HomeSelection
from proficio.backup.operations import _check_home_members as check_home_members
from proficio.backup.operations import _check_restorable as check_restorable
from tests.test_cli import proficio_env, run_proficio

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"
SHELVED = "3-0123456789abcdef0123456789abcdef.zip"  # a roster upload awaiting its confirmation
RESET_MAIL = "20261205-210000-140000000000.log"  # as the file mail backend names a message


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# The test, with fewer tries than `make bench` (which takes 20 backups under 20 writers).
def test_backups_taken_while_20_clients_write_pass_integrity_check_and_restore_the_same_data(
    migrated_home,
):
    figures = backup_under_load(tries=3, writers=20, make_home=migrated_home)

    assert figures["writer_errors"] == []
    assert figures["ratings_written_meanwhile"] > 0
    assert figures["backups_passing_integrity_check"] == 3
    assert figures["restored_row_counts_match_manifest"]
    assert figures["restored_append_only_rows_match_source"]
    assert figures["restored_sampled_records_match_source"]


# The archive itself: what a reader refuses, and why.


@pytest.fixture
def archive(tmp_path) -> Path:
    """A small archive as `proficio backup` writes it: a database, the secret key, an upload."""
    sources = tmp_path / "sources"
    sources.mkdir()
    with closing(sqlite3.connect(sources / "db.sqlite3")) as db:
        db.execute("CREATE TABLE grade (id INTEGER PRIMARY KEY, level INTEGER)")
        db.executemany("INSERT INTO grade (level) VALUES (?)", [(n % 4,) for n in range(500)])
        db.commit()
    (sources / "secret_key").write_text("not so secret")
    (sources / "essay.txt").write_bytes(os.urandom(20_000))  # incompressible: a flip lands in it
    path = tmp_path / "backup.tar.gz"
    with ArchiveWriter(path, total_bytes=1) as writer:
        writer.add("database/proficio.sqlite3", sources / "db.sqlite3")
        writer.add("home/secret_key", sources / "secret_key")
        writer.add("home/media/work/essay.txt", sources / "essay.txt")
        writer.finish(
            Manifest(
                created_at="2026-12-05T21:00:00+00:00",
                proficio_version="0.1.0",
                database_engine="sqlite",
                database_member="database/proficio.sqlite3",
                row_counts={"grade": 500},
                migrations=[],
            )
        )
    return path


def rewrite(archive: Path, change) -> None:
    """Rewrite the archive as a valid tar.gz whose members `change(name, data)` returns
    (None drops the member), so only the archive's own checks can catch what was done."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members:
            for new_name, new_data in change(name, data):
                info = tarfile.TarInfo(new_name)
                info.size = len(new_data)
                tar.addfile(info, io.BytesIO(new_data))


def test_an_archive_unpacks_whole_with_its_manifest(archive, tmp_path):
    into = tmp_path / "into"
    manifest = archive_unpack(archive, into)

    assert sorted(manifest.members) == [
        "database/proficio.sqlite3",
        "home/media/work/essay.txt",
        "home/secret_key",
    ]
    assert (into / "home" / "secret_key").read_text() == "not so secret"
    assert manifest.row_counts == {"grade": 500}
    assert manifest.has_secret_key


def test_an_archive_is_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        (tmp_path / "f").write_text("x")
        with ArchiveWriter(tmp_path / "a.tar.gz", total_bytes=1) as writer:
            writer.add("home/f", tmp_path / "f")
            writer.finish(Manifest("t", "v", "sqlite", "database/x", {}, []))
    finally:
        os.umask(previous)
    assert mode(tmp_path / "a.tar.gz") == 0o600


def test_a_failed_backup_leaves_no_archive_behind(tmp_path):
    with pytest.raises(FileNotFoundError), ArchiveWriter(tmp_path / "a.tar.gz", 1) as writer:
        writer.add("home/gone", tmp_path / "gone")
    assert list(tmp_path.iterdir()) == []


def test_a_truncated_archive_is_refused(archive, tmp_path):
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedArchive, match="damaged or cut short"):
        archive_unpack(archive, tmp_path / "into")


def test_an_archive_with_a_flipped_byte_is_refused(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(DamagedArchive, match="damaged or cut short"):
        archive_unpack(archive, tmp_path / "into")


def test_a_member_altered_inside_a_valid_archive_fails_its_checksum(archive, tmp_path):
    rewrite(
        archive, lambda name, data: [(name, b"evil key" if name == "home/secret_key" else data)]
    )
    with pytest.raises(DamagedArchive, match="home/secret_key does not match its checksum"):
        archive_unpack(archive, tmp_path / "into")


def test_a_missing_member_is_refused(archive, tmp_path):
    rewrite(archive, lambda name, data: [] if name.endswith("essay.txt") else [(name, data)])
    with pytest.raises(DamagedArchive, match=r"lacks home/media/work/essay\.txt"):
        archive_unpack(archive, tmp_path / "into")


def test_a_missing_manifest_is_refused(archive, tmp_path):
    rewrite(archive, lambda name, data: [] if name == "manifest.json" else [(name, data)])
    with pytest.raises(DamagedArchive, match=r"has no manifest\.json"):
        archive_unpack(archive, tmp_path / "into")


def test_a_member_the_manifest_does_not_list_is_refused(archive, tmp_path):
    def add_one(name, data):
        yield name, data
        if name == "home/secret_key":
            yield "home/media/extra.txt", b"slipped in"

    rewrite(archive, add_one)
    with pytest.raises(
        DamagedArchive, match=r"holds home/media/extra\.txt, which its manifest omits"
    ):
        archive_unpack(archive, tmp_path / "into")


def test_a_member_outside_the_home_is_refused_and_not_written(archive, tmp_path):
    def escape(name, data):
        yield name, data
        if name == "home/secret_key":
            yield "home/../../escaped.txt", b"outside"

    rewrite(archive, escape)
    with pytest.raises(DamagedArchive, match="not one a backup holds"):
        archive_unpack(archive, tmp_path / "into" / "deeper")
    assert not (tmp_path / "escaped.txt").exists()


def test_an_archive_from_a_newer_format_is_refused_with_the_version(archive, tmp_path):
    def newer(name, data):
        if name == "manifest.json":
            data = json.dumps({**json.loads(data), "format": 2, "proficio_version": "9.0"}).encode()
        yield name, data

    rewrite(archive, newer)
    with pytest.raises(BackupError, match=r"newer Proficio \(9.0, archive format 2\)"):
        archive_unpack(archive, tmp_path / "into")


def smuggle(archive: Path, name: str, data: bytes) -> None:
    """Add member `name` and list it in the manifest with its true checksum, as a crafted
    archive would: every check of the archive's own soundness passes."""

    def add(member, content):
        if member == "manifest.json":
            fields = json.loads(content)
            digest = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            fields["members"][name] = digest
            content = json.dumps(fields).encode()
            yield name, data
        yield member, content

    rewrite(archive, add)


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("home/proficio.sqlite3-wal", "it would overwrite the restored database"),
        ("home/proficio.sqlite3-shm", "it would overwrite the restored database"),
        ("home/static/web/htmx.js", "a backup never holds that folder"),
        ("home/backups/old.txt", "a backup never holds that folder"),
        (f"home/mail/{RESET_MAIL}", "a backup never holds that folder"),
        ("home/.restore-x/secret_key", "a backup never holds that folder"),
        ("home/media/proficio-backup-20261205T210000Z.tar.gz", "it is named like a backup archive"),
    ],
)
def test_a_home_member_no_backup_writes_is_refused_with_the_reason(member, reason, settings):
    home = Path(settings.STATIC_ROOT).parent
    database = SqliteDatabase(home / "proficio.sqlite3")
    digests = {name: MemberDigest("", 0) for name in ("home/secret_key", member)}
    manifest = Manifest("t", "0.1.0", "sqlite", database.member, {}, [], members=digests)

    with pytest.raises(DamagedArchive, match=f"holds {member}, which no backup holds: {reason}"):
        check_home_members(manifest, HomeSelection(home, database))


def test_an_archive_of_another_database_engine_is_refused_by_name():
    manifest = Manifest("t", "0.1.0", "postgresql", "database/proficio.pgdump", {}, [])
    with pytest.raises(BackupError, match="holds a PostgreSQL database and this home uses SQLite"):
        check_restorable(manifest, SqliteDatabase(Path("proficio.sqlite3")))


# The commands, run as a person would.


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_home) -> Path:
    """A home with the demo district, an uploaded file and an import waiting on its shelf."""
    home = migrated_home(tmp_path_factory.mktemp("site"))
    result = run_proficio(home, "demo", "--students", "12")
    assert result.returncode == 0, result.stderr
    (home / "media" / "work").mkdir(parents=True, exist_ok=True)  # the demo keeps work there too
    (home / "media" / "work" / "essay.pdf").write_bytes(b"%PDF-1.7 an essay")
    (home / "imports").mkdir(exist_ok=True)
    (home / "imports" / SHELVED).write_bytes(b"PK roster")
    (home / "mail").mkdir()
    (home / "mail" / RESET_MAIL).write_text("Reset your password: /accounts/reset/MQ/set-password/")
    return home


def files_kept(home: Path) -> int:
    """The files a backup of `home` keeps: the uploads (the demo's work and the essay), the
    import on its shelf and the secret key; mailed links stay behind."""
    return sum(1 for path in (home / "media").rglob("*") if path.is_file()) + 2


def sqlite_counts(home: Path) -> dict[str, int]:
    with closing(sqlite3.connect(home / "proficio.sqlite3")) as db:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_backup_then_restore_brings_back_the_database_uploads_and_secret_key(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    backup = run_proficio(site, "backup", str(archive))
    assert backup.returncode == 0, backup.stderr
    assert "Backed up" in backup.stdout
    assert f"and {files_kept(site)} files to" in backup.stdout
    assert mode(archive) == 0o600

    restored = tmp_path / "restored"
    result = run_proficio(restored, "restore", str(archive))

    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    assert sqlite_counts(restored) == sqlite_counts(site)
    for name in (
        "secret_key",
        "media/work/essay.pdf",
        f"imports/{SHELVED}",
    ):
        assert (restored / name).read_bytes() == (site / name).read_bytes()
        assert mode(restored / name) == 0o600
    served = run_proficio(restored, "demo", "--if-empty")  # Django reads the restored home
    assert "already loaded" in served.stdout
    # Mailed password-reset links stay behind: they would work for whoever reads the archive.
    with tarfile.open(archive) as tar:
        assert not [name for name in tar.getnames() if name.startswith("home/mail/")]
    assert not (restored / "mail").exists()


def test_a_backup_folder_inside_the_home_is_left_out_of_the_backups_written_into_it(site):
    nightly = site / "nightly"
    nightly.mkdir()
    try:
        for _ in range(2):
            result = run_proficio(site, "backup", str(nightly))
            assert result.returncode == 0, result.stderr
            time.sleep(1)  # the names are timestamped to the second
        first, second = sorted(nightly.iterdir())
        with tarfile.open(second) as tar:
            assert f"home/nightly/{first.name}" not in tar.getnames()
            assert not [name for name in tar.getnames() if "nightly" in name]
        assert f"and {files_kept(site)} files to" in result.stdout
    finally:
        shutil.rmtree(nightly)


def test_a_backup_is_not_written_into_a_folder_of_the_homes_data(site):
    before = sorted((site / "media").rglob("*"))
    result = run_proficio(site, "backup", str(site / "media"))

    assert result.returncode == 1
    assert "holds files other than backups (" in result.stderr
    assert sorted((site / "media").rglob("*")) == before


def test_restore_refuses_an_archive_that_would_overwrite_its_database_and_writes_nothing(
    site, tmp_path, migrated_home
):
    archive = tmp_path / "site.tar.gz"
    assert run_proficio(site, "backup", str(archive)).returncode == 0
    smuggle(archive, "home/proficio.sqlite3", (site / "proficio.sqlite3").read_bytes())
    home = migrated_home(tmp_path / "fresh")

    result = run_proficio(home, "restore", str(archive))

    assert result.returncode == 1
    assert (
        "holds home/proficio.sqlite3, which no backup holds: "
        "it would overwrite the restored database. Nothing was restored."
    ) in result.stderr
    assert sqlite_counts(home)["people_person"] == 0
    assert not (home / "media").exists()


def test_backup_by_default_goes_to_the_homes_backups_folder_and_keeps_the_newest(site):
    for _ in range(3):
        result = run_proficio(site, "backup", "--keep", "2")
        assert result.returncode == 0, result.stderr
        time.sleep(1)  # the names are timestamped to the second
    folder = site / "backups"
    archives = sorted(folder.iterdir())
    assert len(archives) == 2
    assert all(a.name.startswith("proficio-backup-") for a in archives)
    assert mode(folder) == 0o700
    assert "Removed 1 older backup (--keep 2)." in result.stdout
    # A backup holds no earlier backups.
    with tarfile.open(archives[-1]) as tar:
        assert not [m for m in tar.getnames() if "backups/" in m or "static/" in m]


def test_restore_refuses_a_home_whose_database_holds_data(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    assert run_proficio(site, "backup", str(archive)).returncode == 0
    before = sqlite_counts(site)

    result = run_proficio(site, "restore", str(archive))

    assert result.returncode == 1
    assert "already holds data" in result.stderr
    assert "restored only into an empty home" in result.stderr
    assert sqlite_counts(site) == before


def test_restore_of_a_damaged_archive_says_why_and_changes_nothing(site, tmp_path, migrated_home):
    archive = tmp_path / "site.tar.gz"
    assert run_proficio(site, "backup", str(archive)).returncode == 0
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) * 2 // 3])
    home = migrated_home(tmp_path / "fresh")
    key = (home / "secret_key").read_text()

    result = run_proficio(home, "restore", str(archive))

    assert result.returncode == 1
    assert "damaged or cut short" in result.stderr
    assert "Nothing was restored" in result.stderr
    assert (home / "secret_key").read_text() == key
    assert not (home / "media").exists()
    assert sqlite_counts(home)["people_person"] == 0
    assert not [p for p in home.iterdir() if p.name.startswith(".restore-")]


def applied_migrations(home: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(home / "proficio.sqlite3")) as db:
        return db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()


@pytest.fixture
def older_home(tmp_path, migrated_home) -> Path:
    """A home as an older Proficio left it: before frameworks learnt CASE items. This version
    is installed, but the site still runs the older one."""
    older = migrated_home(tmp_path / "older")
    rolled_back = run_proficio(older, "manage", "migrate", "frameworks", "0002_initial")
    assert rolled_back.returncode == 0, rolled_back.stderr
    return older


def test_backup_copies_a_database_behind_this_version_as_it_is_and_says_so(older_home, tmp_path):
    before = applied_migrations(older_home)
    archive = tmp_path / "older.tar.gz"

    backup = run_proficio(older_home, "backup", str(archive))

    assert backup.returncode == 0, backup.stderr
    assert applied_migrations(older_home) == before
    assert ("frameworks", "0003_case_items") not in before
    notes = [line for line in backup.stdout.splitlines() if "backed up as it is" in line]
    assert len(notes) == 1
    assert "frameworks.0003_case_items" in notes[0]
    manifest = archive_unpack(archive, tmp_path / "look")
    assert set(manifest.migrations) == {f"{app}.{name}" for app, name in before}


def test_restore_of_an_archive_from_an_older_version_runs_the_migrations(older_home, tmp_path):
    archive = tmp_path / "older.tar.gz"
    backup = run_proficio(older_home, "backup", str(archive))
    assert backup.returncode == 0, backup.stderr
    assert "frameworks.0003_case_items" not in archive_unpack(archive, tmp_path / "look").migrations

    restored = tmp_path / "restored"
    result = run_proficio(restored, "restore", str(archive))

    assert result.returncode == 0, result.stderr
    assert "Applied" in result.stdout
    with closing(sqlite3.connect(restored / "proficio.sqlite3")) as db:
        applied = db.execute(
            "SELECT 1 FROM django_migrations WHERE app = 'frameworks' AND name = '0003_case_items'"
        ).fetchall()
    assert applied == [(1,)]


# PostgreSQL: pg_dump and pg_restore, when the machine has them.


@pytest.fixture
def postgres_databases():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed (PostgreSQL's client tools)")
    server = os.environ.get("PROFICIO_TEST_POSTGRES_SERVER", LOCAL_POSTGRES)
    names = [f"proficio_backup_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server answers at {server}: {error}")
    with admin:
        for name in names:
            admin.execute(f"CREATE DATABASE {name}")
        yield [f"{server}/{name}" for name in names]
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_rows(url: str) -> tuple[dict[str, int], list[tuple]]:
    """Rows per table, and the evidence itself."""
    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        evidence = db.execute("SELECT * FROM evidence_evidence ORDER BY id").fetchall()
    return counts, evidence


def test_postgresql_backup_and_restore_round_trip(postgres_databases, tmp_path):
    source_url, target_url = postgres_databases

    def proficio(home: Path, url: str, *args: str):
        result = subprocess_run(home, url, *args)
        assert result.returncode == 0, result.stderr
        return result

    proficio(tmp_path / "source", source_url, "demo", "--students", "12")
    archive = tmp_path / "pg.tar.gz"
    proficio(tmp_path / "source", source_url, "backup", str(archive))
    manifest = archive_unpack(archive, tmp_path / "look")
    assert manifest.database_engine == "postgresql"

    restored = proficio(tmp_path / "target", target_url, "restore", str(archive))

    assert "Restored" in restored.stdout
    source_counts, source_evidence = postgres_rows(source_url)
    target_counts, target_evidence = postgres_rows(target_url)
    assert target_counts == source_counts == manifest.row_counts
    assert target_evidence == source_evidence
    assert len(target_evidence) > 0


def subprocess_run(home: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "proficio.cli", *args],
        env={**proficio_env(home), "PROFICIO_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
