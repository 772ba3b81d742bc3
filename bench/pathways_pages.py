"""Today and next steps at district scale (issue 13): each page's median warm time and queries
on the demo district and on one of 5,000 students, with the ratio.

    python -m bench.pathways_pages                     # demo (200) beside 5,000, JSON
    python -m bench.pathways_pages --students 20000    # another large size
    python -m bench.pathways_pages --students 5000 --one-size

Targets (issue 13, done-when): under 100 ms median on the demo district, and within 2× of
that at 5,000 students. Today is the `teacher` login's (/pathways/today/), next steps the
`student` login's own (/pathways/next/).

The districts are the demo's (`proficio demo --students N`), built as `bench.pages` builds
them, once per size into a home of this bench's under the temp directory and reused: the
bench writes into them (playlists, proposals), so it keeps off the other benches' homes. The
demo may write no playlists; when its district has none, the bench has the teacher write a shared
playlist for each of the student's working stages and the student start and finish the first
item of one, so next steps shows playlists with items in each state. Today proposes
advancement for completed courses on its first (cold) call, as it would on a teacher's first
visit of the day; the warm calls measured find the proposals made.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import pages

DEMO_SIZE = pages.DEMO_SIZE
LARGE_SIZE = 5000
SEED = pages.SEED
WARM_RUNS = 11
TARGET_MS = 100.0
RATIO_MAX = 2.0
PAGES = ("today", "next_steps")


def home_for(students: int) -> Path:
    return Path(tempfile.gettempdir()) / f"proficio-bench-pathways-{students}-{SEED}"


def _setup(students: int) -> None:
    """Django on the size's home, with its demo district loaded (built the first time)."""
    pages.open_home(home_for(students))
    from proficio.demo import demo_is_loaded, load_demo

    if not demo_is_loaded():
        began = time.perf_counter()
        load_demo(students=students, seed=SEED)  # one transaction: all or nothing
        print(f"built {students} students in {time.perf_counter() - began:.0f} s", file=sys.stderr)


def pathways_content() -> int:
    """The teacher's shared playlists for the student's working stages, unless the district
    has playlists already; how many playlists the district has."""
    from proficio.mastery.api import students_mastery
    from proficio.pathways.data import ItemDraft, StageRef
    from proficio.pathways.models import Playlist
    from proficio.pathways.selectors import playlists_of_student
    from proficio.pathways.services import item_mark_done, item_start, playlist_create
    from proficio.people.models import Person

    teacher = Person.objects.get(username="teacher")
    student = Person.objects.get(username="student")
    playlists = Playlist.objects.filter(district_id=student.district_id)
    if playlists.exists():
        return playlists.count()
    statuses = students_mastery(students=[student], explained=False)[student.pk]
    working = [status for status in statuses if status.working is not None]
    for n, status in enumerate(working):
        stage = status.working.stage
        # An item that opens on mastery of another competency's working stage.
        other = working[(n + 1) % len(working)]
        playlist_create(
            author=teacher,
            stage=StageRef(status.competency, stage.ordinal),
            title=f"Towards {status.competency.code} stage {stage.ordinal}",
            shared=True,
            items=[
                ItemDraft(kind="reading", title="Read two worked examples", minutes=20),
                ItemDraft(kind="practice", title="Try one yourself", unlock="after_previous"),
                ItemDraft(kind="video", title="Watch a model answer", focus="additional"),
                ItemDraft(
                    kind="workshop",
                    title="Workshop with the teacher",
                    mode="in_person",
                    focus="challenge",
                    unlock="after_mastery",
                    needs=(StageRef(other.competency, other.working.stage.ordinal),),
                ),
            ],
        )
    shown = playlists_of_student(student=student)
    if shown:
        first = shown[0].items[0]
        item_start(student=student, item=first.item, is_open=first.state.open)
        item_mark_done(actor=student, student=student, item=first.item, is_open=True)
    return playlists.count()


def figures(runs: int) -> dict[str, object]:
    """Each page's median warm milliseconds and queries a call, in the database Django is on
    now (the demo's district loaded)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from proficio.evidence.models import Evidence
    from proficio.pathways.models import Advancement
    from proficio.people.api import section_students, sections_taught_by
    from proficio.people.models import Person

    playlists = pathways_content()
    teacher = Person.objects.get(username="teacher")
    student = Person.objects.get(username="student")
    as_teacher, as_student = Client(), Client()
    as_teacher.force_login(teacher)
    as_student.force_login(student)
    calls = {
        "today": lambda: as_teacher.get(reverse("pathways:today")),
        "next_steps": lambda: as_student.get(reverse("pathways:next_steps")),
    }
    taught = {
        each.pk
        for section in sections_taught_by(teacher)
        for each in section_students(user=teacher, section=section)
    }
    result: dict[str, object] = {
        "evidence": Evidence.objects.count(),
        "teacher_students": len(taught),
        "playlists": playlists,
    }
    for name, call in calls.items():
        cold = call()
        if cold.status_code != 200:
            raise RuntimeError(
                f"{name} answered {cold.status_code}: the bench measures pages served"
            )
        times = []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(runs):
                began = time.perf_counter()
                call()
                times.append((time.perf_counter() - began) * 1000)
        result[name] = {
            "ms": round(statistics.median(times), 1),
            "queries": len(queries) // runs,
            "kb": round(len(cold.content) / 1024, 1),
        }
    result["open_advancements"] = Advancement.objects.filter(
        student_id__in=taught, decision=""
    ).count()
    return result


def measure(students: int, runs: int) -> dict[str, object]:
    """A size's figures in this process, on its home (built the first time)."""
    _setup(students)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host in
    return {"students": students, **figures(runs)}


def _measured_in_child(students: int, runs: int) -> dict:
    """A size's figures from its own process: one process is bound to one home's database."""
    command = [sys.executable, "-m", "bench.pathways_pages", "--students", str(students)]
    command += ["--runs", str(runs), "--one-size"]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def judged(demo: dict, large: dict) -> dict[str, object]:
    """The two sizes side by side, each page's ratio and whether it meets the targets."""
    result: dict[str, object] = {
        "demo_students": demo["students"],
        "students": large["students"],
        "demo_evidence": demo["evidence"],
        "evidence": large["evidence"],
        "demo_teacher_students": demo["teacher_students"],
        "teacher_students": large["teacher_students"],
    }
    for name in PAGES:
        base, scaled = demo[name], large[name]
        ratio = round(scaled["ms"] / base["ms"], 2) if base["ms"] else None
        result[name] = {
            "demo_ms": base["ms"],
            "ms": scaled["ms"],
            "ratio": ratio,
            "demo_queries": base["queries"],
            "queries": scaled["queries"],
            "demo_kb": base["kb"],
            "kb": scaled["kb"],
            "under_100_ms_on_demo": base["ms"] < TARGET_MS,
            "ratio_within_2": ratio is not None and ratio <= RATIO_MAX,
        }
    result["passed"] = all(
        result[name]["under_100_ms_on_demo"] and result[name]["ratio_within_2"] for name in PAGES
    )
    return result


def compare(students: int = LARGE_SIZE, runs: int = WARM_RUNS) -> dict[str, object]:
    return judged(_measured_in_child(DEMO_SIZE, runs), _measured_in_child(students, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=LARGE_SIZE)
    parser.add_argument("--runs", type=int, default=WARM_RUNS, help="warm runs per page")
    parser.add_argument("--one-size", action="store_true", help="this size only, no demo")
    args = parser.parse_args()
    if args.one_size:
        result = measure(args.students, args.runs)
    else:
        result = compare(args.students, args.runs)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
