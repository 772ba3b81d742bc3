"""API: performance tasks — write one, give it out, list the ones the caller may see (for a
student, the tasks given to them); a student's work on a task, its files, and the reviews
that rate it into evidence."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from proficio.audit import api as audit
from proficio.frameworks.api import competency_get
from proficio.lib.api_schemas import ErrorOut, InvalidOut, ListPagination, Text
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.http.body_limit import api_takes_uploads
from proficio.people.api import Person, section_served_get, student_get
from proficio.work.data import Alignment, SelfRating, WorkRating
from proficio.work.models import Assignment, Revision, RevisionFile, Submission, Task
from proficio.work.selectors import (
    assignment_students,
    submission_get,
    submission_status,
    task_get,
    task_list_visible_to,
)
from proficio.work.services import review_record, revision_save, task_assign, task_create

router = Router(tags=["work"])


class AlignmentIn(Schema):
    competency: UUID
    stage: int


class OptionIn(Schema):
    title: Text


class TaskIn(Schema):
    title: Text
    instructions: Text = Field("", description="Markdown.")
    alignments: list[AlignmentIn]
    options: list[OptionIn] = Field(default_factory=list, description="The choice board.")
    revision_policy: Literal["unlimited", "max", "until_mastered"] = "unlimited"
    max_revisions: int | None = None
    target_date: date | None = None
    shared: bool = Field(False, description="In the district's library, for every teacher.")

    def alignments_for(self, user: Person) -> list[Alignment]:
        """The alignments, each competency one the caller may see; else 400 naming it."""
        found, errors = [], {}
        for number, alignment in enumerate(self.alignments, start=1):
            try:
                competency = competency_get(user=user, competency_id=alignment.competency)
            except NotVisible:
                errors[f"alignments-{number}"] = f"No competency {alignment.competency}."
            else:
                found.append(Alignment(competency=competency, stage=alignment.stage))
        if errors:
            raise InvalidInput(errors)
        return found


class AlignmentOut(Schema):
    competency: UUID
    competency_code: str
    stage: int

    @staticmethod
    def resolve_competency(alignment) -> UUID:
        return alignment.stage.competency.uuid

    @staticmethod
    def resolve_competency_code(alignment) -> str:
        return alignment.stage.competency.code

    @staticmethod
    def resolve_stage(alignment) -> int:
        return alignment.stage.ordinal


class OptionOut(Schema):
    id: UUID
    title: str

    @staticmethod
    def resolve_id(option) -> UUID:
        return option.uuid


class TaskOut(Schema):
    id: UUID
    title: str
    instructions: str
    alignments: list[AlignmentOut]
    options: list[OptionOut]
    revision_policy: str
    max_revisions: int | None
    target_date: date | None
    shared: bool

    @staticmethod
    def resolve_id(task: Task) -> UUID:
        return task.uuid

    @staticmethod
    def resolve_alignments(task: Task) -> list:
        return list(task.alignments.all())

    @staticmethod
    def resolve_options(task: Task) -> list:
        """The choice board: a student's proposal joins it once a teacher approves it."""
        return [option for option in task.options.all() if option.approved]


@router.post("/tasks", response={201: TaskOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut})
def task_post(request: HttpRequest, body: TaskIn) -> tuple[int, Task]:
    """Write a performance task (teachers and admins): aligned stages, a choice board, a
    revision policy. Its rubric starts from the aligned stages' evidence statements."""
    task = task_create(
        author=request.auth,
        title=body.title,
        instructions=body.instructions,
        alignments=body.alignments_for(request.auth),
        options=[option.title for option in body.options],
        revision_policy=body.revision_policy,
        max_revisions=body.max_revisions,
        target_date=body.target_date,
        shared=body.shared,
    )
    return 201, task_get(user=request.auth, task_id=task.uuid)


@router.get("/tasks", response={200: list[TaskOut], 400: InvalidOut, 401: ErrorOut})
@paginate(ListPagination)
def task_list(request: HttpRequest) -> QuerySet[Task]:
    """The tasks the caller may see, newest first: for a student, those given to them."""
    return task_list_visible_to(request.auth)


class AssignmentIn(Schema):
    section: UUID | None = None
    students: list[UUID] = Field(default_factory=list)


class AssignmentOut(Schema):
    id: UUID
    task: UUID
    section: UUID | None
    students: list[UUID]


@router.post(
    "/tasks/{task_id}/assignments",
    response={201: AssignmentOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def task_assignment_post(request: HttpRequest, task_id: str, body: AssignmentIn) -> tuple:
    """Give the task to a section the caller serves (its students, and those who join it
    later) or to students the caller serves; 404 for what the caller may not reach."""
    user = request.auth
    task = task_get(user=user, task_id=task_id)
    section = section_served_get(user=user, section_id=body.section) if body.section else None
    students = [student_get(user=user, student_id=student) for student in body.students]
    assignment: Assignment = task_assign(actor=user, task=task, section=section, students=students)
    return 201, {
        "id": assignment.uuid,
        "task": task.uuid,
        "section": section.uuid if section else None,
        "students": [s.uuid for s in assignment_students(user=user, assignment=assignment)],
    }


class ReviewOut(Schema):
    id: UUID
    decision: str
    created_at: datetime
    evidence: list[UUID]

    @staticmethod
    def resolve_id(review) -> UUID:
        return review.uuid

    @staticmethod
    def resolve_evidence(review) -> list[UUID]:
        return [row.uuid for row in review.evidence.all()]


class FileOut(Schema):
    id: UUID
    name: str
    content_type: str
    size: int
    url: str = Field(description="The bytes, for those who may read the work (Range accepted).")

    @staticmethod
    def resolve_id(kept: RevisionFile) -> UUID:
        return kept.uuid

    @staticmethod
    def resolve_url(kept: RevisionFile, context) -> str:
        return context["request"].build_absolute_uri(reverse("work:file", args=[kept.uuid]))


class RevisionOut(Schema):
    revision: int
    submitted_at: datetime | None
    text: str
    option: UUID | None
    files: list[FileOut]
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_files(revision) -> list:
        return list(revision.files.all())

    @staticmethod
    def resolve_revision(revision) -> int:
        return revision.number

    @staticmethod
    def resolve_option(revision) -> UUID | None:
        return revision.option.uuid if revision.option else None

    @staticmethod
    def resolve_reviews(revision) -> list:
        return list(revision.reviews.all())


class SubmissionOut(Schema):
    id: UUID
    task: UUID
    student: UUID
    status: str
    revisions: list[RevisionOut]

    @staticmethod
    def resolve_id(submission) -> UUID:
        return submission.uuid

    @staticmethod
    def resolve_task(submission) -> UUID:
        return submission.task.uuid

    @staticmethod
    def resolve_student(submission) -> UUID:
        return submission.student.uuid

    @staticmethod
    def resolve_status(submission) -> str:
        return submission_status(submission)

    @staticmethod
    def resolve_revisions(submission) -> list:
        return list(submission.revisions.all())


@router.get(
    "/submissions/{submission_id}", response={200: SubmissionOut, 401: ErrorOut, 404: ErrorOut}
)
def submission_detail(request: HttpRequest, submission_id: str) -> Submission:
    """A student's work on a task, every revision with its reviews; for the student, their
    staff and their guardians. Read by anyone but its author, it is audited."""
    submission = submission_get(user=request.auth, submission_id=submission_id)
    audit.record_views(
        actor=request.auth,
        action=audit.STUDENT_VIEWED,
        students=[submission.student],
        data={"via": "submission", "task": str(submission.task.uuid)},
    )
    return submission


class SubmissionSavedOut(Schema):
    id: UUID = Field(description="The submission: one per task and student.")
    revision: int
    status: Literal["draft", "submitted"]
    files: list[FileOut]


class SelfRatingIn(Schema):
    competency: UUID
    stage: int
    level: Decimal


def _self_assessment(user: Person, raw: str) -> list[SelfRating]:
    if not raw.strip():
        return []
    try:
        rows = [SelfRatingIn.model_validate(row) for row in json.loads(raw)]
    except (ValueError, TypeError) as bad:
        raise InvalidInput(
            {
                "self_assessment": 'A JSON list of {"competency": uuid, "stage": int, '
                '"level": number} is expected.'
            }
        ) from bad
    return [
        SelfRating(
            competency=competency_get(user=user, competency_id=row.competency),
            stage=row.stage,
            level=row.level,
        )
        for row in rows
    ]


@router.post(
    "/tasks/{task_id}/submissions",
    response={201: SubmissionSavedOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def task_submission_post(
    request: HttpRequest,
    task_id: str,
    text: Form[str] = "",
    option: Form[UUID | None] = None,
    self_assessment: Form[str] = "",
    reflection: Form[str] = "",
    submit: Form[bool] = False,
    files: File[list[UploadedFile]] = None,
) -> tuple:
    """The student's work on a task, as multipart: the next revision of their one submission,
    a draft or (`submit=true`) submitted. `self_assessment` is JSON:
    `[{"competency": uuid, "stage": int, "level": number}]`. Every file is checked before any
    is stored: one refused file refuses the whole revision."""
    user = request.auth
    task = task_get(user=user, task_id=task_id)
    chosen = None
    if option is not None:
        chosen = task.options.filter(uuid=option).first()
        if chosen is None:
            raise InvalidInput({"option": "That option is not on this task's choice board."})
    revision: Revision = revision_save(
        student=user,
        task=task,
        text=text,
        option=chosen,
        self_assessment=_self_assessment(user, self_assessment),
        reflection=reflection,
        submit=submit,
        files=files or [],
    )
    return 201, {
        "id": revision.submission.uuid,
        "revision": revision.number,
        "status": "submitted" if revision.submitted_at else "draft",
        "files": list(revision.files.all()),
    }


api_takes_uploads("api:task_submission_post")


class WorkRatingIn(Schema):
    competency: UUID
    stage: int
    level: Decimal
    feedback_present: Text = ""
    feedback_next: Text = ""


class ReviewIn(Schema):
    revision: int
    decision: Literal["rated", "revise"]
    ratings: list[WorkRatingIn] = Field(default_factory=list)


class ReviewCreatedOut(Schema):
    id: UUID
    evidence: list[UUID]


@router.post(
    "/submissions/{submission_id}/reviews",
    response={201: ReviewCreatedOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def submission_review_post(request: HttpRequest, submission_id: str, body: ReviewIn) -> tuple:
    """Review one submitted revision: each rating becomes task evidence of it (counted by
    the student's mastery at once); then "rated" or "revise"."""
    user = request.auth
    submission = submission_get(user=user, submission_id=submission_id)
    revision = next((r for r in submission.revisions.all() if r.number == body.revision), None)
    if revision is None:
        raise InvalidInput({"revision": f"The submission has no revision {body.revision}."})
    ratings = []
    for rating in body.ratings:
        competency = competency_get(user=user, competency_id=rating.competency)
        ratings.append(
            WorkRating(
                competency=competency,
                stage=rating.stage,
                level=rating.level,
                feedback_present=rating.feedback_present,
                feedback_next=rating.feedback_next,
            )
        )
    review = review_record(
        reviewer=user, revision=revision, decision=body.decision, ratings=ratings
    )
    return 201, {"id": review.uuid, "evidence": [row.uuid for row in review.evidence.all()]}
