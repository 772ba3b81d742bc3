"""After erasure nothing in the database names the student: not the audit trail's data, not
the sign-in logs, not the admin's change log, not a finished mail task's arguments."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from proficio.audit.models import AuditEntry
from proficio.audit.services import record
from proficio.people.models import Person
from proficio.people.services import api_token_revoke, person_sign_in_unlock
from proficio.privacy.services import student_erase
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-passphrase"
# Distinctive, so a search of every column finds only what names this student.
USERNAME, FIRST, LAST, EMAIL = "zoe.quill", "Zoe", "Quillfeather", "zoe.q@example.org"
GUARDIAN = "hal.brook"


def mail_task(email: str, status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [email, "school.example", True], "kwargs": {}},
        task_path="proficio.web.tasks.password_reset_mail_send",
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now() if status != TaskResultStatus.READY else None,
    )


@pytest.fixture
def traced(client, recorded):
    """The student under distinctive names, with a trace in every place erasure must reach."""
    student = recorded.student
    Person.objects.filter(pk=student.pk).update(
        username=USERNAME, first_name=FIRST, last_name=LAST, email=EMAIL
    )
    student.refresh_from_db()
    login = reverse("login")
    for _attempt in range(3):  # locked out, then unlocked by their admin
        client.post(login, {"username": USERNAME, "password": WRONG})
    person_sign_in_unlock(actor=recorded.district_admin, person=student)
    client.post(login, {"username": USERNAME, "password": PASSWORD})
    client.logout()
    client.post(login, {"username": USERNAME, "password": WRONG})
    api_token_revoke(actor=recorded.district_admin, token=student.api_tokens.get())
    LogEntry.objects.create(
        user=recorded.district_admin,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(student.pk),
        object_repr=f"{FIRST} {LAST}",
        action_flag=CHANGE,
        change_message="[]",
    )
    mail_task(EMAIL, TaskResultStatus.SUCCESSFUL)
    mail_task(EMAIL, TaskResultStatus.FAILED)
    record(
        actor=recorded.district_admin,
        action="admin.changed",
        student=student,
        data={"row": f"{FIRST} {LAST} — Student (North)", "change": "changed"},
    )
    Person.objects.filter(pk=recorded.guardian.pk).update(
        username=GUARDIAN, first_name="Hal", last_name="Brookman"
    )
    record(
        actor=recorded.district_admin,
        action="admin.changed",
        student=student,
        data={"row": f"Hal Brookman → {FIRST} {LAST}", "model": "people.GuardianLink"},
    )
    return recorded


def columns_naming(texts: tuple[str, ...]) -> list[tuple[str, str, object]]:
    """(table, column, pk) of every text or JSON value anywhere that contains one of `texts`."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for pk, value in model._base_manager.values_list("pk", field.attname):
                if value is not None and any(text in str(value) for text in texts):
                    found.append((model._meta.db_table, field.column, pk))
    return found


def test_the_traces_are_there_before(traced):
    naming = {table for table, _column, _pk in columns_naming((USERNAME, LAST, EMAIL))}
    assert {
        "people_person",
        "audit_auditentry",
        "axes_accesslog",
        "axes_accessfailurelog",
        "axes_accessattempt",
        "django_admin_log",
        "django_tasks_database_dbtaskresult",
    } <= naming


def test_after_erasure_no_column_of_any_table_names_the_student(traced):
    student = traced.student
    erasure = student_erase(actor=traced.district_admin, student=student, via="page")

    assert columns_naming((USERNAME, LAST, EMAIL)) == []
    assert erasure.sign_in_records_removed >= 3
    assert erasure.admin_log_entries_renamed == 1
    assert erasure.task_results_removed == 2
    pseudonym = str(Person.objects.get(pk=student.pk))
    assert LogEntry.objects.get().object_repr == pseudonym


def test_token_revocation_and_unlocking_are_recorded_about_the_student(traced):
    for action in ("api_token.revoked", "sign_in.unlocked"):
        entry = AuditEntry.objects.get(action=action)
        assert (entry.student, entry.data["person"]) == (traced.student, USERNAME)

    student_erase(actor=traced.district_admin, student=traced.student, via="page")

    erased = Person.objects.get(pk=traced.student.pk)
    for action in ("api_token.revoked", "sign_in.unlocked"):
        entry = AuditEntry.objects.get(action=action)
        assert (entry.student_name, entry.data["person"]) == (str(erased), str(erased))


def test_an_entry_only_targeting_the_student_loses_their_username_too(traced):
    """Entries recorded before they were about the student (student left empty)."""
    record(
        actor=traced.district_admin,
        action="api_token.revoked",
        target=traced.student,
        data={"person": USERNAME, "emails": [EMAIL]},
    )
    student_erase(actor=traced.district_admin, student=traced.student, via="page")
    entry = AuditEntry.objects.filter(action="api_token.revoked", student=None).get()
    pseudonym = str(Person.objects.get(pk=traced.student.pk))
    assert entry.data == {"person": pseudonym, "emails": [pseudonym]}


def test_the_linked_guardian_is_no_longer_named(traced):
    (linked,) = AuditEntry.objects.filter(action="guardian.linked", student=traced.student)
    assert (linked.data["guardian"], linked.target_id) == ("guardian", str(traced.guardian.uuid))

    student_erase(actor=traced.district_admin, student=traced.student, via="page")

    linked = AuditEntry.objects.get(pk=linked.pk)
    assert linked.data["guardian"] == "a guardian"
    assert (linked.target_type, linked.target_id) == ("", "")
    pseudonym = str(Person.objects.get(pk=traced.student.pk))
    changed = AuditEntry.objects.get(action="admin.changed", data__model="people.GuardianLink")
    assert changed.data["row"] == f"a guardian → {pseudonym}"
    about = AuditEntry.objects.filter(student=traced.student).values_list("data", flat=True)
    assert not [data for data in about if GUARDIAN in str(data) or "Brookman" in str(data)]


def test_other_peoples_sign_in_records_and_unfinished_tasks_stay(client, traced):
    client.post(reverse("login"), {"username": "classmate", "password": WRONG})
    waiting = mail_task(EMAIL, TaskResultStatus.READY)
    others = mail_task("someone@example.org", TaskResultStatus.SUCCESSFUL)

    student_erase(actor=traced.district_admin, student=traced.student, via="page")

    assert AccessAttempt.objects.filter(username="classmate").exists()
    assert AccessFailureLog.objects.filter(username="classmate").exists()
    assert not AccessLog.objects.filter(username=USERNAME).exists()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {waiting.pk, others.pk}
