"""Statements become evidence through the district's rules (issue 17, item 2): a practice app's
statements move a student's mastery with ratings that name the app; a statement about someone
who is no student here is kept and listed with the reason; cmi5's masteryScore is honoured."""

from decimal import Decimal

import pytest
from django.test import Client

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.lib.errors import InvalidInput
from proficio.lrs.mapping import statements_map
from proficio.lrs.models import ActivityRule, Credential, StatementOutcome
from proficio.lrs.rules import activity_rule_add
from proficio.mastery.models import MasteryRecord
from tests.lrs.conftest import statement

pytestmark = pytest.mark.django_db
QUESTIONS = "https://fractions.example.org/q/"


@pytest.fixture
def rule(world):
    world.student.email = "student@example.org"
    world.student.save(update_fields=["email"])
    return activity_rule_add(
        actor=world.district_admin,
        district=world.district,
        activity=QUESTIONS,
        match=ActivityRule.PREFIX,
        verb="",
        competency=world.competency,
        stage=1,
        met_level=Decimal(3),
        not_met_level=Decimal(1),
        mastery_score=Decimal("0.7"),
    )


def _answered(scaled: float, *, who: str = "mailto:student@example.org", number: int = 1, **more):
    return statement(
        actor={"mbox": who},
        object={
            "id": f"{QUESTIONS}{number}",
            "definition": {"name": {"en-US": f"Question {number}"}},
        },
        result={"score": {"scaled": scaled}},
        **more,
    )


def test_a_practice_apps_statements_move_mastery_with_ratings_that_name_the_app(tool, rule, world):
    response = tool.post("statements", [_answered(0.9, number=n) for n in range(1, 5)])
    assert response.status_code == 200
    ratings = Evidence.objects.filter(student=world.student, source=EvidenceSource.EXTERNAL)
    assert ratings.count() == 4
    assert {rating.level for rating in ratings} == {Decimal(3)}
    first = ratings.order_by("pk").first()
    assert first.artifact_title == "Fraction Quest · Question 1"
    assert (
        "Fraction Quest reported that the student answered “Question 1”" in first.feedback_present
    )
    assert "scored 90% (the mastery score is 70%)" in first.feedback_present
    assert MasteryRecord.objects.get(student=world.student, stage__ordinal=1).mastered
    assert set(StatementOutcome.objects.values_list("state", flat=True)) == {"mapped"}
    client = Client()
    client.force_login(world.teacher)
    page = client.get(f"/students/{world.student.uuid}/competencies/{world.competency.uuid}/")
    assert "Fraction Quest" in page.content.decode()


def test_a_statement_about_someone_who_is_no_student_is_kept_and_listed(tool, rule, world):
    tool.post("statements", _answered(0.9, who="mailto:visitor@example.org"))
    outcome = StatementOutcome.objects.get()
    assert outcome.state == "unmatched"
    assert outcome.reason == "No student of the district is visitor@example.org."
    assert not Evidence.objects.filter(source=EvidenceSource.EXTERNAL).exists()
    client = Client()
    client.force_login(world.district_admin)
    page = client.get("/lrs/mapping/").content.decode()
    assert "visitor@example.org" in page and "No student of the district" in page


def test_cmi5s_mastery_score_wins_over_the_rules_and_below_it_is_the_lower_level(tool, rule, world):
    cmi5 = {"extensions": {"https://w3id.org/xapi/cmi5/context/extensions/masteryscore": 0.95}}
    tool.post("statements", _answered(0.9, context=cmi5))
    rating = Evidence.objects.get(source=EvidenceSource.EXTERNAL)
    assert rating.level == Decimal(1)
    assert "the course's mastery score is 95%" in rating.feedback_present


def test_a_statement_matched_by_no_rule_is_stored_and_left_alone(tool, rule):
    other = statement(object={"id": "https://maps.example.org/level/1"})
    assert tool.post("statements", other).status_code == 200
    assert not StatementOutcome.objects.exists()


def test_an_account_names_the_student_by_username_and_a_result_without_score_is_read(
    tool, rule, world
):
    actor = {"account": {"homePage": "https://sis.example.org", "name": "student"}}
    elsewhere = {"account": {"homePage": "https://game.example.org", "name": "student"}}
    tool.post("statements", statement(actor=actor, object={"id": f"{QUESTIONS}6"}))
    outcome = StatementOutcome.objects.get()  # the tool named no home page for its accounts
    assert outcome.state == "unmatched" and "name no student" in outcome.reason
    Credential.objects.filter(key=tool.key).update(account_home_page="https://sis.example.org/")
    tool.post("statements", statement(actor=elsewhere, object={"id": f"{QUESTIONS}9"}))
    assert "Accounts of https://game.example.org" in StatementOutcome.objects.last().reason
    tool.post(
        "statements",
        statement(actor=actor, object={"id": f"{QUESTIONS}7"}, result={"success": False}),
    )
    rating = Evidence.objects.get(source=EvidenceSource.EXTERNAL)
    assert rating.level == Decimal(1) and "did not succeed" in rating.feedback_present
    tool.post("statements", statement(actor=actor, object={"id": f"{QUESTIONS}8"}, result={}))
    outcome = StatementOutcome.objects.order_by("-pk").first()
    assert outcome.state == "unmatched" and "no score, success or completion" in outcome.reason


def test_another_districts_statements_never_reach_this_districts_students(other_tool, rule):
    other_tool.post("statements", _answered(0.9))
    assert statements_map(district_id=rule.district_id).statements == 0
    assert not Evidence.objects.filter(source=EvidenceSource.EXTERNAL).exists()


def test_a_rule_is_checked_against_the_competencys_stages_and_scale(world):
    with pytest.raises(InvalidInput) as refused:
        activity_rule_add(
            actor=None,
            district=world.district,
            activity="not an iri",
            match=ActivityRule.EXACT,
            verb="",
            competency=world.competency,
            stage=9,
            met_level=Decimal(7),
        )
    assert set(refused.value.errors) == {"activity", "stage", "met_level"}


def test_an_admin_adds_and_removes_a_rule_on_the_page_and_no_one_else_opens_it(world, tool):
    tool.post("statements", statement(object={"id": "https://maps.example.org/level/1"}))
    client = Client()
    client.force_login(world.district_admin)
    page = client.get("/lrs/mapping/")
    assert "https://maps.example.org/level/1" in page.content.decode()  # sent, no rule maps it
    form = {
        "activity": "https://maps.example.org/level/",
        "match": "prefix",
        "verb": "",
        "competency": str(world.competency.uuid),
        "stage": "1",
        "met_level": "3",
        "not_met_level": "",
        "mastery_score": "0.8",
    }
    assert client.post("/lrs/mapping/", form).status_code == 302
    rule = ActivityRule.objects.get()
    assert rule.not_met_level is None and rule.district == world.district
    assert client.post("/lrs/mapping/", {**form, "met_level": "9"}).status_code == 422
    assert client.post("/lrs/mapping/", {"remove": rule.pk}).status_code == 302
    assert not ActivityRule.objects.exists()
    changes = [
        entry.data
        for entry in AuditEntry.objects.filter(action="activity_rule.changed").order_by("pk")
    ]
    assert [next(iter(change)) for change in changes] == ["added", "removed"]
    for person in (world.teacher, world.school_admin, world.student, world.guardian):
        client.force_login(person)
        assert client.get("/lrs/mapping/").status_code == 404


def test_a_rule_added_later_maps_the_statements_stored_before_it_on_request(tool, world):
    world.student.email = "student@example.org"
    world.student.save(update_fields=["email"])
    tool.post("statements", [_answered(0.9, number=n) for n in (1, 2)])
    assert not StatementOutcome.objects.exists()  # no rule yet: stored, left alone
    client = Client()
    client.force_login(world.district_admin)
    form = {
        "activity": QUESTIONS,
        "match": "prefix",
        "verb": "",
        "competency": str(world.competency.uuid),
        "stage": "1",
        "met_level": "3",
        "not_met_level": "1",
        "mastery_score": "0.7",
    }
    client.post("/lrs/mapping/", form)
    rule = ActivityRule.objects.get()
    assert "Map 2 statements" in client.get("/lrs/mapping/").content.decode()
    assert client.post("/lrs/mapping/", {"apply": rule.pk}).status_code == 302
    assert Evidence.objects.filter(source=EvidenceSource.EXTERNAL).count() == 2
    assert "none waiting" in client.get("/lrs/mapping/").content.decode()
    applied = AuditEntry.objects.filter(action="activity_rule.changed").order_by("pk").last()
    assert applied.data["applied_to_earlier"] == 2
    assert client.post("/lrs/mapping/", {"apply": "999999"}).status_code == 404
