"""A district's mapping of standardized results: which competency, stage and level each band
of each assessment is evidence of. Its admins add and remove rules on the mapping page; the
results import reads it (`Mapping`)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from proficio.audit import api as audit
from proficio.frameworks.api import (
    Competency,
    district_competencies,
    rating_target_problems,
    stages_and_scales_prefetch,
)
from proficio.interop.models import ResultMapping
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import District, Person

ASSESSMENT_MAX = ResultMapping._meta.get_field("assessment").max_length
BAND_MAX = ResultMapping._meta.get_field("band").max_length


def name_key(name: str) -> str:
    """How assessment and band names are matched: any case, any run of spaces."""
    return " ".join(name.split()).casefold()


def result_mappings_of(district: District) -> QuerySet[ResultMapping]:
    """The district's rules, by assessment and band, with their competencies (for a district
    whose admin is asking, or for the operator's import)."""
    return ResultMapping.objects.filter(district=district).select_related(
        "competency__framework__scale", "competency__scale"
    )


@transaction.atomic
def result_mapping_add(
    *,
    actor: Person | None,
    district: District,
    assessment: str,
    band: str,
    competency: Competency | None,
    stage: int | None,
    level: Decimal | str | None,
) -> ResultMapping:
    """Add one rule: results in `band` of `assessment` become evidence of `stage` of
    `competency` at `level`. InvalidInput names every field that is wrong. Audited."""
    assessment, band = " ".join(assessment.split()), " ".join(band.split())
    errors: dict[str, str] = {}
    if not assessment:
        errors["assessment"] = "Name the assessment as the results file names it."
    elif len(assessment) > ASSESSMENT_MAX:
        errors["assessment"] = f"Keep the name under {ASSESSMENT_MAX} characters."
    if not band:
        errors["band"] = "Name the band as the results file names it."
    elif len(band) > BAND_MAX:
        errors["band"] = f"Keep the band under {BAND_MAX} characters."
    try:
        value = Decimal(str(level)) if level is not None and str(level).strip() else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors["level"] = "Give the level as a number on the competency's scale."
    if stage is None or stage < 1:
        errors["stage"] = "Give the stage's number: 1 is the first."
    # Read again, with its stages and scale as they are now.
    found = (
        district_competencies(district.pk)
        .select_related("framework__scale", "scale")
        .filter(pk=competency.pk)
        .first()
        if competency is not None
        else None
    )
    if found is None:
        errors["competency"] = "Choose a competency of the district."
    elif stage is not None and value is not None and value.is_finite():
        stages_and_scales_prefetch([found])
        errors = rating_target_problems(found, stage, value) | errors
    competency = found
    if not errors and (
        result_mappings_of(district)
        .filter(assessment_key=name_key(assessment), band_key=name_key(band), competency=competency)
        .exists()
    ):
        errors["band"] = (
            f"“{band}” of {assessment} is already mapped to {competency.code}: remove that "
            "rule first to change it."
        )
    if errors:
        raise InvalidInput(errors)
    assert competency is not None and stage is not None and value is not None
    mapping = ResultMapping.objects.create(
        district=district,
        assessment=assessment,
        band=band,
        assessment_key=name_key(assessment),
        band_key=name_key(band),
        competency=competency,
        stage=stage,
        level=value,
    )
    audit.record(
        actor=actor,
        action=audit.RESULT_MAPPING_CHANGED,
        district_id=district.pk,
        target=mapping,
        data={"added": _described(mapping)},
    )
    return mapping


@transaction.atomic
def result_mapping_remove(
    *, actor: Person | None, district: District, mapping_id: UUID | str
) -> None:
    """Remove one rule of the district's mapping (evidence already imported stays);
    NotVisible when the district has no such rule. Audited."""
    try:
        mapping = result_mappings_of(district).filter(uuid=mapping_id).first()
    except (ValueError, ValidationError):
        mapping = None
    if mapping is None:
        raise NotVisible(f"No rule {mapping_id} in this district's mapping.")
    described = _described(mapping)
    mapping.delete()
    audit.record(
        actor=actor,
        action=audit.RESULT_MAPPING_CHANGED,
        district_id=district.pk,
        data={"removed": described},
    )


def _described(mapping: ResultMapping) -> dict[str, str | int]:
    return {
        "assessment": mapping.assessment,
        "band": mapping.band,
        "competency": mapping.competency.code,
        "stage": mapping.stage,
        "level": str(mapping.level.normalize()),
    }


# ---- the mapping as the import reads it -------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule, ready to use: `problem` says why it cannot be used now ("" when it can)."""

    assessment: str  # the names as the mapping writes them
    band: str
    competency: Competency
    stage: int
    level: Decimal
    problem: str = ""


@dataclass
class Assessment:
    name: str
    bands: dict[str, list[Rule]] = field(default_factory=dict)  # band key → its rules
    band_names: list[str] = field(default_factory=list)


@dataclass
class Mapping:
    """A district's mapping read once: assessment key → its bands and their rules."""

    assessments: dict[str, Assessment]

    @classmethod
    def of(cls, district: District) -> "Mapping":
        rows = list(result_mappings_of(district))
        # One object per competency, its stages and scale read once for all its rules.
        competencies = {row.competency_id: row.competency for row in rows}
        stages_and_scales_prefetch(list(competencies.values()))
        assessments: dict[str, Assessment] = {}
        for row in rows:
            entry = assessments.setdefault(row.assessment_key, Assessment(name=row.assessment))
            if row.band_key not in entry.bands:
                entry.band_names.append(row.band)
            competency = competencies[row.competency_id]
            problems = rating_target_problems(competency, row.stage, row.level)
            entry.bands.setdefault(row.band_key, []).append(
                Rule(
                    assessment=entry.name,
                    band=row.band,
                    competency=competency,
                    stage=row.stage,
                    level=row.level,
                    problem=" ".join(problems.values()),
                )
            )
        return cls(assessments)

    def names(self) -> Sequence[str]:
        return [assessment.name for assessment in self.assessments.values()]
