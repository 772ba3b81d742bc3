"""A district admin changes the mastery policy; the recompute runs and history stays visible."""

import re

import pytest
from playwright.sync_api import expect

from proficio.demo.build import load_demo
from proficio.frameworks.models import Competency
from proficio.people.models import Person
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


def test_a_policy_change_previews_recomputes_and_keeps_history(demo, new_page, screenshot):
    admin = new_page()
    sign_in(admin, "admin")
    admin.get_by_role("link", name="Mastery policies").click()
    admin.get_by_label("Calculation method").select_option("highest")
    admin.get_by_role("button", name="Preview").click()
    preview = admin.get_by_role("heading", name=re.compile("what this change would do", re.I))
    expect(preview).to_be_visible()
    expect(admin.get_by_text(re.compile(r"would see their mastery change"))).to_be_visible()
    admin.get_by_role("button", name=re.compile("save and recompute", re.I)).click()
    expect(admin.get_by_text(re.compile("saved version 2", re.I))).to_be_visible()
    expect(admin.locator(".run--done").first).to_be_visible()
    screenshot(admin, "policies")

    student = Person.objects.get(username="student")
    argument = Competency.objects.get(code="W1")
    teacher = new_page()
    sign_in(teacher, "teacher")
    teacher.goto(f"/students/{student.uuid}/competencies/{argument.uuid}/")
    expect(
        teacher.get_by_text(re.compile(r"Under the previous policy \(Decaying average, v1")).first
    ).to_be_attached()


def test_a_change_that_removes_mastery_is_explained_and_confirmed_and_an_override_removed(
    demo, new_page, screenshot
):
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/policies/")
    admin.get_by_label("Calculation method").select_option("mean")
    admin.wait_for_load_state("networkidle")
    admin.get_by_label("Mastery threshold").fill("4")
    admin.get_by_role("button", name="Preview").click()
    expect(
        admin.get_by_text(re.compile(r"Saving removes mastery from \d+ students"))
    ).to_be_visible()
    expect(
        admin.get_by_text(re.compile(r"would no longer be mastered: mean [\d.]+ is below 4")).first
    ).to_be_visible()
    screenshot(admin, "policy-confirm")

    admin.get_by_role("button", name="Save this change and recompute").click()
    expect(
        admin.get_by_text(re.compile("Tick the box under the preview to confirm"))
    ).to_be_visible()
    admin.get_by_label(re.compile(r"Yes, remove mastery of \d+ stages")).check()
    admin.get_by_role("button", name="Save this change and recompute").click()
    expect(admin.get_by_text(re.compile("saved version 2", re.I))).to_be_visible()

    admin.get_by_label("Applies to").select_option(label="Cedar Grove K-8")
    admin.wait_for_load_state("networkidle")
    admin.get_by_role("button", name="Preview").click()
    admin.get_by_role("button", name="Save this change and recompute").click()
    expect(admin.get_by_text(re.compile("of the policy for Cedar Grove K-8"))).to_be_visible()
    admin.get_by_role("link", name="Remove this override").click()
    expect(admin.get_by_text("Remove the policy of its own from Cedar Grove K-8")).to_be_visible()
    admin.get_by_role("button", name="Preview").click()
    # The form above the preview has the same button: wait for the preview's own.
    expect(admin.get_by_role("heading", name="What this change would do")).to_be_visible()
    admin.get_by_role("button", name="Remove and recompute").last.click()
    expect(
        admin.get_by_text("Cedar Grove K-8 now follows the broader policy (version 2).")
    ).to_be_visible()
    expect(admin.get_by_text("In force: follows the broader policy")).to_be_visible()
