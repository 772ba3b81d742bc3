"""The school dashboard, its equity view and the class heatmap at district scale (issue 16):
median warm milliseconds and queries a call, on SQLite and PostgreSQL.

    python -m bench.dashboards                        # quick: 1,000 students, 100,000 ratings
    python -m bench.dashboards --students 20000       # district scale: 2,000,000 ratings
    python -m bench.dashboards --students 20000 --postgres

Target (issue 16, done-when): the school dashboard on a district of 20,000 students and
2,000,000 evidence rows answers in under 500 ms median warm, on SQLite and PostgreSQL.

The district: ten schools (a tenth of the students each), ten competencies of six stages
typical for grades 3 to 8, students of age-grades 3 to 8 with demographics, and ten ratings
per student and competency (so 100 ratings a student): the stage below the one worked at
rated at mastery first, then the working stage, growing for most students and flat or
falling for about one pair in twelve (so some are stalled). A few students have a support.
People and ratings are written with bulk inserts (bench/ is outside the app layers), then
mastery is computed by the bulk recompute (`mastery.recompute`), as `proficio recompute`
does — the dashboards read what it stores. Each size's data is built once, into a home
under the temp directory (SQLite) or a scratch database `proficio_bench_dash_<students>`
(PostgreSQL, kept for the next run; `--fresh` builds it again), and reused after.

Measured through the Django test client, each page called once first, then `--runs` times
warm (`ms`: the median; the scope's counts kept, as between two views within
`reports.dashboard.SUMMARY_SECONDS`), then `COUNTED_RUNS` times with the kept counts dropped
before each call (`counted_ms`: the SQL aggregates themselves, what one view in five minutes
pays): the school admin's dashboard of their school (the done-when), the district admin's of
one school and of the whole district, the equity view (by federal race/ethnicity) of the
school and of the district, and the heatmap of the teacher's section of 30 (never kept).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

QUICK_STUDENTS = 1_000
LARGE_STUDENTS = 20_000
SCHOOLS = 10
COMPETENCIES = 10
STAGES = 6
FIRST_GRADE = 3  # stage n is typical for grade FIRST_GRADE + n - 1
RATINGS_PER_PAIR = 10
SECTION_SIZE = 30
SEED = 2026
WARM_RUNS = 11
COUNTED_RUNS = 3
TARGET_MS = 500.0
CHUNK_STUDENTS = 500
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "bench-dashboards-passphrase"
DISTRICT = "Bench district (dashboards)"


def home_for(students: int) -> Path:
    return Path(tempfile.gettempdir()) / f"proficio-bench-dashboards-{students}-{SEED}"


def database_for(students: int) -> str:
    return f"proficio_bench_dash_{students}"


# ---- the district ------------------------------------------------------------------------------


def _built() -> bool:
    from proficio.people.models import District

    return District.objects.filter(name=DISTRICT).exists()


def build(students: int) -> dict[str, float]:
    """The district, its ratings and their mastery; seconds each step took."""
    from django.db import connection, transaction

    from proficio.mastery.data import Scope
    from proficio.mastery.recompute import recompute

    timings: dict[str, float] = {}
    began = time.perf_counter()
    with transaction.atomic():
        district, _schools, student_rows, competencies = _people_and_frameworks(students)
    timings["people_seconds"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    rows = _write_evidence(student_rows, competencies)
    timings["evidence_seconds"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    result = recompute(scope=Scope(district_id=district.pk))
    timings["recompute_seconds"] = round(time.perf_counter() - began, 1)
    _supports(district, student_rows, competencies)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a load this size
    timings["evidence_rows"] = rows
    timings["records_written"] = getattr(result, "records_written", None)
    return timings


def _people_and_frameworks(students: int):
    from proficio.frameworks.api import (
        LevelSpec,
        StageSpec,
        competency_create,
        framework_create,
        scale_create,
    )
    from proficio.frameworks.models import CompetencyKind
    from proficio.people.models import Demographics, Person, Role, RoleAssignment
    from proficio.people.services import (
        district_create,
        person_create,
        role_assign,
        school_create,
        section_create,
        section_enroll,
    )

    rng = random.Random(SEED)
    district = district_create(name=DISTRICT)
    schools = [school_create(district=district, name=f"School {n + 1}") for n in range(SCHOOLS)]
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
    competencies = []
    for n in range(1, COMPETENCIES + 1):
        competency = competency_create(
            framework=framework,
            code=f"B{n}",
            title=f"Bench competency {n}",
            kind=CompetencyKind.ACADEMIC,
            stages=[
                StageSpec(label=f"Stage {s}", typical_grade=FIRST_GRADE + s - 1)
                for s in range(1, STAGES + 1)
            ],
        )
        competencies.append(
            (competency.pk, [stage.pk for stage in competency.stages.order_by("ordinal")])
        )
    first_names = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"]
    Person.objects.bulk_create(
        (
            Person(
                username=f"bench-student-{n}",
                first_name=first_names[n % len(first_names)],
                last_name=f"Student {n:05d}",
                district=district,
                age_grade=FIRST_GRADE + rng.randrange(STAGES),
                password="!",  # cannot sign in
            )
            for n in range(students)
        ),
        batch_size=2000,
    )
    student_rows = list(
        Person.objects.filter(district=district, username__startswith="bench-student-")
        .order_by("pk")
        .values_list("pk", "age_grade")
    )
    RoleAssignment.objects.bulk_create(
        (
            RoleAssignment(
                person_id=pk, role=Role.STUDENT, district=district, school=schools[n % SCHOOLS]
            )
            for n, (pk, _grade) in enumerate(student_rows)
        ),
        batch_size=2000,
    )
    Demographics.objects.bulk_create(
        (_demographics(rng, pk) for pk, _grade in student_rows), batch_size=2000
    )
    school_admin = person_create(
        district=district,
        username="bench-schooladmin",
        first_name="School",
        last_name="Admin",
        password=PASSWORD,
    )
    role_assign(person=school_admin, role=Role.SCHOOL_ADMIN, district=district, school=schools[0])
    district_admin = person_create(
        district=district,
        username="bench-districtadmin",
        first_name="District",
        last_name="Admin",
        password=PASSWORD,
    )
    role_assign(person=district_admin, role=Role.DISTRICT_ADMIN, district=district)
    teacher = person_create(
        district=district,
        username="bench-teacher",
        first_name="Bench",
        last_name="Teacher",
        password=PASSWORD,
    )
    role_assign(person=teacher, role=Role.TEACHER, district=district, school=schools[0])
    section = section_create(school=schools[0], name="Bench studio", teachers=[teacher])
    in_first_school = [pk for n, (pk, _grade) in enumerate(student_rows) if n % SCHOOLS == 0]
    for pk in in_first_school[:SECTION_SIZE]:
        section_enroll(section=section, student=Person.objects.get(pk=pk))
    return district, [school.pk for school in schools], student_rows, competencies


def _demographics(rng: random.Random, person_id: int):
    from proficio.people.models import Demographics

    race = rng.choices(
        [
            "white",
            "black_or_african_american",
            "asian",
            "american_indian_or_alaska_native",
            "native_hawaiian_or_other_pacific_islander",
            "two",
            None,
        ],
        weights=[50, 15, 8, 1.2, 0.4, 5, 3],
    )[0]
    flags = {
        name: (race == name) if race is not None else None
        for name in (
            "white",
            "black_or_african_american",
            "asian",
            "american_indian_or_alaska_native",
            "native_hawaiian_or_other_pacific_islander",
        )
    }
    return Demographics(
        person_id=person_id,
        sex=rng.choices(["female", "male", "other", ""], weights=[49, 49, 0.6, 1.4])[0],
        two_or_more_races=(race == "two") if race is not None else None,
        hispanic_or_latino=rng.random() < 0.27 if rng.random() < 0.97 else None,
        **flags,
    )


def _pair_ratings(rng: random.Random, grade: int) -> list[tuple[int, int, int]]:
    """One student's ten ratings on one competency: (stage index, level, days ago), oldest
    first. The stage worked at sits around the one typical for their grade; the stage below
    it was rated at mastery first (three times: a self-assessment among them does not
    count). At the working stage most students grow (their latest rating the best yet); one
    pair in twelve stays flat, its latest ratings below the best before (stalled)."""
    expected = grade - FIRST_GRADE
    working = expected + rng.choices([-2, -1, 0, 1, 2], weights=[10, 25, 40, 20, 5])[0]
    working = min(max(working, 0), STAGES)  # STAGES: every stage done
    days = sorted(rng.sample(range(1, 231), RATINGS_PER_PAIR), reverse=True)
    if working == STAGES:
        return [(STAGES - 1, rng.choice([3, 4, 4]), day) for day in days]
    at_mastery = 3 if working > 0 else 0
    ratings = [(working - 1, rng.choice([3, 3, 4]), day) for day in days[:at_mastery]]
    count = RATINGS_PER_PAIR - at_mastery
    if rng.random() < 0.08:
        # Flat: rated at 2 before the stall window and three times at 2 or below inside it.
        before = sorted(rng.sample(range(46, 231), RATINGS_PER_PAIR - 3), reverse=True)
        recent = sorted(rng.sample(range(1, 40), 3), reverse=True)
        ratings = [(working - 1, rng.choice([3, 3, 4]), day) for day in before[:at_mastery]]
        ratings.append((working, 2, before[at_mastery]))
        ratings += [(working, rng.choice([1, 2]), day) for day in before[at_mastery + 1 :]]
        return ratings + [(working, rng.choice([1, 2, 2]), day) for day in recent]
    levels = sorted(rng.choice([1, 2, 2, 3]) for _ in range(count - 1))
    ratings += [
        (working, level, day) for level, day in zip([*levels, 3], days[at_mastery:], strict=True)
    ]
    return ratings


def _write_evidence(student_rows: list[tuple[int, int]], competencies) -> int:
    """Every rating, in chunks of students, straight into the evidence table."""
    from django.db import connection, transaction

    from proficio.evidence.models import Evidence

    rng = random.Random(SEED + 1)
    now = datetime.now(UTC).replace(microsecond=0)
    columns = [
        "uuid",
        "student_id",
        "competency_id",
        "stage_id",
        "level",
        "observed_at",
        "recorded_at",
        "source",
        "weight",
        "feedback_present",
        "feedback_next",
        "artifact_url",
        "artifact_title",
        "withdrawn",
        "reason",
    ]
    table = Evidence._meta.db_table
    written = 0
    for start in range(0, len(student_rows), CHUNK_STUDENTS):
        rows = []
        for student_id, grade in student_rows[start : start + CHUNK_STUDENTS]:
            for competency_id, stage_ids in competencies:
                for stage, level, days_ago in _pair_ratings(rng, grade):
                    observed = now - timedelta(days=days_ago, seconds=rng.randrange(8 * 3600))
                    rows.append(
                        (
                            uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                            student_id,
                            competency_id,
                            stage_ids[stage],
                            level,
                            observed,
                            observed + timedelta(hours=rng.randrange(1, 48)),
                            "self" if rng.random() < 0.03 else "observation",
                            1,
                            "",
                            "",
                            "",
                            "",
                            False,
                            "",
                        )
                    )
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [(*row[:5], *(_sqlite_time(t) for t in row[5:7]), *row[7:]) for row in rows],
                )
        written += len(rows)
        print(f"  {written:,} ratings", file=sys.stderr, flush=True)
    return written


def _sqlite_time(moment: datetime) -> str:
    """As Django stores a datetime in SQLite: UTC, "YYYY-MM-DD HH:MM:SS"."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _supports(district, student_rows, competencies) -> None:
    """A support (small group or intervention) for one student in forty: on one competency
    or, for a few, on all."""
    from django.utils import timezone

    from proficio.pathways.models import Support

    rng = random.Random(SEED + 2)
    today = timezone.localdate()
    Support.objects.bulk_create(
        Support(
            student_id=pk,
            kind=rng.choice(["small_group", "intervention", "tutoring"]),
            description="Bench support",
            competency_id=None if rng.random() < 0.2 else rng.choice(competencies)[0],
            starts_on=today - timedelta(days=rng.randrange(5, 90)),
        )
        for pk, _grade in student_rows
        if rng.random() < 0.025
    )


# ---- measuring ---------------------------------------------------------------------------------


def measure(runs: int) -> dict[str, object]:
    """Each page's median warm ms and queries a call, in the database Django is on now."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from proficio.evidence.models import Evidence
    from proficio.mastery.models import MasteryRecord, WorkingStage
    from proficio.people.models import Person, School, Section

    setup_test_environment()  # lets the test client's host in
    school_admin = Person.objects.get(username="bench-schooladmin")
    district_admin = Person.objects.get(username="bench-districtadmin")
    teacher = Person.objects.get(username="bench-teacher")
    school = School.objects.filter(district=school_admin.district).order_by("pk").first()
    section = Section.objects.get(name="Bench studio")
    clients = {}
    for name, person in (("school", school_admin), ("district", district_admin), ("t", teacher)):
        clients[name] = Client()
        clients[name].force_login(person)
    pages = {
        "school_dashboard": (clients["school"], "/reports/dashboard/"),
        "district_admin_school_dashboard": (
            clients["district"],
            f"/reports/dashboard/?school={school.uuid}",
        ),
        "district_dashboard": (clients["district"], "/reports/dashboard/"),
        "school_equity": (clients["school"], "/reports/dashboard/equity/?by=race_ethnicity"),
        "district_equity": (clients["district"], "/reports/dashboard/equity/?by=race_ethnicity"),
        "heatmap": (clients["t"], f"/reports/sections/{section.uuid}/heatmap/"),
    }
    figures: dict[str, object] = {
        "database": connection.vendor,
        "students": Person.objects.filter(username__startswith="bench-student-").count(),
        "evidence": Evidence.objects.count(),
        "mastery_records": MasteryRecord.objects.count(),
        "working_stages": WorkingStage.objects.count(),
    }
    for name, (client, url) in pages.items():
        cold_began = time.perf_counter()
        cold = client.get(url)
        cold_ms = (time.perf_counter() - cold_began) * 1000
        if cold.status_code != 200:
            raise RuntimeError(f"{name} answered {cold.status_code}: the bench measures pages")
        times = []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(runs):
                began = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - began) * 1000)
        # The same page with the scope counted afresh (its kept counts dropped first): the
        # SQL aggregates themselves, what one request in `SUMMARY_SECONDS` pays.
        counted = []
        with CaptureQueriesContext(connection) as counting:
            for _ in range(COUNTED_RUNS):
                cache.clear()
                began = time.perf_counter()
                client.get(url)
                counted.append((time.perf_counter() - began) * 1000)
        figures[name] = {
            "ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "queries": len(queries) // runs,
            "counted_ms": round(statistics.median(counted), 1),
            "counted_queries": len(counting) // COUNTED_RUNS,
            "first_ms": round(cold_ms, 1),
            "kb": round(len(cold.content) / 1024, 1),
        }
    figures["under_500_ms"] = figures["school_dashboard"]["ms"] < TARGET_MS
    return figures


# ---- processes: one database each ------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proficio.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Pages link their static files by the manifest's hashed names, as when served.
    call_command("collectstatic", interactive=False, verbosity=0)


def _in_this_process(students: int, runs: int, *, build_only: bool = False) -> dict[str, object]:
    _django()
    result: dict[str, object] = {}
    if not _built():
        began = time.perf_counter()
        result["build"] = build(students)
        result["build"]["seconds"] = round(time.perf_counter() - began, 1)
        print(f"built in {result['build']['seconds']} s", file=sys.stderr, flush=True)
    return result if build_only else {**result, **measure(runs)}


def _environment(students: int, postgres: str | None) -> dict[str, str]:
    home = home_for(students) if postgres is None else Path(f"{home_for(students)}-postgresql")
    home.mkdir(exist_ok=True)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PROFICIO_", "DJANGO_"))},
        "PROFICIO_HOME": str(home),
    }
    if postgres is not None:
        environment["PROFICIO_DATABASE_URL"] = f"{postgres}/{database_for(students)}"
    return environment


def _postgres_database(server: str, students: int, fresh: bool) -> None:
    import psycopg

    name = database_for(students)
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            db.execute(f"DROP DATABASE {name}")
        if not exists or fresh:
            db.execute(f"CREATE DATABASE {name}")


def run(
    students: int,
    runs: int,
    *,
    postgres: str | None = None,
    fresh: bool = False,
    build_only: bool = False,
) -> dict:
    """One size on one database, built (the first time) and measured in a child process."""
    if postgres is not None:
        _postgres_database(postgres, students, fresh)
    elif fresh:
        for name in ("proficio.sqlite3", "proficio.sqlite3-wal", "proficio.sqlite3-shm"):
            (home_for(students) / name).unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.dashboards", "--students", str(students)]
    command += ["--runs", str(runs), "--child", *(["--build-only"] if build_only else [])]
    done = subprocess.run(
        command,
        env=_environment(students, postgres),
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def quick() -> dict:
    """`make bench`'s size, on SQLite."""
    return run(QUICK_STUDENTS, WARM_RUNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=QUICK_STUDENTS)
    parser.add_argument("--runs", type=int, default=WARM_RUNS, help="warm runs per page")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("PROFICIO_BENCH_POSTGRES_URL", LOCAL_POSTGRES),
        help="measure on PostgreSQL (a server URL; default the local one)",
    )
    parser.add_argument("--fresh", action="store_true", help="build the data again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build-only", action="store_true", help="build the data, measure nothing")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_in_this_process(args.students, args.runs, build_only=args.build_only)))
        return
    result = run(
        args.students,
        args.runs,
        postgres=args.postgres,
        fresh=args.fresh,
        build_only=args.build_only,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
