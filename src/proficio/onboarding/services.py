"""Setting up a real district on a fresh home, and adding district admins to it.

Every input is checked, and every problem reported at once, before anything is written;
the writes happen in one transaction and are audited.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from proficio.audit import api as audit
from proficio.frameworks.api import LevelSpec, scale_create
from proficio.lib.errors import InvalidInput
from proficio.onboarding.code import setup_code_forget
from proficio.onboarding.data import SCALE_PRESETS, DistrictSetup
from proficio.people.api import (
    District,
    Person,
    Role,
    School,
    district_create,
    districts_for_operator,
    person_create,
    person_grant_district_admin_site,
    role_assign,
    school_create,
    username_taken,
)

NAME_LENGTH = 200  # District.name and School.name
USERNAME_LENGTH = 150


@dataclass(frozen=True)
class SetUp:
    district: District
    school: School
    admin: Person


def password_generate() -> str:
    """A password for an admin who was not given one, printed once: about 96 bits."""
    return secrets.token_urlsafe(12)


def district_needs_setup() -> bool:
    """Whether this installation has no district yet: the first run's question."""
    return not districts_for_operator().exists()


@transaction.atomic
def district_setup(*, setup: DistrictSetup, actor: Person | None = None) -> SetUp:
    """The installation's first district, its first school, the scale it rates on and its
    first district admin, who may also use the admin site for the district's setup.

    Refused when a district exists: a second admin is `admin_add`'s work. The mastery
    policy is the documented default until an admin changes it on the policies page.
    """
    errors = _setup_errors(setup)
    if not district_needs_setup():
        errors["district"] = (
            "This installation already has a district; add an admin to it with "
            "`proficio createadmin` instead."
        )
    if errors:
        raise InvalidInput(errors)
    district = district_create(name=setup.district.strip())
    school = school_create(district=district, name=setup.school.strip())
    label, levels = SCALE_PRESETS[setup.scale]
    scale_create(
        district=district,
        name=label,
        levels=[
            LevelSpec(Decimal(level.value), level.label, level.colour, level.is_mastery)
            for level in levels
        ],
    )
    admin = _admin_create(
        district=district,
        username=setup.admin_username,
        email=setup.admin_email,
        password=setup.admin_password,
        first_name=setup.admin_first_name,
        last_name=setup.admin_last_name,
    )
    # The setup page's code has done its work; it must not open anything again.
    transaction.on_commit(setup_code_forget)
    audit.record(
        actor=actor,
        action=audit.DISTRICT_SET_UP,
        district_id=district.pk,
        target=district,
        data={"school": school.name, "admin": admin.username, "scale": setup.scale},
    )
    return SetUp(district, school, admin)


@transaction.atomic
def admin_add(
    *,
    district: District,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    actor: Person | None = None,
) -> Person:
    """Another district admin for `district`, who may sign in with `password` at once."""
    errors = _admin_errors(username=username, email=email, password=password)
    if errors:
        raise InvalidInput(errors)
    admin = _admin_create(
        district=district,
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    audit.record(
        actor=actor,
        action=audit.DISTRICT_ADMIN_ADDED,
        district_id=district.pk,
        target=admin,
        data={"username": admin.username},
    )
    return admin


def _admin_create(
    *,
    district: District,
    username: str,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
) -> Person:
    admin = person_create(
        district=district,
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        password=password,
    )
    role_assign(person=admin, role=Role.DISTRICT_ADMIN, district=district)
    return person_grant_district_admin_site(person=admin)


def _setup_errors(setup: DistrictSetup) -> dict[str, str]:
    errors = {}
    for field, value, what in (
        ("district", setup.district, "The district's name"),
        ("school", setup.school, "The school's name"),
    ):
        if not value.strip():
            errors[field] = f"{what} is required."
        elif len(value.strip()) > NAME_LENGTH:
            errors[field] = f"{what} is longer than {NAME_LENGTH} characters."
    if setup.scale not in SCALE_PRESETS:
        errors["scale"] = f"Choose a scale: {', '.join(SCALE_PRESETS)}."
    return errors | _admin_errors(
        username=setup.admin_username, email=setup.admin_email, password=setup.admin_password
    )


def _valid_username(username: str) -> bool:
    try:
        Person.username_validator(username)
    except ValidationError:
        return False
    return True


def _admin_errors(*, username: str, email: str, password: str) -> dict[str, str]:
    """Every problem with an admin's sign-in details, checked before anything is written."""
    errors = {}
    username = username.strip()
    if not username:
        errors["username"] = "A username is required."
    elif len(username) > USERNAME_LENGTH:
        errors["username"] = f"A username has at most {USERNAME_LENGTH} characters."
    elif not _valid_username(username):
        errors["username"] = "Use letters, digits and @ . + - _ only in a username."
    elif username_taken(username):
        errors["username"] = f"The username {username!r} is taken."
    try:
        validate_email(email.strip())
    except ValidationError:
        errors["email"] = "Enter an email address, such as name@school.org."
    try:
        validate_password(password, Person(username=username, email=email.strip()))
    except ValidationError as invalid:
        errors["password"] = " ".join(invalid.messages)
    return errors
