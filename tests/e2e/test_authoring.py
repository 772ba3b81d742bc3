"""A district admin writes a competency with its trajectory in the pages, adds it to a
course, and it shows in that course's sections' gradebooks and nowhere else."""

import re

import pytest
from playwright.sync_api import expect

from proficio.demo.build import load_demo
from proficio.people.models import Section
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAGES = [
    (
        "Taking turns",
        3,
        "Listens and answers in turn.",
        "I can wait for my turn.\nI can answer what was said.",
    ),
    ("Building on", 4, "Builds on what others said.", "I can add to someone's idea."),
    ("Asking", 5, "Asks questions that move talk on.", "I can ask a question that helps."),
    ("Summarising", 6, "Sums up the discussion.", "I can sum up what we agreed."),
    ("Weighing", 7, "Weighs views against evidence.", "I can say which view the evidence backs."),
    ("Leading", 8, "Leads a discussion to a decision.", "I can lead us to a decision."),
]


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


def test_a_new_competency_reaches_only_the_sections_of_the_course_that_targets_it(
    demo, new_page, screenshot
):
    page = new_page()
    sign_in(page, "admin")
    page.goto("/imports/frameworks/")
    page.locator("main a").filter(has_text="Writing").first.click()
    page.get_by_role("link", name="Add a competency").click()
    page.get_by_label("Code").fill("SL1")
    page.get_by_label("Kind").select_option("skill")
    page.get_by_label("Title").fill("Discussion")
    page.get_by_label("What it asks of students").fill("Takes part in discussions that decide.")
    for index, (label, grade, descriptor, statements) in enumerate(STAGES):
        page.locator(f"#id_stage-{index}-label").fill(label)
        page.locator(f"#id_stage-{index}-typical_grade").select_option(str(grade))
        page.locator(f"#id_stage-{index}-descriptor").fill(descriptor)
        page.locator(f"#id_stage-{index}-statements").fill(statements)
    screenshot(page, "authoring-competency")
    page.get_by_role("button", name="Save the competency").click()
    expect(page.get_by_role("heading", name=re.compile("Discussion"))).to_be_visible()
    expect(page.get_by_text("I can lead us to a decision.")).to_be_visible()

    # Revised: a stage retired (kept, with its evidence), one added after the last.
    page.get_by_role("link", name="Edit SL1").click()
    page.locator("#id_stage-5-retired").check()
    page.locator("#id_stage-6-label").fill("Facilitating")
    page.locator("#id_stage-6-statements").fill("I can help a group decide together.")
    screenshot(page, "authoring-edit")
    page.get_by_role("button", name="Save the competency").click()
    expect(page.get_by_text("Stage 7 · Facilitating")).to_be_visible()
    expect(page.locator(".trajectory__stage", has_text="Leading").locator(".badge")).to_have_text(
        "retired"
    )

    page.goto("/frameworks/courses/")
    page.get_by_role("link", name="Writing Studio 5").click()
    page.get_by_label("SL1 Discussion").select_option("3")
    page.get_by_role("button", name="Save the course").click()
    expect(
        page.locator("#course-" + str(Section.objects.get(name="Birch Studio").course.uuid))
    ).to_contain_text("SL1 · stage 3")

    birch = Section.objects.get(name="Birch Studio")
    maple = Section.objects.get(name="Maple Studio")
    page.goto(f"/sections/{birch.uuid}/")
    expect(page.locator(".gradebook__code", has_text="SL1")).to_be_visible()
    screenshot(page, "authoring-gradebook")
    page.goto(f"/sections/{maple.uuid}/")
    expect(page.locator(".gradebook__code", has_text="W1")).to_be_visible()
    expect(page.locator(".gradebook__code", has_text="SL1")).to_have_count(0)
