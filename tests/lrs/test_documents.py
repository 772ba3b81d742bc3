"""The State, Activity Profile and Agent Profile resources: PUT, POST merging JSON, GET one
or the ids, DELETE, and ETags that keep two tools from overwriting each other."""

import json

import pytest

pytestmark = pytest.mark.django_db
AGENT = json.dumps({"mbox": "mailto:student@example.org"})
ACTIVITY = "https://fractions.example.org/q/1"


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_state_is_put_merged_listed_and_deleted(tool):
    address = _query(activityId=ACTIVITY, agent=AGENT, stateId="progress")
    assert tool.put(f"activities/state?{address}", {"page": 3, "score": 1}).status_code == 204
    assert tool.post(f"activities/state?{address}", {"score": 2}).status_code == 204
    got = tool.get(f"activities/state?{address}")
    assert got.json() == {"page": 3, "score": 2}
    assert got["ETag"].strip('"') and len(got["ETag"].strip('"')) == 40
    ids = tool.get(f"activities/state?{_query(activityId=ACTIVITY, agent=AGENT)}").json()
    assert ids == ["progress"]
    assert (
        tool.delete(f"activities/state?{_query(activityId=ACTIVITY, agent=AGENT)}").status_code
        == 204
    )
    assert tool.get(f"activities/state?{address}").status_code == 404


def test_merging_into_a_document_that_is_not_json_is_refused(tool):
    address = _query(activityId=ACTIVITY, agent=AGENT, stateId="notes")
    put = tool.put(f"activities/state?{address}", b"plain words", content_type="text/plain")
    assert put.status_code == 204
    assert tool.post(f"activities/state?{address}", {"more": 1}).status_code == 400
    assert tool.get(f"activities/state?{address}").content == b"plain words"


def test_a_profile_changes_only_with_the_etag_it_was_read_with(tool):
    address = _query(activityId=ACTIVITY, profileId="settings")
    path = f"activities/profile?{address}"
    assert tool.put(path, {"colour": "green"}).status_code == 400  # neither header
    assert tool.put(path, {"colour": "green"}, HTTP_IF_NONE_MATCH="*").status_code == 204
    assert tool.put(path, {"colour": "blue"}, HTTP_IF_NONE_MATCH="*").status_code == 412
    assert tool.put(path, {"colour": "blue"}).status_code == 409
    etag = tool.get(path)["ETag"]
    assert tool.put(path, {"colour": "blue"}, HTTP_IF_MATCH=etag).status_code == 204
    assert tool.put(path, {"colour": "red"}, HTTP_IF_MATCH=etag).status_code == 412
    assert tool.get(path).json() == {"colour": "blue"}


def test_an_agent_profile_and_the_agents_and_activities_resources(tool):
    path = f"agents/profile?{_query(agent=AGENT, profileId='avatar')}"
    assert tool.put(path, {"hat": "red"}, HTTP_IF_NONE_MATCH="*").status_code == 204
    assert tool.get(path).json() == {"hat": "red"}
    person = tool.get("agents", data={"agent": AGENT}).json()
    assert person == {"objectType": "Person", "mbox": ["mailto:student@example.org"]}
    definition = {"name": {"en-US": "Question 1"}}
    tool.post(
        "statements",
        {
            "actor": {"mbox": "mailto:student@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": ACTIVITY, "definition": definition},
        },
    )
    tool.post(
        "statements",
        {
            "actor": {"mbox": "mailto:student@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": ACTIVITY, "definition": {"name": {"es": "Pregunta 1"}}},
        },
    )
    activity = tool.get("activities", data={"activityId": ACTIVITY}).json()
    assert activity["definition"]["name"] == {"en-US": "Question 1", "es": "Pregunta 1"}


def test_missing_or_bad_parameters_are_400(tool):
    assert tool.get("activities/state", data={"activityId": ACTIVITY}).status_code == 400
    bad_agent = {"activityId": ACTIVITY, "agent": "{not json"}
    assert tool.get("activities/state", data=bad_agent).status_code == 400
    assert tool.get("activities/profile").status_code == 400
