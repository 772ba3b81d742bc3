"""Knowledge tracing as a policy method: its parameters fitted per competency from the
district's answers (`proficio fit-bkt`), audited, recomputed under, and explained; a stage
mastered exactly when P(mastered) ≥ 0.95, on the per-student path and the bulk recompute."""

import random
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.audit.api import TRACING_FITTED
from proficio.audit.models import AuditEntry
from proficio.engine.bkt import MASTERY_THRESHOLD
from proficio.engine.display import format_chance
from proficio.engine.methods import knowledge_tracing
from proficio.evidence.services import EvidenceDraft, evidence_append_many
from proficio.mastery.models import MasteryRecord, RecomputeRun, RecomputeState, TracingFit
from proficio.mastery.recompute import Scope, recompute
from proficio.mastery.services import tracing_fit_district
from proficio.mastery.services.tracing_fits import MIN_ANSWERS
from proficio.people.models import Role
from tests.factories import make_person
from tests.mastery.test_recompute import refresh_every_student, wipe_derived
from tests.mastery.varied import (
    assert_same_records,
    explanations,
    policy,
    stored_records,
    stored_working,
    varied_district,
)

pytestmark = pytest.mark.django_db

TRUE = {"prior": 0.3, "learn": 0.2, "guess": 0.15, "slip": 0.1}


def practise(world, competency, *, students: int, answers: int, seed: int = 11) -> None:
    """Right and wrong answers drawn from a known knowledge-tracing model (TRUE): each
    student works two stages, each a sequence of its own, rated 3–4 when right, 1–2 when
    wrong (the world's scale masters at 3)."""
    rng = random.Random(seed)
    start = timezone.localdate() - timedelta(days=answers + 1)
    drafts = []
    for n in range(students):
        student = make_person(world.district, f"practice{seed}-{n}", Role.STUDENT, world.school)
        for stage in (1, 2):
            mastered = rng.random() < TRUE["prior"]
            for k in range(answers):
                slipped, guessed = rng.random() < TRUE["slip"], rng.random() < TRUE["guess"]
                right = (mastered and not slipped) or (not mastered and guessed)
                drafts.append(
                    EvidenceDraft(
                        assessor=world.teacher,
                        student=student,
                        competency=competency,
                        stage=stage,
                        level=rng.choice([3, 4]) if right else rng.choice([1, 2]),
                        observed_at=timezone.make_aware(
                            datetime.combine(start + timedelta(days=k), time(9 + stage))
                        ),
                        source="external",
                    )
                )
                mastered = mastered or rng.random() < TRUE["learn"]
    evidence_append_many(actor=None, district_id=world.district.pk, drafts=drafts)


def test_fitting_recovers_the_parameters_of_the_model_the_answers_came_from(world):
    practise(world, world.competency, students=150, answers=16)

    summary = tracing_fit_district(district=world.district)

    fit = TracingFit.objects.get(competency=world.competency)
    assert (fit.answers, fit.students) == (150 * 2 * 16, 150)
    assert [f.code for f in summary.fitted] == [world.competency.code]
    errors = {name: abs(fit.parameters[name] - value) for name, value in TRUE.items()}
    assert errors["guess"] < 0.05 and errors["slip"] < 0.05, errors
    assert errors["learn"] < 0.07 and errors["prior"] < 0.1, errors
    entry = AuditEntry.objects.get(action=TRACING_FITTED)
    assert entry.actor is None
    assert entry.data["before"] is None
    assert entry.data["after"] == fit.parameters
    assert entry.data["answers"] == 4800


def test_a_new_fit_replaces_the_last_one_and_the_audit_keeps_both(world):
    practise(world, world.competency, students=20, answers=8)
    tracing_fit_district(district=world.district)
    first = TracingFit.objects.get().parameters
    practise(world, world.competency, students=20, answers=8, seed=3)

    tracing_fit_district(district=world.district)

    assert TracingFit.objects.count() == 1
    last = AuditEntry.objects.filter(action=TRACING_FITTED).order_by("-pk").first()
    assert last.data["before"] == first
    assert last.data["after"] == TracingFit.objects.get().parameters


def test_competencies_with_too_few_answers_keep_the_defaults_and_say_so(world, rate):
    policy(world, "knowledge_tracing", minimum_evidence=1)
    rate(level=3)

    summary = tracing_fit_district(district=world.district)

    assert MIN_ANSWERS > 1 and world.competency.code in summary.too_few_answers
    assert not TracingFit.objects.exists() and summary.recomputes == 0
    record = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    assert "typical values, not yet fitted from the district's answers" in record.explanation


def test_a_fit_recomputes_the_policies_that_trace_and_their_words_name_it(world):
    tracing = policy(world, "knowledge_tracing", minimum_evidence=2)
    policy(world, "mean", school=world.other_school)  # traces nothing: not recomputed
    practise(world, world.competency, students=30, answers=10)
    assert not MasteryRecord.objects.exists()  # appended in bulk: no mastery yet

    summary = tracing_fit_district(district=world.district)

    assert summary.recomputes == 1
    run = RecomputeRun.objects.get()
    assert (run.policy, run.state) == (tracing, RecomputeState.DONE)
    fit = TracingFit.objects.get()
    day = timezone.localdate(fit.fitted_at)
    record = MasteryRecord.objects.filter(policy=tracing).first()
    assert f"fitted from 600 answers by 30 students in the district on {day.day} " in (
        record.explanation
    )
    assert f"Guess {round(fit.guess, 2):g}" in record.explanation


def test_bulk_and_per_student_agree_and_master_exactly_at_95_percent(world):
    varied = varied_district(world, ratings=12)
    w1, w2, _, m2 = varied.competencies
    policy(world, "knowledge_tracing")
    policy(world, "mean", school=world.school, higher_implies_lower=False, minimum_evidence=1)
    policy(
        world, "knowledge_tracing", competency=w2, minimum_evidence=3, include_self_assessment=True
    )
    now = timezone.now()
    for competency, guess, slip, learn, prior in (
        (w1, 0.25, 0.05, 0.3, 0.2),
        (m2, 0.1, 0.2, 0.1, 0.5),
    ):
        TracingFit.objects.create(
            district=world.district,
            competency=competency,
            prior=prior,
            learn=learn,
            guess=guess,
            slip=slip,
            answers=500,
            students=40,
            fitted_at=now,
        )
    refresh_every_student(varied)
    records, working, texts = stored_records(), stored_working(), explanations()

    traced = MasteryRecord.objects.filter(policy__method="knowledge_tracing", implied=False)
    assert traced.filter(mastered=True).exists() and traced.filter(mastered=False).exists()
    for record in traced:
        reaches = record.value is not None and record.value >= MASTERY_THRESHOLD
        assert record.mastered == (record.sufficient and reaches), record.explanation
    assert any("fitted from 500 answers" in text for text in texts.values())  # W1, M2
    assert any("typical values" in text for text in texts.values())  # W2, M1
    wipe_derived()

    recompute(scope=Scope(district_id=world.district.pk))

    assert_same_records(records, stored_records())
    assert stored_working() == working  # pace facts replayed under the same parameters
    assert explanations() == texts


def test_fit_bkt_now_prints_what_it_fitted(world, capsys):
    from proficio.cli import main

    practise(world, world.competency, students=15, answers=8)

    assert main(["fit-bkt", "--now", "--district", str(world.district.pk)]) == 0

    out = capsys.readouterr().out
    assert f"{world.competency.code}: guess " in out
    assert "from 240 answers of 15 students" in out
    assert "Fitted 1 competencies" in out


def test_fit_bkt_queues_the_fit_for_the_task_worker(world, capsys):
    from proficio.cli import main

    practise(world, world.competency, students=15, answers=8)

    assert main(["fit-bkt", "--district", world.district.name]) == 0

    assert "Queued knowledge tracing's fit" in capsys.readouterr().out
    # The tests' task backend runs a task as it is queued.
    assert TracingFit.objects.filter(competency=world.competency).exists()


# ---- the policy page offers it, previews it, and pages read its value as a chance


def test_the_policy_form_offers_knowledge_tracing_with_its_help_and_no_settings(client, world):
    client.force_login(world.district_admin)
    response = client.get(
        reverse("mastery:policy_form"), {**policy_form(), "method": "knowledge_tracing"}
    )
    text = response.content.decode()
    assert '<option value="knowledge_tracing" selected>Knowledge tracing</option>' in text
    assert "For right/wrong practice" in text and "proficio fit-bkt" in text
    assert "knowledge_tracing__" not in text  # fitted, not set by the policy


def test_a_preview_of_knowledge_tracing_counts_and_words_its_chances(client, world, rate):
    rate(level=3, days_ago=3)
    rate(level=4, days_ago=2)
    client.force_login(world.district_admin)

    response = client.post(
        reverse("mastery:policy_preview"),
        {**policy_form(), "method": "knowledge_tracing"},
        HTTP_HX_REQUEST="true",
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "W1 stage 1: 3.65 → 97% likely mastered, stays mastered" in text
    assert "the result is now the chance of mastery" in text


def test_the_student_page_reads_the_value_as_a_chance(client, world, rate):
    policy(world, "knowledge_tracing", minimum_evidence=1)
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    client.force_login(world.teacher)

    page = client.get(
        reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    ).content.decode()

    chance = format_chance(knowledge_tracing([3, 1]))
    assert f"Working at stage 1 of 3 — {chance} likely mastered" in page
    assert "After 2 right/wrong answers, 1 right, the chance the student has mastered" in page


def policy_form() -> dict[str, str]:
    return {
        "scope": "district",
        "minimum_evidence": "1",
        "threshold": "3",
        "higher_implies_lower": "on",
        "effective_from": timezone.localdate().isoformat(),
    }
