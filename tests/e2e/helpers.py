"""Steps shared by the browser journeys."""

import re

from playwright.sync_api import Page, expect

from proficio.demo.content import PASSWORD


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("button", name=re.compile("sign out", re.I))).to_be_visible()
