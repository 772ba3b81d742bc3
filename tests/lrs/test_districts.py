"""A tool's credentials reach its own district's store alone: another district's tool neither
reads its statements and documents nor overwrites them, even by the same statement id."""

import json
import uuid

import pytest

from proficio.lrs.credentials import credential_revoke
from proficio.lrs.models import Credential
from tests.lrs.conftest import statement

pytestmark = pytest.mark.django_db
AGENT = json.dumps({"mbox": "mailto:student@example.org"})
STATE = {"activityId": "https://fractions.example.org/q/1", "agent": AGENT, "stateId": "bookmark"}


def test_another_districts_tool_reads_nothing_of_this_districts_statements(tool, other_tool):
    (statement_id,) = tool.post("statements", statement()).json()
    assert other_tool.get("statements").json()["statements"] == []
    assert other_tool.get("statements", data={"statementId": statement_id}).status_code == 404
    found = other_tool.get("statements", data={"agent": AGENT}).json()["statements"]
    assert found == []


def test_the_same_statement_id_in_another_district_is_its_own_statement(tool, other_tool):
    statement_id = str(uuid.uuid4())
    assert tool.put(f"statements?statementId={statement_id}", statement()).status_code == 204
    theirs = statement(result={"success": False})
    assert other_tool.put(f"statements?statementId={statement_id}", theirs).status_code == 204
    mine = tool.get("statements", data={"statementId": statement_id}).json()
    assert mine["result"]["success"] is True


def test_documents_are_the_districts_own(tool, other_tool):
    query = "&".join(f"{key}={value}" for key, value in STATE.items())
    assert tool.put(f"activities/state?{query}", {"page": 3}).status_code == 204
    assert other_tool.get("activities/state", data=STATE).status_code == 404
    assert other_tool.delete(f"activities/state?{query}").status_code == 204
    assert tool.get("activities/state", data=STATE).json() == {"page": 3}


def test_wrong_or_revoked_credentials_get_401_and_about_needs_none(tool, world):
    tool.secret = "not-the-secret"
    assert tool.get("statements").status_code == 401
    assert tool.client.get("/xapi/about").status_code == 200
    credential = Credential.objects.get(key=tool.key)
    credential_revoke(actor=None, district=world.district, credential_id=credential.pk)
    assert tool.get("statements").status_code == 401


def test_a_session_or_api_token_opens_nothing_of_the_store(tool, world):
    tool.client.force_login(world.district_admin)
    response = tool.client.get("/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
