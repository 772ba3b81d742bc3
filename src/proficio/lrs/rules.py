"""A district's rules for turning statements into evidence: its admins add and remove them on
the mapping page; the store reads them (`RuleBook`) to mark the statements a rule matches
for the mapper, and the mapper to rate them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.frameworks.api import (
    Competency,
    district_competencies,
    rating_target_problems,
    stages_and_scales_prefetch,
)
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lrs.models import ActivityRule
from proficio.lrs.xapi.validation import BadStatement, iri
from proficio.people.api import District, Person


def activity_rules_of(district: District | int) -> QuerySet[ActivityRule]:
    """The district's rules with their competencies (for its admins, or the mapper)."""
    district_id = district if isinstance(district, int) else district.pk
    return ActivityRule.objects.filter(district_id=district_id).select_related(
        "competency__framework__scale", "competency__scale"
    )


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value).strip()) if value is not None and str(value).strip() else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


@transaction.atomic
def activity_rule_add(
    *,
    actor: Person | None,
    district: District,
    activity: str,
    match: str,
    verb: str,
    competency: Competency | None,
    stage: int | None,
    met_level: Decimal | str | None,
    not_met_level: Decimal | str | None = None,
    mastery_score: Decimal | str | None = None,
) -> ActivityRule:
    """Add one rule; InvalidInput names every field that is wrong. Audited."""
    errors: dict[str, str] = {}
    activity, verb = activity.strip(), verb.strip()
    for name, value in (("activity", activity), ("verb", verb)):
        if value:
            try:
                iri(value, name)
            except BadStatement:
                errors[name] = _("Give the full IRI the tool sends, e.g. https://…")
    if not activity:
        errors["activity"] = _("Give the activity's id as the tool sends it, or the start of it.")
    if match not in (ActivityRule.EXACT, ActivityRule.PREFIX):
        errors["match"] = _("Choose whether the rule is for this id or every id starting so.")
    met, not_met = _decimal(met_level), _decimal(not_met_level)
    if met is None:
        errors["met_level"] = _("Give the level on the competency's scale.")
    if not_met_level not in (None, "") and not_met is None:
        errors["not_met_level"] = _("Give a level on the scale, or leave it empty.")
    score = _decimal(mastery_score) if mastery_score not in (None, "") else Decimal("0.8")
    if score is None or not Decimal(0) <= score <= Decimal(1):
        errors["mastery_score"] = _("Give the mastery score as a fraction from 0 to 1, e.g. 0.8.")
    if stage is None or stage < 1:
        errors["stage"] = _("Give the stage's number: 1 is the first.")
    found = (
        district_competencies(district.pk)
        .select_related("framework__scale", "scale")
        .filter(pk=competency.pk)
        .first()
        if competency is not None
        else None
    )
    if found is None:
        errors["competency"] = _("Choose a competency of the district.")
    elif stage is not None and stage >= 1:
        stages_and_scales_prefetch([found])
        for level, name in ((met, "met_level"), (not_met, "not_met_level")):
            if level is not None:
                problems = rating_target_problems(found, stage, level)
                errors.setdefault("stage", problems.get("stage", ""))
                if "level" in problems:
                    errors[name] = problems["level"]
        if not errors["stage"]:
            del errors["stage"]
    if errors:
        raise InvalidInput(errors)
    rule = ActivityRule.objects.create(
        district=district,
        activity=activity,
        match=match,
        verb=verb,
        competency=found,
        stage=stage,
        met_level=met,
        not_met_level=not_met,
        mastery_score=score,
    )
    audit.record(
        actor=actor,
        action=audit.ACTIVITY_RULE_CHANGED,
        district_id=district.pk,
        target=rule,
        data={"added": described(rule)},
    )
    return rule


@transaction.atomic
def activity_rule_remove(*, actor: Person | None, district: District, rule_id: int | None) -> None:
    """Remove one rule (evidence it made stays); NotVisible when the district has none such."""
    rule = activity_rules_of(district).filter(pk=rule_id).first()
    if rule is None:
        raise NotVisible(_("There is no such rule."))
    removed = described(rule)
    rule.delete()
    audit.record(
        actor=actor,
        action=audit.ACTIVITY_RULE_CHANGED,
        district_id=district.pk,
        data={"removed": removed},
    )


def described(rule: ActivityRule) -> dict[str, str | int | None]:
    return {
        "activity": rule.activity,
        "match": rule.match,
        "verb": rule.verb,
        "competency": rule.competency.code,
        "stage": rule.stage,
        "met_level": str(rule.met_level.normalize()),
        "not_met_level": str(rule.not_met_level.normalize()) if rule.not_met_level else None,
        "mastery_score": str(rule.mastery_score.normalize()),
    }


@dataclass
class RuleBook:
    """A district's rules, looked up by a statement's activity and verb."""

    exact: dict[str, list[ActivityRule]] = field(default_factory=dict)
    prefixes: list[ActivityRule] = field(default_factory=list)

    @classmethod
    def of(cls, district_id: int, *, with_competencies: bool = True) -> RuleBook:
        """The district's rules; without their competencies, only to know which match."""
        rules = (
            activity_rules_of(district_id)
            if with_competencies
            else ActivityRule.objects.filter(district_id=district_id).only(
                "activity", "match", "verb", "competency_id", "stage"
            )
        )
        book = cls()
        for rule in rules:
            if rule.match == ActivityRule.PREFIX:
                book.prefixes.append(rule)
            else:
                book.exact.setdefault(rule.activity, []).append(rule)
        return book

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def matching(self, activity_id: str, verb_id: str) -> list[ActivityRule]:
        """The rules for this activity and verb, one per competency and stage (an exact rule
        over a prefix rule for the same)."""
        found: dict[tuple[int, int], ActivityRule] = {}
        for rule in self.prefixes:
            if activity_id.startswith(rule.activity) and rule.verb in ("", verb_id):
                found[rule.competency_id, rule.stage] = rule
        for rule in self.exact.get(activity_id, ()):
            if rule.verb in ("", verb_id):
                found[rule.competency_id, rule.stage] = rule
        return list(found.values())
