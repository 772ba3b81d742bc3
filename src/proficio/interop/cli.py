"""`proficio import …` and `proficio export …`: registered into the main CLI."""

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from proficio.errors import ProficioError
from proficio.interop.oneroster.cli import add_import_command as add_oneroster_import
from proficio.interop.spreadsheet.cli import add_import_command as add_framework_import

if TYPE_CHECKING:
    from proficio.frameworks.models import Framework
    from proficio.interop.report import ImportReport, Problem
    from proficio.people.models import District

BAR_WIDTH = 24


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the import and export commands to the `proficio` parser."""
    importer = subcommands.add_parser("import", help="import standards, frameworks or rosters")
    import_kinds = importer.add_subparsers(dest="kind", required=True, metavar="KIND")
    case = import_kinds.add_parser(
        "case",
        help="import a CASE 1.0/1.1 CFPackage (JSON) as a framework",
        description="Import a CASE CFPackage into a framework of a district. Importing the "
        "same document again updates that framework by identifier.",
    )
    case.add_argument("path", metavar="PATH", type=Path, help="the CFPackage JSON file")
    case.add_argument(
        "--dry-run", action="store_true", help="check and count everything, write nothing"
    )
    case.add_argument(
        "--json", action="store_true", help="print the summary (or the problems) as JSON"
    )
    case.add_argument(
        "--district",
        metavar="ID",
        help="the district's uuid, number or name (needed when there are several)",
    )
    case.add_argument(
        "--competency-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="items of this CFItemType also become competencies aligned to them "
        "(repeatable; by default every item is a standard)",
    )
    case.set_defaults(command=import_case_command)
    add_oneroster_import(import_kinds)
    add_framework_import(import_kinds)

    exporter = subcommands.add_parser("export", help="export a framework")
    export_kinds = exporter.add_subparsers(dest="kind", required=True, metavar="KIND")
    case_export = export_kinds.add_parser(
        "case", help="export a framework as a CASE 1.1 CFPackage (JSON)"
    )
    case_export.add_argument("framework", metavar="FRAMEWORK", help="the framework's uuid or code")
    case_export.add_argument(
        "-o", "--output", metavar="PATH", type=Path, required=True, help="where to write it"
    )
    case_export.add_argument("--district", metavar="ID", help="the district, when codes repeat")
    case_export.add_argument(
        "--base-uri",
        default="",
        help="make node URIs resolvable under this CASE REST base, e.g. "
        "https://proficio.example.org/ims/case/v1p1",
    )
    case_export.set_defaults(command=export_case_command)


def _district(given: str | None) -> "District":
    from django.core.exceptions import ValidationError

    from proficio.people.models import District

    districts = District.objects.order_by("pk")
    if given is None:
        if districts.count() == 1:
            return districts.get()
        raise ProficioError(
            "Name the district with --district (uuid, number or name): "
            + ", ".join(f"{district.pk} {district.name}" for district in districts)
            if districts.exists()
            else "There is no district yet: run `proficio demo` or create one first."
        )
    for lookup in ("uuid", "pk", "name"):
        try:
            found = districts.filter(**{lookup: given}).first()
        except (ValueError, ValidationError):  # not a uuid, or not a number
            continue
        if found is not None:
            return found
    raise ProficioError(f"There is no district {given!r}.")


class ProgressBar:
    """A one-line bar on stderr, redrawn in place; silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
        self.active = stream.isatty()

    def __call__(self, step: int, total: int, label: str) -> None:
        if not self.active:
            return
        filled = BAR_WIDTH * step // total
        self.stream.write(f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {label:<10}")
        if step == total:
            self.stream.write("\n")
        self.stream.flush()


def _counts(counter: dict) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(counter.items()) if count)


def _print_report(report: "ImportReport") -> None:
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
    if report.dry_run:
        print("Dry run: nothing was written.")


def _print_problems(problems: "list[Problem]", as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "problems": [p.as_dict() for p in problems]}, indent=2))
        return
    print(f"Nothing was imported: {len(problems)} problem(s).", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def import_case_command(args: argparse.Namespace) -> int:
    from proficio.interop.case.writer import import_case
    from proficio.interop.report import ImportRefused

    try:
        data = args.path.read_bytes()
    except OSError as error:
        raise ProficioError(f"Cannot read {args.path}: {error.strerror}.") from error
    district = _district(args.district)
    try:
        report = import_case(
            data=data,
            source=args.path.name,
            actor=None,
            district=district,
            dry_run=args.dry_run,
            competency_types=args.competency_type,
            progress=ProgressBar(),
        )
    except ImportRefused as refused:
        _print_problems(refused.problems, args.json)
        return 1
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_report(report)
    return 0


def _framework(given: str, district: "District | None") -> "Framework":
    from django.core.exceptions import ValidationError
    from django.db.models import Q

    from proficio.frameworks.models import Framework

    frameworks = Framework.objects.select_related("district", "scale")
    if district is not None:
        frameworks = frameworks.filter(district=district)
    matches = list(frameworks.filter(code=given))
    if not matches:
        try:
            matches = list(frameworks.filter(Q(uuid=given) | Q(case_identifier=given)))
        except ValidationError:
            matches = []
    if len(matches) > 1:
        raise ProficioError(
            f"Several districts have a framework {given!r}: name one with --district."
        )
    if not matches:
        raise ProficioError(f"There is no framework {given!r}.")
    return matches[0]


def export_case_command(args: argparse.Namespace) -> int:
    from proficio.interop.case.export import case_package

    district = _district(args.district) if args.district else None
    framework = _framework(args.framework, district)
    package = case_package(framework, base_uri=args.base_uri)
    try:
        args.output.write_text(json.dumps(package, indent=2, ensure_ascii=False), "utf-8")
    except OSError as error:
        raise ProficioError(f"Cannot write {args.output}: {error.strerror}.") from error
    print(
        f"Wrote {framework.title!r} ({len(package['CFItems'])} items, "
        f"{len(package['CFAssociations'])} associations) to {args.output}."
    )
    return 0
