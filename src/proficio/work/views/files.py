"""Students' files, served only to who may read the work: the student, their teachers and
admins, their guardians — signed in, or with an API bearer token. Everyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from proficio.audit import api as audit
from proficio.lib.errors import NotVisible
from proficio.lib.http.kept_files import kept_file_response, opened_from_the_start
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import Person, api_token_use
from proficio.work.models import RevisionFile
from proficio.work.selectors import resource_get, revision_file_get


def _asker(request: HttpRequest) -> Person | None:
    if request.user.is_authenticated:
        return request.user
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw:
        token = api_token_use(raw_token=raw.strip())
        return token.person if token is not None else None
    return None


def _file_for(request: HttpRequest, file_id: str) -> tuple[Person, RevisionFile]:
    user = _asker(request)
    if user is None:
        raise Http404("No such file.")
    try:
        return user, revision_file_get(user=user, file_id=file_id)
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden


def _signed_out(request: HttpRequest) -> bool:
    return not request.user.is_authenticated and "Authorization" not in request.headers


@require_safe
@xframe_options_sameorigin
def revision_file(request: HttpRequest, file_id: str) -> HttpResponse:
    """The file's bytes: whole, or the range a player asks for. Opening it is a view of the
    student's record when someone else does."""
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    user, kept = _file_for(request, file_id)
    if not kept.file:
        raise Http404("This file was removed when the student's data was erased.")
    response = kept_file_response(
        request,
        kept.file.open("rb"),
        size=kept.size,
        content_type=kept.content_type,
        name=kept.name,
    )
    if opened_from_the_start(request, response):
        audit.record_views(
            actor=user,
            action=audit.STUDENT_VIEWED,
            students=[kept.revision.submission.student],
            data={"via": "file", "file": str(kept.uuid)},
        )
    return response


@require_safe
def revision_file_thumbnail(request: HttpRequest, file_id: str) -> HttpResponse:
    """A small preview of an image file, for lists and the review page."""
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    _, kept = _file_for(request, file_id)
    if not kept.thumbnail:
        raise Http404("This file has no preview.")
    return kept_file_response(
        request,
        kept.thumbnail.open("rb"),
        size=kept.thumbnail.size,
        content_type="image/jpeg",
        name=f"{kept.name}.jpg",
    )


@login_required
@require_safe
@not_visible_is_404
@xframe_options_sameorigin
def task_resource(request: HttpRequest, resource_id: str) -> HttpResponse:
    """A file given with a task, for whoever sees the task."""
    kept = resource_get(user=request.user, resource_id=resource_id)
    return kept_file_response(
        request,
        kept.file.open("rb"),
        size=kept.size,
        content_type=kept.content_type,
        name=kept.name,
    )
