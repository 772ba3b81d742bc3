"""The demo's agency: the login teacher mentors the login student and others (two she does not
teach), whose goals and weekly check-ins span the last weeks; the pages show them. And its
calibration (built with it, so the demo is loaded once for both): exemplars of each writing
competency, three agreed sessions and an open one, and one teacher who drifts; and the login
student's issued transcript."""

import base64
import json
from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from proficio.agency.api import check_ins_due
from proficio.agency.models import CheckIn, Goal
from proficio.demo import load_demo
from proficio.people.api import serves_as_staff, teachers_of_students
from proficio.people.models import Mentorship, Person
from proficio.reports.credentials import verify_jwt
from proficio.reports.models import IssuedTranscript, MasteryCredit
from proficio.reports.transcripts import verify
from tests.agency.test_pdfs import inked, pages_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield load_demo(students=30)
        transaction.set_rollback(True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(Person.objects.get(username=username))
    return client


def test_the_login_teacher_mentors_students_some_of_whom_she_does_not_teach(demo):
    teacher = Person.objects.get(username="teacher")
    mentees = [m.student for m in Mentorship.objects.filter(mentor=teacher)]
    assert len(mentees) == 7
    taught = teachers_of_students([m.pk for m in mentees])
    strangers = [m for m in mentees if teacher not in taught.get(m.pk, [])]
    assert len(strangers) == 2 and all(serves_as_staff(teacher, m) for m in strangers)
    due = check_ins_due(mentor=teacher)
    assert len(due) == 7 and any(item.overdue for item in due)


def test_the_login_student_has_goals_in_each_state_and_weekly_check_ins(demo):
    student = Person.objects.get(username="student")
    goals = Goal.objects.filter(student=student)
    # One of them agreed at her last conference.
    statuses = sorted(goals.values_list("status", flat=True))
    assert statuses == ["done", "working", "working", "working"]
    assert goals.filter(competency__kind="skill").exists()
    assert goals.filter(comments__author__username="guardian").exists()
    check_ins = list(CheckIn.objects.filter(student=student).order_by("happened_on"))
    assert len(check_ins) == 3
    assert [bool(c.reflection) for c in check_ins] == [True, True, False]
    page = signed_in("student").get(reverse("agency:goals")).content.decode()
    assert "Back every reason with evidence" in page and "Add my reflection" in page
    mentoring = signed_in("teacher").get(reverse("agency:mentoring")).content.decode()
    assert student.display_name in mentoring


def test_the_login_student_has_a_portfolio_from_her_baseline_to_her_latest_work(demo):
    from proficio.agency.models import PortfolioPiece
    from proficio.agency.selectors import growth_pairs, portfolio_of
    from proficio.people.api import school_year_start

    student = Person.objects.get(username="student")
    pieces = portfolio_of(user=student, student=student)
    assert len(pieces) >= 3 and sum(piece.baseline for piece in pieces) == 1
    start = school_year_start(district_id=student.district_id, on=pieces[0].created_at.date())
    assert any(pair.competency.code == "W1" for pair in growth_pairs(pieces, year_start=start))
    shared = PortfolioPiece.objects.filter(student=student, shared_with_family=True).count()
    assert 0 < shared < len(pieces)
    page = signed_in("guardian").get(reverse("agency:student_portfolio", args=[student.uuid]))
    assert page.content.decode().count('class="piece-card"') >= shared


def _mastered_from_evidence(student, day) -> set[tuple[str, int]]:
    """(competency code, stage) mastered on `day`, from the evidence by the engine alone:
    each stage's standing teacher ratings observed by then, under the policy in force that
    day, a mastered stage counting every lower one as mastered when the policy says so."""
    from django.utils import timezone

    from proficio.engine import evaluate
    from proficio.evidence.models import Evidence
    from proficio.frameworks.models import Competency
    from proficio.mastery.policies import policy_for

    found = set()
    for competency in Competency.objects.filter(framework__district_id=student.district_id):
        policy = policy_for(student=student, competency=competency, on=day)
        rows = [
            e
            for e in Evidence.objects.filter(
                student=student,
                competency=competency,
                superseded_by__isnull=True,
                withdrawn=False,
            )
            .exclude(source="self")
            .order_by("observed_at", "recorded_at", "id")
            if timezone.localdate(e.observed_at) <= day
        ]
        own = []
        stages = list(competency.stages.order_by("ordinal"))
        for stage in stages:
            mine = [e for e in rows if e.stage_id == stage.pk]
            result = evaluate(
                method=policy.method,
                scores=[float(e.level) for e in mine],
                observed=[e.observed_at.date() for e in mine],
                weights=[float(e.weight) for e in mine],
                params=policy.parameters,
                threshold=float(policy.threshold),
                minimum_evidence=policy.minimum_evidence,
            )
            own.append(result.mastered)
        top = max((n for n, mastered in enumerate(own) if mastered), default=-1)
        for n, stage in enumerate(stages):
            if own[n] or (policy.higher_implies_lower and n < top):
                found.add((competency.code, stage.ordinal))
    return found


def test_the_agenda_lists_exactly_the_stages_mastered_since_the_last_conference(demo):
    from django.utils import timezone

    from proficio.agency.api import Conference, conference_draft

    student = Person.objects.get(username="student")
    held = list(Conference.objects.filter(student=student, held_at__isnull=False))
    assert len(held) == 2
    last = max(timezone.localdate(c.held_at) for c in held)
    conference = conference_draft(student=student)
    assert conference.since == last
    listed = {(m["competency"], m["stage"]) for m in conference.agenda["mastered"]}
    today = timezone.localdate()
    expected = _mastered_from_evidence(student, today) - _mastered_from_evidence(student, last)
    assert listed == expected
    assert listed, "the demo student has mastered something since her last conference"


# Calibration


def test_each_writing_competency_has_published_exemplars_and_one_awaits_a_second_person(demo):
    from proficio.calibration.api import exemplar_library

    admin = Person.objects.get(username="admin")
    published = list(exemplar_library(user=admin))
    for code in ("W1", "W2", "W3"):
        exemplars = [e for e in published if e.competency.code == code]
        assert 2 <= len(exemplars) <= 4, code
        assert len({e.stage_id for e in exemplars}) >= 2 and len({e.level for e in exemplars}) >= 2
        for exemplar in exemplars:
            assert exemplar.confirmed_by_id not in (None, exemplar.created_by_id)
            assert exemplar.annotation and exemplar.statements.exists()
            assert exemplar.source_student_id is not None
    assert any(e.source_revision_id for e in published), "some come from handed-in work"
    teacher = Person.objects.get(username="teacher")
    awaiting = list(exemplar_library(user=teacher, awaiting=True))
    assert len(awaiting) == 1 and awaiting[0].created_by != teacher


def test_the_login_student_reads_exemplars_of_her_stages(demo):
    from proficio.calibration.api import exemplar_library

    student = Person.objects.get(username="student")
    assert exemplar_library(user=student).exists()


def test_three_sessions_were_rated_revealed_and_agreed_and_one_waits_for_the_login_teacher(demo):
    from proficio.calibration.api import sessions_of
    from proficio.calibration.models import SessionPiece

    admin = Person.objects.get(username="admin")
    teacher = Person.objects.get(username="teacher")
    sessions = list(sessions_of(user=admin))
    revealed = [s for s in sessions if s.revealed_at is not None]
    assert len(revealed) == 3 and len(sessions) == 4
    assert {s.facilitator for s in sessions} == {admin, teacher}
    assert any(s.school is None for s in sessions), "one for the whole district"
    spreads, differences = [], []
    for session in revealed:
        raters = list(session.raters.all())
        assert 3 <= len(raters) <= 5 and all(r.submitted_at for r in raters)
        assert teacher in [r.person for r in raters]
        pieces = list(session.pieces.prefetch_related("ratings"))
        assert 3 <= len(pieces) <= 5
        for piece in pieces:
            assert piece.consensus_level is not None and piece.consensus_rationale
            levels = [rating.level for rating in piece.ratings.all()]
            assert len(levels) == len(raters)
            spreads.append(max(levels) - min(levels))
            differences += [abs(level - piece.consensus_level) for level in levels]
    # Realistic disagreement: every piece read within two levels, some that far apart, and
    # most readings within a level of the consensus.
    assert max(spreads) == 2 and min(spreads) < 2, spreads
    assert sum(d <= 1 for d in differences) >= 0.9 * len(differences) and 2 in differences
    (still_open,) = [s for s in sessions if s.revealed_at is None]
    waiting = {r.person: r.submitted_at for r in still_open.raters.all()}
    assert waiting[teacher] is None and sum(1 for at in waiting.values() if at) >= 2
    promoted = SessionPiece.objects.filter(session__in=revealed, exemplar__isnull=False)
    assert promoted.count() == 1
    assert promoted.get().exemplar.published


def test_one_teacher_drifts_lenient_and_is_flagged_and_the_login_teacher_is_in_line(demo):
    from proficio.calibration.api import drift_of_all

    admin = Person.objects.get(username="admin")
    drift = drift_of_all(user=admin)
    assert (drift.threshold, drift.minimum) == (Decimal("0.5"), 4)
    flagged = [d for d in drift.teachers if d.flagged]
    assert len(flagged) == 1
    (lenient,) = flagged
    assert lenient.teacher.username != "teacher" and lenient.overall.mean >= 0.5
    assert len(lenient.by_session) == 3 and all(mean > 0 for _s, mean in lenient.by_session)
    (own,) = [d for d in drift.teachers if d.teacher.username == "teacher"]
    assert len(own.by_session) == 3 and abs(own.overall.mean) < 0.5
    assert all(alpha is not None for _session, alpha in drift.alphas)


def test_the_login_students_transcript_is_issued_with_credits_and_verifies(demo):
    student = Person.objects.get(username="student")
    issued = IssuedTranscript.objects.get(student=student)
    assert MasteryCredit.objects.filter(stage__competency__code="W1").exists()
    assert verify(issued.code).unchanged
    page = signed_in("guardian").get(reverse("reports:issued", args=[issued.uuid]))
    assert page.status_code == 200 and issued.code in page.content.decode()


def test_the_login_students_report_and_transcript_print_as_pdfs(demo):
    """Rendered to images (PROFICIO_PDF_IMAGES=<folder> keeps them to look at)."""
    student = Person.objects.get(username="student")
    client = signed_in("guardian")
    report = client.get(reverse("reports:progress_pdf", args=[student.uuid]))
    issued = IssuedTranscript.objects.get(student=student)
    transcript = client.get(reverse("reports:issued_pdf", args=[issued.uuid]))
    for pdf, name in ((report, "demo-progress-report"), (transcript, "demo-transcript")):
        assert pdf.status_code == 200
        images = pages_of(pdf.content, name)
        assert images and all(inked(image) > 0.01 for image in images[:1])


def test_a_learner_record_exported_for_the_demo_student_verifies_and_a_changed_character_fails(
    demo,
):
    """Issue 17's done-when: the login student's CLR, built from her issued transcript, verifies
    with the published key by another implementation than the one that signs; one character
    changed, it does not."""

    def unpadded(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    student = Person.objects.get(username="student")
    answer = signed_in("student").get(reverse("records:download", args=[student.uuid]))
    record = json.loads(answer.content)
    issued = IssuedTranscript.objects.filter(student=student).first()
    assert issued.code in record["credential"]["description"]
    assert record["credential"]["credentialSubject"]["verifiableCredential"]
    (key,) = Client().get("/.well-known/jwks.json").json()["keys"]
    public = Ed25519PublicKey.from_public_bytes(unpadded(key["x"]))
    header, payload, signature = record["jwt"].split(".")
    public.verify(unpadded(signature), f"{header}.{payload}".encode())
    assert verify_jwt(record["jwt"]).valid

    text = unpadded(payload).decode()
    at = text.index('"name":"') + len('"name":"')
    changed = text[:at] + ("X" if text[at] != "X" else "Y") + text[at + 1 :]
    forged = base64.urlsafe_b64encode(changed.encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        public.verify(unpadded(signature), f"{header}.{forged}".encode())
    assert verify_jwt(f"{header}.{forged}.{signature}").reason == "bad signature"
