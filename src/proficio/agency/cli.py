"""`proficio family-digest`: send this week's email to the families who want it (run weekly
from cron or a systemd timer); registered into the main CLI."""

import argparse


def register(subcommands: argparse._SubParsersAction) -> None:
    digest = subcommands.add_parser(
        "family-digest",
        help="send this week's email about their children to every guardian who wants it",
        description="Email every guardian who has not turned it off what their children "
        "mastered this week, the work they shared, their teachers' newest words, their "
        "goals and their next conference. A guardian emailed in the last six days is "
        "skipped, so a second run in a week sends nothing twice.",
    )
    digest.add_argument(
        "--dry-run", action="store_true", help="count who would get one; send nothing"
    )
    digest.set_defaults(command=digest_command)


def digest_command(args: argparse.Namespace) -> int:
    from proficio.agency.digest import digests_send

    sent, considered = digests_send(dry_run=args.dry_run)
    verb = "would send" if args.dry_run else "sent"
    emails = "weekly email" if sent == 1 else "weekly emails"
    guardians = "guardian" if considered == 1 else "guardians"
    print(f"{verb} {sent:,} {emails} ({considered:,} {guardians} considered).")
    return 0
