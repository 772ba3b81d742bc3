"""Input a tool should never send, and the store's answers to it: a 400 with the reason, never
a 500, nothing stored; a document never runs as a page here; one statement that cannot be
recorded never holds back its district's others."""

import hashlib
import json
from decimal import Decimal

import pytest

from proficio.evidence.models import Evidence, EvidenceSource
from proficio.lrs import mapping
from proficio.lrs.models import ActivityRule, Statement, StatementOutcome
from proficio.lrs.rules import activity_rule_add
from tests.lrs.conftest import statement
from tests.lrs.test_protocol import _attachment, _multipart

pytestmark = pytest.mark.django_db


def _raw(tool, body: str):
    return tool.client.post("/xapi/statements", body, content_type="application/json", **tool.auth)


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(statement()).replace('"scaled": 0.8', '"scaled": NaN'),
        json.dumps(statement(result={"score": {"raw": 10**400}})),
        json.dumps(statement(id="0d7d6c36-5f5c-4d0a-9d36-2a4c77b0a1c2\n")),
        json.dumps(statement(timestamp="0001-01-01T00:00:00+01:00")),
        "[" * 5000 + "]" * 5000,
        json.dumps(statement(object={"id": "http://x.example/a\n"})),
    ],
    ids=["nan", "huge", "uuid-newline", "year-1", "deep", "iri-newline"],
)
def test_a_bad_body_is_400_and_nothing_is_stored(tool, body):
    response = _raw(tool, body)
    assert response.status_code == 400, response.content
    assert "error" in response.json()
    assert not Statement.objects.exists()


def test_queries_refuse_impossible_moments(tool):
    assert tool.get("statements", data={"since": "0001-01-01T00:00+01:00"}).status_code == 400


def test_a_chunked_body_is_411_not_silently_empty(tool):
    response = tool.client.put(
        "/xapi/activities/state?activityId=http://x.example/a&stateId=s&agent="
        + json.dumps({"mbox": "mailto:a@b.example"}),
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **tool.auth,
    )
    assert response.status_code == 411


def test_a_document_stored_as_html_never_runs_as_a_page(tool):
    path = "agents/profile?profileId=p&agent=" + json.dumps({"mbox": "mailto:a@b.example"})
    page = b"<html><script src='/static/proficio/vendor/htmx.min.js'></script></html>"
    tool.put(path, page, content_type="text/html", HTTP_IF_NONE_MATCH="*")
    served = tool.get(path)
    assert served["Content-Disposition"] == "attachment"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"].startswith("sandbox")
    assert "default-src 'none'" in served["Content-Security-Policy"]


def test_an_attachment_is_checked_against_a_sha512_too(tool):
    content = b"bytes"
    digest = hashlib.sha512(content).hexdigest()
    body, content_type = _multipart(
        statement(attachments=[_attachment(content, sha2=digest)]),
        [
            (
                b"other bytes",
                {
                    "Content-Type": "text/plain",
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": digest,
                },
            )
        ],
    )
    response = tool.client.post("/xapi/statements", body, content_type=content_type, **tool.auth)
    assert response.status_code == 400


def test_more_keeps_the_format_of_the_first_page(tool):
    tool.post("statements", [statement(), statement()])
    first = tool.get("statements", data={"format": "ids", "limit": 1}).json()
    second = tool.client.get(first["more"], **tool.auth).json()
    assert "display" not in second["statements"][0]["verb"]


@pytest.fixture
def rule(world):
    world.student.email = "student@example.org"
    world.student.save(update_fields=["email"])
    return activity_rule_add(
        actor=None,
        district=world.district,
        activity="https://fractions.example.org/q/",
        match=ActivityRule.PREFIX,
        verb="",
        competency=world.competency,
        stage=1,
        met_level=Decimal(3),
        not_met_level=Decimal(1),
    )


def _question(number: int, **changes):
    changes.setdefault("actor", {"mbox": "mailto:student@example.org"})
    return statement(object={"id": f"https://fractions.example.org/q/{number}"}, **changes)


def test_a_group_is_no_one_students_evidence(tool, rule):
    group = {"objectType": "Group", "mbox": "mailto:student@example.org"}
    tool.post("statements", _question(1, actor=group))
    outcome = StatementOutcome.objects.get()
    assert outcome.state == "unmatched" and "a group" in outcome.reason


def test_a_statement_whose_rating_fails_is_kept_aside_and_the_others_are_recorded(
    tool, rule, monkeypatch
):
    real = mapping.evidence_record_many

    def failing_on_question_two(*, actor, district_id, drafts):
        if any(draft.artifact_title.endswith("/q/2") for draft in drafts):
            raise RuntimeError("the disk is full")
        return real(actor=actor, district_id=district_id, drafts=drafts)

    monkeypatch.setattr(mapping, "evidence_record_many", failing_on_question_two)
    tool.post("statements", [_question(1), _question(2)])
    states = dict(StatementOutcome.objects.values_list("statement__body", "state").order_by("pk"))
    assert sorted(states.values()) == ["mapped", "unmatched"]
    kept = StatementOutcome.objects.get(state="unmatched")
    assert kept.reason == "Its rating could not be recorded: the disk is full"
    assert Evidence.objects.filter(source=EvidenceSource.EXTERNAL).count() == 1
    assert not StatementOutcome.objects.filter(state="pending").exists()
