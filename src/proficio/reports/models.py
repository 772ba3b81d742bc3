"""The district's mastery credits, and transcripts as issued: immutable, dated snapshots
that a public page can verify by their code."""

import uuid

from django.db import models


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
