"""Tables downloaded as CSV and XLSX: the headers and rows given, formulas neutralised."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.test import RequestFactory
from openpyxl import load_workbook

from proficio.lib.exports import export_format, table_response

ROWS = [["Ana", 3, Decimal("2.5"), date(2026, 12, 1)], ["=HYPERLINK(1)", None, 4, None]]


def test_csv_and_xlsx_hold_exactly_the_rows():
    csv_answer = table_response(
        name="My table", headers=["Who", "Stage", "Level", "Day"], rows=ROWS, format="csv"
    )
    assert csv_answer["Content-Disposition"].startswith('attachment; filename="my-table-')
    read = list(csv.reader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
    assert read == [
        ["Who", "Stage", "Level", "Day"],
        ["Ana", "3", "2.5", "2026-12-01"],
        ["'=HYPERLINK(1)", "", "4", ""],
    ]

    xlsx = table_response(
        name="My table", headers=["Who", "Stage", "Level", "Day"], rows=ROWS, format="xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Who", "Stage", "Level", "Day"]
    assert values[1][:3] == ["Ana", 3, 2.5] and values[2][0] == "'=HYPERLINK(1)"


def test_the_format_asked_for():
    factory = RequestFactory()
    assert export_format(factory.get("/x", {"format": "xlsx"})) == "xlsx"
    assert export_format(factory.get("/x", {"format": "pdf"})) is None
    assert export_format(factory.get("/x")) is None
