"""Every URL pattern of the project, asked for by every role about things out of that role's reach.

The walker reads the patterns from Django's resolver (pages, the JSON API, CASE REST, the
admin), so a URL added tomorrow is walked tomorrow. Each is requested with GET and POST by
each role, its parameters filled with objects that belong to another user, another school
or another district, and must be refused: 404 or 403, a redirect to a sign-in page, 401 from
the APIs, or 405 for a method it does not take. A pattern the walker cannot fill fails
`test_every_url_pattern_is_covered` with what to add.

Three tables say what the walker needs to know, keyed by URL name (or route, when the
pattern has none):
- OPEN: patterns anyone may use, with the reason (signing in, the API's description).
- OPENS_FOR: patterns with no object in their address, and the roles they open for; every
  other role must be refused. The roles listed must get an answer that is not a server error.
- OUT_OF_REACH (and BODIES for the JSON API's writes): how to fill each parameter with an
  object out of reach, from a `Hidden` bundle. A bundle lacks what does not exist at its
  distance (competencies belong to a whole district, so only another district's are out of
  a district member's reach); a pattern is walked at the distances where it can be filled.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from proficio.agency.conferences import conference_draft, conference_record, conference_share
from proficio.agency.models import CheckIn, Conference, Goal, PortfolioPiece
from proficio.agency.services import check_in_record, goal_write, piece_add
from proficio.audit.models import AuditEntry
from proficio.calibration.models import (
    CalibrationSession,
    Exemplar,
    ExemplarFile,
    PieceFile,
    SessionPiece,
)
from proficio.calibration.services import (
    PieceSpec,
    exemplar_confirm,
    exemplar_propose,
    session_open,
)
from proficio.config.api import api
from proficio.evidence.models import Evidence, EvidenceFile
from proficio.frameworks.models import (
    Competency,
    Course,
    Framework,
    Stage,
    Standard,
    StandardAssociation,
)
from proficio.frameworks.services import course_create, framework_create, scale_create
from proficio.interop.importers import ROSTER
from proficio.mastery.data import PolicyDraft
from proficio.mastery.models import (
    MasteryRecord,
    PaceExpectation,
    PolicyPreviewRun,
    RecomputeRun,
    WorkingStage,
)
from proficio.mastery.services import evidence_record, policy_change
from proficio.pathways.advancement import advancement_accelerate
from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.groups import group_write
from proficio.pathways.models import Advancement, FlexibleGroup, Playlist, Support
from proficio.pathways.services import playlist_create
from proficio.pathways.supports import support_record
from proficio.people.models import (
    ApiToken,
    GuardianLink,
    Mentorship,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
)
from proficio.people.services import (
    api_token_issue,
    district_create,
    guardian_link,
    mentorship_begin,
    person_grant_district_admin_site,
    school_create,
    section_create,
    section_enroll,
)
from proficio.reports.credentials import record_link_create
from proficio.reports.models import IssuedTranscript, RecordLink, ReportBatch
from proficio.reports.transcripts import transcript_issue
from proficio.work.data import Alignment
from proficio.work.models import RevisionFile, Submission, Task
from proficio.work.services import resources_add, revision_save, task_assign, task_create
from tests.factories import FOUR_LEVELS, World, make_competency, make_person

pytestmark = pytest.mark.django_db

# ---- who asks, and what is out of their reach

ANONYMOUS = "anonymous"
# Each role of the world, and the person of `World` who plays it.
PLAYED_BY = {
    "student": "student",
    "guardian": "guardian",
    "teacher": "teacher",
    "school_admin": "school_admin",
    "district_admin": "district_admin",
    # The same district admin given the Django admin for their district's setup (as the demo's
    # `admin` is): staff, never superuser, so the admin site is scoped to their district too.
    "district_admin_on_admin_site": "district_admin",
    "other_district": "other_district_teacher",
}
ROLES = (ANONYMOUS, *PLAYED_BY)
DISTRICT_ADMINS = frozenset({"district_admin", "district_admin_on_admin_site"})
SIGNED_IN = frozenset(PLAYED_BY)
# Everyone who writes tasks for their own district, the other district's teacher included.
STAFF = frozenset({"teacher", "school_admin", "other_district"} | DISTRICT_ADMINS)

ANOTHER_USER, ANOTHER_SCHOOL, ANOTHER_DISTRICT = (
    "another user",
    "another school",
    "another district",
)
# The distances at which a role's reach ends: a school admin reaches every student of their
# school, a district admin every one of their district. For the other district's teacher the
# world's district is another district at every distance.
DISTANCES = {
    ANONYMOUS: (ANOTHER_USER, ANOTHER_SCHOOL, ANOTHER_DISTRICT),
    "student": (ANOTHER_USER, ANOTHER_SCHOOL, ANOTHER_DISTRICT),
    "guardian": (ANOTHER_USER, ANOTHER_SCHOOL, ANOTHER_DISTRICT),
    "teacher": (ANOTHER_USER, ANOTHER_SCHOOL, ANOTHER_DISTRICT),
    "school_admin": (ANOTHER_SCHOOL, ANOTHER_DISTRICT),
    "district_admin": (ANOTHER_DISTRICT,),
    "district_admin_on_admin_site": (ANOTHER_DISTRICT,),
    "other_district": (ANOTHER_USER, ANOTHER_SCHOOL, ANOTHER_DISTRICT),
}


@dataclass
class Hidden:
    """Objects out of reach at one distance; None where no such thing exists at it."""

    student: Person
    section: Section
    upload_owner: Person
    competency: Competency | None = None
    framework: Framework | None = None
    standard: Standard | None = None
    association: StandardAssociation | None = None
    recompute_run: RecomputeRun | None = None
    policy_preview_run: PolicyPreviewRun | None = None
    course: Course | None = None
    evidence: Evidence | None = None
    task: Task | None = None
    submission: Submission | None = None
    revision_file: RevisionFile | None = None
    evidence_file: EvidenceFile | None = None
    playlist: Playlist | None = None
    advancement: Advancement | None = None
    support: Support | None = None
    group: FlexibleGroup | None = None
    goal: Goal | None = None
    check_in: CheckIn | None = None
    mentorship: Mentorship | None = None
    piece: PortfolioPiece | None = None
    conference: Conference | None = None
    exemplar: Exemplar | None = None
    exemplar_file: ExemplarFile | None = None
    calibration_session: CalibrationSession | None = None
    session_piece: SessionPiece | None = None
    piece_file: PieceFile | None = None
    issued_transcript: IssuedTranscript | None = None
    report_batch: ReportBatch | None = None
    record_link: RecordLink | None = None
    # For the admin's object pages: one row of each registered model.
    admin_rows: dict[type[Model], Model] = field(default_factory=dict)


def build_hidden_district() -> Hidden:
    """A third district no role of the world belongs to, with one of everything in it."""
    district = district_create(name="Faraway")
    school = school_create(district=district, name="Faraway Academy")
    scale = scale_create(district=district, name="Faraway levels", levels=FOUR_LEVELS)
    framework = framework_create(district=district, code="FA", title="Faraway writing", scale=scale)
    competency = make_competency(framework, "F1")
    admin = make_person(district, "farawayadmin", Role.DISTRICT_ADMIN, None)
    teacher = make_person(district, "farawayteacher", Role.TEACHER, school)
    student = make_person(district, "farawaystudent", Role.STUDENT, school)
    guardian = make_person(district, "farawayguardian", Role.GUARDIAN, None)
    guardian_link(guardian=guardian, student=student)
    api_token_issue(person=student)
    section = section_create(school=school, name="Faraway studio", teachers=[teacher])
    section_enroll(section=section, student=student)
    evidence = evidence_record(
        assessor=teacher,
        student=student,
        competency=competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=1),
        source="observation",
    )
    policy = policy_change(
        actor=admin,
        draft=PolicyDraft(
            district=district, method="mean", parameters={}, minimum_evidence=1, threshold="3"
        ),
    )
    standard = Standard.objects.create(
        framework=framework, identifier=uuid4(), full_statement="Writes at a distance."
    )
    course = course_create(district=district, code="FC", title="Faraway course", targets=[])
    association = StandardAssociation.objects.create(
        framework=framework,
        identifier=uuid4(),
        association_type="isChildOf",
        origin_identifier=str(standard.identifier),
        destination_identifier=str(framework.uuid),
        origin=standard,
    )
    task_result = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="proficio.mastery.tasks.recompute",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    rows: list[Model] = [
        district,
        school,
        student,
        RoleAssignment.objects.filter(person=student).first(),
        GuardianLink.objects.filter(student=student).first(),
        section,
        scale,
        framework,
        competency,
        Stage.objects.filter(competency=competency).first(),
        course,
        evidence,
        policy,
        MasteryRecord.objects.filter(student=student).first(),
        WorkingStage.objects.filter(student=student).first(),
        PaceExpectation.objects.create(district=district),
        AuditEntry.objects.filter(student=student).first(),
        Group.objects.create(name="Faraway helpers"),
        task_result,
        *_sign_in_records(admin),
        ApiToken.objects.get(person=student),
    ]
    task = task_create(
        author=teacher,
        title="A faraway task",
        alignments=[Alignment(competency=competency, stage=1)],
        options=["A faraway way"],
    )
    task_assign(actor=teacher, task=task, section=section)
    resources_add(
        actor=teacher, task=task, files=[SimpleUploadedFile("far.txt", b"A faraway reading.")]
    )
    revision = revision_save(
        student=student,
        task=task,
        text="Far",
        submit=True,
        files=[SimpleUploadedFile("far.pdf", b"%PDF-1.7\n%far away\n")],
    )
    return Hidden(
        student=student,
        section=section,
        upload_owner=admin,
        competency=competency,
        framework=framework,
        standard=standard,
        association=association,
        recompute_run=RecomputeRun.objects.filter(policy=policy).first(),
        policy_preview_run=PolicyPreviewRun.objects.create(
            requested_by=admin, district=district, proposal={}
        ),
        course=course,
        evidence=evidence,
        task=task,
        submission=revision.submission,
        revision_file=revision.files.get(),
        evidence_file=evidence_record(
            assessor=teacher,
            student=student,
            competency=competency,
            stage=1,
            level=Decimal(2),
            observed_at=timezone.now() - timedelta(days=2),
            source="observation",
            files=[SimpleUploadedFile("far.pdf", b"%PDF-1.7\n%far away\n")],
        ).files.get(),
        advancement=_accelerated(teacher, student, district),
        group=group_write(
            actor=teacher,
            stage=Stage.objects.filter(competency=competency, ordinal=1).get(),
            name="Faraway group",
            students=[student],
        ),
        support=support_record(
            actor=teacher,
            student=student,
            kind="tutoring",
            description="Faraway tutoring",
            starts_on=timezone.localdate(),
        ),
        playlist=playlist_create(
            author=teacher,
            stage=StageRef(competency, 1),
            title="A faraway playlist",
            items=[ItemDraft(kind="reading", title="A faraway reading")],
        ),
        admin_rows={type(row): row for row in rows if row is not None},
        **_agency_of(student, mentor=teacher, admin=admin),
        issued_transcript=transcript_issue(actor=admin, student=student),
        report_batch=_batch_of(teacher, section),
        record_link=record_link_create(actor=student, student=student),
        **_calibration_of(
            teacher,
            make_person(district, "farawaycolleague", Role.TEACHER, school),
            school=school,
            competency=competency,
            student=student,
            shared_exemplar=True,
        ),
    )


def _agency_of(student: Person, *, mentor: Person, admin: Person) -> dict[str, Any]:
    """A goal of the student with a step, their mentorship and a check-in."""
    goal = goal_write(actor=student, student=student, title="A hidden goal", steps=["A step"])
    mentorship = mentorship_begin(actor=admin, mentor=mentor, student=student)
    check_in = check_in_record(
        mentor=mentor, student=student, happened_on=timezone.localdate(), notes="Hidden."
    )
    piece = piece_add(
        student=student,
        title="A hidden piece",
        upload=SimpleUploadedFile("hidden.pdf", b"%PDF-1.7\n%hidden\n"),
        shared_with_family=True,
    )
    conference = conference_draft(student=student)
    conference_share(student=student, conference=conference)
    conference_record(
        actor=mentor, conference=conference, notes="Hidden.", next_steps=["A hidden step"]
    )
    return {
        "goal": goal,
        "check_in": check_in,
        "mentorship": mentorship,
        "piece": piece,
        "conference": conference,
    }


def _calibration_of(
    facilitator: Person,
    colleague: Person,
    *,
    school: School,
    competency,
    student: Person,
    shared_exemplar: bool,
) -> dict[str, Any]:
    """A session of two teachers of `school` (neither the walker's), on three copies of an
    exemplar; the exemplar too where its whole district is out of reach (within a district,
    every teacher reads its exemplars)."""
    exemplar = exemplar_propose(
        actor=facilitator,
        student=student,
        upload=SimpleUploadedFile("hidden.txt", b"Hidden work."),
        competency=competency,
        stage=1,
        level=Decimal(3),
        title="A hidden exemplar",
        annotation="Hidden.",
        consent="policy",
    )
    exemplar_confirm(actor=colleague, exemplar=exemplar, anonymised=True)
    session = session_open(
        actor=facilitator,
        title="A hidden session",
        school=school,
        pieces=[PieceSpec(competency=competency, stage=1, exemplar=exemplar)] * 3,
        raters=[facilitator, colleague],
    )
    piece = session.pieces.first()
    found = {
        "calibration_session": session,
        "session_piece": piece,
        "piece_file": piece.files.get(),
    }
    if shared_exemplar:
        found.update(exemplar=exemplar, exemplar_file=exemplar.files.get())
    return found


def _batch_of(requested_by: Person, section: Section) -> ReportBatch:
    """A batch of progress reports someone else asked for, finished."""
    return ReportBatch.objects.create(
        district_id=section.school.district_id,
        requested_by=requested_by,
        section=section,
        enqueued_at=timezone.now(),
        state="done",
    )


def _accelerated(teacher: Person, student: Person, district) -> Advancement:
    """An advancement of the faraway student, from a section with a course."""
    section = Section.objects.get(name="Faraway studio")
    section.course = course_create(district=district, code="FC2", title="Far course", targets=[])
    section.save()
    return advancement_accelerate(actor=teacher, student=student, note="Far ahead.")


def _sign_in_records(person: Person) -> list[Model]:
    """django-axes' rows about one person's sign-ins: an attempt, a failure, a session."""
    seen = {"username": person.username, "user_agent": "walker", "http_accept": "*/*"}
    return [
        AccessAttempt.objects.create(
            **seen, path_info="/accounts/login/", get_data="", post_data="", failures_since_start=1
        ),
        AccessFailureLog.objects.create(**seen, path_info="/accounts/login/"),
        AccessLog.objects.create(**seen, path_info="/accounts/login/"),
    ]


def hidden_at(world: World, faraway: Hidden) -> dict[str, Hidden]:
    far_section = Section.objects.get(name="Studio C")

    def preview_by_district_admin(school: School | None) -> PolicyPreviewRun:
        return PolicyPreviewRun.objects.create(
            requested_by=world.district_admin, district=world.district, school=school, proposal={}
        )

    far_teacher = make_person(world.district, "farteacher", Role.TEACHER, world.other_school)
    return {
        # The student of another teacher of the same school, in their section; an upload
        # of someone else.
        ANOTHER_USER: Hidden(
            student=world.other_student,
            section=world.other_section,
            upload_owner=world.district_admin,
            policy_preview_run=preview_by_district_admin(world.school),
            **_agency_of(
                world.other_student, mentor=world.other_teacher, admin=world.district_admin
            ),
            issued_transcript=transcript_issue(
                actor=world.district_admin, student=world.other_student
            ),
            report_batch=_batch_of(world.other_teacher, world.other_section),
            record_link=record_link_create(actor=world.other_student, student=world.other_student),
            **_calibration_of(
                world.other_teacher,
                make_person(world.district, "northcolleague", Role.TEACHER, world.school),
                school=world.school,
                competency=world.competency,
                student=world.other_student,
                shared_exemplar=False,
            ),
        ),
        ANOTHER_SCHOOL: Hidden(
            student=world.far_student,
            section=far_section,
            upload_owner=world.district_admin,
            policy_preview_run=preview_by_district_admin(world.other_school),
            **_agency_of(world.far_student, mentor=far_teacher, admin=world.district_admin),
            issued_transcript=transcript_issue(
                actor=world.district_admin, student=world.far_student
            ),
            report_batch=_batch_of(far_teacher, far_section),
            record_link=record_link_create(actor=world.far_student, student=world.far_student),
            **_calibration_of(
                far_teacher,
                make_person(world.district, "southcolleague", Role.TEACHER, world.other_school),
                school=world.other_school,
                competency=world.competency,
                student=world.far_student,
                shared_exemplar=False,
            ),
        ),
        ANOTHER_DISTRICT: faraway,
    }


# ---- what the walker knows about each pattern

OPEN = {
    "login": "signing in",
    "logout": "signing out ends whatever session there is",
    "admin:login": "signing in to the admin",
    "admin:logout": "signing out of the admin",
    "api:token_create": "signing in to the API: username and password in, token out",
    "api:openapi-json": "the API's description: paths and schemas, no data",
    "api:openapi-view": "the API's documentation page, drawn from openapi.json",
    "password_reset": "asking for a reset link; the page answers alike for every address",
    "password_reset_done": "the same words after every request for a link",
    "password_reset_confirm": "a reset link: only the token mailed to the account opens it",
    "password_reset_complete": "says the new password is set, and links to sign in",
    "language": "choosing the pages' language: a cookie, and the signed-in person's own choice",
    "reports:verify": "checking a transcript's code: says whether it was issued, nothing else",
    "records:jwks": "the issuer's public keys, which verify a learner record: no one's data",
    "records:issuer": "a district's profile as the issuer of learner records: its name and address",
    "records:verify": "checking a learner record's signature or link: valid or not, and why",
    "records:shared": "a learner record its student shared: only the link's unguessable code opens "
    "it, until it ends or the student revokes it (a wrong code is a 404: tests/reports)",
    "lrs:about": "the xAPI versions the store speaks, which a tool asks before it has credentials",
    "lti:jwks": "the LTI tool's public keys, with which an LMS checks what it signs: no one's data",
    "lti:login": "an LMS starting a launch: a page that checks the browser keeps cookies, then "
    "the LMS's own sign-in (the launch it answers with is checked: tests/lti)",
}

# The admin's pages that name no object: its index and each model's list and add pages.
# Only the district admin given the admin site is let in; it shows them their district alone.
ADMIN_PAGES = frozenset(
    {
        "admin:index",
        "admin:app_list",
        "admin:password_change",
        "admin:password_change_done",
        "admin:autocomplete",
        "admin:jsi18n",
        "admin/(?P<url>.*)$",
    }
)
ADMIN_MODEL_PAGE = re.compile(r"^admin:\w+_(changelist|add)$")

OPENS_FOR: dict[str, frozenset[str]] = {
    # The xAPI store answers a learning tool's HTTP Basic credentials alone: no person's
    # session or API token opens it (a tool's reach: tests/lrs).
    **{
        f"lrs:{name}": frozenset()
        for name in (
            "statements",
            "activity_state",
            "activity_profile",
            "activities",
            "agent_profile",
            "agents",
        )
    },
    # A district's admins give learning tools credentials for its xAPI store.
    "lrs_pages:tools": DISTRICT_ADMINS,
    "lrs_pages:mapping": DISTRICT_ADMINS,
    # A district's admins register its LMS; the launch is a signed POST from it, and the pages
    # a launch opens need that launch in the session (tests/lti).
    "lti:platforms": DISTRICT_ADMINS,
    "lti:launch": frozenset(),
    "lti:deep_link": frozenset(),
    "lti:section": frozenset(),
    "lti:register": frozenset(),
    # A district's admins subscribe its own systems to its events (tests/webhooks).
    "webhooks:page": DISTRICT_ADMINS,
    "home": SIGNED_IN,
    "guardian_home": frozenset({"guardian"}),
    "audit": DISTRICT_ADMINS,
    "audit_export": DISTRICT_ADMINS,
    # Finding a student to export or erase lists only those the admin answers for.
    "privacy:requests": DISTRICT_ADMINS | {"school_admin"},
    # Each person's own account: their password and their API tokens.
    "account": SIGNED_IN,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    # Every signed-in person sees the policies that govern their district's mastery; only the
    # admins may change them (the service decides).
    "mastery:policies": SIGNED_IN,
    "mastery:policy_form": SIGNED_IN,
    "mastery:policy_preview": SIGNED_IN,
    "interop:frameworks": SIGNED_IN,
    "interop:framework_template": DISTRICT_ADMINS,
    "interop:framework_template_file": DISTRICT_ADMINS,
    "interop:oneroster_upload": DISTRICT_ADMINS,
    "interop:case_import": DISTRICT_ADMINS,
    "interop:case_confirm": DISTRICT_ADMINS,
    "interop:spreadsheet_import": DISTRICT_ADMINS,
    "interop:spreadsheet_confirm": DISTRICT_ADMINS,
    # Standardized results: the district's mapping and the import, for its admins (a rule to
    # remove is named in the form, and another district's is a 404: tests/interop).
    "interop:results_mapping": DISTRICT_ADMINS,
    "interop:results_import": DISTRICT_ADMINS,
    "interop:results_confirm": DISTRICT_ADMINS,
    # The results for the student information system: the admins, each of what they answer for.
    "interop:oneroster_results": DISTRICT_ADMINS | {"school_admin"},
    "interop:oneroster_results_file": DISTRICT_ADMINS | {"school_admin"},
    # The JSON API's own lists answer every signed-in caller with what is theirs to see.
    "api:api-root": frozenset(),
    # The first-run setup page exists only while the installation has no district: once
    # one does (as in every walk), it is gone for everyone (tests/onboarding covers before).
    "onboarding:setup": frozenset(),
    # Everyone signed in reads the district's courses; only its admins write them.
    "frameworks:courses": SIGNED_IN,
    "frameworks:course_new": DISTRICT_ADMINS,
    "frameworks:framework_new": DISTRICT_ADMINS,
    "frameworks:scales": DISTRICT_ADMINS,
    "frameworks:scale_new": DISTRICT_ADMINS,
    "api:me_get": SIGNED_IN,
    "api:student_list": SIGNED_IN,
    "api:competency_list": SIGNED_IN,
    # A student's work, or (for staff) where tasks are written; guardians read work from
    # their children's pages.
    "work:home": SIGNED_IN - {"guardian"},
    "work:tasks": STAFF,
    "work:task_new": STAFF,
    "work:review_queue": STAFF,
    # A student's own next steps; staff write playlists (their district's, and the library).
    "pathways:next_steps": frozenset({"student"}),
    "pathways:playlists": STAFF,
    "pathways:today": STAFF,
    "pathways:groups": STAFF,
    # The district's design choice: its admins alone.
    "pathways:gate": DISTRICT_ADMINS,
    "pathways:group_sizes": DISTRICT_ADMINS,
    "agency:family_settings": DISTRICT_ADMINS,
    "reports:transcript_format": DISTRICT_ADMINS,
    # A student's own goals; a teacher's mentees; the admins' page of mentors.
    "agency:goals": frozenset({"student"}),
    "agency:goal_new": frozenset({"student"}),
    "agency:portfolio": frozenset({"student"}),
    "agency:conferences": frozenset({"student"}),
    "agency:conference_new": frozenset({"student"}),
    "agency:piece_new": frozenset({"student"}),
    "agency:mentoring": frozenset({"teacher", "other_district"}),
    "agency:digest_choice": frozenset({"guardian"}),
    "agency:mentors": DISTRICT_ADMINS | {"school_admin"},
    "agency:cadence": DISTRICT_ADMINS | {"school_admin"},
    "api:task_list": SIGNED_IN,
    "api:playlist_list": SIGNED_IN,
    "api:group_list": SIGNED_IN,
    "api:task_post": SIGNED_IN,
    # A goal is the caller's own (a mentor's for their mentee); mentees are the caller's own.
    "api:goal_post": SIGNED_IN,
    "api:mentoring": SIGNED_IN,
    "api:portfolio_post": SIGNED_IN,
    "api:conference_post": frozenset({"student"}),
    # Calibration is for the district's staff; a student reads the exemplars of their stages;
    # everyone's drift is for admins, the district's settings for its admins.
    "calibration:home": STAFF,
    "calibration:library": STAFF,
    "calibration:exemplar_new": STAFF,
    "calibration:session_new": STAFF,
    "calibration:drift": STAFF,
    "calibration:examples": frozenset({"student"}),
    "calibration:everyone_drift": DISTRICT_ADMINS | {"school_admin"},
    "calibration:settings": DISTRICT_ADMINS,
    # The API's calibration lists and writes answer each caller with what is theirs (a
    # student's exemplars of their stages; staff's sessions; drift for staff and admins).
    "api:exemplar_list": SIGNED_IN,
    "api:exemplar_post": SIGNED_IN,
    "api:calibration_session_list": SIGNED_IN,
    "api:calibration_session_post": SIGNED_IN,
    "api:calibration_drift": SIGNED_IN,
    "api:calibration_drift_teachers": SIGNED_IN,
    # The design choices and the implementation plan: read by staff; credits by the
    # district's admins, who define them.
    "reports:design": STAFF,
    "reports:implementation": STAFF,
    "reports:credits": DISTRICT_ADMINS,
    # Batches of progress reports: a staff member's own list, and asking for one (a section
    # or school that is theirs; with none named, refused to everyone).
    "reports:batches": STAFF,
    # The school dashboard and its equity view: school admins for their schools, district
    # admins for the district or any school of it.
    "reports:dashboard": DISTRICT_ADMINS | {"school_admin"},
    "reports:dashboard_equity": DISTRICT_ADMINS | {"school_admin"},
    "reports:implementation_dashboard": DISTRICT_ADMINS | {"school_admin"},
    # The age-grade bridge: a school's for its admins, a list of their sections for teachers.
    "reports:bridge": STAFF,
    "reports:batch_new": STAFF,
    "api:token_list": SIGNED_IN,
    "api:token_revoke_current": SIGNED_IN,
    "case:documents": SIGNED_IN,
    **dict.fromkeys(ADMIN_PAGES, frozenset({"district_admin_on_admin_site"})),
}


def opens_for(key: str) -> frozenset[str] | None:
    """The roles a page with no object in its address opens for; None if it is not listed."""
    if ADMIN_MODEL_PAGE.match(key):
        return frozenset({"district_admin_on_admin_site"})
    return OPENS_FOR.get(key)


# Values that name no object, so need no owner (the pattern's roles are in OPENS_FOR).
FIXED = {
    ("interop:framework_template_file", "extension"): "xlsx",
    ("interop:framework_spreadsheet", "extension"): "xlsx",
    ("admin:app_list", "app_label"): "people",
    ("admin/(?P<url>.*)$", "url"): "nowhere/",
    # A dynamic registration address no admin made.
    ("lti:register", "token"): "not-a-token-anyone-was-given",
}


def _upload_token(importer) -> Callable[[Hidden], str]:
    return lambda hidden: importer.shelf.keep(
        SimpleUploadedFile("kept.zip", b"someone else's upload"), str(hidden.upload_owner.pk)
    )


def _token_of(hidden: Hidden) -> Any:
    api_token_issue(person=hidden.student)
    return ApiToken.objects.filter(person=hidden.student).latest("pk").uuid


def _uuid_of(attribute: str) -> Callable[[Hidden], Any]:
    def value(hidden: Hidden) -> Any:
        found = getattr(hidden, attribute)
        return None if found is None else found.uuid

    return value


def _identifier_of(attribute: str) -> Callable[[Hidden], Any]:
    def value(hidden: Hidden) -> Any:
        found = getattr(hidden, attribute)
        return None if found is None else found.identifier

    return value


OUT_OF_REACH: dict[tuple[str, str], Callable[[Hidden], Any]] = {
    **{
        (name, "session_id"): _uuid_of("calibration_session")
        for name in (
            "calibration:session",
            "calibration:session_rate",
            "calibration:session_reveal",
        )
    },
    **{
        (name, "piece_id"): _uuid_of("session_piece")
        for name in ("calibration:consensus", "calibration:promote")
    },
    ("calibration:piece_file", "file_id"): _uuid_of("piece_file"),
    **{
        (name, "exemplar_id"): _uuid_of("exemplar")
        for name in (
            "calibration:exemplar",
            "calibration:exemplar_confirm",
            "calibration:exemplar_withdraw",
        )
    },
    ("calibration:exemplar_file", "file_id"): _uuid_of("exemplar_file"),
    ("calibration:practice", "competency_id"): _uuid_of("competency"),
    ("reports:progress", "student_id"): _uuid_of("student"),
    ("reports:transcript", "student_id"): _uuid_of("student"),
    ("reports:transcript_issue", "student_id"): _uuid_of("student"),
    ("reports:issued", "transcript_id"): _uuid_of("issued_transcript"),
    ("records:record", "student_id"): _uuid_of("student"),
    ("records:download", "student_id"): _uuid_of("student"),
    ("records:revoke", "link_id"): _uuid_of("record_link"),
    ("reports:issued_pdf", "transcript_id"): _uuid_of("issued_transcript"),
    ("reports:batch", "batch_id"): _uuid_of("report_batch"),
    ("reports:heatmap", "section_id"): _uuid_of("section"),
    ("reports:bridge_section", "section_id"): _uuid_of("section"),
    ("reports:batch_download", "batch_id"): _uuid_of("report_batch"),
    ("reports:progress_pdf", "student_id"): _uuid_of("student"),
    **{
        (name, "session_id"): _uuid_of("calibration_session")
        for name in (
            "api:calibration_session_detail",
            "api:calibration_ratings",
            "api:calibration_ratings_post",
            "api:calibration_session_reveal",
            "api:calibration_consensus_post",
            "api:calibration_statistics",
        )
    },
    ("api:calibration_consensus_post", "piece_id"): _uuid_of("session_piece"),
    **{
        (name, "exemplar_id"): _uuid_of("exemplar")
        for name in ("api:exemplar_detail", "api:exemplar_confirm_post")
    },
    ("mastery:recompute_run", "run_id"): _uuid_of("recompute_run"),
    ("mastery:policy_preview_run", "preview_id"): _uuid_of("policy_preview_run"),
    ("mastery:gradebook", "section_id"): _uuid_of("section"),
    ("mastery:student", "student_id"): _uuid_of("student"),
    ("mastery:student_competency", "student_id"): _uuid_of("student"),
    ("mastery:student_competency", "competency_id"): _uuid_of("competency"),
    ("mastery:student_trajectory", "student_id"): _uuid_of("student"),
    ("mastery:student_trajectory", "competency_id"): _uuid_of("competency"),
    ("mastery:evidence_correct", "student_id"): _uuid_of("student"),
    ("mastery:evidence_correct", "competency_id"): _uuid_of("competency"),
    ("mastery:evidence_correct", "evidence_id"): _uuid_of("evidence"),
    ("mastery:evidence_withdraw", "student_id"): _uuid_of("student"),
    ("mastery:evidence_withdraw", "competency_id"): _uuid_of("competency"),
    ("mastery:evidence_withdraw", "evidence_id"): _uuid_of("evidence"),
    ("api:evidence_withdrawal_post", "evidence_id"): _uuid_of("evidence"),
    ("api:task_assignment_post", "task_id"): _uuid_of("task"),
    ("api:submission_detail", "submission_id"): _uuid_of("submission"),
    ("api:task_submission_post", "task_id"): _uuid_of("task"),
    ("api:student_playlists", "student_id"): _uuid_of("student"),
    ("api:student_supports", "student_id"): _uuid_of("student"),
    ("api:student_support_post", "student_id"): _uuid_of("student"),
    ("api:student_advancements", "student_id"): _uuid_of("student"),
    ("api:item_progress_post", "item_id"): lambda hidden: (
        hidden.playlist.items.get().uuid if hidden.playlist else None
    ),
    ("api:advancement_confirmation_post", "advancement_id"): _uuid_of("advancement"),
    ("api:advancement_decision_post", "advancement_id"): _uuid_of("advancement"),
    ("work:file", "file_id"): _uuid_of("revision_file"),
    ("mastery:evidence_file", "file_id"): _uuid_of("evidence_file"),
    ("pathways:student_next_steps", "student_id"): _uuid_of("student"),
    ("pathways:accelerate", "student_id"): _uuid_of("student"),
    ("pathways:support_add", "student_id"): _uuid_of("student"),
    ("pathways:support_end", "support_id"): _uuid_of("support"),
    ("pathways:group", "group_id"): _uuid_of("group"),
    **{
        (name, "goal_id"): _uuid_of("goal")
        for name in (
            "agency:goal",
            "agency:goal_edit",
            "agency:goal_step",
            "agency:goal_status",
            "agency:goal_comment",
        )
    },
    ("agency:goal_step", "step_id"): lambda hidden: (
        hidden.goal.steps.get().pk if hidden.goal else None
    ),
    ("agency:student_goals", "student_id"): _uuid_of("student"),
    ("api:student_goals", "student_id"): _uuid_of("student"),
    ("api:student_check_ins", "student_id"): _uuid_of("student"),
    ("api:student_check_in_post", "student_id"): _uuid_of("student"),
    ("api:check_in_reflection_post", "check_in_id"): _uuid_of("check_in"),
    ("api:student_portfolio", "student_id"): _uuid_of("student"),
    ("api:student_conferences", "student_id"): _uuid_of("student"),
    ("api:conference_record_post", "conference_id"): _uuid_of("conference"),
    ("api:conference_acknowledgement_post", "conference_id"): _uuid_of("conference"),
    **{
        (name, "goal_id"): _uuid_of("goal")
        for name in ("api:goal_detail", "api:goal_status_post", "api:goal_comment_post")
    },
    ("agency:check_in_new", "student_id"): _uuid_of("student"),
    ("agency:check_in_reflection", "check_in_id"): _uuid_of("check_in"),
    ("agency:mentorship_end", "mentorship_id"): _uuid_of("mentorship"),
    **{
        (name, "piece_id"): _uuid_of("piece")
        for name in (
            "agency:piece",
            "agency:piece_change",
            "agency:piece_remove",
            "agency:piece_file",
        )
    },
    ("agency:student_portfolio", "student_id"): _uuid_of("student"),
    ("agency:student_conferences", "student_id"): _uuid_of("student"),
    **{
        (name, "conference_id"): _uuid_of("conference")
        for name in (
            "agency:conference",
            "agency:conference_edit",
            "agency:conference_record",
            "agency:conference_acknowledge",
            "agency:family_note",
            "agency:next_step_goal",
            "agency:conference_present",
            "agency:conference_script",
        )
    },
    ("agency:next_step_goal", "step_id"): lambda hidden: (
        hidden.conference.next_steps.get().pk if hidden.conference else None
    ),
    ("agency:portfolio_download", "student_id"): _uuid_of("student"),
    ("agency:portfolio_pdf", "student_id"): _uuid_of("student"),
    ("agency:conference_pdf", "conference_id"): _uuid_of("conference"),
    **{
        (name, "advancement_id"): _uuid_of("advancement")
        for name in (
            "pathways:advancement",
            "pathways:advancement_confirm",
            "pathways:advancement_decide",
        )
    },
    **{
        (name, "playlist_id"): _uuid_of("playlist")
        for name in ("pathways:playlist", "pathways:item_add", "pathways:playlist_copy")
    },
    **{
        (name, "item_id"): lambda hidden: (
            hidden.playlist.items.get().uuid if hidden.playlist else None
        )
        for name in ("pathways:item_start", "pathways:item_done", "pathways:item_attachment")
    },
    ("work:resource", "resource_id"): lambda hidden: (
        hidden.task.resources.get().uuid if hidden.task else None
    ),
    ("mastery:evidence_file_thumbnail", "file_id"): _uuid_of("evidence_file"),
    **{
        (name, "task_id"): _uuid_of("task")
        for name in (
            "work:task",
            "work:task_assign",
            "work:rubric_save",
            "work:task_copy",
            "work:option_approve",
            "work:my_work",
            "work:option_propose",
            "work:resources_add",
        )
    },
    ("work:option_approve", "option_id"): lambda hidden: (
        hidden.task.options.get().uuid if hidden.task else None
    ),
    **{
        (name, "submission_id"): _uuid_of("submission")
        for name in ("work:submission", "work:review_save", "work:comment_save")
    },
    ("work:file_thumbnail", "file_id"): _uuid_of("revision_file"),
    ("api:submission_review_post", "submission_id"): _uuid_of("submission"),
    ("interop:framework", "framework_id"): _uuid_of("framework"),
    ("interop:framework_case", "framework_id"): _uuid_of("framework"),
    ("interop:framework_spreadsheet", "framework_id"): _uuid_of("framework"),
    ("frameworks:competency_new", "framework_id"): _uuid_of("framework"),
    ("frameworks:competency_edit", "framework_id"): _uuid_of("framework"),
    ("frameworks:competency_edit", "competency_id"): _uuid_of("competency"),
    ("frameworks:framework_teachers", "framework_id"): _uuid_of("framework"),
    ("mastery:competency_preview", "competency_id"): _uuid_of("competency"),
    ("frameworks:course_edit", "course_id"): _uuid_of("course"),
    ("interop:oneroster_preview", "token"): _upload_token(ROSTER),
    ("interop:oneroster_confirm", "token"): _upload_token(ROSTER),
    ("interop:oneroster_result", "token"): _upload_token(ROSTER),
    ("api:mastery_get", "student_id"): _uuid_of("student"),
    ("api:token_revoke", "token_id"): _token_of,
    ("api_token_revoke", "token_id"): _token_of,
    ("privacy:student", "student_id"): _uuid_of("student"),
    ("privacy:export", "student_id"): _uuid_of("student"),
    ("case:document", "sourced_id"): _uuid_of("framework"),
    ("case:package", "sourced_id"): _uuid_of("framework"),
    ("case:item", "sourced_id"): _identifier_of("standard"),
    ("case:item_associations", "sourced_id"): _identifier_of("standard"),
    ("case:association", "sourced_id"): _identifier_of("association"),
}


def _rating_of(hidden: Hidden) -> dict[str, Any] | None:
    if hidden.competency is None:
        return None
    return {
        "student": str(hidden.student.uuid),
        "competency": str(hidden.competency.uuid),
        "stage": 1,
        "level": 3,
        "observed_at": timezone.localdate().isoformat(),
        "source": "task",
    }


# JSON API writes whose object is in the body, not the address.
BODIES: dict[str, Callable[[Hidden], dict[str, Any] | None]] = {
    "api:evidence_post": _rating_of,
    "api:evidence_withdrawal_post": lambda hidden: {"reason": "The walker says so."},
    "api:task_assignment_post": lambda hidden: {"students": [str(hidden.student.uuid)]},
    "api:submission_review_post": lambda hidden: {"revision": 1, "decision": "revise"},
    "api:student_support_post": lambda hidden: {"kind": "tutoring", "description": "Walker"},
    "api:advancement_decision_post": lambda hidden: {"decision": "not_yet", "rationale": "x"},
    "api:goal_status_post": lambda hidden: {"status": "done"},
    "api:goal_comment_post": lambda hidden: {"text": "The walker says so."},
    "api:student_check_in_post": lambda hidden: {"happened_on": "2026-01-05", "notes": "x"},
    "api:check_in_reflection_post": lambda hidden: {"reflection": "The walker says so."},
    "api:conference_record_post": lambda hidden: {"notes": "The walker says so."},
    "api:exemplar_confirm_post": lambda hidden: {"anonymised": True},
    "api:calibration_ratings_post": lambda hidden: (
        {
            "ratings": [
                {"piece": str(piece.uuid), "level": 3, "rationale": "The walker says so."}
                for piece in hidden.calibration_session.pieces.all()
            ]
        }
        if hidden.calibration_session
        else None
    ),
    "api:calibration_consensus_post": lambda hidden: {"level": 3, "rationale": "The walker."},
}

ADMIN_OBJECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<(?:path:)?(object_id|id)>/")


def _admin_row(route: str, hidden: Hidden) -> Any:
    """An admin object page's row of the hidden district: any registered model, automatically
    (`test_the_hidden_district_has_a_row_for_every_admin_model` sees that there is one)."""
    match = ADMIN_OBJECT.match(route)
    row = hidden.admin_rows.get(apps.get_model(match["app"], match["model"]))
    return None if row is None else row.pk


def _view_on_site(hidden: Hidden) -> Any:
    return (
        None
        if not hidden.admin_rows
        else {"content_type_id": _content_type_of(hidden.student), "object_id": hidden.student.pk}
    )


def _content_type_of(obj: Model) -> int:
    return ContentType.objects.get_for_model(obj).pk


# ---- the patterns


@dataclass(frozen=True)
class Pattern:
    key: str  # its name, namespaced, or its route when it has none
    route: str
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith(("api/", "ims/", "xapi/"))


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def descend(patterns, prefix: str, namespace: str | None) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                descend(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                params = tuple(a or b for a, b in PARAM.findall(route))
                found.append(Pattern(key=name or route, route=route, params=params))

    descend(get_resolver().url_patterns, "", None)
    return found


def _fill(pattern: Pattern, hidden: Hidden) -> dict[str, Any] | None:
    """The pattern's parameters out of reach at `hidden`'s distance; None if one cannot be."""
    if pattern.key == "admin:view_on_site":
        return _view_on_site(hidden)
    values: dict[str, Any] = {}
    for param in pattern.params:
        if (pattern.key, param) in FIXED:
            value = FIXED[(pattern.key, param)]
        elif (pattern.key, param) in OUT_OF_REACH:
            value = OUT_OF_REACH[(pattern.key, param)](hidden)
        elif ADMIN_OBJECT.match(pattern.route):
            value = _admin_row(pattern.route, hidden)
        else:
            raise LookupError(param)
        if value is None:
            return None
        values[param] = value
    return values


def _address(pattern: Pattern, values: dict[str, Any]) -> str:
    def substitute(match: re.Match) -> str:
        return str(values[match[1] or match[2]])

    url = "/" + PARAM.sub(substitute, pattern.route).replace("^", "").replace("$", "")
    leads_to = resolve(url).route
    assert leads_to == pattern.route.replace("^", ""), f"{url} leads to {leads_to}"
    return url


def _holds_objects(pattern: Pattern) -> bool:
    return pattern.key in BODIES or any(
        (pattern.key, param) not in FIXED for param in pattern.params
    )


def missing_fixtures(pattern: Pattern) -> list[str]:
    """What the walker lacks to walk `pattern`, as instructions to whoever added it."""
    if pattern.key in OPEN:
        return []
    if not _holds_objects(pattern):
        if opens_for(pattern.key) is not None:
            return []
        return [
            f"{pattern.key!r} (/{pattern.route}): add it to OPENS_FOR with the roles it opens "
            "for (every other role must be refused), or to OPEN with the reason anyone may use it"
        ]
    missing = [
        f"{pattern.key!r} (/{pattern.route}): add OUT_OF_REACH[({pattern.key!r}, {param!r})], "
        "a factory of a value naming an object out of the caller's reach (or FIXED if it "
        "names no object)"
        for param in pattern.params
        if (pattern.key, param) not in FIXED
        and (pattern.key, param) not in OUT_OF_REACH
        and not ADMIN_OBJECT.match(pattern.route)
        and pattern.key != "admin:view_on_site"
    ]
    return missing


# ---- asking


def refused(pattern: Pattern, response) -> bool:
    status = response.status_code
    if status in (403, 404, 405):
        return True
    if status == 401:
        return pattern.is_api
    if status == 302:
        sign_in = (reverse("login"), reverse("admin:login"))
        # The admin answers an object it does not show with its home page and a message.
        missing = (reverse("admin:index"),) if pattern.route.startswith("admin/") else ()
        # Its bare object address only forwards to the change page, which is walked itself.
        change_page = (f"{response.request['PATH_INFO']}change/",)
        return response.url.split("?")[0] in (*sign_in, *missing, *change_page)
    return False


def _client_for(world: World, role: str) -> tuple[Client, dict[str, str]]:
    client = Client()
    if role == ANONYMOUS:
        return client, {}
    person = getattr(world, PLAYED_BY[role])
    if role == "district_admin_on_admin_site":
        person = person_grant_district_admin_site(person=person)
    client.force_login(person)
    return client, {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(person=person)}"}


def api_methods() -> dict[str, list[str]]:
    """The methods each JSON API operation takes, by URL name: ninja gives every operation on
    one path a pattern of its own (POST /auth/token signs in, DELETE /auth/token signs out)."""
    return {
        f"api:{api.get_operation_url_name(operation, router=router)}": operation.methods
        for _, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }


def _ask(client: Client, headers: dict[str, str], pattern: Pattern, method: str, url: str, body):
    if method == "GET":
        return client.get(url, **headers)
    if method == "DELETE":
        return client.delete(url, **headers)
    if pattern.is_api:
        return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)
    return client.post(url, {}, **headers)


def _may_have_signed_out(client: Client, method: str) -> bool:
    """Whether the last request ended the session, or may have revoked the token."""
    return method == "DELETE" or "_auth_user_id" not in client.session


def walk(world: World, role: str, faraway: Hidden) -> tuple[int, list[str]]:
    """Ask every pattern as `role`; the number of requests and each wrong answer."""
    hidden = hidden_at(world, faraway)
    methods_of = api_methods()
    client, headers = _client_for(world, role)
    asked, wrong = 0, []
    for pattern in url_patterns():
        if pattern.key in OPEN:
            # Open to all, so asked only for what no answer may be: a server error.
            if pattern.params:
                continue
            distances, may_open = (ANOTHER_DISTRICT,), True
        elif missing_fixtures(pattern):
            continue
        elif _holds_objects(pattern):
            distances = DISTANCES[role]
            may_open = False
        else:
            distances = (ANOTHER_DISTRICT,)
            may_open = role in opens_for(pattern.key)
        for distance in distances:
            values = _fill(pattern, hidden[distance])
            body = BODIES[pattern.key](hidden[distance]) if pattern.key in BODIES else None
            if values is None or (pattern.key in BODIES and body is None):
                continue
            url = _address(pattern, values)
            for method in methods_of.get(pattern.key, ("GET", "POST")):
                response = _ask(client, headers, pattern, method, url, body)
                asked += 1
                ok = response.status_code < 500 if may_open else refused(pattern, response)
                if not ok:
                    where = response.get("Location", "")
                    wrong.append(
                        f"{role} {method} {url} [{pattern.key}, {distance}]: "
                        f"{response.status_code} {where}".rstrip()
                    )
                if role != ANONYMOUS and _may_have_signed_out(client, method):
                    client, headers = _client_for(world, role)
    return asked, wrong


@pytest.fixture
def faraway(world) -> Hidden:
    return build_hidden_district()


def test_every_url_pattern_is_covered():
    missing = [line for pattern in url_patterns() for line in missing_fixtures(pattern)]
    assert not missing, "The URL walker cannot walk these patterns:\n" + "\n".join(missing)


def test_every_table_entry_names_a_pattern_that_exists():
    keys = {pattern.key for pattern in url_patterns()}
    listed = {*OPEN, *OPENS_FOR, *BODIES, *(key for key, _ in OUT_OF_REACH), *(k for k, _ in FIXED)}
    assert listed <= keys, f"No such URL pattern (remove it from the tables): {listed - keys}"


def test_the_hidden_district_has_a_row_for_every_admin_model(faraway):
    missing = [model.__name__ for model in admin.site._registry if model not in faraway.admin_rows]
    assert not missing, (
        f"Add a row of each of {missing} in the hidden district to build_hidden_district() in "
        "tests/test_url_walker.py, so the walker can ask for its admin pages"
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_what_is_not_theirs(world, faraway, role):
    asked, wrong = walk(world, role, faraway)
    assert asked > 100
    assert not wrong, f"{len(wrong)} of {asked} answers were not refusals:\n" + "\n".join(wrong)
