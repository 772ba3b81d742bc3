"""Import a framework spreadsheet: read it, decide its layout, check it whole, then write.

An OpenSALT CSV becomes the same plan a CASE package does and goes through the CASE
writer; a filled-in template becomes competencies with trajectories. Either way a dry run
performs the very same writes and rolls them back, so its counts are exact.
"""

from django.db import transaction

from proficio.frameworks.api import TrajectorySyncResult, framework_sync_trajectories
from proficio.interop.case.writer import STEPS, import_plan
from proficio.interop.report import ImportRefused, ImportReport, Problem
from proficio.interop.spreadsheet.opensalt import (
    COLUMNS as OPENSALT_COLUMNS,
)
from proficio.interop.spreadsheet.opensalt import (
    bind_to_district,
    is_opensalt,
    read_opensalt,
)
from proficio.interop.spreadsheet.table import Sheet, read_sheet
from proficio.interop.spreadsheet.trajectories import (
    COLUMNS as TEMPLATE_COLUMNS,
)
from proficio.interop.spreadsheet.trajectories import (
    TrajectoryPlan,
    is_template,
    read_trajectories,
)
from proficio.lib.progress import Progress, quiet
from proficio.people.api import District, Person

OPENSALT = "opensalt"
TEMPLATE = "template"
LAYOUTS = (OPENSALT, TEMPLATE)
MAX_TITLE = 300


def detect_layout(sheet: Sheet) -> str:
    """OpenSALT's layout or the template's, from the header row; ImportRefused if neither."""
    if is_opensalt(sheet):
        return OPENSALT
    if is_template(sheet):
        return TEMPLATE
    raise ImportRefused(
        [
            Problem(
                file=sheet.source,
                line=sheet.header_line,
                message="The header row is neither Proficio's template ("
                + ", ".join(column.header for column in TEMPLATE_COLUMNS if column.required)
                + ") nor OpenSALT's CSV ("
                + ", ".join(OPENSALT_COLUMNS[:4])
                + ", …). Download the template and start from it.",
            )
        ]
    )


def _notes(result: TrajectorySyncResult) -> list[str]:
    notes = []
    for stage in result.kept_stages:
        notes.append(
            f"Kept stage {stage.ordinal} of {stage.competency_code} (“{stage.label}”), which "
            "the file no longer lists: an import never deletes a stage. Remove it by hand "
            "if it is no longer wanted."
        )
    for code in result.kept_competencies:
        notes.append(f"Kept the competency {code}, which the file does not list.")
    for code, ordinal, count in result.removed_statements:
        noun = "evidence statement" if count == 1 else "evidence statements"
        notes.append(
            f"Removed {count} {noun} from stage {ordinal} of {code}: the file lists fewer."
        )
    return notes


def import_trajectories(
    *,
    plan: TrajectoryPlan,
    actor: Person | None,
    district: District,
    dry_run: bool = False,
    progress: Progress = quiet,
) -> ImportReport:
    progress("writing", 2, STEPS)
    with transaction.atomic():
        result = framework_sync_trajectories(
            actor=actor,
            district=district,
            code=plan.framework_code,
            title=plan.framework_title,
            keep_title=not plan.title_given,
            competencies=plan.competencies,
            absent=plan.absent,
        )
        if dry_run:
            transaction.set_rollback(True)
    progress("done", 3, STEPS)
    report = ImportReport(dry_run=dry_run)
    # Unary plus drops the kinds counted zero times.
    report.created.update(+result.created)
    report.updated.update(+result.updated)
    report.unchanged.update(+result.unchanged)
    report.fixed = list(plan.fixed)
    framework = result.framework
    report.extra["framework"] = {
        "id": None if dry_run and result.created["frameworks"] else str(framework.uuid),
        "code": framework.code,
        "title": framework.title,
    }
    report.extra["notes"] = _notes(result)
    return report


def import_framework_file(
    *,
    data: bytes,
    source: str,
    actor: Person | None,
    district: District,
    dry_run: bool = False,
    title: str = "",
    layout: str | None = None,
    progress: Progress = quiet,
) -> ImportReport:
    """Read one spreadsheet (CSV or XLSX) and import it; ImportRefused when anything is wrong.

    `layout` is "opensalt" or "template"; None decides from the header row. `title` names
    the framework (a spreadsheet has no document to take it from).
    """
    progress("reading", 0, STEPS)
    if len(title) > MAX_TITLE:
        raise ImportRefused(
            [
                Problem(
                    file=source,
                    field="title",
                    message=f"The title given is longer than {MAX_TITLE} characters.",
                )
            ]
        )
    sheet = read_sheet(data, source)
    layout = layout or detect_layout(sheet)
    if layout == OPENSALT:
        plan = read_opensalt(sheet, title=title)
        bind_to_district(plan, district=district, title=title)
        report = import_plan(
            plan=plan, actor=actor, district=district, dry_run=dry_run, progress=progress
        )
        report.created, report.updated = +report.created, +report.updated
    elif layout == TEMPLATE:
        progress("checking", 1, STEPS)
        trajectories = read_trajectories(sheet, title=title)
        report = import_trajectories(
            plan=trajectories, actor=actor, district=district, dry_run=dry_run, progress=progress
        )
    else:
        raise ValueError(f"Unknown spreadsheet layout {layout!r}; use one of {LAYOUTS}.")
    report.extra["format"] = layout
    return report
