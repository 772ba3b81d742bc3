"""A teacher places a task in their LMS course by deep linking; a student launches it; the
teacher's rating goes back to the LMS gradebook through AGS, as the test platform checks."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.lti.launches import PLACEMENT_SALT
from proficio.lti.models import Placement, ScoreSent
from proficio.people.services import section_create, section_enroll
from proficio.work.data import Alignment, WorkRating
from proficio.work.services import review_record, revision_save, task_assign, task_create
from tests.factories import make_competency
from tests.lti.conftest import launch, member, teacher_member
from tests.lti.platform import AGS_SCOPES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def task(world):
    second = make_competency(world.framework, "W2")
    task = task_create(
        author=world.teacher,
        title="Op-ed",
        alignments=[
            Alignment(competency=world.competency, stage=1),
            Alignment(competency=second, stage=1),
        ],
        options=["Write it"],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return task


def _place(client, platform, course, teacher, key):
    """The teacher's deep-linking launch, their pick, and the platform placing it."""
    answer = launch(client, platform, teacher, course, message_type="LtiDeepLinkingRequest")
    assert answer["Location"] == reverse("lti:deep_link")
    picker = client.get(answer["Location"])
    assert picker.status_code == 200
    assert key in picker.content.decode()
    returned = client.post(reverse("lti:deep_link"), {"item": key})
    page = returned.content.decode()
    assert f'action="{platform.url}/deep-link-return"' in page
    assert platform.url in returned["Content-Security-Policy"]  # the form may post there
    signed = unescape(re.search(r'name="JWT" value="([^"]+)"', page)[1])
    [item] = platform.deep_link_answer(signed)
    return item, platform.place(course, item, resource_link="link-op-ed")


def _rate(world, task, levels):
    revision = revision_save(student=world.student, task=task, text="My op-ed", submit=True)
    ratings = [
        WorkRating(competency=alignment.stage.competency, stage=1, level=Decimal(level))
        for alignment, level in zip(task.alignments.all(), levels, strict=True)
    ]
    return review_record(
        reviewer=world.teacher, revision=revision, decision="rated", ratings=ratings
    )


def test_a_placed_task_s_ratings_reach_the_lms_one_column_per_competency(
    world, platform, lms, task, django_capture_on_commit_callbacks
):
    teacher, student = teacher_member(world.teacher), member(world.student)
    course = platform.course("course-7", "Writing 7", [teacher, student, member(world.classmate)])
    item, lineitem = _place(Client(), platform, course, teacher, f"task:{task.uuid}")
    placed = signing.loads(item["custom"]["proficio_task"], salt=PLACEMENT_SALT)
    assert placed == [str(task.uuid), world.teacher.pk]
    assert item["lineItem"]["label"] == "Op-ed"

    opened = launch(
        Client(),
        platform,
        student,
        course,
        resource_link="link-op-ed",
        custom=item["custom"],
        lineitem=lineitem,
    )
    assert opened["Location"] == reverse("work:my_work", args=[task.uuid])
    assert Placement.objects.get().task == task

    with django_capture_on_commit_callbacks(execute=True):
        _rate(world, task, ["3", "2"])

    scores = {course.lineitems[url]["label"]: score for url, score in course.scores}
    assert set(scores) == {"Op-ed", "Op-ed: Competency W1", "Op-ed: Competency W2"}
    assert all(score["userId"] == student.user_id for score in scores.values())
    assert (scores["Op-ed"]["scoreGiven"], scores["Op-ed"]["scoreMaximum"]) == (62.5, 100)
    assert (
        scores["Op-ed: Competency W1"]["scoreGiven"],
        scores["Op-ed: Competency W1"]["scoreMaximum"],
    ) == (3, 4)
    assert (
        scores["Op-ed: Competency W2"]["scoreGiven"],
        scores["Op-ed: Competency W2"]["scoreMaximum"],
    ) == (2, 4)
    tags = {course.lineitems[url].get("tag") for url, _score in course.scores} - {None}
    assert tags == {
        f"proficio:{task.uuid}:{world.competency.uuid}:1",
        f"proficio:{task.uuid}:{task.alignments.all()[1].stage.competency.uuid}:1",
    }
    assert ScoreSent.objects.filter(error="").count() == 3
    assert AuditEntry.objects.filter(action="lti_scores.sent", student=world.student).exists()
    admin = Client()
    admin.force_login(world.district_admin)
    assert world.student.get_full_name() in admin.get(reverse("lti:platforms")).content.decode()
    assert AuditEntry.objects.filter(
        action="students.listed", actor=world.district_admin, student=world.student
    ).exists()

    # A second rating of the same task finds the columns it made: no new ones.
    columns = len(course.lineitems)
    with django_capture_on_commit_callbacks(execute=True):
        second = revision_save(student=world.student, task=task, text="Better", submit=True)
        review_record(
            reviewer=world.teacher,
            revision=second,
            decision="rated",
            ratings=[WorkRating(competency=world.competency, stage=1, level=Decimal(4))],
        )
    assert len(course.lineitems) == columns
    assert course.scores[-1][1]["scoreGiven"] == 4


def test_where_the_lms_takes_scores_only_the_task_s_own_column_gets_the_overall_score(
    world, platform, lms, task, django_capture_on_commit_callbacks
):
    teacher, student = teacher_member(world.teacher), member(world.student)
    course = platform.course("course-7", "Writing 7", [teacher, student])
    item, lineitem = _place(Client(), platform, course, teacher, f"task:{task.uuid}")
    launch(
        Client(),
        platform,
        student,
        course,
        resource_link="link-op-ed",
        custom=item["custom"],
        lineitem=lineitem,
        scopes=[AGS_SCOPES[2]],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _rate(world, task, ["3", "2"])

    [(url, score)] = course.scores
    assert url == lineitem
    assert (score["scoreGiven"], score["scoreMaximum"]) == (62.5, 100)  # (3/4 + 2/4) / 2


def test_a_student_not_in_the_course_sends_nothing(
    world, platform, lms, task, django_capture_on_commit_callbacks
):
    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher, member(world.classmate)])
    item, lineitem = _place(Client(), platform, course, teacher, f"task:{task.uuid}")
    launch(
        Client(),
        platform,
        member(world.classmate),
        course,
        resource_link="link-op-ed",
        custom=item["custom"],
        lineitem=lineitem,
    )
    with django_capture_on_commit_callbacks(execute=True):
        _rate(world, task, ["3", "2"])
    assert course.scores == []
    assert not ScoreSent.objects.exists()


def test_a_competency_placed_opens_the_student_s_view_of_it(world, platform, lms):
    teacher, student = teacher_member(world.teacher), member(world.student)
    course = platform.course("course-7", "Writing 7", [teacher, student])
    key = f"competency:{world.competency.uuid}"
    item, lineitem = _place(Client(), platform, course, teacher, key)
    assert lineitem == "" and "lineItem" not in item
    client = Client()
    opened = launch(
        client, platform, student, course, resource_link="link-w1", custom=item["custom"]
    )
    assert opened["Location"] == reverse(
        "mastery:student_competency", args=[world.student.uuid, world.competency.uuid]
    )
    assert client.get(opened["Location"]).status_code == 200


def test_deep_linking_refuses_an_empty_pick_and_a_task_the_teacher_cannot_see(
    world, platform, lms, task
):
    hidden = task_create(
        author=world.other_teacher,
        title="Someone else's",
        alignments=[Alignment(competency=world.competency, stage=1)],
        options=["x"],
    )
    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher])
    client = Client()
    launch(client, platform, teacher, course, message_type="LtiDeepLinkingRequest")
    assert client.post(reverse("lti:deep_link"), {}).status_code == 422
    assert client.post(reverse("lti:deep_link"), {"item": f"task:{hidden.uuid}"}).status_code == 422


def test_a_custom_parameter_edited_in_the_lms_places_nothing(
    world, platform, lms, task, django_capture_on_commit_callbacks
):
    teacher, student = teacher_member(world.teacher), member(world.student)
    course = platform.course("course-7", "Writing 7", [teacher, student])
    opened = launch(
        Client(),
        platform,
        student,
        course,
        resource_link="link-forged",
        custom={"proficio_task": str(task.uuid)},  # not signed by Proficio
        lineitem=f"{platform.url}/ags/course-7/lineitems/1",
    )
    assert opened["Location"] == reverse("home")
    assert not Placement.objects.exists()


def test_a_course_member_outside_the_section_gets_no_score(
    world, platform, lms, task, django_capture_on_commit_callbacks
):
    """The LMS's roster says who is in the course; Proficio's decides whose ratings go."""
    teacher = teacher_member(world.teacher)
    outsider = member(world.other_student)
    course = platform.course(
        "course-7", "Writing 7", [teacher, member(world.student), member(world.classmate)]
    )
    item, lineitem = _place(Client(), platform, course, teacher, f"task:{task.uuid}")
    course.members.append(outsider)
    launch(
        Client(),
        platform,
        outsider,
        course,
        resource_link="link-op-ed",
        custom=item["custom"],
        lineitem=lineitem,
    )
    elsewhere = section_create(school=world.school, name="Studio X", teachers=[world.teacher])
    section_enroll(section=elsewhere, student=world.other_student)
    task_assign(actor=world.teacher, task=task, section=elsewhere)
    with django_capture_on_commit_callbacks(execute=True):
        revision = revision_save(student=world.other_student, task=task, text="x", submit=True)
        review_record(
            reviewer=world.teacher,
            revision=revision,
            decision="rated",
            ratings=[WorkRating(competency=world.competency, stage=1, level=Decimal(3))],
        )
    assert course.scores == []
