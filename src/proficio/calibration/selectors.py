"""Reads of calibration, always scoped to the requesting user."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from uuid import UUID

from django.db.models import Q, QuerySet

from proficio.calibration.models import (
    CalibrationSession,
    CalibrationSettings,
    Exemplar,
    ExemplarFile,
    PieceFile,
    PieceRating,
    PracticeRound,
    SessionPiece,
    SessionRater,
)
from proficio.calibration.permissions import (
    NOTHING,
    exemplars_visible_q,
    is_staff,
    may_see_ratings,
    sessions_visible_to,
)
from proficio.calibration.statistics import TeacherDrift, session_agreement, teachers_drift
from proficio.lib.errors import NotVisible
from proficio.lib.visibility import visible_get
from proficio.mastery.api import students_mastery
from proficio.people.api import (
    Person,
    Role,
    districts_administered_by,
    roles_of,
    schools_administered_by,
    staff_school_ids,
    teachers_by_school,
    teachers_of_district,
)

EXEMPLAR_READS = ("competency__framework", "stage", "created_by", "confirmed_by")


def student_stages_q(student: Person) -> Q:
    """The (competency, stage) pairs whose exemplars a student reads: the stage they work at
    in each competency, and the next one."""
    pairs = []
    for status in students_mastery(students=[student], explained=False)[student.pk]:
        if status.working_stage is not None:
            pairs.append(
                Q(
                    competency_id=status.competency.pk,
                    stage__ordinal__in=[status.working_stage, status.working_stage + 1],
                )
            )
    return reduce(or_, pairs) if pairs else NOTHING


def exemplars_visible_to(user: Person) -> QuerySet[Exemplar]:
    stages = None
    if not is_staff(user) and Role.STUDENT in roles_of(user):
        stages = student_stages_q(user)
    return Exemplar.objects.filter(exemplars_visible_q(user, stages))


def exemplar_get(*, user: Person, exemplar_id: UUID | str) -> Exemplar:
    return visible_get(
        exemplars_visible_to(user).select_related(*EXEMPLAR_READS), exemplar_id, "exemplar"
    )


def exemplar_library(
    *,
    user: Person,
    competency_id: int | None = None,
    stage: int | None = None,
    level=None,
    awaiting: bool = False,
) -> QuerySet[Exemplar]:
    """The library: published exemplars (or, for staff, those awaiting a second person),
    narrowed by competency, stage and level."""
    found = exemplars_visible_to(user).select_related(*EXEMPLAR_READS)
    found = (
        found.filter(published_at__isnull=True) if awaiting else found.exclude(published_at=None)
    )
    if competency_id is not None:
        found = found.filter(competency_id=competency_id)
    if stage is not None:
        found = found.filter(stage__ordinal=stage)
    if level is not None:
        found = found.filter(level=level)
    return found.prefetch_related("files", "statements").order_by(
        "competency__code", "stage__ordinal", "level", "pk"
    )


def exemplar_file_get(*, user: Person, file_id: UUID | str) -> ExemplarFile:
    return visible_get(
        ExemplarFile.objects.filter(exemplar__in=exemplars_visible_to(user)), file_id, "file"
    )


def session_get(*, user: Person, session_id: UUID | str) -> CalibrationSession:
    return visible_get(
        sessions_visible_to(user).select_related("facilitator", "school", "district"),
        session_id,
        "session",
    )


def sessions_of(*, user: Person) -> QuerySet[CalibrationSession]:
    return (
        sessions_visible_to(user)
        .select_related("facilitator", "school")
        .prefetch_related("raters__person")
        .order_by("-created_at", "-pk")
    )


def session_pieces(session: CalibrationSession) -> list[SessionPiece]:
    return list(
        session.pieces.select_related(
            "competency__scale", "competency__framework__scale", "stage", "exemplar"
        ).prefetch_related("files", "stage__evidence_statements")
    )


def own_ratings(*, user: Person, session: CalibrationSession) -> dict[int, PieceRating]:
    """The user's own ratings in a session, by piece id."""
    return {
        rating.piece_id: rating
        for rating in PieceRating.objects.filter(piece__session=session, rater_id=user.pk)
    }


def ratings_of(*, user: Person, session: CalibrationSession) -> list[PieceRating]:
    """Everyone's ratings in the session, or NotVisible while `user` may not see them yet:
    blind until they have submitted their own, or until the reveal."""
    if not may_see_ratings(user, session):
        raise NotVisible(f"The ratings of session {session.uuid} are not open to you yet.")
    return list(
        PieceRating.objects.filter(
            piece__session=session,
            rater__in=SessionRater.objects.filter(
                session=session, submitted_at__isnull=False
            ).values("person_id"),
        ).select_related("rater", "piece")
    )


def rater_of(*, user: Person, session: CalibrationSession) -> SessionRater | None:
    return SessionRater.objects.filter(session=session, person_id=user.pk).first()


def piece_file_get(*, user: Person, file_id: UUID | str) -> PieceFile:
    return visible_get(
        PieceFile.objects.filter(piece__session__in=sessions_visible_to(user)), file_id, "file"
    )


def settings_of(district_id: int) -> CalibrationSettings:
    """The district's calibration settings, the defaults until an admin sets them."""
    found = CalibrationSettings.objects.filter(district_id=district_id).first()
    return found or CalibrationSettings(district_id=district_id)


def _consensus_ratings(sessions: QuerySet[CalibrationSession]) -> QuerySet[PieceRating]:
    return PieceRating.objects.filter(
        piece__session__in=sessions.filter(revealed_at__isnull=False),
        piece__consensus_level__isnull=False,
    ).select_related(
        "rater",
        "piece__session",
        "piece__competency__scale",
        "piece__competency__framework__scale",
    )


def drift_of_self(*, user: Person) -> TeacherDrift | None:
    """The user's own drift from consensus across every session they rated."""
    if not is_staff(user):
        raise NotVisible("Drift is kept for teachers.")
    settings = settings_of(user.district_id)
    ratings = list(
        _consensus_ratings(CalibrationSession.objects.filter(district_id=user.district_id)).filter(
            rater_id=user.pk
        )
    )
    found = teachers_drift(
        ratings, threshold=settings.drift_threshold, minimum=settings.drift_minimum
    )
    return found[0] if found else None


def administered_sessions(user: Person) -> QuerySet[CalibrationSession]:
    """Every session of the schools and districts `user` administers."""
    return CalibrationSession.objects.filter(
        Q(school__in=schools_administered_by(user))
        | Q(district__in=districts_administered_by(user))
    )


def may_see_drift_of_all(user: Person) -> bool:
    return bool({Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN} & set(roles_of(user)))


@dataclass(frozen=True)
class DistrictDrift:
    teachers: list[TeacherDrift]
    # (session, α ordinal), oldest first: the district's trend.
    alphas: list[tuple[CalibrationSession, float | None]]
    threshold: object
    minimum: int


def drift_of_all(*, user: Person) -> DistrictDrift:
    """For a school or district admin: every teacher's drift over the sessions they
    administer, and the trend of α across those sessions."""
    if not may_see_drift_of_all(user):
        raise NotVisible("Everyone's drift is for school and district admins.")
    settings = settings_of(user.district_id)
    sessions = administered_sessions(user)
    teachers = teachers_drift(
        list(_consensus_ratings(sessions)),
        threshold=settings.drift_threshold,
        minimum=settings.drift_minimum,
    )
    revealed = sessions.filter(revealed_at__isnull=False).order_by("created_at", "pk")
    alphas = [(session, session_agreement(session).alpha) for session in revealed]
    return DistrictDrift(
        teachers=teachers,
        alphas=alphas,
        threshold=settings.drift_threshold,
        minimum=settings.drift_minimum,
    )


def practice_rounds_of(*, user: Person, competency_ids: Iterable[int] | None = None):
    rounds = PracticeRound.objects.filter(person_id=user.pk).select_related("competency")
    if competency_ids is not None:
        rounds = rounds.filter(competency_id__in=list(competency_ids))
    return rounds


def to_practise(*, user: Person) -> list:
    """Calibrate before you rate: the competencies with published exemplars that `user` has
    not practised yet (empty unless the district chose it)."""
    if not is_staff(user) or not settings_of(user.district_id).calibrate_first:
        return []
    practised = PracticeRound.objects.filter(person_id=user.pk).values("competency_id")
    with_exemplars = (
        Exemplar.objects.filter(
            district_id=user.district_id, published_at__isnull=False, withdrawn_at__isnull=True
        )
        .exclude(competency_id__in=practised)
        .select_related("competency")
        .order_by("competency__code")
    )
    seen, found = set(), []
    for exemplar in with_exemplars:
        if exemplar.competency_id not in seen:
            seen.add(exemplar.competency_id)
            found.append(exemplar.competency)
    return found


def invitable_teachers(*, user: Person):
    """Teachers the user may invite: of the schools they serve, or of the whole district
    for a district admin; with the schools each teaches at."""
    teaching = teachers_by_school(district_id=user.district_id)
    if districts_administered_by(user).filter(pk=user.district_id).exists():
        allowed = {pid for people in teaching.values() for pid in people}
    else:
        allowed = {pid for school in staff_school_ids(user) for pid in teaching.get(school, [])}
    return [t for t in teachers_of_district(district_id=user.district_id) if t.pk in allowed]


def piece_get(*, user: Person, piece_id: UUID | str) -> SessionPiece:
    return visible_get(
        SessionPiece.objects.filter(session__in=sessions_visible_to(user)).select_related(
            "session", "competency__framework", "stage"
        ),
        piece_id,
        "piece",
    )


def sessions_waiting_for(*, user: Person) -> list[CalibrationSession]:
    """The open sessions `user` was invited to and has not rated yet."""
    return list(
        CalibrationSession.objects.filter(
            revealed_at__isnull=True,
            raters__person_id=user.pk,
            raters__submitted_at__isnull=True,
        ).select_related("facilitator", "school")
    )


@dataclass(frozen=True)
class CalibrationCounts:
    """How far a district has come in building its shared picture of quality: exemplars
    published (and the stages they sit at), exemplars awaiting a second person, and sessions
    opened and held (revealed). Counts only: no work, no names."""

    exemplars: int
    exemplars_awaiting: int
    exemplar_stage_ids: frozenset[int]
    sessions_opened: int
    sessions_held: int


def calibration_counts(*, district_id: int) -> CalibrationCounts:
    """The district's calibration counts, for its implementation plan (the reports app)."""
    exemplars = Exemplar.objects.filter(district_id=district_id, withdrawn_at__isnull=True)
    published = exemplars.exclude(published_at=None)
    sessions = CalibrationSession.objects.filter(district_id=district_id)
    return CalibrationCounts(
        exemplars=published.count(),
        exemplars_awaiting=exemplars.filter(published_at=None).count(),
        exemplar_stage_ids=frozenset(published.values_list("stage_id", flat=True).distinct()),
        sessions_opened=sessions.count(),
        sessions_held=sessions.filter(revealed_at__isnull=False).count(),
    )


def session_agreement_for(*, user: Person, session: CalibrationSession):
    """A session's agreement for someone who may see its ratings (blind until then)."""
    if not may_see_ratings(user, session):
        raise NotVisible(f"The ratings of session {session.uuid} are not open to you yet.")
    return session_agreement(session)
