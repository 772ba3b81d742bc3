"""Mastery policies (a school's design choice) and the mastery they derive from evidence."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    LATEST = "latest", _("Most recent")
    HIGHEST = "highest", _("Highest")
    MEAN = "mean", _("Mean")
    MEDIAN_RECENT = "median_recent", _("Median of recent")
    MODE = "mode", _("Mode")
    WEIGHTED_AVERAGE = "weighted_average", _("Weighted average")
    DECAYING_AVERAGE = "decaying_average", _("Decaying average")
    N_MASTERY = "n_mastery", _("N times at mastery")
    POWER_LAW = "power_law", _("Power law")


class MasteryPolicy(models.Model):
    """How mastery is computed, scoped district → school → framework → competency.

    Policies are versioned rows: a change adds a new version with its own
    effective date instead of editing the old one.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="mastery_policies"
    )
    school = models.ForeignKey(
        "people.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=30, choices=Method.choices)
    parameters = models.JSONField(default=dict, blank=True)
    minimum_evidence = models.PositiveSmallIntegerField(default=1)
    threshold = models.DecimalField(max_digits=6, decimal_places=2)
    higher_implies_lower = models.BooleanField(
        default=True, help_text=_("Mastering a stage also counts every lower stage as mastered.")
    )
    include_self_assessment = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = _("mastery policies")
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gt=0), name="policy_threshold_positive"),
        ]

    def __str__(self) -> str:
        scope = self.competency or self.framework or self.school or self.district
        return f"{self.get_method_display()} for {scope} (v{self.version})"


class MasteryRecord(models.Model):
    """Derived mastery of one stage for one student; rebuildable from evidence and policy."""

    student = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+"
    )
    stage = models.ForeignKey("frameworks.Stage", on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(null=True)
    mastered = models.BooleanField(default=False)
    # Mastered only because a higher stage was (policy's higher_implies_lower).
    implied = models.BooleanField(default=False)
    evidence_count = models.PositiveIntegerField(default=0)
    sufficient = models.BooleanField(default=False)
    policy = models.ForeignKey(MasteryPolicy, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField()
    explanation = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "stage"], name="mastery_record_unique")
        ]
        indexes = [models.Index(fields=["student", "competency"])]

    def __str__(self) -> str:
        return f"{self.student} {self.stage}: {'mastered' if self.mastered else 'not yet'}"


class WorkingStage(models.Model):
    """Where a student works on a competency: the lowest stage not yet mastered.

    `ordinal` is null once every stage is mastered. The latest rating is kept
    beside it so a gradebook is one query.
    """

    student = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.CASCADE, related_name="+"
    )
    ordinal = models.PositiveSmallIntegerField(null=True)
    latest_level = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    latest_stage_ordinal = models.PositiveSmallIntegerField(null=True)
    latest_observed_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "competency"], name="working_stage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.competency.code}: stage {self.ordinal}"
