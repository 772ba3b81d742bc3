"""The Django admin: every setup model opens for a site admin, nobody else gets in, and
evidence stays append-only."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from proficio.evidence.models import Evidence, EvidenceSource
from proficio.frameworks.models import Competency, Course, Framework, Scale, Stage
from proficio.mastery.models import MasteryPolicy, MasteryRecord, WorkingStage
from proficio.mastery.services import evidence_record
from proficio.people.models import District, GuardianLink, Person, RoleAssignment, School, Section
from proficio.people.services import person_grant_site_admin

SETUP_MODELS = [
    District,
    School,
    Person,
    RoleAssignment,
    GuardianLink,
    Section,
    Scale,
    Framework,
    Course,
    Evidence,
    MasteryPolicy,
    MasteryRecord,
    WorkingStage,
]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def evidence(world) -> Evidence:
    """One rating, so the evidence and mastery lists have rows to show."""
    return evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=3,
        observed_at=timezone.now() - timedelta(days=1),
        source=EvidenceSource.TASK,
        feedback_present="You state your opinion clearly.",
    )


@pytest.fixture
def admin_client(client, world, evidence):
    client.force_login(person_grant_site_admin(person=world.district_admin))
    return client


def test_every_setup_model_is_registered():
    assert set(SETUP_MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_site_admin_opens_every_changelist(admin_client, model):
    assert admin_client.get(changelist(model)).status_code == 200


@pytest.mark.parametrize(
    "model", [Person, Section, Framework, Competency, Stage, Evidence, MasteryRecord]
)
def test_site_admin_opens_a_row(admin_client, model):
    row = model.objects.first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    assert admin_client.get(url).status_code == 200


def test_person_page_shows_their_roles(admin_client, world):
    url = reverse("admin:people_person_change", args=[world.teacher.pk])
    assert "Teacher" in admin_client.get(url).content.decode()


def test_evidence_is_searchable_by_student(admin_client, world):
    found = admin_client.get(changelist(Evidence), {"q": world.student.username})
    missing = admin_client.get(changelist(Evidence), {"q": world.far_student.username})
    assert found.context["cl"].result_count == 1
    assert missing.context["cl"].result_count == 0


def test_evidence_admin_cannot_add_change_or_delete(admin_client, evidence):
    add = reverse("admin:evidence_evidence_add")
    change = reverse("admin:evidence_evidence_change", args=[evidence.pk])
    delete = reverse("admin:evidence_evidence_delete", args=[evidence.pk])
    assert admin_client.get(add).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.post(change, {"level": "1"}).status_code == 403
    assert Evidence.objects.get(pk=evidence.pk).level == 3
    listing = admin_client.get(changelist(Evidence))
    actions = listing.context["cl"].model_admin.get_actions(listing.wsgi_request)
    assert "delete_selected" not in actions


@pytest.mark.parametrize("role", ["teacher", "student", "guardian", "district_admin"])
def test_people_without_staff_status_are_sent_to_the_admin_login(client, world, role):
    client.force_login(getattr(world, role))
    response = client.get(changelist(Evidence))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
