"""POST /evidence: a rating is stored as sent, or refused with a 400 that names each bad field.

No input, however odd, gets a 500, and a refused rating leaves the evidence table unchanged.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proficio.evidence.models import Evidence
from proficio.frameworks.services import framework_create, scale_create
from tests.api.client import Api, rating, token_for
from tests.factories import FOUR_LEVELS, make_competency

pytestmark = pytest.mark.django_db

KEYS = {
    "withdrawn",
    "reason",
    "id",
    "student",
    "competency",
    "stage",
    "level",
    "observed_at",
    "recorded_at",
    "source",
    "assessor",
    "feedback_present",
    "feedback_next",
    "supersedes",
    "statements",
}


@pytest.fixture
def teacher(world) -> Api:
    return Api(token_for(world.teacher.username))


def test_a_rating_is_stored_and_returned_with_exactly_the_documented_keys(world, teacher):
    response = teacher.post("/evidence", rating(world, stage=2, level=4))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == KEYS
    stored = Evidence.objects.get()
    assert body == {
        "id": str(stored.uuid),
        "student": str(world.student.uuid),
        "competency": str(world.competency.uuid),
        "stage": 2,
        "level": 4.0,
        "observed_at": body["observed_at"],
        "recorded_at": body["recorded_at"],
        "source": "task",
        "assessor": str(world.teacher.uuid),
        "feedback_present": "Clear thesis.",
        "feedback_next": "Support each claim with evidence.",
        "supersedes": None,
        "withdrawn": False,
        "reason": "",
        "statements": [],
    }
    assert datetime.fromisoformat(body["observed_at"]) == stored.observed_at
    assert datetime.fromisoformat(body["recorded_at"]) == stored.recorded_at


def test_feedback_is_optional(world, teacher):
    body = rating(world)
    del body["feedback_present"], body["feedback_next"]
    response = teacher.post("/evidence", body)
    assert response.status_code == 201
    assert (response.json()["feedback_present"], response.json()["feedback_next"]) == ("", "")


@pytest.mark.parametrize(
    "source", ["observation", "task", "conference", "standardized", "external"]
)
def test_every_source_a_teacher_uses_is_accepted(world, teacher, source):
    assert teacher.post("/evidence", rating(world, source=source)).status_code == 201


def test_a_whole_stage_written_as_a_json_float_is_that_stage(world, teacher):
    response = teacher.post_raw("/evidence", json.dumps(rating(world, stage=2.0)))
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == 2


def test_a_correction_supersedes_the_rating_it_corrects(world, teacher):
    wrong = teacher.post("/evidence", rating(world, level=1)).json()
    fixed = teacher.post("/evidence", rating(world, level=3, supersedes=wrong["id"]))
    assert fixed.status_code == 201
    assert fixed.json()["supersedes"] == wrong["id"]
    assert Evidence.objects.count() == 2
    mastery = teacher.get(f"/students/{world.student.uuid}/mastery").json()
    assert mastery["competencies"][0]["stages"][0]["evidence_count"] == 1


def test_a_rating_is_corrected_once_only(world, teacher):
    wrong = teacher.post("/evidence", rating(world, level=1)).json()
    assert teacher.post("/evidence", rating(world, supersedes=wrong["id"])).status_code == 201
    again = teacher.post("/evidence", rating(world, supersedes=wrong["id"]))
    assert again.status_code == 400
    assert set(again.json()["errors"]) == {"supersedes"}


def test_a_correction_must_be_of_this_students_rating(world, teacher):
    classmates = teacher.post(
        "/evidence", rating(world, student=str(world.classmate.uuid), level=1)
    ).json()
    response = teacher.post("/evidence", rating(world, supersedes=classmates["id"]))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"supersedes"}
    assert Evidence.objects.count() == 1


def test_naive_times_are_read_in_the_servers_time_zone(world, teacher, settings):
    settings.TIME_ZONE = "America/New_York"
    response = teacher.post("/evidence", rating(world, observed_at="2024-01-15T10:00:00"))
    assert response.status_code == 201
    assert Evidence.objects.get().observed_at == datetime(2024, 1, 15, 15, 0, tzinfo=UTC)
    assert response.json()["observed_at"] == "2024-01-15T10:00:00-05:00"


def test_a_bare_date_is_midnight_in_the_servers_time_zone(world, teacher, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    assert teacher.post("/evidence", rating(world, observed_at="2024-01-15")).status_code == 201
    assert Evidence.objects.get().observed_at == datetime(2024, 1, 14, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2024-01-15T10:00:00+02:00", datetime(2024, 1, 15, 8, 0, tzinfo=UTC)),
        ("2024-01-15T10:00:00Z", datetime(2024, 1, 15, 10, 0, tzinfo=UTC)),
        ("2024-01-15T10:00:00.250-05:30", datetime(2024, 1, 15, 15, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_times_with_a_zone_keep_their_instant(world, teacher, sent, stored):
    assert teacher.post("/evidence", rating(world, observed_at=sent)).status_code == 201
    assert Evidence.objects.get().observed_at == stored


@pytest.mark.parametrize(
    "observed_at",
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00"],
)
def test_a_time_off_the_calendar_in_some_time_zone_is_a_400(world, teacher, settings, observed_at):
    settings.TIME_ZONE = "America/New_York"
    response = teacher.post("/evidence", rating(world, observed_at=observed_at))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"observed_at"}


def future(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def test_work_observed_more_than_ten_years_ago_is_refused_as_a_mistyped_date(world, teacher):
    response = teacher.post("/evidence", rating(world, observed_at="1901-01-01T09:00:00+00:00"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "observed_at": "The work was observed on 1 Jan 1901, more than ten years ago: check "
        "the date."
    }


# (field, value) pairs each wrong on its own; the 400 must name exactly that field.
BAD_FIELDS = [
    ("stage", 9),
    ("stage", 0),
    ("stage", -1),
    ("stage", 10**40),
    ("stage", 1.5),
    ("stage", "1"),
    ("stage", True),
    ("stage", None),
    ("level", 7),
    ("level", 2.5),
    ("level", -3),
    ("level", 0),
    ("level", 1e308),
    ("level", 10**400),
    ("level", "3"),
    ("level", "three"),
    ("level", False),
    ("level", []),
    ("level", None),
    ("observed_at", future(days=2)),
    ("observed_at", "2999-01-01"),
    ("observed_at", "yesterday"),
    ("observed_at", "2024-02-30"),
    ("observed_at", "2024-01-15+02:00"),
    ("observed_at", "2024-01-15T25:00:00"),
    ("observed_at", "0001-01-01T00:00:00+05:00"),
    ("observed_at", "1901-01-01T09:00:00+00:00"),
    ("observed_at", future(days=-3660)),
    ("observed_at", 1_700_000_000),
    ("observed_at", ""),
    ("observed_at", None),
    ("source", "rumour"),
    ("source", "SELF"),
    ("source", ""),
    ("source", 3),
    ("student", "not-a-uuid"),
    ("student", 42),
    ("competency", "not-a-uuid"),
    ("competency", str(uuid.uuid4())),
    ("supersedes", str(uuid.uuid4())),
    ("supersedes", "not-a-uuid"),
    ("feedback_present", None),
    ("feedback_present", 12),
    ("feedback_next", "x" * 10_001),
    ("feedback_next", "nul \x00 inside"),
    ("feedback_present", "lone \ud800 surrogate"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    BAD_FIELDS,
    # Fixed ids: some values are made at import time, and xdist workers must agree.
    ids=[f"{field}-{index}" for index, (field, _) in enumerate(BAD_FIELDS)],
)
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_stored(world, teacher, field, value):
    response = teacher.post_raw("/evidence", json.dumps(rating(world, **{field: value})))
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "Invalid input."
    assert set(response.json()["errors"]) == {field}
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "field", ["student", "competency", "stage", "level", "observed_at", "source"]
)
def test_a_missing_field_is_a_400_naming_it(world, teacher, field):
    body = rating(world)
    del body[field]
    response = teacher.post("/evidence", body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert not Evidence.objects.exists()


def test_every_bad_field_is_named_at_once(world, teacher):
    body = rating(world, stage=9, level=7, observed_at="2999-01-01", source="self")
    response = teacher.post("/evidence", body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"stage", "level", "observed_at"}


def test_a_competency_of_another_district_is_unknown_here(world, teacher):
    district = world.other_district_teacher.district
    scale = scale_create(district=district, name="Four levels", levels=FOUR_LEVELS)
    foreign = make_competency(
        framework_create(district=district, code="WR", title="Writing", scale=scale), "W1"
    )
    response = teacher.post("/evidence", rating(world, competency=str(foreign.uuid)))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"competency"}


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"{",
        b"[]",
        b"null",
        b"42",
        b'"a string"',
        b'{"level": NaN}',
        b'{"level": Infinity}',
        b"\xff\xfe\x00garbage",
        b'{"level": 1' + b"0" * 5000 + b"}",
        b"[" * 10_000 + b"]" * 10_000,
        b'{"student": {"$ne": null}}',
    ],
)
def test_a_body_that_is_not_a_rating_is_a_400(world, teacher, raw):
    response = teacher.post_raw("/evidence", raw)
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input."
    assert response.json()["errors"]
    assert not Evidence.objects.exists()


def test_a_form_post_is_a_400_not_a_crash(world, teacher):
    response = teacher.client.post(
        "/api/v1/evidence",
        {"stage": "1"},
        HTTP_AUTHORIZATION=f"Bearer {teacher.token}",
    )
    assert response.status_code == 400


def test_a_body_too_large_to_read_is_a_400(world, teacher):
    response = teacher.post_raw(
        "/evidence", json.dumps(rating(world, feedback_next="x" * 3_000_000))
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"body": "The request body is too large."}
    assert not Evidence.objects.exists()


# Text includes NUL and unpaired surrogates, which JSON can carry and databases refuse.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(st.sampled_from(sorted(KEYS - {"id", "recorded_at"})), ANY_JSON))
def test_no_body_ever_gets_a_500(world, teacher, changes):
    raw = json.dumps(rating(world, **changes))  # NaN and Infinity pass as JSON extensions
    before = Evidence.objects.count()
    response = teacher.post_raw("/evidence", raw)
    assert response.status_code in (201, 400, 404), response.content
    assert Evidence.objects.count() == before + (response.status_code == 201)
