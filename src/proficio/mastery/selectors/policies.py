"""Policies: the scopes a user may set, each scope's versions and the one in force, and the
preview of what a proposed change would do."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.engine import format_result
from proficio.frameworks.api import (
    Competency,
    Framework,
    district_competencies,
    district_frameworks,
)
from proficio.lib.visibility import visible_get
from proficio.mastery.data import PolicyProposal, Scope
from proficio.mastery.models import MasteryPolicy, PolicyPreviewRun
from proficio.mastery.permissions import policy_previews_visible_q
from proficio.mastery.policies import (
    default_policy,
    district_competency,
    policy_rank,
    proposed_policy,
    specificity,
    standing,
)
from proficio.mastery.preview import preview, proposal_from_json
from proficio.mastery.selectors.change_reasons import change_reason
from proficio.people.api import (
    District,
    Person,
    School,
    districts_administered_by,
    schools_administered_by,
    students_visible_to,
)


@dataclass(frozen=True)
class PolicyScope:
    """Where a policy applies: a district, or one school, framework or competency of it."""

    key: str
    label: str
    district: District
    school: School | None = None
    framework: Framework | None = None
    competency: Competency | None = None

    @property
    def kind(self) -> str:
        if self.competency is not None:
            return "competency"
        if self.framework is not None:
            return "framework"
        return "school" if self.school is not None else "district"

    @property
    def parts(self) -> dict[str, object]:
        """The scope as a PolicyDraft takes it."""
        return {
            "district": self.district,
            "school": self.school,
            "framework": self.framework,
            "competency": self.competency,
        }


def policy_scopes(*, user: Person) -> list[PolicyScope]:
    """Every scope whose policy this user may set: a district admin any scope of their
    district, a school admin their own school. Empty for everyone else."""
    scopes: list[PolicyScope] = []
    districts = list(districts_administered_by(user).order_by("name"))
    for district in districts:
        scopes.append(PolicyScope("district", _("The whole district (%s)") % district, district))
    for school in schools_administered_by(user).select_related("district"):
        scopes.append(PolicyScope(f"school-{school.uuid}", str(school), school.district, school))
    for district in districts:
        frameworks = district_frameworks(district.pk).order_by("title")
        for framework in frameworks:
            scopes.append(
                PolicyScope(
                    f"framework-{framework.uuid}",
                    _("Framework: %s") % framework.title,
                    district,
                    framework=framework,
                )
            )
        competencies = district_competencies(district.pk).select_related("framework")
        for competency in competencies.order_by("framework__title", "position", "code"):
            scopes.append(
                PolicyScope(
                    f"competency-{competency.uuid}",
                    _("Competency: %(code)s %(title)s")
                    % {"code": competency.code, "title": competency.title},
                    district,
                    competency=competency,
                )
            )
    return scopes


@dataclass(frozen=True)
class ScopePolicies:
    """A scope's own versions, newest first, and the policy in force for it today."""

    scope: PolicyScope
    versions: list[MasteryPolicy]
    in_force: MasteryPolicy
    # In force from a broader scope (the district's for a school without its own policy).
    inherited: bool
    today: date

    @property
    def removable(self) -> bool:
        """A school, framework or competency whose newest version is a policy of its own."""
        return (
            self.scope.kind != "district" and bool(self.versions) and not self.versions[0].inherits
        )

    def version(self, number: object) -> MasteryPolicy | None:
        """One of the scope's own versions by its number (as typed in an address), if any."""
        return next((v for v in self.versions if str(v.version) == str(number)), None)

    @property
    def listed(self) -> bool:
        """Shown in the overview: every scope but a competency without a policy of its own."""
        return self.scope.kind != "competency" or bool(self.versions)


def _broader_or_same(policy: MasteryPolicy, scope: PolicyScope) -> bool:
    if policy.competency_id is not None:
        return scope.competency is not None and policy.competency_id == scope.competency.pk
    if policy.framework_id is not None:
        framework = scope.competency.framework if scope.competency else scope.framework
        return framework is not None and policy.framework_id == framework.pk
    if policy.school_id is not None:
        return scope.school is not None and policy.school_id == scope.school.pk
    return True


def policy_overview(*, user: Person) -> list[ScopePolicies]:
    """Every scope this user may set, with its own versions and what is in force today."""
    today = timezone.localdate()
    scopes = policy_scopes(user=user)
    district_ids = {scope.district.pk for scope in scopes}
    every = _district_policies(district_ids)
    overview = []
    for scope in scopes:
        entry = _scope_policies(scope, every, today)
        if entry is not None:
            overview.append(entry)
    return overview


def scope_policies(*, district: District, school: School | None = None) -> ScopePolicies | None:
    """The district's (or one of its schools') own versions, newest first, and the policy in
    force for it today, whoever asks: what every member of staff may read of the design
    choice (the design choices page). None while the district has no competency to read a
    default's mastery level from."""
    if school is not None and school.district_id != district.pk:
        return None
    label = str(school) if school is not None else _("The whole district (%s)") % district
    key = f"school-{school.uuid}" if school is not None else "district"
    scope = PolicyScope(key, label, district, school)
    return _scope_policies(scope, _district_policies({district.pk}), timezone.localdate())


def narrower_policies(*, district: District) -> list[MasteryPolicy]:
    """The framework and competency policies of the district in force today, by scope: the
    exceptions to the district's and schools' policies, whoever asks."""
    today = timezone.localdate()
    latest: dict[tuple[int | None, int | None], MasteryPolicy] = {}
    for policy in _district_policies({district.pk}):
        if policy.effective_from > today or (
            policy.framework_id is None and policy.competency_id is None
        ):
            continue
        key = (policy.framework_id, policy.competency_id)
        if key not in latest or policy_rank(policy) > policy_rank(latest[key]):
            latest[key] = policy
    found = [policy for policy in latest.values() if not policy.inherits]
    return sorted(found, key=lambda p: (specificity(p), str(p.framework or p.competency)))


def _district_policies(district_ids: set[int]) -> list[MasteryPolicy]:
    return list(
        MasteryPolicy.objects.filter(district_id__in=district_ids)
        .select_related("created_by", "school", "framework", "competency")
        .order_by("-effective_from", "-version")
    )


def _scope_policies(
    scope: PolicyScope, every: list[MasteryPolicy], today: date
) -> ScopePolicies | None:
    own = [
        policy
        for policy in every
        if policy.district_id == scope.district.pk
        and policy.school_id == (scope.school.pk if scope.school else None)
        and policy.framework_id == (scope.framework.pk if scope.framework else None)
        and policy.competency_id == (scope.competency.pk if scope.competency else None)
    ]
    reaching = [
        policy
        for policy in every
        if policy.district_id == scope.district.pk
        and policy.effective_from <= today
        and _broader_or_same(policy, scope)
    ]
    in_force = standing(reaching)
    if in_force is None:
        competency = scope.competency or district_competency(scope.district)
        in_force = (
            default_policy(district_id=scope.district.pk, competency=competency)
            if competency
            else None
        )
    if in_force is None:
        return None
    return ScopePolicies(
        scope=scope, versions=own, in_force=in_force, inherited=in_force not in own, today=today
    )


def _reading(method: str, value: float | None) -> str:
    return _("no result") if value is None else format_result(method, value)


@dataclass(frozen=True)
class PreviewExample:
    student: str
    competency_code: str
    stage: int
    before: float | None
    after: float | None
    before_method: str
    after_method: str
    was_mastered: bool
    now_mastered: bool
    now_implied: bool
    reason: str = ""

    @property
    def text(self) -> str:
        """In one line, e.g. "Amara Okafor, W1 stage 4: 2.65 → 3.1, would become mastered"."""
        if self.now_mastered and not self.was_mastered:
            verdict = (
                _("would count as mastered through a higher stage")
                if self.now_implied
                else _("would become mastered")
            )
        elif self.was_mastered and not self.now_mastered:
            verdict = _("would no longer be mastered")
        elif self.now_mastered:
            verdict = _("stays mastered")
        else:
            verdict = _("stays not yet mastered")
        line = _("%(student)s, %(code)s stage %(stage)s: %(before)s → %(after)s, %(verdict)s") % {
            "student": self.student,
            "code": self.competency_code,
            "stage": self.stage,
            "before": _reading(self.before_method, self.before),
            "after": _reading(self.after_method, self.after),
            "verdict": verdict,
        }
        return f"{line}: {self.reason}" if self.reason else line


@dataclass(frozen=True)
class PolicyPreview:
    """What saving a proposed policy would change, worked out on the real evidence."""

    proposed: MasteryPolicy
    students: int
    students_changed: int
    newly_mastered: int
    no_longer_mastered: int
    students_losing_mastery: int
    working_stages_moved: int
    values_changed: int
    evidence_rows: int
    seconds: float
    examples: list[PreviewExample]

    @property
    def starts_later(self) -> bool:
        """The change takes effect after today: the preview reads that day's policies."""
        return self.proposed.effective_from > timezone.localdate()


def policy_proposed(*, user: Person, draft: PolicyProposal) -> MasteryPolicy:
    """The version a proposal would save, checked and numbered but not saved (NotVisible,
    InvalidInput like policy_change)."""
    return proposed_policy(actor=user, draft=draft)


def policy_preview(*, user: Person, draft: PolicyProposal) -> PolicyPreview:
    """How many students' mastery a policy change would change, with a few examples,
    computed on the evidence in its scope without writing anything.

    Checks like policy_change: NotVisible outside the user's reach, InvalidInput per field.
    """
    proposed = proposed_policy(actor=user, draft=draft)
    result = preview(scope=Scope.governed_by(proposed), proposed=proposed)
    return presented_preview(user=user, proposed=proposed, result=result.as_json())


def presented_preview(*, user: Person, proposed: MasteryPolicy, result: dict) -> PolicyPreview:
    """A preview's counts and examples (`PreviewResult.as_json`, worked out in the request or
    by the worker) as the page shows them: examples only of students the user sees."""
    examples = result["examples"]
    shown = students_visible_to(user).filter(pk__in=[e["student_id"] for e in examples])
    people = {person.pk: person.display_name for person in shown}
    return PolicyPreview(
        proposed=proposed,
        students=result["students"],
        students_changed=result["students_changed"],
        newly_mastered=result["newly_mastered"],
        no_longer_mastered=result["no_longer_mastered"],
        students_losing_mastery=result.get("students_losing_mastery", 0),
        working_stages_moved=result["working_stages_moved"],
        values_changed=result["values_changed"],
        evidence_rows=result["evidence_rows"],
        seconds=result["seconds"],
        examples=[
            PreviewExample(
                student=people[change["student_id"]],
                competency_code=change["competency"],
                stage=change["stage_ordinal"],
                before=change["before"],
                after=change["after"],
                # Previews worked out before knowledge tracing named no method: any other one.
                before_method=change.get("before_method", ""),
                after_method=change.get("after_method", ""),
                was_mastered=change["was_mastered"],
                now_mastered=change["now_mastered"],
                now_implied=change["now_implied"],
                reason=change_reason(change),
            )
            for change in examples
            if change["student_id"] in people
        ],
    )


def policy_preview_run_get(*, user: Person, preview_id: str) -> PolicyPreviewRun:
    """One background preview of this user's; NotVisible for anyone else's."""
    previews = PolicyPreviewRun.objects.filter(policy_previews_visible_q(user))
    return visible_get(previews, preview_id, "preview")


def policy_preview_run_shown(*, user: Person, run: PolicyPreviewRun) -> PolicyPreview:
    """A finished background preview as the page shows it."""
    proposed = proposal_from_json(run.proposal)
    return presented_preview(user=user, proposed=proposed, result=run.result)
