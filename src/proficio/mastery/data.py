"""The mastery app's frozen data that crosses app lines: a policy change as an admin drafts
it, checked in one place, and the scope of a recompute."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Self

from proficio.engine import POLICY_PARAMETERS
from proficio.frameworks.api import Competency, Framework, Scale
from proficio.lib.errors import InvalidInput
from proficio.mastery.models import MasteryPolicy, Method, Rollup
from proficio.people.api import District, School

MINIMUM_EVIDENCE_MAX = 50


@dataclass(frozen=True, kw_only=True)
class PolicyScopeParts:
    """One scope of a district's policies: the district alone, or one school, framework or
    competency of it, and the day a proposal for it takes effect (None: today)."""

    district: District
    school: School | None = None
    framework: Framework | None = None
    competency: Competency | None = None
    effective_from: date | None = None

    @property
    def scope(self) -> dict[str, object]:
        """The scope as a policy's fields."""
        return {
            "district": self.district,
            "school": self.school,
            "framework": self.framework,
            "competency": self.competency,
        }

    def _scope_and_day_errors(self, today: date) -> tuple[dict[str, str], date]:
        errors: dict[str, str] = {}
        if sum(part is not None for part in (self.school, self.framework, self.competency)) > 1:
            errors["scope"] = (
                "Choose one scope: the district, a school, a framework or a competency."
            )
        effective_from = self.effective_from or today
        if effective_from < today:
            errors["effective_from"] = (
                "A policy cannot start in the past: past mastery stays as the policy then in "
                "force made it. Choose today or a later day."
            )
        return errors, effective_from


@dataclass(frozen=True, kw_only=True)
class PolicyDraft(PolicyScopeParts):
    """A new version of one scope's mastery policy as an admin proposes it, not yet checked.

    `parameters` are the method's, by name (those left out keep the engine's default);
    `restores` names the earlier version of the same scope
    whose settings it re-applies. `checked` is the one place a draft is validated:
    `policy_preview` and `policy_change` both reach it through `policies.proposed_policy`.
    """

    method: str
    parameters: Mapping[str, object]
    minimum_evidence: int
    threshold: Decimal | float | str
    higher_implies_lower: bool = True
    include_self_assessment: bool = False
    restores: int | None = None
    # For a competency with parts (ADR 0035): "" (its own ratings), "all", "points" or
    # "mean"; the points rule's base; the parts' terms by code, {"W1": {"points": 2,
    # "required": True}}, only in a competency's own policy.
    rollup: str = ""
    rollup_base: Decimal | float | str | None = None
    rollup_parts: Mapping[str, Mapping[str, object]] | None = None

    def checked(self, *, scales: Sequence[Scale], today: date) -> dict[str, object]:
        """The policy's fields, checked: parameters as numbers, the threshold as a level that
        fits every scale in `scales` (those the policy's competencies are rated on), the
        effective date filled in. InvalidInput naming every bad field."""
        errors, effective_from = self._scope_and_day_errors(today)
        checked: dict[str, float] = {}
        if self.method not in Method.values:
            errors["method"] = (
                f"Unknown method {self.method!r}; use one of {', '.join(Method.values)}."
            )
        else:
            checked, parameter_errors = _checked_parameters(self.method, self.parameters)
            errors.update(parameter_errors)
        if (
            not isinstance(self.minimum_evidence, int)
            or isinstance(self.minimum_evidence, bool)
            or not 1 <= self.minimum_evidence <= MINIMUM_EVIDENCE_MAX
        ):
            errors["minimum_evidence"] = f"Use a whole number from 1 to {MINIMUM_EVIDENCE_MAX}."
        value, threshold_error = _checked_threshold(self.threshold, scales)
        if threshold_error:
            errors["threshold"] = threshold_error
        rollup = self._checked_rollup(errors)
        if errors:
            raise InvalidInput(errors)
        return {
            **self.scope,
            "method": self.method,
            "parameters": checked,
            "minimum_evidence": self.minimum_evidence,
            "threshold": value,
            "higher_implies_lower": self.higher_implies_lower,
            "include_self_assessment": self.include_self_assessment,
            "effective_from": effective_from,
            "restores": self.restores,
            **rollup,
        }

    def _checked_rollup(self, errors: dict[str, str]) -> dict[str, object]:
        """The rollup fields, checked; errors keyed rollup, rollup_base, rollup_parts.<code>.
        Which parts a competency has is checked by `policies.proposed_policy`."""
        if self.rollup not in Rollup.values:
            errors["rollup"] = f"Unknown rollup {self.rollup!r}; use all, points or mean."
            return {}
        base = None
        if self.rollup == Rollup.POINTS:
            try:
                base = Decimal(str(self.rollup_base).strip())
            except InvalidOperation:
                base = None
            if (
                base is None
                or not base.is_finite()
                or base <= 0
                or base != base.quantize(Decimal("0.01"))
            ):
                errors["rollup_base"] = "Use a positive number of points (two decimals at most)."
        parts: dict[str, dict[str, object]] = {}
        given = self.rollup_parts or {}
        if given and self.competency is None:
            errors["rollup_parts"] = "Only a competency's own policy sets its parts' terms."
        for code, terms in given.items():
            points = terms.get("points", 1)
            if (
                isinstance(points, bool)
                or not isinstance(points, int | float | Decimal | str)
                or not _is_points(points)
            ):
                errors[f"rollup_parts.{code}"] = f"{code}: use a number of points ≥ 0."
                continue
            parts[str(code)] = {"points": float(points), "required": bool(terms.get("required"))}
        if not self.rollup:
            return {"rollup": "", "rollup_base": None, "rollup_parts": {}}
        return {"rollup": self.rollup, "rollup_base": base, "rollup_parts": parts}


@dataclass(frozen=True, kw_only=True)
class PolicyRemoval(PolicyScopeParts):
    """Removing a school's, framework's or competency's own policy from `effective_from`:
    the scope follows the broader one again (checked by `policies.proposed_policy`, which
    needs the scope's versions)."""

    def checked_day(self, *, today: date) -> date:
        """The day it takes effect; InvalidInput when the scope or day is wrong."""
        errors, effective_from = self._scope_and_day_errors(today)
        if self.school is None and self.framework is None and self.competency is None:
            errors["scope"] = (
                "The district's policy is what every other scope inherits: change it instead."
            )
        if errors:
            raise InvalidInput(errors)
        return effective_from


# What an admin may propose for a scope: a new version, or removing the scope's own policy.
PolicyProposal = PolicyDraft | PolicyRemoval


def _is_points(value: object) -> bool:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return False
    return number.is_finite() and 0 <= number <= 1000


def _checked_threshold(threshold: object, scales: Sequence[Scale]) -> tuple[Decimal | None, str]:
    try:
        value = Decimal(str(threshold).strip())
    except InvalidOperation:
        return None, f"{threshold!r} is not a number."
    if not value.is_finite() or value <= 0:
        return None, "Use a positive number."
    if value != value.quantize(Decimal("0.01")):
        return None, "Use at most two decimals."
    for scale in scales:
        values = [level.value for level in scale.levels.all()]
        low, high = min(values), max(values)
        if not low <= value <= high:
            return None, (
                f"Use a level between {low.normalize()} and {high.normalize()} "
                f"(the scale {scale.name})."
            )
    return value, ""


def _checked_parameters(
    method: str, parameters: Mapping[str, object]
) -> tuple[dict[str, float], dict[str, str]]:
    """The parameters given, checked (those left out keep the engine's default), and errors
    keyed `parameters.<name>`."""
    specs = POLICY_PARAMETERS[method]
    checked, errors = {}, {}
    for name, value in parameters.items():
        spec = specs.get(name)
        if spec is None:
            takes = ", ".join(specs) or "no parameters"
            errors["parameters"] = f"This method does not take {name}; it takes {takes}."
            continue
        try:
            checked[name] = spec.check(name, value)
        except ValueError:
            errors[f"parameters.{name}"] = f"{spec.label}: use {spec.describe()}."
    return checked, errors


@dataclass(frozen=True)
class Scope:
    """What a recompute covers: a district, optionally narrowed to one school's students,
    one framework's or one competency's stages."""

    district_id: int
    school_id: int | None = None
    framework_id: int | None = None
    competency_id: int | None = None

    @classmethod
    def governed_by(cls, policy: MasteryPolicy) -> Self:
        return cls(
            district_id=policy.district_id,
            school_id=policy.school_id,
            framework_id=policy.framework_id,
            competency_id=policy.competency_id,
        )
