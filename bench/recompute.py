"""`proficio recompute` end to end on a district of a million ratings, SQLite and PostgreSQL.

Each database gets a fresh home with one district (5,000 students in four schools, ten
competencies of six stages, twenty ratings per student and competency around their working
stage: ties in observed_at, self-assessments, weight-0 ratings and corrections included),
written with raw bulk inserts (not timed). Then `proficio recompute --json` runs three times,
each in its own process, and the figures it prints are kept:

- first: no mastery stored yet, every record and working stage is inserted;
- policy_changed: after a new district policy version, every record is rewritten and its
  old value kept as history;
- unchanged: everything is already current, nothing is written.

`wall_seconds` adds the process start (Python, Django, settings) to the command's own time.
PostgreSQL is measured when PROFICIO_BENCH_POSTGRES_URL names a server, or one answers at
postgres://postgres@127.0.0.1:5432; a scratch database `proficio_bench` is created and dropped.

Run alone with `python -m bench.recompute`.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

STUDENTS = 5_000
SCHOOLS = 4
COMPETENCIES = 10
STAGES = 6
RATINGS_PER_PAIR = 20  # 5,000 × 10 × 20 = 1,000,000 evidence rows
BATCH = 50_000
SCRATCH_DATABASE = "proficio_bench"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"


def run() -> dict:
    results = {"evidence_rows": STUDENTS * COMPETENCIES * RATINGS_PER_PAIR}
    with tempfile.TemporaryDirectory(prefix="proficio-bench-") as home:
        results["sqlite"] = _measure({"PROFICIO_HOME": home})
    server = _postgres_server()
    if server is None:
        results["postgresql"] = "skipped: no PostgreSQL server answered"
        return results
    _psql(server, f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}")
    _psql(server, f"CREATE DATABASE {SCRATCH_DATABASE}")
    try:
        with tempfile.TemporaryDirectory(prefix="proficio-bench-") as home:
            url = f"{server}/{SCRATCH_DATABASE}"
            results["postgresql"] = _measure({"PROFICIO_HOME": home, "PROFICIO_DATABASE_URL": url})
    finally:
        _psql(server, f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}")
    return results


def _measure(env: dict[str, str]) -> dict:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PROFICIO_", "DJANGO_"))},
        **env,
    }
    started = time.perf_counter()
    _python(environment, "-m", "bench.recompute", "generate")
    figures = {"setup_seconds": round(time.perf_counter() - started, 1)}
    figures["first"] = _recompute(environment)
    _python(environment, "-m", "bench.recompute", "change-policy")
    figures["policy_changed"] = _recompute(environment)
    figures["unchanged"] = _recompute(environment)
    return figures


def _recompute(environment: dict[str, str]) -> dict:
    started = time.perf_counter()
    output = _python(environment, "-m", "proficio.cli", "recompute", "--json")
    figures = json.loads(output.splitlines()[-1])
    figures["wall_seconds"] = round(time.perf_counter() - started, 3)
    figures["wall_rows_per_second"] = round(figures["evidence_rows"] / figures["wall_seconds"])
    return figures


def _python(environment: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        env=environment,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _postgres_server() -> str | None:
    server = os.environ.get("PROFICIO_BENCH_POSTGRES_URL", LOCAL_POSTGRES).rstrip("/")
    try:
        _psql(server, "SELECT 1")
    except (OSError, RuntimeError):
        return None
    return server


def _psql(server: str, statement: str) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as db:
            db.execute(statement)
    except psycopg.Error as failure:
        raise RuntimeError(str(failure)) from failure


# ---- run inside a prepared home (python -m bench.recompute generate | change-policy) --------


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "proficio.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate() -> None:
    """One district of a million ratings, written fast: services for the small things,
    raw bulk inserts for people and evidence."""
    from django.db import connection, transaction

    from proficio.evidence.models import Evidence
    from proficio.frameworks.api import (
        LevelSpec,
        StageSpec,
        competency_create,
        framework_create,
        scale_create,
    )
    from proficio.frameworks.models import CompetencyKind
    from proficio.people.models import Person, Role, RoleAssignment
    from proficio.people.services import district_create, school_create

    rng = np.random.default_rng(2026)
    with transaction.atomic():
        district = district_create(name="Bench district")
        schools = [school_create(district=district, name=f"School {n}") for n in range(SCHOOLS)]
        scale = scale_create(
            district=district,
            name="Four levels",
            levels=[
                LevelSpec(1, "Beginning", "#c62828"),
                LevelSpec(2, "Developing", "#ef6c00"),
                LevelSpec(3, "Proficient", "#2e7d32", is_mastery=True),
                LevelSpec(4, "Advanced", "#1565c0", is_mastery=True),
            ],
        )
        framework = framework_create(district=district, code="B", title="Bench", scale=scale)
        competencies = [
            competency_create(
                framework=framework,
                code=f"B{n}",
                title=f"Bench competency {n}",
                kind=CompetencyKind.ACADEMIC,
                stages=[StageSpec(label=f"Stage {s}") for s in range(1, STAGES + 1)],
            )
            for n in range(1, COMPETENCIES + 1)
        ]
        Person.objects.bulk_create(
            Person(username=f"s{n}", first_name="S", last_name=str(n), district=district)
            for n in range(STUDENTS)
        )
        students = list(
            Person.objects.filter(district=district).order_by("pk").values_list("pk", flat=True)
        )
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                person_id=pk, role=Role.STUDENT, district=district, school=schools[n % SCHOOLS]
            )
            for n, pk in enumerate(students)
        )
        stage_ids = np.array(
            [[s.pk for s in c.stages.order_by("ordinal")] for c in competencies], dtype=np.int64
        )
        rows = _evidence_rows(rng, np.array(students), competencies, stage_ids)
        _insert_evidence(connection, Evidence._meta.db_table, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a load this size


def _evidence_rows(rng, students, competencies, stage_ids) -> dict:
    """Every column of every rating, as arrays, in the order the pairs were worked on."""
    pairs = students.size * len(competencies)
    size = pairs * RATINGS_PER_PAIR
    pair = np.repeat(np.arange(pairs), RATINGS_PER_PAIR)
    competency = pair % len(competencies)
    working = rng.integers(0, STAGES - 1, pairs)[pair]  # each pair works around one stage
    stage = np.minimum(working + rng.integers(0, 2, size), STAGES - 1)
    days = rng.integers(2, 240, size).astype("timedelta64[D]")
    noon = rng.random(size) < 0.5  # half at noon: many ties in observed_at
    seconds = np.where(noon, 12 * 3600, rng.integers(7 * 3600, 17 * 3600, size))
    today = np.datetime64(datetime.now(UTC).date(), "s")
    observed = today - days + seconds.astype("timedelta64[s]")
    recorded = observed + rng.integers(0, 24 * 3600, size).astype("timedelta64[s]")
    ids = np.arange(1, size + 1)
    # About 1% correct the pair's rating just before them.
    corrects = (rng.random(size) < 0.01) & (np.arange(size) % RATINGS_PER_PAIR > 0)
    return {
        "id": ids,
        "uuid": np.array([os.urandom(16).hex() for _ in range(size)]),
        "student_id": students[pair // len(competencies)],
        "competency_id": np.array([c.pk for c in competencies])[competency],
        "stage_id": stage_ids[competency, stage],
        "level": rng.choice([1, 2, 3, 3, 4], size),
        "observed_at": observed,
        "recorded_at": recorded,
        "source": np.where(rng.random(size) < 0.05, "self", "observation"),
        "weight": np.where(rng.random(size) < 0.02, 0, 1),
        "supersedes_id": np.where(corrects, ids - 1, 0),
    }


def _insert_evidence(connection, table: str, rows: dict) -> None:
    columns = [*rows, "feedback_present", "feedback_next", "artifact_url"]
    size = rows["id"].size
    # As Django stores them: UTC, "YYYY-MM-DD HH:MM:SS"; PostgreSQL is told the zone.
    zone = "+00" if connection.vendor == "postgresql" else ""
    for name in ("observed_at", "recorded_at"):
        rows[name] = np.char.add(np.char.replace(rows[name].astype(str), "T", " "), zone)
    values = [rows[name].tolist() for name in rows] + [[""] * size] * 3
    values[columns.index("supersedes_id")] = [s or None for s in rows["supersedes_id"].tolist()]
    records = list(zip(*values, strict=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {size})")
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        for start in range(0, size, BATCH):
            cursor.executemany(sql, records[start : start + BATCH])


def change_policy() -> None:
    """A new version of the district's policy, saved as policy_change saves it, without
    queueing the background recompute: the timed `proficio recompute` does that work."""
    from django.utils import timezone

    from proficio.mastery.models import MasteryPolicy
    from proficio.people.models import District

    district = District.objects.get(name="Bench district")
    versions = MasteryPolicy.objects.filter(
        district=district, school=None, framework=None, competency=None
    )
    MasteryPolicy.objects.create(
        district=district,
        method="mean",
        minimum_evidence=3,
        threshold=3,
        version=versions.count() + 1,
        effective_from=timezone.localdate(),
    )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        print(json.dumps(run(), indent=2))
    else:
        _setup_django()
        {"generate": generate, "change-policy": change_policy}[command]()
