"""Forty teachers' ratings at once: none fails, none is lost, none is written twice.

On SQLite the writers share one database file, as they do under `proficio start`: the test
runs them in a child process in a migrated home of its own (pytest-django's SQLite test
database lives in memory, where file locking never happens).
On PostgreSQL they run here, in threads, on the test database.
"""

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

WRITERS = 40
RATINGS_EACH = 2


def rate_at_once(writers: int = WRITERS, ratings_each: int = RATINGS_EACH) -> dict:
    """Build a world with one student per writer, then let every writer rate their student
    `ratings_each` times, all starting together. What happened, counted from the database."""
    from django.db import connections

    from proficio.evidence.models import Evidence
    from proficio.mastery.services import evidence_record
    from proficio.people.models import Role
    from proficio.people.services import section_enroll
    from tests.factories import build_world, make_person

    world = build_world()
    students = []
    for number in range(writers):
        student = make_person(world.district, f"writer{number}", Role.STUDENT, world.school)
        section_enroll(section=world.section, student=student)
        students.append(student)
    connections.close_all()  # each thread opens its own connection

    start = threading.Barrier(writers)
    errors: list[str] = []
    sent: list[str] = []

    def write(student) -> None:
        start.wait()
        try:
            for number in range(ratings_each):
                feedback = f"{student.username} rating {number}"
                evidence_record(
                    assessor=world.teacher,
                    student=student,
                    competency=world.competency,
                    stage=1,
                    level=1 + number % 4,
                    observed_at=timezone.now() - timedelta(minutes=number),
                    source="observation",
                    feedback_present=feedback,
                )
                sent.append(feedback)
        except Exception as error:  # every failure is counted, none stops the others
            errors.append(f"{student.username}: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(student,)) for student in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = list(
        Evidence.objects.filter(student__in=students).values_list("feedback_present", flat=True)
    )
    return {"errors": errors, "sent": sent, "stored": stored}


def _assert_nothing_lost(outcome: dict) -> None:
    assert outcome["errors"] == []
    assert len(outcome["sent"]) == WRITERS * RATINGS_EACH
    # Each rating stored exactly once: none lost, none written twice.
    assert sorted(outcome["stored"]) == sorted(outcome["sent"])


@pytest.mark.db_independent
def test_forty_writers_on_one_sqlite_file(tmp_path: Path, migrated_home):
    home = migrated_home(tmp_path / "home")  # migrated already: the child starts writing
    environment = {**os.environ, "PROFICIO_HOME": str(home)}
    environment.pop("PROFICIO_DATABASE_URL", None)
    root = Path(__file__).resolve().parents[1]
    child = subprocess.run(
        [sys.executable, "-m", "tests.test_concurrency"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    _assert_nothing_lost(json.loads(child.stdout.strip().splitlines()[-1]))


@pytest.mark.django_db(transaction=True)
def test_forty_writers_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the SQLite file is tested in a process of its own")
    _assert_nothing_lost(rate_at_once())


if __name__ == "__main__":
    # The child process of test_forty_writers_on_one_sqlite_file: the writers on the home's
    # database file (migrate only checks that it is up to date), and what happened as one
    # JSON line.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proficio.config.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    # As in every test (tests/conftest.py): the people of the world are made in milliseconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    print(json.dumps(rate_at_once()))
