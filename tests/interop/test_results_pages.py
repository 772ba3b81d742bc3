"""The standardized results pages: a district's admins keep the mapping (add and remove rules)
and import results files (upload → preview → confirm); nobody else finds either page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.interop.models import ResultMapping
from proficio.interop.results.mapping import result_mapping_add
from proficio.mastery.models import MasteryRecord
from proficio.people.models import Role
from proficio.people.services import person_grant_site_admin
from tests.factories import make_competency, make_person
from tests.interop.conftest import row_counts
from tests.interop.results_support import days_ago, mapped, results_csv

pytestmark = pytest.mark.django_db

__all__ = ["mapped"]  # the fixture

MAPPING = reverse("interop:results_mapping")
UPLOAD = reverse("interop:results_import")
CONFIRM = reverse("interop:results_confirm")


def upload(client, *rows: str, name: str = "spring.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, results_csv(*rows))})


def a_rule(world) -> dict:
    return {
        "assessment": "  State   Math ",
        "band": "Level 3",
        "competency": str(world.competency.uuid),
        "stage": "2",
        "level": "3",
    }


# ---- who finds the pages


@pytest.mark.parametrize(
    "person", ["school_admin", "teacher", "student", "guardian", "other_district_teacher"]
)
def test_only_the_districts_admins_find_the_results_pages(client, mapped, person):
    world = mapped.world
    client.force_login(getattr(world, person))
    before = row_counts()
    assert client.get(MAPPING).status_code == 404
    assert client.get(UPLOAD).status_code == 404
    assert client.post(MAPPING, a_rule(world)).status_code == 404
    assert client.post(MAPPING, {"remove": str(mapped.rules[0].uuid)}).status_code == 404
    rows = (f"S-1,State Reading,{days_ago(3)},1,Below",)
    assert upload(client, *rows).status_code == 404
    assert client.post(CONFIRM, {"upload": "0" * 32}).status_code == 404
    assert row_counts() == before


def test_another_districts_admin_cannot_see_or_remove_this_districts_rules(client, mapped):
    world = mapped.world
    elsewhere = make_person(
        world.other_district_student.district, "elsewhereadmin", Role.DISTRICT_ADMIN, None
    )
    client.force_login(elsewhere)

    page = client.get(MAPPING)
    removing = client.post(MAPPING, {"remove": str(mapped.rules[0].uuid)})
    adding = client.post(MAPPING, a_rule(world))  # a competency of another district

    assert page.status_code == 200 and "State Reading" not in page.content.decode()
    assert removing.status_code == 404
    assert adding.status_code == 422 and "Select a valid choice" in adding.content.decode()
    assert ResultMapping.objects.filter(district=world.district).count() == 4
    assert not ResultMapping.objects.exclude(district=world.district).exists()


def test_someone_not_signed_in_is_sent_to_sign_in(client, mapped):
    before = row_counts()
    for response in (
        client.get(MAPPING),
        client.post(MAPPING, {"remove": str(mapped.rules[0].uuid)}),
        client.get(UPLOAD),
        client.post(CONFIRM, {"upload": "0" * 32}),
    ):
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert row_counts() == before


def test_a_site_admin_keeps_their_own_districts_mapping(client, mapped):
    world = mapped.world
    operator = make_person(world.district, "operator", Role.TEACHER, world.school)
    person_grant_site_admin(person=operator)
    client.force_login(operator)

    assert "State Reading" in client.get(MAPPING).content.decode()
    assert client.post(MAPPING, a_rule(world)).status_code == 302
    assert upload(client, f"S-1,State Math,{days_ago(3)},,Level 3").status_code == 200


def test_the_frameworks_page_links_the_mapping_for_district_admins_only(client, world):
    client.force_login(world.district_admin)
    assert MAPPING in client.get(reverse("interop:frameworks")).content.decode()
    client.force_login(world.teacher)
    assert MAPPING not in client.get(reverse("interop:frameworks")).content.decode()


# ---- the mapping


def test_the_mapping_page_lists_the_rules_by_assessment(client, mapped):
    client.force_login(mapped.world.district_admin)

    content = client.get(MAPPING).content.decode()

    assert "State Reading: band" in content
    for band in ("Below", "Proficient", "Advanced"):
        assert f'<th scope="row">{band}</th>' in content
    assert "W1 Competency W1" in content and "R1 Competency R1" in content
    assert reverse("interop:results_import") in content


def test_an_admin_adds_a_rule_and_the_audit_keeps_it(client, mapped):
    world = mapped.world
    client.force_login(world.district_admin)

    response = client.post(MAPPING, a_rule(world))

    assert response.status_code == 302 and response["Location"] == MAPPING
    rule = ResultMapping.objects.get(assessment="State Math")
    assert (rule.band, rule.competency, rule.stage, rule.level) == (
        "Level 3",
        world.competency,
        2,
        Decimal(3),
    )
    assert "The rule is added." in client.get(MAPPING).content.decode()
    entry = AuditEntry.objects.filter(action="result_mapping.changed").latest("pk")
    assert entry.actor == world.district_admin and entry.district == world.district
    assert entry.data == {
        "added": {
            "assessment": "State Math",
            "band": "Level 3",
            "competency": "W1",
            "stage": 2,
            "level": "3",
        }
    }


def test_every_problem_with_a_rule_is_told_at_once(client, mapped):
    world = mapped.world
    client.force_login(world.district_admin)

    response = client.post(
        MAPPING,
        {
            "assessment": "",
            "band": "",
            "competency": str(world.competency.uuid),
            "stage": "7",
            "level": "9",
        },
    )

    content = response.content.decode()
    assert response.status_code == 422
    for words in (
        "Name the assessment as the results file names it.",
        "Name the band as the results file names it.",
        "W1 has no stage 7 (its stages: 1–3).",
        "9 is not on W1&#x27;s scale (1, 2, 3, 4).",
    ):
        assert words in content
    assert ResultMapping.objects.count() == 4


def test_the_same_band_cannot_be_mapped_twice_to_one_competency(client, mapped):
    world = mapped.world
    client.force_login(world.district_admin)
    rule = {**a_rule(world), "assessment": "state reading", "band": "PROFICIENT", "stage": "1"}

    response = client.post(MAPPING, rule)

    assert response.status_code == 422
    assert "is already mapped to W1: remove that rule first" in response.content.decode()
    other = make_competency(world.framework, "S1")
    assert client.post(MAPPING, {**rule, "competency": str(other.uuid)}).status_code == 302


def test_an_admin_removes_a_rule_and_the_evidence_stays(client, mapped):
    world = mapped.world
    client.force_login(world.district_admin)
    preview = upload(client, f"S-1,State Reading,{days_ago(3)},1,Below")
    client.post(CONFIRM, {"upload": preview.context["confirm"].initial["upload"]})
    rule = mapped.rules[0]

    response = client.post(MAPPING, {"remove": str(rule.uuid)})

    assert response.status_code == 302
    assert Evidence.objects.filter(source=EvidenceSource.STANDARDIZED).count() == 1
    assert not ResultMapping.objects.filter(pk=rule.pk).exists()
    entry = AuditEntry.objects.filter(action="result_mapping.changed").latest("pk")
    assert entry.data["removed"]["band"] == "Below"
    assert client.post(MAPPING, {"remove": str(rule.uuid)}).status_code == 404
    assert client.post(MAPPING, {"remove": "not-a-uuid"}).status_code == 404


# ---- importing


def test_upload_preview_then_confirm_records_the_results(client, mapped):
    world = mapped.world
    client.force_login(world.district_admin)
    before = row_counts()

    preview = upload(
        client,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"classmate,State Reading,{days_ago(20)},,Below",
    )

    content = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: results for Riverside" in content
    assert "The file holds 2 results of 2 students." in content
    assert "Record 3 ratings" in content and "Proficient (1), Below (1)" in content
    assert row_counts() == before
    token = preview.context["confirm"].initial["upload"]

    result = client.post(CONFIRM, {"upload": token})

    assert result.status_code == 200
    assert "Results imported into Riverside" in result.content.decode()
    assert "3 ratings are recorded from 2 results of 2 students" in result.content.decode()
    ratings = Evidence.objects.filter(source=EvidenceSource.STANDARDIZED)
    assert ratings.count() == 3 and {r.assessor for r in ratings} == {world.district_admin}
    assert MasteryRecord.objects.filter(student=world.student, evidence_count=1).exists()
    assert client.post(CONFIRM, {"upload": token}).status_code == 404  # once only

    again = upload(client, f"S-1,State Reading,{days_ago(30)},231,Proficient")
    assert "Every result in this file is already recorded" in again.content.decode()


def test_a_bad_file_shows_each_problem_with_its_line_and_column_and_offers_no_import(
    client, mapped
):
    client.force_login(mapped.world.district_admin)
    before = row_counts()

    response = upload(
        client,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"classmate,State Reading,{days_ago(20)},lots,Below",
        name="bad.csv",
    )

    content = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported: the file has 1 problem." in content
    assert "bad.csv, line 3 · column <code>score</code>" in content
    assert "“lots” is not a number" in content
    assert response.context["confirm"] is None
    assert row_counts() == before


def test_a_cancelled_import_writes_nothing(client, mapped):
    client.force_login(mapped.world.district_admin)
    preview = upload(client, f"S-1,State Reading,{days_ago(3)},1,Below")
    token = preview.context["confirm"].initial["upload"]
    before = row_counts()

    response = client.post(CONFIRM, {"upload": token, "cancel": "1"})

    assert response.status_code == 302 and response["Location"] == UPLOAD
    assert row_counts() == before


def test_the_upload_page_says_when_there_is_no_mapping_yet(client, world):
    client.force_login(world.district_admin)

    content = client.get(UPLOAD).content.decode()

    assert "Riverside has no mapping yet" in content
    assert MAPPING in content
    result_mapping_add(
        actor=world.district_admin,
        district=world.district,
        assessment="State Reading",
        band="Below",
        competency=world.competency,
        stage=1,
        level="2",
    )
    assert "through its mapping of 1 assessment." in client.get(UPLOAD).content.decode()
