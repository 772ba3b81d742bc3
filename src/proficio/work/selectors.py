"""Reads of the work app, each scoped to who is asking."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from proficio.frameworks.api import Competency
from proficio.lib.visibility import visible_get
from proficio.people.api import Person, section_students, students_served_by, students_visible_to
from proficio.work.models import (
    Assignment,
    Review,
    Revision,
    RevisionFile,
    Submission,
    Task,
    TaskAlignment,
    TaskResource,
)
from proficio.work.permissions import submissions_visible_to, tasks_reviewed_q, tasks_visible_to


def task_list_visible_to(user: Person) -> QuerySet[Task]:
    """The tasks this user may see, newest first, with what their pages and the API show."""
    return (
        tasks_visible_to(user)
        .select_related("author")
        .prefetch_related("alignments__stage__competency", "options")
        .order_by("-created_at", "-pk")
    )


def district_tasks(district_id: int) -> QuerySet[Task]:
    """A district's tasks, for a caller the district's own registration already authorised
    (a link an LMS launches names its task)."""
    return Task.objects.filter(district_id=district_id)


def task_get(*, user: Person, task_id: UUID | str) -> Task:
    """One task this user may see, or NotVisible."""
    return visible_get(task_list_visible_to(user), task_id, "task")


def assignment_students(*, user: Person, assignment: Assignment) -> list[Person]:
    """Who an assignment gives its task to now, of the students this user may see: a
    section's active students (so those who join later too), or those picked by hand."""
    if assignment.section is not None:
        return list(section_students(user=user, section=assignment.section))
    return list(
        assignment.students.filter(pk__in=students_visible_to(user).values("pk")).order_by(
            "last_name", "first_name"
        )
    )


def submission_get(*, user: Person, submission_id: UUID | str) -> Submission:
    """One submission this user may read, with its revisions and their reviews, or
    NotVisible."""
    submissions = submissions_visible_to(user).select_related("task", "student")
    return visible_get(
        submissions.prefetch_related(
            "revisions__reviews__evidence__competency", "revisions__files"
        ),
        submission_id,
        "submission",
    )


def revision_file_get(*, user: Person, file_id: UUID | str) -> RevisionFile:
    """One file of a revision this user may read — the same people as the submission: the
    student, their teachers and admins, their guardians — or NotVisible."""
    return visible_get(
        RevisionFile.objects.filter(
            revision__submission__in=submissions_visible_to(user).values("pk")
        ).select_related("revision__submission__student"),
        file_id,
        "file",
    )


def latest_submitted(submission: Submission) -> Revision | None:
    """The newest submitted revision: the one a teacher reviews, whatever drafts follow it.
    Reads the prefetched revisions."""
    return next((r for r in reversed(submission.revisions.all()) if r.submitted_at), None)


def submission_status(submission: Submission) -> str:
    """Where the work stands: "draft" (nothing submitted, or a new draft after a review),
    "submitted" (waiting for a review, even with a draft begun since), "returned" (for
    revision) or "rated". Reads the prefetched revisions and reviews."""
    revisions = list(submission.revisions.all())
    submitted = latest_submitted(submission)
    if submitted is None:
        return "draft"
    reviews = list(submitted.reviews.all())
    if not reviews:
        return "submitted"
    if revisions[-1] is not submitted:
        return "draft"
    return "rated" if reviews[-1].decision == "rated" else "returned"


def task_library(
    *,
    user: Person,
    competency: Competency | None = None,
    stage: int | None = None,
    text: str = "",
) -> QuerySet[Task]:
    """The tasks a teacher can find to give out or copy — their own and the district's shared
    ones — aligned to `competency` (and `stage`), holding every word of `text` in the title
    or instructions."""
    tasks = task_list_visible_to(user).filter(Q(author=user) | Q(shared=True))
    if competency is not None:
        aligned = Q(alignments__stage__competency=competency)
        if stage is not None:
            aligned &= Q(alignments__stage__ordinal=stage)
        tasks = tasks.filter(aligned)
    for word in text.split():
        tasks = tasks.filter(Q(title__icontains=word) | Q(instructions__icontains=word))
    return tasks.distinct()


STATUSES = ("not started", "draft", "submitted", "returned", "rated")


def assignment_progress(*, user: Person, assignment: Assignment) -> dict[str, list[Person]]:
    """The assignment's students (those `user` may see) by where their work stands: "not
    started", "draft", "submitted", "returned" or "rated". A fixed number of queries."""
    students = assignment_students(user=user, assignment=assignment)
    submissions = {
        submission.student_id: submission
        for submission in Submission.objects.filter(
            task=assignment.task, student__in=[student.pk for student in students]
        ).prefetch_related("revisions__reviews")
    }
    progress: dict[str, list[Person]] = {status: [] for status in STATUSES}
    for student in students:
        submission = submissions.get(student.pk)
        status = submission_status(submission) if submission else "not started"
        progress[status].append(student)
    return progress


def task_alignments(task: Task) -> list:
    """The task's alignments with their stages, competencies, scale levels and rubric."""
    return list(
        task.alignments.select_related("stage__competency__framework__scale").prefetch_related(
            "criteria",
            "stage__evidence_statements",
            "stage__competency__scale__levels",
            "stage__competency__framework__scale__levels",
        )
    )


def tasks_of_student(student: Person) -> list[tuple[Task, Submission | None, str]]:
    """The tasks given to `student` (themself asking), each with their submission and where
    it stands; newest first. A fixed number of queries."""
    tasks = list(task_list_visible_to(student))
    submissions = {
        s.task_id: s
        for s in Submission.objects.filter(student=student, task__in=tasks).prefetch_related(
            "revisions__reviews"
        )
    }
    found = []
    for task in tasks:
        submission = submissions.get(task.pk)
        found.append((task, submission, submission_status(submission) if submission else "to do"))
    return found


def _waiting_revisions(user: Person) -> QuerySet[Revision]:
    later = Revision.objects.filter(
        submission=OuterRef("submission"),
        number__gt=OuterRef("number"),
        submitted_at__isnull=False,
    )
    return Revision.objects.filter(
        submission__student__in=students_served_by(user),
        submission__task__in=Task.objects.filter(tasks_reviewed_q(user)).values("pk"),
        submitted_at__isnull=False,
        reviews__isnull=True,
    ).exclude(Exists(later))


def review_queue(*, user: Person, task: Task | None = None) -> list[Revision]:
    """Submitted revisions waiting for a review, of students `user` serves as staff, on tasks
    that are theirs to review: each the latest submitted of its submission (a draft begun
    since does not hide it), with no review yet; oldest first."""
    waiting = (
        _waiting_revisions(user)
        .select_related("submission__task", "submission__student")
        .order_by("submitted_at", "pk")
    )
    if task is not None:
        waiting = waiting.filter(submission__task=task)
    return list(waiting)


def review_waiting_count(*, user: Person) -> int:
    """How many revisions wait in `user`'s review queue: one count."""
    return _waiting_revisions(user).count()


def submission_of(*, student: Person, task: Task) -> Submission | None:
    """The student's own submission on a task, with everything its page shows."""
    return (
        Submission.objects.filter(student=student, task=task)
        .prefetch_related(
            "revisions__files",
            "revisions__option",
            "revisions__reviews__evidence__stage",
            "revisions__reviews__evidence__competency",
            "revisions__reviews__reviewer",
            "comments__author",
        )
        .first()
    )


def submission_page(*, user: Person, submission_id: UUID | str) -> Submission:
    """One submission this user may read with everything its page shows, or NotVisible."""
    return visible_get(
        submissions_visible_to(user)
        .select_related("task", "student")
        .prefetch_related(
            "revisions__files",
            "revisions__option",
            "revisions__reviews__evidence__stage__competency",
            "revisions__reviews__evidence__competency",
            "revisions__reviews__reviewer",
            "comments__author",
        ),
        submission_id,
        "submission",
    )


# How a student's home groups their tasks: by where the work stands.
STATUS_GROUPS = (
    (_("Returned for revision"), ("returned",)),
    (_("To start"), ("to do",)),
    (_("In progress"), ("draft",)),
    (_("Waiting for review"), ("submitted",)),
    (_("Rated"), ("rated",)),
)


def recent_work_of(*, user: Person, students: list[Person], per_student: int = 5) -> dict:
    """For each of `students` (student pk → list), their latest submitted work `user` may
    read, newest first, each as (submission, status). A fixed number of queries."""
    submissions = (
        submissions_visible_to(user)
        .filter(student__in=[s.pk for s in students], revisions__submitted_at__isnull=False)
        .distinct()
        .select_related("task")
        .prefetch_related("revisions__reviews")
    )
    found: dict[int, list] = {}
    for submission in submissions:
        found.setdefault(submission.student_id, []).append(
            (submission, submission_status(submission))
        )
    for pk, rows in found.items():
        rows.sort(key=lambda row: list(row[0].revisions.all())[-1].created_at, reverse=True)
        found[pk] = rows[:per_student]
    return found


def resource_get(*, user: Person, resource_id: UUID | str) -> TaskResource:
    """A file given with a task this user may see, or NotVisible."""
    return visible_get(
        TaskResource.objects.filter(task__in=tasks_visible_to(user).values("pk")),
        resource_id,
        "resource",
    )


def bytes_held_by(student: Person) -> int:
    """What a student's files take: each stored file once, though later revisions keep it."""
    sizes = (
        RevisionFile.objects.filter(revision__submission__student=student)
        .values("file")
        .annotate(size=Max("size"))
        .values_list("size", flat=True)
    )
    return sum(sizes)


def revisions_of_student(student: Person) -> list[Revision]:
    """The student's submitted revisions (themself asking), newest first, with their task:
    what they may put in their portfolio."""
    return list(
        Revision.objects.filter(submission__student=student, submitted_at__isnull=False)
        .select_related("submission__task")
        .order_by("-submitted_at", "-pk")
    )


def handed_in_visible_to(*, user: Person, limit: int = 60) -> list[Revision]:
    """The latest handed-in revisions `user` may read, newest first, with their task's
    alignments: the work a calibration session or an exemplar is chosen from."""
    return list(
        Revision.objects.filter(
            submission__in=submissions_visible_to(user), submitted_at__isnull=False
        )
        .select_related("submission__task", "submission__student")
        .prefetch_related("submission__task__alignments__stage__competency", "files")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def handed_in_get(*, user: Person, revision_id: UUID | str) -> Revision:
    """One handed-in revision `user` may read, by UUID, or NotVisible."""
    return visible_get(
        Revision.objects.filter(
            submission__in=submissions_visible_to(user), submitted_at__isnull=False
        ).select_related("submission__task", "submission__student"),
        revision_id,
        "revision",
    )


def handed_in_in_district(*, district_id: int) -> QuerySet[Revision]:
    """Every handed-in revision of the district's tasks, for the operator (the demo builds
    its calibration from them); no person is asking."""
    return Revision.objects.filter(
        submitted_at__isnull=False, submission__task__district_id=district_id
    )


@dataclass(frozen=True)
class TaskSummary:
    """A district's performance tasks in counts: how many, how many aligned to stages of its
    trajectories and shared in its library, the stages they let students show, and how many
    tasks follow each revision policy. Counts only."""

    tasks: int
    aligned: int
    shared: int
    stage_ids: frozenset[int]
    by_revision_policy: dict[str, int]


def task_summary(*, district_id: int) -> TaskSummary:
    """The district's tasks in counts, for its design choices and implementation plan."""
    tasks = Task.objects.filter(district_id=district_id)
    policies = tasks.order_by().values("revision_policy").annotate(n=Count("pk"))
    alignments = TaskAlignment.objects.filter(task__district_id=district_id)
    return TaskSummary(
        tasks=tasks.count(),
        aligned=tasks.filter(Exists(alignments.filter(task_id=OuterRef("pk")))).count(),
        shared=tasks.filter(shared=True).count(),
        stage_ids=frozenset(alignments.values_list("stage_id", flat=True).distinct()),
        by_revision_policy={row["revision_policy"]: row["n"] for row in policies},
    )


@dataclass(frozen=True)
class RatingResult:
    """One rating of a review, as another system receives it."""

    competency_id: int
    competency_uuid: UUID
    competency_title: str
    stage: str
    stage_ordinal: int
    level: Decimal
    scale_top: Decimal  # the highest level of the competency's scale


@dataclass(frozen=True)
class ReviewResults:
    """A rated review of a student's task work, for an app above work to pass on."""

    review_id: int
    student_id: int
    task_id: int
    task_uuid: UUID
    task_title: str
    reviewed_at: datetime
    ratings: tuple[RatingResult, ...]

    @property
    def overall(self) -> Decimal:
        """The ratings' mean as a share of their scales' tops: one score for the task."""
        return sum(r.level / r.scale_top for r in self.ratings) / len(self.ratings)


def review_results(review_id: int) -> ReviewResults | None:
    """For a passback already authorised by the district's own registration: the ratings of
    a review that rated work, else None (work returned for revision carries no rating)."""
    review = (
        Review.objects.select_related("revision__submission__task").filter(pk=review_id).first()
    )
    if review is None:
        return None
    evidence = review.evidence.select_related(
        "competency__scale", "competency__framework__scale", "stage"
    ).prefetch_related("competency__scale__levels", "competency__framework__scale__levels")
    ratings = []
    for row in evidence.order_by("competency__code"):
        levels = [level.value for level in row.competency.effective_scale.levels.all()]
        ratings.append(
            RatingResult(
                competency_id=row.competency_id,
                competency_uuid=row.competency.uuid,
                competency_title=row.competency.title,
                stage=row.stage.label,
                stage_ordinal=row.stage.ordinal,
                level=row.level,
                scale_top=max(levels, default=row.level) or Decimal(1),
            )
        )
    if not ratings:
        return None
    submission = review.revision.submission
    return ReviewResults(
        review_id=review.pk,
        student_id=submission.student_id,
        task_id=submission.task_id,
        task_uuid=submission.task.uuid,
        task_title=submission.task.title,
        reviewed_at=review.created_at,
        ratings=tuple(ratings),
    )
