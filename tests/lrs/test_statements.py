"""The Statements resource: storing one or a batch, by PUT with an id, the same id twice,
voiding, getting one back and the filters with `more` paging."""

import uuid

import pytest

from tests.lrs.conftest import statement

pytestmark = pytest.mark.django_db


def test_a_posted_batch_is_stored_and_read_back_with_what_the_store_adds(tool):
    response = tool.post("statements", [statement(), statement()])
    assert response.status_code == 200, response.content
    ids = response.json()
    assert len(ids) == 2 and len(set(ids)) == 2
    assert response["X-Experience-API-Version"] == "1.0.3"
    got = tool.get("statements", data={"statementId": ids[0]})
    assert got.status_code == 200
    body = got.json()
    assert body["id"] == ids[0]
    assert body["authority"]["account"]["name"] == tool.key
    assert body["stored"] and body["timestamp"] and body["version"] == "1.0.0"
    assert body["object"]["objectType"] == "Activity"
    assert got["X-Experience-API-Consistent-Through"]


def test_put_stores_under_the_given_id_and_the_same_statement_again_is_no_conflict(tool):
    statement_id = str(uuid.uuid4())
    first = tool.put(f"statements?statementId={statement_id}", statement())
    assert first.status_code == 204, first.content
    again = tool.put(f"statements?statementId={statement_id}", statement())
    assert again.status_code == 204
    different = tool.put(
        f"statements?statementId={statement_id}", statement(result={"success": False})
    )
    assert different.status_code == 409


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"actor": {"name": "nobody"}}, "exactly one"),
        ({"verb": {"id": "answered"}}, "absolute IRI"),
        ({"result": {"score": {"scaled": 2}}}, "between -1 and 1"),
        ({"result": {"success": "yes"}}, "true or false"),
        ({"colour": "blue"}, "does not define"),
        ({"timestamp": "yesterday"}, "ISO 8601"),
        ({"context": {"registration": "not-a-uuid"}}, "UUID"),
        ({"result": None}, "null"),
    ],
)
def test_a_bad_statement_is_refused_with_its_reason_and_nothing_of_the_batch_stored(
    tool, changes, reason
):
    response = tool.post("statements", [statement(), statement(**changes)])
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert tool.get("statements").json()["statements"] == []


def test_voiding_hides_a_statement_from_queries_and_shows_it_by_voided_id(tool):
    (target,) = tool.post("statements", statement()).json()
    voiding = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": target},
    )
    (voiding_id,) = tool.post("statements", voiding).json()
    assert tool.get("statements", data={"statementId": target}).status_code == 404
    assert tool.get("statements", data={"voidedStatementId": target}).json()["id"] == target
    listed = [s["id"] for s in tool.get("statements").json()["statements"]]
    assert listed == [voiding_id]
    unvoid = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": voiding_id},
    )
    assert tool.post("statements", unvoid).status_code == 400


def test_filters_and_more_pages_through_everything_once(tool):
    other_actor = {"mbox": "mailto:classmate@example.org"}
    ids = tool.post("statements", [statement() for _ in range(5)]).json()
    tool.post("statements", statement(actor=other_actor))
    seen, url = [], None
    page = tool.get(
        "statements", data={"agent": '{"mbox": "mailto:student@example.org"}', "limit": 2}
    ).json()
    while True:
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            break
        url = page["more"]
        page = tool.client.get(url, **tool.auth).json()
    assert sorted(seen) == sorted(ids)
    assert url is not None
    by_verb = tool.get("statements", data={"verb": "http://adlnet.gov/expapi/verbs/answered"})
    assert len(by_verb.json()["statements"]) == 6
    ids_format = tool.get("statements", data={"format": "ids", "limit": 1}).json()["statements"][0]
    assert ids_format["verb"] == {"id": "http://adlnet.gov/expapi/verbs/answered"}
    assert "definition" not in ids_format["object"]


def test_a_statement_about_a_voided_one_is_found_by_the_voided_ones_activity(tool):
    (target,) = tool.post("statements", statement()).json()
    tool.post(
        "statements",
        statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
            object={"objectType": "StatementRef", "id": target},
        ),
    )
    found = tool.get("statements", data={"activity": "https://fractions.example.org/q/1"})
    assert [s["verb"]["id"] for s in found.json()["statements"]] == [
        "http://adlnet.gov/expapi/verbs/voided"
    ]
