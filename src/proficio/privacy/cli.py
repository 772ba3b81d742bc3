"""`proficio student export ID` and `proficio student erase ID`: registered into the main CLI.

The operator at the command line holds the installation, so any student is reachable; each
export and erasure is recorded in the audit trail as done at the command line.
"""

import argparse
import sys
from pathlib import Path

from proficio.lib.errors import ProficioError

STUDENT_HELP = (
    "the student's id, UUID or username; id:N, uuid:U or username:NAME when a bare one could "
    "name two students (a numeric username that is also another's id is refused)"
)


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the student commands to the `proficio` parser."""
    student = subcommands.add_parser("student", help="export or erase one student's data")
    actions = student.add_subparsers(title="student commands", required=True, metavar="ACTION")

    export = actions.add_parser(
        "export",
        help="write everything held about a student to a zip of JSON and CSV",
        description="Write everything Proficio holds about one student (profile, roles, "
        "enrolments, guardians, evidence, mastery and its history, audit entries, files) to "
        "a zip of JSON and CSV with a README.",
    )
    export.add_argument("student", metavar="ID", help=STUDENT_HELP)
    export.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        type=Path,
        help="where to write the zip (default: student-<username>.zip here)",
    )
    export.set_defaults(command=export_command)

    erase = actions.add_parser(
        "erase",
        help="replace a student's identity with a pseudonym, on their request",
        description="Replace a student's names, username, email and roster ids with a "
        "pseudonym, end their roles, remove their guardian links, tokens and files; keep "
        "their evidence and mastery so counts stay right. Refuses with the reason when "
        "erasure would not hold.",
    )
    erase.add_argument("student", metavar="ID", help=STUDENT_HELP)
    erase.add_argument(
        "--yes", action="store_true", help="do not ask to type the username to confirm"
    )
    erase.set_defaults(command=erase_command)


def export_command(args: argparse.Namespace) -> int:
    from proficio.people.api import student_for_operator
    from proficio.privacy.services import student_export

    student = student_for_operator(args.student)
    output = args.output or Path(f"student-{student.username}.zip")
    try:
        with output.open("wb") as destination:
            summary = student_export(
                actor=None, student=student, destination=destination, via="command line"
            )
    except OSError as error:
        raise ProficioError(f"Cannot write {output}: {error.strerror}.") from error
    print(
        f"Wrote {summary.rows:,} rows from {len(summary.rows_by_table)} tables about "
        f"{student} to {output}."
    )
    return 0


def erase_command(args: argparse.Namespace) -> int:
    from proficio.people.api import student_for_operator
    from proficio.privacy.services import student_erase

    student = student_for_operator(args.student)
    if not args.yes:
        print(f"This erases the identity of {student} ({student.username}) for good.")
        try:
            typed = input("Type their username to confirm: ").strip()
        except EOFError:
            typed = ""
        if typed != student.username:
            print("proficio: not confirmed; nothing was changed.", file=sys.stderr)
            return 1
    erasure = student_erase(actor=None, student=student, via="command line")
    print(
        f"Erased: the student is now {erasure.pseudonym}. Removed "
        f"{erasure.guardian_links_removed} guardian links, {erasure.api_tokens_removed} API "
        f"tokens, {erasure.demographics_removed} demographics, {erasure.files_removed} files, "
        f"{erasure.sign_in_records_removed} sign-in records and "
        f"{erasure.task_results_removed} finished mail tasks; renamed them in "
        f"{erasure.audit_entries_renamed} audit entries and "
        f"{erasure.admin_log_entries_renamed} admin log entries. Their evidence and mastery "
        "stay."
    )
    return 0
