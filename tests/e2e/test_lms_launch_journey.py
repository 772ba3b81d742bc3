"""Proficio inside an LMS: a teacher opens the tool in their course's frame, places a task
by deep linking, a student opens it in the same frame, and the teacher's rating reaches the
LMS gradebook. The LMS is tests/lti's platform, reached by the browser over HTTP."""

import json
import urllib.request
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.db import transaction
from playwright.sync_api import expect

from proficio.lti.launches import PLACEMENT_SALT
from proficio.lti.services import platform_register
from proficio.work.data import Alignment, WorkRating
from proficio.work.services import review_record, revision_save, task_assign, task_create
from tests.factories import build_world
from tests.lti.conftest import member, teacher_member
from tests.lti.platform import TestPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lms(transactional_db, idle_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROFICIO_OUTBOUND_ALLOW_PRIVATE = True  # the LMS listens on this machine
    # The LMS and Proficio on one site (localhost, two ports): the browser's frame keeps
    # Proficio's cookies as a same-site frame; across sites it needs HTTPS (tests/lti).
    platform = TestPlatform(host="localhost").start()
    world = build_world()
    for person in (world.teacher, world.student, world.classmate):
        person.email = f"{person.username}@riverside.example"
        person.save(update_fields=["email"])
    platform_register(
        actor=world.district_admin, district=world.district, **platform.registration_fields()
    )
    with urllib.request.urlopen(f"{idle_server.url}/lti/jwks.json") as answer:
        platform.tool_jwks = json.loads(answer.read())
    platform.tool_login = f"{idle_server.url}/lti/login/"
    task = task_create(
        author=world.teacher,
        title="Op-ed",
        alignments=[Alignment(competency=world.competency, stage=1)],
        options=["Write it"],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    course = platform.course(
        "course-7",
        "Writing 7",
        [teacher_member(world.teacher), member(world.student), member(world.classmate)],
    )
    yield platform, world, task, course
    platform.stop()


def _open_in_lms(page, platform, user, **query):
    page.goto(f"{platform.url}/course?" + urlencode({"course": "course-7", "user": user} | query))
    return page.frame_locator("iframe[title='Proficio']")


def test_a_teacher_places_a_task_from_the_lms_and_the_rating_goes_back(
    lms, new_page, idle_server, screenshot
):
    platform, world, task, course = lms
    teacher_page = new_page()
    frame = _open_in_lms(teacher_page, platform, "lms-teacher", kind="deep")
    expect(frame.get_by_role("heading", name="Place Proficio in your course")).to_be_visible()
    frame.get_by_label("Op-ed").check()
    screenshot(teacher_page, "lti-deep-link")
    frame.get_by_role("button", name="Place in the course").click()
    expect(frame.locator("#placed")).to_have_text("Placed in the course: Op-ed")
    [(link, (item, _lineitem))] = platform.links.items()
    assert signing.loads(item["custom"]["proficio_task"], salt=PLACEMENT_SALT)[0] == str(task.uuid)

    student_page = new_page(width=390)
    frame = _open_in_lms(student_page, platform, "lms-student", link=link)
    expect(frame.get_by_role("heading", name="Op-ed")).to_be_visible()

    with transaction.atomic():
        revision = revision_save(student=world.student, task=task, text="My op-ed", submit=True)
        review_record(
            reviewer=world.teacher,
            revision=revision,
            decision="rated",
            ratings=[WorkRating(competency=world.competency, stage=1, level=Decimal(3))],
        )
    sent = {course.lineitems[column]["label"]: score for column, score in course.scores}
    assert sent.keys() == {"Op-ed", "Op-ed: Competency W1"}
    score = sent["Op-ed: Competency W1"]
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("lms-student", 3, 4)
    assert (sent["Op-ed"]["scoreGiven"], sent["Op-ed"]["scoreMaximum"]) == (75, 100)
