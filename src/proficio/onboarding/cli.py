"""`proficio setup` (a real district on a fresh home) and `proficio createadmin`.

`setup` asks for what its options leave out when it runs in a terminal; given every option
it asks nothing, so a script can run it. A password left out is generated and printed once.
"""

import argparse
import getpass
import sys
from collections.abc import Callable

from proficio.lib.errors import InvalidInput, ProficioError

SETUP_OPTIONS = (
    ("district", "--district", "District name"),
    ("school", "--school", "First school's name"),
    ("admin", "--admin", "District admin's username"),
    ("email", "--email", "District admin's email"),
)


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add `setup` and `createadmin` to the `proficio` parser."""
    from proficio.onboarding.data import DEFAULT_SCALE, SCALE_PRESETS

    setup = subcommands.add_parser(
        "setup",
        help="set up your own district on a fresh home: its first school and district admin",
        description="Set up a real district (instead of the demo): the district, its first "
        "school, the scale its work is rated on, and a district admin who signs in to import "
        "rosters and standards or create them on the pages. Asks for what is not given.",
    )
    setup.add_argument("--district", metavar="NAME", help="the district's name")
    setup.add_argument("--school", metavar="NAME", help="the first school's name")
    setup.add_argument("--admin", metavar="USERNAME", help="the district admin's username")
    setup.add_argument("--email", metavar="EMAIL", help="the district admin's email")
    setup.add_argument(
        "--password", help="the admin's password (left out: one is generated and printed once)"
    )
    setup.add_argument(
        "--scale",
        choices=list(SCALE_PRESETS),
        default=None,
        help=f"the rating scale (default {DEFAULT_SCALE}): "
        + "; ".join(f"{key}: {label}" for key, (label, _) in SCALE_PRESETS.items()),
    )
    setup.set_defaults(command=setup_command)

    create = subcommands.add_parser(
        "createadmin",
        help="add a district admin (prints a generated password once when none is given)",
    )
    create.add_argument("--username", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="left out: one is generated and printed once")
    create.add_argument("--first-name", default="")
    create.add_argument("--last-name", default="")
    create.add_argument(
        "--district", help="the district (uuid, number or name); may be left out when one"
    )
    create.set_defaults(command=createadmin_command)


def setup_command(
    args: argparse.Namespace,
    ask: Callable[[str], str] = input,
    ask_secret: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
) -> int:
    from proficio.onboarding.api import (
        DEFAULT_SCALE,
        SCALE_PRESETS,
        DistrictSetup,
        district_needs_setup,
        district_setup,
        password_generate,
    )

    if not district_needs_setup():
        raise ProficioError(
            "This home already has a district. Add an admin with `proficio createadmin`, or "
            "set up a new home (PROFICIO_HOME=/another/folder proficio setup)."
        )
    interactive = sys.stdin.isatty() if interactive is None else interactive
    values = {name: getattr(args, name) for name, _, _ in SETUP_OPTIONS}
    missing = [option for name, option, _ in SETUP_OPTIONS if not values[name]]
    if missing and not interactive:
        raise ProficioError(f"Give {', '.join(missing)} (or run `proficio setup` in a terminal).")
    for name, _, prompt in SETUP_OPTIONS:
        while interactive and not (values[name] or "").strip():
            values[name] = ask(f"{prompt}: ")
    scale = args.scale
    if scale is None and interactive and missing:
        choices = ", ".join(f"{key} = {label}" for key, (label, _) in SCALE_PRESETS.items())
        scale = ask(f"Rating scale ({choices}) [{DEFAULT_SCALE}]: ").strip() or DEFAULT_SCALE
    password, generated = args.password, False
    if not password and interactive and missing:
        password = ask_secret("Admin's password (Enter: generate one): ")
    if not password:
        password, generated = password_generate(), True
    try:
        done = district_setup(
            setup=DistrictSetup(
                district=values["district"],
                school=values["school"],
                admin_username=values["admin"],
                admin_email=values["email"],
                admin_password=password,
                scale=scale or DEFAULT_SCALE,
            )
        )
    except InvalidInput as invalid:
        raise ProficioError(_problems(invalid)) from invalid
    label = SCALE_PRESETS[scale or DEFAULT_SCALE][0]
    print(f"Set up {done.district.name}, with {done.school.name}, rated on: {label}.")
    print(f"District admin: {done.admin.username}")
    if generated:
        print(f"Password: {password}  (shown once: keep it safe, or change it after signing in)")
    print(
        "Next: `proficio start`, sign in at /accounts/login/, then import rosters "
        "(`proficio import oneroster FILE`) and standards (`proficio import case FILE`), "
        "or create them on the pages. Mastery follows the default policy (a decaying "
        "average of at least two ratings) until you change it on the policies page."
    )
    return 0


def createadmin_command(args: argparse.Namespace) -> int:
    from proficio.onboarding.api import admin_add, password_generate
    from proficio.people.api import district_named

    district = district_named(args.district)
    password = args.password or password_generate()
    try:
        admin = admin_add(
            district=district,
            username=args.username,
            email=args.email,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
        )
    except InvalidInput as invalid:
        raise ProficioError(_problems(invalid)) from invalid
    print(f"District admin {admin.username} added to {district.name}.")
    if not args.password:
        print(f"Password: {password}  (shown once: keep it safe, or change it after signing in)")
    return 0


def _problems(invalid: InvalidInput) -> str:
    """Every problem at once, one a line."""
    lines = [f"  {field}: {message}" for field, message in invalid.errors.items()]
    return "Nothing was set up:\n" + "\n".join(lines)
