"""A district admin writes a competency and its trajectory in the pages."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Competency

pytestmark = pytest.mark.django_db

STAGES = [
    (
        "Opinion",
        "3",
        "States an opinion and a reason.",
        "I can say what I think.\nI can give a reason.",
    ),
    ("Reasons", "4", "Reasons are backed by facts.", "I can back a reason with a fact."),
    ("Order", "5", "Reasons build on each other.", "I can order my reasons."),
    ("Sources", "6", "Evidence from sources.", "I can quote a source."),
    ("Counterclaims", "7", "Answers other views.", "I can answer another view."),
    ("Evaluation", "8", "Weighs sources.", "I can judge a source."),
]


def posted(**changes) -> dict:
    data = {
        "code": "W9",
        "title": "Argument writing",
        "kind": "academic",
        "statement": "Writes arguments that support claims.",
        "stage-TOTAL_FORMS": "6",
        "stage-INITIAL_FORMS": "0",
        "stage-MIN_NUM_FORMS": "0",
        "stage-MAX_NUM_FORMS": "20",
    }
    for index, (label, grade, descriptor, statements) in enumerate(STAGES):
        data |= {
            f"stage-{index}-label": label,
            f"stage-{index}-typical_grade": grade,
            f"stage-{index}-descriptor": descriptor,
            f"stage-{index}-statements": statements,
        }
    return data | changes


def url(world) -> str:
    return reverse("frameworks:competency_new", args=[world.framework.uuid])


def test_a_district_admin_writes_a_six_stage_trajectory_with_evidence_statements(client, world):
    client.force_login(world.district_admin)
    assert client.get(url(world)).status_code == 200

    response = client.post(url(world), posted())

    competency = Competency.objects.get(framework=world.framework, code="W9")
    assert response.status_code == 302
    assert response.url.endswith(f"#competency-{competency.uuid}")
    stages = list(competency.stages.order_by("ordinal"))
    assert [(s.ordinal, s.label, s.typical_grade) for s in stages] == [
        (n, label, int(grade)) for n, (label, grade, _, _) in enumerate(STAGES, start=1)
    ]
    assert [e.text for e in stages[0].evidence_statements.order_by("position")] == [
        "I can say what I think.",
        "I can give a reason.",
    ]
    entry = AuditEntry.objects.get(action="competency.written")
    assert entry.actor == world.district_admin and entry.data["stages"] == 6
    page = client.get(response.url.split("#")[0]).content.decode()
    assert "Argument writing" in page and "I can judge a source." in page


def test_blank_rows_are_left_out_and_every_problem_is_told_at_once(client, world):
    client.force_login(world.district_admin)
    data = posted(code="", title="", **{"stage-2-label": ""})
    response = client.post(url(world), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the competency a short code, such as W4." in html
    assert "Give the competency a title." in html and "Stage 3 needs a label." in html
    assert not Competency.objects.filter(title="Argument writing").exists()

    # A row with words but no label is told by its stage; blank rows are simply left out.
    blank_rows = {
        f"stage-{i}-{f}": ""
        for i in (4, 5)
        for f in ("label", "typical_grade", "descriptor", "statements")
    }
    response = client.post(url(world), posted(**{"stage-1-label": ""}, **blank_rows))
    assert "Stage 2 needs a label." in response.content.decode()
    assert not Competency.objects.filter(code="W9").exists()
    assert client.post(url(world), posted(**blank_rows)).status_code == 302
    assert Competency.objects.get(code="W9").stages.count() == 4

    # A taken code is told too, with nothing written.
    response = client.post(url(world), posted(code=world.competency.code))
    assert "already has a competency" in response.content.decode()


@pytest.mark.parametrize(
    "who", ["teacher", "school_admin", "student", "guardian", "other_district_teacher"]
)
def test_only_the_districts_admins_write_its_frameworks(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world), posted()).status_code == 404
    assert not Competency.objects.filter(code="W9").exists()


def test_the_framework_page_offers_writing_only_to_its_admins(client, world):
    page = reverse("interop:framework", args=[world.framework.uuid])
    client.force_login(world.teacher)
    assert url(world) not in client.get(page).content.decode()
    client.force_login(world.district_admin)
    assert url(world) in client.get(page).content.decode()
