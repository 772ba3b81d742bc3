"""A district admin previews a roster that names the district differently: renaming is a box
to tick, the warnings say what is hard to take back, and the button says what it will do."""

import re

import pytest
from playwright.sync_api import expect

from proficio.demo.build import load_demo
from proficio.people.models import District
from tests.e2e.helpers import sign_in
from tests.interop.oneroster_support import PACKAGE_1_1, copy_package, zip_package

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


def test_renaming_the_district_is_a_choice_on_the_preview(demo, new_page, screenshot, tmp_path):
    package = zip_package(copy_package(PACKAGE_1_1, tmp_path), tmp_path / "roster.zip")
    page = new_page()
    sign_in(page, "admin")
    page.goto("/imports/oneroster/")
    page.get_by_label("OneRoster package (.zip)").set_input_files(package)
    page.get_by_role("button", name=re.compile("preview", re.I)).click()

    rename = page.get_by_label(re.compile("Rename Riverside Unified to"))
    expect(rename).not_to_be_checked()
    expect(page.get_by_role("button", name=re.compile(r"^Import \d+ people$"))).to_be_visible()
    rename.check()
    page.get_by_role("button", name="Update the preview").click()
    expect(page.get_by_text("Check before importing:")).to_be_visible()
    renamed = page.get_by_text(re.compile("The district is renamed from Riverside Unified"))
    expect(renamed).to_be_visible()
    screenshot(page, "roster-preview")

    page.get_by_role("button", name=re.compile(r"people and rename the district")).click()
    their_name = "Maple Valley Unified School District"
    expect(page.get_by_role("heading", name=f"Roster imported into {their_name}")).to_be_visible()
    assert District.objects.get().name == their_name
