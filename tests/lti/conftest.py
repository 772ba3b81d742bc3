import pytest
from django.test import Client

from proficio.lti.services import platform_register
from tests.lti.platform import INSTRUCTOR, LEARNER, Member, TestPlatform, query_of

LAUNCH_URL = "http://testserver/lti/launch/"


@pytest.fixture
def platform(settings):
    settings.PROFICIO_OUTBOUND_ALLOW_PRIVATE = True  # the platform listens on this machine
    running = TestPlatform().start()
    yield running
    running.stop()


@pytest.fixture
def lms(world, platform):
    """The district's LMS registered, Proficio's keys given to it, and the world's people
    with the addresses the LMS knows them by."""
    for person, email in (
        (world.teacher, "teacher@riverside.example"),
        (world.other_teacher, "other.teacher@riverside.example"),
        (world.student, "student@riverside.example"),
        (world.classmate, "classmate@riverside.example"),
        (world.other_student, "other.student@riverside.example"),
        (world.other_district_teacher, "teacher@elsewhere.example"),
    ):
        person.email = email
        person.save(update_fields=["email"])
    registered = platform_register(
        actor=world.district_admin, district=world.district, **platform.registration_fields()
    )
    platform.tool_jwks = Client().get("/lti/jwks.json").json()
    return registered


def member(person, role: str = LEARNER, user_id: str = "") -> Member:
    return Member(
        user_id=user_id or f"lms-{person.username}",
        name=person.get_full_name(),
        email=person.email,
        roles=[role],
    )


def teacher_member(person) -> Member:
    return member(person, INSTRUCTOR)


def launch(client: Client, platform: TestPlatform, user: Member, course, **claims):
    """A browser's launch: the LMS starts the login, the tool sends the browser to the LMS's
    sign-in, the LMS posts the signed launch back."""
    started = client.get(
        "/lti/login/", platform.login_initiation(user, LAUNCH_URL) | {"lti1p3_new_window": "1"}
    )
    assert started.status_code == 302, started.content.decode()
    auth_request = query_of(started["Location"])
    assert started["Location"].startswith(f"{platform.url}/auth?")
    assert auth_request["redirect_uri"] == LAUNCH_URL
    id_token = platform.id_token(auth_request=auth_request, user=user, course=course, **claims)
    return client.post("/lti/launch/", {"id_token": id_token, "state": auth_request["state"]})
