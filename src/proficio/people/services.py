"""Writes about districts, schools, people, roles, sections and API tokens."""

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.progress import Progress
from proficio.people.data import Pseudonymised
from proficio.people.models import (
    ApiToken,
    Demographics,
    District,
    Enrollment,
    GroupMembership,
    GuardianLink,
    Mentorship,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
    StudentGroup,
    TeachingAssignment,
)
from proficio.people.permissions import (
    administered_students_q,
    can_revoke_token,
    can_unlock_sign_in,
    roles_changed,
)
from proficio.people.roster.data import Roster, RosterChanges
from proficio.people.roster.sync import RosterSync
from proficio.people.selectors import api_token_live

if TYPE_CHECKING:
    from proficio.frameworks.api import Course

BULK_BATCH = 1_000  # rows per insert: under SQLite's limit of bound parameters


@transaction.atomic
def district_create(*, name: str) -> District:
    return District.objects.create(name=name)


@transaction.atomic
def school_create(*, district: District, name: str) -> School:
    return School.objects.create(district=district, name=name)


@transaction.atomic
def person_create(
    *,
    district: District,
    username: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
    email: str = "",
    age_grade: int | None = None,
) -> Person:
    """A person who can sign in once given a password (none = cannot sign in yet)."""
    if Person.objects.filter(username=username).exists():
        raise InvalidInput({"username": f"The username {username!r} is taken."})
    person = Person(
        district=district,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        age_grade=age_grade,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    return person


@dataclass(frozen=True)
class PersonDraft:
    """One person to create in bulk with one role: who cannot sign in until given a password."""

    username: str
    first_name: str
    last_name: str
    role: Role
    school: School | None = None
    age_grade: int | None = None


@transaction.atomic
def people_create_many(
    *, district: District, drafts: Sequence[PersonDraft], actor: Person | None = None
) -> list[Person]:
    """Create every person with their role in batched inserts, or none, audited as one entry:
    the checks of `person_create` and `role_assign`, each person's errors under their index."""
    errors: dict[str, str] = {}
    usernames = [draft.username for draft in drafts]
    taken = set(Person.objects.filter(username__in=usernames).values_list("username", flat=True))
    seen: set[str] = set()
    for index, draft in enumerate(drafts):
        if draft.username in taken or draft.username in seen:
            errors[f"{index}.username"] = f"The username {draft.username!r} is taken."
        seen.add(draft.username)
        if draft.role not in (Role.DISTRICT_ADMIN, Role.GUARDIAN) and draft.school is None:
            errors[f"{index}.school"] = f"A {Role(draft.role).label.lower()} belongs to a school."
        if draft.school is not None and draft.school.district_id != district.pk:
            errors[f"{index}.school"] = "The school is in another district."
    if errors:
        raise InvalidInput(errors)
    people = []
    for draft in drafts:
        person = Person(
            district=district,
            username=draft.username,
            first_name=draft.first_name,
            last_name=draft.last_name,
            age_grade=draft.age_grade,
        )
        person.set_unusable_password()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=BULK_BATCH)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(person=person, role=draft.role, district=district, school=draft.school)
            for person, draft in zip(people, drafts, strict=True)
        ],
        batch_size=BULK_BATCH,
    )
    roles_changed()
    audit.record(
        actor=actor,
        action=audit.PEOPLE_CREATED_IN_BULK,
        district_id=district.pk,
        data={"people": len(people)},
    )
    return people


@transaction.atomic
def role_assign(
    *,
    person: Person,
    role: Role,
    district: District,
    school: School | None = None,
    actor: Person | None = None,
) -> RoleAssignment:
    """Give `person` an active role (again). `actor`: who grants it; None, the operator."""
    if role not in (Role.DISTRICT_ADMIN, Role.GUARDIAN) and school is None:
        raise InvalidInput({"school": f"A {Role(role).label.lower()} belongs to a school."})
    if school is not None and school.district_id != district.pk:
        raise InvalidInput({"school": "The school is in another district."})
    assignment, _ = RoleAssignment.objects.update_or_create(
        person=person, role=role, district=district, school=school, defaults={"active": True}
    )
    roles_changed()
    audit.record(
        actor=actor,
        action=audit.ROLE_ASSIGNED,
        student=person if role == Role.STUDENT else None,
        district_id=district.pk,
        target=person,
        data={"role": str(role), "school": school.name if school else ""},
    )
    return assignment


@transaction.atomic
def guardian_link(
    *, guardian: Person, student: Person, relationship: str = "", actor: Person | None = None
) -> GuardianLink:
    if guardian.pk == student.pk:
        raise InvalidInput({"guardian": "A person cannot be their own guardian."})
    link, _ = GuardianLink.objects.get_or_create(
        guardian=guardian, student=student, defaults={"relationship": relationship}
    )
    audit.record(
        actor=actor,
        action=audit.GUARDIAN_LINKED,
        student=student,
        target=guardian,
        data={"guardian": guardian.username, "relationship": relationship},
    )
    return link


@transaction.atomic
def section_create(
    *, school: School, name: str, course: "Course | None" = None, teachers: Iterable[Person] = ()
) -> Section:
    section = Section.objects.create(school=school, name=name, course=course)
    for teacher in teachers:
        TeachingAssignment.objects.create(section=section, teacher=teacher)
    return section


@transaction.atomic
def section_enroll(
    *,
    section: Section,
    student: Person,
    enrolled_on: date | None = None,
    actor: Person | None = None,
) -> Enrollment:
    enrollment, _ = Enrollment.objects.update_or_create(
        section=section, student=student, defaults={"active": True, "enrolled_on": enrolled_on}
    )
    audit.record(
        actor=actor,
        action=audit.SECTION_ENROLLED,
        student=student,
        target=section,
        data={"section": section.name},
    )
    return enrollment


def section_leave(
    *, section: Section, student: Person, ends_on: date | None = None, actor: Person | None = None
) -> None:
    """The student leaves the section (advanced to another, moved): the enrolment is kept,
    inactive, so the section's past work still counts them."""
    updated = Enrollment.objects.filter(section=section, student=student, active=True).update(
        active=False, ends_on=ends_on or timezone.localdate()
    )
    if updated:
        audit.record(
            actor=actor,
            action=audit.SECTION_LEFT,
            student=student,
            target=section,
            data={"section": section.name},
        )


@transaction.atomic
def student_group_write(
    *,
    district: District,
    name: str,
    teachers: Iterable[Person],
    students: Iterable[Person],
    group: StudentGroup | None = None,
    actor: Person | None = None,
) -> StudentGroup:
    """A flexible group, new or changed: its name, teachers and students. A student who
    leaves keeps their membership row, ended; one who joins gets a new one (the history).
    The caller (pathways) has checked who may form it and whom it holds."""
    now = timezone.now()
    if group is None:
        group = StudentGroup.objects.create(district=district, name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    group.teachers.set(list(teachers))
    wanted = {student.pk: student for student in students}
    current = {m.student_id: m for m in group.memberships.filter(left_at__isnull=True)}
    for student_id, membership in current.items():
        if student_id not in wanted:
            membership.left_at = now
            membership.save(update_fields=["left_at"])
    for student_id, student in wanted.items():
        if student_id not in current:
            GroupMembership.objects.create(group=group, student=student, joined_at=now)
    teacher_names = [str(teacher) for teacher in group.teachers.all()]
    changed = [(student, "joined") for pk, student in wanted.items() if pk not in current]
    changed += [
        (membership.student, "left") for pk, membership in current.items() if pk not in wanted
    ]
    for student, how in changed:
        audit.record(
            actor=actor,
            action=audit.GROUP_CHANGED,
            student=student,
            target=group,
            data={"group": group.name, how: True, "teachers": teacher_names},
        )
    return group


@transaction.atomic
def student_group_disband(*, group: StudentGroup, actor: Person | None = None) -> None:
    """The group ends: its teachers no longer see its students through it; the memberships
    are kept, ended (the history)."""
    now = timezone.now()
    for membership in group.memberships.filter(left_at__isnull=True).select_related("student"):
        membership.left_at = now
        membership.save(update_fields=["left_at"])
        audit.record(
            actor=actor,
            action=audit.GROUP_CHANGED,
            student=membership.student,
            target=group,
            data={"group": group.name, "disbanded": True},
        )
    group.active = False
    group.save(update_fields=["active"])


def student_group_members(group: StudentGroup) -> QuerySet[Person]:
    """The group's students now."""
    return Person.objects.filter(
        pk__in=group.memberships.filter(left_at__isnull=True).values("student_id")
    ).order_by("last_name", "first_name")


# How stale `ApiToken.last_used_at` may get: reading the API writes at most this often.
TOKEN_USE_PRECISION = timedelta(minutes=5)


@transaction.atomic
def api_token_issue(*, person: Person) -> str:
    """A new bearer token for `person`, bound to their current password; the raw value is
    returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        person=person,
        digest=hashlib.sha256(raw.encode()).hexdigest(),
        password_fingerprint=ApiToken.fingerprint_of(person),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    return raw


def api_token_use(*, raw_token: str) -> ApiToken | None:
    """The token a bearer request presents, if it opens the API, with its use noted; None for
    any token that does not. Every bearer-authenticated request goes through here."""
    token = api_token_live(raw_token)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _as_student(person: Person) -> Person | None:
    """`person` when they are or were a student, for an entry that is then about them (and
    found, and renamed, with their record); None for staff and guardians."""
    is_student = RoleAssignment.objects.filter(person=person, role=Role.STUDENT).exists()
    return person if is_student else None


@transaction.atomic
def api_token_revoke(*, actor: Person, token: ApiToken) -> ApiToken:
    """End a token now: by its owner, an admin of its owner's district, or a site admin.

    Revoking a revoked token changes nothing and records nothing."""
    if not can_revoke_token(actor, token):
        raise NotVisible(f"No API token {token.uuid}.")
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if revoked:
        audit.record(
            actor=actor,
            action=audit.API_TOKEN_REVOKED,
            student=_as_student(token.person),
            district_id=token.person.district_id,
            target=token.person,
            data={"token": str(token.uuid), "person": token.person.username},
        )
    return token


@transaction.atomic
def person_sign_in_unlock(*, actor: Person, person: Person) -> int:
    """Lift the sign-in lockout of `person` at every address; how many addresses it unlocked
    (none: they were not locked out, and nothing is recorded)."""
    if not can_unlock_sign_in(actor, person):
        raise NotVisible(f"No person {person.uuid}.")
    cleared = axes_reset(username=person.username)
    if cleared:
        audit.record(
            actor=actor,
            action=audit.SIGN_IN_UNLOCKED,
            student=_as_student(person),
            district_id=person.district_id,
            target=person,
            data={"person": person.username, "addresses_unlocked": cleared},
        )
    return cleared


@transaction.atomic
def password_change_record(*, person: Person, via: str) -> int:
    """Note in the audit trail that `person` set a new password `via` a page, mark the API
    tokens it ended as revoked by them, and lift any sign-in lockout of theirs (guesses at the
    old password mean nothing now); how many tokens ended is the answer.

    The new password has ended those tokens already, on whatever path it was set
    (`ApiToken.matches_password`); this makes the account pages' changes visible in the
    trail and the admin's token list."""
    now = timezone.now()
    unlocked = axes_reset(username=person.username)
    unrevoked = ApiToken.objects.select_related("person").filter(
        person=person, revoked_at__isnull=True, expires_at__gt=now
    )
    ended = [token.pk for token in unrevoked if not token.matches_password()]
    ApiToken.objects.filter(pk__in=ended).update(revoked_at=now, revoked_by=person)
    audit.record(
        actor=person,
        action=audit.PASSWORD_CHANGED,
        district_id=person.district_id,
        target=person,
        data={
            "via": via,
            "api_tokens_ended": len(ended),
            **({"addresses_unlocked": unlocked} if unlocked else {}),
        },
    )
    return len(ended)


@transaction.atomic
def person_grant_site_admin(*, person: Person, actor: Person | None = None) -> Person:
    """Let a person use the Django admin for district setup (staff and superuser)."""
    person.is_staff = True
    person.is_superuser = True
    person.save(update_fields=["is_staff", "is_superuser"])
    audit.record(actor=actor, action=audit.SITE_ADMIN_GRANTED, target=person)
    return person


@transaction.atomic
def person_grant_district_admin_site(*, person: Person, actor: Person | None = None) -> Person:
    """Let a district admin use the Django admin for their own districts' setup: staff, not
    superuser, so the site shows them only what they administer (lib.admin.DistrictScoped)."""
    person.is_staff = True
    person.is_superuser = False
    person.save(update_fields=["is_staff", "is_superuser"])
    audit.record(
        actor=actor, action=audit.SITE_ADMIN_GRANTED, target=person, data={"superuser": False}
    )
    return person


@transaction.atomic
def roster_sync(
    *,
    roster: Roster,
    into: District | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: Person | None = None,
    rename_district: bool = False,
) -> RosterChanges:
    """Bring a district in line with a roster from its student information system.

    Matches records by sourced id and writes only what differs, so running the same roster
    again changes nothing. What the roster removes is deactivated, never deleted (students'
    demographics excepted: a row the source deleted, or a bulk file no longer lists, is
    deleted rather than kept stale). `into` is the
    district the roster must land in (it claims it if it has no sourced id yet); without it,
    the district with the roster's sourced id, or a new one. An existing district keeps its
    name unless `rename_district` takes the roster's. A dry run writes nothing and reports
    the same changes.
    """
    changes = RosterSync(
        roster, into=into, dry_run=dry_run, progress=progress, rename_district=rename_district
    ).run()
    if not dry_run:
        roles_changed()
        # One entry for the sync (the people, roles and enrolments it wrote are counted in
        # it): a district's nightly roster must not add an entry per student.
        audit.record(
            actor=actor,
            action=audit.ROSTER_SYNCED,
            district_id=changes.district.pk if changes.district else None,
            data={
                kind: dict(sorted(counts.items()))
                for kind, counts in (
                    ("created", changes.created),
                    ("updated", changes.updated),
                    ("deactivated", changes.deactivated),
                    ("removed", changes.removed),
                )
            },
        )
    return changes


ERASED_USERNAME_PREFIX = "erased-"


def identity_erased(person: Person) -> bool:
    """Whether `student_pseudonymise` has replaced this person's identity."""
    return person.username.startswith(ERASED_USERNAME_PREFIX) and not person.is_active


@transaction.atomic
def student_pseudonymise(*, student: Person) -> Pseudonymised:
    """Replace a student's identity with a pseudonym, for erasure by request; refuse with the
    reason (InvalidInput) when it would not hold. One step of `privacy.student_erase`, which
    checks who asks and records it in the audit trail.

    Names, username, email and every sourced id go; the password becomes unusable and the
    person inactive, so no one signs in as them again. Roles and enrolments are ended, not
    deleted, so sections and schools keep counting the work done there. Guardian links,
    API tokens and demographics are deleted: a guardian link names the family, as a birth
    date with sex, race and ethnicity all but does, which would say who the pseudonym is.
    The UUID and the age-grade stay: neither names anyone, and age-grade reports keep their
    counts (docs/decisions/0015).
    """
    roles = set(RoleAssignment.objects.filter(person=student).values_list("role", flat=True))
    if Role.STUDENT not in roles:
        raise InvalidInput({"student": f"{student} has never been a student here."})
    if roles != {Role.STUDENT}:
        others = ", ".join(sorted(Role(role).label.lower() for role in roles - {Role.STUDENT}))
        raise InvalidInput(
            {"student": f"{student} is also a {others}; only a student's identity is erased."}
        )
    if identity_erased(student):
        raise InvalidInput({"student": "This student's identity has already been erased."})
    if student.sourced_id and student.is_active:
        raise InvalidInput(
            {
                "student": "The roster from the student information system still lists this "
                "student: remove them there and import the roster first, or the next import "
                "would bring their identity back."
            }
        )
    code = secrets.token_hex(4)
    pseudonym = f"{ERASED_USERNAME_PREFIX}{code}"
    while Person.objects.filter(username=pseudonym).exists():
        code = secrets.token_hex(4)
        pseudonym = f"{ERASED_USERNAME_PREFIX}{code}"
    student.username = pseudonym
    student.first_name = "Erased"
    student.last_name = f"student {code}"
    student.preferred_name = ""
    student.email = ""
    student.sourced_id = ""
    student.is_active = False
    student.is_staff = False
    student.is_superuser = False
    student.set_unusable_password()
    student.save()
    RoleAssignment.objects.filter(person=student).update(active=False, sourced_id="")
    roles_changed()
    Enrollment.objects.filter(student=student).update(active=False, sourced_id="")
    GroupMembership.objects.filter(student=student, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    guardian_links_removed, _ = GuardianLink.objects.filter(student=student).delete()
    api_tokens_removed, _ = ApiToken.objects.filter(person=student).delete()
    # A birth date with sex, race and ethnicity goes a long way to saying who someone is.
    demographics_removed, _ = Demographics.objects.filter(person=student).delete()
    return Pseudonymised(
        pseudonym=pseudonym,
        guardian_links_removed=guardian_links_removed,
        api_tokens_removed=api_tokens_removed,
        demographics_removed=demographics_removed,
    )


@transaction.atomic
def mentorship_begin(
    *, actor: Person, mentor: Person, student: Person, started_on: date | None = None
) -> Mentorship:
    """Make a teacher of the student's district their mentor, from `started_on` (today by
    default): an admin of the student's school or district does it. Asking again while one
    is open gives that one back."""
    if not Person.objects.filter(administered_students_q(actor), pk=student.pk).exists():
        raise NotVisible(f"No student {student.uuid} for you to give a mentor.")
    is_teacher = RoleAssignment.objects.filter(
        person=mentor, role=Role.TEACHER, active=True, district_id=student.district_id
    ).exists()
    if not is_teacher or not mentor.is_active:
        raise InvalidInput({"mentor": "Choose a teacher of the student's district."})
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise InvalidInput({"started_on": "A mentorship starts today or earlier."})
    open_one = Mentorship.objects.filter(mentor=mentor, student=student, ended_on__isnull=True)
    if found := open_one.first():
        return found
    mentorship = Mentorship.objects.create(
        district_id=student.district_id, mentor=mentor, student=student, started_on=started_on
    )
    audit.record(
        actor=actor,
        action=audit.MENTORSHIP_CHANGED,
        student=student,
        target=mentorship,
        data={"mentor": str(mentor), "started_on": started_on.isoformat()},
    )
    return mentorship


@transaction.atomic
def mentorship_end(
    *, actor: Person, mentorship: Mentorship, ended_on: date | None = None
) -> Mentorship:
    """The mentorship ends (kept, with its dates): the mentor no longer sees the student
    through it. An admin of the student's school or district ends it."""
    student = mentorship.student
    if not Person.objects.filter(administered_students_q(actor), pk=student.pk).exists():
        raise NotVisible(f"No mentorship {mentorship.uuid}.")
    ended_on = ended_on or timezone.localdate()
    if mentorship.ended_on is not None:
        raise InvalidInput({"mentorship": "This mentorship has ended already."})
    if ended_on < mentorship.started_on:
        raise InvalidInput({"ended_on": "A mentorship ends on or after the day it started."})
    mentorship.ended_on = ended_on
    mentorship.save(update_fields=["ended_on"])
    audit.record(
        actor=actor,
        action=audit.MENTORSHIP_CHANGED,
        student=student,
        target=mentorship,
        data={"mentor": str(mentorship.mentor), "ended_on": ended_on.isoformat()},
    )
    return mentorship


def person_language_set(*, person: Person, language: str) -> None:
    """The language the person chose for Proficio's pages (the caller checked it is one)."""
    Person.objects.filter(pk=person.pk).update(language=language)
    person.language = language
