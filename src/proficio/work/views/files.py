"""Students' files, served only to who may read the work: the student, their teachers and
admins, their guardians — signed in, or with an API bearer token. Everyone else gets 404.

A file is served as what its content was found to be, never sniffed into something else,
and sandboxed, so even a file that slipped past the checks cannot run as a page of Proficio.
"""

from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from proficio.audit import api as audit
from proficio.lib.errors import NotVisible
from proficio.lib.http.ranged import ranged_file_response
from proficio.people.api import Person, api_token_use
from proficio.work.files import family_of
from proficio.work.models import RevisionFile
from proficio.work.selectors import revision_file_get

# Nothing in a served file runs: no scripts, no forms, no plugins; it may be framed by
# Proficio's own review page (for a PDF) and by nothing else.
SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)
# Shown in the browser (images, players, PDF); the rest downloads.
INLINE = frozenset({"image", "audio", "video", "pdf"})


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


def _disposition(kept: RevisionFile) -> str:
    how = "inline" if family_of(kept.content_type) in INLINE else "attachment"
    ascii_name = kept.name.encode("ascii", "replace").decode().replace('"', "'")
    return f"{how}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(kept.name)}"


def _sealed(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _signed_out(request: HttpRequest) -> bool:
    return not request.user.is_authenticated and "Authorization" not in request.headers


@require_safe
@xframe_options_sameorigin
def revision_file(request: HttpRequest, file_id: str) -> HttpResponse:
    """The file's bytes: whole, or the range a player asks for. Opening it (from its first
    byte) is a view of the student's record when someone else does."""
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    user, kept = _file_for(request, file_id)
    response = ranged_file_response(
        request, kept.file.open("rb"), size=kept.size, content_type=kept.content_type
    )
    # A player seeking asks for many ranges: the opening alone is the view.
    opened = response.status_code == 200 or (
        response.status_code == 206 and response["Content-Range"].startswith("bytes 0-")
    )
    if opened and request.method == "GET":
        audit.record_views(
            actor=user,
            action=audit.STUDENT_VIEWED,
            students=[kept.revision.submission.student],
            data={"via": "file", "file": str(kept.uuid)},
        )
    response["Content-Disposition"] = _disposition(kept)
    return _sealed(response)


@require_safe
def revision_file_thumbnail(request: HttpRequest, file_id: str) -> HttpResponse:
    """A small preview of an image file, for lists and the review page."""
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    _, kept = _file_for(request, file_id)
    if not kept.thumbnail:
        raise Http404("This file has no preview.")
    response = ranged_file_response(
        request, kept.thumbnail.open("rb"), size=kept.thumbnail.size, content_type="image/jpeg"
    )
    response["Content-Disposition"] = "inline"
    return _sealed(response)
