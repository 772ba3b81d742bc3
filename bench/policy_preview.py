"""The policy page's preview on a district of a million ratings (SQLite): how long the
browser waits for its first answer in the request, and in the background.

The district is bench.recompute's (5,000 students, ten competencies, twenty ratings per
student and competency), written with raw bulk inserts (not timed), in a fresh home. Then,
with the test client as a district admin previewing a new district policy:

- in_request: the threshold raised above the district, the preview worked out in the request
  (as every preview was before PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS);
- background: the default threshold; first_answer is the POST that queues the preview and
  answers with its progress bar, worker the task's run (in this process), poll one GET of the
  finished preview as the page asks for it.

Each figure is the median of TRIES, in ms, with the queries of one request.

Run alone with `python -m bench.policy_preview`.
"""

import json
import os
import statistics
import sys
import tempfile
import time

from bench.recompute import _python

TRIES = 5


def run() -> dict:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PROFICIO_", "DJANGO_"))},
    }
    with tempfile.TemporaryDirectory(prefix="proficio-bench-") as home:
        environment["PROFICIO_HOME"] = home
        _python(environment, "-m", "bench.recompute", "generate")
        return json.loads(_python(environment, "-m", "bench.policy_preview", "measure"))


def measure() -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from proficio.evidence.models import Evidence
    from proficio.mastery.models import PolicyPreviewRun
    from proficio.mastery.services import policy_preview_execute
    from proficio.people.models import District, Person, Role, RoleAssignment

    district = District.objects.get(name="Bench district")
    admin = Person.objects.create(username="bench-admin", district=district)
    RoleAssignment.objects.create(person=admin, role=Role.DISTRICT_ADMIN, district=district)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(admin)
    draft = {
        "scope": "district",
        "method": "highest",
        "minimum_evidence": "1",
        "threshold": "3",
        "higher_implies_lower": "on",
        "effective_from": timezone.localdate().isoformat(),
    }

    def timed(request) -> tuple[float, int, object]:
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = request()
            elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed, len(queries), response

    def preview():
        return client.post(reverse("mastery:policy_preview"), draft, HTTP_HX_REQUEST="true")

    figures: dict[str, object] = {"evidence_rows": Evidence.objects.count()}
    default_threshold = settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS
    settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS = figures["evidence_rows"] + 1
    in_request = [timed(preview) for _ in range(TRIES)]
    figures["in_request"] = _summary(in_request)

    settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS = default_threshold
    figures["threshold_rows"] = default_threshold
    first, worker, poll = [], [], []
    for _ in range(TRIES):
        first.append(timed(preview))
        run = PolicyPreviewRun.objects.latest("created_at")
        began = time.perf_counter()
        policy_preview_execute(preview_id=run.pk)
        worker.append((time.perf_counter() - began) * 1000)
        url = reverse("mastery:policy_preview_run", args=[run.uuid])
        poll.append(timed(lambda url=url: client.get(url)))
    figures["background"] = {
        "first_answer": _summary(first),
        "worker_ms": round(statistics.median(worker), 1),
        "poll_when_done": _summary(poll),
    }
    figures["first_answer_vs_in_request"] = round(
        figures["background"]["first_answer"]["median_ms"] / figures["in_request"]["median_ms"], 3
    )
    return figures


def _summary(timings: list[tuple[float, int, object]]) -> dict:
    return {
        "median_ms": round(statistics.median(t for t, _, _ in timings), 1),
        "queries": timings[-1][1],
        "bytes": len(timings[-1][2].content),
    }


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        print(json.dumps(run(), indent=2))
    else:
        from bench.recompute import _setup_django

        _setup_django()
        print(json.dumps(measure()))
