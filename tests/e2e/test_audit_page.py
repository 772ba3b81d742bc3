"""A district admin reads the audit log: filters it by an action and downloads it as CSV."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proficio.audit.api import (
    AUDIT_EXPORTED,
    EVIDENCE_CORRECTED,
    EVIDENCE_RECORDED,
    STUDENT_VIEWED,
    AuditEntry,
)
from proficio.demo.build import load_demo
from proficio.people.models import Person
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_SHOT = Path("/tmp") / "proficio-audit-phone.png"


@pytest.fixture
def demo(transactional_db):
    return load_demo(students=24)


def seed_log() -> None:
    """A few days of entries, spread in time as a real log would be, in place of the roles
    and enrolments that loading the demo recorded."""
    AuditEntry.objects.all()._prune()
    people = {p.username: p for p in Person.objects.filter(district__isnull=False)}
    teacher, student, guardian = people["teacher"], people["student"], people["guardian"]
    classmates = [
        person
        for person in Person.objects.filter(enrolled_sections__teachers=teacher).distinct()
        if person != student
    ][:3]
    now = timezone.now()
    rows = [
        (teacher, STUDENT_VIEWED, student, 50, {}),
        (teacher, EVIDENCE_RECORDED, student, 49, {"competency": "W1", "level": 3}),
        (guardian, STUDENT_VIEWED, student, 26, {}),
        (people["schooladmin"], STUDENT_VIEWED, classmates[0], 20, {}),
        (teacher, EVIDENCE_CORRECTED, classmates[1], 5, {"reason": "Rated the wrong stage"}),
        (teacher, STUDENT_VIEWED, classmates[2], 2, {}),
        (None, "mastery.recomputed", None, 1, {"students": 24}),
    ]
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=now - timedelta(hours=hours),
            actor=actor,
            actor_name=actor.display_name if actor else "",
            action=action,
            student=whom,
            student_name=whom.display_name if whom else "",
            district_id=teacher.district_id,
            data=data,
        )
        for actor, action, whom, hours, data in rows
    )


def test_a_district_admin_filters_the_audit_log_and_downloads_it(demo, new_page, screenshot):
    seed_log()
    amara = Person.objects.get(username="student").display_name
    page = new_page()
    sign_in(page, "admin")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()

    page.get_by_label("Action").select_option(label="Viewed a student's record")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="Recorded evidence")).to_have_count(0)
    expect(rows.filter(has_text=amara)).to_have_count(2)
    expect(page.get_by_text(re.compile("4 entries matching the filters"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download CSV")).click()
    text = Path(download.value.path()).read_text()
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["When (UTC)", "Who", "Action"]
    assert {line[2] for line in lines} == {STUDENT_VIEWED}
    assert len(lines) == 4
    assert AuditEntry.objects.filter(action=AUDIT_EXPORTED).count() == 1

    page.get_by_role("link", name="Clear filters").click()
    expect(rows).to_have_count(8)  # the seven seeded and the download just made
    screenshot(page, "audit")

    phone = new_page(width=390, height=844)
    sign_in(phone, "admin")
    phone.goto("/audit/")
    expect(phone.locator("table.audit-log tbody tr").first).to_be_visible()
    # On a phone each entry reads as a card, without scrolling sideways.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.screenshot(path=str(PHONE_SHOT), full_page=True)
