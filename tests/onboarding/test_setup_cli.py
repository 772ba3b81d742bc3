"""`proficio setup` and `proficio createadmin`: a real district on a fresh home, no demo."""

import argparse
import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory, override_settings

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Framework, Scale
from proficio.interop.cli import register as register_interop
from proficio.lib.errors import ProficioError
from proficio.onboarding.cli import register, setup_command
from proficio.people.models import District, Person, Role, School
from tests.interop.oneroster_support import PACKAGE_1_1, PACKAGE_1_2, row_counts

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_hashing"),
]

FLAGS = (
    "--district", "Harbor Point Schools",
    "--school", "Harbor Point High",
    "--admin", "jrivera",
    "--email", "j.rivera@harborpoint.org",
)  # fmt: skip


@pytest.fixture
def fast_hashing():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def signs_in(username: str, password: str) -> Person | None:
    return authenticate(
        RequestFactory().post("/accounts/login/"), username=username, password=password
    )


@dataclass
class Ran:
    code: int
    out: str
    err: str


def run(*argv: str, **extra) -> Ran:
    """The command as `proficio` runs it, in this process: a ProficioError is one line, exit 1."""
    parser = argparse.ArgumentParser(prog="proficio")
    commands = parser.add_subparsers(required=True)
    register(commands)
    register_interop(commands)
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = setup_command(args, **extra) if extra else args.command(args)
        except ProficioError as error:
            print(f"proficio: {error}", file=err)
            code = 1
    return Ran(code, out.getvalue(), err.getvalue())


def test_setup_with_its_options_makes_a_district_an_admin_who_signs_in_and_prints_the_password():
    ran = run("setup", *FLAGS, "--scale", "0-4")

    assert ran.code == 0, ran.err
    district = District.objects.get()
    assert district.name == "Harbor Point Schools"
    assert School.objects.get(district=district).name == "Harbor Point High"
    levels = Scale.objects.get(district=district).levels.order_by("value")
    assert [(int(level.value), level.label, level.is_mastery) for level in levels] == [
        (0, "Not yet", False),
        (1, "Beginning", False),
        (2, "Developing", False),
        (3, "Proficient", True),
        (4, "Advanced", True),
    ]
    password = next(
        line.split()[1] for line in ran.out.splitlines() if line.startswith("Password:")
    )
    admin = signs_in("jrivera", password)
    assert admin is not None and admin.email == "j.rivera@harborpoint.org"
    assert admin.roles.filter(role=Role.DISTRICT_ADMIN, district=district, active=True).exists()
    assert admin.is_staff and not admin.is_superuser
    entry = AuditEntry.objects.get(action="district.set_up")
    assert entry.district_id == district.pk and entry.data["admin"] == "jrivera"


def test_a_given_password_is_used_and_never_printed():
    ran = run("setup", *FLAGS, "--password", "tide-pool-lantern-88")

    assert ran.code == 0
    assert "tide-pool-lantern-88" not in ran.out and "Password:" not in ran.out
    assert signs_in("jrivera", "tide-pool-lantern-88") is not None


def test_every_problem_is_told_at_once_and_nothing_is_written():
    before = row_counts()

    ran = run(
        "setup",
        "--district", " ",
        "--school", "Harbor Point High",
        "--admin", "j rivera",
        "--email", "not-an-email",
        "--password", "123",
    )  # fmt: skip

    assert ran.code == 1
    for field in ("district:", "username:", "email:", "password:"):
        assert field in ran.err
    assert "Nothing was set up" in ran.err
    assert row_counts() == before
    assert not District.objects.exists() and not Person.objects.exists()


def test_setup_refuses_a_home_that_has_a_district_and_changes_nothing():
    assert run("setup", *FLAGS, "--password", "tide-pool-lantern-88").code == 0
    before = row_counts()

    ran = run(
        "setup", "--district", "Another", "--school", "S", "--admin", "b", "--email", "b@x.org"
    )

    assert ran.code == 1 and "already has a district" in ran.err
    assert "proficio createadmin" in ran.err
    assert row_counts() == before


def test_without_a_terminal_the_missing_options_are_named():
    ran = run("setup", "--district", "Harbor Point", interactive=False)

    assert ran.code == 1
    assert "--school, --admin, --email" in ran.err
    assert not District.objects.exists()


def test_in_a_terminal_setup_asks_for_what_its_options_leave_out():
    answers = iter(["Harbor Point High", "jrivera", "j.rivera@harborpoint.org", "1-5"])
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return next(answers)

    ran = run(
        "setup",
        "--district",
        "Harbor Point",
        ask=ask,
        ask_secret=lambda prompt: "tide-pool-lantern-88",
        interactive=True,
    )

    assert ran.code == 0, ran.err
    assert [prompt.split(" (")[0].rstrip(": ") for prompt in asked] == [
        "First school's name",
        "District admin's username",
        "District admin's email",
        "Rating scale",
    ]
    assert Scale.objects.get().levels.get(is_mastery=True, value=4).label == "Proficient"
    assert signs_in("jrivera", "tide-pool-lantern-88") is not None


def test_createadmin_adds_a_district_admin_to_the_only_district():
    run("setup", *FLAGS, "--password", "tide-pool-lantern-88")

    ran = run("createadmin", "--username", "mchen", "--email", "m.chen@harborpoint.org")

    assert ran.code == 0, ran.err
    password = ran.out.split("Password: ")[1].split()[0]
    second = signs_in("mchen", password)
    assert second.roles.filter(role=Role.DISTRICT_ADMIN, active=True).exists()
    assert AuditEntry.objects.filter(action="district_admin.added").count() == 1


def test_after_setup_a_roster_and_standards_import_without_the_demo(testdata):
    run("setup", *FLAGS, "--password", "tide-pool-lantern-88")

    roster = run("import", "oneroster", str(PACKAGE_1_2))
    case = run("import", "case", str(testdata / "case" / "frameworks" / "Ordering.json"))

    assert roster.code == 0, roster.err
    assert case.code == 0, case.err
    # The first roster links the district set up here to its own, and the name stays.
    district = District.objects.get()
    assert (district.name, district.sourced_id) == ("Harbor Point Schools", "d-hpps")
    assert Person.objects.filter(district=district, roles__role=Role.STUDENT).exists()
    assert Framework.objects.filter(district=district).exists()


def test_a_roster_for_another_district_is_refused_unless_chosen_and_nothing_changes():
    run("setup", *FLAGS, "--password", "tide-pool-lantern-88")
    assert run("import", "oneroster", str(PACKAGE_1_2)).code == 0
    before = row_counts()

    refused = run("import", "oneroster", str(PACKAGE_1_1))

    assert refused.code == 1
    assert "Maple Valley Unified School District (d-mvusd)" in refused.err
    assert "--new-district" in refused.err
    assert row_counts() == before
    chosen = run("import", "oneroster", str(PACKAGE_1_1), "--new-district")
    assert chosen.code == 0, chosen.err
    assert District.objects.count() == 2
