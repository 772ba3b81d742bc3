"""A framework as the trajectories spreadsheet: one row a stage, in the template's columns, so
a district can edit it where it likes to and import it again (matched by codes and stage
numbers, it updates the same framework)."""

from proficio.frameworks.api import Framework, framework_competencies
from proficio.interop.spreadsheet.template import rows_csv, rows_xlsx
from proficio.interop.spreadsheet.trajectories import COLUMNS

GRADE_WORDS = {-1: "PK", 0: "K"}


def framework_rows(framework: Framework) -> list[list[str]]:
    """Every stage of every competency of `framework`, as the spreadsheet's cells."""
    rows = []
    for competency in framework_competencies(framework):
        for stage in competency.stages.all():
            grade = stage.typical_grade
            values = {
                "code": competency.code,
                "title": competency.title,
                "statement": competency.statement,
                "kind": competency.kind,
                "subject": competency.subject,
                "ordinal": str(stage.ordinal),
                "label": stage.label,
                "grade": GRADE_WORDS.get(grade, "" if grade is None else str(grade)),
                "descriptor": stage.descriptor,
                "evidence": "\n".join(s.text for s in stage.evidence_statements.all()),
                "framework_code": framework.code,
                "framework_title": framework.title,
            }
            rows.append([values[column.key] for column in COLUMNS])
    return rows


def framework_spreadsheet(framework: Framework, extension: str) -> bytes:
    """The framework's spreadsheet as "xlsx" or "csv"."""
    rows = framework_rows(framework)
    return rows_xlsx(rows) if extension == "xlsx" else rows_csv(rows)
