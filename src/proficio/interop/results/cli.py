"""`proficio import results PATH [--district ID] [--dry-run] [--json]`."""

import argparse
import json
from pathlib import Path

from proficio.interop.commands import district_for_command, print_problems
from proficio.lib.errors import ProficioError


def add_import_command(kinds: argparse._SubParsersAction) -> None:
    command = kinds.add_parser(
        "results",
        help="import a CSV of standardized assessment results as evidence",
        description="Import a CSV of standardized assessment results (columns student — a "
        "sourcedId or username —, assessment, date, score and band) as evidence with the "
        "source “standardized”, read through the district's mapping of each assessment's "
        "bands to a competency, stage and level (set on the mapping page). A file with any "
        "problem is refused whole; results already imported are left out.",
    )
    command.add_argument("path", metavar="PATH", type=Path, help="the .csv file")
    command.add_argument(
        "--dry-run", action="store_true", help="check and count everything, write nothing"
    )
    command.add_argument(
        "--json", action="store_true", help="print the summary (or the problems) as JSON"
    )
    command.add_argument(
        "--district",
        metavar="ID",
        help="the district's uuid, number or name (needed when there are several)",
    )
    command.set_defaults(command=import_command)


def import_command(args: argparse.Namespace) -> int:
    from proficio.interop.report import ImportRefused
    from proficio.interop.results.writer import import_results

    if not args.path.is_file():
        raise ProficioError(f"Cannot read {args.path}: there is no such file.")
    try:
        report = import_results(
            path=args.path,
            source=args.path.name,
            district=district_for_command(args.district),
            actor=None,
            dry_run=args.dry_run,
        )
    except ImportRefused as refused:
        print_problems(refused.problems, args.json)
        return 1
    summary = report.as_dict()
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0
    verb = "Would record" if report.dry_run else "Recorded"
    print(
        f"{verb} {summary['created'].get('ratings', 0)} standardized ratings from "
        f"{summary['results']} results of {summary['students']} students in "
        f"{summary['district']['name']}; {summary['unchanged'].get('ratings', 0)} were "
        "already recorded."
    )
    for assessment in summary["assessments"]:
        print(
            f"  {assessment['name']}: {assessment['results']} results, "
            f"{assessment['ratings']} new ratings, {assessment['already_recorded']} already "
            "recorded"
        )
    for line in summary["fixed"]:
        print(f"  - {line}")
    if report.dry_run:
        print("Dry run: nothing was written.")
    return 0
