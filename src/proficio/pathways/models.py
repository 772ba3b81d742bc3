"""Playlists: for one competency stage, an ordered progression of learning activities that
open for a student when they are ready (ADR 0034), and each student's progress on them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from proficio.engine.unlock import AFTER_MASTERY, AFTER_PREVIOUS, OPEN


class Playlist(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)  # Markdown
    author = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # In the district's library: every teacher finds and copies it, and it is offered to
    # every student of the district working at its stage.
    shared = models.BooleanField(default=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    READING = "reading", _("Reading")
    VIDEO = "video", _("Video")
    PRACTICE = "practice", _("Practice")
    LESSON = "lesson", _("Lesson")
    WORKSHOP = "workshop", _("Workshop (face to face)")
    TASK = "task", _("Performance task")


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class Focus(models.TextChoices):
    CORE = "core", _("Core")
    ADDITIONAL = "additional", _("Additional")
    CHALLENGE = "challenge", _("Challenge")


class UnlockRule(models.TextChoices):
    OPEN = OPEN, "Open from the start"
    AFTER_PREVIOUS = AFTER_PREVIOUS, "After the item before it"
    AFTER_MASTERY = AFTER_MASTERY, "After mastery of given stages"


def _attachment_path(instance: "PlaylistItem", filename: str) -> str:
    return f"pathways/{instance.uuid}"


class PlaylistItem(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    title = models.CharField(max_length=300)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.ONLINE)
    url = models.URLField(blank=True, max_length=1000)
    # A file given with the item (a reading, a worksheet), typed and checked as students' are.
    attachment = models.FileField(upload_to=_attachment_path, max_length=200, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    task = models.ForeignKey(
        "work.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    focus = models.CharField(max_length=20, choices=Focus.choices, default=Focus.CORE)
    unlock = models.CharField(max_length=20, choices=UnlockRule.choices, default=UnlockRule.OPEN)
    # For "after mastery": every one of these stages, of any competency.
    needs = models.ManyToManyField("frameworks.Stage", blank=True, related_name="+")

    class Meta:
        ordering = ["playlist", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ItemProgress(models.Model):
    """A student's progress on one item: when they started it (it stays open for them from
    then on) and when it was done, and who said so."""

    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(PlaylistItem, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    marked_done_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "item"], name="item_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.item}"


class GateMode(models.TextChoices):
    NONE = "none", _("No standardized measure")
    ADVISORY = "advisory", _("Shown to the teacher, not required")
    REQUIRED = "required", _("Required: a result at or above the threshold")


class AdvancementGate(models.Model):
    """A district's design choice: whether a standardized measure confirms advancement."""

    district = models.OneToOneField(
        "people.District", on_delete=models.CASCADE, related_name="advancement_gate"
    )
    mode = models.CharField(max_length=20, choices=GateMode.choices, default=GateMode.NONE)
    # The least level a standardized result on one of the course's competencies must reach.
    threshold = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    # The sizes of the flexible groups Proficio suggests.
    group_size_min = models.PositiveSmallIntegerField(default=3)
    group_size_max = models.PositiveSmallIntegerField(default=6)
    changed_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.district}: {self.mode}"


class AdvancementKind(models.TextChoices):
    COURSE = "course", _("Course completed")
    ACCELERATION = "acceleration", _("Acceleration on strong evidence")


class Decision(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    NOT_YET = "not_yet", _("Not yet")


class Advancement(models.Model):
    """One student's advancement from a course: proposed (by Proficio when the course is
    complete, or by a teacher to accelerate), confirmed by a teacher and by the student,
    checked against the district's gate, decided with a rationale, and — to advance — the
    student placed in a section of the next course. A record the student and family read."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("frameworks.Course", on_delete=models.PROTECT, related_name="+")
    next_course = models.ForeignKey(
        "frameworks.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_section = models.ForeignKey(
        "people.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=AdvancementKind.choices)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(  # None: Proficio, on the course's completion
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal_note = models.TextField(blank=True)
    teacher_confirmed_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    teacher_confirmed_at = models.DateTimeField(null=True, blank=True)
    student_confirmed_at = models.DateTimeField(null=True, blank=True)
    gate_mode = models.CharField(max_length=20, choices=GateMode.choices, blank=True)
    gate_threshold = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    gate_evidence = models.ForeignKey(
        "evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    placed_in = models.ForeignKey(
        "people.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One open advancement per student and course: two visits at once find one.
            models.UniqueConstraint(
                fields=["student", "course"],
                condition=models.Q(decision=""),
                name="advancement_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.course}"

    @property
    def open(self) -> bool:
        return not self.decision


class SupportKind(models.TextChoices):
    SMALL_GROUP = "small_group", _("Small-group instruction")
    INTERVENTION = "intervention", _("Intervention")
    TUTORING = "tutoring", _("Tutoring")
    ACCOMMODATION = "accommodation", _("Accommodation")


class Support(models.Model):
    """Support given to a student: what, on which competency (or all), from when to when,
    and how it went. Accommodations are shown to every teacher of the student."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=SupportKind.choices)
    description = models.TextField()
    competency = models.ForeignKey(
        "frameworks.Competency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_kind_display()}"

    def active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class FlexibleGroup(models.Model):
    """A group of students at the same working stage of a competency, across sections and
    ages, with a teacher or a support attached and its meeting times. Its members and
    teachers live in people's StudentGroup, so its teachers see and rate its students."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.OneToOneField(
        "people.StudentGroup", on_delete=models.CASCADE, related_name="flexible"
    )
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="+")
    support = models.CharField(max_length=300, blank=True)
    meets = models.CharField(max_length=200, blank=True)  # "Tuesday and Thursday, 10:00"
    # Weekdays it meets, Monday 0 … Sunday 6, for "groups meeting today".
    meeting_days = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.group)

    @property
    def weekdays(self) -> set[int]:
        return {int(day) for day in self.meeting_days.split(",") if day.strip().isdigit()}
