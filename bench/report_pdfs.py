"""Progress-report PDFs in a batch (issue 16): every student's report of the demo district
written by the background worker into zips, with the progress the page shows, and the
reports a second.

    python -m bench.report_pdfs                       # 500 students: 500 PDFs, JSON
    python -m bench.report_pdfs --students 60         # another size
    python -m bench.report_pdfs --immediate           # in this process, no worker

Done-when (issue 16): 500 progress-report PDFs produced by the background worker with
progress shown. The district is the demo's (`proficio demo --students N`), built once into a
home of this bench's under the temp directory and reused. The district admin (`admin`) asks
for the progress reports of each school, the two batches holding every student once; a real
worker (`proficio manage db_worker --batch`, as `proficio start` runs it, ending when the
queue is empty) writes them, while this process polls each batch's progress through the
page's htmx fragment, as the browser does, every two seconds. A figure is the worker's own
time (the first batch started to the last finished); `wall_s` adds the worker's start.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from bench import pages

SIZE = 500
QUICK_SIZE = 60  # `make bench`'s size
SEED = pages.SEED
POLL_SECONDS = 2.0  # as the page polls a running batch
PROGRESS = re.compile(r'<progress class="run__progress" max="(\d+)" value="(\d+)">')


def home_for(students: int) -> Path:
    return Path(tempfile.gettempdir()) / f"proficio-bench-report-pdfs-{students}-{SEED}"


def _setup(students: int) -> None:
    """Django on the size's home, with its demo district loaded (built the first time)."""
    pages.open_home(home_for(students))
    from proficio.demo import demo_is_loaded, load_demo

    if not demo_is_loaded():
        began = time.perf_counter()
        load_demo(students=students, seed=SEED)
        print(f"built {students} students in {time.perf_counter() - began:.0f} s", file=sys.stderr)


def _worker() -> subprocess.Popen:
    """The background worker as `proficio start` runs it, ending once the queue is empty."""
    command = [sys.executable, "-m", "proficio.cli", "manage", "db_worker", "--no-reload"]
    command += ["--batch", "--interval", "0.2", "--no-startup-delay"]
    return subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL)


def figures(*, worker: bool = True) -> dict[str, object]:
    """Every school's progress reports as the district admin's batches, in the database
    Django is on now (the demo's district loaded): written by a worker process (`worker`), or
    at once in this process by the immediate task backend."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from proficio.evidence.models import Evidence
    from proficio.people.api import schools_administered_by, students_visible_to
    from proficio.people.models import Person
    from proficio.reports.batch import batch_start
    from proficio.reports.models import BatchState, ReportBatch

    admin = Person.objects.get(username="admin")
    schools = list(schools_administered_by(admin))
    backend = "django_tasks_db.DatabaseBackend"
    if not worker:
        backend = "django_tasks.backends.immediate.ImmediateBackend"
    began = time.perf_counter()
    with override_settings(TASKS={"default": {"BACKEND": backend, "QUEUES": ["default"]}}):
        batches = [batch_start(actor=admin, scope=school) for school in schools]
    ids = [batch.pk for batch in batches]
    samples: list[tuple[float, int]] = []
    worker_exit = None
    if worker:
        client = Client()
        client.force_login(admin)
        process = _worker()
        try:
            while True:
                rows = list(ReportBatch.objects.filter(pk__in=ids))
                shown = 0
                for batch in rows:
                    part = client.get(
                        reverse("reports:batch", args=[batch.uuid]), headers={"HX-Request": "true"}
                    ).content.decode()
                    bar = PROGRESS.search(part)
                    shown += int(bar.group(2)) if bar else batch.done + batch.failed
                samples.append((round(time.perf_counter() - began, 2), shown))
                if all(not batch.unfinished for batch in rows):
                    break
                if process.poll() is not None and any(b.state == BatchState.QUEUED for b in rows):
                    raise RuntimeError("The worker ended with a batch still waiting.")
                time.sleep(POLL_SECONDS)
        finally:
            worker_exit = process.wait(timeout=120)
    wall = time.perf_counter() - began
    batches = list(ReportBatch.objects.filter(pk__in=ids).order_by("pk"))
    written = sum(batch.done for batch in batches)
    first = min(batch.started_at for batch in batches)
    last = max(batch.finished_at for batch in batches)
    seconds = (last - first).total_seconds()
    return {
        "students": students_visible_to(admin).count(),
        "evidence": Evidence.objects.count(),
        "mode": "worker" if worker else "immediate",
        "batches": [
            {
                "school": batch.school.name,
                "state": batch.state,
                "total": batch.total,
                "done": batch.done,
                "failed": batch.failed,
                "seconds": round((batch.finished_at - batch.started_at).total_seconds(), 1),
                "zip_mb": round(batch.archive_size / 2**20, 1),
            }
            for batch in batches
        ],
        "pdfs": written,
        "failed": sum(batch.failed for batch in batches),
        "seconds": round(seconds, 1),
        "pdfs_per_second": round(written / seconds, 2) if seconds else None,
        "ms_per_pdf": round(seconds * 1000 / written, 1) if written else None,
        "wall_s": round(wall, 1),
        # What the page showed while the worker wrote: (seconds since asked, reports done).
        "progress_polls": len(samples),
        "progress_shown": [samples[i] for i in _spread(len(samples), 8)],
        "progress_rose": all(a[1] <= b[1] for a, b in pairwise(samples)),
        "worker_exit": worker_exit,
    }


def _spread(count: int, wanted: int) -> list[int]:
    """Up to `wanted` indexes spread over `count` samples, the first and last among them."""
    if count <= wanted:
        return list(range(count))
    return sorted({round(i * (count - 1) / (wanted - 1)) for i in range(wanted)})


def measure(students: int, *, worker: bool = True) -> dict[str, object]:
    """A size's figures in this process, on its home (built the first time)."""
    _setup(students)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host in
    return {"demo_students": students, **figures(worker=worker)}


def _measured_in_child(students: int, *, worker: bool = True) -> dict:
    """A size's figures from its own process: one process is bound to one home's database."""
    command = [sys.executable, "-m", "bench.report_pdfs", "--students", str(students)]
    command += ["--in-process"] + ([] if worker else ["--immediate"])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def run(students: int = QUICK_SIZE) -> dict[str, object]:
    return _measured_in_child(students)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=SIZE)
    parser.add_argument("--immediate", action="store_true", help="no worker: in this process")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        result = measure(args.students, worker=not args.immediate)
    else:
        result = _measured_in_child(args.students, worker=not args.immediate)
    print(json.dumps(result, indent=2))
    print(
        f"{result['pdfs']} progress-report PDFs in {result['seconds']} s "
        f"({result['mode']}): {result['pdfs_per_second']} PDFs/second",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
