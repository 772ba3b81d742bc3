"""Pages of pathways: a student's next steps (their own, or read by their teachers and
guardians), opening and finishing playlist items, and teachers' playlists."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.audit import api as audit
from proficio.frameworks.api import competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.http.kept_files import kept_file_response
from proficio.lib.visibility import not_visible_is_404, visible_get
from proficio.mastery.api import students_mastery
from proficio.pathways.advancement import proposals_sync
from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.forms import ItemForm, PlaylistForm
from proficio.pathways.models import SupportKind
from proficio.pathways.permissions import (
    may_mark_progress,
    may_write_playlist,
    may_write_playlists,
)
from proficio.pathways.selectors import (
    advancements_visible_to,
    item_get,
    item_state_for,
    next_steps,
    playlist_get,
    playlist_list_visible_to,
)
from proficio.pathways.services import (
    item_add,
    item_mark_done,
    item_start,
    playlist_copy,
    playlist_create,
)
from proficio.pathways.supports import support_end, support_record, supports_visible_to
from proficio.people.api import Role, roles_of, sees_teacher_feedback, student_get
from proficio.work.api import task_list_visible_to


@require_safe
@login_required
def my_next_steps(request: HttpRequest) -> HttpResponse:
    """A student's own next steps."""
    if Role.STUDENT not in roles_of(request.user):
        raise Http404("Next steps are a student's.")
    return _next_steps_page(request, request.user)


@require_safe
@login_required
@not_visible_is_404
def student_next_steps(request: HttpRequest, student_id: str) -> HttpResponse:
    """A student's next steps, read by their teachers, admins and guardians."""
    student = student_get(user=request.user, student_id=student_id)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=[student],
        data={"via": "next steps"},
    )
    return _next_steps_page(request, student)


def _next_steps_page(request: HttpRequest, student) -> HttpResponse:
    statuses = students_mastery(students=[student], explained=False)
    proposals_sync(students=[student], statuses=statuses)
    steps, completed = next_steps(
        student=student,
        statuses=statuses[student.pk],
        feedback=sees_teacher_feedback(request.user, student),
    )
    return render(
        request,
        "pathways/next_steps.html",
        {
            "student": student,
            "own": student.pk == request.user.pk,
            "may_mark": student.pk != request.user.pk and may_mark_progress(request.user, student),
            "steps": steps,
            "completed": completed,
            "advancements": list(advancements_visible_to(request.user).filter(student=student)),
            "supports": list(supports_visible_to(request.user).filter(student=student)),
            "support_kinds": SupportKind.choices,
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
@not_visible_is_404
def item_start_view(request: HttpRequest, item_id: str) -> HttpResponse:
    """The student opens an item: it stays open for them from now on."""
    if Role.STUDENT not in roles_of(request.user):
        raise Http404("Only the student opens their items.")
    item = item_get(user=request.user, item_id=item_id)
    state = item_state_for(student=request.user, item=item)
    try:
        item_start(student=request.user, item=item, is_open=bool(state and state.open))
    except InvalidInput as invalid:
        messages.error(request, next(iter(invalid.errors.values())))
        return redirect("pathways:next_steps")
    if item.url:
        return redirect(item.url)
    if item.task_id:
        return redirect("work:my_work", task_id=item.task.uuid)
    return redirect(f"{reverse('pathways:next_steps')}#item-{item.uuid}")


@require_POST
@login_required
@not_visible_is_404
def item_done_view(request: HttpRequest, item_id: str) -> HttpResponse:
    """The student, or a teacher who serves them (`student` in the form), marks it done."""
    student_id = request.POST.get("student")
    student = student_get(user=request.user, student_id=student_id) if student_id else request.user
    item = item_get(user=student, item_id=item_id)
    state = item_state_for(student=student, item=item)
    try:
        item_mark_done(
            actor=request.user, student=student, item=item, is_open=bool(state and state.open)
        )
    except InvalidInput as invalid:
        messages.error(request, next(iter(invalid.errors.values())))
    else:
        messages.success(request, _("Done: “%(title)s”.") % {"title": item.title})
    if student.pk == request.user.pk:
        return redirect(f"{reverse('pathways:next_steps')}#item-{item.uuid}")
    return redirect("pathways:student_next_steps", student_id=student.uuid)


def _staff_only(request: HttpRequest) -> None:
    if not may_write_playlists(request.user):
        raise Http404("Playlists are written by teachers and admins.")


@require_http_methods(["GET", "POST"])
@login_required
def playlists(request: HttpRequest) -> HttpResponse:
    """A teacher's playlists and the district's library; a new one."""
    _staff_only(request)
    competencies = list(competency_list_visible_to(request.user).prefetch_related("stages"))
    form = PlaylistForm(request.POST or None, competencies=competencies)
    if request.method == "POST" and form.is_valid():
        [(competency, ordinal)] = form.stage_pairs([form.cleaned_data["stage"]])
        try:
            playlist = playlist_create(
                author=request.user,
                stage=StageRef(competency, ordinal),
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                shared=form.cleaned_data["shared"],
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The playlist is written: add its items."))
            return redirect("pathways:playlist", playlist_id=playlist.uuid)
    return render(
        request,
        "pathways/playlists.html",
        {"playlists": playlist_list_visible_to(request.user)[:300], "form": form},
        status=422 if form.errors else 200,
    )


def _item_form(request: HttpRequest, data=None, files=None) -> ItemForm:
    return ItemForm(
        data,
        files,
        competencies=list(competency_list_visible_to(request.user).prefetch_related("stages")),
        tasks=list(task_list_visible_to(request.user)[:200]),
    )


@require_safe
@login_required
@not_visible_is_404
def playlist_page(request: HttpRequest, playlist_id: str) -> HttpResponse:
    _staff_only(request)
    playlist = playlist_get(user=request.user, playlist_id=playlist_id)
    return _playlist_page(request, playlist, _item_form(request))


def _playlist_page(request, playlist, form, status: int = 200) -> HttpResponse:
    return render(
        request,
        "pathways/playlist.html",
        {
            "playlist": playlist,
            "writable": may_write_playlist(request.user, playlist),
            "form": form,
        },
        status=status,
    )


@takes_uploads
@require_POST
@login_required
@not_visible_is_404
def item_add_view(request: HttpRequest, playlist_id: str) -> HttpResponse:
    _staff_only(request)
    playlist = playlist_get(user=request.user, playlist_id=playlist_id)
    form = _item_form(request, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        draft = ItemDraft(
            kind=data["kind"],
            title=data["title"],
            minutes=data["minutes"],
            mode=data["mode"],
            url=data["url"],
            focus=data["focus"],
            unlock=data["unlock"],
            needs=tuple(StageRef(c, s) for c, s in form.stage_pairs(data["needs"])),
            task=form.tasks.get(data["task"] or ""),
            attachment=data.get("attachment"),
        )
        try:
            item_add(actor=request.user, playlist=playlist, draft=draft)
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The item is added."))
            return redirect("pathways:playlist", playlist_id=playlist.uuid)
    return _playlist_page(request, playlist, form, status=422)


@require_POST
@login_required
@not_visible_is_404
def playlist_copy_view(request: HttpRequest, playlist_id: str) -> HttpResponse:
    _staff_only(request)
    playlist = playlist_get(user=request.user, playlist_id=playlist_id)
    copy = playlist_copy(actor=request.user, playlist=playlist)
    messages.success(request, _("This is your copy: change it as you like."))
    return redirect("pathways:playlist", playlist_id=copy.uuid)


@require_POST
@login_required
@not_visible_is_404
def support_add_view(request: HttpRequest, student_id: str) -> HttpResponse:
    """Staff who serve the student record a support."""
    student = student_get(user=request.user, student_id=student_id)
    competency = None
    if request.POST.get("competency"):
        competency = (
            competency_list_visible_to(request.user).filter(uuid=request.POST["competency"]).first()
        )
    try:
        starts_on = date.fromisoformat(request.POST.get("starts_on") or "")
    except ValueError:
        starts_on = timezone.localdate()
    try:
        support_record(
            actor=request.user,
            student=student,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            starts_on=starts_on,
            competency=competency,
        )
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("The support is recorded."))
    return redirect(f"{reverse('pathways:student_next_steps', args=[student.uuid])}#supports")


@require_POST
@login_required
@not_visible_is_404
def support_end_view(request: HttpRequest, support_id: str) -> HttpResponse:
    support = visible_get(supports_visible_to(request.user), support_id, "support")
    try:
        support_end(
            actor=request.user,
            support=support,
            ends_on=timezone.localdate(),
            outcome=request.POST.get("outcome", ""),
        )
    except InvalidInput as invalid:
        for message in invalid.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("The support is ended, with how it went."))
    return redirect(
        f"{reverse('pathways:student_next_steps', args=[support.student.uuid])}#supports"
    )


@login_required
@require_safe
@not_visible_is_404
@xframe_options_sameorigin
def item_attachment(request: HttpRequest, item_id: str) -> HttpResponse:
    """The file given with a playlist item, for whoever sees the playlist."""
    item = item_get(user=request.user, item_id=item_id)
    if not item.attachment:
        raise Http404("This item has no file.")
    return kept_file_response(
        request,
        item.attachment.open("rb"),
        size=item.attachment_size or item.attachment.size,
        content_type=item.attachment_type,
        name=item.attachment_name,
    )
