"""`proficio backup` and `proficio restore`: registered into the main CLI."""

import argparse
from pathlib import Path

from proficio.home import PendingMigrations
from proficio.lib.progress import ProgressBar

MEGABYTE = 1024 * 1024


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the backup and restore commands to the `proficio` parser."""
    backup = subcommands.add_parser(
        "backup",
        help="copy the database, uploads and secret key into one archive, while the site runs",
        description="Write a consistent copy of the database (SQLite's online backup, or "
        "pg_dump), the home's files and a manifest with checksums into one tar.gz, readable "
        "by you only.",
    )
    backup.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="the archive to write, or a folder to write a timestamped one into "
        "(default: PROFICIO_HOME/backups)",
    )
    backup.add_argument(
        "--keep",
        type=_positive,
        metavar="N",
        help="afterwards, keep only the N newest timestamped archives in that folder",
    )
    # Backing up is what one does before an upgrade: the database is copied as it stands, even
    # when this (newer) version has migrations for it that the running site has not had.
    backup.set_defaults(command=backup_command, pending_migrations=PendingMigrations.LEAVE)

    restore = subcommands.add_parser(
        "restore",
        help="restore an archive of `proficio backup` into an empty home",
        description="Check every member of the archive against its manifest, then restore the "
        "database and files into this home, whose database must hold no data yet. Stop the "
        "site first.",
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="the archive to restore")
    restore.set_defaults(command=restore_command)


def backup_command(args: argparse.Namespace) -> int:
    from proficio.backup.archive import few_names
    from proficio.backup.operations import backup_create

    summary = backup_create(
        destination=args.path, keep=args.keep, progress=ProgressBar(unit="bytes")
    )
    manifest = summary.manifest
    if pending := summary.migrations_pending:
        print(
            f"The database has not had {len(pending):,} of this version's migrations "
            f"({few_names(pending)}): backed up as it is, unmigrated; `proficio start` or a "
            "restore of this archive applies them."
        )
    print(
        f"Backed up {manifest.rows:,} rows in {len(manifest.row_counts):,} tables and "
        f"{len(manifest.home_members()):,} files to {summary.path} "
        f"({summary.size / MEGABYTE:,.1f} MB) in {summary.seconds:.1f} s."
    )
    if not manifest.has_secret_key:
        print(
            "The secret key comes from PROFICIO_SECRET_KEY, so it is not in the archive: "
            "keep it safe separately."
        )
    if summary.removed:
        noun = "backup" if len(summary.removed) == 1 else "backups"
        print(f"Removed {len(summary.removed):,} older {noun} (--keep {args.keep}).")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from proficio.backup.operations import backup_restore

    summary = backup_restore(archive=args.path, progress=ProgressBar(unit="bytes"))
    manifest = summary.manifest
    print(
        f"Restored {manifest.rows:,} rows in {len(manifest.row_counts):,} tables and "
        f"{len(manifest.home_members()):,} files from {args.path} (backed up "
        f"{manifest.created_at} by Proficio {manifest.proficio_version})."
    )
    if summary.migrations_applied:
        print(f"Applied {summary.migrations_applied:,} migrations to bring it up to this version.")
    if not manifest.has_secret_key:
        print(
            "The archive holds no secret key (the site took it from PROFICIO_SECRET_KEY): set "
            "the same key here, or everyone signs in again."
        )
    return 0


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number
