"""Pages at district scale: each page's warm time at N students beside the demo's size.

    python -m bench.pages --students 2000            # pages, median of warm runs, JSON
    python -m bench.pages --students 2000 --load     # 50 simulated users against `proficio start`

The load mode runs on PostgreSQL with PROFICIO_DATABASE_URL set (the demo is built there once),
keeps one connection per user with --keep-alive, and reports each worker's share of the requests
(from the access log) and of the CPU (from /proc).

Each size's district is the demo's, built once into a home under the temp directory keyed by
its size and seed and reused after. Pages are called by URL through the Django test client
(the load mode over HTTP), so the bench keeps measuring whatever the views become.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DEMO_SIZE = 200
QUICK_SIZE = 400  # `make bench`'s size: a quick run; district scale is --students 20000
SEED = 2026
WARM_RUNS = 5
# The mixed workload of the load mode: page → weight.
WORKLOAD = {"gradebook": 2, "cell_panel": 4, "post_evidence": 1, "student_home": 2, "api": 2}
POLICY_FORM = {
    "scope": "district",
    "method": "highest",
    "minimum_evidence": "1",
    "threshold": "3",
    "higher_implies_lower": "on",
}


def home_for(students: int) -> Path:
    return Path(tempfile.gettempdir()) / f"proficio-bench-pages-{students}-{SEED}"


def open_home(home: Path) -> None:
    """Django on this home, its database migrated and its static files collected."""
    home.mkdir(exist_ok=True)
    os.environ["PROFICIO_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proficio.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Pages link their static files by the manifest's hashed names, as when served.
    call_command("collectstatic", interactive=False, verbosity=0)


def _setup(students: int) -> None:
    """Django on the size's home, with its demo district loaded (built the first time)."""
    open_home(home_for(students))
    from proficio.demo import demo_is_loaded, load_demo

    if not demo_is_loaded():
        began = time.perf_counter()
        load_demo(students=students, seed=SEED)
        print(f"built {students} students in {time.perf_counter() - began:.0f} s", file=sys.stderr)


class _Targets:
    """The demo's fixed people and the objects each page is about."""

    def __init__(self) -> None:
        from proficio.demo import content
        from proficio.frameworks.models import Competency
        from proficio.people.models import Person, Section

        self.teacher = Person.objects.get(username="teacher")
        self.student = Person.objects.get(username="student")
        self.guardian = Person.objects.get(username="guardian")
        self.admin = Person.objects.get(username="admin")
        self.section = Section.objects.get(name=content.TEACHER_SECTION)
        self.competency = Competency.objects.get(code="W1", framework__district=self.admin.district)
        self.classmates = list(
            Person.objects.filter(enrolled_sections=self.section).values_list("uuid", flat=True)
        )

    def evidence_body(self, student_uuid) -> str:
        from django.utils import timezone

        return json.dumps(
            {
                "student": str(student_uuid),
                "competency": str(self.competency.uuid),
                "stage": 2,
                "level": 3,
                "observed_at": timezone.now().isoformat(),
                "source": "task",
                "feedback_present": "Bench rating.",
            }
        )


def _token(person) -> str:
    from proficio.people.services import api_token_issue

    return api_token_issue(person=person)


def measure(students: int, runs: int) -> dict[str, object]:
    """Median warm milliseconds and query count of each page, in this process's home."""
    _setup(students)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from proficio.evidence.models import Evidence

    setup_test_environment()  # lets the test client's host in
    targets = _Targets()
    as_teacher, as_student, as_guardian, as_admin = Client(), Client(), Client(), Client()
    as_teacher.force_login(targets.teacher)
    as_student.force_login(targets.student)
    as_guardian.force_login(targets.guardian)
    as_admin.force_login(targets.admin)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {_token(targets.teacher)}"}
    htmx = {"HTTP_HX_REQUEST": "true"}
    cell = f"/students/{targets.student.uuid}/competencies/{targets.competency.uuid}/"
    pages = {
        "teacher_home": lambda: as_teacher.get("/"),
        "gradebook": lambda: as_teacher.get(f"/sections/{targets.section.uuid}/"),
        "cell_panel": lambda: as_teacher.get(cell, **htmx),
        "student_page": lambda: as_teacher.get(f"/students/{targets.student.uuid}/"),
        "student_home": lambda: as_student.get("/", follow=True),
        "guardian_page": lambda: as_guardian.get("/family/"),
        "mastery_api": lambda: as_teacher.get(
            f"/api/v1/students/{targets.student.uuid}/mastery", **bearer
        ),
        "policy_preview": lambda: as_admin.post(
            "/policies/preview/", POLICY_FORM | {"effective_from": _today()}, **htmx
        ),
        "post_evidence": lambda: as_teacher.post(
            "/api/v1/evidence",
            targets.evidence_body(random.choice(targets.classmates)),
            content_type="application/json",
            **bearer,
        ),
    }
    figures: dict[str, object] = {
        "students": students,
        "evidence": Evidence.objects.count(),
        "section_size": len(targets.classmates),
    }
    for name, page in pages.items():
        status = page().status_code  # the cold run: caches, templates, the first reads
        if status >= 400:
            raise RuntimeError(f"{name} answered {status}: the bench measures only pages served")
        times = []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(runs):
                began = time.perf_counter()
                page()
                times.append((time.perf_counter() - began) * 1000)
        figures[name] = {
            "status": status,
            "ms": round(statistics.median(times), 1),
            "queries": len(queries) // runs,
        }
    return figures


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _measured_in_child(students: int, runs: int) -> dict:
    """A size's figures from its own process: one process is bound to one home's database."""
    command = [sys.executable, "-m", "bench.pages", "--students", str(students)]
    command += ["--runs", str(runs), "--one-size"]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def compare(students: int, runs: int) -> dict[str, object]:
    demo = _measured_in_child(DEMO_SIZE, runs)
    scaled = _measured_in_child(students, runs)
    for name, figure in scaled.items():
        if isinstance(figure, dict):
            base = demo[name]
            figure["demo_ms"] = base["ms"]
            figure["demo_queries"] = base["queries"]
            figure["ratio"] = round(figure["ms"] / base["ms"], 2) if base["ms"] else None
    return {"demo_students": DEMO_SIZE, "demo_evidence": demo["evidence"], **scaled}


def _cpu_seconds(pid: int) -> float:
    """The process's and its children's user + system CPU time, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime
    return total


def _children(pid: int) -> list[int]:
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in path.read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _workers(server_pid: int) -> list[int]:
    """The server's gunicorn workers: its forked children, not the task worker it runs."""
    return [
        pid
        for pid in _children(server_pid)
        if b"db_worker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _own_cpu_seconds(pid: int) -> float:
    """The process's own user + system CPU time (not its children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def _shares(counts: dict[int, float]) -> list[float]:
    """Each worker's part of the total, largest first: [0.5, 0.5] is an even split."""
    total = sum(counts.values())
    return sorted((round(count / total, 2) for count in counts.values()), reverse=True)


def load(
    students: int,
    users: int,
    seconds: float,
    port: int,
    *,
    keep_alive: bool = False,
    workers: int | None = None,
    threads: int | None = None,
) -> dict[str, object]:
    """`users` simulated users, each thinking 0.5–1.5 s between requests, for `seconds`,
    against `proficio start` on 127.0.0.1 over this size's home. With `keep_alive` each user
    keeps one HTTP connection open, as a browser (or Locust) does; without, one per request."""
    _setup(students)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    targets = _Targets()

    def session_for(person) -> str:
        """A signed-in session saved in the home's database, as the server will read it."""
        client = Client()
        client.force_login(person)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    teacher_cookie, student_cookie = session_for(targets.teacher), session_for(targets.student)
    bearer = f"Bearer {_token(targets.teacher)}"
    base = f"http://127.0.0.1:{port}"
    cell = f"/students/{targets.student.uuid}/competencies/{targets.competency.uuid}/"
    requests = {
        "gradebook": lambda: (f"/sections/{targets.section.uuid}/", {"Cookie": teacher_cookie}),
        "cell_panel": lambda: (cell, {"Cookie": teacher_cookie, "HX-Request": "true"}),
        "student_home": lambda: ("/", {"Cookie": student_cookie}),
        "api": lambda: (
            f"/api/v1/students/{targets.student.uuid}/mastery",
            {"Authorization": bearer},
        ),
        "post_evidence": lambda: (
            "/api/v1/evidence",
            {"Authorization": bearer, "Content-Type": "application/json"},
            targets.evidence_body(random.choice(targets.classmates)).encode(),
        ),
    }
    log_path = home_for(students) / "bench-server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "proficio"),
            "start",
            "--port",
            str(port),
            *([] if workers is None else ["--workers", str(workers)]),
            *([] if threads is None else ["--threads", str(threads)]),
        ],
        env=os.environ | {"PROFICIO_HOME": str(home_for(students))},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(base)
        latencies: dict[str, list[float]] = {name: [] for name in WORKLOAD}
        errors: list[str] = []
        lock = threading.Lock()
        worker_pids = _workers(server.pid)
        worker_cpu_before = {pid: _own_cpu_seconds(pid) for pid in worker_pids}
        cpu_before = _cpu_seconds(server.pid)
        log_before = log_path.stat().st_size
        began = time.perf_counter()
        deadline = began + seconds

        def send(connection: http.client.HTTPConnection | None, path, headers, body) -> None:
            if connection is None:
                request = urllib.request.Request(base + path, data=body, headers=headers)
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                return
            connection.request("POST" if body else "GET", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                raise urllib.error.HTTPError(base + path, response.status, "", {}, None)

        def user(seed: int) -> None:
            rng = random.Random(seed)
            names, weights = list(WORKLOAD), list(WORKLOAD.values())
            kept = http.client.HTTPConnection("127.0.0.1", port, timeout=60) if keep_alive else None
            while time.perf_counter() < deadline:
                name = rng.choices(names, weights)[0]
                path, headers, *body = requests[name]()
                sent = time.perf_counter()
                try:
                    send(kept, path, headers, body[0] if body else None)
                    with lock:
                        latencies[name].append((time.perf_counter() - sent) * 1000)
                except (OSError, http.client.HTTPException) as failure:
                    if kept is not None:
                        kept.close()  # the next request opens a new connection
                    with lock:
                        errors.append(f"{name}: {failure!r}")
                time.sleep(rng.uniform(0.5, 1.5))
            if kept is not None:
                kept.close()

        with ThreadPoolExecutor(max_workers=users) as pool:
            list(pool.map(user, range(users)))
        elapsed = time.perf_counter() - began
        cpu = _cpu_seconds(server.pid) - cpu_before
        worker_cpu = {pid: _own_cpu_seconds(pid) - worker_cpu_before[pid] for pid in worker_pids}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # The access log ends each request's line with the pid of the worker that served it.
    served_by = Counter(
        line.rsplit("<", 1)[1].rstrip(">\n")
        for line in log_path.read_bytes()[log_before:].decode().splitlines()
        if line.endswith(">")
    )
    every = [ms for times in latencies.values() for ms in times]
    served = len(every)
    return {
        "students": students,
        "database": connection.vendor,
        "users": users,
        "keep_alive": keep_alive,
        "seconds": round(elapsed, 1),
        "requests": served,
        "errors": len(errors),
        "first_errors": errors[:5],
        "requests_per_second": round(served / elapsed, 1),
        "server_cpu_ms_per_request": round(cpu * 1000 / served, 1) if served else None,
        "p50_ms": _percentile(every, 50),
        "p95_ms": _percentile(every, 95),
        "workers": len(worker_pids),
        "worker_request_shares": _shares(served_by) if served_by else None,
        "worker_cpu_shares": _shares(worker_cpu) if any(worker_cpu.values()) else None,
        "pages": {
            name: {"count": len(times), "p50_ms": _percentile(times, 50)}
            for name, times in latencies.items()
        },
    }


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, len(ordered) * percent // 100)], 1)


def _wait_for(base: str) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("proficio start did not answer within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=QUICK_SIZE)
    parser.add_argument("--runs", type=int, default=WARM_RUNS, help="warm runs per page")
    parser.add_argument("--one-size", action="store_true", help="this size only, no demo")
    parser.add_argument("--load", action="store_true", help="concurrent users over HTTP")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--keep-alive", action="store_true", help="each user keeps one connection open"
    )
    parser.add_argument("--workers", type=int, help="the server's (default: proficio start's)")
    parser.add_argument("--threads", type=int, help="the server's (default: proficio start's)")
    args = parser.parse_args()
    if args.load:
        result = load(
            args.students,
            args.users,
            args.seconds,
            args.port,
            keep_alive=args.keep_alive,
            workers=args.workers,
            threads=args.threads,
        )
    elif args.one_size:
        result = measure(args.students, args.runs)
    else:
        result = compare(args.students, args.runs)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
