"""Calibration, in Chromium: the facilitator opens a session of three pieces → three teachers
rate blind (one who has not rated sees nobody's ratings) → the reveal shows the spread and the
agreement → the group records a consensus for each piece → one piece is promoted to an
exemplar → a second teacher confirms its anonymisation → a student working at that stage
reads it among their examples of quality work."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from proficio.calibration.models import CalibrationSession, Exemplar
from proficio.mastery.services import evidence_record
from proficio.people.api import Role, person_create, role_assign, section_enroll
from proficio.work.data import Alignment
from proficio.work.services import revision_save, task_assign, task_create
from tests.e2e.test_advancement_journey import sign_in
from tests.factories import PASSWORD, build_world, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each teacher's reading of the three pieces: close, but not the same.
# Pieces come newest first: the student's two lines, the classmate's, then Amara's argument.
READINGS = {
    "teacher": ("Beginning", "Developing", "Proficient"),
    "otherteacher": ("Beginning", "Proficient", "Proficient"),
    "thirdteacher": ("Developing", "Developing", "Advanced"),
}


@pytest.fixture
def school(transactional_db):
    world = build_world()
    make_person(world.district, "thirdteacher", Role.TEACHER, world.school)
    amara = person_create(
        district=world.district,
        username="amara.okafor",
        first_name="Amara",
        last_name="Okafor",
        password=PASSWORD,
    )
    role_assign(person=amara, role=Role.STUDENT, district=world.district, school=world.school)
    section_enroll(section=world.section, student=amara)
    task = task_create(
        author=world.teacher,
        title="Should the river have room?",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision_save(
        student=amara,
        task=task,
        text=(
            "Rivers need room, argues Amara Okafor. First, floods spread out on open land. "
            "Second, wetlands clean the water. So the town should keep the meadow free."
        ),
        submit=True,
        files=[SimpleUploadedFile("Amara Okafor notes.txt", b"Notes by Amara Okafor.")],
    )
    revision_save(
        student=world.classmate,
        task=task,
        text="The river should have room because floods are bad.",
        submit=True,
    )
    revision_save(student=world.student, task=task, text="Rivers.", submit=True)
    # The student has mastered stage 1: they work at stage 2, where the exemplar will be.
    for days in (3, 2, 1):
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(4),
            observed_at=timezone.now() - timedelta(days=days),
            source="observation",
        )
    return world


def rate_all(page: Page, readings, why: str) -> None:
    for number, level in enumerate(readings, start=1):
        piece = page.locator(f"#piece-{number}")
        piece.get_by_role("radio", name=level).check()
        piece.get_by_label("Why this level").fill(f"{why}: {level.lower()}.")
    page.get_by_role("button", name="Submit my ratings").click()
    expect(page.get_by_text("Submitted. You can now see")).to_be_visible()


def test_a_calibration_session_from_blind_ratings_to_an_exemplar(school, new_page, screenshot):
    world = school
    facilitator = new_page()
    sign_in(facilitator, "teacher")
    facilitator.get_by_role("link", name="Calibration", exact=True).click()
    facilitator.get_by_role("link", name="Open a session").click()
    facilitator.get_by_label("Title").fill("Argument writing at stage 2")
    for number in (1, 2, 3):
        facilitator.get_by_label(f"Choose piece {number}: Should the river have room?").check()
    for name in ("Teacher Tester (you)", "Otherteacher Tester", "Thirdteacher Tester"):
        facilitator.get_by_role("checkbox", name=name, exact=True).check()
    expect(facilitator.get_by_text("Amara")).to_have_count(0)
    screenshot(facilitator, "calibration-open")
    facilitator.get_by_role("button", name="Open the session").click()
    expect(
        facilitator.get_by_text("Opened: the teachers you invited can rate now.")
    ).to_be_visible()
    session = CalibrationSession.objects.get()
    # The raters read anonymised copies.
    expect(facilitator.get_by_text("argues [student]")).to_be_visible()
    expect(facilitator.get_by_text("Okafor")).to_have_count(0)
    screenshot(facilitator, "calibration-rate")
    rate_all(facilitator, READINGS["teacher"], "Teacher")

    # The second teacher has not rated: nobody's ratings are on their page yet.
    second = new_page(width=390, height=844)
    sign_in(second, "otherteacher")
    second.goto(f"/calibration/sessions/{session.uuid}/")
    expect(second.get_by_text("Your ratings are blind")).to_be_visible()
    expect(second.get_by_text("Teacher: beginning.", exact=True)).to_have_count(0)
    rate_all(second, READINGS["otherteacher"], "Otherteacher")
    expect(second.get_by_text("Teacher: beginning.", exact=True)).to_be_visible()

    third = new_page()
    sign_in(third, "thirdteacher")
    third.goto(f"/calibration/sessions/{session.uuid}/")
    rate_all(third, READINGS["thirdteacher"], "Thirdteacher")

    # The reveal: each piece's spread, the rationales side by side, the agreement.
    facilitator.reload()
    facilitator.get_by_role("button", name="Reveal the ratings").click()
    expect(facilitator.get_by_text("Revealed: everyone sees the ratings")).to_be_visible()
    expect(facilitator.get_by_text("The raters differ by one level.").first).to_be_visible()
    expect(facilitator.get_by_text("Krippendorff's α (ordinal)")).to_be_visible()
    screenshot(facilitator, "calibration-reveal")

    for number, level in ((1, "Beginning"), (2, "Developing"), (3, "Proficient")):
        piece = facilitator.locator(f"#piece-{number}")
        piece.get_by_role("radio", name=level).check()
        piece.get_by_label("Why the group agreed").fill(f"We agreed on {level.lower()}.")
        piece.get_by_role("button", name="Record the consensus").click()
        expect(facilitator.get_by_text("Consensus recorded")).to_be_visible()
    argument = facilitator.locator("#piece-3")
    argument.get_by_text("Promote to an exemplar").click()
    argument.get_by_label("Title").fill("Rivers need room: a claim with two reasons")
    argument.get_by_label("What is missing").fill("A counterclaim, answered.")
    argument.get_by_label("The school's policy on sharing work").check()
    argument.get_by_role("button", name="Propose as an exemplar").click()
    expect(facilitator.get_by_text("Proposed as an exemplar")).to_be_visible()
    exemplar = Exemplar.objects.get()
    assert not exemplar.published and "Okafor" not in exemplar.text

    # A second person confirms the anonymisation; then it is published.
    second.goto(f"/calibration/exemplars/{exemplar.uuid}/")
    second.get_by_role("button", name="Confirm and publish").click()
    expect(second.get_by_text("open each file first")).to_be_visible()
    second.get_by_label("I have read the text and opened each file").check()
    screenshot(second, "calibration-exemplar-confirm")
    second.get_by_role("button", name="Confirm and publish").click()
    expect(second.get_by_text("Published: the exemplar is in the library.")).to_be_visible()

    # The student at stage 2 finds it from their next steps.
    student = new_page(width=390, height=844)
    sign_in(student, "student")
    student.goto("/pathways/next/")
    student.get_by_role("link", name="What high-quality work looks like at your stages").click()
    expect(student.get_by_text("Your stage")).to_be_visible()
    student.get_by_role("link", name=exemplar.title).click()
    expect(student.get_by_text("We agreed on proficient.")).to_be_visible()
    expect(student.get_by_text("A counterclaim, answered.")).to_be_visible()
    expect(student.get_by_text("Amara")).to_have_count(0)
    screenshot(student, "calibration-student-example")

    # Drift: the third teacher read a level higher than the group on two of three pieces.
    third.goto("/calibration/drift/")
    expect(third.get_by_text("more lenient than the group").first).to_be_visible()
    assert world.teacher.pk == session.facilitator_id
