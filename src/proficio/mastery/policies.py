"""Which mastery policy governs a student's competency on a given day."""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from django.db.models import prefetch_related_objects
from django.utils import timezone

from proficio.engine import METHOD_PARAMETERS
from proficio.frameworks.api import Competency, Framework, Scale
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.models import MasteryPolicy, Method
from proficio.mastery.permissions import may_set_policy
from proficio.people.api import (
    District,
    Person,
    School,
    student_school_sql,
)

DEFAULT_METHOD = Method.DECAYING_AVERAGE
DEFAULT_PARAMETERS = {"rate": 0.65}
DEFAULT_MINIMUM_EVIDENCE = 2
# The district default is in force from before any school year a district could import.
DEFAULT_EFFECTIVE_FROM = date(2000, 1, 1)
MINIMUM_EVIDENCE_MAX = 50


def specificity(policy: MasteryPolicy) -> int:
    """How narrow a policy's scope is: district 0, school 1, framework 2, competency 3."""
    return 3 if policy.competency_id else 2 if policy.framework_id else 1 if policy.school_id else 0


def policy_rank(policy: MasteryPolicy) -> tuple:
    """Which of two policies in force wins."""
    # The narrowest scope wins; within one scope the latest effective date, then version.
    return (specificity(policy), policy.effective_from, policy.version, policy.pk or 0)


def governs(policy: MasteryPolicy, *, school_id: int | None, competency: Competency) -> bool:
    """Whether a policy's scope takes in this competency of a student at this school."""
    if policy.competency_id is not None:
        return policy.competency_id == competency.pk
    if policy.framework_id is not None:
        return policy.framework_id == competency.framework_id
    return policy.school_id is None or policy.school_id == school_id


def most_specific(
    candidates: Iterable[MasteryPolicy], *, school_id: int | None, competency: Competency
) -> MasteryPolicy | None:
    """The policy in force among candidates (all already in force on the day), or None."""
    return max(
        (p for p in candidates if governs(p, school_id=school_id, competency=competency)),
        key=policy_rank,
        default=None,
    )


def policies_in_force(*, district_id: int, on: date | None = None) -> list[MasteryPolicy]:
    """Every version of a district's policies with an effective date up to `on`."""
    on = on or timezone.localdate()
    return list(MasteryPolicy.objects.filter(district_id=district_id, effective_from__lte=on))


def default_policy(*, district_id: int, competency: Competency) -> MasteryPolicy:
    """The documented default, unsaved: decaying average (rate 0.65), two ratings, and the
    scale's mastery level."""
    return MasteryPolicy(
        district_id=district_id,
        method=DEFAULT_METHOD,
        parameters=DEFAULT_PARAMETERS,
        minimum_evidence=DEFAULT_MINIMUM_EVIDENCE,
        threshold=competency.effective_scale.mastery_value,
        effective_from=DEFAULT_EFFECTIVE_FROM,
    )


def district_default(*, district_id: int, competency: Competency) -> MasteryPolicy:
    """The district's first policy version, saved as the default the first time one is
    needed, so every record can name the policy that produced it."""
    district_scope = MasteryPolicy.objects.filter(
        district_id=district_id, school=None, framework=None, competency=None
    )
    first = district_scope.order_by("effective_from", "version").first()
    if first is not None:
        return first
    policy = default_policy(district_id=district_id, competency=competency)
    policy.save()
    return policy


def district_competency(district: District) -> Competency | None:
    """Any competency of the district, to read the mastery level of its default scale."""
    return (
        Competency.objects.filter(framework__district=district)
        .select_related("framework__scale", "scale")
        .order_by("pk")
        .first()
    )


# ---- a new version, checked -----------------------------------------------------------------


def _in_district(
    district: District,
    school: School | None,
    framework: Framework | None,
    competency: Competency | None,
) -> bool:
    return (
        (school is None or school.district_id == district.pk)
        and (framework is None or framework.district_id == district.pk)
        and (competency is None or competency.framework.district_id == district.pk)
    )


def _scales_governed(
    district: District, framework: Framework | None, competency: Competency | None
) -> list[Scale]:
    """Every scale the policy's competencies are rated on: the threshold must fit each."""
    competencies = Competency.objects.filter(framework__district=district).select_related(
        "framework__scale", "scale"
    )
    if competency is not None:
        competencies = competencies.filter(pk=competency.pk)
    elif framework is not None:
        competencies = competencies.filter(framework=framework)
    scales = {c.effective_scale.pk: c.effective_scale for c in competencies}
    prefetch_related_objects(list(scales.values()), "levels")
    return [scale for scale in scales.values() if scale.levels.all()]


def _checked_threshold(threshold: object, scales: list[Scale]) -> tuple[Decimal | None, str]:
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
    specs = METHOD_PARAMETERS[method]
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


def proposed_policy(
    *,
    actor: Person,
    district: District,
    school: School | None = None,
    framework: Framework | None = None,
    competency: Competency | None = None,
    method: str,
    parameters: Mapping[str, object],
    minimum_evidence: int,
    threshold: Decimal | float | str,
    higher_implies_lower: bool = True,
    include_self_assessment: bool = False,
    effective_from: date | None = None,
    lock: bool = False,
) -> MasteryPolicy:
    """The next version of a scope's policy, checked and numbered but not saved.

    NotVisible when the actor may not set this scope; InvalidInput naming every bad field.
    lock: take the scope's versions FOR UPDATE (inside the saving transaction), so two
    simultaneous changes number themselves in turn.
    """
    if not may_set_policy(actor, district=district, school=school) or not _in_district(
        district, school, framework, competency
    ):
        raise NotVisible("No such scope for you to set a policy on.")
    errors: dict[str, str] = {}
    if sum(part is not None for part in (school, framework, competency)) > 1:
        errors["scope"] = "Choose one scope: the district, a school, a framework or a competency."
    checked: dict[str, float] = {}
    if method not in Method.values:
        errors["method"] = f"Unknown method {method!r}; use one of {', '.join(Method.values)}."
    else:
        checked, parameter_errors = _checked_parameters(method, parameters)
        errors.update(parameter_errors)
    if (
        not isinstance(minimum_evidence, int)
        or isinstance(minimum_evidence, bool)
        or not 1 <= minimum_evidence <= MINIMUM_EVIDENCE_MAX
    ):
        errors["minimum_evidence"] = f"Use a whole number from 1 to {MINIMUM_EVIDENCE_MAX}."
    value, threshold_error = _checked_threshold(
        threshold, _scales_governed(district, framework, competency)
    )
    if threshold_error:
        errors["threshold"] = threshold_error
    today = timezone.localdate()
    effective_from = effective_from or today
    if effective_from < today:
        errors["effective_from"] = (
            "A policy cannot start in the past: past mastery stays as the policy then in "
            "force made it. Choose today or a later day."
        )
    if errors:
        raise InvalidInput(errors)
    scope = {
        "district": district,
        "school": school,
        "framework": framework,
        "competency": competency,
    }
    versions = MasteryPolicy.objects.filter(**scope)
    if lock:
        versions = versions.select_for_update()
    return MasteryPolicy(
        **scope,
        method=method,
        parameters=checked,
        minimum_evidence=minimum_evidence,
        threshold=value,
        higher_implies_lower=higher_implies_lower,
        include_self_assessment=include_self_assessment,
        version=max(versions.values_list("version", flat=True), default=0) + 1,
        effective_from=effective_from,
        created_by=actor,
    )


@cache
def _candidates_sql() -> str:
    # The student's school is looked up inside the query: one round trip per rating.
    return (
        f"SELECT * FROM {MasteryPolicy._meta.db_table} WHERE district_id = %s "
        "AND effective_from <= %s AND (competency_id = %s "
        "OR (competency_id IS NULL AND framework_id = %s) "
        "OR (competency_id IS NULL AND framework_id IS NULL AND (school_id IS NULL "
        f"OR school_id = ({student_school_sql()}))))"
    )


def policy_for(*, student: Person, competency: Competency, on: date | None = None) -> MasteryPolicy:
    """The most specific policy in force on `on`: competency, framework, school, then district.

    One query in plain SQL: this runs for every rating saved (mastery.storage says why).
    """
    on = on or timezone.localdate()
    district_id = competency.framework.district_id
    candidates = MasteryPolicy.objects.raw(
        _candidates_sql(),
        [district_id, on.isoformat(), competency.pk, competency.framework_id, student.pk],
    )
    best = max(candidates, key=policy_rank, default=None)
    if best is not None:
        return best
    return district_default(district_id=district_id, competency=competency)
