"""A fresh installation set up in the browser: the wizard, on a desktop and on a phone."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from proficio.onboarding.api import setup_code
from proficio.people.models import District, Person, Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path))


@pytest.mark.parametrize("width", [1280, 390])
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_setup_wizard_makes_a_district_whose_admin_lands_signed_in(
    new_page, screenshot, own_home, width
):
    page = new_page(width=width)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup/$"))
    expect(page.get_by_role("heading", name="Set up your district")).to_be_visible()
    page.get_by_role("button", name="Set up the district").click()
    expect(page.get_by_role("alert")).to_contain_text("There are problems with 7 answers")
    if width == 1280:
        screenshot(page, "setup-wizard-errors")

    page.get_by_label("Setup code").fill(setup_code())
    page.get_by_label("District name").fill("Harbor Point Schools")
    page.get_by_label("First school").fill("Harbor Point High")
    page.get_by_text("Five levels from 0 (0–4, mastery at 3)").click()
    page.get_by_label("Your first name").fill("Jo")
    page.get_by_label("Your last name").fill("Rivera")
    page.get_by_label("Username").fill("jrivera")
    page.get_by_label("Email").fill("j.rivera@harborpoint.org")
    page.get_by_label("Password", exact=True).fill("tide-pool-lantern-88")
    page.get_by_label("Password again").fill("tide-pool-lantern-88")
    if width == 1280:
        screenshot(page, "setup-wizard")
    page.get_by_role("button", name="Set up the district").click()

    expect(page.get_by_role("heading", name="District administration")).to_be_visible()
    district = District.objects.get()
    assert district.name == "Harbor Point Schools"
    admin = Person.objects.get(username="jrivera")
    assert admin.roles.filter(role=Role.DISTRICT_ADMIN, district=district).exists()
