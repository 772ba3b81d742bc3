"""The account pages: a person's API tokens, changing their password, and resetting it by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.people.models import ApiToken, Person
from tests.api.client import Api, token_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-harbour-lantern-42"


def password_is(person: Person, password: str) -> bool:
    return Person.objects.get(pk=person.pk).check_password(password)


# ---- API tokens -----------------------------------------------------------------------------


def test_the_account_page_lists_only_the_persons_own_live_tokens(client, world):
    token_for("teacher")
    token_for("otherteacher")
    ended = token_for("teacher")
    Api(ended).delete("/auth/token")
    client.force_login(world.teacher)
    response = client.get(reverse("account"))
    assert response.status_code == 200
    live = ApiToken.objects.get(person=world.teacher, revoked_at__isnull=True)
    revoke_urls = re.findall(rb"/accounts/tokens/[0-9a-f-]+/revoke/", response.content)
    assert revoke_urls == [reverse("api_token_revoke", args=[live.uuid]).encode()]
    for label in (b"Created", b"Last used", b"Expires"):
        assert label in response.content


def test_the_owner_revokes_a_token_from_the_account_page(client, world):
    token = token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    client.force_login(world.teacher)
    response = client.post(reverse("api_token_revoke", args=[stored.uuid]), follow=True)
    assert response.redirect_chain == [(reverse("account"), 302)]
    assert b"The token is revoked" in response.content
    assert Api(token).get("/me").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoked", actor=world.teacher).exists()


@pytest.mark.parametrize("who", ["other_teacher", "student", "school_admin", "guardian"])
def test_nobody_else_revokes_a_token_from_the_page(client, world, who):
    token = token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    client.force_login(getattr(world, who))
    response = client.post(reverse("api_token_revoke", args=[stored.uuid]))
    assert response.status_code == 404
    assert Api(token).get("/me").status_code == 200


def test_revoking_from_the_page_needs_a_post(client, world):
    token_for("teacher")
    stored = ApiToken.objects.get(person=world.teacher)
    client.force_login(world.teacher)
    assert client.get(reverse("api_token_revoke", args=[stored.uuid])).status_code == 405
    assert ApiToken.objects.get(pk=stored.pk).revoked_at is None


# ---- changing the password ------------------------------------------------------------------


def change_password(client, old: str, new: str, again: str | None = None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("short7!", b"too short"),
        ("password123", b"too common"),
        ("Teacher2026", b"too similar"),
    ],
)
def test_the_change_password_page_refuses_a_weak_password(client, world, weak, reason):
    client.force_login(world.teacher)
    response = change_password(client, PASSWORD, weak)
    assert response.status_code == 200
    assert reason in response.content
    assert password_is(world.teacher, PASSWORD)


def test_the_change_password_page_needs_the_current_password(client, world):
    client.force_login(world.teacher)
    response = change_password(client, "not-the-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert password_is(world.teacher, PASSWORD)


def test_changing_the_password_keeps_this_sign_in_and_ends_the_api_tokens(client, world):
    token = token_for("teacher")
    client.force_login(world.teacher)
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert password_is(world.teacher, NEW_PASSWORD)
    assert client.get(reverse("password_change_done")).status_code == 200
    assert client.get(reverse("account")).status_code == 200  # still signed in here
    assert Api(token).get("/me").status_code == 401
    entry = AuditEntry.objects.get(action="password.changed")
    assert (entry.actor_id, entry.target_id) == (world.teacher.pk, str(world.teacher.uuid))
    assert entry.data == {"via": "password change page", "api_tokens_ended": 1}
    assert ApiToken.objects.get(person=world.teacher).revoked_by_id == world.teacher.pk


def test_the_top_bar_leads_to_the_account_and_the_password_change(client, world):
    client.force_login(world.student)
    page = client.get(reverse("mastery:student", args=[world.student.uuid]))
    assert f'href="{reverse("account")}"'.encode() in page.content
    account = client.get(reverse("account"))
    assert f'href="{reverse("password_change")}"'.encode() in account.content


# ---- resetting it by email ------------------------------------------------------------------


def give_email(person: Person, email: str) -> None:
    Person.objects.filter(pk=person.pk).update(email=email)


def ask_for_reset(client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


def test_the_login_page_offers_a_reset(client, world):
    page = client.get(reverse("login"))
    assert b"Forgot your password?" in page.content
    assert reverse("password_reset").encode() in page.content


def test_a_password_reset_by_email_end_to_end(client, world):
    give_email(world.teacher, "teacher@riverside.example")
    token = token_for("teacher")

    response = ask_for_reset(client, "Teacher@Riverside.example")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["teacher@riverside.example"]
    assert '"teacher"' in message.body  # names the account, for a shared address
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 200 and b"too short" in weak.content
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")

    assert password_is(world.teacher, NEW_PASSWORD)
    assert Api(token).get("/me").status_code == 401
    entry = AuditEntry.objects.get(action="password.changed")
    assert entry.data == {"via": "reset link", "api_tokens_ended": 1}
    signed_in = client.post(reverse("login"), {"username": "teacher", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in.url == reverse("home")
    client.logout()
    used_again = client.get(link, follow=True)
    assert b"This link no longer works" in used_again.content


@pytest.mark.parametrize(
    "email",
    ["nobody@riverside.example", "inactive@riverside.example", "nopassword@riverside.example"],
)
def test_a_reset_for_an_address_with_no_usable_account_answers_alike_and_sends_nothing(
    client, world, email
):
    give_email(world.teacher, "teacher@riverside.example")
    give_email(world.other_teacher, "inactive@riverside.example")
    Person.objects.filter(pk=world.other_teacher.pk).update(is_active=False)
    give_email(world.classmate, "nopassword@riverside.example")
    classmate = Person.objects.get(pk=world.classmate.pk)
    classmate.set_unusable_password()
    classmate.save()

    known = ask_for_reset(client, "teacher@riverside.example")
    mail.outbox.clear()
    unknown = ask_for_reset(client, email)
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert mail.outbox == []
    assert b"If a Proficio account uses that address" in client.get(unknown.url).content


def test_the_reset_mail_is_sent_by_the_task_worker(client, world, settings):
    """The page only queues it: a known and an unknown address cost the page the same."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    give_email(world.teacher, "teacher@riverside.example")
    ask_for_reset(client, "teacher@riverside.example")
    ask_for_reset(client, "nobody@riverside.example")
    assert mail.outbox == []


def test_without_a_mail_server_the_reset_mail_is_a_file_in_the_home(client, world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    give_email(world.teacher, "teacher@riverside.example")
    ask_for_reset(client, "teacher@riverside.example")
    (written,) = (settings.HOME / "mail").iterdir()
    assert "/accounts/password/reset/" in written.read_text()
