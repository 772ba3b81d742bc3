"""A district admin registers the LMS (by hand, or through a one-time dynamic registration
address the LMS uses itself); Proficio's pages then run inside that LMS's frame, and only
for sessions it launched."""

import pytest
from django.test import Client
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.lti.models import Platform
from tests.lti.conftest import launch, member, teacher_member
from tests.lti.platform import query_of

pytestmark = pytest.mark.django_db


def _admin(world) -> Client:
    client = Client()
    client.force_login(world.district_admin)
    return client


def test_dynamic_registration_through_a_one_time_address(world, platform):
    page = _admin(world).post(reverse("lti:platforms"), {"invite": "1"})
    assert page["Cache-Control"] == "no-store"
    path = "/lti/register/" + page.content.decode().split("/lti/register/")[1].split("/")[0] + "/"
    query = {
        "openid_configuration": f"{platform.url}/.well-known/openid-configuration",
        "registration_token": platform.registration_token,
    }

    registered = Client().get(path, query)
    assert registered.status_code == 200, registered.content.decode()
    assert "data-lti-registered" in registered.content.decode()
    [request] = platform.registrations
    assert request["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert request["jwks_uri"] == "http://testserver/lti/jwks.json"
    made = Platform.objects.select_related("registration").get()
    assert made.district == world.district
    assert made.registration.client_id == platform.client_id
    assert made.registration.keyset_url == f"{platform.url}/jwks"
    assert AuditEntry.objects.filter(
        action="lti_platform.changed", actor=world.district_admin
    ).exists()

    assert Client().get(path, query).status_code == 404  # used once


def test_a_registration_refuses_a_configuration_that_is_not_the_issuer_s(world, platform):
    page = _admin(world).post(reverse("lti:platforms"), {"invite": "1"})
    address = page.content.decode().split("/lti/register/")[1].split("/")[0]
    answer = Client().get(
        f"/lti/register/{address}/",
        {"openid_configuration": "ftp://elsewhere/config", "registration_token": "x"},
    )
    assert answer.status_code == 400
    assert not Platform.objects.exists()


def test_registering_by_hand_checks_every_address(world, platform):
    fields = platform.registration_fields() | {"auth_url": "not an address", "register": "1"}
    page = _admin(world).post(reverse("lti:platforms"), fields)
    assert page.status_code == 422
    assert "Give the full address" in page.content.decode()
    fields["auth_url"] = f"{platform.url}/auth"
    assert _admin(world).post(reverse("lti:platforms"), fields).status_code == 302
    assert _admin(world).post(reverse("lti:platforms"), fields).status_code == 422  # twice


def test_a_launched_session_may_be_framed_by_its_lms_and_no_other(world, platform, lms):
    signed_in = Client()
    signed_in.force_login(world.teacher)
    page = signed_in.get(reverse("mastery:gradebook", args=[world.section.uuid]))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]

    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher, member(world.student)])
    client = Client()
    answer = launch(client, platform, teacher, course)
    page = client.get(answer["Location"])
    assert "X-Frame-Options" not in page
    assert f"frame-ancestors {platform.url}" in page["Content-Security-Policy"]


def test_on_https_a_launched_session_s_cookies_reach_the_frame(world, platform, lms, settings):
    settings.SESSION_COOKIE_SECURE = True
    teacher = teacher_member(world.teacher)
    course = platform.course("course-7", "Writing 7", [teacher, member(world.student)])
    client = Client()
    started = client.get(
        "/lti/login/",
        platform.login_initiation(teacher, "https://testserver/lti/launch/")
        | {"lti1p3_new_window": "1"},
        secure=True,
    )
    auth = query_of(started["Location"])
    token = platform.id_token(auth_request=auth, user=teacher, course=course)
    answer = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]}, secure=True)
    assert answer.status_code == 302
    session_cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["samesite"] == "None" and session_cookie["secure"]


def test_the_platforms_page_is_the_district_admin_s(world, platform, lms):
    page = _admin(world).get(reverse("lti:platforms"))
    text = page.content.decode()
    assert "Test LMS" in text and "http://testserver/lti/jwks.json" in text
    for who in (world.teacher, world.school_admin, world.student):
        client = Client()
        client.force_login(who)
        assert client.get(reverse("lti:platforms")).status_code == 404


def test_switching_off_an_lms_is_audited_and_another_district_cannot(world, platform, lms):
    client = _admin(world)
    assert client.post(reverse("lti:platforms"), {"deactivate": str(lms.pk + 1)}).status_code == 404
    assert client.post(reverse("lti:platforms"), {"deactivate": str(lms.pk)}).status_code == 302
    lms.registration.refresh_from_db()
    assert not lms.registration.is_active
    assert AuditEntry.objects.filter(action="lti_platform.changed").count() == 2


def test_the_tool_s_keys_are_public_and_the_private_key_is_not(world, lms):
    keys = Client().get(reverse("lti:jwks")).json()["keys"]
    assert keys and all(set(key) >= {"kty", "n", "e", "kid"} for key in keys)
    assert all("d" not in key for key in keys)


def test_addresses_inside_proficio_s_own_network_are_refused(world, platform, settings):
    settings.PROFICIO_OUTBOUND_ALLOW_PRIVATE = False
    fields = platform.registration_fields() | {
        "auth_url": "https://lms.example.org/auth",
        "token_url": "http://lms.example.org/token",
        "keyset_url": "https://169.254.169.254/latest/meta-data",
        "register": "1",
    }
    page = _admin(world).post(reverse("lti:platforms"), fields)
    text = page.content.decode()
    assert page.status_code == 422
    assert "must begin with https://" in text and "private or local address" in text
    assert not Platform.objects.exists()


def test_an_lms_switched_off_can_be_registered_again(world, platform, lms):
    client = _admin(world)
    client.post(reverse("lti:platforms"), {"deactivate": str(lms.pk)})
    fields = platform.registration_fields() | {"register": "1"}
    assert client.post(reverse("lti:platforms"), fields).status_code == 302
    lms.registration.refresh_from_db()
    assert lms.registration.is_active and Platform.objects.count() == 1


def test_another_district_cannot_take_a_registration_nor_learn_of_it(world, platform, lms):
    from proficio.lib.errors import InvalidInput
    from proficio.lti.services import platform_register

    elsewhere = world.other_district_teacher.district
    with pytest.raises(InvalidInput) as refused:
        platform_register(actor=None, district=elsewhere, **platform.registration_fields())
    assert "cannot be registered" in refused.value.errors["client_id"]
