"""Reads of evidence. Callers pass a student they have already been allowed to see."""

from collections.abc import Iterable
from datetime import date, datetime, time
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from proficio.evidence.models import Evidence, EvidenceFile, EvidenceSource, StatementShown
from proficio.frameworks.api import Competency
from proficio.lib.visibility import visible_get
from proficio.people.api import Person


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def evidence_of(
    *, student: Person, competency: Competency | None = None, as_of: date | None = None
) -> QuerySet[Evidence]:
    """A student's evidence, oldest work first, corrections and self-assessments included."""
    rows = (
        Evidence.objects.filter(student=student)
        .select_related("stage", "competency", "assessor")
        .prefetch_related("files")
    )
    if competency is not None:
        rows = rows.filter(competency=competency)
    if as_of is not None:
        rows = rows.filter(observed_at__lte=end_of_day(as_of))
    return rows.order_by("observed_at", "recorded_at", "id")


def ratings_counted(
    *,
    student: Person,
    competency: Competency,
    as_of: date | None = None,
    include_self: bool = False,
) -> QuerySet[Evidence]:
    """The evidence that counts toward mastery: current (not superseded, not a withdrawal),
    by observed_at."""
    rows = evidence_of(student=student, competency=competency, as_of=as_of).filter(
        superseded_by__isnull=True, withdrawn=False
    )
    if not include_self:
        rows = rows.exclude(source=EvidenceSource.SELF)
    return rows


def ratings_counted_for(
    *, students: Iterable[Person], competencies: Iterable[Competency], as_of: date | None = None
) -> QuerySet[Evidence]:
    """`ratings_counted` for many students and competencies in one query, self-assessments
    included: the caller keeps them only where the policy counts them."""
    rows = Evidence.objects.filter(
        student__in=students,
        competency__in=competencies,
        superseded_by__isnull=True,
        withdrawn=False,
    )
    if as_of is not None:
        rows = rows.filter(observed_at__lte=end_of_day(as_of))
    return rows.order_by("observed_at", "recorded_at", "id")


def answers_in_order(*, competency: Competency) -> QuerySet[Evidence]:
    """The ratings of a competency that count toward mastery, as (student id, stage id, level)
    and one student's stage after another, oldest work first within each: knowledge tracing's
    answer sequences, for fitting its parameters over the whole district. Self-assessments
    and ratings of weight 0 are left out: they do not count under the default policy."""
    return (
        Evidence.objects.filter(
            competency=competency, superseded_by__isnull=True, withdrawn=False, weight__gt=0
        )
        .exclude(source=EvidenceSource.SELF)
        .order_by("student_id", "stage_id", "observed_at", "recorded_at", "id")
        .values_list("student_id", "stage_id", "level")
    )


def latest_teacher_work(
    *, students: Iterable[Person]
) -> dict[tuple[int, int], tuple[datetime, str]]:
    """(student id, competency id) → when the latest current rating by someone other than
    the student was observed, and the newest words a teacher wrote there ("what is needed
    next", else "what is present"; "" when none), for students the caller may see. One
    query for all of them."""
    rows = (
        Evidence.objects.filter(student__in=students, superseded_by__isnull=True, withdrawn=False)
        .exclude(source=EvidenceSource.SELF)
        .order_by("observed_at", "recorded_at", "id")
        .values_list(
            "student_id", "competency_id", "observed_at", "feedback_next", "feedback_present"
        )
    )
    latest: dict[tuple[int, int], tuple[datetime, str]] = {}
    for student_id, competency_id, observed_at, next_step, present in rows:
        words = next_step or present
        kept = latest.get((student_id, competency_id), (observed_at, ""))[1]
        latest[student_id, competency_id] = (observed_at, words or kept)
    return latest


def evidence_standing() -> QuerySet[Evidence]:
    """Every rating that stands: not replaced by a correction or withdrawal, and not itself a
    withdrawal. Callers scope it to what the user may see."""
    return Evidence.objects.filter(superseded_by__isnull=True, withdrawn=False)


def ratings_given() -> QuerySet[Evidence]:
    """Every rating as it was first given: a correction or a withdrawal replaces a rating, it
    is not another one. What counts how much rating is done (reports' implementation
    dashboard), with no join; callers scope it to what the user may see."""
    return Evidence.objects.filter(supersedes__isnull=True, withdrawn=False)


def statements_shown(*, student: Person, stage_ids: Iterable[int]) -> set[int]:
    """The evidence statements (ids) of these stages that a teacher has seen in the student's
    work: ticked on a rating that stands (a student's own rating does not count)."""
    return set(
        StatementShown.objects.filter(
            evidence__in=evidence_standing()
            .filter(student=student, stage_id__in=list(stage_ids))
            .exclude(source=EvidenceSource.SELF)
        ).values_list("statement_id", flat=True)
    )


def evidence_in_district(district_id: int) -> QuerySet[Evidence]:
    """Every rating of a district's students, for work already authorised (the demo's count)."""
    return Evidence.objects.filter(student__district_id=district_id)


def evidence_file_of(*, students: QuerySet[Person], file_id: UUID | str) -> EvidenceFile:
    """A file kept with a rating of one of `students` (those the asker may see), or
    NotVisible."""
    return visible_get(
        EvidenceFile.objects.filter(evidence__student__in=students).select_related(
            "evidence__student"
        ),
        file_id,
        "file",
    )


def standardized_results(
    *, student_ids: Iterable[int], competency_ids: Iterable[int]
) -> QuerySet[Evidence]:
    """The standardized results of these students on these competencies that still stand:
    not withdrawn, not replaced by a correction; oldest work first. For callers that were
    allowed to see the students."""
    return Evidence.objects.filter(
        student_id__in=list(student_ids),
        competency_id__in=list(competency_ids),
        source=EvidenceSource.STANDARDIZED,
        withdrawn=False,
        superseded_by__isnull=True,
    ).order_by("observed_at", "recorded_at", "id")


def rated_since(*, student_id: int, competency_ids: Iterable[int], since: datetime) -> bool:
    """Whether the student has been rated on any of these competencies since `since`."""
    return Evidence.objects.filter(
        student_id=student_id, competency_id__in=list(competency_ids), recorded_at__gt=since
    ).exists()
