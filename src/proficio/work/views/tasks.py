"""Teachers' pages for performance tasks: their tasks and the district's library, writing a
task, its page (rubric, choice board, giving it out, who stands where)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.audit import api as audit
from proficio.frameworks.api import competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import sections_served_by, students_served_by
from proficio.work.data import Alignment
from proficio.work.forms import AssignForm, TaskForm
from proficio.work.models import TaskOption
from proficio.work.permissions import may_write_task, may_write_tasks
from proficio.work.selectors import (
    assignment_progress,
    review_queue,
    review_waiting_count,
    task_alignments,
    task_get,
    task_library,
)
from proficio.work.services import (
    option_approve,
    resources_add,
    rubric_set,
    task_assign,
    task_copy,
    task_create,
)


def _staff_only(request: HttpRequest) -> None:
    if not may_write_tasks(request.user):
        raise Http404("Tasks are written by teachers and admins.")


@require_safe
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """A teacher's tasks and the district's shared library, searchable by competency, stage
    and words."""
    _staff_only(request)
    competencies = list(competency_list_visible_to(request.user))
    chosen = next((c for c in competencies if str(c.uuid) == request.GET.get("competency")), None)
    stage = request.GET.get("stage", "")
    words = request.GET.get("q", "").strip()
    tasks = task_library(
        user=request.user,
        competency=chosen,
        stage=int(stage) if stage.isdigit() else None,
        text=words,
    )
    return render(
        request,
        "work/tasks.html",
        {
            "tasks": tasks[:200],
            "competencies": competencies,
            "chosen": chosen,
            "stage": stage,
            "words": words,
            "waiting": review_waiting_count(user=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    competencies = list(competency_list_visible_to(request.user).prefetch_related("stages"))
    form = TaskForm(request.POST or None, competencies=competencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = task_create(
                author=request.user,
                title=data["title"],
                instructions=data["instructions"],
                alignments=[Alignment(competency=c, stage=s) for c, s in form.alignments()],
                options=form.option_titles(),
                revision_policy=data["revision_policy"],
                max_revisions=data["max_revisions"],
                target_date=data["target_date"],
                shared=data["shared"],
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The task is written. Check its rubric, then give it out."))
            return redirect("work:task", task_id=task.uuid)
    return render(
        request, "work/task_form.html", {"form": form}, status=422 if form.errors else 200
    )


def _assign_form(request: HttpRequest, data=None) -> AssignForm:
    return AssignForm(
        data,
        sections=list(sections_served_by(request.user)),
        students=list(students_served_by(request.user).order_by("last_name", "first_name")),
    )


@require_safe
@login_required
@not_visible_is_404
def task_page(request: HttpRequest, task_id: str) -> HttpResponse:
    """The task as its teachers see it: instructions, rubric, choice board, who has it and
    where their work stands."""
    _staff_only(request)
    task = task_get(user=request.user, task_id=task_id)
    return _task_page(request, task, assign_form=_assign_form(request))


def _task_page(request, task, *, assign_form, status: int = 200) -> HttpResponse:
    assignments = []
    listed = {}
    for assignment in task.assignments.select_related("section").order_by("created_at"):
        progress = assignment_progress(user=request.user, assignment=assignment)
        listed |= {student.pk: student for people in progress.values() for student in people}
        assignments.append((assignment, progress))
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=listed.values(),
        data={"via": "task", "task": str(task.uuid)},
    )
    proposals = [
        option
        for option in task.options.filter(approved=False).select_related("proposed_by")
        if option.proposed_by_id in listed
    ]
    return render(
        request,
        "work/task.html",
        {
            "task": task,
            "alignments": task_alignments(task),
            "options": [option for option in task.options.all() if option.approved],
            "proposals": proposals,
            "writable": may_write_task(request.user, task),
            "assignments": assignments,
            "assign_form": assign_form,
            "waiting": review_queue(user=request.user, task=task),
        },
        status=status,
    )


@require_POST
@login_required
@not_visible_is_404
def task_assign_view(request: HttpRequest, task_id: str) -> HttpResponse:
    _staff_only(request)
    task = task_get(user=request.user, task_id=task_id)
    form = _assign_form(request, request.POST)
    if form.is_valid():
        section = form.sections.get(form.cleaned_data["section"])
        students = [form.students[key] for key in form.cleaned_data["students"]]
        try:
            task_assign(actor=request.user, task=task, section=section, students=students)
        except InvalidInput as invalid:
            for message in invalid.errors.values():
                form.add_error(None, message)
        else:
            messages.success(request, _("The task is given out."))
            return redirect("work:task", task_id=task.uuid)
    return _task_page(request, task, assign_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def rubric_save(request: HttpRequest, task_id: str) -> HttpResponse:
    """The rubric, reworded: one criterion per line for each aligned stage."""
    _staff_only(request)
    task = task_get(user=request.user, task_id=task_id)
    criteria = {
        alignment.pk: request.POST.get(f"criteria-{alignment.pk}", "").splitlines()
        for alignment in task.alignments.all()
    }
    try:
        rubric_set(actor=request.user, task=task, criteria=criteria)
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("The rubric is saved."))
    return redirect("work:task", task_id=task.uuid)


@require_POST
@login_required
@not_visible_is_404
def task_copy_view(request: HttpRequest, task_id: str) -> HttpResponse:
    _staff_only(request)
    task = task_get(user=request.user, task_id=task_id)
    try:
        copy = task_copy(actor=request.user, task=task)
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
        return redirect("work:task", task_id=task.uuid)
    messages.success(request, _("This is your copy: change it as you like."))
    return redirect("work:task", task_id=copy.uuid)


@require_POST
@login_required
@not_visible_is_404
def option_approve_view(request: HttpRequest, task_id: str, option_id: str) -> HttpResponse:
    _staff_only(request)
    task = task_get(user=request.user, task_id=task_id)
    option = TaskOption.objects.filter(task=task, uuid=option_id, approved=False).first()
    if option is None:
        raise Http404("No such proposal.")
    option_approve(actor=request.user, option=option)
    messages.success(request, _("The student's own option is approved."))
    return redirect("work:task", task_id=task.uuid)


@takes_uploads
@require_POST
@login_required
@not_visible_is_404
def resources_add_view(request: HttpRequest, task_id: str) -> HttpResponse:
    """Files given with the task: a reading, a model, a template."""
    _staff_only(request)
    task = task_get(user=request.user, task_id=task_id)
    try:
        resources_add(actor=request.user, task=task, files=request.FILES.getlist("files"))
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("The files are added to the task."))
    return redirect("work:task", task_id=task.uuid)
