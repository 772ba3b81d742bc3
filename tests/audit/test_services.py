"""The audit trail records, never breaks what it records, never changes, and forgets only
past its retention."""

import logging
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from proficio.audit.api import (
    AUDIT_PRUNED,
    EVIDENCE_RECORDED,
    STUDENT_VIEWED,
    AuditEntry,
    AuditIsAppendOnly,
    prune,
    record,
    record_views,
)
from proficio.audit.models import AuditEntryQuerySet
from proficio.cli import _parser
from proficio.lib.errors import InvalidInput
from tests.test_cli import run_proficio

pytestmark = pytest.mark.django_db


def entry_at(days_ago: float, action: str = STUDENT_VIEWED) -> AuditEntry:
    """An entry written `days_ago` (the clock moved back, as `at` is written only on insert)."""
    return AuditEntry.objects.create(at=timezone.now() - timedelta(days=days_ago), action=action)


def test_record_writes_one_entry_with_who_what_and_whose(world):
    record(
        actor=world.teacher,
        action=EVIDENCE_RECORDED,
        student=world.student,
        target=world.section,
        data={"level": 3},
    )
    entry = AuditEntry.objects.get()
    assert entry.actor == world.teacher
    assert entry.actor_name == "Teacher Tester"
    assert entry.action == "evidence.recorded"
    assert entry.student == world.student
    assert entry.student_name == "Student Tester"
    assert entry.district_id == world.district.pk
    assert (entry.target_type, entry.target_id) == ("section", str(world.section.uuid))
    assert entry.data == {"level": 3}
    assert timezone.now() - entry.at < timedelta(minutes=1)


def test_record_without_a_student_belongs_to_the_actors_district(world):
    record(actor=world.other_district_teacher, action="roster.synced")
    entry = AuditEntry.objects.get()
    assert entry.district_id == world.other_district_teacher.district_id
    assert entry.student is None and entry.student_name == ""


def test_record_by_the_system_has_no_actor_and_may_name_its_district(world):
    record(actor=None, action="mastery.recomputed", district_id=world.district.pk)
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.actor_name == ""
    assert entry.district_id == world.district.pk


def test_a_target_without_a_uuid_is_named_by_its_key(world):
    record(actor=world.teacher, action="x.done", target=world.teacher.roles.first())
    entry = AuditEntry.objects.get()
    assert entry.target_type == "roleassignment"
    assert entry.target_id == str(world.teacher.roles.first().pk)


def test_record_views_writes_one_entry_per_other_student_in_one_insert(
    world, django_assert_num_queries
):
    students = [world.student, world.classmate, world.far_student]
    # A savepoint, the one insert, and the savepoint released.
    with django_assert_num_queries(3) as captured:
        record_views(actor=world.teacher, action=STUDENT_VIEWED, students=students)
    assert [q["sql"].lstrip().upper()[:6] for q in captured.captured_queries].count("INSERT") == 1
    assert sorted(AuditEntry.objects.values_list("student_name", flat=True)) == [
        "Classmate Tester",
        "Farstudent Tester",
        "Student Tester",
    ]
    assert set(AuditEntry.objects.values_list("actor_id", "district_id")) == {
        (world.teacher.pk, world.district.pk)
    }


def test_record_views_skips_the_student_looking_at_themself(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        record_views(actor=world.student, action=STUDENT_VIEWED, students=[world.student])
    record_views(
        actor=world.student, action=STUDENT_VIEWED, students=[world.student, world.classmate]
    )
    assert list(AuditEntry.objects.values_list("student_id", flat=True)) == [world.classmate.pk]


def _broken_insert(*args, **kwargs):
    """An insert the database refuses, as a full disk or a lost table would."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_no_such_table (id) VALUES (1)")


def test_a_failed_record_is_logged_and_the_callers_transaction_goes_on(world, monkeypatch, caplog):
    monkeypatch.setattr(AuditEntry, "save", _broken_insert)
    monkeypatch.setattr(AuditEntryQuerySet, "bulk_create", _broken_insert)
    with caplog.at_level(logging.ERROR, logger="proficio.audit"), transaction.atomic():
        world.student.first_name = "Renamed"
        world.student.save()
        record(actor=world.teacher, action=EVIDENCE_RECORDED, student=world.student)
        record_views(actor=world.teacher, action=STUDENT_VIEWED, students=[world.classmate])
        # The caller's transaction is still usable: it reads and writes after the failure.
        world.classmate.first_name = "Also renamed"
        world.classmate.save()
    world.student.refresh_from_db()
    world.classmate.refresh_from_db()
    assert (world.student.first_name, world.classmate.first_name) == ("Renamed", "Also renamed")
    assert AuditEntry.objects.count() == 0
    messages = [r.getMessage() for r in caplog.records if r.name == "proficio.audit"]
    assert len(messages) == 2
    assert "evidence.recorded" in messages[0] and "student.viewed" in messages[1]


def test_an_entry_is_never_changed(world):
    record(actor=world.teacher, action=STUDENT_VIEWED, student=world.student)
    entry = AuditEntry.objects.get()
    entry.action = "nothing.happened"
    with pytest.raises(AuditIsAppendOnly):
        entry.save()
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.update(action="nothing.happened")
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry(pk=entry.pk, action="nothing.happened").save()
    assert AuditEntry.objects.get().action == STUDENT_VIEWED


def test_an_entry_is_never_deleted_but_by_the_prune(world):
    record(actor=world.teacher, action=STUDENT_VIEWED, student=world.student)
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.get().delete()
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_an_entry_outlives_the_person_it_names(world):
    record(actor=world.teacher, action=STUDENT_VIEWED, student=world.student)
    world.teacher.is_active = False
    world.teacher.save()
    world.student.delete()
    entry = AuditEntry.objects.get()
    assert entry.student_id is not None
    assert (entry.actor_name, entry.student_name) == ("Teacher Tester", "Student Tester")


def test_prune_removes_only_entries_past_the_retention(settings):
    settings.PROFICIO_AUDIT_RETENTION_DAYS = 30
    old, older = entry_at(31), entry_at(400)
    recent = entry_at(29)
    assert prune() == 2
    remaining = AuditEntry.objects.exclude(action=AUDIT_PRUNED)
    assert list(remaining) == [recent]
    assert not AuditEntry.objects.filter(pk__in=[old.pk, older.pk]).exists()
    # The prune itself is on the record.
    pruned = AuditEntry.objects.get(action=AUDIT_PRUNED)
    assert pruned.data["removed"] == 2 and pruned.data["older_than_days"] == 30


def test_prune_may_be_given_its_own_age_and_refuses_a_negative_one():
    entry_at(10)
    assert prune(older_than_days=11) == 0
    assert prune(older_than_days=9) == 1
    with pytest.raises(InvalidInput):
        prune(older_than_days=-1)


def test_prune_keeps_seven_years_unless_told():
    entry_at(7 * 365 - 1)
    entry_at(7 * 365 + 1)
    assert prune() == 1


def prune_command(*arguments: str) -> int:
    """The `proficio audit prune` command, parsed and run here, in the test's database."""
    args = _parser().parse_args(["audit", "prune", *arguments])
    return args.command(args)


def test_the_audit_prune_command_says_how_many_entries_it_removed(capsys):
    entry_at(100)
    entry_at(5)
    assert prune_command("--older-than-days", "30") == 0
    assert capsys.readouterr().out == "Removed 1 audit entry older than 30 days.\n"
    assert prune_command() == 0
    assert capsys.readouterr().out == "Removed 0 audit entries older than 2,555 days.\n"


@pytest.mark.db_independent
def test_the_audit_prune_command_runs_on_a_fresh_home_and_refuses_a_negative_age(tmp_path):
    result = run_proficio(tmp_path, "audit", "prune", "--older-than-days", "90")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("Removed 0 audit entries older than 90 days.")
    refused = run_proficio(tmp_path, "audit", "prune", "--older-than-days", "-3")
    assert refused.returncode == 1
    assert refused.stderr.startswith("proficio: older_than_days: The retention cannot be")
    assert len(refused.stderr.strip().splitlines()) == 1
