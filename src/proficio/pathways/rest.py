"""API: playlists and a student's progress on them, supports, flexible groups and advancement
records — with the same bearer tokens, scoping and 404 rules as the rest of /api/v1."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from proficio.audit import api as audit
from proficio.frameworks.api import competency_get
from proficio.lib.api_schemas import ErrorOut, InvalidOut, ListPagination, Text
from proficio.lib.errors import NotVisible
from proficio.lib.visibility import visible_get
from proficio.pathways.advancement import (
    advancement_confirm,
    advancement_decide,
    gate_waits,
    proposals_sync,
)
from proficio.pathways.groups import group_members, groups_taught_by
from proficio.pathways.models import Advancement, FlexibleGroup, Playlist, Support
from proficio.pathways.selectors import (
    advancement_get,
    advancements_visible_to,
    item_get,
    item_state_for,
    playlist_list_visible_to,
    playlists_of_student,
)
from proficio.pathways.services import item_mark_done, item_start
from proficio.pathways.supports import support_record, supports_visible_to
from proficio.people.api import sections_of_course, student_get

router = Router(tags=["pathways"])


class PlaylistStageOut(Schema):
    competency: UUID
    code: str
    stage: int


def _stage(stage) -> dict:
    return {
        "competency": stage.competency.uuid,
        "code": stage.competency.code,
        "stage": stage.ordinal,
    }


class PlaylistItemOut(Schema):
    id: UUID
    kind: str
    title: str
    minutes: int | None
    mode: str
    url: str
    focus: str
    unlock: str
    needs: list[PlaylistStageOut]
    task: UUID | None

    @staticmethod
    def resolve_id(item) -> UUID:
        return item.uuid

    @staticmethod
    def resolve_needs(item) -> list:
        return [_stage(stage) for stage in item.needs.all()]

    @staticmethod
    def resolve_task(item) -> UUID | None:
        return item.task.uuid if item.task else None


class PlaylistOut(Schema):
    id: UUID
    title: str
    description: str
    stage: PlaylistStageOut
    shared: bool
    items: list[PlaylistItemOut]

    @staticmethod
    def resolve_id(playlist) -> UUID:
        return playlist.uuid

    @staticmethod
    def resolve_stage(playlist) -> dict:
        return _stage(playlist.stage)

    @staticmethod
    def resolve_items(playlist) -> list:
        return list(playlist.items.all())


@router.get("/playlists", response={200: list[PlaylistOut], 400: InvalidOut, 401: ErrorOut})
@paginate(ListPagination)
def playlist_list(request: HttpRequest) -> QuerySet[Playlist]:
    """The playlists the caller may see: for staff their own and the district's library; for
    a student, those offered to them."""
    return playlist_list_visible_to(request.auth)


class ItemStateOut(Schema):
    item: PlaylistItemOut
    open: bool
    done: bool
    why: str
    started_at: datetime | None
    done_at: datetime | None


class StudentPlaylistOut(Schema):
    playlist: PlaylistOut
    items: list[ItemStateOut]


@router.get(
    "/students/{student_id}/playlists",
    response={200: list[StudentPlaylistOut], 401: ErrorOut, 404: ErrorOut},
)
def student_playlists(request: HttpRequest, student_id: str) -> list:
    """The playlists of the student's working stages, each item open or not (and why), done
    or not — for the student, their teachers and admins, their guardians."""
    student = student_get(user=request.auth, student_id=student_id)
    audit.record_views(
        actor=request.auth, action=audit.STUDENT_VIEWED, students=[student], data={"via": "api"}
    )
    return [
        {
            "playlist": shown.playlist,
            "items": [
                {
                    "item": item.item,
                    "open": item.state.open,
                    "done": item.state.done,
                    "why": item.state.why,
                    "started_at": item.progress.started_at if item.progress else None,
                    "done_at": item.progress.done_at if item.progress else None,
                }
                for item in shown.items
            ],
        }
        for shown in playlists_of_student(student=student)
    ]


class ProgressIn(Schema):
    student: UUID | None = Field(None, description="For a teacher marking a student's item.")
    done: bool = True


class ProgressOut(Schema):
    item: UUID
    student: UUID
    started_at: datetime
    done_at: datetime | None


@router.post(
    "/playlist-items/{item_id}/progress",
    response={200: ProgressOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def item_progress_post(request: HttpRequest, item_id: str, body: ProgressIn) -> dict:
    """The student starts (`done: false`) or finishes an item open to them; a teacher who
    serves them marks it done (`student`)."""
    user = request.auth
    student = student_get(user=user, student_id=body.student) if body.student else user
    item = item_get(user=student, item_id=item_id)
    state = item_state_for(student=student, item=item)
    is_open = bool(state and state.open)
    if body.done:
        progress = item_mark_done(actor=user, student=student, item=item, is_open=is_open)
    else:
        if student.pk != user.pk:
            raise NotVisible(f"No item {item_id}.")
        progress = item_start(student=student, item=item, is_open=is_open)
    return {
        "item": item.uuid,
        "student": student.uuid,
        "started_at": progress.started_at,
        "done_at": progress.done_at,
    }


class SupportOut(Schema):
    id: UUID
    kind: str
    description: str
    competency: UUID | None
    starts_on: date
    ends_on: date | None
    outcome: str

    @staticmethod
    def resolve_id(support) -> UUID:
        return support.uuid

    @staticmethod
    def resolve_competency(support) -> UUID | None:
        return support.competency.uuid if support.competency else None


@router.get(
    "/students/{student_id}/supports",
    response={200: list[SupportOut], 401: ErrorOut, 404: ErrorOut},
)
def student_supports(request: HttpRequest, student_id: str) -> QuerySet[Support]:
    student = student_get(user=request.auth, student_id=student_id)
    audit.record_views(
        actor=request.auth, action=audit.STUDENT_VIEWED, students=[student], data={"via": "api"}
    )
    return supports_visible_to(request.auth).filter(student=student)


class SupportIn(Schema):
    kind: Literal["small_group", "intervention", "tutoring", "accommodation"]
    description: Text
    competency: UUID | None = None
    starts_on: date | None = None


@router.post(
    "/students/{student_id}/supports",
    response={201: SupportOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def student_support_post(request: HttpRequest, student_id: str, body: SupportIn) -> tuple:
    student = student_get(user=request.auth, student_id=student_id)
    competency = (
        competency_get(user=request.auth, competency_id=body.competency)
        if body.competency
        else None
    )
    support = support_record(
        actor=request.auth,
        student=student,
        kind=body.kind,
        description=body.description,
        starts_on=body.starts_on or timezone.localdate(),
        competency=competency,
    )
    return 201, support


class GroupOut(Schema):
    id: UUID
    name: str
    stage: PlaylistStageOut
    meets: str
    support: str
    students: list[UUID]

    @staticmethod
    def resolve_id(group) -> UUID:
        return group.uuid

    @staticmethod
    def resolve_name(group) -> str:
        return group.group.name

    @staticmethod
    def resolve_stage(group) -> dict:
        return _stage(group.stage)

    @staticmethod
    def resolve_students(group) -> list[UUID]:
        return [student.uuid for student in group_members(group)]


@router.get("/groups", response={200: list[GroupOut], 401: ErrorOut})
def group_list(request: HttpRequest) -> QuerySet[FlexibleGroup]:
    """The flexible groups the caller teaches."""
    return groups_taught_by(request.auth)


class AdvancementOut(Schema):
    id: UUID
    student: UUID
    course: str
    next_course: str | None
    kind: str
    proposed_at: datetime
    teacher_confirmed_at: datetime | None
    student_confirmed_at: datetime | None
    waits_for: str = Field(description="Why advancing waits for the gate; empty if it need not.")
    decision: str
    rationale: str
    next_steps: str
    decided_at: datetime | None
    placed_in: UUID | None

    @staticmethod
    def resolve_id(advancement) -> UUID:
        return advancement.uuid

    @staticmethod
    def resolve_student(advancement) -> UUID:
        return advancement.student.uuid

    @staticmethod
    def resolve_course(advancement) -> str:
        return advancement.course.code

    @staticmethod
    def resolve_next_course(advancement) -> str | None:
        return advancement.next_course.code if advancement.next_course else None

    @staticmethod
    def resolve_waits_for(advancement) -> str:
        return gate_waits(advancement) if advancement.open else ""

    @staticmethod
    def resolve_placed_in(advancement) -> UUID | None:
        return advancement.placed_in.uuid if advancement.placed_in else None


@router.get(
    "/students/{student_id}/advancements",
    response={200: list[AdvancementOut], 401: ErrorOut, 404: ErrorOut},
)
def student_advancements(request: HttpRequest, student_id: str) -> QuerySet[Advancement]:
    """The student's advancement records, newest first; a completed course is proposed."""
    student = student_get(user=request.auth, student_id=student_id)
    proposals_sync(students=[student])
    audit.record_views(
        actor=request.auth, action=audit.STUDENT_VIEWED, students=[student], data={"via": "api"}
    )
    return advancements_visible_to(request.auth).filter(student=student)


@router.post(
    "/advancements/{advancement_id}/confirmations",
    response={200: AdvancementOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def advancement_confirmation_post(request: HttpRequest, advancement_id: str) -> Advancement:
    """The student ("I am ready") or a teacher of the student confirms."""
    advancement = advancement_get(user=request.auth, advancement_id=advancement_id)
    advancement_confirm(actor=request.auth, advancement=advancement)
    return advancement_get(user=request.auth, advancement_id=advancement_id)


class DecisionIn(Schema):
    decision: Literal["advance", "not_yet"]
    rationale: Text
    next_steps: Text = ""
    section: UUID | None = Field(None, description="To advance: a section of the next course.")


@router.post(
    "/advancements/{advancement_id}/decision",
    response={200: AdvancementOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def advancement_decision_post(
    request: HttpRequest, advancement_id: str, body: DecisionIn
) -> Advancement:
    advancement = advancement_get(user=request.auth, advancement_id=advancement_id)
    section = None
    if body.section is not None and advancement.next_course_id is not None:
        section = visible_get(
            sections_of_course(
                course_id=advancement.next_course_id,
                district_id=advancement.student.district_id,
            ),
            body.section,
            "section",
        )
    # The record as decided: a student placed in a section the teacher does not teach is no
    # longer theirs to read afterwards.
    return advancement_decide(
        actor=request.auth,
        advancement=advancement,
        decision=body.decision,
        rationale=body.rationale,
        next_steps=body.next_steps,
        section=section,
    )
