"""What an LTI launch means in Proficio: who signs in (a person of the platform's district,
matched by sourcedId or address), which section the LMS course is (its roster, read through
Names and Roles Provisioning, matched to the teacher's sections), and what the link opens
(a task or a competency a teacher placed by deep linking)."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiContext, LtiLaunch, LtiMembership, LtiUser
from lti_tool.utils import sync_data_from_launch
from pylti1p3.exception import LtiException

from proficio.audit import api as audit
from proficio.frameworks.api import district_competencies
from proficio.lib.errors import ProficioError
from proficio.lti.models import Placement, Platform, SectionLink
from proficio.lti.services import section_link
from proficio.people.api import (
    Person,
    Section,
    district_person_signing_in,
    district_students_by_email,
    district_students_named,
    person_signs_in_by_launch,
    sections_students,
    sections_taught_by,
)
from proficio.work.api import district_tasks

# A teacher's launch reads the course's roster again once this long has passed: students
# who joined the course since get their scores without launching first.
ROSTER_FRESH = timedelta(days=1)
CUSTOM_TASK = "proficio_task"
PLACEMENT_SALT = "proficio.lti.placement"
CUSTOM_COMPETENCY = "proficio_competency"
LIS_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/lis"


class LaunchRefused(ProficioError):
    """A launch that signs no one in, with the reason the person in the LMS reads."""


@dataclass(frozen=True)
class Launched:
    person: Person
    platform: Platform
    section: Section | None  # None: a teacher whose course matches no section yet
    placement: Placement | None
    is_teacher: bool


def platform_of(launch: LtiLaunch) -> Platform:
    return Platform.objects.select_related("district", "registration").get(
        registration=launch.registration
    )


def _roles(roles: list[str]) -> set[str]:
    return {normalize_role(role) for role in roles or []}


def _person(platform: Platform, lti_user: LtiUser, launch: LtiLaunch) -> Person:
    """The person the launch signs in: the one its LMS user was matched to before, if the
    same rules still let them in; else the district's one person with its sourcedId or
    address."""
    if lti_user.auth_user_id is not None and person_signs_in_by_launch(
        person_id=lti_user.auth_user_id, district_id=platform.district_id
    ):
        return lti_user.auth_user
    lis = launch.get_claim(LIS_CLAIM) or {}
    person = district_person_signing_in(
        district_id=platform.district_id,
        email=lti_user.email,
        sourced_id=str(lis.get("person_sourcedid") or ""),
    )
    if person is None:
        raise LaunchRefused(
            _(
                "Proficio has no account for %(who)s in %(district)s, or more than one. "
                "Ask the district's Proficio admin to add you with the address you use in "
                "%(lms)s."
            )
            % {
                "who": lti_user.email or lti_user.name or _("you"),
                "district": platform.district.name,
                "lms": platform.registration.name,
            }
        )
    lti_user.auth_user = person
    lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return person


def _students_by_member(platform: Platform, members: list[dict]) -> dict[str, Person]:
    """The district's student each learner of the LMS roster is, by LTI user id: by
    sourcedId first, then by address; a member two students could be is left out."""
    learners = [
        member
        for member in members
        if ContextRole.LEARNER in _roles(member.get("roles", []))
        and member.get("status", "Active") == "Active"
        and member.get("user_id")
    ]
    named = district_students_named(
        district_id=platform.district_id,
        identifiers={str(m.get("lis_person_sourcedid") or "") for m in learners} - {""},
    )
    by_email = district_students_by_email(
        district_id=platform.district_id,
        emails={str(m.get("email") or "").lower() for m in learners} - {""},
    )
    found = {}
    for member in learners:
        candidates = named.get(str(member.get("lis_person_sourcedid") or ""), []) or by_email.get(
            str(member.get("email") or "").lower(), []
        )
        if len(candidates) == 1:
            found[str(member["user_id"])] = candidates[0]
    return found


def _roster_students(
    launch: LtiLaunch, platform: Platform, context: LtiContext
) -> dict[str, Person]:
    """The course's learners who are the district's students, by LTI user id, each recorded
    as a user of the registration and a learner of the course (so scores can reach them
    before they ever launch). Empty when the LMS offers no roster or does not answer."""
    if not launch.nrps_claim:
        return {}
    try:
        members = launch.get_message_launch().get_nrps().get_members()
    except (LtiException, OSError, ValueError):
        return {}
    students = _students_by_member(platform, members)
    for member in members:
        student = students.get(str(member.get("user_id")))
        if student is None:
            continue
        lti_user, _created = LtiUser.objects.update_or_create(
            registration=platform.registration,
            sub=str(member["user_id"]),
            defaults={
                "auth_user": student,
                "email": str(member.get("email") or "")[:254],
                "name": str(member.get("name") or "")[:500],
            },
        )
        LtiMembership.objects.update_or_create(
            user=lti_user, context=context, defaults={"is_learner": True, "is_active": True}
        )
    return students


def _section_by_roster(
    teacher: Person, launch: LtiLaunch, platform: Platform, context: LtiContext
) -> Section | None:
    """The teacher's section that holds most of the course's learners, if one clearly does
    (more than any other, and at least half of those the district knows)."""
    taught = list(sections_taught_by(teacher))
    if not taught:
        return None
    students = {student.pk for student in _roster_students(launch, platform, context).values()}
    if not students:
        return None
    overlap: Counter[int] = Counter()
    for section in taught:
        enrolled = set(
            sections_students(user=teacher, sections=[section]).values_list("pk", flat=True)
        )
        overlap[section.pk] = len(enrolled & students)
    ranked = overlap.most_common(2)
    best_pk, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best == 0 or best == runner_up or best * 2 < len(students):
        return None
    return next(section for section in taught if section.pk == best_pk)


def placement_sign(uuid: str, teacher: Person) -> str:
    """A deep link's custom parameter: what it places and who placed it, signed."""
    return signing.dumps([uuid, teacher.pk], salt=PLACEMENT_SALT, compress=True)


def _placed(value: str | None) -> str | None:
    """The uuid a custom parameter Proficio signed places; None for any other value."""
    if not value:
        return None
    try:
        uuid, _teacher = signing.loads(value, salt=PLACEMENT_SALT)
        return str(UUID(str(uuid)))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _placement(launch: LtiLaunch, platform: Platform) -> Placement | None:
    if not launch.is_resource_launch:
        return None
    task_id = _placed(launch.get_custom_claim(CUSTOM_TASK))
    competency_id = _placed(launch.get_custom_claim(CUSTOM_COMPETENCY))
    task = competency = None
    if task_id:
        task = district_tasks(platform.district_id).filter(uuid=task_id).first()
    if competency_id:
        competency = district_competencies(platform.district_id).filter(uuid=competency_id).first()
    if task is None and competency is None:
        return None
    ags = launch.ags_claim or {}
    placement, _created = Placement.objects.update_or_create(
        resource_link=launch.resource_link,
        defaults={
            "task": task,
            "competency": competency,
            "lineitem_url": str(ags.get("lineitem") or "")[:1000],
        },
    )
    return placement


@transaction.atomic
def launch_accept(*, launch: LtiLaunch) -> Launched:
    """Record what the launch says (django-lti's tables), then decide who it signs in, the
    section and what it opens."""
    platform = platform_of(launch)
    sync_data_from_launch(launch)
    person = _person(platform, launch.user, launch)
    roles = _roles(launch.roles_claim)
    is_teacher = (
        bool(
            roles
            & {ContextRole.INSTRUCTOR, ContextRole.ADMINISTRATOR, ContextRole.CONTENT_DEVELOPER}
        )
        and sections_taught_by(person).exists()
    )
    context = launch.context if launch.context_claim else None
    section = None
    if context is not None:
        link = SectionLink.objects.select_related("section").filter(context=context).first()
        if link is None and is_teacher:
            section = _section_by_roster(person, launch, platform, context)
            if section is not None:
                link = section_link(actor=person, context=context, section=section, how="roster")
                link.roster_read_at = timezone.now()
                link.save(update_fields=["roster_read_at"])
        elif link is not None:
            section = link.section
            stale = (
                link.roster_read_at is None or link.roster_read_at < timezone.now() - ROSTER_FRESH
            )
            if is_teacher and stale:
                _roster_students(launch, platform, context)
                link.roster_read_at = timezone.now()
                link.save(update_fields=["roster_read_at"])
    audit.record(
        actor=person,
        action=audit.LTI_SIGNED_IN,
        district_id=platform.district_id,
        target=platform,
        data={"lms": platform.registration.name, "course": context.title if context else ""},
    )
    return Launched(
        person=person,
        platform=platform,
        section=section,
        placement=_placement(launch, platform),
        is_teacher=is_teacher,
    )
