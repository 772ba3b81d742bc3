"""Whole journeys in Chromium: a teacher rates, the student and the guardian see it."""

import re

import pytest
from playwright.sync_api import Page, expect

from proficio.demo.build import load_demo
from proficio.frameworks.models import Competency
from proficio.people.models import Person
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FEEDBACK_PRESENT = "Your claim is clear and each reason is backed by a quotation."
FEEDBACK_NEXT = "Next: answer the strongest counterclaim in its own paragraph."


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


def open_students_argument_cell(page: Page, student: Person):
    argument = Competency.objects.get(code="W1")
    page.goto("/")
    page.get_by_role("link", name=re.compile("gradebook", re.I)).first.click()
    row = page.get_by_role("row").filter(has_text=student.display_name)
    cell = row.locator(f"a.cell[href*='{argument.uuid}']")
    cell.click()
    return cell


def test_a_rating_flows_from_teacher_to_student_and_guardian(demo, new_page, screenshot):
    student = Person.objects.get(username="student")

    teacher = new_page()
    sign_in(teacher, "teacher")
    cell = open_students_argument_cell(teacher, student)
    cell_id = cell.get_attribute("id")
    before = teacher.locator(f"#{cell_id}").inner_text()
    panel = teacher.locator("#panel")
    expect(panel.get_by_role("heading", name=re.compile("record a rating", re.I))).to_be_visible()
    form = panel.locator("form.rating-form")
    stage = form.get_by_label("Stage").input_value()
    form.locator("label.level-option").filter(has_text="Advanced").click()
    form.get_by_label("What is present").fill(FEEDBACK_PRESENT)
    form.get_by_label("Next step").fill(FEEDBACK_NEXT)
    url_before = teacher.url
    form.get_by_role("button", name=re.compile("save rating", re.I)).click()
    expect(panel.get_by_text(re.compile("rating saved", re.I))).to_be_visible()
    expect(panel.get_by_text(FEEDBACK_PRESENT)).to_be_visible()
    assert teacher.url == url_before, "the rating is saved in place, without a page load"
    cell_after = teacher.locator(f"#{cell_id}")
    # The cell shows where its working stage stands, the new rating beside it as "latest".
    expect(cell_after).to_contain_text("latest 4")
    assert cell_after.inner_text() != before or "latest 4" in before
    screenshot(teacher, "gradebook")

    pupil = new_page()
    sign_in(pupil, "student")
    pupil.get_by_role("link", name="My progress").click()
    expect(pupil.get_by_text(FEEDBACK_NEXT).first).to_be_visible()
    expect(pupil.get_by_text("Teacher's next step").first).to_be_visible()
    evidence = pupil.locator("details").filter(has_text=FEEDBACK_PRESENT).last
    evidence.locator("summary").first.click()
    expect(evidence.get_by_text(FEEDBACK_PRESENT).first).to_be_visible()
    explanation = pupil.locator("details").filter(has_text=re.compile("how was this", re.I))
    expect(explanation.first).to_be_attached()
    expect(pupil.get_by_text(re.compile(r"Method: ", re.I)).first).to_be_attached()
    screenshot(pupil, "student")

    family = new_page(width=390, height=844)
    sign_in(family, "guardian")
    family.get_by_role("link", name=re.compile(student.first_name)).first.click()
    expect(family.get_by_text(FEEDBACK_NEXT).first).to_be_visible()
    expect(family.get_by_role("heading", name=re.compile("record a rating", re.I))).to_have_count(0)
    # The family's short page first, in plain words; every detail one link away.
    expect(family.get_by_role("heading", name=re.compile("is growing"))).to_be_visible()
    expect(family.get_by_text("Age-grade")).to_have_count(0)
    screenshot(family, "guardian-child")
    assert stage  # the form offered the working stage by default
    family.goto("/")
    # On the family page, on a phone: the teacher's words, a word for on track or not (in
    # words as well as colour), the latest work's date and the child's teacher to contact.
    amara = family.locator(".family").filter(has_text=student.first_name).first
    expect(amara.get_by_text(FEEDBACK_NEXT).first).to_be_visible()
    expect(amara.locator(".track").first).to_have_text(
        re.compile("Ahead|On track|Needs support|Too early to tell")
    )
    expect(amara.get_by_text(re.compile("latest work")).first).to_be_visible()
    expect(amara.get_by_text("Elena Márquez")).to_be_visible()
    screenshot(family, "guardian")


def test_a_student_typing_another_students_address_gets_not_found(demo, new_page):
    classmate = Person.objects.filter(roles__role="student").exclude(username="student").first()
    page = new_page()
    sign_in(page, "student")
    response = page.goto(f"/students/{classmate.uuid}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name=re.compile("could not find", re.I))).to_be_visible()
    expect(page.get_by_text(classmate.last_name)).to_have_count(0)


def test_a_teacher_withdraws_a_rating_in_error_and_corrects_another(demo, new_page, screenshot):
    student = Person.objects.get(username="student")
    argument = Competency.objects.get(code="W1")
    teacher = new_page()
    sign_in(teacher, "teacher")
    teacher.goto(f"/students/{student.uuid}/competencies/{argument.uuid}/")
    for level in ("Beginning", "Advanced"):
        form = teacher.locator("form.rating-form")
        form.locator("label.level-option").filter(has_text=level).click()
        form.get_by_role("button", name=re.compile("save rating", re.I)).click()
        # This rating's own message: the panel has been swapped in with it.
        saved = teacher.get_by_text(re.compile(f"rating saved: .*{level}", re.I))
        expect(saved.first).to_be_visible()

    # The newest (Advanced) was meant for another student.
    teacher.get_by_role("link", name="Withdraw — recorded in error").first.click()
    expect(
        teacher.get_by_role("heading", name="Withdraw a rating recorded in error")
    ).to_be_visible()
    teacher.get_by_label("Why was it recorded in error?").fill("Rated the wrong student.")
    teacher.get_by_role("button", name="Withdraw this rating").click()
    expect(teacher.get_by_text("Rating withdrawn: it stays in the history")).to_be_visible()
    expect(teacher.get_by_text("withdrawn, no longer counted").first).to_be_visible()
    expect(teacher.get_by_text("Rated the wrong student.").first).to_be_visible()

    # The Beginning one was a misread rubric: it becomes Developing.
    teacher.get_by_role("link", name="Correct", exact=True).first.click()
    teacher.locator("label.level-option").filter(has_text="Developing").click()
    teacher.get_by_label("Why are you correcting it?").fill("Misread the rubric.")
    teacher.get_by_role("button", name="Save the correction").click()
    expect(teacher.get_by_text("Correction saved: it replaces the earlier rating.")).to_be_visible()
    expect(teacher.get_by_text("replaced by a later correction").first).to_be_visible()
    screenshot(teacher, "evidence-corrections")
