"""The Content-Security-Policy blocks nothing the pages need: htmx swaps, the panel's focus,
Close and Escape, the policy page, the audit page and the API docs, with no console errors."""

import re

import pytest
from playwright.sync_api import Page, expect

from proficio.demo.build import load_demo
from proficio.people.models import Person
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=12)


def watched(page: Page) -> list[str]:
    """Console errors (a blocked script or style is reported there) and uncaught errors."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_gradebook_panel_works_under_the_policy(demo, new_page):
    student = Person.objects.get(username="student")
    page = new_page()
    errors = watched(page)
    sign_in(page, "teacher")
    page.get_by_role("link", name=re.compile("gradebook", re.I)).first.click()
    cell = page.get_by_role("row").filter(has_text=student.display_name).locator("a.cell").first
    cell.click()
    heading = page.locator("#panel h2")
    expect(heading).to_be_focused()  # app.js: focus follows the swap
    expect(cell).to_have_class(re.compile("cell--open"))
    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_empty()
    expect(cell).to_be_focused()
    cell.click()
    page.locator("#panel").get_by_role("button", name="Close").click()
    expect(page.locator("#panel")).to_be_empty()
    expect(cell).not_to_have_class(re.compile("cell--open"))
    page.goto(f"/students/{student.uuid}/")
    assert errors == []


def test_the_admin_pages_and_the_api_docs_work_under_the_policy(demo, new_page):
    page = new_page()
    errors = watched(page)
    sign_in(page, "admin")
    page.get_by_role("link", name="Mastery policies").click()
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("heading", name=re.compile("what this change would do", re.I))
    expect(preview).to_be_visible()
    page.goto("/audit/")
    expect(page.locator(".audit-filter")).to_have_css("border-top-style", "solid")  # app.css
    page.goto("/api/v1/docs")
    expect(page.locator("#swagger-ui .info")).to_be_visible()
    assert errors == []
