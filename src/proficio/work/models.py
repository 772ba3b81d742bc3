"""Performance tasks and who they are assigned to.

A task is aligned to one or more (competency, stage) pairs; its rubric starts from those
stages' evidence statements and is the task's own to reword. An assignment gives a task to a
section (its students, including those who join later) or to students picked by hand.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RevisionPolicy(models.TextChoices):
    UNLIMITED = "unlimited", _("Revise as often as needed")
    MAX = "max", _("At most a number of revisions")
    UNTIL_MASTERED = "until_mastered", _("Revise until the stages are mastered")


class Task(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=300)
    instructions = models.TextField(blank=True)  # Markdown, rendered safely
    target_date = models.DateField(null=True, blank=True)  # soft: work may come early or late
    revision_policy = models.CharField(
        max_length=20, choices=RevisionPolicy.choices, default=RevisionPolicy.UNLIMITED
    )
    max_revisions = models.PositiveSmallIntegerField(null=True, blank=True)
    # In the district's shared library: every teacher of the district finds and copies it.
    shared = models.BooleanField(default=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title

    @property
    def revision_words(self) -> str:
        """The revision policy as a student reads it."""
        if self.revision_policy == RevisionPolicy.MAX:
            return f"Up to {self.max_revisions} revisions after the first submission"
        return self.get_revision_policy_display()


class TaskAlignment(models.Model):
    """One (competency, stage) the task lets a student show."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="alignments")
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "stage"], name="task_alignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.stage}"


class RubricCriterion(models.Model):
    """A line of the task's rubric for one alignment: first an evidence statement, then the
    task's own wording."""

    alignment = models.ForeignKey(TaskAlignment, on_delete=models.CASCADE, related_name="criteria")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["alignment", "position"]

    def __str__(self) -> str:
        return self.text


class TaskOption(models.Model):
    """One way of the choice board to show the same competencies ("record a podcast")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A student's own way, proposed on the choice board: open to them once a teacher approves.
    proposed_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField(default=True)

    class Meta:
        ordering = ["task", "position"]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """A task given to a section (its students now and later) or to students picked by hand."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments")
    section = models.ForeignKey(
        "people.Section", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    students = models.ManyToManyField("people.Person", blank=True, related_name="+")
    assigned_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.task} ({self.created_at:%Y-%m-%d})"


class Submission(models.Model):
    """A student's work on one task: its revisions, oldest first. One per task and student."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="submissions")
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "student"], name="submission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.task}"


class WorkIsAppendOnly(Exception):
    """A revision or a review, once stored, is never changed or deleted: the student's work
    and what was said of it stay."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused too, so no path rewrites a revision."""

    def update(self, **kwargs):
        raise WorkIsAppendOnly("Stored work is never changed.")

    def delete(self):
        raise WorkIsAppendOnly("Stored work is never deleted.")


class AppendOnly(models.Model):
    """Stored once, never changed or deleted: row by row, and in bulk (the queryset)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise WorkIsAppendOnly(f"A stored {self._meta.verbose_name} is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise WorkIsAppendOnly(f"A stored {self._meta.verbose_name} is never deleted.")


class Revision(AppendOnly):
    """One saving of the work, numbered from 1: a draft, or submitted (then frozen for
    review). Append-only: revising makes the next one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    option = models.ForeignKey(
        TaskOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)  # Markdown
    reflection = models.TextField(blank=True)  # the student's, with the self-assessment
    submitted_at = models.DateTimeField(null=True, blank=True)  # None: a draft
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission} · revision {self.number}"


class ReviewDecision(models.TextChoices):
    RATED = "rated", _("Rated")
    REVISE = "revise", _("Returned for revision")


class Review(AppendOnly):
    """A teacher's reading of one submitted revision: ratings per aligned stage (each an
    evidence row) and a decision. Append-only, like the work it reads."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["revision", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.revision}: {self.decision}"


def _revision_file_path(instance: "RevisionFile", filename: str) -> str:
    # Never the student's own name on disk: it is kept in `name` and given back on download.
    return f"work/{instance.uuid}"


def _thumbnail_path(instance: "RevisionFile", filename: str) -> str:
    return f"work/{instance.uuid}-thumbnail.jpg"


class RevisionFile(AppendOnly):
    """A file of a revision, typed by its content; append-only like the revision."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=_revision_file_path, max_length=200)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    # A small JPEG of an image, for previews; none for other kinds.
    thumbnail = models.FileField(upload_to=_thumbnail_path, max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision", "pk"]

    def __str__(self) -> str:
        return self.name


class Comment(AppendOnly):
    """One message of a submission's feedback thread, from the student or a teacher;
    guardians read the thread. Append-only: what was said stays said."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


def _resource_path(instance: "TaskResource", filename: str) -> str:
    return f"work/resources/{instance.uuid}"


class TaskResource(models.Model):
    """A file the teacher gives with a task (a reading, a model answer, a template), read by
    whoever sees the task."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="resources")
    file = models.FileField(upload_to=_resource_path, max_length=200)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    added_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "pk"]

    def __str__(self) -> str:
        return self.name
