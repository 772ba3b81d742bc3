"""The competency transcript, Mastery Transcript style: competency areas with the stage
reached and when, the district's mastery credits earned with their day, and an appendix
of the evidence behind each credit. Worked out from the evidence and the policy versions in
force on each day (trajectories); issued as an immutable snapshot a public page verifies.

The district's format (a design choice) says whether the appendix is included and whether
each competency shows the stage typical for the student's age-grade; the snapshot keeps the
format it was issued in, so changing the format never changes a transcript issued."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.engine.pace import grade_words
from proficio.evidence.api import Evidence
from proficio.frameworks.api import Stage
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.moments import moment
from proficio.mastery.api import student_mastery, trajectory_of
from proficio.people.api import (
    District,
    Person,
    district_admin_of,
    students_administered_by,
    students_visible_to,
)
from proficio.reports.bridge import typical_stage_of
from proficio.reports.models import IssuedTranscript, MasteryCredit, TranscriptFormat

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
EVIDENCE_PER_CREDIT = 5
# The format of a snapshot issued before the district could choose one: the appendix, no
# typical stage.
FORMAT_BEFORE_CHOICE = {"appendix": True, "typical_stage": False}


def _rating(evidence: Evidence) -> dict:
    return {
        "day": timezone.localdate(evidence.observed_at).isoformat(),
        "stage": evidence.stage.ordinal,
        "level": format(evidence.level.normalize(), "f"),
        "source": evidence.source,
        "work": evidence.artifact_title,
    }


def transcript_of(*, user: Person, student: Person, as_of: date | None = None) -> dict:
    """The transcript of a student `user` may see, as of a day (today by default), in
    plain values: what an issued transcript keeps. Names stay out; the student is read
    from their record when it is shown."""
    today = timezone.localdate()
    as_of = min(as_of or today, today)
    _student, statuses = student_mastery(
        user=user, student_id=str(student.uuid), as_of=None if as_of == today else as_of
    )
    credits = {
        credit.stage_id: credit
        for credit in MasteryCredit.objects.filter(district_id=student.district_id)
    }
    form = transcript_format_of(student.district_id)
    areas: dict[str, list] = {}
    earned, appendix, policies = [], [], set()
    for status in statuses:
        competency = status.competency
        trajectory = trajectory_of(student=student, competency=competency, until=as_of)
        policies.update(tuple(p) for p in trajectory.policies)
        top = trajectory.reached[-1] if trajectory.reached else None
        areas.setdefault(competency.framework.title, []).append(
            {
                "competency": str(competency.uuid),
                "code": competency.code,
                "title": competency.title,
                "stages": len(competency.stages.all()),
                "reached": top.stage.ordinal if top else 0,
                "reached_label": top.stage.label if top else "",
                "reached_on": top.on.isoformat() if top else None,
                "working": status.working_stage,
                # Every stage mastered and the day it was reached: a learner record's badges.
                "mastered": [
                    {"stage": r.stage.ordinal, "on": r.on.isoformat()} for r in trajectory.reached
                ],
                **(
                    {"typical": _typical(competency, student.age_grade)}
                    if form.typical_stage
                    else {}
                ),
            }
        )
        for reached in trajectory.reached:
            credit = credits.get(reached.stage.pk)
            if credit is None:
                continue
            earned.append(
                {
                    "credit": str(credit.uuid),
                    "title": credit.title,
                    "competency": str(competency.uuid),
                    "code": competency.code,
                    "stage": reached.stage.ordinal,
                    "on": reached.on.isoformat(),
                }
            )
            appendix.append(
                {
                    "credit": str(credit.uuid),
                    "ratings": [_rating(e) for e in reached.evidence[:EVIDENCE_PER_CREDIT]],
                }
            )
    return {
        "student": str(student.uuid),
        "as_of": as_of.isoformat(),
        # The district's format in force: an issued transcript keeps it with its snapshot.
        "format": {"appendix": form.appendix, "typical_stage": form.typical_stage},
        **({"age_grade": student.age_grade} if form.typical_stage else {}),
        "areas": [{"area": area, "competencies": items} for area, items in areas.items()],
        "credits": sorted(earned, key=lambda c: (c["on"], c["code"], c["stage"])),
        "appendix": appendix if form.appendix else [],
        "policies": sorted([list(p) for p in policies]),
    }


def _typical(competency, age_grade: int | None) -> dict | None:
    """The stage typical for the student's age-grade, as the age-grade bridge reads it: None
    when there is none to tell (no age-grade, a stage without a typical grade); a stage of
    None when the grade expects every stage mastered."""
    expectation = typical_stage_of(competency, age_grade)
    if expectation is None:
        return None
    if expectation.stage is None:
        return {"stage": None, "label": ""}
    label = next((s.label for s in competency.stages.all() if s.ordinal == expectation.stage), "")
    return {"stage": expectation.stage, "label": label}


def digest_of(*, code: str, student_uuid: str, issued_at: datetime, content: dict) -> str:
    """The SHA-256 of the canonical snapshot: the same bytes whenever it is worked out."""
    canonical = json.dumps(
        {
            "code": code,
            "student": student_uuid,
            "issued_at": issued_at.isoformat(),
            "content": content,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[n : n + 4] for n in range(0, 16, 4))


def may_issue(user: Person, student: Person) -> bool:
    """The admins of the student's school or district issue their transcripts."""
    return students_administered_by(user).filter(pk=student.pk).exists()


@transaction.atomic
def transcript_issue(
    *, actor: Person, student: Person, as_of: date | None = None, at: datetime | None = None
) -> IssuedTranscript:
    """Issue the transcript as it stands: an immutable, dated snapshot with the policy
    versions used and a code to verify it by."""
    if not may_issue(actor, student):
        raise NotVisible(f"No student {student.uuid} whose transcript you issue.")
    errors: dict[str, str] = {}
    now = moment(at, errors=errors)
    if as_of is not None and as_of > timezone.localdate(now):
        errors["as_of"] = _("Choose a day that has come.")
    if errors:
        raise InvalidInput(errors)
    content = transcript_of(user=actor, student=student, as_of=as_of)
    code = new_code()
    issued = IssuedTranscript.objects.create(
        code=code,
        student=student,
        district_id=student.district_id,
        issued_by=actor,
        issued_at=now,
        as_of=date.fromisoformat(content["as_of"]),
        content=content,
        policies=content["policies"],
        digest=digest_of(code=code, student_uuid=str(student.uuid), issued_at=now, content=content),
    )
    audit.record(
        actor=actor,
        action=audit.TRANSCRIPT_ISSUED,
        student=student,
        target=issued,
        data={
            "code": code,
            "credits": len(content["credits"]),
            "as_of": content["as_of"],
            "format": content["format"],
        },
    )
    return issued


@dataclass(frozen=True)
class Verification:
    found: bool
    unchanged: bool
    issued_on: date | None = None
    digest: str = ""


def verify(code: str) -> Verification:
    """Whether a transcript with this code was issued and is as it was issued; nothing
    else about it."""
    issued = IssuedTranscript.objects.filter(code=code.strip().upper()).first()
    if issued is None:
        return Verification(found=False, unchanged=False)
    recomputed = digest_of(
        code=issued.code,
        student_uuid=str(issued.student.uuid),
        issued_at=issued.issued_at,
        content=issued.content,
    )
    return Verification(
        found=True,
        unchanged=recomputed == issued.digest,
        issued_on=timezone.localdate(issued.issued_at),
        digest=issued.digest,
    )


def credit_add(*, actor: Person, district: District, stage: Stage, title: str) -> MasteryCredit:
    """A district admin defines a mastery credit for a stage."""
    if not district_admin_of(actor, district):
        raise NotVisible(f"No district {district.uuid} you administer.")
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = _("Name the credit, e.g. “Argument writing: stage 6”.")
    elif len(title) > 200:
        errors["title"] = _("Keep it under 200 characters.")
    if stage.competency.framework.district_id != district.pk:
        errors["stage"] = _("Choose a stage of your district.")
    elif MasteryCredit.objects.filter(district=district, stage=stage).exists():
        errors["stage"] = _("That stage has a credit already.")
    if errors:
        raise InvalidInput(errors)
    credit = MasteryCredit.objects.create(
        district=district, stage=stage, title=title, created_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action=audit.CREDIT_DEFINED,
        district_id=district.pk,
        target=credit,
        data={"title": title, "competency": stage.competency.code, "stage": stage.ordinal},
    )
    return credit


def credits_of(district_id: int) -> list[MasteryCredit]:
    return list(
        MasteryCredit.objects.filter(district_id=district_id).select_related("stage__competency")
    )


def transcript_format_of(district_id: int) -> TranscriptFormat:
    """The district's transcript format: Proficio's default until an admin chose."""
    return TranscriptFormat.objects.filter(district_id=district_id).first() or TranscriptFormat(
        district_id=district_id
    )


@transaction.atomic
def transcript_format_set(
    *, actor: Person, district: District, appendix: bool, typical_stage: bool
) -> TranscriptFormat:
    """A district admin sets the format of the district's transcripts from now on; those
    issued keep the format they were issued in."""
    if not district_admin_of(actor, district):
        raise NotVisible(f"No district {district.uuid} you administer.")
    before = transcript_format_of(district.pk)
    form, _created = TranscriptFormat.objects.update_or_create(
        district=district,
        defaults={"appendix": bool(appendix), "typical_stage": bool(typical_stage)},
    )
    audit.record(
        actor=actor,
        action=audit.TRANSCRIPT_FORMAT_SET,
        district_id=district.pk,
        target=form,
        data={
            "appendix": form.appendix,
            "typical_stage": form.typical_stage,
            "before": {"appendix": before.appendix, "typical_stage": before.typical_stage},
        },
    )
    return form


def issued_visible_to(user: Person):
    """The issued transcripts of the students `user` may see."""
    return IssuedTranscript.objects.filter(student__in=students_visible_to(user))


def typical_words(typical: dict | None) -> str:
    """A competency's typical stage as a table cell: "Stage 3 · Claims with reasons"."""
    if typical is None:
        return "—"
    if typical["stage"] is None:
        return _("Every stage mastered")
    return _("Stage %(stage)s · %(label)s") % typical


def presented(content: dict) -> dict:
    """A snapshot for a page or a PDF: days as dates, each credit with its evidence."""
    ratings = {part["credit"]: part["ratings"] for part in content["appendix"]}

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    form = {**FORMAT_BEFORE_CHOICE, **content.get("format", {})}
    age_grade = content.get("age_grade")
    return {
        "as_of": day(content["as_of"]),
        "format": form,
        "age_grade": age_grade,
        "typical_heading": (
            _("Typical for %(grade)s") % {"grade": grade_words(age_grade)}
            if age_grade is not None
            else _("Typical for the age-grade")
        ),
        "areas": [
            {
                "area": area["area"],
                "competencies": [
                    item | {"reached_on": day(item["reached_on"])} for item in area["competencies"]
                ],
            }
            for area in content["areas"]
        ],
        "credits": [
            credit
            | {
                "on": day(credit["on"]),
                "ratings": [r | {"day": day(r["day"])} for r in ratings.get(credit["credit"], [])],
            }
            for credit in content["credits"]
        ],
        "policies": content["policies"],
    }
