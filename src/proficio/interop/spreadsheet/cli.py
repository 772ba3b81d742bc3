"""`proficio import framework PATH [--dry-run] [--json] [--district ID] [--title T]
[--format opensalt|template]`."""

import argparse

from proficio.interop.commands import add_framework_import_arguments, run_framework_import


def add_import_command(kinds: argparse._SubParsersAction) -> None:
    command = kinds.add_parser(
        "framework",
        help="import a framework from a spreadsheet (OpenSALT CSV, or Proficio's template "
        "as CSV or XLSX)",
        description="Import an OpenSALT CSV of CASE items, or Proficio's template of "
        "competencies with their trajectories (one row per stage, CSV or XLSX). Importing "
        "the same file again updates what changed and creates nothing twice. A file with any "
        "problem is refused whole.",
    )
    add_framework_import_arguments(command, path_help="the .csv or .xlsx file")
    command.add_argument(
        "--title",
        default="",
        metavar="T",
        help="the framework's title (a spreadsheet has no document to name it; by default "
        "the template's Framework title column, else the file's name)",
    )
    command.add_argument(
        "--format",
        choices=("opensalt", "template"),
        help="the file's layout (by default decided from its header row)",
    )
    command.set_defaults(command=import_command)


def import_command(args: argparse.Namespace) -> int:
    from proficio.interop.spreadsheet.writer import import_framework_file

    return run_framework_import(args, import_framework_file, title=args.title, layout=args.format)
