"""Finding 4: wrong passwords pause sign-in for the account from that address, on the sign-in
page, the admin's and the API's token endpoint. An admin can lift the pause: the site's
operator for anyone, a district admin for the people of their district."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.lib.errors import NotVisible
from proficio.people.services import (
    password_change_record,
    person_grant_district_admin_site,
    person_grant_site_admin,
    person_sign_in_unlock,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token"
WRONG = "not-the-password"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client, url, username, password, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def token(client, username, password, address="127.0.0.1"):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_the_right_password_is_refused_after_too_many_wrong_ones(client, world, url):
    person_grant_site_admin(person=world.teacher)
    for _attempt in range(3):
        sign_in(client, url, world.teacher.username, WRONG)
    response = sign_in(client, url, world.teacher.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_when_to_try_again_and_who_can_unlock(client, world, settings):
    settings.PROFICIO_LOGIN_COOLOFF_MINUTES = 15
    for _attempt in range(3):
        response = sign_in(client, LOGIN, world.teacher.username, WRONG)
    page = response.content.decode()
    assert response.status_code == 429
    assert "paused for 15 minutes" in page
    assert "Try again after" in page
    assert "Forgot your password?" in page
    assert "administrator, who can unlock" in page
    assert response["Retry-After"] == str(15 * 60)


def test_the_api_token_answers_429_json_when_locked_out(client, world):
    for _attempt in range(3):
        token(client, world.teacher.username, WRONG)
    response = token(client, world.teacher.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert "Retry-After" in response


def test_the_lockout_is_for_the_account_from_that_address_only(client, world):
    for _attempt in range(3):
        sign_in(client, LOGIN, world.teacher.username, WRONG, address="203.0.113.9")
    # The same account from the school's own address, and another account from the attacker's.
    assert sign_in(client, LOGIN, world.teacher.username, PASSWORD).status_code == 302
    client.logout()
    assert (
        sign_in(client, LOGIN, world.student.username, PASSWORD, "203.0.113.9").status_code == 302
    )


def test_fewer_failures_than_the_limit_then_success_start_the_count_again(client, world):
    for _round in range(2):
        for _attempt in range(2):
            assert sign_in(client, LOGIN, world.teacher.username, WRONG).status_code == 200
        assert sign_in(client, LOGIN, world.teacher.username, PASSWORD).status_code == 302
        client.logout()


def test_a_site_admin_unlocks_by_deleting_the_lock_in_the_admin(client, world):
    for _attempt in range(3):
        sign_in(client, LOGIN, world.teacher.username, WRONG)
    (lock,) = AccessAttempt.objects.filter(username=world.teacher.username)
    client.force_login(person_grant_site_admin(person=world.district_admin))
    delete = reverse("admin:axes_accessattempt_delete", args=[lock.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    client.logout()
    assert sign_in(client, LOGIN, world.teacher.username, PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_comes_from_its_header(client, world, settings):
    settings.PROFICIO_CLIENT_IP_HEADER = "X-Forwarded-For"
    for _attempt in range(3):
        client.post(
            LOGIN,
            {"username": world.teacher.username, "password": WRONG},
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
        )
    (lock,) = AccessAttempt.objects.filter(username=world.teacher.username)
    assert lock.ip_address == "203.0.113.9"


def unlock_in_admin(client, person):
    changelist = reverse("admin:people_person_changelist")
    return client.post(
        changelist, {"action": "unlock_sign_in", "_selected_action": [person.pk]}, follow=True
    )


def test_a_district_admin_unlocks_a_person_of_their_district_in_the_admin(client, world):
    for _attempt in range(3):
        sign_in(client, LOGIN, world.teacher.username, WRONG)
    client.force_login(person_grant_district_admin_site(person=world.district_admin))
    response = unlock_in_admin(client, world.teacher)
    assert "Unlocked 1 person" in response.content.decode()
    entry = AuditEntry.objects.get(action="sign_in.unlocked")
    assert (entry.actor_id, entry.data["addresses_unlocked"]) == (world.district_admin.pk, 1)
    client.logout()
    assert sign_in(client, LOGIN, world.teacher.username, PASSWORD).status_code == 302


def test_nobody_unlocks_a_person_of_another_district(client, world):
    outsider = world.other_district_teacher
    for _attempt in range(3):
        sign_in(client, LOGIN, outsider.username, WRONG)
    admin = person_grant_district_admin_site(person=world.district_admin)
    with pytest.raises(NotVisible):
        person_sign_in_unlock(actor=admin, person=outsider)
    client.force_login(admin)
    unlock_in_admin(client, outsider)
    assert AccessAttempt.objects.filter(username=outsider.username).exists()
    assert not AuditEntry.objects.filter(action="sign_in.unlocked").exists()


def test_unlocking_someone_who_is_not_locked_records_nothing(world):
    assert person_sign_in_unlock(actor=world.district_admin, person=world.teacher) == 0
    assert not AuditEntry.objects.filter(action="sign_in.unlocked").exists()


def test_one_address_failing_across_many_accounts_is_paused(client, world, settings):
    settings.PROFICIO_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    sprayed = [world.teacher, world.other_teacher, world.classmate]
    for person in sprayed:
        for _attempt in range(2):  # under the per-account limit of 3
            sign_in(client, LOGIN, person.username, WRONG, "203.0.113.9")
    assert not AccessAttempt.objects.filter(failures_since_start__gte=3).exists()
    assert (
        sign_in(client, LOGIN, world.student.username, PASSWORD, "203.0.113.9").status_code == 429
    )
    # Another address is not held up by it.
    assert sign_in(client, LOGIN, world.student.username, PASSWORD).status_code == 302


def test_a_new_password_from_a_reset_lifts_the_lockout(client, world):
    for _attempt in range(3):
        sign_in(client, LOGIN, world.teacher.username, WRONG)
    world.teacher.set_password("A-new-one-for-2027!")
    world.teacher.save()
    password_change_record(person=world.teacher, via="reset link")
    assert sign_in(client, LOGIN, world.teacher.username, "A-new-one-for-2027!").status_code == 302
