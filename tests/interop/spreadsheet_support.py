"""Spreadsheets for the tests: the downloadable template with rows added, as CSV or XLSX."""

import csv
import io
from pathlib import Path

from proficio.interop.spreadsheet.template import template_csv, template_xlsx
from proficio.interop.spreadsheet.trajectories import COLUMNS
from proficio.interop.spreadsheet.writer import import_framework_file

HEADERS = [column.header for column in COLUMNS]

# A second competency, a skill, whose evidence statements are separated by " | ".
COLLABORATION = [
    {
        "code": "COL1",
        "title": "Collaboration",
        "statement": "Work with others toward a shared goal.",
        "kind": "skill",
        "ordinal": "1",
        "label": "Shares materials and takes turns",
        "grade": "K",
        "evidence": "I can share materials. | I can take turns in a game.",
    },
    {
        "code": "COL1",
        "ordinal": "2",
        "label": "Plays a role in a group task",
        "grade": "2",
        "descriptor": "The student takes on a role and finishes their part.",
        "evidence": "I can take on a role in my group. | I can finish my part of the task.",
    },
]


def cells(values: dict[str, str]) -> list[str]:
    """One row in the template's column order."""
    return [values.get(column.key, "") for column in COLUMNS]


def template_csv_with(rows: list[dict[str, str]]) -> bytes:
    """The downloaded CSV template (header and worked example) with `rows` added."""
    text = template_csv().decode("utf-8")
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(cells(row) for row in rows)
    return (text + buffer.getvalue()).encode("utf-8")


def template_xlsx_with(rows: list[dict[str, str]]) -> bytes:
    """The downloaded XLSX template with `rows` added to its Trajectories sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook["Trajectories"]
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], header: list[str] = HEADERS) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def import_file(world, data: bytes, name: str = "trajectories.csv", **options):
    return import_framework_file(
        data=data, source=name, actor=None, district=world.district, **options
    )
