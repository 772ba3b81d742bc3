"""API: a student's mastery (now or as of a past day) and recording a rating."""

import re
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from proficio.audit import api as audit
from proficio.evidence.api import Evidence, EvidenceSource, evidence_of
from proficio.frameworks.api import competency_get
from proficio.lib.api_schemas import ErrorOut, InvalidOut, Text
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.selectors import (
    CompetencyStatus,
    StageStatus,
    evidence_correctable_get,
    student_mastery,
)
from proficio.mastery.services import evidence_record, evidence_withdraw
from proficio.people.api import Person, student_get

router = Router(tags=["mastery"])

# Stage ordinals are small database integers; larger numbers cannot name a stage.
STAGE_MAX = 32_767
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _student_id(raw: str) -> str:
    """A path's student id; a malformed one names no student, so it is a 404 like any other."""
    try:
        return str(UUID(raw))
    except ValueError as malformed:
        raise NotVisible("No such student.") from malformed


def _a_day_in_the_schema(schema: dict[str, Any]) -> None:
    """Optional in the query string, but when present a plain YYYY-MM-DD day, never null."""
    schema.pop("anyOf", None)
    schema.update(type="string", format="date", pattern=ISO_DAY.pattern)


class MasteryQuery(Schema):
    as_of: date | None = Field(
        None,
        description="Mastery as it stood at the end of this day (YYYY-MM-DD), "
        "today or earlier in the server's time zone; a later day is a 400.",
        json_schema_extra=_a_day_in_the_schema,
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _a_calendar_day(cls, value: Any) -> Any:
        # Pydantic would read `0` or `1700000000` as Unix timestamps; a day is written out.
        if value is not None and not (isinstance(value, str) and ISO_DAY.fullmatch(value)):
            raise PydanticCustomError("iso_day", "Use a day written YYYY-MM-DD, e.g. 2025-03-14.")
        return value

    @field_validator("as_of")
    @classmethod
    def _not_in_the_future(cls, day: date | None) -> date | None:
        if day is not None and day > timezone.localdate():
            raise PydanticCustomError("future_day", "Mastery cannot be shown as of a future day.")
        return day


class StageMasteryOut(Schema):
    stage: int
    value: float | None
    mastered: bool
    evidence_count: int
    explanation: str

    @staticmethod
    def resolve_stage(status: StageStatus) -> int:
        return status.stage.ordinal


class CompetencyMasteryOut(Schema):
    competency: UUID
    code: str
    title: str
    working_stage: int | None
    stages: list[StageMasteryOut]

    @staticmethod
    def resolve_competency(status: CompetencyStatus) -> UUID:
        return status.competency.uuid

    @staticmethod
    def resolve_code(status: CompetencyStatus) -> str:
        return status.competency.code

    @staticmethod
    def resolve_title(status: CompetencyStatus) -> str:
        return status.competency.title


class MasteryOut(Schema):
    student: UUID
    competencies: list[CompetencyMasteryOut]


class EvidenceIn(Schema):
    student: UUID
    competency: UUID
    # Strict: a JSON number, never a string or a boolean read as one.
    stage: int = Field(strict=True, ge=1, le=STAGE_MAX, description="Ordinal of the stage rated.")
    level: float = Field(strict=True, allow_inf_nan=False, description="A value of the scale.")
    observed_at: datetime = Field(
        description="When the work was done: an ISO 8601 date or date-time; "
        "without a time zone it is read in the server's."
    )
    source: EvidenceSource
    feedback_present: Text = ""
    feedback_next: Text = ""
    supersedes: UUID | None = Field(None, description="The rating this one corrects.")
    reason: Text = Field("", description="Why a correction was made; kept with it.")
    statements: list[UUID] = Field(
        default_factory=list,
        max_length=100,
        description="The rated stage's evidence statements (ids) the work shows.",
    )

    @field_validator("stage", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # JSON does not tell 1 from 1.0, and some clients send every number as a float.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("observed_at", mode="before")
    @classmethod
    def _iso_8601_text(cls, value: Any) -> Any:
        # Pydantic would also read bare numbers as Unix timestamps; the API promises ISO 8601.
        if not isinstance(value, str):
            raise PydanticCustomError(
                "iso_8601", "Use an ISO 8601 date or date-time, e.g. 2025-03-14T10:30:00+01:00."
            )
        return value

    @field_validator("observed_at")
    @classmethod
    def _in_server_time_zone(cls, moment: datetime) -> datetime:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        try:
            # Stored in UTC and shown in the server's zone: both must exist on the calendar.
            moment.astimezone(UTC)
            timezone.localtime(moment)
        except OverflowError as out_of_range:
            raise PydanticCustomError(
                "date_out_of_range", "This date-time is out of range."
            ) from out_of_range
        return moment

    def resolve(self, user: Person) -> dict[str, Any]:
        """The service's arguments: the student as this user sees them, the rest by id."""
        student = student_get(user=user, student_id=self.student)
        errors: dict[str, str] = {}
        try:
            competency = competency_get(user=user, competency_id=self.competency)
        except NotVisible:
            errors["competency"] = "No such competency in your district."
        supersedes = None
        if self.supersedes is not None:
            supersedes = evidence_of(student=student).filter(uuid=self.supersedes).first()
            if supersedes is None:
                errors["supersedes"] = "This student has no such rating to correct."
        if errors:
            raise InvalidInput(errors)
        return {
            "student": student,
            "competency": competency,
            "stage": self.stage,
            "level": self.level,
            "observed_at": self.observed_at,
            "source": self.source,
            "feedback_present": self.feedback_present,
            "feedback_next": self.feedback_next,
            "supersedes": supersedes,
            "reason": self.reason,
            "statements": self.statements,
        }


class EvidenceOut(Schema):
    id: UUID
    student: UUID
    competency: UUID
    stage: int
    level: float
    observed_at: datetime
    recorded_at: datetime
    source: EvidenceSource
    assessor: UUID | None
    feedback_present: str
    feedback_next: str
    supersedes: UUID | None
    withdrawn: bool
    reason: str
    statements: list[UUID] = Field(description="The evidence statements the work shows.")

    @staticmethod
    def resolve_statements(evidence: Evidence) -> list[UUID]:
        return list(evidence.statements_shown.values_list("statement__uuid", flat=True))

    @staticmethod
    def resolve_id(evidence: Evidence) -> UUID:
        return evidence.uuid

    @staticmethod
    def resolve_student(evidence: Evidence) -> UUID:
        return evidence.student.uuid

    @staticmethod
    def resolve_competency(evidence: Evidence) -> UUID:
        return evidence.competency.uuid

    @staticmethod
    def resolve_stage(evidence: Evidence) -> int:
        return evidence.stage.ordinal

    @staticmethod
    def resolve_level(evidence: Evidence) -> float:
        return float(evidence.level)

    @staticmethod
    def resolve_observed_at(evidence: Evidence) -> datetime:
        return timezone.localtime(evidence.observed_at)

    @staticmethod
    def resolve_recorded_at(evidence: Evidence) -> datetime:
        return timezone.localtime(evidence.recorded_at)

    @staticmethod
    def resolve_assessor(evidence: Evidence) -> UUID | None:
        return evidence.assessor.uuid if evidence.assessor else None

    @staticmethod
    def resolve_supersedes(evidence: Evidence) -> UUID | None:
        return evidence.supersedes.uuid if evidence.supersedes else None


@router.get(
    "/students/{student_id}/mastery",
    response={200: MasteryOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def mastery_get(
    request: HttpRequest, student_id: str, query: Query[MasteryQuery]
) -> dict[str, Any]:
    """Every competency of a student with its working stage and each stage's mastery.

    Each value carries a plain-language explanation of how it came about.
    """
    student, statuses = student_mastery(
        user=request.auth, student_id=_student_id(student_id), as_of=query.as_of
    )
    audit.record_views(
        actor=request.auth,
        action=audit.STUDENT_VIEWED,
        students=[student],
        data={"via": "api", **({"as_of": query.as_of.isoformat()} if query.as_of else {})},
    )
    return {"student": student.uuid, "competencies": statuses}


@router.post(
    "/evidence", response={201: EvidenceOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut}
)
def evidence_post(request: HttpRequest, body: EvidenceIn) -> tuple[int, Evidence]:
    """Record one rating; the student's mastery is brought up to date in the same request."""
    evidence = evidence_record(assessor=request.auth, **body.resolve(request.auth))
    return 201, evidence


class WithdrawalIn(Schema):
    reason: Text = Field(description="Why the rating was recorded in error; required.")


@router.post(
    "/evidence/{evidence_id}/withdrawal",
    response={201: EvidenceOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def evidence_withdrawal_post(
    request: HttpRequest, evidence_id: str, body: WithdrawalIn
) -> tuple[int, Evidence]:
    """Withdraw a rating recorded in error: a withdrawal record supersedes it and mastery is
    brought up to date without it. 404 for a rating the caller may not correct."""
    evidence = evidence_correctable_get(user=request.auth, evidence_id=evidence_id)
    return 201, evidence_withdraw(actor=request.auth, evidence=evidence, reason=body.reason)
