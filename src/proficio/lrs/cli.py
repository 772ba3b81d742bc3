"""`proficio xapi credentials create|list|revoke`: a learning tool's credentials for the
xAPI store, from the command line. The operator holds the installation; each change is
audited as done at the command line."""

import argparse

from proficio.lib.errors import ProficioError


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the xapi commands to the `proficio` parser."""
    xapi = subcommands.add_parser("xapi", help="the xAPI Learning Record Store at /xapi/")
    areas = xapi.add_subparsers(title="xapi commands", required=True, metavar="AREA")
    credentials = areas.add_parser("credentials", help="learning tools' credentials")
    actions = credentials.add_subparsers(required=True, metavar="ACTION")

    create = actions.add_parser(
        "create",
        help="give a tool a key and secret (printed once)",
        description="Create HTTP Basic credentials with which a learning tool sends "
        "statements to /xapi/ and reads its district's statements back. The secret is "
        "printed once and never kept.",
    )
    create.add_argument("name", metavar="NAME", help="the tool, e.g. 'Fraction Quest'")
    create.add_argument(
        "--account-home-page",
        metavar="URL",
        default="",
        help="the homePage of the tool's xAPI accounts whose names are usernames or sourcedIds "
        "(without it, accounts are matched to no student; emails always are)",
    )
    _district_argument(create)
    create.set_defaults(command=create_command)

    listing = actions.add_parser("list", help="a district's credentials, live and revoked")
    _district_argument(listing)
    listing.set_defaults(command=list_command)

    revoke = actions.add_parser("revoke", help="end a tool's access (its statements stay)")
    revoke.add_argument("key", metavar="KEY", help="the credentials' key")
    _district_argument(revoke)
    revoke.set_defaults(command=revoke_command)


def _district_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--district",
        metavar="DISTRICT",
        help="the district (uuid, number or name); may be left out when there is one",
    )


def create_command(args: argparse.Namespace) -> int:
    from proficio.lib.errors import InvalidInput
    from proficio.lrs.credentials import credential_create
    from proficio.people.api import district_named

    district = district_named(args.district)
    try:
        credential, secret = credential_create(
            actor=None,
            district=district,
            name=args.name,
            account_home_page=args.account_home_page,
        )
    except InvalidInput as invalid:
        raise ProficioError(str(invalid)) from invalid
    print(f"Credentials for {credential.name!r} in {district.name}:")
    print("  endpoint: <your site>/xapi/")
    print(f"  key:      {credential.key}")
    print(f"  secret:   {secret}")
    print("The secret is shown only now: give it to the tool and keep it safe.")
    return 0


def list_command(args: argparse.Namespace) -> int:
    from proficio.lrs.credentials import credentials_of
    from proficio.people.api import district_named

    district = district_named(args.district)
    rows = list(credentials_of(district))
    if not rows:
        print(f"{district.name} has no xAPI credentials yet.")
    for credential in rows:
        state = "revoked" if credential.revoked_at else "live"
        print(f"{credential.key}  {state:8} {credential.name}")
    return 0


def revoke_command(args: argparse.Namespace) -> int:
    from proficio.lrs.credentials import credential_revoke, credentials_of
    from proficio.people.api import district_named

    district = district_named(args.district)
    credential = credentials_of(district).filter(key=args.key, revoked_at=None).first()
    if credential is None:
        raise ProficioError(f"{district.name} has no live credentials with the key {args.key!r}.")
    credential_revoke(actor=None, district=district, credential_id=credential.pk)
    print(f"Revoked {credential.name!r}; its statements stay.")
    return 0
