"""Reads about people and sections, always scoped to the requesting user."""

import hashlib
from collections.abc import Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import fields
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.lib.errors import InvalidInput, NotVisible, ProficioError
from proficio.lib.visibility import visible_get
from proficio.people.data import StudentDemographics
from proficio.people.models import (
    AcademicSession,
    ApiToken,
    Demographics,
    District,
    Enrollment,
    Mentorship,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
    TeachingAssignment,
)
from proficio.people.permissions import (
    NOBODY,
    administered_districts_q,
    administered_schools_q,
    administered_students_q,
    is_signed_in,
    own_district_administered,
    record_keeper_students_q,
    revocable_tokens_q,
    role_names,
    staff_students_q,
    visible_sections_q,
    visible_students_q,
)
from proficio.people.roster.index import (
    RosterIndex,
    build_index,
    districts_holding,
    roster_district,
)


def students_visible_to(user: Person) -> QuerySet[Person]:
    """Every student this user may see; nothing else."""
    return Person.objects.filter(visible_students_q(user))


def students_served_by(user: Person) -> QuerySet[Person]:
    """Students the user teaches or administers."""
    return Person.objects.filter(staff_students_q(user))


def students_administered_by(user: Person) -> QuerySet[Person]:
    """Students of the schools and districts the user administers."""
    return Person.objects.filter(administered_students_q(user))


def student_get(*, user: Person, student_id: UUID | str) -> Person:
    """One student by UUID, or NotVisible when absent or hidden from this user."""
    return visible_get(students_visible_to(user), student_id, "student")


def sections_visible_to(user: Person) -> QuerySet[Section]:
    return Section.objects.filter(visible_sections_q(user)).select_related("school", "course")


def sections_taught_by(user: Person) -> QuerySet[Section]:
    return sections_visible_to(user).filter(
        teachingassignment__teacher=user, teachingassignment__active=True
    )


def section_get(*, user: Person, section_id: UUID | str) -> Section:
    return visible_get(sections_visible_to(user), section_id, "section")


def sections_served_by(user: Person) -> QuerySet[Section]:
    """Sections a user teaches or administers, each with `student_count` (active students).

    Sections the user sits in as a student are left out: they are served, not serving.
    """
    return (
        sections_visible_to(user)
        .exclude(enrollment__student=user)
        .annotate(student_count=Count("enrollment", filter=Q(enrollment__active=True)))
        .order_by("school__name", "name")
    )


def section_served_get(*, user: Person, section_id: UUID | str) -> Section:
    """One section this user teaches or administers, or NotVisible."""
    return visible_get(sections_served_by(user), section_id, "section")


def section_students(*, user: Person, section: Section) -> QuerySet[Person]:
    """The section's active students that this user may see."""
    return (
        students_visible_to(user)
        .filter(enrollment__section=section, enrollment__active=True)
        .order_by("last_name", "first_name")
    )


def sections_for_operator(*, district: District, school: School | None = None) -> QuerySet[Section]:
    """Every section of a district (or of one school of it), for the operator at the command
    line, who holds the installation."""
    sections = Section.objects.filter(school__district=district).select_related("school", "course")
    return sections.filter(school=school) if school is not None else sections


def section_students_for_operator(section: Section) -> QuerySet[Person]:
    """A section's active students, for the operator at the command line."""
    return Person.objects.filter(enrollment__section=section, enrollment__active=True).order_by(
        "last_name", "first_name"
    )


def sections_students(*, user: Person, sections: list[Section]) -> QuerySet[Person]:
    """The active students of any of these sections that this user may see, each once."""
    return students_visible_to(user).filter(
        pk__in=Enrollment.objects.filter(section__in=sections, active=True).values("student_id")
    )


def school_students(*, user: Person, school: School) -> QuerySet[Person]:
    """The school's active students (an active student role there) that this user may see,
    by name: a school's report, read by its admins."""
    enrolled = RoleAssignment.objects.filter(role=Role.STUDENT, school=school, active=True)
    return (
        students_visible_to(user)
        .filter(pk__in=enrolled.values("person_id"), is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


def school_administered_get(*, user: Person, school_id: UUID | str) -> School:
    """One school this user administers (as its school admin, or their district's), or
    NotVisible."""
    return visible_get(schools_administered_by(user), school_id, "school")


def sections_enrolled_in(student: Person) -> QuerySet[Section]:
    """The sections a student is actively enrolled in (for what is given to a section)."""
    return Section.objects.filter(
        pk__in=Enrollment.objects.filter(student=student, active=True).values("section_id")
    )


def enrolment_pairs(*, student_ids: list[int], sections: list[Section]) -> set[tuple[int, int]]:
    """(section id, student id) of each active enrolment of these students in these sections."""
    return set(
        Enrollment.objects.filter(
            section__in=sections, student_id__in=student_ids, active=True
        ).values_list("section_id", "student_id")
    )


def earliest_work_days(student_ids: Collection[int]) -> dict[int, date]:
    """The first day work of each student can have been done here, where the roster tells:
    the earlier of their first enrolment and their district's first academic session.
    Students with neither are left out. One query, whatever the number of students."""
    first_session = (
        AcademicSession.objects.filter(district_id=OuterRef("district_id"))
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    rows = (
        Person.objects.filter(pk__in=student_ids)
        .annotate(first_enrolment=Min("enrollment__enrolled_on"), first_session=first_session)
        .values_list("pk", "first_enrolment", "first_session")
    )
    return {
        pk: min(day for day in days if day is not None)
        for pk, *days in rows
        if any(day is not None for day in days)
    }


def enrolments_digest(*, sections: list[Section]) -> tuple[int, int]:
    """How many active enrolments these sections hold, and a sum that changes when any
    one moves to another of them or is swapped for another student: for caches to compare."""
    totals = Enrollment.objects.filter(section__in=sections, active=True).aggregate(
        count=Count("pk"),
        pairs=Sum(F("section_id") * 1_000_003 + F("student_id"), output_field=BigIntegerField()),
    )
    return totals["count"], int(totals["pairs"] or 0)


def teachers_of_students(student_ids: list[int]) -> dict[int, list[Person]]:
    """Each student's teachers now: of the sections they are actively enrolled in, the
    active teaching assignments, by name. For students the caller may see."""
    pairs = (
        TeachingAssignment.objects.filter(
            active=True,
            section__enrollment__student_id__in=student_ids,
            section__enrollment__active=True,
        )
        .select_related("teacher")
        .order_by("teacher__last_name", "teacher__first_name")
        .values_list("section__enrollment__student_id", "teacher")
    )
    teachers = {
        person.pk: person
        for person in Person.objects.filter(pk__in={teacher for _, teacher in pairs})
    }
    found: dict[int, list[Person]] = {}
    for student_id, teacher_id in pairs:
        if teachers[teacher_id] not in found.setdefault(student_id, []):
            found[student_id].append(teachers[teacher_id])
    return found


def children_of(user: Person) -> QuerySet[Person]:
    """A guardian's own children."""
    return students_visible_to(user).filter(guardian_links__guardian=user)


def roles_of(user: Person) -> list[str]:
    return role_names(user)


def districts_administered_by(user: Person) -> QuerySet[District]:
    """Districts in which the user holds an active district-admin role."""
    return District.objects.filter(administered_districts_q(user))


def schools_administered_by(user: Person) -> QuerySet[School]:
    """Schools a user administers: every school of a district they administer, and their own."""
    return School.objects.filter(administered_schools_q(user)).order_by("name")


def districts_for_operator() -> QuerySet[District]:
    """Every district, oldest first: the operator at the command line holds the installation."""
    return District.objects.order_by("pk")


def district_as_issuer(district_id: UUID | str) -> District:
    """A district by uuid, for the public page naming it as the issuer of the learner records
    it signs (its name and address, nothing else); NotVisible when there is none."""
    return visible_get(District.objects.all(), district_id, "district")


def district_named(given: str | None) -> District:
    """For the operator at the command line: the district given by uuid, number or name;
    the only one when none is given."""
    districts = districts_for_operator()
    if given is None:
        if districts.count() == 1:
            return districts.get()
        raise ProficioError(
            "Name the district with --district (uuid, number or name): "
            + ", ".join(f"{district.pk} {district.name}" for district in districts)
            if districts.exists()
            else "There is no district yet: run `proficio setup` to set up yours "
            "(or `proficio demo` to try the demo district)."
        )
    for lookup in ("uuid", "pk", "name"):
        try:
            found = districts.filter(**{lookup: given}).first()
        except (ValueError, ValidationError):  # not a uuid, or not a number
            continue
        if found is not None:
            return found
    raise ProficioError(f"There is no district {given!r}.")


def username_taken(username: str) -> bool:
    """Whether anyone in the installation signs in with this username."""
    return Person.objects.filter(username=username).exists()


def district_students_named(
    *, district_id: int, identifiers: Collection[str]
) -> dict[str, list[Person]]:
    """For an import already authorised: the district's students (an active student role)
    whose OneRoster sourcedId or username is one of `identifiers`, under each identifier that
    names them; one identifier naming two students (one's sourcedId, another's username) lists
    both, for the caller to refuse rather than guess. One query."""
    wanted = {identifier for identifier in identifiers if identifier}
    if not wanted:
        return {}
    students = Person.objects.filter(
        Q(sourced_id__in=wanted) | Q(username__in=wanted),
        district_id=district_id,
        roles__role=Role.STUDENT,
        roles__active=True,
    ).distinct()
    named: dict[str, list[Person]] = {}
    for student in students.order_by("pk"):
        for identifier in {student.sourced_id, student.username} & wanted:
            named.setdefault(identifier, []).append(student)
    return named


def district_students_by_email(
    *, district_id: int, emails: Collection[str]
) -> dict[str, list[Person]]:
    """For a mapping already authorised: the district's students (an active student role)
    under each of `emails` (lower case) that is theirs, in any case. One query."""
    wanted = {email.lower() for email in emails if email}
    if not wanted:
        return {}
    students = (
        Person.objects.annotate(email_key=Lower("email"))
        .filter(
            email_key__in=wanted,
            district_id=district_id,
            roles__role=Role.STUDENT,
            roles__active=True,
        )
        .distinct()
    )
    found: dict[str, list[Person]] = {}
    for student in students.order_by("pk"):
        found.setdefault(student.email_key, []).append(student)
    return found


def people_public_ids(person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each person's uuid and OneRoster sourcedId, by id: how other systems name them. For
    a caller already authorised (the district's own webhooks). One query."""
    return {
        pk: (str(uuid), sourced_id)
        for pk, uuid, sourced_id in Person.objects.filter(pk__in=list(person_ids)).values_list(
            "pk", "uuid", "sourced_id"
        )
    }


def own_district_administered_get(user: Person) -> District:
    """The district whose settings `user` changes (`own_district_administered`), or
    NotVisible: a district-wide settings page is not there for anyone else."""
    district = own_district_administered(user)
    if district is None:
        raise NotVisible(_("This page is for the district's admins."))
    return district


def _signs_in_by_launch(district_id: int) -> QuerySet[Person]:
    """Who another system may vouch for (an LTI launch from the district's own LMS): the
    district's active people with an active role; never a site operator, whose power comes
    with their own password only."""
    return Person.objects.filter(
        district_id=district_id,
        is_active=True,
        is_superuser=False,
        is_staff=False,
        roles__active=True,
    ).distinct()


def district_person_signing_in(*, district_id: int, email: str, sourced_id: str) -> Person | None:
    """The one person of `_signs_in_by_launch` with this OneRoster sourcedId, else with this
    address (in any case). None when no one, or more than one, answers."""
    people = _signs_in_by_launch(district_id)
    for lookup in (
        Q(sourced_id=sourced_id) if sourced_id else None,
        Q(email__iexact=email) if email else None,
    ):
        if lookup is None:
            continue
        found = list(people.filter(lookup)[:2])
        if len(found) == 1:
            return found[0]
    return None


def person_signs_in_by_launch(*, person_id: int, district_id: int) -> bool:
    """Whether a person matched before may still be signed in by a launch (their roles
    may have ended, or they may have become a site operator since)."""
    return _signs_in_by_launch(district_id).filter(pk=person_id).exists()


def district_students_by_mbox_sha1(
    *, district_id: int, digests: Collection[str]
) -> dict[str, list[Person]]:
    """For a mapping already authorised: the district's students under each of `digests`
    that is the SHA-1 of "mailto:" and their address (how xAPI names someone without their
    address). Two queries; the district's addresses are hashed here, not in the database."""
    wanted = {digest.lower() for digest in digests if digest}
    if not wanted:
        return {}
    students = Person.objects.filter(
        district_id=district_id, roles__role=Role.STUDENT, roles__active=True
    ).exclude(email="")
    digest_of = {}
    for email, pk in students.values_list("email", "pk").distinct():
        for address in {email, email.lower()}:  # as stored and in lower case: tools differ
            digest = hashlib.sha1(f"mailto:{address}".encode()).hexdigest()
            if digest in wanted:
                digest_of[pk] = digest
    found: dict[str, list[Person]] = {}
    for student in Person.objects.filter(pk__in=list(digest_of)).order_by("pk"):
        found.setdefault(digest_of[student.pk], []).append(student)
    return found


def district_person_ids(district_id: int) -> list[int]:
    """The ids of a district's people, in order, for a recompute already authorised."""
    return sorted(Person.objects.filter(district_id=district_id).values_list("pk", flat=True))


# Ids per `IN (…)` list: well inside SQLite's and PostgreSQL's parameter limits.
_IDS_PER_QUERY = 5000


def demographics_of(student_ids: Iterable[int]) -> dict[int, StudentDemographics]:
    """The demographics held of each of these students (a student of whom none are held is
    left out), for a caller that has already scoped them to its user: only the equity
    reports read them, and they show groups of ten students or more (reports.equity)."""
    ids = sorted(set(student_ids))
    names = [field.name for field in fields(StudentDemographics)]
    held: dict[int, StudentDemographics] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        rows = Demographics.objects.filter(person_id__in=ids[start : start + _IDS_PER_QUERY])
        for person_id, *values in rows.values_list("person_id", *names):
            held[person_id] = StudentDemographics(**dict(zip(names, values, strict=True)))
    return held


# ---- students counted in SQL (the reports' dashboards) ----------------------------------------

# The facts of a student an aggregate may group by, and the lookup from a person to each.
_PROFILE_LOOKUPS = {
    "age_grade": "age_grade",
    **{f.name: f"demographics__{f.name}" for f in fields(StudentDemographics)},
}


def student_profile_lookups(names: Iterable[str]) -> list[str]:
    """The lookups from a person to each of these facts of a student — "age_grade" or a field
    of `StudentDemographics` — for a query of another app that groups students by them (a
    GROUP BY through its rows' student). A student of whom no demographics are held has NULL
    in each demographic one, which the equity reports read as "not reported"."""
    unknown = [name for name in names if name not in _PROFILE_LOOKUPS]
    if unknown:
        known = ", ".join(_PROFILE_LOOKUPS)
        raise ValueError(f"No student fact {unknown[0]!r}; there are {known}.")
    return [_PROFILE_LOOKUPS[name] for name in names]


def students_counted(students: QuerySet[Person], *, by: Sequence[str]) -> dict[tuple, int]:
    """How many of these students (a queryset the caller got from a scoped selector) share
    each combination of the facts `by` names (`student_profile_lookups`), in one GROUP BY:
    {(value, …): count}, the values in the order of `by`."""
    lookups = student_profile_lookups(by)
    rows = students.order_by().values(*lookups).annotate(students=Count("pk"))
    return {tuple(row[lookup] for lookup in lookups): row["students"] for row in rows}


def students_administered_in(
    *, user: Person, district: District, school: School | None = None
) -> QuerySet[Person]:
    """The active students of one school of `district` (or of the whole district, school
    None) that `user` administers: those with an active student role there. None for anyone
    who administers neither. Unordered: for aggregates (the school dashboard)."""
    roles = RoleAssignment.objects.filter(role=Role.STUDENT, active=True, district=district)
    if school is not None:
        roles = roles.filter(school=school)
    return students_administered_by(user).filter(pk__in=roles.values("person_id"), is_active=True)


def student_school_assignments() -> QuerySet[RoleAssignment]:
    """Active student roles, oldest first: a student's school is that of their first one."""
    return RoleAssignment.objects.filter(role=Role.STUDENT, active=True).order_by("pk")


def student_school_sql() -> str:
    """`student_school_assignments` as SQL yielding the school id, the person's id its one
    parameter: for the hot queries that embed it instead of making a round trip."""
    return (
        f"SELECT school_id FROM {RoleAssignment._meta.db_table} WHERE person_id = %s "
        f"AND role = '{Role.STUDENT.value}' AND active ORDER BY id LIMIT 1"
    )


def student_school_ids(student_ids: Iterable[int]) -> dict[int, int | None]:
    """Each student's school id (their first active student role's), in one query."""
    ids = list(student_ids)
    first: dict[int, int] = {}
    assignments = student_school_assignments().filter(person_id__in=ids)
    for person_id, school_id in assignments.values_list("person_id", "school_id"):
        first.setdefault(person_id, school_id)
    return {pk: first.get(pk) for pk in ids}


def api_token_live(raw_token: str) -> ApiToken | None:
    """The token with this value if it opens the API (`ApiToken.is_live`), with its person."""
    digest = hashlib.sha256(raw_token.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("person")
        .filter(
            digest=digest,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            person__is_active=True,
        )
        .first()
    )
    return token if token is not None and token.matches_password() else None


def api_tokens_live_of(user: Person) -> list[ApiToken]:
    """The user's own tokens that still open the API, newest first."""
    if not is_signed_in(user):
        return []
    tokens = ApiToken.objects.select_related("person").filter(
        person=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return [token for token in tokens if token.matches_password()]


def api_tokens_visible_to(user: Person) -> QuerySet[ApiToken]:
    """Every token, live or not, this user may see listed and revoke."""
    return ApiToken.objects.filter(revocable_tokens_q(user)).select_related("person")


def api_token_get(*, user: Person, token_id: UUID | str) -> ApiToken:
    """One token this user may revoke, by UUID, or NotVisible."""
    return visible_get(api_tokens_visible_to(user), token_id, "API token")


def roster_target(
    *,
    sourced_id: str,
    into: District | None = None,
    sourced_ids: dict[str, Collection[str]] | None = None,
) -> District | None:
    """The district a roster lands in (None: a new one), for an import already authorised.

    By the roster's district sourced id; for a roster without one (a delta naming only some
    people or classes), the district holding the records it names (`sourced_ids`, see
    `districts_holding`), else `into`. Raises InvalidInput when the roster belongs elsewhere
    than `into`, or names records of several districts.
    """
    if sourced_id:
        return roster_district(sourced_id=sourced_id, into=into)
    holding = districts_holding(sourced_ids or {})
    if len(holding) > 1:
        raise InvalidInput({"district": "The roster names records of several districts."})
    if holding and into is not None and holding[0] != into:
        raise InvalidInput({"district": "The roster belongs to another district."})
    return holding[0] if holding else into


def roster_index(*, district: District | None, usernames: Collection[str]) -> RosterIndex:
    """What `district` already holds by sourced id, and who holds `usernames`, for validating
    a roster before anything is written. For an import already authorised."""
    return build_index(district=district, usernames=usernames)


def roster_import_district(user: Person) -> District | None:
    """The district this user may import a roster into: the one they administer as district
    admin (their own first). A site admin may import only while the site has no district
    yet — the roster then creates it, and None says so. Anyone else: NotVisible."""
    if not is_signed_in(user):
        raise NotVisible("No roster import here.")
    administered = districts_administered_by(user).order_by("pk")
    district = administered.filter(pk=user.district_id).first() or administered.first()
    if district is not None:
        return district
    if user.is_superuser and not District.objects.exists():
        return None
    raise NotVisible("No roster import here.")


def students_record_kept_by(user: Person, *, search: str = "") -> QuerySet[Person]:
    """Students, current or former, whose whole record this user answers for, by name, each
    with `is_current` (holds an active student role). `search` keeps those whose names or
    username hold every word of it, or whose id or UUID it is."""
    students = Person.objects.filter(record_keeper_students_q(user)).annotate(
        is_current=Exists(
            RoleAssignment.objects.filter(person_id=OuterRef("pk"), role=Role.STUDENT, active=True)
        )
    )
    words = search.split()
    if len(words) == 1 and words[0].isdigit():
        by_id = Q(pk=int(words[0]))
    else:
        by_id = NOBODY
        with suppress(ValueError):
            by_id = Q(uuid=UUID(search.strip()))
    for word in words:
        by_id_or_name = by_id | (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(username__icontains=word)
        )
        students = students.filter(by_id_or_name)
    return students.order_by("last_name", "first_name", "username", "pk")


def guardians_linked_to(student: Person) -> QuerySet[Person]:
    """The guardians linked to a student, for a service already authorised (erasure writes
    over their names where the student's record names them)."""
    return Person.objects.filter(children_links__student=student).order_by("pk")


def student_record_kept_get(*, user: Person, student_id: UUID | str) -> Person:
    """One student, current or former, whose whole record this user answers for (to export or
    erase it), by UUID; NotVisible otherwise."""
    return visible_get(Person.objects.filter(record_keeper_students_q(user)), student_id, "student")


OPERATOR_LOOKUPS = ("id", "uuid", "username")


def student_for_operator(identifier: str) -> Person:
    """A student, current or former, for the operator at the command line (who holds the
    installation): by `id:123`, `uuid:…` or `username:abc`, or by a bare id, UUID or username.
    A bare identifier that names two students (a numeric username that is also another's id)
    is refused with both matches, never guessed; NotVisible when there is none."""
    kind, explicit, value = identifier.partition(":")
    if explicit and kind in OPERATOR_LOOKUPS:
        lookups = {kind: _operator_lookup(kind, value)}
    else:
        value = identifier
        lookups = {kind: _operator_lookup(kind, value) for kind in OPERATOR_LOOKUPS}
    students = Person.objects.filter(roles__role=Role.STUDENT).distinct()
    matches = {
        kind: match
        for kind, lookup in lookups.items()
        if lookup is not None and (match := students.filter(lookup).first()) is not None
    }
    found = {match.pk for match in matches.values()}
    if not found:
        raise NotVisible(f"No student {identifier}.")
    if len(found) > 1:
        named = "; ".join(
            f"{kind} {value}: {match} (id {match.pk}, username {match.username})"
            for kind, match in matches.items()
        )
        raise InvalidInput(
            {
                "student": f"{identifier} names more than one student ({named}). Say which: "
                + " or ".join(f"{kind}:{value}" for kind in matches)
                + "."
            }
        )
    return next(iter(matches.values()))


def _operator_lookup(kind: str, value: str) -> Q | None:
    """The filter for one kind of identifier, or None when `value` cannot be one."""
    if kind == "username":
        return Q(username=value)
    if kind == "id":
        return Q(pk=int(value)) if value.isdigit() else None
    with suppress(ValueError):
        return Q(uuid=UUID(value))
    return None


def sections_of_course(*, course_id: int, district_id: int) -> QuerySet[Section]:
    """The sections of one course in a district: where a student advancing into it may go."""
    return (
        Section.objects.filter(course_id=course_id, school__district_id=district_id)
        .select_related("school")
        .order_by("school__name", "name")
    )


def teachers_of_district(*, district_id: int) -> list[Person]:
    """The district's people with an active teacher role, by name: whom a group may add."""
    return list(
        Person.objects.filter(
            district_id=district_id,
            roles__role=Role.TEACHER,
            roles__active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def mentorships_open(
    *, mentor: Person | None = None, students: Iterable[Person] | None = None
) -> QuerySet[Mentorship]:
    """Mentorships that last now: a mentor's (their mentees), and/or those of some students
    (their mentors). The caller has checked who may read them."""
    found = Mentorship.objects.filter(ended_on__isnull=True).select_related("mentor", "student")
    if mentor is not None:
        found = found.filter(mentor=mentor)
    if students is not None:
        found = found.filter(student__in=list(students))
    return found.order_by("student__last_name", "student__first_name", "pk")


def school_year_start(*, district_id: int, on: date) -> date:
    """The first day of the school year `on` falls in: the district's roster's school-year
    session that holds it, else 1 August (the northern school year)."""
    session = (
        AcademicSession.objects.filter(
            district_id=district_id, kind="schoolYear", starts_on__lte=on, ends_on__gte=on
        )
        .order_by("-starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    if session is not None:
        return session
    year = on.year if on.month >= 8 else on.year - 1
    return date(year, 8, 1)


def guardians_active() -> QuerySet[Person]:
    """Every active person with an active guardian role, for work the operator runs (the
    weekly family email)."""
    return Person.objects.filter(
        is_active=True, roles__role=Role.GUARDIAN, roles__active=True
    ).distinct()


def teachers_by_school(*, district_id: int) -> dict[int, list[int]]:
    """The district's active teachers, by the school they teach at (person ids)."""
    schools: dict[int, list[int]] = {}
    teaching = RoleAssignment.objects.filter(
        district_id=district_id, role=Role.TEACHER, active=True, person__is_active=True
    ).values_list("school_id", "person_id")
    for school_id, person_id in teaching:
        schools.setdefault(school_id, []).append(person_id)
    return schools


def staff_school_ids(user: Person) -> set[int]:
    """The schools where `user` teaches or which they administer."""
    if not is_signed_in(user):
        return set()
    teaching = RoleAssignment.objects.filter(
        person=user, role=Role.TEACHER, active=True
    ).values_list("school_id", flat=True)
    return set(teaching) | set(schools_administered_by(user).values_list("pk", flat=True))


def staff_schools(user: Person) -> QuerySet[School]:
    """The schools where `user` teaches or which they administer, by name."""
    return School.objects.filter(pk__in=staff_school_ids(user)).order_by("name")
