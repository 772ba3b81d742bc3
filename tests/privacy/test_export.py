"""A student's export holds every row about them that a query of the database finds."""

import io
import json
import zipfile

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.privacy.services import student_export
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def rows_pointing_at(person) -> set[tuple[str, object]]:
    """(table, primary key) of every row with a foreign, one-to-one or many-to-many key to
    `person`, found by walking every installed model; the person's own row too."""
    person_model = get_user_model()
    found = {(person_model._meta.db_table, person.pk)}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if field.related_model is not person_model or field.auto_created:
                continue
            if field.many_to_many:
                through = field.remote_field.through
                keys = [
                    f.attname
                    for f in through._meta.concrete_fields
                    if f.is_relation and f.related_model is person_model
                ]
                queries = [(through, key) for key in keys]
            elif field.many_to_one or field.one_to_one:
                queries = [(model, field.attname)]
            else:
                continue
            for table_model, key in queries:
                pks = table_model._base_manager.filter(**{key: person.pk}).values_list(
                    "pk", flat=True
                )
                found |= {(table_model._meta.db_table, pk) for pk in pks}
    return found | rows_naming(person)


def rows_naming(person) -> set[tuple[str, object]]:
    """Rows that point at `person` without a key: sign-in logs by their username, and the
    admin's change log by content type and object id."""
    person_type = ContentType.objects.get_for_model(person)
    found = set()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        pks = model.objects.filter(username=person.username).values_list("pk", flat=True)
        found |= {(model._meta.db_table, pk) for pk in pks}
    about = LogEntry.objects.filter(content_type=person_type, object_id=str(person.pk))
    return found | {(LogEntry._meta.db_table, pk) for pk in about.values_list("pk", flat=True)}


def exported(actor, student) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    student_export(actor=actor, student=student, destination=buffer, via="page")
    return zipfile.ZipFile(buffer)


def exported_rows(archive: zipfile.ZipFile) -> set[tuple[str, object]]:
    rows = set()
    for name in archive.namelist():
        if name.startswith("tables/"):
            document = json.loads(archive.read(name))
            pk_column = apps.get_model(document["model"])._meta.pk.column
            rows |= {(document["table"], row[pk_column]) for row in document["rows"]}
    return rows


def test_the_export_holds_every_row_about_the_student_in_every_table(client, recorded):
    login = reverse("login")
    client.post(login, {"username": "student", "password": PASSWORD})
    client.logout()
    client.post(login, {"username": "student", "password": "not-the-passphrase"})
    LogEntry.objects.create(
        user=recorded.district_admin,
        content_type=ContentType.objects.get_for_model(recorded.student),
        object_id=str(recorded.student.pk),
        object_repr=str(recorded.student),
        action_flag=CHANGE,
    )
    about = rows_pointing_at(recorded.student)
    tables = {table for table, _pk in about}
    # The record really spans the apps, so the comparison below is not vacuous.
    assert {
        "people_person",
        "people_roleassignment",
        "people_enrollment",
        "people_guardianlink",
        "people_apitoken",
        "people_person_groups",
        "evidence_evidence",
        "mastery_masteryrecord",
        "mastery_masteryrecordhistory",
        "mastery_workingstage",
        "audit_auditentry",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
        "django_admin_log",
    } <= tables

    missing = about - exported_rows(exported(recorded.district_admin, recorded.student))
    assert not missing, sorted(missing)


def test_the_export_has_every_column_withholds_secrets_and_reads_well(recorded):
    archive = exported(recorded.district_admin, recorded.student)
    evidence = json.loads(archive.read("tables/evidence_evidence.json"))
    assert set(evidence["about_the_student_through"]) == {"student_id", "assessor_id"}
    assert len(evidence["rows"]) == 3
    assert "feedback_present" in evidence["columns"]
    person = json.loads(archive.read("tables/people_person.json"))["rows"][0]
    assert person["password"] == "(withheld)"
    assert person["username"] == "student"
    token = json.loads(archive.read("tables/people_apitoken.json"))["rows"][0]
    assert token["digest"] == "(withheld)"

    readable = archive.read("readable/evidence/evidence.csv").decode()
    assert "Self-assessment" in readable
    assert "Teacher Tester" in readable  # the assessor by name, not by id
    assert "W1" in readable
    assert "readable/mastery/mastery-records.csv" in archive.namelist()
    assert "evidence_evidence" in archive.read("README.txt").decode()


def test_an_export_is_audited_with_who_exported_whom(recorded):
    exported(recorded.district_admin, recorded.student)
    entry = AuditEntry.objects.filter(action="student.exported").get()
    assert entry.actor == recorded.district_admin
    assert entry.student == recorded.student
    assert entry.data["via"] == "page"
    assert entry.data["tables"]["evidence_evidence"] == 3


def test_another_districts_or_schools_admin_cannot_export(recorded):
    from proficio.lib.errors import NotVisible

    for outsider in (recorded.teacher, recorded.guardian, recorded.student):
        with pytest.raises(NotVisible):
            exported(outsider, recorded.student)
    far = recorded.far_student
    with pytest.raises(NotVisible):
        exported(recorded.school_admin, far)


def test_an_export_holds_no_transaction_while_it_writes_the_zip(recorded, monkeypatch):
    """On SQLite a transaction is the write lock: every rater would wait for the zip."""
    from django.db import connection

    from proficio.privacy import services

    depth_outside = len(connection.atomic_blocks)
    depths: list[int] = []

    def write_export(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return real_write_export(*args, **kwargs)

    real_write_export = services.write_export
    monkeypatch.setattr(services, "write_export", write_export)
    exported(recorded.district_admin, recorded.student)
    assert depths == [depth_outside]
    assert AuditEntry.objects.filter(action="student.exported").count() == 1
