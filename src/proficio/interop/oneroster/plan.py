"""Validating a OneRoster package as a whole and turning it into a roster.

Every row is checked — required values, enumerations, dates, lengths, sourcedId uniqueness,
references (to rows of the package or to what the district already holds), and whether
roles fit their orgs — and every problem is collected with its file, line and column. Only a
package without problems becomes a `Plan`; nothing has been written at that point.

How OneRoster maps onto Proficio:
- orgs: the one `district` org is the district, `school` orgs are its schools; other org
  types (departments, states, …) are not kept.
- users with their roles (1.1: the `role` column at each of `orgSourcedIds`; 1.2:
  `roles.csv`): student and teacher at a school; administrators at the district org are
  district admins, at a school school admins; parent, guardian and relative are guardians.
  Aides, proctors and counsellors get no role (Proficio has none that fits), so no access.
- `agentSourcedIds`: a student's agents who are guardians become their guardians (and a
  guardian's agents who are students their children).
- classes → sections in their school, with the course's title and code kept on the section
  (linked to a Proficio course only if the district has one with the same code); class terms
  → academic sessions; enrollments → students' enrollments and teachers' assignments.
- `status` `tobedeleted` → deactivation.
- demographics → students' demographics (birth date, sex, race, Hispanic or Latino), for the
  equity reports; a tobedeleted row, or a student a bulk file leaves out, loses theirs. Places
  of birth and residence status are read and not kept, nor are staff's or guardians'
  demographics.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from proficio.frameworks.api import district_courses
from proficio.interop.oneroster.reader import Package, Row
from proficio.interop.oneroster.spec import (
    CLASS_TYPES,
    DEMOGRAPHIC_FLAGS,
    DEMOGRAPHICS_NOT_KEPT,
    ENROLLMENT_ROLES,
    GRADES,
    GUARDIAN_ROLES,
    ORG_TYPES,
    ROLE_TYPES,
    SESSION_TYPES,
    SEXES,
    STATUSES,
    USER_ROLES,
    is_extension,
)
from proficio.interop.report import ImportRefused, Problem
from proficio.lib.errors import InvalidInput
from proficio.people.api import (
    DemographicsSpec,
    District,
    GuardianSpec,
    MembershipSpec,
    Person,
    PersonSpec,
    Role,
    RoleSpec,
    Roster,
    RosterIndex,
    SchoolSpec,
    SectionSpec,
    SessionSpec,
    roster_index,
    roster_target,
)

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
YEAR = re.compile(r"\d{4}")

# Longest values the database keeps, by what they become.
LIMITS = {
    "sourcedId": 255,
    "district": 200,
    "school": 200,
    "username": 150,
    "name": 150,
    "email": 254,
    "session": 300,
    "kind": 100,
    "section": 200,
    "course": 300,
    "code": 100,
}

# Which roster kind a file's records become, for locating problems the database finds.
KIND_FILES = {
    "district": "orgs",
    "districts": "orgs",
    "schools": "orgs",
    "academic_sessions": "academicSessions",
    "people": "users",
    "sections": "classes",
}

ROLE_1_1 = {"student": Role.STUDENT, "teacher": Role.TEACHER}
ADMINISTRATORS = {
    "districtAdministrator": "district",
    "siteAdministrator": "school",
    "principal": "school",
    "systemAdministrator": None,  # by the org it is held at
    "administrator": None,
}


class ForeignRoster(ImportRefused):
    """The package is for a district other than the one it must land in."""

    def __init__(self, problems: list[Problem], *, name: str, sourced_id: str):
        super().__init__(problems)
        self.name, self.sourced_id = name, sourced_id


@dataclass
class Plan:
    """A checked package, ready to write: the roster and what reading it took."""

    roster: Roster
    district: District | None  # where it lands; None: a district the import creates
    version: str
    modes: dict[str, str]
    lines: dict[tuple[str, str], tuple[str, int]]  # (roster kind, sourced id) → (file, line)
    skipped: Counter = field(default_factory=Counter)
    fixed: list[str] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)


def plan_package(package: Package, *, into: District | None = None) -> Plan:
    """Check a package against itself and the database; raises ImportRefused with every problem.

    `into`: the district the package must land in (a district admin importing), else the
    district with the package's district sourcedId, or a new one.
    """
    return _Planner(package, into).plan()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class _Planner:
    def __init__(self, package: Package, into: District | None):
        self.package = package
        self.version = package.version
        self.into = into
        self.problems: list[Problem] = []
        self.notes: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.skipped: Counter = Counter()
        self.lines: dict[tuple[str, str], tuple[str, int]] = {}
        self.active: dict[str, list[Row]] = {}
        self.deleted: dict[str, list[Row]] = {}
        self.roster = Roster(district_sourced_id="", district_name=None)
        self.index: RosterIndex
        # What the package and the district know, by sourcedId.
        self.org_types: dict[str, str] = {}
        self.users: set[str] = set()
        self.user_roles: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        self.relationship: dict[str, str] = {}
        self.sessions: set[str] = set()
        self.courses: dict[str, tuple[str, str]] = {}
        self.class_schools: dict[str, str] = {}
        # Users and classes whose own rows have problems: what refers to them is not judged
        # again, so each mistake is reported once, where it is.
        self.broken: set[tuple[str, str]] = set()
        self.foreign = False  # the package's district is not the one it must land in

    # ---- reporting ------------------------------------------------------------------------

    def problem(self, name: str, row: Row | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(f"{name}.csv", message, row.line if row else None, column))

    def note(self, name: str, message: str, row: Row) -> None:
        self.notes[(f"{name}.csv", message)].append(row.line)

    def fixed(self) -> list[str]:
        lines = []
        for (file, message), where in self.notes.items():
            shown = ", ".join(map(str, where[:10])) + (", …" if len(where) > 10 else "")
            lines.append(f"{file} (line{'s' if len(where) > 1 else ''} {shown}): {message}")
        return self.package.fixed + lines

    # ---- checks on one value --------------------------------------------------------------

    def text(self, name: str, row: Row, column: str, limit: str, required: bool = True) -> str:
        value = row[column]
        if not value and required:
            self.problem(name, row, column, "is required.")
        elif len(value) > LIMITS[limit]:
            self.problem(name, row, column, f"is longer than {LIMITS[limit]} characters.")
        return value

    def choice(self, name: str, row: Row, column: str, allowed: tuple[str, ...]) -> str | None:
        value = row[column]
        if value in allowed or is_extension(value):
            return value
        if not value:
            self.problem(name, row, column, "is required.")
            return None
        match = {option.lower(): option for option in allowed}.get(value.lower())
        if match:
            self.note(name, f"read {column} {value!r} as {match!r}.", row)
            return match
        self.problem(name, row, column, f"{value!r} is not one of: {', '.join(allowed)}.")
        return None

    def day(self, name: str, row: Row, column: str, required: bool = False) -> date | None:
        value = row[column]
        if not value:
            if required:
                self.problem(name, row, column, "is required (a date, YYYY-MM-DD).")
            return None
        try:
            if DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.problem(name, row, column, f"{value!r} is not a date (YYYY-MM-DD).")
        return None

    def flag(self, name: str, row: Row, column: str, default: bool | None = None) -> bool | None:
        value = row[column].lower()
        if value in ("true", "false"):
            return value == "true"
        if not value and default is not None:
            return default
        self.problem(name, row, column, f"{row[column]!r} is not true or false.")
        return None

    def grade(self, name: str, row: Row) -> tuple[bool, int | None]:
        """Whether the grades are valid, and the age-grade of the first one."""
        first: int | None = None
        ok = True
        for index, code in enumerate(_split(row["grades"])):
            if code.isdigit() and code not in GRADES and f"{int(code):02}" in GRADES:
                self.note(name, f"read grade {code!r} as {int(code):02}.", row)
                code = f"{int(code):02}"
            if code not in GRADES and not is_extension(code):
                self.problem(name, row, "grades", f"{code!r} is not a CEDS grade (KG, 01–13, …).")
                ok = False
            elif index == 0:
                first = GRADES.get(code)
        return ok, first

    def refer(self, name: str, row: Row, column: str, known: set | dict, what: str) -> bool:
        value = row[column]
        if value and value not in known:
            self.problem(
                name, row, column, f"{value!r} is not a {what} in the package or in Proficio."
            )
            return False
        return True

    # ---- the whole package ----------------------------------------------------------------

    def plan(self) -> Plan:
        for name in self.package.tables:
            self.sort_rows(name)
        district_row = self.orgs_first_pass()
        reported = len(self.problems)
        district = self.landing_district(district_row)
        if len(self.problems) > reported:  # without its district, nothing else can be checked
            if self.foreign:
                name = self.roster.district_name or district_row["sourcedId"]
                raise ForeignRoster(self.problems, name=name, sourced_id=district_row["sourcedId"])
            raise ImportRefused(self.problems)
        usernames = [row["username"] for row in self.active.get("users", [])]
        self.index = roster_index(district=district, usernames=usernames)
        self.known_from_database(district)
        self.orgs()
        self.academic_sessions()
        self.users_and_roles()
        self.courses_and_classes(district)
        self.enrollments()
        self.demographics()
        self.guardian_links()
        if self.problems:
            raise ImportRefused(self.problems)
        return Plan(
            roster=self.roster,
            district=district,
            version=self.version,
            modes={table.file: table.mode for table in self.package.tables.values()},
            lines=self.lines,
            skipped=self.skipped,
            fixed=self.fixed(),
            read={table.file: len(table.rows) for table in self.package.tables.values()},
        )

    def sort_rows(self, name: str) -> None:
        """Check sourcedIds and status; split rows into active ones and deletions."""
        table = self.package.tables[name]
        delta = table.mode == "delta"
        seen: dict[str, int] = {}
        active, deleted = [], []
        for row in table.rows:
            sid = self.text(name, row, "sourcedId", "sourcedId")
            if not sid:
                continue
            if sid in seen:
                self.problem(
                    name, row, "sourcedId", f"{sid!r} is already used on line {seen[sid]}."
                )
                continue
            seen[sid] = row.line
            status = row["status"].lower()
            if not status and delta:
                self.problem(name, row, "status", "is required in a delta file.")
            elif status and status not in STATUSES:
                self.problem(
                    name, row, "status", f"{row['status']!r} is not active or tobedeleted."
                )
            modified = row["dateLastModified"]
            if modified:
                try:
                    datetime.fromisoformat(modified)
                except ValueError:
                    self.problem(
                        name, row, "dateLastModified", f"{modified!r} is not an ISO 8601 date-time."
                    )
            elif delta:
                self.problem(name, row, "dateLastModified", "is required in a delta file.")
            (deleted if status == "tobedeleted" else active).append(row)
        self.active[name], self.deleted[name] = active, deleted

    # ---- orgs -----------------------------------------------------------------------------

    def orgs_first_pass(self) -> Row | None:
        """Types of the package's orgs, and its district org."""
        district_row = None
        for row in self.active.get("orgs", []):
            org_type = self.choice("orgs", row, "type", ORG_TYPES)
            if org_type is None:
                continue
            self.org_types[row["sourcedId"]] = org_type
            if org_type != "district":
                continue
            if district_row is not None:
                self.problem(
                    "orgs",
                    row,
                    "type",
                    f"a package holds one district; line {district_row.line} is one already.",
                )
            else:
                district_row = row
        return district_row

    def landing_district(self, district_row: Row | None) -> District | None:
        try:
            district = roster_target(
                sourced_id=district_row["sourcedId"] if district_row else "",
                into=self.into,
                sourced_ids=self.named_records(),
            )
        except InvalidInput as wrong:
            for message in wrong.errors.values():
                self.problem("orgs", district_row, "sourcedId" if district_row else None, message)
            if district_row is not None:
                self.foreign = True
                self.roster.district_name = district_row["name"].strip() or None
            return None
        if district_row is None and district is None:
            self.problem(
                "orgs",
                None,
                "type",
                "names no org of type district, and nothing else in the package is in "
                "Proficio yet: add the district to orgs.csv.",
            )
        if district_row is not None:
            sourced_id = district_row["sourcedId"]
            self.roster.district_sourced_id = sourced_id
            self.roster.district_name = self.text("orgs", district_row, "name", "district")
            self.lines[("districts", sourced_id)] = ("orgs.csv", district_row.line)
        elif district is not None:
            self.roster.district_sourced_id = district.sourced_id
        return district

    def named_records(self) -> dict[str, set[str]]:
        """Every sourcedId the package names, by the kind of record it is: how a package with
        no district org finds its district."""
        named: dict[str, set[str]] = defaultdict(set)
        columns = {
            "orgs": [("schools", "sourcedId")],
            "users": [("people", "sourcedId"), ("schools", "orgSourcedIds")],
            "roles": [("people", "userSourcedId"), ("schools", "orgSourcedId")],
            "classes": [("sections", "sourcedId"), ("schools", "schoolSourcedId")],
            "academicSessions": [("sessions", "sourcedId")],
            "enrollments": [
                ("memberships", "sourcedId"),
                ("sections", "classSourcedId"),
                ("people", "userSourcedId"),
                ("schools", "schoolSourcedId"),
            ],
            "demographics": [("people", "sourcedId")],
        }
        for name, pairs in columns.items():
            for row in self.active.get(name, []) + self.deleted.get(name, []):
                for kind, column in pairs:
                    named[kind].update(_split(row[column]))
        return named

    def known_from_database(self, district: District | None) -> None:
        index = self.index
        if district is not None and district.sourced_id:
            self.org_types.setdefault(district.sourced_id, "district")
        for sid in index.schools:
            self.org_types.setdefault(sid, "school")
        self.sessions |= index.sessions
        self.users |= index.people.keys()
        for sid, person in index.people.items():
            self.user_roles[sid] |= person.roles
        self.courses.update(index.courses)
        self.class_schools.update(index.sections)

    def orgs(self) -> None:
        names: dict[str, int] = {}
        for row in self.active.get("orgs", []):
            sid, org_type = row["sourcedId"], self.org_types.get(row["sourcedId"])
            self.refer("orgs", row, "parentSourcedId", self.org_types, "org")
            if org_type != "school":
                if org_type != "district":
                    self.skipped["orgs"] += 1
                    self.note("orgs", "not kept: Proficio keeps the district and its schools.", row)
                continue
            name = self.text("orgs", row, "name", "school")
            if name in names:
                self.problem(
                    "orgs", row, "name", f"{name!r} is already a school on line {names[name]}."
                )
                continue
            names[name] = row.line
            holder = self.index.school_names.get(name)
            if holder:
                if holder != sid:
                    self.problem("orgs", row, "name", f"{name!r} is another school in Proficio.")
                    continue
            elif holder == "":
                self.note("orgs", "matched a school of the same name made by hand.", row)
            self.roster.schools.append(SchoolSpec(sourced_id=sid, name=name))
            self.lines[("schools", sid)] = ("orgs.csv", row.line)
        for row in self.deleted.get("orgs", []):
            self.skipped["orgs"] += 1
            self.note(
                "orgs",
                "tobedeleted not applied: schools stay; their people and classes end by "
                "their own rows.",
                row,
            )

    # ---- academic sessions ----------------------------------------------------------------

    def academic_sessions(self) -> None:
        name = "academicSessions"
        rows = self.active.get(name, [])
        self.sessions |= {row["sourcedId"] for row in rows}
        for row in rows:
            sid = row["sourcedId"]
            title = self.text(name, row, "title", "session")
            kind = self.choice(name, row, "type", SESSION_TYPES)
            if kind and len(kind) > LIMITS["kind"]:
                self.problem(name, row, "type", f"is longer than {LIMITS['kind']} characters.")
            starts = self.day(name, row, "startDate", required=True)
            ends = self.day(name, row, "endDate", required=True)
            if starts and ends and ends < starts:
                self.problem(name, row, "endDate", f"{ends} is before the start date {starts}.")
            self.refer(name, row, "parentSourcedId", self.sessions, "academic session")
            if row["parentSourcedId"] == sid:
                self.problem(name, row, "parentSourcedId", "a session cannot be its own parent.")
            year = row["schoolYear"]
            if not YEAR.fullmatch(year):
                self.problem(name, row, "schoolYear", f"{year!r} is not a year (YYYY).")
            if kind and starts and ends and YEAR.fullmatch(year):
                self.roster.sessions.append(
                    SessionSpec(
                        sourced_id=sid,
                        title=title,
                        kind=kind,
                        starts_on=starts,
                        ends_on=ends,
                        parent=row["parentSourcedId"] or None,
                        school_year=int(year),
                    )
                )
                self.lines[("academic_sessions", sid)] = (f"{name}.csv", row.line)
        self.roster.removed["sessions"] |= {row["sourcedId"] for row in self.deleted.get(name, [])}

    # ---- users and their roles ------------------------------------------------------------

    def users_and_roles(self) -> None:
        rows = self.active.get("users", [])
        self.users |= {row["sourcedId"] for row in rows}
        usernames: dict[str, int] = {}
        for row in rows:
            person = self.person(row, usernames)
            if self.version == "1.1":
                reported = len(self.problems)
                self.roles_of_user(row)
                if len(self.problems) > reported:
                    self.broken.add(("users", row["sourcedId"]))
            elif row["primaryOrgSourcedId"]:
                self.refer("users", row, "primaryOrgSourcedId", self.org_types, "org")
            if person is not None:
                self.roster.people.append(person)
                self.lines[("people", person.sourced_id)] = ("users.csv", row.line)
        self.roster.removed["people"] |= {row["sourcedId"] for row in self.deleted.get("users", [])}
        if self.version == "1.2":
            self.roles_file()

    def person(self, row: Row, usernames: dict[str, int]) -> PersonSpec | None:
        sid = row["sourcedId"]
        username = self.text("users", row, "username", "username")
        if username in usernames:
            self.problem(
                "users",
                row,
                "username",
                f"{username!r} is already used on line {usernames[username]}.",
            )
        usernames[username] = row.line
        holder = self.index.usernames.get(username)
        district_id = self.index.district.pk if self.index.district else None
        if holder is not None and holder[1] != sid:
            if holder[0] != district_id or holder[0] is None or holder[1]:
                self.problem("users", row, "username", f"{username!r} belongs to another account.")
            else:
                self.note("users", "matched a person with the same username made by hand.", row)
        first = self.text("users", row, "givenName", "name")
        last = self.text("users", row, "familyName", "name")
        enabled = self.flag("users", row, "enabledUser")
        email = row["email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.note("users", "left an email that is not an address out.", row)
                email = ""
        preferred = self.text("users", row, "preferredGivenName", "name", required=False)
        grades_ok, age_grade = self.grade("users", row)
        password_ok = self.password(row, username, first, last, email)
        if enabled is None or not grades_ok or not username or not password_ok:
            return None
        return PersonSpec(
            sourced_id=sid,
            username=username,
            first_name=first,
            last_name=last,
            is_active=enabled,
            email=email or None,
            preferred_name=preferred or None,
            age_grade=age_grade,
            password=row["password"] or None,
        )

    def password(self, row: Row, username: str, first: str, last: str, email: str) -> bool:
        """Whether the row's password, if it has one, passes the site's password rules
        (AUTH_PASSWORD_VALIDATORS), judged against this person's own name and address."""
        password = row["password"]
        if not password:
            return True
        # Unsaved: only what the similarity rule compares the password with.
        person = Person(username=username, first_name=first, last_name=last, email=email)
        try:
            validate_password(password, user=person)
        except ValidationError as error:
            # The password itself is never repeated: problems are shown and printed.
            self.problem(
                "users", row, "password", "breaks the password rules: " + " ".join(error.messages)
            )
            return False
        return True

    def roles_of_user(self, row: Row) -> None:
        """OneRoster 1.1: the user's `role` held at each of their orgs."""
        sid = row["sourcedId"]
        role = self.choice("users", row, "role", USER_ROLES["1.1"])
        orgs = _split(row["orgSourcedIds"])
        if not orgs:
            self.problem("users", row, "orgSourcedIds", "is required.")
        for org in orgs:
            if org not in self.org_types:
                self.problem(
                    "users",
                    row,
                    "orgSourcedIds",
                    f"{org!r} is not an org in the package or in Proficio.",
                )
        if role is None or not all(org in self.org_types for org in orgs):
            return
        self.roster.complete_roles_of.add(sid)
        schools = [org for org in orgs if self.org_types[org] == "school"]
        if role in ROLE_1_1:
            if not schools:
                self.problem(
                    "users", row, "orgSourcedIds", f"a {role} belongs to a school; none is named."
                )
            for school in schools:
                self.grant(sid, ROLE_1_1[role], school, sid)
        elif role == "administrator":
            for org in orgs:
                self.administrator(sid, self.org_types[org], org, sid)
        elif role in GUARDIAN_ROLES:
            self.grant(sid, Role.GUARDIAN, None, sid)
            self.relationship[sid] = role
        else:
            self.skipped["roles"] += 1
            self.note("users", f"no role given: Proficio has no role that fits {role!r}.", row)

    def roles_file(self) -> None:
        """OneRoster 1.2: one role per row of roles.csv."""
        table = self.package.tables.get("roles")
        for row in self.active.get("roles", []):
            reported = len(self.problems)
            self.role_row(row, table is not None and table.mode == "bulk")
            if len(self.problems) > reported:
                self.broken.add(("users", row["userSourcedId"]))
        self.roster.removed["roles"] |= {row["sourcedId"] for row in self.deleted.get("roles", [])}

    def role_row(self, row: Row, bulk: bool) -> None:
        user, org = row["userSourcedId"], row["orgSourcedId"]
        role = self.choice("roles", row, "role", USER_ROLES["1.2"])
        self.choice("roles", row, "roleType", ROLE_TYPES)
        begins = self.day("roles", row, "beginDate")
        ends = self.day("roles", row, "endDate")
        if begins and ends and ends < begins:
            self.problem("roles", row, "endDate", f"{ends} is before the begin date {begins}.")
        known = self.refer("roles", row, "userSourcedId", self.users, "user")
        known &= self.refer("roles", row, "orgSourcedId", self.org_types, "org")
        if not user:
            self.problem("roles", row, "userSourcedId", "is required.")
        if not (user and org and known and role):
            return
        if bulk:
            self.roster.complete_roles_of.add(user)
        org_type = self.org_types[org]
        expected = "school" if role in ROLE_1_1 else ADMINISTRATORS.get(role)
        if expected and org_type != expected:
            self.problem(
                "roles",
                row,
                "orgSourcedId",
                f"a {role} belongs to a {expected}; {org!r} is a {org_type}.",
            )
        elif role in ROLE_1_1:
            self.grant(user, ROLE_1_1[role], org, row["sourcedId"])
        elif role in ADMINISTRATORS:
            self.administrator(user, org_type, org, row["sourcedId"])
        elif role in GUARDIAN_ROLES:
            self.grant(user, Role.GUARDIAN, None, row["sourcedId"])
            self.relationship.setdefault(user, role)
        else:
            self.skipped["roles"] += 1
            self.note("roles", f"no role given: Proficio has no role that fits {role!r}.", row)

    def administrator(self, user: str, org_type: str, org: str, sourced_id: str) -> None:
        if org_type == "district":
            self.grant(user, Role.DISTRICT_ADMIN, None, sourced_id)
        elif org_type == "school":
            self.grant(user, Role.SCHOOL_ADMIN, org, sourced_id)
        else:
            self.skipped["roles"] += 1

    def grant(self, user: str, role: Role, school: str | None, sourced_id: str) -> None:
        self.roster.roles.append(
            RoleSpec(person=user, role=role, school=school, sourced_id=sourced_id)
        )
        self.user_roles[user].add((role.value, school))

    # ---- courses, classes, enrollments ----------------------------------------------------

    def courses_and_classes(self, district: District | None) -> None:
        for row in self.active.get("courses", []):
            title = self.text("courses", row, "title", "course")
            code = self.text("courses", row, "courseCode", "code", required=False)
            self.refer("courses", row, "orgSourcedId", self.org_types, "org")
            self.refer("courses", row, "schoolYearSourcedId", self.sessions, "academic session")
            self.grade("courses", row)
            self.courses[row["sourcedId"]] = (code, title)
        for row in self.deleted.get("courses", []):
            self.skipped["courses"] += 1
            self.note("courses", "tobedeleted not applied: a course lives on its classes.", row)
        rows = self.active.get("classes", [])
        codes = {self.courses.get(row["courseSourcedId"], ("", ""))[0] for row in rows} - {""}
        linked = dict(
            district_courses(district.pk).filter(code__in=codes).values_list("code", "pk")
            if district is not None and codes
            else []
        )
        for row in rows:
            sid = row["sourcedId"]
            reported = len(self.problems)
            title = self.text("classes", row, "title", "section")
            self.choice("classes", row, "classType", CLASS_TYPES)
            school = row["schoolSourcedId"]
            course = row["courseSourcedId"]
            self.class_schools[sid] = school
            ok = self.refer("classes", row, "courseSourcedId", self.courses, "course")
            ok &= self.refer("classes", row, "schoolSourcedId", self.org_types, "org")
            if not school or not course:
                ok = False
                for column, value in (("schoolSourcedId", school), ("courseSourcedId", course)):
                    if not value:
                        self.problem("classes", row, column, "is required.")
            elif ok and self.org_types[school] != "school":
                self.problem("classes", row, "schoolSourcedId", f"{school!r} is not a school.")
                ok = False
            terms = _split(row["termSourcedIds"])
            if not terms:
                self.problem("classes", row, "termSourcedIds", "is required.")
            for term in terms:
                if term not in self.sessions:
                    self.problem(
                        "classes",
                        row,
                        "termSourcedIds",
                        f"{term!r} is not an academic session in the package or in Proficio.",
                    )
                    ok = False
            self.grade("classes", row)
            if not ok or len(self.problems) > reported:
                self.broken.add(("classes", sid))
                continue
            code, course_title = self.courses[course]
            self.roster.sections.append(
                SectionSpec(
                    sourced_id=sid,
                    school=school,
                    name=title,
                    course_sourced_id=course,
                    course_code=code,
                    course_title=course_title,
                    terms=tuple(terms),
                    course=linked.get(code),
                )
            )
            self.lines[("sections", sid)] = ("classes.csv", row.line)
        for row in self.deleted.get("classes", []):
            self.class_schools.setdefault(row["sourcedId"], "")
            self.roster.removed["sections"].add(row["sourcedId"])

    def enrollments(self) -> None:
        table = self.package.tables.get("enrollments")
        if table is None:
            return
        if table.mode == "bulk":
            # A bulk file holds each class's whole membership: who is missing has left.
            self.roster.complete_sections |= {spec.sourced_id for spec in self.roster.sections}
        for row in self.active["enrollments"]:
            role = self.choice("enrollments", row, "role", ENROLLMENT_ROLES)
            primary = self.flag("enrollments", row, "primary", default=False)
            begins = self.day("enrollments", row, "beginDate")
            ends = self.day("enrollments", row, "endDate")
            if begins and ends and ends < begins:
                self.problem(
                    "enrollments", row, "endDate", f"{ends} is before the begin date {begins}."
                )
            user, klass, school = (
                row["userSourcedId"],
                row["classSourcedId"],
                row["schoolSourcedId"],
            )
            ok = self.refer("enrollments", row, "userSourcedId", self.users, "user")
            ok &= self.refer("enrollments", row, "classSourcedId", self.class_schools, "class")
            ok &= self.refer("enrollments", row, "schoolSourcedId", self.org_types, "org")
            if not (ok and role and user and klass and school):
                for column in ("userSourcedId", "classSourcedId", "schoolSourcedId"):
                    if not row[column]:
                        self.problem("enrollments", row, column, "is required.")
                continue
            if klass in self.roster.removed["sections"]:
                self.skipped["enrollments"] += 1
                self.note("enrollments", "not kept: its class is tobedeleted.", row)
                continue
            if ("classes", klass) in self.broken:
                continue
            class_school = self.class_schools[klass]
            if school != class_school:
                self.problem(
                    "enrollments",
                    row,
                    "schoolSourcedId",
                    f"{school!r} is not the school of class {klass!r} ({class_school!r}).",
                )
                continue
            if role not in ("student", "teacher"):
                self.skipped["enrollments"] += 1
                self.note(
                    "enrollments",
                    f"not kept: Proficio keeps student and teacher enrollments, not {role!r}.",
                    row,
                )
                continue
            wanted = Role.STUDENT if role == "student" else Role.TEACHER
            roles = self.user_roles[user]
            if ("users", user) in self.broken:
                continue
            if not any(
                held == wanted and (role == "student" or at == school) for held, at in roles
            ):
                where = "" if role == "student" else f" at {school!r}"
                self.problem(
                    "enrollments",
                    row,
                    "userSourcedId",
                    f"{user!r} is enrolled as a {role} but holds no {role} role{where}.",
                )
                continue
            spec = MembershipSpec(
                sourced_id=row["sourcedId"],
                section=klass,
                person=user,
                starts_on=begins,
                ends_on=ends,
                primary=bool(primary),
            )
            (self.roster.enrollments if role == "student" else self.roster.teaching).append(spec)
            if table.mode == "bulk":
                self.roster.complete_sections.add(klass)
        self.roster.removed["memberships"] |= {
            row["sourcedId"] for row in self.deleted.get("enrollments", [])
        }

    # ---- demographics ---------------------------------------------------------------------

    def demographics(self) -> None:
        """Students' demographics, matched to users by sourcedId and checked value by value;
        kept for students only (the equity reports), without places of birth or residence."""
        table = self.package.tables.get("demographics")
        if table is None:
            return
        # A bulk file holds every student's demographics: whoever it leaves out has none.
        self.roster.complete_demographics = table.mode == "bulk"
        filled: set[str] = set()  # columns read but not kept that hold a value somewhere
        for row in self.active["demographics"]:
            filled |= {column for column in DEMOGRAPHICS_NOT_KEPT if row[column]}
            self.demographics_row(row)
        for row in self.deleted["demographics"]:
            if row["sourcedId"] in self.users:
                self.roster.removed["demographics"].add(row["sourcedId"])
            else:
                self.skipped["demographics"] += 1
                self.note("demographics", "tobedeleted for a user Proficio does not have.", row)
        if filled:
            self.package.fixed.append(
                f"demographics.csv: {', '.join(sorted(filled))} not kept; no report needs them."
            )

    def demographics_row(self, row: Row) -> None:
        sid = row["sourcedId"]
        reported = len(self.problems)
        known = self.refer("demographics", row, "sourcedId", self.users, "user")
        born = self.day("demographics", row, "birthDate")
        if born and born > timezone.localdate():
            self.problem("demographics", row, "birthDate", f"{born} is in the future.")
        sex = self.sex(row)
        flags = {
            name: self.answer("demographics", row, column)
            for column, name in DEMOGRAPHIC_FLAGS.items()
        }
        if not known or len(self.problems) > reported or ("users", sid) in self.broken:
            return
        if Role.STUDENT not in {role for role, _school in self.user_roles[sid]}:
            self.skipped["demographics"] += 1
            self.note("demographics", "not kept: Proficio keeps the demographics of students.", row)
            return
        self.roster.demographics.append(
            DemographicsSpec(person=sid, birth_date=born, sex=sex or "", **flags)
        )
        self.lines[("demographics", sid)] = ("demographics.csv", row.line)

    def sex(self, row: Row) -> str | None:
        """The row's sex: "" when blank (not reported), None after a problem. A 1.1 file may
        use 1.2's values; an extension (`ext:…`) is read as other."""
        value = row["sex"]
        if not value:
            return ""
        if is_extension(value):
            self.note("demographics", f"read sex {value!r} as 'other'.", row)
            return "other"
        allowed = SEXES[self.version]
        match = {option: option for option in SEXES["1.2"]}.get(value.lower())
        if match is None:
            self.problem(
                "demographics", row, "sex", f"{value!r} is not one of: {', '.join(allowed)}."
            )
        elif match not in allowed:
            self.note("demographics", f"read sex {value!r} as OneRoster 1.2 does.", row)
        elif match != value:
            self.note("demographics", f"read sex {value!r} as {match!r}.", row)
        return match

    def answer(self, name: str, row: Row, column: str) -> bool | None:
        """A true/false column that may be left blank (None: not reported)."""
        value = row[column]
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        if value:
            self.problem(name, row, column, f"{value!r} is not true or false (or blank).")
        return None

    def guardian_links(self) -> None:
        for row in self.active.get("users", []):
            sid = row["sourcedId"]
            agents = _split(row["agentSourcedIds"])
            if not agents:
                continue
            roles = {role for role, _school in self.user_roles[sid]}
            for agent in agents:
                if agent == sid:
                    self.problem(
                        "users", row, "agentSourcedIds", "a user cannot be their own agent."
                    )
                elif agent not in self.users:
                    self.problem(
                        "users",
                        row,
                        "agentSourcedIds",
                        f"{agent!r} is not a user in the package or in Proficio.",
                    )
                    continue
                agent_roles = {role for role, _school in self.user_roles[agent]}
                if Role.STUDENT in roles and Role.GUARDIAN in agent_roles:
                    self.link(agent, sid)
                elif Role.GUARDIAN in roles and Role.STUDENT in agent_roles:
                    self.link(sid, agent)
                else:
                    self.skipped["guardian_links"] += 1
                    self.note(
                        "users",
                        "no guardian link for an agent: one of the two must be a student, the "
                        "other a parent, guardian or relative.",
                        row,
                    )

    def link(self, guardian: str, student: str) -> None:
        self.roster.guardian_links.append(
            GuardianSpec(
                guardian=guardian, student=student, relationship=self.relationship.get(guardian, "")
            )
        )
