"""A district admin revises a competency in the pages: rewords it and its stages, adds stages
at the end, retires one. Stages keep their numbers and their evidence; a retired stage takes
no new ratings (in the pages or the services) but a correction may stay on it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence
from proficio.evidence.services import evidence_append
from proficio.frameworks.models import EvidenceStatement, Stage
from proficio.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def url(world) -> str:
    return reverse("frameworks:competency_edit", args=[world.framework.uuid, world.competency.uuid])


def rate(world, stage: int, **more) -> Evidence:
    return evidence_append(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=stage,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=1),
        source="observation",
        **more,
    )


def posted(world, page, **changes) -> dict:
    """The form as the page filled it in, with `changes` (field names as posted)."""
    form = page.context["form"]
    stages = page.context["stages"]
    data = {name: form.initial.get(name, "") for name in ("code", "title", "kind", "statement")}
    data |= {f"stage-{key}": value for key, value in stages.management_form.initial.items()}
    for index, row in enumerate(stages):
        for name in ("stage", "label", "typical_grade", "descriptor", "statements"):
            value = row.initial.get(name)
            data[f"stage-{index}-{name}"] = "" if value is None else str(value)
        if row.initial.get("retired"):
            data[f"stage-{index}-retired"] = "on"
    return data | changes


def test_rewording_adding_and_retiring_keeps_every_stage_and_its_evidence(client, world):
    rated = rate(world, 2)
    client.force_login(world.district_admin)
    page = client.get(url(world))
    assert page.status_code == 200
    before = {stage.ordinal: stage.uuid for stage in world.competency.stages.all()}
    statement = EvidenceStatement.objects.get(
        stage__competency=world.competency, position=0, stage__ordinal=1
    )

    response = client.post(
        url(world),
        posted(
            world,
            page,
            title="Argument writing",
            **{
                "stage-0-label": "Opinion",
                "stage-0-statements": "I can say what I think.\nI can give a reason.",
                "stage-1-retired": "on",
                "stage-3-label": "Counterclaims",
                "stage-3-statements": "I can answer another view.",
            },
        ),
    )

    assert response.status_code == 302
    stages = {stage.ordinal: stage for stage in Stage.objects.filter(competency=world.competency)}
    assert {n: stages[n].uuid for n in before} == before, "no stage renumbered or replaced"
    assert stages[1].label == "Opinion" and stages[2].retired and not stages[1].retired
    assert stages[4].label == "Counterclaims" and not stages[4].retired
    assert [s.text for s in stages[1].evidence_statements.all()] == [
        "I can say what I think.",
        "I can give a reason.",
    ]
    assert EvidenceStatement.objects.get(pk=statement.pk).text == "I can say what I think."
    assert Evidence.objects.get(pk=rated.pk).stage_id == stages[2].pk
    entry = AuditEntry.objects.get(action="competency.revised")
    assert entry.data["stages_added"] == 1 and entry.data["stages_retired"] == 1

    framework_page = client.get(reverse("interop:framework", args=[world.framework.uuid]))
    assert "retired" in framework_page.content.decode()


def test_a_retired_stage_takes_no_new_rating_but_a_correction_may_stay_on_it(client, world):
    first = rate(world, 2)
    Stage.objects.filter(competency=world.competency, ordinal=2).update(retired=True)
    world.competency.refresh_from_db()

    with pytest.raises(InvalidInput) as refused:
        rate(world, 2)
    assert "Stage 2 of W1 is retired" in refused.value.errors["stage"]

    corrected = rate(world, 2, supersedes=first, reason="Wrong level")
    assert corrected.stage.ordinal == 2

    client.force_login(world.teacher)
    page = client.get(
        reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    )
    choices = [value for value, _ in page.context["form"].fields["stage"].choices]
    assert 2 not in choices and 1 in choices


def test_every_problem_is_told_and_nothing_changes(client, world):
    client.force_login(world.district_admin)
    page = client.get(url(world))
    data = posted(world, page, title="", **{"stage-0-label": ""})
    for index in range(3):
        data[f"stage-{index}-retired"] = "on"

    response = client.post(url(world), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Stage 1 needs a label." in html and "Give the competency a title." in html
    assert not Stage.objects.filter(competency=world.competency, retired=True).exists()
    assert world.competency.stages.get(ordinal=1).label == "Stage 1"


def test_a_stage_list_changed_meanwhile_is_refused(client, world):
    client.force_login(world.district_admin)
    page = client.get(url(world))
    data = posted(world, page)
    Stage.objects.create(competency=world.competency, ordinal=4, label="Added elsewhere")

    response = client.post(url(world), data)

    assert "changed while you were editing it" in response.content.decode()


@pytest.mark.parametrize("who", ["teacher", "school_admin", "student", "other_district_teacher"])
def test_only_the_districts_admins_revise(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world), {"title": "x"}).status_code == 404


def test_the_preview_shows_the_competency_as_a_student_first_sees_it(client, world):
    preview = reverse("mastery:competency_preview", args=[world.competency.uuid])
    client.force_login(world.district_admin)

    page = client.get(preview)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Where I am · what's next" in html and "The student can do 1." in html
    assert "Working here" in html
    assert preview in client.get(url(world)).content.decode()


@pytest.mark.parametrize("who", ["teacher", "student", "guardian", "other_district_teacher"])
def test_only_those_who_write_the_framework_preview_it(client, world, who):
    client.force_login(getattr(world, who))
    preview = reverse("mastery:competency_preview", args=[world.competency.uuid])
    assert client.get(preview).status_code == 404
