"""A student's 100 MB upload to the API: how much does the server's memory grow?

Issue 12: "a 100 MB upload completes with the server's memory growing by less than 50 MB".
A fresh home gets one district, a teacher, a student in the teacher's section and a task
assigned to it (through the services, in a child process). For each size, `proficio start`
runs as production runs it (gunicorn, its default workers and threads, the task worker beside
it) on that home; small uploads warm every worker up (imports, first queries), then the
student posts a WAV of exactly SIZE MB with text and `submit=true` to
`POST /api/v1/tasks/{id}/submissions`, with the bearer token `POST /api/v1/auth/token` gave.

The body is streamed from a generator with its Content-Length (1 MB of zeros sent again and
again), so the client holds nothing whole. Within the default limits: the largest file is
PROFICIO_MAX_FILE_MB (100), the body at most PROFICIO_MAX_UPLOAD_MB (100) + 1 MB of form
around it; the server's environment sets neither.

Measured on the server's processes through /proc (Linux): each worker's VmRSS just before
the request; during it, a thread reads every process's VmRSS every SAMPLE_SECONDS, and each
process's VmHWM is reset beforehand (`/proc/PID/clear_refs` ← "5") and read after, so a
spike between two samples still counts. The worker that served the request is the one the
access log names; `growth_mb` is its peak less its RSS before. `server_growth_mb` is the
peak of all the server's processes' RSS summed (sampled) less their sum before. `passed`: the
answer is 201, the stored file has the bytes sent (size and SHA-256), and `growth_mb` is under
LIMIT_MB.

Run alone with `python -m bench.upload_memory [SIZE_MB ...]` (default: 100 and 10); it
prints the JSON on stdout and a table on stderr. `setup` is the child that builds the home.
"""

import hashlib
import http.client
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MB = 1024 * 1024
SIZES_MB = (100, 10)
LIMIT_MB = 50  # issue 12: the server may grow by less than this for a 100 MB upload
WARM_UP_MB = 3  # over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the same temporary-file path
WARM_UP_TRIES = 20
SAMPLE_SECONDS = 0.002
USERNAME = "bench-student"
PASSWORD = "a-long-bench-passphrase"
REPOSITORY = Path(__file__).resolve().parents[1]  # where `bench` imports from


def run(sizes_mb: tuple[float, ...] = SIZES_MB) -> dict:
    with tempfile.TemporaryDirectory(prefix="proficio-bench-upload-") as scratch:
        scratch = Path(scratch)
        home = scratch / "home"
        task = _setup_home(home)
        token = None
        uploads = {}
        for size_mb in sizes_mb:
            # A fresh server for each size: one upload's heap does not flatter the next.
            with _serving(home, scratch / f"server-{size_mb}.log") as server:
                token = token or server.token(USERNAME, PASSWORD)
                server.warm_up(task, token)
                uploads[f"{size_mb:g}_mb"] = server.measured_upload(
                    task, token, round(size_mb * MB)
                )
        return {
            "limit_mb": LIMIT_MB,
            "workers": server.workers_count,
            "uploads": uploads,
        }


# The home: built in a child process, as Django is bound to one home per process.


def _setup_home(home: Path) -> str:
    """Build the home's district in a child process; the task's UUID."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.upload_memory", "setup"],
        cwd=REPOSITORY,
        env=_home_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the bench home failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])["task"]


def setup() -> None:
    """In the child: migrate the home and build a district with one task for one student."""
    from decimal import Decimal

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proficio.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from proficio.frameworks.api import (
        CompetencyKind,
        LevelSpec,
        StageSpec,
        competency_create,
        framework_create,
        scale_create,
    )
    from proficio.people.api import (
        Role,
        district_create,
        person_create,
        role_assign,
        school_create,
        section_create,
        section_enroll,
    )
    from proficio.work.api import Alignment, task_assign, task_create

    call_command("migrate", verbosity=0)
    district = district_create(name="Bench district")
    school = school_create(district=district, name="Bench school")
    scale = scale_create(
        district=district,
        name="Four levels",
        levels=[
            LevelSpec(Decimal(value), label, "#777777", is_mastery=value >= 3)
            for value, label in enumerate(("Beginning", "Developing", "Proficient", "Adv"), 1)
        ],
    )
    framework = framework_create(district=district, code="B", title="Bench", scale=scale)
    competency = competency_create(
        framework=framework,
        code="B1",
        title="Reading aloud",
        kind=CompetencyKind.ACADEMIC,
        stages=[StageSpec(label=f"Stage {n}", evidence_statements=["I read."]) for n in (1, 2)],
    )
    people = {}
    for username, role in (("bench-teacher", Role.TEACHER), (USERNAME, Role.STUDENT)):
        people[role] = person_create(
            district=district,
            username=username,
            first_name=username,
            last_name="Bench",
            password=PASSWORD,
        )
        role_assign(person=people[role], role=role, district=district, school=school)
    teacher, student = people[Role.TEACHER], people[Role.STUDENT]
    section = section_create(school=school, name="Bench section", teachers=[teacher])
    section_enroll(section=section, student=student)
    task = task_create(
        author=teacher,
        title="Record yourself reading",
        alignments=[Alignment(competency=competency, stage=1)],
    )
    task_assign(actor=teacher, task=task, section=section)
    print(json.dumps({"task": str(task.uuid)}))


def _home_env(home: Path) -> dict[str, str]:
    """This environment without any PROFICIO_ or DJANGO_ setting: the home's defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROFICIO_", "DJANGO_"))}
    return {**env, "PROFICIO_HOME": str(home)}


# The body: a WAV of exactly `size` bytes, streamed.


def wav_chunks(size: int) -> Iterator[bytes]:
    """A WAV file of `size` bytes (a RIFF header, then silence), 1 MB at a time."""
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)  # PCM, mono, 8 kHz, 8 bit
    header += b"data" + struct.pack("<I", size - len(header) - 8)
    if size < len(header):
        raise ValueError(f"a WAV file is at least {len(header)} bytes")
    yield header
    silence = bytes(MB)
    left = size - len(header)
    while left:
        yield silence[: min(left, MB)]
        left -= min(left, MB)


class Multipart:
    """The form `task_submission_post` takes — text, submit and one file — as a stream of
    chunks whose total length is known before the first is sent."""

    def __init__(self, fields: dict[str, str], file_name: str, file_size: int):
        self.boundary = f"bench-{uuid.uuid4().hex}"
        parts = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        )
        self.head = (
            parts
            + (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{file_name}"\r\nContent-Type: audio/wav\r\n\r\n'
            ).encode()
        )
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.file_size = file_size

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self.head) + self.file_size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        yield from wav_chunks(self.file_size)
        yield self.tail


def wav_sha256(size: int) -> str:
    digest = hashlib.sha256()
    for chunk in wav_chunks(size):
        digest.update(chunk)
    return digest.hexdigest()


# The server and what /proc says of its processes.


class Server:
    def __init__(self, home: Path, port: int, process: subprocess.Popen, log: Path):
        self.home, self.port, self.process, self.log = home, port, process, log
        self.workers = [
            pid for pid in _descendants(process.pid) if b"db_worker" not in _cmdline(pid)
        ]
        self.workers_count = len(self.workers)

    def _request(self, method: str, path: str, body, headers: dict) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def token(self, username: str, password: str) -> str:
        body = json.dumps({"username": username, "password": password}).encode()
        status, answer = self._request(
            "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}
        )
        if status != 200:
            raise RuntimeError(f"no token: {status} {answer[:500]!r}")
        return json.loads(answer)["token"]

    def upload(self, task: str, token: str, size: int, *, check: bool = False) -> dict:
        """Post a WAV of `size` bytes as the student's submitted revision; the answer."""
        form = Multipart({"text": "My reading.", "submit": "true"}, "reading.wav", size)
        status, answer = self._request(
            "POST",
            f"/api/v1/tasks/{task}/submissions",
            iter(form),  # sent chunk by chunk; with a Content-Length, not chunked
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": form.content_type,
                "Content-Length": str(len(form)),
            },
        )
        if check and status != 201:
            raise RuntimeError(f"the upload was refused: {status} {answer[:500]!r}")
        try:
            body = json.loads(answer)
        except ValueError:  # not the API's JSON (a proxy's or server's error page): kept short
            body = {"not_json": answer[:500].decode(errors="replace")}
        return {"status": status, "body": body}

    def warm_up(self, task: str, token: str) -> None:
        """Small uploads until every worker has served one: whichever takes the measured
        upload has imported and run all it needs (connections close after each response,
        so any worker may accept the next)."""
        for _ in range(WARM_UP_TRIES):
            self.upload(task, token, round(WARM_UP_MB * MB), check=True)
            if set(self.workers) <= set(self._served(task)):
                break
        time.sleep(0.5)  # let the warm-ups' temporary files and buffers go

    def measured_upload(self, task: str, token: str, size: int) -> dict:
        processes = [self.process.pid, *_descendants(self.process.pid)]
        posts_before = len(self._served(task))
        before = {pid: _status_kb(pid, "VmRSS") for pid in processes}
        for pid in [*processes, os.getpid()]:
            _reset_peak(pid)
        client_before = _status_kb(os.getpid(), "VmRSS")
        sampler = Sampler(processes)
        sampler.start()
        began = time.perf_counter()
        answer = self.upload(task, token, size)
        seconds = time.perf_counter() - began
        sampler.stop()
        peaks = {pid: max(sampler.peaks[pid], _status_kb(pid, "VmHWM")) for pid in processes}
        client_peak = _status_kb(os.getpid(), "VmHWM")
        served_by = self._served_by(task, posts_before) or max(
            self.workers, key=lambda pid: peaks[pid] - before[pid]
        )
        growth = (peaks[served_by] - before[served_by]) / 1024
        stored = self._stored(answer["body"])
        stored_whole = stored["size"] == size and stored["sha256"] == wav_sha256(size)
        return {
            "upload_mb": round(size / MB, 2),
            "status": answer["status"],
            "seconds": round(seconds, 2),
            "stored_size_mb": round(stored["size"] / MB, 2) if stored["size"] else None,
            "stored_bytes_match": stored_whole,
            "worker_rss_before_mb": round(before[served_by] / 1024, 1),
            "worker_peak_rss_mb": round(peaks[served_by] / 1024, 1),
            "growth_mb": round(growth, 1),
            "growth_per_upload_mb": round(growth * MB / size, 3),
            # Completed (201, the file stored whole) with the worker growing by < LIMIT_MB.
            "passed": answer["status"] == 201 and stored_whole and growth < LIMIT_MB,
            "server_rss_before_mb": round(sum(before.values()) / 1024, 1),
            "server_peak_rss_mb": round(sampler.peak_sum / 1024, 1),
            "server_growth_mb": round((sampler.peak_sum - sum(before.values())) / 1024, 1),
            "client_growth_mb": round((client_peak - client_before) / 1024, 1),
            "rss_samples": sampler.samples,
            **({} if answer["status"] == 201 else {"answer": answer["body"]}),
        }

    def _served(self, task: str) -> list[int]:
        """The workers the access log names for the posts of submissions to `task`, in turn."""
        said = self.log.read_text()
        pattern = rf'"POST /api/v1/tasks/{task}/submissions HTTP/1.1" \d+ .* <(\d+)>$'
        return [int(pid) for pid in re.findall(pattern, said, re.M)]

    def _served_by(self, task: str, posts_before: int) -> int | None:
        """The worker that served the post after the first `posts_before`."""
        for _ in range(50):  # the log line is written just after the response
            served = self._served(task)
            if len(served) > posts_before and served[posts_before] in self.workers:
                return served[posts_before]
            time.sleep(0.1)
        return None

    def _stored(self, answer: dict) -> dict:
        if not answer.get("files"):
            return {"size": None, "sha256": None}
        [kept] = answer["files"]
        path = self.home / "media" / "work" / kept["id"]
        digest = hashlib.sha256()
        with path.open("rb") as stored:
            while chunk := stored.read(MB):
                digest.update(chunk)
        return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


class Sampler(threading.Thread):
    """Reads each process's VmRSS every SAMPLE_SECONDS: each one's peak, and the peak of
    their sum."""

    def __init__(self, processes: list[int]):
        super().__init__(daemon=True)
        self.processes = processes
        self.peaks = dict.fromkeys(processes, 0)
        self.peak_sum = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for pid in self.processes:
                rss = _status_kb(pid, "VmRSS")
                self.peaks[pid] = max(self.peaks[pid], rss)
                total += rss
            self.peak_sum = max(self.peak_sum, total)
            self.samples += 1
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> None:
        self.done.set()
        self.join()


def _status_kb(pid: int, field: str) -> int:
    """A kB figure of /proc/PID/status (VmRSS, VmHWM); 0 for a process gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB$", status, re.M)
    return int(found[1]) if found else 0


def _reset_peak(pid: int) -> None:
    """Set the process's VmHWM back to its present RSS (Linux 4.0 and later)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _descendants(pid: int) -> list[int]:
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in path.read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serving(home: Path, log: Path) -> Iterator[Server]:
    """`proficio start` with its defaults on a free port, stopped (TERM) on leaving."""
    port = _free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "proficio.cli", "start", "--port", str(port)],
            cwd=REPOSITORY,
            env=_home_env(home),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(log, process)
            yield Server(home, port, process, log)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _wait_until_ready(log: Path, process: subprocess.Popen) -> None:
    """Until every worker has booted (gunicorn says so once each) and the task worker runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        said = log.read_text()
        if process.poll() is not None:
            raise RuntimeError(f"proficio start ended:\n{said}")
        booted = len(re.findall(r"Booting worker with pid", said))
        workers = [p for p in _descendants(process.pid) if b"db_worker" not in _cmdline(p)]
        if "Proficio is running at" in said and booted and len(workers) >= booted:
            time.sleep(1)  # the workers load the application after they are forked
            return
        time.sleep(0.2)
    raise RuntimeError(f"proficio start did not answer within two minutes:\n{log.read_text()}")


def table(result: dict) -> str:
    rows = [
        (
            "upload",
            "status",
            "RSS before",
            "peak RSS",
            "growth",
            "growth/upload",
            f"< {LIMIT_MB} MB",
        )
    ]
    for figures in result["uploads"].values():
        rows.append(
            (
                f"{figures['upload_mb']:g} MB",
                str(figures["status"]),
                f"{figures['worker_rss_before_mb']} MB",
                f"{figures['worker_peak_rss_mb']} MB",
                f"{figures['growth_mb']} MB",
                f"{figures['growth_per_upload_mb']}",
                "pass" if figures["passed"] else "FAIL",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        setup()
    else:
        sizes = tuple(float(size) for size in sys.argv[1:]) or SIZES_MB
        measured = run(sizes)
        print(json.dumps(measured, indent=2))
        print(table(measured), file=sys.stderr)
