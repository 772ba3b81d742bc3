"""The gradebook of a studio of 500 students × 40 competencies beside the demo section's.

    python -m bench.gradebook            # median warm ms and queries of the first screen, JSON

The wide district is the demo's at 3,000 students (six studios of 500) with a framework of
35 more competencies of six stages, each rated four times for every student of the
teacher's studio; built once into a home under the temp directory and reused after. The
demo's is `bench.pages`' 200-student home. Each is measured in its own process, through
the Django test client, as the demo's teacher.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import pages

WIDE_STUDENTS = 3000
EXTRA_COMPETENCIES = 35
RATINGS_EACH = 4


def home_for_wide() -> Path:
    return Path(tempfile.gettempdir()) / f"proficio-bench-gradebook-{WIDE_STUDENTS}x40-{pages.SEED}"


def _setup_wide() -> None:
    pages.open_home(home_for_wide())
    from django.db import transaction

    from proficio.demo import demo_is_loaded, load_demo

    if not demo_is_loaded():
        began = time.perf_counter()
        # One transaction: a build stopped part way leaves an empty home, built again next run.
        with transaction.atomic():
            load_demo(students=WIDE_STUDENTS, seed=pages.SEED)
            _add_competencies()
        print(f"built in {time.perf_counter() - began:.0f} s", file=sys.stderr)


def _add_competencies() -> None:
    """35 competencies more, rated for every student of the teacher's studio, then mastery."""
    from django.utils import timezone

    from proficio.demo import content
    from proficio.evidence.services import EvidenceDraft, evidence_append_many
    from proficio.frameworks.data import StageSpec
    from proficio.frameworks.models import Framework
    from proficio.frameworks.services.authoring import competency_create, framework_create
    from proficio.mastery.data import Scope
    from proficio.mastery.recompute import recompute
    from proficio.people.models import Person, Section

    teacher = Person.objects.get(username="teacher")
    writing = Framework.objects.filter(district=teacher.district).first()
    framework = framework_create(
        district=teacher.district, code="BENCH", title="Bench skills", scale=writing.scale
    )
    competencies = [
        competency_create(
            framework=framework,
            code=f"B{number:02d}",
            title=f"Bench skill {number}",
            kind="skill",
            stages=[StageSpec(f"Stage {stage}", typical_grade=stage + 2) for stage in range(1, 7)],
        )
        for number in range(1, EXTRA_COMPETENCIES + 1)
    ]
    section = Section.objects.get(name=content.TEACHER_SECTION)
    rng = random.Random(pages.SEED)
    now = timezone.now()
    drafts = [
        EvidenceDraft(
            assessor=teacher,
            student=student,
            competency=competency,
            stage=rng.randint(1, 4),
            level=rng.choice([1, 2, 2, 3, 3, 4]),
            observed_at=now - timedelta(days=rng.randint(1, 150), minutes=rng.randint(0, 600)),
            source="observation",
        )
        for student in section.students.all()
        for competency in competencies
        for _ in range(RATINGS_EACH)
    ]
    evidence_append_many(actor=None, district_id=teacher.district_id, drafts=drafts)
    recompute(scope=Scope(district_id=teacher.district_id))


def measure(runs: int) -> dict[str, object]:
    """The teacher's gradebook, first screen: median warm ms, queries, students and columns."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from proficio.demo import content
    from proficio.people.models import Person, Section

    setup_test_environment()
    teacher = Person.objects.get(username="teacher")
    section = Section.objects.get(name=content.TEACHER_SECTION)
    client = Client()
    client.force_login(teacher)
    # Every competency: the bench's 35 stand outside the studio's course targets.
    url = f"/sections/{section.uuid}/?all=1"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    html = response.content.decode()
    return {
        "ms": round(statistics.median(times), 1),
        "queries": len(queries.captured_queries),
        "students_in_section": section.students.count(),
        "cells_shown": html.count('class="cell cell--'),
        "kilobytes": round(len(response.content) / 1024, 1),
    }


def _in_child(which: str, runs: int) -> dict:
    command = [sys.executable, "-m", "bench.gradebook", "--one", which, "--runs", str(runs)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def run(runs: int = pages.WARM_RUNS) -> dict[str, object]:
    demo = _in_child("demo", runs)
    wide = _in_child("wide", runs)
    return {
        "wide": wide,
        "demo": demo,
        "ratio": round(wide["ms"] / demo["ms"], 2) if demo["ms"] else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=pages.WARM_RUNS)
    parser.add_argument("--one", choices=["demo", "wide"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one == "demo":
        pages._setup(pages.DEMO_SIZE)
    elif options.one == "wide":
        _setup_wide()
    else:
        print(json.dumps(run(options.runs), indent=2))
        return
    print(json.dumps(measure(options.runs)))


if __name__ == "__main__":
    main()
