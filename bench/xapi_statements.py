"""The xAPI store under a practice app's load: 10,000 statements posted in batches of 100
through the whole HTTP stack (credentials, validation, storage, the filters' index, the task
that maps them queued), then turned into evidence as the task worker does; against the same
posts to a district with no rules, which only stores them. Then as deployed: a third
district's posts while a worker process maps beside them, until the last is mapped. Rates in
one run."""

import base64
import json
import multiprocessing
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import connections
from django.test import Client
from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.frameworks.api import (
    LevelSpec,
    StageSpec,
    competency_create,
    framework_create,
    scale_create,
)
from proficio.frameworks.models import CompetencyKind
from proficio.lrs.credentials import credential_create
from proficio.lrs.mapping import statements_map, statements_map_gathered
from proficio.lrs.models import ActivityRule, StatementOutcome
from proficio.lrs.rules import activity_rule_add
from proficio.people.models import Role
from proficio.people.services import district_create, person_create, role_assign, school_create

STATEMENTS = 10_000
BATCH = 100
STUDENTS = 500
QUESTIONS = 40


def _district(name: str, *, mapped: bool):
    district = district_create(name=name)
    school = school_create(district=district, name=f"{name} school")
    scale = scale_create(
        district=district,
        name="Four levels",
        levels=[
            LevelSpec(Decimal(v), label, "#777777", is_mastery=v >= 3)
            for v, label in ((1, "Beginning"), (2, "Developing"), (3, "Proficient"), (4, "Adv"))
        ],
    )
    framework = framework_create(district=district, code="F", title="Fractions", scale=scale)
    competencies = [
        competency_create(
            framework=framework,
            code=f"F{n}",
            title=f"Fractions {n}",
            kind=CompetencyKind.ACADEMIC,
            stages=[StageSpec(label=f"Stage {s}") for s in range(1, 4)],
        )
        for n in range(1, 5)
    ]
    prefix = f"https://{name.lower()}.example.org/"
    for student in range(STUDENTS):
        person = person_create(
            district=district,
            username=f"{name.lower()}-s{student}",
            first_name="S",
            last_name=str(student),
            email=f"s{student}@{name.lower()}.example.org",
        )
        role_assign(person=person, role=Role.STUDENT, district=district, school=school)
    if mapped:
        for index, competency in enumerate(competencies):
            activity_rule_add(
                actor=None,
                district=district,
                activity=f"{prefix}unit{index}/",
                match=ActivityRule.PREFIX,
                verb="",
                competency=competency,
                stage=1,
                met_level=Decimal(3),
                not_met_level=Decimal(1),
                mastery_score=Decimal("0.7"),
            )
    credential, secret = credential_create(actor=None, district=district, name="Bench app")
    token = base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    return district, prefix, token


def _batches(name: str, prefix: str) -> list[str]:
    start = timezone.now() - timedelta(days=30)
    bodies = []
    for first in range(0, STATEMENTS, BATCH):
        batch = []
        for n in range(first, first + BATCH):
            batch.append(
                {
                    "id": str(uuid.uuid4()),
                    "actor": {"mbox": f"mailto:s{n % STUDENTS}@{name.lower()}.example.org"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                    "object": {
                        "id": f"{prefix}unit{n % 4}/q{n % QUESTIONS}",
                        "definition": {"name": {"en-US": f"Question {n % QUESTIONS}"}},
                    },
                    "result": {"score": {"scaled": (n % 10) / 10}, "success": n % 10 >= 7},
                    "timestamp": (start + timedelta(minutes=n)).isoformat(),
                }
            )
        bodies.append(json.dumps(batch))
    return bodies


def _post_both(first: tuple[str, list[str]], second: tuple[str, list[str]]) -> list[float]:
    """Post the two districts' batches in turn, so neither pays alone for the tables' growth;
    the seconds each district's posts took."""
    client = Client()
    spent = [0.0, 0.0]
    for pair in zip(first[1], second[1], strict=True):
        for index, (token, body) in enumerate(zip((first[0], second[0]), pair, strict=True)):
            headers = {
                "HTTP_AUTHORIZATION": f"Basic {token}",
                "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3",
            }
            started = time.perf_counter()
            response = client.post(
                "/xapi/statements", body, content_type="application/json", **headers
            )
            spent[index] += time.perf_counter() - started
            assert response.status_code == 200, response.content[:300]
    return spent


def _worker(district_id: int, expected: int) -> None:
    """The task worker's part, in a process of its own: map whatever is pending until every
    statement the site will be sent is mapped."""
    mapped = 0
    while mapped < expected:
        done = statements_map_gathered(district_id=district_id).statements
        mapped += done
        if not done:
            time.sleep(0.01)


def _with_worker_beside(token: str, bodies: list[str], district_id: int) -> float:
    """Seconds from the first post until the worker, running beside the site as `proficio
    start` runs it, has mapped the last statement."""
    connections.close_all()  # the worker's process opens its own
    worker = multiprocessing.get_context("fork").Process(
        target=_worker, args=(district_id, STATEMENTS)
    )
    started = time.perf_counter()
    worker.start()
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    for body in bodies:
        response = client.post("/xapi/statements", body, content_type="application/json", **headers)
        assert response.status_code == 200, response.content[:300]
    worker.join(300)
    assert worker.exitcode == 0, "the worker failed"
    return time.perf_counter() - started


def run() -> dict:
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host in
    Client().get("/xapi/about")  # the URLs and views imported before any timing
    _, plain_prefix, plain_token = _district("Plain", mapped=False)
    mapped_district, mapped_prefix, mapped_token = _district("Mapped", mapped=True)
    plain_bodies = _batches("Plain", plain_prefix)
    mapped_bodies = _batches("Mapped", mapped_prefix)

    stored_only, posted = _post_both((plain_token, plain_bodies), (mapped_token, mapped_bodies))
    started = time.perf_counter()
    counts = statements_map(district_id=mapped_district.pk)
    mapping = time.perf_counter() - started
    assert counts.statements == STATEMENTS and counts.unmatched == 0, counts
    ratings = Evidence.objects.filter(student__district=mapped_district).count()
    assert ratings == STATEMENTS
    assert not StatementOutcome.objects.filter(state=StatementOutcome.PENDING).exists()

    live_district, live_prefix, live_token = _district("Live", mapped=True)
    beside = _with_worker_beside(live_token, _batches("Live", live_prefix), live_district.pk)
    assert Evidence.objects.filter(student__district=live_district).count() == STATEMENTS
    return {
        "statements": STATEMENTS,
        "batch": BATCH,
        "students": STUDENTS,
        "stored_only_s": round(stored_only, 2),
        "stored_only_per_s": round(STATEMENTS / stored_only),
        "stored_and_mapped_s": round(posted + mapping, 2),
        "of_which_mapping_s": round(mapping, 2),
        "stored_and_mapped_per_s": round(STATEMENTS / (posted + mapping)),
        "mapped_over_stored_only": round((posted + mapping) / stored_only, 2),
        # As deployed: the site takes the posts while the task worker maps, on the other core.
        "with_worker_beside_s": round(beside, 2),
        "with_worker_beside_per_s": round(STATEMENTS / beside),
        "ratings_recorded": ratings,
    }
