"""Writing goals, their steps and status, comments, mentors' check-ins and the district's
check-in cadence: each checked whole before anything is written, atomic, and audited."""

from collections.abc import Sequence
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.agency.models import (
    CheckIn,
    CheckInCadence,
    Goal,
    GoalComment,
    GoalStatus,
    GoalStep,
    PieceKind,
    PortfolioPiece,
)
from proficio.agency.permissions import may_see_goal, may_write_goal, mentors_student
from proficio.audit import api as audit
from proficio.evidence.api import Evidence, evidence_standing
from proficio.frameworks.api import Competency
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.files.uploads import checked_kinds, upload_name
from proficio.lib.moments import moment
from proficio.people.api import District, Person, district_admin_of, is_self
from proficio.work.api import Revision

TITLE_MAX = 300
TEXT_MAX = 5000
STEP_MAX = 500
STEPS_MAX = 20


def _text(errors: dict[str, str], name: str, value: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if len(value) > limit:
        errors[name] = _("Keep it under %(limit)s characters.") % {"limit": f"{limit:,}"}
    return value


@transaction.atomic
def goal_write(
    *,
    actor: Person,
    student: Person,
    title: str,
    why: str = "",
    competency: Competency | None = None,
    stage: int | None = None,
    target_date: date | None = None,
    steps: Sequence[str] = (),
    goal: Goal | None = None,
    at: datetime | None = None,
) -> Goal:
    """A new goal, or the student's changes to theirs. The student writes their goals; their
    current mentor may write one with them (in a check-in). Steps are given in order; a step
    kept word for word keeps its tick."""
    if goal is not None and (not may_write_goal(actor, goal) or goal.student_id != student.pk):
        raise NotVisible(f"No goal {goal.uuid} of yours.")
    if goal is None and not (is_self(actor, student) or mentors_student(actor, student)):
        raise NotVisible(f"No student {student.uuid} whose goals you write.")
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, TITLE_MAX)
    if not title:
        errors["title"] = _("Say what the goal is.")
    why = _text(errors, "why", why)
    stage_obj = None
    if competency is not None:
        if competency.framework.district_id != student.district_id:
            errors["competency"] = _("That competency is not of your district.")
        elif stage is not None:
            stage_obj = competency.stages.filter(ordinal=stage).first()
            if stage_obj is None:
                errors["stage"] = _("%(code)s has no stage %(stage)s.") % {
                    "code": competency.code,
                    "stage": stage,
                }
    elif stage is not None:
        errors["stage"] = _("Choose the competency the stage is of.")
    steps = [step.strip() for step in steps if step.strip()]
    if len(steps) > STEPS_MAX:
        errors["steps"] = _("Keep it to %(most)s steps.") % {"most": STEPS_MAX}
    elif any(len(step) > STEP_MAX for step in steps):
        errors["steps"] = _("Keep each step under %(most)s characters.") % {"most": STEP_MAX}
    now = moment(at, errors=errors)
    if target_date is not None and goal is None and target_date < timezone.localdate(now):
        errors["target_date"] = _("Choose a day still ahead.")
    if errors:
        raise InvalidInput(errors)
    fields = {
        "title": title,
        "why": why,
        "competency": competency,
        "stage": stage_obj,
        "target_date": target_date,
        "updated_at": now,
    }
    created = goal is None
    if goal is None:
        goal = Goal.objects.create(student=student, created_by=actor, created_at=now, **fields)
    else:
        for name, value in fields.items():
            setattr(goal, name, value)
        goal.save()
    ticked = {step.text: step.done_at for step in goal.steps.all()}
    goal.steps.all().delete()
    GoalStep.objects.bulk_create(
        GoalStep(goal=goal, text=text, position=n, done_at=ticked.get(text))
        for n, text in enumerate(steps)
    )
    audit.record(
        actor=actor,
        action=audit.GOAL_WRITTEN,
        student=student,
        target=goal,
        data={"title": title, "steps": len(steps), "new": created},
    )
    return goal


@transaction.atomic
def goal_step_tick(
    *, actor: Person, step: GoalStep, done: bool, at: datetime | None = None
) -> GoalStep:
    """The student ticks a step done, or back to open."""
    if not may_write_goal(actor, step.goal):
        raise NotVisible(f"No goal {step.goal.uuid} of yours.")
    errors: dict[str, str] = {}
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    step.done_at = now if done else None
    step.save(update_fields=["done_at"])
    Goal.objects.filter(pk=step.goal_id).update(updated_at=now)
    return step


@transaction.atomic
def goal_status_set(
    *, actor: Person, goal: Goal, status: str, note: str = "", at: datetime | None = None
) -> Goal:
    """The student marks their goal done, changed (saying how), or back to working on it."""
    if not may_write_goal(actor, goal):
        raise NotVisible(f"No goal {goal.uuid} of yours.")
    errors: dict[str, str] = {}
    note = _text(errors, "note", note)
    if status not in GoalStatus.values:
        errors["status"] = _("Working on it, done, or changed.")
    elif status == GoalStatus.CHANGED and not note:
        errors["note"] = _("Say what changed, and why.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    goal.status, goal.status_note, goal.updated_at = status, note, now
    goal.save(update_fields=["status", "status_note", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.GOAL_WRITTEN,
        student=goal.student,
        target=goal,
        data={"status": status},
    )
    return goal


@transaction.atomic
def goal_comment(
    *, actor: Person, goal: Goal, text: str, at: datetime | None = None
) -> GoalComment:
    """A word on a goal from anyone who may read it: the student, a guardian, staff."""
    if not may_see_goal(actor, goal):
        raise NotVisible(f"No goal {goal.uuid}.")
    errors: dict[str, str] = {}
    text = _text(errors, "text", text)
    if not text:
        errors["text"] = _("Write something first.")
    now = moment(at, errors=errors, after=goal.created_at)
    if errors:
        raise InvalidInput(errors)
    comment = GoalComment.objects.create(goal=goal, author=actor, text=text, created_at=now)
    audit.record(
        actor=actor, action=audit.GOAL_COMMENTED, student=goal.student, target=goal, data={}
    )
    return comment


@transaction.atomic
def check_in_record(
    *,
    mentor: Person,
    student: Person,
    happened_on: date,
    notes: str = "",
    actions: str = "",
    goals: Sequence[Goal] = (),
    at: datetime | None = None,
) -> CheckIn:
    """A mentor records a check-in with a student they mentor: notes, agreed actions and the
    goals they talked about. The student adds their reflection after."""
    if not mentors_student(mentor, student):
        raise NotVisible(f"No student {student.uuid} that you mentor.")
    errors: dict[str, str] = {}
    notes = _text(errors, "notes", notes)
    actions = _text(errors, "actions", actions)
    if not notes and not actions:
        errors["notes"] = _("Note what you talked about, or the actions you agreed.")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("Record a check-in once it has happened.")
    if any(goal.student_id != student.pk for goal in goals):
        errors["goals"] = _("Choose goals of this student.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    check_in = CheckIn.objects.create(
        student=student,
        mentor=mentor,
        happened_on=happened_on,
        notes=notes,
        actions=actions,
        created_at=now,
    )
    check_in.goals.set(goals)
    audit.record(
        actor=mentor,
        action=audit.CHECK_IN_RECORDED,
        student=student,
        target=check_in,
        data={"happened_on": happened_on.isoformat(), "goals": len(goals)},
    )
    return check_in


@transaction.atomic
def check_in_reflect(
    *, student: Person, check_in: CheckIn, reflection: str, at: datetime | None = None
) -> CheckIn:
    """The student writes (or rewrites) their reflection on a check-in of theirs."""
    if not is_self(student, check_in.student):
        raise NotVisible(f"No check-in {check_in.uuid} of yours.")
    errors: dict[str, str] = {}
    reflection = _text(errors, "reflection", reflection)
    if not reflection:
        errors["reflection"] = _("Write your reflection first.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    check_in.reflection, check_in.reflected_at = reflection, now
    check_in.save(update_fields=["reflection", "reflected_at"])
    return check_in


@transaction.atomic
def check_in_cadence_set(*, actor: Person, district: District, days: int) -> CheckInCadence:
    """A district admin sets how often mentors check in with each student."""
    if not district_admin_of(actor, district):
        raise NotVisible("Only the district's admins set the check-in cadence.")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
        raise InvalidInput({"days": _("Use a whole number of days from 1 to 90.")})
    cadence = CheckInCadence.objects.update_or_create(district=district, defaults={"days": days})[0]
    audit.record(
        actor=actor,
        action=audit.MENTORSHIP_CHANGED,
        district_id=district.pk,
        target=cadence,
        data={"check_in_days": days},
    )
    return cadence


# ---- the portfolio ------------------------------------------------------------------------


@transaction.atomic
def piece_add(
    *,
    student: Person,
    title: str,
    reflection: str = "",
    competencies: Sequence[Competency] = (),
    revision: Revision | None = None,
    evidence: Evidence | None = None,
    upload: UploadedFile | None = None,
    shared_with_family: bool = False,
    baseline: bool = False,
    at: datetime | None = None,
) -> PortfolioPiece:
    """The student adds a piece to their portfolio: one of their submitted revisions, a
    rating of their work that stands, or a file of their own (checked as students' files
    are), with their reflection and the competencies it shows."""
    if not is_self(student, student):
        raise NotVisible("A portfolio is a student's own.")
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, TITLE_MAX)
    if not title:
        errors["title"] = _("Give the piece a title.")
    reflection = _text(errors, "reflection", reflection)
    given = [thing for thing in (revision, evidence, upload) if thing is not None]
    if len(given) != 1:
        errors["piece"] = _("Choose one piece: work on a task, a rating, or a file of your own.")
    if revision is not None and (
        revision.submission.student_id != student.pk or revision.submitted_at is None
    ):
        errors["revision"] = _("Choose work of yours that you have handed in.")
    if evidence is not None and (
        evidence.student_id != student.pk or not evidence_standing().filter(pk=evidence.pk).exists()
    ):
        errors["evidence"] = _("Choose a rating of your work that stands.")
    if any(c.framework.district_id != student.district_id for c in competencies):
        errors["competencies"] = _("Choose competencies of your district.")
    kinds = checked_kinds([upload], errors) if upload is not None else []
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(
            {"upload" if k.startswith("files-") else k: v for k, v in errors.items()}
        )
    kind = PieceKind.REVISION if revision else PieceKind.EVIDENCE if evidence else PieceKind.UPLOAD
    piece = PortfolioPiece(
        student=student,
        kind=kind,
        revision=revision,
        evidence=evidence,
        title=title,
        reflection=reflection,
        shared_with_family=shared_with_family,
        baseline=baseline,
        created_at=now,
    )
    if upload is not None:
        upload.seek(0)
        piece.file_name = upload_name(upload)
        piece.content_type = kinds[0]
        piece.size = upload.size
        piece.file.save(piece.uuid.hex, upload, save=False)
    piece.save()
    piece.competencies.set(competencies)
    return piece


@transaction.atomic
def piece_change(
    *,
    student: Person,
    piece: PortfolioPiece,
    reflection: str,
    shared_with_family: bool,
    competencies: Sequence[Competency] | None = None,
) -> PortfolioPiece:
    """The student rewrites their reflection, chooses again whether their family sees it, or
    retags it."""
    if not is_self(student, piece.student) or piece.removed_at is not None:
        raise NotVisible(f"No piece {piece.uuid} of yours.")
    errors: dict[str, str] = {}
    reflection = _text(errors, "reflection", reflection)
    if competencies is not None and any(
        c.framework.district_id != student.district_id for c in competencies
    ):
        errors["competencies"] = _("Choose competencies of your district.")
    if errors:
        raise InvalidInput(errors)
    piece.reflection, piece.shared_with_family = reflection, shared_with_family
    piece.save(update_fields=["reflection", "shared_with_family"])
    if competencies is not None:
        piece.competencies.set(competencies)
    return piece


@transaction.atomic
def piece_remove(*, student: Person, piece: PortfolioPiece) -> PortfolioPiece:
    """The student takes a piece out of their portfolio; the work and any file stay (a
    student's work is never deleted)."""
    if not is_self(student, piece.student) or piece.removed_at is not None:
        raise NotVisible(f"No piece {piece.uuid} of yours.")
    piece.removed_at = timezone.now()
    piece.save(update_fields=["removed_at"])
    return piece
