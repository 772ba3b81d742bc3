"""CASE REST under /ims/case/v1p1/: a bearer token, the caller's district, CASE shapes."""

import json
from pathlib import Path

import pytest
from django.test import Client

from proficio.frameworks.models import Framework, Standard
from proficio.interop.case.writer import import_case
from tests.api.client import token_for
from tests.factories import standard_as_competency

pytestmark = pytest.mark.django_db

BASE = "/ims/case/v1p1"
SAMPLE = "opensalt-sample-framework.json"


@pytest.fixture
def sample(world, testdata: Path) -> Framework:
    path = testdata / "case" / "frameworks" / SAMPLE
    report = import_case(data=path.read_bytes(), source=SAMPLE, actor=None, district=world.district)
    return Framework.objects.get(uuid=report.extra["framework"]["id"])


@pytest.fixture
def get(world):
    """GET as a person of the world (by attribute name), or with no token at all."""

    def fetch(path: str, as_: str | None = "teacher", **params):
        headers = {}
        if as_ is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token_for(getattr(world, as_).username)}"
        return Client().get(BASE + path, params, **headers)

    return fetch


def minor(response) -> str:
    body = response.json()
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error"
    assert body["imsx_description"]
    return body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def test_without_a_token_every_endpoint_answers_401_in_imsx_form(get, sample):
    for path in ("/CFDocuments", f"/CFDocuments/{sample.case_identifier}"):
        response = get(path, as_=None)
        assert response.status_code == 401
        assert minor(response) == "unauthorisedrequest"


def test_documents_of_the_callers_district_with_paging_and_a_total(get, sample, world):
    response = get("/CFDocuments")
    assert response.status_code == 200
    assert response["X-Total-Count"] == "2"
    titles = [document["title"] for document in response.json()["CFDocuments"]]
    assert titles == ["What Standards Could Be", "Writing"]
    page = get("/CFDocuments", limit=1, offset=1).json()["CFDocuments"]
    assert [document["title"] for document in page] == ["Writing"]
    listed = response.json()["CFDocuments"][0]
    assert listed["identifier"] == str(sample.case_identifier)
    assert listed["CFPackageURI"]["uri"].endswith(f"/CFPackages/{sample.case_identifier}")
    assert get("/CFDocuments", as_="other_district_teacher").json()["CFDocuments"] == []


def test_selection_sorting_and_paging_mistakes_are_400(get, sample):
    only = get("/CFDocuments", fields="title,identifier").json()["CFDocuments"]
    assert set(only[0]) == {"title", "identifier"}
    assert minor(get("/CFDocuments", fields="title,colour")) == "invalid_selection_field"
    assert minor(get("/CFDocuments", sort="colour")) == "invalid_sort_field"
    assert get("/CFDocuments", limit="ten").status_code == 400
    assert get("/CFDocuments", limit=0).status_code == 400
    newest_first = get("/CFDocuments", sort="title", orderBy="desc").json()["CFDocuments"]
    assert newest_first[0]["title"] == "Writing"


def test_one_document_and_its_package_which_validate(get, sample, world, case_schema):
    document = get(f"/CFDocuments/{sample.case_identifier}").json()
    assert document["title"] == "What Standards Could Be"
    package = get(f"/CFPackages/{sample.case_identifier}").json()
    assert len(package["CFItems"]) == 16 and len(package["CFAssociations"]) == 39
    assert list(case_schema.iter_errors(package)) == []
    native = get(f"/CFPackages/{world.framework.uuid}").json()
    assert list(case_schema.iter_errors(native)) == []


def test_unknown_hidden_and_malformed_identifiers_are_404(get, sample):
    hidden = get(f"/CFDocuments/{sample.case_identifier}", as_="other_district_teacher")
    assert hidden.status_code == 404 and minor(hidden) == "unknownobject"
    missing = get("/CFItems/00000000-0000-0000-0000-00000000dead")
    assert missing.status_code == 404 and minor(missing) == "unknownobject"
    malformed = get("/CFAssociations/not-a-uuid")
    assert malformed.status_code == 404 and minor(malformed) == "invaliduuid"


def test_an_item_its_associations_and_one_association(get, sample):
    standard = Standard.objects.get(
        framework=sample, human_coding_scheme="CCSS.Math.Content.6.RP.A"
    )
    item = get(f"/CFItems/{standard.identifier}").json()
    assert item["fullStatement"] == standard.full_statement
    assert item["CFDocumentURI"]["identifier"] == str(sample.case_identifier)
    linked = get(f"/CFItemAssociations/{standard.identifier}")
    body = linked.json()
    assert body["CFItem"]["identifier"] == str(standard.identifier)
    kinds = {association["associationType"] for association in body["CFAssociations"]}
    assert "isChildOf" in kinds and "exactMatchOf" in kinds
    assert linked["X-Total-Count"] == str(len(body["CFAssociations"]))
    one = body["CFAssociations"][0]
    again = get(f"/CFAssociations/{one['identifier']}").json()
    assert again["associationType"] == one["associationType"]


def test_a_proficio_competency_stage_is_an_item_with_its_progression(get, world):
    stage = world.competency.stages.get(ordinal=2)
    item = get(f"/CFItems/{stage.uuid}").json()
    assert item["CFItemType"] == "Stage"
    body = get(f"/CFItemAssociations/{stage.uuid}").json()
    kinds = sorted(a["associationType"] for a in body["CFAssociations"])
    assert kinds == ["isChildOf", "isChildOf", "precedes", "precedes"]
    precedes = next(a for a in body["CFAssociations"] if a["associationType"] == "precedes")
    assert get(f"/CFAssociations/{precedes['identifier']}").status_code == 200
    document = get(f"/CFDocuments/{world.framework.uuid}").json()
    assert document["title"] == "Writing"


def test_writes_are_refused(world):
    token = token_for(world.district_admin.username)
    response = Client().post(
        f"{BASE}/CFDocuments",
        json.dumps({}),
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 405 and minor(response) == "forbidden"


def test_a_competency_made_from_an_item_is_that_item_to_its_districts_admin(get, world, testdata):
    """`proficio import case --competency-type`: the competency's uuid names the CASE item it
    mirrors, for the item and for its associations; another district still reads 404."""
    standard = standard_as_competency(world.district, testdata)
    competency = standard.competency

    item = get(f"/CFItems/{competency.uuid}", as_="district_admin")
    linked = get(f"/CFItemAssociations/{competency.uuid}", as_="district_admin")

    assert item.status_code == 200, item.json()
    assert item.json()["identifier"] == str(standard.identifier)
    assert item.json()["fullStatement"] == standard.full_statement
    assert linked.status_code == 200, linked.json()
    assert linked.json()["CFItem"]["identifier"] == str(standard.identifier)
    assert linked.json()["CFAssociations"]
    hidden = get(f"/CFItems/{competency.uuid}", as_="other_district_teacher")
    assert hidden.status_code == 404 and minor(hidden) == "unknownobject"
