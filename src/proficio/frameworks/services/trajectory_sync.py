"""Competencies with their trajectories from a spreadsheet (or any reader of these specs),
written into one framework and matched by code, stage ordinal and position."""

from collections.abc import Collection, Sequence

from django.db import transaction
from django.db.models import Prefetch

from proficio.audit import api as audit
from proficio.frameworks.data import (
    CompetencySpec,
    KeptStage,
    StageSpec,
    TrajectorySyncResult,
)
from proficio.frameworks.models import (
    Competency,
    CompetencyKind,
    EvidenceStatement,
    Framework,
    Stage,
)
from proficio.frameworks.services.authoring import (
    check_district_admin,
    default_scale,
    framework_code_for,
)
from proficio.lib.errors import InvalidInput
from proficio.people.api import District, Person


def _check_trajectories(competencies: Sequence[CompetencySpec]) -> None:
    codes = [spec.code for spec in competencies]
    if len(set(codes)) != len(codes):
        raise InvalidInput({"competencies": "Two competencies share a code."})
    for spec in competencies:
        if not spec.code.strip() or not spec.title.strip():
            raise InvalidInput({"competencies": "Every competency needs a code and a title."})
        if spec.kind not in CompetencyKind.values:
            raise InvalidInput({"kind": f"{spec.code}: {spec.kind!r} is not a kind."})
        if not spec.stages:
            raise InvalidInput({"stages": f"{spec.code}: a trajectory needs at least one stage."})


def _trajectory_framework(
    district: District, code: str, title: str, keep_title: bool
) -> tuple[Framework, str]:
    """The framework by code, else (without a code) the one written in Proficio with this
    title; made when there is none."""
    frameworks = Framework.objects.select_for_update().filter(district=district)
    if code:
        framework = frameworks.filter(code=code).first()
    else:
        framework = frameworks.filter(title=title, case_identifier=None).order_by("pk").first()
    if framework is None:
        framework = Framework.objects.create(
            district=district,
            code=code or framework_code_for(district=district, title=title),
            title=title,
            scale=default_scale(district),
        )
        return framework, "created"
    if keep_title or framework.title == title:
        return framework, "unchanged"
    framework.title = title
    framework.save(update_fields=["title"])
    return framework, "updated"


def _sync_statements(
    stage: Stage, texts: Sequence[str], result: TrajectorySyncResult, code: str
) -> bool:
    """Bring a stage's evidence statements in line with `texts`, by position; True if changed."""
    current = list(stage.evidence_statements.all())
    changed = []
    for position, (statement, text) in enumerate(zip(current, texts, strict=False)):
        if statement.text == text and statement.position == position:
            result.unchanged["evidence_statements"] += 1
            continue
        statement.text, statement.position = text, position
        changed.append(statement)
    EvidenceStatement.objects.bulk_update(changed, ["text", "position"])
    result.updated["evidence_statements"] += len(changed)
    added = [
        EvidenceStatement(stage=stage, text=text, position=position)
        for position, text in enumerate(texts)
        if position >= len(current)
    ]
    EvidenceStatement.objects.bulk_create(added)
    result.created["evidence_statements"] += len(added)
    surplus = current[len(texts) :]
    if surplus:
        EvidenceStatement.objects.filter(pk__in=[s.pk for s in surplus]).delete()
        result.removed_statements.append((code, stage.ordinal, len(surplus)))
    return bool(changed or added or surplus)


def _sync_stages(
    competency: Competency,
    specs: Sequence[StageSpec],
    absent: Collection[str],
    result: TrajectorySyncResult,
) -> None:
    existing = {stage.ordinal: stage for stage in competency.stages.all()}
    for ordinal, spec in enumerate(specs, start=1):
        stage = existing.get(ordinal)
        descriptor = stage.descriptor if stage and "descriptor" in absent else spec.descriptor
        values = {
            "label": spec.label,
            "descriptor": descriptor,
            "typical_grade": spec.typical_grade,
        }
        if stage is None:
            stage = Stage.objects.create(competency=competency, ordinal=ordinal, **values)
            result.created["stages"] += 1
            _sync_statements(stage, spec.evidence_statements, result, competency.code)
            continue
        changed = [name for name, value in values.items() if getattr(stage, name) != value]
        for name in changed:
            setattr(stage, name, values[name])
        if changed:
            stage.save(update_fields=changed)
        statements_changed = _sync_statements(
            stage, spec.evidence_statements, result, competency.code
        )
        bucket = result.updated if changed or statements_changed else result.unchanged
        bucket["stages"] += 1
    result.kept_stages += [
        KeptStage(competency.code, ordinal, stage.label)
        for ordinal, stage in sorted(existing.items())
        if ordinal > len(specs)
    ]


@transaction.atomic
def framework_sync_trajectories(
    *,
    actor: Person | None,
    district: District,
    code: str = "",
    title: str,
    keep_title: bool = False,
    competencies: Sequence[CompetencySpec],
    absent: Collection[str] = (),
) -> TrajectorySyncResult:
    """Create or update competencies with their trajectories in one framework.

    The framework is found by `code` (without one: by `title`, among frameworks written in
    Proficio) and made when missing; `keep_title` leaves an existing framework's title alone.
    Competencies are matched by code, stages by ordinal, evidence statements by position,
    so the same input twice changes nothing. Nothing is deleted but evidence statements the
    input no longer lists: stages and competencies it no longer holds are kept and reported,
    because evidence may point at them. `absent` names optional fields ("subject",
    "descriptor") the input does not carry, which existing rows keep. `actor` None is the
    operator at the command line.
    """
    check_district_admin(actor, district)
    _check_trajectories(competencies)
    if not title.strip():
        raise InvalidInput({"title": "The framework needs a title."})
    framework, outcome = _trajectory_framework(district, code, title, keep_title)
    result = TrajectorySyncResult(framework=framework)
    getattr(result, outcome)["frameworks"] += 1
    existing = {
        competency.code: competency
        for competency in framework.competencies.prefetch_related(
            Prefetch("stages", queryset=Stage.objects.prefetch_related("evidence_statements"))
        )
    }
    position = max((c.position for c in existing.values()), default=-1) + 1
    for spec in competencies:
        competency = existing.get(spec.code)
        if competency is None:
            competency = Competency.objects.create(
                framework=framework,
                code=spec.code,
                title=spec.title,
                statement=spec.statement,
                kind=spec.kind,
                subject=spec.subject,
                position=position,
            )
            position += 1
            result.created["competencies"] += 1
        else:
            subject = competency.subject if "subject" in absent else spec.subject
            values = {
                "title": spec.title,
                "statement": spec.statement,
                "kind": spec.kind,
                "subject": subject,
            }
            changed = [name for name, value in values.items() if getattr(competency, name) != value]
            for name in changed:
                setattr(competency, name, values[name])
            if changed:
                competency.save(update_fields=changed)
            bucket = result.updated if changed else result.unchanged
            bucket["competencies"] += 1
        _sync_stages(competency, spec.stages, absent, result)
    given = {spec.code for spec in competencies}
    result.kept_competencies = sorted(code for code in existing if code not in given)
    audit.record(
        actor=actor,
        action=audit.FRAMEWORK_IMPORTED,
        district_id=district.pk,
        target=framework,
        data={"title": framework.title, "format": "trajectories"},
    )
    return result
