"""The audit trail as CSV, one line at a time, for a streamed download."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder

from proficio.audit.actions import action_label
from proficio.audit.models import AuditEntry

CSV_HEADER = (
    "When (UTC)",
    "Who",
    "Action",
    "What it means",
    "Student",
    "Target type",
    "Target id",
    "Details",
)
# A cell a spreadsheet would read as a formula is prefixed so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def entries_rows(entries: Iterable[AuditEntry]) -> Iterator[tuple[str, ...]]:
    """One row of CSV_HEADER's columns per entry, as text (a queryset is read in chunks)."""
    if hasattr(entries, "iterator"):
        entries = entries.iterator(chunk_size=2000)
    for entry in entries:
        yield (
            entry.at.astimezone(UTC).isoformat(timespec="seconds"),
            entry.actor_name or "System",
            entry.action,
            action_label(entry.action),
            entry.student_name,
            entry.target_type,
            entry.target_id,
            json.dumps(entry.data, cls=DjangoJSONEncoder, sort_keys=True) if entry.data else "",
        )


def entries_csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The header, then one CSV line per entry (a queryset is read in chunks)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_safe(cell) for cell in cells])
        return buffer.getvalue()

    yield line(CSV_HEADER)
    for row in entries_rows(entries):
        yield line(row)


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
