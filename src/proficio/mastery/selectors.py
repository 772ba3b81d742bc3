"""Reads of mastery for pages and the API, scoped to the requesting user."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.engine import format_score
from proficio.evidence.api import Evidence, evidence_of
from proficio.frameworks.api import (
    Competency,
    Framework,
    Stage,
    competencies_for_student,
    competency_get,
)
from proficio.lib.visibility import visible_get
from proficio.mastery import recompute
from proficio.mastery.compute import competency_mastery
from proficio.mastery.models import (
    MasteryPolicy,
    MasteryRecord,
    MasteryRecordHistory,
    RecomputeRun,
    WorkingStage,
)
from proficio.mastery.pace import Pace, paces_of
from proficio.mastery.permissions import recompute_runs_visible_q
from proficio.mastery.policies import (
    default_policy,
    district_competency,
    policy_rank,
    proposed_policy,
)
from proficio.people.api import (
    District,
    Person,
    School,
    Section,
    districts_administered_by,
    schools_administered_by,
    section_students,
    student_get,
    students_visible_to,
)


@dataclass(frozen=True)
class StageStatus:
    stage: Stage
    value: float | None
    mastered: bool
    implied: bool
    sufficient: bool
    evidence_count: int
    explanation: str


@dataclass(frozen=True)
class CompetencyStatus:
    competency: Competency
    working_stage: int | None
    stages: list[StageStatus]

    @property
    def working(self) -> StageStatus | None:
        return next((s for s in self.stages if s.stage.ordinal == self.working_stage), None)

    @property
    def completed(self) -> bool:
        return self.working_stage is None and bool(self.stages)


def _computed(student: Person, competency: Competency, as_of: date | None) -> CompetencyStatus:
    result = competency_mastery(student=student, competency=competency, as_of=as_of)
    return CompetencyStatus(
        competency=competency,
        working_stage=result.working_stage,
        stages=[
            StageStatus(
                stage=s.stage,
                value=s.evaluation.value,
                mastered=s.mastered,
                implied=s.implied,
                sufficient=s.evaluation.sufficient,
                evidence_count=s.evaluation.evidence_count,
                explanation=s.explanation,
            )
            for s in result.stages
        ],
    )


def student_mastery(
    *, user: Person, student_id: str, as_of: date | None = None
) -> tuple[Person, list[CompetencyStatus]]:
    """Every competency of a student the user may see, as stored now or as of a past day."""
    student = student_get(user=user, student_id=student_id)
    competencies = list(competencies_for_student(student))
    if as_of is not None:
        return student, [_computed(student, c, as_of) for c in competencies]
    records: dict[int, list[MasteryRecord]] = {}
    for record in MasteryRecord.objects.filter(student=student).order_by("stage__ordinal"):
        records.setdefault(record.competency_id, []).append(record)
    policies: dict[int, MasteryPolicy] = {}
    statuses = []
    for competency in competencies:
        stored = records.get(competency.pk)
        if stored is None:
            statuses.append(_computed(student, competency, None))
            continue
        by_stage = {record.stage_id: record for record in stored}
        explanations = _explanations(student, competency, stored, policies)
        # The first stage not mastered, read off the very records shown beside it.
        working = next(
            (
                stage.ordinal
                for stage in competency.stages.all()
                if stage.pk not in by_stage or not by_stage[stage.pk].mastered
            ),
            None,
        )
        statuses.append(
            CompetencyStatus(
                competency=competency,
                working_stage=working,
                stages=[
                    StageStatus(
                        stage=stage,
                        value=by_stage[stage.pk].value,
                        mastered=by_stage[stage.pk].mastered,
                        implied=by_stage[stage.pk].implied,
                        sufficient=by_stage[stage.pk].sufficient,
                        evidence_count=by_stage[stage.pk].evidence_count,
                        explanation=explanations[stage.pk],
                    )
                    for stage in competency.stages.all()
                    if stage.pk in by_stage
                ],
            )
        )
    return student, statuses


def _explanations(
    student: Person,
    competency: Competency,
    stored: list[MasteryRecord],
    policies: dict[int, MasteryPolicy],
) -> dict[int, str]:
    """Each stored record's explanation by stage. The bulk recompute leaves them empty
    (ADR 0005): those are explained here from the evidence, under the policy version that
    produced the record, so every value still reads with its explanation."""
    explained = {record.stage_id: record.explanation for record in stored}
    if all(explained.values()):
        return explained
    policy_id = stored[0].policy_id  # one competency's records come from one version
    if policy_id not in policies:
        policies[policy_id] = MasteryPolicy.objects.get(pk=policy_id)
    result = competency_mastery(student=student, competency=competency, policy=policies[policy_id])
    for stage in result.stages:
        if not explained.get(stage.stage.pk):
            explained[stage.stage.pk] = stage.explanation
    return explained


@dataclass(frozen=True)
class GradebookCell:
    working_stage: int | None
    latest_level: Decimal | None
    latest_stage: int | None
    latest_observed_at: datetime | None
    pace: Pace | None = None


@dataclass(frozen=True)
class Gradebook:
    section: Section
    students: list[Person]
    competencies: list[Competency]
    cells: dict[tuple[int, int], GradebookCell]

    def cell(self, student: Person, competency: Competency) -> GradebookCell | None:
        return self.cells.get((student.pk, competency.pk))


def gradebook(*, user: Person, section: Section, today: date | None = None) -> Gradebook:
    """Students × competencies for a section the caller has already been allowed to open,
    each cell with its pace as of `today`."""
    students = list(section_students(user=user, section=section))
    competencies = list(competencies_for_student(user))
    working = WorkingStage.objects.filter(student__in=students, competency__in=competencies)
    paces = paces_of(
        students=students, competencies=competencies, today=today or timezone.localdate()
    )
    cells = {
        (w.student_id, w.competency_id): GradebookCell(
            working_stage=w.ordinal,
            latest_level=w.latest_level,
            latest_stage=w.latest_stage_ordinal,
            latest_observed_at=w.latest_observed_at,
            pace=paces.get((w.student_id, w.competency_id)),
        )
        for w in working
    }
    return Gradebook(section=section, students=students, competencies=competencies, cells=cells)


def evidence_for(
    *, user: Person, student_id: str, competency: Competency, as_of: date | None = None
) -> list[Evidence]:
    """A visible student's evidence on one competency, oldest work first."""
    student = student_get(user=user, student_id=student_id)
    return list(evidence_of(student=student, competency=competency, as_of=as_of))


# ---- mastery under earlier policy versions --------------------------------------------------


@dataclass(frozen=True)
class PastValue:
    """A stage's value as an earlier policy version produced it, until a new one took over."""

    stage: Stage
    value: float | None
    mastered: bool
    sufficient: bool
    evidence_count: int
    policy: MasteryPolicy
    replaced_at: datetime

    @property
    def reading(self) -> str:
        """The value as the page showed it then: "2.67", with its sufficiency."""
        if self.value is None:
            return _("no result yet")
        if not self.sufficient:
            return _("%(value)s, not enough evidence yet") % {"value": format_score(self.value)}
        return format_score(self.value)


def mastery_history(*, user: Person, student_id: str, competency_id: str) -> list[PastValue]:
    """What a visible student's stages of one competency read under earlier policy
    versions, the most recent change first; stages that read nothing then are left out."""
    student = student_get(user=user, student_id=student_id)
    competency = competency_get(user=user, competency_id=competency_id)
    rows = (
        MasteryRecordHistory.objects.filter(student=student, competency=competency)
        .select_related("policy", "stage")
        .order_by("-replaced_at", "stage__ordinal")
    )
    return [
        PastValue(
            stage=row.stage,
            value=row.value,
            mastered=row.mastered,
            sufficient=row.sufficient,
            evidence_count=row.evidence_count,
            policy=row.policy,
            replaced_at=row.replaced_at,
        )
        for row in rows
        if row.value is not None or row.mastered
    ]


# ---- policies: scopes, versions, previews and recomputes ------------------------------------


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
        """The scope as policy_change and policy_preview take it."""
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
        frameworks = Framework.objects.filter(district=district).order_by("title")
        for framework in frameworks:
            scopes.append(
                PolicyScope(
                    f"framework-{framework.uuid}",
                    _("Framework: %s") % framework.title,
                    district,
                    framework=framework,
                )
            )
        competencies = Competency.objects.filter(framework__district=district).select_related(
            "framework"
        )
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
    every = list(
        MasteryPolicy.objects.filter(district_id__in=district_ids)
        .select_related("created_by", "school", "framework", "competency")
        .order_by("-effective_from", "-version")
    )
    overview = []
    for scope in scopes:
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
        in_force = max(reaching, key=policy_rank, default=None)
        if in_force is None:
            competency = scope.competency or district_competency(scope.district)
            in_force = (
                default_policy(district_id=scope.district.pk, competency=competency)
                if competency
                else None
            )
        if in_force is None:
            continue
        overview.append(
            ScopePolicies(
                scope=scope,
                versions=own,
                in_force=in_force,
                inherited=in_force not in own,
                today=today,
            )
        )
    return overview


def _reading(value: float | None) -> str:
    return _("no result") if value is None else format_score(value)


@dataclass(frozen=True)
class PreviewExample:
    student: str
    competency_code: str
    stage: int
    before: float | None
    after: float | None
    was_mastered: bool
    now_mastered: bool
    now_implied: bool

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
        return _("%(student)s, %(code)s stage %(stage)s: %(before)s → %(after)s, %(verdict)s") % {
            "student": self.student,
            "code": self.competency_code,
            "stage": self.stage,
            "before": _reading(self.before),
            "after": _reading(self.after),
            "verdict": verdict,
        }


@dataclass(frozen=True)
class PolicyPreview:
    """What saving a proposed policy would change, worked out on the real evidence."""

    proposed: MasteryPolicy
    students: int
    students_changed: int
    newly_mastered: int
    no_longer_mastered: int
    working_stages_moved: int
    values_changed: int
    evidence_rows: int
    seconds: float
    examples: list[PreviewExample]

    @property
    def starts_later(self) -> bool:
        """The change takes effect after today: the preview reads that day's policies."""
        return self.proposed.effective_from > timezone.localdate()


def policy_preview(
    *,
    user: Person,
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
) -> PolicyPreview:
    """How many students' mastery a policy change would change, with a few examples,
    computed on the evidence in its scope without writing anything.

    Checks like policy_change: NotVisible outside the user's reach, InvalidInput per field.
    """
    proposed = proposed_policy(
        actor=user,
        district=district,
        school=school,
        framework=framework,
        competency=competency,
        method=method,
        parameters=parameters,
        minimum_evidence=minimum_evidence,
        threshold=threshold,
        higher_implies_lower=higher_implies_lower,
        include_self_assessment=include_self_assessment,
        effective_from=effective_from,
    )
    result = recompute.preview(scope=recompute.Scope.governed_by(proposed), proposed=proposed)
    shown = students_visible_to(user).filter(pk__in=[c.student_id for c in result.examples])
    people = {person.pk: person.display_name for person in shown}
    return PolicyPreview(
        proposed=proposed,
        students=result.students,
        students_changed=result.students_changed,
        newly_mastered=result.newly_mastered,
        no_longer_mastered=result.no_longer_mastered,
        working_stages_moved=result.working_stages_moved,
        values_changed=result.values_changed,
        evidence_rows=result.evidence_rows,
        seconds=result.seconds,
        examples=[
            PreviewExample(
                student=people[change.student_id],
                competency_code=change.competency.code,
                stage=change.stage_ordinal,
                before=change.before,
                after=change.after,
                was_mastered=change.was_mastered,
                now_mastered=change.now_mastered,
                now_implied=change.now_implied,
            )
            for change in result.examples
            if change.student_id in people
        ],
    )


def recompute_runs(
    *, user: Person, policy: MasteryPolicy | None = None, limit: int = 5
) -> list[RecomputeRun]:
    """The latest recomputes of policies this user may set (or of one policy), newest first."""
    runs = _runs_visible_to(user).select_related("policy", "requested_by")
    if policy is not None:
        runs = runs.filter(policy=policy)
    return list(runs[:limit])


def recompute_run_get(*, user: Person, run_id: str) -> RecomputeRun:
    return visible_get(_runs_visible_to(user).select_related("policy"), run_id, "recompute")


def _runs_visible_to(user: Person) -> QuerySet[RecomputeRun]:
    return RecomputeRun.objects.filter(recompute_runs_visible_q(user)).order_by(
        "-enqueued_at", "-pk"
    )
