"""A performance task from start to rated, in Chromium with a fake microphone: the teacher
writes and gives it out, the student works and records audio, the teacher returns it with
what is needed next, the student revises, the teacher rates it into evidence the student's
page names, and the guardian reads the work."""

import re
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from proficio.demo.build import load_demo
from proficio.evidence.models import Evidence
from proficio.frameworks.models import Competency
from proficio.people.models import Person, Section
from proficio.work.models import RevisionFile, Submission
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Read a page of your novel aloud"
NEEDED_NEXT = "Pause at each full stop so the listener can follow."
MEDIA_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


@pytest.fixture(scope="module")
def media_browser(playwright):
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS + MEDIA_FLAGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def open_as(media_browser, idle_server):
    contexts = []

    def open_page(username: str, width: int = 1280, height: int = 900) -> Page:
        context = media_browser.new_context(
            viewport={"width": width, "height": height},
            base_url=idle_server.url,
            permissions=["microphone"],
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        return page

    yield open_page
    for context in contexts:
        context.close()


def drawing(tmp_path) -> str:
    image = Image.new("RGB", (640, 420), (250, 248, 240))
    for x in range(40, 600, 40):
        image.paste((31, 95, 139), (x, 380 - x // 2, x + 24, 380))
    path = tmp_path / "my-bar-chart.png"
    out = BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def review(page: Page, student: Person, *, level: str, decision: str, needed: str = "") -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    page.get_by_role("link", name=re.compile("Review queue")).click()
    row = page.get_by_role("row").filter(has_text=TITLE).filter(has_text=student.display_name)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Review revision"))).to_be_visible()
    stage = page.locator("fieldset.review-form__stage").first
    stage.get_by_label(level, exact=True).check()
    if needed:
        stage.get_by_label("What is needed next").fill(needed)
    page.get_by_label(decision).check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()


def test_a_task_from_writing_to_rated_work(demo, open_as, screenshot, tmp_path):
    student = Person.objects.get(username="student")
    argument = Competency.objects.get(code="W1")
    stages = list(argument.stages.order_by("ordinal")[:2])

    teacher = open_as("teacher")
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    teacher.get_by_role("link", name="Write a task").click()
    teacher.get_by_label("Title").fill(TITLE)
    teacher.get_by_label("Instructions").fill(
        "Choose a page you love and read it **aloud**, as if to a younger reader."
    )
    teacher.get_by_label("Stages the task lets students show").select_option(
        [f"{argument.uuid}:{stage.ordinal}" for stage in stages]
    )
    teacher.get_by_label("Choice board").fill("Record yourself reading\nRead to a partner")
    teacher.get_by_role("button", name="Write the task").click()
    expect(teacher.get_by_role("heading", name=TITLE)).to_be_visible()
    section = Section.objects.filter(students=student, teachers__username="teacher").first()
    teacher.get_by_label("A section").select_option(str(section.uuid))
    teacher.get_by_role("button", name="Give out the task").click()
    expect(teacher.get_by_text("The task is given out.")).to_be_visible()
    screenshot(teacher, "work-task")

    pupil = open_as("student")
    expect(pupil.get_by_role("heading", name="My work")).to_be_visible()
    pupil.get_by_role("link", name=TITLE).click()
    pupil.get_by_label("How you will show it").select_option(label="Record yourself reading")
    pupil.get_by_label("Your work", exact=True).fill(
        "I chose the storm chapter because the sentences are short."
    )
    pupil.get_by_label("Files").set_input_files(drawing(tmp_path))
    pupil.get_by_role("button", name="Record audio").click()
    expect(pupil.get_by_text("Recording…")).to_be_visible()
    pupil.wait_for_timeout(1500)
    pupil.get_by_role("button", name="Stop").click()
    expect(pupil.get_by_text(re.compile(r"Recorded \d+ s"))).to_be_visible()
    assert pupil.get_by_label("Files").evaluate("input => input.files.length") == 2
    self_assessment = pupil.locator("fieldset.self-assess .level-radios").first
    self_assessment.get_by_role("radio").nth(2).check()
    pupil.get_by_label("Your reflection").fill("I read too fast at the start.")
    pupil.get_by_role("button", name="Submit for review").click()
    expect(pupil.get_by_text("Revision 1 is submitted for review.")).to_be_visible()
    screenshot(pupil, "work-student")
    submission = Submission.objects.get(task__title=TITLE, student=student)
    kinds = sorted(
        f.content_type for f in RevisionFile.objects.filter(revision__submission=submission)
    )
    assert kinds == ["image/png", "video/webm"]

    review_page = teacher
    review_page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    review_page.get_by_role("link", name=re.compile("Review queue")).click()
    review_page.get_by_role("row").filter(has_text=TITLE).filter(
        has_text=student.display_name
    ).get_by_role("link").click()
    audio = review_page.locator("audio").first
    expect(audio).to_be_visible()
    audio.evaluate("player => player.play()")
    review_page.wait_for_function(
        "() => document.querySelector('audio').currentTime > 0", timeout=10_000
    )
    expect(review_page.locator(".revision img").first).to_be_visible()
    expect(review_page.get_by_text("I read too fast at the start.")).to_be_visible()
    screenshot(review_page, "work-review")
    levels = [level.label for level in argument.effective_scale.levels.order_by("value")]
    review(teacher, student, level=levels[1], decision="Return it for revision", needed=NEEDED_NEXT)

    pupil.reload()
    expect(pupil.get_by_text(NEEDED_NEXT)).to_be_visible()
    pupil.get_by_label("Your work", exact=True).fill(
        "I read the storm chapter again and paused at every full stop."
    )
    pupil.get_by_role("button", name="Submit for review").click()
    expect(pupil.get_by_text("Revision 2 is submitted for review.")).to_be_visible()

    second = submission.revisions.get(number=2)
    assert sorted(f.content_type for f in second.files.all()) == ["image/png", "video/webm"]
    review(teacher, student, level=levels[-1], decision="Rate it")
    rated = Evidence.objects.filter(student=student, source="task").latest("recorded_at")
    assert rated.artifact_title == f"{TITLE}, revision 2"

    teacher.goto(f"/students/{student.uuid}/competencies/{argument.uuid}/")
    link = teacher.get_by_role("link", name=f"{TITLE}, revision 2").first
    expect(link).to_be_attached()
    expect(teacher.get_by_text(f"The work: {TITLE}, revision 2")).to_be_visible()
    link.click()
    expect(teacher.get_by_text("paused at every full stop")).to_be_visible()

    family = open_as("guardian", width=390, height=844)
    family.get_by_role("link", name=TITLE).first.click()
    expect(family.get_by_text("paused at every full stop")).to_be_visible()
