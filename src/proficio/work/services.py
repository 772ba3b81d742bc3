"""Writes of the work app: performance tasks and giving them out. Each checks everything
first and tells every problem at once, writes in one transaction, and is audited."""

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from proficio.audit import api as audit
from proficio.evidence.api import EvidenceSource
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.files.kinds import family_of
from proficio.lib.files.thumbnails import thumbnail_of
from proficio.lib.files.uploads import MB, checked_kinds, upload_name
from proficio.lib.moments import moment
from proficio.mastery.api import evidence_record, students_mastery
from proficio.people.api import (
    Person,
    Section,
    is_self,
    section_served_get,
    serves_as_staff,
    students_served_by,
)
from proficio.work.data import Alignment, SelfRating, WorkRating
from proficio.work.models import (
    Assignment,
    Comment,
    Review,
    ReviewDecision,
    Revision,
    RevisionFile,
    RevisionPolicy,
    RubricCriterion,
    Submission,
    Task,
    TaskAlignment,
    TaskOption,
    TaskResource,
)
from proficio.work.permissions import (
    may_comment,
    may_review,
    may_see_task,
    may_write_task,
    may_write_tasks,
)
from proficio.work.selectors import bytes_held_by
from proficio.work.signals import review_recorded

TITLE_MAX = 300
OPTIONS_MAX = 12
ALIGNMENTS_MAX = 12


def _alignment_errors(author: Person, alignments: Sequence[Alignment]) -> tuple[dict, list]:
    """Problems with the alignments (keyed "alignments" or "alignments-N"), and their stages."""
    errors: dict[str, str] = {}
    stages = []
    if not alignments:
        errors["alignments"] = "Align the task to at least one competency and stage."
    elif len(alignments) > ALIGNMENTS_MAX:
        errors["alignments"] = f"Align a task to at most {ALIGNMENTS_MAX} stages."
    for number, alignment in enumerate(alignments, start=1):
        competency = alignment.competency
        if competency.framework.district_id != author.district_id:
            errors[f"alignments-{number}"] = f"{competency.code} is not your district's."
            continue
        stage = next((s for s in competency.stages.all() if s.ordinal == alignment.stage), None)
        if stage is None:
            errors[f"alignments-{number}"] = f"{competency.code} has no stage {alignment.stage}."
        elif stage.retired:
            errors[f"alignments-{number}"] = (
                f"Stage {alignment.stage} of {competency.code} is retired: it takes no new work."
            )
        elif stage in stages:
            errors[f"alignments-{number}"] = (
                f"{competency.code} stage {alignment.stage} is there twice."
            )
        else:
            stages.append(stage)
    return errors, stages


@transaction.atomic
def task_create(
    *,
    author: Person,
    title: str,
    alignments: Sequence[Alignment],
    instructions: str = "",
    options: Sequence[str] = (),
    revision_policy: RevisionPolicy | str = RevisionPolicy.UNLIMITED,
    max_revisions: int | None = None,
    target_date: date | None = None,
    shared: bool = False,
) -> Task:
    """A teacher (or admin) writes a task for their district. Its rubric starts from the
    aligned stages' evidence statements, one criterion each, for the task to reword."""
    if not may_write_tasks(author):
        raise NotVisible("No tasks to write here.")
    title = title.strip()
    errors, stages = _alignment_errors(author, alignments)
    if not title:
        errors["title"] = "Give the task a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    titles = [option.strip() for option in options]
    if any(not option for option in titles):
        errors["options"] = "Every option of the choice board needs a title."
    elif len(titles) > OPTIONS_MAX:
        errors["options"] = f"A choice board holds at most {OPTIONS_MAX} options."
    if revision_policy not in RevisionPolicy.values:
        errors["revision_policy"] = "Revisions are unlimited, at most a number, or until mastered."
    elif revision_policy == RevisionPolicy.MAX and not (max_revisions and max_revisions >= 1):
        errors["max_revisions"] = "Say how many revisions a student may make: 1 or more."
    elif revision_policy != RevisionPolicy.MAX and max_revisions is not None:
        errors["max_revisions"] = "A number of revisions goes only with “at most”."
    if errors:
        raise InvalidInput(errors)
    task = Task.objects.create(
        district_id=author.district_id,
        author=author,
        title=title,
        instructions=instructions.strip(),
        revision_policy=revision_policy,
        max_revisions=max_revisions,
        target_date=target_date,
        shared=shared,
    )
    for position, stage in enumerate(stages):
        aligned = TaskAlignment.objects.create(task=task, stage=stage, position=position)
        RubricCriterion.objects.bulk_create(
            RubricCriterion(alignment=aligned, text=statement.text, position=index)
            for index, statement in enumerate(stage.evidence_statements.all())
        )
    TaskOption.objects.bulk_create(
        TaskOption(task=task, title=option, position=position)
        for position, option in enumerate(titles)
    )
    audit.record(
        actor=author,
        action=audit.TASK_WRITTEN,
        district_id=task.district_id,
        target=task,
        data={"title": title, "stages": [str(stage) for stage in stages]},
    )
    return task


@transaction.atomic
def task_assign(
    *,
    actor: Person,
    task: Task,
    section: Section | None = None,
    students: Sequence[Person] = (),
) -> Assignment:
    """Give a task to a section the actor serves (its students now and those who join
    later), or to students the actor serves, picked by hand; one or the other."""
    if not may_write_task(actor, task) and not task.shared:
        raise NotVisible(f"No task {task.uuid}.")
    if (section is None) == (not students):
        raise InvalidInput({"assignment": "Give the task to a section or to students, not both."})
    errors = {}
    if section is not None:
        # Raises NotVisible (404) for a section the actor does not serve.
        section = section_served_get(user=actor, section_id=section.uuid)
        if section.school.district_id != task.district_id:
            errors["section"] = "The section is not in the task's district."
    served = set(
        students_served_by(actor)
        .filter(pk__in=[student.pk for student in students])
        .values_list("pk", flat=True)
    )
    hidden = [student for student in students if student.pk not in served]
    if hidden:
        raise NotVisible(f"No student {hidden[0].uuid}.")
    if errors:
        raise InvalidInput(errors)
    assignment = Assignment.objects.create(task=task, section=section, assigned_by=actor)
    assignment.students.set(students)
    audit.record(
        actor=actor,
        action=audit.TASK_ASSIGNED,
        district_id=task.district_id,
        target=task,
        data={
            "section": str(section.uuid) if section else None,
            "students": [str(student.uuid) for student in students],
        },
    )
    return assignment


def _unaligned(task: Task, ratings: Sequence[SelfRating | WorkRating], key: str) -> dict:
    """A problem (keyed "<key>-N") for each rating of a stage the task is not aligned to."""
    aligned = {(a.stage.competency_id, a.stage.ordinal) for a in task.alignments.all()}
    return {
        f"{key}-{number}": (
            f"{rating.competency.code} stage {rating.stage} is not one this task asks for."
        )
        for number, rating in enumerate(ratings, start=1)
        if (rating.competency.pk, rating.stage) not in aligned
    }


def _all_mastered(student: Person, task: Task) -> bool:
    """Whether the student has mastered every stage the task is aligned to, as stored now."""
    aligned = {(a.stage.competency_id, a.stage.ordinal) for a in task.alignments.all()}
    [statuses] = students_mastery(students=[student], explained=False).values()
    mastered = {
        (status.competency.pk, stage.stage.ordinal)
        for status in statuses
        for stage in status.stages
        if stage.mastered
    }
    return aligned <= mastered


def _checked_files(student: Person, files: Sequence[UploadedFile], errors: dict) -> list[str]:
    """Each file's content type; problems (size, kind, the student's quota) into `errors`."""
    kinds = checked_kinds(files, errors)
    held = bytes_held_by(student)
    adding = sum(upload.size for upload in files)
    quota = settings.PROFICIO_STUDENT_QUOTA_MB * MB
    if files and held + adding > quota:
        errors["files"] = gettext(
            "These files would take your work to %(size)s MB, over the %(quota)s MB each "
            "student may keep."
        ) % {"size": f"{(held + adding) / MB:.0f}", "quota": settings.PROFICIO_STUDENT_QUOTA_MB}
    return kinds


def _store_files(revision: Revision, files: Sequence[UploadedFile], kinds: list[str]) -> None:
    stored: list[RevisionFile] = []
    try:
        for upload, content_type in zip(files, kinds, strict=True):
            thumbnail = thumbnail_of(upload) if family_of(content_type) == "image" else None
            upload.seek(0)
            stored.append(
                RevisionFile.objects.create(
                    revision=revision,
                    file=upload,  # Django's storage copies it in chunks, never whole in memory
                    name=upload_name(upload),
                    content_type=content_type,
                    size=upload.size,
                    thumbnail=thumbnail or "",
                )
            )
    except Exception:
        # The rows roll back with the transaction; the bytes already stored must go too.
        for kept in stored:
            kept.file.storage.delete(kept.file.name)
            if kept.thumbnail:
                kept.thumbnail.storage.delete(kept.thumbnail.name)
        raise


def _submitted_count(submission: Submission) -> int:
    return submission.revisions.exclude(submitted_at=None).count()


@transaction.atomic
def revision_save(
    *,
    student: Person,
    task: Task,
    text: str = "",
    option: TaskOption | None = None,
    self_assessment: Sequence[SelfRating] = (),
    reflection: str = "",
    submit: bool = False,
    files: Sequence[UploadedFile] = (),
    keep_files: Sequence[RevisionFile] = (),
    at: datetime | None = None,
) -> Revision:
    """The student saves their work on a task as the next revision of their one submission:
    a draft, or submitted. Nothing stored before is changed. A submitted revision's
    self-assessment becomes `self` evidence (kept apart from mastery unless the policy
    counts it). The task's revision policy bounds how many revisions may be submitted.
    `keep_files`: files of the student's earlier revisions that this one keeps (the same
    stored bytes, named again, never copied). `at`: when the work was done, if not now
    (work brought in from before; never ahead of now nor before the latest revision)."""
    if not is_self(student, student) or not may_see_task(student, task):
        raise NotVisible(f"No task {task.uuid}.")
    submission, _ = Submission.objects.select_for_update().get_or_create(task=task, student=student)
    errors = {}
    if option is not None and option.task_id != task.pk:
        errors["option"] = gettext("That option is not on this task's choice board.")
    elif option is not None and not option.approved:
        errors["option"] = gettext("That option waits for a teacher's approval.")
    elif option is not None and option.proposed_by_id not in (None, student.pk):
        errors["option"] = gettext("That option is another student's own idea.")
    errors |= _unaligned(task, self_assessment, "self_assessment")
    submitted = _submitted_count(submission)
    if submit and task.revision_policy == RevisionPolicy.MAX:
        allowed = 1 + (task.max_revisions or 0)
        if submitted >= allowed:
            errors["submit"] = gettext(
                "This task takes %(allowed)s submissions at most, and all %(allowed)s are in."
            ) % {"allowed": allowed}
    if (
        submit
        and task.revision_policy == RevisionPolicy.UNTIL_MASTERED
        and submitted
        and _all_mastered(student, task)
    ):
        errors["submit"] = gettext(
            "Every stage this task asks for is mastered: it needs no more revisions."
        )
    if any(kept.revision.submission_id != submission.pk for kept in keep_files):
        errors["keep_files"] = gettext("Only files of your own earlier revisions can be kept.")
    if submit and not text.strip() and option is None and not files and not keep_files:
        errors["text"] = gettext("Write something (or choose an option) before you submit.")
    kinds = _checked_files(student, files, errors)
    latest = submission.revisions.order_by("-number").first()
    now = moment(at, after=latest.created_at if latest else None, errors=errors)
    if errors:
        raise InvalidInput(errors)
    number = (latest.number if latest else 0) + 1
    revision = Revision.objects.create(
        created_at=now,
        submission=submission,
        number=number,
        option=option,
        text=text.strip(),
        reflection=reflection.strip(),
        submitted_at=now if submit else None,
    )
    if submit:
        for rating in self_assessment:
            evidence_record(
                assessor=student,
                student=student,
                competency=rating.competency,
                stage=rating.stage,
                level=rating.level,
                observed_at=now,
                source=EvidenceSource.SELF,
                feedback_present=reflection.strip(),
            )
    RevisionFile.objects.bulk_create(
        RevisionFile(
            revision=revision,
            file=kept.file.name,
            name=kept.name,
            content_type=kept.content_type,
            size=kept.size,
            thumbnail=kept.thumbnail.name,
        )
        for kept in keep_files
        if kept.file
    )
    # Stored last, once everything else has held; taken away again if storing one fails.
    _store_files(revision, files, kinds)
    if submit:
        audit.record(
            actor=student,
            action=audit.WORK_SUBMITTED,
            student=student,
            target=task,
            data={"revision": number},
        )
    return revision


@transaction.atomic
def review_record(
    *,
    reviewer: Person,
    revision: Revision,
    decision: ReviewDecision | str,
    ratings: Sequence[WorkRating] = (),
    at: datetime | None = None,
) -> Review:
    """A teacher reads a submitted revision: each rating of an aligned stage becomes task
    evidence of that revision (observed when it was submitted) and mastery updates in the
    same transaction; then the work is rated, or returned for revision. `at`: when it was
    reviewed, if not now (never ahead of now nor before the revision was submitted)."""
    submission = revision.submission
    if not may_review(reviewer, submission):
        raise NotVisible(f"No submission {submission.uuid}.")
    # One review at a time per submission: a second click, or a colleague at the same
    # moment, finds the first review already there.
    Submission.objects.select_for_update().filter(pk=submission.pk).first()
    errors = {}
    newest = (
        submission.revisions.exclude(submitted_at=None).order_by("-number").only("number").first()
    )
    if revision.submitted_at is None:
        errors["revision"] = "This revision is a draft: only submitted work is reviewed."
    elif revision.reviews.exists():
        errors["revision"] = f"Revision {revision.number} is already reviewed."
    elif newest is not None and newest.number != revision.number:
        errors["revision"] = f"Revision {newest.number} has been submitted since: review that one."
    if decision not in ReviewDecision.values:
        errors["decision"] = "Rate the work, or return it for revision."
    elif decision == ReviewDecision.RATED and not ratings:
        errors["ratings"] = "Rate at least one of the task's stages."
    errors |= _unaligned(submission.task, ratings, "ratings")
    reviewed_at = moment(at, after=revision.submitted_at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    work_url = reverse("work:submission", args=[submission.uuid]) + f"#revision-{revision.number}"
    evidence = [
        evidence_record(
            assessor=reviewer,
            student=submission.student,
            competency=rating.competency,
            stage=rating.stage,
            level=rating.level,
            observed_at=revision.submitted_at,
            source=EvidenceSource.TASK,
            feedback_present=rating.feedback_present,
            feedback_next=rating.feedback_next,
            artifact_url=work_url,
            artifact_title=f"{submission.task.title}, revision {revision.number}",
            statements=rating.statements,
        )
        for rating in ratings
    ]
    review = Review.objects.create(
        revision=revision, reviewer=reviewer, decision=decision, created_at=reviewed_at
    )
    review.evidence.set(evidence)
    audit.record(
        actor=reviewer,
        action=audit.WORK_REVIEWED,
        student=submission.student,
        target=submission.task,
        data={"revision": revision.number, "decision": decision, "ratings": len(evidence)},
    )
    transaction.on_commit(
        lambda: review_recorded.send(
            sender=Review, review_id=review.pk, task_id=submission.task_id
        ),
        robust=True,
    )
    return review


@transaction.atomic
def task_copy(*, actor: Person, task: Task) -> Task:
    """A teacher copies a task they can see (from the district's library, or a colleague's
    given to their section) into one of their own, to change freely: its alignments still in
    use, rubric, choice board and revision policy. The copy remembers where it came from."""
    if not may_write_tasks(actor) or not may_see_task(actor, task):
        raise NotVisible(f"No task {task.uuid}.")
    alignments = [a for a in task.alignments.select_related("stage") if not a.stage.retired]
    if not alignments:
        raise InvalidInput({"alignments": "Every stage this task asks for is retired."})
    copy = Task.objects.create(
        district_id=task.district_id,
        author=actor,
        title=task.title,
        instructions=task.instructions,
        target_date=task.target_date,
        revision_policy=task.revision_policy,
        max_revisions=task.max_revisions,
        copied_from=task,
    )
    for alignment in alignments:
        copied = TaskAlignment.objects.create(
            task=copy, stage=alignment.stage, position=alignment.position
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(alignment=copied, text=criterion.text, position=criterion.position)
            for criterion in alignment.criteria.all()
        )
    # The teacher's own choice board: students' proposals stay with the task they were for.
    TaskOption.objects.bulk_create(
        TaskOption(task=copy, title=o.title, description=o.description, position=o.position)
        for o in task.options.filter(proposed_by=None)
    )
    audit.record(
        actor=actor,
        action=audit.TASK_WRITTEN,
        district_id=copy.district_id,
        target=copy,
        data={"title": copy.title, "copied_from": str(task.uuid)},
    )
    return copy


@transaction.atomic
def option_propose(*, student: Person, task: Task, title: str, description: str = "") -> TaskOption:
    """A student given the task proposes their own way to show its competencies; it waits
    for a teacher's approval and, until then, is theirs alone."""
    if not is_self(student, student) or not may_see_task(student, task):
        raise NotVisible(f"No task {task.uuid}.")
    title = title.strip()
    if not title:
        raise InvalidInput({"title": gettext("Say in a few words what you would make or do.")})
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            {"title": gettext("Keep it under %(limit)s characters.") % {"limit": TITLE_MAX}}
        )
    position = task.options.count()
    return TaskOption.objects.create(
        task=task,
        title=title,
        description=description.strip(),
        position=position,
        proposed_by=student,
        approved=False,
    )


@transaction.atomic
def option_approve(*, actor: Person, option: TaskOption) -> TaskOption:
    """A teacher of the student who proposed it approves their own option; audited."""
    student = option.proposed_by
    if student is None or not serves_as_staff(actor, student):
        raise NotVisible(f"No option {option.uuid}.")
    if not option.approved:
        option.approved = True
        option.save(update_fields=["approved"])
        audit.record(
            actor=actor,
            action=audit.TASK_WRITTEN,
            student=student,
            target=option.task,
            data={"approved_option": option.title},
        )
    return option


COMMENT_MAX = 5000
CRITERION_MAX = 1000


@transaction.atomic
def comment_add(*, author: Person, submission: Submission, text: str) -> Comment:
    """The student or one of their teachers adds to the submission's feedback thread; a
    teacher's words on a student's work are audited."""
    if not may_comment(author, submission):
        raise NotVisible(f"No submission {submission.uuid}.")
    text = text.strip()
    if not text:
        raise InvalidInput({"text": gettext("Write something first.")})
    if len(text) > COMMENT_MAX:
        raise InvalidInput(
            {
                "text": gettext("Keep a comment under %(limit)s characters.")
                % {"limit": f"{COMMENT_MAX:,}"}
            }
        )
    comment = Comment.objects.create(submission=submission, author=author, text=text)
    if author.pk != submission.student_id:
        audit.record(
            actor=author,
            action=audit.WORK_COMMENTED,
            student=submission.student,
            target=submission.task,
            data={"comment": str(comment.uuid)},
        )
    return comment


@transaction.atomic
def rubric_set(*, actor: Person, task: Task, criteria: dict[int, Sequence[str]]) -> None:
    """The task's own rubric: for each of its alignments (by id), the criteria in order —
    reworded, added or removed. Students' reviews keep the ratings they were given."""
    if not may_write_task(actor, task):
        raise NotVisible(f"No task {task.uuid}.")
    alignments = {alignment.pk: alignment for alignment in task.alignments.all()}
    errors = {}
    cleaned: dict[int, list[str]] = {}
    for alignment_id, texts in criteria.items():
        if alignment_id not in alignments:
            errors["criteria"] = "That stage is not one this task asks for."
            continue
        lines = [text.strip() for text in texts if text.strip()]
        if any(len(line) > CRITERION_MAX for line in lines):
            errors[f"criteria-{alignment_id}"] = (
                f"Keep each criterion under {CRITERION_MAX} characters."
            )
        cleaned[alignment_id] = lines
    if errors:
        raise InvalidInput(errors)
    for alignment_id, lines in cleaned.items():
        RubricCriterion.objects.filter(alignment_id=alignment_id).delete()
        RubricCriterion.objects.bulk_create(
            RubricCriterion(alignment_id=alignment_id, text=line, position=position)
            for position, line in enumerate(lines)
        )
    audit.record(
        actor=actor,
        action=audit.TASK_WRITTEN,
        district_id=task.district_id,
        target=task,
        data={"rubric": {str(alignments[a].stage): len(lines) for a, lines in cleaned.items()}},
    )


@transaction.atomic
def resources_add(
    *, actor: Person, task: Task, files: Sequence[UploadedFile]
) -> list[TaskResource]:
    """Files a task's writer gives with it, checked as students' files are, all or none."""
    if not may_write_task(actor, task):
        raise NotVisible(f"No task {task.uuid}.")
    errors: dict[str, str] = {}
    if not files:
        errors["files"] = "Choose a file to add."
    kinds = checked_kinds(files, errors)
    if errors:
        raise InvalidInput(errors)
    added = []
    for upload, content_type in zip(files, kinds, strict=True):
        upload.seek(0)
        added.append(
            TaskResource.objects.create(
                task=task,
                file=upload,
                name=upload_name(upload),
                content_type=content_type,
                size=upload.size,
                added_by=actor,
            )
        )
    audit.record(
        actor=actor,
        action=audit.TASK_WRITTEN,
        district_id=task.district_id,
        target=task,
        data={"resources": [resource.name for resource in added]},
    )
    return added
