"""`proficio import oneroster PATH [--dry-run] [--json]` and `proficio export oneroster-results`."""

import argparse
import json
from pathlib import Path

from proficio.interop.commands import print_problems


def add_import_command(kinds: argparse._SubParsersAction) -> None:
    command = kinds.add_parser(
        "oneroster",
        help="import a OneRoster 1.1 or 1.2 CSV roster (a zip or a folder)",
        description="Import schools, people, roles, guardians, classes, enrollments and "
        "students' demographics from a OneRoster CSV package. Records are matched by "
        "sourcedId, so importing the same package again changes nothing. A package with any "
        "problem is refused whole.",
    )
    command.add_argument("path", type=Path, metavar="PATH", help="a .zip file or a folder")
    command.add_argument(
        "--dry-run", action="store_true", help="check and count, but write nothing"
    )
    command.add_argument("--json", action="store_true", help="print the summary as JSON")
    command.add_argument(
        "--rename-district",
        action="store_true",
        help="give the district the package's name (without it, a district keeps its own)",
    )
    command.add_argument(
        "--new-district",
        action="store_true",
        help="import a package whose district is none of this home's as a separate district "
        "(refused without it once the home has a district)",
    )
    command.set_defaults(command=import_command)


def import_command(args: argparse.Namespace) -> int:
    from proficio.interop.oneroster.writer import import_oneroster
    from proficio.interop.report import ImportRefused
    from proficio.lib.progress import ProgressBar
    from proficio.people.api import districts_for_operator

    try:
        report = import_oneroster(
            args.path,
            dry_run=args.dry_run,
            into=unlinked_only_district(),
            progress=ProgressBar(),
            rename_district=args.rename_district,
            new_district=args.new_district or not districts_for_operator().exists(),
        )
    except ImportRefused as refused:
        print_problems(refused.problems, args.json)
        return 1
    summary = report.as_dict()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    _print_summary(summary)
    return 0


def unlinked_only_district():
    """The home's one district when no roster has claimed it yet (`proficio setup` made it):
    a first roster links it and keeps its name. Otherwise None: the package's district
    sourcedId finds its district, or makes a new one."""
    from proficio.people.api import districts_for_operator

    districts = list(districts_for_operator()[:2])
    if len(districts) == 1 and not districts[0].sourced_id:
        return districts[0]
    return None


def _print_summary(summary: dict) -> None:
    from proficio.interop.oneroster.writer import KINDS

    district = summary["district"]
    verb = "Would import" if summary["dry_run"] else "Imported"
    print(f"{verb} {summary['format']} into {district['name']} ({district['sourced_id']}).")
    columns = ("created", "updated", "unchanged", "deactivated", "skipped")
    if summary.get("removed"):
        columns = (*columns[:4], "removed", "skipped")
    rows = [("", *columns)] + [
        (kind, *(str(summary[column].get(kind, 0)) for column in columns)) for kind in KINDS
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns) + 1)]
    for kind, *counts in rows:
        cells = [kind.ljust(widths[0])]
        cells += [count.rjust(width) for count, width in zip(counts, widths[1:], strict=True)]
        print("  " + "  ".join(cells))
    if summary["fixed"]:
        print("Fixed or left out while reading:")
        for line in summary["fixed"]:
            print(f"  - {line}")
    if summary["dry_run"]:
        print("Dry run: nothing was written.")


def add_export_command(kinds: argparse._SubParsersAction) -> None:
    command = kinds.add_parser(
        "oneroster-results",
        help="export students' results as a OneRoster 1.1 or 1.2 gradebook package (zip)",
        description="Write every section's results — one line item per competency, tied to "
        "its CASE identifier — as lineItems, results and categories CSV files in a zip, for "
        "the student information system. Identifiers stay the same from one export to the "
        "next. Each student exported is recorded in the audit trail.",
    )
    command.add_argument(
        "-o", "--output", metavar="PATH", type=Path, required=True, help="the zip to write"
    )
    command.add_argument("--version", choices=("1.1", "1.2"), default="1.2", dest="or_version")
    command.add_argument(
        "--district", metavar="ID", help="the district (uuid, number or name), when several"
    )
    command.set_defaults(command=export_results_command)


def export_results_command(args: argparse.Namespace) -> int:
    from proficio.frameworks.api import district_competencies
    from proficio.interop.oneroster.results import ResultsScope, results_package
    from proficio.lib.errors import ProficioError
    from proficio.people.api import (
        district_named,
        section_students_for_operator,
        sections_for_operator,
    )

    district = district_named(args.district)
    scope = ResultsScope(
        district=district,
        sections=sections_for_operator(district=district),
        students_of=section_students_for_operator,
        competencies=district_competencies(district.pk).order_by(
            "framework__title", "position", "code"
        ),
        actor=None,
        via="command line",
    )
    try:
        with args.output.open("wb") as out:
            counts = results_package(scope=scope, version=args.or_version, out=out)
    except OSError as error:
        raise ProficioError(f"Cannot write {args.output}: {error.strerror}.") from error
    print(
        f"Wrote OneRoster {args.or_version} results of {district.name} to {args.output}: "
        f"{counts.classes} classes, {counts.line_items} line items, {counts.results} results "
        f"of {len(counts.students)} students, {counts.categories} categories."
    )
    return 0
