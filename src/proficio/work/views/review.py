"""Reading students' work: a teacher's review queue, and a submission's page — the work with
its files previewed, the rubric beside the student's self-assessment, earlier revisions and
their feedback, the review form (for the student's teachers) and the feedback thread (which
guardians read)."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import (
    enrolment_pairs,
    is_self,
    sections_served_by,
    sees_teacher_feedback,
)
from proficio.work.data import WorkRating
from proficio.work.forms import CommentForm, ReviewForm
from proficio.work.permissions import may_comment, may_review, may_write_tasks
from proficio.work.selectors import (
    latest_submitted,
    review_queue,
    submission_page,
    submission_status,
    task_alignments,
)
from proficio.work.services import comment_add, review_record
from proficio.work.views.showing import revisions_shown

QUEUE_SHOWN = 200


@require_safe
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Work waiting for the teacher, oldest first, with counts per task and per section;
    narrowed to one task or one section by a click."""
    if not may_write_tasks(request.user):
        raise Http404("The review queue is a teacher's.")
    waiting = review_queue(user=request.user)
    sections = list(sections_served_by(request.user))
    pairs = enrolment_pairs(
        student_ids=list({r.submission.student_id for r in waiting}), sections=sections
    )
    in_sections = {}
    for section in sections:
        in_sections[section] = {
            student for section_id, student in pairs if section_id == section.pk
        }
    rows = [
        (
            revision,
            [
                s
                for s, students in in_sections.items()
                if revision.submission.student_id in students
            ],
        )
        for revision in waiting
    ]
    per_task = Counter(revision.submission.task for revision in waiting)
    per_section = Counter(section for _, found in rows for section in found)
    task_id, section_id = request.GET.get("task", ""), request.GET.get("section", "")
    if task_id:
        rows = [row for row in rows if str(row[0].submission.task.uuid) == task_id]
    if section_id:
        rows = [row for row in rows if any(str(s.uuid) == section_id for s in row[1])]
    if format := export_format(request):
        return _queue_export(request, rows, format)
    # The oldest first, a page of them: a district admin's queue is the whole district's.
    more = max(len(rows) - QUEUE_SHOWN, 0)
    shown_total = len(rows)
    rows = rows[:QUEUE_SHOWN]
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students={r.submission.student.pk: r.submission.student for r, _ in rows}.values(),
        data={"via": "review queue"},
    )
    return render(
        request,
        "work/review_queue.html",
        {
            "rows": rows,
            "total": len(waiting),
            "per_task": sorted(per_task.items(), key=lambda kv: -kv[1]),
            "per_section": sorted(per_section.items(), key=lambda kv: -kv[1]),
            "task_id": task_id,
            "section_id": section_id,
            "more": more,
            "shown_total": shown_total,
        },
    )


def _queue_export(request: HttpRequest, rows: list, format: str) -> HttpResponse:
    """The queue as a download: every submission the filters keep, not only the first page
    of them; a listing of each student, audited."""
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students={r.submission.student.pk: r.submission.student for r, _ in rows}.values(),
        data={"via": "review queue", "export": format},
    )
    return table_response(
        name=_("Review queue"),
        headers=[_("Student"), _("Task"), _("Section"), _("Revision"), _("Submitted")],
        rows=(
            [
                revision.submission.student.display_name,
                revision.submission.task.title,
                ", ".join(section.name for section in sections),
                revision.number,
                revision.submitted_at,
            ]
            for revision, sections in rows
        ),
        format=format,
    )


def _page(request, submission, *, review_form=None, comment_form=None, status=200):
    alignments = task_alignments(submission.task)
    revisions = revisions_shown(submission)
    reviewer = may_review(request.user, submission)
    latest = latest_submitted(submission)
    can_review = reviewer and latest is not None and not latest.reviews.all()
    form = review_form or (
        ReviewForm(alignments=alignments, initial={"revision": latest.number})
        if can_review
        else None
    )
    withheld = not sees_teacher_feedback(request.user, submission.student)
    shown_latest = next((r for r in revisions if r.revision == latest), None)
    own = {
        rating.evidence.stage_id: rating
        for rating in (shown_latest.self_assessment if shown_latest else [])
    }
    review_rows = (
        [(*row, own.get(row[0].stage_id)) for row in form.rows()] if form is not None else []
    )
    return render(
        request,
        "work/submission.html",
        {
            "submission": submission,
            "task": submission.task,
            "student": submission.student,
            "status": submission_status(submission),
            "alignments": alignments,
            "revisions": revisions,
            "latest": latest,
            "review_form": form,
            "review_rows": review_rows,
            # A family the district keeps teachers' written feedback from reads neither the
            # words with each rating nor the conversation.
            "feedback_withheld": withheld,
            "comments": [] if withheld else list(submission.comments.all()),
            "comment_form": comment_form
            or (CommentForm() if may_comment(request.user, submission) else None),
            "is_student": is_self(request.user, submission.student),
        },
        status=status,
    )


def _read(request: HttpRequest, submission_id: str):
    submission = submission_page(user=request.user, submission_id=submission_id)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=[submission.student],
        data={"via": "submission", "task": str(submission.task.uuid)},
    )
    return submission


@require_safe
@login_required
@not_visible_is_404
def submission_view(request: HttpRequest, submission_id: str) -> HttpResponse:
    return _page(request, _read(request, submission_id))


@require_POST
@login_required
@not_visible_is_404
def review_save(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = _read(request, submission_id)
    if not may_review(request.user, submission):
        raise Http404("Only the student's teachers review their work.")
    form = ReviewForm(request.POST, alignments=task_alignments(submission.task))
    if form.is_valid():
        revision = next(
            (r for r in submission.revisions.all() if r.number == form.cleaned_data["revision"]),
            None,
        )
        if revision is None:
            raise Http404("No such revision.")
        ratings = []
        for alignment, level, present, needed, shows in form.ratings():
            if level is None:
                form.add_error(
                    f"a{alignment.pk}-level",
                    _("Choose a level for what you noted, or clear it."),
                )
                continue
            ratings.append(
                WorkRating(
                    competency=alignment.stage.competency,
                    stage=alignment.stage.ordinal,
                    level=level,
                    feedback_present=present,
                    feedback_next=needed,
                    statements=shows,
                )
            )
        if not form.errors:
            try:
                review_record(
                    reviewer=request.user,
                    revision=revision,
                    decision=form.cleaned_data["decision"],
                    ratings=ratings,
                )
            except InvalidInput as invalid:
                for message in invalid.errors.values():
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Rated: the ratings are evidence now.")
                    if form.cleaned_data["decision"] == "rated"
                    else _("Returned for revision, with your feedback."),
                )
                return redirect("work:review_queue")
    return _page(request, submission, review_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def comment_save(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = submission_page(user=request.user, submission_id=submission_id)
    if not may_comment(request.user, submission):
        raise Http404("Guardians read the conversation; the student and teachers write in it.")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(author=request.user, submission=submission, text=form.cleaned_data["text"])
        except InvalidInput as invalid:
            form.add_error("text", next(iter(invalid.errors.values())))
        else:
            if is_self(request.user, submission.student):
                back = reverse("work:my_work", args=[submission.task.uuid])
            else:
                back = reverse("work:submission", args=[submission.uuid])
            return redirect(f"{back}#conversation")
    return _page(request, submission, comment_form=form, status=422)
