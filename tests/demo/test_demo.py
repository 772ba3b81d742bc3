"""The demo district: fixed logins, mixed-age sections, honest trajectories, real variety,
and coursework: performance tasks with choice boards, and students' work on them."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test import RequestFactory, override_settings
from django.utils import timezone

from proficio.demo import DEMO_LOGINS, DatabaseNotEmpty, load_demo
from proficio.demo.content import PASSWORD
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.frameworks.models import Competency, CompetencyKind, Stage
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.people.models import GuardianLink, Person, Role, Section
from proficio.work.models import Review, Revision, RevisionFile, Submission, Task, TaskOption
from proficio.work.selectors import submission_status

pytestmark = pytest.mark.django_db
STUDENTS = 30


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo for the whole module, rolled back at the end (its students' files in
    a folder of its own)."""
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield load_demo(students=STUDENTS)
        transaction.set_rollback(True)


def person(username: str) -> Person:
    return Person.objects.get(username=username)


def roles(username: str) -> set[str]:
    return set(person(username).roles.filter(active=True).values_list("role", flat=True))


def test_summary_counts_what_was_loaded(demo):
    assert demo.students == STUDENTS == Person.objects.filter(roles__role=Role.STUDENT).count()
    assert demo.sections == Section.objects.count() == 8
    assert demo.evidence == Evidence.objects.count()
    assert demo.tasks == Task.objects.count() == 5
    assert demo.submissions == Submission.objects.count()
    assert demo.logins == DEMO_LOGINS


def test_the_fixed_logins_sign_in_and_nobody_else_can(demo):
    for login in DEMO_LOGINS:
        # As the login page asks: with the request, whose address the lockout check needs.
        request = RequestFactory().post("/accounts/login/")
        signed_in = authenticate(request, username=login.username, password=PASSWORD)
        assert signed_in == person(login.username)
    usable = [p.username for p in Person.objects.all() if p.has_usable_password()]
    assert sorted(usable) == sorted(login.username for login in DEMO_LOGINS)


def test_admin_is_district_admin_and_may_use_the_admin_site_for_their_district_only(demo):
    admin = person("admin")
    assert roles("admin") == {Role.DISTRICT_ADMIN}
    # Staff for the admin site, which then shows their district only; never a superuser.
    assert admin.is_staff and not admin.is_superuser
    assert not Person.objects.filter(is_superuser=True).exists()


def test_teacher_teaches_the_section_holding_student_and_guardian_is_linked(demo):
    student = person("student")
    assert roles("teacher") == {Role.TEACHER}
    assert roles("student") == {Role.STUDENT}
    assert roles("guardian") == {Role.GUARDIAN}
    assert Section.objects.filter(teachers=person("teacher"), students=student).exists()
    assert GuardianLink.objects.filter(guardian=person("guardian"), student=student).exists()
    assert roles("schooladmin") == {Role.SCHOOL_ADMIN}


def test_every_section_mixes_age_grades(demo):
    for section in Section.objects.all():
        ages = set(section.students.values_list("age_grade", flat=True))
        assert len(ages) >= 2, section.name
        assert section.teachers.exists(), section.name


def test_siblings_sometimes_share_guardians(demo):
    shared = GuardianLink.objects.values("guardian").annotate(children=Count("student"))
    assert shared.filter(children__gte=2).exists()
    assert not Person.objects.filter(roles__role=Role.STUDENT, guardian_links=None).exists()


def test_every_competency_has_six_described_stages_with_evidence_statements(demo):
    competencies = Competency.objects.all()
    assert {c.code for c in competencies} == {"W1", "W2", "W3", "MP1", "COL"}
    assert competencies.get(code="COL").kind == CompetencyKind.SKILL
    for competency in competencies:
        stages = list(competency.stages.all())
        assert [stage.ordinal for stage in stages] == [1, 2, 3, 4, 5, 6]
        assert [stage.typical_grade for stage in stages] == [3, 4, 5, 6, 7, 8]
        for stage in stages:
            assert len(stage.descriptor) > 80, stage
            assert 2 <= stage.evidence_statements.count() <= 4, stage


def test_courses_target_stages_and_follow_each_other(demo):
    from proficio.frameworks.models import Course

    studio = Course.objects.get(title="Writing Studio 5")
    targets = {(t.stage.competency.code, t.stage.ordinal) for t in studio.targets.all()}
    assert targets == {("W1", 3), ("W2", 3), ("W3", 3)}
    assert studio.next_course.title == "Writing Studio 6"
    assert Course.objects.get(code="MW5").next_course.code == "MW7"


def test_evidence_spans_six_months_and_none_is_in_the_future(demo):
    history = Evidence.objects.all()
    span = history.aggregate(first=Min("observed_at"), last=Max("observed_at"))
    assert span["last"] <= timezone.now()
    assert span["first"] >= timezone.now() - timedelta(days=190)
    assert span["last"] - span["first"] >= timedelta(days=150)
    assert not history.filter(observed_at__week_day__in=[1, 7]).exists()  # weekends
    assert not history.filter(feedback_present="").exists()
    assert not history.exclude(source=EvidenceSource.SELF).filter(feedback_next="").exists()


def test_coursework_is_spread_over_the_months_in_order(demo):
    submitted = Revision.objects.exclude(submitted_at=None)
    span = submitted.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    assert span["last"] - span["first"] >= timedelta(days=60)
    for review in Review.objects.select_related("revision"):
        assert review.created_at >= review.revision.submitted_at


def test_ratings_come_from_the_students_own_teachers(demo):
    for evidence in Evidence.objects.exclude(source=EvidenceSource.SELF).select_related(
        "assessor", "student"
    )[:300]:
        assert Section.objects.filter(
            teachers=evidence.assessor, students=evidence.student
        ).exists()


def test_self_assessments_are_recorded_by_the_student_themself(demo):
    own = Evidence.objects.filter(source=EvidenceSource.SELF)
    assert own.exists()
    assert all(evidence.assessor_id == evidence.student_id for evidence in own)


def test_some_students_work_ahead_of_their_age_grade(demo):
    ahead = [
        working
        for working in WorkingStage.objects.exclude(ordinal=None).select_related("student")
        if Stage.objects.get(
            competency_id=working.competency_id, ordinal=working.ordinal
        ).typical_grade
        > working.student.age_grade
    ]
    assert ahead


def test_some_students_are_stalled_at_developing_for_months(demo):
    per_stage = (
        Evidence.objects.exclude(source=EvidenceSource.SELF)
        .values("student", "stage")
        .annotate(
            ratings=Count("id"),
            best=Max("level"),
            first=Min("observed_at"),
            last=Max("observed_at"),
        )
        .filter(ratings__gte=6, best__lte=3)
    )
    stalled = [
        row
        for row in per_stage
        if row["last"] - row["first"] >= timedelta(days=90)
        and Evidence.objects.filter(
            student=row["student"], stage=row["stage"], level__lte=2
        ).count()
        >= row["ratings"] - 1
        and not MasteryRecord.objects.filter(
            student=row["student"], stage=row["stage"], mastered=True
        ).exists()
    ]
    assert stalled


def test_some_students_do_not_have_enough_evidence_yet(demo):
    assert MasteryRecord.objects.filter(evidence_count=1, sufficient=False).exists()


def test_every_rated_student_competency_has_mastery_records(demo):
    rated = set(Evidence.objects.values_list("student", "competency").distinct())
    recorded = set(MasteryRecord.objects.values_list("student", "competency").distinct())
    assert rated <= recorded
    # Stored by the district recompute, as in a real district: one per rated pair.
    working = set(WorkingStage.objects.values_list("student", "competency"))
    assert rated <= working


def test_student_has_mastered_stages_and_recent_feedback_on_a_working_stage(demo):
    student = person("student")
    assert MasteryRecord.objects.filter(student=student, mastered=True, implied=False).count() >= 3
    working = WorkingStage.objects.get(student=student, competency__code="W1")
    assert working.ordinal == 4  # ahead: stage 4 is typical of grade 6, she is in grade 5
    assert working.latest_observed_at >= timezone.now() - timedelta(days=7)
    latest = Evidence.objects.filter(student=student, competency__code="W1").last()
    assert latest.feedback_present and latest.feedback_next


# Coursework


def test_every_competency_has_a_performance_task_with_a_choice_board(demo):
    tasks = Task.objects.prefetch_related("alignments__stage__competency", "options")
    by_competency = {}
    for task in tasks:
        competencies = {a.stage.competency.code for a in task.alignments.all()}
        assert len(competencies) == 1, task
        by_competency[competencies.pop()] = task
        assert 1 <= task.alignments.count() <= 2, task
        board = [option for option in task.options.all() if option.proposed_by is None]
        assert 2 <= len(board) <= 4, task
        assert "## " in task.instructions and len(task.instructions) > 600, task
        assert task.alignments.filter(criteria__isnull=False).exists(), task  # its rubric
        for assignment in task.assignments.select_related("section"):
            assert assignment.section.teachers.filter(pk=assignment.assigned_by_id).exists()
    assert set(by_competency) == {"W1", "W2", "W3", "MP1", "COL"}


def test_students_revise_after_feedback_and_their_work_is_rated(demo):
    revised = [
        submission
        for submission in Submission.objects.prefetch_related("revisions__reviews")
        if [
            review.decision
            for revision in submission.revisions.all()
            for review in revision.reviews.all()
        ]
        == ["revise", "rated"]
    ]
    assert revised
    for submission in revised:
        first, *_, last = submission.revisions.exclude(submitted_at=None)
        assert first.text != last.text and len(last.text) > len(first.text)
        assert first.reflection and last.reflection
    assert Submission.objects.annotate(n=Count("revisions")).filter(n__gte=3).exists()


def test_reviews_rate_the_work_into_task_evidence_with_feedback(demo):
    reviews = Review.objects.select_related("revision").prefetch_related("evidence")
    assert reviews.count() >= 5
    for review in reviews:
        [evidence] = review.evidence.all()
        assert evidence.source == EvidenceSource.TASK
        assert evidence.assessor_id == review.reviewer_id
        assert evidence.observed_at == review.revision.submitted_at
        assert evidence.feedback_present and evidence.feedback_next
        assert Section.objects.filter(teachers=review.reviewer, students=evidence.student).exists()
    submitted = Revision.objects.exclude(submitted_at=None).values("submitted_at")
    own = Evidence.objects.filter(source=EvidenceSource.SELF, observed_at__in=submitted)
    assert own.exists() and all(e.assessor_id == e.student_id and e.feedback_present for e in own)


def test_work_waits_in_the_teachers_review_queue_and_some_is_still_a_draft(demo):
    submissions = Submission.objects.prefetch_related("revisions__reviews")
    statuses = {submission: submission_status(submission) for submission in submissions}
    waiting = [submission for submission, status in statuses.items() if status == "submitted"]
    assert waiting and "draft" in statuses.values()
    teacher = person("teacher")
    assert any(
        Section.objects.filter(teachers=teacher, students=submission.student_id).exists()
        for submission in waiting
    )


def test_students_hand_in_small_images_and_audio_clips(demo):
    files = RevisionFile.objects.all()
    kinds = {file.content_type for file in files}
    assert {"image/png", "audio/x-wav"} <= kinds
    assert all(file.size < 100 * 1024 for file in files)
    assert all(file.thumbnail for file in files if file.content_type.startswith("image/"))
    # The clips are tones, not children's voices, and say so.
    assert all("demo-clip" in file.name for file in files if file.content_type == "audio/x-wav")


def test_each_piece_of_work_is_written_for_its_student(demo):
    texts = list(Revision.objects.exclude(text="").values_list("text", flat=True))
    assert len(texts) == len(set(texts))  # no two students hand in the same work
    assert not any("{name}" in text for text in texts)


def test_student_has_work_at_every_stage_of_the_loop(demo):
    student = person("student")
    work = {
        submission.task.alignments.first().stage.competency.code: submission
        for submission in Submission.objects.filter(student=student).prefetch_related(
            "revisions__reviews"
        )
    }
    assert {code: submission_status(s) for code, s in work.items()} == {
        "W1": "rated",
        "W2": "submitted",
        "W3": "draft",
        "MP1": "rated",
        "COL": "draft",
    }
    assert work["W1"].revisions.count() == 3
    assert work["W1"].revisions.last().files.filter(content_type="audio/x-wav").exists()
    # Her own way of doing the narrative, approved by her teacher.
    own = TaskOption.objects.get(proposed_by=student)
    assert own.approved and work["W3"].revisions.get().option == own


def test_a_students_own_option_can_wait_for_approval(demo):
    assert TaskOption.objects.filter(proposed_by__isnull=False, approved=False).exists()


def test_loading_twice_is_refused_and_changes_nothing(demo):
    before = Person.objects.count()
    with pytest.raises(DatabaseNotEmpty):
        load_demo(students=STUDENTS)
    assert Person.objects.count() == before


def test_the_readme_names_the_login_page_and_every_demo_login():
    """A newcomer signs in from the README alone: the address, the password, each username."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "/accounts/login/" in readme and f"`{PASSWORD}`" in readme
    for login in DEMO_LOGINS:
        assert f"| `{login.username}` |" in readme, login.username
