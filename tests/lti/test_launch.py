"""A launch from the LMS signs the right person into the right section, and nobody else."""

import pytest
from django.test import Client
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.lti.models import SectionLink
from tests.lti.conftest import launch, member, teacher_member
from tests.lti.platform import TestPlatform, query_of

pytestmark = pytest.mark.django_db


def test_a_teacher_launch_signs_in_to_the_section_the_course_roster_matches(world, platform, lms):
    teacher = teacher_member(world.teacher)
    course = platform.course(
        "course-7", "Writing 7", [teacher, member(world.student), member(world.classmate)]
    )
    client = Client()
    answer = launch(client, platform, teacher, course)

    assert answer.status_code == 302
    assert answer["Location"] == reverse("mastery:gradebook", args=[world.section.uuid])
    assert client.get(answer["Location"]).status_code == 200
    link = SectionLink.objects.get()
    assert (link.section, link.how) == (world.section, "roster")
    assert AuditEntry.objects.filter(action="lti.signed_in", actor=world.teacher).exists()
    assert AuditEntry.objects.filter(action="lti_section.linked").exists()


def test_someone_proficio_does_not_know_is_refused_with_what_to_do(world, platform, lms):
    stranger = member(world.student, user_id="lms-stranger")
    stranger.email = "nobody@riverside.example"
    course = platform.course("course-7", "Writing 7", [stranger])
    answer = launch(Client(), platform, stranger, course)
    assert answer.status_code == 403
    assert "Proficio has no account for nobody@riverside.example" in answer.content.decode()


def test_a_person_of_another_district_is_not_signed_in_by_this_district_s_lms(world, platform, lms):
    elsewhere = teacher_member(world.other_district_teacher)
    course = platform.course("course-7", "Writing 7", [elsewhere])
    client = Client()
    answer = launch(client, platform, elsewhere, course)
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def _signed_in(client, platform, user, course, signer=None):
    """A launch by hand: the login, then the id_token `signer` (the platform) makes."""
    started = client.get(
        "/lti/login/",
        platform.login_initiation(user, "http://testserver/lti/launch/")
        | {"lti1p3_new_window": "1"},
    )
    auth = query_of(started["Location"])
    token = (signer or platform).id_token(auth_request=auth, user=user, course=course)
    return {"id_token": token, "state": auth["state"]}


def test_a_launch_signed_with_another_key_is_refused(world, platform, lms):
    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher])
    impostor = TestPlatform()  # the same issuer and client id, but keys of its own
    impostor._server = platform._server
    client = Client()
    forged = _signed_in(client, platform, teacher, course, signer=impostor)
    assert client.post("/lti/launch/", forged).status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_launch_is_used_once(world, platform, lms):
    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher, member(world.student)])
    client = Client()
    posted = _signed_in(client, platform, teacher, course)
    assert client.post("/lti/launch/", posted).status_code == 302
    replayed = Client()
    replayed.cookies = client.cookies
    assert replayed.post("/lti/launch/", posted).status_code == 403


def test_a_switched_off_lms_launches_no_one(world, platform, lms):
    from proficio.lti.services import platform_deactivate

    platform_deactivate(actor=world.district_admin, district=world.district, platform_id=lms.pk)
    teacher = teacher_member(world.teacher)
    started = Client().get(
        "/lti/login/",
        platform.login_initiation(teacher, "http://testserver/lti/launch/")
        | {"lti1p3_new_window": "1"},
    )
    assert started.status_code == 400
    assert "not one Proficio accepts" in started.content.decode()


def test_a_course_no_roster_matches_is_tied_by_the_teacher_once(world, platform, lms):
    teacher = teacher_member(world.teacher)
    course = platform.course("course-9", "Debate club", [teacher])  # no learners known
    client = Client()
    answer = launch(client, platform, teacher, course)
    assert answer["Location"] == reverse("lti:section")
    page = client.get(answer["Location"])
    assert "Debate club" in page.content.decode()
    assert str(world.other_section.uuid) not in page.content.decode()  # not theirs

    refused = client.post(reverse("lti:section"), {"section": str(world.other_section.uuid)})
    assert refused.status_code == 422
    chosen = client.post(reverse("lti:section"), {"section": str(world.section.uuid)})
    assert chosen["Location"] == reverse("mastery:gradebook", args=[world.section.uuid])
    assert SectionLink.objects.get().how == "teacher"

    again = launch(Client(), platform, teacher, course)
    assert again["Location"] == reverse("mastery:gradebook", args=[world.section.uuid])


def test_the_login_page_checks_cookies_before_the_lms_sign_in(world, platform, lms):
    teacher = teacher_member(world.teacher)
    page = Client().post(
        "/lti/login/", platform.login_initiation(teacher, "http://testserver/lti/launch/")
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "data-lti-cookie-check" in text and "lti1p3_new_window=1" in text
    assert "Open Proficio in a new window" in text
    assert "X-Frame-Options" not in page  # it runs inside the LMS's frame


def test_a_student_who_joins_the_course_later_is_found_on_the_teacher_s_next_day(
    world, platform, lms
):
    from datetime import timedelta

    from lti_tool.models import LtiUser

    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher, member(world.student)])
    launch(Client(), platform, teacher, course)
    course.members.append(member(world.classmate))
    launch(Client(), platform, teacher, course)
    assert not LtiUser.objects.filter(auth_user=world.classmate).exists()  # read today

    SectionLink.objects.update(
        roster_read_at=SectionLink.objects.get().roster_read_at - timedelta(days=2)
    )
    launch(Client(), platform, teacher, course)
    assert LtiUser.objects.get(auth_user=world.classmate).sub == "lms-classmate"


def test_a_person_matched_before_is_refused_once_a_site_operator(world, platform, lms):
    from proficio.people.services import person_grant_district_admin_site

    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher, member(world.student)])
    assert launch(Client(), platform, teacher, course).status_code == 302
    person_grant_district_admin_site(person=world.teacher)  # is_staff from now on
    assert launch(Client(), platform, teacher, course).status_code == 403


def test_two_people_with_the_lms_address_sign_in_neither(world, platform, lms):
    world.classmate.email = world.student.email.upper()
    world.classmate.save(update_fields=["email"])
    student = member(world.student)
    course = platform.course("course-7", "Writing 7", [student])
    assert launch(Client(), platform, student, course).status_code == 403
