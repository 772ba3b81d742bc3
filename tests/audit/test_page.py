"""The audit log page: a district admin reads their district's entries, filters them and
downloads them; the download is itself on the record."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.audit.api import (
    AUDIT_EXPORTED,
    EVIDENCE_RECORDED,
    STUDENT_VIEWED,
    AuditEntry,
    record,
    record_views,
)
from proficio.people.models import Role
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(world):
    """Entries in both districts: the teacher saw and rated; elsewhere, its teacher saw."""
    record_views(actor=world.teacher, action=STUDENT_VIEWED, students=[world.student])
    record(actor=world.teacher, action=EVIDENCE_RECORDED, student=world.classmate, data={"l": 3})
    record_views(
        actor=world.other_district_teacher,
        action=STUDENT_VIEWED,
        students=[world.other_district_student],
    )
    return world


@pytest.fixture
def admin(client, world):
    client.force_login(world.district_admin)
    return client


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_a_district_admin_sees_their_districts_entries_only(admin, log):
    response = admin.get(reverse("audit"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Student Tester" in content and "Classmate Tester" in content
    assert "Viewed a student&#x27;s record" in content and "Recorded evidence" in content
    assert "Teacher Tester" in content
    assert "Elsewherestudent" not in content and "Elsewhereteacher" not in content


def test_another_districts_admin_sees_only_theirs(client, log):
    elsewhere = log.other_district_student.district
    client.force_login(make_person(elsewhere, "elsewhereadmin", Role.DISTRICT_ADMIN, None))
    content = client.get(reverse("audit")).content.decode()
    assert "Elsewherestudent Tester" in content
    assert "Student Tester" not in content and "Classmate Tester" not in content


def test_the_newest_entry_comes_first(admin, log):
    content = admin.get(reverse("audit")).content.decode()
    assert content.index("Classmate Tester") < content.index(">Student Tester")


@pytest.mark.parametrize(
    ("filters", "shown", "hidden"),
    [
        ({"student": "classm"}, "Classmate Tester", "Student Tester"),
        ({"student": "CLASSMATE"}, "Classmate Tester", "Student Tester"),  # the username
        ({"action": EVIDENCE_RECORDED}, "Classmate Tester", "Student Tester"),
        ({"action": STUDENT_VIEWED}, ">Student Tester", "Classmate Tester"),
    ],
)
def test_filters_narrow_the_log(admin, log, filters, shown, hidden):
    content = admin.get(reverse("audit"), filters).content.decode()
    assert shown in content
    assert hidden not in content


def test_the_actor_filter_matches_who_did_it(admin, log):
    record(actor=log.school_admin, action=STUDENT_VIEWED, student=log.far_student)
    content = admin.get(reverse("audit"), {"actor": "schoola"}).content.decode()
    assert "Farstudent Tester" in content
    assert "Classmate Tester" not in content


def test_the_date_filters_count_whole_days(admin, log):
    AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=10),
        action=STUDENT_VIEWED,
        student_name="Long Ago",
        district=log.district,
    )
    today = timezone.localdate()
    ten_days_ago = (today - timedelta(days=10)).isoformat()
    recent = admin.get(reverse("audit"), {"since": today.isoformat()}).content.decode()
    assert "Student Tester" in recent and "Long Ago" not in recent
    old = admin.get(reverse("audit"), {"until": ten_days_ago}).content.decode()
    assert "Long Ago" in old and "Student Tester" not in old


def test_a_backwards_date_range_is_explained_and_left_out(admin, log):
    today = timezone.localdate()
    response = admin.get(
        reverse("audit"),
        {"since": today.isoformat(), "until": (today - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The end date is before the start date." in content
    assert "Student Tester" in content


def test_the_action_filter_offers_the_actions_in_the_district(admin, log):
    record(actor=log.other_district_teacher, action="elsewhere.only")
    content = admin.get(reverse("audit")).content.decode()
    assert f'<option value="{EVIDENCE_RECORDED}">Recorded evidence</option>' in content
    assert "elsewhere.only" not in content


def test_the_log_pages_by_fifty_newest_first(admin, world):
    students = [world.student] * 51
    record_views(actor=world.teacher, action=STUDENT_VIEWED, students=students)
    first = admin.get(reverse("audit")).content.decode()
    assert "Entries 1–50 of 51" in first
    assert first.count("<tr>") == 51  # the header row and fifty entries
    second = admin.get(reverse("audit"), {"page": 2}).content.decode()
    assert second.count("<tr>") == 2
    assert "Page 2 of 2" in second


def test_an_empty_log_says_so(admin, world):
    content = admin.get(reverse("audit")).content.decode()
    assert "Nothing has been recorded for your district yet" in content
    assert "Download CSV" not in content


def test_the_csv_holds_the_filtered_entries_and_the_download_is_audited(admin, log):
    page = admin.get(reverse("audit"), {"action": EVIDENCE_RECORDED}).content.decode()
    assert f'href="{reverse("audit_export")}?action=evidence.recorded"' in page
    response = admin.get(reverse("audit_export"), {"action": EVIDENCE_RECORDED})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = csv_rows(response)
    assert header[:5] == ["When (UTC)", "Who", "Action", "What it means", "Student"]
    assert [row[1:5] for row in rows] == [
        ["Teacher Tester", "evidence.recorded", "Recorded evidence", "Classmate Tester"]
    ]
    assert rows[0][-1] == '{"l": 3}'
    exported = AuditEntry.objects.get(action=AUDIT_EXPORTED)
    assert exported.actor == log.district_admin
    assert exported.district_id == log.district.pk
    assert exported.data == {"filters": {"action": EVIDENCE_RECORDED}}


def test_the_csv_keeps_a_name_from_being_read_as_a_formula(admin, world):
    world.student.first_name = "=HYPERLINK(1)"
    world.student.save()
    record_views(actor=world.teacher, action=STUDENT_VIEWED, students=[world.student])
    response = admin.get(reverse("audit_export"), {"action": STUDENT_VIEWED})
    _header, *rows = csv_rows(response)
    assert rows[0][4] == "'=HYPERLINK(1) Tester"


def test_the_district_admins_home_links_to_the_log(client, world):
    client.force_login(world.district_admin)
    assert reverse("audit").encode() in client.get(reverse("home")).content
    for who in (world.school_admin, world.teacher):
        client.force_login(who)
        assert reverse("audit").encode() not in client.get(reverse("home")).content
