"""Knowledge tracing's parameters fitted per competency from a district's own answers
(`proficio fit-bkt`, ADR 0045), and mastery brought up to date under them.

A competency's answers are its counted ratings, each right when it reaches the scale's
mastery level (`tracing.right_at`, as tracing reads them); one sequence per student's stage,
oldest first, as the policy method traces each stage. They are read one competency at a
time, streamed from the database into a byte per answer, so memory holds one competency's
answers (at most MAX_ANSWERS of them) while `engine.bkt.fit` runs EM on them.
"""

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from proficio.audit import api as audit
from proficio.engine import bkt
from proficio.engine.methods import KNOWLEDGE_TRACING
from proficio.evidence.api import answers_in_order
from proficio.frameworks.api import Competency, district_competencies

# The modules, not their functions: the tasks run through these modules, so any may load first.
from proficio.mastery import tasks
from proficio.mastery.models import TracingFit
from proficio.mastery.policies import policies_in_force, standing_per_scope
from proficio.mastery.services import runs
from proficio.mastery.tracing import right_at
from proficio.people.api import District

# Fewer answers than this fit noise: the competency keeps what it has (its last fit, or the
# engine's defaults).
MIN_ANSWERS = 100
# A competency's answers read at most (whole students' stages): enough to pin five numbers
# down, and a bound on the memory one fit takes.
MAX_ANSWERS = 1_000_000


@dataclass(frozen=True)
class Answers:
    """One competency's answer sequences, and how many answers and students they hold."""

    sequences: list[np.ndarray]
    answers: int
    students: int


@dataclass(frozen=True)
class CompetencyFit:
    code: str
    params: bkt.BktParams
    answers: int
    students: int


@dataclass(frozen=True)
class FitSummary:
    """What a district's fit did: the competencies fitted, those left as they were for too
    few answers, and the recomputes queued for the policies that trace."""

    fitted: list[CompetencyFit]
    too_few_answers: list[str]
    recomputes: int


def tracing_fit_queue(*, district: District) -> str:
    """Queue the district's fit for the task worker; the task's id. The operator asks for it
    at the command line, so it is audited as the system's, like the recomputes it queues."""
    return str(tasks.tracing_fit_in_background.enqueue(district.pk).id)


def tracing_fit_district(*, district: District) -> FitSummary:
    """Fit every competency of the district with enough answers, store and audit each fit
    in its own transaction (a long fit holds no lock), then recompute mastery wherever a
    policy in force traces knowledge."""
    fitted, too_few = [], []
    competencies = district_competencies(district.pk).select_related("framework__scale", "scale")
    for competency in competencies.order_by("pk"):
        cut = right_at(competency)
        answers = competency_answers(competency=competency, right_at=cut) if cut else None
        if answers is None or answers.answers < MIN_ANSWERS:
            too_few.append(competency.code)
            continue
        params = bkt.fit(answers.sequences)
        tracing_fit_store(
            district=district,
            competency=competency,
            params=params,
            answers=answers,
        )
        fitted.append(CompetencyFit(competency.code, params, answers.answers, answers.students))
    recomputes = tracing_recompute(district=district) if fitted else 0
    return FitSummary(fitted=fitted, too_few_answers=too_few, recomputes=recomputes)


def competency_answers(*, competency: Competency, right_at: float) -> Answers:
    """The competency's answer sequences, one per student's stage, oldest first; up to
    MAX_ANSWERS, ending on a whole student."""
    right = bytearray()
    lengths: list[int] = []
    students = 0
    student = stage = None
    rows = answers_in_order(competency=competency).iterator(chunk_size=10_000)
    for student_id, stage_id, level in rows:
        if student_id != student:
            if len(right) >= MAX_ANSWERS:
                break
            students += 1
            student, stage = student_id, None
        if stage_id != stage:
            stage = stage_id
            lengths.append(0)
        right.append(float(level) >= right_at)
        lengths[-1] += 1
    flat = np.frombuffer(bytes(right), dtype=np.uint8)
    sequences = np.split(flat, np.cumsum(lengths)[:-1]) if lengths else []
    return Answers(sequences=sequences, answers=len(right), students=students)


@transaction.atomic
def tracing_fit_store(
    *,
    district: District,
    competency: Competency,
    params: bkt.BktParams,
    answers: Answers,
) -> TracingFit:
    """Keep a competency's fitted parameters in place of its last ones, audited with both."""
    before = TracingFit.objects.filter(competency=competency).select_for_update().first()
    fit, _ = TracingFit.objects.update_or_create(
        competency=competency,
        defaults={
            "district": district,
            "prior": params.prior,
            "learn": params.learn,
            "guess": params.guess,
            "slip": params.slip,
            "forget": params.forget,
            "answers": answers.answers,
            "students": answers.students,
            "fitted_at": timezone.now(),
        },
    )
    audit.record(
        actor=None,
        action=audit.TRACING_FITTED,
        district_id=district.pk,
        target=fit,
        data={
            "competency": competency.code,
            "before": before.parameters if before is not None else None,
            "after": fit.parameters,
            "answers": answers.answers,
            "students": answers.students,
        },
    )
    return fit


@transaction.atomic
def tracing_recompute(*, district: District) -> int:
    """Queue the recompute a policy change queues, for each scope whose policy in force traces
    knowledge; how many. (A tracing policy due later is recomputed on its day, by then under
    these parameters.)"""
    tracing = [
        policy
        for policy in standing_per_scope(policies_in_force(district_id=district.pk))
        if policy.method == KNOWLEDGE_TRACING
    ]
    for policy in tracing:
        runs.recompute_run_queue(policy=policy, actor=None)
    return len(tracing)
