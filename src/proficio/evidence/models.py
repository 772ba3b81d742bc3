"""Evidence: the append-only record of every rating of student work."""

import uuid
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceSource(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    TASK = "task", _("Performance task")
    CONFERENCE = "conference", _("Conversation or conference")
    STANDARDIZED = "standardized", _("Standardized measure")
    SELF = "self", _("Self-assessment")
    EXTERNAL = "external", _("External tool")


class AppendOnlyError(Exception):
    """Evidence is never changed or deleted; a correction supersedes it."""


class Evidence(models.Model):
    """One rating of one student's work against one stage of one competency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="evidence")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="evidence"
    )
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="evidence")
    level = models.DecimalField(max_digits=6, decimal_places=2)
    # When the work was done: mastery is always ordered by this, never by recorded_at.
    observed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20, choices=EvidenceSource.choices)
    assessor = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_assessed",
    )
    feedback_present = models.TextField(blank=True, help_text=_("What is present in the work"))
    feedback_next = models.TextField(blank=True, help_text=_("What is needed next"))
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(1))
    artifact_url = models.URLField(blank=True)
    # What the work at `artifact_url` is, in a few words ("Lab report, revision 2").
    artifact_title = models.CharField(max_length=400, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # A withdrawal ("recorded in error") supersedes a rating and counts for nothing itself:
    # together they take that rating out of mastery, and both stay in the history.
    withdrawn = models.BooleanField(default=False)
    # Why a correction or a withdrawal was recorded, in the words of the person who did it.
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["observed_at", "recorded_at", "id"]
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["student", "competency", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.student} {self.stage}: {self.level} on {self.observed_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Evidence cannot be changed; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Evidence cannot be deleted; record a correction instead.")


def _evidence_file_path(instance: "EvidenceFile", filename: str) -> str:
    # Never the uploader's own name on disk: it is kept in `name` and given back on download.
    return f"evidence/{instance.uuid}"


def _evidence_thumbnail_path(instance: "EvidenceFile", filename: str) -> str:
    return f"evidence/{instance.uuid}-thumbnail.jpg"


class EvidenceFile(models.Model):
    """A photo, recording or document kept with a rating: what a teacher saw in a lab or
    heard in a discussion. Typed by its content; append-only like the rating."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=_evidence_file_path, max_length=200)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    thumbnail = models.FileField(upload_to=_evidence_thumbnail_path, max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("A file kept with a rating cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A file kept with a rating cannot be deleted.")


class StatementShown(models.Model):
    """One evidence statement of the rated stage that the teacher saw in the work: what the
    student's next steps count as shown. Append-only like the rating."""

    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="statements_shown"
    )
    statement = models.ForeignKey(
        "frameworks.EvidenceStatement", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "statement"], name="statement_shown_once")
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} shows {self.statement_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("What a rating saw in the work cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("What a rating saw in the work cannot be deleted.")
