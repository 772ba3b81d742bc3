"""Real practice data through the store: the first thousand ASSISTments skill-builder
responses (23 students, 52 skills; ../shared/testdata/responses) sent as a practice app's
xAPI statements in batches of 100, each skill mapped to a competency. Every response becomes
exactly one rating of its student's competency, in order, and none is left pending."""

import csv
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from proficio.evidence.models import Evidence, EvidenceSource
from proficio.lrs.models import ActivityRule, StatementOutcome
from proficio.lrs.rules import activity_rule_add
from proficio.mastery.models import MasteryRecord
from proficio.people.models import Role
from tests.factories import make_competency, make_person

pytestmark = pytest.mark.django_db
RESPONSES = 1000
APP = "https://assistments.example.org/skill/"


def _responses(testdata: Path) -> list[dict]:
    path = testdata / "responses" / "assistments-builder-train.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [row for _, row in zip(range(RESPONSES), csv.DictReader(file), strict=False)]


def test_a_thousand_real_responses_become_a_thousand_ratings_in_order(world, tool, testdata):
    responses = _responses(testdata)
    students = {}
    for user in sorted({row["user_id"] for row in responses}):
        student = make_person(world.district, f"assist{user}", Role.STUDENT, world.school)
        student.email = f"assist{user}@example.org"
        student.save(update_fields=["email"])
        students[user] = student
    competencies = {}
    for skill in sorted({row["skill_name"] for row in responses}):
        competencies[skill] = make_competency(world.framework, f"S{skill}", stages=1)
        activity_rule_add(
            actor=None,
            district=world.district,
            activity=f"{APP}{skill}/",
            match=ActivityRule.PREFIX,
            verb="",
            competency=competencies[skill],
            stage=1,
            met_level=Decimal(3),
            not_met_level=Decimal(1),
        )
    start = timezone.now() - timedelta(days=30)  # a response every ten minutes since
    statements = [
        {
            "actor": {"mbox": f"mailto:assist{row['user_id']}@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": f"{APP}{row['skill_name']}/item/{number}"},
            "result": {"success": row["correct"] == "1"},
            "timestamp": (start + timedelta(minutes=10 * number)).isoformat(),
        }
        for number, row in enumerate(responses)
    ]
    for first in range(0, RESPONSES, 100):
        assert tool.post("statements", statements[first : first + 100]).status_code == 200

    assert StatementOutcome.objects.filter(state="mapped").count() == RESPONSES
    ratings = Evidence.objects.filter(source=EvidenceSource.EXTERNAL)
    assert ratings.count() == RESPONSES
    pairs = Counter((row["user_id"], row["skill_name"]) for row in responses)
    for (user, skill), count in pairs.items():
        record = MasteryRecord.objects.get(
            student=students[user], competency=competencies[skill], stage__ordinal=1
        )
        assert record.evidence_count == count
    first_student = students[responses[0]["user_id"]]
    theirs = [
        (row["skill_name"], Decimal(3) if row["correct"] == "1" else Decimal(1))
        for row in responses
        if row["user_id"] == responses[0]["user_id"]
    ]
    recorded = [
        (rating.competency.code[1:], rating.level)
        for rating in ratings.filter(student=first_student).order_by("observed_at", "pk")
    ]
    assert recorded == theirs
