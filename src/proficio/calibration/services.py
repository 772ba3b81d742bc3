"""Proposing, confirming and withdrawing exemplars; opening a calibration session, rating it
blind, revealing it, recording the consensus and promoting a piece to an exemplar; practice
rounds and the district's settings. Each checked whole before anything is written, atomic,
and audited."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.calibration.anonymise import file_name, identifiers_of, scrub, scrub_bytes
from proficio.calibration.models import (
    CalibrationSession,
    CalibrationSettings,
    ConsentBasis,
    Exemplar,
    ExemplarFile,
    PieceFile,
    PieceRating,
    PracticeRound,
    SessionPiece,
    SessionRater,
)
from proficio.calibration.permissions import (
    is_staff,
    may_confirm_exemplar,
    may_open_session,
    may_run_session,
    may_withdraw_exemplar,
)
from proficio.calibration.statistics import Levels
from proficio.frameworks.api import Competency, EvidenceStatement, Stage
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.files.uploads import checked_kinds, upload_name
from proficio.lib.moments import moment
from proficio.people.api import (
    District,
    Person,
    School,
    district_admin_of,
    students_visible_to,
    teachers_by_school,
)
from proficio.work.api import Revision, may_see_submission

TITLE_MAX = 300
TEXT_MAX = 5000
PIECES_MIN, PIECES_MAX = 3, 10
RATERS_MIN = 2


def _text(errors: dict[str, str], name: str, value: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if len(value) > limit:
        errors[name] = _("Keep it under %(limit)s characters.") % {"limit": f"{limit:,}"}
    return value


def _stage(errors: dict[str, str], competency: Competency, stage: int, name="stage") -> Stage:
    found = competency.stages.filter(ordinal=stage).first()
    if found is None:
        errors[name] = _("%(code)s has no stage %(stage)s.") % {
            "code": competency.code,
            "stage": stage,
        }
    return found


def _level(
    errors: dict[str, str],
    competency: Competency,
    level,
    name="level",
    levels: Levels | None = None,
) -> Decimal | None:
    values = [scale_level.value for scale_level in (levels or Levels()).of(competency)]
    try:
        value = Decimal(str(level))
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or value not in values:
        errors[name] = _("Choose a level of the scale: %(levels)s.") % {
            "levels": ", ".join(str(v.normalize()) for v in values)
        }
    return value


# ---- exemplars --------------------------------------------------------------------------


@transaction.atomic
def exemplar_propose(
    *,
    actor: Person,
    competency: Competency,
    stage: int,
    level: Decimal,
    title: str,
    annotation: str,
    consent: str,
    missing: str = "",
    statements: Sequence[EvidenceStatement] = (),
    consent_note: str = "",
    revision: Revision | None = None,
    text: str = "",
    upload: UploadedFile | None = None,
    student: Person | None = None,
    at: datetime | None = None,
) -> Exemplar:
    """Propose a piece of student work as an exemplar: a revision the actor may read, or a
    text and/or an upload (with the student whose work it is, so their names can be taken
    out). What is kept is an anonymised copy; it is published once a second person confirms
    (exemplar_confirm)."""
    if not is_staff(actor):
        raise NotVisible("Only a district's staff propose exemplars.")
    if revision is not None:
        if revision.submitted_at is None or not may_see_submission(actor, revision.submission):
            raise NotVisible(f"No revision {revision.uuid} you may read.")
        student = revision.submission.student
    errors: dict[str, str] = {}
    if competency.framework.district_id != actor.district_id:
        errors["competency"] = _("That competency is not of your district.")
        raise InvalidInput(errors)
    stage_obj = _stage(errors, competency, stage)
    level = _level(errors, competency, level)
    title = _text(errors, "title", title, TITLE_MAX)
    if not title:
        errors["title"] = _("Give the exemplar a title.")
    annotation = _text(errors, "annotation", annotation)
    if not annotation:
        errors["annotation"] = _("Say why the work sits at this level.")
    missing = _text(errors, "missing", missing)
    text = _text(errors, "text", text, 50_000)
    if consent not in ConsentBasis.values:
        errors["consent"] = _("Record the consent: the author's, or the school's policy.")
    if stage_obj is not None and any(s.stage_id != stage_obj.pk for s in statements):
        errors["statements"] = _("Choose evidence statements of that stage.")
    if revision is None and not text and upload is None:
        errors["text"] = _("Give the work: a revision, its text, or a file.")
    if revision is None and student is None:
        errors["student"] = _("Say whose work it is, so their names can be taken out of it.")
    elif student is not None and not students_visible_to(actor).filter(pk=student.pk).exists():
        errors["student"] = _("Choose a student whose record you may see.")
    kinds = checked_kinds([upload], errors) if upload is not None else []
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(
            {"upload" if k.startswith("files-") else k: v for k, v in errors.items()}
        )
    names = identifiers_of(student)
    exemplar = Exemplar.objects.create(
        district_id=actor.district_id,
        competency=competency,
        stage=stage_obj,
        level=level,
        title=scrub(title, names),
        text=scrub(revision.text if revision is not None else text, names),
        annotation=scrub(annotation, names),
        missing=scrub(missing, names),
        consent=consent,
        consent_note=scrub(consent_note.strip()[:500], names),
        source_student=student,
        source_revision=revision,
        created_by=actor,
        created_at=now,
    )
    exemplar.statements.set(statements)
    sources = []
    if revision is not None:
        sources = [(f.file, f.name, f.content_type) for f in revision.files.all()]
    elif upload is not None:
        upload.seek(0)
        sources = [(upload, upload_name(upload), kinds[0])]
    _copy_files(
        sources, names, competency.code, stage, lambda **kw: ExemplarFile(exemplar=exemplar, **kw)
    )
    audit.record(
        actor=actor,
        action=audit.EXEMPLAR_PROPOSED,
        student=student,
        target=exemplar,
        data={"competency": competency.code, "stage": stage, "level": str(level)},
    )
    return exemplar


def _copy_files(sources, names, code: str, stage: int, make) -> None:
    """Anonymised copies of files: a name that says what the file is, a text file's names
    taken out of its content."""
    for number, (source, original, content_type) in enumerate(sources, start=1):
        source.open("rb")
        try:
            scrubbed = scrub_bytes(source.read(), content_type, names)
        finally:
            if hasattr(source, "close") and not isinstance(source, UploadedFile):
                source.close()
        copy = make(
            name=file_name(code, stage, number, original),
            content_type=content_type,
            size=len(scrubbed.content),
            read_for_names=scrubbed.read,
        )
        copy.file.save(copy.uuid.hex, ContentFile(scrubbed.content), save=False)
        copy.save()


@transaction.atomic
def exemplar_confirm(
    *, actor: Person, exemplar: Exemplar, anonymised: bool, at: datetime | None = None
) -> Exemplar:
    """A second person confirms that no name or identifier of the student remains in the
    text or files; the exemplar is published."""
    if not may_confirm_exemplar(actor, exemplar):
        if exemplar.created_by_id == actor.pk and exemplar.published_at is None:
            raise InvalidInput(
                {"anonymised": _("A second person confirms: ask a colleague to read it.")}
            )
        raise NotVisible(f"No exemplar {exemplar.uuid} awaiting your confirmation.")
    errors: dict[str, str] = {}
    if not anonymised:
        errors["anonymised"] = _(
            "Read the text and open each file first, then confirm no name or identifier remains."
        )
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    exemplar.confirmed_by = actor
    exemplar.published_at = now
    exemplar.save(update_fields=["confirmed_by", "published_at"])
    audit.record(
        actor=actor,
        action=audit.EXEMPLAR_PUBLISHED,
        student=exemplar.source_student,
        target=exemplar,
        data={"competency": exemplar.competency.code, "stage": exemplar.stage.ordinal},
    )
    return exemplar


@transaction.atomic
def exemplar_withdraw(*, actor: Person, exemplar: Exemplar, at: datetime | None = None) -> None:
    """Take an exemplar out of the library (consent withdrawn, a name found after all)."""
    if not may_withdraw_exemplar(actor, exemplar):
        raise NotVisible(f"No exemplar {exemplar.uuid} you may withdraw.")
    errors: dict[str, str] = {}
    exemplar.withdrawn_at = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    exemplar.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor,
        action=audit.EXEMPLAR_WITHDRAWN,
        student=exemplar.source_student,
        target=exemplar,
        data={"competency": exemplar.competency.code},
    )


# ---- sessions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PieceSpec:
    """A piece for a session: a submitted revision or an exemplar, read against a stage."""

    competency: Competency
    stage: int
    revision: Revision | None = None
    exemplar: Exemplar | None = None
    title: str = ""


@transaction.atomic
def session_open(
    *,
    actor: Person,
    title: str,
    school: School | None,
    pieces: Sequence[PieceSpec],
    raters: Sequence[Person],
    at: datetime | None = None,
) -> CalibrationSession:
    """Open a session of 3–10 anonymised pieces for the invited teachers to rate blind: the
    teachers of `school`, or of any school of the district when `school` is None."""
    district_id = actor.district_id
    if not may_open_session(actor, district_id=district_id, school_id=school and school.pk):
        raise NotVisible("You may not open a calibration session there.")
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, TITLE_MAX)
    if not title:
        errors["title"] = _("Give the session a title.")
    if not PIECES_MIN <= len(pieces) <= PIECES_MAX:
        errors["pieces"] = _("Choose from %(least)s to %(most)s pieces.") % {
            "least": PIECES_MIN,
            "most": PIECES_MAX,
        }
    stages = []
    for number, spec in enumerate(pieces, start=1):
        name = f"pieces-{number}"
        if spec.competency.framework.district_id != district_id:
            errors[name] = _("That competency is not of your district.")
            stages.append(None)
            continue
        stages.append(_stage(errors, spec.competency, spec.stage, name))
        if (spec.revision is None) == (spec.exemplar is None):
            errors[name] = _("Choose a piece of work or an exemplar.")
        elif spec.revision is not None and (
            spec.revision.submitted_at is None
            or not may_see_submission(actor, spec.revision.submission)
        ):
            errors[name] = _("Choose handed-in work you may read.")
        elif spec.exemplar is not None and (
            spec.exemplar.district_id != district_id or not spec.exemplar.published
        ):
            errors[name] = _("Choose a published exemplar of your district.")
    teaching = teachers_by_school(district_id=district_id)
    eligible = (
        set(teaching.get(school.pk, []))
        if school is not None
        else {person for people in teaching.values() for person in people}
    )
    invited = {person.pk: person for person in raters}
    if len(invited) < RATERS_MIN:
        errors["raters"] = _("Invite at least %(least)s teachers.") % {"least": RATERS_MIN}
    elif not set(invited) <= eligible:
        errors["raters"] = (
            _("Invite teachers of %(school)s.") % {"school": school.name}
            if school is not None
            else _("Invite teachers of your district.")
        )
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    session = CalibrationSession.objects.create(
        district_id=district_id, school=school, title=title, facilitator=actor, created_at=now
    )
    for position, (spec, stage) in enumerate(zip(pieces, stages, strict=True), start=1):
        _piece_copy(session, position, spec, stage)
    SessionRater.objects.bulk_create(
        SessionRater(session=session, person=p) for p in invited.values()
    )
    audit.record(
        actor=actor,
        action=audit.CALIBRATION_OPENED,
        target=session,
        district_id=district_id,
        data={"pieces": len(pieces), "raters": len(invited), "school": school and school.name},
    )
    return session


def _piece_copy(session, position: int, spec: PieceSpec, stage: Stage) -> SessionPiece:
    """An anonymised copy of the work, titled by what it is, never by whom."""
    code = spec.competency.code
    default = _("Piece %(number)s: %(code)s stage %(stage)s") % {
        "number": position,
        "code": code,
        "stage": stage.ordinal,
    }
    if spec.revision is not None:
        student = spec.revision.submission.student
        names = identifiers_of(student)
        text = scrub(spec.revision.text, names)
        files = [(f.file, f.name, f.content_type) for f in spec.revision.files.all()]
    else:
        student = spec.exemplar.source_student
        names = identifiers_of(student)
        text = spec.exemplar.text
        files = [(f.file, f.name, f.content_type) for f in spec.exemplar.files.all()]
    piece = SessionPiece.objects.create(
        session=session,
        position=position,
        competency=spec.competency,
        stage=stage,
        title=scrub(spec.title.strip()[:TITLE_MAX], names) or default,
        text=text,
        source_student=student,
        source_revision=spec.revision,
        source_exemplar=spec.exemplar,
    )
    _copy_files(files, names, code, stage.ordinal, lambda **kw: PieceFile(piece=piece, **kw))
    if student is not None:
        audit.record(
            actor=session.facilitator,
            action=audit.STUDENT_VIEWED,
            student=student,
            target=piece,
            data={"via": "calibration piece"},
        )
    return piece


@dataclass(frozen=True)
class RatingSpec:
    level: Decimal
    rationale: str


@transaction.atomic
def ratings_submit(
    *,
    actor: Person,
    session: CalibrationSession,
    ratings: Mapping[SessionPiece, RatingSpec],
    at: datetime | None = None,
) -> list[PieceRating]:
    """An invited teacher's blind ratings of every piece, submitted once: a level of each
    stage's scale and a short rationale. Until then they see no one else's."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    rater = SessionRater.objects.filter(session=session, person_id=actor.pk).first()
    if rater is None:
        raise NotVisible(f"No session {session.uuid} you were invited to rate.")
    errors: dict[str, str] = {}
    if rater.submitted_at is not None:
        errors["ratings"] = _("You have submitted your ratings: they stay as you gave them.")
    elif session.revealed_at is not None:
        errors["ratings"] = _("The ratings were revealed: this session takes no more.")
    pieces = list(session.pieces.select_related("competency__scale", "competency__framework"))
    levels = Levels()
    given = {piece.pk: spec for piece, spec in ratings.items()}
    for piece in pieces:
        name = f"piece-{piece.position}"
        spec = given.pop(piece.pk, None)
        if spec is None:
            errors[name] = _("Rate every piece before you submit.")
            continue
        _level(errors, piece.competency, spec.level, name, levels)
        rationale = spec.rationale.strip()
        if not rationale:
            errors[f"{name}-rationale"] = _("Say briefly why.")
        elif len(rationale) > 2000:
            errors[f"{name}-rationale"] = _("Keep it under 2,000 characters.")
    if given:
        errors["ratings"] = _("Rate only the pieces of this session.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    created = PieceRating.objects.bulk_create(
        PieceRating(
            piece=piece,
            rater=actor,
            level=Decimal(str(ratings[piece].level)),
            rank=levels.rank(piece.competency, Decimal(str(ratings[piece].level))),
            rationale=ratings[piece].rationale.strip(),
            created_at=now,
        )
        for piece in pieces
    )
    rater.submitted_at = now
    rater.save(update_fields=["submitted_at"])
    audit.record(
        actor=actor,
        action=audit.CALIBRATION_RATED,
        target=session,
        district_id=session.district_id,
        data={"pieces": len(created)},
    )
    return created


@transaction.atomic
def session_reveal(
    *, actor: Person, session: CalibrationSession, at: datetime | None = None
) -> CalibrationSession:
    """Show everyone the ratings; rating closes. Needs two raters' ratings at least."""
    if not may_run_session(actor, session):
        raise NotVisible(f"No session {session.uuid} you run.")
    session.revealed_at = (
        CalibrationSession.objects.select_for_update().values_list("revealed_at", flat=True)
    ).get(pk=session.pk)
    errors: dict[str, str] = {}
    if session.revealed_at is not None:
        errors["session"] = _("The ratings are revealed already.")
    elif session.raters.filter(submitted_at__isnull=False).count() < RATERS_MIN:
        errors["session"] = _("Wait until at least two teachers have submitted their ratings.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    session.revealed_at = now
    session.save(update_fields=["revealed_at"])
    audit.record(
        actor=actor,
        action=audit.CALIBRATION_REVEALED,
        target=session,
        district_id=session.district_id,
        data={"raters": session.raters.filter(submitted_at__isnull=False).count()},
    )
    return session


@transaction.atomic
def consensus_record(
    *,
    actor: Person,
    piece: SessionPiece,
    level: Decimal,
    rationale: str,
    at: datetime | None = None,
) -> SessionPiece:
    """The level the group agreed for a piece after the reveal, and why."""
    session = piece.session
    if not may_run_session(actor, session):
        raise NotVisible(f"No session {session.uuid} you run.")
    piece = (
        SessionPiece.objects.select_for_update(of=("self",))
        .select_related("competency", "session")
        .get(pk=piece.pk)
    )
    session = piece.session
    errors: dict[str, str] = {}
    if session.revealed_at is None:
        errors["level"] = _("Reveal the ratings before you record a consensus.")
    elif piece.exemplar_id is not None:
        errors["level"] = _("This piece is an exemplar at its consensus level: it stays.")
    levels = Levels()
    level = _level(errors, piece.competency, level, levels=levels)
    rationale = _text(errors, "rationale", rationale)
    if not rationale:
        errors["rationale"] = _("Say why the group agreed on this level.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    piece.consensus_level = level
    piece.consensus_rank = levels.rank(piece.competency, level)
    piece.consensus_rationale = rationale
    piece.consensus_at = now
    piece.save(
        update_fields=["consensus_level", "consensus_rank", "consensus_rationale", "consensus_at"]
    )
    audit.record(
        actor=actor,
        action=audit.CONSENSUS_RECORDED,
        target=piece,
        district_id=session.district_id,
        data={"piece": piece.position, "level": str(level)},
    )
    return piece


@transaction.atomic
def piece_promote(
    *,
    actor: Person,
    piece: SessionPiece,
    annotation: str,
    consent: str,
    title: str = "",
    missing: str = "",
    statements: Sequence[EvidenceStatement] = (),
    consent_note: str = "",
    at: datetime | None = None,
) -> Exemplar:
    """Propose a piece, at its consensus level, as an exemplar (published once a second
    person confirms it)."""
    session = piece.session
    if not may_run_session(actor, session):
        raise NotVisible(f"No session {session.uuid} you run.")
    piece = (
        SessionPiece.objects.select_for_update(of=("self",))
        .select_related("competency", "stage", "source_student")
        .get(pk=piece.pk)
    )
    if piece.consensus_level is None:
        raise InvalidInput({"piece": _("Record the consensus before promoting the piece.")})
    if piece.exemplar_id is not None:
        raise InvalidInput({"piece": _("This piece is an exemplar already.")})
    names = identifiers_of(piece.source_student)
    errors: dict[str, str] = {}
    annotation = _text(errors, "annotation", annotation) or piece.consensus_rationale
    title = _text(errors, "title", title, TITLE_MAX)
    missing = _text(errors, "missing", missing)
    if consent not in ConsentBasis.values:
        errors["consent"] = _("Record the consent: the author's, or the school's policy.")
    if any(s.stage_id != piece.stage_id for s in statements):
        errors["statements"] = _("Choose evidence statements of that stage.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    exemplar = Exemplar.objects.create(
        district_id=session.district_id,
        competency=piece.competency,
        stage=piece.stage,
        level=piece.consensus_level,
        title=scrub(title, names) or piece.title,
        text=piece.text,
        annotation=scrub(annotation, names),
        missing=scrub(missing, names),
        consent=consent,
        consent_note=scrub(consent_note.strip()[:500], names),
        source_student=piece.source_student,
        source_revision=piece.source_revision,
        created_by=actor,
        created_at=now,
    )
    exemplar.statements.set(statements)
    _copy_files(
        [(f.file, f.name, f.content_type) for f in piece.files.all()],
        names,
        piece.competency.code,
        piece.stage.ordinal,
        lambda **kw: ExemplarFile(exemplar=exemplar, **kw),
    )
    piece.exemplar = exemplar
    piece.save(update_fields=["exemplar"])
    audit.record(
        actor=actor,
        action=audit.EXEMPLAR_PROPOSED,
        student=piece.source_student,
        target=exemplar,
        data={"from_session": str(session.uuid), "level": str(exemplar.level)},
    )
    return exemplar


# ---- practice and settings --------------------------------------------------------------


@transaction.atomic
def practice_submit(
    *,
    actor: Person,
    competency: Competency,
    answers: Mapping[Exemplar, Decimal],
    at: datetime | None = None,
) -> PracticeRound:
    """Calibrate before you rate: the teacher's levels for a competency's published
    exemplars, against the level each was placed at."""
    if not is_staff(actor) or competency.framework.district_id != actor.district_id:
        raise NotVisible("Only a district's staff practise on its exemplars.")
    errors: dict[str, str] = {}
    if not answers:
        errors["answers"] = _("Rate at least one exemplar.")
    levels = Levels()
    for exemplar, level in answers.items():
        if exemplar.competency_id != competency.pk or not exemplar.published:
            errors["answers"] = _("Rate the published exemplars of this competency.")
            break
        _level(errors, competency, level, f"exemplar-{exemplar.uuid}", levels)
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    kept = []
    for exemplar, level in answers.items():
        difference = levels.rank(competency, Decimal(str(level))) - levels.rank(
            competency, exemplar.level
        )
        kept.append(
            {
                "exemplar": str(exemplar.uuid),
                "level": str(Decimal(str(level)).normalize()),
                "placed": str(exemplar.level.normalize()),
                "difference": difference,
            }
        )
    practice = PracticeRound.objects.create(
        person=actor,
        competency=competency,
        answers=kept,
        exact=sum(answer["difference"] == 0 for answer in kept),
        adjacent=sum(abs(answer["difference"]) <= 1 for answer in kept),
        created_at=now,
    )
    audit.record(
        actor=actor,
        action=audit.CALIBRATION_PRACTISED,
        target=practice,
        district_id=actor.district_id,
        data={"competency": competency.code, "exact": practice.exact, "rated": len(kept)},
    )
    return practice


@transaction.atomic
def calibration_settings_set(
    *,
    actor: Person,
    district: District,
    drift_threshold: Decimal,
    drift_minimum: int,
    calibrate_first: bool,
) -> CalibrationSettings:
    """The district's design choices for calibration; its admins set them."""
    if not district_admin_of(actor, district):
        raise NotVisible(f"No district {district.uuid} you administer.")
    errors: dict[str, str] = {}
    if not Decimal("0.1") <= drift_threshold <= Decimal("3"):
        errors["drift_threshold"] = _("Choose from 0.1 to 3 levels.")
    if not 1 <= drift_minimum <= 50:
        errors["drift_minimum"] = _("Choose from 1 to 50 ratings.")
    if errors:
        raise InvalidInput(errors)
    settings, _created = CalibrationSettings.objects.update_or_create(
        district=district,
        defaults={
            "drift_threshold": drift_threshold,
            "drift_minimum": drift_minimum,
            "calibrate_first": calibrate_first,
        },
    )
    audit.record(
        actor=actor,
        action=audit.CALIBRATION_SETTINGS_CHANGED,
        target=settings,
        district_id=district.pk,
        data={
            "drift_threshold": str(drift_threshold),
            "drift_minimum": drift_minimum,
            "calibrate_first": calibrate_first,
        },
    )
    return settings
