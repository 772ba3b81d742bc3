"""GET /competencies: the caller's district's competencies, each with its trajectory."""

import pytest

from proficio.frameworks.data import StageSpec
from proficio.frameworks.models import CompetencyKind
from proficio.frameworks.services import (
    competency_create,
    framework_create,
    scale_create,
)
from tests.api.client import Api, token_for
from tests.factories import FOUR_LEVELS, make_competency

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(world) -> Api:
    return Api(token_for(world.teacher.username))


def test_an_item_has_exactly_the_documented_keys_and_its_stages(world, teacher):
    body = teacher.get("/competencies").json()
    assert set(body) == {"items", "count"}
    [item] = body["items"]
    assert set(item) == {"id", "code", "title", "framework", "framework_code", "kind", "stages"}
    assert item == {
        "id": str(world.competency.uuid),
        "code": "W1",
        "title": "Competency W1",
        "framework": "Writing",
        "framework_code": "WR",
        "kind": "academic",
        "stages": [
            {"ordinal": 1, "label": "Stage 1"},
            {"ordinal": 2, "label": "Stage 2"},
            {"ordinal": 3, "label": "Stage 3"},
        ],
    }


def test_skills_and_frameworks_in_title_order_then_position(world, teacher):
    collaboration = framework_create(
        district=world.district, code="SK", title="Collaboration", scale=world.scale
    )
    competency_create(
        framework=collaboration,
        code="C1",
        title="Builds on the ideas of others",
        kind=CompetencyKind.SKILL,
        stages=[StageSpec(label="Listens"), StageSpec(label="Responds")],
    )
    make_competency(world.framework, "W0", stages=2)  # second in Writing, despite its code
    items = teacher.get("/competencies").json()["items"]
    assert [(i["framework"], i["code"]) for i in items] == [
        ("Collaboration", "C1"),
        ("Writing", "W1"),
        ("Writing", "W0"),
    ]
    assert items[0]["kind"] == "skill"
    assert items[0]["stages"] == [
        {"ordinal": 1, "label": "Listens"},
        {"ordinal": 2, "label": "Responds"},
    ]


def test_another_districts_competencies_stay_out_of_sight(world, teacher):
    district = world.other_district_teacher.district
    scale = scale_create(district=district, name="Four levels", levels=FOUR_LEVELS)
    elsewhere = framework_create(district=district, code="WR", title="Writing", scale=scale)
    make_competency(elsewhere, "X1")
    assert [i["code"] for i in teacher.get("/competencies").json()["items"]] == ["W1"]
    outsider = Api(token_for(world.other_district_teacher.username))
    assert [i["code"] for i in outsider.get("/competencies").json()["items"]] == ["X1"]


def test_competencies_page_like_students(world, teacher):
    for n in range(2, 6):
        make_competency(world.framework, f"W{n}")
    page = teacher.get("/competencies", limit=2, offset=1).json()
    assert page["count"] == 5
    assert [i["code"] for i in page["items"]] == ["W2", "W3"]
    assert teacher.get("/competencies", limit=0).status_code == 400
