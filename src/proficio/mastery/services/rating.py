"""Recording a rating with its mastery kept in step, and refreshing one student's mastery of
one competency."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation

from proficio.audit import api as audit
from proficio.evidence.api import (
    Evidence,
    EvidenceSource,
    evidence_append,
    evidence_files_keep,
    evidence_withdrawal_append,
)
from proficio.frameworks.api import Competency
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.files.uploads import checked_kinds
from proficio.mastery import storage
from proficio.mastery.compute import (
    CompetencyMastery,
    LatestRating,
    Verdict,
    competency_mastery,
    implication,
    implied_explanation,
    scale_labels,
    stage_evaluation,
)
from proficio.mastery.events import stages_mastered_publish
from proficio.mastery.models import (
    MasteryPolicy,
    MasteryRecord,
    MasteryRecordHistory,
    WorkingStage,
)
from proficio.mastery.pace import facts_from_counted, pace_columns, pace_facts_store
from proficio.mastery.permissions import can_correct, can_rate
from proficio.mastery.policies import policy_for
from proficio.mastery.rollups import rolls_up
from proficio.mastery.tracing import method_inputs
from proficio.people.api import Person


@transaction.atomic
def evidence_record(
    *,
    assessor: Person,
    student: Person,
    competency: Competency,
    stage: int,
    level: Decimal | float | str,
    observed_at: datetime,
    source: EvidenceSource | str,
    feedback_present: str = "",
    feedback_next: str = "",
    supersedes: Evidence | None = None,
    reason: str = "",
    artifact_url: str = "",
    artifact_title: str = "",
    files: Sequence[UploadedFile] = (),
    statements: Sequence[UUID | str] = (),
) -> Evidence:
    """Record one rating and bring the student's mastery up to date; with `supersedes`, a
    correction of that rating (`reason`: why); `artifact_url` and `artifact_title` link it
    to the work it rates; `files` (a photo, a recording, a document) are kept with it, each
    checked before anything is written; `statements` (uuids) are the rated stage's evidence
    statements the work shows."""
    if not can_rate(assessor, student, source):
        raise NotVisible(f"No student {student.uuid} that you may rate.")
    if supersedes is not None and not can_correct(assessor, supersedes):
        raise InvalidInput(
            {
                "supersedes": "Only the person who gave this rating, or an admin of the "
                "student's school, may correct it."
            }
        )
    # Validating the level and explaining the result both read the scale: read it once.
    prefetch_related_objects(
        [competency], "scale__levels" if competency.scale_id else "framework__scale__levels"
    )
    file_errors: dict[str, str] = {}
    kinds = checked_kinds(files, file_errors)
    try:
        evidence = evidence_append(
            assessor=assessor,
            student=student,
            competency=competency,
            stage=stage,
            level=level,
            observed_at=observed_at,
            source=source,
            feedback_present=feedback_present,
            feedback_next=feedback_next,
            supersedes=supersedes,
            reason=reason,
            artifact_url=artifact_url,
            artifact_title=artifact_title,
            statements=statements,
        )
    except InvalidInput as bad:
        raise InvalidInput({**bad.errors, **file_errors}) from None
    if file_errors:
        raise InvalidInput(file_errors)  # the rating appended above rolls back with it
    evidence_files_keep(evidence=evidence, files=files, kinds=kinds)
    _refresh_after_rating(evidence=evidence, student=student, competency=competency)
    audit.record(
        actor=assessor,
        action=audit.EVIDENCE_CORRECTED if supersedes is not None else audit.EVIDENCE_RECORDED,
        student=student,
        target=evidence,
        data={
            "competency": competency.code,
            "stage": stage,
            "level": str(evidence.level),
            "source": str(source),
            **({"statements_shown": len(statements)} if statements else {}),
            **(
                {"supersedes": str(supersedes.uuid), "reason": evidence.reason}
                if supersedes is not None
                else {}
            ),
        },
    )
    return evidence


@transaction.atomic
def evidence_withdraw(*, actor: Person, evidence: Evidence, reason: str) -> Evidence:
    """Withdraw a rating recorded in error: a withdrawal row supersedes it (evidence stays
    append-only), mastery is brought up to date without it, and the audit keeps why.

    The same people may withdraw a rating as may correct it (`can_correct`)."""
    if not can_rate(actor, evidence.student, evidence.source) or not can_correct(actor, evidence):
        raise NotVisible(f"No rating {evidence.uuid} that you may withdraw.")
    withdrawal = evidence_withdrawal_append(assessor=actor, original=evidence, reason=reason)
    competency = withdrawal.competency
    prefetch_related_objects(
        [competency], "scale__levels" if competency.scale_id else "framework__scale__levels"
    )
    _refresh_after_rating(evidence=withdrawal, student=evidence.student, competency=competency)
    audit.record(
        actor=actor,
        action=audit.EVIDENCE_WITHDRAWN,
        student=evidence.student,
        target=withdrawal,
        data={
            "competency": competency.code,
            "stage": evidence.stage.ordinal,
            "level": str(evidence.level),
            "withdraws": str(evidence.uuid),
            "reason": withdrawal.reason,
        },
    )
    return withdrawal


def _counts(evidence: Evidence, policy: MasteryPolicy) -> bool:
    return policy.include_self_assessment or evidence.source != EvidenceSource.SELF


def _refresh_after_rating(*, evidence: Evidence, student: Person, competency: Competency) -> None:
    """Bring mastery up to date after one new rating: the competency's, then that of each
    parent mastered from its parts (ADR 0035). Explanations are stored in the site's language
    whatever the rater reads (ADR 0038): a reader in another is given them worded anew."""
    with translation.override(settings.LANGUAGE_CODE):
        _refresh_rated(evidence=evidence, student=student, competency=competency)
        _refresh_parents(student=student, competency=competency)


def _refresh_parents(*, student: Person, competency: Competency) -> None:
    """Each parent that rolls up from its parts, nearest first, up to the first that does not."""
    parent = competency.parent
    while parent is not None:
        policy = policy_for(student=student, competency=parent)
        if not rolls_up(policy):
            return
        _refresh(
            student=student, competency=parent, policy=policy, records=_records_of(student, parent)
        )
        pace_facts_store(student=student, competency=parent)
        parent = parent.parent


def _refuse_rolled_up(competency: Competency, policy: MasteryPolicy) -> None:
    """A competency mastered from its parts is not rated itself: its ratings would not count."""
    if not rolls_up(policy):
        return
    parts = [part.code for part in competency.children.all()]
    if parts:
        raise InvalidInput(
            {
                "competency": f"{policy.scope_label} masters {competency.code} from its "
                f"parts ({', '.join(parts)}): rate one of them."
            }
        )


def _refresh_rated(*, evidence: Evidence, student: Person, competency: Competency) -> None:
    """Bring the rated competency's mastery up to date, recomputing as little as it can.

    Only the stages whose counted ratings changed are evaluated again; the other stages keep
    their values, and implication, the working stage and the latest rating follow from the
    verdicts. Rows are updated in place, pace's facts with the working stage (from the same
    read of the ratings). A record from another policy version or a missing row recomputes
    the whole competency instead.
    """
    policy = policy_for(student=student, competency=competency)
    _refuse_rolled_up(competency, policy)
    rows = storage.stage_records(student_id=student.pk, competency_id=competency.pk)
    working = storage.working_row(student_id=student.pk, competency_id=competency.pk)
    in_step = working is not None and all(
        row.record_id is not None and row.policy_id == policy.pk for row in rows
    )
    if not in_step:
        _refresh(
            student=student,
            competency=competency,
            policy=policy,
            records=_records_of(student, competency),
        )
        pace_facts_store(student=student, competency=competency)
        return
    replaced = evidence.supersedes
    changed_stages = {evidence.stage_id} if _counts(evidence, policy) else set()
    if replaced is not None and _counts(replaced, policy):
        changed_stages.add(replaced.stage_id)
    if not changed_stages:
        return
    # Every stage's: pace replays them all.
    ratings = storage.counted_ratings(
        student_id=student.pk,
        competency_id=competency.pk,
        stage_ids=[row.stage.pk for row in rows],
        include_self=policy.include_self_assessment,
    )
    labels = scale_labels(competency)
    inputs = method_inputs(policy=policy, competency=competency)
    evaluations = {
        stage_id: stage_evaluation(
            policy=policy,
            inputs=inputs,
            ratings=[rating for rating in ratings if rating.stage_id == stage_id],
            labels=labels,
        )
        for stage_id in changed_stages
    }
    before = implication([r.mastered and not r.implied for r in rows], policy.higher_implies_lower)
    after = implication(
        [
            evaluations[r.stage.pk].mastered
            if r.stage.pk in evaluations
            else r.mastered and not r.implied
            for r in rows
        ],
        policy.higher_implies_lower,
    )
    now = timezone.now()
    stages_mastered_publish(
        student.district_id,
        (
            (student.pk, row.stage.pk)
            for row, old, new in zip(rows, before, after, strict=True)
            if new.mastered and not old.mastered
        ),
    )
    for row, old, new in zip(rows, before, after, strict=True):
        evaluation = evaluations.get(row.stage.pk)
        if evaluation is None and old == new:
            continue
        if evaluation is not None:
            own = evaluation.explanation
            fields = {
                "value": evaluation.value,
                "evidence_count": evaluation.evidence_count,
                "sufficient": evaluation.sufficient,
            }
        else:
            own = _own_explanation(row, old, rows)
            fields = {}
        if new.implied_by is not None and own:
            own = implied_explanation(rows[new.implied_by].stage, own)
        fields |= {"mastered": new.mastered, "implied": new.implied, "explanation": own}
        storage.record_update(pk=row.record_id, fields={**fields, "computed_at": now})
    ordinal = next(
        (r.stage.ordinal for r, v in zip(rows, after, strict=True) if not v.mastered), None
    )
    facts = facts_from_counted(
        ratings=[(r.stage_id, r.level, r.weight, r.observed_at) for r in ratings],
        ordinal_of={row.stage.pk: row.stage.ordinal for row in rows},
        policy=policy,
        inputs=inputs,
    )
    working_fields: dict[str, object] = {
        name: WorkingStage._meta.get_field(name).get_db_prep_value(value, connection)
        for name, value in pace_columns(facts, threshold=float(policy.threshold)).items()
    }
    if ordinal != working.ordinal:
        working_fields["ordinal"] = ordinal
    working_fields |= _latest_after(evidence=evidence, working=working, policy=policy)
    storage.working_update(pk=working.pk, fields={**working_fields, "updated_at": now})


def _own_explanation(row: storage.StageRecord, verdict: Verdict, rows: list) -> str:
    """A stored explanation without the "counted as mastered because …" opening it was given.

    Empty when it cannot be told apart (a bulk-written row, explained on read anyway).
    """
    if verdict.implied_by is None:
        return row.explanation
    opening = implied_explanation(rows[verdict.implied_by].stage, "")
    return row.explanation.removeprefix(opening) if row.explanation.startswith(opening) else ""


def _latest_after(
    *, evidence: Evidence, working: storage.WorkingRow, policy: MasteryPolicy
) -> dict[str, object]:
    """The working stage's latest-rating fields when the new row changed them, else {}."""
    if evidence.supersedes is not None:
        # The corrected rating may have been the latest: ask again (none may be left).
        latest = storage.latest_counted(
            student_id=evidence.student_id,
            competency_id=evidence.competency_id,
            include_self=policy.include_self_assessment,
        )
    else:
        shown = working.latest_observed_at
        # Work observed at the same moment as the shown latest was recorded after it: it wins.
        if not _counts(evidence, policy) or (shown is not None and evidence.observed_at < shown):
            return {}
        latest = LatestRating(evidence.level, evidence.stage.ordinal, evidence.observed_at)
    return {
        "latest_level": latest.level if latest else None,
        "latest_stage_ordinal": latest.stage_ordinal if latest else None,
        "latest_observed_at": latest.observed_at if latest else None,
    }


def _records_of(student: Person, competency: Competency) -> dict[int, MasteryRecord]:
    rows = MasteryRecord.objects.filter(student=student, competency=competency)
    return {record.stage_id: record for record in rows}


@transaction.atomic
def mastery_refresh(*, student: Person, competency: Competency) -> CompetencyMastery:
    """Recompute and store one student's mastery of one competency."""
    with translation.override(settings.LANGUAGE_CODE):
        policy = policy_for(student=student, competency=competency)
        result = _refresh(
            student=student,
            competency=competency,
            policy=policy,
            records=_records_of(student, competency),
        )
        pace_facts_store(student=student, competency=competency)
        _refresh_parents(student=student, competency=competency)
    return result


def _refresh(
    *,
    student: Person,
    competency: Competency,
    policy: MasteryPolicy,
    records: Mapping[int, MasteryRecord],
) -> CompetencyMastery:
    """Compute every stage and write the rows that differ; a record produced by another
    policy version is kept as history first."""
    result = competency_mastery(student=student, competency=competency, policy=policy)
    now = timezone.now()
    created, history = [], []
    for stage in result.stages:
        fields = {
            "value": stage.evaluation.value,
            "mastered": stage.mastered,
            "implied": stage.implied,
            "evidence_count": stage.evaluation.evidence_count,
            "sufficient": stage.evaluation.sufficient,
            "policy_id": policy.pk,
            "explanation": stage.explanation,
        }
        record = records.get(stage.stage.pk)
        if record is None:
            created.append(
                MasteryRecord(
                    student=student,
                    competency=competency,
                    stage=stage.stage,
                    computed_at=now,
                    **fields,
                )
            )
            continue
        if all(getattr(record, name) == value for name, value in fields.items()):
            continue
        if record.policy_id != policy.pk:
            history.append(_history_of(record, replaced_at=now))
        MasteryRecord.objects.filter(pk=record.pk).update(computed_at=now, **fields)
    MasteryRecordHistory.objects.bulk_create(history)
    MasteryRecord.objects.bulk_create(created)
    stages_mastered_publish(
        student.district_id,
        (
            (student.pk, stage.stage.pk)
            for stage in result.stages
            if stage.mastered and not getattr(records.get(stage.stage.pk), "mastered", False)
        ),
    )
    latest = result.latest
    WorkingStage.objects.update_or_create(
        student=student,
        competency=competency,
        defaults={
            "ordinal": result.working_stage,
            "latest_level": latest.level if latest else None,
            "latest_stage_ordinal": latest.stage_ordinal if latest else None,
            "latest_observed_at": latest.observed_at if latest else None,
            "updated_at": now,
        },
    )
    return result


def _history_of(record: MasteryRecord, *, replaced_at: datetime) -> MasteryRecordHistory:
    return MasteryRecordHistory(
        student_id=record.student_id,
        competency_id=record.competency_id,
        stage_id=record.stage_id,
        value=record.value,
        mastered=record.mastered,
        implied=record.implied,
        evidence_count=record.evidence_count,
        sufficient=record.sufficient,
        policy_id=record.policy_id,
        computed_at=record.computed_at,
        replaced_at=replaced_at,
    )
