"""API: a student's goals and check-ins, and a mentor's check-ins due — with the same bearer
tokens, scoping and 404 rules as the rest of /api/v1."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from proficio.agency.conferences import (
    conference_acknowledge,
    conference_draft,
    conference_get,
    conference_record,
    conferences_of,
)
from proficio.agency.models import CheckIn, Goal, PortfolioPiece
from proficio.agency.selectors import (
    check_in_get,
    check_ins_due,
    check_ins_of,
    goal_get,
    goals_of,
    portfolio_of,
)
from proficio.agency.services import (
    check_in_record,
    check_in_reflect,
    goal_comment,
    goal_status_set,
    goal_write,
    piece_add,
)
from proficio.agency.viewing import record_listed, record_view
from proficio.evidence.api import evidence_standing
from proficio.frameworks.api import competency_get, competency_list_visible_to
from proficio.lib.api_schemas import ErrorOut, InvalidOut, Text
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.http.body_limit import api_takes_uploads
from proficio.people.api import student_get
from proficio.work.api import revisions_of_student

router = Router(tags=["agency"])


class StepOut(Schema):
    text: str
    done_at: datetime | None


class CommentOut(Schema):
    author: UUID
    author_name: str
    text: str
    created_at: datetime

    @staticmethod
    def resolve_author(comment) -> UUID:
        return comment.author.uuid

    @staticmethod
    def resolve_author_name(comment) -> str:
        return comment.author.display_name


class GoalOut(Schema):
    id: UUID
    student: UUID
    title: str
    why: str
    competency: UUID | None
    stage: int | None
    target_date: date | None
    status: str
    status_note: str
    steps: list[StepOut]
    comments: list[CommentOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_id(goal: Goal) -> UUID:
        return goal.uuid

    @staticmethod
    def resolve_student(goal: Goal) -> UUID:
        return goal.student.uuid

    @staticmethod
    def resolve_competency(goal: Goal) -> UUID | None:
        return goal.competency.uuid if goal.competency else None

    @staticmethod
    def resolve_stage(goal: Goal) -> int | None:
        return goal.stage.ordinal if goal.stage else None

    @staticmethod
    def resolve_steps(goal: Goal) -> list:
        return list(goal.steps.all())

    @staticmethod
    def resolve_comments(goal: Goal) -> list:
        return list(goal.comments.all())


def _viewed(request: HttpRequest, student) -> None:
    record_view(request.auth, student, "api")


@router.get(
    "/students/{student_id}/goals", response={200: list[GoalOut], 401: ErrorOut, 404: ErrorOut}
)
def student_goals(request: HttpRequest, student_id: str) -> list[Goal]:
    """A student's goals, worked-on first, for whoever may see the student."""
    student = student_get(user=request.auth, student_id=student_id)
    _viewed(request, student)
    return goals_of(user=request.auth, student=student)


class GoalIn(Schema):
    student: UUID | None = Field(None, description="Whose goal; the caller's own by default.")
    title: Text
    why: Text = ""
    competency: UUID | None = None
    stage: int | None = Field(None, ge=1, le=100)
    target_date: date | None = None
    steps: list[Text] = Field(default_factory=list, max_length=20)


@router.post("/goals", response={201: GoalOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut})
def goal_post(request: HttpRequest, body: GoalIn) -> tuple[int, Goal]:
    """A student sets a goal (a mentor may set one with the student they mentor)."""
    student = (
        student_get(user=request.auth, student_id=body.student) if body.student else request.auth
    )
    competency = None
    if body.competency is not None:
        try:
            competency = competency_get(user=request.auth, competency_id=body.competency)
        except NotVisible:
            raise InvalidInput({"competency": "No such competency in your district."}) from None
    goal = goal_write(
        actor=request.auth,
        student=student,
        title=body.title,
        why=body.why,
        competency=competency,
        stage=body.stage,
        target_date=body.target_date,
        steps=body.steps,
    )
    return 201, goal_get(user=request.auth, goal_id=goal.uuid)


@router.get("/goals/{goal_id}", response={200: GoalOut, 401: ErrorOut, 404: ErrorOut})
def goal_detail(request: HttpRequest, goal_id: str) -> Goal:
    goal = goal_get(user=request.auth, goal_id=goal_id)
    _viewed(request, goal.student)
    return goal


class StatusIn(Schema):
    status: Literal["working", "done", "changed"]
    note: Text = ""


@router.post(
    "/goals/{goal_id}/status",
    response={200: GoalOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def goal_status_post(request: HttpRequest, goal_id: str, body: StatusIn) -> Goal:
    """The student marks their goal done, changed (with a note), or back to working on it."""
    goal = goal_get(user=request.auth, goal_id=goal_id)
    goal_status_set(actor=request.auth, goal=goal, status=body.status, note=body.note)
    return goal_get(user=request.auth, goal_id=goal_id)


class CommentIn(Schema):
    text: Text


@router.post(
    "/goals/{goal_id}/comments",
    response={201: CommentOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def goal_comment_post(request: HttpRequest, goal_id: str, body: CommentIn) -> tuple:
    goal = goal_get(user=request.auth, goal_id=goal_id)
    return 201, goal_comment(actor=request.auth, goal=goal, text=body.text)


class CheckInOut(Schema):
    id: UUID
    student: UUID
    mentor: UUID
    mentor_name: str
    happened_on: date
    notes: str
    actions: str
    goals: list[UUID]
    reflection: str
    reflected_at: datetime | None

    @staticmethod
    def resolve_id(check_in: CheckIn) -> UUID:
        return check_in.uuid

    @staticmethod
    def resolve_student(check_in: CheckIn) -> UUID:
        return check_in.student.uuid

    @staticmethod
    def resolve_mentor(check_in: CheckIn) -> UUID:
        return check_in.mentor.uuid

    @staticmethod
    def resolve_mentor_name(check_in: CheckIn) -> str:
        return check_in.mentor.display_name

    @staticmethod
    def resolve_goals(check_in: CheckIn) -> list[UUID]:
        return [goal.uuid for goal in check_in.goals.all()]


@router.get(
    "/students/{student_id}/check-ins",
    response={200: list[CheckInOut], 401: ErrorOut, 404: ErrorOut},
)
def student_check_ins(request: HttpRequest, student_id: str) -> list[CheckIn]:
    """A student's check-ins, newest first: for the student, their mentors and admins."""
    student = student_get(user=request.auth, student_id=student_id)
    _viewed(request, student)
    return check_ins_of(user=request.auth, student=student)


class CheckInIn(Schema):
    happened_on: date
    notes: Text = ""
    actions: Text = ""
    goals: list[UUID] = Field(default_factory=list, max_length=50)


@router.post(
    "/students/{student_id}/check-ins",
    response={201: CheckInOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def student_check_in_post(request: HttpRequest, student_id: str, body: CheckInIn) -> tuple:
    """A mentor records a check-in with a student they mentor."""
    student = student_get(user=request.auth, student_id=student_id)
    goals = {str(goal.uuid): goal for goal in goals_of(user=request.auth, student=student)}
    unknown = [str(uuid) for uuid in body.goals if str(uuid) not in goals]
    if unknown:
        raise InvalidInput({"goals": f"This student has no goal {unknown[0]}."})
    check_in = check_in_record(
        mentor=request.auth,
        student=student,
        happened_on=body.happened_on,
        notes=body.notes,
        actions=body.actions,
        goals=[goals[str(uuid)] for uuid in body.goals],
    )
    return 201, check_in


class ReflectionIn(Schema):
    reflection: Text


@router.post(
    "/check-ins/{check_in_id}/reflection",
    response={200: CheckInOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def check_in_reflection_post(request: HttpRequest, check_in_id: str, body: ReflectionIn):
    """The student writes their reflection on a check-in of theirs."""
    check_in = check_in_get(user=request.auth, check_in_id=check_in_id)
    return check_in_reflect(student=request.auth, check_in=check_in, reflection=body.reflection)


class DueOut(Schema):
    student: UUID
    student_name: str
    last_check_in: date | None
    due: date
    overdue: bool
    goals_working: int


@router.get("/mentoring", response={200: list[DueOut], 401: ErrorOut})
def mentoring(request: HttpRequest) -> list[dict]:
    """The caller's mentees with their check-ins due, the most overdue first (empty for
    anyone who mentors no one)."""
    due = check_ins_due(mentor=request.auth)
    record_listed(request.auth, [item.mentorship.student for item in due], "api")
    return [
        {
            "student": item.mentorship.student.uuid,
            "student_name": item.mentorship.student.display_name,
            "last_check_in": item.last,
            "due": item.due,
            "overdue": item.overdue,
            "goals_working": item.goals_working,
        }
        for item in due
    ]


# ---- the portfolio ------------------------------------------------------------------------


class PieceOut(Schema):
    id: UUID
    student: UUID
    kind: str
    title: str
    reflection: str
    competencies: list[UUID]
    revision: UUID | None
    evidence: UUID | None
    file_name: str
    content_type: str
    size: int | None
    shared_with_family: bool
    baseline: bool
    created_at: datetime

    @staticmethod
    def resolve_id(piece: PortfolioPiece) -> UUID:
        return piece.uuid

    @staticmethod
    def resolve_student(piece: PortfolioPiece) -> UUID:
        return piece.student.uuid

    @staticmethod
    def resolve_competencies(piece: PortfolioPiece) -> list[UUID]:
        return [competency.uuid for competency in piece.competencies.all()]

    @staticmethod
    def resolve_revision(piece: PortfolioPiece) -> UUID | None:
        return piece.revision.uuid if piece.revision else None

    @staticmethod
    def resolve_evidence(piece: PortfolioPiece) -> UUID | None:
        return piece.evidence.uuid if piece.evidence else None


@router.get(
    "/students/{student_id}/portfolio",
    response={200: list[PieceOut], 401: ErrorOut, 404: ErrorOut},
)
def student_portfolio(request: HttpRequest, student_id: str) -> list[PortfolioPiece]:
    """The pieces of a student's portfolio the caller may see, newest first (a guardian
    sees those the student shares)."""
    student = student_get(user=request.auth, student_id=student_id)
    _viewed(request, student)
    return portfolio_of(user=request.auth, student=student)


@router.post("/portfolio", response={201: PieceOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut})
def portfolio_post(
    request: HttpRequest,
    title: Form[str],
    reflection: Form[str] = "",
    competencies: Form[str] = "",
    revision: Form[UUID | None] = None,
    evidence: Form[UUID | None] = None,
    shared_with_family: Form[bool] = False,
    baseline: Form[bool] = False,
    file: File[UploadedFile] = None,
) -> tuple:
    """The student adds a piece, as multipart: one of `revision` (their submitted work),
    `evidence` (a rating of theirs that stands) or `file`; `competencies` are ids, comma
    separated."""
    student = request.auth
    found = {str(c.uuid): c for c in competency_list_visible_to(student)}
    wanted = [key.strip() for key in competencies.split(",") if key.strip()]
    if any(key not in found for key in wanted):
        raise InvalidInput({"competencies": "Choose competencies of your district."})
    chosen_revision = chosen_rating = None
    if revision is not None:
        chosen_revision = next(
            (r for r in revisions_of_student(student) if r.uuid == revision), None
        )
        if chosen_revision is None:
            raise InvalidInput({"revision": "Choose work of yours that you have handed in."})
    if evidence is not None:
        chosen_rating = evidence_standing().filter(student=student, uuid=evidence).first()
        if chosen_rating is None:
            raise InvalidInput({"evidence": "Choose a rating of your work that stands."})
    piece = piece_add(
        student=student,
        title=title,
        reflection=reflection,
        competencies=[found[key] for key in wanted],
        revision=chosen_revision,
        evidence=chosen_rating,
        upload=file,
        shared_with_family=shared_with_family,
        baseline=baseline,
    )
    return 201, piece


api_takes_uploads("api:portfolio_post")


# ---- conferences ----------------------------------------------------------------------------


class ParticipantOut(Schema):
    person: UUID
    name: str
    role: str
    acknowledged_at: datetime | None

    @staticmethod
    def resolve_person(participant) -> UUID:
        return participant.person.uuid

    @staticmethod
    def resolve_name(participant) -> str:
        return participant.person.display_name


class ConferenceOut(Schema):
    id: UUID
    student: UUID
    scheduled_for: datetime | None
    since: date
    drafted_at: datetime
    shared_at: datetime | None
    held_at: datetime | None
    agenda: dict
    pieces: list[UUID]
    script: str
    questions: str
    notes: str
    next_steps: list[str]
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_id(conference) -> UUID:
        return conference.uuid

    @staticmethod
    def resolve_student(conference) -> UUID:
        return conference.student.uuid

    @staticmethod
    def resolve_pieces(conference) -> list[UUID]:
        return [piece.uuid for piece in conference.pieces.all()]

    @staticmethod
    def resolve_next_steps(conference) -> list[str]:
        return [step.text for step in conference.next_steps.all()]

    @staticmethod
    def resolve_participants(conference) -> list:
        return list(conference.participants.all())


@router.get(
    "/students/{student_id}/conferences",
    response={200: list[ConferenceOut], 401: ErrorOut, 404: ErrorOut},
)
def student_conferences(request: HttpRequest, student_id: str) -> list:
    """A student's conferences the caller may read, newest first (a guardian, those the
    student shared)."""
    student = student_get(user=request.auth, student_id=student_id)
    _viewed(request, student)
    return [
        conference_get(user=request.auth, conference_id=conference.uuid)
        for conference in conferences_of(user=request.auth, student=student)
    ]


@router.post(
    "/conferences", response={201: ConferenceOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut}
)
def conference_post(request: HttpRequest) -> tuple:
    """The student asks Proficio to draft their next conference's agenda."""
    conference = conference_draft(student=request.auth)
    return 201, conference_get(user=request.auth, conference_id=conference.uuid)


class ConferenceRecordIn(Schema):
    notes: Text = ""
    next_steps: list[Text] = Field(default_factory=list, max_length=10)


@router.post(
    "/conferences/{conference_id}/record",
    response={200: ConferenceOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def conference_record_post(request: HttpRequest, conference_id: str, body: ConferenceRecordIn):
    """The student or their staff record the conference as held."""
    conference = conference_get(user=request.auth, conference_id=conference_id)
    conference_record(
        actor=request.auth, conference=conference, notes=body.notes, next_steps=body.next_steps
    )
    return conference_get(user=request.auth, conference_id=conference_id)


@router.post(
    "/conferences/{conference_id}/acknowledgement",
    response={200: ParticipantOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def conference_acknowledgement_post(request: HttpRequest, conference_id: str):
    """A participant acknowledges the conference once it is held."""
    conference = conference_get(user=request.auth, conference_id=conference_id)
    return conference_acknowledge(participant=request.auth, conference=conference)
