"""API: the exemplar library and blind calibration sessions, with their agreement and each
teacher's drift from consensus — with the same bearer tokens, scoping and 404 rules as the
rest of /api/v1.

What a reader gets is always the anonymised copy: an exemplar or a piece never says whose
work it was (no source student or revision leaves this module). Ratings stay blind: another
teacher's rating, and the statistics made of them, answer 404 ("Submit your own ratings
first …") until the caller has submitted their own or the session is revealed — 404 rather
than 403 because the API never answers 403 (lib.errors.NotVisible); a client reads
`ratings_open` on the session to know before it asks.
"""

import math
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BeforeValidator

from proficio.calibration.models import (
    CalibrationSession,
    Exemplar,
    PieceRating,
    SessionPiece,
)
from proficio.calibration.permissions import is_staff, may_run_session, may_see_ratings
from proficio.calibration.selectors import (
    drift_of_all,
    drift_of_self,
    exemplar_get,
    exemplar_library,
    exemplars_visible_to,
    own_ratings,
    rater_of,
    ratings_of,
    session_get,
    session_pieces,
    sessions_of,
)
from proficio.calibration.services import (
    PieceSpec,
    RatingSpec,
    consensus_record,
    exemplar_confirm,
    exemplar_propose,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.calibration.statistics import Drift, Levels, TeacherDrift, session_agreement
from proficio.frameworks.api import Competency, competency_get
from proficio.lib.api_schemas import ErrorOut, InvalidOut, ListPagination, Text
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import Person, student_get, teachers_of_district
from proficio.work.api import Revision, submissions_visible_to

router = Router(tags=["calibration"])

# Stage ordinals are small database integers; levels are decimals of 6 digits, 2 after the point.
STAGE_MAX = 32_767
LEVEL_MAX = 9999.99
BLIND = (
    "Submit your own ratings first: the others' stay hidden until you have, "
    "or until the session is revealed."
)
BLIND_TO_NON_RATERS = "The ratings stay hidden until the session is revealed."


def _whole_number(value: Any) -> Any:
    # JSON does not tell 1 from 1.0, and some clients send every number as a float.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


StageIn = Annotated[
    int,
    BeforeValidator(_whole_number),
    Field(strict=True, ge=1, le=STAGE_MAX, description="Ordinal of the stage."),
]
# Strict: a JSON number, never a string or a boolean read as one.
LevelIn = Annotated[
    float,
    Field(
        strict=True,
        allow_inf_nan=False,
        ge=-LEVEL_MAX,
        le=LEVEL_MAX,
        description="A value of the competency's scale.",
    ),
]


def _level(value: float) -> Decimal:
    return Decimal(str(value))


def _finite(value: float | None) -> float | None:
    """A statistic as JSON can carry it: None where it is undefined."""
    return value if value is not None and math.isfinite(value) else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# ---- exemplars ------------------------------------------------------------------------------


class CalibrationFileOut(Schema):
    """An anonymised copy of a file: named for what it is, never whose."""

    id: UUID
    name: str
    content_type: str
    size: int

    @staticmethod
    def resolve_id(kept) -> UUID:
        return kept.uuid


class ExemplarOut(Schema):
    id: UUID
    competency: UUID
    competency_code: str
    stage: int
    level: float
    title: str
    text: str
    annotation: str
    missing: str
    statements: list[str] = Field(description="The evidence statements the work shows.")
    published_at: datetime | None = Field(description="None while it awaits a second person.")
    files: list[CalibrationFileOut]

    @staticmethod
    def resolve_id(exemplar: Exemplar) -> UUID:
        return exemplar.uuid

    @staticmethod
    def resolve_competency(exemplar: Exemplar) -> UUID:
        return exemplar.competency.uuid

    @staticmethod
    def resolve_competency_code(exemplar: Exemplar) -> str:
        return exemplar.competency.code

    @staticmethod
    def resolve_stage(exemplar: Exemplar) -> int:
        return exemplar.stage.ordinal

    @staticmethod
    def resolve_level(exemplar: Exemplar) -> float:
        return float(exemplar.level)

    @staticmethod
    def resolve_statements(exemplar: Exemplar) -> list[str]:
        return [statement.text for statement in exemplar.statements.all()]

    @staticmethod
    def resolve_files(exemplar: Exemplar) -> list:
        return list(exemplar.files.all())


class ExemplarQuery(Schema):
    competency: UUID | None = Field(None, description="Only this competency's exemplars.")
    stage: int | None = Field(None, ge=1, le=STAGE_MAX, description="Only this stage's.")
    level: float | None = Field(
        None, allow_inf_nan=False, ge=-LEVEL_MAX, le=LEVEL_MAX, description="Only this level's."
    )
    awaiting: bool = Field(
        False, description="Staff: the proposed ones awaiting a second person instead."
    )


def _competency(user: Person, competency_id: UUID, field: str = "competency") -> Competency:
    try:
        return competency_get(user=user, competency_id=competency_id)
    except NotVisible:
        raise InvalidInput({field: "No such competency in your district."}) from None


@router.get("/exemplars", response={200: list[ExemplarOut], 400: InvalidOut, 401: ErrorOut})
@paginate(ListPagination)
def exemplar_list(request: HttpRequest, query: Query[ExemplarQuery]) -> QuerySet[Exemplar]:
    """The exemplar library the caller may read: for staff every published exemplar of their
    district (or, with `awaiting`, those proposed and not yet confirmed); for a student the
    published ones of the stage they work at in each competency, and the next."""
    competency = _competency(request.auth, query.competency) if query.competency else None
    return exemplar_library(
        user=request.auth,
        competency_id=competency.pk if competency else None,
        stage=query.stage,
        level=_level(query.level) if query.level is not None else None,
        awaiting=query.awaiting,
    )


@router.get("/exemplars/{exemplar_id}", response={200: ExemplarOut, 401: ErrorOut, 404: ErrorOut})
def exemplar_detail(request: HttpRequest, exemplar_id: str) -> Exemplar:
    return exemplar_get(user=request.auth, exemplar_id=exemplar_id)


class ExemplarIn(Schema):
    competency: UUID
    stage: StageIn
    level: LevelIn
    title: Text
    annotation: Text = Field(description="Why the work sits at this level.")
    missing: Text = Field("", description="What the work would need for the next level.")
    statements: list[UUID] = Field(
        default_factory=list,
        max_length=100,
        description="The stage's evidence statements (ids) the work shows.",
    )
    consent: Literal["author", "policy"] = Field(
        description="The student (or their family) agreed, or the school's policy on sharing."
    )
    consent_note: Text = ""
    revision: UUID | None = Field(
        None, description="A handed-in revision the caller may read: its text and files."
    )
    text: Text = Field("", description="The work's text, when it is not a revision.")
    student: UUID | None = Field(
        None, description="With `text`: whose work it is, so their names are taken out."
    )


def _revision(user: Person, revision_id: UUID) -> Revision | None:
    """A handed-in revision of work `user` may read."""
    submission = submissions_visible_to(user).filter(revisions__uuid=revision_id).first()
    if submission is None:
        return None
    return submission.revisions.filter(uuid=revision_id, submitted_at__isnull=False).first()


def _statements(competency: Competency, stage: int, ids: Iterable[UUID]) -> list:
    ids = list(ids)
    if not ids:
        return []
    found = competency.stages.filter(ordinal=stage).first()
    statements = {s.uuid: s for s in found.evidence_statements.all()} if found else {}
    if found is not None and any(uuid not in statements for uuid in ids):
        raise InvalidInput({"statements": "Choose evidence statements of that stage."})
    return [statements[uuid] for uuid in ids if uuid in statements]


@router.post(
    "/exemplars", response={201: ExemplarOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut}
)
def exemplar_post(request: HttpRequest, body: ExemplarIn) -> tuple[int, Exemplar]:
    """A teacher or admin proposes student work as an exemplar: a handed-in `revision`, or
    `text` (with the `student` whose it is). What is kept is an anonymised copy; it is
    published once a second person confirms it."""
    user = request.auth
    if not is_staff(user):
        raise NotVisible("Only a district's staff propose exemplars.")
    competency = _competency(user, body.competency)
    revision = student = None
    if body.revision is not None:
        revision = _revision(user, body.revision)
        if revision is None:
            raise InvalidInput({"revision": "Choose handed-in work you may read."})
    elif body.student is not None:
        try:
            student = student_get(user=user, student_id=body.student)
        except NotVisible:
            raise InvalidInput({"student": "No such student of yours."}) from None
    exemplar = exemplar_propose(
        actor=user,
        competency=competency,
        stage=body.stage,
        level=_level(body.level),
        title=body.title,
        annotation=body.annotation,
        missing=body.missing,
        statements=_statements(competency, body.stage, body.statements),
        consent=body.consent,
        consent_note=body.consent_note,
        revision=revision,
        text=body.text,
        student=student,
    )
    return 201, exemplar_get(user=user, exemplar_id=exemplar.uuid)


class ConfirmIn(Schema):
    anonymised: bool = Field(
        description="I read the text and opened each file: no name or identifier remains."
    )


@router.post(
    "/exemplars/{exemplar_id}/confirm",
    response={200: ExemplarOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def exemplar_confirm_post(request: HttpRequest, exemplar_id: str, body: ConfirmIn) -> Exemplar:
    """A second person of the district's staff — never the one who proposed it — confirms
    the anonymisation, and the exemplar is published."""
    exemplar = exemplar_get(user=request.auth, exemplar_id=exemplar_id)
    exemplar_confirm(actor=request.auth, exemplar=exemplar, anonymised=body.anonymised)
    return exemplar_get(user=request.auth, exemplar_id=exemplar_id)


# ---- sessions -------------------------------------------------------------------------------


class RaterOut(Schema):
    id: UUID
    name: str
    submitted_at: datetime | None

    @staticmethod
    def resolve_id(rater) -> UUID:
        return rater.person.uuid

    @staticmethod
    def resolve_name(rater) -> str:
        return rater.person.display_name


class CalibrationSessionOut(Schema):
    id: UUID
    title: str
    school: UUID | None = Field(description="None for a session of the whole district.")
    facilitator: UUID
    facilitator_name: str
    created_at: datetime
    revealed_at: datetime | None
    pieces: int = Field(description="How many pieces the session has.")
    raters: list[RaterOut]

    @staticmethod
    def resolve_id(session: CalibrationSession) -> UUID:
        return session.uuid

    @staticmethod
    def resolve_school(session: CalibrationSession) -> UUID | None:
        return session.school.uuid if session.school else None

    @staticmethod
    def resolve_facilitator(session: CalibrationSession) -> UUID:
        return session.facilitator.uuid

    @staticmethod
    def resolve_facilitator_name(session: CalibrationSession) -> str:
        return session.facilitator.display_name

    @staticmethod
    def resolve_pieces(session: CalibrationSession) -> int:
        counted = getattr(session, "piece_count", None)
        return counted if counted is not None else session.pieces.count()

    @staticmethod
    def resolve_raters(session: CalibrationSession) -> list:
        return list(session.raters.all())


@router.get(
    "/calibration-sessions",
    response={200: list[CalibrationSessionOut], 400: InvalidOut, 401: ErrorOut},
)
@paginate(ListPagination)
def calibration_session_list(request: HttpRequest) -> QuerySet[CalibrationSession]:
    """The sessions the caller facilitates or is invited to rate, and every session of the
    schools and districts they administer; newest first."""
    return sessions_of(user=request.auth).annotate(piece_count=Count("pieces", distinct=True))


class LevelOut(Schema):
    value: float
    label: str


class SessionPieceOut(Schema):
    id: UUID
    position: int
    competency: UUID
    competency_code: str
    stage: int
    title: str
    text: str
    files: list[CalibrationFileOut]
    levels: list[LevelOut] = Field(description="The levels of the scale a rating chooses from.")
    consensus_level: float | None
    consensus_rationale: str


class OwnRatingOut(Schema):
    piece: UUID
    level: float
    rationale: str
    created_at: datetime


class CalibrationSessionDetailOut(Schema):
    id: UUID
    title: str
    school: UUID | None
    facilitator: UUID
    facilitator_name: str
    created_at: datetime
    revealed_at: datetime | None
    raters: list[RaterOut]
    pieces: list[SessionPieceOut]
    invited: bool = Field(description="Whether the caller is invited to rate.")
    submitted_at: datetime | None = Field(description="When the caller submitted their ratings.")
    own_ratings: list[OwnRatingOut] = Field(description="The caller's own ratings.")
    ratings_open: bool = Field(
        description="Whether the caller may read everyone's ratings and the statistics: once "
        "they have submitted their own, or once the session is revealed."
    )
    may_run: bool = Field(description="Whether the caller reveals it and records consensus.")


def _piece(piece: SessionPiece, levels: Levels) -> dict[str, Any]:
    return {
        "id": piece.uuid,
        "position": piece.position,
        "competency": piece.competency.uuid,
        "competency_code": piece.competency.code,
        "stage": piece.stage.ordinal,
        "title": piece.title,
        "text": piece.text,
        "files": list(piece.files.all()),
        "levels": [
            {"value": float(level.value), "label": level.label}
            for level in levels.of(piece.competency)
        ],
        "consensus_level": _number(piece.consensus_level),
        "consensus_rationale": piece.consensus_rationale,
    }


def _session_detail(user: Person, session: CalibrationSession) -> dict[str, Any]:
    pieces = session_pieces(session)
    uuids = {piece.pk: piece.uuid for piece in pieces}
    positions = {piece.pk: piece.position for piece in pieces}
    rater = rater_of(user=user, session=session)
    own = own_ratings(user=user, session=session)
    levels = Levels()
    return {
        "id": session.uuid,
        "title": session.title,
        "school": session.school.uuid if session.school else None,
        "facilitator": session.facilitator.uuid,
        "facilitator_name": session.facilitator.display_name,
        "created_at": session.created_at,
        "revealed_at": session.revealed_at,
        "raters": list(session.raters.select_related("person")),
        "pieces": [_piece(piece, levels) for piece in pieces],
        "invited": rater is not None,
        "submitted_at": rater.submitted_at if rater else None,
        "own_ratings": [
            {
                "piece": uuids[rating.piece_id],
                "level": float(rating.level),
                "rationale": rating.rationale,
                "created_at": rating.created_at,
            }
            for rating in sorted(own.values(), key=lambda r: positions[r.piece_id])
        ],
        "ratings_open": may_see_ratings(user, session),
        "may_run": may_run_session(user, session),
    }


@router.get(
    "/calibration-sessions/{session_id}",
    response={200: CalibrationSessionDetailOut, 401: ErrorOut, 404: ErrorOut},
)
def calibration_session_detail(request: HttpRequest, session_id: str) -> dict[str, Any]:
    """A session with its anonymised pieces, and the caller's own ratings — never anyone
    else's (those are at …/ratings once they are open to the caller)."""
    session = session_get(user=request.auth, session_id=session_id)
    return _session_detail(request.auth, session)


class SessionPieceIn(Schema):
    competency: UUID
    stage: StageIn = Field(description="The stage the piece is read against.")
    revision: UUID | None = Field(None, description="Handed-in work the caller may read…")
    exemplar: UUID | None = Field(None, description="…or an exemplar of the district.")
    title: Text = Field("", description="What the piece is; by default its number and stage.")


class CalibrationSessionIn(Schema):
    title: Text
    school: UUID | None = Field(
        None, description="The school whose teachers rate; none for the whole district."
    )
    pieces: list[SessionPieceIn] = Field(max_length=50, description="From 3 to 10 pieces.")
    raters: list[UUID] = Field(max_length=200, description="The teachers invited (at least 2).")


def _piece_spec(user: Person, number: int, piece: SessionPieceIn) -> PieceSpec:
    name = f"pieces-{number}"
    competency = _competency(user, piece.competency, name)
    revision = exemplar = None
    if piece.revision is not None:
        revision = _revision(user, piece.revision)
        if revision is None:
            raise InvalidInput({name: "Choose handed-in work you may read."})
    if piece.exemplar is not None:
        exemplar = exemplars_visible_to(user).filter(uuid=piece.exemplar).first()
        if exemplar is None:
            raise InvalidInput({name: "Choose an exemplar of your district."})
    return PieceSpec(
        competency=competency,
        stage=piece.stage,
        revision=revision,
        exemplar=exemplar,
        title=piece.title,
    )


@router.post(
    "/calibration-sessions",
    response={201: CalibrationSessionDetailOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def calibration_session_post(request: HttpRequest, body: CalibrationSessionIn) -> tuple:
    """Open a session of 3–10 anonymised pieces (handed-in work or exemplars, each read
    against a stage) for the invited teachers to rate blind: a teacher or school admin for a
    school they serve, a district admin for any school or the whole district."""
    user = request.auth
    if not is_staff(user):
        raise NotVisible("You may not open a calibration session.")
    school = None
    if body.school is not None:
        school = user.district.schools.filter(uuid=body.school).first()
        if school is None:
            raise InvalidInput({"school": "No such school in your district."})
    pieces = [_piece_spec(user, n, piece) for n, piece in enumerate(body.pieces, start=1)]
    teachers = {
        teacher.uuid: teacher for teacher in teachers_of_district(district_id=user.district_id)
    }
    if any(uuid not in teachers for uuid in body.raters):
        raise InvalidInput({"raters": "Invite teachers of your district."})
    session = session_open(
        actor=user,
        title=body.title,
        school=school,
        pieces=pieces,
        raters=[teachers[uuid] for uuid in body.raters],
    )
    return 201, _session_detail(user, session_get(user=user, session_id=session.uuid))


class RatingOut(Schema):
    piece: UUID
    rater: UUID
    rater_name: str
    level: float
    rationale: str
    created_at: datetime

    @staticmethod
    def resolve_piece(rating: PieceRating) -> UUID:
        return rating.piece.uuid

    @staticmethod
    def resolve_rater(rating: PieceRating) -> UUID:
        return rating.rater.uuid

    @staticmethod
    def resolve_rater_name(rating: PieceRating) -> str:
        return rating.rater.display_name

    @staticmethod
    def resolve_level(rating: PieceRating) -> float:
        return float(rating.level)


def _blind(user: Person, session: CalibrationSession) -> None:
    """NotVisible, saying why, while the session's ratings are still blind to `user`."""
    if not may_see_ratings(user, session):
        invited = rater_of(user=user, session=session) is not None
        raise NotVisible(BLIND if invited else BLIND_TO_NON_RATERS)


@router.get(
    "/calibration-sessions/{session_id}/ratings",
    response={200: list[RatingOut], 401: ErrorOut, 404: ErrorOut},
)
def calibration_ratings(request: HttpRequest, session_id: str) -> list[PieceRating]:
    """Everyone's submitted ratings of the session's pieces. Blind: 404 ("Submit your own
    ratings first …") until the caller has submitted their own, or the session is revealed."""
    session = session_get(user=request.auth, session_id=session_id)
    _blind(request.auth, session)
    ratings = ratings_of(user=request.auth, session=session)
    return sorted(ratings, key=lambda r: (r.piece.position, r.rater.display_name, r.pk))


class RatingIn(Schema):
    piece: UUID
    level: LevelIn
    rationale: Text = Field(description="Briefly, why this level.")


class RatingsIn(Schema):
    ratings: list[RatingIn] = Field(max_length=50, description="One for every piece.")


@router.post(
    "/calibration-sessions/{session_id}/ratings",
    response={201: list[OwnRatingOut], 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def calibration_ratings_post(request: HttpRequest, session_id: str, body: RatingsIn) -> tuple:
    """An invited teacher's blind ratings of every piece, submitted once; errors name each
    piece by its position (`piece-2`, `piece-2-rationale`)."""
    session = session_get(user=request.auth, session_id=session_id)
    pieces = {piece.uuid: piece for piece in session.pieces.all()}
    given: dict[SessionPiece, RatingSpec] = {}
    for rating in body.ratings:
        piece = pieces.get(rating.piece)
        if piece is None or piece in given:
            raise InvalidInput({"ratings": "Rate each piece of this session once."})
        given[piece] = RatingSpec(level=_level(rating.level), rationale=rating.rationale)
    created = ratings_submit(actor=request.auth, session=session, ratings=given)
    return 201, [
        {
            "piece": rating.piece.uuid,
            "level": float(rating.level),
            "rationale": rating.rationale,
            "created_at": rating.created_at,
        }
        for rating in sorted(created, key=lambda r: r.piece.position)
    ]


@router.post(
    "/calibration-sessions/{session_id}/reveal",
    response={200: CalibrationSessionDetailOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def calibration_session_reveal(request: HttpRequest, session_id: str) -> dict[str, Any]:
    """The facilitator (or an admin of its school or district) shows everyone the ratings;
    rating closes. At least two teachers must have submitted."""
    session = session_get(user=request.auth, session_id=session_id)
    session_reveal(actor=request.auth, session=session)
    return _session_detail(request.auth, session_get(user=request.auth, session_id=session_id))


class ConsensusIn(Schema):
    level: LevelIn
    rationale: Text = Field(description="Why the group agreed on this level.")


@router.post(
    "/calibration-sessions/{session_id}/pieces/{piece_id}/consensus",
    response={200: SessionPieceOut, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut},
)
def calibration_consensus_post(
    request: HttpRequest, session_id: str, piece_id: str, body: ConsensusIn
) -> dict[str, Any]:
    """After the reveal, the level the group agreed for a piece, and why."""
    session = session_get(user=request.auth, session_id=session_id)
    try:
        wanted = UUID(piece_id)
    except ValueError:
        wanted = None
    piece = next((p for p in session_pieces(session) if p.uuid == wanted), None)
    if piece is None:
        raise NotVisible(f"No piece {piece_id} in this session.")
    agreed = consensus_record(
        actor=request.auth, piece=piece, level=_level(body.level), rationale=body.rationale
    )
    return _piece(agreed, Levels())


# ---- statistics -----------------------------------------------------------------------------


class PersonOut(Schema):
    id: UUID
    name: str


class PairOut(Schema):
    first: UUID
    second: UUID
    kappa: float | None = Field(description="Quadratic-weighted κ over the pieces both rated.")
    exact: float | None
    pieces: int


class StageAgreementOut(Schema):
    competency: UUID
    competency_code: str
    stage: int
    pieces: int
    alpha: float | None
    reading: str


class LevelCountOut(Schema):
    level: float
    label: str
    count: int


class PieceSpreadOut(Schema):
    piece: UUID
    position: int
    spread: int = Field(description="Levels between the lowest and highest rating (0: agreed).")
    counts: list[LevelCountOut]
    consensus_level: float | None


class StatisticsOut(Schema):
    raters: list[PersonOut] = Field(description="The raters who submitted.")
    exact: float | None = Field(description="Share of pairs of ratings that agree exactly.")
    adjacent: float | None = Field(description="Share within one level.")
    alpha: float | None = Field(description="Krippendorff's α (ordinal) over the session.")
    reading: str = Field(description="What α says, in words.")
    pairs: list[PairOut]
    stages: list[StageAgreementOut]
    pieces: list[PieceSpreadOut]


@router.get(
    "/calibration-sessions/{session_id}/statistics",
    response={200: StatisticsOut, 401: ErrorOut, 404: ErrorOut},
)
def calibration_statistics(request: HttpRequest, session_id: str) -> dict[str, Any]:
    """How far the raters agreed: exact and adjacent agreement, κ for each pair, α overall
    and per (competency, stage), and the spread of each piece. Blind like the ratings: 404
    until the caller has submitted their own, or the session is revealed."""
    session = session_get(user=request.auth, session_id=session_id)
    _blind(request.auth, session)
    agreement = session_agreement(session)
    return {
        "raters": [{"id": p.uuid, "name": p.display_name} for p in agreement.raters],
        "exact": _finite(agreement.exact),
        "adjacent": _finite(agreement.adjacent),
        "alpha": _finite(agreement.alpha),
        "reading": agreement.reading,
        "pairs": [
            {
                "first": pair.first.uuid,
                "second": pair.second.uuid,
                "kappa": _finite(pair.kappa),
                "exact": _finite(pair.exact),
                "pieces": pair.pieces,
            }
            for pair in agreement.pairs
        ],
        "stages": [
            {
                "competency": stage.competency.uuid,
                "competency_code": stage.competency.code,
                "stage": stage.stage,
                "pieces": stage.pieces,
                "alpha": _finite(stage.alpha),
                "reading": stage.reading,
            }
            for stage in agreement.stages
        ],
        "pieces": [
            {
                "piece": spread.piece.uuid,
                "position": spread.piece.position,
                "spread": spread.spread,
                "counts": [
                    {"level": float(c.level.value), "label": c.level.label, "count": c.count}
                    for c in spread.counts
                ],
                "consensus_level": _number(spread.piece.consensus_level),
            }
            for spread in agreement.pieces
        ],
    }


# ---- drift ----------------------------------------------------------------------------------


class CompetencyDriftOut(Schema):
    competency: UUID
    competency_code: str
    ratings: int
    mean_difference: float | None
    exact_rate: float | None
    adjacent_rate: float | None
    direction: str


class SessionDriftOut(Schema):
    session: UUID
    title: str
    created_at: datetime
    mean_difference: float


class DriftOut(Schema):
    ratings: int = Field(description="Ratings of pieces with a consensus.")
    mean_difference: float | None = Field(
        description="Mean signed difference from consensus, in levels: below 0 harsher than "
        "the group, above 0 more lenient."
    )
    exact_rate: float | None
    adjacent_rate: float | None
    direction: str
    flagged: bool = Field(description="Past the district's threshold over enough ratings.")
    by_competency: list[CompetencyDriftOut]
    by_session: list[SessionDriftOut] = Field(description="Oldest first: the trend.")


class TeacherDriftOut(DriftOut):
    teacher: UUID
    name: str


class AlphaOut(Schema):
    session: UUID
    title: str
    created_at: datetime
    alpha: float | None


class DistrictDriftOut(Schema):
    threshold: float
    minimum: int
    teachers: list[TeacherDriftOut] = Field(description="Those who drift most first.")
    alpha_trend: list[AlphaOut] = Field(description="α of each revealed session, oldest first.")


def _figures(drift: Drift) -> dict[str, Any]:
    return {
        "ratings": drift.ratings,
        "mean_difference": _finite(drift.mean),
        "exact_rate": _finite(drift.exact_rate),
        "adjacent_rate": _finite(drift.adjacent_rate),
        "direction": drift.direction,
    }


def _drift(drift: TeacherDrift | None) -> dict[str, Any]:
    if drift is None:
        return {**_figures(Drift()), "flagged": False, "by_competency": [], "by_session": []}
    return {
        **_figures(drift.overall),
        "flagged": drift.flagged,
        "by_competency": [
            {"competency": c.uuid, "competency_code": c.code, **_figures(figures)}
            for c, figures in sorted(drift.by_competency.items(), key=lambda item: item[0].code)
        ],
        "by_session": [
            {
                "session": session.uuid,
                "title": session.title,
                "created_at": session.created_at,
                "mean_difference": _finite(mean) or 0.0,
            }
            for session, mean in drift.by_session
        ],
    }


@router.get("/calibration/drift", response={200: DriftOut, 401: ErrorOut, 404: ErrorOut})
def calibration_drift(request: HttpRequest) -> dict[str, Any]:
    """The caller's own drift from the consensus of the sessions they rated (for teachers
    and admins; zero ratings until a session they rated has a consensus)."""
    return _drift(drift_of_self(user=request.auth))


@router.get(
    "/calibration/drift/teachers", response={200: DistrictDriftOut, 401: ErrorOut, 404: ErrorOut}
)
def calibration_drift_teachers(request: HttpRequest) -> dict[str, Any]:
    """For school and district admins: every teacher's drift over the sessions they
    administer, those who drift most first, and the trend of α across those sessions."""
    found = drift_of_all(user=request.auth)
    return {
        "threshold": float(found.threshold),
        "minimum": found.minimum,
        "teachers": [
            {"teacher": d.teacher.uuid, "name": d.teacher.display_name, **_drift(d)}
            for d in found.teachers
        ],
        "alpha_trend": [
            {
                "session": session.uuid,
                "title": session.title,
                "created_at": session.created_at,
                "alpha": _finite(alpha),
            }
            for session, alpha in found.alphas
        ],
    }
