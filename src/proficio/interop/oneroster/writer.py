"""Importing a OneRoster package: read, check everything, then write the difference at once.

Reading and checking (reader, plan) touch nothing; `roster_sync` then writes in one
transaction, so a package either imports whole or not at all.
"""

from collections import Counter
from pathlib import Path

from django.db import DatabaseError

from proficio.interop.oneroster.plan import KIND_FILES, Plan, plan_package
from proficio.interop.oneroster.reader import read_package
from proficio.interop.report import ImportRefused, ImportReport, Problem
from proficio.lib.errors import InvalidInput
from proficio.lib.progress import Progress
from proficio.people.api import District, Person, RosterChanges, roster_sync

# What a report counts, by OneRoster kind, in the order it is shown.
KINDS = (
    "orgs",
    "users",
    "roles",
    "guardian_links",
    "classes",
    "enrollments",
    "academic_sessions",
    "demographics",
)

# Proficio's kinds of record, counted under the OneRoster kind they come from.
REPORT_KINDS = {
    "districts": "orgs",
    "schools": "orgs",
    "people": "users",
    "roles": "roles",
    "guardian_links": "guardian_links",
    "sections": "classes",
    "enrollments": "enrollments",
    "teaching_assignments": "enrollments",
    "academic_sessions": "academic_sessions",
    "demographics": "demographics",
}


def import_oneroster(
    path: Path,
    *,
    dry_run: bool = False,
    into: District | None = None,
    progress: Progress | None = None,
    actor: Person | None = None,
    rename_district: bool = False,
    new_district: bool = True,
    separate: bool = False,
) -> ImportReport:
    """Import the package at `path` (a zip or a folder); raises ImportRefused, changing nothing,
    when anything in it is wrong. `into`: the district it must land in (see `plan_package`);
    an existing district keeps its name unless `rename_district`; a package whose district is
    none of the installation's is refused unless `new_district` lets it make one. `separate`:
    the package must make a new district (its district is in none yet), whatever `into`."""
    if not path.exists():
        raise ImportRefused([Problem(str(path), "does not exist.")])
    plan = plan_package(read_package(path), into=None if separate else into)
    if separate and plan.district is not None:
        raise ImportRefused(
            [
                Problem(
                    "orgs.csv",
                    f"the package's district, {plan.district.name}, is in Proficio already, "
                    "so it cannot be imported as a separate district; nothing was imported.",
                )
            ]
        )
    if plan.district is None and not new_district:
        name, sourced_id = plan.roster.district_name, plan.roster.district_sourced_id
        raise ImportRefused(
            [
                Problem(
                    "orgs.csv",
                    f"the package is for {name} ({sourced_id}), which is none of this "
                    "installation's districts, and nothing was imported. To add it as a "
                    "separate district, import it again with --new-district.",
                )
            ]
        )
    return write_plan(
        plan, dry_run=dry_run, progress=progress, actor=actor, rename_district=rename_district
    )


def write_plan(
    plan: Plan,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    actor: Person | None = None,
    rename_district: bool = False,
) -> ImportReport:
    """Write the checked plan; `actor` (None: the operator) is who the audit trail names."""
    try:
        changes = roster_sync(
            roster=plan.roster,
            into=plan.district,
            dry_run=dry_run,
            progress=progress,
            actor=actor,
            rename_district=rename_district,
        )
    except InvalidInput as conflict:
        # The database changed between checking and writing, or holds what the check missed.
        raise ImportRefused(
            [_locate(key, message, plan) for key, message in conflict.errors.items()]
        ) from conflict
    except DatabaseError as error:
        raise ImportRefused(
            [Problem("package", f"could not be written ({error}); nothing was imported.")]
        ) from error
    return _report(plan, changes, dry_run)


def _locate(key: str, message: str, plan: Plan) -> Problem:
    """A sync error keyed "kind:sourcedId:field" as a problem at its file and line."""
    kind, _, rest = key.partition(":")
    sourced_id, _, field = rest.partition(":")
    file, line = plan.lines.get((kind, sourced_id), (f"{KIND_FILES.get(kind, kind)}.csv", None))
    return Problem(
        file, f"{sourced_id!r}: {message}" if sourced_id else message, line, field or None
    )


def _fold(counter: Counter) -> dict[str, int]:
    folded: Counter = Counter()
    for kind, n in counter.items():
        folded[REPORT_KINDS.get(kind, kind)] += n
    return dict(+folded)


def _report(plan: Plan, changes: RosterChanges, dry_run: bool) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    report.created.update(_fold(changes.created))
    report.updated.update(_fold(changes.updated))
    report.unchanged.update(_fold(changes.unchanged))
    report.skipped.update(_fold(changes.skipped))
    report.skipped.update(plan.skipped)
    report.skipped = +report.skipped  # drop the kinds nothing was skipped of
    report.fixed.extend(plan.fixed)
    district = changes.district
    report.extra = {
        "format": f"OneRoster {plan.version}",
        "files": {
            file: {"mode": plan.modes[file], "rows": plan.read[file]} for file in sorted(plan.read)
        },
        "deactivated": _fold(changes.deactivated),
        "removed": _fold(changes.removed),  # deleted: students' demographics
        "district": {
            "id": str(district.uuid) if district.pk else None,
            "name": district.name,
            "sourced_id": district.sourced_id,
        },
        # What the package calls its district, which an existing one need not take.
        "roster_district_name": plan.roster.district_name or district.name,
    }
    return report
