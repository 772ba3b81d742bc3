"""What every `proficio import …` command shares: finding the district, running an
importer, and printing its report or its problems."""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from proficio.lib.errors import ProficioError
from proficio.lib.progress import ProgressBar

if TYPE_CHECKING:
    from proficio.interop.report import ImportReport, Problem
    from proficio.people.api import District


def district_for_command(given: str | None) -> "District":
    from proficio.people.api import district_named  # after django.setup(), as every command

    return district_named(given)


def print_problems(problems: "list[Problem]", as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "problems": [p.as_dict() for p in problems]}, indent=2))
        return
    print(f"Nothing was imported: {len(problems)} problem(s).", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def _counts(counter: dict) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(counter.items()) if count)


def print_framework_report(report: "ImportReport") -> None:
    framework = report.extra["framework"]
    verb = "Would import" if report.dry_run else "Imported"
    print(f"{verb} {framework['title']!r} as framework {framework['code']}.")
    for label, counter in (
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("skipped", report.skipped),
    ):
        if any(counter.values()):
            print(f"  {label}: {_counts(counter)}")
    if report.fixed:
        print("  fixed on the way in:")
        for line in report.fixed:
            print(f"    - {line}")
    for note in report.extra.get("notes", ()):
        print(f"  - {note}")
    if report.dry_run:
        print("Dry run: nothing was written.")


def add_framework_import_arguments(command: argparse.ArgumentParser, *, path_help: str) -> None:
    """PATH, --dry-run, --json and --district: what every framework import takes."""
    command.add_argument("path", metavar="PATH", type=Path, help=path_help)
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


def run_framework_import(
    args: argparse.Namespace, importer: Callable[..., "ImportReport"], **options: object
) -> int:
    """Read args.path and import it into the district args.district names; exit code 0 or 1."""
    from proficio.interop.report import ImportRefused

    try:
        data = args.path.read_bytes()
    except OSError as error:
        raise ProficioError(f"Cannot read {args.path}: {error.strerror}.") from error
    try:
        report = importer(
            data=data,
            source=args.path.name,
            actor=None,
            district=district_for_command(args.district),
            dry_run=args.dry_run,
            progress=ProgressBar(),
            **options,
        )
    except ImportRefused as refused:
        print_problems(refused.problems, args.json)
        return 1
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print_framework_report(report)
    return 0
