"""The events themselves, from where they happen: a rating recorded, a stage mastered (on
the per-rating path and the bulk recompute alike), an advancement decided; each names the
student, competency and stage as other systems know them."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.evidence.api import EvidenceDraft
from proficio.frameworks.api import competency_case_identifiers
from proficio.lib.events import ADVANCEMENT_DECIDED, EVENT_TYPES, EVIDENCE_RECORDED, STAGE_MASTERED
from proficio.mastery.api import evidence_record, evidence_record_many
from proficio.pathways.advancement import advancement_decide, proposals_sync
from proficio.webhooks.models import Delivery
from proficio.webhooks.services import subscription_create
from tests.factories import standard_as_competency
from tests.pathways.test_advancement import courses, master_stage_one  # noqa: F401
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings, world):
    settings.PROFICIO_OUTBOUND_ALLOW_PRIVATE = True
    running = Receiver().start()
    subscription_create(
        actor=world.district_admin,
        district=world.district,
        url=running.url,
        description="SIS",
        event_types=list(EVENT_TYPES),
    )
    yield running
    running.stop()


def _events(receiver, kind):
    return [
        event
        for message in receiver.received
        for event in json.loads(message.body)["data"]
        if json.loads(message.body)["type"] == kind
    ]


def _rate(world, level, days, student=None):
    return evidence_record(
        assessor=world.teacher,
        student=student or world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days),
        source="observation",
    )


def _top_ratings(world, *students):
    """Three ratings at the top level of stage 1 for each student: an import's drafts."""
    return [
        EvidenceDraft(
            assessor=world.teacher,
            student=student,
            competency=world.competency,
            stage=1,
            level=Decimal(4),
            observed_at=timezone.now() - timedelta(days=days),
            source="observation",
        )
        for student in students
        for days in (3, 2, 1)
    ]


def test_a_rating_and_the_mastery_it_brings_are_told(
    world, receiver, django_capture_on_commit_callbacks
):
    world.student.sourced_id = "sis-student-1"
    world.student.save(update_fields=["sourced_id"])
    with django_capture_on_commit_callbacks(execute=True):
        first = _rate(world, 2, days=5)
    [recorded] = _events(receiver, EVIDENCE_RECORDED)
    assert recorded == {
        "evidence": str(first.uuid),
        "student": str(world.student.uuid),
        "studentSourcedId": "sis-student-1",
        "competency": str(world.competency.uuid),
        "competencyCode": world.competency.code,
        "competencyCaseIdentifier": None,
        "stage": 1,
        "level": "2.00",
        "observedAt": first.observed_at.isoformat(),
        "source": "observation",
        "corrects": None,
    }
    assert _events(receiver, STAGE_MASTERED) == []

    with django_capture_on_commit_callbacks(execute=True):
        for days in (3, 2, 1):
            _rate(world, 4, days=days)
    [mastered] = _events(receiver, STAGE_MASTERED)
    assert (mastered["student"], mastered["competency"], mastered["stage"]) == (
        str(world.student.uuid),
        str(world.competency.uuid),
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        _rate(world, 4, days=0)
    assert len(_events(receiver, STAGE_MASTERED)) == 1  # mastered once, told once


def test_an_import_s_bulk_recompute_tells_each_stage_mastered(
    world, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    from proficio.mastery.services import rating_many

    monkeypatch.setattr(rating_many, "REFRESH_ONE_BY_ONE", 0)  # the bulk path, at this size
    drafts = _top_ratings(world, world.student, world.classmate)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_record_many(actor=None, district_id=world.district.pk, drafts=drafts)
    assert len(_events(receiver, EVIDENCE_RECORDED)) == 6
    told = {(e["student"], e["stage"]) for e in _events(receiver, STAGE_MASTERED)}
    assert told == {(str(world.student.uuid), 1), (str(world.classmate.uuid), 1)}


def test_a_competency_from_case_is_named_by_its_case_identifier(
    world, receiver, testdata, django_capture_on_commit_callbacks
):
    standard = standard_as_competency(world.district, testdata)
    competency = standard.competency
    with django_capture_on_commit_callbacks(execute=True):
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=competency,
            stage=1,
            level=Decimal(3),
            observed_at=timezone.now(),
            source="observation",
        )
    [recorded] = _events(receiver, EVIDENCE_RECORDED)
    expected = competency_case_identifiers([competency.pk])[competency.pk]
    assert recorded["competencyCaseIdentifier"] == expected


@pytest.mark.usefixtures("courses")
def test_an_advancement_decided_is_told(world, receiver, django_capture_on_commit_callbacks):
    master_stage_one(world)
    [proposal] = proposals_sync(students=[world.student])
    with django_capture_on_commit_callbacks(execute=True):
        advancement_decide(
            actor=world.teacher,
            advancement=proposal,
            decision="not_yet",
            rationale="The last two pieces were rushed.",
            next_steps="One more argument essay.",
        )
    [decided] = _events(receiver, ADVANCEMENT_DECIDED)
    assert decided["advancement"] == str(proposal.uuid)
    assert decided["student"] == str(world.student.uuid)
    assert (decided["decision"], decided["section"]) == ("not_yet", None)


def test_a_district_nobody_listens_to_makes_no_deliveries(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _rate(world, 4, days=1)
    assert not Delivery.objects.exists()
    assert callbacks == []  # not even an event held for after the commit


def test_the_bulk_recompute_tells_a_stored_stage_mastered_now_and_only_once(
    world, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    from proficio.mastery.data import Scope
    from proficio.mastery.recompute import recompute
    from proficio.mastery.services import rating_many

    with django_capture_on_commit_callbacks(execute=True):
        _rate(world, 2, days=9)  # a record, not mastered
    monkeypatch.setattr(rating_many, "REFRESH_ONE_BY_ONE", 0)
    drafts = _top_ratings(world, world.student)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_record_many(actor=None, district_id=world.district.pk, drafts=drafts)
    assert [e["student"] for e in _events(receiver, STAGE_MASTERED)] == [str(world.student.uuid)]
    with django_capture_on_commit_callbacks(execute=True):
        recompute(scope=Scope(district_id=world.district.pk))  # nothing changes
    assert len(_events(receiver, STAGE_MASTERED)) == 1
