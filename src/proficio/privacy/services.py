"""Export and erasure of one student's data, each checked, atomic and audited.

The caller is a district admin of the student's district or a school admin of their school
(current or former student: `people.api.keeps_records_of`), or the operator at the command
line (`actor=None`), who holds the installation.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import BinaryIO, Literal

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from proficio.audit import api as audit
from proficio.lib.errors import NotVisible
from proficio.people.api import (
    Person,
    guardians_linked_to,
    keeps_records_of,
    student_pseudonymise,
)
from proficio.privacy.export import ExportedTable, write_export
from proficio.privacy.tables import person_tables

Via = Literal["page", "command line"]


@dataclass(frozen=True)
class ExportSummary:
    rows_by_table: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


@dataclass(frozen=True)
class Erasure:
    pseudonym: str
    guardian_links_removed: int
    api_tokens_removed: int
    demographics_removed: int
    audit_entries_renamed: int
    files_removed: int
    sign_in_records_removed: int
    admin_log_entries_renamed: int
    task_results_removed: int


def _check(actor: Person | None, student: Person) -> None:
    if actor is not None and not keeps_records_of(actor, student):
        raise NotVisible(f"No student {student.uuid}.")


def student_export(
    *, actor: Person | None, student: Person, destination: BinaryIO, via: Via
) -> ExportSummary:
    """Write everything held about `student` to `destination` as a zip (see export.py).

    No transaction around it: on SQLite every transaction takes the write lock
    (transaction_mode IMMEDIATE), and every rater would wait while the zip is written. The
    rows are read first, each table in one query; the audit entry is its own short write."""
    _check(actor, student)
    tables = [ExportedTable(table, list(table.rows_about(student))) for table in person_tables()]
    held = write_export(
        destination,
        person=student,
        tables=tables,
        exported_by=str(actor) if actor is not None else "the operator, at the command line",
        exported_at=timezone.localtime(),
    )
    summary = ExportSummary({exported.table.name: len(exported.rows) for exported in held})
    audit.record(
        actor=actor,
        action=audit.STUDENT_EXPORTED,
        student=student,
        target=student,
        data={"via": via, "rows": summary.rows, "tables": summary.rows_by_table},
    )
    return summary


@transaction.atomic
def student_erase(*, actor: Person | None, student: Person, via: Via) -> Erasure:
    """Replace the student's identity with a pseudonym everywhere it is written, and remove
    their files and sign-in logs; keep every row of their work, so counts stay as they were.
    Refuses with the reason (InvalidInput) when erasure would not hold
    (docs/decisions/0015)."""
    _check(actor, student)
    username, email = student.username, student.email
    former = _identifiers_of(student)
    # A guardian's name on the student's record would say whose child the pseudonym was.
    relatives = {
        identifier: "a guardian"
        for guardian in guardians_linked_to(student)
        for identifier in _identifiers_of(guardian)
    }
    changed = student_pseudonymise(student=student)
    renamed = audit.names_pseudonymise(
        person=student, pseudonym=str(student), former=former, relatives=relatives
    )
    files_removed = _remove_files(student)
    erasure = Erasure(
        pseudonym=changed.pseudonym,
        guardian_links_removed=changed.guardian_links_removed,
        api_tokens_removed=changed.api_tokens_removed,
        demographics_removed=changed.demographics_removed,
        audit_entries_renamed=renamed,
        files_removed=files_removed,
        sign_in_records_removed=_remove_sign_in_records(username),
        admin_log_entries_renamed=_rename_in_admin_log(student),
        task_results_removed=_remove_task_results(email),
    )
    audit.record(
        actor=actor,
        action=audit.STUDENT_ERASED,
        student=student,
        target=student,
        data={
            "via": via,
            "guardian_links_removed": erasure.guardian_links_removed,
            "api_tokens_removed": erasure.api_tokens_removed,
            "demographics_removed": erasure.demographics_removed,
            "audit_entries_renamed": erasure.audit_entries_renamed,
            "files_removed": erasure.files_removed,
            "sign_in_records_removed": erasure.sign_in_records_removed,
            "admin_log_entries_renamed": erasure.admin_log_entries_renamed,
            "task_results_removed": erasure.task_results_removed,
        },
    )
    return erasure


def _identifiers_of(person: Person) -> set[str]:
    """What identifies a person wherever it is written: username, names, email."""
    return {
        person.username,
        person.email,
        person.first_name,
        person.last_name,
        person.preferred_name,
        person.display_name,
        person.get_full_name(),
    } - {""}


def _remove_sign_in_records(username: str) -> int:
    """Delete the rows kept by the former username (django-axes' attempts, failures and
    accesses): a log of sign-ins, no part of the school's record, that would name them."""
    removed = 0
    for table in person_tables():
        if table.kept_by_username:
            rows = table.model._base_manager.filter(
                reduce(or_, (Q(**{field: username}) for field in table.username_fields))
            )
            _deleted, per_model = rows.delete()
            removed += per_model.get(table.label, 0)
    return removed


def _rename_in_admin_log(student: Person) -> int:
    """The admin's change log names each object it changed as it read then: the pseudonym
    takes the place of the name in the rows about the student."""
    person_type = ContentType.objects.get_for_model(student, for_concrete_model=True)
    return LogEntry.objects.filter(content_type=person_type, object_id=str(student.pk)).update(
        object_repr=str(student)[:200]
    )


def _remove_task_results(email: str) -> int:
    """Delete the finished background tasks whose arguments hold the student's email (the
    password reset mail): they did their work, and would keep the address."""
    if not email:
        return 0
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        args_kwargs__icontains=email,
    )
    removed, _per_model = finished.delete()
    return removed


def _remove_files(student: Person) -> int:
    """Clear every file column of the rows about the student; the stored files go once the
    erasure commits, so a refused or failed one loses nothing."""
    removed = 0
    for table in person_tables():
        for name in table.file_fields:
            rows = table.rows_about(student).exclude(**{name: ""}).exclude(**{name: None})
            for row in rows:
                file = getattr(row, name)
                transaction.on_commit(
                    lambda storage=file.storage, path=file.name: storage.delete(path)
                )
                removed += 1
            rows.update(**{name: ""})
    return removed
