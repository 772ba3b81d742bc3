"""The district's mastery credits, and transcripts as issued: immutable, dated snapshots
that a public page can verify by their code."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class MasteryCredit(models.Model):
    """A credit the district grants for mastering a stage: "Argument writing: stage 6"."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["stage__competency__code", "stage__ordinal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "stage"], name="credit_stage_once")
        ]

    def __str__(self) -> str:
        return self.title


class TranscriptFormat(models.Model):
    """A district's transcript format (a design choice): whether a transcript carries the
    appendix of the evidence behind each credit, and whether it shows beside each competency
    the stage typical for the student's age-grade. Without a row, Proficio's default: the
    appendix, no typical stage. A transcript issued keeps the format it was issued in, in
    its snapshot; who changed the format, and when, is in the audit trail."""

    district = models.OneToOneField("people.District", on_delete=models.CASCADE, related_name="+")
    appendix = models.BooleanField(default=True)
    typical_stage = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Transcript format of {self.district}"


class TranscriptIsImmutable(Exception):
    """An issued transcript is never changed or deleted: it says what it said that day."""


class IssuedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TranscriptIsImmutable("An issued transcript is never changed.")

    def delete(self):
        raise TranscriptIsImmutable("An issued transcript is never deleted.")


class IssuedTranscript(models.Model):
    """A transcript as issued on a day. `content` is the snapshot (areas, credits with their
    dates, the evidence appendix) without the student's name, which is read from their
    record so that an erasure on request reaches it; `digest` is the SHA-256 of the
    canonical snapshot, so a changed row is told from the one issued."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=24, unique=True)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    as_of = models.DateField()
    content = models.JSONField()
    # [policy uuid, version] of every mastery policy version the dates were worked out under.
    policies = models.JSONField(default=list)
    digest = models.CharField(max_length=64)

    objects = IssuedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"Transcript {self.code}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TranscriptIsImmutable("An issued transcript is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TranscriptIsImmutable("An issued transcript is never deleted.")


class BatchState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped")


def _batch_archive_path(instance: "ReportBatch", filename: str) -> str:
    # Never a name on disk: the download is named when it is served, to its requester only.
    return f"reports/batches/{instance.uuid}.zip"


class ReportBatch(models.Model):
    """The progress reports of every student of a section or a school that the requester
    may see, written by the background worker as PDFs into one zip in the home's private
    storage (served only to the requester, by a view). The page that started it polls this
    row: `done` and `failed` count the students handled so far out of `total`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # One of the two: the scope, as the requester may see it when the worker runs.
    section = models.ForeignKey(
        "people.Section", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school = models.ForeignKey(
        "people.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The period each report covers (None: the report's defaults), in the requester's language.
    since = models.DateField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.QUEUED)
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The students the worker read (ids), for the audit of each download; and the names of
    # those whose report could not be written, with why.
    students = models.JSONField(default=list, blank=True)
    failures = models.JSONField(default=list, blank=True)
    archive = models.FileField(upload_to=_batch_archive_path, max_length=200, blank=True)
    archive_size = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True)  # why it stopped

    class Meta:
        ordering = ["-enqueued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(section__isnull=False) & models.Q(school__isnull=True))
                | (models.Q(section__isnull=True) & models.Q(school__isnull=False)),
                name="report_batch_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"Progress reports of {self.section or self.school} ({self.state})"

    @property
    def scope(self):
        return self.section or self.school

    @property
    def unfinished(self) -> bool:
        return self.state in {BatchState.QUEUED, BatchState.RUNNING}

    @property
    def handled(self) -> int:
        return self.done + self.failed


class RecordLink(models.Model):
    """A link a student made to their learner record (ADR 0043): anyone holding its code
    fetches the record signed, until the day it expires or the student revokes it. The code
    is unguessable; without it the public pages tell nothing."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=64, unique=True)
    student = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Learner record link of {self.student}"
