"""A student's goals, their steps and the conversation around them; mentors' check-ins, on
the cadence the district sets."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_CHECK_IN_DAYS = 7


class GoalStatus(models.TextChoices):
    WORKING = "working", _("Working on it")
    DONE = "done", _("Done")
    CHANGED = "changed", _("Changed")


class Goal(models.Model):
    """A goal the student owns: what, why, by when, optionally tied to a competency (an
    academic one or a skill such as self-direction) and a stage of it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    why = models.TextField(blank=True)
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage = models.ForeignKey(
        "frameworks.Stage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default="working")
    # Why it is done or changed, in the student's words.
    status_note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Who wrote it: the student, or a mentor with them in a check-in, or a conference's next step.
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "target_date", "-created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def steps_done(self) -> int:
        return sum(1 for step in self.steps.all() if step.done_at is not None)

    @property
    def steps_percent(self) -> int:
        steps = len(self.steps.all())
        return round(100 * self.steps_done / steps) if steps else 0


class GoalStep(models.Model):
    """One step toward a goal, ticked off when done."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["goal", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class GoalComment(models.Model):
    """A word on a goal from the student, their guardian, a teacher or their mentor; kept as
    written."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["goal", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.goal}"


class CheckIn(models.Model):
    """A mentor's check-in with a student: the mentor's notes, the actions they agreed, the
    goals they talked about, and the student's own reflection, which only they write."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    happened_on = models.DateField()
    notes = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    reflection = models.TextField(blank=True)
    reflected_at = models.DateTimeField(null=True, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="check_ins")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-happened_on", "-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.mentor} with {self.student} on {self.happened_on}"


class CheckInCadence(models.Model):
    """How often a district's mentors check in with each student (a design choice)."""

    district = models.OneToOneField("people.District", on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField(
        default=DEFAULT_CHECK_IN_DAYS, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )

    def __str__(self) -> str:
        return f"Every {self.days} days"


class PieceKind(models.TextChoices):
    REVISION = "revision", _("Work on a task")
    EVIDENCE = "evidence", _("Rated evidence")
    UPLOAD = "upload", _("Something of my own")


def _piece_file_path(instance: "PortfolioPiece", filename: str) -> str:
    # Never the student's own name on disk: it is kept in `file_name` and given on download.
    return f"portfolio/{instance.uuid}"


class PortfolioPiece(models.Model):
    """A piece the student chose for their portfolio: a revision of their work on a task, a
    rating of their work, or an upload of their own, with their reflection and the
    competencies it shows. The student chooses what their family sees. Removing a piece
    takes it out of the portfolio; the work itself stays."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=PieceKind.choices)
    revision = models.ForeignKey(
        "work.Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=_piece_file_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    reflection = models.TextField(blank=True)
    competencies = models.ManyToManyField("frameworks.Competency", blank=True, related_name="+")
    shared_with_family = models.BooleanField(default=False)
    # The piece that shows where the student started the year.
    baseline = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Conference(models.Model):
    """A student-led conference: an agenda Proficio drafts from the student's record since
    their last conference, which the student edits and shares; then the notes, the next
    steps agreed (which can become goals) and each participant's acknowledgement."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # The record the agenda covers: from this day (the last conference, or the school year's
    # start) to the day it was drafted.
    since = models.DateField()
    drafted_at = models.DateTimeField()
    # Drafted by Proficio (`conferences.agenda_of`): mastered stages with their evidence,
    # growth pairs, goals, pace, what is next. Kept as drafted, so it reads the same later.
    agenda = models.JSONField(default=dict)
    # The student's own: the pieces they will show, what they will say, their questions.
    pieces = models.ManyToManyField(PortfolioPiece, blank=True, related_name="+")
    script = models.TextField(blank=True)
    questions = models.TextField(blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-drafted_at", "-pk"]

    def __str__(self) -> str:
        return f"Conference of {self.student} drafted {self.drafted_at:%Y-%m-%d}"


class ParticipantRole(models.TextChoices):
    STUDENT = "student", _("Student")
    GUARDIAN = "guardian", _("Family")
    MENTOR = "mentor", _("Mentor")
    TEACHER = "teacher", _("Teacher")


class ConferenceParticipant(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=ParticipantRole.choices)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conference", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "person"], name="participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.conference}"


class ConferenceNextStep(models.Model):
    """A next step agreed at the conference; it can become one of the student's goals."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="next_steps")
    text = models.CharField(max_length=500)
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["conference", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class FamilyNote(models.Model):
    """A guardian's word, kept with the conference, on the soft skills they see at home."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="family_notes"
    )
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["conference", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.conference}"


class DigestChoice(models.Model):
    """Whether a guardian gets the weekly email about their children (on unless turned off)."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="+")
    weekly = models.BooleanField(default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person}: {'weekly' if self.weekly else 'off'}"
