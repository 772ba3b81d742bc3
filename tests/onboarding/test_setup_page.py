"""The first-run wizard at /setup/: a fresh installation's district, set up in the browser."""

import pytest
from django.test import override_settings
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.onboarding.api import setup_code, setup_code_path
from proficio.people.models import District, Person, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing", "own_home")]


@pytest.fixture
def fast_hashing():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    """A home of the test's own, so the setup code file is the test's."""
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path))


def answers(**changes) -> dict:
    return {
        "code": setup_code(),
        "district": "Harbor Point Schools",
        "school": "Harbor Point High",
        "first_name": "Jo",
        "last_name": "Rivera",
        "username": "jrivera",
        "email": "j.rivera@harborpoint.org",
        "password": "tide-pool-lantern-88",
        "password_again": "tide-pool-lantern-88",
        "scale": "1-4",
        **changes,
    }


def test_a_fresh_installation_sends_every_visitor_to_setup(client):
    assert client.get("/").url == reverse("onboarding:setup")
    page = client.get(reverse("onboarding:setup"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Set up your district" in content
    assert str(setup_code_path()) in content
    assert "Four levels (1–4, mastery at 3)" in content and "3 Proficient" in content


def test_the_wizard_sets_up_the_district_and_signs_its_admin_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("onboarding:setup"), answers(scale="1-5"))

    assert response.status_code == 302 and response.url == reverse("home")
    district = District.objects.get()
    admin = Person.objects.get(username="jrivera")
    assert (admin.first_name, admin.last_name, admin.district) == ("Jo", "Rivera", district)
    assert admin.roles.filter(role=Role.DISTRICT_ADMIN, active=True).exists()
    home = client.get("/").content.decode()
    assert "District administration" in home
    assert AuditEntry.objects.filter(action="district.set_up").count() == 1
    assert not setup_code_path().exists()
    assert client.get(reverse("onboarding:setup")).status_code == 404


def test_a_wrong_code_sets_up_nothing(client):
    response = client.post(reverse("onboarding:setup"), answers(code="0000-0000-0000"))

    assert response.status_code == 200
    assert "That is not this installation&#x27;s setup code." in response.content.decode()
    assert not District.objects.exists() and not Person.objects.exists()


def test_every_problem_is_shown_at_once(client):
    response = client.post(
        reverse("onboarding:setup"),
        answers(district="", email="nope", password_again="other"),
    )

    content = response.content.decode()
    assert "There are problems with 3 answers" in content
    for message in (
        "District name: This field is required.",
        "Email: Enter a valid email address.",
        "Password again: The two passwords differ.",
    ):
        assert message in content
    assert not District.objects.exists()


def test_the_services_rules_reach_the_form_too(client):
    response = client.post(
        reverse("onboarding:setup"),
        answers(username="j rivera", password="123", password_again="123"),
    )

    content = response.content.decode()
    assert "Username: Use letters, digits and @ . + - _ only in a username." in content
    assert "Password: This password is too short." in content
    assert not District.objects.exists()
