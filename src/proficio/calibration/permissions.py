"""Who reads and writes exemplars and calibration sessions, each rule once: a yes/no check
paired with the queryset filter it agrees with.

Exemplars are the district's: its staff propose, confirm and read them all; a student reads
the published ones of the stage they work at and the next. Sessions belong to their
facilitator and the teachers invited: a rater sees no one else's rating until they have
submitted their own (or the session is revealed); the facilitator, and admins of the
session's school or district, see the ratings once revealed.
"""

from django.db.models import Q, QuerySet

from proficio.calibration.models import (
    CalibrationSession,
    Exemplar,
    SessionPiece,
    SessionRater,
)
from proficio.people.api import (
    Person,
    Role,
    districts_administered_by,
    is_signed_in,
    roles_of,
    schools_administered_by,
    staff_school_ids,
)

STAFF_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})
NOTHING = Q(pk__in=[])


def is_staff(user: Person) -> bool:
    """A teacher or admin of a district (the people who read work against stages)."""
    return (
        is_signed_in(user)
        and user.district_id is not None
        and bool(STAFF_ROLES & set(roles_of(user)))
    )


def exemplars_visible_q(user: Person, student_stages: Q | None = None) -> Q:
    """The exemplars `user` may read (a filter on Exemplar): every one of their district
    for its staff, withdrawn ones aside; for a student, the published ones at the
    (competency, stage) pairs in `student_stages` (their working stage and the next)."""
    if is_staff(user):
        # An exemplar that is a piece of a session the teacher still rates blind would show
        # its placed level: hidden from them until they submit or the session is revealed.
        rating_blind = SessionPiece.objects.filter(
            session__revealed_at__isnull=True,
            session__raters__person_id=user.pk,
            session__raters__submitted_at__isnull=True,
            source_exemplar__isnull=False,
        ).values("source_exemplar_id")
        return Q(district_id=user.district_id, withdrawn_at__isnull=True) & ~Q(pk__in=rating_blind)
    if is_signed_in(user) and Role.STUDENT in roles_of(user) and student_stages is not None:
        return (
            Q(district_id=user.district_id, withdrawn_at__isnull=True, published_at__isnull=False)
            & student_stages
        )
    return NOTHING


def may_confirm_exemplar(user: Person, exemplar: Exemplar) -> bool:
    """A second person of the district's staff confirms the anonymisation: never the one who
    proposed the exemplar."""
    return (
        is_staff(user)
        and user.district_id == exemplar.district_id
        and user.pk != exemplar.created_by_id
        and exemplar.published_at is None
        and exemplar.withdrawn_at is None
    )


def may_withdraw_exemplar(user: Person, exemplar: Exemplar) -> bool:
    """Whoever proposed it, and the district's admins, take an exemplar back."""
    return exemplar.withdrawn_at is None and (
        user.pk == exemplar.created_by_id
        or districts_administered_by(user).filter(pk=exemplar.district_id).exists()
    )


def sessions_visible_q(user: Person) -> Q:
    """The sessions `user` may open (a filter on CalibrationSession): those they facilitate
    or are invited to; every session of the schools and districts they administer."""
    if not is_signed_in(user):
        return NOTHING
    administered = Q(school__in=schools_administered_by(user)) | Q(
        district__in=districts_administered_by(user)
    )
    if not is_staff(user):
        return administered
    # Facilitators and raters, while they are staff of the session's district.
    return (
        Q(district_id=user.district_id)
        & (
            Q(facilitator_id=user.pk)
            | Q(pk__in=SessionRater.objects.filter(person_id=user.pk).values("session_id"))
        )
    ) | administered


def sessions_visible_to(user: Person) -> QuerySet[CalibrationSession]:
    return CalibrationSession.objects.filter(sessions_visible_q(user))


def may_see_session(user: Person, session: CalibrationSession) -> bool:
    return sessions_visible_to(user).filter(pk=session.pk).exists()


def may_open_session(user: Person, *, district_id: int, school_id: int | None) -> bool:
    """A teacher or school admin opens a session of a school they serve; a district admin
    opens one of any school of their district, or one for the whole district."""
    if not is_staff(user) or user.district_id != district_id:
        return False
    if districts_administered_by(user).filter(pk=district_id).exists():
        return True
    return school_id is not None and school_id in staff_school_ids(user)


def may_run_session(user: Person, session: CalibrationSession) -> bool:
    """The facilitator, and the admins of the session's school or district, reveal it and
    record the consensus."""
    if not is_signed_in(user):
        return False
    if user.pk == session.facilitator_id:
        return True
    if districts_administered_by(user).filter(pk=session.district_id).exists():
        return True
    return (
        session.school_id is not None
        and schools_administered_by(user).filter(pk=session.school_id).exists()
    )


def has_submitted(user: Person, session: CalibrationSession) -> bool:
    return SessionRater.objects.filter(
        session=session, person_id=user.pk, submitted_at__isnull=False
    ).exists()


def may_see_ratings(user: Person, session: CalibrationSession) -> bool:
    """Blind until then: the ratings of others once `user` has submitted their own, or once
    the session is revealed (for anyone who may open it)."""
    if not may_see_session(user, session):
        return False
    return session.revealed_at is not None or has_submitted(user, session)
