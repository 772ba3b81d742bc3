"""`proficio import …` and `proficio export …`: registered into the main CLI."""

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from proficio.interop.commands import (
    add_framework_import_arguments,
    district_for_command,
    run_framework_import,
)
from proficio.interop.oneroster.cli import add_export_command as add_results_export
from proficio.interop.oneroster.cli import add_import_command as add_oneroster_import
from proficio.interop.results.cli import add_import_command as add_results_import
from proficio.interop.spreadsheet.cli import add_import_command as add_framework_import
from proficio.lib.errors import ProficioError

if TYPE_CHECKING:
    from proficio.frameworks.api import Framework
    from proficio.people.api import District


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the import and export commands to the `proficio` parser."""
    importer = subcommands.add_parser(
        "import", help="import standards, frameworks, rosters or standardized results"
    )
    import_kinds = importer.add_subparsers(dest="kind", required=True, metavar="KIND")
    case = import_kinds.add_parser(
        "case",
        help="import a CASE 1.0/1.1 CFPackage (JSON) as a framework",
        description="Import a CASE CFPackage into a framework of a district. Importing the "
        "same document again updates that framework by identifier.",
    )
    add_framework_import_arguments(case, path_help="the CFPackage JSON file")
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
    add_results_import(import_kinds)

    exporter = subcommands.add_parser(
        "export", help="export a framework, or students' results for the SIS"
    )
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
    add_results_export(export_kinds)


def import_case_command(args: argparse.Namespace) -> int:
    from proficio.interop.case.writer import import_case

    return run_framework_import(args, import_case, competency_types=args.competency_type)


def _framework(given: str, district: "District | None") -> "Framework":
    from django.core.exceptions import ValidationError
    from django.db.models import Q

    from proficio.frameworks.api import district_frameworks

    frameworks = district_frameworks(district.pk if district is not None else None)
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

    district = district_for_command(args.district) if args.district else None
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
