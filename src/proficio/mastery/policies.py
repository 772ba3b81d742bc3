"""Which mastery policy governs a student's competency on a given day."""

from collections.abc import Iterable
from datetime import date
from functools import cache

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from proficio.engine import format_score
from proficio.frameworks.api import Competency, Framework, Scale, district_competencies
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.data import PolicyProposal, PolicyRemoval
from proficio.mastery.models import MasteryPolicy, Method
from proficio.mastery.permissions import may_set_policy
from proficio.people.api import District, Person, student_school_sql

DEFAULT_METHOD = Method.DECAYING_AVERAGE
DEFAULT_PARAMETERS = {"rate": 0.65}
DEFAULT_MINIMUM_EVIDENCE = 2
# The district default is in force from before any school year a district could import.
DEFAULT_EFFECTIVE_FROM = date(2000, 1, 1)


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


def standing_per_scope(candidates: Iterable[MasteryPolicy]) -> list[MasteryPolicy]:
    """Each scope's latest version among candidates in force on the day, unless it removed
    the scope's own policy (`inherits`)."""
    latest: dict[tuple, MasteryPolicy] = {}
    for policy in candidates:
        key = (policy.school_id, policy.framework_id, policy.competency_id)
        if key not in latest or policy_rank(policy) > policy_rank(latest[key]):
            latest[key] = policy
    return [policy for policy in latest.values() if not policy.inherits]


def standing(candidates: Iterable[MasteryPolicy]) -> MasteryPolicy | None:
    """The winner among candidates that all govern the same student and competency and are
    in force on the day: the narrowest scope's standing version (`standing_per_scope`)."""
    return max(standing_per_scope(candidates), key=policy_rank, default=None)


def most_specific(
    candidates: Iterable[MasteryPolicy], *, school_id: int | None, competency: Competency
) -> MasteryPolicy | None:
    """The policy in force among candidates (all already in force on the day), or None."""
    return standing(p for p in candidates if governs(p, school_id=school_id, competency=competency))


def policies_in_force(*, district_id: int, on: date | None = None) -> list[MasteryPolicy]:
    """Every version of a district's policies with an effective date up to `on`."""
    on = on or timezone.localdate()
    return list(MasteryPolicy.objects.filter(district_id=district_id, effective_from__lte=on))


class PolicyResolver:
    """`policy_for` for many (school, competency) pairs: each district's policies in force on
    the day are read once, then chosen by the same rules, so a page of forty competencies
    makes one query, not forty. Call it with the student's school id and the competency."""

    def __init__(self, *, on: date):
        self.on = on
        self._in_force: dict[int, list[MasteryPolicy]] = {}

    def in_force(self, district_id: int) -> list[MasteryPolicy]:
        if district_id not in self._in_force:
            self._in_force[district_id] = policies_in_force(district_id=district_id, on=self.on)
        return self._in_force[district_id]

    def __call__(self, school_id: int | None, competency: Competency) -> MasteryPolicy:
        district_id = competency.framework.district_id
        chosen = most_specific(
            self.in_force(district_id), school_id=school_id, competency=competency
        )
        return chosen or district_default(district_id=district_id, competency=competency)


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
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        # The district's first ratings arrived together and another writer saved the default
        # a moment before (PostgreSQL lets both look first): use theirs.
        return district_scope.order_by("effective_from", "version").first()
    return policy


def district_competency(district: District) -> Competency | None:
    """Any competency of the district, to read the mastery level of its default scale."""
    return (
        district_competencies(district.pk)
        .select_related("framework__scale", "scale")
        .order_by("pk")
        .first()
    )


# ---- a new version, checked -----------------------------------------------------------------


def _in_district(draft: PolicyProposal) -> bool:
    district = draft.district
    return (
        (draft.school is None or draft.school.district_id == district.pk)
        and (draft.framework is None or draft.framework.district_id == district.pk)
        and (draft.competency is None or draft.competency.framework.district_id == district.pk)
    )


def _scales_governed(
    district: District, framework: Framework | None, competency: Competency | None
) -> list[Scale]:
    """Every scale the policy's competencies are rated on: the threshold must fit each."""
    competencies = district_competencies(district.pk).select_related("framework__scale", "scale")
    if competency is not None:
        competencies = competencies.filter(pk=competency.pk)
    elif framework is not None:
        competencies = competencies.filter(framework=framework)
    scales = {c.effective_scale.pk: c.effective_scale for c in competencies}
    prefetch_related_objects(list(scales.values()), "levels")
    return [scale for scale in scales.values() if scale.levels.all()]


def proposed_policy(*, actor: Person, draft: PolicyProposal, lock: bool = False) -> MasteryPolicy:
    """The next version of a scope's policy, checked and numbered but not saved: a new
    version (PolicyDraft) or the removal of the scope's own policy (PolicyRemoval, a version
    that `inherits`).

    NotVisible when the actor may not set this scope; InvalidInput naming every bad field
    (`PolicyDraft.checked`). lock: take the scope's versions FOR UPDATE (inside the saving
    transaction), so two simultaneous changes number themselves in turn.
    """
    if not may_set_policy(actor, district=draft.district, school=draft.school) or not _in_district(
        draft
    ):
        raise NotVisible("No such scope for you to set a policy on.")
    versions = MasteryPolicy.objects.filter(**draft.scope)
    if lock:
        versions = versions.select_for_update()
    versions = list(versions.order_by("-version"))
    number = (versions[0].version if versions else 0) + 1
    today = timezone.localdate()
    if isinstance(draft, PolicyRemoval):
        return _removal(draft, versions, number, today, actor)
    fields = draft.checked(
        scales=_scales_governed(draft.district, draft.framework, draft.competency), today=today
    )
    if draft.restores is not None and draft.restores not in {v.version for v in versions}:
        raise InvalidInput({"restores": f"This scope has no version {draft.restores}."})
    if draft.competency is not None and fields["rollup"]:
        _check_parts(draft.competency, fields)
    return MasteryPolicy(**fields, version=number, created_by=actor)


def _check_parts(competency: Competency, fields: dict[str, object]) -> None:
    """A competency's own rollup: it has parts, the terms name only them, and the points
    rule's base is within what they are worth."""
    parts = {part.code for part in competency.children.all()}
    if not parts:
        raise InvalidInput(
            {"rollup": f"{competency.code} has no parts to be mastered from: rate it instead."}
        )
    terms = fields["rollup_parts"]
    assert isinstance(terms, dict)
    unknown = sorted(set(terms) - parts)
    if unknown:
        raise InvalidInput(
            {"rollup_parts": f"{', '.join(unknown)} is not a part of {competency.code}."}
        )
    if fields["rollup"] == "points":
        total = sum(float(terms.get(code, {}).get("points", 1)) for code in parts)
        if float(fields["rollup_base"]) > total:  # type: ignore[arg-type]
            raise InvalidInput(
                {
                    "rollup_base": f"The parts are worth {format_score(total)} points in all: "
                    "use a base no higher."
                }
            )


def _removal(
    removal: PolicyRemoval,
    versions: list[MasteryPolicy],
    number: int,
    today: date,
    actor: Person,
) -> MasteryPolicy:
    effective_from = removal.checked_day(today=today)
    if not versions or versions[0].inherits:
        raise InvalidInput({"scope": "This scope has no policy of its own to remove."})
    latest = versions[0]
    return MasteryPolicy(
        **removal.scope,
        method=latest.method,
        parameters=latest.parameters,
        minimum_evidence=latest.minimum_evidence,
        threshold=latest.threshold,
        higher_implies_lower=latest.higher_implies_lower,
        include_self_assessment=latest.include_self_assessment,
        rollup=latest.rollup,
        rollup_base=latest.rollup_base,
        rollup_parts=latest.rollup_parts,
        inherits=True,
        effective_from=effective_from,
        version=number,
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
    best = standing(candidates)
    if best is not None:
        return best
    return district_default(district_id=district_id, competency=competency)
