"""Agency and family, in Chromium: a student sets a goal tied to a competency → their mentor
records a check-in → the student adds their work on a task to the portfolio with a
reflection → prepares a conference, makes the agenda theirs and shares it → their guardian,
on a 390 px phone in Spanish, reads the agenda and, once it is held, acknowledges it → the
next step agreed becomes one of the student's goals."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from proficio.agency.models import Conference, Goal, PortfolioPiece
from proficio.mastery.services import evidence_record
from proficio.people.services import mentorship_begin
from proficio.work.data import Alignment, WorkRating
from proficio.work.services import review_record, revision_save, task_assign, task_create
from tests.factories import PASSWORD, build_world
from tests.mastery.varied import policy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str, button: str = "sign in") -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator(".topbar__account")).to_be_visible()


@pytest.fixture
def school(transactional_db):
    world = build_world()
    policy(world, "latest", minimum_evidence=1)
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=3),
        source="observation",
    )
    task = task_create(
        author=world.teacher,
        title="An opinion with reasons",
        instructions="Write your opinion and three reasons.",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision = revision_save(
        student=world.student, task=task, text="Our school should plant a garden.", submit=True
    )
    review_record(
        reviewer=world.teacher,
        revision=revision,
        decision="rated",
        ratings=[WorkRating(competency=world.competency, stage=2, level=Decimal(3))],
    )
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    return world


def test_a_student_leads_a_conference_the_family_reads_in_spanish(
    school, browser, live_server, new_page, screenshot
):
    world = school
    student = new_page()
    sign_in(student, "student")

    # A goal tied to a competency and a stage.
    student.get_by_role("navigation").get_by_role("link", name="My goals").click()
    student.get_by_role("link", name="Set a goal").click()
    student.get_by_label("My goal").fill("Back every reason with evidence")
    student.get_by_label("Why it matters to me").fill("My reasons need support.")
    student.get_by_label("Competency or skill").select_option(label="W1 · Competency W1")
    student.get_by_label("Stage", exact=True).fill("3")
    student.get_by_label("Steps").fill(
        "Find two sources for each reason\nQuote one in each paragraph"
    )
    student.get_by_role("button", name="Set the goal").click()
    expect(student.get_by_role("heading", name="Back every reason with evidence")).to_be_visible()
    goal = Goal.objects.get(student=world.student)
    screenshot(student, "agency-goal")

    # The mentor's check-in on it.
    mentor = new_page()
    sign_in(mentor, "otherteacher")
    mentor.get_by_role("navigation").get_by_role("link", name="Mentoring").click()
    expect(mentor.get_by_role("link", name=world.student.display_name)).to_be_visible()
    screenshot(mentor, "agency-mentoring")
    mentor.get_by_role("link", name="Record a check-in").click()
    mentor.get_by_label("What you talked about").fill(
        "Two reasons have sources; the third not yet."
    )
    mentor.get_by_label("Actions you agreed").fill("Ask the librarian for a source by Friday.")
    mentor.get_by_label("Back every reason with evidence").check()
    mentor.get_by_role("button", name="Save the check-in").click()
    expect(mentor.get_by_text("Check-in recorded.")).to_be_visible()
    assert goal.check_ins.count() == 1

    # The student's work on the task into the portfolio, with a reflection.
    student.get_by_role("navigation").get_by_role("link", name="My portfolio").click()
    student.get_by_role("link", name="Add a piece", exact=True).click()
    student.get_by_label("Work I handed in on a task").check()
    student.get_by_label("Work on a task", exact=True).select_option(index=1)
    student.get_by_label("Title").fill("My opinion piece")
    student.get_by_label("My reflection").fill("Every reason has evidence now.")
    student.get_by_label("W1 · Competency W1").check()
    student.get_by_label("My family may see it").check()
    student.get_by_role("button", name="Add it").click()
    expect(student.get_by_text("Added to your portfolio.")).to_be_visible()
    piece = PortfolioPiece.objects.get(student=world.student)
    assert piece.kind == "revision" and piece.shared_with_family

    # The conference: Proficio drafts the agenda, the student makes it theirs and shares it.
    student.get_by_role("navigation").get_by_role("link", name="My portfolio").click()
    student.get_by_role("link", name="My conferences").click()
    student.get_by_role("button", name="Prepare my next conference").click()
    expect(student.get_by_role("heading", name="What I mastered")).to_be_visible()
    student.get_by_label("My opinion piece").check()
    student.get_by_label("What I want to say").fill("I will start with my opinion piece.")
    student.get_by_label("The questions I will ask").fill("Which book should I read next?")
    student.get_by_role("button", name="Save and share with the people coming").click()
    expect(student.get_by_text("Shared: the people coming can read your agenda.")).to_be_visible()
    conference = Conference.objects.get(student=world.student)
    assert conference.shared_at is not None
    screenshot(student, "agency-conference")

    # The guardian, on a phone with a Spanish browser, reads the agenda from the family page.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, locale="es-ES"
    )
    guardian = phone.new_page()
    sign_in(guardian, "guardian")
    expect(guardian.get_by_role("heading", name="Mis hijos")).to_be_visible()
    guardian.get_by_role("link", name=re.compile("Leer la agenda|lea la agenda")).click()
    expect(guardian.get_by_role("heading", name="Lo que domino ahora")).to_be_visible()
    expect(guardian.get_by_text("Which book should I read next?")).to_be_visible()
    screenshot(guardian, "agency-conference-family-es")

    # Held: the mentor records it with a next step; the guardian acknowledges it.
    mentor.goto(f"/agency/conferences/{conference.uuid}/")
    mentor.get_by_text("Record the conference once it is held").click()
    mentor.get_by_label("Notes from the conference").fill("She led it with confidence.")
    mentor.get_by_label("Next steps agreed").fill("Read one longer book each month")
    mentor.get_by_role("button", name="Save the record").click()
    expect(mentor.get_by_text("The conference is recorded.")).to_be_visible()
    guardian.reload()
    guardian.get_by_role("button", name="Participé y estoy de acuerdo con estas notas").click()
    expect(guardian.get_by_text("Gracias: su confirmación quedó registrada.")).to_be_visible()
    assert conference.participants.get(person=world.guardian).acknowledged_at is not None

    # The next step becomes the student's goal.
    student.reload()
    student.get_by_role("button", name="Make it my goal").click()
    expect(student.get_by_role("heading", name="Read one longer book each month")).to_be_visible()
    student.get_by_role("navigation").get_by_role("link", name="My goals").click()
    expect(student.get_by_role("link", name="Read one longer book each month")).to_be_visible()
    assert Goal.objects.filter(student=world.student).count() == 2
    phone.close()
