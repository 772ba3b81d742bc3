"""Exemplars of quality and blind calibration sessions: the district's shared reading of
student work against the stages of its trajectories.

What teachers read here is never the student's own file or text: pieces and exemplars are
anonymised copies (anonymise.py), so a rater reads the work, not the name on it."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_DRIFT_THRESHOLD = Decimal("0.5")
DEFAULT_DRIFT_MINIMUM = 4


class CalibrationSettings(models.Model):
    """A district's design choices for calibration."""

    district = models.OneToOneField("people.District", on_delete=models.CASCADE, related_name="+")
    # A teacher whose mean signed difference from consensus passes this many levels, over
    # at least `drift_minimum` ratings, is flagged.
    drift_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_DRIFT_THRESHOLD,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("3"))],
    )
    drift_minimum = models.PositiveSmallIntegerField(
        default=DEFAULT_DRIFT_MINIMUM, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    # Calibrate before you rate: a teacher new to a competency first rates its exemplars.
    calibrate_first = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Calibration settings of {self.district}"


class ConsentBasis(models.TextChoices):
    AUTHOR = "author", _("The student (or their family) agreed")
    POLICY = "policy", _("The school's policy on sharing work")


def _file_path(instance: "CopiedFile", filename: str) -> str:
    # Never the student's own file name on disk either.
    return f"calibration/{instance.uuid}"


class Exemplar(models.Model):
    """Anonymised student work placed at a (competency, stage, level), with an annotation of
    why: the evidence statements it shows and what is missing. Proposed by one person and
    published only once a second person confirms the anonymisation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(max_digits=6, decimal_places=2)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)  # Markdown, anonymised
    annotation = models.TextField()
    missing = models.TextField(blank=True)
    statements = models.ManyToManyField(
        "frameworks.EvidenceStatement", blank=True, related_name="+"
    )
    consent = models.CharField(max_length=10, choices=ConsentBasis.choices)
    consent_note = models.CharField(max_length=500, blank=True)
    # Where the work came from, for consent and the student's own data requests; never shown
    # beside the exemplar.
    source_student = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_revision = models.ForeignKey(
        "work.Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["competency", "stage__ordinal", "level", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None


class CopiedFile(models.Model):
    """An anonymised copy of a file of student work, under a name that says what it is,
    not whose."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_file_path, max_length=200)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    # Whether Proficio read its words for names (text, office documents); a photo, a
    # recording or a PDF it did not, and the second person must open it.
    read_for_names = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ExemplarFile(CopiedFile):
    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="files")


class CalibrationSession(models.Model):
    """A facilitator's session: 3–10 pieces, each read against a (competency, stage), rated
    blind by the invited teachers, then revealed and agreed. A session of one school, or of
    the whole district (no school)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "people.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    facilitator = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SessionPiece(models.Model):
    """One piece of work in a session (an anonymised copy), the stage it is read against,
    and the consensus the group records after the reveal."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="pieces")
    position = models.PositiveSmallIntegerField()
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    source_student = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_revision = models.ForeignKey(
        "work.Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_exemplar = models.ForeignKey(
        Exemplar, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consensus_level = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    # The level's rank on the scale when agreed, so a later change of scale rewrites nothing.
    consensus_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    consensus_rationale = models.TextField(blank=True)
    consensus_at = models.DateTimeField(null=True, blank=True)
    exemplar = models.ForeignKey(
        Exemplar, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="piece_position_unique")
        ]

    def __str__(self) -> str:
        return self.title


class PieceFile(CopiedFile):
    piece = models.ForeignKey(SessionPiece, on_delete=models.CASCADE, related_name="files")


class SessionRater(models.Model):
    """A teacher invited to rate; `submitted_at` once they have rated every piece."""

    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="raters")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="rater_once")]

    def __str__(self) -> str:
        return f"{self.person} in {self.session}"


class PieceRating(models.Model):
    """One teacher's blind reading of one piece: a level of the stage's scale and why."""

    piece = models.ForeignKey(SessionPiece, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(max_digits=6, decimal_places=2)
    # The level's rank on the scale when rated (first level 0): agreement and drift read it.
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["piece", "pk"]
        constraints = [models.UniqueConstraint(fields=["piece", "rater"], name="piece_rated_once")]

    def __str__(self) -> str:
        return f"{self.rater} on {self.piece}: {self.level}"


class PracticeRound(models.Model):
    """Calibrate before you rate: a teacher rated a competency's exemplars and saw how close
    they came to the level each was placed at."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="+"
    )
    # [{"exemplar": uuid, "level": "3", "placed": "2", "difference": 1}]
    answers = models.JSONField(default=list)
    exact = models.PositiveSmallIntegerField()
    adjacent = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} practised {self.competency}"
