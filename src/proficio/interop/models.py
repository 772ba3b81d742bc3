"""Interop's own tables: how a district reads the results of standardized assessments."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultMapping(models.Model):
    """One rule of a district's mapping: a result in `band` of `assessment` is evidence of
    `stage` of `competency` at `level` (ratings with the source "standardized").

    An assessment's band may inform several competencies, one rule each. Names are matched
    as `name_key` words them: any case, any run of spaces."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "people.District", on_delete=models.PROTECT, related_name="result_mappings"
    )
    assessment = models.CharField(_("assessment"), max_length=200)
    band = models.CharField(_("band"), max_length=100)
    assessment_key = models.CharField(max_length=200, editable=False)
    band_key = models.CharField(max_length=100, editable=False)
    competency = models.ForeignKey(
        "frameworks.Competency", on_delete=models.PROTECT, related_name="result_mappings"
    )
    stage = models.PositiveSmallIntegerField(_("stage"))  # the competency's stage ordinal
    level = models.DecimalField(_("level"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment_key", "band_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "assessment_key", "band_key", "competency"],
                name="result_mapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.band} → {self.competency_id} stage {self.stage}"
