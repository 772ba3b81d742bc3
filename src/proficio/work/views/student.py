"""A student's pages: their tasks by where the work stands, and the work page of one task —
the instructions and rubric, the choice board, the work itself (text, files, audio recorded
in the page), the self-assessment, every earlier revision with its feedback."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.lib.errors import InvalidInput
from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import Role, roles_of
from proficio.work.data import SelfRating
from proficio.work.forms import CommentForm, ProposeForm, WorkForm
from proficio.work.permissions import may_write_tasks
from proficio.work.selectors import (
    STATUS_GROUPS,
    bytes_held_by,
    submission_of,
    task_alignments,
    task_get,
    tasks_of_student,
)
from proficio.work.services import option_propose, revision_save
from proficio.work.views.showing import revisions_shown

MB = 1024 * 1024


def _student_only(request: HttpRequest) -> None:
    if Role.STUDENT not in roles_of(request.user):
        raise Http404("This page is a student's own.")


@require_safe
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """A student's home for work: to start, in progress, returned for revision, rated."""
    if Role.STUDENT not in roles_of(request.user):
        if may_write_tasks(request.user):
            return redirect("work:tasks")
        raise Http404("Work is a student's, and their teachers'.")
    found = tasks_of_student(request.user)
    groups = [
        (label, [(task, status) for task, _, status in found if status in statuses])
        for label, statuses in STATUS_GROUPS
    ]
    return render(request, "work/my_tasks.html", {"groups": groups, "count": len(found)})


def _quota_left(student) -> tuple[float, float]:
    return bytes_held_by(student) / MB, settings.PROFICIO_STUDENT_QUOTA_MB


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
@takes_uploads
def my_work(request: HttpRequest, task_id: str) -> HttpResponse:
    _student_only(request)
    task = task_get(user=request.user, task_id=task_id)
    alignments = task_alignments(task)
    # The task's own ways, and this student's own idea (waiting or approved): another
    # student's idea stays theirs.
    options = [
        option for option in task.options.all() if option.proposed_by_id in (None, request.user.pk)
    ]
    submission = submission_of(student=request.user, task=task)
    last = (
        list(submission.revisions.all())[-1] if submission and submission.revisions.all() else None
    )
    form = WorkForm(
        request.POST or None,
        request.FILES or None,
        options=[option for option in options if option.approved],
        alignments=alignments,
        earlier_files=[kept for kept in last.files.all() if kept.file] if last else [],
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            revision = revision_save(
                student=request.user,
                task=task,
                text=form.cleaned_data["text"],
                option=form.chosen_option(),
                self_assessment=[
                    SelfRating(competency=a.stage.competency, stage=a.stage.ordinal, level=level)
                    for a, level in form.self_levels()
                ]
                if submit
                else [],
                reflection=form.cleaned_data["reflection"],
                submit=submit,
                files=form.cleaned_data["files"],
                keep_files=form.kept_files(),
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(
                request,
                _("Revision %(number)s is submitted for review.") % {"number": revision.number}
                if submit
                else _("Your draft is saved as revision %(number)s.") % {"number": revision.number},
            )
            return redirect("work:my_work", task_id=task.uuid)
    revisions = revisions_shown(submission) if submission else []
    latest = revisions[-1].revision if revisions else None
    if request.method == "GET" and latest is not None:
        form.initial = {
            "text": latest.text,
            "option": str(latest.option.uuid) if latest.option else "",
        }
    held, quota = _quota_left(request.user)
    return render(
        request,
        "work/my_work.html",
        {
            "task": task,
            "alignments": alignments,
            "options": options,
            "form": form,
            "propose_form": ProposeForm(),
            "submission": submission,
            "revisions": revisions,
            "comments": list(submission.comments.all()) if submission else [],
            "comment_form": CommentForm() if submission else None,
            "max_file_mb": settings.PROFICIO_MAX_FILE_MB,
            "held_mb": held,
            "quota_mb": quota,
        },
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
@not_visible_is_404
def propose(request: HttpRequest, task_id: str) -> HttpResponse:
    _student_only(request)
    task = task_get(user=request.user, task_id=task_id)
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            option_propose(
                student=request.user,
                task=task,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except InvalidInput as invalid:
            for message in invalid.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("Your idea is sent to your teacher for approval."))
    else:
        messages.error(request, _("Say in a few words what you would make or do."))
    return redirect("work:my_work", task_id=task.uuid)
