"""Frameworks of competencies, their trajectories of stages, rating scales and courses."""

import uuid
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.Model):
    """The levels used to rate one piece of work against one stage."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("people.District", on_delete=models.PROTECT, related_name="scales")
    name = models.CharField(max_length=200)
    # The CASE rubric criterion this scale was imported from, so a re-import updates it.
    case_identifier = models.UUIDField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return self.name

    @property
    def mastery_value(self) -> Decimal | None:
        """The lowest level that counts as mastery."""
        values = [level.value for level in self.levels.all() if level.is_mastery]
        return min(values) if values else None


class ScaleLevel(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="levels")
    value = models.DecimalField(max_digits=6, decimal_places=2)
    label = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, help_text=_("Hex colour, e.g. #2e7d32"))
    is_mastery = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["scale", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="scale_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.value.normalize()} {self.label}"


class Framework(models.Model):
    """A named, versioned set of competencies, e.g. "Writing K-12"."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="frameworks"
    )
    code = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    version = models.CharField(max_length=50, blank=True)
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="frameworks")
    # The CASE CFDocument this framework mirrors (empty for a framework written in Proficio):
    # a re-import of the same document updates this framework instead of adding another.
    case_identifier = models.UUIDField(null=True, blank=True, editable=False)
    # A district admin may let the district's teachers write this framework's competencies.
    teachers_may_write = models.BooleanField(default=False)
    case_uri = models.TextField(blank=True)
    creator = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    adoption_status = models.CharField(max_length=100, blank=True)
    status_start_date = models.DateField(null=True, blank=True)
    status_end_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    official_source_url = models.TextField(blank=True)
    # CASE licenseURI: {"title", "identifier", "uri"}, plus "licenseText" when the file had it.
    license = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    # Further CASE properties (subject, frameworkType, definitions, extensions) kept as they came.
    case_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="framework_code_unique"),
            models.UniqueConstraint(
                fields=["district", "case_identifier"], name="framework_case_identifier_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CompetencyKind(models.TextChoices):
    ACADEMIC = "academic", _("Academic")
    SKILL = "skill", _("Skill or disposition")


class Competency(models.Model):
    """A big idea: explicit, measurable, transferable. Its stages form its trajectory."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="competencies")
    code = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    statement = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=CompetencyKind.choices)
    subject = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    scale = models.ForeignKey(
        Scale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Overrides the framework's scale."),
    )
    position = models.PositiveIntegerField(default=0)
    # The external standards this competency consolidates (e.g. imported CASE items).
    aligned_standards = models.ManyToManyField(
        "Standard", blank=True, related_name="aligned_competencies"
    )

    class Meta:
        ordering = ["framework", "position", "code"]
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def effective_scale(self) -> Scale:
        return self.scale or self.framework.scale


class Stage(models.Model):
    """One step of a competency's trajectory across grade levels."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="stages")
    ordinal = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)
    # Used only for age-based reporting: a student of any age may work at any stage.
    typical_grade = models.SmallIntegerField(null=True, blank=True)
    descriptor = models.TextField(blank=True)
    # A stage once used is never deleted: retired, it keeps its evidence but takes no more.
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["competency", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "ordinal"], name="stage_ordinal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} stage {self.ordinal}: {self.label}"


class EvidenceStatement(models.Model):
    """An observable "the student can …" line for one stage."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="evidence_statements")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position"]

    def __str__(self) -> str:
        return self.text


class Course(models.Model):
    """A bundle of competencies, each at a target stage; complete when every target is mastered."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="courses"
    )
    code = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    next_course = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="previous_courses"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="course_code_unique")
        ]

    def __str__(self) -> str:
        return self.title


class CourseTarget(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="targets")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="course_targets")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "stage"], name="course_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.stage}"


class Standard(models.Model):
    """One item of an external standards framework (a CASE CFItem), kept as published.

    Its place in the tree (`parent`, `position`) comes from the document's `isChildOf`
    associations, which are also kept as `StandardAssociation` rows so an export gives
    back exactly what came in.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    identifier = models.UUIDField()
    uri = models.TextField(blank=True)
    human_coding_scheme = models.CharField(max_length=200, blank=True)
    full_statement = models.TextField()
    abbreviated_statement = models.TextField(blank=True)
    item_type = models.CharField(max_length=200, blank=True)
    education_level = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=20, blank=True)
    list_enumeration = models.CharField(max_length=50, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # Order among its siblings, from the isChildOf association's sequenceNumber.
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    concept_keywords = models.JSONField(default=list, blank=True)
    # The competency Proficio made from this item, when its type is one the import turns
    # into competencies.
    competency = models.ForeignKey(
        Competency, on_delete=models.SET_NULL, null=True, blank=True, related_name="case_items"
    )
    # Other CASE properties (alternativeLabel, CFItemTypeURI, licenseURI, subject, dates …)
    # under their CASE names, and the item's `extensions`.
    extra = models.JSONField(default=dict, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["framework", "position", "human_coding_scheme", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"], name="standard_identifier_unique"
            )
        ]

    def __str__(self) -> str:
        code = f"{self.human_coding_scheme} " if self.human_coding_scheme else ""
        return code + (self.abbreviated_statement or self.full_statement)[:80]


class StandardAssociation(models.Model):
    """A CASE association between two nodes; either end may lie outside the framework."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="standard_associations"
    )
    identifier = models.UUIDField()
    uri = models.TextField(blank=True)
    association_type = models.CharField(max_length=100)
    origin_identifier = models.CharField(max_length=500)
    origin_uri = models.TextField(blank=True)
    origin_title = models.TextField(blank=True)
    destination_identifier = models.CharField(max_length=500)
    destination_uri = models.TextField(blank=True)
    destination_title = models.TextField(blank=True)
    # The ends that are standards of this framework, for the tree page and CASE REST.
    origin = models.ForeignKey(
        Standard, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    destination = models.ForeignKey(
        Standard, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sequence_number = models.IntegerField(null=True, blank=True)
    # Other CASE properties (CFAssociationGroupingURI, notes, targetType) and `extensions`.
    extra = models.JSONField(default=dict, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["framework", "association_type", "sequence_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"], name="standard_association_identifier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin_title or self.origin_identifier} {self.association_type} " + (
            self.destination_title or self.destination_identifier
        )
