"""The API describes itself, and its docs page works on a machine without internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("/api/v1/auth/token", "post"),
    ("/api/v1/auth/token", "delete"),
    ("/api/v1/auth/tokens", "get"),
    ("/api/v1/auth/tokens/{token_id}", "delete"),
    ("/api/v1/me", "get"),
    ("/api/v1/students", "get"),
    ("/api/v1/competencies", "get"),
    ("/api/v1/students/{student_id}/mastery", "get"),
    ("/api/v1/evidence", "post"),
    ("/api/v1/evidence/{evidence_id}/withdrawal", "post"),
    ("/api/v1/tasks", "post"),
    ("/api/v1/tasks", "get"),
    ("/api/v1/tasks/{task_id}/assignments", "post"),
    ("/api/v1/tasks/{task_id}/submissions", "post"),
    ("/api/v1/submissions/{submission_id}", "get"),
    ("/api/v1/submissions/{submission_id}/reviews", "post"),
    ("/api/v1/playlists", "get"),
    ("/api/v1/students/{student_id}/playlists", "get"),
    ("/api/v1/playlist-items/{item_id}/progress", "post"),
    ("/api/v1/students/{student_id}/supports", "get"),
    ("/api/v1/students/{student_id}/supports", "post"),
    ("/api/v1/students/{student_id}/goals", "get"),
    ("/api/v1/goals", "post"),
    ("/api/v1/goals/{goal_id}", "get"),
    ("/api/v1/goals/{goal_id}/status", "post"),
    ("/api/v1/goals/{goal_id}/comments", "post"),
    ("/api/v1/students/{student_id}/check-ins", "get"),
    ("/api/v1/students/{student_id}/check-ins", "post"),
    ("/api/v1/check-ins/{check_in_id}/reflection", "post"),
    ("/api/v1/mentoring", "get"),
    ("/api/v1/students/{student_id}/portfolio", "get"),
    ("/api/v1/portfolio", "post"),
    ("/api/v1/students/{student_id}/conferences", "get"),
    ("/api/v1/conferences", "post"),
    ("/api/v1/conferences/{conference_id}/record", "post"),
    ("/api/v1/conferences/{conference_id}/acknowledgement", "post"),
    ("/api/v1/groups", "get"),
    ("/api/v1/students/{student_id}/advancements", "get"),
    ("/api/v1/advancements/{advancement_id}/confirmations", "post"),
    ("/api/v1/advancements/{advancement_id}/decision", "post"),
    ("/api/v1/exemplars", "get"),
    ("/api/v1/exemplars", "post"),
    ("/api/v1/exemplars/{exemplar_id}", "get"),
    ("/api/v1/exemplars/{exemplar_id}/confirm", "post"),
    ("/api/v1/calibration-sessions", "get"),
    ("/api/v1/calibration-sessions", "post"),
    ("/api/v1/calibration-sessions/{session_id}", "get"),
    ("/api/v1/calibration-sessions/{session_id}/ratings", "get"),
    ("/api/v1/calibration-sessions/{session_id}/ratings", "post"),
    ("/api/v1/calibration-sessions/{session_id}/reveal", "post"),
    ("/api/v1/calibration-sessions/{session_id}/pieces/{piece_id}/consensus", "post"),
    ("/api/v1/calibration-sessions/{session_id}/statistics", "get"),
    ("/api/v1/calibration/drift", "get"),
    ("/api/v1/calibration/drift/teachers", "get"),
}


@pytest.fixture
def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_described(schema):
    described = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert described == ENDPOINTS


def test_operation_ids_are_short_and_unique(schema):
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z_]+", op_id) for op_id in ids)


def test_everything_but_signing_in_asks_for_a_bearer_token(schema):
    assert schema["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"}
    }
    for path, method in ENDPOINTS:
        operation = schema["paths"][path][method]
        if (path, method) == ("/api/v1/auth/token", "post"):
            assert "security" not in operation
        else:
            assert operation["security"] == [{"BearerToken": []}]
            assert "401" in operation["responses"]


def test_refusals_are_documented_where_they_can_happen(schema):
    mastery = schema["paths"]["/api/v1/students/{student_id}/mastery"]["get"]["responses"]
    evidence = schema["paths"]["/api/v1/evidence"]["post"]["responses"]
    assert {"200", "400", "401", "404"} <= set(mastery)
    assert {"201", "400", "401", "404"} <= set(evidence)


def test_the_rating_input_lists_its_sources_and_required_fields(schema):
    rating = schema["components"]["schemas"]["EvidenceIn"]
    assert set(rating["required"]) == {
        "student",
        "competency",
        "stage",
        "level",
        "observed_at",
        "source",
    }
    sources = schema["components"]["schemas"]["EvidenceSource"]["enum"]
    assert sources == ["observation", "task", "conference", "standardized", "self", "external"]


def test_the_docs_page_loads_swagger_from_our_own_static_files():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "http://" not in page and "https://" not in page
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert "ninja/swagger-ui-bundle.js" in assets and "ninja/swagger-ui.css" in assets
    for asset in assets:
        assert finders.find(asset), f"{asset} would not be collected"
