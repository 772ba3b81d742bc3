"""The Django admin: every setup model opens for a site admin, nobody else gets in, and
evidence stays append-only."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.frameworks.models import Competency, Course, Framework, Scale, Stage
from proficio.frameworks.services import framework_create, scale_create
from proficio.lib.admin import DistrictScoped
from proficio.mastery.models import MasteryPolicy, MasteryRecord, WorkingStage
from proficio.mastery.services import evidence_record
from proficio.people.models import (
    ApiToken,
    District,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
)
from proficio.people.services import (
    api_token_issue,
    guardian_link,
    person_grant_district_admin_site,
    person_grant_site_admin,
    section_create,
    section_enroll,
)
from tests.factories import FOUR_LEVELS, PASSWORD, make_competency, make_person

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


# ---- a district admin in the admin site sees their district only --------------------------


@pytest.fixture
def two_districts(world, evidence):
    """The world's district, and Elsewhere with a section, a framework and a rating."""
    elsewhere = world.other_district_student.district
    school = world.other_district_student.roles.get().school
    scale = scale_create(district=elsewhere, name="Elsewhere levels", levels=FOUR_LEVELS)
    framework = framework_create(district=elsewhere, code="EL", title="Else", scale=scale)
    competency = make_competency(framework, "E1")
    section = section_create(
        school=school, name="Elsewhere studio", teachers=[world.other_district_teacher]
    )
    section_enroll(section=section, student=world.other_district_student)
    guardian = make_person(elsewhere, "elsewhereguardian", Role.GUARDIAN, None)
    guardian_link(guardian=guardian, student=world.other_district_student)
    evidence_record(
        assessor=world.other_district_teacher,
        student=world.other_district_student,
        competency=competency,
        stage=1,
        level=2,
        observed_at=timezone.now() - timedelta(days=1),
        source=EvidenceSource.TASK,
    )
    for person in (world.teacher, world.other_district_teacher):
        api_token_issue(person=person)
    return world


@pytest.fixture
def district_admin_client(client, two_districts):
    client.force_login(person_grant_district_admin_site(person=two_districts.district_admin))
    return client


def listed(client, model) -> set:
    response = client.get(changelist(model))
    assert response.status_code == 200
    return set(response.context["cl"].queryset)


@pytest.mark.parametrize(
    ("model", "district_of"),
    [
        (Person, lambda row: row.district),
        (RoleAssignment, lambda row: row.district),
        (GuardianLink, lambda row: row.student.district),
        (School, lambda row: row.district),
        (Section, lambda row: row.school.district),
        (Framework, lambda row: row.district),
        (Competency, lambda row: row.framework.district),
        (Evidence, lambda row: row.student.district),
        (MasteryRecord, lambda row: row.student.district),
        (WorkingStage, lambda row: row.student.district),
        (AuditEntry, lambda row: row.district),
        (District, lambda row: row),
        (ApiToken, lambda row: row.person.district),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_district_admin_lists_only_their_districts_rows(
    district_admin_client, two_districts, model, district_of
):
    rows = listed(district_admin_client, model)
    assert rows, "nothing to compare"
    assert {district_of(row) for row in rows} == {two_districts.district}
    everywhere = {district_of(row) for row in model.objects.all()}
    assert len(everywhere - {None}) == 2  # the other district has rows the admin does not see


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: reverse("admin:people_person_change", args=[w.other_district_student.pk]),
        lambda w: reverse("admin:people_person_delete", args=[w.other_district_student.pk]),
        lambda w: reverse("admin:people_person_change", args=[w.other_district_teacher.pk]),
        lambda w: reverse("admin:auth_user_password_change", args=[w.other_district_student.pk]),
        lambda w: reverse(
            "admin:evidence_evidence_change",
            args=[Evidence.objects.get(student=w.other_district_student).pk],
        ),
        lambda w: reverse(
            "admin:people_district_change", args=[w.other_district_student.district_id]
        ),
    ],
)
def test_a_district_admin_cannot_open_another_districts_row_by_url(
    district_admin_client, two_districts, url_of
):
    url = url_of(two_districts)
    response = district_admin_client.get(url)
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")  # "does not exist", not a page of it


def test_a_district_admin_cannot_change_another_districts_person(
    district_admin_client, two_districts
):
    other = two_districts.other_district_student
    url = reverse("admin:people_person_change", args=[other.pk])
    district_admin_client.post(url, {"username": "taken-over", "first_name": "X"})
    other.refresh_from_db()
    assert other.username == "elsewherestudent"


def test_a_district_admin_cannot_reach_a_site_operator_of_their_own_district(
    district_admin_client, two_districts
):
    operator = person_grant_site_admin(person=two_districts.school_admin)
    assert operator not in listed(district_admin_client, Person)
    password = reverse("admin:auth_user_password_change", args=[operator.pk])
    response = district_admin_client.post(
        password, {"password1": "Taken-over-2026!", "password2": "Taken-over-2026!"}
    )
    assert response.status_code in (302, 403, 404)
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)


def test_a_district_admin_is_offered_only_their_districts_choices(
    district_admin_client, two_districts
):
    page = district_admin_client.get(reverse("admin:people_roleassignment_add"))
    form = page.context["adminform"].form
    assert set(form.fields["district"].queryset) == {two_districts.district}
    assert two_districts.other_district_student.district not in set(
        form.fields["district"].queryset
    )
    assert set(form.fields["school"].queryset) == {two_districts.school, two_districts.other_school}
    search = district_admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "elsewhere",
            "app_label": "people",
            "model_name": "roleassignment",
            "field_name": "person",
        },
    )
    assert search.status_code == 200
    assert search.json()["results"] == []


def test_a_district_admin_cannot_make_anyone_a_superuser(district_admin_client, two_districts):
    teacher = two_districts.teacher
    url = reverse("admin:people_person_change", args=[teacher.pk])
    page = district_admin_client.get(url)
    assert "is_superuser" not in page.context["adminform"].form.fields
    assert "is_staff" not in page.context["adminform"].form.fields


def test_a_district_admin_cannot_add_a_district(district_admin_client):
    assert district_admin_client.get(reverse("admin:people_district_add")).status_code == 403


def test_a_staff_person_who_administers_no_district_sees_no_model(client, two_districts):
    teacher = person_grant_district_admin_site(person=two_districts.teacher)
    client.force_login(teacher)
    assert client.get(reverse("admin:index")).context["app_list"] == []
    assert client.get(changelist(Person)).status_code == 403


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_page_is_district_scoped_or_closed_to_a_district_admin(
    district_admin_client, model
):
    """An admin added later without a district scope is not shown to district admins."""
    response = district_admin_client.get(changelist(model))
    if isinstance(admin.site._registry[model], DistrictScoped):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
