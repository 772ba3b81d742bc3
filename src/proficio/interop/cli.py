"""`proficio import …` and `proficio export …`: registered into the main CLI."""

import argparse


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the import and export commands to the `proficio` parser."""
    importer = subcommands.add_parser("import", help="import standards, frameworks or rosters")
    importer.add_subparsers(dest="kind", required=True, metavar="KIND")
    exporter = subcommands.add_parser("export", help="export a framework")
    exporter.add_subparsers(dest="kind", required=True, metavar="KIND")
