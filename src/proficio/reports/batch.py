"""Progress reports for a section or a school at once: the background worker writes the PDF
of every student the requester may see into one zip, kept in the home's private storage and
served to the requester alone; the page that started it polls the run.

Who may: a section's teachers and admins (the sections they serve), a school's admins and
their district's (the schools they administer). The students are read when the worker runs,
as the requester may see them then, and the batch is audited once, as a read of each
student's record (one insert for all of them); each download of the zip is audited again.

A batch is not tried again: a worker that dies leaves its batch running, and the page that
polls it, once nothing has been heard for the lease, marks it stopped with the reason, so the
requester starts another. The zips are kept `KEEP_DAYS` days (they hold names and records),
then deleted when a later batch starts.
"""

import csv
import io
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput, NotVisible, ProficioError
from proficio.lib.exports import FORMULA_START
from proficio.lib.progress import Progress, quiet
from proficio.lib.tasks import task_abandoned, task_standing
from proficio.lib.visibility import visible_get
from proficio.people.api import (
    Person,
    School,
    Section,
    school_administered_get,
    school_students,
    schools_administered_by,
    section_served_get,
    section_students,
    sections_served_by,
)
from proficio.reports import batch_tasks
from proficio.reports.models import BatchState, ReportBatch
from proficio.reports.pdf import progress_pdf_write
from proficio.reports.progress import progress_report

logger = logging.getLogger(__name__)

KEEP_DAYS = 7


class BatchTakenOver(ProficioError):
    """The batch was marked stopped while this worker wrote it (it had not been heard from)."""


def lease() -> timedelta:
    """How long a running batch may go unheard before its worker is taken for dead, or a
    queued one wait before the page says no worker has picked it up: the recompute's lease
    (PROFICIO_RECOMPUTE_LEASE_SECONDS), far longer than one report takes."""
    return timedelta(seconds=settings.PROFICIO_RECOMPUTE_LEASE_SECONDS)


# ---- scopes: what a requester may batch ----------------------------------------------------


def batch_scope(*, user: Person, section_id: str = "", school_id: str = "") -> Section | School:
    """The section (one this user teaches or administers) or the school (one they
    administer) named; NotVisible for anything else, or for neither."""
    if section_id:
        return section_served_get(user=user, section_id=section_id)
    if school_id:
        return school_administered_get(user=user, school_id=school_id)
    raise NotVisible("No section or school named.")


def scope_students(*, user: Person, scope: Section | School) -> QuerySet[Person]:
    """The scope's students that this user may see, by name."""
    if isinstance(scope, Section):
        return section_students(user=user, section=scope)
    return school_students(user=user, school=scope)


def batch_scopes(user: Person) -> tuple[list[Section], list[School]]:
    """The sections and the schools this user may ask progress reports of."""
    return list(sections_served_by(user)), list(schools_administered_by(user))


# ---- reading batches -------------------------------------------------------------------------


def batches_visible_to(user: Person) -> QuerySet[ReportBatch]:
    """The batches this user asked for, while the section or school is still theirs."""
    return (
        ReportBatch.objects.filter(requested_by=user)
        .filter(
            Q(section__in=sections_served_by(user).values("pk"))
            | Q(school__in=schools_administered_by(user).values("pk"))
        )
        .select_related("section", "school")
        .order_by("-enqueued_at", "-pk")
    )


def batch_get(*, user: Person, batch_id: str) -> ReportBatch:
    """One of the user's batches, recovered first if its worker died or its task was lost;
    NotVisible for anyone else's."""
    batch = visible_get(batches_visible_to(user), batch_id, "batch")
    if batch_recover(batch=batch):
        batch.refresh_from_db()
    return batch


def waits_for_a_worker(batch: ReportBatch) -> bool:
    """Queued, and its task has waited longer than the lease: no worker is taking tasks."""
    if batch.state != BatchState.QUEUED:
        return False
    standing = task_standing(task_id=batch.task_id)
    return (
        standing is not None
        and standing.status == TaskResultStatus.READY
        and standing.since is not None
        and standing.since <= timezone.now() - lease()
    )


def batch_students(*, user: Person, batch: ReportBatch) -> list[Person]:
    """The students whose reports the batch wrote, among those this user may still see."""
    return list(scope_students(user=user, scope=batch.scope).filter(pk__in=batch.students or []))


# ---- the batch's life ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    since: date | None = None
    as_of: date | None = None


@transaction.atomic
def batch_start(
    *, actor: Person, scope: Section | School, period: Period = Period(), language: str = "en"
) -> ReportBatch:
    """A queued batch of the scope's progress reports for the period, and its task, in the
    caller's transaction (ADR 0012). The caller got `scope` through `batch_scope`."""
    if isinstance(scope, Section):
        section_served_get(user=actor, section_id=str(scope.uuid))
    else:
        school_administered_get(user=actor, school_id=str(scope.uuid))
    if period.since and period.as_of and period.since > period.as_of:
        raise InvalidInput({"since": _("The period starts after the day it is read as of.")})
    if period.as_of and period.as_of > timezone.localdate():
        raise InvalidInput({"as_of": _("A report cannot be read as of a day still to come.")})
    batches_expire()
    total = scope_students(user=actor, scope=scope).count()
    if not total:
        raise InvalidInput({"scope": _("There is no student here whose report you may read.")})
    batch = ReportBatch.objects.create(
        district_id=scope.district_id if isinstance(scope, School) else scope.school.district_id,
        requested_by=actor,
        section=scope if isinstance(scope, Section) else None,
        school=scope if isinstance(scope, School) else None,
        since=period.since,
        as_of=period.as_of,
        language=language,
        total=total,
        enqueued_at=timezone.now(),
    )
    task_id = str(batch_tasks.progress_reports_in_background.enqueue(batch.pk).id)
    # A backend that runs tasks at once has run it already: the batch is no longer queued.
    ReportBatch.objects.filter(pk=batch.pk, state=BatchState.QUEUED).update(task_id=task_id)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def batch_claim(*, batch_id: int, task_id: str = "") -> ReportBatch | None:
    """The queued batch, now running; None when it is not queued (taken, or ended)."""
    now = timezone.now()
    claimed = ReportBatch.objects.filter(pk=batch_id, state=BatchState.QUEUED).update(
        state=BatchState.RUNNING, started_at=now, heartbeat_at=now, task_id=task_id
    )
    if not claimed:
        return None
    return ReportBatch.objects.select_related("requested_by", "section", "school").get(pk=batch_id)


def batch_execute(*, batch: ReportBatch, progress: Progress = quiet) -> ReportBatch:
    """Write a claimed batch: each student's report as a PDF into the zip, the count beaten
    after each; a student whose report fails is counted and named, and the others go on.
    The batch ends done with its zip, or stopped with the reason."""
    try:
        with translation.override(batch.language):
            _write(batch, progress)
    except BatchTakenOver:
        logger.warning("Progress report batch %s was stopped while it was written.", batch.pk)
    except NotVisible:
        _stop(batch, _("the section or school is no longer yours"))
    except Exception as failure:
        _stop(batch, str(failure) or type(failure).__name__)
        raise
    except (KeyboardInterrupt, SystemExit):
        _stop(batch, _("stopped by the operator"))
        raise
    batch.refresh_from_db()
    return batch


def _write(batch: ReportBatch, progress: Progress) -> None:
    requester = batch.requested_by
    scope = batch_scope(
        user=requester,
        section_id=str(batch.section.uuid) if batch.section else "",
        school_id=str(batch.school.uuid) if batch.school else "",
    )
    students = list(scope_students(user=requester, scope=scope))
    _running(batch).update(
        total=len(students), students=[s.pk for s in students], heartbeat_at=timezone.now()
    )
    # One read of each student's record, recorded at once; each report then records none.
    audit.record_views(
        actor=requester,
        action=audit.STUDENT_VIEWED,
        students=students,
        data={"via": "progress reports batch", "batch": str(batch.uuid)},
    )
    index: list[list[str]] = []
    failures: list[dict[str, str]] = []
    step = _("Progress reports")
    with tempfile.TemporaryFile() as kept:
        with zipfile.ZipFile(kept, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            names: set[str] = set()
            for number, student in enumerate(students, start=1):
                name = _file_name(student, names)
                try:
                    archive.writestr(name, _pdf(batch, requester, student))
                except Exception as failure:  # one student's report never stops the others
                    logger.exception("No progress report for student %s.", student.pk)
                    reason = str(failure) or type(failure).__name__
                    failures.append({"student": student.display_name, "reason": reason})
                    index.append([student.display_name, student.username, "", reason])
                    beaten = _running(batch).update(
                        failed=F("failed") + 1, failures=failures, heartbeat_at=timezone.now()
                    )
                else:
                    index.append([student.display_name, student.username, name, ""])
                    beaten = _running(batch).update(done=F("done") + 1, heartbeat_at=timezone.now())
                if not beaten:
                    raise BatchTakenOver
                progress(step, number, len(students))
            archive.writestr("index.csv", _index_csv(index))
        size = kept.tell()
        kept.seek(0)
        _finish(batch, kept, size)


def _pdf(batch: ReportBatch, requester: Person, student: Person) -> bytes:
    """One student's report as its PDF; its reads in a savepoint, so a failing one leaves
    the worker's transaction (the tests' immediate backend runs inside one) usable."""
    with transaction.atomic():
        report = progress_report(
            user=requester, student=student, since=batch.since, as_of=batch.as_of, audited=False
        )
    buffer = io.BytesIO()
    progress_pdf_write(report=report, destination=buffer)
    return buffer.getvalue()


def _file_name(student: Person, taken: set[str]) -> str:
    base = slugify(f"{student.last_name} {student.first_name}") or "student"
    name = f"{base}-{slugify(student.username) or student.pk}.pdf"
    while name in taken:
        name = f"{base}-{student.pk}-{len(taken)}.pdf"
    taken.add(name)
    return name


def _index_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Student"), _("Username"), _("File"), _("Not written because")])
    for row in rows:
        writer.writerow(["'" + cell if cell.startswith(FORMULA_START) else cell for cell in row])
    return "\ufeff" + buffer.getvalue()


def _finish(batch: ReportBatch, kept, size: int) -> None:
    """The zip into the home's private storage and the batch done; a batch stopped in the
    meantime keeps no zip."""
    batch.archive.save(f"{batch.uuid}.zip", File(kept), save=False)
    now = timezone.now()
    finished = _running(batch).update(
        state=BatchState.DONE,
        finished_at=now,
        heartbeat_at=now,
        archive=batch.archive.name,
        archive_size=size,
    )
    if not finished:
        batch.archive.delete(save=False)
        raise BatchTakenOver


def _stop(batch: ReportBatch, reason: str) -> None:
    ReportBatch.objects.filter(
        pk=batch.pk, state__in=[BatchState.QUEUED, BatchState.RUNNING]
    ).update(state=BatchState.FAILED, finished_at=timezone.now(), message=reason)


def _running(batch: ReportBatch) -> QuerySet[ReportBatch]:
    return ReportBatch.objects.filter(pk=batch.pk, state=BatchState.RUNNING)


def batch_recover(*, batch: ReportBatch, now=None) -> bool:
    """A batch whose worker died (running, unheard for the lease) or whose task was lost
    (queued, its task ended or taken by a worker that died before starting it) marked
    stopped with the reason; True when this call did."""
    now = now or timezone.now()
    if batch.state == BatchState.RUNNING:
        if batch.heartbeat_at is None or batch.heartbeat_at > now - lease():
            return False
        reason = _(
            "the background worker stopped after %(done)s of %(total)s reports; start the "
            "batch again"
        ) % {"done": batch.handled, "total": batch.total}
        as_seen = ReportBatch.objects.filter(
            pk=batch.pk, state=BatchState.RUNNING, heartbeat_at=batch.heartbeat_at
        )
    elif batch.state == BatchState.QUEUED:
        standing = task_standing(task_id=batch.task_id)
        if standing is None or standing.status == TaskResultStatus.READY:
            return False  # nothing to tell from, or waiting for a worker: not lost
        if standing.status == TaskResultStatus.RUNNING and standing.since > now - lease():
            return False  # a worker has just taken it
        reason = _("the background worker stopped before it began; start the batch again")
        as_seen = ReportBatch.objects.filter(
            pk=batch.pk, state=BatchState.QUEUED, task_id=batch.task_id
        )
    else:
        return False
    acted = bool(as_seen.update(state=BatchState.FAILED, finished_at=now, message=reason))
    if acted:
        task_abandoned(task_id=batch.task_id, reason=reason)
    return acted


def batches_expire(*, now=None) -> int:
    """The zips of batches finished more than KEEP_DAYS ago deleted from storage (the rows
    stay, saying so); how many."""
    now = now or timezone.now()
    old = ReportBatch.objects.filter(finished_at__lt=now - timedelta(days=KEEP_DAYS)).exclude(
        archive=""
    )
    count = 0
    for batch in old:
        batch.archive.delete(save=False)
        ReportBatch.objects.filter(pk=batch.pk).update(archive="")
        count += 1
    return count
