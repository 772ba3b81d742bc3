"""On a phone: a teacher who forgot their password resets it by email, signs in, and revokes an
API token from their account page."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from proficio.people.models import ApiToken, Person
from proficio.people.services import api_token_issue
from tests.factories import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "violet-harbour-lantern-42"
SHOTS = Path("/tmp")


def fits_the_phone(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_reset_by_email_and_a_revoked_token_on_a_phone(new_page):
    world = build_world()
    Person.objects.filter(pk=world.teacher.pk).update(email="teacher@riverside.example")
    api_token_issue(person=world.teacher)
    page = new_page(**PHONE)

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert fits_the_phone(page)
    page.get_by_label("Email").fill("teacher@riverside.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "proficio-reset-phone.png"), full_page=True)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()
    assert not ApiToken.objects.get(person=world.teacher).is_live()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    api_token_issue(person=Person.objects.get(pk=world.teacher.pk))  # under the new password
    page.get_by_role("link", name=re.compile("^Account")).click()
    expect(page.get_by_role("heading", name="Your API tokens")).to_be_visible()
    assert fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "proficio-account-phone.png"), full_page=True)
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
