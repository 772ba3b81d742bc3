"""The pathways API: playlists and progress, supports, groups and advancement, scoped like the
rest of /api/v1 (404 for what is out of reach)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.frameworks.services import course_create
from proficio.mastery.services import evidence_record
from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.groups import group_write
from proficio.pathways.services import playlist_create
from proficio.people.services import section_create
from tests.api.client import Api, token_for

pytestmark = pytest.mark.django_db


def as_(person) -> Api:
    return Api(token_for(person.username))


@pytest.fixture
def playlist(world):
    return playlist_create(
        author=world.teacher,
        stage=StageRef(world.competency, 1),
        title="Opinions",
        items=[
            ItemDraft(kind="reading", title="Read"),
            ItemDraft(kind="practice", title="Practise", unlock="after_previous"),
        ],
    )


def test_a_student_reads_their_playlists_and_finishes_an_item(world, playlist):
    api = as_(world.student)
    [shown] = api.get(f"/students/{world.student.uuid}/playlists").json()
    assert [(i["open"], i["done"]) for i in shown["items"]] == [(True, False), (False, False)]
    first = shown["items"][0]["item"]["id"]
    done = api.client.post(
        f"/api/v1/playlist-items/{first}/progress",
        {"done": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert done.status_code == 200 and done.json()["done_at"]
    [shown] = api.get(f"/students/{world.student.uuid}/playlists").json()
    assert shown["items"][1]["open"]
    assert (
        as_(world.other_teacher).get(f"/students/{world.student.uuid}/playlists").status_code == 404
    )
    assert len(as_(world.teacher).get("/playlists").json()["items"]) == 1


def test_supports_and_groups(world):
    created = as_(world.teacher).post(
        f"/students/{world.student.uuid}/supports",
        {"kind": "accommodation", "description": "Extra time"},
    )
    assert created.status_code == 201
    assert (
        as_(world.guardian).get(f"/students/{world.student.uuid}/supports").json()[0]["description"]
        == "Extra time"
    )
    refused = as_(world.other_teacher).post(
        f"/students/{world.student.uuid}/supports", {"kind": "tutoring", "description": "x"}
    )
    assert refused.status_code == 404
    group_write(
        actor=world.teacher,
        stage=world.competency.stages.get(ordinal=1),
        name="Group",
        students=[world.student],
    )
    [group] = as_(world.teacher).get("/groups").json()
    assert group["students"] == [str(world.student.uuid)]
    assert as_(world.other_teacher).get("/groups").json() == []


def test_advancement_through_the_api(world):
    nxt = course_create(district=world.district, code="B", title="B", targets=[])
    course = course_create(
        district=world.district, code="A", title="A", targets=[(world.competency, 1)]
    )
    course.next_course = nxt
    course.save()
    world.section.course = course
    world.section.save()
    onward = section_create(school=world.school, name="Onward", course=nxt)
    for days in (1, 2, 3):
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(4),
            observed_at=timezone.now() - timedelta(days=days),
            source="observation",
        )
    [proposal] = as_(world.guardian).get(f"/students/{world.student.uuid}/advancements").json()
    path = f"/advancements/{proposal['id']}"
    assert as_(world.teacher).post(f"{path}/confirmations", {}).status_code == 200
    assert as_(world.student).post(f"{path}/confirmations", {}).status_code == 200
    assert as_(world.guardian).post(f"{path}/confirmations", {}).status_code == 404
    decided = as_(world.teacher).post(
        f"{path}/decision",
        {"decision": "advance", "rationale": "Ready.", "section": str(onward.uuid)},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["placed_in"] == str(onward.uuid)
