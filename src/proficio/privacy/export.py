"""A student's export: one zip with every row about them, as JSON (every column) and as
readable CSV (names in place of keys), their files, and a README that says what is where."""

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Field, Model
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify

from proficio.privacy.tables import PersonTable

# Secrets rather than information about anyone: a password hash and the digest of an API
# token would only help someone who got hold of the archive to sign in as the student.
WITHHELD_COLUMNS = frozenset({"password", "digest"})
WITHHELD = "(withheld)"


@dataclass(frozen=True)
class ExportedTable:
    table: PersonTable
    rows: list[Model]

    @property
    def json_path(self) -> str:
        return f"tables/{self.table.name}.json"

    @property
    def csv_path(self) -> str:
        meta = self.table.model._meta
        return f"readable/{meta.app_label}/{slugify(meta.verbose_name_plural)}.csv"


def write_export(
    destination: BinaryIO,
    *,
    person: Model,
    tables: Iterable[ExportedTable],
    exported_by: str,
    exported_at: datetime,
) -> list[ExportedTable]:
    """Write the zip to `destination`; return the tables it holds (those with rows)."""
    held = [exported for exported in tables if exported.rows]
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(person, held, exported_by, exported_at))
        for exported in held:
            archive.writestr(exported.json_path, _table_json(exported))
            archive.writestr(exported.csv_path, _table_csv(exported))
            for path, file in _files(exported):
                with file.open("rb") as source, archive.open(path, "w") as target:
                    for chunk in iter(lambda source=source: source.read(1 << 20), b""):
                        target.write(chunk)
    return held


def _columns(model: type[Model]) -> list[Field]:
    return list(model._meta.concrete_fields)


def _raw(row: Model, field: Field) -> Any:
    if field.name in WITHHELD_COLUMNS:
        return WITHHELD
    value = field.value_from_object(row)
    return value.name if isinstance(value, FieldFile) else value


def _table_json(exported: ExportedTable) -> str:
    columns = _columns(exported.table.model)
    document = {
        "table": exported.table.name,
        "model": exported.table.label,
        "about_the_student_through": list(exported.table.about_through),
        "columns": [field.column for field in columns],
        "rows": [{field.column: _raw(row, field) for field in columns} for row in exported.rows],
    }
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _table_csv(exported: ExportedTable) -> str:
    columns = _columns(exported.table.model)
    related: dict[tuple[type[Model], Any], str] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(field.verbose_name).capitalize() for field in columns])
    for row in exported.rows:
        writer.writerow([_readable(row, field, related) for field in columns])
    return buffer.getvalue()


def _readable(row: Model, field: Field, related: dict[tuple[type[Model], Any], str]) -> str:
    """A cell as a person reads it: a name for a key, a label for a choice, yes or no."""
    if field.name in WITHHELD_COLUMNS:
        return WITHHELD
    value = field.value_from_object(row)
    if value is None or value == "":
        return ""
    if field.is_relation:
        key = (field.related_model, value)
        if key not in related:
            try:
                related[key] = str(field.related_model._base_manager.get(pk=value))
            except ObjectDoesNotExist:
                # Audit entries keep the ids of what has since gone.
                related[key] = f"#{value} (no longer held)"
        return related[key]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return str(value)


def _files(exported: ExportedTable) -> Iterable[tuple[str, FieldFile]]:
    for row in exported.rows:
        for name in exported.table.file_fields:
            file = getattr(row, name)
            if file:
                yield f"files/{exported.table.name}/{row.pk}/{file.name}", file


def _readme(
    person: Model, held: list[ExportedTable], exported_by: str, exported_at: datetime
) -> str:
    lines = [
        f"Everything Proficio holds about {person} (username {person.username}),",
        f"exported on {exported_at:%Y-%m-%d %H:%M %Z} by {exported_by}.",
        "",
        "What is where",
        "-------------",
        "tables/<table>.json   every row about the student, with every column, one file per",
        "                      database table. 'about_the_student_through' names the columns",
        "                      that point at the student (for evidence: as the student rated,",
        "                      and as the assessor of their own self-assessments; for sign-in",
        "                      logs, their username; for the admin's change log, the",
        "                      content type and object id of their own record).",
        "readable/<app>/*.csv  the same rows for reading: names in place of ids, labels in",
        "                      place of codes, one file per table.",
        "files/<table>/<id>/   files the student's rows name (uploads), as stored.",
        "",
        f"Withheld: the columns {', '.join(sorted(WITHHELD_COLUMNS))} read '{WITHHELD}'. They",
        "hold a password hash and API token digests: secrets, not information about anyone.",
        "",
        "Evidence is each rating of the student's work; mastery records, their history and",
        "working stages are what Proficio computed from it under the mastery policy in force",
        "(the policy's id is in each record). Audit entries say who recorded, changed, viewed",
        "or exported the student's record, and when.",
        "",
        "Tables and rows",
        "---------------",
    ]
    lines += [
        f"{exported.table.name:40} {len(exported.rows):>7,}  {exported.csv_path}"
        for exported in held
    ]
    return "\n".join(lines) + "\n"
