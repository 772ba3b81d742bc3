"""Export and erasure of one student's data, each checked, atomic and audited.

The caller is a district admin of the student's district or a school admin of their school
(current or former student: `people.api.keeps_records_of`), or the operator at the command
line (`actor=None`), who holds the installation.
"""

from dataclasses import dataclass
from typing import BinaryIO, Literal

from django.db import transaction
from django.utils import timezone

from proficio.audit import api as audit
from proficio.lib.errors import NotVisible
from proficio.people.api import Person, keeps_records_of, student_pseudonymise
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
    audit_entries_renamed: int
    files_removed: int


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
    their files; keep every row of their work, so counts stay as they were. Refuses with the
    reason (InvalidInput) when erasure would not hold (docs/decisions/0015)."""
    _check(actor, student)
    changed = student_pseudonymise(student=student)
    renamed = audit.names_pseudonymise(person=student, pseudonym=str(student))
    files_removed = _remove_files(student)
    erasure = Erasure(
        pseudonym=changed.pseudonym,
        guardian_links_removed=changed.guardian_links_removed,
        api_tokens_removed=changed.api_tokens_removed,
        audit_entries_renamed=renamed,
        files_removed=files_removed,
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
            "audit_entries_renamed": erasure.audit_entries_renamed,
            "files_removed": erasure.files_removed,
        },
    )
    return erasure


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
