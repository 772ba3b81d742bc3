"""The template a teacher downloads: the header row and a worked example, as CSV or XLSX; and
the same files with any rows (a framework's own, see `export`).

The example is one competency with three stages, so it imports as it is and shows every
column in use; a teacher replaces or extends its rows.
"""

import csv
import io

from django.utils.translation import gettext as _

from proficio.interop.spreadsheet.table import XLSX_SHEET
from proficio.interop.spreadsheet.trajectories import COLUMNS, Column

FILE_NAME = "proficio-trajectories-template"
SPREADSHEET_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
EXAMPLE_COMPETENCY = {
    "code": "SL1",
    "title": "Speaking and listening",
    "statement": "Listen actively and speak clearly to share ideas, build on the thinking of "
    "others and reach a shared understanding.",
    "kind": "academic",
    "subject": "English language arts",
    "framework_code": "COMM-K5",
    "framework_title": "Communication K–5",
}
EXAMPLE_STAGES = (
    {
        "ordinal": "1",
        "label": "Takes turns in a conversation",
        "grade": "1",
        "descriptor": "The student follows agreed rules for discussion, listens to others and "
        "speaks in turn about the topic at hand.",
        "evidence": (
            "I can wait for my turn to speak.",
            "I can look at the person who is speaking and listen.",
            "I can say something that stays on the topic.",
        ),
    },
    {
        "ordinal": "2",
        "label": "Builds on what others say",
        "grade": "3",
        "descriptor": "The student links their comments to what others said, asks questions "
        "to check understanding and explains their own ideas with reasons.",
        "evidence": (
            "I can ask a question to check that I understood.",
            "I can connect what I say to what someone else said.",
            "I can explain my idea with a reason or an example.",
        ),
    },
    {
        "ordinal": "3",
        "label": "Leads a focused discussion",
        "grade": "5",
        "descriptor": "The student comes prepared, poses and answers specific questions, and "
        "sums up the key ideas and where the group agreed.",
        "evidence": (
            "I can prepare for a discussion by reading or studying the material.",
            "I can ask questions that keep the discussion on track.",
            "I can sum up the main ideas and where we agreed.",
        ),
    },
)


def example_rows() -> list[list[str]]:
    """The worked example, one list of cells per stage, in the template's column order."""
    rows = []
    for stage in EXAMPLE_STAGES:
        values = {**EXAMPLE_COMPETENCY, **stage, "evidence": "\n".join(stage["evidence"])}
        rows.append([values.get(column.key, "") for column in COLUMNS])
    return rows


def headers() -> list[str]:
    return [column.header for column in COLUMNS]


def template_csv() -> bytes:
    return rows_csv(example_rows())


def template_xlsx() -> bytes:
    return rows_xlsx(example_rows())


def rows_csv(rows: list[list[str]]) -> bytes:
    """The header row and `rows` as CSV: UTF-8 with a byte-order mark, so Excel opens accents
    and dashes as written."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _needed(column: Column) -> str:
    if not column.required:
        return _("no")
    return _("yes, but a cell may stay empty") if column.may_be_empty else _("yes")


def rows_xlsx(rows: list[list[str]]) -> bytes:
    """The header row and `rows` as a workbook that guides its reader: wide, wrapped columns,
    checked kinds and stage numbers, and a sheet saying what each column holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = XLSX_SHEET
    sheet.append(headers())
    for row in rows:
        sheet.append(row)
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="E8EEF4")
    wide = {"statement": 48, "descriptor": 48, "evidence": 56, "title": 26, "label": 28}
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = wide.get(column.key, 16)
        header = sheet.cell(row=1, column=index)
        header.font, header.fill = bold, shade
        header.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    kinds = DataValidation(
        type="list",
        formula1='"academic,skill"',
        allow_blank=True,
        errorTitle=_("Kind"),
        error=_("Write academic or skill."),
    )
    stages = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="1",
        allow_blank=True,
        errorTitle=_("Stage"),
        error=_("Stages are numbered 1, 2, 3, …"),
    )
    for validation, key in ((kinds, "kind"), (stages, "ordinal")):
        letter = get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c.key == key))
        validation.add(f"{letter}2:{letter}2000")
        sheet.add_data_validation(validation)

    guide = workbook.create_sheet(_("How to fill it in"))
    guide.append([_("Column"), _("Needed"), _("What goes in it")])
    for column in COLUMNS:
        guide.append([column.header, _needed(column), str(column.help)])
    guide.append([])
    guide.append(
        [
            _(
                "One row per stage. Rows with the same competency code are one competency's "
                "trajectory; its title, statement, kind and subject may be given on its "
                "first row only. Importing the file again updates what changed and adds "
                "nothing twice."
            )
        ]
    )
    for cell in guide[1]:
        cell.font = bold
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 18
    guide.column_dimensions["C"].width = 90
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
