"""Pages of calibration sessions: the calibration home, opening a session, rating it blind,
the reveal with its agreement, the consensus and promotion of a piece to an exemplar."""

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.calibration.anonymise import identifiers_of, scrub
from proficio.calibration.forms import ConsensusForm, PromoteForm
from proficio.calibration.permissions import (
    may_open_session,
    may_run_session,
    may_see_ratings,
)
from proficio.calibration.selectors import (
    exemplar_library,
    invitable_teachers,
    may_see_drift_of_all,
    own_ratings,
    piece_file_get,
    piece_get,
    rater_of,
    ratings_of,
    session_get,
    session_pieces,
    sessions_of,
    sessions_waiting_for,
    to_practise,
)
from proficio.calibration.services import (
    PIECES_MAX,
    PIECES_MIN,
    PieceSpec,
    RatingSpec,
    consensus_record,
    piece_promote,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.calibration.statistics import Levels, session_agreement
from proficio.calibration.viewing import staff_only
from proficio.frameworks.api import competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.http.kept_files import kept_file_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import districts_administered_by, staff_school_ids, staff_schools
from proficio.work.api import handed_in_visible_to


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sessions waiting for the teacher's ratings, those they run or ran, and the ways on."""
    staff_only(request.user)
    sessions = list(sessions_of(user=request.user))
    waiting = sessions_waiting_for(user=request.user)
    return render(
        request,
        "calibration/home.html",
        {
            "waiting": waiting,
            "open": [s for s in sessions if s.revealed_at is None and s not in waiting],
            "past": [s for s in sessions if s.revealed_at is not None],
            "awaiting": exemplar_library(user=request.user, awaiting=True).count(),
            "to_practise": to_practise(user=request.user),
            "admin": may_see_drift_of_all(request.user),
            "may_open": bool(staff_school_ids(request.user))
            or districts_administered_by(request.user).exists(),
        },
    )


def _schools(user) -> list[tuple[str, str]]:
    """Where `user` may open a session: their schools, and the whole district for its
    admins."""
    choices = []
    if districts_administered_by(user).filter(pk=user.district_id).exists():
        choices.append(("", _("The whole district")))
    for school in staff_schools(user):
        choices.append((str(school.uuid), school.name))
    return choices


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def session_new(request: HttpRequest) -> HttpResponse:
    """Open a session: a title, the school (or the district), 3–10 pieces each read against
    a (competency, stage), and the teachers invited to rate."""
    staff_only(request.user)
    revisions = handed_in_visible_to(user=request.user)
    for revision in revisions:
        # Chosen blind too: what the piece says, never whose it is.
        revision.excerpt = scrub(revision.text, identifiers_of(revision.submission.student))
        revision.choice = f"r:{revision.uuid}"
    exemplars = list(exemplar_library(user=request.user))
    for exemplar in exemplars:
        exemplar.choice = f"e:{exemplar.uuid}"
    competencies = {str(c.uuid): c for c in competency_list_visible_to(request.user)}
    teachers = invitable_teachers(user=request.user)
    schools = _schools(request.user)
    errors: dict[str, str] = {}
    chosen = request.POST.getlist("piece")
    if request.method == "POST":
        by_revision = {f"r:{r.uuid}": r for r in revisions}
        by_exemplar = {f"e:{e.uuid}": e for e in exemplars}
        pieces = []
        for value in chosen:
            competency_id, _sep, stage = request.POST.get(f"against-{value}", "").partition(":")
            competency = competencies.get(competency_id)
            if competency is None or not re.fullmatch(r"[0-9]{1,4}", stage):
                errors[f"against-{value}"] = _(
                    "Choose the competency and stage to read it against."
                )
                continue
            pieces.append(
                PieceSpec(
                    competency=competency,
                    stage=int(stage),
                    revision=by_revision.get(value),
                    exemplar=by_exemplar.get(value),
                )
            )
        school_id = request.POST.get("school", "")
        school = (
            staff_schools(request.user).filter(uuid=school_id).first()
            if _is_uuid(school_id)
            else None
        )
        invited = [t for t in teachers if str(t.uuid) in request.POST.getlist("raters")]
        if school_id and school is None:
            errors["school"] = _("Choose one of your schools.")
        if not errors:
            try:
                if not may_open_session(
                    request.user,
                    district_id=request.user.district_id,
                    school_id=school and school.pk,
                ):
                    raise InvalidInput({"school": _("You may not open a session there.")})
                session = session_open(
                    actor=request.user,
                    title=request.POST.get("title", ""),
                    school=school,
                    pieces=pieces,
                    raters=invited,
                )
            except InvalidInput as invalid:
                errors = invalid.errors
            else:
                messages.success(request, _("Opened: the teachers you invited can rate now."))
                return redirect("calibration:session", session_id=session.uuid)
    return render(
        request,
        "calibration/session_new.html",
        {
            "revisions": revisions,
            "exemplars": exemplars,
            "teachers": teachers,
            "schools": schools,
            "errors": errors,
            "chosen": set(chosen),
            "raters": set(request.POST.getlist("raters")),
            "title": request.POST.get("title", ""),
            "school": request.POST.get("school", ""),
            "least": PIECES_MIN,
            "most": PIECES_MAX,
            "post": request.POST,
        },
        status=422 if errors else 200,
    )


@require_safe
@login_required
@not_visible_is_404
def session_page(request: HttpRequest, session_id: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    return _session_page(request, session)


def _session_page(request, session, *, errors=None, given=None, status=200) -> HttpResponse:
    user = request.user
    pieces = session_pieces(session)
    levels = Levels()
    rater = rater_of(user=user, session=session)
    open_to_rate = rater is not None and rater.submitted_at is None and session.revealed_at is None
    seeing = may_see_ratings(user, session)
    agreement = session_agreement(session) if seeing else None
    by_piece = defaultdict(list)
    if seeing:
        for rating in ratings_of(user=user, session=session):
            by_piece[rating.piece_id].append(rating)
    runs = may_run_session(user, session)
    rows = []
    for n, piece in enumerate(pieces):
        rows.append(
            {
                "piece": piece,
                "levels": levels.of(piece.competency),
                "statements": list(piece.stage.evidence_statements.all()),
                "ratings": [
                    (r, levels.label(piece.competency, r.level)) for r in by_piece[piece.pk]
                ],
                "spread": agreement.pieces[n] if agreement else None,
                "given_level": (given or {}).get(f"level-{piece.uuid}", ""),
                "given_rationale": (given or {}).get(f"rationale-{piece.uuid}", ""),
                "consensus_form": ConsensusForm(
                    prefix=str(piece.uuid),
                    initial={
                        "level": piece.consensus_level,
                        "rationale": piece.consensus_rationale,
                    },
                ),
                "promote_form": PromoteForm(prefix=f"promote-{piece.uuid}"),
            }
        )
    raters = list(session.raters.select_related("person").order_by("person__last_name"))
    return render(
        request,
        "calibration/session.html",
        {
            "session": session,
            "rows": rows,
            "rater": rater,
            "open_to_rate": open_to_rate,
            "seeing": seeing,
            "agreement": agreement,
            "runs": runs,
            "raters": raters,
            "submitted": sum(1 for r in raters if r.submitted_at),
            "own": own_ratings(user=user, session=session),
            "errors": errors or {},
        },
        status=status,
    )


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _decimal(value: str):
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


@require_POST
@login_required
@not_visible_is_404
def session_rate(request: HttpRequest, session_id: str) -> HttpResponse:
    """An invited teacher submits their ratings of every piece, once."""
    session = session_get(user=request.user, session_id=session_id)
    ratings = {}
    for piece in session_pieces(session):
        level = _decimal(request.POST.get(f"level-{piece.uuid}", ""))
        if level is not None:
            ratings[piece] = RatingSpec(
                level=level, rationale=request.POST.get(f"rationale-{piece.uuid}", "")
            )
    try:
        ratings_submit(actor=request.user, session=session, ratings=ratings)
    except InvalidInput as invalid:
        return _session_page(
            request, session, errors=invalid.errors, given=request.POST, status=422
        )
    messages.success(request, _("Submitted. You can now see how the others rated so far."))
    return redirect("calibration:session", session_id=session.uuid)


@require_POST
@login_required
@not_visible_is_404
def session_reveal_view(request: HttpRequest, session_id: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    try:
        session_reveal(actor=request.user, session=session)
    except InvalidInput as invalid:
        messages.error(request, next(iter(invalid.errors.values())))
    else:
        messages.success(request, _("Revealed: everyone sees the ratings; rating is closed."))
    return redirect("calibration:session", session_id=session.uuid)


@require_POST
@login_required
@not_visible_is_404
def piece_consensus(request: HttpRequest, piece_id: str) -> HttpResponse:
    piece = piece_get(user=request.user, piece_id=piece_id)
    form = ConsensusForm(request.POST, prefix=str(piece.uuid))
    if form.is_valid():
        try:
            consensus_record(actor=request.user, piece=piece, **form.cleaned_data)
        except InvalidInput as invalid:
            messages.error(request, next(iter(invalid.errors.values())))
        else:
            messages.success(
                request, _("Consensus recorded for %(title)s.") % {"title": piece.title}
            )
    else:
        messages.error(request, _("Give the consensus level and why."))
    return redirect(f"{_session_url(piece)}#piece-{piece.position}")


@require_POST
@login_required
@not_visible_is_404
def piece_promote_view(request: HttpRequest, piece_id: str) -> HttpResponse:
    piece = piece_get(user=request.user, piece_id=piece_id)
    form = PromoteForm(request.POST, prefix=f"promote-{piece.uuid}")
    if form.is_valid():
        try:
            exemplar = piece_promote(actor=request.user, piece=piece, **form.cleaned_data)
        except InvalidInput as invalid:
            messages.error(request, next(iter(invalid.errors.values())))
        else:
            messages.success(
                request, _("Proposed as an exemplar: a colleague confirms it before it is shared.")
            )
            return redirect("calibration:exemplar", exemplar_id=exemplar.uuid)
    else:
        messages.error(request, _("Record the consent: the author's, or the school's policy."))
    return redirect(f"{_session_url(piece)}#piece-{piece.position}")


def _session_url(piece) -> str:
    return reverse("calibration:session", args=[piece.session.uuid])


@require_safe
@login_required
@not_visible_is_404
def piece_file(request: HttpRequest, file_id: str) -> HttpResponse:
    kept = piece_file_get(user=request.user, file_id=file_id)
    return kept_file_response(
        request,
        kept.file.open("rb"),
        size=kept.size,
        content_type=kept.content_type,
        name=kept.name,
    )
