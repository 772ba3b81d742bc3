"""`proficio backup` while 20 clients write: is every copy sound, and does a restore serve it?

A home with the demo district (20 students) gets 20 writers: threads of one process, each with
its own SQLite connection, recording ratings through the service as the site's workers do
(mastery refresh and audit entry included) until told to stop; a write that waits out SQLite's
busy timeout is counted (`writer_lock_timeouts_retried`) and tried again, so the load never
thins. Meanwhile `proficio backup` runs TRIES times, each in its own process. Then:

- every archive is unpacked and checked (checksums, manifest) and its database must pass
  `PRAGMA integrity_check`;
- the last archive is restored into a fresh home with `proficio restore`; its row counts must
  equal the manifest's, and its append-only tables (evidence, audit trail) must be exactly the
  source's rows up to the restored last id: a snapshot is a prefix of what was committed.

`copy_with_cp_passing_integrity_check` is the unsafe way the issue measured: each try also
copies the live home file by file, as `cp -r` does, and runs the same check on that copy.

Run alone with `python -m bench.backup_under_load [TRIES [STUDENTS]]`; `write` is the writers'
process.
"""

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

WRITERS = 20
TRIES = 20
STUDENTS = 20
APPEND_ONLY_TABLES = ("evidence_evidence", "audit_auditentry")
SAMPLED_TABLES = ("people_person", "frameworks_competency")
REPOSITORY = Path(__file__).resolve().parents[1]  # where `bench` imports from


def run(
    tries: int = TRIES,
    writers: int = WRITERS,
    students: int = STUDENTS,
    make_home: Callable[[Path], Path] | None = None,
) -> dict:
    """`make_home`, given, makes the home (the tests hand in one migrated already)."""
    with tempfile.TemporaryDirectory(prefix="proficio-bench-backup-") as scratch:
        scratch = Path(scratch)
        home = make_home(scratch / "home") if make_home else scratch / "home"
        proficio(home, "demo", "--students", str(students))
        load = Writers(home, writers, scratch / "stop")
        archives, seconds, cp_sound = [], [], 0
        try:
            for number in range(tries):
                archive = scratch / f"backup-{number:02}.tar.gz"
                began = time.perf_counter()
                proficio(home, "backup", str(archive))
                seconds.append(time.perf_counter() - began)
                archives.append(archive)
                cp_sound += copy_with_cp_is_sound(home, scratch / f"cp-{number:02}")
        finally:
            written = load.stop()
        sound = sum(archive_database_is_sound(archive, scratch / "check") for archive in archives)
        restored = scratch / "restored"
        proficio(restored, "restore", str(archives[-1]))
        comparison = compare_restored(home, restored, archives[-1], scratch / "check")
        return {
            "writers": writers,
            "tries": tries,
            "students": students,
            "ratings_written_meanwhile": written["ratings"],
            "writer_lock_timeouts_retried": written["lock_timeouts"],
            "writer_errors": written["errors"],
            "backups_passing_integrity_check": sound,
            "copy_with_cp_passing_integrity_check": cp_sound,
            "backup_seconds": {
                "median": round(statistics.median(seconds), 2),
                "max": round(max(seconds), 2),
            },
            **comparison,
        }


def proficio(home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the `proficio` command on a SQLite `home`; fail loudly if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "proficio.cli", *args],
        env=home_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"proficio {' '.join(args)} failed:\n{result.stderr}")
    return result


def home_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROFICIO_", "DJANGO_"))}
    return {**env, "PROFICIO_HOME": str(home)}


class Writers:
    """The writers' process: started at once, running until `stop`."""

    def __init__(self, home: Path, writers: int, stop_file: Path):
        self.stop_file = stop_file
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.backup_under_load",
                "write",
                str(writers),
                str(stop_file),
            ],
            cwd=REPOSITORY,
            env=home_env(home),
            stdout=subprocess.PIPE,
            text=True,
        )
        # "writing" is printed once every writer has rated once; Django may print before it.
        for line in self.process.stdout:
            if line.strip() == "writing":
                return
        self.process.wait()
        raise RuntimeError("the writers stopped before they all wrote")

    def stop(self) -> dict:
        self.stop_file.touch()
        output, _ = self.process.communicate(timeout=120)
        return json.loads(output)


def write(writers: int, stop_file: Path) -> None:
    """Each of `writers` threads rates the demo teacher's students until `stop_file` exists."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proficio.config.settings")
    import django

    django.setup()
    from django.db import OperationalError, connection
    from django.utils import timezone

    from proficio.frameworks.api import competencies_visible_to
    from proficio.mastery.api import evidence_record
    from proficio.people.api import Person, students_served_by

    teacher = Person.objects.get(username="teacher")
    students = list(students_served_by(teacher).order_by("pk"))
    competencies = list(competencies_visible_to(teacher).order_by("pk"))
    ratings = [0] * writers
    lock_timeouts = [0] * writers
    errors: list[str] = []
    started = threading.Barrier(writers + 1)

    def client(number: int) -> None:
        try:
            # Each client rates at least once (the start waits for all of them), then until told.
            while not (ratings[number] and stop_file.exists()):
                competency = competencies[(number + ratings[number]) % len(competencies)]
                levels = (competency.scale or competency.framework.scale).levels.all()
                try:
                    evidence_record(
                        assessor=teacher,
                        student=students[number % len(students)],
                        competency=competency,
                        stage=1,
                        level=levels[ratings[number] % len(levels)].value,
                        observed_at=timezone.now(),
                        source="observation",
                    )
                except OperationalError as error:
                    # Waited out the busy timeout: counted, and the client tries again (as a
                    # person would), so the load stays at `writers` for the whole run.
                    if "locked" not in str(error):
                        raise
                    lock_timeouts[number] += 1
                    continue
                ratings[number] += 1
                if ratings[number] == 1:
                    started.wait()
        except Exception as error:  # counted and reported: a lost write is what we measure
            errors.append(repr(error))
            started.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    started.wait()
    print("writing", flush=True)
    for thread in threads:
        thread.join()
    print(
        json.dumps({"ratings": sum(ratings), "lock_timeouts": sum(lock_timeouts), "errors": errors})
    )


def archive_database_is_sound(archive: Path, scratch: Path) -> bool:
    """Unpack and check the archive (checksums, manifest); does its database pass
    `PRAGMA integrity_check`?"""
    from proficio.backup.archive import archive_unpack

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    manifest = archive_unpack(archive, scratch)
    with closing(sqlite3.connect(scratch / manifest.database_member)) as db:
        return db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def copy_with_cp_is_sound(home: Path, copy: Path) -> bool:
    """Copy the live home file by file (`cp -r`); does its database pass the check?"""
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("backups"))
    try:
        with closing(sqlite3.connect(copy / "proficio.sqlite3")) as db:
            return db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except sqlite3.DatabaseError:
        return False
    finally:
        shutil.rmtree(copy)


def compare_restored(source: Path, restored: Path, archive: Path, scratch: Path) -> dict:
    """The restored home against the archive's manifest and the source home's rows."""
    from proficio.backup.archive import archive_unpack

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    manifest = archive_unpack(archive, scratch)
    with (
        closing(sqlite3.connect(source / "proficio.sqlite3")) as live,
        closing(sqlite3.connect(restored / "proficio.sqlite3")) as copy,
    ):
        counts = {table: _count(copy, table) for table in manifest.row_counts}
        prefixes_match = all(
            _rows_up_to(copy, table, last) == _rows_up_to(live, table, last)
            for table in APPEND_ONLY_TABLES
            if (last := _last_id(copy, table))
        )
        samples_match = all(
            _sampled_rows(copy, table) == _sampled_rows(live, table) for table in SAMPLED_TABLES
        )
    return {
        "rows_in_last_backup": manifest.rows,
        "restored_row_counts_match_manifest": counts == manifest.row_counts,
        "restored_append_only_rows_match_source": prefixes_match,
        "restored_sampled_records_match_source": samples_match,
        "evidence_rows_restored": counts["evidence_evidence"],
    }


def _count(db: sqlite3.Connection, table: str) -> int:
    return db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def _last_id(db: sqlite3.Connection, table: str) -> int:
    return db.execute(f'SELECT max(id) FROM "{table}"').fetchone()[0] or 0


def _rows_up_to(db: sqlite3.Connection, table: str, last_id: int) -> list[tuple]:
    return db.execute(f'SELECT * FROM "{table}" WHERE id <= ? ORDER BY id', [last_id]).fetchall()


def _sampled_rows(db: sqlite3.Connection, table: str) -> list[tuple]:
    """Every seventh row by id: the same rows on both sides, whatever their number."""
    return db.execute(f'SELECT * FROM "{table}" WHERE id % 7 = 0 ORDER BY id').fetchall()


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"]:
        write(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        tries = int(sys.argv[1]) if len(sys.argv) > 1 else TRIES
        students = int(sys.argv[2]) if len(sys.argv) > 2 else STUDENTS
        print(json.dumps(run(tries, students=students), indent=2))
