"""A framework's page shows its competencies with their whole trajectories, and downloads
as CASE for anyone in its district."""

import json

import pytest
from django.urls import reverse

from proficio.frameworks.data import StageSpec
from proficio.frameworks.models import CompetencyKind
from proficio.frameworks.services import competency_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def argument(world):
    return competency_create(
        framework=world.framework,
        code="W9",
        title="Argument writing",
        kind=CompetencyKind.ACADEMIC,
        statement="Writes arguments to support claims with clear reasons and evidence.",
        stages=[
            StageSpec(
                label=label,
                typical_grade=grade,
                descriptor=f"At {label.lower()}, claims grow clearer.",
                evidence_statements=[f"I can {verb}." for verb in verbs],
            )
            for label, grade, verbs in (
                ("Opinion", 0, ["say what I think"]),
                ("Reasons", 3, ["give a reason", "link reasons with because"]),
                ("Counterclaims", 7, ["answer another view"]),
            )
        ],
    )


def test_the_page_shows_every_competency_with_its_stages_grades_and_evidence(
    client, world, argument
):
    client.force_login(world.teacher)
    html = client.get(reverse("interop:framework", args=[world.framework.uuid])).content.decode()

    assert "Argument writing" in html and "Writes arguments to support claims" in html
    for text in (
        "Stage 1 · Opinion",
        "typical for kindergarten",
        "Stage 2 · Reasons",
        "typical for grade 3",
        "I can link reasons with because.",
        "At counterclaims, claims grow clearer.",
    ):
        assert text in html
    assert "on the students&#x27; pages" not in html
    assert reverse("interop:framework_case", args=[world.framework.uuid]) in html


def test_export_as_case_downloads_the_package_for_anyone_in_the_district(client, world, argument):
    url = reverse("interop:framework_case", args=[world.framework.uuid])
    client.force_login(world.student)
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="wr.case.json"'
    package = json.loads(response.content)
    assert package["CFDocument"]["title"] == "Writing"
    statements = {item["fullStatement"] for item in package["CFItems"]}
    assert "Writes arguments to support claims with clear reasons and evidence." in statements
    assert {"I can give a reason.", "At counterclaims, claims grow clearer."} <= statements


def test_another_districts_framework_is_not_found_and_strangers_sign_in_first(client, world):
    url = reverse("interop:framework_case", args=[world.framework.uuid])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(world.other_district_teacher)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_download_as_spreadsheet_then_import_it_again_changes_nothing(
    client, world, argument, extension
):
    """The spreadsheet holds every stage in the template's columns, and is the framework
    again: imported back, nothing is made or changed."""
    from proficio.interop.spreadsheet.writer import import_framework_file
    from tests.interop.oneroster_support import row_counts

    client.force_login(world.teacher)
    url = reverse("interop:framework_spreadsheet", args=[world.framework.uuid, extension])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="wr-trajectories.{extension}"'
    if extension == "csv":
        text = response.content.decode("utf-8-sig")
        assert "W9,Argument writing" in text and "PK" not in text and ",K," in text
        assert '"I can give a reason.\nI can link reasons with because."' in text

    before = row_counts()
    report = import_framework_file(
        data=response.content,
        source=f"wr-trajectories.{extension}",
        actor=world.district_admin,
        district=world.district,
    )

    assert row_counts() == before
    assert not report.created and not report.updated
    assert report.extra["framework"]["id"] == str(world.framework.uuid)


def test_the_spreadsheet_is_only_for_the_district_and_only_xlsx_or_csv(client, world):
    url = reverse("interop:framework_spreadsheet", args=[world.framework.uuid, "xlsx"])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(world.other_district_teacher)
    assert client.get(url).status_code == 404
    client.force_login(world.teacher)
    odd = reverse("interop:framework_spreadsheet", args=[world.framework.uuid, "pdf"])
    assert client.get(odd).status_code == 404
