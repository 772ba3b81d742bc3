"""A district admin lets a practice app in: gives it xAPI credentials, sees what it sends,
maps its activities to a competency, and the statements already sent become the student's
evidence, named after the app."""

import base64
import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from proficio.demo.build import load_demo
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.frameworks.models import Competency
from proficio.people.models import Person
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
APP = "https://fractions.example.org"


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


def _send(url: str, key: str, secret: str, statements: list[dict]) -> list[str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{url}/xapi/statements",
        data=json.dumps(statements).encode(),
        headers={
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def test_an_admin_lets_a_practice_app_in_and_maps_what_it_sent(
    demo, new_page, idle_server, screenshot
):
    student = Person.objects.get(username="student")
    page = new_page()
    sign_in(page, "admin")
    page.get_by_role("link", name="Learning tools (xAPI)").click()
    page.get_by_label("Tool").fill("Fraction Quest")
    page.get_by_label(re.compile("Home page of its accounts")).fill(APP)
    page.get_by_role("button", name="Create credentials").click()
    expect(page.get_by_role("heading", name="Credentials for Fraction Quest")).to_be_visible()
    key = page.locator("dt:has-text('Key') + dd code").inner_text()
    secret = page.locator("dt:has-text('Secret') + dd code").inner_text()

    sent = [
        {
            "actor": {"account": {"homePage": APP, "name": "student"}},
            "verb": {
                "id": "http://adlnet.gov/expapi/verbs/answered",
                "display": {"en-US": "answered"},
            },
            "object": {
                "id": f"{APP}/q/{number}",
                "definition": {"name": {"en-US": f"Equivalent fractions {number}"}},
            },
            "result": {"score": {"scaled": 0.9}},
        }
        for number in (1, 2, 3)
    ]
    assert len(_send(idle_server.url, key, secret, sent)) == 3

    page.get_by_role("link", name="Statements as evidence: the mapping").click()
    page.locator("li", has_text=f"{APP}/q/1").get_by_role("link", name="Map it").click()
    expect(page.get_by_label("Activity id")).to_have_value(f"{APP}/q/1")
    page.get_by_label("Activity id").fill(f"{APP}/q/")
    page.get_by_label("Match").select_option("prefix")
    competency = Competency.objects.filter(framework__district=student.district, code="W1").first()
    page.get_by_label("Evidence of the competency").select_option(str(competency.uuid))
    page.get_by_label("At stage").fill("1")
    page.get_by_label("Level when met").fill("3")
    page.get_by_label("Level when not met").fill("1")
    page.get_by_role("button", name="Add the rule").click()
    page.get_by_role("button", name="Map 3 statements").click()
    expect(page.get_by_text("3 earlier statements are being mapped.")).to_be_visible()
    screenshot(page, "learning-tools-mapping")

    ratings = Evidence.objects.filter(student=student, source=EvidenceSource.EXTERNAL)
    assert ratings.count() == 3
    page.goto(f"/students/{student.uuid}/competencies/{competency.uuid}/")
    expect(page.get_by_text(re.compile("Fraction Quest")).first).to_be_visible()
